/* test_group_agg.c - GroupAggregate: exact changelogs for insert-only and updating input,
 * NULL and multi-column keys, DISTINCT, output chunking, snapshot/restore, and a randomized
 * comparison of the final table with a brute-force recomputation. */
#include "op_testkit.h"

/* ---- a capture operator that records rows as "+I[a, 3]" lines ---- */

static capture *cap_new(void) { return capture_new(NULL, (capture_fmt){.print = 1}); }

/* The log so far, then cleared. */
static char log_text[1 << 16];
static const char *take_log(capture *c)
{
    snprintf(log_text, sizeof log_text, "%s", sb_str(&c->text));
    sb_clear(&c->text);
    return log_text;
}

/* ---- building jobs ---- */

static type_t T(type_id id) { return type_make(id); }
static value_t I(int64_t i) { return value_i64(i); }
static value_t N(void) { return value_null(); }
static value_t S(const char *s) { value_t v = value_null(); v.null = 0; v.s = str_cstr(s); return v; }

enum { PI = OP_INSERT, MU = OP_UPDATE_BEFORE, PU = OP_UPDATE_AFTER, MD = OP_DELETE };

typedef struct job {
    agg_call calls[16];
    int ncalls;
    int keys[4];
    int nkeys;
    type_t in_types[8];
    int nin;
    schema_t out;
    op_t *agg;
    capture *cap;
} job;

static agg_call *job_call(job *j, const char *name, int arg_col, const char *out_name)
{
    agg_call *c = &j->calls[j->ncalls++];
    memset(c, 0, sizeof *c);
    c->def = agg_lookup(name);
    c->arg_col = arg_col;
    c->arg_type = arg_col < 0 ? T(TY_NULL) : j->in_types[arg_col];
    c->filter_col = -1;
    if (c->def->result_type(c->arg_type, &c->result_type) < 0) abort();
    (void)out_name;
    return c;
}

/* Builds the operator once keys and calls are set; output names are k0.. then a0... */
static void job_start(job *j)
{
    schema_init(&j->out, (uint32_t)(j->nkeys + j->ncalls));
    for (int k = 0; k < j->nkeys; k++) {
        j->out.types[k] = j->in_types[j->keys[k]];
        char name[16];
        snprintf(name, sizeof name, "k%d", k);
        j->out.names[k] = xstrdup(name);
    }
    for (int i = 0; i < j->ncalls; i++) {
        j->out.types[j->nkeys + i] = j->calls[i].result_type;
        char name[16];
        snprintf(name, sizeof name, "a%d", i);
        j->out.names[j->nkeys + i] = xstrdup(name);
    }
    j->agg = group_agg_new(NULL, &j->out, j->keys, j->nkeys, j->calls, j->ncalls);
    if (!j->agg) { err_print(stderr); abort(); }
    j->cap = cap_new();
    op_connect(j->agg, &j->cap->op, 0);
}

/* A fresh operator of the same plan (the capture stays). */
static void job_restart(job *j)
{
    op_destroy(j->agg);
    j->agg = group_agg_new(NULL, &j->out, j->keys, j->nkeys, j->calls, j->ncalls);
    op_connect(j->agg, &j->cap->op, 0);
}

static void job_end(job *j)
{
    op_destroy(j->agg);
    op_destroy(&j->cap->op);
    schema_free(&j->out);
}

static chunk_t *job_chunk(job *j)
{
    return chunk_new_types((uint32_t)j->nin, j->in_types, CHUNK_CAP);
}

static void row(chunk_t *c, uint8_t op, value_t a, value_t b)
{
    value_t vals[2] = {a, b};
    chunk_append_values(c, vals, op);
}

static int push(job *j, chunk_t *c)
{
    int rc = op_push(j->agg, 0, c);
    chunk_free(c);
    return rc;
}

/* (k STRING, v INT) grouped by k with COUNT(*), SUM(v), MAX(v). */
static void kv_job(job *j)
{
    memset(j, 0, sizeof *j);
    j->in_types[0] = T(TY_STRING);
    j->in_types[1] = T(TY_INT);
    j->nin = 2;
    j->keys[0] = 0;
    j->nkeys = 1;
    job_call(j, "COUNT", -1, "cnt");
    job_call(j, "SUM", 1, "s");
    job_call(j, "MAX", 1, "m");
    job_start(j);
}

