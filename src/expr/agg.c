/* agg.c - built-in aggregate functions with retraction, DISTINCT de-duplication, and a
 * group's aggregates as one state block (agg_set / agg_block_*).
 *
 * Accumulators (Flink semantics; each `update` loops once over a chunk's rows):
 *   COUNT              int64 count of rows (COUNT(*)) or of non-null values.
 *   SUM, AVG           count of non-null values + running sum: int64 wrapping like Java's
 *                      long for INT/BIGINT, double, or a 128-bit scaled sum for DECIMAL.
 *                      NULL while the count is 0, so retracting every value gives NULL back.
 *   MIN, MAX           append-only input: the running extreme. Otherwise an ordered multiset
 *                      (sorted blocks of value -> count); the result is its first/last entry.
 *   FIRST_VALUE,       append-only input: the first/last non-null value. Otherwise every
 *   LAST_VALUE         non-null value in arrival order; a retraction removes the earliest equal
 *                      value (as Flink's *WithRetractAggFunction); the result is head/tail.
 *                      Each kept value carries its arrival sequence number (one process-wide
 *                      counter, advanced per row), so that merging accumulators (`merge`, used
 *                      by sliced window aggregation) keeps arrival order.
 * Values are ordered and compared as Java does: signed integers, byte-wise strings, doubles
 * by Double.compare (-0.0 < 0.0, NaN above everything and equal to itself).
 *
 * Long strings (> STR_INLINE bytes) are copied into storage owned by the accumulator: one
 * growable buffer for the single value of the append-only paths (reallocated only when a
 * longer value becomes the result), one copy per stored value in multisets and lists.
 * No accumulator points into its own state block, so blocks may be moved with memcpy.
 *
 * DISTINCT: a distinct_set is a hash map from the encoded value (8 bytes, or the string bytes)
 * to its count; only the first arrival and the last retraction of a value reach the
 * aggregate. Snapshots write the same encodings. */
#include "expr/agg.h"
#include "base/hashmap.h"
#include "base/util.h"
#include "base/err.h"
#include <stdlib.h>
#include <string.h>

typedef __int128 i128;

/* ---- values as accumulators store them ---- */

typedef union aval {
    int64_t i;
    double f;
    str_t s;
} aval;

static int cmp_f64(double a, double b)
{
    if (a < b) return -1;
    if (a > b) return 1;
    /* Equal, ±0.0 or NaN: order by the canonical bits like Java's Double.compare. */
    int64_t x, y;
    if (a != a) a = __builtin_nan("");
    if (b != b) b = __builtin_nan("");
    memcpy(&x, &a, 8);
    memcpy(&y, &b, 8);
    return (x > y) - (x < y);
}

static __attribute__((noinline)) int cmp_str(const str_t *a, const str_t *b) { return str_cmp(a, b); }

/* Inlined so that searches over integers compare without a call. */
static inline __attribute__((always_inline)) int aval_cmp(int phys, const aval *a, const aval *b)
{
    switch (phys) {
    case PHYS_I64: return (a->i > b->i) - (a->i < b->i);
    case PHYS_F64: return cmp_f64(a->f, b->f);
    default: return cmp_str(&a->s, &b->s);
    }
}

static aval aval_read(const vector_t *v, int phys, uint32_t row)
{
    aval x;
    if (phys == PHYS_STR) x.s = v->str[row];
    else x.i = v->i64[row];
    return x;
}

/* A copy whose long-string bytes are malloc'ed (owned by the caller). */
static aval aval_own(int phys, const aval *v)
{
    if (phys != PHYS_STR || v->s.len <= STR_INLINE) return *v;
    char *p = xmalloc(v->s.len);
    memcpy(p, v->s.ptr, v->s.len);
    aval o;
    o.s = str_view(p, v->s.len);
    return o;
}

static void aval_release(int phys, aval *v)
{
    if (phys == PHYS_STR && v->s.len > STR_INLINE) free((char *)v->s.ptr);
}

static void aval_result(int phys, const aval *v, value_t *out, arena_t *a)
{
    memset(out, 0, sizeof *out);
    switch (phys) {
    case PHYS_I64: out->i = v->i; break;
    case PHYS_F64: out->f = v->f; break;
    default: out->s = str_copy(a, str_ptr(&v->s), v->s.len); break;
    }
}

static void aval_put(snap_writer *w, int phys, const aval *v)
{
    switch (phys) {
    case PHYS_I64: snap_put_i64(w, v->i); break;
    case PHYS_F64: snap_put_f64(w, v->f); break;
    default: snap_put_bytes(w, str_ptr(&v->s), v->s.len); break;
    }
}

/* Reads a value written by aval_put; long strings are returned as views into the reader. */
static aval aval_get(snap_reader *r, int phys)
{
    aval v;
    memset(&v, 0, sizeof v);
    switch (phys) {
    case PHYS_I64: v.i = snap_get_i64(r); break;
    case PHYS_F64: v.f = snap_get_f64(r); break;
    default: {
        uint32_t n;
        const char *p = snap_get_bytes(r, &n);
        v.s = str_view(p, n);
        break;
    }
    }
    return v;
}

/* An element count read from a snapshot, refused when the rest of the buffer cannot hold
 * that many elements of at least min_bytes each. */
static uint32_t get_count(snap_reader *r, size_t min_bytes)
{
    uint32_t n = snap_get_u32(r);
    if (r->failed || (size_t)n * min_bytes > r->len - r->pos) { r->failed = 1; return 0; }
    return n;
}

/* ---- one held value (append-only paths) ---- */

typedef struct held {
    aval v;
    char *buf;            /* owned bytes of a long string v */
    uint32_t cap;
    uint8_t has;
    uint64_t seq;         /* arrival sequence number of v (FIRST/LAST_VALUE) */
} held;

static void held_set(held *h, int phys, const aval *v)
{
    h->has = 1;
    if (phys != PHYS_STR || v->s.len <= STR_INLINE) { h->v = *v; return; }
    uint32_t len = v->s.len;
    if (len > h->cap) {
        uint32_t cap = h->cap ? h->cap : 32;
        while (cap < len) cap *= 2;
        free(h->buf);
        h->buf = xmalloc(cap);
        h->cap = cap;
    }
    memcpy(h->buf, v->s.ptr, len);
    h->v.s = str_view(h->buf, len);
}

