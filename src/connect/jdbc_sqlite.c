/* jdbc_sqlite.c - the 'jdbc' connector (Flink's JDBC options) for 'url' = 'jdbc:sqlite:PATH':
 * a sink, a lookup source (FOR SYSTEM_TIME AS OF joins) and a bounded scan source.
 *
 * Column types in SQLite: BOOLEAN / INT / BIGINT / INTERVAL as INTEGER, DOUBLE as REAL,
 * STRING as TEXT, and DECIMAL / DATE / TIMESTAMP / TIMESTAMP_LTZ as TEXT in their CAST-to-
 * string form (value_format: "12.50", "2020-12-30", "2020-12-30 12:13:14.123"; LTZ in the
 * session time zone), so values are exact and sort as text. Reading converts back with
 * value_parse, and accepts INTEGER / REAL cells in any numeric column.
 *
 * Sink: creates the table when it does not exist (with PRIMARY KEY when the table declares
 * one), sets WAL journal mode so readers see each committed flush, and buffers changes. With
 * a primary key the buffer keeps only the latest change per key (an open-addressing index
 * from key to buffered row), so a flush writes each key once: +I/+U upsert with
 * INSERT ... ON CONFLICT (pk) DO UPDATE, -D deletes, -U is ignored. (If an existing table
 * has no matching unique constraint, an upsert is a DELETE then an INSERT.) Without a
 * primary key rows are appended. A flush is one transaction of prepared statements; it
 * happens after sink.buffer-flush.max-rows changes, on tick() once
 * sink.buffer-flush.interval has passed since the last flush, on flush() and on close;
 * SQLITE_BUSY is retried sink.max-retries times.
 *
 * Lookup: SELECT ... WHERE k1 = ? AND ...; under 'lookup.cache' = 'PARTIAL' (or the older
 * lookup.cache.max-rows / lookup.cache.ttl) results are kept in an LRU cache keyed by the
 * lookup key, with expire-after-write / expire-after-access on the job clock and at most
 * max-rows keys; empty results are cached unless cache-missing-key is false. */
#include "connect/connector.h"
#include "base/hashmap.h"
#include "base/util.h"
#include <sqlite3.h>
#include <stdlib.h>
#include <time.h>

static const char *const jdbc_options[] = {
    "url", "table-name", "driver", "username", "password", "connection.max-retry-timeout",
    "scan.partition.column", "scan.partition.num", "scan.partition.lower-bound", "scan.partition.upper-bound",
    "scan.fetch-size", "scan.auto-commit", "lookup.cache", "lookup.partial-cache.max-rows",
    "lookup.partial-cache.expire-after-write", "lookup.partial-cache.expire-after-access",
    "lookup.partial-cache.cache-missing-key", "lookup.cache.max-rows", "lookup.cache.ttl",
    "lookup.cache.caching-missing-key", "lookup.max-retries", "sink.buffer-flush.max-rows",
    "sink.buffer-flush.interval", "sink.max-retries", "sink.parallelism", NULL,
};
static const char *const jdbc_required[] = {"url", "table-name", NULL};

#define BUSY_TIMEOUT_MS 1000
#define MAX_BUFFER_ROWS 65536

/* ---- shared: connection, SQL text, values ---- */

static int open_db(const connector_table *t, sqlite3 **db)
{
    const table_option *url = table_opt_entry(t, "url");
    if (!url) return err_at(t->span, "connector 'jdbc' requires option 'url' (table '%s')", t->name);
    if (strncmp(url->value, "jdbc:sqlite:", 12) != 0 || !url->value[12]) {
        err_at(url->value_span, "unsupported JDBC URL '%s' for table '%s'; this build supports 'jdbc:sqlite:PATH'",
               url->value, t->name);
        err_note("jdbc:mysql and jdbc:postgresql URLs need a build with those drivers");
        return -1;
    }
    const char *path = url->value + 12;
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
        err_at(url->value_span, "cannot open SQLite database '%s' for table '%s': %s", path, t->name,
               *db ? sqlite3_errmsg(*db) : "out of memory");
        sqlite3_close(*db);
        *db = NULL;
        return -1;
    }
    sqlite3_busy_timeout(*db, BUSY_TIMEOUT_MS);
    return 0;
}

