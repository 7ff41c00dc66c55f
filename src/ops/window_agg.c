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
 * (expr/agg.h), after a copy of the key's first 16 bytes so that ordering and emitting a
 * window rarely visit the key entries. A chunk is processed with one agg_block_update per
 * window position k (k < windows per row): blocks[i] is the block of row i's k-th window's
 * group, or a scratch "discard" block for rows without a k-th window or whose k-th window
 * already fired; the blocks are found row by row (a row's key entry and ring are visited
 * once for all its windows, up to 16 positions per pass), the key entries and rings of rows
 * a few ahead prefetched. New groups copy an initialised block when
 * initialising is position-independent (checked once: two initialisations, same bytes). Firing a window does not touch its keys' entries: a ring
 * slot of a fired window counts as free (a window never opens again once it fired, so a
 * processing-time row whose window already fired is late too), and after windows fired a
 * sweep over the compact per-slab "last fire time" arrays frees the entries all of whose
 * windows fired.
 *
 * Slicing (HOP, CUMULATE). The units of state above are then slices, not windows: the grid of
 * gcd(size, slide) (CUMULATE: the step), so a row updates only its own slice and a key keeps
 * one block per slice in which it appeared. A slice lives until the last window containing
 * it fired (its fire_at is that window's). Creating a slice registers the windows containing
 * it that are not late (`pending`, by window end) in the fire queue. Firing a window puts each
 * of its slices' groups in key order (ordered as a window's, below, then moved into fresh pages
 * in that order, their ring slots following; redone only when the slice gained groups since)
 * and merges those sorted slices through a small heap: equal keys are the same key entry, and
 * their blocks are merged (agg_block_merge, in slice order) into one of CHUNK_CAP scratch
 * blocks per output row. So a window costs no sort of its own and no state beyond a chunk's
 * blocks. Slices all of whose windows fired are freed after the firing pass.
 *
 * Running window (HOP whose aggregates are all invertible, agg_set_invertible). The merged
 * groups of a firing window are kept, in key order, as the `run` (a window_t of its own);
 * after the window is emitted its oldest slide's slices are taken back out of them
 * (agg_block_unmerge, found by walking both in key order) and the groups left with a fresh
 * block dropped, so the run is the merge of the slices [run_lo, run_hi) shared with the next
 * window. That window then merges the run with its newer slices only (two heads
 * instead of size / gcd(size, slide): a plain two-way merge, each new group a copy of its
 * first source group). Integer arithmetic makes this exact. Any row that
 * updates a slice of the run (a row late for the fired window), or a firing that does not
 * start at run_lo, discards the run and the window is merged from all its slices again.
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
 * of their first 16 key bytes, restricted to the bits in which the window's keys differ
 * (one or two 11-bit passes for typical integer keys), ties broken by comparing the whole
 * keys; then its rows are written column by column. Then the state is freed and the
 * watermark forwarded. With a pushed-down Top-N (window_agg_set_topn) a firing window's rows
 * go through a stage that keeps only its best N rows per partition (see "top-N at firing").
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
 * nwindows and per window (per slice for HOP/CUMULATE) i64 start, i64 end, u32 ngroups, per
 * group the key bytes and agg_block_snapshot; for sessions u32 nkeys and per key the key bytes, u32 nsessions with
 * i64 start/end each, u32 nrows with i64 time, u8 op and the stored column values each. */
#include "ops/ops.h"
#include "ops/rowpool.h"
#include "base/hashmap.h"
#include "base/util.h"
#include "base/err.h"
#include "base/civil.h"
#include <endian.h>
#include <stdlib.h>

#define SNAP_VERSION 2
#define WIDX_NONE INT64_MIN       /* free ring slot */
#define KEY_INLINE 16             /* key bytes stored inside a key entry */
#define GROUP_PAGE 1024           /* group entries per page of a window */
#define KEY_SLAB 256              /* key entries allocated at once */
#define KEY_FREE INT64_MIN        /* key_slab.last_fire of an unused entry */
#define SMALL_SORT 16             /* below this many groups, insertion sort */
#define RADIX_BITS 11             /* widest radix digit (a 2^11 x 4-byte histogram per pass) */
#define PREFETCH_AHEAD 8          /* rows or groups ahead whose memory is prefetched */
#define EMIT_AHEAD 96              /* groups ahead prefetched while emitting in key order */
#define KPASS 16                  /* window positions assigned per pass over a chunk's rows */
#define CHUNK_WINDOWS 64          /* windows of a chunk's table (chunk_window) */
#define CW_LATE ((window_t *)1)

/* ---- state ---- */

typedef struct wgroup wgroup;

typedef struct wslot {            /* a key's group in one open window */
    int64_t widx;                 /* window index, WIDX_NONE for a free slot */
    wgroup *group;
} wslot;

typedef struct gkey {             /* a group key that has groups in open windows */
    uint64_t hash;
    uint32_t klen;
    uint32_t pad;
    uint8_t inline_key[KEY_INLINE];  /* the first KEY_INLINE key bytes, zero-padded */
    uint64_t mask;                /* ring capacity - 1 (a power of two) */
    wslot *ring;                  /* inline_ring, or malloc'ed once the key outgrew it */
    uint8_t *key;                 /* the encoded key: inline_key, or malloc'ed when longer */
    int64_t *last_fire;           /* its cell in the slab: the latest fire_at of its windows */
    int64_t latest;               /* the same value, read here (*last_fire is written only
                                     when it grows) */
    struct gkey *next_free;       /* free list of the key slabs */
    wslot inline_ring[];          /* wa->ring_inline slots */
} gkey;

typedef struct key_slab {         /* KEY_SLAB key entries; last_fire is scanned by key_sweep */
    int64_t last_fire[KEY_SLAB];  /* KEY_FREE for unused entries */
    uint8_t entries[];
} key_slab;

struct wgroup {                   /* a group entry; its aggregate block follows */
    gkey *key;
    uint32_t klen;
    uint32_t pad;
    uint8_t kbytes[KEY_INLINE];   /* the key's first bytes (all of a short key): sorting and
                                     output need not visit the key entry */
};

typedef struct sort_item {        /* a group being ordered for output */
    uint64_t hi, lo;              /* its first 16 key bytes as big-endian numbers */
    wgroup *group;
} sort_item;

typedef struct window {
    int64_t widx;
    int64_t start, end;           /* [start, end) in the reading */
    int64_t fire_at;
    VEC(uint8_t *) pages;         /* group entries in arrival order, GROUP_PAGE per page */
    uint32_t ngroups;
    uint32_t sorted;              /* slices: groups 0..sorted-1 are in key order */
} window_t;

typedef struct slice_head {       /* a slice's next group in key order, while merging */
    const window_t *slice;
    wgroup *g;                    /* the slice's group number pos */
    uint64_t hi, lo;              /* its first 16 key bytes as big-endian numbers (compared
                                     without visiting the group) */
    uint32_t pos;
} slice_head;


typedef struct packed_item {      /* a group being ordered by the bits in which keys differ */
    uint64_t packed;
    wgroup *group;
} packed_item;

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

typedef struct topn_entry {
    uint32_t ref;                 /* the row in wa->topn_pool */
    uint32_t seq;                 /* its emission index within the window */
} topn_entry;

