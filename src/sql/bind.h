/* bind.h - resolves names and types of statements and builds the physical plan (plan/plan.h)
 * for INSERT INTO and bare queries, recognising the streaming patterns Flink's planner does:
 * window TVF and legacy group-window aggregation, Top-N / deduplication, window Top-N. */
#ifndef EDDY_BIND_H
#define EDDY_BIND_H
#include "sql/catalog.h"
#include "plan/plan.h"

typedef struct binder {
    catalog *cat;
    arena_t *arena;              /* plan lifetime */
    exec_ctx *ctx;
    plan_job *job;
    int view_depth;              /* guards against views that reference themselves */
} binder;

/* INSERT INTO t SELECT ...: appends a sink node to b->job. */
int bind_insert(binder *b, ast_t *stmt);
/* A bare SELECT statement: its rows go to `sink_table` (a print table made by the caller). */
int bind_query_into(binder *b, ast_t *query, catalog_table *sink_table, span_t sp);

/* Interval literal text + units -> microseconds (day-time) or months (year-month). */
int interval_value(const ast_t *iv, type_t *type, int64_t *value);

#endif