static const char *db_path(const connector_table *t) { return table_opt(t, "url") + 12; }

static void put_ident(sb_t *b, const char *name)
{
    sb_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"') sb_putc(b, '"');
        sb_putc(b, *p);
    }
    sb_putc(b, '"');
}

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

static void put_column_list(sb_t *b, const connector_table *t)
{
    for (uint32_t i = 0; i < t->physical.ncols; i++) {
        if (i) sb_puts(b, ", ");
        put_ident(b, t->physical.names[i]);
    }
}

static void put_key_condition(sb_t *b, const connector_table *t, const int *cols, int n)
{
    for (int k = 0; k < n; k++) {
        if (k) sb_puts(b, " AND ");
        put_ident(b, t->physical.names[cols[k]]);
        sb_printf(b, " = ?%d", k + 1);
    }
}

static int prepare(sqlite3 *db, const connector_table *t, const char *what, const char *sql, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK) return 0;
    return err_msg("jdbc %s of table '%s' (%s): %s\n  in: %s", what, t->name, db_path(t), sqlite3_errmsg(db), sql);
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int is_busy(int rc) { return rc == SQLITE_BUSY || rc == SQLITE_LOCKED; }

/* ---- sink ---- */

typedef struct jdbc_sink {
    sink_t base;
    sqlite3 *db;
    sqlite3_stmt *upsert;        /* upsert (with pk) or insert */
    sqlite3_stmt *del;           /* delete by pk; NULL without pk */
    int delete_then_insert;      /* the existing table has no unique constraint on the pk */
    chunk_t *buf;                /* buffered changes: with a pk the latest one per key */
    uint32_t *index;             /* with a pk: slot -> buffered row + 1 (0: empty) */
    uint32_t index_mask;
    int64_t max_rows;            /* sink.buffer-flush.max-rows (0: no row limit) */
    int64_t interval_us;         /* sink.buffer-flush.interval (0: no time-based flush) */
    int64_t max_retries;
    uint64_t pending;            /* changes received since the last flush */
    int64_t last_flush_us;
    sb_t tmp;
} jdbc_sink;

static int exec_sql(sqlite3 *db, const char *sql) { return sqlite3_exec(db, sql, NULL, NULL, NULL); }

static int create_table(jdbc_sink *s)
{
    const connector_table *t = s->base.table;
    sb_t sql = {0};
    sb_puts(&sql, "CREATE TABLE IF NOT EXISTS ");
    put_ident(&sql, table_opt(t, "table-name"));
    sb_puts(&sql, " (");
    for (uint32_t i = 0; i < t->physical.ncols; i++) {
        if (i) sb_puts(&sql, ", ");
        put_ident(&sql, t->physical.names[i]);
        sb_printf(&sql, " %s", sqlite_type(t->physical.types[i]));
    }
    if (t->npk) {
        sb_puts(&sql, ", PRIMARY KEY (");
        for (int k = 0; k < t->npk; k++) {
            if (k) sb_puts(&sql, ", ");
            put_ident(&sql, t->physical.names[t->pk[k]]);
        }
        sb_putc(&sql, ')');
    }
    sb_putc(&sql, ')');
    int rc = exec_sql(s->db, sql.data);
    if (rc != SQLITE_OK)
        err_msg("jdbc sink of table '%s': cannot create table in '%s': %s", t->name, db_path(t), sqlite3_errmsg(s->db));
    sb_free(&sql);
    return rc == SQLITE_OK ? 0 : -1;
}

static void build_insert(const connector_table *t, sb_t *sql)
{
    sb_puts(sql, "INSERT INTO ");
    put_ident(sql, table_opt(t, "table-name"));
    sb_puts(sql, " (");
    put_column_list(sql, t);
    sb_puts(sql, ") VALUES (");
    for (uint32_t i = 0; i < t->physical.ncols; i++) sb_printf(sql, "%s?%u", i ? ", " : "", i + 1);
    sb_putc(sql, ')');
}