typedef struct topn_part {
    uint32_t len, cap;
    topn_entry *rows;             /* rank order, at most limit */
} topn_part;

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
    int64_t max_windows;          /* windows per row (1 when sliced) */
    int sliced;                   /* HOP/CUMULATE: state per slice, windows merged at firing */
    int64_t slice_us;             /* slice length (gcd(size, slide); CUMULATE: the step) */
    hmap_t pending;               /* sliced: i64 end of each registered, unfired window */
    VEC(slice_head) heads;        /* sliced firing: the window's slices, merged in key order */
    VEC(uint32_t) head_heap;      /*   min-heap of head indexes by their group's key */
    void *mblocks;                /*   CHUNK_CAP blocks of merged groups being emitted */
    int run_ok;                   /* HOP with invertible aggregates: a running window is kept */
    window_t *run;                /*   the merge of slices [run_lo, run_hi), key order; or NULL */
    int64_t run_lo, run_hi;
    VEC(window_t *) done_slices;  /* scratch of windows_fire */
    /* fixed windows */
    hmap_t windows;               /* i64 window index -> window_t* */
    hidx_t gkeys;                 /* gkey* by hash */
    int64_t fired_limit;          /* every window with fire_at <= this has fired */
    int64_t min_open;             /* lowest index of an open window (INT64_MAX: none) */
    uint32_t fired_windows;       /* windows fired since the last key_sweep */
    uint32_t ring_inline;         /* ring slots inside a key entry (power of two) */
    size_t gkey_size;             /* bytes of one key entry */
    size_t group_size;            /* bytes of one group entry (header + block) */
    VEC(key_slab *) key_slabs;
    VEC(gkey *) dead;             /* scratch of key_sweep */
    gkey *free_keys;
    VEC(uint8_t *) spare_pages;   /* group pages ready for reuse */
    VEC(sort_item) sort_a, sort_b;  /* scratch of window_order */
    VEC(packed_item) pk_a, pk_b;
    VEC(uint8_t) same;
    VEC(wgroup *) order;          /* a firing window's groups in output order */
    uint32_t (*radix_count)[1 << RADIX_BITS];  /* histograms, one per pass (at most 6) */
    window_t *last_win;           /* lookup cache */
    int64_t cw_base;              /* the chunk's window table (chunk_window) */
    window_t *cw[CHUNK_WINDOWS];
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
    void **blocks;                /* sessions: every row's block (sblock) */
    void **kblocks;               /* KPASS x CHUNK_CAP blocks, by window position and row */
    void *discard;                /* block that absorbs updates of unassigned rows */
    void *fresh;                  /* an initialised block, copied into new groups; NULL when
                                     agg_block_init must run for each (see fresh_block) */
    void *sblock;                 /* block of a firing session */
    chunk_t *out;
    value_t *vals;
    const uint8_t **ekeys;        /* keys, blocks and decoding cursors of rows being emitted */
    void **eblocks;
    const uint8_t **ecur;
    /* top-N at firing (window_agg_set_topn) */
    int64_t topn_limit;           /* 0: every group is emitted */
    int *topn_part;               /* output columns partitioning a window's rows */
    int topn_npart;
    sort_key *topn_order;         /* over output columns */
    int topn_norder;
    int staging;                  /* a window is emitting into the stage */
    chunk_t *topn_stage;          /* the output chunk while staging (swapped with out) */
    uint32_t topn_seq;            /* rows staged so far in the window */
    row_pool topn_pool;           /* kept rows */
    hmap_t topn_parts;            /* partition value bytes -> topn_part* */
    topn_part topn_single;        /* the partition when there are no partition columns */
    VEC(uint8_t) topn_key;
    VEC(topn_entry) topn_kept;    /* scratch of topn_end */
    int topn_fixed_part;          /* every partition column is a window property: a window's
                                     rows all go to one partition */
    topn_part *topn_cur;          /*   that partition once the window's first rows found it */
    int topn_prefilter_call;      /* the aggregate call whose result is the first order key
                                     (an integer), or -1: see topn_prefilter */
    const uint8_t **pf_keys;      /* scratch of topn_prefilter */
    void **pf_blocks;
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
    if (wa->sliced) {
        *start = w->offset_us + widx * wa->slice_us;
        *end = *start + wa->slice_us;
        return;
    }
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
    if (wa->sliced) return floor_div(start - w->offset_us, wa->slice_us);
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
    if (wa->sliced) {
        *first = floor_div(t - w->offset_us, wa->slice_us);
        return 1;
    }
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

/* ---- slices (HOP, CUMULATE) ---- */

/* The end of the last window containing the slice starting at `start`. */
static int64_t slice_last_end(const window_agg *wa, int64_t start)
{
    const window_spec *w = &wa->w;
    int64_t step = w->kind == WIN_HOP ? w->slide_us : w->size_us;
    return w->offset_us + floor_div(start - w->offset_us, step) * step + w->size_us;
}

/* The end a window or slice [start, end) must wait for before it can be freed. */
static int64_t state_end(const window_agg *wa, int64_t start, int64_t end)
{
    return wa->sliced ? slice_last_end(wa, start) : end;
}

