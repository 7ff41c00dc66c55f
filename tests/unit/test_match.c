/* test_match.c - MatchRecognize: the examples of Flink's "Pattern Recognition" page (V-shaped
 * prices, greedy vs reluctant, aggregations, the four AFTER MATCH SKIP modes, pattern variable
 * referencing, logical offsets, WITHIN), login failures and order payments within a time
 * bound, every quantifier greedy and reluctant with exact matches, quantified groups, PREV /
 * FIRST / LAST / CLASSIFIER / MATCH_ROWTIME / aggregates, out-of-order and late rows, several
 * partitions, processing time, state cleanup, runtime and construction errors, EXPLAIN, and a
 * checkpoint round trip in every event-time script.
 *
 * Input (k STRING, v BIGINT, d DOUBLE (= v), s STRING, ts TIMESTAMP(3) *ROWTIME*). A match_spec
 * is built by hand: variables by name, DEFINE / MEASURES from expression helpers whose navs
 * (LAST(A.v, 1), SUM(B.v), ...) are appended as extra columns, and the pattern parsed from text
 * ("A B*? (C D)+ E{2,3}"). Output is captured as "+I[a, 1s, 5s, 1, 3, 1]" lines (times in
 * seconds) and watermarks as "WM 5s". Script lines: "<k> <v> <s> <seconds>" a row (consecutive
 * rows form one chunk), "wm <seconds>|max", "clock <seconds>", "timer <seconds>", "keys <n>"
 * (partitions held), "snap" (where the round-trip run snapshots, destroys and restores). */
#include "expr_helpers.h"
#include "op_testkit.h"

enum { C_K, C_V, C_D, C_S, C_TS, NIN };

static exec_ctx ctx;

static capture *cap_new(void) { return capture_new(&ctx, (capture_fmt){.row_time = put_seconds, .wm_time = put_seconds}); }

/* ---- building a match_spec ---- */

#define MAX_VARS 8
#define MAX_NAVS 32
#define MAX_MEASURES 10

typedef struct mb {
    const char *vars[MAX_VARS];
    int nvars;
    expr_t *define[MAX_VARS];
    match_nav navs[MAX_NAVS];
    int nnavs;
    expr_t *measures[MAX_MEASURES];
    int nmeasures;
    pat_node *pattern;
    match_skip skip;
    const char *skip_var;
    int64_t within_us;
    int proctime;
    int global;               /* no PARTITION BY */
} mb;

static type_t rowtime3(void) { type_t t = type_timestamp(TY_TIMESTAMP, 3); t.attr = TA_ROWTIME; return t; }

static type_t in_type(int col)
{
    switch (col) {
    case C_V: return type_make(TY_BIGINT);
    case C_D: return type_make(TY_DOUBLE);
    case C_TS: return rowtime3();
    default: return type_make(TY_STRING);
    }
}

static schema_t input_schema(void)
{
    static const char *const names[NIN] = {"k", "v", "d", "s", "ts"};
    schema_t s;
    schema_init(&s, NIN);
    for (int i = 0; i < NIN; i++) {
        s.types[i] = in_type(i);
        s.names[i] = xstrdup(names[i]);
    }
    return s;
}

static int var_of(mb *b, const char *name)
{
    for (int v = 0; v < b->nvars; v++)
        if (!strcmp(b->vars[v], name)) return v;
    if (b->nvars == MAX_VARS) abort();
    b->vars[b->nvars] = arena_strdup(&plan, name);
    return b->nvars++;
}

static expr_t *IN(int col) { return expr_col(&plan, col, in_type(col), SP); }

/* A nav column: the nav is appended and the expression reads its column. */
static expr_t *nav_col(mb *b, match_nav nav)
{
    if (b->nnavs == MAX_NAVS) abort();
    b->navs[b->nnavs] = nav;
    return expr_col(&plan, NIN + b->nnavs++, nav.type, SP);
}

static int var_or_all(mb *b, const char *var) { return var ? var_of(b, var) : -1; }

static expr_t *LAST_(mb *b, const char *var, int col, int off)
{
    return nav_col(b, (match_nav){.kind = NAV_LAST, .var = var_or_all(b, var), .col = col, .offset = off, .type = in_type(col)});
}

static expr_t *FIRST_(mb *b, const char *var, int col, int off)
{
    return nav_col(b, (match_nav){.kind = NAV_FIRST, .var = var_or_all(b, var), .col = col, .offset = off, .type = in_type(col)});
}

static expr_t *PREV_(mb *b, int col, int off)
{
    return nav_col(b, (match_nav){.kind = NAV_PREV, .var = -1, .col = col, .offset = off, .type = in_type(col)});
}

/* agg(var.col); col -1 for COUNT(*). */
static expr_t *AGG_(mb *b, const char *fn, const char *var, int col)
{
    match_nav nav = {.kind = NAV_AGG, .var = var_or_all(b, var), .col = col};
    nav.agg.def = agg_lookup(fn);
    nav.agg.arg_col = col;
    nav.agg.filter_col = -1;
    nav.agg.arg_type = col < 0 ? type_make(TY_NULL) : in_type(col);
    if (!nav.agg.def || nav.agg.def->result_type(nav.agg.arg_type, &nav.agg.result_type) < 0) abort();
    nav.type = nav.agg.result_type;
    return nav_col(b, nav);
}

static expr_t *ROWTIME_(mb *b) { return nav_col(b, (match_nav){.kind = NAV_MATCH_ROWTIME, .var = -1, .col = -1, .type = rowtime3()}); }
static expr_t *CLASSIFIER_(mb *b) { return nav_col(b, (match_nav){.kind = NAV_CLASSIFIER, .var = -1, .col = -1, .type = type_make(TY_STRING)}); }

static expr_t *BIG(long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    return LIT("BIGINT", buf);
}

static expr_t *STR(const char *s) { return LIT("STRING", s); }

static void DEFINE(mb *b, const char *var, expr_t *cond)
{
    CHECK(cond != NULL);
    b->define[var_of(b, var)] = cond;
}

static void MEASURE(mb *b, expr_t *e)
{
    CHECK(e != NULL);
    if (b->nmeasures == MAX_MEASURES) abort();
    b->measures[b->nmeasures++] = e;
}

/* MEASURES FIRST(ts), LAST(ts), then COUNT(v.*) for each variable named. */
static void MEASURE_SPAN(mb *b, const char *const *vars)
{
    MEASURE(b, FIRST_(b, NULL, C_TS, 0));
    MEASURE(b, LAST_(b, NULL, C_TS, 0));
    for (int i = 0; vars[i]; i++) MEASURE(b, AGG_(b, "COUNT", vars[i], -1));
}

/* ---- patterns from text ---- */

static pat_node *pnode(pat_kind kind)
{
    pat_node *n = arena_zalloc(&plan, sizeof *n);
    n->kind = kind;
    n->min = n->max = 1;
    n->greedy = 1;
    return n;
}

static void skip_spaces(const char **s) { while (**s == ' ') (*s)++; }