TEST(insert_only_changelog)
{
    job j;
    kv_job(&j);
    for (int i = 0; i < 3; i++) j.calls[i].append_only = 1;
    chunk_t *c = job_chunk(&j);
    row(c, PI, S("a"), I(1));
    row(c, PI, S("b"), I(2));
    row(c, PI, S("a"), I(3));
    CHECK_EQ_INT(push(&j, c), 0);
    CHECK_EQ_STR(take_log(j.cap), "+I[a, 2, 4, 3]\n+I[b, 1, 2, 2]\n");
    c = job_chunk(&j);
    row(c, PI, S("a"), I(5));
    row(c, PI, S("c"), N());
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "-U[a, 2, 4, 3]\n+U[a, 3, 9, 5]\n+I[c, 1, null, null]\n");
    CHECK_EQ_INT(j.agg->stats.state_keys, 3);
    CHECK_EQ_INT(j.agg->stats.rows_in, 5);
    CHECK_EQ_INT(j.agg->stats.rows_out, 5);
    job_end(&j);
}

TEST(one_update_per_chunk)
{
    job j;
    kv_job(&j);
    chunk_t *c = job_chunk(&j);
    row(c, PI, S("k"), I(0));
    push(&j, c);
    take_log(j.cap);
    c = job_chunk(&j);
    for (int i = 1; i <= 1000; i++) row(c, PI, S("k"), I(i));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "-U[k, 1, 0, 0]\n+U[k, 1001, 500500, 1000]\n");
    job_end(&j);
}

TEST(unchanged_result_emits_nothing)
{
    job j;
    memset(&j, 0, sizeof j);
    j.in_types[0] = T(TY_STRING);
    j.in_types[1] = T(TY_INT);
    j.nin = 2;
    j.nkeys = 1;
    job_call(&j, "MAX", 1, "m");
    job_start(&j);
    chunk_t *c = job_chunk(&j);
    row(c, PI, S("a"), I(5));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "+I[a, 5]\n");
    c = job_chunk(&j);
    row(c, PI, S("a"), I(3));
    row(c, PI, S("a"), N());
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "");
    /* An update that changes nothing visible. */
    c = job_chunk(&j);
    row(c, MU, S("a"), I(3));
    row(c, PU, S("a"), I(4));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "");
    CHECK_EQ_INT(j.cap->chunks, 1);                /* empty output chunks are not sent */
    job_end(&j);
}

TEST(updating_input_and_group_to_zero)
{
    job j;
    kv_job(&j);
    chunk_t *c = job_chunk(&j);
    row(c, PI, S("a"), I(1));
    row(c, PI, S("b"), I(2));
    row(c, PI, S("b"), I(6));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "+I[a, 1, 1, 1]\n+I[b, 2, 8, 6]\n");
    c = job_chunk(&j);
    row(c, MU, S("a"), I(1));
    row(c, PU, S("a"), I(7));
    row(c, MD, S("b"), I(6));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "-U[a, 1, 1, 1]\n+U[a, 1, 7, 7]\n-U[b, 2, 8, 6]\n+U[b, 1, 2, 2]\n");
    c = job_chunk(&j);
    row(c, MD, S("b"), I(2));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "-D[b, 1, 2, 2]\n");
    CHECK_EQ_INT(j.agg->stats.state_keys, 1);
    /* The group starts over: +I, with no memory of the old rows. */
    c = job_chunk(&j);
    row(c, PI, S("b"), I(5));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "+I[b, 1, 5, 5]\n");
    /* An update that moves a row from one group to another. */
    c = job_chunk(&j);
    row(c, MU, S("a"), I(7));
    row(c, PU, S("b"), I(7));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "-D[a, 1, 7, 7]\n-U[b, 1, 5, 5]\n+U[b, 2, 12, 7]\n");
    CHECK_EQ_INT(j.agg->stats.state_keys, 1);
    job_end(&j);
}

