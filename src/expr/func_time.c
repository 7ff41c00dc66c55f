/* func_time.c - Flink's temporal functions: DATE_FORMAT, TO_TIMESTAMP, TO_TIMESTAMP_LTZ,
 * TO_DATE, FROM_UNIXTIME, UNIX_TIMESTAMP, the clock (NOW, CURRENT_TIMESTAMP, LOCALTIMESTAMP,
 * CURRENT_DATE, PROCTIME), field extraction (YEAR .. SECOND, EXTRACT), FLOOR/CEIL to a time
 * unit, TIMESTAMPADD/TIMESTAMPDIFF and Blink's WITHOFFSET.
 *
 * Values: TIMESTAMP is a wall-clock reading in microseconds, TIMESTAMP_LTZ an instant (UTC
 * microseconds) shown in the session zone (table.local-time-zone), DATE a day number. Every
 * kernel first turns its argument into wall-clock readings for the whole chunk, then works
 * on readings.
 *
 * Patterns: a constant pattern is compiled once by `check` into call->state (a timefmt_t);
 * a pattern that comes from data is compiled per chunk through a small cache keyed by the
 * pattern text. Which Java class Flink uses decides the parse rules: TO_TIMESTAMP parses
 * with DateTimeFormatter (strict), falling back to 'yyyy-M-d[ H:m:s[.f]]' like Flink;
 * UNIX_TIMESTAMP, TO_DATE(s, fmt) and DATE_FORMAT(string, ..) parse with SimpleDateFormat
 * (lenient, trailing text ignored, and UNIX_TIMESTAMP reads a wall-clock time that occurs
 * twice as standard time, like java.util.Calendar). Formatting is the same for both.
 *
 * Time units (EXTRACT, FLOOR_TO, CEIL_TO, TIMESTAMPADD, TIMESTAMPDIFF) arrive as a BIGINT
 * constant of enum time_unit (sql/ast.h), which is what the binder makes of FLOOR(x TO HOUR)
 * and EXTRACT(HOUR FROM x); a unit name string constant is accepted too.
 *
 * Deliberate differences from Flink, where Flink is wrong: CEIL(x TO unit) is the smallest
 * unit boundary at or after x (Flink ignores the time of day for WEEK and above, and its
 * CEIL(.. TO QUARTER) skips a quarter on a quarter's first day), and FLOOR/CEIL of a
 * TIMESTAMP_LTZ recompute the zone offset of the result instead of reusing the input's. */
#include "expr/func_internal.h"
#include "base/civil.h"
#include "base/timefmt.h"
#include "base/util.h"
#include "sql/ast.h"
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define DEFAULT_PATTERN "yyyy-MM-dd HH:mm:ss"
#define PATTERN_CACHE_SIZE 4

/* java.sql range Flink accepts for epoch numbers: 0000-01-01 .. 9999-12-31 23:59:59.999 UTC. */
#define MIN_EPOCH_MILLIS (-62167219200000LL)
#define MAX_EPOCH_MILLIS 253402300799999LL
#define MIN_EPOCH_SECONDS (-62167219200LL)
#define MAX_EPOCH_SECONDS 253402300799LL

/* ---- shared helpers ------------------------------------------------------------------- */

static int64_t wall_clock_us(const eval_ctx *ctx)
{
    if (ctx && ctx->exec && ctx->exec->now_us) return ctx->exec->now_us();
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * US_PER_SEC + t.tv_nsec / 1000;
}

static int is_null_type(type_t t) { return t.id == TY_NULL; }
static int is_string_arg(type_t t) { return t.id == TY_STRING || is_null_type(t); }
static int is_integer_arg(type_t t) { return type_is_integer(t) || is_null_type(t); }
static int is_numeric_arg(type_t t) { return type_is_numeric(t) || is_null_type(t); }
static int is_datetime_arg(type_t t) { return t.id == TY_DATE || type_is_timestamp(t) || is_null_type(t); }
static int is_timestamp_arg(type_t t) { return type_is_timestamp(t) || is_null_type(t); }

/* "DATE_FORMAT expects (TIMESTAMP | STRING, STRING), got (BIGINT, STRING)". */
static int type_error(const expr_t *call, const char *expected)
{
    sb_t got = {0};
    char buf[TYPE_NAME_CAP];
    for (int i = 0; i < call->nargs; i++) {
        if (i) sb_puts(&got, ", ");
        sb_puts(&got, func_type_name(call->args[i]->type, buf));
    }
    err_at(call->span, "%s expects %s, got (%s)", call->fn->name, expected, sb_str(&got));
    sb_free(&got);
    return -1;
}

static type_t plain(type_t t)
{
    t.attr = TA_NONE;
    t.not_null = 0;
    return t;
}

/* Wall-clock readings of a DATE / TIMESTAMP / TIMESTAMP_LTZ vector; LTZ values are read in
 * zone tz. Null rows read as 0. */
static void to_readings(const vector_t *v, uint32_t n, const tz_t *tz, int64_t *out)
{
    switch (v->type.id) {
    case TY_DATE:
        for (uint32_t i = 0; i < n; i++) out[i] = v->nulls[i] ? 0 : v->i64[i] * US_PER_DAY;
        break;
    case TY_TIMESTAMP_LTZ:
        for (uint32_t i = 0; i < n; i++) out[i] = v->nulls[i] ? 0 : tz_utc_to_local(tz, v->i64[i]);
        break;
    default:
        for (uint32_t i = 0; i < n; i++) out[i] = v->i64[i];
        break;
    }
}

