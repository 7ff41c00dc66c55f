/* tz.c - time zones: TZif files from the system tz database, POSIX TZ rules, fixed offsets.
 *
 * A zone is a sorted list of transitions (UTC seconds) with the UTC offset in effect from
 * each one, the offset before the first transition (TZif local time type 0), and optionally
 * the POSIX TZ rule from the TZif v2+ footer that governs instants after the last
 * transition. Debian ships "slim" TZif files whose tables end where the rule takes over
 * (2007 for America/New_York), so at load time the rule is expanded into explicit
 * transitions up to RULE_EXPAND_UNTIL_YEAR and evaluated directly only beyond that.
 * A lookup is one binary search.
 *
 * Loaded zones live for the process in a mutex-protected cache keyed by the requested name;
 * they are never freed. Leap-second ("right/") files are read without applying leap seconds. */
#include "base/tz.h"
#include "base/civil.h"
#include "base/hashmap.h"
#include "base/util.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RULE_EXPAND_UNTIL_YEAR 2100
#define TZIF_MAX_BYTES (4 << 20)
#define MAX_OFFSET_SEC (18 * 3600)      /* java.time.ZoneOffset range */
#define SEC_PER_DAY 86400LL
#define US_PER_S 1000000LL

/* A day in a POSIX TZ rule: "Jn" (1..365, Feb 29 never counted), "n" (0..365), "Mm.w.d". */
typedef struct rule_day {
    char kind;          /* 'J', 'N' or 'M' */
    int n;              /* J / N day number */
    int month, week, wday;
} rule_day;

typedef struct posix_rule {
    int32_t std_off;    /* UTC offset (seconds east) of standard time */
    int32_t dst_off;    /* UTC offset during daylight time */
    int has_dst;
    rule_day start, end;
    int32_t start_time; /* local seconds after midnight (may be negative or > 24h in v3) */
    int32_t end_time;
} posix_rule;

