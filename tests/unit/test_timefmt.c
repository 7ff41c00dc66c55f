/* test_timefmt.c - Java date-time patterns: compiling, formatting, parsing in both modes. */
#include "check.h"
#include "base/timefmt.h"
#include "base/civil.h"
#include <stdlib.h>

static int64_t ts(int64_t y, int mo, int d, int h, int mi, int s, int us)
{
    civil_t c = {y, mo, d, h, mi, s, us};
    return civil_to_us(&c);
}

/* Formats with a fresh compile; returns a static buffer ("<error>" when compile fails). */
static const char *fmt_off(const char *pat, int64_t local_us, int32_t off)
{
    static char out[512];
    timefmt_t f;
    char err[256];
    if (timefmt_compile(&f, pat, strlen(pat), err, sizeof err) < 0) return "<error>";
    int n = timefmt_format(&f, local_us, off, out);
    if (n > f.max_len) return "<too long>";
    out[n] = 0;
    return out;
}

static const char *fmt(const char *pat, int64_t local_us) { return fmt_off(pat, local_us, 0); }

static const char *compile_err(const char *pat)
{
    static char err[256];
    timefmt_t f;
    err[0] = 0;
    if (timefmt_compile(&f, pat, strlen(pat), err, sizeof err) == 0) return "<compiled>";
    return err;
}

/* Parses; returns the reading or INT64_MIN when it does not match. */
static int64_t parse_mode(const char *pat, const char *text, int mode, timefmt_parsed *res)
{
    timefmt_t f;
    char err[256];
    if (timefmt_compile(&f, pat, strlen(pat), err, sizeof err) < 0) return INT64_MIN + 1;
    timefmt_parsed p;
    if (timefmt_parse(&f, text, strlen(text), mode, &p) < 0) return INT64_MIN;
    if (res) *res = p;
    return p.local_us;
}

static int64_t pj(const char *pat, const char *text) { return parse_mode(pat, text, TIMEFMT_JAVA_TIME, NULL); }
static int64_t ps(const char *pat, const char *text) { return parse_mode(pat, text, TIMEFMT_SIMPLE, NULL); }

TEST(format_seed_patterns)
{
    int64_t t = ts(2017, 11, 26, 9, 5, 3, 123456);
    CHECK_EQ_STR(fmt("yyyy-MM-dd", t), "2017-11-26");
    CHECK_EQ_STR(fmt("yyyy-MM-dd HH:mm:ss", t), "2017-11-26 09:05:03");
    CHECK_EQ_STR(fmt("yyyyMMddHH", t), "2017112609");
    CHECK_EQ_STR(fmt("HH:mm", t), "09:05");
    CHECK_EQ_STR(fmt("MMdd-yyyy", t), "1126-2017");
}

TEST(format_numeric_widths)
{
    int64_t t = ts(2017, 1, 2, 3, 4, 5, 0);
    CHECK_EQ_STR(fmt("yy/M/d H:m:s", t), "17/1/2 3:4:5");
    CHECK_EQ_STR(fmt("yyyy/MM/dd HH:mm:ss", t), "2017/01/02 03:04:05");
    CHECK_EQ_STR(fmt("y", t), "2017");
    CHECK_EQ_STR(fmt("yyyyyy", t), "002017");
    CHECK_EQ_STR(fmt("uuuu", t), "2017");
    CHECK_EQ_STR(fmt("D", t), "2");
    CHECK_EQ_STR(fmt("DD", t), "02");
    CHECK_EQ_STR(fmt("DDD", t), "002");
    CHECK_EQ_STR(fmt("D", ts(2017, 11, 26, 0, 0, 0, 0)), "330");
    CHECK_EQ_STR(fmt("yy", ts(2009, 1, 1, 0, 0, 0, 0)), "09");
}

TEST(format_fraction)
{
    int64_t t = ts(2017, 11, 26, 9, 5, 3, 123456);
    CHECK_EQ_STR(fmt("S", t), "1");
    CHECK_EQ_STR(fmt("SSS", t), "123");
    CHECK_EQ_STR(fmt("SSSSSS", t), "123456");
    CHECK_EQ_STR(fmt("SSSSSSSSS", t), "123456000");
    CHECK_EQ_STR(fmt("ss.SSS", ts(2017, 1, 1, 0, 0, 7, 5000)), "07.005");
    CHECK_EQ_STR(fmt("ss.SSS", ts(2017, 1, 1, 0, 0, 7, 0)), "07.000");
}

