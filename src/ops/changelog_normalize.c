/* changelog_normalize.c - ChangelogNormalize: turns an upsert stream (upsert-kafka: +U is the
 * new row of its key, -D may carry only the key) into a full changelog, as Flink's operator
 * of that name does (DeduplicateFunctionHelper.processLastRowOnChangelog).
 *
 * State: the last row of every key, in a row pool, found through a hash map from the encoded
 * key. Per input row: an insert or update of a key not held emits +I; of a held key it emits
 * -U with the held row and +U with the new one, unless the two are equal (a repeated record
 * changes nothing and is dropped); a delete of a held key emits -D with the held (full) row
 * and forgets the key; a delete of an unknown key and -U rows are dropped. */
#include "ops/ops.h"
#include "ops/rowpool.h"
#include "data/rowkey.h"
#include "base/hashmap.h"
#include "base/util.h"
#include <stdlib.h>

typedef struct normalize_op {
    op_t op;
    int *keys;
    int nkeys;
    hmap_t rows;               /* key -> (void *)(uintptr_t)(pool ref + 1) */
    row_pool pool;
    rowkey_chunk enc;
    chunk_t *out;
} normalize_op;

static int flush_out(normalize_op *n)
{
    int rc = op_emit(&n->op, n->out);
    chunk_reset(n->out);
    return rc;
}

static int append(normalize_op *n, const chunk_t *src, uint32_t row, uint8_t op)
{
    chunk_append_row(n->out, src, row, op);
    return chunk_full(n->out) ? flush_out(n) : 0;
}

static int rows_equal(const chunk_t *a, uint32_t ra, const chunk_t *b, uint32_t rb)
{
    for (uint32_t c = 0; c < a->ncols; c++) {
        value_t x, y;
        vector_get(&a->cols[c], ra, &x);
        vector_get(&b->cols[c], rb, &y);
        if (x.null != y.null) return 0;
        if (x.null) continue;
        if (type_phys(a->cols[c].type) == PHYS_STR ? !str_eq(&x.s, &y.s) : x.i != y.i) return 0;
    }
    return 1;
}

static int normalize_row(normalize_op *n, const chunk_t *in, uint32_t r, uint32_t k)
{
    uint8_t op = in->ops[r];
    if (op == OP_UPDATE_BEFORE) return 0;
    const uint8_t *key = rowkey_at(&n->enc, k);
    uint32_t klen = n->enc.len[k];
    uint64_t h = n->enc.hash[k];
    if (op == OP_DELETE) {
        void *held = hmap_del(&n->rows, key, klen, h);
        if (!held) return 0;
        uint32_t ref = (uint32_t)(uintptr_t)held - 1;
        int rc = append(n, rowpool_chunk(&n->pool, ref), rowpool_row(ref), OP_DELETE);
        rowpool_release(&n->pool, ref);
        n->op.stats.state_keys--;
        return rc;
    }
    int created;
    void **slot = hmap_put(&n->rows, key, klen, h, &created);
    if (!created) {
        uint32_t ref = (uint32_t)(uintptr_t)*slot - 1;
        const chunk_t *pc = rowpool_chunk(&n->pool, ref);
        if (rows_equal(pc, rowpool_row(ref), in, r)) return 0;
        if (append(n, pc, rowpool_row(ref), OP_UPDATE_BEFORE) < 0) return -1;
        rowpool_release(&n->pool, ref);
    } else {
        n->op.stats.state_keys++;
    }
    *slot = (void *)(uintptr_t)(rowpool_add(&n->pool, in, r, NULL, OP_INSERT) + 1);
    return append(n, in, r, created ? OP_INSERT : OP_UPDATE_AFTER);
}

static int normalize_push(op_t *op, int port, chunk_t *in)
{
    (void)port;
    normalize_op *n = (normalize_op *)op;
    rowkey_encode_chunk(&n->enc, in, n->keys, n->nkeys);
    uint32_t live = chunk_live(in);
    for (uint32_t k = 0; k < live; k++)
        if (normalize_row(n, in, chunk_row(in, k), k) < 0) return -1;
    return n->out->nrows ? flush_out(n) : 0;
}

