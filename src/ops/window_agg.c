/* window_agg.c - WindowAggregate: the window TVFs (TUMBLE, HOP, CUMULATE) and the legacy
 * GROUP BY TUMBLE/HOP/SESSION windows, in event time or processing time.
 *
 * Times. Windows live in the "reading" of the time attribute: a TIMESTAMP's own value, or
 * for a TIMESTAMP_LTZ the wall clock of the session zone (ctx->local_tz), so that a 1-day
 * window starts at local midnight. A window [start, end) is complete when the watermark
 * reaches fire_at = utc(end) - 1 ms (Flink's window.maxTimestamp(); utc() is the identity
 * for TIMESTAMP), or for processing-time windows when the clock reaches utc(end).
 *
 * Assignment. TUMBLE: start = floor((t - offset) / size) * size + offset. HOP: every window
 * of `size` starting at a multiple of slide (+ offset) that contains t, ceil(size / slide) of
 * them. CUMULATE: [p, p + k * step) for every k whose end is past t, p being the size-aligned
 * period start. SESSION: a row opens [t, t + gap) and merges with every session of its key
 * it intersects (touching counts, as Flink's TimeWindow.intersects).
 *
 * State of TUMBLE/HOP/CUMULATE: a hash map from window end to a window, which holds a hash
 * map from encoded group key to the group's aggregate block (expr/agg.h; blocks carved from
 * the window's arena). A chunk is processed with one agg_block_update per window index k
 * (k < windows per row): blocks[i] is row i's k-th window's group, or a scratch "discard"
 * block for rows without a k-th window or whose k-th window already fired. The aggregate API
 * has no merge, so HOP/CUMULATE update every window of a row rather than shared slices.
 *
 * State of SESSION: per key, its open sessions (disjoint, sorted) and the rows they hold,
 * copied (only the columns the aggregates read) into a pool of chunk pages. Merging two
 * sessions needs no accumulator merge because the aggregates are computed from the stored
 * rows when the session fires.
 *
 * Firing. A min-heap orders the pending windows/sessions by (fire_at, end). On a watermark
 * (or a clock tick for processing time) every due window is emitted insert-only, in order of
 * window end, and within one end in order of the encoded key bytes. The key encoding is
 * order-preserving (NULL first, then ascending values), so that order is the key values'
 * order: deterministic output. Then the state is freed and the watermark forwarded.
 *
 * Late rows: a row is dropped only from assignments whose window already fired (for HOP and
 * CUMULATE the others still count it); it is counted in op->stats.late when every one of its
 * windows was dropped. A session row is late when its own window [t, t + gap) is complete
 * and it merges with no open session.
 *
 * Output: key columns, aggregate results, then the requested properties: window_start,
 * window_end (readings; turned back into instants when the output column is TIMESTAMP_LTZ),
 * window_time = end - 1 ms with the type of the output column, proctime = the clock.
 *
 * Checkpoint: u8 version, i64 watermark, i64 watermark sent, then for fixed windows u32
 * nwindows and per window i64 start, i64 end, u32 ngroups, per group the key bytes and
 * agg_block_snapshot; for sessions u32 nkeys and per key the key bytes, u32 nsessions with
 * i64 start/end each, u32 nrows with i64 time, u8 op and the stored column values each. */
#include "ops/ops.h"
#include "base/hashmap.h"
#include "base/util.h"
#include "base/err.h"
#include "base/civil.h"
#include <stdlib.h>

#define SNAP_VERSION 1
#define PAGE_ROWS CHUNK_CAP

/* ---- chunk pages holding copied rows (sessions) ---- */

typedef struct row_pool {
    uint32_t ncols;
    type_t *types;
    VEC(chunk_t *) pages;
    VEC(uint32_t) live;       /* live rows per page */
    VEC(uint32_t) spare;      /* empty pages ready for reuse */
    uint32_t cur;             /* page being filled */
} row_pool;

static void pool_init(row_pool *p, uint32_t ncols, const type_t *types)
{
    memset(p, 0, sizeof *p);
    p->ncols = ncols;
    p->types = xcalloc(ncols ? ncols : 1, sizeof *p->types);
    memcpy(p->types, types, ncols * sizeof *types);
    p->cur = UINT32_MAX;
}

static void pool_free(row_pool *p)
{
    for (size_t i = 0; i < p->pages.len; i++) chunk_free(p->pages.items[i]);
    VEC_FREE(p->pages);
    VEC_FREE(p->live);
    VEC_FREE(p->spare);
    free(p->types);
}

static uint32_t pool_page_for_append(row_pool *p)
{
    if (p->cur != UINT32_MAX && !chunk_full(p->pages.items[p->cur])) return p->cur;
    if (p->spare.len) {
        p->cur = p->spare.items[--p->spare.len];
    } else {
        VEC_PUSH(p->pages, chunk_new_types(p->ncols, p->types, PAGE_ROWS));
        VEC_PUSH(p->live, 0);
        p->cur = (uint32_t)p->pages.len - 1;
    }
    return p->cur;
}

/* Copy columns cols[0..ncols-1] of src's row into the pool; returns the row's reference. */
static uint32_t pool_add(row_pool *p, const chunk_t *src, uint32_t row, const int *cols, uint8_t op)
{
    uint32_t pg = pool_page_for_append(p);
    chunk_t *c = p->pages.items[pg];
    uint32_t r = c->nrows++;
    c->ops[r] = op;
    for (uint32_t j = 0; j < p->ncols; j++)
        vector_copy_row(&c->cols[j], r, &src->cols[cols[j]], row, &c->arena);
    p->live.items[pg]++;
    return pg * PAGE_ROWS + r;
}

static chunk_t *pool_page(const row_pool *p, uint32_t ref) { return p->pages.items[ref / PAGE_ROWS]; }

