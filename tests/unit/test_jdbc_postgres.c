/* test_jdbc_postgres.c - the 'jdbc' connector's PostgreSQL driver against a real server
 * started by tests/services/postgres.sh in a temp dir: sink upserts, deletes and appends
 * (table contents checked with libpq), every type's round trip, buffer flushing, lookups
 * with and without cache, the scan, error texts, and retries across a server restart.
 * Skipped (with a message) when PostgreSQL is not installed; PG_TEST_KEEP=1 keeps the
 * server's directory (and its log) after the run. */
#include "check.h"
#include "connector_testkit.h"
#include "connect/connector.h"
#include "base/util.h"
#include <fcntl.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the server ---- */

static char server_dir[64];
static char script[512];
static int server_port;
static PGconn *admin;                          /* checks table contents */
static char url[128];

static const char *pg_bin(void) { return getenv("PGBIN") ? getenv("PGBIN") : "/usr/lib/postgresql/15/bin"; }

static int find_script(void)
{
    static const char *const candidates[] = {"tests/services/postgres.sh", "../services/postgres.sh"};
    for (size_t i = 0; i < ARRAY_LEN(candidates); i++)
        if (access(candidates[i], X_OK) == 0) {
            snprintf(script, sizeof script, "%s", candidates[i]);
            return 0;
        }
    return -1;
}

static int run_script(const char *cmd)
{
    char line[1024];
    snprintf(line, sizeof line, "%s %s %s >/dev/null", script, cmd, server_dir);
    return system(line);
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int start_server(void)
{
    snprintf(server_dir, sizeof server_dir, "/tmp/eddy-pg-test.XXXXXX");
    if (!mkdtemp(server_dir)) return -1;
    chmod(server_dir, 0755);
    char cmd[1024], addr[128] = "";
    snprintf(cmd, sizeof cmd, "%s start %s", script, server_dir);
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    if (!fgets(addr, sizeof addr, p)) addr[0] = 0;
    if (pclose(p) != 0 || sscanf(addr, "127.0.0.1:%d", &server_port) != 1) return -1;
    snprintf(url, sizeof url, "jdbc:postgresql://127.0.0.1:%d/eddy", server_port);
    char conninfo[256];
    snprintf(conninfo, sizeof conninfo, "host=127.0.0.1 port=%d dbname=eddy user=eddy", server_port);
    admin = PQconnectdb(conninfo);
    PQsetNoticeProcessor(admin, quiet, NULL);
    return PQstatus(admin) == CONNECTION_OK ? 0 : -1;
}

static void stop_server(void)
{
    if (admin) PQfinish(admin);
    admin = NULL;
    run_script("stop");
    if (getenv("PG_TEST_KEEP")) {
        fprintf(stderr, "test_jdbc_postgres: the server's files stay in %s\n", server_dir);
        return;
    }
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", server_dir);
    if (system(cmd)) fprintf(stderr, "could not remove %s\n", server_dir);
}

static void reconnect_admin(void)
{
    PQreset(admin);
}

/* Rows of a query, cells joined by '|', NULL as "NULL"; "error: ..." when it fails. */
static const char *q(const char *sql)
{
    static sb_t b;
    sb_clear(&b);
    PGresult *res = PQexec(admin, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK) {
        sb_printf(&b, "error: %s", PQresultErrorMessage(res));
    } else {
        for (int r = 0; r < PQntuples(res); r++) {
            for (int i = 0; i < PQnfields(res); i++) {
                if (i) sb_putc(&b, '|');
                sb_puts(&b, PQgetisnull(res, r, i) ? "NULL" : PQgetvalue(res, r, i));
            }
            sb_putc(&b, '\n');
        }
    }
    PQclear(res);
    return sb_str(&b);
}

static void x(const char *sql)
{
    PGresult *res = PQexec(admin, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        fprintf(stderr, "x(%s): %s", sql, PQresultErrorMessage(res));
    PQclear(res);
}

/* The created table's columns ("name type [NOT NULL]") and its primary key. */
static const char *table_ddl(const char *table)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod) || "
             "CASE WHEN attnotnull THEN ' NOT NULL' ELSE '' END, ', ' ORDER BY attnum), "
             "(SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '%s'::regclass AND contype = 'p') "
             "FROM pg_attribute WHERE attrelid = '%s'::regclass AND attnum > 0 AND NOT attisdropped",
             table, table);
    return q(sql);
}

/* ---- fixtures ---- */

/* A call that must succeed; the recorded error is shown when it does not. */
#define CHECK_OK(call) do { if ((call) != 0) { \
    fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call, err_message()); \
    check_cur_failed_ = 1; err_clear(); } } while (0)


/* Rows from text: cells separated by '|', rows by '\n', "\N" for NULL; intervals as integers.
 * ops: one letter per row, I (+I), B (-U), A (+U), D (-D). */
static chunk_t *rows(const connector_table *t, const char *text, const char *ops)
{
    chunk_t *c = chunk_new(&t->physical, 64);
    const char *p = text;
    for (int r = 0; *p; r++) {
        value_t vals[16];
        for (uint32_t i = 0; i < t->physical.ncols; i++) {
            size_t n = strcspn(p, i + 1 < t->physical.ncols ? "|" : "\n");
            type_t ty = t->physical.types[i];
            if (n == 2 && !memcmp(p, "\\N", 2)) vals[i] = value_null();
            else if (ty.id == TY_INTERVAL_DT || ty.id == TY_INTERVAL_YM) vals[i] = value_i64(strtoll(p, NULL, 10));
            else if (value_parse(ty, p, n, &vals[i], &c->arena)) fprintf(stderr, "rows: bad cell '%.*s'\n", (int)n, p);
            p += n + (p[n] != 0);
        }
        char op = ops[r];
        chunk_append_values(c, vals, op == 'I' ? OP_INSERT : op == 'B' ? OP_UPDATE_BEFORE : op == 'A' ? OP_UPDATE_AFTER
                                                                                                    : OP_DELETE);
    }
    return c;
}

