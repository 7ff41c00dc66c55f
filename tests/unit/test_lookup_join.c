/* test_lookup_join.c - LookupJoin: INNER and LEFT joins against a fake lookup source that
 * counts its fetches and against the real SQLite lookup (jdbc connector): no match, several
 * matches, residual conditions, NULL keys, updating input (-U/+U pairs), fetches deduplicated
 * per chunk, output split into chunks without splitting pairs, explain and errors.
 *
 * Input (id BIGINT, k BIGINT, tag STRING) joined on k with the dimension table
 * (dk BIGINT, name STRING, w INT). A capture operator renders the output as
 * "+I[1, 1, x, 1, alpha, 10]" lines. */
#include "expr_helpers.h"
#include "op_testkit.h"
#include <sqlite3.h>
#include <unistd.h>

static exec_ctx ctx;

static capture *cap_new(void) { return capture_new(&ctx, (capture_fmt){0}); }

/* ---- fake lookup source: rows (dk, name, w), counting fetches and closes ---- */

typedef struct fake_row { int64_t dk; const char *name; int64_t w; } fake_row;

static const fake_row fake_rows[] = {
    {1, "alpha-with-a-long-name", 10},
    {1, "a2", 20},
    {2, "beta", 30},
    {4, "delta", 40},
};

static int fetches, closes;
static int64_t fetched_keys[64];

static int fake_fetch(lookup_t *l, const value_t *keys, chunk_t *out)
{
    (void)l;
    CHECK(!keys[0].null);
    if (fetches < 64) fetched_keys[fetches] = keys[0].i;
    fetches++;
    for (size_t i = 0; i < ARRAY_LEN(fake_rows); i++) {
        if (fake_rows[i].dk != keys[0].i) continue;
        value_t vals[3] = {value_i64(fake_rows[i].dk), value_null(), value_i64(fake_rows[i].w)};
        vals[1].null = 0;
        vals[1].s = str_cstr(fake_rows[i].name);
        chunk_append_values(out, vals, OP_INSERT);
    }
    return 0;
}

static int fail_fetch(lookup_t *l, const value_t *keys, chunk_t *out)
{
    (void)l;
    (void)keys;
    (void)out;
    return err_msg("lookup backend is down");
}

static void fake_close(lookup_t *l) { closes++; free(l); }

static const lookup_vtable fake_vt = {fake_fetch, fake_close};
static const lookup_vtable failing_vt = {fail_fetch, fake_close};

static int dim_key_col = 0;
static connector_table fake_table = {.name = "dim"};

static lookup_t *fake_new(const lookup_vtable *vt)
{
    lookup_t *l = xcalloc(1, sizeof *l);
    l->vt = vt;
    l->table = &fake_table;
    l->key_cols = &dim_key_col;
    l->nkeys = 1;
    return l;
}

/* ---- schemas and operator set-up ---- */

static void set_col(schema_t *s, int i, const char *name, type_id t)
{
    s->types[i] = type_make(t);
    s->names[i] = xstrdup(name);
}

static schema_t in_schema, dim_schema, out_schema;

static void schemas_init(void)
{
    schema_init(&in_schema, 3);
    set_col(&in_schema, 0, "id", TY_BIGINT);
    set_col(&in_schema, 1, "k", TY_BIGINT);
    set_col(&in_schema, 2, "tag", TY_STRING);
    schema_init(&dim_schema, 3);
    set_col(&dim_schema, 0, "dk", TY_BIGINT);
    set_col(&dim_schema, 1, "name", TY_STRING);
    set_col(&dim_schema, 2, "w", TY_INT);
    schema_init(&out_schema, 6);
    for (int i = 0; i < 3; i++) {
        set_col(&out_schema, i, in_schema.names[i], in_schema.types[i].id);
        set_col(&out_schema, 3 + i, dim_schema.names[i], dim_schema.types[i].id);
    }
}

static void schemas_free(void)
{
    schema_free(&in_schema);
    schema_free(&dim_schema);
    schema_free(&out_schema);
}

static const int input_key = 1;

typedef struct job {
    op_t *op;
    capture *cap;
} job;

static job make_job(lookup_t *l, int left_outer, expr_t *residual)
{
    lookup_join_spec spec = {.left_outer = left_outer, .lookup = l, .input_keys = &input_key, .nkeys = 1,
                             .residual = residual, .input = &in_schema, .dim = &dim_schema};
    job j = {lookup_join_new(&ctx, &out_schema, &spec), cap_new()};
    CHECK(j.op != NULL);
    if (j.op) op_connect(j.op, &j.cap->op, 0);
    return j;
}

