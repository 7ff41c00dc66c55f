/* json.c - the 'json' format (Flink's JSON format options): one JSON object per line.
 *
 * Decoding: a hand-written parser reads each line's object; members are matched to columns
 * by name (case-sensitive, as in Flink) and unknown members are skipped. A missing member
 * is NULL, or an error under json.fail-on-missing-field. Numbers go into INT / BIGINT /
 * DOUBLE / DECIMAL (a quoted number works too; a DECIMAL with more digits than its precision
 * is NULL, as in Flink), booleans into BOOLEAN, strings into STRING and, parsed, into DATE /
 * TIMESTAMP / TIMESTAMP_LTZ in json.timestamp-format.standard ('SQL': "2020-12-30
 * 12:13:14.123", 'ISO-8601': "2020-12-30T12:13:14.123"; LTZ values end in 'Z'). A nested
 * object or array in a STRING column becomes its raw JSON text. Strings without escapes are
 * parsed in place; strings with escapes are unescaped into a scratch buffer. A malformed
 * line fails the job with file:line:column, or is skipped and counted under
 * json.ignore-parse-errors.
 *
 * Encoding writes {"col":value,...} per row, TIMESTAMP_LTZ as UTC with 'Z', DECIMAL as a
 * plain number, NaN and infinities as strings, NULL as null (left out under
 * json.encode.ignore-null-fields). */
#include "connect/format.h"
#include "base/util.h"
#include <math.h>
#include <stdlib.h>

static const char *const json_options[] = {
    "json.fail-on-missing-field", "json.ignore-parse-errors", "json.timestamp-format.standard",
    "json.map-null-key.mode", "json.map-null-key.literal", "json.encode.decimal-as-plain-number",
    "json.encode.ignore-null-fields", NULL,
};

static const char *const ts_standards[] = {"SQL", "ISO-8601", NULL};
enum { TS_SQL, TS_ISO };

typedef struct json_opts {
    int fail_missing;
    int ignore_errors;
    int ts_standard;             /* TS_SQL or TS_ISO */
    int ignore_null_fields;
} json_opts;

static int read_opts(const connector_table *t, json_opts *o)
{
    static const char *const null_key_modes[] = {"FAIL", "DROP", "LITERAL", NULL};
    int mode, plain;
    if (table_opt_bool(t, "json.fail-on-missing-field", 0, &o->fail_missing) ||
        table_opt_bool(t, "json.ignore-parse-errors", 0, &o->ignore_errors) ||
        table_opt_enum(t, "json.timestamp-format.standard", ts_standards, TS_SQL, &o->ts_standard) ||
        table_opt_enum(t, "json.map-null-key.mode", null_key_modes, 0, &mode) ||
        table_opt_bool(t, "json.encode.decimal-as-plain-number", 0, &plain) ||
        table_opt_bool(t, "json.encode.ignore-null-fields", 0, &o->ignore_null_fields))
        return -1;
    if (o->fail_missing && o->ignore_errors)
        return err_at(table_opt_entry(t, "json.fail-on-missing-field")->value_span,
                      "json.fail-on-missing-field and json.ignore-parse-errors cannot both be true");
    return 0;
}

/* ---- parser ---- */

enum jtok { J_STRING, J_NUMBER, J_TRUE, J_FALSE, J_NULL, J_NESTED };

typedef struct jvalue {
    enum jtok kind;
    const char *s;               /* text: unescaped string, number, or raw nested JSON */
    size_t n;
    int integral;                /* J_NUMBER without fraction or exponent */
} jvalue;

typedef struct json_decoder {
    decoder_t base;
    json_opts o;
    const schema_t *schema;      /* the table's physical columns (borrowed) */
    uint32_t *name_len;          /* strlen of each column name */
    uint8_t *seen;               /* per column: set by the current line */
    uint32_t next_guess;         /* column expected next (members usually come in order) */
    sb_t scratch;                /* the unescaped string being read */
    sb_t msg;                    /* what is wrong with the current line */
    const char *line;            /* start of the current line, for columns in messages */
} json_decoder;

typedef struct jcur {
    const char *p, *end;
} jcur;

static void skip_ws(jcur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n')) c->p++;
}

