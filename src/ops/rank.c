/* rank.c - Rank: ROW_NUMBER() Top-N per partition and deduplication (Flink's
 * AppendOnlyTopNFunction, RetractableTopNFunction and the Deduplicate functions).
 *
 * Modes, chosen at construction:
 *   Top-N, insert-only input: a partition keeps its best `limit` rows, sorted by the order
 *     keys, ties in arrival order (a new row ranks after the rows it ties with, so a row tied
 *     with the last of a full Top-N does not enter).
 *   Top-N, updating input: a partition keeps all its rows, so that when a row of the top N is
 *     retracted the next one is promoted. A retraction removes the first stored row equal to
 *     it in every column; one matching nothing is ignored (as Flink's lenient mode).
 *   Keep first row, ORDER BY a proctime attribute ASC, limit 1: the first row per key is
 *     emitted as +I, later ones are ignored. Insert-only output.
 *   Keep first row, ORDER BY a rowtime attribute ASC, limit 1: the row with the smallest
 *     rowtime is held until the watermark reaches its rowtime and then emitted as +I; rows
 *     arriving after that, and rows older than the watermark (late, counted), are ignored.
 *     Insert-only output, like Flink's RowTimeDeduplicateKeepFirstRowFunction.
 *   Keep last row, ORDER BY a time attribute DESC, limit 1: +I for the first row, then -U/+U
 *     for every newer row (proctime: every later row; rowtime: rowtime >= the kept one's).
 * Deduplication applies when the row number is not output and the input is insert-only;
 * otherwise the general Top-N runs.
 *
 * Changelog of Top-N. When a row enters the top N at rank r: without the row number, -D for
 * the row pushed out to rank N+1 (if any), then +I for the new row; with the row number,
 * every rank position from r to N whose occupant changed emits -U(old occupant, rank)
 * +U(new occupant, rank), and a position that had no occupant +I. A retraction at rank r:
 * without the row number -D for it, then +I for the row promoted to rank N; with it, each
 * position from r gets -U/+U for its new occupant, and the last position -D if it empties.
 * A -U/+U pair never straddles two output chunks.
 *
 * State: a hash map from the encoded partition key (data/rowkey.h) to a partition: an array
 * of row references sorted by the order keys, each with an order-preserving 8-byte prefix of
 * its first order key so that binary searches rarely touch the rows. Rows are copied (with
 * their string bytes) into chunk pages; references are page * CHUNK_CAP + row. Dropped rows
 * leave holes; when the holes outnumber the live rows the pages are compacted by copying
 * every live row anew.
 *
 * Checkpoint: u8 version, i64 watermark, i64 watermark sent, u64 sequence, u32 npartitions,
 * per partition: key bytes, u8 emitted, u64 pending sequence, u32 nrows and each row's
 * column values (in rank order). */
#include "ops/ops.h"
#include "data/rowkey.h"
#include "base/hashmap.h"
#include "base/util.h"
#include "base/err.h"
#include <stdlib.h>

#define SNAP_VERSION 1
#define PAGE_ROWS CHUNK_CAP

typedef enum rank_mode {
    MODE_TOPN,
    MODE_FIRST_PROCTIME,
    MODE_FIRST_ROWTIME,
    MODE_LAST,
} rank_mode;

/* ---- row pages with compaction ---- */

typedef struct row_pool {
    uint32_t ncols;
    const type_t *types;      /* borrowed from the operator's schema */
    VEC(chunk_t *) pages;
    size_t live;
    size_t dead;              /* released rows still occupying page slots */
} row_pool;

static void pool_free(row_pool *p)
{
    for (size_t i = 0; i < p->pages.len; i++) chunk_free(p->pages.items[i]);
    VEC_FREE(p->pages);
    p->live = p->dead = 0;
}

static uint32_t pool_add(row_pool *p, const chunk_t *src, uint32_t row)
{
    if (!p->pages.len || chunk_full(p->pages.items[p->pages.len - 1]))
        VEC_PUSH(p->pages, chunk_new_types(p->ncols, p->types, PAGE_ROWS));
    uint32_t pg = (uint32_t)p->pages.len - 1;
    chunk_t *c = p->pages.items[pg];
    uint32_t r = c->nrows++;
    c->ops[r] = OP_INSERT;
    for (uint32_t col = 0; col < p->ncols; col++)
        vector_copy_row(&c->cols[col], r, &src->cols[col], row, &c->arena);
    p->live++;
    return pg * PAGE_ROWS + r;
}

