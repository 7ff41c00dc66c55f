/* rowpool.h - rows copied out of chunks into chunk-sized pages, for operators that hold rows
 * until an event (a window firing, a session closing).
 *
 * A row is named by a reference: page * ROWPOOL_PAGE_ROWS + row. Each page counts its live
 * rows; when the last one is released the page is cleared and reused, so memory follows the
 * rows held, not the rows seen. String bytes are copied into the page's arena.
 * Ownership: the pool owns its pages; references stay valid until released. */
#ifndef EDDY_ROWPOOL_H
#define EDDY_ROWPOOL_H
#include "data/chunk.h"
#include "base/util.h"

#define ROWPOOL_PAGE_ROWS CHUNK_CAP

typedef struct row_pool {
    uint32_t ncols;
    type_t *types;            /* owned copy */
    VEC(chunk_t *) pages;
    VEC(uint32_t) live;       /* live rows per page */
    VEC(uint32_t) spare;      /* emptied pages ready for reuse */
    uint32_t cur;             /* page being filled, UINT32_MAX before the first */
} row_pool;

void rowpool_init(row_pool *p, uint32_t ncols, const type_t *types);
void rowpool_free(row_pool *p);
/* Copy columns cols[0..ncols-1] of src's row (cols NULL: columns 0..ncols-1) with op;
 * returns the row's reference. */
uint32_t rowpool_add(row_pool *p, const chunk_t *src, uint32_t row, const int *cols, uint8_t op);
void rowpool_release(row_pool *p, uint32_t ref);

static inline const chunk_t *rowpool_chunk(const row_pool *p, uint32_t ref)
{
    return p->pages.items[ref / ROWPOOL_PAGE_ROWS];
}

static inline uint32_t rowpool_row(uint32_t ref) { return ref % ROWPOOL_PAGE_ROWS; }

#endif