/* Every row as "v1|v2|...\n" like all_rows, but intervals as their integer count (as rows() reads them). */
static const char *all_rows_numeric_intervals(const chunk_t *c)
{
    static sb_t b;
    sb_clear(&b);
    for (uint32_t r = 0; r < c->nrows; r++) {
        for (uint32_t i = 0; i < c->ncols; i++) {
            value_t v;
            if (i) sb_putc(&b, '|');
            vector_get(&c->cols[i], r, &v);
            if (!v.null && (c->cols[i].type.id == TY_INTERVAL_DT || c->cols[i].type.id == TY_INTERVAL_YM))
                sb_printf(&b, "%lld", (long long)v.i);
            else value_format(c->cols[i].type, &v, &b);
        }
        sb_putc(&b, '\n');
    }
    return sb_str(&b);
}

/* stderr into a file while `capturing`, to check warnings. */
static int saved_stderr = -1;
static char capture_path[96];

static void capture_begin(void)
{
    snprintf(capture_path, sizeof capture_path, "%s/stderr.txt", server_dir);
    fflush(stderr);
    saved_stderr = dup(2);
    int fd = open(capture_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 2);
    close(fd);
}

static const char *capture_end(void)
{
    static char text[8192];
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    FILE *fp = fopen(capture_path, "r");
    size_t n = fp ? fread(text, 1, sizeof text - 1, fp) : 0;
    text[n] = 0;
    if (fp) fclose(fp);
    return text;
}

static const char *const names2[] = {"id", "name"};
static type_t types2[2];
static const char *const tnames[] = {"id", "name", "score", "ok", "day", "ts", "ltz", "dec", "i", "dt", "ym", "vc"};
static type_t ttypes[12];

static void init_types(void)
{
    types2[0] = type_make(TY_BIGINT);
    types2[1] = type_make(TY_STRING);
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE), type_make(TY_BOOLEAN),
                   type_make(TY_DATE), type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP_LTZ, 3),
                   type_decimal(10, 2), type_make(TY_INT), type_make(TY_INTERVAL_DT), type_make(TY_INTERVAL_YM),
                   type_varchar(20)};
    memcpy(ttypes, ty, sizeof ty);
}

/* ---- sink ---- */

TEST(sink_upserts_and_deletes_by_key)
{
    fixture f;
    fx_init(&f, 2, names2, types2, "url", url, "username", "eddy", "table-name", "scores", NULL);
    fx_pk(&f, 0);
    err_clear();
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) { err_print(stderr); return; }
    CHECK_EQ_STR(table_ddl("scores"), "id bigint NOT NULL, name text|PRIMARY KEY (id)\n");
    chunk_t *c = rows(&f.t, "1|a\n2|b\n1|a\n1|a2\n3|c\n2|b\n", "IIBAID");
    CHECK_OK(s->vt->write(s, c));
    CHECK_EQ_STR(q("SELECT count(*) FROM scores"), "0\n");         /* buffered */
    CHECK_OK(s->vt->flush(s));
    CHECK_EQ_STR(q("SELECT * FROM scores ORDER BY id"), "1|a2\n3|c\n");
    chunk_free(c);
    /* A later delete, a re-insert and an update of keys already in the table. */
    c = rows(&f.t, "3|c\n3|c3\n1|x\n4|\\N\n", "DIAI");
    CHECK_OK(s->vt->write(s, c));
    s->vt->close(s);
    CHECK_EQ_STR(q("SELECT * FROM scores ORDER BY id"), "1|x\n3|c3\n4|NULL\n");
    chunk_free(c);
    x("DROP TABLE scores");
}

TEST(sink_with_a_composite_key_and_only_key_columns)
{
    static const char *const names[] = {"shop", "day", "pv"};
    type_t ty[] = {type_make(TY_STRING), type_make(TY_DATE), type_make(TY_BIGINT)};
    fixture f;
    fx_init(&f, 3, names, ty, "url", url, "username", "eddy", "table-name", "daily", NULL);
    fx_pk(&f, 0);
    fx_pk(&f, 1);
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) { err_print(stderr); return; }
    CHECK_EQ_STR(table_ddl("daily"), "shop text NOT NULL, day date NOT NULL, pv bigint|PRIMARY KEY (shop, day)\n");
    chunk_t *c = rows(&f.t, "s1|2020-12-30|1\ns1|2020-12-31|2\ns2|2020-12-30|3\n", "III");
    CHECK_OK(s->vt->write(s, c));
    CHECK_OK(s->vt->flush(s));
    chunk_free(c);
    c = rows(&f.t, "s1|2020-12-30|1\ns2|2020-12-30|30\ns3|2021-01-01|4\n", "DAI");
    CHECK_OK(s->vt->write(s, c));
    s->vt->close(s);
    CHECK_EQ_STR(q("SELECT * FROM daily ORDER BY shop, day"), "s1|2020-12-31|2\ns2|2020-12-30|30\ns3|2021-01-01|4\n");
    chunk_free(c);

    /* Every column is a key column: ON CONFLICT DO NOTHING. */
    fx_init(&f, 2, names, ty, "url", url, "username", "eddy", "table-name", "pairs", NULL);
    fx_pk(&f, 0);
    fx_pk(&f, 1);
    s = connector_jdbc.create_sink(&f.t);
    c = rows(&f.t, "a|2020-01-01\nb|2020-01-02\n", "II");
    CHECK_OK(s->vt->write(s, c));
    CHECK_OK(s->vt->flush(s));
    c->ops[1] = OP_DELETE;
    CHECK_OK(s->vt->write(s, c));
    s->vt->close(s);
    CHECK_EQ_STR(q("SELECT * FROM pairs"), "a|2020-01-01\n");
    chunk_free(c);
    x("DROP TABLE daily; DROP TABLE pairs");
}

