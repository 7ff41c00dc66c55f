/* agg.h - aggregate functions with retraction, updated one chunk at a time.
 *
 * An aggregate keeps a fixed-size accumulator (state_size bytes) inside the group's state
 * block; variable-size parts (MIN/MAX multisets, FIRST/LAST_VALUE histories, DISTINCT maps)
 * hang off it and are released by `destroy`. `update` is called once per chunk with, for
 * each row, the state block of the row's group (states[i], already offset to this
 * aggregate), the argument vector (NULL for COUNT(*)), and a sign per row: +1 for +I/+U,
 * -1 for -U/-D, 0 for rows the FILTER clause or DISTINCT de-duplication removed. */
#ifndef EDDY_AGG_H
#define EDDY_AGG_H
#include "data/vector.h"
#include "state/snapshot.h"
#include "data/chunk.h"

typedef struct agg_def agg_def;

typedef struct agg_call {
    const agg_def *def;
    type_t arg_type;          /* TY_NULL for COUNT(*) */
    type_t result_type;
    int distinct;             /* COUNT(DISTINCT x): the caller de-duplicates, see agg_distinct_* */
    int arg_col;              /* input column of the argument, -1 for COUNT(*) */
    int filter_col;           /* input BOOLEAN column of FILTER (WHERE ...), -1 if none */
    uint32_t state_off;       /* offset of this accumulator in the group state block */
    int append_only;          /* the input never retracts (set by the planner): MIN/MAX and
                                 FIRST/LAST_VALUE keep one value instead of all of them */
} agg_call;

struct agg_def {
    const char *name;                   /* "COUNT", "SUM", ... */
    uint32_t state_size;
    int retractable;                    /* handles sign -1 */
    /* Result type for the argument type; -1 if the argument type is not accepted. */
    int (*result_type)(type_t arg, type_t *out);
    void (*init)(const agg_call *c, void *state);
    void (*update)(const agg_call *c, void **states, const vector_t *arg, const int8_t *sign, uint32_t n);
    void (*result)(const agg_call *c, void *state, value_t *out, arena_t *a);
    void (*destroy)(const agg_call *c, void *state);
    void (*snapshot)(const agg_call *c, void *state, snap_writer *w);
    void (*restore)(const agg_call *c, void *state, snap_reader *r);
    /* Folds the accumulator src into dst as if dst had also seen src's rows (src is left
     * unchanged; both belong to the same call). FIRST/LAST_VALUE order by arrival. */
    void (*merge)(const agg_call *c, void *dst, const void *src);
    /* Removes src's rows from dst, src having been merged into dst before (exact inverse of
     * merge); NULL when the aggregate cannot (see agg_set_invertible). */
    void (*unmerge)(const agg_call *c, void *dst, const void *src);
};

const agg_def *agg_lookup(const char *name);     /* case-insensitive; NULL if unknown */
int agg_names(const char ***names);

/* DISTINCT support: a per-group multiset of argument values with counts. Turns a chunk's
 * signs into the signs the inner aggregate should see: +1 only when a value's count goes
 * 0 -> 1, -1 only when it goes 1 -> 0, else 0. `sets[i]` is the multiset of row i's group. */
typedef struct distinct_set distinct_set;
distinct_set *distinct_new(void);
void distinct_free(distinct_set *d);
void distinct_filter(distinct_set **sets, const vector_t *arg, int8_t *sign, uint32_t n);
void distinct_snapshot(distinct_set *d, type_t t, snap_writer *w);
distinct_set *distinct_restore(type_t t, snap_reader *r);

/* ---- a group's aggregates as one unit (used by group and window aggregation) ----
 * The state block of a group is: int64 row count (adds minus retractions), then each
 * aggregate's accumulator at its state_off, then one distinct_set* per DISTINCT aggregate. */
typedef struct agg_set {
    agg_call *calls;
    int ncalls;
    uint32_t block_size;      /* bytes of one group's state block */
    uint32_t *distinct_off;   /* per call: offset of its distinct_set*, or 0 if not DISTINCT */
} agg_set;

/* Lay out the blocks (fills state_off, block_size). `calls` is borrowed. */
int agg_set_init(agg_set *s, agg_call *calls, int ncalls);
void agg_set_free(agg_set *s);
void agg_block_init(const agg_set *s, void *block);
void agg_block_destroy(const agg_set *s, void *block);
/* Update the groups of n rows of chunk `in` (dense): blocks[i] is row i's block. Signs come
 * from the ops; FILTER columns and DISTINCT are applied here. The per-group row count is
 * kept in the first 8 bytes of the block. */
void agg_block_update(const agg_set *s, void **blocks, const chunk_t *in, uint32_t n);
static inline int64_t agg_block_count(const void *block) { return *(const int64_t *)block; }
/* Results of all aggregates into out[0..ncalls-1] (strings allocated in a). */
/* Folds block src into dst (row counts add up; a DISTINCT aggregate merges its value sets and
 * feeds dst's aggregate only the values dst had not seen). src is left unchanged. */
void agg_block_merge(const agg_set *s, void *dst, const void *src);
/* Every aggregate of the set can take rows back out of a merged block exactly: no DISTINCT,
 * an `unmerge`, and no DOUBLE sum (floating-point addition would change results' last bits).
 * Their accumulators own no memory, so their blocks need no agg_block_destroy. */
int agg_set_invertible(const agg_set *s);
/* Removes block src from dst, src having been merged into dst (agg_set_invertible only). */
void agg_block_unmerge(const agg_set *s, void *dst, const void *src);
void agg_block_results(const agg_set *s, void *block, value_t *out, arena_t *a);
/* Results of call ci for blocks[0..m-1] into rows r0..r0+m-1 of v (a vector of the call's
 * result type; strings allocated in a), one column at a time: COUNT reads its accumulators
 * directly, without a call per row. */
void agg_blocks_result_column(const agg_set *s, int ci, void *const *blocks, uint32_t m, vector_t *v,
                              uint32_t r0, arena_t *a);
void agg_block_snapshot(const agg_set *s, void *block, snap_writer *w);
void agg_block_restore(const agg_set *s, void *block, snap_reader *r);

#endif
