/* eval.c - the vectorized expression evaluator, expression constructors and EXPLAIN text.
 *
 * expr_eval walks the tree once per chunk; every node fills one whole output vector:
 *   EX_COL    copies the input column (long strings into ctx->arena);
 *   EX_CONST  broadcasts the value;
 *   EX_CALL   evaluates the arguments into scratch vectors (a column argument is handed to
 *             the kernel as the input vector itself, without a copy), presets the NULLs of
 *             strict functions to the OR of the argument NULLs, runs the kernel once;
 *   EX_CAST   casts the evaluated argument (cast.c);
 *   EX_CASE   evaluates each WHEN over the rows no earlier WHEN took, and each THEN only
 *             over the rows its WHEN took.
 *
 * Row masks. SQL evaluates CASE branches, IF branches, the right side of AND/OR and later
 * COALESCE/IFNULL arguments only for the rows that need them: `CASE WHEN b <> 0 THEN a / b
 * END` and `b <> 0 AND a / b > 1` must not fail on b = 0. So every node is evaluated under
 * an `active` mask (NULL = all rows): strict calls and casts treat inactive rows as NULL,
 * and kernels never raise errors for NULL rows (func_internal.h). A branch no row needs is
 * not evaluated at all.
 *
 * Memory: scratch vectors and masks come from ctx->scratch, which the caller resets per
 * chunk, so the steady state allocates nothing. After every call the payload of NULL rows
 * is zeroed, so kernels always see zero / empty payloads in NULL argument rows. */
#include "expr/func_internal.h"
#include "base/util.h"
#include <stdio.h>
#include <stdlib.h>

static int eval_node(const expr_t *e, const chunk_t *in, uint32_t n, const uint8_t *active, vector_t *out,
                     eval_ctx *ctx);

/* ---- constructors ---- */

static expr_t *expr_new(arena_t *a, expr_kind kind, type_t t, span_t sp)
{
    expr_t *e = arena_zalloc(a, sizeof *e);
    e->kind = kind;
    e->type = t;
    e->span = sp;
    e->col = -1;
    return e;
}

expr_t *expr_col(arena_t *a, int col, type_t t, span_t sp)
{
    expr_t *e = expr_new(a, EX_COL, t, sp);
    e->col = col;
    return e;
}

expr_t *expr_const(arena_t *a, type_t t, value_t v, span_t sp)
{
    expr_t *e = expr_new(a, EX_CONST, t, sp);
    e->val = v;
    if (t.id == TY_NULL) e->val.null = 1;
    return e;
}

expr_t *expr_cast(arena_t *a, expr_t *arg, type_t to, span_t sp)
{
    expr_t *e = expr_new(a, EX_CAST, to, sp);
    e->args = arena_alloc(a, sizeof *e->args);
    e->args[0] = arg;
    e->nargs = 1;
    return e;
}

expr_t *expr_call(arena_t *a, const func_def *fn, expr_t **args, int nargs, span_t sp)
{
    expr_t *e = expr_new(a, EX_CALL, type_make(TY_NULL), sp);
    e->fn = fn;
    e->nargs = nargs;
    e->args = arena_alloc(a, sizeof *e->args * (size_t)(nargs ? nargs : 1));
    if (nargs) memcpy(e->args, args, sizeof *e->args * (size_t)nargs);
    return fn->check(e, a) ? NULL : e;
}

static int case_condition_ok(expr_t *e, int k)
{
    expr_t *cond = e->args[k];
    if (cond->type.id == TY_BOOLEAN) return 1;
    if (cond->type.id == TY_NULL && cond->kind == EX_CONST) {
        cond->type = type_make(TY_BOOLEAN);
        return 1;
    }
    char tb[TYPE_NAME_CAP];
    err_at(cond->span, "CASE: a WHEN condition must be BOOLEAN, got %s", func_type_name(cond->type, tb));
    return 0;
}

