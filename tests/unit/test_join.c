/* test_join.c - the regular Join operator: exact changelogs of INNER / LEFT / RIGHT / FULL
 * joins over insert-only and updating inputs, NULL keys, residual conditions, duplicates,
 * output and candidate batching past one chunk, state TTL on a fake clock, snapshot/restore,
 * explain and construction errors, and a randomized comparison of the net output with a
 * brute-force join of the net inputs. */
#include "expr_helpers.h"
#include "op_testkit.h"
#include "base/hashmap.h"

/* ---- a capture operator: rows as "+I[a, 1, a, 2]" lines, and the net multiset ---- */

typedef struct net_capture {
    capture base;
    hmap_t net;               /* row text without op -> net count (intptr_t) */
    int negative;             /* -D of a row whose net count was zero */
} net_capture;

/* Adds delta to the count of text in m; returns the new count. */
static intptr_t multiset_add(hmap_t *m, const char *text, intptr_t delta)
{
    uint32_t len = (uint32_t)strlen(text);
    void **slot = hmap_put(m, text, len, hash_bytes(text, len), NULL);
    *slot = (void *)((intptr_t)*slot + delta);
    return (intptr_t)*slot;
}

static int net_capture_push(op_t *op, int port, chunk_t *in)
{
    net_capture *c = (net_capture *)op;
    sb_t line = {0};
    for (uint32_t i = 0; i < chunk_live(in); i++) {
        uint32_t r = chunk_row(in, i);
        sb_clear(&line);
        put_row(&line, in, r, &c->base.fmt);
        char *row = strchr(sb_str(&line), '[');
        row[strlen(row) - 1] = '\0';             /* the newline */
        if (multiset_add(&c->net, row, op_is_add(in->ops[r]) ? 1 : -1) < 0) c->negative++;
    }
    sb_free(&line);
    return capture_push(op, port, in);
}

static void net_capture_destroy(op_t *op)
{
    hmap_free(&((net_capture *)op)->net);
    capture_destroy(op);
}

static const op_vtable net_capture_vt = {.name = "Capture", .push = net_capture_push, .destroy = net_capture_destroy};

static net_capture *net_capture_new(void)
{
    net_capture *c = xcalloc(1, sizeof *c);
    capture_init(&c->base, &net_capture_vt, NULL, (capture_fmt){.print = 1});
    hmap_init(&c->net);
    return c;
}

static char log_text[1 << 20];
static const char *take_log(net_capture *c)
{
    snprintf(log_text, sizeof log_text, "%s", sb_str(&c->base.text));
    sb_clear(&c->base.text);
    return log_text;
}

/* ---- jobs: left (k STRING, a BIGINT) join right (k STRING, b BIGINT) on k ---- */

typedef struct job {
    exec_ctx ctx;
    schema_t left, right, out;
    int lkeys[1], rkeys[1];
    join_spec spec;
    op_t *join;
    net_capture *cap;
} job;

static void side_schema(schema_t *s, const char *key, const char *val)
{
    schema_init(s, 2);
    s->types[0] = type_make(TY_STRING);
    s->types[1] = type_make(TY_BIGINT);
    s->names[0] = xstrdup(key);
    s->names[1] = xstrdup(val);
}

static op_t *job_new_op(job *j)
{
    op_t *op = join_new(&j->ctx, &j->out, &j->spec);
    if (!op) {
        err_print(stderr);
        abort();
    }
    op_connect(op, &j->cap->base.op, 0);
    return op;
}

static void job_start(job *j, join_type type, expr_t *residual, int64_t ttl_us)
{
    memset(j, 0, sizeof *j);
    j->ctx.now_us = fake_clock;
    fake_now = 0;
    side_schema(&j->left, "k", "a");
    side_schema(&j->right, "k", "b");
    schema_init(&j->out, 4);
    const char *names[] = {"k", "a", "k0", "b"};
    for (int c = 0; c < 4; c++) {
        j->out.types[c] = type_make(c % 2 ? TY_BIGINT : TY_STRING);
        j->out.names[c] = xstrdup(names[c]);
    }
    j->spec = (join_spec){type, j->lkeys, j->rkeys, 1, residual, &j->left, &j->right, ttl_us};
    j->cap = net_capture_new();
    j->join = job_new_op(j);
}

/* A fresh operator of the same plan; the capture stays. */
static void job_restart(job *j)
{
    op_destroy(j->join);
    j->join = job_new_op(j);
}

static void job_end(job *j)
{
    op_destroy(j->join);
    op_destroy(&j->cap->base.op);
    schema_free(&j->left);
    schema_free(&j->right);
    schema_free(&j->out);
}

static uint8_t parse_op(const char *s)
{
    for (uint8_t op = 0; op < 4; op++)
        if (strcmp(s, row_op_names[op]) == 0) return op;
    fprintf(stderr, "bad op %s\n", s);
    abort();
}

