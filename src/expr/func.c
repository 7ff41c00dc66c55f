/* func.c - the function registry (lookup over the four func_table_* tables) and the helpers
 * the function files share: argument coercion and type rules at bind time, scratch vectors,
 * 128-bit decimal arithmetic, UTF-8 positions. */
#include "expr/func_internal.h"
#include "base/util.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- registry ---- */

static const func_def *const func_tables[] = {
    func_table_ops, func_table_string, func_table_misc, func_table_time,
};

const func_def *func_lookup(const char *name)
{
    if (!name) return NULL;
    for (size_t t = 0; t < ARRAY_LEN(func_tables); t++)
        for (const func_def *f = func_tables[t]; f->name; f++)
            if (str_ieq(f->name, name)) return f;
    return NULL;
}

int func_names(const char ***names)
{
    static const char **all;
    static int count;
    if (!all) {
        int n = 0;
        for (size_t t = 0; t < ARRAY_LEN(func_tables); t++)
            for (const func_def *f = func_tables[t]; f->name; f++) n++;
        const char **list = xmalloc(sizeof *list * (size_t)(n ? n : 1));
        n = 0;
        for (size_t t = 0; t < ARRAY_LEN(func_tables); t++)
            for (const func_def *f = func_tables[t]; f->name; f++) list[n++] = f->name;
        all = list;
        count = n;
    }
    *names = all;
    return count;
}

/* ---- bind time ---- */

const char *func_type_name(type_t t, char *buf)
{
    t.not_null = 0;
    t.attr = TA_NONE;
    return type_name(t, buf, TYPE_NAME_CAP);
}

/* Casts whose result depends on the session zone are not folded at bind time: the zone
 * may be set after binding. */
static int cast_uses_zone(type_t from, type_t to)
{
    return from.id == TY_TIMESTAMP_LTZ || to.id == TY_TIMESTAMP_LTZ;
}

static int fold_const_cast(expr_t *arg, type_t to, arena_t *a, expr_t **out)
{
    uint8_t in_null = arg->val.null, out_null = 0;
    value_t in_val = arg->val, out_val;
    memset(&out_val, 0, sizeof out_val);
    vector_t in = {.type = arg->type, .cap = 1, .nulls = &in_null, .data = &in_val.i};
    vector_t res = {.type = to, .cap = 1, .nulls = &out_null, .data = &out_val.i};
    if (type_phys(arg->type) == PHYS_STR) in.data = &in_val.s;
    if (type_phys(to) == PHYS_STR) res.data = &out_val.s;
    eval_ctx ctx = {.exec = NULL, .arena = a, .scratch = a};
    if (cast_vector(&in, 1, &res, 0, arg->span, &ctx)) return -1;
    out_val.null = out_null;               /* long string results are already in `a` */
    *out = expr_const(a, to, out_val, arg->span);
    return 0;
}

int func_coerce_arg(expr_t *call, int i, type_t to, arena_t *a)
{
    expr_t *arg = call->args[i];
    to.attr = TA_NONE;
    to.not_null = 0;
    if (type_equal(arg->type, to)) return 0;
    if (arg->type.id == TY_NULL && arg->kind == EX_CONST) {
        arg->type = to;
        arg->val = value_null();
        return 0;
    }
    if (!cast_allowed(arg->type, to)) {
        char fb[TYPE_NAME_CAP], tb[TYPE_NAME_CAP];
        return err_at(arg->span, "cannot convert %s to %s for '%s'", func_type_name(arg->type, fb),
                      func_type_name(to, tb), call->kind == EX_CALL ? call->fn->name : "CASE");
    }
    if (arg->kind == EX_CONST && !cast_uses_zone(arg->type, to))
        return fold_const_cast(arg, to, a, &call->args[i]);
    call->args[i] = expr_cast(a, arg, to, arg->span);
    return 0;
}

int func_coerce_strings(expr_t *call, int first, arena_t *a)
{
    for (int i = first; i < call->nargs; i++)
        if (call->args[i]->type.id != TY_STRING && func_coerce_arg(call, i, type_make(TY_STRING), a)) return -1;
    return 0;
}