static void parse_quantifier(const char **s, pat_node *n)
{
    const char *p = *s;
    if (*p == '*') { n->min = 0; n->max = -1; p++; }
    else if (*p == '+') { n->min = 1; n->max = -1; p++; }
    else if (*p == '?') { n->min = 0; n->max = 1; p++; }
    else if (*p == '{') {
        char *end;
        p++;
        n->min = *p == ',' ? 0 : (int)strtol(p, &end, 10);
        if (*p != ',') p = end;
        if (*p == '}') n->max = n->min;
        else {
            p++;                                  /* ',' */
            n->max = *p == '}' ? -1 : (int)strtol(p, &end, 10);
            if (*p != '}') p = end;
        }
        p++;                                      /* '}' */
    } else {
        return;
    }
    if (*p == '?') { n->greedy = 0; p++; }
    *s = p;
}

static pat_node *parse_sequence(mb *b, const char **s)
{
    pat_node *items[16];
    int n = 0;
    for (;;) {
        skip_spaces(s);
        if (!**s || **s == ')') break;
        pat_node *item;
        if (**s == '(') {
            (*s)++;
            item = parse_sequence(b, s);
            (*s)++;                               /* ')' */
        } else {
            char name[32];
            int len = 0;
            while ((**s >= 'A' && **s <= 'Z') || **s == '_' || (**s >= '0' && **s <= '9')) name[len++] = *(*s)++;
            name[len] = 0;
            item = pnode(PAT_VAR);
            item->var = var_of(b, name);
        }
        parse_quantifier(s, item);
        items[n++] = item;
    }
    pat_node *c = pnode(PAT_CONCAT);
    c->nitems = n;
    c->items = arena_alloc(&plan, (size_t)n * sizeof *c->items);
    memcpy(c->items, items, (size_t)n * sizeof *items);
    return c;
}

static void PATTERN(mb *b, const char *text) { b->pattern = parse_sequence(b, &text); }

/* ---- operator ---- */

static op_t *make_op(mb *b)
{
    schema_t in = input_schema();
    int npart = b->global ? 0 : 1;
    schema_t out;
    schema_init(&out, (uint32_t)(npart + b->nmeasures));
    if (npart) {
        out.types[0] = in_type(C_K);
        out.names[0] = xstrdup("k");
    }
    for (int k = 0; k < b->nmeasures; k++) {
        char name[16];
        snprintf(name, sizeof name, "m%d", k);
        out.types[npart + k] = b->measures[k]->type;
        out.names[npart + k] = xstrdup(name);
    }
    static const int part[1] = {C_K};
    match_spec spec = {
        .part = part, .npart = npart, .time_col = C_TS, .proctime = b->proctime, .pattern = b->pattern,
        .var_names = b->vars, .nvars = b->nvars, .define = b->define, .navs = b->navs, .nnavs = b->nnavs,
        .measures = b->measures, .nmeasures = b->nmeasures, .skip = b->skip,
        .skip_var = b->skip_var ? var_of(b, b->skip_var) : 0, .within_us = b->within_us, .input = &in,
    };
    op_t *op = match_new(&ctx, &out, &spec);
    schema_free(&out);
    schema_free(&in);
    return op;
}

/* ---- script runner ---- */

typedef struct run {
    mb *b;
    op_t *op;
    capture *cap;
    chunk_t *rows;
    sb_t text;                /* output of the operators replaced at "snap" */
    uint64_t late;
    int restore_at_snap;
    int failed;               /* an entry point returned -1 */
    char error[512];
} run;

static void note_rc(run *r, int rc)
{
    if (rc == 0 || r->failed) return;
    r->failed = 1;
    snprintf(r->error, sizeof r->error, "%s", err_message());
    err_clear();
}

static void run_flush(run *r)
{
    if (r->rows->nrows && !r->failed) note_rc(r, op_push(r->op, 0, r->rows));
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
    run_attach(r, make_op(r->b));
    snap_reader rd;
    snap_reader_init(&rd, w.buf, w.len);
    CHECK_EQ_INT(r->op->vt->restore(r->op, &rd), 0);
    CHECK_EQ_INT(rd.pos, w.len);
    snap_writer_free(&w);
}

static int64_t secs(const char *s) { return (int64_t)(atof(s) * US_PER_SEC + 0.5); }

static void run_row(run *r, const char *k, int64_t v, const char *s, int64_t t)
{
    value_t vals[NIN] = {value_null(), value_i64(v), value_f64((double)v), value_null(), value_i64(t)};
    if (strcmp(k, "null")) {
        vals[C_K].null = 0;
        vals[C_K].s = str_cstr(k);
    }
    if (strcmp(s, "-")) {
        vals[C_S].null = 0;
        vals[C_S].s = str_cstr(s);
    }
    chunk_append_values(r->rows, vals, OP_INSERT);
    if (chunk_full(r->rows)) run_flush(r);
}

static void run_line(run *r, const char *line)
{
    char a[64], b[64], c[64], d[64];
    int n = sscanf(line, "%63s %63s %63s %63s", a, b, c, d);
    if (n == 4) {
        run_row(r, a, atoll(b), c, secs(d));
        return;
    }
    run_flush(r);
    if (r->failed) return;
    if (!strcmp(a, "wm")) note_rc(r, op_watermark_in(r->op, 0, strcmp(b, "max") ? secs(b) : TS_MAX));
    else if (!strcmp(a, "clock")) fake_now = secs(b);
    else if (!strcmp(a, "timer")) note_rc(r, r->op->vt->timer(r->op, secs(b)));
    else if (!strcmp(a, "finish")) note_rc(r, op_finish_in(r->op, 0));
    else if (!strcmp(a, "keys")) CHECK_EQ_INT(r->op->stats.state_keys, atoll(b));
    else if (!strcmp(a, "snap")) { if (r->restore_at_snap) run_snapshot_restore(r); }
    else { fprintf(stderr, "bad script line: %s\n", line); abort(); }
}

/* Runs the script; returns the output (caller frees). *error gets the first runtime error. */
static char *run_script(mb *b, const char *const *script, int restore_at_snap, uint64_t *late, char *error)
{
    run r = {0};
    r.b = b;
    r.restore_at_snap = restore_at_snap;
    op_t *op = make_op(b);
    if (!op) return xstrdup("(no operator)");
    run_attach(&r, op);
    type_t types[NIN];
    for (int i = 0; i < NIN; i++) types[i] = in_type(i);
    r.rows = chunk_new_types(NIN, types, CHUNK_CAP);
    for (int i = 0; script[i]; i++) run_line(&r, script[i]);
    run_flush(&r);
    run_detach(&r);
    chunk_free(r.rows);
    if (late) *late = r.late;
    if (error) snprintf(error, 512, "%s", r.error);
    return sb_take(&r.text);
}

/* Runs the script straight and with a checkpoint round trip at "snap"; both must give want. */
static void check_script(mb *b, const char *const *script, const char *want, uint64_t want_late)
{
    for (int restore = 0; restore <= 1; restore++) {
        uint64_t late = 0;
        char error[512];
        char *got = run_script(b, script, restore, &late, error);
        CHECK_EQ_STR(got, want);
        CHECK_EQ_STR(error, "");
        CHECK_EQ_INT(late, want_late);
        free(got);
    }
}

