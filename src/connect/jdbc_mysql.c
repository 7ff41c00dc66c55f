/* jdbc_mysql.c - the MySQL / MariaDB driver of the 'jdbc' connector (libmariadb):
 * 'url' = 'jdbc:mysql://HOST[:PORT]/DATABASE[?param=value&...]', port 3306 by default.
 *
 * Connection: always TCP (as Connector/J; libmariadb would take "localhost" as the Unix
 * socket), character set utf8mb4, autocommit on, session time_zone '+00:00' and, unless
 * jdbcCompliantTruncation=false, STRICT_TRANS_TABLES added to the session's sql_mode (as
 * Connector/J does), so a value that does not fit is an error rather than truncated. URL
 * parameters that map to libmariadb are honoured (see parse_params); every other Connector/J
 * parameter is accepted and ignored.
 *
 * Types of a table the sink creates: BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p,s), DATE;
 * TIMESTAMP and TIMESTAMP_LTZ as DATETIME(6) (LTZ as its UTC reading); STRING as LONGTEXT,
 * VARCHAR(n) as VARCHAR(n) / TEXT / LONGTEXT by size, and a key string column as VARCHAR of
 * at most 255 characters (an InnoDB key holds 3072 bytes); INTERVAL DAY TO SECOND as BIGINT
 * microseconds, INTERVAL YEAR TO MONTH as INT months. The table's collation is binary and
 * without trailing-space padding, so keys compare as Flink compares strings.
 *
 * A batch is one transaction (autocommit off on the sink's connection): DELETE ... WHERE
 * (k1, k2) IN ((..), ..) for deletes, then multi-row INSERT ... VALUES (..), (..) ON
 * DUPLICATE KEY UPDATE c = VALUES(c) for upserts (plain INSERT without a primary key), at
 * most ROWS_PER_STATEMENT rows and stmt_limit bytes (under max_allowed_packet) per
 * statement, then COMMIT. Values are escaped literals: one round trip per statement, which
 * measured several times faster than a prepared statement executed per row. If an existing
 * table has no unique index within the primary key, an upsert deletes the key's row and
 * inserts it. Lookups and scans read the text protocol; a scan streams (mysql_use_result). */
#include "connect/jdbc.h"
#include "base/civil.h"
#include "base/util.h"
#include <ctype.h>
#include <errmsg.h>
#include <math.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define DEFAULT_PORT 3306
#define DEFAULT_CONNECT_TIMEOUT_S 10
#define ROWS_PER_STATEMENT 1000
#define MAX_STATEMENT_BYTES (4u << 20)
#define KEY_BYTES 3072                 /* InnoDB's longest index key */
#define SCAN_WRITE_TIMEOUT_S 3600      /* a streaming scan may wait for a slow job this long */

enum ssl_mode { SSL_DISABLED, SSL_PREFERRED, SSL_REQUIRED, SSL_VERIFY };

/* What the URL's parameters ask for. */
typedef struct mysql_params {
    const char *user;                  /* user= / password= in the URL; the options win */
    const char *password;
    unsigned connect_timeout_s;
    unsigned socket_timeout_s;         /* 0: none */
    int ssl;                           /* enum ssl_mode */
    const char *ssl_ca;                /* serverSslCert: a PEM file */
    int compress;
    int strict;                        /* jdbcCompliantTruncation */
    const char *session_vars;          /* sessionVariables: "a=1,b=2" */
} mysql_params;

struct jdbc_conn {
    MYSQL *db;
    char where[300];                   /* "host:port/database" for messages */
    unsigned err;                      /* mysql_errno of the last failure */
    int upsert_by_delete;              /* the existing table has no unique key within the pk */
    size_t stmt_limit;                 /* bytes per statement */
    sb_t insert_head;                  /* INSERT INTO `t` (`a`, ..) VALUES */
    sb_t upsert_tail;                  /* ON DUPLICATE KEY UPDATE .. ("" without pk) */
    sb_t delete_head;                  /* DELETE FROM `t` WHERE (`k1`, ..) IN ( */
    sb_t sql;                          /* the statement being built */
    char *esc;                         /* mysql_real_escape_string output */
    size_t esc_cap;
    MYSQL_RES *scan;
    const char **cells;                /* a result row handed to jdbc_append_text_row */
    size_t *lens;
    uint32_t ncells;
    sb_t ltz;                          /* TIMESTAMP_LTZ cells with 'Z' appended */
};

static pthread_once_t library_once = PTHREAD_ONCE_INIT;
static void library_init(void) { mysql_library_init(0, NULL, NULL); }

/* ---- errors ---- */

