/* join.c - Join: the regular (unbounded) INNER / LEFT / RIGHT / FULL OUTER join of two
 * changelog inputs on equality keys plus an optional residual condition, with Flink's
 * StreamingJoinOperator semantics.
 *
 * State. A hash map from the encoded join key (data/rowkey.h) to a key record that lists, per
 * side, the distinct live rows of that key in arrival order. A distinct row holds its values
 * (copied, with long strings, into the side's row pool), the number of live copies, and for an
 * outer side the number of other-side rows (with multiplicity) it currently joins with.
 * A per-side hash index from the row's value hash to its record finds the row a retraction
 * removes in O(1). Row and key records are fixed-size, carved from a slab and recycled.
 *
 * Changelog (one input row, side S, other side O; "matched" = the O rows of the same key
 * that satisfy the residual, each counted with its copies):
 *   add (+I/+U)      per matched O row: if O is outer and it had no match yet, -D of its
 *                    NULL-padded row; then +I of the joined row. If nothing matched and S is
 *                    outer, +I of the row padded with NULLs. The row joins S's state.
 *   retract (-U/-D)  per matched O row: -D of the joined row; then, if O is outer and this
 *                    was its last match, +I of its NULL-padded row again. If nothing matched
 *                    and S is outer, -D of the padded row. One copy leaves S's state.
 * Output ops are only +I and -D (Flink does the same for outer joins; for inner joins it
 * forwards -U/+U, which could split a -U from its +U here). A retraction of a row that is not
 * in state (never seen, or dropped by TTL) is ignored, where Flink would still emit -D rows.
 * Rows with a NULL in a key column never match (SQL equality): an inner side drops them, an
 * outer side keeps them in state like any row (so their retractions are checked too) and
 * emits them NULL-padded.
 *
 * Processing is per chunk. A chunk comes from one port, so during it the other side's rows
 * do not change (only their match counts do). All keys of the chunk are encoded and hashed
 * first, prefetching the hash slots, and then looked up (one hash lookup per row, none for
 * a run of equal keys). With a residual, the
 * candidate pairs (input row, other row of its key) of a segment of input rows are gathered
 * into one chunk laid out like the output and the residual is evaluated per CHUNK_CAP
 * candidates; then the rows are applied in order using those verdicts. Output rows are views
 * of the input chunk and of the other side's pool (both stable until the push returns).
 * Keys that lose their last row are dropped at the end of the chunk.
 *
 * State TTL (table.exec.state.ttl, ttl_us > 0): every input row stamps its key with the
 * processing time of its chunk (ctx->now_us); a key untouched for ttl_us loses all its rows
 * (both sides) without any output, as Flink's state expiry emits nothing. The timer drops
 * expired keys in least-recently-touched order (a clock that steps back only delays the
 * timer), and a lookup never returns an expired key (Flink's NeverReturnExpired), so rows
 * dropped by TTL no longer join and their retractions are ignored. Flink stamps each row's
 * state separately on write; eddy stamps the key. Without a TTL the keys are never
 * reordered: they stay in creation order.
 *
 * Checkpoint: u8 version, u8 join type, u32 nkeys, u32 left ncols, u32 right ncols,
 * i64 number of keys, then per key (oldest first in that order): i64 touched_us, and per
 * side u32 distinct rows, each as i64 copies, i64 matches and its column values. Keys are
 * re-derived from the rows on restore. */
#include "ops/ops.h"
#include "ops/rowpool.h"
#include "data/rowkey.h"
#include "base/hashmap.h"
#include "base/util.h"
#include "base/err.h"
#include <stdlib.h>
#include <stddef.h>

#define SNAP_VERSION 1
#define SEGMENT_CANDIDATES (16 * CHUNK_CAP)    /* residual verdicts held at once (one input
                                                  row may exceed it alone) */

typedef struct jkey jkey;

typedef struct jrow {
    struct jrow *prev, *next; /* the key's distinct rows of this side, in arrival order */
    jkey *key;
    uint64_t hash;            /* hash of the row's values (the side's row index) */
    int64_t count;            /* live copies */
    int64_t matches;          /* other-side rows joined with each copy (outer sides only) */
    uint32_t ref;             /* the values in the side's row pool */
} jrow;

typedef struct row_list {
    jrow *head, *tail;
    uint32_t n;               /* distinct rows */
} row_list;

struct jkey {
    const uint8_t *key;       /* encoded key, owned by the map */
    uint32_t klen;
    uint64_t hash;
    row_list rows[2];         /* left, right */
    int64_t touched_us;       /* processing time of the last input row with this key */
    jkey *older, *newer;      /* touch order (with a TTL) or creation order */
    uint8_t has_null;         /* a key column is NULL: its rows never match */
    uint8_t pending_drop;     /* in the list of keys emptied by the current chunk */
    jkey *next_free;
};

