/* test_agg.c - aggregate functions: results with and without retraction, NULLs, FILTER,
 * DISTINCT, long strings, result types, snapshot/restore of state blocks, and merging blocks. */
#include "check.h"
#include "expr/agg.h"
#include "base/util.h"
#include "base/err.h"
#include <stdlib.h>

#define NGROUPS 3

typedef struct harness {
    agg_call calls[8];
    int ncalls;
    agg_set set;
    void *blocks[NGROUPS];
    arena_t arena;
} harness;

static type_t T(type_id id) { return type_make(id); }
static value_t I(int64_t i) { return value_i64(i); }
static value_t F(double f) { return value_f64(f); }
static value_t N(void) { return value_null(); }
static value_t S(const char *s) { value_t v = value_null(); v.null = 0; v.s = str_cstr(s); return v; }

/* Adds a call of `name` over column arg_col of type arg_type. */
static agg_call *add_call(harness *h, const char *name, int arg_col, type_t arg_type)
{
    agg_call *c = &h->calls[h->ncalls++];
    memset(c, 0, sizeof *c);
    c->def = agg_lookup(name);
    c->arg_col = arg_col;
    c->arg_type = arg_col < 0 ? T(TY_NULL) : arg_type;
    c->filter_col = -1;
    if (c->def->result_type(c->arg_type, &c->result_type) < 0) abort();
    return c;
}

static void h_start(harness *h)
{
    if (agg_set_init(&h->set, h->calls, h->ncalls) < 0) abort();
    for (int g = 0; g < NGROUPS; g++) {
        h->blocks[g] = xmalloc(h->set.block_size);
        agg_block_init(&h->set, h->blocks[g]);
    }
    arena_init(&h->arena, 4096);
}

static void h_end(harness *h)
{
    for (int g = 0; g < NGROUPS; g++) {
        agg_block_destroy(&h->set, h->blocks[g]);
        free(h->blocks[g]);
    }
    agg_set_free(&h->set);
    arena_free(&h->arena);
}

/* Feeds chunk c; row i belongs to group groups[i] (NULL: all rows to group 0). The chunk is
 * freed right after, so accumulators must not keep pointers into it. */
static void h_feed(harness *h, chunk_t *c, const int *groups)
{
    void *blocks[CHUNK_CAP];
    for (uint32_t i = 0; i < c->nrows; i++) blocks[i] = h->blocks[groups ? groups[i] : 0];
    agg_block_update(&h->set, blocks, c, c->nrows);
    chunk_free(c);
}

static value_t h_result(harness *h, int group, int call)
{
    value_t out[8];
    agg_block_results(&h->set, h->blocks[group], out, &h->arena);
    return out[call];
}

static char result_text[256];
static const char *h_text(harness *h, int group, int call)
{
    value_t v = h_result(h, group, call);
    sb_t b = {0};
    value_format(h->calls[call].result_type, &v, &b);
    snprintf(result_text, sizeof result_text, "%s", sb_str(&b));
    sb_free(&b);
    return result_text;
}

/* A chunk of one column of type t with the given values and ops. */
static chunk_t *col_chunk(type_t t, const value_t *vals, const uint8_t *ops, int n)
{
    chunk_t *c = chunk_new_types(1, &t, CHUNK_CAP);
    for (int i = 0; i < n; i++) chunk_append_values(c, &vals[i], ops ? ops[i] : OP_INSERT);
    return c;
}

enum { PI = OP_INSERT, MU = OP_UPDATE_BEFORE, PU = OP_UPDATE_AFTER, MD = OP_DELETE };

TEST(lookup_and_names)
{
    CHECK(agg_lookup("count") == agg_lookup("COUNT"));
    CHECK(agg_lookup("First_Value") != NULL);
    CHECK(agg_lookup("STDDEV") == NULL);
    CHECK(agg_lookup("") == NULL);
    const char **names;
    int n = agg_names(&names);
    CHECK_EQ_INT(n, 7);
    int seen_last = 0;
    for (int i = 0; i < n; i++) seen_last |= strcmp(names[i], "LAST_VALUE") == 0;
    CHECK(seen_last);
}

TEST(result_types)
{
    type_t out;
    CHECK_EQ_INT(agg_lookup("COUNT")->result_type(T(TY_NULL), &out), 0);
    CHECK_EQ_INT(out.id, TY_BIGINT);
    CHECK_EQ_INT(out.not_null, 1);
    CHECK_EQ_INT(agg_lookup("SUM")->result_type(T(TY_INT), &out), 0);
    CHECK_EQ_INT(out.id, TY_INT);
    CHECK_EQ_INT(out.not_null, 0);
    CHECK_EQ_INT(agg_lookup("SUM")->result_type(type_decimal(10, 2), &out), 0);
    CHECK_EQ_INT(out.id, TY_DECIMAL);
    CHECK_EQ_INT(out.precision, 18);
    CHECK_EQ_INT(out.scale, 2);
    CHECK_EQ_INT(agg_lookup("SUM")->result_type(T(TY_STRING), &out), -1);
    CHECK_EQ_INT(agg_lookup("AVG")->result_type(T(TY_BIGINT), &out), 0);
    CHECK_EQ_INT(out.id, TY_BIGINT);
    CHECK_EQ_INT(agg_lookup("AVG")->result_type(type_decimal(10, 2), &out), 0);
    CHECK_EQ_INT(out.scale, 6);
    CHECK_EQ_INT(agg_lookup("AVG")->result_type(type_decimal(18, 8), &out), 0);
    CHECK_EQ_INT(out.scale, 8);
    CHECK_EQ_INT(agg_lookup("AVG")->result_type(T(TY_DATE), &out), -1);
    type_t ts = type_timestamp(TY_TIMESTAMP, 3);
    ts.attr = TA_ROWTIME;
    ts.not_null = 1;
    CHECK_EQ_INT(agg_lookup("MAX")->result_type(ts, &out), 0);
    CHECK_EQ_INT(out.id, TY_TIMESTAMP);
    CHECK_EQ_INT(out.attr, TA_NONE);
    CHECK_EQ_INT(out.not_null, 0);
    CHECK_EQ_INT(agg_lookup("MIN")->result_type(type_varchar(20), &out), 0);
    CHECK_EQ_INT(out.length, 20);
    CHECK_EQ_INT(agg_lookup("FIRST_VALUE")->result_type(T(TY_NULL), &out), -1);
}

TEST(set_init_errors)
{
    agg_call c;
    memset(&c, 0, sizeof c);
    c.def = agg_lookup("SUM");
    c.arg_col = -1;
    c.filter_col = -1;
    agg_set s;
    err_clear();
    CHECK_EQ_INT(agg_set_init(&s, &c, 1), -1);
    CHECK_EQ_STR(err_message(), "aggregate SUM needs an argument");
    err_clear();
    c.def = NULL;
    CHECK_EQ_INT(agg_set_init(&s, &c, 1), -1);
    err_clear();
}

