/* test_csv.c - the csv format: exact rows decoded from text (quotes, NULLs, CRLF, comments,
 * header, delimiters, escapes), malformed rows with and without csv.ignore-parse-errors,
 * decoding in arbitrary pieces, option errors, and the encoder. */
#include "check.h"
#include "connector_testkit.h"
#include "connect/format.h"
#include "base/util.h"
#include <stdlib.h>

/* Decodes text as the file /data/f.csv, `piece` bytes at a time (0: all at once). */
static int decode_text(decoder_t *d, const char *text, size_t piece, chunk_t *out)
{
    return decode_pieces(d, "/data/f.csv", text, piece, out);
}

static const char *const names3[] = {"id", "name", "score"};

static chunk_t *decode_with(fixture *f, const char *text, size_t piece)
{
    return decode_fixture(&format_csv, f, "/data/f.csv", text, piece);
}

TEST(basic_rows)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init_named(&f, "src", 3, names3, ty, NULL);
    chunk_t *c = decode_with(&f, "1,abc,2.5\n2,def,3\n-7,a long string value here,-0.125\n", 0);
    CHECK_EQ_INT(c->nrows, 3);
    CHECK_EQ_STR(all_rows(c), "1|abc|2.5\n2|def|3.0\n-7|a long string value here|-0.125\n");
    CHECK_EQ_INT(c->ops[0], OP_INSERT);
    chunk_free(c);
}

TEST(quoted_fields)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_STRING)};
    fx_init_named(&f, "src", 3, names3, ty, NULL);
    const char *text = "1,\"a,b\",x\n"
                       "2,\"he said \"\"hi\"\"\",y\n"
                       "3,\"line1\nline2\",z\n"
                       "4,\"\",\"\"\"\"\n";
    chunk_t *c = decode_with(&f, text, 0);
    CHECK_EQ_STR(all_rows(c), "1|a,b|x\n2|he said \"hi\"|y\n3|line1\nline2|z\n4||\"\n");
    chunk_free(c);
}

TEST(empty_fields_and_null_literal)
{
    fixture f;
    type_t ty[] = {type_make(TY_INT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init_named(&f, "src", 3, names3, ty, NULL);
    chunk_t *c = decode_with(&f, "1,,\n,x,\n,\"\",4\n", 0);
    CHECK_EQ_STR(all_rows(c), "1||NULL\nNULL|x|NULL\nNULL||4.0\n");
    value_t v;
    vector_get(&c->cols[1], 0, &v);
    CHECK_EQ_INT(v.null, 0);          /* empty STRING is '', not NULL */
    chunk_free(c);

    fx_init_named(&f, "src", 3, names3, ty, "csv.null-literal", "n/a", NULL);
    c = decode_with(&f, "n/a,n/a,1.5\n2,n/ab,n/a\n", 0);
    CHECK_EQ_STR(all_rows(c), "NULL|NULL|1.5\n2|n/ab|NULL\n");
    vector_get(&c->cols[1], 0, &v);
    CHECK_EQ_INT(v.null, 1);
    chunk_free(c);
}

TEST(crlf_and_last_line_without_newline)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_STRING)};
    fx_init_named(&f, "src", 3, names3, ty, NULL);
    chunk_t *c = decode_with(&f, "1,a,b\r\n2,\"q\",\"r\"\r\n3,c,d", 0);
    CHECK_EQ_STR(all_rows(c), "1|a|b\n2|q|r\n3|c|d\n");
    chunk_free(c);
    c = decode_with(&f, "\xEF\xBB\xBF" "1,a,\"b\"\r\n2,\"x\ny\",z\r", 1);
    CHECK_EQ_STR(all_rows(c), "1|a|b\n2|x\ny|z\n");
    chunk_free(c);
    /* A carriage return inside a quoted field is kept. */
    c = decode_with(&f, "1,\"a\r\",b\n", 0);
    CHECK_EQ_STR(all_rows(c), "1|a\r|b\n");
    chunk_free(c);
}

