/* timefmt.c - compiling, formatting and parsing Java date-time patterns (see timefmt.h).
 *
 * Compilation turns the pattern into items: runs of one letter become field items with
 * their letter count, everything else becomes literal bytes kept in the struct. Formatting
 * breaks the reading into civil fields once and writes every item's digits or names
 * straight into the caller's buffer. Parsing walks the items over the text collecting
 * fields, then resolves them (defaults, 12-hour clock, era, day of year) into a reading;
 * adjacent numeric fields ("yyyyMMddHH") share a run of digits by giving the fixed-width
 * fields that follow exactly their width and the first one the rest. */
#include "base/timefmt.h"
#include "base/civil.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define US_PER_SECOND 1000000LL
#define US_PER_DAY_ 86400000000LL
#define MAX_ABS_YEAR 290000         /* readings stay inside int64 microseconds */

enum item_kind {
    K_LIT,
    K_ERA,          /* G */
    K_YEAR,         /* y: year of era */
    K_PYEAR,        /* u: proleptic year */
    K_QUARTER,      /* Q q */
    K_MONTH,        /* M L */
    K_DAY,          /* d */
    K_DOY,          /* D */
    K_DOW,          /* E */
    K_AMPM,         /* a */
    K_HOUR,         /* H 0-23 */
    K_HOUR_1_24,    /* k */
    K_HOUR_0_11,    /* K */
    K_HOUR_1_12,    /* h */
    K_MINUTE,       /* m */
    K_SECOND,       /* s */
    K_FRACTION,     /* S */
    K_OFF_X,        /* X: "Z" for zero */
    K_OFF_LX,       /* x: digits for zero */
    K_OFF_Z,        /* Z */
};

typedef struct letter_def {
    char letter;
    uint8_t kind;
    uint8_t max_count;
} letter_def;

static const letter_def letters[] = {
    {'G', K_ERA, 5},       {'y', K_YEAR, 9},      {'u', K_PYEAR, 9},     {'Q', K_QUARTER, 5},
    {'q', K_QUARTER, 5},   {'M', K_MONTH, 5},     {'L', K_MONTH, 5},     {'d', K_DAY, 2},
    {'D', K_DOY, 3},       {'E', K_DOW, 5},       {'a', K_AMPM, 9},      {'H', K_HOUR, 2},
    {'k', K_HOUR_1_24, 2}, {'K', K_HOUR_0_11, 2}, {'h', K_HOUR_1_12, 2}, {'m', K_MINUTE, 2},
    {'s', K_SECOND, 2},    {'S', K_FRACTION, 9},  {'X', K_OFF_X, 5},     {'x', K_OFF_LX, 5},
    {'Z', K_OFF_Z, 5},
};

/* Letters java.time knows that eddy does not implement, with what they mean. */
static const struct { char letter; const char *what; } unsupported[] = {
    {'z', "time-zone name"}, {'V', "time-zone id"}, {'v', "generic time-zone name"},
    {'O', "localized zone offset"}, {'Y', "week-based year"}, {'w', "week of week-based year"},
    {'W', "week of month"}, {'e', "localized day of week"}, {'c', "localized day of week"},
    {'F', "day of week in month"}, {'n', "nano of second"}, {'N', "nano of day"},
    {'A', "milli of day"}, {'B', "period of day"}, {'g', "modified Julian day"},
};

static const char *const month_long[12] = {"January", "February", "March", "April", "May", "June", "July",
                                           "August", "September", "October", "November", "December"};
