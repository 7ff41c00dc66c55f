/* test_jdbc_mysql.c - the 'jdbc' connector's MySQL / MariaDB driver against a real MariaDB
 * server that tests/services/mariadb.sh starts on loopback (skipped, with a message, when
 * MariaDB is not installed): the table it creates, upserts / deletes / appends checked row
 * by row over a separate libmariadb connection, statement batching, type round trips, the
 * lookup with and without cache, the streaming scan, error texts, and retries across a
 * server restart. */
#include "check.h"
#include "connector_testkit.h"
#include "connect/connector.h"
#include "base/util.h"
#include <dirent.h>
#include <fcntl.h>
#include <mysql.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const service = "tests/services/mariadb.sh";
static char server_dir[64];
static char address[64];                 /* 127.0.0.1:PORT */
static char url[128];                    /* jdbc:mysql://127.0.0.1:PORT/eddy */
static MYSQL *admin;                     /* checks contents, as user 'eddy' */

/* Appends a row from '|'-separated cells ("\N" = NULL) parsed with value_parse. */
static void add_row(chunk_t *c, uint8_t op, const char *cells)
{
    value_t v[16];
    const char *p = cells;
    for (uint32_t i = 0; i < c->ncols; i++) {
        const char *end = strchr(p, '|');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 2 && !memcmp(p, "\\N", 2)) v[i] = value_null();
        else if (value_parse(c->cols[i].type, p, n, &v[i], &c->arena)) fprintf(stderr, "bad cell %.*s\n", (int)n, p);
        p = end ? end + 1 : p + n;
    }
    chunk_append_values(c, v, op);
}

/* Rows of a query over the admin connection, cells joined by '|', NULL as "NULL". */
static const char *query_text(const char *sql)
{
    static sb_t b;
    sb_clear(&b);
    if (mysql_query(admin, sql)) {
        sb_printf(&b, "error: %s", mysql_error(admin));
        return sb_str(&b);
    }
    MYSQL_RES *res = mysql_store_result(admin);
    if (!res) return sb_str(&b);
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) != NULL) {
        unsigned long *lens = mysql_fetch_lengths(res);
        for (unsigned i = 0; i < mysql_num_fields(res); i++) {
            if (i) sb_putc(&b, '|');
            if (row[i]) sb_append(&b, row[i], lens[i]);
            else sb_puts(&b, "NULL");
        }
        sb_putc(&b, '\n');
    }
    mysql_free_result(res);
    return sb_str(&b);
}

static void exec_admin(const char *sql)
{
    if (mysql_query(admin, sql)) fprintf(stderr, "exec_admin: %s: %s\n", sql, mysql_error(admin));
}

static long long status_counter(const char *name)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SHOW GLOBAL STATUS LIKE '%s'", name);
    const char *row = query_text(sql);
    const char *bar = strchr(row, '|');
    return bar ? atoll(bar + 1) : -1;
}

/* Runs f with stderr going to a file; returns what it printed. */
static const char *capture_stderr(int (*f)(void *), void *arg, int *rc)
{
    static char text[8192];
    char path[96];
    snprintf(path, sizeof path, "%s/stderr.txt", server_dir);
    fflush(stderr);
    int saved = dup(2), fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);
    dup2(fd, 2);
    *rc = f(arg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    close(fd);
    text[n > 0 ? n : 0] = 0;
    return text;
}

static int run_service(const char *cmd)
{
    char sh[256];
    snprintf(sh, sizeof sh, "%s %s %s >/dev/null", service, cmd, server_dir);
    return system(sh);
}

static int flush_sink(void *s) { return ((sink_t *)s)->vt->flush(s); }

static void url_with(char *out, size_t cap, const char *params)
{
    snprintf(out, cap, "%s%s", url, params);
}

/* ---- types ---- */

static const char *const jnames[] = {"id", "name", "score", "ok", "day", "ts", "ltz", "dec", "i"};
static type_t jtypes[9];

static void jdbc_types(void)
{
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE), type_make(TY_BOOLEAN),
                   type_make(TY_DATE), type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP_LTZ, 3),
                   type_decimal(10, 2), type_make(TY_INT)};
    memcpy(jtypes, ty, sizeof ty);
}

/* ---- sink ---- */

TEST(sink_creates_the_table_and_upserts_by_key)
{
    jdbc_types();
    fixture f;
    fx_init(&f, 9, jnames, jtypes, "url", url, "table-name", "scores", NULL);
    fx_pk(&f, 0);
    err_clear();
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) { err_print(stderr); return; }
    CHECK_EQ_STR(query_text("SELECT COLUMN_NAME, COLUMN_TYPE, COLUMN_KEY FROM information_schema.COLUMNS "
                            "WHERE TABLE_SCHEMA = 'eddy' AND TABLE_NAME = 'scores' ORDER BY ORDINAL_POSITION"),
                 "id|bigint(20)|PRI\nname|longtext|\nscore|double|\nok|tinyint(1)|\nday|date|\nts|datetime(6)|\n"
                 "ltz|datetime(6)|\ndec|decimal(10,2)|\ni|int(11)|\n");
    CHECK_EQ_STR(query_text("SELECT TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'eddy' "
                            "AND TABLE_NAME = 'scores'"), "utf8mb4_nopad_bin\n");
    chunk_t *c = chunk_new(&f.t.physical, 64);
    add_row(c, OP_INSERT, "1|a|1.5|true|2020-12-30|2020-12-30 12:13:14.123|2020-12-30 12:13:14Z|12.5|7");
    add_row(c, OP_INSERT, "2|b|2.5|false|2020-12-31|2020-12-31 00:00:00|2020-12-31 00:00:00Z|-0.01|8");
    add_row(c, OP_UPDATE_BEFORE, "1|a|1.5|true|2020-12-30|2020-12-30 12:13:14.123|2020-12-30 12:13:14Z|12.5|7");
    add_row(c, OP_UPDATE_AFTER, "1|a2|3.5|true|2020-12-30|2020-12-30 12:13:14.123|2020-12-30 12:13:14Z|13.5|9");
    add_row(c, OP_INSERT, "3|c|\\N|\\N|\\N|\\N|\\N|\\N|\\N");
    add_row(c, OP_DELETE, "2|b|2.5|false|2020-12-31|2020-12-31 00:00:00|2020-12-31 00:00:00Z|-0.01|8");
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    CHECK_EQ_STR(query_text("SELECT count(*) FROM scores"), "0\n");           /* buffered */
    CHECK_EQ_INT(s->vt->flush(s), 0);
    CHECK_EQ_STR(query_text("SELECT * FROM scores ORDER BY id"),
                 "1|a2|3.5|1|2020-12-30|2020-12-30 12:13:14.123000|2020-12-30 12:13:14.000000|13.50|9\n"
                 "3|c|NULL|NULL|NULL|NULL|NULL|NULL|NULL\n");
    CHECK_EQ_INT(s->rows, 6);
    /* A later delete and re-insert of the same key; close flushes. */
    chunk_reset(c);
    add_row(c, OP_DELETE, "3|c|\\N|\\N|\\N|\\N|\\N|\\N|\\N");
    add_row(c, OP_INSERT, "3|c3|1|\\N|\\N|\\N|\\N|\\N|\\N");
    add_row(c, OP_UPDATE_AFTER, "1|x|\\N|\\N|\\N|\\N|\\N|\\N|\\N");
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    s->vt->close(s);
    CHECK_EQ_STR(query_text("SELECT id, name, score FROM scores ORDER BY id"), "1|x|NULL\n3|c3|1\n");
    /* A second sink on the existing table adds to it. */
    s = connector_jdbc.create_sink(&f.t);
    chunk_reset(c);
    add_row(c, OP_DELETE, "1|x|\\N|\\N|\\N|\\N|\\N|\\N|\\N");
    add_row(c, OP_INSERT, "4|d|\\N|\\N|\\N|\\N|\\N|\\N|\\N");
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    s->vt->close(s);
    CHECK_EQ_STR(query_text("SELECT id, name FROM scores ORDER BY id"), "3|c3\n4|d\n");
    chunk_free(c);
}