/* The script must fail at run time with an error containing `want`. */
static void check_fails(mb *b, const char *const *script, const char *want_output, const char *want_error)
{
    char error[512];
    char *got = run_script(b, script, 0, NULL, error);
    CHECK_EQ_STR(got, want_output);
    if (!strstr(error, want_error)) {
        fprintf(stderr, "error \"%s\" does not contain \"%s\"\n", error, want_error);
        CHECK(0);
    }
    free(got);
}

static expr_t *LT(expr_t *a, expr_t *b) { return CALL("<", a, b); }
static expr_t *GT(expr_t *a, expr_t *b) { return CALL(">", a, b); }
static expr_t *EQ(expr_t *a, expr_t *b) { return CALL("=", a, b); }

/* ---- the examples of Flink's "Pattern Recognition" page ---- */

/* PATTERN (START_ROW PRICE_DOWN+ PRICE_UP), AFTER MATCH SKIP TO LAST PRICE_UP. */
static void build_v_shape(mb *b)
{
    PATTERN(b, "START_ROW PRICE_DOWN+ PRICE_UP");
    expr_t *down = CALL("OR",
                        CALL("AND", CALL("IS NULL", LAST_(b, "PRICE_DOWN", C_V, 1)),
                             LT(LAST_(b, "PRICE_DOWN", C_V, 0), LAST_(b, "START_ROW", C_V, 0))),
                        LT(LAST_(b, "PRICE_DOWN", C_V, 0), LAST_(b, "PRICE_DOWN", C_V, 1)));
    DEFINE(b, "PRICE_DOWN", down);
    DEFINE(b, "PRICE_UP", GT(LAST_(b, "PRICE_UP", C_V, 0), LAST_(b, "PRICE_DOWN", C_V, 1)));
    MEASURE(b, LAST_(b, "START_ROW", C_TS, 0));
    MEASURE(b, LAST_(b, "PRICE_DOWN", C_TS, 0));
    MEASURE(b, LAST_(b, "PRICE_UP", C_TS, 0));
    b->skip = SKIP_TO_LAST;
    b->skip_var = "PRICE_UP";
}

TEST(docs_v_shaped_prices)
{
    mb b = {0};
    build_v_shape(&b);
    static const char *const script[] = {
        "ACME 12 - 0", "ACME 17 - 1", "ACME 19 - 2", "ACME 21 - 3", "ACME 25 - 4", "ACME 18 - 5",
        "wm 5",
        "snap",
        "ACME 15 - 6", "ACME 14 - 7", "ACME 24 - 8",
        "wm 8",                        /* 25 18 15 14 24 completes; 18.. and 15.. are skipped */
        "snap",
        "ACME 25 - 9", "ACME 19 - 10",
        "wm max",
        NULL,
    };
    check_script(&b, script, "WM 5s\n+I[ACME, 4s, 7s, 8s]\nWM 8s\nWM max\n", 0);

    /* the same V with PREV: PRICE_DOWN AS price < PREV(price), PRICE_UP AS price > PREV(price) */
    mb p = {0};
    PATTERN(&p, "START_ROW PRICE_DOWN+ PRICE_UP");
    DEFINE(&p, "PRICE_DOWN", LT(IN(C_V), PREV_(&p, C_V, 1)));
    DEFINE(&p, "PRICE_UP", GT(IN(C_V), PREV_(&p, C_V, 1)));
    MEASURE(&p, LAST_(&p, "START_ROW", C_TS, 0));
    MEASURE(&p, LAST_(&p, "PRICE_DOWN", C_TS, 0));
    MEASURE(&p, LAST_(&p, "PRICE_UP", C_TS, 0));
    check_script(&p, script, "WM 5s\n+I[ACME, 4s, 7s, 8s]\nWM 8s\nWM max\n", 0);
}

TEST(docs_v_shape_explain)
{
    mb b = {0};
    build_v_shape(&b);
    b.within_us = 3600 * US_PER_SEC;
    op_t *op = make_op(&b);
    CHECK(op != NULL);
    if (!op) return;
    sb_t sb = {0};
    op->vt->explain(op, &sb);
    CHECK_EQ_STR(sb_str(&sb),
                 "partitionBy=[k], orderBy=[ts ASC], measures=[LAST(START_ROW.ts, 0) AS m0, LAST(PRICE_DOWN.ts, 0) AS m1, "
                 "LAST(PRICE_UP.ts, 0) AS m2], rowsPerMatch=[ONE ROW PER MATCH], after=[SKIP TO LAST PRICE_UP], "
                 "pattern=[(START_ROW PRICE_DOWN+ PRICE_UP)], within=[1 h], define=[PRICE_DOWN AS "
                 "((LAST(PRICE_DOWN.v, 1) IS NULL) AND (LAST(PRICE_DOWN.v, 0) < LAST(START_ROW.v, 0))) OR "
                 "(LAST(PRICE_DOWN.v, 0) < LAST(PRICE_DOWN.v, 1)), PRICE_UP AS LAST(PRICE_UP.v, 0) > LAST(PRICE_DOWN.v, 1)]");
    CHECK_EQ_STR(op->vt->name, "Match");
    sb_free(&sb);
    op_destroy(op);
}

/* PATTERN (A B* C): A price > 10, B price < 15, C price > 12; greedy B* swallows 12, 13, 14. */
static void build_greedy_docs(mb *b, const char *pattern)
{
    PATTERN(b, pattern);
    DEFINE(b, "A", GT(IN(C_V), BIG(10)));
    DEFINE(b, "B", LT(IN(C_V), BIG(15)));
    DEFINE(b, "C", GT(IN(C_V), BIG(12)));
    MEASURE(b, LAST_(b, "C", C_V, 0));
}

TEST(docs_greedy_and_reluctant)
{
    static const char *const script[] = {
        "XYZ 10 - 2", "XYZ 11 - 3", "XYZ 12 - 4", "snap", "XYZ 13 - 5", "XYZ 14 - 6", "XYZ 16 - 7", "wm max", NULL,
    };
    mb greedy = {0};
    build_greedy_docs(&greedy, "A B* C");
    check_script(&greedy, script, "+I[XYZ, 16]\nWM max\n", 0);
    mb reluctant = {0};
    build_greedy_docs(&reluctant, "A B*? C");
    check_script(&reluctant, script, "+I[XYZ, 13]\n+I[XYZ, 16]\nWM max\n", 0);
}

/* PATTERN (A+ B) DEFINE A AS AVG(A.price) < 15: the average runs over the rows mapped so far
 * plus the candidate. */
TEST(docs_aggregation_in_define)
{
    mb b = {0};
    PATTERN(&b, "A+ B");
    DEFINE(&b, "A", LT(AGG_(&b, "AVG", "A", C_D), LIT("DOUBLE", "15")));
    MEASURE(&b, FIRST_(&b, "A", C_TS, 0));
    MEASURE(&b, LAST_(&b, "A", C_TS, 0));
    MEASURE(&b, AGG_(&b, "AVG", "A", C_D));
    static const char *const script[] = {
        "ACME 12 - 0", "ACME 17 - 1", "ACME 13 - 2", "ACME 16 - 3", "ACME 25 - 4", "ACME 2 - 5",
        "wm 4",
        "snap",
        "ACME 4 - 6", "ACME 10 - 7", "ACME 15 - 8", "ACME 25 - 9", "ACME 25 - 10", "ACME 30 - 11",
        "wm 10",
        "snap",                        /* the 6 s match is complete and waits for the 5 s one */
        "wm max",
        NULL,
    };
    /* the match starting at 6 s completes first (at 10 s) but waits for the one that began
     * at 5 s, which completes at 11 s and prunes it */
    check_script(&b, script, "+I[ACME, 0s, 3s, 14.5]\nWM 4s\nWM 10s\n+I[ACME, 5s, 10s, 13.5]\nWM max\n", 0);
}

