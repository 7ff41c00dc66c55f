/* test_over_agg.c - OverAggregate: ROWS and RANGE frames, bounded and unbounded, in event
 * time (out-of-order rows, watermarks, peers, late rows) and processing time (fake clock,
 * cleanup on timer ticks), several partitions, COUNT/SUM/MAX/MIN/AVG, checkpoints, and a
 * randomized comparison against a brute-force computation of every frame.
 *
 * Input (k STRING, v BIGINT, ts TIMESTAMP(3) *ROWTIME*). Each test is a script of events; a
 * capture operator records the output as "+I[a, 5, 3s, 3, 9, 5, 1, 3]" lines (times shown
 * as seconds) and watermarks as "WM 5s". Script lines: "<k> <v> <seconds>" a row
 * (consecutive rows form one chunk; k "null" is NULL), "wm <seconds>|max", "clock
 * <seconds>" (the fake wall clock), "timer <seconds>", "keys <n>" (checks the partitions
 * held), "snap" (where the checkpoint round-trip run snapshots, destroys and restores). */
#include "op_testkit.h"

static exec_ctx ctx;

static capture *cap_new(void) { return capture_new(&ctx, (capture_fmt){.row_time = put_seconds, .wm_time = put_seconds}); }

/* ---- set-up ---- */

typedef struct setup {
    int global;               /* no PARTITION BY */
    int rows_frame;
    int64_t preceding;        /* rows, or seconds for RANGE; -1 unbounded */
    int proctime;
    const char *aggs;         /* "COUNT(*) SUM(v) MAX(k)" */
} setup;

#define MAX_AGGS 6
static agg_call calls[MAX_AGGS];
static char agg_col_names[MAX_AGGS][32];

static type_t rowtime3(void) { type_t t = type_timestamp(TY_TIMESTAMP, 3); t.attr = TA_ROWTIME; return t; }

static type_t in_type(int col)
{
    return col == 0 ? type_make(TY_STRING) : col == 1 ? type_make(TY_BIGINT) : rowtime3();
}

static int make_calls(const char *spec)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", spec);
    int n = 0;
    memset(calls, 0, sizeof calls);
    for (char *save, *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save), n++) {
        char name[32], arg[8];
        if (sscanf(tok, "%31[A-Z_](%7[^)])", name, arg) != 2) abort();
        agg_call *c = &calls[n];
        c->def = agg_lookup(name);
        c->arg_col = arg[0] == '*' ? -1 : arg[0] == 'k' ? 0 : 1;
        c->filter_col = -1;
        c->arg_type = c->arg_col < 0 ? type_make(TY_NULL) : in_type(c->arg_col);
        c->append_only = 1;       /* the planner's choice for insert-only input; bounded frames undo it */
        if (!c->def || c->def->result_type(c->arg_type, &c->result_type) < 0) abort();
        snprintf(agg_col_names[n], sizeof agg_col_names[n], "a%d", n);
    }
    return n;
}

static schema_t out_schema(int naggs)
{
    schema_t s;
    schema_init(&s, (uint32_t)(3 + naggs));
    static const char *const names[] = {"k", "v", "ts"};
    for (int i = 0; i < 3; i++) {
        s.types[i] = in_type(i);
        s.names[i] = xstrdup(names[i]);
    }
    for (int i = 0; i < naggs; i++) {
        s.types[3 + i] = calls[i].result_type;
        s.names[3 + i] = xstrdup(agg_col_names[i]);
    }
    return s;
}

static op_t *make_op(const setup *st)
{
    int naggs = make_calls(st->aggs);
    schema_t out = out_schema(naggs);
    static const int part[1] = {0};
    over_spec spec = {.part = part, .npart = st->global ? 0 : 1, .time_col = 2, .proctime = st->proctime,
                      .rows_frame = st->rows_frame,
                      .preceding = st->preceding < 0 || st->rows_frame ? st->preceding : st->preceding * US_PER_SEC,
                      .aggs = calls, .naggs = naggs};
    op_t *op = over_agg_new(&ctx, &out, &spec);
    schema_free(&out);
    CHECK(op != NULL);
    return op;
}