TEST(sink_batches_larger_than_one_statement)
{
    fixture f;
    fx_init(&f, 2, names2, types2, "url", url, "username", "eddy", "table-name", "big", "sink.buffer-flush.max-rows",
            "10000", NULL);
    fx_pk(&f, 0);
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) { err_print(stderr); return; }
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    char name[32];
    for (int id = 0; id < 3000; id++) {
        snprintf(name, sizeof name, "name-%d-o'brien", id);
        value_t v[2] = {value_i64(id), value_null()};
        v[1].null = 0;
        v[1].s = str_cstr(name);
        chunk_append_values(c, v, OP_INSERT);
        if (chunk_full(c) || id == 2999) {
            CHECK_OK(s->vt->write(s, c));
            chunk_reset(c);
        }
    }
    CHECK_EQ_STR(q("SELECT count(*) FROM big"), "0\n");
    CHECK_OK(s->vt->flush(s));              /* 3 statements in one transaction */
    CHECK_EQ_STR(q("SELECT count(*), sum(id), count(DISTINCT name) FROM big"), "3000|4498500|3000\n");
    /* Deletes of 0..1199 (two statements) and updates of 1200..2999 in one flush. */
    for (int id = 0; id < 3000; id++) {
        value_t v[2] = {value_i64(id), value_null()};
        chunk_append_values(c, v, id < 1200 ? OP_DELETE : OP_UPDATE_AFTER);
        if (chunk_full(c) || id == 2999) {
            CHECK_OK(s->vt->write(s, c));
            chunk_reset(c);
        }
    }
    CHECK_OK(s->vt->flush(s));
    CHECK_EQ_STR(q("SELECT count(*), min(id), max(id), count(name) FROM big"), "1800|1200|2999|0\n");
    s->vt->close(s);
    chunk_free(c);
    x("DROP TABLE big");
}

TEST(sink_flushes_by_rows_and_interval)
{
    fixture f;
    fx_init(&f, 2, names2, types2, "url", url, "username", "eddy", "table-name", "r", "sink.buffer-flush.max-rows", "3",
            "sink.buffer-flush.interval", "2 s", NULL);
    fx_pk(&f, 0);
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) { err_print(stderr); return; }
    chunk_t *c = rows(&f.t, "1|a\n2|b\n", "II");
    CHECK_OK(s->vt->write(s, c));
    CHECK_EQ_STR(q("SELECT count(*) FROM r"), "0\n");
    chunk_free(c);
    c = rows(&f.t, "3|c\n4|d\n", "II");
    CHECK_OK(s->vt->write(s, c));             /* the third change flushes */
    CHECK_EQ_STR(q("SELECT id FROM r ORDER BY id"), "1\n2\n3\n");
    CHECK_EQ_INT(s->vt->tick(s, fake_now + 2 * US_PER_SEC - 1), 0);
    CHECK_EQ_STR(q("SELECT count(*) FROM r"), "3\n");
    CHECK_EQ_INT(s->vt->tick(s, fake_now + 2 * US_PER_SEC), 0);
    CHECK_EQ_STR(q("SELECT count(*) FROM r"), "4\n");
    s->vt->close(s);
    chunk_free(c);
    x("DROP TABLE r");
}

TEST(sink_appends_without_a_primary_key)
{
    fixture f;
    fx_init(&f, 2, names2, types2, "url", url, "username", "eddy", "table-name", "log", "sink.buffer-flush.max-rows", "0",
            "sink.buffer-flush.interval", "0", NULL);
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) { err_print(stderr); return; }
    CHECK_EQ_STR(table_ddl("log"), "id bigint, name text|NULL\n");
    chunk_t *c = rows(&f.t, "1|\\N\n1|\\N\n", "II");
    CHECK_OK(s->vt->write(s, c));             /* no buffering: written at once */
    CHECK_EQ_STR(q("SELECT id, name FROM log"), "1|NULL\n1|NULL\n");
    /* COPY's special characters inside strings, and a string that is just "\N". */
    chunk_t *special = chunk_new(&f.t.physical, 8);
    static const char *const texts[] = {"tab\there", "line\nbreak\r\n", "back\\slash \\N", "\\N", "", "é 🙂 '\""};
    for (int i = 0; i < 6; i++) {
        value_t v[2] = {value_i64(10 + i), value_null()};
        v[1].null = 0;
        v[1].s = str_cstr(texts[i]);
        chunk_append_values(special, v, OP_INSERT);
    }
    CHECK_OK(s->vt->write(s, special));
    PGresult *res = PQexec(admin, "SELECT name FROM log WHERE id >= 10 ORDER BY id");
    CHECK_EQ_INT(PQntuples(res), 6);
    for (int i = 0; i < PQntuples(res) && i < 6; i++) CHECK_EQ_STR(PQgetvalue(res, i, 0), texts[i]);
    PQclear(res);
    /* More than one piece of COPY data (256 KiB each). */
    chunk_reset(special);
    chunk_t *wide = chunk_new(&f.t.physical, CHUNK_CAP);
    char text[301];
    memset(text, 'w', 300);
    text[300] = 0;
    for (int i = 0; i < CHUNK_CAP; i++) {
        value_t v[2] = {value_i64(100 + i), value_null()};
        v[1].null = 0;
        v[1].s = str_cstr(text);
        chunk_append_values(wide, v, OP_INSERT);
    }
    CHECK_OK(s->vt->write(s, wide));
    CHECK_EQ_STR(q("SELECT count(*), sum(id), sum(length(name)) FROM log WHERE id >= 100"), "1024|626176|307200\n");
    /* A NUL byte ends the COPY with an error, nothing of the batch written. */
    value_t v[2] = {value_i64(5), value_null()};
    v[1].null = 0;
    v[1].s = str_view("fine", 4);
    chunk_append_values(special, v, OP_INSERT);
    v[1].s = str_view("a\0b", 3);
    chunk_append_values(special, v, OP_INSERT);
    err_clear();
    CHECK_EQ_INT(s->vt->write(s, special), -1);
    CHECK_EQ_STR(err_message(), "jdbc sink of table 't': column 'name' holds a string with a NUL byte, which "
                                "PostgreSQL text cannot store");
    err_clear();
    CHECK_EQ_STR(q("SELECT count(*) FROM log"), "1032\n");
    chunk_free(wide);
    chunk_free(special);
    c->ops[1] = OP_DELETE;
    err_clear();
    CHECK_EQ_INT(s->vt->write(s, c), -1);
    CHECK_EQ_STR(err_message(), "jdbc sink of table 't' has no primary key and cannot apply a delete");
    err_clear();
    capture_begin();
    s->vt->close(s);                           /* the failed batch is tried again: same error */
    CHECK(strstr(capture_end(), "holds a string with a NUL byte") != NULL);
    err_clear();
    chunk_free(c);
    x("DROP TABLE log");
}

