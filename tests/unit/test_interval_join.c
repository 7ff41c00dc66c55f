/* test_interval_join.c - IntervalJoin: inner/left/right/full joins with out-of-order rows and
 * watermarks, the order-payment timeout, negative bounds, late rows, residual conditions,
 * the output watermark hold-back, checkpoints, and randomized runs: against a brute-force
 * join of the whole input (watermark only at the end, or advancing without late rows), and
 * with late rows against the properties that still hold (only true pairs, each once; an
 * outer row either joined or padded once).
 *
 * Inputs are left (k STRING, v BIGINT, ts TIMESTAMP(3)) and right (k STRING, w BIGINT, ts
 * TIMESTAMP(3)); the output is k, v, ts, k0, w, ts0. A capture operator records the output as
 * text: "+I[a, 1, 10:00:00, a, 7, 10:03:00]", "WM 09:57:59.999999", times on 2017-11-26.
 * Script lines: "L <k> <v> <time>" / "R <k> <w> <time>" rows (consecutive rows of one side form
 * one chunk; "null" is NULL), "wm <time>|max" a watermark on both inputs, "wm0"/"wm1" on one,
 * "snap" where the checkpoint round-trip run snapshots, destroys and restores the operator. */
#include "expr_helpers.h"
#include "op_testkit.h"

static exec_ctx ctx;
static int64_t day0;              /* 2017-11-26 00:00 */

/* ---- times ---- */

static int64_t ts(const char *text)
{
    char buf[64];
    snprintf(buf, sizeof buf, "2017-11-26 %s", text);
    value_t v;
    if (value_parse(type_timestamp(TY_TIMESTAMP, 6), buf, strlen(buf), &v, NULL) < 0) {
        fprintf(stderr, "bad time in test: %s\n", text);
        abort();
    }
    return v.i;
}

/* "HH:MM:SS" on the test day, with ".ffffff" when there are microseconds. */
static void put_time(sb_t *out, int64_t t)
{
    if (t == TS_MAX) { sb_puts(out, "max"); return; }
    int64_t d = t - day0, us = ((d % US_PER_SEC) + US_PER_SEC) % US_PER_SEC, s = (d - us) / US_PER_SEC;
    int64_t sec = ((s % 86400) + 86400) % 86400, days = (s - sec) / 86400;
    if (days) sb_printf(out, "%+lldd ", (long long)days);
    sb_printf(out, "%02lld:%02lld:%02lld", (long long)(sec / 3600), (long long)(sec / 60 % 60), (long long)(sec % 60));
    if (us) sb_printf(out, ".%06lld", (long long)us);
}

/* ---- capture operator: the shared one, also counting rows behind the watermark ---- */

typedef struct ij_capture {
    capture base;
    uint64_t behind;          /* output rows whose time was not after the watermark */
} ij_capture;

static int cap_push(op_t *op, int port, chunk_t *in)
{
    ij_capture *c = (ij_capture *)op;
    for (uint32_t i = 0; i < chunk_live(in); i++) {
        uint32_t r = chunk_row(in, i);
        for (int col = 2; col <= 5; col += 3)
            if (!in->cols[col].nulls[r] && in->cols[col].i64[r] <= c->base.wm) c->behind++;
    }
    return capture_push(op, port, in);
}

static const op_vtable cap_vt = {.name = "Capture", .push = cap_push, .watermark = capture_watermark, .destroy = capture_destroy};

static ij_capture *cap_new(void)
{
    ij_capture *c = xcalloc(1, sizeof *c);
    capture_init(&c->base, &cap_vt, &ctx, (capture_fmt){.row_time = put_time, .ltz_too = 1, .wm_time = put_time});
    return c;
}

/* ---- fixtures ---- */

typedef struct setup {
    join_type type;
    int64_t lower, upper;
    int residual;             /* v < w */
    int nokeys;               /* no equality keys: only the time bounds */
} setup;

static type_t rowtime(void)
{
    type_t t = type_timestamp(TY_TIMESTAMP, 3);
    t.attr = TA_ROWTIME;
    return t;
}

static schema_t side_schema(const char *value_name)
{
    schema_t s;
    schema_init(&s, 3);
    s.types[0] = type_make(TY_STRING);
    s.types[1] = type_make(TY_BIGINT);
    s.types[2] = rowtime();
    s.names[0] = xstrdup("k");
    s.names[1] = xstrdup(value_name);
    s.names[2] = xstrdup("ts");
    return s;
}

static schema_t out_schema(void)
{
    static const char *const names[] = {"k", "v", "ts", "k0", "w", "ts0"};
    schema_t s;
    schema_init(&s, 6);
    for (int i = 0; i < 6; i++) {
        s.types[i] = i % 3 == 0 ? type_make(TY_STRING) : i % 3 == 1 ? type_make(TY_BIGINT) : rowtime();
        s.names[i] = xstrdup(names[i]);
    }
    return s;
}

static expr_t *residual_v_lt_w(void) { return CALL("<", COL(1, "BIGINT"), COL(4, "BIGINT")); }

static op_t *make_op(const setup *st)
{
    static const int lkeys[1] = {0}, rkeys[1] = {0};
    schema_t l = side_schema("v"), r = side_schema("w"), out = out_schema();
    interval_join_spec spec = {
        .type = st->type, .left_keys = st->nokeys ? NULL : lkeys, .right_keys = st->nokeys ? NULL : rkeys,
        .nkeys = st->nokeys ? 0 : 1,
        .left_time_col = 2, .right_time_col = 2, .lower_us = st->lower, .upper_us = st->upper,
        .residual = st->residual ? residual_v_lt_w() : NULL, .left = &l, .right = &r,
    };
    op_t *op = interval_join_new(&ctx, &out, &spec);
    schema_free(&l);
    schema_free(&r);
    schema_free(&out);
    return op;
}

