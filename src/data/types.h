/* types.h - SQL types and their physical representation.
 *
 * Every SQL type maps to one of three physical kinds:
 *   PHYS_I64  BOOLEAN (0/1), INT, BIGINT, DECIMAL(p<=18, s) as value * 10^s,
 *             DATE (days since 1970-01-01), TIMESTAMP(p) (microseconds since
 *             1970-01-01 00:00:00 as a wall-clock reading, no zone),
 *             TIMESTAMP_LTZ(p) (microseconds since the UTC epoch, an instant),
 *             INTERVAL DAY TO SECOND (microseconds), INTERVAL YEAR TO MONTH (months)
 *   PHYS_F64  DOUBLE
 *   PHYS_STR  STRING / VARCHAR(n) as str_t views
 */
#ifndef EDDY_TYPES_H
#define EDDY_TYPES_H
#include <stdint.h>
#include <stddef.h>

typedef enum type_id {
    TY_NULL,            /* type of the NULL literal before coercion */
    TY_BOOLEAN,
    TY_INT,
    TY_BIGINT,
    TY_DOUBLE,
    TY_DECIMAL,
    TY_STRING,
    TY_DATE,
    TY_TIMESTAMP,
    TY_TIMESTAMP_LTZ,
    TY_INTERVAL_DT,     /* INTERVAL DAY TO SECOND family, microseconds */
    TY_INTERVAL_YM,     /* INTERVAL YEAR TO MONTH family, months */
} type_id;

enum phys_kind { PHYS_I64, PHYS_F64, PHYS_STR };

/* Time attribute carried by a TIMESTAMP / TIMESTAMP_LTZ column. */
enum time_attr { TA_NONE, TA_ROWTIME, TA_PROCTIME };

typedef struct type {
    uint8_t id;          /* type_id */
    uint8_t precision;   /* DECIMAL precision, TIMESTAMP fractional digits */
    uint8_t scale;       /* DECIMAL scale */
    uint8_t attr;        /* time_attr */
    uint8_t not_null;
    int32_t length;      /* VARCHAR(n) length, -1 = unbounded (STRING) */
} type_t;

#define US_PER_SEC  1000000LL
#define US_PER_MS   1000LL
#define US_PER_DAY  86400000000LL
#define TS_MIN      INT64_MIN      /* "no watermark yet" */
#define TS_MAX      INT64_MAX      /* the final watermark of bounded input */

type_t type_make(type_id id);
type_t type_decimal(int precision, int scale);
type_t type_timestamp(type_id id, int precision);
type_t type_varchar(int length);

static inline int type_phys(type_t t)
{
    if (t.id == TY_DOUBLE) return PHYS_F64;
    if (t.id == TY_STRING) return PHYS_STR;
    return PHYS_I64;
}
static inline int type_is_numeric(type_t t)
{
    return t.id == TY_INT || t.id == TY_BIGINT || t.id == TY_DOUBLE || t.id == TY_DECIMAL;
}
static inline int type_is_integer(type_t t) { return t.id == TY_INT || t.id == TY_BIGINT; }
static inline int type_is_timestamp(type_t t) { return t.id == TY_TIMESTAMP || t.id == TY_TIMESTAMP_LTZ; }
static inline int type_is_time_attr(type_t t) { return type_is_timestamp(t) && t.attr != TA_NONE; }

/* Flink's spelling: "BIGINT", "DECIMAL(10, 2)", "TIMESTAMP(3)", "TIMESTAMP_LTZ(3) *ROWTIME*". */
const char *type_name(type_t t, char *buf, size_t cap);
int type_equal(type_t a, type_t b);        /* ignores attr and not_null */
/* The common type of two operands (for comparison, CASE, UNION); returns 0 if none. */
int type_common(type_t a, type_t b, type_t *out);

int64_t pow10_i64(int n);                  /* 10^n for 0 <= n <= 18 */

#endif
