/* json.c - the 'json' format (Flink's JSON format options), and the JSON reader and writer
 * that the debezium-json and canal-json formats share (json_internal.h).
 *
 * Decoding: a hand-written parser reads an object per record (a line of a file, or a whole
 * message, which may span lines); members are matched to columns by name (case-sensitive,
 * as in Flink) and unknown members are skipped. A missing member is NULL, or an error under
 * json.fail-on-missing-field. Numbers go into INT / BIGINT / DOUBLE / DECIMAL (a quoted
 * number works too; a DECIMAL with more digits than its precision is NULL, as in Flink),
 * booleans into BOOLEAN, strings into STRING and, parsed, into DATE / TIMESTAMP /
 * TIMESTAMP_LTZ in json.timestamp-format.standard ('SQL': "2020-12-30 12:13:14.123",
 * 'ISO-8601': "2020-12-30T12:13:14.123"; LTZ values end in 'Z'). A nested object or array in
 * a STRING column becomes its raw JSON text. Strings without escapes are read in place;
 * strings with escapes are unescaped into a scratch buffer. A row's member names are first
 * compared in place with the column expected next (members usually come in the table's
 * order), then looked up. Integers go straight into INT / BIGINT columns in one pass;
 * doubles that need no rounding are converted inline; the rest go through value_parse /
 * strtod. A malformed record fails the job with its origin (file:line, or Kafka
 * topic/partition/offset) and column, or is skipped and counted under
 * json.ignore-parse-errors.
 *
 * Encoding writes {"col":value,...} per row, TIMESTAMP_LTZ as UTC with 'Z', DECIMAL as Java's
 * BigDecimal.toString does (scientific below 1E-6 unless json.encode.decimal-as-plain-number),
 * NaN and infinities as strings, NULL as null (left out under json.encode.ignore-null-fields). */
#include "connect/json_internal.h"
#include "base/util.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const json_options[] = {
    "json.fail-on-missing-field", "json.ignore-parse-errors", "json.timestamp-format.standard",
    "json.map-null-key.mode", "json.map-null-key.literal", "json.encode.decimal-as-plain-number",
    "json.encode.ignore-null-fields", NULL,
};

const char *const json_ts_standard_names[] = {"SQL", "ISO-8601", NULL};

static void opt_key(char *buf, size_t cap, const char *prefix, const char *name)
{
    snprintf(buf, cap, "%s.%s", prefix, name);
}

int json_read_common_opts(const connector_table *t, const char *prefix, json_common_opts *o)
{
    static const char *const null_key_modes[] = {"FAIL", "DROP", "LITERAL", NULL};
    char k_ignore[64], k_ts[64], k_mode[64], k_plain[64];
    int mode;
    opt_key(k_ignore, sizeof k_ignore, prefix, "ignore-parse-errors");
    opt_key(k_ts, sizeof k_ts, prefix, "timestamp-format.standard");
    opt_key(k_mode, sizeof k_mode, prefix, "map-null-key.mode");
    opt_key(k_plain, sizeof k_plain, prefix, "encode.decimal-as-plain-number");
    o->prefix = prefix;
    return table_opt_bool(t, k_ignore, 0, &o->ignore_errors) ||
                   table_opt_enum(t, k_ts, json_ts_standard_names, JSON_TS_SQL, &o->ts_standard) ||
                   table_opt_enum(t, k_mode, null_key_modes, 0, &mode) ||
                   table_opt_bool(t, k_plain, 0, &o->decimal_plain)
               ? -1
               : 0;
}

/* ---- reader ---- */

void json_reader_init(json_reader *r, const schema_t *s, const json_common_opts *o)
{
    memset(r, 0, sizeof *r);
    r->schema = s;
    r->ts_standard = o->ts_standard;
    char key[64];
    opt_key(key, sizeof key, o->prefix, "timestamp-format.standard");
    r->ts_option = xstrdup(key);
    r->name_len = xcalloc(s->ncols ? s->ncols : 1, sizeof *r->name_len);
    r->seen = xcalloc(s->ncols ? s->ncols : 1, 1);
    r->name_plain = xcalloc(s->ncols ? s->ncols : 1, 1);
    for (uint32_t i = 0; i < s->ncols; i++) {
        r->name_len[i] = (uint32_t)strlen(s->names[i]);
        r->name_plain[i] = !strpbrk(s->names[i], "\"\\");
    }
}

