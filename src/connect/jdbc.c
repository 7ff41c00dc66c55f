/* jdbc.c - the 'jdbc' connector (Flink's JDBC options): a sink, a lookup source (FOR
 * SYSTEM_TIME AS OF joins) and a bounded scan source over SQLite, PostgreSQL or MySQL; the
 * URL picks the driver (connect/jdbc.h), everything else is shared here.
 *
 * Sink: buffers changes. With a primary key the buffer keeps only the latest change per key
 * (an open-addressing index from key to buffered row), so a flush writes each key once:
 * +I/+U upsert, -D deletes, -U is ignored. Without a primary key rows are appended. A flush
 * is one transaction; it happens after sink.buffer-flush.max-rows changes, on tick() once
 * sink.buffer-flush.interval has passed since the last flush, on flush() and on close. A
 * failed flush keeps the buffer: when the driver calls the failure retryable (connection
 * lost, server restarting, deadlock) the error is printed as a warning, and after waiting
 * 1 s, 2 s, 3 s ... (as Flink's JdbcOutputFormat does) the sink reconnects - trying for up
 * to connection.max-retry-timeout - and writes the same batch again, at most
 * sink.max-retries times. So no change is lost while the server is down for a while.
 *
 * Lookup: under 'lookup.cache' = 'PARTIAL' (or the older lookup.cache.max-rows /
 * lookup.cache.ttl) results are kept in an LRU cache keyed by the lookup key, with
 * expire-after-write / expire-after-access on the job clock and at most max-rows keys; empty
 * results are cached unless cache-missing-key is false. Failed queries are retried like
 * flushes, lookup.max-retries times. */
#include "connect/jdbc.h"
#include "connect/format.h"
#include "base/hashmap.h"
#include "base/util.h"
#include <ctype.h>
#include <stdio.h>
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

#define MAX_BUFFER_ROWS 65536

static const jdbc_driver *const drivers[] = {&jdbc_sqlite_driver, &jdbc_postgres_driver, &jdbc_mysql_driver};

/* ---- helpers for drivers ---- */

const char *jdbc_table_name(const connector_table *t) { return table_opt(t, "table-name"); }

void jdbc_put_ident(sb_t *b, const char *name, char quote)
{
    sb_putc(b, quote);
    for (const char *p = name; *p; p++) {
        if (*p == quote) sb_putc(b, quote);
        sb_putc(b, *p);
    }
    sb_putc(b, quote);
}

void jdbc_put_columns(sb_t *b, const connector_table *t, char quote)
{
    for (uint32_t i = 0; i < t->physical.ncols; i++) {
        if (i) sb_puts(b, ", ");
        jdbc_put_ident(b, t->physical.names[i], quote);
    }
}

int jdbc_is_pk(const connector_table *t, uint32_t col)
{
    for (int k = 0; k < t->npk; k++)
        if ((uint32_t)t->pk[k] == col) return 1;
    return 0;
}

static int parse_server_bool(const char *s, size_t n, value_t *out)
{
    if (n != 1 || !strchr("tf01", s[0])) return -1;
    *out = value_i64(s[0] == 't' || s[0] == '1');
    return 0;
}

int jdbc_append_text_row(const connector_table *t, chunk_t *out, const char *const *cells, const size_t *lens)
{
    uint32_t r = out->nrows;
    for (uint32_t i = 0; i < out->ncols; i++) {
        type_t ty = out->cols[i].type;
        value_t v = value_null();
        if (cells[i]) {
            int bad = ty.id == TY_BOOLEAN && parse_server_bool(cells[i], lens[i], &v) == 0
                          ? 0
                          : value_parse(ty, cells[i], lens[i], &v, &out->arena);
            if (bad) {
                char tn[64];
                sb_t shown = {0};
                format_excerpt(cells[i], lens[i], &shown);
                int rc = err_msg("jdbc table '%s': column '%s' holds '%s', which is not a valid %s", t->name,
                                 t->physical.names[i], sb_str(&shown), type_name(ty, tn, sizeof tn));
                sb_free(&shown);
                return rc;
            }
        }
        vector_set(&out->cols[i], r, &v, NULL);
    }
    out->ops[r] = OP_INSERT;
    out->nrows++;
    return 0;
}

