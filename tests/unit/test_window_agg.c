/* test_window_agg.c - WindowAggregate: TUMBLE/HOP/CUMULATE/SESSION on hand-made inputs with
 * out-of-order rows and watermarks, late rows, LTZ alignment, processing time, checkpoints;
 * output in key order for many keys (every sort path), key entries with many open windows
 * and key entries reused as windows fire; HOP/CUMULATE slices merged per window.
 *
 * Each test is a script of events run against the operator; a capture operator records what
 * comes out as text ("+I[a, 2, 5, 2017-11-26 09:00:00.000, ...]", "WM 2017-11-26 09:09:59.999").
 * Script lines: "<k> <v> <time>" a row (consecutive rows form one chunk), "wm <time>|max",
 * "clock <time>" (the fake wall clock), "timer <time>", "finish", "snap" (where the
 * checkpoint round-trip run snapshots, destroys and restores the operator). Times are
 * "HH:MM[:SS[.fff]]" on 2017-11-26 or "YYYY-MM-DD_HH:MM[...]"; LTZ values are UTC instants. */
#include "op_testkit.h"

/* ---- fixtures ---- */

static exec_ctx ctx;

static capture *cap_new(exec_ctx *on) { return capture_new(on, (capture_fmt){0}); }

static int64_t ts(const char *text) { return test_day_time(text); }

static agg_call calls[2];
static const char *agg_cols[2];

/* COUNT(*) and SUM(v), or with max_k COUNT(*) and MAX(k), over input (k STRING, v BIGINT,
 * ts time_type). */
static void make_calls(int max_k)
{
    memset(calls, 0, sizeof calls);
    calls[0].def = agg_lookup("COUNT");
    calls[0].arg_type = type_make(TY_NULL);
    calls[0].result_type = type_make(TY_BIGINT);
    calls[0].arg_col = -1;
    calls[0].filter_col = -1;
    calls[1].def = agg_lookup("SUM");
    calls[1].arg_type = type_make(TY_BIGINT);
    calls[1].result_type = type_make(TY_BIGINT);
    calls[1].arg_col = 1;
    calls[1].filter_col = -1;
    agg_cols[0] = "cnt";
    agg_cols[1] = "total";
    if (max_k) {
        calls[1].def = agg_lookup("MAX");
        calls[1].arg_type = type_make(TY_STRING);
        calls[1].result_type = type_make(TY_STRING);
        calls[1].arg_col = 0;
        agg_cols[1] = "max_k";
    }
}

typedef struct setup {
    int global;               /* no group key */
    int max_k;                /* MAX(k) instead of SUM(v) */
    window_spec w;
    window_prop props[4];
    int nprops;
    type_t prop_types[4];
    window_topn topn;         /* limit 0: none */
} setup;

static schema_t in_schema(type_t time_type)
{
    schema_t s;
    schema_init(&s, 3);
    s.types[0] = type_make(TY_STRING);
    s.types[1] = type_make(TY_BIGINT);
    s.types[2] = time_type;
    s.names[0] = xstrdup("k");
    s.names[1] = xstrdup("v");
    s.names[2] = xstrdup("ts");
    return s;
}

static op_t *make_op(const setup *st)
{
    make_calls(st->max_k);
    int nkeys = st->global ? 0 : 1;
    schema_t out;
    schema_init(&out, (uint32_t)(nkeys + 2 + st->nprops));
    if (nkeys) {
        out.types[0] = type_make(TY_STRING);
        out.names[0] = xstrdup("k");
    }
    for (int i = 0; i < 2; i++) {
        out.types[nkeys + i] = calls[i].result_type;
        out.names[nkeys + i] = xstrdup(agg_cols[i]);
    }
    static const char *const pn[] = {"window_start", "window_end", "window_time", "proctime"};
    for (int i = 0; i < st->nprops; i++) {
        out.types[nkeys + 2 + i] = st->prop_types[i];
        out.names[nkeys + 2 + i] = xstrdup(pn[st->props[i]]);
    }
    int keys[1] = {0};
    op_t *op = window_agg_new(&ctx, &out, &st->w, keys, nkeys, calls, 2, st->props, st->nprops);
    schema_free(&out);
    if (op && st->topn.limit) CHECK(window_agg_set_topn(op, &st->topn) == 0);
    return op;
}

/* ---- script runner ---- */

typedef struct run {
    const setup *st;
    op_t *op;
    capture *cap;
    chunk_t *rows;
    sb_t text;              /* output of the operators replaced at "snap" */
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

static void run_line(run *r, const char *line)
{
    char a[64], b[64], c[64];
    int n = sscanf(line, "%63s %63s %63s", a, b, c);
    if (n == 3) {
        value_t vals[3];
        vals[0] = strcmp(a, "null") ? (value_t){.s = str_cstr(a)} : value_null();
        vals[1] = value_i64(atoll(b));
        vals[2] = value_i64(ts(c));
        if (a[0] == '-') vals[0] = (value_t){.s = str_cstr(a + 1)};  /* "-k v t": a deletion */
        chunk_append_values(r->rows, vals, a[0] == '-' ? OP_DELETE : OP_INSERT);
        if (chunk_full(r->rows)) run_flush(r);
        return;
    }
    run_flush(r);
    if (!strcmp(a, "wm")) CHECK(op_watermark_in(r->op, 0, strcmp(b, "max") ? ts(b) : TS_MAX) == 0);
    else if (!strcmp(a, "clock")) fake_now = ts(b);
    else if (!strcmp(a, "timer")) CHECK(r->op->vt->timer(r->op, ts(b)) == 0);
    else if (!strcmp(a, "finish")) CHECK(op_finish_in(r->op, 0) == 0);
    else if (!strcmp(a, "snap")) { if (r->restore_at_snap) run_snapshot_restore(r); }
    else { fprintf(stderr, "bad script line: %s\n", line); abort(); }
}

/* Runs the script; returns the output text (caller frees) and the late-row count. */
static char *run_script(const setup *st, const char *const *script, int restore_at_snap, uint64_t *late)
{
    run r = {0};
    r.st = st;
    r.restore_at_snap = restore_at_snap;
    run_attach(&r, make_op(st));
    schema_t in = in_schema(st->w.time_type);
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

static type_t ts3(void) { type_t t = type_timestamp(TY_TIMESTAMP, 3); t.attr = TA_ROWTIME; return t; }

/* ---- tests ---- */

TEST(tumble_out_of_order_and_late)
{
    setup st = {.w = {.kind = WIN_TUMBLE, .time_col = 2, .size_us = 600 * US_PER_SEC, .time_type = ts3()},
                .props = {WP_START, WP_END}, .nprops = 2,
                .prop_types = {type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP, 3)}};
    static const char *const script[] = {
        "a 1 09:01", "b 2 09:03", "a 3 09:12", "a 4 09:09:59.999", "a 7 09:10",
        "wm 09:09:59.998",           /* one microsecond before end - 1 ms: nothing fires */
        "snap",
        "b 5 09:00",                 /* still on time */
        "wm 09:09:59.999",           /* fires [09:00, 09:10) */
        "a 6 09:05",                 /* late: its window fired */
        "b 8 09:15",
        "wm max",
        NULL,
    };
    check_script(&st, script,
                 "WM 2017-11-26 09:09:59.998\n"
                 "+I[a, 2, 5, 2017-11-26 09:00:00.000, 2017-11-26 09:10:00.000]\n"
                 "+I[b, 2, 7, 2017-11-26 09:00:00.000, 2017-11-26 09:10:00.000]\n"
                 "WM 2017-11-26 09:09:59.999\n"
                 "+I[a, 2, 10, 2017-11-26 09:10:00.000, 2017-11-26 09:20:00.000]\n"
                 "+I[b, 1, 8, 2017-11-26 09:10:00.000, 2017-11-26 09:20:00.000]\n"
                 "WM max\n",
                 1);
}

TEST(tumble_offset_and_window_time)
{
    setup st = {.w = {.kind = WIN_TUMBLE, .time_col = 2, .size_us = 3600 * US_PER_SEC,
                      .offset_us = 15 * 60 * US_PER_SEC, .time_type = ts3()},
                .props = {WP_TIME, WP_START}, .nprops = 2, .prop_types = {ts3(), type_timestamp(TY_TIMESTAMP, 3)}};
    static const char *const script[] = {"a 1 09:14:59.999", "a 2 09:15", "null 4 10:14", "wm max", NULL};
    check_script(&st, script,
                 "+I[a, 1, 1, 2017-11-26 09:14:59.999, 2017-11-26 08:15:00.000]\n"
                 "+I[NULL, 1, 4, 2017-11-26 10:14:59.999, 2017-11-26 09:15:00.000]\n"
                 "+I[a, 1, 2, 2017-11-26 10:14:59.999, 2017-11-26 09:15:00.000]\n"
                 "WM max\n",
                 0);
}

TEST(hop_partial_late)
{
    setup st = {.w = {.kind = WIN_HOP, .time_col = 2, .size_us = 600 * US_PER_SEC, .slide_us = 300 * US_PER_SEC,
                      .time_type = ts3()},
                .props = {WP_START, WP_END}, .nprops = 2,
                .prop_types = {type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP, 3)}};
    static const char *const script[] = {
        "a 1 09:01", "a 2 09:07",
        "wm 09:04:59.999",           /* fires [08:55, 09:05) */
        "a 4 09:03",                 /* [08:55, 09:05) fired, [09:00, 09:10) open: not late */
        "snap",
        "wm 09:09:59.999",
        "a 8 09:02",                 /* both windows fired: late */
        "b 16 09:09:59.999",         /* [09:05, 09:15) only; [09:00, 09:10) fired */
        "wm max",
        NULL,
    };
    check_script(&st, script,
                 "+I[a, 1, 1, 2017-11-26 08:55:00.000, 2017-11-26 09:05:00.000]\n"
                 "WM 2017-11-26 09:04:59.999\n"
                 "+I[a, 3, 7, 2017-11-26 09:00:00.000, 2017-11-26 09:10:00.000]\n"
                 "WM 2017-11-26 09:09:59.999\n"
                 "+I[a, 1, 2, 2017-11-26 09:05:00.000, 2017-11-26 09:15:00.000]\n"
                 "+I[b, 1, 16, 2017-11-26 09:05:00.000, 2017-11-26 09:15:00.000]\n"
                 "WM max\n",
                 1);
}

