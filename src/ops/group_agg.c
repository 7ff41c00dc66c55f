/* group_agg.c - GroupAggregate: unbounded GROUP BY over insert-only or changelog input,
 * producing an updating result.
 *
 * State: a hash map from the encoded group key to a group record. A record holds a pointer
 * to the key bytes (owned by the map), the row count seen while mapping the current chunk,
 * the aggregates' state block (expr/agg.h), and the result row last emitted for the group
 * (long strings in a buffer of the record's own) so an update retracts exactly what was
 * sent. Records are fixed-size, carved from an arena and recycled through a free list.
 *
 * Processing is mini-batched per input chunk, like Flink's MiniBatchGroupAggFunction with a
 * bundle of one chunk: the rows are mapped to their groups, all aggregates are updated by a
 * single agg_block_update call, and then every group the chunk touched emits at most once,
 * in the order the chunk first touched them:
 *   +I new            the group is new;
 *   -U old, +U new    its result changed (nothing when it is equal, as Flink without TTL);
 *   -D old            its row count dropped to zero; the group is removed.
 * A retraction that reaches a group holding no rows (never seen, or back at zero earlier in
 * the chunk) is ignored, as Flink ignores a retraction without accumulators. A -U/+U pair is
 * never split across output chunks.
 *
 * Group keys are encoded by data/rowkey.h and decoded from the key bytes when a group emits.
 *
 * Checkpoint: u32 nkeys, u32 naggs, i64 ngroups, then per group the key bytes, the emitted
 * result values (snap_put_value with the output types) and the state block
 * (agg_block_snapshot).
 *
 * State TTL (table.exec.state.ttl) is not implemented: group_touched() is where a group's
 * last-access time would be stamped, and a timer callback would drop groups idle for longer
 * than the TTL (emitting nothing, as Flink). */
#include "ops/ops.h"
#include "data/rowkey.h"
#include "base/hashmap.h"
#include "base/util.h"
#include "base/err.h"
#include <stdlib.h>
#include <stddef.h>

typedef struct group {
    const uint8_t *key;       /* encoded key, owned by the map */
    uint32_t klen;
    uint64_t hash;
    int64_t live;             /* rows held, counting the current chunk's rows mapped so far */
    uint64_t epoch;           /* the last chunk that touched the group */
    uint8_t emitted;          /* prev holds the result last sent downstream */
    char *strbuf;             /* bytes of the long strings in prev */
    uint32_t strcap;
    struct group *next_free;
} group;

typedef struct group_agg {
    op_t op;
    int *keys;                /* input columns of the group key */
    int nkeys;
    agg_set aggs;
    hmap_t groups;            /* encoded key -> group* */
    arena_t slab;             /* group records */
    group *free_list;
    uint32_t prev_off;        /* offset of the emitted results (value_t[naggs]) in a record */
    uint32_t block_off;       /* offset of the state block in a record */
    uint32_t rec_size;
    uint64_t epoch;
    /* per-chunk scratch, kept between chunks */
    rowkey_buf key;           /* the key being looked up */
    void **blocks;            /* state block of each accepted row */
    uint32_t *rows;           /* input row of each accepted row */
    group **touched;          /* groups touched by this chunk, first-touch order */
    uint32_t ntouched;
    uint32_t scratch_cap;
    uint8_t *used_cols;       /* input columns the aggregates read (flag per column) */
    uint32_t nused_cols;      /* length of used_cols */
    chunk_t *batch;           /* accepted rows gathered densely (views, no byte copies) */
    chunk_t *out;
    value_t *row;             /* key values then results of one output row */
    value_t *res;             /* new results of one group */
    arena_t scratch;          /* new result strings, reset per chunk */
} group_agg;

static value_t *group_prev(const group_agg *g, group *grp) { return (value_t *)((char *)grp + g->prev_off); }
static void *group_block(const group_agg *g, group *grp) { return (char *)grp + g->block_off; }

/* ---- groups ---- */