TEST(blank_lines_comments_and_header)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_STRING)};
    fx_init_named(&f, "src", 3, names3, ty, NULL);
    chunk_t *c = decode_with(&f, "\n1,a,b\n\r\n\n2,c,d\n\n", 0);
    CHECK_EQ_STR(all_rows(c), "1|a|b\n2|c|d\n");
    chunk_free(c);

    fx_init_named(&f, "src", 3, names3, ty, "csv.allow-comments", "true", NULL);
    c = decode_with(&f, "# a comment, with \"quote\n1,a,b\n#2,x,y\n3,c,d", 0);
    CHECK_EQ_STR(all_rows(c), "1|a|b\n3|c|d\n");
    chunk_free(c);

    fx_init_named(&f, "src", 3, names3, ty, "csv.ignore-first-line", "true", NULL);
    c = decode_with(&f, "id,name,score\n1,a,b\n2,c,d\n", 0);
    CHECK_EQ_STR(all_rows(c), "1|a|b\n2|c|d\n");
    chunk_free(c);

    /* Without the option a header is a malformed row. */
    fx_init_named(&f, "src", 3, names3, ty, NULL);
    decoder_t *d = format_csv.create_decoder(&f.t);
    c = chunk_new(&f.t.physical, CHUNK_CAP);
    err_clear();
    CHECK_EQ_INT(decode_text(d, "id,name,score\n1,a,b\n", 0, c), -1);
    CHECK_EQ_STR(err_message(), "malformed CSV row at /data/f.csv:1: field 'id' (BIGINT): cannot parse 'id'");
    err_clear();
    decoder_free(d);
    chunk_free(c);
}

TEST(delimiters)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_STRING)};
    fx_init_named(&f, "src", 3, names3, ty, "csv.field-delimiter", "\\t", NULL);
    chunk_t *c = decode_with(&f, "1\ta,b\tc;d\n2\t\"x\ty\"\tz\n", 0);
    CHECK_EQ_STR(all_rows(c), "1|a,b|c;d\n2|x\ty|z\n");
    chunk_free(c);

    fx_init_named(&f, "src", 3, names3, ty, "csv.field-delimiter", ";", NULL);
    c = decode_with(&f, "1;a,b;c\n", 0);
    CHECK_EQ_STR(all_rows(c), "1|a,b|c\n");
    chunk_free(c);

    fx_init_named(&f, "src", 3, names3, ty, "csv.field-delimiter", "\\u0001", NULL);
    c = decode_with(&f, "1\001a\001b\n", 0);
    CHECK_EQ_STR(all_rows(c), "1|a|b\n");
    chunk_free(c);

    fx_init_named(&f, "src", 3, names3, ty, "csv.field-delimiter", "|", NULL);
    c = decode_with(&f, "7|x|y\n", 0);
    CHECK_EQ_STR(all_rows(c), "7|x|y\n");
    chunk_free(c);
}

TEST(quote_and_escape_options)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_STRING)};
    fx_init_named(&f, "src", 3, names3, ty, "csv.quote-character", "'", NULL);
    chunk_t *c = decode_with(&f, "1,'a,b','it''s'\n2,\"x\",y\n", 0);
    CHECK_EQ_STR(all_rows(c), "1|a,b|it's\n2|\"x\"|y\n");
    chunk_free(c);

    fx_init_named(&f, "src", 3, names3, ty, "csv.disable-quote-character", "true", NULL);
    c = decode_with(&f, "1,\"a\",b\"\n", 0);
    CHECK_EQ_STR(all_rows(c), "1|\"a\"|b\"\n");
    chunk_free(c);

    fx_init_named(&f, "src", 3, names3, ty, "csv.escape-character", "\\\\", NULL);
    c = decode_with(&f, "1,a\\,b,c\\\\d\n2,\"q\\\"r\",s\n", 0);
    CHECK_EQ_STR(all_rows(c), "1|a,b|c\\d\n2|q\"r|s\n");
    chunk_free(c);
}