TEST(count_star_and_count_x)
{
    harness h = {0};
    add_call(&h, "COUNT", -1, T(TY_NULL));
    add_call(&h, "COUNT", 0, T(TY_INT));
    h_start(&h);
    CHECK_EQ_INT(agg_block_count(h.blocks[0]), 0);
    CHECK_EQ_STR(h_text(&h, 0, 0), "0");
    value_t v[] = {I(1), N(), I(3), I(4)};
    h_feed(&h, col_chunk(T(TY_INT), v, NULL, 4), NULL);
    CHECK_EQ_INT(agg_block_count(h.blocks[0]), 4);
    CHECK_EQ_STR(h_text(&h, 0, 0), "4");
    CHECK_EQ_STR(h_text(&h, 0, 1), "3");
    uint8_t ops[] = {MD, MU, PU};
    value_t r[] = {N(), I(1), N()};
    h_feed(&h, col_chunk(T(TY_INT), r, ops, 3), NULL);
    CHECK_EQ_INT(agg_block_count(h.blocks[0]), 3);
    CHECK_EQ_STR(h_text(&h, 0, 0), "3");
    CHECK_EQ_STR(h_text(&h, 0, 1), "2");
    h_end(&h);
}

TEST(groups_are_independent)
{
    harness h = {0};
    add_call(&h, "SUM", 0, T(TY_BIGINT));
    h_start(&h);
    value_t v[] = {I(1), I(10), I(100), I(2), I(20)};
    int groups[] = {0, 1, 2, 0, 1};
    h_feed(&h, col_chunk(T(TY_BIGINT), v, NULL, 5), groups);
    CHECK_EQ_STR(h_text(&h, 0, 0), "3");
    CHECK_EQ_STR(h_text(&h, 1, 0), "30");
    CHECK_EQ_STR(h_text(&h, 2, 0), "100");
    h_end(&h);
}

TEST(sum_integers)
{
    harness h = {0};
    add_call(&h, "SUM", 0, T(TY_INT));
    h_start(&h);
    CHECK_EQ_STR(h_text(&h, 0, 0), "NULL");
    value_t v[] = {N(), I(5), I(-2)};
    h_feed(&h, col_chunk(T(TY_INT), v, NULL, 3), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "3");
    /* Retracting every non-null value brings NULL back, even though the sum is 0 earlier. */
    uint8_t ops[] = {MD, MD};
    value_t r[] = {I(5), I(-2)};
    h_feed(&h, col_chunk(T(TY_INT), r, ops, 2), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "NULL");
    value_t z[] = {I(0)};
    h_feed(&h, col_chunk(T(TY_INT), z, NULL, 1), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "0");
    /* SUM(INT) is INT: it wraps like Java's int. */
    value_t big[] = {I(2147483647), I(1)};
    h_feed(&h, col_chunk(T(TY_INT), big, NULL, 2), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "-2147483648");
    uint8_t back[] = {MD};
    value_t one[] = {I(1)};
    h_feed(&h, col_chunk(T(TY_INT), one, back, 1), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "2147483647");
    h_end(&h);
}

TEST(sum_bigint_wraps)
{
    harness h = {0};
    add_call(&h, "SUM", 0, T(TY_BIGINT));
    h_start(&h);
    value_t v[] = {I(INT64_MAX), I(1)};
    h_feed(&h, col_chunk(T(TY_BIGINT), v, NULL, 2), NULL);
    CHECK_EQ_INT(h_result(&h, 0, 0).i, INT64_MIN);
    uint8_t ops[] = {MD};
    value_t r[] = {I(INT64_MIN)};
    h_feed(&h, col_chunk(T(TY_BIGINT), r, ops, 1), NULL);
    CHECK_EQ_INT(h_result(&h, 0, 0).i, 0);
    h_end(&h);
}

TEST(sum_double_and_decimal)
{
    harness h = {0};
    add_call(&h, "SUM", 0, T(TY_DOUBLE));
    h_start(&h);
    value_t v[] = {F(1.5), N(), F(2.25)};
    h_feed(&h, col_chunk(T(TY_DOUBLE), v, NULL, 3), NULL);
    CHECK_EQ_DBL(h_result(&h, 0, 0).f, 3.75, 0);
    uint8_t ops[] = {MD};
    value_t r[] = {F(1.5)};
    h_feed(&h, col_chunk(T(TY_DOUBLE), r, ops, 1), NULL);
    CHECK_EQ_DBL(h_result(&h, 0, 0).f, 2.25, 0);
    h_end(&h);

    harness d = {0};
    type_t dec = type_decimal(10, 2);
    add_call(&d, "SUM", 0, dec);
    h_start(&d);
    value_t dv[] = {I(1250), I(-5), I(999999999999)};      /* 12.50, -0.05, 9999999999.99 */
    h_feed(&d, col_chunk(dec, dv, NULL, 3), NULL);
    CHECK_EQ_STR(h_text(&d, 0, 0), "10000000012.44");
    h_end(&d);
}

TEST(sum_decimal_overflow_is_null)
{
    harness h = {0};
    type_t dec = type_decimal(18, 0);
    add_call(&h, "SUM", 0, dec);
    h_start(&h);
    value_t v[] = {I(999999999999999999LL)};
    h_feed(&h, col_chunk(dec, v, NULL, 1), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "999999999999999999");
    value_t one[] = {I(1)};
    h_feed(&h, col_chunk(dec, one, NULL, 1), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "NULL");
    /* The 128-bit sum is exact: taking the 1 back gives the value again. */
    uint8_t ops[] = {MD};
    h_feed(&h, col_chunk(dec, one, ops, 1), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "999999999999999999");
    h_end(&h);
}

TEST(avg_types)
{
    harness h = {0};
    add_call(&h, "AVG", 0, T(TY_INT));
    h_start(&h);
    CHECK_EQ_STR(h_text(&h, 0, 0), "NULL");
    value_t v[] = {I(-3), I(-4), N()};
    h_feed(&h, col_chunk(T(TY_INT), v, NULL, 3), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "-3");          /* -7 / 2 truncates toward zero like Java */
    value_t w[] = {I(10)};
    h_feed(&h, col_chunk(T(TY_INT), w, NULL, 1), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "1");           /* 3 / 3 */
    uint8_t ops[] = {MD, MD, MD};
    value_t r[] = {I(-3), I(-4), I(10)};
    h_feed(&h, col_chunk(T(TY_INT), r, ops, 3), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "NULL");
    h_end(&h);

    harness d = {0};
    add_call(&d, "AVG", 0, T(TY_DOUBLE));
    h_start(&d);
    value_t dv[] = {F(1), F(2)};
    h_feed(&d, col_chunk(T(TY_DOUBLE), dv, NULL, 2), NULL);
    CHECK_EQ_STR(h_text(&d, 0, 0), "1.5");
    h_end(&d);
}