static void pool_release(row_pool *p, uint32_t ref)
{
    uint32_t pg = ref / PAGE_ROWS;
    if (--p->live.items[pg] == 0 && pg != p->cur) {
        chunk_reset(p->pages.items[pg]);
        VEC_PUSH(p->spare, pg);
    }
}

/* ---- state ---- */

typedef struct window {
    int64_t start, end;       /* [start, end) in the reading */
    hmap_t groups;            /* encoded key -> aggregate block */
    arena_t blocks;
} window_t;

typedef struct session {
    int64_t start, end;
} session_t;

typedef struct session_row {
    int64_t t;                /* reading */
    uint32_t ref;             /* row in the pool */
} session_row;

typedef struct session_key {
    VEC(session_t) sessions;  /* open sessions, disjoint, sorted by start */
    VEC(session_row) rows;    /* rows of the open sessions */
    uint32_t heap_refs;       /* fire-queue entries naming this key */
    uint32_t klen;
    uint64_t hash;
    uint8_t key[];            /* encoded key */
} session_key;

typedef struct fire_entry {
    int64_t fire_at;
    int64_t end;
    int64_t start;            /* sessions: identifies the session */
    void *target;             /* window_t* or session_key* */
} fire_entry;

typedef struct group_ref {    /* a group about to be emitted */
    const uint8_t *key;
    uint32_t klen;
    void *block;
    int64_t start, end;
    session_key *sk;
} group_ref;

typedef struct window_agg {
    op_t op;
    window_spec w;
    int ltz;                  /* windows in the session zone's reading */
    const tz_t *tz;
    int *keys;
    int nkeys;
    agg_call *calls;          /* sessions: copies reading the pool's column layout */
    agg_set aggs;
    window_prop *props;
    int nprops;
    int64_t max_windows;      /* windows per row */
    hmap_t windows;           /* i64 end -> window_t* */
    hmap_t skeys;             /* encoded key -> session_key* */
    VEC(fire_entry) heap;
    row_pool pool;            /* session rows */
    int *scols;               /* input column of each pool column */
    /* per-chunk scratch */
    chunk_t *dense;           /* live rows of a chunk with a selection vector (views) */
    chunk_t *batch;           /* a session's rows gathered for agg_block_update */
    int64_t *times;
    uint32_t *koff;
    uint64_t *khash;
    uint8_t *kbuf;
    size_t kcap;
    void **blocks;
    uint32_t *assigned;
    uint32_t *dropped;
    void *discard;            /* block that absorbs updates of unassigned rows */
    void *sblock;             /* block of a firing session */
    window_t *last_win;       /* lookup cache */
    VEC(group_ref) firing;
    chunk_t *out;
    value_t *vals;
} window_agg;

static window_agg *wagg(op_t *op) { return (window_agg *)op; }

/* ---- times ---- */

static int64_t to_clock(const window_agg *wa, int64_t reading)
{
    if (!wa->ltz || reading == TS_MAX || reading == TS_MIN) return reading;
    return tz_local_to_utc(wa->tz, reading);
}

static int64_t to_reading(const window_agg *wa, int64_t utc)
{
    return wa->ltz ? tz_utc_to_local(wa->tz, utc) : utc;
}

/* The watermark (event time) or clock (processing time) value that completes a window. */
static int64_t fire_time(const window_agg *wa, int64_t end)
{
    int64_t c = to_clock(wa, end);
    return wa->w.proctime ? c : c - US_PER_MS;
}

static int window_is_late(const window_agg *wa, int64_t end)
{
    return !wa->w.proctime && fire_time(wa, end) <= wa->op.wm;
}

static int64_t clock_now(const window_agg *wa)
{
    return wa->op.ctx->now_us ? wa->op.ctx->now_us() : ctx_wall_clock_us();
}

/* Row i's k-th window; 0 when it has none. */
static int window_k(const window_agg *wa, int64_t t, int64_t k, int64_t *start, int64_t *end)
{
    const window_spec *w = &wa->w;
    switch (w->kind) {
    case WIN_TUMBLE:
        if (k) return 0;
        *start = floor_div(t - w->offset_us, w->size_us) * w->size_us + w->offset_us;
        *end = *start + w->size_us;
        return 1;
    case WIN_HOP: {
        int64_t last = floor_div(t - w->offset_us, w->slide_us) * w->slide_us + w->offset_us;
        *start = last - k * w->slide_us;
        *end = *start + w->size_us;
        return *end > t;
    }
    case WIN_CUMULATE: {
        int64_t period = floor_div(t - w->offset_us, w->size_us) * w->size_us + w->offset_us;
        *start = period;
        *end = period + (floor_div(t - period, w->slide_us) + 1 + k) * w->slide_us;
        return *end <= period + w->size_us;
    }
    default:
        return 0;
    }
}

/* ---- order-preserving key encoding ----
 * Per column: 0x00 for NULL, else 0x01 and the value: integers as 8 big-endian bytes with the
 * sign bit flipped, doubles as their order-preserving bit pattern, strings as their bytes
 * with 0x00 escaped as 0x00 0xFF and a 0x00 0x00 terminator. memcmp order = value order. */

static void put_u64_be(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) { p[i] = (uint8_t)v; v >>= 8; }
}

static uint64_t get_u64_be(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return v;
}

