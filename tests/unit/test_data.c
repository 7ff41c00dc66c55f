/* test_data.c - the data layer and its close neighbours: type names and common types, string
 * views, value parsing and both text forms, vectors and chunks, snapshot round trips, and
 * the operator header (watermark combination, end of input, fan-out). */
#include "check.h"
#include "data/types.h"
#include "data/str.h"
#include "data/value.h"
#include "data/vector.h"
#include "data/chunk.h"
#include "state/snapshot.h"
#include "ops/op.h"
#include "base/civil.h"
#include "base/err.h"
#include "base/tz.h"
#include "base/util.h"
#include <math.h>
#include <stdlib.h>

static int64_t ts(int64_t y, int mo, int d, int h, int mi, int s, int us)
{
    civil_t c = {y, mo, d, h, mi, s, us};
    return civil_to_us(&c);
}

static const char *tname(type_t t)
{
    static char buf[64];
    return type_name(t, buf, sizeof buf);
}

/* CAST-style text of v (a static buffer, valid until the next call). */
static const char *fmt(type_t t, value_t v)
{
    static sb_t out;
    sb_clear(&out);
    value_format(t, &v, &out);
    return sb_str(&out);
}

/* Row.toString-style text of v. */
static const char *pfmt(type_t t, value_t v)
{
    static sb_t out;
    sb_clear(&out);
    value_format_print(t, &v, &out);
    return sb_str(&out);
}

static const char *jdouble(double d)
{
    static sb_t out;
    sb_clear(&out);
    format_java_double(d, &out);
    return sb_str(&out);
}

static int parse(type_t t, const char *s, value_t *v)
{
    return value_parse(t, s, strlen(s), v, NULL);
}

/* The parsed int64 of s, or a sentinel when parsing fails. */
#define BAD INT64_C(-777777777777)
static int64_t parse_i(type_t t, const char *s)
{
    value_t v;
    return parse(t, s, &v) ? BAD : v.i;
}

static const tz_t *zone(const char *name)
{
    char err[256];
    const tz_t *z = tz_get(name, err, sizeof err);
    if (!z) fprintf(stderr, "tz_get(%s): %s\n", name, err);
    return z;
}

/* ---- types ---- */

TEST(type_names)
{
    CHECK_EQ_STR(tname(type_make(TY_NULL)), "NULL");
    CHECK_EQ_STR(tname(type_make(TY_BOOLEAN)), "BOOLEAN");
    CHECK_EQ_STR(tname(type_make(TY_INT)), "INT");
    CHECK_EQ_STR(tname(type_make(TY_BIGINT)), "BIGINT");
    CHECK_EQ_STR(tname(type_make(TY_DOUBLE)), "DOUBLE");
    CHECK_EQ_STR(tname(type_make(TY_DECIMAL)), "DECIMAL(10, 0)");
    CHECK_EQ_STR(tname(type_decimal(18, 4)), "DECIMAL(18, 4)");
    CHECK_EQ_STR(tname(type_make(TY_STRING)), "STRING");
    CHECK_EQ_STR(tname(type_varchar(20)), "VARCHAR(20)");
    CHECK_EQ_STR(tname(type_varchar(0)), "VARCHAR(0)");
    CHECK_EQ_STR(tname(type_make(TY_DATE)), "DATE");
    CHECK_EQ_STR(tname(type_make(TY_TIMESTAMP)), "TIMESTAMP(3)");
    CHECK_EQ_STR(tname(type_timestamp(TY_TIMESTAMP, 9)), "TIMESTAMP(9)");
    CHECK_EQ_STR(tname(type_timestamp(TY_TIMESTAMP, 0)), "TIMESTAMP(0)");
    CHECK_EQ_STR(tname(type_make(TY_TIMESTAMP_LTZ)), "TIMESTAMP_LTZ(3)");
    CHECK_EQ_STR(tname(type_make(TY_INTERVAL_DT)), "INTERVAL DAY TO SECOND");
    CHECK_EQ_STR(tname(type_make(TY_INTERVAL_YM)), "INTERVAL YEAR TO MONTH");

    type_t t = type_make(TY_INT);
    t.not_null = 1;
    CHECK_EQ_STR(tname(t), "INT NOT NULL");
    t = type_decimal(10, 2);
    t.not_null = 1;
    CHECK_EQ_STR(tname(t), "DECIMAL(10, 2) NOT NULL");
    t = type_timestamp(TY_TIMESTAMP, 3);
    t.attr = TA_ROWTIME;
    CHECK_EQ_STR(tname(t), "TIMESTAMP(3) *ROWTIME*");
    t.not_null = 1;
    CHECK_EQ_STR(tname(t), "TIMESTAMP(3) NOT NULL *ROWTIME*");
    t = type_timestamp(TY_TIMESTAMP_LTZ, 3);
    t.attr = TA_PROCTIME;
    t.not_null = 1;
    CHECK_EQ_STR(tname(t), "TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*");
    t = type_make(TY_INT);
    t.id = 200;
    CHECK_EQ_STR(tname(t), "?");
    char small[4];
    CHECK_EQ_STR(type_name(type_make(TY_BIGINT), small, sizeof small), "BIG");    /* truncated */
}

TEST(type_constructors_and_predicates)
{
    type_t t = type_make(TY_STRING);
    CHECK_EQ_INT(t.length, -1);
    CHECK_EQ_INT(type_phys(t), PHYS_STR);
    CHECK_EQ_INT(type_phys(type_make(TY_DOUBLE)), PHYS_F64);
    CHECK_EQ_INT(type_phys(type_make(TY_DECIMAL)), PHYS_I64);
    CHECK_EQ_INT(type_phys(type_make(TY_TIMESTAMP_LTZ)), PHYS_I64);
    CHECK_EQ_INT(type_phys(type_make(TY_BOOLEAN)), PHYS_I64);
    CHECK(type_is_numeric(type_make(TY_DECIMAL)));
    CHECK(!type_is_numeric(type_make(TY_BOOLEAN)));
    CHECK(type_is_integer(type_make(TY_BIGINT)));
    CHECK(!type_is_integer(type_make(TY_DOUBLE)));
    CHECK(type_is_timestamp(type_make(TY_TIMESTAMP_LTZ)));
    CHECK(!type_is_timestamp(type_make(TY_DATE)));
    type_t rt = type_make(TY_TIMESTAMP);
    CHECK(!type_is_time_attr(rt));
    rt.attr = TA_ROWTIME;
    CHECK(type_is_time_attr(rt));
    CHECK(type_equal(type_decimal(10, 2), type_decimal(10, 2)));
    CHECK(!type_equal(type_decimal(10, 2), type_decimal(10, 3)));
    CHECK(!type_equal(type_decimal(10, 2), type_decimal(12, 2)));
    CHECK(!type_equal(type_make(TY_INT), type_make(TY_BIGINT)));
    type_t nn = type_make(TY_INT);
    nn.not_null = 1;
    CHECK(type_equal(nn, type_make(TY_INT)));               /* ignores not_null */
    CHECK(type_equal(rt, type_make(TY_TIMESTAMP)));         /* ignores attr */
    CHECK_EQ_INT(pow10_i64(0), 1);
    CHECK_EQ_INT(pow10_i64(18), 1000000000000000000LL);
    CHECK_EQ_INT(pow10_i64(19), 1000000000000000000LL);     /* clamped */
    CHECK_EQ_INT(pow10_i64(-1), 1);
}

/* type_common(a, b) and type_common(b, a), both must give `want` (by name). */
static void check_common(type_t a, type_t b, const char *want, int line)
{
    type_t out;
    char n1[64], n2[64];
    int ok1 = type_common(a, b, &out);
    const char *got1 = ok1 ? type_name(out, n1, sizeof n1) : "(none)";
    int ok2 = type_common(b, a, &out);
    const char *got2 = ok2 ? type_name(out, n2, sizeof n2) : "(none)";
    if (strcmp(got1, want) || strcmp(got2, want)) {
        fprintf(stderr, "%s:%d: common type is \"%s\" / \"%s\", expected \"%s\"\n", __FILE__, line, got1, got2, want);
        check_cur_failed_ = 1;
    }
}
#define COMMON(a, b, want) check_common(a, b, want, __LINE__)