static void pool_release(row_pool *p)
{
    p->live--;
    p->dead++;
}

static const chunk_t *ref_chunk(const row_pool *p, uint32_t ref) { return p->pages.items[ref / PAGE_ROWS]; }
static uint32_t ref_row(uint32_t ref) { return ref % PAGE_ROWS; }

/* ---- state ---- */

/* A row of a partition: its reference and an order-preserving 8-byte summary of its first
 * ORDER BY key, so that most comparisons do not touch the row's page. */
typedef struct slot {
    uint64_t prefix;
    uint32_t ref;
} slot_t;

typedef struct part {
    slot_t *rows;             /* in rank order */
    uint32_t len, cap;
    slot_t one;               /* storage of rows while cap == 1 */
    uint8_t emitted;          /* keep-first: the result was sent */
    uint64_t pending;         /* keep-first on rowtime: sequence of the live fire entry */
} part_t;

typedef struct fire_entry {
    int64_t ts;
    uint64_t seq;
    part_t *part;
} fire_entry;

typedef struct rank_op {
    op_t op;
    rank_mode mode;
    int *part_cols;
    int npart;
    sort_key *order;
    int norder;
    int64_t limit;
    int output_rn;
    int input_updates;
    uint32_t ninput;          /* input columns (output without the row number) */
    hmap_t parts;             /* encoded partition key -> part_t* */
    row_pool pool;
    VEC(fire_entry) heap;     /* keep-first on rowtime, by (ts, seq) */
    uint64_t seq;
    rowkey_buf key;           /* the partition key being looked up */
    chunk_t *out;
} rank_op;

static rank_op *rank_of(op_t *op) { return (rank_op *)op; }

static part_t *part_new(void)
{
    part_t *p = xcalloc(1, sizeof *p);
    p->rows = &p->one;
    p->cap = 1;
    return p;
}

static void part_free(part_t *p)
{
    if (p->rows != &p->one) free(p->rows);
    free(p);
}

static void part_insert(part_t *p, uint32_t at, slot_t row)
{
    if (p->len == p->cap) {
        uint32_t cap = p->cap * 2;
        slot_t *rows = xmalloc(cap * sizeof *rows);
        memcpy(rows, p->rows, p->len * sizeof *rows);
        if (p->rows != &p->one) free(p->rows);
        p->rows = rows;
        p->cap = cap;
    }
    memmove(&p->rows[at + 1], &p->rows[at], (p->len - at) * sizeof *p->rows);
    p->rows[at] = row;
    p->len++;
}

static void part_remove(part_t *p, uint32_t at)
{
    memmove(&p->rows[at], &p->rows[at + 1], (p->len - at - 1) * sizeof *p->rows);
    p->len--;
}

/* ---- keys and comparisons ---- */

/* Doubles in a total order: NaN above every number, -0.0 equal to 0.0. */
static int cmp_double(double a, double b)
{
    if (a != a || b != b) return (a != a) - (b != b);
    return (a > b) - (a < b);
}

static int cmp_value(const vector_t *a, uint32_t ra, const vector_t *b, uint32_t rb)
{
    switch (type_phys(a->type)) {
    case PHYS_I64: return (a->i64[ra] > b->i64[rb]) - (a->i64[ra] < b->i64[rb]);
    case PHYS_F64: return cmp_double(a->f64[ra], b->f64[rb]);
    default: return str_cmp(&a->str[ra], &b->str[rb]);
    }
}

