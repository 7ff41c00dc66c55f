/* test_base.c - the foundation modules: arena, strbuf, hashmap, util (edit_distance, str_ieq),
 * civil calendar arithmetic, and err (rendering with source line and caret, notes,
 * first-error-wins, err_clear, span_join). */
#include "check.h"
#include "base/arena.h"
#include "base/strbuf.h"
#include "base/hashmap.h"
#include "base/util.h"
#include "base/civil.h"
#include "base/err.h"
#include <stdlib.h>

/* ---- arena ---- */

TEST(arena_alignment_and_contents)
{
    arena_t a;
    arena_init(&a, 1024);
    CHECK_EQ_INT(arena_bytes(&a), 0);
    char *ptrs[200];
    for (int i = 0; i < 200; i++) {
        size_t n = (size_t)(i % 37) + 1;
        ptrs[i] = arena_alloc(&a, n);
        CHECK_EQ_INT((uintptr_t)ptrs[i] % 16, 0);
        memset(ptrs[i], 'a' + i % 26, n);
    }
    /* Later allocations (across many blocks) never overwrote earlier ones. */
    for (int i = 0; i < 200; i++) {
        size_t n = (size_t)(i % 37) + 1;
        for (size_t j = 0; j < n; j++) CHECK_EQ_INT(ptrs[i][j], 'a' + i % 26);
    }
    CHECK(arena_bytes(&a) >= 200 * 16);
    arena_free(&a);
    CHECK(a.head == NULL);
    CHECK_EQ_INT(arena_bytes(&a), 0);
}

TEST(arena_zero_size_and_zalloc)
{
    arena_t a;
    arena_init(&a, 0);                   /* 0 picks the default block size */
    CHECK_EQ_INT(a.block_size, 64 * 1024);
    void *p = arena_alloc(&a, 0);
    void *q = arena_alloc(&a, 0);
    CHECK(p != NULL && q != NULL && p != q);
    unsigned char *z = arena_zalloc(&a, 100);
    int nonzero = 0;
    for (int i = 0; i < 100; i++) nonzero |= z[i];
    CHECK_EQ_INT(nonzero, 0);
    arena_free(&a);
}

TEST(arena_strdup)
{
    arena_t a;
    arena_init(&a, 256);
    char *s = arena_strdup(&a, "hello");
    CHECK_EQ_STR(s, "hello");
    char *t = arena_strndup(&a, "abcdef", 3);
    CHECK_EQ_STR(t, "abc");
    char *e = arena_strndup(&a, "xyz", 0);
    CHECK_EQ_STR(e, "");
    arena_free(&a);
}

TEST(arena_large_allocation_keeps_current_block)
{
    arena_t a;
    arena_init(&a, 1024);
    char *small1 = arena_alloc(&a, 16);
    memset(small1, 1, 16);
    /* More than a quarter of the block size: its own block of exactly that size. */
    char *big = arena_alloc(&a, 4000);
    memset(big, 2, 4000);
    CHECK_EQ_INT(arena_bytes(&a), 1024 + 4000);
    /* The next small allocation still comes from the first block, right after small1. */
    char *small2 = arena_alloc(&a, 16);
    CHECK(small2 == small1 + 16);
    CHECK_EQ_INT(arena_bytes(&a), 1024 + 4000);
    CHECK_EQ_INT(small1[15], 1);
    CHECK_EQ_INT(big[3999], 2);
    arena_free(&a);

    /* A large allocation into an empty arena becomes the head. */
    arena_init(&a, 1024);
    char *b2 = arena_alloc(&a, 2048);
    memset(b2, 3, 2048);
    char *s3 = arena_alloc(&a, 16);
    CHECK(s3 != NULL);
    CHECK_EQ_INT(arena_bytes(&a), 2048 + 1024);
    arena_free(&a);
}

