/* kafka.h - what the 'kafka' and 'upsert-kafka' connector files share: the table's options
 * parsed once into a kafka_spec (topics, formats and their column projections, start and
 * stop positions, sink settings), and the librdkafka configuration built from 'properties.*'.
 *
 * A Kafka record has a key and a value, each written in its own format over its own subset of
 * the table's physical columns (a "part"): the value part is every column ('value.fields-
 * include' = 'ALL') or every column that is not a key field ('EXCEPT_KEY'); the key part is
 * 'key.fields' (kafka) or the primary key (upsert-kafka), with 'key.fields-prefix' removed from
 * the names the key format sees. Each part is handed to its format as a connector_table of
 * its own whose options are the table's '<prefix><format>.*' options without the prefix, so
 * the formats read their options exactly as they do for a file. */
#ifndef EDDY_KAFKA_H
#define EDDY_KAFKA_H
#include "connect/connector.h"
#include "connect/format.h"
#include <librdkafka/rdkafka.h>

/* Where reading starts (scan.startup.mode) and, for a bounded source, stops
 * (scan.bounded.mode). The order is the option's value list. */
enum kafka_startup { START_EARLIEST, START_LATEST, START_GROUP, START_TIMESTAMP, START_SPECIFIC };
enum kafka_bounded { BOUND_NONE, BOUND_LATEST, BOUND_GROUP, BOUND_TIMESTAMP, BOUND_SPECIFIC };
enum kafka_partitioner { PART_DEFAULT, PART_FIXED, PART_ROUND_ROBIN };
enum kafka_delivery { DELIVER_AT_LEAST_ONCE, DELIVER_EXACTLY_ONCE, DELIVER_NONE };

/* One record part (key or value) as its format sees it. */
typedef struct kafka_part {
    const format_def *format;    /* NULL: the record has no such part */
    connector_table table;       /* the part's columns and its format's options, unprefixed */
    int *cols;                   /* table.physical column i is the Kafka table's column cols[i] */
    table_option *opts;          /* table.opts (keys point into the Kafka table's keys) */
} kafka_part;

/* 'partition:0,offset:42;partition:1,offset:300' */
typedef struct kafka_offset_spec {
    int32_t partition;
    int64_t offset;
} kafka_offset_spec;

typedef struct kafka_spec {
    const connector_table *t;
    int upsert;                  /* 'upsert-kafka' */
    char **topics;               /* 'topic' split at ';' (NULL with a pattern) */
    int ntopics;
    const table_option *pattern; /* 'topic-pattern' or NULL */
    void *pattern_re;            /* its compiled PCRE2 code */
    kafka_part key, value;
    int startup;                 /* enum kafka_startup */
    int64_t startup_ts_ms;
    kafka_offset_spec *startup_offsets;
    int nstartup_offsets;
    int bounded;                 /* enum kafka_bounded */
    int64_t bounded_ts_ms;
    kafka_offset_spec *bounded_offsets;
    int nbounded_offsets;
    int64_t discovery_us;        /* 0: no partition discovery */
    int partitioner;             /* enum kafka_partitioner */
    int delivery;                /* enum kafka_delivery */
    const char *txn_prefix;      /* sink.transactional-id-prefix */
    int64_t buffer_rows;         /* upsert-kafka sink buffer; both 0: no buffering */
    int64_t buffer_us;
    const char *group_id;        /* properties.group.id, NULL if not set */
    int commit_offsets;          /* commit consumed offsets to the group */
} kafka_spec;

/* Parses and checks every option of t except the unknown-key check (kafka_check_options does
 * that too). Returns 0, or -1 with the error recorded at the offending option. */
int kafka_spec_init(kafka_spec *s, const connector_table *t, int upsert);
void kafka_spec_free(kafka_spec *s);
/* Is `topic` one of the source's topics ('topic' list, or a full match of 'topic-pattern')? */
int kafka_spec_wants_topic(const kafka_spec *s, const char *topic);

/* A librdkafka configuration with t's 'properties.*' applied (Flink's Java-client names that
 * librdkafka spells differently are translated; serializer classes are ignored), plus eddy's
 * defaults that the properties may override. NULL with the error recorded at the property. */
rd_kafka_conf_t *kafka_conf_new(const connector_table *t, int producer);
/* The table's 'properties.<name>' value, or NULL. */
const char *kafka_property(const connector_table *t, const char *name);
/* Records "kafka <what> of table 'T': <librdkafka's message>" and returns -1. */
int kafka_fail(const connector_table *t, const char *what, rd_kafka_resp_err_t err);

/* The connectors' option check (connector_def.check_options). */
int kafka_check_options(const connector_table *t);
int upsert_kafka_check_options(const connector_table *t);

source_t *kafka_create_source(const connector_table *t);
source_t *upsert_kafka_create_source(const connector_table *t);
sink_t *kafka_create_sink(const connector_table *t);
sink_t *upsert_kafka_create_sink(const connector_table *t);

/* Milliseconds a blocking request (metadata, offsets, transactions) may take. */
#define KAFKA_REQUEST_TIMEOUT_MS 15000

#endif
