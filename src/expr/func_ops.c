/* func_ops.c - operators: arithmetic (+ - * / % MOD, unary minus, date/time +/- INTERVAL),
 * comparisons, AND/OR/NOT with SQL three-valued logic, IS [NOT] NULL/TRUE/FALSE, [NOT] IN,
 * [NOT] BETWEEN, [NOT] LIKE and the || concatenation.
 *
 * Result types follow Flink: INT op INT is INT (Java int arithmetic, wrapping; INT / INT is
 * integer division), with a BIGINT it is BIGINT, with a DOUBLE it is DOUBLE; DECIMAL results
 * use Flink's precision/scale rules (LogicalTypeMerging) adjusted to our 18 digits, and a
 * DECIMAL result that overflows its precision is NULL. Integer and DECIMAL division or
 * modulo by zero fails the job ("division by zero"); DOUBLE gives Infinity/NaN.
 *
 * Checks insert implicit casts so that kernels see few representations: comparisons keep
 * INT/BIGINT/DECIMAL operands as they are (the kernel aligns scales in 128 bits) and cast
 * everything else to the comparison type of func_compare_type. */
#include "expr/func_internal.h"
#include "base/civil.h"
#include "base/util.h"
#include <math.h>
#include <stdlib.h>

static int is_interval(type_t t) { return t.id == TY_INTERVAL_DT || t.id == TY_INTERVAL_YM; }
static int is_datetime(type_t t) { return t.id == TY_DATE || type_is_timestamp(t); }

static type_t plain(type_t t)
{
    t.attr = TA_NONE;
    t.not_null = 0;
    return t;
}

static int32_t wrap32(int64_t v) { return (int32_t)(uint32_t)(uint64_t)v; }

static int division_by_zero(const expr_t *call) { return err_at(call->span, "division by zero"); }

/* ======================= arithmetic ======================= */

enum arith_op { AR_ADD, AR_SUB, AR_MUL, AR_DIV, AR_MOD };

static enum arith_op arith_op_of(const char *name)
{
    switch (name[0]) {
    case '+': return AR_ADD;
    case '-': return AR_SUB;
    case '*': return AR_MUL;
    case '/': return AR_DIV;
    default: return AR_MOD;
    }
}

static type_t decimal_result(enum arith_op op, type_t l, type_t r)
{
    int p1 = func_decimal_precision(l), s1 = func_decimal_scale(l);
    int p2 = func_decimal_precision(r), s2 = func_decimal_scale(r);
    int p, s;
    switch (op) {
    case AR_ADD:
    case AR_SUB:
        s = MAX(s1, s2);
        p = MAX(p1 - s1, p2 - s2) + s + 1;
        break;
    case AR_MUL:
        s = s1 + s2;
        p = p1 + p2 + 1;
        break;
    case AR_DIV:
        s = MAX(6, s1 + p2 + 1);
        p = p1 - s1 + s2 + s;
        break;
    default:
        s = MAX(s1, s2);
        p = MIN(p1 - s1, p2 - s2) + s;
        break;
    }
    return func_decimal_adjust(p, s);
}

static int check_unary_arith(expr_t *call, arena_t *a, enum arith_op op)
{
    if (op != AR_ADD && op != AR_SUB) return func_check_arg_count(call);
    type_t t = call->args[0]->type;
    if (t.id == TY_NULL) {
        if (func_coerce_arg(call, 0, type_make(TY_INT), a)) return -1;
        t = type_make(TY_INT);
    }
    if (!type_is_numeric(t) && !is_interval(t)) return func_err_operand_types(call);
    call->type = plain(t);
    return 0;
}

/* NULL literals take the type of the other operand (an interval next to a date/time). */
static int type_null_operands(expr_t *call, arena_t *a)
{
    type_t l = call->args[0]->type, r = call->args[1]->type;
    if (l.id == TY_NULL && r.id == TY_NULL) return func_err_operand_types(call);
    if (l.id == TY_NULL) return func_coerce_arg(call, 0, is_datetime(r) ? type_make(TY_INTERVAL_DT) : plain(r), a);
    if (r.id == TY_NULL) return func_coerce_arg(call, 1, is_datetime(l) ? type_make(TY_INTERVAL_DT) : plain(l), a);
    return 0;
}