TEST(arena_reset_keeps_regular_blocks)
{
    arena_t a;
    arena_init(&a, 1024);
    for (int i = 0; i < 100; i++) arena_alloc(&a, 100);    /* 12 regular blocks of 9 x 112 bytes */
    arena_alloc(&a, 5000);                                 /* and a large one */
    CHECK_EQ_INT(arena_bytes(&a), 12 * 1024 + 5008);
    arena_reset(&a);
    CHECK_EQ_INT(arena_bytes(&a), 12 * 1024);              /* the large block is freed */
    /* A kept block is empty and reused from its start, even for an allocation that would
     * otherwise get a block of its own. */
    char *p = arena_alloc(&a, 512);
    char *q = arena_alloc(&a, 512);
    CHECK(q == p + 512);
    CHECK_EQ_INT(arena_bytes(&a), 12 * 1024);
    /* Refilling reuses the spare blocks instead of allocating new ones. */
    arena_reset(&a);
    for (int i = 0; i < 100; i++) arena_alloc(&a, 100);
    CHECK_EQ_INT(arena_bytes(&a), 12 * 1024);
    arena_free(&a);

    /* Only large blocks: reset frees everything, the arena still works. */
    arena_init(&a, 1024);
    arena_alloc(&a, 3000);
    arena_reset(&a);
    CHECK_EQ_INT(arena_bytes(&a), 0);
    CHECK(arena_alloc(&a, 8) != NULL);
    arena_free(&a);

    /* Reset of an empty arena is harmless. */
    arena_init(&a, 1024);
    arena_reset(&a);
    CHECK_EQ_INT(arena_bytes(&a), 0);
    arena_free(&a);
}

/* ---- strbuf ---- */

TEST(strbuf_basics)
{
    sb_t b = {0};
    CHECK_EQ_STR(sb_str(&b), "");
    sb_puts(&b, "abc");
    sb_putc(&b, '-');
    sb_append(&b, "xyz123", 3);
    sb_printf(&b, "%d/%s", 42, "q");
    CHECK_EQ_STR(sb_str(&b), "abc-xyz42/q");
    CHECK_EQ_INT(b.len, 11);
    size_t cap = b.cap;
    sb_clear(&b);
    CHECK_EQ_STR(sb_str(&b), "");
    CHECK_EQ_INT(b.len, 0);
    CHECK_EQ_INT(b.cap, cap);
    sb_append(&b, "", 0);
    CHECK_EQ_STR(sb_str(&b), "");
    sb_free(&b);
    CHECK(b.data == NULL);
    CHECK_EQ_STR(sb_str(&b), "");
}

TEST(strbuf_long_printf_and_growth)
{
    sb_t b = {0};
    sb_puts(&b, ">");
    /* Longer than the 256-byte stack buffer of sb_vprintf. */
    char big[1001];
    memset(big, 'x', 1000);
    big[1000] = 0;
    sb_printf(&b, "%s|%d", big, 7);
    CHECK_EQ_INT(b.len, 1 + 1000 + 2);
    CHECK_EQ_INT(b.data[0], '>');
    CHECK_EQ_INT(b.data[1000], 'x');
    CHECK_EQ_STR(b.data + 1001, "|7");
    /* Exactly 255 and 256 bytes of output: both sides of the stack buffer. */
    sb_clear(&b);
    sb_printf(&b, "%.*s", 255, big);
    CHECK_EQ_INT(b.len, 255);
    CHECK_EQ_INT(strlen(sb_str(&b)), 255);
    sb_clear(&b);
    sb_printf(&b, "%.*s", 256, big);
    CHECK_EQ_INT(b.len, 256);
    CHECK_EQ_INT(strlen(sb_str(&b)), 256);
    for (int i = 0; i < 5000; i++) sb_putc(&b, 'y');
    CHECK_EQ_INT(b.len, 5256);
    CHECK_EQ_INT(strlen(sb_str(&b)), 5256);
    CHECK(b.cap > b.len);
    sb_free(&b);
}