static int fail(json_decoder *d, const jcur *c, const char *what)
{
    sb_clear(&d->msg);
    sb_printf(&d->msg, "%s at column %ld", what, (long)(c->p - d->line) + 1);
    return -1;
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char ch = p[i];
        v <<= 4;
        if (ch >= '0' && ch <= '9') v |= (unsigned)(ch - '0');
        else if (ch >= 'a' && ch <= 'f') v |= (unsigned)(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F') v |= (unsigned)(ch - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static void put_utf8(sb_t *b, unsigned cp)
{
    char u[4];
    if (cp < 0x80) { sb_putc(b, (char)cp); return; }
    if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3F));
        sb_append(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[2] = (char)(0x80 | (cp & 0x3F));
        sb_append(b, u, 3);
    } else {
        u[0] = (char)(0xF0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F));
        sb_append(b, u, 4);
    }
}

/* "\uD83D\uDE00" style escapes, c->p just past "\u". */
static int read_unicode_escape(json_decoder *d, jcur *c)
{
    unsigned cp, lo;
    if (c->end - c->p < 4 || hex4(c->p, &cp)) return fail(d, c, "invalid \\u escape");
    c->p += 4;
    if (cp >= 0xD800 && cp <= 0xDBFF && c->end - c->p >= 6 && c->p[0] == '\\' && c->p[1] == 'u' &&
        hex4(c->p + 2, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        c->p += 6;
    }
    put_utf8(&d->scratch, cp);
    return 0;
}

static int read_escape(json_decoder *d, jcur *c)
{
    if (c->p == c->end) return fail(d, c, "unterminated string");
    char e = *c->p++;
    switch (e) {
    case '"': case '\\': case '/': sb_putc(&d->scratch, e); return 0;
    case 'b': sb_putc(&d->scratch, '\b'); return 0;
    case 'f': sb_putc(&d->scratch, '\f'); return 0;
    case 'n': sb_putc(&d->scratch, '\n'); return 0;
    case 'r': sb_putc(&d->scratch, '\r'); return 0;
    case 't': sb_putc(&d->scratch, '\t'); return 0;
    case 'u': return read_unicode_escape(d, c);
    default: c->p--; return fail(d, c, "invalid escape in string");
    }
}

/* A string at c->p (the opening quote): a view of the line when it has no escapes. */
static int read_string(json_decoder *d, jcur *c, const char **s, size_t *n)
{
    const char *start = ++c->p;
    while (c->p < c->end && *c->p != '"' && *c->p != '\\') c->p++;
    if (c->p < c->end && *c->p == '"') {
        *s = start;
        *n = (size_t)(c->p - start);
        c->p++;
        return 0;
    }
    sb_clear(&d->scratch);
    sb_append(&d->scratch, start, (size_t)(c->p - start));
    for (;;) {
        if (c->p == c->end) return fail(d, c, "unterminated string");
        char ch = *c->p++;
        if (ch == '"') break;
        if (ch != '\\') { sb_putc(&d->scratch, ch); continue; }
        if (read_escape(d, c)) return -1;
    }
    *s = d->scratch.data ? d->scratch.data : "";
    *n = d->scratch.len;
    return 0;
}

static int read_number(json_decoder *d, jcur *c, jvalue *v)
{
    const char *p = c->p, *e = c->end;
    v->integral = 1;
    if (p < e && *p == '-') p++;
    const char *digits = p;
    while (p < e && *p >= '0' && *p <= '9') p++;
    if (p == digits) return fail(d, c, "invalid number");
    if (p < e && *p == '.') {
        v->integral = 0;
        const char *f = ++p;
        while (p < e && *p >= '0' && *p <= '9') p++;
        if (p == f) return fail(d, c, "invalid number");
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        v->integral = 0;
        p++;
        if (p < e && (*p == '+' || *p == '-')) p++;
        const char *x = p;
        while (p < e && *p >= '0' && *p <= '9') p++;
        if (p == x) return fail(d, c, "invalid number");
    }
    v->kind = J_NUMBER;
    v->s = c->p;
    v->n = (size_t)(p - c->p);
    c->p = p;
    return 0;
}

/* Skips a nested object or array, leaving its raw text in v. */
static int read_nested(json_decoder *d, jcur *c, jvalue *v)
{
    const char *start = c->p;
    int depth = 0;
    while (c->p < c->end) {
        char ch = *c->p++;
        if (ch == '{' || ch == '[') depth++;
        else if (ch == '}' || ch == ']') {
            if (--depth == 0) {
                v->kind = J_NESTED;
                v->s = start;
                v->n = (size_t)(c->p - start);
                return 0;
            }
        } else if (ch == '"') {
            while (c->p < c->end && *c->p != '"') c->p += *c->p == '\\' && c->end - c->p > 1 ? 2 : 1;
            if (c->p >= c->end) break;
            c->p++;
        }
    }
    c->p = c->end;
    return fail(d, c, "unterminated object or array");
}

static int read_literal(json_decoder *d, jcur *c, const char *word, enum jtok kind, jvalue *v)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0) return fail(d, c, "invalid value");
    v->kind = kind;
    v->s = c->p;
    v->n = n;
    c->p += n;
    return 0;
}