static int check_arith(expr_t *call, arena_t *a)
{
    if (func_check_arg_count(call)) return -1;
    enum arith_op op = arith_op_of(call->fn->name);
    if (call->nargs == 1) return check_unary_arith(call, a, op);
    if (type_null_operands(call, a)) return -1;
    type_t l = call->args[0]->type, r = call->args[1]->type;
    if (op == AR_ADD || op == AR_SUB) {
        if (is_datetime(l) && is_interval(r)) { call->type = plain(l); return 0; }
        if (op == AR_ADD && is_interval(l) && is_datetime(r)) { call->type = plain(r); return 0; }
        if (is_interval(l) && l.id == r.id) { call->type = plain(l); return 0; }
    }
    if (!type_is_numeric(l) || !type_is_numeric(r)) return func_err_operand_types(call);
    if (l.id == TY_DOUBLE || r.id == TY_DOUBLE) {
        if (func_coerce_arg(call, 0, type_make(TY_DOUBLE), a) || func_coerce_arg(call, 1, type_make(TY_DOUBLE), a))
            return -1;
        call->type = type_make(TY_DOUBLE);
    } else if (l.id == TY_DECIMAL || r.id == TY_DECIMAL) {
        call->type = decimal_result(op, l, r);
    } else if (op == AR_MOD) {
        call->type = plain(r);                  /* Calcite: MOD has the divisor's type */
    } else {
        call->type = type_make(l.id == TY_INT && r.id == TY_INT ? TY_INT : TY_BIGINT);
    }
    return 0;
}

static int arith_integer(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, enum arith_op op)
{
    const int64_t *a = args[0]->i64, *b = args[1]->i64;
    int64_t *r = out->i64;
    switch (op) {
    case AR_ADD:
        for (uint32_t i = 0; i < n; i++) r[i] = (int64_t)((uint64_t)a[i] + (uint64_t)b[i]);
        break;
    case AR_SUB:
        for (uint32_t i = 0; i < n; i++) r[i] = (int64_t)((uint64_t)a[i] - (uint64_t)b[i]);
        break;
    case AR_MUL:
        for (uint32_t i = 0; i < n; i++) r[i] = (int64_t)((uint64_t)a[i] * (uint64_t)b[i]);
        break;
    case AR_DIV:
    case AR_MOD:
        for (uint32_t i = 0; i < n; i++) {
            if (out->nulls[i]) continue;
            if (b[i] == 0) return division_by_zero(call);
            if (b[i] == -1) r[i] = op == AR_DIV ? (int64_t)(0 - (uint64_t)a[i]) : 0;
            else r[i] = op == AR_DIV ? a[i] / b[i] : a[i] % b[i];
        }
        break;
    }
    if (out->type.id == TY_INT)
        for (uint32_t i = 0; i < n; i++) r[i] = wrap32(r[i]);
    return 0;
}

static void arith_double(vector_t **args, uint32_t n, vector_t *out, enum arith_op op)
{
    const double *a = args[0]->f64, *b = args[1]->f64;
    double *r = out->f64;
    switch (op) {
    case AR_ADD: for (uint32_t i = 0; i < n; i++) r[i] = a[i] + b[i]; break;
    case AR_SUB: for (uint32_t i = 0; i < n; i++) r[i] = a[i] - b[i]; break;
    case AR_MUL: for (uint32_t i = 0; i < n; i++) r[i] = a[i] * b[i]; break;
    case AR_DIV: for (uint32_t i = 0; i < n; i++) r[i] = a[i] / b[i]; break;
    case AR_MOD: for (uint32_t i = 0; i < n; i++) r[i] = fmod(a[i], b[i]); break;
    }
}

/* round_half_up(x / 10^sx / (y / 10^sy) * 10^rs); -1 when the quotient passes 10^20. */
static int dec_divide(i128 x, int sx, i128 y, int sy, int rs, i128 *out)
{
    int k = rs - sx + sy;
    int neg = (x < 0) != (y < 0);
    i128 ax = x < 0 ? -x : x, ay = y < 0 ? -y : y;
    i128 q, rem;
    if (k < 0) {
        ay *= dec_pow10(-k);
        q = ax / ay;
        rem = ax % ay;
    } else {
        int first = k < 19 ? k : 19;
        i128 num = ax * dec_pow10(first);
        q = num / ay;
        rem = num % ay;
        i128 limit = dec_pow10(20);
        for (int j = first; j < k; j++) {
            q = q * 10 + rem * 10 / ay;
            rem = rem * 10 % ay;
            if (q > limit) return -1;
        }
    }
    if (rem * 2 >= ay) q++;
    *out = neg ? -q : q;
    return 0;
}

static int arith_decimal(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, enum arith_op op)
{
    int sa = func_decimal_scale(call->args[0]->type), sb = func_decimal_scale(call->args[1]->type);
    int rs = out->type.scale;
    int s = MAX(sa, sb);
    i128 ma = dec_pow10(s - sa), mb = dec_pow10(s - sb);
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        i128 x = args[0]->i64[i], y = args[1]->i64[i], r = 0;
        int bad = 0;
        switch (op) {
        case AR_ADD: bad = dec_rescale(x * ma + y * mb, s, rs, &r); break;
        case AR_SUB: bad = dec_rescale(x * ma - y * mb, s, rs, &r); break;
        case AR_MUL: bad = dec_rescale(x * y, sa + sb, rs, &r); break;
        case AR_DIV:
            if (y == 0) return division_by_zero(call);
            bad = dec_divide(x, sa, y, sb, rs, &r);
            break;
        case AR_MOD:
            if (y == 0) return division_by_zero(call);
            bad = dec_rescale((x * ma) % (y * mb), s, rs, &r);
            break;
        }
        if (bad || !dec_fits(r, out->type.precision)) out->nulls[i] = 1;
        else out->i64[i] = (int64_t)r;
    }
    return 0;
}

