/* jdbc_sqlite.c - the SQLite driver of the 'jdbc' connector: 'url' = 'jdbc:sqlite:PATH'.
 *
 * Column types in SQLite: BOOLEAN / INT / BIGINT / INTERVAL as INTEGER, DOUBLE as REAL,
 * STRING as TEXT, and DECIMAL / DATE / TIMESTAMP / TIMESTAMP_LTZ as TEXT in their CAST-to-
 * string form (value_format: "12.50", "2020-12-30", "2020-12-30 12:13:14.123"; LTZ in the
 * session time zone), so values are exact and sort as text. Reading converts back with
 * value_parse, and accepts INTEGER / REAL cells in any numeric column.
 *
 * The sink table gets WAL journal mode so readers see each committed flush. Upserts use
 * INSERT ... ON CONFLICT (pk) DO UPDATE; if an existing table has no unique constraint on
 * the key, an upsert is a DELETE then an INSERT. A batch is one BEGIN IMMEDIATE transaction
 * of prepared statements; a busy or locked database is retryable. */
#include "connect/jdbc.h"
#include "base/util.h"
#include <sqlite3.h>
#include <stdlib.h>

#define BUSY_TIMEOUT_MS 1000

struct jdbc_conn {
    sqlite3 *db;
    const char *path;
    sqlite3_stmt *upsert;        /* upsert (with pk) or insert */
    sqlite3_stmt *del;           /* delete by pk; NULL without pk */
    int delete_then_insert;      /* the existing table has no unique constraint on the pk */
    sqlite3_stmt *select;        /* lookup by key, prepared at the first lookup */
    sqlite3_stmt *scan;
    int last_rc;                 /* SQLite result of the last failure */
    sb_t tmp;
};

static jdbc_conn *sqlite_connect(const connector_table *t)
{
    const table_option *url = table_opt_entry(t, "url");
    const char *path = url->value + strlen("jdbc:sqlite:");
    if (!*path) {
        err_at(url->value_span, "JDBC URL '%s' of table '%s' names no database file; expected jdbc:sqlite:PATH",
               url->value, t->name);
        return NULL;
    }
    jdbc_conn *c = xcalloc(1, sizeof *c);
    c->path = path;
    if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
        err_at(url->value_span, "cannot open SQLite database '%s' for table '%s': %s", path, t->name,
               c->db ? sqlite3_errmsg(c->db) : "out of memory");
        sqlite3_close(c->db);
        free(c);
        return NULL;
    }
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    return c;
}

static void sqlite_disconnect(jdbc_conn *c)
{
    sqlite3_finalize(c->upsert);
    sqlite3_finalize(c->del);
    sqlite3_finalize(c->select);
    sqlite3_finalize(c->scan);
    sqlite3_close(c->db);
    sb_free(&c->tmp);
    free(c);
}

static int sqlite_retryable(jdbc_conn *c) { return c->last_rc == SQLITE_BUSY || c->last_rc == SQLITE_LOCKED; }

static const char *sqlite_type(type_t t)
{
    switch (t.id) {
    case TY_BOOLEAN: case TY_INT: case TY_BIGINT: case TY_INTERVAL_DT: case TY_INTERVAL_YM: return "INTEGER";
    case TY_DOUBLE: return "REAL";
    default: return "TEXT";
    }
}

static int stored_as_integer(type_t t) { return sqlite_type(t)[0] == 'I'; }

static int bind_value(sqlite3_stmt *st, int idx, type_t t, const value_t *v, sb_t *tmp)
{
    if (v->null) return sqlite3_bind_null(st, idx);
    if (stored_as_integer(t)) return sqlite3_bind_int64(st, idx, v->i);
    if (t.id == TY_DOUBLE) return sqlite3_bind_double(st, idx, v->f);
    if (t.id == TY_STRING) return sqlite3_bind_text(st, idx, str_ptr(&v->s), (int)v->s.len, SQLITE_TRANSIENT);
    sb_clear(tmp);
    value_format(t, v, tmp);
    return sqlite3_bind_text(st, idx, tmp->data, (int)tmp->len, SQLITE_TRANSIENT);
}