/* HOP of 10 minutes sliding 4: 2-minute slices; windows merge the slices of each key, rows
 * whose slice still belongs to an open window count there, across a checkpoint. */
static const char *const hop_slices_script[] = {
    "a 1 09:01", "a 2 09:03", "b 4 09:05",
    "wm 09:05:59.999",           /* fires [08:52, 09:02) and [08:56, 09:06) */
    "snap",
    "a 8 09:09",
    "a 16 09:01",                /* [09:00, 09:10) is still open */
    "wm 09:09:59.999",
    "a 32 09:05",                /* [09:04, 09:14) is still open */
    "a 64 09:03",                /* every window of its slice fired: late */
    "wm max",
    NULL,
};

TEST(hop_slices_with_uneven_slide)
{
    setup st = {.w = {.kind = WIN_HOP, .time_col = 2, .size_us = 600 * US_PER_SEC, .slide_us = 240 * US_PER_SEC,
                      .time_type = ts3()},
                .props = {WP_START, WP_END}, .nprops = 2,
                .prop_types = {type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP, 3)}};
    check_script(&st, hop_slices_script,
                 "+I[a, 1, 1, 2017-11-26 08:52:00.000, 2017-11-26 09:02:00.000]\n"
                 "+I[a, 2, 3, 2017-11-26 08:56:00.000, 2017-11-26 09:06:00.000]\n"
                 "+I[b, 1, 4, 2017-11-26 08:56:00.000, 2017-11-26 09:06:00.000]\n"
                 "WM 2017-11-26 09:05:59.999\n"
                 "+I[a, 4, 27, 2017-11-26 09:00:00.000, 2017-11-26 09:10:00.000]\n"
                 "+I[b, 1, 4, 2017-11-26 09:00:00.000, 2017-11-26 09:10:00.000]\n"
                 "WM 2017-11-26 09:09:59.999\n"
                 "+I[a, 2, 40, 2017-11-26 09:04:00.000, 2017-11-26 09:14:00.000]\n"
                 "+I[b, 1, 4, 2017-11-26 09:04:00.000, 2017-11-26 09:14:00.000]\n"
                 "+I[a, 1, 8, 2017-11-26 09:08:00.000, 2017-11-26 09:18:00.000]\n"
                 "WM max\n",
                 1);
    /* Global, MAX(k): merged accumulators that hold strings. */
    st.global = 1;
    st.max_k = 1;
    check_script(&st, hop_slices_script,
                 "+I[1, a, 2017-11-26 08:52:00.000, 2017-11-26 09:02:00.000]\n"
                 "+I[3, b, 2017-11-26 08:56:00.000, 2017-11-26 09:06:00.000]\n"
                 "WM 2017-11-26 09:05:59.999\n"
                 "+I[5, b, 2017-11-26 09:00:00.000, 2017-11-26 09:10:00.000]\n"
                 "WM 2017-11-26 09:09:59.999\n"
                 "+I[3, b, 2017-11-26 09:04:00.000, 2017-11-26 09:14:00.000]\n"
                 "+I[1, a, 2017-11-26 09:08:00.000, 2017-11-26 09:18:00.000]\n"
                 "WM max\n",
                 1);
}

/* A pseudo-random HOP script over 60 minutes: 20 keys, rows up to 7 minutes behind the
 * watermark (so late for some of their windows but not all), watermarks every minute with
 * a checkpoint before each, some skipped, a 9-minute gap without rows, and deletions from
 * minute 45 on when `deletes`. Lines live in a static pool. */
static const char *random_script_lines[2600];
static char random_script_text[2600][40];

static const char *const *random_hop_script(int deletes)
{
    uint64_t seed = 12345;
    int n = 0;
    for (int m = 0; m < 60; m++) {
        for (int i = 0; i < 30 && (m < 25 || m > 33); i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            uint32_t r = (uint32_t)(seed >> 33);
            int behind = r % 10 == 0 ? (int)(r / 10 % 7) + 1 : 0;
            int minute = m - behind < 0 ? 0 : m - behind;
            int del = deletes && m >= 45 && r % 7 == 0;
            snprintf(random_script_text[n], 40, "%sk%u %u %02d:%02d:%02u", del ? "-" : "", r / 70 % 20,
                     r / 1400 % 100, 9 + minute / 60, minute % 60, r / 140000 % 60);
            random_script_lines[n] = random_script_text[n];
            n++;
        }
        if (m % 5 == 3) continue;
        random_script_lines[n++] = "snap";
        snprintf(random_script_text[n], 40, "wm %02d:%02d:59.999", 9 + m / 60, m % 60);
        random_script_lines[n] = random_script_text[n];
        n++;
    }
    random_script_lines[n++] = "wm max";
    random_script_lines[n] = NULL;
    return random_script_lines;
}

