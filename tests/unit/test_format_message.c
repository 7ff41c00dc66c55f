/* test_format_message.c - formats on messages (Kafka record values, MQTT payloads): where a
 * record came from in error texts, json / csv / raw decode_message and encode_each (round
 * trips, multi-line and pretty-printed messages, trailing line ends, errors naming topic,
 * partition and offset, skipped counts, -2 when the chunk is full), and the raw format
 * (charsets, endianness, every fixed width on both sides of its range, files). */
#include "check.h"
#include "connector_testkit.h"
#include "connect/format.h"
#include "base/util.h"
#include <stdlib.h>

/* Decodes one message from topic 'orders' partition 2 offset 1234. */
static int message(decoder_t *d, const char *text, chunk_t *out)
{
    decoder_begin_message(d, "orders", 2, 1234);
    return decoder_decode_message(d, text, text ? strlen(text) : 0, out);
}

/* The error message of a message expected to fail. */
static const char *message_error(decoder_t *d, const char *text, chunk_t *out)
{
    err_clear();
    CHECK_EQ_INT(message(d, text, out), -1);
    return take_error();
}

static const char *const names3[] = {"id", "name", "score"};

TEST(where_names_the_origin)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init_named(&f, "src", 3, names3, ty, NULL);
    decoder_t *d = format_json.create_decoder(&f.t);
    sb_t b = {0};
    decoder_where(d, 7, &b);
    CHECK_EQ_STR(sb_str(&b), "<input>:7");
    decoder_begin(d, "/data/a.json");
    sb_clear(&b);
    decoder_where(d, 3, &b);
    CHECK_EQ_STR(sb_str(&b), "/data/a.json:3");
    decoder_begin_message(d, "orders", 0, 0);
    sb_clear(&b);
    decoder_where(d, 3, &b);
    CHECK_EQ_STR(sb_str(&b), "topic 'orders' partition 0 offset 0");
    decoder_begin_message(d, "orders", 11, INT64_MAX);
    sb_clear(&b);
    decoder_where(d, 1, &b);
    CHECK_EQ_STR(sb_str(&b), "topic 'orders' partition 11 offset 9223372036854775807");
    decoder_begin_message(d, "mall/door/3", -1, 0);
    sb_clear(&b);
    decoder_where(d, 1, &b);
    CHECK_EQ_STR(sb_str(&b), "MQTT topic 'mall/door/3'");
    decoder_begin(d, "/data/b.json");
    sb_clear(&b);
    decoder_where(d, 1, &b);
    CHECK_EQ_STR(sb_str(&b), "/data/b.json:1");
    sb_free(&b);
    decoder_free(d);
}

TEST(formats_registered)
{
    CHECK(format_lookup("raw") == &format_raw);
    CHECK(format_lookup("debezium-json") == &format_debezium_json);
    CHECK(format_lookup("canal-json") == &format_canal_json);
    CHECK(format_lookup("maxwell-json") == NULL);
    CHECK_EQ_STR(format_list(), "csv, json, raw, debezium-json, canal-json");
    CHECK_EQ_INT(format_json.changelog, 0);
    CHECK_EQ_INT(format_raw.changelog, 0);
    CHECK_EQ_INT(format_debezium_json.changelog, 1);
    CHECK_EQ_INT(format_canal_json.changelog, 1);
}

TEST(json_messages)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init_named(&f, "src", 3, names3, ty, NULL);
    decoder_t *d = format_json.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, 3);
    CHECK_EQ_INT(message(d, "{\"id\":1,\"name\":\"a\",\"score\":0.5}", c), 1);
    CHECK_EQ_INT(message(d, "{\n  \"id\": 2,\n  \"name\": \"two\\nlines\"\n}\n", c), 1);
    CHECK_EQ_INT(message(d, NULL, c), 0);
    CHECK_EQ_INT(message(d, " {\"score\":-1e3}\r\n\n", c), 1);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I 1|a|0.5\n+I 2|two\nlines|NULL\n+I NULL|NULL|-1000.0\n");
    /* full: -2, nothing appended; a tombstone still appends nothing */
    CHECK_EQ_INT(message(d, "{\"id\":4}", c), -2);
    CHECK_EQ_INT(message(d, NULL, c), 0);
    CHECK_EQ_INT(c->nrows, 3);
    chunk_reset(c);
    CHECK_EQ_INT(message(d, "{\"id\":4}", c), 1);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I 4|NULL|NULL\n");
    chunk_free(c);
    decoder_free(d);
}