static uint64_t double_order_bits(double d)
{
    if (d != d) d = __builtin_nan("");
    if (d == 0) d = 0;
    uint64_t u;
    memcpy(&u, &d, 8);
    return (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
}

static double double_from_order_bits(uint64_t u)
{
    u = (u >> 63) ? u & ~(UINT64_C(1) << 63) : ~u;
    double d;
    memcpy(&d, &u, 8);
    return d;
}

static void kbuf_reserve(window_agg *wa, size_t need)
{
    if (need <= wa->kcap) return;
    size_t cap = wa->kcap ? wa->kcap : 4096;
    while (cap < need) cap *= 2;
    wa->kbuf = xrealloc(wa->kbuf, cap);
    wa->kcap = cap;
}

static size_t encode_value(window_agg *wa, size_t at, const vector_t *v, uint32_t row)
{
    if (v->nulls[row]) {
        kbuf_reserve(wa, at + 1);
        wa->kbuf[at] = 0;
        return at + 1;
    }
    if (type_phys(v->type) == PHYS_STR) {
        const str_t *s = &v->str[row];
        const uint8_t *p = (const uint8_t *)str_ptr(s);
        kbuf_reserve(wa, at + 3 + 2 * (size_t)s->len);
        wa->kbuf[at++] = 1;
        for (uint32_t i = 0; i < s->len; i++) {
            wa->kbuf[at++] = p[i];
            if (!p[i]) wa->kbuf[at++] = 0xFF;
        }
        wa->kbuf[at++] = 0;
        wa->kbuf[at++] = 0;
        return at;
    }
    kbuf_reserve(wa, at + 9);
    wa->kbuf[at] = 1;
    uint64_t u = type_phys(v->type) == PHYS_F64 ? double_order_bits(v->f64[row])
                                                : (uint64_t)v->i64[row] ^ (UINT64_C(1) << 63);
    put_u64_be(wa->kbuf + at + 1, u);
    return at + 9;
}

/* Keys of rows 0..n-1 of c into kbuf; row i's key is kbuf[koff[i] .. koff[i+1]). */
static void encode_keys(window_agg *wa, const chunk_t *c, uint32_t n)
{
    size_t at = 0;
    for (uint32_t i = 0; i < n; i++) {
        wa->koff[i] = (uint32_t)at;
        for (int k = 0; k < wa->nkeys; k++) at = encode_value(wa, at, &c->cols[wa->keys[k]], i);
    }
    wa->koff[n] = (uint32_t)at;
    for (uint32_t i = 0; i < n; i++)
        wa->khash[i] = hash_bytes(wa->kbuf + wa->koff[i], wa->koff[i + 1] - wa->koff[i]);
}

/* Write the key's values into row r of out's first nkeys columns (strings into out's arena). */
static void decode_key(const window_agg *wa, const uint8_t *p, chunk_t *out, uint32_t r)
{
    for (int k = 0; k < wa->nkeys; k++) {
        vector_t *v = &out->cols[k];
        value_t val = value_null();
        if (*p++) {
            val.null = 0;
            if (type_phys(v->type) == PHYS_STR) {
                uint32_t len = 0;
                for (const uint8_t *q = p; !(q[0] == 0 && q[1] == 0); q += q[0] ? 1 : 2) len++;
                char *dst = arena_alloc(&out->arena, len ? len : 1);
                for (uint32_t i = 0; i < len; i++) {
                    dst[i] = (char)*p;
                    p += *p ? 1 : 2;
                }
                p += 2;
                val.s = str_view(dst, len);
            } else {
                uint64_t u = get_u64_be(p);
                p += 8;
                if (type_phys(v->type) == PHYS_F64) val.f = double_from_order_bits(u);
                else val.i = (int64_t)(u ^ (UINT64_C(1) << 63));
            }
        }
        vector_set(v, r, &val, NULL);
    }
}

static int key_cmp(const uint8_t *a, uint32_t alen, const uint8_t *b, uint32_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

/* ---- fire queue (binary min-heap on (fire_at, end)) ---- */

static int fire_before(const fire_entry *a, const fire_entry *b)
{
    return a->fire_at != b->fire_at ? a->fire_at < b->fire_at : a->end < b->end;
}

static void heap_push(window_agg *wa, fire_entry e)
{
    VEC_PUSH(wa->heap, e);
    fire_entry *h = wa->heap.items;
    size_t i = wa->heap.len - 1;
    while (i && fire_before(&h[i], &h[(i - 1) / 2])) {
        fire_entry t = h[i]; h[i] = h[(i - 1) / 2]; h[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

static fire_entry heap_pop(window_agg *wa)
{
    fire_entry *h = wa->heap.items;
    fire_entry top = h[0];
    h[0] = h[--wa->heap.len];
    size_t i = 0, n = wa->heap.len;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && fire_before(&h[l], &h[m])) m = l;
        if (r < n && fire_before(&h[r], &h[m])) m = r;
        if (m == i) break;
        fire_entry t = h[i]; h[i] = h[m]; h[m] = t;
        i = m;
    }
    return top;
}

/* ---- output ---- */

static int flush_out(window_agg *wa)
{
    int rc = op_emit(&wa->op, wa->out);
    chunk_reset(wa->out);
    return rc;
}

static int64_t prop_value(window_agg *wa, window_prop p, type_t t, int64_t start, int64_t end)
{
    int as_instant = wa->ltz && t.id == TY_TIMESTAMP_LTZ;
    switch (p) {
    case WP_START: return as_instant ? to_clock(wa, start) : start;
    case WP_END: return as_instant ? to_clock(wa, end) : end;
    case WP_TIME: return (as_instant ? to_clock(wa, end) : end) - US_PER_MS;
    default: {
        int64_t now = clock_now(wa);
        return t.id == TY_TIMESTAMP_LTZ ? now : tz_utc_to_local(wa->tz, now);
    }
    }
}

/* Append one result row; groups whose rows were all retracted produce none. */
static int emit_group(window_agg *wa, const group_ref *g)
{
    if (agg_block_count(g->block) <= 0) return 0;
    if (chunk_full(wa->out) && flush_out(wa) < 0) return -1;
    chunk_t *o = wa->out;
    uint32_t r = o->nrows;
    decode_key(wa, g->key, o, r);
    agg_block_results(&wa->aggs, g->block, wa->vals, &o->arena);
    int col = wa->nkeys;
    for (int j = 0; j < wa->aggs.ncalls; j++, col++) vector_set(&o->cols[col], r, &wa->vals[j], NULL);
    for (int j = 0; j < wa->nprops; j++, col++) {
        value_t v = value_i64(prop_value(wa, wa->props[j], o->cols[col].type, g->start, g->end));
        vector_set(&o->cols[col], r, &v, NULL);
    }
    o->ops[r] = OP_INSERT;
    o->nrows++;
    return 0;
}

static int group_ref_cmp(const void *pa, const void *pb)
{
    const group_ref *a = pa, *b = pb;
    if (a->end != b->end) return a->end < b->end ? -1 : 1;
    int c = key_cmp(a->key, a->klen, b->key, b->klen);
    if (c) return c;
    return (a->start > b->start) - (a->start < b->start);
}

/* ---- TUMBLE / HOP / CUMULATE ---- */

static uint64_t end_hash(int64_t end) { return hash_bytes(&end, sizeof end); }

static window_t *window_create(window_agg *wa, int64_t start, int64_t end)
{
    window_t *win = xcalloc(1, sizeof *win);
    win->start = start;
    win->end = end;
    hmap_init(&win->groups);
    arena_init(&win->blocks, 16 * 1024);
    *hmap_put(&wa->windows, &end, sizeof end, end_hash(end), NULL) = win;
    heap_push(wa, (fire_entry){fire_time(wa, end), end, start, win});
    return win;
}

static void window_free(window_agg *wa, window_t *win)
{
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&win->groups, &pos, &e);) agg_block_destroy(&wa->aggs, e->val);
    hmap_free(&win->groups);
    arena_free(&win->blocks);
    free(win);
}

/* The open window [start, end), created on first use; NULL when it already fired. */
static window_t *window_for(window_agg *wa, int64_t start, int64_t end)
{
    if (wa->last_win && wa->last_win->end == end) return wa->last_win;
    void **slot = hmap_get(&wa->windows, &end, sizeof end, end_hash(end));
    window_t *win = slot ? *slot : NULL;
    if (!win) {
        if (window_is_late(wa, end)) return NULL;
        win = window_create(wa, start, end);
    }
    wa->last_win = win;
    return win;
}

static void *group_block(window_agg *wa, window_t *win, uint32_t i)
{
    int created;
    void **slot = hmap_put(&win->groups, wa->kbuf + wa->koff[i], wa->koff[i + 1] - wa->koff[i],
                           wa->khash[i], &created);
    if (created) {
        *slot = arena_alloc(&win->blocks, wa->aggs.block_size);
        agg_block_init(&wa->aggs, *slot);
    }
    return *slot;
}

static void discard_reset(window_agg *wa)
{
    agg_block_destroy(&wa->aggs, wa->discard);
    agg_block_init(&wa->aggs, wa->discard);
}

static void windows_accumulate(window_agg *wa, const chunk_t *c, uint32_t n)
{
    memset(wa->assigned, 0, n * sizeof *wa->assigned);
    memset(wa->dropped, 0, n * sizeof *wa->dropped);
    for (int64_t k = 0; k < wa->max_windows; k++) {
        uint32_t active = 0, real = 0;
        for (uint32_t i = 0; i < n; i++) {
            int64_t start, end;
            window_t *win = NULL;
            if (window_k(wa, wa->times[i], k, &start, &end)) {
                active++;
                wa->assigned[i]++;
                win = window_for(wa, start, end);
                if (!win) wa->dropped[i]++;
            }
            wa->blocks[i] = win ? group_block(wa, win, i) : wa->discard;
            real += win != NULL;
        }
        if (!active) break;
        if (!real) continue;
        agg_block_update(&wa->aggs, wa->blocks, c, n);
        if (real < n) discard_reset(wa);
    }
    for (uint32_t i = 0; i < n; i++)
        if (wa->assigned[i] && wa->dropped[i] == wa->assigned[i]) wa->op.stats.late++;
}

static int window_emit(window_agg *wa, window_t *win)
{
    wa->firing.len = 0;
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&win->groups, &pos, &e);) {
        group_ref g = {(const uint8_t *)e->key, e->klen, e->val, win->start, win->end, NULL};
        VEC_PUSH(wa->firing, g);
    }
    if (wa->firing.len) qsort(wa->firing.items, wa->firing.len, sizeof *wa->firing.items, group_ref_cmp);
    for (size_t i = 0; i < wa->firing.len; i++)
        if (emit_group(wa, &wa->firing.items[i]) < 0) return -1;
    return 0;
}