int jdbc_url_parse(const connector_table *t, const char *prefix, jdbc_url *u)
{
    const table_option *o = table_opt_entry(t, "url");
    memset(u, 0, sizeof *u);
    const char *rest = o->value + strlen(prefix);
    if (strncmp(rest, "//", 2) != 0)
        return err_at(o->value_span, "JDBC URL '%s' of table '%s' must look like %s//HOST[:PORT]/DATABASE", o->value,
                      t->name, prefix);
    u->buf = xstrdup(rest + 2);
    char *slash = strchr(u->buf, '/');
    char *q = strchr(u->buf, '?');
    if (!slash || (q && q < slash) || slash[1] == 0 || slash + 1 == q) {
        jdbc_url_free(u);
        return err_at(o->value_span, "JDBC URL '%s' of table '%s' names no database; expected %s//HOST[:PORT]/DATABASE",
                      o->value, t->name, prefix);
    }
    *slash = 0;
    if (q) {
        *q = 0;
        u->params = q + 1;
    }
    u->database = slash + 1;
    u->host = u->buf;
    char *colon = strrchr(u->buf, ':');
    if (strchr(u->buf, ',')) {                   /* a list of servers: the driver splits it */
        colon = NULL;
    } else if (u->buf[0] == '[') {               /* [IPv6]:port */
        char *close = strchr(u->buf, ']');
        colon = close && close[1] == ':' ? close + 1 : NULL;
        if (close) *close = 0;
        u->host = u->buf + 1;
    }
    if (colon) {
        *colon = 0;
        char *end;
        long port = strtol(colon + 1, &end, 10);
        if (*end || port <= 0 || port > 65535) {
            jdbc_url_free(u);
            return err_at(o->value_span, "JDBC URL '%s' of table '%s' has a bad port", o->value, t->name);
        }
        u->port = (int)port;
    }
    if (!u->host[0]) u->host = "localhost";
    return 0;
}

void jdbc_url_free(jdbc_url *u)
{
    free(u->buf);
    memset(u, 0, sizeof *u);
}

/* ---- connections, retries ---- */