TEST(json_message_errors)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init_named(&f, "src", 3, names3, ty, NULL);
    decoder_t *d = format_json.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    CHECK_EQ_STR(message_error(d, "{\"id\":1,\"nm\":\"a\"x}", c),
                 "malformed JSON record at topic 'orders' partition 2 offset 1234: expected ',' or '}' at column 17");
    CHECK_EQ_STR(message_error(d, "{\n  \"id\": x\n}", c),
                 "malformed JSON record at topic 'orders' partition 2 offset 1234: invalid number at line 2, column 9");
    CHECK_EQ_STR(message_error(d, "", c),
                 "malformed JSON record at topic 'orders' partition 2 offset 1234: expected '{' (a message must hold "
                 "one JSON object) at column 1");
    CHECK_EQ_STR(message_error(d, "{\"id\":1}\n{\"id\":2}", c),
                 "malformed JSON record at topic 'orders' partition 2 offset 1234: unexpected text after the object "
                 "at line 2, column 1");
    CHECK_EQ_STR(message_error(d, "{\"id\":\"x\"}", c),
                 "malformed JSON record at topic 'orders' partition 2 offset 1234: field 'id' (BIGINT): cannot parse "
                 "'x'");
    decoder_begin_message(d, "sensors/7", -1, 0);
    err_clear();
    CHECK_EQ_INT(decoder_decode_message(d, "{\"score\":true}", 14, c), -1);
    CHECK_EQ_STR(err_message(), "malformed JSON record at MQTT topic 'sensors/7': field 'score' (DOUBLE): expected a "
                                "number, found true");
    err_clear();
    CHECK_EQ_INT(c->nrows, 0);
    CHECK_EQ_INT(d->skipped, 0);
    chunk_free(c);
    decoder_free(d);
}

TEST(json_message_ignore_parse_errors)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init_named(&f, "src", 3, names3, ty, "json.ignore-parse-errors", "true", NULL);
    decoder_t *d = format_json.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    err_clear();
    CHECK_EQ_INT(message(d, "{\"id\":1,", c), 0);
    CHECK_EQ_INT(message(d, "not json", c), 0);
    CHECK_EQ_INT(message(d, "{\"id\":2}", c), 1);
    CHECK_EQ_INT(message(d, "{\"id\":99999999999999999999}", c), 0);
    CHECK_EQ_INT(err_pending(), 0);
    CHECK_EQ_INT(d->skipped, 3);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I 2|NULL|NULL\n");
    chunk_free(c);
    decoder_free(d);
}

/* Both sides of the INT and BIGINT ranges in the inline integer path, and doubles that need
 * strtod (more than 15 digits, big exponents) next to ones that do not. */
TEST(json_number_boundaries)
{
    static const char *const names[] = {"i", "b", "d"};
    fixture f;
    type_t ty[] = {type_make(TY_INT), type_make(TY_BIGINT), type_make(TY_DOUBLE)};
    fx_init_named(&f, "src", 3, names, ty, "json.ignore-parse-errors", "true", NULL);
    decoder_t *d = format_json.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    CHECK_EQ_INT(message(d, "{\"i\":2147483647,\"b\":9223372036854775807,\"d\":0.1}", c), 1);
    CHECK_EQ_INT(message(d, "{\"i\":-2147483648,\"b\":-9223372036854775808,\"d\":-2.5e-3}", c), 1);
    CHECK_EQ_INT(message(d, "{\"i\":2147483648}", c), 0);
    CHECK_EQ_INT(message(d, "{\"i\":-2147483649}", c), 0);
    CHECK_EQ_INT(message(d, "{\"b\":9223372036854775808}", c), 0);
    CHECK_EQ_INT(message(d, "{\"b\":-9223372036854775809}", c), 0);
    CHECK_EQ_INT(message(d, "{\"b\":0000000000000000000007,\"d\":9007199254740993}", c), 1);
    CHECK_EQ_INT(message(d, "{\"d\":1.7976931348623157e308}", c), 1);
    CHECK_EQ_INT(message(d, "{\"d\":12345678901234567890.5}", c), 1);
    CHECK_EQ_INT(message(d, "{\"d\":1e22}", c), 1);
    CHECK_EQ_INT(message(d, "{\"d\":1e23}", c), 1);
    CHECK_EQ_INT(message(d, "{\"d\":-0}", c), 1);
    CHECK_EQ_INT(d->skipped, 4);
    CHECK_EQ_INT(c->nrows, 8);
    CHECK_EQ_INT(c->cols[0].i64[0], 2147483647);
    CHECK_EQ_INT(c->cols[1].i64[0], INT64_MAX);
    CHECK(c->cols[2].f64[0] == 0.1);
    CHECK_EQ_INT(c->cols[0].i64[1], -2147483647 - 1);
    CHECK_EQ_INT(c->cols[1].i64[1], INT64_MIN);
    CHECK(c->cols[2].f64[1] == -2.5e-3);
    CHECK_EQ_INT(c->cols[1].i64[2], 7);
    CHECK(c->cols[2].f64[2] == 9007199254740992.0);
    CHECK(c->cols[2].f64[3] == 1.7976931348623157e308);
    CHECK(c->cols[2].f64[4] == 12345678901234567890.5);
    CHECK(c->cols[2].f64[5] == 1e22);
    CHECK(c->cols[2].f64[6] == 1e23);
    CHECK(c->cols[2].f64[7] == 0.0 && 1 / c->cols[2].f64[7] < 0);
    chunk_free(c);
    decoder_free(d);
}

