/* dialect.c - translates legacy and Blink WITH options into Flink >= 1.11 options and
 * applies the configured service bindings (see dialect.h). */
#include "sql/dialect.h"
#include "base/util.h"
#include "base/strbuf.h"
#include <stdlib.h>

typedef struct opt_list {
    table_option *items;
    int len;
    int cap;
} opt_list;

static void opt_set(opt_list *l, const char *key, const char *value, span_t ks, span_t vs)
{
    for (int i = 0; i < l->len; i++)
        if (!strcmp(l->items[i].key, key)) {
            l->items[i].value = value;
            l->items[i].value_span = vs;
            return;
        }
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->items = xrealloc(l->items, sizeof *l->items * (size_t)l->cap);
    }
    l->items[l->len++] = (table_option){key, value, ks, vs};
}

/* ---- Flink <= 1.10 / DLI ---- */

typedef struct key_map {
    const char *legacy;
    const char *modern;           /* NULL: dropped (no meaning here) */
} key_map;

static const key_map legacy_keys[] = {
    {"connector.type", "connector"},
    {"connector.path", "path"},
    {"connector.url", "url"},
    {"connector.table", "table-name"},
    {"connector.driver", "driver"},
    {"connector.username", "username"},
    {"connector.password", "password"},
    {"connector.write.flush.max-rows", "sink.buffer-flush.max-rows"},
    {"connector.write.flush.interval", "sink.buffer-flush.interval"},
    {"connector.write.max-retries", "sink.max-retries"},
    {"connector.lookup.cache.max-rows", "lookup.cache.max-rows"},
    {"connector.lookup.cache.ttl", "lookup.cache.ttl"},
    {"connector.lookup.max-retries", "lookup.max-retries"},
    {"connector.topic", "topic"},
    {"connector.startup-mode", "scan.startup.mode"},
    {"connector.specific-offsets", "scan.startup.specific-offsets"},
    {"connector.startup-timestamp-millis", "scan.startup.timestamp-millis"},
    {"connector.sink-partitioner", "sink.partitioner"},
    {"connector.rows-per-second", "rows-per-second"},
    {"connector.version", NULL},
    {"update-mode", NULL},
    {"pwd_auth_name", NULL},
    {"format.type", "format"},
    {"format.derive-schema", NULL},
    {"format.json-schema", NULL},
    {"format.schema", NULL},
};

/* format.X -> <format>.X for the keys the formats know. */
static const char *const legacy_format_keys[] = {
    "field-delimiter", "quote-character", "allow-comments", "ignore-parse-errors", "array-element-delimiter",
    "escape-character", "null-literal", "fail-on-missing-field", "timestamp-format.standard",
};

static int translate_legacy(catalog *c, catalog_table *t, opt_list *out)
{
    const char *format = NULL;
    for (int i = 0; i < t->conn.nopts; i++)
        if (!strcmp(t->conn.opts[i].key, "format.type")) format = t->conn.opts[i].value;
    for (int i = 0; i < t->conn.nopts; i++) {
        table_option *o = &t->conn.opts[i];
        int done = 0;
        for (size_t k = 0; k < ARRAY_LEN(legacy_keys) && !done; k++) {
            if (strcmp(o->key, legacy_keys[k].legacy)) continue;
            if (legacy_keys[k].modern) opt_set(out, legacy_keys[k].modern, o->value, o->key_span, o->value_span);
            done = 1;
        }
        if (done) continue;
        if (!strncmp(o->key, "connector.properties.", 21)) {
            char *key = arena_strdup(c->arena, o->key + 10);     /* "properties.X" */
            opt_set(out, key, o->value, o->key_span, o->value_span);
            continue;
        }
        if (!strncmp(o->key, "format.", 7) && format) {
            for (size_t k = 0; k < ARRAY_LEN(legacy_format_keys) && !done; k++) {
                if (strcmp(o->key + 7, legacy_format_keys[k])) continue;
                sb_t key = {0};
                sb_printf(&key, "%s.%s", format, o->key + 7);
                opt_set(out, arena_strdup(c->arena, sb_str(&key)), o->value, o->key_span, o->value_span);
                sb_free(&key);
                done = 1;
            }
            if (done) continue;
        }
        sb_t valid = {0};
        for (size_t k = 0; k < ARRAY_LEN(legacy_keys); k++) sb_printf(&valid, "%s%s", k ? ", " : "", legacy_keys[k].legacy);
        sb_puts(&valid, ", connector.properties.*, format.<format option>");
        err_at(o->key_span, "unknown option '%s' in the \"connector.type\" style; known options: %s", o->key, sb_str(&valid));
        sb_free(&valid);
        return -1;
    }
    return 0;
}

/* ---- Blink ---- */

/* Options of Blink's services that only make sense against the real service. */
static const char *const blink_service_keys[] = {
    "type", "endPoint", "endpoint", "accessId", "accessKey", "project", "topic", "url", "userName", "username",
    "password", "instanceName", "tableName", "batchSize", "bufferSize", "flushIntervalMs", "maxRetryTimes",
    "ignoreDelete", "startTime", "startTimeMs", "stopTime", "maxFetchSize", "lengthCheck", "cache", "cacheSize",
    "cacheTTLMs", "partitionedJoin", "shardId", "consumerGroup", "columnErrorDebug", "retryIntervalMs",
    "writeMode", "excludeUpdateColumns",
};

static int is_blink_key(const char *key)
{
    for (size_t i = 0; i < ARRAY_LEN(blink_service_keys); i++)
        if (!strcmp(key, blink_service_keys[i])) return 1;
    return 0;
}