static void job_free(job *j)
{
    op_destroy(j->op);
    op_destroy(&j->cap->op);
}

/* Rows "id|k|tag" separated by ';'; ops one letter per row: I, U (-U), A (+U), D. */
static chunk_t *input(const char *rows, const char *ops)
{
    chunk_t *c = ROWS("BIGINT BIGINT STRING", rows);
    for (uint32_t i = 0; ops && ops[i]; i++)
        c->ops[i] = ops[i] == 'U' ? OP_UPDATE_BEFORE : ops[i] == 'A' ? OP_UPDATE_AFTER : ops[i] == 'D' ? OP_DELETE : OP_INSERT;
    return c;
}

/* Pushes the rows through the job; returns the captured text since the last call. */
static const char *run(job *j, const char *rows, const char *ops)
{
    static char text[8192];
    chunk_t *c = input(rows, ops);
    sb_clear(&j->cap->text);
    CHECK_EQ_INT(op_push(j->op, 0, c), 0);
    snprintf(text, sizeof text, "%s", sb_str(&j->cap->text));
    chunk_free(c);
    return text;
}

static const char *const ROWS5 = "1|1|x;2|2|y;3|3|z;4|NULL|w;5|1|a-long-tag-value";

/* ---- tests with the fake lookup ---- */

TEST(inner_join_several_matches_no_match_and_null_key)
{
    fetches = 0;
    job j = make_job(fake_new(&fake_vt), 0, NULL);
    CHECK_EQ_STR(run(&j, ROWS5, NULL),
                 "+I[1, 1, x, 1, alpha-with-a-long-name, 10]\n"
                 "+I[1, 1, x, 1, a2, 20]\n"
                 "+I[2, 2, y, 2, beta, 30]\n"
                 "+I[5, 1, a-long-tag-value, 1, alpha-with-a-long-name, 10]\n"
                 "+I[5, 1, a-long-tag-value, 1, a2, 20]\n");
    /* keys 1, 2, 3 once each; the NULL key is never fetched */
    CHECK_EQ_INT(fetches, 3);
    CHECK_EQ_INT(fetched_keys[0], 1);
    CHECK_EQ_INT(fetched_keys[1], 2);
    CHECK_EQ_INT(fetched_keys[2], 3);
    CHECK_EQ_INT(j.op->stats.rows_in, 5);
    CHECK_EQ_INT(j.op->stats.rows_out, 5);
    job_free(&j);
}

TEST(left_join_pads_rows_without_match)
{
    job j = make_job(fake_new(&fake_vt), 1, NULL);
    CHECK_EQ_STR(run(&j, ROWS5, NULL),
                 "+I[1, 1, x, 1, alpha-with-a-long-name, 10]\n"
                 "+I[1, 1, x, 1, a2, 20]\n"
                 "+I[2, 2, y, 2, beta, 30]\n"
                 "+I[3, 3, z, NULL, NULL, NULL]\n"
                 "+I[4, NULL, w, NULL, NULL, NULL]\n"
                 "+I[5, 1, a-long-tag-value, 1, alpha-with-a-long-name, 10]\n"
                 "+I[5, 1, a-long-tag-value, 1, a2, 20]\n");
    job_free(&j);
}

TEST(residual_filters_matches)
{
    /* w > 15: of key 1 only a2 passes; w > 35 on key 2 fails every match */
    expr_t *gt15 = CALL(">", COL(5, "INT"), LIT("INT", "15"));
    job j = make_job(fake_new(&fake_vt), 0, gt15);
    CHECK_EQ_STR(run(&j, ROWS5, NULL),
                 "+I[1, 1, x, 1, a2, 20]\n"
                 "+I[2, 2, y, 2, beta, 30]\n"
                 "+I[5, 1, a-long-tag-value, 1, a2, 20]\n");
    job_free(&j);

    /* LEFT: a row whose matches all fail the residual is padded */
    expr_t *gt25 = CALL(">", COL(5, "INT"), LIT("INT", "25"));
    j = make_job(fake_new(&fake_vt), 1, gt25);
    CHECK_EQ_STR(run(&j, ROWS5, NULL),
                 "+I[1, 1, x, NULL, NULL, NULL]\n"
                 "+I[2, 2, y, 2, beta, 30]\n"
                 "+I[3, 3, z, NULL, NULL, NULL]\n"
                 "+I[4, NULL, w, NULL, NULL, NULL]\n"
                 "+I[5, 1, a-long-tag-value, NULL, NULL, NULL]\n");
    job_free(&j);

    /* a residual over input and dimension columns; NULL tag makes it NULL: no pass */
    expr_t *eq = CALL("=", COL(2, "STRING"), COL(4, "STRING"));
    j = make_job(fake_new(&fake_vt), 1, eq);
    CHECK_EQ_STR(run(&j, "1|1|a2;2|2|NULL;3|2|beta", NULL),
                 "+I[1, 1, a2, 1, a2, 20]\n"
                 "+I[2, 2, NULL, NULL, NULL, NULL]\n"
                 "+I[3, 2, beta, 2, beta, 30]\n");
    job_free(&j);
}

