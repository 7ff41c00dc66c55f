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
 * State of TUMBLE/HOP/CUMULATE. Windows are numbered by a window index on their grid (TUMBLE:
 * start / size, HOP: start / slide, CUMULATE: end / step, all after the offset), so a row's
 * windows are consecutive indexes. Each group key seen in an open window has one key entry
 * (found through a hash index: one lookup per row, not one per window) holding a small ring,
 * indexed by window index, of its groups in the open windows. A group is an entry in its
 * window's pages (arrival order): the key entry it belongs to and the aggregate block
 * (expr/agg.h). A chunk is processed with one agg_block_update per window position k (k <
 * windows per row): blocks[i] is the block of row i's k-th window's group, or a scratch
 * "discard" block for rows without a k-th window or whose k-th window already fired. The
 * aggregate API has no merge, so HOP/CUMULATE update every window of a row rather than
 * shared slices. A key entry is freed when its last open window fires.
 *
 * State of SESSION: per key, its open sessions (disjoint, sorted) and the rows they hold,
 * copied (only the columns the aggregates read) into a row pool (ops/rowpool.h). Merging two
 * sessions needs no accumulator merge because the aggregates are computed from the stored
 * rows when the session fires.
 *
 * Firing. A min-heap orders the pending windows/sessions by (fire_at, end). On a watermark
 * (or a clock tick for processing time) every due window is emitted insert-only, in order of
 * window end, and within one end in order of the encoded key bytes. The key encoding is
 * order-preserving (NULL first, then ascending values), so that order is the key values'
 * order: deterministic output. A window's groups are put in that order by an LSD radix sort
 * on the first 16 key bytes (skipping the bytes that are equal in every key), ties broken by
 * comparing the whole keys. Then the state is freed and the watermark forwarded.
 *
 * Late rows: a row is dropped only from assignments whose window already fired (for HOP and
 * CUMULATE the others still count it); it is counted in op->stats.late when every one of its
 * windows was dropped. A session row is late when its own window [t, t + gap) is complete
 * and it merges with no open session.
 *
 * Output: key columns, aggregate results, then the requested properties: window_start,
 * window_end (readings; turned back into instants when the output column is TIMESTAMP_LTZ),
 * window_time = end - 1 ms with the type of the output column, proctime = the clock when the
 * window fires.
 *
 * Checkpoint: u8 version, i64 watermark, i64 watermark sent, then for fixed windows u32
 * nwindows and per window i64 start, i64 end, u32 ngroups, per group the key bytes and
 * agg_block_snapshot; for sessions u32 nkeys and per key the key bytes, u32 nsessions with
 * i64 start/end each, u32 nrows with i64 time, u8 op and the stored column values each. */
#include "ops/ops.h"
#include "ops/rowpool.h"
#include "base/hashmap.h"
#include "base/util.h"
#include "base/err.h"
#include "base/civil.h"
#include <endian.h>
#include <stdlib.h>

#define SNAP_VERSION 1
#define WIDX_NONE INT64_MIN       /* free ring slot */
#define KEY_INLINE 16             /* key bytes stored inside a key entry */
#define GROUP_PAGE 1024           /* group entries per page of a window */
#define KEY_SLAB 256              /* key entries allocated at once */
#define SMALL_SORT 16             /* below this many groups, insertion sort */

/* ---- state ---- */

typedef struct wgroup wgroup;

typedef struct wslot {            /* a key's group in one open window */
    int64_t widx;                 /* window index, WIDX_NONE for a free slot */
    wgroup *group;
} wslot;

typedef struct gkey {             /* a group key that has groups in open windows */
    uint64_t hash;
    uint32_t klen;
    uint32_t nopen;               /* occupied ring slots */
    uint64_t mask;                /* ring capacity - 1 (a power of two) */
    wslot *ring;                  /* inline_ring, or malloc'ed once the key outgrew it */
    uint8_t *key;                 /* encoded key: inline after the ring, or malloc'ed */
    struct gkey *next_free;       /* free list of the key slabs */
    uint64_t pad;                 /* keeps inline_ring 16-byte aligned */
    wslot inline_ring[];          /* wa->ring_inline slots, then KEY_INLINE key bytes */
} gkey;

struct wgroup {                   /* a group entry; its aggregate block follows */
    gkey *key;
    uint64_t pad;                 /* keeps the block 16-byte aligned */
};

typedef struct window {
    int64_t widx;
    int64_t start, end;           /* [start, end) in the reading */
    VEC(uint8_t *) pages;         /* group entries in arrival order, GROUP_PAGE per page */
    uint32_t ngroups;
} window_t;

typedef struct sort_item {        /* a group being ordered for output */
    uint64_t hi, lo;              /* its first 16 key bytes, big-endian, zero-padded */
    wgroup *group;
} sort_item;

typedef struct session {
    int64_t start, end;
} session_t;