TEST(avg_decimal_half_up)
{
    harness h = {0};
    type_t dec = type_decimal(10, 2);
    add_call(&h, "AVG", 0, dec);
    CHECK_EQ_INT(h.calls[0].result_type.scale, 6);
    h_start(&h);
    value_t v[] = {I(100), I(100), I(200)};         /* 1.00, 1.00, 2.00 -> 1.333333 */
    h_feed(&h, col_chunk(dec, v, NULL, 3), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "1.333333");
    uint8_t ops[] = {MD};
    value_t r[] = {I(100)};
    h_feed(&h, col_chunk(dec, r, ops, 1), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "1.500000");
    value_t w[] = {I(-1000), I(1)};                 /* (1 + 2 - 10 + 0.01) / 4 = -1.7475 */
    h_feed(&h, col_chunk(dec, w, NULL, 2), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "-1.747500");
    harness g = {0};
    add_call(&g, "AVG", 0, type_decimal(18, 8));
    h_start(&g);
    value_t x[] = {I(1), I(2), I(2)};               /* 5e-8 / 3 = 1.666..e-8 -> HALF_UP */
    h_feed(&g, col_chunk(type_decimal(18, 8), x, NULL, 3), NULL);
    CHECK_EQ_STR(h_text(&g, 0, 0), "0.00000002");
    value_t y[] = {I(-12)};                         /* -7e-8 / 4 = -1.75e-8 -> -0.00000002 */
    h_feed(&g, col_chunk(type_decimal(18, 8), y, NULL, 1), NULL);
    CHECK_EQ_STR(h_text(&g, 0, 0), "-0.00000002");
    h_end(&g);
    h_end(&h);
}

static void check_min_max_retract(int append_only)
{
    harness h = {0};
    add_call(&h, "MIN", 0, T(TY_BIGINT))->append_only = append_only;
    add_call(&h, "MAX", 0, T(TY_BIGINT))->append_only = append_only;
    h_start(&h);
    CHECK_EQ_STR(h_text(&h, 0, 0), "NULL");
    value_t v[] = {I(5), I(3), N(), I(9), I(3), I(-7), I(9)};
    h_feed(&h, col_chunk(T(TY_BIGINT), v, NULL, 7), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "-7");
    CHECK_EQ_STR(h_text(&h, 0, 1), "9");
    if (append_only) { h_end(&h); return; }
    uint8_t ops[] = {MD, MU, PU};
    value_t r[] = {I(-7), I(9), I(4)};
    h_feed(&h, col_chunk(T(TY_BIGINT), r, ops, 3), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "3");
    CHECK_EQ_STR(h_text(&h, 0, 1), "9");            /* 9 was added twice */
    uint8_t ops2[] = {MD, MD, MD};
    value_t r2[] = {I(9), I(3), I(100)};            /* 100 was never added: ignored */
    h_feed(&h, col_chunk(T(TY_BIGINT), r2, ops2, 3), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "3");
    CHECK_EQ_STR(h_text(&h, 0, 1), "5");
    uint8_t ops3[] = {MD, MD, MD};
    value_t r3[] = {I(3), I(5), I(4)};
    h_feed(&h, col_chunk(T(TY_BIGINT), r3, ops3, 3), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "NULL");
    CHECK_EQ_STR(h_text(&h, 0, 1), "NULL");
    value_t again[] = {I(8)};
    h_feed(&h, col_chunk(T(TY_BIGINT), again, NULL, 1), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "8");
    CHECK_EQ_STR(h_text(&h, 0, 1), "8");
    h_end(&h);
}

TEST(min_max_retract) { check_min_max_retract(0); }
TEST(min_max_append_only) { check_min_max_retract(1); }

TEST(min_max_many_values)
{
    /* Ascending, descending and interleaved arrivals over several chunks, then retractions. */
    harness h = {0};
    add_call(&h, "MIN", 0, T(TY_INT));
    add_call(&h, "MAX", 0, T(TY_INT));
    h_start(&h);
    for (int round = 0; round < 3; round++) {
        chunk_t *c = chunk_new_types(1, (type_t[]){T(TY_INT)}, CHUNK_CAP);
        for (int i = 0; i < 1000; i++) {
            int x = round == 0 ? i : round == 1 ? 5000 - i : (i * 7919) % 3000;
            value_t v = I(x);
            chunk_append_values(c, &v, PI);
        }
        h_feed(&h, c, NULL);
    }
    CHECK_EQ_STR(h_text(&h, 0, 0), "0");
    CHECK_EQ_STR(h_text(&h, 0, 1), "5000");
    chunk_t *c = chunk_new_types(1, (type_t[]){T(TY_INT)}, CHUNK_CAP);
    for (int i = 0; i < 10; i++) {
        value_t v = I(i);
        chunk_append_values(c, &v, MD);
    }
    value_t top = I(5000);
    chunk_append_values(c, &top, MD);
    h_feed(&h, c, NULL);
    /* 0..9 were added by rounds 0 and 2 (i*7919 % 3000 hits each of them once). */
    CHECK_EQ_STR(h_text(&h, 0, 0), "0");
    CHECK_EQ_STR(h_text(&h, 0, 1), "4999");
    h_end(&h);
}

static uint64_t rng_state = 1;
static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33) % n;
}

/* MIN/MAX multisets of thousands of values (many block splits and frees) against counts;
 * odd rounds use long strings, checked after every chunk and across a snapshot. */
TEST(min_max_randomized)
{
    enum { RANGE = 4000 };
    static int count[RANGE];
    static int live[40 * CHUNK_CAP];
    for (int strings = 0; strings < 2; strings++) {
        type_t t = strings ? T(TY_STRING) : T(TY_INT);
        harness h = {0};
        add_call(&h, "MIN", 0, t);
        add_call(&h, "MAX", 0, t);
        h_start(&h);
        memset(count, 0, sizeof count);
        int nlive = 0;
        for (int round = 0; round < 40; round++) {
            chunk_t *c = chunk_new_types(1, &t, CHUNK_CAP);
            int n = 1 + (int)rnd(CHUNK_CAP);
            for (int i = 0; i < n; i++) {
                int add = nlive == 0 || rnd(round < 20 ? 4 : 2) != 0;
                int x;
                if (add) {
                    x = round % 3 == 0 ? (int)rnd(RANGE) : round % 3 == 1 ? (round * 97 + i) % RANGE : (int)rnd(50);
                    live[nlive++] = x;
                } else {
                    int at = (int)rnd((uint32_t)nlive);
                    x = live[at];
                    live[at] = live[--nlive];
                }
                count[x] += add ? 1 : -1;
                char buf[64];
                snprintf(buf, sizeof buf, "value number %06d, long enough", x);
                value_t v = strings ? S(buf) : I(x);
                chunk_append_values(c, &v, add ? PI : MD);
            }
            h_feed(&h, c, NULL);
            int mn = -1, mx = -1;
            for (int x = 0; x < RANGE; x++)
                if (count[x]) { if (mn < 0) mn = x; mx = x; }
            char want_min[64] = "NULL", want_max[64] = "NULL";
            if (mn >= 0) {
                snprintf(want_min, sizeof want_min, strings ? "value number %06d, long enough" : "%d", mn);
                snprintf(want_max, sizeof want_max, strings ? "value number %06d, long enough" : "%d", mx);
            }
            CHECK_EQ_STR(h_text(&h, 0, 0), want_min);
            CHECK_EQ_STR(h_text(&h, 0, 1), want_max);
        }
        snap_writer w = {0};
        agg_block_snapshot(&h.set, h.blocks[0], &w);
        snap_reader r;
        snap_reader_init(&r, w.buf, w.len);
        agg_block_restore(&h.set, h.blocks[1], &r);
        CHECK_EQ_INT(r.failed, 0);
        snap_writer w2 = {0};
        agg_block_snapshot(&h.set, h.blocks[1], &w2);
        CHECK(w2.len == w.len && memcmp(w.buf, w2.buf, w.len) == 0);
        snap_writer_free(&w);
        snap_writer_free(&w2);
        h_end(&h);
    }
}