TEST(strbuf_take)
{
    sb_t b = {0};
    char *e = sb_take(&b);
    CHECK_EQ_STR(e, "");
    free(e);
    sb_puts(&b, "owned");
    char *s = sb_take(&b);
    CHECK_EQ_STR(s, "owned");
    CHECK(b.data == NULL);
    CHECK_EQ_INT(b.len, 0);
    CHECK_EQ_INT(b.cap, 0);
    free(s);
    sb_puts(&b, "again");
    CHECK_EQ_STR(sb_str(&b), "again");
    sb_free(&b);
}

/* ---- hashmap ---- */

static void **put_str(hmap_t *m, const char *k, int *created)
{
    return hmap_put(m, k, (uint32_t)strlen(k), hash_bytes(k, strlen(k)), created);
}

static void *get_str(hmap_t *m, const char *k)
{
    void **v = hmap_get(m, k, (uint32_t)strlen(k), hash_bytes(k, strlen(k)));
    return v ? *v : NULL;
}

TEST(hashmap_put_get_del)
{
    hmap_t m;
    hmap_init(&m);
    CHECK(get_str(&m, "a") == NULL);                   /* empty map, no slots */
    CHECK(hmap_del(&m, "a", 1, hash_bytes("a", 1)) == NULL);
    int created = -1;
    *put_str(&m, "a", &created) = (void *)1;
    CHECK_EQ_INT(created, 1);
    *put_str(&m, "b", &created) = (void *)2;
    CHECK_EQ_INT(created, 1);
    void **slot = put_str(&m, "a", &created);
    CHECK_EQ_INT(created, 0);
    CHECK(*slot == (void *)1);
    CHECK_EQ_INT(m.len, 2);
    CHECK(get_str(&m, "a") == (void *)1);
    CHECK(get_str(&m, "b") == (void *)2);
    CHECK(get_str(&m, "c") == NULL);
    CHECK(hmap_del(&m, "a", 1, hash_bytes("a", 1)) == (void *)1);
    CHECK_EQ_INT(m.len, 1);
    CHECK(get_str(&m, "a") == NULL);
    CHECK(hmap_del(&m, "a", 1, hash_bytes("a", 1)) == NULL);
    /* Re-inserting a deleted key creates it afresh with a NULL value. */
    slot = put_str(&m, "a", &created);
    CHECK_EQ_INT(created, 1);
    CHECK(*slot == NULL);
    CHECK(hmap_put(&m, "b", 1, hash_bytes("b", 1), NULL) != NULL);   /* created may be NULL */
    hmap_free(&m);
    CHECK_EQ_INT(m.cap, 0);
    CHECK_EQ_INT(m.len, 0);
}

TEST(hashmap_binary_and_empty_keys)
{
    hmap_t m;
    hmap_init(&m);
    const char k1[] = {'a', 0, 'b'};
    const char k2[] = {'a', 0, 'c'};
    int created;
    *hmap_put(&m, k1, 3, hash_bytes(k1, 3), &created) = (void *)11;
    *hmap_put(&m, k2, 3, hash_bytes(k2, 3), &created) = (void *)12;
    *hmap_put(&m, "", 0, hash_bytes("", 0), &created) = (void *)13;
    CHECK_EQ_INT(created, 1);
    CHECK(*hmap_get(&m, k1, 3, hash_bytes(k1, 3)) == (void *)11);
    CHECK(*hmap_get(&m, k2, 3, hash_bytes(k2, 3)) == (void *)12);
    CHECK(*hmap_get(&m, "", 0, hash_bytes("", 0)) == (void *)13);
    CHECK(hmap_get(&m, k1, 2, hash_bytes(k1, 2)) == NULL);          /* "a\0" is another key */
    CHECK(hash_bytes("", 0) != 0);
    hmap_free(&m);
}