TEST(type_common_rules)
{
    type_t i = type_make(TY_INT), bi = type_make(TY_BIGINT), d = type_make(TY_DOUBLE);
    type_t s = type_make(TY_STRING), b = type_make(TY_BOOLEAN), n = type_make(TY_NULL);
    type_t dt = type_make(TY_DATE);
    COMMON(i, i, "INT");
    COMMON(i, bi, "BIGINT");
    COMMON(i, d, "DOUBLE");
    COMMON(bi, d, "DOUBLE");
    COMMON(type_decimal(10, 2), d, "DOUBLE");
    /* DECIMAL widening: integer digits and scale both kept. */
    COMMON(type_decimal(10, 2), type_decimal(5, 4), "DECIMAL(12, 4)");
    COMMON(type_decimal(10, 2), type_decimal(10, 2), "DECIMAL(10, 2)");
    COMMON(type_decimal(18, 0), type_decimal(18, 10), "DECIMAL(18, 10)");   /* capped at 18 */
    /* INT is DECIMAL(10, 0), BIGINT DECIMAL(19, 0). */
    COMMON(type_decimal(10, 2), i, "DECIMAL(12, 2)");
    COMMON(type_decimal(5, 0), i, "DECIMAL(10, 0)");
    COMMON(type_decimal(12, 1), i, "DECIMAL(12, 1)");
    COMMON(type_decimal(10, 2), bi, "DECIMAL(18, 2)");
    /* NULL takes the other side's type, made nullable. */
    COMMON(n, i, "INT");
    COMMON(n, n, "NULL");
    COMMON(n, type_decimal(7, 3), "DECIMAL(7, 3)");
    type_t inn = i;
    inn.not_null = 1;
    COMMON(n, inn, "INT");
    COMMON(inn, inn, "INT NOT NULL");
    COMMON(inn, i, "INT");
    /* Strings. */
    COMMON(s, s, "STRING");
    COMMON(type_varchar(5), type_varchar(10), "VARCHAR(10)");
    COMMON(type_varchar(5), s, "STRING");
    /* Time. */
    COMMON(type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP, 6), "TIMESTAMP(6)");
    COMMON(type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP_LTZ, 0), "TIMESTAMP_LTZ(3)");
    COMMON(dt, type_timestamp(TY_TIMESTAMP, 0), "TIMESTAMP(0)");
    COMMON(dt, dt, "DATE");
    type_t rt = type_timestamp(TY_TIMESTAMP, 3);
    rt.attr = TA_ROWTIME;
    COMMON(rt, rt, "TIMESTAMP(3)");                      /* time attribute dropped */
    COMMON(rt, dt, "TIMESTAMP(3)");
    COMMON(n, rt, "TIMESTAMP(3)");
    /* No common type. */
    COMMON(s, i, "(none)");
    COMMON(b, i, "(none)");
    COMMON(dt, i, "(none)");
    COMMON(s, dt, "(none)");
    COMMON(type_make(TY_INTERVAL_DT), type_make(TY_INTERVAL_YM), "(none)");
    COMMON(b, b, "BOOLEAN");
}

/* ---- string views ---- */

TEST(str_inline_and_pointer_views)
{
    const char *s12 = "abcdefghijkl", *s13 = "abcdefghijklm";
    str_t a = str_view(s12, 12), b = str_view(s13, 13);
    CHECK(str_ptr(&a) == a.prefix);                  /* inline: bytes live in the view */
    CHECK(memcmp(str_ptr(&a), s12, 12) == 0);
    CHECK(str_ptr(&b) == s13);                       /* pointer view: no copy */
    CHECK(memcmp(b.prefix, "abcd", 4) == 0);
    str_t e = str_view("", 0);
    CHECK_EQ_INT(e.len, 0);
    str_t c = str_cstr("hi");
    CHECK_EQ_INT(c.len, 2);
    CHECK(memcmp(str_ptr(&c), "hi", 2) == 0);

    arena_t ar;
    arena_init(&ar, 1024);
    char buf[32];
    strcpy(buf, s13);
    str_t copied = str_copy(&ar, buf, 13);
    str_t copied12 = str_copy(&ar, buf, 12);
    memset(buf, 'z', sizeof buf);                    /* the source goes away */
    CHECK(str_ptr(&copied) != buf);
    CHECK(memcmp(str_ptr(&copied), s13, 13) == 0);
    CHECK(memcmp(str_ptr(&copied12), s12, 12) == 0);
    CHECK(str_eq(&copied, &b));
    CHECK(str_eq(&copied12, &a));
    arena_free(&ar);
}

TEST(str_eq_across_inline_boundary)
{
    str_t a12 = str_cstr("abcdefghijkl"), b12 = str_cstr("abcdefghijkl");
    str_t a13 = str_cstr("abcdefghijklm"), b13 = str_cstr("abcdefghijklm");
    CHECK(str_eq(&a12, &b12));
    CHECK(str_eq(&a13, &b13));
    CHECK(!str_eq(&a12, &a13));
    CHECK(!str_eq(&a13, &a12));
    /* Equal prefixes, different tails, at every length class. */
    str_t x3 = str_cstr("abc"), y3 = str_cstr("abd");
    CHECK(!str_eq(&x3, &y3));
    str_t x5 = str_cstr("abcdX"), y5 = str_cstr("abcdY");
    CHECK(!str_eq(&x5, &y5));
    str_t x12 = str_cstr("abcdefghijkX"), y12 = str_cstr("abcdefghijkY");
    CHECK(!str_eq(&x12, &y12));
    str_t x20 = str_cstr("abcdefghijklmnopqrsX"), y20 = str_cstr("abcdefghijklmnopqrsY");
    CHECK(!str_eq(&x20, &y20));
    char other[21];
    memcpy(other, "abcdefghijklmnopqrsX", 21);
    str_t z20 = str_cstr(other);                     /* same bytes, another pointer */
    CHECK(str_eq(&x20, &z20));
    str_t e1 = str_cstr(""), e2 = str_view("xyz", 0);
    CHECK(str_eq(&e1, &e2));
    /* Different lengths with a common 4-byte prefix. */
    str_t p4 = str_cstr("abcd"), p5 = str_cstr("abcde");
    CHECK(!str_eq(&p4, &p5));
}

static int sgn(int x) { return (x > 0) - (x < 0); }

/* str_cmp(a, b) has sign `want` and str_cmp(b, a) the opposite one. */
static void check_cmp(const char *a, const char *b, int want, int line)
{
    str_t x = str_cstr(a), y = str_cstr(b);
    int c1 = sgn(str_cmp(&x, &y)), c2 = sgn(str_cmp(&y, &x));
    if (c1 != want || c2 != -want) {
        fprintf(stderr, "%s:%d: str_cmp(\"%s\", \"%s\") sign %d / reverse %d, expected %d\n", __FILE__, line, a, b, c1, c2, want);
        check_cur_failed_ = 1;
    }
}
#define CMP(a, b, want) check_cmp(a, b, want, __LINE__)

TEST(str_cmp_order)
{
    CMP("", "", 0);
    CMP("", "a", -1);
    CMP("abc", "abd", -1);
    CMP("abc", "abcd", -1);
    CMP("abcd", "abcd", 0);
    CMP("abcd", "abcde", -1);
    CMP("abce", "abcde", 1);
    CMP("b", "abcdefghijklmnop", 1);
    CMP("abcdefghijkl", "abcdefghijklm", -1);          /* inline vs pointer, equal prefix */
    CMP("abcdefghijkz", "abcdefghijklm", 1);           /* differs inside the inline bytes */
    CMP("abcdefghijklmnopqrsX", "abcdefghijklmnopqrsY", -1);
    CMP("abcdefghijklmnopqrs", "abcdefghijklmnopqrs", 0);
    CMP("abcdefghijklmnopqrs", "abcdefghijklmnopqr", 1);
    CMP("abcdeZ", "abcdea", -1);                       /* byte order: 'Z' < 'a' */
    CMP("\xc3\xa9", "z", 1);                           /* UTF-8 bytes compare unsigned */
    CMP("abcdefghijklmno\xc3\xa9", "abcdefghijklmnoz", 1);
}

/* ---- value parsing ---- */

TEST(parse_boolean)
{
    type_t t = type_make(TY_BOOLEAN);
    CHECK_EQ_INT(parse_i(t, "true"), 1);
    CHECK_EQ_INT(parse_i(t, "TRUE"), 1);
    CHECK_EQ_INT(parse_i(t, " False "), 0);
    CHECK_EQ_INT(parse_i(t, "1"), 1);
    CHECK_EQ_INT(parse_i(t, "0"), 0);
    CHECK_EQ_INT(parse_i(t, "yes"), BAD);
    CHECK_EQ_INT(parse_i(t, "2"), BAD);
    CHECK_EQ_INT(parse_i(t, "tru"), BAD);
    CHECK_EQ_INT(parse_i(t, "truex"), BAD);
    CHECK_EQ_INT(parse_i(t, ""), BAD);
}

TEST(parse_int_limits)
{
    type_t t = type_make(TY_INT);
    CHECK_EQ_INT(parse_i(t, "0"), 0);
    CHECK_EQ_INT(parse_i(t, "42"), 42);
    CHECK_EQ_INT(parse_i(t, " -17 "), -17);
    CHECK_EQ_INT(parse_i(t, "+5"), 5);
    CHECK_EQ_INT(parse_i(t, "007"), 7);
    CHECK_EQ_INT(parse_i(t, "2147483647"), 2147483647);
    CHECK_EQ_INT(parse_i(t, "2147483648"), BAD);
    CHECK_EQ_INT(parse_i(t, "-2147483648"), -2147483648LL);
    CHECK_EQ_INT(parse_i(t, "-2147483649"), BAD);
    CHECK_EQ_INT(parse_i(t, ""), BAD);
    CHECK_EQ_INT(parse_i(t, "   "), BAD);
    CHECK_EQ_INT(parse_i(t, "-"), BAD);
    CHECK_EQ_INT(parse_i(t, "+"), BAD);
    CHECK_EQ_INT(parse_i(t, "1.0"), BAD);
    CHECK_EQ_INT(parse_i(t, "4 2"), BAD);
    CHECK_EQ_INT(parse_i(t, "12a"), BAD);
    CHECK_EQ_INT(parse_i(t, "--1"), BAD);
}

