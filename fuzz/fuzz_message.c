/* fuzz_message.c - libFuzzer entry point for the json, csv and raw formats on messages (Kafka
 * record values, MQTT payloads): decode_message, and encode_each of what was decoded.
 *
 * The first bytes choose a format and a table shape (a column of every type, one STRING
 * column, or other precisions: DECIMAL(5, 0), DECIMAL(18, 9), TIMESTAMP(0), TIMESTAMP(6),
 * TIMESTAMP_LTZ(6), VARCHAR(5); for raw one column of each type it takes) and the format's
 * options; the rest is a series of messages separated by two 0x1E bytes, optionally led by a
 * NULL message (a Kafka tombstone). Every message is a malloc'ed copy of exactly its bytes
 * (ASan catches reading past it) decoded into a chunk of 1 to 4 rows, and:
 *   - the rows appended are what decode_message returns: 1 row, or 0 for a skipped record
 *     (csv and json) or a NULL / blank / comment message; -1 ends the series, as it fails
 *     the job;
 *   - into a full chunk it returns -2 (or 0 for a message that holds no row) with nothing
 *     appended and nothing counted as skipped;
 *   - for json and csv, a message of one line (no '\n', no byte order mark, not blank)
 *     gives what the same line gives as a file: the same row, failure and skipped count;
 *   - each value is valid for its column's type (see fuzz_decode.h).
 * When a chunk is full, and at the end, its rows are encoded (encode_each; encode must write
 * the same bytes with a line end after each) and every message decoded again with the same
 * syntax options must give back the same row. Known losses are allowed: in csv a NULL
 * STRING without a null literal reads back as '', a STRING equal to the null literal as
 * NULL, a one-column row written as an empty message as no row, and with quoting disabled
 * and no escape character a field holding the delimiter or a line break cannot be written;
 * in raw NULL is an empty message and US-ASCII writes characters beyond ASCII as '?'.
 * A broken invariant aborts.
 *
 * Input: [shape] [flags] [opt] [chunk rows] messages...
 *   shape % 11: 0-2 json, 3-5 csv (every type / one STRING / precisions), 6-10 raw STRING,
 *     BOOLEAN, INT, BIGINT, DOUBLE
 *   json flags: 1 fail on missing field, 2 ignore parse errors (both: an option error),
 *     4 timestamp standard ISO-8601, 8 session zone with DST, 16 encode.ignore-null-fields,
 *     32 encode.decimal-as-plain-number, 64 a NULL message first
 *   csv flags: 1 disable quote, 2 allow comments, 4 ignore parse errors, 8 null literal,
 *     16 escape '\', 32 quote "'", 64 a NULL message first, 128 session zone with DST;
 *     opt: low nibble the delimiter, high nibble the null literal
 *   raw flags: 1 little-endian, (flags >> 1) % 3 the charset, 64 a NULL message first
 * Build: `make fuzz` gives build/fuzz/fuzz_message (clang -g -O1 -fsanitize=fuzzer,address,
 * undefined over this file, the Makefile's LIB_SRC and LDLIBS). Run, new inputs going to the
 * first directory:
 *   mkdir -p /tmp/corpus && UBSAN_OPTIONS=halt_on_error=1 build/fuzz/fuzz_message -max_len=4096
 *     -max_total_time=300 /tmp/corpus fuzz/corpus_message */
#include "fuzz_decode.h"
#include <math.h>

#define HEADER_LEN 4
#define NSHAPES 11
#define SEPARATOR "\x1e\x1e"

enum { F_JSON, F_CSV, F_RAW };

static const char *const delimiters[] = {",", ";", "|", "\\t", " ", "-", ":", "0", "a", "\\u0001", "#"};
static const char *const null_literals[] = {"", "NULL", "\\N", "null"};
static const char *const charsets[] = {"UTF-8", "US-ASCII", "ISO-8859-1"};