static int fail(jdbc_conn *c, const connector_table *t, const char *what)
{
    c->err = mysql_errno(c->db);
    return err_msg("jdbc %s of table '%s' at MySQL server %s failed: %s (error %u)", what, t->name, c->where,
                   mysql_error(c->db), c->err);
}

static int mysql_retryable(jdbc_conn *c)
{
    switch (c->err) {
    case CR_CONNECTION_ERROR: case CR_CONN_HOST_ERROR: case CR_SERVER_GONE_ERROR: case CR_SERVER_LOST:
    case CR_SERVER_LOST_EXTENDED: case ER_SERVER_SHUTDOWN: case ER_CONNECTION_KILLED: case ER_CON_COUNT_ERROR:
    case ER_LOCK_DEADLOCK: case ER_LOCK_WAIT_TIMEOUT:
        return 1;
    default:
        return 0;
    }
}

/* Runs one statement that returns no rows; records the error on failure. */
static int exec_sql(jdbc_conn *c, const connector_table *t, const char *what, const char *sql, size_t len)
{
    if (mysql_real_query(c->db, sql, (unsigned long)len) == 0) return 0;
    return fail(c, t, what);
}

/* ---- URL parameters ---- */

/* Decodes %XX and '+' in place (URL query encoding, as Connector/J reads it). */
static void url_decode(char *s)
{
    char *out = s;
    for (char *p = s; *p; p++) {
        if (*p == '+') {
            *out++ = ' ';
        } else if (*p == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
            char hex[3] = {p[1], p[2], 0};
            *out++ = (char)strtol(hex, NULL, 16);
            p += 2;
        } else {
            *out++ = *p;
        }
    }
    *out = 0;
}

static int url_error(const connector_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int url_error(const connector_table *t, const char *fmt, ...)
{
    const table_option *url = table_opt_entry(t, "url");
    sb_t msg = {0};
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&msg, fmt, ap);
    va_end(ap);
    int rc = err_at(url->value_span, "JDBC URL '%s' of table '%s': %s", url->value, t->name, sb_str(&msg));
    sb_free(&msg);
    return rc;
}

static int param_bool(const connector_table *t, const char *key, const char *v, int *out)
{
    if (str_ieq(v, "true") || str_ieq(v, "yes")) *out = 1;
    else if (str_ieq(v, "false") || str_ieq(v, "no")) *out = 0;
    else return url_error(t, "parameter %s must be true or false, not '%s'", key, v);
    return 0;
}

/* Milliseconds -> whole seconds, rounded up (libmariadb's timeouts are seconds). */
static int param_ms_as_s(const connector_table *t, const char *key, const char *v, unsigned *out)
{
    char *end;
    long long ms = strtoll(v, &end, 10);
    if (!*v || *end || ms < 0 || ms > 86400000LL * 365)
        return url_error(t, "parameter %s must be a number of milliseconds, not '%s'", key, v);
    *out = (unsigned)((ms + 999) / 1000);
    return 0;
}

static int param_ssl_mode(const connector_table *t, const char *v, int *out)
{
    static const char *const modes[] = {"DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"};
    for (int i = 0; i < 5; i++)
        if (str_ieq(v, modes[i])) {
            *out = i < SSL_VERIFY ? i : SSL_VERIFY;
            return 0;
        }
    return url_error(t, "parameter sslMode must be DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY, not '%s'",
                     v);
}

/* Parses "k=v&k=v" (in place; the strings stay in u's buffer) into p. */
static int parse_params(const connector_table *t, char *params, mysql_params *p)
{
    int use_ssl = -1, require_ssl = 0, verify = 0, ssl_mode = -1;
    memset(p, 0, sizeof *p);
    p->connect_timeout_s = DEFAULT_CONNECT_TIMEOUT_S;
    p->strict = 1;
    for (char *kv = params; kv && *kv;) {
        char *next = strchr(kv, '&');
        if (next) *next++ = 0;
        char *v = strchr(kv, '=');
        if (v) *v++ = 0;
        else v = kv + strlen(kv);
        url_decode(v);
        int rc = 0;
        if (!strcmp(kv, "user")) p->user = v;
        else if (!strcmp(kv, "password")) p->password = v;
        else if (!strcmp(kv, "connectTimeout")) rc = param_ms_as_s(t, kv, v, &p->connect_timeout_s);
        else if (!strcmp(kv, "socketTimeout")) rc = param_ms_as_s(t, kv, v, &p->socket_timeout_s);
        else if (!strcmp(kv, "useSSL")) rc = param_bool(t, kv, v, &use_ssl);
        else if (!strcmp(kv, "requireSSL")) rc = param_bool(t, kv, v, &require_ssl);
        else if (!strcmp(kv, "verifyServerCertificate")) rc = param_bool(t, kv, v, &verify);
        else if (!strcmp(kv, "sslMode")) rc = param_ssl_mode(t, v, &ssl_mode);
        else if (!strcmp(kv, "serverSslCert")) p->ssl_ca = v;
        else if (!strcmp(kv, "useCompression")) rc = param_bool(t, kv, v, &p->compress);
        else if (!strcmp(kv, "jdbcCompliantTruncation")) rc = param_bool(t, kv, v, &p->strict);
        else if (!strcmp(kv, "sessionVariables")) p->session_vars = *v ? v : NULL;
        if (rc) return -1;
        kv = next;
    }
    /* Connector/J: sslMode wins; else useSSL=false disables, requireSSL / verifyServerCertificate
     * strengthen, and the default is PREFERRED. */
    if (ssl_mode >= 0) p->ssl = ssl_mode;
    else if (use_ssl == 0) p->ssl = SSL_DISABLED;
    else p->ssl = verify ? SSL_VERIFY : require_ssl ? SSL_REQUIRED : SSL_PREFERRED;
    return 0;
}

