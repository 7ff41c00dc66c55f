/* hashmap.c - hmap: a linear-probing index with tombstones over entry nodes that never move
 * (keys are copied into the nodes, values are borrowed); hidx: an index of caller-owned
 * items (linear probing with backward-shift deletion). */
#include "base/hashmap.h"
#include "base/util.h"
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define TOMB ((hmap_entry *)1)
#define PAGE_NODES_MAX 1024

typedef struct small_node {   /* an entry with its short key inline */
    hmap_entry e;
    char bytes[HMAP_INLINE_KEY];
} small_node;

typedef struct node_page {
    struct node_page *next;
    uint32_t n;
    small_node nodes[];
} node_page;

uint64_t hash_bytes(const void *p, size_t n)
{
    uint64_t h = XXH3_64bits(p, n);
    return h ? h : 1;
}

void hmap_init(hmap_t *m) { memset(m, 0, sizeof *m); }

static int live(const hmap_slot *s) { return s->hash && s->e != TOMB; }

void hmap_free(hmap_t *m)
{
    for (size_t i = 0; i < m->cap; i++)
        if (live(&m->slots[i]) && m->slots[i].e->klen > HMAP_INLINE_KEY) free(m->slots[i].e);
    free(m->slots);
    for (node_page *p = m->pages, *next; p; p = next) {
        next = p->next;
        free(p);
    }
    memset(m, 0, sizeof *m);
}

/* A node for a key of klen bytes, its key pointer set. Short keys come from the map's pages
 * (4, 8, 16, ... nodes, so that small maps stay small). */
static hmap_entry *node_new(hmap_t *m, uint32_t klen)
{
    if (klen > HMAP_INLINE_KEY) {
        hmap_entry *e = xmalloc(sizeof *e + klen);
        e->key = (char *)(e + 1);
        return e;
    }
    if (!m->free_nodes) {
        uint32_t n = m->npages < 8 ? 4u << m->npages : PAGE_NODES_MAX;
        node_page *p = xmalloc(sizeof *p + n * sizeof(small_node));
        p->next = m->pages;
        p->n = n;
        m->pages = p;
        m->npages++;
        for (uint32_t i = n; i-- > 0;) {
            p->nodes[i].e.val = m->free_nodes;
            m->free_nodes = &p->nodes[i].e;
        }
    }
    hmap_entry *e = m->free_nodes;
    m->free_nodes = e->val;
    e->key = ((small_node *)e)->bytes;
    return e;
}

static void node_free(hmap_t *m, hmap_entry *e)
{
    if (e->klen > HMAP_INLINE_KEY) {
        free(e);
        return;
    }
    e->val = m->free_nodes;
    m->free_nodes = e;
}

static void rehash(hmap_t *m, size_t cap)
{
    hmap_slot *old = m->slots;
    size_t oldcap = m->cap;
    m->slots = xcalloc(cap, sizeof *m->slots);
    m->cap = cap;
    m->len = 0;
    m->tombs = 0;
    for (size_t i = 0; i < oldcap; i++) {
        if (!live(&old[i])) continue;
        size_t j = old[i].hash & (cap - 1);
        while (m->slots[j].hash) j = (j + 1) & (cap - 1);
        m->slots[j] = old[i];
        m->len++;
    }
    free(old);
}

/* Equal byte strings of length n, compared inline (keys are mostly short). */
static int bytes_equal(const char *a, const char *b, uint32_t n)
{
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y) return 0;
    }
    while (n--)
        if (*a++ != *b++) return 0;
    return 1;
}

static hmap_slot *find(const hmap_t *m, const void *key, uint32_t klen, uint64_t hash)
{
    if (!m->cap) return NULL;
    size_t j = hash & (m->cap - 1);
    for (;;) {
        hmap_slot *s = &m->slots[j];
        if (!s->hash) return NULL;
        if (s->hash == hash && s->e != TOMB && s->e->klen == klen && bytes_equal(s->e->key, key, klen)) return s;
        j = (j + 1) & (m->cap - 1);
    }
}

void **hmap_get(hmap_t *m, const void *key, uint32_t klen, uint64_t hash)
{
    hmap_slot *s = find(m, key, klen, hash);
    return s ? &s->e->val : NULL;
}

void **hmap_put(hmap_t *m, const void *key, uint32_t klen, uint64_t hash, int *created)
{
    hmap_slot *s = find(m, key, klen, hash);
    if (s) { if (created) *created = 0; return &s->e->val; }
    if ((m->len + m->tombs + 1) * 4 >= m->cap * 3) rehash(m, m->cap ? (m->len * 2 >= m->cap ? m->cap * 2 : m->cap) : 16);
    size_t j = hash & (m->cap - 1);
    while (live(&m->slots[j])) j = (j + 1) & (m->cap - 1);
    s = &m->slots[j];
    if (s->hash) m->tombs--;
    hmap_entry *e = node_new(m, klen);
    e->hash = hash;
    e->klen = klen;
    if (klen) memcpy(e->key, key, klen);
    e->val = NULL;
    s->hash = hash;
    s->e = e;
    m->len++;
    if (created) *created = 1;
    return &e->val;
}

void *hmap_del(hmap_t *m, const void *key, uint32_t klen, uint64_t hash)
{
    hmap_slot *s = find(m, key, klen, hash);
    if (!s) return NULL;
    void *v = s->e->val;
    node_free(m, s->e);
    s->e = TOMB;
    m->len--;
    m->tombs++;
    return v;
}

int hmap_next(const hmap_t *m, size_t *pos, hmap_entry **out)
{
    while (*pos < m->cap) {
        const hmap_slot *s = &m->slots[(*pos)++];
        if (live(s)) { *out = s->e; return 1; }
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
