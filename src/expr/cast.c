/* cast.c - CAST between SQL types, one loop per chunk for each (from, to) pair.
 *
 * Semantics follow Flink 1.17:
 *   - numeric -> numeric: DOUBLE -> INT/BIGINT truncates toward zero and saturates (Java's
 *     (int) d), BIGINT -> INT wraps, DECIMAL rescaling rounds HALF_UP, a DECIMAL that does
 *     not fit its precision becomes NULL; BOOLEAN <-> numeric is 1/0 and x <> 0;
 *   - anything -> STRING uses value_format (TIMESTAMP_LTZ in the session zone); a target
 *     VARCHAR(n) keeps the first n characters;
 *   - STRING -> anything parses the trimmed text (INT/BIGINT accept and drop a fraction
 *     like Flink's toInt, BOOLEAN accepts true/t/yes/y/1 and false/f/no/n/0); text that
 *     does not parse fails the job ("cannot cast 'abc' to INT") unless the cast is a
 *     TRY_CAST or table.exec.legacy-cast-behaviour is enabled, which give NULL;
 *   - TIMESTAMP <-> TIMESTAMP_LTZ and DATE <-> either go through the session zone;
 *     a lower timestamp precision truncates;
 *   - numeric <-> TIMESTAMP / TIMESTAMP_LTZ / DATE is not allowed (Flink removed it in
 *     1.14/1.15; TO_TIMESTAMP_LTZ and UNIX_TIMESTAMP are the functions for it). */
#include "expr/func_internal.h"
#include "base/civil.h"
#include "base/util.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct cast_job {
    const vector_t *in;
    vector_t *out;
    uint32_t n;
    int safe;
    span_t sp;
    eval_ctx *ctx;
} cast_job;

static _Thread_local sb_t cast_text;      /* formatting buffer, reused for every row */

static int is_numeric_id(type_id id) { return id == TY_INT || id == TY_BIGINT || id == TY_DOUBLE || id == TY_DECIMAL; }
static int is_datetime_id(type_id id) { return id == TY_DATE || id == TY_TIMESTAMP || id == TY_TIMESTAMP_LTZ; }

int cast_allowed(type_t from, type_t to)
{
    type_id f = from.id, t = to.id;
    if (f == t || f == TY_NULL || t == TY_STRING) return 1;
    if (f == TY_STRING) return t == TY_BOOLEAN || is_numeric_id(t) || is_datetime_id(t);
    if ((is_numeric_id(f) || f == TY_BOOLEAN) && (is_numeric_id(t) || t == TY_BOOLEAN)) return 1;
    if (is_datetime_id(f) && is_datetime_id(t)) return 1;
    return 0;
}

static int legacy_cast_enabled(const eval_ctx *ctx)
{
    if (!ctx || !ctx->exec) return 0;
    for (int i = ctx->exec->nconfig - 1; i >= 0; i--)
        if (str_ieq(ctx->exec->config[i].key, "table.exec.legacy-cast-behaviour"))
            return str_ieq(ctx->exec->config[i].value, "enabled") || str_ieq(ctx->exec->config[i].value, "true");
    return 0;
}

static void set_null(vector_t *out, uint32_t i)
{
    out->nulls[i] = 1;
    if (type_phys(out->type) == PHYS_STR) memset(&out->str[i], 0, sizeof(str_t));
    else out->i64[i] = 0;
}

/* A string that does not parse as the target type. */
static int cast_fail(const cast_job *job, uint32_t i)
{
    if (job->safe) { set_null(job->out, i); return 0; }
    const str_t *s = &job->in->str[i];
    char tb[TYPE_NAME_CAP];
    int shown = s->len > 80 ? 80 : (int)s->len;
    err_at(job->sp, "cannot cast '%.*s%s' to %s", shown, str_ptr(s), s->len > 80 ? "..." : "",
           func_type_name(job->out->type, tb));
    err_note("TRY_CAST returns NULL for values that cannot be cast");
    return -1;
}

/* ---- string parsing ---- */

static const char *trimmed(const str_t *s, uint32_t *len)
{
    const char *p = str_ptr(s);
    uint32_t n = s->len;
    while (n && isspace((unsigned char)*p)) { p++; n--; }
    while (n && isspace((unsigned char)p[n - 1])) n--;
    *len = n;
    return p;
}