static int is_pk(const connector_table *t, uint32_t col)
{
    for (int k = 0; k < t->npk; k++)
        if ((uint32_t)t->pk[k] == col) return 1;
    return 0;
}

static void build_upsert(const connector_table *t, sb_t *sql)
{
    build_insert(t, sql);
    sb_puts(sql, " ON CONFLICT (");
    for (int k = 0; k < t->npk; k++) {
        if (k) sb_puts(sql, ", ");
        put_ident(sql, t->physical.names[t->pk[k]]);
    }
    sb_puts(sql, ") DO ");
    int n = 0;
    for (uint32_t i = 0; i < t->physical.ncols; i++) {
        if (is_pk(t, i)) continue;
        sb_puts(sql, n++ ? ", " : "UPDATE SET ");
        put_ident(sql, t->physical.names[i]);
        sb_puts(sql, " = excluded.");
        put_ident(sql, t->physical.names[i]);
    }
    if (!n) sb_puts(sql, "NOTHING");
}

static int prepare_sink_statements(jdbc_sink *s)
{
    const connector_table *t = s->base.table;
    sb_t sql = {0};
    int rc = 0;
    if (t->npk) {
        build_upsert(t, &sql);
        if (sqlite3_prepare_v2(s->db, sql.data, -1, &s->upsert, NULL) != SQLITE_OK) {
            s->delete_then_insert = 1;
            sb_clear(&sql);
        }
    }
    if (!s->upsert) {
        build_insert(t, &sql);
        rc = prepare(s->db, t, "sink", sql.data, &s->upsert);
    }
    if (rc == 0 && t->npk) {
        sb_clear(&sql);
        sb_puts(&sql, "DELETE FROM ");
        put_ident(&sql, table_opt(t, "table-name"));
        sb_puts(&sql, " WHERE ");
        put_key_condition(&sql, t, t->pk, t->npk);
        rc = prepare(s->db, t, "sink", sql.data, &s->del);
    }
    sb_free(&sql);
    return rc;
}

/* -- the buffer index (primary key -> buffered row) -- */

static uint64_t key_hash(const chunk_t *c, uint32_t row, const int *cols, int n)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL;
    for (int k = 0; k < n; k++) {
        const vector_t *v = &c->cols[cols[k]];
        uint64_t x;
        if (v->nulls[row]) x = 0x6e756c6cULL;
        else if (type_phys(v->type) == PHYS_STR) x = hash_bytes(str_ptr(&v->str[row]), v->str[row].len);
        else x = hash_bytes(&v->i64[row], 8);
        h = (h ^ x) * 0x100000001B3ULL;
        h ^= h >> 29;
    }
    return h;
}

static int keys_equal(const chunk_t *a, uint32_t ra, const chunk_t *b, uint32_t rb, const int *cols, int n)
{
    for (int k = 0; k < n; k++) {
        const vector_t *va = &a->cols[cols[k]], *vb = &b->cols[cols[k]];
        if (va->nulls[ra] || vb->nulls[rb]) {
            if (va->nulls[ra] != vb->nulls[rb]) return 0;
            continue;
        }
        if (type_phys(va->type) == PHYS_STR) {
            if (!str_eq(&va->str[ra], &vb->str[rb])) return 0;
        } else if (va->i64[ra] != vb->i64[rb]) {
            return 0;
        }
    }
    return 1;
}

/* The index slot holding row r's key, or the empty slot where it belongs. */
static uint32_t *index_slot(jdbc_sink *s, const chunk_t *c, uint32_t r)
{
    const connector_table *t = s->base.table;
    uint32_t i = (uint32_t)key_hash(c, r, t->pk, t->npk) & s->index_mask;
    for (;; i = (i + 1) & s->index_mask) {
        uint32_t *slot = &s->index[i];
        if (!*slot || keys_equal(s->buf, *slot - 1, c, r, t->pk, t->npk)) return slot;
    }
}