static void held_free(held *h)
{
    free(h->buf);
    memset(h, 0, sizeof *h);
}

/* ---- arrival sequence numbers (FIRST/LAST_VALUE) ---- */

static uint64_t next_seq = 1;

/* Reserves n consecutive sequence numbers; returns the first. */
static uint64_t seq_reserve(uint32_t n)
{
    uint64_t s = next_seq;
    next_seq += n;
    return s;
}

/* Restored state carries old sequence numbers: later rows must follow them. */
static void seq_seen(uint64_t s)
{
    if (s >= next_seq) next_seq = s + 1;
}

/* ---- ordered multiset (MIN/MAX under retraction) ----
 * Sorted entries in blocks of at most MSET_BLOCK_MAX (a two-level B-tree): the top level
 * is an array of (last value, block) slots, so finding a value reads one contiguous array
 * and one block, and an insert or a removal moves at most one block's entries. A small set
 * is a single block that grows from 4 entries; a full block splits in two; an emptied block
 * is freed, so no block is ever empty. A slot's `last` is a copy of the view of its block's
 * last entry (inline bytes copied, long bytes shared with the entry). */

#define MSET_BLOCK_MAX 64

typedef struct mset_entry {
    aval v;               /* owned */
    int64_t count;        /* >= 1 */
} mset_entry;

typedef struct mblock {
    uint32_t len;
    uint32_t cap;
    mset_entry e[];
} mblock;

typedef struct mslot {
    aval last;            /* the block's greatest value */
    mblock *b;
} mslot;

typedef struct mset {
    uint32_t n;           /* slots in order */
    uint32_t cap;
    mslot s[];
} mset;

static mblock *mblock_new(uint32_t cap)
{
    mblock *b = xmalloc(sizeof *b + cap * sizeof b->e[0]);
    b->len = 0;
    b->cap = cap;
    return b;
}

/* Makes room for one more slot. */
static mset *mset_reserve(mset *m)
{
    if (m && m->n < m->cap) return m;
    uint32_t cap = m ? m->cap * 2 : 2;
    int fresh = !m;
    m = xrealloc(m, sizeof *m + cap * sizeof m->s[0]);
    if (fresh) m->n = 0;
    m->cap = cap;
    return m;
}

static void mset_sync(mset *m, uint32_t si)
{
    m->s[si].last = m->s[si].b->e[m->s[si].b->len - 1].v;
}

