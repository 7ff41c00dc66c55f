/* registry.c - the connector registry, option lookup and typed option parsing, and the
 * validation of a table's WITH options against its connector and format.
 *
 * Validation (connector_check_options) goes in three passes: every key must be known (to the
 * connector, to its format, or be 'connector' / 'format'), and set only once; every required
 * key must be present; and every key whose type is known (boolean, whole number, duration,
 * character, enumeration) must have a value of that type. Keys are case-sensitive, as in
 * Flink. A pattern key such as "fields.#.kind" matches "fields.<column>.kind" for a physical
 * column of the table. */
#include "connect/connector.h"
#include "connect/format.h"
#include "base/util.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const connector_def *const connectors[] = {
    &connector_blackhole, &connector_datagen, &connector_filesystem, &connector_jdbc, &connector_kafka,
    &connector_mqtt, &connector_print, &connector_upsert_kafka,
};

const connector_def *connector_lookup(const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < ARRAY_LEN(connectors); i++)
        if (strcmp(connectors[i]->name, name) == 0) return connectors[i];
    return NULL;
}

const char *connector_list(void)
{
    static char list[512];
    if (!list[0]) {
        size_t n = 0;
        for (size_t i = 0; i < ARRAY_LEN(connectors) && n < sizeof list; i++)
            n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", connectors[i]->name);
    }
    return list;
}

/* ---- option lookup ---- */

const table_option *table_opt_entry(const connector_table *t, const char *key)
{
    for (int i = 0; i < t->nopts; i++)
        if (strcmp(t->opts[i].key, key) == 0) return &t->opts[i];
    return NULL;
}

const char *table_opt(const connector_table *t, const char *key)
{
    const table_option *o = table_opt_entry(t, key);
    return o ? o->value : NULL;
}

int64_t table_now_us(const connector_table *t)
{
    if (t && t->ctx && t->ctx->now_us) return t->ctx->now_us();
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * US_PER_SEC + ts.tv_nsec / 1000;
}

/* ---- typed values (shared by the table_opt_* helpers and the validation pass) ---- */

static int parse_bool(const char *s, int *out)
{
    if (str_ieq(s, "true")) { *out = 1; return 0; }
    if (str_ieq(s, "false")) { *out = 0; return 0; }
    return -1;
}