TEST(hop_running_window_matches_merging_every_slice)
{
    /* COUNT(*) and SUM(v) are invertible: windows come from the previous window's groups plus
     * the newer slices minus the expired ones. Restoring a checkpoint starts without that
     * running window, so restoring before every watermark merges every window from all its
     * slices: both must give the same output. 10 minutes sliding 4: 2-minute slices, two
     * expiring per window. */
    setup st = {.w = {.kind = WIN_HOP, .time_col = 2, .size_us = 600 * US_PER_SEC, .slide_us = 240 * US_PER_SEC,
                      .time_type = ts3()},
                .props = {WP_START, WP_END}, .nprops = 2,
                .prop_types = {type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP, 3)}};
    for (int deletes = 0; deletes < 2; deletes++) {
        const char *const *script = random_hop_script(deletes);
        uint64_t late_straight = 0, late_restored = 0;
        char *straight = run_script(&st, script, 0, &late_straight);
        char *restored = run_script(&st, script, 1, &late_restored);
        CHECK_EQ_STR(straight, restored);
        CHECK_EQ_INT(late_straight, late_restored);
        CHECK(late_straight > 0);
        CHECK(strlen(straight) > 20000);
        free(straight);
        free(restored);
    }
    /* one window by hand: [09:04, 09:14) after [09:00, 09:10) with a row late for the first */
    static const char *const script[] = {
        "a 1 09:01", "a 2 09:05", "b 4 09:09", "a 8 09:12",
        "wm 09:09:59.999",           /* fires up to [09:00, 09:10): a 3 (1+2), b 4 */
        "a 16 09:08",                /* late for [09:00, 09:10), counts in [09:04, 09:14) */
        "b 32 09:13",
        "wm 09:13:59.999",
        "-a 8 09:12",                /* a deletion: from now on every window merges its slices */
        "wm max",
        NULL,
    };
    check_script(&st, script,
                 "+I[a, 1, 1, 2017-11-26 08:52:00.000, 2017-11-26 09:02:00.000]\n"
                 "+I[a, 2, 3, 2017-11-26 08:56:00.000, 2017-11-26 09:06:00.000]\n"
                 "+I[a, 2, 3, 2017-11-26 09:00:00.000, 2017-11-26 09:10:00.000]\n"
                 "+I[b, 1, 4, 2017-11-26 09:00:00.000, 2017-11-26 09:10:00.000]\n"
                 "WM 2017-11-26 09:09:59.999\n"
                 "+I[a, 3, 26, 2017-11-26 09:04:00.000, 2017-11-26 09:14:00.000]\n"
                 "+I[b, 2, 36, 2017-11-26 09:04:00.000, 2017-11-26 09:14:00.000]\n"
                 "WM 2017-11-26 09:13:59.999\n"
                 "+I[a, 1, 16, 2017-11-26 09:08:00.000, 2017-11-26 09:18:00.000]\n"
                 "+I[b, 2, 36, 2017-11-26 09:08:00.000, 2017-11-26 09:18:00.000]\n"
                 "+I[b, 1, 32, 2017-11-26 09:12:00.000, 2017-11-26 09:22:00.000]\n"
                 "WM max\n",
                 0);
}

TEST(cumulate)
{
    setup st = {.w = {.kind = WIN_CUMULATE, .time_col = 2, .size_us = 900 * US_PER_SEC, .slide_us = 300 * US_PER_SEC,
                      .time_type = ts3()},
                .props = {WP_START, WP_END}, .nprops = 2,
                .prop_types = {type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP, 3)}};
    static const char *const script[] = {
        "a 1 09:01", "a 2 09:06", "a 3 09:12", "b 5 09:15",
        "wm 09:09:59.999",           /* fires [09:00, 09:05) and [09:00, 09:10) */
        "snap",
        "a 10 09:03",                /* only [09:00, 09:15) is still open */
        "wm max",
        NULL,
    };
    check_script(&st, script,
                 "+I[a, 1, 1, 2017-11-26 09:00:00.000, 2017-11-26 09:05:00.000]\n"
                 "+I[a, 2, 3, 2017-11-26 09:00:00.000, 2017-11-26 09:10:00.000]\n"
                 "WM 2017-11-26 09:09:59.999\n"
                 "+I[a, 4, 16, 2017-11-26 09:00:00.000, 2017-11-26 09:15:00.000]\n"
                 "+I[b, 1, 5, 2017-11-26 09:15:00.000, 2017-11-26 09:20:00.000]\n"
                 "+I[b, 1, 5, 2017-11-26 09:15:00.000, 2017-11-26 09:25:00.000]\n"
                 "+I[b, 1, 5, 2017-11-26 09:15:00.000, 2017-11-26 09:30:00.000]\n"
                 "WM max\n",
                 0);
}

TEST(session_merge_and_late)
{
    setup st = {.w = {.kind = WIN_SESSION, .time_col = 2, .gap_us = 300 * US_PER_SEC, .time_type = ts3()},
                .props = {WP_START, WP_END}, .nprops = 2,
                .prop_types = {type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP, 3)}};
    static const char *const script[] = {
        "a 1 09:00", "a 2 09:03",    /* a: [09:00, 09:08) */
        "b 3 09:01",                 /* b: [09:01, 09:06) */
        "a 4 09:20",                 /* a: [09:20, 09:25) */
        "a 5 09:12",                 /* a: [09:12, 09:17) */
        "wm 09:07:59.999",           /* fires b then a[09:00, 09:08) */
        "a 6 09:02",                 /* [09:02, 09:07) is complete and merges with nothing: late */
        "snap",
        "a 9 09:05",                 /* [09:05, 09:10) is not complete: a new session */
        "a 7 09:16",                 /* bridges [09:12, 09:17) and [09:20, 09:25) */
        "b 10 09:30", "b 20 09:35",  /* touching: one session [09:30, 09:40) */
        "wm max",
        NULL,
    };
    check_script(&st, script,
                 "+I[b, 1, 3, 2017-11-26 09:01:00.000, 2017-11-26 09:06:00.000]\n"
                 "+I[a, 2, 3, 2017-11-26 09:00:00.000, 2017-11-26 09:08:00.000]\n"
                 "WM 2017-11-26 09:07:59.999\n"
                 "+I[a, 1, 9, 2017-11-26 09:05:00.000, 2017-11-26 09:10:00.000]\n"
                 "+I[a, 3, 16, 2017-11-26 09:12:00.000, 2017-11-26 09:25:00.000]\n"
                 "+I[b, 2, 30, 2017-11-26 09:30:00.000, 2017-11-26 09:40:00.000]\n"
                 "WM max\n",
                 1);
}

TEST(global_session_with_long_strings)
{
    setup st = {.global = 1, .max_k = 1,
                .w = {.kind = WIN_SESSION, .time_col = 2, .gap_us = 60 * US_PER_SEC, .time_type = ts3()},
                .props = {WP_START, WP_END}, .nprops = 2,
                .prop_types = {type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP, 3)}};
    static const char *const script[] = {
        "a-string-longer-than-twelve-bytes 1 09:00:30",
        "zz-another-long-string-value 1 09:01",
        "short 1 09:10",
        "snap",
        "b-string-longer-than-twelve-bytes 1 09:00:45",
        "wm 09:05",
        "snap",
        "c-string-longer-than-twelve-bytes 1 09:10:30",
        "wm max",
        NULL,
    };
    check_script(&st, script,
                 "+I[3, zz-another-long-string-value, 2017-11-26 09:00:30.000, 2017-11-26 09:02:00.000]\n"
                 "WM 2017-11-26 09:05:00.000\n"
                 "+I[2, short, 2017-11-26 09:10:00.000, 2017-11-26 09:11:30.000]\n"
                 "WM max\n",
                 0);
}

