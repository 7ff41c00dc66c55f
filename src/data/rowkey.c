/* rowkey.c - encoding the key columns of rows into byte strings: buffers, the keys of whole
 * chunks, validation of foreign bytes, and the out-of-line parts of the inline per-row
 * functions of rowkey.h. */
#include "data/rowkey.h"
#include "base/hashmap.h"
#include "base/util.h"
#include <stdlib.h>

#define BUF_INITIAL 64

/* ---- buffers ---- */

void rowkey_buf_init(rowkey_buf *b)
{
    b->bytes = xmalloc(BUF_INITIAL);
    b->len = 0;
    b->cap = BUF_INITIAL;
}

void rowkey_buf_free(rowkey_buf *b)
{
    free(b->bytes);
    memset(b, 0, sizeof *b);
}

uint8_t *rowkey__grow(rowkey_buf *b, uint8_t *p, size_t need)
{
    size_t at = (size_t)(p - b->bytes);
    size_t cap = b->cap ? b->cap : BUF_INITIAL;
    while (cap < need) cap *= 2;
    b->bytes = xrealloc(b->bytes, cap);
    b->cap = cap;
    return b->bytes + at;
}

/* ---- keys of a chunk ---- */

void rowkey_chunk_init(rowkey_chunk *k)
{
    memset(k, 0, sizeof *k);
    rowkey_buf_init(&k->buf);
}

void rowkey_chunk_free(rowkey_chunk *k)
{
    rowkey_buf_free(&k->buf);
    free(k->off);
    free(k->len);
    free(k->hash);
    free(k->has_null);
    memset(k, 0, sizeof *k);
}

static void chunk_reserve(rowkey_chunk *k, uint32_t n)
{
    if (n <= k->cap) return;
    k->off = xrealloc(k->off, n * sizeof *k->off);
    k->len = xrealloc(k->len, n * sizeof *k->len);
    k->hash = xrealloc(k->hash, n * sizeof *k->hash);
    k->has_null = xrealloc(k->has_null, n);
    k->cap = n;
}

void rowkey_encode_chunk(rowkey_chunk *k, const chunk_t *c, const int *cols, int ncols)
{
    uint32_t n = chunk_live(c);
    chunk_reserve(k, n);
    rowkey_buf *b = &k->buf;
    b->len = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t at = b->len;
        k->has_null[i] = (uint8_t)rowkey__put(b, c, chunk_row(c, i), cols, ncols);
        k->off[i] = at;
        k->len[i] = (uint32_t)(b->len - at);
    }
    for (uint32_t i = 0; i < n; i++) k->hash[i] = hash_bytes(b->bytes + k->off[i], k->len[i]);
    k->n = n;
}

/* ---- reading keys ---- */

int rowkey_valid(const uint8_t *key, uint32_t klen, const type_t *types, const int *cols, int ncols)
{
    size_t at = 0;
    for (int k = 0; k < ncols; k++) {
        if (at >= klen || key[at] > 1) return 0;
        if (key[at++]) continue;
        size_t size = 8;
        if (type_phys(types[cols ? cols[k] : k]) == PHYS_STR) {
            uint32_t len;
            if (klen - at < 4) return 0;
            memcpy(&len, key + at, 4);
            size = 4 + (size_t)len;
        }
        if (klen - at < size) return 0;
        at += size;
    }
    return at == klen;
}

int rowkey_cmp(const uint8_t *a, uint32_t alen, const uint8_t *b, uint32_t blen)
{
    int c = memcmp(a, b, MIN(alen, blen));
    return c ? c : (alen > blen) - (alen < blen);
}
