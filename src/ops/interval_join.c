/* interval_join.c - IntervalJoin: Flink's event-time interval join of two insert-only inputs,
 * right.time BETWEEN left.time + lower AND left.time + upper, on equality keys plus an
 * optional residual condition; INNER, LEFT, RIGHT and FULL OUTER.
 *
 * When a row can join. A left row at time tl joins right rows with tr in [tl + lower,
 * tl + upper]; a right row at tr joins left rows with tl in [tr - upper, tr - lower]. NULL
 * keys (and a NULL rowtime) never match. A row is held in state while the watermark W is at
 * most its deadline: tl + upper for a left row (no right row with a time <= W can still
 * come, so none inside its interval), tr - lower for a right row; it is evicted as soon as
 * W > deadline, and a row of an outer side that never matched is then emitted NULL-padded
 * (the order-payment timeout). The final watermark TS_MAX evicts everything. Output is
 * insert-only: each pair is emitted once, when its second row arrives, if the residual
 * holds for it; a row "matched" only through pairs the residual accepted.
 *   Where this differs from Flink's TimeIntervalJoin: Flink evicts lazily on cleanup timers
 * (so rows may linger past their deadline and still meet late rows) and does not store a
 * row arriving exactly when W == its deadline; eddy evicts exactly at W > deadline and
 * stores such a row until the next watermark. For rows that arrive ahead of the watermark
 * both give the same pairs; eddy's result does not depend on when cleanup timers run.
 *
 * Late rows. A row arriving with time t < W is late: partners that were already evicted
 * are lost (a row with t >= W never misses a pair: its partners are held or still to come).
 * As in Flink, a late row is not dropped: it is joined with the rows still held, held
 * itself if its deadline has not passed, and otherwise (deadline < W, nothing can join it
 * any more) emitted NULL-padded at once if it is on an outer side and matched nothing. Every
 * late row is counted in op->stats.late. A row whose key or time is NULL can never match:
 * an outer side's row is padded at once, an inner side's is dropped (not late).
 *
 * Watermark. Joined rows carry the times of their input rows, which may be older than the
 * input watermark: a held left row is as old as W - upper, a held right row as W + lower.
 * Like Flink's KeyedCoProcessOperatorWithWatermarkDelay the output watermark is held back:
 * out = W - max(upper, -lower, 0) - 1 us (max(upper, -lower) = max(|lower|, |upper|) when
 * lower <= upper). The extra microsecond, which Flink lacks, keeps every output row that
 * comes from input that is not late strictly after the output watermark, so a downstream
 * window never drops it (a window counts a row at time == watermark as late). TS_MAX
 * passes unchanged.
 *
 * State. A hash index (hidx) from the encoded key to a key entry; per key and side, the
 * held rows as (time, pool reference) sorted by time (stable for equal times), so a probe is
 * a binary search plus a scan of the matching range and eviction removes a prefix. The row
 * values live in one row pool per side (ops/rowpool.h), with a "matched" byte per pool
 * slot. Each side of a key that holds rows has one live timer, due at the deadline of its
 * earliest row; a timer whose due no longer equals the side's recorded due is stale and
 * skipped. Key entries come from slabs and are freed when they hold no rows and no timer
 * names them. Timers fire in order of (due, side, key bytes), so the padded rows' order does
 * not depend on history (a restored operator emits the same sequence). A timer goes to its
 * side's FIFO when it is ordered after the FIFO's last one (rows arriving in time order:
 * O(1), no heap walks over a large state), else to a min-heap shared by both sides
 * (out-of-order rows, re-armed timers); firing merges the two FIFOs and the heap.
 *
 * Processing per chunk: the keys and hashes of all rows first, then one hash lookup per row
 * (none for a run of one key); candidate pairs are collected as references (input row, pool
 * row) and materialised column by column into an output chunk of up to CHUNK_CAP rows, on
 * which the residual is evaluated once; string bytes are views into the input chunk and
 * the pools, which do not change until the chunk is emitted.
 *
 * Checkpoint: u8 version, i64 watermark, i64 watermark sent, i64 left and i64 right input
 * watermarks, u32 keys, then per key its encoded bytes and, for the left then the right
 * side, u32 rows and per row u8 matched and the row's column values (snap_put_value).
 * Timers are rebuilt on restore.
 *
 * Keys are encoded by data/rowkey.h; a row with a NULL key column is never held. */
#include "ops/ops.h"
#include "ops/rowpool.h"
#include "data/rowkey.h"
#include "base/hashmap.h"
#include "base/util.h"
#include "base/err.h"
#include <stdlib.h>

#define SNAP_VERSION 1
#define KEY_INLINE 24              /* key bytes stored inside a key entry (two BIGINTs: 18) */
#define KEY_SLAB 256               /* key entries allocated at once */
#define NO_TIMER INT64_MIN         /* side_rows.due when no timer is pending */
#define NO_REF UINT32_MAX
#define BOUND_LIMIT (INT64_C(1) << 62)   /* |lower|, |upper| must stay below this */

enum { LEFT = 0, RIGHT = 1 };

/* ---- state ---- */

typedef struct held_row {
    int64_t t;                     /* rowtime */
    uint32_t ref;                  /* the row in its side's pool */
} held_row;

