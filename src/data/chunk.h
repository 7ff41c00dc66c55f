/* chunk.h - the unit of data flow: up to CHUNK_CAP rows in columns, one changelog op per row.
 *
 * Ops: +I insert, -U update-before, +U update-after, -D delete; a -U is directly followed
 * by its +U. A filter may set a selection vector (sel, nsel) instead of copying; consumers
 * that need dense rows call chunk_compact. Variable-length bytes live in the chunk's arena,
 * which chunk_reset clears. */
#ifndef EDDY_CHUNK_H
#define EDDY_CHUNK_H
#include "data/vector.h"
#include "base/arena.h"

#define CHUNK_CAP 1024

enum row_op { OP_INSERT = 0, OP_UPDATE_BEFORE = 1, OP_UPDATE_AFTER = 2, OP_DELETE = 3 };

/* +I and +U add a row, -U and -D take one away. */
static inline int op_is_add(uint8_t op) { return op == OP_INSERT || op == OP_UPDATE_AFTER; }
extern const char *const row_op_names[4];      /* "+I", "-U", "+U", "-D" */

typedef struct schema {
    uint32_t ncols;
    type_t *types;
    char **names;
} schema_t;

void schema_init(schema_t *s, uint32_t ncols);            /* zeroed arrays, malloc'ed */
void schema_copy(schema_t *dst, const schema_t *src);
void schema_free(schema_t *s);
int schema_find(const schema_t *s, const char *name);      /* case-insensitive, -1 if absent */

typedef struct chunk {
    uint32_t ncols;
    uint32_t nrows;
    uint32_t cap;
    uint8_t *ops;           /* row_op per row */
    vector_t *cols;
    uint16_t *sel;          /* NULL: all rows 0..nrows-1 are live */
    uint32_t nsel;
    arena_t arena;          /* string bytes of this chunk, cleared by chunk_reset */
} chunk_t;

chunk_t *chunk_new(const schema_t *s, uint32_t cap);
chunk_t *chunk_new_types(uint32_t ncols, const type_t *types, uint32_t cap);
void chunk_free(chunk_t *c);
void chunk_reset(chunk_t *c);

static inline uint32_t chunk_live(const chunk_t *c) { return c->sel ? c->nsel : c->nrows; }
static inline uint32_t chunk_row(const chunk_t *c, uint32_t i) { return c->sel ? c->sel[i] : i; }
static inline int chunk_full(const chunk_t *c) { return c->nrows >= c->cap; }

/* Apply the selection vector: move live rows to the front, clear sel. */
void chunk_compact(chunk_t *c);
/* Append row src_row of src (all columns, same layout) with the given op. */
void chunk_append_row(chunk_t *dst, const chunk_t *src, uint32_t src_row, uint8_t op);
/* Append a row from values (ncols of them). */
void chunk_append_values(chunk_t *dst, const value_t *vals, uint8_t op);

#endif
