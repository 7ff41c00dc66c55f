/* test_func_time.c - Flink's temporal functions, called through func_table_time with
 * hand-built vectors and expression nodes (the evaluator is not involved). */
#include "check.h"
#include "expr/func.h"
#include "base/timefmt.h"
#include "base/civil.h"
#include "sql/ast.h"
#include <stdarg.h>
#include <stdlib.h>

/* ---- harness ---------------------------------------------------------------------------- */

static arena_t plan;            /* expression nodes, like the binder's plan arena */
static exec_ctx exec;
static int64_t fake_now;
static int64_t now_fn(void) { return fake_now; }

static void set_zone(const char *name)
{
    char err[256];
    exec.local_tz = tz_get(name, err, sizeof err);
    if (!exec.local_tz) fprintf(stderr, "zone %s: %s\n", name, err);
}

/* An argument: its type, whether it is a constant in the expression, and its value. */
typedef struct targ {
    type_t t;
    int is_const;
    value_t v;
} targ;

static targ col(type_t t, value_t v) { return (targ){t, 0, v}; }
static targ cst(type_t t, value_t v) { return (targ){t, 1, v}; }
static value_t sval(const char *s) { value_t v = value_i64(0); v.s = str_cstr(s); return v; }

/* "2017-11-26 09:05:03.123456" -> wall-clock microseconds. */
static int64_t ts(const char *text)
{
    int64_t v = 0;
    if (timefmt_parse_sql_timestamp(text, strlen(text), 0, &v) < 0) fprintf(stderr, "bad test timestamp %s\n", text);
    return v;
}
static int64_t day(const char *text) { return floor_div(ts(text), US_PER_DAY); }

#define T_TS type_timestamp(TY_TIMESTAMP, 3)
#define T_LTZ type_timestamp(TY_TIMESTAMP_LTZ, 3)
#define TSV(s) col(T_TS, value_i64(ts(s)))
#define LTZ(us) col(T_LTZ, value_i64(us))
#define DATEV(s) col(type_make(TY_DATE), value_i64(day(s)))
#define STR(s) col(type_make(TY_STRING), sval(s))
#define PAT(s) cst(type_make(TY_STRING), sval(s))
#define BIG(i) col(type_make(TY_BIGINT), value_i64(i))
#define CBIG(i) cst(type_make(TY_BIGINT), value_i64(i))
#define CINT(i) cst(type_make(TY_INT), value_i64(i))
#define NUL(t) col(t, value_null())

static const func_def *find(const char *name)
{
    for (const func_def *f = func_table_time; f->name; f++)
        if (strcmp(f->name, name) == 0) return f;
    return NULL;
}

/* Builds the call and runs its check; NULL (error recorded) when the check fails. */
static expr_t *make_call(const char *name, int nargs, const targ *a)
{
    const func_def *fn = find(name);
    if (!fn) {
        fprintf(stderr, "no function %s\n", name);
        return NULL;
    }
    expr_t *e = arena_zalloc(&plan, sizeof *e);
    e->kind = EX_CALL;
    e->fn = fn;
    e->nargs = nargs;
    e->args = arena_zalloc(&plan, sizeof(expr_t *) * (size_t)(nargs ? nargs : 1));
    for (int i = 0; i < nargs; i++) {
        expr_t *x = arena_zalloc(&plan, sizeof *x);
        x->kind = a[i].is_const ? EX_CONST : EX_COL;
        x->type = a[i].t;
        x->val = a[i].v;
        x->col = i;
        e->args[i] = x;
    }
    err_clear();
    if (fn->check(e, &plan) < 0) return NULL;
    return e;
}

/* Evaluates call over n rows; row r of argument i is rows[r][i]. Strict NULLs are preset
 * as the evaluator does. Returns the kernel's status; out is initialised here. */
static int run_rows(expr_t *e, uint32_t n, targ rows[][3], vector_t *out, arena_t *out_arena)
{
    arena_t scratch;
    arena_init(&scratch, 1 << 14);
    vector_t argv_store[3];
    vector_t *argv[3];
    for (int i = 0; i < e->nargs; i++) {
        vector_init(&argv_store[i], e->args[i]->type, n);
        for (uint32_t r = 0; r < n; r++) vector_set(&argv_store[i], r, &rows[r][i].v, out_arena);
        argv[i] = &argv_store[i];
    }
    vector_init(out, e->type, n);
    for (uint32_t r = 0; r < n; r++)
        for (int i = 0; i < e->nargs; i++) out->nulls[r] |= argv[i]->nulls[r];
    eval_ctx ctx = {&exec, out_arena, &scratch};
    int rc = e->fn->eval(e, argv, n, out, &ctx);
    for (int i = 0; i < e->nargs; i++) vector_free(&argv_store[i]);
    arena_free(&scratch);
    return rc;
}

static void free_call(expr_t *e)
{
    if (e && e->state && e->fn->free_state) e->fn->free_state(e->state);
    if (e) e->state = NULL;
}

/* One-row evaluation with its result as text: strings as they are, numbers in decimal,
 * "NULL", or "ERROR: message" when check or eval fails. */
static const char *eval_text(const char *name, int nargs, ...)
{
    static char res[512];
    targ a[3];
    memset(a, 0, sizeof a);
    va_list ap;
    va_start(ap, nargs);
    for (int i = 0; i < nargs; i++) a[i] = va_arg(ap, targ);
    va_end(ap);
    expr_t *e = make_call(name, nargs, a);
    if (!e) {
        snprintf(res, sizeof res, "ERROR: %s", err_message());
        return res;
    }
    targ rows[1][3];
    memcpy(rows[0], a, sizeof a);
    vector_t out;
    arena_t oa;
    arena_init(&oa, 4096);
    if (run_rows(e, 1, rows, &out, &oa) < 0) snprintf(res, sizeof res, "ERROR: %s", err_message());
    else if (out.nulls[0]) snprintf(res, sizeof res, "NULL");
    else if (type_phys(out.type) == PHYS_STR) snprintf(res, sizeof res, "%.*s", (int)out.str[0].len, str_ptr(&out.str[0]));
    else snprintf(res, sizeof res, "%lld", (long long)out.i64[0]);
    vector_free(&out);
    arena_free(&oa);
    free_call(e);
    return res;
}

static const char *num(int64_t v)
{
    static char buf[8][32];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%lld", (long long)v);
    return buf[k];
}

/* The result type of a call (checked only). */
static type_t result_type(const char *name, int nargs, targ a0, targ a1)
{
    targ a[2] = {a0, a1};
    expr_t *e = make_call(name, nargs, a);
    type_t t = e ? e->type : type_make(TY_NULL);
    free_call(e);
    return t;
}

