/* test_tz.c - time zones: TZif loading (system files and hand-built v1/v2 files), POSIX
 * footer rules, fixed offsets, DST gaps and overlaps, errors, the default zone. */
#include "check.h"
#include "base/tz.h"
#include "base/civil.h"
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#define H 3600
#define US 1000000LL

static int64_t utc(int64_t y, int mo, int d, int h, int mi, int s)
{
    civil_t c = {y, mo, d, h, mi, s, 0};
    return civil_to_us(&c);
}

static const tz_t *zone(const char *name)
{
    char err[512];
    const tz_t *z = tz_get(name, err, sizeof err);
    if (!z) fprintf(stderr, "tz_get(%s): %s\n", name, err);
    return z;
}

TEST(shanghai_fixed_plus_8)
{
    const tz_t *z = zone("Asia/Shanghai");
    CHECK(z != NULL);
    if (!z) return;
    CHECK_EQ_STR(tz_name(z), "Asia/Shanghai");
    CHECK_EQ_INT(tz_offset_at_utc(z, 1511658000LL * US), 8 * H);
    CHECK_EQ_INT(tz_utc_to_local(z, 1511658000LL * US), utc(2017, 11, 26, 9, 0, 0));
    CHECK_EQ_INT(tz_local_to_utc(z, utc(2017, 11, 26, 9, 0, 0)), 1511658000LL * US);
    CHECK_EQ_INT(tz_offset_at_utc(z, utc(2150, 7, 1, 0, 0, 0)), 8 * H);
    /* China observed DST in 1986-1991: 1988-04-17 02:00 local -> 03:00. */
    CHECK_EQ_INT(tz_offset_at_utc(z, utc(1988, 7, 1, 0, 0, 0)), 9 * H);
    CHECK_EQ_INT(tz_offset_at_utc(z, utc(1988, 1, 1, 0, 0, 0)), 8 * H);
    CHECK(zone("Asia/Shanghai") == z);     /* cached */
}

TEST(new_york_transitions)
{
    const tz_t *z = zone("America/New_York");
    CHECK(z != NULL);
    if (!z) return;
    /* 2021-03-14 02:00 EST -> 03:00 EDT at 07:00 UTC; 2021-11-07 02:00 EDT -> 01:00 EST at 06:00 UTC. */
    CHECK_EQ_INT(tz_offset_at_utc(z, utc(2021, 3, 14, 7, 0, 0) - 1), -5 * H);
    CHECK_EQ_INT(tz_offset_at_utc(z, utc(2021, 3, 14, 7, 0, 0)), -4 * H);
    CHECK_EQ_INT(tz_offset_at_utc(z, utc(2021, 11, 7, 6, 0, 0) - 1), -4 * H);
    CHECK_EQ_INT(tz_offset_at_utc(z, utc(2021, 11, 7, 6, 0, 0)), -5 * H);
    /* Beyond the table: the footer rule (second Sunday of March 2030 is the 10th). */
    CHECK_EQ_INT(tz_offset_at_utc(z, utc(2030, 3, 10, 7, 0, 0) - 1), -5 * H);
    CHECK_EQ_INT(tz_offset_at_utc(z, utc(2030, 3, 10, 7, 0, 0)), -4 * H);
    /* Far beyond the expanded years: 2200-03-09 is the second Sunday of March. */
    CHECK_EQ_INT(tz_offset_at_utc(z, utc(2200, 3, 9, 7, 0, 0) - 1), -5 * H);
    CHECK_EQ_INT(tz_offset_at_utc(z, utc(2200, 3, 9, 7, 0, 0)), -4 * H);
    /* Negative epochs: 1960 summer was EDT, and before 1883 local mean time -4:56:02. */
    CHECK_EQ_INT(tz_offset_at_utc(z, utc(1960, 7, 1, 0, 0, 0)), -4 * H);
    CHECK_EQ_INT(tz_offset_at_utc(z, utc(1960, 1, 1, 0, 0, 0)), -5 * H);
    CHECK_EQ_INT(tz_offset_at_utc(z, utc(1800, 1, 1, 0, 0, 0)), -(4 * H + 56 * 60 + 2));
}