TEST(format_names)
{
    int64_t t = ts(2017, 11, 26, 9, 5, 3, 0);      /* a Sunday */
    CHECK_EQ_STR(fmt("MMM MMMM MMMMM", t), "Nov November N");
    CHECK_EQ_STR(fmt("E EEE EEEE EEEEE", t), "Sun Sun Sunday S");
    CHECK_EQ_STR(fmt("EEEE", ts(2017, 11, 29, 0, 0, 0, 0)), "Wednesday");
    CHECK_EQ_STR(fmt("EEE", ts(1970, 1, 1, 0, 0, 0, 0)), "Thu");
    CHECK_EQ_STR(fmt("EEE", ts(1969, 12, 31, 23, 59, 59, 0)), "Wed");
    CHECK_EQ_STR(fmt("Q QQ QQQ QQQQ", t), "4 04 Q4 4th quarter");
    CHECK_EQ_STR(fmt("Q", ts(2017, 3, 31, 0, 0, 0, 0)), "1");
    CHECK_EQ_STR(fmt("Q", ts(2017, 4, 1, 0, 0, 0, 0)), "2");
    CHECK_EQ_STR(fmt("G GGGG", t), "AD Anno Domini");
    CHECK_EQ_STR(fmt("LLL", t), "Nov");
}

TEST(format_clock_hours)
{
    CHECK_EQ_STR(fmt("hh:mm a", ts(2017, 1, 1, 9, 30, 0, 0)), "09:30 AM");
    CHECK_EQ_STR(fmt("h:mm a", ts(2017, 1, 1, 21, 0, 0, 0)), "9:00 PM");
    CHECK_EQ_STR(fmt("h a", ts(2017, 1, 1, 12, 0, 0, 0)), "12 PM");
    CHECK_EQ_STR(fmt("h a", ts(2017, 1, 1, 11, 59, 0, 0)), "11 AM");
    CHECK_EQ_STR(fmt("hh K k H", ts(2017, 1, 1, 0, 30, 0, 0)), "12 0 24 0");
    CHECK_EQ_STR(fmt("hh K k H", ts(2017, 1, 1, 23, 0, 0, 0)), "11 11 23 23");
}

TEST(format_literals)
{
    int64_t t = ts(2017, 11, 26, 9, 5, 3, 0);
    CHECK_EQ_STR(fmt("yyyy-MM-dd'T'HH:mm:ss", t), "2017-11-26T09:05:03");
    CHECK_EQ_STR(fmt("''", t), "'");
    CHECK_EQ_STR(fmt("h 'o''clock'", t), "9 o'clock");
    CHECK_EQ_STR(fmt("'year' yyyy", t), "year 2017");
    CHECK_EQ_STR(fmt("yyyy年MM月dd日", t), "2017年11月26日");
    CHECK_EQ_STR(fmt("", t), "");
}

TEST(format_offsets)
{
    int64_t t = ts(2017, 11, 26, 9, 0, 0, 0);
    CHECK_EQ_STR(fmt_off("X|XX|XXX|XXXX|XXXXX", t, 8 * 3600), "+08|+0800|+08:00|+0800|+08:00");
    CHECK_EQ_STR(fmt_off("X|XX|XXX", t, 0), "Z|Z|Z");
    CHECK_EQ_STR(fmt_off("x|xx|xxx", t, 0), "+00|+0000|+00:00");
    CHECK_EQ_STR(fmt_off("X|XXX", t, 5 * 3600 + 1800), "+0530|+05:30");
    CHECK_EQ_STR(fmt_off("X|XX|XXX", t, -(3 * 3600 + 1800)), "-0330|-0330|-03:30");
    CHECK_EQ_STR(fmt_off("Z|ZZZZ|ZZZZZ", t, 8 * 3600), "+0800|GMT+08:00|+08:00");
    CHECK_EQ_STR(fmt_off("Z|ZZZZ|ZZZZZ", t, 0), "+0000|GMT|Z");
    CHECK_EQ_STR(fmt_off("ZZ", t, -5 * 3600), "-0500");
    CHECK_EQ_STR(fmt_off("XXXXX", t, 3600 + 61), "+01:01:01");
}