static int64_t add_months_to_days(int64_t days, int64_t months)
{
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    int64_t total = y * 12 + (m - 1) + months;
    int64_t ny = floor_div(total, 12);
    int nm = (int)floor_mod(total, 12) + 1;
    int dim = days_in_month(ny, nm);
    return days_from_civil(ny, nm, d < dim ? d : dim);
}

static int64_t add_months_to_us(int64_t us, int64_t months)
{
    int64_t days = floor_div(us, US_PER_DAY);
    return add_months_to_days(days, months) * US_PER_DAY + (us - days * US_PER_DAY);
}

/* DATE / TIMESTAMP / TIMESTAMP_LTZ +- INTERVAL (either operand order for +). Day-time
 * intervals move a DATE by whole days; year-month intervals clamp to the month's end. */
static void arith_datetime(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx,
                           enum arith_op op)
{
    int d = is_datetime(call->args[0]->type) ? 0 : 1;
    type_t dt = call->args[d]->type, it = call->args[1 - d]->type;
    int64_t sign = op == AR_SUB ? -1 : 1;
    const tz_t *tz = func_session_tz(ctx);
    const int64_t *v = args[d]->i64, *iv = args[1 - d]->i64;
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        if (it.id == TY_INTERVAL_DT) {
            out->i64[i] = dt.id == TY_DATE ? v[i] + sign * (iv[i] / US_PER_DAY) : v[i] + sign * iv[i];
        } else if (dt.id == TY_DATE) {
            out->i64[i] = add_months_to_days(v[i], sign * iv[i]);
        } else if (dt.id == TY_TIMESTAMP) {
            out->i64[i] = add_months_to_us(v[i], sign * iv[i]);
        } else {
            out->i64[i] = tz_local_to_utc(tz, add_months_to_us(tz_utc_to_local(tz, v[i]), sign * iv[i]));
        }
    }
}

static void arith_negate(vector_t **args, uint32_t n, vector_t *out)
{
    type_id t = out->type.id;
    for (uint32_t i = 0; i < n; i++) {
        if (t == TY_DOUBLE) out->f64[i] = -args[0]->f64[i];
        else if (t == TY_INT) out->i64[i] = wrap32((int64_t)(0 - (uint64_t)args[0]->i64[i]));
        else out->i64[i] = (int64_t)(0 - (uint64_t)args[0]->i64[i]);
    }
}

static int arith_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx,
                      enum arith_op op)
{
    if (call->nargs == 1) {
        if (op == AR_SUB) arith_negate(args, n, out);
        else memcpy(out->data, args[0]->data, (size_t)n * 8);
        return 0;
    }
    switch (out->type.id) {
    case TY_DOUBLE: arith_double(args, n, out, op); return 0;
    case TY_INT:
    case TY_BIGINT: return arith_integer(call, args, n, out, op);
    case TY_DECIMAL: return arith_decimal(call, args, n, out, op);
    case TY_DATE:
    case TY_TIMESTAMP:
    case TY_TIMESTAMP_LTZ: arith_datetime(call, args, n, out, ctx, op); return 0;
    default:                                    /* interval +- interval */
        for (uint32_t i = 0; i < n; i++)
            out->i64[i] = op == AR_SUB ? args[0]->i64[i] - args[1]->i64[i] : args[0]->i64[i] + args[1]->i64[i];
        return 0;
    }
}

/* NEGATE is the binder's name for unary minus. */
static int check_negate(expr_t *call, arena_t *a)
{
    if (func_check_arg_count(call)) return -1;
    return check_unary_arith(call, a, AR_SUB);
}

static int add_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return arith_eval(c, a, n, o, x, AR_ADD); }
static int sub_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return arith_eval(c, a, n, o, x, AR_SUB); }
static int mul_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return arith_eval(c, a, n, o, x, AR_MUL); }
static int div_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return arith_eval(c, a, n, o, x, AR_DIV); }
static int mod_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return arith_eval(c, a, n, o, x, AR_MOD); }

/* ======================= comparisons ======================= */

enum cmp_kind { CMP_I64, CMP_F64, CMP_STR, CMP_DEC };

static enum cmp_kind cmp_kind_of(type_t a, type_t b)
{
    if (a.id == TY_STRING || b.id == TY_STRING) return CMP_STR;
    if (a.id == TY_DOUBLE || b.id == TY_DOUBLE) return CMP_F64;
    if (func_decimal_scale(a) != func_decimal_scale(b)) return CMP_DEC;
    return CMP_I64;
}

