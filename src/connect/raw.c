/* raw.c - the 'raw' format (Flink's): a record's bytes are the value of the table's one
 * physical column.
 *
 * STRING: the bytes as text in raw.charset (UTF-8, kept as they are; US-ASCII, where a byte
 * above 0x7F reads as U+FFFD and a character outside ASCII writes as '?'; ISO-8859-1, one
 * byte per character, '?' for characters beyond U+00FF, as Java's String.getBytes does).
 * Numbers are fixed-width binary in raw.endianness (big-endian by default): BOOLEAN one byte
 * (0 false, anything else true), BIGINT eight bytes, DOUBLE eight bytes (IEEE 754). eddy
 * keeps TINYINT and SMALLINT as INT and FLOAT as DOUBLE, so an INT column reads records of 1
 * (TINYINT), 2 (SMALLINT) or 4 bytes and writes 4, and a DOUBLE column reads 4 (FLOAT) or 8
 * bytes and writes 8; any other length is an error naming the record's origin. Other types
 * are rejected when the table is created, as in Flink.
 *
 * A message is one record; a NULL message (a Kafka tombstone) is a row whose value is NULL,
 * and a NULL value is written as an empty message (the Kafka sink sends a null one). In
 * files every line is one record ("\r\n" accepted; an empty line is an empty string), and a
 * NULL value is written as an empty line. raw has no ignore-parse-errors option. */
#include "connect/format.h"
#include "base/util.h"
#include <stdlib.h>

static const char *const raw_options[] = {"raw.charset", "raw.endianness", NULL};
static const char *const charsets[] = {"UTF-8", "US-ASCII", "ISO-8859-1", NULL};
enum { CS_UTF8, CS_ASCII, CS_LATIN1 };
static const char *const endiannesses[] = {"big-endian", "little-endian", NULL};

typedef struct raw_opts {
    int charset;
    int little_endian;
    type_t type;                 /* the one column's type */
} raw_opts;

static int type_supported(type_t t)
{
    return t.id == TY_STRING || t.id == TY_BOOLEAN || t.id == TY_INT || t.id == TY_BIGINT || t.id == TY_DOUBLE;
}

static int read_opts(const connector_table *t, raw_opts *o)
{
    char tn[64];
    if (t->physical.ncols != 1) {
        sb_t cols = {0};
        for (uint32_t i = 0; i < t->physical.ncols; i++)
            sb_printf(&cols, "%s%s %s", i ? ", " : "", t->physical.names[i],
                      type_name(t->physical.types[i], tn, sizeof tn));
        err_at(t->span, "format 'raw' needs exactly one physical column; table '%s' has %u%s%s", t->name,
               t->physical.ncols, t->physical.ncols ? ": " : "", sb_str(&cols));
        sb_free(&cols);
        return -1;
    }
    o->type = t->physical.types[0];
    if (!type_supported(o->type))
        return err_at(t->span,
                      "format 'raw' does not support type %s (column '%s' of table '%s'); supported: STRING, "
                      "BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE",
                      type_name(o->type, tn, sizeof tn), t->physical.names[0], t->name);
    return table_opt_enum(t, "raw.charset", charsets, CS_UTF8, &o->charset) ||
                   table_opt_enum(t, "raw.endianness", endiannesses, 0, &o->little_endian)
               ? -1
               : 0;
}

/* ---- decoder ---- */

typedef struct raw_decoder {
    decoder_t base;
    raw_opts o;
    sb_t text;                   /* a string converted to UTF-8 */
    sb_t msg;                    /* what is wrong with the current record */
} raw_decoder;

static uint64_t load_bytes(const raw_decoder *d, const char *buf, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)buf[d->o.little_endian ? n - 1 - i : i];
        v = v << 8 | b;
    }
    return v;
}

static int wrong_size(raw_decoder *d, size_t len)
{
    static const char *const expected[] = {
        [TY_BOOLEAN] = "1 byte for BOOLEAN",
        [TY_INT] = "4 bytes for INT (1 for TINYINT, 2 for SMALLINT)",
        [TY_BIGINT] = "8 bytes for BIGINT",
        [TY_DOUBLE] = "8 bytes for DOUBLE (4 for FLOAT)",
    };
    sb_clear(&d->msg);
    sb_printf(&d->msg, "expected %s, found %zu", expected[d->o.type.id], len);
    return -1;
}

