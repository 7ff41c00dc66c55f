/* test_ops_stateless.c - Calc (filter + projections, with and without a selection vector),
 * Union (minimum watermark, finish after every input), the source adapter Scan over a fake
 * source (computed columns, per-chunk and on-event watermarks, late rows, end of input) and
 * the Sink operator over a fake sink (-U dropped for primary-key tables only). */
#include "check.h"
#include "ops/ops.h"
#include "expr/func.h"
#include "base/util.h"
#include "base/err.h"
#include <stdlib.h>

/* ---- a capture operator: rows as "+I[a, 3]" lines, watermarks as "WM 25s", end as "END" ---- */

typedef struct capture {
    op_t op;
    sb_t log;
    int chunks;
    const void *first_col_data;    /* data pointer of column 0 of the last chunk seen */
    type_t first_col_type;
} capture;

static void log_row(sb_t *log, const chunk_t *in, uint32_t r)
{
    sb_printf(log, "%s[", row_op_names[in->ops[r]]);
    for (uint32_t col = 0; col < in->ncols; col++) {
        value_t v;
        vector_get(&in->cols[col], r, &v);
        if (col) sb_puts(log, ", ");
        value_format_print(in->cols[col].type, &v, log);
    }
    sb_puts(log, "]\n");
}

static int capture_push(op_t *op, int port, chunk_t *in)
{
    capture *c = (capture *)op;
    c->chunks++;
    c->first_col_data = in->ncols ? in->cols[0].data : NULL;
    if (in->ncols) c->first_col_type = in->cols[0].type;
    for (uint32_t i = 0; i < chunk_live(in); i++) log_row(&c->log, in, chunk_row(in, i));
    return 0;
}

static void log_ts(sb_t *log, const char *what, int64_t ts)
{
    if (ts == TS_MAX) sb_printf(log, "%s MAX\n", what);
    else if (ts % US_PER_SEC == 0) sb_printf(log, "%s %llds\n", what, (long long)(ts / US_PER_SEC));
    else sb_printf(log, "%s %lldus\n", what, (long long)ts);
}

static int capture_watermark(op_t *op, int64_t wm)
{
    log_ts(&((capture *)op)->log, "WM", wm);
    return op_emit_watermark(op, wm);
}

static int capture_finish(op_t *op)
{
    sb_puts(&((capture *)op)->log, "END\n");
    return 0;
}

static void capture_destroy(op_t *op)
{
    capture *c = (capture *)op;
    sb_free(&c->log);
    free(c);
}

static const op_vtable capture_vt = {
    .name = "Capture",
    .push = capture_push,
    .watermark = capture_watermark,
    .finish = capture_finish,
    .destroy = capture_destroy,
};

static capture *capture_new(void)
{
    capture *c = xcalloc(1, sizeof *c);
    op_init(&c->op, &capture_vt, NULL, NULL, 1);
    return c;
}

static char log_text[1 << 16];
/* The log so far, then cleared. */
static const char *take_log(capture *c)
{
    snprintf(log_text, sizeof log_text, "%s", sb_str(&c->log));
    sb_clear(&c->log);
    return log_text;
}

/* ---- expressions and values ---- */

static arena_t plan;
static expr_t *calls[64];
static int ncalls;
static exec_ctx ctx;
static const span_t SP = {0, 1, 1, 1};

static type_t T(type_id id) { return type_make(id); }
static type_t TS3(void) { return type_timestamp(TY_TIMESTAMP, 3); }
static value_t I(int64_t i) { return value_i64(i); }
static value_t N(void) { return value_null(); }
static value_t S(const char *s) { value_t v = value_null(); v.null = 0; v.s = str_cstr(s); return v; }
static value_t D(double d) { return value_f64(d); }
static value_t SEC(int64_t s) { return value_i64(s * US_PER_SEC); }

enum { PI = OP_INSERT, MU = OP_UPDATE_BEFORE, PU = OP_UPDATE_AFTER, MD = OP_DELETE };

static expr_t *COL(int i, type_t t) { return expr_col(&plan, i, t, SP); }
static expr_t *CONST(type_t t, value_t v) { return expr_const(&plan, t, v, SP); }

static expr_t *CALL(const char *name, expr_t *a, expr_t *b)
{
    expr_t *args[2] = {a, b};
    expr_t *e = expr_call(&plan, func_lookup(name), args, b ? 2 : 1, SP);
    if (!e) { err_print(stderr); abort(); }
    calls[ncalls++] = e;
    return e;
}

static void schema_set(schema_t *s, int n, const char *const *names, const type_t *types)
{
    schema_init(s, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        s->names[i] = xstrdup(names[i]);
        s->types[i] = types[i];
    }
}

static void row3(chunk_t *c, uint8_t op, value_t a, value_t b, value_t d)
{
    value_t vals[3] = {a, b, d};
    chunk_append_values(c, vals, op);
}

/* ---- Calc over (id BIGINT, name STRING, price DOUBLE) ---- */

typedef struct calc_job {
    schema_t in, out;
    op_t *calc;
    capture *cap;
} calc_job;

static const char *const in_names[] = {"id", "name", "price"};