typedef struct side_rows {         /* one key's held rows of one input, sorted by time */
    held_row *many;                /* the rows when cap > 1 (malloc'ed) */
    held_row one;                  /* the row when cap <= 1 (no allocation for one row) */
    uint32_t head;                 /* rows [head, len) are held */
    uint32_t len;
    uint32_t cap;                  /* 0: the inline row */
    int64_t due;                   /* due time of the live timer, NO_TIMER if none */
} side_rows;

typedef struct jkey {
    side_rows side[2];
    uint64_t hash;
    uint32_t klen;
    uint32_t timers;               /* queued timers naming this key, stale ones included */
    uint8_t *key;                  /* inline_key, or malloc'ed when longer */
    uint8_t inline_key[KEY_INLINE];
    struct jkey *next_free;
} jkey;

typedef struct ij_timer {
    int64_t due;
    jkey *key;
    int side;
} ij_timer;

typedef struct timer_fifo {        /* timers in firing order: items[head, len) */
    ij_timer *items;
    size_t head, len, cap;
} timer_fifo;

typedef struct side_in {           /* one input */
    schema_t schema;               /* copy of its columns */
    int *keys;                     /* key columns */
    int time_col;
    int outer;                     /* unmatched rows are emitted NULL-padded */
    uint32_t out_col;              /* its first column in the output row */
    row_pool pool;                 /* held rows */
    VEC(uint8_t) matched;          /* per pool slot: the held row matched */
    VEC(uint32_t) release;         /* evicted pool slots, released after the padded rows left */
    chunk_t *one;                  /* a single row being restored */
} side_in;

typedef struct pending {           /* output rows as references, materialised at flush */
    chunk_t *chunk;
    const chunk_t **src[2];        /* per side: the chunk holding the row, NULL = padding */
    uint32_t *row[2];
    uint32_t n;
} pending;

typedef struct interval_join {
    op_t op;
    join_type type;
    side_in in[2];
    int nkeys;
    int64_t lower, upper;
    int64_t hold_back;             /* output watermark = input watermark - hold_back - 1 us */
    expr_t *residual;
    hidx_t index;                  /* jkey* by hash */
    VEC(jkey *) slabs;
    jkey *free_keys;
    timer_fifo fifo[2];            /* per side: timers ordered after the previous one */
    VEC(ij_timer) heap;            /* the other timers */
    uint64_t held_keys;            /* key entries holding rows */
    /* per-chunk scratch */
    rowkey_chunk in_keys;          /* live row i's encoded key */
    uint8_t *row_matched;          /* input row r found a partner the residual accepted */
    uint8_t *row_pad;              /* input row r is padded at once if it matched nothing */
    uint32_t *row_ref;             /* input row r's pool slot when held, else NO_REF */
    uint32_t row_cap;
    pending joined;                /* candidate pairs */
    uint32_t *partner_ref;         /* candidate i: the held row's pool slot */
    uint32_t *probe_row;           /* candidate i: the arriving input row */
    pending padded;                /* NULL-padded rows */
    vector_t verdict;              /* residual result of one output chunk */
    arena_t scratch;               /* residual temporaries */
} interval_join;

static interval_join *ijoin(op_t *op) { return (interval_join *)op; }

/* ---- times ---- */

static int64_t add_sat(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) return b > 0 ? TS_MAX : TS_MIN;
    return r;
}

/* The last watermark at which a row of `side` at time t may still be joined. */
static int64_t deadline(const interval_join *j, int side, int64_t t)
{
    int64_t d = side == LEFT ? add_sat(t, j->upper) : add_sat(t, -j->lower);
    return d == NO_TIMER ? d + 1 : d;
}

static int evicted_at(int64_t deadline_t, int64_t wm) { return wm == TS_MAX || deadline_t < wm; }

/* The partner times of a row of `side` at time t: [*lo, *hi] on the other side. */
static void partner_range(const interval_join *j, int side, int64_t t, int64_t *lo, int64_t *hi)
{
    if (side == LEFT) {
        *lo = add_sat(t, j->lower);
        *hi = add_sat(t, j->upper);
    } else {
        *lo = add_sat(t, -j->upper);
        *hi = add_sat(t, -j->lower);
    }
}

static int64_t held_back(const interval_join *j, int64_t wm)
{
    if (wm == TS_MAX || wm == TS_MIN) return wm;
    int64_t out = add_sat(wm, -j->hold_back - 1);
    return out == TS_MIN ? TS_MIN + 1 : out;
}

static int key_bytes_cmp(const jkey *a, const jkey *b) { return rowkey_cmp(a->key, a->klen, b->key, b->klen); }

/* ---- key entries ---- */

static jkey *key_alloc(interval_join *j)
{
    if (!j->free_keys) {
        jkey *slab = xmalloc(KEY_SLAB * sizeof *slab);
        VEC_PUSH(j->slabs, slab);
        for (size_t i = KEY_SLAB; i-- > 0;) {
            slab[i].next_free = j->free_keys;
            j->free_keys = &slab[i];
        }
    }
    jkey *k = j->free_keys;
    j->free_keys = k->next_free;
    return k;
}

