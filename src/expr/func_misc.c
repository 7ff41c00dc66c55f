/* func_misc.c - conditional and numeric functions: COALESCE, IFNULL, IF, NULLIF, GREATEST,
 * LEAST, ABS, CEIL/CEILING, FLOOR, ROUND, POWER, SQRT, EXP, LN, LOG, LOG10, LOG2, RAND and
 * RAND_INTEGER.
 *
 * COALESCE, IFNULL and IF evaluate their later arguments only for the rows that need them
 * (eval.c recognises their kernels). ROUND rounds HALF_UP on the decimal value, also for
 * DOUBLE (Flink rounds BigDecimal.valueOf(x)), so ROUND(2.675, 2) is 2.68. RAND(seed) and
 * RAND_INTEGER(seed, n) reproduce java.util.Random's sequence for a constant seed, as
 * Flink does per parallel instance. */
#include "expr/func_internal.h"
#include "base/civil.h"
#include "base/util.h"
#include <math.h>
#include <stdlib.h>
#include <time.h>

static int32_t wrap32(int64_t v) { return (int32_t)(uint32_t)(uint64_t)v; }

/* Copy row i of src into out; string bytes go to the output arena. */
static void take_row(vector_t *out, uint32_t i, const vector_t *src, eval_ctx *ctx)
{
    out->nulls[i] = src->nulls[i];
    if (src->nulls[i]) return;
    if (type_phys(out->type) == PHYS_STR) out->str[i] = func_out_str(ctx, str_ptr(&src->str[i]), src->str[i].len);
    else out->i64[i] = src->i64[i];
}

static int coerce_all(expr_t *call, int first, type_t t, arena_t *a)
{
    for (int i = first; i < call->nargs; i++)
        if (func_coerce_arg(call, i, t, a)) return -1;
    return 0;
}

/* ---- COALESCE, IFNULL, IF, NULLIF ---- */

static int check_common(expr_t *call, arena_t *a)
{
    type_t t;
    if (func_check_arg_count(call) || func_common_arg_type(call, 0, &t) || coerce_all(call, 0, t, a)) return -1;
    call->type = t;
    return 0;
}

int func_coalesce_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    for (uint32_t i = 0; i < n; i++) {
        out->nulls[i] = 1;
        for (int k = 0; k < call->nargs; k++)
            if (!args[k]->nulls[i]) {
                take_row(out, i, args[k], ctx);
                break;
            }
    }
    return 0;
}

static int check_if(expr_t *call, arena_t *a)
{
    if (func_check_arg_count(call)) return -1;
    type_t c = call->args[0]->type;
    if (c.id == TY_NULL && func_coerce_arg(call, 0, type_make(TY_BOOLEAN), a)) return -1;
    if (c.id != TY_NULL && c.id != TY_BOOLEAN) {
        char tb[TYPE_NAME_CAP];
        return err_at(call->args[0]->span, "IF: the condition must be BOOLEAN, got %s", func_type_name(c, tb));
    }
    type_t t;
    if (func_common_arg_type(call, 1, &t) || coerce_all(call, 1, t, a)) return -1;
    call->type = t;
    return 0;
}

int func_if_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    for (uint32_t i = 0; i < n; i++) {
        int cond = !args[0]->nulls[i] && args[0]->i64[i];
        take_row(out, i, args[cond ? 1 : 2], ctx);
    }
    return 0;
}

static int check_nullif(expr_t *call, arena_t *a)
{
    type_t t;
    if (func_check_arg_count(call)) return -1;
    if (!func_compare_type(call->args[0]->type, call->args[1]->type, &t)) return func_err_operand_types(call);
    t.attr = TA_NONE;
    t.not_null = 0;
    if (coerce_all(call, 0, t, a)) return -1;
    call->type = t;
    return 0;
}

/* NULLIF(a, b): NULL when a = b, else a. */
static int nullif_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    int8_t *c = arena_alloc(ctx->scratch, n);
    func_cmp_vec(args[0], call->type, args[1], call->type, n, c);
    for (uint32_t i = 0; i < n; i++) {
        take_row(out, i, args[0], ctx);
        if (!args[0]->nulls[i] && !args[1]->nulls[i] && c[i] == 0) out->nulls[i] = 1;
    }
    return 0;
}

/* ---- GREATEST, LEAST (NULL if any argument is NULL) ---- */

static int extreme_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx, int8_t want)
{
    int8_t *c = arena_alloc(ctx->scratch, n);
    size_t w = type_phys(out->type) == PHYS_STR ? sizeof(str_t) : 8;
    memcpy(out->data, args[0]->data, (size_t)n * w);
    for (int k = 1; k < call->nargs; k++) {
        func_cmp_vec(args[k], call->type, out, call->type, n, c);
        for (uint32_t i = 0; i < n; i++)
            if (c[i] == want) memcpy((char *)out->data + i * w, (char *)args[k]->data + i * w, w);
    }
    if (type_phys(out->type) == PHYS_STR)
        for (uint32_t i = 0; i < n; i++)
            if (!out->nulls[i]) out->str[i] = func_out_str(ctx, str_ptr(&out->str[i]), out->str[i].len);
    return 0;
}

