/* test_rank.c - Rank (Top-N, deduplication) and WindowRank (window Top-N): exact changelogs
 * on insert-only and updating input, ties, late rows, LTZ windows, checkpoints, compaction;
 * WindowRank's shortcuts (one lookup per chunk or run of a partition, the N-th row's bar).
 *
 * Each test is a script run against the operator; a capture operator records the output as
 * text ("+I[a, x, 10, 2017-11-26 09:00:00.000, 1]", "WM 2017-11-26 09:02:00.000").
 * Script lines: "<op> <p> <name> <score> <time>" a row (op +I/-U/+U/-D; "null" for NULL;
 * consecutive rows form one chunk), "wm <time>|max", "finish", "snap" (where the checkpoint
 * round-trip run snapshots, destroys and restores the operator). Times are
 * "HH:MM[:SS[.fff]]" on 2017-11-26 or "YYYY-MM-DD_HH:MM[...]". The input columns are
 * (p STRING, name STRING, score BIGINT, ts TIMESTAMP(3)); for WindowRank ts is window_end. */
#include "op_testkit.h"

/* ---- fixtures ---- */

static exec_ctx ctx;

static capture *cap_new(exec_ctx *on) { return capture_new(on, (capture_fmt){0}); }

static int64_t ts(const char *text) { return test_day_time(text); }

typedef struct setup {
    int part[2];
    int npart;
    sort_key order[2];
    int norder;
    int64_t limit;
    int output_rn;
    int input_updates;
    int window_ltz;
    uint8_t time_attr;        /* attribute of the ts column */
    int window;               /* WindowRank with window_end = column 3 */
} setup;

static schema_t in_schema(const setup *st, int with_rn)
{
    schema_t s;
    schema_init(&s, 4 + (with_rn ? 1 : 0));
    static const char *const names[] = {"p", "name", "score", "ts", "rn"};
    s.types[0] = type_make(TY_STRING);
    s.types[1] = type_make(TY_STRING);
    s.types[2] = type_make(TY_BIGINT);
    s.types[3] = type_timestamp(TY_TIMESTAMP, 3);
    s.types[3].attr = st->time_attr;
    if (with_rn) s.types[4] = type_make(TY_BIGINT);
    for (uint32_t i = 0; i < s.ncols; i++) s.names[i] = xstrdup(names[i]);
    return s;
}

static op_t *make_op(const setup *st)
{
    schema_t out = in_schema(st, st->output_rn);
    rank_spec spec = {st->part, st->npart, st->order, st->norder, st->limit, st->output_rn, st->input_updates,
                      st->window_ltz};
    op_t *op = st->window ? window_rank_new(&ctx, &out, &spec, 3) : rank_new(&ctx, &out, &spec);
    schema_free(&out);
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
    if (r->rows->nrows) CHECK(op_push(r->op, 0, r->rows) == 0);
    chunk_reset(r->rows);
}

static void run_attach(run *r, op_t *op)
{
    r->op = op;
    r->cap = cap_new(&ctx);
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
    CHECK(r->op->vt->snapshot(r->op, &w) == 0);
    run_detach(r);
    run_attach(r, make_op(r->st));
    snap_reader rd;
    snap_reader_init(&rd, w.buf, w.len);
    CHECK(r->op->vt->restore(r->op, &rd) == 0);
    CHECK_EQ_INT(rd.pos, w.len);
    snap_writer_free(&w);
}

static int parse_op(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, row_op_names[i])) return i;
    return -1;
}

static value_t str_or_null(const char *s) { return strcmp(s, "null") ? (value_t){.s = str_cstr(s)} : value_null(); }

