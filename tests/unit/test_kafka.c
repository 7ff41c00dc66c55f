/* test_kafka.c - the 'kafka' and 'upsert-kafka' connectors against librdkafka's mock cluster
 * started in this process: records written with librdkafka are read back through the source
 * row by row (start and stop modes, specific offsets, timestamps, splits per partition, key
 * and value parts, bad records, tombstones), and the sink's records are read back with a
 * plain consumer (keys, partitioners, changelog formats, upsert buffering, transactions,
 * delivery failures); option errors are checked by their text. */
#include "check.h"
#include "connector_testkit.h"
#include "connect/kafka.h"
#include "base/util.h"
#include <librdkafka/rdkafka_mock.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* ---- fixtures ---- */

static rd_kafka_mock_cluster_t *cluster;
static rd_kafka_t *cluster_owner;
static char bootstrap[256];

/* Table "t" with columns "name:TYPE,..." (TYPE one of BIGINT, INT, STRING, DOUBLE), then key,
 * value option pairs up to NULL. 'properties.bootstrap.servers' is added unless given. */
static void kafka_table(fixture *f, const char *cols, ...)
{
    static char colbuf[16][256];
    static int next_buf;
    char *c = colbuf[next_buf++ % 16];
    snprintf(c, 256, "%s", cols);
    const char *names[16];
    type_t types[16];
    int ncols = 0;
    for (char *tok = strtok(c, ","); tok; tok = strtok(NULL, ","), ncols++) {
        char *colon = strchr(tok, ':');
        *colon = 0;
        names[ncols] = tok;
        const char *ty = colon + 1;
        types[ncols] = type_make(strcmp(ty, "BIGINT") == 0 ? TY_BIGINT : strcmp(ty, "INT") == 0 ? TY_INT
                                 : strcmp(ty, "DOUBLE") == 0 ? TY_DOUBLE : TY_STRING);
    }
    va_list ap;
    va_start(ap, cols);
    fx_vinit(f, "t", ncols, names, types, ap);
    va_end(ap);
    for (int i = 0; i < f->t.nopts; i++)
        if (strcmp(f->opts[i].key, "properties.bootstrap.servers") == 0) return;
    f->opts[f->t.nopts++] = (table_option){"properties.bootstrap.servers", bootstrap, {0, 28, 40, 5}, {0, 10, 40, 30}};
}

static rd_kafka_t *producer;

/* Creates the topic and tells the test producer about it at once. */
static void new_topic(const char *name, int partitions)
{
    CHECK_EQ_INT(rd_kafka_mock_topic_create(cluster, name, partitions, 1), 0);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(producer, name, NULL);
    const struct rd_kafka_metadata *md;
    CHECK_EQ_INT(rd_kafka_metadata(producer, 0, rkt, &md, 10000), 0);
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
}

/* ---- producing and consuming with plain librdkafka ---- */

static void produce_at(const char *topic, int32_t partition, const char *key, const char *value, int64_t ts_ms)
{
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(key, key ? strlen(key) : 0), RD_KAFKA_V_VALUE((void *)value, value ? strlen(value) : 0),
        RD_KAFKA_V_TIMESTAMP(ts_ms), RD_KAFKA_V_END);
    CHECK_EQ_INT(err, 0);
}

static void produce(const char *topic, int32_t partition, const char *key, const char *value)
{
    produce_at(topic, partition, key, value, 0);
}

static void produce_done(void)
{
    CHECK_EQ_INT(rd_kafka_flush(producer, 10000), 0);
}

/* Every record of the topic now, by partition and offset: "P|key|value" (\N for null). */
static const char *topic_records(const char *topic, int committed_only)
{
    static sb_t out, per_part[8];
    sb_clear(&out);
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "group.id", "test-reader", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "enable.partition.eof", "true", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "fetch.wait.max.ms", "10", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "isolation.level", committed_only ? "read_committed" : "read_uncommitted", errstr,
                      sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    rd_kafka_poll_set_consumer(rk);
    const struct rd_kafka_metadata *md;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    CHECK_EQ_INT(rd_kafka_metadata(rk, 0, rkt, &md, 10000), 0);
    int np = md->topics[0].partition_cnt, open = 0;
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(np);
    for (int p = 0; p < np && p < 8; p++) {
        int64_t low, high;
        sb_clear(&per_part[p]);
        rd_kafka_query_watermark_offsets(rk, topic, p, &low, &high, 10000);
        if (low == high) continue;
        rd_kafka_topic_partition_list_add(l, topic, p)->offset = low;
        open++;
    }
    rd_kafka_assign(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    while (open > 0) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 10000);
        if (!m) break;
        sb_t *b = &per_part[m->partition];
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) open--;
        if (!m->err) {
            sb_printf(b, "%d|", (int)m->partition);
            if (m->key) sb_append(b, m->key, m->key_len); else sb_puts(b, "\\N");
            sb_putc(b, '|');
            if (m->payload) sb_append(b, m->payload, m->len); else sb_puts(b, "\\N");
            sb_putc(b, '\n');
        }
        rd_kafka_message_destroy(m);
    }
    for (int p = 0; p < np && p < 8; p++) sb_puts(&out, sb_str(&per_part[p]));
    rd_kafka_topic_destroy(rkt);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return sb_str(&out);
}

static int starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* ---- reading a source ---- */

