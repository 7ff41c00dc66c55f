/* jdbc_postgres.c - the PostgreSQL driver of the 'jdbc' connector (libpq):
 * 'url' = 'jdbc:postgresql://HOST[:PORT]/DATABASE[?PARAMS]'.
 *
 * Connecting: host, port (default 5432) and database come from the URL; 'username' /
 * 'password' from the table's options; URL parameters in pgjdbc's spelling (user, password,
 * ssl, sslmode, connectTimeout, ApplicationName, currentSchema, ...) or any libpq keyword
 * are passed on, and override the options as in pgjdbc. Every session runs with TimeZone
 * UTC, DateStyle ISO, client_encoding UTF8, so values travel as text in fixed forms.
 *
 * Names: like an unquoted name in Flink's PostgreSQL dialect, a table or column name made of
 * letters, digits and '_' is folded to lower case; every name is then double-quoted, so
 * reserved words work as column names. 'table-name' may be 'schema.table'; a table-name
 * holding a '"' is used as written.
 *
 * Types of created tables: BOOLEAN, INTEGER, BIGINT, DOUBLE PRECISION, NUMERIC(p, s), TEXT /
 * VARCHAR(n), DATE, TIMESTAMP(p), TIMESTAMP(p) WITH TIME ZONE for TIMESTAMP_LTZ, INTERVAL.
 *
 * Writing a batch (one transaction, or none when it is a single statement): deletes as
 * DELETE ... WHERE k IN ($1, ...) (or (k1, k2) IN (($1, $2), ...)), then upserts as
 * multi-row INSERT ... VALUES (...), (...) ON CONFLICT (pk) DO UPDATE SET c = EXCLUDED.c
 * (DO NOTHING when every column is a key column). A statement carries up to
 * ROWS_PER_STATEMENT rows (and fewer than 65536 parameters); the full-size statements and
 * those of the first PREPARED_SLOTS other sizes are prepared once per connection, other
 * sizes are sent unprepared. Without a primary key rows are appended with COPY ... FROM
 * STDIN (text format), which costs the server about a third less than INSERT. When an
 * existing table has no unique constraint on the key (ON CONFLICT cannot be used) a batch
 * deletes every key it touches and then COPYs the new rows in. Values travel as text:
 * value_format's forms, DOUBLE with 17 significant digits, TIMESTAMP_LTZ as the UTC reading
 * with "+00", intervals as "D days N microseconds" / "N months".
 *
 * Reading (lookup: a prepared SELECT ... WHERE k = $1 AND ...; scan: a cursor fetched
 * scan.fetch-size rows at a time) turns text cells into values with jdbc_append_text_row;
 * TIMESTAMP_LTZ cells ("... +00") and intervals (selected as a count of microseconds or
 * months) are converted here.
 *
 * Retryable failures: the connection is lost, SQLSTATE class 08 (connection exception),
 * 57P01/57P02/57P03 (shutdown, crash, starting up), 40001/40P01 (serialization failure,
 * deadlock). */
#include "connect/jdbc.h"
#include "base/util.h"
#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

#define DEFAULT_PORT 5432
#define ROWS_PER_STATEMENT 1000
#define MAX_PARAMS 65535
#define DEFAULT_FETCH_SIZE 4096
#define PREPARED_SLOTS 8
#define NO_VALUE ((size_t)-1)
#define COPY_CHUNK (256 * 1024)

enum stmt_kind { STMT_UPSERT, STMT_DELETE };

typedef struct prepared {
    uint8_t kind;                /* stmt_kind */
    uint32_t nrows;              /* 0: free slot */
} prepared;

/* Text parameters of one statement: bytes with a NUL after each value. */
typedef struct params {
    sb_t text;
    size_t *offs;                /* per parameter: offset into text, or NO_VALUE for NULL */
    const char **vals;           /* per parameter, filled from offs before sending */
    size_t cap;
} params_t;

struct jdbc_conn {
    PGconn *pg;
    char *where;                 /* "host:port/database", for messages */
    char sqlstate[6];            /* of the last failure ("" when none was reported) */
    /* sink */
    sb_t table;                  /* the quoted target table */
    sb_t insert_head;            /* INSERT INTO t (cols) VALUES */
    sb_t copy_sql;               /* COPY t (cols) FROM STDIN */
    sb_t upsert_tail;            /* ON CONFLICT (pk) DO UPDATE SET ... */
    sb_t delete_head;            /* DELETE FROM t WHERE k IN ( / (k1, k2) IN ( */
    int delete_then_insert;      /* the table has no unique constraint on the key */
    uint32_t full_prepared[2];   /* per stmt_kind: the full-size statement is prepared */
    prepared prep[PREPARED_SLOTS];   /* statements of other sizes */
    uint32_t *upserts, *deletes; /* batch rows by kind */
    size_t rows_cap;
    params_t p;
    sb_t sql;
    /* lookup and scan */
    int lookup_prepared;
    int *special;                /* per column: 0, or the type id converted by this driver */
    const char **cells;          /* one result row's cells for jdbc_append_text_row */
    size_t *lens;
    PGresult *scan_res;          /* the current FETCH result */
    int scan_pos;
    int64_t fetch_size;
};

/* ---- names ---- */

static int is_plain_name(const char *s, size_t n)
{
    if (!n) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_') return 0;
    return 1;
}

/* One name, folded like an unquoted PostgreSQL identifier when plain, then quoted. */
static void put_name(sb_t *b, const char *s, size_t n)
{
    int fold = is_plain_name(s, n);
    sb_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') sb_putc(b, '"');
        sb_putc(b, fold ? (char)tolower((unsigned char)s[i]) : s[i]);
    }
    sb_putc(b, '"');
}

static void put_ident(sb_t *b, const char *name) { put_name(b, name, strlen(name)); }

/* 'table-name': "schema.table" or "table"; used as written when it quotes itself. */
static void put_table(sb_t *b, const char *name)
{
    if (strchr(name, '"')) {
        sb_puts(b, name);
        return;
    }
    const char *dot = strchr(name, '.');
    if (dot) {
        put_name(b, name, (size_t)(dot - name));
        sb_putc(b, '.');
        name = dot + 1;
    }
    put_ident(b, name);
}