void json_reader_free(json_reader *r)
{
    free((char *)r->ts_option);
    free(r->name_len);
    free(r->seen);
    free(r->name_plain);
    sb_free(&r->scratch);
    sb_free(&r->msg);
}

static const uint8_t ws_byte[256] = {[' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1};

static inline void skip_ws(jcur *c)
{
    while (c->p < c->end && ws_byte[(unsigned char)*c->p]) c->p++;
}

void json_skip_ws(jcur *c) { skip_ws(c); }

int json_fail(json_reader *r, const jcur *c, const char *what)
{
    const char *line_start = r->text;
    long line = 1;
    for (const char *q = r->text; q < c->p; q++)
        if (*q == '\n') {
            line++;
            line_start = q + 1;
        }
    sb_clear(&r->msg);
    if (line > 1) sb_printf(&r->msg, "%s at line %ld, column %ld", what, line, (long)(c->p - line_start) + 1);
    else sb_printf(&r->msg, "%s at column %ld", what, (long)(c->p - line_start) + 1);
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
static int read_unicode_escape(json_reader *r, jcur *c)
{
    unsigned cp, lo;
    if (c->end - c->p < 4 || hex4(c->p, &cp)) return json_fail(r, c, "invalid \\u escape");
    c->p += 4;
    if (cp >= 0xD800 && cp <= 0xDBFF && c->end - c->p >= 6 && c->p[0] == '\\' && c->p[1] == 'u' &&
        hex4(c->p + 2, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        c->p += 6;
    }
    put_utf8(&r->scratch, cp);
    return 0;
}

static int read_escape(json_reader *r, jcur *c)
{
    if (c->p == c->end) return json_fail(r, c, "unterminated string");
    char e = *c->p++;
    switch (e) {
    case '"': case '\\': case '/': sb_putc(&r->scratch, e); return 0;
    case 'b': sb_putc(&r->scratch, '\b'); return 0;
    case 'f': sb_putc(&r->scratch, '\f'); return 0;
    case 'n': sb_putc(&r->scratch, '\n'); return 0;
    case 'r': sb_putc(&r->scratch, '\r'); return 0;
    case 't': sb_putc(&r->scratch, '\t'); return 0;
    case 'u': return read_unicode_escape(r, c);
    default: c->p--; return json_fail(r, c, "invalid escape in string");
    }
}

static const uint8_t string_stop[256] = {['"'] = 1, ['\\'] = 1};

/* The first '"' or '\\' in [p, end), or end: byte by byte over a short string's first bytes
 * (cheaper than a library call), then with memchr. */
static inline const char *string_stop_at(const char *p, const char *end)
{
    const char *short_end = end - p > 32 ? p + 32 : end;
    for (; p < short_end; p++)
        if (string_stop[(unsigned char)*p]) return p;
    if (p == end) return end;
    const char *quote = memchr(p, '"', (size_t)(end - p));
    const char *stop = quote ? quote : end;
    const char *bs = memchr(p, '\\', (size_t)(stop - p));
    return bs ? bs : stop;
}

/* A string at c->p (the opening quote): a view of the input when it has no escapes. */
static int read_string(json_reader *r, jcur *c, const char **s, size_t *n)
{
    const char *start = ++c->p;
    const char *stop = string_stop_at(start, c->end);
    if (stop < c->end && *stop == '"') {
        *s = start;
        *n = (size_t)(stop - start);
        c->p = stop + 1;
        return 0;
    }
    c->p = stop;
    sb_clear(&r->scratch);
    sb_append(&r->scratch, start, (size_t)(c->p - start));
    for (;;) {
        if (c->p == c->end) return json_fail(r, c, "unterminated string");
        char ch = *c->p++;
        if (ch == '"') break;
        if (ch != '\\') { sb_putc(&r->scratch, ch); continue; }
        if (read_escape(r, c)) return -1;
    }
    *s = r->scratch.data ? r->scratch.data : "";
    *n = r->scratch.len;
    return 0;
}

static int read_number(json_reader *r, jcur *c, jvalue *v)
{
    const char *p = c->p, *e = c->end;
    v->integral = 1;
    if (p < e && *p == '-') p++;
    const char *digits = p;
    while (p < e && *p >= '0' && *p <= '9') p++;
    if (p == digits) return json_fail(r, c, "invalid number");
    if (p < e && *p == '.') {
        v->integral = 0;
        const char *f = ++p;
        while (p < e && *p >= '0' && *p <= '9') p++;
        if (p == f) return json_fail(r, c, "invalid number");
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        v->integral = 0;
        p++;
        if (p < e && (*p == '+' || *p == '-')) p++;
        const char *x = p;
        while (p < e && *p >= '0' && *p <= '9') p++;
        if (p == x) return json_fail(r, c, "invalid number");
    }
    v->kind = J_NUMBER;
    v->s = c->p;
    v->n = (size_t)(p - c->p);
    c->p = p;
    return 0;
}

/* Bytes that matter when skipping a nested value: brackets and the string quote. */
static const uint8_t nested_stop[256] = {['{'] = 1, ['}'] = 1, ['['] = 1, [']'] = 1, ['"'] = 1};

/* Past the string whose content starts at p: just after its closing quote, or NULL. */
static const char *skip_string(const char *p, const char *end)
{
    for (;;) {
        const char *q = memchr(p, '"', (size_t)(end - p));
        if (!q) return NULL;
        const char *b = q;
        while (b > p && b[-1] == '\\') b--;
        if ((q - b) % 2 == 0) return q + 1;
        p = q + 1;
    }
}

/* Skips a nested object or array, leaving its raw text in v. */
static int read_nested(json_reader *r, jcur *c, jvalue *v)
{
    const char *p = c->p, *end = c->end;
    int depth = 0;
    while (p < end) {
        while (p < end && !nested_stop[(unsigned char)*p]) p++;
        if (p == end) break;
        char ch = *p++;
        if (ch == '"') {
            p = skip_string(p, end);
            if (!p) break;
        } else if (ch == '{' || ch == '[') {
            depth++;
        } else if (--depth == 0) {
            v->kind = J_NESTED;
            v->s = c->p;
            v->n = (size_t)(p - c->p);
            c->p = p;
            return 0;
        }
    }
    c->p = end;
    return json_fail(r, c, "unterminated object or array");
}

static int read_literal(json_reader *r, jcur *c, const char *word, enum jtok kind, jvalue *v)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0) return json_fail(r, c, "invalid value");
    v->kind = kind;
    v->s = c->p;
    v->n = n;
    c->p += n;
    return 0;
}

int json_read_value(json_reader *r, jcur *c, jvalue *v)
{
    if (c->p == c->end) return json_fail(r, c, "expected a value");
    switch (*c->p) {
    case '"': v->kind = J_STRING; return read_string(r, c, &v->s, &v->n);
    case '{': case '[': return read_nested(r, c, v);
    case 't': return read_literal(r, c, "true", J_TRUE, v);
    case 'f': return read_literal(r, c, "false", J_FALSE, v);
    case 'n': return read_literal(r, c, "null", J_NULL, v);
    default: return read_number(r, c, v);
    }
}

int json_expect(json_reader *r, jcur *c, char ch, const char *what)
{
    skip_ws(c);
    if (c->p < c->end && *c->p == ch) { c->p++; return 0; }
    return json_fail(r, c, what);
}

/* Up to the next member's name: 1 with c at its opening quote, 0 past the closing '}', -1. */
static inline int member_start(json_reader *r, jcur *c, uint32_t count)
{
    skip_ws(c);
    if (count > 0) {
        if (c->p < c->end && *c->p == '}') { c->p++; return 0; }
        if (c->p == c->end || *c->p != ',') return json_fail(r, c, "expected ',' or '}'");
        c->p++;
        skip_ws(c);
    } else if (c->p < c->end && *c->p == '}') {
        c->p++;
        return 0;
    }
    if (c->p == c->end || *c->p != '"') return json_fail(r, c, "expected a member name in double quotes");
    return 1;
}

/* From just past a member's name to its value (white space skipped). */
static inline int member_value_start(json_reader *r, jcur *c, uint32_t *count)
{
    if (c->p < c->end && *c->p == ':') c->p++;
    else if (json_expect(r, c, ':', "expected ':' after a member name")) return -1;
    skip_ws(c);
    (*count)++;
    return 1;
}

int json_member_next(json_reader *r, jcur *c, uint32_t *count, const char **key, size_t *klen)
{
    int rc = member_start(r, c, *count);
    if (rc <= 0) return rc;
    if (read_string(r, c, key, klen)) return -1;
    return member_value_start(r, c, count);
}

int json_element_next(json_reader *r, jcur *c, uint32_t *count)
{
    skip_ws(c);
    if (c->p < c->end && *c->p == ']') {
        c->p++;
        return 0;
    }
    if (*count > 0) {
        if (c->p == c->end || *c->p != ',') return json_fail(r, c, "expected ',' or ']'");
        c->p++;
        skip_ws(c);
    }
    if (c->p == c->end || *c->p == ']' || *c->p == ',') return json_fail(r, c, "expected a value");
    (*count)++;
    return 1;
}

/* ---- values into columns ---- */

static int find_column(json_reader *r, const char *key, size_t n)
{
    uint32_t nc = r->schema->ncols;
    for (uint32_t k = 0; k < nc; k++) {
        uint32_t i = r->next_guess + k;
        if (i >= nc) i -= nc;
        if (r->name_len[i] == n && memcmp(r->schema->names[i], key, n) == 0) {
            r->next_guess = i + 1 < nc ? i + 1 : 0;
            return (int)i;
        }
    }
    return -1;
}

static const char *const jtok_names[] = {"a string", "a number", "true", "false", "null", "an object or array"};

static int bad_value(json_reader *r, uint32_t col, const jvalue *v, const char *why)
{
    char tn[64];
    sb_clear(&r->msg);
    sb_printf(&r->msg, "field '%s' (%s): ", r->schema->names[col], type_name(r->schema->types[col], tn, sizeof tn));
    if (why) {
        sb_puts(&r->msg, why);
        return -1;
    }
    sb_puts(&r->msg, "cannot parse '");
    format_excerpt(v->s, v->n, &r->msg);
    sb_putc(&r->msg, '\'');
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

/* Integral number text ("-123", at most 19 digits) into an int64; -1: out of range or
 * too long (the general path decides). */
static int integer_text(const char *s, size_t n, int64_t *out)
{
    int neg = s[0] == '-';
    const char *d = s + neg;
    size_t nd = n - (size_t)neg;
    if (nd > 19) return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < nd; i++) v = v * 10 + (uint64_t)(d[i] - '0');
    if (v > (neg ? UINT64_C(9223372036854775808) : UINT64_C(9223372036854775807))) return -1;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

/* Number text into a double when that needs no rounding beyond one IEEE operation (the
 * mantissa fits 53 bits, the power of ten is exact); -1: use strtod. */
static int double_fast(const char *s, size_t n, double *out)
{
    static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    size_t i = 0;
    int neg = s[0] == '-', digits = 0, exp10 = 0;
    uint64_t m = 0;
    i += (size_t)neg;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) m = m * 10 + (uint64_t)(s[i] - '0');
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++, exp10--) m = m * 10 + (uint64_t)(s[i] - '0');
    if (i < n) {
        int eneg = 0, e = 0;
        i++;
        if (s[i] == '+' || s[i] == '-') eneg = s[i++] == '-';
        for (; i < n; i++) {
            if (e > 1000) return -1;
            e = e * 10 + (s[i] - '0');
        }
        exp10 += eneg ? -e : e;
    }
    if (digits > 19 || m > (UINT64_C(1) << 53) || exp10 < -22 || exp10 > 22) return -1;
    double d = (double)m;
    d = exp10 < 0 ? d / p10[-exp10] : d * p10[exp10];
    *out = neg ? -d : d;
    return 0;
}

static int timestamp_style_ok(const json_reader *r, const jvalue *v)
{
    const char *sep = NULL;
    for (size_t i = 0; i < v->n && !sep; i++)
        if (v->s[i] == ' ' || v->s[i] == 'T') sep = v->s + i;
    return !sep || *sep == (r->ts_standard == JSON_TS_ISO ? 'T' : ' ');
}

/* Any value into any column: the general rules (see the file comment). */
static int value_into_general(json_reader *r, chunk_t *out, uint32_t row, uint32_t col, const jvalue *v)
{
    vector_t *vec = &out->cols[col];
    type_t t = vec->type;
    value_t val;
    if (v->kind == J_NESTED) return bad_value(r, col, v, "expected a scalar value, found an object or array");
    if (t.id == TY_BOOLEAN && (v->kind == J_TRUE || v->kind == J_FALSE)) {
        val = value_i64(v->kind == J_TRUE);
    } else if ((v->kind == J_TRUE || v->kind == J_FALSE) ||
               (v->kind == J_NUMBER && !type_is_numeric(t) && t.id != TY_BOOLEAN)) {
        char why[96];
        snprintf(why, sizeof why, "expected %s, found %s", type_is_numeric(t) ? "a number" : "a string",
                 jtok_names[v->kind]);
        return bad_value(r, col, v, why);
    } else if (v->kind == J_NUMBER && !v->integral && type_is_integer(t)) {
        if (number_to_integer(t, v, &val)) return bad_value(r, col, v, NULL);
    } else {
        if (type_is_timestamp(t) && !timestamp_style_ok(r, v)) {
            bad_value(r, col, v, NULL);
            sb_printf(&r->msg, " (%s is '%s')", r->ts_option, json_ts_standard_names[r->ts_standard]);
            return -1;
        }
        if (value_parse(t, v->s, v->n, &val, &out->arena)) return bad_value(r, col, v, NULL);
        format_fit_decimal(t, &val);
    }
    vector_set(vec, row, &val, NULL);
    return 0;
}

static int value_into(json_reader *r, chunk_t *out, uint32_t row, uint32_t col, const jvalue *v)
{
    vector_t *vec = &out->cols[col];
    if (v->kind == J_NULL) {
        vector_set(vec, row, &(value_t){.null = 1}, NULL);
        return 0;
    }
    switch (vec->type.id) {
    case TY_STRING:
        vec->nulls[row] = 0;
        vec->str[row] = str_copy(&out->arena, v->s, (uint32_t)v->n);
        return 0;
    case TY_INT:
    case TY_BIGINT:
        if (v->kind == J_NUMBER && v->integral) {
            int64_t x;
            if (integer_text(v->s, v->n, &x) == 0 && (vec->type.id == TY_BIGINT || (x >= INT32_MIN && x <= INT32_MAX))) {
                vec->nulls[row] = 0;
                vec->i64[row] = x;
                return 0;
            }
        }
        break;
    case TY_DOUBLE:
        if (v->kind == J_NUMBER) {
            double f;
            if (double_fast(v->s, v->n, &f) == 0) {
                vec->nulls[row] = 0;
                vec->f64[row] = f;
                return 0;
            }
        }
        break;
    default:
        break;
    }
    return value_into_general(r, out, row, col, v);
}

/* An integral number at c->p (at most 19 digits, in range) straight into an INT / BIGINT
 * column, read once instead of scanned, then converted: 1 when done, 0 for anything else
 * (c unchanged: the general path reads it and decides). */
static int integer_into(jcur *c, vector_t *vec, uint32_t row)
{
    if (vec->type.id != TY_BIGINT && vec->type.id != TY_INT) return 0;
    const char *p = c->p, *e = c->end;
    int neg = p < e && *p == '-';
    p += neg;
    const char *digits = p, *max_end = e - p > 19 ? p + 19 : e;
    uint64_t v = 0;
    for (; p < max_end && (unsigned)(*p - '0') < 10; p++) v = v * 10 + (uint64_t)(*p - '0');
    if (p == digits || (p < e && ((unsigned)(*p - '0') < 10 || *p == '.' || *p == 'e' || *p == 'E'))) return 0;
    if (v > (neg ? UINT64_C(9223372036854775808) : UINT64_C(9223372036854775807))) return 0;
    int64_t x = neg ? (int64_t)(0 - v) : (int64_t)v;
    if (vec->type.id == TY_INT && (x < INT32_MIN || x > INT32_MAX)) return 0;
    vec->nulls[row] = 0;
    vec->i64[row] = x;
    c->p = p;
    return 1;
}

void json_copy_row(chunk_t *out, uint32_t from, uint32_t to)
{
    for (uint32_t i = 0; i < out->ncols; i++) vector_copy_row(&out->cols[i], to, &out->cols[i], from, NULL);
}

static int fill_missing(json_reader *r, chunk_t *out, uint32_t row, enum json_missing missing, const char *fail_option)
{
    for (uint32_t i = 0; i < out->ncols; i++) {
        if (r->seen[i]) continue;
        if (missing == JSON_MISSING_KEEP) continue;
        if (missing == JSON_MISSING_FAIL) {
            sb_clear(&r->msg);
            sb_printf(&r->msg, "missing field '%s' (%s is true)", r->schema->names[i], fail_option);
            return -1;
        }
        vector_set(&out->cols[i], row, &(value_t){.null = 1}, NULL);
    }
    return 0;
}

/* json_member_next for json_read_row, giving the member's column (-1: none) instead of its
 * name. Members usually come in the table's order, so the name is first compared in place
 * with the column expected next (a name with '"' or '\\' is always read and looked up). */
static int member_column_next(json_reader *r, jcur *c, uint32_t *count, int *col)
{
    int rc = member_start(r, c, *count);
    if (rc <= 0) return rc;
    uint32_t g = r->next_guess, nc = r->schema->ncols;
    if (g < nc && r->name_plain[g]) {
        uint32_t n = r->name_len[g];
        const char *name = c->p + 1;
        if ((size_t)(c->end - name) > n && name[n] == '"' && memcmp(name, r->schema->names[g], n) == 0) {
            c->p = name + n + 1;
            r->next_guess = g + 1 < nc ? g + 1 : 0;
            *col = (int)g;
            return member_value_start(r, c, count);
        }
    }
    const char *key;
    size_t klen;
    if (read_string(r, c, &key, &klen)) return -1;
    *col = find_column(r, key, klen);
    return member_value_start(r, c, count);
}

int json_read_row(json_reader *r, jcur *c, chunk_t *out, uint32_t row, enum json_missing missing,
                  const char *fail_option)
{
    r->next_guess = 0;
    memset(r->seen, 0, out->ncols);
    if (json_expect(r, c, '{', "expected an object")) return -1;
    uint32_t count = 0;
    int more, col;
    while ((more = member_column_next(r, c, &count, &col)) > 0) {
        if (col >= 0 && integer_into(c, &out->cols[col], row)) {
            r->seen[col] = 1;
            continue;
        }
        jvalue v;
        if (json_read_value(r, c, &v)) return -1;
        if (col < 0) continue;
        r->seen[col] = 1;
        if (value_into(r, out, row, (uint32_t)col, &v)) return -1;
    }
    if (more < 0) return -1;
    return fill_missing(r, out, row, missing, fail_option);
}

/* ---- records and their origins ---- */

int json_bad_record(const decoder_t *d, const char *what, const char *msg)
{
    sb_t where = {0};
    decoder_where(d, d->line, &where);
    err_msg("malformed %s %s at %s: %s", what, d->topic ? "record" : "row", sb_str(&where), msg);
    sb_free(&where);
    return -1;
}

static int is_blank(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') return 0;
    return 1;
}

void json_overflow_free(json_overflow *ov)
{
    chunk_free(ov->rows);
    ov->rows = NULL;
}

/* Hands on rows of the record that did not fit, as many as out takes. */
static void drain_overflow(json_overflow *ov, chunk_t *out)
{
    if (!ov->rows) return;
    while (ov->next < ov->rows->nrows && out->nrows < out->cap) {
        chunk_append_row(out, ov->rows, ov->next, ov->rows->ops[ov->next]);
        ov->next++;
    }
    if (ov->next == ov->rows->nrows) {
        chunk_reset(ov->rows);
        ov->next = 0;
    }
}

/* Decodes a record too big for out's room into the overflow chunk, then hands on what fits. */
static int decode_into_overflow(decoder_t *d, json_overflow *ov, const schema_t *s, json_record_fn decode_record,
                                const char *rec, size_t len, chunk_t *out)
{
    if (ov->rows && ov->rows->cap < ov->need) json_overflow_free(ov);
    if (!ov->rows) ov->rows = chunk_new(s, MAX(ov->need, CHUNK_CAP));
    chunk_reset(ov->rows);
    ov->next = 0;
    int n = decode_record(d, rec, len, ov->rows);
    if (n == -2) return err_msg("internal error: a record of %s:%llu needs %u rows", d->file ? d->file : "<input>",
                                (unsigned long long)d->line, ov->need);
    if (n < 0) return -1;
    drain_overflow(ov, out);
    return 0;
}

int64_t json_decode_lines(decoder_t *d, json_overflow *ov, const schema_t *s, json_record_fn decode_record,
                          const char *buf, size_t len, int eof, chunk_t *out)
{
    const char *p = buf, *end = buf + len;
    drain_overflow(ov, out);
    p += decoder_skip_bom(d, buf, len, eof);
    while (p < end && out->nrows < out->cap) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl && !eof) break;
        const char *line_end = nl ? nl : end;
        const char *rec = p;
        d->file_start = 0;
        if (!is_blank(rec, line_end)) {
            int n = decode_record(d, rec, (size_t)(line_end - rec), out);
            if (n == -2) n = decode_into_overflow(d, ov, s, decode_record, rec, (size_t)(line_end - rec), out);
            if (n < 0) return -1;
        }
        p = nl ? nl + 1 : end;
        d->line += nl != NULL;
    }
    return p - buf;
}

