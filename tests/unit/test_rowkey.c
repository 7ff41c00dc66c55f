/* test_rowkey.c - row keys: the exact byte layout, which values encode equal (NULLs, -0.0 and
 * 0.0, NaN payloads, INT and BIGINT) and which do not (NULL and 0, string boundaries), the
 * inline/pointer string boundary, keys of a whole chunk (selection vector, hashes, NULL
 * flags, buffer growth), decoding, validation of foreign bytes and the byte order. */
#include "check.h"
#include "data/rowkey.h"
#include "base/hashmap.h"
#include "base/util.h"
#include <math.h>
#include <stdlib.h>

/* (a BIGINT, b DOUBLE, c STRING, d INT) */
static const type_t *types4(void)
{
    static type_t t[4];
    t[0] = type_make(TY_BIGINT);
    t[1] = type_make(TY_DOUBLE);
    t[2] = type_make(TY_STRING);
    t[3] = type_make(TY_INT);
    return t;
}

static value_t I(int64_t i) { return value_i64(i); }
static value_t D(double d) { return value_f64(d); }
static value_t N(void) { return value_null(); }
static value_t S(const char *s) { value_t v = value_i64(0); v.s = str_cstr(s); return v; }

static chunk_t *chunk4(void) { return chunk_new_types(4, types4(), CHUNK_CAP); }

static void add_row(chunk_t *c, value_t a, value_t b, value_t s, value_t d)
{
    value_t v[4] = {a, b, s, d};
    chunk_append_values(c, v, OP_INSERT);
}

/* The key of row r over cols, copied out (tests compare two keys). */
static uint32_t key_of(const chunk_t *c, uint32_t r, const int *cols, int ncols, uint8_t *out)
{
    rowkey_buf b;
    rowkey_buf_init(&b);
    uint32_t len = rowkey_encode(&b, c, r, cols, ncols);
    CHECK_EQ_INT(b.len, len);
    memcpy(out, b.bytes, len);
    rowkey_buf_free(&b);
    return len;
}

static int same_key(const chunk_t *c, uint32_t r1, uint32_t r2, const int *cols, int ncols)
{
    uint8_t a[256], b[256];
    uint32_t la = key_of(c, r1, cols, ncols, a), lb = key_of(c, r2, cols, ncols, b);
    return la == lb && memcmp(a, b, la) == 0;
}

TEST(layout_of_each_kind)
{
    chunk_t *c = chunk4();
    add_row(c, I(-2), D(1.5), S("hey"), I(7));
    add_row(c, N(), N(), N(), N());
    uint8_t k[256];
    CHECK_EQ_INT(key_of(c, 0, NULL, 4, k), 9 + 9 + 1 + 4 + 3 + 9);
    int64_t i;
    double d;
    uint32_t len;
    CHECK_EQ_INT(k[0], 0);
    memcpy(&i, k + 1, 8);
    CHECK_EQ_INT(i, -2);
    CHECK_EQ_INT(k[9], 0);
    memcpy(&d, k + 10, 8);
    CHECK_EQ_DBL(d, 1.5, 0);
    CHECK_EQ_INT(k[18], 0);
    memcpy(&len, k + 19, 4);
    CHECK_EQ_INT(len, 3);
    CHECK(memcmp(k + 23, "hey", 3) == 0);
    CHECK_EQ_INT(k[26], 0);
    memcpy(&i, k + 27, 8);
    CHECK_EQ_INT(i, 7);
    /* NULL: the null byte alone, per column */
    CHECK_EQ_INT(key_of(c, 1, NULL, 4, k), 4);
    CHECK(memcmp(k, "\1\1\1\1", 4) == 0);
    chunk_free(c);
}

TEST(columns_in_the_order_given)
{
    chunk_t *c = chunk4();
    add_row(c, I(1), D(2), S("x"), I(3));
    static const int cols[2] = {3, 0};
    uint8_t k[64];
    CHECK_EQ_INT(key_of(c, 0, cols, 2, k), 18);
    int64_t a, b;
    memcpy(&a, k + 1, 8);
    memcpy(&b, k + 10, 8);
    CHECK_EQ_INT(a, 3);
    CHECK_EQ_INT(b, 1);
    chunk_free(c);
}

TEST(zero_columns_give_an_empty_key_with_storage)
{
    chunk_t *c = chunk4();
    add_row(c, I(1), D(2), S("x"), I(3));
    rowkey_buf b;
    rowkey_buf_init(&b);
    CHECK_EQ_INT(rowkey_encode(&b, c, 0, NULL, 0), 0);
    CHECK(b.bytes != NULL);
    rowkey_buf_free(&b);
    chunk_free(c);
}

