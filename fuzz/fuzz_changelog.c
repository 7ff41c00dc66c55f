/* fuzz_changelog.c - libFuzzer entry point for the changelog formats' decoders (debezium-json
 * and canal-json), on a table with a column of every type (see fuzz_decode.h).
 *
 * The input text is decoded four ways, and the results must agree:
 *   1. as a file in one block into full-size chunks;
 *   2. as a file handed over in small pieces (1 to 64 bytes) into tiny chunks (1 to 4 rows), so
 *      that "give me more bytes", "out is full" and a change that overflows into the next
 *      chunk are all exercised; rows, skipped count and error must equal those of 1;
 *   3. as one message (decode_message) into an empty chunk: the rows appended must be what
 *      it returns, and when the text is one line (no '\n', no byte order mark, not blank)
 *      they must be the rows of 1, with the same failure and skipped count;
 *   4. as one message into a chunk with only 0 to 3 rows of room: either the same outcome as
 *      3, or -2 with nothing appended and nothing counted when 3 needed more room or failed
 *      (a bad value is found only while reading the rows, after the room check).
 * Every stream of rows must have valid values and ops, with each -U directly followed by +U
 * (and each +U directly after a -U); one message's rows are all +I, all -D, or -U/+U pairs.
 * Finally the rows of 3 are encoded one message each (encode_each; encode must write the same
 * bytes with a line end after each) and decoded again: each must give back one row, +I for
 * +I/+U and -D for -U/-D, with the same values. A NULL message (a tombstone) must give no
 * row. Every block and message is a malloc'ed copy of exactly its bytes, so that reading
 * past it is caught by ASan. A broken invariant aborts.
 *
 * Input: [flags] [piece] [chunk rows] [room] text...
 *   flags: 1 canal-json (else debezium-json), 2 ignore parse errors, 4 timestamp standard
 *          ISO-8601, 8 session zone with DST, 16 debezium schema-include / canal
 *          database.include 'inv.*', 32 canal table.include 'products|orders[0-9]?',
 *          64 encode decimals as plain numbers
 * Build: `make fuzz` gives build/fuzz/fuzz_changelog (clang -g -O1 -fsanitize=fuzzer,address,
 * undefined over this file, the Makefile's LIB_SRC and LDLIBS). Run, new inputs going to the
 * first directory:
 *   mkdir -p /tmp/corpus && UBSAN_OPTIONS=halt_on_error=1 build/fuzz/fuzz_changelog -max_len=4096
 *     -max_total_time=300 /tmp/corpus fuzz/corpus_changelog */
#include "fuzz_decode.h"
#include <math.h>

#define HEADER_LEN 4
#define MAX_PIECE 64

typedef struct cl_result {
    int failed;                  /* a decode call returned -1 */
    uint64_t skipped;
    sb_t rows;                   /* dump_row of every row, in order */
    sb_t ops;                    /* the op of every row, in order */
    sb_t error;
} cl_result;

static void cl_result_free(cl_result *r)
{
    sb_free(&r->rows);
    sb_free(&r->ops);
    sb_free(&r->error);
}

/* Appends row r of c with `op` in a byte form that tells every value apart (all NaNs alike). */
static void dump_row(const chunk_t *c, uint32_t r, uint8_t op, sb_t *dump)
{
    sb_putc(dump, 'R');
    sb_putc(dump, (char)('0' + op));
    for (uint32_t i = 0; i < c->ncols; i++) {
        value_t v;
        vector_get(&c->cols[i], r, &v);
        sb_putc(dump, v.null ? 'N' : 'V');
        if (v.null) continue;
        fuzz_check_value(c->cols[i].type, &v);
        switch (type_phys(c->cols[i].type)) {
        case PHYS_I64: sb_append(dump, (const char *)&v.i, sizeof v.i); break;
        case PHYS_F64:
            if (isnan(v.f)) sb_puts(dump, "NaN");
            else sb_append(dump, (const char *)&v.f, sizeof v.f);
            break;
        default:
            sb_append(dump, (const char *)&v.s.len, sizeof v.s.len);
            sb_append(dump, str_ptr(&c->cols[i].str[r]), v.s.len);
            break;
        }
    }
}