/* ---- connecting ---- */

static void set_options(MYSQL *db, const mysql_params *p)
{
    unsigned protocol = MYSQL_PROTOCOL_TCP;
    my_bool yes = 1;
    mysql_options(db, MYSQL_OPT_PROTOCOL, &protocol);
    mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (p->connect_timeout_s) mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &p->connect_timeout_s);
    if (p->socket_timeout_s) {
        mysql_options(db, MYSQL_OPT_READ_TIMEOUT, &p->socket_timeout_s);
        mysql_options(db, MYSQL_OPT_WRITE_TIMEOUT, &p->socket_timeout_s);
    }
    if (p->compress) mysql_options(db, MYSQL_OPT_COMPRESS, NULL);
    if (p->ssl >= SSL_PREFERRED) mysql_ssl_set(db, NULL, NULL, p->ssl_ca, NULL, NULL);
    if (p->ssl >= SSL_REQUIRED) mysql_options(db, MYSQL_OPT_SSL_ENFORCE, &yes);
    if (p->ssl >= SSL_VERIFY) mysql_options(db, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &yes);
    mysql_options(db, MYSQL_INIT_COMMAND,
                  p->strict ? "SET time_zone = '+00:00', autocommit = 1, sql_mode = "
                              "IF(FIND_IN_SET('STRICT_TRANS_TABLES', @@sql_mode) OR "
                              "FIND_IN_SET('STRICT_ALL_TABLES', @@sql_mode), @@sql_mode, "
                              "CONCAT_WS(',', NULLIF(@@sql_mode, ''), 'STRICT_TRANS_TABLES'))"
                            : "SET time_zone = '+00:00', autocommit = 1");
}

static jdbc_conn *mysql_connect(const connector_table *t)
{
    jdbc_url u;
    if (jdbc_url_parse(t, "jdbc:mysql:", &u)) return NULL;
    mysql_params p;
    jdbc_conn *c = NULL;
    if (strchr(u.host, ',')) {
        url_error(t, "several hosts (%s) are not supported; name one server", u.host);
        goto out;
    }
    if (parse_params(t, u.params, &p)) goto out;
    pthread_once(&library_once, library_init);
    c = xcalloc(1, sizeof *c);
    int port = u.port ? u.port : DEFAULT_PORT;
    snprintf(c->where, sizeof c->where, "%s:%d/%s", u.host, port, u.database);
    c->db = mysql_init(NULL);
    set_options(c->db, &p);
    if (p.session_vars) {
        sb_t set = {0};
        sb_printf(&set, "SET SESSION %s", p.session_vars);
        mysql_options(c->db, MYSQL_INIT_COMMAND, set.data);
        sb_free(&set);
    }
    const char *user = table_opt(t, "username") ? table_opt(t, "username") : p.user;
    const char *password = table_opt(t, "password") ? table_opt(t, "password") : p.password;
    if (!mysql_real_connect(c->db, u.host, user ? user : "", password, u.database, (unsigned)port, NULL, 0)) {
        err_msg("jdbc table '%s': cannot connect to MySQL server %s: %s (error %u)", t->name, c->where,
                mysql_error(c->db), mysql_errno(c->db));
    } else if (p.ssl >= SSL_REQUIRED && !mysql_get_ssl_cipher(c->db)) {
        /* libmariadb 3.3 falls back to plain text unless the certificate is verified */
        err_msg("jdbc table '%s': cannot connect to MySQL server %s: the URL requires TLS (sslMode=REQUIRED) "
                "but the server does not offer it", t->name, c->where);
    } else {
        goto out;
    }
    mysql_close(c->db);
    free(c);
    c = NULL;
out:
    jdbc_url_free(&u);
    return c;
}