/* ---- script runner ---- */

typedef struct run {
    const setup *st;
    op_t *op;
    capture *cap;
    chunk_t *rows;
    sb_t text;                /* output of the operators replaced at "snap" */
    uint64_t late;
    int restore_at_snap;
} run;

static void run_flush(run *r)
{
    if (r->rows->nrows) CHECK_EQ_INT(op_push(r->op, 0, r->rows), 0);
    chunk_reset(r->rows);
}

static void run_attach(run *r, op_t *op)
{
    r->op = op;
    r->cap = cap_new();
    op_connect(op, &r->cap->op, 0);
}

static void run_detach(run *r)
{
    sb_puts(&r->text, sb_str(&r->cap->text));
    r->late += r->op->stats.late;
    op_destroy(&r->cap->op);
    op_destroy(r->op);
}

static void run_snapshot_restore(run *r)
{
    snap_writer w = {0};
    CHECK_EQ_INT(r->op->vt->snapshot(r->op, &w), 0);
    run_detach(r);
    run_attach(r, make_op(r->st));
    snap_reader rd;
    snap_reader_init(&rd, w.buf, w.len);
    CHECK_EQ_INT(r->op->vt->restore(r->op, &rd), 0);
    CHECK_EQ_INT(rd.pos, w.len);
    snap_writer_free(&w);
}

static int64_t secs(const char *s) { return (int64_t)(atof(s) * US_PER_SEC + 0.5); }

static void run_row(run *r, const char *k, int64_t v, int64_t t)
{
    value_t vals[3] = {value_null(), value_i64(v), value_i64(t)};
    if (strcmp(k, "null")) {
        vals[0].null = 0;
        vals[0].s = str_cstr(k);
    }
    chunk_append_values(r->rows, vals, OP_INSERT);
    if (chunk_full(r->rows)) run_flush(r);
}

static void run_line(run *r, const char *line)
{
    char a[128], b[64], c[64];
    int n = sscanf(line, "%127s %63s %63s", a, b, c);
    if (n == 3) {
        run_row(r, a, atoll(b), secs(c));
        return;
    }
    run_flush(r);
    if (!strcmp(a, "wm")) CHECK_EQ_INT(op_watermark_in(r->op, 0, strcmp(b, "max") ? secs(b) : TS_MAX), 0);
    else if (!strcmp(a, "clock")) fake_now = secs(b);
    else if (!strcmp(a, "timer")) CHECK_EQ_INT(r->op->vt->timer(r->op, secs(b)), 0);
    else if (!strcmp(a, "keys")) CHECK_EQ_INT(r->op->stats.state_keys, atoll(b));
    else if (!strcmp(a, "snap")) { if (r->restore_at_snap) run_snapshot_restore(r); }
    else { fprintf(stderr, "bad script line: %s\n", line); abort(); }
}

static char *run_script(const setup *st, const char *const *script, int restore_at_snap, uint64_t *late)
{
    run r = {0};
    r.st = st;
    r.restore_at_snap = restore_at_snap;
    run_attach(&r, make_op(st));
    type_t types[3] = {in_type(0), in_type(1), in_type(2)};
    r.rows = chunk_new_types(3, types, CHUNK_CAP);
    for (int i = 0; script[i]; i++) run_line(&r, script[i]);
    run_flush(&r);
    run_detach(&r);
    chunk_free(r.rows);
    if (late) *late = r.late;
    return sb_take(&r.text);
}

/* Runs the script straight and with a checkpoint round trip at "snap"; both must give want. */
static void check_script(const setup *st, const char *const *script, const char *want, uint64_t want_late)
{
    uint64_t late = 0;
    char *got = run_script(st, script, 0, &late);
    CHECK_EQ_STR(got, want);
    CHECK_EQ_INT(late, want_late);
    free(got);
    got = run_script(st, script, 1, &late);
    CHECK_EQ_STR(got, want);
    CHECK_EQ_INT(late, want_late);
    free(got);
}