/* Appends rows [from, c->nrows) of c to res. */
static void dump_rows(const chunk_t *c, uint32_t from, cl_result *res)
{
    if (c->nrows > c->cap) fuzz_fail("more rows than the chunk holds");
    for (uint32_t r = from; r < c->nrows; r++) {
        if (c->ops[r] > OP_DELETE) fuzz_fail("a row with an invalid op");
        dump_row(c, r, c->ops[r], &res->rows);
        sb_putc(&res->ops, (char)c->ops[r]);
    }
}

/* Each -U is directly followed by a +U, and each +U directly follows a -U. */
static void check_pairs(const sb_t *ops)
{
    const uint8_t *o = (const uint8_t *)ops->data;
    for (size_t i = 0; i < ops->len; i++) {
        if (o[i] == OP_UPDATE_BEFORE && (i + 1 == ops->len || o[i + 1] != OP_UPDATE_AFTER))
            fuzz_fail("a -U not directly followed by its +U");
        if (o[i] == OP_UPDATE_AFTER && (i == 0 || o[i - 1] != OP_UPDATE_BEFORE))
            fuzz_fail("a +U without a -U directly before it");
    }
}

/* One message's rows: all +I, all -D, or -U/+U pairs. */
static void check_message_ops(const sb_t *ops)
{
    check_pairs(ops);
    const uint8_t *o = (const uint8_t *)ops->data;
    for (size_t i = 1; i < ops->len; i++) {
        int pair = o[0] == OP_UPDATE_BEFORE;
        if (pair ? o[i] != (i % 2 ? OP_UPDATE_AFTER : OP_UPDATE_BEFORE) : o[i] != o[0])
            fuzz_fail("one message gives rows of different kinds");
    }
}

static void record_failure(cl_result *res)
{
    res->failed = 1;
    sb_puts(&res->error, err_message());
    err_clear();
}

/* One decode call over a fresh copy of text[start..have); returns the bytes consumed. */
static int64_t decode_block(decoder_t *d, const uint8_t *text, size_t start, size_t have, int eof, chunk_t *out)
{
    size_t n = have - start;
    char *blk = xmalloc(n ? n : 1);
    memcpy(blk, text + start, n);
    int64_t used = decoder_decode(d, blk, n, eof, out);
    free(blk);
    if (used > (int64_t)n) fuzz_fail("more bytes consumed than handed over");
    return used;
}

/* Decodes text as one file handed over `piece` bytes at a time into chunks of `cap` rows. */
static void decode_file(const format_def *fmt, const connector_table *t, const uint8_t *text, size_t len,
                        size_t piece, uint32_t cap, cl_result *res)
{
    decoder_t *d = fmt->create_decoder(t);
    if (!d) fuzz_fail("a decoder that was created once cannot be created again");
    chunk_t *c = chunk_new(&t->physical, cap);
    size_t start = 0, have = MIN(len, piece);
    decoder_begin(d, "fuzz.json");
    for (;;) {
        int eof = have == len;
        int64_t used = decode_block(d, text, start, have, eof, c);
        if (used < 0) {
            record_failure(res);
            break;
        }
        start += (size_t)used;
        if (chunk_full(c)) {
            dump_rows(c, 0, res);
            chunk_reset(c);
            continue;
        }
        if (eof) {
            if (start != len) fuzz_fail("bytes at the end of the file were left undecoded");
            break;
        }
        have = MIN(len, have + piece);
    }
    dump_rows(c, 0, res);
    res->skipped = d->skipped;
    chunk_free(c);
    decoder_free(d);
}

/* Decodes a fresh copy of text[0..len) as one message into out; checks that the rows
 * appended are what the call returns. */
static int decode_msg(decoder_t *d, const uint8_t *text, size_t len, chunk_t *out)
{
    char *m = xmalloc(len ? len : 1);
    memcpy(m, text, len);
    uint32_t before = out->nrows;
    decoder_begin_message(d, "fuzz-topic", 3, 42);
    int rc = decoder_decode_message(d, m, len, out);
    free(m);
    if (rc < -2) fuzz_fail("decode_message returned less than -2");
    if (out->nrows != before + (uint32_t)(rc > 0 ? rc : 0)) fuzz_fail("decode_message appended other than it said");
    return rc;
}