static void mysql_disconnect(jdbc_conn *c)
{
    if (c->scan) mysql_free_result(c->scan);
    mysql_close(c->db);
    sb_free(&c->insert_head);
    sb_free(&c->upsert_tail);
    sb_free(&c->delete_head);
    sb_free(&c->sql);
    sb_free(&c->ltz);
    free(c->esc);
    free(c->cells);
    free(c->lens);
    free(c);
}

/* ---- SQL text ---- */

static void put_table(sb_t *b, const connector_table *t) { jdbc_put_ident(b, jdbc_table_name(t), '`'); }
static void put_col(sb_t *b, const connector_table *t, int col) { jdbc_put_ident(b, t->physical.names[col], '`'); }

static void put_i64(sb_t *b, int64_t v)
{
    char buf[24], *p = buf + sizeof buf;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do *--p = (char)('0' + u % 10); while (u /= 10);
    if (v < 0) *--p = '-';
    sb_append(b, p, (size_t)(buf + sizeof buf - p));
}

static void put_decimal(sb_t *b, int64_t scaled, int scale)
{
    if (!scale) { put_i64(b, scaled); return; }
    uint64_t u = scaled < 0 ? 0 - (uint64_t)scaled : (uint64_t)scaled, p = (uint64_t)pow10_i64(scale);
    char frac[20];
    uint64_t f = u % p;
    for (int i = scale - 1; i >= 0; i--, f /= 10) frac[i] = (char)('0' + f % 10);
    if (scaled < 0) sb_putc(b, '-');
    put_i64(b, (int64_t)(u / p));
    sb_putc(b, '.');
    sb_append(b, frac, (size_t)scale);
}

/* 'YYYY-MM-DD' of a day number. */
static void put_date(sb_t *b, int64_t days)
{
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    char buf[48];
    int n = snprintf(buf, sizeof buf, "'%04lld-%02d-%02d'", (long long)y, m, d);
    sb_append(b, buf, (size_t)n);
}

/* 'YYYY-MM-DD HH:MM:SS.ffffff' of a reading in microseconds. */
static void put_datetime(sb_t *b, int64_t us)
{
    civil_t cv;
    civil_from_us(us, &cv);
    char buf[64];
    int n = snprintf(buf, sizeof buf, "'%04lld-%02d-%02d %02d:%02d:%02d.%06d'", (long long)cv.year, cv.month, cv.day,
                     cv.hour, cv.minute, cv.second, cv.micros);
    sb_append(b, buf, (size_t)n);
}

static void put_string(jdbc_conn *c, sb_t *b, const str_t *s)
{
    size_t need = (size_t)s->len * 2 + 1;
    if (need > c->esc_cap) {
        c->esc_cap = need < 256 ? 256 : need * 2;
        c->esc = xrealloc(c->esc, c->esc_cap);
    }
    unsigned long n = mysql_real_escape_string(c->db, c->esc, str_ptr(s), s->len);
    sb_putc(b, '\'');
    sb_append(b, c->esc, n);
    sb_putc(b, '\'');
}

/* The SQL literal of value v of physical column col; an error for values MySQL cannot store. */
static int put_value(jdbc_conn *c, sb_t *b, const connector_table *t, uint32_t col, const value_t *v)
{
    type_t ty = t->physical.types[col];
    if (v->null) { sb_puts(b, "NULL"); return 0; }
    switch (ty.id) {
    case TY_BOOLEAN: sb_puts(b, v->i ? "TRUE" : "FALSE"); return 0;
    case TY_DOUBLE:
        if (!isfinite(v->f)) {
            c->err = 0;
            return err_msg("jdbc table '%s': column '%s' holds %s, which MySQL cannot store in a DOUBLE",
                           t->name, t->physical.names[col], isnan(v->f) ? "NaN" : v->f > 0 ? "Infinity" : "-Infinity");
        }
        sb_printf(b, "%.17g", v->f);
        return 0;
    case TY_DECIMAL: put_decimal(b, v->i, ty.scale); return 0;
    case TY_STRING: put_string(c, b, &v->s); return 0;
    case TY_DATE: put_date(b, v->i); return 0;
    case TY_TIMESTAMP: case TY_TIMESTAMP_LTZ: put_datetime(b, v->i); return 0;
    default: put_i64(b, v->i); return 0;
    }
}