TEST(new_york_local_to_utc)
{
    const tz_t *z = zone("America/New_York");
    if (!z) return;
    CHECK_EQ_INT(tz_local_to_utc(z, utc(2021, 7, 1, 12, 0, 0)), utc(2021, 7, 1, 16, 0, 0));
    CHECK_EQ_INT(tz_local_to_utc(z, utc(2021, 1, 1, 12, 0, 0)), utc(2021, 1, 1, 17, 0, 0));
    /* Gap: 02:30 does not exist; java.time moves it forward by the gap to 03:30 EDT. */
    CHECK_EQ_INT(tz_local_to_utc(z, utc(2021, 3, 14, 2, 30, 0)), utc(2021, 3, 14, 7, 30, 0));
    CHECK_EQ_INT(tz_local_to_utc(z, utc(2021, 3, 14, 2, 0, 0)), utc(2021, 3, 14, 7, 0, 0));
    CHECK_EQ_INT(tz_local_to_utc(z, utc(2021, 3, 14, 1, 59, 59)), utc(2021, 3, 14, 6, 59, 59));
    CHECK_EQ_INT(tz_local_to_utc(z, utc(2021, 3, 14, 3, 0, 0)), utc(2021, 3, 14, 7, 0, 0));
    /* Overlap: 01:30 happens twice; the earlier offset (EDT) wins. */
    CHECK_EQ_INT(tz_local_to_utc(z, utc(2021, 11, 7, 1, 30, 0)), utc(2021, 11, 7, 5, 30, 0));
    CHECK_EQ_INT(tz_local_to_utc(z, utc(2021, 11, 7, 0, 59, 59)), utc(2021, 11, 7, 4, 59, 59));
    CHECK_EQ_INT(tz_local_to_utc(z, utc(2021, 11, 7, 2, 0, 0)), utc(2021, 11, 7, 7, 0, 0));
    CHECK_EQ_INT(tz_local_to_utc(z, utc(2021, 11, 7, 2, 0, 0) - 1), utc(2021, 11, 7, 5, 59, 59) + 999999);
}

TEST(berlin_transitions)
{
    const tz_t *z = zone("Europe/Berlin");
    CHECK(z != NULL);
    if (!z) return;
    /* 2021-03-28 01:00 UTC: CET -> CEST; 2021-10-31 01:00 UTC: CEST -> CET. */
    CHECK_EQ_INT(tz_offset_at_utc(z, utc(2021, 3, 28, 1, 0, 0) - 1), 1 * H);
    CHECK_EQ_INT(tz_offset_at_utc(z, utc(2021, 3, 28, 1, 0, 0)), 2 * H);
    CHECK_EQ_INT(tz_offset_at_utc(z, utc(2021, 10, 31, 1, 0, 0) - 1), 2 * H);
    CHECK_EQ_INT(tz_offset_at_utc(z, utc(2021, 10, 31, 1, 0, 0)), 1 * H);
    CHECK_EQ_INT(tz_offset_at_utc(z, 0), 1 * H);
    CHECK_EQ_INT(tz_local_to_utc(z, utc(2021, 3, 28, 2, 30, 0)), utc(2021, 3, 28, 1, 30, 0));   /* gap */
    CHECK_EQ_INT(tz_local_to_utc(z, utc(2021, 10, 31, 2, 30, 0)), utc(2021, 10, 31, 0, 30, 0)); /* overlap */
    CHECK_EQ_INT(tz_local_to_utc(z, utc(2021, 10, 31, 3, 0, 0)), utc(2021, 10, 31, 2, 0, 0));
    /* 1970-01-01 08:00:01 in Berlin is 25201 s after the epoch (the Flink docs example). */
    CHECK_EQ_INT(tz_local_to_utc(z, utc(1970, 1, 1, 8, 0, 1)), 25201 * US);
}