/* ---- script runner ---- */

typedef struct run {
    const setup *st;
    op_t *op;
    ij_capture *cap;
    chunk_t *rows;
    int side;                 /* side of the rows collected in `rows` */
    sb_t text;                /* output of the operators replaced at "snap" */
    uint64_t late;
    uint64_t behind;
    int restore_at_snap;
} run;

static void run_flush(run *r)
{
    if (r->rows->nrows) CHECK(op_push(r->op, r->side, r->rows) == 0);
    chunk_reset(r->rows);
}

static void run_attach(run *r, op_t *op)
{
    r->op = op;
    r->cap = cap_new();
    op_connect(op, &r->cap->base.op, 0);
}

static void run_detach(run *r)
{
    sb_puts(&r->text, sb_str(&r->cap->base.text));
    r->late += r->op->stats.late;
    r->behind += r->cap->behind;
    op_destroy(&r->cap->base.op);
    op_destroy(r->op);
}

static void run_snapshot_restore(run *r)
{
    run_flush(r);
    snap_writer w = {0};
    CHECK(r->op->vt->snapshot(r->op, &w) == 0);
    uint64_t keys = r->op->stats.state_keys;
    int64_t wm = r->cap->base.wm;
    run_detach(r);
    run_attach(r, make_op(r->st));
    r->cap->base.wm = wm;
    snap_reader rd;
    snap_reader_init(&rd, w.buf, w.len);
    CHECK(r->op->vt->restore(r->op, &rd) == 0);
    CHECK_EQ_INT(rd.pos, w.len);
    CHECK_EQ_INT(r->op->stats.state_keys, keys);
    snap_writer_free(&w);
}

static void run_row(run *r, int side, const char *k, const char *v, int64_t t)
{
    if (side != r->side) run_flush(r);
    r->side = side;
    value_t vals[3];
    vals[0] = strcmp(k, "null") ? (value_t){.s = str_cstr(k)} : value_null();
    vals[1] = strcmp(v, "null") ? value_i64(atoll(v)) : value_null();
    vals[2] = value_i64(t);
    chunk_append_values(r->rows, vals, OP_INSERT);
    if (chunk_full(r->rows)) run_flush(r);
}

static void run_watermark(run *r, int port, int64_t wm)
{
    run_flush(r);
    if (port != 1) CHECK(op_watermark_in(r->op, 0, wm) == 0);
    if (port != 0) CHECK(op_watermark_in(r->op, 1, wm) == 0);
}

static void run_line(run *r, const char *line)
{
    char a[64], b[64], c[64], d[64];
    int n = sscanf(line, "%63s %63s %63s %63s", a, b, c, d);
    if (n == 4 && (!strcmp(a, "L") || !strcmp(a, "R"))) {
        run_row(r, a[0] == 'R', b, c, ts(d));
    } else if (n == 2 && !strncmp(a, "wm", 2)) {
        int port = a[2] == '0' ? 0 : a[2] == '1' ? 1 : -1;
        run_watermark(r, port, strcmp(b, "max") ? ts(b) : TS_MAX);
    } else if (n == 1 && !strcmp(a, "snap")) {
        if (r->restore_at_snap) run_snapshot_restore(r);
    } else {
        fprintf(stderr, "bad script line: %s\n", line);
        abort();
    }
}

static void run_start(run *r, const setup *st, int restore_at_snap)
{
    memset(r, 0, sizeof *r);
    r->st = st;
    r->restore_at_snap = restore_at_snap;
    run_attach(r, make_op(st));
    schema_t in = side_schema("v");
    r->rows = chunk_new(&in, CHUNK_CAP);
    schema_free(&in);
}

/* Ends the run; returns its output text (caller frees). */
static char *run_end(run *r)
{
    run_flush(r);
    CHECK(op_finish_in(r->op, 0) == 0 && op_finish_in(r->op, 1) == 0);
    run_detach(r);
    chunk_free(r->rows);
    return sb_take(&r->text);
}

/* Runs the script straight and with a checkpoint round-trip at "snap"; both must give want. */
static void check_script(const setup *st, const char *const *script, const char *want, uint64_t want_late)
{
    for (int restore = 0; restore < 2; restore++) {
        run r;
        run_start(&r, st, restore);
        for (int i = 0; script[i]; i++) run_line(&r, script[i]);
        uint64_t late = 0;
        char *got = run_end(&r);
        late = r.late;
        CHECK_EQ_STR(got, want);
        CHECK_EQ_INT(late, want_late);
        free(got);
    }
}

#define MIN_US (60 * US_PER_SEC)

/* ---- tests ---- */