TEST(hashmap_colliding_hashes)
{
    /* Every key under the same hash: lookups must compare the bytes and probe past
     * tombstones. */
    hmap_t m;
    hmap_init(&m);
    const uint64_t h = 0x1234;
    char key[16];
    for (int i = 0; i < 40; i++) {
        snprintf(key, sizeof key, "k%d", i);
        int created;
        *hmap_put(&m, key, (uint32_t)strlen(key), h, &created) = (void *)(intptr_t)(i + 1);
        CHECK_EQ_INT(created, 1);
    }
    for (int i = 0; i < 40; i += 2) {
        snprintf(key, sizeof key, "k%d", i);
        CHECK(hmap_del(&m, key, (uint32_t)strlen(key), h) == (void *)(intptr_t)(i + 1));
    }
    CHECK_EQ_INT(m.len, 20);
    for (int i = 0; i < 40; i++) {
        snprintf(key, sizeof key, "k%d", i);
        void **v = hmap_get(&m, key, (uint32_t)strlen(key), h);
        if (i % 2) CHECK(v && *v == (void *)(intptr_t)(i + 1));
        else CHECK(v == NULL);
    }
    hmap_free(&m);
}

TEST(hashmap_growth_iteration_and_churn)
{
    hmap_t m;
    hmap_init(&m);
    char key[16];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "key%d", i);
        *put_str(&m, key, NULL) = (void *)(intptr_t)(i + 1);
    }
    CHECK_EQ_INT(m.len, 5000);
    CHECK(m.cap >= 5000 * 4 / 3);
    CHECK_EQ_INT(m.cap & (m.cap - 1), 0);
    int ok = 1;
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "key%d", i);
        if (get_str(&m, key) != (void *)(intptr_t)(i + 1)) ok = 0;
    }
    CHECK(ok);
    /* Iteration visits every live entry once. */
    long long sum = 0;
    size_t n = 0;
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&m, &pos, &e);) { sum += (intptr_t)e->val; n++; }
    CHECK_EQ_INT(n, 5000);
    CHECK_EQ_INT(sum, 5000LL * 5001 / 2);
    hmap_free(&m);

    /* Insert/delete churn with a small live set: tombstones are reclaimed, the table does
     * not grow without bound and probing always terminates. */
    hmap_init(&m);
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "c%d", i);
        *put_str(&m, key, NULL) = (void *)1;
        if (i >= 8) {
            snprintf(key, sizeof key, "c%d", i - 8);
            CHECK(hmap_del(&m, key, (uint32_t)strlen(key), hash_bytes(key, strlen(key))) == (void *)1);
        }
    }
    CHECK_EQ_INT(m.len, 8);
    CHECK(m.cap <= 64);
    n = 0;
    for (size_t pos = 0; hmap_next(&m, &pos, &e);) n++;
    CHECK_EQ_INT(n, 8);
    CHECK(get_str(&m, "c19999") == (void *)1);
    CHECK(get_str(&m, "c19991") == NULL);
    hmap_free(&m);
}

/* ---- util ---- */

TEST(util_str_ieq)
{
    CHECK(str_ieq("abc", "ABC"));
    CHECK(str_ieq("", ""));
    CHECK(!str_ieq("abc", "abcd"));
    CHECK(!str_ieq("abcd", "abc"));
    CHECK(!str_ieq("abc", "abd"));
    CHECK(!str_ieq("", "a"));
    CHECK(str_ieq("Tumble_Start", "TUMBLE_start"));
    CHECK(str_ieqn("abcX", "ABCy", 3));
    CHECK(!str_ieqn("abcX", "ABCy", 4));
    CHECK(str_ieqn("ab", "AB", 10));             /* both end before n */
    CHECK(!str_ieqn("ab", "ABC", 10));
    CHECK(str_ieqn("x", "y", 0));
}

