/* kafka_sink.c - the sink of the 'kafka' and 'upsert-kafka' connectors (librdkafka).
 *
 * write() encodes a chunk's live rows in one call per part (value format over the value
 * columns, key format over the key columns: a view of the chunk that shares its rows) and
 * hands each row to librdkafka as one record, keyed when the table has a key format; the
 * producer sends in the background and write() never waits, except that a full producer
 * queue is drained first (back-pressure). Partitions: 'default' is the Java client's (murmur2
 * of the key, so keys land where Java producers put them), 'fixed' writes everything to
 * partition 0 (eddy is Flink's subtask 0), 'round-robin' cycles through the partitions.
 *
 * 'kafka': a changelog value format (debezium-json, canal-json) writes every op itself;
 * other formats accept only inserts. 'upsert-kafka': +I/+U write key and value, -D writes a
 * tombstone (the key with a null value), a -U directly followed by the +U of its key is
 * skipped and any other -U (its +U was filtered out) is a tombstone too. With sink.buffer-flush.max-rows and
 * sink.buffer-flush.interval both set, changes are buffered and only the latest per key is
 * written: when the buffer holds max-rows keys, on tick() once the interval has passed, and
 * on flush().
 *
 * flush() waits until every record is acknowledged ('at-least-once'), or commits the open
 * transaction ('exactly-once': transactional id '<prefix>-0', begun before the first record
 * after a commit), or only sends ('none'). A record the brokers refuse fails the job at the
 * next write() or flush() with the topic, partition and librdkafka's reason. */
#include "connect/kafka.h"
#include "base/hashmap.h"
#include "base/util.h"
#include <stdlib.h>
#include <syslog.h>

#define POLL_WAIT_MS 100

/* A buffered upsert: bytes live in kafka_sink.buffer_bytes. */
typedef struct upsert_entry {
    uint32_t key_off, key_len;
    uint32_t value_off, value_len;
    int tombstone;
} upsert_entry;

typedef struct kafka_sink {
    sink_t base;
    kafka_spec spec;
    const char *topic;
    rd_kafka_t *rk;
    rd_kafka_topic_t *rkt;
    int32_t npartitions;
    uint64_t round_robin;
    encoder_t *value_enc;
    encoder_t *key_enc;          /* NULL: records without a key */
    int changelog;               /* the value format writes the row ops */
    vector_t *value_view, *key_view;
    sb_t values, keys;           /* one chunk's encoded messages */
    uint32_t *value_ends, *key_ends;
    uint32_t ends_cap;
    int in_txn;
    /* the first delivery failure, from the delivery report callback */
    rd_kafka_resp_err_t failure;
    int32_t failure_partition;
    uint64_t failures;
    /* sink.buffer-flush.*: the latest change per key */
    VEC(upsert_entry) buffer;
    sb_t buffer_bytes;
    hidx_t buffer_index;
    int64_t last_buffer_flush_us;
} kafka_sink;

/* ---- client ---- */

static void sink_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    const kafka_sink *s = rd_kafka_opaque(rk);
    if (level <= LOG_WARNING) fprintf(stderr, "eddy: kafka (table '%s'): %s\n", s ? s->base.table->name : "?", buf);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    kafka_sink *s = opaque;
    if (!m->err) return;
    if (!s->failures++) {
        s->failure = m->err;
        s->failure_partition = m->partition;
    }
}

static int delivery_failed(kafka_sink *s)
{
    if (!s->failures) return 0;
    err_msg("kafka sink of table '%s': %llu record%s could not be written to topic '%s' (first: partition %d: %s)",
            s->base.table->name, (unsigned long long)s->failures, s->failures == 1 ? "" : "s", s->topic,
            (int)s->failure_partition, rd_kafka_err2str(s->failure));
    return -1;
}

static int txn_failed(kafka_sink *s, const char *what, rd_kafka_error_t *e)
{
    err_msg("kafka sink of table '%s': %s failed: %s", s->base.table->name, what, rd_kafka_error_string(e));
    if (rd_kafka_error_txn_requires_abort(e)) {
        rd_kafka_error_t *a = rd_kafka_abort_transaction(s->rk, KAFKA_REQUEST_TIMEOUT_MS);
        if (a) rd_kafka_error_destroy(a);
        s->in_txn = 0;
    }
    rd_kafka_error_destroy(e);
    return -1;
}