TEST(json_encode_each)
{
    static const char *const names[] = {"id", "name", "dec"};
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_decimal(12, 9)};
    fx_init_named(&f, "src", 3, names, ty, NULL);
    decoder_t *d = format_json.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    message(d, "{\"id\":1,\"name\":\"a\\\"b\",\"dec\":0.000000027}", c);
    message(d, "{\"id\":2,\"dec\":0.000001}", c);
    message(d, "{\"id\":3,\"dec\":0.0000001}", c);
    message(d, "{\"id\":4,\"dec\":-0.00000012}", c);
    message(d, "{\"id\":5,\"dec\":0}", c);
    encoder_t *e = format_json.create_encoder(&f.t);
    sb_t out = {0};
    sb_puts(&out, "prefix");
    uint32_t ends[8];
    CHECK_EQ_INT(encoder_encode_each(e, c, &out, ends), 0);
    CHECK_EQ_INT(ends[0], 6 + strlen("{\"id\":1,\"name\":\"a\\\"b\",\"dec\":2.7E-8}"));
    CHECK_EQ_STR(messages_of(&out, ends, 5) + strlen("[prefix"),
                 "{\"id\":1,\"name\":\"a\\\"b\",\"dec\":2.7E-8}][{\"id\":2,\"name\":null,\"dec\":0.000001000}]"
                 "[{\"id\":3,\"name\":null,\"dec\":1.00E-7}][{\"id\":4,\"name\":null,\"dec\":-1.20E-7}]"
                 "[{\"id\":5,\"name\":null,\"dec\":0E-9}]");
    /* each message decodes back to its row */
    chunk_t *back = chunk_new(&f.t.physical, CHUNK_CAP);
    uint32_t start = 6;
    for (int k = 0; k < 5; k++) {
        decoder_begin_message(d, "t", 0, k);
        CHECK_EQ_INT(decoder_decode_message(d, out.data + start, ends[k] - start, back), 1);
        start = ends[k];
    }
    CHECK_EQ_STR(all_rows_with_ops(back), all_rows_with_ops(c));
    encoder_free(e);

    fx_init_named(&f, "src", 3, names, ty, "json.encode.decimal-as-plain-number", "true", NULL);
    e = format_json.create_encoder(&f.t);
    sb_clear(&out);
    encoder_encode_each(e, c, &out, ends);
    CHECK_EQ_STR(messages_of(&out, ends, 5),
                 "[{\"id\":1,\"name\":\"a\\\"b\",\"dec\":0.000000027}][{\"id\":2,\"name\":null,\"dec\":0.000001000}]"
                 "[{\"id\":3,\"name\":null,\"dec\":0.000000100}][{\"id\":4,\"name\":null,\"dec\":-0.000000120}]"
                 "[{\"id\":5,\"name\":null,\"dec\":0.000000000}]");
    /* a selection vector: only live rows become messages */
    uint16_t sel[] = {4, 1};
    c->sel = sel;
    c->nsel = 2;
    sb_clear(&out);
    encoder_encode_each(e, c, &out, ends);
    CHECK_EQ_STR(messages_of(&out, ends, 2),
                 "[{\"id\":5,\"name\":null,\"dec\":0.000000000}][{\"id\":2,\"name\":null,\"dec\":0.000001000}]");
    c->sel = NULL;
    sb_free(&out);
    encoder_free(e);
    chunk_free(back);
    chunk_free(c);
    decoder_free(d);
}