TEST(inner_out_of_order_and_late)
{
    setup st = {.type = JT_INNER, .lower = 0, .upper = 10 * MIN_US};
    static const char *const script[] = {
        "L a 1 10:00", "L b 2 10:02", "L a 3 09:58",   /* out of order */
        "R a 10 10:05",              /* joins a3 (09:58) and a1 (10:00), in time order */
        "R b 20 10:13",              /* b2's interval is [10:02, 10:12]: no */
        "R c 30 10:00",              /* no left row with key c */
        "wm 10:08",                  /* evicts right rows with ts < 10:08; a3 (deadline 10:08) stays */
        "L a 4 10:07",               /* late (10:07 < 10:08): a10 is gone; held until 10:17 */
        "R a 11 10:08",              /* on time: a3 at its deadline, a1, a4 */
        "snap",
        "wm 10:20",                  /* evicts every row */
        "L b 5 10:14",               /* late: b20 is gone */
        "R b 21 10:25",              /* b5's interval is [10:14, 10:24]: no */
        "wm max",
        NULL,
    };
    check_script(&st, script,
                 "+I[a, 3, 09:58:00, a, 10, 10:05:00]\n"
                 "+I[a, 1, 10:00:00, a, 10, 10:05:00]\n"
                 "WM 09:57:59.999999\n"
                 "+I[a, 3, 09:58:00, a, 11, 10:08:00]\n"
                 "+I[a, 1, 10:00:00, a, 11, 10:08:00]\n"
                 "+I[a, 4, 10:07:00, a, 11, 10:08:00]\n"
                 "WM 10:09:59.999999\n"
                 "WM max\n",
                 2);
}

/* orders LEFT JOIN payments ON o.id = p.order_id
 *   AND p.ts BETWEEN o.ts AND o.ts + INTERVAL '15' MINUTE */
TEST(order_payment_timeout)
{
    setup st = {.type = JT_LEFT, .lower = 0, .upper = 15 * MIN_US};
    static const char *const script[] = {
        "L o1 100 10:00", "L o2 200 10:05", "L o3 300 10:10",
        "R o1 1 10:07",              /* o1 paid */
        "R o9 9 10:08",              /* a payment without an order: inner side, dropped */
        "wm 10:15",                  /* o1's deadline is 10:15: still held */
        "R o2 2 10:19",              /* o2 paid 14 minutes after the order */
        "snap",
        "wm 10:16",                  /* o1 evicted, matched: nothing */
        "wm 10:21",                  /* o2 evicted, matched */
        "wm 10:25",                  /* o3's deadline: not passed yet */
        "wm 10:25:00.001",           /* o3 unpaid */
        "L o4 400 10:30",
        "wm max",                    /* end of input: o4 unpaid */
        NULL,
    };
    check_script(&st, script,
                 "+I[o1, 100, 10:00:00, o1, 1, 10:07:00]\n"
                 "WM 09:59:59.999999\n"
                 "+I[o2, 200, 10:05:00, o2, 2, 10:19:00]\n"
                 "WM 10:00:59.999999\n"
                 "WM 10:05:59.999999\n"
                 "WM 10:09:59.999999\n"
                 "+I[o3, 300, 10:10:00, NULL, NULL, NULL]\n"
                 "WM 10:10:00.000999\n"
                 "+I[o4, 400, 10:30:00, NULL, NULL, NULL]\n"
                 "WM max\n",
                 0);
}

/* b.ts BETWEEN a.ts - INTERVAL '5' SECOND AND a.ts + INTERVAL '5' SECOND, FULL OUTER */
TEST(full_outer_negative_lower_bound)
{
    setup st = {.type = JT_FULL, .lower = -5 * US_PER_SEC, .upper = 5 * US_PER_SEC};
    static const char *const script[] = {
        "L x 1 10:00:00",
        "R x 10 10:00:04",           /* in [09:59:55, 10:00:05] */
        "R x 11 09:59:54",           /* left interval [09:59:49, 09:59:59]: x1 no */
        "L x 2 09:59:58",            /* right interval [09:59:53, 10:00:03]: x11 yes, x10 no */
        "L null 3 10:00:01",         /* NULL keys never match: padded at once */
        "R null 12 10:00:01",
        "wm 10:00:00",               /* x11 (deadline 09:59:59) evicted, matched */
        "R y 13 10:00:02",
        "snap",
        "wm 10:00:06",               /* x1 and x2 evicted, matched */
        "L y 4 10:00:01",            /* late, but y13 is still held; held until 10:00:06 */
        "L z 5 09:59:59",            /* late and past its deadline: padded at once */
        "R z 14 10:00:10",           /* z5 is gone */
        "wm max",                    /* x10, y13, y4 matched; z14 not */
        NULL,
    };
    check_script(&st, script,
                 "+I[x, 1, 10:00:00, x, 10, 10:00:04]\n"
                 "+I[x, 2, 09:59:58, x, 11, 09:59:54]\n"
                 "+I[NULL, 3, 10:00:01, NULL, NULL, NULL]\n"
                 "+I[NULL, NULL, NULL, NULL, 12, 10:00:01]\n"
                 "WM 09:59:54.999999\n"
                 "WM 10:00:00.999999\n"
                 "+I[y, 4, 10:00:01, y, 13, 10:00:02]\n"
                 "+I[z, 5, 09:59:59, NULL, NULL, NULL]\n"
                 "+I[NULL, NULL, NULL, z, 14, 10:00:10]\n"
                 "WM max\n",
                 2);
}

/* b.ts BETWEEN a.ts - INTERVAL '10' MINUTE AND a.ts - INTERVAL '5' MINUTE, RIGHT OUTER:
 * the right row precedes the left one. */
