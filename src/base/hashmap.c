/* hashmap.c - linear-probing hash map with tombstones (keys are copied, values are borrowed),
 * and the hidx index of caller-owned items (linear probing with backward-shift deletion). */
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

/* ---- hidx ---- */

void hidx_init(hidx_t *x) { memset(x, 0, sizeof *x); }

void hidx_free(hidx_t *x)
{
    free(x->slots);
    memset(x, 0, sizeof *x);
}

static void hidx_place(hidx_slot *slots, size_t cap, uint64_t hash, void *item)
{
    size_t j = hash & (cap - 1);
    while (slots[j].hash) j = (j + 1) & (cap - 1);
    slots[j].hash = hash;
    slots[j].item = item;
}

static void hidx_grow(hidx_t *x)
{
    size_t cap = x->cap ? x->cap * 2 : 16;
    hidx_slot *slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < x->cap; i++)
        if (x->slots[i].hash) hidx_place(slots, cap, x->slots[i].hash, x->slots[i].item);
    free(x->slots);
    x->slots = slots;
    x->cap = cap;
}

void hidx_add(hidx_t *x, uint64_t hash, void *item)
{
    if ((x->len + 1) * 4 > x->cap * 3) hidx_grow(x);
    hidx_place(x->slots, x->cap, hash, item);
    x->len++;
}

/* Backward-shift deletion: move later members of the probe run into the hole so that every
 * item stays reachable from its home slot without tombstones. */
int hidx_remove(hidx_t *x, uint64_t hash, const void *item)
{
    if (!x->cap) return 0;
    size_t mask = x->cap - 1, j = hash & mask;
    for (;; j = (j + 1) & mask) {
        if (!x->slots[j].hash) return 0;
        if (x->slots[j].hash == hash && x->slots[j].item == item) break;
    }
    size_t hole = j;
    for (size_t k = (j + 1) & mask; x->slots[k].hash; k = (k + 1) & mask) {
        size_t home = x->slots[k].hash & mask;
        /* k may move into the hole when its home is not in (hole, k] (cyclically) */
        if (((k - home) & mask) >= ((k - hole) & mask)) {
            x->slots[hole] = x->slots[k];
            hole = k;
        }
    }
    x->slots[hole].hash = 0;
    x->slots[hole].item = NULL;
    x->len--;
    return 1;
}

void *hidx_next(const hidx_t *x, size_t *pos)
{
    while (*pos < x->cap) {
        const hidx_slot *s = &x->slots[(*pos)++];
        if (s->hash) return s->item;
    }
    return NULL;
}