/* ---- the json format ---- */

typedef struct json_opts {
    json_common_opts c;
    int fail_missing;
    int ignore_null_fields;
} json_opts;

static int read_opts(const connector_table *t, json_opts *o)
{
    if (json_read_common_opts(t, "json", &o->c) ||
        table_opt_bool(t, "json.fail-on-missing-field", 0, &o->fail_missing) ||
        table_opt_bool(t, "json.encode.ignore-null-fields", 0, &o->ignore_null_fields))
        return -1;
    if (o->fail_missing && o->c.ignore_errors)
        return err_at(table_opt_entry(t, "json.fail-on-missing-field")->value_span,
                      "json.fail-on-missing-field and json.ignore-parse-errors cannot both be true");
    return 0;
}

typedef struct json_decoder {
    decoder_t base;
    json_opts o;
    json_reader r;
    json_overflow ov;            /* unused: a record is one row, and lines stop when out is full */
} json_decoder;

/* A record holding one object into row out->nrows. */
static int parse_record(json_decoder *d, const char *rec, const char *end, chunk_t *out)
{
    jcur c = {rec, end};
    json_reader_start(&d->r, rec);
    json_skip_ws(&c);
    if (c.p == c.end || *c.p != '{')
        return json_fail(&d->r, &c, d->base.topic ? "expected '{' (a message must hold one JSON object)"
                                                  : "expected '{' (each line must hold one JSON object)");
    if (json_read_row(&d->r, &c, out, out->nrows, d->o.fail_missing ? JSON_MISSING_FAIL : JSON_MISSING_NULL,
                      "json.fail-on-missing-field"))
        return -1;
    json_skip_ws(&c);
    if (c.p != c.end) return json_fail(&d->r, &c, "unexpected text after the object");
    return 0;
}