TEST(util_edit_distance)
{
    CHECK_EQ_INT(edit_distance("kitten", "sitting"), 3);
    CHECK_EQ_INT(edit_distance("", ""), 0);
    CHECK_EQ_INT(edit_distance("", "abc"), 3);
    CHECK_EQ_INT(edit_distance("abc", ""), 3);
    CHECK_EQ_INT(edit_distance("shop_code", "SHOP_CODE"), 0);  /* case-insensitive */
    CHECK_EQ_INT(edit_distance("shop_code", "shop_cod"), 1);
    CHECK_EQ_INT(edit_distance("ab", "ba"), 2);                /* no transposition */
    CHECK_EQ_INT(edit_distance("flaw", "lawn"), 2);
    char a64[65], a65[66];
    memset(a64, 'a', 64); a64[64] = 0;
    memset(a65, 'a', 65); a65[65] = 0;
    CHECK_EQ_INT(edit_distance(a64, a64), 0);                  /* longest compared */
    CHECK_EQ_INT(edit_distance(a64, ""), 64);
    CHECK_EQ_INT(edit_distance(a65, a65), 99);                 /* too long: "far" */
}

TEST(util_vec)
{
    VEC(int) v = {0};
    for (int i = 0; i < 100; i++) VEC_PUSH(v, i * 2);
    CHECK_EQ_INT(v.len, 100);
    CHECK(v.cap >= 100);
    CHECK_EQ_INT(v.items[99], 198);
    VEC_FREE(v);
    CHECK(v.items == NULL);
    CHECK_EQ_INT(v.len, 0);
    char *d = xstrndup("hello", 4);
    CHECK_EQ_STR(d, "hell");
    free(d);
}

/* ---- civil ---- */

TEST(civil_days_known_dates)
{
    CHECK_EQ_INT(days_from_civil(1970, 1, 1), 0);
    CHECK_EQ_INT(days_from_civil(1969, 12, 31), -1);
    CHECK_EQ_INT(days_from_civil(2000, 3, 1), 11017);
    CHECK_EQ_INT(days_from_civil(2000, 2, 29), 11016);
    CHECK_EQ_INT(days_from_civil(2017, 11, 26), 17496);
    CHECK_EQ_INT(days_from_civil(2024, 2, 29), 19782);
    CHECK_EQ_INT(days_from_civil(1900, 3, 1), -25508);
    CHECK_EQ_INT(days_from_civil(1, 1, 1), -719162);
    CHECK_EQ_INT(days_from_civil(0, 3, 1), -719468);
    int64_t y; int m, d;
    civil_from_days(-1, &y, &m, &d);
    CHECK(y == 1969 && m == 12 && d == 31);
    civil_from_days(11016, &y, &m, &d);
    CHECK(y == 2000 && m == 2 && d == 29);
    civil_from_days(-719162, &y, &m, &d);
    CHECK(y == 1 && m == 1 && d == 1);
}

TEST(civil_days_round_trip)
{
    int ok = 1;
    int64_t prev_y = 0; int prev_m = 0, prev_d = 0;
    /* Every day from late 1599 to about 2298, crossing 1600, 1700, 1900, 2000 and 2100. */
    for (int64_t z = -135200; z <= 120000; z++) {
        int64_t y; int m, d;
        civil_from_days(z, &y, &m, &d);
        if (days_from_civil(y, m, d) != z) ok = 0;
        if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) ok = 0;
        if (z > -135200) {
            /* Consecutive days: next day in the month, or the 1st of the next month. */
            int next_ok = (y == prev_y && m == prev_m && d == prev_d + 1) ||
                          (d == 1 && prev_d == days_in_month(prev_y, prev_m) &&
                           ((y == prev_y && m == prev_m + 1) || (y == prev_y + 1 && m == 1 && prev_m == 12)));
            if (!next_ok) ok = 0;
        }
        prev_y = y; prev_m = m; prev_d = d;
    }
    CHECK(ok);
}

TEST(civil_days_in_month)
{
    CHECK_EQ_INT(days_in_month(2023, 2), 28);
    CHECK_EQ_INT(days_in_month(2024, 2), 29);
    CHECK_EQ_INT(days_in_month(1900, 2), 28);
    CHECK_EQ_INT(days_in_month(2000, 2), 29);
    CHECK_EQ_INT(days_in_month(2100, 2), 28);
    CHECK_EQ_INT(days_in_month(-4, 2), 29);
    CHECK_EQ_INT(days_in_month(2023, 1), 31);
    CHECK_EQ_INT(days_in_month(2023, 4), 30);
    CHECK_EQ_INT(days_in_month(2023, 12), 31);
}