TEST(sink_buffer_keeps_the_last_change_per_key)
{
    exec_admin("CREATE TABLE w (id BIGINT PRIMARY KEY, name TEXT)");
    exec_admin("CREATE TABLE writes (n INT)");
    exec_admin("INSERT INTO writes VALUES (0)");
    exec_admin("CREATE TRIGGER wi AFTER INSERT ON w FOR EACH ROW UPDATE writes SET n = n + 1");
    exec_admin("CREATE TRIGGER wu AFTER UPDATE ON w FOR EACH ROW UPDATE writes SET n = n + 1");
    static const char *const names[] = {"id", "name"};
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING)};
    fixture f;
    fx_init(&f, 2, names, ty, "url", url, "table-name", "w", "sink.buffer-flush.max-rows", "1000", NULL);
    fx_pk(&f, 0);
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    char name[48];
    for (int i = 0; i < 500; i++) {
        snprintf(name, sizeof name, "v%d-long-enough-to-be-heap", i);
        value_t v[2] = {value_i64(i % 5), value_null()};
        v[1].null = 0;
        v[1].s = str_cstr(name);
        chunk_append_values(c, v, i < 5 ? OP_INSERT : OP_UPDATE_AFTER);
    }
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    CHECK_EQ_INT(s->vt->flush(s), 0);
    CHECK_EQ_STR(query_text("SELECT n FROM writes"), "5\n");
    CHECK_EQ_STR(query_text("SELECT * FROM w ORDER BY id"),
                 "0|v495-long-enough-to-be-heap\n1|v496-long-enough-to-be-heap\n2|v497-long-enough-to-be-heap\n"
                 "3|v498-long-enough-to-be-heap\n4|v499-long-enough-to-be-heap\n");
    s->vt->close(s);
    chunk_free(c);
}

TEST(sink_flushes_by_rows_and_interval)
{
    static const char *const names[] = {"id", "name"};
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING)};
    fixture f;
    fx_init(&f, 2, names, ty, "url", url, "table-name", "r", "sink.buffer-flush.max-rows", "3",
            "sink.buffer-flush.interval", "2 s", NULL);
    fx_pk(&f, 0);
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    chunk_t *c = chunk_new(&f.t.physical, 8);
    add_row(c, OP_INSERT, "1|\\N");
    add_row(c, OP_INSERT, "2|\\N");
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    CHECK_EQ_STR(query_text("SELECT count(*) FROM r"), "0\n");
    chunk_reset(c);
    add_row(c, OP_INSERT, "3|\\N");
    add_row(c, OP_INSERT, "4|\\N");
    CHECK_EQ_INT(s->vt->write(s, c), 0);                     /* the third change flushes */
    CHECK_EQ_STR(query_text("SELECT count(*) FROM r"), "3\n");
    CHECK_EQ_INT(s->vt->tick(s, fake_now + 2 * US_PER_SEC - 1), 0);
    CHECK_EQ_STR(query_text("SELECT count(*) FROM r"), "3\n");
    CHECK_EQ_INT(s->vt->tick(s, fake_now + 2 * US_PER_SEC), 0);
    CHECK_EQ_STR(query_text("SELECT count(*) FROM r"), "4\n");
    s->vt->close(s);
    chunk_free(c);
}

TEST(sink_appends_without_a_primary_key)
{
    static const char *const names[] = {"id", "name"};
    type_t ty[] = {type_make(TY_BIGINT), type_varchar(20)};
    fixture f;
    fx_init(&f, 2, names, ty, "url", url, "table-name", "log", "sink.buffer-flush.max-rows", "0",
            "sink.buffer-flush.interval", "0", NULL);
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_STR(query_text("SELECT COLUMN_NAME, COLUMN_TYPE, COLUMN_KEY FROM information_schema.COLUMNS "
                            "WHERE TABLE_SCHEMA = 'eddy' AND TABLE_NAME = 'log' ORDER BY ORDINAL_POSITION"),
                 "id|bigint(20)|\nname|varchar(20)|\n");
    chunk_t *c = chunk_new(&f.t.physical, 8);
    add_row(c, OP_INSERT, "1|\\N");
    add_row(c, OP_INSERT, "1|\\N");
    CHECK_EQ_INT(s->vt->write(s, c), 0);                     /* no buffering: written at once */
    CHECK_EQ_STR(query_text("SELECT id, name FROM log"), "1|NULL\n1|NULL\n");
    c->ops[1] = OP_DELETE;
    err_clear();
    CHECK_EQ_INT(s->vt->write(s, c), -1);
    CHECK_EQ_STR(err_message(), "jdbc sink of table 't' has no primary key and cannot apply a delete");
    err_clear();
    s->vt->close(s);
    chunk_free(c);
}

