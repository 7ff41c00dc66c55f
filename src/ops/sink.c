/* sink.c - the operator in front of a connector sink. With a primary key it forwards
 * upserts (+I/+U) and deletes (-D) and drops update-before rows (-U) directly followed by
 * their +U, which an upsert sink does not need. A -U without its +U (a filter after an
 * updating aggregation, e.g. HAVING, dropped the new row) goes on as a -D: the key has
 * left the result, as Flink's upsert sinks treat update-before as a delete. Without a
 * primary key the input is insert-only (the planner checks that), unless the connector
 * writes changelogs itself. Flushes the sink at end of input. */
#include "ops/ops.h"
#include "base/util.h"
#include <stdlib.h>

typedef struct sink_op {
    op_t op;
    sink_t *sink;
    int upsert;
    uint16_t *sel;
    uint8_t *ops;              /* the input's ops with lone -U turned into -D */
    uint32_t ops_cap;
} sink_op;

/* A view of `in` whose lone -U rows are -D; returns 1 when there was one. */
static int lone_befores_as_deletes(sink_op *s, const chunk_t *in, chunk_t *view)
{
    uint32_t live = chunk_live(in);
    int found = 0;
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = chunk_row(in, i);
        if (in->ops[r] != OP_UPDATE_BEFORE) continue;
        if (i + 1 < live && in->ops[chunk_row(in, i + 1)] == OP_UPDATE_AFTER) continue;
        if (!found) {
            if (s->ops_cap < in->nrows) {
                s->ops = xrealloc(s->ops, in->nrows);
                s->ops_cap = in->nrows;
            }
            memcpy(s->ops, in->ops, in->nrows);
            *view = *in;
            view->ops = s->ops;
            found = 1;
        }
        s->ops[r] = OP_DELETE;
    }
    return found;
}

static int sink_push(op_t *op, int port, chunk_t *in)
{
    sink_op *s = (sink_op *)op;
    (void)port;
    if (!s->upsert) return s->sink->vt->write(s->sink, in);
    chunk_t fixed;
    if (lone_befores_as_deletes(s, in, &fixed)) in = &fixed;
    /* Drop the remaining -U rows through a selection over the live rows. */
    uint32_t n = 0, live = chunk_live(in);
    int any = 0;
    for (uint32_t i = 0; i < live; i++) {
        uint32_t r = chunk_row(in, i);
        if (in->ops[r] == OP_UPDATE_BEFORE) { any = 1; continue; }
        s->sel[n++] = (uint16_t)r;
    }
    if (!any) return s->sink->vt->write(s->sink, in);
    if (!n) return 0;
    chunk_t view = *in;
    view.sel = s->sel;
    view.nsel = n;
    return s->sink->vt->write(s->sink, &view);
}

static int sink_timer(op_t *op, int64_t now)
{
    sink_op *s = (sink_op *)op;
    return s->sink->vt->tick ? s->sink->vt->tick(s->sink, now) : 0;
}

static int sink_finish(op_t *op)
{
    sink_op *s = (sink_op *)op;
    return s->sink->vt->flush(s->sink);
}

static void sink_destroy(op_t *op)
{
    sink_op *s = (sink_op *)op;
    if (s->sink) s->sink->vt->close(s->sink);
    free(s->sel);
    free(s->ops);
    free(s);
}

static const op_vtable sink_vt = {
    .name = "Sink",
    .push = sink_push,
    .timer = sink_timer,
    .finish = sink_finish,
    .destroy = sink_destroy,
};

op_t *sink_new(exec_ctx *ctx, const schema_t *in, sink_t *sink)
{
    sink_op *s = xcalloc(1, sizeof *s);
    op_init(&s->op, &sink_vt, ctx, in, 1);
    s->sink = sink;
    s->upsert = sink->table->npk > 0;
    s->sel = xcalloc(CHUNK_CAP * 4, sizeof *s->sel);
    return &s->op;
}

const sink_t *sink_of(const op_t *op) { return ((const sink_op *)op)->sink; }