TEST(csv_messages)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init_named(&f, "src", 3, names3, ty, NULL);
    decoder_t *d = format_csv.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, 4);
    CHECK_EQ_INT(message(d, "1,abc,2.5", c), 1);
    CHECK_EQ_INT(message(d, "2,\"two\nlines, quoted\",\r\n", c), 1);
    CHECK_EQ_INT(message(d, "3,,-1\n\n", c), 1);
    CHECK_EQ_INT(message(d, "", c), 0);
    CHECK_EQ_INT(message(d, "\n", c), 0);
    CHECK_EQ_INT(message(d, NULL, c), 0);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I 1|abc|2.5\n+I 2|two\nlines, quoted|NULL\n+I 3||-1.0\n");
    CHECK_EQ_STR(message_error(d, "4,a", c),
                 "malformed CSV record at topic 'orders' partition 2 offset 1234: expected 3 fields, found 2");
    CHECK_EQ_STR(message_error(d, "4,a,1\n5,b,2", c),
                 "malformed CSV record at topic 'orders' partition 2 offset 1234: a message must hold one record, but "
                 "another one starts at line 2");
    CHECK_EQ_STR(message_error(d, "x,a,1", c),
                 "malformed CSV record at topic 'orders' partition 2 offset 1234: field 'id' (BIGINT): cannot parse "
                 "'x'");
    CHECK_EQ_STR(message_error(d, "4,\"a", c),
                 "malformed CSV record at topic 'orders' partition 2 offset 1234: unterminated quoted field");
    CHECK_EQ_INT(message(d, "4,d,4", c), 1);
    CHECK_EQ_INT(message(d, "5,e,5", c), -2);
    CHECK_EQ_INT(c->nrows, 4);

    encoder_t *e = format_csv.create_encoder(&f.t);
    sb_t out = {0};
    uint32_t ends[4];
    CHECK_EQ_INT(encoder_encode_each(e, c, &out, ends), 0);
    CHECK_EQ_STR(messages_of(&out, ends, 4), "[1,abc,2.5][2,\"two\nlines, quoted\",][3,,-1.0][4,d,4.0]");
    sb_free(&out);
    encoder_free(e);
    chunk_free(c);
    decoder_free(d);
}

TEST(csv_message_options)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init_named(&f, "src", 3, names3, ty, "csv.ignore-parse-errors", "true", "csv.allow-comments", "true",
            "csv.field-delimiter", ";", NULL);
    decoder_t *d = format_csv.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    err_clear();
    CHECK_EQ_INT(message(d, "# a comment", c), 0);
    CHECK_EQ_INT(message(d, "1;a", c), 0);
    CHECK_EQ_INT(message(d, "1;a;1\n2;b;2", c), 0);
    CHECK_EQ_INT(message(d, "7;x;0.5", c), 1);
    CHECK_EQ_INT(err_pending(), 0);
    CHECK_EQ_INT(d->skipped, 2);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I 7|x|0.5\n");
    chunk_free(c);
    decoder_free(d);
}

/* Inside a quoted field the escape character is escaped too, so that what the encoder writes
 * reads back as it was (found by fuzz/fuzz_message.c: "a\\b" used to read back as "ab"). */
TEST(csv_escape_character_round_trip)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init_named(&f, "src", 3, names3, ty, "csv.escape-character", "\\\\", NULL);
    decoder_t *d = format_csv.create_decoder(&f.t);
    encoder_t *e = format_csv.create_encoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, 4), *back = chunk_new(&f.t.physical, 4);
    CHECK_EQ_INT(message(d, "1,a\\\\b,2", c), 1);
    CHECK_EQ_INT(message(d, "2,\"x\"\"y\\\\\",3", c), 1);
    CHECK_EQ_INT(message(d, "3,\\,,4", c), 1);
    CHECK_EQ_INT(message(d, "4,plain,5", c), 1);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I 1|a\\b|2.0\n+I 2|x\"y\\|3.0\n+I 3|,|4.0\n+I 4|plain|5.0\n");
    sb_t out = {0};
    uint32_t ends[4];
    CHECK_EQ_INT(encoder_encode_each(e, c, &out, ends), 0);
    CHECK_EQ_STR(messages_of(&out, ends, 4),
                 "[1,\"a\\\\b\",2.0][2,\"x\"\"y\\\\\",3.0][3,\",\",4.0][4,plain,5.0]");
    uint32_t start = 0;
    for (int k = 0; k < 4; k++) {
        decoder_begin_message(d, "t", 0, k);
        CHECK_EQ_INT(decoder_decode_message(d, out.data + start, ends[k] - start, back), 1);
        start = ends[k];
    }
    CHECK_EQ_STR(all_rows_with_ops(back), all_rows_with_ops(c));
    /* files: the same field syntax, one line per row */
    sb_clear(&out);
    CHECK_EQ_INT(encoder_encode(e, c, &out), 0);
    CHECK_EQ_STR(sb_str(&out), "1,\"a\\\\b\",2.0\n2,\"x\"\"y\\\\\",3.0\n3,\",\",4.0\n4,plain,5.0\n");
    sb_free(&out);
    encoder_free(e);
    chunk_free(back);
    chunk_free(c);
    decoder_free(d);
}