void func_cmp_vec(const vector_t *a, type_t ta, const vector_t *b, type_t tb, uint32_t n, int8_t *c)
{
    switch (cmp_kind_of(ta, tb)) {
    case CMP_I64:
        for (uint32_t i = 0; i < n; i++) c[i] = (int8_t)((a->i64[i] > b->i64[i]) - (a->i64[i] < b->i64[i]));
        break;
    case CMP_F64:
        for (uint32_t i = 0; i < n; i++) {
            double x = a->f64[i], y = b->f64[i];
            c[i] = x < y ? -1 : x > y ? 1 : x == y ? 0 : 2;
        }
        break;
    case CMP_STR:
        for (uint32_t i = 0; i < n; i++) {
            int r = str_cmp(&a->str[i], &b->str[i]);
            c[i] = (int8_t)((r > 0) - (r < 0));
        }
        break;
    case CMP_DEC: {
        int sa = func_decimal_scale(ta), sb = func_decimal_scale(tb), s = MAX(sa, sb);
        i128 ma = dec_pow10(s - sa), mb = dec_pow10(s - sb);
        for (uint32_t i = 0; i < n; i++) {
            i128 x = (i128)a->i64[i] * ma, y = (i128)b->i64[i] * mb;
            c[i] = (int8_t)((x > y) - (x < y));
        }
        break;
    }
    }
}

/* Bring all arguments to one comparison type (casting only where the representation
 * differs); the message names every argument type when there is none. */
static int coerce_for_compare(expr_t *call, arena_t *a)
{
    type_t t = call->args[0]->type;
    for (int i = 1; i < call->nargs; i++)
        if (!func_compare_type(t, call->args[i]->type, &t)) return func_err_operand_types(call);
    t = plain(t);
    for (int i = 0; i < call->nargs; i++)
        if (func_compare_needs_cast(call->args[i]->type, t) && func_coerce_arg(call, i, t, a)) return -1;
    call->type = type_make(TY_BOOLEAN);
    return 0;
}

static int check_compare(expr_t *call, arena_t *a)
{
    if (func_check_arg_count(call)) return -1;
    return coerce_for_compare(call, a);
}

enum pred { P_EQ, P_NE, P_LT, P_GT, P_LE, P_GE };

static int cmp_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx, enum pred p)
{
    int8_t *c = arena_alloc(ctx->scratch, n);
    type_t ta = call->args[0]->type, tb = call->args[1]->type;
    if ((p == P_EQ || p == P_NE) && cmp_kind_of(ta, tb) == CMP_STR) {
        for (uint32_t i = 0; i < n; i++) c[i] = (int8_t)!str_eq(&args[0]->str[i], &args[1]->str[i]);
    } else {
        func_cmp_vec(args[0], ta, args[1], tb, n, c);
    }
    int64_t *r = out->i64;
    switch (p) {
    case P_EQ: for (uint32_t i = 0; i < n; i++) r[i] = c[i] == 0; break;
    case P_NE: for (uint32_t i = 0; i < n; i++) r[i] = c[i] != 0; break;
    case P_LT: for (uint32_t i = 0; i < n; i++) r[i] = c[i] == -1; break;
    case P_GT: for (uint32_t i = 0; i < n; i++) r[i] = c[i] == 1; break;
    case P_LE: for (uint32_t i = 0; i < n; i++) r[i] = c[i] == -1 || c[i] == 0; break;
    case P_GE: for (uint32_t i = 0; i < n; i++) r[i] = c[i] == 1 || c[i] == 0; break;
    }
    return 0;
}

static int eq_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return cmp_eval(c, a, n, o, x, P_EQ); }
static int ne_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return cmp_eval(c, a, n, o, x, P_NE); }
static int lt_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return cmp_eval(c, a, n, o, x, P_LT); }
static int gt_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return cmp_eval(c, a, n, o, x, P_GT); }
static int le_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return cmp_eval(c, a, n, o, x, P_LE); }
static int ge_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return cmp_eval(c, a, n, o, x, P_GE); }

/* ======================= logic ======================= */

static int check_boolean_args(expr_t *call, arena_t *a)
{
    if (func_check_arg_count(call)) return -1;
    for (int i = 0; i < call->nargs; i++) {
        type_t t = call->args[i]->type;
        if (t.id == TY_NULL && func_coerce_arg(call, i, type_make(TY_BOOLEAN), a)) return -1;
        if (t.id != TY_NULL && t.id != TY_BOOLEAN) return func_err_operand_types(call);
    }
    call->type = type_make(TY_BOOLEAN);
    return 0;
}

/* AND: FALSE if any argument is FALSE, else NULL if any is NULL, else TRUE. */
int func_and_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    for (uint32_t i = 0; i < n; i++) out->i64[i] = 1;
    for (int k = 0; k < call->nargs; k++)
        for (uint32_t i = 0; i < n; i++) {
            if (args[k]->nulls[i]) out->nulls[i] = 1;
            else if (!args[k]->i64[i]) out->i64[i] = 0;
        }
    for (uint32_t i = 0; i < n; i++)
        if (!out->i64[i]) out->nulls[i] = 0;
    return 0;
}