#define SH_1511658000 (1511658000LL * US_PER_SEC)      /* 2017-11-26 01:00:00 UTC, 09:00 in Shanghai */

/* ---- DATE_FORMAT ------------------------------------------------------------------------ */

TEST(date_format_timestamp)
{
    set_zone("UTC");
    targ t = TSV("2017-11-26 09:05:03.123");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, t, PAT("yyyy-MM-dd")), "2017-11-26");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, t, PAT("yyyy-MM-dd HH:mm:ss")), "2017-11-26 09:05:03");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, t, PAT("yyyyMMddHH")), "2017112609");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, t, PAT("HH:mm")), "09:05");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, t, PAT("yyyy-MM-dd HH:mm:ss.SSS")), "2017-11-26 09:05:03.123");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, TSV("1969-12-31 23:59:59.999"), PAT("yyyy-MM-dd HH:mm:ss.SSS")),
                 "1969-12-31 23:59:59.999");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, DATEV("2016-02-29"), PAT("yyyy-MM-dd HH:mm")), "2016-02-29 00:00");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, NUL(T_TS), PAT("yyyy")), "NULL");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, t, cst(type_make(TY_STRING), value_null())), "NULL");
    /* A TIMESTAMP is a wall-clock reading: the session zone does not move it. */
    set_zone("Asia/Shanghai");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, t, PAT("yyyy-MM-dd HH:mm:ss")), "2017-11-26 09:05:03");
}

TEST(date_format_ltz_in_session_zone)
{
    set_zone("Asia/Shanghai");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, LTZ(SH_1511658000), PAT("yyyy-MM-dd HH:mm:ss")), "2017-11-26 09:00:00");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, LTZ(SH_1511658000), PAT("yyyy-MM-dd HH:mm:ssXXX")), "2017-11-26 09:00:00+08:00");
    set_zone("UTC");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, LTZ(SH_1511658000), PAT("yyyy-MM-dd HH:mm:ss")), "2017-11-26 01:00:00");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, LTZ(SH_1511658000), PAT("HH:mmX")), "01:00Z");
    set_zone("America/New_York");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, LTZ(SH_1511658000), PAT("yyyy-MM-dd HH:mm:ss Z")), "2017-11-25 20:00:00 -0500");
    /* Either side of the 2021-03-14 07:00 UTC spring-forward. */
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, LTZ(1615705199LL * US_PER_SEC), PAT("HH:mm:ss XXX")), "01:59:59 -05:00");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, LTZ(1615705200LL * US_PER_SEC), PAT("HH:mm:ss XXX")), "03:00:00 -04:00");
    /* Zone letters on a TIMESTAMP show the session zone's offset at that reading. */
    set_zone("Europe/Berlin");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, TSV("2021-07-01 12:00:00"), PAT("HH:mmXXX")), "12:00+02:00");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, TSV("2021-01-01 12:00:00"), PAT("HH:mmXXX")), "12:00+01:00");
}

TEST(date_format_string_input)
{
    set_zone("Asia/Shanghai");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, STR("2017-11-26 09:05:03"), PAT("yyyy-MM-dd")), "2017-11-26");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, STR("2017-11-26 09:05:03"), PAT("yyyyMMddHH")), "2017112609");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, STR("2017-11-26 09:05:03.456"), PAT("HH:mm:ss")), "09:05:03");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, STR("2017-11-26"), PAT("yyyy-MM-dd")), "NULL");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, STR("not a time"), PAT("yyyy-MM-dd")), "NULL");
    CHECK_EQ_STR(eval_text("DATE_FORMAT", 2, STR(""), PAT("yyyy-MM-dd")), "NULL");
}

TEST(date_format_errors)
{
    const char *r = eval_text("DATE_FORMAT", 2, TSV("2017-11-26 09:05:03"), PAT("yyyy-bb"));
    CHECK(strstr(r, "ERROR: invalid date-time pattern 'yyyy-bb': unknown pattern letter 'b'") == r);
    r = eval_text("DATE_FORMAT", 2, BIG(1), PAT("yyyy"));
    CHECK(strstr(r, "ERROR: DATE_FORMAT expects (TIMESTAMP | TIMESTAMP_LTZ | DATE | STRING, STRING pattern), got (BIGINT, STRING)") == r);
    /* A pattern that comes from data is checked when it is used. */
    r = eval_text("DATE_FORMAT", 2, TSV("2017-11-26 09:05:03"), STR("yyyy-'x"));
    CHECK(strstr(r, "ERROR: invalid date-time pattern 'yyyy-'x': unterminated quote") == r);
}

/* Patterns from data, more distinct ones than the per-chunk cache holds, with NULL rows. */
TEST(date_format_patterns_from_data)
{
    set_zone("UTC");
    const char *pats[] = {"yyyy", "MM", "dd", "HH", "mm", "ss", "yyyy", "SSS", "MM", NULL, "EEE"};
    const char *want[] = {"2017", "11", "26", "09", "05", "03", "2017", "123", "11", NULL, "Sun"};
    enum { N = 11 };
    targ rows[N][3];
    for (int r = 0; r < N; r++) {
        rows[r][0] = TSV("2017-11-26 09:05:03.123");
        rows[r][1] = pats[r] ? STR(pats[r]) : NUL(type_make(TY_STRING));
    }
    expr_t *e = make_call("DATE_FORMAT", 2, rows[0]);
    CHECK(e != NULL && e->state == NULL);
    if (!e) return;
    vector_t out;
    arena_t oa;
    arena_init(&oa, 4096);
    CHECK_EQ_INT(run_rows(e, N, rows, &out, &oa), 0);
    for (int r = 0; r < N; r++) {
        if (!want[r]) {
            CHECK_EQ_INT(out.nulls[r], 1);
            continue;
        }
        char got[64];
        snprintf(got, sizeof got, "%.*s", (int)out.str[r].len, str_ptr(&out.str[r]));
        CHECK_EQ_STR(got, want[r]);
    }
    vector_free(&out);
    arena_free(&oa);
}

/* A whole chunk with a constant pattern: long results live in the output arena. */
TEST(date_format_chunk)
{
    set_zone("UTC");
    enum { N = 1024 };
    static targ rows[N][3];
    for (int r = 0; r < N; r++) {
        rows[r][0] = r % 7 == 3 ? NUL(T_TS) : col(T_TS, value_i64(ts("2017-11-26 00:00:00") + (int64_t)r * 3600 * US_PER_SEC));
        rows[r][1] = PAT("yyyy-MM-dd HH:mm:ss");
    }
    expr_t *e = make_call("DATE_FORMAT", 2, rows[0]);
    CHECK(e && e->state);
    if (!e) return;
    vector_t out;
    arena_t oa;
    arena_init(&oa, 4096);
    CHECK_EQ_INT(run_rows(e, N, rows, &out, &oa), 0);
    char got[64];
    snprintf(got, sizeof got, "%.*s", (int)out.str[1000].len, str_ptr(&out.str[1000]));
    CHECK_EQ_STR(got, "2018-01-06 16:00:00");
    CHECK_EQ_INT(out.nulls[3], 1);
    CHECK_EQ_INT(out.nulls[1004], 1);
    CHECK_EQ_INT(out.nulls[1005], 0);
    vector_free(&out);
    arena_free(&oa);
    free_call(e);
}