TEST(sink_into_a_table_without_a_unique_key_and_with_a_composite_key)
{
    exec_admin("CREATE TABLE k (id BIGINT, name TEXT)");
    exec_admin("INSERT INTO k VALUES (1, 'old'), (1, 'older'), (2, 'keep')");
    static const char *const names[] = {"id", "name"};
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING)};
    fixture f;
    fx_init(&f, 2, names, ty, "url", url, "table-name", "k", NULL);
    fx_pk(&f, 0);
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    chunk_t *c = chunk_new(&f.t.physical, 8);
    add_row(c, OP_UPDATE_AFTER, "1|new");
    add_row(c, OP_INSERT, "3|three");
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    s->vt->close(s);
    CHECK_EQ_STR(query_text("SELECT id, name FROM k ORDER BY id"), "1|new\n2|keep\n3|three\n");
    chunk_free(c);

    /* A two-column key, every column in it: deletes match (a, b) pairs. */
    static const char *const names2[] = {"a", "b"};
    type_t ty2[] = {type_make(TY_STRING), type_make(TY_INT)};
    fx_init(&f, 2, names2, ty2, "url", url, "table-name", "pairs", NULL);
    fx_pk(&f, 0);
    fx_pk(&f, 1);
    s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_STR(query_text("SELECT COLUMN_NAME, COLUMN_TYPE, COLUMN_KEY FROM information_schema.COLUMNS "
                            "WHERE TABLE_SCHEMA = 'eddy' AND TABLE_NAME = 'pairs' ORDER BY ORDINAL_POSITION"),
                 "a|varchar(255)|PRI\nb|int(11)|PRI\n");
    c = chunk_new(&f.t.physical, 8);
    add_row(c, OP_INSERT, "x|1");
    add_row(c, OP_INSERT, "x|2");
    add_row(c, OP_INSERT, "y|1");
    add_row(c, OP_INSERT, "X|1");
    add_row(c, OP_INSERT, "x |1");
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    CHECK_EQ_INT(s->vt->flush(s), 0);
    chunk_reset(c);
    add_row(c, OP_DELETE, "x|1");
    add_row(c, OP_DELETE, "y|2");
    add_row(c, OP_INSERT, "y|1");
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    s->vt->close(s);
    /* Binary, no-pad collation: 'X' and 'x ' are keys of their own, as in Flink. */
    CHECK_EQ_STR(query_text("SELECT concat('[', a, ']'), b FROM pairs ORDER BY a, b"), "[X]|1\n[x]|2\n[x ]|1\n[y]|1\n");
    chunk_free(c);

    /* Four string key columns share InnoDB's 3072 key bytes; a shorter VARCHAR(n) keeps n. */
    static const char *const names4[] = {"a", "b", "c", "d", "e"};
    type_t ty4[] = {type_make(TY_STRING), type_make(TY_STRING), type_varchar(10), type_varchar(300),
                    type_varchar(300)};
    fx_init(&f, 5, names4, ty4, "url", url, "table-name", "four", NULL);
    for (int k = 0; k < 4; k++) fx_pk(&f, k);
    s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (s) s->vt->close(s);
    CHECK_EQ_STR(query_text("SELECT group_concat(COLUMN_TYPE ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS "
                            "WHERE TABLE_SCHEMA = 'eddy' AND TABLE_NAME = 'four'"),
                 "varchar(192),varchar(192),varchar(10),varchar(192),text\n");
}

/* Upserts of n rows with ids from first; names of name_len bytes. */
static chunk_t *numbered_rows(const schema_t *s, int first, int n, int name_len)
{
    chunk_t *c = chunk_new(s, (uint32_t)n);
    char *name = xmalloc((size_t)name_len + 1);
    memset(name, 'n', (size_t)name_len);
    for (int i = 0; i < n; i++) {
        value_t v[2] = {value_i64(first + i), value_null()};
        v[1].null = 0;
        v[1].s = str_view(name, (uint32_t)name_len);
        chunk_append_values(c, v, OP_INSERT);
        vector_set(&c->cols[1], c->nrows - 1, &v[1], &c->arena);
    }
    free(name);
    return c;
}

TEST(sink_splits_statements_by_rows_and_bytes)
{
    static const char *const names[] = {"id", "name"};
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING)};
    fixture f;
    fx_init(&f, 2, names, ty, "url", url, "table-name", "big", "sink.buffer-flush.max-rows", "5000", NULL);
    fx_pk(&f, 0);
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    static const int rows[] = {1000, 1001, 2000};
    static const int statements[] = {1, 2, 2};
    int first = 0;
    for (int k = 0; k < 3; k++) {
        chunk_t *c = numbered_rows(&f.t.physical, first, rows[k], 3);
        long long before = status_counter("Com_insert");
        CHECK_EQ_INT(s->vt->write(s, c), 0);
        CHECK_EQ_INT(s->vt->flush(s), 0);
        CHECK_EQ_INT(status_counter("Com_insert") - before, statements[k]);
        chunk_free(c);
        first += rows[k];
    }
    CHECK_EQ_STR(query_text("SELECT count(*), sum(id) FROM big"), "4001|8002000\n");
    /* Deletes: 1001 keys take two statements. */
    chunk_t *c = numbered_rows(&f.t.physical, 0, 1001, 3);
    for (uint32_t r = 0; r < c->nrows; r++) c->ops[r] = OP_DELETE;
    long long before = status_counter("Com_delete");
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    CHECK_EQ_INT(s->vt->flush(s), 0);
    CHECK_EQ_INT(status_counter("Com_delete") - before, 2);
    CHECK_EQ_STR(query_text("SELECT count(*), min(id) FROM big"), "3000|1001\n");
    chunk_free(c);
    s->vt->close(s);

    /* A 64 KiB max_allowed_packet: 200 rows of 1000 bytes need four statements. */
    exec_admin("SET GLOBAL max_allowed_packet = 65536");
    fx_init(&f, 2, names, ty, "url", url, "table-name", "wide", "sink.buffer-flush.max-rows", "5000", NULL);
    fx_pk(&f, 0);
    s = connector_jdbc.create_sink(&f.t);
    exec_admin("SET GLOBAL max_allowed_packet = 16777216");
    CHECK(s != NULL);
    if (!s) return;
    c = numbered_rows(&f.t.physical, 0, 200, 1000);
    before = status_counter("Com_insert");
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    CHECK_EQ_INT(s->vt->flush(s), 0);
    CHECK_EQ_INT(status_counter("Com_insert") - before, 4);
    CHECK_EQ_STR(query_text("SELECT count(*), sum(length(name)) FROM wide"), "200|200000\n");
    chunk_free(c);
    s->vt->close(s);
}