/* Every zone agrees with the C library over instants from 1890 to 2250. */
TEST(agrees_with_libc)
{
    const char *zones[] = {"America/New_York", "Europe/Berlin", "Asia/Shanghai", "Australia/Sydney", "America/Sao_Paulo",
                           "Asia/Kolkata", "Pacific/Chatham", "Europe/London", "America/St_Johns", "Africa/Casablanca",
                           "Asia/Tehran", "Pacific/Apia", "America/Santiago", "Europe/Dublin"};
    char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    unsigned seed = 12345;
    int mismatches = 0;
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        const tz_t *z = zone(zones[i]);
        CHECK(z != NULL);
        if (!z) continue;
        setenv("TZ", zones[i], 1);
        tzset();
        for (int k = 0; k < 4000; k++) {
            seed = seed * 1103515245u + 12345u;
            int64_t lo = -2524521600LL, hi = 8835984000LL;         /* 1890 .. 2250 */
            int64_t t = lo + (int64_t)(((uint64_t)seed << 16 ^ (uint64_t)(seed >> 3) * 2654435761u) % (uint64_t)(hi - lo));
            time_t tt = (time_t)t;
            struct tm tmv;
            localtime_r(&tt, &tmv);
            if (tz_offset_at_utc(z, t * US) != tmv.tm_gmtoff) {
                if (mismatches++ < 5)
                    fprintf(stderr, "%s at %lld: eddy %d, libc %ld\n", zones[i], (long long)t, tz_offset_at_utc(z, t * US),
                            tmv.tm_gmtoff);
            }
        }
    }
    CHECK_EQ_INT(mismatches, 0);
    if (old) setenv("TZ", old, 1), free(old);
    else unsetenv("TZ");
    tzset();
}

/* Round trip local -> utc -> local is the identity except inside gaps. */
TEST(local_round_trip)
{
    const tz_t *z = zone("Europe/Berlin");
    if (!z) return;
    for (int64_t t = utc(2021, 3, 27, 0, 0, 0); t < utc(2021, 3, 29, 0, 0, 0); t += 15 * 60 * US) {
        int64_t back = tz_utc_to_local(z, tz_local_to_utc(z, t));
        int in_gap = t >= utc(2021, 3, 28, 2, 0, 0) && t < utc(2021, 3, 28, 3, 0, 0);
        CHECK_EQ_INT(back, in_gap ? t + H * US : t);
    }
}

TEST(fixed_offsets)
{
    struct { const char *in, *name; int32_t off; } cases[] = {
        {"+08:00", "+08:00", 8 * H},        {"-0530", "-05:30", -(5 * H + 1800)}, {"GMT+8", "GMT+08:00", 8 * H},
        {"UTC+08:00", "UTC+08:00", 8 * H},  {"GMT-03:30", "GMT-03:30", -(3 * H + 1800)}, {"Z", "Z", 0},
        {"UTC", "UTC", 0},                  {"GMT", "GMT", 0},                  {"UT", "UT", 0},
        {"+8", "+08:00", 8 * H},            {"UTC-5", "UTC-05:00", -5 * H},     {"+18:00", "+18:00", 18 * H},
        {"-18", "-18:00", -18 * H},         {"+05:30:15", "+05:30:15", 5 * H + 1815}, {"GMT+0", "GMT", 0},
        {"+00:00", "Z", 0},                 {"UT+1", "UT+01:00", H},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const tz_t *z = zone(cases[i].in);
        CHECK(z != NULL);
        if (!z) continue;
        CHECK_EQ_STR(tz_name(z), cases[i].name);
        CHECK_EQ_INT(tz_offset_at_utc(z, 1511658000LL * US), cases[i].off);
        CHECK_EQ_INT(tz_offset_at_utc(z, -5000000000LL * US), cases[i].off);
        CHECK_EQ_INT(tz_local_to_utc(z, 1000 * US), 1000 * US - cases[i].off * US);
    }
    /* "GMT+8" is Java's +08:00, unlike the POSIX-style file Etc/GMT+8 (-08:00). */
    const tz_t *etc = zone("Etc/GMT+8");
    CHECK(etc != NULL);
    if (etc) CHECK_EQ_INT(tz_offset_at_utc(etc, 0), -8 * H);
}