struct tz {
    char *name;
    int is_fixed;
    int32_t fixed_off;
    int64_t *trans;         /* UTC seconds, ascending */
    int32_t *off_after;     /* offset in effect from trans[i] on */
    int ntrans;
    int32_t off_initial;    /* before the first transition */
    int has_rule;
    posix_rule rule;        /* after the last transition */
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static hmap_t cache;

/* ---- small helpers -------------------------------------------------------------------- */

static void set_err(char *err, int errcap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, int errcap, const char *fmt, ...)
{
    if (!err || errcap <= 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, (size_t)errcap, fmt, ap);
    va_end(ap);
}

static const char *zone_dir(void)
{
    const char *d = getenv("TZDIR");
    return d && *d ? d : "/usr/share/zoneinfo";
}

static tz_t *tz_new(const char *name)
{
    tz_t *z = xcalloc(1, sizeof *z);
    z->name = xstrdup(name);
    return z;
}

static tz_t *tz_new_fixed(const char *name, int32_t off)
{
    tz_t *z = tz_new(name);
    z->is_fixed = 1;
    z->fixed_off = off;
    return z;
}

/* ---- fixed offsets: "Z", "+8", "+08", "+08:00", "-0530", "+08:00:00", with optional
 * "UTC" / "GMT" / "UT" prefix ------------------------------------------------------------ */

static int parse_2digits_or_1(const char **p, int *out, int allow_one)
{
    const char *s = *p;
    if (!isdigit((unsigned char)s[0])) return -1;
    if (isdigit((unsigned char)s[1])) {
        *out = (s[0] - '0') * 10 + (s[1] - '0');
        *p = s + 2;
        return 0;
    }
    if (!allow_one) return -1;
    *out = s[0] - '0';
    *p = s + 1;
    return 0;
}

/* Parses "[+-]h[h][[:]mm[[:]ss]]" fully; returns 0 with seconds east of UTC. */
static int parse_offset_text(const char *s, int32_t *off)
{
    int sign;
    if (*s == '+') sign = 1;
    else if (*s == '-') sign = -1;
    else return -1;
    s++;
    int h = 0, m = 0, sec = 0;
    if (parse_2digits_or_1(&s, &h, 1) < 0) return -1;
    if (*s) {
        int colon = *s == ':';
        if (colon) s++;
        if (parse_2digits_or_1(&s, &m, 0) < 0) return -1;
        if (*s) {
            if (colon != (*s == ':')) return -1;
            if (colon) s++;
            if (parse_2digits_or_1(&s, &sec, 0) < 0) return -1;
        }
    }
    if (*s || m > 59 || sec > 59) return -1;
    int32_t v = h * 3600 + m * 60 + sec;
    if (v > MAX_OFFSET_SEC) return -1;
    *off = sign * v;
    return 0;
}

/* "+08:00" style text of an offset; prefix ("GMT", "UTC" or "") prepended. */
static void offset_name(char *buf, size_t cap, const char *prefix, int32_t off)
{
    int32_t a = off < 0 ? -off : off;
    if (a % 60)
        snprintf(buf, cap, "%s%c%02d:%02d:%02d", prefix, off < 0 ? '-' : '+', a / 3600, a / 60 % 60, a % 60);
    else
        snprintf(buf, cap, "%s%c%02d:%02d", prefix, off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

/* Returns 1 when name is a fixed-offset form (zone built into *out), 0 when it is not one,
 * -1 when it looks like an offset but is malformed or out of range. */
static int try_fixed(const char *name, tz_t **out)
{
    static const char *const prefixes[] = {"UTC", "GMT", "UT", ""};
    if (strcmp(name, "Z") == 0 || strcmp(name, "UTC") == 0 || strcmp(name, "GMT") == 0 || strcmp(name, "UT") == 0) {
        *out = tz_new_fixed(name, 0);
        return 1;
    }
    for (size_t i = 0; i < ARRAY_LEN(prefixes); i++) {
        size_t pl = strlen(prefixes[i]);
        if (strncmp(name, prefixes[i], pl) != 0) continue;
        const char *rest = name + pl;
        if (*rest != '+' && *rest != '-') continue;
        int32_t off;
        if (parse_offset_text(rest, &off) < 0) return -1;
        char canon[32];
        if (off == 0 && pl) snprintf(canon, sizeof canon, "%s", prefixes[i]);
        else if (off == 0) snprintf(canon, sizeof canon, "Z");
        else offset_name(canon, sizeof canon, prefixes[i], off);
        *out = tz_new_fixed(canon, off);
        return 1;
    }
    return 0;
}

/* ---- POSIX TZ strings ("CST-8", "EST5EDT,M3.2.0,M11.1.0", "<+0330>-3:30") --------------- */

static int posix_name(const char **p)
{
    const char *s = *p;
    if (*s == '<') {
        const char *e = strchr(s, '>');
        if (!e || e - s < 4) return -1;
        *p = e + 1;
        return 0;
    }
    int n = 0;
    while (isalpha((unsigned char)s[n])) n++;
    if (n < 3) return -1;
    *p = s + n;
    return 0;
}

/* "[+-]hh[:mm[:ss]]" with hours up to max_hours; returns seconds (signed as written). */
static int posix_hms(const char **p, int max_hours, int32_t *out)
{
    const char *s = *p;
    int sign = 1;
    if (*s == '+' || *s == '-') sign = *s++ == '-' ? -1 : 1;
    if (!isdigit((unsigned char)*s)) return -1;
    int h = 0, m = 0, sec = 0, nd = 0;
    while (isdigit((unsigned char)*s) && nd < 3) h = h * 10 + (*s++ - '0'), nd++;
    if (h > max_hours) return -1;
    if (*s == ':') {
        s++;
        if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1])) return -1;
        m = (s[0] - '0') * 10 + (s[1] - '0');
        s += 2;
        if (*s == ':') {
            s++;
            if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1])) return -1;
            sec = (s[0] - '0') * 10 + (s[1] - '0');
            s += 2;
        }
    }
    if (m > 59 || sec > 59) return -1;
    *out = sign * (h * 3600 + m * 60 + sec);
    *p = s;
    return 0;
}

static int posix_int(const char **p, int lo, int hi, int *out)
{
    const char *s = *p;
    if (!isdigit((unsigned char)*s)) return -1;
    int v = 0;
    while (isdigit((unsigned char)*s)) {
        v = v * 10 + (*s++ - '0');
        if (v > hi) return -1;
    }
    if (v < lo) return -1;
    *out = v;
    *p = s;
    return 0;
}