static void calc_start(calc_job *j, expr_t *filter, expr_t **proj, int nproj, const char *const *out_names)
{
    type_t in_types[3] = {T(TY_BIGINT), T(TY_STRING), T(TY_DOUBLE)};
    schema_set(&j->in, 3, in_names, in_types);
    type_t out_types[8];
    for (int i = 0; i < nproj; i++) out_types[i] = proj[i]->type;
    schema_set(&j->out, nproj, out_names, out_types);
    /* The operator borrows the projection array, as it borrows the plan's. */
    expr_t **kept = arena_alloc(&plan, sizeof *kept * (size_t)nproj);
    memcpy(kept, proj, sizeof *kept * (size_t)nproj);
    j->calc = calc_new(&ctx, &j->in, &j->out, filter, kept, nproj);
    j->cap = capture_new();
    op_connect(j->calc, &j->cap->op, 0);
}

static void calc_end(calc_job *j)
{
    op_destroy(j->calc);
    op_destroy(&j->cap->op);
    schema_free(&j->in);
    schema_free(&j->out);
}

static chunk_t *calc_input(calc_job *j) { return chunk_new(&j->in, CHUNK_CAP); }

/* name, id * 10, price WHERE id > 2 */
static void filter_job(calc_job *j)
{
    expr_t *filter = CALL(">", COL(0, T(TY_BIGINT)), CONST(T(TY_INT), I(2)));
    expr_t *proj[3] = {COL(1, T(TY_STRING)), CALL("*", COL(0, T(TY_BIGINT)), CONST(T(TY_INT), I(10))),
                       COL(2, T(TY_DOUBLE))};
    static const char *const names[] = {"name", "id10", "price"};
    calc_start(j, filter, proj, 3, names);
}

TEST(calc_filter_and_project_dense)
{
    calc_job j;
    filter_job(&j);
    chunk_t *c = calc_input(&j);
    row3(c, PI, I(1), S("one"), D(1.5));
    row3(c, MU, I(3), S("three, a name longer than twelve bytes"), D(3.5));
    row3(c, PU, I(4), S("four"), D(4.0));
    row3(c, MD, N(), S("null id"), D(0));
    row3(c, MD, I(2), S("two"), D(2.0));
    row3(c, PI, I(5), S("five"), N());
    CHECK_EQ_INT(op_push(j.calc, 0, c), 0);
    /* id 2 fails "> 2", a NULL id makes the filter NULL: both dropped; ops pass through. */
    CHECK_EQ_STR(take_log(j.cap), "-U[three, a name longer than twelve bytes, 30, 3.5]\n"
                                  "+U[four, 40, 4.0]\n+I[five, 50, null]\n");
    CHECK_EQ_INT(j.cap->chunks, 1);
    CHECK_EQ_INT(j.calc->stats.rows_in, 6);
    CHECK_EQ_INT(j.calc->stats.rows_out, 3);
    /* A second chunk reuses the operator's buffers. */
    chunk_reset(c);
    row3(c, PI, I(7), S("seven"), D(7.0));
    row3(c, PI, I(0), S("zero"), D(0.0));
    op_push(j.calc, 0, c);
    CHECK_EQ_STR(take_log(j.cap), "+I[seven, 70, 7.0]\n");
    chunk_free(c);
    calc_end(&j);
}

TEST(calc_filter_with_selection_vector)
{
    calc_job j;
    filter_job(&j);
    chunk_t *c = calc_input(&j);
    row3(c, PI, I(10), S("not selected"), D(1));
    row3(c, PI, I(3), S("selected and longer than twelve"), D(2));
    row3(c, PI, I(1), S("selected, filtered out"), D(3));
    row3(c, PI, I(20), S("not selected either"), D(4));
    row3(c, MD, I(4), S("selected"), D(5));
    c->sel = xcalloc(CHUNK_CAP, sizeof *c->sel);
    c->sel[0] = 1;
    c->sel[1] = 2;
    c->sel[2] = 4;
    c->nsel = 3;
    CHECK_EQ_INT(op_push(j.calc, 0, c), 0);
    CHECK_EQ_STR(take_log(j.cap), "+I[selected and longer than twelve, 30, 2.0]\n-D[selected, 40, 5.0]\n");
    CHECK_EQ_INT(j.calc->stats.rows_in, 3);
    /* Every selected row passes: the compacted rows go out as they are. */
    c->sel[0] = 4;
    c->sel[1] = 3;
    c->nsel = 2;
    op_push(j.calc, 0, c);
    CHECK_EQ_STR(take_log(j.cap), "-D[selected, 40, 5.0]\n+I[not selected either, 200, 4.0]\n");
    chunk_free(c);
    calc_end(&j);
}

TEST(calc_without_filter_over_selection)
{
    calc_job j;
    expr_t *proj[2] = {COL(2, T(TY_DOUBLE)), CALL("UPPER", COL(1, T(TY_STRING)), NULL)};
    static const char *const names[] = {"price", "up"};
    calc_start(&j, NULL, proj, 2, names);
    chunk_t *c = calc_input(&j);
    row3(c, PI, I(1), S("a"), D(1));
    row3(c, PU, I(2), S("b, and a long tail"), D(2));
    row3(c, PI, I(3), S("c"), D(3));
    c->sel = xcalloc(CHUNK_CAP, sizeof *c->sel);
    c->sel[0] = 1;
    c->nsel = 1;
    op_push(j.calc, 0, c);
    CHECK_EQ_STR(take_log(j.cap), "+U[2.0, B, AND A LONG TAIL]\n");
    chunk_free(c);
    calc_end(&j);
}