/* What the harness knows about the table beyond its options. */
typedef struct setup {
    int kind;                    /* F_JSON, F_CSV, F_RAW */
    const format_def *fmt;
    int tombstone_first;
    /* csv */
    const char *null_literal;    /* NULL: none */
    int quote_disabled, has_escape;
    char delim;
    /* raw */
    int ascii;
} setup;

static void set_columns(fuzz_table *f, uint32_t n, const char *const *names, const type_t *types)
{
    for (uint32_t i = 0; i < n; i++) {
        f->names[i] = (char *)names[i];
        f->types[i] = types[i];
    }
    f->t.physical.ncols = n;
}

/* Table shape `shape` (see the input layout) in both tables. */
static void choose_columns(fuzz_table *f, int shape)
{
    static const char *const one[] = {"str"};
    static const char *const prec[] = {"i", "d0", "d9", "t0", "t6", "l6", "v", "b", "f"};
    static const char *const raw[] = {"v"};
    int variant = shape < 6 ? shape % 3 : 3;
    if (variant == 1) {
        const type_t t[] = {type_make(TY_STRING)};
        set_columns(f, 1, one, t);
    } else if (variant == 2) {
        const type_t t[] = {
            type_make(TY_INT), type_decimal(5, 0), type_decimal(18, 9),
            type_timestamp(TY_TIMESTAMP, 0), type_timestamp(TY_TIMESTAMP, 6), type_timestamp(TY_TIMESTAMP_LTZ, 6),
            type_varchar(5), type_make(TY_BOOLEAN), type_make(TY_DOUBLE),
        };
        set_columns(f, 9, prec, t);
    } else if (variant == 3) {
        static const uint8_t ids[] = {TY_STRING, TY_BOOLEAN, TY_INT, TY_BIGINT, TY_DOUBLE};
        const type_t t[] = {type_make((type_id)ids[shape - 6])};
        set_columns(f, 1, raw, t);
    }
}

/* The options of the decoding table f and of the round trip's table rt (those that encoding
 * and syntax need), for the format s->kind. */
static void choose_options(fuzz_table *f, fuzz_table *rt, const uint8_t *h, setup *s)
{
    uint8_t flags = h[1], opt = h[2];
    s->tombstone_first = flags & 64;
    if (s->kind == F_JSON) {
        s->fmt = &format_json;
        const char *ts = flags & 4 ? "ISO-8601" : "SQL";
        if (flags & 1) fuzz_table_opt(f, "json.fail-on-missing-field", "true");
        if (flags & 2) fuzz_table_opt(f, "json.ignore-parse-errors", "true");
        fuzz_table_opt(f, "json.timestamp-format.standard", ts);
        fuzz_table_opt(rt, "json.timestamp-format.standard", ts);
        if (flags & 16) fuzz_table_opt(rt, "json.encode.ignore-null-fields", "true");
        if (flags & 32) fuzz_table_opt(rt, "json.encode.decimal-as-plain-number", "true");
        fuzz_session_zone(flags & 8);
        return;
    }
    if (s->kind == F_CSV) {
        s->fmt = &format_csv;
        const char *delim = delimiters[opt % 16 % ARRAY_LEN(delimiters)];
        fuzz_table_opt(f, "csv.field-delimiter", delim);
        fuzz_table_opt(rt, "csv.field-delimiter", delim);
        s->delim = delim[0] == '\\' ? (delim[1] == 't' ? '\t' : '\x01') : delim[0];
        s->quote_disabled = flags & 1;
        s->has_escape = (flags & 16) != 0;
        if (flags & 1) {
            fuzz_table_opt(f, "csv.disable-quote-character", "true");
            fuzz_table_opt(rt, "csv.disable-quote-character", "true");
        } else if (flags & 32) {
            fuzz_table_opt(f, "csv.quote-character", "'");
            fuzz_table_opt(rt, "csv.quote-character", "'");
        }
        if (flags & 2) fuzz_table_opt(f, "csv.allow-comments", "true");
        if (flags & 4) fuzz_table_opt(f, "csv.ignore-parse-errors", "true");
        if (flags & 8) {
            s->null_literal = null_literals[(opt >> 4) % ARRAY_LEN(null_literals)];
            fuzz_table_opt(f, "csv.null-literal", s->null_literal);
            fuzz_table_opt(rt, "csv.null-literal", s->null_literal);
        }
        if (flags & 16) {
            fuzz_table_opt(f, "csv.escape-character", "\\\\");
            fuzz_table_opt(rt, "csv.escape-character", "\\\\");
        }
        fuzz_session_zone(flags & 128);
        return;
    }
    s->fmt = &format_raw;
    const char *endianness = flags & 1 ? "little-endian" : "big-endian";
    const char *charset = charsets[(flags >> 1) % 3];
    s->ascii = (flags >> 1) % 3 == 1;
    fuzz_table_opt(f, "raw.endianness", endianness);
    fuzz_table_opt(rt, "raw.endianness", endianness);
    fuzz_table_opt(f, "raw.charset", charset);
    fuzz_table_opt(rt, "raw.charset", charset);
}