static int64_t *scratch_i64(eval_ctx *ctx, uint32_t n)
{
    return arena_alloc(ctx->scratch, (size_t)(n ? n : 1) * sizeof(int64_t));
}

static int64_t floor_to_millis(int64_t us) { return us - floor_mod(us, US_PER_MS); }

/* ---- date-time patterns --------------------------------------------------------------- */

static timefmt_t default_fmt;
static pthread_once_t default_fmt_once = PTHREAD_ONCE_INIT;

static void compile_default_fmt(void)
{
    timefmt_compile(&default_fmt, DEFAULT_PATTERN, strlen(DEFAULT_PATTERN), NULL, 0);
}

static const timefmt_t *default_pattern(void)
{
    pthread_once(&default_fmt_once, compile_default_fmt);
    return &default_fmt;
}

/* check: compile a constant pattern argument into call->state. */
static int compile_const_pattern(expr_t *call, int idx)
{
    const expr_t *arg = call->args[idx];
    if (arg->kind != EX_CONST || arg->val.null || arg->type.id != TY_STRING) return 0;
    timefmt_t *f = xmalloc(sizeof *f);
    char err[256];
    if (timefmt_compile(f, str_ptr(&arg->val.s), arg->val.s.len, err, sizeof err) < 0) {
        free(f);
        return err_at(arg->span, "%s", err);
    }
    call->state = f;
    return 0;
}

static void free_pattern_state(void *state) { free(state); }

/* The pattern of each row for one chunk: the compiled constant, the default when the
 * function was called without one, or a per-chunk cache of patterns that come from data. */
typedef struct pattern_src {
    const timefmt_t *fixed;
    const vector_t *texts;          /* pattern argument when not constant */
    const expr_t *arg;              /* for error spans */
    int n, next;
    const char *key[PATTERN_CACHE_SIZE];
    uint32_t klen[PATTERN_CACHE_SIZE];
    timefmt_t fmt[PATTERN_CACHE_SIZE];
} pattern_src;

static void pattern_src_init(pattern_src *ps, const expr_t *call, vector_t **args, int idx)
{
    ps->n = ps->next = 0;
    ps->texts = NULL;
    ps->arg = NULL;
    if (idx >= call->nargs) {
        ps->fixed = default_pattern();
    } else if (call->state) {
        ps->fixed = call->state;
    } else {
        ps->fixed = NULL;
        ps->texts = args[idx];
        ps->arg = call->args[idx];
    }
}

/* NULL with an error recorded when the row's pattern does not compile. */
static const timefmt_t *pattern_at(pattern_src *ps, uint32_t row)
{
    if (ps->fixed) return ps->fixed;
    const str_t *s = &ps->texts->str[row];
    const char *p = str_ptr(s);
    for (int k = 0; k < ps->n; k++)
        if (ps->klen[k] == s->len && memcmp(ps->key[k], p, s->len) == 0) return &ps->fmt[k];
    int slot = ps->n < PATTERN_CACHE_SIZE ? ps->n++ : ps->next++ % PATTERN_CACHE_SIZE;
    char err[256];
    if (timefmt_compile(&ps->fmt[slot], p, s->len, err, sizeof err) < 0) {
        ps->klen[slot] = UINT32_MAX;
        err_at(ps->arg->span, "%s", err);
        return NULL;
    }
    ps->key[slot] = p;
    ps->klen[slot] = s->len;
    return &ps->fmt[slot];
}

/* Formats reading `local` into out row i; offset is what X/x/Z show. */
static void put_formatted(vector_t *out, uint32_t i, const timefmt_t *f, int64_t local, int32_t offset, eval_ctx *ctx)
{
    char tmp[TIMEFMT_MAX_OUTPUT];
    int len = timefmt_format(f, local, offset, tmp);
    out->str[i] = func_out_str(ctx, tmp, (uint32_t)len);
}

/* The session zone's offset at a wall-clock reading (for X/x/Z of zone-less values). */
static int32_t offset_of_reading(const tz_t *tz, int64_t local)
{
    return tz_offset_at_utc(tz, tz_local_to_utc(tz, local));
}

/* ---- DATE_FORMAT(ts | string, pattern) -> STRING ---------------------------------------- */

static int date_format_check(expr_t *call, arena_t *a)
{
    type_t x = call->args[0]->type, p = call->args[1]->type;
    if (!(is_datetime_arg(x) || x.id == TY_STRING) || !is_string_arg(p))
        return type_error(call, "(TIMESTAMP | TIMESTAMP_LTZ | DATE | STRING, STRING pattern)");
    call->type = type_make(TY_STRING);
    return compile_const_pattern(call, 1);
}

/* Readings of date-time text: SimpleDateFormat 'yyyy-MM-dd HH:mm:ss', NULL when it does not
 * parse. */
static void parse_default_texts(const vector_t *v, uint32_t n, vector_t *out, int64_t *local)
{
    const timefmt_t *f = default_pattern();
    for (uint32_t i = 0; i < n; i++) {
        local[i] = 0;
        if (out->nulls[i]) continue;
        timefmt_parsed r;
        if (timefmt_parse(f, str_ptr(&v->str[i]), v->str[i].len, TIMEFMT_SIMPLE, &r) < 0) {
            out->nulls[i] = 1;
            continue;
        }
        local[i] = r.local_us;
    }
}