static int normalize_snapshot(op_t *op, snap_writer *w)
{
    normalize_op *n = (normalize_op *)op;
    snap_put_i64(w, op->wm);
    snap_put_u32(w, (uint32_t)n->rows.len);
    hmap_entry *e;
    for (size_t i = 0; hmap_next(&n->rows, &i, &e);) {
        uint32_t ref = (uint32_t)(uintptr_t)e->val - 1;
        const chunk_t *c = rowpool_chunk(&n->pool, ref);
        for (uint32_t col = 0; col < c->ncols; col++) {
            value_t v;
            vector_get(&c->cols[col], rowpool_row(ref), &v);
            snap_put_value(w, c->cols[col].type, &v);
        }
    }
    return 0;
}

static int normalize_restore(op_t *op, snap_reader *r)
{
    normalize_op *n = (normalize_op *)op;
    op->wm = op->wm_out = op->in_wm[0] = snap_get_i64(r);
    uint32_t count = snap_get_u32(r);
    chunk_t *row = chunk_new(&op->schema, 1);
    rowkey_chunk enc;
    rowkey_chunk_init(&enc);
    for (uint32_t i = 0; i < count && !r->failed; i++) {
        chunk_reset(row);
        for (uint32_t col = 0; col < row->ncols; col++) {
            value_t v;
            snap_get_value(r, row->cols[col].type, &v, &row->arena);
            vector_set(&row->cols[col], 0, &v, NULL);
        }
        row->ops[0] = OP_INSERT;
        row->nrows = 1;
        rowkey_encode_chunk(&enc, row, n->keys, n->nkeys);
        void **slot = hmap_put(&n->rows, rowkey_at(&enc, 0), enc.len[0], enc.hash[0], NULL);
        *slot = (void *)(uintptr_t)(rowpool_add(&n->pool, row, 0, NULL, OP_INSERT) + 1);
    }
    op->stats.state_keys = n->rows.len;
    rowkey_chunk_free(&enc);
    chunk_free(row);
    return snap_check(r, "ChangelogNormalize");
}

static void normalize_explain(op_t *op, sb_t *out)
{
    normalize_op *n = (normalize_op *)op;
    sb_puts(out, "key=[");
    for (int k = 0; k < n->nkeys; k++) sb_printf(out, "%s%s", k ? ", " : "", op->schema.names[n->keys[k]]);
    sb_putc(out, ']');
}

static void normalize_destroy(op_t *op)
{
    normalize_op *n = (normalize_op *)op;
    hmap_free(&n->rows);
    rowpool_free(&n->pool);
    rowkey_chunk_free(&n->enc);
    chunk_free(n->out);
    free(n->keys);
    free(n);
}

static const op_vtable normalize_vt = {
    .name = "ChangelogNormalize",
    .push = normalize_push,
    .snapshot = normalize_snapshot,
    .restore = normalize_restore,
    .explain = normalize_explain,
    .destroy = normalize_destroy,
};

op_t *changelog_normalize_new(exec_ctx *ctx, const schema_t *schema, const int *keys, int nkeys)
{
    normalize_op *n = xcalloc(1, sizeof *n);
    op_init(&n->op, &normalize_vt, ctx, schema, 1);
    n->keys = xmalloc(sizeof *n->keys * (size_t)(nkeys ? nkeys : 1));
    memcpy(n->keys, keys, sizeof *n->keys * (size_t)nkeys);
    n->nkeys = nkeys;
    hmap_init(&n->rows);
    rowpool_init(&n->pool, schema->ncols, schema->types);
    rowkey_chunk_init(&n->enc);
    n->out = chunk_new(schema, CHUNK_CAP);
    return &n->op;
}
