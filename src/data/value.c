/* value.c - scalar values: ordering, text forms (CAST style and print style) and parsing. */
#include "data/value.h"
#include "base/civil.h"
#include "base/util.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const tz_t *session_tz;

void value_set_session_tz(const tz_t *tz) { session_tz = tz; }

const tz_t *value_session_tz(void)
{
    if (!session_tz) session_tz = tz_get("UTC", NULL, 0);
    return session_tz;
}

int value_cmp(type_t t, const value_t *a, const value_t *b)
{
    switch (type_phys(t)) {
    case PHYS_I64: return (a->i > b->i) - (a->i < b->i);
    case PHYS_F64: return (a->f > b->f) - (a->f < b->f);
    default: return str_cmp(&a->s, &b->s);
    }
}

void format_java_double(double d, sb_t *out)
{
    if (isnan(d)) { sb_puts(out, "NaN"); return; }
    if (isinf(d)) { sb_puts(out, d > 0 ? "Infinity" : "-Infinity"); return; }
    if (d == 0) { sb_puts(out, signbit(d) ? "-0.0" : "0.0"); return; }
    /* Shortest digits that round-trip. */
    char digits[40];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(digits, sizeof digits, "%.*e", prec - 1, d);
        if (strtod(digits, NULL) == d) break;
    }
    /* digits = [-]d.ddde[+-]xx */
    const char *p = digits;
    int neg = 0;
    if (*p == '-') { neg = 1; p++; }
    char mant[32];
    int nm = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.') mant[nm++] = *p;
    mant[nm] = 0;
    int exp10 = atoi(p + 1);
    while (nm > 1 && mant[nm - 1] == '0') mant[--nm] = 0;
    if (neg) sb_putc(out, '-');
    double ad = fabs(d);
    if (ad >= 1e-3 && ad < 1e7) {
        if (exp10 >= 0) {
            for (int i = 0; i <= exp10; i++) sb_putc(out, i < nm ? mant[i] : '0');
            sb_putc(out, '.');
            if (nm > exp10 + 1) sb_append(out, mant + exp10 + 1, (size_t)(nm - exp10 - 1));
            else sb_putc(out, '0');
        } else {
            sb_puts(out, "0.");
            for (int i = 0; i < -exp10 - 1; i++) sb_putc(out, '0');
            sb_append(out, mant, (size_t)nm);
        }
    } else {
        sb_putc(out, mant[0]);
        sb_putc(out, '.');
        if (nm > 1) sb_append(out, mant + 1, (size_t)(nm - 1));
        else sb_putc(out, '0');
        sb_printf(out, "E%d", exp10);
    }
}

static void format_decimal(int64_t v, int scale, sb_t *out)
{
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    if (v < 0) sb_putc(out, '-');
    if (scale == 0) { sb_printf(out, "%llu", (unsigned long long)u); return; }
    uint64_t p = (uint64_t)pow10_i64(scale);
    sb_printf(out, "%llu.%0*llu", (unsigned long long)(u / p), scale, (unsigned long long)(u % p));
}

static void format_date(int64_t days, sb_t *out)
{
    int64_t y; int m, d;
    civil_from_days(days, &y, &m, &d);
    sb_printf(out, "%04lld-%02d-%02d", (long long)y, m, d);
}

/* "yyyy-MM-dd HH:mm:ss" plus `precision` fraction digits. */
static void format_ts_sql(int64_t us, int precision, sb_t *out)
{
    civil_t c;
    civil_from_us(us, &c);
    sb_printf(out, "%04lld-%02d-%02d %02d:%02d:%02d", (long long)c.year, c.month, c.day, c.hour, c.minute, c.second);
    if (precision > 0) {
        char frac[16];
        snprintf(frac, sizeof frac, "%06d000", c.micros);
        sb_putc(out, '.');
        sb_append(out, frac, (size_t)(precision > 9 ? 9 : precision));
    }
}

/* java.time LocalDateTime.toString: seconds and fraction only when non-zero. */
static void format_ts_iso(int64_t us, int always_seconds, sb_t *out)
{
    civil_t c;
    civil_from_us(us, &c);
    sb_printf(out, "%04lld-%02d-%02dT%02d:%02d", (long long)c.year, c.month, c.day, c.hour, c.minute);
    if (always_seconds || c.second || c.micros) {
        sb_printf(out, ":%02d", c.second);
        if (c.micros) {
            if (c.micros % 1000 == 0) sb_printf(out, ".%03d", c.micros / 1000);
            else sb_printf(out, ".%06d", c.micros);
        }
    }
}