TEST(unknown_zones)
{
    char err[512];
    err[0] = 0;
    CHECK(tz_get("Mars/Olympus", err, sizeof err) == NULL);
    CHECK(strstr(err, "unknown time zone 'Mars/Olympus'") != NULL);
    CHECK(strstr(err, "'Asia/Shanghai'") != NULL);
    CHECK(strstr(err, "'+08:00'") != NULL);
    CHECK(strstr(err, "'GMT+8'") != NULL);
    CHECK(strstr(err, "'UTC'") != NULL);
    err[0] = 0;
    CHECK(tz_get("asia/shanghai", err, sizeof err) == NULL);
    CHECK(strstr(err, "did you mean 'Asia/Shanghai'? zone names are case-sensitive") != NULL);
    err[0] = 0;
    CHECK(tz_get("Asia/Shangai", err, sizeof err) == NULL);
    CHECK(strstr(err, "unknown time zone 'Asia/Shangai' (did you mean 'Asia/Shanghai'?);") != NULL);
    err[0] = 0;
    CHECK(tz_get("Amerika/New_Yrok", err, sizeof err) == NULL);
    CHECK(strstr(err, "did you mean 'America/New_York'?") != NULL);
    err[0] = 0;
    CHECK(tz_get("Qwerty/Zxcvb", err, sizeof err) == NULL);
    CHECK(strstr(err, "did you mean") == NULL);
    err[0] = 0;
    CHECK(tz_get("+25:00", err, sizeof err) == NULL);
    CHECK(strstr(err, "invalid offset in time zone '+25:00'") != NULL);
    const char *bad[] = {"", "../../etc/passwd", "/etc/localtime", "GMT+8:3", "+08:60", "UTC+", "Asia", "Asia/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        CHECK(tz_get(bad[i], err, sizeof err) == NULL);
        CHECK(strstr(err, "time zone") != NULL);
    }
    CHECK(tz_get("Nowhere/Land", NULL, 0) == NULL);     /* no buffer is fine */
}

/* ---- hand-built TZif files in a private TZDIR ----------------------------------------- */

typedef struct buf { unsigned char b[4096]; size_t n; } buf;

static void put_be(buf *o, int64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--) o->b[o->n++] = (unsigned char)((uint64_t)v >> (8 * i));
}

/* One TZif header + data block: transitions, their type indexes, types (offset, isdst). */
static void put_block(buf *o, int version, int tsize, int ntrans, const int64_t *trans, const unsigned char *idx,
                      int ntypes, const int32_t *offs)
{
    memcpy(o->b + o->n, "TZif", 4);
    o->n += 4;
    o->b[o->n++] = version == 1 ? 0 : (unsigned char)('0' + version);
    memset(o->b + o->n, 0, 15);
    o->n += 15;
    put_be(o, 0, 4);            /* isutcnt */
    put_be(o, 0, 4);            /* isstdcnt */
    put_be(o, 0, 4);            /* leapcnt */
    put_be(o, ntrans, 4);
    put_be(o, ntypes, 4);
    put_be(o, 4, 4);            /* charcnt */
    for (int i = 0; i < ntrans; i++) put_be(o, trans[i], tsize);
    for (int i = 0; i < ntrans; i++) o->b[o->n++] = idx[i];
    for (int i = 0; i < ntypes; i++) {
        put_be(o, offs[i], 4);
        o->b[o->n++] = 0;
        o->b[o->n++] = 0;
    }
    memcpy(o->b + o->n, "XYZ", 4);
    o->n += 4;
}

static void write_file(const char *dir, const char *name, const buf *o)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    fwrite(o->b, 1, o->n, f);
    fclose(f);
}

static void write_v2(const char *dir, const char *name, int ntrans, const int64_t *trans, const unsigned char *idx,
                     int ntypes, const int32_t *offs, const char *footer)
{
    buf o = {{0}, 0};
    int32_t zero = 0;
    put_block(&o, 2, 4, 0, NULL, NULL, 1, &zero);        /* minimal v1 block, skipped by v2 readers */
    put_block(&o, 2, 8, ntrans, trans, idx, ntypes, offs);
    o.b[o.n++] = '\n';
    memcpy(o.b + o.n, footer, strlen(footer));
    o.n += strlen(footer);
    o.b[o.n++] = '\n';
    write_file(dir, name, &o);
}

