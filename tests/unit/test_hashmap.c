/* test_hashmap.c - base/hashmap beyond test_base's basics: hmap entries that never move
 * (value slots and key copies stay valid across growth), short and long keys, deleting while
 * iterating; the hidx index of caller-owned items with colliding and wrapping probe runs. */
#include "check.h"
#include "base/hashmap.h"
#include "base/util.h"
#include <stdlib.h>

/* ---- hmap ---- */

TEST(hmap_value_slots_and_keys_stay_put_across_growth)
{
    hmap_t m;
    hmap_init(&m);
    int created;
    void **first = hmap_put(&m, "first", 5, hash_bytes("first", 5), &created);
    *first = (void *)7;
    hmap_entry *e;
    size_t pos = 0;
    CHECK(hmap_next(&m, &pos, &e));
    const char *key_copy = e->key;
    char key[64];
    for (int i = 0; i < 10000; i++) {            /* many rehashes */
        snprintf(key, sizeof key, "k%d", i);
        *hmap_put(&m, key, (uint32_t)strlen(key), hash_bytes(key, strlen(key)), NULL) = (void *)(intptr_t)i;
    }
    CHECK(*first == (void *)7);
    CHECK(memcmp(key_copy, "first", 5) == 0);
    CHECK(hmap_get(&m, "first", 5, hash_bytes("first", 5)) == first);
    CHECK_EQ_INT(m.len, 10001);
    hmap_free(&m);
}

TEST(hmap_short_and_long_keys)
{
    /* keys of 0..40 bytes: up to 16 inline in the entry, longer ones out of line; keys that
     * are prefixes of each other are distinct */
    hmap_t m;
    hmap_init(&m);
    char key[41];
    for (int len = 0; len <= 40; len++) {
        memset(key, 'a' + len % 3, (size_t)len);
        if (len) key[len - 1] = 'z';
        int created = 0;
        *hmap_put(&m, key, (uint32_t)len, hash_bytes(key, (size_t)len), &created) = (void *)(intptr_t)(len + 1);
        CHECK_EQ_INT(created, 1);
    }
    for (int len = 0; len <= 40; len++) {
        memset(key, 'a' + len % 3, (size_t)len);
        if (len) key[len - 1] = 'z';
        void **v = hmap_get(&m, key, (uint32_t)len, hash_bytes(key, (size_t)len));
        CHECK(v && *v == (void *)(intptr_t)(len + 1));
        hmap_entry *e = (hmap_entry *)((char *)v - offsetof(hmap_entry, val));
        CHECK_EQ_INT(e->klen, len);
        CHECK(memcmp(e->key, key, (size_t)len) == 0);
    }
    /* the same bytes one shorter is another key */
    memset(key, 'a' + 17 % 3, 17);
    key[16] = 'z';
    CHECK(hmap_get(&m, key, 16, hash_bytes(key, 16)) == NULL);
    /* deleting and re-adding reuses entries */
    for (int len = 0; len <= 40; len += 2) {
        memset(key, 'a' + len % 3, (size_t)len);
        if (len) key[len - 1] = 'z';
        CHECK(hmap_del(&m, key, (uint32_t)len, hash_bytes(key, (size_t)len)) == (void *)(intptr_t)(len + 1));
    }
    CHECK_EQ_INT(m.len, 20);
    for (int len = 0; len <= 40; len += 2) {
        memset(key, 'a' + len % 3, (size_t)len);
        if (len) key[len - 1] = 'z';
        int created = 0;
        void **v = hmap_put(&m, key, (uint32_t)len, hash_bytes(key, (size_t)len), &created);
        CHECK_EQ_INT(created, 1);
        CHECK(*v == NULL);
    }
    CHECK_EQ_INT(m.len, 41);
    hmap_free(&m);
}

TEST(hmap_delete_while_iterating)
{
    hmap_t m;
    hmap_init(&m);
    char key[16];
    for (int i = 0; i < 300; i++) {
        snprintf(key, sizeof key, "d%d", i);
        *hmap_put(&m, key, (uint32_t)strlen(key), hash_bytes(key, strlen(key)), NULL) = (void *)(intptr_t)(i + 1);
    }
    /* delete every visited entry with an odd value: each entry is visited once */
    int visited = 0;
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&m, &pos, &e);) {
        visited++;
        if ((intptr_t)e->val % 2) CHECK(hmap_del(&m, e->key, e->klen, e->hash) != NULL);
    }
    CHECK_EQ_INT(visited, 300);
    CHECK_EQ_INT(m.len, 150);
    for (int i = 0; i < 300; i++) {
        snprintf(key, sizeof key, "d%d", i);
        void **v = hmap_get(&m, key, (uint32_t)strlen(key), hash_bytes(key, strlen(key)));
        CHECK((v != NULL) == (i % 2 == 1));
    }
    hmap_free(&m);
}