static void format_interval_dt(int64_t us, sb_t *out)
{
    uint64_t u = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
    uint64_t ms = u / 1000;
    sb_printf(out, "%c%llu %02llu:%02llu:%02llu.%03llu", us < 0 ? '-' : '+',
              (unsigned long long)(ms / 86400000ULL), (unsigned long long)(ms / 3600000ULL % 24),
              (unsigned long long)(ms / 60000ULL % 60), (unsigned long long)(ms / 1000ULL % 60),
              (unsigned long long)(ms % 1000));
}

void value_format(type_t t, const value_t *v, sb_t *out)
{
    if (v->null) { sb_puts(out, "NULL"); return; }
    switch (t.id) {
    case TY_BOOLEAN: sb_puts(out, v->i ? "TRUE" : "FALSE"); break;
    case TY_INT: case TY_BIGINT: sb_printf(out, "%lld", (long long)v->i); break;
    case TY_DOUBLE: format_java_double(v->f, out); break;
    case TY_DECIMAL: format_decimal(v->i, t.scale, out); break;
    case TY_STRING: sb_append(out, str_ptr(&v->s), v->s.len); break;
    case TY_DATE: format_date(v->i, out); break;
    case TY_TIMESTAMP: format_ts_sql(v->i, t.precision, out); break;
    case TY_TIMESTAMP_LTZ: format_ts_sql(tz_utc_to_local(value_session_tz(), v->i), t.precision, out); break;
    case TY_INTERVAL_DT: format_interval_dt(v->i, out); break;
    case TY_INTERVAL_YM: {
        int64_t m = v->i < 0 ? -v->i : v->i;
        sb_printf(out, "%c%lld-%02lld", v->i < 0 ? '-' : '+', (long long)(m / 12), (long long)(m % 12));
        break;
    }
    default: sb_puts(out, "?"); break;
    }
}

void value_format_print(type_t t, const value_t *v, sb_t *out)
{
    if (v->null) { sb_puts(out, "null"); return; }
    switch (t.id) {
    case TY_BOOLEAN: sb_puts(out, v->i ? "true" : "false"); break;
    case TY_TIMESTAMP: format_ts_iso(v->i, 0, out); break;
    case TY_TIMESTAMP_LTZ: format_ts_iso(v->i, 1, out); sb_putc(out, 'Z'); break;
    default: value_format(t, v, out); break;
    }
}

/* ---- parsing ---- */

static void trim(const char **s, size_t *len)
{
    while (*len && isspace((unsigned char)**s)) { (*s)++; (*len)--; }
    while (*len && isspace((unsigned char)(*s)[*len - 1])) (*len)--;
}

static int parse_i64(const char *s, size_t len, int64_t *out)
{
    if (!len) return -1;
    size_t i = 0;
    int neg = 0;
    if (s[0] == '-' || s[0] == '+') { neg = s[0] == '-'; i = 1; }
    if (i == len) return -1;
    uint64_t v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_C(9223372036854775808) - d) / 10) return -1;
        v = v * 10 + d;
    }
    if (!neg && v > INT64_MAX) return -1;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