/* One record (a line of a file, or a whole message): its row, or a skip, or the error. */
static int json_record(decoder_t *base, const char *rec, size_t len, chunk_t *out)
{
    json_decoder *d = (json_decoder *)base;
    if (out->nrows >= out->cap) {
        d->ov.need = 1;
        return -2;
    }
    if (parse_record(d, rec, rec + len, out) == 0) {
        out->ops[out->nrows++] = OP_INSERT;
        return 1;
    }
    if (d->o.c.ignore_errors) {
        d->base.skipped++;
        return 0;
    }
    return json_bad_record(&d->base, "JSON", sb_str(&d->r.msg));
}

static int64_t json_decode(decoder_t *base, const char *buf, size_t len, int eof, chunk_t *out)
{
    json_decoder *d = (json_decoder *)base;
    return json_decode_lines(base, &d->ov, d->r.schema, json_record, buf, len, eof, out);
}

static int json_decode_message(decoder_t *base, const char *buf, size_t len, chunk_t *out)
{
    return buf ? json_record(base, buf, len, out) : 0;
}

static void json_decoder_free(decoder_t *base)
{
    json_decoder *d = (json_decoder *)base;
    json_reader_free(&d->r);
    json_overflow_free(&d->ov);
    free(d);
}

static const decoder_vtable json_decoder_vt = {json_decode, json_decoder_free, json_decode_message};