TEST(parse_bigint_limits)
{
    type_t t = type_make(TY_BIGINT);
    CHECK_EQ_INT(parse_i(t, "2147483648"), 2147483648LL);
    CHECK_EQ_INT(parse_i(t, "9223372036854775807"), INT64_MAX);
    CHECK_EQ_INT(parse_i(t, "9223372036854775808"), BAD);
    CHECK_EQ_INT(parse_i(t, "-9223372036854775808"), INT64_MIN);
    CHECK_EQ_INT(parse_i(t, "-9223372036854775809"), BAD);
    CHECK_EQ_INT(parse_i(t, "18446744073709551616"), BAD);    /* 2^64 */
    CHECK_EQ_INT(parse_i(t, "99999999999999999999"), BAD);
    CHECK_EQ_INT(parse_i(t, "-00000000000000000000001"), -1);
}

TEST(parse_double)
{
    type_t t = type_make(TY_DOUBLE);
    value_t v;
    CHECK_EQ_INT(parse(t, "1.5", &v), 0);
    CHECK_EQ_DBL(v.f, 1.5, 0);
    CHECK_EQ_INT(parse(t, " -2.25e3 ", &v), 0);
    CHECK_EQ_DBL(v.f, -2250, 0);
    CHECK_EQ_INT(parse(t, "-0.0", &v), 0);
    CHECK(v.f == 0 && signbit(v.f));
    CHECK_EQ_INT(parse(t, "42", &v), 0);
    CHECK_EQ_DBL(v.f, 42, 0);
    CHECK_EQ_INT(parse(t, ".5", &v), 0);
    CHECK_EQ_DBL(v.f, 0.5, 0);
    CHECK_EQ_INT(parse(t, "NaN", &v), 0);
    CHECK(isnan(v.f));
    CHECK_EQ_INT(parse(t, "Infinity", &v), 0);
    CHECK(isinf(v.f) && v.f > 0);
    CHECK_EQ_INT(parse(t, "-Infinity", &v), 0);
    CHECK(isinf(v.f) && v.f < 0);
    CHECK_EQ_INT(parse(t, "", &v), -1);
    CHECK_EQ_INT(parse(t, "abc", &v), -1);
    CHECK_EQ_INT(parse(t, "1.5x", &v), -1);
    CHECK_EQ_INT(parse(t, "1 5", &v), -1);
}

TEST(parse_decimal_half_up)
{
    type_t t = type_decimal(10, 2);
    CHECK_EQ_INT(parse_i(t, "12.345"), 1235);
    CHECK_EQ_INT(parse_i(t, "12.344"), 1234);
    CHECK_EQ_INT(parse_i(t, "12.3449999"), 1234);        /* only the first dropped digit counts */
    CHECK_EQ_INT(parse_i(t, "12.3450001"), 1235);
    CHECK_EQ_INT(parse_i(t, "-12.345"), -1235);          /* half away from zero */
    CHECK_EQ_INT(parse_i(t, "-12.344"), -1234);
    CHECK_EQ_INT(parse_i(t, "-0.005"), -1);
    CHECK_EQ_INT(parse_i(t, "-0.004"), 0);
    CHECK_EQ_INT(parse_i(t, "0.005"), 1);
    CHECK_EQ_INT(parse_i(t, "9.995"), 1000);             /* carry into the integer part */
    CHECK_EQ_INT(parse_i(t, "-9.995"), -1000);
    CHECK_EQ_INT(parse_i(t, "12.3"), 1230);
    CHECK_EQ_INT(parse_i(t, "12"), 1200);
    CHECK_EQ_INT(parse_i(t, "12."), 1200);
    CHECK_EQ_INT(parse_i(t, ".5"), 50);
    CHECK_EQ_INT(parse_i(t, "+3.10"), 310);
    CHECK_EQ_INT(parse_i(t, " 7.00 "), 700);
    CHECK_EQ_INT(parse_i(t, "1.5e2"), 15000);
    CHECK_EQ_INT(parse_i(t, "1.2.3"), BAD);
    CHECK_EQ_INT(parse_i(t, "."), BAD);
    CHECK_EQ_INT(parse_i(t, "-"), BAD);
    CHECK_EQ_INT(parse_i(t, ""), BAD);
    CHECK_EQ_INT(parse_i(t, "abc"), BAD);
    CHECK_EQ_INT(parse_i(t, "1,5"), BAD);
    CHECK_EQ_INT(parse_i(t, "1e400"), BAD);
    type_t t0 = type_decimal(5, 0);
    CHECK_EQ_INT(parse_i(t0, "2.5"), 3);
    CHECK_EQ_INT(parse_i(t0, "-2.5"), -3);
    CHECK_EQ_INT(parse_i(t0, "2.49"), 2);
    type_t t18 = type_decimal(18, 0);
    CHECK_EQ_INT(parse_i(t18, "999999999999999999"), 999999999999999999LL);
    CHECK_EQ_INT(parse_i(t18, "99999999999999999999"), BAD);
    int64_t out;
    CHECK_EQ_INT(parse_decimal_scaled("12.345", 6, 2, &out), 0);
    CHECK_EQ_INT(out, 1235);
    CHECK_EQ_INT(parse_decimal_scaled("0.1", 3, 4, &out), 0);
    CHECK_EQ_INT(out, 1000);
    CHECK_EQ_INT(parse_decimal_scaled("x", 1, 2, &out), -1);
}

TEST(parse_date_validity)
{
    type_t t = type_make(TY_DATE);
    CHECK_EQ_INT(parse_i(t, "1970-01-01"), 0);
    CHECK_EQ_INT(parse_i(t, "1969-12-31"), -1);
    CHECK_EQ_INT(parse_i(t, "2017-11-26"), 17496);
    CHECK_EQ_INT(parse_i(t, " 2017-11-26 "), 17496);
    CHECK_EQ_INT(parse_i(t, "2017-1-5"), days_from_civil(2017, 1, 5));
    CHECK_EQ_INT(parse_i(t, "2024-02-29"), 19782);          /* leap year */
    CHECK_EQ_INT(parse_i(t, "2023-02-29"), BAD);
    CHECK_EQ_INT(parse_i(t, "2023-02-28"), 19416);
    CHECK_EQ_INT(parse_i(t, "2000-02-29"), 11016);          /* divisible by 400 */
    CHECK_EQ_INT(parse_i(t, "1900-02-29"), BAD);            /* divisible by 100 */
    CHECK_EQ_INT(parse_i(t, "2017-04-30"), days_from_civil(2017, 4, 30));
    CHECK_EQ_INT(parse_i(t, "2017-04-31"), BAD);
    CHECK_EQ_INT(parse_i(t, "2017-12-31"), days_from_civil(2017, 12, 31));
    CHECK_EQ_INT(parse_i(t, "2017-13-01"), BAD);
    CHECK_EQ_INT(parse_i(t, "2017-00-10"), BAD);
    CHECK_EQ_INT(parse_i(t, "2017-01-00"), BAD);
    CHECK_EQ_INT(parse_i(t, "2017-01-32"), BAD);
    CHECK_EQ_INT(parse_i(t, "17-01-01"), BAD);
    CHECK_EQ_INT(parse_i(t, "2017/01/01"), BAD);
    CHECK_EQ_INT(parse_i(t, "2017-01-011"), BAD);
    CHECK_EQ_INT(parse_i(t, "2017-01"), BAD);
    CHECK_EQ_INT(parse_i(t, "2017-11-26 09:00:00"), BAD);   /* a DATE has no time part */
    CHECK_EQ_INT(parse_i(t, ""), BAD);
}

TEST(parse_timestamp_forms)
{
    type_t t = type_make(TY_TIMESTAMP);
    int64_t nine = ts(2017, 11, 26, 9, 0, 0, 0);
    CHECK_EQ_INT(parse_i(t, "2017-11-26 09:00:00"), nine);
    CHECK_EQ_INT(parse_i(t, "2017-11-26T09:00:00"), nine);
    CHECK_EQ_INT(parse_i(t, "2017-11-26 09:00"), nine);
    CHECK_EQ_INT(parse_i(t, "2017-11-26T09:00"), nine);
    CHECK_EQ_INT(parse_i(t, "2017-11-26 9:0:0"), nine);
    CHECK_EQ_INT(parse_i(t, " 2017-11-26 09:00:00 "), nine);
    CHECK_EQ_INT(parse_i(t, "2017-11-26"), ts(2017, 11, 26, 0, 0, 0, 0));
    CHECK_EQ_INT(parse_i(t, "2017-11-26 23:59:59"), ts(2017, 11, 26, 23, 59, 59, 0));
    CHECK_EQ_INT(parse_i(t, "1969-12-31 23:59:59.999999"), -1);
    CHECK_EQ_INT(parse_i(t, "2017-11-26 24:00:00"), BAD);
    CHECK_EQ_INT(parse_i(t, "2017-11-26 23:60:00"), BAD);
    CHECK_EQ_INT(parse_i(t, "2017-11-26 23:59:60"), BAD);
    CHECK_EQ_INT(parse_i(t, "2017-11-26 09"), BAD);
    CHECK_EQ_INT(parse_i(t, "2017-11-26 09:"), BAD);
    CHECK_EQ_INT(parse_i(t, "2017-11-26 09:00:"), BAD);
    CHECK_EQ_INT(parse_i(t, "2017-11-26X09:00:00"), BAD);
    CHECK_EQ_INT(parse_i(t, "2017-11-26 09:00:00 x"), BAD);
    CHECK_EQ_INT(parse_i(t, "2017-02-29 09:00:00"), BAD);
    CHECK_EQ_INT(parse_i(t, "2016-02-29 09:00:00"), ts(2016, 2, 29, 9, 0, 0, 0));
}

