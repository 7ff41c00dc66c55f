/* window_rank.c - WindowRank: window Top-N (ROW_NUMBER over the rows of one window and
 * partition, filtered to rn <= N), fired by the watermark, insert-only output.
 *
 * A row's window is identified by its window_end column, a TIMESTAMP reading; with
 * spec->window_ltz it is a reading in the session zone (ctx->local_tz) and the window is
 * complete when the watermark reaches utc(window_end) - 1 ms, otherwise when it reaches
 * window_end - 1 ms (Flink's window.maxTimestamp()).
 *
 * State: a hash map from window end to a window, holding a hash index (base/hashmap.h hidx)
 * of its partitions by encoded partition key (data/rowkey.h); a partition holds its best N
 * rows so far, sorted by the order keys with ties in arrival order (a row tied with the last
 * of a full top N does not enter, as Flink's TopNBuffer). Rows are copied with their string
 * bytes into a row pool (ops/rowpool.h). A min-heap orders windows by completion time.
 *
 * Per row the work is small when most rows do not enter: a chunk whose rows all share one
 * window and partition (the usual output of a window aggregation) looks its partition up
 * once, other chunks reuse the partition of the previous row while it matches; a full
 * partition keeps its N-th row's first order key as a bar (BIGINT-like keys), and a row
 * strictly below the bar is rejected without touching the stored rows.
 *
 * Firing: on a watermark every complete window emits, in window-end order, its partitions
 * in ascending order of their partition key values (NULL first), each partition's rows in
 * rank order as +I (with rn 1..N when the row number is output); then its state is dropped
 * and the watermark forwarded. A row whose window already fired is late: counted in
 * op->stats.late and dropped. finish() fires the windows that are still open (input without
 * a final watermark). Input must be insert-only.
 *
 * Checkpoint: u8 version, i64 watermark, i64 watermark sent, u32 nwindows, per window i64
 * end, u32 npartitions, per partition u32 nrows and each row's column values in rank order. */
#include "ops/ops.h"
#include "ops/rowpool.h"
#include "data/rowkey.h"
#include "base/hashmap.h"
#include "base/util.h"
#include "base/err.h"
#include <stdlib.h>

#define SNAP_VERSION 1

/* ---- state ---- */

typedef struct wpart {
    uint64_t hash;
    uint32_t klen;
    uint32_t len, cap;        /* rows held (at most limit), room in rows */
    uint32_t *rows;           /* row references in rank order */
    int64_t bar;              /* full partition: first order key of its N-th row */
    int has_bar;              /* bar is set (full, and that key is a non-NULL integer) */
    uint8_t key[];            /* encoded partition key */
} wpart;

typedef struct rwindow {
    int64_t end;
    hidx_t parts;             /* wpart* by the hash of the encoded partition key */
} rwindow;

typedef struct fire_entry {
    int64_t fire_at;
    int64_t end;
    rwindow *win;
} fire_entry;

typedef struct window_rank {
    op_t op;
    int *part_cols;
    int npart;
    sort_key *order;
    int norder;
    uint32_t limit;
    int output_rn;
    int end_col;
    int ltz;
    const tz_t *tz;
    uint32_t ninput;
    int bar_col;              /* first order key column when it is integer-like, else -1 */
    hmap_t windows;           /* i64 end -> rwindow* */
    VEC(fire_entry) heap;
    row_pool pool;
    rwindow *last_win;        /* lookup cache */
    rowkey_buf key;           /* the partition key being looked up */
    VEC(struct part_order) firing;
    chunk_t *out;
} window_rank;

static window_rank *wrank(op_t *op) { return (window_rank *)op; }

static const chunk_t *ref_chunk(const window_rank *wr, uint32_t ref) { return rowpool_chunk(&wr->pool, ref); }
static uint32_t ref_row(uint32_t ref) { return rowpool_row(ref); }

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