static int windows_fire(window_agg *wa, int64_t limit)
{
    while (wa->heap.len && wa->heap.items[0].fire_at <= limit) {
        fire_entry e = heap_pop(wa);
        window_t *win = e.target;
        int rc = window_emit(wa, win);
        hmap_del(&wa->windows, &win->end, sizeof win->end, end_hash(win->end));
        if (wa->last_win == win) wa->last_win = NULL;
        window_free(wa, win);
        if (rc < 0) return -1;
    }
    return 0;
}

/* ---- SESSION ---- */

static session_key *skey_get(window_agg *wa, uint32_t i)
{
    const uint8_t *key = wa->kbuf + wa->koff[i];
    uint32_t klen = wa->koff[i + 1] - wa->koff[i];
    int created;
    void **slot = hmap_put(&wa->skeys, key, klen, wa->khash[i], &created);
    if (created) {
        session_key *sk = xcalloc(1, sizeof *sk + klen);
        sk->klen = klen;
        sk->hash = wa->khash[i];
        memcpy(sk->key, key, klen);
        *slot = sk;
    }
    return *slot;
}

static void skey_drop_if_idle(window_agg *wa, session_key *sk)
{
    if (sk->sessions.len || sk->heap_refs) return;
    hmap_del(&wa->skeys, sk->key, sk->klen, sk->hash);
    VEC_FREE(sk->sessions);
    VEC_FREE(sk->rows);
    free(sk);
}

static void session_schedule(window_agg *wa, session_key *sk, session_t s)
{
    sk->heap_refs++;
    heap_push(wa, (fire_entry){fire_time(wa, s.end), s.end, s.start, sk});
}

