/* kafka_options.c - the 'kafka' and 'upsert-kafka' connectors' options (Flink's Kafka SQL
 * connector names and rules): the key check, the parse into a kafka_spec, the key / value
 * format parts, the librdkafka configuration from 'properties.*', and the connector_defs.
 *
 * Option keys: the connector's own keys, any 'properties.<librdkafka property>', and the
 * format options: '<fmt>.*' under 'format', 'value.<fmt>.*' under 'value.format' and
 * 'key.<fmt>.*' under 'key.format'. Values are checked here (enumerations, numbers,
 * durations, offsets lists, key fields, the rules that tie options together), the properties
 * by librdkafka itself (its message is quoted at the option), and the format options by
 * creating the formats' decoders once. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "connect/kafka.h"
#include "base/util.h"
#include <ctype.h>
#include <errno.h>
#include <pcre2.h>
#include <stdlib.h>

static const char *const kafka_options[] = {
    "topic", "topic-pattern", "properties.bootstrap.servers", "properties.group.id", "properties.*",
    "format", "key.format", "key.fields", "key.fields-prefix", "value.format", "value.fields-include",
    "scan.startup.mode", "scan.startup.specific-offsets", "scan.startup.timestamp-millis", "scan.bounded.mode",
    "scan.bounded.specific-offsets", "scan.bounded.timestamp-millis", "scan.topic-partition-discovery.interval",
    "scan.parallelism", "scan.watermark.emit.strategy", "scan.watermark.idle-timeout", "sink.partitioner",
    "sink.semantic", "sink.delivery-guarantee", "sink.transactional-id-prefix", "sink.parallelism", NULL,
};

static const char *const upsert_kafka_options[] = {
    "topic", "properties.bootstrap.servers", "properties.*", "key.format", "key.fields-prefix", "value.format",
    "value.fields-include", "scan.bounded.mode", "scan.bounded.specific-offsets", "scan.bounded.timestamp-millis",
    "scan.parallelism", "scan.watermark.emit.strategy", "scan.watermark.idle-timeout", "sink.parallelism",
    "sink.buffer-flush.max-rows", "sink.buffer-flush.interval", "sink.delivery-guarantee",
    "sink.transactional-id-prefix", NULL,
};

static const char *const startup_modes[] = {"earliest-offset", "latest-offset", "group-offsets", "timestamp",
                                            "specific-offsets", NULL};
static const char *const bounded_modes[] = {"unbounded", "latest-offset", "group-offsets", "timestamp",
                                            "specific-offsets", NULL};
static const char *const partitioners[] = {"default", "fixed", "round-robin", NULL};
static const char *const deliveries[] = {"at-least-once", "exactly-once", "none", NULL};
static const char *const fields_includes[] = {"ALL", "EXCEPT_KEY", NULL};
static const char *const emit_strategies[] = {"on-periodic", "on-event", NULL};

#define PROPS "properties."
#define PROPS_LEN 11

static const char *connector_name(int upsert) { return upsert ? "upsert-kafka" : "kafka"; }

/* ---- the key check ---- */

/* The format named by option `fmt_key`, or NULL (absent or unknown). */
static const format_def *named_format(const connector_table *t, const char *fmt_key)
{
    const char *name = table_opt(t, fmt_key);
    return name ? format_lookup(name) : NULL;
}

/* Is key one of the options of the format set by fmt_key, written with `prefix`? */
static int is_format_option(const connector_table *t, const char *fmt_key, const char *prefix, const char *key)
{
    const format_def *f = named_format(t, fmt_key);
    size_t n = strlen(prefix);
    if (!f || !f->options || strncmp(key, prefix, n) != 0) return 0;
    for (int i = 0; f->options[i]; i++)
        if (strcmp(f->options[i], key + n) == 0) return 1;
    return 0;
}

static int key_known(const connector_table *t, int upsert, const char *key)
{
    const char *const *opts = upsert ? upsert_kafka_options : kafka_options;
    if (strcmp(key, "connector") == 0) return 1;
    if (strncmp(key, PROPS, PROPS_LEN) == 0 && key[PROPS_LEN]) return 1;
    for (int i = 0; opts[i]; i++)
        if (strcmp(opts[i], key) == 0) return 1;
    return (!upsert && is_format_option(t, "format", "", key)) || is_format_option(t, "value.format", "value.", key) ||
           is_format_option(t, "key.format", "key.", key);
}