TEST(parse_timestamp_fractions)
{
    type_t t = type_timestamp(TY_TIMESTAMP, 9);
    int64_t base = ts(2017, 11, 26, 9, 0, 1, 0);
    static const struct { const char *text; int micros; } cases[] = {
        {"2017-11-26 09:00:01.5", 500000},
        {"2017-11-26 09:00:01.12", 120000},
        {"2017-11-26 09:00:01.123", 123000},
        {"2017-11-26 09:00:01.1234", 123400},
        {"2017-11-26 09:00:01.12345", 123450},
        {"2017-11-26 09:00:01.123456", 123456},
        {"2017-11-26 09:00:01.1234567", 123456},        /* digits past micros are dropped */
        {"2017-11-26 09:00:01.12345678", 123456},
        {"2017-11-26 09:00:01.123456789", 123456},
        {"2017-11-26 09:00:01.000001", 1},
        {"2017-11-26 09:00:01.999999999", 999999},
        {"2017-11-26T09:00:01.050", 50000},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        int64_t got = parse_i(t, cases[i].text);
        if (got != base + cases[i].micros) {
            fprintf(stderr, "%s:%d: parse(\"%s\") = %lld, expected %lld\n", __FILE__, __LINE__, cases[i].text,
                    (long long)got, (long long)(base + cases[i].micros));
            check_cur_failed_ = 1;
        }
    }
    CHECK_EQ_INT(parse_i(t, "2017-11-26 09:00:01."), BAD);
    CHECK_EQ_INT(parse_i(t, "2017-11-26 09:00:01.1234567890"), BAD);   /* at most 9 digits */
    CHECK_EQ_INT(parse_i(t, "2017-11-26 09:00:01.12a"), BAD);
}

TEST(parse_timestamp_ltz_in_session_zone)
{
    const tz_t *sh = zone("Asia/Shanghai");
    CHECK(sh != NULL);
    if (!sh) return;
    type_t t = type_make(TY_TIMESTAMP_LTZ);
    int64_t one_utc = ts(2017, 11, 26, 1, 0, 0, 0);
    /* Default session zone: UTC. */
    CHECK_EQ_STR(tz_name(value_session_tz()), "UTC");
    CHECK_EQ_INT(parse_i(t, "2017-11-26 01:00:00"), one_utc);
    value_set_session_tz(sh);
    CHECK(value_session_tz() == sh);
    /* A wall-clock reading in Shanghai (+08:00) is 8 hours earlier in UTC. */
    CHECK_EQ_INT(parse_i(t, "2017-11-26 09:00:00"), one_utc);
    CHECK_EQ_INT(parse_i(t, "2017-11-26T09:00:00.5"), one_utc + 500000);
    CHECK_EQ_INT(parse_i(t, "2017-11-26"), ts(2017, 11, 25, 16, 0, 0, 0));
    /* A trailing Z means the text already is UTC. */
    CHECK_EQ_INT(parse_i(t, "2017-11-26T01:00:00Z"), one_utc);
    CHECK_EQ_INT(parse_i(t, "2017-11-26 01:00:00.250Z"), one_utc + 250000);
    CHECK_EQ_INT(parse_i(t, "2017-11-26T01:00Z"), one_utc);
    CHECK_EQ_INT(parse_i(t, "2017-11-26T01:00:00ZZ"), BAD);
    /* Both text forms: CAST shows the session zone, print shows the UTC instant. */
    value_t v = value_i64(one_utc + 500000);
    CHECK_EQ_STR(fmt(t, v), "2017-11-26 09:00:00.500");
    CHECK_EQ_STR(pfmt(t, v), "2017-11-26T01:00:00.500Z");
    /* China kept DST in 1988: +09:00 in July. */
    CHECK_EQ_INT(parse_i(t, "1988-07-01 09:00:00"), ts(1988, 7, 1, 0, 0, 0, 0));
    value_set_session_tz(zone("UTC"));
    CHECK_EQ_INT(parse_i(t, "2017-11-26 09:00:00"), ts(2017, 11, 26, 9, 0, 0, 0));
    CHECK_EQ_STR(fmt(t, v), "2017-11-26 01:00:00.500");
}

TEST(parse_string_copies_into_arena)
{
    type_t t = type_make(TY_STRING);
    arena_t ar;
    arena_init(&ar, 1024);
    char buf[64];
    strcpy(buf, "  a long string value  ");
    value_t v;
    CHECK_EQ_INT(value_parse(t, buf, strlen(buf), &v, &ar), 0);
    CHECK_EQ_INT(v.s.len, 23);                       /* strings are not trimmed */
    CHECK(str_ptr(&v.s) != buf);
    memset(buf, 'z', sizeof buf);
    CHECK(memcmp(str_ptr(&v.s), "  a long string value  ", 23) == 0);
    /* Without an arena: a view of the input. */
    strcpy(buf, "another long string");
    CHECK_EQ_INT(value_parse(t, buf, strlen(buf), &v, NULL), 0);
    CHECK(str_ptr(&v.s) == buf);
    CHECK_EQ_INT(value_parse(t, "", 0, &v, NULL), 0);
    CHECK_EQ_INT(v.s.len, 0);
    CHECK_EQ_INT(v.null, 0);
    /* Types without a text form. */
    CHECK_EQ_INT(value_parse(type_make(TY_INTERVAL_DT), "1", 1, &v, NULL), -1);
    CHECK_EQ_INT(value_parse(type_make(TY_NULL), "1", 1, &v, NULL), -1);
    arena_free(&ar);
}

/* ---- value text forms ---- */

TEST(format_cast_style)
{
    CHECK_EQ_STR(fmt(type_make(TY_INT), value_null()), "NULL");
    CHECK_EQ_STR(fmt(type_make(TY_BOOLEAN), value_i64(1)), "TRUE");
    CHECK_EQ_STR(fmt(type_make(TY_BOOLEAN), value_i64(0)), "FALSE");
    CHECK_EQ_STR(fmt(type_make(TY_INT), value_i64(-2147483648LL)), "-2147483648");
    CHECK_EQ_STR(fmt(type_make(TY_BIGINT), value_i64(INT64_MIN)), "-9223372036854775808");
    CHECK_EQ_STR(fmt(type_make(TY_BIGINT), value_i64(INT64_MAX)), "9223372036854775807");
    CHECK_EQ_STR(fmt(type_make(TY_DOUBLE), value_f64(1.5)), "1.5");
    CHECK_EQ_STR(fmt(type_decimal(10, 2), value_i64(1250)), "12.50");
    CHECK_EQ_STR(fmt(type_decimal(10, 2), value_i64(-5)), "-0.05");
    CHECK_EQ_STR(fmt(type_decimal(10, 2), value_i64(0)), "0.00");
    CHECK_EQ_STR(fmt(type_decimal(10, 0), value_i64(-42)), "-42");
    CHECK_EQ_STR(fmt(type_decimal(18, 18), value_i64(1)), "0.000000000000000001");
    CHECK_EQ_STR(fmt(type_decimal(18, 2), value_i64(INT64_MIN)), "-92233720368547758.08");
    value_t s;
    memset(&s, 0, sizeof s);
    s.s = str_cstr("hello world, long");
    CHECK_EQ_STR(fmt(type_make(TY_STRING), s), "hello world, long");
    CHECK_EQ_STR(fmt(type_make(TY_DATE), value_i64(19782)), "2024-02-29");
    CHECK_EQ_STR(fmt(type_make(TY_DATE), value_i64(-1)), "1969-12-31");
    CHECK_EQ_STR(fmt(type_make(TY_DATE), value_i64(days_from_civil(33, 5, 6))), "0033-05-06");
    int64_t t0 = ts(2017, 11, 26, 9, 0, 0, 0);
    CHECK_EQ_STR(fmt(type_timestamp(TY_TIMESTAMP, 3), value_i64(t0)), "2017-11-26 09:00:00.000");
    CHECK_EQ_STR(fmt(type_timestamp(TY_TIMESTAMP, 0), value_i64(t0 + 1500000)), "2017-11-26 09:00:01");
    CHECK_EQ_STR(fmt(type_timestamp(TY_TIMESTAMP, 1), value_i64(t0 + 1500000)), "2017-11-26 09:00:01.5");
    CHECK_EQ_STR(fmt(type_timestamp(TY_TIMESTAMP, 6), value_i64(t0 + 123456)), "2017-11-26 09:00:00.123456");
    CHECK_EQ_STR(fmt(type_timestamp(TY_TIMESTAMP, 9), value_i64(t0 + 123456)), "2017-11-26 09:00:00.123456000");
    CHECK_EQ_STR(fmt(type_timestamp(TY_TIMESTAMP, 3), value_i64(-1)), "1969-12-31 23:59:59.999");
    /* INTERVAL DAY TO SECOND: 1 day 01:01:01.001; YEAR TO MONTH: 14 months. */
    int64_t dt = ((86400LL + 3661) * 1000 + 1) * 1000;
    CHECK_EQ_STR(fmt(type_make(TY_INTERVAL_DT), value_i64(dt)), "+1 01:01:01.001");
    CHECK_EQ_STR(fmt(type_make(TY_INTERVAL_DT), value_i64(-dt)), "-1 01:01:01.001");
    CHECK_EQ_STR(fmt(type_make(TY_INTERVAL_DT), value_i64(0)), "+0 00:00:00.000");
    CHECK_EQ_STR(fmt(type_make(TY_INTERVAL_YM), value_i64(14)), "+1-02");
    CHECK_EQ_STR(fmt(type_make(TY_INTERVAL_YM), value_i64(-14)), "-1-02");
}