static decoder_t *json_create_decoder(const connector_table *t)
{
    json_opts o;
    if (read_opts(t, &o)) return NULL;
    json_decoder *d = xcalloc(1, sizeof *d);
    d->base.vt = &json_decoder_vt;
    d->o = o;
    json_reader_init(&d->r, &t->physical, &o.c);
    decoder_begin(&d->base, NULL);
    return &d->base;
}

/* ---- writer ---- */

void json_write_string(const char *s, size_t n, sb_t *out)
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

void json_writer_init(json_writer *w, const schema_t *s, const json_common_opts *o, int ignore_null_fields)
{
    memset(w, 0, sizeof *w);
    w->schema = s;
    w->ts_standard = o->ts_standard;
    w->decimal_plain = o->decimal_plain;
    w->ignore_null_fields = ignore_null_fields;
    w->member = xcalloc(s->ncols ? s->ncols : 1, sizeof *w->member);
    w->member_len = xcalloc(s->ncols ? s->ncols : 1, sizeof *w->member_len);
    sb_t m = {0};
    for (uint32_t i = 0; i < s->ncols; i++) {
        sb_clear(&m);
        json_write_string(s->names[i], strlen(s->names[i]), &m);
        sb_putc(&m, ':');
        w->member_len[i] = (uint32_t)m.len;
        w->member[i] = xstrndup(m.data, m.len);
    }
    sb_free(&m);
}

