/* sql_runner.c - runs the SQL tests (tests/sql, files ending in .test) against the eddy binary.
 *
 * A test file is a sequence of sections, each starting with a line "== kind [args]":
 *   == input NAME [(col TYPE, ...)]   rows of an input file; ${NAME} in the job becomes its path.
 *   == data NAME (col TYPE, ...) PATH a real data file (PATH relative to the repository root, e.g.
 *                                     ../shared/data/...): ${NAME} becomes its absolute path and it is
 *                                     loaded into the oracle database; when it is absent the test is
 *                                     skipped with a message.
 *                                     With a column list the rows are also loaded into the
 *                                     oracle database as table NAME (CSV, comma-separated).
 *   == sqlite                         SQL run on ${db} before the job (e.g. dimension tables)
 *   == job [-D key=value ...]         the job's SQL and eddy's options (${NAME} substituted there too);
 *                                     ${db} is the SQLite database of the run, in the run's directory.
 *   == output                         expected stdout (print sink rows), in order
 *   == output sorted                  expected stdout, compared after sorting
 *   == table NAME                     expected rows of table NAME in ${db} (sorted, comma-joined)
 *   == oracle NAME                    a SQLite query over the loaded inputs whose result must equal
 *                                     the final table NAME in ${db} (both sorted)
 *   == error                          every line must occur in stderr, and the run must fail
 *   == stderr                         every line must occur in stderr (the run may succeed)
 *   == explain                        every line must occur in `eddy explain` output
 * Lines starting with "#" before the first section are comments. The runner prints one line
 * per failing test and a closing "N passed, N failed" line. */
#include <sqlite3.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct section {
    char kind[32];
    char args[512];
    char *body;
} section;

typedef struct test {
    const char *path;
    char data_paths[8][512];        /* == data sections: name and absolute path */
    char data_names[8][128];
    int ndata;
    int skipped;
    section secs[64];
    int nsecs;
    char dir[256];
    char errors[8192];
} test;

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = 0;
    fclose(f);
    return buf;
}

static void write_all(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(2); }
    fputs(text, f);
    fclose(f);
}

static void fail(test *t, const char *fmt, const char *a, const char *b)
{
    size_t len = strlen(t->errors);
    snprintf(t->errors + len, sizeof t->errors - len, fmt, a, b);
}

static int parse_test(test *t, char *text)
{
    char *p = text;
    section *cur = NULL;
    char *body_start = NULL;
    while (*p) {
        char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len >= 3 && strncmp(p, "== ", 3) == 0) {
            if (cur) { p[-1] = 0; cur->body = body_start; }
            if (t->nsecs == 64) return -1;
            cur = &t->secs[t->nsecs++];
            char line[600];
            snprintf(line, sizeof line, "%.*s", (int)len - 3, p + 3);
            char *sp = strchr(line, ' ');
            if (sp) { *sp = 0; snprintf(cur->args, sizeof cur->args, "%s", sp + 1); }
            snprintf(cur->kind, sizeof cur->kind, "%.31s", line);
            body_start = eol ? eol + 1 : p + len;
            cur->body = body_start;
        }
        p = eol ? eol + 1 : p + len;
    }
    if (cur) cur->body = body_start;
    /* Trailing blank lines separate sections; they are not part of a body. */
    for (int i = 0; i < t->nsecs; i++) {
        char *b = t->secs[i].body;
        size_t n = strlen(b);
        while (n && (b[n - 1] == '\n' || b[n - 1] == '\r')) b[--n] = 0;
    }
    return 0;
}