expr_t *expr_case(arena_t *a, expr_t **args, int nargs, int has_else, span_t sp)
{
    int npairs = (nargs - (has_else ? 1 : 0)) / 2;
    if (npairs < 1 || (nargs - (has_else ? 1 : 0)) % 2) {
        err_at(sp, "CASE needs WHEN ... THEN pairs, got %d arguments", nargs);
        return NULL;
    }
    expr_t *e = expr_new(a, EX_CASE, type_make(TY_NULL), sp);
    e->nargs = nargs;
    e->has_else = has_else ? 1 : 0;
    e->args = arena_alloc(a, sizeof *e->args * (size_t)nargs);
    memcpy(e->args, args, sizeof *e->args * (size_t)nargs);
    type_t t = type_make(TY_NULL);
    for (int i = 0; i < nargs; i++) {
        int is_branch = i % 2 == 1 || (e->has_else && i == nargs - 1);
        if (!is_branch) {
            if (!case_condition_ok(e, i)) return NULL;
            continue;
        }
        type_t next;
        if (!type_common(t, e->args[i]->type, &next)) {
            char ab[TYPE_NAME_CAP], bb[TYPE_NAME_CAP];
            err_at(e->args[i]->span, "CASE branches have no common type: %s and %s", func_type_name(t, ab),
                   func_type_name(e->args[i]->type, bb));
            return NULL;
        }
        t = next;
    }
    if (t.id == TY_NULL) {
        err_at(sp, "CASE needs at least one THEN or ELSE value that is not NULL");
        return NULL;
    }
    t.attr = TA_NONE;
    t.not_null = 0;
    e->type = t;
    for (int i = 1; i < nargs; i++)
        if ((i % 2 == 1 || (e->has_else && i == nargs - 1)) && func_coerce_arg(e, i, t, a)) return NULL;
    return e;
}

/* ---- small vector helpers ---- */

static size_t phys_width(type_t t) { return type_phys(t) == PHYS_STR ? sizeof(str_t) : 8; }

static void zero_null_payloads(vector_t *v, uint32_t n)
{
    uint8_t any = 0;
    for (uint32_t i = 0; i < n; i++) any |= v->nulls[i];
    if (!any) return;
    if (type_phys(v->type) == PHYS_STR) {
        for (uint32_t i = 0; i < n; i++)
            if (v->nulls[i]) memset(&v->str[i], 0, sizeof(str_t));
    } else {
        for (uint32_t i = 0; i < n; i++) v->i64[i] &= -(int64_t)(v->nulls[i] == 0);
    }
}

/* A scratch vector for an intermediate result. Not zeroed: every node writes all of its
 * rows (NULL rows get zero payloads), so nothing reads stale bytes. */
static vector_t *tmp_result(eval_ctx *ctx, type_t t, uint32_t n)
{
    vector_t *v = arena_alloc(ctx->scratch, sizeof *v);
    v->type = t;
    v->cap = n;
    v->nulls = arena_alloc(ctx->scratch, n);
    v->data = arena_alloc(ctx->scratch, (size_t)n * phys_width(t));
    return v;
}

static int any_row(const uint8_t *mask, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (mask[i]) return 1;
    return 0;
}

static uint8_t *new_mask(eval_ctx *ctx, const uint8_t *active, uint32_t n)
{
    uint8_t *m = arena_alloc(ctx->scratch, n);
    if (active) memcpy(m, active, n);
    else memset(m, 1, n);
    return m;
}

static vector_t *null_vector(eval_ctx *ctx, type_t t, uint32_t n)
{
    vector_t *v = func_tmp_vector(ctx, t, n);
    memset(v->nulls, 1, n);
    return v;
}

/* ---- leaves ---- */

static int copy_column(const expr_t *e, const chunk_t *in, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    if (e->col < 0 || (uint32_t)e->col >= in->ncols)
        return err_at(e->span, "internal error: column $%d is not in the input (%u columns)", e->col, in->ncols);
    const vector_t *src = &in->cols[e->col];
    memcpy(out->nulls, src->nulls, n);
    if (type_phys(e->type) != PHYS_STR) {
        memcpy(out->data, src->data, (size_t)n * 8);
        return 0;
    }
    for (uint32_t i = 0; i < n; i++) {
        const str_t *s = &src->str[i];
        if (src->nulls[i]) memset(&out->str[i], 0, sizeof(str_t));
        else out->str[i] = func_out_str(ctx, str_ptr(s), s->len);
    }
    return 0;
}

