/* test_changelog_json.c - the changelog formats: debezium-json (every op, schema-include,
 * missing "before", unknown ops, tombstones, ignore-parse-errors, -2 when the chunk lacks
 * room, encoding and its round trip, files with events split across chunks) and canal-json
 * (INSERT / UPDATE with "old" / DELETE with several rows, string values, DDL events,
 * database.include / table.include filters on both sides of a match, errors naming the
 * message's origin, -2 and messages too big for a chunk, encoding, files). */
#include "check.h"
#include "connector_testkit.h"
#include "connect/format.h"
#include "base/util.h"
#include <stdarg.h>
#include <stdlib.h>

static int message(decoder_t *d, const char *text, chunk_t *out)
{
    decoder_begin_message(d, "products_binlog", 0, 42);
    return decoder_decode_message(d, text, text ? strlen(text) : 0, out);
}

static const char *message_error(decoder_t *d, const char *text, chunk_t *out)
{
    uint32_t before = out->nrows;
    err_clear();
    CHECK_EQ_INT(message(d, text, out), -1);
    CHECK_EQ_INT(out->nrows, before);
    return take_error();
}

/* Decodes text as one file in chunks of `cap` rows; all rows, chunk breaks shown as "--\n". */
static const char *decode_file(decoder_t *d, const schema_t *s, const char *text, uint32_t cap)
{
    static sb_t all;
    sb_clear(&all);
    size_t len = strlen(text), start = 0;
    chunk_t *c = chunk_new(s, cap);
    decoder_begin(d, "/data/changes.json");
    for (int rounds = 0; rounds < 100; rounds++) {
        chunk_reset(c);
        int64_t used = decoder_decode(d, text + start, len - start, 1, c);
        if (used < 0) break;
        start += (size_t)used;
        if (rounds) sb_puts(&all, "--\n");
        sb_puts(&all, all_rows_with_ops(c));
        if (!chunk_full(c)) break;
    }
    chunk_free(c);
    return sb_str(&all);
}

static const char *const product_names[] = {"id", "name", "weight"};

static void products(fixture *f, ...)
{
    const type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_decimal(10, 2)};
    va_list ap;
    va_start(ap, f);
    fx_vinit(f, "products", 3, product_names, ty, ap);
    va_end(ap);
}

/* ---- debezium-json ---- */

#define DBZ_UPDATE                                                                                                     \
    "{\"before\":{\"id\":111,\"name\":\"scooter\",\"weight\":5.18},"                                                   \
    "\"after\":{\"id\":111,\"name\":\"scooter\",\"weight\":5.15},"                                                      \
    "\"source\":{\"db\":\"inventory\",\"table\":\"products\"},\"op\":\"u\",\"ts_ms\":1589362330904,"                 \
    "\"transaction\":null}"

TEST(debezium_ops)
{
    fixture f;
    products(&f, NULL);
    decoder_t *d = format_debezium_json.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    CHECK_EQ_INT(message(d, "{\"before\":null,\"after\":{\"id\":1,\"name\":\"a\",\"weight\":1.5},\"op\":\"c\"}", c), 1);
    CHECK_EQ_INT(message(d, "{\"op\":\"r\",\"after\":{\"id\":2,\"name\":\"b\"}}", c), 1);
    CHECK_EQ_INT(message(d, DBZ_UPDATE, c), 2);
    CHECK_EQ_INT(message(d, "{\"before\":{\"id\":1,\"name\":\"a\",\"weight\":\"1.5\"},\"after\":null,\"op\":\"d\"}", c),
                 1);
    CHECK_EQ_INT(message(d, "{\n  \"op\": \"c\",\n  \"after\": {\n    \"id\": 3\n  }\n}\n", c), 1);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I 1|a|1.50\n+I 2|b|NULL\n-U 111|scooter|5.18\n+U 111|scooter|5.15\n-D 1|a|1.50\n"
                              "+I 3|NULL|NULL\n");
    /* tombstones: NULL and empty messages hold no row */
    CHECK_EQ_INT(message(d, NULL, c), 0);
    CHECK_EQ_INT(message(d, "", c), 0);
    CHECK_EQ_INT(c->nrows, 6);
    CHECK_EQ_INT(d->skipped, 0);
    chunk_free(c);
    decoder_free(d);
}