static void run_line(run *r, const char *line)
{
    char a[64], b[64], c[64], d[64], e[64];
    int n = sscanf(line, "%63s %63s %63s %63s %63s", a, b, c, d, e);
    int op = parse_op(a);
    if (n == 5 && op >= 0) {
        value_t vals[4] = {str_or_null(b), str_or_null(c), strcmp(d, "null") ? value_i64(atoll(d)) : value_null(),
                           value_i64(ts(e))};
        chunk_append_values(r->rows, vals, (uint8_t)op);
        if (chunk_full(r->rows)) run_flush(r);
        return;
    }
    run_flush(r);
    if (!strcmp(a, "wm")) CHECK(op_watermark_in(r->op, 0, strcmp(b, "max") ? ts(b) : TS_MAX) == 0);
    else if (!strcmp(a, "finish")) CHECK(op_finish_in(r->op, 0) == 0);
    else if (!strcmp(a, "snap")) { if (r->restore_at_snap) run_snapshot_restore(r); }
    else { fprintf(stderr, "bad script line: %s\n", line); abort(); }
}

static char *run_script(const setup *st, const char *const *script, int restore_at_snap, uint64_t *late)
{
    run r = {0};
    r.st = st;
    r.restore_at_snap = restore_at_snap;
    run_attach(&r, make_op(st));
    schema_t in = in_schema(st, 0);
    r.rows = chunk_new(&in, CHUNK_CAP);
    schema_free(&in);
    for (int i = 0; script[i]; i++) run_line(&r, script[i]);
    run_flush(&r);
    run_detach(&r);
    chunk_free(r.rows);
    if (late) *late = r.late;
    return sb_take(&r.text);
}

/* Runs the script straight and with a checkpoint round-trip at "snap"; both must give want. */
static void check_script(const setup *st, const char *const *script, const char *want, uint64_t want_late)
{
    uint64_t late = 0;
    char *got = run_script(st, script, 0, &late);
    CHECK_EQ_STR(got, want);
    CHECK_EQ_INT(late, want_late);
    free(got);
    got = run_script(st, script, 1, &late);
    CHECK_EQ_STR(got, want);
    free(got);
}

#define BY_SCORE_DESC {{2, 1, 0}}
#define T "2017-11-26 09:00:00.000"

/* ---- Top-N on insert-only input ---- */

static const char *const top2_insert_only[] = {
    "+I a x 10 09:00", "+I a y 20 09:00",
    "snap",
    "+I a z 15 09:00",
    "+I a w 15 09:00",     /* ties with z, the last of a full top 2: does not enter */
    "+I b q 5 09:00",
    "snap",
    "+I a v 30 09:00",
    NULL,
};

TEST(topn_insert_only)
{
    setup st = {.part = {0}, .npart = 1, .order = BY_SCORE_DESC, .norder = 1, .limit = 2};
    check_script(&st, top2_insert_only,
                 "+I[a, x, 10, " T "]\n"
                 "+I[a, y, 20, " T "]\n"
                 "-D[a, x, 10, " T "]\n"
                 "+I[a, z, 15, " T "]\n"
                 "+I[b, q, 5, " T "]\n"
                 "-D[a, z, 15, " T "]\n"
                 "+I[a, v, 30, " T "]\n",
                 0);
}

TEST(topn_insert_only_with_row_number)
{
    setup st = {.part = {0}, .npart = 1, .order = BY_SCORE_DESC, .norder = 1, .limit = 2, .output_rn = 1};
    check_script(&st, top2_insert_only,
                 "+I[a, x, 10, " T ", 1]\n"
                 "-U[a, x, 10, " T ", 1]\n"
                 "+U[a, y, 20, " T ", 1]\n"
                 "+I[a, x, 10, " T ", 2]\n"
                 "-U[a, x, 10, " T ", 2]\n"
                 "+U[a, z, 15, " T ", 2]\n"
                 "+I[b, q, 5, " T ", 1]\n"
                 "-U[a, y, 20, " T ", 1]\n"
                 "+U[a, v, 30, " T ", 1]\n"
                 "-U[a, z, 15, " T ", 2]\n"
                 "+U[a, y, 20, " T ", 2]\n",
                 0);
}