/* OR: TRUE if any argument is TRUE, else NULL if any is NULL, else FALSE. */
int func_or_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    for (uint32_t i = 0; i < n; i++) out->i64[i] = 0;
    for (int k = 0; k < call->nargs; k++)
        for (uint32_t i = 0; i < n; i++) {
            if (args[k]->nulls[i]) out->nulls[i] = 1;
            else if (args[k]->i64[i]) out->i64[i] = 1;
        }
    for (uint32_t i = 0; i < n; i++)
        if (out->i64[i]) out->nulls[i] = 0;
    return 0;
}

static int not_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    for (uint32_t i = 0; i < n; i++) out->i64[i] = !args[0]->i64[i];
    return 0;
}

/* ---- IS [NOT] NULL / TRUE / FALSE ---- */

static int check_is_null(expr_t *call, arena_t *a)
{
    if (func_check_arg_count(call)) return -1;
    call->type = type_make(TY_BOOLEAN);
    call->type.not_null = 1;
    return 0;
}

static int check_is_bool(expr_t *call, arena_t *a)
{
    if (check_boolean_args(call, a)) return -1;
    call->type.not_null = 1;
    return 0;
}

enum is_test { IS_NULL, IS_NOT_NULL, IS_TRUE, IS_FALSE, IS_NOT_TRUE, IS_NOT_FALSE };

static int is_eval(vector_t **args, uint32_t n, vector_t *out, enum is_test t)
{
    const uint8_t *nl = args[0]->nulls;
    const int64_t *v = args[0]->i64;
    int64_t *r = out->i64;
    switch (t) {
    case IS_NULL: for (uint32_t i = 0; i < n; i++) r[i] = nl[i] != 0; break;
    case IS_NOT_NULL: for (uint32_t i = 0; i < n; i++) r[i] = nl[i] == 0; break;
    case IS_TRUE: for (uint32_t i = 0; i < n; i++) r[i] = !nl[i] && v[i]; break;
    case IS_FALSE: for (uint32_t i = 0; i < n; i++) r[i] = !nl[i] && !v[i]; break;
    case IS_NOT_TRUE: for (uint32_t i = 0; i < n; i++) r[i] = nl[i] || !v[i]; break;
    case IS_NOT_FALSE: for (uint32_t i = 0; i < n; i++) r[i] = nl[i] || v[i]; break;
    }
    return 0;
}

static int is_null_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return is_eval(a, n, o, IS_NULL); }
static int is_not_null_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return is_eval(a, n, o, IS_NOT_NULL); }
static int is_true_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return is_eval(a, n, o, IS_TRUE); }
static int is_false_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return is_eval(a, n, o, IS_FALSE); }
static int is_not_true_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return is_eval(a, n, o, IS_NOT_TRUE); }
static int is_not_false_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return is_eval(a, n, o, IS_NOT_FALSE); }

/* ======================= IN ======================= */

/* A constant list of more than IN_SORTED_MIN values of one representation is kept sorted
 * for binary search; shorter or mixed lists are compared argument by argument. */
#define IN_SORTED_MIN 8

typedef struct in_list {
    int strings;         /* str_t values, else int64 */
    int has_null;        /* the list contains NULL: "not found" is NULL */
    uint32_t count;
    int64_t *ints;
    str_t *strs;
} in_list;

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_strv(const void *a, const void *b) { return str_cmp(a, b); }

static void in_list_free(void *state)
{
    in_list *l = state;
    free(l->ints);
    free(l->strs);
    free(l);
}

static void compile_in_list(expr_t *call)
{
    int count = call->nargs - 1;
    type_t vt = call->args[0]->type;
    if (count <= IN_SORTED_MIN) return;
    for (int k = 1; k <= count; k++) {
        const expr_t *e = call->args[k];
        if (e->kind != EX_CONST) return;
        enum cmp_kind kind = cmp_kind_of(vt, e->type);
        if (kind != CMP_I64 && kind != CMP_STR) return;
    }
    in_list *l = xcalloc(1, sizeof *l);
    l->strings = vt.id == TY_STRING;
    if (l->strings) l->strs = xmalloc(sizeof *l->strs * (size_t)count);
    else l->ints = xmalloc(sizeof *l->ints * (size_t)count);
    for (int k = 1; k <= count; k++) {
        const value_t *v = &call->args[k]->val;
        if (v->null) { l->has_null = 1; continue; }
        if (l->strings) l->strs[l->count++] = v->s;
        else l->ints[l->count++] = v->i;
    }
    if (l->strings) qsort(l->strs, l->count, sizeof *l->strs, cmp_strv);
    else qsort(l->ints, l->count, sizeof *l->ints, cmp_i64);
    call->state = l;
}

static int check_in(expr_t *call, arena_t *a)
{
    func_reset_state(call);
    if (func_check_arg_count(call) || coerce_for_compare(call, a)) return -1;
    compile_in_list(call);
    return 0;
}