static const char *const FIVE = "COUNT(*) SUM(v) MAX(v) MIN(v) AVG(v)";

/* ---- event time ---- */

TEST(rows_bounded_out_of_order_and_late)
{
    setup st = {.rows_frame = 1, .preceding = 2, .aggs = FIVE};
    static const char *const script[] = {
        "a 1 1", "a 5 3", "b 7 2", "a 3 2",
        "wm 2",                       /* a@1, a@2 (partition a is due first), b@2 */
        "a 2 2",                      /* late: at the watermark */
        "snap",
        "a 4 4", "a 6 3",             /* a@3 twice: arrival order v=5 then v=6 */
        "wm 5",
        "b 8 6",
        "wm max",
        NULL,
    };
    check_script(&st, script,
                 "+I[a, 1, 1s, 1, 1, 1, 1, 1]\n"
                 "+I[a, 3, 2s, 2, 4, 3, 1, 2]\n"
                 "+I[b, 7, 2s, 1, 7, 7, 7, 7]\n"
                 "WM 2s\n"
                 "+I[a, 5, 3s, 3, 9, 5, 1, 3]\n"        /* frame 1, 3, 5 */
                 "+I[a, 6, 3s, 3, 14, 6, 3, 4]\n"       /* 3, 5, 6: the 1 left */
                 "+I[a, 4, 4s, 3, 15, 6, 4, 5]\n"       /* 5, 6, 4 */
                 "WM 5s\n"
                 "+I[b, 8, 6s, 2, 15, 8, 7, 7]\n"
                 "WM max\n",
                 1);
}

TEST(rows_zero_preceding_and_unbounded)
{
    setup cur = {.rows_frame = 1, .preceding = 0, .aggs = "COUNT(*) SUM(v) MAX(v)"};
    static const char *const script[] = {"a 4 2", "a 9 1", "a 2 2", "snap", "a 1 3", "wm max", NULL};
    check_script(&cur, script,
                 "+I[a, 9, 1s, 1, 9, 9]\n"
                 "+I[a, 4, 2s, 1, 4, 4]\n"
                 "+I[a, 2, 2s, 1, 2, 2]\n"
                 "+I[a, 1, 3s, 1, 1, 1]\n"
                 "WM max\n",
                 0);
    setup unb = {.rows_frame = 1, .preceding = -1, .aggs = "COUNT(*) SUM(v) MAX(v) MIN(v)"};
    static const char *const script2[] = {"a 4 2", "a 9 1", "b 3 1", "a 2 2", "wm 1", "snap", "a 1 3", "wm max", NULL};
    check_script(&unb, script2,
                 "+I[a, 9, 1s, 1, 9, 9, 9]\n"
                 "+I[b, 3, 1s, 1, 3, 3, 3]\n"
                 "WM 1s\n"
                 "+I[a, 4, 2s, 2, 13, 9, 4]\n"          /* ROWS: peers one by one */
                 "+I[a, 2, 2s, 3, 15, 9, 2]\n"
                 "+I[a, 1, 3s, 4, 16, 9, 1]\n"
                 "WM max\n",
                 0);
}