static int cmp_order(const window_rank *wr, const chunk_t *a, uint32_t ra, const chunk_t *b, uint32_t rb)
{
    for (int k = 0; k < wr->norder; k++) {
        const sort_key *sk = &wr->order[k];
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

/* Partitions in ascending order of their key values, NULL first. */
static int cmp_partitions(const window_rank *wr, const wpart *a, const wpart *b)
{
    const chunk_t *ca = ref_chunk(wr, a->rows[0]), *cb = ref_chunk(wr, b->rows[0]);
    uint32_t ra = ref_row(a->rows[0]), rb = ref_row(b->rows[0]);
    for (int k = 0; k < wr->npart; k++) {
        const vector_t *va = &ca->cols[wr->part_cols[k]], *vb = &cb->cols[wr->part_cols[k]];
        if (va->nulls[ra] || vb->nulls[rb]) {
            if (va->nulls[ra] != vb->nulls[rb]) return va->nulls[ra] ? -1 : 1;
            continue;
        }
        int c = cmp_value(va, ra, vb, rb);
        if (c) return c;
    }
    return 0;
}

/* ---- windows ---- */

static int64_t fire_time(const window_rank *wr, int64_t end)
{
    if (end == TS_MAX || end == TS_MIN) return end;
    return (wr->ltz ? tz_local_to_utc(wr->tz, end) : end) - US_PER_MS;
}

static int fire_before(const fire_entry *a, const fire_entry *b)
{
    return a->fire_at != b->fire_at ? a->fire_at < b->fire_at : a->end < b->end;
}

static void heap_swap(fire_entry *h, size_t a, size_t b) { fire_entry t = h[a]; h[a] = h[b]; h[b] = t; }

static void heap_push(window_rank *wr, fire_entry e)
{
    VEC_PUSH(wr->heap, e);
    fire_entry *h = wr->heap.items;
    for (size_t i = wr->heap.len - 1; i && fire_before(&h[i], &h[(i - 1) / 2]); i = (i - 1) / 2)
        heap_swap(h, i, (i - 1) / 2);
}

static fire_entry heap_pop(window_rank *wr)
{
    fire_entry *h = wr->heap.items;
    fire_entry top = h[0];
    h[0] = h[--wr->heap.len];
    for (size_t i = 0, n = wr->heap.len;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && fire_before(&h[l], &h[m])) m = l;
        if (l + 1 < n && fire_before(&h[l + 1], &h[m])) m = l + 1;
        if (m == i) break;
        heap_swap(h, i, m);
        i = m;
    }
    return top;
}

static uint64_t end_hash(int64_t end) { return hash_bytes(&end, sizeof end); }

static rwindow *window_create(window_rank *wr, int64_t end)
{
    rwindow *win = xcalloc(1, sizeof *win);
    win->end = end;
    hidx_init(&win->parts);
    *hmap_put(&wr->windows, &end, sizeof end, end_hash(end), NULL) = win;
    heap_push(wr, (fire_entry){fire_time(wr, end), end, win});
    return win;
}

/* The open window ending at end, created on first use; NULL when it already fired. */
static rwindow *window_for(window_rank *wr, int64_t end)
{
    if (wr->last_win && wr->last_win->end == end) return wr->last_win;
    void **slot = hmap_get(&wr->windows, &end, sizeof end, end_hash(end));
    rwindow *win = slot ? *slot : NULL;
    if (!win) {
        if (fire_time(wr, end) <= wr->op.wm) return NULL;
        win = window_create(wr, end);
    }
    wr->last_win = win;
    return win;
}

static void window_free(window_rank *wr, rwindow *win)
{
    wpart *p;
    for (size_t pos = 0; (p = hidx_next(&win->parts, &pos));) {
        for (uint32_t i = 0; i < p->len; i++) rowpool_release(&wr->pool, p->rows[i]);
        free(p->rows);
        free(p);
    }
    hidx_free(&win->parts);
    if (wr->last_win == win) wr->last_win = NULL;
    free(win);
}

static wpart *part_for(window_rank *wr, rwindow *win, const chunk_t *c, uint32_t r)
{
    uint32_t klen = rowkey_encode(&wr->key, c, r, wr->part_cols, wr->npart);
    const uint8_t *key = wr->key.bytes;
    uint64_t hash = hash_bytes(key, klen);
    wpart *p;
    for (size_t pos = hidx_first(&win->parts, hash); (p = hidx_match(&win->parts, hash, &pos));)
        if (p->klen == klen && memcmp(p->key, key, klen) == 0) return p;
    p = xcalloc(1, sizeof *p + klen);
    p->hash = hash;
    p->klen = klen;
    memcpy(p->key, key, klen);
    p->cap = wr->limit < 8 ? wr->limit + 1 : 8;
    p->rows = xmalloc(p->cap * sizeof *p->rows);
    hidx_add(&win->parts, hash, p);
    return p;
}

/* Rows a and b of c have equal partition values (NULLs equal, doubles as in the key encoding). */
static int same_partition(const window_rank *wr, const chunk_t *c, uint32_t a, uint32_t b)
{
    for (int k = 0; k < wr->npart; k++) {
        const vector_t *v = &c->cols[wr->part_cols[k]];
        if (v->nulls[a] != v->nulls[b]) return 0;
        if (v->nulls[a]) continue;
        switch (type_phys(v->type)) {
        case PHYS_I64:
            if (v->i64[a] != v->i64[b]) return 0;
            break;
        case PHYS_F64:
            if (cmp_double(v->f64[a], v->f64[b])) return 0;
            break;
        default:
            if (!str_eq(&v->str[a], &v->str[b])) return 0;
            break;
        }
    }
    return 1;
}

static void part_set_bar(const window_rank *wr, wpart *p)
{
    p->has_bar = 0;
    if (wr->bar_col < 0 || p->len < wr->limit) return;
    uint32_t last = p->rows[p->len - 1];
    const vector_t *v = &ref_chunk(wr, last)->cols[wr->bar_col];
    if (v->nulls[ref_row(last)]) return;
    p->bar = v->i64[ref_row(last)];
    p->has_bar = 1;
}

/* Keep the row when it ranks within the limit; ties rank after the rows already there. */
static void part_offer(window_rank *wr, wpart *p, const chunk_t *c, uint32_t r)
{
    if (p->len == wr->limit) {
        uint32_t last = p->rows[p->len - 1];
        if (cmp_order(wr, c, r, ref_chunk(wr, last), ref_row(last)) >= 0) return;
    }
    uint32_t lo = 0, hi = p->len;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint32_t ref = p->rows[mid];
        if (cmp_order(wr, c, r, ref_chunk(wr, ref), ref_row(ref)) >= 0) lo = mid + 1;
        else hi = mid;
    }
    if (lo >= wr->limit) return;
    if (p->len == wr->limit) {
        rowpool_release(&wr->pool, p->rows[--p->len]);
    } else if (p->len == p->cap) {
        p->cap *= 2;
        p->rows = xrealloc(p->rows, p->cap * sizeof *p->rows);
    }
    memmove(&p->rows[lo + 1], &p->rows[lo], (p->len - lo) * sizeof *p->rows);
    p->rows[lo] = rowpool_add(&wr->pool, c, r, NULL, OP_INSERT);
    p->len++;
    part_set_bar(wr, p);
}