/* Appends the format's option keys with prefix to the list (and offers them as candidates). */
static void add_format_keys(const connector_table *t, const char *fmt_key, const char *prefix, sb_t *list,
                            const char *key, sb_t *best, int *best_dist)
{
    const format_def *f = named_format(t, fmt_key);
    if (!f || !f->options) return;
    sb_t cand = {0};
    for (int i = 0; f->options[i]; i++) {
        sb_clear(&cand);
        sb_printf(&cand, "%s%s", prefix, f->options[i]);
        sb_printf(list, ", %s", cand.data);
        int d = edit_distance(key, cand.data);
        if (d < *best_dist) {
            *best_dist = d;
            sb_clear(best);
            sb_puts(best, cand.data);
        }
    }
    sb_free(&cand);
}

static int report_unknown(const connector_table *t, int upsert, const table_option *o)
{
    const char *const *opts = upsert ? upsert_kafka_options : kafka_options;
    sb_t list = {0}, best = {0};
    int best_dist = 1 << 30;
    for (int i = 0; opts[i]; i++) {
        sb_printf(&list, "%s%s", i ? ", " : "", opts[i]);
        int d = edit_distance(o->key, opts[i]);
        if (d < best_dist) {
            best_dist = d;
            sb_clear(&best);
            sb_puts(&best, opts[i]);
        }
    }
    if (!upsert) add_format_keys(t, "format", "", &list, o->key, &best, &best_dist);
    add_format_keys(t, "value.format", "value.", &list, o->key, &best, &best_dist);
    add_format_keys(t, "key.format", "key.", &list, o->key, &best, &best_dist);
    err_at(o->key_span, "unknown option '%s' for connector '%s'; valid options: %s", o->key, connector_name(upsert),
           sb_str(&list));
    int longest = (int)MAX(strlen(o->key), best.len);
    if (upsert && strcmp(o->key, "format") == 0)
        err_note("upsert-kafka takes 'key.format' and 'value.format' instead of 'format'");
    else if (best.len && best_dist <= MAX(2, longest / 2) && best_dist < (int)best.len)
        err_note("did you mean '%s'?", sb_str(&best));
    sb_free(&list);
    sb_free(&best);
    return -1;
}

/* ---- small parsers ---- */

static char *trimmed_copy(const char *p, size_t n)
{
    while (n && isspace((unsigned char)*p)) p++, n--;
    while (n && isspace((unsigned char)p[n - 1])) n--;
    return xstrndup(p, n);
}

/* Splits a ';'-separated list (blanks around items ignored, a trailing ';' allowed). */
static int split_list(const table_option *o, char ***items, int *n)
{
    *items = NULL;
    *n = 0;
    const char *p = o->value;
    for (;;) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *item = trimmed_copy(p, len);
        if (!*item && !(end == NULL && *n > 0)) {
            free(item);
            return err_at(o->value_span, "option '%s' has an empty item in '%s'; expected names separated by ';'",
                          o->key, o->value);
        }
        if (*item) {
            *items = xrealloc(*items, (size_t)(*n + 1) * sizeof **items);
            (*items)[(*n)++] = item;
        } else {
            free(item);
        }
        if (!end) return 0;
        p = end + 1;
    }
}

static void free_list(char **items, int n)
{
    for (int i = 0; i < n; i++) free(items[i]);
    free(items);
}