TEST(range_bounded_with_peers)
{
    /* RANGE BETWEEN INTERVAL '2' SECOND PRECEDING: times in [t - 2, t] */
    setup st = {.rows_frame = 0, .preceding = 2, .aggs = FIVE};
    static const char *const script[] = {
        "a 1 1", "a 10 3", "a 2 1", "a 20 3",
        "wm 3",
        "a 5 3",                      /* late */
        "a 7 5",
        "snap",
        "a 3 6", "a 4 5.5",
        "wm 6",
        "a 100 8.5",                  /* [6.5, 8.5]: every earlier row left */
        "wm max",
        NULL,
    };
    check_script(&st, script,
                 "+I[a, 1, 1s, 2, 3, 2, 1, 1]\n"        /* peers at 1 s see each other */
                 "+I[a, 2, 1s, 2, 3, 2, 1, 1]\n"
                 "+I[a, 10, 3s, 4, 33, 20, 1, 8]\n"     /* [1, 3]: 1 s is exactly 2 s before: in */
                 "+I[a, 20, 3s, 4, 33, 20, 1, 8]\n"
                 "WM 3s\n"
                 "+I[a, 7, 5s, 3, 37, 20, 7, 12]\n"     /* [3, 5]: the 1 s rows left */
                 "+I[a, 4, 5.500s, 2, 11, 7, 4, 5]\n"   /* [3.5, 5.5]: the 3 s rows left */
                 "+I[a, 3, 6s, 3, 14, 7, 3, 4]\n"       /* [4, 6] */
                 "WM 6s\n"
                 "+I[a, 100, 8.500s, 1, 100, 100, 100, 100]\n"
                 "WM max\n",
                 1);
}

TEST(range_unbounded_peers_and_partitions)
{
    setup st = {.rows_frame = 0, .preceding = -1, .aggs = "COUNT(*) SUM(v) MIN(v)"};
    static const char *const script[] = {
        "b 1 2", "a 5 2", "null 6 1", "a 1 2", "b 2 1",
        "wm 1",
        "snap",
        "a 3 3", "null 1 3",
        "wm max",
        NULL,
    };
    /* on "wm 1": b (due 1 s, created first) then null; on max: b@2, a@2 peers, a@3, null@3 */
    check_script(&st, script,
                 "+I[b, 2, 1s, 1, 2, 2]\n"
                 "+I[NULL, 6, 1s, 1, 6, 6]\n"
                 "WM 1s\n"
                 "+I[b, 1, 2s, 2, 3, 1]\n"
                 "+I[a, 5, 2s, 2, 6, 1]\n"
                 "+I[a, 1, 2s, 2, 6, 1]\n"
                 "+I[a, 3, 3s, 3, 9, 1]\n"
                 "+I[NULL, 1, 3s, 2, 7, 1]\n"
                 "WM max\n",
                 0);
}

TEST(range_bounded_state_is_cleaned_up)
{
    setup st = {.rows_frame = 0, .preceding = 10, .aggs = "COUNT(*) SUM(v)"};
    static const char *const script[] = {
        "a 1 1", "b 2 5", "c 3 30",
        "keys 3",
        "wm 5", "keys 3",             /* rows processed, still inside future frames */
        "wm 10", "keys 3",            /* a's row leaves every frame once 1 + 10 <= watermark */
        "snap",
        "wm 11", "keys 2",
        "wm 15", "keys 1",            /* b is gone too; c is still pending */
        "a 4 16", "keys 2",           /* a new partition a starts from nothing */
        "wm 39", "keys 1",            /* a@16 expired at 26; c@30 is held until 40 */
        "wm 40", "keys 0",
        "wm max",
        NULL,
    };
    check_script(&st, script,
                 "+I[a, 1, 1s, 1, 1]\n"
                 "+I[b, 2, 5s, 1, 2]\n"
                 "WM 5s\n"
                 "WM 10s\n"
                 "WM 11s\n"
                 "WM 15s\n"
                 "+I[a, 4, 16s, 1, 4]\n"
                 "+I[c, 3, 30s, 1, 3]\n"
                 "WM 39s\n"
                 "WM 40s\n"
                 "WM max\n",
                 0);
}