TEST(right_outer_right_row_first)
{
    setup st = {.type = JT_RIGHT, .lower = -10 * MIN_US, .upper = -5 * MIN_US};
    static const char *const script[] = {
        "R c1 1 10:00", "R c2 2 10:01", "R c4 4 10:02",
        "L c1 100 10:07",            /* right interval [09:57, 10:02]: c1 */
        "L c2 200 10:03",            /* [09:53, 09:58]: no */
        "wm 10:05",                  /* left rows evicted (deadlines 10:02, 09:58); WM - 10 min */
        "L c2 300 10:08",            /* on time, deadline 10:03 passed: not held, joins c2 */
        "snap",
        "wm 10:10:30",               /* c1 (deadline 10:10) evicted, matched */
        "wm 10:13",                  /* c2 matched; c4 (deadline 10:12) never matched */
        "R c3 3 10:20",
        "wm max",
        NULL,
    };
    check_script(&st, script,
                 "+I[c1, 100, 10:07:00, c1, 1, 10:00:00]\n"
                 "WM 09:54:59.999999\n"
                 "+I[c2, 300, 10:08:00, c2, 2, 10:01:00]\n"
                 "WM 10:00:29.999999\n"
                 "+I[NULL, NULL, NULL, c4, 4, 10:02:00]\n"
                 "WM 10:02:59.999999\n"
                 "+I[NULL, NULL, NULL, c3, 3, 10:20:00]\n"
                 "WM max\n",
                 0);
}

/* LEFT JOIN ... AND v < w: a left row whose only candidates fail the residual is padded. */
TEST(residual_condition)
{
    setup st = {.type = JT_LEFT, .lower = 0, .upper = 10 * MIN_US, .residual = 1};
    static const char *const script[] = {
        "L a 5 10:00", "L b 5 10:00", "L c null 10:00",
        "R a 3 10:01",               /* 5 < 3: no */
        "R a 7 10:02",               /* 5 < 7 */
        "R b 1 10:03",               /* 5 < 1: no */
        "R c 1 10:04",               /* NULL < 1 is NULL: no */
        "snap",
        "R a 9 10:10",               /* at a5's deadline: 5 < 9 */
        "wm max",                    /* b and c never matched */
        NULL,
    };
    check_script(&st, script,
                 "+I[a, 5, 10:00:00, a, 7, 10:02:00]\n"
                 "+I[a, 5, 10:00:00, a, 9, 10:10:00]\n"
                 "+I[b, 5, 10:00:00, NULL, NULL, NULL]\n"
                 "+I[c, NULL, 10:00:00, NULL, NULL, NULL]\n"
                 "WM max\n",
                 0);
}

/* The output watermark is the minimum of the inputs' minus max(|lower|, |upper|) minus 1 us. */
TEST(watermark_hold_back)
{
    setup st = {.type = JT_INNER, .lower = -5 * US_PER_SEC, .upper = 10 * US_PER_SEC};
    static const char *const script[] = {
        "wm0 10:00",                 /* the right input has no watermark yet */
        "wm1 10:05",                 /* combined 10:00 */
        "L a 1 09:59:51",            /* late, held until 10:00:01 */
        "wm1 10:20",                 /* combined still 10:00: nothing */
        "R a 2 10:00:01",            /* joins a1 at its deadline; older than the input watermark */
        "snap",
        "wm0 10:30",                 /* combined 10:20 */
        "wm max",
        NULL,
    };
    check_script(&st, script,
                 "WM 09:59:49.999999\n"
                 "+I[a, 1, 09:59:51, a, 2, 10:00:01]\n"
                 "WM 10:19:49.999999\n"
                 "WM max\n",
                 1);
    setup wide = {.type = JT_INNER, .lower = -20 * US_PER_SEC, .upper = -10 * US_PER_SEC};
    static const char *const wide_script[] = {"wm 10:00", NULL};
    check_script(&wide, wide_script, "WM 09:59:39.999999\n", 0);
}

/* Without equality keys every pair within the bounds joins, NULL k included. */
TEST(no_equality_keys)
{
    setup st = {.type = JT_LEFT, .lower = 0, .upper = MIN_US, .nokeys = 1};
    static const char *const script[] = {
        "L a 1 10:00", "L null 2 10:00:30",
        "R b 3 10:00:45",
        "snap",
        "R c 4 10:01:10",            /* only the second left row */
        "L d 5 10:05",
        "wm max",
        NULL,
    };
    check_script(&st, script,
                 "+I[a, 1, 10:00:00, b, 3, 10:00:45]\n"
                 "+I[NULL, 2, 10:00:30, b, 3, 10:00:45]\n"
                 "+I[NULL, 2, 10:00:30, c, 4, 10:01:10]\n"
                 "+I[d, 5, 10:05:00, NULL, NULL, NULL]\n"
                 "WM max\n",
                 0);
    op_t *op = make_op(&st);
    sb_t sb = {0};
    op->vt->explain(op, &sb);
    CHECK_EQ_STR(sb_str(&sb), "type=LEFT, keys=[], bounds=[ts0 BETWEEN ts AND ts + 1 min]");
    sb_free(&sb);
    op_destroy(op);
}

TEST(state_keys_and_eviction)
{
    setup st = {.type = JT_INNER, .lower = 0, .upper = 10 * MIN_US};
    run r;
    run_start(&r, &st, 0);
    run_line(&r, "L a 1 10:00");
    run_line(&r, "L b 1 10:05");
    run_line(&r, "L a 2 10:01");
    run_line(&r, "R c 1 10:02");
    run_flush(&r);
    CHECK_EQ_INT(r.op->stats.state_keys, 3);
    run_line(&r, "wm 10:10:00.001");     /* a1 (deadline 10:10) and c (10:02) evicted */
    CHECK_EQ_INT(r.op->stats.state_keys, 2);
    run_line(&r, "wm 10:11:00.001");     /* a2 */
    CHECK_EQ_INT(r.op->stats.state_keys, 1);
    run_line(&r, "L a 3 10:20");          /* the key comes back */
    run_flush(&r);
    CHECK_EQ_INT(r.op->stats.state_keys, 2);
    run_line(&r, "wm max");
    CHECK_EQ_INT(r.op->stats.state_keys, 0);
    char *got = run_end(&r);
    CHECK_EQ_STR(got, "WM 10:00:00.000999\nWM 10:01:00.000999\nWM max\n");
    free(got);
}