TEST(tzif_files_and_posix_rules)
{
    char dir[] = "/tmp/eddy_tzdir_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char sub[600];
    snprintf(sub, sizeof sub, "%s/Test", dir);
    mkdir(sub, 0700);

    /* v1: one transition at t=1000 s from +01:00 to +02:00. */
    buf o = {{0}, 0};
    int64_t t1[] = {1000};
    unsigned char i1[] = {1};
    int32_t offs1[] = {3600, 7200};
    put_block(&o, 1, 4, 1, t1, i1, 2, offs1);
    write_file(sub, "V1", &o);
    /* v2 with no transitions and rules in the footer. */
    int32_t est = -5 * H, aest = 10 * H, irst = 3 * H + 1800;
    write_v2(sub, "Eastern", 0, NULL, NULL, 1, &est, "EST5EDT,M3.2.0,M11.1.0");
    write_v2(sub, "Sydney", 0, NULL, NULL, 1, &aest, "AEST-10AEDT,M10.1.0,M4.1.0/3");
    write_v2(sub, "Tehran", 0, NULL, NULL, 1, &irst, "<+0330>-3:30");
    write_v2(sub, "Julian", 0, NULL, NULL, 1, &est, "EST5EDT,J60/2,J300/2");
    /* v2 whose table ends in 2000 and whose rule takes over after it. */
    int64_t t2[] = {946684800};
    unsigned char i2[] = {1};
    int32_t offs2[] = {8 * H, -5 * H};
    write_v2(sub, "Switch", 1, t2, i2, 2, offs2, "EST5EDT,M3.2.0,M11.1.0");
    write_v2(sub, "Broken", 1, t2, (const unsigned char[]){7}, 2, offs2, "EST5");
    /* v3 whose leading v1 block is empty, as "slim" writers may emit. */
    buf slim = {{0}, 0};
    int32_t cst = 8 * H;
    put_block(&slim, 3, 4, 0, NULL, NULL, 0, NULL);
    put_block(&slim, 3, 8, 0, NULL, NULL, 1, &cst);
    memcpy(slim.b + slim.n, "\nCST-8\n", 7);
    slim.n += 7;
    write_file(sub, "Slim", &slim);
    buf junk = {{0}, 0};
    memcpy(junk.b, "NOTTZIF, just text\n", 19);
    junk.n = 19;
    write_file(sub, "Junk", &junk);
    buf cut = {{0}, 0};
    put_block(&cut, 1, 4, 1, t1, i1, 2, offs1);
    cut.n -= 10;                                  /* truncated data block */
    write_file(sub, "Cut", &cut);

    setenv("TZDIR", dir, 1);
    const tz_t *v1 = zone("Test/V1");
    CHECK(v1 != NULL);
    if (v1) {
        CHECK_EQ_INT(tz_offset_at_utc(v1, 999 * US), H);
        CHECK_EQ_INT(tz_offset_at_utc(v1, 1000 * US), 2 * H);
        CHECK_EQ_INT(tz_offset_at_utc(v1, utc(2100, 1, 1, 0, 0, 0)), 2 * H);
    }
    const tz_t *e = zone("Test/Eastern");
    CHECK(e != NULL);
    if (e) {
        CHECK_EQ_INT(tz_offset_at_utc(e, utc(2021, 3, 14, 7, 0, 0) - 1), -5 * H);
        CHECK_EQ_INT(tz_offset_at_utc(e, utc(2021, 3, 14, 7, 0, 0)), -4 * H);
        CHECK_EQ_INT(tz_offset_at_utc(e, utc(2021, 11, 7, 6, 0, 0) - 1), -4 * H);
        CHECK_EQ_INT(tz_offset_at_utc(e, utc(2021, 11, 7, 6, 0, 0)), -5 * H);
    }
    const tz_t *s = zone("Test/Sydney");
    CHECK(s != NULL);
    if (s) {
        /* Southern hemisphere: DST from the first Sunday of October to the first Sunday of April. */
        CHECK_EQ_INT(tz_offset_at_utc(s, utc(2021, 1, 15, 0, 0, 0)), 11 * H);
        CHECK_EQ_INT(tz_offset_at_utc(s, utc(2021, 7, 15, 0, 0, 0)), 10 * H);
        /* 2021-04-04 03:00 AEDT = 2021-04-03 16:00 UTC; 2021-10-03 02:00 AEST = 2021-10-02 16:00 UTC. */
        CHECK_EQ_INT(tz_offset_at_utc(s, utc(2021, 4, 3, 16, 0, 0) - 1), 11 * H);
        CHECK_EQ_INT(tz_offset_at_utc(s, utc(2021, 4, 3, 16, 0, 0)), 10 * H);
        CHECK_EQ_INT(tz_offset_at_utc(s, utc(2021, 10, 2, 16, 0, 0) - 1), 10 * H);
        CHECK_EQ_INT(tz_offset_at_utc(s, utc(2021, 10, 2, 16, 0, 0)), 11 * H);
        CHECK_EQ_INT(tz_offset_at_utc(s, utc(2300, 1, 1, 0, 0, 0)), 11 * H);
    }
    const tz_t *t = zone("Test/Tehran");
    if (t) CHECK_EQ_INT(tz_offset_at_utc(t, utc(2030, 6, 1, 0, 0, 0)), 3 * H + 1800);
    const tz_t *j = zone("Test/Julian");
    if (j) {
        /* J60 is March 1 in every year; J300 is October 27. */
        CHECK_EQ_INT(tz_offset_at_utc(j, utc(2024, 3, 1, 7, 0, 0) - 1), -5 * H);
        CHECK_EQ_INT(tz_offset_at_utc(j, utc(2024, 3, 1, 7, 0, 0)), -4 * H);
        CHECK_EQ_INT(tz_offset_at_utc(j, utc(2023, 10, 27, 6, 0, 0) - 1), -4 * H);
        CHECK_EQ_INT(tz_offset_at_utc(j, utc(2023, 10, 27, 6, 0, 0)), -5 * H);
    }
    const tz_t *sw = zone("Test/Switch");
    if (sw) {
        CHECK_EQ_INT(tz_offset_at_utc(sw, utc(1999, 7, 1, 0, 0, 0)), 8 * H);
        CHECK_EQ_INT(tz_offset_at_utc(sw, utc(2000, 1, 1, 12, 0, 0)), -5 * H);
        CHECK_EQ_INT(tz_offset_at_utc(sw, utc(2000, 7, 1, 0, 0, 0)), -4 * H);
    }
    const tz_t *sl = zone("Test/Slim");
    CHECK(sl != NULL);
    if (sl) CHECK_EQ_INT(tz_offset_at_utc(sl, utc(2030, 6, 1, 0, 0, 0)), 8 * H);
    char err[512];
    CHECK(tz_get("Test/Broken", err, sizeof err) == NULL);   /* type index out of range */
    CHECK(tz_get("Test/Junk", err, sizeof err) == NULL);
    CHECK(tz_get("Test/Cut", err, sizeof err) == NULL);
    CHECK(tz_get("Test/Missing", err, sizeof err) == NULL);
    CHECK(strstr(err, dir) != NULL);                          /* names the directory searched */
    unsetenv("TZDIR");

    const char *names[] = {"V1", "Eastern", "Sydney", "Tehran", "Julian", "Switch", "Broken", "Slim", "Junk", "Cut"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[700];
        snprintf(path, sizeof path, "%s/%s", sub, names[i]);
        unlink(path);
    }
    rmdir(sub);
    rmdir(dir);
}

TEST(default_zone_from_tz_variable)
{
    /* tz_default reads TZ once per process; this is its first call. */
    setenv("TZ", ":Asia/Shanghai", 1);
    const tz_t *d = tz_default();
    CHECK(d != NULL);
    if (d) CHECK_EQ_STR(tz_name(d), "Asia/Shanghai");
    CHECK(tz_default() == d);
    unsetenv("TZ");
}

int main(void)
{
    RUN(default_zone_from_tz_variable);
    RUN(shanghai_fixed_plus_8);
    RUN(new_york_transitions);
    RUN(new_york_local_to_utc);
    RUN(berlin_transitions);
    RUN(agrees_with_libc);
    RUN(local_round_trip);
    RUN(fixed_offsets);
    RUN(unknown_zones);
    RUN(tzif_files_and_posix_rules);
    return CHECK_DONE();
}