static void buffer_row(jdbc_sink *s, const chunk_t *c, uint32_t r)
{
    uint32_t *slot = s->base.table->npk ? index_slot(s, c, r) : NULL;
    if (!slot || !*slot) {
        if (slot) *slot = s->buf->nrows + 1;
        chunk_append_row(s->buf, c, r, c->ops[r]);
        return;
    }
    uint32_t dst = *slot - 1;
    s->buf->ops[dst] = c->ops[r];
    for (uint32_t i = 0; i < c->ncols; i++) vector_copy_row(&s->buf->cols[i], dst, &c->cols[i], r, &s->buf->arena);
}

/* -- flushing -- */

static int bind_row(jdbc_sink *s, sqlite3_stmt *st, uint32_t r, const int *cols, int n)
{
    for (int k = 0; k < n; k++) {
        const vector_t *v = &s->buf->cols[cols ? cols[k] : k];
        value_t val;
        vector_get(v, r, &val);
        int rc = bind_value(st, k + 1, v->type, &val, &s->tmp);
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

static int write_change(jdbc_sink *s, uint32_t r)
{
    const connector_table *t = s->base.table;
    int rc = SQLITE_OK;
    int is_delete = s->buf->ops[r] == OP_DELETE;
    if (is_delete || s->delete_then_insert) {
        rc = bind_row(s, s->del, r, t->pk, t->npk);
        if (rc == SQLITE_OK) rc = run(s->del);
        if (rc != SQLITE_OK || is_delete) return rc;
    }
    rc = bind_row(s, s->upsert, r, NULL, (int)t->physical.ncols);
    return rc == SQLITE_OK ? run(s->upsert) : rc;
}

/* One transaction with every buffered change; returns an SQLite result code. */
static int write_batch(jdbc_sink *s)
{
    int rc = exec_sql(s->db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) return rc;
    for (uint32_t r = 0; r < s->buf->nrows && rc == SQLITE_OK; r++) rc = write_change(s, r);
    if (rc == SQLITE_OK) rc = exec_sql(s->db, "COMMIT");
    if (rc != SQLITE_OK) {
        int saved = rc;
        exec_sql(s->db, "ROLLBACK");
        return saved;
    }
    return SQLITE_OK;
}

static void clear_buffer(jdbc_sink *s)
{
    chunk_reset(s->buf);
    if (s->index) memset(s->index, 0, (s->index_mask + 1) * sizeof *s->index);
    s->pending = 0;
}

static int jdbc_flush(sink_t *base)
{
    jdbc_sink *s = (jdbc_sink *)base;
    s->last_flush_us = table_now_us(base->table);
    if (!s->buf->nrows) {
        s->pending = 0;
        return 0;
    }
    int rc = SQLITE_OK;
    for (int64_t attempt = 0;; attempt++) {
        rc = write_batch(s);
        if (rc == SQLITE_OK || !is_busy(rc) || attempt >= s->max_retries) break;
        sleep_ms(20 << (attempt < 6 ? attempt : 6));
    }
    if (rc != SQLITE_OK)
        return err_msg("jdbc sink of table '%s': writing %u rows to '%s' failed: %s", base->table->name,
                       s->buf->nrows, db_path(base->table), sqlite3_errmsg(s->db));
    clear_buffer(s);
    return 0;
}

static int jdbc_write(sink_t *base, const chunk_t *c)
{
    jdbc_sink *s = (jdbc_sink *)base;
    uint32_t live = chunk_live(c);
    for (uint32_t k = 0; k < live; k++) {
        uint32_t r = chunk_row(c, k);
        uint8_t op = c->ops[r];
        base->rows++;
        if (op == OP_UPDATE_BEFORE) continue;
        if (op == OP_DELETE && !base->table->npk)
            return err_msg("jdbc sink of table '%s' has no primary key and cannot apply a delete", base->table->name);
        buffer_row(s, c, r);
        s->pending++;
        if ((s->max_rows > 0 && s->pending >= (uint64_t)s->max_rows) || chunk_full(s->buf))
            if (jdbc_flush(base)) return -1;
    }
    if (s->max_rows == 0 && s->interval_us == 0) return jdbc_flush(base);
    return 0;
}

static int jdbc_tick(sink_t *base, int64_t now_us)
{
    jdbc_sink *s = (jdbc_sink *)base;
    if (s->interval_us > 0 && s->buf->nrows && now_us - s->last_flush_us >= s->interval_us) return jdbc_flush(base);
    return 0;
}

static void jdbc_sink_close(sink_t *base)
{
    jdbc_sink *s = (jdbc_sink *)base;
    if (s->db && s->upsert) jdbc_flush(base);
    sqlite3_finalize(s->upsert);
    sqlite3_finalize(s->del);
    sqlite3_close(s->db);
    chunk_free(s->buf);
    free(s->index);
    sb_free(&s->tmp);
    free(s);
}

static const sink_vtable jdbc_sink_vt = {jdbc_write, jdbc_flush, jdbc_tick, jdbc_sink_close};

static int read_sink_options(const connector_table *t, jdbc_sink *s)
{
    if (table_opt_i64(t, "sink.buffer-flush.max-rows", 100, &s->max_rows) ||
        table_opt_duration(t, "sink.buffer-flush.interval", US_PER_SEC, &s->interval_us) ||
        table_opt_i64(t, "sink.max-retries", 3, &s->max_retries))
        return -1;
    if (s->max_rows < 0)
        return err_at(table_opt_entry(t, "sink.buffer-flush.max-rows")->value_span, "sink.buffer-flush.max-rows must not be negative");
    if (s->max_retries < 0)
        return err_at(table_opt_entry(t, "sink.max-retries")->value_span, "sink.max-retries must not be negative");
    return 0;
}

static int check_table_name(const connector_table *t)
{
    if (table_opt(t, "table-name")) return 0;
    return err_at(t->span, "connector 'jdbc' requires option 'table-name' (table '%s')", t->name);
}

static sink_t *jdbc_create_sink(const connector_table *t)
{
    if (check_table_name(t)) return NULL;
    jdbc_sink *s = xcalloc(1, sizeof *s);
    s->base.vt = &jdbc_sink_vt;
    s->base.table = t;
    if (read_sink_options(t, s)) goto fail;
    uint32_t cap = (uint32_t)(s->max_rows > 0 && s->max_rows < MAX_BUFFER_ROWS ? s->max_rows : s->max_rows ? MAX_BUFFER_ROWS : CHUNK_CAP);
    s->buf = chunk_new(&t->physical, cap);
    if (t->npk) {
        uint32_t slots = 16;
        while (slots < cap * 2) slots *= 2;
        s->index = xcalloc(slots, sizeof *s->index);
        s->index_mask = slots - 1;
    }
    if (open_db(t, &s->db)) goto fail;
    exec_sql(s->db, "PRAGMA journal_mode=WAL");
    if (create_table(s) || prepare_sink_statements(s)) goto fail;
    s->last_flush_us = table_now_us(t);
    return &s->base;
fail:
    sqlite3_finalize(s->upsert);
    s->upsert = NULL;
    jdbc_sink_close(&s->base);
    return NULL;
}

/* ---- lookup ---- */

typedef struct cache_entry {
    struct cache_entry *prev, *next;   /* LRU list, most recent first */
    char *key;                         /* the key bytes (in this block) */
    uint32_t klen;
    uint64_t hash;
    int64_t written_us, accessed_us;
    uint32_t nrows;
    value_t *vals;                     /* nrows * ncols; long strings point into this block */
    /* the block goes on: vals, the long strings' bytes, the key bytes */
} cache_entry;

typedef struct jdbc_lookup {
    lookup_t base;
    sqlite3 *db;
    sqlite3_stmt *select;              /* prepared at the first fetch */
    int *keys;                         /* key columns (copy) */
    int64_t max_retries;
    int cached;                        /* lookup.cache = PARTIAL */
    int64_t cache_max;                 /* entries; <= 0 unlimited */
    int64_t expire_write_us, expire_access_us;   /* 0: never */
    int cache_missing;
    hmap_t cache;
    cache_entry *lru_head, *lru_tail;
    sb_t key_bytes, tmp;
} jdbc_lookup;

static void lru_unlink(jdbc_lookup *l, cache_entry *e)
{
    if (e->prev) e->prev->next = e->next; else l->lru_head = e->next;
    if (e->next) e->next->prev = e->prev; else l->lru_tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push_front(jdbc_lookup *l, cache_entry *e)
{
    e->next = l->lru_head;
    e->prev = NULL;
    if (l->lru_head) l->lru_head->prev = e;
    l->lru_head = e;
    if (!l->lru_tail) l->lru_tail = e;
}

static void cache_remove(jdbc_lookup *l, cache_entry *e)
{
    lru_unlink(l, e);
    hmap_del(&l->cache, e->key, e->klen, e->hash);
    free(e);
}

/* Serialises the lookup key (null flag + bytes per column) into l->key_bytes. */
static void encode_key(jdbc_lookup *l, const value_t *keys)
{
    const connector_table *t = l->base.table;
    sb_clear(&l->key_bytes);
    for (int k = 0; k < l->base.nkeys; k++) {
        const value_t *v = &keys[k];
        sb_putc(&l->key_bytes, (char)v->null);
        if (v->null) continue;
        if (type_phys(t->physical.types[l->keys[k]]) == PHYS_STR) {
            uint32_t n = v->s.len;
            sb_append(&l->key_bytes, (const char *)&n, 4);
            sb_append(&l->key_bytes, str_ptr(&v->s), n);
        } else {
            sb_append(&l->key_bytes, (const char *)&v->i, 8);
        }
    }
}

static int expired(const jdbc_lookup *l, const cache_entry *e, int64_t now)
{
    return (l->expire_write_us > 0 && now - e->written_us >= l->expire_write_us) ||
           (l->expire_access_us > 0 && now - e->accessed_us >= l->expire_access_us);
}

/* Appends the cached rows for the key in l->key_bytes; 1 on a hit, 0 on a miss, -1 error. */
static int cache_fetch(jdbc_lookup *l, chunk_t *out, int64_t now)
{
    uint64_t h = hash_bytes(l->key_bytes.data, l->key_bytes.len);
    void **slot = hmap_get(&l->cache, l->key_bytes.data, (uint32_t)l->key_bytes.len, h);
    if (!slot) return 0;
    cache_entry *e = *slot;
    if (expired(l, e, now)) {
        cache_remove(l, e);
        return 0;
    }
    if (out->nrows + e->nrows > out->cap)
        return err_msg("jdbc lookup of table '%s': more than %u rows match one key", l->base.table->name, out->cap);
    e->accessed_us = now;
    lru_unlink(l, e);
    lru_push_front(l, e);
    for (uint32_t r = 0; r < e->nrows; r++) chunk_append_values(out, &e->vals[(size_t)r * out->ncols], OP_INSERT);
    return 1;
}

/* Copies rows [row0, out->nrows) of out into a new cache entry for l->key_bytes. */
static void cache_store(jdbc_lookup *l, const chunk_t *out, uint32_t row0, int64_t now)
{
    uint32_t nrows = out->nrows - row0, ncols = out->ncols;
    if (!nrows && !l->cache_missing) return;
    size_t nvals = (size_t)nrows * ncols, strbytes = 0;
    for (uint32_t r = row0; r < out->nrows; r++)
        for (uint32_t c = 0; c < ncols; c++)
            if (type_phys(out->cols[c].type) == PHYS_STR && !out->cols[c].nulls[r]) strbytes += out->cols[c].str[r].len;
    cache_entry *e = xcalloc(1, sizeof *e + nvals * sizeof(value_t) + strbytes + l->key_bytes.len);
    e->vals = (value_t *)(e + 1);
    char *bytes = (char *)(e->vals + nvals);
    e->key = bytes + strbytes;
    memcpy(e->key, l->key_bytes.data, l->key_bytes.len);
    for (uint32_t r = 0; r < nrows; r++)
        for (uint32_t c = 0; c < ncols; c++) {
            value_t *v = &e->vals[(size_t)r * ncols + c];
            vector_get(&out->cols[c], row0 + r, v);
            if (type_phys(out->cols[c].type) != PHYS_STR || v->null || v->s.len <= STR_INLINE) continue;
            memcpy(bytes, str_ptr(&out->cols[c].str[row0 + r]), v->s.len);
            v->s = str_view(bytes, v->s.len);
            bytes += v->s.len;
        }
    e->nrows = nrows;
    e->written_us = e->accessed_us = now;
    e->klen = (uint32_t)l->key_bytes.len;
    e->hash = hash_bytes(l->key_bytes.data, l->key_bytes.len);
    int created;
    void **slot = hmap_put(&l->cache, l->key_bytes.data, e->klen, e->hash, &created);
    if (!created) {
        cache_entry *old = *slot;
        lru_unlink(l, old);
        free(old);
    }
    *slot = e;
    lru_push_front(l, e);
    while (l->cache_max > 0 && (int64_t)l->cache.len > l->cache_max) cache_remove(l, l->lru_tail);
}

static int prepare_select(jdbc_lookup *l)
{
    const connector_table *t = l->base.table;
    sb_t sql = {0};
    sb_puts(&sql, "SELECT ");
    put_column_list(&sql, t);
    sb_puts(&sql, " FROM ");
    put_ident(&sql, table_opt(t, "table-name"));
    sb_puts(&sql, " WHERE ");
    put_key_condition(&sql, t, l->keys, l->base.nkeys);
    int rc = prepare(l->db, t, "lookup", sql.data, &l->select);
    sb_free(&sql);
    return rc;
}

/* Runs the query for keys, appending the rows to out; returns an SQLite code or -1. */
static int query(jdbc_lookup *l, const value_t *keys, chunk_t *out)
{
    const connector_table *t = l->base.table;
    for (int k = 0; k < l->base.nkeys; k++) {
        int rc = bind_value(l->select, k + 1, t->physical.types[l->keys[k]], &keys[k], &l->tmp);
        if (rc != SQLITE_OK) return rc;
    }
    int rc;
    while ((rc = sqlite3_step(l->select)) == SQLITE_ROW) {
        if (chunk_full(out)) {
            rc = err_msg("jdbc lookup of table '%s': more than %u rows match one key", t->name, out->cap);
            break;
        }
        if (read_row(l->select, t, out)) { rc = -1; break; }
    }
    sqlite3_reset(l->select);
    sqlite3_clear_bindings(l->select);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int jdbc_fetch(lookup_t *base, const value_t *keys, chunk_t *out)
{
    jdbc_lookup *l = (jdbc_lookup *)base;
    int64_t now = 0;
    if (l->cached) {
        now = table_now_us(base->table);
        encode_key(l, keys);
        int hit = cache_fetch(l, out, now);
        if (hit) return hit < 0 ? -1 : 0;
    }
    if (!l->select && prepare_select(l)) return -1;
    uint32_t row0 = out->nrows;
    int rc;
    for (int64_t attempt = 0;; attempt++) {
        out->nrows = row0;
        rc = query(l, keys, out);
        if (rc == SQLITE_OK || !is_busy(rc) || attempt >= l->max_retries) break;
        sleep_ms(20 << (attempt < 6 ? attempt : 6));
    }
    if (rc == -1) return -1;
    if (rc != SQLITE_OK)
        return err_msg("jdbc lookup of table '%s' in '%s' failed: %s", base->table->name, db_path(base->table),
                       sqlite3_errmsg(l->db));
    if (l->cached) cache_store(l, out, row0, now);
    return 0;
}

static void jdbc_lookup_close(lookup_t *base)
{
    jdbc_lookup *l = (jdbc_lookup *)base;
    while (l->lru_head) cache_remove(l, l->lru_head);
    hmap_free(&l->cache);
    sqlite3_finalize(l->select);
    sqlite3_close(l->db);
    free(l->keys);
    sb_free(&l->key_bytes);
    sb_free(&l->tmp);
    free(l);
}

static const lookup_vtable jdbc_lookup_vt = {jdbc_fetch, jdbc_lookup_close};

static int read_cache_options(const connector_table *t, jdbc_lookup *l)
{
    static const char *const kinds[] = {"NONE", "PARTIAL", NULL};
    int64_t legacy_rows, legacy_ttl;
    int legacy_missing;
    if (table_opt_enum(t, "lookup.cache", kinds, 0, &l->cached) ||
        table_opt_i64(t, "lookup.partial-cache.max-rows", -1, &l->cache_max) ||
        table_opt_duration(t, "lookup.partial-cache.expire-after-write", 0, &l->expire_write_us) ||
        table_opt_duration(t, "lookup.partial-cache.expire-after-access", 0, &l->expire_access_us) ||
        table_opt_bool(t, "lookup.partial-cache.cache-missing-key", 1, &l->cache_missing) ||
        table_opt_i64(t, "lookup.cache.max-rows", -1, &legacy_rows) ||
        table_opt_duration(t, "lookup.cache.ttl", 0, &legacy_ttl) ||
        table_opt_bool(t, "lookup.cache.caching-missing-key", 1, &legacy_missing) ||
        table_opt_i64(t, "lookup.max-retries", 3, &l->max_retries))
        return -1;
    if (!table_opt_entry(t, "lookup.cache") && legacy_rows > 0) {
        l->cached = 1;
        l->cache_max = legacy_rows;
        l->expire_write_us = legacy_ttl;
        l->cache_missing = legacy_missing;
    }
    return 0;
}

static lookup_t *jdbc_create_lookup(const connector_table *t, const int *key_cols, int nkeys)
{
    if (check_table_name(t)) return NULL;
    jdbc_lookup *l = xcalloc(1, sizeof *l);
    l->base.vt = &jdbc_lookup_vt;
    l->base.table = t;
    l->keys = xmalloc((size_t)(nkeys ? nkeys : 1) * sizeof *l->keys);
    memcpy(l->keys, key_cols, (size_t)nkeys * sizeof *l->keys);
    l->base.key_cols = l->keys;
    l->base.nkeys = nkeys;
    hmap_init(&l->cache);
    if (read_cache_options(t, l) || open_db(t, &l->db)) {
        jdbc_lookup_close(&l->base);
        return NULL;
    }
    return &l->base;
}

/* ---- scan source (bounded: the table as it is when the job starts reading) ---- */

typedef struct jdbc_scan {
    source_t base;
    sqlite3 *db;
    sqlite3_stmt *select;
    int done;
} jdbc_scan;

static int jdbc_scan_next(source_t *base, chunk_t *out)
{
    jdbc_scan *s = (jdbc_scan *)base;
    if (s->done) return 0;
    uint32_t before = out->nrows;
    int rc = SQLITE_ROW;
    while (!chunk_full(out) && (rc = sqlite3_step(s->select)) == SQLITE_ROW)
        if (read_row(s->select, base->table, out)) return -1;
    base->rows += out->nrows - before;
    if (rc == SQLITE_ROW) return 1;
    s->done = 1;
    if (rc != SQLITE_DONE)
        return err_msg("jdbc scan of table '%s' in '%s' failed: %s", base->table->name, db_path(base->table),
                       sqlite3_errmsg(s->db));
    return out->nrows > before ? 1 : 0;
}

static void jdbc_scan_close(source_t *base)
{
    jdbc_scan *s = (jdbc_scan *)base;
    sqlite3_finalize(s->select);
    sqlite3_close(s->db);
    free(s);
}

static const source_vtable jdbc_scan_vt = {jdbc_scan_next, jdbc_scan_close};

static source_t *jdbc_create_source(const connector_table *t)
{
    if (check_table_name(t)) return NULL;
    jdbc_scan *s = xcalloc(1, sizeof *s);
    s->base.vt = &jdbc_scan_vt;
    s->base.table = t;
    s->base.bounded = 1;
    sb_t sql = {0};
    sb_puts(&sql, "SELECT ");
    put_column_list(&sql, t);
    sb_puts(&sql, " FROM ");
    put_ident(&sql, table_opt(t, "table-name"));
    int rc = open_db(t, &s->db) || prepare(s->db, t, "scan", sql.data, &s->select);
    sb_free(&sql);
    if (rc) {
        jdbc_scan_close(&s->base);
        return NULL;
    }
    return &s->base;
}

const connector_def connector_jdbc = {
    .name = "jdbc",
    .options = jdbc_options,
    .create_source = jdbc_create_source,
    .create_sink = jdbc_create_sink,
    .create_lookup = jdbc_create_lookup,
    .required = jdbc_required,
};