typedef struct session_row {
    int64_t t;                    /* reading */
    uint32_t ref;                 /* row in the pool */
} session_row;

typedef struct session_key {
    VEC(session_t) sessions;      /* open sessions, disjoint, sorted by start */
    VEC(session_row) rows;        /* rows of the open sessions */
    uint32_t heap_refs;           /* fire-queue entries naming this key */
    uint32_t klen;
    uint64_t hash;
    uint8_t key[];                /* encoded key */
} session_key;

typedef struct fire_entry {
    int64_t fire_at;
    int64_t end;
    int64_t start;                /* sessions: identifies the session */
    void *target;                 /* window_t* or session_key* */
} fire_entry;

typedef struct session_ref {      /* a session about to be emitted */
    session_key *sk;
    int64_t start, end;
} session_ref;

typedef struct window_agg {
    op_t op;
    window_spec w;
    int ltz;                      /* windows in the session zone's reading */
    const tz_t *tz;
    int *keys;
    int nkeys;
    agg_call *calls;              /* sessions: copies reading the pool's column layout */
    agg_set aggs;
    window_prop *props;
    int nprops;
    int64_t *prop_vals;           /* property values of the window being emitted */
    int *need;                    /* input columns read (copied from a selected chunk) */
    int nneed;
    int64_t max_windows;          /* windows per row */
    /* fixed windows */
    hmap_t windows;               /* i64 window index -> window_t* */
    hidx_t gkeys;                 /* gkey* by hash */
    uint32_t ring_inline;         /* ring slots inside a key entry (power of two) */
    size_t gkey_size;             /* bytes of one key entry */
    size_t group_size;            /* bytes of one group entry (header + block) */
    VEC(uint8_t *) key_slabs;
    gkey *free_keys;
    VEC(uint8_t *) spare_pages;   /* group pages ready for reuse */
    VEC(sort_item) sort_a, sort_b;
    window_t *last_win;           /* lookup cache */
    /* sessions */
    hmap_t skeys;                 /* encoded key -> session_key* */
    row_pool pool;                /* session rows */
    int *scols;                   /* input column of each pool column */
    VEC(session_ref) firing;
    VEC(fire_entry) heap;
    /* per-chunk scratch */
    chunk_t *dense;               /* live rows of a chunk with a selection vector (views) */
    chunk_t *batch;               /* a session's rows gathered for agg_block_update */
    int64_t *times;
    uint32_t *koff;               /* row i's key is kbuf[koff[i] .. koff[i] + klen[i]) */
    uint32_t *klen;
    uint64_t *khash;
    uint8_t *kbuf;
    size_t kcap;
    int64_t *wfirst;              /* row i's first window index */
    uint32_t *nwin;               /* row i's number of windows */
    uint32_t *dropped;            /* row i's windows that already fired */
    gkey **rowkey;                /* row i's key entry, found on its first open window */
    void **blocks;
    void *discard;                /* block that absorbs updates of unassigned rows */
    void *sblock;                 /* block of a firing session */
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

/* ---- window indexes ----
 * TUMBLE: start = offset + widx * size. HOP: start = offset + widx * slide. CUMULATE:
 * end = offset + widx * step, start = the period start. A row's windows are the indexes
 * first, first + dir, first + 2 * dir, ... (dir = -1 for HOP, +1 otherwise). */

static void window_bounds(const window_agg *wa, int64_t widx, int64_t *start, int64_t *end)
{
    const window_spec *w = &wa->w;
    switch (w->kind) {
    case WIN_TUMBLE:
        *start = w->offset_us + widx * w->size_us;
        *end = *start + w->size_us;
        break;
    case WIN_HOP:
        *start = w->offset_us + widx * w->slide_us;
        *end = *start + w->size_us;
        break;
    default:
        *end = w->offset_us + widx * w->slide_us;
        *start = w->offset_us + floor_div(widx - 1, w->size_us / w->slide_us) * w->size_us;
        break;
    }
}

static int64_t window_index(const window_agg *wa, int64_t start, int64_t end)
{
    const window_spec *w = &wa->w;
    switch (w->kind) {
    case WIN_TUMBLE: return floor_div(start - w->offset_us, w->size_us);
    case WIN_HOP: return floor_div(start - w->offset_us, w->slide_us);
    default: return floor_div(end - w->offset_us, w->slide_us);
    }
}

/* The windows of a row at reading t: returns their number and the first index. */
static uint32_t row_windows(const window_agg *wa, int64_t t, int64_t *first)
{
    const window_spec *w = &wa->w;
    switch (w->kind) {
    case WIN_TUMBLE:
        *first = floor_div(t - w->offset_us, w->size_us);
        return 1;
    case WIN_HOP: {
        *first = floor_div(t - w->offset_us, w->slide_us);
        int64_t past = w->offset_us + *first * w->slide_us + w->size_us - t;   /* > size - slide */
        return past > 0 ? (uint32_t)((past + w->slide_us - 1) / w->slide_us) : 0;
    }
    default: {
        int64_t steps = w->size_us / w->slide_us;
        int64_t period = floor_div(t - w->offset_us, w->size_us);
        int64_t j = floor_div(t - w->offset_us - period * w->size_us, w->slide_us) + 1;
        *first = period * steps + j;
        return (uint32_t)(steps - j + 1);
    }
    }
}

/* ---- order-preserving key encoding ----
 * Per column: 0x00 for NULL, else 0x01 and the value: integers as 8 big-endian bytes with the
 * sign bit flipped, doubles as their order-preserving bit pattern, strings as their bytes
 * with 0x00 escaped as 0x00 0xFF and a 0x00 0x00 terminator. memcmp order = value order. */

static void put_u64_be(uint8_t *p, uint64_t v)
{
    v = htobe64(v);
    memcpy(p, &v, 8);
}

static uint64_t get_u64_be(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return be64toh(v);
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

/* Upper bound of the encoded size of column v's value in row i. */
static size_t encoded_bound(const vector_t *v, uint32_t i)
{
    return type_phys(v->type) == PHYS_STR ? 3 + 2 * (size_t)v->str[i].len : 9;
}

static uint32_t encode_string(uint8_t *p, const str_t *s)
{
    const uint8_t *b = (const uint8_t *)str_ptr(s);
    uint32_t at = 0;
    p[at++] = 1;
    for (uint32_t i = 0; i < s->len; i++) {
        p[at++] = b[i];
        if (!b[i]) p[at++] = 0xFF;
    }
    p[at++] = 0;
    p[at++] = 0;
    return at;
}

/* Append column v's values of rows 0..n-1 to their keys (at[i]: row i's write position). */
static void encode_column(uint8_t *kbuf, uint32_t *at, const vector_t *v, uint32_t n)
{
    int phys = type_phys(v->type);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *p = kbuf + at[i];
        if (v->nulls[i]) {
            p[0] = 0;
            at[i] += 1;
        } else if (phys == PHYS_STR) {
            at[i] += encode_string(p, &v->str[i]);
        } else {
            p[0] = 1;
            put_u64_be(p + 1, phys == PHYS_F64 ? double_order_bits(v->f64[i])
                                               : (uint64_t)v->i64[i] ^ (UINT64_C(1) << 63));
            at[i] += 9;
        }
    }
}

/* Keys of rows 0..n-1 of c into kbuf (koff, klen) and their hashes, column by column. */
static void encode_keys(window_agg *wa, const chunk_t *c, uint32_t n)
{
    size_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        wa->koff[i] = (uint32_t)total;
        for (int k = 0; k < wa->nkeys; k++) total += encoded_bound(&c->cols[wa->keys[k]], i);
    }
    kbuf_reserve(wa, total + 1);
    memcpy(wa->klen, wa->koff, n * sizeof *wa->klen);
    for (int k = 0; k < wa->nkeys; k++) encode_column(wa->kbuf, wa->klen, &c->cols[wa->keys[k]], n);
    for (uint32_t i = 0; i < n; i++) {
        wa->klen[i] -= wa->koff[i];
        wa->khash[i] = hash_bytes(wa->kbuf + wa->koff[i], wa->klen[i]);
    }
}