static void put_rows(const chunk_t *c, uint32_t from, sb_t *b)
{
    for (uint32_t r = from; r < c->nrows; r++) {
        sb_puts(b, row_op_names[c->ops[r] & 3]);
        for (uint32_t i = 0; i < c->ncols; i++) {
            value_t v;
            sb_putc(b, '|');
            vector_get(&c->cols[i], r, &v);
            if (v.null) sb_puts(b, "NULL");
            else value_format(c->cols[i].type, &v, b);
        }
        sb_putc(b, '\n');
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads until the source ends (or until `want` rows when want > 0), at most 10 s; every
 * call's rows must come from the split it reports, which splits_seen records. Returns the
 * rows as "+I|a|b" lines; *rc_out is next()'s last result. */
static const char *read_source(source_t *src, int want, int *rc_out, char *splits_seen)
{
    static sb_t out;
    sb_clear(&out);
    chunk_t *c = chunk_new(&src->table->physical, 64);
    int rows = 0, rc = 1;
    double deadline = now_s() + 10;
    while (now_s() < deadline) {
        chunk_reset(c);
        rc = src->vt->next(src, c);
        if (rc < 0) break;
        if (c->nrows == 0) CHECK_EQ_INT(src->split, -1);
        if (c->nrows > 0) {
            CHECK(src->split >= 0 && src->split < src->nsplits);
            if (splits_seen && src->split >= 0 && src->split < 16) splits_seen[src->split] = 1;
        }
        put_rows(c, 0, &out);
        rows += (int)c->nrows;
        if (rc == 0 || (want > 0 && rows >= want)) break;
        if (c->nrows == 0) usleep(1000);
    }
    chunk_free(c);
    if (rc_out) *rc_out = rc;
    return sb_str(&out);
}

static const char *read_all(source_t *src) { return read_source(src, 0, NULL, NULL); }

/* ---- source tests ---- */

TEST(earliest_to_latest_json)
{
    new_topic("plain", 1);
    produce("plain", 0, NULL, "{\"id\":1,\"name\":\"a\",\"price\":1.5}");
    produce("plain", 0, NULL, "{\"id\":2,\"name\":\"b\",\"price\":2.25}");
    produce("plain", 0, NULL, "{\"id\":3,\"name\":null}");
    produce_done();
    fixture f;
    kafka_table(&f, "id:BIGINT,name:STRING,price:DOUBLE", "topic", "plain", "format", "json", "scan.startup.mode",
            "earliest-offset", "scan.bounded.mode", "latest-offset", NULL);
    CHECK_EQ_INT(kafka_check_options(&f.t), 0);
    source_t *s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) { err_print(stderr); return; }
    CHECK_EQ_INT(s->bounded, 1);
    CHECK_EQ_INT(s->nsplits, 1);
    int rc;
    CHECK_EQ_STR(read_source(s, 0, &rc, NULL), "+I|1|a|1.5\n+I|2|b|2.25\n+I|3|NULL|NULL\n");
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(s->rows, 3);
    CHECK_EQ_INT(s->skipped, 0);
    s->vt->close(s);
}

TEST(empty_bounded_source_ends_at_once)
{
    new_topic("empty", 2);
    fixture f;
    kafka_table(&f, "id:BIGINT", "topic", "empty", "format", "json", "scan.startup.mode", "earliest-offset",
            "scan.bounded.mode", "latest-offset", NULL);
    source_t *s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_INT(s->nsplits, 0);
    chunk_t *c = chunk_new(&f.t.physical, 8);
    CHECK_EQ_INT(s->vt->next(s, c), 0);
    CHECK_EQ_INT(c->nrows, 0);
    chunk_free(c);
    s->vt->close(s);
}

TEST(splits_are_partitions)
{
    new_topic("parts", 3);
    char buf[64];
    for (int i = 0; i < 30; i++) {
        snprintf(buf, sizeof buf, "{\"p\":%d,\"n\":%d}", i % 3, i);
        produce("parts", i % 3, NULL, buf);
    }
    produce_done();
    fixture f;
    kafka_table(&f, "p:INT,n:INT", "topic", "parts", "format", "json", "scan.startup.mode", "earliest-offset",
            "scan.bounded.mode", "latest-offset", NULL);
    source_t *s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_INT(s->nsplits, 3);
    chunk_t *c = chunk_new(&f.t.physical, 4);
    int count[3] = {0}, last[3] = {-1, -1, -1}, rc = 1;
    double deadline = now_s() + 10;
    while (rc == 1 && now_s() < deadline) {
        chunk_reset(c);
        rc = s->vt->next(s, c);
        for (uint32_t r = 0; r < c->nrows; r++) {
            int p = (int)c->cols[0].i64[r], n = (int)c->cols[1].i64[r];
            CHECK_EQ_INT(p, s->split);                    /* one call, one partition */
            CHECK(n > last[p]);                           /* in offset order */
            CHECK_EQ_INT(n % 3, p);
            last[p] = n;
            count[p]++;
        }
        if (!c->nrows) usleep(1000);
    }
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(count[0], 10);
    CHECK_EQ_INT(count[1], 10);
    CHECK_EQ_INT(count[2], 10);
    chunk_free(c);
    s->vt->close(s);
}

TEST(latest_offset_then_new_records)
{
    new_topic("latest2", 1);
    produce("latest2", 0, NULL, "{\"id\":1}");
    produce_done();
    fixture f;
    kafka_table(&f, "id:BIGINT", "topic", "latest2", "format", "json", "scan.startup.mode", "latest-offset", NULL);
    source_t *s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    produce("latest2", 0, NULL, "{\"id\":2}");
    produce("latest2", 0, NULL, "{\"id\":3}");
    produce_done();
    int rc;
    CHECK_EQ_STR(read_source(s, 2, &rc, NULL), "+I|2\n+I|3\n");
    CHECK_EQ_INT(rc, 1);
    s->vt->close(s);
}

static void produce_numbers(const char *topic, int32_t partition, int from, int to)
{
    char buf[32];
    for (int i = from; i <= to; i++) {
        snprintf(buf, sizeof buf, "{\"id\":%d}", i);
        produce(topic, partition, NULL, buf);
    }
    produce_done();
}

TEST(specific_offsets_start_and_stop)
{
    new_topic("specific", 2);
    produce_numbers("specific", 0, 0, 9);           /* offsets 0..9 hold 0..9 */
    produce_numbers("specific", 1, 100, 104);       /* offsets 0..4 hold 100..104 */
    fixture f;
    kafka_table(&f, "id:BIGINT", "topic", "specific", "format", "json", "scan.startup.mode", "specific-offsets",
            "scan.startup.specific-offsets", "partition:0,offset:4;partition:1,offset:2", "scan.bounded.mode",
            "specific-offsets", "scan.bounded.specific-offsets", "partition:0,offset:7;partition:1,offset:3", NULL);
    CHECK_EQ_INT(kafka_check_options(&f.t), 0);
    source_t *s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    int rc;
    const char *rows = read_source(s, 0, &rc, NULL);
    CHECK_EQ_INT(rc, 0);
    CHECK(strstr(rows, "+I|4\n+I|5\n+I|6\n") != NULL);       /* offsets 4..6 of partition 0 */
    CHECK(strstr(rows, "+I|102\n") != NULL);                  /* offset 2 of partition 1 */
    CHECK_EQ_INT(s->rows, 4);
    s->vt->close(s);

    /* A partition without a stop offset is not read. */
    kafka_table(&f, "id:BIGINT", "topic", "specific", "format", "json", "scan.startup.mode", "earliest-offset",
            "scan.bounded.mode", "specific-offsets", "scan.bounded.specific-offsets", "partition:1,offset:2", NULL);
    s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_INT(s->nsplits, 1);
    CHECK_EQ_STR(read_all(s), "+I|100\n+I|101\n");
    s->vt->close(s);
}

TEST(timestamp_start_and_stop)
{
    new_topic("times", 1);
    produce_at("times", 0, NULL, "{\"id\":1}", 1000);
    produce_at("times", 0, NULL, "{\"id\":2}", 2000);
    produce_at("times", 0, NULL, "{\"id\":3}", 3000);
    produce_at("times", 0, NULL, "{\"id\":4}", 2500);      /* after the first record at >= 2000: read */
    produce_done();
    fixture f;
    kafka_table(&f, "id:BIGINT", "topic", "times", "format", "json", "scan.startup.mode", "timestamp",
            "scan.startup.timestamp-millis", "2000", "scan.bounded.mode", "latest-offset", NULL);
    source_t *s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_STR(read_all(s), "+I|2\n+I|3\n+I|4\n");
    s->vt->close(s);

    kafka_table(&f, "id:BIGINT", "topic", "times", "format", "json", "scan.startup.mode", "earliest-offset",
            "scan.bounded.mode", "timestamp", "scan.bounded.timestamp-millis", "3000", NULL);
    s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_STR(read_all(s), "+I|1\n+I|2\n");               /* stops before the first record at >= 3000 */
    s->vt->close(s);
}

TEST(group_offsets_resume_where_the_group_left)
{
    new_topic("grouped", 1);
    produce_numbers("grouped", 0, 1, 3);
    fixture f;
    kafka_table(&f, "id:BIGINT", "topic", "grouped", "format", "json", "properties.group.id", "g1",
            "scan.startup.mode", "earliest-offset", "scan.bounded.mode", "latest-offset", NULL);
    source_t *s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_STR(read_all(s), "+I|1\n+I|2\n+I|3\n");
    s->vt->close(s);                                         /* commits offset 3 for g1 */
    produce_numbers("grouped", 0, 4, 5);
    kafka_table(&f, "id:BIGINT", "topic", "grouped", "format", "json", "properties.group.id", "g1",
            "scan.startup.mode", "group-offsets", "scan.bounded.mode", "latest-offset", NULL);
    s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_STR(read_all(s), "+I|4\n+I|5\n");
    s->vt->close(s);

    /* Flink's default start is the group's offsets, which need a group. */
    kafka_table(&f, "id:BIGINT", "topic", "grouped", "format", "json", NULL);
    err_clear();
    CHECK(kafka_create_source(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), "kafka source of table 't': scan.startup.mode 'group-offsets' needs the offsets "
                 "committed by a consumer group, but 'properties.group.id' is not set");
    err_clear();

    /* A group without committed offsets: an error, or auto.offset.reset. */
    kafka_table(&f, "id:BIGINT", "topic", "grouped", "format", "json", "properties.group.id", "g-new",
            "scan.startup.mode", "group-offsets", "scan.bounded.mode", "latest-offset", NULL);
    err_clear();
    CHECK(kafka_create_source(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), "kafka source of table 't': consumer group 'g-new' has no committed offset for "
                 "topic 'grouped' partition 0 (scan.startup.mode 'group-offsets')");
    err_clear();
    kafka_table(&f, "id:BIGINT", "topic", "grouped", "format", "json", "properties.group.id", "g-new2",
            "properties.auto.offset.reset", "earliest", "scan.startup.mode", "group-offsets", "scan.bounded.mode",
            "latest-offset", NULL);
    s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_STR(read_all(s), "+I|1\n+I|2\n+I|3\n+I|4\n+I|5\n");
    s->vt->close(s);

    /* Bounded by the group's committed offsets (g1 is at 5 now). */
    produce_numbers("grouped", 0, 6, 6);
    kafka_table(&f, "id:BIGINT", "topic", "grouped", "format", "json", "properties.group.id", "g1",
            "scan.startup.mode", "specific-offsets", "scan.startup.specific-offsets", "partition:0,offset:3",
            "scan.bounded.mode", "group-offsets", NULL);
    s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_STR(read_all(s), "+I|4\n+I|5\n");
    s->vt->close(s);
}

TEST(topic_list_and_pattern)
{
    new_topic("pat-1", 1);
    new_topic("pat-2", 1);
    new_topic("pattern-no", 1);
    produce("pat-1", 0, NULL, "{\"id\":1}");
    produce("pat-2", 0, NULL, "{\"id\":2}");
    produce("pattern-no", 0, NULL, "{\"id\":3}");
    produce_done();
    fixture f;
    kafka_table(&f, "id:BIGINT", "topic-pattern", "pat-[0-9]", "format", "json", "scan.startup.mode", "earliest-offset",
            "scan.bounded.mode", "latest-offset", NULL);
    source_t *s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_INT(s->nsplits, 2);
    const char *rows = read_all(s);
    CHECK(strcmp(rows, "+I|1\n+I|2\n") == 0 || strcmp(rows, "+I|2\n+I|1\n") == 0);
    s->vt->close(s);

    kafka_table(&f, "id:BIGINT", "topic", "pattern-no; pat-2", "format", "json", "scan.startup.mode",
            "earliest-offset", "scan.bounded.mode", "latest-offset", NULL);
    s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    rows = read_all(s);
    CHECK(strcmp(rows, "+I|3\n+I|2\n") == 0 || strcmp(rows, "+I|2\n+I|3\n") == 0);
    s->vt->close(s);

    kafka_table(&f, "id:BIGINT", "topic", "pat-1;nope", "format", "json", NULL);
    err_clear();
    CHECK(kafka_create_source(&f.t) == NULL);
    CHECK(strstr(err_message(), "kafka topic 'nope' of table 't' does not exist; topics on the cluster: ") != NULL);
    err_clear();
}

TEST(partition_discovery_finds_new_topics)
{
    new_topic("disc-a", 1);
    produce("disc-a", 0, NULL, "{\"id\":1}");
    produce_done();
    fixture f;
    kafka_table(&f, "id:BIGINT", "topic-pattern", "disc-.*", "format", "json", "scan.startup.mode", "earliest-offset",
            "scan.topic-partition-discovery.interval", "1 s", NULL);
    source_t *s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_STR(read_source(s, 1, NULL, NULL), "+I|1\n");
    new_topic("disc-b", 2);
    produce("disc-b", 1, NULL, "{\"id\":2}");
    produce_done();
    fake_now += 2 * US_PER_SEC;
    CHECK_EQ_STR(read_source(s, 1, NULL, NULL), "+I|2\n");
    CHECK_EQ_INT(s->nsplits, 3);
    s->vt->close(s);
}

TEST(bad_record_fails_with_its_origin)
{
    new_topic("bad", 1);
    produce("bad", 0, NULL, "{\"id\":1}");
    produce("bad", 0, NULL, "{\"id\":");
    produce("bad", 0, NULL, "{\"id\":3}");
    produce_done();
    fixture f;
    kafka_table(&f, "id:BIGINT", "topic", "bad", "format", "json", "scan.startup.mode", "earliest-offset",
            "scan.bounded.mode", "latest-offset", NULL);
    source_t *s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    err_clear();
    int rc;
    read_source(s, 0, &rc, NULL);
    CHECK_EQ_INT(rc, -1);
    CHECK(strstr(err_message(), "topic 'bad' partition 0 offset 1") != NULL);
    err_clear();
    s->vt->close(s);

    kafka_table(&f, "id:BIGINT", "topic", "bad", "format", "json", "json.ignore-parse-errors", "true",
            "scan.startup.mode", "earliest-offset", "scan.bounded.mode", "latest-offset", NULL);
    CHECK_EQ_INT(kafka_check_options(&f.t), 0);
    s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_STR(read_source(s, 0, &rc, NULL), "+I|1\n+I|3\n");
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(s->rows, 2);
    CHECK_EQ_INT(s->skipped, 1);
    s->vt->close(s);
}

TEST(key_and_value_parts)
{
    new_topic("keyed", 1);
    produce("keyed", 0, "{\"id\":7}", "{\"name\":\"x\",\"id\":99}");
    produce("keyed", 0, NULL, "{\"name\":\"no key\"}");                /* no key: no row, counted */
    produce("keyed", 0, "{\"id\":8}", NULL);                           /* tombstone: no row, counted */
    produce("keyed", 0, "{\"id\":9}", "{\"name\":\"y\"}");
    produce_done();
    fixture f;
    kafka_table(&f, "k_id:BIGINT,name:STRING", "topic", "keyed", "key.format", "json", "key.fields", "k_id",
            "key.fields-prefix", "k_", "value.format", "json", "value.fields-include", "EXCEPT_KEY",
            "value.json.fail-on-missing-field", "false", "scan.startup.mode", "earliest-offset", "scan.bounded.mode",
            "latest-offset", NULL);
    CHECK_EQ_INT(kafka_check_options(&f.t), 0);
    source_t *s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_STR(read_all(s), "+I|7|x\n+I|9|y\n");
    CHECK_EQ_INT(s->skipped, 2);
    s->vt->close(s);

    /* 'ALL': a column in both parts comes from the value. */
    kafka_table(&f, "id:BIGINT,name:STRING", "topic", "keyed", "key.format", "json", "key.fields", "id", "value.format",
            "json", "scan.startup.mode", "earliest-offset", "scan.bounded.mode", "latest-offset", NULL);
    s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_STR(read_all(s), "+I|99|x\n+I|NULL|y\n");
    s->vt->close(s);
}

TEST(upsert_source_tombstones)
{
    new_topic("up", 2);
    produce("up", 0, "{\"id\":1}", "{\"name\":\"a\",\"n\":1}");
    produce("up", 0, "{\"id\":1}", "{\"name\":\"b\",\"n\":2}");
    produce("up", 0, "{\"id\":1}", NULL);
    produce("up", 1, "{\"id\":2}", "{\"name\":\"c\",\"n\":3}");
    produce_done();
    fixture f;
    kafka_table(&f, "id:BIGINT,name:STRING,n:INT", "connector", "upsert-kafka", "topic", "up", "key.format", "json",
            "value.format", "json", "value.fields-include", "EXCEPT_KEY", "scan.bounded.mode", "latest-offset", NULL);
    fx_pk(&f, 0);
    CHECK_EQ_INT(upsert_kafka_check_options(&f.t), 0);
    CHECK_EQ_INT(connector_upsert_kafka.upsert_source, 1);
    source_t *s = upsert_kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_INT(s->nsplits, 2);
    const char *rows = read_all(s);
    const char *p0 = "+U|1|a|1\n+U|1|b|2\n-D|1|NULL|NULL\n", *p1 = "+U|2|c|3\n";
    char both[2][128];
    snprintf(both[0], sizeof both[0], "%s%s", p0, p1);
    snprintf(both[1], sizeof both[1], "%s%s", p1, p0);
    CHECK(strcmp(rows, both[0]) == 0 || strcmp(rows, both[1]) == 0);
    if (strcmp(rows, both[0]) && strcmp(rows, both[1])) fprintf(stderr, "got:\n%s", rows);
    s->vt->close(s);
}

TEST(changelog_records_fill_small_chunks)
{
    new_topic("dbz", 1);
    char buf[160];
    for (int i = 1; i <= 5; i++) {
        snprintf(buf, sizeof buf, "{\"before\":{\"id\":%d,\"n\":%d},\"after\":{\"id\":%d,\"n\":%d},\"op\":\"u\"}",
                 i, i, i, i * 10);
        produce("dbz", 0, NULL, buf);
    }
    produce_done();
    fixture f;
    kafka_table(&f, "id:BIGINT,n:BIGINT", "topic", "dbz", "format", "debezium-json", "scan.startup.mode",
            "earliest-offset", "scan.bounded.mode", "latest-offset", NULL);
    source_t *s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    chunk_t *c = chunk_new(&f.t.physical, 3);          /* room for one update and a half */
    sb_t got = {0};
    int rc = 1, calls = 0;
    double deadline = now_s() + 10;
    while (rc == 1 && now_s() < deadline) {
        chunk_reset(c);
        rc = s->vt->next(s, c);
        put_rows(c, 0, &got);
        calls += c->nrows > 0;
        CHECK(c->nrows % 2 == 0);                       /* a record's rows are never split */
        if (!c->nrows) usleep(1000);
    }
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(calls, 5);
    CHECK_EQ_STR(sb_str(&got), "-U|1|1\n+U|1|10\n-U|2|2\n+U|2|20\n-U|3|3\n+U|3|30\n-U|4|4\n+U|4|40\n-U|5|5\n+U|5|50\n");
    sb_free(&got);
    chunk_free(c);
    s->vt->close(s);
}

TEST(csv_value_and_bad_keys_skipped)
{
    new_topic("csvk", 1);
    produce("csvk", 0, "{\"k\":1}", "1,apple,2.5");
    produce("csvk", 0, "{\"k\":", "2,pear,1");                      /* bad key: skipped */
    produce("csvk", 0, "{\"k\":3}", "3,\"fig, dried\",4");
    produce_done();
    fixture f;
    kafka_table(&f, "k:INT,id:BIGINT,name:STRING,price:DOUBLE", "topic", "csvk", "key.format", "json",
            "key.fields", "k", "key.json.ignore-parse-errors", "true", "value.format", "csv",
            "value.fields-include", "EXCEPT_KEY", "scan.startup.mode", "earliest-offset", "scan.bounded.mode",
            "latest-offset", NULL);
    CHECK_EQ_INT(kafka_check_options(&f.t), 0);
    source_t *s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_STR(read_all(s), "+I|1|1|apple|2.5\n+I|3|3|fig, dried|4.0\n");
    CHECK_EQ_INT(s->skipped, 1);
    s->vt->close(s);
}

/* ---- sink tests ---- */

/* Waits (at most 5 s) until the topic holds a record line ending the dump with `tail`. */
static int wait_for_records(const char *topic, const char *tail)
{
    for (double deadline = now_s() + 5; now_s() < deadline; usleep(20000)) {
        const char *all = topic_records(topic, 0);
        size_t n = strlen(all), m = strlen(tail);
        if (n >= m && strcmp(all + n - m, tail) == 0) return 1;
    }
    return 0;
}

static chunk_t *rows_of(const connector_table *t, const char *ops, ...)
{
    chunk_t *c = chunk_new(&t->physical, 16);
    va_list ap;
    va_start(ap, ops);
    for (const char *op = ops; *op; op++) {
        value_t v[8];
        for (uint32_t i = 0; i < t->physical.ncols; i++) {
            const char *text = va_arg(ap, const char *);
            if (!text) v[i] = value_null();
            else CHECK_EQ_INT(value_parse(t->physical.types[i], text, strlen(text), &v[i], &c->arena), 0);
        }
        chunk_append_values(c, v, *op == 'I' ? OP_INSERT : *op == 'u' ? OP_UPDATE_BEFORE
                                  : *op == 'U' ? OP_UPDATE_AFTER : OP_DELETE);
    }
    va_end(ap);
    return c;
}

TEST(sink_json_with_key)
{
    new_topic("out", 1);
    fixture f;
    kafka_table(&f, "id:BIGINT,name:STRING", "topic", "out", "key.format", "json", "key.fields", "id", "value.format",
            "json", "sink.partitioner", "default", NULL);
    CHECK_EQ_INT(kafka_check_options(&f.t), 0);
    sink_t *k = kafka_create_sink(&f.t);
    CHECK(k != NULL);
    if (!k) { err_print(stderr); return; }
    chunk_t *c = rows_of(&f.t, "II", "1", "a", "2", NULL);
    CHECK_EQ_INT(k->vt->write(k, c), 0);
    CHECK_EQ_INT(k->vt->flush(k), 0);
    CHECK_EQ_INT(k->rows, 2);
    CHECK_EQ_STR(topic_records("out", 0), "0|{\"id\":1}|{\"id\":1,\"name\":\"a\"}\n0|{\"id\":2}|{\"id\":2,\"name\":null}\n");
    /* Updates need a changelog format. */
    chunk_free(c);
    c = rows_of(&f.t, "D", "1", "a");
    err_clear();
    CHECK_EQ_INT(k->vt->write(k, c), -1);
    CHECK_EQ_STR(err_message(), "kafka sink of table 't' with format 'json' accepts only inserts, got a -D row; a "
                 "changelog format (debezium-json, canal-json) or 'upsert-kafka' writes updates");
    err_clear();
    chunk_free(c);
    k->vt->close(k);
}

TEST(sink_partitioners)
{
    new_topic("rr", 3);
    fixture f;
    kafka_table(&f, "id:BIGINT", "topic", "rr", "format", "json", "sink.partitioner", "round-robin", NULL);
    sink_t *k = kafka_create_sink(&f.t);
    CHECK(k != NULL);
    if (!k) return;
    chunk_t *c = rows_of(&f.t, "IIIIII", "1", "2", "3", "4", "5", "6");
    CHECK_EQ_INT(k->vt->write(k, c), 0);
    k->vt->close(k);                                         /* close flushes */
    CHECK_EQ_STR(topic_records("rr", 0), "0|\\N|{\"id\":1}\n0|\\N|{\"id\":4}\n1|\\N|{\"id\":2}\n1|\\N|{\"id\":5}\n"
                 "2|\\N|{\"id\":3}\n2|\\N|{\"id\":6}\n");
    new_topic("fixed", 3);
    kafka_table(&f, "id:BIGINT", "topic", "fixed", "format", "csv", "sink.partitioner", "fixed", NULL);
    k = kafka_create_sink(&f.t);
    CHECK(k != NULL);
    if (!k) return;
    CHECK_EQ_INT(k->vt->write(k, c), 0);
    CHECK_EQ_INT(k->vt->flush(k), 0);
    CHECK_EQ_STR(topic_records("fixed", 0), "0|\\N|1\n0|\\N|2\n0|\\N|3\n0|\\N|4\n0|\\N|5\n0|\\N|6\n");
    k->vt->close(k);
    chunk_free(c);
}

TEST(sink_changelog_format_writes_updates)
{
    new_topic("cdc", 1);
    fixture f;
    kafka_table(&f, "id:BIGINT,name:STRING", "topic", "cdc", "format", "debezium-json", NULL);
    CHECK_EQ_INT(kafka_check_options(&f.t), 0);
    sink_t *k = kafka_create_sink(&f.t);
    CHECK(k != NULL);
    if (!k) return;
    chunk_t *c = rows_of(&f.t, "IuUD", "1", "a", "1", "a", "1", "b", "1", "b");
    CHECK_EQ_INT(k->vt->write(k, c), 0);
    CHECK_EQ_INT(k->vt->flush(k), 0);
    const char *recs = topic_records("cdc", 0);
    int lines = 0;
    for (const char *p = recs; *p; p++) lines += *p == '\n';
    CHECK_EQ_INT(lines, 4);
    CHECK(strstr(recs, "\"op\":\"c\"") != NULL);
    CHECK(strstr(recs, "\"op\":\"d\"") != NULL);
    chunk_free(c);
    k->vt->close(k);

    /* And they read back as the same changelog. */
    kafka_table(&f, "id:BIGINT,name:STRING", "topic", "cdc", "format", "debezium-json", "scan.startup.mode",
            "earliest-offset", "scan.bounded.mode", "latest-offset", NULL);
    source_t *s = kafka_create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    /* Flink's debezium-json writes -U as a delete and +U as a create. */
    CHECK_EQ_STR(read_all(s), "+I|1|a\n-D|1|a\n+I|1|b\n-D|1|b\n");
    s->vt->close(s);
}

TEST(upsert_sink_tombstones_and_buffer)
{
    new_topic("usink", 1);
    fixture f;
    kafka_table(&f, "id:BIGINT,name:STRING", "connector", "upsert-kafka", "topic", "usink", "key.format", "json",
            "value.format", "json", NULL);
    fx_pk(&f, 0);
    sink_t *k = upsert_kafka_create_sink(&f.t);
    CHECK(k != NULL);
    if (!k) return;
    chunk_t *c = rows_of(&f.t, "IuUD", "1", "a", "1", "a", "1", "b", "1", "b");
    CHECK_EQ_INT(k->vt->write(k, c), 0);
    CHECK_EQ_INT(k->vt->flush(k), 0);
    CHECK_EQ_STR(topic_records("usink", 0), "0|{\"id\":1}|{\"id\":1,\"name\":\"a\"}\n"
                 "0|{\"id\":1}|{\"id\":1,\"name\":\"b\"}\n0|{\"id\":1}|\\N\n");
    chunk_free(c);
    /* A -U without the +U of its key (a filter dropped it) takes the key away. */
    c = rows_of(&f.t, "uUu", "2", "x", "3", "y", "3", "y");
    CHECK_EQ_INT(k->vt->write(k, c), 0);
    CHECK_EQ_INT(k->vt->flush(k), 0);
    CHECK(strstr(topic_records("usink", 0), "0|{\"id\":1}|\\N\n0|{\"id\":2}|\\N\n0|{\"id\":3}|{\"id\":3,"
                 "\"name\":\"y\"}\n0|{\"id\":3}|\\N\n") != NULL);
    k->vt->close(k);
    chunk_free(c);

    new_topic("ubuf", 1);
    kafka_table(&f, "id:BIGINT,name:STRING", "connector", "upsert-kafka", "topic", "ubuf", "key.format", "json",
            "value.format", "json", "value.fields-include", "EXCEPT_KEY", "sink.buffer-flush.max-rows", "3",
            "sink.buffer-flush.interval", "1 h", NULL);
    fx_pk(&f, 0);
    CHECK_EQ_INT(upsert_kafka_check_options(&f.t), 0);
    k = upsert_kafka_create_sink(&f.t);
    CHECK(k != NULL);
    if (!k) return;
    c = rows_of(&f.t, "IUIuUI", "1", "a", "1", "b", "2", "c", "2", "c", "2", "d", "1", "e");
    CHECK_EQ_INT(k->vt->write(k, c), 0);
    CHECK_EQ_INT(k->vt->tick(k, fake_now), 0);               /* the interval has not passed */
    CHECK_EQ_STR(topic_records("ubuf", 0), "");
    chunk_free(c);
    c = rows_of(&f.t, "D", "2", "d");
    CHECK_EQ_INT(k->vt->write(k, c), 0);
    CHECK_EQ_INT(k->vt->flush(k), 0);
    CHECK_EQ_STR(topic_records("ubuf", 0), "0|{\"id\":1}|{\"name\":\"e\"}\n0|{\"id\":2}|\\N\n");
    chunk_free(c);
    /* Three keys fill the buffer: written without a flush. */
    c = rows_of(&f.t, "III", "3", "x", "4", "y", "5", "z");
    CHECK_EQ_INT(k->vt->write(k, c), 0);
    CHECK(wait_for_records("ubuf", "0|{\"id\":5}|{\"name\":\"z\"}\n"));
    chunk_free(c);
    /* Once the interval has passed, tick() writes the buffer. */
    c = rows_of(&f.t, "I", "6", "w");
    CHECK_EQ_INT(k->vt->write(k, c), 0);
    CHECK_EQ_INT(k->vt->tick(k, fake_now + 3600 * US_PER_SEC), 0);
    CHECK(wait_for_records("ubuf", "0|{\"id\":6}|{\"name\":\"w\"}\n"));
    chunk_free(c);
    k->vt->close(k);
}

TEST(exactly_once_commits_on_flush)
{
    new_topic("txn", 1);
    fixture f;
    kafka_table(&f, "id:BIGINT", "topic", "txn", "format", "json", "sink.delivery-guarantee", "exactly-once",
            "sink.transactional-id-prefix", "eddy-test", NULL);
    CHECK_EQ_INT(kafka_check_options(&f.t), 0);
    sink_t *k = kafka_create_sink(&f.t);
    CHECK(k != NULL);
    if (!k) { err_print(stderr); return; }
    chunk_t *c = rows_of(&f.t, "II", "1", "2");
    CHECK_EQ_INT(k->vt->write(k, c), 0);
    CHECK_EQ_INT(k->vt->flush(k), 0);
    CHECK_EQ_STR(topic_records("txn", 1), "0|\\N|{\"id\":1}\n0|\\N|{\"id\":2}\n");
    CHECK_EQ_INT(k->vt->write(k, c), 0);
    k->vt->close(k);
    CHECK_EQ_STR(topic_records("txn", 1), "0|\\N|{\"id\":1}\n0|\\N|{\"id\":2}\n0|\\N|{\"id\":1}\n0|\\N|{\"id\":2}\n");
    chunk_free(c);
}

TEST(delivery_failure_fails_flush)
{
    new_topic("refused", 1);
    fixture f;
    kafka_table(&f, "id:BIGINT", "topic", "refused", "format", "json", "properties.message.send.max.retries", "0",
            NULL);
    sink_t *k = kafka_create_sink(&f.t);
    CHECK(k != NULL);
    if (!k) return;
    rd_kafka_mock_push_request_errors(cluster, 0 /* Produce */, 1, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    chunk_t *c = rows_of(&f.t, "I", "1");
    CHECK_EQ_INT(k->vt->write(k, c), 0);
    err_clear();
    CHECK_EQ_INT(k->vt->flush(k), -1);
    CHECK_EQ_STR(err_message(), "kafka sink of table 't': 1 record could not be written to topic 'refused' (first: "
                 "partition 0: Broker: Topic authorization failed)");
    err_clear();
    chunk_free(c);
    k->vt->close(k);
    err_clear();
}

/* ---- options ---- */

static const char *check_error(fixture *f, int upsert)
{
    err_clear();
    int rc = upsert ? upsert_kafka_check_options(&f->t) : kafka_check_options(&f->t);
    CHECK_EQ_INT(rc, -1);
    return take_error();
}

TEST(option_errors)
{
    fixture f;
    kafka_table(&f, "id:BIGINT", "topic", "x", "format", "json", "scan.startup.mod", "earliest-offset", NULL);
    err_clear();
    CHECK_EQ_INT(kafka_check_options(&f.t), -1);
    CHECK(strstr(err_text(), "did you mean 'scan.startup.mode'?") != NULL);
    CHECK(starts_with(err_message(), "unknown option 'scan.startup.mod' for connector 'kafka'; valid options: topic, "));
    err_clear();

    kafka_table(&f, "id:BIGINT", "topic", "x", "format", "json", "properties.no.such.thing", "1", NULL);
    CHECK_EQ_STR(check_error(&f, 0), "option 'properties.no.such.thing' is not a Kafka client property librdkafka "
                 "knows: No such configuration property: \"no.such.thing\"");
    kafka_table(&f, "id:BIGINT", "topic", "x", "format", "json", "properties.acks", "some", NULL);
    CHECK(starts_with(check_error(&f, 0), "invalid value 'some' for option 'properties.acks': "));
    kafka_table(&f, "id:BIGINT", "topic", "x", "topic-pattern", "y", "format", "json", NULL);
    CHECK_EQ_STR(check_error(&f, 0), "options 'topic' and 'topic-pattern' cannot both be set (table 't')");
    kafka_table(&f, "id:BIGINT", "format", "json", NULL);
    CHECK_EQ_STR(check_error(&f, 0), "connector 'kafka' requires option 'topic' or 'topic-pattern' (table 't')");
    kafka_table(&f, "id:BIGINT", "topic", "x", NULL);
    CHECK_EQ_STR(check_error(&f, 0), "connector 'kafka' requires option 'format' or 'value.format' (table 't')");
    kafka_table(&f, "id:BIGINT", "topic", "x", "format", "json", "scan.startup.mode", "specific-offsets",
            "scan.startup.specific-offsets", "partition:0,offset:x", NULL);
    CHECK_EQ_STR(check_error(&f, 0), "option 'scan.startup.specific-offsets' should follow the format "
                 "'partition:0,offset:42;partition:1,offset:300', but is 'partition:0,offset:x'");
    kafka_table(&f, "id:BIGINT", "topic", "x", "format", "json", "scan.startup.mode", "specific-offsets", NULL);
    CHECK_EQ_STR(check_error(&f, 0), "'scan.startup.mode' = 'specific-offsets' needs option "
                 "'scan.startup.specific-offsets'");
    kafka_table(&f, "id:BIGINT", "topic", "x", "format", "json", "scan.bounded.mode", "timestamp", NULL);
    CHECK_EQ_STR(check_error(&f, 0), "'scan.bounded.mode' = 'timestamp' needs option 'scan.bounded.timestamp-millis'");
    kafka_table(&f, "id:BIGINT", "topic", "x", "format", "json", "scan.startup.mode", "newest", NULL);
    CHECK_EQ_STR(check_error(&f, 0), "invalid value 'newest' for option 'scan.startup.mode'; valid values: "
                 "earliest-offset, latest-offset, group-offsets, timestamp, specific-offsets");
    kafka_table(&f, "id:BIGINT", "topic", "a;b", "format", "json", "scan.bounded.mode", "specific-offsets",
            "scan.bounded.specific-offsets", "partition:0,offset:1", NULL);
    CHECK_EQ_STR(check_error(&f, 0), "'scan.bounded.specific-offsets' works with a single topic, but the table reads "
                 "several topics");
    kafka_table(&f, "id:BIGINT", "topic", "x", "format", "json", "key.format", "json", "key.fields", "nope", NULL);
    CHECK_EQ_STR(check_error(&f, 0), "key field 'nope' in 'key.fields' is not a physical column of table 't'; "
                 "columns: id");
    kafka_table(&f, "id:BIGINT", "topic", "x", "format", "json", "key.format", "json", NULL);
    CHECK_EQ_STR(check_error(&f, 0), "'key.format' needs the key columns named in 'key.fields' (e.g. 'id;name')");
    kafka_table(&f, "id:BIGINT", "topic", "x", "value.format", "json", "key.format", "json", "key.fields", "id",
            "key.fields-prefix", "k_", "value.fields-include", "EXCEPT_KEY", NULL);
    CHECK_EQ_STR(check_error(&f, 0), "key column 'id' does not start with the 'key.fields-prefix' 'k_'");
    kafka_table(&f, "k_id:BIGINT", "topic", "x", "value.format", "json", "key.format", "json", "key.fields", "k_id",
            "key.fields-prefix", "k_", NULL);
    CHECK(starts_with(check_error(&f, 0), "'key.fields-prefix' needs 'value.fields-include' = 'EXCEPT_KEY'"));
    kafka_table(&f, "id:BIGINT", "topic", "x", "format", "json", "value.format", "json", NULL);
    CHECK_EQ_STR(check_error(&f, 0), "options 'format' and 'value.format' name the same thing; set only one "
                 "(table 't')");
    kafka_table(&f, "id:BIGINT", "topic", "x", "format", "json", "sink.delivery-guarantee", "exactly-once", NULL);
    CHECK_EQ_STR(check_error(&f, 0), "'exactly-once' delivery needs 'sink.transactional-id-prefix' (the prefix of "
                 "the Kafka transactional ids the sink uses)");
    kafka_table(&f, "id:BIGINT", "topic", "x", "format", "json", "sink.partitioner", "org.example.MyPartitioner", NULL);
    CHECK_EQ_STR(check_error(&f, 0), "invalid value 'org.example.MyPartitioner' for option 'sink.partitioner'; valid "
                 "values: default, fixed, round-robin");
    kafka_table(&f, "id:BIGINT", "topic", "x", "format", "json", "topic-pattern", "(", NULL);
    CHECK_EQ_STR(check_error(&f, 0), "options 'topic' and 'topic-pattern' cannot both be set (table 't')");
    kafka_table(&f, "id:BIGINT", "topic-pattern", "(", "format", "json", NULL);
    CHECK(starts_with(check_error(&f, 0), "invalid 'topic-pattern' '(': missing closing parenthesis"));
    kafka_table(&f, "id:BIGINT", "topic", "x", "format", "json", "json.fail-on-missing-feld", "true", NULL);
    err_clear();
    CHECK_EQ_INT(kafka_check_options(&f.t), -1);
    CHECK(strstr(err_text(), "did you mean 'json.fail-on-missing-field'?") != NULL);
    err_clear();
    kafka_table(&f, "id:BIGINT", "topic", "x", "value.format", "json", "json.ignore-parse-errors", "true", NULL);
    CHECK(starts_with(check_error(&f, 0), "unknown option 'json.ignore-parse-errors' for connector 'kafka'"));
    kafka_table(&f, "id:BIGINT", "topic", "x", "value.format", "json", "value.json.ignore-parse-errors", "maybe", NULL);
    CHECK_EQ_STR(check_error(&f, 0), "option 'json.ignore-parse-errors' expects 'true' or 'false', got 'maybe'");
    kafka_table(&f, "id:BIGINT", "topic", "x", "format", "json", "scan.topic-partition-discovery.interval", "often",
            NULL);
    CHECK(starts_with(check_error(&f, 0), "option 'scan.topic-partition-discovery.interval' expects a duration"));

    /* Valid: everything Flink's docs show, and the planner's options. */
    kafka_table(&f, "user_id:BIGINT,item_id:BIGINT,behavior:STRING", "topic", "user_behavior", "properties.group.id",
            "testGroup", "scan.startup.mode", "earliest-offset", "key.format", "json", "key.json.ignore-parse-errors",
            "true", "key.fields", "user_id;item_id", "value.format", "json", "value.json.fail-on-missing-field", "false",
            "value.fields-include", "ALL", "scan.watermark.idle-timeout", "5 s", "sink.parallelism", "2",
            "properties.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
            "username=\"u\" password=\"p\";", "properties.key.deserializer", "x.Y", NULL);
    err_clear();
    CHECK_EQ_INT(kafka_check_options(&f.t), 0);
    if (err_pending()) fprintf(stderr, "%s\n", err_message());
    err_clear();
}

TEST(upsert_option_errors)
{
    fixture f;
    kafka_table(&f, "id:BIGINT,name:STRING", "connector", "upsert-kafka", "topic", "x", "key.format", "json",
            "value.format", "json", NULL);
    CHECK(starts_with(check_error(&f, 1), "'upsert-kafka' tables require a PRIMARY KEY"));
    fx_pk(&f, 0);
    err_clear();
    CHECK_EQ_INT(upsert_kafka_check_options(&f.t), 0);
    kafka_table(&f, "id:BIGINT,name:STRING", "connector", "upsert-kafka", "topic", "x", "format", "json", NULL);
    fx_pk(&f, 0);
    err_clear();
    CHECK_EQ_INT(upsert_kafka_check_options(&f.t), -1);
    CHECK(strstr(err_text(), "upsert-kafka takes 'key.format' and 'value.format' instead of 'format'") != NULL);
    err_clear();
    kafka_table(&f, "id:BIGINT,name:STRING", "connector", "upsert-kafka", "topic", "x", "key.format", "json",
            "value.format", "debezium-json", NULL);
    fx_pk(&f, 0);
    CHECK(starts_with(check_error(&f, 1), "'upsert-kafka' needs a value format without changelog ops"));
    kafka_table(&f, "id:BIGINT,name:STRING", "connector", "upsert-kafka", "topic", "x", "key.format", "json",
            "value.format", "json", "sink.buffer-flush.max-rows", "10", NULL);
    fx_pk(&f, 0);
    CHECK_EQ_STR(check_error(&f, 1), "'sink.buffer-flush.max-rows' and 'sink.buffer-flush.interval' must both be "
                 "greater than zero to enable buffer flushing (or both left out)");
    kafka_table(&f, "id:BIGINT,name:STRING", "connector", "upsert-kafka", "topic", "x", "key.format", "json",
            "value.format", "json", "scan.startup.mode", "latest-offset", NULL);
    fx_pk(&f, 0);
    CHECK(starts_with(check_error(&f, 1), "unknown option 'scan.startup.mode' for connector 'upsert-kafka'"));
}

TEST(sink_needs_one_topic)
{
    fixture f;
    kafka_table(&f, "id:BIGINT", "topic", "a;b", "format", "json", NULL);
    err_clear();
    CHECK(kafka_create_sink(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), "a kafka sink writes a single topic, but 'topic' lists 2 (table 't')");
    kafka_table(&f, "id:BIGINT", "topic-pattern", "a.*", "format", "json", NULL);
    err_clear();
    CHECK(kafka_create_sink(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), "a kafka sink writes one topic named in 'topic', not a 'topic-pattern' (table 't')");
    err_clear();
}

int main(void)
{
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "2", errstr, sizeof errstr);
    cluster_owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    cluster = rd_kafka_mock_cluster_new(cluster_owner, 1);
    snprintf(bootstrap, sizeof bootstrap, "%s", rd_kafka_mock_cluster_bootstraps(cluster));
    conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr);
    producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);

    RUN(earliest_to_latest_json);
    RUN(empty_bounded_source_ends_at_once);
    RUN(splits_are_partitions);
    RUN(latest_offset_then_new_records);
    RUN(specific_offsets_start_and_stop);
    RUN(timestamp_start_and_stop);
    RUN(group_offsets_resume_where_the_group_left);
    RUN(topic_list_and_pattern);
    RUN(partition_discovery_finds_new_topics);
    RUN(bad_record_fails_with_its_origin);
    RUN(key_and_value_parts);
    RUN(upsert_source_tombstones);
    RUN(changelog_records_fill_small_chunks);
    RUN(csv_value_and_bad_keys_skipped);
    RUN(sink_json_with_key);
    RUN(sink_partitioners);
    RUN(sink_changelog_format_writes_updates);
    RUN(upsert_sink_tombstones_and_buffer);
    RUN(exactly_once_commits_on_flush);
    RUN(delivery_failure_fails_flush);
    RUN(option_errors);
    RUN(upsert_option_errors);
    RUN(sink_needs_one_topic);

    rd_kafka_destroy(producer);
    rd_kafka_mock_cluster_destroy(cluster);
    rd_kafka_destroy(cluster_owner);
    return CHECK_DONE();
}