TEST(topn_nulls_and_no_partition)
{
    /* ORDER BY score ASC NULLS LAST, then name DESC; top 3 over the whole input. */
    setup st = {.npart = 0, .order = {{2, 0, 0}, {1, 1, 0}}, .norder = 2, .limit = 3, .output_rn = 1};
    static const char *const script[] = {
        "+I a x null 09:00", "+I a y 5 09:00", "+I b z 5 09:00", "+I b w 7 09:00", "+I c v null 09:00", NULL,
    };
    check_script(&st, script,
                 "+I[a, x, NULL, " T ", 1]\n"
                 "-U[a, x, NULL, " T ", 1]\n"
                 "+U[a, y, 5, " T ", 1]\n"
                 "+I[a, x, NULL, " T ", 2]\n"
                 "-U[a, y, 5, " T ", 1]\n"    /* z ties y on score and wins on name DESC */
                 "+U[b, z, 5, " T ", 1]\n"
                 "-U[a, x, NULL, " T ", 2]\n"
                 "+U[a, y, 5, " T ", 2]\n"
                 "+I[a, x, NULL, " T ", 3]\n"
                 "-U[a, x, NULL, " T ", 3]\n"
                 "+U[b, w, 7, " T ", 3]\n",
                 0);
}

/* ---- Top-N on updating input ---- */

static const char *const top2_updating[] = {
    "+I a x 10 09:00", "+I a y 20 09:00", "+I a z 15 09:00",
    "snap",
    "-D a y 20 09:00",     /* the first leaves: x is promoted back */
    "-U a x 10 09:00", "+U a x 25 09:00",
    "snap",
    "-D a q 99 09:00",     /* never seen: ignored */
    "-D a z 16 09:00",     /* same partition, no equal row: ignored */
    NULL,
};

TEST(topn_updating_input)
{
    setup st = {.part = {0}, .npart = 1, .order = BY_SCORE_DESC, .norder = 1, .limit = 2, .input_updates = 1};
    check_script(&st, top2_updating,
                 "+I[a, x, 10, " T "]\n"
                 "+I[a, y, 20, " T "]\n"
                 "-D[a, x, 10, " T "]\n"
                 "+I[a, z, 15, " T "]\n"
                 "-D[a, y, 20, " T "]\n"
                 "+I[a, x, 10, " T "]\n"
                 "-D[a, x, 10, " T "]\n"
                 "+I[a, x, 25, " T "]\n",
                 0);
}

TEST(topn_updating_input_with_row_number)
{
    setup st = {.part = {0}, .npart = 1, .order = BY_SCORE_DESC, .norder = 1, .limit = 2, .input_updates = 1,
                .output_rn = 1};
    check_script(&st, top2_updating,
                 "+I[a, x, 10, " T ", 1]\n"
                 "-U[a, x, 10, " T ", 1]\n"
                 "+U[a, y, 20, " T ", 1]\n"
                 "+I[a, x, 10, " T ", 2]\n"
                 "-U[a, x, 10, " T ", 2]\n"
                 "+U[a, z, 15, " T ", 2]\n"
                 "-U[a, y, 20, " T ", 1]\n"
                 "+U[a, z, 15, " T ", 1]\n"
                 "-U[a, z, 15, " T ", 2]\n"
                 "+U[a, x, 10, " T ", 2]\n"
                 "-D[a, x, 10, " T ", 2]\n"
                 "-U[a, z, 15, " T ", 1]\n"
                 "+U[a, x, 25, " T ", 1]\n"
                 "+I[a, z, 15, " T ", 2]\n",
                 0);
}

TEST(topn_updating_duplicates_and_emptied_partition)
{
    setup st = {.part = {0}, .npart = 1, .order = BY_SCORE_DESC, .norder = 1, .limit = 1, .input_updates = 1};
    static const char *const script[] = {
        "+I a x 10 09:00", "+I a x 10 09:00",   /* the same row twice */
        "-D a x 10 09:00",                      /* one copy leaves, the other takes rank 1 */
        "snap",
        "-D a x 10 09:00",                      /* the partition empties */
        "+I a y 1 09:00",
        NULL,
    };
    check_script(&st, script,
                 "+I[a, x, 10, " T "]\n"
                 "-D[a, x, 10, " T "]\n"
                 "+I[a, x, 10, " T "]\n"
                 "-D[a, x, 10, " T "]\n"
                 "+I[a, y, 1, " T "]\n",
                 0);
}

