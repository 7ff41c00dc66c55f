/* csv.c - the 'csv' format (Flink's CSV format options): a block decoder and a line encoder.
 *
 * Decoding: a record is one line, except that a quoted field may hold delimiters, line
 * breaks and doubled quote characters. Fields that need no unescaping stay views into the
 * input block; the others are unescaped into a per-record scratch buffer. Each field is then
 * parsed into its column with value_parse (strings are copied into the chunk's arena).
 * An empty field is NULL for a non-string column and '' for a STRING column (as in Flink); a
 * field equal to csv.null-literal is NULL, and so is a DECIMAL with more digits than its
 * precision (as in Flink). Blank lines are skipped, and so are lines starting with '#'
 * under csv.allow-comments and the first record of every file under csv.ignore-first-line.
 * "\r\n" line ends and a last line without a line end are accepted.
 * A malformed record (wrong field count, unparsable value, unterminated quote) fails the job
 * with its origin (file:line, or Kafka topic/partition/offset), or under
 * csv.ignore-parse-errors is skipped and counted. A message (decode_message) is one record;
 * a line end after it is tolerated.
 *
 * Encoding writes one line per row (or one message per row, without the line end): fields
 * that hold the delimiter, the quote character, the escape character or a line break are
 * quoted (quotes doubled, escape characters escaped, as the decoder reads them);
 * NULL is written as the null literal or nothing; TIMESTAMP_LTZ is written as a UTC instant
 * with 'Z', as Flink does. */
#include "connect/format.h"
#include "base/util.h"
#include <stdlib.h>

static const char *const csv_options[] = {
    "csv.field-delimiter", "csv.disable-quote-character", "csv.quote-character", "csv.allow-comments",
    "csv.ignore-parse-errors", "csv.array-element-delimiter", "csv.escape-character", "csv.null-literal",
    "csv.ignore-first-line", "csv.write-bigdecimal-in-scientific-notation", NULL,
};

typedef struct csv_opts {
    unsigned char delim;
    int quote;                   /* -1: quoting disabled */
    int escape;                  /* -1: no escape character */
    int allow_comments;
    int ignore_errors;
    int skip_first;
    const char *null_literal;    /* NULL: none */
    size_t null_len;
} csv_opts;

static int read_opts(const connector_table *t, csv_opts *o)
{
    char delim, quote, escape = 0;
    int disable_quote;
    memset(o, 0, sizeof *o);
    if (table_opt_char(t, "csv.field-delimiter", ',', &delim) ||
        table_opt_char(t, "csv.quote-character", '"', &quote) ||
        table_opt_char(t, "csv.escape-character", 0, &escape) ||
        table_opt_bool(t, "csv.disable-quote-character", 0, &disable_quote) ||
        table_opt_bool(t, "csv.allow-comments", 0, &o->allow_comments) ||
        table_opt_bool(t, "csv.ignore-parse-errors", 0, &o->ignore_errors) ||
        table_opt_bool(t, "csv.ignore-first-line", 0, &o->skip_first))
        return -1;
    const table_option *q = table_opt_entry(t, "csv.quote-character");
    if (disable_quote && q)
        return err_at(q->value_span, "csv.quote-character cannot be set when csv.disable-quote-character is true");
    if (delim == '\n' || delim == '\r')
        return err_at(table_opt_entry(t, "csv.field-delimiter")->value_span,
                      "csv.field-delimiter cannot be a line break");
    if (!disable_quote && quote == delim)
        return err_at(q ? q->value_span : table_opt_entry(t, "csv.field-delimiter")->value_span,
                      "csv.field-delimiter and csv.quote-character must differ");
    o->delim = (unsigned char)delim;
    o->quote = disable_quote ? -1 : (unsigned char)quote;
    o->escape = table_opt_entry(t, "csv.escape-character") ? (unsigned char)escape : -1;
    o->null_literal = table_opt(t, "csv.null-literal");
    o->null_len = o->null_literal ? strlen(o->null_literal) : 0;
    return 0;
}

/* ---- decoder ---- */

typedef struct csv_field {
    const char *p;               /* bytes in the block, or NULL: in scratch at off */
    uint32_t off;
    uint32_t len;
    uint8_t quoted;
    uint8_t escaped_end;         /* its last byte came from an escape sequence */
} csv_field;