TEST(civil_micros)
{
    civil_t c;
    civil_from_us(-1, &c);
    CHECK(c.year == 1969 && c.month == 12 && c.day == 31);
    CHECK(c.hour == 23 && c.minute == 59 && c.second == 59 && c.micros == 999999);
    CHECK_EQ_INT(civil_to_us(&c), -1);
    civil_from_us(0, &c);
    CHECK(c.year == 1970 && c.month == 1 && c.day == 1 && c.hour == 0 && c.micros == 0);
    civil_t t = {2017, 11, 26, 9, 0, 1, 500000};
    int64_t us = civil_to_us(&t);
    CHECK_EQ_INT(us, 1511686801500000LL);
    civil_from_us(us, &c);
    CHECK(c.year == 2017 && c.month == 11 && c.day == 26);
    CHECK(c.hour == 9 && c.minute == 0 && c.second == 1 && c.micros == 500000);
    /* A negative instant with a time of day: 1969-07-20 20:17:40. */
    civil_t moon = {1969, 7, 20, 20, 17, 40, 0};
    us = civil_to_us(&moon);
    CHECK_EQ_INT(us, -14182940LL * 1000000);
    civil_from_us(us, &c);
    CHECK(c.year == 1969 && c.month == 7 && c.day == 20 && c.hour == 20 && c.minute == 17 && c.second == 40);
}

TEST(civil_floor_div_mod)
{
    CHECK_EQ_INT(floor_div(7, 2), 3);
    CHECK_EQ_INT(floor_div(-7, 2), -4);
    CHECK_EQ_INT(floor_div(-8, 2), -4);
    CHECK_EQ_INT(floor_div(7, -2), -4);
    CHECK_EQ_INT(floor_div(-7, -2), 3);
    CHECK_EQ_INT(floor_div(0, 5), 0);
    CHECK_EQ_INT(floor_mod(-7, 2), 1);
    CHECK_EQ_INT(floor_mod(7, 2), 1);
    CHECK_EQ_INT(floor_mod(-8, 2), 0);
    CHECK_EQ_INT(floor_mod(-1, 86400000000LL), 86399999999LL);
    CHECK_EQ_INT(floor_mod(7, -2), -1);
}

/* ---- err ---- */

static const char *job_sql = "SELECT a,\n  bad_col FROM t\n\tWHERE x > 1;";

static span_t sp(uint32_t off, uint32_t len, uint32_t line, uint32_t col)
{
    span_t s = {off, len, line, col};
    return s;
}

TEST(err_render_caret_and_tildes)
{
    err_clear();
    err_set_source("job.sql", job_sql);
    CHECK_EQ_STR(err_source_name(), "job.sql");
    CHECK(err_source_text() == job_sql);
    CHECK(!err_pending());
    /* "bad_col" starts at byte 12, line 2, column 3. */
    CHECK_EQ_INT(err_at(sp(12, 7, 2, 3), "unknown column '%s'", "bad_col"), -1);
    CHECK(err_pending());
    CHECK_EQ_STR(err_message(), "unknown column 'bad_col'");
    CHECK_EQ_STR(err_text(),
                 "job.sql:2:3: error: unknown column 'bad_col'\n"
                 "    bad_col FROM t\n"
                 "    ^~~~~~~\n");
    err_clear();
    /* A point span: a caret alone. Length 1 too. */
    err_at(sp(0, 0, 1, 1), "here");
    CHECK_EQ_STR(err_text(), "job.sql:1:1: error: here\n  SELECT a,\n  ^\n");
    err_clear();
    err_at(sp(8, 1, 1, 9), "comma");
    CHECK_EQ_STR(err_text(), "job.sql:1:9: error: comma\n  SELECT a,\n          ^\n");
    err_clear();
}