static int greatest_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return extreme_eval(c, a, n, o, x, 1); }
static int least_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return extreme_eval(c, a, n, o, x, -1); }

/* ---- numeric ---- */

static int require_numeric(const expr_t *call, int i)
{
    type_t t = call->args[i]->type;
    if (type_is_numeric(t) || t.id == TY_NULL) return 0;
    char tb[TYPE_NAME_CAP];
    return err_at(call->args[i]->span, "%s: argument %d must be numeric, got %s", call->fn->name, i + 1,
                  func_type_name(t, tb));
}

/* One numeric argument; the result has its type (a NULL literal becomes INT). */
static int check_numeric_same(expr_t *call, arena_t *a)
{
    if (func_check_arg_count(call) || require_numeric(call, 0)) return -1;
    if (call->args[0]->type.id == TY_NULL && func_coerce_arg(call, 0, type_make(TY_INT), a)) return -1;
    call->type = call->args[0]->type;
    call->type.attr = TA_NONE;
    call->type.not_null = 0;
    return 0;
}

/* Numeric arguments computed in DOUBLE. */
static int check_double_math(expr_t *call, arena_t *a)
{
    if (func_check_arg_count(call)) return -1;
    for (int i = 0; i < call->nargs; i++)
        if (require_numeric(call, i) || func_coerce_arg(call, i, type_make(TY_DOUBLE), a)) return -1;
    call->type = type_make(TY_DOUBLE);
    return 0;
}

static int abs_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    type_id t = out->type.id;
    for (uint32_t i = 0; i < n; i++) {
        if (t == TY_DOUBLE) {
            out->f64[i] = fabs(args[0]->f64[i]);
        } else {
            int64_t v = args[0]->i64[i];
            int64_t r = v < 0 ? (int64_t)(0 - (uint64_t)v) : v;
            out->i64[i] = t == TY_INT ? wrap32(r) : r;
        }
    }
    return 0;
}

/* CEIL/FLOOR: a DECIMAL(p, s > 0) becomes DECIMAL(p - s + 1, 0). */
static int check_floor_ceil(expr_t *call, arena_t *a)
{
    if (check_numeric_same(call, a)) return -1;
    type_t t = call->type;
    if (t.id == TY_DECIMAL && t.scale > 0) {
        int p = t.precision - t.scale + 1;
        call->type = type_decimal(p > DEC_MAX_PRECISION ? DEC_MAX_PRECISION : p, 0);
    }
    return 0;
}

static int floor_ceil_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, int ceil_)
{
    type_t at = call->args[0]->type;
    for (uint32_t i = 0; i < n; i++) {
        if (at.id == TY_DOUBLE) {
            out->f64[i] = ceil_ ? ceil(args[0]->f64[i]) : floor(args[0]->f64[i]);
        } else if (at.id == TY_DECIMAL && at.scale > 0) {
            int64_t unit = pow10_i64(at.scale), v = args[0]->i64[i];
            out->i64[i] = ceil_ ? -floor_div(-v, unit) : floor_div(v, unit);
        } else {
            out->i64[i] = args[0]->i64[i];
        }
    }
    return 0;
}

static int floor_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return floor_ceil_eval(c, a, n, o, 0); }
static int ceil_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return floor_ceil_eval(c, a, n, o, 1); }

/* ROUND(x [, d]): same type for INT/BIGINT/DOUBLE; a DECIMAL(p, s) takes Flink's
 * findRoundDecimalType (d must then be a constant). */
static int check_round(expr_t *call, arena_t *a)
{
    if (func_check_arg_count(call) || require_numeric(call, 0)) return -1;
    if (call->args[0]->type.id == TY_NULL && func_coerce_arg(call, 0, type_make(TY_INT), a)) return -1;
    int64_t digits = 0;
    if (call->nargs > 1) {
        type_t dt = call->args[1]->type;
        if (dt.id == TY_NULL && func_coerce_arg(call, 1, type_make(TY_INT), a)) return -1;
        if (dt.id != TY_NULL && !type_is_integer(dt)) {
            char tb[TYPE_NAME_CAP];
            return err_at(call->args[1]->span, "ROUND: the number of digits must be an integer, got %s",
                          func_type_name(dt, tb));
        }
        if (func_arg_const(call, 1) && !call->args[1]->val.null) digits = call->args[1]->val.i;
    }
    type_t t = call->args[0]->type;
    t.attr = TA_NONE;
    t.not_null = 0;
    if (t.id == TY_DECIMAL) {
        if (call->nargs > 1 && !func_arg_const(call, 1))
            return err_at(call->args[1]->span, "ROUND of a DECIMAL needs a constant number of digits");
        int p = t.precision, s = t.scale;
        if (digits < s) {
            int np = digits < 0 ? 1 + p - s : 1 + p - s + (int)digits;
            t = type_decimal(np > DEC_MAX_PRECISION ? DEC_MAX_PRECISION : np, digits < 0 ? 0 : (int)digits);
        }
    }
    call->type = t;
    return 0;
}

