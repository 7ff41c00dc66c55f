/* test_json.c - the json format: exact rows decoded from lines (member order, missing and
 * unknown members, escapes, numbers, nested values into STRING, timestamp standards),
 * malformed lines with and without json.ignore-parse-errors, pieces, and the encoder. */
#include "check.h"
#include "connector_testkit.h"
#include "connect/format.h"
#include "base/util.h"
#include <stdlib.h>

/* Decodes text as the file /data/f.json, `piece` bytes at a time (0: all at once). */
static int decode_text(decoder_t *d, const char *text, size_t piece, chunk_t *out)
{
    return decode_pieces(d, "/data/f.json", text, piece, out);
}

static chunk_t *decode_with(fixture *f, const char *text, size_t piece)
{
    return decode_fixture(&format_json, f, "/data/f.json", text, piece);
}

/* The error text of decoding `text` (expected to fail). */
static const char *decode_error(fixture *f, const char *text)
{
    decoder_t *d = format_json.create_decoder(&f->t);
    chunk_t *c = chunk_new(&f->t.physical, CHUNK_CAP);
    err_clear();
    CHECK_EQ_INT(decode_text(d, text, 0, c), -1);
    decoder_free(d);
    chunk_free(c);
    return take_error();
}

static const char *const names3[] = {"id", "name", "score"};

TEST(members_by_name)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init_named(&f, "src", 3, names3, ty, NULL);
    chunk_t *c = decode_with(&f,
                             "{\"id\":1,\"name\":\"abc\",\"score\":2.5}\n"
                             "{ \"score\" : -1e2 , \"extra\": {\"a\":[1,2,{\"b\":\"}\"}]}, \"id\" : 2 }\r\n"
                             "{\"name\":null}\n"
                             "{\"ID\":5,\"Name\":\"case matters\"}\n"
                             "{}", 0);
    CHECK_EQ_STR(all_rows(c), "1|abc|2.5\n2|NULL|-100.0\nNULL|NULL|NULL\nNULL|NULL|NULL\nNULL|NULL|NULL\n");
    chunk_free(c);
}

TEST(strings_and_escapes)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_STRING)};
    fx_init_named(&f, "src", 3, names3, ty, NULL);
    chunk_t *c = decode_with(&f,
                             "{\"id\":1,\"name\":\"a\\\"b\\\\c\\/d\\n\\t\",\"score\":\"\\u00e9\\u4e2d\\ud83d\\ude00\"}\n"
                             "{\"id\":2,\"name\":\"\",\"score\":\"plain text longer than twelve\"}\n", 0);
    CHECK_EQ_STR(all_rows(c), "1|a\"b\\c/d\n\t|\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\n2||plain text longer than twelve\n");
    chunk_free(c);
}

TEST(values_into_types)
{
    static const char *const names[] = {"b", "i", "big", "d", "dec", "day", "s"};
    fixture f;
    type_t ty[] = {type_make(TY_BOOLEAN), type_make(TY_INT), type_make(TY_BIGINT), type_make(TY_DOUBLE),
                   type_decimal(10, 2), type_make(TY_DATE), type_make(TY_STRING)};
    fx_init_named(&f, "src", 7, names, ty, NULL);
    chunk_t *c = decode_with(&f,
                             "{\"b\":true,\"i\":-7,\"big\":9007199254740993,\"d\":0.1,\"dec\":12.345,\"day\":\"2020-12-30\","
                             "\"s\":{\"k\": [1, \"x\"]}}\n"
                             "{\"b\":false,\"i\":\"42\",\"big\":\"-5\",\"d\":\"3\",\"dec\":\"7\",\"day\":null,\"s\":[1,2]}\n"
                             "{\"b\":\"true\",\"i\":3.9,\"big\":1e3,\"d\":5,\"dec\":-0.005,\"s\":12.50}\n"
                             "{\"s\":true}\n", 0);
    CHECK_EQ_STR(all_rows(c), "TRUE|-7|9007199254740993|0.1|12.35|2020-12-30|{\"k\": [1, \"x\"]}\n"
                              "FALSE|42|-5|3.0|7.00|NULL|[1,2]\n"
                              "TRUE|3|1000|5.0|-0.01|NULL|12.50\n"
                              "NULL|NULL|NULL|NULL|NULL|NULL|true\n");
    chunk_free(c);
}