TEST(debezium_room)
{
    fixture f;
    products(&f, NULL);
    decoder_t *d = format_debezium_json.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, 3);
    CHECK_EQ_INT(message(d, DBZ_UPDATE, c), 2);
    CHECK_EQ_INT(message(d, DBZ_UPDATE, c), -2);
    CHECK_EQ_INT(c->nrows, 2);
    CHECK_EQ_INT(message(d, "{\"op\":\"c\",\"after\":{\"id\":9}}", c), 1);
    CHECK_EQ_INT(message(d, "{\"op\":\"c\",\"after\":{\"id\":10}}", c), -2);
    CHECK_EQ_INT(message(d, NULL, c), 0);
    CHECK_EQ_STR(all_rows_with_ops(c), "-U 111|scooter|5.18\n+U 111|scooter|5.15\n+I 9|NULL|NULL\n");
    chunk_free(c);
    decoder_free(d);
}

TEST(debezium_schema_include)
{
    const char *wrapped = "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"before\"}],\"optional\":false},"
                          "\"payload\":{\"before\":null,\"after\":{\"id\":7,\"name\":\"x\",\"weight\":0.1},"
                          "\"op\":\"c\"}}";
    fixture f;
    products(&f, "debezium-json.schema-include", "true", NULL);
    decoder_t *d = format_debezium_json.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    CHECK_EQ_INT(message(d, wrapped, c), 1);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I 7|x|0.10\n");
    CHECK_EQ_STR(message_error(d, "{\"before\":null,\"after\":{\"id\":1},\"op\":\"c\"}", c),
                 "malformed Debezium JSON record at topic 'products_binlog' partition 0 offset 42: no \"payload\" "
                 "member (debezium-json.schema-include is true)");
    CHECK_EQ_STR(message_error(d, "{\"schema\":{},\"payload\":null}", c),
                 "malformed Debezium JSON record at topic 'products_binlog' partition 0 offset 42: \"payload\" is "
                 "null");
    /* encoding with schema-include is refused, as in Flink */
    err_clear();
    CHECK(format_debezium_json.create_encoder(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), "'debezium-json.schema-include' = 'true' is only for reading: Debezium JSON is "
                                "written without a schema, as in Flink");
    err_clear();
    decoder_free(d);

    products(&f, NULL);
    d = format_debezium_json.create_decoder(&f.t);
    CHECK_EQ_STR(message_error(d, wrapped, c),
                 "malformed Debezium JSON record at topic 'products_binlog' partition 0 offset 42: no \"op\" member; "
                 "the message has \"schema\" and \"payload\": set 'debezium-json.schema-include' = 'true'");
    chunk_free(c);
    decoder_free(d);
}