TEST(min_max_doubles_java_order)
{
    harness h = {0};
    add_call(&h, "MIN", 0, T(TY_DOUBLE));
    add_call(&h, "MAX", 0, T(TY_DOUBLE));
    h_start(&h);
    value_t v[] = {F(0.0), F(-0.0), F(__builtin_nan("")), F(-1e300)};
    h_feed(&h, col_chunk(T(TY_DOUBLE), v, NULL, 4), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "-1.0E300");
    CHECK_EQ_STR(h_text(&h, 0, 1), "NaN");
    uint8_t ops[] = {MD, MD};
    value_t r[] = {F(__builtin_nan("")), F(-1e300)};
    h_feed(&h, col_chunk(T(TY_DOUBLE), r, ops, 2), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "-0.0");
    CHECK_EQ_STR(h_text(&h, 0, 1), "0.0");
    h_end(&h);
}

static const char *LONG_A = "apple pie with a very long name";
static const char *LONG_B = "banana bread, also quite long";
static const char *LONG_Z = "zucchini soup that is longest of all of them";

static void check_string_min_max(int append_only)
{
    harness h = {0};
    add_call(&h, "MIN", 0, T(TY_STRING))->append_only = append_only;
    add_call(&h, "MAX", 0, T(TY_STRING))->append_only = append_only;
    h_start(&h);
    value_t v[] = {S(LONG_B), S("cherry"), S(LONG_A), N(), S(LONG_Z), S("b")};
    int groups[] = {0, 0, 0, 0, 0, 1};
    h_feed(&h, col_chunk(T(TY_STRING), v, NULL, 6), groups);   /* frees the chunk's bytes */
    CHECK_EQ_STR(h_text(&h, 0, 0), LONG_A);
    CHECK_EQ_STR(h_text(&h, 0, 1), LONG_Z);
    CHECK_EQ_STR(h_text(&h, 1, 0), "b");
    value_t w[] = {S("a"), S("zz")};
    h_feed(&h, col_chunk(T(TY_STRING), w, NULL, 2), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "a");
    CHECK_EQ_STR(h_text(&h, 0, 1), "zz");
    value_t x[] = {S("0 is before every letter and this is long")};
    h_feed(&h, col_chunk(T(TY_STRING), x, NULL, 1), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "0 is before every letter and this is long");
    if (!append_only) {
        uint8_t ops[] = {MD, MD, MD};
        value_t r[] = {S("a"), S("zz"), S("0 is before every letter and this is long")};
        h_feed(&h, col_chunk(T(TY_STRING), r, ops, 3), NULL);
        CHECK_EQ_STR(h_text(&h, 0, 0), LONG_A);
        CHECK_EQ_STR(h_text(&h, 0, 1), LONG_Z);
        uint8_t ops2[] = {MD, MD};
        value_t r2[] = {S(LONG_A), S(LONG_Z)};
        h_feed(&h, col_chunk(T(TY_STRING), r2, ops2, 2), NULL);
        CHECK_EQ_STR(h_text(&h, 0, 0), LONG_B);
        CHECK_EQ_STR(h_text(&h, 0, 1), "cherry");
    }
    h_end(&h);
}

TEST(string_min_max_append_only) { check_string_min_max(1); }
TEST(string_min_max_retract) { check_string_min_max(0); }

TEST(first_last_append_only)
{
    harness h = {0};
    add_call(&h, "FIRST_VALUE", 0, T(TY_STRING))->append_only = 1;
    add_call(&h, "LAST_VALUE", 0, T(TY_STRING))->append_only = 1;
    h_start(&h);
    CHECK_EQ_STR(h_text(&h, 0, 1), "NULL");
    value_t v[] = {N(), S(LONG_A), S("x"), N()};
    h_feed(&h, col_chunk(T(TY_STRING), v, NULL, 4), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), LONG_A);
    CHECK_EQ_STR(h_text(&h, 0, 1), "x");
    value_t w[] = {S(LONG_Z), S(LONG_B)};
    h_feed(&h, col_chunk(T(TY_STRING), w, NULL, 2), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), LONG_A);
    CHECK_EQ_STR(h_text(&h, 0, 1), LONG_B);
    h_end(&h);
}

TEST(first_last_retract)
{
    harness h = {0};
    add_call(&h, "FIRST_VALUE", 0, T(TY_STRING));
    add_call(&h, "LAST_VALUE", 0, T(TY_STRING));
    h_start(&h);
    value_t v[] = {S(LONG_A), S("b"), N(), S(LONG_A), S("c")};
    h_feed(&h, col_chunk(T(TY_STRING), v, NULL, 5), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), LONG_A);
    CHECK_EQ_STR(h_text(&h, 0, 1), "c");
    /* Retracting A removes its earliest occurrence: b, A, c remain. */
    uint8_t ops[] = {MD};
    value_t r[] = {S(LONG_A)};
    h_feed(&h, col_chunk(T(TY_STRING), r, ops, 1), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "b");
    CHECK_EQ_STR(h_text(&h, 0, 1), "c");
    uint8_t ops2[] = {MU, PU};
    value_t r2[] = {S("c"), S("d")};
    h_feed(&h, col_chunk(T(TY_STRING), r2, ops2, 2), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 1), "d");
    uint8_t ops3[] = {MD, MD};
    value_t r3[] = {S("d"), S("b")};
    h_feed(&h, col_chunk(T(TY_STRING), r3, ops3, 2), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), LONG_A);
    CHECK_EQ_STR(h_text(&h, 0, 1), LONG_A);
    uint8_t ops4[] = {MD, MD};
    value_t r4[] = {S("never added"), S(LONG_A)};
    h_feed(&h, col_chunk(T(TY_STRING), r4, ops4, 2), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "NULL");
    CHECK_EQ_STR(h_text(&h, 0, 1), "NULL");
    h_end(&h);
}

