/* connector_testkit.h - the table fixture shared by the connector and format tests: a
 * connector_table built from parallel arrays of column names and types and key, value option
 * pairs, with a primary key and a fake job clock (fake_now) in its exec_ctx; chunks
 * rendered as text for exact comparisons; and decoding text or messages with a format.
 *
 * Header-only like check.h. Option spans get distinct lines (option i on line i + 2) so a
 * test can tell which option an error points at. */
#ifndef EDDY_CONNECTOR_TESTKIT_H
#define EDDY_CONNECTOR_TESTKIT_H
#include "check.h"
#include "connect/connector.h"
#include "connect/format.h"
#include "base/strbuf.h"
#include "base/util.h"
#include "data/value.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int64_t fake_now = 1609330394000000LL;           /* 2020-12-30 12:13:14 UTC */
static inline int64_t fake_clock(void) { return fake_now; }
static exec_ctx test_ctx = {.now_us = fake_clock};

typedef struct fixture {
    connector_table t;
    table_option opts[32];
    char *names[16];
    type_t types[16];
    int pk[4];
} fixture;

/* Table `name` (its span covers the name on line 1) with columns "name TYPE" from parallel
 * arrays; options are the key, value pairs in ap up to NULL. The strings are borrowed. */
static inline void fx_vinit(fixture *f, const char *name, int ncols, const char *const *names, const type_t *types,
                            va_list ap)
{
    memset(f, 0, sizeof *f);
    for (int i = 0; i < ncols; i++) {
        f->names[i] = (char *)names[i];
        f->types[i] = types[i];
    }
    f->t.name = name;
    f->t.span = (span_t){0, (uint32_t)strlen(name), 1, 14};
    f->t.physical.ncols = (uint32_t)ncols;
    f->t.physical.names = f->names;
    f->t.physical.types = f->types;
    f->t.pk = f->pk;
    f->t.ctx = &test_ctx;
    const char *k;
    while ((k = va_arg(ap, const char *)) != NULL) {
        table_option *o = &f->opts[f->t.nopts];
        o->key = k;
        o->value = va_arg(ap, const char *);
        o->key_span = (span_t){0, (uint32_t)strlen(k), (uint32_t)f->t.nopts + 2, 5};
        o->value_span = (span_t){0, (uint32_t)strlen(o->value), (uint32_t)f->t.nopts + 2, 30};
        f->t.nopts++;
    }
    f->t.opts = f->opts;
}

/* Table "t": columns from parallel arrays, then key, value option pairs up to NULL. */
static inline void fx_init(fixture *f, int ncols, const char *const *names, const type_t *types, ...)
{
    va_list ap;
    va_start(ap, types);
    fx_vinit(f, "t", ncols, names, types, ap);
    va_end(ap);
}

/* fx_init for a table with another name (error texts name the table). */
static inline void fx_init_named(fixture *f, const char *name, int ncols, const char *const *names,
                                 const type_t *types, ...)
{
    va_list ap;
    va_start(ap, types);
    fx_vinit(f, name, ncols, names, types, ap);
    va_end(ap);
}

/* Adds column col to the primary key. */
static inline void fx_pk(fixture *f, int col) { f->pk[f->t.npk++] = col; }

/* The pending error's message (kept until the next call); the error is cleared. */
static inline const char *take_error(void)
{
    static char msg[1024];
    snprintf(msg, sizeof msg, "%s", err_message());
    err_clear();
    return msg;
}

/* ---- chunks as text ---- */

/* Appends row r as "v1|v2|..." (value_format; NULL as "NULL"). */
static inline void append_row_text(sb_t *b, const chunk_t *c, uint32_t r)
{
    for (uint32_t i = 0; i < c->ncols; i++) {
        value_t v;
        if (i) sb_putc(b, '|');
        vector_get(&c->cols[i], r, &v);
        value_format(c->cols[i].type, &v, b);
    }
}

/* Row r as "v1|v2|..."; the text lives until the next call. */
static inline const char *row_text(const chunk_t *c, uint32_t r)
{
    static sb_t b;
    sb_clear(&b);
    append_row_text(&b, c, r);
    return sb_str(&b);
}

/* Every row as "v1|v2|...\n"; the text lives until the next call. */
static inline const char *all_rows(const chunk_t *c)
{
    static sb_t b;
    sb_clear(&b);
    for (uint32_t r = 0; r < c->nrows; r++) {
        append_row_text(&b, c, r);
        sb_putc(&b, '\n');
    }
    return sb_str(&b);
}

/* Every row with its changelog op, as "+I v1|v2|...\n"; the text lives until the next call. */
static inline const char *all_rows_with_ops(const chunk_t *c)
{
    static sb_t b;
    sb_clear(&b);
    for (uint32_t r = 0; r < c->nrows; r++) {
        sb_printf(&b, "%s ", row_op_names[c->ops[r]]);
        append_row_text(&b, c, r);
        sb_putc(&b, '\n');
    }
    return sb_str(&b);
}


/* ---- formats ---- */

/* Decodes text as the file `path`, feeding `piece` bytes at a time (0: all at once), the way
 * the filesystem source does: unconsumed bytes are handed again with more behind them.
 * Returns 0, or -1 when the decoder failed. */
static inline int decode_pieces(decoder_t *d, const char *path, const char *text, size_t piece, chunk_t *out)
{
    size_t len = strlen(text), have = 0, start = 0;
    decoder_begin(d, path);
    if (!piece) piece = len ? len : 1;
    for (;;) {
        have = MIN(len, have + piece);
        int eof = have == len;
        int64_t used = decoder_decode(d, text + start, have - start, eof, out);
        if (used < 0) return -1;
        start += (size_t)used;
        if (eof && (start == len || chunk_full(out))) return 0;
    }
}

/* The rows of text decoded with fmt for the fixture's table (checked to succeed); the caller
 * frees the chunk. NULL when the decoder could not be created. */
static inline chunk_t *decode_fixture(const format_def *fmt, fixture *f, const char *path, const char *text,
                                      size_t piece)
{
    decoder_t *d = fmt->create_decoder(&f->t);
    CHECK(d != NULL);
    if (!d) return NULL;
    chunk_t *c = chunk_new(&f->t.physical, CHUNK_CAP);
    CHECK_EQ_INT(decode_pieces(d, path, text, piece, c), 0);
    decoder_free(d);
    return c;
}

/* The n messages encode_each wrote into out (ending at ends[k]), each as "[text]". */
static inline const char *messages_of(const sb_t *out, const uint32_t *ends, uint32_t n)
{
    static sb_t b;
    sb_clear(&b);
    uint32_t start = 0;
    for (uint32_t k = 0; k < n; k++) {
        sb_putc(&b, '[');
        sb_append(&b, out->data + start, ends[k] - start);
        sb_putc(&b, ']');
        start = ends[k];
    }
    return sb_str(&b);
}

#endif