TEST(sink_into_an_existing_table_without_a_unique_key)
{
    x("CREATE TABLE k (id INTEGER, name VARCHAR(10)); INSERT INTO k VALUES (1, 'old'), (1, 'old2'), (2, 'keep')");
    fixture f;
    fx_init(&f, 2, names2, types2, "url", url, "username", "eddy", "table-name", "k", NULL);
    fx_pk(&f, 0);
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) { err_print(stderr); return; }
    chunk_t *c = rows(&f.t, "1|new\n3|three\n2|\\N\n", "AID");
    CHECK_OK(s->vt->write(s, c));
    CHECK_OK(s->vt->flush(s));
    s->vt->close(s);
    CHECK_EQ_STR(q("SELECT id, name FROM k ORDER BY id"), "1|new\n3|three\n");
    chunk_free(c);
    x("DROP TABLE k");
}

TEST(names_are_folded_and_quoted_and_schemas_work)
{
    static const char *const names[] = {"userId", "order", "Odd Name"};
    type_t ty[] = {type_make(TY_INT), type_make(TY_STRING), type_make(TY_BOOLEAN)};
    x("CREATE SCHEMA app");
    fixture f;
    fx_init(&f, 3, names, ty, "url", url, "username", "eddy", "table-name", "App.UserOrders", NULL);
    fx_pk(&f, 0);
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) { err_print(stderr); return; }
    chunk_t *c = rows(&f.t, "7|o'neil \"q\"|true\n", "I");
    CHECK_OK(s->vt->write(s, c));
    s->vt->close(s);
    CHECK_EQ_STR(table_ddl("app.userorders"), "userid integer NOT NULL, order text, Odd Name boolean|PRIMARY KEY (userid)\n");
    CHECK_EQ_STR(q("SELECT userid, \"order\", \"Odd Name\" FROM app.userorders"), "7|o'neil \"q\"|t\n");
    chunk_free(c);

    /* currentSchema in the URL picks the schema of an unqualified table-name. */
    char schema_url[200];
    snprintf(schema_url, sizeof schema_url, "%s?currentSchema=app&ApplicationName=eddy%%20test", url);
    fx_init(&f, 3, names, ty, "url", schema_url, "username", "eddy", "table-name", "userorders", NULL);
    int key = 0;
    lookup_t *l = connector_jdbc.create_lookup(&f.t, &key, 1);
    CHECK(l != NULL);
    if (!l) { err_print(stderr); return; }
    chunk_t *out = chunk_new(&f.t.physical, 4);
    value_t k = value_i64(7);
    CHECK_OK(l->vt->fetch(l, &k, out));
    CHECK_EQ_STR(all_rows_numeric_intervals(out), "7|o'neil \"q\"|TRUE\n");
    CHECK_EQ_STR(q("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'eddy test'"), "1\n");
    l->vt->close(l);
    chunk_free(out);
    x("DROP SCHEMA app CASCADE");
}

TEST(url_with_several_servers_and_ipv6)
{
    /* libpq tries the servers in order: nothing listens on port 1, the last one answers. */
    char multi[200], want[300];
    snprintf(multi, sizeof multi, "jdbc:postgresql://127.0.0.1:1,[::1]:1,127.0.0.1:%d/eddy?connectTimeout=5",
             server_port);
    fixture f;
    fx_init(&f, 2, names2, types2, "url", multi, "username", "eddy", "table-name", "multi", NULL);
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) err_print(stderr);
    if (s) s->vt->close(s);
    CHECK_EQ_STR(q("SELECT count(*) FROM multi"), "0\n");
    x("DROP TABLE IF EXISTS multi");
    /* Messages name every server. */
    fx_init(&f, 2, names2, types2, "url", "jdbc:postgresql://127.0.0.1:1,[::1]:1/eddy", "table-name", "x", NULL);
    err_clear();
    CHECK(connector_jdbc.create_sink(&f.t) == NULL);
    snprintf(want, sizeof want, "cannot connect to PostgreSQL at 127.0.0.1:1,[::1]:1/eddy for table 't': ");
    CHECK(strstr(err_message(), want) == err_message());
    err_clear();
    /* One IPv6 address, with and without a port. */
    fx_init(&f, 2, names2, types2, "url", "jdbc:postgresql://[::1]/eddy", "table-name", "x", NULL);
    CHECK(connector_jdbc.create_sink(&f.t) == NULL);
    CHECK(strstr(err_message(), "cannot connect to PostgreSQL at [::1]:5432/eddy for table 't': ") == err_message());
    err_clear();
    fx_init(&f, 2, names2, types2, "url", "jdbc:postgresql://[::1]:1/eddy", "table-name", "x", NULL);
    CHECK(connector_jdbc.create_sink(&f.t) == NULL);
    CHECK(strstr(err_message(), "cannot connect to PostgreSQL at [::1]:1/eddy for table 't': ") == err_message());
    err_clear();
}

/* ---- types ---- */