/* Write the key's values into row r of out's first nkeys columns (strings into out's arena). */
static void decode_key(const window_agg *wa, const uint8_t *p, chunk_t *out, uint32_t r)
{
    for (int k = 0; k < wa->nkeys; k++) {
        vector_t *v = &out->cols[k];
        int phys = type_phys(v->type);
        if (!*p++) {
            value_t null = value_null();
            vector_set(v, r, &null, NULL);
        } else if (phys == PHYS_STR) {
            uint32_t len = 0;
            for (const uint8_t *q = p; !(q[0] == 0 && q[1] == 0); q += q[0] ? 1 : 2) len++;
            char *dst = arena_alloc(&out->arena, len ? len : 1);
            for (uint32_t i = 0; i < len; i++) {
                dst[i] = (char)*p;
                p += *p ? 1 : 2;
            }
            p += 2;
            v->nulls[r] = 0;
            v->str[r] = str_view(dst, len);
        } else {
            uint64_t u = get_u64_be(p);
            p += 8;
            v->nulls[r] = 0;
            if (phys == PHYS_F64) v->f64[r] = double_from_order_bits(u);
            else v->i64[r] = (int64_t)(u ^ (UINT64_C(1) << 63));
        }
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

/* The property values of the window [start, end) about to be emitted, into prop_vals. */
static void set_props(window_agg *wa, int64_t start, int64_t end)
{
    for (int j = 0; j < wa->nprops; j++)
        wa->prop_vals[j] = prop_value(wa, wa->props[j], wa->out->cols[wa->nkeys + wa->aggs.ncalls + j].type,
                                      start, end);
}

/* Append one result row (properties from set_props); groups whose rows were all retracted
 * produce none. */
static int emit_group(window_agg *wa, const uint8_t *key, void *block)
{
    if (agg_block_count(block) <= 0) return 0;
    if (chunk_full(wa->out) && flush_out(wa) < 0) return -1;
    chunk_t *o = wa->out;
    uint32_t r = o->nrows;
    decode_key(wa, key, o, r);
    agg_block_results(&wa->aggs, block, wa->vals, &o->arena);
    int col = wa->nkeys;
    for (int j = 0; j < wa->aggs.ncalls; j++, col++) vector_set(&o->cols[col], r, &wa->vals[j], NULL);
    for (int j = 0; j < wa->nprops; j++, col++) {
        o->cols[col].nulls[r] = 0;
        o->cols[col].i64[r] = wa->prop_vals[j];
    }
    o->ops[r] = OP_INSERT;
    o->nrows++;
    return 0;
}

/* ---- key entries (fixed windows) ---- */

static gkey *gkey_alloc(window_agg *wa)
{
    if (!wa->free_keys) {
        uint8_t *slab = xmalloc(KEY_SLAB * wa->gkey_size);
        VEC_PUSH(wa->key_slabs, slab);
        for (size_t i = KEY_SLAB; i-- > 0;) {
            gkey *k = (gkey *)(slab + i * wa->gkey_size);
            k->next_free = wa->free_keys;
            wa->free_keys = k;
        }
    }
    gkey *k = wa->free_keys;
    wa->free_keys = k->next_free;
    return k;
}

static gkey *gkey_new(window_agg *wa, const uint8_t *key, uint32_t klen, uint64_t hash)
{
    gkey *k = gkey_alloc(wa);
    k->hash = hash;
    k->klen = klen;
    k->nopen = 0;
    k->mask = wa->ring_inline - 1;
    k->ring = k->inline_ring;
    for (uint32_t j = 0; j < wa->ring_inline; j++) k->ring[j].widx = WIDX_NONE;
    k->key = klen <= KEY_INLINE ? (uint8_t *)(k->inline_ring + wa->ring_inline) : xmalloc(klen);
    memcpy(k->key, key, klen);
    hidx_add(&wa->gkeys, hash, k);
    return k;
}

static void gkey_release(window_agg *wa, gkey *k)
{
    hidx_remove(&wa->gkeys, k->hash, k);
    if (k->ring != k->inline_ring) free(k->ring);
    if (k->klen > KEY_INLINE) free(k->key);
    k->next_free = wa->free_keys;
    wa->free_keys = k;
}

static gkey *gkey_find(window_agg *wa, const uint8_t *key, uint32_t klen, uint64_t hash)
{
    gkey *k;
    for (size_t p = hidx_first(&wa->gkeys, hash); (k = hidx_match(&wa->gkeys, hash, &p));)
        if (k->klen == klen && memcmp(k->key, key, klen) == 0) return k;
    return gkey_new(wa, key, klen, hash);
}

static wslot *ring_slot(const gkey *k, int64_t widx) { return &k->ring[(uint64_t)widx & k->mask]; }

/* Make room for widx next to the key's open windows: double the ring until they all fit. */
static void ring_grow(gkey *k, int64_t widx)
{
    int64_t lo = widx, hi = widx;
    for (uint64_t j = 0; j <= k->mask; j++) {
        if (k->ring[j].widx == WIDX_NONE) continue;
        lo = MIN(lo, k->ring[j].widx);
        hi = MAX(hi, k->ring[j].widx);
    }
    uint64_t cap = (k->mask + 1) * 2;
    while (cap <= (uint64_t)(hi - lo)) cap *= 2;
    wslot *ring = xmalloc(cap * sizeof *ring);
    for (uint64_t j = 0; j < cap; j++) ring[j].widx = WIDX_NONE;
    for (uint64_t j = 0; j <= k->mask; j++)
        if (k->ring[j].widx != WIDX_NONE) ring[(uint64_t)k->ring[j].widx & (cap - 1)] = k->ring[j];
    if (k->ring != k->inline_ring) free(k->ring);
    k->ring = ring;
    k->mask = cap - 1;
}

/* ---- windows (TUMBLE / HOP / CUMULATE) ---- */

static void *group_block(wgroup *g) { return g + 1; }

static wgroup *window_group(const window_agg *wa, const window_t *win, uint32_t i)
{
    return (wgroup *)(win->pages.items[i / GROUP_PAGE] + (size_t)(i % GROUP_PAGE) * wa->group_size);
}

static wgroup *window_add_group(window_agg *wa, window_t *win, gkey *k)
{
    if (win->ngroups % GROUP_PAGE == 0) {
        uint8_t *page = wa->spare_pages.len ? wa->spare_pages.items[--wa->spare_pages.len]
                                            : xmalloc(GROUP_PAGE * wa->group_size);
        VEC_PUSH(win->pages, page);
    }
    wgroup *g = window_group(wa, win, win->ngroups++);
    g->key = k;
    agg_block_init(&wa->aggs, group_block(g));
    return g;
}

static uint64_t widx_hash(int64_t widx) { return hash_bytes(&widx, sizeof widx); }

static window_t *window_create(window_agg *wa, int64_t widx)
{
    window_t *win = xcalloc(1, sizeof *win);
    win->widx = widx;
    window_bounds(wa, widx, &win->start, &win->end);
    *hmap_put(&wa->windows, &widx, sizeof widx, widx_hash(widx), NULL) = win;
    heap_push(wa, (fire_entry){fire_time(wa, win->end), win->end, win->start, win});
    return win;
}

/* Forget the window: its groups must have been emitted or destroyed. */
static void window_free(window_agg *wa, window_t *win)
{
    hmap_del(&wa->windows, &win->widx, sizeof win->widx, widx_hash(win->widx));
    if (wa->last_win == win) wa->last_win = NULL;
    for (size_t i = 0; i < win->pages.len; i++) VEC_PUSH(wa->spare_pages, win->pages.items[i]);
    VEC_FREE(win->pages);
    free(win);
}

/* The open window widx, created on first use; NULL when it already fired. */
static window_t *window_at(window_agg *wa, int64_t widx)
{
    if (wa->last_win && wa->last_win->widx == widx) return wa->last_win;
    void **slot = hmap_get(&wa->windows, &widx, sizeof widx, widx_hash(widx));
    window_t *win = slot ? *slot : NULL;
    if (!win) {
        int64_t start, end;
        window_bounds(wa, widx, &start, &end);
        if (window_is_late(wa, end)) return NULL;
        win = window_create(wa, widx);
    }
    wa->last_win = win;
    return win;
}

/* The aggregate block of key k in window win, created on first use. */
static void *key_block(window_agg *wa, gkey *k, window_t *win)
{
    wslot *s = ring_slot(k, win->widx);
    if (s->widx == win->widx) return group_block(s->group);
    if (s->widx != WIDX_NONE) {
        ring_grow(k, win->widx);
        s = ring_slot(k, win->widx);
    }
    s->widx = win->widx;
    s->group = window_add_group(wa, win, k);
    k->nopen++;
    return group_block(s->group);
}

/* Drop key k's group of window widx (its block already destroyed). */
static void key_close(window_agg *wa, gkey *k, int64_t widx)
{
    ring_slot(k, widx)->widx = WIDX_NONE;
    if (--k->nopen == 0) gkey_release(wa, k);
}

static void discard_reset(window_agg *wa)
{
    agg_block_destroy(&wa->aggs, wa->discard);
    agg_block_init(&wa->aggs, wa->discard);
}

static void windows_accumulate(window_agg *wa, const chunk_t *c, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        wa->nwin[i] = row_windows(wa, wa->times[i], &wa->wfirst[i]);
        wa->dropped[i] = 0;
        wa->rowkey[i] = NULL;
    }
    int64_t dir = wa->w.kind == WIN_HOP ? -1 : 1;
    for (uint32_t k = 0; k < wa->max_windows; k++) {
        uint32_t active = 0, real = 0;
        for (uint32_t i = 0; i < n; i++) {
            void *block = wa->discard;
            if (k < wa->nwin[i]) {
                active++;
                window_t *win = window_at(wa, wa->wfirst[i] + dir * (int64_t)k);
                if (win) {
                    if (!wa->rowkey[i])
                        wa->rowkey[i] = gkey_find(wa, wa->kbuf + wa->koff[i], wa->klen[i], wa->khash[i]);
                    block = key_block(wa, wa->rowkey[i], win);
                    real++;
                } else {
                    wa->dropped[i]++;
                }
            }
            wa->blocks[i] = block;
        }
        if (!active) break;
        if (!real) continue;
        agg_block_update(&wa->aggs, wa->blocks, c, n);
        if (real < n) discard_reset(wa);
    }
    for (uint32_t i = 0; i < n; i++)
        if (wa->nwin[i] && wa->dropped[i] == wa->nwin[i]) wa->op.stats.late++;
}

/* ---- ordering a window's groups ---- */

static void sort_prefix(const gkey *k, sort_item *it)
{
    uint8_t b[16] = {0};
    memcpy(b, k->key, k->klen < 16 ? k->klen : 16);
    it->hi = get_u64_be(b);
    it->lo = get_u64_be(b + 8);
}

static int item_cmp(const sort_item *a, const sort_item *b)
{
    if (a->hi != b->hi) return a->hi < b->hi ? -1 : 1;
    if (a->lo != b->lo) return a->lo < b->lo ? -1 : 1;
    const gkey *x = a->group->key, *y = b->group->key;
    return key_cmp(x->key, x->klen, y->key, y->klen);
}

static void insertion_sort(sort_item *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        sort_item t = a[i];
        size_t j = i;
        for (; j > 0 && item_cmp(&t, &a[j - 1]) < 0; j--) a[j] = a[j - 1];
        a[j] = t;
    }
}