TEST(ltz_day_windows_start_at_local_midnight)
{
    type_t ltz = type_timestamp(TY_TIMESTAMP_LTZ, 3);
    ltz.attr = TA_ROWTIME;
    setup st = {.w = {.kind = WIN_TUMBLE, .time_col = 2, .size_us = US_PER_DAY, .time_type = ltz},
                .props = {WP_START, WP_END, WP_TIME}, .nprops = 3,
                .prop_types = {type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP, 3), ltz}};
    const tz_t *shanghai = tz_get("Asia/Shanghai", NULL, 0);
    ctx.local_tz = shanghai;
    /* Instants in UTC: 2017-11-25 16:30Z is 00:30 on the 26th in Shanghai. */
    static const char *const script[] = {
        "a 1 2017-11-25_16:30", "a 2 2017-11-26_15:59:59.999", "a 4 2017-11-26_16:00",
        "wm 2017-11-26_15:59:59.998",
        "snap",
        "wm 2017-11-26_15:59:59.999",
        "wm max",
        NULL,
    };
    /* window_time is an LTZ instant: printed here in UTC (the value's session zone). */
    check_script(&st, script,
                 "WM 2017-11-26 15:59:59.998\n"
                 "+I[a, 2, 3, 2017-11-26 00:00:00.000, 2017-11-27 00:00:00.000, 2017-11-26 15:59:59.999]\n"
                 "WM 2017-11-26 15:59:59.999\n"
                 "+I[a, 1, 4, 2017-11-27 00:00:00.000, 2017-11-28 00:00:00.000, 2017-11-27 15:59:59.999]\n"
                 "WM max\n",
                 0);
    ctx.local_tz = tz_get("UTC", NULL, 0);
}

TEST(timestamp_windows_ignore_the_zone)
{
    setup st = {.w = {.kind = WIN_TUMBLE, .time_col = 2, .size_us = US_PER_DAY, .time_type = ts3()},
                .props = {WP_START}, .nprops = 1, .prop_types = {type_timestamp(TY_TIMESTAMP, 3)}};
    ctx.local_tz = tz_get("Asia/Shanghai", NULL, 0);
    static const char *const script[] = {"a 1 2017-11-25_23:30", "a 2 2017-11-26_00:30", "wm max", NULL};
    check_script(&st, script,
                 "+I[a, 1, 1, 2017-11-25 00:00:00.000]\n"
                 "+I[a, 1, 2, 2017-11-26 00:00:00.000]\n"
                 "WM max\n",
                 0);
    ctx.local_tz = tz_get("UTC", NULL, 0);
}

TEST(proctime_windows_fire_on_the_clock)
{
    type_t pt = type_timestamp(TY_TIMESTAMP_LTZ, 3);
    pt.attr = TA_PROCTIME;
    setup st = {.w = {.kind = WIN_TUMBLE, .time_col = 2, .proctime = 1, .size_us = 60 * US_PER_SEC, .time_type = pt},
                .props = {WP_START, WP_END}, .nprops = 2,
                .prop_types = {type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP, 3)}};
    static const char *const script[] = {
        "clock 10:00:10", "a 1 01:00",      /* the time column is ignored */
        "clock 10:00:50", "a 2 01:00", "b 3 01:00",
        "timer 10:00:59.999",               /* not yet */
        "wm 23:00",                         /* watermarks do not fire processing-time windows */
        "snap",
        "clock 10:01:05", "a 4 01:00",
        "timer 10:01",                      /* fires [10:00, 10:01) */
        "finish",                           /* fires the rest */
        NULL,
    };
    check_script(&st, script,
                 "WM 2017-11-26 23:00:00.000\n"
                 "+I[a, 2, 3, 2017-11-26 10:00:00.000, 2017-11-26 10:01:00.000]\n"
                 "+I[b, 1, 3, 2017-11-26 10:00:00.000, 2017-11-26 10:01:00.000]\n"
                 "+I[a, 1, 4, 2017-11-26 10:01:00.000, 2017-11-26 10:02:00.000]\n",
                 0);
}

TEST(proctime_session)
{
    type_t pt = type_timestamp(TY_TIMESTAMP_LTZ, 3);
    pt.attr = TA_PROCTIME;
    setup st = {.w = {.kind = WIN_SESSION, .time_col = 2, .proctime = 1, .gap_us = 10 * US_PER_SEC, .time_type = pt},
                .props = {WP_START, WP_END}, .nprops = 2,
                .prop_types = {type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP, 3)}};
    static const char *const script[] = {
        "clock 10:00:00", "a 1 01:00",
        "clock 10:00:08", "a 2 01:00",
        "timer 10:00:17.999",
        "snap",
        "timer 10:00:18",
        "clock 10:00:30", "a 4 01:00",
        "finish",
        NULL,
    };
    check_script(&st, script,
                 "+I[a, 2, 3, 2017-11-26 10:00:00.000, 2017-11-26 10:00:18.000]\n"
                 "+I[a, 1, 4, 2017-11-26 10:00:30.000, 2017-11-26 10:00:40.000]\n",
                 0);
}

TEST(many_rows_and_selection_vector)
{
    setup st = {.w = {.kind = WIN_HOP, .time_col = 2, .size_us = 3600 * US_PER_SEC, .slide_us = 300 * US_PER_SEC,
                      .time_type = ts3()},
                .props = {WP_END}, .nprops = 1, .prop_types = {type_timestamp(TY_TIMESTAMP, 3)}};
    op_t *op = make_op(&st);
    capture *cap = cap_new(&ctx);
    op_connect(op, &cap->op, 0);
    schema_t in = in_schema(ts3());
    chunk_t *c = chunk_new(&in, CHUNK_CAP);
    /* 3000 rows, one per second from 09:00:00, keys k0..k2; every other row selected. */
    for (int i = 0; i < 3000; i++) {
        char key[8];
        snprintf(key, sizeof key, "k%d", i % 3);
        value_t vals[3] = {{.s = str_cstr(key)}, value_i64(1), value_i64(ts("09:00") + i * US_PER_SEC)};
        chunk_append_values(c, vals, OP_INSERT);
        if (chunk_full(c) || i == 2999) {
            c->sel = xcalloc(CHUNK_CAP, sizeof *c->sel);
            c->nsel = 0;
            for (uint32_t r = 0; r < c->nrows; r += 2) c->sel[c->nsel++] = (uint16_t)r;
            CHECK(op_push(op, 0, c) == 0);
            chunk_reset(c);
        }
    }
    CHECK(op_watermark_in(op, 0, TS_MAX) == 0);
    /* 1500 selected rows (even seconds 0..2998 of 09:00..09:49:58), 12 windows each. Windows
     * ending 09:05..10:45 step 5 min: 21 ends x 3 keys. */
    const char *text = sb_str(&cap->text);
    int lines = 0;
    for (const char *p = text; *p; p++) lines += *p == '\n';
    CHECK_EQ_INT(lines, 21 * 3 + 1);
    /* the window ending 09:05 holds seconds 0..298 even: keys alternate by row index i % 3 */
    CHECK(strstr(text, "+I[k0, 50, 50, 2017-11-26 09:05:00.000]\n") != NULL);
    CHECK(strstr(text, "+I[k1, 50, 50, 2017-11-26 09:05:00.000]\n") != NULL);
    CHECK(strstr(text, "+I[k0, 500, 500, 2017-11-26 09:50:00.000]\n") != NULL);
    CHECK_EQ_INT(op->stats.late, 0);
    chunk_free(c);
    schema_free(&in);
    op_destroy(&cap->op);
    op_destroy(op);
}