TEST(retraction_of_nothing_is_ignored)
{
    job j;
    kv_job(&j);
    chunk_t *c = job_chunk(&j);
    row(c, MD, S("x"), I(1));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "");
    CHECK_EQ_INT(j.agg->stats.state_keys, 0);
    /* Within one chunk: the second -D finds the group empty and is dropped. */
    c = job_chunk(&j);
    row(c, PI, S("x"), I(1));
    row(c, MD, S("x"), I(1));
    row(c, MD, S("x"), I(1));
    row(c, PI, S("x"), I(4));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "+I[x, 1, 4, 4]\n");
    /* A group born and gone within the chunk emits nothing. */
    c = job_chunk(&j);
    row(c, PI, S("y"), I(1));
    row(c, PI, S("y"), I(2));
    row(c, MU, S("y"), I(1));
    row(c, MD, S("y"), I(2));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "");
    CHECK_EQ_INT(j.agg->stats.state_keys, 1);
    job_end(&j);
}

TEST(count_distinct_under_retraction)
{
    job j;
    memset(&j, 0, sizeof j);
    j.in_types[0] = T(TY_STRING);
    j.in_types[1] = T(TY_INT);
    j.nin = 2;
    j.nkeys = 1;
    job_call(&j, "COUNT", 1, "d")->distinct = 1;
    job_call(&j, "COUNT", 1, "c");
    job_start(&j);
    chunk_t *c = job_chunk(&j);
    row(c, PI, S("g"), I(1));
    row(c, PI, S("g"), I(1));
    row(c, PI, S("g"), I(2));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "+I[g, 2, 3]\n");
    c = job_chunk(&j);
    row(c, MD, S("g"), I(1));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "-U[g, 2, 3]\n+U[g, 2, 2]\n");
    c = job_chunk(&j);
    row(c, MU, S("g"), I(1));
    row(c, PU, S("g"), I(2));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "-U[g, 2, 2]\n+U[g, 1, 2]\n");
    c = job_chunk(&j);
    row(c, MD, S("g"), I(2));
    row(c, MD, S("g"), I(2));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "-D[g, 1, 2]\n");
    job_end(&j);
}

TEST(multiple_and_null_keys)
{
    job j;
    memset(&j, 0, sizeof j);
    j.in_types[0] = T(TY_STRING);
    j.in_types[1] = T(TY_INT);
    j.in_types[2] = T(TY_DOUBLE);
    j.nin = 3;
    j.keys[0] = 1;           /* key order differs from column order */
    j.keys[1] = 0;
    j.nkeys = 2;
    job_call(&j, "COUNT", -1, "c");
    job_start(&j);
    chunk_t *c = job_chunk(&j);
    value_t rows[][3] = {
        {S("a"), I(1), N()}, {S(""), I(1), N()}, {N(), I(1), N()}, {N(), N(), N()},
        {S("a"), I(0), N()}, {S("a"), N(), N()}, {N(), I(1), N()}, {S("a"), I(1), N()},
        {N(), N(), N()},
    };
    for (size_t i = 0; i < ARRAY_LEN(rows); i++) chunk_append_values(c, rows[i], PI);
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap),
                 "+I[1, a, 2]\n+I[1, , 1]\n+I[1, null, 2]\n+I[null, null, 2]\n+I[0, a, 1]\n+I[null, a, 1]\n");
    c = job_chunk(&j);
    chunk_append_values(c, rows[3], MD);
    chunk_append_values(c, rows[8], MD);
    chunk_append_values(c, rows[1], MD);
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "-D[null, null, 2]\n-D[1, , 1]\n");
    CHECK_EQ_INT(j.agg->stats.state_keys, 4);
    job_end(&j);
}

/* Double keys group as SQL compares them: -0.0 with 0.0, every NaN with every NaN; the key
 * comes out canonical (0.0), whichever row created the group. */
TEST(double_keys_group_as_sql_equality)
{
    job j;
    memset(&j, 0, sizeof j);
    j.in_types[0] = T(TY_DOUBLE);
    j.in_types[1] = T(TY_INT);
    j.nin = 2;
    j.nkeys = 1;
    job_call(&j, "COUNT", -1, "c");
    job_start(&j);
    double other_nan;
    uint64_t bits = 0x7ff8000000000123ULL;
    memcpy(&other_nan, &bits, 8);
    chunk_t *c = job_chunk(&j);
    row(c, PI, value_f64(-0.0), I(1));
    row(c, PI, value_f64(0.0), I(1));
    row(c, PI, value_f64(__builtin_nan("")), I(1));
    row(c, PI, value_f64(other_nan), I(1));
    row(c, PI, value_f64(-__builtin_nan("")), I(1));
    row(c, PI, value_f64(2.5), I(1));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "+I[0.0, 2]\n+I[NaN, 3]\n+I[2.5, 1]\n");
    c = job_chunk(&j);
    row(c, MD, value_f64(0.0), I(1));
    row(c, MD, value_f64(-0.0), I(1));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "-D[0.0, 2]\n");
    CHECK_EQ_INT(j.agg->stats.state_keys, 2);
    job_end(&j);
}