static double round_double(double x, int64_t digits)
{
    if (digits > 300 || digits < -300) return digits > 0 ? x : 0.0 * x;
    i128 v;
    if (dec_from_double(x, (int)digits, &v)) return x;
    if (digits >= 0) return (double)v / pow(10.0, (double)digits);
    return (double)v * pow(10.0, (double)-digits);
}

static int64_t round_integer(int64_t x, int64_t digits)
{
    if (digits >= 0) return x;
    if (digits < -18) return 0;
    i128 r;
    dec_rescale(x, 0, (int)digits, &r);
    return (int64_t)(r * dec_pow10((int)-digits));
}

static int round_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    type_t at = call->args[0]->type;
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        int64_t digits = call->nargs > 1 ? args[1]->i64[i] : 0;
        if (at.id == TY_DOUBLE) {
            out->f64[i] = round_double(args[0]->f64[i], digits);
        } else if (at.id == TY_DECIMAL) {
            i128 r = args[0]->i64[i];
            if (digits < at.scale) {
                dec_rescale(r, at.scale, (int)digits, &r);
                dec_rescale(r, (int)digits, out->type.scale, &r);
            }
            if (dec_fits(r, out->type.precision)) out->i64[i] = (int64_t)r;
            else out->nulls[i] = 1;
        } else {
            int64_t r = round_integer(args[0]->i64[i], digits);
            out->i64[i] = at.id == TY_INT ? wrap32(r) : r;
        }
    }
    return 0;
}

enum math_fn { M_POWER, M_SQRT, M_EXP, M_LN, M_LOG10, M_LOG2, M_LOG };

static double apply_math(enum math_fn f, double x, double y, int two_args)
{
    switch (f) {
    case M_POWER: return isnan(y) ? NAN : pow(x, y);
    case M_SQRT: return sqrt(x);
    case M_EXP: return exp(x);
    case M_LN: return log(x);
    case M_LOG10: return log10(x);
    case M_LOG2: return log(x) / log(2.0);
    case M_LOG: return two_args ? log(y) / log(x) : log(x);
    }
    return NAN;
}

static int math_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, enum math_fn f)
{
    int two = call->nargs > 1;
    for (uint32_t i = 0; i < n; i++)
        out->f64[i] = apply_math(f, args[0]->f64[i], two ? args[1]->f64[i] : 0, two);
    return 0;
}

static int power_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return math_eval(c, a, n, o, M_POWER); }
static int sqrt_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return math_eval(c, a, n, o, M_SQRT); }
static int exp_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return math_eval(c, a, n, o, M_EXP); }
static int ln_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return math_eval(c, a, n, o, M_LN); }
static int log10_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return math_eval(c, a, n, o, M_LOG10); }
static int log2_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return math_eval(c, a, n, o, M_LOG2); }
static int log_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return math_eval(c, a, n, o, M_LOG); }

/* ---- RAND, RAND_INTEGER: java.util.Random ---- */

typedef struct java_random {
    uint64_t seed;           /* 48-bit LCG state */
} java_random;

#define JR_MULT 0x5DEECE66DULL
#define JR_MASK ((1ULL << 48) - 1)

static void jr_seed(java_random *r, int64_t seed) { r->seed = ((uint64_t)seed ^ JR_MULT) & JR_MASK; }

static int32_t jr_next(java_random *r, int bits)
{
    r->seed = (r->seed * JR_MULT + 0xBULL) & JR_MASK;
    return (int32_t)(uint32_t)(r->seed >> (48 - bits));
}

static double jr_double(java_random *r)
{
    int64_t hi = jr_next(r, 26), lo = jr_next(r, 27);
    return (double)((hi << 27) + lo) * 0x1.0p-53;
}

static int32_t jr_int(java_random *r, int32_t bound)
{
    int32_t x = jr_next(r, 31), m = bound - 1;
    if ((bound & m) == 0) return (int32_t)(((int64_t)bound * x) >> 31);
    for (int32_t u = x; (int32_t)((uint32_t)u - (uint32_t)(x = u % bound) + (uint32_t)m) < 0; u = jr_next(r, 31)) {}
    return x;
}

static _Thread_local java_random unseeded;
static _Thread_local int unseeded_ready;