static group *group_create(group_agg *g, const uint8_t *key, uint32_t klen, uint64_t hash)
{
    void **slot = hmap_put(&g->groups, key, klen, hash, NULL);
    group *grp = g->free_list;
    if (grp) g->free_list = grp->next_free;
    else grp = arena_alloc(&g->slab, g->rec_size);
    memset(grp, 0, g->block_off);
    /* The map's own copy of the key: the entry that holds the returned value slot. */
    const hmap_entry *e = (const hmap_entry *)((char *)slot - offsetof(hmap_entry, val));
    grp->key = (const uint8_t *)e->key;
    grp->klen = klen;
    grp->hash = hash;
    agg_block_init(&g->aggs, group_block(g, grp));
    *slot = grp;
    return grp;
}

static void group_drop(group_agg *g, group *grp)
{
    agg_block_destroy(&g->aggs, group_block(g, grp));
    free(grp->strbuf);
    hmap_del(&g->groups, grp->key, grp->klen, grp->hash);
    grp->next_free = g->free_list;
    g->free_list = grp;
}

static void drop_all_groups(group_agg *g)
{
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&g->groups, &pos, &e);) {
        group *grp = e->val;
        agg_block_destroy(&g->aggs, group_block(g, grp));
        free(grp->strbuf);
    }
    hmap_free(&g->groups);
    hmap_init(&g->groups);
    arena_free(&g->slab);
    arena_init(&g->slab, 64 * 1024);
    g->free_list = NULL;
}

/* Keep vals as the group's emitted result, copying long strings into its buffer. */
static void group_store_prev(group_agg *g, group *grp, const value_t *vals)
{
    int n = g->aggs.ncalls;
    const type_t *types = g->op.schema.types + g->nkeys;
    size_t need = 0;
    for (int i = 0; i < n; i++)
        if (!vals[i].null && type_phys(types[i]) == PHYS_STR && vals[i].s.len > STR_INLINE) need += vals[i].s.len;
    if (need > grp->strcap) {
        size_t cap = grp->strcap ? grp->strcap : 32;
        while (cap < need) cap *= 2;
        free(grp->strbuf);
        grp->strbuf = xmalloc(cap);
        grp->strcap = (uint32_t)cap;
    }
    value_t *prev = group_prev(g, grp);
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        prev[i] = vals[i];
        if (vals[i].null || type_phys(types[i]) != PHYS_STR || vals[i].s.len <= STR_INLINE) continue;
        memcpy(grp->strbuf + off, vals[i].s.ptr, vals[i].s.len);
        prev[i].s = str_view(grp->strbuf + off, vals[i].s.len);
        off += vals[i].s.len;
    }
    grp->emitted = 1;
}

/* Marks the group as touched by the current chunk; the place where state TTL would stamp
 * the group's last access. */
static void group_touched(group_agg *g, group *grp)
{
    if (grp->epoch == g->epoch) return;
    grp->epoch = g->epoch;
    g->touched[g->ntouched++] = grp;
}

/* ---- output ---- */

static int flush_out(group_agg *g)
{
    int rc = op_emit(&g->op, g->out);
    chunk_reset(g->out);
    return rc;
}

/* Appends one row (the group's key, then vals) with op; `pair` reserves room for the +U
 * that follows a -U. */
static int emit_row(group_agg *g, group *grp, const value_t *vals, uint8_t op, int pair)
{
    if (g->out->nrows + (pair ? 2u : 1u) > g->out->cap && flush_out(g) < 0) return -1;
    rowkey_decode(grp->key, g->op.schema.types, NULL, g->nkeys, g->row);
    memcpy(g->row + g->nkeys, vals, (size_t)g->aggs.ncalls * sizeof *vals);
    chunk_append_values(g->out, g->row, op);
    if (!pair && chunk_full(g->out)) return flush_out(g);
    return 0;
}

