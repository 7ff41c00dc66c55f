/* rowpool.c - pages of copied rows with live counts; emptied pages are reused (rowpool.h). */
#include "ops/rowpool.h"
#include <stdlib.h>

void rowpool_init(row_pool *p, uint32_t ncols, const type_t *types)
{
    memset(p, 0, sizeof *p);
    p->ncols = ncols;
    p->types = xcalloc(ncols ? ncols : 1, sizeof *p->types);
    memcpy(p->types, types, ncols * sizeof *types);
    p->cur = UINT32_MAX;
}

void rowpool_free(row_pool *p)
{
    for (size_t i = 0; i < p->pages.len; i++) chunk_free(p->pages.items[i]);
    VEC_FREE(p->pages);
    VEC_FREE(p->live);
    VEC_FREE(p->spare);
    free(p->types);
    p->types = NULL;
}

static uint32_t page_for_append(row_pool *p)
{
    if (p->cur != UINT32_MAX && !chunk_full(p->pages.items[p->cur])) return p->cur;
    if (p->cur != UINT32_MAX && p->live.items[p->cur] == 0) {
        chunk_reset(p->pages.items[p->cur]);   /* full, but all its rows were released */
        return p->cur;
    }
    if (p->spare.len) {
        p->cur = p->spare.items[--p->spare.len];
    } else {
        VEC_PUSH(p->pages, chunk_new_types(p->ncols, p->types, ROWPOOL_PAGE_ROWS));
        VEC_PUSH(p->live, 0);
        p->cur = (uint32_t)p->pages.len - 1;
    }
    return p->cur;
}

uint32_t rowpool_add(row_pool *p, const chunk_t *src, uint32_t row, const int *cols, uint8_t op)
{
    uint32_t pg = page_for_append(p);
    chunk_t *c = p->pages.items[pg];
    uint32_t r = c->nrows++;
    c->ops[r] = op;
    for (uint32_t j = 0; j < p->ncols; j++)
        vector_copy_row(&c->cols[j], r, &src->cols[cols ? cols[j] : (int)j], row, &c->arena);
    p->live.items[pg]++;
    return pg * ROWPOOL_PAGE_ROWS + r;
}

void rowpool_release(row_pool *p, uint32_t ref)
{
    uint32_t pg = ref / ROWPOOL_PAGE_ROWS;
    if (--p->live.items[pg] == 0 && pg != p->cur) {
        chunk_reset(p->pages.items[pg]);
        VEC_PUSH(p->spare, pg);
    }
}