/* PATTERN (A+ C) DEFINE A AS SUM(A.price) < 30 under each AFTER MATCH strategy. */
static void build_skip(mb *b, match_skip skip, const char *var)
{
    PATTERN(b, "A+ C");
    DEFINE(b, "A", LT(AGG_(b, "SUM", "A", C_V), BIG(30)));
    MEASURE(b, AGG_(b, "SUM", "A", C_V));
    MEASURE(b, FIRST_(b, NULL, C_TS, 0));
    MEASURE(b, LAST_(b, NULL, C_TS, 0));
    b->skip = skip;
    b->skip_var = var;
}

static const char *const SKIP_ROWS[] = {
    "XYZ 7 - 1", "XYZ 9 - 2", "XYZ 10 - 3", "XYZ 5 - 4", "snap", "XYZ 10 - 5", "XYZ 7 - 6", "XYZ 14 - 7", "wm max", NULL,
};

TEST(docs_skip_past_last_row)
{
    mb b = {0};
    build_skip(&b, SKIP_PAST_LAST_ROW, NULL);
    check_script(&b, SKIP_ROWS, "+I[XYZ, 26, 1s, 4s]\n+I[XYZ, 17, 5s, 7s]\nWM max\n", 0);
}

TEST(docs_skip_to_next_row)
{
    mb b = {0};
    build_skip(&b, SKIP_TO_NEXT_ROW, NULL);
    check_script(&b, SKIP_ROWS,
                 "+I[XYZ, 26, 1s, 4s]\n+I[XYZ, 24, 2s, 5s]\n+I[XYZ, 25, 3s, 6s]\n+I[XYZ, 22, 4s, 7s]\n+I[XYZ, 17, 5s, 7s]\nWM max\n", 0);
}

TEST(docs_skip_to_last_variable)
{
    mb b = {0};
    build_skip(&b, SKIP_TO_LAST, "A");
    check_script(&b, SKIP_ROWS, "+I[XYZ, 26, 1s, 4s]\n+I[XYZ, 25, 3s, 6s]\n+I[XYZ, 17, 5s, 7s]\nWM max\n", 0);
}

TEST(skip_to_first_variable)
{
    /* SKIP TO FIRST C resumes at the match's C row: the 4 s row starts the next match */
    mb b = {0};
    build_skip(&b, SKIP_TO_FIRST, "C");
    check_script(&b, SKIP_ROWS, "+I[XYZ, 26, 1s, 4s]\n+I[XYZ, 22, 4s, 7s]\nWM max\n", 0);
}

TEST(docs_skip_to_first_variable_fails)
{
    mb b = {0};
    build_skip(&b, SKIP_TO_FIRST, "A");
    check_fails(&b, SKIP_ROWS, "", "AFTER MATCH SKIP TO FIRST A would resume at the first row of the match");
}

TEST(skip_to_variable_without_rows_fails)
{
    /* PATTERN (A B* C) AFTER MATCH SKIP TO LAST B: the first match maps no row to B */
    mb b = {0};
    PATTERN(&b, "A B* C");
    DEFINE(&b, "A", EQ(IN(C_V), BIG(1)));
    DEFINE(&b, "B", EQ(IN(C_V), BIG(2)));
    DEFINE(&b, "C", EQ(IN(C_V), BIG(3)));
    MEASURE(&b, LAST_(&b, NULL, C_TS, 0));
    b.skip = SKIP_TO_LAST;
    b.skip_var = "B";
    static const char *const with_b[] = {"a 1 - 1", "a 2 - 2", "a 3 - 3", "wm 3", NULL};
    check_script(&b, with_b, "+I[a, 3s]\nWM 3s\n", 0);
    static const char *const without_b[] = {"a 1 - 1", "a 3 - 2", "wm 3", NULL};
    check_fails(&b, without_b, "", "AFTER MATCH SKIP TO LAST B: the match found maps no row to B");
}

/* PATTERN (A B+) DEFINE B AS B.price > A.price AND SUM(price) < 100 AND SUM(B.price) < 80: a
 * greedy quantifier at the end (Flink rejects it; eddy completes the match when the next row
 * cannot continue it). */
static void build_referencing(mb *b)
{
    PATTERN(b, "A B+");
    DEFINE(b, "A", CALL(">=", LAST_(b, "A", C_V, 0), BIG(10)));
    DEFINE(b, "B", CALL("AND", CALL("AND", GT(LAST_(b, "B", C_V, 0), LAST_(b, "A", C_V, 0)), LT(AGG_(b, "SUM", NULL, C_V), BIG(100))),
                        LT(AGG_(b, "SUM", "B", C_V), BIG(80))));
    MEASURE(b, FIRST_(b, "B", C_TS, 0));
    MEASURE(b, LAST_(b, "B", C_TS, 0));
    MEASURE(b, AGG_(b, "SUM", NULL, C_V));
    MEASURE(b, AGG_(b, "SUM", "B", C_V));
}

TEST(docs_pattern_variable_referencing)
{
    mb b = {0};
    build_referencing(&b);
    static const char *const script[] = {
        "a 10 - 1", "a 15 - 2", "a 20 - 3", "a 31 - 4",
        "wm 4",                        /* B+ might still grow: nothing yet */
        "snap",
        "a 35 - 5",                    /* SUM(price) would be 111: the match ends at 31 */
        "wm 5",
        "wm max",
        NULL,
    };
    check_script(&b, script, "WM 4s\n+I[a, 2s, 4s, 76, 66]\nWM 5s\nWM max\n", 0);
}

TEST(greedy_end_completes_at_end_of_input)
{
    mb b = {0};
    build_referencing(&b);
    static const char *const script[] = {"a 10 - 1", "a 15 - 2", "snap", "a 20 - 3", "wm 3", "wm max", NULL};
    check_script(&b, script, "WM 3s\n+I[a, 2s, 3s, 45, 35]\nWM max\n", 0);
}