TEST(format_print_style)
{
    CHECK_EQ_STR(pfmt(type_make(TY_INT), value_null()), "null");
    CHECK_EQ_STR(pfmt(type_make(TY_STRING), value_null()), "null");
    CHECK_EQ_STR(pfmt(type_make(TY_BOOLEAN), value_i64(1)), "true");
    CHECK_EQ_STR(pfmt(type_make(TY_BOOLEAN), value_i64(0)), "false");
    CHECK_EQ_STR(pfmt(type_make(TY_BIGINT), value_i64(-7)), "-7");
    CHECK_EQ_STR(pfmt(type_decimal(10, 2), value_i64(1250)), "12.50");
    CHECK_EQ_STR(pfmt(type_make(TY_DOUBLE), value_f64(1)), "1.0");
    CHECK_EQ_STR(pfmt(type_make(TY_DATE), value_i64(17496)), "2017-11-26");
    type_t t = type_make(TY_TIMESTAMP);
    int64_t t0 = ts(2017, 11, 26, 9, 0, 0, 0);
    CHECK_EQ_STR(pfmt(t, value_i64(t0)), "2017-11-26T09:00");
    CHECK_EQ_STR(pfmt(t, value_i64(t0 + 1000000)), "2017-11-26T09:00:01");
    CHECK_EQ_STR(pfmt(t, value_i64(t0 + 1500000)), "2017-11-26T09:00:01.500");
    CHECK_EQ_STR(pfmt(t, value_i64(t0 + 1000)), "2017-11-26T09:00:00.001");
    CHECK_EQ_STR(pfmt(t, value_i64(t0 + 123)), "2017-11-26T09:00:00.000123");
    CHECK_EQ_STR(pfmt(t, value_i64(t0 + 123456)), "2017-11-26T09:00:00.123456");
    CHECK_EQ_STR(pfmt(t, value_i64(t0 + 59 * 60000000LL)), "2017-11-26T09:59");
    CHECK_EQ_STR(pfmt(t, value_i64(-1)), "1969-12-31T23:59:59.999999");
    type_t l = type_make(TY_TIMESTAMP_LTZ);
    int64_t u0 = ts(2017, 11, 26, 1, 0, 0, 0);
    CHECK_EQ_STR(pfmt(l, value_i64(u0)), "2017-11-26T01:00:00Z");      /* Instant: seconds always */
    CHECK_EQ_STR(pfmt(l, value_i64(u0 + 1500000)), "2017-11-26T01:00:01.500Z");
    CHECK_EQ_STR(pfmt(l, value_i64(u0 + 7)), "2017-11-26T01:00:00.000007Z");
}

TEST(format_java_double_forms)
{
    CHECK_EQ_STR(jdouble(1.0), "1.0");
    CHECK_EQ_STR(jdouble(-1.0), "-1.0");
    CHECK_EQ_STR(jdouble(0.0), "0.0");
    CHECK_EQ_STR(jdouble(-0.0), "-0.0");
    CHECK_EQ_STR(jdouble(0.1), "0.1");
    CHECK_EQ_STR(jdouble(1.5), "1.5");
    CHECK_EQ_STR(jdouble(100.0), "100.0");
    CHECK_EQ_STR(jdouble(123.456), "123.456");
    CHECK_EQ_STR(jdouble(1.0 / 3), "0.3333333333333333");
    CHECK_EQ_STR(jdouble(2.0 / 3), "0.6666666666666666");
    /* Decimal form in [1e-3, 1e7), computerized scientific notation outside. */
    CHECK_EQ_STR(jdouble(0.001), "0.001");
    CHECK_EQ_STR(jdouble(0.00099), "9.9E-4");
    CHECK_EQ_STR(jdouble(1.5e-4), "1.5E-4");
    CHECK_EQ_STR(jdouble(-1.5e-4), "-1.5E-4");
    CHECK_EQ_STR(jdouble(1e-5), "1.0E-5");
    CHECK_EQ_STR(jdouble(9999999.0), "9999999.0");
    CHECK_EQ_STR(jdouble(9999999.5), "9999999.5");
    CHECK_EQ_STR(jdouble(1e7), "1.0E7");
    CHECK_EQ_STR(jdouble(-1e7), "-1.0E7");
    CHECK_EQ_STR(jdouble(1.5e10), "1.5E10");
    CHECK_EQ_STR(jdouble(12345678.9), "1.23456789E7");
    CHECK_EQ_STR(jdouble(1e21), "1.0E21");
    CHECK_EQ_STR(jdouble(1.7976931348623157e308), "1.7976931348623157E308");
    CHECK_EQ_STR(jdouble(NAN), "NaN");
    CHECK_EQ_STR(jdouble(INFINITY), "Infinity");
    CHECK_EQ_STR(jdouble(-INFINITY), "-Infinity");
    CHECK_EQ_STR(fmt(type_make(TY_DOUBLE), value_f64(1e7)), "1.0E7");
    CHECK_EQ_STR(pfmt(type_make(TY_DOUBLE), value_f64(-0.0)), "-0.0");
}

TEST(value_cmp_by_kind)
{
    value_t a = value_i64(-5), b = value_i64(3);
    CHECK(value_cmp(type_make(TY_BIGINT), &a, &b) < 0);
    CHECK(value_cmp(type_make(TY_BIGINT), &b, &a) > 0);
    CHECK_EQ_INT(value_cmp(type_make(TY_BIGINT), &a, &a), 0);
    value_t mn = value_i64(INT64_MIN), mx = value_i64(INT64_MAX);
    CHECK(value_cmp(type_make(TY_BIGINT), &mn, &mx) < 0);          /* no subtraction overflow */
    value_t x = value_f64(-0.5), y = value_f64(0.25);
    CHECK(value_cmp(type_make(TY_DOUBLE), &x, &y) < 0);
    value_t s1, s2;
    memset(&s1, 0, sizeof s1);
    memset(&s2, 0, sizeof s2);
    s1.s = str_cstr("apple");
    s2.s = str_cstr("banana");
    CHECK(value_cmp(type_make(TY_STRING), &s1, &s2) < 0);
}

/* ---- vectors and chunks ---- */

static void make_schema(schema_t *s)
{
    schema_init(s, 3);
    s->types[0] = type_make(TY_BIGINT);
    s->types[1] = type_make(TY_STRING);
    s->types[2] = type_make(TY_DOUBLE);
    s->names[0] = xstrdup("id");
    s->names[1] = xstrdup("Name");
    s->names[2] = xstrdup("score");
}

static value_t sval(const char *p)
{
    value_t v;
    memset(&v, 0, sizeof v);
    v.s = str_view(p, (uint32_t)strlen(p));
    return v;
}

static int str_is(const str_t *s, const char *want)
{
    return s->len == strlen(want) && memcmp(str_ptr(s), want, s->len) == 0;
}

TEST(schema_find_and_copy)
{
    schema_t s, c;
    make_schema(&s);
    CHECK_EQ_INT(schema_find(&s, "id"), 0);
    CHECK_EQ_INT(schema_find(&s, "NAME"), 1);
    CHECK_EQ_INT(schema_find(&s, "Score"), 2);
    CHECK_EQ_INT(schema_find(&s, "nope"), -1);
    schema_copy(&c, &s);
    schema_free(&s);                                   /* the copy is deep */
    CHECK_EQ_INT(c.ncols, 3);
    CHECK_EQ_STR(c.names[1], "Name");
    CHECK_EQ_INT(c.types[2].id, TY_DOUBLE);
    schema_free(&c);
    CHECK_EQ_INT(c.ncols, 0);
    CHECK_EQ_STR(row_op_names[OP_INSERT], "+I");
    CHECK_EQ_STR(row_op_names[OP_UPDATE_BEFORE], "-U");
    CHECK_EQ_STR(row_op_names[OP_UPDATE_AFTER], "+U");
    CHECK_EQ_STR(row_op_names[OP_DELETE], "-D");
    CHECK(op_is_add(OP_INSERT) && op_is_add(OP_UPDATE_AFTER));
    CHECK(!op_is_add(OP_UPDATE_BEFORE) && !op_is_add(OP_DELETE));
}

TEST(vector_get_set)
{
    vector_t v;
    vector_init(&v, type_make(TY_STRING), 4);
    CHECK_EQ_INT(v.cap, 4);
    arena_t ar;
    arena_init(&ar, 1024);
    char buf[32];
    strcpy(buf, "a string longer than 12");
    value_t in = sval(buf), out;
    vector_set(&v, 0, &in, &ar);
    value_t nul = value_null();
    vector_set(&v, 1, &nul, &ar);
    memset(buf, 'q', sizeof buf - 1);
    vector_get(&v, 0, &out);
    CHECK_EQ_INT(out.null, 0);
    CHECK(str_is(&out.s, "a string longer than 12"));
    vector_get(&v, 1, &out);
    CHECK_EQ_INT(out.null, 1);
    CHECK_EQ_INT(v.str[1].len, 0);
    /* Overwriting a NULL with a value clears the null flag. */
    value_t shortv = sval("short");
    vector_set(&v, 1, &shortv, &ar);
    vector_get(&v, 1, &out);
    CHECK(!out.null && str_is(&out.s, "short"));
    vector_free(&v);
    CHECK(v.data == NULL && v.nulls == NULL);

    vector_init(&v, type_make(TY_DOUBLE), 2);
    value_t d = value_f64(-0.0);
    vector_set(&v, 0, &d, NULL);
    vector_get(&v, 0, &out);
    CHECK(out.f == 0 && signbit(out.f));
    vector_t w;
    vector_init(&w, type_make(TY_DOUBLE), 2);
    vector_copy_row(&w, 1, &v, 0, NULL);
    CHECK(w.f64[1] == 0 && signbit(w.f64[1]));
    CHECK_EQ_INT(w.nulls[1], 0);
    vector_free(&v);
    vector_free(&w);
    arena_free(&ar);
}