TEST(format_negative_and_leap)
{
    CHECK_EQ_STR(fmt("yyyy-MM-dd HH:mm:ss.SSS", -1000), "1969-12-31 23:59:59.999");
    CHECK_EQ_STR(fmt("yyyy-MM-dd HH:mm:ss.SSSSSS", -1), "1969-12-31 23:59:59.999999");
    CHECK_EQ_STR(fmt("yyyy-MM-dd", ts(1900, 3, 1, 0, 0, 0, 0) - 1), "1900-02-28");
    CHECK_EQ_STR(fmt("yyyy-MM-dd D", ts(2016, 2, 29, 0, 0, 0, 0)), "2016-02-29 60");
    CHECK_EQ_STR(fmt("yyyy-MM-dd D", ts(2000, 12, 31, 0, 0, 0, 0)), "2000-12-31 366");
    CHECK_EQ_STR(fmt("yyyy-MM-dd D", ts(2017, 12, 31, 0, 0, 0, 0)), "2017-12-31 365");
    /* Year 0 is 1 BC: y counts years of the era, u is proleptic. */
    CHECK_EQ_STR(fmt("y G|u", ts(0, 6, 1, 0, 0, 0, 0)), "1 BC|0");
    CHECK_EQ_STR(fmt("yyyy G|uuuu", ts(-1, 6, 1, 0, 0, 0, 0)), "0002 BC|-0001");
    CHECK_EQ_STR(fmt("yyyy", ts(12345, 1, 1, 0, 0, 0, 0)), "+12345");
}

TEST(max_len_bounds_output)
{
    const char *pats[] = {"GGGG yyyyyyyyy QQQQ MMMM dd DDD EEEE a hh kk KK HH mm ss SSSSSSSSS ZZZZ XXXXX xxxxx",
                          "MMMM EEEE", "yyyy", "'lit''eral'"};
    int64_t times[] = {ts(2017, 9, 27, 23, 59, 59, 999999), ts(-290000, 9, 27, 0, 0, 0, 0), ts(290000, 12, 31, 0, 0, 0, 0)};
    for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++)
        for (size_t j = 0; j < sizeof times / sizeof times[0]; j++)
            CHECK(strcmp(fmt_off(pats[i], times[j], -(12 * 3600 + 34 * 60 + 56)), "<too long>") != 0);
}

TEST(compile_errors)
{
    CHECK(strstr(compile_err("yyyy-bb"), "unknown pattern letter 'b' at position 6") != NULL);
    CHECK(strstr(compile_err("yyyy-bb"), "invalid date-time pattern 'yyyy-bb'") != NULL);
    CHECK(strstr(compile_err("YYYY-MM-dd"), "'Y' (week-based year)") != NULL);
    CHECK(strstr(compile_err("HH:mm z"), "'z' (time-zone name)") != NULL);
    CHECK(strstr(compile_err("yyyy 'abc"), "unterminated quote at position 6") != NULL);
    CHECK(strstr(compile_err("[yyyy]"), "optional sections") != NULL);
    CHECK(strstr(compile_err("ddd"), "too many pattern letters 'd' at position 1 (at most 2)") != NULL);
    CHECK(strstr(compile_err("yyyy#"), "'#' at position 5 is reserved") != NULL);
    char big[400];
    memset(big, '-', sizeof big - 1);
    big[sizeof big - 1] = 0;
    CHECK(strstr(compile_err(big), "too long") != NULL);
    CHECK_EQ_STR(compile_err("yyyy-MM-dd'T'HH:mm:ss.SSSXXX"), "<compiled>");
}

