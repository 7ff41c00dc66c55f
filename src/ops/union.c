/* union.c - UNION ALL: forwards every input unchanged; the op header takes the minimum
 * watermark over the inputs and finishes when all inputs have. */
#include "ops/ops.h"
#include "base/util.h"
#include <stdlib.h>

static int union_push(op_t *op, int port, chunk_t *in)
{
    (void)port;
    return op_emit(op, in);
}

static void union_destroy(op_t *op) { free(op); }

static const op_vtable union_vt = {
    .name = "Union",
    .push = union_push,
    .destroy = union_destroy,
};

op_t *union_new(exec_ctx *ctx, const schema_t *out, int nin)
{
    op_t *op = xcalloc(1, sizeof *op);
    op_init(op, &union_vt, ctx, out, nin);
    return op;
}
