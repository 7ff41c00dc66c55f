/* types.c - type constructors, names and coercion rules. */
#include "data/types.h"
#include <stdio.h>
#include <string.h>

#define MAXI(a, b) ((a) > (b) ? (a) : (b))

type_t type_make(type_id id)
{
    type_t t;
    memset(&t, 0, sizeof t);
    t.id = (uint8_t)id;
    t.length = -1;
    if (id == TY_TIMESTAMP || id == TY_TIMESTAMP_LTZ) t.precision = 3;
    if (id == TY_DECIMAL) { t.precision = 10; t.scale = 0; }
    return t;
}

type_t type_decimal(int precision, int scale)
{
    type_t t = type_make(TY_DECIMAL);
    t.precision = (uint8_t)precision;
    t.scale = (uint8_t)scale;
    return t;
}

type_t type_timestamp(type_id id, int precision)
{
    type_t t = type_make(id);
    t.precision = (uint8_t)precision;
    return t;
}

type_t type_varchar(int length)
{
    type_t t = type_make(TY_STRING);
    t.length = length;
    return t;
}

const char *type_name(type_t t, char *buf, size_t cap)
{
    const char *attr = t.attr == TA_ROWTIME ? " *ROWTIME*" : t.attr == TA_PROCTIME ? " *PROCTIME*" : "";
    const char *nn = t.not_null ? " NOT NULL" : "";
    switch (t.id) {
    case TY_NULL: snprintf(buf, cap, "NULL"); break;
    case TY_BOOLEAN: snprintf(buf, cap, "BOOLEAN%s", nn); break;
    case TY_INT: snprintf(buf, cap, "INT%s", nn); break;
    case TY_BIGINT: snprintf(buf, cap, "BIGINT%s", nn); break;
    case TY_DOUBLE: snprintf(buf, cap, "DOUBLE%s", nn); break;
    case TY_DECIMAL: snprintf(buf, cap, "DECIMAL(%d, %d)%s", t.precision, t.scale, nn); break;
    case TY_STRING:
        if (t.length >= 0) snprintf(buf, cap, "VARCHAR(%d)%s", t.length, nn);
        else snprintf(buf, cap, "STRING%s", nn);
        break;
    case TY_DATE: snprintf(buf, cap, "DATE%s", nn); break;
    case TY_TIMESTAMP: snprintf(buf, cap, "TIMESTAMP(%d)%s%s", t.precision, nn, attr); break;
    case TY_TIMESTAMP_LTZ: snprintf(buf, cap, "TIMESTAMP_LTZ(%d)%s%s", t.precision, nn, attr); break;
    case TY_INTERVAL_DT: snprintf(buf, cap, "INTERVAL DAY TO SECOND%s", nn); break;
    case TY_INTERVAL_YM: snprintf(buf, cap, "INTERVAL YEAR TO MONTH%s", nn); break;
    default: snprintf(buf, cap, "?"); break;
    }
    return buf;
}

int type_equal(type_t a, type_t b)
{
    if (a.id != b.id) return 0;
    if (a.id == TY_DECIMAL) return a.precision == b.precision && a.scale == b.scale;
    return 1;
}

static int numeric_rank(type_id id)
{
    switch (id) {
    case TY_INT: return 1;
    case TY_BIGINT: return 2;
    case TY_DECIMAL: return 3;
    case TY_DOUBLE: return 4;
    default: return 0;
    }
}

int type_common(type_t a, type_t b, type_t *out)
{
    if (a.id == TY_NULL) { *out = b; out->attr = TA_NONE; out->not_null = 0; return 1; }
    if (b.id == TY_NULL) { *out = a; out->attr = TA_NONE; out->not_null = 0; return 1; }
    if (a.id == b.id) {
        *out = a;
        out->attr = TA_NONE;
        out->not_null = a.not_null && b.not_null;
        if (a.id == TY_DECIMAL) {
            int s = MAXI(a.scale, b.scale);
            int ip = MAXI(a.precision - a.scale, b.precision - b.scale);
            int p = ip + s > 18 ? 18 : ip + s;
            *out = type_decimal(p, s);
        } else if (a.id == TY_STRING) {
            out->length = (a.length < 0 || b.length < 0) ? -1 : MAXI(a.length, b.length);
        } else if (type_is_timestamp(a)) {
            out->precision = (uint8_t)MAXI(a.precision, b.precision);
        }
        return 1;
    }
    int ra = numeric_rank(a.id), rb = numeric_rank(b.id);
    if (ra && rb) {
        type_t hi = ra > rb ? a : b, lo = ra > rb ? b : a;
        if (hi.id == TY_DECIMAL && type_is_integer(lo)) {
            int digits = lo.id == TY_INT ? 10 : 19;
            int ip = MAXI(hi.precision - hi.scale, digits);
            int p = ip + hi.scale > 18 ? 18 : ip + hi.scale;
            *out = type_decimal(p, hi.scale);
        } else {
            *out = type_make(hi.id);
        }
        return 1;
    }
    if (type_is_timestamp(a) && type_is_timestamp(b)) {
        *out = type_timestamp(TY_TIMESTAMP_LTZ, MAXI(a.precision, b.precision));
        return 1;
    }
    if ((a.id == TY_DATE && type_is_timestamp(b)) || (b.id == TY_DATE && type_is_timestamp(a))) {
        *out = type_is_timestamp(a) ? a : b;
        out->attr = TA_NONE;
        return 1;
    }
    return 0;
}

int64_t pow10_i64(int n)
{
    static const int64_t p[] = {1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL,
        100000000LL, 1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
        100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
        1000000000000000000LL};
    if (n < 0) return 1;
    if (n > 18) n = 18;
    return p[n];
}