/* ---- TO_TIMESTAMP, TO_TIMESTAMP_LTZ, TO_DATE ---------------------------------------------- */

TEST(to_timestamp_with_pattern)
{
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP", 2, STR("17/05/2015:10:05:03"), PAT("dd/MM/yyyy:HH:mm:ss")),
                 num(ts("2015-05-17 10:05:03")));
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP", 2, STR("2017112609"), PAT("yyyyMMddHH")), num(ts("2017-11-26 09:00:00")));
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP", 2, STR("2017-11-26 09:00:00.123456"), PAT("yyyy-MM-dd HH:mm:ss.SSSSSS")),
                 num(ts("2017-11-26 09:00:00.123")));           /* TIMESTAMP(3) */
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP", 2, STR("10:05"), PAT("HH:mm")), num(ts("1970-01-01 10:05:00")));
    /* Flink falls back to java.sql.Timestamp.valueOf / Date.valueOf when the pattern fails. */
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP", 2, STR("1999-9-10 05:20:10"), PAT("yyyyMMdd")), num(ts("1999-09-10 05:20:10")));
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP", 2, STR(" 1999-9-10 "), PAT("yyyyMMdd")), num(ts("1999-09-10 00:00:00")));
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP", 2, STR("17/05/2015"), PAT("yyyy-MM-dd")), "NULL");
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP", 2, STR("2015-05-17 10:05:03x"), PAT("yyyy-MM-dd HH:mm:ss")), "NULL");
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP", 2, NUL(type_make(TY_STRING)), PAT("yyyy")), "NULL");
    type_t t = result_type("TO_TIMESTAMP", 2, STR("x"), PAT("yyyy"));
    CHECK_EQ_INT(t.id, TY_TIMESTAMP);
    CHECK_EQ_INT(t.precision, 3);
}

TEST(to_timestamp_default_and_millis)
{
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP", 1, STR("2017-11-26 09:00:00")), num(ts("2017-11-26 09:00:00")));
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP", 1, STR("2017-11-26")), num(ts("2017-11-26 00:00:00")));
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP", 1, STR("2017-11-26 09:00:00.987654")), num(ts("2017-11-26 09:00:00.987")));
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP", 1, STR("2017-11-26T09:00:00")), "NULL");
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP", 1, STR("abc")), "NULL");
    /* Blink: TO_TIMESTAMP(epoch millis) is the UTC wall-clock reading. */
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP", 1, BIG(1511658000000LL)), num(ts("2017-11-26 01:00:00")));
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP", 1, BIG(-1)), num(ts("1969-12-31 23:59:59.999")));
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP", 1, BIG(INT64_MAX)), "NULL");
    const char *r = eval_text("TO_TIMESTAMP", 1, col(type_make(TY_DOUBLE), value_f64(1.5)));
    CHECK(strstr(r, "ERROR: TO_TIMESTAMP expects (STRING [, STRING pattern]) or (BIGINT epoch milliseconds), got (DOUBLE)") == r);
}

TEST(to_timestamp_ltz)
{
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP_LTZ", 2, BIG(1511658000), CINT(0)), num(SH_1511658000));
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP_LTZ", 2, BIG(1511658000123LL), CINT(3)), num(SH_1511658000 + 123000));
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP_LTZ", 1, BIG(1511658000123LL)), num(SH_1511658000 + 123000));
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP_LTZ", 2, BIG(-1), CINT(0)), num(-US_PER_SEC));
    /* Range: years 0000..9999. */
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP_LTZ", 2, BIG(253402300799LL), CINT(0)), num(253402300799LL * US_PER_SEC));
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP_LTZ", 2, BIG(253402300800LL), CINT(0)), "NULL");
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP_LTZ", 2, BIG(-62167219200LL), CINT(0)), num(-62167219200LL * US_PER_SEC));
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP_LTZ", 2, BIG(-62167219201LL), CINT(0)), "NULL");
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP_LTZ", 2, BIG(253402300799999LL), CINT(3)), num(253402300799999LL * US_PER_MS));
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP_LTZ", 2, BIG(253402300800000LL), CINT(3)), "NULL");
    /* DOUBLE seconds keep milliseconds (truncated); DECIMAL rounds down. */
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP_LTZ", 2, col(type_make(TY_DOUBLE), value_f64(1.5555)), CINT(0)), num(1555000));
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP_LTZ", 2, col(type_make(TY_DOUBLE), value_f64(1e300)), CINT(0)), "NULL");
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP_LTZ", 2, col(type_make(TY_DOUBLE), value_f64(1e300)), CINT(3)), "NULL");
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP_LTZ", 2, col(type_decimal(10, 4), value_i64(15555)), CINT(0)), num(1000000));
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP_LTZ", 2, col(type_decimal(10, 4), value_i64(15555)), CINT(3)), num(1000));
    CHECK_EQ_STR(eval_text("TO_TIMESTAMP_LTZ", 2, col(type_make(TY_INT), value_i64(7)), CINT(0)), num(7 * US_PER_SEC));
    const char *r = eval_text("TO_TIMESTAMP_LTZ", 2, BIG(1), CINT(6));
    CHECK(strstr(r, "precision must be 0 (epoch seconds) or 3 (epoch milliseconds), got 6") != NULL);
    r = eval_text("TO_TIMESTAMP_LTZ", 2, BIG(1), BIG(3));
    CHECK(strstr(r, "not an expression") != NULL);
    r = eval_text("TO_TIMESTAMP_LTZ", 1, STR("1"));
    CHECK(strstr(r, "ERROR: TO_TIMESTAMP_LTZ expects (numeric epoch") == r);
    type_t t = result_type("TO_TIMESTAMP_LTZ", 1, BIG(1), BIG(1));
    CHECK_EQ_INT(t.id, TY_TIMESTAMP_LTZ);
    CHECK_EQ_INT(t.precision, 3);
}