TEST(long_string_keys_and_results)
{
    job j;
    memset(&j, 0, sizeof j);
    j.in_types[0] = T(TY_STRING);
    j.in_types[1] = T(TY_STRING);
    j.nin = 2;
    j.nkeys = 1;
    job_call(&j, "MAX", 1, "m");
    job_call(&j, "LAST_VALUE", 1, "l")->append_only = 1;
    job_start(&j);
    const char *key = "a group key that is longer than twelve bytes";
    chunk_t *c = job_chunk(&j);
    row(c, PI, S(key), S("the first long value of the group"));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "+I[a group key that is longer than twelve bytes, "
                                  "the first long value of the group, the first long value of the group]\n");
    c = job_chunk(&j);
    row(c, PI, S(key), S("tiny"));
    row(c, PI, S(key), S("zzz a long value that becomes the new max"));
    row(c, PI, S(key), S("short"));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap),
                 "-U[a group key that is longer than twelve bytes, the first long value of the group, "
                 "the first long value of the group]\n"
                 "+U[a group key that is longer than twelve bytes, zzz a long value that becomes the new max, short]\n");
    c = job_chunk(&j);
    row(c, PI, S(key), S("yet another value, long again"));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap),
                 "-U[a group key that is longer than twelve bytes, zzz a long value that becomes the new max, short]\n"
                 "+U[a group key that is longer than twelve bytes, zzz a long value that becomes the new max, "
                 "yet another value, long again]\n");
    job_end(&j);
}

TEST(selection_vector_input)
{
    job j;
    kv_job(&j);
    chunk_t *c = job_chunk(&j);
    row(c, PI, S("a"), I(1));
    row(c, PI, S("b"), I(100));
    row(c, PI, S("a"), I(2));
    row(c, PI, S("c"), I(100));
    c->sel = xmalloc(2 * sizeof *c->sel);
    c->sel[0] = 2;
    c->sel[1] = 3;
    c->nsel = 2;
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "+I[a, 1, 2, 2]\n+I[c, 1, 100, 100]\n");
    job_end(&j);
}

TEST(output_chunks_keep_pairs_together)
{
    job j;
    memset(&j, 0, sizeof j);
    j.in_types[0] = T(TY_INT);
    j.in_types[1] = T(TY_INT);
    j.nin = 2;
    j.nkeys = 1;
    job_call(&j, "SUM", 1, "s");
    job_start(&j);
    chunk_t *c = job_chunk(&j);
    for (int i = 0; i < 1000; i++) row(c, PI, I(i), I(1));
    push(&j, c);
    CHECK_EQ_INT(j.cap->chunks, 1);
    take_log(j.cap);
    /* 1000 groups change: 2000 output rows over several chunks, no pair split. */
    c = job_chunk(&j);
    for (int i = 0; i < 1000; i++) row(c, PI, I(i), I(1));
    push(&j, c);
    CHECK_EQ_INT(j.cap->split_pairs, 0);
    CHECK_EQ_INT(j.cap->chunks, 3);
    CHECK_EQ_INT(j.agg->stats.rows_out, 3000);
    const char *log = take_log(j.cap);
    CHECK(strncmp(log, "-U[0, 1]\n+U[0, 2]\n-U[1, 1]\n", 27) == 0);
    job_end(&j);
}

TEST(global_aggregation_without_keys)
{
    job j;
    memset(&j, 0, sizeof j);
    j.in_types[0] = T(TY_INT);
    j.nin = 1;
    job_call(&j, "COUNT", -1, "c");
    job_call(&j, "SUM", 0, "s");
    job_start(&j);
    chunk_t *c = job_chunk(&j);
    value_t v = I(4);
    chunk_append_values(c, &v, PI);
    chunk_append_values(c, &v, PI);
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "+I[2, 8]\n");
    c = job_chunk(&j);
    chunk_append_values(c, &v, MD);
    chunk_append_values(c, &v, MD);
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "-D[2, 8]\n");
    sb_t b = {0};
    j.agg->vt->explain(j.agg, &b);
    CHECK_EQ_STR(sb_str(&b), "select=[COUNT(*) AS a0, SUM($0) AS a1]");
    sb_free(&b);
    job_end(&j);
}

