/* func.h - the registry of built-in scalar functions and operators.
 *
 * A function has a `check` step at bind time (argument count and types -> result type;
 * it may wrap arguments in casts and compile constant arguments into call->state) and an
 * `eval` kernel that runs once per chunk over whole vectors. For `strict` functions the
 * evaluator sets out->nulls to the OR of the argument nulls before calling eval, and eval
 * only needs to fill the non-null rows (it must still be safe to run over null rows, whose
 * payload is zero / empty). */
#ifndef EDDY_FUNC_H
#define EDDY_FUNC_H
#include "expr/expr.h"

typedef int (*func_check_fn)(expr_t *call, arena_t *plan_arena);
typedef int (*func_eval_fn)(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx);

struct func_def {
    const char *name;           /* upper case: "DATE_FORMAT", "+", "=", "AND", "LIKE" */
    int min_args;
    int max_args;               /* -1: variadic */
    int strict;                 /* NULL in any argument -> NULL out */
    int deterministic;          /* 0 for NOW(), PROCTIME(), RAND() */
    func_check_fn check;        /* sets call->type; errors with err_at(call->span, ...) */
    func_eval_fn eval;
    void (*free_state)(void *state);
};

/* Look up by name, case-insensitive. NULL when unknown. */
const func_def *func_lookup(const char *name);
/* All registered names, for "did you mean" and listing in errors. */
int func_names(const char ***names);

/* Registration tables provided by each func_*.c file, terminated by a {NULL} entry. */
extern const func_def func_table_ops[];      /* arithmetic, comparison, logic, IS NULL, IN, BETWEEN, LIKE */
extern const func_def func_table_string[];   /* CONCAT, SUBSTR, LOWER, UPPER, TRIM, ... */
extern const func_def func_table_time[];     /* DATE_FORMAT, TO_TIMESTAMP, ... */
extern const func_def func_table_misc[];     /* COALESCE, IF, ... */

/* Casts (used by EX_CAST and by checks that coerce arguments). Returns -1 with an error
 * for a failing non-safe cast; safe casts produce NULL. */
int cast_vector(const vector_t *in, uint32_t n, vector_t *out, int safe, span_t sp, eval_ctx *ctx);
int cast_allowed(type_t from, type_t to);

#endif