/* The row ranks strictly below a full partition's N-th row on the first order key. */
static int below_bar(const window_rank *wr, const wpart *p, const chunk_t *c, uint32_t r)
{
    const vector_t *v = &c->cols[wr->bar_col];
    if (!p->has_bar || v->nulls[r]) return 0;
    return wr->order[0].desc ? v->i64[r] < p->bar : v->i64[r] > p->bar;
}

/* ---- output ---- */

static int flush_out(window_rank *wr)
{
    int rc = op_emit(&wr->op, wr->out);
    chunk_reset(wr->out);
    return rc;
}

static int emit_part(window_rank *wr, const wpart *p)
{
    for (uint32_t i = 0; i < p->len; i++) {
        if (chunk_full(wr->out) && flush_out(wr) < 0) return -1;
        chunk_t *o = wr->out;
        const chunk_t *src = ref_chunk(wr, p->rows[i]);
        uint32_t sr = ref_row(p->rows[i]), r = o->nrows++;
        o->ops[r] = OP_INSERT;
        for (uint32_t col = 0; col < wr->ninput; col++)
            vector_copy_row(&o->cols[col], r, &src->cols[col], sr, &o->arena);
        if (wr->output_rn) {
            o->cols[wr->ninput].nulls[r] = 0;
            o->cols[wr->ninput].i64[r] = (int64_t)i + 1;
        }
    }
    return 0;
}

typedef struct part_order {   /* a partition being sorted for output */
    const window_rank *wr;
    wpart *part;
} part_order;

static int part_order_cmp(const void *a, const void *b)
{
    const part_order *x = a, *y = b;
    return cmp_partitions(x->wr, x->part, y->part);
}