TEST(all_null_input)
{
    harness h = {0};
    add_call(&h, "COUNT", 0, T(TY_INT));
    add_call(&h, "SUM", 0, T(TY_INT));
    add_call(&h, "AVG", 0, T(TY_INT));
    add_call(&h, "MIN", 0, T(TY_INT));
    add_call(&h, "FIRST_VALUE", 0, T(TY_INT))->append_only = 1;
    add_call(&h, "LAST_VALUE", 0, T(TY_INT));
    h_start(&h);
    value_t v[] = {N(), N()};
    h_feed(&h, col_chunk(T(TY_INT), v, NULL, 2), NULL);
    CHECK_EQ_INT(agg_block_count(h.blocks[0]), 2);
    CHECK_EQ_STR(h_text(&h, 0, 0), "0");
    for (int i = 1; i < 6; i++) CHECK_EQ_STR(h_text(&h, 0, i), "NULL");
    h_end(&h);
}

/* Two columns: x INT, p BOOLEAN. */
static chunk_t *xp_chunk(const value_t *x, const value_t *p, const uint8_t *ops, int n)
{
    type_t types[] = {T(TY_INT), T(TY_BOOLEAN)};
    chunk_t *c = chunk_new_types(2, types, CHUNK_CAP);
    for (int i = 0; i < n; i++) {
        value_t row[2] = {x[i], p[i]};
        chunk_append_values(c, row, ops ? ops[i] : PI);
    }
    return c;
}

TEST(filter_clause)
{
    harness h = {0};
    add_call(&h, "COUNT", -1, T(TY_NULL))->filter_col = 1;
    add_call(&h, "SUM", 0, T(TY_INT))->filter_col = 1;
    add_call(&h, "SUM", 0, T(TY_INT));
    h_start(&h);
    value_t x[] = {I(1), I(2), I(4), I(8)};
    value_t p[] = {I(1), I(0), N(), I(1)};
    h_feed(&h, xp_chunk(x, p, NULL, 4), NULL);
    CHECK_EQ_INT(agg_block_count(h.blocks[0]), 4);     /* the group counts every row */
    CHECK_EQ_STR(h_text(&h, 0, 0), "2");
    CHECK_EQ_STR(h_text(&h, 0, 1), "9");
    CHECK_EQ_STR(h_text(&h, 0, 2), "15");
    uint8_t ops[] = {MD, MD};
    value_t rx[] = {I(8), I(2)};
    value_t rp[] = {I(1), I(0)};
    h_feed(&h, xp_chunk(rx, rp, ops, 2), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "1");
    CHECK_EQ_STR(h_text(&h, 0, 1), "1");
    CHECK_EQ_STR(h_text(&h, 0, 2), "5");
    uint8_t ops2[] = {MD};
    value_t r2x[] = {I(1)};
    value_t r2p[] = {I(1)};
    h_feed(&h, xp_chunk(r2x, r2p, ops2, 1), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "0");
    CHECK_EQ_STR(h_text(&h, 0, 1), "NULL");
    CHECK_EQ_STR(h_text(&h, 0, 2), "4");
    h_end(&h);
}

TEST(distinct_count_and_sum)
{
    harness h = {0};
    add_call(&h, "COUNT", 0, T(TY_INT))->distinct = 1;
    add_call(&h, "SUM", 0, T(TY_INT))->distinct = 1;
    add_call(&h, "COUNT", 0, T(TY_INT))->distinct = 1;
    h.calls[2].filter_col = 1;
    h_start(&h);
    CHECK(h.set.distinct_off[0] != 0 && h.set.distinct_off[2] != 0);
    value_t x[] = {I(3), I(3), I(5), N(), I(3), I(7)};
    value_t p[] = {I(0), I(0), I(1), I(1), I(1), I(0)};
    h_feed(&h, xp_chunk(x, p, NULL, 6), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "3");
    CHECK_EQ_STR(h_text(&h, 0, 1), "15");
    CHECK_EQ_STR(h_text(&h, 0, 2), "2");           /* 5 and 3 pass the filter */
    uint8_t ops[] = {MD, MD, MD};
    value_t rx[] = {I(3), I(3), I(7)};
    value_t rp[] = {I(0), I(0), I(0)};
    h_feed(&h, xp_chunk(rx, rp, ops, 3), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "2");           /* one 3 is left */
    CHECK_EQ_STR(h_text(&h, 0, 1), "8");
    CHECK_EQ_STR(h_text(&h, 0, 2), "2");
    uint8_t ops2[] = {MD, MD};
    value_t r2x[] = {I(3), I(42)};                 /* 42 was never added */
    value_t r2p[] = {I(1), I(1)};
    h_feed(&h, xp_chunk(r2x, r2p, ops2, 2), NULL);
    CHECK_EQ_STR(h_text(&h, 0, 0), "1");
    CHECK_EQ_STR(h_text(&h, 0, 1), "5");
    CHECK_EQ_STR(h_text(&h, 0, 2), "1");
    h_end(&h);
}

TEST(distinct_filter_signs)
{
    distinct_set *d = distinct_new();
    distinct_set *sets[6] = {d, d, d, d, d, d};
    type_t t = T(TY_STRING);
    vector_t v;
    vector_init(&v, t, 6);
    const char *vals[] = {"x", "a fairly long string value", "x", "a fairly long string value", "y", "x"};
    for (int i = 0; i < 6; i++) v.str[i] = str_cstr(vals[i]);
    int8_t sign[6] = {1, 1, 1, -1, 0, -1};
    distinct_filter(sets, &v, sign, 6);
    int8_t want[6] = {1, 1, 0, -1, 0, 0};
    for (int i = 0; i < 6; i++) CHECK_EQ_INT(sign[i], want[i]);
    snap_writer w = {0};
    distinct_snapshot(d, t, &w);
    distinct_set *e = distinct_restore(t, &(snap_reader){w.buf, w.len, 0, 0});
    int8_t s2[1] = {-1};
    distinct_filter(&e, &v, s2, 1);                /* the one "x" left goes away */
    CHECK_EQ_INT(s2[0], -1);
    snap_writer_free(&w);
    distinct_free(d);
    distinct_free(e);
    vector_free(&v);
}

/* Every kind of accumulator, retracting and append-only, with strings and DISTINCT. */
static void setup_all(harness *h)
{
    add_call(h, "COUNT", -1, T(TY_NULL));
    add_call(h, "SUM", 0, type_decimal(10, 2));
    add_call(h, "AVG", 2, T(TY_DOUBLE));
    add_call(h, "MIN", 1, T(TY_STRING));
    add_call(h, "MAX", 1, T(TY_STRING))->append_only = 1;
    add_call(h, "FIRST_VALUE", 1, T(TY_STRING));
    add_call(h, "LAST_VALUE", 1, T(TY_STRING))->append_only = 1;
    add_call(h, "COUNT", 1, T(TY_STRING))->distinct = 1;
    h_start(h);
}

static chunk_t *all_chunk(int base, int n, uint8_t op)
{
    type_t types[] = {type_decimal(10, 2), T(TY_STRING), T(TY_DOUBLE)};
    chunk_t *c = chunk_new_types(3, types, CHUNK_CAP);
    for (int i = 0; i < n; i++) {
        char s[64];
        snprintf(s, sizeof s, (base + i) % 2 ? "short %d" : "a string longer than twelve %d", (base + i) % 5);
        value_t row[3] = {I(base + i), S(s), F((base + i) * 0.5)};
        chunk_append_values(c, row, op);
    }
    return c;
}