static jkey *key_lookup(interval_join *j, const uint8_t *key, uint32_t klen, uint64_t hash)
{
    jkey *k;
    for (size_t p = hidx_first(&j->index, hash); (k = hidx_match(&j->index, hash, &p));)
        if (k->klen == klen && memcmp(k->key, key, klen) == 0) return k;
    return NULL;
}

static jkey *key_create(interval_join *j, const uint8_t *key, uint32_t klen, uint64_t hash)
{
    jkey *k = key_alloc(j);
    memset(k, 0, sizeof *k);
    k->side[LEFT].due = k->side[RIGHT].due = NO_TIMER;
    k->hash = hash;
    k->klen = klen;
    k->key = klen > KEY_INLINE ? xmalloc(klen) : k->inline_key;
    memcpy(k->key, key, klen);
    hidx_add(&j->index, hash, k);
    return k;
}

static uint32_t side_count(const side_rows *s) { return s->len - s->head; }
static int key_empty(const jkey *k) { return !side_count(&k->side[LEFT]) && !side_count(&k->side[RIGHT]); }

static void key_free_storage(jkey *k)
{
    for (int s = 0; s < 2; s++) free(k->side[s].many);
    if (k->key != k->inline_key) free(k->key);
}

/* Frees the entry once it holds no rows and no timer names it. */
static void key_release_if_unused(interval_join *j, jkey *k)
{
    if (k->timers || !key_empty(k)) return;
    hidx_remove(&j->index, k->hash, k);
    key_free_storage(k);
    k->next_free = j->free_keys;
    j->free_keys = k;
}

/* ---- a key's held rows of one side ---- */

static held_row *side_items(side_rows *s) { return s->cap > 1 ? s->many : &s->one; }

/* Index of the first held row with time >= t. */
static uint32_t side_lower_bound(side_rows *s, int64_t t)
{
    const held_row *items = side_items(s);
    uint32_t lo = s->head, hi = s->len;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (items[mid].t < t) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Index of the first held row with time > t (where a row at t goes: after its equals). */
static uint32_t side_upper_bound(side_rows *s, int64_t t)
{
    const held_row *items = side_items(s);
    uint32_t lo = s->head, hi = s->len;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (items[mid].t <= t) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Room for one more row at the end of the array. */
static void side_make_room(side_rows *s)
{
    uint32_t cap = s->cap ? s->cap : 1;
    if (s->len < cap) return;
    held_row *items = side_items(s);
    uint32_t n = side_count(s);
    if (s->head && n < cap) {
        memmove(items, items + s->head, n * sizeof *items);
    } else {
        uint32_t ncap = cap < 4 ? 4 : 2 * cap;
        held_row *grown = xmalloc(ncap * sizeof *grown);
        memcpy(grown, items + s->head, n * sizeof *grown);
        free(s->many);
        s->many = grown;
        s->cap = ncap;
    }
    s->head = 0;
    s->len = n;
}

static void side_insert(side_rows *s, int64_t t, uint32_t ref)
{
    side_make_room(s);
    uint32_t at = side_upper_bound(s, t);
    held_row *items = side_items(s);
    memmove(items + at + 1, items + at, (s->len - at) * sizeof *items);
    items[at] = (held_row){t, ref};
    s->len++;
}

/* Drops the first held row; an emptied side returns to its inline row. */
static void side_pop_front(side_rows *s)
{
    if (++s->head < s->len) return;
    s->head = s->len = 0;
    free(s->many);
    s->many = NULL;
    s->cap = 0;
}

/* ---- timers: FIFOs and a binary min-heap on (due, side, key bytes) ---- */

static int timer_before(const ij_timer *a, const ij_timer *b)
{
    if (a->due != b->due) return a->due < b->due;
    if (a->side != b->side) return a->side < b->side;
    return key_bytes_cmp(a->key, b->key) < 0;
}

static void heap_push(interval_join *j, ij_timer t)
{
    VEC_PUSH(j->heap, t);
    ij_timer *h = j->heap.items;
    size_t i = j->heap.len - 1;
    while (i && timer_before(&h[i], &h[(i - 1) / 2])) {
        ij_timer tmp = h[i]; h[i] = h[(i - 1) / 2]; h[(i - 1) / 2] = tmp;
        i = (i - 1) / 2;
    }
}

static void heap_drop_top(interval_join *j)
{
    ij_timer *h = j->heap.items;
    h[0] = h[--j->heap.len];
    size_t i = 0, n = j->heap.len;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && timer_before(&h[l], &h[m])) m = l;
        if (r < n && timer_before(&h[r], &h[m])) m = r;
        if (m == i) break;
        ij_timer tmp = h[i]; h[i] = h[m]; h[m] = tmp;
        i = m;
    }
}

static int fifo_empty(const timer_fifo *q) { return q->head == q->len; }

static void fifo_push(timer_fifo *q, ij_timer t)
{
    if (q->len == q->cap) {
        if (q->head >= q->len / 2 && q->head) {
            memmove(q->items, q->items + q->head, (q->len - q->head) * sizeof *q->items);
            q->len -= q->head;
            q->head = 0;
        } else {
            q->cap = q->cap ? 2 * q->cap : 64;
            q->items = xrealloc(q->items, q->cap * sizeof *q->items);
        }
    }
    q->items[q->len++] = t;
}