TEST(calc_all_rows_filtered_sends_nothing)
{
    calc_job j;
    filter_job(&j);
    chunk_t *c = calc_input(&j);
    row3(c, PI, I(1), S("a"), D(1));
    row3(c, PI, I(2), S("b"), D(2));
    row3(c, PI, N(), S("c"), D(3));
    CHECK_EQ_INT(op_push(j.calc, 0, c), 0);
    CHECK_EQ_STR(take_log(j.cap), "");
    CHECK_EQ_INT(j.cap->chunks, 0);
    CHECK_EQ_INT(j.calc->stats.rows_out, 0);
    /* Nothing selected at all. */
    c->sel = xcalloc(CHUNK_CAP, sizeof *c->sel);
    c->nsel = 0;
    CHECK_EQ_INT(op_push(j.calc, 0, c), 0);
    CHECK_EQ_INT(j.cap->chunks, 0);
    chunk_free(c);
    calc_end(&j);
}

TEST(calc_pass_through_shares_the_input_column)
{
    calc_job j;
    /* Column 0 is passed through typed as the output schema says (NOT NULL here), column 1 computed. */
    expr_t *proj[2] = {COL(0, T(TY_BIGINT)), CALL("+", COL(0, T(TY_BIGINT)), CONST(T(TY_INT), I(1)))};
    static const char *const names[] = {"id", "id1"};
    calc_start(&j, NULL, proj, 2, names);
    j.calc->schema.types[0].not_null = 1;
    chunk_t *c = calc_input(&j);
    row3(c, PI, I(41), S("x"), D(0));
    row3(c, MD, N(), S("y"), D(0));
    op_push(j.calc, 0, c);
    CHECK_EQ_STR(take_log(j.cap), "+I[41, 42]\n-D[null, null]\n");
    CHECK(j.cap->first_col_data == c->cols[0].data);       /* no copy of a pass-through column */
    CHECK_EQ_INT(j.cap->first_col_type.not_null, 1);       /* typed as the output schema says */
    CHECK_EQ_INT(c->cols[0].type.not_null, 0);             /* the input is not touched */
    /* With a filter that drops rows the columns come from the operator's own dense copy. */
    chunk_free(c);
    calc_end(&j);

    filter_job(&j);
    c = calc_input(&j);
    row3(c, PI, I(3), S("kept"), D(0));
    row3(c, PI, I(1), S("dropped"), D(0));
    op_push(j.calc, 0, c);
    CHECK_EQ_STR(take_log(j.cap), "+I[kept, 30, 0.0]\n");
    CHECK(j.cap->first_col_data != c->cols[1].data);
    chunk_free(c);
    calc_end(&j);
}

TEST(calc_forwards_watermarks_and_end)
{
    calc_job j;
    filter_job(&j);
    CHECK_EQ_INT(op_watermark_in(j.calc, 0, 5 * US_PER_SEC), 0);
    CHECK_EQ_INT(op_watermark_in(j.calc, 0, 4 * US_PER_SEC), 0);     /* never backwards */
    CHECK_EQ_INT(op_finish_in(j.calc, 0), 0);
    CHECK_EQ_STR(take_log(j.cap), "WM 5s\nEND\n");
    calc_end(&j);
}

/* ---- Union ---- */

TEST(union_min_watermark_and_finish_after_all_inputs)
{
    schema_t s;
    type_t types[3] = {T(TY_BIGINT), T(TY_STRING), T(TY_DOUBLE)};
    schema_set(&s, 3, in_names, types);
    op_t *u = union_new(&ctx, &s, 2);
    capture *cap = capture_new();
    op_connect(u, &cap->op, 0);
    chunk_t *c = chunk_new(&s, CHUNK_CAP);
    row3(c, PI, I(1), S("left"), D(1));
    op_push(u, 0, c);
    chunk_reset(c);
    row3(c, MD, I(2), S("right"), D(2));
    row3(c, PI, I(3), S("right"), D(3));
    op_push(u, 1, c);
    CHECK_EQ_STR(take_log(cap), "+I[1, left, 1.0]\n-D[2, right, 2.0]\n+I[3, right, 3.0]\n");

    op_watermark_in(u, 0, 10 * US_PER_SEC);
    CHECK_EQ_STR(take_log(cap), "");                  /* the other input has none yet */
    op_watermark_in(u, 1, 5 * US_PER_SEC);
    CHECK_EQ_STR(take_log(cap), "WM 5s\n");
    op_watermark_in(u, 1, 20 * US_PER_SEC);
    CHECK_EQ_STR(take_log(cap), "WM 10s\n");
    op_watermark_in(u, 0, 30 * US_PER_SEC);
    CHECK_EQ_STR(take_log(cap), "WM 20s\n");
    op_watermark_in(u, 0, 25 * US_PER_SEC);            /* an input going back changes nothing */
    op_watermark_in(u, 1, 20 * US_PER_SEC);
    CHECK_EQ_STR(take_log(cap), "");
    op_watermark_in(u, 1, 25 * US_PER_SEC);
    CHECK_EQ_STR(take_log(cap), "WM 25s\n");

    op_watermark_in(u, 0, TS_MAX);
    op_finish_in(u, 0);
    CHECK_EQ_STR(take_log(cap), "");                  /* input 1 is still running */
    chunk_reset(c);
    row3(c, PI, I(4), S("late right"), D(4));
    op_push(u, 1, c);
    op_watermark_in(u, 1, TS_MAX);
    op_finish_in(u, 1);
    CHECK_EQ_STR(take_log(cap), "+I[4, late right, 4.0]\nWM MAX\nEND\n");
    CHECK_EQ_INT(u->stats.rows_in, 4);
    CHECK_EQ_INT(u->stats.rows_out, 4);
    chunk_free(c);
    op_destroy(u);
    op_destroy(&cap->op);
    schema_free(&s);
}