/* ---- values ---- */

static void set_string(value_t *v, const char *s, uint32_t len)
{
    *v = value_null();
    v->null = 0;
    v->s = str_view(s, len);
}

TEST(values_round_trip_for_every_type)
{
    static const char *const names[] = {"id", "s", "d", "b", "day", "ts", "ltz", "dec", "i", "dt", "ym", "big"};
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE), type_make(TY_BOOLEAN),
                   type_make(TY_DATE), type_timestamp(TY_TIMESTAMP, 6), type_timestamp(TY_TIMESTAMP_LTZ, 3),
                   type_decimal(18, 4), type_make(TY_INT), type_make(TY_INTERVAL_DT), type_make(TY_INTERVAL_YM),
                   type_decimal(10, 0)};
    fixture f;
    fx_init(&f, 12, names, ty, "url", url, "table-name", "all_types", NULL);
    fx_pk(&f, 0);
    fx_pk(&f, 1);
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_STR(query_text("SELECT group_concat(COLUMN_TYPE ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS "
                            "WHERE TABLE_SCHEMA = 'eddy' AND TABLE_NAME = 'all_types'"),
                 "bigint(20),varchar(255),double,tinyint(1),date,datetime(6),datetime(6),decimal(18,4),int(11),"
                 "bigint(20),int(11),decimal(10,0)\n");
    chunk_t *c = chunk_new(&f.t.physical, 8);
    add_row(c, OP_INSERT, "1|x|-1.0E-7|true|1000-01-01|1969-07-20 20:17:40.000001|2038-01-19 03:14:07.999Z|"
                          "-99999999999999.9999|-2147483648|\\N|\\N|9999999999");
    add_row(c, OP_INSERT, "2|x|1.7976931348623157E308|false|9999-12-31|9999-12-31 23:59:59.999999|"
                          "1970-01-01 00:00:00Z|99999999999999.9999|2147483647|\\N|\\N|-9999999999");
    add_row(c, OP_INSERT, "3|x|\\N|\\N|\\N|\\N|\\N|\\N|\\N|\\N|\\N|\\N");
    add_row(c, OP_INSERT, "4|x|4.9E-324|true|2020-02-29|2020-02-29 00:00:00|2020-02-29 00:00:00.5Z|0.0001|0|\\N|\\N|0");
    /* Strings that need escaping, a NUL byte, 2-, 3- and 4-byte UTF-8; intervals. */
    static const char quotes[] = "it's \"quoted\" \\ back\\slash \\' \n\r\t\x1a end";
    static const char nul[] = "a\0b";
    const char *strs[4] = {quotes, nul, "é 日本 😀", ""};
    uint32_t lens[4] = {sizeof quotes - 1, 3, (uint32_t)strlen(strs[2]), 0};
    for (uint32_t r = 0; r < 4; r++) {
        value_t v;
        set_string(&v, strs[r], lens[r]);
        vector_set(&c->cols[1], r, &v, &c->arena);
    }
    c->cols[9].nulls[0] = c->cols[10].nulls[0] = 0;
    c->cols[9].i64[0] = -93784005000LL;
    c->cols[10].i64[0] = -27;
    c->cols[9].nulls[1] = c->cols[10].nulls[1] = 0;
    c->cols[9].i64[1] = INT64_MAX;
    c->cols[10].i64[1] = 119988;
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    s->vt->close(s);
    CHECK_EQ_STR(query_text("SELECT id, hex(s), d, b, day, ts, ltz, `dec`, i, dt, ym, big FROM all_types ORDER BY id"),
                 "1|69742773202271756F74656422205C206261636B5C736C617368205C27200A0D091A20656E64|-0.0000001|1|"
                 "1000-01-01|1969-07-20 20:17:40.000001|2038-01-19 03:14:07.999000|-99999999999999.9999|-2147483648|"
                 "-93784005000|-27|9999999999\n"
                 "2|610062|1.7976931348623157e308|0|9999-12-31|9999-12-31 23:59:59.999999|1970-01-01 00:00:00.000000|"
                 "99999999999999.9999|2147483647|9223372036854775807|119988|-9999999999\n"
                 "3|C3A920E697A5E69CAC20F09F9880|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL\n"
                 "4||5e-324|1|2020-02-29|2020-02-29 00:00:00.000000|2020-02-29 00:00:00.500000|"
                 "0.0001|0|NULL|NULL|0\n");

    char expect[4096];
    snprintf(expect, sizeof expect, "%s", all_rows(c));
    /* Back through the lookup, keyed by both key columns. */
    int keys[2] = {0, 1};
    lookup_t *l = connector_jdbc.create_lookup(&f.t, keys, 2);
    CHECK(l != NULL);
    if (!l) return;
    chunk_t *out = chunk_new(&f.t.physical, 8);
    for (uint32_t r = 0; r < c->nrows; r++) {
        value_t k[2];
        vector_get(&c->cols[0], r, &k[0]);
        vector_get(&c->cols[1], r, &k[1]);
        CHECK_EQ_INT(l->vt->fetch(l, k, out), 0);
    }
    CHECK_EQ_INT(out->nrows, 4);
    CHECK_EQ_STR(all_rows(out), expect);
    for (uint32_t r = 0; r < 4; r++) {
        CHECK_EQ_INT(out->cols[1].str[r].len, lens[r]);
        CHECK(memcmp(str_ptr(&out->cols[1].str[r]), strs[r], lens[r]) == 0);
        CHECK(out->cols[2].nulls[r] || out->cols[2].f64[r] == c->cols[2].f64[r]);
        for (int col = 5; col <= 10; col++) CHECK(out->cols[col].nulls[r] || out->cols[col].i64[r] == c->cols[col].i64[r]);
    }
    l->vt->close(l);

    /* And through the scan source. */
    source_t *src = connector_jdbc.create_source(&f.t);
    CHECK(src != NULL);
    if (!src) return;
    chunk_reset(out);
    CHECK_EQ_INT(src->vt->next(src, out), 1);
    CHECK_EQ_INT(src->vt->next(src, out), 0);
    CHECK_EQ_STR(all_rows(out), expect);
    CHECK_EQ_INT(src->rows, 4);
    src->vt->close(src);

    /* TIMESTAMP_LTZ is stored as its UTC reading whatever the session zone; cells written by
     * others convert, and one that does not is an error naming the column. */
    value_set_session_tz(tz_get("+08:00", NULL, 0));
    exec_admin("INSERT INTO all_types (id, s, d, b, ltz, `dec`, i, dt) VALUES "
               "(5, 'y', 5, 2, '2020-12-30 12:13:14.123', 12, '42', '7')");
    value_t k[2] = {value_i64(5), value_null()};
    set_string(&k[1], "y", 1);
    chunk_reset(out);
    l = connector_jdbc.create_lookup(&f.t, keys, 2);
    CHECK_EQ_INT(l->vt->fetch(l, k, out), -1);
    CHECK_EQ_STR(err_message(), "jdbc table 't': column 'b' holds '2', which is not a valid BOOLEAN");
    err_clear();
    exec_admin("UPDATE all_types SET b = 1 WHERE id = 5");
    CHECK_EQ_INT(l->vt->fetch(l, k, out), 0);
    CHECK_EQ_STR(all_rows(out), "5|y|5.0|TRUE|NULL|NULL|2020-12-30 20:13:14.123|12.0000|42|+0 00:00:00.000|NULL|NULL\n");
    CHECK_EQ_INT(out->cols[6].i64[0], 1609330394123000LL);
    CHECK_EQ_INT(out->cols[9].i64[0], 7);
    value_set_session_tz(tz_get("UTC", NULL, 0));
    exec_admin("ALTER TABLE all_types MODIFY dt VARCHAR(20)");
    exec_admin("UPDATE all_types SET dt = '7 s' WHERE id = 5");
    chunk_reset(out);
    CHECK_EQ_INT(l->vt->fetch(l, k, out), -1);
    CHECK_EQ_STR(err_message(), "jdbc table 't': column 'dt' holds '7 s', which is not a valid INTERVAL DAY TO SECOND "
                                "(a whole number)");
    CHECK_EQ_INT(out->nrows, 0);
    err_clear();
    l->vt->close(l);
    chunk_free(out);
    chunk_free(c);
}