static void schedule(interval_join *j, jkey *k, int side, int64_t due)
{
    k->side[side].due = due;
    k->timers++;
    ij_timer t = {due, k, side};
    timer_fifo *q = &j->fifo[side];
    if (fifo_empty(q)) q->head = q->len = 0;
    if (fifo_empty(q) || timer_before(&q->items[q->len - 1], &t)) fifo_push(q, t);
    else heap_push(j, t);
}

/* Takes the first timer of the merged queues if the watermark evicts it. */
static int next_due_timer(interval_join *j, int64_t wm, ij_timer *out)
{
    const ij_timer *best = NULL;
    int from = -1;
    for (int s = 0; s < 2; s++) {
        const timer_fifo *q = &j->fifo[s];
        if (!fifo_empty(q) && (!best || timer_before(&q->items[q->head], best))) {
            best = &q->items[q->head];
            from = s;
        }
    }
    if (j->heap.len && (!best || timer_before(&j->heap.items[0], best))) {
        best = &j->heap.items[0];
        from = 2;
    }
    if (!best || !evicted_at(best->due, wm)) return 0;
    *out = *best;
    if (from == 2) heap_drop_top(j);
    else j->fifo[from].head++;
    return 1;
}

/* ---- holding rows ---- */

static void matched_reserve(side_in *si, uint32_t ref)
{
    if (ref < si->matched.len) return;
    size_t n = si->pool.pages.len * ROWPOOL_PAGE_ROWS;
    VEC_GROW(si->matched, n - si->matched.len);
    memset(si->matched.items + si->matched.len, 0, n - si->matched.len);
    si->matched.len = n;
}

/* Adds a pooled row to its key's side and arms the side's timer if it is now the earliest. */
static void side_hold(interval_join *j, jkey *k, int side, int64_t t, uint32_t ref)
{
    if (key_empty(k)) j->held_keys++;
    side_rows *s = &k->side[side];
    side_insert(s, t, ref);
    int64_t d = deadline(j, side, t);
    if (s->due == NO_TIMER || d < s->due) schedule(j, k, side, d);
}

static uint32_t hold_row(interval_join *j, jkey *k, int side, const chunk_t *in, uint32_t r, int64_t t)
{
    side_in *si = &j->in[side];
    uint32_t ref = rowpool_add(&si->pool, in, r, NULL, OP_INSERT);
    matched_reserve(si, ref);
    si->matched.items[ref] = 0;
    side_hold(j, k, side, t, ref);
    return ref;
}

/* ---- output ---- */

static void pending_init(pending *p, const schema_t *out)
{
    p->chunk = chunk_new(out, CHUNK_CAP);
    for (int s = 0; s < 2; s++) {
        p->src[s] = xcalloc(CHUNK_CAP, sizeof *p->src[s]);
        p->row[s] = xcalloc(CHUNK_CAP, sizeof *p->row[s]);
    }
    p->n = 0;
}

static void pending_free(pending *p)
{
    chunk_free(p->chunk);
    for (int s = 0; s < 2; s++) {
        free(p->src[s]);
        free(p->row[s]);
    }
}

/* Appends a reference row; src NULL pads that side with NULLs. Returns its index. */
static uint32_t pending_add(pending *p, const chunk_t *lsrc, uint32_t lrow, const chunk_t *rsrc, uint32_t rrow)
{
    uint32_t i = p->n++;
    p->src[LEFT][i] = lsrc;
    p->row[LEFT][i] = lrow;
    p->src[RIGHT][i] = rsrc;
    p->row[RIGHT][i] = rrow;
    return i;
}

/* Column col of the referenced rows into dst (string views, no byte copies). */
static void gather_column(vector_t *dst, const chunk_t *const *src, const uint32_t *rows, uint32_t col, uint32_t n)
{
    int str = type_phys(dst->type) == PHYS_STR;
    for (uint32_t i = 0; i < n; i++) {
        if (src[i]) {
            vector_copy_row(dst, i, &src[i]->cols[col], rows[i], NULL);
        } else {
            dst->nulls[i] = 1;
            if (str) memset(&dst->str[i], 0, sizeof dst->str[i]);
            else dst->i64[i] = 0;
        }
    }
}

static void materialise(interval_join *j, pending *p)
{
    chunk_t *c = p->chunk;
    for (int s = 0; s < 2; s++) {
        const side_in *si = &j->in[s];
        for (uint32_t col = 0; col < si->schema.ncols; col++)
            gather_column(&c->cols[si->out_col + col], p->src[s], p->row[s], col, p->n);
    }
    memset(c->ops, OP_INSERT, p->n);
    c->nrows = p->n;
}

static int emit_chunk(interval_join *j, pending *p)
{
    int rc = op_emit(&j->op, p->chunk);
    chunk_reset(p->chunk);
    p->n = 0;
    return rc;
}

/* Evaluates the residual over the candidates of an arriving row of `side`, emits those it
 * accepts and marks both rows of each as matched. */