static void put_column_list(sb_t *b, const connector_table *t, const int *cols, int n)
{
    for (int k = 0; k < n; k++) {
        if (k) sb_puts(b, ", ");
        put_ident(b, t->physical.names[cols ? cols[k] : k]);
    }
}

/* ---- errors ---- */

/* libpq's message on one line: its lines joined by "; " (an indented line continues the one
 * before it, joined by a space), runs of spaces as one. */
static void put_message(sb_t *b, const char *msg)
{
    size_t start = b->len;
    const char *sep = NULL;
    for (const char *p = msg ? msg : ""; *p; p++) {
        if (*p == '\n') {
            sep = p[1] == '\t' || p[1] == ' ' ? " " : "; ";
            continue;
        }
        if (isspace((unsigned char)*p)) {
            if (!sep) sep = " ";
            continue;
        }
        if (sep && b->len > start) sb_puts(b, sep);
        sep = NULL;
        sb_putc(b, *p);
    }
}

/* Records the failure of `what` (a result, or the connection's last error when res is NULL),
 * remembering its SQLSTATE for retryable(). Frees res. */
static int fail(jdbc_conn *c, const connector_table *t, const char *what, PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    snprintf(c->sqlstate, sizeof c->sqlstate, "%s", state ? state : "");
    sb_t m = {0};
    put_message(&m, primary ? primary : PQerrorMessage(c->pg));
    if (state) sb_printf(&m, " (SQLSTATE %s)", state);
    if (detail) {
        sb_puts(&m, "; ");
        put_message(&m, detail);
    }
    err_msg("jdbc %s of table '%s' in PostgreSQL %s failed: %s", what, t->name, c->where, sb_str(&m));
    sb_free(&m);
    PQclear(res);
    return -1;
}

/* Runs sql without parameters; 0 when it succeeded. */
static int exec_sql(jdbc_conn *c, const connector_table *t, const char *what, const char *sql)
{
    PGresult *res = PQexec(c->pg, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        PQclear(res);
        return 0;
    }
    return fail(c, t, what, res);
}

static int pg_retryable(jdbc_conn *c)
{
    static const char *const transient[] = {"57P01", "57P02", "57P03", "40001", "40P01"};
    if (PQstatus(c->pg) == CONNECTION_BAD) return 1;
    if (!strncmp(c->sqlstate, "08", 2)) return 1;
    for (size_t i = 0; i < ARRAY_LEN(transient); i++)
        if (!strcmp(c->sqlstate, transient[i])) return 1;
    return 0;
}

/* ---- connecting ---- */

/* libpq's connection keywords and values (NULL-terminated) and the text they point into. */
typedef struct conn_params {
    const char *keys[48];
    const char *vals[48];
    int n;
    sb_t store;                  /* decoded URL parameter text */
    VEC(size_t) offs;            /* pairs of offsets into store (key, value) */
    sb_t schema_option;          /* options with currentSchema's search_path */
} conn_params;

static void cp_set(conn_params *cp, const char *key, const char *val)
{
    for (int i = 0; i < cp->n; i++)
        if (!strcmp(cp->keys[i], key)) {
            cp->vals[i] = val;
            return;
        }
    if (cp->n < (int)ARRAY_LEN(cp->keys) - 1) {
        cp->keys[cp->n] = key;
        cp->vals[cp->n++] = val;
    }
}

/* Percent-decodes s[0..n) into store, NUL-terminated; returns the offset. */
static size_t decode_into(sb_t *store, const char *s, size_t n)
{
    size_t off = store->len;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            sb_putc(store, (char)strtol(hex, NULL, 16));
            i += 2;
        } else {
            sb_putc(store, s[i] == '+' ? ' ' : s[i]);
        }
    }
    sb_putc(store, 0);
    return off;
}

static int is_libpq_keyword(const char *key)
{
    PQconninfoOption *known = PQconndefaults();
    int found = 0;
    for (PQconninfoOption *o = known; o && o->keyword && !found; o++) found = !strcmp(o->keyword, key);
    PQconninfoFree(known);
    return found;
}

/* The libpq keyword for a URL parameter (pgjdbc's name, or libpq's own), adjusting *val
 * where the values differ; NULL when libpq has no such setting. */
static const char *libpq_key_for(const char *key, const char **val)
{
    static const char *const same[][2] = {
        {"user", "user"}, {"password", "password"}, {"sslmode", "sslmode"}, {"sslcert", "sslcert"},
        {"sslkey", "sslkey"}, {"sslrootcert", "sslrootcert"}, {"sslpassword", "sslpassword"},
        {"connectTimeout", "connect_timeout"}, {"loginTimeout", "connect_timeout"},
        {"ApplicationName", "application_name"}, {"applicationName", "application_name"},
        {"options", "options"}, {"gssEncMode", "gssencmode"}, {"channelBinding", "channel_binding"},
    };
    for (size_t i = 0; i < ARRAY_LEN(same); i++)
        if (!strcmp(key, same[i][0])) return same[i][1];
    if (!strcmp(key, "ssl")) {
        *val = str_ieq(*val, "false") ? "disable" : "verify-full";
        return "sslmode";
    }
    if (!strcmp(key, "tcpKeepAlive")) {
        *val = str_ieq(*val, "false") ? "0" : "1";
        return "keepalives";
    }
    if (!strcmp(key, "targetServerType")) {
        static const char *const kinds[][2] = {{"master", "primary"}, {"primary", "primary"}, {"slave", "standby"},
                                               {"secondary", "standby"}, {"standby", "standby"},
                                               {"preferSlave", "prefer-standby"}, {"preferSecondary", "prefer-standby"},
                                               {"preferStandby", "prefer-standby"}, {"any", "any"}};
        for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
            if (str_ieq(*val, kinds[i][0])) *val = kinds[i][1];
        return "target_session_attrs";
    }
    return is_libpq_keyword(key) ? key : NULL;
}