TEST(docs_logical_offsets)
{
    /* B AS (LAST(B.price, 1) IS NULL OR B.price > LAST(B.price, 1)) AND
     *      (LAST(B.price, 2) IS NULL OR B.price > 2 * LAST(B.price, 2)) */
    mb b = {0};
    PATTERN(&b, "A B+");
    DEFINE(&b, "A", CALL(">=", IN(C_V), BIG(10)));
    expr_t *rising = CALL("OR", CALL("IS NULL", LAST_(&b, "B", C_V, 1)), GT(IN(C_V), LAST_(&b, "B", C_V, 1)));
    expr_t *doubling = CALL("OR", CALL("IS NULL", LAST_(&b, "B", C_V, 2)), GT(IN(C_V), CALL("*", BIG(2), LAST_(&b, "B", C_V, 2))));
    DEFINE(&b, "B", CALL("AND", rising, doubling));
    MEASURE(&b, FIRST_(&b, "B", C_V, 0));
    MEASURE(&b, LAST_(&b, "B", C_V, 0));
    static const char *const script[] = {"a 10 - 1", "a 15 - 2", "a 20 - 3", "snap", "a 31 - 4", "a 35 - 5", "wm max", NULL};
    check_script(&b, script, "+I[a, 15, 31]\nWM max\n", 0);

    /* PATTERN (A B? C) DEFINE B AS B.price < 20, C AS LAST(price, 1) < C.price: LAST over
     * every variable sees B's row when B took one and A's when it did not */
    mb o = {0};
    PATTERN(&o, "A B? C");
    DEFINE(&o, "B", LT(IN(C_V), BIG(20)));
    DEFINE(&o, "C", LT(LAST_(&o, NULL, C_V, 1), IN(C_V)));
    MEASURE(&o, LAST_(&o, NULL, C_V, 1));
    MEASURE(&o, AGG_(&o, "COUNT", "B", -1));
    static const char *const with_b[] = {"a 10 - 1", "a 15 - 2", "a 20 - 3", "wm max", NULL};
    check_script(&o, with_b, "+I[a, 15, 1]\nWM max\n", 0);
    static const char *const without_b[] = {"a 10 - 1", "a 20 - 2", "wm max", NULL};
    check_script(&o, without_b, "+I[a, 10, 0]\nWM max\n", 0);
}

/* PATTERN (A B* C) WITHIN INTERVAL '1' HOUR: a price drop of more than 10 within an hour. */
static void build_drop(mb *b)
{
    PATTERN(b, "A B* C");
    DEFINE(b, "B", GT(IN(C_V), CALL("-", LAST_(b, "A", C_V, 0), BIG(10))));
    DEFINE(b, "C", LT(IN(C_V), CALL("-", LAST_(b, "A", C_V, 0), BIG(10))));
    MEASURE(b, LAST_(b, "C", C_TS, 0));
    MEASURE(b, CALL("-", LAST_(b, "A", C_V, 0), LAST_(b, "C", C_V, 0)));
    b->within_us = 3600 * US_PER_SEC;
}

TEST(docs_within_price_drop)
{
    mb b = {0};
    build_drop(&b);
    /* 10:00 is 0 s; the drop from 20 (10:00) to 9 (11:40) takes longer than an hour; the one
     * from 15 (12:00) to 1 (13:00) takes exactly an hour, which is within it */
    static const char *const script[] = {
        "ACME 20 - 0", "ACME 17 - 1200", "ACME 18 - 2400", "ACME 11 - 3600", "ACME 14 - 4800", "ACME 9 - 6000",
        "wm 6000",
        "snap",
        "ACME 15 - 7200", "ACME 14 - 8400", "ACME 24 - 9600", "ACME 1 - 10800", "ACME 19 - 12000",
        "wm max",
        NULL,
    };
    check_script(&b, script, "WM 6000s\n+I[ACME, 10800s, 14]\nWM max\n", 0);
    /* one millisecond later the 12:00 start is out of range and the 12:20 one (14) matches */
    static const char *const later[] = {
        "ACME 15 - 7200", "ACME 14 - 8400", "ACME 24 - 9600", "ACME 1 - 10800.001", "wm max", NULL,
    };
    check_script(&b, later, "+I[ACME, 10800.001s, 13]\nWM max\n", 0);
}

/* ---- login failures and order payments ---- */

static void build_login(mb *b)
{
    PATTERN(b, "F1 F2");
    DEFINE(b, "F1", EQ(IN(C_S), STR("fail")));
    DEFINE(b, "F2", CALL("LIKE", IN(C_S), STR("fail%")));
    MEASURE(b, LAST_(b, "F1", C_TS, 0));
    MEASURE(b, LAST_(b, "F2", C_TS, 0));
    b->within_us = 2 * US_PER_SEC;
}

TEST(malicious_logins_within_two_seconds)
{
    mb b = {0};
    build_login(&b);
    static const char *const script[] = {
        "u1 0 fail 1", "u1 0 failed-password-for-a-long-time 2",   /* 1 s apart: match */
        "u2 0 fail 1", "u2 0 fail 3.5",                     /* 2.5 s: too far */
        "u3 0 fail 10", "u3 0 fail 12",                     /* exactly 2 s: match */
        "u4 0 fail 20", "u4 0 fail 22.001",                 /* just over: none */
        "u5 0 fail 30", "u5 0 ok 30.5", "u5 0 fail 31",     /* not consecutive */
        "user-with-a-long-name-6 0 fail 40", "user-with-a-long-name-6 0 fail 40.5",
        "user-with-a-long-name-6 0 fail 41",                /* past last row: one match */
        "keys 6",
        "wm 3.5",
        "keys 5",                      /* u1 is done; u2's 3.5 s failure may still pair */
        "snap",
        "wm 5.499",
        "keys 5",
        "wm 5.5",
        "keys 4",                      /* no later failure can be within 2 s of it */
        "wm max",
        "keys 0",
        NULL,
    };
    check_script(&b, script,
                 "+I[u1, 1s, 2s]\nWM 3.500s\nWM 5.499s\nWM 5.500s\n+I[u3, 10s, 12s]\n+I[user-with-a-long-name-6, 40s, 40.500s]\nWM max\n", 0);
}

TEST(within_expires_on_the_watermark)
{
    mb b = {0};
    build_login(&b);
    static const char *const script[] = {
        "u 0 fail 1", "wm 2.999", "keys 1", "snap", "wm 3", "keys 0", "u 0 fail 3.5", "wm max", NULL,
    };
    check_script(&b, script, "WM 2.999s\nWM 3s\nWM max\n", 0);
}

TEST(order_paid_within_fifteen_minutes)
{
    mb b = {0};
    PATTERN(&b, "CREATE OTHER*? PAY");
    DEFINE(&b, "CREATE", EQ(IN(C_S), STR("create")));
    DEFINE(&b, "PAY", EQ(IN(C_S), STR("pay")));
    MEASURE(&b, LAST_(&b, "CREATE", C_TS, 0));
    MEASURE(&b, LAST_(&b, "PAY", C_TS, 0));
    MEASURE(&b, AGG_(&b, "COUNT", "OTHER", -1));
    b.within_us = 15 * 60 * US_PER_SEC;
    static const char *const script[] = {
        "o1 0 create 0", "o2 0 create 0", "o3 0 create 0", "o3 0 remind 60",
        "o1 0 ship 300", "o1 0 pay 600",
        "o4 0 pay 100",
        "wm 600",
        "snap",
        "o2 0 pay 901",                                     /* 15 min 1 s after creation */
        "o3 0 pay 900",                                     /* exactly 15 min: paid in time */
        "wm max",
        NULL,
    };
    check_script(&b, script, "+I[o1, 0s, 600s, 1]\nWM 600s\n+I[o3, 0s, 900s, 1]\nWM max\n", 0);
}

/* ---- quantifiers, greedy and reluctant ---- */