TEST(updating_input_carries_ops_and_keeps_pairs)
{
    job j = make_job(fake_new(&fake_vt), 0, NULL);
    /* same key on both sides: 2 and 2 rows -> two -U/+U pairs */
    CHECK_EQ_STR(run(&j, "1|1|old;1|1|new", "UA"),
                 "-U[1, 1, old, 1, alpha-with-a-long-name, 10]\n"
                 "+U[1, 1, new, 1, alpha-with-a-long-name, 10]\n"
                 "-U[1, 1, old, 1, a2, 20]\n"
                 "+U[1, 1, new, 1, a2, 20]\n");
    /* 2 rows before, 1 after -> -D, -D, +I */
    CHECK_EQ_STR(run(&j, "1|1|x;1|2|x", "UA"),
                 "-D[1, 1, x, 1, alpha-with-a-long-name, 10]\n"
                 "-D[1, 1, x, 1, a2, 20]\n"
                 "+I[1, 2, x, 2, beta, 30]\n");
    /* 1 before, 0 after (INNER) -> -D; 0 and 0 -> nothing; 1 and 1 -> one pair */
    CHECK_EQ_STR(run(&j, "1|2|x;1|3|x;2|3|y;2|NULL|y;3|2|p;3|4|q", "UAUAUA"),
                 "-D[1, 2, x, 2, beta, 30]\n"
                 "-U[3, 2, p, 2, beta, 30]\n"
                 "+U[3, 4, q, 4, delta, 40]\n");
    /* +I, -D carried; a lone -U becomes -D; a lone +U stays +U */
    CHECK_EQ_STR(run(&j, "1|2|a;2|2|b;3|2|c;4|2|d", "IDUA"),
                 "+I[1, 2, a, 2, beta, 30]\n"
                 "-D[2, 2, b, 2, beta, 30]\n"
                 "-U[3, 2, c, 2, beta, 30]\n"
                 "+U[4, 2, d, 2, beta, 30]\n");
    CHECK_EQ_STR(run(&j, "1|2|a;2|2|b", "AU"),
                 "+U[1, 2, a, 2, beta, 30]\n"
                 "-D[2, 2, b, 2, beta, 30]\n");
    job_free(&j);

    /* LEFT: 0 matches on both sides -> one padded pair; 1 padded vs 2 matches -> -D/+I */
    j = make_job(fake_new(&fake_vt), 1, NULL);
    CHECK_EQ_STR(run(&j, "1|3|x;1|NULL|y;2|3|x;2|1|y", "UAUA"),
                 "-U[1, 3, x, NULL, NULL, NULL]\n"
                 "+U[1, NULL, y, NULL, NULL, NULL]\n"
                 "-D[2, 3, x, NULL, NULL, NULL]\n"
                 "+I[2, 1, y, 1, alpha-with-a-long-name, 10]\n"
                 "+I[2, 1, y, 1, a2, 20]\n");
    job_free(&j);

    /* the residual decides the counts: w > 15 leaves 1 match for key 1 and 1 for key 2 */
    j = make_job(fake_new(&fake_vt), 0, CALL(">", COL(5, "INT"), LIT("INT", "15")));
    CHECK_EQ_STR(run(&j, "1|1|x;1|2|y", "UA"),
                 "-U[1, 1, x, 1, a2, 20]\n"
                 "+U[1, 2, y, 2, beta, 30]\n");
    job_free(&j);
}