/* The slot where v is or belongs: the first whose last value is >= v, else the last one. */
static uint32_t mset_slot_for(const mset *m, int phys, const aval *v)
{
    uint32_t lo = 0, hi = m->n - 1;
    if (aval_cmp(phys, &m->s[hi].last, v) < 0) return hi;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (aval_cmp(phys, &m->s[mid].last, v) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static uint32_t mblock_lower_bound(const mblock *b, int phys, const aval *v)
{
    uint32_t lo = 0, hi = b->len;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (aval_cmp(phys, &b->e[mid].v, v) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static void mset_remove_at(mset *m, uint32_t si, uint32_t at, int phys)
{
    mblock *b = m->s[si].b;
    aval_release(phys, &b->e[at].v);
    memmove(&b->e[at], &b->e[at + 1], (b->len - at - 1) * sizeof b->e[0]);
    if (--b->len) {
        mset_sync(m, si);
        return;
    }
    free(b);
    memmove(&m->s[si], &m->s[si + 1], (m->n - si - 1) * sizeof m->s[0]);
    m->n--;
}

/* Slot si's block with room for one more entry at *at (splitting a full block; *si and *at
 * follow the insertion point). */
static mset *mset_make_room(mset *m, uint32_t *si, uint32_t *at)
{
    mblock *b = m->s[*si].b;
    if (b->len < b->cap) return m;
    if (b->cap < MSET_BLOCK_MAX) {
        uint32_t cap = b->cap * 2;
        b = xrealloc(b, sizeof *b + cap * sizeof b->e[0]);
        b->cap = cap;
        m->s[*si].b = b;
        return m;
    }
    m = mset_reserve(m);
    uint32_t half = b->len / 2;
    mblock *nb = mblock_new(MSET_BLOCK_MAX);
    nb->len = b->len - half;
    memcpy(nb->e, &b->e[half], nb->len * sizeof b->e[0]);
    b->len = half;
    memmove(&m->s[*si + 2], &m->s[*si + 1], (m->n - *si - 1) * sizeof m->s[0]);
    m->s[*si + 1].b = nb;
    m->n++;
    mset_sync(m, *si);
    mset_sync(m, *si + 1);
    if (*at > half) { (*si)++; *at -= half; }
    return m;
}

/* Adds delta occurrences of v (a negative delta removes them; removing a value that is not
 * present is ignored). Returns the (possibly reallocated) set. */
static mset *mset_add(mset *m, int phys, const aval *v, int64_t delta)
{
    uint32_t si = 0, at = 0;
    if (m && m->n) {
        si = mset_slot_for(m, phys, v);
        mblock *b = m->s[si].b;
        at = mblock_lower_bound(b, phys, v);
        if (at < b->len && aval_cmp(phys, &b->e[at].v, v) == 0) {
            b->e[at].count += delta;
            if (b->e[at].count <= 0) mset_remove_at(m, si, at, phys);
            return m;
        }
    }
    if (delta <= 0) return m;
    if (!m || !m->n) {
        m = mset_reserve(m);
        m->s[0].b = mblock_new(4);
        m->n = 1;
    }
    m = mset_make_room(m, &si, &at);
    mblock *b = m->s[si].b;
    memmove(&b->e[at + 1], &b->e[at], (b->len - at) * sizeof b->e[0]);
    b->e[at].v = aval_own(phys, v);
    b->e[at].count = delta;
    b->len++;
    if (at == b->len - 1) mset_sync(m, si);
    return m;
}

static const aval *mset_first(const mset *m) { return m && m->n ? &m->s[0].b->e[0].v : NULL; }
static const aval *mset_last(const mset *m) { return m && m->n ? &m->s[m->n - 1].last : NULL; }

static uint32_t mset_size(const mset *m)
{
    uint32_t n = 0;
    for (uint32_t i = 0; m && i < m->n; i++) n += m->s[i].b->len;
    return n;
}

static void mset_free(mset *m, int phys)
{
    if (!m) return;
    for (uint32_t i = 0; i < m->n; i++) {
        for (uint32_t j = 0; j < m->s[i].b->len; j++) aval_release(phys, &m->s[i].b->e[j].v);
        free(m->s[i].b);
    }
    free(m);
}

static mset *mset_merge(mset *dst, int phys, const mset *src)
{
    for (uint32_t i = 0; src && i < src->n; i++) {
        const mblock *b = src->s[i].b;
        for (uint32_t j = 0; j < b->len; j++) dst = mset_add(dst, phys, &b->e[j].v, b->e[j].count);
    }
    return dst;
}

/* ---- values in arrival order (FIRST/LAST_VALUE under retraction) ---- */

typedef struct vlist {
    uint32_t len;
    uint32_t cap;
    uint64_t *seq;        /* arrival sequence numbers, ascending (after v[cap]) */
    aval v[];             /* owned, oldest first */
} vlist;

static vlist *vlist_reserve(vlist *l, uint32_t more)
{
    if (l && l->len + more <= l->cap) return l;
    uint32_t cap = l ? l->cap * 2 : 4;
    while (cap < (l ? l->len : 0) + more) cap *= 2;
    vlist *nl = xmalloc(sizeof *nl + cap * (sizeof nl->v[0] + sizeof *nl->seq));
    nl->len = l ? l->len : 0;
    nl->cap = cap;
    nl->seq = (uint64_t *)&nl->v[cap];
    if (l) {
        memcpy(nl->v, l->v, l->len * sizeof l->v[0]);
        memcpy(nl->seq, l->seq, l->len * sizeof *l->seq);
        free(l);
    }
    return nl;
}

static vlist *vlist_push(vlist *l, int phys, const aval *v, uint64_t seq)
{
    l = vlist_reserve(l, 1);
    l->seq[l->len] = seq;
    l->v[l->len++] = aval_own(phys, v);
    return l;
}

/* Removes the earliest value equal to v (if any). */
static void vlist_remove(vlist *l, int phys, const aval *v)
{
    if (!l) return;
    for (uint32_t i = 0; i < l->len; i++) {
        if (aval_cmp(phys, &l->v[i], v) != 0) continue;
        aval_release(phys, &l->v[i]);
        memmove(&l->v[i], &l->v[i + 1], (l->len - i - 1) * sizeof l->v[0]);
        memmove(&l->seq[i], &l->seq[i + 1], (l->len - i - 1) * sizeof l->seq[0]);
        l->len--;
        return;
    }
}

static void vlist_free(vlist *l, int phys)
{
    if (!l) return;
    for (uint32_t i = 0; i < l->len; i++) aval_release(phys, &l->v[i]);
    free(l);
}

/* dst with copies of src's values interleaved by sequence number. */
static vlist *vlist_merge(vlist *dst, int phys, const vlist *src)
{
    if (!src || !src->len) return dst;
    uint32_t n = dst ? dst->len : 0;
    vlist *out = vlist_reserve(NULL, n + src->len);
    uint32_t i = 0, j = 0;
    while (i < n || j < src->len) {
        int take_src = i == n || (j < src->len && src->seq[j] < dst->seq[i]);
        if (take_src) {
            out->seq[out->len] = src->seq[j];
            out->v[out->len++] = aval_own(phys, &src->v[j++]);
        } else {
            out->seq[out->len] = dst->seq[i];
            out->v[out->len++] = dst->v[i++];    /* ownership moves */
        }
    }
    free(dst);
    return out;
}

/* ---- COUNT ---- */

static int count_result_type(type_t arg, type_t *out)
{
    (void)arg;
    *out = type_make(TY_BIGINT);
    out->not_null = 1;
    return 0;
}

static void count_init(const agg_call *c, void *state) { *(int64_t *)state = 0; }

static void count_update(const agg_call *c, void **states, const vector_t *arg, const int8_t *sign, uint32_t n)
{
    if (!arg) {
        for (uint32_t i = 0; i < n; i++) *(int64_t *)states[i] += sign[i];
        return;
    }
    for (uint32_t i = 0; i < n; i++)
        if (!arg->nulls[i]) *(int64_t *)states[i] += sign[i];
}

static void count_result(const agg_call *c, void *state, value_t *out, arena_t *a)
{
    *out = value_i64(*(int64_t *)state);
}

static void count_destroy(const agg_call *c, void *state) {}

static void count_merge(const agg_call *c, void *dst, const void *src)
{
    *(int64_t *)dst += *(const int64_t *)src;
}

static void count_unmerge(const agg_call *c, void *dst, const void *src)
{
    *(int64_t *)dst -= *(const int64_t *)src;
}

static void count_snapshot(const agg_call *c, void *state, snap_writer *w)
{
    snap_put_i64(w, *(int64_t *)state);
}

static void count_restore(const agg_call *c, void *state, snap_reader *r)
{
    *(int64_t *)state = snap_get_i64(r);
}

/* ---- SUM and AVG: a non-null count and a running sum ---- */

typedef struct sum_state {
    int64_t n;            /* non-null values added minus retracted */
    union {
        int64_t i;        /* INT, BIGINT: wraps like Java's long */
        double f;         /* DOUBLE */
        uint64_t lo;      /* DECIMAL: low half of the 128-bit scaled sum */
    };
    int64_t hi;           /* DECIMAL: high half */
} sum_state;

static i128 sum_dec(const sum_state *s) { return (i128)(((unsigned __int128)(uint64_t)s->hi << 64) | s->lo); }

static void sum_set_dec(sum_state *s, i128 v)
{
    s->lo = (uint64_t)v;
    s->hi = (int64_t)(v >> 64);
}

static int sum_result_type(type_t arg, type_t *out)
{
    switch (arg.id) {
    case TY_INT: case TY_BIGINT: case TY_DOUBLE: *out = type_make((type_id)arg.id); return 0;
    case TY_DECIMAL: *out = type_decimal(18, arg.scale); return 0;    /* Flink: DECIMAL(38, s) */
    default: return -1;
    }
}

static int avg_result_type(type_t arg, type_t *out)
{
    if (arg.id != TY_DECIMAL) return sum_result_type(arg, out);
    *out = type_decimal(18, arg.scale > 6 ? arg.scale : 6);              /* Flink: DECIMAL(38, max(6, s)) */
    return 0;
}

static void sum_init(const agg_call *c, void *state) { memset(state, 0, sizeof(sum_state)); }

static void sum_update(const agg_call *c, void **states, const vector_t *arg, const int8_t *sign, uint32_t n)
{
    switch (c->arg_type.id) {
    case TY_DOUBLE:
        for (uint32_t i = 0; i < n; i++) {
            if (!sign[i] || arg->nulls[i]) continue;
            sum_state *s = states[i];
            s->n += sign[i];
            s->f += sign[i] > 0 ? arg->f64[i] : -arg->f64[i];
        }
        break;
    case TY_DECIMAL:
        for (uint32_t i = 0; i < n; i++) {
            if (!sign[i] || arg->nulls[i]) continue;
            sum_state *s = states[i];
            s->n += sign[i];
            sum_set_dec(s, sum_dec(s) + (sign[i] > 0 ? (i128)arg->i64[i] : -(i128)arg->i64[i]));
        }
        break;
    default:
        for (uint32_t i = 0; i < n; i++) {
            if (!sign[i] || arg->nulls[i]) continue;
            sum_state *s = states[i];
            uint64_t x = (uint64_t)arg->i64[i];
            s->n += sign[i];
            s->i = (int64_t)(sign[i] > 0 ? (uint64_t)s->i + x : (uint64_t)s->i - x);
        }
        break;
    }
}

/* v scaled by 10^from rescaled to 10^to, rounding HALF_UP (Java's BigDecimal default here). */
static i128 rescale_half_up(i128 v, int from, int to)
{
    if (to >= from) {
        for (int k = from; k < to; k++) v *= 10;
        return v;
    }
    i128 d = 1;
    for (int k = to; k < from; k++) d *= 10;
    i128 q = v / d, rem = v % d;
    if (rem * 2 >= d) q++;
    else if (rem * 2 <= -d) q--;
    return q;
}

/* A DECIMAL result, NULL when it does not fit the result precision (as Flink's overflow). */
static void decimal_result(i128 v, type_t t, value_t *out)
{
    i128 limit = pow10_i64(t.precision > 18 ? 18 : t.precision);
    if (v >= limit || v <= -limit) { *out = value_null(); return; }
    *out = value_i64((int64_t)v);
}

static void sum_result(const agg_call *c, void *state, value_t *out, arena_t *a)
{
    const sum_state *s = state;
    if (s->n <= 0) { *out = value_null(); return; }
    switch (c->arg_type.id) {
    case TY_DOUBLE: *out = value_f64(s->f); break;
    case TY_DECIMAL:
        decimal_result(rescale_half_up(sum_dec(s), c->arg_type.scale, c->result_type.scale), c->result_type, out);
        break;
    case TY_INT: *out = value_i64((int32_t)(uint32_t)(uint64_t)s->i); break;   /* Java int overflow */
    default: *out = value_i64(s->i); break;
    }
}

static void avg_result(const agg_call *c, void *state, value_t *out, arena_t *a)
{
    const sum_state *s = state;
    if (s->n <= 0) { *out = value_null(); return; }
    switch (c->arg_type.id) {
    case TY_DOUBLE: *out = value_f64(s->f / (double)s->n); break;
    case TY_DECIMAL: {
        i128 num = rescale_half_up(sum_dec(s), c->arg_type.scale, c->result_type.scale);
        i128 q = num / s->n, rem = num % s->n;
        if (rem * 2 >= s->n) q++;
        else if (rem * 2 <= -s->n) q--;
        decimal_result(q, c->result_type, out);
        break;
    }
    case TY_INT: *out = value_i64((int32_t)(s->i / s->n)); break;
    default: *out = value_i64(s->i / s->n); break;
    }
}

static void sum_destroy(const agg_call *c, void *state) {}

static void sum_merge(const agg_call *c, void *dst, const void *src)
{
    sum_state *d = dst;
    const sum_state *s = src;
    d->n += s->n;
    switch (c->arg_type.id) {
    case TY_DOUBLE: d->f += s->f; break;
    case TY_DECIMAL: sum_set_dec(d, sum_dec(d) + sum_dec(s)); break;
    default: d->i = (int64_t)((uint64_t)d->i + (uint64_t)s->i); break;
    }
}

static void sum_unmerge(const agg_call *c, void *dst, const void *src)
{
    sum_state *d = dst;
    const sum_state *s = src;
    d->n -= s->n;
    if (c->arg_type.id == TY_DECIMAL) sum_set_dec(d, sum_dec(d) - sum_dec(s));
    else d->i = (int64_t)((uint64_t)d->i - (uint64_t)s->i);
}

static void sum_snapshot(const agg_call *c, void *state, snap_writer *w)
{
    const sum_state *s = state;
    snap_put_i64(w, s->n);
    snap_put_i64(w, s->i);
    snap_put_i64(w, s->hi);
}

static void sum_restore(const agg_call *c, void *state, snap_reader *r)
{
    sum_state *s = state;
    s->n = snap_get_i64(r);
    s->i = snap_get_i64(r);
    s->hi = snap_get_i64(r);
}

/* ---- MIN, MAX, FIRST_VALUE, LAST_VALUE: values picked from the input ---- */

typedef struct pick_state {
    held one;             /* append-only input */
    void *many;           /* otherwise: mset* (MIN/MAX) or vlist* (FIRST/LAST_VALUE) */
} pick_state;

enum pick_kind { PICK_MIN, PICK_MAX, PICK_FIRST, PICK_LAST };

static int pick_result_type(type_t arg, type_t *out)
{
    if (arg.id == TY_NULL) return -1;
    *out = arg;
    out->not_null = 0;
    out->attr = TA_NONE;          /* an aggregated time attribute is a plain timestamp */
    return 0;
}

static void pick_init(const agg_call *c, void *state) { memset(state, 0, sizeof(pick_state)); }

static int uses_mset(enum pick_kind k) { return k == PICK_MIN || k == PICK_MAX; }

static void pick_update_append(const agg_call *c, void **states, const vector_t *arg, const int8_t *sign,
                               uint32_t n, enum pick_kind kind)
{
    int phys = type_phys(c->arg_type);
    uint64_t seq = uses_mset(kind) ? 0 : seq_reserve(n);
    for (uint32_t i = 0; i < n; i++) {
        if (sign[i] <= 0 || arg->nulls[i]) continue;      /* append-only: retractions cannot occur */
        held *h = &((pick_state *)states[i])->one;
        aval v = aval_read(arg, phys, i);
        int take;
        switch (kind) {
        case PICK_MIN: take = !h->has || aval_cmp(phys, &v, &h->v) < 0; break;
        case PICK_MAX: take = !h->has || aval_cmp(phys, &v, &h->v) > 0; break;
        case PICK_FIRST: take = !h->has; break;
        default: take = 1; break;
        }
        if (take) {
            held_set(h, phys, &v);
            h->seq = seq + i;
        }
    }
}

static void pick_update_retract(const agg_call *c, void **states, const vector_t *arg, const int8_t *sign,
                                uint32_t n, enum pick_kind kind)
{
    int phys = type_phys(c->arg_type);
    uint64_t seq = uses_mset(kind) ? 0 : seq_reserve(n);
    for (uint32_t i = 0; i < n; i++) {
        if (!sign[i] || arg->nulls[i]) continue;
        pick_state *p = states[i];
        aval v = aval_read(arg, phys, i);
        if (uses_mset(kind)) p->many = mset_add(p->many, phys, &v, sign[i]);
        else if (sign[i] > 0) p->many = vlist_push(p->many, phys, &v, seq + i);
        else vlist_remove(p->many, phys, &v);
    }
}

static void pick_update(const agg_call *c, void **states, const vector_t *arg, const int8_t *sign,
                        uint32_t n, enum pick_kind kind)
{
    if (c->append_only) pick_update_append(c, states, arg, sign, n, kind);
    else pick_update_retract(c, states, arg, sign, n, kind);
}

static void min_update(const agg_call *c, void **s, const vector_t *a, const int8_t *g, uint32_t n) { pick_update(c, s, a, g, n, PICK_MIN); }
static void max_update(const agg_call *c, void **s, const vector_t *a, const int8_t *g, uint32_t n) { pick_update(c, s, a, g, n, PICK_MAX); }
static void first_update(const agg_call *c, void **s, const vector_t *a, const int8_t *g, uint32_t n) { pick_update(c, s, a, g, n, PICK_FIRST); }
static void last_update(const agg_call *c, void **s, const vector_t *a, const int8_t *g, uint32_t n) { pick_update(c, s, a, g, n, PICK_LAST); }

/* The picked value of a retracting accumulator, NULL if it holds none. */
static const aval *pick_many_value(const pick_state *p, enum pick_kind kind)
{
    if (uses_mset(kind)) return kind == PICK_MIN ? mset_first(p->many) : mset_last(p->many);
    const vlist *l = p->many;
    if (!l || !l->len) return NULL;
    return kind == PICK_FIRST ? &l->v[0] : &l->v[l->len - 1];
}

static void pick_result(const agg_call *c, void *state, value_t *out, arena_t *a, enum pick_kind kind)
{
    const pick_state *p = state;
    const aval *v = c->append_only ? (p->one.has ? &p->one.v : NULL) : pick_many_value(p, kind);
    if (!v) { *out = value_null(); return; }
    aval_result(type_phys(c->arg_type), v, out, a);
}

static void min_result(const agg_call *c, void *s, value_t *o, arena_t *a) { pick_result(c, s, o, a, PICK_MIN); }
static void max_result(const agg_call *c, void *s, value_t *o, arena_t *a) { pick_result(c, s, o, a, PICK_MAX); }
static void first_result(const agg_call *c, void *s, value_t *o, arena_t *a) { pick_result(c, s, o, a, PICK_FIRST); }
static void last_result(const agg_call *c, void *s, value_t *o, arena_t *a) { pick_result(c, s, o, a, PICK_LAST); }

static void pick_destroy(const agg_call *c, void *state, enum pick_kind kind)
{
    pick_state *p = state;
    int phys = type_phys(c->arg_type);
    held_free(&p->one);
    if (uses_mset(kind)) mset_free(p->many, phys);
    else vlist_free(p->many, phys);
    p->many = NULL;
}

static void mset_destroy(const agg_call *c, void *s) { pick_destroy(c, s, PICK_MIN); }
static void vlist_destroy(const agg_call *c, void *s) { pick_destroy(c, s, PICK_FIRST); }

/* Whether the held value of src replaces dst's when merging. */
static int held_wins(int phys, const held *d, const held *s, enum pick_kind kind)
{
    if (!s->has) return 0;
    if (!d->has) return 1;
    switch (kind) {
    case PICK_MIN: return aval_cmp(phys, &s->v, &d->v) < 0;
    case PICK_MAX: return aval_cmp(phys, &s->v, &d->v) > 0;
    case PICK_FIRST: return s->seq < d->seq;
    default: return s->seq > d->seq;
    }
}

static void pick_merge(const agg_call *c, void *dst, const void *src, enum pick_kind kind)
{
    pick_state *d = dst;
    const pick_state *s = src;
    int phys = type_phys(c->arg_type);
    if (c->append_only) {
        if (!held_wins(phys, &d->one, &s->one, kind)) return;
        held_set(&d->one, phys, &s->one.v);
        d->one.seq = s->one.seq;
        return;
    }
    if (uses_mset(kind)) d->many = mset_merge(d->many, phys, s->many);
    else d->many = vlist_merge(d->many, phys, s->many);
}

static void min_merge(const agg_call *c, void *d, const void *s) { pick_merge(c, d, s, PICK_MIN); }
static void max_merge(const agg_call *c, void *d, const void *s) { pick_merge(c, d, s, PICK_MAX); }
static void first_merge(const agg_call *c, void *d, const void *s) { pick_merge(c, d, s, PICK_FIRST); }
static void last_merge(const agg_call *c, void *d, const void *s) { pick_merge(c, d, s, PICK_LAST); }

/* Snapshot: u8 mode (0 one value, 1 many), then u8 has + value, or u32 n + values
 * (each followed by its i64 count for MIN/MAX); FIRST/LAST_VALUE values are followed by their
 * u64 sequence number (as i64). */
static void pick_snapshot(const agg_call *c, void *state, snap_writer *w, enum pick_kind kind)
{
    const pick_state *p = state;
    int phys = type_phys(c->arg_type);
    snap_put_u8(w, c->append_only ? 0 : 1);
    if (c->append_only) {
        snap_put_u8(w, p->one.has);
        if (p->one.has) aval_put(w, phys, &p->one.v);
        if (p->one.has && !uses_mset(kind)) snap_put_i64(w, (int64_t)p->one.seq);
        return;
    }
    if (uses_mset(kind)) {
        const mset *m = p->many;
        snap_put_u32(w, mset_size(m));
        for (uint32_t i = 0; m && i < m->n; i++) {
            const mblock *b = m->s[i].b;
            for (uint32_t j = 0; j < b->len; j++) {
                aval_put(w, phys, &b->e[j].v);
                snap_put_i64(w, b->e[j].count);
            }
        }
        return;
    }
    const vlist *l = p->many;
    snap_put_u32(w, l ? l->len : 0);
    for (uint32_t i = 0; l && i < l->len; i++) {
        aval_put(w, phys, &l->v[i]);
        snap_put_i64(w, (int64_t)l->seq[i]);
    }
}

static void pick_restore(const agg_call *c, void *state, snap_reader *r, enum pick_kind kind)
{
    pick_state *p = state;
    int phys = type_phys(c->arg_type);
    pick_destroy(c, state, kind);
    uint8_t mode = snap_get_u8(r);
    if (mode != (c->append_only ? 0 : 1)) { r->failed = 1; return; }
    if (c->append_only) {
        if (!snap_get_u8(r)) return;
        aval v = aval_get(r, phys);
        uint64_t seq = uses_mset(kind) ? 0 : (uint64_t)snap_get_i64(r);
        if (r->failed) return;
        held_set(&p->one, phys, &v);
        p->one.seq = seq;
        seq_seen(seq);
        return;
    }
    uint32_t n = get_count(r, 12);
    for (uint32_t i = 0; i < n && !r->failed; i++) {
        aval v = aval_get(r, phys);
        if (!uses_mset(kind)) {
            uint64_t seq = (uint64_t)snap_get_i64(r);
            if (r->failed) return;
            if (p->many && ((vlist *)p->many)->len && seq <= ((vlist *)p->many)->seq[((vlist *)p->many)->len - 1]) {
                r->failed = 1;       /* sequence numbers must ascend */
                return;
            }
            p->many = vlist_push(p->many, phys, &v, seq);
            seq_seen(seq);
            continue;
        }
        int64_t count = snap_get_i64(r);
        if (r->failed || count <= 0) { r->failed = 1; return; }
        p->many = mset_add(p->many, phys, &v, count);
    }
}

static void min_snapshot(const agg_call *c, void *s, snap_writer *w) { pick_snapshot(c, s, w, PICK_MIN); }
static void first_snapshot(const agg_call *c, void *s, snap_writer *w) { pick_snapshot(c, s, w, PICK_FIRST); }
static void min_restore(const agg_call *c, void *s, snap_reader *r) { pick_restore(c, s, r, PICK_MIN); }
static void first_restore(const agg_call *c, void *s, snap_reader *r) { pick_restore(c, s, r, PICK_FIRST); }

/* ---- the registry ---- */

static const agg_def agg_count = {
    "COUNT", sizeof(int64_t), 1, count_result_type, count_init, count_update, count_result,
    count_destroy, count_snapshot, count_restore, count_merge, count_unmerge,
};
static const agg_def agg_sum = {
    "SUM", sizeof(sum_state), 1, sum_result_type, sum_init, sum_update, sum_result,
    sum_destroy, sum_snapshot, sum_restore, sum_merge, sum_unmerge,
};
static const agg_def agg_avg = {
    "AVG", sizeof(sum_state), 1, avg_result_type, sum_init, sum_update, avg_result,
    sum_destroy, sum_snapshot, sum_restore, sum_merge, sum_unmerge,
};
static const agg_def agg_min = {
    "MIN", sizeof(pick_state), 1, pick_result_type, pick_init, min_update, min_result,
    mset_destroy, min_snapshot, min_restore, min_merge, NULL,
};
static const agg_def agg_max = {
    "MAX", sizeof(pick_state), 1, pick_result_type, pick_init, max_update, max_result,
    mset_destroy, min_snapshot, min_restore, max_merge, NULL,
};
static const agg_def agg_first = {
    "FIRST_VALUE", sizeof(pick_state), 1, pick_result_type, pick_init, first_update, first_result,
    vlist_destroy, first_snapshot, first_restore, first_merge, NULL,
};
static const agg_def agg_last = {
    "LAST_VALUE", sizeof(pick_state), 1, pick_result_type, pick_init, last_update, last_result,
    vlist_destroy, first_snapshot, first_restore, last_merge, NULL,
};

static const agg_def *const all_aggs[] = {
    &agg_count, &agg_sum, &agg_avg, &agg_min, &agg_max, &agg_first, &agg_last,
};

const agg_def *agg_lookup(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(all_aggs); i++)
        if (str_ieq(all_aggs[i]->name, name)) return all_aggs[i];
    return NULL;
}

int agg_names(const char ***names)
{
    static const char *list[ARRAY_LEN(all_aggs)];
    for (size_t i = 0; i < ARRAY_LEN(all_aggs); i++) list[i] = all_aggs[i]->name;
    *names = list;
    return (int)ARRAY_LEN(all_aggs);
}

/* ---- DISTINCT ---- */

struct distinct_set {
    hmap_t map;           /* encoded value -> count (stored in the value pointer) */
};

distinct_set *distinct_new(void)
{
    distinct_set *d = xmalloc(sizeof *d);
    hmap_init(&d->map);
    return d;
}

void distinct_free(distinct_set *d)
{
    if (!d) return;
    hmap_free(&d->map);
    free(d);
}

/* The key bytes of row i: 8 bytes for numbers (NaN made canonical), the bytes of a string. */
static const void *distinct_key(const vector_t *arg, int phys, uint32_t i, uint64_t *scratch, uint32_t *len)
{
    if (phys == PHYS_STR) {
        *len = arg->str[i].len;
        return str_ptr(&arg->str[i]);
    }
    *scratch = (uint64_t)arg->i64[i];
    if (phys == PHYS_F64 && arg->f64[i] != arg->f64[i]) {
        double nan = __builtin_nan("");
        memcpy(scratch, &nan, 8);
    }
    *len = 8;
    return scratch;
}

void distinct_filter(distinct_set **sets, const vector_t *arg, int8_t *sign, uint32_t n)
{
    int phys = type_phys(arg->type);
    for (uint32_t i = 0; i < n; i++) {
        if (!sign[i]) continue;
        if (arg->nulls[i]) { sign[i] = 0; continue; }
        uint64_t buf;
        uint32_t len;
        const void *key = distinct_key(arg, phys, i, &buf, &len);
        uint64_t h = hash_bytes(key, len);
        hmap_t *m = &sets[i]->map;
        if (sign[i] > 0) {
            void **slot = hmap_put(m, key, len, h, NULL);
            intptr_t count = (intptr_t)*slot + 1;
            *slot = (void *)count;
            sign[i] = count == 1 ? 1 : 0;
            continue;
        }
        void **slot = hmap_get(m, key, len, h);
        if (!slot) { sign[i] = 0; continue; }      /* retraction of a value never added */
        intptr_t count = (intptr_t)*slot - 1;
        if (count > 0) { *slot = (void *)count; sign[i] = 0; continue; }
        hmap_del(m, key, len, h);
        sign[i] = -1;
    }
}

/* Snapshot: u32 n, then per value its key bytes and i64 count. */
void distinct_snapshot(distinct_set *d, type_t t, snap_writer *w)
{
    (void)t;
    snap_put_u32(w, d ? (uint32_t)d->map.len : 0);
    if (!d) return;
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&d->map, &pos, &e);) {
        snap_put_bytes(w, e->key, e->klen);
        snap_put_i64(w, (int64_t)(intptr_t)e->val);
    }
}

distinct_set *distinct_restore(type_t t, snap_reader *r)
{
    uint32_t n = get_count(r, 12);
    if (!n) return NULL;
    distinct_set *d = distinct_new();
    for (uint32_t i = 0; i < n && !r->failed; i++) {
        uint32_t len;
        const void *key = snap_get_bytes(r, &len);
        int64_t count = snap_get_i64(r);
        if (r->failed) break;
        if (count <= 0 || (type_phys(t) != PHYS_STR && len != 8)) { r->failed = 1; break; }
        *hmap_put(&d->map, key, len, hash_bytes(key, len), NULL) = (void *)(intptr_t)count;
    }
    return d;
}

/* ---- a group's aggregates as one state block ---- */

static uint32_t align8(uint32_t x) { return (x + 7) & ~7u; }

int agg_set_init(agg_set *s, agg_call *calls, int ncalls)
{
    for (int i = 0; i < ncalls; i++) {
        const agg_call *c = &calls[i];
        if (!c->def) return err_msg("aggregate call %d has no function", i);
        if (c->arg_col < 0 && c->def != &agg_count)
            return err_msg("aggregate %s needs an argument", c->def->name);
        if (c->arg_col < 0 && c->distinct)
            return err_msg("COUNT(DISTINCT ...) needs an argument; COUNT(DISTINCT *) is not valid");
    }
    s->calls = calls;
    s->ncalls = ncalls;
    s->distinct_off = xcalloc(ncalls ? (size_t)ncalls : 1, sizeof *s->distinct_off);
    uint32_t off = sizeof(int64_t);
    for (int i = 0; i < ncalls; i++) {
        calls[i].state_off = off;
        off = align8(off + calls[i].def->state_size);
    }
    for (int i = 0; i < ncalls; i++) {
        if (!calls[i].distinct) continue;
        s->distinct_off[i] = off;
        off += sizeof(distinct_set *);
    }
    s->block_size = (off + 15) & ~15u;
    return 0;
}

void agg_set_free(agg_set *s)
{
    free(s->distinct_off);
    s->distinct_off = NULL;
}

static distinct_set **distinct_slot(const agg_set *s, void *block, int i)
{
    return (distinct_set **)((char *)block + s->distinct_off[i]);
}

void agg_block_init(const agg_set *s, void *block)
{
    memset(block, 0, s->block_size);
    for (int i = 0; i < s->ncalls; i++) {
        const agg_call *c = &s->calls[i];
        c->def->init(c, (char *)block + c->state_off);
    }
}

void agg_block_destroy(const agg_set *s, void *block)
{
    for (int i = 0; i < s->ncalls; i++) {
        const agg_call *c = &s->calls[i];
        c->def->destroy(c, (char *)block + c->state_off);
        if (s->distinct_off[i]) {
            distinct_free(*distinct_slot(s, block, i));
            *distinct_slot(s, block, i) = NULL;
        }
    }
}

/* Rows [start, start+n) of a column as a vector of n rows. */
static vector_t vector_slice(const vector_t *v, uint32_t start)
{
    vector_t s = *v;
    s.nulls += start;
    if (type_phys(v->type) == PHYS_STR) s.str += start;
    else s.i64 += start;
    return s;
}

/* FILTER (WHERE cond): rows whose condition is NULL or FALSE do not reach the aggregate. */
static void apply_filter(const vector_t *cond, int8_t *sign, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (cond->nulls[i] || !cond->i64[i]) sign[i] = 0;
}

static void update_call(const agg_set *s, int ci, void **blocks, const chunk_t *in, uint32_t start,
                        uint32_t n, const int8_t *row_sign)
{
    const agg_call *c = &s->calls[ci];
    int8_t sign[CHUNK_CAP];
    void *states[CHUNK_CAP];
    memcpy(sign, row_sign, n);
    vector_t arg;
    memset(&arg, 0, sizeof arg);
    if (c->arg_col >= 0) arg = vector_slice(&in->cols[c->arg_col], start);
    if (c->filter_col >= 0) {
        vector_t cond = vector_slice(&in->cols[c->filter_col], start);
        apply_filter(&cond, sign, n);
    }
    if (s->distinct_off[ci]) {
        distinct_set *sets[CHUNK_CAP];
        for (uint32_t i = 0; i < n; i++) {
            distinct_set **slot = distinct_slot(s, blocks[i], ci);
            if (!*slot && sign[i]) *slot = distinct_new();
            sets[i] = *slot;
        }
        distinct_filter(sets, &arg, sign, n);
    }
    for (uint32_t i = 0; i < n; i++) states[i] = (char *)blocks[i] + c->state_off;
    c->def->update(c, states, c->arg_col >= 0 ? &arg : NULL, sign, n);
}

void agg_block_update(const agg_set *s, void **blocks, const chunk_t *in, uint32_t n)
{
    int8_t row_sign[CHUNK_CAP];
    for (uint32_t start = 0; start < n; start += CHUNK_CAP) {
        uint32_t m = n - start < CHUNK_CAP ? n - start : CHUNK_CAP;
        for (uint32_t i = 0; i < m; i++) {
            row_sign[i] = op_is_add(in->ops[start + i]) ? 1 : -1;
            *(int64_t *)blocks[start + i] += row_sign[i];
        }
        for (int ci = 0; ci < s->ncalls; ci++) update_call(s, ci, blocks + start, in, start, m, row_sign);
    }
}

/* Merges src's DISTINCT set of call ci into dst's: counts add up, and the values dst had not
 * seen reach dst's accumulator as additions, CHUNK_CAP at a time. */
static void distinct_merge(const agg_set *s, int ci, void *dst, const void *src)
{
    const distinct_set *from = *distinct_slot(s, (void *)src, ci);
    if (!from || !from->map.len) return;
    distinct_set **to = distinct_slot(s, dst, ci);
    if (!*to) *to = distinct_new();
    const agg_call *c = &s->calls[ci];
    int phys = type_phys(c->arg_type);
    uint8_t nulls[CHUNK_CAP] = {0};
    int64_t nums[CHUNK_CAP];
    str_t strs[CHUNK_CAP];
    int8_t sign[CHUNK_CAP];
    void *states[CHUNK_CAP];
    vector_t arg;
    memset(&arg, 0, sizeof arg);
    arg.type = c->arg_type;
    arg.nulls = nulls;
    if (phys == PHYS_STR) arg.str = strs;
    else arg.i64 = nums;
    uint32_t m = 0;
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&from->map, &pos, &e);) {
        int created = 0;
        void **slot = hmap_put(&(*to)->map, e->key, e->klen, hash_bytes(e->key, e->klen), &created);
        *slot = (void *)((intptr_t)*slot + (intptr_t)e->val);
        if (!created) continue;
        if (phys == PHYS_STR) strs[m] = str_view(e->key, e->klen);    /* src's bytes: stable */
        else memcpy(&nums[m], e->key, 8);
        sign[m] = 1;
        states[m] = (char *)dst + c->state_off;
        if (++m == CHUNK_CAP) {
            c->def->update(c, states, &arg, sign, m);
            m = 0;
        }
    }
    if (m) c->def->update(c, states, &arg, sign, m);
}