void json_writer_free(json_writer *w)
{
    for (uint32_t i = 0; i < w->schema->ncols; i++) free(w->member[i]);
    free(w->member);
    free(w->member_len);
    sb_free(&w->text);
}

/* Java's BigDecimal.toString: plain unless the adjusted exponent is below -6, then
 * "2.7E-8" (DECIMAL scales are never negative, so the exponent is too). */
static void put_decimal(json_writer *w, type_t t, int64_t unscaled, sb_t *out)
{
    char digits[24];
    uint64_t mag = unscaled < 0 ? 0 - (uint64_t)unscaled : (uint64_t)unscaled;
    int nd = snprintf(digits, sizeof digits, "%llu", (unsigned long long)mag);
    int adjusted = nd - 1 - t.scale;
    if (w->decimal_plain || adjusted >= -6) {
        value_t v = value_i64(unscaled);
        value_format(t, &v, out);
        return;
    }
    if (unscaled < 0) sb_putc(out, '-');
    sb_putc(out, digits[0]);
    if (nd > 1) {
        sb_putc(out, '.');
        sb_append(out, digits + 1, (size_t)nd - 1);
    }
    sb_printf(out, "E%d", adjusted);
}

static void put_value(json_writer *w, type_t t, const value_t *v, sb_t *out)
{
    char sep = w->ts_standard == JSON_TS_ISO ? 'T' : ' ';
    sb_clear(&w->text);
    switch (t.id) {
    case TY_BOOLEAN: sb_puts(out, v->i ? "true" : "false"); return;
    case TY_INT: case TY_BIGINT: value_format(t, v, out); return;
    case TY_DECIMAL: put_decimal(w, t, v->i, out); return;
    case TY_DOUBLE:
        if (isfinite(v->f)) { format_java_double(v->f, out); return; }
        format_java_double(v->f, &w->text);
        break;
    case TY_STRING: json_write_string(str_ptr(&v->s), v->s.len, out); return;
    case TY_TIMESTAMP: format_timestamp_text(v->i, sep, 0, &w->text); break;
    case TY_TIMESTAMP_LTZ: format_timestamp_text(v->i, sep, 1, &w->text); break;
    default: value_format(t, v, &w->text); break;
    }
    json_write_string(w->text.data ? w->text.data : "", w->text.len, out);
}