/* URL parameters k=v&k=v onto cp; currentSchema becomes a search_path option. Unknown
 * pgjdbc parameters (prepareThreshold, reWriteBatchedInserts, ...) do not apply here. */
static void add_url_params(conn_params *cp, const char *params)
{
    size_t n = 0;
    for (const char *p = params; p && *p; p += n + (p[n] == '&')) {
        n = strcspn(p, "&");
        const char *eq = memchr(p, '=', n);
        if (!eq) continue;
        VEC_PUSH(cp->offs, decode_into(&cp->store, p, (size_t)(eq - p)));
        VEC_PUSH(cp->offs, decode_into(&cp->store, eq + 1, n - (size_t)(eq + 1 - p)));
    }
    const char *schema = NULL;
    for (size_t i = 0; i < cp->offs.len; i += 2) {
        const char *key = cp->store.data + cp->offs.items[i];
        const char *val = cp->store.data + cp->offs.items[i + 1];
        if (!strcmp(key, "currentSchema")) {
            schema = val;
            continue;
        }
        const char *libpq = libpq_key_for(key, &val);
        if (libpq) cp_set(cp, libpq, val);
    }
    if (!schema) return;
    for (int i = 0; i < cp->n; i++)
        if (!strcmp(cp->keys[i], "options")) sb_printf(&cp->schema_option, "%s ", cp->vals[i]);
    sb_printf(&cp->schema_option, "-c search_path=%s", schema);
    cp_set(cp, "options", cp->schema_option.data);
}

/* Notices ("relation already exists, skipping") are not errors; they are not shown. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* The servers of the URL as libpq's comma-separated host and port lists: "h1:5433,h2"
 * (jdbc_url_parse split off the last ":port"), "[::1]:5432" or "::1" (brackets already
 * removed); the port defaults to 5432. */
static void server_list(const jdbc_url *u, sb_t *hosts, sb_t *ports)
{
    if (strchr(u->host, ':') && !strchr(u->host, ',') && u->host[0] != '[') {    /* one IPv6 address */
        sb_puts(hosts, u->host);
        sb_printf(ports, "%d", u->port ? u->port : DEFAULT_PORT);
        return;
    }
    sb_t all = {0};
    sb_puts(&all, u->host);
    if (u->port) sb_printf(&all, ":%d", u->port);
    for (const char *p = sb_str(&all); *p;) {
        size_t n = strcspn(p, ",");
        const char *end = p + n, *colon = NULL;
        if (*p == '[') {                                /* [IPv6]:port */
            const char *close = memchr(p, ']', n);
            if (close && close + 1 < end && close[1] == ':') colon = close + 1;
            sb_printf(hosts, "%s%.*s", hosts->len ? "," : "", (int)((close ? close : end) - p - 1), p + 1);
        } else {
            for (const char *q = p; q < end; q++)
                if (*q == ':') colon = q;
            sb_printf(hosts, "%s%.*s", hosts->len ? "," : "", (int)((colon ? colon : end) - p), p);
        }
        if (colon) sb_printf(ports, "%s%.*s", ports->len ? "," : "", (int)(end - colon - 1), colon + 1);
        else sb_printf(ports, "%s%d", ports->len ? "," : "", DEFAULT_PORT);
        p = end + (*end == ',');
    }
    sb_free(&all);
}

/* "h1:5432,[::1]:5433/db": the servers and database, for messages. */
static char *server_names(const char *hosts, const char *ports, const char *database)
{
    sb_t b = {0};
    while (*hosts) {
        size_t hn = strcspn(hosts, ","), pn = strcspn(ports, ",");
        int v6 = memchr(hosts, ':', hn) != NULL;
        sb_printf(&b, "%s%s%.*s%s:%.*s", b.len ? "," : "", v6 ? "[" : "", (int)hn, hosts, v6 ? "]" : "", (int)pn,
                  ports);
        hosts += hn + (hosts[hn] == ',');
        ports += pn + (ports[pn] == ',');
    }
    sb_printf(&b, "/%s", database);
    return sb_take(&b);
}

/* Connects with the URL's servers, database and parameters and the table's options. */
static PGconn *open_connection(const connector_table *t, const jdbc_url *u, const char *hosts, const char *ports)
{
    conn_params cp = {0};
    cp_set(&cp, "host", hosts);
    cp_set(&cp, "port", ports);
    cp_set(&cp, "dbname", u->database);
    cp_set(&cp, "client_encoding", "UTF8");
    cp_set(&cp, "connect_timeout", "10");            /* pgjdbc's default connectTimeout */
    if (table_opt(t, "username")) cp_set(&cp, "user", table_opt(t, "username"));
    if (table_opt(t, "password")) cp_set(&cp, "password", table_opt(t, "password"));
    add_url_params(&cp, u->params);
    cp.keys[cp.n] = cp.vals[cp.n] = NULL;
    PGconn *pg = PQconnectdbParams(cp.keys, cp.vals, 0);
    sb_free(&cp.store);
    sb_free(&cp.schema_option);
    VEC_FREE(cp.offs);
    return pg;
}

static void free_conn(jdbc_conn *c)
{
    PQclear(c->scan_res);
    PQfinish(c->pg);
    free(c->where);
    sb_free(&c->table);
    sb_free(&c->insert_head);
    sb_free(&c->copy_sql);
    sb_free(&c->upsert_tail);
    sb_free(&c->delete_head);
    free(c->upserts);
    free(c->deletes);
    sb_free(&c->p.text);
    free(c->p.offs);
    free(c->p.vals);
    sb_free(&c->sql);
    free(c->special);
    free(c->cells);
    free(c->lens);
    free(c);
}