TEST(to_date)
{
    CHECK_EQ_STR(eval_text("TO_DATE", 1, STR("2017-11-26")), num(day("2017-11-26")));
    CHECK_EQ_STR(eval_text("TO_DATE", 1, STR("2017-11-26 09:00:00")), num(day("2017-11-26")));
    CHECK_EQ_STR(eval_text("TO_DATE", 1, STR("2017-1-2")), num(day("2017-01-02")));
    CHECK_EQ_STR(eval_text("TO_DATE", 1, STR("2017")), num(day("2017-01-01")));
    CHECK_EQ_STR(eval_text("TO_DATE", 1, STR("2017-02-29")), "NULL");
    CHECK_EQ_STR(eval_text("TO_DATE", 1, STR("2016-02-29")), num(day("2016-02-29")));
    CHECK_EQ_STR(eval_text("TO_DATE", 1, STR("2017-11-x")), "NULL");
    CHECK_EQ_STR(eval_text("TO_DATE", 1, STR("")), "NULL");
    CHECK_EQ_STR(eval_text("TO_DATE", 1, STR("1969-12-31")), "-1");
    CHECK_EQ_STR(eval_text("TO_DATE", 2, STR("20171126"), PAT("yyyyMMdd")), num(day("2017-11-26")));
    CHECK_EQ_STR(eval_text("TO_DATE", 2, STR("26/11/2017 23:00 -0200"), PAT("dd/MM/yyyy HH:mm Z")), num(day("2017-11-27")));
    CHECK_EQ_STR(eval_text("TO_DATE", 2, STR("x"), PAT("yyyyMMdd")), "NULL");
}

/* ---- FROM_UNIXTIME, UNIX_TIMESTAMP ------------------------------------------------------ */

TEST(from_unixtime)
{
    set_zone("Asia/Shanghai");
    CHECK_EQ_STR(eval_text("FROM_UNIXTIME", 1, BIG(1511658000)), "2017-11-26 09:00:00");
    CHECK_EQ_STR(eval_text("FROM_UNIXTIME", 2, BIG(1511658000), PAT("yyyyMMddHH")), "2017112609");
    CHECK_EQ_STR(eval_text("FROM_UNIXTIME", 2, BIG(1505404800), PAT("MMdd-yyyy")), "0915-2017");
    CHECK_EQ_STR(eval_text("FROM_UNIXTIME", 2, BIG(1511658000), PAT("yyyy-MM-dd")), "2017-11-26");
    set_zone("UTC");
    CHECK_EQ_STR(eval_text("FROM_UNIXTIME", 1, BIG(1511658000)), "2017-11-26 01:00:00");
    CHECK_EQ_STR(eval_text("FROM_UNIXTIME", 1, BIG(-1)), "1969-12-31 23:59:59");
    CHECK_EQ_STR(eval_text("FROM_UNIXTIME", 1, BIG(0)), "1970-01-01 00:00:00");
    CHECK_EQ_STR(eval_text("FROM_UNIXTIME", 2, BIG(0), PAT("yyyy-MM-dd HH:mm:ss.SSS Z")), "1970-01-01 00:00:00.000 +0000");
    set_zone("America/New_York");
    CHECK_EQ_STR(eval_text("FROM_UNIXTIME", 1, BIG(1615705199)), "2021-03-14 01:59:59");
    CHECK_EQ_STR(eval_text("FROM_UNIXTIME", 1, BIG(1615705200)), "2021-03-14 03:00:00");
    CHECK_EQ_STR(eval_text("FROM_UNIXTIME", 1, BIG(1636264800)), "2021-11-07 01:00:00");   /* second 01:00 */
    CHECK_EQ_STR(eval_text("FROM_UNIXTIME", 1, BIG(INT64_MAX)), "NULL");
    CHECK_EQ_STR(eval_text("FROM_UNIXTIME", 1, NUL(type_make(TY_BIGINT))), "NULL");
    const char *r = eval_text("FROM_UNIXTIME", 1, STR("1"));
    CHECK(strstr(r, "ERROR: FROM_UNIXTIME expects (INT or BIGINT epoch seconds") == r);
}

TEST(unix_timestamp)
{
    fake_now = SH_1511658000 + 999999;
    CHECK_EQ_STR(eval_text("UNIX_TIMESTAMP", 0), "1511658000");
    set_zone("Asia/Shanghai");
    CHECK_EQ_STR(eval_text("UNIX_TIMESTAMP", 1, STR("2017-11-26 09:00:00")), "1511658000");
    CHECK_EQ_STR(eval_text("UNIX_TIMESTAMP", 2, STR("2017-11-26"), PAT("yyyy-MM-dd")), "1511625600");
    CHECK_EQ_STR(eval_text("UNIX_TIMESTAMP", 2, STR("2017112609"), PAT("yyyyMMddHH")), "1511658000");
    CHECK_EQ_STR(eval_text("UNIX_TIMESTAMP", 1, STR("bad")), num(INT64_MIN));
    CHECK_EQ_STR(eval_text("UNIX_TIMESTAMP", 1, NUL(type_make(TY_STRING))), "NULL");
    CHECK_EQ_STR(eval_text("UNIX_TIMESTAMP", 1, TSV("2017-11-26 09:00:00")), "1511658000");
    CHECK_EQ_STR(eval_text("UNIX_TIMESTAMP", 1, LTZ(SH_1511658000 + 500000)), "1511658000");
    /* The Flink 1.17 documentation's examples, in Europe/Berlin. */
    set_zone("Europe/Berlin");
    CHECK_EQ_STR(eval_text("UNIX_TIMESTAMP", 2, STR("1970-01-01 08:00:01.001"), PAT("yyyy-MM-dd HH:mm:ss.SSS")), "25201");
    CHECK_EQ_STR(eval_text("UNIX_TIMESTAMP", 2, STR("1970-01-01 08:00:01.001 +0800"), PAT("yyyy-MM-dd HH:mm:ss.SSS X")), "1");
    CHECK_EQ_STR(eval_text("UNIX_TIMESTAMP", 2, STR("1970-01-01 08:00:01.001 +0800"), PAT("yyyy-MM-dd HH:mm:ss.SSS")), "25201");
    CHECK_EQ_STR(eval_text("UNIX_TIMESTAMP", 2, STR("1970-01-01 08:00:01.001"), PAT("yyyy-MM-dd HH:mm:ss.SSS X")),
                 num(INT64_MIN));
    /* DST in New York, read like java.util.Calendar: a gap moves forward, a repeated reading
     * is standard time (the later instant). */
    set_zone("America/New_York");
    CHECK_EQ_STR(eval_text("UNIX_TIMESTAMP", 1, STR("2021-03-14 02:30:00")), "1615707000");
    CHECK_EQ_STR(eval_text("UNIX_TIMESTAMP", 1, STR("2021-11-07 01:30:00")), "1636266600");
    CHECK_EQ_STR(eval_text("UNIX_TIMESTAMP", 1, STR("2021-11-07 00:59:59")), "1636261199");
    CHECK_EQ_STR(eval_text("UNIX_TIMESTAMP", 1, STR("2021-11-07 02:00:00")), "1636268400");
    CHECK_EQ_STR(eval_text("UNIX_TIMESTAMP", 1, TSV("2021-11-07 01:30:00")), "1636266600");
    set_zone("UTC");
    CHECK_EQ_STR(eval_text("UNIX_TIMESTAMP", 1, STR("1969-12-31 23:59:59")), "-1");
    CHECK_EQ_STR(eval_text("UNIX_TIMESTAMP", 2, STR("1969-12-31 23:59:59.500"), PAT("yyyy-MM-dd HH:mm:ss.SSS")), "0");
    /* The seed job's round trip: midnight today in the session zone, in seconds. */
    set_zone("Asia/Shanghai");
    CHECK_EQ_STR(eval_text("UNIX_TIMESTAMP", 2, STR(eval_text("FROM_UNIXTIME", 2, BIG(1511658000), PAT("yyyy-MM-dd"))),
                           PAT("yyyy-MM-dd")), "1511625600");
    CHECK_EQ_INT(find("UNIX_TIMESTAMP")->deterministic, 0);
}