TEST(err_render_tabs_and_line_end)
{
    err_clear();
    err_set_source("job.sql", job_sql);
    /* Line 3 starts with a tab; the caret line keeps it so the caret lines up. "x" is at
     * byte 34. */
    err_at(sp(34, 1, 3, 8), "unknown column 'x'");
    CHECK_EQ_STR(err_text(), "job.sql:3:8: error: unknown column 'x'\n  \tWHERE x > 1;\n  \t      ^\n");
    err_clear();
    /* A span running past the end of its line is underlined to the line end only. */
    err_at(sp(20, 30, 2, 11), "multi-line");
    CHECK_EQ_STR(err_text(), "job.sql:2:11: error: multi-line\n    bad_col FROM t\n            ^~~~~~\n");
    err_clear();
    /* A span at the very end of the text (no newline after it). */
    err_at(sp(40, 0, 3, 14), "expected end of statement");
    CHECK_EQ_STR(err_text(), "job.sql:3:14: error: expected end of statement\n  \tWHERE x > 1;\n  \t            ^\n");
    err_clear();
}

TEST(err_without_position_or_source)
{
    err_clear();
    err_set_source("job.sql", job_sql);
    CHECK_EQ_INT(err_msg("cannot open '%s'", "in.csv"), -1);
    CHECK_EQ_STR(err_text(), "error: cannot open 'in.csv'\n");
    CHECK_EQ_STR(err_message(), "cannot open 'in.csv'");
    err_clear();
    /* line 0 means "no position", even through err_at */
    err_at(sp(5, 3, 0, 0), "no place");
    CHECK_EQ_STR(err_text(), "error: no place\n");
    err_clear();
    /* No registered text: the position line only; NULL name becomes "<input>". */
    err_set_source(NULL, NULL);
    CHECK_EQ_STR(err_source_name(), "<input>");
    CHECK_EQ_STR(err_source_text(), "");
    err_at(sp(3, 2, 1, 4), "bad");
    CHECK_EQ_STR(err_text(), "<input>:1:4: error: bad\n");
    err_clear();
}

TEST(err_span_outside_text_is_not_read)
{
    /* A span whose offset lies past the registered text (e.g. into another file's text)
     * must not read out of bounds; the position line is still given. */
    static const char short_text[] = "SELECT 1";
    err_clear();
    err_set_source("a.sql", short_text);
    err_at(sp(500, 4, 7, 3), "elsewhere");
    CHECK_EQ_STR(err_text(), "a.sql:7:3: error: elsewhere\n");
    err_clear();
    /* Offset exactly at the end is still inside (a point after the last byte). */
    err_at(sp(8, 0, 1, 9), "end");
    CHECK_EQ_STR(err_text(), "a.sql:1:9: error: end\n  SELECT 1\n          ^\n");
    err_clear();
}

TEST(err_first_error_wins_and_notes)
{
    err_clear();
    err_set_source("job.sql", job_sql);
    err_at(sp(12, 7, 2, 3), "first");
    err_note("did you mean '%s'?", "bad_cols");
    CHECK_EQ_INT(err_at(sp(0, 6, 1, 1), "second"), -1);
    CHECK_EQ_INT(err_msg("third"), -1);
    CHECK_EQ_STR(err_message(), "first");
    err_note("tables in scope: %s", "t");
    CHECK_EQ_STR(err_text(),
                 "job.sql:2:3: error: first\n"
                 "    bad_col FROM t\n"
                 "    ^~~~~~~\n"
                 "  note: did you mean 'bad_cols'?\n"
                 "  note: tables in scope: t\n");
    /* err_text is stable when called twice. */
    CHECK_EQ_STR(err_text(), err_text());
    err_clear();
    CHECK(!err_pending());
    CHECK_EQ_STR(err_text(), "");
    CHECK_EQ_STR(err_message(), "");
    /* A note without an error is dropped. */
    err_note("orphan");
    CHECK(!err_pending());
    CHECK_EQ_STR(err_text(), "");
    /* After clear, a new error is recorded without the old notes. */
    err_msg("fresh");
    CHECK_EQ_STR(err_text(), "error: fresh\n");
    err_clear();
}