static int read_value(json_decoder *d, jcur *c, jvalue *v)
{
    if (c->p == c->end) return fail(d, c, "expected a value");
    switch (*c->p) {
    case '"': v->kind = J_STRING; return read_string(d, c, &v->s, &v->n);
    case '{': case '[': return read_nested(d, c, v);
    case 't': return read_literal(d, c, "true", J_TRUE, v);
    case 'f': return read_literal(d, c, "false", J_FALSE, v);
    case 'n': return read_literal(d, c, "null", J_NULL, v);
    default: return read_number(d, c, v);
    }
}

/* ---- values into columns ---- */

static int find_column(json_decoder *d, const char *key, size_t n)
{
    uint32_t nc = d->schema->ncols;
    for (uint32_t k = 0; k < nc; k++) {
        uint32_t i = (d->next_guess + k) % nc;
        if (d->name_len[i] == n && memcmp(d->schema->names[i], key, n) == 0) {
            d->next_guess = i + 1;
            return (int)i;
        }
    }
    return -1;
}

static const char *const jtok_names[] = {"a string", "a number", "true", "false", "null", "an object or array"};

static int bad_value(json_decoder *d, uint32_t col, const jvalue *v, const char *why)
{
    char tn[64];
    sb_clear(&d->msg);
    sb_printf(&d->msg, "field '%s' (%s): ", d->schema->names[col], type_name(d->schema->types[col], tn, sizeof tn));
    if (why) {
        sb_printf(&d->msg, "%s", why);
        return -1;
    }
    sb_puts(&d->msg, "cannot parse '");
    format_excerpt(v->s, v->n, &d->msg);
    sb_putc(&d->msg, '\'');
    return -1;
}

/* A JSON number with a fraction or exponent into INT/BIGINT: truncated, like Jackson. */
static int number_to_integer(type_t t, const jvalue *v, value_t *out)
{
    char buf[128];
    if (v->n >= sizeof buf) return -1;
    memcpy(buf, v->s, v->n);
    buf[v->n] = 0;
    double f = trunc(strtod(buf, NULL));
    double lo = t.id == TY_INT ? (double)INT32_MIN : -9223372036854775808.0;
    double hi = t.id == TY_INT ? (double)INT32_MAX : 9223372036854775807.0;
    if (!(f >= lo && f < hi + 1)) return -1;
    *out = value_i64((int64_t)f);
    return 0;
}

static int timestamp_style_ok(const json_decoder *d, const jvalue *v)
{
    const char *sep = NULL;
    for (size_t i = 0; i < v->n && !sep; i++)
        if (v->s[i] == ' ' || v->s[i] == 'T') sep = v->s + i;
    return !sep || *sep == (d->o.ts_standard == TS_ISO ? 'T' : ' ');
}

static int value_into(json_decoder *d, chunk_t *out, uint32_t col, const jvalue *v)
{
    vector_t *vec = &out->cols[col];
    type_t t = vec->type;
    value_t val;
    if (v->kind == J_NULL) {
        vector_set(vec, out->nrows, &(value_t){.null = 1}, NULL);
        return 0;
    }
    if (t.id == TY_STRING) {
        val = value_null();
        val.null = 0;
        val.s = str_copy(&out->arena, v->s, (uint32_t)v->n);
    } else if (v->kind == J_NESTED) {
        return bad_value(d, col, v, "expected a scalar value, found an object or array");
    } else if (t.id == TY_BOOLEAN && (v->kind == J_TRUE || v->kind == J_FALSE)) {
        val = value_i64(v->kind == J_TRUE);
    } else if ((v->kind == J_TRUE || v->kind == J_FALSE) || (v->kind == J_NUMBER && !type_is_numeric(t) &&
                                                                t.id != TY_BOOLEAN)) {
        sb_t why = {0};
        sb_printf(&why, "expected %s, found %s", type_is_numeric(t) ? "a number" : "a string", jtok_names[v->kind]);
        bad_value(d, col, v, sb_str(&why));
        sb_free(&why);
        return -1;
    } else if (v->kind == J_NUMBER && !v->integral && type_is_integer(t)) {
        if (number_to_integer(t, v, &val)) return bad_value(d, col, v, NULL);
    } else {
        if (type_is_timestamp(t) && !timestamp_style_ok(d, v)) {
            bad_value(d, col, v, NULL);
            sb_printf(&d->msg, " (json.timestamp-format.standard is '%s')", ts_standards[d->o.ts_standard]);
            return -1;
        }
        if (value_parse(t, v->s, v->n, &val, &out->arena)) return bad_value(d, col, v, NULL);
        format_fit_decimal(t, &val);
    }
    vector_set(vec, out->nrows, &val, NULL);
    return 0;
}