TEST(parse_java_time_basic)
{
    CHECK_EQ_INT(pj("dd/MM/yyyy:HH:mm:ss", "17/05/2015:10:05:03"), ts(2015, 5, 17, 10, 5, 3, 0));
    CHECK_EQ_INT(pj("yyyy-MM-dd HH:mm:ss", "2017-11-26 09:00:00"), ts(2017, 11, 26, 9, 0, 0, 0));
    CHECK_EQ_INT(pj("yyyy-MM-dd", "2017-11-26"), ts(2017, 11, 26, 0, 0, 0, 0));
    CHECK_EQ_INT(pj("HH:mm", "10:05"), ts(1970, 1, 1, 10, 5, 0, 0));
    CHECK_EQ_INT(pj("yyyy-MM-dd HH:mm:ss.SSS", "2017-11-26 09:00:00.123"), ts(2017, 11, 26, 9, 0, 0, 123000));
    CHECK_EQ_INT(pj("yyyy-MM-dd HH:mm:ss.SSSSSSSSS", "2017-11-26 09:00:00.123456789"), ts(2017, 11, 26, 9, 0, 0, 123456));
    CHECK_EQ_INT(pj("yyyy-MM-dd'T'HH:mm:ss", "2017-11-26T09:00:00"), ts(2017, 11, 26, 9, 0, 0, 0));
    CHECK_EQ_INT(pj("yyyy-M-d H:m:s", "2017-1-2 3:4:5"), ts(2017, 1, 2, 3, 4, 5, 0));
    CHECK_EQ_INT(pj("yyyy-M-d", "2017-11-26"), ts(2017, 11, 26, 0, 0, 0, 0));
    CHECK_EQ_INT(pj("yy-MM-dd", "17-11-26"), ts(2017, 11, 26, 0, 0, 0, 0));
    CHECK_EQ_INT(pj("yy-MM-dd", "99-11-26"), ts(2099, 11, 26, 0, 0, 0, 0));
}

TEST(parse_java_time_rejects)
{
    CHECK_EQ_INT(pj("yyyy-MM-dd HH:mm:ss", "2017-11-26 9:00:00"), INT64_MIN);      /* HH is two digits */
    CHECK_EQ_INT(pj("yyyy-MM-dd HH:mm:ss", "2017-11-26 09:00:00.123"), INT64_MIN); /* trailing text */
    CHECK_EQ_INT(pj("yyyy-MM-dd HH:mm:ss", "2017-11-26"), INT64_MIN);
    CHECK_EQ_INT(pj("yyyy-MM-dd HH:mm:ss", " 2017-11-26 09:00:00"), INT64_MIN);
    CHECK_EQ_INT(pj("yyyy-MM-dd", "2017-13-01"), INT64_MIN);
    CHECK_EQ_INT(pj("yyyy-MM-dd", "2017-00-01"), INT64_MIN);
    CHECK_EQ_INT(pj("yyyy-MM-dd", "2017-01-32"), INT64_MIN);
    CHECK_EQ_INT(pj("yyyy-MM-dd", "2017-01-00"), INT64_MIN);
    CHECK_EQ_INT(pj("HH:mm:ss", "24:00:00"), INT64_MIN);
    CHECK_EQ_INT(pj("HH:mm:ss", "23:60:00"), INT64_MIN);
    CHECK_EQ_INT(pj("HH:mm:ss", "23:59:60"), INT64_MIN);
    CHECK_EQ_INT(pj("yyyy-MM-dd HH:mm:ss.SSS", "2017-11-26 09:00:00.12"), INT64_MIN);
    CHECK_EQ_INT(pj("yyyy-MM-dd", "17-11-26"), INT64_MIN);                        /* yyyy needs 4+ digits */
    CHECK_EQ_INT(pj("yyyy-MM-dd", ""), INT64_MIN);
    CHECK_EQ_INT(pj("yyyy/MM/dd", "2017-11-26"), INT64_MIN);
    CHECK_EQ_INT(pj("HH:mm", "23:59"), ts(1970, 1, 1, 23, 59, 0, 0));
    CHECK_EQ_INT(pj("HH:mm:ss", "23:59:59"), ts(1970, 1, 1, 23, 59, 59, 0));
}

TEST(parse_java_time_smart_day_clamp)
{
    /* DateTimeFormatter's SMART resolver clamps 29..31 to the month's last day. */
    CHECK_EQ_INT(pj("yyyy-MM-dd", "2017-02-30"), ts(2017, 2, 28, 0, 0, 0, 0));
    CHECK_EQ_INT(pj("yyyy-MM-dd", "2016-02-30"), ts(2016, 2, 29, 0, 0, 0, 0));
    CHECK_EQ_INT(pj("yyyy-MM-dd", "2017-04-31"), ts(2017, 4, 30, 0, 0, 0, 0));
    CHECK_EQ_INT(pj("yyyy-MM-dd", "2016-02-29"), ts(2016, 2, 29, 0, 0, 0, 0));
}