/* A = 1, B = 5, C >= 5 (C overlaps B); rows 1 5 5 5 9 at 1..5 s. Output: first, last,
 * COUNT(A), COUNT(B), COUNT(C). */
static void check_quantifier(const char *pattern, const char *want)
{
    mb b = {0};
    PATTERN(&b, pattern);
    DEFINE(&b, "A", EQ(IN(C_V), BIG(1)));
    DEFINE(&b, "B", EQ(IN(C_V), BIG(5)));
    DEFINE(&b, "C", CALL(">=", IN(C_V), BIG(5)));
    static const char *const vars[] = {"A", "B", "C", NULL};
    MEASURE_SPAN(&b, vars);
    static const char *const script[] = {"a 1 - 1", "a 5 - 2", "snap", "a 5 - 3", "a 5 - 4", "a 9 - 5", "wm max", NULL};
    char expect[256];
    snprintf(expect, sizeof expect, "%s%sWM max\n", want, *want ? "\n" : "");
    check_script(&b, script, expect, 0);
}

TEST(quantifiers_greedy_and_reluctant)
{
    check_quantifier("A B* C", "+I[a, 1s, 5s, 1, 3, 1]");
    check_quantifier("A B*? C", "+I[a, 1s, 2s, 1, 0, 1]");
    check_quantifier("A B+ C", "+I[a, 1s, 5s, 1, 3, 1]");
    check_quantifier("A B+? C", "+I[a, 1s, 3s, 1, 1, 1]");
    check_quantifier("A B? C", "+I[a, 1s, 3s, 1, 1, 1]");
    check_quantifier("A B?? C", "+I[a, 1s, 2s, 1, 0, 1]");
    check_quantifier("A B{2} C", "+I[a, 1s, 4s, 1, 2, 1]");
    check_quantifier("A B{3} C", "+I[a, 1s, 5s, 1, 3, 1]");
    check_quantifier("A B{4} C", "");
    check_quantifier("A B{1,2} C", "+I[a, 1s, 4s, 1, 2, 1]");
    check_quantifier("A B{1,2}? C", "+I[a, 1s, 3s, 1, 1, 1]");
    check_quantifier("A B{2,} C", "+I[a, 1s, 5s, 1, 3, 1]");
    check_quantifier("A B{2,}? C", "+I[a, 1s, 4s, 1, 2, 1]");
    check_quantifier("A B{,2} C", "+I[a, 1s, 4s, 1, 2, 1]");
    check_quantifier("A B{,2}? C", "+I[a, 1s, 2s, 1, 0, 1]");
    check_quantifier("A B{0,1} C", "+I[a, 1s, 3s, 1, 1, 1]");
    /* quantifiers at the end: greedy takes all it can, reluctant stops at the minimum */
    check_quantifier("A B+", "+I[a, 1s, 4s, 1, 3, 0]");
    check_quantifier("A B+?", "+I[a, 1s, 2s, 1, 1, 0]");
    check_quantifier("A B{2,3}?", "+I[a, 1s, 3s, 1, 2, 0]");
    check_quantifier("A C*", "+I[a, 1s, 5s, 1, 0, 4]");
    check_quantifier("A C{1,2}", "+I[a, 1s, 3s, 1, 0, 2]");
}

TEST(greedy_does_not_backtrack)
{
    /* A B* C with C = 5 exactly: greedy B* takes both 5s and C finds only 9 (Flink's NFA keeps
     * no alternative), so nothing matches; reluctant B*? matches 1 5 */
    static const char *const script[] = {"a 1 - 1", "a 5 - 2", "a 5 - 3", "a 9 - 4", "wm max", NULL};
    static const char *const vars[] = {"A", "B", "C", NULL};
    mb g = {0};
    PATTERN(&g, "A B* C");
    DEFINE(&g, "A", EQ(IN(C_V), BIG(1)));
    DEFINE(&g, "B", EQ(IN(C_V), BIG(5)));
    DEFINE(&g, "C", EQ(IN(C_V), BIG(5)));
    MEASURE_SPAN(&g, vars);
    check_script(&g, script, "WM max\n", 0);
    mb r = {0};
    PATTERN(&r, "A B*? C");
    DEFINE(&r, "A", EQ(IN(C_V), BIG(1)));
    DEFINE(&r, "B", EQ(IN(C_V), BIG(5)));
    DEFINE(&r, "C", EQ(IN(C_V), BIG(5)));
    MEASURE_SPAN(&r, vars);
    check_script(&r, script, "+I[a, 1s, 2s, 1, 0, 1]\nWM max\n", 0);
}

/* ---- groups ---- */

/* A < 10, B >= 10, C < 5 or > 100; rows 1 11 2 12 200 at 1..5 s. */
static void check_group(const char *pattern, const char *want)
{
    mb b = {0};
    PATTERN(&b, pattern);
    DEFINE(&b, "A", LT(IN(C_V), BIG(10)));
    DEFINE(&b, "B", CALL(">=", IN(C_V), BIG(10)));
    DEFINE(&b, "C", CALL("OR", LT(IN(C_V), BIG(5)), GT(IN(C_V), BIG(100))));
    static const char *const vars[] = {"A", "B", "C", NULL};
    MEASURE_SPAN(&b, vars);
    static const char *const script[] = {"g 1 - 1", "g 11 - 2", "g 2 - 3", "snap", "g 12 - 4", "g 200 - 5", "wm max", NULL};
    char expect[256];
    snprintf(expect, sizeof expect, "%s%sWM max\n", want, *want ? "\n" : "");
    check_script(&b, script, expect, 0);
}

TEST(groups_with_quantifiers)
{
    check_group("(A B)+ C", "+I[g, 1s, 5s, 2, 2, 1]");
    check_group("(A B)+? C", "+I[g, 1s, 3s, 1, 1, 1]");
    check_group("(A B){2} C", "+I[g, 1s, 5s, 2, 2, 1]");
    check_group("(A B){3} C", "");
    check_group("(A B)* C", "+I[g, 1s, 5s, 2, 2, 1]");
    /* reluctant: C alone wins wherever it can take the row */
    check_group("(A B)*? C", "+I[g, 1s, 1s, 0, 0, 1]\n+I[g, 3s, 3s, 0, 0, 1]\n+I[g, 5s, 5s, 0, 0, 1]");
    check_group("(A (B))+", "+I[g, 1s, 4s, 2, 2, 0]");
}

/* ---- navigation ---- */