/* Rows whose prefixes differ compare as the prefixes do; equal prefixes need cmp_order. */
static uint64_t order_prefix(const rank_op *rk, const chunk_t *c, uint32_t r)
{
    if (!rk->norder) return 0;
    const sort_key *sk = &rk->order[0];
    const vector_t *v = &c->cols[sk->col];
    if (v->nulls[r]) return sk->nulls_first ? 0 : UINT64_MAX;
    uint64_t u = 0;
    switch (type_phys(v->type)) {
    case PHYS_I64:
        u = (uint64_t)v->i64[r] ^ (UINT64_C(1) << 63);
        break;
    case PHYS_F64: {
        double d = v->f64[r];
        if (d != d) d = __builtin_nan("");
        if (d == 0) d = 0.0;
        memcpy(&u, &d, 8);
        u = (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
        break;
    }
    default: {
        const str_t *s = &v->str[r];
        const uint8_t *b = (const uint8_t *)str_ptr(s);
        for (uint32_t i = 0; i < 8; i++) u = u << 8 | (i < s->len ? b[i] : 0);
        break;
    }
    }
    return sk->desc ? ~u : u;
}

/* Order of row ra of a against row rb of b by the ORDER BY keys. */
static int cmp_order(const rank_op *rk, const chunk_t *a, uint32_t ra, const chunk_t *b, uint32_t rb)
{
    for (int k = 0; k < rk->norder; k++) {
        const sort_key *sk = &rk->order[k];
        const vector_t *va = &a->cols[sk->col], *vb = &b->cols[sk->col];
        int na = va->nulls[ra], nb = vb->nulls[rb];
        if (na || nb) {
            if (na && nb) continue;
            return (na ? -1 : 1) * (sk->nulls_first ? 1 : -1);
        }
        int c = cmp_value(va, ra, vb, rb);
        if (c) return sk->desc ? -c : c;
    }
    return 0;
}

static int rows_equal(const rank_op *rk, const chunk_t *a, uint32_t ra, const chunk_t *b, uint32_t rb)
{
    for (uint32_t col = 0; col < rk->ninput; col++) {
        const vector_t *va = &a->cols[col], *vb = &b->cols[col];
        if (va->nulls[ra] != vb->nulls[rb]) return 0;
        if (va->nulls[ra]) continue;
        if (type_phys(va->type) == PHYS_STR) {
            if (!str_eq(&va->str[ra], &vb->str[rb])) return 0;
        } else if (type_phys(va->type) == PHYS_F64) {
            if (va->f64[ra] != vb->f64[rb]) return 0;
        } else if (va->i64[ra] != vb->i64[rb]) {
            return 0;
        }
    }
    return 1;
}

/* Order of row r of c (whose prefix is given) against a stored row. */
static int cmp_slot(const rank_op *rk, const chunk_t *c, uint32_t r, uint64_t prefix, const slot_t *s)
{
    if (prefix != s->prefix) return prefix < s->prefix ? -1 : 1;
    return cmp_order(rk, c, r, ref_chunk(&rk->pool, s->ref), ref_row(s->ref));
}

/* First position whose row orders after row r (upper) or not before it (lower). */
static uint32_t bound(const rank_op *rk, const part_t *p, const chunk_t *c, uint32_t r, uint64_t prefix, int upper)
{
    uint32_t lo = 0, hi = p->len;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int cmp = cmp_slot(rk, c, r, prefix, &p->rows[mid]);
        if (upper ? cmp >= 0 : cmp > 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* ---- output ---- */

static int flush_out(rank_op *rk)
{
    int rc = op_emit(&rk->op, rk->out);
    chunk_reset(rk->out);
    return rc;
}

/* Append a row of src with op (and rank rn when output); room is the number of rows that
 * must fit together (2 for a -U/+U pair). */
static int emit_from(rank_op *rk, const chunk_t *src, uint32_t row, uint8_t op, int64_t rn, uint32_t room)
{
    chunk_t *o = rk->out;
    if (o->nrows + room > o->cap && flush_out(rk) < 0) return -1;
    uint32_t r = o->nrows++;
    o->ops[r] = op;
    for (uint32_t col = 0; col < rk->ninput; col++)
        vector_copy_row(&o->cols[col], r, &src->cols[col], row, &o->arena);
    if (rk->output_rn) {
        o->cols[rk->ninput].nulls[r] = 0;
        o->cols[rk->ninput].i64[r] = rn;
    }
    return 0;
}

static int emit_ref(rank_op *rk, uint32_t ref, uint8_t op, int64_t rn, uint32_t room)
{
    return emit_from(rk, ref_chunk(&rk->pool, ref), ref_row(ref), op, rn, room);
}

static int emit_update(rank_op *rk, uint32_t before, uint32_t after, int64_t rn)
{
    if (emit_ref(rk, before, OP_UPDATE_BEFORE, rn, 2) < 0) return -1;
    return emit_ref(rk, after, OP_UPDATE_AFTER, rn, 1);
}

/* ---- Top-N ---- */

/* The row now at position `at` entered; old_len rows were there before. */
static int emit_entered(rank_op *rk, const part_t *p, uint32_t at, uint32_t old_len)
{
    uint32_t limit = (uint32_t)MIN((int64_t)UINT32_MAX, rk->limit);
    if (!rk->output_rn) {
        if (old_len >= limit && emit_ref(rk, p->rows[limit].ref, OP_DELETE, 0, 1) < 0) return -1;
        return emit_ref(rk, p->rows[at].ref, OP_INSERT, 0, 1);
    }
    for (uint32_t pos = at; pos < limit && pos < p->len; pos++) {
        if (pos + 1 < p->len) {
            if (emit_update(rk, p->rows[pos + 1].ref, p->rows[pos].ref, pos + 1) < 0) return -1;
        } else if (emit_ref(rk, p->rows[pos].ref, OP_INSERT, pos + 1, 1) < 0) {
            return -1;
        }
    }
    return 0;
}

/* The row at position q is about to leave. */
static int emit_leaving(rank_op *rk, const part_t *p, uint32_t q)
{
    uint32_t limit = (uint32_t)MIN((int64_t)UINT32_MAX, rk->limit);
    if (q >= limit) return 0;
    if (!rk->output_rn) {
        if (emit_ref(rk, p->rows[q].ref, OP_DELETE, 0, 1) < 0) return -1;
        return p->len > limit ? emit_ref(rk, p->rows[limit].ref, OP_INSERT, 0, 1) : 0;
    }
    for (uint32_t pos = q; pos < limit && pos < p->len; pos++) {
        if (pos + 1 < p->len) {
            if (emit_update(rk, p->rows[pos].ref, p->rows[pos + 1].ref, pos + 1) < 0) return -1;
        } else if (emit_ref(rk, p->rows[pos].ref, OP_DELETE, pos + 1, 1) < 0) {
            return -1;
        }
    }
    return 0;
}

static int topn_add(rank_op *rk, part_t *p, const chunk_t *c, uint32_t r)
{
    uint64_t prefix = order_prefix(rk, c, r);
    uint32_t at = bound(rk, p, c, r, prefix, 1);
    if (!rk->input_updates && at >= rk->limit) return 0;
    uint32_t old_len = p->len;
    part_insert(p, at, (slot_t){prefix, pool_add(&rk->pool, c, r)});
    if (at < rk->limit && emit_entered(rk, p, at, old_len) < 0) return -1;
    if (!rk->input_updates && p->len > rk->limit) {
        pool_release(&rk->pool);
        p->len--;
    }
    return 0;
}

/* Sets *emptied when the partition lost its last row. */
static int topn_retract(rank_op *rk, part_t *p, const chunk_t *c, uint32_t r, int *emptied)
{
    uint64_t prefix = order_prefix(rk, c, r);
    uint32_t q = bound(rk, p, c, r, prefix, 0);
    for (; q < p->len && cmp_slot(rk, c, r, prefix, &p->rows[q]) == 0; q++) {
        uint32_t ref = p->rows[q].ref;
        if (!rows_equal(rk, c, r, ref_chunk(&rk->pool, ref), ref_row(ref))) continue;
        if (emit_leaving(rk, p, q) < 0) return -1;
        part_remove(p, q);
        pool_release(&rk->pool);
        *emptied = p->len == 0;
        return 0;
    }
    return 0;
}

/* ---- deduplication ---- */

static void heap_swap(fire_entry *h, size_t a, size_t b) { fire_entry t = h[a]; h[a] = h[b]; h[b] = t; }

static int fire_before(const fire_entry *a, const fire_entry *b)
{
    return a->ts != b->ts ? a->ts < b->ts : a->seq < b->seq;
}

static void heap_push(rank_op *rk, fire_entry e)
{
    VEC_PUSH(rk->heap, e);
    fire_entry *h = rk->heap.items;
    for (size_t i = rk->heap.len - 1; i && fire_before(&h[i], &h[(i - 1) / 2]); i = (i - 1) / 2)
        heap_swap(h, i, (i - 1) / 2);
}

static fire_entry heap_pop(rank_op *rk)
{
    fire_entry *h = rk->heap.items;
    fire_entry top = h[0];
    h[0] = h[--rk->heap.len];
    for (size_t i = 0, n = rk->heap.len;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && fire_before(&h[l], &h[m])) m = l;
        if (l + 1 < n && fire_before(&h[l + 1], &h[m])) m = l + 1;
        if (m == i) break;
        heap_swap(h, i, m);
        i = m;
    }
    return top;
}

static int64_t order_time(const rank_op *rk, const chunk_t *c, uint32_t r)
{
    const vector_t *v = &c->cols[rk->order[0].col];
    return v->nulls[r] ? TS_MIN : v->i64[r];
}

static void replace_kept(rank_op *rk, part_t *p, const chunk_t *c, uint32_t r)
{
    if (p->len) pool_release(&rk->pool);
    p->rows[0] = (slot_t){order_prefix(rk, c, r), pool_add(&rk->pool, c, r)};
    p->len = 1;
}

static int dedup_first_rowtime(rank_op *rk, part_t *p, const chunk_t *c, uint32_t r)
{
    int64_t t = order_time(rk, c, r);
    if (t < rk->op.wm) {
        rk->op.stats.late++;
        return 0;
    }
    if (p->emitted) return 0;
    if (p->len && t >= order_time(rk, ref_chunk(&rk->pool, p->rows[0].ref), ref_row(p->rows[0].ref))) return 0;
    replace_kept(rk, p, c, r);
    p->pending = ++rk->seq;
    heap_push(rk, (fire_entry){t, p->pending, p});
    return 0;
}

static int dedup_last(rank_op *rk, part_t *p, const chunk_t *c, uint32_t r)
{
    if (!p->len) {
        replace_kept(rk, p, c, r);
        return emit_ref(rk, p->rows[0].ref, OP_INSERT, 1, 1);
    }
    uint32_t old = p->rows[0].ref;
    int proctime = rk->op.schema.types[rk->order[0].col].attr == TA_PROCTIME;
    if (!proctime && cmp_slot(rk, c, r, order_prefix(rk, c, r), &p->rows[0]) > 0) return 0;
    if (emit_ref(rk, old, OP_UPDATE_BEFORE, 1, 2) < 0) return -1;
    if (emit_from(rk, c, r, OP_UPDATE_AFTER, 1, 1) < 0) return -1;
    replace_kept(rk, p, c, r);
    return 0;
}

static int fire_first_rows(rank_op *rk, int64_t wm)
{
    while (rk->heap.len && rk->heap.items[0].ts <= wm) {
        fire_entry e = heap_pop(rk);
        part_t *p = e.part;
        if (e.seq != p->pending || !p->len || p->emitted) continue;
        if (emit_ref(rk, p->rows[0].ref, OP_INSERT, 1, 1) < 0) return -1;
        pool_release(&rk->pool);
        p->len = 0;
        p->emitted = 1;
    }
    return 0;
}

/* ---- compaction ---- */

static void compact(rank_op *rk)
{
    row_pool fresh = {rk->pool.ncols, rk->pool.types, {0}, 0, 0};
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&rk->parts, &pos, &e);) {
        part_t *p = e->val;
        for (uint32_t i = 0; i < p->len; i++)
            p->rows[i].ref = pool_add(&fresh, ref_chunk(&rk->pool, p->rows[i].ref), ref_row(p->rows[i].ref));
    }
    pool_free(&rk->pool);
    rk->pool = fresh;
}