/* Text in the charset into UTF-8 (UTF-8 itself is taken as it is). */
static void to_utf8(raw_decoder *d, const char *buf, size_t len)
{
    sb_clear(&d->text);
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)buf[i];
        if (b < 0x80) sb_putc(&d->text, (char)b);
        else if (d->o.charset == CS_ASCII) sb_puts(&d->text, "\xEF\xBF\xBD");
        else {
            sb_putc(&d->text, (char)(0xC0 | (b >> 6)));
            sb_putc(&d->text, (char)(0x80 | (b & 0x3F)));
        }
    }
}

/* The record's value into row out->nrows. */
static int value_into(raw_decoder *d, const char *buf, size_t len, chunk_t *out)
{
    vector_t *v = &out->cols[0];
    uint32_t row = out->nrows;
    uint64_t bits;
    v->nulls[row] = 0;
    switch (d->o.type.id) {
    case TY_STRING:
        if (d->o.charset == CS_UTF8) {
            v->str[row] = str_copy(&out->arena, buf, (uint32_t)len);
        } else {
            to_utf8(d, buf, len);
            v->str[row] = str_copy(&out->arena, d->text.data ? d->text.data : "", (uint32_t)d->text.len);
        }
        return 0;
    case TY_BOOLEAN:
        if (len != 1) return wrong_size(d, len);
        v->i64[row] = buf[0] != 0;
        return 0;
    case TY_INT:
        if (len != 1 && len != 2 && len != 4) return wrong_size(d, len);
        bits = load_bytes(d, buf, len);
        v->i64[row] = len == 1 ? (int8_t)bits : len == 2 ? (int16_t)bits : (int32_t)bits;
        return 0;
    case TY_BIGINT:
        if (len != 8) return wrong_size(d, len);
        v->i64[row] = (int64_t)load_bytes(d, buf, len);
        return 0;
    default:                     /* TY_DOUBLE */
        if (len != 4 && len != 8) return wrong_size(d, len);
        bits = load_bytes(d, buf, len);
        if (len == 4) {
            uint32_t b32 = (uint32_t)bits;
            float f;
            memcpy(&f, &b32, sizeof f);
            v->f64[row] = f;
        } else {
            memcpy(&v->f64[row], &bits, sizeof bits);
        }
        return 0;
    }
}

static int bad_record(raw_decoder *d)
{
    sb_t where = {0};
    decoder_where(&d->base, d->base.line, &where);
    err_msg("malformed raw %s at %s: %s", d->base.topic ? "record" : "row", sb_str(&where), sb_str(&d->msg));
    sb_free(&where);
    return -1;
}

static int raw_decode_message(decoder_t *base, const char *buf, size_t len, chunk_t *out)
{
    raw_decoder *d = (raw_decoder *)base;
    if (out->nrows >= out->cap) return -2;
    if (!buf) {
        vector_set(&out->cols[0], out->nrows, &(value_t){.null = 1}, NULL);
    } else if (value_into(d, buf, len, out)) {
        return bad_record(d);
    }
    out->ops[out->nrows++] = OP_INSERT;
    return 1;
}

static int64_t raw_decode(decoder_t *base, const char *buf, size_t len, int eof, chunk_t *out)
{
    raw_decoder *d = (raw_decoder *)base;
    const char *p = buf, *end = buf + len;
    while (p < end && out->nrows < out->cap) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl && !eof) break;
        const char *line_end = nl ? nl : end;
        size_t n = (size_t)(line_end - p);
        if (nl && n && p[n - 1] == '\r') n--;
        d->base.file_start = 0;
        if (value_into(d, p, n, out)) return bad_record(d);
        out->ops[out->nrows++] = OP_INSERT;
        p = nl ? nl + 1 : end;
        d->base.line += nl != NULL;
    }
    return p - buf;
}

static void raw_decoder_free(decoder_t *base)
{
    raw_decoder *d = (raw_decoder *)base;
    sb_free(&d->text);
    sb_free(&d->msg);
    free(d);
}