/* A '\r' that ends the last field is dropped as part of a "\r\n" line end, but not when it
 * is escaped (found by fuzz/fuzz_message.c: with quoting disabled the encoder escapes a
 * trailing '\r', which used to read back without it). */
TEST(csv_escaped_carriage_return)
{
    static const char *const names[] = {"id", "name"};
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING)};
    fx_init_named(&f, "src", 2, names, ty, "csv.escape-character", "\\\\", "csv.disable-quote-character", "true", NULL);
    decoder_t *d = format_csv.create_decoder(&f.t);
    encoder_t *e = format_csv.create_encoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, 8), *back = chunk_new(&f.t.physical, 8);
    CHECK_EQ_INT(message(d, "1,a\\\r", c), 1);
    CHECK_EQ_INT(message(d, "2,a\r", c), 1);
    CHECK_EQ_INT(message(d, "3,a\\\r\r", c), 1);
    CHECK_EQ_INT(message(d, "4,\\\rb\r\n", c), 1);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I 1|a\r\n+I 2|a\n+I 3|a\r\n+I 4|\rb\n");
    sb_t out = {0};
    uint32_t ends[4];
    CHECK_EQ_INT(encoder_encode_each(e, c, &out, ends), 0);
    CHECK_EQ_STR(messages_of(&out, ends, 4), "[1,a\\\r][2,a][3,a\\\r][4,\\\rb]");
    uint32_t start = 0;
    for (int k = 0; k < 4; k++) {
        decoder_begin_message(d, "t", 0, k);
        CHECK_EQ_INT(decoder_decode_message(d, out.data + start, ends[k] - start, back), 1);
        start = ends[k];
    }
    CHECK_EQ_STR(all_rows_with_ops(back), all_rows_with_ops(c));
    /* files: an escaped '\r' before the line end stays, with or without a '\r' of the line end */
    chunk_reset(c);
    decoder_begin(d, "/data/names.csv");
    const char *file = "5,b\\\r\n6,c\\\r\r\n7,d\r\n8,e\\\r";
    CHECK_EQ_INT(decoder_decode(d, file, strlen(file), 1, c), (int64_t)strlen(file));
    CHECK_EQ_STR(all_rows_with_ops(c), "+I 5|b\r\n+I 6|c\r\n+I 7|d\n+I 8|e\r\n");
    sb_free(&out);
    encoder_free(e);
    chunk_free(back);
    chunk_free(c);
    decoder_free(d);
}

/* ---- raw ---- */

static const char *const one_name[] = {"v"};

static chunk_t *raw_messages(fixture *f, const char *const *msgs, const size_t *lens, int n)
{
    decoder_t *d = format_raw.create_decoder(&f->t);
    CHECK(d != NULL);
    chunk_t *c = chunk_new(&f->t.physical, CHUNK_CAP);
    for (int i = 0; d && i < n; i++) {
        decoder_begin_message(d, "raw", 0, i);
        CHECK_EQ_INT(decoder_decode_message(d, msgs[i], lens[i], c), 1);
    }
    decoder_free(d);
    return c;
}

static const char *raw_error(fixture *f, const char *msg, size_t len)
{
    static char text[256];
    decoder_t *d = format_raw.create_decoder(&f->t);
    chunk_t *c = chunk_new(&f->t.physical, CHUNK_CAP);
    decoder_begin_message(d, "raw", 1, 5);
    err_clear();
    CHECK_EQ_INT(decoder_decode_message(d, msg, len, c), -1);
    snprintf(text, sizeof text, "%s", err_message());
    err_clear();
    CHECK_EQ_INT(c->nrows, 0);
    chunk_free(c);
    decoder_free(d);
    return text;
}

TEST(raw_strings)
{
    fixture f;
    type_t ty[] = {type_make(TY_STRING)};
    fx_init_named(&f, "src", 1, one_name, ty, NULL);
    const char *msgs[] = {"47.29.201.179 - - [28/Feb/2019:13:17:10 +0000] \"GET /?p=1\"\n", "", NULL, "\xc3\xa9t\xc3\xa9"};
    size_t lens[] = {strlen(msgs[0]), 0, 0, 5};
    chunk_t *c = raw_messages(&f, msgs, lens, 4);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I 47.29.201.179 - - [28/Feb/2019:13:17:10 +0000] \"GET /?p=1\"\n\n+I \n+I NULL\n"
                              "+I \xc3\xa9t\xc3\xa9\n");
    encoder_t *e = format_raw.create_encoder(&f.t);
    sb_t out = {0};
    uint32_t ends[4];
    CHECK_EQ_INT(encoder_encode_each(e, c, &out, ends), 0);
    CHECK_EQ_INT(ends[0], lens[0]);
    CHECK_EQ_INT(ends[1], ends[0]);
    CHECK_EQ_INT(ends[2], ends[1]);
    CHECK_EQ_INT(ends[3], ends[2] + 5);
    CHECK(memcmp(out.data + ends[2], "\xc3\xa9t\xc3\xa9", 5) == 0);
    sb_clear(&out);
    encoder_encode(e, c, &out);
    CHECK_EQ_INT(out.len, lens[0] + 1 + 1 + 1 + 6);
    sb_free(&out);
    encoder_free(e);
    chunk_free(c);
}