/* Merge [t, t + gap) into the key's sessions; 0 when the row is late. */
static int session_add_time(window_agg *wa, session_key *sk, int64_t t)
{
    session_t m = {t, t + wa->w.gap_us};
    size_t lo = 0, n = sk->sessions.len;
    session_t *s = sk->sessions.items;
    while (lo < n && s[lo].end < m.start) lo++;
    size_t hi = lo;
    while (hi < n && s[hi].start <= m.end) {
        if (s[hi].start < m.start) m.start = s[hi].start;
        if (s[hi].end > m.end) m.end = s[hi].end;
        hi++;
    }
    if (hi == lo) {
        if (window_is_late(wa, m.end)) return 0;
        VEC_GROW(sk->sessions, 1);
        s = sk->sessions.items;
        memmove(&s[lo + 1], &s[lo], (n - lo) * sizeof *s);
        s[lo] = m;
        sk->sessions.len++;
        session_schedule(wa, sk, m);
        return 1;
    }
    int unchanged = hi - lo == 1 && s[lo].start == m.start && s[lo].end == m.end;
    s[lo] = m;
    memmove(&s[lo + 1], &s[hi], (n - hi) * sizeof *s);
    sk->sessions.len -= hi - lo - 1;
    if (!unchanged) session_schedule(wa, sk, m);
    return 1;
}

static void sessions_accumulate(window_agg *wa, const chunk_t *c, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        session_key *sk = skey_get(wa, i);
        if (!session_add_time(wa, sk, wa->times[i])) {
            wa->op.stats.late++;
            skey_drop_if_idle(wa, sk);
            continue;
        }
        session_row row = {wa->times[i], pool_add(&wa->pool, c, i, wa->scols, c->ops[i])};
        VEC_PUSH(sk->rows, row);
    }
}

static int session_has(const session_key *sk, int64_t start, int64_t end)
{
    for (size_t i = 0; i < sk->sessions.len; i++)
        if (sk->sessions.items[i].start == start && sk->sessions.items[i].end == end) return 1;
    return 0;
}

/* Aggregate the session's rows into sblock (blocks[] all point at it), release them and
 * forget the session. */
static void session_collect(window_agg *wa, session_key *sk, int64_t start, int64_t end)
{
    agg_block_init(&wa->aggs, wa->sblock);
    chunk_t *b = wa->batch;
    size_t keep = 0;
    for (size_t i = 0; i < sk->rows.len; i++) {
        session_row row = sk->rows.items[i];
        if (row.t < start || row.t >= end) { sk->rows.items[keep++] = row; continue; }
        chunk_t *page = pool_page(&wa->pool, row.ref);
        uint32_t pr = row.ref % PAGE_ROWS;
        uint32_t r = b->nrows++;
        b->ops[r] = page->ops[pr];
        for (uint32_t col = 0; col < b->ncols; col++) vector_copy_row(&b->cols[col], r, &page->cols[col], pr, NULL);
        if (chunk_full(b)) {
            agg_block_update(&wa->aggs, wa->blocks, b, b->nrows);
            b->nrows = 0;
        }
    }
    if (b->nrows) agg_block_update(&wa->aggs, wa->blocks, b, b->nrows);
    b->nrows = 0;
    for (size_t i = 0; i < sk->rows.len; i++) {
        session_row row = sk->rows.items[i];
        if (row.t >= start && row.t < end) pool_release(&wa->pool, row.ref);
    }
    sk->rows.len = keep;
    size_t j = 0;
    for (size_t i = 0; i < sk->sessions.len; i++)
        if (sk->sessions.items[i].start != start) sk->sessions.items[j++] = sk->sessions.items[i];
    sk->sessions.len = j;
}

static int session_ptr_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const group_ref *)a)->sk, y = (uintptr_t)((const group_ref *)b)->sk;
    return (x > y) - (x < y);
}

static int sessions_fire(window_agg *wa, int64_t limit)
{
    VEC(group_ref) touched = {0};
    wa->firing.len = 0;
    while (wa->heap.len && wa->heap.items[0].fire_at <= limit) {
        fire_entry e = heap_pop(wa);
        session_key *sk = e.target;
        sk->heap_refs--;
        group_ref g = {sk->key, sk->klen, wa->sblock, e.start, e.end, sk};
        VEC_PUSH(touched, g);
        if (session_has(sk, e.start, e.end)) VEC_PUSH(wa->firing, g);
    }
    if (wa->firing.len) qsort(wa->firing.items, wa->firing.len, sizeof *wa->firing.items, group_ref_cmp);
    int rc = 0;
    for (size_t i = 0; i < wa->firing.len && rc == 0; i++) {
        group_ref *g = &wa->firing.items[i];
        session_collect(wa, g->sk, g->start, g->end);
        rc = emit_group(wa, g);
        agg_block_destroy(&wa->aggs, wa->sblock);
    }
    if (touched.len) qsort(touched.items, touched.len, sizeof *touched.items, session_ptr_cmp);
    for (size_t i = 0; i < touched.len; i++)
        if (i == 0 || touched.items[i].sk != touched.items[i - 1].sk) skey_drop_if_idle(wa, touched.items[i].sk);
    VEC_FREE(touched);
    return rc;
}

/* ---- operator callbacks ---- */

static int fire_due(window_agg *wa, int64_t limit)
{
    int rc = wa->w.kind == WIN_SESSION ? sessions_fire(wa, limit) : windows_fire(wa, limit);
    if (flush_out(wa) < 0) return -1;
    return rc;
}