/* Rows "op key value" separated by ';'; "null" is NULL. */
static chunk_t *rows_chunk(const char *rows)
{
    type_t types[2] = {type_make(TY_STRING), type_make(TY_BIGINT)};
    chunk_t *c = chunk_new_types(2, types, CHUNK_CAP);
    char *text = xstrdup(rows);
    for (char *save, *tok = strtok_r(text, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        char op[4], key[64], val[32];
        if (sscanf(tok, "%3s %63s %31s", op, key, val) != 3) abort();
        value_t vals[2] = {value_null(), value_null()};
        if (strcmp(key, "null")) { vals[0].null = 0; vals[0].s = str_cstr(key); }
        if (strcmp(val, "null")) vals[1] = value_i64(strtoll(val, NULL, 10));
        chunk_append_values(c, vals, parse_op(op));
    }
    free(text);
    return c;
}

static int push_rows(job *j, int port, const char *rows)
{
    chunk_t *c = rows_chunk(rows);
    int rc = op_push(j->join, port, c);
    chunk_free(c);
    return rc;
}

/* Pushes and returns the output it produced. */
static const char *L(job *j, const char *rows) { CHECK_EQ_INT(push_rows(j, 0, rows), 0); return take_log(j->cap); }
static const char *R(job *j, const char *rows) { CHECK_EQ_INT(push_rows(j, 1, rows), 0); return take_log(j->cap); }

/* a < b over the output row (k, a, k0, b). */
static expr_t *a_lt_b(void) { return CALL("<", COL(1, "BIGINT"), COL(3, "BIGINT")); }

/* ---- insert-only inputs ---- */

TEST(inner_insert_only)
{
    job j;
    job_start(&j, JT_INNER, NULL, 0);
    CHECK_EQ_STR(L(&j, "+I a 1; +I b 2"), "");
    CHECK_EQ_STR(R(&j, "+I a 10"), "+I[a, 1, a, 10]\n");
    CHECK_EQ_STR(R(&j, "+I a 11; +I c 5"), "+I[a, 1, a, 11]\n");
    CHECK_EQ_STR(L(&j, "+I a 3"), "+I[a, 3, a, 10]\n+I[a, 3, a, 11]\n");
    CHECK_EQ_STR(L(&j, "+I c 7; +I d 8; +I c 9"), "+I[c, 7, c, 5]\n+I[c, 9, c, 5]\n");
    CHECK_EQ_INT(j.join->stats.state_keys, 4);
    CHECK_EQ_INT(j.join->stats.rows_in, 9);
    CHECK_EQ_INT(j.join->stats.rows_out, 6);
    job_end(&j);
}

TEST(left_insert_only)
{
    job j;
    job_start(&j, JT_LEFT, NULL, 0);
    CHECK_EQ_STR(L(&j, "+I a 1"), "+I[a, 1, null, null]\n");
    CHECK_EQ_STR(R(&j, "+I a 10"), "-D[a, 1, null, null]\n+I[a, 1, a, 10]\n");
    CHECK_EQ_STR(R(&j, "+I a 11"), "+I[a, 1, a, 11]\n");
    CHECK_EQ_STR(L(&j, "+I a 2"), "+I[a, 2, a, 10]\n+I[a, 2, a, 11]\n");
    CHECK_EQ_STR(R(&j, "+I b 5"), "");
    CHECK_EQ_STR(L(&j, "+I b 6; +I c 7"), "+I[b, 6, b, 5]\n+I[c, 7, null, null]\n");
    job_end(&j);
}

TEST(right_insert_only)
{
    job j;
    job_start(&j, JT_RIGHT, NULL, 0);
    CHECK_EQ_STR(L(&j, "+I a 1"), "");
    CHECK_EQ_STR(R(&j, "+I b 5"), "+I[null, null, b, 5]\n");
    CHECK_EQ_STR(R(&j, "+I a 10"), "+I[a, 1, a, 10]\n");
    CHECK_EQ_STR(L(&j, "+I b 2"), "-D[null, null, b, 5]\n+I[b, 2, b, 5]\n");
    CHECK_EQ_STR(L(&j, "+I b 3"), "+I[b, 3, b, 5]\n");
    job_end(&j);
}

TEST(full_insert_only)
{
    job j;
    job_start(&j, JT_FULL, NULL, 0);
    CHECK_EQ_STR(L(&j, "+I a 1"), "+I[a, 1, null, null]\n");
    CHECK_EQ_STR(R(&j, "+I b 2"), "+I[null, null, b, 2]\n");
    CHECK_EQ_STR(R(&j, "+I a 3"), "-D[a, 1, null, null]\n+I[a, 1, a, 3]\n");
    CHECK_EQ_STR(L(&j, "+I b 4"), "-D[null, null, b, 2]\n+I[b, 4, b, 2]\n");
    CHECK_EQ_STR(L(&j, "+I b 5"), "+I[b, 5, b, 2]\n");
    CHECK_EQ_INT(j.join->stats.state_keys, 2);
    job_end(&j);
}

/* ---- updating inputs ---- */

TEST(inner_retractions_both_sides)
{
    job j;
    job_start(&j, JT_INNER, NULL, 0);
    L(&j, "+I a 1; +I a 2");
    CHECK_EQ_STR(R(&j, "+I a 10"), "+I[a, 1, a, 10]\n+I[a, 2, a, 10]\n");
    /* An update is a retraction and an insertion; the output uses only -D and +I. */
    CHECK_EQ_STR(L(&j, "-U a 1; +U a 5"), "-D[a, 1, a, 10]\n+I[a, 5, a, 10]\n");
    CHECK_EQ_STR(R(&j, "-U a 10; +U a 20"),
                 "-D[a, 2, a, 10]\n-D[a, 5, a, 10]\n+I[a, 2, a, 20]\n+I[a, 5, a, 20]\n");
    CHECK_EQ_STR(R(&j, "-D a 20"), "-D[a, 2, a, 20]\n-D[a, 5, a, 20]\n");
    CHECK_EQ_INT(j.join->stats.state_keys, 1);
    CHECK_EQ_STR(L(&j, "-D a 2; -D a 5"), "");
    CHECK_EQ_INT(j.join->stats.state_keys, 0);
    /* Retractions of rows never seen are ignored, on both sides. */
    CHECK_EQ_STR(L(&j, "-D a 2; -U z 1"), "");
    R(&j, "+I a 1");
    CHECK_EQ_STR(L(&j, "-D a 3"), "");
    CHECK_EQ_STR(R(&j, "-D a 2"), "");
    CHECK_EQ_INT(j.join->stats.state_keys, 1);
    job_end(&j);
}

TEST(left_retractions_both_sides)
{
    job j;
    job_start(&j, JT_LEFT, NULL, 0);
    CHECK_EQ_STR(L(&j, "+I a 1"), "+I[a, 1, null, null]\n");
    CHECK_EQ_STR(R(&j, "+I a 10"), "-D[a, 1, null, null]\n+I[a, 1, a, 10]\n");
    CHECK_EQ_STR(R(&j, "-U a 10; +U a 20"),
                 "-D[a, 1, a, 10]\n+I[a, 1, null, null]\n-D[a, 1, null, null]\n+I[a, 1, a, 20]\n");
    CHECK_EQ_STR(L(&j, "-U a 1; +U a 2"), "-D[a, 1, a, 20]\n+I[a, 2, a, 20]\n");
    CHECK_EQ_STR(R(&j, "+I a 30"), "+I[a, 2, a, 30]\n");
    CHECK_EQ_STR(R(&j, "-D a 20"), "-D[a, 2, a, 20]\n");
    CHECK_EQ_STR(R(&j, "-D a 30"), "-D[a, 2, a, 30]\n+I[a, 2, null, null]\n");
    CHECK_EQ_STR(L(&j, "-D a 2"), "-D[a, 2, null, null]\n");
    CHECK_EQ_INT(j.join->stats.state_keys, 0);
    job_end(&j);
}

TEST(full_retractions_both_sides)
{
    job j;
    job_start(&j, JT_FULL, NULL, 0);
    L(&j, "+I a 1");
    R(&j, "+I a 10");
    CHECK_EQ_STR(L(&j, "-D a 1"), "-D[a, 1, a, 10]\n+I[null, null, a, 10]\n");
    CHECK_EQ_STR(L(&j, "+I a 2"), "-D[null, null, a, 10]\n+I[a, 2, a, 10]\n");
    CHECK_EQ_STR(R(&j, "-D a 10"), "-D[a, 2, a, 10]\n+I[a, 2, null, null]\n");
    CHECK_EQ_STR(L(&j, "-D a 2"), "-D[a, 2, null, null]\n");
    CHECK_EQ_INT(j.join->stats.state_keys, 0);
    job_end(&j);
}

/* Rows come and go within one chunk; a key emptied mid-chunk is refilled by a later row. */
TEST(changes_within_one_chunk)
{
    job j;
    job_start(&j, JT_FULL, NULL, 0);
    R(&j, "+I a 10");
    CHECK_EQ_STR(L(&j, "+I a 1; -D a 1; +I a 2; +I b 3; -D b 3"),
                 "-D[null, null, a, 10]\n+I[a, 1, a, 10]\n"
                 "-D[a, 1, a, 10]\n+I[null, null, a, 10]\n"
                 "-D[null, null, a, 10]\n+I[a, 2, a, 10]\n"
                 "+I[b, 3, null, null]\n-D[b, 3, null, null]\n");
    CHECK_EQ_INT(j.join->stats.state_keys, 1);
    CHECK_EQ_STR(L(&j, "-D a 2; +I a 4"), "-D[a, 2, a, 10]\n+I[null, null, a, 10]\n-D[null, null, a, 10]\n+I[a, 4, a, 10]\n");
    CHECK_EQ_STR(R(&j, "-D a 10; +I a 11"), "-D[a, 4, a, 10]\n+I[a, 4, null, null]\n-D[a, 4, null, null]\n+I[a, 4, a, 11]\n");
    job_end(&j);
}

/* ---- NULLs ---- */

TEST(null_keys_never_match)
{
    job j;
    job_start(&j, JT_INNER, NULL, 0);
    CHECK_EQ_STR(L(&j, "+I null 1"), "");
    CHECK_EQ_STR(R(&j, "+I null 2"), "");
    CHECK_EQ_STR(L(&j, "-D null 1"), "");
    CHECK_EQ_INT(j.join->stats.state_keys, 0);
    job_end(&j);

    job_start(&j, JT_LEFT, NULL, 0);
    CHECK_EQ_STR(L(&j, "+I null 1"), "+I[null, 1, null, null]\n");
    CHECK_EQ_STR(R(&j, "+I null 2"), "");
    CHECK_EQ_STR(L(&j, "-U null 1; +U null 3"), "-D[null, 1, null, null]\n+I[null, 3, null, null]\n");
    CHECK_EQ_STR(L(&j, "-D null 4"), "");                  /* not in state: ignored like any row */
    CHECK_EQ_INT(j.join->stats.state_keys, 1);             /* the outer row is kept */
    job_end(&j);

    job_start(&j, JT_FULL, NULL, 0);
    CHECK_EQ_STR(L(&j, "+I null 1"), "+I[null, 1, null, null]\n");
    CHECK_EQ_STR(R(&j, "+I null 2"), "+I[null, null, null, 2]\n");
    CHECK_EQ_STR(R(&j, "-D null 2"), "-D[null, null, null, 2]\n");
    CHECK_EQ_STR(L(&j, "+I null 1"), "+I[null, 1, null, null]\n");
    CHECK_EQ_STR(R(&j, "+I null 1"), "+I[null, null, null, 1]\n");
    CHECK_EQ_STR(L(&j, "-D null 1; -D null 1"), "-D[null, 1, null, null]\n-D[null, 1, null, null]\n");
    CHECK_EQ_INT(j.join->stats.state_keys, 1);
    job_end(&j);
}

/* A NULL outside the key joins; its retraction finds the row (NULL equals NULL in state). */
/* DOUBLE keys match as SQL compares them: -0.0 joins 0.0; the rows keep their own values.
 * A retraction finds its row by value: -D of 0.0 on the left leaves the left -0.0 row. */
TEST(double_keys_negative_zero_matches_zero)
{
    schema_t side, out;
    schema_init(&side, 1);
    side.types[0] = type_make(TY_DOUBLE);
    side.names[0] = xstrdup("d");
    schema_init(&out, 2);
    for (int c = 0; c < 2; c++) {
        out.types[c] = type_make(TY_DOUBLE);
        out.names[c] = xstrdup(c ? "d0" : "d");
    }
    static const int keys[1] = {0};
    join_spec spec = {JT_INNER, keys, keys, 1, NULL, &side, &side, 0};
    exec_ctx ctx = {.now_us = fake_clock};
    op_t *op = join_new(&ctx, &out, &spec);
    net_capture *cap = net_capture_new();
    op_connect(op, &cap->base.op, 0);
    chunk_t *c = chunk_new_types(1, side.types, 4);
    static const double left[] = {-0.0, 0.0}, right[] = {0.0, 1.0};
    for (int i = 0; i < 2; i++) chunk_append_values(c, &(value_t){.f = left[i]}, OP_INSERT);
    CHECK_EQ_INT(op_push(op, 0, c), 0);
    chunk_reset(c);
    for (int i = 0; i < 2; i++) chunk_append_values(c, &(value_t){.f = right[i]}, OP_INSERT);
    CHECK_EQ_INT(op_push(op, 1, c), 0);
    CHECK_EQ_STR(take_log(cap), "+I[-0.0, 0.0]\n+I[0.0, 0.0]\n");
    chunk_reset(c);
    chunk_append_values(c, &(value_t){.f = 0.0}, OP_DELETE);
    CHECK_EQ_INT(op_push(op, 0, c), 0);
    CHECK_EQ_STR(take_log(cap), "-D[0.0, 0.0]\n");
    chunk_reset(c);
    chunk_append_values(c, &(value_t){.f = -0.0}, OP_INSERT);
    CHECK_EQ_INT(op_push(op, 1, c), 0);
    CHECK_EQ_STR(take_log(cap), "+I[-0.0, -0.0]\n");
    chunk_free(c);
    op_destroy(op);
    op_destroy(&cap->base.op);
    schema_free(&side);
    schema_free(&out);
}

TEST(null_values_outside_the_key)
{
    job j;
    job_start(&j, JT_LEFT, NULL, 0);
    CHECK_EQ_STR(L(&j, "+I a null"), "+I[a, null, null, null]\n");
    CHECK_EQ_STR(R(&j, "+I a null"), "-D[a, null, null, null]\n+I[a, null, a, null]\n");
    CHECK_EQ_STR(L(&j, "-D a null"), "-D[a, null, a, null]\n");
    CHECK_EQ_STR(R(&j, "-D a null"), "");
    CHECK_EQ_INT(j.join->stats.state_keys, 0);
    job_end(&j);
}

/* ---- residual condition ---- */

TEST(residual_inner)
{
    job j;
    job_start(&j, JT_INNER, a_lt_b(), 0);
    L(&j, "+I a 5; +I a 1");
    CHECK_EQ_STR(R(&j, "+I a 3; +I a 7"), "+I[a, 1, a, 3]\n+I[a, 5, a, 7]\n+I[a, 1, a, 7]\n");
    CHECK_EQ_STR(L(&j, "-D a 5; +I a null"), "-D[a, 5, a, 7]\n");
    CHECK_EQ_STR(R(&j, "-D a 3"), "-D[a, 1, a, 3]\n");
    job_end(&j);
}

TEST(residual_left_outer)
{
    job j;
    job_start(&j, JT_LEFT, a_lt_b(), 0);
    CHECK_EQ_STR(L(&j, "+I a 5"), "+I[a, 5, null, null]\n");
    CHECK_EQ_STR(R(&j, "+I a 3"), "");                      /* same key, but 5 < 3 is false */
    CHECK_EQ_STR(R(&j, "+I a 7"), "-D[a, 5, null, null]\n+I[a, 5, a, 7]\n");
    CHECK_EQ_STR(R(&j, "+I a 9"), "+I[a, 5, a, 9]\n");
    CHECK_EQ_STR(L(&j, "+I a 8"), "+I[a, 8, a, 9]\n");
    CHECK_EQ_STR(L(&j, "+I a 10"), "+I[a, 10, null, null]\n");
    CHECK_EQ_STR(R(&j, "-D a 7"), "-D[a, 5, a, 7]\n");
    CHECK_EQ_STR(R(&j, "-D a 9"), "-D[a, 5, a, 9]\n+I[a, 5, null, null]\n-D[a, 8, a, 9]\n+I[a, 8, null, null]\n");
    /* A residual that is NULL does not match. */
    CHECK_EQ_STR(L(&j, "+I a null"), "+I[a, null, null, null]\n");
    CHECK_EQ_STR(L(&j, "-D a 10"), "-D[a, 10, null, null]\n");
    job_end(&j);
}

TEST(residual_full_outer)
{
    job j;
    job_start(&j, JT_FULL, a_lt_b(), 0);
    CHECK_EQ_STR(R(&j, "+I a 3"), "+I[null, null, a, 3]\n");
    CHECK_EQ_STR(L(&j, "+I a 4"), "+I[a, 4, null, null]\n");
    CHECK_EQ_STR(L(&j, "+I a 1"), "-D[null, null, a, 3]\n+I[a, 1, a, 3]\n");
    CHECK_EQ_STR(L(&j, "+I a 2"), "+I[a, 2, a, 3]\n");
    CHECK_EQ_STR(R(&j, "+I a 5"), "-D[a, 4, null, null]\n+I[a, 4, a, 5]\n+I[a, 1, a, 5]\n+I[a, 2, a, 5]\n");
    CHECK_EQ_STR(L(&j, "-D a 1"), "-D[a, 1, a, 3]\n-D[a, 1, a, 5]\n");
    CHECK_EQ_STR(L(&j, "-D a 2"), "-D[a, 2, a, 3]\n+I[null, null, a, 3]\n-D[a, 2, a, 5]\n");
    CHECK_EQ_STR(R(&j, "-D a 5"), "-D[a, 4, a, 5]\n+I[a, 4, null, null]\n");
    job_end(&j);
}

/* No equality keys (a join on a residual only, e.g. ON l.a < r.b): every row meets every row. */
TEST(residual_only_join)
{
    job j;
    job_start(&j, JT_LEFT, a_lt_b(), 0);
    j.spec.nkeys = 0;
    job_restart(&j);
    CHECK_EQ_STR(L(&j, "+I a 1"), "+I[a, 1, null, null]\n");
    CHECK_EQ_STR(R(&j, "+I b 5; +I null 0"), "-D[a, 1, null, null]\n+I[a, 1, b, 5]\n");
    CHECK_EQ_STR(L(&j, "+I null 3"), "+I[null, 3, b, 5]\n");
    CHECK_EQ_INT(j.join->stats.state_keys, 1);
    CHECK_EQ_STR(R(&j, "-D b 5"), "-D[a, 1, b, 5]\n+I[a, 1, null, null]\n-D[null, 3, b, 5]\n+I[null, 3, null, null]\n");
    sb_t out = {0};
    j.join->vt->explain(j.join, &out);
    CHECK_EQ_STR(sb_str(&out), "joinType=[LeftOuterJoin], where=[], residual=[a < b]");
    sb_free(&out);
    job_end(&j);
}

/* ---- duplicates ---- */

TEST(duplicate_rows)
{
    job j;
    job_start(&j, JT_INNER, NULL, 0);
    L(&j, "+I a 1; +I a 1");
    CHECK_EQ_STR(R(&j, "+I a 10"), "+I[a, 1, a, 10]\n+I[a, 1, a, 10]\n");
    CHECK_EQ_STR(R(&j, "+I a 10"), "+I[a, 1, a, 10]\n+I[a, 1, a, 10]\n");
    CHECK_EQ_STR(L(&j, "-D a 1"), "-D[a, 1, a, 10]\n-D[a, 1, a, 10]\n");
    CHECK_EQ_STR(R(&j, "-D a 10"), "-D[a, 1, a, 10]\n");
    job_end(&j);

    job_start(&j, JT_FULL, NULL, 0);
    CHECK_EQ_STR(L(&j, "+I a 1; +I a 1"), "+I[a, 1, null, null]\n+I[a, 1, null, null]\n");
    CHECK_EQ_STR(R(&j, "+I a 10"), "-D[a, 1, null, null]\n-D[a, 1, null, null]\n+I[a, 1, a, 10]\n+I[a, 1, a, 10]\n");
    CHECK_EQ_STR(R(&j, "+I a 10"), "+I[a, 1, a, 10]\n+I[a, 1, a, 10]\n");
    CHECK_EQ_STR(R(&j, "-D a 10"), "-D[a, 1, a, 10]\n-D[a, 1, a, 10]\n");
    CHECK_EQ_STR(R(&j, "-D a 10"), "-D[a, 1, a, 10]\n-D[a, 1, a, 10]\n+I[a, 1, null, null]\n+I[a, 1, null, null]\n");
    CHECK_EQ_STR(R(&j, "-D a 10"), "");
    CHECK_EQ_STR(L(&j, "-D a 1; -D a 1; -D a 1"), "-D[a, 1, null, null]\n-D[a, 1, null, null]\n");
    CHECK_EQ_INT(j.join->stats.state_keys, 0);
    job_end(&j);
}

/* Long strings (kept in the operator's storage) as keys and in the output. */
TEST(long_strings)
{
    job j;
    job_start(&j, JT_LEFT, NULL, 0);
    CHECK_EQ_STR(L(&j, "+I a-key-longer-than-twelve-bytes 1"), "+I[a-key-longer-than-twelve-bytes, 1, null, null]\n");
    CHECK_EQ_STR(R(&j, "+I a-key-longer-than-twelve-bytes 2; +I a-key-longer-than-twelve-bytez 3"),
                 "-D[a-key-longer-than-twelve-bytes, 1, null, null]\n"
                 "+I[a-key-longer-than-twelve-bytes, 1, a-key-longer-than-twelve-bytes, 2]\n");
    CHECK_EQ_STR(L(&j, "+I a-key-longer-than-twelve-bytez 4"),
                 "+I[a-key-longer-than-twelve-bytez, 4, a-key-longer-than-twelve-bytez, 3]\n");
    job_end(&j);
}

/* A selection vector on the input: only the selected rows count. */
TEST(selection_vector)
{
    job j;
    job_start(&j, JT_INNER, NULL, 0);
    R(&j, "+I a 10; +I b 20");
    chunk_t *c = rows_chunk("+I a 1; +I b 2; +I a 3");
    uint16_t sel[2] = {1, 2};
    c->sel = sel;
    c->nsel = 2;
    CHECK_EQ_INT(op_push(j.join, 0, c), 0);
    c->sel = NULL;
    chunk_free(c);
    CHECK_EQ_STR(take_log(j.cap), "+I[b, 2, b, 20]\n+I[a, 3, a, 10]\n");
    job_end(&j);
}

/* ---- batching past one chunk ---- */

static int count_lines(const char *s, const char *prefix)
{
    int n = 0;
    for (const char *p = s; *p;) {
        if (strncmp(p, prefix, strlen(prefix)) == 0) n++;
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
    }
    return n;
}

/* 1500 right rows of one key: one left row joins them all over two output chunks. */
TEST(output_spans_chunks)
{
    job j;
    job_start(&j, JT_LEFT, NULL, 0);
    type_t types[2] = {type_make(TY_STRING), type_make(TY_BIGINT)};
    chunk_t *c = chunk_new_types(2, types, CHUNK_CAP);
    for (int i = 0; i < 1500; i++) {
        value_t vals[2] = {value_null(), value_i64(i)};
        vals[0].null = 0;
        vals[0].s = str_cstr("a");
        chunk_append_values(c, vals, OP_INSERT);
        if (c->nrows == CHUNK_CAP) {
            CHECK_EQ_INT(op_push(j.join, 1, c), 0);
            chunk_reset(c);
        }
    }
    CHECK_EQ_INT(op_push(j.join, 1, c), 0);
    chunk_free(c);
    CHECK_EQ_STR(take_log(j.cap), "");
    j.cap->base.chunks = 0;
    const char *out = L(&j, "+I a 7");
    CHECK_EQ_INT(count_lines(out, "+I[a, 7, a, "), 1500);
    CHECK_EQ_INT(j.cap->base.chunks, 2);
    CHECK(strstr(out, "+I[a, 7, a, 0]\n") == out);
    CHECK(strstr(out, "+I[a, 7, a, 1499]\n") != NULL);
    CHECK_EQ_INT(count_lines(R(&j, "-D a 1499"), "-D[a, 7, a, 1499]"), 1);
    job_end(&j);
}

/* 1100 right rows x 20 left rows = 22000 candidates: the residual runs over several candidate
 * chunks and two segments, and every verdict lands on its own pair. */
TEST(residual_over_many_candidates)
{
    job j;
    job_start(&j, JT_LEFT, a_lt_b(), 0);
    sb_t rows = {0};
    for (int half = 0; half < 2; half++) {
        for (int i = half * 550; i < half * 550 + 550; i++) sb_printf(&rows, "+I a %d;", i);
        CHECK_EQ_INT(push_rows(&j, 1, sb_str(&rows)), 0);
        sb_clear(&rows);
    }
    /* left values 0, 100, ..., 1900: value v joins the right rows v+1..1099 */
    int expected = 0, padded = 0;
    for (int i = 0; i < 20; i++) {
        int v = i * 100;
        sb_printf(&rows, "%s+I a %d", i ? ";" : "", v);
        if (v < 1099) expected += 1099 - v;
        else padded++;
    }
    const char *out = L(&j, sb_str(&rows));
    CHECK_EQ_INT(count_lines(out, "+I[a, "), expected + padded);
    CHECK_EQ_INT(count_lines(out, "+I[a, 1000, a, "), 99);
    CHECK(strstr(out, "+I[a, 1000, a, 1001]\n") != NULL);
    CHECK(strstr(out, "+I[a, 1000, a, 1000]\n") == NULL);
    CHECK_EQ_INT(count_lines(out, "+I[a, 1900, null, null]"), 1);
    sb_free(&rows);
    job_end(&j);
}

/* ---- state TTL ---- */

TEST(ttl_expiry)
{
    job j;
    job_start(&j, JT_INNER, NULL, 1000);
    fake_now = 0;
    L(&j, "+I a 1");
    fake_now = 500;
    L(&j, "+I b 2");
    CHECK_EQ_INT(j.join->vt->timer(j.join, 999), 0);
    CHECK_EQ_INT(j.join->stats.state_keys, 2);
    CHECK_EQ_INT(j.join->vt->timer(j.join, 1000), 0);      /* a: touched at 0, ttl 1000 */
    CHECK_EQ_INT(j.join->stats.state_keys, 1);
    fake_now = 1200;
    CHECK_EQ_STR(R(&j, "+I a 10"), "");                    /* the expired left row no longer joins */
    CHECK_EQ_STR(L(&j, "-D a 1"), "");                     /* and its retraction is ignored */
    CHECK_EQ_STR(R(&j, "+I b 20"), "+I[b, 2, b, 20]\n");  /* b was touched at 500, now 1200 */
    /* A row of the key refreshes it: b touched at 1200 lives until 2200. */
    fake_now = 2199;
    CHECK_EQ_STR(L(&j, "+I b 3"), "+I[b, 3, b, 20]\n");
    /* Expired keys are invisible even before the timer drops them. */
    fake_now = 3199;
    CHECK_EQ_STR(R(&j, "+I b 21"), "");                    /* b touched at 2199 */
    CHECK_EQ_STR(L(&j, "+I a 5"), "");                     /* a touched at 1200 (by the -D) */
    CHECK_EQ_INT(j.join->stats.state_keys, 2);
    CHECK_EQ_INT(j.join->vt->timer(j.join, 1000000), 0);
    CHECK_EQ_INT(j.join->stats.state_keys, 0);
    job_end(&j);
}

/* Expiry emits nothing, even for outer rows. */
TEST(ttl_outer_emits_nothing)
{
    job j;
    job_start(&j, JT_FULL, NULL, 100);
    L(&j, "+I a 1");
    R(&j, "+I b 2");
    take_log(j.cap);
    j.join->vt->timer(j.join, 100);
    CHECK_EQ_STR(take_log(j.cap), "");
    CHECK_EQ_INT(j.join->stats.state_keys, 0);
    fake_now = 150;
    CHECK_EQ_STR(R(&j, "+I a 3"), "+I[null, null, a, 3]\n");
    CHECK_EQ_STR(L(&j, "-D a 1"), "");
    job_end(&j);
}

/* ---- snapshot / restore ---- */

typedef struct step {
    int port;
    const char *rows;
    int64_t now;
} step;

static const step snap_steps[] = {
    {0, "+I a 1; +I a 1; +I b 2; +I null 3", 0},
    {1, "+I a 5; +I c 4; +I long-key-of-twenty-chars 9", 10},
    {0, "+I long-key-of-twenty-chars 6; -D b 2; +I b 3", 20},
    {1, "-U a 5; +U a 6; +I b 1", 30},
    {0, "+I c 2; +I a 9", 40},
    {1, "-D c 4; +I a 0", 50},
    {0, "-D a 1; -D long-key-of-twenty-chars 6", 60},
    {1, "+I long-key-of-twenty-chars 7", 70},
};

/* Runs the steps; with cut >= 0, snapshots after step `cut` and continues on a fresh operator. */
static char *run_steps(join_type type, int with_residual, int cut, int64_t ttl)
{
    job j;
    job_start(&j, type, with_residual ? a_lt_b() : NULL, ttl);
    for (int i = 0; i < (int)ARRAY_LEN(snap_steps); i++) {
        fake_now = snap_steps[i].now;
        CHECK_EQ_INT(push_rows(&j, snap_steps[i].port, snap_steps[i].rows), 0);
        if (ttl) CHECK_EQ_INT(j.join->vt->timer(j.join, fake_now), 0);
        if (i != cut) continue;
        snap_writer w = {0};
        CHECK_EQ_INT(j.join->vt->snapshot(j.join, &w), 0);
        uint64_t keys = j.join->stats.state_keys;
        job_restart(&j);
        snap_reader r;
        snap_reader_init(&r, w.buf, w.len);
        CHECK_EQ_INT(j.join->vt->restore(j.join, &r), 0);
        CHECK_EQ_INT(r.pos, w.len);
        CHECK_EQ_INT(j.join->stats.state_keys, keys);
        snap_writer_free(&w);
    }
    char *log = xstrdup(take_log(j.cap));
    job_end(&j);
    return log;
}

TEST(snapshot_round_trip)
{
    for (int type = JT_INNER; type <= JT_FULL; type++) {
        for (int residual = 0; residual < 2; residual++) {
            for (int ttl = 0; ttl <= 35; ttl += 35) {
                char *whole = run_steps(type, residual, -1, ttl);
                CHECK(strlen(whole) > 0);
                for (int cut = 0; cut < (int)ARRAY_LEN(snap_steps); cut++) {
                    char *split = run_steps(type, residual, cut, ttl);
                    if (strcmp(whole, split) != 0) {
                        fprintf(stderr, "type %d residual %d ttl %d cut %d:\n%s---\n%s", type, residual, ttl, cut,
                                whole, split);
                        CHECK(0);
                    }
                    free(split);
                }
                free(whole);
            }
        }
    }
}

TEST(restore_rejects_bad_snapshots)
{
    job j;
    job_start(&j, JT_LEFT, NULL, 0);
    L(&j, "+I a 1; +I b 2");
    R(&j, "+I a 3");
    snap_writer w = {0};
    j.join->vt->snapshot(j.join, &w);
    job_end(&j);

    /* truncated */
    job_start(&j, JT_LEFT, NULL, 0);
    snap_reader r;
    snap_reader_init(&r, w.buf, w.len - 3);
    CHECK_EQ_INT(j.join->vt->restore(j.join, &r), -1);
    CHECK(strstr(err_message(), "Join") != NULL);
    err_clear();
    job_end(&j);

    /* another join type */
    job_start(&j, JT_INNER, NULL, 0);
    snap_reader_init(&r, w.buf, w.len);
    CHECK_EQ_INT(j.join->vt->restore(j.join, &r), -1);
    CHECK_EQ_STR(err_message(), "snapshot of Join holds LeftOuterJoin state (1 key columns, 2 + 2 columns), the job "
                                "has InnerJoin (1 key columns, 2 + 2 columns)");
    err_clear();
    job_end(&j);

    /* restore replaces what the operator held */
    job_start(&j, JT_LEFT, NULL, 0);
    L(&j, "+I z 9");
    snap_reader_init(&r, w.buf, w.len);
    CHECK_EQ_INT(j.join->vt->restore(j.join, &r), 0);
    CHECK_EQ_INT(j.join->stats.state_keys, 2);
    take_log(j.cap);
    CHECK_EQ_STR(R(&j, "+I z 1; +I b 4"), "-D[b, 2, null, null]\n+I[b, 2, b, 4]\n");
    CHECK_EQ_STR(R(&j, "-D a 3"), "-D[a, 1, a, 3]\n+I[a, 1, null, null]\n");
    job_end(&j);
    snap_writer_free(&w);
}

/* ---- explain and construction ---- */

TEST(explain_and_errors)
{
    job j;
    job_start(&j, JT_LEFT, a_lt_b(), 3600 * US_PER_SEC);
    sb_t out = {0};
    j.join->vt->explain(j.join, &out);
    CHECK_EQ_STR(sb_str(&out), "joinType=[LeftOuterJoin], where=[k = k0], residual=[a < b], stateTtl=[3600000 ms]");
    sb_free(&out);

    schema_t bad;
    schema_init(&bad, 3);
    for (int c = 0; c < 3; c++) bad.types[c] = type_make(TY_BIGINT);
    CHECK(join_new(&j.ctx, &bad, &j.spec) == NULL);
    CHECK_EQ_STR(err_message(), "Join output has 3 columns, expected 2 left + 2 right");
    err_clear();
    schema_free(&bad);

    j.rkeys[0] = 1;                 /* STRING = BIGINT */
    CHECK(join_new(&j.ctx, &j.out, &j.spec) == NULL);
    CHECK_EQ_STR(err_message(), "Join key 0 compares STRING with BIGINT; the planner must cast both to a common type");
    err_clear();
    j.rkeys[0] = 2;
    CHECK(join_new(&j.ctx, &j.out, &j.spec) == NULL);
    CHECK_EQ_STR(err_message(), "Join key 0 refers to column 0 of 2 left / 2 of 2 right columns");
    err_clear();
    j.rkeys[0] = 0;
    job_end(&j);
}

/* ---- randomized: net output equals a brute-force join of the net inputs ---- */

#define NKEYS 5
static const char *const rand_keys[NKEYS] = {"a", "b", "c", "null", "key-longer-than-12"};

typedef struct live_row {
    int key;                  /* index into rand_keys */
    int val;                  /* -1: NULL */
} live_row;

typedef VEC(live_row) live_rows;

static unsigned rng_state;
static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (rng_state >> 8) % n;
}