TEST(values_mysql_cannot_store)
{
    static const char *const names[] = {"id", "d", "v"};
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_DOUBLE), type_varchar(3)};
    fixture f;
    fx_init(&f, 3, names, ty, "url", url, "table-name", "nan", "sink.max-retries", "2", NULL);
    fx_pk(&f, 0);
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    chunk_t *c = chunk_new(&f.t.physical, 4);
    add_row(c, OP_INSERT, "1|NaN|abc");
    err_clear();
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    int rc;
    const char *printed = capture_stderr(flush_sink, s, &rc);
    CHECK_EQ_INT(rc, -1);
    CHECK_EQ_STR(printed, "");                                /* not retried */
    CHECK_EQ_STR(err_message(), "jdbc table 't': column 'd' holds NaN, which MySQL cannot store in a DOUBLE");
    CHECK(strstr(err_text(), "note: jdbc sink of table 't' gave up writing 1 buffered changes after 0 retries "
                             "(sink.max-retries)") != NULL);
    err_clear();
    /* Strict mode, even when the server's sql_mode is not: a string longer than the column is
     * an error, not truncated; unless jdbcCompliantTruncation=false. */
    chunk_reset(c);
    add_row(c, OP_INSERT, "2|1|abcd");
    s->vt->close(s);                                      /* the failed buffer fails again */
    err_clear();
    exec_admin("SET GLOBAL sql_mode = ''");
    s = connector_jdbc.create_sink(&f.t);
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    CHECK_EQ_INT(s->vt->flush(s), -1);
    CHECK(strstr(err_message(), "jdbc sink of table 't' at MySQL server ") == err_message());
    CHECK(strstr(err_message(), "failed: Data too long for column 'v' at row 1 (error 1406)") != NULL);
    err_clear();
    s->vt->close(s);
    err_clear();
    CHECK_EQ_STR(query_text("SELECT count(*) FROM nan"), "0\n");
    char u[256];
    url_with(u, sizeof u, "?jdbcCompliantTruncation=false");
    fx_init(&f, 3, names, ty, "url", u, "table-name", "nan", NULL);
    fx_pk(&f, 0);
    s = connector_jdbc.create_sink(&f.t);
    exec_admin("SET GLOBAL sql_mode = DEFAULT");
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    CHECK_EQ_INT(s->vt->flush(s), 0);
    s->vt->close(s);
    CHECK_EQ_STR(query_text("SELECT * FROM nan"), "2|1|abc\n");
    chunk_free(c);
}

/* ---- lookup, scan ---- */

