/* ops.h - constructors of every stream operator; the planner builds jobs from these.
 * Each constructor copies what it needs from its arguments unless stated otherwise;
 * expressions and agg_call arrays are borrowed from the plan (they outlive the job). */
#ifndef EDDY_OPS_H
#define EDDY_OPS_H
#include "ops/op.h"
#include "expr/expr.h"
#include "expr/agg.h"
#include "connect/connector.h"

/* ---- stateless ---- */

/* Filter then project: out row = proj[i](in row) for rows where filter is TRUE (filter may
 * be NULL). Ops pass through unchanged. */
op_t *calc_new(exec_ctx *ctx, const schema_t *in, const schema_t *out, expr_t *filter, expr_t **proj, int nproj);

/* UNION ALL of nin inputs with identical layouts. */
op_t *union_new(exec_ctx *ctx, const schema_t *out, int nin);
/* ChangelogNormalize (changelog_normalize.c): an upsert stream keyed by keys[0..nkeys)
 * (+I/+U the new row, -D possibly only the key) -> +I, -U/+U, -D with full rows. */
op_t *changelog_normalize_new(exec_ctx *ctx, const schema_t *schema, const int *keys, int nkeys);

/* ---- sources and sinks ---- */

/* Adapts a connector source: computed columns (exprs over the physical columns, appended
 * after them in declaration order), the rowtime column index (-1 if none) and the
 * watermark expression (over the full row incl. computed columns; NULL if none). Pulled
 * by the job loop through scan_pull. */
typedef struct scan_spec {
    source_t *source;             /* ownership passes to the operator */
    expr_t **computed;            /* computed[i] yields output column physical.ncols + i */
    int ncomputed;
    int rowtime_col;
    expr_t *watermark;
    int64_t idle_timeout_us;      /* 0: never idle */
    int watermark_on_event;       /* 'scan.watermark.emit.strategy' = 'on-event': advance the
                                     watermark after every row that raises it, not per chunk */
} scan_spec;
op_t *scan_new(exec_ctx *ctx, const schema_t *out, const scan_spec *spec);
/* Read one chunk and push it downstream. Returns 1 more to come, 0 ended, -1 error. */
int scan_pull(op_t *scan);
const source_t *scan_source(const op_t *scan);
uint64_t scan_late_rows(const op_t *scan);

/* Writes into a connector sink. With upsert_key (npk > 0) -U rows are dropped and the sink
 * upserts; otherwise the input must be insert-only (the planner checks). */
op_t *sink_new(exec_ctx *ctx, const schema_t *in, sink_t *sink);
const sink_t *sink_of(const op_t *op);

/* ---- aggregation ---- */

/* Unbounded GROUP BY with an updating result. Output: key columns then aggregate results.
 * Emits +I for a new group, -U/+U when a group's result changes (nothing when it does not),
 * -D when its count drops to zero. Input may be insert-only or a changelog. */
op_t *group_agg_new(exec_ctx *ctx, const schema_t *out, const int *keys, int nkeys, agg_call *aggs, int naggs);

/* Window kinds of the window TVFs and the legacy GROUP BY windows. */
typedef enum window_kind { WIN_TUMBLE, WIN_HOP, WIN_CUMULATE, WIN_SESSION } window_kind;
/* Window properties a window aggregation can output. */
typedef enum window_prop { WP_START, WP_END, WP_TIME, WP_PROCTIME } window_prop;

typedef struct window_spec {
    window_kind kind;
    int time_col;                 /* input column holding the time attribute */
    int proctime;                 /* processing-time windows: fire on the wall clock */
    int64_t size_us;              /* TUMBLE/HOP size, CUMULATE max size */
    int64_t slide_us;             /* HOP slide, CUMULATE step */
    int64_t gap_us;               /* SESSION gap */
    int64_t offset_us;            /* TUMBLE/HOP/CUMULATE offset (0 = aligned to epoch) */
    type_t time_type;             /* TIMESTAMP(p) or TIMESTAMP_LTZ(p) of the time attribute */
} window_spec;

/* Windowed GROUP BY. Output: key columns, aggregate results, then the requested window
 * properties in props order. Windows of TIMESTAMP (not LTZ) time attributes are aligned in
 * the wall-clock reading; LTZ windows are aligned in the session zone. Results are emitted
 * insert-only when the watermark passes window_end - 1; rows whose window already fired are
 * counted as late (op->stats.late) and dropped. Input must be insert-only. */
op_t *window_agg_new(exec_ctx *ctx, const schema_t *out, const window_spec *w,
                     const int *keys, int nkeys, agg_call *aggs, int naggs,
                     const window_prop *props, int nprops);

/* ---- ranking ---- */

typedef struct sort_key {
    int col;
    int desc;
    int nulls_first;
} sort_key;