int func_err_operand_types(const expr_t *call)
{
    sb_t sb = {0};
    char buf[TYPE_NAME_CAP];
    for (int i = 0; i < call->nargs; i++) {
        if (i > 0) sb_puts(&sb, i == call->nargs - 1 ? " and " : ", ");
        sb_puts(&sb, func_type_name(call->args[i]->type, buf));
    }
    err_at(call->span, "cannot apply '%s' to %s", call->fn->name, call->nargs ? sb_str(&sb) : "no arguments");
    sb_free(&sb);
    return -1;
}

int func_check_arg_count(const expr_t *call)
{
    const func_def *f = call->fn;
    int n = call->nargs;
    if (n >= f->min_args && (f->max_args < 0 || n <= f->max_args)) return 0;
    if (f->max_args < 0)
        return err_at(call->span, "%s takes at least %d argument%s, got %d", f->name, f->min_args,
                      f->min_args == 1 ? "" : "s", n);
    if (f->min_args == f->max_args)
        return err_at(call->span, "%s takes %d argument%s, got %d", f->name, f->min_args,
                      f->min_args == 1 ? "" : "s", n);
    if (f->max_args == f->min_args + 1)
        return err_at(call->span, "%s takes %d or %d arguments, got %d", f->name, f->min_args, f->max_args, n);
    return err_at(call->span, "%s takes %d to %d arguments, got %d", f->name, f->min_args, f->max_args, n);
}

static int is_datetime(type_t t) { return t.id == TY_DATE || type_is_timestamp(t); }

int func_compare_type(type_t a, type_t b, type_t *out)
{
    a.attr = b.attr = TA_NONE;
    a.not_null = b.not_null = 0;
    if (a.id == TY_NULL && b.id == TY_NULL) { *out = type_make(TY_BIGINT); return 1; }
    if (a.id == TY_NULL) { *out = b; return 1; }
    if (b.id == TY_NULL) { *out = a; return 1; }
    if (type_is_numeric(a) && type_is_numeric(b)) return type_common(a, b, out);
    if (a.id == TY_STRING && b.id == TY_STRING) { *out = type_make(TY_STRING); return 1; }
    if (a.id == TY_STRING || b.id == TY_STRING) {
        type_t other = a.id == TY_STRING ? b : a;
        if (other.id == TY_BOOLEAN || type_is_numeric(other) || is_datetime(other)) { *out = other; return 1; }
        return 0;
    }
    if (a.id == TY_BOOLEAN && b.id == TY_BOOLEAN) { *out = a; return 1; }
    if (is_datetime(a) && is_datetime(b)) return type_common(a, b, out);
    if (a.id == b.id && (a.id == TY_INTERVAL_DT || a.id == TY_INTERVAL_YM)) { *out = a; return 1; }
    return 0;
}

static int shares_decimal_repr(type_t t) { return t.id == TY_INT || t.id == TY_BIGINT || t.id == TY_DECIMAL; }

int func_compare_needs_cast(type_t from, type_t to)
{
    if (from.id == to.id) return 0;
    if (shares_decimal_repr(from) && shares_decimal_repr(to)) return 0;
    return 1;
}

int func_common_arg_type(expr_t *call, int first, type_t *out)
{
    type_t t = type_make(TY_NULL);
    for (int i = first; i < call->nargs; i++) {
        type_t next;
        if (!type_common(t, call->args[i]->type, &next)) {
            char ab[TYPE_NAME_CAP], bb[TYPE_NAME_CAP];
            return err_at(call->span, "%s has no common type for its arguments: %s and %s", call->fn->name,
                          func_type_name(t, ab), func_type_name(call->args[i]->type, bb));
        }
        t = next;
    }
    t.attr = TA_NONE;
    t.not_null = 0;
    *out = t;
    return 0;
}

type_t func_decimal_adjust(int precision, int scale)
{
    if (precision <= DEC_MAX_PRECISION) return type_decimal(precision < 1 ? 1 : precision, scale);
    int digits = precision - scale;
    int min_scale = scale < 6 ? scale : 6;
    int adjusted = DEC_MAX_PRECISION - digits > min_scale ? DEC_MAX_PRECISION - digits : min_scale;
    return type_decimal(DEC_MAX_PRECISION, adjusted);
}