/* ---- operator callbacks ---- */

static int process_row(rank_op *rk, const chunk_t *c, uint32_t r)
{
    uint32_t klen = rowkey_encode(&rk->key, c, r, rk->part_cols, rk->npart);
    const uint8_t *key = rk->key.bytes;
    uint64_t h = hash_bytes(key, klen);
    uint8_t op = c->ops[r];
    if (!op_is_add(op)) {
        if (!rk->input_updates)
            return err_msg("Rank: the input was planned as insert-only but a %s row arrived", row_op_names[op]);
        void **slot = hmap_get(&rk->parts, key, klen, h);
        if (!slot) return 0;
        int emptied = 0;
        if (topn_retract(rk, *slot, c, r, &emptied) < 0) return -1;
        if (emptied) part_free(hmap_del(&rk->parts, key, klen, h));
        return 0;
    }
    int created;
    void **slot = hmap_put(&rk->parts, key, klen, h, &created);
    if (created) *slot = part_new();
    part_t *p = *slot;
    switch (rk->mode) {
    case MODE_FIRST_PROCTIME:
        if (p->emitted) return 0;
        p->emitted = 1;
        return emit_from(rk, c, r, OP_INSERT, 1, 1);
    case MODE_FIRST_ROWTIME: return dedup_first_rowtime(rk, p, c, r);
    case MODE_LAST: return dedup_last(rk, p, c, r);
    default: return topn_add(rk, p, c, r);
    }
}

