/* hashmap.h - open-addressing hash map from byte-string keys to pointers (keyed state, catalogs),
 * and a hash index of caller-owned items (hidx) for state whose entries carry their own key. */
#ifndef EDDY_HASHMAP_H
#define EDDY_HASHMAP_H
#include <stdint.h>
#include <stddef.h>

typedef struct hmap_entry {
    uint64_t hash;     /* the key's hash (hash_bytes forces real hashes non-zero) */
    uint32_t klen;
    char *key;         /* the map's copy of the key bytes; it does not move while the key is
                          in the map */
    void *val;
} hmap_entry;

typedef struct hmap_slot {
    uint64_t hash;     /* 0: empty */
    hmap_entry *e;     /* the entry, or a tombstone marker */
} hmap_slot;

/* The index (slots) is an open-addressing table with linear probing and tombstones; each
 * entry lives in its own node that never moves, with the key bytes inline for keys of up
 * to HMAP_INLINE_KEY bytes (nodes carved from per-map pages that grow geometrically) or in
 * a malloc'ed node for longer keys. So a lookup touches one slot and one node. */
#define HMAP_INLINE_KEY 16

typedef struct hmap {
    hmap_slot *slots;
    size_t cap;        /* slots: a power of two, or 0 */
    size_t len;        /* live entries */
    size_t tombs;
    void *pages;       /* node pages, chained */
    uint32_t npages;
    hmap_entry *free_nodes;   /* unused short-key nodes, chained through val */
} hmap_t;

uint64_t hash_bytes(const void *p, size_t n);

void hmap_init(hmap_t *m);
void hmap_free(hmap_t *m);              /* frees keys, not values */
/* Pointer to the value slot or NULL. */
void **hmap_get(hmap_t *m, const void *key, uint32_t klen, uint64_t hash);
/* Find or insert; *created tells which. The returned value slot (inside the key's
 * hmap_entry) stays valid until the key is deleted. */
void **hmap_put(hmap_t *m, const void *key, uint32_t klen, uint64_t hash, int *created);
/* Remove; returns the old value or NULL. */
void *hmap_del(hmap_t *m, const void *key, uint32_t klen, uint64_t hash);

/* Iterate: for (size_t i = 0; hmap_next(m, &i, &e);) ... (deleting the visited key is allowed;
 * puts are not). */
int hmap_next(const hmap_t *m, size_t *pos, hmap_entry **out);

/* ---- hidx: an index from hash to caller-owned items ----
 * The caller owns the items (non-NULL pointers) and their keys; the index stores (hash, item)
 * pairs in one open-addressing table (linear probing, backward-shift deletion: no tombstones)
 * and returns the items whose hash matches, leaving the key comparison to the caller.
 * Hashes must be non-zero (hash_bytes never returns 0). Items never move, so a caller can
 * keep a pointer to its entry across later additions, unlike hmap's value slots.
 *
 *   for (size_t p = hidx_first(x, h); (it = hidx_match(x, h, &p));) if (same_key(it)) break;
 */
typedef struct hidx_slot {
    uint64_t hash;     /* 0 marks an empty slot */
    void *item;
} hidx_slot;

typedef struct hidx {
    hidx_slot *slots;
    size_t cap;        /* power of two, or 0 before the first add */
    size_t len;
} hidx_t;

void hidx_init(hidx_t *x);
void hidx_free(hidx_t *x);              /* frees the table, not the items */
/* Add an item; the caller guarantees it is not in the index yet. */
void hidx_add(hidx_t *x, uint64_t hash, void *item);
/* Remove this item (compared by pointer); 1 if it was there. */
int hidx_remove(hidx_t *x, uint64_t hash, const void *item);
/* Iterate: for (size_t pos = 0; (it = hidx_next(x, &pos));) ... (no adds or removes meanwhile). */
void *hidx_next(const hidx_t *x, size_t *pos);

static inline size_t hidx_first(const hidx_t *x, uint64_t hash) { return x->cap ? hash & (x->cap - 1) : 0; }

/* The next item from *pos on whose hash equals `hash`, or NULL when there is none. */
static inline void *hidx_match(const hidx_t *x, uint64_t hash, size_t *pos)
{
    if (!x->cap) return NULL;
    for (;;) {
        const hidx_slot *s = &x->slots[*pos];
        if (!s->hash) return NULL;
        *pos = (*pos + 1) & (x->cap - 1);
        if (s->hash == hash) return s->item;
    }
}

#endif