int func_decimal_precision(type_t t)
{
    if (t.id == TY_INT) return 10;
    if (t.id == TY_BIGINT) return 19;
    return t.precision;
}

/* ---- evaluation time ---- */

vector_t *func_tmp_vector(eval_ctx *ctx, type_t t, uint32_t n)
{
    vector_t *v = arena_alloc(ctx->scratch, sizeof *v);
    v->type = t;
    v->cap = n;
    v->nulls = arena_zalloc(ctx->scratch, n);
    v->data = arena_zalloc(ctx->scratch, (size_t)n * (type_phys(t) == PHYS_STR ? sizeof(str_t) : 8));
    return v;
}

const tz_t *func_session_tz(const eval_ctx *ctx)
{
    if (ctx && ctx->exec && ctx->exec->local_tz) return ctx->exec->local_tz;
    return value_session_tz();
}

/* ---- decimals ---- */

#define I128_MAX ((i128)(((unsigned __int128)1 << 127) - 1))

i128 dec_pow10(int n)
{
    if (n <= 18) return pow10_i64(n);
    i128 p = pow10_i64(18);
    for (int i = 18; i < n && i < 38; i++) p *= 10;
    return p;
}

int dec_rescale(i128 v, int from, int to, i128 *out)
{
    if (to == from) { *out = v; return 0; }
    if (to > from) {
        if (to - from > 38) return v == 0 ? (*out = 0, 0) : -1;
        i128 m = dec_pow10(to - from);
        i128 av = v < 0 ? -v : v;
        if (av > I128_MAX / m) return -1;
        *out = v * m;
        return 0;
    }
    if (from - to > 38) { *out = 0; return 0; }
    i128 d = dec_pow10(from - to);
    i128 q = v / d, r = v % d;
    if (r < 0) r = -r;
    if (r * 2 >= d) q += v < 0 ? -1 : 1;
    *out = q;
    return 0;
}

/* Shortest digits of d that read back as d: digits without a point and the exponent of
 * the first digit (d = 0.d1d2... * 10^(exp10 + 1)). */
static int shortest_digits(double d, char *digits, int *exp10)
{
    char buf[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
        if (strtod(buf, NULL) == d) break;
    }
    const char *p = buf;
    if (*p == '-') p++;
    int n = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.') digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0') n--;
    digits[n] = 0;
    *exp10 = atoi(p + 1);
    return n;
}

static int dec_from_digits(const char *digits, int ndigits, int exp10, int scale, int neg, i128 *out)
{
    int before = exp10 + 1 + scale;          /* digits left of the scaled point */
    if (before > 37) return -1;
    i128 v = 0;
    for (int i = 0; i < before; i++) v = v * 10 + (i < ndigits ? digits[i] - '0' : 0);
    if (before >= 0 && before < ndigits && digits[before] >= '5') v += 1;
    *out = neg ? -v : v;
    return 0;
}

int dec_from_double(double d, int scale, i128 *out)
{
    if (!isfinite(d)) return -1;
    double x = scale >= 0 ? d * (double)pow10_i64(scale) : d / (double)pow10_i64(-scale);
    double ax = fabs(x);
    if (ax < 1099511627776.0) {              /* 2^40: the fraction of x is still meaningful */
        double fl = floor(x), frac = x - fl;
        double margin = ax * 0x1p-50 + 0x1p-60;
        if (fabs(frac - 0.5) > margin) {
            i128 v = (i128)fl + (frac > 0.5 ? 1 : 0);
            *out = v;
            return 0;
        }
    } else if (ax >= 1e36) {
        return -1;
    }
    char digits[40];
    int exp10;
    int nd = shortest_digits(d, digits, &exp10);
    if (d == 0) { *out = 0; return 0; }
    return dec_from_digits(digits, nd, exp10, scale, d < 0, out);
}

/* ---- UTF-8 ---- */

uint32_t utf8_offset(const char *p, uint32_t len, uint64_t k)
{
    uint32_t i = 0;
    while (k && i < len) {
        i += utf8_char_len((unsigned char)p[i]);
        k--;
    }
    return i < len ? i : len;
}

uint32_t utf8_count(const char *p, uint32_t len)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < len; i++) n += ((unsigned char)p[i] & 0xC0) != 0x80;
    return n;
}