/* Replace ${name} by the input file paths and ${db}. */
static char *substitute(test *t, const char *sql)
{
    size_t cap = strlen(sql) * 2 + 4096, len = 0;
    char *out = malloc(cap);
    for (const char *p = sql; *p;) {
        if (p[0] == '$' && p[1] == '{') {
            const char *end = strchr(p, '}');
            if (end) {
                char name[128];
                snprintf(name, sizeof name, "%.*s", (int)(end - p - 2), p + 2);
                char path[512];
                if (!strcmp(name, "db")) snprintf(path, sizeof path, "%s/out.db", t->dir);
                else if (!strcmp(name, "dir")) snprintf(path, sizeof path, "%s", t->dir);
                else snprintf(path, sizeof path, "%s/%s.input", t->dir, name);
                for (int d = 0; d < t->ndata; d++)
                    if (!strcmp(name, t->data_names[d])) snprintf(path, sizeof path, "%s", t->data_paths[d]);
                size_t n = strlen(path);
                if (len + n + 1 >= cap) { cap = (cap + n) * 2; out = realloc(out, cap); }
                memcpy(out + len, path, n);
                len += n;
                p = end + 1;
                continue;
            }
        }
        if (len + 2 >= cap) { cap *= 2; out = realloc(out, cap); }
        out[len++] = *p++;
    }
    out[len] = 0;
    return out;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Split into lines (dropping a trailing empty line), optionally sorted, joined back. */
static char *normalize(const char *text, int sorted)
{
    char *copy = strdup(text ? text : "");
    size_t n = 0, cap = 64;
    char **lines = malloc(cap * sizeof *lines);
    for (char *save = NULL, *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        size_t ll = strlen(l);
        while (ll && (l[ll - 1] == '\r' || l[ll - 1] == ' ')) l[--ll] = 0;
        if (!ll) continue;
        if (n == cap) { cap *= 2; lines = realloc(lines, cap * sizeof *lines); }
        lines[n++] = l;
    }
    if (sorted) qsort(lines, n, sizeof *lines, cmp_str);
    size_t total = 1;
    for (size_t i = 0; i < n; i++) total += strlen(lines[i]) + 1;
    char *out = malloc(total);
    out[0] = 0;
    for (size_t i = 0; i < n; i++) { strcat(out, lines[i]); strcat(out, "\n"); }
    free(lines);
    free(copy);
    return out;
}

static void render_value(sqlite3_stmt *st, int i, char *buf, size_t cap)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: snprintf(buf, cap, "NULL"); break;
    case SQLITE_INTEGER: snprintf(buf, cap, "%lld", (long long)sqlite3_column_int64(st, i)); break;
    case SQLITE_FLOAT: {
        double d = sqlite3_column_double(st, i);
        if (d == (double)(long long)d && d < 1e15 && d > -1e15) snprintf(buf, cap, "%lld", (long long)d);
        else snprintf(buf, cap, "%.6f", d);
        break;
    }
    default: snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(st, i)); break;
    }
}

static char *query_rows(sqlite3 *db, const char *sql, char *err, size_t errcap)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errcap, "%s", sqlite3_errmsg(db));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);
    out[0] = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            char v[1024];
            render_value(st, i, v, sizeof v);
            size_t n = strlen(v);
            if (len + n + 4 >= cap) { cap = (cap + n) * 2; out = realloc(out, cap); }
            if (i) out[len++] = ',';
            memcpy(out + len, v, n);
            len += n;
        }
        if (len + 2 >= cap) { cap *= 2; out = realloc(out, cap); }
        out[len++] = '\n';
        out[len] = 0;
    }
    sqlite3_finalize(st);
    return out;
}

/* Load an input section with a column list into the oracle database. */
static int load_input(test *t, sqlite3 *db, const char *name, const char *cols, const char *body)
{
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    char sql[2048];
    snprintf(sql, sizeof sql, "CREATE TABLE %s %s", name, cols);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fail(t, "  oracle: cannot create input table: %s%s\n", msg, "");
        sqlite3_free(msg);
        return -1;
    }
    int ncols = 1;
    for (const char *p = cols; *p; p++) ncols += *p == ',';
    char ins[4096];
    int off = snprintf(ins, sizeof ins, "INSERT INTO %s VALUES (", name);
    for (int i = 0; i < ncols; i++) off += snprintf(ins + off, sizeof ins - (size_t)off, "%s?", i ? "," : "");
    snprintf(ins + off, sizeof ins - (size_t)off, ")");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, ins, -1, &st, NULL) != SQLITE_OK) return -1;
    char *copy = strdup(body);
    for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (!*line || line[0] == '#') continue;
        sqlite3_reset(st);
        int i = 1;
        for (char *f = line;; i++) {
            char *comma = strchr(f, ',');
            if (comma) *comma = 0;
            if (!*f) sqlite3_bind_null(st, i);
            else sqlite3_bind_text(st, i, f, -1, SQLITE_TRANSIENT);
            if (!comma) break;
            f = comma + 1;
        }
        sqlite3_step(st);
    }
    free(copy);
    sqlite3_finalize(st);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    return 0;
}