static unsigned item_digit(const sort_item *it, int d)
{
    return (unsigned)((d < 8 ? it->lo : it->hi) >> (8 * (d % 8))) & 0xFF;
}

/* Stable LSD radix sort of a[0..n-1] by (hi, lo), one pass per byte that is not the same in
 * every item; tmp has room for n items. Returns the sorted array (a or tmp). */
static sort_item *radix_sort(sort_item *a, sort_item *tmp, size_t n)
{
    uint64_t vary_hi = 0, vary_lo = 0;
    for (size_t i = 1; i < n; i++) {
        vary_hi |= a[i].hi ^ a[0].hi;
        vary_lo |= a[i].lo ^ a[0].lo;
    }
    size_t count[256];
    for (int d = 0; d < 16; d++) {
        if ((((d < 8 ? vary_lo : vary_hi) >> (8 * (d % 8))) & 0xFF) == 0) continue;
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++) count[item_digit(&a[i], d)]++;
        size_t at = 0;
        for (int b = 0; b < 256; b++) {
            size_t c = count[b];
            count[b] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++) tmp[count[item_digit(&a[i], d)]++] = a[i];
        sort_item *t = a;
        a = tmp;
        tmp = t;
    }
    return a;
}

/* The groups of win in ascending key order. */
static sort_item *window_order(window_agg *wa, const window_t *win)
{
    size_t n = win->ngroups;
    wa->sort_a.len = wa->sort_b.len = 0;
    VEC_GROW(wa->sort_a, n);
    VEC_GROW(wa->sort_b, n);
    sort_item *a = wa->sort_a.items;
    for (uint32_t i = 0; i < n; i++) {
        a[i].group = window_group(wa, win, i);
        sort_prefix(a[i].group->key, &a[i]);
    }
    if (n < SMALL_SORT) {
        insertion_sort(a, n);
        return a;
    }
    a = radix_sort(a, wa->sort_b.items, n);
    for (size_t i = 0; i < n;) {         /* equal prefixes: order by the whole keys */
        size_t j = i + 1;
        while (j < n && a[j].hi == a[i].hi && a[j].lo == a[i].lo) j++;
        if (j - i > 1) insertion_sort(a + i, j - i);
        i = j;
    }
    return a;
}

