/* vector.c - column storage: allocation and row access. */
#include "data/vector.h"
#include "base/util.h"
#include <stdlib.h>

void vector_init(vector_t *v, type_t t, uint32_t cap)
{
    v->type = t;
    v->cap = cap;
    v->nulls = xcalloc(cap, 1);
    size_t width = type_phys(t) == PHYS_STR ? sizeof(str_t) : 8;
    v->data = xcalloc(cap, width);
}

void vector_free(vector_t *v)
{
    free(v->nulls);
    free(v->data);
    v->nulls = NULL;
    v->data = NULL;
}

void vector_get(const vector_t *v, uint32_t row, value_t *out)
{
    memset(out, 0, sizeof *out);
    if (v->nulls[row]) { out->null = 1; return; }
    switch (type_phys(v->type)) {
    case PHYS_I64: out->i = v->i64[row]; break;
    case PHYS_F64: out->f = v->f64[row]; break;
    default: out->s = v->str[row]; break;
    }
}

void vector_set(vector_t *v, uint32_t row, const value_t *val, arena_t *a)
{
    if (val->null) {
        v->nulls[row] = 1;
        if (type_phys(v->type) == PHYS_STR) memset(&v->str[row], 0, sizeof(str_t));
        else v->i64[row] = 0;
        return;
    }
    v->nulls[row] = 0;
    switch (type_phys(v->type)) {
    case PHYS_I64: v->i64[row] = val->i; break;
    case PHYS_F64: v->f64[row] = val->f; break;
    default:
        if (a) v->str[row] = str_copy(a, str_ptr(&val->s), val->s.len);
        else v->str[row] = val->s;
        break;
    }
}

void vector_copy_row(vector_t *dst, uint32_t dst_row, const vector_t *src, uint32_t src_row, arena_t *a)
{
    dst->nulls[dst_row] = src->nulls[src_row];
    switch (type_phys(src->type)) {
    case PHYS_STR: {
        const str_t *s = &src->str[src_row];
        dst->str[dst_row] = a ? str_copy(a, str_ptr(s), s->len) : *s;
        break;
    }
    default: dst->i64[dst_row] = src->i64[src_row]; break;
    }
}