TEST(timestamp_standards)
{
    static const char *const names[] = {"ts", "ltz"};
    fixture f;
    type_t ty[] = {type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP_LTZ, 3)};
    fx_init_named(&f, "src", 2, names, ty, NULL);
    chunk_t *c = decode_with(&f, "{\"ts\":\"2020-12-30 12:13:14.123\",\"ltz\":\"2020-12-30 12:13:14.123Z\"}\n", 0);
    CHECK_EQ_STR(all_rows(c), "2020-12-30 12:13:14.123|2020-12-30 12:13:14.123\n");
    CHECK_EQ_INT(c->cols[1].i64[0], 1609330394123000LL);
    chunk_free(c);
    CHECK_EQ_STR(decode_error(&f, "{\"ts\":\"2020-12-30T12:13:14.123\"}"),
                 "malformed JSON row at /data/f.json:1: field 'ts' (TIMESTAMP(3)): cannot parse "
                 "'2020-12-30T12:13:14.123' (json.timestamp-format.standard is 'SQL')");

    fx_init_named(&f, "src", 2, names, ty, "json.timestamp-format.standard", "ISO-8601", NULL);
    c = decode_with(&f, "{\"ts\":\"2020-12-30T12:13:14.123\",\"ltz\":\"2020-12-30T12:13:14Z\"}\n", 0);
    CHECK_EQ_STR(all_rows(c), "2020-12-30 12:13:14.123|2020-12-30 12:13:14.000\n");
    chunk_free(c);
    CHECK_EQ_STR(decode_error(&f, "\n{\"ts\":\"2020-12-30 12:13:14\"}"),
                 "malformed JSON row at /data/f.json:2: field 'ts' (TIMESTAMP(3)): cannot parse "
                 "'2020-12-30 12:13:14' (json.timestamp-format.standard is 'ISO-8601')");
}

TEST(malformed_lines)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init_named(&f, "src", 3, names3, ty, NULL);
    struct { const char *text; const char *msg; } cases[] = {
        {"{\"id\":1}\n{\"id\":\"x\"}", "malformed JSON row at /data/f.json:2: field 'id' (BIGINT): cannot parse 'x'"},
        {"{\"id\" 1}", "malformed JSON row at /data/f.json:1: expected ':' after a member name at column 7"},
        {"[1,2]", "malformed JSON row at /data/f.json:1: expected '{' (each line must hold one JSON object) at column 1"},
        {"{\"id\":1,}", "malformed JSON row at /data/f.json:1: expected a member name in double quotes at column 9"},
        {"{\"id\":1} x", "malformed JSON row at /data/f.json:1: unexpected text after the object at column 10"},
        {"{\"name\":\"abc", "malformed JSON row at /data/f.json:1: unterminated string at column 13"},
        {"{\"id\":tru}", "malformed JSON row at /data/f.json:1: invalid value at column 7"},
        {"{\"id\":-}", "malformed JSON row at /data/f.json:1: invalid number at column 7"},
        {"{\"id\":true}", "malformed JSON row at /data/f.json:1: field 'id' (BIGINT): expected a number, found true"},
        {"{\"id\":{\"a\":1}}", "malformed JSON row at /data/f.json:1: field 'id' (BIGINT): expected a scalar value, "
                             "found an object or array"},
        {"{\"name\":\"\\x\"}", "malformed JSON row at /data/f.json:1: invalid escape in string at column 11"},
        {"{\"id\":1,\"name\":\"a\"", "malformed JSON row at /data/f.json:1: expected ',' or '}' at column 19"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) CHECK_EQ_STR(decode_error(&f, cases[i].text), cases[i].msg);
}