/* Appends row r of c in a byte form that tells every value apart; all NaNs are alike, and
 * for csv the values it cannot tell apart are made alike (see the file comment). */
static void dump_row(const setup *s, const chunk_t *c, uint32_t r, sb_t *dump)
{
    sb_putc(dump, 'R');
    for (uint32_t i = 0; i < c->ncols; i++) {
        value_t v;
        type_t t = c->cols[i].type;
        vector_get(&c->cols[i], r, &v);
        if (!v.null) fuzz_check_value(t, &v);
        if (s->kind == F_CSV && t.id == TY_STRING) {
            if (v.null && !s->null_literal) {
                sb_puts(dump, "V''");
                continue;
            }
            if (!v.null && s->null_literal && v.s.len == strlen(s->null_literal) &&
                memcmp(str_ptr(&c->cols[i].str[r]), s->null_literal, v.s.len) == 0)
                v.null = 1;
        }
        sb_putc(dump, v.null ? 'N' : 'V');
        if (v.null) continue;
        switch (type_phys(t)) {
        case PHYS_I64: sb_append(dump, (const char *)&v.i, sizeof v.i); break;
        case PHYS_F64:
            if (isnan(v.f)) sb_puts(dump, "NaN");
            else sb_append(dump, (const char *)&v.f, sizeof v.f);
            break;
        default:
            sb_append(dump, (const char *)&v.s.len, sizeof v.s.len);
            sb_putc(dump, '\'');
            sb_append(dump, str_ptr(&c->cols[i].str[r]), v.s.len);
            sb_putc(dump, '\'');
            break;
        }
    }
}

/* Decodes a fresh copy of m[0..len) (m NULL: a NULL message) into out; checks that the rows
 * appended are what the call returns. */
static int decode_msg(decoder_t *d, const uint8_t *m, size_t len, chunk_t *out)
{
    char *copy = NULL;
    if (m) {
        copy = xmalloc(len ? len : 1);
        memcpy(copy, m, len);
    }
    uint32_t before = out->nrows;
    decoder_begin_message(d, "fuzz-topic", 1, 7);
    int rc = decoder_decode_message(d, copy, len, out);
    free(copy);
    if (rc < -2 || rc > 1) fuzz_fail("decode_message returned other than -2, -1, 0 or 1");
    if (out->nrows != before + (uint32_t)(rc > 0 ? rc : 0)) fuzz_fail("decode_message appended other than it said");
    return rc;
}

/* The message is one line of a file: what a message holds, a file line holds too. */
static int one_line(const uint8_t *m, size_t len)
{
    if (len >= 3 && memcmp(m, "\xEF\xBB\xBF", 3) == 0) return 0;
    if (memchr(m, '\n', len)) return 0;
    for (size_t i = 0; i < len; i++)
        if (m[i] != ' ' && m[i] != '\t' && m[i] != '\r') return 1;
    return 0;
}

