/* expr_helpers.h - test helpers for the expression tests: build typed literals, columns,
 * calls (running the function's check), casts and CASEs by hand; build input chunks from
 * text; evaluate and render the result column as "v1|v2|NULL" with value_format. */
#ifndef EDDY_EXPR_HELPERS_H
#define EDDY_EXPR_HELPERS_H
#include "check.h"
#include "expr/expr.h"
#include "expr/func.h"
#include "base/util.h"
#include <stdarg.h>
#include <stdlib.h>

static arena_t plan;                              /* plan arena: expressions and constants */
static const span_t SP = {0, 1, 1, 1};
static expr_t *made_calls[4096];
static int nmade_calls;
static exec_ctx test_exec;

static inline void helpers_init(void) { arena_init(&plan, 64 * 1024); }

static inline void helpers_done(void)
{
    for (int i = 0; i < nmade_calls; i++) expr_free_state(made_calls[i]);
    arena_free(&plan);
}

/* "INT", "BIGINT", "DOUBLE", "BOOLEAN", "STRING", "VARCHAR(3)", "DATE", "TIMESTAMP(3)",
 * "TIMESTAMP_LTZ(3)", "DECIMAL(10,2)", "INTERVAL_DT", "INTERVAL_YM", "NULL". */
static inline type_t TY(const char *spec)
{
    int a = 0, b = 0;
    if (sscanf(spec, "DECIMAL(%d,%d)", &a, &b) == 2) return type_decimal(a, b);
    if (sscanf(spec, "VARCHAR(%d)", &a) == 1) return type_varchar(a);
    if (sscanf(spec, "TIMESTAMP_LTZ(%d)", &a) == 1) return type_timestamp(TY_TIMESTAMP_LTZ, a);
    if (sscanf(spec, "TIMESTAMP(%d)", &a) == 1) return type_timestamp(TY_TIMESTAMP, a);
    static const struct { const char *name; type_id id; } names[] = {
        {"NULL", TY_NULL}, {"BOOLEAN", TY_BOOLEAN}, {"INT", TY_INT}, {"BIGINT", TY_BIGINT},
        {"DOUBLE", TY_DOUBLE}, {"STRING", TY_STRING}, {"DATE", TY_DATE}, {"TIMESTAMP", TY_TIMESTAMP},
        {"TIMESTAMP_LTZ", TY_TIMESTAMP_LTZ}, {"INTERVAL_DT", TY_INTERVAL_DT}, {"INTERVAL_YM", TY_INTERVAL_YM},
    };
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (strcmp(spec, names[i].name) == 0) return type_make(names[i].id);
    fprintf(stderr, "TY: unknown type spec %s\n", spec);
    abort();
}

/* A value of type t from text; "NULL" is NULL. Intervals are given in microseconds/months. */
static inline value_t parse_value(type_t t, const char *text, arena_t *a)
{
    value_t v;
    if (strcmp(text, "NULL") == 0 || t.id == TY_NULL) return value_null();
    if (t.id == TY_INTERVAL_DT || t.id == TY_INTERVAL_YM) return value_i64(strtoll(text, NULL, 10));
    if (value_parse(t, text, strlen(text), &v, a)) {
        fprintf(stderr, "parse_value: '%s' is not a valid value\n", text);
        abort();
    }
    return v;
}

static inline expr_t *LIT(const char *type_spec, const char *text)
{
    type_t t = TY(type_spec);
    return expr_const(&plan, t, parse_value(t, text, &plan), SP);
}

static inline expr_t *COL(int i, const char *type_spec) { return expr_col(&plan, i, TY(type_spec), SP); }

/* A call with its check run; NULL (error recorded) when the check fails. */
static inline expr_t *call_v(const char *name, int n, expr_t **args)
{
    const func_def *f = func_lookup(name);
    if (!f) {
        fprintf(stderr, "no function %s\n", name);
        return NULL;
    }
    for (int i = 0; i < n; i++)
        if (!args[i]) return NULL;
    expr_t *e = expr_call(&plan, f, args, n, SP);
    if (e && nmade_calls < (int)ARRAY_LEN(made_calls)) made_calls[nmade_calls++] = e;
    return e;
}