static void broadcast_const(const expr_t *e, uint32_t n, vector_t *out)
{
    memset(out->nulls, e->val.null ? 1 : 0, n);
    if (e->val.null) {
        memset(out->data, 0, (size_t)n * phys_width(out->type));
        return;
    }
    switch (type_phys(out->type)) {
    case PHYS_STR:
        for (uint32_t i = 0; i < n; i++) out->str[i] = e->val.s;
        break;
    case PHYS_F64:
        for (uint32_t i = 0; i < n; i++) out->f64[i] = e->val.f;
        break;
    default:
        for (uint32_t i = 0; i < n; i++) out->i64[i] = e->val.i;
        break;
    }
}

/* An argument as a vector: a column is passed through (kernels only read arguments). */
static vector_t *eval_arg(const expr_t *arg, const chunk_t *in, uint32_t n, const uint8_t *active, eval_ctx *ctx)
{
    if (arg->kind == EX_COL && arg->col >= 0 && (uint32_t)arg->col < in->ncols)
        return (vector_t *)&in->cols[arg->col];
    vector_t *v = tmp_result(ctx, arg->type, n);
    if (eval_node(arg, in, n, active, v, ctx)) return NULL;
    return v;
}

/* ---- calls ---- */

enum lazy_kind { LAZY_NONE, LAZY_AND, LAZY_OR, LAZY_COALESCE, LAZY_IF };

static enum lazy_kind lazy_kind_of(const func_def *fn)
{
    if (fn->eval == func_and_eval) return LAZY_AND;
    if (fn->eval == func_or_eval) return LAZY_OR;
    if (fn->eval == func_coalesce_eval) return LAZY_COALESCE;
    if (fn->eval == func_if_eval) return LAZY_IF;
    return LAZY_NONE;
}

static void preset_strict_nulls(vector_t **argv, int nargs, uint32_t n, const uint8_t *active, vector_t *out)
{
    if (active) {
        for (uint32_t i = 0; i < n; i++) out->nulls[i] = !active[i];
    } else {
        memset(out->nulls, 0, n);
    }
    for (int k = 0; k < nargs; k++) {
        const uint8_t *an = argv[k]->nulls;
        for (uint32_t i = 0; i < n; i++) out->nulls[i] |= an[i];
    }
}

static int run_kernel(const expr_t *e, vector_t **argv, uint32_t n, const uint8_t *active, vector_t *out,
                      eval_ctx *ctx)
{
    if (e->fn->strict) preset_strict_nulls(argv, e->nargs, n, active, out);
    else memset(out->nulls, 0, n);
    if (e->fn->eval(e, argv, n, out, ctx)) return -1;
    if (active && !e->fn->strict)
        for (uint32_t i = 0; i < n; i++) out->nulls[i] |= !active[i];
    zero_null_payloads(out, n);
    return 0;
}

/* Narrow `need` after argument k-1 of a lazy call was evaluated. */
static void narrow_need(enum lazy_kind kind, const vector_t *prev, uint8_t *need, uint32_t n)
{
    const uint8_t *nl = prev->nulls;
    const int64_t *v = prev->i64;
    switch (kind) {
    case LAZY_AND:                              /* FALSE decides */
        for (uint32_t i = 0; i < n; i++) need[i] &= nl[i] || v[i];
        break;
    case LAZY_OR:                               /* TRUE decides */
        for (uint32_t i = 0; i < n; i++) need[i] &= nl[i] || !v[i];
        break;
    default:                                    /* a value decides */
        for (uint32_t i = 0; i < n; i++) need[i] &= nl[i];
        break;
    }
}

static vector_t *eval_needed_arg(const expr_t *arg, const chunk_t *in, uint32_t n, const uint8_t *need,
                                 eval_ctx *ctx)
{
    if (!any_row(need, n)) return null_vector(ctx, arg->type, n);
    return eval_arg(arg, in, n, need, ctx);
}