static jdbc_conn *pg_connect(const connector_table *t)
{
    jdbc_url u;
    if (jdbc_url_parse(t, "jdbc:postgresql:", &u)) return NULL;
    sb_t hosts = {0}, ports = {0};
    server_list(&u, &hosts, &ports);
    jdbc_conn *c = xcalloc(1, sizeof *c);
    c->where = server_names(sb_str(&hosts), sb_str(&ports), u.database);
    c->pg = open_connection(t, &u, sb_str(&hosts), sb_str(&ports));
    sb_free(&hosts);
    sb_free(&ports);
    jdbc_url_free(&u);
    if (PQstatus(c->pg) != CONNECTION_OK) {
        sb_t m = {0};
        put_message(&m, PQerrorMessage(c->pg));
        err_at(table_opt_entry(t, "url")->value_span, "cannot connect to PostgreSQL at %s for table '%s': %s", c->where,
               t->name, sb_str(&m));
        sb_free(&m);
        free_conn(c);
        return NULL;
    }
    PQsetNoticeProcessor(c->pg, ignore_notice, NULL);
    if (exec_sql(c, t, "session set-up", "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; "
                                          "SET IntervalStyle = 'postgres'; SET extra_float_digits = 1")) {
        free_conn(c);
        return NULL;
    }
    return c;
}

static void pg_disconnect(jdbc_conn *c) { free_conn(c); }

/* ---- creating the table ---- */

static void put_type(sb_t *b, type_t ty)
{
    int p = ty.precision > 6 ? 6 : ty.precision;
    switch (ty.id) {
    case TY_BOOLEAN: sb_puts(b, "BOOLEAN"); break;
    case TY_INT: sb_puts(b, "INTEGER"); break;
    case TY_BIGINT: sb_puts(b, "BIGINT"); break;
    case TY_DOUBLE: sb_puts(b, "DOUBLE PRECISION"); break;
    case TY_DECIMAL: sb_printf(b, "NUMERIC(%d, %d)", ty.precision, ty.scale); break;
    case TY_STRING:
        if (ty.length > 0 && ty.length <= 10485760) sb_printf(b, "VARCHAR(%d)", (int)ty.length);
        else sb_puts(b, "TEXT");
        break;
    case TY_DATE: sb_puts(b, "DATE"); break;
    case TY_TIMESTAMP: sb_printf(b, "TIMESTAMP(%d)", p); break;
    case TY_TIMESTAMP_LTZ: sb_printf(b, "TIMESTAMP(%d) WITH TIME ZONE", p); break;
    default: sb_puts(b, "INTERVAL"); break;
    }
}

static int create_table(jdbc_conn *c, const connector_table *t)
{
    sb_t *sql = &c->sql;
    sb_clear(sql);
    sb_puts(sql, "CREATE TABLE IF NOT EXISTS ");
    sb_append(sql, c->table.data, c->table.len);
    sb_puts(sql, " (");
    for (uint32_t i = 0; i < t->physical.ncols; i++) {
        if (i) sb_puts(sql, ", ");
        put_ident(sql, t->physical.names[i]);
        sb_putc(sql, ' ');
        put_type(sql, t->physical.types[i]);
        if (jdbc_is_pk(t, i) || t->physical.types[i].not_null) sb_puts(sql, " NOT NULL");
    }
    if (t->npk) {
        sb_puts(sql, ", PRIMARY KEY (");
        put_column_list(sql, t, t->pk, t->npk);
        sb_putc(sql, ')');
    }
    sb_putc(sql, ')');
    PGresult *res = PQexec(c->pg, sql->data);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    /* Another connection creating the same table at the same moment: it exists now. */
    if (PQresultStatus(res) == PGRES_COMMAND_OK || (state && !strcmp(state, "23505"))) {
        PQclear(res);
        return 0;
    }
    return fail(c, t, "sink (creating the table)", res);
}

/* ---- statements ---- */

static void build_sql_parts(jdbc_conn *c, const connector_table *t)
{
    sb_puts(&c->insert_head, "INSERT INTO ");
    sb_append(&c->insert_head, c->table.data, c->table.len);
    sb_puts(&c->insert_head, " (");
    put_column_list(&c->insert_head, t, NULL, (int)t->physical.ncols);
    sb_puts(&c->insert_head, ") VALUES ");
    sb_puts(&c->copy_sql, "COPY ");
    sb_append(&c->copy_sql, c->table.data, c->table.len);
    sb_puts(&c->copy_sql, " (");
    put_column_list(&c->copy_sql, t, NULL, (int)t->physical.ncols);
    sb_puts(&c->copy_sql, ") FROM STDIN");
    if (!t->npk) return;
    sb_puts(&c->upsert_tail, " ON CONFLICT (");
    put_column_list(&c->upsert_tail, t, t->pk, t->npk);
    sb_puts(&c->upsert_tail, ") DO ");
    int n = 0;
    for (uint32_t i = 0; i < t->physical.ncols; i++) {
        if (jdbc_is_pk(t, i)) continue;
        sb_puts(&c->upsert_tail, n++ ? ", " : "UPDATE SET ");
        put_ident(&c->upsert_tail, t->physical.names[i]);
        sb_puts(&c->upsert_tail, " = EXCLUDED.");
        put_ident(&c->upsert_tail, t->physical.names[i]);
    }
    if (!n) sb_puts(&c->upsert_tail, "NOTHING");
    sb_puts(&c->delete_head, "DELETE FROM ");
    sb_append(&c->delete_head, c->table.data, c->table.len);
    sb_puts(&c->delete_head, t->npk > 1 ? " WHERE (" : " WHERE ");
    put_column_list(&c->delete_head, t, t->pk, t->npk);
    sb_puts(&c->delete_head, t->npk > 1 ? ") IN (" : " IN (");
}

static int stmt_width(const connector_table *t, int kind)
{
    return kind == STMT_DELETE ? t->npk : (int)t->physical.ncols;
}

/* Rows per statement of this kind: ROWS_PER_STATEMENT, fewer for wide rows. */
static uint32_t stmt_rows(const connector_table *t, int kind)
{
    int w = stmt_width(t, kind);
    return (uint32_t)MIN(ROWS_PER_STATEMENT, MAX_PARAMS / (w ? w : 1));
}