/* A window Top-N pushed into a (TUMBLE, HOP or CUMULATE) window aggregation: when a window
 * fires, only the best `limit` of its rows per partition (rows equal on the output columns
 * part) are emitted, ranked by order (output columns) with ties in the order the rows would
 * have been emitted; the kept rows are emitted in that order, so a WindowRank downstream
 * ranks them as it would have ranked all the rows. Call before the first row; the arrays are
 * copied. Returns -1 (error set) for a SESSION window or columns out of range. */
typedef struct window_topn {
    const int *part;
    int npart;
    const sort_key *order;
    int norder;
    int64_t limit;
} window_topn;
int window_agg_set_topn(op_t *op, const window_topn *t);


/* ROW_NUMBER() OVER (PARTITION BY part ORDER BY order) filtered to rn <= limit (Top-N, and
 * deduplication when limit = 1). rn_col >= 0 appends the row number as a BIGINT output
 * column (output = input columns [+ rn]). On insert-only input the operator keeps the top
 * `limit` rows per partition; on updating input it keeps all rows of a partition so that a
 * retraction can promote the next one. Emits +I/-D for rows entering and leaving the top N
 * (and -U/+U for rank changes when rn is output).
 * Deduplication that keeps the first row (ORDER BY a time attribute ASC, limit 1) emits
 * insert-only output. */
typedef struct rank_spec {
    const int *part;
    int npart;
    const sort_key *order;
    int norder;
    int64_t limit;
    int output_rn;
    int input_updates;            /* the input is a changelog (has -U/-D) */
    int window_ltz;               /* window Top-N over a TIMESTAMP_LTZ time attribute: window_end
                                     is a wall-clock reading in ctx->local_tz */
} rank_spec;
op_t *rank_new(exec_ctx *ctx, const schema_t *out, const rank_spec *spec);

/* Window Top-N: the same, but partitions include the window (window_end_col identifies the
 * window); a window's rows are buffered until the watermark passes window_end - 1 and then
 * its top N are emitted insert-only, and its state is dropped. */
op_t *window_rank_new(exec_ctx *ctx, const schema_t *out, const rank_spec *spec, int window_end_col);

/* ---- joins (issue 3) ---- */

typedef enum join_type { JT_INNER, JT_LEFT, JT_RIGHT, JT_FULL } join_type;

/* Regular (unbounded) join of two changelog inputs on equality keys, with an optional
 * residual condition. Output row = left columns then right columns; the side an outer join
 * pads is NULL. Port 0 is the left input, port 1 the right. State per join key holds every
 * live row of each side (with a count of matches for outer joins) and is released when
 * idle for ttl_us (table.exec.state.ttl; 0 = keep forever). Output is a changelog: inserts
 * and retractions of joined rows, and for outer joins the retraction of a NULL-padded row
 * when its first match arrives (and its re-insertion when the last match goes). */
typedef struct join_spec {
    join_type type;
    const int *left_keys;         /* equality key columns of the left input */
    const int *right_keys;        /* ... and the matching right columns */
    int nkeys;
    expr_t *residual;             /* over the output row (left ++ right); NULL if none */
    const schema_t *left;
    const schema_t *right;
    int64_t ttl_us;
} join_spec;
op_t *join_new(exec_ctx *ctx, const schema_t *out, const join_spec *spec);

/* Interval join: equality keys plus a time bound on the rowtime columns,
 * right.time BETWEEN left.time + lower_us AND left.time + upper_us. Inputs are insert-only;
 * output is insert-only. Rows are kept until the watermark passes the latest time another
 * row could still join them; an outer side's rows that never matched are then emitted
 * NULL-padded (this is how an order-payment timeout is written). Rows behind the watermark
 * that can no longer join are counted as late. */
typedef struct interval_join_spec {
    join_type type;
    const int *left_keys;
    const int *right_keys;
    int nkeys;
    int left_time_col;
    int right_time_col;
    int64_t lower_us;             /* right.time >= left.time + lower_us */
    int64_t upper_us;             /* right.time <= left.time + upper_us */
    expr_t *residual;             /* over the output row; NULL if none */
    const schema_t *left;
    const schema_t *right;
} interval_join_spec;
op_t *interval_join_new(exec_ctx *ctx, const schema_t *out, const interval_join_spec *spec);

/* Lookup join (FOR SYSTEM_TIME AS OF a processing-time attribute): for each input row, the
 * dimension rows whose key columns equal the row's key expressions, fetched through a
 * connector lookup source (which caches as its options say). INNER drops rows without a
 * match, LEFT pads them with NULLs. The input may be updating: each row's op is carried to
 * its joined rows. Output = input columns then the dimension table's physical columns. */