/* The start of the window ending at `end` (HOP: end - size; CUMULATE: its period start). */
static int64_t sliced_window_start(const window_agg *wa, int64_t end)
{
    const window_spec *w = &wa->w;
    if (w->kind == WIN_HOP) return end - w->size_us;
    return w->offset_us + floor_div(end - 1 - w->offset_us, w->size_us) * w->size_us;
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

/* Decode one string value at p into v's row r (bytes into arena a); returns the bytes read. */
static size_t decode_string(const uint8_t *p, vector_t *v, uint32_t r, arena_t *a)
{
    const uint8_t *start = p, *q = p;
    uint32_t len = 0;
    for (; !(q[0] == 0 && q[1] == 0); q += q[0] ? 1 : 2) len++;
    char *dst = arena_alloc(a, len ? len : 1);
    for (uint32_t i = 0; i < len; i++) {
        dst[i] = (char)*p;
        p += *p ? 1 : 2;
    }
    v->nulls[r] = 0;
    v->str[r] = str_view(dst, len);
    return (size_t)(q + 2 - start);
}

/* Write the values of keys[0..m-1] into rows r0.. of out's first nkeys columns, column by
 * column (cur: scratch cursors, one per row; strings into out's arena). */
static void decode_keys(const window_agg *wa, const uint8_t **keys, const uint8_t **cur, uint32_t m,
                        chunk_t *out, uint32_t r0)
{
    memcpy(cur, keys, m * sizeof *cur);
    for (int k = 0; k < wa->nkeys; k++) {
        vector_t *v = &out->cols[k];
        int phys = type_phys(v->type);
        for (uint32_t i = 0; i < m; i++) {
            const uint8_t *p = cur[i];
            uint32_t r = r0 + i;
            if (!*p++) {
                value_t null = value_null();
                vector_set(v, r, &null, NULL);
            } else if (phys == PHYS_STR) {
                p += decode_string(p, v, r, &out->arena);
            } else {
                uint64_t u = get_u64_be(p);
                p += 8;
                v->nulls[r] = 0;
                if (phys == PHYS_F64) v->f64[r] = double_from_order_bits(u);
                else v->i64[r] = (int64_t)(u ^ (UINT64_C(1) << 63));
            }
            cur[i] = p;
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

static void *group_block(wgroup *g) { return g + 1; }

static void topn_absorb(window_agg *wa);

/* Send the output chunk on (while a top-N window is staging: offer its rows instead). */
static int flush_out(window_agg *wa)
{
    if (wa->staging) {
        topn_absorb(wa);
        return 0;
    }
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

/* Append rows for the groups keys[i], blocks[i] (i < m, m <= room left in out), with the
 * properties from set_props: keys and properties column by column, then the results. */
static uint32_t topn_prefilter(window_agg *wa, const uint8_t ***keys, void ***blocks, uint32_t m);

static void emit_rows(window_agg *wa, const uint8_t **keys, void **blocks, uint32_t m)
{
    m = topn_prefilter(wa, &keys, &blocks, m);
    chunk_t *o = wa->out;
    uint32_t r0 = o->nrows;
    memset(o->ops + r0, OP_INSERT, m);
    decode_keys(wa, keys, wa->ecur, m, o, r0);
    int pcol = wa->nkeys + wa->aggs.ncalls;
    for (int j = 0; j < wa->nprops; j++) {
        vector_t *v = &o->cols[pcol + j];
        memset(v->nulls + r0, 0, m);
        for (uint32_t i = 0; i < m; i++) v->i64[r0 + i] = wa->prop_vals[j];
    }
    for (int j = 0; j < wa->aggs.ncalls; j++)
        agg_blocks_result_column(&wa->aggs, j, blocks, m, &o->cols[wa->nkeys + j], r0, &o->arena);
    o->nrows += m;
}

/* While a top-N window stages into a partition that is already full: drop the groups
 * keys/blocks[0..m-1] whose first order value (an aggregate result) ranks strictly after the
 * partition's last kept row, before their rows are made; they could not enter (the kept rows
 * only get better). Returns the number left, compacted into wa->pf_keys/pf_blocks. */
static uint32_t topn_prefilter(window_agg *wa, const uint8_t ***keys, void ***blocks, uint32_t m)
{
    const topn_part *p = wa->topn_cur;
    if (!wa->staging || wa->topn_prefilter_call < 0 || !p || p->len < wa->topn_limit) return m;
    const sort_key *sk = &wa->topn_order[0];
    uint32_t last = p->rows[p->len - 1].ref;
    const vector_t *lv = &rowpool_chunk(&wa->topn_pool, last)->cols[sk->col];
    uint32_t lr = rowpool_row(last);
    if (lv->nulls[lr]) return m;
    int64_t thr = lv->i64[lr];
    vector_t *v = &wa->out->cols[sk->col];
    uint32_t r0 = wa->out->nrows;
    agg_blocks_result_column(&wa->aggs, wa->topn_prefilter_call, *blocks, m, v, r0, &wa->out->arena);
    uint32_t kept = 0;
    for (uint32_t i = 0; i < m; i++) {
        int64_t x = v->i64[r0 + i];
        int after = v->nulls[r0 + i] ? 0 : sk->desc ? x < thr : x > thr;
        wa->pf_keys[kept] = (*keys)[i];
        wa->pf_blocks[kept] = (*blocks)[i];
        kept += !after;
    }
    *keys = wa->pf_keys;
    *blocks = wa->pf_blocks;
    return kept;
}

/* Append the rows of groups g[0..n-1] (properties from set_props); groups whose rows were
 * all retracted produce none. */
static int emit_groups(window_agg *wa, wgroup *const *g, uint32_t n)
{
    uint32_t done = 0;
    while (done < n) {
        if (chunk_full(wa->out) && flush_out(wa) < 0) return -1;
        uint32_t room = wa->out->cap - wa->out->nrows, m = 0;
        for (; done < n && m < room; done++) {
            if (done + EMIT_AHEAD < n) __builtin_prefetch(group_block(g[done + EMIT_AHEAD]));
            void *block = group_block(g[done]);
            if (agg_block_count(block) <= 0) continue;
            wa->ekeys[m] = g[done]->klen <= KEY_INLINE ? g[done]->kbytes : g[done]->key->key;
            wa->eblocks[m++] = block;
        }
        emit_rows(wa, wa->ekeys, wa->eblocks, m);
    }
    return 0;
}

/* Append one session's row (properties from set_props), unless all its rows were retracted. */
static int emit_session(window_agg *wa, const uint8_t *key, void *block)
{
    if (agg_block_count(block) <= 0) return 0;
    if (chunk_full(wa->out) && flush_out(wa) < 0) return -1;
    emit_rows(wa, &key, &block, 1);
    return 0;
}

/* ---- key entries (fixed windows) ----
 * A key entry's ring slot names a group of one of its windows. Slots are not cleared when
 * their window fires: a slot whose window is no longer in the window map counts as free (a
 * fired window never opens again: window_at refuses windows with fire_at <= fired_limit).
 * Likewise a key entry is not touched when its windows fire: key_sweep frees the entries
 * whose latest window fired, scanning the slabs' compact last_fire arrays. Entries are
 * recycled with their inline rings as they are (only slots of fired windows). */

/* Prefetch a key entry with its inline ring (most of a row's windows' slots). */
static void prefetch_key(const window_agg *wa, const gkey *k)
{
    for (size_t off = 0; off < wa->gkey_size; off += 64) __builtin_prefetch((const char *)k + off, 1);
}

static gkey *gkey_alloc(window_agg *wa)
{
    if (!wa->free_keys) {
        key_slab *slab = xmalloc(sizeof *slab + KEY_SLAB * wa->gkey_size);
        VEC_PUSH(wa->key_slabs, slab);
        for (size_t i = KEY_SLAB; i-- > 0;) {
            gkey *k = (gkey *)(slab->entries + i * wa->gkey_size);
            for (uint32_t j = 0; j < wa->ring_inline; j++) k->inline_ring[j].widx = WIDX_NONE;
            slab->last_fire[i] = KEY_FREE;
            k->last_fire = &slab->last_fire[i];
            k->next_free = wa->free_keys;
            wa->free_keys = k;
        }
    }
    gkey *k = wa->free_keys;
    wa->free_keys = k->next_free;
    if (wa->free_keys) prefetch_key(wa, wa->free_keys);   /* the next new key's entry */
    return k;
}

/* A new key entry; its first key_block sets its last_fire. Its ring is the inline one, as
 * the slab or the entry's previous key left it: every slot free or of a fired window. */
static gkey *gkey_new(window_agg *wa, const uint8_t *key, uint32_t klen, uint64_t hash)
{
    gkey *k = gkey_alloc(wa);
    k->hash = hash;
    k->klen = klen;
    k->mask = wa->ring_inline - 1;
    k->ring = k->inline_ring;
    k->latest = KEY_FREE;
    memset(k->inline_key, 0, KEY_INLINE);
    memcpy(k->inline_key, key, MIN(klen, KEY_INLINE));
    k->key = k->inline_key;
    if (klen > KEY_INLINE) {
        k->key = xmalloc(klen);
        memcpy(k->key, key, klen);
    }
    hidx_add(&wa->gkeys, hash, k);
    return k;
}

static void gkey_release(window_agg *wa, gkey *k)
{
    hidx_remove(&wa->gkeys, k->hash, k);
    if (k->ring != k->inline_ring) free(k->ring);
    if (k->klen > KEY_INLINE) free(k->key);
    *k->last_fire = KEY_FREE;
    k->next_free = wa->free_keys;
    wa->free_keys = k;
}

/* Equal byte strings of length n; inline, as keys are short. */
static int key_equal(const uint8_t *a, const uint8_t *b, uint32_t n)
{
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y) return 0;
    }
    while (n--)
        if (*a++ != *b++) return 0;
    return 1;
}

static gkey *gkey_find(window_agg *wa, const uint8_t *key, uint32_t klen, uint64_t hash)
{
    gkey *k;
    for (size_t p = hidx_first(&wa->gkeys, hash); (k = hidx_match(&wa->gkeys, hash, &p));)
        if (k->klen == klen && key_equal(k->key, key, klen)) return k;
    return gkey_new(wa, key, klen, hash);
}

/* Free the key entries all of whose windows fired (collected first, then released with
 * their entries and hash slots prefetched). */
static void key_sweep(window_agg *wa)
{
    wa->dead.len = 0;
    for (size_t i = 0; i < wa->key_slabs.len; i++) {
        key_slab *slab = wa->key_slabs.items[i];
        for (size_t j = 0; j < KEY_SLAB; j++) {
            int64_t f = slab->last_fire[j];
            if (f != KEY_FREE && f <= wa->fired_limit) VEC_PUSH(wa->dead, (gkey *)(slab->entries + j * wa->gkey_size));
        }
    }
    gkey **dead = wa->dead.items;
    for (size_t i = 0; i < wa->dead.len; i++) {
        if (i + 2 * PREFETCH_AHEAD < wa->dead.len) __builtin_prefetch(dead[i + 2 * PREFETCH_AHEAD]);
        if (i + PREFETCH_AHEAD < wa->dead.len)
            __builtin_prefetch(&wa->gkeys.slots[hidx_first(&wa->gkeys, dead[i + PREFETCH_AHEAD]->hash)]);
        gkey_release(wa, dead[i]);
    }
}

static wslot *ring_slot(const gkey *k, int64_t widx) { return &k->ring[(uint64_t)widx & k->mask]; }

static uint64_t widx_hash(int64_t widx) { return hash_bytes(&widx, sizeof widx); }

/* The slot holds a group of a window that is still open (a window is open while it is in
 * the map, and a fired window never opens again). */
static int slot_open(const window_agg *wa, const wslot *s)
{
    if (s->widx == WIDX_NONE || s->widx < wa->min_open) return 0;
    return hmap_get((hmap_t *)&wa->windows, &s->widx, sizeof s->widx, widx_hash(s->widx)) != NULL;
}

/* Make room for widx next to the key's open windows: double the ring until they all fit. */
static void ring_grow(const window_agg *wa, gkey *k, int64_t widx)
{
    int64_t lo = widx, hi = widx;
    for (uint64_t j = 0; j <= k->mask; j++) {
        if (!slot_open(wa, &k->ring[j])) continue;
        lo = MIN(lo, k->ring[j].widx);
        hi = MAX(hi, k->ring[j].widx);
    }
    uint64_t cap = (k->mask + 1) * 2;
    while (cap <= (uint64_t)(hi - lo)) cap *= 2;
    wslot *ring = xmalloc(cap * sizeof *ring);
    for (uint64_t j = 0; j < cap; j++) ring[j].widx = WIDX_NONE;
    for (uint64_t j = 0; j <= k->mask; j++)
        if (slot_open(wa, &k->ring[j])) ring[(uint64_t)k->ring[j].widx & (cap - 1)] = k->ring[j];
    if (k->ring != k->inline_ring) free(k->ring);
    k->ring = ring;
    k->mask = cap - 1;
}

/* ---- windows (TUMBLE / HOP / CUMULATE) ---- */

/* memcpy of a small block, inline (block sizes are multiples of 8) */
static void copy_words(void *dst, const void *src, size_t n)
{
    uint64_t *d = dst;
    const uint64_t *s = src;
    for (size_t i = 0; i < n / 8; i++) d[i] = s[i];
    if (n % 8) memcpy((char *)dst + n / 8 * 8, (const char *)src + n / 8 * 8, n % 8);
}

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
    g->klen = k->klen;
    memcpy(g->kbytes, k->inline_key, KEY_INLINE);
    if (wa->fresh) copy_words(group_block(g), wa->fresh, wa->aggs.block_size);
    else agg_block_init(&wa->aggs, group_block(g));
    return g;
}

/* Queue the window ending at `end` unless it is queued, fired or late. */
static void window_register(window_agg *wa, int64_t end)
{
    int64_t at = fire_time(wa, end);
    if (window_is_late(wa, end) || at <= wa->fired_limit) return;
    int created = 0;
    hmap_put(&wa->pending, &end, sizeof end, widx_hash(end), &created);
    if (created) heap_push(wa, (fire_entry){at, end, sliced_window_start(wa, end), NULL});
}

/* Queue the windows containing the slice [start, end): HOP windows [ws, ws + size) with
 * ws <= start on the slide grid and ws + size >= end; CUMULATE windows of the slice's period
 * ending at or after end. */
static void slice_register_windows(window_agg *wa, int64_t start, int64_t end)
{
    int64_t step = wa->w.slide_us, last = slice_last_end(wa, start);
    if (wa->w.kind == WIN_HOP) {
        for (int64_t we = last; we >= end; we -= step) window_register(wa, we);
        return;
    }
    for (int64_t we = end; we <= last; we += step) window_register(wa, we);
}

static window_t *window_create(window_agg *wa, int64_t widx)
{
    window_t *win = xcalloc(1, sizeof *win);
    win->widx = widx;
    window_bounds(wa, widx, &win->start, &win->end);
    win->fire_at = fire_time(wa, state_end(wa, win->start, win->end));
    wa->min_open = MIN(wa->min_open, widx);
    *hmap_put(&wa->windows, &widx, sizeof widx, widx_hash(widx), NULL) = win;
    if (wa->sliced) slice_register_windows(wa, win->start, win->end);
    else heap_push(wa, (fire_entry){win->fire_at, win->end, win->start, win});
    return win;
}

/* Forget the window: its groups must have been emitted or destroyed. */
static void window_free(window_agg *wa, window_t *win)
{
    hmap_del(&wa->windows, &win->widx, sizeof win->widx, widx_hash(win->widx));
    if (wa->last_win == win) wa->last_win = NULL;
    if (win->widx == wa->min_open) {
        wa->min_open = INT64_MAX;
        hmap_entry *e;
        for (size_t pos = 0; hmap_next(&wa->windows, &pos, &e);) wa->min_open = MIN(wa->min_open, ((window_t *)e->val)->widx);
    }
    for (size_t i = 0; i < win->pages.len; i++) VEC_PUSH(wa->spare_pages, win->pages.items[i]);
    VEC_FREE(win->pages);
    free(win);
}

/* The open window widx, created on first use; NULL when it is late (it fired, or the
 * watermark passed it). */
static window_t *window_at(window_agg *wa, int64_t widx)
{
    if (wa->last_win && wa->last_win->widx == widx) return wa->last_win;
    void **slot = hmap_get(&wa->windows, &widx, sizeof widx, widx_hash(widx));
    window_t *win = slot ? *slot : NULL;
    if (!win) {
        int64_t start, end;
        window_bounds(wa, widx, &start, &end);
        end = state_end(wa, start, end);
        if (window_is_late(wa, end) || fire_time(wa, end) <= wa->fired_limit) return NULL;
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
    if (slot_open(wa, s)) {
        ring_grow(wa, k, win->widx);
        s = ring_slot(k, win->widx);
    }
    s->widx = win->widx;
    s->group = window_add_group(wa, win, k);
    if (k->latest < win->fire_at) *k->last_fire = k->latest = win->fire_at;
    return group_block(s->group);
}

static void discard_reset(window_agg *wa)
{
    agg_block_destroy(&wa->aggs, wa->discard);
    agg_block_init(&wa->aggs, wa->discard);
}

/* The key entries of rows 0..n-1 that exist already (NULL for the others), looked up with
 * the hash slots and then the entries of rows a little ahead prefetched. */
static void find_row_keys(window_agg *wa, uint32_t n)
{
    const hidx_t *x = &wa->gkeys;
    for (uint32_t i = 0; i < n; i++) {
        if (x->cap && i + 2 * PREFETCH_AHEAD < n)
            __builtin_prefetch(&x->slots[hidx_first(x, wa->khash[i + 2 * PREFETCH_AHEAD])]);
        if (x->cap && i + PREFETCH_AHEAD < n) {
            const hidx_slot *s = &x->slots[hidx_first(x, wa->khash[i + PREFETCH_AHEAD])];
            if (s->item) __builtin_prefetch(s->item);
        }
        wa->rowkey[i] = NULL;
        if (!wa->nwin[i]) continue;
        gkey *k;
        for (size_t p = hidx_first(x, wa->khash[i]); (k = hidx_match(x, wa->khash[i], &p));)
            if (k->klen == wa->klen[i] && key_equal(k->key, wa->kbuf + wa->koff[i], wa->klen[i])) {
                wa->rowkey[i] = k;
                break;
            }
    }
}

/* Row i's window at position k (HOP counts back from the newest window, the others forward). */
static int64_t row_window(const window_agg *wa, uint32_t i, uint32_t k)
{
    return wa->w.kind == WIN_HOP ? wa->wfirst[i] - (int64_t)k : wa->wfirst[i] + (int64_t)k;
}

/* The chunk's window table: windows cw_base .. cw_base + CHUNK_WINDOWS - 1 as looked up so
 * far in this chunk (NULL: not yet, cw_late: late). Chunks whose rows span more windows use
 * window_at for the others. */
static void chunk_windows_reset(window_agg *wa, uint32_t n)
{
    int64_t lo = INT64_MAX;
    for (uint32_t i = 0; i < n; i++) {
        if (!wa->nwin[i]) continue;
        int64_t first = wa->wfirst[i], last = row_window(wa, i, wa->nwin[i] - 1);
        lo = MIN(lo, MIN(first, last));
    }
    wa->cw_base = lo;
    memset(wa->cw, 0, sizeof wa->cw);
}

static window_t *chunk_window(window_agg *wa, int64_t widx)
{
    uint64_t at = (uint64_t)widx - (uint64_t)wa->cw_base;
    if (at >= CHUNK_WINDOWS) return window_at(wa, widx);
    if (!wa->cw[at]) {
        window_t *win = window_at(wa, widx);
        wa->cw[at] = win ? win : CW_LATE;
    }
    return wa->cw[at] == CW_LATE ? NULL : wa->cw[at];
}

/* Blocks of window positions k0 .. k0 + nk - 1 of rows 0..n-1, row by row (a row's key entry
 * and ring are visited once for all its windows): kblocks[k - k0][i], the discard block when
 * the row has no such window or it is late. Counts the rows with a real block per position. */
static void assign_blocks(window_agg *wa, uint32_t n, uint32_t k0, uint32_t nk, uint32_t *real)
{
    memset(real, 0, nk * sizeof *real);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t ahead = i + PREFETCH_AHEAD;
        if (ahead < n && wa->rowkey[ahead] && k0 < wa->nwin[ahead]) {
            const gkey *k = wa->rowkey[ahead];
            if (k->ring == k->inline_ring) {
                prefetch_key(wa, k);
            } else {
                __builtin_prefetch(ring_slot(k, row_window(wa, ahead, k0)));
                __builtin_prefetch(ring_slot(k, row_window(wa, ahead, MIN(k0 + nk, wa->nwin[ahead]) - 1)));
            }
        }
        for (uint32_t j = 0; j < nk; j++) {
            uint32_t k = k0 + j;
            void *block = wa->discard;
            if (k < wa->nwin[i]) {
                window_t *win = chunk_window(wa, row_window(wa, i, k));
                if (win) {
                    if (!wa->rowkey[i])
                        wa->rowkey[i] = gkey_find(wa, wa->kbuf + wa->koff[i], wa->klen[i], wa->khash[i]);
                    block = key_block(wa, wa->rowkey[i], win);
                    real[j]++;
                } else {
                    wa->dropped[i]++;
                }
            }
            wa->kblocks[(size_t)j * CHUNK_CAP + i] = block;
        }
    }
}

static void run_drop(window_agg *wa);

/* Discard the running window when a row of 0..n-1 updates one of its slices; stop keeping
 * one at the first retraction (a key's slices could then net to nothing while one of them
 * still holds it, which run_expire relies on not happening). */
static void run_check_rows(window_agg *wa, const chunk_t *c, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (!op_is_add(c->ops[i])) {
            wa->run_ok = 0;
            run_drop(wa);
            return;
        }
    if (!wa->run) return;
    for (uint32_t i = 0; i < n; i++)
        if (wa->nwin[i] && wa->wfirst[i] >= wa->run_lo && wa->wfirst[i] < wa->run_hi) {
            run_drop(wa);
            return;
        }
}

static void windows_accumulate(window_agg *wa, const chunk_t *c, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        wa->nwin[i] = row_windows(wa, wa->times[i], &wa->wfirst[i]);
        wa->dropped[i] = 0;
    }
    if (wa->run_ok) run_check_rows(wa, c, n);
    uint32_t most = 0;
    for (uint32_t i = 0; i < n; i++) most = MAX(most, wa->nwin[i]);
    find_row_keys(wa, n);
    chunk_windows_reset(wa, n);
    uint32_t real[KPASS];
    for (uint32_t k0 = 0; k0 < most; k0 += KPASS) {
        uint32_t nk = MIN(KPASS, most - k0);
        assign_blocks(wa, n, k0, nk, real);
        for (uint32_t j = 0; j < nk; j++) {
            if (!real[j]) continue;
            agg_block_update(&wa->aggs, wa->kblocks + (size_t)j * CHUNK_CAP, c, n);
            if (real[j] < n) discard_reset(wa);
        }
    }
    for (uint32_t i = 0; i < n; i++)
        if (wa->nwin[i] && wa->dropped[i] == wa->nwin[i]) wa->op.stats.late++;
}

/* ---- ordering a window's groups ---- */

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

/* Stable LSD radix sort of a[0..n-1] by (hi, lo), one pass per byte in which the items
 * differ; tmp has room for n items. Returns the sorted array (a or tmp). */
static sort_item *radix_sort(sort_item *a, sort_item *tmp, size_t n, uint64_t vary_hi, uint64_t vary_lo)
{
    uint32_t count[256];
    for (int d = 0; d < 16; d++) {
        if ((((d < 8 ? vary_lo : vary_hi) >> (8 * (d % 8))) & 0xFF) == 0) continue;
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++) count[item_digit(&a[i], d)]++;
        uint32_t at = 0;
        for (int b = 0; b < 256; b++) {
            uint32_t c = count[b];
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

/* Stable LSD radix sort of a[0..n-1] by the low `bits` bits of `packed`, in passes of at
 * most RADIX_BITS bits (histograms of all passes counted in one read). */
static packed_item *radix_sort_packed(packed_item *a, packed_item *tmp, size_t n, int bits,
                                      uint32_t (*count)[1 << RADIX_BITS])
{
    int passes = (bits + RADIX_BITS - 1) / RADIX_BITS, width = (bits + passes - 1) / passes;
    uint64_t mask = (UINT64_C(1) << width) - 1;
    memset(count, 0, (size_t)passes * sizeof count[0]);
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < passes; d++) count[d][(a[i].packed >> (d * width)) & mask]++;
    for (int d = 0; d < passes; d++) {
        uint32_t at = 0, *cnt = count[d];
        for (uint64_t b = 0; b <= mask; b++) {
            uint32_t c = cnt[b];
            cnt[b] = at;
            at += c;
        }
        int shift = d * width;
        for (size_t i = 0; i < n; i++) tmp[cnt[(a[i].packed >> shift) & mask]++] = a[i];
        packed_item *t = a;
        a = tmp;
        tmp = t;
    }
    return a;
}

static int group_key_cmp(const wgroup *x, const wgroup *y)
{
    return key_cmp(x->key->key, x->key->klen, y->key->key, y->key->klen);
}

/* Order runs of groups whose sort keys are equal (same[i]: item i's key equals item
 * i - 1's) by their whole keys, in place in g[0..n-1]. */
static void order_ties(wgroup **g, size_t n, const uint8_t *same)
{
    for (size_t run = 0; run < n;) {
        size_t end = run + 1;
        while (end < n && same[end]) end++;
        for (size_t i = run + 1; i < end; i++) {
            wgroup *t = g[i];
            size_t j = i;
            for (; j > run && group_key_cmp(t, g[j - 1]) < 0; j--) g[j] = g[j - 1];
            g[j] = t;
        }
        run = end;
    }
}

static int lowest_bit(unsigned __int128 x)
{
    uint64_t lo = (uint64_t)x;
    return lo ? __builtin_ctzll(lo) : 64 + __builtin_ctzll((uint64_t)(x >> 64));
}

static int highest_bit(unsigned __int128 x)
{
    uint64_t hi = (uint64_t)(x >> 64);
    return hi ? 127 - __builtin_clzll(hi) : 63 - __builtin_clzll((uint64_t)x);
}

static unsigned __int128 item_prefix(const sort_item *it) { return (unsigned __int128)it->hi << 64 | it->lo; }

/* The groups of win in ascending key order, into wa->order.items.
 * The 16-byte prefixes are compared as 128-bit numbers; when the bits in which they differ
 * span at most 64, those bits alone are sorted (16-byte items, a pass per byte), else the
 * whole prefixes are. Equal prefixes are then ordered by their whole keys. */
static void window_order(window_agg *wa, const window_t *win)
{
    size_t n = win->ngroups;
    wa->sort_a.len = wa->sort_b.len = wa->pk_a.len = wa->pk_b.len = wa->order.len = wa->same.len = 0;
    VEC_GROW(wa->sort_a, n);
    VEC_GROW(wa->order, n);
    VEC_GROW(wa->same, n);
    sort_item *a = wa->sort_a.items;
    wgroup **out = wa->order.items;
    uint8_t *same = wa->same.items;
    uint64_t vary_hi = 0, vary_lo = 0;
    uint32_t i = 0;
    for (size_t pg = 0; pg < win->pages.len; pg++) {
        uint8_t *page = win->pages.items[pg];
        uint32_t m = MIN(GROUP_PAGE, win->ngroups - i);
        for (uint32_t j = 0; j < m; j++, i++) {
            wgroup *g = (wgroup *)(page + (size_t)j * wa->group_size);
            if (j + EMIT_AHEAD < m) __builtin_prefetch(page + (size_t)(j + EMIT_AHEAD) * wa->group_size);
            a[i].hi = get_u64_be(g->kbytes);
            a[i].lo = get_u64_be(g->kbytes + 8);
            a[i].group = g;
            vary_hi |= a[i].hi ^ a[0].hi;
            vary_lo |= a[i].lo ^ a[0].lo;
        }
    }
    unsigned __int128 vary = (unsigned __int128)vary_hi << 64 | vary_lo;
    if (n < SMALL_SORT || !vary) {
        insertion_sort(a, n);
        for (size_t k = 0; k < n; k++) out[k] = a[k].group;
        return;
    }
    int low = lowest_bit(vary), bits = highest_bit(vary) - low + 1;
    if (bits <= 64) {
        VEC_GROW(wa->pk_a, n);
        VEC_GROW(wa->pk_b, n);
        packed_item *p = wa->pk_a.items;
        for (size_t k = 0; k < n; k++) {
            p[k].packed = (uint64_t)(item_prefix(&a[k]) >> low);
            p[k].group = a[k].group;
        }
        p = radix_sort_packed(p, wa->pk_b.items, n, bits, wa->radix_count);
        for (size_t k = 0; k < n; k++) {
            out[k] = p[k].group;
            same[k] = k && p[k].packed == p[k - 1].packed;
        }
    } else {
        VEC_GROW(wa->sort_b, n);
        a = radix_sort(a, wa->sort_b.items, n, vary_hi, vary_lo);
        for (size_t k = 0; k < n; k++) {
            out[k] = a[k].group;
            same[k] = k && a[k].hi == a[k - 1].hi && a[k].lo == a[k - 1].lo;
        }
    }
    order_ties(out, n, same);
}

/* ---- top-N at firing (window_agg_set_topn) ----
 * While a window emits, its rows go to a stage chunk instead of the output; each full stage
 * is offered to the window's partitions, each keeping its best `limit` rows (pool copies)
 * sorted by the order keys, ties in emission order: a row tied with the last of a full top N
 * does not enter, exactly as WindowRank ranks the rows it receives in arrival order. When
 * the window is done, the kept rows of every partition are emitted in their emission order,
 * so that a WindowRank downstream sees the same relative order and ranks them identically.
 * When every partition column is a window property, a window has one partition; once it is
 * full, groups whose first order value (an integer aggregate result) ranks strictly after its
 * last kept row are dropped before their rows are made (topn_prefilter). */

static int topn_cmp_double(double a, double b)
{
    if (a != a || b != b) return (a != a) - (b != b);
    return (a > b) - (a < b);
}

/* Order of row ra of a against row rb of b by the top-N order keys (as WindowRank). */
static int topn_cmp(const window_agg *wa, const chunk_t *a, uint32_t ra, const chunk_t *b, uint32_t rb)
{
    for (int k = 0; k < wa->topn_norder; k++) {
        const sort_key *sk = &wa->topn_order[k];
        const vector_t *va = &a->cols[sk->col], *vb = &b->cols[sk->col];
        int na = va->nulls[ra], nb = vb->nulls[rb];
        if (na || nb) {
            if (na && nb) continue;
            return (na ? -1 : 1) * (sk->nulls_first ? 1 : -1);
        }
        int c;
        switch (type_phys(va->type)) {
        case PHYS_I64: c = (va->i64[ra] > vb->i64[rb]) - (va->i64[ra] < vb->i64[rb]); break;
        case PHYS_F64: c = topn_cmp_double(va->f64[ra], vb->f64[rb]); break;
        default: c = str_cmp(&va->str[ra], &vb->str[rb]); break;
        }
        if (c) return sk->desc ? -c : c;
    }
    return 0;
}

/* The partition of stage row r: the only one without partition columns, else found by the
 * bytes of its partition values. */
static topn_part *topn_part_of(window_agg *wa, const chunk_t *c, uint32_t r)
{
    if (!wa->topn_npart) return &wa->topn_single;
    wa->topn_key.len = 0;
    for (int k = 0; k < wa->topn_npart; k++) {
        const vector_t *v = &c->cols[wa->topn_part[k]];
        uint8_t null = v->nulls[r];
        VEC_PUSH(wa->topn_key, null);
        if (null) continue;
        const uint8_t *p;
        uint32_t n;
        if (type_phys(v->type) == PHYS_STR) {
            n = v->str[r].len;
            for (int s = 0; s < 4; s++) VEC_PUSH(wa->topn_key, (uint8_t)(n >> (8 * s)));
            p = (const uint8_t *)str_ptr(&v->str[r]);
        } else {
            n = 8;
            p = (const uint8_t *)&v->i64[r];
        }
        for (uint32_t i = 0; i < n; i++) VEC_PUSH(wa->topn_key, p[i]);
    }
    uint32_t klen = (uint32_t)wa->topn_key.len;
    int created;
    void **slot = hmap_put(&wa->topn_parts, wa->topn_key.items, klen, hash_bytes(wa->topn_key.items, klen), &created);
    if (created) *slot = xcalloc(1, sizeof(topn_part));
    return *slot;
}

/* Keep stage row r in its partition when it ranks within the limit. */
static void topn_offer(window_agg *wa, topn_part *p, const chunk_t *c, uint32_t r, uint32_t seq)
{
    const row_pool *pool = &wa->topn_pool;
    if (p->len == wa->topn_limit) {
        uint32_t last = p->rows[p->len - 1].ref;
        if (topn_cmp(wa, c, r, rowpool_chunk(pool, last), rowpool_row(last)) >= 0) return;
    }
    uint32_t lo = 0, hi = p->len;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2, ref = p->rows[mid].ref;
        if (topn_cmp(wa, c, r, rowpool_chunk(pool, ref), rowpool_row(ref)) >= 0) lo = mid + 1;
        else hi = mid;
    }
    if (p->len == wa->topn_limit) {
        rowpool_release(&wa->topn_pool, p->rows[--p->len].ref);
    } else if (p->len == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 8;
        p->rows = xrealloc(p->rows, p->cap * sizeof *p->rows);
    }
    memmove(&p->rows[lo + 1], &p->rows[lo], (p->len - lo) * sizeof *p->rows);
    p->rows[lo] = (topn_entry){rowpool_add(&wa->topn_pool, c, r, NULL, OP_INSERT), seq};
    p->len++;
}

/* Offer the staged rows (wa->out while staging) and empty the stage. */
static void topn_absorb(window_agg *wa)
{
    chunk_t *c = wa->out;
    if (!wa->topn_fixed_part) {
        for (uint32_t r = 0; r < c->nrows; r++) topn_offer(wa, topn_part_of(wa, c, r), c, r, wa->topn_seq++);
        chunk_reset(c);
        return;
    }
    if (c->nrows && !wa->topn_cur) wa->topn_cur = topn_part_of(wa, c, 0);
    topn_part *p = wa->topn_cur;
    const sort_key *sk = wa->topn_norder ? &wa->topn_order[0] : NULL;
    const vector_t *v = sk ? &c->cols[sk->col] : NULL;
    int fast = sk && type_phys(v->type) == PHYS_I64;
    for (uint32_t r = 0; r < c->nrows; r++) {
        if (fast && p->len == wa->topn_limit && !v->nulls[r]) {
            /* quick reject: the first order value ranks strictly after the last kept row's */
            uint32_t last = p->rows[p->len - 1].ref;
            const vector_t *lv = &rowpool_chunk(&wa->topn_pool, last)->cols[sk->col];
            uint32_t lr = rowpool_row(last);
            if (!lv->nulls[lr] && (sk->desc ? v->i64[r] < lv->i64[lr] : v->i64[r] > lv->i64[lr])) {
                wa->topn_seq++;
                continue;
            }
        }
        topn_offer(wa, p, c, r, wa->topn_seq++);
    }
    chunk_reset(c);
}

/* A window starts emitting: its rows go to the stage. */
static void topn_begin(window_agg *wa)
{
    if (wa->topn_limit <= 0) return;
    chunk_t *t = wa->out;
    wa->out = wa->topn_stage;
    wa->topn_stage = t;
    wa->topn_seq = 0;
    wa->topn_cur = NULL;
    wa->staging = 1;
}

static int entry_seq_cmp(const void *a, const void *b)
{
    uint32_t x = ((const topn_entry *)a)->seq, y = ((const topn_entry *)b)->seq;
    return (x > y) - (x < y);
}

static void topn_collect(window_agg *wa, topn_part *p)
{
    for (uint32_t i = 0; i < p->len; i++) VEC_PUSH(wa->topn_kept, p->rows[i]);
    p->len = 0;
}

/* The window is done: emit every partition's kept rows in emission order. */
static int topn_end(window_agg *wa)
{
    if (!wa->staging) return 0;
    topn_absorb(wa);
    chunk_t *t = wa->out;
    wa->out = wa->topn_stage;
    wa->topn_stage = t;
    wa->staging = 0;
    wa->topn_cur = NULL;
    wa->topn_kept.len = 0;
    topn_collect(wa, &wa->topn_single);
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&wa->topn_parts, &pos, &e);) {
        topn_part *p = e->val;
        topn_collect(wa, p);
        free(p->rows);
        free(p);
    }
    hmap_free(&wa->topn_parts);
    hmap_init(&wa->topn_parts);
    qsort(wa->topn_kept.items, wa->topn_kept.len, sizeof *wa->topn_kept.items, entry_seq_cmp);
    int rc = 0;
    for (size_t i = 0; i < wa->topn_kept.len; i++) {
        uint32_t ref = wa->topn_kept.items[i].ref;
        if (rc == 0 && chunk_full(wa->out) && flush_out(wa) < 0) rc = -1;
        if (rc == 0) chunk_append_row(wa->out, rowpool_chunk(&wa->topn_pool, ref), rowpool_row(ref), OP_INSERT);
        rowpool_release(&wa->topn_pool, ref);
    }
    return rc;
}