typedef struct join_side {
    int *keys;                /* equality key columns */
    uint32_t ncols;
    type_t *types;            /* owned copy of the side's column types */
    uint32_t out_off;         /* first output column of this side */
    int outer;                /* rows without a match are emitted NULL-padded */
    row_pool pool;
    hidx_t index;             /* row hash -> jrow */
    int *residual_cols;       /* side columns the residual reads */
    int nresidual_cols;
} join_side;

/* How an input row of the current chunk is handled. */
enum row_kind {
    RK_SKIP,                  /* no effect: a NULL key on an inner side, or a retraction of a
                                 key that holds nothing */
    RK_JOIN,                  /* joins through row_key */
    RK_NULL_KEY,              /* (while mapping) a key column is NULL */
};

typedef struct join_op {
    op_t op;
    join_type type;
    int nkeys;
    join_side side[2];
    expr_t *residual;         /* borrowed from the plan */
    int64_t ttl_us;
    hmap_t keys;              /* encoded key -> jkey* */
    arena_t slab;             /* jkey and jrow records */
    jkey *free_keys;
    jrow *free_rows;
    jkey *oldest, *newest;    /* the ends of the key order */
    /* per-chunk scratch, kept between chunks */
    rowkey_chunk in_keys;     /* per live input row: its encoded join key */
    rowkey_chunk in_rows;     /* ... all its values encoded: their hash finds the row */
    jkey **row_key;           /* ... its key record (RK_JOIN) */
    uint8_t *row_kind;        /* ... enum row_kind */
    uint32_t *cand_off;       /* ... its first residual verdict */
    uint32_t scratch_cap;
    VEC(uint8_t) verdicts;    /* residual result per candidate of the current segment */
    VEC(jkey *) emptied;      /* keys that lost their last row in the current chunk */
    chunk_t *cand;            /* candidate joined rows for the residual (output layout) */
    vector_t verdict;         /* the residual over cand */
    arena_t eval_arena;       /* evaluation output and temporaries, reset per evaluation */
    arena_t eval_scratch;
    chunk_t *restore_row[2];  /* one row of each side being restored */
    chunk_t *out;
} join_op;

static const char *const join_type_names[] = {"InnerJoin", "LeftOuterJoin", "RightOuterJoin", "FullOuterJoin"};

static int64_t join_now(const join_op *j)
{
    const exec_ctx *ctx = j->op.ctx;
    return ctx && ctx->now_us ? ctx->now_us() : ctx_wall_clock_us();
}

/* ---- encoding ---- */

static int values_equal(const vector_t *a, uint32_t ra, const vector_t *b, uint32_t rb)
{
    if (a->nulls[ra] || b->nulls[rb]) return a->nulls[ra] && b->nulls[rb];
    switch (type_phys(a->type)) {
    case PHYS_STR: return str_eq(&a->str[ra], &b->str[rb]);
    case PHYS_F64:
        if (a->f64[ra] != a->f64[ra]) return b->f64[rb] != b->f64[rb];
        return memcmp(&a->f64[ra], &b->f64[rb], 8) == 0;
    default: return a->i64[ra] == b->i64[rb];
    }
}

static int rows_equal(const join_side *sd, const chunk_t *a, uint32_t ra, const chunk_t *b, uint32_t rb)
{
    for (uint32_t col = 0; col < sd->ncols; col++)
        if (!values_equal(&a->cols[col], ra, &b->cols[col], rb)) return 0;
    return 1;
}

/* ---- keys ---- */

static void lru_unlink(join_op *j, jkey *k)
{
    if (k->older) k->older->newer = k->newer;
    else j->oldest = k->newer;
    if (k->newer) k->newer->older = k->older;
    else j->newest = k->older;
    k->older = k->newer = NULL;
}

static void lru_append(join_op *j, jkey *k)
{
    k->older = j->newest;
    k->newer = NULL;
    if (j->newest) j->newest->newer = k;
    else j->oldest = k;
    j->newest = k;
}

/* Stamps the key; with a TTL it also moves to the newest end of the touch order (without,
 * the order stays creation order and costs nothing per row). */
static void key_touch(join_op *j, jkey *k, int64_t now)
{
    k->touched_us = now;
    if (j->ttl_us <= 0 || j->newest == k) return;
    lru_unlink(j, k);
    lru_append(j, k);
}

static int key_expired(const join_op *j, const jkey *k, int64_t now)
{
    return j->ttl_us > 0 && k->touched_us <= now - j->ttl_us;
}

static jkey *key_create(join_op *j, const uint8_t *key, uint32_t klen, uint64_t hash, int has_null, int64_t now)
{
    void **slot = hmap_put(&j->keys, key, klen, hash, NULL);
    jkey *k = j->free_keys;
    if (k) j->free_keys = k->next_free;
    else k = arena_alloc(&j->slab, sizeof *k);
    memset(k, 0, sizeof *k);
    /* The map's own copy of the key: the entry that holds the returned value slot. */
    const hmap_entry *e = (const hmap_entry *)((char *)slot - offsetof(hmap_entry, val));
    k->key = (const uint8_t *)e->key;
    k->klen = klen;
    k->hash = hash;
    k->has_null = (uint8_t)has_null;
    k->touched_us = now;
    lru_append(j, k);
    *slot = k;
    return k;
}