TEST(long_session_spans_pages)
{
    setup st = {.w = {.kind = WIN_SESSION, .time_col = 2, .gap_us = 10 * US_PER_SEC, .time_type = ts3()},
                .props = {WP_START, WP_END}, .nprops = 2,
                .prop_types = {type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP, 3)}};
    op_t *op = make_op(&st);
    capture *cap = cap_new(&ctx);
    op_connect(op, &cap->op, 0);
    schema_t in = in_schema(ts3());
    chunk_t *c = chunk_new(&in, CHUNK_CAP);
    /* key a: 3000 rows one second apart (one session); key b: a row every 20 s (one each) */
    for (int i = 0; i < 3000; i++) {
        value_t vals[3] = {{.s = str_cstr(i % 1000 == 999 ? "b" : "a")}, value_i64(i), value_i64(ts("09:00") + i * US_PER_SEC)};
        chunk_append_values(c, vals, OP_INSERT);
        if (chunk_full(c)) { CHECK(op_push(op, 0, c) == 0); chunk_reset(c); }
    }
    CHECK(op_push(op, 0, c) == 0);
    CHECK(op_watermark_in(op, 0, TS_MAX) == 0);
    CHECK_EQ_STR(sb_str(&cap->text),
                 "+I[b, 1, 999, 2017-11-26 09:16:39.000, 2017-11-26 09:16:49.000]\n"
                 "+I[b, 1, 1999, 2017-11-26 09:33:19.000, 2017-11-26 09:33:29.000]\n"
                 "+I[a, 2997, 4492503, 2017-11-26 09:00:00.000, 2017-11-26 09:50:08.000]\n"
                 "+I[b, 1, 2999, 2017-11-26 09:49:59.000, 2017-11-26 09:50:09.000]\n"
                 "WM max\n");
    chunk_free(c);
    schema_free(&in);
    op_destroy(&cap->op);
    op_destroy(op);
}

/* ---- ordering, key entries and rings (fixed windows) ---- */

/* COUNT(*) grouped by input column key_col (0: k STRING, 1: v BIGINT), with window_end. */
static op_t *make_count_op(const window_spec *w, int key_col)
{
    agg_call count;
    memset(&count, 0, sizeof count);
    count.def = agg_lookup("COUNT");
    count.arg_type = type_make(TY_NULL);
    count.result_type = type_make(TY_BIGINT);
    count.arg_col = -1;
    count.filter_col = -1;
    static agg_call calls_kept[1];
    calls_kept[0] = count;
    schema_t out;
    schema_init(&out, 3);
    out.types[0] = type_make(key_col ? TY_BIGINT : TY_STRING);
    out.types[1] = type_make(TY_BIGINT);
    out.types[2] = type_timestamp(TY_TIMESTAMP, 3);
    out.names[0] = xstrdup("key");
    out.names[1] = xstrdup("cnt");
    out.names[2] = xstrdup("window_end");
    int keys[1] = {key_col};
    window_prop props[1] = {WP_END};
    op_t *op = window_agg_new(&ctx, &out, w, keys, 1, calls_kept, 1, props, 1);
    schema_free(&out);
    return op;
}

/* Push (k, v, t) rows as chunks of at most `per_chunk` rows. */
static void push_rows(op_t *op, int n, int per_chunk, void (*row)(int i, value_t vals[3]))
{
    schema_t in = in_schema(ts3());
    chunk_t *c = chunk_new(&in, CHUNK_CAP);
    char buf[64];
    for (int i = 0; i < n; i++) {
        value_t vals[3];
        row(i, vals);
        if (!vals[0].null) {                 /* the key text lives in buf only for this row */
            snprintf(buf, sizeof buf, "%.*s", (int)vals[0].s.len, str_ptr(&vals[0].s));
            vals[0].s = str_cstr(buf);
        }
        chunk_append_values(c, vals, OP_INSERT);
        if (c->nrows == (uint32_t)per_chunk || i == n - 1) {
            CHECK(op_push(op, 0, c) == 0);
            chunk_reset(c);
        }
    }
    chunk_free(c);
    schema_free(&in);
}

static int64_t int_key(int i)
{
    int64_t k = (int64_t)((i * 7919) % 2000) - 1000;      /* -1000 .. 999, each twice */
    return k * 1000003;
}

static void int_key_row(int i, value_t vals[3])
{
    vals[0] = (value_t){.s = str_cstr("x")};
    vals[1] = i % 500 == 7 ? value_null() : value_i64(int_key(i));
    vals[2] = value_i64(ts("09:00") + (i % 60) * US_PER_SEC);
}

TEST(many_integer_keys_come_out_in_key_order)
{
    /* 4000 rows, 2000 keys (each twice; NULL for rows i % 500 == 7) in one window: more
     * keys than the insertion sort handles; negative and positive keys, so the sorted bytes
     * span more than 64 bits (the wide radix sort) */
    window_spec w = {.kind = WIN_TUMBLE, .time_col = 2, .size_us = 600 * US_PER_SEC, .time_type = ts3()};
    op_t *op = make_count_op(&w, 1);
    capture *cap = cap_new(&ctx);
    op_connect(op, &cap->op, 0);
    push_rows(op, 4000, 1000, int_key_row);
    CHECK(op_watermark_in(op, 0, TS_MAX) == 0);
    sb_t want = {0};
    sb_puts(&want, "+I[NULL, 8, 2017-11-26 09:10:00.000]\n");
    for (int64_t k = -1000; k < 1000; k++) {
        int n = 0;
        for (int i = 0; i < 4000; i++) n += i % 500 != 7 && int_key(i) == k * 1000003;
        if (n) sb_printf(&want, "+I[%lld, %d, 2017-11-26 09:10:00.000]\n", (long long)(k * 1000003), n);
    }
    sb_puts(&want, "WM max\n");
    CHECK_EQ_STR(sb_str(&cap->text), sb_str(&want));
    sb_free(&want);
    op_destroy(&cap->op);
    op_destroy(op);
}

static void small_key_row(int i, value_t vals[3])
{
    vals[0] = (value_t){.s = str_cstr("x")};
    vals[1] = value_i64((i * 37) % 3000);              /* 0 .. 2999, a permutation */
    vals[2] = value_i64(ts("09:00") + (i % 600) * US_PER_SEC);
}

TEST(packed_key_order_across_hop_windows)
{
    /* non-negative keys below 2^12 differ in 12 bits: the packed radix sort; every row is in
     * two HOP windows */
    window_spec w = {.kind = WIN_HOP, .time_col = 2, .size_us = 600 * US_PER_SEC, .slide_us = 300 * US_PER_SEC,
                     .time_type = ts3()};
    op_t *op = make_count_op(&w, 1);
    capture *cap = cap_new(&ctx);
    op_connect(op, &cap->op, 0);
    push_rows(op, 3000, 700, small_key_row);
    CHECK(op_watermark_in(op, 0, TS_MAX) == 0);
    /* rows i % 600 < 300 are in [08:55, 09:05) and [09:00, 09:10); the others in
     * [09:00, 09:10) and [09:05, 09:15) */
    sb_t want = {0};
    const char *ends[3] = {"09:05", "09:10", "09:15"};
    for (int e = 0; e < 3; e++)
        for (int key = 0; key < 3000; key++) {
            int i = 0;
            while ((i * 37) % 3000 != key) i++;
            int early = i % 600 < 300;
            if ((e == 0 && early) || e == 1 || (e == 2 && !early))
                sb_printf(&want, "+I[%d, 1, 2017-11-26 %s:00.000]\n", key, ends[e]);
        }
    sb_puts(&want, "WM max\n");
    CHECK_EQ_STR(sb_str(&cap->text), sb_str(&want));
    sb_free(&want);
    op_destroy(&cap->op);
    op_destroy(op);
}