typedef struct lookup_join_spec {
    int left_outer;
    lookup_t *lookup;             /* ownership passes to the operator */
    const int *input_keys;        /* input columns giving the lookup key values, in the
                                     order of the lookup's key columns */
    int nkeys;
    expr_t *residual;             /* over the output row; NULL if none */
    const schema_t *input;
    const schema_t *dim;          /* the dimension table's physical columns */
} lookup_join_spec;
op_t *lookup_join_new(exec_ctx *ctx, const schema_t *out, const lookup_join_spec *spec);

/* ---- OVER aggregation (issue 3) ---- */

/* agg(...) OVER (PARTITION BY part ORDER BY time ROWS|RANGE BETWEEN ... PRECEDING AND
 * CURRENT ROW). Output = input columns then one column per aggregate. Event time: rows are
 * buffered per partition and processed in time order when the watermark passes them (late
 * rows counted and dropped); processing time: rows are processed as they arrive. ROWS
 * frames count rows (preceding = -1: unbounded); RANGE frames span preceding_us of time
 * before the current row's time (-1: unbounded), and rows with equal times are peers that
 * get the same result. Input must be insert-only; output is insert-only. */
typedef struct over_spec {
    const int *part;
    int npart;
    int time_col;
    int proctime;
    int rows_frame;               /* 1: ROWS, 0: RANGE */
    int64_t preceding;            /* rows (ROWS) or microseconds (RANGE); -1: UNBOUNDED */
    agg_call *aggs;
    int naggs;
} over_spec;
op_t *over_agg_new(exec_ctx *ctx, const schema_t *out, const over_spec *spec);

/* ---- MATCH_RECOGNIZE (issue 3) ---- */

/* A pattern: a tree of variables and concatenations, each with a quantifier. */
typedef enum pat_kind { PAT_VAR, PAT_CONCAT } pat_kind;

typedef struct pat_node {
    pat_kind kind;
    int var;                      /* PAT_VAR: index into match_spec.var_names */
    struct pat_node **items;      /* PAT_CONCAT: the sequence (a parenthesised group is a concat) */
    int nitems;
    int min;                      /* quantifier: A = {1,1}, A* = {0,-1}, A+ = {1,-1}, A? = {0,1} */
    int max;                      /* -1: unbounded */
    int greedy;                   /* 0 for reluctant quantifiers (A*?, A+?, A??, A{n,m}?) */
} pat_node;

/* A value a DEFINE or MEASURES expression reads from the (partial) match, computed by the
 * operator into an extra column (input columns come first, then one column per nav). */
typedef enum match_nav_kind {
    NAV_PREV,                     /* PREV(x, n): the n-th row before the current one (physical) */
    NAV_FIRST,                    /* FIRST(v.x, n): the n-th row mapped to v, from the first */
    NAV_LAST,                     /* LAST(v.x, n) and plain v.x: the n-th from the last (the current
                                     row counts when it is being mapped to v) */
    NAV_AGG,                      /* agg(v.x) over the rows mapped to v (var -1: all rows) */
    NAV_MATCH_ROWTIME,            /* MATCH_ROWTIME(): time of the match's last row */
    NAV_CLASSIFIER,               /* CLASSIFIER(): the variable of the row */
} match_nav_kind;

typedef struct match_nav {
    match_nav_kind kind;
    int var;                      /* pattern variable, -1 = every row of the match */
    int col;                      /* input column, -1 for COUNT(*) */
    int offset;                   /* n of PREV / FIRST / LAST */
    agg_call agg;                 /* NAV_AGG (arg_col = col) */
    type_t type;                  /* the value's type */
} match_nav;

typedef enum match_skip {
    SKIP_PAST_LAST_ROW,           /* AFTER MATCH SKIP PAST LAST ROW (default) */
    SKIP_TO_NEXT_ROW,
    SKIP_TO_FIRST,                /* SKIP TO FIRST var */
    SKIP_TO_LAST,                 /* SKIP TO LAST var */
} match_skip;

/* MATCH_RECOGNIZE: per partition, rows in time order (event time: buffered until the
 * watermark passes them; late rows counted and dropped), matched against the pattern with
 * DEFINE conditions; ONE ROW PER MATCH emits the partition columns then the measures.
 * WITHIN: a match must end within within_us of its first row. Input insert-only, output
 * insert-only. */
typedef struct match_spec {
    const int *part;
    int npart;
    int time_col;
    int proctime;
    pat_node *pattern;
    const char **var_names;
    int nvars;
    expr_t **define;              /* per variable, over [input ++ navs]; NULL = TRUE */
    match_nav *navs;
    int nnavs;
    expr_t **measures;            /* over [input (the match's last row) ++ navs (final values)] */
    int nmeasures;
    match_skip skip;
    int skip_var;
    int64_t within_us;            /* 0: no WITHIN */
    const schema_t *input;
} match_spec;
op_t *match_new(exec_ctx *ctx, const schema_t *out, const match_spec *spec);

#endif