TEST(types)
{
    static const char *const names[] = {"b", "d", "dec", "ts", "ltz", "i"};
    fixture f;
    type_t ty[] = {type_make(TY_BOOLEAN), type_make(TY_DATE), type_decimal(10, 2),
                   type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP_LTZ, 3), type_make(TY_INT)};
    fx_init_named(&f, "src", 6, names, ty, NULL);
    chunk_t *c = decode_with(&f, "true,2020-12-30,12.345,2020-12-30 12:13:14.123,2020-12-30 12:13:14Z, 42 \n"
                                 "FALSE,1969-12-31,-0.5,2020-12-30T01:02:03,2020-12-30 12:13:14.5Z,-2147483648\n", 0);
    CHECK_EQ_STR(all_rows(c), "TRUE|2020-12-30|12.35|2020-12-30 12:13:14.123|2020-12-30 12:13:14.000|42\n"
                              "FALSE|1969-12-31|-0.50|2020-12-30 01:02:03.000|2020-12-30 12:13:14.500|-2147483648\n");
    CHECK_EQ_INT(c->cols[1].i64[1], -1);
    CHECK_EQ_INT(c->cols[4].i64[0], 1609330394000000LL);
    chunk_free(c);
}

TEST(malformed_rows_fail_with_file_and_line)
{
    fixture f;
    static const char *const names[] = {"id", "ts"};
    type_t ty[] = {type_make(TY_STRING), type_make(TY_BIGINT)};
    fx_init_named(&f, "src", 2, names, ty, NULL);
    struct { const char *text; const char *msg; } cases[] = {
        {"a,1\nb,abc\n", "malformed CSV row at /data/f.csv:2: field 'ts' (BIGINT): cannot parse 'abc'"},
        {"a,1\n\"x\ny\",2\nc,3,4\n", "malformed CSV row at /data/f.csv:4: expected 2 fields, found 3"},
        {"a,1\nb\n", "malformed CSV row at /data/f.csv:2: expected 2 fields, found 1"},
        {"a,1\n\"b,2\n", "malformed CSV row at /data/f.csv:2: unterminated quoted field"},
        {"\"a\"x,1\n", "malformed CSV row at /data/f.csv:1: unexpected character 'x' after the closing quote of field 1"},
        {"a,99999999999999999999\n", "malformed CSV row at /data/f.csv:1: field 'ts' (BIGINT): cannot parse "
                                     "'99999999999999999999'"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        for (size_t piece = 0; piece <= 3; piece += 3) {
            decoder_t *d = format_csv.create_decoder(&f.t);
            chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
            err_clear();
            CHECK_EQ_INT(decode_text(d, cases[i].text, piece, c), -1);
            CHECK_EQ_STR(err_message(), cases[i].msg);
            err_clear();
            decoder_free(d);
            chunk_free(c);
        }
    }
}

TEST(ignore_parse_errors_skips_and_counts)
{
    fixture f;
    static const char *const names[] = {"id", "ts"};
    type_t ty[] = {type_make(TY_STRING), type_make(TY_BIGINT)};
    fx_init_named(&f, "src", 2, names, ty, "csv.ignore-parse-errors", "true", NULL);
    decoder_t *d = format_csv.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    err_clear();
    CHECK_EQ_INT(decode_text(d, "a,1\nb,abc\nc,3,4\n\"d\"x,5\ne,5\nf\n\"g,6\n", 0, c), 0);
    CHECK_EQ_INT(err_pending(), 0);
    CHECK_EQ_STR(all_rows(c), "a|1\ne|5\n");
    CHECK_EQ_INT(d->skipped, 5);
    CHECK_EQ_INT(d->line, 8);
    decoder_free(d);
    chunk_free(c);
}

TEST(pieces_give_the_same_rows)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_STRING)};
    fx_init_named(&f, "src", 3, names3, ty, "csv.allow-comments", "true", NULL);
    const char *text = "# c\r\n1,\"a\"\"b\",c\r\n2,\"multi\nline, with comma\",\"\"\n\n3,x,\"y\r\n\"\r\n4,last,row";
    chunk_t *whole = decode_with(&f, text, 0);
    CHECK_EQ_STR(all_rows(whole), "1|a\"b|c\n2|multi\nline, with comma|\n3|x|y\r\n\n4|last|row\n");
    for (size_t piece = 1; piece <= 9; piece++) {
        chunk_t *c = decode_with(&f, text, piece);
        CHECK_EQ_STR(all_rows(c), all_rows(whole));
        chunk_free(c);
    }
    chunk_free(whole);
}