static void row_free(join_op *j, int s, jrow *x)
{
    rowpool_release(&j->side[s].pool, x->ref);
    hidx_remove(&j->side[s].index, x->hash, x);
    x->next = j->free_rows;
    j->free_rows = x;
}

/* Drops a key with all its rows, emitting nothing. */
static void key_drop(join_op *j, jkey *k)
{
    for (int s = 0; s < 2; s++) {
        for (jrow *x = k->rows[s].head, *next; x; x = next) {
            next = x->next;
            row_free(j, s, x);
        }
    }
    lru_unlink(j, k);
    hmap_del(&j->keys, k->key, k->klen, k->hash);
    k->next_free = j->free_keys;
    j->free_keys = k;
}

static void drop_all_state(join_op *j)
{
    for (int s = 0; s < 2; s++) {
        join_side *sd = &j->side[s];
        rowpool_free(&sd->pool);
        rowpool_init(&sd->pool, sd->ncols, sd->types);
        hidx_free(&sd->index);
        hidx_init(&sd->index);
    }
    hmap_free(&j->keys);
    hmap_init(&j->keys);
    arena_free(&j->slab);
    arena_init(&j->slab, 64 * 1024);
    j->free_keys = NULL;
    j->free_rows = NULL;
    j->oldest = j->newest = NULL;
    j->emptied.len = 0;
}

/* Drops the keys the current chunk emptied (unless a later row refilled them). */
static void drop_emptied_keys(join_op *j)
{
    for (size_t i = 0; i < j->emptied.len; i++) {
        jkey *k = j->emptied.items[i];
        k->pending_drop = 0;
        if (!k->rows[0].n && !k->rows[1].n) key_drop(j, k);
    }
    j->emptied.len = 0;
}

/* ---- rows ---- */

/* The distinct row of side s equal to row r of c, or NULL. */
static jrow *row_find(join_op *j, int s, const chunk_t *c, uint32_t r, uint64_t hash)
{
    join_side *sd = &j->side[s];
    jrow *x;
    for (size_t pos = hidx_first(&sd->index, hash); (x = hidx_match(&sd->index, hash, &pos));) {
        if (rows_equal(sd, c, r, rowpool_chunk(&sd->pool, x->ref), rowpool_row(x->ref))) return x;
    }
    return NULL;
}

/* Adds `count` copies of row r of c to key k's side s (a new distinct row or more copies of
 * an existing one). */
static jrow *row_add(join_op *j, int s, jkey *k, const chunk_t *c, uint32_t r, uint64_t hash, int64_t count,
                     int64_t matches)
{
    jrow *x = row_find(j, s, c, r, hash);
    if (x) {
        x->count += count;
        return x;
    }
    join_side *sd = &j->side[s];
    x = j->free_rows;
    if (x) j->free_rows = x->next;
    else x = arena_alloc(&j->slab, sizeof *x);
    memset(x, 0, sizeof *x);
    x->key = k;
    x->hash = hash;
    x->count = count;
    x->matches = sd->outer ? matches : 0;
    x->ref = rowpool_add(&sd->pool, c, r, NULL, OP_INSERT);
    hidx_add(&sd->index, hash, x);
    row_list *l = &k->rows[s];
    x->prev = l->tail;
    if (l->tail) l->tail->next = x;
    else l->head = x;
    l->tail = x;
    l->n++;
    return x;
}

/* Takes one copy of x away; a key left without rows is dropped at the end of the chunk. */
static void row_retract(join_op *j, int s, jrow *x)
{
    if (--x->count > 0) return;
    jkey *k = x->key;
    row_list *l = &k->rows[s];
    if (x->prev) x->prev->next = x->next;
    else l->head = x->next;
    if (x->next) x->next->prev = x->prev;
    else l->tail = x->prev;
    l->n--;
    row_free(j, s, x);
    if (!k->rows[0].n && !k->rows[1].n && !k->pending_drop) {
        k->pending_drop = 1;
        VEC_PUSH(j->emptied, k);
    }
}

/* ---- output ---- */

static int flush_out(join_op *j)
{
    int rc = op_emit(&j->op, j->out);
    chunk_reset(j->out);
    return rc;
}

/* The index of a fresh output row with op, flushing a full chunk first; -1 on error. */
static int64_t out_row(join_op *j, uint8_t op)
{
    if (chunk_full(j->out) && flush_out(j) < 0) return -1;
    uint32_t row = j->out->nrows++;
    j->out->ops[row] = op;
    return row;
}

/* Copies one value as a view (the bytes of long strings stay where they are). */
static inline void copy_cell(vector_t *dst, uint32_t drow, const vector_t *src, uint32_t srow)
{
    dst->nulls[drow] = src->nulls[srow];
    if (type_phys(src->type) == PHYS_STR) dst->str[drow] = src->str[srow];
    else dst->i64[drow] = src->i64[srow];
}