TEST(doubles_equal_as_sql_groups_them)
{
    chunk_t *c = chunk4();
    double nan2;
    uint64_t bits = 0x7ff8000000000abcULL;
    memcpy(&nan2, &bits, 8);
    add_row(c, I(0), D(0.0), S(""), I(0));          /* 0 */
    add_row(c, I(0), D(-0.0), S(""), I(0));         /* 1 */
    add_row(c, I(0), D(NAN), S(""), I(0));          /* 2 */
    add_row(c, I(0), D(nan2), S(""), I(0));         /* 3 */
    add_row(c, I(0), D(-NAN), S(""), I(0));         /* 4 */
    add_row(c, I(0), D(4.9e-324), S(""), I(0));     /* 5: the smallest subnormal */
    add_row(c, I(0), D(-4.9e-324), S(""), I(0));    /* 6 */
    add_row(c, I(0), D(INFINITY), S(""), I(0));     /* 7 */
    static const int b[1] = {1};
    CHECK(same_key(c, 0, 1, b, 1));
    CHECK(same_key(c, 2, 3, b, 1));
    CHECK(same_key(c, 2, 4, b, 1));
    CHECK(!same_key(c, 0, 2, b, 1));
    CHECK(!same_key(c, 0, 5, b, 1));
    CHECK(!same_key(c, 5, 6, b, 1));
    CHECK(!same_key(c, 6, 1, b, 1));
    CHECK(!same_key(c, 7, 2, b, 1));
    /* -0.0 is stored as 0.0 */
    uint8_t k[16];
    key_of(c, 1, b, 1, k);
    double d;
    memcpy(&d, k + 1, 8);
    CHECK(d == 0 && !signbit(d));
    chunk_free(c);
}

TEST(null_is_not_zero_nor_empty)
{
    chunk_t *c = chunk4();
    add_row(c, I(0), D(0), S(""), I(0));
    add_row(c, N(), N(), N(), N());
    add_row(c, N(), N(), N(), N());
    for (int col = 0; col < 4; col++) {
        int cols[1] = {col};
        CHECK(!same_key(c, 0, 1, cols, 1));
        CHECK(same_key(c, 1, 2, cols, 1));
    }
    chunk_free(c);
}

TEST(string_boundaries_between_columns_count)
{
    static const type_t t2[2] = {{.id = TY_STRING, .length = -1}, {.id = TY_STRING, .length = -1}};
    chunk_t *c = chunk_new_types(2, t2, 4);
    value_t r0[2] = {S("ab"), S("c")}, r1[2] = {S("a"), S("bc")}, r2[2] = {S("ab"), S("c")};
    chunk_append_values(c, r0, OP_INSERT);
    chunk_append_values(c, r1, OP_INSERT);
    chunk_append_values(c, r2, OP_INSERT);
    CHECK(!same_key(c, 0, 1, NULL, 2));
    CHECK(same_key(c, 0, 2, NULL, 2));
    chunk_free(c);
}

TEST(inline_and_long_strings)
{
    /* 12 bytes live in the view, 13 behind its pointer: both encode their bytes */
    chunk_t *c = chunk4();
    add_row(c, I(0), D(0), S("abcdefghijkl"), I(0));
    add_row(c, I(0), D(0), S("abcdefghijklm"), I(0));
    add_row(c, I(0), D(0), S("abcdefghijkl"), I(0));
    add_row(c, I(0), D(0), S("abcdefghijklm"), I(0));
    static const int s[1] = {2};
    uint8_t k[64];
    CHECK_EQ_INT(key_of(c, 0, s, 1, k), 1 + 4 + 12);
    CHECK(memcmp(k + 5, "abcdefghijkl", 12) == 0);
    CHECK_EQ_INT(key_of(c, 1, s, 1, k), 1 + 4 + 13);
    CHECK(memcmp(k + 5, "abcdefghijklm", 13) == 0);
    CHECK(same_key(c, 0, 2, s, 1));
    CHECK(same_key(c, 1, 3, s, 1));
    CHECK(!same_key(c, 0, 1, s, 1));
    chunk_free(c);
}

TEST(int_and_bigint_columns_encode_alike)
{
    chunk_t *c = chunk4();
    add_row(c, I(42), D(0), S(""), I(42));
    static const int a[1] = {0}, d[1] = {3};
    uint8_t ka[16], kd[16];
    CHECK_EQ_INT(key_of(c, 0, a, 1, ka), 9);
    CHECK_EQ_INT(key_of(c, 0, d, 1, kd), 9);
    CHECK(memcmp(ka, kd, 9) == 0);
    chunk_free(c);
}