TEST(stops_when_the_chunk_is_full)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_STRING)};
    fx_init_named(&f, "src", 3, names3, ty, NULL);
    decoder_t *d = format_csv.create_decoder(&f.t);
    decoder_begin(d, "x.csv");
    chunk_t *c = chunk_new(&f.t.physical, 2);
    const char *text = "1,a,b\n2,c,d\n3,e,f";
    int64_t used = decoder_decode(d, text, strlen(text), 1, c);
    CHECK_EQ_INT(used, 12);
    CHECK_EQ_INT(c->nrows, 2);
    CHECK_EQ_INT(d->line, 3);
    chunk_reset(c);
    used = decoder_decode(d, text + 12, strlen(text) - 12, 1, c);
    CHECK_EQ_INT(used, 5);
    CHECK_EQ_STR(all_rows(c), "3|e|f\n");
    /* Without eof a last line without a line end waits for more bytes. */
    chunk_reset(c);
    decoder_begin(d, "x.csv");
    CHECK_EQ_INT(decoder_decode(d, "5,x,y", 5, 0, c), 0);
    CHECK_EQ_INT(c->nrows, 0);
    decoder_free(d);
    chunk_free(c);
}

TEST(option_errors)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_STRING)};
    fx_init_named(&f, "src", 3, names3, ty, "csv.field-delimiter", "ab", NULL);
    err_clear();
    CHECK(format_csv.create_decoder(&f.t) == NULL);
    CHECK_EQ_STR(err_message(),
                 "option 'csv.field-delimiter' expects a single character such as ',', '\\t' or '\\u0001', got 'ab'");
    fx_init_named(&f, "src", 3, names3, ty, "csv.disable-quote-character", "true", "csv.quote-character", "'", NULL);
    err_clear();
    CHECK(format_csv.create_decoder(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), "csv.quote-character cannot be set when csv.disable-quote-character is true");
    fx_init_named(&f, "src", 3, names3, ty, "csv.ignore-parse-errors", "yes", NULL);
    err_clear();
    CHECK(format_csv.create_decoder(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), "option 'csv.ignore-parse-errors' expects 'true' or 'false', got 'yes'");
    fx_init_named(&f, "src", 3, names3, ty, "csv.field-delimiter", "\"", NULL);
    err_clear();
    CHECK(format_csv.create_decoder(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), "csv.field-delimiter and csv.quote-character must differ");
    err_clear();
}