/* The SQL of a statement of `kind` for nrows rows into c->sql. */
static void build_statement(jdbc_conn *c, const connector_table *t, int kind, uint32_t nrows)
{
    sb_t *sql = &c->sql;
    int w = stmt_width(t, kind);
    int tuple = kind != STMT_DELETE || w > 1;
    sb_clear(sql);
    const sb_t *head = kind == STMT_DELETE ? &c->delete_head : &c->insert_head;
    sb_append(sql, head->data, head->len);
    int param = 1;
    for (uint32_t r = 0; r < nrows; r++) {
        if (r) sb_puts(sql, ", ");
        if (tuple) sb_putc(sql, '(');
        for (int k = 0; k < w; k++) sb_printf(sql, k ? ", $%d" : "$%d", param++);
        if (tuple) sb_putc(sql, ')');
    }
    if (kind == STMT_DELETE) sb_putc(sql, ')');
    else sb_append(sql, c->upsert_tail.data, c->upsert_tail.len);
}

static void stmt_name(char *buf, size_t cap, int kind, uint32_t nrows)
{
    snprintf(buf, cap, "eddy_%c%u", "ud"[kind], nrows);
}

/* The flag or slot that says the statement of `kind` for nrows rows is prepared: statements
 * of the full size always have one, PREPARED_SLOTS other sizes get one as they come. NULL
 * when every slot is taken. */
static uint32_t *prepared_mark(jdbc_conn *c, const connector_table *t, int kind, uint32_t nrows)
{
    if (nrows == stmt_rows(t, kind)) return &c->full_prepared[kind];
    prepared *free_slot = NULL;
    for (int i = 0; i < PREPARED_SLOTS; i++) {
        prepared *p = &c->prep[i];
        if (p->nrows == nrows && p->kind == kind) return &p->nrows;
        if (!p->nrows && !free_slot) free_slot = p;
    }
    if (!free_slot) return NULL;
    free_slot->kind = (uint8_t)kind;
    return &free_slot->nrows;
}

/* 1 when the statement is prepared on this connection as `name` (prepared now if need be);
 * 0 when it is to be sent unprepared, or when preparing failed (*failed set, error recorded). */
static int prepared_statement(jdbc_conn *c, const connector_table *t, int kind, uint32_t nrows, char *name,
                              size_t cap, int *failed)
{
    uint32_t *mark = prepared_mark(c, t, kind, nrows);
    if (!mark) return 0;
    stmt_name(name, cap, kind, nrows);
    if (*mark) return 1;
    build_statement(c, t, kind, nrows);
    PGresult *res = PQprepare(c->pg, name, c->sql.data, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        *failed = 1;
        fail(c, t, "sink", res);
        return 0;
    }
    PQclear(res);
    *mark = nrows;
    return 1;
}

/* Checks that ON CONFLICT can be used: it needs a unique constraint on the key, which the
 * planner looks for, so the upsert of a row of NULLs is planned (EXPLAIN) but not run. */
static int probe_upsert(jdbc_conn *c, const connector_table *t)
{
    sb_t *sql = &c->sql;
    sb_clear(sql);
    sb_puts(sql, "EXPLAIN ");
    sb_append(sql, c->insert_head.data, c->insert_head.len);
    for (uint32_t i = 0; i < t->physical.ncols; i++) sb_puts(sql, i ? ", NULL" : "(NULL");
    sb_putc(sql, ')');
    sb_append(sql, c->upsert_tail.data, c->upsert_tail.len);
    PGresult *res = PQexec(c->pg, sql->data);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (PQresultStatus(res) == PGRES_TUPLES_OK || (state && !strcmp(state, "42P10"))) {
        c->delete_then_insert = PQresultStatus(res) != PGRES_TUPLES_OK;      /* invalid_column_reference */
        PQclear(res);
        return 0;
    }
    return fail(c, t, "sink", res);
}

static int pg_open_sink(jdbc_conn *c, const connector_table *t)
{
    put_table(&c->table, jdbc_table_name(t));
    if (create_table(c, t)) return -1;
    build_sql_parts(c, t);
    return t->npk ? probe_upsert(c, t) : 0;
}

/* ---- parameters ---- */

static void params_reserve(params_t *p, size_t n)
{
    if (n <= p->cap) return;
    p->offs = xrealloc(p->offs, n * sizeof *p->offs);
    p->vals = xrealloc(p->vals, n * sizeof *p->vals);
    p->cap = n;
}

static void put_i64(sb_t *b, int64_t v)
{
    char buf[24], *e = buf + sizeof buf, *s = e;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do *--s = (char)('0' + u % 10); while (u /= 10);
    if (v < 0) *--s = '-';
    sb_append(b, s, (size_t)(e - s));
}

static void put_decimal(sb_t *b, int64_t v, int scale)
{
    if (!scale) {
        put_i64(b, v);
        return;
    }
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, p = (uint64_t)pow10_i64(scale), f = u % p;
    char frac[20];
    for (int i = scale - 1; i >= 0; i--, f /= 10) frac[i] = (char)('0' + f % 10);
    if (v < 0) sb_putc(b, '-');
    put_i64(b, (int64_t)(u / p));
    sb_putc(b, '.');
    sb_append(b, frac, (size_t)scale);
}

/* The text of row r of v (not NULL) as PostgreSQL reads it; strings as they are. */
static void put_text(sb_t *b, const vector_t *v, uint32_t r)
{
    type_t ty = v->type;
    value_t val;
    switch (ty.id) {
    case TY_BOOLEAN: sb_putc(b, v->i64[r] ? 't' : 'f'); break;
    case TY_INT: case TY_BIGINT: put_i64(b, v->i64[r]); break;
    case TY_DECIMAL: put_decimal(b, v->i64[r], ty.scale); break;
    case TY_DOUBLE: sb_printf(b, "%.17g", v->f64[r]); break;
    case TY_STRING: sb_append(b, str_ptr(&v->str[r]), v->str[r].len); break;
    case TY_TIMESTAMP_LTZ:
        val = value_i64(v->i64[r]);
        value_format(type_timestamp(TY_TIMESTAMP, ty.precision), &val, b);
        sb_puts(b, "+00");
        break;
    case TY_INTERVAL_DT:
        put_i64(b, v->i64[r] / US_PER_DAY);
        sb_puts(b, " days ");
        put_i64(b, v->i64[r] % US_PER_DAY);
        sb_puts(b, " microseconds");
        break;
    case TY_INTERVAL_YM: put_i64(b, v->i64[r]); sb_puts(b, " months"); break;
    default:
        vector_get(v, r, &val);
        value_format(ty, &val, b);
        break;
    }
}