TEST(insert_only_rank_rejects_retractions)
{
    setup st = {.part = {0}, .npart = 1, .order = BY_SCORE_DESC, .norder = 1, .limit = 2};
    op_t *op = make_op(&st);
    schema_t in = in_schema(&st, 0);
    chunk_t *c = chunk_new(&in, 4);
    value_t vals[4] = {{.s = str_cstr("a")}, {.s = str_cstr("x")}, value_i64(1), value_i64(0)};
    chunk_append_values(c, vals, OP_DELETE);
    err_clear();
    CHECK(op_push(op, 0, c) < 0);
    CHECK_EQ_STR(err_message(), "Rank: the input was planned as insert-only but a -D row arrived");
    err_clear();
    chunk_free(c);
    schema_free(&in);
    op_destroy(op);
}

/* ---- deduplication ---- */

TEST(dedup_keep_first_proctime)
{
    setup st = {.part = {0}, .npart = 1, .order = {{3, 0, 1}}, .norder = 1, .limit = 1, .time_attr = TA_PROCTIME};
    static const char *const script[] = {
        "+I a x 1 09:00", "+I a y 2 08:00",    /* arrival order decides, not the value */
        "snap",
        "+I b z 3 09:30", "+I a w 4 07:00",
        "wm 10:00",
        NULL,
    };
    check_script(&st, script,
                 "+I[a, x, 1, 2017-11-26 09:00:00.000]\n"
                 "+I[b, z, 3, 2017-11-26 09:30:00.000]\n"
                 "WM 2017-11-26 10:00:00.000\n",
                 0);
}

TEST(dedup_keep_first_rowtime_waits_for_the_watermark)
{
    setup st = {.part = {0}, .npart = 1, .order = {{3, 0, 1}}, .norder = 1, .limit = 1, .time_attr = TA_ROWTIME};
    static const char *const script[] = {
        "+I a x 1 09:05",
        "+I a y 2 09:01",      /* earlier: replaces x */
        "+I a w 3 09:01",      /* tie: the first arrival stays */
        "+I b z 4 09:03",
        "snap",
        "wm 09:00:59.999",     /* nothing is complete yet */
        "wm 09:02",            /* a's row (09:01) is final */
        "+I a v 5 09:00",      /* older than the watermark: late */
        "+I a u 6 09:04",      /* a already emitted */
        "+I b q 7 09:02",      /* equal to the watermark: not late, earlier than z */
        "snap",
        "wm max",
        NULL,
    };
    check_script(&st, script,
                 "WM 2017-11-26 09:00:59.999\n"
                 "+I[a, y, 2, 2017-11-26 09:01:00.000]\n"
                 "WM 2017-11-26 09:02:00.000\n"
                 "+I[b, q, 7, 2017-11-26 09:02:00.000]\n"
                 "WM max\n",
                 1);
}

TEST(dedup_keep_last_rowtime)
{
    setup st = {.part = {0}, .npart = 1, .order = {{3, 1, 0}}, .norder = 1, .limit = 1, .time_attr = TA_ROWTIME};
    static const char *const script[] = {
        "+I a x 1 09:00",
        "+I a y 2 09:05",
        "snap",
        "+I a z 3 09:03",      /* older than the kept row: ignored */
        "+I a w 4 09:05",      /* same rowtime: the later arrival wins */
        "+I b q 5 09:00",
        NULL,
    };
    check_script(&st, script,
                 "+I[a, x, 1, 2017-11-26 09:00:00.000]\n"
                 "-U[a, x, 1, 2017-11-26 09:00:00.000]\n"
                 "+U[a, y, 2, 2017-11-26 09:05:00.000]\n"
                 "-U[a, y, 2, 2017-11-26 09:05:00.000]\n"
                 "+U[a, w, 4, 2017-11-26 09:05:00.000]\n"
                 "+I[b, q, 5, 2017-11-26 09:00:00.000]\n",
                 0);
}