TEST(encoder)
{
    static const char *const names[] = {"id", "s", "d", "b", "ts", "ltz", "dec", "day"};
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE), type_make(TY_BOOLEAN),
                   type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP_LTZ, 3), type_decimal(10, 2),
                   type_make(TY_DATE)};
    fx_init_named(&f, "src", 8, names, ty, NULL);
    const char *text = "1,plain,1.5,true,2020-12-30 12:13:14.123,2020-12-30 12:13:14Z,12.50,2020-12-30\n"
                       "2,\"a,b \"\"q\"\"\nnext\",-0.25,false,2020-12-30 12:13:14,2020-12-30 00:00:00.1Z,-1.00,1970-01-01\n"
                       ",,,,,,,\n";
    chunk_t *c = decode_with(&f, text, 0);
    encoder_t *e = format_csv.create_encoder(&f.t);
    sb_t out = {0};
    CHECK_EQ_INT(encoder_encode(e, c, &out), 0);
    CHECK_EQ_STR(sb_str(&out), "1,plain,1.5,true,2020-12-30 12:13:14.123,2020-12-30 12:13:14Z,12.50,2020-12-30\n"
                               "2,\"a,b \"\"q\"\"\nnext\",-0.25,false,2020-12-30 12:13:14,2020-12-30 00:00:00.1Z,-1.00,"
                               "1970-01-01\n"
                               ",,,,,,,\n");
    /* What the encoder writes decodes to the same rows. */
    chunk_t *again = decode_with(&f, sb_str(&out), 0);
    CHECK_EQ_STR(all_rows(again), all_rows(c));
    /* Only live rows of a selection are written. */
    sb_clear(&out);
    c->sel = malloc(sizeof *c->sel);
    c->sel[0] = 1;
    c->nsel = 1;
    encoder_encode(e, c, &out);
    CHECK(strncmp(sb_str(&out), "2,", 2) == 0);
    sb_free(&out);
    encoder_free(e);
    chunk_free(again);
    chunk_free(c);

    static const char *const two[] = {"a", "b"};
    type_t t2[] = {type_make(TY_STRING), type_make(TY_STRING)};
    fx_init_named(&f, "src", 2, two, t2, "csv.field-delimiter", ";", "csv.null-literal", "\\N", NULL);
    c = chunk_new(&f.t.physical, 4);
    value_t vals[2] = {value_null(), value_null()};
    vals[1].null = 0;
    vals[1].s = str_cstr("x;y,z");
    chunk_append_values(c, vals, OP_INSERT);
    e = format_csv.create_encoder(&f.t);
    encoder_encode(e, c, &out);
    CHECK_EQ_STR(sb_str(&out), "\\N;\"x;y,z\"\n");
    sb_free(&out);
    encoder_free(e);
    chunk_free(c);
}

/* Found by fuzz_csv: a DECIMAL with more digits than its precision was stored as is; Flink
 * (DecimalData.fromBigDecimal) makes it NULL. Both sides of the DECIMAL(10, 2) limit. */
TEST(decimal_beyond_precision_is_null)
{
    static const char *const names[] = {"id", "dec"};
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_decimal(10, 2)};
    fx_init_named(&f, "src", 2, names, ty, NULL);
    chunk_t *c = decode_with(&f, "1,99999999.99\n2,100000000.00\n3,-99999999.994\n4,-99999999.995\n"
                                 "5,99999999999\n6,1e8\n7,9.999999999e7\n", 0);
    CHECK_EQ_STR(all_rows(c), "1|99999999.99\n2|NULL\n3|-99999999.99\n4|NULL\n5|NULL\n6|NULL\n7|99999999.99\n");
    CHECK_EQ_INT(c->nrows, 7);
    chunk_free(c);
}

int main(void)
{
    RUN(basic_rows);
    RUN(quoted_fields);
    RUN(empty_fields_and_null_literal);
    RUN(crlf_and_last_line_without_newline);
    RUN(blank_lines_comments_and_header);
    RUN(delimiters);
    RUN(quote_and_escape_options);
    RUN(types);
    RUN(malformed_rows_fail_with_file_and_line);
    RUN(ignore_parse_errors_skips_and_counts);
    RUN(pieces_give_the_same_rows);
    RUN(stops_when_the_chunk_is_full);
    RUN(option_errors);
    RUN(encoder);
    RUN(decimal_beyond_precision_is_null);
    return CHECK_DONE();
}