static void row_spec(sb_t *out, const char *op, live_row r)
{
    if (r.val < 0) sb_printf(out, "%s %s null;", op, rand_keys[r.key]);
    else sb_printf(out, "%s %s %d;", op, rand_keys[r.key], r.val);
}

static void fmt_side(sb_t *out, const live_row *r)
{
    if (!r) { sb_puts(out, "null, null"); return; }
    sb_printf(out, "%s, ", rand_keys[r->key]);
    if (r->val < 0) sb_puts(out, "null");
    else sb_printf(out, "%d", r->val);
}

static int rows_join(const live_row *l, const live_row *r, int residual)
{
    if (l->key != r->key || strcmp(rand_keys[l->key], "null") == 0) return 0;
    return !residual || (l->val >= 0 && r->val >= 0 && l->val < r->val);
}

static void expect_row(hmap_t *m, const live_row *l, const live_row *r)
{
    sb_t line = {0};
    sb_putc(&line, '[');
    fmt_side(&line, l);
    sb_puts(&line, ", ");
    fmt_side(&line, r);
    sb_putc(&line, ']');
    multiset_add(m, sb_str(&line), 1);
    sb_free(&line);
}

static void brute_force(hmap_t *m, join_type type, const live_rows *l, const live_rows *r, int residual)
{
    for (size_t i = 0; i < l->len; i++) {
        int matched = 0;
        for (size_t k = 0; k < r->len; k++)
            if (rows_join(&l->items[i], &r->items[k], residual)) { expect_row(m, &l->items[i], &r->items[k]); matched = 1; }
        if (!matched && (type == JT_LEFT || type == JT_FULL)) expect_row(m, &l->items[i], NULL);
    }
    if (type != JT_RIGHT && type != JT_FULL) return;
    for (size_t k = 0; k < r->len; k++) {
        int matched = 0;
        for (size_t i = 0; i < l->len; i++) matched |= rows_join(&l->items[i], &r->items[k], residual);
        if (!matched) expect_row(m, NULL, &r->items[k]);
    }
}