TEST(selection_vector_is_respected)
{
    job j = make_job(fake_new(&fake_vt), 0, NULL);
    chunk_t *c = input("1|1|x;2|2|y;3|2|z", NULL);
    c->sel = xmalloc(2 * sizeof *c->sel);
    c->sel[0] = 1;
    c->sel[1] = 2;
    c->nsel = 2;
    fetches = 0;
    CHECK_EQ_INT(op_push(j.op, 0, c), 0);
    CHECK_EQ_STR(sb_str(&j.cap->text),
                 "+I[2, 2, y, 2, beta, 30]\n"
                 "+I[3, 2, z, 2, beta, 30]\n");
    CHECK_EQ_INT(fetches, 1);
    chunk_free(c);
    job_free(&j);
}

/* A chunk of n rows with keys cycling over 1..4 and ops from pattern. */
static chunk_t *big_input(uint32_t n, const char *pattern)
{
    chunk_t *c = input("0|1|t", NULL);
    c->nrows = 0;
    for (uint32_t i = 0; i < n; i++) {
        value_t vals[3] = {value_i64(i), value_i64(1 + i % 4), value_null()};
        vals[2].null = 0;
        vals[2].s = str_cstr(i % 3 ? "short" : "a tag longer than twelve bytes");
        uint8_t op = OP_INSERT;
        if (pattern) op = pattern[i % strlen(pattern)] == 'U' ? OP_UPDATE_BEFORE : OP_UPDATE_AFTER;
        chunk_append_values(c, vals, op);
    }
    return c;
}

TEST(fetches_are_deduplicated_per_chunk)
{
    job j = make_job(fake_new(&fake_vt), 1, NULL);
    chunk_t *c = big_input(CHUNK_CAP, NULL);
    fetches = 0;
    CHECK_EQ_INT(op_push(j.op, 0, c), 0);
    CHECK_EQ_INT(fetches, 4);               /* keys 1, 2, 3, 4 */
    /* keys 1 (2 matches), 2, 3 (padded), 4: 5 rows per 4 inputs */
    CHECK_EQ_INT(j.cap->rows, CHUNK_CAP / 4 * 5);
    CHECK_EQ_INT(j.cap->chunks, 2);
    CHECK_EQ_INT(op_push(j.op, 0, c), 0);
    CHECK_EQ_INT(fetches, 8);               /* the operator does not cache across chunks */
    chunk_free(c);
    job_free(&j);
}

TEST(large_output_splits_into_chunks_without_splitting_pairs)
{
    /* -U/+U pairs with equal keys; key 1 gives two pairs per input pair */
    job j = make_job(fake_new(&fake_vt), 1, NULL);
    chunk_t *c = input("0|1|t", NULL);
    c->nrows = 0;
    for (uint32_t i = 0; i < CHUNK_CAP; i++) {
        value_t vals[3] = {value_i64(i / 2), value_i64(1), value_null()};
        vals[2].null = 0;
        vals[2].s = str_cstr(i % 2 ? "after" : "before");
        chunk_append_values(c, vals, i % 2 ? OP_UPDATE_AFTER : OP_UPDATE_BEFORE);
    }
    /* one padded row at the front shifts the pairs to odd positions */
    chunk_t *d = input("9|3|pad", NULL);
    for (uint32_t i = 0; i < CHUNK_CAP - 1; i++) chunk_append_row(d, c, i, c->ops[i]);
    d->ops[CHUNK_CAP - 1] = OP_INSERT;       /* the last -U would lose its +U: make it an insert */
    CHECK_EQ_INT(op_push(j.op, 0, d), 0);
    CHECK_EQ_INT(j.cap->ends_with_before, 0);
    CHECK_EQ_INT(j.cap->rows, 1 + (CHUNK_CAP - 2) * 2 + 2);
    CHECK(j.cap->chunks >= 2);
    chunk_free(c);
    chunk_free(d);
    job_free(&j);
}