/* ---- Scan over a fake source ---- */

/* Hands out prepared batches of (id BIGINT, ts TIMESTAMP(3)) rows, one batch per next();
 * returns 0 with the last batch, or after it when end_empty is set. */
typedef struct fake_source {
    source_t base;
    const int64_t (*batches)[2];     /* {id, ts seconds}; ts < 0 means NULL; id < 0 ends a batch */
    int pos;
    int nrows;
    int end_empty;
    int closed_flag;
    const int *splits;               /* per batch: the split it comes from (NULL: unsplit) */
    int batch;
} fake_source;

static int fake_next(source_t *s, chunk_t *out)
{
    fake_source *f = (fake_source *)s;
    while (f->pos < f->nrows && f->batches[f->pos][0] >= 0) {
        const int64_t *r = f->batches[f->pos++];
        value_t vals[2] = {I(r[0]), r[1] < 0 ? N() : SEC(r[1])};
        chunk_append_values(out, vals, OP_INSERT);
        s->rows++;
    }
    if (f->splits) s->split = out->nrows ? f->splits[f->batch] : -1;
    f->batch++;
    if (f->pos < f->nrows) f->pos++;           /* the batch separator */
    if (f->pos < f->nrows) return 1;
    if (f->end_empty) { f->end_empty = 0; return 1; }
    return 0;
}

static int closed_sources;
static void fake_close(source_t *s) { closed_sources++; free(s); }
static const source_vtable fake_source_vt = {fake_next, fake_close};

typedef struct scan_job {
    connector_table table;
    schema_t out;
    op_t *scan;
    capture *cap;
} scan_job;

/* Physical (id, ts), computed id2 = id * 2, watermark ts - 5 s. */
static void scan_start(scan_job *j, const int64_t (*rows)[2], int nrows, int on_event, int end_empty, int64_t idle_us)
{
    memset(j, 0, sizeof *j);
    static const char *const phys_names[] = {"id", "ts"};
    type_t phys_types[2] = {T(TY_BIGINT), TS3()};
    schema_set(&j->table.physical, 2, phys_names, phys_types);
    j->table.name = "events";
    static const char *const out_names[] = {"id", "ts", "id2"};
    type_t rowtime = TS3();
    rowtime.attr = TA_ROWTIME;
    type_t out_types[3] = {T(TY_BIGINT), rowtime, T(TY_BIGINT)};
    schema_set(&j->out, 3, out_names, out_types);

    fake_source *f = xcalloc(1, sizeof *f);
    f->base.vt = &fake_source_vt;
    f->base.table = &j->table;
    f->base.bounded = 1;
    f->batches = rows;
    f->nrows = nrows;
    f->end_empty = end_empty;
    static expr_t *computed[1];
    computed[0] = CALL("*", COL(0, T(TY_BIGINT)), CONST(T(TY_INT), I(2)));
    value_t five = value_i64(5 * US_PER_SEC);
    expr_t *wm = CALL("-", COL(1, rowtime), CONST(T(TY_INTERVAL_DT), five));
    scan_spec spec = {&f->base, computed, 1, 1, wm, idle_us, on_event};
    j->scan = scan_new(&ctx, &j->out, &spec);
    j->cap = capture_new();
    op_connect(j->scan, &j->cap->op, 0);
}

static void scan_end(scan_job *j)
{
    op_destroy(j->scan);
    op_destroy(&j->cap->op);
    schema_free(&j->out);
    schema_free(&j->table.physical);
}

/* Three batches; ts in seconds; {-1, 0} separates batches. */
static const int64_t late_rows[][2] = {
    {1, 10}, {2, 30}, {3, 20}, {-1, 0},
    {4, 19}, {5, 25}, {6, -1}, {7, 40}, {-1, 0},
    {8, 34},
};