static int has_nul(const vector_t *v, uint32_t r)
{
    return v->type.id == TY_STRING && memchr(str_ptr(&v->str[r]), 0, v->str[r].len) != NULL;
}

/* The text of vector v at rows[0..n) as parameters first, first + stride, ... of p
 * (offsets into p->text, each value NUL-terminated). 0, or -1 when a string holds a NUL. */
static int format_column(params_t *p, const vector_t *v, const uint32_t *rows, uint32_t n, size_t first,
                         size_t stride)
{
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = rows[k];
        size_t *off = &p->offs[first + k * stride];
        if (v->nulls[r]) {
            *off = NO_VALUE;
            continue;
        }
        if (has_nul(v, r)) return -1;
        *off = p->text.len;
        put_text(&p->text, v, r);
        sb_putc(&p->text, 0);
    }
    return 0;
}

static int nul_byte_error(const connector_table *t, int col)
{
    return err_msg("jdbc sink of table '%s': column '%s' holds a string with a NUL byte, which PostgreSQL text cannot "
                   "store", t->name, t->physical.names[col]);
}

/* Parameters for n batch rows of `kind` into c->p; -1 (error recorded) on a NUL byte. */
static int fill_params(jdbc_conn *c, const connector_table *t, const chunk_t *batch, int kind, const uint32_t *rows,
                       uint32_t n)
{
    int w = stmt_width(t, kind);
    params_t *p = &c->p;
    params_reserve(p, (size_t)n * (size_t)w);
    sb_clear(&p->text);
    for (int k = 0; k < w; k++) {
        int col = kind == STMT_DELETE ? t->pk[k] : k;
        if (format_column(p, &batch->cols[col], rows, n, (size_t)k, (size_t)w)) return nul_byte_error(t, col);
    }
    for (size_t i = 0; i < (size_t)n * (size_t)w; i++)
        p->vals[i] = p->offs[i] == NO_VALUE ? NULL : p->text.data + p->offs[i];
    return 0;
}

/* Runs statements of `kind` over rows[0..n), ROWS_PER_STATEMENT at a time. */
static int run_statements(jdbc_conn *c, const connector_table *t, const chunk_t *batch, int kind,
                          const uint32_t *rows, uint32_t n)
{
    uint32_t per = stmt_rows(t, kind);
    for (uint32_t done = 0; done < n;) {
        uint32_t m = MIN(per, n - done);
        if (fill_params(c, t, batch, kind, rows + done, m)) return -1;
        int nparams = (int)m * stmt_width(t, kind), failed = 0;
        char name[32];
        PGresult *res;
        if (prepared_statement(c, t, kind, m, name, sizeof name, &failed)) {
            res = PQexecPrepared(c->pg, name, nparams, c->p.vals, NULL, NULL, 0);
        } else {
            if (failed) return -1;
            build_statement(c, t, kind, m);
            res = PQexecParams(c->pg, c->sql.data, nparams, NULL, c->p.vals, NULL, NULL, 0);
        }
        if (PQresultStatus(res) != PGRES_COMMAND_OK) return fail(c, t, "sink", res);
        PQclear(res);
        done += m;
    }
    return 0;
}

/* A string in COPY's text format: backslash, newline, carriage return and tab escaped. */
static void put_copy_string(sb_t *b, const str_t *s)
{
    const char *p = str_ptr(s), *end = p + s->len, *plain = p;
    for (; p < end; p++) {
        char esc = *p == '\\' ? '\\' : *p == '\n' ? 'n' : *p == '\r' ? 'r' : *p == '\t' ? 't' : 0;
        if (!esc) continue;
        sb_append(b, plain, (size_t)(p - plain));
        sb_putc(b, '\\');
        sb_putc(b, esc);
        plain = p + 1;
    }
    sb_append(b, plain, (size_t)(end - plain));
}

/* One row in COPY's text format: tab-separated, \N for NULL, ending with a newline. -1 with
 * *bad_col set when a string holds a NUL byte. */
static int put_copy_row(sb_t *b, const chunk_t *batch, uint32_t r, int *bad_col)
{
    for (uint32_t i = 0; i < batch->ncols; i++) {
        const vector_t *v = &batch->cols[i];
        if (i) sb_putc(b, '\t');
        if (v->nulls[r]) {
            sb_puts(b, "\\N");
        } else if (has_nul(v, r)) {
            *bad_col = (int)i;
            return -1;
        } else if (v->type.id == TY_STRING) {
            put_copy_string(b, &v->str[r]);
        } else {
            put_text(b, v, r);
        }
    }
    sb_putc(b, '\n');
    return 0;
}

/* Inserts rows[0..n) with COPY ... FROM STDIN, sending COPY_CHUNK bytes at a time. */
static int copy_rows(jdbc_conn *c, const connector_table *t, const chunk_t *batch, const uint32_t *rows, uint32_t n)
{
    PGresult *res = PQexec(c->pg, c->copy_sql.data);
    if (PQresultStatus(res) != PGRES_COPY_IN) return fail(c, t, "sink", res);
    PQclear(res);
    sb_t *b = &c->p.text;
    sb_clear(b);
    int bad_col = -1, sent = 1;
    for (uint32_t k = 0; k < n && sent == 1 && bad_col < 0; k++) {
        if (put_copy_row(b, batch, rows[k], &bad_col)) break;
        if (b->len >= COPY_CHUNK || k + 1 == n) {
            sent = PQputCopyData(c->pg, b->data, (int)b->len);
            sb_clear(b);
        }
    }
    PQputCopyEnd(c->pg, bad_col >= 0 ? "a string holds a NUL byte" : NULL);
    res = PQgetResult(c->pg);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (ok || bad_col >= 0) PQclear(res);
    else fail(c, t, "sink", res);
    while ((res = PQgetResult(c->pg)) != NULL) PQclear(res);
    if (bad_col >= 0) return nul_byte_error(t, bad_col);
    return ok ? 0 : -1;
}