TEST(explain_and_bad_spec)
{
    setup st = {.type = JT_LEFT, .lower = -5 * US_PER_SEC, .upper = 15 * MIN_US, .residual = 1};
    op_t *op = make_op(&st);
    sb_t sb = {0};
    op->vt->explain(op, &sb);
    CHECK_EQ_STR(sb_str(&sb), "type=LEFT, keys=[k = k0], bounds=[ts0 BETWEEN ts - 5 s AND ts + 15 min], residual=[v < w]");
    CHECK_EQ_STR(op->vt->name, "IntervalJoin");
    sb_free(&sb);
    op_destroy(op);

    setup plain = {.type = JT_INNER, .lower = 0, .upper = 0};
    op = make_op(&plain);
    op->vt->explain(op, &sb);
    CHECK_EQ_STR(sb_str(&sb), "type=INNER, keys=[k = k0], bounds=[ts0 BETWEEN ts AND ts]");
    sb_free(&sb);
    op_destroy(op);

    schema_t l = side_schema("v"), r = side_schema("w"), out = out_schema();
    int lkeys[1] = {0}, rkeys[1] = {1};
    interval_join_spec spec = {.type = JT_INNER, .left_keys = lkeys, .right_keys = rkeys, .nkeys = 1,
                               .left_time_col = 2, .right_time_col = 2, .left = &l, .right = &r};
    CHECK(interval_join_new(&ctx, &out, &spec) == NULL);
    CHECK_EQ_STR(err_message(), "IntervalJoin: key 1 compares left STRING with right BIGINT; cast both to one type");
    err_clear();
    rkeys[0] = 0;
    spec.right_time_col = 1;
    CHECK(interval_join_new(&ctx, &out, &spec) == NULL);
    CHECK_EQ_STR(err_message(), "IntervalJoin: right time column w is BIGINT, expected TIMESTAMP or TIMESTAMP_LTZ");
    err_clear();
    spec.right_time_col = 3;
    CHECK(interval_join_new(&ctx, &out, &spec) == NULL);
    CHECK_EQ_STR(err_message(), "IntervalJoin: right time column 3 is outside the 3 right input columns");
    err_clear();
    spec.right_time_col = 2;
    spec.residual = COL(1, "BIGINT");
    CHECK(interval_join_new(&ctx, &out, &spec) == NULL);
    CHECK_EQ_STR(err_message(), "IntervalJoin: the residual condition is not BOOLEAN");
    err_clear();
    spec.residual = NULL;
    out.ncols = 5;
    CHECK(interval_join_new(&ctx, &out, &spec) == NULL);
    CHECK_EQ_STR(err_message(), "IntervalJoin: output has 5 columns, expected 3 left + 3 right");
    err_clear();
    out.ncols = 6;
    lkeys[0] = rkeys[0] = 1;
    l.types[1] = type_decimal(10, 2);
    r.types[1] = type_decimal(10, 3);
    CHECK(interval_join_new(&ctx, &out, &spec) == NULL);
    CHECK_EQ_STR(err_message(),
                 "IntervalJoin: key 1 compares left DECIMAL(10, 2) with right DECIMAL(10, 3); cast both to one type");
    err_clear();
    r.types[1] = type_decimal(12, 2);
    op = interval_join_new(&ctx, &out, &spec);
    CHECK(op != NULL);
    op_destroy(op);
    schema_free(&l);
    schema_free(&r);
    schema_free(&out);
}

TEST(restore_rejects_bad_snapshots)
{
    setup st = {.type = JT_LEFT, .lower = 0, .upper = 10 * MIN_US};
    run r;
    run_start(&r, &st, 0);
    run_line(&r, "L a 1 10:00");
    run_line(&r, "R a 1 10:00");
    run_flush(&r);
    snap_writer w = {0};
    CHECK(r.op->vt->snapshot(r.op, &w) == 0);
    free(run_end(&r));
    for (size_t cut = 0; cut < w.len; cut += 7) {   /* truncated: an error, no crash */
        op_t *op = make_op(&st);
        snap_reader rd;
        snap_reader_init(&rd, w.buf, cut);
        CHECK(op->vt->restore(op, &rd) < 0);
        err_clear();
        op_destroy(op);
    }
    w.buf[0] = 9;
    op_t *op = make_op(&st);
    snap_reader rd;
    snap_reader_init(&rd, w.buf, w.len);
    CHECK(op->vt->restore(op, &rd) < 0);
    CHECK_EQ_STR(err_message(), "IntervalJoin: snapshot version 9, expected 1");
    err_clear();
    op_destroy(op);
    snap_writer_free(&w);
}

/* ---- randomized runs against a brute-force join ---- */

typedef struct trow {
    int side;
    int key;                  /* index into key_names, -1 NULL */
    int v_null;
    int64_t v;
    int64_t t;
} trow;

static const char *const key_names[] = {"a", "b", "c", "a-rather-long-key-one", "a-rather-long-key-two"};

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static int64_t rnd_in(int64_t lo, int64_t hi) { return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1)); }