static const decoder_vtable raw_decoder_vt = {raw_decode, raw_decoder_free, raw_decode_message};

static decoder_t *raw_create_decoder(const connector_table *t)
{
    raw_opts o;
    if (read_opts(t, &o)) return NULL;
    raw_decoder *d = xcalloc(1, sizeof *d);
    d->base.vt = &raw_decoder_vt;
    d->o = o;
    decoder_begin(&d->base, NULL);
    return &d->base;
}

/* ---- encoder ---- */

typedef struct raw_encoder {
    encoder_t base;
    raw_opts o;
} raw_encoder;

static void store_bytes(const raw_encoder *e, uint64_t v, size_t n, sb_t *out)
{
    char b[8];
    for (size_t i = 0; i < n; i++) {
        char byte = (char)(v >> (8 * i));
        b[e->o.little_endian ? i : n - 1 - i] = byte;
    }
    sb_append(out, b, n);
}

/* Length of the UTF-8 sequence at s[0..n) and its code point; 1 and -1 when malformed. */
static size_t utf8_next(const unsigned char *s, size_t n, long *cp)
{
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
    if (s[0] < 0x80) { *cp = s[0]; return 1; }
    if (len == 1 || s[0] > 0xF4 || len > n) { *cp = -1; return 1; }
    long v = s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) { *cp = -1; return 1; }
        v = v << 6 | (s[i] & 0x3F);
    }
    *cp = v;
    return len;
}

/* UTF-8 text into the charset: characters it cannot hold become '?'. */
static void from_utf8(const raw_encoder *e, const char *s, size_t n, sb_t *out)
{
    long limit = e->o.charset == CS_ASCII ? 0x7F : 0xFF;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        long cp;
        i += utf8_next(u + i, n - i, &cp);
        sb_putc(out, cp >= 0 && cp <= limit ? (char)cp : '?');
    }
}

static void encode_value(const raw_encoder *e, const vector_t *v, uint32_t row, sb_t *out)
{
    if (v->nulls[row]) return;
    switch (v->type.id) {
    case TY_STRING: {
        const str_t *s = &v->str[row];
        if (e->o.charset == CS_UTF8) sb_append(out, str_ptr(s), s->len);
        else from_utf8(e, str_ptr(s), s->len, out);
        return;
    }
    case TY_BOOLEAN: sb_putc(out, v->i64[row] ? 1 : 0); return;
    case TY_INT: store_bytes(e, (uint64_t)v->i64[row], 4, out); return;
    case TY_BIGINT: store_bytes(e, (uint64_t)v->i64[row], 8, out); return;
    default: {                   /* TY_DOUBLE */
        uint64_t bits;
        memcpy(&bits, &v->f64[row], sizeof bits);
        store_bytes(e, bits, 8, out);
        return;
    }
    }
}

static int raw_encode(encoder_t *base, const chunk_t *c, sb_t *out)
{
    raw_encoder *e = (raw_encoder *)base;
    uint32_t live = chunk_live(c);
    for (uint32_t k = 0; k < live; k++) {
        encode_value(e, &c->cols[0], chunk_row(c, k), out);
        sb_putc(out, '\n');
    }
    return 0;
}

static int raw_encode_each(encoder_t *base, const chunk_t *c, sb_t *out, uint32_t *ends)
{
    raw_encoder *e = (raw_encoder *)base;
    uint32_t live = chunk_live(c);
    for (uint32_t k = 0; k < live; k++) {
        encode_value(e, &c->cols[0], chunk_row(c, k), out);
        ends[k] = (uint32_t)out->len;
    }
    return 0;
}

static void raw_encoder_free(encoder_t *base)
{
    free(base);
}

static const encoder_vtable raw_encoder_vt = {raw_encode, raw_encoder_free, raw_encode_each};

static encoder_t *raw_create_encoder(const connector_table *t)
{
    raw_opts o;
    if (read_opts(t, &o)) return NULL;
    raw_encoder *e = xcalloc(1, sizeof *e);
    e->base.vt = &raw_encoder_vt;
    e->o = o;
    return &e->base;
}

const format_def format_raw = {"raw", raw_options, raw_create_decoder, raw_create_encoder, 0};