TEST(raw_charsets)
{
    fixture f;
    type_t ty[] = {type_make(TY_STRING)};
    fx_init_named(&f, "src", 1, one_name, ty, "raw.charset", "iso-8859-1", NULL);
    const char *msgs[] = {"caf\xe9 \x7f\x80\xff"};
    size_t lens[] = {8};
    chunk_t *c = raw_messages(&f, msgs, lens, 1);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I caf\xc3\xa9 \x7f\xc2\x80\xc3\xbf\n");
    chunk_reset(c);
    value_t v = {0};
    v.s = str_cstr("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80x\xff");
    chunk_append_values(c, &v, OP_INSERT);
    encoder_t *e = format_raw.create_encoder(&f.t);
    sb_t out = {0};
    uint32_t ends[1];
    encoder_encode_each(e, c, &out, ends);
    CHECK_EQ_INT(ends[0], 5);
    CHECK(memcmp(out.data, "\xe9??x?", 5) == 0);
    encoder_free(e);
    chunk_free(c);

    fx_init_named(&f, "src", 1, one_name, ty, "raw.charset", "US-ASCII", NULL);
    msgs[0] = "a\x7f\x80z";
    lens[0] = 4;
    c = raw_messages(&f, msgs, lens, 1);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I a\x7f\xef\xbf\xbdz\n");
    chunk_reset(c);
    chunk_append_values(c, &v, OP_INSERT);
    e = format_raw.create_encoder(&f.t);
    sb_clear(&out);
    encoder_encode_each(e, c, &out, ends);
    CHECK_EQ_INT(ends[0], 5);
    CHECK(memcmp(out.data, "???x?", 5) == 0);
    sb_free(&out);
    encoder_free(e);
    chunk_free(c);

    fx_init_named(&f, "src", 1, one_name, ty, "raw.charset", "UTF-16", NULL);
    err_clear();
    CHECK(format_raw.create_decoder(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), "invalid value 'UTF-16' for option 'raw.charset'; valid values: UTF-8, US-ASCII, "
                                "ISO-8859-1");
    fx_init_named(&f, "src", 1, one_name, ty, "raw.endianness", "middle-endian", NULL);
    err_clear();
    CHECK(format_raw.create_encoder(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), "invalid value 'middle-endian' for option 'raw.endianness'; valid values: "
                                "big-endian, little-endian");
    err_clear();
}

TEST(raw_columns_and_types)
{
    static const char *const two[] = {"a", "b"};
    fixture f;
    type_t ty[] = {type_make(TY_INT), type_make(TY_STRING)};
    fx_init_named(&f, "src", 2, two, ty, NULL);
    err_clear();
    CHECK(format_raw.create_decoder(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), "format 'raw' needs exactly one physical column; table 'src' has 2: a INT, b STRING");
    type_t dt[] = {type_make(TY_DATE)};
    fx_init_named(&f, "src", 1, one_name, dt, NULL);
    err_clear();
    CHECK(format_raw.create_encoder(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), "format 'raw' does not support type DATE (column 'v' of table 'src'); supported: "
                                "STRING, BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE");
    type_t dec[] = {type_decimal(10, 2)};
    fx_init_named(&f, "src", 1, one_name, dec, NULL);
    err_clear();
    CHECK(format_raw.create_decoder(&f.t) == NULL);
    err_clear();
}