static int put_cell(jdbc_conn *c, sb_t *b, const connector_table *t, const chunk_t *batch, uint32_t col, uint32_t r)
{
    value_t v;
    vector_get(&batch->cols[col], r, &v);
    return put_value(c, b, t, col, &v);
}

/* "`k1` = lit AND ..." for a lookup key. */
static int put_key_condition(jdbc_conn *c, sb_t *b, const connector_table *t, const int *cols, int n,
                             const value_t *keys)
{
    for (int k = 0; k < n; k++) {
        if (k) sb_puts(b, " AND ");
        put_col(b, t, cols[k]);
        sb_puts(b, " = ");
        if (put_value(c, b, t, (uint32_t)cols[k], &keys[k])) return -1;
    }
    return 0;
}

/* ---- creating the sink table ---- */

static int count_string_keys(const connector_table *t)
{
    int n = 0;
    for (int k = 0; k < t->npk; k++) n += t->physical.types[t->pk[k]].id == TY_STRING;
    return n;
}

static void put_string_type(sb_t *b, type_t ty, int key, int string_keys)
{
    int64_t len = ty.length;
    if (key) {
        int64_t most = MIN(255, KEY_BYTES / 4 / string_keys);
        sb_printf(b, "VARCHAR(%lld)", (long long)(len > 0 && len < most ? len : most));
    } else if (len > 0 && len <= 255) {
        sb_printf(b, "VARCHAR(%lld)", (long long)len);
    } else {
        sb_puts(b, len > 0 && len <= 16383 ? "TEXT" : "LONGTEXT");
    }
}

static void put_column_type(sb_t *b, const connector_table *t, uint32_t col, int string_keys)
{
    type_t ty = t->physical.types[col];
    switch (ty.id) {
    case TY_BOOLEAN: sb_puts(b, "BOOLEAN"); break;
    case TY_INT: case TY_INTERVAL_YM: sb_puts(b, "INT"); break;
    case TY_DOUBLE: sb_puts(b, "DOUBLE"); break;
    case TY_DECIMAL: sb_printf(b, "DECIMAL(%d, %d)", ty.precision, ty.scale); break;
    case TY_STRING: put_string_type(b, ty, jdbc_is_pk(t, col), string_keys); break;
    case TY_DATE: sb_puts(b, "DATE"); break;
    case TY_TIMESTAMP: case TY_TIMESTAMP_LTZ: sb_puts(b, "DATETIME(6)"); break;
    default: sb_puts(b, "BIGINT"); break;
    }
}

/* A binary collation that does not pad with spaces, where the server has one. */
static const char *binary_collation(jdbc_conn *c)
{
    unsigned long v = mysql_get_server_version(c->db);
    if (strstr(mysql_get_server_info(c->db), "MariaDB")) return v >= 100200 ? "utf8mb4_nopad_bin" : "utf8mb4_bin";
    return v >= 80017 ? "utf8mb4_0900_bin" : "utf8mb4_bin";
}

static int create_table(jdbc_conn *c, const connector_table *t)
{
    sb_t *sql = &c->sql;
    int string_keys = count_string_keys(t);
    sb_clear(sql);
    sb_puts(sql, "CREATE TABLE IF NOT EXISTS ");
    put_table(sql, t);
    sb_puts(sql, " (");
    for (uint32_t i = 0; i < t->physical.ncols; i++) {
        if (i) sb_puts(sql, ", ");
        put_col(sql, t, (int)i);
        sb_putc(sql, ' ');
        put_column_type(sql, t, i, string_keys);
    }
    if (t->npk) {
        sb_puts(sql, ", PRIMARY KEY (");
        for (int k = 0; k < t->npk; k++) {
            if (k) sb_puts(sql, ", ");
            put_col(sql, t, t->pk[k]);
        }
        sb_putc(sql, ')');
    }
    sb_printf(sql, ") DEFAULT CHARSET = utf8mb4 COLLATE = %s", binary_collation(c));
    return exec_sql(c, t, "sink (creating the table)", sql->data, sql->len);
}

static int is_pk_name(const connector_table *t, const char *name)
{
    for (int k = 0; k < t->npk; k++)
        if (str_ieq(t->physical.names[t->pk[k]], name)) return 1;
    return 0;
}

/* 1 when the table has a unique index whose columns all belong to the primary key, so
 * ON DUPLICATE KEY UPDATE finds the row of a key; 0 when not; -1 on error. */