static java_random *unseeded_random(void)
{
    if (!unseeded_ready) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        jr_seed(&unseeded, (int64_t)ts.tv_nsec ^ ((int64_t)ts.tv_sec << 20) ^ (int64_t)(uintptr_t)&unseeded);
        unseeded_ready = 1;
    }
    return &unseeded;
}

/* RAND([seed]) and RAND_INTEGER([seed,] bound): integer arguments; a constant seed gets
 * one generator for the call, kept in call->state. */
static int check_rand(expr_t *call, arena_t *a, type_id result)
{
    func_reset_state(call);
    if (func_check_arg_count(call)) return -1;
    for (int i = 0; i < call->nargs; i++) {
        type_t t = call->args[i]->type;
        if (t.id == TY_NULL && func_coerce_arg(call, i, type_make(TY_INT), a)) return -1;
        if (t.id != TY_NULL && !type_is_integer(t)) {
            char tb[TYPE_NAME_CAP];
            return err_at(call->args[i]->span, "%s: argument %d must be an integer, got %s", call->fn->name, i + 1,
                          func_type_name(t, tb));
        }
    }
    int seeded = result == TY_DOUBLE ? call->nargs == 1 : call->nargs == 2;
    if (seeded && func_arg_const(call, 0) && !call->args[0]->val.null) {
        java_random *r = xmalloc(sizeof *r);
        jr_seed(r, call->args[0]->val.i);
        call->state = r;
    }
    call->type = type_make(result);
    return 0;
}

static int check_rand_double(expr_t *call, arena_t *a) { return check_rand(call, a, TY_DOUBLE); }
static int check_rand_integer(expr_t *call, arena_t *a) { return check_rand(call, a, TY_INT); }

/* The generator for row i: the call's own, a fresh one for a per-row seed, or the
 * thread's unseeded one. */
static java_random *rand_for_row(const expr_t *call, vector_t **args, uint32_t i, int seeded, java_random *tmp)
{
    if (call->state) return call->state;
    if (!seeded) return unseeded_random();
    jr_seed(tmp, args[0]->i64[i]);
    return tmp;
}

static int rand_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    java_random tmp;
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        out->f64[i] = jr_double(rand_for_row(call, args, i, call->nargs == 1, &tmp));
    }
    return 0;
}

static int rand_integer_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    java_random tmp;
    int seeded = call->nargs == 2;
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        int64_t bound = args[seeded ? 1 : 0]->i64[i];
        if (bound <= 0 || bound > INT32_MAX)
            return err_at(call->span, "RAND_INTEGER: the bound must be a positive INT, got %lld", (long long)bound);
        out->i64[i] = jr_int(rand_for_row(call, args, i, seeded, &tmp), (int32_t)bound);
    }
    return 0;
}

/* name, min, max, strict, deterministic, check, eval, free_state */
const func_def func_table_misc[] = {
    {"COALESCE", 1, -1, 0, 1, check_common, func_coalesce_eval, NULL},
    {"IFNULL", 2, 2, 0, 1, check_common, func_coalesce_eval, NULL},
    {"IF", 3, 3, 0, 1, check_if, func_if_eval, NULL},
    {"NULLIF", 2, 2, 0, 1, check_nullif, nullif_eval, NULL},
    {"GREATEST", 1, -1, 1, 1, check_common, greatest_eval, NULL},
    {"LEAST", 1, -1, 1, 1, check_common, least_eval, NULL},
    {"ABS", 1, 1, 1, 1, check_numeric_same, abs_eval, NULL},
    {"FLOOR", 1, 1, 1, 1, check_floor_ceil, floor_eval, NULL},
    {"CEIL", 1, 1, 1, 1, check_floor_ceil, ceil_eval, NULL},
    {"CEILING", 1, 1, 1, 1, check_floor_ceil, ceil_eval, NULL},
    {"ROUND", 1, 2, 1, 1, check_round, round_eval, NULL},
    {"POWER", 2, 2, 1, 1, check_double_math, power_eval, NULL},
    {"SQRT", 1, 1, 1, 1, check_double_math, sqrt_eval, NULL},
    {"EXP", 1, 1, 1, 1, check_double_math, exp_eval, NULL},
    {"LN", 1, 1, 1, 1, check_double_math, ln_eval, NULL},
    {"LOG10", 1, 1, 1, 1, check_double_math, log10_eval, NULL},
    {"LOG2", 1, 1, 1, 1, check_double_math, log2_eval, NULL},
    {"LOG", 1, 2, 1, 1, check_double_math, log_eval, NULL},
    {"RAND", 0, 1, 1, 0, check_rand_double, rand_eval, free},
    {"RAND_INTEGER", 1, 2, 1, 0, check_rand_integer, rand_integer_eval, free},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL},
};