/* ---- hidx ---- */

typedef struct item {
    uint64_t hash;
    int id;
} item;

static item *find_item(const hidx_t *x, uint64_t hash, int id)
{
    item *it;
    for (size_t p = hidx_first(x, hash); (it = hidx_match(x, hash, &p));)
        if (it->id == id) return it;
    return NULL;
}

TEST(hidx_add_match_remove)
{
    hidx_t x;
    hidx_init(&x);
    CHECK(find_item(&x, 5, 1) == NULL);         /* empty: no table */
    CHECK_EQ_INT(hidx_remove(&x, 5, NULL), 0);
    static item items[2000];
    for (int i = 0; i < 2000; i++) {
        items[i].hash = (uint64_t)(i % 50) * 0x9E3779B97F4A7C15ull | 1;   /* 40 items per hash */
        items[i].id = i;
        hidx_add(&x, items[i].hash, &items[i]);
    }
    CHECK_EQ_INT(x.len, 2000);
    CHECK(x.len * 4 <= x.cap * 3);
    for (int i = 0; i < 2000; i++) CHECK(find_item(&x, items[i].hash, i) == &items[i]);
    for (int i = 0; i < 2000; i += 3) CHECK_EQ_INT(hidx_remove(&x, items[i].hash, &items[i]), 1);
    CHECK_EQ_INT(hidx_remove(&x, items[0].hash, &items[0]), 0);          /* already gone */
    for (int i = 0; i < 2000; i++) CHECK((find_item(&x, items[i].hash, i) != NULL) == (i % 3 != 0));
    size_t n = 0;
    long long sum = 0;
    item *it;
    for (size_t pos = 0; (it = hidx_next(&x, &pos));) { n++; sum += it->id; }
    CHECK_EQ_INT(n, x.len);
    long long want = 0;
    for (int i = 0; i < 2000; i++) want += i % 3 ? i : 0;
    CHECK_EQ_INT(sum, want);
    hidx_free(&x);
    CHECK_EQ_INT(x.cap, 0);
}

TEST(hidx_remove_in_a_probe_run_that_wraps)
{
    /* a 16-slot table; homes 14, 15, 14, 15, 0, 13: the run 13..15 wraps to slots 0..2.
     * Removing from the middle must move later members back only when their home allows. */
    hidx_t x;
    hidx_init(&x);
    static item items[6];
    uint64_t homes[6] = {14, 15, 14, 15, 0, 13};
    for (int i = 0; i < 6; i++) {
        items[i].hash = homes[i] + 16 * (uint64_t)(i + 1);
        items[i].id = i;
        hidx_add(&x, items[i].hash, &items[i]);
    }
    CHECK_EQ_INT(x.cap, 16);
    for (int drop = 0; drop < 6; drop++) {
        CHECK_EQ_INT(hidx_remove(&x, items[drop].hash, &items[drop]), 1);
        for (int i = 0; i < 6; i++) CHECK((find_item(&x, items[i].hash, i) != NULL) == (i > drop));
    }
    CHECK_EQ_INT(x.len, 0);
    for (int i = 0; i < 16; i++) CHECK_EQ_INT(x.slots[i].hash, 0);
    /* and in the reverse order */
    for (int i = 0; i < 6; i++) hidx_add(&x, items[i].hash, &items[i]);
    for (int drop = 5; drop >= 0; drop--) {
        CHECK_EQ_INT(hidx_remove(&x, items[drop].hash, &items[drop]), 1);
        for (int i = 0; i < 6; i++) CHECK((find_item(&x, items[i].hash, i) != NULL) == (i < drop));
    }
    hidx_free(&x);
}

int main(void)
{
    RUN(hmap_value_slots_and_keys_stay_put_across_growth);
    RUN(hmap_short_and_long_keys);
    RUN(hmap_delete_while_iterating);
    RUN(hidx_add_match_remove);
    RUN(hidx_remove_in_a_probe_run_that_wraps);
    return CHECK_DONE();
}