/* Output row `row` takes side s's columns from row r of c. */
static void put_side(join_op *j, int s, uint32_t row, const chunk_t *c, uint32_t r)
{
    const join_side *sd = &j->side[s];
    vector_t *dst = j->out->cols + sd->out_off;
    for (uint32_t col = 0; col < sd->ncols; col++) copy_cell(&dst[col], row, &c->cols[col], r);
}

static void put_nulls(join_op *j, int s, uint32_t row)
{
    const join_side *sd = &j->side[s];
    value_t null = value_null();
    for (uint32_t col = 0; col < sd->ncols; col++) vector_set(&j->out->cols[sd->out_off + col], row, &null, NULL);
}

/* `count` copies of input row r (side s) joined with the other side's row o. */
static int emit_joined(join_op *j, int s, const chunk_t *in, uint32_t r, const jrow *o, uint8_t op)
{
    const row_pool *opool = &j->side[1 - s].pool;
    for (int64_t i = 0; i < o->count; i++) {
        int64_t row = out_row(j, op);
        if (row < 0) return -1;
        put_side(j, s, (uint32_t)row, in, r);
        put_side(j, 1 - s, (uint32_t)row, rowpool_chunk(opool, o->ref), rowpool_row(o->ref));
    }
    return 0;
}

/* Row r of side s padded with NULLs for the other side. */
static int emit_padded(join_op *j, int s, const chunk_t *c, uint32_t r, uint8_t op)
{
    int64_t row = out_row(j, op);
    if (row < 0) return -1;
    put_side(j, s, (uint32_t)row, c, r);
    put_nulls(j, 1 - s, (uint32_t)row);
    return 0;
}

/* Every copy of the stored row x of side s, padded with NULLs. */
static int emit_padded_stored(join_op *j, int s, const jrow *x, uint8_t op)
{
    const row_pool *pool = &j->side[s].pool;
    for (int64_t i = 0; i < x->count; i++)
        if (emit_padded(j, s, rowpool_chunk(pool, x->ref), rowpool_row(x->ref), op) < 0) return -1;
    return 0;
}

/* ---- residual ---- */

static int eval_candidates(join_op *j)
{
    chunk_t *cand = j->cand;
    if (!cand->nrows) return 0;
    eval_ctx ec = {j->op.ctx, &j->eval_arena, &j->eval_scratch};
    int rc = expr_eval(j->residual, cand, &j->verdict, &ec);
    if (rc == 0) {
        VEC_GROW(j->verdicts, cand->nrows);
        for (uint32_t t = 0; t < cand->nrows; t++)
            j->verdicts.items[j->verdicts.len++] = !j->verdict.nulls[t] && j->verdict.i64[t] != 0;
    }
    cand->nrows = 0;
    arena_reset(&j->eval_arena);
    arena_reset(&j->eval_scratch);
    return rc;
}

/* Copies the columns the residual reads of row r of c (side s) into candidate row t. */
static void put_candidate_side(join_op *j, int s, uint32_t t, const chunk_t *c, uint32_t r)
{
    const join_side *sd = &j->side[s];
    for (int i = 0; i < sd->nresidual_cols; i++) {
        int col = sd->residual_cols[i];
        copy_cell(&j->cand->cols[sd->out_off + col], t, &c->cols[col], r);
    }
}

/* The first row of side s that rows of key k may match: none when the key has a NULL. */
static jrow *first_candidate(const jkey *k, int s)
{
    return k->has_null ? NULL : k->rows[s].head;
}

static uint32_t candidates_of(const join_op *j, int s, uint32_t i)
{
    if (j->row_kind[i] != RK_JOIN || j->row_key[i]->has_null) return 0;
    return j->row_key[i]->rows[1 - s].n;
}

/* The end of the segment of input rows starting at i0 whose candidates are evaluated together. */
static uint32_t segment_end(const join_op *j, int s, uint32_t i0, uint32_t n)
{
    if (!j->residual) return n;
    size_t total = 0;
    uint32_t i = i0;
    for (; i < n; i++) {
        uint32_t c = candidates_of(j, s, i);
        if (i > i0 && total + c > SEGMENT_CANDIDATES) break;
        total += c;
    }
    return i;
}

/* Evaluates the residual over every (input row, other-side row of its key) pair of input
 * rows i0..i1-1 of side s; cand_off[i] is where row i's verdicts start. */
static int eval_segment(join_op *j, int s, const chunk_t *in, uint32_t i0, uint32_t i1)
{
    const row_pool *opool = &j->side[1 - s].pool;
    j->verdicts.len = 0;
    j->cand->nrows = 0;
    uint32_t pos = 0;
    for (uint32_t i = i0; i < i1; i++) {
        j->cand_off[i] = pos;
        if (j->row_kind[i] != RK_JOIN) continue;
        uint32_t r = chunk_row(in, i);
        for (const jrow *o = first_candidate(j->row_key[i], 1 - s); o; o = o->next, pos++) {
            uint32_t t = j->cand->nrows++;
            put_candidate_side(j, s, t, in, r);
            put_candidate_side(j, 1 - s, t, rowpool_chunk(opool, o->ref), rowpool_row(o->ref));
            if (chunk_full(j->cand) && eval_candidates(j) < 0) return -1;
        }
    }
    return eval_candidates(j);
}