static int eval_lazy_call(const expr_t *e, enum lazy_kind kind, const chunk_t *in, uint32_t n,
                          const uint8_t *active, vector_t *out, eval_ctx *ctx)
{
    vector_t **argv = arena_alloc(ctx->scratch, sizeof *argv * (size_t)e->nargs);
    if (e->nargs == 0) return run_kernel(e, argv, n, active, out, ctx);
    if (!(argv[0] = eval_arg(e->args[0], in, n, active, ctx))) return -1;
    if (kind == LAZY_IF) {
        uint8_t *then_rows = new_mask(ctx, active, n), *else_rows = new_mask(ctx, active, n);
        for (uint32_t i = 0; i < n; i++) {
            int cond = !argv[0]->nulls[i] && argv[0]->i64[i];
            then_rows[i] &= cond;
            else_rows[i] &= !cond;
        }
        for (int k = 1; k < e->nargs; k++)
            if (!(argv[k] = eval_needed_arg(e->args[k], in, n, k == 1 ? then_rows : else_rows, ctx))) return -1;
        return run_kernel(e, argv, n, active, out, ctx);
    }
    uint8_t *need = new_mask(ctx, active, n);
    for (int k = 1; k < e->nargs; k++) {
        narrow_need(kind, argv[k - 1], need, n);
        if (!(argv[k] = eval_needed_arg(e->args[k], in, n, need, ctx))) return -1;
    }
    return run_kernel(e, argv, n, active, out, ctx);
}

static int eval_call(const expr_t *e, const chunk_t *in, uint32_t n, const uint8_t *active, vector_t *out,
                     eval_ctx *ctx)
{
    enum lazy_kind kind = lazy_kind_of(e->fn);
    if (kind != LAZY_NONE) return eval_lazy_call(e, kind, in, n, active, out, ctx);
    vector_t **argv = arena_alloc(ctx->scratch, sizeof *argv * (size_t)(e->nargs ? e->nargs : 1));
    for (int k = 0; k < e->nargs; k++)
        if (!(argv[k] = eval_arg(e->args[k], in, n, active, ctx))) return -1;
    return run_kernel(e, argv, n, active, out, ctx);
}

/* ---- CASE ---- */

/* Evaluate one branch for `rows` and copy those rows into out (converting to the CASE's
 * type when the binder left the branch in another one). */
static int take_branch(const expr_t *c, const expr_t *branch, const uint8_t *rows, const chunk_t *in, uint32_t n,
                       vector_t *out, eval_ctx *ctx)
{
    vector_t *v = tmp_result(ctx, branch->type, n);
    if (eval_node(branch, in, n, rows, v, ctx)) return -1;
    if (!type_equal(branch->type, c->type)) {
        vector_t *conv = tmp_result(ctx, c->type, n);
        if (cast_vector_masked(v, n, conv, 0, branch->span, ctx, rows)) return -1;
        v = conv;
    }
    size_t w = phys_width(c->type);
    for (uint32_t i = 0; i < n; i++) {
        if (!rows[i]) continue;
        out->nulls[i] = v->nulls[i];
        memcpy((char *)out->data + i * w, (char *)v->data + i * w, w);
    }
    return 0;
}

static int eval_case(const expr_t *e, const chunk_t *in, uint32_t n, const uint8_t *active, vector_t *out,
                     eval_ctx *ctx)
{
    int npairs = (e->nargs - (e->has_else ? 1 : 0)) / 2;
    uint8_t *remaining = new_mask(ctx, active, n);
    uint8_t *take = arena_alloc(ctx->scratch, n);
    memset(out->nulls, 1, n);
    memset(out->data, 0, (size_t)n * phys_width(out->type));
    for (int k = 0; k < npairs && any_row(remaining, n); k++) {
        vector_t *cond = eval_arg(e->args[2 * k], in, n, remaining, ctx);
        if (!cond) return -1;
        int taken = 0;
        for (uint32_t i = 0; i < n; i++) {
            take[i] = remaining[i] && !cond->nulls[i] && cond->i64[i];
            taken |= take[i];
            remaining[i] &= !take[i];
        }
        if (taken && take_branch(e, e->args[2 * k + 1], take, in, n, out, ctx)) return -1;
    }
    if (e->has_else && any_row(remaining, n))
        return take_branch(e, e->args[e->nargs - 1], remaining, in, n, out, ctx);
    return 0;
}