TEST(every_type_round_trips)
{
    value_set_session_tz(tz_get("+08:00", NULL, 0));
    fixture f;
    fx_init(&f, 12, tnames, ttypes, "url", url, "username", "eddy", "table-name", "all_types", NULL);
    fx_pk(&f, 0);
    fx_pk(&f, 1);
    const char *text = "1|a long string, with comma and \"quotes\" and 'apostrophes' \\ back|-1.0E-7|true|1969-07-20|"
                       "1969-07-20 20:17:40.5|2038-01-19 11:14:07.999|-99999999.99|-2147483648|-93784005000|-27|"
                       "varchar\n"
                       "2|é 中文 🙂|1.7976931348623157E308|false|9999-12-31|2020-02-29 23:59:59.001|"
                       "1970-01-01 08:00:00|0.01|2147483647|1000|1300|\n"
                       "3|n|\\N|\\N|\\N|\\N|\\N|\\N|\\N|\\N|\\N|\\N\n"
                       "4||0.1|true|2000-01-01|2000-01-01 00:00:00|2000-01-01 00:00:00|0|0|0|0|x\n";
    chunk_t *c = rows(&f.t, text, "IIII");
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) { err_print(stderr); value_set_session_tz(tz_get("UTC", NULL, 0)); return; }
    CHECK_OK(s->vt->write(s, c));
    CHECK_OK(s->vt->flush(s));
    s->vt->close(s);
    CHECK_EQ_STR(table_ddl("all_types"),
                 "id bigint NOT NULL, name text NOT NULL, score double precision, ok boolean, day date, "
                 "ts timestamp(3) without time zone, ltz timestamp(3) with time zone, dec numeric(10,2), i integer, "
                 "dt interval, ym interval, vc character varying(20)|PRIMARY KEY (id, name)\n");
    /* What PostgreSQL holds: LTZ as the instant (shown in UTC), intervals normalised. */
    CHECK_EQ_STR(q("SET TimeZone = 'UTC'; SELECT id, score, ok, day, ts, ltz, dec, i, dt, ym, vc FROM all_types ORDER BY id"),
                 "1|-1e-07|t|1969-07-20|1969-07-20 20:17:40.5|2038-01-19 03:14:07.999+00|-99999999.99|-2147483648|"
                 "-1 days -02:03:04.005|-2 years -3 mons|varchar\n"
                 "2|1.7976931348623157e+308|f|9999-12-31|2020-02-29 23:59:59.001|1970-01-01 00:00:00+00|0.01|"
                 "2147483647|00:00:00.001|108 years 4 mons|\n"
                 "3|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL\n"
                 "4|0.1|t|2000-01-01|2000-01-01 00:00:00|1999-12-31 16:00:00+00|0.00|0|00:00:00|00:00:00|x\n");
    CHECK_EQ_STR(q("SELECT name FROM all_types WHERE id = 2"), "é 中文 🙂\n");

    /* Back through the lookup, keyed by both key columns. */
    int keys[2] = {0, 1};
    lookup_t *l = connector_jdbc.create_lookup(&f.t, keys, 2);
    CHECK(l != NULL);
    chunk_t *out = chunk_new(&f.t.physical, 8);
    for (uint32_t r = 0; l && r < c->nrows; r++) {
        value_t k[2];
        vector_get(&c->cols[0], r, &k[0]);
        vector_get(&c->cols[1], r, &k[1]);
        CHECK_OK(l->vt->fetch(l, k, out));
    }
    char expect[4096];
    snprintf(expect, sizeof expect, "%s", all_rows_numeric_intervals(c));
    CHECK_EQ_STR(all_rows_numeric_intervals(out), expect);
    for (uint32_t r = 0; r < out->nrows && r < 2; r++) {
        CHECK(out->cols[2].f64[r] == c->cols[2].f64[r]);
        CHECK_EQ_INT(out->cols[6].i64[r], c->cols[6].i64[r]);
    }
    if (l) l->vt->close(l);

    /* And through the scan source, a few rows per fetch. */
    fx_init(&f, 12, tnames, ttypes, "url", url, "username", "eddy", "table-name", "all_types", "scan.fetch-size", "3", NULL);
    source_t *src = connector_jdbc.create_source(&f.t);
    CHECK(src != NULL);
    chunk_reset(out);
    while (src && src->vt->next(src, out) == 1) {}
    CHECK_EQ_STR(all_rows_numeric_intervals(out), expect);              /* one INSERT: the heap holds them in order */
    if (src) src->vt->close(src);
    value_set_session_tz(tz_get("UTC", NULL, 0));
    chunk_free(out);
    chunk_free(c);
    x("DROP TABLE all_types");
}

TEST(cells_written_by_others_convert)
{
    x("CREATE TABLE other (id INTEGER PRIMARY KEY, name VARCHAR(5), score REAL, ok BOOLEAN, day DATE, "
      "ts TIMESTAMP(6), ltz TIMESTAMPTZ, dec NUMERIC, i BIGINT, dt INTERVAL, ym INTERVAL, vc TEXT);"
      "SET TimeZone = 'Asia/Kolkata';"
      "INSERT INTO other VALUES (1, 'x', 1.5, true, '2020-01-01', '2020-01-01 01:02:03.456789', "
      "'2020-01-01 00:00:00+05:30', 12.345, 42, '1 day 2 hours', '1 year 2 months', 'v');"
      "SET TimeZone = 'UTC'");
    fixture f;
    fx_init(&f, 12, tnames, ttypes, "url", url, "username", "eddy", "table-name", "other", NULL);
    int key = 0;
    lookup_t *l = connector_jdbc.create_lookup(&f.t, &key, 1);
    CHECK(l != NULL);
    if (!l) { err_print(stderr); return; }
    chunk_t *out = chunk_new(&f.t.physical, 4);
    value_t k = value_i64(1);
    CHECK_OK(l->vt->fetch(l, &k, out));
    /* TIMESTAMP(3) shows 3 digits of the stored micros; DECIMAL(10, 2) rounds half up. */
    CHECK_EQ_STR(all_rows_numeric_intervals(out), "1|x|1.5|TRUE|2020-01-01|2020-01-01 01:02:03.456|2019-12-31 18:30:00.000|12.35|42|"
                                "93600000000|14|v\n");
    CHECK_EQ_INT(out->cols[5].i64[0] % US_PER_SEC, 456789);
    x("UPDATE other SET i = 3000000000");
    chunk_reset(out);
    err_clear();
    CHECK_EQ_INT(l->vt->fetch(l, &k, out), -1);
    CHECK_EQ_STR(err_message(), "jdbc table 't': column 'i' holds '3000000000', which is not a valid INT");
    CHECK_EQ_INT(out->nrows, 0);
    err_clear();
    l->vt->close(l);
    chunk_free(out);
    x("DROP TABLE other");
}