typedef struct csv_decoder {
    decoder_t base;
    csv_opts o;
    csv_field *fields;           /* fields of the current record */
    uint32_t nfields, fields_cap;
    sb_t scratch;                /* unescaped field bytes of the current record */
    sb_t msg;                    /* what is wrong with the current record */
    const schema_t *schema;      /* the table's physical columns (borrowed) */
    uint8_t stops_plain[256];    /* bytes that end a run in an unquoted field */
    uint8_t stops_quoted[256];   /* bytes that end a run in a quoted field */
} csv_decoder;

enum { REC_OK, REC_MORE, REC_BAD };

typedef struct csv_record {
    const char *next;            /* where the following record starts */
    uint32_t nlines;             /* line breaks inside and at the end of the record */
} csv_record;

static csv_field *new_field(csv_decoder *d, const char *p)
{
    if (d->nfields == d->fields_cap) {
        d->fields_cap = d->fields_cap ? d->fields_cap * 2 : 16;
        d->fields = xrealloc(d->fields, d->fields_cap * sizeof *d->fields);
    }
    csv_field *f = &d->fields[d->nfields++];
    f->p = p;
    f->off = 0;
    f->len = 0;
    f->quoted = 0;
    f->escaped_end = 0;
    return f;
}

/* Moves a field from a block view to scratch (before its first unescaped byte). */
static void to_scratch(csv_decoder *d, csv_field *f, const char *from, const char *to)
{
    if (!f->p) {
        sb_append(&d->scratch, from, (size_t)(to - from));
        return;
    }
    f->p = NULL;
    f->off = (uint32_t)d->scratch.len;
    sb_append(&d->scratch, from, (size_t)(to - from));
}

static void finish_field(csv_decoder *d, csv_field *f, const char *s, const char *p)
{
    if (f->p) {
        f->p = s;
        f->len = (uint32_t)(p - s);
    } else {
        sb_append(&d->scratch, s, (size_t)(p - s));
        f->len = (uint32_t)(d->scratch.len - f->off);
    }
}

static int is_char(unsigned char c, int want) { return want >= 0 && c == (unsigned)want; }

/* An unquoted field: up to the delimiter or the line end. */
static void parse_plain(csv_decoder *d, const char **pp, const char *end, csv_field *f, uint32_t *nlines)
{
    const char *p = *pp, *s = p;
    const uint8_t *stops = d->stops_plain;
    const int esc = d->o.escape;
    for (;;) {
        const char *run = p;
        while (p < end && !stops[(unsigned char)*p]) p++;
        if (p > run) f->escaped_end = 0;
        if (p == end || !is_char((unsigned char)*p, esc)) break;
        to_scratch(d, f, s, p);
        p++;
        if (p == end) { s = p; break; }
        *nlines += *p == '\n';
        sb_putc(&d->scratch, *p++);
        s = p;
        f->escaped_end = 1;
    }
    finish_field(d, f, s, p);
    *pp = p;
}

/* A quoted field, from its opening quote to just past the closing one. */
static int parse_quoted(csv_decoder *d, const char **pp, const char *end, int eof, csv_field *f, uint32_t *nlines)
{
    const char *p = *pp + 1, *s = p;
    const int quote = d->o.quote;
    const uint8_t *stops = d->stops_quoted;
    f->quoted = 1;
    for (;;) {
        while (p < end && !stops[(unsigned char)*p]) p++;
        if (p < end && *p == '\n') {
            (*nlines)++;
            p++;
            continue;
        }
        if (p == end) {
            if (!eof) return REC_MORE;
            sb_clear(&d->msg);
            sb_puts(&d->msg, "unterminated quoted field");
            *pp = p;
            return REC_BAD;
        }
        if (is_char((unsigned char)*p, quote)) {
            if (p + 1 == end && !eof) return REC_MORE;
            if (p + 1 < end && p[1] == *p) {
                to_scratch(d, f, s, p + 1);
                p += 2;
                s = p;
                continue;
            }
            finish_field(d, f, s, p);
            *pp = p + 1;
            return REC_OK;
        }
        to_scratch(d, f, s, p);
        p++;
        if (p == end) {
            if (!eof) return REC_MORE;
            s = p;
            continue;
        }
        *nlines += *p == '\n';
        sb_putc(&d->scratch, *p);
        s = ++p;
    }
}