TEST(scan_per_chunk_watermarks_and_late_rows)
{
    scan_job j;
    scan_start(&j, late_rows, (int)ARRAY_LEN(late_rows), 0, 0, 0);
    CHECK_EQ_INT(scan_pull(j.scan), 1);
    /* The computed column follows the physical ones; the watermark comes after the chunk. */
    CHECK_EQ_STR(take_log(j.cap), "+I[1, 1970-01-01T00:00:10, 2]\n+I[2, 1970-01-01T00:00:30, 4]\n"
                                  "+I[3, 1970-01-01T00:00:20, 6]\nWM 25s\n");
    CHECK_EQ_INT(j.cap->first_col_type.id, TY_BIGINT);
    CHECK_EQ_INT(scan_late_rows(j.scan), 0);      /* 20 s is behind the max ts, not the watermark */
    CHECK_EQ_INT(scan_pull(j.scan), 1);
    CHECK_EQ_STR(take_log(j.cap), "+I[4, 1970-01-01T00:00:19, 8]\n+I[5, 1970-01-01T00:00:25, 10]\n"
                                  "+I[6, null, 12]\n+I[7, 1970-01-01T00:00:40, 14]\nWM 35s\n");
    CHECK_EQ_INT(scan_late_rows(j.scan), 1);      /* 19 s < 25 s; 25 s is not behind; NULL never */
    CHECK_EQ_INT(scan_pull(j.scan), 0);
    CHECK_EQ_STR(take_log(j.cap), "+I[8, 1970-01-01T00:00:34, 16]\nWM MAX\nEND\n");
    CHECK_EQ_INT(scan_late_rows(j.scan), 2);
    CHECK_EQ_INT(scan_pull(j.scan), 0);            /* ended: nothing more, no second END */
    CHECK_EQ_STR(take_log(j.cap), "");
    CHECK_EQ_INT(scan_source(j.scan)->rows, 8);
    CHECK_EQ_INT(j.scan->stats.rows_out, 8);
    CHECK_EQ_INT(j.cap->chunks, 3);
    int closed = closed_sources;
    scan_end(&j);
    CHECK_EQ_INT(closed_sources, closed + 1);      /* the scan owns its source */
}

TEST(scan_on_event_watermarks)
{
    scan_job j;
    scan_start(&j, late_rows, (int)ARRAY_LEN(late_rows), 1, 0, 0);
    CHECK_EQ_INT(scan_pull(j.scan), 1);
    /* Each row that raises the watermark goes out with the rows before it, then the watermark. */
    CHECK_EQ_STR(take_log(j.cap), "+I[1, 1970-01-01T00:00:10, 2]\nWM 5s\n+I[2, 1970-01-01T00:00:30, 4]\nWM 25s\n"
                                  "+I[3, 1970-01-01T00:00:20, 6]\n");
    CHECK_EQ_INT(j.cap->chunks, 3);
    CHECK_EQ_INT(scan_late_rows(j.scan), 1);      /* 20 s arrived after watermark 25 s */
    CHECK_EQ_INT(scan_pull(j.scan), 1);
    CHECK_EQ_STR(take_log(j.cap), "+I[4, 1970-01-01T00:00:19, 8]\n+I[5, 1970-01-01T00:00:25, 10]\n"
                                  "+I[6, null, 12]\n+I[7, 1970-01-01T00:00:40, 14]\nWM 35s\n");
    CHECK_EQ_INT(j.cap->chunks, 4);                /* a raise on the last row leaves no tail */
    CHECK_EQ_INT(scan_late_rows(j.scan), 2);
    CHECK_EQ_INT(scan_pull(j.scan), 0);
    CHECK_EQ_STR(take_log(j.cap), "+I[8, 1970-01-01T00:00:34, 16]\nWM MAX\nEND\n");
    CHECK_EQ_INT(scan_late_rows(j.scan), 3);
    CHECK_EQ_INT(j.scan->stats.rows_out, 8);
    scan_end(&j);
}

static int64_t fake_now;
static int64_t fake_clock(void) { return fake_now; }

/* Two partitions: the scan's watermark is the smaller of the two splits' watermarks. */
static const int64_t split_rows[][2] = {
    {1, 30}, {-1, 0},          /* split 0: 25 s; split 1 has nothing yet */
    {2, 20}, {-1, 0},          /* split 1: 15 s */
    {3, 50}, {-1, 0},          /* split 1: 45 s */
    {-1, 0},                   /* nothing */
    {4, 60}, {-1, 0},          /* split 1: 55 s, split 0 idle by now */
    {5, 40}, {-1, 0},          /* split 0 active again: 35 s */
    {6, 70},                   /* split 0: 65 s */
};
static const int split_of_batch[] = {0, 1, 1, 0, 1, 0, 0};