TEST(dedup_keep_last_proctime)
{
    setup st = {.part = {0}, .npart = 1, .order = {{3, 1, 0}}, .norder = 1, .limit = 1, .time_attr = TA_PROCTIME};
    static const char *const script[] = {"+I a x 1 09:00", "snap", "+I a y 2 08:00", NULL};
    check_script(&st, script,
                 "+I[a, x, 1, 2017-11-26 09:00:00.000]\n"
                 "-U[a, x, 1, 2017-11-26 09:00:00.000]\n"
                 "+U[a, y, 2, 2017-11-26 08:00:00.000]\n",
                 0);
}

/* ---- compaction and long strings ---- */

TEST(topn_compaction_keeps_rows_intact)
{
    setup st = {.part = {0}, .npart = 1, .order = BY_SCORE_DESC, .norder = 1, .limit = 1};
    op_t *op = make_op(&st);
    capture *cap = cap_new(&ctx);
    op_connect(op, &cap->op, 0);
    schema_t in = in_schema(&st, 0);
    chunk_t *c = chunk_new(&in, CHUNK_CAP);
    char p[64], name[64];
    for (int i = 0; i < 20000; i++) {
        snprintf(p, sizeof p, "a-partition-with-a-long-name-%d", i % 3);
        snprintf(name, sizeof name, "row-name-longer-than-twelve-%d", i);
        value_t vals[4] = {{.s = str_cstr(p)}, {.s = str_cstr(name)}, value_i64(i), value_i64(0)};
        chunk_append_values(c, vals, OP_INSERT);
        if (chunk_full(c)) { CHECK(op_push(op, 0, c) == 0); chunk_reset(c); }
    }
    CHECK(op_push(op, 0, c) == 0);
    chunk_reset(c);
    /* every row enters: 3 first +I, then -D/+I for each of the other 19997 */
    int lines = 0;
    for (const char *q = sb_str(&cap->text); *q; q++) lines += *q == '\n';
    CHECK_EQ_INT(lines, 3 + 2 * 19997);
    /* round-trip the compacted state, then displace partition 2's row */
    snap_writer w = {0};
    CHECK(op->vt->snapshot(op, &w) == 0);
    op_destroy(&cap->op);
    op_destroy(op);
    op = make_op(&st);
    cap = cap_new(&ctx);
    op_connect(op, &cap->op, 0);
    snap_reader rd;
    snap_reader_init(&rd, w.buf, w.len);
    CHECK(op->vt->restore(op, &rd) == 0);
    value_t vals[4] = {{.s = str_cstr("a-partition-with-a-long-name-2")}, {.s = str_cstr("new")}, value_i64(99999),
                       value_i64(0)};
    chunk_append_values(c, vals, OP_INSERT);
    CHECK(op_push(op, 0, c) == 0);
    CHECK_EQ_STR(sb_str(&cap->text),
                 "-D[a-partition-with-a-long-name-2, row-name-longer-than-twelve-19997, 19997, 1970-01-01 00:00:00.000]\n"
                 "+I[a-partition-with-a-long-name-2, new, 99999, 1970-01-01 00:00:00.000]\n");
    snap_writer_free(&w);
    chunk_free(c);
    schema_free(&in);
    op_destroy(&cap->op);
    op_destroy(op);
}

/* ---- window Top-N ---- */