static int rank_push(op_t *op, int port, chunk_t *in)
{
    (void)port;
    rank_op *rk = rank_of(op);
    uint32_t n = chunk_live(in);
    for (uint32_t i = 0; i < n; i++)
        if (process_row(rk, in, chunk_row(in, i)) < 0) return -1;
    if (rk->pool.dead > rk->pool.live && rk->pool.dead > 4 * PAGE_ROWS) compact(rk);
    return flush_out(rk);
}

static int rank_watermark(op_t *op, int64_t wm)
{
    rank_op *rk = rank_of(op);
    if (rk->mode == MODE_FIRST_ROWTIME) {
        if (fire_first_rows(rk, wm) < 0 || flush_out(rk) < 0) return -1;
    }
    return op_emit_watermark(op, wm);
}

/* ---- checkpoint ---- */

static int rank_snapshot(op_t *op, snap_writer *w)
{
    rank_op *rk = rank_of(op);
    snap_put_u8(w, SNAP_VERSION);
    snap_put_i64(w, op->wm);
    snap_put_i64(w, op->wm_out);
    snap_put_i64(w, (int64_t)rk->seq);
    snap_put_u32(w, (uint32_t)rk->parts.len);
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&rk->parts, &pos, &e);) {
        part_t *p = e->val;
        snap_put_bytes(w, e->key, e->klen);
        snap_put_u8(w, p->emitted);
        snap_put_i64(w, (int64_t)p->pending);
        snap_put_u32(w, p->len);
        for (uint32_t i = 0; i < p->len; i++) {
            const chunk_t *c = ref_chunk(&rk->pool, p->rows[i].ref);
            for (uint32_t col = 0; col < rk->ninput; col++) {
                value_t v;
                vector_get(&c->cols[col], ref_row(p->rows[i].ref), &v);
                snap_put_value(w, c->cols[col].type, &v);
            }
        }
    }
    return 0;
}

