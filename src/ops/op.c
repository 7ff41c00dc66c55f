/* op.c - the common operator header: wiring, watermark combination, end of input.
 *
 * The combined input watermark is the minimum over the input ports that are not idle, as
 * in Flink: a source that has had no rows for its idle timeout declares itself idle, so
 * the other inputs of a union or join go on without it; its first row (or watermark) makes
 * it active again. An operator whose every input is idle is idle itself downstream. */
#include "ops/op.h"
#include "base/util.h"
#include <stdlib.h>

void op_init(op_t *op, const op_vtable *vt, exec_ctx *ctx, const schema_t *out_schema, int nin)
{
    op->vt = vt;
    op->ctx = ctx;
    if (out_schema) schema_copy(&op->schema, out_schema);
    else memset(&op->schema, 0, sizeof op->schema);
    op->outs = NULL;
    op->nouts = 0;
    op->nin = nin;
    op->in_wm = xcalloc(nin ? nin : 1, sizeof *op->in_wm);
    op->in_idle = xcalloc(nin ? nin : 1, 1);
    op->idle_out = 0;
    for (int i = 0; i < nin; i++) op->in_wm[i] = TS_MIN;
    op->wm = TS_MIN;
    op->wm_out = TS_MIN;
    op->nfinished = 0;
    memset(&op->stats, 0, sizeof op->stats);
}

void op_connect(op_t *from, op_t *to, int port)
{
    from->outs = xrealloc(from->outs, (size_t)(from->nouts + 1) * sizeof *from->outs);
    from->outs[from->nouts].to = to;
    from->outs[from->nouts].port = port;
    from->nouts++;
}

void op_destroy(op_t *op)
{
    if (!op) return;
    schema_t schema = op->schema;
    op_output *outs = op->outs;
    int64_t *in_wm = op->in_wm;
    uint8_t *in_idle = op->in_idle;
    if (op->vt->destroy) op->vt->destroy(op);
    free(in_idle);
    schema_free(&schema);
    free(outs);
    free(in_wm);
}

int op_push(op_t *op, int port, chunk_t *c)
{
    op->stats.rows_in += chunk_live(c);
    if (op->in_idle[port] && op_idle_in(op, port, 0) < 0) return -1;
    return op->vt->push(op, port, c);
}

/* Advances the combined watermark to the minimum over the active ports, if that is higher. */
static int combine_watermarks(op_t *op)
{
    int64_t m = TS_MAX;
    int active = 0;
    for (int i = 0; i < op->nin; i++) {
        if (op->in_idle[i]) continue;
        active++;
        if (op->in_wm[i] < m) m = op->in_wm[i];
    }
    if (!active || m <= op->wm) return 0;
    op->wm = m;
    if (op->vt->watermark) return op->vt->watermark(op, m);
    return op_emit_watermark(op, m);
}

int op_watermark_in(op_t *op, int port, int64_t wm)
{
    if (op->in_idle[port] && op_idle_in(op, port, 0) < 0) return -1;
    if (wm <= op->in_wm[port]) return 0;
    op->in_wm[port] = wm;
    return combine_watermarks(op);
}

int op_idle_in(op_t *op, int port, int idle)
{
    if (op->in_idle[port] == (uint8_t)idle) return 0;
    op->in_idle[port] = (uint8_t)idle;
    int all_idle = 1;
    for (int i = 0; i < op->nin; i++) all_idle &= op->in_idle[i];
    if (all_idle != op->idle_out && op_emit_idle(op, all_idle) < 0) return -1;
    return idle && !all_idle ? combine_watermarks(op) : 0;
}

int op_emit_idle(op_t *op, int idle)
{
    if (op->idle_out == idle) return 0;
    op->idle_out = idle;
    for (int i = 0; i < op->nouts; i++)
        if (op_idle_in(op->outs[i].to, op->outs[i].port, idle) < 0) return -1;
    return 0;
}

int op_finish_in(op_t *op, int port)
{
    (void)port;
    op->nfinished++;
    if (op->nfinished < op->nin) return 0;
    if (op->vt->finish && op->vt->finish(op) < 0) return -1;
    for (int i = 0; i < op->nouts; i++)
        if (op_finish_in(op->outs[i].to, op->outs[i].port) < 0) return -1;
    return 0;
}

int op_emit(op_t *op, chunk_t *c)
{
    uint32_t n = chunk_live(c);
    if (n == 0) return 0;
    op->stats.rows_out += n;
    for (int i = 0; i < op->nouts; i++)
        if (op_push(op->outs[i].to, op->outs[i].port, c) < 0) return -1;
    return 0;
}

int op_emit_watermark(op_t *op, int64_t wm)
{
    if (wm <= op->wm_out) return 0;
    op->wm_out = wm;
    for (int i = 0; i < op->nouts; i++)
        if (op_watermark_in(op->outs[i].to, op->outs[i].port, wm) < 0) return -1;
    return 0;
}
