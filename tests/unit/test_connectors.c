/* test_connectors.c - the connector registry and option checking, and the filesystem,
 * print, blackhole, datagen and jdbc (SQLite) connectors, against exact rows, files and
 * database contents. Temporary files live in a mkdtemp directory under /tmp. */
#include "check.h"
#include "connector_testkit.h"
#include "connect/connector.h"
#include "connect/format.h"
#include "connect/print.h"
#include "base/util.h"
#include <dirent.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- fixtures ---- */

static char tmp_root[64];

static const char *tmp_path(const char *name)
{
    static char buf[8][256];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, 256, "%s/%s", tmp_root, name);
    return p;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    CHECK(fp != NULL);
    if (!fp) return;
    fputs(text, fp);
    fclose(fp);
}

static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char sub[512];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            remove_tree(sub);
        }
        if (d) closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* Reads a source to its end (or until `max_calls` next() calls); rows accumulate in *out. */
static int drain(source_t *s, chunk_t **out, int max_calls)
{
    chunk_t *c = chunk_new(&s->table->physical, CHUNK_CAP);
    chunk_t *all = chunk_new(&s->table->physical, 65536);
    int rc = 1;
    for (int i = 0; i < max_calls && rc == 1; i++) {
        chunk_reset(c);
        rc = s->vt->next(s, c);
        fake_now += US_PER_SEC;                 /* paced sources see time pass */
        for (uint32_t r = 0; r < c->nrows && all->nrows < all->cap; r++) chunk_append_row(all, c, r, c->ops[r]);
    }
    chunk_free(c);
    *out = all;
    return rc;
}

/* ---- registry and options ---- */

static const char *const names3[] = {"id", "name", "score"};

TEST(registry)
{
    CHECK(connector_lookup("filesystem") == &connector_filesystem);
    CHECK(connector_lookup("jdbc") == &connector_jdbc);
    CHECK(connector_lookup("kafka") == &connector_kafka);
    CHECK(connector_lookup("pulsar") == NULL);
    CHECK(connector_lookup("Print") == NULL);
    CHECK_EQ_STR(connector_list(), "blackhole, datagen, filesystem, jdbc, kafka, mqtt, print, upsert-kafka");
    CHECK(format_lookup("csv") == &format_csv);
    CHECK(format_lookup("avro") == NULL);
    CHECK_EQ_STR(format_list(), "csv, json, raw, debezium-json, canal-json");
}

TEST(unknown_option_suggests)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init(&f, 3, names3, ty, "connector", "filesystem", "path", "/x", "format", "csv", "csv.delimiter", ";", NULL);
    err_clear();
    CHECK_EQ_INT(connector_check_options(&f.t, &connector_filesystem), -1);
    const char *msg = err_message();
    const char *want = "unknown option 'csv.delimiter' for connector 'filesystem' with format 'csv'; valid options: "
                       "path, format, source.monitor-interval, ";
    CHECK(strncmp(msg, want, strlen(want)) == 0);
    CHECK(strstr(msg, ", csv.field-delimiter, csv.disable-quote-character,") != NULL);
    CHECK(strstr(err_text(), "  note: did you mean 'csv.field-delimiter'?\n") != NULL);
    CHECK(strstr(err_text(), ":5:5: error: unknown option") != NULL);     /* at the key's span */

    fx_init(&f, 3, names3, ty, "connector", "filesystem", "PATH", "/x", "format", "csv", NULL);
    err_clear();
    CHECK_EQ_INT(connector_check_options(&f.t, &connector_filesystem), -1);
    CHECK(strstr(err_text(), "did you mean 'path'?") != NULL);

    fx_init(&f, 3, names3, ty, "connector", "print", "topic", "x", NULL);
    err_clear();
    CHECK_EQ_INT(connector_check_options(&f.t, &connector_print), -1);
    CHECK_EQ_STR(err_message(), "unknown option 'topic' for connector 'print'; valid options: print-identifier, "
                                "standard-error, sink.parallelism");
    CHECK(strstr(err_text(), "did you mean") == NULL);

    fx_init(&f, 3, names3, ty, "connector", "blackhole", "sink.parallelism", "2", NULL);
    err_clear();
    CHECK_EQ_INT(connector_check_options(&f.t, &connector_blackhole), -1);
    CHECK_EQ_STR(err_message(), "unknown option 'sink.parallelism': connector 'blackhole' takes no options besides "
                                "'connector'");

    fx_init(&f, 3, names3, ty, "connector", "datagen", "fields.id.knd", "sequence", NULL);
    err_clear();
    CHECK_EQ_INT(connector_check_options(&f.t, &connector_datagen), -1);
    CHECK(strstr(err_text(), "did you mean 'fields.id.kind'?") != NULL);
    err_clear();
}

TEST(option_checks)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init(&f, 3, names3, ty, "connector", "filesystem", "format", "csv", NULL);
    err_clear();
    CHECK_EQ_INT(connector_check_options(&f.t, &connector_filesystem), -1);
    CHECK_EQ_STR(err_message(), "connector 'filesystem' requires option 'path' (table 't')");

    fx_init(&f, 3, names3, ty, "connector", "jdbc", NULL);
    err_clear();
    CHECK_EQ_INT(connector_check_options(&f.t, &connector_jdbc), -1);
    CHECK_EQ_STR(err_message(), "connector 'jdbc' requires options 'url', 'table-name' (table 't')");

    fx_init(&f, 3, names3, ty, "connector", "filesystem", "path", "/x", "format", "xml", NULL);
    err_clear();
    CHECK_EQ_INT(connector_check_options(&f.t, &connector_filesystem), -1);
    CHECK_EQ_STR(err_message(), "unknown format 'xml'; valid formats: csv, json, raw, debezium-json, canal-json");

    fx_init(&f, 3, names3, ty, "connector", "datagen", "rows-per-second", "fast", NULL);
    err_clear();
    CHECK_EQ_INT(connector_check_options(&f.t, &connector_datagen), -1);
    CHECK_EQ_STR(err_message(), "option 'rows-per-second' expects a whole number, got 'fast'");
    CHECK(strstr(err_text(), ":3:30: error:") != NULL);                  /* at the value's span */

    fx_init(&f, 3, names3, ty, "connector", "jdbc", "url", "jdbc:sqlite:x", "table-name", "t", "lookup.cache", "FULL",
            NULL);
    err_clear();
    CHECK_EQ_INT(connector_check_options(&f.t, &connector_jdbc), -1);
    CHECK_EQ_STR(err_message(), "invalid value 'FULL' for option 'lookup.cache'; valid values: NONE, PARTIAL");

    fx_init(&f, 3, names3, ty, "connector", "jdbc", "url", "jdbc:sqlite:x", "table-name", "t",
            "sink.buffer-flush.interval", "soon", NULL);
    err_clear();
    CHECK_EQ_INT(connector_check_options(&f.t, &connector_jdbc), -1);
    CHECK_EQ_STR(err_message(), "option 'sink.buffer-flush.interval' expects a duration such as '10 s', '500 ms', "
                                "'5 min' or '1 h', got 'soon'");

    fx_init(&f, 3, names3, ty, "connector", "datagen", "fields.nosuch.kind", "random", NULL);
    err_clear();
    CHECK_EQ_INT(connector_check_options(&f.t, &connector_datagen), -1);
    CHECK_EQ_STR(err_message(), "option 'fields.nosuch.kind' names 'nosuch', which is not a column of table 't'; "
                                "columns: id, name, score");

    fx_init(&f, 3, names3, ty, "connector", "datagen", "number-of-rows", "1", "number-of-rows", "2", NULL);
    err_clear();
    CHECK_EQ_INT(connector_check_options(&f.t, &connector_datagen), -1);
    CHECK_EQ_STR(err_message(), "option 'number-of-rows' is set twice");

    fx_init(&f, 3, names3, ty, "connector", "datagen", "fields.id.kind", "SEQUENCE", "fields.id.start", "1",
            "fields.id.end", "5", "fields.name.null-rate", "0.5", "rows-per-second", " 10 ", NULL);
    err_clear();
    CHECK_EQ_INT(connector_check_options(&f.t, &connector_datagen), 0);
    fx_init(&f, 3, names3, ty, "connector", "datagen", "fields.name.null-rate", "2", NULL);
    CHECK_EQ_INT(connector_check_options(&f.t, &connector_datagen), -1);
    CHECK_EQ_STR(err_message(), "option 'fields.name.null-rate' expects a number between 0 and 1, got '2'");

    fx_init(&f, 3, names3, ty, "connector", "filesystem", "path", "/x", "format", "json", "json.ignore-parse-errors",
            "true", "source.monitor-interval", "10s", NULL);
    err_clear();
    CHECK_EQ_INT(connector_check_options(&f.t, &connector_filesystem), 0);
    err_clear();
}