/* A dense chunk of the live rows (the input is read-only, so rows are viewed, not moved). */
static const chunk_t *dense_view(window_agg *wa, const chunk_t *in)
{
    if (!in->sel) return in;
    if (!wa->dense || wa->dense->ncols != in->ncols) {
        chunk_free(wa->dense);
        type_t *types = xcalloc(in->ncols ? in->ncols : 1, sizeof *types);
        for (uint32_t c = 0; c < in->ncols; c++) types[c] = in->cols[c].type;
        wa->dense = chunk_new_types(in->ncols, types, CHUNK_CAP);
        free(types);
    }
    chunk_t *d = wa->dense;
    d->nrows = in->nsel;
    for (uint32_t i = 0; i < in->nsel; i++) {
        uint32_t r = in->sel[i];
        d->ops[i] = in->ops[r];
        for (uint32_t c = 0; c < in->ncols; c++) vector_copy_row(&d->cols[c], i, &in->cols[c], r, NULL);
    }
    return d;
}

static int row_times(window_agg *wa, const chunk_t *c, uint32_t n)
{
    if (wa->w.proctime) {
        int64_t now = to_reading(wa, clock_now(wa));
        for (uint32_t i = 0; i < n; i++) wa->times[i] = now;
        return 0;
    }
    const vector_t *v = &c->cols[wa->w.time_col];
    for (uint32_t i = 0; i < n; i++) {
        if (v->nulls[i])
            return err_msg("WindowAggregate: the time attribute (input column %d) is NULL; a rowtime "
                           "must not be NULL", wa->w.time_col);
        wa->times[i] = to_reading(wa, v->i64[i]);
    }
    return 0;
}

static int wa_push(op_t *op, int port, chunk_t *in)
{
    (void)port;
    window_agg *wa = wagg(op);
    if (!chunk_live(in)) return 0;
    const chunk_t *c = dense_view(wa, in);
    uint32_t n = c->nrows;
    if (row_times(wa, c, n) < 0) return -1;
    encode_keys(wa, c, n);
    if (wa->w.kind == WIN_SESSION) sessions_accumulate(wa, c, n);
    else windows_accumulate(wa, c, n);
    return 0;
}

static int wa_watermark(op_t *op, int64_t wm)
{
    window_agg *wa = wagg(op);
    if (!wa->w.proctime && fire_due(wa, wm) < 0) return -1;
    return op_emit_watermark(op, wm);
}

static int wa_timer(op_t *op, int64_t now_us)
{
    window_agg *wa = wagg(op);
    return wa->w.proctime ? fire_due(wa, now_us) : 0;
}

static int wa_finish(op_t *op)
{
    window_agg *wa = wagg(op);
    return wa->w.proctime ? fire_due(wa, TS_MAX) : 0;
}

/* ---- checkpoint ---- */

static void snapshot_windows(window_agg *wa, snap_writer *w)
{
    snap_put_u32(w, (uint32_t)wa->windows.len);
    hmap_entry *e, *g;
    for (size_t pos = 0; hmap_next(&wa->windows, &pos, &e);) {
        window_t *win = e->val;
        snap_put_i64(w, win->start);
        snap_put_i64(w, win->end);
        snap_put_u32(w, (uint32_t)win->groups.len);
        for (size_t gp = 0; hmap_next(&win->groups, &gp, &g);) {
            snap_put_bytes(w, g->key, g->klen);
            agg_block_snapshot(&wa->aggs, g->val, w);
        }
    }
}

static void snapshot_sessions(window_agg *wa, snap_writer *w)
{
    uint32_t nkeys = 0;
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&wa->skeys, &pos, &e);)
        nkeys += ((session_key *)e->val)->sessions.len > 0;
    snap_put_u32(w, nkeys);
    for (size_t pos = 0; hmap_next(&wa->skeys, &pos, &e);) {
        session_key *sk = e->val;
        if (!sk->sessions.len) continue;
        snap_put_bytes(w, sk->key, sk->klen);
        snap_put_u32(w, (uint32_t)sk->sessions.len);
        for (size_t i = 0; i < sk->sessions.len; i++) {
            snap_put_i64(w, sk->sessions.items[i].start);
            snap_put_i64(w, sk->sessions.items[i].end);
        }
        snap_put_u32(w, (uint32_t)sk->rows.len);
        for (size_t i = 0; i < sk->rows.len; i++) {
            session_row row = sk->rows.items[i];
            chunk_t *page = pool_page(&wa->pool, row.ref);
            uint32_t pr = row.ref % PAGE_ROWS;
            snap_put_i64(w, row.t);
            snap_put_u8(w, page->ops[pr]);
            for (uint32_t c = 0; c < page->ncols; c++) {
                value_t v;
                vector_get(&page->cols[c], pr, &v);
                snap_put_value(w, page->cols[c].type, &v);
            }
        }
    }
}

static int wa_snapshot(op_t *op, snap_writer *w)
{
    window_agg *wa = wagg(op);
    snap_put_u8(w, SNAP_VERSION);
    snap_put_i64(w, op->wm);
    snap_put_i64(w, op->wm_out);
    if (wa->w.kind == WIN_SESSION) snapshot_sessions(wa, w);
    else snapshot_windows(wa, w);
    return 0;
}

static int restore_windows(window_agg *wa, snap_reader *r)
{
    uint32_t nwin = snap_get_u32(r);
    for (uint32_t i = 0; i < nwin && !r->failed; i++) {
        int64_t start = snap_get_i64(r), end = snap_get_i64(r);
        window_t *win = window_create(wa, start, end);
        uint32_t ngroups = snap_get_u32(r);
        for (uint32_t j = 0; j < ngroups && !r->failed; j++) {
            uint32_t klen;
            const void *key = snap_get_bytes(r, &klen);
            void **slot = hmap_put(&win->groups, key, klen, hash_bytes(key, klen), NULL);
            *slot = arena_alloc(&win->blocks, wa->aggs.block_size);
            agg_block_init(&wa->aggs, *slot);
            agg_block_restore(&wa->aggs, *slot, r);
        }
    }
    return snap_check(r, "WindowAggregate");
}