static int date_format_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    const tz_t *tz = func_session_tz(ctx);
    const vector_t *x = args[0];
    int64_t *local = scratch_i64(ctx, n);
    if (x->type.id == TY_STRING) parse_default_texts(x, n, out, local);
    else to_readings(x, n, tz, local);
    pattern_src ps;
    pattern_src_init(&ps, call, args, 1);
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        const timefmt_t *f = pattern_at(&ps, i);
        if (!f) return -1;
        int32_t off = 0;
        if (f->uses_offset)
            off = x->type.id == TY_TIMESTAMP_LTZ ? tz_offset_at_utc(tz, x->i64[i]) : offset_of_reading(tz, local[i]);
        put_formatted(out, i, f, local[i], off, ctx);
    }
    return 0;
}

/* ---- TO_TIMESTAMP(string [, pattern]) / TO_TIMESTAMP(bigint millis) -> TIMESTAMP(3) ---- */

static int to_timestamp_check(expr_t *call, arena_t *a)
{
    type_t x = call->args[0]->type;
    int ok = call->nargs == 1 ? is_string_arg(x) || type_is_integer(x)
                              : is_string_arg(x) && is_string_arg(call->args[1]->type);
    if (!ok) return type_error(call, "(STRING [, STRING pattern]) or (BIGINT epoch milliseconds)");
    call->type = type_timestamp(TY_TIMESTAMP, 3);
    return call->nargs == 2 ? compile_const_pattern(call, 1) : 0;
}

static void millis_to_timestamp(const vector_t *x, uint32_t n, vector_t *out)
{
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        if (__builtin_mul_overflow(x->i64[i], US_PER_MS, &out->i64[i])) out->nulls[i] = 1;
    }
}

static int to_timestamp_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    const vector_t *x = args[0];
    if (type_is_integer(x->type)) {
        millis_to_timestamp(x, n, out);
        return 0;
    }
    pattern_src ps;
    if (call->nargs == 2) pattern_src_init(&ps, call, args, 1);
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        const char *s = str_ptr(&x->str[i]);
        uint32_t len = x->str[i].len;
        int64_t v = 0;
        int ok;
        if (call->nargs == 1) {
            ok = timefmt_parse_sql_timestamp(s, len, 0, &v) == 0;
        } else {
            const timefmt_t *f = pattern_at(&ps, i);
            if (!f) return -1;
            timefmt_parsed r;
            ok = timefmt_parse(f, s, len, TIMEFMT_JAVA_TIME, &r) == 0;
            if (ok) v = r.local_us;
            /* Flink falls back to java.sql.Timestamp.valueOf / Date.valueOf. */
            else ok = timefmt_parse_sql_timestamp(s, len, 1, &v) == 0;
        }
        if (ok) out->i64[i] = floor_to_millis(v);
        else out->nulls[i] = 1;
    }
    return 0;
}

/* ---- TO_TIMESTAMP_LTZ(numeric [, 0 | 3]) -> TIMESTAMP_LTZ(3) --------------------------- */

static int ltz_precision(const expr_t *call) { return call->nargs == 2 ? (int)call->args[1]->val.i : 3; }

static int to_timestamp_ltz_check(expr_t *call, arena_t *a)
{
    if (!is_numeric_arg(call->args[0]->type) || (call->nargs == 2 && !is_integer_arg(call->args[1]->type)))
        return type_error(call, "(numeric epoch [, INT precision 0 or 3])");
    if (call->nargs == 2) {
        const expr_t *p = call->args[1];
        if (p->kind != EX_CONST || p->val.null)
            return err_at(p->span, "TO_TIMESTAMP_LTZ precision must be the literal 0 (epoch seconds) or 3 (epoch "
                          "milliseconds), not an expression");
        if (p->val.i != 0 && p->val.i != 3)
            return err_at(p->span, "TO_TIMESTAMP_LTZ precision must be 0 (epoch seconds) or 3 (epoch milliseconds), "
                          "got %lld", (long long)p->val.i);
    }
    call->type = type_timestamp(TY_TIMESTAMP_LTZ, 3);
    return 0;
}

/* Epoch milliseconds of one value, per Flink's DateTimeUtils.toTimestampData; 0 when the
 * value is outside years 0000..9999. */
static int epoch_millis_of_i64(int64_t v, int precision, int64_t *ms)
{
    if (precision == 0) {
        if (v < MIN_EPOCH_SECONDS || v > MAX_EPOCH_SECONDS) return 0;
        v *= 1000;
    }
    *ms = v;
    return v >= MIN_EPOCH_MILLIS && v <= MAX_EPOCH_MILLIS;
}

static int epoch_millis_of_double(double v, int precision, int64_t *ms)
{
    if (precision == 0) {
        if (!(v >= (double)MIN_EPOCH_SECONDS && v <= (double)MAX_EPOCH_SECONDS)) return 0;
        *ms = (int64_t)(v * 1000.0);
        return 1;
    }
    if (isnan(v)) v = 0;                        /* Java's (long) NaN */
    if (!(v > -9.2e18 && v < 9.2e18)) return 0;
    *ms = (int64_t)v;
    return *ms >= MIN_EPOCH_MILLIS && *ms <= MAX_EPOCH_MILLIS;
}