TEST(typed_option_helpers)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT)};
    fx_init(&f, 1, names3, ty, "a", "10 s", "b", "1000", "c", "5min", "d", "2 h", "e", "1d", "g", "100ms", "h", "7 SECONDS",
            "i", "500 us", "j", "10 parsecs", "k", "", NULL);
    int64_t v;
    CHECK_EQ_INT(table_opt_duration(&f.t, "a", 0, &v), 0); CHECK_EQ_INT(v, 10000000);
    CHECK_EQ_INT(table_opt_duration(&f.t, "b", 0, &v), 0); CHECK_EQ_INT(v, 1000000);
    CHECK_EQ_INT(table_opt_duration(&f.t, "c", 0, &v), 0); CHECK_EQ_INT(v, 300000000);
    CHECK_EQ_INT(table_opt_duration(&f.t, "d", 0, &v), 0); CHECK_EQ_INT(v, 7200000000LL);
    CHECK_EQ_INT(table_opt_duration(&f.t, "e", 0, &v), 0); CHECK_EQ_INT(v, 86400000000LL);
    CHECK_EQ_INT(table_opt_duration(&f.t, "g", 0, &v), 0); CHECK_EQ_INT(v, 100000);
    CHECK_EQ_INT(table_opt_duration(&f.t, "h", 0, &v), 0); CHECK_EQ_INT(v, 7000000);
    CHECK_EQ_INT(table_opt_duration(&f.t, "i", 0, &v), 0); CHECK_EQ_INT(v, 500);
    CHECK_EQ_INT(table_opt_duration(&f.t, "absent", 42, &v), 0); CHECK_EQ_INT(v, 42);
    err_clear();
    CHECK_EQ_INT(table_opt_duration(&f.t, "j", 0, &v), -1);
    err_clear();
    CHECK_EQ_INT(table_opt_duration(&f.t, "k", 0, &v), -1);
    err_clear();

    fx_init(&f, 1, names3, ty, "t", "\\t", "u", "\\u0001", "x", ";", "o", "\\001", "q", "\\'", "bad", "\\u00e9",
            "two", ";;", NULL);
    char ch;
    CHECK_EQ_INT(table_opt_char(&f.t, "t", ',', &ch), 0); CHECK_EQ_INT(ch, '\t');
    CHECK_EQ_INT(table_opt_char(&f.t, "u", ',', &ch), 0); CHECK_EQ_INT(ch, 1);
    CHECK_EQ_INT(table_opt_char(&f.t, "x", ',', &ch), 0); CHECK_EQ_INT(ch, ';');
    CHECK_EQ_INT(table_opt_char(&f.t, "o", ',', &ch), 0); CHECK_EQ_INT(ch, 1);
    CHECK_EQ_INT(table_opt_char(&f.t, "q", ',', &ch), 0); CHECK_EQ_INT(ch, '\'');
    CHECK_EQ_INT(table_opt_char(&f.t, "absent", ',', &ch), 0); CHECK_EQ_INT(ch, ',');
    CHECK_EQ_INT(table_opt_char(&f.t, "bad", ',', &ch), -1);
    err_clear();
    CHECK_EQ_INT(table_opt_char(&f.t, "two", ',', &ch), -1);
    err_clear();

    fx_init(&f, 1, names3, ty, "b1", "TRUE", "b2", "false", "b3", "1", "n", "-12", "m", "1x", NULL);
    int b;
    CHECK_EQ_INT(table_opt_bool(&f.t, "b1", 0, &b), 0); CHECK_EQ_INT(b, 1);
    CHECK_EQ_INT(table_opt_bool(&f.t, "b2", 1, &b), 0); CHECK_EQ_INT(b, 0);
    CHECK_EQ_INT(table_opt_bool(&f.t, "b3", 0, &b), -1);
    err_clear();
    CHECK_EQ_INT(table_opt_i64(&f.t, "n", 0, &v), 0); CHECK_EQ_INT(v, -12);
    CHECK_EQ_INT(table_opt_i64(&f.t, "m", 0, &v), -1);
    err_clear();
    static const char *const modes[] = {"NONE", "PARTIAL", NULL};
    fx_init(&f, 1, names3, ty, "lookup.cache", "partial", NULL);
    int e;
    CHECK_EQ_INT(table_opt_enum(&f.t, "lookup.cache", modes, 0, &e), 0); CHECK_EQ_INT(e, 1);
    CHECK_EQ_INT(table_opt_enum(&f.t, "absent", modes, 0, &e), 0); CHECK_EQ_INT(e, 0);
    CHECK_EQ_INT(table_now_us(&f.t), fake_now);
    CHECK(table_now_us(NULL) > 1600000000000000LL);
}

/* ---- filesystem ---- */

TEST(filesystem_reads_a_directory_in_name_order)
{
    const char *dir = tmp_path("fs_dir");
    mkdir(dir, 0755);
    char sub[300];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    mkdir(sub, 0755);
    char p[400];
    snprintf(p, sizeof p, "%s/b.csv", dir); write_file(p, "3,c,3.5\n4,d,4.5");
    snprintf(p, sizeof p, "%s/a.csv", dir); write_file(p, "1,a,1.5\r\n2,b,2.5\r\n");
    snprintf(p, sizeof p, "%s/.hidden.csv", dir); write_file(p, "9,hidden,0\n");
    snprintf(p, sizeof p, "%s/_SUCCESS", dir); write_file(p, "");
    snprintf(p, sizeof p, "%s/_tmp.csv", dir); write_file(p, "9,tmp,0\n");
    snprintf(p, sizeof p, "%s/c.csv", sub); write_file(p, "5,e,5.5\n");
    snprintf(p, sizeof p, "%s/empty.csv", dir); write_file(p, "");

    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init(&f, 3, names3, ty, "connector", "filesystem", "path", dir, "format", "csv", NULL);
    err_clear();
    source_t *s = connector_filesystem.create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_INT(s->bounded, 1);
    chunk_t *rows;
    CHECK_EQ_INT(drain(s, &rows, 100), 0);
    CHECK_EQ_STR(all_rows(rows), "1|a|1.5\n2|b|2.5\n3|c|3.5\n4|d|4.5\n5|e|5.5\n");
    CHECK_EQ_INT(s->rows, 5);
    CHECK_EQ_INT(s->skipped, 0);
    chunk_free(rows);
    s->vt->close(s);

    /* A single file, named with a file:// URI. */
    char uri[400];
    snprintf(uri, sizeof uri, "file://%s/b.csv", dir);
    fx_init(&f, 3, names3, ty, "path", uri, "format", "csv", NULL);
    s = connector_filesystem.create_source(&f.t);
    CHECK(s != NULL);
    CHECK_EQ_INT(drain(s, &rows, 100), 0);
    CHECK_EQ_STR(all_rows(rows), "3|c|3.5\n4|d|4.5\n");
    chunk_free(rows);
    s->vt->close(s);
}

TEST(filesystem_errors_name_the_file_and_line)
{
    const char *dir = tmp_path("fs_bad");
    mkdir(dir, 0755);
    char p[400];
    snprintf(p, sizeof p, "%s/a.csv", dir); write_file(p, "1,a,1.5\n");
    snprintf(p, sizeof p, "%s/b.csv", dir); write_file(p, "2,b,2.5\n3,c,x\n4,d,4.5\n");
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init(&f, 3, names3, ty, "path", dir, "format", "csv", NULL);
    err_clear();
    source_t *s = connector_filesystem.create_source(&f.t);
    chunk_t *rows;
    CHECK_EQ_INT(drain(s, &rows, 100), -1);
    char want[512];
    snprintf(want, sizeof want, "malformed CSV row at %s/b.csv:2: field 'score' (DOUBLE): cannot parse 'x'", dir);
    CHECK_EQ_STR(err_message(), want);
    err_clear();
    chunk_free(rows);
    s->vt->close(s);

    fx_init(&f, 3, names3, ty, "path", dir, "format", "csv", "csv.ignore-parse-errors", "true", NULL);
    s = connector_filesystem.create_source(&f.t);
    CHECK_EQ_INT(drain(s, &rows, 100), 0);
    CHECK_EQ_STR(all_rows(rows), "1|a|1.5\n2|b|2.5\n4|d|4.5\n");
    CHECK_EQ_INT(s->rows, 3);
    CHECK_EQ_INT(s->skipped, 1);
    chunk_free(rows);
    s->vt->close(s);

    fx_init(&f, 3, names3, ty, "path", tmp_path("no_such_dir"), "format", "csv", NULL);
    err_clear();
    CHECK(connector_filesystem.create_source(&f.t) == NULL);
    CHECK(strstr(err_message(), "no_such_dir' of table 't' cannot be read: No such file or directory") != NULL);
    err_clear();
}