/* Every fixed width, in both byte orders, at both ends of its range. */
TEST(raw_numbers_and_endianness)
{
    fixture f;
    type_t ty_int[] = {type_make(TY_INT)};
    fx_init_named(&f, "src", 1, one_name, ty_int, NULL);
    const char *msgs[] = {"\x7f\xff\xff\xff", "\x80\x00\x00\x00", "\x00\x00\x01\x02", "\xff", "\x7f",
                          "\xff\xfe", "\x80\x00"};
    size_t lens[] = {4, 4, 4, 1, 1, 2, 2};
    chunk_t *c = raw_messages(&f, msgs, lens, 7);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I 2147483647\n+I -2147483648\n+I 258\n+I -1\n+I 127\n+I -2\n+I -32768\n");
    chunk_free(c);
    fx_init_named(&f, "src", 1, one_name, ty_int, "raw.endianness", "little-endian", NULL);
    c = raw_messages(&f, msgs, lens, 7);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I -129\n+I 128\n+I 33619968\n+I -1\n+I 127\n+I -257\n+I 128\n");
    encoder_t *e = format_raw.create_encoder(&f.t);
    sb_t out = {0};
    uint32_t ends[7];
    encoder_encode_each(e, c, &out, ends);
    CHECK_EQ_INT(ends[6], 28);
    CHECK(memcmp(out.data, "\x7f\xff\xff\xff\x80\x00\x00\x00\x00\x00\x01\x02\xff\xff\xff\xff", 16) == 0);
    encoder_free(e);
    chunk_free(c);

    type_t ty_big[] = {type_make(TY_BIGINT)};
    fx_init_named(&f, "src", 1, one_name, ty_big, NULL);
    const char *big[] = {"\x7f\xff\xff\xff\xff\xff\xff\xff", "\x80\x00\x00\x00\x00\x00\x00\x00",
                         "\x00\x00\x00\x00\x00\x00\x00\x00"};
    size_t big_lens[] = {8, 8, 8};
    c = raw_messages(&f, big, big_lens, 3);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I 9223372036854775807\n+I -9223372036854775808\n+I 0\n");
    e = format_raw.create_encoder(&f.t);
    sb_clear(&out);
    encoder_encode_each(e, c, &out, ends);
    CHECK_EQ_INT(ends[2], 24);
    CHECK(memcmp(out.data, "\x7f\xff\xff\xff\xff\xff\xff\xff\x80\x00\x00\x00\x00\x00\x00\x00", 16) == 0);
    encoder_free(e);
    chunk_free(c);

    type_t ty_dbl[] = {type_make(TY_DOUBLE)};
    fx_init_named(&f, "src", 1, one_name, ty_dbl, NULL);
    const char *dbl[] = {"\x3f\xf8\x00\x00\x00\x00\x00\x00", "\x3f\xc0\x00\x00", "\xc0\x00\x00\x00"};
    size_t dbl_lens[] = {8, 4, 4};
    c = raw_messages(&f, dbl, dbl_lens, 3);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I 1.5\n+I 1.5\n+I -2.0\n");
    chunk_free(c);
    fx_init_named(&f, "src", 1, one_name, ty_dbl, "raw.endianness", "little-endian", NULL);
    const char *dbl_le[] = {"\x00\x00\x00\x00\x00\x00\xf8\x3f", "\x00\x00\xc0\x3f"};
    c = raw_messages(&f, dbl_le, dbl_lens, 2);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I 1.5\n+I 1.5\n");
    e = format_raw.create_encoder(&f.t);
    sb_clear(&out);
    encoder_encode_each(e, c, &out, ends);
    CHECK_EQ_INT(ends[1], 16);
    CHECK(memcmp(out.data, "\x00\x00\x00\x00\x00\x00\xf8\x3f", 8) == 0);
    encoder_free(e);
    chunk_free(c);

    type_t ty_bool[] = {type_make(TY_BOOLEAN)};
    fx_init_named(&f, "src", 1, one_name, ty_bool, NULL);
    const char *bools[] = {"\x00", "\x01", "\x02"};
    size_t bool_lens[] = {1, 1, 1};
    c = raw_messages(&f, bools, bool_lens, 3);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I FALSE\n+I TRUE\n+I TRUE\n");
    e = format_raw.create_encoder(&f.t);
    sb_clear(&out);
    encoder_encode_each(e, c, &out, ends);
    CHECK_EQ_INT(ends[2], 3);
    CHECK(memcmp(out.data, "\x00\x01\x01", 3) == 0);
    encoder_free(e);
    chunk_free(c);
    sb_free(&out);
}

