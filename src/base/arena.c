/* arena.c - bump allocator: blocks chained newest first, reset keeps one block. */
#include "base/arena.h"
#include "base/util.h"
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

struct arena_block {
    arena_block *next;
    size_t size;     /* usable bytes in data[] */
    size_t used;
    _Alignas(16) unsigned char data[];
};

void arena_init(arena_t *a, size_t block_size)
{
    a->head = NULL;
    a->spare = NULL;
    a->block_size = block_size ? block_size : 64 * 1024;
}

static arena_block *block_new(size_t size)
{
    arena_block *b = xmalloc(sizeof *b + size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

void *arena_alloc(arena_t *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0) n = 16;
    arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = a->block_size;
        if (n > size / 4 && !(a->spare && n <= size)) {
            /* Large allocation: its own block, placed behind the current head. */
            arena_block *big = block_new(n);
            big->used = n;
            if (b) { big->next = b->next; b->next = big; }
            else a->head = big;
            return big->data;
        }
        if (a->spare) {
            b = a->spare;
            a->spare = b->next;
        } else {
            b = block_new(size);
        }
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

void *arena_zalloc(arena_t *a, size_t n)
{
    void *p = arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *arena_strndup(arena_t *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *arena_strdup(arena_t *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

void arena_reset(arena_t *a)
{
    /* Regular blocks go to the spare list for reuse; large ones are freed. */
    arena_block *b = a->head;
    while (b) {
        arena_block *next = b->next;
        if (b->size == a->block_size) {
            b->used = 0;
            b->next = a->spare;
            a->spare = b;
        } else {
            free(b);
        }
        b = next;
    }
    a->head = NULL;
}

static void free_chain(arena_block *b)
{
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
}

void arena_free(arena_t *a)
{
    free_chain(a->head);
    free_chain(a->spare);
    a->head = NULL;
    a->spare = NULL;
}

size_t arena_bytes(const arena_t *a)
{
    size_t n = 0;
    for (arena_block *b = a->head; b; b = b->next) n += b->size;
    for (arena_block *b = a->spare; b; b = b->next) n += b->size;
    return n;
}
