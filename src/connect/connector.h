/* connector.h - the connector registry and the source / sink / lookup interfaces.
 *
 * A connector is chosen by the table's `connector` option. Its factory validates the
 * options (an unknown key is an error naming it and listing the valid ones) and creates
 * a source (rows in), a sink (changelog rows out) or a lookup source (rows by key).
 * Connectors only see the table's *physical* columns; computed columns and watermarks are
 * the planner's business. */
#ifndef EDDY_CONNECTOR_H
#define EDDY_CONNECTOR_H
#include "data/chunk.h"
#include "base/err.h"
#include "exec/ctx.h"

typedef struct table_option {
    const char *key;
    const char *value;
    span_t key_span;
    span_t value_span;
} table_option;

/* What a connector is told about its table. */
typedef struct connector_table {
    const char *name;            /* table name as declared */
    span_t span;                 /* the table name in CREATE TABLE */
    schema_t physical;           /* physical columns, in declaration order */
    int *pk;                     /* primary key: indexes into physical */
    int npk;
    table_option *opts;
    int nopts;
    exec_ctx *ctx;
} connector_table;

const char *table_opt(const connector_table *t, const char *key);           /* NULL if absent */
const table_option *table_opt_entry(const connector_table *t, const char *key);
/* Parse helpers; on a bad value they record an error at the option's value span. */
int table_opt_bool(const connector_table *t, const char *key, int dflt, int *out);
int table_opt_i64(const connector_table *t, const char *key, int64_t dflt, int64_t *out);
/* Durations "5 s", "1000ms", "1min", "2 h" (Flink's Duration syntax) -> microseconds. */
int table_opt_duration(const connector_table *t, const char *key, int64_t dflt_us, int64_t *out);
/* Flink's duration text ("10 s", "500ms", "5 min"; a number alone is milliseconds) ->
 * microseconds; -1 when malformed. */
int duration_parse_us(const char *s, int64_t *out);
/* A single character option such as csv.field-delimiter ("," or "\t" or "\u0001"). */
int table_opt_char(const connector_table *t, const char *key, char dflt, char *out);
/* One of `values` (NULL-terminated, compared case-insensitively like Flink's enums);
 * *out is its index, dflt when the option is absent. A bad value is an error at its span
 * listing the valid values. */
int table_opt_enum(const connector_table *t, const char *key, const char *const *values,
                   int dflt, int *out);
/* The job's clock (t->ctx->now_us), or the wall clock when the table has no context. */
int64_t table_now_us(const connector_table *t);

/* ---- sources ---- */
typedef struct source source_t;
typedef struct source_vtable {
    /* Append up to out->cap - out->nrows rows (physical columns, op +I unless the format is
     * a changelog format). Returns 1 when more may come (possibly after 0 rows now, for a
     * live source that has nothing yet), 0 at the end of bounded input, -1 on error. */
    int (*next)(source_t *s, chunk_t *out);
    void (*close)(source_t *s);       /* frees the source */
} source_vtable;

struct source {
    const source_vtable *vt;
    const connector_table *table;
    int bounded;                 /* ends by itself (files, datagen with number-of-rows) */
    uint64_t rows;               /* rows produced */
    uint64_t skipped;            /* malformed rows skipped (ignore-parse-errors) */
    /* Partitioned sources (Kafka): watermarks are kept per split (partition) and the scan's
     * watermark is the smallest over the splits that are not idle, as in Flink. nsplits is
     * the number of splits known so far (0: one unsplit stream; it may grow, e.g. a new
     * partition); every next() call appends rows of one split only and sets `split` to it
     * (-1 when the call appended no rows). */
    int32_t nsplits;
    int32_t split;
};

/* ---- sinks ---- */
typedef struct sink sink_t;
typedef struct sink_vtable {
    /* Consume the live rows of c (physical columns, with ops). With a primary key +I/+U
     * upsert and -D deletes (-U is ignored); without one only +I arrives. */
    int (*write)(sink_t *s, const chunk_t *c);
    int (*flush)(sink_t *s);          /* make everything written so far durable/visible */
    /* Called periodically with the wall clock, for time-based flushing; may be NULL. */
    int (*tick)(sink_t *s, int64_t now_us);
    void (*close)(sink_t *s);         /* flushes, then frees */
} sink_vtable;

struct sink {
    const sink_vtable *vt;
    const connector_table *table;
    uint64_t rows;               /* rows written (all ops) */
};

/* ---- lookup sources (FOR SYSTEM_TIME AS OF joins) ---- */
typedef struct lookup lookup_t;
typedef struct lookup_vtable {
    /* Append to out every physical row whose key columns equal keys[] (nkeys values). */
    int (*fetch)(lookup_t *l, const value_t *keys, chunk_t *out);
    void (*close)(lookup_t *l);
} lookup_vtable;

struct lookup {
    const lookup_vtable *vt;
    const connector_table *table;
    int *key_cols;
    int nkeys;
};

/* ---- registry ---- */
typedef struct connector_def {
    const char *name;                         /* 'connector' value */
    const char *const *options;               /* valid keys, NULL-terminated; '#' matches a
                                                 field name, e.g. "fields.#.kind" */
    int uses_format;                          /* accepts 'format' and that format's options */
    int accepts_updates;                      /* the sink takes -U/+U/-D without a primary key
                                                 (print, blackhole) */
    source_t *(*create_source)(const connector_table *t);          /* NULL: not a source */
    sink_t *(*create_sink)(const connector_table *t);              /* NULL: not a sink */
    lookup_t *(*create_lookup)(const connector_table *t, const int *key_cols, int nkeys);
    const char *const *required;              /* keys that must be set, NULL-terminated;
                                                 NULL: none */
    /* The source yields an upsert stream keyed by the primary key: +I/+U are the new row of
     * the key (no -U), -D may carry only the key (upsert-kafka). The planner adds a
     * ChangelogNormalize step that turns it into a full changelog. */
    int upsert_source;
    /* Replaces the generic key check for connectors whose keys depend on other keys
     * (kafka's 'key.format' / 'value.format' and their '<format>.*' options prefixed with
     * 'key.' / 'value.'). NULL: connector_check_options' generic check. */
    int (*check_options)(const connector_table *t);
    /* The sink writes -U/+U/-D itself when the table's format is a changelog format
     * (debezium-json, canal-json), so it takes updates without a primary key. */
    int updates_by_format;
} connector_def;

const connector_def *connector_lookup(const char *name);
/* Comma-separated list of registered connector names (for error messages). */
const char *connector_list(void);
/* Checks every option of t against the connector's and its format's valid keys. */
int connector_check_options(const connector_table *t, const connector_def *d);

extern const connector_def connector_filesystem;
extern const connector_def connector_print;
extern const connector_def connector_blackhole;
extern const connector_def connector_datagen;
extern const connector_def connector_jdbc;
extern const connector_def connector_kafka;
extern const connector_def connector_upsert_kafka;
extern const connector_def connector_mqtt;

#endif