/* ---- applying input rows ---- */

/* Input row r (side s, key k) is added; verdicts: the residual per other-side row (NULL: all match). */
static int apply_add(join_op *j, int s, const chunk_t *in, uint32_t r, jkey *k, uint64_t hash,
                     const uint8_t *verdicts)
{
    int other_outer = j->side[1 - s].outer;
    int64_t matches = 0;
    uint32_t t = 0;
    for (jrow *o = first_candidate(k, 1 - s); o; o = o->next, t++) {
        if (verdicts && !verdicts[t]) continue;
        if (other_outer && o->matches++ == 0 && emit_padded_stored(j, 1 - s, o, OP_DELETE) < 0) return -1;
        if (emit_joined(j, s, in, r, o, OP_INSERT) < 0) return -1;
        matches += o->count;
    }
    if (!matches && j->side[s].outer && emit_padded(j, s, in, r, OP_INSERT) < 0) return -1;
    row_add(j, s, k, in, r, hash, 1, matches);
    return 0;
}

/* Input row r (side s, key k) is retracted; ignored when no such row is live. */
static int apply_retract(join_op *j, int s, const chunk_t *in, uint32_t r, jkey *k, uint64_t hash,
                         const uint8_t *verdicts)
{
    jrow *x = row_find(j, s, in, r, hash);
    if (!x) return 0;
    int other_outer = j->side[1 - s].outer;
    int64_t matches = 0;
    uint32_t t = 0;
    for (jrow *o = first_candidate(k, 1 - s); o; o = o->next, t++) {
        if (verdicts && !verdicts[t]) continue;
        if (emit_joined(j, s, in, r, o, OP_DELETE) < 0) return -1;
        if (other_outer && --o->matches == 0 && emit_padded_stored(j, 1 - s, o, OP_INSERT) < 0) return -1;
        matches += o->count;
    }
    if (!matches && j->side[s].outer && emit_padded(j, s, in, r, OP_DELETE) < 0) return -1;
    row_retract(j, s, x);
    return 0;
}

static int apply_row(join_op *j, int s, const chunk_t *in, uint32_t i)
{
    if (j->row_kind[i] != RK_JOIN) return 0;
    uint32_t r = chunk_row(in, i);
    /* No verdicts were made when no row of the segment had a candidate. */
    const uint8_t *verdicts = j->verdicts.items && j->residual ? j->verdicts.items + j->cand_off[i] : NULL;
    uint64_t row_hash = j->in_rows.hash[i];
    if (op_is_add(in->ops[r])) return apply_add(j, s, in, r, j->row_key[i], row_hash, verdicts);
    return apply_retract(j, s, in, r, j->row_key[i], row_hash, verdicts);
}

/* ---- input ---- */

static void scratch_reserve(join_op *j, uint32_t n)
{
    if (n <= j->scratch_cap) return;
    j->row_key = xrealloc(j->row_key, n * sizeof *j->row_key);
    j->row_kind = xrealloc(j->row_kind, n);
    j->cand_off = xrealloc(j->cand_off, n * sizeof *j->cand_off);
    j->scratch_cap = n;
}

/* The first pass over a chunk: every live row's key is encoded and hashed, and so are its
 * values; then the hash slots the second pass will read are prefetched, so the lookups of a
 * chunk overlap their cache misses. */
static void encode_rows(join_op *j, int s, const chunk_t *in, uint32_t n)
{
    const join_side *sd = &j->side[s];
    rowkey_encode_chunk(&j->in_keys, in, sd->keys, j->nkeys);
    rowkey_encode_chunk(&j->in_rows, in, NULL, (int)sd->ncols);
    const hmap_t *map = &j->keys;
    const hidx_t *index = &sd->index;
    for (uint32_t i = 0; i < n; i++) {
        j->row_kind[i] = j->in_keys.has_null[i] ? RK_NULL_KEY : RK_JOIN;
        /* The slot layouts of hashmap.h: a wrong guess costs only the prefetch. */
        if (map->cap) __builtin_prefetch(&map->slots[j->in_keys.hash[i] & (map->cap - 1)]);
        if (index->cap) __builtin_prefetch(&index->slots[hidx_first(index, j->in_rows.hash[i])]);
    }
}

/* The second pass: finds (an add: creates) each row's key and stamps it; rows that can never
 * be part of the output or retract from a key that holds nothing are skipped. */