static int open_producer(kafka_sink *s)
{
    const connector_table *t = s->base.table;
    rd_kafka_conf_t *conf = kafka_conf_new(t, 1);
    if (!conf) return -1;
    char errstr[512];
    if (s->spec.delivery == DELIVER_EXACTLY_ONCE) {
        sb_t id = {0};
        sb_printf(&id, "%s-0", s->spec.txn_prefix);
        rd_kafka_conf_set(conf, "transactional.id", id.data, errstr, sizeof errstr);
        sb_free(&id);
    }
    rd_kafka_conf_set_opaque(conf, s);
    rd_kafka_conf_set_log_cb(conf, sink_log);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    s->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!s->rk) {
        rd_kafka_conf_destroy(conf);
        return err_msg("kafka sink of table '%s': cannot create the producer: %s", t->name, errstr);
    }
    s->rkt = rd_kafka_topic_new(s->rk, s->topic, NULL);
    if (s->spec.delivery == DELIVER_EXACTLY_ONCE) {
        rd_kafka_error_t *e = rd_kafka_init_transactions(s->rk, KAFKA_REQUEST_TIMEOUT_MS);
        if (e) return txn_failed(s, "initializing transactions", e);
    }
    return 0;
}

/* The topic's partition count (asking for it creates the topic where the brokers allow it). */
static int load_partitions(kafka_sink *s)
{
    const struct rd_kafka_metadata *md;
    rd_kafka_resp_err_t err = rd_kafka_metadata(s->rk, 0, s->rkt, &md, KAFKA_REQUEST_TIMEOUT_MS);
    if (err)
        return err_msg("kafka sink of table '%s': cannot read the metadata of topic '%s' from '%s': %s",
                       s->base.table->name, s->topic, kafka_property(s->base.table, "bootstrap.servers"),
                       rd_kafka_err2str(err));
    int rc = 0;
    if (md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt == 0)
        rc = err_at(table_opt_entry(s->base.table, "topic")->value_span, "kafka topic '%s' of table '%s' cannot be "
                    "written: %s", s->topic, s->base.table->name,
                    md->topic_cnt == 1 && md->topics[0].err ? rd_kafka_err2str(md->topics[0].err) : "it has no partitions");
    else
        s->npartitions = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
    return rc;
}

/* ---- producing ---- */

static int32_t partition_for(kafka_sink *s)
{
    switch (s->spec.partitioner) {
    case PART_FIXED: return 0;
    case PART_ROUND_ROBIN: return (int32_t)(s->round_robin++ % (uint64_t)s->npartitions);
    default: return RD_KAFKA_PARTITION_UA;
    }
}

static int begin_transaction(kafka_sink *s)
{
    if (s->spec.delivery != DELIVER_EXACTLY_ONCE || s->in_txn) return 0;
    rd_kafka_error_t *e = rd_kafka_begin_transaction(s->rk);
    if (e) return txn_failed(s, "beginning a transaction", e);
    s->in_txn = 1;
    return 0;
}

/* Hands one record to the producer (value NULL: a tombstone); waits only while its queue is full. */
static int produce(kafka_sink *s, const char *key, size_t key_len, const char *value, size_t value_len)
{
    if (begin_transaction(s)) return -1;
    int32_t partition = partition_for(s);
    for (;;) {
        if (rd_kafka_produce(s->rkt, partition, RD_KAFKA_MSG_F_COPY, (void *)value, value_len, key, key_len, NULL) == 0)
            return 0;
        rd_kafka_resp_err_t err = rd_kafka_last_error();
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            return err_msg("kafka sink of table '%s': cannot write to topic '%s'%s: %s", s->base.table->name, s->topic,
                           partition >= 0 ? " (the partition chosen by 'sink.partitioner')" : "",
                           rd_kafka_err2str(err));
        rd_kafka_poll(s->rk, POLL_WAIT_MS);
        if (delivery_failed(s)) return -1;
    }
}

/* ---- the upsert buffer ---- */

static void buffer_put(kafka_sink *s, const char *key, uint32_t key_len, const char *value, uint32_t value_len,
                       int tombstone)
{
    uint64_t h = hash_bytes(key, key_len);
    uint32_t value_off = (uint32_t)s->buffer_bytes.len;
    void *it;
    for (size_t pos = hidx_first(&s->buffer_index, h); (it = hidx_match(&s->buffer_index, h, &pos));) {
        upsert_entry *e = &s->buffer.items[(uintptr_t)it - 1];
        if (e->key_len != key_len || memcmp(s->buffer_bytes.data + e->key_off, key, key_len) != 0) continue;
        if (value_len) sb_append(&s->buffer_bytes, value, value_len);
        e->value_off = value_off;
        e->value_len = value_len;
        e->tombstone = tombstone;
        return;
    }
    if (value_len) sb_append(&s->buffer_bytes, value, value_len);
    upsert_entry e = {(uint32_t)s->buffer_bytes.len, key_len, value_off, value_len, tombstone};
    sb_append(&s->buffer_bytes, key, key_len);
    VEC_PUSH(s->buffer, e);
    hidx_add(&s->buffer_index, h, (void *)(uintptr_t)s->buffer.len);
}

