/* rowkey.h - the key columns of a row as one byte string, for state keyed by column values
 * (group keys, partition keys, join keys) in hash maps.
 *
 * Encoding, per key column in order: a null byte (1: NULL, 0: a value), then nothing for
 * NULL, 8 bytes for PHYS_I64 and PHYS_F64 values, or a u32 length and the bytes for
 * PHYS_STR values (integers and lengths in host byte order). Doubles are made canonical
 * first: -0.0 becomes 0.0 and every NaN the one quiet NaN, so two rows have equal key bytes
 * exactly when their key values are equal as SQL groups them (NULL equal to NULL, -0.0
 * equal to 0.0, NaN equal to NaN). Columns of the same physical kind encode alike: an INT
 * key column matches a BIGINT one.
 *
 * The encoding is built for hashing and equality, not for ordering: memcmp of two keys
 * (rowkey_cmp) is a deterministic total order, but not the order of the values (integers
 * are little-endian, strings length-first). Operators that need keys in value order use
 * an order-preserving encoding of their own.
 *
 * Key bytes are written into snapshots as they are; a snapshot is read back by the same
 * build only, so the encoding may change between builds.
 *
 * rowkey_encode and rowkey_decode run once per input or output row in the operators' hot
 * loops, so they are inline (a call costs as much as encoding a BIGINT key); the encoding
 * of whole chunks, validation and the rare paths (buffer growth, strings) are in rowkey.c.
 *
 * Ownership: a rowkey_buf / rowkey_chunk owns its storage; the key bytes and offsets it
 * hands out are valid until the next encode into it. String bytes are copied into the key,
 * so a key outlives its chunk. */
#ifndef EDDY_ROWKEY_H
#define EDDY_ROWKEY_H
#include "data/chunk.h"

#define ROWKEY_FIXED_MAX 9        /* bytes of a NULL, integer or double value */

/* Growable bytes holding one key. */
typedef struct rowkey_buf {
    uint8_t *bytes;           /* never NULL after init: an empty key points here */
    size_t len;               /* bytes in use */
    size_t cap;
} rowkey_buf;

void rowkey_buf_init(rowkey_buf *b);
void rowkey_buf_free(rowkey_buf *b);

/* The keys of every live row of a chunk, encoded one after the other. */
typedef struct rowkey_chunk {
    rowkey_buf buf;
    size_t *off;              /* live row i's key: buf.bytes[off[i] .. off[i] + len[i]) */
    uint32_t *len;
    uint64_t *hash;           /* hash_bytes (base/hashmap.h) of the key */
    uint8_t *has_null;        /* a key column of the row is NULL */
    uint32_t n;               /* live rows encoded */
    uint32_t cap;             /* rows the arrays hold */
} rowkey_chunk;

void rowkey_chunk_init(rowkey_chunk *k);
void rowkey_chunk_free(rowkey_chunk *k);
/* Encodes and hashes the keys of c's live rows (chunk_row(c, i) for i < chunk_live(c))
 * over columns cols[0..ncols) (cols NULL: columns 0..ncols-1). */
void rowkey_encode_chunk(rowkey_chunk *k, const chunk_t *c, const int *cols, int ncols);

static inline const uint8_t *rowkey_at(const rowkey_chunk *k, uint32_t i) { return k->buf.bytes + k->off[i]; }

/* 1 when key[0..klen) is exactly one key of columns of types types[cols[i]] (cols NULL:
 * types[i]), as bytes read from a snapshot must be before they are decoded; else 0. */
int rowkey_valid(const uint8_t *key, uint32_t klen, const type_t *types, const int *cols, int ncols);

/* memcmp order, a shorter key before its extensions: deterministic, not the value order. */
int rowkey_cmp(const uint8_t *a, uint32_t alen, const uint8_t *b, uint32_t blen);

/* ---- per row (inline) ---- */

/* Internal to the inline functions (out of line: rare): grows b to at least `need` bytes;
 * returns where the write position p (inside b->bytes) is after the move. */
uint8_t *rowkey__grow(rowkey_buf *b, uint8_t *p, size_t need);

static inline double rowkey__canonical_double(double d)
{
    if (d != d) return __builtin_nan("");
    return d == 0 ? 0.0 : d;
}

/* Writes string s at p (after its null byte), leaving room for `more` columns after it;
 * returns the end. */
static inline uint8_t *rowkey__put_string(rowkey_buf *b, uint8_t *p, const str_t *s, int more)
{
    size_t need = (size_t)(p - b->bytes) + 4 + s->len + ROWKEY_FIXED_MAX * (size_t)more;
    if (need > b->cap) p = rowkey__grow(b, p, need);
    memcpy(p, &s->len, 4);
    memcpy(p + 4, str_ptr(s), s->len);
    return p + 4 + s->len;
}

/* Appends the key of row `row` at b->len; returns 1 when a key column is NULL. The bytes
 * go through a local pointer: a store through b->bytes could alias b itself. */
static inline int rowkey__put(rowkey_buf *b, const chunk_t *c, uint32_t row, const int *cols, int ncols)
{
    uint8_t *p = b->bytes + b->len;
    size_t need = b->len + ROWKEY_FIXED_MAX * (size_t)ncols;     /* strings make more room */
    if (need > b->cap) p = rowkey__grow(b, p, need);
    int has_null = 0;
    for (int k = 0; k < ncols; k++) {
        const vector_t *v = &c->cols[cols ? cols[k] : k];
        if (v->nulls[row]) {
            *p++ = 1;
            has_null = 1;
            continue;
        }
        *p++ = 0;
        int phys = type_phys(v->type);
        if (phys == PHYS_I64) {
            memcpy(p, &v->i64[row], 8);
            p += 8;
        } else if (phys == PHYS_F64) {
            double d = rowkey__canonical_double(v->f64[row]);
            memcpy(p, &d, 8);
            p += 8;
        } else {
            p = rowkey__put_string(b, p, &v->str[row], ncols - k - 1);
        }
    }
    b->len = (size_t)(p - b->bytes);
    return has_null;
}

/* The key of row `row` of c over columns cols[0..ncols) (cols NULL: columns 0..ncols-1),
 * replacing b's contents: the key is b->bytes[0 .. returned length) (b->len). */
static inline uint32_t rowkey_encode(rowkey_buf *b, const chunk_t *c, uint32_t row, const int *cols,
                                     int ncols)
{
    b->len = 0;
    rowkey__put(b, c, row, cols, ncols);
    return (uint32_t)b->len;
}

/* The values of a well-formed key (rowkey_valid) whose columns have types types[cols[i]]
 * (cols NULL: types[i]) into out[0..ncols); strings are views into the key bytes. */
static inline void rowkey_decode(const uint8_t *key, const type_t *types, const int *cols, int ncols,
                                 value_t *out)
{
    const uint8_t *p = key;
    for (int k = 0; k < ncols; k++) {
        int phys = type_phys(types[cols ? cols[k] : k]);
        memset(&out[k], 0, sizeof out[k]);
        if (*p++) {
            out[k].null = 1;
        } else if (phys == PHYS_STR) {
            uint32_t len;
            memcpy(&len, p, 4);
            out[k].s = str_view((const char *)p + 4, len);
            p += 4 + (size_t)len;
        } else {
            memcpy(&out[k].i, p, 8);          /* a double's bytes land in .f, its union twin */
            p += 8;
        }
    }
}

#endif