TEST(fail_on_missing_field)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init_named(&f, "src", 3, names3, ty, "json.fail-on-missing-field", "true", NULL);
    CHECK_EQ_STR(decode_error(&f, "{\"id\":1,\"name\":null,\"score\":1}\n{\"id\":1,\"score\":2}"),
                 "malformed JSON row at /data/f.json:2: missing field 'name' (json.fail-on-missing-field is true)");
    fx_init_named(&f, "src", 3, names3, ty, "json.fail-on-missing-field", "true",
            "json.ignore-parse-errors", "true", NULL);
    err_clear();
    CHECK(format_json.create_decoder(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), "json.fail-on-missing-field and json.ignore-parse-errors cannot both be true");
    fx_init_named(&f, "src", 3, names3, ty, "json.timestamp-format.standard", "RFC", NULL);
    err_clear();
    CHECK(format_json.create_decoder(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), "invalid value 'RFC' for option 'json.timestamp-format.standard'; valid values: SQL, ISO-8601");
    err_clear();
}

TEST(ignore_parse_errors)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init_named(&f, "src", 3, names3, ty, "json.ignore-parse-errors", "true", NULL);
    decoder_t *d = format_json.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    err_clear();
    CHECK_EQ_INT(decode_text(d, "{\"id\":1}\nnot json\n{\"id\":\"x\"}\n\n{\"id\":2,\"score\":1.5}\n{", 0, c), 0);
    CHECK_EQ_INT(err_pending(), 0);
    CHECK_EQ_STR(all_rows(c), "1|NULL|NULL\n2|NULL|1.5\n");
    CHECK_EQ_INT(d->skipped, 3);
    CHECK_EQ_INT(d->line, 6);
    decoder_free(d);
    chunk_free(c);
}

TEST(pieces_give_the_same_rows)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init_named(&f, "src", 3, names3, ty, NULL);
    const char *text = "\xEF\xBB\xBF{\"id\":1,\"name\":\"a\\u0041\"}\r\n\n{\"id\":2,\"name\":\"second row text\",\"score\":-0.5}\n"
                       "{\"score\":3}";
    chunk_t *whole = decode_with(&f, text, 0);
    CHECK_EQ_STR(all_rows(whole), "1|aA|NULL\n2|second row text|-0.5\nNULL|NULL|3.0\n");
    for (size_t piece = 1; piece <= 7; piece++) {
        chunk_t *c = decode_with(&f, text, piece);
        CHECK_EQ_STR(all_rows(c), all_rows(whole));
        chunk_free(c);
    }
    chunk_free(whole);
}

TEST(encoder)
{
    static const char *const names[] = {"id", "s", "d", "b", "ts", "ltz", "dec", "day"};
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE), type_make(TY_BOOLEAN),
                   type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP_LTZ, 3), type_decimal(10, 2),
                   type_make(TY_DATE)};
    fx_init_named(&f, "src", 8, names, ty, NULL);
    const char *text = "{\"id\":1,\"s\":\"q\\\"\\\\\\n\\u0001\xc3\xa9\",\"d\":1e7,\"b\":true,\"ts\":\"2020-12-30 12:13:14.120\","
                       "\"ltz\":\"2020-12-30 12:13:14Z\",\"dec\":-12.5,\"day\":\"2020-12-30\"}\n"
                       "{\"id\":2}\n";
    chunk_t *c = decode_with(&f, text, 0);
    encoder_t *e = format_json.create_encoder(&f.t);
    sb_t out = {0};
    CHECK_EQ_INT(encoder_encode(e, c, &out), 0);
    CHECK_EQ_STR(sb_str(&out), "{\"id\":1,\"s\":\"q\\\"\\\\\\n\\u0001\xc3\xa9\",\"d\":1.0E7,\"b\":true,"
                               "\"ts\":\"2020-12-30 12:13:14.12\",\"ltz\":\"2020-12-30 12:13:14Z\",\"dec\":-12.50,"
                               "\"day\":\"2020-12-30\"}\n"
                               "{\"id\":2,\"s\":null,\"d\":null,\"b\":null,\"ts\":null,\"ltz\":null,\"dec\":null,\"day\":null}\n");
    chunk_t *again = decode_with(&f, sb_str(&out), 0);
    CHECK_EQ_STR(all_rows(again), all_rows(c));
    chunk_free(again);
    encoder_free(e);

    fx_init_named(&f, "src", 8, names, ty, "json.timestamp-format.standard", "ISO-8601",
            "json.encode.ignore-null-fields", "true", NULL);
    e = format_json.create_encoder(&f.t);
    sb_clear(&out);
    encoder_encode(e, c, &out);
    CHECK_EQ_STR(sb_str(&out), "{\"id\":1,\"s\":\"q\\\"\\\\\\n\\u0001\xc3\xa9\",\"d\":1.0E7,\"b\":true,"
                               "\"ts\":\"2020-12-30T12:13:14.12\",\"ltz\":\"2020-12-30T12:13:14Z\",\"dec\":-12.50,"
                               "\"day\":\"2020-12-30\"}\n"
                               "{\"id\":2}\n");
    encoder_free(e);
    sb_free(&out);
    chunk_free(c);
}