/* ---- firing ---- */

/* Emit the window's groups in key order, destroy their blocks and close them in their keys. */
static int window_emit(window_agg *wa, window_t *win)
{
    int rc = 0;
    window_order(wa, win);
    set_props(wa, win->start, win->end);
    topn_begin(wa);
    rc = emit_groups(wa, wa->order.items, win->ngroups);
    if (topn_end(wa) < 0) rc = -1;
    for (uint32_t i = 0; i < win->ngroups; i++) agg_block_destroy(&wa->aggs, group_block(window_group(wa, win, i)));
    return rc;
}

/* Put the slice's groups in key order, moved into fresh pages in that order (so that merging
 * reads them sequentially; blocks may move, see expr/agg.h) with their keys' ring slots
 * following. Done again only when the slice gained groups since. */
static void slice_sort(window_agg *wa, window_t *slice)
{
    if (slice->sorted == slice->ngroups) return;
    window_order(wa, slice);
    uint32_t n = slice->ngroups;
    uint8_t **old = slice->pages.items;
    size_t nold = slice->pages.len;
    memset(&slice->pages, 0, sizeof slice->pages);
    slice->ngroups = 0;
    for (uint32_t i = 0; i < n; i++) {
        wgroup *g = wa->order.items[i];
        if (slice->ngroups % GROUP_PAGE == 0) {
            uint8_t *page = wa->spare_pages.len ? wa->spare_pages.items[--wa->spare_pages.len]
                                                : xmalloc(GROUP_PAGE * wa->group_size);
            VEC_PUSH(slice->pages, page);
        }
        wgroup *moved = window_group(wa, slice, slice->ngroups++);
        copy_words(moved, g, wa->group_size);
        ring_slot(g->key, slice->widx)->group = moved;
    }
    slice->sorted = n;
    for (size_t i = 0; i < nold; i++) VEC_PUSH(wa->spare_pages, old[i]);
    free(old);
}