static int window_emit(window_rank *wr, rwindow *win)
{
    wr->firing.len = 0;
    wpart *p;
    for (size_t pos = 0; (p = hidx_next(&win->parts, &pos));) VEC_PUSH(wr->firing, ((part_order){wr, p}));
    if (wr->firing.len) qsort(wr->firing.items, wr->firing.len, sizeof *wr->firing.items, part_order_cmp);
    for (size_t i = 0; i < wr->firing.len; i++)
        if (emit_part(wr, wr->firing.items[i].part) < 0) return -1;
    return 0;
}

static int fire_due(window_rank *wr, int64_t limit)
{
    int rc = 0;
    while (rc == 0 && wr->heap.len && wr->heap.items[0].fire_at <= limit) {
        fire_entry e = heap_pop(wr);
        rc = window_emit(wr, e.win);
        hmap_del(&wr->windows, &e.end, sizeof e.end, end_hash(e.end));
        window_free(wr, e.win);
    }
    if (flush_out(wr) < 0) return -1;
    return rc;
}

/* ---- operator callbacks ---- */

/* Column v holds the same value (or NULL) in every live row of c. */
static int column_uniform(const vector_t *v, const chunk_t *c, uint32_t n)
{
    uint32_t r0 = chunk_row(c, 0);
    if (!c->sel && type_phys(v->type) == PHYS_I64 && !v->nulls[0]) {
        /* the usual case, branch-free: no NULL and one value */
        uint64_t x = (uint64_t)v->i64[0], d0 = 0, d1 = 0, n0 = 0, n1 = 0;
        uint32_t i = 0;
        for (; i + 2 <= n; i += 2) {
            d0 |= (uint64_t)v->i64[i] ^ x;
            d1 |= (uint64_t)v->i64[i + 1] ^ x;
            n0 |= v->nulls[i];
            n1 |= v->nulls[i + 1];
        }
        for (; i < n; i++) {
            d0 |= (uint64_t)v->i64[i] ^ x;
            n0 |= v->nulls[i];
        }
        return (d0 | d1 | n0 | n1) == 0;
    }
    for (uint32_t i = 1; i < n; i++)
        if (v->nulls[chunk_row(c, i)] != v->nulls[r0]) return 0;
    if (v->nulls[r0]) return 1;
    switch (type_phys(v->type)) {
    case PHYS_I64:
        for (uint32_t i = 1; i < n; i++)
            if (v->i64[chunk_row(c, i)] != v->i64[r0]) return 0;
        return 1;
    case PHYS_F64:
        for (uint32_t i = 1; i < n; i++)
            if (cmp_double(v->f64[chunk_row(c, i)], v->f64[r0])) return 0;
        return 1;
    default:
        for (uint32_t i = 1; i < n; i++)
            if (!str_eq(&v->str[chunk_row(c, i)], &v->str[r0])) return 0;
        return 1;
    }
}

static int check_rows(const window_rank *wr, const chunk_t *in, uint32_t n)
{
    const vector_t *ends = &in->cols[wr->end_col];
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = chunk_row(in, i);
        if (in->ops[r] != OP_INSERT)
            return err_msg("WindowRank: the input must be insert-only but a %s row arrived", row_op_names[in->ops[r]]);
        if (ends->nulls[r]) return err_msg("WindowRank: window_end (input column %d) is NULL", wr->end_col);
    }
    return 0;
}

/* Every live row has the same window and partition: one lookup for the chunk. */
static void push_uniform(window_rank *wr, const chunk_t *in, uint32_t n)
{
    uint32_t r0 = chunk_row(in, 0);
    rwindow *win = window_for(wr, in->cols[wr->end_col].i64[r0]);
    if (!win) {
        wr->op.stats.late += n;
        return;
    }
    wpart *p = part_for(wr, win, in, r0);
    const vector_t *key = wr->bar_col >= 0 ? &in->cols[wr->bar_col] : NULL;
    int desc = wr->norder && wr->order[0].desc;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = chunk_row(in, i);
        if (p->has_bar && !key->nulls[r] && (desc ? key->i64[r] < p->bar : key->i64[r] > p->bar)) continue;
        part_offer(wr, p, in, r);
    }
}