static int has_unique_key_in_pk(jdbc_conn *c, const connector_table *t)
{
    sb_t *sql = &c->sql;
    sb_clear(sql);
    sb_puts(sql, "SHOW INDEX FROM ");
    put_table(sql, t);
    if (exec_sql(c, t, "sink (reading the table's indexes)", sql->data, sql->len)) return -1;
    MYSQL_RES *res = mysql_store_result(c->db);
    if (!res) return fail(c, t, "sink (reading the table's indexes)");
    /* Columns: Table, Non_unique, Key_name, Seq_in_index, Column_name, ... */
    char key[256] = "";
    int found = 0, within = 0;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) != NULL) {
        if (!row[1] || !row[2] || !row[4] || strcmp(row[1], "0") != 0) continue;
        if (strcmp(key, row[2]) != 0) {
            if (key[0] && within) found = 1;
            snprintf(key, sizeof key, "%s", row[2]);
            within = 1;
        }
        within &= is_pk_name(t, row[4]);
    }
    if (key[0] && within) found = 1;
    mysql_free_result(res);
    return found;
}

/* SELECT @@max_allowed_packet -> the statement size limit. */
static int read_packet_limit(jdbc_conn *c, const connector_table *t)
{
    static const char q[] = "SELECT @@max_allowed_packet";
    if (exec_sql(c, t, "sink", q, sizeof q - 1)) return -1;
    MYSQL_RES *res = mysql_store_result(c->db);
    if (!res) return fail(c, t, "sink");
    MYSQL_ROW row = mysql_fetch_row(res);
    long long packet = row && row[0] ? atoll(row[0]) : 0;
    mysql_free_result(res);
    packet -= 4096;                                   /* the packet header and some slack */
    c->stmt_limit = packet > 4096 && (unsigned long long)packet < MAX_STATEMENT_BYTES ? (size_t)packet
                                                                                      : MAX_STATEMENT_BYTES;
    return 0;
}

static void build_statement_parts(jdbc_conn *c, const connector_table *t)
{
    sb_clear(&c->insert_head);
    sb_puts(&c->insert_head, "INSERT INTO ");
    put_table(&c->insert_head, t);
    sb_puts(&c->insert_head, " (");
    jdbc_put_columns(&c->insert_head, t, '`');
    sb_puts(&c->insert_head, ") VALUES ");
    sb_clear(&c->upsert_tail);
    sb_clear(&c->delete_head);
    if (!t->npk) return;
    if (!c->upsert_by_delete) {
        int n = 0;
        for (uint32_t i = 0; i < t->physical.ncols; i++) {
            if (jdbc_is_pk(t, i)) continue;
            sb_puts(&c->upsert_tail, n++ ? ", " : " ON DUPLICATE KEY UPDATE ");
            put_col(&c->upsert_tail, t, (int)i);
            sb_puts(&c->upsert_tail, " = VALUES(");
            put_col(&c->upsert_tail, t, (int)i);
            sb_putc(&c->upsert_tail, ')');
        }
        if (!n) {                                  /* every column is a key column */
            sb_puts(&c->upsert_tail, " ON DUPLICATE KEY UPDATE ");
            put_col(&c->upsert_tail, t, t->pk[0]);
            sb_puts(&c->upsert_tail, " = ");
            put_col(&c->upsert_tail, t, t->pk[0]);
        }
    }
    sb_puts(&c->delete_head, "DELETE FROM ");
    put_table(&c->delete_head, t);
    sb_puts(&c->delete_head, t->npk > 1 ? " WHERE (" : " WHERE ");
    for (int k = 0; k < t->npk; k++) {
        if (k) sb_puts(&c->delete_head, ", ");
        put_col(&c->delete_head, t, t->pk[k]);
    }
    sb_puts(&c->delete_head, t->npk > 1 ? ") IN (" : " IN (");
}

static int mysql_open_sink(jdbc_conn *c, const connector_table *t)
{
    if (create_table(c, t)) return -1;
    if (t->npk) {
        int unique = has_unique_key_in_pk(c, t);
        if (unique < 0) return -1;
        c->upsert_by_delete = !unique;
    }
    if (read_packet_limit(c, t)) return -1;
    if (mysql_autocommit(c->db, 0)) return fail(c, t, "sink");
    build_statement_parts(c, t);
    return 0;
}

/* ---- writing ---- */

/* Appends row r's key columns: "lit" or "(lit, lit)". */
static int put_key_tuple(jdbc_conn *c, sb_t *b, const connector_table *t, const chunk_t *batch, uint32_t r)
{
    if (t->npk > 1) sb_putc(b, '(');
    for (int k = 0; k < t->npk; k++) {
        if (k) sb_puts(b, ", ");
        if (put_cell(c, b, t, batch, (uint32_t)t->pk[k], r)) return -1;
    }
    if (t->npk > 1) sb_putc(b, ')');
    return 0;
}