/* Head a's group comes before head b's in key order (equal keys: the same key entry). */
static int head_before(const slice_head *a, const slice_head *b)
{
    if (a->hi != b->hi) return a->hi < b->hi;
    if (a->lo != b->lo) return a->lo < b->lo;
    if (a->g->key == b->g->key) return 0;
    return group_key_cmp(a->g, b->g) < 0;
}

static wgroup *least_group(const window_agg *wa) { return wa->heads.items[wa->head_heap.items[0]].g; }

static void head_sift_down(window_agg *wa, size_t i)
{
    uint32_t *h = wa->head_heap.items;
    const slice_head *hs = wa->heads.items;
    size_t n = wa->head_heap.len;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && head_before(&hs[h[l]], &hs[h[m]])) m = l;
        if (r < n && head_before(&hs[h[r]], &hs[h[m]])) m = r;
        if (m == i) return;
        uint32_t t = h[i]; h[i] = h[m]; h[m] = t;
        i = m;
    }
}

static void head_set(slice_head *h, wgroup *g)
{
    h->g = g;
    h->hi = get_u64_be(g->kbytes);
    h->lo = get_u64_be(g->kbytes + 8);
}

/* Advance the least head past its group (dropping an exhausted slice). */
static void head_advance(window_agg *wa)
{
    slice_head *h = &wa->heads.items[wa->head_heap.items[0]];
    if (++h->pos == h->slice->ngroups) wa->head_heap.items[0] = wa->head_heap.items[--wa->head_heap.len];
    else head_set(h, window_group(wa, h->slice, h->pos));
    if (wa->head_heap.len) head_sift_down(wa, 0);
}

