/* kafka_consume.c - the floor for bench/kafka_json.sh: librdkafka alone reading a topic the way
 * eddy's kafka source does, with nothing done to the records.
 *
 *   kafka_consume BOOTSTRAP TOPIC
 *       reads every partition of TOPIC from its earliest offset to the latest offset at start
 *       and prints "<records> records, <bytes> value bytes".
 *
 * Same consumer settings and reading pattern as src/connect/kafka_source.c with
 * 'scan.startup.mode' = 'earliest-offset' and 'scan.bounded.mode' = 'latest-offset': partitions
 * assigned explicitly, each read through its own queue, up to 256 messages per call with a zero
 * timeout, round robin over the partitions, a 1 ms sleep when none has a message (as the job
 * loop does). Only the value's length is looked at. */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define TIMEOUT_MS 15000
#define BATCH 256

typedef struct part {
    rd_kafka_queue_t *queue;
    int64_t end;                 /* latest offset at start: the first offset not to read */
    int64_t next;                /* offset after the last record read */
} part;

static void die(const char *what, const char *why)
{
    fprintf(stderr, "kafka_consume: %s: %s\n", what, why);
    exit(1);
}

static rd_kafka_t *new_consumer(const char *bootstrap)
{
    static const char *const settings[][2] = {
        {"group.id", "eddy-bench-kafka-consume"}, {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},    {"enable.partition.eof", "true"},
        {"auto.offset.reset", "earliest"},        {"log_level", "3"},
    };
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr)) die("configuration", errstr);
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        if (rd_kafka_conf_set(conf, settings[i][0], settings[i][1], errstr, sizeof errstr)) die("configuration", errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!rk) die("cannot create the consumer", errstr);
    rd_kafka_poll_set_consumer(rk);
    return rk;
}

static int partition_count(rd_kafka_t *rk, const char *topic)
{
    const struct rd_kafka_metadata *md;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, TIMEOUT_MS);
    if (err) die("metadata", rd_kafka_err2str(err));
    if (md->topic_cnt != 1 || md->topics[0].err) die(topic, "no such topic");
    int n = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    return n;
}

/* Each partition's end and queue, and the assignment from the earliest offsets. */
static part *assign_all(rd_kafka_t *rk, const char *topic, int n)
{
    part *parts = calloc((size_t)n, sizeof *parts);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(n);
    for (int i = 0; i < n; i++) {
        int64_t low, high;
        rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk, topic, i, &low, &high, TIMEOUT_MS);
        if (err) die("offsets", rd_kafka_err2str(err));
        parts[i] = (part){.end = high, .next = low};
        parts[i].queue = rd_kafka_queue_get_partition(rk, topic, i);
        rd_kafka_queue_forward(parts[i].queue, NULL);
        rd_kafka_topic_partition_list_add(list, topic, i)->offset = low;
    }
    rd_kafka_error_t *e = rd_kafka_incremental_assign(rk, list);
    if (e) die("assign", rd_kafka_error_string(e));
    rd_kafka_topic_partition_list_destroy(list);
    return parts;
}

/* Takes what partition p holds now; returns the messages taken. */
static ssize_t drain(part *p, long *records, long *bytes)
{
    rd_kafka_message_t *batch[BATCH];
    ssize_t n = rd_kafka_consume_batch_queue(p->queue, 0, batch, BATCH);
    for (ssize_t k = 0; k < n; k++) {
        const rd_kafka_message_t *m = batch[k];
        if (!m->err && m->offset < p->end) {
            (*records)++;
            *bytes += (long)m->len;
            p->next = m->offset + 1;
        } else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF && m->offset >= p->end) {
            p->next = p->end;
        } else if (m->err) {
            die("consume", rd_kafka_message_errstr(m));
        }
        rd_kafka_message_destroy(batch[k]);
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: kafka_consume BOOTSTRAP TOPIC\n");
        return 2;
    }
    rd_kafka_t *rk = new_consumer(argv[1]);
    int n = partition_count(rk, argv[2]);
    part *parts = assign_all(rk, argv[2], n);
    long records = 0, bytes = 0;
    int open = n;
    while (open > 0) {
        int got = 0;
        open = 0;
        for (int i = 0; i < n; i++) {
            if (parts[i].next >= parts[i].end) continue;
            got |= drain(&parts[i], &records, &bytes) > 0;
            open += parts[i].next < parts[i].end;
        }
        if (!got && open) nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    printf("%ld records, %ld value bytes\n", records, bytes);
    for (int i = 0; i < n; i++) rd_kafka_queue_destroy(parts[i].queue);
    free(parts);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return 0;
}