/* ---- lookup ---- */

TEST(lookup_without_and_with_cache)
{
    x("CREATE TABLE dim (id BIGINT, name TEXT); INSERT INTO dim VALUES (1, 'one'), (2, 'two'), (2, 'deux')");
    int key = 0;
    fixture f;
    fx_init(&f, 2, names2, types2, "url", url, "username", "eddy", "table-name", "dim", NULL);
    lookup_t *l = connector_jdbc.create_lookup(&f.t, &key, 1);
    CHECK(l != NULL);
    if (!l) { err_print(stderr); return; }
    chunk_t *out = chunk_new(&f.t.physical, 16);
    value_t k = value_i64(2);
    CHECK_OK(l->vt->fetch(l, &k, out));
    CHECK_EQ_STR(all_rows_numeric_intervals(out), "2|two\n2|deux\n");
    chunk_reset(out);
    k = value_i64(9);
    CHECK_OK(l->vt->fetch(l, &k, out));
    CHECK_EQ_INT(out->nrows, 0);
    x("UPDATE dim SET name = 'uno' WHERE id = 1");
    k = value_i64(1);
    CHECK_OK(l->vt->fetch(l, &k, out));
    CHECK_EQ_STR(all_rows_numeric_intervals(out), "1|uno\n");                 /* no cache: sees the change */
    chunk_reset(out);
    k = value_null();
    CHECK_OK(l->vt->fetch(l, &k, out));
    CHECK_EQ_INT(out->nrows, 0);
    l->vt->close(l);

    /* PARTIAL cache: hits until the entry expires after write; missing keys cached too. */
    fx_init(&f, 2, names2, types2, "url", url, "username", "eddy", "table-name", "dim", "lookup.cache", "PARTIAL",
            "lookup.partial-cache.expire-after-write", "10 s", NULL);
    l = connector_jdbc.create_lookup(&f.t, &key, 1);
    k = value_i64(1);
    l->vt->fetch(l, &k, out);
    x("UPDATE dim SET name = 'eins' WHERE id = 1");
    k = value_i64(9);
    l->vt->fetch(l, &k, out);
    x("INSERT INTO dim VALUES (9, 'nine')");
    fake_now += 9 * US_PER_SEC;
    k = value_i64(1);
    l->vt->fetch(l, &k, out);
    k = value_i64(9);
    l->vt->fetch(l, &k, out);
    CHECK_EQ_STR(all_rows_numeric_intervals(out), "1|uno\n1|uno\n");
    chunk_reset(out);
    fake_now += US_PER_SEC;
    k = value_i64(1);
    l->vt->fetch(l, &k, out);
    k = value_i64(9);
    l->vt->fetch(l, &k, out);
    CHECK_EQ_STR(all_rows_numeric_intervals(out), "1|eins\n9|nine\n");
    l->vt->close(l);

    /* More rows than the output has room for. */
    chunk_t *small = chunk_new(&f.t.physical, 1);
    fx_init(&f, 2, names2, types2, "url", url, "username", "eddy", "table-name", "dim", NULL);
    l = connector_jdbc.create_lookup(&f.t, &key, 1);
    k = value_i64(2);
    err_clear();
    CHECK_EQ_INT(l->vt->fetch(l, &k, small), -1);
    CHECK_EQ_STR(err_message(), "jdbc lookup of table 't': more than 1 rows match one key");
    err_clear();
    l->vt->close(l);
    chunk_free(small);
    chunk_free(out);
    x("DROP TABLE dim");
}

/* ---- scan ---- */

TEST(scan_reads_a_big_table_in_fetches)
{
    x("CREATE TABLE nums (id BIGINT, name TEXT); "
      "INSERT INTO nums SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE 'n' || g END FROM generate_series(1, 5000) g");
    fixture f;
    fx_init(&f, 2, names2, types2, "url", url, "username", "eddy", "table-name", "nums", "scan.fetch-size", "1000", NULL);
    source_t *src = connector_jdbc.create_source(&f.t);
    CHECK(src != NULL);
    if (!src) { err_print(stderr); return; }
    CHECK(src->bounded);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    int64_t sum = 0, nulls = 0, calls = 0, bad = 0;
    int rc;
    do {
        chunk_reset(c);
        rc = src->vt->next(src, c);
        calls++;
        for (uint32_t r = 0; r < c->nrows; r++) {
            int64_t id = c->cols[0].i64[r];
            sum += id;
            if (c->cols[1].nulls[r]) nulls++;
            else {
                char want[32];
                snprintf(want, sizeof want, "n%lld", (long long)id);
                bad += c->cols[1].str[r].len != strlen(want) || memcmp(str_ptr(&c->cols[1].str[r]), want, strlen(want));
            }
        }
    } while (rc == 1);
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(src->rows, 5000);
    CHECK_EQ_INT(sum, 12502500);
    CHECK_EQ_INT(nulls, 714);
    CHECK_EQ_INT(bad, 0);
    CHECK(calls >= 5);
    src->vt->close(src);
    chunk_free(c);

    /* An empty table ends at once. */
    x("TRUNCATE nums");
    src = connector_jdbc.create_source(&f.t);
    c = chunk_new(&f.t.physical, CHUNK_CAP);
    CHECK_EQ_INT(src->vt->next(src, c), 0);
    CHECK_EQ_INT(c->nrows, 0);
    src->vt->close(src);
    chunk_free(c);
    x("DROP TABLE nums");
}

