/* hashmap.h - open-addressing hash map from byte-string keys to pointers (keyed state, catalogs). */
#ifndef EDDY_HASHMAP_H
#define EDDY_HASHMAP_H
#include <stdint.h>
#include <stddef.h>

typedef struct hmap_entry {
    uint64_t hash;     /* 0 marks an empty slot (real hashes are forced non-zero) */
    uint32_t klen;
    char *key;         /* owned copy of the key bytes */
    void *val;
} hmap_entry;

typedef struct hmap {
    hmap_entry *slots;
    size_t cap;        /* power of two */
    size_t len;
    size_t tombs;
} hmap_t;

uint64_t hash_bytes(const void *p, size_t n);

void hmap_init(hmap_t *m);
void hmap_free(hmap_t *m);              /* frees keys, not values */
/* Pointer to the value slot or NULL. */
void **hmap_get(hmap_t *m, const void *key, uint32_t klen, uint64_t hash);
/* Find or insert; *created tells which. The returned slot stays valid until the next put. */
void **hmap_put(hmap_t *m, const void *key, uint32_t klen, uint64_t hash, int *created);
/* Remove; returns the old value or NULL. */
void *hmap_del(hmap_t *m, const void *key, uint32_t klen, uint64_t hash);

/* Iterate: for (size_t i = 0; hmap_next(m, &i, &e);) ... */
int hmap_next(const hmap_t *m, size_t *pos, hmap_entry **out);

#endif