static int contains_lines(test *t, const char *what, const char *expected, const char *actual)
{
    int ok = 1;
    char *copy = strdup(expected);
    for (char *save = NULL, *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (!*l) continue;
        if (!strstr(actual, l)) { fail(t, "  %s lacks: %s\n", what, l); ok = 0; }
    }
    free(copy);
    if (!ok) fail(t, "  actual %s:\n%s\n", what, actual);
    return ok;
}

static char *substitute(test *t, const char *sql);

static int run_eddy(test *t, const char *eddy, const char *cmd, const char *jobargs, char **out, char **err)
{
    char command[4096];
    char *args = substitute(t, jobargs);
    snprintf(command, sizeof command, "cd %s && %s %s job.sql %s > stdout.txt 2> stderr.txt", t->dir, eddy, cmd, args);
    free(args);
    int rc = system(command);
    char path[512];
    snprintf(path, sizeof path, "%s/stdout.txt", t->dir);
    *out = read_all(path);
    snprintf(path, sizeof path, "%s/stderr.txt", t->dir);
    *err = read_all(path);
    if (!*out) *out = strdup("");
    if (!*err) *err = strdup("");
    return rc;
}

static int run_test(test *t, const char *eddy)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/eddy-sqltest-XXXXXX");
    if (!mkdtemp(t->dir)) { perror("mkdtemp"); return -1; }
    sqlite3 *oracle = NULL;
    sqlite3_open(":memory:", &oracle);
    const section *job = NULL;
    for (int i = 0; i < t->nsecs; i++) {
        section *s = &t->secs[i];
        if (!strcmp(s->kind, "input")) {
            char name[128] = "", cols[400] = "";
            sscanf(s->args, "%127s %399[^\n]", name, cols);
            char path[512];
            snprintf(path, sizeof path, "%s/%s.input", t->dir, name);
            /* The body's final newline is kept only if the test wrote an empty last line. */
            write_all(path, s->body);
            if (cols[0] && load_input(t, oracle, name, cols, s->body)) break;
        } else if (!strcmp(s->kind, "data")) {
            char name[128] = "", cols[400] = "", rel[400] = "";
            char *close = strrchr(s->args, ')');
            if (!close || sscanf(s->args, "%127s", name) != 1) { fail(t, "  bad == data line: %s%s\n", s->args, ""); break; }
            snprintf(cols, sizeof cols, "%.*s", (int)(close - strchr(s->args, '(') + 1), strchr(s->args, '('));
            sscanf(close + 1, " %399s", rel);
            char *abs = realpath(rel, NULL);
            if (!abs) { t->skipped = 1; printf("SKIP %s: %s is absent\n", t->path, rel); break; }
            char *body = read_all(abs);
            snprintf(t->data_names[t->ndata], sizeof t->data_names[0], "%s", name);
            snprintf(t->data_paths[t->ndata], sizeof t->data_paths[0], "%s", abs);
            t->ndata++;
            free(abs);
            int rc = body ? load_input(t, oracle, name, cols, body) : -1;
            free(body);
            if (rc) break;
        } else if (!strcmp(s->kind, "job")) {
            job = s;
        }
    }
    int ok = t->errors[0] == 0;
    if (t->skipped) { sqlite3_close(oracle); return 1; }
    if (!job) { fail(t, "  no == job section%s%s\n", "", ""); ok = 0; }
    for (int i = 0; i < t->nsecs && ok; i++) {
        if (strcmp(t->secs[i].kind, "sqlite")) continue;
        char dbp[512];
        snprintf(dbp, sizeof dbp, "%s/out.db", t->dir);
        sqlite3 *setup;
        char *msg = NULL;
        sqlite3_open(dbp, &setup);
        if (sqlite3_exec(setup, t->secs[i].body, NULL, NULL, &msg) != SQLITE_OK) {
            fail(t, "  == sqlite section failed: %s%s\n", msg, "");
            ok = 0;
        }
        sqlite3_free(msg);
        sqlite3_close(setup);
    }
    if (ok) {
        char *sql = substitute(t, job->body);
        char path[512];
        snprintf(path, sizeof path, "%s/job.sql", t->dir);
        write_all(path, sql);
        free(sql);
        char *out, *err;
        int rc = run_eddy(t, eddy, "run", job->args, &out, &err);
        char dbpath[512];
        snprintf(dbpath, sizeof dbpath, "%s/out.db", t->dir);
        sqlite3 *db = NULL;
        int expect_error = 0;
        for (int i = 0; i < t->nsecs; i++) expect_error |= !strcmp(t->secs[i].kind, "error");
        if (!expect_error && rc != 0) { fail(t, "  eddy failed:\n%s%s\n", err, ""); ok = 0; }
        if (expect_error && rc == 0) { fail(t, "  eddy succeeded but an error was expected%s%s\n", "", ""); ok = 0; }
        if (strstr(err, "ERROR: AddressSanitizer") || strstr(err, "runtime error:")) { fail(t, "  sanitizer report:\n%s%s\n", err, ""); ok = 0; }
        for (int i = 0; i < t->nsecs && ok; i++) {
            section *s = &t->secs[i];
            if (!strcmp(s->kind, "output")) {
                int sorted = strstr(s->args, "sorted") != NULL;
                char *want = normalize(s->body, sorted), *got = normalize(out, sorted);
                if (strcmp(want, got)) { fail(t, "  output differs; expected:\n%s  actual:\n%s", want, got); ok = 0; }
                free(want);
                free(got);
            } else if (!strcmp(s->kind, "error") || !strcmp(s->kind, "stderr")) {
                ok &= contains_lines(t, "stderr", s->body, err);
            } else if (!strcmp(s->kind, "table") || !strcmp(s->kind, "oracle")) {
                if (!db && sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
                    fail(t, "  cannot open %s%s\n", dbpath, ""); ok = 0; break;
                }
                char q[600], msg[512] = "";
                snprintf(q, sizeof q, "SELECT * FROM %s", s->args);
                char *rows = query_rows(db, q, msg, sizeof msg);
                if (!rows) { fail(t, "  %s: %s\n", q, msg); ok = 0; break; }
                char *got = normalize(rows, 1);
                char *want;
                if (!strcmp(s->kind, "table")) want = normalize(s->body, 1);
                else {
                    char *orows = query_rows(oracle, s->body, msg, sizeof msg);
                    if (!orows) { fail(t, "  oracle query: %s%s\n", msg, ""); ok = 0; free(got); free(rows); break; }
                    want = normalize(orows, 1);
                    free(orows);
                }
                if (strcmp(want, got)) { fail(t, "  table %s differs; expected:\n%s", s->args, want); fail(t, "  actual:\n%s%s", got, ""); ok = 0; }
                free(want);
                free(got);
                free(rows);
            } else if (!strcmp(s->kind, "explain")) {
                char *eout, *eerr;
                run_eddy(t, eddy, "explain", job->args, &eout, &eerr);
                ok &= contains_lines(t, "explain output", s->body, eout);
                free(eout);
                free(eerr);
            }
        }
        if (db) sqlite3_close(db);
        free(out);
        free(err);
    }
    sqlite3_close(oracle);
    if (ok) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf %s", t->dir);
        if (system(cmd) != 0) return ok;
    }
    return ok;
}

int main(int argc, char **argv)
{
    if (argc < 3) { fprintf(stderr, "usage: sql_runner EDDY TEST.test...\n"); return 2; }
    const char *eddy = realpath(argv[1], NULL);
    if (!eddy) { perror(argv[1]); return 2; }
    int passed = 0, failed = 0, skipped = 0;
    for (int i = 2; i < argc; i++) {
        char *text = read_all(argv[i]);
        if (!text) { perror(argv[i]); failed++; continue; }
        static test t;
        memset(&t, 0, sizeof t);
        t.path = argv[i];
        if (parse_test(&t, text) < 0) { printf("FAIL %s: too many sections\n", argv[i]); failed++; free(text); continue; }
        int ok = run_test(&t, eddy);
        if (ok && t.skipped) skipped++;
        else if (ok) passed++;
        else {
            failed++;
            printf("FAIL %s (files kept in %s)\n%s", argv[i], t.dir, t.errors);
        }
        free(text);
    }
    printf("sql: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}