void json_write_row(json_writer *w, const chunk_t *c, uint32_t row, sb_t *out)
{
    int n = 0;
    sb_putc(out, '{');
    for (uint32_t i = 0; i < c->ncols; i++) {
        value_t v;
        vector_get(&c->cols[i], row, &v);
        if (v.null && w->ignore_null_fields) continue;
        if (n++) sb_putc(out, ',');
        sb_append(out, w->member[i], w->member_len[i]);
        if (v.null) sb_puts(out, "null");
        else put_value(w, c->cols[i].type, &v, out);
    }
    sb_putc(out, '}');
}

/* ---- the json format's encoder ---- */

typedef struct json_encoder {
    encoder_t base;
    json_writer w;
} json_encoder;

static int json_encode(encoder_t *base, const chunk_t *c, sb_t *out)
{
    json_encoder *e = (json_encoder *)base;
    uint32_t live = chunk_live(c);
    for (uint32_t k = 0; k < live; k++) {
        json_write_row(&e->w, c, chunk_row(c, k), out);
        sb_putc(out, '\n');
    }
    return 0;
}

static int json_encode_each(encoder_t *base, const chunk_t *c, sb_t *out, uint32_t *ends)
{
    json_encoder *e = (json_encoder *)base;
    uint32_t live = chunk_live(c);
    for (uint32_t k = 0; k < live; k++) {
        json_write_row(&e->w, c, chunk_row(c, k), out);
        ends[k] = (uint32_t)out->len;
    }
    return 0;
}

static void json_encoder_free(encoder_t *base)
{
    json_encoder *e = (json_encoder *)base;
    json_writer_free(&e->w);
    free(e);
}

static const encoder_vtable json_encoder_vt = {json_encode, json_encoder_free, json_encode_each};

static encoder_t *json_create_encoder(const connector_table *t)
{
    json_opts o;
    if (read_opts(t, &o)) return NULL;
    json_encoder *e = xcalloc(1, sizeof *e);
    e->base.vt = &json_encoder_vt;
    json_writer_init(&e->w, &t->physical, &o.c, o.ignore_null_fields);
    return &e->base;
}

const format_def format_json = {"json", json_options, json_create_decoder, json_create_encoder, 0};