static void map_rows(join_op *j, int s, const chunk_t *in, int64_t now)
{
    uint32_t n = chunk_live(in);
    encode_rows(j, s, in, n);
    jkey *k = NULL;
    for (uint32_t i = 0; i < n; i++) {
        int has_null = j->row_kind[i] == RK_NULL_KEY;
        if (has_null && !j->side[s].outer) {
            j->row_kind[i] = RK_SKIP;
            continue;
        }
        const uint8_t *key = rowkey_at(&j->in_keys, i);
        uint32_t klen = j->in_keys.len[i];
        uint64_t hash = j->in_keys.hash[i];
        int add = op_is_add(in->ops[chunk_row(in, i)]);
        /* Runs of one key (sorted or bursty input) skip the hash lookup. */
        if (!k || k->hash != hash || k->klen != klen || memcmp(k->key, key, klen) != 0) {
            void **slot = hmap_get(&j->keys, key, klen, hash);
            k = slot ? *slot : NULL;
            if (k && key_expired(j, k, now)) {
                key_drop(j, k);
                k = NULL;
            }
            if (!k && add) k = key_create(j, key, klen, hash, has_null, now);
        }
        if (!k) {
            j->row_kind[i] = RK_SKIP;
            continue;
        }
        key_touch(j, k, now);
        j->row_kind[i] = RK_JOIN;
        j->row_key[i] = k;
    }
}

static int join_push(op_t *op, int port, chunk_t *in)
{
    join_op *j = (join_op *)op;
    uint32_t n = chunk_live(in);
    if (!n) return 0;
    scratch_reserve(j, n);
    map_rows(j, port, in, join_now(j));
    int rc = 0;
    for (uint32_t i0 = 0; i0 < n && rc == 0;) {
        uint32_t i1 = segment_end(j, port, i0, n);
        if (j->residual) rc = eval_segment(j, port, in, i0, i1);
        for (uint32_t i = i0; i < i1 && rc == 0; i++) rc = apply_row(j, port, in, i);
        i0 = i1;
    }
    if (rc == 0) rc = flush_out(j);
    else chunk_reset(j->out);
    drop_emptied_keys(j);
    j->op.stats.state_keys = j->keys.len;
    return rc;
}

/* Drops the keys idle for ttl_us, oldest first. */
static int join_timer(op_t *op, int64_t now_us)
{
    join_op *j = (join_op *)op;
    while (j->oldest && key_expired(j, j->oldest, now_us)) key_drop(j, j->oldest);
    j->op.stats.state_keys = j->keys.len;
    return 0;
}

/* ---- checkpoints ---- */

static void snapshot_rows(join_op *j, int s, const jkey *k, snap_writer *w)
{
    const join_side *sd = &j->side[s];
    snap_put_u32(w, k->rows[s].n);
    for (const jrow *x = k->rows[s].head; x; x = x->next) {
        snap_put_i64(w, x->count);
        snap_put_i64(w, x->matches);
        const chunk_t *c = rowpool_chunk(&sd->pool, x->ref);
        for (uint32_t col = 0; col < sd->ncols; col++) {
            value_t v;
            vector_get(&c->cols[col], rowpool_row(x->ref), &v);
            snap_put_value(w, sd->types[col], &v);
        }
    }
}

static int join_snapshot(op_t *op, snap_writer *w)
{
    join_op *j = (join_op *)op;
    snap_put_u8(w, SNAP_VERSION);
    snap_put_u8(w, (uint8_t)j->type);
    snap_put_u32(w, (uint32_t)j->nkeys);
    snap_put_u32(w, j->side[0].ncols);
    snap_put_u32(w, j->side[1].ncols);
    int64_t nkeys = 0;
    for (const jkey *k = j->oldest; k; k = k->newer) nkeys += k->rows[0].n || k->rows[1].n;
    snap_put_i64(w, nkeys);
    for (const jkey *k = j->oldest; k; k = k->newer) {
        if (!k->rows[0].n && !k->rows[1].n) continue;
        snap_put_i64(w, k->touched_us);
        snapshot_rows(j, 0, k, w);
        snapshot_rows(j, 1, k, w);
    }
    return 0;
}

/* Reads one row of side s into restore_row[s] (strings in eval_arena). */
static int restore_values(join_op *j, int s, snap_reader *r)
{
    const join_side *sd = &j->side[s];
    chunk_t *c = j->restore_row[s];
    for (uint32_t col = 0; col < sd->ncols; col++) {
        value_t v;
        snap_get_value(r, sd->types[col], &v, &j->eval_arena);
        if (r->failed) return snap_check(r, "Join");
        vector_set(&c->cols[col], 0, &v, NULL);
    }
    c->nrows = 1;
    return 0;
}