static int posix_rule_day(const char **p, rule_day *d, int32_t *time)
{
    const char *s = *p;
    if (*s == 'M') {
        s++;
        d->kind = 'M';
        if (posix_int(&s, 1, 12, &d->month) < 0 || *s++ != '.') return -1;
        if (posix_int(&s, 1, 5, &d->week) < 0 || *s++ != '.') return -1;
        if (posix_int(&s, 0, 6, &d->wday) < 0) return -1;
    } else if (*s == 'J') {
        s++;
        d->kind = 'J';
        if (posix_int(&s, 1, 365, &d->n) < 0) return -1;
    } else {
        d->kind = 'N';
        if (posix_int(&s, 0, 365, &d->n) < 0) return -1;
    }
    *time = 7200;
    if (*s == '/') {
        s++;
        if (posix_hms(&s, 167, time) < 0) return -1;
    }
    *p = s;
    return 0;
}

static int parse_posix_tz(const char *s, posix_rule *r)
{
    memset(r, 0, sizeof *r);
    int32_t v;
    if (posix_name(&s) < 0 || posix_hms(&s, 24, &v) < 0) return -1;
    r->std_off = -v;
    if (!*s) return 0;
    if (posix_name(&s) < 0) return -1;
    r->has_dst = 1;
    r->dst_off = r->std_off + 3600;
    if (*s && *s != ',') {
        if (posix_hms(&s, 24, &v) < 0) return -1;
        r->dst_off = -v;
    }
    if (!*s) {
        /* POSIX leaves the default rule to the implementation; the US rules are customary. */
        r->start = (rule_day){'M', 0, 3, 2, 0};
        r->end = (rule_day){'M', 0, 11, 1, 0};
        r->start_time = r->end_time = 7200;
        return 0;
    }
    if (*s++ != ',') return -1;
    if (posix_rule_day(&s, &r->start, &r->start_time) < 0) return -1;
    if (*s++ != ',') return -1;
    if (posix_rule_day(&s, &r->end, &r->end_time) < 0) return -1;
    return *s ? -1 : 0;
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* Days since the epoch of a rule day in year y. */
static int64_t rule_day_days(const rule_day *d, int64_t y)
{
    int64_t jan1 = days_from_civil(y, 1, 1);
    switch (d->kind) {
    case 'J': return jan1 + d->n - 1 + (is_leap(y) && d->n >= 60);
    case 'N': return jan1 + d->n;
    default: {
        int64_t first = days_from_civil(y, d->month, 1);
        int first_wday = (int)floor_mod(first + 4, 7);          /* 1970-01-01 was a Thursday */
        int64_t day = first + (d->wday - first_wday + 7) % 7 + (int64_t)(d->week - 1) * 7;
        int64_t next_month = first + days_in_month(y, d->month);
        while (day >= next_month) day -= 7;
        return day;
    }
    }
}

static void rule_bounds(const posix_rule *r, int64_t y, int64_t *start_utc, int64_t *end_utc)
{
    *start_utc = rule_day_days(&r->start, y) * SEC_PER_DAY + r->start_time - r->std_off;
    *end_utc = rule_day_days(&r->end, y) * SEC_PER_DAY + r->end_time - r->dst_off;
}

static int32_t rule_offset(const posix_rule *r, int64_t t)
{
    if (!r->has_dst) return r->std_off;
    int64_t y, s, e;
    int m, d;
    civil_from_days(floor_div(t + r->std_off, SEC_PER_DAY), &y, &m, &d);
    rule_bounds(r, y, &s, &e);
    int dst = s < e ? (t >= s && t < e) : !(t >= e && t < s);
    return dst ? r->dst_off : r->std_off;
}

/* ---- TZif ----------------------------------------------------------------------------- */

static int64_t be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = (v << 8) | p[i];
    if (n == 4) return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

typedef struct tzif_counts {
    int64_t isut, isstd, leap, time, type, chr;
} tzif_counts;

/* Reads a header; a v2+ file's leading v1 block may be empty (typecnt 0), so the type
 * count is enforced only where the data will be used (need_types). */
static int tzif_header(const unsigned char *p, size_t len, tzif_counts *c, int *version, int need_types)
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0) return -1;
    *version = p[4] ? p[4] - '0' : 1;
    c->isut = be(p + 20, 4);
    c->isstd = be(p + 24, 4);
    c->leap = be(p + 28, 4);
    c->time = be(p + 32, 4);
    c->type = be(p + 36, 4);
    c->chr = be(p + 40, 4);
    if (c->isut < 0 || c->isstd < 0 || c->leap < 0 || c->time < 0 || c->type < need_types || c->type > 256 || c->chr < 0)
        return -1;
    return 0;
}

