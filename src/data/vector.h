/* vector.h - one column of a chunk: typed values plus a null byte per row. */
#ifndef EDDY_VECTOR_H
#define EDDY_VECTOR_H
#include "data/types.h"
#include "data/str.h"
#include "data/value.h"

typedef struct vector {
    type_t type;
    uint32_t cap;
    uint8_t *nulls;          /* nulls[i] != 0: row i is NULL */
    union {
        int64_t *i64;
        double *f64;
        str_t *str;
        void *data;
    };
} vector_t;

/* Storage is malloc'ed; vector_free releases it. */
void vector_init(vector_t *v, type_t t, uint32_t cap);
void vector_free(vector_t *v);
/* Read / write one row as a value. Strings written are copied into arena a (may be NULL
 * only when the caller guarantees the bytes outlive the vector). */
void vector_get(const vector_t *v, uint32_t row, value_t *out);
void vector_set(vector_t *v, uint32_t row, const value_t *val, arena_t *a);
/* Copy row src_row of src into row dst_row of dst (same physical kind). */
void vector_copy_row(vector_t *dst, uint32_t dst_row, const vector_t *src, uint32_t src_row, arena_t *a);

#endif