/* ---- firing ---- */

/* Emit the window's groups in key order, destroy their blocks and close them in their keys. */
static int window_emit(window_agg *wa, window_t *win)
{
    int rc = 0;
    sort_item *order = window_order(wa, win);
    set_props(wa, win->start, win->end);
    for (uint32_t i = 0; i < win->ngroups; i++) {
        wgroup *g = order[i].group;
        if (rc == 0) rc = emit_group(wa, g->key->key, group_block(g));
        agg_block_destroy(&wa->aggs, group_block(g));
        key_close(wa, g->key, win->widx);
    }
    return rc;
}

static int windows_fire(window_agg *wa, int64_t limit)
{
    while (wa->heap.len && wa->heap.items[0].fire_at <= limit) {
        fire_entry e = heap_pop(wa);
        window_t *win = e.target;
        int rc = window_emit(wa, win);
        window_free(wa, win);
        if (rc < 0) return -1;
    }
    return 0;
}

/* ---- SESSION ---- */

static session_key *skey_get(window_agg *wa, uint32_t i)
{
    const uint8_t *key = wa->kbuf + wa->koff[i];
    uint32_t klen = wa->klen[i];
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
        session_row row = {wa->times[i], rowpool_add(&wa->pool, c, i, wa->scols, c->ops[i])};
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
        const chunk_t *page = rowpool_chunk(&wa->pool, row.ref);
        uint32_t pr = rowpool_row(row.ref);
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
        if (row.t >= start && row.t < end) rowpool_release(&wa->pool, row.ref);
    }
    sk->rows.len = keep;
    size_t j = 0;
    for (size_t i = 0; i < sk->sessions.len; i++)
        if (sk->sessions.items[i].start != start) sk->sessions.items[j++] = sk->sessions.items[i];
    sk->sessions.len = j;
}