static void in_sorted(const in_list *l, const vector_t *v, uint32_t n, uint8_t *found, uint8_t *saw_null)
{
    for (uint32_t i = 0; i < n; i++) {
        saw_null[i] = (uint8_t)l->has_null;
        if (v->nulls[i]) continue;
        if (l->strings) found[i] = bsearch(&v->str[i], l->strs, l->count, sizeof *l->strs, cmp_strv) != NULL;
        else found[i] = bsearch(&v->i64[i], l->ints, l->count, sizeof *l->ints, cmp_i64) != NULL;
    }
}

/* x IN (list): TRUE when found, else NULL when x or a list element is NULL, else FALSE. */
static int in_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx, int negate)
{
    uint8_t *found = arena_zalloc(ctx->scratch, n), *saw_null = arena_zalloc(ctx->scratch, n);
    if (call->state) {
        in_sorted(call->state, args[0], n, found, saw_null);
    } else {
        int8_t *c = arena_alloc(ctx->scratch, n);
        for (int k = 1; k < call->nargs; k++) {
            func_cmp_vec(args[0], call->args[0]->type, args[k], call->args[k]->type, n, c);
            for (uint32_t i = 0; i < n; i++) {
                if (args[k]->nulls[i]) saw_null[i] = 1;
                else if (c[i] == 0) found[i] = 1;
            }
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        out->nulls[i] = args[0]->nulls[i] || (!found[i] && saw_null[i]);
        out->i64[i] = found[i] ? !negate : negate;
    }
    return 0;
}

static int in_list_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return in_eval(c, a, n, o, x, 0); }
static int not_in_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return in_eval(c, a, n, o, x, 1); }

/* ======================= BETWEEN ======================= */

/* x BETWEEN lo AND hi = x >= lo AND x <= hi, in three-valued logic. */
static int between_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx, int negate)
{
    int8_t *lo = arena_alloc(ctx->scratch, n), *hi = arena_alloc(ctx->scratch, n);
    func_cmp_vec(args[0], call->args[0]->type, args[1], call->args[1]->type, n, lo);
    func_cmp_vec(args[0], call->args[0]->type, args[2], call->args[2]->type, n, hi);
    for (uint32_t i = 0; i < n; i++) {
        int vnull = args[0]->nulls[i];
        int ge_null = vnull || args[1]->nulls[i], le_null = vnull || args[2]->nulls[i];
        int ge = lo[i] == 0 || lo[i] == 1, le = hi[i] == 0 || hi[i] == -1;
        if ((!ge_null && !ge) || (!le_null && !le)) {
            out->i64[i] = negate;                     /* one side is FALSE */
        } else if (ge_null || le_null) {
            out->nulls[i] = 1;
        } else {
            out->i64[i] = !negate;
        }
    }
    return 0;
}

static int between_op_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return between_eval(c, a, n, o, x, 0); }
static int not_between_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return between_eval(c, a, n, o, x, 1); }

/* ======================= LIKE ======================= */

/* A pattern is read as tokens: '%' (any sequence), '_' (one character) or one literal
 * character (an escaped %, _ or escape character, or any other byte). */
typedef struct like_token {
    int kind;                /* '%', '_' or 'L' */
    const char *bytes;       /* literal bytes */
    uint32_t len;
} like_token;

typedef struct like_escape {
    const char *bytes;       /* NULL: no escape character */
    uint32_t len;
} like_escape;

/* Reads the token at *pos; -1 for an escape not followed by %, _ or the escape itself. */
static int like_next(const char *p, uint32_t plen, uint32_t *pos, like_escape esc, like_token *t)
{
    uint32_t i = *pos;
    if (esc.bytes && plen - i >= esc.len && memcmp(p + i, esc.bytes, esc.len) == 0) {
        i += esc.len;
        if (i < plen && (p[i] == '%' || p[i] == '_')) {
            *t = (like_token){'L', p + i, 1};
            *pos = i + 1;
            return 0;
        }
        if (plen - i >= esc.len && i < plen && memcmp(p + i, esc.bytes, esc.len) == 0) {
            *t = (like_token){'L', p + i, esc.len};
            *pos = i + esc.len;
            return 0;
        }
        return -1;
    }
    if (p[i] == '%' || p[i] == '_') *t = (like_token){p[i], NULL, 0};
    else *t = (like_token){'L', p + i, 1};
    *pos = i + 1;
    return 0;
}

/* Position of the first invalid escape, or -1 when the pattern is well formed. */
static int like_invalid_at(const char *p, uint32_t plen, like_escape esc)
{
    like_token t;
    for (uint32_t pos = 0; pos < plen;) {
        uint32_t at = pos;
        if (like_next(p, plen, &pos, esc, &t)) return (int)at;
    }
    return -1;
}

/* Wildcard matching with one backtrack point (the last '%'): O(len(s) * len(p)) worst case.
 * '_' consumes a whole UTF-8 character. The pattern must be well formed. */