TEST(debezium_errors)
{
    fixture f;
    products(&f, NULL);
    decoder_t *d = format_debezium_json.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    const char *prefix = "malformed Debezium JSON record at topic 'products_binlog' partition 0 offset 42: ";
    struct { const char *text; const char *msg; } cases[] = {
        {"{\"before\":null,\"after\":{\"id\":1},\"op\":\"u\"}",
         "the \"before\" field of an UPDATE message is null; with the Debezium PostgreSQL connector, set the table's "
         "REPLICA IDENTITY to FULL"},
        {"{\"after\":null,\"op\":\"d\"}",
         "the \"before\" field of a DELETE message is null; with the Debezium PostgreSQL connector, set the table's "
         "REPLICA IDENTITY to FULL"},
        {"{\"before\":{\"id\":1},\"op\":\"u\"}", "the \"after\" field of an UPDATE message is null"},
        {"{\"before\":null,\"after\":null,\"op\":\"c\"}", "the \"after\" field of a CREATE message is null"},
        {"{\"before\":null,\"after\":{\"id\":1},\"op\":\"t\"}", "unknown \"op\" value 't'; expected c, r, u or d"},
        {"{\"after\":{\"id\":1},\"op\":\"create\"}", "unknown \"op\" value 'create'; expected c, r, u or d"},
        {"{\"after\":{\"id\":1},\"op\":null}", "\"op\" is null"},
        {"{\"after\":{\"id\":1}}", "no \"op\" member"},
        {"{\"after\":{\"id\":1},\"op\":1}", "\"op\" must be a string at column 24"},
        {"{\"after\":[1],\"op\":\"c\"}", "\"after\" must be an object or null at column 10"},
        {"{\"after\":{\"id\":\"x\"},\"op\":\"c\"}", "field 'id' (BIGINT): cannot parse 'x'"},
        {"{\"after\":{\"id\":1 \"name\":\"a\"},\"op\":\"c\"}", "expected ',' or '}' at column 18"},
        {"{\"after\":{\"id\":1},\"op\":\"c\"} {}", "unexpected text after the object at column 29"},
        {"[]", "expected '{' (a Debezium event is a JSON object) at column 1"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char want[512];
        snprintf(want, sizeof want, "%s%s", prefix, cases[i].msg);
        CHECK_EQ_STR(message_error(d, cases[i].text, c), want);
    }
    CHECK_EQ_INT(d->skipped, 0);
    decoder_free(d);

    /* ignore-parse-errors: the same messages are skipped and counted, good ones still decode */
    products(&f, "debezium-json.ignore-parse-errors", "true", NULL);
    d = format_debezium_json.create_decoder(&f.t);
    err_clear();
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) CHECK_EQ_INT(message(d, cases[i].text, c), 0);
    CHECK_EQ_INT(message(d, "{\"op\":\"r\",\"after\":{\"id\":5}}", c), 1);
    CHECK_EQ_INT(err_pending(), 0);
    CHECK_EQ_INT(d->skipped, ARRAY_LEN(cases));
    CHECK_EQ_STR(all_rows_with_ops(c), "+I 5|NULL|NULL\n");
    chunk_free(c);
    decoder_free(d);
}

TEST(debezium_timestamps)
{
    static const char *const names[] = {"id", "ts"};
    type_t ty[] = {type_make(TY_BIGINT), type_timestamp(TY_TIMESTAMP, 3)};
    fixture f;
    fx_init_named(&f, "products", 2, names, ty, NULL);
    decoder_t *d = format_debezium_json.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    CHECK_EQ_STR(message_error(d, "{\"after\":{\"id\":1,\"ts\":\"2020-12-30T12:13:14\"},\"op\":\"c\"}", c),
                 "malformed Debezium JSON record at topic 'products_binlog' partition 0 offset 42: field 'ts' "
                 "(TIMESTAMP(3)): cannot parse '2020-12-30T12:13:14' (debezium-json.timestamp-format.standard is "
                 "'SQL')");
    decoder_free(d);
    fx_init_named(&f, "products", 2, names, ty, "debezium-json.timestamp-format.standard", "ISO-8601", NULL);
    d = format_debezium_json.create_decoder(&f.t);
    CHECK_EQ_INT(message(d, "{\"after\":{\"id\":1,\"ts\":\"2020-12-30T12:13:14.5\"},\"op\":\"c\"}", c), 1);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I 1|2020-12-30 12:13:14.500\n");
    encoder_t *e = format_debezium_json.create_encoder(&f.t);
    sb_t out = {0};
    encoder_encode(e, c, &out);
    CHECK_EQ_STR(sb_str(&out), "{\"before\":null,\"after\":{\"id\":1,\"ts\":\"2020-12-30T12:13:14.5\"},\"op\":\"c\"}\n");
    sb_free(&out);
    encoder_free(e);
    chunk_free(c);
    decoder_free(d);
}