TEST(strings_are_copied_and_global_partition)
{
    /* no PARTITION BY; MAX/MIN over long strings held across watermarks and pool pages */
    setup st = {.global = 1, .rows_frame = 1, .preceding = 1, .aggs = "MAX(k) MIN(k) COUNT(k)"};
    static const char *const script[] = {
        "a-long-string-value-number-1 1 1", "zz-another-long-string-value 2 2",
        "wm 1",
        "snap",
        "b-yet-another-long-string-value 3 3", "null 4 4",
        "wm max",
        NULL,
    };
    check_script(&st, script,
                 "+I[a-long-string-value-number-1, 1, 1s, a-long-string-value-number-1, a-long-string-value-number-1, 1]\n"
                 "WM 1s\n"
                 "+I[zz-another-long-string-value, 2, 2s, zz-another-long-string-value, a-long-string-value-number-1, 2]\n"
                 "+I[b-yet-another-long-string-value, 3, 3s, zz-another-long-string-value, b-yet-another-long-string-value, 2]\n"
                 "+I[NULL, 4, 4s, b-yet-another-long-string-value, b-yet-another-long-string-value, 1]\n"
                 "WM max\n",
                 0);
}

TEST(many_rows_per_time_and_page_reuse)
{
    /* 3000 rows at one time in one partition (RANGE peers: one result for all), then rows
     * that push the earlier ones out of the frame */
    setup st = {.rows_frame = 0, .preceding = 1, .aggs = "COUNT(*) SUM(v)"};
    run r = {0};
    r.st = &st;
    run_attach(&r, make_op(&st));
    type_t types[3] = {in_type(0), in_type(1), in_type(2)};
    r.rows = chunk_new_types(3, types, CHUNK_CAP);
    for (int i = 0; i < 3000; i++) run_row(&r, "a", i, 10 * US_PER_SEC);
    run_line(&r, "wm 10");
    CHECK(strstr(sb_str(&r.cap->text), "+I[a, 2999, 10s, 3000, 4498500]\n") != NULL);
    sb_clear(&r.cap->text);
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 3000; i++) run_row(&r, "a", 1, (12 + 2 * round) * US_PER_SEC);
        char line[32];
        snprintf(line, sizeof line, "wm %d", 12 + 2 * round);
        run_line(&r, line);
    }
    CHECK(strstr(sb_str(&r.cap->text), "+I[a, 1, 20s, 3000, 3000]\n") != NULL);
    CHECK_EQ_INT(r.op->stats.rows_out, 18000);
    CHECK_EQ_INT(r.op->stats.state_keys, 1);
    run_line(&r, "wm 21");
    CHECK_EQ_INT(r.op->stats.state_keys, 0);
    run_detach(&r);
    sb_free(&r.text);
    chunk_free(r.rows);
}

/* ---- processing time ---- */

TEST(proctime_rows_and_range)
{
    ctx.now_us = fake_clock;
    setup rows = {.rows_frame = 1, .preceding = 1, .proctime = 1, .aggs = "COUNT(*) SUM(v)"};
    static const char *const script[] = {
        "clock 1", "a 1 0", "a 2 0", "b 3 0",
        "clock 2", "a 4 0",
        "snap",
        "clock 3", "a 5 0",
        NULL,
    };
    check_script(&rows, script,
                 "+I[a, 1, 0s, 1, 1]\n"
                 "+I[a, 2, 0s, 2, 3]\n"
                 "+I[b, 3, 0s, 1, 3]\n"
                 "+I[a, 4, 0s, 2, 6]\n"
                 "+I[a, 5, 0s, 2, 9]\n",
                 0);

    /* RANGE 2 s: the rows of one chunk and partition share the clock: peers */
    setup range = {.rows_frame = 0, .preceding = 2, .proctime = 1, .aggs = "COUNT(*) SUM(v)"};
    static const char *const script2[] = {
        "clock 1", "a 1 0", "b 2 0", "a 3 0",
        "clock 3", "a 4 0",           /* 1 s is exactly 2 s back: in */
        "keys 2",
        "timer 3", "keys 2",          /* rows of 1 s leave every frame once the clock passes 3 s */
        "snap",
        "timer 3.000001", "keys 1",   /* b is dropped; a keeps its row of 3 s */
        "clock 4", "a 5 0",           /* [2, 4]: the rows of 1 s left */
        "timer 6", "keys 1",
        "timer 6.000001", "keys 0",
        "clock 7", "a 6 0",
        NULL,
    };
    check_script(&range, script2,
                 "+I[a, 1, 0s, 2, 4]\n"
                 "+I[a, 3, 0s, 2, 4]\n"
                 "+I[b, 2, 0s, 1, 2]\n"
                 "+I[a, 4, 0s, 3, 8]\n"
                 "+I[a, 5, 0s, 2, 9]\n"
                 "+I[a, 6, 0s, 1, 6]\n",
                 0);

    /* RANGE UNBOUNDED in processing time runs row by row (no peers), like Flink */
    setup unb = {.rows_frame = 0, .preceding = -1, .proctime = 1, .aggs = "COUNT(*)"};
    static const char *const script3[] = {"clock 1", "a 1 0", "a 2 0", "snap", "a 3 0", NULL};
    check_script(&unb, script3, "+I[a, 1, 0s, 1]\n+I[a, 2, 0s, 2]\n+I[a, 3, 0s, 3]\n", 0);
    ctx.now_us = NULL;
}