static int restore_sessions(window_agg *wa, snap_reader *r)
{
    chunk_t *row = chunk_new_types(wa->pool.ncols, wa->pool.types, 1);
    int *cols = xcalloc(row->ncols ? row->ncols : 1, sizeof *cols);
    for (uint32_t c = 0; c < row->ncols; c++) cols[c] = (int)c;
    value_t v;
    uint32_t nkeys = snap_get_u32(r);
    for (uint32_t i = 0; i < nkeys && !r->failed; i++) {
        uint32_t klen;
        const void *key = snap_get_bytes(r, &klen);
        session_key *sk = xcalloc(1, sizeof *sk + klen);
        sk->klen = klen;
        sk->hash = hash_bytes(key, klen);
        memcpy(sk->key, key, klen);
        *hmap_put(&wa->skeys, key, klen, sk->hash, NULL) = sk;
        uint32_t ns = snap_get_u32(r);
        for (uint32_t j = 0; j < ns && !r->failed; j++) {
            session_t s = {snap_get_i64(r), snap_get_i64(r)};
            VEC_PUSH(sk->sessions, s);
            session_schedule(wa, sk, s);
        }
        uint32_t nrows = snap_get_u32(r);
        for (uint32_t j = 0; j < nrows && !r->failed; j++) {
            int64_t t = snap_get_i64(r);
            uint8_t op = snap_get_u8(r) & 3;
            chunk_reset(row);
            row->nrows = 1;
            for (uint32_t c = 0; c < row->ncols; c++) {
                snap_get_value(r, row->cols[c].type, &v, &row->arena);
                vector_set(&row->cols[c], 0, &v, NULL);
            }
            session_row sr = {t, pool_add(&wa->pool, row, 0, cols, op)};
            VEC_PUSH(sk->rows, sr);
        }
    }
    chunk_free(row);
    free(cols);
    return snap_check(r, "WindowAggregate");
}

static int wa_restore(op_t *op, snap_reader *r)
{
    window_agg *wa = wagg(op);
    uint8_t version = snap_get_u8(r);
    if (!r->failed && version != SNAP_VERSION)
        return err_msg("WindowAggregate: snapshot version %u, expected %u", version, SNAP_VERSION);
    int64_t wm = snap_get_i64(r), wm_out = snap_get_i64(r);
    if (snap_check(r, "WindowAggregate") < 0) return -1;
    op->wm = wm;
    op->wm_out = wm_out;
    for (int i = 0; i < op->nin; i++) op->in_wm[i] = wm;
    return wa->w.kind == WIN_SESSION ? restore_sessions(wa, r) : restore_windows(wa, r);
}

/* ---- explain / destroy ---- */

static void put_duration(sb_t *out, int64_t us)
{
    static const struct { int64_t unit; const char *name; } units[] = {
        {US_PER_DAY, "d"}, {3600 * US_PER_SEC, "h"}, {60 * US_PER_SEC, "min"}, {US_PER_SEC, "s"},
        {US_PER_MS, "ms"}, {1, "us"},
    };
    for (size_t i = 0; i < ARRAY_LEN(units); i++)
        if (us % units[i].unit == 0) { sb_printf(out, "%lld %s", (long long)(us / units[i].unit), units[i].name); return; }
}

static const char *const kind_names[] = {"TUMBLE", "HOP", "CUMULATE", "SESSION"};
static const char *const prop_names[] = {"window_start", "window_end", "window_time", "proctime"};

static void wa_explain(op_t *op, sb_t *out)
{
    window_agg *wa = wagg(op);
    const window_spec *w = &wa->w;
    sb_printf(out, "window=%s(", kind_names[w->kind]);
    if (w->kind == WIN_SESSION) {
        sb_puts(out, "gap=");
        put_duration(out, w->gap_us);
    } else {
        sb_puts(out, "size=");
        put_duration(out, w->size_us);
        if (w->kind != WIN_TUMBLE) {
            sb_puts(out, w->kind == WIN_HOP ? ", slide=" : ", step=");
            put_duration(out, w->slide_us);
        }
        if (w->offset_us) {
            sb_puts(out, ", offset=");
            put_duration(out, w->offset_us);
        }
    }
    char tbuf[64];
    if (w->proctime) sb_puts(out, "), time=proctime");
    else sb_printf(out, "), time=$%d %s", w->time_col, type_name(w->time_type, tbuf, sizeof tbuf));
    sb_puts(out, ", keys=[");
    for (int i = 0; i < wa->nkeys; i++) sb_printf(out, "%s%s", i ? ", " : "", op->schema.names[i]);
    sb_puts(out, "], aggs=[");
    for (int i = 0; i < wa->aggs.ncalls; i++) {
        const agg_call *c = &wa->aggs.calls[i];
        sb_printf(out, "%s%s(%s", i ? ", " : "", c->def->name, c->distinct ? "DISTINCT " : "");
        if (c->arg_col < 0) sb_putc(out, '*');
        else sb_printf(out, "$%d", w->kind == WIN_SESSION ? wa->scols[c->arg_col] : c->arg_col);
        sb_putc(out, ')');
    }
    sb_puts(out, "], props=[");
    for (int i = 0; i < wa->nprops; i++) sb_printf(out, "%s%s", i ? ", " : "", prop_names[wa->props[i]]);
    sb_putc(out, ']');
}

static void wa_destroy(op_t *op)
{
    window_agg *wa = wagg(op);
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&wa->windows, &pos, &e);) window_free(wa, e->val);
    hmap_free(&wa->windows);
    for (size_t pos = 0; hmap_next(&wa->skeys, &pos, &e);) {
        session_key *sk = e->val;
        VEC_FREE(sk->sessions);
        VEC_FREE(sk->rows);
        free(sk);
    }
    hmap_free(&wa->skeys);
    VEC_FREE(wa->heap);
    VEC_FREE(wa->firing);
    if (wa->pool.types) pool_free(&wa->pool);
    agg_block_destroy(&wa->aggs, wa->discard);
    free(wa->discard);
    free(wa->sblock);
    agg_set_free(&wa->aggs);
    chunk_free(wa->dense);
    chunk_free(wa->batch);
    chunk_free(wa->out);
    free(wa->keys);
    free(wa->props);
    free(wa->scols);
    if (wa->w.kind == WIN_SESSION) free(wa->calls);
    free(wa->times);
    free(wa->koff);
    free(wa->khash);
    free(wa->kbuf);
    free(wa->blocks);
    free(wa->assigned);
    free(wa->dropped);
    free(wa->vals);
    free(wa);
}