TEST(filesystem_large_file_crosses_read_blocks)
{
    const char *path = tmp_path("big.json");
    FILE *fp = fopen(path, "w");
    long long sum = 0;
    int n = 30000;
    char pad[201];
    memset(pad, 'x', 200);
    pad[200] = 0;
    for (int i = 1; i <= n; i++) {
        fprintf(fp, "{\"id\":%d,\"name\":\"%s%d\",\"score\":%d.25}\n", i, pad, i, i);
        sum += i;
    }
    /* One record longer than the read block. */
    fputs("{\"id\":0,\"name\":\"", fp);
    for (int i = 0; i < (3 << 20) / 64; i++) fputs("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", fp);
    fputs("\"}", fp);
    fclose(fp);

    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init(&f, 3, names3, ty, "path", path, "format", "json", NULL);
    source_t *s = connector_filesystem.create_source(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    long long got = 0;
    int rows = 0, rc = 1, bad_names = 0;
    uint32_t longest = 0;
    while (rc == 1) {
        chunk_reset(c);
        rc = s->vt->next(s, c);
        fake_now += US_PER_SEC;                 /* paced sources see time pass */
        for (uint32_t r = 0; r < c->nrows; r++) {
            got += c->cols[0].i64[r];
            if (c->cols[1].str[r].len > longest) longest = c->cols[1].str[r].len;
            if (c->cols[0].i64[r] && c->cols[1].str[r].len != 200 + (uint32_t)snprintf(NULL, 0, "%lld", (long long)c->cols[0].i64[r]))
                bad_names++;
        }
        rows += (int)c->nrows;
    }
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(rows, n + 1);
    CHECK_EQ_INT(got, sum);
    CHECK_EQ_INT(bad_names, 0);
    CHECK_EQ_INT(longest, 3 << 20);
    CHECK_EQ_INT(s->rows, n + 1);
    chunk_free(c);
    s->vt->close(s);
}

TEST(filesystem_monitor_picks_up_new_files)
{
    const char *dir = tmp_path("fs_watch");
    mkdir(dir, 0755);
    char p[400];
    snprintf(p, sizeof p, "%s/1.csv", dir); write_file(p, "1,a,1\n");
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init(&f, 3, names3, ty, "path", dir, "format", "csv", "source.monitor-interval", "1 s", NULL);
    source_t *s = connector_filesystem.create_source(&f.t);
    CHECK_EQ_INT(s->bounded, 0);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    CHECK_EQ_INT(s->vt->next(s, c), 1);
    CHECK_EQ_STR(all_rows(c), "1|a|1.0\n");
    chunk_reset(c);
    CHECK_EQ_INT(s->vt->next(s, c), 1);
    CHECK_EQ_INT(c->nrows, 0);
    snprintf(p, sizeof p, "%s/2.csv", dir); write_file(p, "2,b,2\n");
    fake_now += 500000;
    CHECK_EQ_INT(s->vt->next(s, c), 1);
    CHECK_EQ_INT(c->nrows, 0);                  /* not yet time to look again */
    fake_now += 500000;
    CHECK_EQ_INT(s->vt->next(s, c), 1);
    CHECK_EQ_STR(all_rows(c), "2|b|2.0\n");
    chunk_reset(c);
    fake_now += 1000000;
    CHECK_EQ_INT(s->vt->next(s, c), 1);
    CHECK_EQ_INT(c->nrows, 0);                  /* no file is read twice */
    CHECK_EQ_INT(s->rows, 2);
    chunk_free(c);
    s->vt->close(s);
}

static int count_files(const char *dir, const char *prefix, char *first, size_t cap)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    char best[256] = "";
    while (d && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0) continue;
        if (!n++ || strcmp(e->d_name, best) < 0) snprintf(best, sizeof best, "%s", e->d_name);
    }
    if (d) closedir(d);
    if (first) snprintf(first, cap, "%s", best);
    return n;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return xstrdup("");
    sb_t b = {0};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0) sb_append(&b, buf, n);
    fclose(fp);
    return b.data ? sb_take(&b) : xstrdup("");
}

