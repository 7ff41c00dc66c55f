/* fuzz_decode.h - shared by fuzz_csv.c and fuzz_json.c: a table with one column of every
 * type, options chosen by the fuzzer, and a differential check of a format's decoder.
 *
 * The check decodes the same file content twice: once as one block into full-size chunks,
 * and once as two blocks split at a chosen position into tiny chunks (so that "out is full"
 * and "give me more bytes" are both exercised). Every block is a malloc'ed copy of exactly
 * its bytes, freed right after the decode call, so reading past a block or keeping views
 * into it is caught by ASan. Both runs must produce the same rows, the same number of
 * skipped records and the same error (or none), and every value must be valid for its
 * column's type. A difference, an invalid value, or a decoder that leaves bytes unconsumed
 * at the end of the file with room in its chunk calls abort(). */
#ifndef EDDY_FUZZ_DECODE_H
#define EDDY_FUZZ_DECODE_H
#include "connect/format.h"
#include "base/strbuf.h"
#include "base/tz.h"
#include "base/util.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_NCOLS 9
#define FUZZ_MAX_OPTS 12

typedef struct fuzz_table {
    connector_table t;
    table_option opts[FUZZ_MAX_OPTS];
    char *names[FUZZ_NCOLS];
    type_t types[FUZZ_NCOLS];
} fuzz_table;

/* Columns of every type, named so that JSON members can match them. */
static void fuzz_table_init(fuzz_table *f)
{
    static const char *const names[FUZZ_NCOLS] = {"bool", "int", "big", "dbl", "dec", "str", "date", "ts", "ltz"};
    const type_t types[FUZZ_NCOLS] = {
        type_make(TY_BOOLEAN), type_make(TY_INT), type_make(TY_BIGINT),
        type_make(TY_DOUBLE), type_decimal(10, 2), type_make(TY_STRING),
        type_make(TY_DATE), type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP_LTZ, 3),
    };
    memset(f, 0, sizeof *f);
    for (int i = 0; i < FUZZ_NCOLS; i++) {
        f->names[i] = (char *)names[i];
        f->types[i] = types[i];
    }
    f->t.name = "fuzz";
    f->t.physical.ncols = FUZZ_NCOLS;
    f->t.physical.names = f->names;
    f->t.physical.types = f->types;
    f->t.opts = f->opts;
}

/* Adds an option; key and value must outlive the table (string literals). */
static void fuzz_table_opt(fuzz_table *f, const char *key, const char *value)
{
    if (f->t.nopts == FUZZ_MAX_OPTS) abort();
    table_option *o = &f->opts[f->t.nopts++];
    o->key = key;
    o->value = value;
}

/* TIMESTAMP_LTZ text without 'Z' is read in the session zone: UTC, or one with DST. */
static void fuzz_session_zone(int with_dst)
{
    const tz_t *tz = tz_get(with_dst ? "America/New_York" : "UTC", NULL, 0);
    if (!tz) abort();
    value_set_session_tz(tz);
}

/* Reports a broken invariant; abort() makes libFuzzer keep the input. */
static void fuzz_fail(const char *what)
{
    fprintf(stderr, "fuzz_decode: %s\n", what);
    abort();
}

/* A decoded value must be a valid value of its column's type: what every operator
 * downstream assumes (a DECIMAL(p, s) holds at most p digits, as in Flink). */
static void fuzz_check_value(type_t t, const value_t *v)
{
    switch (t.id) {
    case TY_BOOLEAN:
        if (v->i != 0 && v->i != 1) fuzz_fail("BOOLEAN value other than 0 or 1");
        break;
    case TY_INT:
        if (v->i < INT32_MIN || v->i > INT32_MAX) fuzz_fail("INT value out of range");
        break;
    case TY_DECIMAL:
        if (v->i <= -pow10_i64(t.precision) || v->i >= pow10_i64(t.precision))
            fuzz_fail("DECIMAL value with more digits than its precision");
        break;
    default:
        break;
    }
}