static const op_vtable window_agg_vt = {
    .name = "WindowAggregate",
    .push = wa_push,
    .watermark = wa_watermark,
    .timer = wa_timer,
    .finish = wa_finish,
    .snapshot = wa_snapshot,
    .restore = wa_restore,
    .explain = wa_explain,
    .destroy = wa_destroy,
};

/* ---- construction ---- */

static int check_spec(const window_spec *w, int nkeys, int naggs, int nprops, const schema_t *out)
{
    if ((uint32_t)(nkeys + naggs + nprops) != out->ncols)
        return err_msg("WindowAggregate: output has %u columns, expected %d keys + %d aggregates + %d "
                       "window properties", out->ncols, nkeys, naggs, nprops);
    if (w->kind == WIN_SESSION)
        return w->gap_us > 0 ? 0 : err_msg("WindowAggregate: SESSION gap must be positive");
    if (w->size_us <= 0) return err_msg("WindowAggregate: window size must be positive");
    if (w->kind == WIN_HOP && w->slide_us <= 0) return err_msg("WindowAggregate: HOP slide must be positive");
    if (w->kind == WIN_CUMULATE && (w->slide_us <= 0 || w->size_us % w->slide_us))
        return err_msg("WindowAggregate: CUMULATE max size must be a positive multiple of the step");
    return 0;
}

static int64_t windows_per_row(const window_spec *w)
{
    switch (w->kind) {
    case WIN_HOP: return (w->size_us + w->slide_us - 1) / w->slide_us;
    case WIN_CUMULATE: return w->size_us / w->slide_us;
    default: return 1;
    }
}

/* Sessions store only the columns the aggregates read; calls are copied to read that layout. */
static void session_layout(window_agg *wa, agg_call *aggs, int naggs)
{
    wa->calls = xcalloc(naggs ? naggs : 1, sizeof *wa->calls);
    wa->scols = xcalloc(2 * (size_t)naggs + 1, sizeof *wa->scols);
    type_t *types = xcalloc(2 * (size_t)naggs + 1, sizeof *types);
    int n = 0;
    for (int i = 0; i < naggs; i++) {
        wa->calls[i] = aggs[i];
        int *cols[2] = {&wa->calls[i].arg_col, &wa->calls[i].filter_col};
        type_t tys[2] = {aggs[i].arg_type, type_make(TY_BOOLEAN)};
        for (int j = 0; j < 2; j++) {
            if (*cols[j] < 0) continue;
            int at = 0;
            while (at < n && wa->scols[at] != *cols[j]) at++;
            if (at == n) { wa->scols[n] = *cols[j]; types[n] = tys[j]; n++; }
            *cols[j] = at;
        }
    }
    pool_init(&wa->pool, (uint32_t)n, types);
    wa->batch = chunk_new_types((uint32_t)n, types, CHUNK_CAP);
    free(types);
}

op_t *window_agg_new(exec_ctx *ctx, const schema_t *out, const window_spec *w,
                     const int *keys, int nkeys, agg_call *aggs, int naggs,
                     const window_prop *props, int nprops)
{
    if (check_spec(w, nkeys, naggs, nprops, out) < 0) return NULL;
    window_agg *wa = xcalloc(1, sizeof *wa);
    op_init(&wa->op, &window_agg_vt, ctx, out, 1);
    wa->w = *w;
    wa->ltz = w->time_type.id == TY_TIMESTAMP_LTZ;
    wa->tz = ctx->local_tz ? ctx->local_tz : tz_default();
    wa->keys = xcalloc(nkeys ? nkeys : 1, sizeof *wa->keys);
    memcpy(wa->keys, keys, (size_t)nkeys * sizeof *keys);
    wa->nkeys = nkeys;
    wa->props = xcalloc(nprops ? nprops : 1, sizeof *wa->props);
    memcpy(wa->props, props, (size_t)nprops * sizeof *props);
    wa->nprops = nprops;
    if (w->kind == WIN_SESSION) session_layout(wa, aggs, naggs);
    else wa->calls = aggs;
    agg_set_init(&wa->aggs, wa->calls, naggs);
    wa->max_windows = windows_per_row(w);
    hmap_init(&wa->windows);
    kbuf_reserve(wa, 4096); /* keys of zero columns still need a buffer to point at */
    hmap_init(&wa->skeys);
    wa->discard = xmalloc(wa->aggs.block_size);
    agg_block_init(&wa->aggs, wa->discard);
    wa->sblock = xmalloc(wa->aggs.block_size);
    wa->times = xcalloc(CHUNK_CAP, sizeof *wa->times);
    wa->koff = xcalloc(CHUNK_CAP + 1, sizeof *wa->koff);
    wa->khash = xcalloc(CHUNK_CAP, sizeof *wa->khash);
    wa->blocks = xcalloc(CHUNK_CAP, sizeof *wa->blocks);
    if (w->kind == WIN_SESSION)
        for (uint32_t i = 0; i < CHUNK_CAP; i++) wa->blocks[i] = wa->sblock;
    wa->assigned = xcalloc(CHUNK_CAP, sizeof *wa->assigned);
    wa->dropped = xcalloc(CHUNK_CAP, sizeof *wa->dropped);
    wa->vals = xcalloc(naggs ? naggs : 1, sizeof *wa->vals);
    wa->out = chunk_new(out, CHUNK_CAP);
    return &wa->op;
}
