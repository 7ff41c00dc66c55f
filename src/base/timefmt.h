/* timefmt.h - Java date-time patterns ("yyyy-MM-dd HH:mm:ss", "dd/MM/yyyy:HH:mm:ss") compiled
 * once into a small program of items, then run per row to format a wall-clock reading or
 * to parse text, with no allocation.
 *
 * Pattern letters follow java.time.format.DateTimeFormatter (which Flink's DATE_FORMAT and
 * TO_TIMESTAMP use; SimpleDateFormat, used by FROM_UNIXTIME and UNIX_TIMESTAMP, agrees for
 * every supported letter when formatting):
 *   G era (AD)             y year of era (yy: two digits)   u year
 *   Q/q quarter (Q3)       M/L month (M, MM, MMM Jan, MMMM January, MMMMM J)
 *   d day of month         D day of year                    E day name (Mon, Monday, M)
 *   a AM/PM                H hour 0-23    k hour 1-24       K hour 0-11    h hour 1-12
 *   m minute               s second       S fraction of second (S..SSSSSSSSS)
 *   X offset, Z for zero (X +08, XX +0800, XXX +08:00)     x like X but +00 for zero
 *   Z offset (Z +0800, ZZZZ GMT+08:00, ZZZZZ +08:00)
 *   'text' quoted literal, '' a quote; other non-letters are literal.
 * Zone names (z, V, O) and week-based fields (Y, w, W, e, c) are rejected at compile time. */
#ifndef EDDY_TIMEFMT_H
#define EDDY_TIMEFMT_H
#include <stddef.h>
#include <stdint.h>

#define TIMEFMT_MAX_ITEMS 64
#define TIMEFMT_MAX_LITERAL 192
/* No formatted result is longer: a field writes at most 13 bytes ("Before Christ"). */
#define TIMEFMT_MAX_OUTPUT (TIMEFMT_MAX_ITEMS * 13 + TIMEFMT_MAX_LITERAL)

typedef struct timefmt_item {
    uint8_t kind;           /* a field (internal enum) or a literal */
    uint8_t count;          /* number of pattern letters */
    uint8_t abuts;          /* the next item is a numeric field (adjacent value parsing) */
    uint8_t lit_len;        /* literal: bytes at lit + lit_off */
    uint16_t lit_off;
} timefmt_item;

/* A compiled pattern; plain data, so it can live on the stack, in an arena or in malloc'ed
 * call state. */
typedef struct timefmt {
    uint16_t nitems;
    uint16_t max_len;       /* upper bound of a formatted result, in bytes */
    uint8_t uses_offset;    /* has X, x or Z items */
    timefmt_item items[TIMEFMT_MAX_ITEMS];
    char lit[TIMEFMT_MAX_LITERAL];
} timefmt_t;

/* Compile pattern pat[0..len). Returns 0, or -1 with a message in err naming the offending
 * letter and its position. */
int timefmt_compile(timefmt_t *f, const char *pat, size_t len, char *err, int errcap);

/* Format the wall-clock reading local_us (microseconds since 1970-01-01 00:00, no zone) into
 * out, which must hold f->max_len bytes; offset_sec is the UTC offset shown by X/x/Z items.
 * Returns the number of bytes written (no terminating NUL). */
int timefmt_format(const timefmt_t *f, int64_t local_us, int32_t offset_sec, char *out);

/* Parsing rules. JAVA_TIME is DateTimeFormatter with Flink's defaults: the whole text must
 * match, fields have the pattern's width (MM two digits, yyyy at least four, S..S exactly as
 * many fraction digits), names are case-sensitive, values are range-checked (a day past the
 * month's end is clamped to its last day, as the SMART resolver does), missing fields default
 * to 1970-01-01 00:00:00. SIMPLE is SimpleDateFormat's default lenient parser: numeric fields
 * take any number of digits unless another numeric field follows directly, names are
 * case-insensitive, S is a count of milliseconds, out-of-range values roll over (month 13 is
 * January of the next year), and text after the pattern is ignored. */
enum timefmt_mode { TIMEFMT_JAVA_TIME, TIMEFMT_SIMPLE };

typedef struct timefmt_parsed {
    int64_t local_us;       /* the wall-clock reading */
    int32_t offset_sec;     /* the offset given in the text, when has_offset */
    int has_offset;
} timefmt_parsed;

/* Returns 0, or -1 when the text does not match the pattern. */
int timefmt_parse(const timefmt_t *f, const char *s, size_t len, int mode, timefmt_parsed *out);

/* Flink's lenient SQL timestamp text: "yyyy-M[M]-d[d]" optionally followed by
 * " H[H]:m[m]:s[s]" and ".f" (1..9 digits; digits past microseconds are dropped).
 * With trim, leading and trailing whitespace is ignored. Returns 0 or -1. */
int timefmt_parse_sql_timestamp(const char *s, size_t len, int trim, int64_t *local_us);

#endif