static void put_side(sb_t *out, const trow *x)
{
    if (!x) { sb_puts(out, "NULL, NULL, NULL"); return; }
    sb_puts(out, x->key < 0 ? "NULL" : key_names[x->key]);
    if (x->v_null) sb_puts(out, ", NULL, ");
    else sb_printf(out, ", %lld, ", (long long)x->v);
    put_time(out, x->t);
}

static void put_pair(sb_t *out, const trow *l, const trow *r)
{
    sb_puts(out, "+I[");
    put_side(out, l);
    sb_puts(out, ", ");
    put_side(out, r);
    sb_puts(out, "]\n");
}

static int pair_joins(const setup *st, const trow *l, const trow *r)
{
    if (l->key < 0 || l->key != r->key) return 0;
    if (r->t < l->t + st->lower || r->t > l->t + st->upper) return 0;
    return !st->residual || (!l->v_null && !r->v_null && l->v < r->v);
}

/* The expected output rows, one per line, in any order. */
static char *brute_force(const setup *st, const trow *rows, int n)
{
    sb_t out = {0};
    int lo = st->type == JT_LEFT || st->type == JT_FULL, ro = st->type == JT_RIGHT || st->type == JT_FULL;
    for (int i = 0; i < n; i++) {
        const trow *x = &rows[i];
        int matched = 0;
        for (int k = 0; k < n; k++) {
            const trow *y = &rows[k];
            if (x->side == y->side) continue;
            const trow *l = x->side ? y : x, *r = x->side ? x : y;
            if (!pair_joins(st, l, r)) continue;
            matched = 1;
            if (x->side == 0) put_pair(&out, l, r);
        }
        if (!matched && (x->side ? ro : lo)) put_pair(&out, x->side ? NULL : x, x->side ? x : NULL);
    }
    return sb_take(&out);
}