static uint32_t statements_for(const connector_table *t, int kind, uint32_t n)
{
    uint32_t per = stmt_rows(t, kind);
    return (n + per - 1) / per;
}

/* The batch's rows to upsert (or insert) and the rows whose key is deleted. */
static void split_batch(jdbc_conn *c, const chunk_t *batch, uint32_t *nup, uint32_t *ndel)
{
    if (batch->nrows > c->rows_cap) {
        c->rows_cap = batch->nrows;
        c->upserts = xrealloc(c->upserts, c->rows_cap * sizeof *c->upserts);
        c->deletes = xrealloc(c->deletes, c->rows_cap * sizeof *c->deletes);
    }
    *nup = *ndel = 0;
    for (uint32_t r = 0; r < batch->nrows; r++) {
        if (batch->ops[r] == OP_DELETE) c->deletes[(*ndel)++] = r;
        else c->upserts[(*nup)++] = r;
        /* Without ON CONFLICT an upsert replaces the row: its key is deleted first. */
        if (batch->ops[r] != OP_DELETE && c->delete_then_insert) c->deletes[(*ndel)++] = r;
    }
}

static int pg_write(jdbc_conn *c, const connector_table *t, const chunk_t *batch)
{
    uint32_t nup, ndel;
    split_batch(c, batch, &nup, &ndel);
    int upsert = t->npk && !c->delete_then_insert;
    uint32_t steps = statements_for(t, STMT_DELETE, ndel) + (upsert ? statements_for(t, STMT_UPSERT, nup) : nup > 0);
    int tx = steps > 1;
    c->sqlstate[0] = 0;
    if (tx && exec_sql(c, t, "sink", "BEGIN")) return -1;
    int rc = run_statements(c, t, batch, STMT_DELETE, c->deletes, ndel);
    if (rc == 0 && nup)
        rc = upsert ? run_statements(c, t, batch, STMT_UPSERT, c->upserts, nup) : copy_rows(c, t, batch, c->upserts, nup);
    if (rc == 0 && tx) rc = exec_sql(c, t, "sink", "COMMIT");
    if (rc && tx && PQstatus(c->pg) == CONNECTION_OK) PQclear(PQexec(c->pg, "ROLLBACK"));
    return rc;
}

/* ---- reading ---- */

/* The select list: plain columns, intervals as a count of microseconds / months. */
static void put_select_list(jdbc_conn *c, sb_t *sql, const connector_table *t)
{
    free(c->special);
    free(c->cells);
    free(c->lens);
    c->special = xcalloc(t->physical.ncols, sizeof *c->special);
    c->cells = xcalloc(t->physical.ncols, sizeof *c->cells);
    c->lens = xcalloc(t->physical.ncols, sizeof *c->lens);
    for (uint32_t i = 0; i < t->physical.ncols; i++) {
        type_t ty = t->physical.types[i];
        if (i) sb_puts(sql, ", ");
        if (ty.id == TY_INTERVAL_DT) sb_puts(sql, "(EXTRACT(EPOCH FROM ");
        else if (ty.id == TY_INTERVAL_YM) sb_puts(sql, "(EXTRACT(YEAR FROM ");
        put_ident(sql, t->physical.names[i]);
        if (ty.id == TY_INTERVAL_DT) sb_puts(sql, ") * 1000000)::int8");
        else if (ty.id == TY_INTERVAL_YM) {
            sb_puts(sql, ") * 12 + EXTRACT(MONTH FROM ");
            put_ident(sql, t->physical.names[i]);
            sb_puts(sql, "))::int8");
        }
        if (ty.id == TY_INTERVAL_DT || ty.id == TY_INTERVAL_YM || ty.id == TY_TIMESTAMP_LTZ) c->special[i] = ty.id;
    }
}

/* "2020-12-30 12:13:14.123+05:30" -> UTC microseconds; a reading without an offset is UTC. */
static int parse_ltz(const char *s, size_t n, int64_t *out)
{
    const char *space = memchr(s, ' ', n);
    size_t len = n;
    int64_t offset_s = 0;
    if (space) {
        const char *sign = NULL;
        for (const char *p = space; p < s + n; p++)
            if (*p == '+' || *p == '-') sign = p;
        if (sign) {
            int parts[3] = {0, 0, 0}, np = 0;
            for (const char *p = sign + 1; p < s + n && np < 3; np++) {
                if (!isdigit((unsigned char)*p)) return -1;
                while (p < s + n && isdigit((unsigned char)*p)) parts[np] = parts[np] * 10 + (*p++ - '0');
                if (p < s + n && *p++ != ':') return -1;
            }
            offset_s = parts[0] * 3600 + parts[1] * 60 + parts[2];
            if (*sign == '-') offset_s = -offset_s;
            len = (size_t)(sign - s);
        }
    }
    value_t v;
    if (value_parse(type_timestamp(TY_TIMESTAMP, 6), s, len, &v, NULL)) return -1;
    *out = v.i - offset_s * US_PER_SEC;
    return 0;
}

static int bad_cell(const connector_table *t, uint32_t col, const char *s)
{
    char tn[64];
    return err_msg("jdbc table '%s': column '%s' holds '%s', which is not a valid %s", t->name, t->physical.names[col],
                   s, type_name(t->physical.types[col], tn, sizeof tn));
}