static void all_results(harness *h, int group, char *out, size_t cap)
{
    sb_t b = {0};
    for (int i = 0; i < h->ncalls; i++) {
        value_t v = h_result(h, group, i);
        if (i) sb_puts(&b, ", ");
        value_format(h->calls[i].result_type, &v, &b);
    }
    snprintf(out, cap, "%s", sb_str(&b));
    sb_free(&b);
}

TEST(block_snapshot_restore)
{
    harness a = {0}, b = {0};
    setup_all(&a);
    setup_all(&b);
    h_feed(&a, all_chunk(0, 20, PI), NULL);
    h_feed(&a, all_chunk(3, 4, MD), NULL);
    snap_writer w = {0};
    agg_block_snapshot(&a.set, a.blocks[0], &w);
    snap_reader r;
    snap_reader_init(&r, w.buf, w.len);
    agg_block_restore(&b.set, b.blocks[0], &r);
    CHECK_EQ_INT(r.failed, 0);
    CHECK_EQ_INT(r.pos, w.len);
    snap_writer_free(&w);
    char ra[512], rb[512];
    all_results(&a, 0, ra, sizeof ra);
    all_results(&b, 0, rb, sizeof rb);
    CHECK_EQ_STR(rb, ra);
    /* Rows 0..19 minus 3..6; the append-only MAX and LAST_VALUE never saw the retractions. */
    CHECK_EQ_STR(ra, "16, 1.72, 5.375, a string longer than twelve 0, short 4, "
                     "a string longer than twelve 0, short 4, 10");
    /* Both continue identically. */
    h_feed(&a, all_chunk(0, 3, MD), NULL);
    h_feed(&b, all_chunk(0, 3, MD), NULL);
    h_feed(&a, all_chunk(30, 5, PI), NULL);
    h_feed(&b, all_chunk(30, 5, PI), NULL);
    all_results(&a, 0, ra, sizeof ra);
    all_results(&b, 0, rb, sizeof rb);
    CHECK_EQ_STR(rb, ra);
    CHECK_EQ_INT(agg_block_count(b.blocks[0]), 18);
    h_end(&a);
    h_end(&b);
}

TEST(block_restore_truncated)
{
    harness a = {0}, b = {0};
    setup_all(&a);
    setup_all(&b);
    h_feed(&a, all_chunk(0, 10, PI), NULL);
    snap_writer w = {0};
    agg_block_snapshot(&a.set, a.blocks[0], &w);
    for (size_t cut = 0; cut < w.len; cut += 7) {
        snap_reader r;
        snap_reader_init(&r, w.buf, cut);
        agg_block_restore(&b.set, b.blocks[0], &r);
        CHECK_EQ_INT(r.failed, 1);
    }
    snap_writer_free(&w);
    h_end(&a);
    h_end(&b);
}

TEST(chunk_larger_than_cap)
{
    /* agg_block_update takes any n: it works in slices of CHUNK_CAP rows. */
    harness h = {0};
    add_call(&h, "SUM", 0, T(TY_BIGINT));
    add_call(&h, "COUNT", 0, T(TY_BIGINT))->distinct = 1;
    h_start(&h);
    type_t t = T(TY_BIGINT);
    uint32_t n = CHUNK_CAP * 2 + 5;
    chunk_t *c = chunk_new_types(1, &t, n);
    void **blocks = xmalloc(n * sizeof *blocks);
    for (uint32_t i = 0; i < n; i++) {
        value_t v = I(i % 100);
        chunk_append_values(c, &v, PI);
        blocks[i] = h.blocks[i % 2];
    }
    agg_block_update(&h.set, blocks, c, n);
    chunk_free(c);
    free(blocks);
    CHECK_EQ_INT(agg_block_count(h.blocks[0]), CHUNK_CAP + 3);
    CHECK_EQ_INT(agg_block_count(h.blocks[1]), CHUNK_CAP + 2);
    int64_t s0 = 0;
    for (uint32_t i = 0; i < n; i += 2) s0 += i % 100;
    CHECK_EQ_INT(h_result(&h, 0, 0).i, s0);
    CHECK_EQ_STR(h_text(&h, 0, 1), "50");
    h_end(&h);
}

/* Feeds n INT values, all with op `op`, to one group. */
static void int_chunk_to(harness *h, const int64_t *vals, int n, uint8_t op, int group)
{
    value_t v[16];
    int groups[16];
    for (int i = 0; i < n; i++) { v[i] = I(vals[i]); groups[i] = group; }
    h_feed(h, col_chunk(T(TY_INT), v, (const uint8_t[16]){op, op, op, op, op, op, op, op, op, op, op, op, op, op, op, op}, n), groups);
}

TEST(merge_matches_one_block)
{
    /* Rows 0..19 split over groups 1 and 2 in runs of five, merged into group 0 (later run
     * first), give what one block fed every row gives; the merged blocks are unchanged. */
    harness a = {0}, b = {0};
    setup_all(&a);
    setup_all(&b);
    h_feed(&a, all_chunk(0, 20, PI), NULL);
    h_feed(&a, all_chunk(3, 4, MD), NULL);
    int groups[20];
    for (int i = 0; i < 20; i++) groups[i] = 1 + (i / 5) % 2;
    h_feed(&b, all_chunk(0, 20, PI), groups);
    h_feed(&b, all_chunk(3, 4, MD), groups + 3);
    char ra[512], rb[512], r1[512], r2[512], after[512];
    all_results(&b, 1, r1, sizeof r1);
    all_results(&b, 2, r2, sizeof r2);
    agg_block_merge(&b.set, b.blocks[0], b.blocks[2]);
    agg_block_merge(&b.set, b.blocks[0], b.blocks[1]);
    all_results(&a, 0, ra, sizeof ra);
    all_results(&b, 0, rb, sizeof rb);
    CHECK_EQ_STR(rb, ra);
    CHECK_EQ_STR(ra, "16, 1.72, 5.375, a string longer than twelve 0, short 4, "
                     "a string longer than twelve 0, short 4, 10");
    CHECK_EQ_INT(agg_block_count(b.blocks[0]), 16);
    all_results(&b, 1, after, sizeof after);
    CHECK_EQ_STR(after, r1);
    all_results(&b, 2, after, sizeof after);
    CHECK_EQ_STR(after, r2);
    /* Group 2: rows 7..9 and 15..19 (5 and 6 retracted, but seen by the append-only MAX). */
    CHECK_EQ_STR(r2, "8, 1.09, 6.8125, a string longer than twelve 1, short 4, short 2, short 4, 5");
    /* The merged block snapshots, restores and goes on like the reference. */
    snap_writer w = {0};
    agg_block_snapshot(&b.set, b.blocks[0], &w);
    snap_reader r;
    snap_reader_init(&r, w.buf, w.len);
    agg_block_restore(&b.set, b.blocks[1], &r);
    CHECK_EQ_INT(r.failed, 0);
    snap_writer_free(&w);
    h_feed(&a, all_chunk(40, 3, PI), NULL);
    int g1[3] = {1, 1, 1};
    h_feed(&b, all_chunk(40, 3, PI), g1);
    all_results(&a, 0, ra, sizeof ra);
    all_results(&b, 1, rb, sizeof rb);
    CHECK_EQ_STR(rb, ra);
    h_end(&a);
    h_end(&b);
}