TEST(raw_wrong_sizes)
{
    fixture f;
    type_t ty_int[] = {type_make(TY_INT)};
    fx_init_named(&f, "src", 1, one_name, ty_int, NULL);
    CHECK_EQ_STR(raw_error(&f, "\x00\x00\x00", 3), "malformed raw record at topic 'raw' partition 1 offset 5: "
                                                 "expected 4 bytes for INT (1 for TINYINT, 2 for SMALLINT), found 3");
    CHECK_EQ_STR(raw_error(&f, "\x00\x00\x00\x00\x00", 5), "malformed raw record at topic 'raw' partition 1 offset "
                                                         "5: expected 4 bytes for INT (1 for TINYINT, 2 for "
                                                         "SMALLINT), found 5");
    CHECK_EQ_STR(raw_error(&f, "", 0), "malformed raw record at topic 'raw' partition 1 offset 5: expected 4 bytes "
                                       "for INT (1 for TINYINT, 2 for SMALLINT), found 0");
    type_t ty_big[] = {type_make(TY_BIGINT)};
    fx_init_named(&f, "src", 1, one_name, ty_big, NULL);
    CHECK_EQ_STR(raw_error(&f, "1234567", 7), "malformed raw record at topic 'raw' partition 1 offset 5: expected 8 "
                                              "bytes for BIGINT, found 7");
    CHECK_EQ_STR(raw_error(&f, "123456789", 9), "malformed raw record at topic 'raw' partition 1 offset 5: expected "
                                                "8 bytes for BIGINT, found 9");
    type_t ty_dbl[] = {type_make(TY_DOUBLE)};
    fx_init_named(&f, "src", 1, one_name, ty_dbl, NULL);
    CHECK_EQ_STR(raw_error(&f, "12345", 5), "malformed raw record at topic 'raw' partition 1 offset 5: expected 8 "
                                            "bytes for DOUBLE (4 for FLOAT), found 5");
    type_t ty_bool[] = {type_make(TY_BOOLEAN)};
    fx_init_named(&f, "src", 1, one_name, ty_bool, NULL);
    CHECK_EQ_STR(raw_error(&f, "10", 2), "malformed raw record at topic 'raw' partition 1 offset 5: expected 1 byte "
                                         "for BOOLEAN, found 2");
    /* a NULL message is a NULL value whatever the type; a full chunk is -2 */
    decoder_t *d = format_raw.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, 1);
    CHECK_EQ_INT(decoder_decode_message(d, NULL, 0, c), 1);
    CHECK_EQ_INT(decoder_decode_message(d, "\x01", 1, c), -2);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I NULL\n");
    chunk_free(c);
    decoder_free(d);
}

TEST(raw_files)
{
    fixture f;
    type_t ty[] = {type_make(TY_STRING)};
    fx_init_named(&f, "src", 1, one_name, ty, NULL);
    decoder_t *d = format_raw.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, 3);
    const char *text = "first line\r\nsecond\n\nlast";
    size_t len = strlen(text);
    decoder_begin(d, "/data/log.txt");
    int64_t used = decoder_decode(d, text, len, 0, c);
    CHECK_EQ_INT(used, 20);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I first line\n+I second\n+I \n");
    chunk_reset(c);
    CHECK_EQ_INT(decoder_decode(d, text + used, len - (size_t)used, 0, c), 0);
    CHECK_EQ_INT(decoder_decode(d, text + used, len - (size_t)used, 1, c), 4);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I last\n");
    CHECK_EQ_INT(d->line, 4);
    encoder_t *e = format_raw.create_encoder(&f.t);
    sb_t out = {0};
    value_t v = value_null();
    chunk_append_values(c, &v, OP_INSERT);
    encoder_encode(e, c, &out);
    CHECK_EQ_STR(sb_str(&out), "last\n\n");
    sb_free(&out);
    encoder_free(e);
    decoder_free(d);

    type_t ty_int[] = {type_make(TY_INT)};
    fx_init_named(&f, "src", 1, one_name, ty_int, NULL);
    d = format_raw.create_decoder(&f.t);
    chunk_free(c);
    c = chunk_new(&f.t.physical, 3);
    decoder_begin(d, "/data/ints.bin");
    err_clear();
    CHECK_EQ_INT(decoder_decode(d, "\x00\x00\x00\x05\n\x00\x01\x02\n", 9, 1, c), -1);
    CHECK_EQ_STR(err_message(), "malformed raw row at /data/ints.bin:2: expected 4 bytes for INT (1 for TINYINT, 2 "
                                "for SMALLINT), found 3");
    CHECK_EQ_STR(all_rows_with_ops(c), "+I 5\n");
    err_clear();
    decoder_free(d);
    chunk_free(c);
}

int main(void)
{
    RUN(where_names_the_origin);
    RUN(formats_registered);
    RUN(json_messages);
    RUN(json_message_errors);
    RUN(json_message_ignore_parse_errors);
    RUN(json_number_boundaries);
    RUN(json_encode_each);
    RUN(csv_messages);
    RUN(csv_message_options);
    RUN(csv_escape_character_round_trip);
    RUN(csv_escaped_carriage_return);
    RUN(raw_strings);
    RUN(raw_charsets);
    RUN(raw_columns_and_types);
    RUN(raw_numbers_and_endianness);
    RUN(raw_wrong_sizes);
    RUN(raw_files);
    return CHECK_DONE();
}