/* Cell idx of the current result row as a value of type t (strings copied into a). */
static int read_cell(sqlite3_stmt *st, int idx, type_t t, value_t *out, arena_t *a)
{
    int ct = sqlite3_column_type(st, idx);
    if (ct == SQLITE_NULL) { *out = value_null(); return 0; }
    if (t.id == TY_STRING) {
        const char *s = (const char *)sqlite3_column_text(st, idx);
        *out = value_null();
        out->null = 0;
        out->s = str_copy(a, s ? s : "", (uint32_t)sqlite3_column_bytes(st, idx));
        return 0;
    }
    if (ct == SQLITE_INTEGER && (stored_as_integer(t) || t.id == TY_DOUBLE || t.id == TY_DECIMAL)) {
        int64_t i = sqlite3_column_int64(st, idx);
        if (t.id == TY_DOUBLE) *out = value_f64((double)i);
        else if (t.id == TY_DECIMAL) *out = value_i64(i * pow10_i64(t.scale));
        else *out = value_i64(i);
        return 0;
    }
    if (ct == SQLITE_FLOAT && t.id == TY_DOUBLE) { *out = value_f64(sqlite3_column_double(st, idx)); return 0; }
    const char *s = (const char *)sqlite3_column_text(st, idx);
    return value_parse(t, s ? s : "", (size_t)sqlite3_column_bytes(st, idx), out, a);
}

static int read_row(sqlite3_stmt *st, const connector_table *t, chunk_t *out)
{
    uint32_t r = out->nrows;
    for (uint32_t i = 0; i < out->ncols; i++) {
        value_t v;
        if (read_cell(st, (int)i, out->cols[i].type, &v, &out->arena)) {
            char tn[64];
            const char *s = (const char *)sqlite3_column_text(st, (int)i);
            return err_msg("jdbc table '%s': column '%s' holds '%s', which is not a valid %s", t->name,
                           t->physical.names[i], s ? s : "", type_name(out->cols[i].type, tn, sizeof tn));
        }
        vector_set(&out->cols[i], r, &v, NULL);
    }
    out->ops[r] = OP_INSERT;
    out->nrows++;
    return 0;
}

static void put_key_condition(sb_t *b, const connector_table *t, const int *cols, int n)
{
    for (int k = 0; k < n; k++) {
        if (k) sb_puts(b, " AND ");
        jdbc_put_ident(b, t->physical.names[cols[k]], '"');
        sb_printf(b, " = ?%d", k + 1);
    }
}

static int fail(jdbc_conn *c, const connector_table *t, const char *what, int rc)
{
    c->last_rc = rc;
    return err_msg("jdbc %s of table '%s' in '%s' failed: %s", what, t->name, c->path, sqlite3_errmsg(c->db));
}

static int prepare(jdbc_conn *c, const connector_table *t, const char *what, const char *sql, sqlite3_stmt **st)
{
    int rc = sqlite3_prepare_v2(c->db, sql, -1, st, NULL);
    if (rc == SQLITE_OK) return 0;
    c->last_rc = rc;
    return err_msg("jdbc %s of table '%s' (%s): %s\n  in: %s", what, t->name, c->path, sqlite3_errmsg(c->db), sql);
}

static int exec_sql(jdbc_conn *c, const char *sql) { return sqlite3_exec(c->db, sql, NULL, NULL, NULL); }

/* ---- sink ---- */