/* Restores one row of side s; *k is its key, found (or created) by the key's first row. */
static int restore_row(join_op *j, int s, snap_reader *r, jkey **k, int64_t touched_us)
{
    int64_t count = snap_get_i64(r), matches = snap_get_i64(r);
    if (restore_values(j, s, r) < 0) return -1;
    if (count < 1 || matches < 0)
        return err_msg("snapshot of Join holds a row with %lld copies and %lld matches",
                       (long long)count, (long long)matches);
    const chunk_t *c = j->restore_row[s];
    rowkey_encode_chunk(&j->in_keys, c, j->side[s].keys, j->nkeys);
    const uint8_t *key = rowkey_at(&j->in_keys, 0);
    uint32_t klen = j->in_keys.len[0];
    int has_null = j->in_keys.has_null[0];
    if (has_null && !j->side[s].outer) return err_msg("snapshot of Join holds an inner row with a NULL join key");
    if (!*k) {
        uint64_t h = j->in_keys.hash[0];
        if (hmap_get(&j->keys, key, klen, h)) return err_msg("snapshot of Join holds the same join key twice");
        *k = key_create(j, key, klen, h, has_null, touched_us);
    } else if ((*k)->klen != klen || memcmp((*k)->key, key, klen) != 0) {
        return err_msg("snapshot of Join holds rows of different join keys under one key");
    }
    rowkey_encode_chunk(&j->in_rows, c, NULL, (int)j->side[s].ncols);
    uint64_t h = j->in_rows.hash[0];
    if (row_find(j, s, c, 0, h)) return err_msg("snapshot of Join holds the same row twice");
    row_add(j, s, *k, c, 0, h, count, matches);
    arena_reset(&j->eval_arena);
    return 0;
}

static int restore_key(join_op *j, snap_reader *r)
{
    int64_t touched_us = snap_get_i64(r);
    jkey *k = NULL;
    for (int s = 0; s < 2; s++) {
        uint32_t nrows = snap_get_u32(r);
        if (snap_check(r, "Join") < 0) return -1;
        for (uint32_t i = 0; i < nrows; i++)
            if (restore_row(j, s, r, &k, touched_us) < 0) return -1;
    }
    if (!k) return err_msg("snapshot of Join holds a join key without rows");
    return 0;
}

static int join_restore(op_t *op, snap_reader *r)
{
    join_op *j = (join_op *)op;
    drop_all_state(j);
    uint8_t version = snap_get_u8(r), type = snap_get_u8(r);
    uint32_t nkeys = snap_get_u32(r), nleft = snap_get_u32(r), nright = snap_get_u32(r);
    int64_t nheld = snap_get_i64(r);
    if (snap_check(r, "Join") < 0) return -1;
    if (version != SNAP_VERSION) return err_msg("snapshot of Join has version %u, expected %d", version, SNAP_VERSION);
    if (type != (uint8_t)j->type || nkeys != (uint32_t)j->nkeys || nleft != j->side[0].ncols ||
        nright != j->side[1].ncols)
        return err_msg("snapshot of Join holds %s state (%u key columns, %u + %u columns), the job has %s "
                       "(%d key columns, %u + %u columns)", type < 4 ? join_type_names[type] : "?", nkeys, nleft, nright,
                       join_type_names[j->type], j->nkeys, j->side[0].ncols, j->side[1].ncols);
    int rc = 0;
    for (int64_t i = 0; i < nheld && rc == 0; i++) rc = restore_key(j, r);
    j->op.stats.state_keys = j->keys.len;
    if (rc == 0 && snap_check(r, "Join") < 0) rc = -1;
    return rc;
}

/* ---- explain, destroy, construction ---- */

static void join_explain(op_t *op, sb_t *out)
{
    join_op *j = (join_op *)op;
    char **names = j->op.schema.names;
    sb_printf(out, "joinType=[%s], where=[", join_type_names[j->type]);
    for (int k = 0; k < j->nkeys; k++)
        sb_printf(out, "%s%s = %s", k ? " AND " : "", names[j->side[0].keys[k]],
                  names[j->side[1].out_off + (uint32_t)j->side[1].keys[k]]);
    sb_putc(out, ']');
    if (j->residual) {
        sb_puts(out, ", residual=[");
        expr_format(j->residual, &j->op.schema, out);
        sb_putc(out, ']');
    }
    if (j->ttl_us > 0) sb_printf(out, ", stateTtl=[%lld ms]", (long long)(j->ttl_us / US_PER_MS));
}

static void side_free(join_side *sd)
{
    rowpool_free(&sd->pool);
    hidx_free(&sd->index);
    free(sd->keys);
    free(sd->types);
    free(sd->residual_cols);
}

static void join_destroy(op_t *op)
{
    join_op *j = (join_op *)op;
    for (int s = 0; s < 2; s++) {
        side_free(&j->side[s]);
        chunk_free(j->restore_row[s]);
    }
    hmap_free(&j->keys);
    arena_free(&j->slab);
    rowkey_chunk_free(&j->in_keys);
    rowkey_chunk_free(&j->in_rows);
    free(j->row_key);
    free(j->row_kind);
    free(j->cand_off);
    VEC_FREE(j->verdicts);
    VEC_FREE(j->emptied);
    chunk_free(j->cand);
    if (j->verdict.data) vector_free(&j->verdict);
    arena_free(&j->eval_arena);
    arena_free(&j->eval_scratch);
    chunk_free(j->out);
    free(j);
}