TEST(window_topn_ties_and_late_rows)
{
    setup st = {.part = {0}, .npart = 1, .order = BY_SCORE_DESC, .norder = 1, .limit = 2, .output_rn = 1, .window = 1};
    static const char *const script[] = {
        "+I a x 10 09:10", "+I a y 20 09:10",
        "+I a z 20 09:10",     /* ties y: ranks after it */
        "snap",
        "+I a w 20 09:10",     /* ties the last of a full top 2: out */
        "+I null q 5 09:10",
        "+I a v 1 09:20",
        "wm 09:09:59.998",
        "snap",
        "wm 09:09:59.999",     /* fires the window ending 09:10 */
        "+I a u 50 09:10",     /* late */
        "+I a t 2 09:20",
        "wm max",
        NULL,
    };
    check_script(&st, script,
                 "WM 2017-11-26 09:09:59.998\n"
                 "+I[NULL, q, 5, 2017-11-26 09:10:00.000, 1]\n"
                 "+I[a, y, 20, 2017-11-26 09:10:00.000, 1]\n"
                 "+I[a, z, 20, 2017-11-26 09:10:00.000, 2]\n"
                 "WM 2017-11-26 09:09:59.999\n"
                 "+I[a, t, 2, 2017-11-26 09:20:00.000, 1]\n"
                 "+I[a, v, 1, 2017-11-26 09:20:00.000, 2]\n"
                 "WM max\n",
                 1);
}

TEST(window_topn_ltz_and_finish)
{
    const tz_t *shanghai = tz_get("Asia/Shanghai", NULL, 0);
    ctx.local_tz = shanghai;
    setup st = {.part = {0}, .npart = 1, .order = BY_SCORE_DESC, .norder = 1, .limit = 1, .window = 1,
                .window_ltz = 1};
    /* window_end 2017-11-27 00:00 in Shanghai is 2017-11-26 16:00Z */
    static const char *const script[] = {
        "+I a x 1 2017-11-27_00:00", "+I a y 2 2017-11-27_00:00", "+I b z 3 2017-11-28_00:00",
        "wm 2017-11-26_15:59:59.998",
        "snap",
        "wm 2017-11-26_15:59:59.999",
        "finish",              /* no final watermark: the open window fires at the end */
        NULL,
    };
    check_script(&st, script,
                 "WM 2017-11-26 15:59:59.998\n"
                 "+I[a, y, 2, 2017-11-27 00:00:00.000]\n"
                 "WM 2017-11-26 15:59:59.999\n"
                 "+I[b, z, 3, 2017-11-28 00:00:00.000]\n",
                 0);
    ctx.local_tz = tz_get("UTC", NULL, 0);
}

TEST(window_topn_many_rows_recycles_pages)
{
    setup st = {.part = {0}, .npart = 1, .order = BY_SCORE_DESC, .norder = 1, .limit = 2, .output_rn = 1, .window = 1};
    op_t *op = make_op(&st);
    capture *cap = cap_new(&ctx);
    op_connect(op, &cap->op, 0);
    schema_t in = in_schema(&st, 0);
    chunk_t *c = chunk_new(&in, CHUNK_CAP);
    /* 5 windows of 1000 rows (ending 09:01..09:05); partitions p0..p6; score i % 100 */
    for (int i = 0; i < 5000; i++) {
        char p[8], name[16];
        snprintf(p, sizeof p, "p%d", i % 7);
        snprintf(name, sizeof name, "n%d", i);
        value_t vals[4] = {{.s = str_cstr(p)}, {.s = str_cstr(name)}, value_i64(i % 100),
                           value_i64(ts("09:00") + (i / 1000 + 1) * 60 * US_PER_SEC)};
        chunk_append_values(c, vals, OP_INSERT);
        if (chunk_full(c) || i % 1000 == 999) {
            CHECK(op_push(op, 0, c) == 0);
            chunk_reset(c);
        }
        if (i % 1000 == 999) CHECK(op_watermark_in(op, 0, ts("09:00") + (i / 1000 + 1) * 60 * US_PER_SEC - 1000) == 0);
    }
    const char *text = sb_str(&cap->text);
    int lines = 0;
    for (const char *q = text; *q; q++) lines += *q == '\n';
    CHECK_EQ_INT(lines, 5 * 7 * 2 + 5);
    /* window 1, p0 (i % 7 == 0): 399 has score 99; 98 and 798 tie at 98 and 98 came first */
    CHECK(strstr(text, "+I[p0, n399, 99, 2017-11-26 09:01:00.000, 1]\n+I[p0, n98, 98, 2017-11-26 09:01:00.000, 2]\n"));
    chunk_free(c);
    schema_free(&in);
    op_destroy(&cap->op);
    op_destroy(op);
}