TEST(chunk_new_and_append_values)
{
    schema_t s;
    make_schema(&s);
    chunk_t *c = chunk_new(&s, CHUNK_CAP);
    CHECK_EQ_INT(c->ncols, 3);
    CHECK_EQ_INT(c->nrows, 0);
    CHECK_EQ_INT(c->cap, CHUNK_CAP);
    CHECK(c->sel == NULL);
    CHECK_EQ_INT(chunk_live(c), 0);
    CHECK(!chunk_full(c));
    CHECK_EQ_INT(c->cols[1].type.id, TY_STRING);

    char buf[64];
    strcpy(buf, "a name that is long enough");
    value_t row[3] = {value_i64(7), sval(buf), value_f64(2.5)};
    chunk_append_values(c, row, OP_INSERT);
    value_t row2[3] = {value_null(), sval("tiny"), value_null()};
    chunk_append_values(c, row2, OP_DELETE);
    memset(buf, 'x', sizeof buf - 1);                  /* the caller's bytes are reused */
    CHECK_EQ_INT(c->nrows, 2);
    CHECK_EQ_INT(c->ops[0], OP_INSERT);
    CHECK_EQ_INT(c->ops[1], OP_DELETE);
    CHECK_EQ_INT(c->cols[0].i64[0], 7);
    CHECK(str_is(&c->cols[1].str[0], "a name that is long enough"));
    CHECK(str_ptr(&c->cols[1].str[0]) != buf);
    CHECK(str_is(&c->cols[1].str[1], "tiny"));
    CHECK_EQ_DBL(c->cols[2].f64[0], 2.5, 0);
    CHECK_EQ_INT(c->cols[0].nulls[1], 1);
    CHECK_EQ_INT(c->cols[2].nulls[1], 1);
    CHECK_EQ_INT(c->cols[1].nulls[1], 0);
    chunk_free(c);

    /* Filling a small chunk to its capacity. */
    c = chunk_new_types(s.ncols, s.types, 3);
    for (int i = 0; i < 3; i++) {
        CHECK(!chunk_full(c));
        value_t r[3] = {value_i64(i), sval("v"), value_f64(i)};
        chunk_append_values(c, r, OP_INSERT);
    }
    CHECK(chunk_full(c));
    chunk_free(c);
    chunk_free(NULL);
    schema_free(&s);
}

TEST(chunk_append_row_copies_strings)
{
    schema_t s;
    make_schema(&s);
    chunk_t *src = chunk_new(&s, 8);
    chunk_t *dst = chunk_new(&s, 8);
    value_t r0[3] = {value_i64(1), sval("first row, a long string"), value_f64(1.5)};
    value_t r1[3] = {value_i64(2), value_null(), value_f64(-3)};
    chunk_append_values(src, r0, OP_INSERT);
    chunk_append_values(src, r1, OP_UPDATE_AFTER);
    chunk_append_row(dst, src, 1, OP_UPDATE_BEFORE);
    chunk_append_row(dst, src, 0, OP_DELETE);
    chunk_free(src);                                   /* dst must not point into src */
    CHECK_EQ_INT(dst->nrows, 2);
    CHECK_EQ_INT(dst->ops[0], OP_UPDATE_BEFORE);
    CHECK_EQ_INT(dst->ops[1], OP_DELETE);
    CHECK_EQ_INT(dst->cols[0].i64[0], 2);
    CHECK_EQ_INT(dst->cols[1].nulls[0], 1);
    CHECK_EQ_DBL(dst->cols[2].f64[0], -3, 0);
    CHECK_EQ_INT(dst->cols[0].i64[1], 1);
    CHECK(str_is(&dst->cols[1].str[1], "first row, a long string"));
    CHECK_EQ_DBL(dst->cols[2].f64[1], 1.5, 0);
    chunk_free(dst);
    schema_free(&s);
}

TEST(chunk_compact_with_selection)
{
    schema_t s;
    make_schema(&s);
    chunk_t *c = chunk_new(&s, 8);
    const char *names[5] = {"zero", "one is a long name", "two", "three is long as well", "four"};
    for (int i = 0; i < 5; i++) {
        value_t r[3] = {value_i64(i * 10), i == 2 ? value_null() : sval(names[i]), value_f64(i + 0.5)};
        chunk_append_values(c, r, (uint8_t)(i % 4));
    }
    chunk_compact(c);                                  /* no selection: nothing changes */
    CHECK_EQ_INT(c->nrows, 5);
    CHECK_EQ_INT(c->cols[0].i64[4], 40);

    c->sel = xmalloc(3 * sizeof *c->sel);
    c->sel[0] = 1;
    c->sel[1] = 2;
    c->sel[2] = 4;
    c->nsel = 3;
    CHECK_EQ_INT(chunk_live(c), 3);
    CHECK_EQ_INT(chunk_row(c, 2), 4);
    chunk_compact(c);
    CHECK(c->sel == NULL);
    CHECK_EQ_INT(c->nsel, 0);
    CHECK_EQ_INT(c->nrows, 3);
    CHECK_EQ_INT(chunk_live(c), 3);
    CHECK_EQ_INT(chunk_row(c, 2), 2);
    CHECK_EQ_INT(c->cols[0].i64[0], 10);
    CHECK_EQ_INT(c->cols[0].i64[1], 20);
    CHECK_EQ_INT(c->cols[0].i64[2], 40);
    CHECK(str_is(&c->cols[1].str[0], "one is a long name"));
    CHECK_EQ_INT(c->cols[1].nulls[1], 1);
    CHECK(str_is(&c->cols[1].str[2], "four"));
    CHECK_EQ_INT(c->cols[1].nulls[2], 0);
    CHECK_EQ_DBL(c->cols[2].f64[2], 4.5, 0);
    CHECK_EQ_INT(c->ops[0], 1);
    CHECK_EQ_INT(c->ops[1], 2);
    CHECK_EQ_INT(c->ops[2], 0);

    /* An empty selection leaves no rows. */
    c->sel = xmalloc(sizeof *c->sel);
    c->nsel = 0;
    chunk_compact(c);
    CHECK_EQ_INT(c->nrows, 0);
    CHECK(c->sel == NULL);
    chunk_free(c);
    schema_free(&s);
}

TEST(chunk_reset_and_reuse)
{
    schema_t s;
    make_schema(&s);
    chunk_t *c = chunk_new(&s, 4);
    for (int round = 0; round < 3; round++) {
        char text[48];
        snprintf(text, sizeof text, "round %d, a string of some length", round);
        value_t r[3] = {value_i64(round), sval(text), value_f64(round)};
        for (int i = 0; i < 4; i++) chunk_append_values(c, r, OP_INSERT);
        c->sel = xmalloc(sizeof *c->sel);
        c->sel[0] = 3;
        c->nsel = 1;
        CHECK_EQ_INT(chunk_live(c), 1);
        CHECK(str_is(&c->cols[1].str[chunk_row(c, 0)], text));
        chunk_reset(c);
        CHECK_EQ_INT(c->nrows, 0);
        CHECK(c->sel == NULL);
        CHECK_EQ_INT(c->nsel, 0);
        CHECK_EQ_INT(chunk_live(c), 0);
    }
    CHECK_EQ_INT(arena_bytes(&c->arena), 16 * 1024);     /* one block kept for reuse */
    chunk_free(c);
    schema_free(&s);
}

/* ---- snapshots ---- */