/* ---- the clock -------------------------------------------------------------------------- */

TEST(clock_functions)
{
    fake_now = ts("2017-11-25 17:00:00.123456");            /* an instant: 2017-11-26 01:00 in Shanghai */
    set_zone("Asia/Shanghai");
    CHECK_EQ_STR(eval_text("NOW", 0), num(ts("2017-11-25 17:00:00.123")));
    CHECK_EQ_STR(eval_text("CURRENT_TIMESTAMP", 0), num(ts("2017-11-25 17:00:00.123")));
    CHECK_EQ_STR(eval_text("LOCALTIMESTAMP", 0), num(ts("2017-11-26 01:00:00.123")));
    CHECK_EQ_STR(eval_text("CURRENT_DATE", 0), num(day("2017-11-26")));
    CHECK_EQ_STR(eval_text("PROCTIME", 0), num(ts("2017-11-25 17:00:00.123")));
    set_zone("UTC");
    CHECK_EQ_STR(eval_text("LOCALTIMESTAMP", 0), num(ts("2017-11-25 17:00:00.123")));
    CHECK_EQ_STR(eval_text("CURRENT_DATE", 0), num(day("2017-11-25")));
    fake_now = -1;
    CHECK_EQ_STR(eval_text("CURRENT_DATE", 0), "-1");
    CHECK_EQ_STR(eval_text("NOW", 0), "-1000");
    type_t t = result_type("PROCTIME", 0, NUL(T_TS), NUL(T_TS));
    CHECK_EQ_INT(t.id, TY_TIMESTAMP_LTZ);
    CHECK_EQ_INT(t.attr, TA_PROCTIME);
    CHECK_EQ_INT(find("PROCTIME")->deterministic, 0);
    CHECK_EQ_INT(find("NOW")->deterministic, 0);
    CHECK_EQ_INT(result_type("LOCALTIMESTAMP", 0, NUL(T_TS), NUL(T_TS)).id, TY_TIMESTAMP);
    CHECK_EQ_INT(result_type("CURRENT_DATE", 0, NUL(T_TS), NUL(T_TS)).id, TY_DATE);
}

/* ---- fields ----------------------------------------------------------------------------- */

TEST(field_functions)
{
    set_zone("UTC");
    targ t = TSV("2017-11-26 09:05:03.123456");              /* a Sunday */
    CHECK_EQ_STR(eval_text("YEAR", 1, t), "2017");
    CHECK_EQ_STR(eval_text("QUARTER", 1, t), "4");
    CHECK_EQ_STR(eval_text("MONTH", 1, t), "11");
    CHECK_EQ_STR(eval_text("WEEK", 1, t), "47");
    CHECK_EQ_STR(eval_text("DAYOFYEAR", 1, t), "330");
    CHECK_EQ_STR(eval_text("DAYOFMONTH", 1, t), "26");
    CHECK_EQ_STR(eval_text("DAYOFWEEK", 1, t), "1");
    CHECK_EQ_STR(eval_text("HOUR", 1, t), "9");
    CHECK_EQ_STR(eval_text("MINUTE", 1, t), "5");
    CHECK_EQ_STR(eval_text("SECOND", 1, t), "3");
    CHECK_EQ_STR(eval_text("DAYOFWEEK", 1, TSV("2017-11-27 00:00:00")), "2");
    CHECK_EQ_STR(eval_text("DAYOFWEEK", 1, TSV("2017-11-25 23:59:59")), "7");
    CHECK_EQ_STR(eval_text("QUARTER", 1, TSV("2017-03-31 23:59:59")), "1");
    CHECK_EQ_STR(eval_text("QUARTER", 1, TSV("2017-04-01 00:00:00")), "2");
    /* ISO weeks at year boundaries. */
    CHECK_EQ_STR(eval_text("WEEK", 1, DATEV("2021-01-03")), "53");
    CHECK_EQ_STR(eval_text("WEEK", 1, DATEV("2021-01-04")), "1");
    CHECK_EQ_STR(eval_text("WEEK", 1, DATEV("2019-12-30")), "1");
    CHECK_EQ_STR(eval_text("WEEK", 1, DATEV("2020-12-31")), "53");
    CHECK_EQ_STR(eval_text("WEEK", 1, DATEV("2016-01-01")), "53");
    CHECK_EQ_STR(eval_text("WEEK", 1, DATEV("2018-12-31")), "1");
    /* Leap years and dates before the epoch. */
    CHECK_EQ_STR(eval_text("DAYOFYEAR", 1, DATEV("2016-02-29")), "60");
    CHECK_EQ_STR(eval_text("DAYOFYEAR", 1, DATEV("2016-12-31")), "366");
    CHECK_EQ_STR(eval_text("DAYOFYEAR", 1, DATEV("1900-12-31")), "365");
    CHECK_EQ_STR(eval_text("YEAR", 1, TSV("1969-12-31 23:59:59")), "1969");
    CHECK_EQ_STR(eval_text("DAYOFWEEK", 1, TSV("1969-12-31 23:59:59")), "4");
    CHECK_EQ_STR(eval_text("HOUR", 1, TSV("1969-12-31 23:59:59")), "23");
    CHECK_EQ_STR(eval_text("YEAR", 1, NUL(T_TS)), "NULL");
    /* TIMESTAMP_LTZ is read in the session zone. */
    int64_t inst = ts("2017-11-25 17:30:00");
    set_zone("Asia/Shanghai");
    CHECK_EQ_STR(eval_text("DAYOFMONTH", 1, LTZ(inst)), "26");
    CHECK_EQ_STR(eval_text("HOUR", 1, LTZ(inst)), "1");
    set_zone("UTC");
    CHECK_EQ_STR(eval_text("DAYOFMONTH", 1, LTZ(inst)), "25");
    CHECK_EQ_STR(eval_text("HOUR", 1, LTZ(inst)), "17");
    const char *r = eval_text("HOUR", 1, DATEV("2017-11-26"));
    CHECK(strstr(r, "ERROR: HOUR expects (TIMESTAMP | TIMESTAMP_LTZ); a DATE has no time of day, got (DATE)") == r);
    r = eval_text("YEAR", 1, STR("2017-11-26"));
    CHECK(strstr(r, "ERROR: YEAR expects (DATE | TIMESTAMP | TIMESTAMP_LTZ), got (STRING)") == r);
}