static int parse_whole(const char *s, int64_t *out)
{
    while (isspace((unsigned char)*s)) s++;
    if (!*s) return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    while (isspace((unsigned char)*end)) end++;
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

typedef struct duration_unit {
    const char *name;
    int64_t ns;
} duration_unit;

static const duration_unit duration_units[] = {
    {"ns", 1}, {"nano", 1}, {"nanos", 1}, {"nanosecond", 1}, {"nanoseconds", 1},
    {"us", 1000}, {"micro", 1000}, {"micros", 1000}, {"microsecond", 1000}, {"microseconds", 1000},
    {"ms", 1000000}, {"milli", 1000000}, {"millis", 1000000}, {"millisecond", 1000000},
    {"milliseconds", 1000000},
    {"s", 1000000000LL}, {"sec", 1000000000LL}, {"secs", 1000000000LL}, {"second", 1000000000LL},
    {"seconds", 1000000000LL},
    {"m", 60000000000LL}, {"min", 60000000000LL}, {"mins", 60000000000LL}, {"minute", 60000000000LL},
    {"minutes", 60000000000LL},
    {"h", 3600000000000LL}, {"hour", 3600000000000LL}, {"hours", 3600000000000LL},
    {"d", 86400000000000LL}, {"day", 86400000000000LL}, {"days", 86400000000000LL},
};

/* Flink's TimeUtils.parseDuration: digits, optional blanks, optional unit (default ms). */
int duration_parse_us(const char *s, int64_t *out)
{
    while (isspace((unsigned char)*s)) s++;
    if (!isdigit((unsigned char)*s)) return -1;
    int64_t v = 0;
    for (; isdigit((unsigned char)*s); s++) {
        if (v > (INT64_MAX - 9) / 10) return -1;
        v = v * 10 + (*s - '0');
    }
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) n--;
    int64_t ns = 1000000;
    if (n) {
        ns = 0;
        for (size_t i = 0; i < ARRAY_LEN(duration_units); i++)
            if (strlen(duration_units[i].name) == n && str_ieqn(s, duration_units[i].name, n)) {
                ns = duration_units[i].ns;
                break;
            }
        if (!ns) return -1;
    }
    if (ns >= 1000) {
        int64_t us_per = ns / 1000;
        if (v > INT64_MAX / us_per) return -1;
        *out = v * us_per;
    } else {
        *out = v / (1000 / ns);
    }
    return 0;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Java's StringEscapeUtils.unescapeJava for one character: "\t", "\u0001", "\1", ";". */
static int parse_char(const char *s, char *out)
{
    size_t n = strlen(s);
    if (n == 1) { *out = s[0]; return 0; }
    if (n < 2 || s[0] != '\\') return -1;
    const char *p = s + 1;
    unsigned code;
    switch (*p) {
    case 't': code = '\t'; p++; break;
    case 'n': code = '\n'; p++; break;
    case 'r': code = '\r'; p++; break;
    case 'b': code = '\b'; p++; break;
    case 'f': code = '\f'; p++; break;
    case '\\': case '\'': case '"': code = (unsigned char)*p; p++; break;
    case 'u': {
        while (*p == 'u') p++;
        code = 0;
        for (int i = 0; i < 4; i++, p++) {
            int h = hex_digit(*p);
            if (h < 0) return -1;
            code = code * 16 + (unsigned)h;
        }
        break;
    }
    default:
        if (*p < '0' || *p > '7') return -1;
        code = 0;
        for (int i = 0; i < 3 && *p >= '0' && *p <= '7'; i++, p++) code = code * 8 + (unsigned)(*p - '0');
        if (code > 0377) return -1;
        break;
    }
    if (*p || code > 0x7f) return -1;
    *out = (char)code;
    return 0;
}

/* ---- table_opt_* ---- */

int table_opt_bool(const connector_table *t, const char *key, int dflt, int *out)
{
    const table_option *o = table_opt_entry(t, key);
    *out = dflt;
    if (!o) return 0;
    if (parse_bool(o->value, out) == 0) return 0;
    return err_at(o->value_span, "option '%s' expects 'true' or 'false', got '%s'", key, o->value);
}

int table_opt_i64(const connector_table *t, const char *key, int64_t dflt, int64_t *out)
{
    const table_option *o = table_opt_entry(t, key);
    *out = dflt;
    if (!o) return 0;
    if (parse_whole(o->value, out) == 0) return 0;
    return err_at(o->value_span, "option '%s' expects a whole number, got '%s'", key, o->value);
}

int table_opt_duration(const connector_table *t, const char *key, int64_t dflt_us, int64_t *out)
{
    const table_option *o = table_opt_entry(t, key);
    *out = dflt_us;
    if (!o) return 0;
    if (duration_parse_us(o->value, out) == 0) return 0;
    err_at(o->value_span, "option '%s' expects a duration such as '10 s', '500 ms', '5 min' or '1 h', got '%s'",
           key, o->value);
    err_note("units: ms, s, min, h, d (a number alone is milliseconds)");
    return -1;
}

int table_opt_char(const connector_table *t, const char *key, char dflt, char *out)
{
    const table_option *o = table_opt_entry(t, key);
    *out = dflt;
    if (!o) return 0;
    if (parse_char(o->value, out) == 0) return 0;
    return err_at(o->value_span,
                  "option '%s' expects a single character such as ',', '\\t' or '\\u0001', got '%s'",
                  key, o->value);
}

static void join_values(const char *const *values, sb_t *out)
{
    for (int i = 0; values[i]; i++) {
        if (i) sb_puts(out, ", ");
        sb_puts(out, values[i]);
    }
}

int table_opt_enum(const connector_table *t, const char *key, const char *const *values, int dflt, int *out)
{
    const table_option *o = table_opt_entry(t, key);
    *out = dflt;
    if (!o) return 0;
    for (int i = 0; values[i]; i++)
        if (str_ieq(values[i], o->value)) { *out = i; return 0; }
    sb_t list = {0};
    join_values(values, &list);
    err_at(o->value_span, "invalid value '%s' for option '%s'; valid values: %s", o->value, key, sb_str(&list));
    sb_free(&list);
    return -1;
}

/* ---- the types of known options, for validation before any connector is created ---- */

enum opt_kind { OK_BOOL, OK_WHOLE, OK_DURATION, OK_CHAR, OK_ENUM, OK_FRACTION };

typedef struct typed_option {
    const char *key;
    enum opt_kind kind;
    const char *const *values;       /* OK_ENUM */
} typed_option;

static const char *const json_ts_standards[] = {"SQL", "ISO-8601", NULL};
static const char *const json_null_key_modes[] = {"FAIL", "DROP", "LITERAL", NULL};
static const char *const datagen_kinds[] = {"random", "sequence", NULL};
static const char *const lookup_cache_kinds[] = {"NONE", "PARTIAL", NULL};
static const char *const watermark_emit_strategies[] = {"on-periodic", "on-event", NULL};
static const char *const raw_endianness[] = {"big-endian", "little-endian", NULL};

static const typed_option typed_options[] = {
    {"scan.watermark.emit.strategy", OK_ENUM, watermark_emit_strategies},
    {"scan.watermark.idle-timeout", OK_DURATION, NULL},
    {"csv.field-delimiter", OK_CHAR, NULL},
    {"csv.quote-character", OK_CHAR, NULL},
    {"csv.escape-character", OK_CHAR, NULL},
    {"csv.disable-quote-character", OK_BOOL, NULL},
    {"csv.allow-comments", OK_BOOL, NULL},
    {"csv.ignore-parse-errors", OK_BOOL, NULL},
    {"csv.ignore-first-line", OK_BOOL, NULL},
    {"csv.write-bigdecimal-in-scientific-notation", OK_BOOL, NULL},
    {"json.fail-on-missing-field", OK_BOOL, NULL},
    {"json.ignore-parse-errors", OK_BOOL, NULL},
    {"json.timestamp-format.standard", OK_ENUM, json_ts_standards},
    {"json.map-null-key.mode", OK_ENUM, json_null_key_modes},
    {"json.encode.decimal-as-plain-number", OK_BOOL, NULL},
    {"json.encode.ignore-null-fields", OK_BOOL, NULL},
    {"source.monitor-interval", OK_DURATION, NULL},
    {"sink.rolling-policy.rollover-interval", OK_DURATION, NULL},
    {"sink.rolling-policy.check-interval", OK_DURATION, NULL},
    {"sink.rolling-policy.inactivity-interval", OK_DURATION, NULL},
    {"sink.shuffle-by-partition.enable", OK_BOOL, NULL},
    {"auto-compaction", OK_BOOL, NULL},
    {"sink.parallelism", OK_WHOLE, NULL},
    {"standard-error", OK_BOOL, NULL},
    {"rows-per-second", OK_WHOLE, NULL},
    {"number-of-rows", OK_WHOLE, NULL},
    {"fields.#.kind", OK_ENUM, datagen_kinds},
    {"fields.#.length", OK_WHOLE, NULL},
    {"fields.#.max-past", OK_DURATION, NULL},
    {"fields.#.null-rate", OK_FRACTION, NULL},
    {"fields.#.var-len", OK_BOOL, NULL},
    {"sink.buffer-flush.max-rows", OK_WHOLE, NULL},
    {"sink.buffer-flush.interval", OK_DURATION, NULL},
    {"sink.max-retries", OK_WHOLE, NULL},
    {"lookup.cache", OK_ENUM, lookup_cache_kinds},
    {"lookup.partial-cache.max-rows", OK_WHOLE, NULL},
    {"lookup.partial-cache.expire-after-write", OK_DURATION, NULL},
    {"lookup.partial-cache.expire-after-access", OK_DURATION, NULL},
    {"lookup.partial-cache.cache-missing-key", OK_BOOL, NULL},
    {"lookup.cache.max-rows", OK_WHOLE, NULL},
    {"lookup.cache.ttl", OK_DURATION, NULL},
    {"lookup.cache.caching-missing-key", OK_BOOL, NULL},
    {"lookup.max-retries", OK_WHOLE, NULL},
    {"scan.fetch-size", OK_WHOLE, NULL},
    {"scan.auto-commit", OK_BOOL, NULL},
    {"scan.partition.num", OK_WHOLE, NULL},
    {"connection.max-retry-timeout", OK_DURATION, NULL},
    {"port", OK_WHOLE, NULL},
    {"qos", OK_WHOLE, NULL},
    {"clean-session", OK_BOOL, NULL},
    {"cleanSession", OK_BOOL, NULL},
    {"autoReconnect", OK_BOOL, NULL},
    {"sink.retain", OK_BOOL, NULL},
    {"keep-alive", OK_DURATION, NULL},
    {"keepAliveInterval", OK_WHOLE, NULL},
    {"connect-timeout", OK_DURATION, NULL},
    {"connectionTimeout", OK_WHOLE, NULL},
    {"sink.flush-timeout", OK_DURATION, NULL},
    {"scan.bounded.message-count", OK_WHOLE, NULL},
    {"scan.bounded.idle-timeout", OK_DURATION, NULL},
    {"raw.endianness", OK_ENUM, raw_endianness},
    {"debezium-json.schema-include", OK_BOOL, NULL},
    {"debezium-json.ignore-parse-errors", OK_BOOL, NULL},
    {"debezium-json.timestamp-format.standard", OK_ENUM, json_ts_standards},
    {"debezium-json.map-null-key.mode", OK_ENUM, json_null_key_modes},
    {"debezium-json.encode.decimal-as-plain-number", OK_BOOL, NULL},
    {"canal-json.ignore-parse-errors", OK_BOOL, NULL},
    {"canal-json.timestamp-format.standard", OK_ENUM, json_ts_standards},
    {"canal-json.map-null-key.mode", OK_ENUM, json_null_key_modes},
    {"canal-json.encode.decimal-as-plain-number", OK_BOOL, NULL},
};

/* Does key match pattern? A '#' in the pattern matches one non-empty name; *hash_part
 * receives where that name starts in key and *hash_len its length (0 if no '#'). */
static int key_matches(const char *pattern, const char *key, const char **hash_part, size_t *hash_len)
{
    *hash_part = NULL;
    *hash_len = 0;
    const char *hash = strchr(pattern, '#');
    if (!hash) return strcmp(pattern, key) == 0;
    size_t pre = (size_t)(hash - pattern), post = strlen(hash + 1), n = strlen(key);
    if (n <= pre + post) return 0;
    if (strncmp(pattern, key, pre) != 0 || strcmp(key + n - post, hash + 1) != 0) return 0;
    *hash_part = key + pre;
    *hash_len = n - pre - post;
    return 1;
}

static int is_column(const connector_table *t, const char *name, size_t len)
{
    for (uint32_t i = 0; i < t->physical.ncols; i++)
        if (strlen(t->physical.names[i]) == len && strncmp(t->physical.names[i], name, len) == 0) return 1;
    return 0;
}

static void list_columns(const connector_table *t, sb_t *out)
{
    for (uint32_t i = 0; i < t->physical.ncols; i++) {
        if (i) sb_puts(out, ", ");
        sb_puts(out, t->physical.names[i]);
    }
}

static int check_typed_value(const table_option *o, const typed_option *ty)
{
    union { int b; int64_t i; char c; } v;
    switch (ty->kind) {
    case OK_BOOL:
        if (parse_bool(o->value, &v.b) == 0) return 0;
        return err_at(o->value_span, "option '%s' expects 'true' or 'false', got '%s'", o->key, o->value);
    case OK_WHOLE:
        if (parse_whole(o->value, &v.i) == 0) return 0;
        return err_at(o->value_span, "option '%s' expects a whole number, got '%s'", o->key, o->value);
    case OK_DURATION:
        if (duration_parse_us(o->value, &v.i) == 0) return 0;
        err_at(o->value_span, "option '%s' expects a duration such as '10 s', '500 ms', '5 min' or '1 h', got '%s'",
               o->key, o->value);
        err_note("units: ms, s, min, h, d (a number alone is milliseconds)");
        return -1;
    case OK_CHAR:
        if (parse_char(o->value, &v.c) == 0) return 0;
        return err_at(o->value_span,
                      "option '%s' expects a single character such as ',', '\\t' or '\\u0001', got '%s'",
                      o->key, o->value);
    case OK_FRACTION: {
        char *end;
        double d = strtod(o->value, &end);
        if (end != o->value && !*end && d >= 0 && d <= 1) return 0;
        return err_at(o->value_span, "option '%s' expects a number between 0 and 1, got '%s'", o->key, o->value);
    }
    case OK_ENUM:
        for (int i = 0; ty->values[i]; i++)
            if (str_ieq(ty->values[i], o->value)) return 0;
        sb_t list = {0};
        join_values(ty->values, &list);
        err_at(o->value_span, "invalid value '%s' for option '%s'; valid values: %s", o->value, o->key,
               sb_str(&list));
        sb_free(&list);
        return -1;
    }
    return 0;
}

static int check_value(const table_option *o)
{
    const char *part;
    size_t len;
    for (size_t i = 0; i < ARRAY_LEN(typed_options); i++)
        if (key_matches(typed_options[i].key, o->key, &part, &len)) return check_typed_value(o, &typed_options[i]);
    return 0;
}

/* ---- known keys and suggestions ---- */

/* Options every source takes; the planner, not the connector, acts on them. */
static const char *const source_planner_options[] = {
    "scan.watermark.emit.strategy",
    "scan.watermark.idle-timeout",
    NULL,
};

typedef struct key_sets {
    const char *const *lists[3];     /* connector keys, format keys, planner keys of sources (any may be NULL) */
} key_sets;

/* 1: key is valid; 0: unknown; -1: a '#' pattern matched but names no column (error recorded). */
static int key_known(const connector_table *t, const key_sets *ks, const table_option *o)
{
    if (strcmp(o->key, "connector") == 0 || strcmp(o->key, "format") == 0) return 1;
    for (int l = 0; l < 3; l++) {
        if (!ks->lists[l]) continue;
        for (int i = 0; ks->lists[l][i]; i++) {
            const char *part;
            size_t len;
            if (!key_matches(ks->lists[l][i], o->key, &part, &len)) continue;
            if (part && !is_column(t, part, len)) {
                sb_t cols = {0};
                list_columns(t, &cols);
                err_at(o->key_span, "option '%s' names '%.*s', which is not a column of table '%s'; columns: %s",
                       o->key, (int)len, part, t->name, sb_str(&cols));
                sb_free(&cols);
                return -1;
            }
            return 1;
        }
    }
    return 0;
}

/* The candidate for a pattern key compared with `key`: '#' replaced by the name in key's
 * position ("fields.id.knd" vs "fields.#.kind" -> "fields.id.kind"). */
static void candidate_for(const char *pattern, const char *key, sb_t *out)
{
    sb_clear(out);
    const char *hash = strchr(pattern, '#');
    if (!hash) { sb_puts(out, pattern); return; }
    size_t pre = (size_t)(hash - pattern);
    const char *name = key, *last_dot = strrchr(key, '.');
    if (strncmp(key, pattern, pre) == 0) name = key + pre;
    size_t name_len = last_dot && last_dot > name ? (size_t)(last_dot - name) : strlen(name);
    sb_append(out, pattern, pre);
    sb_append(out, name, name_len);
    sb_puts(out, hash + 1);
}

static void suggest(const key_sets *ks, const char *key)
{
    sb_t cand = {0}, best = {0};
    int best_dist = 1 << 30;
    for (int l = 0; l < 3; l++) {
        if (!ks->lists[l]) continue;
        for (int i = 0; ks->lists[l][i]; i++) {
            candidate_for(ks->lists[l][i], key, &cand);
            int d = edit_distance(key, sb_str(&cand));
            if (d < best_dist) {
                best_dist = d;
                sb_clear(&best);
                sb_puts(&best, sb_str(&cand));
            }
        }
    }
    int longest = (int)MAX(strlen(key), best.len);
    if (best.len && best_dist <= MAX(2, longest / 2) && best_dist < (int)best.len)
        err_note("did you mean '%s'?", sb_str(&best));
    sb_free(&cand);
    sb_free(&best);
}

static void describe_keys(const key_sets *ks, sb_t *out)
{
    int n = 0;
    for (int l = 0; l < 3; l++) {
        if (!ks->lists[l]) continue;
        for (int i = 0; ks->lists[l][i]; i++) {
            if (n++) sb_puts(out, ", ");
            sb_puts(out, ks->lists[l][i]);
        }
    }
}

static int report_unknown(const connector_table *t, const connector_def *d, const key_sets *ks,
                          const char *fmt_name, const table_option *o)
{
    sb_t valid = {0};
    describe_keys(ks, &valid);
    if (!valid.len)
        err_at(o->key_span, "unknown option '%s': connector '%s' takes no options besides 'connector'", o->key, d->name);
    else if (fmt_name)
        err_at(o->key_span, "unknown option '%s' for connector '%s' with format '%s'; valid options: %s", o->key,
               d->name, fmt_name, sb_str(&valid));
    else
        err_at(o->key_span, "unknown option '%s' for connector '%s'; valid options: %s", o->key, d->name,
               sb_str(&valid));
    sb_free(&valid);
    suggest(ks, o->key);
    return -1;
}

static int check_required(const connector_table *t, const connector_def *d)
{
    if (!d->required) return 0;
    sb_t missing = {0};
    int n = 0;
    for (int i = 0; d->required[i]; i++) {
        if (table_opt_entry(t, d->required[i])) continue;
        sb_printf(&missing, "%s'%s'", n++ ? ", " : "", d->required[i]);
    }
    if (n)
        err_at(t->span, "connector '%s' requires option%s %s (table '%s')", d->name, n > 1 ? "s" : "",
               sb_str(&missing), t->name);
    sb_free(&missing);
    return n ? -1 : 0;
}

static int check_duplicates(const connector_table *t)
{
    for (int i = 0; i < t->nopts; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(t->opts[i].key, t->opts[j].key) == 0)
                return err_at(t->opts[i].key_span, "option '%s' is set twice", t->opts[i].key);
    return 0;
}

int connector_check_options(const connector_table *t, const connector_def *d)
{
    if (check_duplicates(t)) return -1;
    if (d->check_options) return d->check_options(t);
    key_sets ks = {{d->options, NULL, d->create_source ? source_planner_options : NULL}};
    const char *fmt_name = NULL;
    if (d->uses_format && table_opt_entry(t, "format")) {
        const format_def *f = format_of_table(t);
        if (!f) return -1;
        ks.lists[1] = f->options;
        fmt_name = f->name;
    }
    for (int i = 0; i < t->nopts; i++) {
        int known = key_known(t, &ks, &t->opts[i]);
        if (known < 0) return -1;
        if (!known) return report_unknown(t, d, &ks, fmt_name, &t->opts[i]);
    }
    if (check_required(t, d)) return -1;
    for (int i = 0; i < t->nopts; i++)
        if (check_value(&t->opts[i])) return -1;
    return 0;
}