TEST(snapshot_round_trip)
{
    snap_writer w = {0};
    snap_put_u8(&w, 0xAB);
    snap_put_u32(&w, 0x01020304u);
    snap_put_i64(&w, INT64_MIN);
    snap_put_f64(&w, -0.0);
    snap_put_f64(&w, 1.0 / 3);
    snap_put_bytes(&w, "abc", 3);
    snap_put_bytes(&w, NULL, 0);
    value_t vi = value_i64(-42), vn = value_null(), vf = value_f64(2.5);
    value_t vs_short = sval("short"), vs_long = sval("a string that is longer than twelve");
    value_t vs_empty = sval("");
    snap_put_value(&w, type_make(TY_BIGINT), &vi);
    snap_put_value(&w, type_make(TY_BIGINT), &vn);
    snap_put_value(&w, type_make(TY_DOUBLE), &vf);
    snap_put_value(&w, type_make(TY_STRING), &vs_short);
    snap_put_value(&w, type_make(TY_STRING), &vs_long);
    snap_put_value(&w, type_make(TY_STRING), &vs_empty);
    snap_put_value(&w, type_make(TY_STRING), &vn);
    /* Little-endian on the wire. */
    CHECK_EQ_INT(w.buf[0], 0xAB);
    CHECK(w.buf[1] == 0x04 && w.buf[2] == 0x03 && w.buf[3] == 0x02 && w.buf[4] == 0x01);
    CHECK(w.buf[5] == 0x00 && w.buf[12] == 0x80);

    /* A copy of the buffer, so string values read back must not point into it. */
    uint8_t *copy = xmalloc(w.len);
    memcpy(copy, w.buf, w.len);
    size_t len = w.len;
    snap_writer_free(&w);
    CHECK(w.buf == NULL && w.len == 0);

    arena_t ar;
    arena_init(&ar, 1024);
    snap_reader r;
    snap_reader_init(&r, copy, len);
    CHECK_EQ_INT(snap_get_u8(&r), 0xAB);
    CHECK_EQ_INT(snap_get_u32(&r), 0x01020304u);
    CHECK_EQ_INT(snap_get_i64(&r), INT64_MIN);
    double nz = snap_get_f64(&r);
    CHECK(nz == 0 && signbit(nz));
    CHECK(snap_get_f64(&r) == 1.0 / 3);
    uint32_t n;
    const char *p = snap_get_bytes(&r, &n);
    CHECK(n == 3 && memcmp(p, "abc", 3) == 0);
    snap_get_bytes(&r, &n);
    CHECK_EQ_INT(n, 0);
    value_t v;
    snap_get_value(&r, type_make(TY_BIGINT), &v, &ar);
    CHECK(!v.null && v.i == -42);
    snap_get_value(&r, type_make(TY_BIGINT), &v, &ar);
    CHECK(v.null);
    snap_get_value(&r, type_make(TY_DOUBLE), &v, &ar);
    CHECK(!v.null && v.f == 2.5);
    value_t s_short, s_long, s_empty, s_null;
    snap_get_value(&r, type_make(TY_STRING), &s_short, &ar);
    snap_get_value(&r, type_make(TY_STRING), &s_long, &ar);
    snap_get_value(&r, type_make(TY_STRING), &s_empty, &ar);
    snap_get_value(&r, type_make(TY_STRING), &s_null, &ar);
    CHECK_EQ_INT(r.pos, len);
    CHECK_EQ_INT(r.failed, 0);
    CHECK_EQ_INT(snap_check(&r, "test state"), 0);
    CHECK(!err_pending());
    memset(copy, 0, len);
    free(copy);
    CHECK(!s_short.null && str_is(&s_short.s, "short"));
    CHECK(!s_long.null && str_is(&s_long.s, "a string that is longer than twelve"));
    CHECK(!s_empty.null && s_empty.s.len == 0);
    CHECK(s_null.null);
    arena_free(&ar);
}

TEST(snapshot_truncated_reader_fails)
{
    snap_writer w = {0};
    snap_put_u32(&w, 7);
    snap_put_i64(&w, 99);
    snap_put_bytes(&w, "hello", 5);
    size_t full = w.len;
    CHECK_EQ_INT(full, 4 + 8 + 4 + 5);

    /* Cut inside the i64: the u32 reads, the i64 fails and reads as 0, and every later read
     * fails too, even one that would fit. */
    err_clear();
    snap_reader r;
    snap_reader_init(&r, w.buf, 9);
    CHECK_EQ_INT(snap_get_u32(&r), 7);
    CHECK_EQ_INT(r.failed, 0);
    CHECK_EQ_INT(snap_get_i64(&r), 0);
    CHECK_EQ_INT(r.failed, 1);
    CHECK_EQ_INT(r.pos, 4);
    CHECK_EQ_INT(snap_get_u8(&r), 0);
    CHECK_EQ_INT(r.pos, 4);
    CHECK_EQ_INT(snap_check(&r, "GroupAggregate state"), -1);
    CHECK(err_pending());
    CHECK_EQ_STR(err_message(), "snapshot of GroupAggregate state is truncated or corrupt (read past 4 of 9 bytes)");
    err_clear();

    /* Cut inside the bytes: the length prefix promises more than is left. */
    snap_reader_init(&r, w.buf, full - 1);
    snap_get_u32(&r);
    snap_get_i64(&r);
    uint32_t n = 123;
    const char *p = snap_get_bytes(&r, &n);
    CHECK_EQ_INT(n, 0);
    CHECK(p != NULL);
    CHECK_EQ_INT(r.failed, 1);
    CHECK_EQ_INT(snap_check(&r, "x"), -1);
    err_clear();

    /* A string value whose bytes are cut: an empty, non-null string and a failed reader. */
    snap_writer w2 = {0};
    value_t s = sval("a string that is longer than twelve");
    snap_put_value(&w2, type_make(TY_STRING), &s);
    arena_t ar;
    arena_init(&ar, 1024);
    snap_reader_init(&r, w2.buf, w2.len - 3);
    value_t v;
    snap_get_value(&r, type_make(TY_STRING), &v, &ar);
    CHECK_EQ_INT(r.failed, 1);
    CHECK_EQ_INT(v.s.len, 0);
    /* An empty reader fails at once. */
    snap_reader_init(&r, NULL, 0);
    snap_get_value(&r, type_make(TY_BIGINT), &v, &ar);
    CHECK_EQ_INT(r.failed, 1);
    CHECK_EQ_INT(v.null, 0);
    CHECK_EQ_INT(v.i, 0);
    CHECK_EQ_INT(snap_check(&r, "empty"), -1);
    CHECK_EQ_STR(err_message(), "snapshot of empty is truncated or corrupt (read past 0 of 0 bytes)");
    err_clear();
    arena_free(&ar);
    snap_writer_free(&w2);
    snap_writer_free(&w);
}

TEST(snapshot_large_writes_grow)
{
    snap_writer w = {0};
    for (int i = 0; i < 3000; i++) snap_put_i64(&w, i);
    CHECK_EQ_INT(w.len, 24000);
    CHECK(w.cap >= w.len);
    snap_reader r;
    snap_reader_init(&r, w.buf, w.len);
    int ok = 1;
    for (int i = 0; i < 3000; i++) if (snap_get_i64(&r) != i) ok = 0;
    CHECK(ok);
    CHECK_EQ_INT(snap_check(&r, "big"), 0);
    snap_writer_free(&w);
}

/* ---- operator header ---- */

/* A sink that records everything it receives. */
typedef struct capture {
    op_t op;
    int pushes;
    int rows;
    int last_port;
    chunk_t *last_chunk;
    int64_t wms[16];
    int nwm;
    int finishes;
    int destroyed;
} capture_t;

static int capture_push(op_t *op, int port, chunk_t *in)
{
    capture_t *c = (capture_t *)op;
    c->pushes++;
    c->rows += (int)chunk_live(in);
    c->last_port = port;
    c->last_chunk = in;
    return 0;
}

static int capture_watermark(op_t *op, int64_t wm)
{
    capture_t *c = (capture_t *)op;
    if (c->nwm < 16) c->wms[c->nwm++] = wm;
    return op_emit_watermark(op, wm);
}

static int capture_finish(op_t *op)
{
    ((capture_t *)op)->finishes++;
    return 0;
}

static void capture_destroy(op_t *op) { ((capture_t *)op)->destroyed++; }

static const op_vtable capture_vt = {
    .name = "Capture",
    .push = capture_push,
    .watermark = capture_watermark,
    .finish = capture_finish,
    .destroy = capture_destroy,
};

/* The same, but forwarding watermarks through the header's default path. */
static const op_vtable forward_vt = {
    .name = "Forward",
    .push = capture_push,
    .finish = capture_finish,
};

static void capture_init(capture_t *c, const op_vtable *vt, int nin)
{
    memset(c, 0, sizeof *c);
    op_init(&c->op, vt, NULL, NULL, nin);
}

TEST(op_watermark_min_over_two_ports)
{
    capture_t join, down;
    capture_init(&join, &capture_vt, 2);
    capture_init(&down, &capture_vt, 1);
    op_connect(&join.op, &down.op, 0);
    CHECK_EQ_INT(join.op.wm, TS_MIN);
    CHECK_EQ_INT(join.op.in_wm[0], TS_MIN);
    CHECK_EQ_INT(join.op.in_wm[1], TS_MIN);

    /* Port 0 advances alone: the minimum stays at "none". */
    CHECK_EQ_INT(op_watermark_in(&join.op, 0, 10), 0);
    CHECK_EQ_INT(join.op.in_wm[0], 10);
    CHECK_EQ_INT(join.op.wm, TS_MIN);
    CHECK_EQ_INT(join.nwm, 0);
    CHECK_EQ_INT(down.nwm, 0);
    /* Port 1 advances: the minimum becomes 5. */
    op_watermark_in(&join.op, 1, 5);
    CHECK_EQ_INT(join.op.wm, 5);
    CHECK_EQ_INT(join.nwm, 1);
    CHECK_EQ_INT(join.wms[0], 5);
    CHECK_EQ_INT(down.nwm, 1);
    CHECK_EQ_INT(down.wms[0], 5);
    /* A smaller watermark on port 0 is ignored (port 0 stays at 10). */
    op_watermark_in(&join.op, 0, 8);
    CHECK_EQ_INT(join.op.in_wm[0], 10);
    /* Port 1 passes port 0: the minimum is port 0's 10. */
    op_watermark_in(&join.op, 1, 20);
    CHECK_EQ_INT(join.op.wm, 10);
    CHECK_EQ_INT(down.nwm, 2);
    CHECK_EQ_INT(down.wms[1], 10);
    /* A smaller or equal watermark on port 1 changes nothing. */
    op_watermark_in(&join.op, 1, 15);
    op_watermark_in(&join.op, 1, 20);
    CHECK_EQ_INT(join.op.in_wm[1], 20);
    CHECK_EQ_INT(join.nwm, 2);
    /* Port 0 advances past port 1: the minimum is 20. */
    op_watermark_in(&join.op, 0, 30);
    CHECK_EQ_INT(join.op.wm, 20);
    CHECK_EQ_INT(down.nwm, 3);
    CHECK_EQ_INT(down.wms[2], 20);
    /* Port 0 advancing further does not move the minimum. */
    op_watermark_in(&join.op, 0, 40);
    CHECK_EQ_INT(join.op.wm, 20);
    CHECK_EQ_INT(join.nwm, 3);
    CHECK_EQ_INT(down.nwm, 3);
    /* The final watermark on both ports. */
    op_watermark_in(&join.op, 1, TS_MAX);
    CHECK_EQ_INT(join.op.wm, 40);
    op_watermark_in(&join.op, 0, TS_MAX);
    CHECK_EQ_INT(join.op.wm, TS_MAX);
    CHECK_EQ_INT(down.nwm, 5);
    CHECK_EQ_INT(down.wms[4], TS_MAX);
    CHECK_EQ_INT(down.op.wm_out, TS_MAX);
    op_destroy(&join.op);
    op_destroy(&down.op);
    CHECK_EQ_INT(join.destroyed, 1);
}