static int flush_joined(interval_join *j, int side)
{
    pending *p = &j->joined;
    if (!p->n) return 0;
    materialise(j, p);
    chunk_t *c = p->chunk;
    const vector_t *ok = NULL;
    if (j->residual) {
        eval_ctx ec = {j->op.ctx, &c->arena, &j->scratch};
        int rc = expr_eval(j->residual, c, &j->verdict, &ec);
        arena_reset(&j->scratch);
        if (rc < 0) return -1;
        ok = &j->verdict;
    }
    side_in *partner = &j->in[!side];
    uint32_t keep = 0;
    for (uint32_t i = 0; i < p->n; i++) {
        if (ok && (ok->nulls[i] || !ok->i64[i])) continue;
        j->row_matched[j->probe_row[i]] = 1;
        if (partner->outer) partner->matched.items[j->partner_ref[i]] = 1;
        if (keep != i)
            for (uint32_t col = 0; col < c->ncols; col++) vector_copy_row(&c->cols[col], keep, &c->cols[col], i, NULL);
        keep++;
    }
    c->nrows = keep;
    return emit_chunk(j, p);
}

/* Emits the padded rows, then releases the evicted pool slots they referenced. */
static int flush_padded(interval_join *j)
{
    int rc = 0;
    if (j->padded.n) {
        materialise(j, &j->padded);
        rc = emit_chunk(j, &j->padded);
    }
    for (int s = 0; s < 2; s++) {
        side_in *si = &j->in[s];
        for (size_t i = 0; i < si->release.len; i++) rowpool_release(&si->pool, si->release.items[i]);
        si->release.len = 0;
    }
    return rc;
}

static int add_padded(interval_join *j, int side, const chunk_t *src, uint32_t row)
{
    if (side == LEFT) pending_add(&j->padded, src, row, NULL, 0);
    else pending_add(&j->padded, NULL, 0, src, row);
    return j->padded.n == CHUNK_CAP ? flush_padded(j) : 0;
}

/* ---- arriving rows ---- */

static void row_scratch_reserve(interval_join *j, uint32_t n)
{
    if (n <= j->row_cap) return;
    j->row_matched = xrealloc(j->row_matched, n);
    j->row_pad = xrealloc(j->row_pad, n);
    j->row_ref = xrealloc(j->row_ref, n * sizeof *j->row_ref);
    j->row_cap = n;
}

/* Candidate pairs of input row r of `side` (time t) with the held rows of key k. */
static int probe(interval_join *j, int side, jkey *k, const chunk_t *in, uint32_t r, int64_t t)
{
    side_rows *s = &k->side[!side];
    if (!side_count(s)) return 0;
    int64_t lo, hi;
    partner_range(j, side, t, &lo, &hi);
    const row_pool *pool = &j->in[!side].pool;
    const held_row *items = side_items(s);
    for (uint32_t i = side_lower_bound(s, lo); i < s->len && items[i].t <= hi; i++) {
        uint32_t ref = items[i].ref;
        const chunk_t *page = rowpool_chunk(pool, ref);
        uint32_t c = side == LEFT ? pending_add(&j->joined, in, r, page, rowpool_row(ref))
                                  : pending_add(&j->joined, page, rowpool_row(ref), in, r);
        j->partner_ref[c] = ref;
        j->probe_row[c] = r;
        if (j->joined.n == CHUNK_CAP && flush_joined(j, side) < 0) return -1;
    }
    return 0;
}

/* Probes and holds live row i (input row r); records what its end-of-chunk handling needs. */
static int arrive(interval_join *j, int side, const chunk_t *in, uint32_t i, uint32_t r, jkey **last)
{
    side_in *si = &j->in[side];
    if (j->in_keys.has_null[i] || in->cols[si->time_col].nulls[r]) {  /* never matches */
        j->row_pad[r] = (uint8_t)si->outer;
        return 0;
    }
    int64_t t = in->cols[si->time_col].i64[r], wm = j->op.wm;
    if (t < wm) j->op.stats.late++;
    int hold = !evicted_at(deadline(j, side, t), wm);
    j->row_pad[r] = (uint8_t)(si->outer && !hold);
    const uint8_t *key = rowkey_at(&j->in_keys, i);
    uint32_t klen = j->in_keys.len[i];
    uint64_t h = j->in_keys.hash[i];
    jkey *k = *last;
    if (!k || k->hash != h || k->klen != klen || memcmp(k->key, key, klen) != 0) {
        k = key_lookup(j, key, klen, h);
        if (!k && hold) k = key_create(j, key, klen, h);
        if (!k) return 0;
        *last = k;
    }
    if (probe(j, side, k, in, r, t) < 0) return -1;
    if (hold) j->row_ref[r] = hold_row(j, k, side, in, r, t);
    return 0;
}