static int put_row_tuple(jdbc_conn *c, sb_t *b, const connector_table *t, const chunk_t *batch, uint32_t r)
{
    sb_putc(b, '(');
    for (uint32_t i = 0; i < batch->ncols; i++) {
        if (i) sb_puts(b, ", ");
        if (put_cell(c, b, t, batch, i, r)) return -1;
    }
    sb_putc(b, ')');
    return 0;
}

typedef int (*put_tuple_fn)(jdbc_conn *c, sb_t *b, const connector_table *t, const chunk_t *batch, uint32_t r);

/* One multi-row statement kind: head, tuples separated by ", ", tail. */
typedef struct multirow {
    const sb_t *head;
    const char *tail;
    put_tuple_fn put;
    uint32_t rows;                     /* tuples in c->sql so far */
} multirow;

static int multirow_send(jdbc_conn *c, const connector_table *t, multirow *m)
{
    if (!m->rows) return 0;
    sb_puts(&c->sql, m->tail);
    m->rows = 0;
    return exec_sql(c, t, "sink", c->sql.data, c->sql.len);
}

/* Adds row r; sends the statement when it is full, and first when r would overflow it. */
static int multirow_add(jdbc_conn *c, const connector_table *t, multirow *m, const chunk_t *batch, uint32_t r)
{
    sb_t *sql = &c->sql;
    if (!m->rows) {
        sb_clear(sql);
        sb_append(sql, m->head->data, m->head->len);
    }
    size_t mark = sql->len;
    if (m->rows) sb_puts(sql, ", ");
    if (m->put(c, sql, t, batch, r)) return -1;
    if (m->rows && sql->len + strlen(m->tail) > c->stmt_limit) {
        sql->len = mark;
        if (multirow_send(c, t, m)) return -1;
        return multirow_add(c, t, m, batch, r);
    }
    if (++m->rows == ROWS_PER_STATEMENT) return multirow_send(c, t, m);
    return 0;
}

static int write_deletes(jdbc_conn *c, const connector_table *t, const chunk_t *batch)
{
    multirow m = {&c->delete_head, ")", put_key_tuple, 0};
    for (uint32_t r = 0; r < batch->nrows; r++)
        if ((batch->ops[r] == OP_DELETE || c->upsert_by_delete) && multirow_add(c, t, &m, batch, r)) return -1;
    return multirow_send(c, t, &m);
}

static int write_upserts(jdbc_conn *c, const connector_table *t, const chunk_t *batch)
{
    multirow m = {&c->insert_head, c->upsert_tail.data ? c->upsert_tail.data : "", put_row_tuple, 0};
    for (uint32_t r = 0; r < batch->nrows; r++)
        if (batch->ops[r] != OP_DELETE && multirow_add(c, t, &m, batch, r)) return -1;
    return multirow_send(c, t, &m);
}

static int mysql_write(jdbc_conn *c, const connector_table *t, const chunk_t *batch)
{
    c->err = 0;
    if ((t->npk && write_deletes(c, t, batch)) || write_upserts(c, t, batch)) goto rollback;
    if (mysql_commit(c->db)) {
        fail(c, t, "sink (commit)");
        goto rollback;
    }
    return 0;
rollback:
    mysql_rollback(c->db);                    /* keeps the first error and its number */
    return -1;
}

/* ---- reading rows ---- */

static void ensure_cells(jdbc_conn *c, uint32_t n)
{
    if (c->ncells >= n) return;
    c->cells = xrealloc(c->cells, n * sizeof *c->cells);
    c->lens = xrealloc(c->lens, n * sizeof *c->lens);
    c->ncells = n;
}

static int is_interval(type_t ty) { return ty.id == TY_INTERVAL_DT || ty.id == TY_INTERVAL_YM; }

/* Interval columns hold whole numbers (microseconds or months). */
static int set_interval_cells(const connector_table *t, chunk_t *out, uint32_t r, MYSQL_ROW row, const unsigned long *lens)
{
    for (uint32_t i = 0; i < out->ncols; i++) {
        if (!is_interval(out->cols[i].type) || !row[i]) continue;
        char *end;
        long long n = strtoll(row[i], &end, 10);
        if (!lens[i] || end != row[i] + lens[i]) {
            char tn[64];
            out->nrows = r;
            return err_msg("jdbc table '%s': column '%s' holds '%.40s', which is not a valid %s (a whole number)",
                           t->name, t->physical.names[i], row[i], type_name(out->cols[i].type, tn, sizeof tn));
        }
        value_t v = value_i64(n);
        vector_set(&out->cols[i], r, &v, NULL);
    }
    return 0;
}

/* Appends one result row: TIMESTAMP_LTZ cells are UTC readings (a 'Z' is added for the
 * parser), intervals whole numbers, everything else as jdbc_append_text_row reads it. */