TEST(residual_over_more_candidates_than_a_chunk)
{
    /* 1024 rows, every fourth one key 1 (2 matches): 1280 candidates, evaluated in 2 batches;
     * the residual keeps the matches whose name is shorter than the tag */
    expr_t *res = CALL("<", CALL("CHAR_LENGTH", COL(4, "STRING")), CALL("CHAR_LENGTH", COL(2, "STRING")));
    job j = make_job(fake_new(&fake_vt), 0, res);
    chunk_t *c = big_input(CHUNK_CAP, NULL);
    CHECK_EQ_INT(op_push(j.op, 0, c), 0);
    /* names: alpha-with-a-long-name (22), a2 (2), beta (4), delta (5); tags: 5 or 30 chars.
     * Count the expected passes directly. */
    uint64_t want = 0;
    for (uint32_t i = 0; i < CHUNK_CAP; i++) {
        int tag = i % 3 ? 5 : 30;
        int64_t k = 1 + i % 4;
        for (size_t m = 0; m < ARRAY_LEN(fake_rows); m++)
            if (fake_rows[m].dk == k && (int)strlen(fake_rows[m].name) < tag) want++;
    }
    CHECK_EQ_INT(j.cap->rows, want);
    CHECK(want > 0 && want < CHUNK_CAP / 4 * 5);
    chunk_free(c);
    job_free(&j);
}

TEST(errors_snapshot_and_explain)
{
    /* a fetch error fails the push with the connector's message */
    job j = make_job(fake_new(&failing_vt), 0, NULL);
    chunk_t *c = input("1|1|x", NULL);
    CHECK_EQ_INT(op_push(j.op, 0, c), -1);
    CHECK_EQ_STR(err_message(), "lookup backend is down");
    err_clear();
    chunk_free(c);
    job_free(&j);

    /* stateless: the snapshot is empty */
    j = make_job(fake_new(&fake_vt), 1, CALL(">", COL(5, "INT"), LIT("INT", "15")));
    snap_writer w = {0};
    CHECK_EQ_INT(j.op->vt->snapshot(j.op, &w), 0);
    CHECK_EQ_INT(w.len, 0);
    snap_reader r;
    snap_reader_init(&r, w.buf, w.len);
    CHECK_EQ_INT(j.op->vt->restore(j.op, &r), 0);
    sb_t sb = {0};
    j.op->vt->explain(j.op, &sb);
    CHECK_EQ_STR(sb_str(&sb), "table=[dim], joinType=[LeftOuterJoin], lookup=[dk=k], where=[w > 15], "
                              "select=[id, k, tag, dk, name, w]");
    sb_free(&sb);
    closes = 0;
    job_free(&j);
    CHECK_EQ_INT(closes, 1);                /* the lookup source is owned */

    /* key types must match physically; the source is closed on failure */
    schema_t bad;
    schema_copy(&bad, &in_schema);
    bad.types[1] = type_make(TY_STRING);
    lookup_join_spec spec = {.lookup = fake_new(&fake_vt), .input_keys = &input_key, .nkeys = 1,
                             .input = &bad, .dim = &dim_schema};
    closes = 0;
    CHECK(lookup_join_new(&ctx, &out_schema, &spec) == NULL);
    CHECK_EQ_STR(err_message(), "LookupJoin key 0: input column 'k' is STRING but dimension column 'dk' is BIGINT");
    CHECK_EQ_INT(closes, 1);
    err_clear();
    schema_free(&bad);

    spec = (lookup_join_spec){.lookup = fake_new(&fake_vt), .input_keys = &input_key, .nkeys = 1,
                              .input = &in_schema, .dim = &in_schema};
    CHECK(lookup_join_new(&ctx, &dim_schema, &spec) == NULL);
    CHECK_EQ_STR(err_message(), "LookupJoin output has 3 columns, expected 3 input + 3 dimension columns");
    err_clear();
}

/* ---- the real SQLite lookup ---- */

typedef struct sqlite_dim {
    char path[128];
    char url[160];
    table_option opts[4];
    connector_table t;
} sqlite_dim;

static void sql_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "sqlite: %s\n", msg);
        CHECK(!"sql failed");
    }
    sqlite3_free(msg);
    sqlite3_close(db);
}

static void sqlite_dim_init(sqlite_dim *d, int cached)
{
    snprintf(d->path, sizeof d->path, "/tmp/eddy_test_lookup_join_%d_%d.db", (int)getpid(), cached);
    unlink(d->path);
    snprintf(d->url, sizeof d->url, "jdbc:sqlite:%s", d->path);
    sql_exec(d->path, "CREATE TABLE dims (dk INTEGER, name TEXT, w INTEGER);"
                      "INSERT INTO dims VALUES (1, 'alpha-with-a-long-name', 10), (1, 'a2', 20), (2, 'beta', 30),"
                      " (4, 'delta', NULL);");
    memset(&d->opts, 0, sizeof d->opts);
    d->opts[0].key = "connector";
    d->opts[0].value = "jdbc";
    d->opts[1].key = "url";
    d->opts[1].value = d->url;
    d->opts[2].key = "table-name";
    d->opts[2].value = "dims";
    d->opts[3].key = "lookup.cache";
    d->opts[3].value = "PARTIAL";
    memset(&d->t, 0, sizeof d->t);
    d->t.name = "dim";
    d->t.physical = dim_schema;
    d->t.opts = d->opts;
    d->t.nopts = cached ? 4 : 3;
    d->t.ctx = &ctx;
}