static int session_ref_cmp(const void *pa, const void *pb)
{
    const session_ref *a = pa, *b = pb;
    if (a->end != b->end) return a->end < b->end ? -1 : 1;
    int c = key_cmp(a->sk->key, a->sk->klen, b->sk->key, b->sk->klen);
    if (c) return c;
    return (a->start > b->start) - (a->start < b->start);
}

static int session_ptr_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const session_ref *)a)->sk, y = (uintptr_t)((const session_ref *)b)->sk;
    return (x > y) - (x < y);
}

static int sessions_fire(window_agg *wa, int64_t limit)
{
    VEC(session_ref) touched = {0};
    wa->firing.len = 0;
    while (wa->heap.len && wa->heap.items[0].fire_at <= limit) {
        fire_entry e = heap_pop(wa);
        session_key *sk = e.target;
        sk->heap_refs--;
        session_ref g = {sk, e.start, e.end};
        VEC_PUSH(touched, g);
        if (session_has(sk, e.start, e.end)) VEC_PUSH(wa->firing, g);
    }
    if (wa->firing.len) qsort(wa->firing.items, wa->firing.len, sizeof *wa->firing.items, session_ref_cmp);
    int rc = 0;
    for (size_t i = 0; i < wa->firing.len && rc == 0; i++) {
        session_ref *g = &wa->firing.items[i];
        session_collect(wa, g->sk, g->start, g->end);
        set_props(wa, g->start, g->end);
        rc = emit_group(wa, g->sk->key, wa->sblock);
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

/* Rows sel[0..n-1] of column src into rows 0..n-1 of dst (string views, not copies). */
static void gather_column(vector_t *dst, const vector_t *src, const uint16_t *sel, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) dst->nulls[i] = src->nulls[sel[i]];
    if (type_phys(src->type) == PHYS_STR)
        for (uint32_t i = 0; i < n; i++) dst->str[i] = src->str[sel[i]];
    else
        for (uint32_t i = 0; i < n; i++) dst->i64[i] = src->i64[sel[i]];
}

/* A dense chunk of the live rows (the input is read-only, so rows are viewed, not moved).
 * Only the columns the operator reads are filled in. */
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
    uint32_t n = in->nsel;
    d->nrows = n;
    for (uint32_t i = 0; i < n; i++) d->ops[i] = in->ops[in->sel[i]];
    for (int j = 0; j < wa->nneed; j++) gather_column(&d->cols[wa->need[j]], &in->cols[wa->need[j]], in->sel, n);
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
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&wa->windows, &pos, &e);) {
        window_t *win = e->val;
        snap_put_i64(w, win->start);
        snap_put_i64(w, win->end);
        snap_put_u32(w, win->ngroups);
        for (uint32_t i = 0; i < win->ngroups; i++) {
            wgroup *g = window_group(wa, win, i);
            snap_put_bytes(w, g->key->key, g->key->klen);
            agg_block_snapshot(&wa->aggs, group_block(g), w);
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
            const chunk_t *page = rowpool_chunk(&wa->pool, row.ref);
            uint32_t pr = rowpool_row(row.ref);
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
        if (r->failed) break;
        int64_t widx = window_index(wa, start, end), s, e;
        window_bounds(wa, widx, &s, &e);
        if (s != start || e != end)
            return err_msg("WindowAggregate: snapshot holds window [%lld, %lld), which is not a window of "
                           "this operator", (long long)start, (long long)end);
        window_t *win = window_at(wa, widx);
        if (!win) win = window_create(wa, widx);
        uint32_t ngroups = snap_get_u32(r);
        for (uint32_t j = 0; j < ngroups && !r->failed; j++) {
            uint32_t klen;
            const uint8_t *key = snap_get_bytes(r, &klen);
            if (r->failed) break;
            gkey *k = gkey_find(wa, key, klen, hash_bytes(key, klen));
            agg_block_restore(&wa->aggs, key_block(wa, k, win), r);
        }
    }
    return snap_check(r, "WindowAggregate");
}