static int to_timestamp_ltz_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    const vector_t *x = args[0];
    int precision = ltz_precision(call);
    int64_t scale_div = x->type.id == TY_DECIMAL ? pow10_i64(x->type.scale) : 1;
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        int64_t ms = 0;
        int ok;
        if (x->type.id == TY_DOUBLE) ok = epoch_millis_of_double(x->f64[i], precision, &ms);
        else ok = epoch_millis_of_i64(x->i64[i] / scale_div, precision, &ms);      /* DECIMAL rounds DOWN */
        if (ok) out->i64[i] = ms * US_PER_MS;
        else out->nulls[i] = 1;
    }
    return 0;
}

/* ---- TO_DATE(string [, pattern]) -> DATE ------------------------------------------------ */

static int to_date_check(expr_t *call, arena_t *a)
{
    if (!is_string_arg(call->args[0]->type) || (call->nargs == 2 && !is_string_arg(call->args[1]->type)))
        return type_error(call, "(STRING [, STRING pattern])");
    call->type = type_make(TY_DATE);
    return call->nargs == 2 ? compile_const_pattern(call, 1) : 0;
}

/* Digits of s[a..b) with surrounding blanks trimmed; -1 when not a plain number. */
static int64_t trimmed_number(const char *s, size_t a, size_t b)
{
    while (a < b && (unsigned char)s[a] <= ' ') a++;
    while (b > a && (unsigned char)s[b - 1] <= ' ') b--;
    if (a == b || b - a > 9) return -1;
    int64_t v = 0;
    for (size_t k = a; k < b; k++) {
        if (s[k] < '0' || s[k] > '9') return -1;
        v = v * 10 + (s[k] - '0');
    }
    return v;
}

/* Flink's DateTimeUtils.parseDate: "y", "y-m" or "y-m-d" before the first space. */
static int parse_date_lenient(const char *s, size_t len, int64_t *days)
{
    const char *sp = memchr(s, ' ', len);
    if (sp && sp > s) len = (size_t)(sp - s);
    int64_t part[3] = {-1, 1, 1};
    size_t start = 0;
    int k = 0;
    for (size_t i = 0; i <= len && k < 3; i++) {
        if (i < len && (s[i] != '-' || k == 2)) continue;
        part[k++] = trimmed_number(s, start, i);
        if (part[k - 1] < 0) return -1;
        start = i + 1;
    }
    int64_t y = part[0], m = part[1], d = part[2];
    if (y > 9999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, (int)m)) return -1;
    *days = days_from_civil(y, (int)m, (int)d);
    return 0;
}

static int to_date_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    const vector_t *x = args[0];
    pattern_src ps;
    if (call->nargs == 2) pattern_src_init(&ps, call, args, 1);
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        const char *s = str_ptr(&x->str[i]);
        uint32_t len = x->str[i].len;
        int ok;
        if (call->nargs == 1) {
            ok = parse_date_lenient(s, len, &out->i64[i]) == 0;
        } else {
            const timefmt_t *f = pattern_at(&ps, i);
            if (!f) return -1;
            timefmt_parsed r;
            ok = timefmt_parse(f, s, len, TIMEFMT_SIMPLE, &r) == 0;
            if (ok) out->i64[i] = floor_div(r.has_offset ? r.local_us - r.offset_sec * US_PER_SEC : r.local_us, US_PER_DAY);
        }
        if (!ok) out->nulls[i] = 1;
    }
    return 0;
}

/* ---- FROM_UNIXTIME(seconds [, pattern]) -> STRING in the session zone ------------------ */

static int from_unixtime_check(expr_t *call, arena_t *a)
{
    if (!is_integer_arg(call->args[0]->type) || (call->nargs == 2 && !is_string_arg(call->args[1]->type)))
        return type_error(call, "(INT or BIGINT epoch seconds [, STRING pattern])");
    call->type = type_make(TY_STRING);
    return call->nargs == 2 ? compile_const_pattern(call, 1) : 0;
}

static int from_unixtime_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    const tz_t *tz = func_session_tz(ctx);
    const vector_t *x = args[0];
    pattern_src ps;
    pattern_src_init(&ps, call, args, 1);
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        int64_t utc;
        if (__builtin_mul_overflow(x->i64[i], US_PER_SEC, &utc)) {
            out->nulls[i] = 1;
            continue;
        }
        const timefmt_t *f = pattern_at(&ps, i);
        if (!f) return -1;
        int32_t off = tz_offset_at_utc(tz, utc);
        put_formatted(out, i, f, utc + (int64_t)off * US_PER_SEC, off, ctx);
    }
    return 0;
}

/* ---- UNIX_TIMESTAMP([string [, pattern]]) -> BIGINT seconds ------------------------------ */

static int unix_timestamp_check(expr_t *call, arena_t *a)
{
    if (call->nargs >= 1) {
        type_t x = call->args[0]->type;
        int ok = call->nargs == 1 ? is_string_arg(x) || type_is_timestamp(x)
                                  : is_string_arg(x) && is_string_arg(call->args[1]->type);
        if (!ok) return type_error(call, "(), (STRING [, STRING pattern]) or (TIMESTAMP | TIMESTAMP_LTZ)");
    }
    call->type = type_make(TY_BIGINT);
    return call->nargs == 2 ? compile_const_pattern(call, 1) : 0;
}

/* java.util.Calendar's reading of wall-clock time, which SimpleDateFormat uses: like java.time
 * in a gap (the reading moves forward), but a reading that occurs twice is taken in standard
 * time, i.e. the later instant. */