static int create_table(jdbc_conn *c, const connector_table *t)
{
    sb_t sql = {0};
    sb_puts(&sql, "CREATE TABLE IF NOT EXISTS ");
    jdbc_put_ident(&sql, jdbc_table_name(t), '"');
    sb_puts(&sql, " (");
    for (uint32_t i = 0; i < t->physical.ncols; i++) {
        if (i) sb_puts(&sql, ", ");
        jdbc_put_ident(&sql, t->physical.names[i], '"');
        sb_printf(&sql, " %s", sqlite_type(t->physical.types[i]));
    }
    if (t->npk) {
        sb_puts(&sql, ", PRIMARY KEY (");
        for (int k = 0; k < t->npk; k++) {
            if (k) sb_puts(&sql, ", ");
            jdbc_put_ident(&sql, t->physical.names[t->pk[k]], '"');
        }
        sb_putc(&sql, ')');
    }
    sb_putc(&sql, ')');
    int rc = exec_sql(c, sql.data);
    sb_free(&sql);
    if (rc == SQLITE_OK) return 0;
    c->last_rc = rc;
    return err_msg("jdbc sink of table '%s': cannot create table in '%s': %s", t->name, c->path, sqlite3_errmsg(c->db));
}

static void build_insert(const connector_table *t, sb_t *sql)
{
    sb_puts(sql, "INSERT INTO ");
    jdbc_put_ident(sql, jdbc_table_name(t), '"');
    sb_puts(sql, " (");
    jdbc_put_columns(sql, t, '"');
    sb_puts(sql, ") VALUES (");
    for (uint32_t i = 0; i < t->physical.ncols; i++) sb_printf(sql, "%s?%u", i ? ", " : "", i + 1);
    sb_putc(sql, ')');
}

static void build_upsert(const connector_table *t, sb_t *sql)
{
    build_insert(t, sql);
    sb_puts(sql, " ON CONFLICT (");
    for (int k = 0; k < t->npk; k++) {
        if (k) sb_puts(sql, ", ");
        jdbc_put_ident(sql, t->physical.names[t->pk[k]], '"');
    }
    sb_puts(sql, ") DO ");
    int n = 0;
    for (uint32_t i = 0; i < t->physical.ncols; i++) {
        if (jdbc_is_pk(t, i)) continue;
        sb_puts(sql, n++ ? ", " : "UPDATE SET ");
        jdbc_put_ident(sql, t->physical.names[i], '"');
        sb_puts(sql, " = excluded.");
        jdbc_put_ident(sql, t->physical.names[i], '"');
    }
    if (!n) sb_puts(sql, "NOTHING");
}

static int sqlite_open_sink(jdbc_conn *c, const connector_table *t)
{
    exec_sql(c, "PRAGMA journal_mode=WAL");
    if (create_table(c, t)) return -1;
    sb_t sql = {0};
    int rc = 0;
    if (t->npk) {
        build_upsert(t, &sql);
        if (sqlite3_prepare_v2(c->db, sql.data, -1, &c->upsert, NULL) != SQLITE_OK) {
            c->delete_then_insert = 1;
            sb_clear(&sql);
        }
    }
    if (!c->upsert) {
        build_insert(t, &sql);
        rc = prepare(c, t, "sink", sql.data, &c->upsert);
    }
    if (rc == 0 && t->npk) {
        sb_clear(&sql);
        sb_puts(&sql, "DELETE FROM ");
        jdbc_put_ident(&sql, jdbc_table_name(t), '"');
        sb_puts(&sql, " WHERE ");
        put_key_condition(&sql, t, t->pk, t->npk);
        rc = prepare(c, t, "sink", sql.data, &c->del);
    }
    sb_free(&sql);
    return rc;
}