static int like_match(const char *s, uint32_t slen, const char *p, uint32_t plen, like_escape esc)
{
    uint32_t si = 0, pi = 0, star_pi = UINT32_MAX, star_si = 0;
    like_token t;
    while (si < slen) {
        if (pi < plen) {
            uint32_t next = pi;
            like_next(p, plen, &next, esc, &t);
            if (t.kind == '%') {
                star_pi = pi = next;
                star_si = si;
                continue;
            }
            if (t.kind == '_') {
                si += utf8_char_len((unsigned char)s[si]);
                if (si > slen) si = slen;
                pi = next;
                continue;
            }
            if (t.len <= slen - si && memcmp(s + si, t.bytes, t.len) == 0) {
                si += t.len;
                pi = next;
                continue;
            }
        }
        if (star_pi == UINT32_MAX) return 0;
        star_si += utf8_char_len((unsigned char)s[star_si]);
        if (star_si > slen) star_si = slen;
        si = star_si;
        pi = star_pi;
    }
    while (pi < plen) {
        like_next(p, plen, &pi, esc, &t);
        if (t.kind != '%') return 0;
    }
    return 1;
}

enum like_kind { LIKE_EXACT, LIKE_PREFIX, LIKE_SUFFIX, LIKE_CONTAINS, LIKE_GENERAL };

/* A constant pattern compiled at bind time: the common shapes 'abc', 'abc%', '%abc' and
 * '%abc%' become a literal compare, anything else runs like_match on the pattern text. */
typedef struct like_pattern {
    enum like_kind kind;
    char *lit;               /* unescaped literal of the fast shapes */
    uint32_t lit_len;
    char *pat;               /* pattern text and escape for LIKE_GENERAL */
    uint32_t pat_len;
    char esc[8];
    uint32_t esc_len;
} like_pattern;

static void like_pattern_free(void *state)
{
    like_pattern *lp = state;
    free(lp->lit);
    free(lp->pat);
    free(lp);
}

static like_pattern *like_compile(const char *p, uint32_t plen, like_escape esc)
{
    like_pattern *lp = xcalloc(1, sizeof *lp);
    lp->lit = xmalloc(plen + 1);
    lp->pat = xmalloc(plen + 1);
    memcpy(lp->pat, p, plen);
    lp->pat_len = plen;
    if (esc.bytes) {
        memcpy(lp->esc, esc.bytes, esc.len);
        lp->esc_len = esc.len;
    }
    int lead = 0, trail = 0, general = 0, lit_done = 0;
    like_token t;
    for (uint32_t pos = 0; pos < plen;) {
        like_next(p, plen, &pos, esc, &t);
        if (t.kind == '_') general = 1;
        else if (t.kind == '%') {
            if (lp->lit_len == 0 && !lit_done) lead = 1;
            else { trail = 1; lit_done = 1; }
        } else if (lit_done) {
            general = 1;
        } else {
            memcpy(lp->lit + lp->lit_len, t.bytes, t.len);
            lp->lit_len += t.len;
        }
    }
    if (general) lp->kind = LIKE_GENERAL;
    else if (lead && trail) lp->kind = LIKE_CONTAINS;
    else if (lead) lp->kind = lp->lit_len ? LIKE_SUFFIX : LIKE_CONTAINS;
    else if (trail) lp->kind = LIKE_PREFIX;
    else lp->kind = LIKE_EXACT;
    return lp;
}

static int like_compiled_match(const like_pattern *lp, const char *s, uint32_t len)
{
    switch (lp->kind) {
    case LIKE_EXACT: return len == lp->lit_len && memcmp(s, lp->lit, len) == 0;
    case LIKE_PREFIX: return len >= lp->lit_len && memcmp(s, lp->lit, lp->lit_len) == 0;
    case LIKE_SUFFIX: return len >= lp->lit_len && memcmp(s + len - lp->lit_len, lp->lit, lp->lit_len) == 0;
    case LIKE_CONTAINS: return lp->lit_len == 0 || memmem(s, len, lp->lit, lp->lit_len) != NULL;
    default: {
        like_escape esc = {lp->esc_len ? lp->esc : NULL, lp->esc_len};
        return like_match(s, len, lp->pat, lp->pat_len, esc);
    }
    }
}

static int invalid_escape_char(span_t sp, const char *e, uint32_t len)
{
    return err_at(sp, "invalid escape character '%.*s': ESCAPE takes exactly one character", (int)len, e);
}

static int invalid_escape_sequence(span_t sp, const char *p, uint32_t len, int at)
{
    return err_at(sp, "invalid escape sequence in LIKE pattern '%.*s' at position %d: the escape character "
                  "must be followed by %%, _ or itself", (int)len, p, at + 1);
}