static void push_rows(window_rank *wr, const chunk_t *in, uint32_t n)
{
    const vector_t *ends = &in->cols[wr->end_col];
    wpart *prev = NULL;               /* partition of row prev_r */
    uint32_t prev_r = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = chunk_row(in, i);
        rwindow *win = window_for(wr, ends->i64[r]);
        if (!win) {
            wr->op.stats.late++;
            continue;
        }
        if (!prev || ends->i64[r] != ends->i64[prev_r] || !same_partition(wr, in, r, prev_r))
            prev = part_for(wr, win, in, r);
        prev_r = r;
        if (!below_bar(wr, prev, in, r)) part_offer(wr, prev, in, r);
    }
}

static int wr_push(op_t *op, int port, chunk_t *in)
{
    (void)port;
    window_rank *wr = wrank(op);
    uint32_t n = chunk_live(in);
    if (!n) return 0;
    if (check_rows(wr, in, n) < 0) return -1;
    int uniform = column_uniform(&in->cols[wr->end_col], in, n);
    for (int k = 0; k < wr->npart && uniform; k++) uniform = column_uniform(&in->cols[wr->part_cols[k]], in, n);
    if (uniform) push_uniform(wr, in, n);
    else push_rows(wr, in, n);
    return 0;
}

static int wr_watermark(op_t *op, int64_t wm)
{
    if (fire_due(wrank(op), wm) < 0) return -1;
    return op_emit_watermark(op, wm);
}

static int wr_finish(op_t *op) { return fire_due(wrank(op), TS_MAX); }

/* ---- checkpoint ---- */

static int wr_snapshot(op_t *op, snap_writer *w)
{
    window_rank *wr = wrank(op);
    snap_put_u8(w, SNAP_VERSION);
    snap_put_i64(w, op->wm);
    snap_put_i64(w, op->wm_out);
    snap_put_u32(w, (uint32_t)wr->windows.len);
    hmap_entry *e;
    wpart *p;
    for (size_t pos = 0; hmap_next(&wr->windows, &pos, &e);) {
        rwindow *win = e->val;
        snap_put_i64(w, win->end);
        snap_put_u32(w, (uint32_t)win->parts.len);
        for (size_t pp = 0; (p = hidx_next(&win->parts, &pp));) {
            snap_put_u32(w, p->len);
            for (uint32_t i = 0; i < p->len; i++) {
                const chunk_t *c = ref_chunk(wr, p->rows[i]);
                for (uint32_t col = 0; col < wr->ninput; col++) {
                    value_t v;
                    vector_get(&c->cols[col], ref_row(p->rows[i]), &v);
                    snap_put_value(w, c->cols[col].type, &v);
                }
            }
        }
    }
    return 0;
}

static int wr_restore(op_t *op, snap_reader *r)
{
    window_rank *wr = wrank(op);
    uint8_t version = snap_get_u8(r);
    if (!r->failed && version != SNAP_VERSION)
        return err_msg("WindowRank: snapshot version %u, expected %u", version, SNAP_VERSION);
    op->wm = snap_get_i64(r);
    op->wm_out = snap_get_i64(r);
    for (int i = 0; i < op->nin; i++) op->in_wm[i] = op->wm;
    chunk_t *row = chunk_new_types(wr->ninput, op->schema.types, 1);
    uint32_t nwin = snap_get_u32(r);
    for (uint32_t i = 0; i < nwin && !r->failed; i++) {
        rwindow *win = window_create(wr, snap_get_i64(r));
        uint32_t nparts = snap_get_u32(r);
        for (uint32_t j = 0; j < nparts && !r->failed; j++) {
            uint32_t len = snap_get_u32(r);
            for (uint32_t k = 0; k < len && !r->failed; k++) {
                chunk_reset(row);
                row->nrows = 1;
                for (uint32_t col = 0; col < wr->ninput; col++) {
                    value_t v;
                    snap_get_value(r, row->cols[col].type, &v, &row->arena);
                    vector_set(&row->cols[col], 0, &v, NULL);
                }
                if (!r->failed) part_offer(wr, part_for(wr, win, row, 0), row, 0);
            }
        }
    }
    chunk_free(row);
    return snap_check(r, "WindowRank");
}

/* ---- explain / destroy ---- */