/* A '\r' that ends an unquoted last field is part of a "\r\n" line end, unless escaped. */
static void strip_cr(csv_decoder *d, csv_field *f)
{
    if (f->quoted || f->escaped_end || !f->len) return;
    const char *last = f->p ? f->p + f->len - 1 : d->scratch.data + f->off + f->len - 1;
    if (*last == '\r') f->len--;
}

/* After a closing quote: "\r\n", or "\r" at the very end, ends the line like "\n". */
static const char *skip_cr(const char *p, const char *end, int eof)
{
    if (p < end && *p == '\r' && ((p + 1 < end && p[1] == '\n') || (p + 1 == end && eof))) return p + 1;
    return p;
}

/* Resynchronise after a bad record: skip to the next line. */
static int skip_rest_of_line(const char *p, const char *end, int eof, csv_record *rec)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl && !eof) return REC_MORE;
    rec->next = nl ? nl + 1 : end;
    rec->nlines += nl != NULL;
    return REC_BAD;
}

static int parse_record(csv_decoder *d, const char *p, const char *end, int eof, csv_record *rec)
{
    d->nfields = 0;
    sb_clear(&d->scratch);
    rec->nlines = 0;
    for (;;) {
        csv_field *f = new_field(d, p);
        if (p < end && is_char((unsigned char)*p, d->o.quote)) {
            int r = parse_quoted(d, &p, end, eof, f, &rec->nlines);
            if (r == REC_MORE) return r;
            if (r == REC_BAD) { rec->next = end; return r; }
            p = skip_cr(p, end, eof);
        } else {
            parse_plain(d, &p, end, f, &rec->nlines);
        }
        if (p < end && (unsigned char)*p == d->o.delim) { p++; continue; }
        if (p < end && *p == '\n') {
            strip_cr(d, f);
            rec->nlines++;
            rec->next = p + 1;
            return REC_OK;
        }
        if (p == end) {
            if (!eof) return REC_MORE;
            strip_cr(d, f);
            rec->next = end;
            return REC_OK;
        }
        sb_clear(&d->msg);
        sb_printf(&d->msg, "unexpected character '%c' after the closing quote of field %u", *p, d->nfields);
        return skip_rest_of_line(p, end, eof, rec);
    }
}

static void field_text(const csv_decoder *d, const csv_field *f, const char **s, size_t *n)
{
    *s = f->p ? f->p : d->scratch.data + f->off;
    *n = f->len;
}

static void describe_bad_field(csv_decoder *d, uint32_t col, const char *text, size_t n)
{
    char tn[64];
    sb_clear(&d->msg);
    sb_printf(&d->msg, "field '%s' (%s): cannot parse '", d->schema->names[col],
              type_name(d->schema->types[col], tn, sizeof tn));
    format_excerpt(text, n, &d->msg);
    sb_putc(&d->msg, '\'');
}

/* The common BIGINT field: an optional '-' and 1 to 18 digits (no overflow possible), read
 * without value_parse. 0 for anything else (value_parse then decides). */
static int plain_i64(const char *s, size_t n, int64_t *out)
{
    size_t i = n && s[0] == '-';
    if (n <= i || n - i > 18) return 0;
    int64_t v = 0;
    for (size_t k = i; k < n; k++) {
        unsigned d = (unsigned)(unsigned char)s[k] - '0';
        if (d > 9) return 0;
        v = v * 10 + (int64_t)d;
    }
    *out = i ? -v : v;
    return 1;
}