TEST(debezium_encode)
{
    fixture f;
    products(&f, NULL);
    decoder_t *d = format_debezium_json.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    message(d, "{\"op\":\"c\",\"after\":{\"id\":1,\"name\":\"a\\\"q\",\"weight\":1}}", c);
    message(d, DBZ_UPDATE, c);
    message(d, "{\"op\":\"d\",\"before\":{\"id\":1,\"name\":null,\"weight\":0.000001}}", c);
    encoder_t *e = format_debezium_json.create_encoder(&f.t);
    sb_t out = {0};
    uint32_t ends[4];
    CHECK_EQ_INT(encoder_encode_each(e, c, &out, ends), 0);
    CHECK_EQ_STR(messages_of(&out, ends, 4),
                 "[{\"before\":null,\"after\":{\"id\":1,\"name\":\"a\\\"q\",\"weight\":1.00},\"op\":\"c\"}]"
                 "[{\"before\":{\"id\":111,\"name\":\"scooter\",\"weight\":5.18},\"after\":null,\"op\":\"d\"}]"
                 "[{\"before\":null,\"after\":{\"id\":111,\"name\":\"scooter\",\"weight\":5.15},\"op\":\"c\"}]"
                 "[{\"before\":{\"id\":1,\"name\":null,\"weight\":0.00},\"after\":null,\"op\":\"d\"}]");
    /* written events read back as Flink reads them: an update is a delete and a create */
    chunk_t *back = chunk_new(&f.t.physical, CHUNK_CAP);
    uint32_t start = 0;
    for (int k = 0; k < 4; k++) {
        CHECK_EQ_INT(decoder_decode_message(d, out.data + start, ends[k] - start, back), 1);
        start = ends[k];
    }
    CHECK_EQ_STR(all_rows_with_ops(back), "+I 1|a\"q|1.00\n-D 111|scooter|5.18\n+I 111|scooter|5.15\n-D 1|NULL|0.00\n");
    /* files: one event per line */
    sb_clear(&out);
    encoder_encode(e, c, &out);
    CHECK_EQ_STR(decode_file(d, &f.t.physical, sb_str(&out), CHUNK_CAP), all_rows_with_ops(back));
    sb_free(&out);
    encoder_free(e);
    chunk_free(back);
    chunk_free(c);
    decoder_free(d);
}

/* An update needs two rows: when the chunk has one left, the file decoder hands the -U now
 * and the +U in the next chunk, so that every chunk fills up and no row is lost. */
TEST(debezium_files_across_chunks)
{
    fixture f;
    products(&f, NULL);
    decoder_t *d = format_debezium_json.create_decoder(&f.t);
    const char *text = DBZ_UPDATE "\n\n{\"op\":\"c\",\"after\":{\"id\":2}}\r\n" DBZ_UPDATE "\n" DBZ_UPDATE;
    CHECK_EQ_STR(decode_file(d, &f.t.physical, text, 2),
                 "-U 111|scooter|5.18\n+U 111|scooter|5.15\n--\n+I 2|NULL|NULL\n-U 111|scooter|5.18\n--\n"
                 "+U 111|scooter|5.15\n-U 111|scooter|5.18\n--\n+U 111|scooter|5.15\n");
    CHECK_EQ_INT(d->line, 5);
    CHECK_EQ_STR(decode_file(d, &f.t.physical, text, 3),
                 "-U 111|scooter|5.18\n+U 111|scooter|5.15\n+I 2|NULL|NULL\n--\n-U 111|scooter|5.18\n"
                 "+U 111|scooter|5.15\n-U 111|scooter|5.18\n--\n+U 111|scooter|5.15\n");
    err_clear();
    CHECK_EQ_STR(decode_file(d, &f.t.physical, "{\"op\":\"c\",\"after\":{\"id\":2}}\n{\"op\":\"x\"}\n", 4),
                 "");
    CHECK_EQ_STR(err_message(), "malformed Debezium JSON row at /data/changes.json:2: unknown \"op\" value 'x'; "
                                "expected c, r, u or d");
    err_clear();
    decoder_free(d);
}

/* ---- canal-json ---- */