TEST(navigation_functions)
{
    /* PATTERN (A B{2} C) DEFINE A AS v = 1, C AS C.v > PREV(v, 1): a row before the match
     * (0 at 1 s) is reachable with PREV, rows before the partition are NULL */
    mb b = {0};
    PATTERN(&b, "A B{2} C");
    DEFINE(&b, "A", EQ(IN(C_V), BIG(1)));
    DEFINE(&b, "C", GT(IN(C_V), PREV_(&b, C_V, 1)));
    MEASURE(&b, CLASSIFIER_(&b));
    MEASURE(&b, PREV_(&b, C_V, 4));
    MEASURE(&b, PREV_(&b, C_V, 5));
    MEASURE(&b, FIRST_(&b, "B", C_V, 1));
    MEASURE(&b, LAST_(&b, "B", C_V, 1));
    MEASURE(&b, FIRST_(&b, "B", C_V, 2));
    MEASURE(&b, LAST_(&b, NULL, C_V, 1));
    MEASURE(&b, ROWTIME_(&b));
    MEASURE(&b, AGG_(&b, "MIN", "B", C_V));
    MEASURE(&b, AGG_(&b, "COUNT", NULL, -1));
    static const char *const script[] = {"n 0 - 1", "n 1 - 2", "n 2 - 3", "snap", "n 3 - 4", "n 4 - 5", "wm max", NULL};
    check_script(&b, script, "+I[n, C, 0, NULL, 3, 2, NULL, 3, 5s, 2, 4]\nWM max\n", 0);
    /* C is not taken when it does not rise */
    static const char *const flat[] = {"n 1 - 2", "n 2 - 3", "n 3 - 4", "n 3 - 5", "wm max", NULL};
    check_script(&b, flat, "WM max\n", 0);
}

TEST(classifier_and_prev_in_define)
{
    /* PATTERN (UP+? DOWN): UP rises over the previous row, DOWN falls; the classifier of the
     * last row is DOWN */
    mb b = {0};
    PATTERN(&b, "UP+? DOWN");
    DEFINE(&b, "UP", GT(IN(C_V), PREV_(&b, C_V, 1)));
    DEFINE(&b, "DOWN", LT(IN(C_V), PREV_(&b, C_V, 1)));
    MEASURE(&b, FIRST_(&b, NULL, C_TS, 0));
    MEASURE(&b, LAST_(&b, NULL, C_TS, 0));
    MEASURE(&b, CLASSIFIER_(&b));
    static const char *const script[] = {"p 1 - 1", "p 2 - 2", "p 3 - 3", "wm 3", "snap", "p 2 - 4", "p 5 - 5", "p 4 - 6", "wm max", NULL};
    check_script(&b, script, "WM 3s\n+I[p, 2s, 4s, DOWN]\n+I[p, 5s, 6s, DOWN]\nWM max\n", 0);
}

TEST(many_threads_and_long_matches)
{
    /* A (always) B* (v < 100) C (v = 100): every row starts a thread and all 1100 stay alive,
     * so DEFINE runs over more than a chunk of candidates, and the match's aggregates gather
     * more than a chunk of rows */
    mb b = {0};
    PATTERN(&b, "A B* C");
    DEFINE(&b, "B", LT(IN(C_V), BIG(100)));
    DEFINE(&b, "C", EQ(IN(C_V), BIG(100)));
    MEASURE(&b, FIRST_(&b, NULL, C_TS, 0));
    MEASURE(&b, LAST_(&b, NULL, C_TS, 0));
    MEASURE(&b, AGG_(&b, "COUNT", "B", -1));
    MEASURE(&b, AGG_(&b, "SUM", "B", C_V));
    MEASURE(&b, LAST_(&b, "B", C_V, 1048));
    enum { N = 1100 };
    static char rows[N + 1][48];
    const char *script[N + 4];
    int n = 0;
    for (int i = 0; i < N; i++) {
        snprintf(rows[i], sizeof rows[i], "m %d - %d", i % 50, i + 1);
        script[n++] = rows[i];
    }
    script[n++] = "wm 1100";
    script[n++] = "m 100 - 1101";
    script[n++] = "wm max";
    script[n] = NULL;
    uint64_t late = 0;
    char error[512];
    char *got = run_script(&b, script, 0, &late, error);
    /* LAST(B.v, 1048) is row 1099 - 1048 = 51: v 1 */
    CHECK_EQ_STR(got, "WM 1100s\n+I[m, 1s, 1101s, 1099, 26950, 1]\nWM max\n");
    CHECK_EQ_STR(error, "");
    free(got);
}

/* ---- time ---- */

TEST(out_of_order_rows_and_late_rows)
{
    mb b = {0};
    PATTERN(&b, "A B* C");
    DEFINE(&b, "A", EQ(IN(C_V), BIG(1)));
    DEFINE(&b, "B", EQ(IN(C_V), BIG(5)));
    DEFINE(&b, "C", CALL(">=", IN(C_V), BIG(5)));
    static const char *const vars[] = {"A", "B", "C", NULL};
    MEASURE_SPAN(&b, vars);
    static const char *const script[] = {
        "a 5 - 3", "a 1 - 1", "a 5 - 2",
        "wm 3",
        "a 7 - 3",                     /* at the watermark: late */
        "a 7 - 2.5",                   /* behind it: late */
        "snap",
        "a 9 - 5", "a 5 - 3.001",      /* just after it: in time, and before 5 s */
        "wm max",
        NULL,
    };
    check_script(&b, script, "WM 3s\n+I[a, 1s, 5s, 1, 3, 1]\nWM max\n", 2);
}

TEST(equal_times_keep_arrival_order_and_partitions_are_separate)
{
    mb b = {0};
    PATTERN(&b, "A B");
    DEFINE(&b, "A", EQ(IN(C_S), STR("a")));
    DEFINE(&b, "B", EQ(IN(C_S), STR("b")));
    MEASURE(&b, LAST_(&b, "A", C_V, 0));
    MEASURE(&b, LAST_(&b, "B", C_V, 0));
    static const char *const script[] = {
        "x 1 a 1", "y 2 a 1", "x 3 b 1", "y 4 a 2", "snap", "y 5 b 2", "x 6 a 2", "x 7 b 2", "null 8 a 3", "null 9 b 3",
        "keys 3",
        "wm max",
        "keys 0",
        NULL,
    };
    check_script(&b, script, "+I[x, 1, 3]\n+I[x, 6, 7]\n+I[y, 4, 5]\n+I[NULL, 8, 9]\nWM max\n", 0);
}

TEST(state_is_released)
{
    mb b = {0};
    PATTERN(&b, "A B+? C");
    DEFINE(&b, "A", EQ(IN(C_S), STR("a")));
    DEFINE(&b, "C", EQ(IN(C_S), STR("c")));
    MEASURE(&b, AGG_(&b, "COUNT", "B", -1));
    static const char *const script[] = {
        "k 0 a 1", "k 0 x 2", "k 0 x 3", "wm 3", "keys 1",
        "snap",
        "k 0 c 4", "m 0 z 5", "keys 2",
        "wm 4", "keys 1",              /* k's match was emitted and nothing of k is needed */
        "wm 5", "keys 0",              /* m took nothing */
        "wm max", "keys 0",
        NULL,
    };
    check_script(&b, script, "WM 3s\n+I[k, 2]\nWM 4s\nWM 5s\nWM max\n", 0);
}

TEST(processing_time)
{
    mb b = {0};
    build_login(&b);
    b.proctime = 1;
    b.measures[0] = ROWTIME_(&b);
    b.nmeasures = 1;
    static const char *const script[] = {
        "clock 1", "u 0 fail 0",
        "clock 2.5", "u 0 fail 0",     /* 1.5 s later: match at the clock's time */
        "clock 10", "v 0 fail 0",
        "timer 12", "keys 1",          /* exactly 2 s: a failure now would still pair */
        "timer 12.001", "keys 0",
        "clock 20", "w 0 fail 0",
        "clock 23", "w 0 fail 0",      /* 3 s: the first one ended before this row */
        "keys 1",
        "finish", "keys 0",
        NULL,
    };
    ctx.now_us = fake_clock;
    uint64_t late = 0;
    char error[512];
    char *got = run_script(&b, script, 0, &late, error);
    CHECK_EQ_STR(got, "+I[u, 2.500s]\n");
    CHECK_EQ_STR(error, "");
    free(got);
    ctx.now_us = NULL;
}