/* Every non-zero count of a is in b with the same count. */
static int multiset_within(const hmap_t *a, hmap_t *b, const char *what)
{
    hmap_entry *e;
    int ok = 1;
    for (size_t pos = 0; hmap_next(a, &pos, &e);) {
        intptr_t n = (intptr_t)e->val;
        if (!n) continue;
        void **slot = hmap_get(b, e->key, e->klen, e->hash);
        intptr_t m = slot ? (intptr_t)*slot : 0;
        if (m != n) {
            fprintf(stderr, "%s: %.*s %ld vs %ld\n", what, (int)e->klen, e->key, (long)n, (long)m);
            ok = 0;
        }
    }
    return ok;
}

static live_row random_row(void)
{
    live_row r = {(int)rnd(NKEYS), (int)rnd(5) - 1};
    return r;
}

/* One chunk of random changes to one side, applied to `live` as it is built. */
static void random_chunk(sb_t *rows, live_rows *live)
{
    int n = 1 + (int)rnd(rnd(4) ? 6 : 60);
    for (int i = 0; i < n; i++) {
        unsigned what = rnd(10);
        if (what < 4 && live->len) {
            size_t victim = rnd((unsigned)live->len);
            live_row old = live->items[victim];
            live->items[victim] = live->items[--live->len];
            if (what == 0) {          /* an update: -U directly followed by +U */
                live_row neu = random_row();
                row_spec(rows, "-U", old);
                row_spec(rows, "+U", neu);
                VEC_PUSH(*live, neu);
            } else {
                row_spec(rows, "-D", old);
            }
        } else if (what == 4) {       /* a retraction of a row that is not live: ignored */
            live_row ghost = {(int)rnd(NKEYS), 77};
            row_spec(rows, "-D", ghost);
        } else {
            live_row neu = random_row();
            row_spec(rows, "+I", neu);
            VEC_PUSH(*live, neu);
        }
    }
}