/* The message decoded as a one-line file: row `row` of c if rc is 1, the same failure and
 * skipped count. */
static void check_as_file(const setup *s, fuzz_table *f, const uint8_t *m, size_t len, int rc, uint64_t skipped,
                          const chunk_t *c, uint32_t row)
{
    fuzz_result file;
    if (fuzz_decode(s->fmt, f, m, len, len, CHUNK_CAP, &file)) fuzz_fail("a decoder cannot be created twice");
    sb_t mine = {0};
    if (rc == 1) {
        chunk_t *one = chunk_new(&f->t.physical, 1);
        chunk_append_row(one, c, row, OP_INSERT);
        fuzz_dump_rows(one, &mine);
        chunk_free(one);
    }
    if (file.failed != (rc == -1)) {
        fprintf(stderr, "file error: %s\n", sb_str(&file.error));
        fuzz_fail("a message and the same line in a file differ in failing");
    }
    if (file.skipped != skipped) fuzz_fail("a message and the same line in a file differ in skipping");
    if (!fuzz_same(&file.rows, &mine)) fuzz_fail("a message and the same line in a file give different rows");
    sb_free(&mine);
    fuzz_result_free(&file);
}

/* csv with quoting disabled and no escape character writes fields as they are: a row is
 * lost when a field holds the delimiter or a line break. */
static int csv_unwritable(const setup *s, uint32_t ncols, const char *m, size_t len)
{
    if (s->kind != F_CSV || !s->quote_disabled || s->has_escape) return 0;
    uint32_t delims = 0;
    for (size_t i = 0; i < len; i++) {
        if (m[i] == '\n' || m[i] == '\r') return 1;
        delims += m[i] == s->delim;
    }
    return delims != ncols - 1;
}

/* Bytes for a report, "[...]" with those outside printable ASCII in hex. */
static void print_bytes(const char *what, const char *p, size_t n)
{
    fprintf(stderr, "%s [", what);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch >= 0x20 && ch < 0x7f) fputc(ch, stderr);
        else fprintf(stderr, "\\x%02x", ch);
    }
    fprintf(stderr, "]\n");
}

/* The round trip of row k of c through its encoded message m[0..len). */
static void check_row_round_trip(const setup *s, decoder_t *d, const chunk_t *c, uint32_t k, const char *m,
                                 size_t len, chunk_t *one)
{
    value_t v;
    vector_get(&c->cols[0], k, &v);
    if (s->kind == F_RAW && (v.null || s->ascii)) return;
    if (csv_unwritable(s, c->ncols, m, len)) return;
    chunk_reset(one);
    err_clear();
    int rc = decode_msg(d, (const uint8_t *)m, len, one);
    if (rc == 0 && s->kind == F_CSV && c->ncols == 1 && len == 0) return;
    if (rc != 1) {
        print_bytes("message:", m, len);
        fprintf(stderr, "error: %s\n", err_message());
        fuzz_fail("an encoded row does not decode into one row");
    }
    sb_t want = {0}, got = {0};
    dump_row(s, c, k, &want);
    dump_row(s, one, 0, &got);
    if (!fuzz_same(&want, &got)) {
        print_bytes("message:", m, len);
        print_bytes("row:    ", want.data, want.len);
        print_bytes("reread: ", got.data, got.len);
        fuzz_fail("an encoded row decodes into a different row");
    }
    sb_free(&want);
    sb_free(&got);
}