#define CANAL_UPDATE                                                                                                   \
    "{\"data\":[{\"id\":\"111\",\"name\":\"scooter\",\"weight\":\"5.18\"},"                                           \
    "{\"id\":\"112\",\"name\":\"car\",\"weight\":\"2.5\"}],"                                                            \
    "\"database\":\"inventory\",\"es\":1589373560000,\"id\":9,\"isDdl\":false,"                                        \
    "\"mysqlType\":{\"id\":\"int(11)\"},\"old\":[{\"weight\":\"5.15\"},{\"name\":null,\"weight\":\"2.0\"}],"           \
    "\"pkNames\":[\"id\"],\"sql\":\"\",\"sqlType\":{\"id\":4},\"table\":\"products\",\"ts\":1589373560798,"           \
    "\"type\":\"UPDATE\"}"

TEST(canal_ops)
{
    fixture f;
    products(&f, NULL);
    decoder_t *d = format_canal_json.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    CHECK_EQ_INT(message(d, "{\"data\":[{\"id\":\"1\",\"name\":\"a\",\"weight\":\"1.5\"},{\"id\":2,\"weight\":2}],"
                            "\"type\":\"INSERT\",\"database\":\"inventory\",\"table\":\"products\"}", c),
                 2);
    CHECK_EQ_INT(message(d, CANAL_UPDATE, c), 4);
    CHECK_EQ_INT(message(d, "{\"type\":\"DELETE\",\"data\":[{\"id\":\"111\",\"name\":\"scooter\",\"weight\":null}],"
                            "\"old\":null}", c),
                 1);
    CHECK_EQ_INT(message(d, "{\"data\":[],\"type\":\"INSERT\"}", c), 0);
    CHECK_EQ_STR(all_rows_with_ops(c), "+I 1|a|1.50\n+I 2|NULL|2.00\n"
                              "-U 111|scooter|5.15\n+U 111|scooter|5.18\n-U 112|NULL|2.00\n+U 112|car|2.50\n"
                              "-D 111|scooter|NULL\n");
    CHECK_EQ_INT(d->skipped, 0);
    chunk_free(c);
    decoder_free(d);
}

TEST(canal_ddl_and_tombstones)
{
    fixture f;
    products(&f, NULL);
    decoder_t *d = format_canal_json.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    err_clear();
    CHECK_EQ_INT(message(d, "{\"data\":null,\"database\":\"inventory\",\"isDdl\":true,\"old\":null,"
                            "\"sql\":\"CREATE TABLE products (id INT)\",\"table\":\"products\",\"type\":\"CREATE\"}", c),
                 0);
    CHECK_EQ_INT(message(d, "{\"data\":null,\"isDdl\":true,\"type\":\"ALTER\"}", c), 0);
    CHECK_EQ_INT(message(d, "{\"data\":null,\"isDdl\":true,\"type\":\"SOMETHING-NEW\"}", c), 0);
    CHECK_EQ_INT(message(d, "{\"data\":null,\"type\":\"TRUNCATE\"}", c), 0);
    CHECK_EQ_INT(message(d, "{\"data\":null,\"type\":\"QUERY\"}", c), 0);
    CHECK_EQ_INT(message(d, NULL, c), 0);
    CHECK_EQ_INT(message(d, "", c), 0);
    CHECK_EQ_INT(err_pending(), 0);
    CHECK_EQ_INT(d->skipped, 0);
    CHECK_EQ_INT(c->nrows, 0);
    chunk_free(c);
    decoder_free(d);
}