static const jdbc_driver *driver_of(const connector_table *t)
{
    const table_option *url = table_opt_entry(t, "url");
    if (!url) {
        err_at(t->span, "connector 'jdbc' requires option 'url' (table '%s')", t->name);
        return NULL;
    }
    for (size_t i = 0; i < ARRAY_LEN(drivers); i++)
        if (strncmp(url->value, drivers[i]->url_prefix, strlen(drivers[i]->url_prefix)) == 0) return drivers[i];
    err_at(url->value_span, "unsupported JDBC URL '%s' for table '%s'; valid: jdbc:sqlite:PATH, "
           "jdbc:postgresql://HOST[:PORT]/DATABASE, jdbc:mysql://HOST[:PORT]/DATABASE", url->value, t->name);
    return NULL;
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A database link that can be re-established: the driver, its connection and the
 * connection.max-retry-timeout. */
typedef struct link {
    const jdbc_driver *drv;
    jdbc_conn *conn;
    int64_t reconnect_timeout_us;
    int sink;                          /* open_sink after every (re)connect */
} link_t;

static int link_open(link_t *l, const connector_table *t)
{
    l->conn = l->drv->connect(t);
    if (!l->conn) return -1;
    if (l->sink && l->drv->open_sink(l->conn, t)) return -1;
    return 0;
}

static void link_close(link_t *l)
{
    if (l->conn) l->drv->disconnect(l->conn);
    l->conn = NULL;
}

/* Reconnects, trying every half second until connection.max-retry-timeout has passed. */
static int link_reopen(link_t *l, const connector_table *t)
{
    int64_t deadline = ctx_wall_clock_us() + l->reconnect_timeout_us;
    for (;;) {
        link_close(l);
        if (link_open(l, t) == 0) return 0;
        if (ctx_wall_clock_us() >= deadline) return -1;
        err_clear();
        sleep_ms(500);
    }
}

/* After a failed attempt: 1 to try again (the warning printed, the error cleared, the link
 * re-established), 0 to give up with the error recorded. */
static int link_should_retry(link_t *l, const connector_table *t, const char *what, int64_t attempt, int64_t max)
{
    if (attempt >= max || !l->conn || !l->drv->retryable(l->conn)) return 0;
    fprintf(stderr, "eddy: warning: %s; retry %lld of %lld in %lld s\n", err_message(), (long long)attempt + 1,
            (long long)max, (long long)attempt + 1);
    (void)what;
    err_clear();
    sleep_ms(1000 * (attempt + 1));
    return link_reopen(l, t) == 0;
}

static int read_link_options(const connector_table *t, link_t *l)
{
    l->drv = driver_of(t);
    if (!l->drv) return -1;
    return table_opt_duration(t, "connection.max-retry-timeout", 60 * US_PER_SEC, &l->reconnect_timeout_us);
}

static int check_table_name(const connector_table *t)
{
    if (table_opt(t, "table-name")) return 0;
    return err_at(t->span, "connector 'jdbc' requires option 'table-name' (table '%s')", t->name);
}

/* ---- sink ---- */

typedef struct jdbc_sink {
    sink_t base;
    link_t link;
    chunk_t *buf;                /* buffered changes: with a pk the latest one per key */
    uint32_t *index;             /* with a pk: slot -> buffered row + 1 (0: empty) */
    uint32_t index_mask;
    int64_t max_rows;            /* sink.buffer-flush.max-rows (0: no row limit) */
    int64_t interval_us;         /* sink.buffer-flush.interval (0: no time-based flush) */
    int64_t max_retries;
    uint64_t pending;            /* changes received since the last flush */
    int64_t last_flush_us;
} jdbc_sink;

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


static void clear_buffer(jdbc_sink *s)
{
    chunk_reset(s->buf);
    if (s->index) memset(s->index, 0, (s->index_mask + 1) * sizeof *s->index);
    s->pending = 0;
}

static int jdbc_flush(sink_t *base)
{
    jdbc_sink *s = (jdbc_sink *)base;
    const connector_table *t = base->table;
    s->last_flush_us = table_now_us(t);
    if (!s->buf->nrows) {
        s->pending = 0;
        return 0;
    }
    for (int64_t attempt = 0;; attempt++) {
        if (s->link.conn && s->link.drv->write(s->link.conn, t, s->buf) == 0) break;
        if (!s->link.conn && link_reopen(&s->link, t) == 0) { attempt--; continue; }
        if (!link_should_retry(&s->link, t, "write", attempt, s->max_retries)) {
            err_note("jdbc sink of table '%s' gave up writing %u buffered changes after %lld retries "
                     "(sink.max-retries)", t->name, s->buf->nrows, (long long)attempt);
            return -1;
        }
    }
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

static void jdbc_sink_free(jdbc_sink *s)
{
    link_close(&s->link);
    chunk_free(s->buf);
    free(s->index);
    free(s);
}

static void jdbc_sink_close(sink_t *base)
{
    jdbc_sink *s = (jdbc_sink *)base;
    if (s->link.conn && s->buf->nrows && jdbc_flush(base) < 0) {
        fprintf(stderr, "eddy: error: %s\n", err_message());
        err_clear();
    }
    jdbc_sink_free(s);
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

static sink_t *jdbc_create_sink(const connector_table *t)
{
    if (check_table_name(t)) return NULL;
    jdbc_sink *s = xcalloc(1, sizeof *s);
    s->base.vt = &jdbc_sink_vt;
    s->base.table = t;
    s->link.sink = 1;
    if (read_sink_options(t, s) || read_link_options(t, &s->link)) goto fail;
    uint32_t cap = (uint32_t)(s->max_rows > 0 && s->max_rows < MAX_BUFFER_ROWS ? s->max_rows : s->max_rows ? MAX_BUFFER_ROWS : CHUNK_CAP);
    s->buf = chunk_new(&t->physical, cap);
    if (t->npk) {
        uint32_t slots = 16;
        while (slots < cap * 2) slots *= 2;
        s->index = xcalloc(slots, sizeof *s->index);
        s->index_mask = slots - 1;
    }
    if (link_open(&s->link, t)) goto fail;
    s->last_flush_us = table_now_us(t);
    return &s->base;
fail:
    jdbc_sink_free(s);
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
    link_t link;
    int *keys;                         /* key columns (copy) */
    int64_t max_retries;
    int cached;                        /* lookup.cache = PARTIAL */
    int64_t cache_max;                 /* entries; <= 0 unlimited */
    int64_t expire_write_us, expire_access_us;   /* 0: never */
    int cache_missing;
    hmap_t cache;
    cache_entry *lru_head, *lru_tail;
    sb_t key_bytes;
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


static int jdbc_fetch(lookup_t *base, const value_t *keys, chunk_t *out)
{
    jdbc_lookup *l = (jdbc_lookup *)base;
    const connector_table *t = base->table;
    int64_t now = 0;
    if (l->cached) {
        now = table_now_us(t);
        encode_key(l, keys);
        int hit = cache_fetch(l, out, now);
        if (hit) return hit < 0 ? -1 : 0;
    }
    uint32_t row0 = out->nrows;
    for (int64_t attempt = 0;; attempt++) {
        out->nrows = row0;
        if (l->link.conn && l->link.drv->lookup(l->link.conn, t, l->keys, base->nkeys, keys, out) == 0) break;
        if (!l->link.conn && link_reopen(&l->link, t) == 0) { attempt--; continue; }
        if (!link_should_retry(&l->link, t, "lookup", attempt, l->max_retries)) return -1;
    }
    if (l->cached) cache_store(l, out, row0, now);
    return 0;
}

static void jdbc_lookup_close(lookup_t *base)
{
    jdbc_lookup *l = (jdbc_lookup *)base;
    while (l->lru_head) cache_remove(l, l->lru_head);
    hmap_free(&l->cache);
    link_close(&l->link);
    free(l->keys);
    sb_free(&l->key_bytes);
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
    if (read_cache_options(t, l) || read_link_options(t, &l->link) || link_open(&l->link, t)) {
        jdbc_lookup_close(&l->base);
        return NULL;
    }
    return &l->base;
}

/* ---- scan source (bounded: the table as it is when the job starts reading) ---- */

typedef struct jdbc_scan {
    source_t base;
    link_t link;
    int done;
} jdbc_scan;

static int jdbc_scan_next(source_t *base, chunk_t *out)
{
    jdbc_scan *s = (jdbc_scan *)base;
    if (s->done) return 0;
    uint32_t before = out->nrows;
    int rc = s->link.drv->scan_next(s->link.conn, base->table, out);
    base->rows += out->nrows - before;
    if (rc == 1) return 1;
    s->done = 1;
    if (rc < 0) return -1;
    return out->nrows > before ? 1 : 0;
}

static void jdbc_scan_close(source_t *base)
{
    jdbc_scan *s = (jdbc_scan *)base;
    link_close(&s->link);
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
    if (read_link_options(t, &s->link) || link_open(&s->link, t) || s->link.drv->scan_open(s->link.conn, t)) {
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