/* Parse the record's fields into row out->nrows; on failure describe it in d->msg. */
static int fill_row(csv_decoder *d, chunk_t *out)
{
    if (d->nfields != out->ncols) {
        sb_clear(&d->msg);
        sb_printf(&d->msg, "expected %u fields, found %u", out->ncols, d->nfields);
        return -1;
    }
    uint32_t r = out->nrows;
    for (uint32_t i = 0; i < out->ncols; i++) {
        vector_t *v = &out->cols[i];
        const char *s;
        size_t n;
        field_text(d, &d->fields[i], &s, &n);
        int is_null = (n == 0 && v->type.id != TY_STRING) ||
                      (d->o.null_literal && n == d->o.null_len && memcmp(s, d->o.null_literal, n) == 0);
        if (!is_null && v->type.id == TY_BIGINT && plain_i64(s, n, &v->i64[r])) {
            v->nulls[r] = 0;
            continue;
        }
        value_t val;
        if (is_null) {
            val = value_null();
        } else if (value_parse(v->type, s, n, &val, &out->arena)) {
            describe_bad_field(d, i, s, n);
            return -1;
        }
        format_fit_decimal(v->type, &val);
        vector_set(v, r, &val, NULL);
    }
    return 0;
}

/* A bad record: fail (the error names where it came from) or count it as skipped. */
static int reject(csv_decoder *d, uint64_t line)
{
    if (d->o.ignore_errors) {
        d->base.skipped++;
        return 0;
    }
    sb_t where = {0};
    decoder_where(&d->base, line, &where);
    err_msg("malformed CSV %s at %s: %s", d->base.topic ? "record" : "row", sb_str(&where), sb_str(&d->msg));
    sb_free(&where);
    return -1;
}

static int is_blank(const csv_decoder *d)
{
    return d->nfields == 1 && d->fields[0].len == 0 && !d->fields[0].quoted;
}

static int64_t csv_decode(decoder_t *base, const char *buf, size_t len, int eof, chunk_t *out)
{
    csv_decoder *d = (csv_decoder *)base;
    const char *p = buf, *end = buf + len;
    p += decoder_skip_bom(&d->base, buf, len, eof);
    while (p < end && out->nrows < out->cap) {
        if (d->o.allow_comments && *p == '#') {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            if (!nl && !eof) break;
            p = nl ? nl + 1 : end;
            d->base.line += nl != NULL;
            continue;
        }
        csv_record rec;
        uint64_t line = d->base.line;
        int r = parse_record(d, p, end, eof, &rec);
        if (r == REC_MORE) break;
        p = rec.next;
        d->base.line += rec.nlines;
        if (r == REC_BAD) {
            if (reject(d, line)) return -1;
            continue;
        }
        if (is_blank(d)) continue;
        if (d->base.file_start) {
            d->base.file_start = 0;
            if (d->o.skip_first) continue;
        }
        if (fill_row(d, out)) {
            if (reject(d, line)) return -1;
            continue;
        }
        out->ops[out->nrows++] = OP_INSERT;
    }
    return p - buf;
}

/* Only line breaks (and a '\r' before one) after the record. */
static int only_line_ends(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p != '\n' && *p != '\r') return 0;
    return 1;
}

/* A message is one record; a line end after it is tolerated, a second record is not. A
 * blank message, like a blank line, holds no row; so does a comment under allow-comments. */
static int csv_decode_message(decoder_t *base, const char *buf, size_t len, chunk_t *out)
{
    csv_decoder *d = (csv_decoder *)base;
    if (!buf) return 0;
    const char *end = buf + len;
    if (d->o.allow_comments && len && buf[0] == '#') return 0;
    if (out->nrows >= out->cap) return -2;
    csv_record rec;
    if (parse_record(d, buf, end, 1, &rec) == REC_BAD) return reject(d, 1);
    if (is_blank(d) && only_line_ends(rec.next, end)) return 0;
    if (!only_line_ends(rec.next, end)) {
        sb_clear(&d->msg);
        sb_printf(&d->msg, "a message must hold one record, but another one starts at line %u", rec.nlines + 1);
        return reject(d, 1);
    }
    if (fill_row(d, out)) return reject(d, 1);
    out->ops[out->nrows++] = OP_INSERT;
    return 1;
}

static void csv_decoder_free(decoder_t *base)
{
    csv_decoder *d = (csv_decoder *)base;
    free(d->fields);
    sb_free(&d->scratch);
    sb_free(&d->msg);
    free(d);
}

static const decoder_vtable csv_decoder_vt = {csv_decode, csv_decoder_free, csv_decode_message};