TEST(merge_first_last_by_arrival)
{
    /* Group 1 holds the earliest and the latest rows, group 2 the middle ones. */
    harness h = {0};
    add_call(&h, "FIRST_VALUE", 0, T(TY_INT))->append_only = 1;
    add_call(&h, "LAST_VALUE", 0, T(TY_INT))->append_only = 1;
    add_call(&h, "FIRST_VALUE", 0, T(TY_INT));
    add_call(&h, "LAST_VALUE", 0, T(TY_INT));
    add_call(&h, "MIN", 0, T(TY_INT))->append_only = 1;
    add_call(&h, "MAX", 0, T(TY_INT));
    add_call(&h, "SUM", 0, T(TY_INT));
    add_call(&h, "COUNT", 0, T(TY_INT));
    h_start(&h);
    int_chunk_to(&h, (const int64_t[]){10, 20}, 2, PI, 1);
    int_chunk_to(&h, (const int64_t[]){30, 5, 40}, 3, PI, 2);
    int_chunk_to(&h, (const int64_t[]){50}, 1, PI, 1);
    agg_block_merge(&h.set, h.blocks[0], h.blocks[2]);
    agg_block_merge(&h.set, h.blocks[0], h.blocks[1]);
    CHECK_EQ_STR(h_text(&h, 0, 0), "10");
    CHECK_EQ_STR(h_text(&h, 0, 1), "50");
    CHECK_EQ_STR(h_text(&h, 0, 2), "10");
    CHECK_EQ_STR(h_text(&h, 0, 3), "50");
    CHECK_EQ_STR(h_text(&h, 0, 4), "5");
    CHECK_EQ_STR(h_text(&h, 0, 5), "50");
    CHECK_EQ_STR(h_text(&h, 0, 6), "155");
    CHECK_EQ_STR(h_text(&h, 0, 7), "6");
    /* The retracting lists were interleaved in arrival order: 10 20 30 5 40 50. */
    int_chunk_to(&h, (const int64_t[]){10, 50, 40}, 3, MD, 0);
    CHECK_EQ_STR(h_text(&h, 0, 2), "20");
    CHECK_EQ_STR(h_text(&h, 0, 3), "5");
    CHECK_EQ_STR(h_text(&h, 0, 5), "30");
    CHECK_EQ_STR(h_text(&h, 0, 6), "55");
    /* Merging an empty block changes nothing. */
    agg_block_destroy(&h.set, h.blocks[2]);
    agg_block_init(&h.set, h.blocks[2]);
    agg_block_merge(&h.set, h.blocks[0], h.blocks[2]);
    CHECK_EQ_STR(h_text(&h, 0, 2), "20");
    CHECK_EQ_STR(h_text(&h, 0, 3), "5");
    CHECK_EQ_INT(agg_block_count(h.blocks[0]), 6 - 3);
    h_end(&h);
}

TEST(merge_sum_wraps_and_nulls)
{
    harness h = {0};
    add_call(&h, "SUM", 0, T(TY_BIGINT));
    add_call(&h, "AVG", 0, T(TY_BIGINT));
    h_start(&h);
    value_t big[2] = {I(INT64_MAX), N()};
    int g1[2] = {1, 1}, g2[1] = {2};
    h_feed(&h, col_chunk(T(TY_BIGINT), big, NULL, 2), g1);
    value_t one[1] = {I(1)};
    h_feed(&h, col_chunk(T(TY_BIGINT), one, NULL, 1), g2);
    agg_block_merge(&h.set, h.blocks[0], h.blocks[1]);
    CHECK_EQ_INT(h_result(&h, 0, 1).i, INT64_MAX);
    agg_block_merge(&h.set, h.blocks[0], h.blocks[2]);
    CHECK_EQ_INT(h_result(&h, 0, 0).i, INT64_MIN);       /* wraps like Java's long */
    CHECK_EQ_INT(agg_block_count(h.blocks[0]), 3);
    /* Only NULLs: still NULL after the merge. */
    agg_block_destroy(&h.set, h.blocks[1]);
    agg_block_init(&h.set, h.blocks[1]);
    agg_block_destroy(&h.set, h.blocks[2]);
    agg_block_init(&h.set, h.blocks[2]);
    value_t nul[1] = {N()};
    h_feed(&h, col_chunk(T(TY_BIGINT), nul, NULL, 1), g2);
    agg_block_merge(&h.set, h.blocks[1], h.blocks[2]);
    CHECK(h_result(&h, 1, 0).null);
    CHECK(h_result(&h, 1, 1).null);
    CHECK_EQ_INT(agg_block_count(h.blocks[1]), 1);
    h_end(&h);
}

TEST(unmerge_takes_a_merged_block_back_out)
{
    /* Group 0 = merge of groups 1 and 2; unmerging group 1 leaves exactly group 2's bytes,
     * through a wrap of the BIGINT sum and a 128-bit DECIMAL sum; unmerging group 2 too
     * gives an initialised block. */
    harness h = {0};
    add_call(&h, "COUNT", -1, T(TY_NULL));
    add_call(&h, "COUNT", 0, T(TY_BIGINT));
    add_call(&h, "SUM", 0, T(TY_BIGINT));
    add_call(&h, "AVG", 0, T(TY_BIGINT));
    h_start(&h);
    CHECK(agg_set_invertible(&h.set));
    value_t a[3] = {I(INT64_MAX), N(), I(5)}, b[2] = {I(3), I(-7)};
    int g1[3] = {1, 1, 1}, g2[2] = {2, 2};
    h_feed(&h, col_chunk(T(TY_BIGINT), a, NULL, 3), g1);
    h_feed(&h, col_chunk(T(TY_BIGINT), b, NULL, 2), g2);
    agg_block_merge(&h.set, h.blocks[0], h.blocks[1]);
    agg_block_merge(&h.set, h.blocks[0], h.blocks[2]);
    CHECK_EQ_INT(agg_block_count(h.blocks[0]), 5);
    agg_block_unmerge(&h.set, h.blocks[0], h.blocks[1]);
    CHECK(memcmp(h.blocks[0], h.blocks[2], h.set.block_size) == 0);
    CHECK_EQ_STR(h_text(&h, 0, 0), "2");
    CHECK_EQ_STR(h_text(&h, 0, 1), "2");
    CHECK_EQ_STR(h_text(&h, 0, 2), "-4");
    CHECK_EQ_STR(h_text(&h, 0, 3), "-2");
    agg_block_unmerge(&h.set, h.blocks[0], h.blocks[2]);
    void *fresh = xmalloc(h.set.block_size);
    agg_block_init(&h.set, fresh);
    CHECK(memcmp(h.blocks[0], fresh, h.set.block_size) == 0);
    CHECK(h_result(&h, 0, 2).null);
    agg_block_destroy(&h.set, fresh);
    free(fresh);
    h_end(&h);

    harness d = {0};
    add_call(&d, "SUM", 0, type_decimal(38, 2));
    h_start(&d);
    CHECK(agg_set_invertible(&d.set));
    value_t big[2] = {I(INT64_MAX), I(INT64_MAX)}, small[1] = {I(-1)};
    h_feed(&d, col_chunk(type_decimal(38, 2), big, NULL, 2), g1);
    h_feed(&d, col_chunk(type_decimal(38, 2), small, NULL, 1), g2);
    agg_block_merge(&d.set, d.blocks[0], d.blocks[1]);
    agg_block_merge(&d.set, d.blocks[0], d.blocks[2]);
    agg_block_unmerge(&d.set, d.blocks[0], d.blocks[1]);
    CHECK(memcmp(d.blocks[0], d.blocks[2], d.set.block_size) == 0);
    CHECK_EQ_STR(h_text(&d, 0, 0), "-0.01");
    h_end(&d);
}