static int64_t calendar_local_to_utc(const tz_t *tz, int64_t local)
{
    int64_t earlier = tz_local_to_utc(tz, local);
    int64_t later = local - (int64_t)tz_offset_at_utc(tz, local + US_PER_DAY) * US_PER_SEC;
    return later > earlier && tz_utc_to_local(tz, later) == local ? later : earlier;
}

/* Seconds like Java's millis / 1000 (truncating toward zero). */
static int64_t seconds_of(int64_t utc_us) { return utc_us / US_PER_MS / 1000; }

static int unix_timestamp_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    if (call->nargs == 0) {
        int64_t now = seconds_of(wall_clock_us(ctx));
        for (uint32_t i = 0; i < n; i++) out->i64[i] = now;
        return 0;
    }
    const tz_t *tz = func_session_tz(ctx);
    const vector_t *x = args[0];
    if (type_is_timestamp(x->type)) {
        for (uint32_t i = 0; i < n; i++)
            if (!out->nulls[i])
                out->i64[i] = seconds_of(x->type.id == TY_TIMESTAMP ? calendar_local_to_utc(tz, x->i64[i]) : x->i64[i]);
        return 0;
    }
    pattern_src ps;
    pattern_src_init(&ps, call, args, 1);
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        const timefmt_t *f = pattern_at(&ps, i);
        if (!f) return -1;
        timefmt_parsed r;
        if (timefmt_parse(f, str_ptr(&x->str[i]), x->str[i].len, TIMEFMT_SIMPLE, &r) < 0) {
            out->i64[i] = INT64_MIN;        /* Flink 1.17: Long.MIN_VALUE when the text does not parse */
            continue;
        }
        int64_t utc = r.has_offset ? r.local_us - (int64_t)r.offset_sec * US_PER_SEC : calendar_local_to_utc(tz, r.local_us);
        out->i64[i] = seconds_of(utc);
    }
    return 0;
}

/* ---- the clock ------------------------------------------------------------------------ */

static int now_check(expr_t *call, arena_t *a)
{
    call->type = type_timestamp(TY_TIMESTAMP_LTZ, 3);
    return 0;
}

static int proctime_check(expr_t *call, arena_t *a)
{
    call->type = type_timestamp(TY_TIMESTAMP_LTZ, 3);
    call->type.attr = TA_PROCTIME;
    call->type.not_null = 1;
    return 0;
}

static int localtimestamp_check(expr_t *call, arena_t *a)
{
    call->type = type_timestamp(TY_TIMESTAMP, 3);
    return 0;
}

static int current_date_check(expr_t *call, arena_t *a)
{
    call->type = type_make(TY_DATE);
    return 0;
}

static void fill_i64(vector_t *out, uint32_t n, int64_t v)
{
    for (uint32_t i = 0; i < n; i++) out->i64[i] = v;
}

static int now_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    fill_i64(out, n, floor_to_millis(wall_clock_us(ctx)));
    return 0;
}

static int localtimestamp_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    fill_i64(out, n, floor_to_millis(tz_utc_to_local(func_session_tz(ctx), wall_clock_us(ctx))));
    return 0;
}

static int current_date_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    fill_i64(out, n, floor_div(tz_utc_to_local(func_session_tz(ctx), wall_clock_us(ctx)), US_PER_DAY));
    return 0;
}

/* ---- fields: YEAR(x) .. SECOND(x), EXTRACT(unit FROM x) ---------------------------------- */

enum field {
    F_YEAR, F_QUARTER, F_MONTH, F_WEEK, F_DAY_OF_YEAR, F_DAY, F_DAY_OF_WEEK,
    F_HOUR, F_MINUTE, F_SECOND, F_MILLISECOND, F_MICROSECOND,
};

static int field_is_time_of_day(int f) { return f >= F_HOUR; }

/* ISO-8601 week number (weeks start on Monday; week 1 holds the year's first Thursday). */
static int iso_week(int64_t days)
{
    int64_t iso_dow = floor_mod(days + 3, 7);           /* 0 = Monday */
    int64_t thursday = days - iso_dow + 3;
    int64_t y;
    int m, d;
    civil_from_days(thursday, &y, &m, &d);
    return (int)((thursday - days_from_civil(y, 1, 1)) / 7 + 1);
}

static int64_t field_of(int field, int64_t local)
{
    civil_t c;
    civil_from_us(local, &c);
    int64_t days = floor_div(local, US_PER_DAY);
    switch (field) {
    case F_YEAR: return c.year;
    case F_QUARTER: return (c.month + 2) / 3;
    case F_MONTH: return c.month;
    case F_WEEK: return iso_week(days);
    case F_DAY_OF_YEAR: return days - days_from_civil(c.year, 1, 1) + 1;
    case F_DAY: return c.day;
    case F_DAY_OF_WEEK: return floor_mod(days + 4, 7) + 1;       /* 1 = Sunday */
    case F_HOUR: return c.hour;
    case F_MINUTE: return c.minute;
    case F_SECOND: return c.second;
    case F_MILLISECOND: return c.micros / 1000;
    default: return c.micros;
    }
}

static int field_kernel(int field, const vector_t *x, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    int64_t *local = scratch_i64(ctx, n);
    to_readings(x, n, func_session_tz(ctx), local);
    for (uint32_t i = 0; i < n; i++)
        if (!out->nulls[i]) out->i64[i] = field_of(field, local[i]);
    return 0;
}