/* The text is one line of a file: what a message holds, a file line holds too. */
static int one_line(const uint8_t *text, size_t len)
{
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) return 0;
    if (memchr(text, '\n', len)) return 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r') return 1;
    return 0;
}

/* The rows of the message in c are encoded one message each and decoded again. */
static void check_round_trip(const format_def *fmt, const connector_table *t, const chunk_t *c)
{
    encoder_t *e = fmt->create_encoder(t);
    decoder_t *d = fmt->create_decoder(t);
    if (!e || !d) fuzz_fail("cannot create the round trip's encoder or decoder");
    sb_t out = {0}, lines = {0}, joined = {0}, want = {0}, got = {0};
    uint32_t *ends = xmalloc((c->nrows ? c->nrows : 1) * sizeof *ends);
    if (encoder_encode_each(e, c, &out, ends) || encoder_encode(e, c, &lines)) fuzz_fail("encoding failed");
    chunk_t *one = chunk_new(&t->physical, 1);
    uint32_t start = 0;
    for (uint32_t k = 0; k < c->nrows; k++) {
        if (ends[k] < start || ends[k] > out.len) fuzz_fail("encode_each gave a bad message end");
        sb_append(&joined, out.data + start, ends[k] - start);
        sb_putc(&joined, '\n');
        chunk_reset(one);
        int rc = decode_msg(d, (const uint8_t *)out.data + start, ends[k] - start, one);
        if (rc != 1) {
            fprintf(stderr, "message: %.*s\nerror: %s\n", (int)(ends[k] - start), out.data + start, err_message());
            fuzz_fail("an encoded row does not decode into one row");
        }
        sb_clear(&want);
        sb_clear(&got);
        dump_row(c, k, op_is_add(c->ops[k]) ? OP_INSERT : OP_DELETE, &want);
        dump_row(one, 0, one->ops[0], &got);
        if (!fuzz_same(&want, &got)) {
            fprintf(stderr, "message: %.*s\n", (int)(ends[k] - start), out.data + start);
            fuzz_fail("an encoded row decodes into a different row");
        }
        start = ends[k];
    }
    if (start != out.len) fuzz_fail("encode_each wrote past its last message");
    if (!fuzz_same(&joined, &lines)) fuzz_fail("encode and encode_each write different bytes");
    free(ends);
    chunk_free(one);
    sb_free(&out);
    sb_free(&lines);
    sb_free(&joined);
    sb_free(&want);
    sb_free(&got);
    encoder_free(e);
    decoder_free(d);
}

/* The table's options from the flags; `round_trip` leaves out those that only decoding uses
 * (so that an encoded row passes through any filter and needs no schema wrapper). */
static const format_def *choose_format(fuzz_table *f, uint8_t flags, int round_trip)
{
    int canal = flags & 1;
    const char *ts = flags & 4 ? "ISO-8601" : "SQL";
    if (canal) {
        fuzz_table_opt(f, "canal-json.timestamp-format.standard", ts);
        if (flags & 64) fuzz_table_opt(f, "canal-json.encode.decimal-as-plain-number", "true");
        if (round_trip) return &format_canal_json;
        if (flags & 2) fuzz_table_opt(f, "canal-json.ignore-parse-errors", "true");
        if (flags & 16) fuzz_table_opt(f, "canal-json.database.include", "inv.*");
        if (flags & 32) fuzz_table_opt(f, "canal-json.table.include", "products|orders[0-9]?");
        return &format_canal_json;
    }
    fuzz_table_opt(f, "debezium-json.timestamp-format.standard", ts);
    if (flags & 64) fuzz_table_opt(f, "debezium-json.encode.decimal-as-plain-number", "true");
    if (round_trip) return &format_debezium_json;
    if (flags & 2) fuzz_table_opt(f, "debezium-json.ignore-parse-errors", "true");
    if (flags & 16) fuzz_table_opt(f, "debezium-json.schema-include", "true");
    return &format_debezium_json;
}