static void long_key_row(int i, value_t vals[3])
{
    static char key[64];
    /* 28-byte keys, stored out of line: "a-" or "b-", then 20 shared bytes, so that the
     * 16-byte prefixes differ in one byte and tie within each half */
    int k = (i * 13) % 40;
    snprintf(key, sizeof key, "%c-shared-prefix-of-20b-%05d", 'a' + k % 2, k);
    vals[0] = (value_t){.s = str_cstr(key)};
    vals[1] = value_i64(i);
    vals[2] = value_i64(ts("09:00") + i * US_PER_SEC);
}

TEST(long_string_keys_with_equal_prefixes)
{
    window_spec w = {.kind = WIN_TUMBLE, .time_col = 2, .size_us = 600 * US_PER_SEC, .time_type = ts3()};
    op_t *op = make_count_op(&w, 0);
    capture *cap = cap_new(&ctx);
    op_connect(op, &cap->op, 0);
    push_rows(op, 120, 50, long_key_row);
    CHECK(op_watermark_in(op, 0, TS_MAX) == 0);
    sb_t want = {0};
    for (int k = 0; k < 80; k++)
        if (k % 2 == k / 40) sb_printf(&want, "+I[%c-shared-prefix-of-20b-%05d, 3, 2017-11-26 09:10:00.000]\n", 'a' + k / 40, k % 40);
    sb_puts(&want, "WM max\n");
    CHECK_EQ_STR(sb_str(&cap->text), sb_str(&want));
    sb_free(&want);
    op_destroy(&cap->op);
    op_destroy(op);
}

static void spread_row(int i, value_t vals[3])
{
    /* key "a": one row in each of 40 one-minute windows; key "b" in every other one */
    vals[0] = (value_t){.s = str_cstr(i < 40 ? "a" : "b")};
    vals[1] = value_i64(i);
    vals[2] = value_i64(ts("09:00") + (i < 40 ? i : 2 * (i - 40)) * 60 * US_PER_SEC + 30 * US_PER_SEC);
}

TEST(a_key_with_many_open_windows_grows_its_ring)
{
    /* no watermark until the end: key "a" has 40 open windows at once (the ring starts with 2
     * slots for TUMBLE); then every window fires with the right count */
    window_spec w = {.kind = WIN_TUMBLE, .time_col = 2, .size_us = 60 * US_PER_SEC, .time_type = ts3()};
    op_t *op = make_count_op(&w, 0);
    capture *cap = cap_new(&ctx);
    op_connect(op, &cap->op, 0);
    push_rows(op, 60, 7, spread_row);
    snap_writer sw = {0};                      /* and through a checkpoint */
    CHECK(op->vt->snapshot(op, &sw) == 0);
    op_destroy(op);
    op = make_count_op(&w, 0);
    op_connect(op, &cap->op, 0);
    snap_reader rd;
    snap_reader_init(&rd, sw.buf, sw.len);
    CHECK(op->vt->restore(op, &rd) == 0);
    snap_writer_free(&sw);
    CHECK(op_watermark_in(op, 0, TS_MAX) == 0);
    sb_t want = {0};
    for (int m = 0; m < 40; m++) {
        sb_printf(&want, "+I[a, 1, 2017-11-26 09:%02d:00.000]\n", m + 1);
        if (m % 2 == 0) sb_printf(&want, "+I[b, 1, 2017-11-26 09:%02d:00.000]\n", m + 1);
    }
    sb_puts(&want, "WM max\n");
    CHECK_EQ_STR(sb_str(&cap->text), sb_str(&want));
    sb_free(&want);
    op_destroy(&cap->op);
    op_destroy(op);
}

static int churn_minute;

static void churn_row(int i, value_t vals[3])
{
    /* minute m: keys "h0".."h9" (hot, every minute) and "c<m>-0".."c<m>-29" (seen once) */
    char key[32];
    if (i < 10) snprintf(key, sizeof key, "h%d", i);
    else snprintf(key, sizeof key, "c%d-%d", churn_minute, i - 10);
    vals[0] = (value_t){.s = str_cstr(key)};
    vals[1] = value_i64(1);
    vals[2] = value_i64(ts("09:00") + churn_minute * 60 * US_PER_SEC + i * US_PER_SEC);
}

TEST(key_entries_are_freed_and_reused_as_windows_fire)
{
    /* HOP 3 min / 1 min over 30 minutes with the watermark following: keys seen once die
     * 3 windows later and their entries (with rings of fired windows) serve new keys */
    window_spec w = {.kind = WIN_HOP, .time_col = 2, .size_us = 180 * US_PER_SEC, .slide_us = 60 * US_PER_SEC,
                     .time_type = ts3()};
    op_t *op = make_count_op(&w, 0);
    capture *cap = cap_new(&ctx);
    op_connect(op, &cap->op, 0);
    for (churn_minute = 0; churn_minute < 30; churn_minute++) {
        push_rows(op, 40, 40, churn_row);
        CHECK(op_watermark_in(op, 0, ts("09:00") + (churn_minute + 1) * 60 * US_PER_SEC - US_PER_MS) == 0);
    }
    CHECK(op_watermark_in(op, 0, TS_MAX) == 0);
    const char *text = sb_str(&cap->text);
    /* the window ending 09:10 holds minutes 7, 8, 9: hot keys 3 times, 90 keys once */
    CHECK(strstr(text, "+I[h3, 3, 2017-11-26 09:10:00.000]\n") != NULL);
    CHECK(strstr(text, "+I[c7-5, 1, 2017-11-26 09:10:00.000]\n+I[c7-6, 1, 2017-11-26 09:10:00.000]\n") != NULL);
    CHECK(strstr(text, "+I[c6-5, 1, 2017-11-26 09:10:00.000]\n") == NULL);
    /* the first window (ending 09:01) and the last (ending 09:32) hold one minute each */
    CHECK(strstr(text, "+I[h0, 1, 2017-11-26 09:01:00.000]\n") != NULL);
    CHECK(strstr(text, "+I[h9, 1, 2017-11-26 09:32:00.000]\n") != NULL);
    int lines = 0;
    for (const char *p = text; *p; p++) lines += *p == '\n';
    /* 32 windows: 10 hot keys each, and 30 once-seen keys of each of its minutes (1-3) */
    CHECK_EQ_INT(lines, 32 * 10 + 30 * 3 * 30 + 31);
    CHECK_EQ_INT(op->stats.late, 0);
    op_destroy(&cap->op);
    op_destroy(op);
}

TEST(double_keys_in_value_order)
{
    /* NULL first, -0.0 and 0.0 one group, NaN last */
    window_spec w = {.kind = WIN_TUMBLE, .time_col = 1, .size_us = 600 * US_PER_SEC, .time_type = ts3()};
    agg_call count;
    memset(&count, 0, sizeof count);
    count.def = agg_lookup("COUNT");
    count.arg_type = type_make(TY_NULL);
    count.result_type = type_make(TY_BIGINT);
    count.arg_col = -1;
    count.filter_col = -1;
    schema_t out;
    schema_init(&out, 2);
    out.types[0] = type_make(TY_DOUBLE);
    out.types[1] = type_make(TY_BIGINT);
    out.names[0] = xstrdup("d");
    out.names[1] = xstrdup("cnt");
    int keys[1] = {0};
    op_t *op = window_agg_new(&ctx, &out, &w, keys, 1, &count, 1, NULL, 0);
    schema_free(&out);
    capture *cap = cap_new(&ctx);
    op_connect(op, &cap->op, 0);
    type_t types[2] = {type_make(TY_DOUBLE), ts3()};
    chunk_t *c = chunk_new_types(2, types, CHUNK_CAP);
    double ds[] = {2.25, __builtin_nan(""), -0.0, -1.5, 0.0, 2.25, -__builtin_nan("")};
    for (int i = 0; i < 8; i++) {
        value_t vals[2] = {i == 7 ? value_null() : value_f64(ds[i]), value_i64(ts("09:00"))};
        chunk_append_values(c, vals, OP_INSERT);
    }
    CHECK(op_push(op, 0, c) == 0);
    CHECK(op_watermark_in(op, 0, TS_MAX) == 0);
    CHECK_EQ_STR(sb_str(&cap->text), "+I[NULL, 1]\n+I[-1.5, 1]\n+I[0.0, 2]\n+I[2.25, 2]\n+I[NaN, 2]\nWM max\n");
    chunk_free(c);
    op_destroy(&cap->op);
    op_destroy(op);
}