static int field_check_type(expr_t *call, type_t x, int field)
{
    if (field_is_time_of_day(field) ? !is_timestamp_arg(x) : !is_datetime_arg(x))
        return type_error(call, field_is_time_of_day(field) ? "(TIMESTAMP | TIMESTAMP_LTZ); a DATE has no time of day"
                                                            : "(DATE | TIMESTAMP | TIMESTAMP_LTZ)");
    call->type = type_make(TY_BIGINT);
    return 0;
}

#define FIELD_FUNCTION(fname, field)                                                                          \
    static int fname##_check(expr_t *call, arena_t *a) { return field_check_type(call, call->args[0]->type, field); } \
    static int fname##_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)    \
    {                                                                                                         \
        return field_kernel(field, args[0], n, out, ctx);                                                     \
    }

FIELD_FUNCTION(year, F_YEAR)
FIELD_FUNCTION(quarter, F_QUARTER)
FIELD_FUNCTION(month, F_MONTH)
FIELD_FUNCTION(week, F_WEEK)
FIELD_FUNCTION(dayofyear, F_DAY_OF_YEAR)
FIELD_FUNCTION(dayofmonth, F_DAY)
FIELD_FUNCTION(dayofweek, F_DAY_OF_WEEK)
FIELD_FUNCTION(hour, F_HOUR)
FIELD_FUNCTION(minute, F_MINUTE)
FIELD_FUNCTION(second, F_SECOND)

static const char *const unit_names[] = {"", "YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND",
                                         "MILLISECOND", "MICROSECOND"};

static int unit_to_field(int unit)
{
    static const int fields[] = {-1, F_YEAR, F_QUARTER, F_MONTH, F_WEEK, F_DAY, F_HOUR, F_MINUTE, F_SECOND,
                                 F_MILLISECOND, F_MICROSECOND};
    return fields[unit];
}

/* The time-unit argument: a BIGINT constant of enum time_unit (what the binder passes for
 * FLOOR(x TO unit) and EXTRACT) or a unit name string, which is rewritten to the number so
 * the kernels read args[idx]->val.i. */
static int unit_arg(expr_t *call, int idx, int *unit)
{
    expr_t *u = call->args[idx];
    if (u->kind == EX_CONST && !u->val.null && type_is_integer(u->type) && u->val.i >= TU_YEAR &&
        u->val.i <= TU_MICROSECOND) {
        *unit = (int)u->val.i;
        return 0;
    }
    if (u->kind == EX_CONST && !u->val.null && u->type.id == TY_STRING) {
        for (int k = TU_YEAR; k <= TU_MICROSECOND; k++) {
            if (strlen(unit_names[k]) == u->val.s.len && str_ieqn(unit_names[k], str_ptr(&u->val.s), u->val.s.len)) {
                *unit = k;
                u->type = type_make(TY_BIGINT);
                u->val = value_i64(k);
                return 0;
            }
        }
    }
    return err_at(u->span, "%s expects a time unit here: YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, "
                  "MILLISECOND or MICROSECOND", call->fn->name);
}

static int extract_check(expr_t *call, arena_t *a)
{
    int unit;
    if (unit_arg(call, 1, &unit) < 0) return -1;
    type_t x = call->args[0]->type;
    if (field_is_time_of_day(unit_to_field(unit)) ? !is_timestamp_arg(x) : !is_datetime_arg(x)) {
        char buf[TYPE_NAME_CAP];
        return err_at(call->span, "EXTRACT(%s FROM ...) expects %s, got %s", unit_names[unit],
                      field_is_time_of_day(unit_to_field(unit)) ? "TIMESTAMP or TIMESTAMP_LTZ (a DATE has no time of day)"
                                                                : "DATE, TIMESTAMP or TIMESTAMP_LTZ",
                      func_type_name(x, buf));
    }
    call->type = type_make(TY_BIGINT);
    return 0;
}

static int extract_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    return field_kernel(unit_to_field((int)call->args[1]->val.i), args[0], n, out, ctx);
}

/* ---- FLOOR(x TO unit), CEIL(x TO unit) ------------------------------------------------- */

static int64_t unit_micros(int unit)
{
    switch (unit) {
    case TU_DAY: return US_PER_DAY;
    case TU_HOUR: return 3600 * US_PER_SEC;
    case TU_MINUTE: return 60 * US_PER_SEC;
    case TU_SECOND: return US_PER_SEC;
    case TU_MILLISECOND: return US_PER_MS;
    case TU_MICROSECOND: return 1;
    default: return 0;          /* calendar units */
    }
}

/* Months since year 0 of a reading's month, and the reading of a month's first day. */
static int64_t month_index(const civil_t *c) { return c->year * 12 + c->month - 1; }

static int64_t month_start(int64_t index)
{
    return days_from_civil(floor_div(index, 12), (int)floor_mod(index, 12) + 1, 1) * US_PER_DAY;
}

static int64_t floor_reading(int unit, int64_t local)
{
    int64_t u = unit_micros(unit);
    if (u) return local - floor_mod(local, u);
    if (unit == TU_WEEK) {
        int64_t days = floor_div(local, US_PER_DAY);
        return (days - floor_mod(days + 4, 7)) * US_PER_DAY;      /* back to Sunday */
    }
    civil_t c;
    civil_from_us(local, &c);
    int64_t m = month_index(&c);
    if (unit == TU_QUARTER) m -= floor_mod(m, 3);
    if (unit == TU_YEAR) m -= floor_mod(m, 12);
    return month_start(m);
}