/* Appends row r of res to out. */
static int append_row(jdbc_conn *c, const connector_table *t, const PGresult *res, int r, chunk_t *out)
{
    uint32_t ncols = t->physical.ncols;
    for (uint32_t i = 0; i < ncols; i++) {
        int null = PQgetisnull(res, r, (int)i) || c->special[i];
        c->cells[i] = null ? NULL : PQgetvalue(res, r, (int)i);
        c->lens[i] = null ? 0 : (size_t)PQgetlength(res, r, (int)i);
    }
    if (jdbc_append_text_row(t, out, c->cells, c->lens)) return -1;
    for (uint32_t i = 0; i < ncols; i++) {
        if (!c->special[i] || PQgetisnull(res, r, (int)i)) continue;
        const char *s = PQgetvalue(res, r, (int)i);
        size_t n = (size_t)PQgetlength(res, r, (int)i);
        value_t v = value_i64(0);
        int bad = c->special[i] == TY_TIMESTAMP_LTZ ? parse_ltz(s, n, &v.i)
                                                    : value_parse(type_make(TY_BIGINT), s, n, &v, NULL);
        if (bad) {
            out->nrows--;
            return bad_cell(t, i, s);
        }
        vector_set(&out->cols[i], out->nrows - 1, &v, NULL);
    }
    return 0;
}

/* ---- lookup ---- */

static int prepare_lookup(jdbc_conn *c, const connector_table *t, const int *key_cols, int nkeys)
{
    sb_t *sql = &c->sql;
    sb_clear(sql);
    sb_puts(sql, "SELECT ");
    put_select_list(c, sql, t);
    sb_puts(sql, " FROM ");
    put_table(sql, jdbc_table_name(t));
    for (int k = 0; k < nkeys; k++) {
        sb_puts(sql, k ? " AND " : " WHERE ");
        put_ident(sql, t->physical.names[key_cols[k]]);
        sb_printf(sql, " = $%d", k + 1);
    }
    PGresult *res = PQprepare(c->pg, "eddy_lookup", sql->data, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) return fail(c, t, "lookup", res);
    PQclear(res);
    c->lookup_prepared = 1;
    return 0;
}

static int pg_lookup(jdbc_conn *c, const connector_table *t, const int *key_cols, int nkeys, const value_t *keys,
                     chunk_t *out)
{
    c->sqlstate[0] = 0;
    if (!c->lookup_prepared && prepare_lookup(c, t, key_cols, nkeys)) return -1;
    /* The keys as a one-row batch, so they are formatted like the sink's parameters. */
    params_t *p = &c->p;
    params_reserve(p, (size_t)(nkeys ? nkeys : 1));
    sb_clear(&p->text);
    for (int k = 0; k < nkeys; k++) {
        type_t ty = t->physical.types[key_cols[k]];
        vector_t v = {.type = ty, .cap = 1};
        uint8_t null = keys[k].null;
        int64_t i = keys[k].i;
        double f = keys[k].f;
        str_t s = keys[k].s;
        v.nulls = &null;
        if (type_phys(ty) == PHYS_STR) v.str = &s;
        else if (type_phys(ty) == PHYS_F64) v.f64 = &f;
        else v.i64 = &i;
        uint32_t row0 = 0;
        if (format_column(p, &v, &row0, 1, (size_t)k, 1))
            return err_msg("jdbc lookup of table '%s': key '%s' holds a string with a NUL byte", t->name,
                           t->physical.names[key_cols[k]]);
    }
    for (int k = 0; k < nkeys; k++) p->vals[k] = p->offs[k] == NO_VALUE ? NULL : p->text.data + p->offs[k];
    PGresult *res = PQexecPrepared(c->pg, "eddy_lookup", nkeys, p->vals, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) return fail(c, t, "lookup", res);
    int n = PQntuples(res), rc = 0;
    if (out->nrows + (uint32_t)n > out->cap)
        rc = err_msg("jdbc lookup of table '%s': more than %u rows match one key", t->name, out->cap);
    for (int r = 0; r < n && rc == 0; r++) rc = append_row(c, t, res, r, out);
    PQclear(res);
    return rc;
}

/* ---- scan ---- */

static int pg_scan_open(jdbc_conn *c, const connector_table *t)
{
    if (table_opt_i64(t, "scan.fetch-size", 0, &c->fetch_size)) return -1;
    if (c->fetch_size <= 0) c->fetch_size = DEFAULT_FETCH_SIZE;
    sb_t *sql = &c->sql;
    sb_clear(sql);
    sb_puts(sql, "DECLARE eddy_scan NO SCROLL CURSOR FOR SELECT ");
    put_select_list(c, sql, t);
    sb_puts(sql, " FROM ");
    put_table(sql, jdbc_table_name(t));
    if (exec_sql(c, t, "scan", "BEGIN READ ONLY") || exec_sql(c, t, "scan", sql->data)) return -1;
    return 0;
}

/* Fetches the next rows of the cursor into c->scan_res; 0 rows at the end. */
static int fetch_more(jdbc_conn *c, const connector_table *t)
{
    char sql[64];
    PQclear(c->scan_res);
    c->scan_res = NULL;
    c->scan_pos = 0;
    snprintf(sql, sizeof sql, "FETCH FORWARD %lld FROM eddy_scan", (long long)c->fetch_size);
    PGresult *res = PQexec(c->pg, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) return fail(c, t, "scan", res);
    c->scan_res = res;
    return 0;
}

static int pg_scan_next(jdbc_conn *c, const connector_table *t, chunk_t *out)
{
    while (!chunk_full(out)) {
        if (!c->scan_res || c->scan_pos >= PQntuples(c->scan_res)) {
            if (c->scan_res && PQntuples(c->scan_res) < c->fetch_size) return 0;
            if (fetch_more(c, t)) return -1;
            if (PQntuples(c->scan_res) == 0) return 0;
        }
        if (append_row(c, t, c->scan_res, c->scan_pos++, out)) return -1;
    }
    return 1;
}

const jdbc_driver jdbc_postgres_driver = {
    .name = "PostgreSQL",
    .url_prefix = "jdbc:postgresql:",
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .open_sink = pg_open_sink,
    .write = pg_write,
    .lookup = pg_lookup,
    .scan_open = pg_scan_open,
    .scan_next = pg_scan_next,
    .retryable = pg_retryable,
};