/* Digits with an optional fraction into a value scaled by 10^scale, rounding half up. */
int parse_decimal_scaled(const char *s, size_t len, int scale, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    if (len && (s[0] == '-' || s[0] == '+')) { neg = s[0] == '-'; i = 1; }
    __int128 v = 0;
    int digits = 0, frac = 0, seen_dot = 0, round_up = 0;
    for (; i < len; i++) {
        char ch = s[i];
        if (ch == '.') { if (seen_dot) return -1; seen_dot = 1; continue; }
        if (ch == 'e' || ch == 'E') {
            /* Exponent form: fall back to double. */
            char buf[64];
            if (len >= sizeof buf) return -1;
            memcpy(buf, s, len);
            buf[len] = 0;
            char *end;
            double d = strtod(buf, &end);
            if (*end) return -1;
            double scaled = d * (double)pow10_i64(scale);
            if (fabs(scaled) > 9.2e18) return -1;
            *out = (int64_t)llround(scaled);
            return 0;
        }
        if (ch < '0' || ch > '9') return -1;
        digits++;
        if (seen_dot) {
            if (frac >= scale) {
                if (frac == scale) round_up = ch >= '5';   /* first dropped digit decides */
                frac++;
                continue;
            }
            frac++;
        }
        v = v * 10 + (ch - '0');
        if (v > (__int128)INT64_MAX * 10) return -1;
    }
    if (!digits) return -1;
    if (frac > scale) frac = scale;
    for (; frac < scale; frac++) v *= 10;
    if (round_up) v += 1;
    if (v > INT64_MAX) return -1;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

static int parse_uint(const char **p, const char *end, int min_digits, int max_digits, int *out)
{
    int n = 0, v = 0;
    while (*p < end && n < max_digits && isdigit((unsigned char)**p)) { v = v * 10 + (**p - '0'); (*p)++; n++; }
    if (n < min_digits) return -1;
    *out = v;
    return 0;
}

/* yyyy-M-d [( |T)H:m[:s[.f]]] [Z] with 1..9 fraction digits (past micros dropped);
 * *zulu tells whether a trailing Z was seen. */
static int parse_datetime(const char *s, size_t len, int64_t *us, int *zulu, int date_only)
{
    const char *p = s, *end = s + len;
    int y, mo, d, h = 0, mi = 0, sec = 0, micros = 0;
    if (parse_uint(&p, end, 4, 4, &y) || p >= end || *p++ != '-') return -1;
    if (parse_uint(&p, end, 1, 2, &mo) || p >= end || *p++ != '-') return -1;
    if (parse_uint(&p, end, 1, 2, &d)) return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return -1;
    *zulu = 0;
    if (p < end && !date_only) {
        if (*p != ' ' && *p != 'T') return -1;
        p++;
        if (parse_uint(&p, end, 1, 2, &h) || p >= end || *p++ != ':') return -1;
        if (parse_uint(&p, end, 1, 2, &mi)) return -1;
        if (p < end && *p == ':') {
            p++;
            if (parse_uint(&p, end, 1, 2, &sec)) return -1;
            if (p < end && *p == '.') {
                p++;
                int n = 0;
                while (p < end && isdigit((unsigned char)*p)) {
                    if (n < 6) micros = micros * 10 + (*p - '0');
                    n++;
                    p++;
                }
                if (n == 0 || n > 9) return -1;
                for (; n < 6; n++) micros *= 10;
            }
        }
        if (p < end && *p == 'Z') { *zulu = 1; p++; }
        if (h > 23 || mi > 59 || sec > 59) return -1;
    }
    if (p != end) return -1;
    civil_t c = {y, mo, d, h, mi, sec, micros};
    *us = civil_to_us(&c);
    return 0;
}

int value_parse(type_t t, const char *s, size_t len, value_t *out, arena_t *a)
{
    memset(out, 0, sizeof *out);
    if (t.id != TY_STRING) trim(&s, &len);
    switch (t.id) {
    case TY_BOOLEAN:
        if (len == 4 && str_ieqn(s, "true", 4)) out->i = 1;
        else if (len == 5 && str_ieqn(s, "false", 5)) out->i = 0;
        else if (len == 1 && (s[0] == '1' || s[0] == '0')) out->i = s[0] == '1';
        else return -1;
        return 0;
    case TY_INT:
        if (parse_i64(s, len, &out->i) || out->i < INT32_MIN || out->i > INT32_MAX) return -1;
        return 0;
    case TY_BIGINT:
        return parse_i64(s, len, &out->i);
    case TY_DOUBLE: {
        char buf[128];
        if (!len || len >= sizeof buf) return -1;
        memcpy(buf, s, len);
        buf[len] = 0;
        char *end;
        out->f = strtod(buf, &end);
        return *end ? -1 : 0;
    }
    case TY_DECIMAL:
        return parse_decimal_scaled(s, len, t.scale, &out->i);
    case TY_STRING:
        out->s = a ? str_copy(a, s, (uint32_t)len) : str_view(s, (uint32_t)len);
        return 0;
    case TY_DATE: {
        int64_t us;
        int z;
        if (parse_datetime(s, len, &us, &z, 1)) return -1;
        out->i = floor_div(us, US_PER_DAY);
        return 0;
    }
    case TY_TIMESTAMP:
    case TY_TIMESTAMP_LTZ: {
        int64_t us;
        int z;
        if (parse_datetime(s, len, &us, &z, 0)) return -1;
        if (t.id == TY_TIMESTAMP_LTZ && !z) us = tz_local_to_utc(value_session_tz(), us);
        out->i = us;
        return 0;
    }
    default:
        return -1;
    }
}