/* The next unit boundary after the boundary f. */
static int64_t next_boundary(int unit, int64_t f)
{
    int64_t u = unit_micros(unit);
    if (u) return f + u;
    if (unit == TU_WEEK) return f + 7 * US_PER_DAY;
    civil_t c;
    civil_from_us(f, &c);
    return month_start(month_index(&c) + (unit == TU_MONTH ? 1 : unit == TU_QUARTER ? 3 : 12));
}

static int64_t round_reading(int unit, int ceil, int64_t local)
{
    int64_t f = floor_reading(unit, local);
    return ceil && f != local ? next_boundary(unit, f) : f;
}

static int floor_ceil_check(expr_t *call, arena_t *a)
{
    int unit;
    if (unit_arg(call, 1, &unit) < 0) return -1;
    type_t x = call->args[0]->type;
    if (!is_datetime_arg(x)) return type_error(call, "(DATE | TIMESTAMP | TIMESTAMP_LTZ, time unit)");
    call->type = is_null_type(x) ? type_timestamp(TY_TIMESTAMP, 3) : plain(x);
    return 0;
}

static int floor_ceil_kernel(int ceil, const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    int unit = (int)call->args[1]->val.i;
    const vector_t *x = args[0];
    const tz_t *tz = func_session_tz(ctx);
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        int64_t v = x->i64[i];
        switch (x->type.id) {
        case TY_DATE:
            out->i64[i] = unit_micros(unit) && unit != TU_DAY ? v : floor_div(round_reading(unit, ceil, v * US_PER_DAY), US_PER_DAY);
            break;
        case TY_TIMESTAMP_LTZ:
            out->i64[i] = tz_local_to_utc(tz, round_reading(unit, ceil, tz_utc_to_local(tz, v)));
            break;
        default:
            out->i64[i] = round_reading(unit, ceil, v);
            break;
        }
    }
    return 0;
}

static int floor_to_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    return floor_ceil_kernel(0, call, args, n, out, ctx);
}

static int ceil_to_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    return floor_ceil_kernel(1, call, args, n, out, ctx);
}

/* ---- TIMESTAMPADD(unit, n, x), TIMESTAMPDIFF(unit, x1, x2) ----------------------------- */

static int months_of_unit(int unit) { return unit == TU_YEAR ? 12 : unit == TU_QUARTER ? 3 : unit == TU_MONTH ? 1 : 0; }

static int64_t unit_micros_or_week(int unit) { return unit == TU_WEEK ? 7 * US_PER_DAY : unit_micros(unit); }

/* A reading plus k months, the day clamped to the target month's length. */
static int64_t add_months(int64_t local, int64_t k)
{
    civil_t c;
    civil_from_us(local, &c);
    int64_t m = month_index(&c) + k;
    c.year = floor_div(m, 12);
    c.month = (int)floor_mod(m, 12) + 1;
    int dim = days_in_month(c.year, c.month);
    if (c.day > dim) c.day = dim;
    return civil_to_us(&c);
}

static int timestampadd_check(expr_t *call, arena_t *a)
{
    int unit;
    if (unit_arg(call, 0, &unit) < 0) return -1;
    type_t x = call->args[2]->type;
    if (!is_integer_arg(call->args[1]->type) || !is_datetime_arg(x))
        return type_error(call, "(time unit, INT count, DATE | TIMESTAMP | TIMESTAMP_LTZ)");
    if (is_null_type(x)) call->type = type_timestamp(TY_TIMESTAMP, 3);
    else if (x.id == TY_DATE && unit_micros(unit) && unit != TU_DAY) call->type = type_timestamp(TY_TIMESTAMP, 3);
    else call->type = plain(x);
    return 0;
}

static int timestampadd_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    int unit = (int)call->args[0]->val.i;
    const vector_t *k = args[1], *x = args[2];
    const tz_t *tz = func_session_tz(ctx);
    int64_t *local = scratch_i64(ctx, n);
    to_readings(x, n, tz, local);
    int months = months_of_unit(unit);
    int64_t step = unit_micros_or_week(unit);
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        int64_t r;
        if (months) {
            r = add_months(local[i], k->i64[i] * months);
        } else if (__builtin_mul_overflow(k->i64[i], step, &r) || __builtin_add_overflow(r, local[i], &r)) {
            out->nulls[i] = 1;
            continue;
        }
        if (out->type.id == TY_DATE) out->i64[i] = floor_div(r, US_PER_DAY);
        else if (out->type.id == TY_TIMESTAMP_LTZ) out->i64[i] = months ? tz_local_to_utc(tz, r) : x->i64[i] + (r - local[i]);
        else out->i64[i] = r;
    }
    return 0;
}

static int timestampdiff_check(expr_t *call, arena_t *a)
{
    int unit;
    if (unit_arg(call, 0, &unit) < 0) return -1;
    if (!is_datetime_arg(call->args[1]->type) || !is_datetime_arg(call->args[2]->type))
        return type_error(call, "(time unit, DATE | TIMESTAMP | TIMESTAMP_LTZ, DATE | TIMESTAMP | TIMESTAMP_LTZ)");
    call->type = type_make(TY_INT);
    return 0;
}

/* Whole months from a to b, counted like Calcite's subtractMonths: the day and time of day
 * of b must reach those of a for the last month to count. */