/* Writes the buffered changes, in the order their keys first came. */
static int buffer_flush(kafka_sink *s)
{
    int rc = 0;
    for (size_t i = 0; i < s->buffer.len && !rc; i++) {
        const upsert_entry *e = &s->buffer.items[i];
        const char *b = s->buffer_bytes.data;
        rc = produce(s, b + e->key_off, e->key_len, e->tombstone ? NULL : b + e->value_off, e->value_len);
    }
    s->buffer.len = 0;
    sb_clear(&s->buffer_bytes);
    hidx_free(&s->buffer_index);
    hidx_init(&s->buffer_index);
    s->last_buffer_flush_us = table_now_us(s->base.table);
    return rc;
}

/* ---- write ---- */

static void grow_ends(kafka_sink *s, uint32_t n)
{
    if (n <= s->ends_cap) return;
    s->ends_cap = n;
    s->value_ends = xrealloc(s->value_ends, n * sizeof *s->value_ends);
    s->key_ends = xrealloc(s->key_ends, n * sizeof *s->key_ends);
}

/* Encodes the part's columns of c's live rows, one message each. */
static int encode_part(const kafka_part *part, encoder_t *enc, vector_t *view, const chunk_t *c, sb_t *out,
                       uint32_t *ends)
{
    sb_clear(out);
    if (part->table.physical.ncols == c->ncols) return encoder_encode_each(enc, c, out, ends);
    chunk_t v = *c;
    v.ncols = part->table.physical.ncols;
    v.cols = view;
    for (uint32_t i = 0; i < v.ncols; i++) view[i] = c->cols[part->cols[i]];
    return encoder_encode_each(enc, &v, out, ends);
}

static int check_ops(kafka_sink *s, const chunk_t *c)
{
    if (s->spec.upsert || s->changelog) return 0;
    uint32_t live = chunk_live(c);
    for (uint32_t k = 0; k < live; k++) {
        uint8_t op = c->ops[chunk_row(c, k)];
        if (op != OP_INSERT)
            return err_msg("kafka sink of table '%s' with format '%s' accepts only inserts, got a %s row; a changelog "
                           "format (debezium-json, canal-json) or 'upsert-kafka' writes updates", s->base.table->name,
                           s->spec.value.format->name, row_op_names[op & 3]);
    }
    return 0;
}

/* Is live row k (a -U) followed by the +U of the same key? Then the -U is left out; a -U on
 * its own (a filter dropped its +U) takes the key's row away, so it is written as a tombstone,
 * as Flink's upsert-kafka writes every -U. */
static int followed_by_update(const kafka_sink *s, const chunk_t *c, uint32_t k)
{
    if (k + 1 >= chunk_live(c) || c->ops[chunk_row(c, k + 1)] != OP_UPDATE_AFTER) return 0;
    uint32_t start = k ? s->key_ends[k - 1] : 0, len = s->key_ends[k] - start;
    uint32_t next_len = s->key_ends[k + 1] - s->key_ends[k];
    return len == next_len && memcmp(s->keys.data + start, s->keys.data + s->key_ends[k], len) == 0;
}

static int ksink_write(sink_t *base, const chunk_t *c)
{
    kafka_sink *s = (kafka_sink *)base;
    uint32_t live = chunk_live(c);
    if (delivery_failed(s) || check_ops(s, c)) return -1;
    if (!live) return 0;
    grow_ends(s, live);
    if (encode_part(&s->spec.value, s->value_enc, s->value_view, c, &s->values, s->value_ends)) return -1;
    if (s->key_enc && encode_part(&s->spec.key, s->key_enc, s->key_view, c, &s->keys, s->key_ends)) return -1;
    uint32_t value_start = 0, key_start = 0;
    for (uint32_t k = 0; k < live; k++) {
        uint8_t op = c->ops[chunk_row(c, k)];
        const char *value = s->values.data + value_start, *key = s->key_enc ? s->keys.data + key_start : NULL;
        uint32_t value_len = s->value_ends[k] - value_start, key_len = s->key_enc ? s->key_ends[k] - key_start : 0;
        value_start = s->value_ends[k];
        if (s->key_enc) key_start = s->key_ends[k];
        if (s->spec.upsert && op == OP_UPDATE_BEFORE && followed_by_update(s, c, k)) continue;
        int tombstone = s->spec.upsert && (op == OP_DELETE || op == OP_UPDATE_BEFORE);
        if (s->changelog && value_len == 0) continue;         /* the format writes no message for this row */
        if (s->spec.buffer_rows > 0) {
            buffer_put(s, key, key_len, value, value_len, tombstone);
            continue;
        }
        if (produce(s, key, key_len, tombstone ? NULL : value, value_len)) return -1;
    }
    base->rows += live;
    rd_kafka_poll(s->rk, 0);
    if (s->spec.buffer_rows > 0 && (int64_t)s->buffer.len >= s->spec.buffer_rows && buffer_flush(s)) return -1;
    return delivery_failed(s);
}