static int expect(json_decoder *d, jcur *c, char ch, const char *what)
{
    skip_ws(c);
    if (c->p < c->end && *c->p == ch) { c->p++; return 0; }
    return fail(d, c, what);
}

static int read_member(json_decoder *d, jcur *c, chunk_t *out)
{
    const char *key;
    size_t klen;
    skip_ws(c);
    if (c->p == c->end || *c->p != '"') return fail(d, c, "expected a member name in double quotes");
    if (read_string(d, c, &key, &klen)) return -1;
    int col = find_column(d, key, klen);
    if (expect(d, c, ':', "expected ':' after a member name")) return -1;
    skip_ws(c);
    jvalue v;
    if (read_value(d, c, &v)) return -1;
    if (col < 0) return 0;
    d->seen[col] = 1;
    return value_into(d, out, (uint32_t)col, &v);
}

static int fill_missing(json_decoder *d, chunk_t *out)
{
    for (uint32_t i = 0; i < out->ncols; i++) {
        if (d->seen[i]) continue;
        if (d->o.fail_missing) {
            sb_clear(&d->msg);
            sb_printf(&d->msg, "missing field '%s' (json.fail-on-missing-field is true)", d->schema->names[i]);
            return -1;
        }
        vector_set(&out->cols[i], out->nrows, &(value_t){.null = 1}, NULL);
    }
    return 0;
}

/* One line holding one object into row out->nrows. */
static int parse_line(json_decoder *d, const char *line, const char *end, chunk_t *out)
{
    jcur c = {line, end};
    d->line = line;
    d->next_guess = 0;
    memset(d->seen, 0, out->ncols);
    if (expect(d, &c, '{', "expected '{' (each line must hold one JSON object)")) return -1;
    skip_ws(&c);
    if (c.p < c.end && *c.p == '}') {
        c.p++;
    } else {
        for (;;) {
            if (read_member(d, &c, out)) return -1;
            skip_ws(&c);
            if (c.p < c.end && *c.p == ',') { c.p++; continue; }
            if (c.p < c.end && *c.p == '}') { c.p++; break; }
            return fail(d, &c, "expected ',' or '}'");
        }
    }
    skip_ws(&c);
    if (c.p != c.end) return fail(d, &c, "unexpected text after the object");
    return fill_missing(d, out);
}

static int is_blank_line(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r') return 0;
    return 1;
}

static int64_t json_decode(decoder_t *base, const char *buf, size_t len, int eof, chunk_t *out)
{
    json_decoder *d = (json_decoder *)base;
    const char *p = buf, *end = buf + len;
    p += decoder_skip_bom(&d->base, buf, len, eof);
    while (p < end && out->nrows < out->cap) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl && !eof) break;
        const char *line_end = nl ? nl : end;
        uint64_t line = d->base.line;
        const char *line_start = p;
        p = nl ? nl + 1 : end;
        d->base.line += nl != NULL;
        d->base.file_start = 0;
        if (is_blank_line(line_start, line_end)) continue;
        if (parse_line(d, line_start, line_end, out) == 0) {
            out->ops[out->nrows++] = OP_INSERT;
            continue;
        }
        if (d->o.ignore_errors) {
            d->base.skipped++;
            continue;
        }
        return err_msg("malformed JSON row at %s:%llu: %s", d->base.file ? d->base.file : "<input>",
                       (unsigned long long)line, sb_str(&d->msg));
    }
    return p - buf;
}