TEST(canal_errors)
{
    fixture f;
    products(&f, NULL);
    decoder_t *d = format_canal_json.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    const char *prefix = "malformed Canal JSON record at topic 'products_binlog' partition 0 offset 42: ";
    struct { const char *text; const char *msg; } cases[] = {
        {"{\"data\":[{\"id\":1}],\"type\":\"UPSERT\"}",
         "unknown \"type\" value 'UPSERT'; expected INSERT, UPDATE, DELETE or a DDL type (CREATE, ALTER, ERASE, "
         "TRUNCATE, RENAME, CINDEX, DINDEX, QUERY)"},
        {"{\"data\":[{\"id\":1}]}", "no \"type\" member"},
        {"{\"data\":[{\"id\":1}],\"type\":null}", "\"type\" is null"},
        {"{\"data\":null,\"type\":\"INSERT\"}", "\"data\" of an INSERT message is null"},
        {"{\"type\":\"DELETE\"}", "\"data\" of a DELETE message is null"},
        {"{\"data\":[{\"id\":1}],\"type\":\"UPDATE\"}", "\"old\" of an UPDATE message is null"},
        {"{\"data\":[{\"id\":1},{\"id\":2}],\"old\":[{}],\"type\":\"UPDATE\"}",
         "\"data\" has 2 elements but \"old\" has 1"},
        {"{\"data\":{\"id\":1},\"type\":\"INSERT\"}", "\"data\" must be an array or null at column 9"},
        {"{\"data\":[1],\"type\":\"INSERT\"}", "the elements of \"data\" must be objects at column 10"},
        {"{\"data\":[{\"id\":1}],\"old\":[null],\"type\":\"UPDATE\"}",
         "the elements of \"old\" must be objects at column 27"},
        {"{\"data\":[{\"id\":\"x\"}],\"type\":\"INSERT\"}", "field 'id' (BIGINT): cannot parse 'x'"},
        {"{\"data\":[{\"id\":1},],\"type\":\"INSERT\"}", "expected a value at column 19"},
        {"{\"data\":[{\"id\":1}] \"type\":\"INSERT\"}", "expected ',' or '}' at column 20"},
        {"{\"type\":7}", "\"type\" must be a string at column 9"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char want[512];
        snprintf(want, sizeof want, "%s%s", prefix, cases[i].msg);
        CHECK_EQ_STR(message_error(d, cases[i].text, c), want);
    }
    decoder_free(d);

    products(&f, "canal-json.ignore-parse-errors", "true", NULL);
    d = format_canal_json.create_decoder(&f.t);
    err_clear();
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) CHECK_EQ_INT(message(d, cases[i].text, c), 0);
    CHECK_EQ_INT(err_pending(), 0);
    CHECK_EQ_INT(d->skipped, ARRAY_LEN(cases));
    CHECK_EQ_INT(c->nrows, 0);
    chunk_free(c);
    decoder_free(d);
}

TEST(canal_include_filters)
{
    fixture f;
    products(&f, "canal-json.database.include", "inv.*", "canal-json.table.include", "prod|products", NULL);
    decoder_t *d = format_canal_json.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    struct { const char *db, *table; int rows; } cases[] = {
        {"inventory", "products", 1}, {"inv", "prod", 1},        {"inventory", "products_bak", 0},
        {"inventory", "pro", 0},      {"xinventory", "products", 0}, {"Inventory", "products", 0},
        {"inventory", "prodproducts", 0},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char msg[256];
        snprintf(msg, sizeof msg, "{\"data\":[{\"id\":%zu}],\"database\":\"%s\",\"table\":\"%s\",\"type\":\"INSERT\"}",
                 i, cases[i].db, cases[i].table);
        CHECK_EQ_INT(message(d, msg, c), cases[i].rows);
    }
    CHECK_EQ_STR(all_rows_with_ops(c), "+I 0|NULL|NULL\n+I 1|NULL|NULL\n");
    /* filtered out before the type is looked at, and not counted */
    CHECK_EQ_INT(message(d, "{\"database\":\"other\",\"table\":\"products\",\"type\":\"BOGUS\"}", c), 0);
    CHECK_EQ_INT(d->skipped, 0);
    CHECK_EQ_STR(message_error(d, "{\"data\":[{\"id\":1}],\"table\":\"products\",\"type\":\"INSERT\"}", c),
                 "malformed Canal JSON record at topic 'products_binlog' partition 0 offset 42: no \"database\" member "
                 "(canal-json.database.include is set)");
    CHECK_EQ_STR(message_error(d, "{\"data\":[{\"id\":1}],\"database\":\"inv\",\"type\":\"INSERT\"}", c),
                 "malformed Canal JSON record at topic 'products_binlog' partition 0 offset 42: no \"table\" member "
                 "(canal-json.table.include is set)");
    decoder_free(d);

    products(&f, "canal-json.table.include", "prod(", NULL);
    err_clear();
    CHECK(format_canal_json.create_decoder(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), "invalid regular expression 'prod(' for option 'canal-json.table.include': missing "
                                "closing parenthesis at offset 5");
    err_clear();
    CHECK(format_canal_json.create_encoder(&f.t) == NULL);
    err_clear();
    chunk_free(c);
}