/* ---- casts of constants: cast one row, then broadcast ---- */

static int eval_const_cast(const expr_t *e, uint32_t n, const uint8_t *active, vector_t *out, eval_ctx *ctx)
{
    vector_t *one_in = func_tmp_vector(ctx, e->args[0]->type, 1);
    vector_t *one_out = func_tmp_vector(ctx, e->type, 1);
    broadcast_const(e->args[0], 1, one_in);
    int needed = active ? any_row(active, n) : n > 0;
    if (!needed) {
        memset(out->nulls, 1, n);
        memset(out->data, 0, (size_t)n * phys_width(out->type));
        return 0;
    }
    if (cast_vector_masked(one_in, 1, one_out, e->safe, e->span, ctx, NULL)) return -1;
    size_t w = phys_width(out->type);
    for (uint32_t i = 0; i < n; i++) {
        int null = one_out->nulls[0] || (active && !active[i]);
        out->nulls[i] = (uint8_t)null;
        if (null) memset((char *)out->data + i * w, 0, w);
        else memcpy((char *)out->data + i * w, one_out->data, w);
    }
    return 0;
}

/* ---- dispatch ---- */

static int eval_node(const expr_t *e, const chunk_t *in, uint32_t n, const uint8_t *active, vector_t *out_vec,
                     eval_ctx *ctx)
{
    vector_t typed = *out_vec;                 /* kernels read the result type from out */
    vector_t *out = &typed;
    typed.type = e->type;
    switch (e->kind) {
    case EX_COL: return copy_column(e, in, n, out, ctx);
    case EX_CONST: broadcast_const(e, n, out); return 0;
    case EX_CALL: return eval_call(e, in, n, active, out, ctx);
    case EX_CAST: {
        if (e->args[0]->kind == EX_CONST) return eval_const_cast(e, n, active, out, ctx);
        vector_t *arg = eval_arg(e->args[0], in, n, active, ctx);
        if (!arg) return -1;
        vector_t from = *arg;                  /* an input column typed as the binder saw it */
        from.type = e->args[0]->type;
        return cast_vector_masked(&from, n, out, e->safe, e->span, ctx, active);
    }
    case EX_CASE: return eval_case(e, in, n, active, out, ctx);
    }
    return err_at(e->span, "internal error: unknown expression kind %d", (int)e->kind);
}

int expr_eval(const expr_t *e, const chunk_t *in, vector_t *out, eval_ctx *ctx)
{
    if (out->cap < in->nrows)
        return err_at(e->span, "internal error: output vector holds %u rows, the chunk has %u", out->cap, in->nrows);
    return eval_node(e, in, in->nrows, NULL, out, ctx);
}

int expr_eval_const(const expr_t *e, exec_ctx *exec, arena_t *a, value_t *out)
{
    if (expr_uses_col(e, -1)) return err_at(e->span, "expression must be a constant, it reads input columns");
    arena_t scratch;
    arena_init(&scratch, 4096);
    chunk_t none;
    memset(&none, 0, sizeof none);
    none.nrows = 1;
    uint8_t null = 0;
    union { int64_t i; double f; str_t s; } payload;
    memset(&payload, 0, sizeof payload);
    vector_t v = {.type = e->type, .cap = 1, .nulls = &null, .data = &payload};
    eval_ctx ctx = {exec, a, &scratch};
    int rc = eval_node(e, &none, 1, NULL, &v, &ctx);
    if (rc == 0) vector_get(&v, 0, out);
    arena_free(&scratch);
    return rc;
}

/* ---- tree queries ---- */

void expr_free_state(expr_t *e)
{
    if (!e) return;
    for (int i = 0; i < e->nargs; i++) expr_free_state(e->args[i]);
    if (e->state && e->kind == EX_CALL && e->fn && e->fn->free_state) e->fn->free_state(e->state);
    e->state = NULL;
}