static int append_row(jdbc_conn *c, const connector_table *t, MYSQL_ROW row, const unsigned long *lens, chunk_t *out)
{
    uint32_t n = out->ncols, r = out->nrows;
    int has_ltz = 0, has_interval = 0;
    ensure_cells(c, n);
    sb_clear(&c->ltz);
    for (uint32_t i = 0; i < n; i++) {
        type_t ty = out->cols[i].type;
        c->cells[i] = row[i];
        c->lens[i] = lens[i];
        if (is_interval(ty)) {
            c->cells[i] = NULL;
            has_interval = 1;
        } else if (ty.id == TY_TIMESTAMP_LTZ && row[i]) {
            c->lens[i] = c->ltz.len;                       /* an offset until the buffer is final */
            sb_append(&c->ltz, row[i], lens[i]);
            sb_putc(&c->ltz, 'Z');
            has_ltz = 1;
        }
    }
    if (has_ltz)
        for (uint32_t i = 0; i < n; i++) {
            if (out->cols[i].type.id != TY_TIMESTAMP_LTZ || !row[i]) continue;
            c->cells[i] = c->ltz.data + c->lens[i];
            c->lens[i] = lens[i] + 1;
        }
    if (jdbc_append_text_row(t, out, c->cells, c->lens)) return -1;
    return has_interval ? set_interval_cells(t, out, r, row, lens) : 0;
}

/* ---- lookup ---- */

static int mysql_lookup(jdbc_conn *c, const connector_table *t, const int *key_cols, int nkeys, const value_t *keys,
                        chunk_t *out)
{
    c->err = 0;
    for (int k = 0; k < nkeys; k++)
        if (keys[k].null) return 0;                   /* = NULL matches nothing */
    sb_t *sql = &c->sql;
    sb_clear(sql);
    sb_puts(sql, "SELECT ");
    jdbc_put_columns(sql, t, '`');
    sb_puts(sql, " FROM ");
    put_table(sql, t);
    sb_puts(sql, " WHERE ");
    if (put_key_condition(c, sql, t, key_cols, nkeys, keys)) return -1;
    if (exec_sql(c, t, "lookup", sql->data, sql->len)) return -1;
    MYSQL_RES *res = mysql_store_result(c->db);
    if (!res) return fail(c, t, "lookup");
    int rc = 0;
    MYSQL_ROW row;
    while ((row = mysql_fetch_row(res)) != NULL) {
        if (chunk_full(out)) {
            rc = err_msg("jdbc lookup of table '%s': more than %u rows match one key", t->name, out->cap);
            break;
        }
        if (append_row(c, t, row, mysql_fetch_lengths(res), out)) {
            rc = -1;
            break;
        }
    }
    mysql_free_result(res);
    return rc;
}

/* ---- scan ---- */

static int mysql_scan_open(jdbc_conn *c, const connector_table *t)
{
    sb_t *sql = &c->sql;
    sb_clear(sql);
    sb_printf(sql, "SET SESSION net_write_timeout = %d", SCAN_WRITE_TIMEOUT_S);
    if (exec_sql(c, t, "scan", sql->data, sql->len)) return -1;
    sb_clear(sql);
    sb_puts(sql, "SELECT ");
    jdbc_put_columns(sql, t, '`');
    sb_puts(sql, " FROM ");
    put_table(sql, t);
    if (exec_sql(c, t, "scan", sql->data, sql->len)) return -1;
    c->scan = mysql_use_result(c->db);
    return c->scan ? 0 : fail(c, t, "scan");
}

static int mysql_scan_next(jdbc_conn *c, const connector_table *t, chunk_t *out)
{
    if (!c->scan) return 0;
    while (!chunk_full(out)) {
        MYSQL_ROW row = mysql_fetch_row(c->scan);
        if (!row) {
            int failed = mysql_errno(c->db) != 0;
            if (failed) fail(c, t, "scan");
            mysql_free_result(c->scan);
            c->scan = NULL;
            return failed ? -1 : 0;
        }
        if (append_row(c, t, row, mysql_fetch_lengths(c->scan), out)) return -1;
    }
    return 1;
}

const jdbc_driver jdbc_mysql_driver = {
    .name = "MySQL",
    .url_prefix = "jdbc:mysql:",
    .connect = mysql_connect,
    .disconnect = mysql_disconnect,
    .open_sink = mysql_open_sink,
    .write = mysql_write,
    .lookup = mysql_lookup,
    .scan_open = mysql_scan_open,
    .scan_next = mysql_scan_next,
    .retryable = mysql_retryable,
};