static int results_equal(const group_agg *g, const value_t *a, const value_t *b)
{
    const type_t *types = g->op.schema.types + g->nkeys;
    for (int i = 0; i < g->aggs.ncalls; i++) {
        if (a[i].null != b[i].null) return 0;
        if (a[i].null) continue;
        if (type_phys(types[i]) == PHYS_STR) {
            if (!str_eq(&a[i].s, &b[i].s)) return 0;
        } else if (a[i].i != b[i].i) {     /* doubles compare by bits */
            return 0;
        }
    }
    return 1;
}

/* Emits the change of one touched group, or drops it when it holds no rows. */
static int emit_group(group_agg *g, group *grp)
{
    void *block = group_block(g, grp);
    value_t *prev = group_prev(g, grp);
    if (agg_block_count(block) <= 0) {
        if (grp->emitted && emit_row(g, grp, prev, OP_DELETE, 0) < 0) return -1;
        group_drop(g, grp);
        return 0;
    }
    agg_block_results(&g->aggs, block, g->res, &g->scratch);
    if (!grp->emitted) {
        if (emit_row(g, grp, g->res, OP_INSERT, 0) < 0) return -1;
    } else if (!results_equal(g, prev, g->res)) {
        if (emit_row(g, grp, prev, OP_UPDATE_BEFORE, 1) < 0) return -1;
        if (emit_row(g, grp, g->res, OP_UPDATE_AFTER, 0) < 0) return -1;
    } else {
        return 0;
    }
    group_store_prev(g, grp, g->res);
    return 0;
}

/* ---- input ---- */

static void scratch_reserve(group_agg *g, uint32_t n)
{
    if (n <= g->scratch_cap) return;
    g->blocks = xrealloc(g->blocks, n * sizeof *g->blocks);
    g->rows = xrealloc(g->rows, n * sizeof *g->rows);
    g->touched = xrealloc(g->touched, n * sizeof *g->touched);
    g->scratch_cap = n;
}

/* Finds or creates each live row's group and decides whether the row counts: returns the
 * number of accepted rows (g->blocks, g->rows), and whether they are exactly rows 0..k-1. */
static uint32_t map_rows(group_agg *g, const chunk_t *in, int *dense)
{
    uint32_t n = chunk_live(in), k = 0;
    group *grp = NULL;
    *dense = 1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = chunk_row(in, i);
        uint32_t klen = rowkey_encode(&g->key, in, r, g->keys, g->nkeys);
        const uint8_t *key = g->key.bytes;
        /* Runs of one key (sorted or bursty input) skip the hash lookup. */
        if (!grp || grp->klen != klen || memcmp(grp->key, key, klen) != 0) {
            uint64_t h = hash_bytes(key, klen);
            void **slot = hmap_get(&g->groups, key, klen, h);
            grp = slot ? *slot : group_create(g, key, klen, h);
        }
        group_touched(g, grp);
        if (op_is_add(in->ops[r])) {
            grp->live++;
        } else if (grp->live > 0) {
            grp->live--;
        } else {
            *dense = 0;                 /* a retraction of nothing: ignored */
            continue;
        }
        if (r != k) *dense = 0;
        g->blocks[k] = group_block(g, grp);
        g->rows[k++] = r;
    }
    return k;
}

/* The accepted rows as a dense chunk: only the columns the aggregates read are copied, as
 * views into the input (which outlives the update). */
static const chunk_t *gather_rows(group_agg *g, const chunk_t *in, uint32_t k)
{
    if (!g->batch || g->batch->cap < in->cap || g->batch->ncols != in->ncols) {
        chunk_free(g->batch);
        type_t *types = xmalloc((in->ncols ? in->ncols : 1) * sizeof *types);
        for (uint32_t c = 0; c < in->ncols; c++) types[c] = in->cols[c].type;
        g->batch = chunk_new_types(in->ncols, types, in->cap);
        free(types);
    }
    chunk_t *b = g->batch;
    for (uint32_t c = 0; c < in->ncols; c++) {
        if (c >= g->nused_cols || !g->used_cols[c]) continue;
        for (uint32_t j = 0; j < k; j++) vector_copy_row(&b->cols[c], j, &in->cols[c], g->rows[j], NULL);
    }
    for (uint32_t j = 0; j < k; j++) b->ops[j] = in->ops[g->rows[j]];
    b->nrows = k;
    return b;
}