TEST(extract)
{
    set_zone("UTC");
    targ t = TSV("2017-11-26 09:05:03.123456");
    CHECK_EQ_STR(eval_text("EXTRACT", 2, t, CBIG(TU_YEAR)), "2017");
    CHECK_EQ_STR(eval_text("EXTRACT", 2, t, CBIG(TU_QUARTER)), "4");
    CHECK_EQ_STR(eval_text("EXTRACT", 2, t, CBIG(TU_MONTH)), "11");
    CHECK_EQ_STR(eval_text("EXTRACT", 2, t, CBIG(TU_WEEK)), "47");
    CHECK_EQ_STR(eval_text("EXTRACT", 2, t, CBIG(TU_DAY)), "26");
    CHECK_EQ_STR(eval_text("EXTRACT", 2, t, CBIG(TU_HOUR)), "9");
    CHECK_EQ_STR(eval_text("EXTRACT", 2, t, CBIG(TU_MINUTE)), "5");
    CHECK_EQ_STR(eval_text("EXTRACT", 2, t, CBIG(TU_SECOND)), "3");
    CHECK_EQ_STR(eval_text("EXTRACT", 2, t, CBIG(TU_MILLISECOND)), "123");
    CHECK_EQ_STR(eval_text("EXTRACT", 2, t, CBIG(TU_MICROSECOND)), "123456");
    CHECK_EQ_STR(eval_text("EXTRACT", 2, DATEV("2017-11-26"), CBIG(TU_DAY)), "26");
    CHECK_EQ_STR(eval_text("EXTRACT", 2, TSV("1969-12-31 23:59:59.5"), CBIG(TU_MILLISECOND)), "500");
    const char *r = eval_text("EXTRACT", 2, DATEV("2017-11-26"), CBIG(TU_HOUR));
    CHECK(strstr(r, "ERROR: EXTRACT(HOUR FROM ...) expects TIMESTAMP or TIMESTAMP_LTZ (a DATE has no time of day), got DATE") == r);
    r = eval_text("EXTRACT", 2, t, CBIG(TU_NONE));
    CHECK(strstr(r, "ERROR: EXTRACT expects a time unit here") == r);
    r = eval_text("EXTRACT", 2, t, BIG(TU_DAY));
    CHECK(strstr(r, "ERROR: EXTRACT expects a time unit here") == r);
}

/* ---- FLOOR / CEIL to a unit ----------------------------------------------------------------- */

static const char *floor_ts(const char *fn, const char *t, int unit)
{
    return eval_text(fn, 2, TSV(t), CBIG(unit));
}

TEST(floor_ceil_timestamp)
{
    set_zone("UTC");
    const char *t = "2017-11-26 09:05:03.123456";
    CHECK_EQ_STR(floor_ts("FLOOR_TO", t, TU_MICROSECOND), num(ts(t)));
    CHECK_EQ_STR(floor_ts("FLOOR_TO", t, TU_MILLISECOND), num(ts("2017-11-26 09:05:03.123")));
    CHECK_EQ_STR(floor_ts("FLOOR_TO", t, TU_SECOND), num(ts("2017-11-26 09:05:03")));
    CHECK_EQ_STR(floor_ts("FLOOR_TO", t, TU_MINUTE), num(ts("2017-11-26 09:05:00")));
    CHECK_EQ_STR(floor_ts("FLOOR_TO", t, TU_HOUR), num(ts("2017-11-26 09:00:00")));
    CHECK_EQ_STR(floor_ts("FLOOR_TO", t, TU_DAY), num(ts("2017-11-26 00:00:00")));
    CHECK_EQ_STR(floor_ts("FLOOR_TO", t, TU_WEEK), num(ts("2017-11-26 00:00:00")));    /* a Sunday */
    CHECK_EQ_STR(floor_ts("FLOOR_TO", "2017-11-29 10:00:00", TU_WEEK), num(ts("2017-11-26 00:00:00")));
    CHECK_EQ_STR(floor_ts("FLOOR_TO", t, TU_MONTH), num(ts("2017-11-01 00:00:00")));
    CHECK_EQ_STR(floor_ts("FLOOR_TO", t, TU_QUARTER), num(ts("2017-10-01 00:00:00")));
    CHECK_EQ_STR(floor_ts("FLOOR_TO", t, TU_YEAR), num(ts("2017-01-01 00:00:00")));
    CHECK_EQ_STR(floor_ts("CEIL_TO", t, TU_SECOND), num(ts("2017-11-26 09:05:04")));
    CHECK_EQ_STR(floor_ts("CEIL_TO", t, TU_HOUR), num(ts("2017-11-26 10:00:00")));
    CHECK_EQ_STR(floor_ts("CEIL_TO", t, TU_DAY), num(ts("2017-11-27 00:00:00")));
    CHECK_EQ_STR(floor_ts("CEIL_TO", t, TU_WEEK), num(ts("2017-12-03 00:00:00")));
    CHECK_EQ_STR(floor_ts("CEIL_TO", t, TU_MONTH), num(ts("2017-12-01 00:00:00")));
    CHECK_EQ_STR(floor_ts("CEIL_TO", t, TU_QUARTER), num(ts("2018-01-01 00:00:00")));
    CHECK_EQ_STR(floor_ts("CEIL_TO", t, TU_YEAR), num(ts("2018-01-01 00:00:00")));
    /* On a boundary CEIL is the identity; one microsecond past it moves to the next. */
    CHECK_EQ_STR(floor_ts("CEIL_TO", "2017-11-01 00:00:00", TU_MONTH), num(ts("2017-11-01 00:00:00")));
    CHECK_EQ_STR(floor_ts("CEIL_TO", "2017-11-01 00:00:00.000001", TU_MONTH), num(ts("2017-12-01 00:00:00")));
    CHECK_EQ_STR(floor_ts("CEIL_TO", "2017-04-01 00:00:00", TU_QUARTER), num(ts("2017-04-01 00:00:00")));
    CHECK_EQ_STR(floor_ts("CEIL_TO", "2017-04-01 10:00:00", TU_QUARTER), num(ts("2017-07-01 00:00:00")));
    CHECK_EQ_STR(floor_ts("CEIL_TO", "2017-11-26 00:00:00", TU_WEEK), num(ts("2017-11-26 00:00:00")));
    CHECK_EQ_STR(floor_ts("CEIL_TO", "2017-12-31 12:00:00", TU_YEAR), num(ts("2018-01-01 00:00:00")));
    /* Before the epoch. */
    CHECK_EQ_STR(floor_ts("FLOOR_TO", "1969-12-31 23:59:59.5", TU_SECOND), num(ts("1969-12-31 23:59:59")));
    CHECK_EQ_STR(floor_ts("FLOOR_TO", "1969-12-31 23:59:59.5", TU_DAY), num(ts("1969-12-31 00:00:00")));
    CHECK_EQ_STR(floor_ts("FLOOR_TO", "1969-12-31 23:59:59.5", TU_WEEK), num(ts("1969-12-28 00:00:00")));
    CHECK_EQ_STR(floor_ts("CEIL_TO", "1969-12-31 23:59:59.5", TU_YEAR), num(ts("1970-01-01 00:00:00")));
    CHECK_EQ_STR(floor_ts("FLOOR_TO", "1969-02-15 00:00:00", TU_QUARTER), num(ts("1969-01-01 00:00:00")));
    type_t ty = result_type("FLOOR_TO", 2, TSV(t), CBIG(TU_HOUR));
    CHECK_EQ_INT(ty.id, TY_TIMESTAMP);
    CHECK_EQ_INT(ty.precision, 3);
}