/* Emit the m merged groups keys/eblocks and destroy their blocks. */
static void merged_emit(window_agg *wa, uint32_t m)
{
    emit_rows(wa, wa->ekeys, wa->eblocks, m);
    for (uint32_t i = 0; i < m; i++) agg_block_destroy(&wa->aggs, wa->eblocks[i]);
}

static void head_push(window_agg *wa, const window_t *slice)
{
    VEC_PUSH(wa->heads, ((slice_head){.slice = slice}));
    head_set(&wa->heads.items[wa->heads.len - 1], window_group(wa, slice, 0));
    VEC_PUSH(wa->head_heap, (uint32_t)(wa->heads.len - 1));
}

/* The slices lo..hi-1 that hold groups, as heads in key order, after the running window
 * when one is given. */
static void heads_start(window_agg *wa, const window_t *run, int64_t lo, int64_t hi)
{
    wa->heads.len = wa->head_heap.len = 0;
    if (run && run->ngroups) head_push(wa, run);
    for (int64_t s = lo; s < hi; s++) {
        void **slot = hmap_get(&wa->windows, &s, sizeof s, widx_hash(s));
        window_t *slice = slot ? *slot : NULL;
        if (!slice || !slice->ngroups) continue;
        slice_sort(wa, slice);
        head_push(wa, slice);
    }
    for (size_t i = wa->head_heap.len / 2 + 1; i-- > 0;) head_sift_down(wa, i);
}