TEST(filesystem_sink_writes_parts)
{
    const char *dir = tmp_path("fs_out/nested");
    fixture src, dst;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init(&src, 3, names3, ty, NULL);
    fx_init(&dst, 3, names3, ty, "path", dir, "format", "csv", NULL);
    decoder_t *dec = format_csv.create_decoder(&src.t);
    chunk_t *c = chunk_new(&src.t.physical, CHUNK_CAP);
    const char *text = "1,\"a,b\",1.5\n2,,\n";
    decoder_begin(dec, "mem");
    decoder_decode(dec, text, strlen(text), 1, c);
    decoder_free(dec);

    err_clear();
    sink_t *s = connector_filesystem.create_sink(&dst.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    CHECK_EQ_INT(count_files(dir, "part-", NULL, 0), 0);     /* in progress: hidden */
    CHECK_EQ_INT(count_files(dir, ".part-", NULL, 0), 1);
    CHECK_EQ_INT(s->vt->flush(s), 0);
    char name[256], p[512];
    CHECK_EQ_INT(count_files(dir, "part-", name, sizeof name), 1);
    CHECK_EQ_INT(count_files(dir, ".part-", NULL, 0), 0);
    CHECK(strlen(name) > 8 && strcmp(name + strlen(name) - 4, "-0-0") == 0);
    snprintf(p, sizeof p, "%s/%s", dir, name);
    char *body = slurp(p);
    CHECK_EQ_STR(body, "1,\"a,b\",1.5\n2,,\n");
    free(body);
    CHECK_EQ_INT(s->vt->flush(s), 0);                        /* nothing new: no empty part */
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    CHECK_EQ_INT(s->rows, 4);
    s->vt->close(s);
    CHECK_EQ_INT(count_files(dir, "part-", NULL, 0), 2);

    /* What the sink wrote reads back through the source. */
    fixture back;
    fx_init(&back, 3, names3, ty, "path", dir, "format", "csv", NULL);
    source_t *in = connector_filesystem.create_source(&back.t);
    chunk_t *rows;
    CHECK_EQ_INT(drain(in, &rows, 10), 0);
    CHECK_EQ_STR(all_rows(rows), "1|a,b|1.5\n2||NULL\n1|a,b|1.5\n2||NULL\n");
    chunk_free(rows);
    in->vt->close(in);

    /* Updates are refused. */
    const char *jdir = tmp_path("fs_out_json");
    fx_init(&dst, 3, names3, ty, "path", jdir, "format", "json", NULL);
    s = connector_filesystem.create_sink(&dst.t);
    c->ops[1] = OP_DELETE;
    err_clear();
    CHECK_EQ_INT(s->vt->write(s, c), -1);
    CHECK_EQ_STR(err_message(), "filesystem sink of table 't' accepts only inserts, got a -D row");
    err_clear();
    c->ops[1] = OP_INSERT;
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    s->vt->close(s);
    CHECK_EQ_INT(count_files(jdir, "part-", name, sizeof name), 1);
    snprintf(p, sizeof p, "%s/%s", jdir, name);
    body = slurp(p);
    CHECK_EQ_STR(body, "{\"id\":1,\"name\":\"a,b\",\"score\":1.5}\n{\"id\":2,\"name\":\"\",\"score\":null}\n");
    free(body);
    chunk_free(c);
}

TEST(filesystem_sink_rolls_over)
{
    const char *dir = tmp_path("fs_roll");
    fixture dst;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init(&dst, 3, names3, ty, "path", dir, "format", "csv", "sink.rolling-policy.file-size", "10b",
            "sink.rolling-policy.rollover-interval", "1 min", NULL);
    sink_t *s = connector_filesystem.create_sink(&dst.t);
    chunk_t *c = chunk_new(&dst.t.physical, 4);
    value_t v[3] = {value_i64(1), value_null(), value_f64(2)};
    chunk_append_values(c, v, OP_INSERT);
    CHECK_EQ_INT(s->vt->write(s, c), 0);                     /* "1,,2.0\n" is 7 bytes */
    CHECK_EQ_INT(count_files(dir, "part-", NULL, 0), 0);
    CHECK_EQ_INT(s->vt->write(s, c), 0);                     /* 14 bytes >= 10: rolled */
    CHECK_EQ_INT(count_files(dir, "part-", NULL, 0), 1);
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    CHECK_EQ_INT(s->vt->tick(s, fake_now + 59 * US_PER_SEC), 0);
    CHECK_EQ_INT(count_files(dir, "part-", NULL, 0), 1);
    CHECK_EQ_INT(s->vt->tick(s, fake_now + 60 * US_PER_SEC), 0);
    CHECK_EQ_INT(count_files(dir, "part-", NULL, 0), 2);
    s->vt->close(s);
    chunk_free(c);

    fx_init(&dst, 3, names3, ty, "path", dir, "format", "csv", "sink.rolling-policy.file-size", "lots", NULL);
    err_clear();
    CHECK(connector_filesystem.create_sink(&dst.t) == NULL);
    CHECK_EQ_STR(err_message(), "option 'sink.rolling-policy.file-size' expects a size such as '128 mb' or '1 gb', got 'lots'");
    err_clear();
}

/* ---- print and blackhole ---- */

TEST(print_sink_format)
{
    static const char *const names[] = {"b", "i", "big", "d", "dec", "s", "day", "ts", "ltz", "n"};
    fixture f;
    type_t ty[] = {type_make(TY_BOOLEAN), type_make(TY_INT), type_make(TY_BIGINT), type_make(TY_DOUBLE),
                   type_decimal(10, 2), type_make(TY_STRING), type_make(TY_DATE), type_timestamp(TY_TIMESTAMP, 3),
                   type_timestamp(TY_TIMESTAMP_LTZ, 3), type_make(TY_BIGINT)};
    fx_init(&f, 10, names, ty, NULL);
    chunk_t *c = chunk_new(&f.t.physical, 8);
    value_t v[10];
    v[0] = value_i64(1);
    v[1] = value_i64(-5);
    v[2] = value_i64(10000000000LL);
    v[3] = value_f64(1.5);
    v[4] = value_i64(1250);
    v[5] = value_null();
    v[5].null = 0;
    v[5].s = str_cstr("hello, world");
    v[6] = value_i64(18626);
    v[7] = value_i64(1609330394123000LL);
    v[8] = value_i64(1609330394000000LL);
    v[9] = value_null();
    chunk_append_values(c, v, OP_INSERT);
    v[0] = value_i64(0);
    v[3] = value_f64(1e10);
    v[7] = value_i64(1609329600000000LL);
    chunk_append_values(c, v, OP_UPDATE_BEFORE);
    chunk_append_values(c, v, OP_UPDATE_AFTER);
    for (int i = 0; i < 10; i++) v[i] = value_null();
    chunk_append_values(c, v, OP_DELETE);

    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    print_sink_set_output(mem);
    sink_t *s = connector_print.create_sink(&f.t);
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    CHECK_EQ_INT(s->vt->flush(s), 0);
    CHECK_EQ_STR(buf, "+I[true, -5, 10000000000, 1.5, 12.50, hello, world, 2020-12-30, 2020-12-30T12:13:14.123, "
                      "2020-12-30T12:13:14Z, null]\n"
                      "-U[false, -5, 10000000000, 1.0E10, 12.50, hello, world, 2020-12-30, 2020-12-30T12:00, "
                      "2020-12-30T12:13:14Z, null]\n"
                      "+U[false, -5, 10000000000, 1.0E10, 12.50, hello, world, 2020-12-30, 2020-12-30T12:00, "
                      "2020-12-30T12:13:14Z, null]\n"
                      "-D[null, null, null, null, null, null, null, null, null, null]\n");
    CHECK_EQ_INT(s->rows, 4);
    s->vt->close(s);

    /* Interval columns print as value_format_print shows them. */
    static const char *const inames[] = {"dt", "ym"};
    type_t ity[] = {type_make(TY_INTERVAL_DT), type_make(TY_INTERVAL_YM)};
    fixture fi;
    fx_init(&fi, 2, inames, ity, NULL);
    chunk_t *ic = chunk_new(&fi.t.physical, 2);
    value_t iv[2] = {value_i64(93784005000LL), value_i64(-27)};
    chunk_append_values(ic, iv, OP_INSERT);
    sb_t want = {0};
    sb_puts(&want, "+I[");
    value_format_print(ity[0], &iv[0], &want);
    sb_puts(&want, ", ");
    value_format_print(ity[1], &iv[1], &want);
    sb_puts(&want, "]\n");
    fclose(mem);
    free(buf);
    buf = NULL;
    mem = open_memstream(&buf, &len);
    print_sink_set_output(mem);
    s = connector_print.create_sink(&fi.t);
    CHECK_EQ_INT(s->vt->write(s, ic), 0);
    s->vt->close(s);
    CHECK_EQ_STR(buf, sb_str(&want));
    sb_free(&want);
    chunk_free(ic);

    /* print-identifier prefixes each line; only live rows of a selection are printed. */
    fclose(mem);
    free(buf);
    buf = NULL;
    mem = open_memstream(&buf, &len);
    print_sink_set_output(mem);
    fx_init(&f, 10, names, ty, "print-identifier", "sink1", "standard-error", "true", NULL);
    s = connector_print.create_sink(&f.t);
    c->sel = malloc(2 * sizeof *c->sel);
    c->sel[0] = 3;
    c->nsel = 1;
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    s->vt->close(s);
    CHECK_EQ_STR(buf, "sink1> -D[null, null, null, null, null, null, null, null, null, null]\n");
    fclose(mem);
    free(buf);
    print_sink_set_output(NULL);
    chunk_free(c);
}

TEST(blackhole_counts)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT)};
    fx_init(&f, 1, names3, ty, NULL);
    sink_t *s = connector_blackhole.create_sink(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, 8);
    value_t v = value_i64(1);
    for (int i = 0; i < 5; i++) chunk_append_values(c, &v, OP_INSERT);
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    CHECK_EQ_INT(s->vt->flush(s), 0);
    CHECK_EQ_INT(s->rows, 10);
    CHECK(connector_blackhole.create_source == NULL);
    s->vt->close(s);
    chunk_free(c);
}

/* ---- datagen ---- */

TEST(datagen_bounded_counts)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    fx_init(&f, 3, names3, ty, "number-of-rows", "2500", "rows-per-second", "1000000000", NULL);
    source_t *s = connector_datagen.create_source(&f.t);
    CHECK(s != NULL);
    CHECK_EQ_INT(s->bounded, 1);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    uint32_t sizes[4];
    int rcs[4];
    for (int i = 0; i < 4; i++) {
        chunk_reset(c);
        rcs[i] = s->vt->next(s, c);
        fake_now += US_PER_SEC;
        sizes[i] = c->nrows;
    }
    CHECK_EQ_INT(rcs[0], 1); CHECK_EQ_INT(sizes[0], 1);           /* nothing is due yet but one row */
    CHECK_EQ_INT(rcs[1], 1); CHECK_EQ_INT(sizes[1], 1024);
    CHECK_EQ_INT(rcs[2], 1); CHECK_EQ_INT(sizes[2], 1024);
    CHECK_EQ_INT(rcs[3], 1); CHECK_EQ_INT(sizes[3], 451);
    chunk_reset(c);
    CHECK_EQ_INT(s->vt->next(s, c), 0);
    CHECK_EQ_INT(c->nrows, 0);
    CHECK_EQ_INT(s->rows, 2500);
    s->vt->close(s);

    fx_init(&f, 3, names3, ty, NULL);
    s = connector_datagen.create_source(&f.t);
    CHECK_EQ_INT(s->bounded, 0);
    s->vt->close(s);
    chunk_free(c);
}