TEST(buffer_grows_and_is_reused)
{
    chunk_t *c = chunk4();
    char big[3000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = 0;
    add_row(c, I(1), D(0), S(big), I(0));
    add_row(c, I(2), D(0), S("s"), I(0));
    rowkey_buf b;
    rowkey_buf_init(&b);
    CHECK_EQ_INT(rowkey_encode(&b, c, 0, NULL, 3), 9 + 9 + 5 + 2999);
    CHECK(b.cap >= b.len);
    CHECK_EQ_INT(b.bytes[9 + 9 + 5 + 2998], 'z');
    CHECK_EQ_INT(rowkey_encode(&b, c, 1, NULL, 3), 9 + 9 + 5 + 1);
    CHECK_EQ_INT(b.len, 24);
    int64_t i;
    memcpy(&i, b.bytes + 1, 8);
    CHECK_EQ_INT(i, 2);
    /* a long string first: the fixed-size columns after it still find room */
    rowkey_buf_free(&b);
    rowkey_buf_init(&b);
    static const int cols[4] = {2, 0, 1, 3};
    CHECK_EQ_INT(rowkey_encode(&b, c, 0, cols, 4), 5 + 2999 + 9 + 9 + 9);
    memcpy(&i, b.bytes + 5 + 2999 + 1, 8);
    CHECK_EQ_INT(i, 1);
    rowkey_buf_free(&b);
    chunk_free(c);
}

TEST(chunk_keys_follow_the_selection)
{
    chunk_t *c = chunk4();
    add_row(c, I(10), D(0), S("a"), I(0));
    add_row(c, N(), D(0), S("b"), I(0));
    add_row(c, I(30), D(0), N(), I(0));
    add_row(c, I(40), D(0), S("a long string, not inline"), I(0));
    uint16_t sel[3] = {3, 1, 2};
    c->sel = sel;
    c->nsel = 3;
    static const int cols[2] = {0, 2};
    rowkey_chunk k;
    rowkey_chunk_init(&k);
    rowkey_encode_chunk(&k, c, cols, 2);
    CHECK_EQ_INT(k.n, 3);
    static const uint32_t want_len[3] = {9 + 5 + 25, 1 + 5 + 1, 9 + 1};
    static const uint8_t want_null[3] = {0, 1, 1};
    rowkey_buf one;
    rowkey_buf_init(&one);
    for (uint32_t i = 0; i < 3; i++) {
        CHECK_EQ_INT(k.len[i], want_len[i]);
        CHECK_EQ_INT(k.has_null[i], want_null[i]);
        uint32_t len = rowkey_encode(&one, c, sel[i], cols, 2);
        CHECK_EQ_INT(len, k.len[i]);
        CHECK(memcmp(rowkey_at(&k, i), one.bytes, len) == 0);
        CHECK(k.hash[i] == hash_bytes(one.bytes, len));
    }
    CHECK_EQ_INT(k.off[0], 0);
    CHECK_EQ_INT(k.off[1], want_len[0]);
    CHECK_EQ_INT(k.off[2], want_len[0] + want_len[1]);
    /* without the selection: all four rows, the dense order */
    c->sel = NULL;
    rowkey_encode_chunk(&k, c, cols, 2);
    CHECK_EQ_INT(k.n, 4);
    CHECK_EQ_INT(k.len[0], 9 + 5 + 1);
    CHECK_EQ_INT(k.has_null[0], 0);
    CHECK_EQ_INT(k.has_null[1], 1);
    CHECK_EQ_INT(k.len[3], 9 + 5 + 25);
    rowkey_buf_free(&one);
    rowkey_chunk_free(&k);
    chunk_free(c);
}

TEST(chunk_keys_of_a_full_chunk_grow_the_buffer)
{
    chunk_t *c = chunk4();
    char s[40];
    for (int r = 0; r < CHUNK_CAP; r++) {
        snprintf(s, sizeof s, "row-%04d-with-a-long-tail", r);
        value_t v[4] = {I(r), D(r * 0.5), S(s), I(-r)};
        chunk_append_values(c, v, OP_INSERT);
    }
    rowkey_chunk k;
    rowkey_chunk_init(&k);
    rowkey_encode_chunk(&k, c, NULL, 4);
    CHECK_EQ_INT(k.n, CHUNK_CAP);
    CHECK_EQ_INT(k.buf.len, (size_t)CHUNK_CAP * (9 + 9 + 5 + 25 + 9));
    value_t out[4];
    rowkey_decode(rowkey_at(&k, 1023), types4(), NULL, 4, out);
    CHECK_EQ_INT(out[0].i, 1023);
    CHECK_EQ_DBL(out[1].f, 511.5, 0);
    CHECK_EQ_INT(out[2].s.len, 25);
    CHECK(memcmp(str_ptr(&out[2].s), "row-1023-with-a-long-tail", 25) == 0);
    CHECK_EQ_INT(out[3].i, -1023);
    /* an empty chunk encodes nothing */
    chunk_reset(c);
    rowkey_encode_chunk(&k, c, NULL, 4);
    CHECK_EQ_INT(k.n, 0);
    CHECK_EQ_INT(k.buf.len, 0);
    rowkey_chunk_free(&k);
    chunk_free(c);
}

TEST(decode_round_trip)
{
    chunk_t *c = chunk4();
    add_row(c, I(INT64_MIN), D(-0.0), S("short"), N());
    add_row(c, N(), D(-1e300), S("longer than twelve bytes"), I(INT32_MAX));
    static const int cols[4] = {2, 3, 1, 0};
    rowkey_buf b;
    rowkey_buf_init(&b);
    value_t v[4];

    rowkey_encode(&b, c, 0, cols, 4);
    CHECK(rowkey_valid(b.bytes, (uint32_t)b.len, types4(), cols, 4));
    rowkey_decode(b.bytes, types4(), cols, 4, v);
    CHECK(!v[0].null && v[0].s.len == 5 && memcmp(str_ptr(&v[0].s), "short", 5) == 0);
    CHECK(v[1].null);
    CHECK(!v[2].null && v[2].f == 0 && !signbit(v[2].f));
    CHECK(!v[3].null && v[3].i == INT64_MIN);

    rowkey_encode(&b, c, 1, cols, 4);
    rowkey_decode(b.bytes, types4(), cols, 4, v);
    CHECK_EQ_INT(v[0].s.len, 24);
    /* a long string's view points into the key bytes */
    CHECK(str_ptr(&v[0].s) == (const char *)b.bytes + 5);
    CHECK_EQ_INT(v[1].i, INT32_MAX);
    CHECK_EQ_DBL(v[2].f, -1e300, 0);
    CHECK(v[3].null);
    rowkey_buf_free(&b);
    chunk_free(c);
}

TEST(valid_rejects_malformed_bytes)
{
    chunk_t *c = chunk4();
    add_row(c, I(5), N(), S("abc"), I(6));
    rowkey_buf b;
    rowkey_buf_init(&b);
    uint32_t len = rowkey_encode(&b, c, 0, NULL, 4);
    const type_t *t = types4();
    CHECK(rowkey_valid(b.bytes, len, t, NULL, 4));
    CHECK(!rowkey_valid(b.bytes, len - 1, t, NULL, 4));         /* truncated */
    CHECK(!rowkey_valid(b.bytes, len, t, NULL, 3));             /* bytes left over */
    uint8_t bad[64];
    memcpy(bad, b.bytes, len);
    bad[9] = 2;                                                 /* a null byte of 2 */
    CHECK(!rowkey_valid(bad, len, t, NULL, 4));
    memcpy(bad, b.bytes, len);
    uint32_t huge = 1000;                                       /* a string past the end */
    memcpy(bad + 11, &huge, 4);
    CHECK(!rowkey_valid(bad, len, t, NULL, 4));
    CHECK(!rowkey_valid(b.bytes, 12, t, NULL, 4));              /* cut inside a length */
    CHECK(rowkey_valid(b.bytes, 0, t, NULL, 0));
    CHECK(!rowkey_valid(b.bytes, 0, t, NULL, 1));
    CHECK(!rowkey_valid(b.bytes, 1, t, NULL, 0));
    static const int s[1] = {2};                                /* read as a STRING column */
    CHECK(!rowkey_valid(b.bytes, 9, t, s, 1));
    rowkey_buf_free(&b);
    chunk_free(c);
}

TEST(cmp_is_a_total_order_on_bytes)
{
    static const uint8_t a[] = {0, 1, 2}, b[] = {0, 1, 3};
    CHECK(rowkey_cmp(a, 3, b, 3) < 0);
    CHECK(rowkey_cmp(b, 3, a, 3) > 0);
    CHECK(rowkey_cmp(a, 3, a, 3) == 0);
    CHECK(rowkey_cmp(a, 2, a, 3) < 0);
    CHECK(rowkey_cmp(a, 3, a, 2) > 0);
    CHECK(rowkey_cmp(a, 0, b, 0) == 0);
}

int main(void)
{
    RUN(layout_of_each_kind);
    RUN(columns_in_the_order_given);
    RUN(zero_columns_give_an_empty_key_with_storage);
    RUN(doubles_equal_as_sql_groups_them);
    RUN(null_is_not_zero_nor_empty);
    RUN(string_boundaries_between_columns_count);
    RUN(inline_and_long_strings);
    RUN(int_and_bigint_columns_encode_alike);
    RUN(buffer_grows_and_is_reused);
    RUN(chunk_keys_follow_the_selection);
    RUN(chunk_keys_of_a_full_chunk_grow_the_buffer);
    RUN(decode_round_trip);
    RUN(valid_rejects_malformed_bytes);
    RUN(cmp_is_a_total_order_on_bytes);
    return CHECK_DONE();
}
