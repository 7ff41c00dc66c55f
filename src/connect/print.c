/* print.c - the 'print' connector: writes every change as a line in Flink's format,
 * "+I[a, b, c]" (Row.toString: the op, then each field as value_format_print shows it),
 * prefixed by "<print-identifier>> " when that option is set. Lines go to stdout, or to
 * stderr under 'standard-error' = 'true', through the FILE's buffer; flush() flushes it. */
#include "connect/print.h"
#include "connect/connector.h"
#include "base/util.h"
#include <stdlib.h>

static FILE *output_override;

void print_sink_set_output(FILE *f) { output_override = f; }

static const char *const print_options[] = {"print-identifier", "standard-error", "sink.parallelism", NULL};

typedef struct print_sink {
    sink_t base;
    FILE *out;
    char *prefix;                /* "id> " or "" */
    sb_t line;                   /* the text of one chunk */
} print_sink;

static int print_write(sink_t *s, const chunk_t *c)
{
    print_sink *p = (print_sink *)s;
    uint32_t live = chunk_live(c);
    sb_clear(&p->line);
    for (uint32_t k = 0; k < live; k++) {
        uint32_t r = chunk_row(c, k);
        sb_puts(&p->line, p->prefix);
        sb_puts(&p->line, row_op_names[c->ops[r] & 3]);
        sb_putc(&p->line, '[');
        for (uint32_t i = 0; i < c->ncols; i++) {
            value_t v;
            if (i) sb_puts(&p->line, ", ");
            vector_get(&c->cols[i], r, &v);
            value_format_print(c->cols[i].type, &v, &p->line);
        }
        sb_puts(&p->line, "]\n");
    }
    if (p->line.len && fwrite(p->line.data, 1, p->line.len, p->out) != p->line.len)
        return err_msg("print sink of table '%s': write failed", s->table->name);
    s->rows += live;
    return 0;
}

static int print_flush(sink_t *s)
{
    print_sink *p = (print_sink *)s;
    if (fflush(p->out) != 0) return err_msg("print sink of table '%s': flush failed", s->table->name);
    return 0;
}

static void print_close(sink_t *s)
{
    print_sink *p = (print_sink *)s;
    fflush(p->out);
    sb_free(&p->line);
    free(p->prefix);
    free(p);
}

static const sink_vtable print_vt = {print_write, print_flush, NULL, print_close};

static sink_t *print_create_sink(const connector_table *t)
{
    int to_stderr;
    if (table_opt_bool(t, "standard-error", 0, &to_stderr)) return NULL;
    print_sink *p = xcalloc(1, sizeof *p);
    p->base.vt = &print_vt;
    p->base.table = t;
    p->out = output_override ? output_override : to_stderr ? stderr : stdout;
    const char *id = table_opt(t, "print-identifier");
    if (id && *id) {
        size_t n = strlen(id);
        p->prefix = xmalloc(n + 3);
        memcpy(p->prefix, id, n);
        memcpy(p->prefix + n, "> ", 3);
    } else {
        p->prefix = xstrdup("");
    }
    return &p->base;
}

const connector_def connector_print = {
    .name = "print",
    .options = print_options,
    .accepts_updates = 1,
    .create_sink = print_create_sink,
};