static size_t tzif_block_len(const tzif_counts *c, int tsize)
{
    return (size_t)(c->time * tsize + c->time + c->type * 6 + c->chr + c->leap * (tsize + 4) + c->isstd + c->isut);
}

static void push_trans(tz_t *z, int *cap, int64_t t, int32_t off)
{
    if (z->ntrans == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        z->trans = xrealloc(z->trans, (size_t)*cap * sizeof *z->trans);
        z->off_after = xrealloc(z->off_after, (size_t)*cap * sizeof *z->off_after);
    }
    z->trans[z->ntrans] = t;
    z->off_after[z->ntrans] = off;
    z->ntrans++;
}

/* Appends the rule's transitions after the last explicit one (or from year y0 when there is
 * none), through RULE_EXPAND_UNTIL_YEAR. */
static void expand_rule(tz_t *z, int *cap, int64_t y0)
{
    if (!z->has_rule || !z->rule.has_dst) return;
    int64_t last = z->ntrans ? z->trans[z->ntrans - 1] : INT64_MIN;
    int64_t y;
    int m, d;
    if (z->ntrans) {
        civil_from_days(floor_div(last, SEC_PER_DAY), &y, &m, &d);
        y0 = y;
    }
    for (y = y0; y <= RULE_EXPAND_UNTIL_YEAR; y++) {
        int64_t s, e;
        rule_bounds(&z->rule, y, &s, &e);
        int64_t first = s < e ? s : e, second = s < e ? e : s;
        int32_t off1 = s < e ? z->rule.dst_off : z->rule.std_off;
        int32_t off2 = s < e ? z->rule.std_off : z->rule.dst_off;
        if (first > last) push_trans(z, cap, first, off1), last = first;
        if (second > last) push_trans(z, cap, second, off2), last = second;
    }
}

static tz_t *tzif_parse(const char *name, const unsigned char *p, size_t len)
{
    tzif_counts c;
    int version;
    if (tzif_header(p, len, &c, &version, 0) < 0) return NULL;
    int tsize = 4;
    size_t hdr = 44;
    if (version >= 2) {
        size_t skip = hdr + tzif_block_len(&c, 4);
        if (skip > len) return NULL;
        p += skip;
        len -= skip;
        if (tzif_header(p, len, &c, &version, 1) < 0) return NULL;
        tsize = 8;
    } else if (c.type < 1) {
        return NULL;
    }
    size_t block = tzif_block_len(&c, tsize);
    if (hdr + block > len) return NULL;
    const unsigned char *times = p + hdr;
    const unsigned char *idx = times + c.time * tsize;
    const unsigned char *types = idx + c.time;
    for (int64_t i = 0; i < c.time; i++)
        if (idx[i] >= c.type) return NULL;

    tz_t *z = tz_new(name);
    int cap = 0;
    z->off_initial = (int32_t)be(types, 4);
    for (int64_t i = 0; i < c.time; i++) {
        int64_t t = be(times + i * tsize, tsize);
        if (z->ntrans && t <= z->trans[z->ntrans - 1]) continue;      /* malformed order */
        push_trans(z, &cap, t, (int32_t)be(types + idx[i] * 6, 4));
    }
    if (version >= 2) {
        const unsigned char *foot = p + hdr + block;
        const unsigned char *end = p + len;
        if (foot < end && *foot == '\n') {
            const unsigned char *nl = memchr(foot + 1, '\n', (size_t)(end - foot - 1));
            if (nl && nl > foot + 1) {
                char tzstr[128];
                size_t n = (size_t)(nl - foot - 1);
                if (n < sizeof tzstr) {
                    memcpy(tzstr, foot + 1, n);
                    tzstr[n] = 0;
                    z->has_rule = parse_posix_tz(tzstr, &z->rule) == 0;
                }
            }
        }
    }
    expand_rule(z, &cap, 1970);
    return z;
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 14, n = 0;
    unsigned char *buf = xmalloc(cap);
    for (;;) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (n < cap) break;
        if (cap >= TZIF_MAX_BYTES) { n = 0; break; }
        cap *= 2;
        buf = xrealloc(buf, cap);
    }
    fclose(f);
    if (n == 0) { free(buf); return NULL; }
    *len = n;
    return buf;
}

