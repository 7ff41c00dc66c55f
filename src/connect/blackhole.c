/* blackhole.c - the 'blackhole' connector: a sink that counts rows and discards them
 * (for benchmarks and for jobs run only for their side effects). */
#include "connect/connector.h"
#include "base/util.h"
#include <stdlib.h>

static const char *const blackhole_options[] = {NULL};

static int blackhole_write(sink_t *s, const chunk_t *c)
{
    s->rows += chunk_live(c);
    return 0;
}

static int blackhole_flush(sink_t *s) { return 0; }

static void blackhole_close(sink_t *s) { free(s); }

static const sink_vtable blackhole_vt = {blackhole_write, blackhole_flush, NULL, blackhole_close};

static sink_t *blackhole_create_sink(const connector_table *t)
{
    sink_t *s = xcalloc(1, sizeof *s);
    s->vt = &blackhole_vt;
    s->table = t;
    return s;
}

const connector_def connector_blackhole = {
    .name = "blackhole",
    .options = blackhole_options,
    .accepts_updates = 1,
    .create_sink = blackhole_create_sink,
};