TEST(keys_without_aggregates)
{
    /* SELECT DISTINCT k: a group per key, inserted once and deleted when its last row goes. */
    job j;
    memset(&j, 0, sizeof j);
    j.in_types[0] = T(TY_STRING);
    j.in_types[1] = T(TY_INT);
    j.nin = 2;
    j.nkeys = 1;
    job_start(&j);
    chunk_t *c = job_chunk(&j);
    row(c, PI, S("a"), I(1));
    row(c, PI, S("a"), I(2));
    row(c, PI, S("b"), I(1));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "+I[a]\n+I[b]\n");
    c = job_chunk(&j);
    row(c, MD, S("a"), I(1));
    row(c, MD, S("b"), I(1));
    push(&j, c);
    CHECK_EQ_STR(take_log(j.cap), "-D[b]\n");
    job_end(&j);
}

TEST(explain_text)
{
    job j;
    memset(&j, 0, sizeof j);
    j.in_types[0] = T(TY_STRING);
    j.in_types[1] = T(TY_INT);
    j.in_types[2] = T(TY_BOOLEAN);
    j.nin = 3;
    j.nkeys = 1;
    job_call(&j, "COUNT", -1, "c");
    job_call(&j, "COUNT", 1, "d")->distinct = 1;
    job_call(&j, "SUM", 1, "s")->filter_col = 2;
    job_start(&j);
    sb_t b = {0};
    j.agg->vt->explain(j.agg, &b);
    CHECK_EQ_STR(sb_str(&b), "groupBy=[k0], select=[k0, COUNT(*) AS a0, COUNT(DISTINCT $1) AS a1, SUM($1) FILTER $2 AS a2]");
    CHECK_EQ_STR(j.agg->vt->name, "GroupAggregate");
    sb_free(&b);
    job_end(&j);
}

TEST(constructor_checks_shape)
{
    schema_t out;
    schema_init(&out, 1);
    out.types[0] = T(TY_INT);
    agg_call c;
    memset(&c, 0, sizeof c);
    c.def = agg_lookup("COUNT");
    c.arg_col = -1;
    c.filter_col = -1;
    int key = 0;
    err_clear();
    CHECK(group_agg_new(NULL, &out, &key, 1, &c, 1) == NULL);
    CHECK_EQ_STR(err_message(), "GroupAggregate output has 1 columns, expected 1 keys + 1 aggregates");
    err_clear();
    schema_free(&out);
}

/* ---- randomized input: (k INT, v INT, p BOOLEAN) ---- */

typedef struct event {
    uint8_t op;
    int k, v, p;              /* -1000: NULL */
} event;

#define NUL -1000
#define MAX_EVENTS 6000

static uint64_t rng_state;
static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33) % n;
}

/* A well-formed changelog: every retraction takes back a row that is live. */
static int gen_events(event *ev, int n, uint64_t seed)
{
    static event live[MAX_EVENTS];
    int nlive = 0, m = 0;
    rng_state = seed;
    while (m < n - 1) {
        uint32_t what = rnd(10);
        if (what < 6 || nlive == 0) {
            event e = {PI, rnd(9) == 0 ? NUL : (int)rnd(6), rnd(5) == 0 ? NUL : (int)rnd(25) - 5,
                       rnd(4) == 0 ? NUL : (int)rnd(2)};
            ev[m++] = e;
            live[nlive++] = e;
            continue;
        }
        uint32_t at = rnd((uint32_t)nlive);
        event old = live[at];
        memmove(&live[at], &live[at + 1], (size_t)(nlive - at - 1) * sizeof *live);
        nlive--;
        if (what < 8) {
            old.op = MD;
            ev[m++] = old;
            continue;
        }
        old.op = MU;
        ev[m++] = old;
        event e = old;
        e.op = PU;
        if (rnd(2)) e.v = rnd(5) == 0 ? NUL : (int)rnd(25) - 5;
        if (rnd(3) == 0) e.k = (int)rnd(6);
        ev[m++] = e;
        live[nlive++] = e;
    }
    return m;
}