/* The service defaults: RDS and OTS tables live in SQLite unless bound elsewhere. */
static void blink_defaults(catalog *c, catalog_table *t, const char *service, opt_list *out)
{
    const char *table_name = t->name;
    span_t ts = t->span;
    for (int i = 0; i < t->conn.nopts; i++)
        if (!strcmp(t->conn.opts[i].key, "tableName")) { table_name = t->conn.opts[i].value; ts = t->conn.opts[i].value_span; }
    if (str_ieq(service, "rds") || str_ieq(service, "ots")) {
        opt_set(out, "connector", "jdbc", t->span, t->span);
        opt_set(out, "url", str_ieq(service, "rds") ? "jdbc:sqlite:rds.db" : "jdbc:sqlite:ots.db", t->span, t->span);
        opt_set(out, "table-name", table_name, ts, ts);
    }
    (void)c;
}

static int check_blink_keys(catalog_table *t, const char *service)
{
    for (int i = 0; i < t->conn.nopts; i++) {
        table_option *o = &t->conn.opts[i];
        if (is_blink_key(o->key)) continue;
        sb_t valid = {0};
        for (size_t k = 0; k < ARRAY_LEN(blink_service_keys); k++) sb_printf(&valid, "%s%s", k ? ", " : "", blink_service_keys[k]);
        err_at(o->key_span, "unknown option '%s' for a Blink '%s' table; known options: %s", o->key, service, sb_str(&valid));
        sb_free(&valid);
        return -1;
    }
    return 0;
}

/* ---- bindings from the configuration ---- */

static void apply_bindings(catalog *c, const char *prefix, opt_list *out, span_t sp)
{
    size_t n = strlen(prefix);
    for (int i = 0; i < c->ctx->nconfig; i++) {
        config_entry *e = &c->ctx->config[i];
        if (strncmp(e->key, prefix, n) || !e->key[n]) continue;
        opt_set(out, arena_strdup(c->arena, e->key + n), arena_strdup(c->arena, e->value), sp, sp);
    }
}

static const char *opt_value(const opt_list *l, const char *key);

static const char *binding_value(catalog *c, const char *prefix, const char *option)
{
    size_t n = strlen(prefix);
    const char *v = NULL;
    for (int i = 0; i < c->ctx->nconfig; i++)
        if (!strncmp(c->ctx->config[i].key, prefix, n) && !strcmp(c->ctx->config[i].key + n, option))
            v = c->ctx->config[i].value;
    return v;
}

/* A binding that replaces the connector takes the table's own connector options away;
 * only the format and its options stay. */
static void keep_format_only_if_rebound(catalog *c, const char *service_prefix, const char *table_prefix, opt_list *l)
{
    const char *to = binding_value(c, table_prefix, "connector");
    if (!to) to = binding_value(c, service_prefix, "connector");
    const char *from = opt_value(l, "connector");
    if (!to || (from && !strcmp(to, from))) return;
    const char *format = opt_value(l, "format");
    size_t flen = format ? strlen(format) : 0;
    int k = 0;
    for (int i = 0; i < l->len; i++) {
        const char *key = l->items[i].key;
        int keep = !strcmp(key, "format") || (format && !strncmp(key, format, flen) && key[flen] == '.');
        if (keep) l->items[k++] = l->items[i];
    }
    l->len = k;
}

static const char *opt_value(const opt_list *l, const char *key)
{
    for (int i = 0; i < l->len; i++)
        if (!strcmp(l->items[i].key, key)) return l->items[i].value;
    return NULL;
}

int dialect_bind(catalog *c, catalog_table *t)
{
    opt_list out = {0};
    const char *service = NULL;
    const table_option *legacy = table_opt_entry(&t->conn, "connector.type");
    const table_option *blink = table_opt_entry(&t->conn, "type");
    const table_option *modern = table_opt_entry(&t->conn, "connector");
    if (modern) {
        for (int i = 0; i < t->conn.nopts; i++) opt_set(&out, t->conn.opts[i].key, t->conn.opts[i].value, t->conn.opts[i].key_span, t->conn.opts[i].value_span);
        service = modern->value;
    } else if (legacy) {
        if (translate_legacy(c, t, &out)) { free(out.items); return -1; }
        service = legacy->value;
    } else if (blink) {
        service = blink->value;
        if (check_blink_keys(t, service)) return -1;
        blink_defaults(c, t, service, &out);
    } else {
        return err_at(t->span, "table '%s' has no 'connector' option; available connectors: %s", t->name, connector_list());
    }
    char prefix[256];
    snprintf(prefix, sizeof prefix, "eddy.binding.%s.", service);
    for (char *p = prefix; *p; p++) *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    char table_prefix[256];
    snprintf(table_prefix, sizeof table_prefix, "eddy.binding.table.%s.", t->name);
    keep_format_only_if_rebound(c, prefix, table_prefix, &out);
    apply_bindings(c, prefix, &out, t->span);
    apply_bindings(c, table_prefix, &out, t->span);
    if (!opt_value(&out, "connector")) {
        free(out.items);
        return err_at(blink ? blink->value_span : t->span,
                      "table '%s' is a Blink '%s' table, which has no embedded default; bind it to a connector, e.g. "
                      "-D eddy.binding.%s.connector=filesystem -D eddy.binding.table.%s.path=data.csv "
                      "-D eddy.binding.table.%s.format=csv (see docs/connectors.md, \"Option dialects and bindings\")",
                      t->name, service, service, t->name, t->name);
    }
    free(t->conn.opts);
    t->conn.opts = out.items;
    t->conn.nopts = out.len;
    return 0;
}