static void wr_explain(op_t *op, sb_t *out)
{
    window_rank *wr = wrank(op);
    char **names = op->schema.names;
    sb_printf(out, "window_end=%s%s, partition=[", names[wr->end_col], wr->ltz ? " (local time)" : "");
    for (int i = 0; i < wr->npart; i++) sb_printf(out, "%s%s", i ? ", " : "", names[wr->part_cols[i]]);
    sb_puts(out, "], order=[");
    for (int i = 0; i < wr->norder; i++)
        sb_printf(out, "%s%s %s NULLS %s", i ? ", " : "", names[wr->order[i].col], wr->order[i].desc ? "DESC" : "ASC",
                  wr->order[i].nulls_first ? "FIRST" : "LAST");
    sb_printf(out, "], limit=%u, rn=%s", wr->limit, wr->output_rn ? "output" : "hidden");
}

static void wr_destroy(op_t *op)
{
    window_rank *wr = wrank(op);
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&wr->windows, &pos, &e);) window_free(wr, e->val);
    hmap_free(&wr->windows);
    rowpool_free(&wr->pool);
    VEC_FREE(wr->heap);
    VEC_FREE(wr->firing);
    chunk_free(wr->out);
    free(wr->part_cols);
    free(wr->order);
    rowkey_buf_free(&wr->key);
    free(wr);
}

static const op_vtable window_rank_vt = {
    .name = "WindowRank",
    .push = wr_push,
    .watermark = wr_watermark,
    .finish = wr_finish,
    .snapshot = wr_snapshot,
    .restore = wr_restore,
    .explain = wr_explain,
    .destroy = wr_destroy,
};

/* ---- construction ---- */

static int check_spec(const schema_t *out, const rank_spec *s, int end_col)
{
    uint32_t ninput = out->ncols - (s->output_rn ? 1 : 0);
    if (s->limit < 1 || s->limit > UINT32_MAX)
        return err_msg("WindowRank: the row-number limit must be between 1 and %u, got %lld", UINT32_MAX,
                       (long long)s->limit);
    if (s->output_rn && (out->ncols < 1 || out->types[ninput].id != TY_BIGINT))
        return err_msg("WindowRank: the row number must be the last output column, typed BIGINT");
    if (end_col < 0 || (uint32_t)end_col >= ninput || out->types[end_col].id != TY_TIMESTAMP)
        return err_msg("WindowRank: window_end column %d is not a TIMESTAMP input column", end_col);
    for (int i = 0; i < s->npart; i++)
        if (s->part[i] < 0 || (uint32_t)s->part[i] >= ninput)
            return err_msg("WindowRank: partition column %d is outside the %u input columns", s->part[i], ninput);
    for (int i = 0; i < s->norder; i++)
        if (s->order[i].col < 0 || (uint32_t)s->order[i].col >= ninput)
            return err_msg("WindowRank: order column %d is outside the %u input columns", s->order[i].col, ninput);
    return 0;
}

op_t *window_rank_new(exec_ctx *ctx, const schema_t *out, const rank_spec *spec, int window_end_col)
{
    if (check_spec(out, spec, window_end_col) < 0) return NULL;
    window_rank *wr = xcalloc(1, sizeof *wr);
    op_init(&wr->op, &window_rank_vt, ctx, out, 1);
    wr->npart = spec->npart;
    wr->part_cols = xcalloc(spec->npart ? spec->npart : 1, sizeof *wr->part_cols);
    memcpy(wr->part_cols, spec->part, (size_t)spec->npart * sizeof *spec->part);
    wr->norder = spec->norder;
    wr->order = xcalloc(spec->norder ? spec->norder : 1, sizeof *wr->order);
    memcpy(wr->order, spec->order, (size_t)spec->norder * sizeof *spec->order);
    wr->limit = (uint32_t)spec->limit;
    wr->output_rn = spec->output_rn;
    wr->end_col = window_end_col;
    wr->ltz = spec->window_ltz;
    wr->tz = ctx->local_tz ? ctx->local_tz : tz_default();
    wr->ninput = out->ncols - (spec->output_rn ? 1 : 0);
    hmap_init(&wr->windows);
    rowkey_buf_init(&wr->key);
    rowpool_init(&wr->pool, wr->ninput, wr->op.schema.types);
    wr->bar_col = spec->norder && type_phys(out->types[spec->order[0].col]) == PHYS_I64 ? spec->order[0].col : -1;
    wr->out = chunk_new(out, CHUNK_CAP);
    return &wr->op;
}