static lookup_t *sqlite_lookup(sqlite_dim *d)
{
    int key = 0;
    lookup_t *l = connector_jdbc.create_lookup(&d->t, &key, 1);
    CHECK(l != NULL);
    if (!l) fprintf(stderr, "%s\n", err_text());
    return l;
}

TEST(sqlite_inner_and_left)
{
    sqlite_dim d;
    sqlite_dim_init(&d, 0);
    job j = make_job(sqlite_lookup(&d), 0, NULL);
    CHECK_EQ_STR(run(&j, ROWS5, NULL),
                 "+I[1, 1, x, 1, alpha-with-a-long-name, 10]\n"
                 "+I[1, 1, x, 1, a2, 20]\n"
                 "+I[2, 2, y, 2, beta, 30]\n"
                 "+I[5, 1, a-long-tag-value, 1, alpha-with-a-long-name, 10]\n"
                 "+I[5, 1, a-long-tag-value, 1, a2, 20]\n");
    job_free(&j);

    j = make_job(sqlite_lookup(&d), 1, CALL(">", COL(5, "INT"), LIT("INT", "15")));
    CHECK_EQ_STR(run(&j, "1|1|x;2|2|y;3|3|z;4|4|w;5|NULL|v", NULL),
                 "+I[1, 1, x, 1, a2, 20]\n"
                 "+I[2, 2, y, 2, beta, 30]\n"
                 "+I[3, 3, z, NULL, NULL, NULL]\n"
                 "+I[4, 4, w, NULL, NULL, NULL]\n"
                 "+I[5, NULL, v, NULL, NULL, NULL]\n");
    /* updating input against the database */
    CHECK_EQ_STR(run(&j, "1|1|x;1|2|x", "UA"),
                 "-U[1, 1, x, 1, a2, 20]\n"
                 "+U[1, 2, x, 2, beta, 30]\n");
    job_free(&j);
    unlink(d.path);
}

TEST(sqlite_lookup_reads_current_rows_unless_cached)
{
    sqlite_dim plain, cached;
    sqlite_dim_init(&plain, 0);
    sqlite_dim_init(&cached, 1);
    job a = make_job(sqlite_lookup(&plain), 0, NULL);
    job b = make_job(sqlite_lookup(&cached), 0, NULL);
    CHECK_EQ_STR(run(&a, "1|2|x", NULL), "+I[1, 2, x, 2, beta, 30]\n");
    CHECK_EQ_STR(run(&b, "1|2|x", NULL), "+I[1, 2, x, 2, beta, 30]\n");
    sql_exec(plain.path, "UPDATE dims SET name = 'beta-2' WHERE dk = 2");
    sql_exec(cached.path, "UPDATE dims SET name = 'beta-2' WHERE dk = 2");
    CHECK_EQ_STR(run(&a, "2|2|y", NULL), "+I[2, 2, y, 2, beta-2, 30]\n");
    CHECK_EQ_STR(run(&b, "2|2|y", NULL), "+I[2, 2, y, 2, beta, 30]\n");     /* from the cache */
    job_free(&a);
    job_free(&b);
    unlink(plain.path);
    unlink(cached.path);
}

int main(void)
{
    helpers_init();
    schemas_init();
    ctx.local_tz = tz_get("UTC", NULL, 0);
    RUN(inner_join_several_matches_no_match_and_null_key);
    RUN(left_join_pads_rows_without_match);
    RUN(residual_filters_matches);
    RUN(updating_input_carries_ops_and_keeps_pairs);
    RUN(selection_vector_is_respected);
    RUN(fetches_are_deduplicated_per_chunk);
    RUN(large_output_splits_into_chunks_without_splitting_pairs);
    RUN(residual_over_more_candidates_than_a_chunk);
    RUN(errors_snapshot_and_explain);
    RUN(sqlite_inner_and_left);
    RUN(sqlite_lookup_reads_current_rows_unless_cached);
    schemas_free();
    helpers_done();
    return CHECK_DONE();
}