TEST(parse_adjacent_fields)
{
    CHECK_EQ_INT(pj("yyyyMMddHH", "2017112609"), ts(2017, 11, 26, 9, 0, 0, 0));
    CHECK_EQ_INT(pj("yyyyMMdd", "20171126"), ts(2017, 11, 26, 0, 0, 0, 0));
    CHECK_EQ_INT(pj("yyyyMMddHHmmssSSS", "20171126090503123"), ts(2017, 11, 26, 9, 5, 3, 123000));
    CHECK_EQ_INT(pj("yyyyMMdd", "2017112"), INT64_MIN);
    CHECK_EQ_INT(pj("HHmm", "0930"), ts(1970, 1, 1, 9, 30, 0, 0));
    CHECK_EQ_INT(ps("yyyyMMdd", "20171126"), ts(2017, 11, 26, 0, 0, 0, 0));
    CHECK_EQ_INT(ps("yyyyMMddHH", "2017112609"), ts(2017, 11, 26, 9, 0, 0, 0));
}

TEST(parse_names_and_clock)
{
    CHECK_EQ_INT(pj("dd MMM yyyy", "26 Nov 2017"), ts(2017, 11, 26, 0, 0, 0, 0));
    CHECK_EQ_INT(pj("dd MMMM yyyy", "26 November 2017"), ts(2017, 11, 26, 0, 0, 0, 0));
    CHECK_EQ_INT(pj("dd MMM yyyy", "26 nov 2017"), INT64_MIN);       /* java.time is case-sensitive */
    CHECK_EQ_INT(pj("dd MMM yyyy", "26 November 2017"), INT64_MIN);
    CHECK_EQ_INT(ps("dd MMM yyyy", "26 nov 2017"), ts(2017, 11, 26, 0, 0, 0, 0));
    CHECK_EQ_INT(ps("dd MMM yyyy", "26 NOVEMBER 2017"), ts(2017, 11, 26, 0, 0, 0, 0));
    CHECK_EQ_INT(pj("EEE, dd MMM yyyy", "Sun, 26 Nov 2017"), ts(2017, 11, 26, 0, 0, 0, 0));
    CHECK_EQ_INT(pj("EEE, dd MMM yyyy", "Mon, 26 Nov 2017"), INT64_MIN);  /* day name contradicts the date */
    CHECK_EQ_INT(pj("EEEE dd/MM/yyyy", "Sunday 26/11/2017"), ts(2017, 11, 26, 0, 0, 0, 0));
    CHECK_EQ_INT(pj("hh:mm a", "09:30 PM"), ts(1970, 1, 1, 21, 30, 0, 0));
    CHECK_EQ_INT(pj("hh:mm a", "12:00 AM"), ts(1970, 1, 1, 0, 0, 0, 0));
    CHECK_EQ_INT(pj("hh:mm a", "12:15 PM"), ts(1970, 1, 1, 12, 15, 0, 0));
    CHECK_EQ_INT(pj("hh:mm a", "13:15 PM"), INT64_MIN);
    CHECK_EQ_INT(pj("hh:mm a", "00:15 AM"), INT64_MIN);
    CHECK_EQ_INT(pj("kk:mm", "24:15"), ts(1970, 1, 1, 0, 15, 0, 0));
    CHECK_EQ_INT(pj("KK:mm a", "11:15 PM"), ts(1970, 1, 1, 23, 15, 0, 0));
    CHECK_EQ_INT(pj("yyyy DDD", "2016 060"), ts(2016, 2, 29, 0, 0, 0, 0));
    CHECK_EQ_INT(pj("yyyy DDD", "2017 366"), INT64_MIN);
    CHECK_EQ_INT(pj("yyyy DDD", "2016 366"), ts(2016, 12, 31, 0, 0, 0, 0));
    CHECK_EQ_INT(pj("yyyy G", "0001 BC"), ts(0, 1, 1, 0, 0, 0, 0));
}

