/* expr.h - bound (typed, resolved) scalar expressions and their vectorized evaluation.
 *
 * The binder turns AST expressions into expr_t trees whose column references are indexes
 * into the input chunk. expr_eval computes one expression for all rows 0..nrows-1 of a
 * dense chunk (callers compact first), writing one output vector: one call per node per
 * chunk, never per row. */
#ifndef EDDY_EXPR_H
#define EDDY_EXPR_H
#include "data/chunk.h"
#include "base/err.h"
#include "exec/ctx.h"

typedef struct expr expr_t;
typedef struct func_def func_def;

typedef enum expr_kind {
    EX_COL,         /* input column `col` */
    EX_CONST,       /* constant `val` */
    EX_CALL,        /* scalar function `fn` over args (operators are functions too: "+", "=", "AND") */
    EX_CAST,        /* CAST(args[0] AS type); `safe` for TRY_CAST */
    EX_CASE,        /* CASE WHEN args[0] THEN args[1] ... [ELSE args[n-1]]; has_else says */
} expr_kind;

struct expr {
    expr_kind kind;
    type_t type;            /* result type */
    span_t span;            /* where it was written, for runtime errors */
    int col;                /* EX_COL */
    value_t val;            /* EX_CONST (string bytes owned by the plan arena) */
    const func_def *fn;     /* EX_CALL */
    expr_t **args;
    int nargs;
    int has_else;           /* EX_CASE */
    int safe;               /* EX_CAST: TRY_CAST returns NULL instead of failing */
    void *state;            /* per-call compiled state (regex, date pattern); owned, freed by
                               fn->free_state */
};

/* Evaluation context for one chunk. Output strings are allocated in `arena`
 * (the output chunk's arena), temporaries in `scratch` (reset by the caller per chunk). */
typedef struct eval_ctx {
    exec_ctx *exec;
    arena_t *arena;
    arena_t *scratch;
} eval_ctx;

/* Evaluate e over rows 0..in->nrows-1 into out (initialised by the caller with e->type
 * and capacity >= in->nrows). Returns 0, or -1 with an error recorded. */
int expr_eval(const expr_t *e, const chunk_t *in, vector_t *out, eval_ctx *ctx);
/* Evaluate an expression that uses no columns (constant folding, option values). */
int expr_eval_const(const expr_t *e, exec_ctx *exec, arena_t *a, value_t *out);

/* Constructors used by the binder (allocate from arena a). */
expr_t *expr_col(arena_t *a, int col, type_t t, span_t sp);
expr_t *expr_const(arena_t *a, type_t t, value_t v, span_t sp);
expr_t *expr_cast(arena_t *a, expr_t *arg, type_t to, span_t sp);
/* A call of fn over args (the array is copied), type-checked by fn->check, which sets the
 * result type and may wrap arguments in casts; NULL with the error recorded when the
 * arguments do not fit. */
expr_t *expr_call(arena_t *a, const func_def *fn, expr_t **args, int nargs, span_t sp);
/* CASE WHEN args[0] THEN args[1] ... [ELSE args[nargs-1]]: checks that the conditions are
 * BOOLEAN, types the CASE as the common type of the branches and casts branches to it;
 * NULL with the error recorded otherwise. */
expr_t *expr_case(arena_t *a, expr_t **args, int nargs, int has_else, span_t sp);
void expr_free_state(expr_t *e);             /* releases compiled per-call state recursively */
/* Text form for EXPLAIN: "$1 + 1", "DATE_FORMAT($4, 'yyyy-MM-dd')"; col names when given. */
void expr_format(const expr_t *e, const schema_t *in, sb_t *out);
/* Does the expression reference column col / any column? */
int expr_uses_col(const expr_t *e, int col);
int expr_is_const(const expr_t *e);

#endif