TEST(window_topn_bar_rejects_only_rows_strictly_below)
{
    /* each script chunk holds one window and partition: the chunk path with the N-th row's
     * score as the bar (ties and NULLs go through the full comparison) */
    setup st = {.part = {0}, .npart = 1, .order = BY_SCORE_DESC, .norder = 1, .limit = 2, .output_rn = 1, .window = 1};
    static const char *const script[] = {
        "+I a x 10 09:10", "+I a y 20 09:10",
        "+I a p 5 09:10",      /* below the bar 10: out */
        "+I a q 10 09:10",     /* ties the bar: ranks after x, out */
        "+I a r null 09:10",   /* NULLS LAST: out */
        "+I a s 15 09:10",     /* enters at rank 2; the bar becomes 15 */
        "+I a t 12 09:10",     /* below the new bar: out */
        "snap",
        "+I a u 30 09:10",
        "wm max",
        NULL,
    };
    check_script(&st, script,
                 "+I[a, u, 30, 2017-11-26 09:10:00.000, 1]\n"
                 "+I[a, y, 20, 2017-11-26 09:10:00.000, 2]\n"
                 "WM max\n",
                 0);
    /* ascending, NULLS FIRST: a NULL score beats the bar */
    setup asc = {.part = {0}, .npart = 1, .order = {{2, 0, 1}}, .norder = 1, .limit = 2, .output_rn = 1, .window = 1};
    static const char *const script2[] = {
        "+I a x 10 09:10", "+I a y 20 09:10",
        "+I a z 30 09:10",     /* above the bar 20: out */
        "+I a n null 09:10",   /* first */
        "+I a w 5 09:10",
        "wm max",
        NULL,
    };
    check_script(&asc, script2,
                 "+I[a, n, NULL, 2017-11-26 09:10:00.000, 1]\n"
                 "+I[a, w, 5, 2017-11-26 09:10:00.000, 2]\n"
                 "WM max\n",
                 0);
}

TEST(window_topn_mixed_chunk_reuses_runs_of_one_partition)
{
    /* one chunk with partitions and windows interleaved: runs of equal (window, partition)
     * share one lookup, every change looks the partition up again */
    setup st = {.part = {0}, .npart = 1, .order = BY_SCORE_DESC, .norder = 1, .limit = 1, .output_rn = 1, .window = 1};
    static const char *const script[] = {
        "+I a x 1 09:10", "+I a y 3 09:10", "+I b z 2 09:10", "+I b w 4 09:10",
        "+I a v 2 09:10", "+I a u 5 09:20", "+I null t 7 09:10", "+I null s 8 09:10",
        "+I a r 9 09:10", "+I b q 1 09:20",
        "wm max",
        NULL,
    };
    check_script(&st, script,
                 "+I[NULL, s, 8, 2017-11-26 09:10:00.000, 1]\n"
                 "+I[a, r, 9, 2017-11-26 09:10:00.000, 1]\n"
                 "+I[b, w, 4, 2017-11-26 09:10:00.000, 1]\n"
                 "+I[a, u, 5, 2017-11-26 09:20:00.000, 1]\n"
                 "+I[b, q, 1, 2017-11-26 09:20:00.000, 1]\n"
                 "WM max\n",
                 0);
}