TEST(datagen_sequences)
{
    static const char *const names[] = {"id", "code", "amount", "dec"};
    fixture f;
    type_t ty[] = {type_make(TY_INT), type_make(TY_STRING), type_make(TY_DOUBLE), type_decimal(6, 2)};
    fx_init(&f, 4, names, ty, "fields.id.kind", "sequence", "fields.id.start", "-2", "fields.id.end", "7",
            "fields.code.kind", "sequence", "fields.code.start", "100", "fields.code.end", "1000",
            "fields.amount.kind", "sequence", "fields.amount.start", "5", "fields.amount.end", "100",
            "fields.dec.kind", "sequence", "fields.dec.start", "1", "fields.dec.end", "50",
            "rows-per-second", "1000000", NULL);
    source_t *s = connector_datagen.create_source(&f.t);
    CHECK(s != NULL);
    CHECK_EQ_INT(s->bounded, 1);
    chunk_t *rows;
    CHECK_EQ_INT(drain(s, &rows, 10), 0);
    CHECK_EQ_STR(all_rows(rows), "-2|100|5.0|1.00\n-1|101|6.0|2.00\n0|102|7.0|3.00\n1|103|8.0|4.00\n2|104|9.0|5.00\n"
                                 "3|105|10.0|6.00\n4|106|11.0|7.00\n5|107|12.0|8.00\n6|108|13.0|9.00\n7|109|14.0|10.00\n");
    chunk_free(rows);
    s->vt->close(s);

    fx_init(&f, 4, names, ty, "fields.id.kind", "sequence", "fields.id.start", "1", "fields.id.end", "100",
            "number-of-rows", "3", NULL);
    s = connector_datagen.create_source(&f.t);
    CHECK_EQ_INT(drain(s, &rows, 10), 0);
    CHECK_EQ_INT(rows->nrows, 3);
    CHECK_EQ_INT(rows->cols[0].i64[2], 3);
    chunk_free(rows);
    s->vt->close(s);
}

TEST(datagen_random_ranges)
{
    static const char *const names[] = {"i", "d", "dec", "s", "v", "b", "big"};
    fixture f;
    type_t ty[] = {type_make(TY_INT), type_make(TY_DOUBLE), type_decimal(5, 2), type_make(TY_STRING),
                   type_varchar(4), type_make(TY_BOOLEAN), type_make(TY_BIGINT)};
    fx_init(&f, 7, names, ty, "fields.i.min", "5", "fields.i.max", "7", "fields.d.min", "-1", "fields.d.max", "1",
            "fields.dec.min", "1.5", "fields.dec.max", "2.5", "fields.s.length", "8", "number-of-rows", "1000",
            "fields.big.kind", "random", "fields.v.var-len", "true", NULL);
    source_t *s = connector_datagen.create_source(&f.t);
    CHECK(s != NULL);
    chunk_t *rows;
    drain(s, &rows, 10);
    CHECK_EQ_INT(rows->nrows, 1000);
    int seen_i[3] = {0}, seen_len[5] = {0}, bad = 0, trues = 0, nulls = 0;
    for (uint32_t r = 0; r < rows->nrows; r++) {
        int64_t i = rows->cols[0].i64[r];
        if (i < 5 || i > 7) bad++;
        else seen_i[i - 5]++;
        double d = rows->cols[1].f64[r];
        if (d < -1 || d > 1) bad++;
        int64_t dec = rows->cols[2].i64[r];
        if (dec < 150 || dec > 250) bad++;
        str_t *st = &rows->cols[3].str[r];
        if (st->len != 8) bad++;
        for (uint32_t k = 0; k < st->len; k++)
            if (!strchr("0123456789abcdef", str_ptr(st)[k])) bad++;
        if (rows->cols[4].str[r].len < 1 || rows->cols[4].str[r].len > 4) bad++;
        else seen_len[rows->cols[4].str[r].len]++;
        trues += (int)rows->cols[5].i64[r];
        for (uint32_t c = 0; c < rows->ncols; c++) nulls += rows->cols[c].nulls[r];
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(nulls, 0);
    CHECK(seen_i[0] > 0 && seen_i[1] > 0 && seen_i[2] > 0);
    CHECK(seen_len[1] > 0 && seen_len[2] > 0 && seen_len[3] > 0 && seen_len[4] > 0);     /* var-len */
    CHECK(trues > 300 && trues < 700);
    /* A fixed seed: a second source gives the same values. */
    source_t *again = connector_datagen.create_source(&f.t);
    chunk_t *rows2;
    drain(again, &rows2, 10);
    CHECK_EQ_STR(all_rows(rows2), all_rows(rows));
    chunk_free(rows2);
    again->vt->close(again);
    chunk_free(rows);
    s->vt->close(s);
}

TEST(datagen_times_and_nulls)
{
    static const char *const names[] = {"ts", "ltz", "day", "n", "half"};
    fixture f;
    type_t ty[] = {type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP_LTZ, 0), type_make(TY_DATE),
                   type_make(TY_BIGINT), type_make(TY_BIGINT)};
    fx_init(&f, 5, names, ty, "fields.ts.max-past", "10 s", "fields.n.null-rate", "1", "fields.half.null-rate", "0.5",
            "number-of-rows", "500", NULL);
    value_set_session_tz(tz_get("+08:00", NULL, 0));
    source_t *s = connector_datagen.create_source(&f.t);
    chunk_t *rows = chunk_new(&f.t.physical, CHUNK_CAP);
    fake_now += US_PER_SEC;
    CHECK_EQ_INT(s->vt->next(s, rows), 1);
    int bad = 0, half_nulls = 0;
    int64_t local_now = fake_now + 8 * 3600 * US_PER_SEC;
    for (uint32_t r = 0; r < rows->nrows; r++) {
        int64_t ts = rows->cols[0].i64[r];
        if (ts < local_now - 10 * US_PER_SEC || ts > local_now || ts % 1000 != 0) bad++;
        if (rows->cols[1].i64[r] != fake_now) bad++;
        if (rows->cols[2].i64[r] != 18626) bad++;
        if (!rows->cols[3].nulls[r]) bad++;
        half_nulls += rows->cols[4].nulls[r];
    }
    CHECK_EQ_INT(rows->nrows, 500);
    CHECK_EQ_INT(bad, 0);
    CHECK(half_nulls > 180 && half_nulls < 320);
    value_set_session_tz(tz_get("UTC", NULL, 0));
    chunk_free(rows);
    s->vt->close(s);
}

TEST(datagen_paces_itself)
{
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT)};
    fx_init(&f, 1, names3, ty, "rows-per-second", "100", NULL);
    source_t *s = connector_datagen.create_source(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    CHECK_EQ_INT(s->vt->next(s, c), 1);
    CHECK_EQ_INT(c->nrows, 1);
    chunk_reset(c);
    CHECK_EQ_INT(s->vt->next(s, c), 1);
    CHECK_EQ_INT(c->nrows, 0);                  /* ahead of the clock */
    fake_now += 500000;
    CHECK_EQ_INT(s->vt->next(s, c), 1);
    CHECK_EQ_INT(c->nrows, 50);
    chunk_reset(c);
    fake_now += 9 * US_PER_SEC + 500000;
    CHECK_EQ_INT(s->vt->next(s, c), 1);
    CHECK_EQ_INT(c->nrows, 950);
    CHECK_EQ_INT(s->rows, 1001);
    chunk_free(c);
    s->vt->close(s);
}

TEST(datagen_option_errors)
{
    static const char *const names[] = {"id", "ts", "s"};
    fixture f;
    type_t ty[] = {type_make(TY_BIGINT), type_timestamp(TY_TIMESTAMP, 3), type_make(TY_STRING)};
    struct { const char *k1, *v1, *k2, *v2; const char *msg; } cases[] = {
        {"fields.id.kind", "sequence", "fields.id.start", "1",
         "datagen column 'id' has kind 'sequence' and needs both 'fields.id.start' and 'fields.id.end'"},
        {"fields.ts.kind", "sequence", "x", "y", "the sequence generator does not support TIMESTAMP(3) column 'ts'; use 'random'"},
        {"fields.id.min", "10", "fields.id.max", "1", "datagen column 'id': fields.id.min is greater than fields.id.max"},
        {"fields.s.min", "1", "x", "y", "option 'fields.s.min' applies only to numeric columns; 's' is STRING"},
        {"fields.id.max", "ten", "x", "y", "option 'fields.id.max' expects a BIGINT value, got 'ten'"},
        {"rows-per-second", "0", "x", "y", "rows-per-second must be positive"},
        {"fields.s.null-rate", "-0.5", "x", "y", "option 'fields.s.null-rate' expects a number between 0 and 1, got '-0.5'"},
        {"fields.id.kind", "cyclic", "x", "y", "invalid value 'cyclic' for option 'fields.id.kind'; valid values: random, sequence"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        fx_init(&f, 3, names, ty, cases[i].k1, cases[i].v1, cases[i].k2, cases[i].v2, NULL);
        err_clear();
        CHECK(connector_datagen.create_source(&f.t) == NULL);
        CHECK_EQ_STR(err_message(), cases[i].msg);
    }
    err_clear();
}

/* ---- jdbc (SQLite) ---- */

static const char *const jnames[] = {"id", "name", "score", "ok", "day", "ts", "ltz", "dec", "i"};
static type_t jtypes[9];

static void jdbc_types(void)
{
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE), type_make(TY_BOOLEAN),
                   type_make(TY_DATE), type_timestamp(TY_TIMESTAMP, 3), type_timestamp(TY_TIMESTAMP_LTZ, 3),
                   type_decimal(10, 2), type_make(TY_INT)};
    memcpy(jtypes, ty, sizeof ty);
}