TEST(lookup_without_and_with_cache)
{
    exec_admin("CREATE TABLE dim (id BIGINT, name VARCHAR(10))");
    exec_admin("INSERT INTO dim VALUES (1, 'one'), (2, 'two'), (2, 'deux')");
    static const char *const names[] = {"id", "name"};
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING)};
    int key = 0;
    fixture f;
    fx_init(&f, 2, names, ty, "url", url, "table-name", "dim", NULL);
    lookup_t *l = connector_jdbc.create_lookup(&f.t, &key, 1);
    CHECK(l != NULL);
    if (!l) return;
    chunk_t *out = chunk_new(&f.t.physical, 16);
    value_t k = value_i64(2);
    CHECK_EQ_INT(l->vt->fetch(l, &k, out), 0);
    CHECK_EQ_STR(all_rows(out), "2|two\n2|deux\n");
    chunk_reset(out);
    k = value_i64(9);
    CHECK_EQ_INT(l->vt->fetch(l, &k, out), 0);
    CHECK_EQ_INT(out->nrows, 0);
    exec_admin("UPDATE dim SET name = 'uno' WHERE id = 1");
    k = value_i64(1);
    CHECK_EQ_INT(l->vt->fetch(l, &k, out), 0);
    CHECK_EQ_STR(all_rows(out), "1|uno\n");                /* no cache: sees the change */
    exec_admin("UPDATE dim SET name = 'one' WHERE id = 1");
    CHECK_EQ_INT(l->vt->fetch(l, &k, out), 0);
    CHECK_EQ_STR(all_rows(out), "1|uno\n1|one\n");         /* and the next one: no stale snapshot */
    chunk_reset(out);
    k = value_null();
    CHECK_EQ_INT(l->vt->fetch(l, &k, out), 0);
    CHECK_EQ_INT(out->nrows, 0);
    /* More rows than the output holds. */
    chunk_t *small = chunk_new(&f.t.physical, 1);
    k = value_i64(2);
    CHECK_EQ_INT(l->vt->fetch(l, &k, small), -1);
    CHECK_EQ_STR(err_message(), "jdbc lookup of table 't': more than 1 rows match one key");
    err_clear();
    chunk_free(small);
    l->vt->close(l);

    /* A string key through the table's collation (the server decides, as with Flink). */
    key = 1;
    l = connector_jdbc.create_lookup(&f.t, &key, 1);
    set_string(&k, "DEUX", 4);
    CHECK_EQ_INT(l->vt->fetch(l, &k, out), 0);
    CHECK_EQ_STR(all_rows(out), "2|deux\n");
    chunk_reset(out);
    l->vt->close(l);
    key = 0;

    /* PARTIAL cache: hits until the entry expires after write. */
    fx_init(&f, 2, names, ty, "url", url, "table-name", "dim", "lookup.cache", "PARTIAL",
            "lookup.partial-cache.expire-after-write", "10 s", NULL);
    l = connector_jdbc.create_lookup(&f.t, &key, 1);
    k = value_i64(1);
    l->vt->fetch(l, &k, out);
    exec_admin("UPDATE dim SET name = 'eins' WHERE id = 1");
    k = value_i64(9);
    l->vt->fetch(l, &k, out);                              /* a missing key is cached too */
    exec_admin("INSERT INTO dim VALUES (9, 'nine')");
    fake_now += 9 * US_PER_SEC;
    k = value_i64(1);
    l->vt->fetch(l, &k, out);
    k = value_i64(9);
    l->vt->fetch(l, &k, out);
    CHECK_EQ_STR(all_rows(out), "1|one\n1|one\n");
    chunk_reset(out);
    fake_now += US_PER_SEC;
    k = value_i64(1);
    l->vt->fetch(l, &k, out);
    k = value_i64(9);
    l->vt->fetch(l, &k, out);
    CHECK_EQ_STR(all_rows(out), "1|eins\n9|nine\n");
    chunk_reset(out);
    l->vt->close(l);
    chunk_free(out);
}

TEST(scan_streams_the_whole_table)
{
    exec_admin("CREATE TABLE many (id INT PRIMARY KEY, name VARCHAR(20))");
    exec_admin("INSERT INTO many SELECT seq, concat('name-', seq) FROM seq_1_to_2500");
    static const char *const names[] = {"id", "name"};
    type_t ty[] = {type_make(TY_INT), type_make(TY_STRING)};
    fixture f;
    fx_init(&f, 2, names, ty, "url", url, "table-name", "many", NULL);
    source_t *src = connector_jdbc.create_source(&f.t);
    CHECK(src != NULL);
    if (!src) return;
    CHECK(src->bounded);
    chunk_t *out = chunk_new(&f.t.physical, CHUNK_CAP);
    int64_t sum = 0, count = 0;
    int rc, calls = 0;
    do {
        chunk_reset(out);
        rc = src->vt->next(src, out);
        calls++;
        for (uint32_t r = 0; r < out->nrows; r++) {
            sum += out->cols[0].i64[r];
            char want[32];
            snprintf(want, sizeof want, "name-%lld", (long long)out->cols[0].i64[r]);
            if (strlen(want) != out->cols[1].str[r].len || memcmp(want, str_ptr(&out->cols[1].str[r]), strlen(want)))
                count = -1000000;
        }
        count += out->nrows;
    } while (rc == 1 && calls < 10);
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(calls, 4);                                /* 1024 + 1024 + 452 + 0 rows */
    CHECK_EQ_INT(count, 2500);
    CHECK_EQ_INT(sum, 2500LL * 2501 / 2);
    CHECK_EQ_INT(src->rows, 2500);
    src->vt->close(src);
    chunk_free(out);
}

/* ---- connections and errors ---- */