/* ---- errors and explain ---- */

TEST(errors_and_explain)
{
    setup st = {.rows_frame = 0, .preceding = 90, .aggs = "COUNT(*) MAX(v)"};
    op_t *op = make_op(&st);
    sb_t sb = {0};
    op->vt->explain(op, &sb);
    CHECK_EQ_STR(sb_str(&sb), "partitionBy=[k], orderBy=[ts ASC], window=[RANGE BETWEEN 90 s PRECEDING AND CURRENT ROW], "
                              "select=[k, v, ts, COUNT(*) AS a0, MAX(v) AS a1]");
    sb_free(&sb);

    type_t types[3] = {in_type(0), in_type(1), in_type(2)};
    chunk_t *c = chunk_new_types(3, types, 4);
    value_t vals[3] = {value_null(), value_i64(1), value_i64(5)};
    chunk_append_values(c, vals, OP_DELETE);
    CHECK_EQ_INT(op_push(op, 0, c), -1);
    CHECK_EQ_STR(err_message(), "OverAggregate takes insert-only input but received a -D row");
    err_clear();
    chunk_reset(c);
    vals[2] = value_null();
    chunk_append_values(c, vals, OP_INSERT);
    CHECK_EQ_INT(op_push(op, 0, c), -1);
    CHECK_EQ_STR(err_message(), "OverAggregate: the time attribute 'ts' is NULL; a rowtime must not be NULL");
    err_clear();
    chunk_free(c);

    /* a truncated snapshot is an error, not a crash */
    snap_writer w = {0};
    snap_put_u8(&w, 1);
    snap_put_i64(&w, 0);
    snap_reader rd;
    snap_reader_init(&rd, w.buf, w.len);
    CHECK_EQ_INT(op->vt->restore(op, &rd), -1);
    err_clear();
    snap_writer_free(&w);
    op_destroy(op);

    setup rows = {.rows_frame = 1, .preceding = -1, .proctime = 1, .aggs = "SUM(v)"};
    op = make_op(&rows);
    op->vt->explain(op, &sb);
    CHECK_EQ_STR(sb_str(&sb), "partitionBy=[k], orderBy=[PROCTIME ASC], window=[ROWS BETWEEN UNBOUNDED PRECEDING AND "
                              "CURRENT ROW], select=[k, v, ts, SUM(v) AS a0]");
    sb_free(&sb);
    op_destroy(op);

    int naggs = make_calls("COUNT(*)");
    schema_t out = out_schema(naggs);
    over_spec spec = {.npart = 0, .time_col = 0, .rows_frame = 1, .preceding = 1, .aggs = calls, .naggs = naggs};
    CHECK(over_agg_new(&ctx, &out, &spec) == NULL);
    CHECK_EQ_STR(err_message(), "OverAggregate: ORDER BY column 'k' is not a time attribute");
    err_clear();
    schema_free(&out);
}