static const op_vtable join_vt = {
    .name = "Join",
    .push = join_push,
    .timer = join_timer,
    .snapshot = join_snapshot,
    .restore = join_restore,
    .explain = join_explain,
    .destroy = join_destroy,
};

/* Checks the spec against the output schema: column counts, key columns, key kinds. */
static int check_spec(const schema_t *out, const join_spec *spec)
{
    const schema_t *l = spec->left, *r = spec->right;
    if (spec->type < JT_INNER || spec->type > JT_FULL) return err_msg("Join has an unknown join type %d", spec->type);
    if (out->ncols != l->ncols + r->ncols)
        return err_msg("Join output has %u columns, expected %u left + %u right", out->ncols, l->ncols, r->ncols);
    for (uint32_t c = 0; c < out->ncols; c++) {
        type_t in = c < l->ncols ? l->types[c] : r->types[c - l->ncols];
        if (type_phys(in) != type_phys(out->types[c]))
            return err_msg("Join output column %u (%s) has another physical type than its input column", c,
                           out->names[c] ? out->names[c] : "?");
    }
    if (spec->nkeys < 0) return err_msg("Join has %d key columns", spec->nkeys);
    for (int k = 0; k < spec->nkeys; k++) {
        int lc = spec->left_keys[k], rc = spec->right_keys[k];
        if (lc < 0 || (uint32_t)lc >= l->ncols || rc < 0 || (uint32_t)rc >= r->ncols)
            return err_msg("Join key %d refers to column %d of %u left / %d of %u right columns", k, lc, l->ncols,
                           rc, r->ncols);
        type_t lt = l->types[lc], rt = r->types[rc];
        if (type_phys(lt) != type_phys(rt) || (lt.id == TY_DECIMAL) != (rt.id == TY_DECIMAL) ||
            (lt.id == TY_DECIMAL && lt.scale != rt.scale)) {
            char a[64], b[64];
            return err_msg("Join key %d compares %s with %s; the planner must cast both to a common type", k,
                           type_name(lt, a, sizeof a), type_name(rt, b, sizeof b));
        }
    }
    if (spec->residual && spec->residual->type.id != TY_BOOLEAN) {
        char a[64];
        return err_at(spec->residual->span, "join condition must be BOOLEAN, not %s",
                      type_name(spec->residual->type, a, sizeof a));
    }
    return 0;
}

static void side_init(join_op *j, int s, const schema_t *in, const int *keys, int outer, uint32_t out_off)
{
    join_side *sd = &j->side[s];
    sd->ncols = in->ncols;
    sd->types = xcalloc(in->ncols ? in->ncols : 1, sizeof *sd->types);
    memcpy(sd->types, in->types, in->ncols * sizeof *sd->types);
    sd->keys = xmalloc((j->nkeys ? (size_t)j->nkeys : 1) * sizeof *sd->keys);
    if (j->nkeys) memcpy(sd->keys, keys, (size_t)j->nkeys * sizeof *keys);
    sd->out_off = out_off;
    sd->outer = outer;
    rowpool_init(&sd->pool, sd->ncols, sd->types);
    hidx_init(&sd->index);
    sd->residual_cols = xmalloc((in->ncols ? in->ncols : 1) * sizeof *sd->residual_cols);
    for (uint32_t c = 0; c < in->ncols; c++)
        if (j->residual && expr_uses_col(j->residual, (int)(out_off + c))) sd->residual_cols[sd->nresidual_cols++] = (int)c;
    j->restore_row[s] = chunk_new_types(in->ncols, in->types, 1);
}

op_t *join_new(exec_ctx *ctx, const schema_t *out, const join_spec *spec)
{
    if (check_spec(out, spec) < 0) return NULL;
    join_op *j = xcalloc(1, sizeof *j);
    op_init(&j->op, &join_vt, ctx, out, 2);
    j->type = spec->type;
    j->nkeys = spec->nkeys;
    j->residual = spec->residual;
    j->ttl_us = spec->ttl_us;
    side_init(j, 0, spec->left, spec->left_keys, spec->type == JT_LEFT || spec->type == JT_FULL, 0);
    side_init(j, 1, spec->right, spec->right_keys, spec->type == JT_RIGHT || spec->type == JT_FULL,
              spec->left->ncols);
    hmap_init(&j->keys);
    arena_init(&j->slab, 64 * 1024);
    arena_init(&j->eval_arena, 16 * 1024);
    arena_init(&j->eval_scratch, 16 * 1024);
    rowkey_chunk_init(&j->in_keys);
    rowkey_chunk_init(&j->in_rows);
    if (j->residual) {
        j->cand = chunk_new(out, CHUNK_CAP);
        vector_init(&j->verdict, j->residual->type, CHUNK_CAP);
    }
    j->out = chunk_new(out, CHUNK_CAP);
    return &j->op;
}