static value_t ev_val(int x) { return x == NUL ? N() : I(x); }

/* (k INT, v INT, p BOOLEAN) grouped by k; the aggregates the brute force recomputes. */
static void random_job(job *j)
{
    memset(j, 0, sizeof *j);
    j->in_types[0] = T(TY_INT);
    j->in_types[1] = T(TY_INT);
    j->in_types[2] = T(TY_BOOLEAN);
    j->nin = 3;
    j->nkeys = 1;
    job_call(j, "COUNT", -1, "c");
    job_call(j, "COUNT", 1, "cv");
    job_call(j, "SUM", 1, "s");
    job_call(j, "MIN", 1, "mn");
    job_call(j, "MAX", 1, "mx");
    job_call(j, "COUNT", 1, "dv")->distinct = 1;
    job_call(j, "SUM", 1, "sf")->filter_col = 2;
    job_call(j, "FIRST_VALUE", 1, "f");
    job_call(j, "LAST_VALUE", 1, "l");
    job_call(j, "AVG", 1, "avg");
    job_start(j);
}

/* Pushes events [from, to) in chunks of pseudo-random sizes. */
static void feed_events(job *j, const event *ev, int from, int to, uint64_t seed)
{
    uint64_t saved = rng_state;
    rng_state = seed;
    int i = from;
    while (i < to) {
        int size = 1 + (int)rnd(rnd(4) == 0 ? 300 : 40);
        chunk_t *c = job_chunk(j);
        for (int e = 0; e < size && i < to; e++, i++) {
            value_t vals[3] = {ev_val(ev[i].k), ev_val(ev[i].v), ev_val(ev[i].p)};
            chunk_append_values(c, vals, ev[i].op);
        }
        if (push(j, c) < 0) abort();
    }
    rng_state = saved;
}

/* Applies a changelog text to a materialized table of row texts; returns the number of
 * retractions that found no equal row (must be 0). */
typedef VEC(char *) rows_t;
static int apply_log(rows_t *table, const char *log)
{
    int bad = 0;
    while (*log) {
        const char *nl = strchr(log, '\n');
        char *rowtext = xstrndup(log + 3, (size_t)(nl - log - 4));
        if (log[0] == '+') {
            VEC_PUSH(*table, rowtext);
        } else {
            size_t i = 0;
            while (i < table->len && strcmp(table->items[i], rowtext) != 0) i++;
            if (i == table->len) bad++;
            else { free(table->items[i]); table->items[i] = table->items[--table->len]; }
            free(rowtext);
        }
        log = nl + 1;
    }
    return bad;
}

