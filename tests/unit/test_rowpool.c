/* test_rowpool.c - ops/rowpool: rows copied with their string bytes, column mapping, page
 * reuse once every row of a page is released (also the page being filled). */
#include "check.h"
#include "ops/rowpool.h"
#include <stdlib.h>

static chunk_t *source(void)
{
    type_t types[2] = {type_make(TY_BIGINT), type_make(TY_STRING)};
    chunk_t *c = chunk_new_types(2, types, CHUNK_CAP);
    value_t vals[2] = {value_i64(42), {.s = str_cstr("a string longer than twelve bytes")}};
    chunk_append_values(c, vals, OP_INSERT);
    vals[0] = value_null();
    vals[1] = (value_t){.s = str_cstr("short")};
    chunk_append_values(c, vals, OP_DELETE);
    return c;
}

TEST(rows_are_copied_with_their_bytes)
{
    chunk_t *src = source();
    type_t types[2] = {type_make(TY_STRING), type_make(TY_BIGINT)};
    row_pool p;
    rowpool_init(&p, 2, types);
    int cols[2] = {1, 0};                       /* pool column j <- source column cols[j] */
    uint32_t a = rowpool_add(&p, src, 0, cols, OP_INSERT);
    uint32_t b = rowpool_add(&p, src, 1, cols, OP_DELETE);
    chunk_reset(src);                           /* the pool holds its own bytes */
    chunk_free(src);
    const chunk_t *pa = rowpool_chunk(&p, a), *pb = rowpool_chunk(&p, b);
    uint32_t ra = rowpool_row(a), rb = rowpool_row(b);
    CHECK_EQ_INT(pa->cols[0].str[ra].len, 33);
    CHECK(memcmp(str_ptr(&pa->cols[0].str[ra]), "a string longer than twelve bytes", 33) == 0);
    CHECK_EQ_INT(pa->cols[1].i64[ra], 42);
    CHECK_EQ_INT(pa->ops[ra], OP_INSERT);
    CHECK(memcmp(str_ptr(&pb->cols[0].str[rb]), "short", 5) == 0);
    CHECK(pb->cols[1].nulls[rb]);
    CHECK_EQ_INT(pb->ops[rb], OP_DELETE);
    rowpool_free(&p);
}

TEST(emptied_pages_are_reused)
{
    chunk_t *src = source();
    type_t types[2] = {type_make(TY_BIGINT), type_make(TY_STRING)};
    row_pool p;
    rowpool_init(&p, 2, types);
    uint32_t refs[3 * ROWPOOL_PAGE_ROWS];
    for (uint32_t i = 0; i < 2 * ROWPOOL_PAGE_ROWS; i++) refs[i] = rowpool_add(&p, src, i % 2, NULL, OP_INSERT);
    CHECK_EQ_INT(p.pages.len, 2);
    /* page 0 empties: it is reused before a third page is made */
    for (uint32_t i = 0; i < ROWPOOL_PAGE_ROWS; i++) rowpool_release(&p, refs[i]);
    for (uint32_t i = 0; i < ROWPOOL_PAGE_ROWS; i++) refs[i] = rowpool_add(&p, src, 0, NULL, OP_INSERT);
    CHECK_EQ_INT(p.pages.len, 2);
    CHECK_EQ_INT(refs[0] / ROWPOOL_PAGE_ROWS, 0);
    /* the page being filled (page 0, now full) empties too: the next row reuses it */
    for (uint32_t i = 0; i < ROWPOOL_PAGE_ROWS; i++) rowpool_release(&p, refs[i]);
    uint32_t r = rowpool_add(&p, src, 1, NULL, OP_INSERT);
    CHECK_EQ_INT(p.pages.len, 2);
    CHECK_EQ_INT(r, 0);
    CHECK(memcmp(str_ptr(&rowpool_chunk(&p, r)->cols[1].str[0]), "short", 5) == 0);
    /* rows of page 1 are intact */
    const chunk_t *p1 = rowpool_chunk(&p, refs[ROWPOOL_PAGE_ROWS + 2]);
    CHECK_EQ_INT(p1->cols[0].i64[rowpool_row(refs[ROWPOOL_PAGE_ROWS + 2])], 42);
    rowpool_free(&p);
    chunk_free(src);
}

int main(void)
{
    RUN(rows_are_copied_with_their_bytes);
    RUN(emptied_pages_are_reused);
    return CHECK_DONE();
}