static int ij_push(op_t *op, int port, chunk_t *in)
{
    interval_join *j = ijoin(op);
    int side = port ? RIGHT : LEFT;
    side_in *si = &j->in[side];
    uint32_t n = chunk_live(in);
    if (!n) return 0;
    row_scratch_reserve(j, in->nrows);
    rowkey_encode_chunk(&j->in_keys, in, si->keys, j->nkeys);
    jkey *last = NULL;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = chunk_row(in, i);
        j->row_matched[r] = 0;
        j->row_ref[r] = NO_REF;
        if (arrive(j, side, in, i, r, &last) < 0) return -1;
    }
    if (flush_joined(j, side) < 0) return -1;
    for (uint32_t i = 0; i < n && si->outer; i++) {
        uint32_t r = chunk_row(in, i);
        if (!j->row_matched[r]) {
            if (j->row_pad[r] && add_padded(j, side, in, r) < 0) return -1;
        } else if (j->row_ref[r] != NO_REF) {
            si->matched.items[j->row_ref[r]] = 1;
        }
    }
    if (flush_padded(j) < 0) return -1;
    op->stats.state_keys = j->held_keys;
    return 0;
}

/* ---- eviction ---- */

/* Evicts the rows of key k's side whose deadline the watermark passed (if the timer is the
 * side's live one), padding the outer side's unmatched rows, and re-arms the timer. */
static int expire_side(interval_join *j, const ij_timer *tm, int64_t wm)
{
    jkey *k = tm->key;
    side_rows *s = &k->side[tm->side];
    if (s->due != tm->due) return 0;              /* stale */
    s->due = NO_TIMER;
    side_in *si = &j->in[tm->side];
    while (side_count(s)) {
        held_row h = side_items(s)[s->head];
        if (!evicted_at(deadline(j, tm->side, h.t), wm)) break;
        side_pop_front(s);
        VEC_PUSH(si->release, h.ref);
        if (si->outer && !si->matched.items[h.ref]) {
            if (add_padded(j, tm->side, rowpool_chunk(&si->pool, h.ref), rowpool_row(h.ref)) < 0) return -1;
        }
    }
    if (side_count(s)) schedule(j, k, tm->side, deadline(j, tm->side, side_items(s)[s->head].t));
    else if (key_empty(k)) j->held_keys--;
    return 0;
}

static int ij_watermark(op_t *op, int64_t wm)
{
    interval_join *j = ijoin(op);
    ij_timer tm;
    while (next_due_timer(j, wm, &tm)) {
        tm.key->timers--;
        if (expire_side(j, &tm, wm) < 0) return -1;
        key_release_if_unused(j, tm.key);
    }
    if (flush_padded(j) < 0) return -1;
    op->stats.state_keys = j->held_keys;
    return op_emit_watermark(op, held_back(j, wm));
}

/* ---- checkpoints ---- */

static void snapshot_side(interval_join *j, jkey *k, int side, snap_writer *w)
{
    side_in *si = &j->in[side];
    side_rows *s = &k->side[side];
    const held_row *items = side_items(s);
    snap_put_u32(w, side_count(s));
    for (uint32_t i = s->head; i < s->len; i++) {
        const chunk_t *page = rowpool_chunk(&si->pool, items[i].ref);
        uint32_t pr = rowpool_row(items[i].ref);
        snap_put_u8(w, si->matched.items[items[i].ref]);
        for (uint32_t c = 0; c < si->schema.ncols; c++) {
            value_t v;
            vector_get(&page->cols[c], pr, &v);
            snap_put_value(w, si->pool.types[c], &v);
        }
    }
}

static int ij_snapshot(op_t *op, snap_writer *w)
{
    interval_join *j = ijoin(op);
    snap_put_u8(w, SNAP_VERSION);
    snap_put_i64(w, op->wm);
    snap_put_i64(w, op->wm_out);
    for (int port = 0; port < 2; port++) snap_put_i64(w, op->in_wm[port]);
    snap_put_u32(w, (uint32_t)j->held_keys);
    jkey *k;
    for (size_t pos = 0; (k = hidx_next(&j->index, &pos));) {
        if (key_empty(k)) continue;
        snap_put_bytes(w, k->key, k->klen);
        snapshot_side(j, k, LEFT, w);
        snapshot_side(j, k, RIGHT, w);
    }
    return 0;
}

static int restore_side(interval_join *j, jkey *k, int side, snap_reader *r)
{
    side_in *si = &j->in[side];
    chunk_t *one = si->one;
    uint32_t n = snap_get_u32(r);
    for (uint32_t i = 0; i < n && !r->failed; i++) {
        uint8_t matched = snap_get_u8(r);
        chunk_reset(one);
        one->nrows = 1;
        for (uint32_t c = 0; c < one->ncols; c++) {
            value_t v;
            snap_get_value(r, si->pool.types[c], &v, &one->arena);
            vector_set(&one->cols[c], 0, &v, NULL);
        }
        if (r->failed) break;
        if (one->cols[si->time_col].nulls[0])
            return err_msg("IntervalJoin: snapshot holds a %s row with a NULL time", side == LEFT ? "left" : "right");
        int64_t t = one->cols[si->time_col].i64[0];
        uint32_t ref = rowpool_add(&si->pool, one, 0, NULL, OP_INSERT);
        matched_reserve(si, ref);
        si->matched.items[ref] = matched != 0;
        side_hold(j, k, side, t, ref);
    }
    return 0;
}