TEST(parse_offsets)
{
    timefmt_parsed r;
    CHECK_EQ_INT(parse_mode("yyyy-MM-dd HH:mm:ssXXX", "2017-11-26 09:00:00+08:00", TIMEFMT_JAVA_TIME, &r),
                 ts(2017, 11, 26, 9, 0, 0, 0));
    CHECK_EQ_INT(r.has_offset, 1);
    CHECK_EQ_INT(r.offset_sec, 28800);
    CHECK_EQ_INT(parse_mode("yyyy-MM-dd HH:mm:ssX", "2017-11-26 09:00:00Z", TIMEFMT_JAVA_TIME, &r),
                 ts(2017, 11, 26, 9, 0, 0, 0));
    CHECK_EQ_INT(r.has_offset, 1);
    CHECK_EQ_INT(r.offset_sec, 0);
    CHECK_EQ_INT(parse_mode("HH:mm Z", "09:00 -0530", TIMEFMT_JAVA_TIME, &r), ts(1970, 1, 1, 9, 0, 0, 0));
    CHECK_EQ_INT(r.offset_sec, -(5 * 3600 + 1800));
    CHECK_EQ_INT(parse_mode("HH:mm", "09:00", TIMEFMT_JAVA_TIME, &r), ts(1970, 1, 1, 9, 0, 0, 0));
    CHECK_EQ_INT(r.has_offset, 0);
    CHECK_EQ_INT(pj("HH:mm X", "09:00 +19"), INT64_MIN);
    CHECK_EQ_INT(pj("HH:mm X", "09:00"), INT64_MIN);
    CHECK_EQ_INT(pj("HH:mm x", "09:00 Z"), INT64_MIN);
}

TEST(parse_simple_date_format)
{
    timefmt_parsed r;
    /* The Flink documentation's UNIX_TIMESTAMP examples. */
    CHECK_EQ_INT(ps("yyyy-MM-dd HH:mm:ss.SSS", "1970-01-01 08:00:01.001"), ts(1970, 1, 1, 8, 0, 1, 1000));
    CHECK_EQ_INT(parse_mode("yyyy-MM-dd HH:mm:ss.SSS X", "1970-01-01 08:00:01.001 +0800", TIMEFMT_SIMPLE, &r),
                 ts(1970, 1, 1, 8, 0, 1, 1000));
    CHECK_EQ_INT(r.has_offset, 1);
    CHECK_EQ_INT(r.offset_sec, 28800);
    CHECK_EQ_INT(parse_mode("yyyy-MM-dd HH:mm:ss.SSS", "1970-01-01 08:00:01.001 +0800", TIMEFMT_SIMPLE, &r),
                 ts(1970, 1, 1, 8, 0, 1, 1000));
    CHECK_EQ_INT(r.has_offset, 0);
    CHECK_EQ_INT(ps("yyyy-MM-dd HH:mm:ss.SSS X", "1970-01-01 08:00:01.001"), INT64_MIN);
    /* Trailing text is ignored, widths are free, values roll over. */
    CHECK_EQ_INT(ps("yyyy-MM-dd HH:mm:ss", "2017-11-26 09:00:00.123"), ts(2017, 11, 26, 9, 0, 0, 0));
    CHECK_EQ_INT(ps("yyyy-MM-dd", "2017-11-26 10:00:00"), ts(2017, 11, 26, 0, 0, 0, 0));
    CHECK_EQ_INT(ps("yyyy-MM-dd HH:mm:ss", "2017-1-2 3:4:5"), ts(2017, 1, 2, 3, 4, 5, 0));
    CHECK_EQ_INT(ps("yyyy-MM-dd HH:mm:ss", "2017-13-01 00:00:00"), ts(2018, 1, 1, 0, 0, 0, 0));
    CHECK_EQ_INT(ps("yyyy-MM-dd HH:mm:ss", "2017-02-30 25:00:00"), ts(2017, 3, 3, 1, 0, 0, 0));
    CHECK_EQ_INT(ps("yyyy-MM-dd HH:mm:ss", "2017-11-26"), INT64_MIN);
    CHECK_EQ_INT(ps("yyyy-MM-dd", "2017/11/26"), INT64_MIN);
    CHECK_EQ_INT(ps("yyyy-MM-dd", ""), INT64_MIN);
    CHECK_EQ_INT(ps("ss.S", "07.5"), ts(1970, 1, 1, 0, 0, 7, 5000));          /* S counts milliseconds */
    CHECK_EQ_INT(ps("yyyy-MM-dd", "999999999-01-01"), INT64_MIN);              /* out of range, no overflow */
    CHECK_EQ_INT(ps("yyyy-MM-dd", "2017-01-999999999"), INT64_MIN);
}