/* Flink's BinaryStringDataUtil.toLong: [+-]digits[.digits], the fraction dropped. */
static int parse_integral(const char *p, uint32_t len, int64_t lo, int64_t hi, int64_t *out)
{
    uint32_t i = 0;
    int neg = 0;
    if (len && (p[0] == '-' || p[0] == '+')) { neg = p[0] == '-'; i = 1; }
    if (i == len) return -1;
    uint64_t limit = neg ? (uint64_t)0 - (uint64_t)lo : (uint64_t)hi;
    uint64_t v = 0;
    for (; i < len && p[i] != '.'; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        uint64_t d = (uint64_t)(p[i] - '0');
        if (v > (limit - d) / 10) return -1;
        v = v * 10 + d;
    }
    if (i < len)
        for (i++; i < len; i++)
            if (p[i] < '0' || p[i] > '9') return -1;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

/* Java's Double.parseDouble: decimal or exponent forms, NaN, [+-]Infinity, a d/f suffix. */
static int parse_java_double(const char *p, uint32_t len, double *out)
{
    char buf[128];
    if (!len || len >= sizeof buf) return -1;
    memcpy(buf, p, len);
    buf[len] = 0;
    if (len > 1 && strchr("dDfF", buf[len - 1]) && (isdigit((unsigned char)buf[len - 2]) || buf[len - 2] == '.'))
        buf[--len] = 0;
    const char *body = buf + (buf[0] == '+' || buf[0] == '-');
    if (strcmp(body, "NaN") == 0) { *out = NAN; return 0; }
    if (strcmp(body, "Infinity") == 0) { *out = buf[0] == '-' ? -INFINITY : INFINITY; return 0; }
    for (const char *q = body; *q; q++)
        if (!isdigit((unsigned char)*q) && !strchr(".eE+-", *q)) return -1;
    char *end;
    *out = strtod(buf, &end);
    return *end || end == buf ? -1 : 0;
}

static int parse_bool(const char *p, uint32_t len, int64_t *out)
{
    static const char *const yes[] = {"true", "t", "yes", "y", "1"};
    static const char *const no[] = {"false", "f", "no", "n", "0"};
    for (size_t k = 0; k < ARRAY_LEN(yes); k++) {
        if (len == strlen(yes[k]) && str_ieqn(p, yes[k], len)) { *out = 1; return 0; }
        if (len == strlen(no[k]) && str_ieqn(p, no[k], len)) { *out = 0; return 0; }
    }
    return -1;
}

/* ---- helpers for the numeric loops ---- */

static int32_t wrap32(int64_t v) { return (int32_t)(uint32_t)(uint64_t)v; }

static int64_t java_d2i(double d)
{
    if (isnan(d)) return 0;
    if (d >= 2147483647.0) return INT32_MAX;
    if (d <= -2147483648.0) return INT32_MIN;
    return (int64_t)d;
}

static int64_t java_d2l(double d)
{
    if (isnan(d)) return 0;
    if (d >= 9223372036854775807.0) return INT64_MAX;
    if (d <= -9223372036854775808.0) return INT64_MIN;
    return (int64_t)d;
}

static int64_t truncate_precision(int64_t us, int precision)
{
    if (precision >= 6) return us;
    int64_t unit = pow10_i64(6 - precision);
    return floor_div(us, unit) * unit;
}

/* ---- targets ---- */

static int cast_to_boolean(cast_job *job)
{
    const vector_t *in = job->in;
    vector_t *out = job->out;
    type_id f = in->type.id;
    for (uint32_t i = 0; i < job->n; i++) {
        if (out->nulls[i]) continue;
        if (f == TY_DOUBLE) out->i64[i] = in->f64[i] != 0;
        else if (f == TY_STRING) {
            uint32_t len;
            const char *p = trimmed(&in->str[i], &len);
            if (parse_bool(p, len, &out->i64[i]) && cast_fail(job, i)) return -1;
        } else out->i64[i] = in->i64[i] != 0;
    }
    return 0;
}

static int cast_to_integer(cast_job *job)
{
    const vector_t *in = job->in;
    vector_t *out = job->out;
    int to_int = out->type.id == TY_INT;
    type_id f = in->type.id;
    int64_t div = f == TY_DECIMAL ? pow10_i64(in->type.scale) : 1;
    for (uint32_t i = 0; i < job->n; i++) {
        if (out->nulls[i]) continue;
        int64_t v;
        if (f == TY_DOUBLE) v = to_int ? java_d2i(in->f64[i]) : java_d2l(in->f64[i]);
        else if (f == TY_STRING) {
            uint32_t len;
            const char *p = trimmed(&in->str[i], &len);
            if (parse_integral(p, len, to_int ? INT32_MIN : INT64_MIN, to_int ? INT32_MAX : INT64_MAX, &v)) {
                if (cast_fail(job, i)) return -1;
                continue;
            }
        } else v = in->i64[i] / div;
        out->i64[i] = to_int ? wrap32(v) : v;
    }
    return 0;
}

static int cast_to_double(cast_job *job)
{
    const vector_t *in = job->in;
    vector_t *out = job->out;
    type_id f = in->type.id;
    double div = f == TY_DECIMAL ? (double)pow10_i64(in->type.scale) : 1.0;
    for (uint32_t i = 0; i < job->n; i++) {
        if (out->nulls[i]) continue;
        if (f == TY_STRING) {
            uint32_t len;
            const char *p = trimmed(&in->str[i], &len);
            if (parse_java_double(p, len, &out->f64[i]) && cast_fail(job, i)) return -1;
        } else if (f == TY_DECIMAL) {
            out->f64[i] = (double)in->i64[i] / div;
        } else if (f == TY_DOUBLE) {
            out->f64[i] = in->f64[i];
        } else {
            out->f64[i] = (double)in->i64[i];
        }
    }
    return 0;
}

static int cast_to_decimal(cast_job *job)
{
    const vector_t *in = job->in;
    vector_t *out = job->out;
    type_id f = in->type.id;
    int scale = out->type.scale, precision = out->type.precision;
    int from_scale = f == TY_DECIMAL ? in->type.scale : 0;
    for (uint32_t i = 0; i < job->n; i++) {
        if (out->nulls[i]) continue;
        i128 v;
        int bad;
        if (f == TY_DOUBLE) {
            bad = dec_from_double(in->f64[i], scale, &v);
        } else if (f == TY_STRING) {
            uint32_t len;
            const char *p = trimmed(&in->str[i], &len);
            int64_t parsed;
            if (parse_decimal_scaled(p, len, scale, &parsed) || !dec_fits(parsed, precision)) {
                if (cast_fail(job, i)) return -1;
                continue;
            }
            v = parsed;
            bad = 0;
        } else {
            bad = dec_rescale(in->i64[i], from_scale, scale, &v);
        }
        if (bad || !dec_fits(v, precision)) set_null(out, i);
        else out->i64[i] = (int64_t)v;
    }
    return 0;
}

/* Decimal digits of v written backwards ending at `end`; returns the first character. */
static const char *format_integer(int64_t v, char *end, uint32_t *len)
{
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *p = end;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--p = '-';
    *len = (uint32_t)(end - p);
    return p;
}

/* VARCHAR(n): keep the first n characters. */
static uint32_t clip_length(const char *p, uint32_t len, int32_t max_chars)
{
    if (max_chars < 0 || len <= (uint32_t)max_chars) return len;
    return utf8_offset(p, len, (uint64_t)max_chars);
}

static int cast_to_string(cast_job *job)
{
    const vector_t *in = job->in;
    vector_t *out = job->out;
    type_t from = in->type;
    const tz_t *tz = from.id == TY_TIMESTAMP_LTZ ? func_session_tz(job->ctx) : NULL;
    type_t as_ts = type_timestamp(TY_TIMESTAMP, from.precision);
    int32_t max_chars = out->type.length;
    for (uint32_t i = 0; i < job->n; i++) {
        if (out->nulls[i]) continue;
        if (from.id == TY_STRING) {
            const str_t *s = &in->str[i];
            const char *p = str_ptr(s);
            out->str[i] = func_out_str(job->ctx, p, clip_length(p, s->len, max_chars));
            continue;
        }
        char digits[24];
        const char *text;
        uint32_t len;
        if (from.id == TY_INT || from.id == TY_BIGINT) {
            text = format_integer(in->i64[i], digits + sizeof digits, &len);
        } else {
            value_t v;
            vector_get(in, i, &v);
            sb_clear(&cast_text);
            if (tz) {
                v.i = tz_utc_to_local(tz, v.i);
                value_format(as_ts, &v, &cast_text);
            } else {
                value_format(from, &v, &cast_text);
            }
            text = sb_str(&cast_text);
            len = (uint32_t)cast_text.len;
        }
        out->str[i] = func_out_str(job->ctx, text, clip_length(text, len, max_chars));
    }
    return 0;
}

static int cast_to_date(cast_job *job)
{
    const vector_t *in = job->in;
    vector_t *out = job->out;
    type_id f = in->type.id;
    const tz_t *tz = func_session_tz(job->ctx);
    for (uint32_t i = 0; i < job->n; i++) {
        if (out->nulls[i]) continue;
        int64_t v = in->i64[i];
        if (f == TY_STRING) {
            uint32_t len;
            const char *p = trimmed(&in->str[i], &len);
            value_t parsed;
            if (value_parse(type_make(TY_DATE), p, len, &parsed, NULL) == 0) {
                out->i64[i] = parsed.i;
            } else if (value_parse(type_make(TY_TIMESTAMP), p, len, &parsed, NULL) == 0) {
                out->i64[i] = floor_div(parsed.i, US_PER_DAY);
            } else if (cast_fail(job, i)) {
                return -1;
            }
            continue;
        }
        if (f == TY_TIMESTAMP_LTZ) v = tz_utc_to_local(tz, v);
        out->i64[i] = f == TY_DATE ? v : floor_div(v, US_PER_DAY);
    }
    return 0;
}

static int ends_with_zulu(const char *p, uint32_t len) { return len && (p[len - 1] == 'Z' || p[len - 1] == 'z'); }

static int cast_to_timestamp(cast_job *job)
{
    const vector_t *in = job->in;
    vector_t *out = job->out;
    type_id f = in->type.id, t = out->type.id;
    const tz_t *tz = func_session_tz(job->ctx);
    int precision = out->type.precision;
    for (uint32_t i = 0; i < job->n; i++) {
        if (out->nulls[i]) continue;
        int64_t v = in->i64[i];
        if (f == TY_STRING) {
            uint32_t len;
            const char *p = trimmed(&in->str[i], &len);
            value_t parsed;
            if (value_parse(type_make(TY_TIMESTAMP), p, len, &parsed, NULL)) {
                if (cast_fail(job, i)) return -1;
                continue;
            }
            v = parsed.i;
            if (t == TY_TIMESTAMP_LTZ && !ends_with_zulu(p, len)) v = tz_local_to_utc(tz, v);
        } else if (f == TY_DATE) {
            v *= US_PER_DAY;
            if (t == TY_TIMESTAMP_LTZ) v = tz_local_to_utc(tz, v);
        } else if (f != t) {
            v = t == TY_TIMESTAMP_LTZ ? tz_local_to_utc(tz, v) : tz_utc_to_local(tz, v);
        }
        out->i64[i] = truncate_precision(v, precision);
    }
    return 0;
}

static int cast_copy(cast_job *job)
{
    size_t width = type_phys(job->out->type) == PHYS_STR ? sizeof(str_t) : 8;
    for (uint32_t i = 0; i < job->n; i++)
        if (!job->out->nulls[i]) memcpy((char *)job->out->data + i * width, (const char *)job->in->data + i * width, width);
    return 0;
}

int cast_vector_masked(const vector_t *in, uint32_t n, vector_t *out, int safe, span_t sp, eval_ctx *ctx,
                       const uint8_t *active)
{
    cast_job job = {in, out, n, safe || legacy_cast_enabled(ctx), sp, ctx};
    type_t from = in->type, to = out->type;
    for (uint32_t i = 0; i < n; i++) {
        out->nulls[i] = in->nulls[i] || (active && !active[i]) || from.id == TY_NULL;
        if (out->nulls[i]) set_null(out, i);
    }
    if (from.id == TY_NULL) return 0;
    if (!cast_allowed(from, to)) {
        char fb[TYPE_NAME_CAP], tb[TYPE_NAME_CAP];
        return err_at(sp, "cannot cast %s to %s", func_type_name(from, fb), func_type_name(to, tb));
    }
    switch (to.id) {
    case TY_BOOLEAN: return cast_to_boolean(&job);
    case TY_INT:
    case TY_BIGINT: return cast_to_integer(&job);
    case TY_DOUBLE: return cast_to_double(&job);
    case TY_DECIMAL: return cast_to_decimal(&job);
    case TY_STRING: return cast_to_string(&job);
    case TY_DATE: return cast_to_date(&job);
    case TY_TIMESTAMP:
    case TY_TIMESTAMP_LTZ: return cast_to_timestamp(&job);
    default: return cast_copy(&job);
    }
}

int cast_vector(const vector_t *in, uint32_t n, vector_t *out, int safe, span_t sp, eval_ctx *ctx)
{
    return cast_vector_masked(in, n, out, safe, sp, ctx, NULL);
}