int expr_uses_col(const expr_t *e, int col)
{
    if (e->kind == EX_COL) return col < 0 || e->col == col;
    for (int i = 0; i < e->nargs; i++)
        if (expr_uses_col(e->args[i], col)) return 1;
    return 0;
}

int expr_is_const(const expr_t *e)
{
    if (e->kind == EX_COL) return 0;
    if (e->kind == EX_CALL && !e->fn->deterministic) return 0;
    for (int i = 0; i < e->nargs; i++)
        if (!expr_is_const(e->args[i])) return 0;
    return 1;
}

/* ---- EXPLAIN text ---- */

static void format_node(const expr_t *e, const schema_t *s, sb_t *out, int nested);

static void format_string_literal(const char *p, uint32_t len, sb_t *out)
{
    sb_putc(out, '\'');
    for (uint32_t i = 0; i < len; i++) {
        if (p[i] == '\'') sb_putc(out, '\'');
        sb_putc(out, p[i]);
    }
    sb_putc(out, '\'');
}

static void format_interval(type_t t, int64_t v, sb_t *out)
{
    if (t.id == TY_INTERVAL_YM) {
        if (v % 12 == 0) sb_printf(out, "INTERVAL '%lld' YEAR", (long long)(v / 12));
        else sb_printf(out, "INTERVAL '%lld' MONTH", (long long)v);
        return;
    }
    static const struct { int64_t us; const char *unit; } units[] = {
        {US_PER_DAY, "DAY"}, {3600 * US_PER_SEC, "HOUR"}, {60 * US_PER_SEC, "MINUTE"}, {US_PER_SEC, "SECOND"},
    };
    for (size_t k = 0; k < ARRAY_LEN(units); k++)
        if (v % units[k].us == 0) {
            sb_printf(out, "INTERVAL '%lld' %s", (long long)(v / units[k].us), units[k].unit);
            return;
        }
    int64_t ms = v / US_PER_MS;
    sb_printf(out, "INTERVAL '%s%lld.%03lld' SECOND", ms < 0 ? "-" : "", (long long)(llabs(ms) / 1000),
              (long long)(llabs(ms) % 1000));
}

static void format_literal(const expr_t *e, sb_t *out)
{
    const value_t *v = &e->val;
    if (v->null) { sb_puts(out, "NULL"); return; }
    switch (e->type.id) {
    case TY_STRING: format_string_literal(str_ptr(&v->s), v->s.len, out); return;
    case TY_DATE: sb_puts(out, "DATE '"); break;
    case TY_TIMESTAMP: sb_puts(out, "TIMESTAMP '"); break;
    case TY_TIMESTAMP_LTZ: sb_puts(out, "TIMESTAMP_LTZ '"); break;
    case TY_INTERVAL_DT:
    case TY_INTERVAL_YM: format_interval(e->type, v->i, out); return;
    default: value_format(e->type, v, out); return;
    }
    value_format(e->type, v, out);
    sb_putc(out, '\'');
}

static const char *const infix_ops[] = {"+", "-", "*", "/", "%", "||", "=", "<>", "!=", "<", ">", "<=", ">=",
                                        "AND", "OR", "LIKE", "NOT LIKE"};

static int is_infix(const char *name)
{
    for (size_t k = 0; k < ARRAY_LEN(infix_ops); k++)
        if (strcmp(infix_ops[k], name) == 0) return 1;
    return 0;
}

static void format_list(expr_t *const *args, int from, int to, const schema_t *s, sb_t *out)
{
    for (int i = from; i < to; i++) {
        if (i > from) sb_puts(out, ", ");
        format_node(args[i], s, out, 0);
    }
}