TEST(parse_sql_timestamp)
{
    int64_t v = 0;
    CHECK_EQ_INT(timefmt_parse_sql_timestamp("2017-11-26", 10, 0, &v), 0);
    CHECK_EQ_INT(v, ts(2017, 11, 26, 0, 0, 0, 0));
    const char *s = "1999-9-10 05:20:10";
    CHECK_EQ_INT(timefmt_parse_sql_timestamp(s, strlen(s), 0, &v), 0);
    CHECK_EQ_INT(v, ts(1999, 9, 10, 5, 20, 10, 0));
    s = "2017-11-26 9:0:0.123456789";
    CHECK_EQ_INT(timefmt_parse_sql_timestamp(s, strlen(s), 0, &v), 0);
    CHECK_EQ_INT(v, ts(2017, 11, 26, 9, 0, 0, 123456));
    s = "2017-11-26 09:00:00.1";
    CHECK_EQ_INT(timefmt_parse_sql_timestamp(s, strlen(s), 0, &v), 0);
    CHECK_EQ_INT(v, ts(2017, 11, 26, 9, 0, 0, 100000));
    s = "  2017-11-26 09:00:00 ";
    CHECK_EQ_INT(timefmt_parse_sql_timestamp(s, strlen(s), 0, &v), -1);
    CHECK_EQ_INT(timefmt_parse_sql_timestamp(s, strlen(s), 1, &v), 0);
    CHECK_EQ_INT(v, ts(2017, 11, 26, 9, 0, 0, 0));
    const char *bad[] = {"2017-11-26T09:00:00", "2017-02-29", "2017-11-26 09:00", "17-11-26", "2017-11-26 24:00:00",
                         "2017-11-26 09:00:00.", "2017-11-26 09:00:00.1234567890", "", "2017-011-26"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ_INT(timefmt_parse_sql_timestamp(bad[i], strlen(bad[i]), 1, &v), -1);
    CHECK_EQ_INT(timefmt_parse_sql_timestamp("2016-02-29", 10, 0, &v), 0);
    CHECK_EQ_INT(v, ts(2016, 2, 29, 0, 0, 0, 0));
}

TEST(round_trip)
{
    const char *pats[] = {"yyyy-MM-dd HH:mm:ss.SSSSSS", "dd/MM/yyyy:HH:mm:ss.SSS", "yyyyMMddHHmmss", "EEE MMM dd yyyy hh:mm:ss a"};
    int64_t times[] = {ts(2017, 11, 26, 9, 5, 3, 123456), ts(1969, 12, 31, 23, 59, 59, 0), ts(2000, 2, 29, 12, 0, 0, 0),
                       ts(1901, 1, 1, 0, 0, 1, 0)};
    for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
        for (size_t j = 0; j < sizeof times / sizeof times[0]; j++) {
            char text[256];
            snprintf(text, sizeof text, "%s", fmt(pats[i], times[j]));
            int64_t back = pj(pats[i], text);
            int64_t want = times[j];
            if (i == 1) want -= floor_mod(want, 1000);
            if (i == 2 || i == 3) want -= floor_mod(want, 1000000);
            CHECK_EQ_INT(back, want);
        }
    }
}

int main(void)
{
    RUN(format_seed_patterns);
    RUN(format_numeric_widths);
    RUN(format_fraction);
    RUN(format_names);
    RUN(format_clock_hours);
    RUN(format_literals);
    RUN(format_offsets);
    RUN(format_negative_and_leap);
    RUN(max_len_bounds_output);
    RUN(compile_errors);
    RUN(parse_java_time_basic);
    RUN(parse_java_time_rejects);
    RUN(parse_java_time_smart_day_clamp);
    RUN(parse_adjacent_fields);
    RUN(parse_names_and_clock);
    RUN(parse_offsets);
    RUN(parse_simple_date_format);
    RUN(parse_sql_timestamp);
    RUN(round_trip);
    return CHECK_DONE();
}