/* Rows of an SQL query, cells joined by '|', NULL as "NULL". */
static const char *query_text(const char *db_path, const char *sql)
{
    static sb_t b;
    sb_clear(&b);
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open(db_path, &db) != SQLITE_OK || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        sb_printf(&b, "error: %s", sqlite3_errmsg(db));
        sqlite3_close(db);
        return sb_str(&b);
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            if (i) sb_putc(&b, '|');
            const char *s = (const char *)sqlite3_column_text(st, i);
            sb_puts(&b, s ? s : "NULL");
        }
        sb_putc(&b, '\n');
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return sb_str(&b);
}

static void exec_db(const char *db_path, const char *sql)
{
    sqlite3 *db;
    sqlite3_open(db_path, &db);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) fprintf(stderr, "exec_db: %s\n", msg);
    sqlite3_free(msg);
    sqlite3_close(db);
}

/* Rows parsed from "id,name,score,ok,day,ts,ltz,dec,i" CSV lines, with the given ops. */
static chunk_t *jdbc_rows(const connector_table *t, const char *csv, const char *ops)
{
    fixture f;
    fx_init(&f, (int)t->physical.ncols, (const char *const *)t->physical.names, t->physical.types, NULL);
    decoder_t *d = format_csv.create_decoder(&f.t);
    chunk_t *c = chunk_new(&t->physical, 64);
    decoder_begin(d, "rows");
    decoder_decode(d, csv, strlen(csv), 1, c);
    decoder_free(d);
    for (uint32_t r = 0; r < c->nrows && ops[r]; r++)
        c->ops[r] = ops[r] == 'I' ? OP_INSERT : ops[r] == 'B' ? OP_UPDATE_BEFORE : ops[r] == 'A' ? OP_UPDATE_AFTER : OP_DELETE;
    return c;
}

TEST(jdbc_sink_upserts_with_a_primary_key)
{
    jdbc_types();
    const char *db = tmp_path("pk.db");
    char url[300];
    snprintf(url, sizeof url, "jdbc:sqlite:%s", db);
    fixture f;
    fx_init(&f, 9, jnames, jtypes, "url", url, "table-name", "scores", NULL);
    fx_pk(&f, 0);
    err_clear();
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK(s != NULL);
    if (!s) { err_print(stderr); return; }
    CHECK_EQ_STR(query_text(db, "SELECT sql FROM sqlite_master WHERE name = 'scores'"),
                 "CREATE TABLE \"scores\" (\"id\" INTEGER, \"name\" TEXT, \"score\" REAL, \"ok\" INTEGER, \"day\" TEXT, "
                 "\"ts\" TEXT, \"ltz\" TEXT, \"dec\" TEXT, \"i\" INTEGER, PRIMARY KEY (\"id\"))\n");
    CHECK_EQ_STR(query_text(db, "PRAGMA journal_mode"), "wal\n");
    chunk_t *c = jdbc_rows(&f.t,
                           "1,a,1.5,true,2020-12-30,2020-12-30 12:13:14.123,2020-12-30 12:13:14Z,12.5,7\n"
                           "2,b,2.5,false,2020-12-31,2020-12-31 00:00:00,2020-12-31 00:00:00Z,-0.01,8\n"
                           "1,a,1.5,true,2020-12-30,2020-12-30 12:13:14.123,2020-12-30 12:13:14Z,12.5,7\n"
                           "1,a2,3.5,true,2020-12-30,2020-12-30 12:13:14.123,2020-12-30 12:13:14Z,13.5,9\n"
                           "3,c,,,,,,,\n"
                           "2,b,2.5,false,2020-12-31,2020-12-31 00:00:00,2020-12-31 00:00:00Z,-0.01,8\n",
                           "IIBAID");
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    CHECK_EQ_STR(query_text(db, "SELECT count(*) FROM scores"), "0\n");     /* buffered */
    CHECK_EQ_INT(s->vt->flush(s), 0);
    CHECK_EQ_STR(query_text(db, "SELECT * FROM scores ORDER BY id"),
                 "1|a2|3.5|1|2020-12-30|2020-12-30 12:13:14.123|2020-12-30 12:13:14.000|13.50|9\n"
                 "3|c|NULL|NULL|NULL|NULL|NULL|NULL|NULL\n");
    CHECK_EQ_INT(s->rows, 6);
    /* A later delete and re-insert of the same key. */
    chunk_free(c);
    c = jdbc_rows(&f.t, "3,c,,,,,,,\n3,c3,1,,,,,,\n1,x,,,,,,,\n", "DIA");
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    s->vt->close(s);
    CHECK_EQ_STR(query_text(db, "SELECT id, name, score FROM scores ORDER BY id"), "1|x|NULL\n3|c3|1.0\n");
    chunk_free(c);
}

TEST(jdbc_sink_buffer_keeps_the_last_change_per_key)
{
    jdbc_types();
    const char *db = tmp_path("dedup.db");
    char url[300];
    snprintf(url, sizeof url, "jdbc:sqlite:%s", db);
    exec_db(db, "CREATE TABLE w (id INTEGER PRIMARY KEY, name TEXT);"
                "CREATE TABLE writes (n INTEGER); INSERT INTO writes VALUES (0);"
                "CREATE TRIGGER wi AFTER INSERT ON w BEGIN UPDATE writes SET n = n + 1; END;"
                "CREATE TRIGGER wu AFTER UPDATE ON w BEGIN UPDATE writes SET n = n + 1; END;");
    static const char *const names[] = {"id", "name"};
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING)};
    fixture f;
    fx_init(&f, 2, names, ty, "url", url, "table-name", "w", "sink.buffer-flush.max-rows", "1000", NULL);
    fx_pk(&f, 0);
    sink_t *s = connector_jdbc.create_sink(&f.t);
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
    CHECK_EQ_STR(query_text(db, "SELECT n FROM writes"), "5\n");
    CHECK_EQ_STR(query_text(db, "SELECT * FROM w ORDER BY id"),
                 "0|v495-long-enough-to-be-heap\n1|v496-long-enough-to-be-heap\n2|v497-long-enough-to-be-heap\n"
                 "3|v498-long-enough-to-be-heap\n4|v499-long-enough-to-be-heap\n");
    s->vt->close(s);
    chunk_free(c);
}

TEST(jdbc_sink_flushes_by_rows_and_interval)
{
    jdbc_types();
    const char *db = tmp_path("flush.db");
    char url[300];
    snprintf(url, sizeof url, "jdbc:sqlite:%s", db);
    static const char *const names[] = {"id", "name"};
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING)};
    fixture f;
    fx_init(&f, 2, names, ty, "url", url, "table-name", "r", "sink.buffer-flush.max-rows", "3",
            "sink.buffer-flush.interval", "2 s", NULL);
    fx_pk(&f, 0);
    sink_t *s = connector_jdbc.create_sink(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, 8);
    value_t v[2] = {value_i64(1), value_null()};
    chunk_append_values(c, v, OP_INSERT);
    v[0] = value_i64(2);
    chunk_append_values(c, v, OP_INSERT);
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    CHECK_EQ_STR(query_text(db, "SELECT count(*) FROM r"), "0\n");
    chunk_reset(c);
    v[0] = value_i64(3);
    chunk_append_values(c, v, OP_INSERT);
    v[0] = value_i64(4);
    chunk_append_values(c, v, OP_INSERT);
    CHECK_EQ_INT(s->vt->write(s, c), 0);                     /* the third change flushes */
    CHECK_EQ_STR(query_text(db, "SELECT count(*) FROM r"), "3\n");
    CHECK_EQ_INT(s->vt->tick(s, fake_now + US_PER_SEC), 0);
    CHECK_EQ_STR(query_text(db, "SELECT count(*) FROM r"), "3\n");
    CHECK_EQ_INT(s->vt->tick(s, fake_now + 2 * US_PER_SEC), 0);
    CHECK_EQ_STR(query_text(db, "SELECT count(*) FROM r"), "4\n");
    s->vt->close(s);
    chunk_free(c);
}