static int cmp_text(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The final table recomputed from the events: per key, every aggregate as defined. */
static void brute_force(const event *ev, int n, rows_t *out)
{
    for (int key = -1; key < 6; key++) {
        int k = key < 0 ? NUL : key;
        int count = 0, cv = 0, sf_n = 0;
        long sum = 0, sf = 0;
        int vals[MAX_EVENTS], nv = 0;      /* non-null values, Flink retraction order */
        int mult[30] = {0};                /* value + 5 -> multiplicity */
        for (int i = 0; i < n; i++) {
            if (ev[i].k != k) continue;
            int add = ev[i].op == PI || ev[i].op == PU ? 1 : -1;
            count += add;
            if (ev[i].v == NUL) continue;
            cv += add;
            sum += add * ev[i].v;
            mult[ev[i].v + 5] += add;
            if (ev[i].p == 1) { sf += add * ev[i].v; sf_n += add; }
            if (add > 0) { vals[nv++] = ev[i].v; continue; }
            for (int x = 0; x < nv; x++) {
                if (vals[x] != ev[i].v) continue;
                memmove(&vals[x], &vals[x + 1], (size_t)(nv - x - 1) * sizeof *vals);
                nv--;
                break;
            }
        }
        if (count == 0) continue;
        int mn = 1000, mx = -1000, distinct = 0;
        for (int x = 0; x < 30; x++) {
            if (!mult[x]) continue;
            distinct++;
            mn = MIN(mn, x - 5);
            mx = MAX(mx, x - 5);
        }
        char text[256], ks[16], vs[8][16];
        snprintf(ks, sizeof ks, k == NUL ? "null" : "%d", k);
        const char *nul = "null";
        snprintf(vs[0], 16, "%ld", sum);
        snprintf(vs[1], 16, "%d", mn);
        snprintf(vs[2], 16, "%d", mx);
        snprintf(vs[3], 16, "%ld", sf);
        snprintf(vs[4], 16, "%d", nv ? vals[0] : 0);
        snprintf(vs[5], 16, "%d", nv ? vals[nv - 1] : 0);
        snprintf(vs[6], 16, "%ld", cv ? sum / cv : 0);
        snprintf(text, sizeof text, "%s, %d, %d, %s, %s, %s, %d, %s, %s, %s, %s", ks, count, cv,
                 cv ? vs[0] : nul, cv ? vs[1] : nul, cv ? vs[2] : nul, distinct, sf_n ? vs[3] : nul,
                 nv ? vs[4] : nul, nv ? vs[5] : nul, cv ? vs[6] : nul);
        VEC_PUSH(*out, xstrdup(text));
    }
}

static void free_rows(rows_t *r)
{
    for (size_t i = 0; i < r->len; i++) free(r->items[i]);
    VEC_FREE(*r);
}

static event events[MAX_EVENTS];

TEST(randomized_against_brute_force)
{
    for (uint64_t seed = 1; seed <= 12; seed++) {
        int n = gen_events(events, seed % 3 == 0 ? MAX_EVENTS : 700, seed);
        job j;
        random_job(&j);
        feed_events(&j, events, 0, n, seed * 31);
        CHECK_EQ_INT(j.cap->split_pairs, 0);
        rows_t table = {0}, want = {0};
        CHECK_EQ_INT(apply_log(&table, sb_str(&j.cap->text)), 0);
        brute_force(events, n, &want);
        CHECK(want.len >= 5);                          /* most keys are live at the end */
        qsort(table.items, table.len, sizeof *table.items, cmp_text);
        qsort(want.items, want.len, sizeof *want.items, cmp_text);
        CHECK_EQ_INT(table.len, want.len);
        for (size_t i = 0; i < table.len && i < want.len; i++) CHECK_EQ_STR(table.items[i], want.items[i]);
        CHECK_EQ_INT(j.agg->stats.state_keys, want.len);
        free_rows(&table);
        free_rows(&want);
        job_end(&j);
    }
}

TEST(snapshot_restore_round_trip)
{
    int n = gen_events(events, 3000, 77);
    job whole;
    random_job(&whole);
    feed_events(&whole, events, 0, n, 5);
    char *expected = xstrdup(sb_str(&whole.cap->text));
    job_end(&whole);

    for (int half = 1; half < n; half += n / 3) {
        job j;
        random_job(&j);
        feed_events(&j, events, 0, half, 5);
        snap_writer w = {0};
        CHECK_EQ_INT(j.agg->vt->snapshot(j.agg, &w), 0);
        job_restart(&j);
        snap_reader r;
        snap_reader_init(&r, w.buf, w.len);
        CHECK_EQ_INT(j.agg->vt->restore(j.agg, &r), 0);
        CHECK_EQ_INT(r.pos, w.len);
        /* Chunk boundaries differ from the whole run only at the cut, which does not change
         * the final table; the same seed keeps the rest of the chunking comparable. */
        feed_events(&j, events, half, n, 5);
        rows_t a = {0}, b = {0};
        CHECK_EQ_INT(apply_log(&a, expected), 0);
        CHECK_EQ_INT(apply_log(&b, sb_str(&j.cap->text)), 0);
        qsort(a.items, a.len, sizeof *a.items, cmp_text);
        qsort(b.items, b.len, sizeof *b.items, cmp_text);
        CHECK_EQ_INT(a.len, b.len);
        for (size_t i = 0; i < a.len && i < b.len; i++) CHECK_EQ_STR(b.items[i], a.items[i]);
        free_rows(&a);
        free_rows(&b);
        snap_writer_free(&w);
        job_end(&j);
    }
    free(expected);
}

/* Identical chunking before and after the cut: the concatenated changelog is the same text. */
TEST(snapshot_restore_same_changelog)
{
    int n = gen_events(events, 2000, 99);
    int cut = n / 2;
    job whole;
    random_job(&whole);
    feed_events(&whole, events, 0, cut, 8);
    feed_events(&whole, events, cut, n, 9);
    char *expected = xstrdup(sb_str(&whole.cap->text));
    job_end(&whole);

    job j;
    random_job(&j);
    feed_events(&j, events, 0, cut, 8);
    snap_writer w = {0};
    j.agg->vt->snapshot(j.agg, &w);
    uint64_t keys_before = j.agg->stats.state_keys;
    job_restart(&j);
    snap_reader r;
    snap_reader_init(&r, w.buf, w.len);
    CHECK_EQ_INT(j.agg->vt->restore(j.agg, &r), 0);
    CHECK_EQ_INT(j.agg->stats.state_keys, keys_before);
    feed_events(&j, events, cut, n, 9);
    CHECK(strcmp(sb_str(&j.cap->text), expected) == 0);
    snap_writer_free(&w);
    job_end(&j);
    free(expected);
}

TEST(restore_rejects_bad_snapshots)
{
    job j;
    kv_job(&j);
    chunk_t *c = job_chunk(&j);
    row(c, PI, S("a"), I(1));
    row(c, PI, S("a long key for the snapshot test"), I(2));
    push(&j, c);
    snap_writer w = {0};
    j.agg->vt->snapshot(j.agg, &w);
    for (size_t cut = 0; cut < w.len; cut++) {
        job_restart(&j);
        snap_reader r;
        snap_reader_init(&r, w.buf, cut);
        err_clear();
        CHECK_EQ_INT(j.agg->vt->restore(j.agg, &r), -1);
        CHECK(err_pending());
    }
    err_clear();
    snap_writer_free(&w);
    job_end(&j);

    /* A snapshot of a different plan shape. */
    job other;
    memset(&other, 0, sizeof other);
    other.in_types[0] = T(TY_STRING);
    other.in_types[1] = T(TY_INT);
    other.nin = 2;
    other.nkeys = 1;
    job_call(&other, "COUNT", -1, "c");
    job_start(&other);
    snap_writer w2 = {0};
    other.agg->vt->snapshot(other.agg, &w2);
    kv_job(&j);
    snap_reader r;
    snap_reader_init(&r, w2.buf, w2.len);
    err_clear();
    CHECK_EQ_INT(j.agg->vt->restore(j.agg, &r), -1);
    CHECK_EQ_STR(err_message(), "snapshot of GroupAggregate has 1 keys and 1 aggregates, the job has 1 and 3");
    err_clear();
    snap_writer_free(&w2);
    job_end(&other);

    /* Key bytes that are not one STRING key: a string running past the key's end. */
    snap_writer w3 = {0};
    snap_put_u32(&w3, 1);
    snap_put_u32(&w3, 3);
    snap_put_i64(&w3, 1);
    static const uint8_t bad_key[] = {0, 9, 0, 0, 0, 'a', 'b'};
    snap_put_bytes(&w3, bad_key, sizeof bad_key);
    job_restart(&j);
    snap_reader_init(&r, w3.buf, w3.len);
    CHECK_EQ_INT(j.agg->vt->restore(j.agg, &r), -1);
    CHECK_EQ_STR(err_message(), "snapshot of GroupAggregate holds a group key that does not fit the 1 key columns");
    err_clear();
    snap_writer_free(&w3);
    job_end(&j);
}

int main(void)
{
    RUN(insert_only_changelog);
    RUN(one_update_per_chunk);
    RUN(unchanged_result_emits_nothing);
    RUN(updating_input_and_group_to_zero);
    RUN(retraction_of_nothing_is_ignored);
    RUN(count_distinct_under_retraction);
    RUN(multiple_and_null_keys);
    RUN(double_keys_group_as_sql_equality);
    RUN(long_string_keys_and_results);
    RUN(selection_vector_input);
    RUN(output_chunks_keep_pairs_together);
    RUN(global_aggregation_without_keys);
    RUN(keys_without_aggregates);
    RUN(explain_text);
    RUN(constructor_checks_shape);
    RUN(randomized_against_brute_force);
    RUN(snapshot_restore_round_trip);
    RUN(snapshot_restore_same_changelog);
    RUN(restore_rejects_bad_snapshots);
    return CHECK_DONE();
}