TEST(scan_watermark_per_split_with_idleness)
{
    scan_job j;
    fake_now = 1000 * US_PER_SEC;
    ctx.now_us = fake_clock;
    scan_start(&j, split_rows, (int)ARRAY_LEN(split_rows), 0, 0, 10 * US_PER_SEC);
    fake_source *f = (fake_source *)scan_source(j.scan);
    f->splits = split_of_batch;
    f->base.nsplits = 2;
    CHECK_EQ_INT(scan_pull(j.scan), 1);
    CHECK_EQ_STR(take_log(j.cap), "+I[1, 1970-01-01T00:00:30, 2]\n");    /* split 1 holds it back */
    CHECK_EQ_INT(scan_pull(j.scan), 1);
    CHECK_EQ_STR(take_log(j.cap), "+I[2, 1970-01-01T00:00:20, 4]\nWM 15s\n");
    fake_now += 5 * US_PER_SEC;
    CHECK_EQ_INT(scan_pull(j.scan), 1);
    CHECK_EQ_STR(take_log(j.cap), "+I[3, 1970-01-01T00:00:50, 6]\nWM 25s\n");
    fake_now += 6 * US_PER_SEC;                /* split 0 had no row for 11 s: idle */
    CHECK_EQ_INT(scan_pull(j.scan), 1);
    CHECK_EQ_STR(take_log(j.cap), "WM 45s\n");
    CHECK_EQ_INT(j.scan->idle_out, 0);          /* split 1 had a row 6 s ago */
    CHECK_EQ_INT(scan_pull(j.scan), 1);
    CHECK_EQ_STR(take_log(j.cap), "+I[4, 1970-01-01T00:01, 8]\nWM 55s\n");
    CHECK_EQ_INT(scan_pull(j.scan), 1);        /* split 0 is back, behind: no watermark, a late row */
    CHECK_EQ_STR(take_log(j.cap), "+I[5, 1970-01-01T00:00:40, 10]\n");
    CHECK_EQ_INT(scan_late_rows(j.scan), 1);
    CHECK_EQ_INT(scan_pull(j.scan), 0);
    CHECK_EQ_STR(take_log(j.cap), "+I[6, 1970-01-01T00:01:10, 12]\nWM MAX\nEND\n");
    scan_end(&j);
    ctx.now_us = ctx_wall_clock_us;
}

/* Rows on split 0 only, read in the pull that registers both splits: both go idle at the
 * same pull, and the watermark is then split 0's, the last one active. */
static const int64_t one_split_rows[][2] = {{1, 30}, {2, 40}, {-1, 0}, {-1, 0}, {3, 50}};
static const int one_split_of_batch[] = {0, 0, 0};

TEST(scan_all_splits_idle_keeps_the_last_active_watermark)
{
    scan_job j;
    fake_now = 3000 * US_PER_SEC;
    ctx.now_us = fake_clock;
    scan_start(&j, one_split_rows, (int)ARRAY_LEN(one_split_rows), 0, 0, 10 * US_PER_SEC);
    fake_source *f = (fake_source *)scan_source(j.scan);
    f->splits = one_split_of_batch;
    f->base.nsplits = 2;
    CHECK_EQ_INT(scan_pull(j.scan), 1);
    CHECK_EQ_STR(take_log(j.cap), "+I[1, 1970-01-01T00:00:30, 2]\n+I[2, 1970-01-01T00:00:40, 4]\n");
    fake_now += 20 * US_PER_SEC;               /* no pull while both splits went idle */
    CHECK_EQ_INT(scan_pull(j.scan), 1);
    CHECK_EQ_STR(take_log(j.cap), "WM 35s\n");
    CHECK_EQ_INT(j.cap->op.in_idle[0], 1);      /* and the scan tells downstream it is idle */
    CHECK_EQ_INT(scan_pull(j.scan), 0);
    CHECK_EQ_STR(take_log(j.cap), "+I[3, 1970-01-01T00:00:50, 6]\nWM 45s\nWM MAX\nEND\n");
    scan_end(&j);
    ctx.now_us = ctx_wall_clock_us;
}

/* The per-split watermarks survive a snapshot: after restoring, split 0's 25 s still counts. */
static const int64_t snap_rows_a[][2] = {{1, 30}, {-1, 0}, {2, 20}};
static const int snap_splits_a[] = {0, 1};
static const int64_t snap_rows_b[][2] = {{4, 60}};
static const int snap_splits_b[] = {1};

TEST(scan_split_watermarks_snapshot_and_restore)
{
    scan_job a, b;
    scan_start(&a, snap_rows_a, (int)ARRAY_LEN(snap_rows_a), 0, 0, 0);
    fake_source *fa = (fake_source *)scan_source(a.scan);
    fa->splits = snap_splits_a;
    fa->base.nsplits = 2;
    CHECK_EQ_INT(scan_pull(a.scan), 1);
    CHECK_EQ_INT(scan_pull(a.scan), 0);
    CHECK(strstr(take_log(a.cap), "WM 15s\n") != NULL);
    snap_writer w = {0};
    CHECK_EQ_INT(a.scan->vt->snapshot(a.scan, &w), 0);
    scan_start(&b, snap_rows_b, (int)ARRAY_LEN(snap_rows_b), 0, 0, 0);
    fake_source *fb = (fake_source *)scan_source(b.scan);
    fb->splits = snap_splits_b;
    fb->base.nsplits = 2;
    snap_reader r;
    snap_reader_init(&r, w.buf, w.len);
    CHECK_EQ_INT(b.scan->vt->restore(b.scan, &r), 0);
    CHECK_EQ_INT(scan_pull(b.scan), 0);
    CHECK_EQ_STR(take_log(b.cap), "+I[4, 1970-01-01T00:01, 8]\nWM 25s\nWM MAX\nEND\n");
    snap_writer_free(&w);
    scan_end(&a);
    scan_end(&b);
}