static int group_agg_push(op_t *op, int port, chunk_t *in)
{
    group_agg *g = (group_agg *)op;
    uint32_t n = chunk_live(in);
    if (!n) return 0;
    scratch_reserve(g, n);
    g->epoch++;
    g->ntouched = 0;
    int dense;
    uint32_t k = map_rows(g, in, &dense);
    if (k) agg_block_update(&g->aggs, g->blocks, dense ? in : gather_rows(g, in, k), k);
    int rc = 0;
    for (uint32_t i = 0; i < g->ntouched && rc == 0; i++) rc = emit_group(g, g->touched[i]);
    if (rc == 0) rc = flush_out(g);
    arena_reset(&g->scratch);
    g->op.stats.state_keys = g->groups.len;
    return rc;
}

/* ---- checkpoints ---- */

static int group_agg_snapshot(op_t *op, snap_writer *w)
{
    group_agg *g = (group_agg *)op;
    const type_t *types = g->op.schema.types + g->nkeys;
    snap_put_u32(w, (uint32_t)g->nkeys);
    snap_put_u32(w, (uint32_t)g->aggs.ncalls);
    snap_put_i64(w, (int64_t)g->groups.len);
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&g->groups, &pos, &e);) {
        group *grp = e->val;
        snap_put_bytes(w, grp->key, grp->klen);
        value_t *prev = group_prev(g, grp);
        for (int i = 0; i < g->aggs.ncalls; i++) snap_put_value(w, types[i], &prev[i]);
        agg_block_snapshot(&g->aggs, group_block(g, grp), w);
    }
    return 0;
}

static int restore_group(group_agg *g, snap_reader *r)
{
    const type_t *types = g->op.schema.types + g->nkeys;
    uint32_t klen;
    const void *key = snap_get_bytes(r, &klen);
    if (r->failed) return -1;
    if (!rowkey_valid(key, klen, g->op.schema.types, NULL, g->nkeys))
        return err_msg("snapshot of GroupAggregate holds a group key that does not fit the %d key columns",
                       g->nkeys);
    uint64_t h = hash_bytes(key, klen);
    if (hmap_get(&g->groups, key, klen, h))
        return err_msg("snapshot of GroupAggregate holds the same group key twice");
    group *grp = group_create(g, key, klen, h);
    for (int i = 0; i < g->aggs.ncalls; i++) snap_get_value(r, types[i], &g->res[i], &g->scratch);
    group_store_prev(g, grp, g->res);
    agg_block_restore(&g->aggs, group_block(g, grp), r);
    grp->live = agg_block_count(group_block(g, grp));
    return r->failed ? -1 : 0;
}

static int group_agg_restore(op_t *op, snap_reader *r)
{
    group_agg *g = (group_agg *)op;
    drop_all_groups(g);
    uint32_t nkeys = snap_get_u32(r), naggs = snap_get_u32(r);
    int64_t ngroups = snap_get_i64(r);
    if (snap_check(r, "GroupAggregate") < 0) return -1;
    if (nkeys != (uint32_t)g->nkeys || naggs != (uint32_t)g->aggs.ncalls)
        return err_msg("snapshot of GroupAggregate has %u keys and %u aggregates, the job has %d and %d",
                       nkeys, naggs, g->nkeys, g->aggs.ncalls);
    int rc = 0;
    for (int64_t i = 0; i < ngroups && rc == 0; i++) rc = restore_group(g, r);
    arena_reset(&g->scratch);
    g->op.stats.state_keys = g->groups.len;
    if (snap_check(r, "GroupAggregate") < 0) return -1;
    return rc;
}

/* ---- explain, destroy, construction ---- */