/* ---- randomized: streaming equals one batch run ---- */

static int cmp_lines(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The output's row lines (watermarks left out), sorted: partitions may interleave differently. */
static char *sorted_rows(const char *text)
{
    char *copy = xstrdup(text), *lines[4096];
    int n = 0;
    for (char *save, *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (strncmp(line, "WM", 2) && n < 4096) lines[n++] = line;
    qsort(lines, (size_t)n, sizeof *lines, cmp_lines);
    sb_t sb = {0};
    for (int i = 0; i < n; i++) sb_printf(&sb, "%s\n", lines[i]);
    free(copy);
    return sb_take(&sb);
}

static void build_random(mb *b, int variant)
{
    static const char *const patterns[] = {"A B* C", "A B*? C", "A+ C", "(A B)+ C", "A B{1,3} C", "A B+", "A (B C)*? C", "A B? C?"};
    PATTERN(b, patterns[variant % 8]);
    DEFINE(b, "A", LT(IN(C_V), BIG(4)));
    if (variant % 3 == 0) DEFINE(b, "B", GT(IN(C_V), PREV_(b, C_V, 1)));
    else DEFINE(b, "B", CALL("AND", CALL(">=", IN(C_V), BIG(3)), LT(AGG_(b, "SUM", "B", C_V), BIG(25))));
    DEFINE(b, "C", CALL(">=", IN(C_V), BIG(6)));
    static const char *const vars[] = {"A", "B", "C", NULL};
    MEASURE_SPAN(b, vars);
    MEASURE(b, AGG_(b, "SUM", NULL, C_V));
    b->skip = variant % 2 ? SKIP_TO_NEXT_ROW : SKIP_PAST_LAST_ROW;
    b->within_us = variant % 4 >= 2 ? 6 * US_PER_SEC : 0;
}

TEST(random_streams_equal_batch)
{
    srand(7);
    for (int variant = 0; variant < 48; variant++) {
        mb b = {0};
        build_random(&b, variant);
        enum { NROWS = 240 };
        static char rows[NROWS][48];
        for (int i = 0; i < NROWS; i++)
            snprintf(rows[i], sizeof rows[i], "%c %d - %.3f", "pqr"[rand() % 3], rand() % 10, 1 + i * 0.5 + (rand() % 400) / 1000.0);
        const char *batch[NROWS + 2];
        for (int i = 0; i < NROWS; i++) batch[i] = rows[i];
        batch[NROWS] = "wm max";
        batch[NROWS + 1] = NULL;
        /* the stream: blocks shuffled inside, a watermark just before the next block, snapshots */
        static char wms[NROWS][32];
        const char *stream[3 * NROWS + 4];
        int n = 0, order[16];
        for (int start = 0; start < NROWS;) {
            int len = 1 + rand() % 15;
            if (start + len > NROWS) len = NROWS - start;
            for (int i = 0; i < len; i++) order[i] = start + i;
            for (int i = len - 1; i > 0; i--) {
                int j = rand() % (i + 1), t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int i = 0; i < len; i++) stream[n++] = rows[order[i]];
            start += len;
            if (start < NROWS && rand() % 2) {
                snprintf(wms[start], sizeof wms[start], "wm %.3f", 1 + start * 0.5 - 0.001);
                stream[n++] = wms[start];
            }
            if (rand() % 4 == 0) stream[n++] = "snap";
        }
        stream[n++] = "wm max";
        stream[n] = NULL;
        uint64_t late = 1;
        char error[512];
        char *want = run_script(&b, batch, 0, NULL, error);
        CHECK_EQ_STR(error, "");
        char *want_rows = sorted_rows(want);
        for (int restore = 0; restore <= 1; restore++) {
            char *got = run_script(&b, stream, restore, &late, error);
            char *got_rows = sorted_rows(got);
            CHECK_EQ_STR(got_rows, want_rows);
            CHECK_EQ_INT(late, 0);
            free(got_rows);
            free(got);
        }
        CHECK(strlen(want_rows) > 0);
        free(want_rows);
        free(want);
    }
}

/* ---- construction errors ---- */

static const char *construct_error(mb *b)
{
    static char msg[512];
    op_t *op = make_op(b);
    snprintf(msg, sizeof msg, "%s", op ? "" : err_message());
    err_clear();
    if (op) op_destroy(op);
    return msg;
}

TEST(construction_errors)
{
    mb empty = {0};
    PATTERN(&empty, "A* B?");
    CHECK(strstr(construct_error(&empty), "Patterns that can produce empty matches are not supported") != NULL);
    mb nullable_group = {0};
    PATTERN(&nullable_group, "S (A? B?)+");
    CHECK(strstr(construct_error(&nullable_group), "a group repeated by a quantifier must not match zero rows") != NULL);
    mb huge = {0};
    PATTERN(&huge, "A{20000}");
    CHECK(strstr(construct_error(&huge), "more than 10000 states") != NULL);
    mb not_bool = {0};
    PATTERN(&not_bool, "A");
    not_bool.define[var_of(&not_bool, "A")] = IN(C_V);
    CHECK(strstr(construct_error(&not_bool), "DEFINE A must be a BOOLEAN condition, not BIGINT") != NULL);
    mb fine = {0};
    PATTERN(&fine, "A (B C)* D");
    CHECK_EQ_STR(construct_error(&fine), "");
}

int main(void)
{
    helpers_init();
    RUN(docs_v_shaped_prices);
    RUN(docs_v_shape_explain);
    RUN(docs_greedy_and_reluctant);
    RUN(docs_aggregation_in_define);
    RUN(docs_skip_past_last_row);
    RUN(docs_skip_to_next_row);
    RUN(docs_skip_to_last_variable);
    RUN(skip_to_first_variable);
    RUN(docs_skip_to_first_variable_fails);
    RUN(skip_to_variable_without_rows_fails);
    RUN(docs_pattern_variable_referencing);
    RUN(greedy_end_completes_at_end_of_input);
    RUN(docs_logical_offsets);
    RUN(docs_within_price_drop);
    RUN(malicious_logins_within_two_seconds);
    RUN(within_expires_on_the_watermark);
    RUN(order_paid_within_fifteen_minutes);
    RUN(quantifiers_greedy_and_reluctant);
    RUN(greedy_does_not_backtrack);
    RUN(groups_with_quantifiers);
    RUN(navigation_functions);
    RUN(classifier_and_prev_in_define);
    RUN(many_threads_and_long_matches);
    RUN(out_of_order_rows_and_late_rows);
    RUN(equal_times_keep_arrival_order_and_partitions_are_separate);
    RUN(state_is_released);
    RUN(processing_time);
    RUN(random_streams_equal_batch);
    RUN(construction_errors);
    helpers_done();
    return CHECK_DONE();
}