/* An unsplit scan with no rows for its idle timeout tells downstream it is idle. */
TEST(scan_goes_idle_without_rows)
{
    static const int64_t rows[][2] = {{1, 30}, {-1, 0}, {-1, 0}, {-1, 0}, {2, 40}};
    scan_job j;
    fake_now = 2000 * US_PER_SEC;
    ctx.now_us = fake_clock;
    scan_start(&j, rows, (int)ARRAY_LEN(rows), 0, 0, 10 * US_PER_SEC);
    CHECK_EQ_INT(scan_pull(j.scan), 1);
    CHECK_EQ_STR(take_log(j.cap), "+I[1, 1970-01-01T00:00:30, 2]\nWM 25s\n");
    fake_now += 9 * US_PER_SEC;
    CHECK_EQ_INT(scan_pull(j.scan), 1);
    CHECK_EQ_INT(j.cap->op.in_idle[0], 0);
    fake_now += 1 * US_PER_SEC;
    CHECK_EQ_INT(scan_pull(j.scan), 1);
    CHECK_EQ_INT(j.cap->op.in_idle[0], 1);
    CHECK_EQ_INT(scan_pull(j.scan), 0);        /* a row makes it active again */
    CHECK_EQ_INT(j.cap->op.in_idle[0], 0);
    CHECK_EQ_STR(take_log(j.cap), "+I[2, 1970-01-01T00:00:40, 4]\nWM 35s\nWM MAX\nEND\n");
    scan_end(&j);
    ctx.now_us = ctx_wall_clock_us;
}

/* An idle input of a union does not hold back its watermark. */
TEST(union_skips_idle_inputs)
{
    schema_t s;
    type_t types[3] = {T(TY_BIGINT), T(TY_STRING), T(TY_DOUBLE)};
    schema_set(&s, 3, in_names, types);
    op_t *u = union_new(&ctx, &s, 2);
    capture *cap = capture_new();
    op_connect(u, &cap->op, 0);
    op_watermark_in(u, 0, 10 * US_PER_SEC);
    CHECK_EQ_STR(take_log(cap), "");
    op_idle_in(u, 1, 1);
    CHECK_EQ_STR(take_log(cap), "WM 10s\n");
    CHECK_EQ_INT(u->idle_out, 0);
    op_watermark_in(u, 0, 20 * US_PER_SEC);
    CHECK_EQ_STR(take_log(cap), "WM 20s\n");
    op_watermark_in(u, 1, 5 * US_PER_SEC);      /* active again, behind: the watermark stays */
    CHECK_EQ_INT(u->in_idle[1], 0);
    op_watermark_in(u, 0, 30 * US_PER_SEC);
    CHECK_EQ_STR(take_log(cap), "");
    op_idle_in(u, 1, 1);
    CHECK_EQ_STR(take_log(cap), "WM 30s\n");
    op_idle_in(u, 0, 1);                        /* every input idle: the union is idle */
    CHECK_EQ_INT(u->idle_out, 1);
    CHECK_EQ_INT(cap->op.in_idle[0], 1);
    op_idle_in(u, 0, 0);
    CHECK_EQ_INT(u->idle_out, 0);
    CHECK_EQ_INT(cap->op.in_idle[0], 0);
    op_destroy(u);
    op_destroy(&cap->op);
    schema_free(&s);
}

TEST(scan_end_after_an_empty_read)
{
    static const int64_t rows[][2] = {{1, 100}};
    scan_job j;
    scan_start(&j, rows, 1, 0, 1, 0);
    CHECK_EQ_INT(scan_pull(j.scan), 1);
    CHECK_EQ_STR(take_log(j.cap), "+I[1, 1970-01-01T00:01:40, 2]\nWM 95s\n");
    CHECK_EQ_INT(scan_pull(j.scan), 0);
    CHECK_EQ_STR(take_log(j.cap), "WM MAX\nEND\n");
    scan_end(&j);

    /* A source with no rows at all still ends with the final watermark. */
    scan_start(&j, rows, 0, 1, 0, 0);
    CHECK_EQ_INT(scan_pull(j.scan), 0);
    CHECK_EQ_STR(take_log(j.cap), "WM MAX\nEND\n");
    CHECK_EQ_INT(j.cap->chunks, 0);
    scan_end(&j);
}

/* ---- Sink over a fake sink ---- */

typedef struct fake_sink {
    sink_t base;
    sb_t *log;
} fake_sink;

static int fake_write(sink_t *s, const chunk_t *c)
{
    fake_sink *f = (fake_sink *)s;
    sb_puts(f->log, "write\n");
    for (uint32_t i = 0; i < chunk_live(c); i++) log_row(f->log, c, chunk_row(c, i));
    s->rows += chunk_live(c);
    return 0;
}

static int fake_flush(sink_t *s)
{
    sb_puts(((fake_sink *)s)->log, "flush\n");
    return 0;
}

static int fake_tick(sink_t *s, int64_t now)
{
    log_ts(((fake_sink *)s)->log, "tick", now);
    return 0;
}

static int sinks_closed;
static void fake_sink_close(sink_t *s) { sinks_closed++; free(s); }
static const sink_vtable fake_sink_vt = {fake_write, fake_flush, fake_tick, fake_sink_close};

static void changelog_rows(chunk_t *c)
{
    value_t v[2];
    v[0] = S("a"); v[1] = I(1); chunk_append_values(c, v, PI);
    v[0] = S("a"); v[1] = I(1); chunk_append_values(c, v, MU);
    v[0] = S("a"); v[1] = I(2); chunk_append_values(c, v, PU);
    v[0] = S("b"); v[1] = I(7); chunk_append_values(c, v, MD);
}

