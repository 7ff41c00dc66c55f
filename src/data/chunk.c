/* chunk.c - chunk allocation, compaction and row appends. */
#include "data/chunk.h"
#include "base/util.h"
#include <stdlib.h>

const char *const row_op_names[4] = {"+I", "-U", "+U", "-D"};

void schema_init(schema_t *s, uint32_t ncols)
{
    s->ncols = ncols;
    s->types = xcalloc(ncols ? ncols : 1, sizeof *s->types);
    s->names = xcalloc(ncols ? ncols : 1, sizeof *s->names);
}

void schema_copy(schema_t *dst, const schema_t *src)
{
    schema_init(dst, src->ncols);
    for (uint32_t i = 0; i < src->ncols; i++) {
        dst->types[i] = src->types[i];
        dst->names[i] = xstrdup(src->names[i] ? src->names[i] : "");
    }
}

void schema_free(schema_t *s)
{
    if (s->names)
        for (uint32_t i = 0; i < s->ncols; i++) free(s->names[i]);
    free(s->names);
    free(s->types);
    s->names = NULL;
    s->types = NULL;
    s->ncols = 0;
}

int schema_find(const schema_t *s, const char *name)
{
    for (uint32_t i = 0; i < s->ncols; i++)
        if (s->names[i] && str_ieq(s->names[i], name)) return (int)i;
    return -1;
}

chunk_t *chunk_new_types(uint32_t ncols, const type_t *types, uint32_t cap)
{
    chunk_t *c = xcalloc(1, sizeof *c);
    c->ncols = ncols;
    c->cap = cap;
    c->ops = xcalloc(cap, 1);
    c->cols = xcalloc(ncols ? ncols : 1, sizeof *c->cols);
    for (uint32_t i = 0; i < ncols; i++) vector_init(&c->cols[i], types[i], cap);
    c->sel = NULL;
    arena_init(&c->arena, 16 * 1024);
    return c;
}

chunk_t *chunk_new(const schema_t *s, uint32_t cap)
{
    return chunk_new_types(s->ncols, s->types, cap);
}

void chunk_free(chunk_t *c)
{
    if (!c) return;
    for (uint32_t i = 0; i < c->ncols; i++) vector_free(&c->cols[i]);
    free(c->cols);
    free(c->ops);
    free(c->sel);
    arena_free(&c->arena);
    free(c);
}

void chunk_reset(chunk_t *c)
{
    c->nrows = 0;
    if (c->sel) { free(c->sel); c->sel = NULL; }
    c->nsel = 0;
    arena_reset(&c->arena);
}

void chunk_compact(chunk_t *c)
{
    if (!c->sel) return;
    uint32_t n = c->nsel;
    for (uint32_t col = 0; col < c->ncols; col++) {
        vector_t *v = &c->cols[col];
        for (uint32_t i = 0; i < n; i++) {
            uint32_t r = c->sel[i];
            v->nulls[i] = v->nulls[r];
            if (type_phys(v->type) == PHYS_STR) v->str[i] = v->str[r];
            else v->i64[i] = v->i64[r];
        }
    }
    for (uint32_t i = 0; i < n; i++) c->ops[i] = c->ops[c->sel[i]];
    free(c->sel);
    c->sel = NULL;
    c->nsel = 0;
    c->nrows = n;
}

void chunk_append_row(chunk_t *dst, const chunk_t *src, uint32_t src_row, uint8_t op)
{
    uint32_t r = dst->nrows++;
    dst->ops[r] = op;
    for (uint32_t col = 0; col < dst->ncols; col++)
        vector_copy_row(&dst->cols[col], r, &src->cols[col], src_row, &dst->arena);
}

void chunk_append_values(chunk_t *dst, const value_t *vals, uint8_t op)
{
    uint32_t r = dst->nrows++;
    dst->ops[r] = op;
    for (uint32_t col = 0; col < dst->ncols; col++)
        vector_set(&dst->cols[col], r, &vals[col], &dst->arena);
}