/* ---- errors ---- */

TEST(error_texts)
{
    fixture f;
    char bad[200];
    fx_init(&f, 2, names2, types2, "url", "jdbc:postgresql://127.0.0.1:1/eddy", "table-name", "x", NULL);
    err_clear();
    CHECK(connector_jdbc.create_sink(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), "cannot connect to PostgreSQL at 127.0.0.1:1/eddy for table 't': connection to server "
                                "at \"127.0.0.1\", port 1 failed: Connection refused Is the server running on that host "
                                "and accepting TCP/IP connections?");
    err_clear();

    fx_init(&f, 2, names2, types2, "url", "jdbc:postgresql://no-such-host.invalid/eddy", "table-name", "x", NULL);
    CHECK(connector_jdbc.create_lookup(&f.t, (int[]){0}, 1) == NULL);
    CHECK(strstr(err_message(), "cannot connect to PostgreSQL at no-such-host.invalid:5432/eddy for table 't': "
                                "could not translate host name \"no-such-host.invalid\" to address") == err_message());
    err_clear();

    fx_init(&f, 2, names2, types2, "url", "jdbc:postgresql://127.0.0.1:5432", "table-name", "x", NULL);
    CHECK(connector_jdbc.create_sink(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), "JDBC URL 'jdbc:postgresql://127.0.0.1:5432' of table 't' names no database; expected "
                                "jdbc:postgresql://HOST[:PORT]/DATABASE");
    err_clear();

    /* Authentication: the password from the options or from the URL. */
    fx_init(&f, 2, names2, types2, "url", url, "username", "eddy_pw", "password", "wrong", "table-name", "x", NULL);
    CHECK(connector_jdbc.create_sink(&f.t) == NULL);
    snprintf(bad, sizeof bad, "cannot connect to PostgreSQL at 127.0.0.1:%d/eddy for table 't': connection to server "
                              "at \"127.0.0.1\", port %d failed: FATAL: password authentication failed for user "
                              "\"eddy_pw\"", server_port, server_port);
    CHECK_EQ_STR(err_message(), bad);
    err_clear();
    fx_init(&f, 2, names2, types2, "url", url, "username", "eddy_pw", "password", "secret", "table-name", "pw", NULL);
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (s) s->vt->close(s);
    char pw_url[200];
    snprintf(pw_url, sizeof pw_url, "%s?user=eddy_pw&password=s%%65cret&sslmode=disable&prepareThreshold=0", url);
    fx_init(&f, 2, names2, types2, "url", pw_url, "username", "eddy", "password", "wrong", "table-name", "pw2", NULL);
    s = connector_jdbc.create_sink(&f.t);                  /* the URL's user and password win */
    CHECK(s != NULL);
    if (s) s->vt->close(s);
    CHECK_EQ_STR(q("SELECT tablename, tableowner FROM pg_tables WHERE tablename LIKE 'pw%' ORDER BY 1"),
                 "pw|eddy_pw\npw2|eddy_pw\n");
    err_clear();

    /* A table that does not exist, for the lookup and the scan. */
    fx_init(&f, 2, names2, types2, "url", url, "username", "eddy", "table-name", "nope", NULL);
    lookup_t *l = connector_jdbc.create_lookup(&f.t, (int[]){0}, 1);
    CHECK(l != NULL);
    chunk_t *out = chunk_new(&f.t.physical, 8);
    value_t k = value_i64(1);
    CHECK_EQ_INT(l->vt->fetch(l, &k, out), -1);
    snprintf(bad, sizeof bad, "jdbc lookup of table 't' in PostgreSQL 127.0.0.1:%d/eddy failed: relation \"nope\" "
                              "does not exist (SQLSTATE 42P01)", server_port);
    CHECK_EQ_STR(err_message(), bad);
    err_clear();
    if (l) l->vt->close(l);
    CHECK(connector_jdbc.create_source(&f.t) == NULL);
    snprintf(bad, sizeof bad, "jdbc scan of table 't' in PostgreSQL 127.0.0.1:%d/eddy failed: relation \"nope\" "
                              "does not exist (SQLSTATE 42P01)", server_port);
    CHECK_EQ_STR(err_message(), bad);
    err_clear();
    chunk_free(out);

    /* A sink into a schema that does not exist. */
    fx_init(&f, 2, names2, types2, "url", url, "username", "eddy", "table-name", "nosuch.t", NULL);
    CHECK(connector_jdbc.create_sink(&f.t) == NULL);
    snprintf(bad, sizeof bad, "jdbc sink (creating the table) of table 't' in PostgreSQL 127.0.0.1:%d/eddy failed: "
                              "schema \"nosuch\" does not exist (SQLSTATE 3F000)", server_port);
    CHECK_EQ_STR(err_message(), bad);
    err_clear();

    /* A value the table cannot hold fails at once (not retryable), the batch kept out. */
    x("CREATE TABLE narrow (id INTEGER PRIMARY KEY, name VARCHAR(3))");
    fx_init(&f, 2, names2, types2, "url", url, "username", "eddy", "table-name", "narrow", "sink.max-retries", "5", NULL);
    fx_pk(&f, 0);
    s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    chunk_t *c = rows(&f.t, "1|abc\n2|abcd\n", "II");
    capture_begin();
    int rc = s ? s->vt->write(s, c) | s->vt->flush(s) : 0;
    const char *warnings = capture_end();
    CHECK_EQ_INT(rc, -1);
    CHECK_EQ_STR(warnings, "");
    snprintf(bad, sizeof bad, "jdbc sink of table 't' in PostgreSQL 127.0.0.1:%d/eddy failed: value too long for "
                              "type character varying(3) (SQLSTATE 22001)", server_port);
    CHECK_EQ_STR(err_message(), bad);
    CHECK_EQ_STR(q("SELECT count(*) FROM narrow"), "0\n");
    err_clear();
    capture_begin();
    if (s) s->vt->close(s);                    /* the failing batch is tried once more */
    CHECK(strstr(capture_end(), "value too long for type character varying(3) (SQLSTATE 22001)") != NULL);
    err_clear();
    /* A NUL byte cannot go into PostgreSQL text. */
    chunk_free(c);
    fx_init(&f, 2, names2, types2, "url", url, "username", "eddy", "table-name", "nul", NULL);
    fx_pk(&f, 0);
    s = connector_jdbc.create_sink(&f.t);
    c = chunk_new(&f.t.physical, 4);
    value_t v[2] = {value_i64(1), value_null()};
    v[1].null = 0;
    v[1].s = str_view("a\0b", 3);
    chunk_append_values(c, v, OP_INSERT);
    CHECK_EQ_INT(s->vt->write(s, c) | s->vt->flush(s), -1);
    CHECK_EQ_STR(err_message(), "jdbc sink of table 't': column 'name' holds a string with a NUL byte, which "
                                "PostgreSQL text cannot store");
    err_clear();
    capture_begin();
    s->vt->close(s);
    CHECK(strstr(capture_end(), "holds a string with a NUL byte") != NULL);
    err_clear();
    chunk_free(c);
    x("DROP TABLE narrow; DROP TABLE nul; DROP TABLE pw; DROP TABLE pw2");
}