static int rank_restore(op_t *op, snap_reader *r)
{
    rank_op *rk = rank_of(op);
    uint8_t version = snap_get_u8(r);
    if (!r->failed && version != SNAP_VERSION)
        return err_msg("Rank: snapshot version %u, expected %u", version, SNAP_VERSION);
    op->wm = snap_get_i64(r);
    op->wm_out = snap_get_i64(r);
    for (int i = 0; i < op->nin; i++) op->in_wm[i] = op->wm;
    rk->seq = (uint64_t)snap_get_i64(r);
    chunk_t *row = chunk_new_types(rk->ninput, op->schema.types, 1);
    uint32_t nparts = snap_get_u32(r);
    for (uint32_t i = 0; i < nparts && !r->failed; i++) {
        uint32_t klen;
        const void *key = snap_get_bytes(r, &klen);
        part_t *p = part_new();
        *hmap_put(&rk->parts, key, klen, hash_bytes(key, klen), NULL) = p;
        p->emitted = snap_get_u8(r);
        p->pending = (uint64_t)snap_get_i64(r);
        uint32_t len = snap_get_u32(r);
        for (uint32_t j = 0; j < len && !r->failed; j++) {
            chunk_reset(row);
            row->nrows = 1;
            for (uint32_t col = 0; col < rk->ninput; col++) {
                value_t v;
                snap_get_value(r, row->cols[col].type, &v, &row->arena);
                vector_set(&row->cols[col], 0, &v, NULL);
            }
            part_insert(p, p->len, (slot_t){order_prefix(rk, row, 0), pool_add(&rk->pool, row, 0)});
        }
        if (rk->mode == MODE_FIRST_ROWTIME && p->len && !p->emitted)
            heap_push(rk, (fire_entry){order_time(rk, ref_chunk(&rk->pool, p->rows[0].ref), ref_row(p->rows[0].ref)),
                                       p->pending, p});
    }
    chunk_free(row);
    return snap_check(r, "Rank");
}

/* ---- explain / destroy ---- */

static const char *const mode_names[] = {"TopN", "KeepFirstRow(proctime)", "KeepFirstRow(rowtime)", "KeepLastRow"};