static op_t *sink_start(connector_table *t, schema_t *s, int npk, sb_t *log)
{
    static const char *const names[] = {"k", "v"};
    type_t types[2] = {T(TY_STRING), T(TY_BIGINT)};
    memset(t, 0, sizeof *t);
    schema_set(s, 2, names, types);
    schema_copy(&t->physical, s);
    static int pk[1] = {0};
    t->pk = npk ? pk : NULL;
    t->npk = npk;
    t->name = "out";
    fake_sink *f = xcalloc(1, sizeof *f);
    f->base.vt = &fake_sink_vt;
    f->base.table = t;
    f->log = log;
    return sink_new(&ctx, s, &f->base);
}

TEST(sink_with_primary_key_drops_update_before)
{
    connector_table t;
    schema_t s;
    sb_t log = {0};
    op_t *op = sink_start(&t, &s, 1, &log);
    chunk_t *c = chunk_new(&s, CHUNK_CAP);
    changelog_rows(c);
    CHECK_EQ_INT(op_push(op, 0, c), 0);
    CHECK_EQ_STR(sb_str(&log), "write\n+I[a, 1]\n+U[a, 2]\n-D[b, 7]\n");
    sb_clear(&log);
    /* A -U without its +U (a filter dropped the new row) deletes the key. */
    chunk_reset(c);
    value_t v[2] = {S("a"), I(2)};
    chunk_append_values(c, v, MU);
    chunk_append_values(c, v, MU);
    CHECK_EQ_INT(op_push(op, 0, c), 0);
    CHECK_EQ_STR(sb_str(&log), "write\n-D[a, 2]\n-D[a, 2]\n");
    CHECK_EQ_INT(c->ops[0], MU);                       /* the input is left as it was */
    sb_clear(&log);
    /* A selection vector is respected. */
    chunk_reset(c);
    changelog_rows(c);
    c->sel = xcalloc(CHUNK_CAP, sizeof *c->sel);
    c->sel[0] = 1;
    c->sel[1] = 3;
    c->nsel = 2;
    op_push(op, 0, c);
    CHECK_EQ_STR(sb_str(&log), "write\n-D[a, 1]\n-D[b, 7]\n");   /* the -U's +U is not selected */
    sb_clear(&log);
    /* Without any -U the chunk goes through as it is. */
    c->sel[0] = 2;
    c->nsel = 1;
    op_push(op, 0, c);
    CHECK_EQ_STR(sb_str(&log), "write\n+U[a, 2]\n");
    sb_clear(&log);
    CHECK_EQ_INT(sink_of(op)->rows, 8);
    CHECK_EQ_INT(op->vt->timer(op, 3 * US_PER_SEC), 0);
    CHECK_EQ_INT(op_finish_in(op, 0), 0);
    CHECK_EQ_STR(sb_str(&log), "tick 3s\nflush\n");
    int closed = sinks_closed;
    op_destroy(op);
    CHECK_EQ_INT(sinks_closed, closed + 1);
    chunk_free(c);
    sb_free(&log);
    schema_free(&s);
    schema_free(&t.physical);
}

TEST(sink_without_primary_key_passes_every_row)
{
    connector_table t;
    schema_t s;
    sb_t log = {0};
    op_t *op = sink_start(&t, &s, 0, &log);
    chunk_t *c = chunk_new(&s, CHUNK_CAP);
    changelog_rows(c);
    op_push(op, 0, c);
    CHECK_EQ_STR(sb_str(&log), "write\n+I[a, 1]\n-U[a, 1]\n+U[a, 2]\n-D[b, 7]\n");
    CHECK_EQ_INT(sink_of(op)->rows, 4);
    op_destroy(op);
    chunk_free(c);
    sb_free(&log);
    schema_free(&s);
    schema_free(&t.physical);
}

int main(void)
{
    char tz_err[256];
    arena_init(&plan, 64 * 1024);
    ctx.local_tz = tz_get("UTC", tz_err, sizeof tz_err);
    ctx.now_us = ctx_wall_clock_us;
    RUN(calc_filter_and_project_dense);
    RUN(calc_filter_with_selection_vector);
    RUN(calc_without_filter_over_selection);
    RUN(calc_all_rows_filtered_sends_nothing);
    RUN(calc_pass_through_shares_the_input_column);
    RUN(calc_forwards_watermarks_and_end);
    RUN(union_min_watermark_and_finish_after_all_inputs);
    RUN(scan_per_chunk_watermarks_and_late_rows);
    RUN(scan_on_event_watermarks);
    RUN(scan_end_after_an_empty_read);
    RUN(scan_watermark_per_split_with_idleness);
    RUN(scan_all_splits_idle_keeps_the_last_active_watermark);
    RUN(scan_split_watermarks_snapshot_and_restore);
    RUN(scan_goes_idle_without_rows);
    RUN(union_skips_idle_inputs);
    RUN(sink_with_primary_key_drops_update_before);
    RUN(sink_without_primary_key_passes_every_row);
    for (int i = 0; i < ncalls; i++) expr_free_state(calls[i]);
    arena_free(&plan);
    return CHECK_DONE();
}