/* Operators print infix; the text is parenthesised when it is an operand of another one. */
static void format_operator(const expr_t *e, const schema_t *s, sb_t *out, int nested)
{
    const char *name = e->fn->name;
    if (nested) sb_putc(out, '(');
    if (e->nargs == 1 && (strcmp(name, "-") == 0 || strcmp(name, "+") == 0 || strcmp(name, "NEGATE") == 0)) {
        sb_puts(out, strcmp(name, "+") == 0 ? "+" : "-");
        format_node(e->args[0], s, out, 1);
    } else if (e->nargs == 1 && strcmp(name, "NOT") == 0) {
        sb_puts(out, "NOT ");
        format_node(e->args[0], s, out, 1);
    } else if (strncmp(name, "IS ", 3) == 0) {
        format_node(e->args[0], s, out, 1);
        sb_printf(out, " %s", name);
    } else if (strcmp(name, "IN") == 0 || strcmp(name, "NOT IN") == 0) {
        format_node(e->args[0], s, out, 1);
        sb_printf(out, " %s (", name);
        format_list(e->args, 1, e->nargs, s, out);
        sb_putc(out, ')');
    } else if (strcmp(name, "BETWEEN") == 0 || strcmp(name, "NOT BETWEEN") == 0) {
        format_node(e->args[0], s, out, 1);
        sb_printf(out, " %s ", name);
        format_node(e->args[1], s, out, 1);
        sb_puts(out, " AND ");
        format_node(e->args[2], s, out, 1);
    } else {
        for (int i = 0; i < e->nargs; i++) {
            if (i > 0) sb_printf(out, " %s ", name);
            format_node(e->args[i], s, out, 1);
        }
    }
    if (nested) sb_putc(out, ')');
}

static int is_operator(const expr_t *e)
{
    const char *name = e->fn->name;
    if (is_infix(name)) return e->nargs >= 1;
    return strcmp(name, "NOT") == 0 || strcmp(name, "NEGATE") == 0 || strncmp(name, "IS ", 3) == 0 || strcmp(name, "IN") == 0 ||
           strcmp(name, "NOT IN") == 0 || strcmp(name, "BETWEEN") == 0 || strcmp(name, "NOT BETWEEN") == 0;
}

static void format_like(const expr_t *e, const schema_t *s, sb_t *out, int nested)
{
    if (nested) sb_putc(out, '(');
    format_node(e->args[0], s, out, 1);
    sb_printf(out, " %s ", e->fn->name);
    format_node(e->args[1], s, out, 1);
    if (e->nargs > 2) {
        sb_puts(out, " ESCAPE ");
        format_node(e->args[2], s, out, 1);
    }
    if (nested) sb_putc(out, ')');
}

static void format_node(const expr_t *e, const schema_t *s, sb_t *out, int nested)
{
    char tb[TYPE_NAME_CAP];
    switch (e->kind) {
    case EX_COL:
        if (s && e->col >= 0 && (uint32_t)e->col < s->ncols && s->names && s->names[e->col])
            sb_puts(out, s->names[e->col]);
        else
            sb_printf(out, "$%d", e->col);
        return;
    case EX_CONST:
        format_literal(e, out);
        return;
    case EX_CAST:
        sb_puts(out, e->safe ? "TRY_CAST(" : "CAST(");
        format_node(e->args[0], s, out, 0);
        sb_printf(out, " AS %s)", func_type_name(e->type, tb));
        return;
    case EX_CASE: {
        int npairs = (e->nargs - (e->has_else ? 1 : 0)) / 2;
        sb_puts(out, "CASE");
        for (int k = 0; k < npairs; k++) {
            sb_puts(out, " WHEN ");
            format_node(e->args[2 * k], s, out, 0);
            sb_puts(out, " THEN ");
            format_node(e->args[2 * k + 1], s, out, 0);
        }
        if (e->has_else) {
            sb_puts(out, " ELSE ");
            format_node(e->args[e->nargs - 1], s, out, 0);
        }
        sb_puts(out, " END");
        return;
    }
    case EX_CALL:
        if (strstr(e->fn->name, "LIKE") && e->nargs >= 2 && is_infix(e->fn->name)) {
            format_like(e, s, out, nested);
        } else if (is_operator(e)) {
            format_operator(e, s, out, nested);
        } else {
            sb_printf(out, "%s(", e->fn->name);
            format_list(e->args, 0, e->nargs, s, out);
            sb_putc(out, ')');
        }
        return;
    }
}

void expr_format(const expr_t *e, const schema_t *in, sb_t *out)
{
    format_node(e, in, out, 0);
}
