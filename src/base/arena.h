/* arena.h - bump allocator with a stated lifetime (per chunk, per operator, per job). */
#ifndef EDDY_ARENA_H
#define EDDY_ARENA_H
#include <stddef.h>

typedef struct arena_block arena_block;

typedef struct arena {
    arena_block *head;      /* newest block; allocations come from here */
    arena_block *spare;     /* emptied blocks kept by arena_reset for reuse */
    size_t block_size;      /* default size of a new block */
} arena_t;

void arena_init(arena_t *a, size_t block_size);
/* 16-byte aligned, never NULL (aborts on out of memory); freed only by reset/free. */
void *arena_alloc(arena_t *a, size_t n);
void *arena_zalloc(arena_t *a, size_t n);
char *arena_strndup(arena_t *a, const char *s, size_t n);
char *arena_strdup(arena_t *a, const char *s);
/* Forget every allocation; regular blocks are kept for reuse, large ones freed. */
void arena_reset(arena_t *a);
void arena_free(arena_t *a);
/* Bytes held by the arena (for memory accounting). */
size_t arena_bytes(const arena_t *a);

#endif