static int ij_restore(op_t *op, snap_reader *r)
{
    interval_join *j = ijoin(op);
    uint8_t version = snap_get_u8(r);
    if (!r->failed && version != SNAP_VERSION)
        return err_msg("IntervalJoin: snapshot version %u, expected %u", version, SNAP_VERSION);
    int64_t wm = snap_get_i64(r), wm_out = snap_get_i64(r);
    int64_t in_wm[2];
    for (int port = 0; port < 2; port++) in_wm[port] = snap_get_i64(r);
    uint32_t nkeys = snap_get_u32(r);
    if (snap_check(r, "IntervalJoin") < 0) return -1;
    if (j->held_keys) return err_msg("IntervalJoin: restore into an operator that already holds rows");
    op->wm = wm;
    op->wm_out = wm_out;
    for (int port = 0; port < 2; port++) op->in_wm[port] = in_wm[port];
    for (uint32_t i = 0; i < nkeys && !r->failed; i++) {
        uint32_t klen;
        const uint8_t *key = snap_get_bytes(r, &klen);
        if (r->failed) break;
        uint64_t h = hash_bytes(key, klen);
        if (key_lookup(j, key, klen, h)) return err_msg("IntervalJoin: snapshot holds the same key twice");
        jkey *k = key_create(j, key, klen, h);
        for (int s = 0; s < 2; s++)
            if (restore_side(j, k, s, r) < 0) return -1;
        if (key_empty(k)) return err_msg("IntervalJoin: snapshot holds a key without rows");
    }
    op->stats.state_keys = j->held_keys;
    return snap_check(r, "IntervalJoin");
}

/* ---- explain / destroy ---- */

static void put_offset(sb_t *out, int64_t us)
{
    static const struct { int64_t unit; const char *name; } units[] = {
        {US_PER_DAY, "d"}, {3600 * US_PER_SEC, "h"}, {60 * US_PER_SEC, "min"}, {US_PER_SEC, "s"},
        {US_PER_MS, "ms"}, {1, "us"},
    };
    if (!us) return;
    sb_puts(out, us < 0 ? " - " : " + ");
    uint64_t mag = us < 0 ? 0 - (uint64_t)us : (uint64_t)us;
    for (size_t i = 0; i < ARRAY_LEN(units); i++)
        if (mag % (uint64_t)units[i].unit == 0) {
            sb_printf(out, "%llu %s", (unsigned long long)(mag / (uint64_t)units[i].unit), units[i].name);
            return;
        }
}

static const char *const join_names[] = {"INNER", "LEFT", "RIGHT", "FULL"};

static void ij_explain(op_t *op, sb_t *out)
{
    interval_join *j = ijoin(op);
    char **names = op->schema.names;
    const side_in *l = &j->in[LEFT], *r = &j->in[RIGHT];
    sb_printf(out, "type=%s, keys=[", join_names[j->type]);
    for (int k = 0; k < j->nkeys; k++)
        sb_printf(out, "%s%s = %s", k ? ", " : "", names[l->out_col + (uint32_t)l->keys[k]],
                  names[r->out_col + (uint32_t)r->keys[k]]);
    const char *lt = names[l->out_col + (uint32_t)l->time_col], *rt = names[r->out_col + (uint32_t)r->time_col];
    sb_printf(out, "], bounds=[%s BETWEEN %s", rt, lt);
    put_offset(out, j->lower);
    sb_printf(out, " AND %s", lt);
    put_offset(out, j->upper);
    sb_putc(out, ']');
    if (j->residual) {
        sb_puts(out, ", residual=[");
        expr_format(j->residual, &op->schema, out);
        sb_putc(out, ']');
    }
}

static void ij_destroy(op_t *op)
{
    interval_join *j = ijoin(op);
    jkey *k;
    for (size_t pos = 0; (k = hidx_next(&j->index, &pos));) key_free_storage(k);
    hidx_free(&j->index);
    for (size_t i = 0; i < j->slabs.len; i++) free(j->slabs.items[i]);
    VEC_FREE(j->slabs);
    VEC_FREE(j->heap);
    for (int s = 0; s < 2; s++) free(j->fifo[s].items);
    for (int s = 0; s < 2; s++) {
        side_in *si = &j->in[s];
        rowpool_free(&si->pool);
        VEC_FREE(si->matched);
        VEC_FREE(si->release);
        chunk_free(si->one);
        schema_free(&si->schema);
        free(si->keys);
    }
    pending_free(&j->joined);
    pending_free(&j->padded);
    free(j->partner_ref);
    free(j->probe_row);
    rowkey_chunk_free(&j->in_keys);
    free(j->row_matched);
    free(j->row_pad);
    free(j->row_ref);
    vector_free(&j->verdict);
    arena_free(&j->scratch);
    free(j);
}

static const op_vtable interval_join_vt = {
    .name = "IntervalJoin",
    .push = ij_push,
    .watermark = ij_watermark,
    .snapshot = ij_snapshot,
    .restore = ij_restore,
    .explain = ij_explain,
    .destroy = ij_destroy,
};

/* ---- construction ---- */

static int check_column(const schema_t *s, int col, const char *side, const char *what)
{
    if (col >= 0 && (uint32_t)col < s->ncols) return 0;
    return err_msg("IntervalJoin: %s %s column %d is outside the %u %s input columns", side, what, col, s->ncols, side);
}