static int restore_sessions(window_agg *wa, snap_reader *r)
{
    chunk_t *row = chunk_new_types(wa->pool.ncols, wa->pool.types, 1);
    value_t v;
    uint32_t nkeys = snap_get_u32(r);
    for (uint32_t i = 0; i < nkeys && !r->failed; i++) {
        uint32_t klen;
        const void *key = snap_get_bytes(r, &klen);
        if (r->failed) break;
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
            session_row sr = {t, rowpool_add(&wa->pool, row, 0, NULL, op)};
            VEC_PUSH(sk->rows, sr);
        }
    }
    chunk_free(row);
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

static void windows_destroy(window_agg *wa)
{
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&wa->windows, &pos, &e);) {
        window_t *win = e->val;
        for (uint32_t i = 0; i < win->ngroups; i++) agg_block_destroy(&wa->aggs, group_block(window_group(wa, win, i)));
        for (size_t i = 0; i < win->pages.len; i++) free(win->pages.items[i]);
        VEC_FREE(win->pages);
        free(win);
    }
    hmap_free(&wa->windows);
    gkey *k;
    for (size_t pos = 0; (k = hidx_next(&wa->gkeys, &pos));) {
        if (k->ring != k->inline_ring) free(k->ring);
        if (k->klen > KEY_INLINE) free(k->key);
    }
    hidx_free(&wa->gkeys);
    for (size_t i = 0; i < wa->key_slabs.len; i++) free(wa->key_slabs.items[i]);
    VEC_FREE(wa->key_slabs);
    for (size_t i = 0; i < wa->spare_pages.len; i++) free(wa->spare_pages.items[i]);
    VEC_FREE(wa->spare_pages);
    VEC_FREE(wa->sort_a);
    VEC_FREE(wa->sort_b);
}