TEST(window_topn_reads_only_selected_rows)
{
    /* a selection vector: the unselected "b" rows must neither count nor make the chunk
     * look mixed */
    setup st = {.part = {0}, .npart = 1, .order = BY_SCORE_DESC, .norder = 1, .limit = 1, .output_rn = 1, .window = 1};
    op_t *op = make_op(&st);
    capture *cap = cap_new(&ctx);
    op_connect(op, &cap->op, 0);
    schema_t in = in_schema(&st, 0);
    chunk_t *c = chunk_new(&in, CHUNK_CAP);
    const char *parts[4] = {"a", "b", "a", "b"};
    const int64_t scores[4] = {1, 9, 5, 7};
    for (int i = 0; i < 4; i++) {
        value_t vals[4] = {{.s = str_cstr(parts[i])}, {.s = str_cstr("n")}, value_i64(scores[i]), value_i64(ts("09:10"))};
        chunk_append_values(c, vals, OP_INSERT);
    }
    c->sel = xcalloc(CHUNK_CAP, sizeof *c->sel);
    c->sel[0] = 0;
    c->sel[1] = 2;
    c->nsel = 2;
    CHECK(op_push(op, 0, c) == 0);
    c->sel[1] = 1;                   /* rows 0 and 1: two partitions */
    CHECK(op_push(op, 0, c) == 0);
    CHECK(op_watermark_in(op, 0, TS_MAX) == 0);
    CHECK_EQ_STR(sb_str(&cap->text), "+I[a, n, 5, 2017-11-26 09:10:00.000, 1]\n"
                                     "+I[b, n, 9, 2017-11-26 09:10:00.000, 1]\n"
                                     "WM max\n");
    chunk_free(c);
    schema_free(&in);
    op_destroy(&cap->op);
    op_destroy(op);
}

TEST(explain)
{
    setup st = {.part = {0}, .npart = 1, .order = BY_SCORE_DESC, .norder = 1, .limit = 3, .output_rn = 1};
    op_t *op = make_op(&st);
    sb_t sb = {0};
    op->vt->explain(op, &sb);
    CHECK_EQ_STR(sb_str(&sb), "TopN, partition=[p], order=[score DESC NULLS LAST], limit=3, rn=output, input=insert-only");
    op_destroy(op);
    sb_clear(&sb);
    setup dd = {.part = {0}, .npart = 1, .order = {{3, 0, 1}}, .norder = 1, .limit = 1, .time_attr = TA_ROWTIME};
    op = make_op(&dd);
    op->vt->explain(op, &sb);
    CHECK_EQ_STR(sb_str(&sb), "KeepFirstRow(rowtime), partition=[p], order=[ts ASC NULLS FIRST], limit=1, rn=hidden, "
                              "input=insert-only");
    op_destroy(op);
    sb_clear(&sb);
    st.window = 1;
    op = make_op(&st);
    op->vt->explain(op, &sb);
    CHECK_EQ_STR(sb_str(&sb), "window_end=ts, partition=[p], order=[score DESC NULLS LAST], limit=3, rn=output");
    op_destroy(op);
    sb_free(&sb);
    setup bad = st;
    bad.limit = 0;
    err_clear();
    CHECK(make_op(&bad) == NULL);
    CHECK_EQ_STR(err_message(), "WindowRank: the row-number limit must be between 1 and 4294967295, got 0");
    err_clear();
}

int main(void)
{
    ctx.local_tz = tz_get("UTC", NULL, 0);
    RUN(topn_insert_only);
    RUN(topn_insert_only_with_row_number);
    RUN(topn_nulls_and_no_partition);
    RUN(topn_updating_input);
    RUN(topn_updating_input_with_row_number);
    RUN(topn_updating_duplicates_and_emptied_partition);
    RUN(insert_only_rank_rejects_retractions);
    RUN(dedup_keep_first_proctime);
    RUN(dedup_keep_first_rowtime_waits_for_the_watermark);
    RUN(dedup_keep_last_rowtime);
    RUN(dedup_keep_last_proctime);
    RUN(topn_compaction_keeps_rows_intact);
    RUN(window_topn_ties_and_late_rows);
    RUN(window_topn_ltz_and_finish);
    RUN(window_topn_many_rows_recycles_pages);
    RUN(window_topn_bar_rejects_only_rows_strictly_below);
    RUN(window_topn_mixed_chunk_reuses_runs_of_one_partition);
    RUN(window_topn_reads_only_selected_rows);
    RUN(explain);
    return CHECK_DONE();
}