#define CALL(name, ...) call_v(name, (int)(sizeof((expr_t *[]){__VA_ARGS__}) / sizeof(expr_t *)), (expr_t *[]){__VA_ARGS__})

static inline expr_t *CAST_TO(expr_t *arg, const char *type_spec, int safe)
{
    if (!arg) return NULL;
    expr_t *e = expr_cast(&plan, arg, TY(type_spec), SP);
    e->safe = safe;
    return e;
}

/* CASE WHEN a0 THEN a1 ... [ELSE last]: n arguments, has_else when n is odd. */
static inline expr_t *case_v(const char *type_spec, int n, expr_t **args)
{
    for (int i = 0; i < n; i++)
        if (!args[i]) return NULL;
    expr_t *e = arena_zalloc(&plan, sizeof *e);
    e->kind = EX_CASE;
    e->type = TY(type_spec);
    e->span = SP;
    e->col = -1;
    e->nargs = n;
    e->has_else = n % 2;
    e->args = arena_alloc(&plan, sizeof *e->args * (size_t)n);
    memcpy(e->args, args, sizeof *e->args * (size_t)n);
    return e;
}

#define CASE(type_spec, ...) case_v(type_spec, (int)(sizeof((expr_t *[]){__VA_ARGS__}) / sizeof(expr_t *)), (expr_t *[]){__VA_ARGS__})

/* Rows as text: cells separated by '|', rows by ';' (an empty row is one empty cell). */
static inline chunk_t *ROWS(const char *type_specs, const char *rows)
{
    type_t types[16];
    int ncols = 0;
    char spec[256];
    snprintf(spec, sizeof spec, "%s", type_specs);
    for (char *save, *tok = strtok_r(spec, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) types[ncols++] = TY(tok);
    chunk_t *c = chunk_new_types((uint32_t)ncols, types, CHUNK_CAP);
    char *text = xstrdup(rows);
    for (char *row = text; row;) {
        char *semi = strchr(row, ';');
        if (semi) *semi = 0;
        value_t vals[16];
        char *cell = row;
        for (int k = 0; k < ncols; k++) {
            char *bar = strchr(cell, '|');
            if (bar) *bar = 0;
            vals[k] = parse_value(types[k], cell, &c->arena);
            cell = bar ? bar + 1 : cell + strlen(cell);
        }
        chunk_append_values(c, vals, OP_INSERT);
        row = semi ? semi + 1 : NULL;
    }
    free(text);
    return c;
}

/* One row, no columns: for expressions over constants only. */
static inline chunk_t *ONE_ROW(void)
{
    chunk_t *c = chunk_new_types(0, NULL, 4);
    c->nrows = 1;
    return c;
}

/* Evaluate e over c and render every row with value_format, joined by '|'. An error
 * renders as "ERROR: <message>" and is cleared. The chunk is freed. */
static inline const char *EVAL(expr_t *e, chunk_t *c)
{
    static char results[8][4096];
    static int next;
    char *res = results[next++ % 8];
    if (!e) {
        snprintf(res, 4096, "CHECK ERROR: %s", err_pending() ? err_message() : "?");
        err_clear();
        chunk_free(c);
        return res;
    }
    vector_t out;
    vector_init(&out, e->type, c->nrows ? c->nrows : 1);
    arena_t arena, scratch;
    arena_init(&arena, 4096);
    arena_init(&scratch, 4096);
    eval_ctx ctx = {&test_exec, &arena, &scratch};
    if (expr_eval(e, c, &out, &ctx)) {
        snprintf(res, 4096, "ERROR: %s", err_message());
        err_clear();
    } else {
        sb_t sb = {0};
        for (uint32_t i = 0; i < c->nrows; i++) {
            value_t v;
            vector_get(&out, i, &v);
            if (i) sb_putc(&sb, '|');
            value_format(e->type, &v, &sb);
        }
        snprintf(res, 4096, "%s", sb_str(&sb));
        sb_free(&sb);
    }
    vector_free(&out);
    arena_free(&arena);
    arena_free(&scratch);
    chunk_free(c);
    return res;
}

/* The error a check recorded (and clear it); "" when none. */
static inline const char *CHECK_ERROR(expr_t *e)
{
    static char msg[1024];
    snprintf(msg, sizeof msg, "%s", !e && err_pending() ? err_message() : "");
    err_clear();
    return msg;
}

#endif