static decoder_t *csv_create_decoder(const connector_table *t)
{
    csv_opts o;
    if (read_opts(t, &o)) return NULL;
    csv_decoder *d = xcalloc(1, sizeof *d);
    d->base.vt = &csv_decoder_vt;
    d->o = o;
    d->schema = &t->physical;
    d->stops_plain[o.delim] = d->stops_plain['\n'] = 1;
    d->stops_quoted['\n'] = 1;
    if (o.quote >= 0) d->stops_quoted[o.quote] = 1;
    if (o.escape >= 0) d->stops_plain[o.escape] = d->stops_quoted[o.escape] = 1;
    decoder_begin(&d->base, NULL);
    return &d->base;
}

/* ---- encoder ---- */

typedef struct csv_encoder {
    encoder_t base;
    csv_opts o;
    sb_t text;                   /* one field's text */
} csv_encoder;

static void field_to_text(type_t t, const value_t *v, sb_t *out)
{
    switch (t.id) {
    case TY_BOOLEAN: sb_puts(out, v->i ? "true" : "false"); break;
    case TY_TIMESTAMP: format_timestamp_text(v->i, ' ', 0, out); break;
    case TY_TIMESTAMP_LTZ: format_timestamp_text(v->i, ' ', 1, out); break;
    default: value_format(t, v, out); break;
    }
}

static int needs_quotes(const csv_opts *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == o->delim || c == '\n' || c == '\r' || is_char(c, o->quote) || is_char(c, o->escape)) return 1;
    }
    return 0;
}

static void write_field(const csv_opts *o, const char *s, size_t n, sb_t *out)
{
    if (!needs_quotes(o, s, n)) {
        sb_append(out, s, n);
        return;
    }
    if (o->quote >= 0) {
        sb_putc(out, (char)o->quote);
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            if (is_char(c, o->quote)) sb_putc(out, (char)o->quote);
            else if (is_char(c, o->escape)) sb_putc(out, (char)o->escape);
            sb_putc(out, s[i]);
        }
        sb_putc(out, (char)o->quote);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (o->escape >= 0 && (c == o->delim || c == '\n' || c == '\r' || is_char(c, o->escape)))
            sb_putc(out, (char)o->escape);
        sb_putc(out, s[i]);
    }
}

static void encode_row(csv_encoder *e, const chunk_t *c, uint32_t r, sb_t *out)
{
    for (uint32_t i = 0; i < c->ncols; i++) {
        if (i) sb_putc(out, (char)e->o.delim);
        value_t v;
        vector_get(&c->cols[i], r, &v);
        if (v.null) {
            if (e->o.null_literal) sb_append(out, e->o.null_literal, e->o.null_len);
            continue;
        }
        sb_clear(&e->text);
        field_to_text(c->cols[i].type, &v, &e->text);
        write_field(&e->o, e->text.data ? e->text.data : "", e->text.len, out);
    }
}

static int csv_encode(encoder_t *base, const chunk_t *c, sb_t *out)
{
    csv_encoder *e = (csv_encoder *)base;
    uint32_t live = chunk_live(c);
    for (uint32_t k = 0; k < live; k++) {
        encode_row(e, c, chunk_row(c, k), out);
        sb_putc(out, '\n');
    }
    return 0;
}

static int csv_encode_each(encoder_t *base, const chunk_t *c, sb_t *out, uint32_t *ends)
{
    csv_encoder *e = (csv_encoder *)base;
    uint32_t live = chunk_live(c);
    for (uint32_t k = 0; k < live; k++) {
        encode_row(e, c, chunk_row(c, k), out);
        ends[k] = (uint32_t)out->len;
    }
    return 0;
}

static void csv_encoder_free(encoder_t *base)
{
    csv_encoder *e = (csv_encoder *)base;
    sb_free(&e->text);
    free(e);
}

static const encoder_vtable csv_encoder_vt = {csv_encode, csv_encoder_free, csv_encode_each};

static encoder_t *csv_create_encoder(const connector_table *t)
{
    csv_opts o;
    if (read_opts(t, &o)) return NULL;
    csv_encoder *e = xcalloc(1, sizeof *e);
    e->base.vt = &csv_encoder_vt;
    e->o = o;
    return &e->base;
}

const format_def format_csv = {"csv", csv_options, csv_create_decoder, csv_create_encoder, 0};