TEST(invertible_sets)
{
    /* DOUBLE sums (addition order changes the last bits), MIN/MAX/FIRST/LAST_VALUE and
     * DISTINCT cannot take rows back out of a merged block. */
    static const struct { const char *name; type_id id; int distinct, invertible; } cases[] = {
        {"COUNT", TY_BIGINT, 0, 1}, {"SUM", TY_INT, 0, 1}, {"AVG", TY_BIGINT, 0, 1},
        {"SUM", TY_DOUBLE, 0, 0}, {"AVG", TY_DOUBLE, 0, 0}, {"COUNT", TY_BIGINT, 1, 0},
        {"MIN", TY_BIGINT, 0, 0}, {"MAX", TY_BIGINT, 0, 0}, {"FIRST_VALUE", TY_BIGINT, 0, 0},
        {"LAST_VALUE", TY_BIGINT, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        harness h = {0};
        add_call(&h, "COUNT", -1, T(TY_NULL));
        add_call(&h, cases[i].name, 0, T(cases[i].id))->distinct = cases[i].distinct;
        if (agg_set_init(&h.set, h.calls, h.ncalls) < 0) abort();
        if (agg_set_invertible(&h.set) != cases[i].invertible) {
            fprintf(stderr, "case %zu: %s\n", i, cases[i].name);
            CHECK(0);
        }
        agg_set_free(&h.set);
    }
}

TEST(merge_distinct_sets)
{
    harness h = {0};
    add_call(&h, "COUNT", 0, T(TY_INT))->distinct = 1;
    add_call(&h, "SUM", 0, T(TY_INT))->distinct = 1;
    add_call(&h, "COUNT", -1, T(TY_NULL));
    h_start(&h);
    int_chunk_to(&h, (const int64_t[]){1, 2, 2, 3}, 4, PI, 1);
    int_chunk_to(&h, (const int64_t[]){2, 3, 4}, 3, PI, 2);
    agg_block_merge(&h.set, h.blocks[0], h.blocks[1]);
    agg_block_merge(&h.set, h.blocks[0], h.blocks[2]);
    CHECK_EQ_STR(h_text(&h, 0, 0), "4");
    CHECK_EQ_STR(h_text(&h, 0, 1), "10");
    CHECK_EQ_STR(h_text(&h, 0, 2), "7");
    /* Value counts added up: 2 was seen three times, 4 once. */
    int_chunk_to(&h, (const int64_t[]){2, 2}, 2, MD, 0);
    CHECK_EQ_STR(h_text(&h, 0, 0), "4");
    int_chunk_to(&h, (const int64_t[]){2, 4}, 2, MD, 0);
    CHECK_EQ_STR(h_text(&h, 0, 0), "2");
    CHECK_EQ_STR(h_text(&h, 0, 1), "4");
    /* The sources are unchanged. */
    CHECK_EQ_STR(h_text(&h, 1, 0), "3");
    CHECK_EQ_STR(h_text(&h, 2, 1), "9");
    h_end(&h);
}

TEST(merge_distinct_many_strings)
{
    /* More new values than one update batch (CHUNK_CAP), long strings among them. */
    harness h = {0};
    add_call(&h, "COUNT", 0, T(TY_STRING))->distinct = 1;
    add_call(&h, "MAX", 0, T(TY_STRING))->distinct = 1;
    h_start(&h);
    type_t t = T(TY_STRING);
    for (int part = 0; part < 2; part++) {
        int lo = part ? 1000 : 0, hi = part ? 3000 : 1500;
        for (int base = lo; base < hi; base += CHUNK_CAP) {
            chunk_t *c = chunk_new_types(1, &t, CHUNK_CAP);
            int groups[CHUNK_CAP];
            int n = 0;
            for (int i = base; i < hi && n < CHUNK_CAP; i++, n++) {
                char s[64];
                snprintf(s, sizeof s, i % 3 ? "v%05d" : "a long string value %05d", i);
                value_t v = S(s);
                chunk_append_values(c, &v, PI);
                groups[n] = 1 + part;
            }
            h_feed(&h, c, groups);
        }
    }
    agg_block_merge(&h.set, h.blocks[0], h.blocks[1]);
    agg_block_merge(&h.set, h.blocks[0], h.blocks[2]);
    CHECK_EQ_STR(h_text(&h, 0, 0), "3000");
    CHECK_EQ_STR(h_text(&h, 0, 1), "v02999");
    CHECK_EQ_STR(h_text(&h, 1, 0), "1500");
    CHECK_EQ_INT(agg_block_count(h.blocks[0]), 3500);
    h_end(&h);
}

int main(void)
{
    RUN(lookup_and_names);
    RUN(result_types);
    RUN(set_init_errors);
    RUN(count_star_and_count_x);
    RUN(groups_are_independent);
    RUN(sum_integers);
    RUN(sum_bigint_wraps);
    RUN(sum_double_and_decimal);
    RUN(sum_decimal_overflow_is_null);
    RUN(avg_types);
    RUN(avg_decimal_half_up);
    RUN(min_max_retract);
    RUN(min_max_append_only);
    RUN(min_max_many_values);
    RUN(min_max_randomized);
    RUN(min_max_doubles_java_order);
    RUN(string_min_max_append_only);
    RUN(string_min_max_retract);
    RUN(first_last_append_only);
    RUN(first_last_retract);
    RUN(all_null_input);
    RUN(filter_clause);
    RUN(distinct_count_and_sum);
    RUN(distinct_filter_signs);
    RUN(block_snapshot_restore);
    RUN(block_restore_truncated);
    RUN(chunk_larger_than_cap);
    RUN(merge_matches_one_block);
    RUN(merge_first_last_by_arrival);
    RUN(merge_sum_wraps_and_nulls);
    RUN(unmerge_takes_a_merged_block_back_out);
    RUN(invertible_sets);
    RUN(merge_distinct_sets);
    RUN(merge_distinct_many_strings);
    return CHECK_DONE();
}