static void rank_explain(op_t *op, sb_t *out)
{
    rank_op *rk = rank_of(op);
    char **names = op->schema.names;
    sb_printf(out, "%s, partition=[", mode_names[rk->mode]);
    for (int i = 0; i < rk->npart; i++) sb_printf(out, "%s%s", i ? ", " : "", names[rk->part_cols[i]]);
    sb_puts(out, "], order=[");
    for (int i = 0; i < rk->norder; i++)
        sb_printf(out, "%s%s %s NULLS %s", i ? ", " : "", names[rk->order[i].col], rk->order[i].desc ? "DESC" : "ASC",
                  rk->order[i].nulls_first ? "FIRST" : "LAST");
    sb_printf(out, "], limit=%lld, rn=%s, input=%s", (long long)rk->limit, rk->output_rn ? "output" : "hidden",
              rk->input_updates ? "updating" : "insert-only");
}

static void rank_destroy(op_t *op)
{
    rank_op *rk = rank_of(op);
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&rk->parts, &pos, &e);) part_free(e->val);
    hmap_free(&rk->parts);
    pool_free(&rk->pool);
    VEC_FREE(rk->heap);
    chunk_free(rk->out);
    free(rk->part_cols);
    free(rk->order);
    rowkey_buf_free(&rk->key);
    free(rk);
}

static const op_vtable rank_vt = {
    .name = "Rank",
    .push = rank_push,
    .watermark = rank_watermark,
    .snapshot = rank_snapshot,
    .restore = rank_restore,
    .explain = rank_explain,
    .destroy = rank_destroy,
};

/* ---- construction ---- */

static rank_mode choose_mode(const rank_spec *s, const schema_t *out)
{
    if (s->limit != 1 || s->norder != 1 || s->output_rn || s->input_updates) return MODE_TOPN;
    type_t t = out->types[s->order[0].col];
    if (!type_is_time_attr(t)) return MODE_TOPN;
    if (s->order[0].desc) return MODE_LAST;
    return t.attr == TA_PROCTIME ? MODE_FIRST_PROCTIME : MODE_FIRST_ROWTIME;
}

static int check_spec(const schema_t *out, const rank_spec *s)
{
    uint32_t ninput = out->ncols - (s->output_rn ? 1 : 0);
    if (s->limit < 1) return err_msg("Rank: the row-number limit must be at least 1, got %lld", (long long)s->limit);
    if (s->output_rn && (out->ncols < 1 || out->types[ninput].id != TY_BIGINT))
        return err_msg("Rank: the row number must be the last output column, typed BIGINT");
    for (int i = 0; i < s->npart; i++)
        if (s->part[i] < 0 || (uint32_t)s->part[i] >= ninput)
            return err_msg("Rank: partition column %d is outside the %u input columns", s->part[i], ninput);
    for (int i = 0; i < s->norder; i++)
        if (s->order[i].col < 0 || (uint32_t)s->order[i].col >= ninput)
            return err_msg("Rank: order column %d is outside the %u input columns", s->order[i].col, ninput);
    return 0;
}

op_t *rank_new(exec_ctx *ctx, const schema_t *out, const rank_spec *spec)
{
    if (check_spec(out, spec) < 0) return NULL;
    rank_op *rk = xcalloc(1, sizeof *rk);
    op_init(&rk->op, &rank_vt, ctx, out, 1);
    rk->mode = choose_mode(spec, out);
    rk->npart = spec->npart;
    rk->part_cols = xcalloc(spec->npart ? spec->npart : 1, sizeof *rk->part_cols);
    memcpy(rk->part_cols, spec->part, (size_t)spec->npart * sizeof *spec->part);
    rk->norder = spec->norder;
    rk->order = xcalloc(spec->norder ? spec->norder : 1, sizeof *rk->order);
    memcpy(rk->order, spec->order, (size_t)spec->norder * sizeof *spec->order);
    rk->limit = spec->limit;
    rk->output_rn = spec->output_rn;
    rk->input_updates = spec->input_updates;
    rk->ninput = out->ncols - (spec->output_rn ? 1 : 0);
    hmap_init(&rk->parts);
    rowkey_buf_init(&rk->key);
    rk->pool.ncols = rk->ninput;
    rk->pool.types = rk->op.schema.types;
    rk->out = chunk_new(out, CHUNK_CAP);
    return &rk->op;
}