static int check_like(expr_t *call, arena_t *a)
{
    func_reset_state(call);
    if (func_check_arg_count(call) || func_coerce_strings(call, 0, a)) return -1;
    call->type = type_make(TY_BOOLEAN);
    like_escape esc = {NULL, 0};
    if (call->nargs > 2) {
        if (!func_arg_const(call, 2)) return 0;
        const value_t *e = &call->args[2]->val;
        if (e->null) return 0;
        const char *eb = str_ptr(&e->s);
        if (e->s.len == 0 || utf8_count(eb, e->s.len) != 1) return invalid_escape_char(call->args[2]->span, eb, e->s.len);
        esc = (like_escape){eb, e->s.len};
    }
    if (!func_arg_const(call, 1) || call->args[1]->val.null) return 0;
    const str_t *pat = &call->args[1]->val.s;
    int bad = like_invalid_at(str_ptr(pat), pat->len, esc);
    if (bad >= 0) return invalid_escape_sequence(call->args[1]->span, str_ptr(pat), pat->len, bad);
    call->state = like_compile(str_ptr(pat), pat->len, esc);
    return 0;
}

static int like_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx, int negate)
{
    const like_pattern *lp = call->state;
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        const str_t *s = &args[0]->str[i];
        int m;
        if (lp) {
            m = like_compiled_match(lp, str_ptr(s), s->len);
        } else {
            const str_t *p = &args[1]->str[i];
            like_escape esc = {NULL, 0};
            if (call->nargs > 2) {
                const str_t *e = &args[2]->str[i];
                if (e->len == 0 || utf8_count(str_ptr(e), e->len) != 1)
                    return invalid_escape_char(call->span, str_ptr(e), e->len);
                esc = (like_escape){str_ptr(e), e->len};
            }
            int bad = like_invalid_at(str_ptr(p), p->len, esc);
            if (bad >= 0) return invalid_escape_sequence(call->span, str_ptr(p), p->len, bad);
            m = like_match(str_ptr(s), s->len, str_ptr(p), p->len, esc);
        }
        out->i64[i] = m ^ negate;
    }
    return 0;
}

static int like_op_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return like_eval(c, a, n, o, x, 0); }
static int not_like_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return like_eval(c, a, n, o, x, 1); }

/* ======================= || ======================= */

static int check_concat_op(expr_t *call, arena_t *a)
{
    if (func_check_arg_count(call) || func_coerce_strings(call, 0, a)) return -1;
    call->type = type_make(TY_STRING);
    return 0;
}

/* name, min, max, strict, deterministic, check, eval, free_state */
const func_def func_table_ops[] = {
    {"+", 1, 2, 1, 1, check_arith, add_eval, NULL},
    {"-", 1, 2, 1, 1, check_arith, sub_eval, NULL},
    {"NEGATE", 1, 1, 1, 1, check_negate, sub_eval, NULL},
    {"*", 2, 2, 1, 1, check_arith, mul_eval, NULL},
    {"/", 2, 2, 1, 1, check_arith, div_eval, NULL},
    {"%", 2, 2, 1, 1, check_arith, mod_eval, NULL},
    {"MOD", 2, 2, 1, 1, check_arith, mod_eval, NULL},
    {"=", 2, 2, 1, 1, check_compare, eq_eval, NULL},
    {"<>", 2, 2, 1, 1, check_compare, ne_eval, NULL},
    {"!=", 2, 2, 1, 1, check_compare, ne_eval, NULL},
    {"<", 2, 2, 1, 1, check_compare, lt_eval, NULL},
    {">", 2, 2, 1, 1, check_compare, gt_eval, NULL},
    {"<=", 2, 2, 1, 1, check_compare, le_eval, NULL},
    {">=", 2, 2, 1, 1, check_compare, ge_eval, NULL},
    {"AND", 2, -1, 0, 1, check_boolean_args, func_and_eval, NULL},
    {"OR", 2, -1, 0, 1, check_boolean_args, func_or_eval, NULL},
    {"NOT", 1, 1, 1, 1, check_boolean_args, not_eval, NULL},
    {"IS NULL", 1, 1, 0, 1, check_is_null, is_null_eval, NULL},
    {"IS NOT NULL", 1, 1, 0, 1, check_is_null, is_not_null_eval, NULL},
    {"IS TRUE", 1, 1, 0, 1, check_is_bool, is_true_eval, NULL},
    {"IS FALSE", 1, 1, 0, 1, check_is_bool, is_false_eval, NULL},
    {"IS NOT TRUE", 1, 1, 0, 1, check_is_bool, is_not_true_eval, NULL},
    {"IS NOT FALSE", 1, 1, 0, 1, check_is_bool, is_not_false_eval, NULL},
    {"IN", 2, -1, 0, 1, check_in, in_list_eval, in_list_free},
    {"NOT IN", 2, -1, 0, 1, check_in, not_in_eval, in_list_free},
    {"BETWEEN", 3, 3, 0, 1, check_compare, between_op_eval, NULL},
    {"NOT BETWEEN", 3, 3, 0, 1, check_compare, not_between_eval, NULL},
    {"LIKE", 2, 3, 1, 1, check_like, like_op_eval, like_pattern_free},
    {"NOT LIKE", 2, 3, 1, 1, check_like, not_like_eval, like_pattern_free},
    {"||", 2, 2, 1, 1, check_concat_op, func_concat_eval, NULL},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL},
};