/* ---- retries ---- */

TEST(sink_and_lookup_retry_across_a_restart)
{
    fixture f;
    fx_init(&f, 2, names2, types2, "url", url, "username", "eddy", "table-name", "survivor", "sink.max-retries", "5",
            "sink.buffer-flush.max-rows", "1000", NULL);
    fx_pk(&f, 0);
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) { err_print(stderr); return; }
    chunk_t *c = rows(&f.t, "1|a\n2|b\n", "II");
    CHECK_OK(s->vt->write(s, c));
    CHECK_OK(s->vt->flush(s));
    chunk_free(c);
    /* The server restarts between two flushes: the second one reconnects and writes. */
    CHECK_EQ_INT(run_script("restart"), 0);
    c = rows(&f.t, "3|c\n1|a2\n2|\\N\n", "IAD");
    CHECK_OK(s->vt->write(s, c));
    capture_begin();
    int rc = s->vt->flush(s);
    const char *warnings = capture_end();
    CHECK_EQ_INT(rc, 0);
    char want[200];
    snprintf(want, sizeof want, "eddy: warning: jdbc sink of table 't' in PostgreSQL 127.0.0.1:%d/eddy failed: ",
             server_port);
    CHECK(strstr(warnings, want) == warnings);
    CHECK(strstr(warnings, "; retry 1 of 5 in 1 s\n") != NULL);
    reconnect_admin();
    CHECK_EQ_STR(q("SELECT * FROM survivor ORDER BY id"), "1|a2\n3|c\n");
    chunk_free(c);

    /* The server is down while a flush starts and comes back 2 s later. */
    CHECK_EQ_INT(run_script("stop"), 0);
    pid_t child = fork();
    if (child == 0) {
        sleep(2);
        _exit(run_script("restart") == 0 ? 0 : 1);
    }
    c = rows(&f.t, "4|d\n", "I");
    CHECK_OK(s->vt->write(s, c));
    capture_begin();
    rc = s->vt->flush(s);
    warnings = capture_end();
    int status = 0;
    waitpid(child, &status, 0);
    CHECK_EQ_INT(rc, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(strstr(warnings, "retry 1 of 5") != NULL);
    reconnect_admin();
    CHECK_EQ_STR(q("SELECT * FROM survivor ORDER BY id"), "1|a2\n3|c\n4|d\n");
    s->vt->close(s);
    chunk_free(c);

    /* A lookup after a restart is retried too. */
    int key = 0;
    fx_init(&f, 2, names2, types2, "url", url, "username", "eddy", "table-name", "survivor", NULL);
    lookup_t *l = connector_jdbc.create_lookup(&f.t, &key, 1);
    chunk_t *out = chunk_new(&f.t.physical, 4);
    value_t k = value_i64(3);
    CHECK_OK(l->vt->fetch(l, &k, out));
    CHECK_EQ_INT(run_script("restart"), 0);
    capture_begin();
    rc = l->vt->fetch(l, &k, out);
    warnings = capture_end();
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(warnings, "eddy: warning: jdbc lookup of table 't'") == warnings);
    CHECK_EQ_STR(all_rows_numeric_intervals(out), "3|c\n3|c\n");
    l->vt->close(l);
    chunk_free(out);
    reconnect_admin();
    x("DROP TABLE survivor");
}

int main(void)
{
    if (access(pg_bin(), X_OK) != 0 || find_script() != 0) {
        printf("test_jdbc_postgres: skipped: PostgreSQL is not installed (no %s) or tests/services/postgres.sh "
               "was not found\n", pg_bin());
        return CHECK_DONE();
    }
    if (start_server() != 0) {
        fprintf(stderr, "test_jdbc_postgres: could not start PostgreSQL with %s\n", script);
        stop_server();
        return 1;
    }
    init_types();
    RUN(sink_upserts_and_deletes_by_key);
    RUN(sink_with_a_composite_key_and_only_key_columns);
    RUN(sink_batches_larger_than_one_statement);
    RUN(sink_flushes_by_rows_and_interval);
    RUN(sink_appends_without_a_primary_key);
    RUN(sink_into_an_existing_table_without_a_unique_key);
    RUN(names_are_folded_and_quoted_and_schemas_work);
    RUN(url_with_several_servers_and_ipv6);
    RUN(every_type_round_trips);
    RUN(cells_written_by_others_convert);
    RUN(lookup_without_and_with_cache);
    RUN(scan_reads_a_big_table_in_fetches);
    RUN(error_texts);
    RUN(sink_and_lookup_retry_across_a_restart);
    stop_server();
    return CHECK_DONE();
}
