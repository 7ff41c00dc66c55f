/* calc.c - filter and projection. Stateless; the changelog op of each row passes through.
 *
 * Per chunk: evaluate the filter over the whole chunk, gather the surviving rows into a
 * dense scratch chunk if any were dropped (string bytes are borrowed, not copied), then
 * evaluate each projection once. Projections that are plain column references share the
 * input vector instead of copying it. */
#include "ops/ops.h"
#include "base/util.h"
#include <stdlib.h>

typedef struct calc_op {
    op_t op;
    expr_t *filter;
    expr_t **proj;
    int nproj;
    vector_t filter_out;        /* BOOLEAN result of the filter */
    vector_t *owned;            /* result vectors of computed projections */
    chunk_t *dense;             /* rows that passed the filter, compacted */
    chunk_t out;                /* the emitted view: cols point at owned or input vectors */
    arena_t scratch;            /* temporaries of expression evaluation, reset per chunk */
    arena_t strings;            /* string results, reset per chunk */
} calc_op;

static int calc_push(op_t *op, int port, chunk_t *in)
{
    calc_op *c = (calc_op *)op;
    (void)port;
    arena_reset(&c->scratch);
    arena_reset(&c->strings);
    eval_ctx ec = {op->ctx, &c->strings, &c->scratch};
    const chunk_t *src = in;
    if (in->sel) {
        chunk_reset(c->dense);
        for (uint32_t i = 0; i < in->nsel; i++) chunk_append_row(c->dense, in, in->sel[i], in->ops[in->sel[i]]);
        src = c->dense;
    }
    if (c->filter) {
        if (expr_eval(c->filter, src, &c->filter_out, &ec) < 0) return -1;
        uint32_t keep = 0;
        for (uint32_t i = 0; i < src->nrows; i++) keep += !c->filter_out.nulls[i] && c->filter_out.i64[i];
        if (keep == 0) return 0;
        if (keep < src->nrows) {
            chunk_t *d = c->dense;
            if (src == d) {
                /* Compact in place: rows only move towards the front. */
                uint32_t k = 0;
                for (uint32_t i = 0; i < d->nrows; i++) {
                    if (c->filter_out.nulls[i] || !c->filter_out.i64[i]) continue;
                    if (k != i) {
                        for (uint32_t col = 0; col < d->ncols; col++) vector_copy_row(&d->cols[col], k, &d->cols[col], i, NULL);
                        d->ops[k] = d->ops[i];
                    }
                    k++;
                }
                d->nrows = k;
            } else {
                chunk_reset(d);
                for (uint32_t i = 0; i < src->nrows; i++) {
                    if (c->filter_out.nulls[i] || !c->filter_out.i64[i]) continue;
                    uint32_t r = d->nrows++;
                    d->ops[r] = src->ops[i];
                    for (uint32_t col = 0; col < d->ncols; col++) vector_copy_row(&d->cols[col], r, &src->cols[col], i, NULL);
                }
            }
            src = d;
        }
    }
    for (int i = 0; i < c->nproj; i++) {
        expr_t *e = c->proj[i];
        if (e->kind == EX_COL) {
            c->out.cols[i] = src->cols[e->col];
            c->out.cols[i].type = op->schema.types[i];
            continue;
        }
        if (expr_eval(e, src, &c->owned[i], &ec) < 0) return -1;
        c->out.cols[i] = c->owned[i];
    }
    c->out.nrows = src->nrows;
    c->out.ops = src->ops;
    return op_emit(op, &c->out);
}

static void calc_destroy(op_t *op)
{
    calc_op *c = (calc_op *)op;
    for (int i = 0; i < c->nproj; i++)
        if (c->owned[i].data) vector_free(&c->owned[i]);
    free(c->owned);
    vector_free(&c->filter_out);
    chunk_free(c->dense);
    free(c->out.cols);
    arena_free(&c->scratch);
    arena_free(&c->strings);
    free(c);
}

static const op_vtable calc_vt = {
    .name = "Calc",
    .push = calc_push,
    .destroy = calc_destroy,
};

op_t *calc_new(exec_ctx *ctx, const schema_t *in, const schema_t *out, expr_t *filter, expr_t **proj, int nproj)
{
    calc_op *c = xcalloc(1, sizeof *c);
    op_init(&c->op, &calc_vt, ctx, out, 1);
    c->filter = filter;
    c->proj = proj;
    c->nproj = nproj;
    vector_init(&c->filter_out, type_make(TY_BOOLEAN), CHUNK_CAP);
    c->owned = xcalloc((size_t)nproj + 1, sizeof *c->owned);
    for (int i = 0; i < nproj; i++)
        if (proj[i]->kind != EX_COL) vector_init(&c->owned[i], proj[i]->type, CHUNK_CAP);
    c->out.ncols = (uint32_t)nproj;
    c->out.cap = CHUNK_CAP;
    c->out.cols = xcalloc((size_t)nproj + 1, sizeof *c->out.cols);
    arena_init(&c->out.arena, 1024);
    arena_init(&c->scratch, 64 * 1024);
    arena_init(&c->strings, 64 * 1024);
    c->dense = chunk_new(in, CHUNK_CAP);
    return &c->op;
}