TEST(connection_options_and_errors)
{
    static const char *const names[] = {"id", "name"};
    type_t ty[] = {type_make(TY_INT), type_make(TY_STRING)};
    exec_admin("CREATE TABLE users (id INT, name TEXT)");
    exec_admin("INSERT INTO users VALUES (1, 'a')");
    int key = 0;
    value_t k = value_i64(1);
    chunk_t *out = chunk_new(&(schema_t){2, ty, (char **)names}, 4);
    char u[512];
    fixture f;

    /* A password from the options, or from the URL; the options win. */
    fx_init(&f, 2, names, ty, "url", url, "table-name", "users", "username", "eddy_pw", "password", "secret", NULL);
    lookup_t *l = connector_jdbc.create_lookup(&f.t, &key, 1);
    CHECK(l != NULL);
    if (l) {
        CHECK_EQ_INT(l->vt->fetch(l, &k, out), 0);
        CHECK_EQ_STR(all_rows(out), "1|a\n");
        l->vt->close(l);
    }
    url_with(u, sizeof u, "?user=eddy_pw&password=s%65cret&useSSL=false&characterEncoding=utf8&serverTimezone=UTC"
                          "&connectTimeout=2000&socketTimeout=30000&useCompression=true&sessionVariables=wait_timeout=600");
    fx_init(&f, 2, names, ty, "url", u, "table-name", "users", NULL);
    l = connector_jdbc.create_lookup(&f.t, &key, 1);
    CHECK(l != NULL);
    if (l) {
        chunk_reset(out);
        CHECK_EQ_INT(l->vt->fetch(l, &k, out), 0);
        CHECK_EQ_STR(all_rows(out), "1|a\n");
        l->vt->close(l);
    }
    err_clear();
    fx_init(&f, 2, names, ty, "url", u, "table-name", "users", "password", "wrong", NULL);
    CHECK(connector_jdbc.create_lookup(&f.t, &key, 1) == NULL);
    char want[512];
    snprintf(want, sizeof want, "jdbc table 't': cannot connect to MySQL server %s/eddy: Access denied for user "
             "'eddy_pw'@'127.0.0.1' (using password: YES) (error 1045)", address);
    CHECK_EQ_STR(err_message(), want);
    err_clear();

    /* Nothing listens on port 1; an unknown database. */
    fx_init(&f, 2, names, ty, "url", "jdbc:mysql://127.0.0.1:1/eddy", "table-name", "users", NULL);
    CHECK(connector_jdbc.create_sink(&f.t) == NULL);
    CHECK(strstr(err_message(), "jdbc table 't': cannot connect to MySQL server 127.0.0.1:1/eddy: ") == err_message());
    CHECK(strstr(err_message(), "(error 2002)") != NULL);
    err_clear();
    snprintf(u, sizeof u, "jdbc:mysql://%s/nodb", address);
    fx_init(&f, 2, names, ty, "url", u, "table-name", "users", NULL);
    CHECK(connector_jdbc.create_source(&f.t) == NULL);
    snprintf(want, sizeof want, "jdbc table 't': cannot connect to MySQL server %s/nodb: Unknown database 'nodb' "
             "(error 1049)", address);
    CHECK_EQ_STR(err_message(), want);
    err_clear();

    /* A missing table: the lookup fails at the query, the scan at the start. */
    fx_init(&f, 2, names, ty, "url", url, "table-name", "nope", NULL);
    l = connector_jdbc.create_lookup(&f.t, &key, 1);
    CHECK(l != NULL);
    if (l) {
        CHECK_EQ_INT(l->vt->fetch(l, &k, out), -1);
        snprintf(want, sizeof want, "jdbc lookup of table 't' at MySQL server %s/eddy failed: Table 'eddy.nope' "
                 "doesn't exist (error 1146)", address);
        CHECK_EQ_STR(err_message(), want);
        err_clear();
        l->vt->close(l);
    }
    CHECK(connector_jdbc.create_source(&f.t) == NULL);
    snprintf(want, sizeof want, "jdbc scan of table 't' at MySQL server %s/eddy failed: Table 'eddy.nope' "
             "doesn't exist (error 1146)", address);
    CHECK_EQ_STR(err_message(), want);
    err_clear();

    /* URL forms and parameter values. */
    static const struct { const char *url, *msg; } bad[] = {
        {"jdbc:mysql:localhost/db", "JDBC URL 'jdbc:mysql:localhost/db' of table 't' must look like "
                                    "jdbc:mysql://HOST[:PORT]/DATABASE"},
        {"jdbc:mysql://localhost:3306", "JDBC URL 'jdbc:mysql://localhost:3306' of table 't' names no database; "
                                        "expected jdbc:mysql://HOST[:PORT]/DATABASE"},
        {"jdbc:mysql://h1:3306,h2:3306/db", "JDBC URL 'jdbc:mysql://h1:3306,h2:3306/db' of table 't': several hosts "
                                            "(h1:3306,h2:3306) are not supported; name one server"},
        {"jdbc:mysql://localhost/db?useSSL=maybe", "JDBC URL 'jdbc:mysql://localhost/db?useSSL=maybe' of table 't': "
                                                   "parameter useSSL must be true or false, not 'maybe'"},
        {"jdbc:mysql://localhost/db?connectTimeout=5s", "JDBC URL 'jdbc:mysql://localhost/db?connectTimeout=5s' of "
                                                        "table 't': parameter connectTimeout must be a number of "
                                                        "milliseconds, not '5s'"},
        {"jdbc:mysql://localhost/db?sslMode=ON", "JDBC URL 'jdbc:mysql://localhost/db?sslMode=ON' of table 't': "
                                                 "parameter sslMode must be DISABLED, PREFERRED, REQUIRED, VERIFY_CA "
                                                 "or VERIFY_IDENTITY, not 'ON'"},
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        fx_init(&f, 2, names, ty, "url", bad[i].url, "table-name", "users", NULL);
        CHECK(connector_jdbc.create_sink(&f.t) == NULL);
        CHECK_EQ_STR(err_message(), bad[i].msg);
        err_clear();
    }

    /* TLS: this server has none; PREFERRED (the default) falls back, REQUIRED fails. */
    CHECK_EQ_STR(query_text("SELECT @@have_ssl"), "DISABLED\n");
    url_with(u, sizeof u, "?sslMode=PREFERRED");
    fx_init(&f, 2, names, ty, "url", u, "table-name", "users", NULL);
    l = connector_jdbc.create_lookup(&f.t, &key, 1);
    CHECK(l != NULL);
    if (l) l->vt->close(l);
    url_with(u, sizeof u, "?useSSL=true&requireSSL=true");
    fx_init(&f, 2, names, ty, "url", u, "table-name", "users", NULL);
    CHECK(connector_jdbc.create_lookup(&f.t, &key, 1) == NULL);
    snprintf(want, sizeof want, "jdbc table 't': cannot connect to MySQL server %s/eddy: the URL requires TLS "
             "(sslMode=REQUIRED) but the server does not offer it", address);
    CHECK_EQ_STR(err_message(), want);
    err_clear();
    url_with(u, sizeof u, "?sslMode=VERIFY_CA");
    fx_init(&f, 2, names, ty, "url", u, "table-name", "users", NULL);
    CHECK(connector_jdbc.create_lookup(&f.t, &key, 1) == NULL);
    snprintf(want, sizeof want, "jdbc table 't': cannot connect to MySQL server %s/eddy: TLS/SSL error: SSL is "
             "required, but the server does not support it (error 2026)", address);
    CHECK_EQ_STR(err_message(), want);
    err_clear();
    chunk_free(out);
}

/* ---- retries ---- */

typedef struct fetch_call {
    lookup_t *l;
    value_t key;
    chunk_t *out;
} fetch_call;

static int fetch_once(void *arg)
{
    fetch_call *fc = arg;
    return fc->l->vt->fetch(fc->l, &fc->key, fc->out);
}