/* Appends the live rows of c to dump in a byte form that tells every value apart. */
static void fuzz_dump_rows(const chunk_t *c, sb_t *dump)
{
    if (c->nrows > c->cap) fuzz_fail("more rows than the chunk holds");
    for (uint32_t r = 0; r < c->nrows; r++) {
        if (c->ops[r] != OP_INSERT) fuzz_fail("a decoded row whose op is not +I");
        sb_putc(dump, 'R');
        for (uint32_t i = 0; i < c->ncols; i++) {
            value_t v;
            vector_get(&c->cols[i], r, &v);
            sb_putc(dump, v.null ? 'N' : 'V');
            if (v.null) continue;
            fuzz_check_value(c->cols[i].type, &v);
            switch (type_phys(c->cols[i].type)) {
            case PHYS_I64: sb_append(dump, (const char *)&v.i, sizeof v.i); break;
            case PHYS_F64: sb_append(dump, (const char *)&v.f, sizeof v.f); break;
            default:
                sb_append(dump, (const char *)&v.s.len, sizeof v.s.len);
                sb_append(dump, str_ptr(&c->cols[i].str[r]), v.s.len);
                break;
            }
        }
    }
}

typedef struct fuzz_result {
    int failed;          /* a decode call returned -1 */
    uint64_t skipped;
    sb_t rows;           /* fuzz_dump_rows of everything decoded */
    sb_t error;          /* err_message() when failed */
} fuzz_result;

static void fuzz_result_free(fuzz_result *r)
{
    sb_free(&r->rows);
    sb_free(&r->error);
}

/* One decode call over a fresh copy of text[start..have); returns the bytes consumed. */
static int64_t fuzz_decode_block(decoder_t *d, const uint8_t *text, size_t start, size_t have, int eof, chunk_t *out)
{
    size_t n = have - start;
    char *blk = xmalloc(n ? n : 1);
    memcpy(blk, text + start, n);
    int64_t used = decoder_decode(d, blk, n, eof, out);
    free(blk);
    if (used > (int64_t)n) fuzz_fail("more bytes consumed than handed over");
    return used;
}

/* Decodes text[0..len) as one file with a new decoder for f, handing it text[0..split)
 * first (without eof) and then everything not consumed; chunks hold cap rows. Returns -1
 * when the decoder cannot be created (a bad option combination). */
static int fuzz_decode(const format_def *fmt, fuzz_table *f, const uint8_t *text, size_t len, size_t split,
                       uint32_t cap, fuzz_result *res)
{
    memset(res, 0, sizeof *res);
    err_clear();
    decoder_t *d = fmt->create_decoder(&f->t);
    if (!d) {
        err_clear();
        return -1;
    }
    chunk_t *c = chunk_new(&f->t.physical, cap);
    size_t start = 0, have = split;
    int eof = have == len;
    decoder_begin(d, "fuzz.txt");
    for (;;) {
        int64_t used = fuzz_decode_block(d, text, start, have, eof, c);
        if (used < 0) {
            res->failed = 1;
            sb_puts(&res->error, err_message());
            break;
        }
        start += (size_t)used;
        if (chunk_full(c)) {
            fuzz_dump_rows(c, &res->rows);
            chunk_reset(c);
            continue;
        }
        if (eof) {
            if (start != len) fuzz_fail("bytes at the end of the file were left undecoded");
            break;
        }
        have = len;
        eof = 1;
    }
    fuzz_dump_rows(c, &res->rows);
    res->skipped = d->skipped;
    chunk_free(c);
    decoder_free(d);
    err_clear();
    return 0;
}

static int fuzz_same(const sb_t *a, const sb_t *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* Compares decoding text in one block with decoding it in two blocks split at `split`. */
static void fuzz_check_decoder(const format_def *fmt, fuzz_table *f, const uint8_t *text, size_t len,
                               size_t split, uint32_t small_cap)
{
    fuzz_result whole, parts;
    if (fuzz_decode(fmt, f, text, len, len, CHUNK_CAP, &whole)) return;
    fuzz_decode(fmt, f, text, len, split, small_cap, &parts);
    if (whole.failed != parts.failed || !fuzz_same(&whole.error, &parts.error))
        fuzz_fail("one block and two blocks differ in their error");
    if (whole.skipped != parts.skipped) fuzz_fail("one block and two blocks skip different records");
    if (!fuzz_same(&whole.rows, &parts.rows)) fuzz_fail("one block and two blocks give different rows");
    fuzz_result_free(&whole);
    fuzz_result_free(&parts);
}

/* Little-endian 16-bit value at data[i]. */
static size_t fuzz_u16(const uint8_t *data, size_t i) { return (size_t)data[i] | (size_t)data[i + 1] << 8; }

#endif
