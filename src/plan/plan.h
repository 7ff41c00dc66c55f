/* plan.h - the physical plan: a DAG of nodes, each with its output schema, changelog mode,
 * upsert key and time attributes. The binder (sql/bind.c) builds it, changelog.c infers the
 * modes and checks sinks, explain.c prints it, build.c turns it into operators. */
#ifndef EDDY_PLAN_H
#define EDDY_PLAN_H
#include "data/chunk.h"
#include "expr/expr.h"
#include "expr/agg.h"
#include "ops/ops.h"
#include "sql/catalog.h"

typedef enum plan_kind {
    PN_SCAN,            /* a table source with computed columns and watermark */
    PN_CALC,            /* filter + projection */
    PN_GROUP_AGG,       /* unbounded GROUP BY */
    PN_WINDOW_AGG,      /* window TVF or legacy group-window aggregation */
    PN_RANK,            /* ROW_NUMBER Top-N / deduplication */
    PN_WINDOW_RANK,     /* window Top-N */
    PN_UNION,           /* UNION ALL */
    PN_SINK,            /* INSERT INTO a table */
    PN_JOIN,            /* regular join */
    PN_INTERVAL_JOIN,   /* time-bounded join of two rowtime streams */
    PN_LOOKUP_JOIN,     /* FOR SYSTEM_TIME AS OF join against a lookup source */
    PN_OVER_AGG,        /* agg(...) OVER (...) */
    PN_MATCH,           /* MATCH_RECOGNIZE */
    PN_CHANGELOG_NORMALIZE, /* upsert stream (upsert-kafka) -> full changelog, keyed by upsert_key */
} plan_kind;

/* Changelog modes as Flink infers them. */
typedef enum changelog_mode {
    CM_INSERT_ONLY,     /* +I only */
    CM_UPDATE,          /* +I, -U, +U, -D */
} changelog_mode;

typedef struct plan_node plan_node;

struct plan_node {
    plan_kind kind;
    int id;                       /* numbering for EXPLAIN */
    span_t span;                  /* the SQL that produced it (for errors naming the operator) */
    const char *what;             /* a short description of that SQL: "GROUP BY shop_code" */
    schema_t schema;              /* output columns (types carry time attributes) */
    plan_node **inputs;
    int ninputs;

    changelog_mode mode;
    int *upsert_key;              /* output columns forming a unique key of the result; may be NULL */
    int nupsert_key;

    /* PN_SCAN */
    catalog_table *table;
    int rowtime_col;              /* output column carrying the rowtime attribute, -1 if none */
    expr_t **computed;            /* computed columns, appended after the physical ones */
    int ncomputed;
    expr_t *watermark;

    /* PN_CALC */
    expr_t *filter;
    expr_t **proj;
    int nproj;

    /* PN_GROUP_AGG, PN_WINDOW_AGG */
    int *keys;
    int nkeys;
    agg_call *aggs;
    int naggs;
    window_spec window;
    window_prop *props;
    int nprops;
    /* PN_WINDOW_AGG: a window Top-N pushed in (topn_limit > 0): emit only the best
     * topn_limit rows per window and topn_part values, ranked by topn_order (output columns) */
    int *topn_part;
    int topn_npart;
    sort_key *topn_order;
    int topn_norder;
    int64_t topn_limit;

    /* PN_RANK, PN_WINDOW_RANK */
    int *part;
    int npart;
    sort_key *order;
    int norder;
    int64_t limit;
    int output_rn;
    int window_end_col;
    int window_ltz;               /* the window's time attribute is TIMESTAMP_LTZ */

    /* PN_SINK */
    catalog_table *sink_table;

    /* PN_JOIN, PN_INTERVAL_JOIN, PN_LOOKUP_JOIN (keys and residual; left = inputs[0]) */
    join_type join;
    int *left_keys;
    int *right_keys;              /* PN_LOOKUP_JOIN: key columns of the dimension table */
    int njoin_keys;
    expr_t *residual;
    int left_time_col, right_time_col;
    int64_t lower_us, upper_us;
    catalog_table *dim_table;     /* PN_LOOKUP_JOIN */
    int64_t state_ttl_us;

    /* PN_MATCH (uses part/npart and over_time_col/over_proctime) */
    pat_node *match_pattern;
    const char **match_vars;
    int match_nvars;
    expr_t **match_define;
    match_nav *match_navs;
    int match_nnavs;
    expr_t **match_measures;
    int match_nmeasures;
    int match_skip;
    int match_skip_var;
    int64_t match_within_us;

    /* PN_OVER_AGG (uses part/npart, aggs/naggs) */
    int over_time_col;
    int over_proctime;
    int over_rows;
    int64_t over_preceding;

    op_t *op;                     /* built operator (build.c) */
    int visited;                  /* scratch for walks */
};

struct plan_job;
/* A node allocated from arena a and registered in job (which frees its schema). */
plan_node *plan_new(struct plan_job *job, arena_t *a, plan_kind kind, int ninputs, span_t sp);
/* Copies the names/types into the node's schema (arena allocation not used: schema_init). */
void plan_set_schema(plan_node *n, const schema_t *s);

/* A whole job: one sink node per INSERT INTO (they may share inputs). */
typedef struct plan_job {
    plan_node **sinks;
    int nsinks;
    plan_node **scans;            /* every scan, once */
    int nscans;
    plan_node **nodes;            /* every node, for freeing */
    int nnodes;
    expr_t **calls;               /* every bound function call, whose compiled state is freed */
    int ncalls;
} plan_job;

void plan_job_free(plan_job *job);

/* Infer modes and upsert keys bottom-up and check that each sink accepts its input. */
int plan_infer_changelog(plan_job *job);
void plan_explain(plan_job *job, sb_t *out);
const char *plan_kind_name(plan_kind k);

#endif