TEST(retries_across_a_server_restart)
{
    static const char *const names[] = {"id", "name"};
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING)};
    fixture f;
    fx_init(&f, 2, names, ty, "url", url, "table-name", "kept", "sink.max-retries", "3",
            "sink.buffer-flush.max-rows", "1000", NULL);
    fx_pk(&f, 0);
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    int key = 0;
    fixture fl;
    fx_init(&fl, 2, names, ty, "url", url, "table-name", "kept", NULL);
    lookup_t *l = connector_jdbc.create_lookup(&fl.t, &key, 1);
    CHECK(l != NULL);
    if (!l) return;

    chunk_t *c = numbered_rows(&f.t.physical, 0, 100, 20);
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    CHECK_EQ_INT(s->vt->flush(s), 0);
    chunk_free(c);

    /* Restarted between two flushes: the second finds its connection gone, warns, reconnects. */
    CHECK_EQ_INT(run_service("restart"), 0);
    mysql_close(admin);
    admin = mysql_init(NULL);
    char host[64];
    snprintf(host, sizeof host, "%s", address);
    *strchr(host, ':') = 0;
    CHECK(mysql_real_connect(admin, host, "eddy", "", "eddy", (unsigned)atoi(strchr(address, ':') + 1), NULL, 0) != NULL);
    c = numbered_rows(&f.t.physical, 100, 100, 20);
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    int rc;
    const char *printed = capture_stderr(flush_sink, s, &rc);
    CHECK_EQ_INT(rc, 0);
    char want[256];
    snprintf(want, sizeof want, "eddy: warning: jdbc sink of table 't' at MySQL server %s/eddy failed: ", address);
    CHECK(strstr(printed, want) == printed);
    CHECK(strstr(printed, "(error 2006); retry 1 of 3 in 1 s\n") != NULL || strstr(printed, "(error 2013); retry 1 of 3 in 1 s\n") != NULL);
    if (rc) err_print(stderr);
    chunk_free(c);
    CHECK_EQ_STR(query_text("SELECT count(*), sum(id) FROM kept"), "200|19900\n");

    /* The lookup's connection was lost too. */
    fetch_call fc = {l, value_i64(150), chunk_new(&f.t.physical, 4)};
    printed = capture_stderr(fetch_once, &fc, &rc);
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(fc.out->nrows, 1);
    snprintf(want, sizeof want, "eddy: warning: jdbc lookup of table 't' at MySQL server %s/eddy failed: ", address);
    CHECK(strstr(printed, want) == printed);
    chunk_free(fc.out);
    l->vt->close(l);

    /* Down for about two seconds during a flush: the sink keeps reconnecting until it is back. */
    c = numbered_rows(&f.t.physical, 200, 100, 20);
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    CHECK_EQ_INT(run_service("stop"), 0);
    char sh[256];
    snprintf(sh, sizeof sh, "(sleep 2; %s restart %s) >/dev/null 2>&1 &", service, server_dir);
    CHECK_EQ_INT(system(sh), 0);
    printed = capture_stderr(flush_sink, s, &rc);
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(printed, "retry 1 of 3 in 1 s\n") != NULL);
    CHECK(strstr(printed, "retry 2 of 3") == NULL);
    chunk_free(c);
    mysql_close(admin);
    admin = mysql_init(NULL);
    CHECK(mysql_real_connect(admin, host, "eddy", "", "eddy", (unsigned)atoi(strchr(address, ':') + 1), NULL, 0) != NULL);
    CHECK_EQ_STR(query_text("SELECT count(*), sum(id) FROM kept"), "300|44850\n");
    s->vt->close(s);

    /* Without retries the first failure is final and the buffer is reported. */
    fx_init(&f, 2, names, ty, "url", url, "table-name", "kept", "sink.max-retries", "0",
            "sink.buffer-flush.max-rows", "1000", NULL);
    fx_pk(&f, 0);
    s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_INT(run_service("restart"), 0);
    c = numbered_rows(&f.t.physical, 300, 10, 20);
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    printed = capture_stderr(flush_sink, s, &rc);
    CHECK_EQ_INT(rc, -1);
    CHECK_EQ_STR(printed, "");
    CHECK(strstr(err_text(), "note: jdbc sink of table 't' gave up writing 10 buffered changes after 0 retries "
                                "(sink.max-retries)") != NULL);
    err_clear();
    chunk_free(c);
    s->vt->close(s);
    err_clear();
    mysql_close(admin);
    admin = mysql_init(NULL);
    CHECK(mysql_real_connect(admin, host, "eddy", "", "eddy", (unsigned)atoi(strchr(address, ':') + 1), NULL, 0) != NULL);
}

/* ---- the server ---- */

static int start_server(void)
{
    snprintf(server_dir, sizeof server_dir, "/tmp/eddy-mysql-XXXXXX");
    if (!mkdtemp(server_dir)) return -1;
    char sh[256];
    snprintf(sh, sizeof sh, "%s start %s", service, server_dir);
    FILE *p = popen(sh, "r");
    if (!p) return -1;
    if (!fgets(address, sizeof address, p)) address[0] = 0;
    if (pclose(p) != 0 || !address[0]) return -1;
    address[strcspn(address, "\n")] = 0;
    snprintf(url, sizeof url, "jdbc:mysql://%s/eddy", address);
    char host[64];
    snprintf(host, sizeof host, "%s", address);
    *strchr(host, ':') = 0;
    admin = mysql_init(NULL);
    if (!mysql_real_connect(admin, host, "eddy", "", "eddy", (unsigned)atoi(strchr(address, ':') + 1), NULL, 0)) {
        fprintf(stderr, "cannot connect to the test server: %s\n", mysql_error(admin));
        return -1;
    }
    mysql_set_character_set(admin, "utf8mb4");
    return 0;
}

static void stop_server(void)
{
    if (admin) mysql_close(admin);
    run_service("stop");
    char sh[128];
    snprintf(sh, sizeof sh, "rm -rf %s", server_dir);
    if (system(sh) != 0) fprintf(stderr, "cannot remove %s\n", server_dir);
}

static int mariadb_installed(void)
{
    return system("command -v mariadbd >/dev/null 2>&1 || test -x /usr/sbin/mariadbd") == 0 &&
           system("command -v mariadb-install-db >/dev/null 2>&1") == 0 && access(service, X_OK) == 0;
}

int main(void)
{
    if (!mariadb_installed()) {
        printf("test_jdbc_mysql: skipped: MariaDB (mariadbd, mariadb-install-db) is not installed "
               "or %s is missing\n", service);
        return CHECK_DONE();
    }
    if (start_server()) {
        fprintf(stderr, "test_jdbc_mysql: cannot start MariaDB with %s\n", service);
        stop_server();
        return 1;
    }
    value_set_session_tz(tz_get("UTC", NULL, 0));
    RUN(sink_creates_the_table_and_upserts_by_key);
    RUN(sink_buffer_keeps_the_last_change_per_key);
    RUN(sink_flushes_by_rows_and_interval);
    RUN(sink_appends_without_a_primary_key);
    RUN(sink_into_a_table_without_a_unique_key_and_with_a_composite_key);
    RUN(sink_splits_statements_by_rows_and_bytes);
    RUN(values_round_trip_for_every_type);
    RUN(values_mysql_cannot_store);
    RUN(lookup_without_and_with_cache);
    RUN(scan_streams_the_whole_table);
    RUN(connection_options_and_errors);
    RUN(retries_across_a_server_restart);
    stop_server();
    mysql_library_end();
    return CHECK_DONE();
}