static const char *const month_short[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const dow_long[7] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
static const char *const dow_short[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const quarter_long[4] = {"1st quarter", "2nd quarter", "3rd quarter", "4th quarter"};

/* ---- compiling ------------------------------------------------------------------------ */

static int compile_error(char *err, int errcap, const char *pat, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int compile_error(char *err, int errcap, const char *pat, size_t len, const char *fmt, ...)
{
    if (err && errcap > 0) {
        char what[160];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        int shown = len > 80 ? 80 : (int)len;
        snprintf(err, (size_t)errcap, "invalid date-time pattern '%.*s%s': %s", shown, pat, len > 80 ? "..." : "", what);
    }
    return -1;
}

static int item_is_numeric(const timefmt_item *it)
{
    switch (it->kind) {
    case K_YEAR: case K_PYEAR: case K_DAY: case K_DOY: case K_HOUR: case K_HOUR_1_24:
    case K_HOUR_0_11: case K_HOUR_1_12: case K_MINUTE: case K_SECOND: case K_FRACTION:
        return 1;
    case K_MONTH: case K_QUARTER:
        return it->count <= 2;
    default:
        return 0;
    }
}

static int item_max_len(const timefmt_item *it)
{
    int n = it->count;
    switch (it->kind) {
    case K_LIT: return it->lit_len;
    case K_ERA: return n == 4 ? 13 : 2;
    case K_YEAR: case K_PYEAR: return n > 8 ? n + 1 : 9;
    case K_QUARTER: return n == 4 ? 11 : 2;
    case K_MONTH: return n == 4 ? 9 : n == 3 ? 3 : 2;
    case K_DOW: return n == 4 ? 9 : 3;
    case K_DOY: return 3;
    case K_FRACTION: return n;
    case K_OFF_X: case K_OFF_LX: case K_OFF_Z: return 12;
    default: return 2;
    }
}

static const letter_def *find_letter(char c)
{
    for (size_t i = 0; i < sizeof letters / sizeof letters[0]; i++)
        if (letters[i].letter == c) return &letters[i];
    return NULL;
}

static int add_item(timefmt_t *f, timefmt_item it)
{
    if (f->nitems >= TIMEFMT_MAX_ITEMS) return -1;
    f->items[f->nitems++] = it;
    return 0;
}

/* Appends one literal byte, merging with a literal item just before it. */
static int add_literal(timefmt_t *f, size_t *litlen, char c)
{
    if (*litlen >= TIMEFMT_MAX_LITERAL) return -1;
    timefmt_item *last = f->nitems ? &f->items[f->nitems - 1] : NULL;
    if (!last || last->kind != K_LIT || last->lit_off + last->lit_len != *litlen || last->lit_len == 255) {
        timefmt_item it = {K_LIT, 0, 0, 0, (uint16_t)*litlen};
        if (add_item(f, it) < 0) return -1;
        last = &f->items[f->nitems - 1];
    }
    f->lit[(*litlen)++] = c;
    last->lit_len++;
    return 0;
}

static int too_long(char *err, int errcap, const char *pat, size_t len)
{
    return compile_error(err, errcap, pat, len, "too long (at most %d literal bytes and %d fields)", TIMEFMT_MAX_LITERAL,
                         TIMEFMT_MAX_ITEMS);
}

static int is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static int compile_letters(timefmt_t *f, const char *pat, size_t len, size_t *i, char *err, int errcap)
{
    char c = pat[*i];
    size_t n = 1;
    while (*i + n < len && pat[*i + n] == c) n++;
    const letter_def *def = find_letter(c);
    if (!def) {
        for (size_t k = 0; k < sizeof unsupported / sizeof unsupported[0]; k++)
            if (unsupported[k].letter == c)
                return compile_error(err, errcap, pat, len, "pattern letter '%c' (%s) at position %zu is not supported",
                                     c, unsupported[k].what, *i + 1);
        return compile_error(err, errcap, pat, len,
                             "unknown pattern letter '%c' at position %zu (letters: G y u Q M d D E a H k K h m s S X x Z; "
                             "quote literal text like 'T')", c, *i + 1);
    }
    if (n > def->max_count)
        return compile_error(err, errcap, pat, len, "too many pattern letters '%c' at position %zu (at most %d)", c,
                             *i + 1, def->max_count);
    timefmt_item it = {def->kind, (uint8_t)n, 0, 0, 0};
    if (add_item(f, it) < 0) return too_long(err, errcap, pat, len);
    *i += n;
    return 0;
}

/* A quoted literal starting at pat[*i] == '\''. */
static int compile_quoted(timefmt_t *f, const char *pat, size_t len, size_t *i, size_t *litlen, char *err, int errcap)
{
    size_t start = *i;
    size_t j = *i + 1;
    if (j < len && pat[j] == '\'') {
        *i = j + 1;
        return add_literal(f, litlen, '\'') < 0 ? too_long(err, errcap, pat, len) : 0;
    }
    for (;;) {
        if (j >= len) return compile_error(err, errcap, pat, len, "unterminated quote at position %zu", start + 1);
        if (pat[j] == '\'') {
            if (j + 1 < len && pat[j + 1] == '\'') {
                if (add_literal(f, litlen, '\'') < 0) return too_long(err, errcap, pat, len);
                j += 2;
                continue;
            }
            *i = j + 1;
            return 0;
        }
        if (add_literal(f, litlen, pat[j]) < 0) return too_long(err, errcap, pat, len);
        j++;
    }
}

int timefmt_compile(timefmt_t *f, const char *pat, size_t len, char *err, int errcap)
{
    memset(f, 0, sizeof *f);
    size_t litlen = 0, i = 0;
    while (i < len) {
        char c = pat[i];
        if (is_ascii_letter(c)) {
            if (compile_letters(f, pat, len, &i, err, errcap) < 0) return -1;
            continue;
        }
        if (c == '[' || c == ']')
            return compile_error(err, errcap, pat, len, "optional sections '[...]' are not supported (position %zu)", i + 1);
        if (c == '{' || c == '}' || c == '#')
            return compile_error(err, errcap, pat, len, "'%c' at position %zu is reserved; quote it as '%c'", c, i + 1, c);
        if (c == '\'') {
            if (compile_quoted(f, pat, len, &i, &litlen, err, errcap) < 0) return -1;
        } else if (add_literal(f, &litlen, pat[i++]) < 0) {
            return too_long(err, errcap, pat, len);
        }
    }
    int max_len = 0;
    for (int k = 0; k < f->nitems; k++) {
        timefmt_item *it = &f->items[k];
        it->abuts = k + 1 < f->nitems && item_is_numeric(it) && item_is_numeric(&f->items[k + 1]);
        if (it->kind == K_OFF_X || it->kind == K_OFF_LX || it->kind == K_OFF_Z) f->uses_offset = 1;
        max_len += item_max_len(it);
    }
    f->max_len = (uint16_t)max_len;
    return 0;
}

/* ---- formatting ----------------------------------------------------------------------- */

static char *put_num_wide(char *p, uint64_t v, int width)
{
    if (v < 10000 && width == 4) {
        p[0] = (char)('0' + v / 1000);
        p[1] = (char)('0' + v / 100 % 10);
        p[2] = (char)('0' + v / 10 % 10);
        p[3] = (char)('0' + v % 10);
        return p + 4;
    }
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (int k = n; k < width; k++) *p++ = '0';
    while (n) *p++ = tmp[--n];
    return p;
}

/* v in decimal, zero-padded to at least width digits; one- and two-digit fields inline. */
static inline __attribute__((always_inline)) char *put_num(char *p, uint64_t v, int width)
{
    if (v < 100 && width <= 2) {
        if (v >= 10 || width == 2) {
            p[0] = (char)('0' + v / 10);
            p[1] = (char)('0' + v % 10);
            return p + 2;
        }
        *p = (char)('0' + v);
        return p + 1;
    }
    return put_num_wide(p, v, width);
}

static char *put_str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

static char *put_year(char *p, int64_t year, int count, int proleptic)
{
    int64_t v = proleptic ? year : (year > 0 ? year : 1 - year);
    if (count == 2) return put_num(p, (uint64_t)floor_mod(v, 100), 2);
    if (v < 0) {
        *p++ = '-';
        v = -v;
    } else if (count == 4 && v > 9999) {
        *p++ = '+';         /* java.time SignStyle.EXCEEDS_PAD */
    }
    return put_num(p, (uint64_t)v, count);
}

static char *put_fraction(char *p, int micros, int count)
{
    static const uint32_t pow10[9] = {100000000, 10000000, 1000000, 100000, 10000, 1000, 100, 10, 1};
    uint32_t ns = (uint32_t)micros * 1000u;
    for (int k = 0; k < count; k++) *p++ = (char)('0' + ns / pow10[k] % 10);
    return p;
}

/* Sign, two-digit hours, then minutes (always, or only when non-zero) and seconds (only
 * when non-zero), separated by colons when colon is set. */
static char *put_offset_digits(char *p, int32_t off, int colon, int minutes_always, int allow_seconds)
{
    int32_t a = off < 0 ? -off : off;
    int h = a / 3600, m = a / 60 % 60, s = a % 60;
    *p++ = off < 0 ? '-' : '+';
    p = put_num(p, (uint64_t)h, 2);
    if (minutes_always || m || (allow_seconds && s)) {
        if (colon) *p++ = ':';
        p = put_num(p, (uint64_t)m, 2);
    }
    if (allow_seconds && s) {
        if (colon) *p++ = ':';
        p = put_num(p, (uint64_t)s, 2);
    }
    return p;
}

static char *put_offset(char *p, const timefmt_item *it, int32_t off)
{
    int n = it->count;
    if (it->kind == K_OFF_Z) {
        if (n <= 3) return put_offset_digits(p, off, 0, 1, 0);
        if (n == 4) {
            p = put_str(p, "GMT");
            return off ? put_offset_digits(p, off, 1, 1, 1) : p;
        }
        return off ? put_offset_digits(p, off, 1, 1, 1) : put_str(p, "Z");
    }
    if (it->kind == K_OFF_X && off == 0) return put_str(p, "Z");
    switch (n) {
    case 1: return put_offset_digits(p, off, 0, 0, 0);
    case 2: return put_offset_digits(p, off, 0, 1, 0);
    case 3: return put_offset_digits(p, off, 1, 1, 0);
    case 4: return put_offset_digits(p, off, 0, 1, 1);
    default: return put_offset_digits(p, off, 1, 1, 1);
    }
}

static int day_of_year(const civil_t *c) { return (int)(days_from_civil(c->year, c->month, c->day) - days_from_civil(c->year, 1, 1)) + 1; }

static int day_of_week(int64_t local_us) { return (int)floor_mod(floor_div(local_us, US_PER_DAY_) + 4, 7); }   /* 0 = Sunday */

static char *format_item(char *p, const timefmt_t *f, const timefmt_item *it, const civil_t *c, int64_t local_us, int32_t off)
{
    int n = it->count;
    switch (it->kind) {
    case K_LIT:
        if (it->lit_len == 1) {
            *p = f->lit[it->lit_off];
            return p + 1;
        }
        memcpy(p, f->lit + it->lit_off, it->lit_len);
        return p + it->lit_len;
    case K_ERA:
        if (n == 4) return put_str(p, c->year > 0 ? "Anno Domini" : "Before Christ");
        if (n == 5) return put_str(p, c->year > 0 ? "A" : "B");
        return put_str(p, c->year > 0 ? "AD" : "BC");
    case K_YEAR: return put_year(p, c->year, n, 0);
    case K_PYEAR: return put_year(p, c->year, n, 1);
    case K_QUARTER: {
        int q = (c->month + 2) / 3;
        if (n == 3) { *p++ = 'Q'; return put_num(p, (uint64_t)q, 1); }
        if (n == 4) return put_str(p, quarter_long[q - 1]);
        return put_num(p, (uint64_t)q, n == 5 ? 1 : n);
    }
    case K_MONTH:
        if (n == 3) return put_str(p, month_short[c->month - 1]);
        if (n == 4) return put_str(p, month_long[c->month - 1]);
        if (n == 5) { *p++ = month_long[c->month - 1][0]; return p; }
        return put_num(p, (uint64_t)c->month, n);
    case K_DAY: return put_num(p, (uint64_t)c->day, n);
    case K_DOY: return put_num(p, (uint64_t)day_of_year(c), n);
    case K_DOW: {
        int d = day_of_week(local_us);
        if (n == 4) return put_str(p, dow_long[d]);
        if (n == 5) { *p++ = dow_long[d][0]; return p; }
        return put_str(p, dow_short[d]);
    }
    case K_AMPM: return put_str(p, c->hour < 12 ? "AM" : "PM");
    case K_HOUR: return put_num(p, (uint64_t)c->hour, n);
    case K_HOUR_1_24: return put_num(p, (uint64_t)(c->hour ? c->hour : 24), n);
    case K_HOUR_0_11: return put_num(p, (uint64_t)(c->hour % 12), n);
    case K_HOUR_1_12: return put_num(p, (uint64_t)(c->hour % 12 ? c->hour % 12 : 12), n);
    case K_MINUTE: return put_num(p, (uint64_t)c->minute, n);
    case K_SECOND: return put_num(p, (uint64_t)c->second, n);
    case K_FRACTION: return put_fraction(p, c->micros, n);
    default: return put_offset(p, it, off);
    }
}

int timefmt_format(const timefmt_t *f, int64_t local_us, int32_t offset_sec, char *out)
{
    civil_t c;
    civil_from_us(local_us, &c);
    char *p = out;
    for (int k = 0; k < f->nitems; k++) p = format_item(p, f, &f->items[k], &c, local_us, offset_sec);
    return (int)(p - out);
}

/* ---- parsing -------------------------------------------------------------------------- */

/* Fields seen in the text; -1 = absent. */
typedef struct fields {
    int64_t year;           /* as written: year of era for y, proleptic for u */
    int year_is_era;        /* the year came from y */
    int era;                /* 1 AD, 0 BC */
    int64_t month, day, doy, dow;
    int64_t hour, hour_1_24, hour_0_11, hour_1_12, ampm;
    int64_t minute, second;
    int64_t micros;         /* JAVA_TIME fraction */
    int64_t millis;         /* SIMPLE: S counts milliseconds */
    int32_t offset;
    int has_offset;
} fields;

typedef struct cursor {
    const char *s;
    size_t len;
    size_t pos;
    int mode;
} cursor;

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static size_t digit_run(const cursor *cu)
{
    size_t n = 0;
    while (cu->pos + n < cu->len && is_digit(cu->s[cu->pos + n])) n++;
    return n;
}

/* Minimum and maximum digits a numeric item takes when nothing abuts it. */
static void item_widths(const timefmt_item *it, int mode, int *min, int *max)
{
    int n = it->count;
    if (mode == TIMEFMT_SIMPLE) {
        *min = it->abuts ? n : 1;
        *max = it->abuts ? n : 9;
        return;
    }
    switch (it->kind) {
    case K_YEAR: case K_PYEAR:
        *min = n;
        *max = n == 2 ? 2 : 9;
        return;
    case K_FRACTION:
        *min = *max = n;
        return;
    case K_DOY:
        *min = n;
        *max = n == 1 ? 9 : 3;
        return;
    default:
        *min = n;
        *max = n == 1 ? 9 : n;
        return;
    }
}

/* How many digits items[k] takes: a variable-width field followed by abutting fields
 * leaves them their minimum widths. Returns -1 when the digits cannot fit. */
static int numeric_width(const timefmt_t *f, int k, const cursor *cu)
{
    int min, max;
    item_widths(&f->items[k], cu->mode, &min, &max);
    int avail = (int)digit_run(cu);
    if (f->items[k].abuts) {
        int reserve = 0;
        for (int j = k + 1; j < f->nitems; j++) {
            int jmin, jmax;
            item_widths(&f->items[j], cu->mode, &jmin, &jmax);
            reserve += jmin;
            if (!f->items[j].abuts) break;
        }
        avail -= reserve;
    }
    int w = avail < max ? avail : max;
    return w >= min ? w : -1;
}

static int64_t read_digits(cursor *cu, int w)
{
    int64_t v = 0;
    for (int k = 0; k < w; k++) v = v * 10 + (cu->s[cu->pos++] - '0');
    return v;
}

static int match_text(cursor *cu, const char *t)
{
    size_t n = strlen(t);
    if (cu->pos + n > cu->len) return 0;
    int same = cu->mode == TIMEFMT_SIMPLE ? strncasecmp(cu->s + cu->pos, t, n) == 0 : memcmp(cu->s + cu->pos, t, n) == 0;
    if (same) cu->pos += n;
    return same;
}

/* Index of the name matched at the cursor, or -1. JAVA_TIME accepts only the form the
 * count asks for; SIMPLE tries the long then the short form. */
static int match_name(cursor *cu, const char *const *longs, const char *const *shorts, int n, int count)
{
    int try_long = cu->mode == TIMEFMT_SIMPLE || count == 4;
    int try_short = cu->mode == TIMEFMT_SIMPLE || count <= 3;
    for (int k = 0; try_long && k < n; k++)
        if (match_text(cu, longs[k])) return k;
    for (int k = 0; try_short && k < n; k++)
        if (match_text(cu, shorts[k])) return k;
    return -1;
}

static int two_digits(cursor *cu, int *v)
{
    if (cu->pos + 2 > cu->len || !is_digit(cu->s[cu->pos]) || !is_digit(cu->s[cu->pos + 1])) return -1;
    *v = (int)read_digits(cu, 2);
    return 0;
}

/* "Z", or a sign, hours and optional minutes and seconds with or without colons; for
 * ZZZZ a "GMT" prefix. */
static int parse_offset(cursor *cu, const timefmt_item *it, fields *fd)
{
    if (it->kind == K_OFF_Z && it->count == 4 && match_text(cu, "GMT")) {
        if (cu->pos >= cu->len || (cu->s[cu->pos] != '+' && cu->s[cu->pos] != '-')) {
            fd->offset = 0;
            fd->has_offset = 1;
            return 0;
        }
    } else if (cu->pos < cu->len && cu->s[cu->pos] == 'Z' && it->kind != K_OFF_LX) {
        cu->pos++;
        fd->offset = 0;
        fd->has_offset = 1;
        return 0;
    }
    if (cu->pos >= cu->len || (cu->s[cu->pos] != '+' && cu->s[cu->pos] != '-')) return -1;
    int sign = cu->s[cu->pos++] == '-' ? -1 : 1;
    int h, m = 0, s = 0;
    if (two_digits(cu, &h) < 0) return -1;
    for (int part = 0; part < 2; part++) {
        size_t save = cu->pos;
        if (cu->pos < cu->len && cu->s[cu->pos] == ':') cu->pos++;
        int v;
        if (two_digits(cu, &v) < 0) {
            cu->pos = save;
            break;
        }
        if (part == 0) m = v;
        else s = v;
    }
    if (h > 18 || m > 59 || s > 59) return -1;
    fd->offset = sign * (h * 3600 + m * 60 + s);
    fd->has_offset = 1;
    return 0;
}

static int two_digit_year_simple(int64_t v)
{
    /* SimpleDateFormat puts two-digit years within 80 years before and 20 after today. */
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    int this_year = tmv.tm_year + 1900;
    int start = this_year - 80;
    int y = start - floor_mod(start, 100) + (int)v;
    if (y < start) y += 100;
    return y;
}

static int parse_numeric(const timefmt_t *f, int k, cursor *cu, fields *fd)
{
    const timefmt_item *it = &f->items[k];
    int w = numeric_width(f, k, cu);
    if (w < 0) return -1;
    int64_t v = read_digits(cu, w);
    switch (it->kind) {
    case K_YEAR: case K_PYEAR:
        if (it->count == 2 && w == 2) v = cu->mode == TIMEFMT_SIMPLE ? two_digit_year_simple(v) : 2000 + v;
        fd->year = v;
        fd->year_is_era = it->kind == K_YEAR;
        return 0;
    case K_QUARTER: return 0;           /* implied by the month; not needed to resolve */
    case K_MONTH: fd->month = v; return 0;
    case K_DAY: fd->day = v; return 0;
    case K_DOY: fd->doy = v; return 0;
    case K_HOUR: fd->hour = v; return 0;
    case K_HOUR_1_24: fd->hour_1_24 = v; return 0;
    case K_HOUR_0_11: fd->hour_0_11 = v; return 0;
    case K_HOUR_1_12: fd->hour_1_12 = v; return 0;
    case K_MINUTE: fd->minute = v; return 0;
    case K_SECOND: fd->second = v; return 0;
    case K_FRACTION:
        if (cu->mode == TIMEFMT_SIMPLE) {
            fd->millis = v;
        } else {
            for (int d = w; d < 6; d++) v *= 10;
            for (int d = w; d > 6; d--) v /= 10;
            fd->micros = v;
        }
        return 0;
    default: return -1;
    }
}

static int parse_text_item(const timefmt_item *it, cursor *cu, fields *fd)
{
    int n = it->count;
    int idx;
    switch (it->kind) {
    case K_ERA:
        if (n == 4) {
            if (match_text(cu, "Anno Domini")) fd->era = 1;
            else if (match_text(cu, "Before Christ")) fd->era = 0;
            else return -1;
        } else if (match_text(cu, n == 5 ? "A" : "AD")) {
            fd->era = 1;
        } else if (match_text(cu, n == 5 ? "B" : "BC")) {
            fd->era = 0;
        } else {
            return -1;
        }
        return 0;
    case K_QUARTER:
        if (n == 3) return match_text(cu, "Q") && cu->pos < cu->len && cu->s[cu->pos] >= '1' && cu->s[cu->pos] <= '4' ? (cu->pos++, 0) : -1;
        if (n == 4) return match_name(cu, quarter_long, quarter_long, 4, 4) >= 0 ? 0 : -1;
        return cu->pos < cu->len && cu->s[cu->pos] >= '1' && cu->s[cu->pos] <= '4' ? (cu->pos++, 0) : -1;
    case K_MONTH:
        if (n == 5) return -1;          /* narrow names are ambiguous */
        idx = match_name(cu, month_long, month_short, 12, n);
        if (idx < 0) return -1;
        fd->month = idx + 1;
        return 0;
    case K_DOW:
        if (n == 5) return -1;
        idx = match_name(cu, dow_long, dow_short, 7, n);
        if (idx < 0) return -1;
        fd->dow = idx;
        return 0;
    case K_AMPM:
        if (match_text(cu, "AM")) fd->ampm = 0;
        else if (match_text(cu, "PM")) fd->ampm = 1;
        else return -1;
        return 0;
    default:
        return parse_offset(cu, it, fd);
    }
}

/* The hour of day from whichever hour field was given; -1 when out of range. */
static int64_t resolve_hour(const fields *fd, int strict)
{
    int pm = fd->ampm == 1;
    if (fd->hour >= 0) return strict && fd->hour > 23 ? -1 : fd->hour;
    if (fd->hour_1_24 >= 0) {
        if (strict && (fd->hour_1_24 < 1 || fd->hour_1_24 > 24)) return -1;
        return fd->hour_1_24 == 24 ? 0 : fd->hour_1_24;
    }
    if (fd->hour_1_12 >= 0) {
        if (strict && (fd->hour_1_12 < 1 || fd->hour_1_12 > 12)) return -1;
        return (fd->hour_1_12 == 12 ? 0 : fd->hour_1_12) + 12 * pm;
    }
    if (fd->hour_0_11 >= 0) {
        if (strict && fd->hour_0_11 > 11) return -1;
        return fd->hour_0_11 + 12 * pm;
    }
    return 0;
}

static int64_t resolve_year(const fields *fd)
{
    int64_t y = fd->year >= 0 ? fd->year : 1970;
    if (fd->year >= 0 && fd->year_is_era && fd->era == 0) y = 1 - y;
    return y;
}

/* SimpleDateFormat (lenient): every field adds its amount, so overflow rolls over. */
static int resolve_simple(const fields *fd, int64_t *out)
{
    int64_t y = resolve_year(fd);
    if (y > MAX_ABS_YEAR || y < -MAX_ABS_YEAR) return -1;
    int64_t m0 = (fd->month >= 0 ? fd->month : 1) - 1;
    y += floor_div(m0, 12);
    int m = (int)floor_mod(m0, 12) + 1;
    int64_t days = days_from_civil(y, m, 1);
    if (fd->doy >= 0 && fd->month < 0 && fd->day < 0) days = days_from_civil(y, 1, 1) + fd->doy - 1;
    else days += (fd->day >= 0 ? fd->day : 1) - 1;
    int64_t secs = resolve_hour(fd, 0) * 3600 + (fd->minute >= 0 ? fd->minute : 0) * 60 + (fd->second >= 0 ? fd->second : 0);
    int64_t us;
    if (__builtin_mul_overflow(days, US_PER_DAY_, &us)) return -1;
    if (__builtin_add_overflow(us, secs * US_PER_SECOND, &us)) return -1;
    if (__builtin_add_overflow(us, (fd->millis >= 0 ? fd->millis : 0) * 1000, &us)) return -1;
    *out = us;
    return 0;
}

/* java.time (SMART resolver): range checks, day of month clamped to the month's length. */
static int resolve_java_time(const fields *fd, int64_t *out)
{
    int64_t y = resolve_year(fd);
    if (y > MAX_ABS_YEAR || y < -MAX_ABS_YEAR) return -1;
    civil_t c = {0};
    c.year = y;
    if (fd->doy >= 0 && fd->month < 0 && fd->day < 0) {
        int len = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 366 : 365;
        if (fd->doy < 1 || fd->doy > len) return -1;
        int64_t yy;
        civil_from_days(days_from_civil(y, 1, 1) + fd->doy - 1, &yy, &c.month, &c.day);
    } else {
        int64_t m = fd->month >= 0 ? fd->month : 1, d = fd->day >= 0 ? fd->day : 1;
        if (m < 1 || m > 12 || d < 1 || d > 31) return -1;
        c.month = (int)m;
        c.day = (int)d;
        int dim = days_in_month(y, c.month);
        if (c.day > dim) c.day = dim;
        if (fd->doy >= 0 && days_from_civil(y, c.month, c.day) - days_from_civil(y, 1, 1) + 1 != fd->doy) return -1;
    }
    int64_t h = resolve_hour(fd, 1);
    if (h < 0 || fd->minute > 59 || fd->second > 59) return -1;
    c.hour = (int)h;
    c.minute = fd->minute >= 0 ? (int)fd->minute : 0;
    c.second = fd->second >= 0 ? (int)fd->second : 0;
    c.micros = fd->micros >= 0 ? (int)fd->micros : 0;
    int64_t us = civil_to_us(&c);
    if (fd->dow >= 0 && day_of_week(us) != fd->dow) return -1;
    *out = us;
    return 0;
}

int timefmt_parse(const timefmt_t *f, const char *s, size_t len, int mode, timefmt_parsed *out)
{
    fields fd;
    memset(&fd, 0xff, sizeof fd);       /* every field -1 */
    fd.year_is_era = 0;
    fd.has_offset = 0;
    fd.offset = 0;
    cursor cu = {s, len, 0, mode};
    for (int k = 0; k < f->nitems; k++) {
        const timefmt_item *it = &f->items[k];
        if (it->kind == K_LIT) {
            if (cu.pos + it->lit_len > len || memcmp(s + cu.pos, f->lit + it->lit_off, it->lit_len) != 0) return -1;
            cu.pos += it->lit_len;
            continue;
        }
        int r = item_is_numeric(it) ? parse_numeric(f, k, &cu, &fd) : parse_text_item(it, &cu, &fd);
        if (r < 0) return -1;
    }
    if (mode != TIMEFMT_SIMPLE && cu.pos != len) return -1;
    int64_t us;
    if ((mode == TIMEFMT_SIMPLE ? resolve_simple(&fd, &us) : resolve_java_time(&fd, &us)) < 0) return -1;
    out->local_us = us;
    out->has_offset = fd.has_offset;
    out->offset_sec = fd.has_offset ? fd.offset : 0;
    return 0;
}

/* ---- Flink's lenient SQL timestamp text ------------------------------------------------ */

static int take_digits(cursor *cu, int min, int max, int64_t *v)
{
    int n = (int)digit_run(cu);
    if (n < min) return -1;
    if (n > max) return -1;
    *v = read_digits(cu, n);
    return 0;
}

static int take_char(cursor *cu, char c)
{
    if (cu->pos < cu->len && cu->s[cu->pos] == c) {
        cu->pos++;
        return 0;
    }
    return -1;
}

int timefmt_parse_sql_timestamp(const char *s, size_t len, int trim, int64_t *local_us)
{
    if (trim) {
        while (len && (unsigned char)*s <= ' ') s++, len--;
        while (len && (unsigned char)s[len - 1] <= ' ') len--;
    }
    cursor cu = {s, len, 0, TIMEFMT_JAVA_TIME};
    int64_t y, mo, d, h = 0, mi = 0, se = 0, frac = 0;
    if (take_digits(&cu, 4, 4, &y) < 0 || take_char(&cu, '-') < 0 || take_digits(&cu, 1, 2, &mo) < 0 ||
        take_char(&cu, '-') < 0 || take_digits(&cu, 1, 2, &d) < 0)
        return -1;
    if (cu.pos < len) {
        if (take_char(&cu, ' ') < 0 || take_digits(&cu, 1, 2, &h) < 0 || take_char(&cu, ':') < 0 ||
            take_digits(&cu, 1, 2, &mi) < 0 || take_char(&cu, ':') < 0 || take_digits(&cu, 1, 2, &se) < 0)
            return -1;
        if (cu.pos < len) {
            if (take_char(&cu, '.') < 0) return -1;
            size_t start = cu.pos;
            int64_t v;
            if (take_digits(&cu, 1, 9, &v) < 0) return -1;
            int nd = (int)(cu.pos - start);
            for (int k = nd; k < 6; k++) v *= 10;
            for (int k = nd; k > 6; k--) v /= 10;
            frac = v;
        }
    }
    if (cu.pos != len) return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, (int)mo) || h > 23 || mi > 59 || se > 59) return -1;
    civil_t c = {y, (int)mo, (int)d, (int)h, (int)mi, (int)se, (int)frac};
    *local_us = civil_to_us(&c);
    return 0;
}