/* Waits until librdkafka holds nothing unacknowledged. */
static void wait_delivered(kafka_sink *s)
{
    while (rd_kafka_outq_len(s->rk) > 0) rd_kafka_flush(s->rk, POLL_WAIT_MS);
}

static int ksink_flush(sink_t *base)
{
    kafka_sink *s = (kafka_sink *)base;
    if (buffer_flush(s)) return -1;
    switch (s->spec.delivery) {
    case DELIVER_NONE:
        rd_kafka_poll(s->rk, 0);
        break;
    case DELIVER_EXACTLY_ONCE:
        if (s->in_txn) {
            rd_kafka_error_t *e = rd_kafka_commit_transaction(s->rk, -1);
            if (e) return txn_failed(s, "committing the transaction", e);
            s->in_txn = 0;
        }
        break;
    default:
        wait_delivered(s);
        break;
    }
    return delivery_failed(s);
}

static int ksink_tick(sink_t *base, int64_t now_us)
{
    kafka_sink *s = (kafka_sink *)base;
    rd_kafka_poll(s->rk, 0);
    if (s->buffer.len && now_us - s->last_buffer_flush_us >= s->spec.buffer_us && buffer_flush(s)) return -1;
    return delivery_failed(s);
}

static void ksink_free(kafka_sink *s)
{
    if (s->rkt) rd_kafka_topic_destroy(s->rkt);
    if (s->rk) rd_kafka_destroy(s->rk);
    encoder_free(s->value_enc);
    encoder_free(s->key_enc);
    free(s->value_view);
    free(s->key_view);
    free(s->value_ends);
    free(s->key_ends);
    sb_free(&s->values);
    sb_free(&s->keys);
    VEC_FREE(s->buffer);
    sb_free(&s->buffer_bytes);
    hidx_free(&s->buffer_index);
    kafka_spec_free(&s->spec);
    free(s);
}

static void ksink_close(sink_t *base)
{
    kafka_sink *s = (kafka_sink *)base;
    if (s->rk) {
        if (ksink_flush(base) && s->in_txn) {
            rd_kafka_error_t *e = rd_kafka_abort_transaction(s->rk, KAFKA_REQUEST_TIMEOUT_MS);
            if (e) rd_kafka_error_destroy(e);
        }
        if (s->spec.delivery == DELIVER_NONE) wait_delivered(s);
    }
    ksink_free(s);
}

static const sink_vtable kafka_sink_vt = {ksink_write, ksink_flush, ksink_tick, ksink_close};

static int single_topic(kafka_sink *s)
{
    const connector_table *t = s->base.table;
    if (s->spec.pattern)
        return err_at(s->spec.pattern->key_span, "a kafka sink writes one topic named in 'topic', not a "
                      "'topic-pattern' (table '%s')", t->name);
    if (s->spec.ntopics != 1)
        return err_at(table_opt_entry(t, "topic")->value_span, "a kafka sink writes a single topic, but 'topic' lists "
                      "%d (table '%s')", s->spec.ntopics, t->name);
    s->topic = s->spec.topics[0];
    return 0;
}

static int make_encoders(kafka_sink *s)
{
    kafka_spec *sp = &s->spec;
    s->value_enc = sp->value.format->create_encoder(&sp->value.table);
    if (!s->value_enc) return -1;
    s->changelog = sp->value.format->changelog;
    s->value_view = xcalloc((size_t)sp->value.table.physical.ncols + 1, sizeof *s->value_view);
    if (!sp->key.format) return 0;
    s->key_enc = sp->key.format->create_encoder(&sp->key.table);
    s->key_view = xcalloc((size_t)sp->key.table.physical.ncols + 1, sizeof *s->key_view);
    return s->key_enc ? 0 : -1;
}

static sink_t *create_sink(const connector_table *t, int upsert)
{
    kafka_sink *s = xcalloc(1, sizeof *s);
    s->base.vt = &kafka_sink_vt;
    s->base.table = t;
    hidx_init(&s->buffer_index);
    if (kafka_spec_init(&s->spec, t, upsert)) {
        free(s);
        return NULL;
    }
    if (single_topic(s) || make_encoders(s) || open_producer(s) || load_partitions(s)) {
        ksink_free(s);
        return NULL;
    }
    s->last_buffer_flush_us = table_now_us(t);
    return &s->base;
}

sink_t *kafka_create_sink(const connector_table *t) { return create_sink(t, 0); }
sink_t *upsert_kafka_create_sink(const connector_table *t) { return create_sink(t, 1); }