TEST(op_watermark_default_forwarding)
{
    capture_t mid, down;
    capture_init(&mid, &forward_vt, 1);           /* no watermark callback */
    capture_init(&down, &capture_vt, 1);
    op_connect(&mid.op, &down.op, 0);
    op_watermark_in(&mid.op, 0, 100);
    CHECK_EQ_INT(mid.op.wm_out, 100);
    CHECK_EQ_INT(down.nwm, 1);
    CHECK_EQ_INT(down.wms[0], 100);
    /* op_emit_watermark never goes backwards. */
    op_emit_watermark(&mid.op, 50);
    op_emit_watermark(&mid.op, 100);
    CHECK_EQ_INT(down.nwm, 1);
    op_emit_watermark(&mid.op, 101);
    CHECK_EQ_INT(down.nwm, 2);
    CHECK_EQ_INT(down.wms[1], 101);
    op_destroy(&mid.op);
    op_destroy(&down.op);
}

TEST(op_finish_waits_for_all_inputs)
{
    capture_t join, down;
    capture_init(&join, &capture_vt, 2);
    capture_init(&down, &capture_vt, 1);
    op_connect(&join.op, &down.op, 0);
    CHECK_EQ_INT(op_finish_in(&join.op, 1), 0);
    CHECK_EQ_INT(join.finishes, 0);
    CHECK_EQ_INT(down.finishes, 0);
    CHECK_EQ_INT(op_finish_in(&join.op, 0), 0);
    CHECK_EQ_INT(join.finishes, 1);
    CHECK_EQ_INT(down.finishes, 1);
    op_destroy(&join.op);
    op_destroy(&down.op);

    /* An operator without a finish callback still passes end of input on. */
    capture_t src, sink;
    memset(&src, 0, sizeof src);
    static const op_vtable bare_vt = {.name = "Bare", .push = capture_push};
    op_init(&src.op, &bare_vt, NULL, NULL, 1);
    capture_init(&sink, &capture_vt, 1);
    op_connect(&src.op, &sink.op, 0);
    op_finish_in(&src.op, 0);
    CHECK_EQ_INT(sink.finishes, 1);
    op_destroy(&src.op);
    op_destroy(&sink.op);
}

static int failing_finish(op_t *op) { (void)op; return -1; }

TEST(op_finish_error_stops)
{
    static const op_vtable fail_vt = {.name = "Fail", .push = capture_push, .finish = failing_finish};
    capture_t f, down;
    memset(&f, 0, sizeof f);
    op_init(&f.op, &fail_vt, NULL, NULL, 1);
    capture_init(&down, &capture_vt, 1);
    op_connect(&f.op, &down.op, 0);
    CHECK_EQ_INT(op_finish_in(&f.op, 0), -1);
    CHECK_EQ_INT(down.finishes, 0);
    op_destroy(&f.op);
    op_destroy(&down.op);
}

TEST(op_emit_fans_out)
{
    schema_t s;
    make_schema(&s);
    capture_t src, a, b;
    memset(&src, 0, sizeof src);
    op_init(&src.op, &capture_vt, NULL, &s, 1);
    CHECK_EQ_INT(src.op.schema.ncols, 3);
    CHECK(src.op.schema.names[1] != s.names[1]);      /* op_init copies the schema */
    capture_init(&a, &capture_vt, 1);
    capture_init(&b, &capture_vt, 2);
    op_connect(&src.op, &a.op, 0);
    op_connect(&src.op, &b.op, 1);
    CHECK_EQ_INT(src.op.nouts, 2);

    chunk_t *c = chunk_new(&s, 8);
    for (int i = 0; i < 3; i++) {
        value_t r[3] = {value_i64(i), sval("x"), value_f64(i)};
        chunk_append_values(c, r, OP_INSERT);
    }
    CHECK_EQ_INT(op_emit(&src.op, c), 0);
    CHECK_EQ_INT(a.pushes, 1);
    CHECK_EQ_INT(b.pushes, 1);
    CHECK(a.last_chunk == c && b.last_chunk == c);    /* shared, not copied */
    CHECK_EQ_INT(a.last_port, 0);
    CHECK_EQ_INT(b.last_port, 1);
    CHECK_EQ_INT(a.rows, 3);
    CHECK_EQ_INT(b.rows, 3);
    CHECK_EQ_INT(src.op.stats.rows_out, 3);
    CHECK_EQ_INT(a.op.stats.rows_in, 3);
    CHECK_EQ_INT(b.op.stats.rows_in, 3);

    /* Only the selected rows count. */
    c->sel = xmalloc(sizeof *c->sel);
    c->sel[0] = 2;
    c->nsel = 1;
    op_emit(&src.op, c);
    CHECK_EQ_INT(a.rows, 4);
    CHECK_EQ_INT(b.rows, 4);
    CHECK_EQ_INT(src.op.stats.rows_out, 4);

    /* Empty chunks (no rows, or an empty selection) are not sent. */
    c->nsel = 0;
    op_emit(&src.op, c);
    chunk_reset(c);
    op_emit(&src.op, c);
    CHECK_EQ_INT(a.pushes, 2);
    CHECK_EQ_INT(b.pushes, 2);
    CHECK_EQ_INT(src.op.stats.rows_out, 4);

    /* op_push counts rows_in itself. */
    value_t r[3] = {value_i64(9), sval("y"), value_f64(9)};
    chunk_append_values(c, r, OP_INSERT);
    op_push(&a.op, 0, c);
    CHECK_EQ_INT(a.op.stats.rows_in, 5);
    CHECK_EQ_INT(a.pushes, 3);

    chunk_free(c);
    op_destroy(&src.op);
    op_destroy(&a.op);
    op_destroy(&b.op);
    schema_free(&s);
}

TEST(op_init_without_schema_on_dirty_memory)
{
    /* Operators may be allocated with malloc: op_init must leave every header field
     * defined, so op_destroy works when no output schema was given. */
    capture_t *c = xmalloc(sizeof *c);
    memset(c, 0xA5, sizeof *c);
    op_init(&c->op, &forward_vt, NULL, NULL, 1);
    CHECK_EQ_INT(c->op.schema.ncols, 0);
    CHECK_EQ_INT(c->op.nouts, 0);
    CHECK_EQ_INT(c->op.stats.rows_in, 0);
    op_destroy(&c->op);
    free(c);
}

int main(void)
{
    RUN(type_names);
    RUN(type_constructors_and_predicates);
    RUN(type_common_rules);
    RUN(str_inline_and_pointer_views);
    RUN(str_eq_across_inline_boundary);
    RUN(str_cmp_order);
    RUN(parse_boolean);
    RUN(parse_int_limits);
    RUN(parse_bigint_limits);
    RUN(parse_double);
    RUN(parse_decimal_half_up);
    RUN(parse_date_validity);
    RUN(parse_timestamp_forms);
    RUN(parse_timestamp_fractions);
    RUN(parse_timestamp_ltz_in_session_zone);
    RUN(parse_string_copies_into_arena);
    RUN(format_cast_style);
    RUN(format_print_style);
    RUN(format_java_double_forms);
    RUN(value_cmp_by_kind);
    RUN(schema_find_and_copy);
    RUN(vector_get_set);
    RUN(chunk_new_and_append_values);
    RUN(chunk_append_row_copies_strings);
    RUN(chunk_compact_with_selection);
    RUN(chunk_reset_and_reuse);
    RUN(snapshot_round_trip);
    RUN(snapshot_truncated_reader_fails);
    RUN(snapshot_large_writes_grow);
    RUN(op_watermark_min_over_two_ports);
    RUN(op_watermark_default_forwarding);
    RUN(op_finish_waits_for_all_inputs);
    RUN(op_finish_error_stops);
    RUN(op_emit_fans_out);
    RUN(op_init_without_schema_on_dirty_memory);
    return CHECK_DONE();
}