static void random_run(join_type type, int residual, unsigned seed)
{
    rng_state = seed;
    job j;
    job_start(&j, type, residual ? a_lt_b() : NULL, 0);
    live_rows live[2] = {{0}, {0}};
    sb_t rows = {0};
    for (int step = 0; step < 300; step++) {
        int port = (int)rnd(2);
        sb_clear(&rows);
        random_chunk(&rows, &live[port]);
        CHECK_EQ_INT(push_rows(&j, port, sb_str(&rows)), 0);
        if (rnd(40) == 0) {           /* a checkpoint and a restart now and then */
            snap_writer w = {0};
            j.join->vt->snapshot(j.join, &w);
            job_restart(&j);
            snap_reader r;
            snap_reader_init(&r, w.buf, w.len);
            CHECK_EQ_INT(j.join->vt->restore(j.join, &r), 0);
            snap_writer_free(&w);
        }
    }
    hmap_t expected;
    hmap_init(&expected);
    brute_force(&expected, type, &live[0], &live[1], residual);
    int ok = multiset_within(&expected, &j.cap->net, "expected") & multiset_within(&j.cap->net, &expected, "emitted");
    if (!ok) fprintf(stderr, "random join type %d residual %d seed %u differs\n", type, residual, seed);
    CHECK(ok);
    CHECK_EQ_INT(j.cap->negative, 0);
    hmap_free(&expected);
    sb_free(&rows);
    VEC_FREE(live[0]);
    VEC_FREE(live[1]);
    take_log(j.cap);
    job_end(&j);
}