static void group_agg_explain(op_t *op, sb_t *out)
{
    group_agg *g = (group_agg *)op;
    const schema_t *s = &g->op.schema;
    if (g->nkeys) {
        sb_puts(out, "groupBy=[");
        for (int k = 0; k < g->nkeys; k++) sb_printf(out, "%s%s", k ? ", " : "", s->names[k]);
        sb_puts(out, "], ");
    }
    sb_puts(out, "select=[");
    for (int k = 0; k < g->nkeys; k++) sb_printf(out, "%s, ", s->names[k]);
    for (int i = 0; i < g->aggs.ncalls; i++) {
        const agg_call *c = &g->aggs.calls[i];
        sb_printf(out, "%s%s(", i ? ", " : "", c->def->name);
        if (c->arg_col < 0) sb_putc(out, '*');
        else sb_printf(out, "%s$%d", c->distinct ? "DISTINCT " : "", c->arg_col);
        sb_putc(out, ')');
        if (c->filter_col >= 0) sb_printf(out, " FILTER $%d", c->filter_col);
        sb_printf(out, " AS %s", s->names[g->nkeys + i]);
    }
    sb_putc(out, ']');
}

static void group_agg_destroy(op_t *op)
{
    group_agg *g = (group_agg *)op;
    drop_all_groups(g);
    hmap_free(&g->groups);
    arena_free(&g->slab);
    arena_free(&g->scratch);
    agg_set_free(&g->aggs);
    chunk_free(g->batch);
    chunk_free(g->out);
    free(g->keys);
    rowkey_buf_free(&g->key);
    free(g->blocks);
    free(g->rows);
    free(g->touched);
    free(g->used_cols);
    free(g->row);
    free(g->res);
    free(g);
}

static const op_vtable group_agg_vt = {
    .name = "GroupAggregate",
    .push = group_agg_push,
    .snapshot = group_agg_snapshot,
    .restore = group_agg_restore,
    .explain = group_agg_explain,
    .destroy = group_agg_destroy,
};

static uint32_t align16(size_t x) { return (uint32_t)((x + 15) & ~(size_t)15); }

static uint8_t *columns_read(const agg_call *aggs, int naggs, uint32_t *ncols_out)
{
    int ncols = 1;
    for (int i = 0; i < naggs; i++) ncols = MAX(ncols, MAX(aggs[i].arg_col, aggs[i].filter_col) + 1);
    *ncols_out = (uint32_t)ncols;
    uint8_t *used = xcalloc((size_t)ncols, 1);
    for (int i = 0; i < naggs; i++) {
        if (aggs[i].arg_col >= 0) used[aggs[i].arg_col] = 1;
        if (aggs[i].filter_col >= 0) used[aggs[i].filter_col] = 1;
    }
    return used;
}

op_t *group_agg_new(exec_ctx *ctx, const schema_t *out, const int *keys, int nkeys, agg_call *aggs, int naggs)
{
    if (out->ncols != (uint32_t)(nkeys + naggs)) {
        err_msg("GroupAggregate output has %u columns, expected %d keys + %d aggregates",
                out->ncols, nkeys, naggs);
        return NULL;
    }
    group_agg *g = xcalloc(1, sizeof *g);
    if (agg_set_init(&g->aggs, aggs, naggs) < 0) { free(g); return NULL; }
    op_init(&g->op, &group_agg_vt, ctx, out, 1);
    g->keys = xmalloc((nkeys ? (size_t)nkeys : 1) * sizeof *g->keys);
    memcpy(g->keys, keys, (size_t)nkeys * sizeof *keys);
    g->nkeys = nkeys;
    hmap_init(&g->groups);
    arena_init(&g->slab, 64 * 1024);
    arena_init(&g->scratch, 16 * 1024);
    g->prev_off = align16(sizeof(group));
    g->block_off = align16(g->prev_off + (size_t)naggs * sizeof(value_t));
    g->rec_size = align16(g->block_off + g->aggs.block_size);
    rowkey_buf_init(&g->key);
    g->used_cols = columns_read(aggs, naggs, &g->nused_cols);
    g->out = chunk_new(out, CHUNK_CAP);
    g->row = xcalloc((size_t)(nkeys + naggs) + 1, sizeof *g->row);
    g->res = xcalloc((size_t)naggs + 1, sizeof *g->res);
    return &g->op;
}