TEST(canal_room)
{
    fixture f;
    products(&f, NULL);
    decoder_t *d = format_canal_json.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, 5);
    CHECK_EQ_INT(message(d, CANAL_UPDATE, c), 4);
    CHECK_EQ_INT(message(d, "{\"data\":[{\"id\":1},{\"id\":2}],\"type\":\"INSERT\"}", c), -2);
    CHECK_EQ_INT(c->nrows, 4);
    CHECK_EQ_INT(message(d, "{\"data\":[{\"id\":1}],\"type\":\"INSERT\"}", c), 1);
    chunk_reset(c);
    CHECK_EQ_STR(message_error(d, "{\"data\":[{},{},{}],\"old\":[{},{},{}],\"type\":\"UPDATE\"}", c),
                 "malformed Canal JSON record at topic 'products_binlog' partition 0 offset 42: the message holds 6 "
                 "changes, more than a chunk of 5 rows takes");
    chunk_free(c);
    decoder_free(d);
}

TEST(canal_encode_and_files)
{
    fixture f;
    products(&f, NULL);
    decoder_t *d = format_canal_json.create_decoder(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    message(d, CANAL_UPDATE, c);
    message(d, "{\"type\":\"INSERT\",\"data\":[{\"id\":\"3\",\"name\":\"tab\\tbed\",\"weight\":\"0.5\"}]}", c);
    encoder_t *e = format_canal_json.create_encoder(&f.t);
    sb_t out = {0};
    uint32_t ends[5];
    CHECK_EQ_INT(encoder_encode_each(e, c, &out, ends), 0);
    CHECK_EQ_STR(messages_of(&out, ends, 5),
                 "[{\"data\":[{\"id\":111,\"name\":\"scooter\",\"weight\":5.15}],\"type\":\"DELETE\"}]"
                 "[{\"data\":[{\"id\":111,\"name\":\"scooter\",\"weight\":5.18}],\"type\":\"INSERT\"}]"
                 "[{\"data\":[{\"id\":112,\"name\":null,\"weight\":2.00}],\"type\":\"DELETE\"}]"
                 "[{\"data\":[{\"id\":112,\"name\":\"car\",\"weight\":2.50}],\"type\":\"INSERT\"}]"
                 "[{\"data\":[{\"id\":3,\"name\":\"tab\\tbed\",\"weight\":0.50}],\"type\":\"INSERT\"}]");
    sb_clear(&out);
    encoder_encode(e, c, &out);
    CHECK_EQ_STR(decode_file(d, &f.t.physical, sb_str(&out), CHUNK_CAP),
                 "-D 111|scooter|5.15\n+I 111|scooter|5.18\n-D 112|NULL|2.00\n+I 112|car|2.50\n+I 3|tab\tbed|0.50\n");
    /* a message with more changes than a chunk holds still reads whole from a file */
    CHECK_EQ_STR(decode_file(d, &f.t.physical, CANAL_UPDATE "\n{\"data\":[{\"id\":5}],\"type\":\"DELETE\"}", 3),
                 "-U 111|scooter|5.15\n+U 111|scooter|5.18\n-U 112|NULL|2.00\n--\n+U 112|car|2.50\n-D 5|NULL|NULL\n");
    sb_free(&out);
    encoder_free(e);
    chunk_free(c);
    decoder_free(d);
}

int main(void)
{
    RUN(debezium_ops);
    RUN(debezium_room);
    RUN(debezium_schema_include);
    RUN(debezium_errors);
    RUN(debezium_timestamps);
    RUN(debezium_encode);
    RUN(debezium_files_across_chunks);
    RUN(canal_ops);
    RUN(canal_ddl_and_tombstones);
    RUN(canal_errors);
    RUN(canal_include_filters);
    RUN(canal_room);
    RUN(canal_encode_and_files);
    return CHECK_DONE();
}