TEST(randomized_against_brute_force)
{
    for (int type = JT_INNER; type <= JT_FULL; type++)
        for (int residual = 0; residual < 2; residual++)
            for (unsigned seed = 1; seed <= 8; seed++) random_run(type, residual, seed * 7919u + (unsigned)type);
}

int main(void)
{
    helpers_init();
    RUN(inner_insert_only);
    RUN(left_insert_only);
    RUN(right_insert_only);
    RUN(full_insert_only);
    RUN(inner_retractions_both_sides);
    RUN(left_retractions_both_sides);
    RUN(full_retractions_both_sides);
    RUN(changes_within_one_chunk);
    RUN(null_keys_never_match);
    RUN(double_keys_negative_zero_matches_zero);
    RUN(null_values_outside_the_key);
    RUN(residual_inner);
    RUN(residual_left_outer);
    RUN(residual_full_outer);
    RUN(residual_only_join);
    RUN(duplicate_rows);
    RUN(long_strings);
    RUN(selection_vector);
    RUN(output_spans_chunks);
    RUN(residual_over_many_candidates);
    RUN(ttl_expiry);
    RUN(ttl_outer_emits_nothing);
    RUN(snapshot_round_trip);
    RUN(restore_rejects_bad_snapshots);
    RUN(explain_and_errors);
    RUN(randomized_against_brute_force);
    helpers_done();
    return CHECK_DONE();
}