void agg_block_merge(const agg_set *s, void *dst, const void *src)
{
    *(int64_t *)dst += agg_block_count(src);
    for (int i = 0; i < s->ncalls; i++) {
        const agg_call *c = &s->calls[i];
        if (s->distinct_off[i]) distinct_merge(s, i, dst, src);
        else if (c->def == &agg_count) *(int64_t *)((char *)dst + c->state_off) += *(const int64_t *)((const char *)src + c->state_off);
        else c->def->merge(c, (char *)dst + c->state_off, (const char *)src + c->state_off);
    }
}

int agg_set_invertible(const agg_set *s)
{
    for (int i = 0; i < s->ncalls; i++) {
        const agg_call *c = &s->calls[i];
        if (s->distinct_off[i] || !c->def->unmerge) return 0;
        if (c->def->unmerge == sum_unmerge && c->arg_type.id == TY_DOUBLE) return 0;
    }
    return 1;
}

void agg_block_unmerge(const agg_set *s, void *dst, const void *src)
{
    *(int64_t *)dst -= agg_block_count(src);
    for (int i = 0; i < s->ncalls; i++) {
        const agg_call *c = &s->calls[i];
        if (c->def == &agg_count) *(int64_t *)((char *)dst + c->state_off) -= *(const int64_t *)((const char *)src + c->state_off);
        else c->def->unmerge(c, (char *)dst + c->state_off, (const char *)src + c->state_off);
    }
}

