/* value.h - one scalar SQL value (constants, aggregate results, lookup keys). */
#ifndef EDDY_VALUE_H
#define EDDY_VALUE_H
#include "data/types.h"
#include "data/str.h"
#include "base/strbuf.h"
#include "base/tz.h"

typedef struct value {
    uint8_t null;
    union {
        int64_t i;     /* PHYS_I64 */
        double f;      /* PHYS_F64 */
        str_t s;       /* PHYS_STR */
    };
} value_t;

static inline value_t value_null(void) { value_t v; memset(&v, 0, sizeof v); v.null = 1; return v; }
static inline value_t value_i64(int64_t i) { value_t v; memset(&v, 0, sizeof v); v.i = i; return v; }
static inline value_t value_f64(double f) { value_t v; memset(&v, 0, sizeof v); v.f = f; return v; }

/* The zone TIMESTAMP_LTZ values are shown and parsed in (table.local-time-zone);
 * set once by the job before it runs. Defaults to UTC. */
void value_set_session_tz(const tz_t *tz);
const tz_t *value_session_tz(void);

/* Java's Double.toString: "1.0", "0.001", "1.0E7", "1.5E-4", "NaN", "Infinity". */
void format_java_double(double d, sb_t *out);

/* Compare two non-null values of the same type: <0, 0, >0. */
int value_cmp(type_t t, const value_t *a, const value_t *b);

/* Text forms. CAST(x AS STRING) style: "2017-11-26 09:00:00.000", "12.50", "TRUE". */
void value_format(type_t t, const value_t *v, sb_t *out);
/* Flink's print connector (Row.toString) style: TIMESTAMP as "2017-11-26T09:00" (Java
 * LocalDateTime), TIMESTAMP_LTZ as "2017-11-26T01:00:00Z" (Instant), DOUBLE as Java's
 * Double.toString ("1.0", "1.5E10"), NULL as "null". */
void value_format_print(type_t t, const value_t *v, sb_t *out);

/* Parse text into a value of type t (used by CSV, CAST from STRING, literals).
 * Returns 0, or -1 when the text is not a valid t (no error is recorded). */
int value_parse(type_t t, const char *s, size_t len, value_t *out, arena_t *a);

/* "12.345" -> 1235 for scale 2 (HALF_UP, like Java's BigDecimal); -1 if not a number. */
int parse_decimal_scaled(const char *s, size_t len, int scale, int64_t *out);

#endif