/* Found by fuzz_json: a DECIMAL with more digits than its precision was stored as is; Flink
 * (DecimalData.fromBigDecimal) makes it NULL. Both sides of the DECIMAL(10, 2) limit. */
TEST(decimal_beyond_precision_is_null)
{
    static const char *const names[] = {"id", "dec"};
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_decimal(10, 2)};
    fx_init_named(&f, "src", 2, names, ty, NULL);
    chunk_t *c = decode_with(&f,
                             "{\"id\":1,\"dec\":99999999.99}\n{\"id\":2,\"dec\":100000000}\n"
                             "{\"id\":3,\"dec\":\"-99999999.994\"}\n{\"id\":4,\"dec\":\"-99999999.995\"}\n"
                             "{\"id\":5,\"dec\":999999999999}\n{\"id\":6,\"dec\":1E8}\n", 0);
    CHECK_EQ_STR(all_rows(c), "1|99999999.99\n2|NULL\n3|-99999999.99\n4|NULL\n5|NULL\n6|NULL\n");
    chunk_free(c);
}

/* A backslash as the last byte of a line inside a nested value: the skip over its escape
 * stops at the line end instead of stepping past it. */
TEST(nested_value_ending_in_backslash)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init_named(&f, "src", 3, names3, ty, NULL);
    CHECK_EQ_STR(decode_error(&f, "{\"name\":[\"\\"),
                 "malformed JSON row at /data/f.json:1: unterminated object or array at column 12");
    CHECK_EQ_STR(decode_error(&f, "{\"name\":[\"\\\n{\"id\":1}"),
                 "malformed JSON row at /data/f.json:1: unterminated object or array at column 12");
    chunk_t *c = decode_with(&f, "{\"name\":[\"\\\\\"]}\n{\"name\":{\"a\":\"\\\"}\"}}\n", 0);
    CHECK_EQ_STR(all_rows(c), "NULL|[\"\\\\\"]|NULL\nNULL|{\"a\":\"\\\"}\"}|NULL\n");
    chunk_free(c);
}

/* Member names are compared in place with the column expected next: a longer or shorter name,
 * an escaped name and names holding '"' or '\' (always looked up) find the right column. */
TEST(member_names_in_place_and_looked_up)
{
    static const char *const names[] = {"id", "na\"me", "sc\\ore"};
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_STRING)};
    fx_init_named(&f, "src", 3, names, ty, NULL);
    chunk_t *c = decode_with(&f,
                             "{\"id\":1,\"na\\\"me\":\"q\",\"sc\\\\ore\":\"b\"}\n"
                             "{\"i\\u0064\":2,\"idx\":7,\"i\":8}\n"
                             "{\"idx\":4,\"id\":5,\"id\":6}\n"
                             "{\"na\":\"x\",\"sc\\\\ore\":\"y\",\"id\":9}\n", 0);
    CHECK_EQ_STR(all_rows(c), "1|q|b\n2|NULL|NULL\n6|NULL|NULL\n9|NULL|y\n");
    chunk_free(c);
    CHECK_EQ_STR(decode_error(&f, "{\"id\":1,\"id"),
                 "malformed JSON row at /data/f.json:1: unterminated string at column 12");
    CHECK_EQ_STR(decode_error(&f, "{\"id\" 1}"),
                 "malformed JSON row at /data/f.json:1: expected ':' after a member name at column 7");
}