static tz_t *load_tzif_path(const char *name, const char *path)
{
    size_t len;
    unsigned char *buf = read_file(path, &len);
    if (!buf) return NULL;
    tz_t *z = tzif_parse(name, buf, len);
    free(buf);
    return z;
}

/* IANA names are relative paths of letters, digits, '/', '_', '-', '+', '.' without "..". */
static int valid_zone_name(const char *name)
{
    if (!*name || *name == '/' || strstr(name, "..") || strlen(name) > 200) return 0;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("/_-+.", *p)) return 0;
    return 1;
}

static tz_t *load_named(const char *name)
{
    if (!valid_zone_name(name)) return NULL;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", zone_dir(), name);
    return load_tzif_path(name, path);
}

/* The zone file closest to name, component by component ("asia/shanghai" and
 * "Asia/Shangai" -> "Asia/Shanghai"), for the "did you mean" hint. Each component must be
 * within two edits (letter case is free). Returns 0 and fills out when one exists. */
static int suggest_zone(const char *name, char *out, size_t cap)
{
    if (!valid_zone_name(name)) return -1;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", zone_dir());
    size_t olen = 0;
    out[0] = 0;
    const char *p = name;
    while (*p) {
        char want[256], best[256] = "";
        size_t n = strcspn(p, "/");
        if (n >= sizeof want) return -1;
        memcpy(want, p, n);
        want[n] = 0;
        DIR *d = opendir(dir);
        if (!d) return -1;
        int best_d = 3;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof best) continue;
            int dist = edit_distance(want, e->d_name);
            if (dist < best_d) {
                best_d = dist;
                snprintf(best, sizeof best, "%s", e->d_name);
            }
        }
        closedir(d);
        size_t bl = strlen(best);
        if (!bl || olen + bl + 2 > cap || strlen(dir) + bl + 2 > sizeof dir) return -1;
        if (olen) out[olen++] = '/';
        memcpy(out + olen, best, bl + 1);
        olen += bl;
        size_t dl = strlen(dir);
        dir[dl] = '/';
        memcpy(dir + dl + 1, best, bl + 1);
        p += n;
        if (*p == '/') p++;
    }
    return 0;
}

static void unknown_zone_error(const char *name, int malformed_offset, char *err, int errcap)
{
    char hint[320] = "";
    char match[256];
    if (!malformed_offset && suggest_zone(name, match, sizeof match) == 0 && strcmp(match, name) != 0) {
        int case_only = strlen(match) == strlen(name) && str_ieq(match, name);
        snprintf(hint, sizeof hint, " (did you mean '%s'?%s)", match, case_only ? " zone names are case-sensitive" : "");
    }
    set_err(err, errcap,
            "%s time zone '%s'%s; expected an IANA zone name from %s such as 'Asia/Shanghai' or "
            "'America/New_York', 'UTC', 'Z', or a fixed offset within +/-18:00 such as '+08:00', '-0530', "
            "'GMT+8', 'UTC+08:00' or 'GMT-03:30'",
            malformed_offset ? "invalid offset in" : "unknown", name, hint, zone_dir());
}

/* ---- public API ---------------------------------------------------------------------- */

static tz_t *build_zone(const char *name, char *err, int errcap)
{
    tz_t *z = NULL;
    int r = try_fixed(name, &z);
    if (r == 1) return z;
    if (r == 0) z = load_named(name);
    if (!z) unknown_zone_error(name, r < 0, err, errcap);
    return z;
}