TEST(floor_ceil_date_and_ltz)
{
    CHECK_EQ_STR(eval_text("FLOOR_TO", 2, DATEV("2017-11-26"), CBIG(TU_MONTH)), num(day("2017-11-01")));
    CHECK_EQ_STR(eval_text("CEIL_TO", 2, DATEV("2017-11-26"), CBIG(TU_MONTH)), num(day("2017-12-01")));
    CHECK_EQ_STR(eval_text("CEIL_TO", 2, DATEV("2017-11-01"), CBIG(TU_MONTH)), num(day("2017-11-01")));
    CHECK_EQ_STR(eval_text("FLOOR_TO", 2, DATEV("2017-11-26"), CBIG(TU_HOUR)), num(day("2017-11-26")));
    CHECK_EQ_STR(eval_text("CEIL_TO", 2, DATEV("2017-11-26"), CBIG(TU_DAY)), num(day("2017-11-26")));
    CHECK_EQ_STR(eval_text("FLOOR_TO", 2, DATEV("1969-12-31"), CBIG(TU_YEAR)), num(day("1969-01-01")));
    CHECK_EQ_INT(result_type("CEIL_TO", 2, DATEV("2017-11-26"), CBIG(TU_YEAR)).id, TY_DATE);
    /* LTZ rounds in the session zone: 09:30 in Kolkata (+05:30) floors to 09:00 local. */
    set_zone("Asia/Kolkata");
    CHECK_EQ_STR(eval_text("FLOOR_TO", 2, LTZ(ts("2017-11-26 04:00:00")), CBIG(TU_HOUR)), num(ts("2017-11-26 03:30:00")));
    CHECK_EQ_STR(eval_text("FLOOR_TO", 2, LTZ(ts("2017-11-26 04:00:00")), CBIG(TU_DAY)), num(ts("2017-11-25 18:30:00")));
    /* New York's midnight on the spring-forward day is still EST. */
    set_zone("America/New_York");
    CHECK_EQ_STR(eval_text("FLOOR_TO", 2, LTZ(ts("2021-03-14 12:00:00")), CBIG(TU_DAY)), num(ts("2021-03-14 05:00:00")));
    CHECK_EQ_STR(eval_text("CEIL_TO", 2, LTZ(ts("2021-03-14 12:00:00")), CBIG(TU_DAY)), num(ts("2021-03-15 04:00:00")));
    type_t lt = T_LTZ;
    lt.attr = TA_ROWTIME;
    type_t ty = result_type("FLOOR_TO", 2, col(lt, value_i64(0)), CBIG(TU_HOUR));
    CHECK_EQ_INT(ty.id, TY_TIMESTAMP_LTZ);
    CHECK_EQ_INT(ty.attr, TA_NONE);
    const char *r = eval_text("FLOOR_TO", 2, STR("2017"), CBIG(TU_HOUR));
    CHECK(strstr(r, "ERROR: FLOOR_TO expects (DATE | TIMESTAMP | TIMESTAMP_LTZ, time unit)") == r);
}

/* ---- TIMESTAMPADD / TIMESTAMPDIFF / WITHOFFSET ------------------------------------------------ */

TEST(timestampadd)
{
    set_zone("UTC");
    CHECK_EQ_STR(eval_text("TIMESTAMPADD", 3, CBIG(TU_DAY), BIG(1), TSV("2017-11-26 09:00:00")), num(ts("2017-11-27 09:00:00")));
    CHECK_EQ_STR(eval_text("TIMESTAMPADD", 3, CBIG(TU_HOUR), BIG(-10), TSV("2017-11-26 09:00:00")), num(ts("2017-11-25 23:00:00")));
    CHECK_EQ_STR(eval_text("TIMESTAMPADD", 3, CBIG(TU_MONTH), BIG(1), TSV("2017-01-31 09:00:00")), num(ts("2017-02-28 09:00:00")));
    CHECK_EQ_STR(eval_text("TIMESTAMPADD", 3, CBIG(TU_MONTH), BIG(1), TSV("2016-01-31 09:00:00")), num(ts("2016-02-29 09:00:00")));
    CHECK_EQ_STR(eval_text("TIMESTAMPADD", 3, CBIG(TU_YEAR), BIG(1), TSV("2016-02-29 00:00:00")), num(ts("2017-02-28 00:00:00")));
    CHECK_EQ_STR(eval_text("TIMESTAMPADD", 3, CBIG(TU_QUARTER), BIG(-1), TSV("2017-01-15 00:00:00")), num(ts("2016-10-15 00:00:00")));
    CHECK_EQ_STR(eval_text("TIMESTAMPADD", 3, CBIG(TU_WEEK), BIG(1), DATEV("2017-11-26")), num(day("2017-12-03")));
    CHECK_EQ_STR(eval_text("TIMESTAMPADD", 3, PAT("day"), BIG(2), DATEV("2017-11-26")), num(day("2017-11-28")));
    CHECK_EQ_STR(eval_text("TIMESTAMPADD", 3, CBIG(TU_HOUR), BIG(1), DATEV("2017-11-26")), num(ts("2017-11-26 01:00:00")));
    /* Month arithmetic on an instant happens on the session zone's calendar. */
    set_zone("Asia/Shanghai");
    CHECK_EQ_STR(eval_text("TIMESTAMPADD", 3, CBIG(TU_MONTH), BIG(1), LTZ(ts("2017-01-31 17:00:00"))),
                 num(ts("2017-02-28 17:00:00")));
    CHECK_EQ_STR(eval_text("TIMESTAMPADD", 3, CBIG(TU_HOUR), BIG(2), LTZ(ts("2017-01-31 17:00:00"))),
                 num(ts("2017-01-31 19:00:00")));
    CHECK_EQ_STR(eval_text("TIMESTAMPADD", 3, CBIG(TU_DAY), NUL(type_make(TY_INT)), DATEV("2017-11-26")), "NULL");
    const char *r = eval_text("TIMESTAMPADD", 3, PAT("fortnight"), BIG(1), DATEV("2017-11-26"));
    CHECK(strstr(r, "ERROR: TIMESTAMPADD expects a time unit here") == r);
}