/* ---- randomized: against a brute-force computation of each frame ---- */

typedef struct ev {
    int kind;                 /* 0 row, 1 watermark, 2 chunk break, 3 snap */
    int k;                    /* partition 0..3 (3: NULL) */
    int64_t v, t;
} ev;

static uint64_t rng_state;
static uint64_t rnd(uint64_t n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (rng_state >> 33) % n;
}

static const char *const KEYS[4] = {"a", "bb-a-longer-partition-key", "c", "null"};

static int cmp_lines(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The lines of text, sorted, joined again. */
static char *sorted_lines(const char *text)
{
    char *copy = xstrdup(text);
    VEC(char *) lines = {0};
    for (char *save, *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        if (strncmp(l, "WM", 2)) VEC_PUSH(lines, l);
    qsort(lines.items, lines.len, sizeof *lines.items, cmp_lines);
    sb_t sb = {0};
    for (size_t i = 0; i < lines.len; i++) { sb_puts(&sb, lines.items[i]); sb_putc(&sb, '\n'); }
    VEC_FREE(lines);
    free(copy);
    return sb_take(&sb);
}

/* Expected output lines: late rows dropped, each accepted row with COUNT/SUM/MAX/MIN of v
 * over its frame. */
static char *brute_force(const ev *evs, int n, const setup *st, uint64_t *late)
{
    int64_t wm = TS_MIN;
    int accepted[4096], na = 0;
    *late = 0;
    for (int i = 0; i < n; i++) {
        if (evs[i].kind == 1 && evs[i].t > wm) wm = evs[i].t;
        if (evs[i].kind != 0) continue;
        if (evs[i].t <= wm) (*late)++;
        else accepted[na++] = i;
    }
    sb_t sb = {0};
    for (int a = 0; a < na; a++) {
        const ev *cur = &evs[accepted[a]];
        /* rows of the partition before cur in processing order: (t, arrival) */
        int64_t cnt = 0, sum = 0, mx = INT64_MIN, mn = INT64_MAX;
        int rank = 0;         /* rows strictly before cur in processing order */
        for (int b = 0; b < na; b++) {
            const ev *o = &evs[accepted[b]];
            if (o->k == cur->k && (o->t < cur->t || (o->t == cur->t && b < a))) rank++;
        }
        for (int b = 0; b < na; b++) {
            const ev *o = &evs[accepted[b]];
            if (o->k != cur->k) continue;
            int in;
            if (st->rows_frame) {
                int before = 0;
                for (int c2 = 0; c2 < na; c2++) {
                    const ev *x = &evs[accepted[c2]];
                    if (x->k == o->k && (x->t < o->t || (x->t == o->t && c2 < b))) before++;
                }
                in = before <= rank && (st->preceding < 0 || before >= rank - st->preceding);
            } else {
                in = o->t <= cur->t && (st->preceding < 0 || o->t >= cur->t - st->preceding * US_PER_SEC);
            }
            if (!in) continue;
            cnt++;
            sum += o->v;
            if (o->v > mx) mx = o->v;
            if (o->v < mn) mn = o->v;
        }
        sb_printf(&sb, "+I[%s, %lld, ", KEYS[cur->k][0] == 'n' ? "NULL" : KEYS[cur->k], (long long)cur->v);
        put_seconds(&sb, cur->t);
        sb_printf(&sb, ", %lld, %lld, %lld, %lld]\n", (long long)cnt, (long long)sum, (long long)mx, (long long)mn);
    }
    char *s = sorted_lines(sb_str(&sb));
    sb_free(&sb);
    return s;
}

static char *run_events(const setup *st, const ev *evs, int n, int restore_at_snap, uint64_t *late)
{
    run r = {0};
    r.st = st;
    r.restore_at_snap = restore_at_snap;
    run_attach(&r, make_op(st));
    type_t types[3] = {in_type(0), in_type(1), in_type(2)};
    r.rows = chunk_new_types(3, types, CHUNK_CAP);
    for (int i = 0; i < n; i++) {
        const ev *e = &evs[i];
        if (e->kind == 0) { run_row(&r, KEYS[e->k], e->v, e->t); continue; }
        run_flush(&r);
        if (e->kind == 1) CHECK_EQ_INT(op_watermark_in(r.op, 0, e->t), 0);
        if (e->kind == 3 && restore_at_snap) run_snapshot_restore(&r);
    }
    run_flush(&r);
    CHECK_EQ_INT(op_watermark_in(r.op, 0, TS_MAX), 0);
    run_detach(&r);
    chunk_free(r.rows);
    *late = r.late;
    return sb_take(&r.text);
}

TEST(randomized_against_brute_force)
{
    static const setup setups[] = {
        {.rows_frame = 1, .preceding = 0}, {.rows_frame = 1, .preceding = 3}, {.rows_frame = 1, .preceding = -1},
        {.rows_frame = 0, .preceding = 0}, {.rows_frame = 0, .preceding = 4}, {.rows_frame = 0, .preceding = -1},
    };
    ev evs[700];
    for (int iter = 0; iter < 60; iter++) {
        setup st = setups[iter % ARRAY_LEN(setups)];
        st.aggs = "COUNT(*) SUM(v) MAX(v) MIN(v)";
        rng_state = 0x9e3779b97f4a7c15ULL * (uint64_t)(iter + 1);
        int n = 0, nrows = 50 + (int)rnd(500);
        int64_t max_t = 0, next_v = 1;
        for (int i = 0; i < nrows; i++) {
            int64_t t = (int64_t)rnd(40) * US_PER_SEC / (rnd(4) ? 1 : 2);
            evs[n++] = (ev){0, (int)rnd(4), next_v++ * 7 % 1000 - 300, t};
            if (t > max_t) max_t = t;
            uint64_t x = rnd(20);
            if (x == 0) evs[n++] = (ev){1, 0, 0, max_t - (int64_t)rnd(8) * US_PER_SEC};
            else if (x == 1) evs[n++] = (ev){2, 0, 0, 0};
            else if (x == 2) evs[n++] = (ev){3, 0, 0, 0};
        }
        uint64_t want_late, late_a, late_b;
        char *want = brute_force(evs, n, &st, &want_late);
        char *a = run_events(&st, evs, n, 0, &late_a);
        char *b = run_events(&st, evs, n, 1, &late_b);
        char *sa = sorted_lines(a);
        CHECK_EQ_STR(sa, want);
        CHECK_EQ_STR(b, a);                  /* checkpoints change nothing, not even the order */
        CHECK_EQ_INT(late_a, want_late);
        CHECK_EQ_INT(late_b, want_late);
        if (check_cur_failed_) {
            fprintf(stderr, "randomized iteration %d (rows_frame %d, preceding %lld) failed\n", iter, st.rows_frame,
                    (long long)st.preceding);
            free(want), free(a), free(b), free(sa);
            break;
        }
        free(want), free(a), free(b), free(sa);
    }
}

int main(void)
{
    ctx.local_tz = tz_get("UTC", NULL, 0);
    RUN(rows_bounded_out_of_order_and_late);
    RUN(rows_zero_preceding_and_unbounded);
    RUN(range_bounded_with_peers);
    RUN(range_unbounded_peers_and_partitions);
    RUN(range_bounded_state_is_cleaned_up);
    RUN(strings_are_copied_and_global_partition);
    RUN(many_rows_per_time_and_page_reuse);
    RUN(proctime_rows_and_range);
    RUN(errors_and_explain);
    RUN(randomized_against_brute_force);
    return CHECK_DONE();
}