static int parse_java_long(const char *p, size_t n, int64_t *out)
{
    if (!n || n > 20) return -1;
    char buf[24];
    memcpy(buf, p, n);
    buf[n] = 0;
    if (!(isdigit((unsigned char)buf[0]) || ((buf[0] == '-' || buf[0] == '+') && n > 1))) return -1;
    char *end;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

/* 'partition:0,offset:42;partition:1,offset:300' (Flink's syntax, no blanks). */
static int parse_offsets(const table_option *o, kafka_offset_spec **out, int *n)
{
    *out = NULL;
    *n = 0;
    const char *p = o->value;
    while (*p) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *comma = memchr(p, ',', len);
        int64_t part, off;
        if (!comma || strncmp(p, "partition:", 10) != 0 || strncmp(comma + 1, "offset:", 7) != 0 ||
            parse_java_long(p + 10, (size_t)(comma - p) - 10, &part) || part < 0 || part > INT32_MAX ||
            parse_java_long(comma + 8, len - (size_t)(comma + 8 - p), &off)) {
            free(*out);
            *out = NULL;
            return err_at(o->value_span,
                          "option '%s' should follow the format 'partition:0,offset:42;partition:1,offset:300', "
                          "but is '%s'", o->key, o->value);
        }
        *out = xrealloc(*out, (size_t)(*n + 1) * sizeof **out);
        (*out)[(*n)++] = (kafka_offset_spec){(int32_t)part, off};
        if (!end) break;
        p = end + 1;
    }
    if (!*n)
        return err_at(o->value_span,
                      "option '%s' should follow the format 'partition:0,offset:42;partition:1,offset:300', but is "
                      "empty", o->key);
    return 0;
}

/* ---- topics ---- */

static int parse_topics(kafka_spec *s)
{
    const connector_table *t = s->t;
    const table_option *topic = table_opt_entry(t, "topic");
    s->pattern = s->upsert ? NULL : table_opt_entry(t, "topic-pattern");
    if (topic && s->pattern)
        return err_at(s->pattern->key_span, "options 'topic' and 'topic-pattern' cannot both be set (table '%s')",
                      t->name);
    if (!topic && !s->pattern)
        return err_at(t->span, "connector '%s' requires option %s (table '%s')", connector_name(s->upsert),
                      s->upsert ? "'topic'" : "'topic' or 'topic-pattern'", t->name);
    if (topic) return split_list(topic, &s->topics, &s->ntopics);
    int code;
    PCRE2_SIZE off;
    s->pattern_re = pcre2_compile((PCRE2_SPTR)s->pattern->value, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &code, &off, NULL);
    if (!s->pattern_re) {
        char msg[256];
        pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, sizeof msg);
        return err_at(s->pattern->value_span, "invalid 'topic-pattern' '%s': %s at offset %zu", s->pattern->value,
                      msg, (size_t)off);
    }
    return 0;
}