TEST(jdbc_sink_appends_without_a_primary_key)
{
    jdbc_types();
    const char *db = tmp_path("append.db");
    char url[300];
    snprintf(url, sizeof url, "jdbc:sqlite:%s", db);
    static const char *const names[] = {"id", "name"};
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING)};
    fixture f;
    fx_init(&f, 2, names, ty, "url", url, "table-name", "log", "sink.buffer-flush.max-rows", "0",
            "sink.buffer-flush.interval", "0", NULL);
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK_EQ_STR(query_text(db, "SELECT sql FROM sqlite_master WHERE name = 'log'"),
                 "CREATE TABLE \"log\" (\"id\" INTEGER, \"name\" TEXT)\n");
    chunk_t *c = chunk_new(&f.t.physical, 8);
    value_t v[2] = {value_i64(1), value_null()};
    chunk_append_values(c, v, OP_INSERT);
    chunk_append_values(c, v, OP_INSERT);
    CHECK_EQ_INT(s->vt->write(s, c), 0);                     /* no buffering: written at once */
    CHECK_EQ_STR(query_text(db, "SELECT id, name FROM log"), "1|NULL\n1|NULL\n");
    c->ops[1] = OP_DELETE;
    err_clear();
    CHECK_EQ_INT(s->vt->write(s, c), -1);
    CHECK_EQ_STR(err_message(), "jdbc sink of table 't' has no primary key and cannot apply a delete");
    err_clear();
    s->vt->close(s);
    chunk_free(c);
}

TEST(jdbc_sink_into_a_table_without_a_unique_key)
{
    const char *db = tmp_path("nokey.db");
    char url[300];
    snprintf(url, sizeof url, "jdbc:sqlite:%s", db);
    exec_db(db, "CREATE TABLE k (id INTEGER, name TEXT); INSERT INTO k VALUES (1, 'old'), (2, 'keep');");
    static const char *const names[] = {"id", "name"};
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING)};
    fixture f;
    fx_init(&f, 2, names, ty, "url", url, "table-name", "k", NULL);
    fx_pk(&f, 0);
    sink_t *s = connector_jdbc.create_sink(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, 8);
    value_t v[2] = {value_i64(1), value_null()};
    v[1].null = 0;
    v[1].s = str_cstr("new");
    chunk_append_values(c, v, OP_UPDATE_AFTER);
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    s->vt->close(s);
    CHECK_EQ_STR(query_text(db, "SELECT id, name FROM k ORDER BY id"), "1|new\n2|keep\n");
    chunk_free(c);
}

TEST(jdbc_lookup_without_and_with_cache)
{
    jdbc_types();
    const char *db = tmp_path("lookup.db");
    char url[300];
    snprintf(url, sizeof url, "jdbc:sqlite:%s", db);
    exec_db(db, "CREATE TABLE dim (id INTEGER, name TEXT); INSERT INTO dim VALUES (1, 'one'), (2, 'two'), (2, 'deux');");
    static const char *const names[] = {"id", "name"};
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING)};
    int key = 0;
    fixture f;
    fx_init(&f, 2, names, ty, "url", url, "table-name", "dim", NULL);
    lookup_t *l = connector_jdbc.create_lookup(&f.t, &key, 1);
    CHECK(l != NULL);
    chunk_t *out = chunk_new(&f.t.physical, 16);
    value_t k = value_i64(2);
    CHECK_EQ_INT(l->vt->fetch(l, &k, out), 0);
    CHECK_EQ_STR(all_rows(out), "2|two\n2|deux\n");
    chunk_reset(out);
    k = value_i64(9);
    CHECK_EQ_INT(l->vt->fetch(l, &k, out), 0);
    CHECK_EQ_INT(out->nrows, 0);
    exec_db(db, "UPDATE dim SET name = 'uno' WHERE id = 1");
    k = value_i64(1);
    CHECK_EQ_INT(l->vt->fetch(l, &k, out), 0);
    CHECK_EQ_STR(all_rows(out), "1|uno\n");                /* no cache: sees the change */
    chunk_reset(out);
    k = value_null();
    CHECK_EQ_INT(l->vt->fetch(l, &k, out), 0);
    CHECK_EQ_INT(out->nrows, 0);
    l->vt->close(l);

    /* PARTIAL cache: hits until the entry expires after write. */
    fx_init(&f, 2, names, ty, "url", url, "table-name", "dim", "lookup.cache", "PARTIAL",
            "lookup.partial-cache.expire-after-write", "10 s", NULL);
    l = connector_jdbc.create_lookup(&f.t, &key, 1);
    k = value_i64(1);
    l->vt->fetch(l, &k, out);
    exec_db(db, "UPDATE dim SET name = 'eins' WHERE id = 1");
    k = value_i64(9);
    l->vt->fetch(l, &k, out);                              /* a missing key is cached too */
    exec_db(db, "INSERT INTO dim VALUES (9, 'nine')");
    fake_now += 9 * US_PER_SEC;
    k = value_i64(1);
    l->vt->fetch(l, &k, out);
    k = value_i64(9);
    l->vt->fetch(l, &k, out);
    CHECK_EQ_STR(all_rows(out), "1|uno\n1|uno\n");
    chunk_reset(out);
    fake_now += US_PER_SEC;
    k = value_i64(1);
    l->vt->fetch(l, &k, out);
    k = value_i64(9);
    l->vt->fetch(l, &k, out);
    CHECK_EQ_STR(all_rows(out), "1|eins\n9|nine\n");
    chunk_reset(out);
    l->vt->close(l);

    /* max-rows evicts the least recently used key; cache-missing-key = false. */
    fx_init(&f, 2, names, ty, "url", url, "table-name", "dim", "lookup.cache", "partial",
            "lookup.partial-cache.max-rows", "1", "lookup.partial-cache.cache-missing-key", "false", NULL);
    l = connector_jdbc.create_lookup(&f.t, &key, 1);
    k = value_i64(1);
    l->vt->fetch(l, &k, out);                              /* cached: 1 */
    exec_db(db, "UPDATE dim SET name = 'one' WHERE id = 1");
    l->vt->fetch(l, &k, out);                              /* hit */
    k = value_i64(2);
    l->vt->fetch(l, &k, out);                              /* evicts 1 */
    k = value_i64(1);
    l->vt->fetch(l, &k, out);
    k = value_i64(3);
    l->vt->fetch(l, &k, out);                              /* missing: not cached */
    exec_db(db, "INSERT INTO dim VALUES (3, 'three')");
    l->vt->fetch(l, &k, out);
    CHECK_EQ_STR(all_rows(out), "1|eins\n1|eins\n2|two\n2|deux\n1|one\n3|three\n");
    chunk_reset(out);
    l->vt->close(l);

    /* expire-after-access keeps a key that is used. */
    fx_init(&f, 2, names, ty, "url", url, "table-name", "dim", "lookup.cache", "PARTIAL",
            "lookup.partial-cache.expire-after-access", "5 s", NULL);
    l = connector_jdbc.create_lookup(&f.t, &key, 1);
    k = value_i64(3);
    l->vt->fetch(l, &k, out);
    exec_db(db, "UPDATE dim SET name = 'drei' WHERE id = 3");
    for (int i = 0; i < 3; i++) {
        fake_now += 4 * US_PER_SEC;
        l->vt->fetch(l, &k, out);
    }
    fake_now += 5 * US_PER_SEC;
    l->vt->fetch(l, &k, out);
    CHECK_EQ_STR(all_rows(out), "3|three\n3|three\n3|three\n3|three\n3|drei\n");
    chunk_reset(out);
    l->vt->close(l);

    /* The older options: lookup.cache.max-rows with lookup.cache.ttl. */
    fx_init(&f, 2, names, ty, "url", url, "table-name", "dim", "lookup.cache.max-rows", "100", "lookup.cache.ttl", "1 s",
            NULL);
    l = connector_jdbc.create_lookup(&f.t, &key, 1);
    l->vt->fetch(l, &k, out);
    exec_db(db, "UPDATE dim SET name = 'tres' WHERE id = 3");
    l->vt->fetch(l, &k, out);
    fake_now += US_PER_SEC;
    l->vt->fetch(l, &k, out);
    CHECK_EQ_STR(all_rows(out), "3|drei\n3|drei\n3|tres\n");
    l->vt->close(l);
    chunk_free(out);
}

