/* catalog.h - the tables and views a job declares (CREATE TABLE / CREATE VIEW), by name. */
#ifndef EDDY_CATALOG_H
#define EDDY_CATALOG_H
#include "sql/ast.h"
#include "connect/connector.h"

typedef enum column_kind { COL_PHYSICAL, COL_COMPUTED, COL_METADATA } column_kind;

typedef struct catalog_column {
    const char *name;
    type_t type;                  /* computed columns: filled when the table is first scanned */
    column_kind kind;
    ast_t *expr;                  /* computed expression */
    const char *comment;
    span_t span;
} catalog_column;

struct plan_node;

typedef struct catalog_table {
    const char *name;
    span_t span;
    ast_t *ast;
    catalog_column *cols;         /* all columns in declaration order */
    int ncols;
    int watermark_col;            /* index into cols, -1 if no WATERMARK */
    ast_t *watermark_expr;
    int *pk;                      /* indexes into cols */
    int npk;
    int period_for_system_time;
    connector_table conn;         /* physical schema, pk (physical indexes), options */
    const connector_def *connector;
    struct plan_node *scan;       /* the shared scan of this table, once planned */
} catalog_table;

typedef struct catalog_view {
    const char *name;
    span_t span;
    ast_t *ast;                   /* the CREATE VIEW statement (query in ->a, columns) */
    struct plan_node *plan;       /* the view's plan, bound once and shared by every query that
                                     reads the view (Flink's sub-plan reuse) */
    void *scope;                  /* its output columns (bind.c's scope_col array) */
    int nscope;
} catalog_view;

typedef struct catalog {
    catalog_table **tables;
    int ntables;
    catalog_view **views;
    int nviews;
    arena_t *arena;
    exec_ctx *ctx;
} catalog;

void catalog_init(catalog *c, arena_t *a, exec_ctx *ctx);
void catalog_free(catalog *c);
/* Registers a CREATE TABLE: validates columns, types, primary key, watermark column,
 * and the connector with its options (the connector factory is resolved here, the
 * source/sink is created later). */
int catalog_add_table(catalog *c, ast_t *stmt);
int catalog_add_view(catalog *c, ast_t *stmt);
catalog_table *catalog_table_find(catalog *c, const char *name);
catalog_view *catalog_view_find(catalog *c, const char *name);
/* "a, b, c" of every table and view name, for error messages. */
void catalog_names(catalog *c, sb_t *out);
/* Closest table/view name for "did you mean" (NULL if none is close). */
const char *catalog_suggest(catalog *c, const char *name);

#endif