int kafka_spec_wants_topic(const kafka_spec *s, const char *topic)
{
    if (!s->pattern_re) {
        for (int i = 0; i < s->ntopics; i++)
            if (strcmp(s->topics[i], topic) == 0) return 1;
        return 0;
    }
    /* Java's Pattern.matcher(topic).matches(): the whole name must match. */
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(s->pattern_re, NULL);
    int rc = pcre2_match(s->pattern_re, (PCRE2_SPTR)topic, strlen(topic), 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED, md,
                         NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}

/* ---- key and value parts ---- */

static int column_named(const connector_table *t, const char *name)
{
    for (uint32_t i = 0; i < t->physical.ncols; i++)
        if (strcmp(t->physical.names[i], name) == 0) return (int)i;
    return -1;
}

static void list_columns(const connector_table *t, sb_t *out)
{
    for (uint32_t i = 0; i < t->physical.ncols; i++) sb_printf(out, "%s%s", i ? ", " : "", t->physical.names[i]);
}

/* The key columns: 'key.fields' (kafka) or the primary key (upsert-kafka). */
static int key_columns(kafka_spec *s, int **cols, int *n)
{
    const connector_table *t = s->t;
    *cols = NULL;
    *n = 0;
    if (s->upsert) {
        if (t->npk == 0)
            return err_at(t->span,
                          "'upsert-kafka' tables require a PRIMARY KEY: it names the columns written to and read "
                          "from the Kafka record key (table '%s')", t->name);
        *cols = xmalloc((size_t)t->npk * sizeof **cols);
        memcpy(*cols, t->pk, (size_t)t->npk * sizeof **cols);
        *n = t->npk;
        return 0;
    }
    const table_option *o = table_opt_entry(t, "key.fields");
    if (!o) return 0;
    char **names;
    int nnames;
    if (split_list(o, &names, &nnames)) return -1;
    *cols = xmalloc((size_t)(nnames ? nnames : 1) * sizeof **cols);
    int rc = 0;
    for (int i = 0; i < nnames && !rc; i++) {
        int c = column_named(t, names[i]);
        if (c < 0) {
            sb_t cols_list = {0};
            list_columns(t, &cols_list);
            rc = err_at(o->value_span, "key field '%s' in 'key.fields' is not a physical column of table '%s'; "
                        "columns: %s", names[i], t->name, sb_str(&cols_list));
            sb_free(&cols_list);
        }
        for (int j = 0; j < *n && !rc; j++)
            if ((*cols)[j] == c) rc = err_at(o->value_span, "key field '%s' is listed twice in 'key.fields'", names[i]);
        if (!rc) (*cols)[(*n)++] = c;
    }
    free_list(names, nnames);
    if (rc) {
        free(*cols);
        *cols = NULL;
    }
    return rc;
}

/* Fills part with the columns cols[0..n) and the options of the format set by fmt_opt whose
 * keys start with `prefix` + the format's name, without the prefix. */
static void build_part(kafka_part *part, const connector_table *t, const format_def *f, const table_option *fmt_opt,
                       const char *prefix, const int *cols, int n, size_t strip_name)
{
    connector_table *pt = &part->table;
    part->format = f;
    pt->name = t->name;
    pt->span = t->span;
    pt->ctx = t->ctx;
    pt->physical.ncols = (uint32_t)n;
    pt->physical.names = xcalloc((size_t)n + 1, sizeof *pt->physical.names);
    pt->physical.types = xcalloc((size_t)n + 1, sizeof *pt->physical.types);
    part->cols = xcalloc((size_t)n + 1, sizeof *part->cols);
    for (int i = 0; i < n; i++) {
        part->cols[i] = cols[i];
        pt->physical.names[i] = t->physical.names[cols[i]] + strip_name;
        pt->physical.types[i] = t->physical.types[cols[i]];
    }
    part->opts = xcalloc((size_t)t->nopts + 1, sizeof *part->opts);
    part->opts[0] = (table_option){"format", fmt_opt->value, fmt_opt->key_span, fmt_opt->value_span};
    int nopts = 1;
    size_t plen = strlen(prefix), flen = strlen(f->name);
    for (int i = 0; i < t->nopts; i++) {
        const char *k = t->opts[i].key;
        if (strncmp(k, prefix, plen) != 0 || strncmp(k + plen, f->name, flen) != 0 || k[plen + flen] != '.') continue;
        part->opts[nopts] = t->opts[i];
        part->opts[nopts++].key = k + plen;
    }
    pt->opts = part->opts;
    pt->nopts = nopts;
}

static void free_part(kafka_part *part)
{
    free(part->table.physical.names);
    free(part->table.physical.types);
    free(part->cols);
    free(part->opts);
    memset(part, 0, sizeof *part);
}

static const format_def *lookup_format(const table_option *o)
{
    const format_def *f = format_lookup(o->value);
    if (!f) err_at(o->value_span, "unknown format '%s'; valid formats: %s", o->value, format_list());
    return f;
}

/* The value format option: 'format' or 'value.format' (kafka), 'value.format' (upsert-kafka). */
static const table_option *value_format_option(const kafka_spec *s, const char **prefix)
{
    const connector_table *t = s->t;
    const table_option *fmt = s->upsert ? NULL : table_opt_entry(t, "format");
    const table_option *vfmt = table_opt_entry(t, "value.format");
    if (fmt && vfmt) {
        err_at(vfmt->key_span, "options 'format' and 'value.format' name the same thing; set only one (table '%s')",
               t->name);
        return NULL;
    }
    *prefix = fmt ? "" : "value.";
    if (!fmt && !vfmt)
        err_at(t->span, "connector '%s' requires option %s (table '%s')", connector_name(s->upsert),
               s->upsert ? "'value.format'" : "'format' or 'value.format'", t->name);
    return fmt ? fmt : vfmt;
}

static int check_key_options(const kafka_spec *s, const table_option *kfmt, int nkeys, const table_option *prefix,
                             int except_key)
{
    const connector_table *t = s->t;
    if (s->upsert && !kfmt) return err_at(t->span, "connector 'upsert-kafka' requires option 'key.format' (table '%s')",
                                          t->name);
    if (kfmt && !nkeys)
        return err_at(kfmt->key_span, "'key.format' needs the key columns named in 'key.fields' (e.g. 'id;name')");
    if (!kfmt && nkeys)
        return err_at(table_opt_entry(t, "key.fields")->key_span,
                      "'key.fields' can only be set together with a key format in 'key.format'");
    if (prefix && !except_key)
        return err_at(prefix->key_span, "'key.fields-prefix' needs 'value.fields-include' = 'EXCEPT_KEY' (with 'ALL' "
                      "the key and value formats would share the prefixed names)");
    return 0;
}

static int parse_parts(kafka_spec *s)
{
    const connector_table *t = s->t;
    const char *vprefix;
    const table_option *vfmt = value_format_option(s, &vprefix);
    if (!vfmt) return -1;
    const format_def *vf = lookup_format(vfmt);
    if (!vf) return -1;
    if (s->upsert && vf->changelog)
        return err_at(vfmt->value_span, "'upsert-kafka' needs a value format without changelog ops, but '%s' carries "
                      "them; use 'kafka' to read or write '%s'", vf->name, vf->name);
    int except_key;
    if (table_opt_enum(t, "value.fields-include", fields_includes, 0, &except_key)) return -1;
    const table_option *kfmt = table_opt_entry(t, "key.format");
    const table_option *prefix = table_opt_entry(t, "key.fields-prefix");
    const format_def *kf = kfmt ? lookup_format(kfmt) : NULL;
    if (kfmt && !kf) return -1;
    if (kf && kf->changelog)
        return err_at(kfmt->value_span, "a key format must not carry changelog ops, but '%s' does", kf->name);
    int *kcols, nk;
    if (key_columns(s, &kcols, &nk)) return -1;
    int rc = check_key_options(s, kfmt, nk, prefix, except_key);
    size_t plen = prefix ? strlen(prefix->value) : 0;
    for (int i = 0; prefix && i < nk && !rc; i++)
        if (strncmp(t->physical.names[kcols[i]], prefix->value, plen) != 0 || !t->physical.names[kcols[i]][plen])
            rc = err_at(prefix->value_span, "key column '%s' does not start with the 'key.fields-prefix' '%s'",
                        t->physical.names[kcols[i]], prefix->value);
    if (rc) {
        free(kcols);
        return -1;
    }
    if (kf) build_part(&s->key, t, kf, kfmt, "key.", kcols, nk, plen);
    int *vcols = xmalloc(((size_t)t->physical.ncols + 1) * sizeof *vcols), nv = 0;
    for (uint32_t c = 0; c < t->physical.ncols; c++) {
        int is_key = 0;
        for (int i = 0; i < nk; i++) is_key |= kcols[i] == (int)c;
        if (!(except_key && is_key)) vcols[nv++] = (int)c;
    }
    build_part(&s->value, t, vf, vfmt, vprefix, vcols, nv, 0);
    free(vcols);
    free(kcols);
    return 0;
}

/* ---- positions ---- */

static int needs_option(const table_option *mode, const connector_table *t, const char *key)
{
    if (table_opt_entry(t, key)) return 0;
    return err_at(mode->value_span, "'%s' = '%s' needs option '%s'", mode->key, mode->value, key);
}

static int single_topic_for_offsets(const kafka_spec *s, const char *key)
{
    if (s->ntopics == 1) return 0;
    return err_at(table_opt_entry(s->t, key)->key_span,
                  "'%s' works with a single topic, but the table reads %s", key,
                  s->pattern ? "a topic pattern" : "several topics");
}

static int parse_startup(kafka_spec *s)
{
    const connector_table *t = s->t;
    if (s->upsert) {
        s->startup = START_EARLIEST;
        return 0;
    }
    if (table_opt_enum(t, "scan.startup.mode", startup_modes, START_GROUP, &s->startup)) return -1;
    const table_option *mode = table_opt_entry(t, "scan.startup.mode");
    if (s->startup == START_TIMESTAMP) {
        if (needs_option(mode, t, "scan.startup.timestamp-millis")) return -1;
        if (table_opt_i64(t, "scan.startup.timestamp-millis", 0, &s->startup_ts_ms)) return -1;
    }
    if (s->startup == START_SPECIFIC) {
        if (needs_option(mode, t, "scan.startup.specific-offsets")) return -1;
        if (single_topic_for_offsets(s, "scan.startup.specific-offsets")) return -1;
        if (parse_offsets(table_opt_entry(t, "scan.startup.specific-offsets"), &s->startup_offsets,
                          &s->nstartup_offsets))
            return -1;
    }
    return 0;
}

static int parse_bounded(kafka_spec *s)
{
    const connector_table *t = s->t;
    if (table_opt_enum(t, "scan.bounded.mode", bounded_modes, BOUND_NONE, &s->bounded)) return -1;
    const table_option *mode = table_opt_entry(t, "scan.bounded.mode");
    if (s->bounded == BOUND_TIMESTAMP) {
        if (needs_option(mode, t, "scan.bounded.timestamp-millis")) return -1;
        if (table_opt_i64(t, "scan.bounded.timestamp-millis", 0, &s->bounded_ts_ms)) return -1;
    }
    if (s->bounded == BOUND_SPECIFIC) {
        if (needs_option(mode, t, "scan.bounded.specific-offsets")) return -1;
        if (single_topic_for_offsets(s, "scan.bounded.specific-offsets")) return -1;
        if (parse_offsets(table_opt_entry(t, "scan.bounded.specific-offsets"), &s->bounded_offsets,
                          &s->nbounded_offsets))
            return -1;
    }
    if (table_opt_duration(t, "scan.topic-partition-discovery.interval", 5 * 60 * US_PER_SEC, &s->discovery_us))
        return -1;
    if (s->bounded != BOUND_NONE) s->discovery_us = 0;      /* Flink does not discover for bounded reads */
    return 0;
}

/* ---- sink settings ---- */

static int parse_partitioner(kafka_spec *s)
{
    const table_option *o = table_opt_entry(s->t, "sink.partitioner");
    s->partitioner = PART_DEFAULT;
    if (!o || s->upsert) return 0;
    for (int i = 0; partitioners[i]; i++)
        if (str_ieq(partitioners[i], o->value)) {
            s->partitioner = i;
            return 0;
        }
    err_at(o->value_span, "invalid value '%s' for option 'sink.partitioner'; valid values: default, fixed, "
           "round-robin", o->value);
    if (strchr(o->value, '.')) err_note("custom FlinkKafkaPartitioner classes are Java code and cannot run in eddy");
    return -1;
}

static int parse_delivery(kafka_spec *s)
{
    const connector_table *t = s->t;
    int semantic;
    if (table_opt_enum(t, "sink.semantic", deliveries, DELIVER_AT_LEAST_ONCE, &semantic)) return -1;
    if (table_opt_enum(t, "sink.delivery-guarantee", deliveries, semantic, &s->delivery)) return -1;
    s->txn_prefix = table_opt(t, "sink.transactional-id-prefix");
    if (s->delivery == DELIVER_EXACTLY_ONCE && (!s->txn_prefix || !*s->txn_prefix)) {
        const table_option *o = table_opt_entry(t, "sink.delivery-guarantee");
        if (!o) o = table_opt_entry(t, "sink.semantic");
        return err_at(o->value_span, "'exactly-once' delivery needs 'sink.transactional-id-prefix' (the prefix of "
                      "the Kafka transactional ids the sink uses)");
    }
    return 0;
}

static int parse_buffer(kafka_spec *s)
{
    const connector_table *t = s->t;
    if (!s->upsert) return 0;
    if (table_opt_i64(t, "sink.buffer-flush.max-rows", 0, &s->buffer_rows) ||
        table_opt_duration(t, "sink.buffer-flush.interval", 0, &s->buffer_us))
        return -1;
    const table_option *rows = table_opt_entry(t, "sink.buffer-flush.max-rows");
    if (s->buffer_rows < 0)
        return err_at(rows->value_span, "'sink.buffer-flush.max-rows' must not be negative, got '%s'", rows->value);
    if ((s->buffer_rows > 0) != (s->buffer_us > 0)) {
        const table_option *o = rows ? rows : table_opt_entry(t, "sink.buffer-flush.interval");
        return err_at(o->key_span, "'sink.buffer-flush.max-rows' and 'sink.buffer-flush.interval' must both be "
                      "greater than zero to enable buffer flushing (or both left out)");
    }
    return 0;
}

static int parse_misc(kafka_spec *s)
{
    const connector_table *t = s->t;
    int64_t n;
    int emit;
    if (table_opt_i64(t, "sink.parallelism", 1, &n) || table_opt_i64(t, "scan.parallelism", 1, &n) ||
        table_opt_duration(t, "scan.watermark.idle-timeout", 0, &n) ||
        table_opt_enum(t, "scan.watermark.emit.strategy", emit_strategies, 0, &emit))
        return -1;
    const table_option *servers = table_opt_entry(t, PROPS "bootstrap.servers");
    if (!servers)
        return err_at(t->span, "connector '%s' requires option 'properties.bootstrap.servers' (table '%s')",
                      connector_name(s->upsert), t->name);
    s->group_id = kafka_property(t, "group.id");
    const char *auto_commit = kafka_property(t, "enable.auto.commit");
    const char *on_checkpoint = kafka_property(t, "commit.offsets.on.checkpoint");
    s->commit_offsets = s->group_id && !(auto_commit && str_ieq(auto_commit, "false")) &&
                        !(on_checkpoint && str_ieq(on_checkpoint, "false"));
    return 0;
}

int kafka_spec_init(kafka_spec *s, const connector_table *t, int upsert)
{
    memset(s, 0, sizeof *s);
    s->t = t;
    s->upsert = upsert;
    if (parse_topics(s) || parse_parts(s) || parse_startup(s) || parse_bounded(s) || parse_partitioner(s) ||
        parse_delivery(s) || parse_buffer(s) || parse_misc(s)) {
        kafka_spec_free(s);
        return -1;
    }
    return 0;
}

void kafka_spec_free(kafka_spec *s)
{
    free_list(s->topics, s->ntopics);
    if (s->pattern_re) pcre2_code_free(s->pattern_re);
    free_part(&s->key);
    free_part(&s->value);
    free(s->startup_offsets);
    free(s->bounded_offsets);
    memset(s, 0, sizeof *s);
}

/* ---- librdkafka configuration ---- */

const char *kafka_property(const connector_table *t, const char *name)
{
    for (int i = 0; i < t->nopts; i++)
        if (strncmp(t->opts[i].key, PROPS, PROPS_LEN) == 0 && strcmp(t->opts[i].key + PROPS_LEN, name) == 0)
            return t->opts[i].value;
    return NULL;
}

int kafka_fail(const connector_table *t, const char *what, rd_kafka_resp_err_t err)
{
    return err_msg("kafka %s of table '%s': %s", what, t->name, rd_kafka_err2str(err));
}

/* Java-client properties Flink itself sets or that only its KafkaSource reads. */
static const char *const ignored_properties[] = {
    "key.serializer", "value.serializer", "key.deserializer", "value.deserializer", "partition.discovery.interval.ms",
    "register.consumer.metrics", "commit.offsets.on.checkpoint", "flink.partition-discovery.interval-millis", NULL,
};

static int conf_set(rd_kafka_conf_t *conf, const table_option *o, const char *name, const char *value)
{
    char errstr[512];
    rd_kafka_conf_res_t res = rd_kafka_conf_set(conf, name, value, errstr, sizeof errstr);
    if (res == RD_KAFKA_CONF_OK) return 0;
    if (res == RD_KAFKA_CONF_UNKNOWN)
        return err_at(o->key_span, "option '%s' is not a Kafka client property librdkafka knows: %s", o->key, errstr);
    return err_at(o->value_span, "invalid value '%s' for option '%s': %s", o->value, o->key, errstr);
}

/* The quoted value of `name="..."` in a JAAS line, into out; 0 when found. */
static int jaas_value(const char *jaas, const char *name, sb_t *out)
{
    size_t n = strlen(name);
    for (const char *p = strstr(jaas, name); p; p = strstr(p + 1, name)) {
        if (p > jaas && !isspace((unsigned char)p[-1])) continue;
        const char *q = p + n;
        while (isspace((unsigned char)*q)) q++;
        if (*q++ != '=') continue;
        while (isspace((unsigned char)*q)) q++;
        if (*q != '"') continue;
        const char *end = strchr(++q, '"');
        if (!end) return -1;
        sb_clear(out);
        sb_append(out, q, (size_t)(end - q));
        return 0;
    }
    return -1;
}

/* 'sasl.jaas.config' = '... required username="u" password="p";' -> sasl.username / sasl.password. */
static int set_jaas(rd_kafka_conf_t *conf, const table_option *o)
{
    sb_t user = {0}, pass = {0};
    int rc;
    if (jaas_value(o->value, "username", &user) || jaas_value(o->value, "password", &pass))
        rc = err_at(o->value_span, "option '%s' needs username=\"...\" and password=\"...\" (librdkafka takes them "
                    "as 'sasl.username' and 'sasl.password')", o->key);
    else
        rc = conf_set(conf, o, "sasl.username", sb_str(&user)) || conf_set(conf, o, "sasl.password", sb_str(&pass));
    sb_free(&user);
    sb_free(&pass);
    return rc ? -1 : 0;
}

static int apply_property(rd_kafka_conf_t *conf, const table_option *o)
{
    const char *name = o->key + PROPS_LEN;
    for (int i = 0; ignored_properties[i]; i++)
        if (strcmp(name, ignored_properties[i]) == 0) return 0;
    if (strcmp(name, "sasl.jaas.config") == 0) return set_jaas(conf, o);
    if (strcmp(name, "client.id.prefix") == 0) {
        sb_t id = {0};
        sb_printf(&id, "%s-0", o->value);
        int rc = conf_set(conf, o, "client.id", id.data);
        sb_free(&id);
        return rc;
    }
    if (strcmp(name, "auto.offset.reset") == 0 && str_ieq(o->value, "none"))
        return conf_set(conf, o, name, "error");       /* Java's 'none' is librdkafka's 'error' */
    return conf_set(conf, o, name, o->value);
}

rd_kafka_conf_t *kafka_conf_new(const connector_table *t, int producer)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char errstr[256];
    rd_kafka_conf_set(conf, "log.connection.close", "false", errstr, sizeof errstr);
    if (producer) {
        /* The Java client's partitioner: murmur2 of the key, so keys land where Java puts them. */
        rd_kafka_conf_set(conf, "partitioner", "murmur2_random", errstr, sizeof errstr);
    } else {
        rd_kafka_conf_set(conf, "isolation.level", "read_uncommitted", errstr, sizeof errstr);  /* Java's default */
    }
    for (int i = 0; i < t->nopts; i++) {
        const table_option *o = &t->opts[i];
        if (strncmp(o->key, PROPS, PROPS_LEN) != 0) continue;
        if (apply_property(conf, o)) {
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
    }
    return conf;
}

/* ---- the check hooks and the connectors ---- */

/* Creating the formats' decoders checks their option values and column types. */
static int check_format(const kafka_part *part)
{
    if (!part->format) return 0;
    decoder_t *d = part->format->create_decoder(&part->table);
    if (!d) return -1;
    decoder_free(d);
    return 0;
}

static int check_options(const connector_table *t, int upsert)
{
    for (int i = 0; i < t->nopts; i++)
        if (!key_known(t, upsert, t->opts[i].key)) return report_unknown(t, upsert, &t->opts[i]);
    kafka_spec s;
    if (kafka_spec_init(&s, t, upsert)) return -1;
    rd_kafka_conf_t *conf = kafka_conf_new(t, 0);
    int rc = conf ? 0 : -1;
    if (conf) rd_kafka_conf_destroy(conf);
    if (!rc) rc = check_format(&s.value) || check_format(&s.key) ? -1 : 0;
    kafka_spec_free(&s);
    return rc;
}

int kafka_check_options(const connector_table *t) { return check_options(t, 0); }
int upsert_kafka_check_options(const connector_table *t) { return check_options(t, 1); }

static const char *const kafka_required[] = {"properties.bootstrap.servers", NULL};
static const char *const upsert_kafka_required[] = {"topic", "properties.bootstrap.servers", "key.format",
                                                    "value.format", NULL};

const connector_def connector_kafka = {
    .name = "kafka",
    .options = kafka_options,
    .uses_format = 1,
    .create_source = kafka_create_source,
    .create_sink = kafka_create_sink,
    .required = kafka_required,
    .check_options = kafka_check_options,
    .updates_by_format = 1,
};

const connector_def connector_upsert_kafka = {
    .name = "upsert-kafka",
    .options = upsert_kafka_options,
    .create_source = upsert_kafka_create_source,
    .create_sink = upsert_kafka_create_sink,
    .required = upsert_kafka_required,
    .upsert_source = 1,
    .check_options = upsert_kafka_check_options,
};