static void json_decoder_free(decoder_t *base)
{
    json_decoder *d = (json_decoder *)base;
    free(d->name_len);
    free(d->seen);
    sb_free(&d->scratch);
    sb_free(&d->msg);
    free(d);
}

static const decoder_vtable json_decoder_vt = {json_decode, json_decoder_free};

static decoder_t *json_create_decoder(const connector_table *t)
{
    json_opts o;
    if (read_opts(t, &o)) return NULL;
    json_decoder *d = xcalloc(1, sizeof *d);
    d->base.vt = &json_decoder_vt;
    d->o = o;
    d->schema = &t->physical;
    d->name_len = xcalloc(t->physical.ncols, sizeof *d->name_len);
    d->seen = xcalloc(t->physical.ncols, 1);
    for (uint32_t i = 0; i < t->physical.ncols; i++) d->name_len[i] = (uint32_t)strlen(t->physical.names[i]);
    decoder_begin(&d->base, NULL);
    return &d->base;
}

/* ---- encoder ---- */

typedef struct json_encoder {
    encoder_t base;
    json_opts o;
    const schema_t *schema;
    sb_t text;
} json_encoder;

static void put_json_string(const char *s, size_t n, sb_t *out)
{
    sb_putc(out, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        sb_append(out, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': sb_puts(out, "\\\""); break;
        case '\\': sb_puts(out, "\\\\"); break;
        case '\n': sb_puts(out, "\\n"); break;
        case '\r': sb_puts(out, "\\r"); break;
        case '\t': sb_puts(out, "\\t"); break;
        case '\b': sb_puts(out, "\\b"); break;
        case '\f': sb_puts(out, "\\f"); break;
        default: sb_printf(out, "\\u%04x", c); break;
        }
    }
    sb_append(out, s + run, n - run);
    sb_putc(out, '"');
}

static void put_json_value(json_encoder *e, type_t t, const value_t *v, sb_t *out)
{
    char sep = e->o.ts_standard == TS_ISO ? 'T' : ' ';
    sb_clear(&e->text);
    switch (t.id) {
    case TY_BOOLEAN: sb_puts(out, v->i ? "true" : "false"); return;
    case TY_INT: case TY_BIGINT: case TY_DECIMAL: value_format(t, v, out); return;
    case TY_DOUBLE:
        if (isfinite(v->f)) { format_java_double(v->f, out); return; }
        format_java_double(v->f, &e->text);
        break;
    case TY_STRING: put_json_string(str_ptr(&v->s), v->s.len, out); return;
    case TY_TIMESTAMP: format_timestamp_text(v->i, sep, 0, &e->text); break;
    case TY_TIMESTAMP_LTZ: format_timestamp_text(v->i, sep, 1, &e->text); break;
    default: value_format(t, v, &e->text); break;
    }
    put_json_string(e->text.data ? e->text.data : "", e->text.len, out);
}

static int json_encode(encoder_t *base, const chunk_t *c, sb_t *out)
{
    json_encoder *e = (json_encoder *)base;
    uint32_t live = chunk_live(c);
    for (uint32_t k = 0; k < live; k++) {
        uint32_t r = chunk_row(c, k);
        int n = 0;
        sb_putc(out, '{');
        for (uint32_t i = 0; i < c->ncols; i++) {
            value_t v;
            vector_get(&c->cols[i], r, &v);
            if (v.null && e->o.ignore_null_fields) continue;
            if (n++) sb_putc(out, ',');
            put_json_string(e->schema->names[i], strlen(e->schema->names[i]), out);
            sb_putc(out, ':');
            if (v.null) sb_puts(out, "null");
            else put_json_value(e, c->cols[i].type, &v, out);
        }
        sb_puts(out, "}\n");
    }
    return 0;
}

static void json_encoder_free(encoder_t *base)
{
    json_encoder *e = (json_encoder *)base;
    sb_free(&e->text);
    free(e);
}

static const encoder_vtable json_encoder_vt = {json_encode, json_encoder_free};

static encoder_t *json_create_encoder(const connector_table *t)
{
    json_opts o;
    if (read_opts(t, &o)) return NULL;
    json_encoder *e = xcalloc(1, sizeof *e);
    e->base.vt = &json_encoder_vt;
    e->o = o;
    e->schema = &t->physical;
    return &e->base;
}

const format_def format_json = {"json", json_options, json_create_decoder, json_create_encoder};