static void wa_destroy(op_t *op)
{
    window_agg *wa = wagg(op);
    windows_destroy(wa);
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&wa->skeys, &pos, &e);) {
        session_key *sk = e->val;
        VEC_FREE(sk->sessions);
        VEC_FREE(sk->rows);
        free(sk);
    }
    hmap_free(&wa->skeys);
    VEC_FREE(wa->heap);
    VEC_FREE(wa->firing);
    if (wa->pool.types) rowpool_free(&wa->pool);
    agg_block_destroy(&wa->aggs, wa->discard);
    free(wa->discard);
    free(wa->sblock);
    agg_set_free(&wa->aggs);
    chunk_free(wa->dense);
    chunk_free(wa->batch);
    chunk_free(wa->out);
    free(wa->keys);
    free(wa->props);
    free(wa->prop_vals);
    free(wa->need);
    free(wa->scols);
    if (wa->w.kind == WIN_SESSION) free(wa->calls);
    free(wa->times);
    free(wa->koff);
    free(wa->klen);
    free(wa->khash);
    free(wa->kbuf);
    free(wa->wfirst);
    free(wa->nwin);
    free(wa->dropped);
    free(wa->rowkey);
    free(wa->blocks);
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
    rowpool_init(&wa->pool, (uint32_t)n, types);
    wa->batch = chunk_new_types((uint32_t)n, types, CHUNK_CAP);
    free(types);
}

static void need_column(window_agg *wa, int col)
{
    if (col < 0) return;
    for (int i = 0; i < wa->nneed; i++)
        if (wa->need[i] == col) return;
    wa->need[wa->nneed++] = col;
}

/* The input columns a chunk must provide: keys, time, aggregate arguments and filters. */
static void needed_columns(window_agg *wa, const agg_call *aggs, int naggs)
{
    wa->need = xcalloc((size_t)wa->nkeys + 2 * (size_t)naggs + 1, sizeof *wa->need);
    for (int i = 0; i < wa->nkeys; i++) need_column(wa, wa->keys[i]);
    if (!wa->w.proctime) need_column(wa, wa->w.time_col);
    for (int i = 0; i < naggs; i++) {
        need_column(wa, aggs[i].arg_col);
        need_column(wa, aggs[i].filter_col);
    }
}

/* Key entries hold a ring of at least windows-per-row + 1 slots (a key's windows plus one
 * more while the previous one waits for the watermark) and short keys inline. */
static void fixed_layout(window_agg *wa)
{
    wa->ring_inline = 2;
    while (wa->ring_inline < wa->max_windows + 1) wa->ring_inline *= 2;
    wa->gkey_size = sizeof(gkey) + wa->ring_inline * sizeof(wslot) + KEY_INLINE;
    wa->group_size = (sizeof(wgroup) + wa->aggs.block_size + 15) & ~(size_t)15;
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
    wa->prop_vals = xcalloc(nprops ? nprops : 1, sizeof *wa->prop_vals);
    needed_columns(wa, aggs, naggs);
    if (w->kind == WIN_SESSION) session_layout(wa, aggs, naggs);
    else wa->calls = aggs;
    agg_set_init(&wa->aggs, wa->calls, naggs);
    wa->max_windows = windows_per_row(w);
    fixed_layout(wa);
    hmap_init(&wa->windows);
    hidx_init(&wa->gkeys);
    kbuf_reserve(wa, 4096); /* keys of zero columns still need a buffer to point at */
    hmap_init(&wa->skeys);
    wa->discard = xmalloc(wa->aggs.block_size);
    agg_block_init(&wa->aggs, wa->discard);
    wa->sblock = xmalloc(wa->aggs.block_size);
    wa->times = xcalloc(CHUNK_CAP, sizeof *wa->times);
    wa->koff = xcalloc(CHUNK_CAP, sizeof *wa->koff);
    wa->klen = xcalloc(CHUNK_CAP, sizeof *wa->klen);
    wa->khash = xcalloc(CHUNK_CAP, sizeof *wa->khash);
    wa->wfirst = xcalloc(CHUNK_CAP, sizeof *wa->wfirst);
    wa->nwin = xcalloc(CHUNK_CAP, sizeof *wa->nwin);
    wa->dropped = xcalloc(CHUNK_CAP, sizeof *wa->dropped);
    wa->rowkey = xcalloc(CHUNK_CAP, sizeof *wa->rowkey);
    wa->blocks = xcalloc(CHUNK_CAP, sizeof *wa->blocks);
    if (w->kind == WIN_SESSION)
        for (uint32_t i = 0; i < CHUNK_CAP; i++) wa->blocks[i] = wa->sblock;
    wa->vals = xcalloc(naggs ? naggs : 1, sizeof *wa->vals);
    wa->out = chunk_new(out, CHUNK_CAP);
    return &wa->op;
}