/* Encodes the rows of c one message each, checks the round trip of every one, resets c. */
static void flush(const setup *s, fuzz_table *rt, chunk_t *c)
{
    encoder_t *e = s->fmt->create_encoder(&rt->t);
    decoder_t *d = s->fmt->create_decoder(&rt->t);
    if (!e || !d) fuzz_fail("cannot create the round trip's encoder or decoder");
    sb_t each = {0}, lines = {0}, joined = {0};
    uint32_t ends[4];
    if (c->nrows > ARRAY_LEN(ends)) fuzz_fail("more rows than the harness's chunks hold");
    if (encoder_encode_each(e, c, &each, ends) || encoder_encode(e, c, &lines)) fuzz_fail("encoding failed");
    chunk_t *one = chunk_new(&rt->t.physical, 1);
    const char *bytes = each.data ? each.data : "";
    uint32_t start = 0;
    for (uint32_t k = 0; k < c->nrows; k++) {
        if (ends[k] < start || ends[k] > each.len) fuzz_fail("encode_each gave a bad message end");
        sb_append(&joined, bytes + start, ends[k] - start);
        sb_putc(&joined, '\n');
        check_row_round_trip(s, d, c, k, bytes + start, ends[k] - start, one);
        start = ends[k];
    }
    if (start != each.len) fuzz_fail("encode_each wrote past its last message");
    if (!fuzz_same(&joined, &lines)) fuzz_fail("encode and encode_each write different bytes");
    chunk_free(one);
    sb_free(&each);
    sb_free(&lines);
    sb_free(&joined);
    encoder_free(e);
    decoder_free(d);
    chunk_reset(c);
    err_clear();
}

/* One message into c: checks a full chunk first, then the message's own outcome. Returns
 * decode_message's result. */
static int one_message(const setup *s, fuzz_table *f, fuzz_table *rt, decoder_t *d, chunk_t *c, const uint8_t *m,
                       size_t len)
{
    int rc_full = -3;
    uint64_t skipped = d->skipped;
    if (chunk_full(c)) {
        rc_full = decode_msg(d, m, len, c);
        if (rc_full != -2 && rc_full != 0) fuzz_fail("a full chunk gets other than -2 or 0");
        if (d->skipped != skipped) fuzz_fail("a message into a full chunk counted as skipped");
        flush(s, rt, c);
    }
    uint32_t row = c->nrows;
    err_clear();
    int rc = decode_msg(d, m, len, c);
    if (rc == -2) fuzz_fail("-2 although the chunk has room");
    if (rc_full == 0 && (rc != 0 || d->skipped != skipped)) fuzz_fail("no row into a full chunk, but a row or skip now");
    if (s->kind == F_RAW && rc == 0) fuzz_fail("raw gives no row for a message");
    if (s->kind != F_RAW && m && one_line(m, len)) check_as_file(s, f, m, len, rc, d->skipped - skipped, c, row);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER_LEN) return 0;
    int shape = data[0] % NSHAPES;
    fuzz_table f, rt;
    setup s;
    fuzz_table_init(&f);
    fuzz_table_init(&rt);
    choose_columns(&f, shape);
    choose_columns(&rt, shape);
    memset(&s, 0, sizeof s);
    s.kind = shape < 3 ? F_JSON : shape < 6 ? F_CSV : F_RAW;
    choose_options(&f, &rt, data, &s);
    err_clear();
    decoder_t *d = s.fmt->create_decoder(&f.t);
    if (!d) {
        err_clear();
        return 0;
    }
    chunk_t *c = chunk_new(&f.t.physical, 1 + data[3] % 4);
    const uint8_t *p = data + HEADER_LEN, *end = data + size;
    int rc = s.tombstone_first ? one_message(&s, &f, &rt, d, c, NULL, 0) : 0;
    while (rc >= 0 && p <= end) {
        const uint8_t *sep = memmem(p, (size_t)(end - p), SEPARATOR, 2);
        const uint8_t *stop = sep ? sep : end;
        rc = one_message(&s, &f, &rt, d, c, p, (size_t)(stop - p));
        p = stop + 2;
    }
    flush(&s, &rt, c);
    chunk_free(c);
    decoder_free(d);
    err_clear();
    return 0;
}