/* Sliced: window [start, end)'s rows: per key in key order, the merge of its slices' blocks. */
static int sliced_window_merge(window_agg *wa, int64_t start, int64_t end)
{
    set_props(wa, start, end);
    heads_start(wa, NULL, window_index(wa, start, start), window_index(wa, end, end));
    if (!wa->mblocks) wa->mblocks = xmalloc((size_t)CHUNK_CAP * wa->aggs.block_size);
    uint32_t m = 0, room = 0;
    while (wa->head_heap.len) {
        if (!m) {
            if (chunk_full(wa->out) && flush_out(wa) < 0) return -1;
            room = wa->out->cap - wa->out->nrows;
        }
        wgroup *g = least_group(wa);
        void *block = (char *)wa->mblocks + (size_t)m * wa->aggs.block_size;
        if (wa->fresh) copy_words(block, wa->fresh, wa->aggs.block_size);
        else agg_block_init(&wa->aggs, block);
        do {
            agg_block_merge(&wa->aggs, block, group_block(least_group(wa)));
            head_advance(wa);
        } while (wa->head_heap.len && least_group(wa)->key == g->key);
        if (agg_block_count(block) <= 0) {
            agg_block_destroy(&wa->aggs, block);
            continue;
        }
        wa->ekeys[m] = g->klen <= KEY_INLINE ? g->kbytes : g->key->key;
        wa->eblocks[m++] = block;
        if (m == room) {
            merged_emit(wa, m);
            m = 0;
        }
    }
    if (m) merged_emit(wa, m);
    return 0;
}

/* ---- running window (HOP, invertible aggregates) ---- */

/* The run's blocks need no agg_block_destroy: invertible aggregates own no memory. */
static void run_free(window_agg *wa, window_t *run)
{
    for (size_t i = 0; i < run->pages.len; i++) VEC_PUSH(wa->spare_pages, run->pages.items[i]);
    VEC_FREE(run->pages);
    free(run);
}

static void run_drop(window_agg *wa)
{
    if (wa->run) run_free(wa, wa->run);
    wa->run = NULL;
}

/* A new group of window `run`: a copy of group g with its block (invertible aggregates' blocks
 * own no memory, so a copy is a merge into a fresh block). */
static wgroup *run_add_copy(window_agg *wa, window_t *run, const wgroup *g)
{
    if (run->ngroups % GROUP_PAGE == 0) {
        uint8_t *page = wa->spare_pages.len ? wa->spare_pages.items[--wa->spare_pages.len]
                                            : xmalloc(GROUP_PAGE * wa->group_size);
        VEC_PUSH(run->pages, page);
    }
    wgroup *r = window_group(wa, run, run->ngroups++);
    copy_words(r, g, wa->group_size);
    return r;
}

/* Step head h past its group; 0 when its slice is exhausted. */
static int head_step(const window_agg *wa, slice_head *h)
{
    if (++h->pos == h->slice->ngroups) return 0;
    head_set(h, window_group(wa, h->slice, h->pos));
    return 1;
}

/* Queues merged group g for output when it has rows (*m queued so far, room for `room`);
 * emits the queue when it is full. */
static void queue_for_emit(window_agg *wa, wgroup *g, uint32_t *m, uint32_t room)
{
    void *block = group_block(g);
    if (agg_block_count(block) <= 0) return;
    wa->ekeys[*m] = g->klen <= KEY_INLINE ? g->kbytes : g->key->key;
    wa->eblocks[(*m)++] = block;
    if (*m == room) {
        emit_rows(wa, wa->ekeys, wa->eblocks, *m);
        *m = 0;
    }
}

/* run_merge of exactly two heads (the run and one new slice, the usual case): a plain two-way
 * merge instead of the heap. */
static int run_merge_two(window_agg *wa, window_t *next)
{
    slice_head *a = &wa->heads.items[0], *b = &wa->heads.items[1];
    int has_a = 1, has_b = 1;
    uint32_t m = 0, room = 0;
    while (has_a || has_b) {
        if (!m) {
            if (chunk_full(wa->out) && flush_out(wa) < 0) return -1;
            room = wa->out->cap - wa->out->nrows;
        }
        wgroup *g;
        if (has_a && has_b && a->g->key == b->g->key) {
            g = run_add_copy(wa, next, a->g);
            agg_block_merge(&wa->aggs, group_block(g), group_block(b->g));
            has_a = head_step(wa, a);
            has_b = head_step(wa, b);
        } else if (!has_b || (has_a && head_before(a, b))) {
            g = run_add_copy(wa, next, a->g);
            has_a = head_step(wa, a);
        } else {
            g = run_add_copy(wa, next, b->g);
            has_b = head_step(wa, b);
        }
        queue_for_emit(wa, g, &m, room);
    }
    if (m) emit_rows(wa, wa->ekeys, wa->eblocks, m);
    return 0;
}

/* Merge the heads into `next` (one group per key, key order) and emit its groups with rows. */
static int run_merge(window_agg *wa, window_t *next)
{
    if (wa->head_heap.len == 2) return run_merge_two(wa, next);
    uint32_t m = 0, room = 0;
    while (wa->head_heap.len) {
        if (!m) {
            if (chunk_full(wa->out) && flush_out(wa) < 0) return -1;
            room = wa->out->cap - wa->out->nrows;
        }
        wgroup *g = run_add_copy(wa, next, least_group(wa));
        void *block = group_block(g);
        head_advance(wa);
        while (wa->head_heap.len && least_group(wa)->key == g->key) {
            agg_block_merge(&wa->aggs, block, group_block(least_group(wa)));
            head_advance(wa);
        }
        queue_for_emit(wa, g, &m, room);
    }
    if (m) emit_rows(wa, wa->ekeys, wa->eblocks, m);
    return 0;
}

/* Take slices lo..hi-1 back out of `run` (which holds them) and drop its groups left fresh. */
static void run_expire(window_agg *wa, window_t *run, int64_t lo, int64_t hi)
{
    heads_start(wa, NULL, lo, hi);
    uint32_t p = 0;
    while (wa->head_heap.len) {
        wgroup *g = least_group(wa);
        wgroup *r = window_group(wa, run, p);
        while (r->key != g->key) r = window_group(wa, run, ++p);
        agg_block_unmerge(&wa->aggs, group_block(r), group_block(g));
        head_advance(wa);
    }
    uint32_t kept = 0;
    for (uint32_t i = 0; i < run->ngroups; i++) {
        wgroup *r = window_group(wa, run, i);
        if (agg_block_count(group_block(r)) == 0 && memcmp(group_block(r), wa->fresh, wa->aggs.block_size) == 0)
            continue;
        if (kept != i) copy_words(window_group(wa, run, kept), r, wa->group_size);
        kept++;
    }
    run->ngroups = run->sorted = kept;
    while (run->pages.len > (kept + GROUP_PAGE - 1) / GROUP_PAGE) VEC_PUSH(wa->spare_pages, run->pages.items[--run->pages.len]);
}

/* Sliced with a running window: window [start, end) from the run (when it holds the window's
 * first slices) and the newer slices; then the run moves on to the next window's slices. */
static int run_window_merge(window_agg *wa, int64_t start, int64_t end)
{
    int64_t lo = window_index(wa, start, start), hi = window_index(wa, end, end);
    int64_t per_slide = wa->w.slide_us / wa->slice_us;
    window_t *old = wa->run && wa->run_lo == lo && wa->run_hi <= hi ? wa->run : NULL;
    if (!old) run_drop(wa);
    wa->run = NULL;
    set_props(wa, start, end);
    heads_start(wa, old, old ? wa->run_hi : lo, hi);
    window_t *next = xcalloc(1, sizeof *next);
    int rc = run_merge(wa, next);
    if (old) run_free(wa, old);
    if (rc < 0) {
        run_free(wa, next);
        return rc;
    }
    run_expire(wa, next, lo, MIN(lo + per_slide, hi));
    wa->run = next;
    wa->run_lo = lo + per_slide;
    wa->run_hi = hi;
    return 0;
}

/* Sliced: emit window [start, end), through the top-N when set. */
static int sliced_window_emit(window_agg *wa, int64_t start, int64_t end)
{
    topn_begin(wa);
    int rc = wa->run_ok ? run_window_merge(wa, start, end) : sliced_window_merge(wa, start, end);
    if (topn_end(wa) < 0) rc = -1;
    return rc;
}

/* Sliced: free the slices all of whose windows fired (fire_at <= limit). */
static void slices_free(window_agg *wa, int64_t limit)
{
    wa->done_slices.len = 0;
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&wa->windows, &pos, &e);)
        if (((window_t *)e->val)->fire_at <= limit) VEC_PUSH(wa->done_slices, e->val);
    for (size_t i = 0; i < wa->done_slices.len; i++) {
        window_t *slice = wa->done_slices.items[i];
        for (uint32_t j = 0; j < slice->ngroups; j++)
            agg_block_destroy(&wa->aggs, group_block(window_group(wa, slice, j)));
        wa->fired_windows++;
        window_free(wa, slice);
    }
}