static void compare(const cl_result *a, const cl_result *b, const char *what)
{
    if (a->failed != b->failed || !fuzz_same(&a->error, &b->error)) {
        fprintf(stderr, "%s\n  error 1: %s\n  error 2: %s\n", what, sb_str((sb_t *)&a->error),
                sb_str((sb_t *)&b->error));
        fuzz_fail("the two decodings differ in their error");
    }
    if (a->skipped != b->skipped) fuzz_fail("the two decodings skip different records");
    if (!fuzz_same(&a->rows, &b->rows) || !fuzz_same(&a->ops, &b->ops)) {
        fprintf(stderr, "%s\n", what);
        fuzz_fail("the two decodings give different rows");
    }
}

/* A message into a chunk with `room` rows left, against the same message into an empty one. */
static void check_little_room(decoder_t *d, const uint8_t *text, size_t len, uint32_t room, int rc_empty,
                              const cl_result *empty)
{
    static chunk_t *c;
    if (!c) {
        fuzz_table f;
        fuzz_table_init(&f);
        c = chunk_new(&f.t.physical, CHUNK_CAP);
    }
    chunk_reset(c);
    c->nrows = CHUNK_CAP - room;         /* rows never read: only those appended are */
    uint64_t skipped = d->skipped;
    err_clear();
    cl_result res;
    memset(&res, 0, sizeof res);
    int rc = decode_msg(d, text, len, c);
    if (rc == -2) {
        if (d->skipped != skipped) fuzz_fail("a message counted as skipped when it got -2");
        /* An error found only while reading the rows comes after the room check. */
        if (!empty->failed && !empty->skipped && (uint32_t)rc_empty <= room) fuzz_fail("-2 although the rows fit");
        err_clear();
        return;
    }
    if (rc == -1) record_failure(&res);
    res.skipped = d->skipped - skipped;
    dump_rows(c, CHUNK_CAP - room, &res);
    if (rc != rc_empty) fuzz_fail("a message gives a different result with little room");
    compare(empty, &res, "a message into an empty chunk, then into one with little room");
    cl_result_free(&res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER_LEN) return 0;
    uint8_t flags = data[0];
    fuzz_table f, rt;
    fuzz_table_init(&f);
    fuzz_table_init(&rt);
    const format_def *fmt = choose_format(&f, flags, 0);
    choose_format(&rt, flags, 1);
    fuzz_session_zone(flags & 8);
    err_clear();
    decoder_t *d = fmt->create_decoder(&f.t);
    if (!d) {
        err_clear();
        return 0;
    }
    const uint8_t *text = data + HEADER_LEN;
    size_t len = size - HEADER_LEN;
    size_t piece = 1 + data[1] % MAX_PIECE;
    uint32_t small_cap = 1 + data[2] % 4, room = data[3] % 4;

    cl_result whole, parts, msg;
    memset(&whole, 0, sizeof whole);
    memset(&parts, 0, sizeof parts);
    memset(&msg, 0, sizeof msg);
    decode_file(fmt, &f.t, text, len, len, CHUNK_CAP, &whole);
    decode_file(fmt, &f.t, text, len, piece, small_cap, &parts);
    compare(&whole, &parts, "a file in one block, then in small pieces");
    check_pairs(&whole.ops);

    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    int rc = decode_msg(d, text, len, c);
    if (rc == -2) fuzz_fail("-2 for a message into an empty chunk");
    if (rc == -1) record_failure(&msg);
    msg.skipped = d->skipped;
    dump_rows(c, 0, &msg);
    check_message_ops(&msg.ops);
    if (one_line(text, len) && whole.ops.len <= CHUNK_CAP) {
        /* The same record read from a file names a file line in its error, not a topic. */
        cl_result as_msg = msg;
        as_msg.error = whole.error;
        compare(&whole, &as_msg, "a one-line file, then the line as a message");
    }
    check_little_room(d, text, len, room, rc, &msg);
    if (rc > 0) check_round_trip(fmt, &rt.t, c);

    uint32_t before = c->nrows;
    decoder_begin_message(d, "fuzz-topic", 3, 43);
    if (decoder_decode_message(d, NULL, 0, c) != 0 || c->nrows != before) fuzz_fail("a tombstone gives a row");

    chunk_free(c);
    decoder_free(d);
    cl_result_free(&whole);
    cl_result_free(&parts);
    cl_result_free(&msg);
    err_clear();
    return 0;
}
