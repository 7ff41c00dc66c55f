/* fuzz_timefmt.c - libFuzzer entry point for date-time patterns: compiles a pattern from the
 * first part of the input, formats fixed instants with it, and parses the rest of the input
 * in both modes (java.time strict and SimpleDateFormat lenient) and as Flink's SQL timestamp
 * text. Whatever parses is formatted again with the same pattern, and that output parsed.
 * Every formatted result goes into a buffer of exactly the pattern's max_len bytes, so a
 * result longer than promised is an ASan report; a return value past max_len aborts.
 *
 * Input: [pattern length] [instant: 8 bytes] [offset: 2 bytes] pattern... text...
 * The instant (little-endian microseconds) is formatted too, with the offset mapped into
 * -18:00..+18:00; it is kept a day above INT64_MIN, where civil_from_us overflows.
 * Build and run:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -D_GNU_SOURCE -o /tmp/fuzz_timefmt
 *     fuzz/fuzz_timefmt.c src/base/timefmt.c src/base/civil.c -lm
 *   UBSAN_OPTIONS=halt_on_error=1 /tmp/fuzz_timefmt -max_len=4096 -max_total_time=180 <corpus dir> */
#include "base/timefmt.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define US_PER_DAY_ 86400000000LL

/* Readings around the epoch, leap days, the ends of years 1 and 9999, before year 0, and
 * near the largest years the parser produces. */
static const int64_t instants[] = {
    0, -1, 1, 1234567, 59 * US_PER_DAY_ + 3723004005LL,       /* 1970-03-01 01:02:03.004005 */
    951782400000000LL,                                       /* 2000-02-29 */
    1608293594123000LL,                                      /* 2020-12-18 12:13:14.123 */
    -62135596800000000LL,                                    /* 0001-01-01 */
    -62135596800000000LL - 1,                                /* 0000-12-31 23:59:59.999999 */
    253402300799999999LL,                                    /* 9999-12-31 23:59:59.999999 */
    -62167219200000000LL - 400LL * 365 * US_PER_DAY_,        /* around year -400 */
    9000000000000000000LL, -9000000000000000000LL,           /* about year +-285000 */
};
static const int32_t offsets[] = {0, 28800, -12600, 64800, -64800, 20730};

/* Formats local_us into a buffer of exactly f->max_len bytes. */
static int format_checked(const timefmt_t *f, int64_t local_us, int32_t offset, char **out)
{
    char *buf = malloc(f->max_len ? f->max_len : 1);
    int n = timefmt_format(f, local_us, offset, buf);
    if (n < 0 || n > f->max_len) abort();
    *out = buf;
    return n;
}

/* Parses text in both modes; whatever parses is formatted back, and (once) parsed again. */
static void parse_both(const timefmt_t *f, const char *text, size_t len, int again)
{
    for (int mode = TIMEFMT_JAVA_TIME; mode <= TIMEFMT_SIMPLE; mode++) {
        timefmt_parsed p;
        if (timefmt_parse(f, text, len, mode, &p)) continue;
        char *buf;
        int n = format_checked(f, p.local_us, p.offset_sec, &buf);
        if (again) parse_both(f, buf, (size_t)n, 0);
        free(buf);
    }
}

#define HEADER_LEN 11

/* The instant and offset chosen by the input. */
static void input_instant(const uint8_t *h, int64_t *us, int32_t *offset)
{
    uint64_t u = 0;
    for (int i = 8; i >= 1; i--) u = u << 8 | h[i];
    *us = (int64_t)u;
    if (*us < INT64_MIN + US_PER_DAY_) *us = INT64_MIN + US_PER_DAY_;
    *offset = (int32_t)((h[9] | h[10] << 8) % 129601) - 64800;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER_LEN) return 0;
    size_t plen = data[0];
    if (plen > size - HEADER_LEN) plen = size - HEADER_LEN;
    const char *pat = (const char *)data + HEADER_LEN;
    const char *text = pat + plen;
    size_t tlen = size - HEADER_LEN - plen;

    timefmt_t f;
    char err[200];
    if (timefmt_compile(&f, pat, plen, err, sizeof err)) {
        if (!memchr(err, 0, sizeof err)) abort();
        return 0;
    }
    if (f.max_len > TIMEFMT_MAX_OUTPUT) abort();
    char *buf;
    for (size_t i = 0; i < sizeof instants / sizeof instants[0]; i++) {
        format_checked(&f, instants[i], offsets[i % (sizeof offsets / sizeof offsets[0])], &buf);
        free(buf);
    }
    int64_t instant;
    int32_t offset;
    input_instant(data, &instant, &offset);
    format_checked(&f, instant, offset, &buf);
    free(buf);
    char *copy = malloc(tlen ? tlen : 1);
    memcpy(copy, text, tlen);
    parse_both(&f, copy, tlen, 1);
    int64_t us;
    for (int trim = 0; trim <= 1; trim++) {
        if (timefmt_parse_sql_timestamp(copy, tlen, trim, &us) == 0) {
            format_checked(&f, us, 0, &buf);
            free(buf);
        }
    }
    free(copy);
    return 0;
}