static int cmp_lines(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The row lines of text (watermark lines dropped), sorted. */
static char *sorted_rows(const char *text)
{
    char *copy = xstrdup(text);
    VEC(char *) lines = {0};
    for (char *save, *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (strncmp(line, "WM ", 3)) VEC_PUSH(lines, line);
    if (lines.len) qsort(lines.items, lines.len, sizeof *lines.items, cmp_lines);
    sb_t out = {0};
    for (size_t i = 0; i < lines.len; i++) {
        sb_puts(&out, lines.items[i]);
        sb_putc(&out, '\n');
    }
    VEC_FREE(lines);
    free(copy);
    char *s = sb_take(&out);
    return s ? s : xstrdup("");
}

static void shuffle(trow *rows, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int k = (int)(rnd() % (uint64_t)(i + 1));
        trow t = rows[i]; rows[i] = rows[k]; rows[k] = t;
    }
}

static int by_time(const void *a, const void *b)
{
    const trow *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

/* Feeds rows in the given order in chunks whose ends `seed` picks (a chunk holds one side's
 * rows); wm_after[i] (if not TS_MIN) is a watermark on both inputs after row i. At snap_at a
 * chunk ends, and with `restore` the operator is checkpointed and replaced there. */
typedef struct feed_plan {
    const int64_t *wm_after;      /* NULL: no watermark before the final one */
    int snap_at;
    int restore;
    uint32_t seed;
    int big_chunks;               /* chunks end only where the side changes or they are full */
} feed_plan;

static char *feed(const setup *st, const trow *rows, int n, const feed_plan *fp, uint64_t *late, uint64_t *behind)
{
    run r;
    run_start(&r, st, fp->restore);
    for (int i = 0; i < n; i++) {
        if (i == fp->snap_at) {
            if (fp->restore) run_snapshot_restore(&r);
            else run_flush(&r);
        }
        const trow *x = &rows[i];
        char v[32];
        snprintf(v, sizeof v, x->v_null ? "null" : "%lld", (long long)x->v);
        if (!fp->big_chunks && (((uint32_t)i * 2654435761u) ^ fp->seed) % 8 == 0) run_flush(&r);
        run_row(&r, x->side, x->key < 0 ? "null" : key_names[x->key], v, x->t);
        if (fp->wm_after && fp->wm_after[i] != TS_MIN) run_watermark(&r, -1, fp->wm_after[i]);
    }
    run_watermark(&r, -1, TS_MAX);
    char *text = run_end(&r);
    *late = r.late;
    *behind = r.behind;
    return text;
}

/* Watermarks after blocks of rows: each moves to the earliest time still to come, so no
 * row is late (rows are shuffled within their block). */
static int64_t *block_watermarks(trow *rows, int n, int max_block)
{
    int64_t *wm_after = xcalloc((size_t)n, sizeof *wm_after);
    for (int i = 0; i < n; i++) wm_after[i] = TS_MIN;
    for (int i = 0; i < n;) {
        int len = (int)rnd_in(1, max_block);
        if (i + len > n) len = n - i;
        shuffle(rows + i, len);
        i += len;
        int64_t wm = TS_MAX;
        for (int k = i; k < n; k++) wm = MIN(wm, rows[k].t);
        if (wm != TS_MAX) wm_after[i - 1] = wm;
    }
    return wm_after;
}

static void random_setup(setup *st)
{
    static const join_type types[] = {JT_INNER, JT_LEFT, JT_RIGHT, JT_FULL};
    st->type = types[rnd() % 4];
    st->lower = rnd_in(-20, 10) * US_PER_SEC;
    st->upper = rnd() % 8 == 0 ? st->lower - US_PER_SEC : st->lower + rnd_in(0, 25) * US_PER_SEC;
    st->residual = rnd() % 3 == 0;
}

static trow *random_rows(int n)
{
    trow *rows = xcalloc((size_t)n, sizeof *rows);
    for (int i = 0; i < n; i++) {
        rows[i].side = (int)(rnd() % 2);
        rows[i].key = rnd() % 10 == 0 ? -1 : (int)(rnd() % ARRAY_LEN(key_names));
        rows[i].v_null = rnd() % 10 == 0;
        rows[i].v = rnd_in(0, 9);
        rows[i].t = ts("10:00") + rnd_in(0, 120) * US_PER_SEC;
        if (rnd() % 3 == 0) rows[i].t += (int64_t)(rnd() % 1000);
    }
    return rows;
}

/* The watermark only advances at the end: every pair and unmatched outer row appears once. */
TEST(random_against_brute_force_final_watermark)
{
    for (int round = 0; round < 60; round++) {
        setup st = {0};
        random_setup(&st);
        int n = (int)rnd_in(1, round < 50 ? 300 : 3000);
        trow *rows = random_rows(n);
        char *want = brute_force(&st, rows, n);
        char *want_sorted = sorted_rows(want);
        uint64_t late, behind;
        feed_plan fp = {.snap_at = (int)rnd_in(0, n - 1)};
        fp.seed = (uint32_t)rnd();
        char *got = feed(&st, rows, n, &fp, &late, &behind);
        char *got_sorted = sorted_rows(got);
        CHECK_EQ_STR(got_sorted, want_sorted);
        CHECK_EQ_INT(late, 0);
        fp.restore = 1;
        char *again = feed(&st, rows, n, &fp, &late, &behind);
        CHECK_EQ_STR(again, got);
        char *again_sorted = sorted_rows(again);
        CHECK_EQ_STR(again_sorted, want_sorted);
        free(again);
        free(again_sorted);
        free(got);
        free(got_sorted);
        free(want);
        free(want_sorted);
        free(rows);
    }
}

/* Watermarks advance during the run but no row is late: the same pairs, every output row
 * after the output watermark, and a checkpoint anywhere changes nothing. */
TEST(random_with_watermarks_no_late_rows)
{
    for (int round = 0; round < 60; round++) {
        setup st = {0};
        random_setup(&st);
        int n = (int)rnd_in(1, round < 50 ? 300 : 3000);
        trow *rows = random_rows(n);
        qsort(rows, (size_t)n, sizeof *rows, by_time);
        int64_t *wm_after = block_watermarks(rows, n, 40);
        char *want = brute_force(&st, rows, n);
        char *want_sorted = sorted_rows(want);
        uint64_t late, behind;
        feed_plan fp = {.wm_after = wm_after, .snap_at = (int)rnd_in(0, n - 1)};
        fp.seed = (uint32_t)rnd();
        char *got = feed(&st, rows, n, &fp, &late, &behind);
        char *got_sorted = sorted_rows(got);
        CHECK_EQ_STR(got_sorted, want_sorted);
        CHECK_EQ_INT(late, 0);
        CHECK_EQ_INT(behind, 0);
        fp.restore = 1;
        char *again = feed(&st, rows, n, &fp, &late, &behind);
        CHECK_EQ_STR(again, got);
        CHECK_EQ_INT(behind, 0);
        free(again);
        free(got);
        free(got_sorted);
        free(want);
        free(want_sorted);
        free(wm_after);
        free(rows);
    }
}

/* Thousands of rows of one long key: candidate pairs and padded rows overflow output chunks,
 * pool pages fill, empty and are reused while padded rows still reference them. */
TEST(bulk_rows_of_one_key)
{
    static const setup setups[] = {
        {.type = JT_LEFT, .lower = 0, .upper = 100 * US_PER_MS},
        {.type = JT_FULL, .lower = -20 * US_PER_SEC, .upper = 20 * US_PER_SEC, .residual = 1},
    };
    enum { NLEFT = 2500, NRIGHT = 25, N = NLEFT + NRIGHT };
    trow *rows = xcalloc(N, sizeof *rows);
    for (int i = 0; i < N; i++) {
        int right = i % 101 == 100;
        rows[i] = (trow){.side = right, .key = 3, .v = i % 7, .t = ts("10:00") + (int64_t)i * 10 * US_PER_MS};
    }
    int64_t *wm_after = xcalloc(N, sizeof *wm_after);
    for (int i = 0; i < N; i++) wm_after[i] = TS_MIN;
    wm_after[1499] = rows[1500].t;
    wm_after[2199] = rows[2200].t;
    for (size_t k = 0; k < ARRAY_LEN(setups); k++) {
        char *want = brute_force(&setups[k], rows, N);
        char *want_sorted = sorted_rows(want);
        feed_plan fp = {.wm_after = wm_after, .snap_at = 1700, .big_chunks = 1};
        uint64_t late, behind;
        char *got = feed(&setups[k], rows, N, &fp, &late, &behind);
        char *got_sorted = sorted_rows(got);
        CHECK_EQ_STR(got_sorted, want_sorted);
        CHECK(strlen(got) > 100000);
        CHECK_EQ_INT(late, 0);
        CHECK_EQ_INT(behind, 0);
        fp.restore = 1;
        char *again = feed(&setups[k], rows, N, &fp, &late, &behind);
        CHECK_EQ_STR(again, got);
        free(again);
        free(got);
        free(got_sorted);
        free(want);
        free(want_sorted);
    }
    free(wm_after);
    free(rows);
}

typedef struct pair_ref {        /* a valid pair's output line and its rows */
    char *line;
    int l, r;
} pair_ref;

static int cmp_pair(const void *a, const void *b) { return strcmp(((const pair_ref *)a)->line, ((const pair_ref *)b)->line); }

/* The line of a pair or a padded row (either row may be NULL), malloc'ed. */
static char *pair_line(const trow *l, const trow *r)
{
    sb_t sb = {0};
    put_pair(&sb, l, r);
    sb.data[--sb.len] = 0;                 /* drop the newline */
    return sb_take(&sb);
}

/* Watermarks jump ahead of rows still to come, so some rows are late. Whatever is lost, the
 * output holds only true pairs, each at most once, and every row of an outer side appears
 * either in pairs or once NULL-padded, never both; the late count is the number of rows
 * that arrived behind the watermark; a checkpoint anywhere changes nothing. */
TEST(random_with_late_rows)
{
    for (int round = 0; round < 60; round++) {
        setup st = {0};
        random_setup(&st);
        int n = (int)rnd_in(1, 400);
        trow *rows = random_rows(n);
        int64_t *wm_after = xcalloc((size_t)n, sizeof *wm_after);
        int64_t wm = TS_MIN;
        uint64_t want_late = 0;
        for (int i = 0; i < n; i++) {
            rows[i].v = i;                 /* makes every row's text unique */
            rows[i].v_null = 0;
            want_late += rows[i].key >= 0 && rows[i].t < wm;   /* NULL keys never join: not late */
            wm_after[i] = TS_MIN;
            if (rnd() % 20) continue;
            int64_t next = rows[i].t + rnd_in(-30, 10) * US_PER_SEC;
            wm = wm_after[i] = MAX(wm, next);
        }
        /* every valid pair, and every row's padded line, as sorted tables of (line, index) */
        VEC(pair_ref) pairs = {0};
        char **padded = xcalloc((size_t)n, sizeof *padded);
        for (int i = 0; i < n; i++) {
            padded[i] = pair_line(rows[i].side ? NULL : &rows[i], rows[i].side ? &rows[i] : NULL);
            for (int k = 0; k < n; k++)
                if (!rows[i].side && rows[k].side && pair_joins(&st, &rows[i], &rows[k])) {
                    pair_ref pr = {pair_line(&rows[i], &rows[k]), i, k};
                    VEC_PUSH(pairs, pr);
                }
        }
        if (pairs.len) qsort(pairs.items, pairs.len, sizeof *pairs.items, cmp_pair);
        uint64_t late, behind;
        feed_plan fp = {.wm_after = wm_after, .snap_at = (int)rnd_in(0, n - 1)};
        fp.seed = (uint32_t)rnd();
        char *got = feed(&st, rows, n, &fp, &late, &behind);
        CHECK_EQ_INT(late, want_late);
        fp.restore = 1;
        char *again = feed(&st, rows, n, &fp, &late, &behind);
        CHECK_EQ_STR(again, got);
        CHECK_EQ_INT(late, want_late);
        /* classify the output lines */
        uint8_t *seen_pair = xcalloc(pairs.len + 1, 1);
        int *pad_count = xcalloc((size_t)n, sizeof *pad_count), *pair_count = xcalloc((size_t)n, sizeof *pair_count);
        int bad = 0;
        for (char *save, *line = strtok_r(got, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            if (!strncmp(line, "WM ", 3)) continue;
            pair_ref key = {line, 0, 0};
            pair_ref *hit = pairs.len ? bsearch(&key, pairs.items, pairs.len, sizeof *pairs.items, cmp_pair) : NULL;
            if (hit) {
                bad += seen_pair[hit - pairs.items]++ != 0;
                pair_count[hit->l]++;
                pair_count[hit->r]++;
                continue;
            }
            int i = 0;
            while (i < n && strcmp(padded[i], line)) i++;
            if (i == n) bad++;
            else pad_count[i]++;
        }
        CHECK_EQ_INT(bad, 0);
        int lo = st.type == JT_LEFT || st.type == JT_FULL, ro = st.type == JT_RIGHT || st.type == JT_FULL;
        for (int i = 0; i < n; i++) {
            int outer = rows[i].side ? ro : lo;
            CHECK_EQ_INT(pad_count[i], outer && !pair_count[i] ? 1 : 0);
        }
        free(seen_pair);
        free(pad_count);
        free(pair_count);
        for (int i = 0; i < n; i++) free(padded[i]);
        free(padded);
        for (size_t p = 0; p < pairs.len; p++) free(pairs.items[p].line);
        VEC_FREE(pairs);
        free(again);
        free(got);
        free(wm_after);
        free(rows);
    }
}

int main(void)
{
    helpers_init();
    ctx.local_tz = tz_get("UTC", NULL, 0);
    day0 = ts("00:00");
    rng_state = 0x9E3779B97F4A7C15ull;
    RUN(inner_out_of_order_and_late);
    RUN(order_payment_timeout);
    RUN(full_outer_negative_lower_bound);
    RUN(right_outer_right_row_first);
    RUN(residual_condition);
    RUN(watermark_hold_back);
    RUN(no_equality_keys);
    RUN(state_keys_and_eviction);
    RUN(explain_and_bad_spec);
    RUN(restore_rejects_bad_snapshots);
    RUN(bulk_rows_of_one_key);
    RUN(random_against_brute_force_final_watermark);
    RUN(random_with_watermarks_no_late_rows);
    RUN(random_with_late_rows);
    helpers_done();
    return CHECK_DONE();
}