static int bind_row(jdbc_conn *c, sqlite3_stmt *st, const chunk_t *b, uint32_t r, const int *cols, int n)
{
    for (int k = 0; k < n; k++) {
        const vector_t *v = &b->cols[cols ? cols[k] : k];
        value_t val;
        vector_get(v, r, &val);
        int rc = bind_value(st, k + 1, v->type, &val, &c->tmp);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

static int run(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int write_change(jdbc_conn *c, const connector_table *t, const chunk_t *b, uint32_t r)
{
    int rc = SQLITE_OK;
    int is_delete = b->ops[r] == OP_DELETE;
    if (is_delete || c->delete_then_insert) {
        rc = bind_row(c, c->del, b, r, t->pk, t->npk);
        if (rc == SQLITE_OK) rc = run(c->del);
        if (rc != SQLITE_OK || is_delete) return rc;
    }
    rc = bind_row(c, c->upsert, b, r, NULL, (int)t->physical.ncols);
    return rc == SQLITE_OK ? run(c->upsert) : rc;
}

static int sqlite_write(jdbc_conn *c, const connector_table *t, const chunk_t *batch)
{
    int rc = exec_sql(c, "BEGIN IMMEDIATE");
    for (uint32_t r = 0; r < batch->nrows && rc == SQLITE_OK; r++) rc = write_change(c, t, batch, r);
    if (rc == SQLITE_OK) rc = exec_sql(c, "COMMIT");
    if (rc == SQLITE_OK) return 0;
    fail(c, t, "sink", rc);
    exec_sql(c, "ROLLBACK");
    return -1;
}

/* ---- lookup ---- */

static int prepare_select(jdbc_conn *c, const connector_table *t, const int *key_cols, int nkeys)
{
    sb_t sql = {0};
    sb_puts(&sql, "SELECT ");
    jdbc_put_columns(&sql, t, '"');
    sb_puts(&sql, " FROM ");
    jdbc_put_ident(&sql, jdbc_table_name(t), '"');
    sb_puts(&sql, " WHERE ");
    put_key_condition(&sql, t, key_cols, nkeys);
    int rc = prepare(c, t, "lookup", sql.data, &c->select);
    sb_free(&sql);
    return rc;
}

static int sqlite_lookup(jdbc_conn *c, const connector_table *t, const int *key_cols, int nkeys, const value_t *keys,
                         chunk_t *out)
{
    if (!c->select && prepare_select(c, t, key_cols, nkeys)) return -1;
    int rc = SQLITE_OK;
    for (int k = 0; k < nkeys && rc == SQLITE_OK; k++)
        rc = bind_value(c->select, k + 1, t->physical.types[key_cols[k]], &keys[k], &c->tmp);
    int bad = 0;
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        rc = sqlite3_step(c->select);
        if (rc != SQLITE_ROW) break;
        if (chunk_full(out)) {
            bad = err_msg("jdbc lookup of table '%s': more than %u rows match one key", t->name, out->cap);
            break;
        }
        if (read_row(c->select, t, out)) { bad = -1; break; }
    }
    sqlite3_reset(c->select);
    sqlite3_clear_bindings(c->select);
    if (bad) return -1;
    return rc == SQLITE_DONE ? 0 : fail(c, t, "lookup", rc);
}

/* ---- scan ---- */

static int sqlite_scan_open(jdbc_conn *c, const connector_table *t)
{
    sb_t sql = {0};
    sb_puts(&sql, "SELECT ");
    jdbc_put_columns(&sql, t, '"');
    sb_puts(&sql, " FROM ");
    jdbc_put_ident(&sql, jdbc_table_name(t), '"');
    int rc = prepare(c, t, "scan", sql.data, &c->scan);
    sb_free(&sql);
    return rc;
}

static int sqlite_scan_next(jdbc_conn *c, const connector_table *t, chunk_t *out)
{
    int rc = SQLITE_ROW;
    while (!chunk_full(out) && (rc = sqlite3_step(c->scan)) == SQLITE_ROW)
        if (read_row(c->scan, t, out)) return -1;
    if (rc == SQLITE_ROW) return 1;
    return rc == SQLITE_DONE ? 0 : fail(c, t, "scan", rc);
}

const jdbc_driver jdbc_sqlite_driver = {
    .name = "SQLite",
    .url_prefix = "jdbc:sqlite:",
    .connect = sqlite_connect,
    .disconnect = sqlite_disconnect,
    .open_sink = sqlite_open_sink,
    .write = sqlite_write,
    .lookup = sqlite_lookup,
    .scan_open = sqlite_scan_open,
    .scan_next = sqlite_scan_next,
    .retryable = sqlite_retryable,
};