TEST(proctime_row_of_a_fired_window_is_late)
{
    /* a processing-time window never opens again once it fired: a row stamped with an
     * earlier clock reading (a clock set back) is late */
    type_t pt = type_timestamp(TY_TIMESTAMP_LTZ, 3);
    pt.attr = TA_PROCTIME;
    setup st = {.w = {.kind = WIN_TUMBLE, .time_col = 2, .proctime = 1, .size_us = 60 * US_PER_SEC, .time_type = pt},
                .props = {WP_START, WP_END}, .nprops = 2,
                .prop_types = {type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP, 3)}};
    static const char *const script[] = {
        "clock 10:00:10", "a 1 01:00",
        "timer 10:01",                      /* fires [10:00, 10:01) */
        "clock 10:00:20", "a 2 01:00",      /* the clock went back: late */
        "clock 10:01:20", "a 4 01:00",
        "finish",
        NULL,
    };
    check_script(&st, script,
                 "+I[a, 1, 1, 2017-11-26 10:00:00.000, 2017-11-26 10:01:00.000]\n"
                 "+I[a, 1, 4, 2017-11-26 10:01:00.000, 2017-11-26 10:02:00.000]\n",
                 1);
}

TEST(explain_and_bad_spec)
{
    setup st = {.w = {.kind = WIN_HOP, .time_col = 2, .size_us = 3600 * US_PER_SEC, .slide_us = 300 * US_PER_SEC,
                      .time_type = ts3()},
                .props = {WP_START}, .nprops = 1, .prop_types = {type_timestamp(TY_TIMESTAMP, 3)}};
    op_t *op = make_op(&st);
    sb_t sb = {0};
    op->vt->explain(op, &sb);
    CHECK_EQ_STR(sb_str(&sb), "window=HOP(size=1 h, slide=5 min), time=$2 TIMESTAMP(3) *ROWTIME*, keys=[k], "
                              "aggs=[COUNT(*), SUM($1)], props=[window_start]");
    sb_free(&sb);
    op_destroy(op);
    setup bad = st;
    bad.w.kind = WIN_CUMULATE;
    bad.w.slide_us = 7 * 60 * US_PER_SEC;
    err_clear();
    CHECK(make_op(&bad) == NULL);
    CHECK_EQ_STR(err_message(), "WindowAggregate: CUMULATE max size must be a positive multiple of the step");
    err_clear();
}

/* ---- top-N pushed into the aggregation ---- */

static const char *const topn_script[] = {
    "a 1 09:01", "b 1 09:02", "b 1 09:03", "b 1 09:03", "c 5 09:04", "c 1 09:04", "c 1 09:05",
    "d 1 09:06", "d 1 09:06", "null 1 09:07", "e 2 09:08", "e 1 09:08", "e 1 09:09",
    "snap",
    "f 1 09:12", "g 1 09:13", "g 1 09:13",
    "wm max",
    NULL,
};

TEST(topn_keeps_the_best_rows_in_emission_order)
{
    /* counts: NULL 1, a 1, b 3, c 3, d 2, e 3 in [09:00, 09:10); f 1, g 2 in [09:10, 09:20).
     * Top 2 by cnt DESC: b and c (e ties with them and comes later in key order); emitted
     * in key order. The second window has fewer rows than the limit. */
    static const sort_key order[] = {{1, 1, 0}};
    setup st = {.w = {.kind = WIN_TUMBLE, .time_col = 2, .size_us = 600 * US_PER_SEC, .time_type = ts3()},
                .props = {WP_END}, .nprops = 1, .prop_types = {type_timestamp(TY_TIMESTAMP, 3)},
                .topn = {NULL, 0, order, 1, 2}};
    check_script(&st, topn_script,
                 "+I[b, 3, 3, 2017-11-26 09:10:00.000]\n"
                 "+I[c, 3, 7, 2017-11-26 09:10:00.000]\n"
                 "+I[f, 1, 1, 2017-11-26 09:20:00.000]\n"
                 "+I[g, 2, 2, 2017-11-26 09:20:00.000]\n"
                 "WM max\n",
                 0);
    /* Top 3 by cnt DESC, total ASC: b (3, 3), e (3, 4), c (3, 7) */
    static const sort_key order2[] = {{1, 1, 0}, {2, 0, 0}};
    st.topn = (window_topn){NULL, 0, order2, 2, 3};
    check_script(&st, topn_script,
                 "+I[b, 3, 3, 2017-11-26 09:10:00.000]\n"
                 "+I[c, 3, 7, 2017-11-26 09:10:00.000]\n"
                 "+I[e, 3, 4, 2017-11-26 09:10:00.000]\n"
                 "+I[f, 1, 1, 2017-11-26 09:20:00.000]\n"
                 "+I[g, 2, 2, 2017-11-26 09:20:00.000]\n"
                 "WM max\n",
                 0);
}

TEST(topn_nulls_and_partitions)
{
    /* MAX(k) ASC with NULLs last: a, b, c (NULL's group has max_k NULL and would come first
     * if NULLs came first) */
    static const sort_key last[] = {{2, 0, 0}};
    setup st = {.max_k = 1, .w = {.kind = WIN_TUMBLE, .time_col = 2, .size_us = 600 * US_PER_SEC, .time_type = ts3()},
                .props = {WP_END}, .nprops = 1, .prop_types = {type_timestamp(TY_TIMESTAMP, 3)},
                .topn = {NULL, 0, last, 1, 3}};
    static const char *const script[] = {"b 1 09:01", "null 1 09:02", "c 1 09:03", "a 1 09:04", "d 1 09:05",
                                         "wm max", NULL};
    check_script(&st, script,
                 "+I[a, 1, a, 2017-11-26 09:10:00.000]\n"
                 "+I[b, 1, b, 2017-11-26 09:10:00.000]\n"
                 "+I[c, 1, c, 2017-11-26 09:10:00.000]\n"
                 "WM max\n",
                 0);
    static const sort_key first[] = {{2, 0, 1}};
    st.topn.order = first;
    check_script(&st, script,
                 "+I[NULL, 1, NULL, 2017-11-26 09:10:00.000]\n"
                 "+I[a, 1, a, 2017-11-26 09:10:00.000]\n"
                 "+I[b, 1, b, 2017-11-26 09:10:00.000]\n"
                 "WM max\n",
                 0);
    /* partitioned by the key: every group is alone in its partition, all are kept */
    static const int part[] = {0};
    st.topn = (window_topn){part, 1, first, 1, 1};
    check_script(&st, script,
                 "+I[NULL, 1, NULL, 2017-11-26 09:10:00.000]\n"
                 "+I[a, 1, a, 2017-11-26 09:10:00.000]\n"
                 "+I[b, 1, b, 2017-11-26 09:10:00.000]\n"
                 "+I[c, 1, c, 2017-11-26 09:10:00.000]\n"
                 "+I[d, 1, d, 2017-11-26 09:10:00.000]\n"
                 "WM max\n",
                 0);
    st.w = (window_spec){.kind = WIN_SESSION, .time_col = 2, .gap_us = 60 * US_PER_SEC, .time_type = ts3()};
    st.topn.limit = 0;
    op_t *op = make_op(&st);
    err_clear();
    CHECK(window_agg_set_topn(op, &(window_topn){NULL, 0, first, 1, 1}) == -1);
    CHECK_EQ_STR(err_message(), "a Top-N can be pushed into TUMBLE, HOP and CUMULATE window aggregations, not SESSION");
    err_clear();
    op_destroy(op);
}