TEST(err_print_writes_text)
{
    err_clear();
    err_set_source("job.sql", job_sql);
    err_msg("printed");
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (!f) { err_clear(); return; }
    err_print(f);
    rewind(f);
    char buf[64] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    CHECK_EQ_INT(n, 15);
    CHECK_EQ_STR(buf, "error: printed\n");
    err_clear();
}

TEST(err_long_message)
{
    err_clear();
    char big[600];
    memset(big, 'm', sizeof big - 1);
    big[sizeof big - 1] = 0;
    err_msg("%s", big);
    CHECK_EQ_INT(strlen(err_message()), 599);
    CHECK_EQ_INT(strlen(err_text()), 599 + 8);
    err_clear();
}

TEST(span_join_cases)
{
    span_t a = sp(10, 3, 2, 1), b = sp(20, 5, 2, 11), none = sp(0, 0, 0, 0);
    span_t j = span_join(a, b);
    CHECK(j.off == 10 && j.len == 15 && j.line == 2 && j.col == 1);
    j = span_join(b, a);                               /* order does not matter */
    CHECK(j.off == 10 && j.len == 15 && j.line == 2 && j.col == 1);
    j = span_join(none, b);
    CHECK(j.off == 20 && j.len == 5 && j.line == 2);
    j = span_join(a, none);
    CHECK(j.off == 10 && j.len == 3);
    /* One span inside the other: the join is the outer span, not shortened. */
    span_t outer = sp(0, 30, 1, 1), inner = sp(5, 2, 1, 6);
    j = span_join(outer, inner);
    CHECK_EQ_INT(j.off, 0);
    CHECK_EQ_INT(j.len, 30);
    j = span_join(inner, outer);
    CHECK_EQ_INT(j.off, 0);
    CHECK_EQ_INT(j.len, 30);
    /* Same start, different lengths. */
    j = span_join(sp(4, 9, 1, 5), sp(4, 2, 1, 5));
    CHECK_EQ_INT(j.len, 9);
    /* Overlapping. */
    j = span_join(sp(4, 6, 1, 5), sp(8, 6, 1, 9));
    CHECK(j.off == 4 && j.len == 10);
    /* Two points. */
    j = span_join(sp(4, 0, 1, 5), sp(9, 0, 1, 10));
    CHECK(j.off == 4 && j.len == 5);
}

int main(void)
{
    RUN(arena_alignment_and_contents);
    RUN(arena_zero_size_and_zalloc);
    RUN(arena_strdup);
    RUN(arena_large_allocation_keeps_current_block);
    RUN(arena_reset_keeps_regular_blocks);
    RUN(strbuf_basics);
    RUN(strbuf_long_printf_and_growth);
    RUN(strbuf_take);
    RUN(hashmap_put_get_del);
    RUN(hashmap_binary_and_empty_keys);
    RUN(hashmap_colliding_hashes);
    RUN(hashmap_growth_iteration_and_churn);
    RUN(util_str_ieq);
    RUN(util_edit_distance);
    RUN(util_vec);
    RUN(civil_days_known_dates);
    RUN(civil_days_round_trip);
    RUN(civil_days_in_month);
    RUN(civil_micros);
    RUN(civil_floor_div_mod);
    RUN(err_render_caret_and_tildes);
    RUN(err_render_tabs_and_line_end);
    RUN(err_without_position_or_source);
    RUN(err_span_outside_text_is_not_read);
    RUN(err_first_error_wins_and_notes);
    RUN(err_print_writes_text);
    RUN(err_long_message);
    RUN(span_join_cases);
    return CHECK_DONE();
}