TEST(jdbc_values_round_trip_for_every_type)
{
    jdbc_types();
    const char *db = tmp_path("types.db");
    char url[300];
    snprintf(url, sizeof url, "jdbc:sqlite:%s", db);
    fixture f;
    fx_init(&f, 9, jnames, jtypes, "url", url, "table-name", "all_types", NULL);
    fx_pk(&f, 0);
    fx_pk(&f, 1);
    const char *csv = "1,\"a long string, with comma and \"\"quotes\"\"\",-1.0E-7,true,1969-07-20,"
                      "1969-07-20 20:17:40.5,2038-01-19 03:14:07.999Z,-99999999.99,-2147483648\n"
                      "2,é,1.7976931348623157E308,false,9999-12-31,2020-02-29 23:59:59.001,1970-01-01 00:00:00Z,0.01,"
                      "2147483647\n"
                      "3,,,,,,,,\n";
    chunk_t *c = jdbc_rows(&f.t, csv, "III");
    sink_t *s = connector_jdbc.create_sink(&f.t);
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    s->vt->close(s);

    /* Back through the lookup, keyed by both key columns. */
    int keys[2] = {0, 1};
    lookup_t *l = connector_jdbc.create_lookup(&f.t, keys, 2);
    chunk_t *out = chunk_new(&f.t.physical, 8);
    for (uint32_t r = 0; r < c->nrows; r++) {
        value_t k[2];
        vector_get(&c->cols[0], r, &k[0]);
        vector_get(&c->cols[1], r, &k[1]);
        CHECK_EQ_INT(l->vt->fetch(l, k, out), 0);
    }
    CHECK_EQ_INT(out->nrows, 3);
    char expect[2048];
    snprintf(expect, sizeof expect, "%s", all_rows(c));
    CHECK_EQ_STR(all_rows(out), expect);
    for (uint32_t r = 0; r < 2; r++) {
        CHECK_EQ_INT(out->cols[6].i64[r], c->cols[6].i64[r]);
        CHECK(out->cols[2].f64[r] == c->cols[2].f64[r]);
    }
    l->vt->close(l);

    /* And through the scan source. */
    source_t *src = connector_jdbc.create_source(&f.t);
    chunk_t *rows;
    CHECK_EQ_INT(drain(src, &rows, 10), 0);
    CHECK_EQ_STR(all_rows(rows), expect);
    CHECK_EQ_INT(src->rows, 3);
    chunk_free(rows);
    src->vt->close(src);

    /* Cells written by others as INTEGER / REAL / TEXT convert too. */
    exec_db(db, "INSERT INTO all_types VALUES (4, 'x', 5, 'true', '2020-01-01', '2020-01-01 00:00:00', "
                "'2020-01-01 00:00:00', 12, '42')");
    value_t k[2] = {value_i64(4), value_null()};
    k[1].null = 0;
    k[1].s = str_cstr("x");
    chunk_reset(out);
    l = connector_jdbc.create_lookup(&f.t, keys, 2);
    CHECK_EQ_INT(l->vt->fetch(l, k, out), 0);
    CHECK_EQ_STR(all_rows(out), "4|x|5.0|TRUE|2020-01-01|2020-01-01 00:00:00.000|2020-01-01 00:00:00.000|12.00|42\n");
    exec_db(db, "UPDATE all_types SET i = 'forty' WHERE id = 4");
    chunk_reset(out);
    err_clear();
    CHECK_EQ_INT(l->vt->fetch(l, k, out), -1);
    CHECK_EQ_STR(err_message(), "jdbc table 't': column 'i' holds 'forty', which is not a valid INT");
    err_clear();
    l->vt->close(l);
    chunk_free(out);
    chunk_free(c);
}

TEST(jdbc_intervals_and_zones_round_trip)
{
    const char *db = tmp_path("intervals.db");
    char url[300];
    snprintf(url, sizeof url, "jdbc:sqlite:%s", db);
    static const char *const names[] = {"id", "dt", "ym", "ltz"};
    type_t ty[] = {type_make(TY_BIGINT), type_make(TY_INTERVAL_DT), type_make(TY_INTERVAL_YM),
                   type_timestamp(TY_TIMESTAMP_LTZ, 3)};
    fixture f;
    fx_init(&f, 4, names, ty, "url", url, "table-name", "iv", NULL);
    fx_pk(&f, 0);
    value_set_session_tz(tz_get("+08:00", NULL, 0));
    sink_t *s = connector_jdbc.create_sink(&f.t);
    chunk_t *c = chunk_new(&f.t.physical, 4);
    value_t v[4] = {value_i64(1), value_i64(-93784005000LL), value_i64(-27), value_i64(1609330394123000LL)};
    chunk_append_values(c, v, OP_INSERT);
    CHECK_EQ_INT(s->vt->write(s, c), 0);
    s->vt->close(s);
    /* LTZ is stored as its reading in the session zone. */
    CHECK_EQ_STR(query_text(db, "SELECT id, dt, ym, ltz FROM iv"), "1|-93784005000|-27|2020-12-30 20:13:14.123\n");
    int key = 0;
    lookup_t *l = connector_jdbc.create_lookup(&f.t, &key, 1);
    chunk_t *out = chunk_new(&f.t.physical, 4);
    CHECK_EQ_INT(l->vt->fetch(l, &v[0], out), 0);
    CHECK_EQ_INT(out->nrows, 1);
    for (int i = 0; i < 4; i++) CHECK_EQ_INT(out->cols[i].i64[0], v[i].i);
    value_set_session_tz(tz_get("UTC", NULL, 0));
    l->vt->close(l);
    chunk_free(out);
    chunk_free(c);
}

TEST(jdbc_errors)
{
    jdbc_types();
    fixture f;
    fx_init(&f, 9, jnames, jtypes, "url", "jdbc:oracle:thin:@localhost:1521:db", "table-name", "x", NULL);
    err_clear();
    CHECK(connector_jdbc.create_sink(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), "unsupported JDBC URL 'jdbc:oracle:thin:@localhost:1521:db' for table 't'; valid: "
                                "jdbc:sqlite:PATH, jdbc:postgresql://HOST[:PORT]/DATABASE, jdbc:mysql://HOST[:PORT]/DATABASE");
    err_clear();
    CHECK(connector_jdbc.create_lookup(&f.t, (int[]){0}, 1) == NULL);
    err_clear();

    char url[300];
    snprintf(url, sizeof url, "jdbc:sqlite:%s", tmp_path("missing.db"));
    fx_init(&f, 9, jnames, jtypes, "url", url, "table-name", "nope", NULL);
    lookup_t *l = connector_jdbc.create_lookup(&f.t, (int[]){0}, 1);
    CHECK(l != NULL);
    chunk_t *out = chunk_new(&f.t.physical, 8);
    value_t k = value_i64(1);
    CHECK_EQ_INT(l->vt->fetch(l, &k, out), -1);
    CHECK(strstr(err_message(), "jdbc lookup of table 't'") == err_message());
    CHECK(strstr(err_message(), "no such table: nope") != NULL);
    err_clear();
    l->vt->close(l);
    CHECK(connector_jdbc.create_source(&f.t) == NULL);
    CHECK(strstr(err_message(), "no such table: nope") != NULL);
    err_clear();
    chunk_free(out);

    fx_init(&f, 9, jnames, jtypes, "url", url, NULL);
    CHECK(connector_jdbc.create_sink(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), "connector 'jdbc' requires option 'table-name' (table 't')");
    err_clear();
}

int main(void)
{
    snprintf(tmp_root, sizeof tmp_root, "/tmp/eddy_connectors_XXXXXX");
    if (!mkdtemp(tmp_root)) { perror("mkdtemp"); return 1; }
    RUN(registry);
    RUN(unknown_option_suggests);
    RUN(option_checks);
    RUN(typed_option_helpers);
    RUN(filesystem_reads_a_directory_in_name_order);
    RUN(filesystem_errors_name_the_file_and_line);
    RUN(filesystem_large_file_crosses_read_blocks);
    RUN(filesystem_monitor_picks_up_new_files);
    RUN(filesystem_sink_writes_parts);
    RUN(filesystem_sink_rolls_over);
    RUN(print_sink_format);
    RUN(blackhole_counts);
    RUN(datagen_bounded_counts);
    RUN(datagen_sequences);
    RUN(datagen_random_ranges);
    RUN(datagen_times_and_nulls);
    RUN(datagen_paces_itself);
    RUN(datagen_option_errors);
    RUN(jdbc_sink_upserts_with_a_primary_key);
    RUN(jdbc_sink_buffer_keeps_the_last_change_per_key);
    RUN(jdbc_sink_flushes_by_rows_and_interval);
    RUN(jdbc_sink_appends_without_a_primary_key);
    RUN(jdbc_sink_into_a_table_without_a_unique_key);
    RUN(jdbc_lookup_without_and_with_cache);
    RUN(jdbc_values_round_trip_for_every_type);
    RUN(jdbc_intervals_and_zones_round_trip);
    RUN(jdbc_errors);
    remove_tree(tmp_root);
    return CHECK_DONE();
}