static int check_keys(const interval_join_spec *sp)
{
    char lb[64], rb[64];
    if (sp->nkeys < 0) return err_msg("IntervalJoin: negative number of keys (%d)", sp->nkeys);
    for (int k = 0; k < sp->nkeys; k++) {
        if (check_column(sp->left, sp->left_keys[k], "left", "key") < 0) return -1;
        if (check_column(sp->right, sp->right_keys[k], "right", "key") < 0) return -1;
        type_t lt = sp->left->types[sp->left_keys[k]], rt = sp->right->types[sp->right_keys[k]];
        int decimals = (lt.id == TY_DECIMAL) + (rt.id == TY_DECIMAL);
        if (type_phys(lt) != type_phys(rt) || decimals == 1 || (decimals == 2 && lt.scale != rt.scale))
            return err_msg("IntervalJoin: key %d compares left %s with right %s; cast both to one type", k + 1,
                           type_name(lt, lb, sizeof lb), type_name(rt, rb, sizeof rb));
    }
    return 0;
}

static int check_time(const schema_t *s, int col, const char *side)
{
    char buf[64];
    if (check_column(s, col, side, "time") < 0) return -1;
    if (!type_is_timestamp(s->types[col]))
        return err_msg("IntervalJoin: %s time column %s is %s, expected TIMESTAMP or TIMESTAMP_LTZ", side,
                       s->names[col] ? s->names[col] : "?", type_name(s->types[col], buf, sizeof buf));
    return 0;
}

static int check_spec(const schema_t *out, const interval_join_spec *sp)
{
    if (!sp->left || !sp->right) return err_msg("IntervalJoin: the input schemas are missing");
    if (sp->type < JT_INNER || sp->type > JT_FULL) return err_msg("IntervalJoin: unknown join type %d", (int)sp->type);
    if (out->ncols != sp->left->ncols + sp->right->ncols)
        return err_msg("IntervalJoin: output has %u columns, expected %u left + %u right", out->ncols,
                       sp->left->ncols, sp->right->ncols);
    for (uint32_t c = 0; c < out->ncols; c++) {
        type_t in = c < sp->left->ncols ? sp->left->types[c] : sp->right->types[c - sp->left->ncols];
        if (type_phys(in) != type_phys(out->types[c]))
            return err_msg("IntervalJoin: output column %u does not have the representation of its input column", c);
    }
    if (check_keys(sp) < 0 || check_time(sp->left, sp->left_time_col, "left") < 0 ||
        check_time(sp->right, sp->right_time_col, "right") < 0)
        return -1;
    if (sp->lower_us <= -BOUND_LIMIT || sp->lower_us >= BOUND_LIMIT || sp->upper_us <= -BOUND_LIMIT ||
        sp->upper_us >= BOUND_LIMIT)
        return err_msg("IntervalJoin: time bounds [%lld, %lld] us are out of range", (long long)sp->lower_us,
                       (long long)sp->upper_us);
    if (sp->residual && sp->residual->type.id != TY_BOOLEAN)
        return err_msg("IntervalJoin: the residual condition is not BOOLEAN");
    return 0;
}

static void side_init(side_in *si, const schema_t *s, const int *keys, int nkeys, int time_col, int outer,
                      uint32_t out_col)
{
    schema_copy(&si->schema, s);
    si->keys = xcalloc(nkeys ? (size_t)nkeys : 1, sizeof *si->keys);
    if (nkeys) memcpy(si->keys, keys, (size_t)nkeys * sizeof *keys);
    si->time_col = time_col;
    si->outer = outer;
    si->out_col = out_col;
    rowpool_init(&si->pool, s->ncols, s->types);
    si->one = chunk_new(s, 1);
}

op_t *interval_join_new(exec_ctx *ctx, const schema_t *out, const interval_join_spec *spec)
{
    if (check_spec(out, spec) < 0) return NULL;
    interval_join *j = xcalloc(1, sizeof *j);
    op_init(&j->op, &interval_join_vt, ctx, out, 2);
    j->type = spec->type;
    j->nkeys = spec->nkeys;
    j->lower = spec->lower_us;
    j->upper = spec->upper_us;
    j->hold_back = MAX(0, MAX(spec->upper_us, -spec->lower_us));
    j->residual = spec->residual;
    side_init(&j->in[LEFT], spec->left, spec->left_keys, spec->nkeys, spec->left_time_col,
              spec->type == JT_LEFT || spec->type == JT_FULL, 0);
    side_init(&j->in[RIGHT], spec->right, spec->right_keys, spec->nkeys, spec->right_time_col,
              spec->type == JT_RIGHT || spec->type == JT_FULL, spec->left->ncols);
    hidx_init(&j->index);
    rowkey_chunk_init(&j->in_keys);
    pending_init(&j->joined, out);
    pending_init(&j->padded, out);
    j->partner_ref = xcalloc(CHUNK_CAP, sizeof *j->partner_ref);
    j->probe_row = xcalloc(CHUNK_CAP, sizeof *j->probe_row);
    row_scratch_reserve(j, CHUNK_CAP);
    vector_init(&j->verdict, type_make(TY_BOOLEAN), CHUNK_CAP);
    arena_init(&j->scratch, 16 * 1024);
    return &j->op;
}
