/* hashmap.c - linear-probing hash map with tombstones; keys are copied, values are borrowed. */
#include "base/hashmap.h"
#include "base/util.h"
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define TOMB ((char *)1)

uint64_t hash_bytes(const void *p, size_t n)
{
    uint64_t h = XXH3_64bits(p, n);
    return h ? h : 1;
}

void hmap_init(hmap_t *m) { memset(m, 0, sizeof *m); }

void hmap_free(hmap_t *m)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].hash && m->slots[i].key != TOMB) free(m->slots[i].key);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static void rehash(hmap_t *m, size_t cap)
{
    hmap_entry *old = m->slots;
    size_t oldcap = m->cap;
    m->slots = xcalloc(cap, sizeof *m->slots);
    m->cap = cap;
    m->len = 0;
    m->tombs = 0;
    for (size_t i = 0; i < oldcap; i++) {
        hmap_entry *e = &old[i];
        if (!e->hash || e->key == TOMB) continue;
        size_t j = e->hash & (cap - 1);
        while (m->slots[j].hash) j = (j + 1) & (cap - 1);
        m->slots[j] = *e;
        m->len++;
    }
    free(old);
}

static hmap_entry *find(const hmap_t *m, const void *key, uint32_t klen, uint64_t hash)
{
    if (!m->cap) return NULL;
    size_t j = hash & (m->cap - 1);
    for (;;) {
        hmap_entry *e = &m->slots[j];
        if (!e->hash) return NULL;
        if (e->hash == hash && e->key != TOMB && e->klen == klen && memcmp(e->key, key, klen) == 0)
            return e;
        j = (j + 1) & (m->cap - 1);
    }
}

void **hmap_get(hmap_t *m, const void *key, uint32_t klen, uint64_t hash)
{
    hmap_entry *e = find(m, key, klen, hash);
    return e ? &e->val : NULL;
}

void **hmap_put(hmap_t *m, const void *key, uint32_t klen, uint64_t hash, int *created)
{
    hmap_entry *e = find(m, key, klen, hash);
    if (e) { if (created) *created = 0; return &e->val; }
    if ((m->len + m->tombs + 1) * 4 >= m->cap * 3) rehash(m, m->cap ? (m->len * 2 >= m->cap ? m->cap * 2 : m->cap) : 16);
    size_t j = hash & (m->cap - 1);
    while (m->slots[j].hash && m->slots[j].key != TOMB) j = (j + 1) & (m->cap - 1);
    e = &m->slots[j];
    if (e->hash) m->tombs--;
    e->hash = hash;
    e->klen = klen;
    e->key = xmalloc(klen ? klen : 1);
    if (klen) memcpy(e->key, key, klen);
    e->val = NULL;
    m->len++;
    if (created) *created = 1;
    return &e->val;
}

void *hmap_del(hmap_t *m, const void *key, uint32_t klen, uint64_t hash)
{
    hmap_entry *e = find(m, key, klen, hash);
    if (!e) return NULL;
    void *v = e->val;
    free(e->key);
    e->key = TOMB;
    e->val = NULL;
    m->len--;
    m->tombs++;
    return v;
}

int hmap_next(const hmap_t *m, size_t *pos, hmap_entry **out)
{
    while (*pos < m->cap) {
        hmap_entry *e = &m->slots[(*pos)++];
        if (e->hash && e->key != TOMB) { *out = e; return 1; }
    }
    return 0;
}