/* Integers read in one pass, both sides of every bound; the rest goes the general way. */
TEST(integers_at_their_bounds)
{
    static const char *const names[] = {"i", "big"};
    fixture f;
    type_t ty[] = {type_make(TY_INT), type_make(TY_BIGINT)};
    fx_init_named(&f, "src", 2, names, ty, NULL);
    chunk_t *c = decode_with(&f,
                             "{\"i\":2147483647,\"big\":9223372036854775807}\n"
                             "{\"i\":-2147483648,\"big\":-9223372036854775808}\n"
                             "{\"i\":-0,\"big\":0000000000000000001}\n"
                             "{\"i\":1.0,\"big\":2E1}\n", 0);
    CHECK_EQ_STR(all_rows(c), "2147483647|9223372036854775807\n-2147483648|-9223372036854775808\n"
                              "0|1\n1|20\n");
    chunk_free(c);
    CHECK_EQ_STR(decode_error(&f, "{\"i\":2147483648}"),
                 "malformed JSON row at /data/f.json:1: field 'i' (INT): cannot parse '2147483648'");
    CHECK_EQ_STR(decode_error(&f, "{\"i\":-2147483649}"),
                 "malformed JSON row at /data/f.json:1: field 'i' (INT): cannot parse '-2147483649'");
    CHECK_EQ_STR(decode_error(&f, "{\"big\":9223372036854775808}"),
                 "malformed JSON row at /data/f.json:1: field 'big' (BIGINT): cannot parse '9223372036854775808'");
    CHECK_EQ_STR(decode_error(&f, "{\"big\":-9223372036854775809}"),
                 "malformed JSON row at /data/f.json:1: field 'big' (BIGINT): cannot parse '-9223372036854775809'");
    CHECK_EQ_STR(decode_error(&f, "{\"big\":-}"), "malformed JSON row at /data/f.json:1: invalid number at column 8");
    CHECK_EQ_STR(decode_error(&f, "{\"big\":12x}"),
                 "malformed JSON row at /data/f.json:1: expected ',' or '}' at column 10");
}

/* Strings are scanned byte by byte over their first 32 bytes, then with memchr. */
TEST(escapes_before_and_after_32_bytes)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_STRING)};
    fx_init_named(&f, "src", 3, names3, ty, NULL);
    chunk_t *c = decode_with(&f,
                             "{\"name\":\"0123456789012345678901234567890\\n\",\"score\":\"01234567890123456789012345678901\\t\"}\n"
                             "{\"name\":\"012345678901234567890123456789012345678\",\"score\":\"\"}\n", 0);
    CHECK_EQ_STR(all_rows(c), "NULL|0123456789012345678901234567890\n|01234567890123456789012345678901\t\n"
                              "NULL|012345678901234567890123456789012345678|\n");
    chunk_free(c);
    CHECK_EQ_STR(decode_error(&f, "{\"name\":\"012345678901234567890123456789012345678"),
                 "malformed JSON row at /data/f.json:1: unterminated string at column 49");
}

int main(void)
{
    RUN(members_by_name);
    RUN(strings_and_escapes);
    RUN(values_into_types);
    RUN(timestamp_standards);
    RUN(malformed_lines);
    RUN(fail_on_missing_field);
    RUN(ignore_parse_errors);
    RUN(pieces_give_the_same_rows);
    RUN(encoder);
    RUN(decimal_beyond_precision_is_null);
    RUN(nested_value_ending_in_backslash);
    RUN(member_names_in_place_and_looked_up);
    RUN(integers_at_their_bounds);
    RUN(escapes_before_and_after_32_bytes);
    return CHECK_DONE();
}