static int64_t months_between(int64_t a, int64_t b)
{
    if (b < a) return -months_between(b, a);
    civil_t ca, cb;
    civil_from_us(a, &ca);
    civil_from_us(b, &cb);
    int64_t m = month_index(&cb) - month_index(&ca);
    if (m > 0 && add_months(a, m) > b) m--;
    return m;
}

static int timestampdiff_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    int unit = (int)call->args[0]->val.i;
    const tz_t *tz = func_session_tz(ctx);
    int64_t *a = scratch_i64(ctx, n), *b = scratch_i64(ctx, n);
    /* Instants (LTZ) compare as instants; otherwise wall-clock readings. */
    int both_ltz = args[1]->type.id == TY_TIMESTAMP_LTZ && args[2]->type.id == TY_TIMESTAMP_LTZ;
    to_readings(args[1], n, tz, a);
    to_readings(args[2], n, tz, b);
    int months = months_of_unit(unit);
    int64_t step = unit_micros_or_week(unit);
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        int64_t d;
        if (months) d = months_between(a[i], b[i]) / months;
        else if (both_ltz) d = (args[2]->i64[i] - args[1]->i64[i]) / step;
        else d = (b[i] - a[i]) / step;
        if (d > INT32_MAX || d < INT32_MIN) out->nulls[i] = 1;
        else out->i64[i] = d;
    }
    return 0;
}

/* ---- WITHOFFSET(ts, millis) for Blink watermarks ---------------------------------------- */

static int withoffset_check(expr_t *call, arena_t *a)
{
    type_t x = call->args[0]->type;
    if (!is_timestamp_arg(x) || !is_integer_arg(call->args[1]->type))
        return type_error(call, "(TIMESTAMP | TIMESTAMP_LTZ, BIGINT milliseconds)");
    call->type = is_null_type(x) ? type_timestamp(TY_TIMESTAMP, 3) : plain(x);
    return 0;
}

static int withoffset_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    const vector_t *ts = args[0], *ms = args[1];
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        int64_t d;
        if (__builtin_mul_overflow(ms->i64[i], US_PER_MS, &d) || __builtin_sub_overflow(ts->i64[i], d, &out->i64[i]))
            out->nulls[i] = 1;
    }
    return 0;
}

/* ---- registration --------------------------------------------------------------------- */

const func_def func_table_time[] = {
    {"DATE_FORMAT", 2, 2, 1, 1, date_format_check, date_format_eval, free_pattern_state},
    {"TO_TIMESTAMP", 1, 2, 1, 1, to_timestamp_check, to_timestamp_eval, free_pattern_state},
    {"TO_TIMESTAMP_LTZ", 1, 2, 1, 1, to_timestamp_ltz_check, to_timestamp_ltz_eval, NULL},
    {"TO_DATE", 1, 2, 1, 1, to_date_check, to_date_eval, free_pattern_state},
    {"FROM_UNIXTIME", 1, 2, 1, 1, from_unixtime_check, from_unixtime_eval, free_pattern_state},
    {"UNIX_TIMESTAMP", 0, 2, 1, 0, unix_timestamp_check, unix_timestamp_eval, free_pattern_state},
    {"NOW", 0, 0, 1, 0, now_check, now_eval, NULL},
    {"CURRENT_TIMESTAMP", 0, 0, 1, 0, now_check, now_eval, NULL},
    {"CURRENT_ROW_TIMESTAMP", 0, 0, 1, 0, now_check, now_eval, NULL},
    {"LOCALTIMESTAMP", 0, 0, 1, 0, localtimestamp_check, localtimestamp_eval, NULL},
    {"CURRENT_DATE", 0, 0, 1, 0, current_date_check, current_date_eval, NULL},
    {"PROCTIME", 0, 0, 1, 0, proctime_check, now_eval, NULL},
    {"YEAR", 1, 1, 1, 1, year_check, year_eval, NULL},
    {"QUARTER", 1, 1, 1, 1, quarter_check, quarter_eval, NULL},
    {"MONTH", 1, 1, 1, 1, month_check, month_eval, NULL},
    {"WEEK", 1, 1, 1, 1, week_check, week_eval, NULL},
    {"DAYOFYEAR", 1, 1, 1, 1, dayofyear_check, dayofyear_eval, NULL},
    {"DAYOFMONTH", 1, 1, 1, 1, dayofmonth_check, dayofmonth_eval, NULL},
    {"DAYOFWEEK", 1, 1, 1, 1, dayofweek_check, dayofweek_eval, NULL},
    {"HOUR", 1, 1, 1, 1, hour_check, hour_eval, NULL},
    {"MINUTE", 1, 1, 1, 1, minute_check, minute_eval, NULL},
    {"SECOND", 1, 1, 1, 1, second_check, second_eval, NULL},
    {"EXTRACT", 2, 2, 1, 1, extract_check, extract_eval, NULL},
    {"FLOOR_TO", 2, 2, 1, 1, floor_ceil_check, floor_to_eval, NULL},
    {"CEIL_TO", 2, 2, 1, 1, floor_ceil_check, ceil_to_eval, NULL},
    {"TIMESTAMPADD", 3, 3, 1, 1, timestampadd_check, timestampadd_eval, NULL},
    {"TIMESTAMPDIFF", 3, 3, 1, 1, timestampdiff_check, timestampdiff_eval, NULL},
    {"WITHOFFSET", 2, 2, 1, 1, withoffset_check, withoffset_eval, NULL},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL},
};