static void topn_key_row(int i, value_t vals[3])
{
    vals[0] = (value_t){.s = str_cstr("x")};
    vals[1] = value_i64(i % 2500);                      /* key k has 2 + (k < 1000) rows */
    if (i >= 5000) vals[1] = value_i64(i - 5000);
    vals[2] = value_i64(ts("09:00") + (i % 600) * US_PER_SEC);
}

TEST(topn_over_hop_windows_with_many_groups)
{
    /* 6000 rows: keys 0..2499 twice, keys 0..999 once more; every row in two HOP windows of
     * ~2500 groups each, more than a chunk, so the stage fills several times. Top 3 by
     * cnt DESC: the three smallest keys with the highest count in each window. */
    window_spec w = {.kind = WIN_HOP, .time_col = 2, .size_us = 600 * US_PER_SEC, .slide_us = 300 * US_PER_SEC,
                     .time_type = ts3()};
    int cnt[3][2500] = {{0}};
    for (int i = 0; i < 6000; i++) {
        value_t v[3];
        topn_key_row(i, v);
        int early = i % 600 < 300;
        cnt[early ? 0 : 2][v[1].i]++;
        cnt[1][v[1].i]++;
    }
    static const char *const ends[3] = {"09:05", "09:10", "09:15"};
    sb_t want = {0};
    for (int e = 0; e < 3; e++) {
        int best[3] = {-1, -1, -1};
        for (int k = 0; k < 2500; k++)
            for (int j = 0; j < 3; j++)
                if (best[j] < 0 || cnt[e][k] > cnt[e][best[j]]) {
                    for (int m = 2; m > j; m--) best[m] = best[m - 1];
                    best[j] = k;
                    break;
                }
        for (int k = 0; k < 2500; k++)
            if (k == best[0] || k == best[1] || k == best[2])
                sb_printf(&want, "+I[%d, %d, 2017-11-26 %s:00.000]\n", k, cnt[e][k], ends[e]);
    }
    sb_puts(&want, "WM max\n");
    op_t *op = make_count_op(&w, 1);
    static const sort_key order[] = {{1, 1, 0}};
    CHECK(window_agg_set_topn(op, &(window_topn){NULL, 0, order, 1, 3}) == 0);
    capture *cap = cap_new(&ctx);
    op_connect(op, &cap->op, 0);
    push_rows(op, 6000, 1000, topn_key_row);
    CHECK(op_watermark_in(op, 0, TS_MAX) == 0);
    CHECK_EQ_STR(sb_str(&cap->text), sb_str(&want));
    sb_free(&want);
    op_destroy(&cap->op);
    op_destroy(op);
}

/* Random counts: 3000 keys with 1 to ~12 rows each, skewed, spread over 20 minutes of HOP
 * windows (10 min, slide 5 min); the Top-5 of every window against a brute-force count. The
 * windows hold far more groups than a chunk and the Top-N list fills early, so groups that
 * rank below its last row are rejected before they are written. */
static uint32_t random_key_of_row[20000];

static void random_topn_row(int i, value_t vals[3])
{
    vals[0] = (value_t){.s = str_cstr("x")};
    vals[1] = value_i64(random_key_of_row[i]);
    vals[2] = value_i64(ts("09:00") + (int64_t)(i % 1200) * US_PER_SEC);
}

TEST(topn_over_hop_windows_with_random_counts)
{
    window_spec w = {.kind = WIN_HOP, .time_col = 2, .size_us = 600 * US_PER_SEC, .slide_us = 300 * US_PER_SEC,
                     .time_type = ts3()};
    static int cnt[5][3000];
    memset(cnt, 0, sizeof cnt);
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        uint32_t k = (uint32_t)(x % 3000);
        if (x % 5 == 0) k %= 40;                          /* a few hot keys */
        random_key_of_row[i] = k;
        int slice = (i % 1200) / 300;                     /* 5-minute slice 0..3 */
        for (int e = 0; e < 5; e++)                       /* window e ends at 09:05 + 5e min */
            if (slice == e || slice == e - 1) cnt[e][k]++;
    }
    static const char *const ends[5] = {"09:05", "09:10", "09:15", "09:20", "09:25"};
    sb_t want = {0};
    for (int e = 0; e < 5; e++) {
        int best[5] = {-1, -1, -1, -1, -1};
        for (int k = 0; k < 3000; k++) {
            if (!cnt[e][k]) continue;
            for (int j = 0; j < 5; j++)
                if (best[j] < 0 || cnt[e][k] > cnt[e][best[j]]) {
                    for (int m = 4; m > j; m--) best[m] = best[m - 1];
                    best[j] = k;
                    break;
                }
        }
        for (int k = 0; k < 3000; k++)
            for (int j = 0; j < 5; j++)
                if (k == best[j]) sb_printf(&want, "+I[%d, %d, 2017-11-26 %s:00.000]\n", k, cnt[e][k], ends[e]);
    }
    sb_puts(&want, "WM max\n");
    op_t *op = make_count_op(&w, 1);
    static const sort_key order[] = {{1, 1, 0}};
    CHECK(window_agg_set_topn(op, &(window_topn){NULL, 0, order, 1, 5}) == 0);
    capture *cap = cap_new(&ctx);
    op_connect(op, &cap->op, 0);
    push_rows(op, 20000, 700, random_topn_row);
    CHECK(op_watermark_in(op, 0, TS_MAX) == 0);
    CHECK_EQ_STR(sb_str(&cap->text), sb_str(&want));
    sb_free(&want);
    op_destroy(&cap->op);
    op_destroy(op);
}

int main(void)
{
    ctx.local_tz = tz_get("UTC", NULL, 0);
    ctx.now_us = fake_clock;
    RUN(tumble_out_of_order_and_late);
    RUN(tumble_offset_and_window_time);
    RUN(hop_partial_late);
    RUN(hop_slices_with_uneven_slide);
    RUN(hop_running_window_matches_merging_every_slice);
    RUN(cumulate);
    RUN(session_merge_and_late);
    RUN(global_session_with_long_strings);
    RUN(ltz_day_windows_start_at_local_midnight);
    RUN(timestamp_windows_ignore_the_zone);
    RUN(proctime_windows_fire_on_the_clock);
    RUN(proctime_session);
    RUN(many_rows_and_selection_vector);
    RUN(long_session_spans_pages);
    RUN(many_integer_keys_come_out_in_key_order);
    RUN(packed_key_order_across_hop_windows);
    RUN(long_string_keys_with_equal_prefixes);
    RUN(a_key_with_many_open_windows_grows_its_ring);
    RUN(key_entries_are_freed_and_reused_as_windows_fire);
    RUN(double_keys_in_value_order);
    RUN(proctime_row_of_a_fired_window_is_late);
    RUN(explain_and_bad_spec);
    RUN(topn_keeps_the_best_rows_in_emission_order);
    RUN(topn_nulls_and_partitions);
    RUN(topn_over_hop_windows_with_many_groups);
    RUN(topn_over_hop_windows_with_random_counts);
    return CHECK_DONE();
}