void agg_block_results(const agg_set *s, void *block, value_t *out, arena_t *a)
{
    for (int i = 0; i < s->ncalls; i++) {
        const agg_call *c = &s->calls[i];
        c->def->result(c, (char *)block + c->state_off, &out[i], a);
    }
}

void agg_blocks_result_column(const agg_set *s, int ci, void *const *blocks, uint32_t m, vector_t *v,
                              uint32_t r0, arena_t *a)
{
    const agg_call *c = &s->calls[ci];
    uint32_t off = c->state_off;
    if (c->def == &agg_count) {
        memset(v->nulls + r0, 0, m);
        for (uint32_t i = 0; i < m; i++) v->i64[r0 + i] = *(const int64_t *)((const char *)blocks[i] + off);
        return;
    }
    int str = type_phys(v->type) == PHYS_STR;
    for (uint32_t i = 0; i < m; i++) {
        value_t val;
        c->def->result(c, (char *)blocks[i] + off, &val, a);
        if (val.null || str) {
            vector_set(v, r0 + i, &val, NULL);
        } else {
            v->nulls[r0 + i] = 0;
            v->i64[r0 + i] = val.i;      /* the 8 bytes of .i or .f */
        }
    }
}

/* Snapshot: i64 row count, each accumulator, then each DISTINCT set. */
void agg_block_snapshot(const agg_set *s, void *block, snap_writer *w)
{
    snap_put_i64(w, agg_block_count(block));
    for (int i = 0; i < s->ncalls; i++) {
        const agg_call *c = &s->calls[i];
        c->def->snapshot(c, (char *)block + c->state_off, w);
    }
    for (int i = 0; i < s->ncalls; i++)
        if (s->distinct_off[i]) distinct_snapshot(*distinct_slot(s, block, i), s->calls[i].arg_type, w);
}

void agg_block_restore(const agg_set *s, void *block, snap_reader *r)
{
    *(int64_t *)block = snap_get_i64(r);
    for (int i = 0; i < s->ncalls; i++) {
        const agg_call *c = &s->calls[i];
        c->def->restore(c, (char *)block + c->state_off, r);
    }
    for (int i = 0; i < s->ncalls; i++) {
        if (!s->distinct_off[i]) continue;
        distinct_set **slot = distinct_slot(s, block, i);
        distinct_free(*slot);
        *slot = distinct_restore(s->calls[i].arg_type, r);
    }
}