static int windows_fire(window_agg *wa, int64_t limit)
{
    int rc = 0;
    while (rc == 0 && wa->heap.len && wa->heap.items[0].fire_at <= limit) {
        fire_entry e = heap_pop(wa);
        if (wa->sliced) {
            hmap_del(&wa->pending, &e.end, sizeof e.end, widx_hash(e.end));
            rc = sliced_window_emit(wa, e.start, e.end);
            continue;
        }
        window_t *win = e.target;
        wa->fired_windows++;
        rc = window_emit(wa, win);
        window_free(wa, win);
    }
    if (wa->sliced) slices_free(wa, limit);
    return rc;
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
        rc = emit_session(wa, g->sk->key, wa->sblock);
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
    if (wa->w.kind != WIN_SESSION && limit > wa->fired_limit) {
        wa->fired_limit = limit;
        if (wa->fired_windows) key_sweep(wa);
        wa->fired_windows = 0;
    }
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
            /* Two statements: the order of reads in one initializer is unspecified. */
            int64_t start = snap_get_i64(r);
            session_t s = {start, snap_get_i64(r)};
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
    if (!wa->w.proctime) wa->fired_limit = wm;
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
    if (wa->topn_limit > 0) sb_printf(out, ", topN=%lld", (long long)wa->topn_limit);
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
    hmap_free(&wa->pending);
    VEC_FREE(wa->heads);
    VEC_FREE(wa->head_heap);
    free(wa->mblocks);
    run_drop(wa);
    VEC_FREE(wa->done_slices);
    gkey *k;
    for (size_t pos = 0; (k = hidx_next(&wa->gkeys, &pos));) {
        if (k->ring != k->inline_ring) free(k->ring);
        if (k->klen > KEY_INLINE) free(k->key);
    }
    hidx_free(&wa->gkeys);
    for (size_t i = 0; i < wa->key_slabs.len; i++) free(wa->key_slabs.items[i]);
    VEC_FREE(wa->key_slabs);
    VEC_FREE(wa->dead);
    for (size_t i = 0; i < wa->spare_pages.len; i++) free(wa->spare_pages.items[i]);
    VEC_FREE(wa->spare_pages);
    VEC_FREE(wa->sort_a);
    VEC_FREE(wa->sort_b);
    VEC_FREE(wa->pk_a);
    VEC_FREE(wa->pk_b);
    VEC_FREE(wa->same);
    VEC_FREE(wa->order);
    free(wa->radix_count);
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
    free(wa->fresh);
    free(wa->sblock);
    agg_set_free(&wa->aggs);
    chunk_free(wa->dense);
    chunk_free(wa->batch);
    chunk_free(wa->out);
    chunk_free(wa->topn_stage);
    if (wa->topn_pool.types) rowpool_free(&wa->topn_pool);
    hmap_free(&wa->topn_parts);
    VEC_FREE(wa->topn_key);
    VEC_FREE(wa->topn_kept);
    free(wa->topn_single.rows);
    free(wa->topn_part);
    free(wa->topn_order);
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
    free(wa->kblocks);
    free(wa->vals);
    free(wa->ekeys);
    free(wa->pf_keys);
    free(wa->pf_blocks);
    free(wa->eblocks);
    free(wa->ecur);
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

static int64_t gcd_i64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
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

/* An initialised block that new groups may copy instead of running every aggregate's init:
 * only when initialising allocates nothing and points nowhere, which shows as two separate
 * initialisations giving the same bytes. NULL otherwise. */
static void *fresh_block(const agg_set *s)
{
    size_t n = s->block_size ? s->block_size : 1;
    void *a = xmalloc(n), *b = xmalloc(n);
    agg_block_init(s, a);
    agg_block_init(s, b);
    int same = memcmp(a, b, s->block_size) == 0;
    agg_block_destroy(s, b);
    free(b);
    if (same) return a;
    agg_block_destroy(s, a);
    free(a);
    return NULL;
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
 * more while the previous one waits for the watermark) and short keys inline. Sliced, one
 * slot: most keys of sparse data appear in one slice; the others grow their ring. */
static void fixed_layout(window_agg *wa)
{
    wa->ring_inline = wa->sliced ? 1 : 2;
    while (!wa->sliced && wa->ring_inline < wa->max_windows + 1) wa->ring_inline *= 2;
    wa->gkey_size = sizeof(gkey) + wa->ring_inline * sizeof(wslot);
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
    if (nkeys) memcpy(wa->keys, keys, (size_t)nkeys * sizeof *keys);
    wa->nkeys = nkeys;
    wa->props = xcalloc(nprops ? nprops : 1, sizeof *wa->props);
    if (nprops) memcpy(wa->props, props, (size_t)nprops * sizeof *props);
    wa->nprops = nprops;
    wa->prop_vals = xcalloc(nprops ? nprops : 1, sizeof *wa->prop_vals);
    needed_columns(wa, aggs, naggs);
    if (w->kind == WIN_SESSION) session_layout(wa, aggs, naggs);
    else wa->calls = aggs;
    agg_set_init(&wa->aggs, wa->calls, naggs);
    wa->sliced = w->kind == WIN_HOP || w->kind == WIN_CUMULATE;
    wa->slice_us = w->kind == WIN_HOP ? gcd_i64(w->size_us, w->slide_us) : w->slide_us;
    wa->max_windows = wa->sliced ? 1 : windows_per_row(w);
    wa->radix_count = xcalloc((64 + RADIX_BITS - 1) / RADIX_BITS, sizeof *wa->radix_count);
    fixed_layout(wa);
    hmap_init(&wa->windows);
    hmap_init(&wa->pending);
    hidx_init(&wa->gkeys);
    wa->fired_limit = TS_MIN;
    wa->min_open = INT64_MAX;
    kbuf_reserve(wa, 4096); /* keys of zero columns still need a buffer to point at */
    hmap_init(&wa->skeys);
    hmap_init(&wa->topn_parts);
    wa->discard = xmalloc(wa->aggs.block_size);
    agg_block_init(&wa->aggs, wa->discard);
    wa->fresh = fresh_block(&wa->aggs);
    wa->run_ok = w->kind == WIN_HOP && wa->fresh && agg_set_invertible(&wa->aggs);
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
    if (w->kind != WIN_SESSION) wa->kblocks = xcalloc((size_t)KPASS * CHUNK_CAP, sizeof *wa->kblocks);
    if (w->kind == WIN_SESSION)
        for (uint32_t i = 0; i < CHUNK_CAP; i++) wa->blocks[i] = wa->sblock;
    wa->vals = xcalloc(naggs ? naggs : 1, sizeof *wa->vals);
    wa->ekeys = xcalloc(CHUNK_CAP, sizeof *wa->ekeys);
    wa->eblocks = xcalloc(CHUNK_CAP, sizeof *wa->eblocks);
    wa->ecur = xcalloc(CHUNK_CAP, sizeof *wa->ecur);
    wa->out = chunk_new(out, CHUNK_CAP);
    return &wa->op;
}

int window_agg_set_topn(op_t *op, const window_topn *t)
{
    window_agg *wa = wagg(op);
    if (wa->w.kind == WIN_SESSION)
        return err_msg("a Top-N can be pushed into TUMBLE, HOP and CUMULATE window aggregations, not SESSION");
    if (t->limit < 1 || t->limit > UINT32_MAX) return err_msg("Top-N limit %lld is out of range", (long long)t->limit);
    for (int i = 0; i < t->npart; i++)
        if (t->part[i] < 0 || t->part[i] >= (int)op->schema.ncols)
            return err_msg("Top-N partition column %d does not exist (%u columns)", t->part[i], op->schema.ncols);
    for (int i = 0; i < t->norder; i++)
        if (t->order[i].col < 0 || t->order[i].col >= (int)op->schema.ncols)
            return err_msg("Top-N order column %d does not exist (%u columns)", t->order[i].col, op->schema.ncols);
    wa->topn_part = xcalloc(t->npart ? t->npart : 1, sizeof *wa->topn_part);
    if (t->npart) memcpy(wa->topn_part, t->part, (size_t)t->npart * sizeof *t->part);
    wa->topn_npart = t->npart;
    wa->topn_order = xcalloc(t->norder ? t->norder : 1, sizeof *wa->topn_order);
    if (t->norder) memcpy(wa->topn_order, t->order, (size_t)t->norder * sizeof *t->order);
    wa->topn_norder = t->norder;
    wa->topn_limit = t->limit;
    int first_prop = wa->nkeys + wa->aggs.ncalls;
    wa->topn_fixed_part = 1;
    for (int i = 0; i < t->npart; i++)
        if (t->part[i] < first_prop) wa->topn_fixed_part = 0;
    wa->topn_prefilter_call = -1;
    if (wa->topn_fixed_part && t->norder) {
        int col = t->order[0].col;
        if (col >= wa->nkeys && col < first_prop && type_phys(op->schema.types[col]) == PHYS_I64)
            wa->topn_prefilter_call = col - wa->nkeys;
    }
    wa->pf_keys = xcalloc(CHUNK_CAP, sizeof *wa->pf_keys);
    wa->pf_blocks = xcalloc(CHUNK_CAP, sizeof *wa->pf_blocks);
    wa->topn_stage = chunk_new(&op->schema, CHUNK_CAP);
    rowpool_init(&wa->topn_pool, op->schema.ncols, op->schema.types);
    return 0;
}