const tz_t *tz_get(const char *name, char *err, int errcap)
{
    if (!name) name = "";
    uint32_t klen = (uint32_t)strlen(name);
    uint64_t h = hash_bytes(name, klen);
    pthread_mutex_lock(&cache_lock);
    void **slot = hmap_get(&cache, name, klen, h);
    tz_t *z = slot ? *slot : NULL;
    if (!z) {
        z = build_zone(name, err, errcap);
        if (z) {
            int created;
            *hmap_put(&cache, name, klen, h, &created) = z;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return z;
}

/* A zone built straight from a POSIX TZ string (TZ="CST-8"), cached under that string. */
static const tz_t *zone_from_posix(const char *s)
{
    posix_rule r;
    if (parse_posix_tz(s, &r) < 0) return NULL;
    uint32_t klen = (uint32_t)strlen(s);
    uint64_t h = hash_bytes(s, klen);
    pthread_mutex_lock(&cache_lock);
    void **slot = hmap_get(&cache, s, klen, h);
    tz_t *z = slot ? *slot : NULL;
    if (!z) {
        z = tz_new(s);
        z->has_rule = 1;
        z->rule = r;
        z->off_initial = r.std_off;
        int cap = 0;
        expand_rule(z, &cap, 1900);
        int created;
        *hmap_put(&cache, s, klen, h, &created) = z;
    }
    pthread_mutex_unlock(&cache_lock);
    return z;
}

/* The zone name inside a path under a zoneinfo directory, or NULL. */
static const char *zoneinfo_suffix(const char *path)
{
    const char *p = strstr(path, "zoneinfo/");
    if (!p) return NULL;
    p += strlen("zoneinfo/");
    /* Debian also has zoneinfo/posix/ and zoneinfo/right/ copies of every zone. */
    if (strncmp(p, "posix/", 6) == 0) p += 6;
    return *p ? p : NULL;
}

static const tz_t *default_from_env(const char *tzenv)
{
    if (*tzenv == ':') tzenv++;
    if (!*tzenv) return NULL;
    if (*tzenv == '/') {
        const char *suffix = zoneinfo_suffix(tzenv);
        const tz_t *z = suffix ? tz_get(suffix, NULL, 0) : NULL;
        return z;
    }
    const tz_t *z = tz_get(tzenv, NULL, 0);
    return z ? z : zone_from_posix(tzenv);
}

static const tz_t *default_from_system(void)
{
    char link[PATH_MAX];
    ssize_t n = readlink("/etc/localtime", link, sizeof link - 1);
    if (n > 0) {
        link[n] = 0;
        const char *suffix = zoneinfo_suffix(link);
        const tz_t *z = suffix ? tz_get(suffix, NULL, 0) : NULL;
        if (z) return z;
    }
    FILE *f = fopen("/etc/timezone", "r");
    if (f) {
        char line[256];
        const tz_t *z = NULL;
        if (fgets(line, sizeof line, f)) {
            line[strcspn(line, " \t\r\n")] = 0;
            if (*line) z = tz_get(line, NULL, 0);
        }
        fclose(f);
        if (z) return z;
    }
    return NULL;
}

static const tz_t *default_zone;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

static void init_default(void)
{
    const char *tzenv = getenv("TZ");
    const tz_t *z = tzenv ? default_from_env(tzenv) : default_from_system();
    default_zone = z ? z : tz_get("UTC", NULL, 0);
}

const tz_t *tz_default(void)
{
    pthread_once(&default_once, init_default);
    return default_zone;
}

const char *tz_name(const tz_t *tz) { return tz->name; }

int32_t tz_offset_at_utc(const tz_t *tz, int64_t utc_us)
{
    if (tz->is_fixed) return tz->fixed_off;
    int64_t t = floor_div(utc_us, US_PER_S);
    int lo = 0, hi = tz->ntrans;             /* first transition > t */
    while (lo < hi) {
        int mid = (lo + hi) >> 1;
        if (tz->trans[mid] <= t) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return tz->ntrans == 0 && tz->has_rule ? rule_offset(&tz->rule, t) : tz->off_initial;
    if (lo == tz->ntrans && tz->has_rule) return rule_offset(&tz->rule, t);
    return tz->off_after[lo - 1];
}

int64_t tz_local_to_utc(const tz_t *tz, int64_t local_us)
{
    if (tz->is_fixed) return local_us - (int64_t)tz->fixed_off * US_PER_S;
    /* The offsets a day before and after bracket the only transition that can matter. */
    const int64_t day = SEC_PER_DAY * US_PER_S;
    int64_t before = (int64_t)tz_offset_at_utc(tz, local_us - day) * US_PER_S;
    int64_t after = (int64_t)tz_offset_at_utc(tz, local_us + day) * US_PER_S;
    int64_t u1 = local_us - before;
    if ((int64_t)tz_offset_at_utc(tz, u1) * US_PER_S == before) return u1;   /* normal or overlap */
    int64_t u2 = local_us - after;
    if ((int64_t)tz_offset_at_utc(tz, u2) * US_PER_S == after) return u2;
    return u1;      /* gap: the reading moves forward by the gap's length */
}