TEST(timestampdiff)
{
    set_zone("UTC");
    CHECK_EQ_STR(eval_text("TIMESTAMPDIFF", 3, CBIG(TU_DAY), TSV("2017-11-26 09:00:00"), TSV("2017-11-28 08:59:59")), "1");
    CHECK_EQ_STR(eval_text("TIMESTAMPDIFF", 3, CBIG(TU_DAY), TSV("2017-11-28 08:59:59"), TSV("2017-11-26 09:00:00")), "-1");
    CHECK_EQ_STR(eval_text("TIMESTAMPDIFF", 3, CBIG(TU_HOUR), TSV("2017-11-26 09:00:00"), TSV("2017-11-26 12:30:00")), "3");
    CHECK_EQ_STR(eval_text("TIMESTAMPDIFF", 3, CBIG(TU_SECOND), TSV("2017-11-26 09:00:00"), TSV("2017-11-26 09:00:01.5")), "1");
    CHECK_EQ_STR(eval_text("TIMESTAMPDIFF", 3, CBIG(TU_MONTH), TSV("2017-01-31 00:00:00"), TSV("2017-02-28 00:00:00")), "1");
    CHECK_EQ_STR(eval_text("TIMESTAMPDIFF", 3, CBIG(TU_MONTH), TSV("2017-01-31 10:00:00"), TSV("2017-02-28 09:00:00")), "0");
    CHECK_EQ_STR(eval_text("TIMESTAMPDIFF", 3, CBIG(TU_MONTH), TSV("2017-02-28 09:00:00"), TSV("2017-01-31 10:00:00")), "0");
    CHECK_EQ_STR(eval_text("TIMESTAMPDIFF", 3, CBIG(TU_YEAR), DATEV("2016-02-29"), DATEV("2017-02-28")), "1");
    CHECK_EQ_STR(eval_text("TIMESTAMPDIFF", 3, CBIG(TU_YEAR), DATEV("2016-03-01"), DATEV("2017-02-28")), "0");
    CHECK_EQ_STR(eval_text("TIMESTAMPDIFF", 3, CBIG(TU_QUARTER), DATEV("2017-01-01"), DATEV("2017-12-31")), "3");
    CHECK_EQ_STR(eval_text("TIMESTAMPDIFF", 3, CBIG(TU_WEEK), DATEV("2017-11-26"), DATEV("2017-12-10")), "2");
    CHECK_EQ_STR(eval_text("TIMESTAMPDIFF", 3, CBIG(TU_DAY), DATEV("2017-11-26"), TSV("2017-11-27 12:00:00")), "1");
    /* Two instants differ by elapsed time, even across a DST change. */
    set_zone("America/New_York");
    CHECK_EQ_STR(eval_text("TIMESTAMPDIFF", 3, CBIG(TU_HOUR), LTZ(ts("2021-03-14 06:00:00")), LTZ(ts("2021-03-14 08:00:00"))), "2");
}

TEST(withoffset)
{
    CHECK_EQ_STR(eval_text("WITHOFFSET", 2, TSV("2017-11-26 09:00:00"), BIG(60000)), num(ts("2017-11-26 08:59:00")));
    CHECK_EQ_STR(eval_text("WITHOFFSET", 2, LTZ(SH_1511658000), BIG(1)), num(SH_1511658000 - 1000));
    CHECK_EQ_STR(eval_text("WITHOFFSET", 2, TSV("2017-11-26 09:00:00"), BIG(-1000)), num(ts("2017-11-26 09:00:01")));
    CHECK_EQ_STR(eval_text("WITHOFFSET", 2, TSV("2017-11-26 09:00:00"), BIG(INT64_MAX)), "NULL");
    CHECK_EQ_STR(eval_text("WITHOFFSET", 2, NUL(T_TS), BIG(1)), "NULL");
    type_t rt = T_TS;
    rt.attr = TA_ROWTIME;
    type_t ty = result_type("WITHOFFSET", 2, col(rt, value_i64(0)), BIG(60000));
    CHECK_EQ_INT(ty.id, TY_TIMESTAMP);
    CHECK_EQ_INT(ty.precision, 3);
    const char *r = eval_text("WITHOFFSET", 2, STR("x"), BIG(1));
    CHECK(strstr(r, "ERROR: WITHOFFSET expects (TIMESTAMP | TIMESTAMP_LTZ, BIGINT milliseconds), got (STRING, BIGINT)") == r);
}

TEST(table_is_well_formed)
{
    int n = 0;
    for (const func_def *f = func_table_time; f->name; f++, n++) {
        CHECK(f->check != NULL);
        CHECK(f->eval != NULL);
        CHECK(f->min_args <= f->max_args);
    }
    CHECK(n >= 28);
    CHECK(find("FLOOR_TO") && find("CEIL_TO") && find("EXTRACT") && find("WITHOFFSET"));
}

int main(void)
{
    arena_init(&plan, 1 << 16);
    exec.now_us = now_fn;
    set_zone("UTC");
    RUN(date_format_timestamp);
    RUN(date_format_ltz_in_session_zone);
    RUN(date_format_string_input);
    RUN(date_format_errors);
    RUN(date_format_patterns_from_data);
    RUN(date_format_chunk);
    RUN(to_timestamp_with_pattern);
    RUN(to_timestamp_default_and_millis);
    RUN(to_timestamp_ltz);
    RUN(to_date);
    RUN(from_unixtime);
    RUN(unix_timestamp);
    RUN(clock_functions);
    RUN(field_functions);
    RUN(extract);
    RUN(floor_ceil_timestamp);
    RUN(floor_ceil_date_and_ltz);
    RUN(timestampadd);
    RUN(timestampdiff);
    RUN(withoffset);
    RUN(table_is_well_formed);
    arena_free(&plan);
    return CHECK_DONE();
}
