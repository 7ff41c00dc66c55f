/* kafka_mock.c - eddy-kafka-mock: librdkafka's mock Kafka cluster on loopback, for tests, plus
 * a line producer and a topic dumper to feed and check it.
 *
 *   eddy-kafka-mock [--brokers N] [--pid-file FILE] [TOPIC:PARTITIONS ...]
 *       starts a cluster of N brokers (default 1), creates the topics, prints its bootstrap
 *       address ("127.0.0.1:PORT,...") on stdout and runs until SIGTERM or SIGINT.
 *   eddy-kafka-mock --produce BOOTSTRAP TOPIC [--partition P] [--key-sep C]
 *       writes one record per line of stdin (without the line end); with --key-sep the line is
 *       KEY C VALUE, and a VALUE of \N is a null value (a tombstone). Exits 0 once every
 *       record is acknowledged.
 *   eddy-kafka-mock --consume BOOTSTRAP TOPIC [--key-sep C] [--with-partition]
 *       prints every record the topic holds now, by partition and offset: the value (\N for
 *       null), after "KEY C" with --key-sep and after "PARTITION<tab>" with --with-partition.
 *
 * The mock keeps records in memory: keep each partition under a few MiB. */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TIMEOUT_MS 30000

static void die(const char *fmt, const char *arg)
{
    fprintf(stderr, "eddy-kafka-mock: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(1);
}

static void usage(void)
{
    fprintf(stderr, "usage: eddy-kafka-mock [--brokers N] [--pid-file FILE] [TOPIC:PARTITIONS ...]\n"
                    "       eddy-kafka-mock --produce BOOTSTRAP TOPIC [--partition P] [--key-sep C]\n"
                    "       eddy-kafka-mock --consume BOOTSTRAP TOPIC [--key-sep C] [--with-partition]\n");
    exit(2);
}

static rd_kafka_t *new_client(rd_kafka_type_t type, rd_kafka_conf_t *conf)
{
    char errstr[512];
    rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
    if (!rk) die("cannot create a client: %s", errstr);
    return rk;
}

static void conf_set(rd_kafka_conf_t *conf, const char *name, const char *value)
{
    char errstr[512];
    if (rd_kafka_conf_set(conf, name, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) die("%s", errstr);
}

/* ---- the cluster ---- */

static void create_topic(rd_kafka_mock_cluster_t *mc, const char *spec)
{
    const char *colon = strrchr(spec, ':');
    char *end;
    long parts = colon ? strtol(colon + 1, &end, 10) : 1;
    if (colon && (*end || parts < 1)) die("bad topic '%s' (expected NAME:PARTITIONS)", spec);
    char name[256];
    size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
    if (n == 0 || n >= sizeof name) die("bad topic name in '%s'", spec);
    memcpy(name, spec, n);
    name[n] = 0;
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, name, (int)parts, 1);
    if (err) die("cannot create topic: %s", rd_kafka_err2str(err));
}

static int run_cluster(int argc, char **argv)
{
    int brokers = 1;
    const char *pid_file = NULL;
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);         /* librdkafka's threads inherit the mask */
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    conf_set(conf, "log_level", "3");
    rd_kafka_t *rk = new_client(RD_KAFKA_PRODUCER, conf);
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--brokers") == 0 && i + 1 < argc) brokers = atoi(argv[++i]);
        else if (strcmp(argv[i], "--pid-file") == 0 && i + 1 < argc) pid_file = argv[++i];
        else usage();
    }
    if (brokers < 1) die("%s", "--brokers needs a positive number");
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
    if (!mc) die("%s", "cannot start the mock cluster");
    for (; i < argc; i++) create_topic(mc, argv[i]);
    if (pid_file) {
        FILE *f = fopen(pid_file, "w");
        if (!f) die("cannot write '%s'", pid_file);
        fprintf(f, "%ld\n", (long)getpid());
        fclose(f);
    }
    printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);
    int sig;
    sigwait(&stop, &sig);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return 0;
}

/* ---- producing lines ---- */

static int delivery_errors;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    if (m->err && !delivery_errors++) fprintf(stderr, "eddy-kafka-mock: delivery failed: %s\n", rd_kafka_err2str(m->err));
}

static void produce_line(rd_kafka_t *rk, const char *topic, int32_t partition, char *line, size_t len, int key_sep)
{
    char *key = NULL, *value = line;
    size_t key_len = 0, value_len = len;
    if (key_sep >= 0) {
        char *sep = memchr(line, key_sep, len);
        if (!sep) die("line without the key separator: %s", line);
        key = line;
        key_len = (size_t)(sep - line);
        value = sep + 1;
        value_len = len - key_len - 1;
        if (value_len == 2 && memcmp(value, "\\N", 2) == 0) value = NULL, value_len = 0;
    }
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
                                                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                                    RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE(value, value_len),
                                                    RD_KAFKA_V_END);
        if (!err) return;
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) die("cannot produce: %s", rd_kafka_err2str(err));
        rd_kafka_poll(rk, 100);
    }
}

static int run_produce(const char *bootstrap, const char *topic, int32_t partition, int key_sep)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    conf_set(conf, "bootstrap.servers", bootstrap);
    conf_set(conf, "log_level", "3");
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = new_client(RD_KAFKA_PRODUCER, conf);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        if (line[n - 1] == '\n') line[--n] = 0;
        produce_line(rk, topic, partition, line, (size_t)n, key_sep);
        rd_kafka_poll(rk, 0);
    }
    free(line);
    if (rd_kafka_flush(rk, TIMEOUT_MS)) die("%s", "records still unacknowledged after 30 s");
    rd_kafka_destroy(rk);
    return delivery_errors ? 1 : 0;
}

/* ---- dumping a topic ---- */

typedef struct record {
    int32_t partition;
    int64_t offset;
    char *text;
} record;

static int by_partition_offset(const void *a, const void *b)
{
    const record *x = a, *y = b;
    if (x->partition != y->partition) return x->partition < y->partition ? -1 : 1;
    return (x->offset > y->offset) - (x->offset < y->offset);
}

static char *record_text(const rd_kafka_message_t *m, int key_sep, int with_partition)
{
    char *text;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    if (with_partition) fprintf(f, "%d\t", (int)m->partition);
    if (key_sep >= 0) {
        if (m->key) fwrite(m->key, 1, m->key_len, f);
        else fputs("\\N", f);
        fputc(key_sep, f);
    }
    if (m->payload) fwrite(m->payload, 1, m->len, f);
    else fputs("\\N", f);
    fclose(f);
    return text;
}

static int run_consume(const char *bootstrap, const char *topic, int key_sep, int with_partition)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    conf_set(conf, "bootstrap.servers", bootstrap);
    conf_set(conf, "group.id", "eddy-kafka-mock-consume");
    conf_set(conf, "enable.auto.commit", "false");
    conf_set(conf, "isolation.level", "read_uncommitted");
    conf_set(conf, "enable.partition.eof", "true");
    conf_set(conf, "log_level", "3");
    rd_kafka_t *rk = new_client(RD_KAFKA_CONSUMER, conf);
    rd_kafka_poll_set_consumer(rk);
    const struct rd_kafka_metadata *md;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, TIMEOUT_MS);
    if (err || md->topic_cnt != 1 || md->topics[0].err) die("cannot read topic '%s'", topic);
    int np = md->topics[0].partition_cnt;
    rd_kafka_topic_partition_list_t *assign = rd_kafka_topic_partition_list_new(np);
    int64_t *ends = calloc((size_t)np + 1, sizeof *ends);
    int open = 0;
    for (int i = 0; i < np; i++) {
        int32_t p = md->topics[0].partitions[i].id;
        int64_t low, high;
        if (rd_kafka_query_watermark_offsets(rk, topic, p, &low, &high, TIMEOUT_MS)) die("cannot read offsets of '%s'", topic);
        ends[p] = high;
        if (low == high) continue;
        rd_kafka_topic_partition_list_add(assign, topic, p)->offset = low;
        open++;
    }
    rd_kafka_assign(rk, assign);
    record *recs = NULL;
    size_t n = 0, cap = 0;
    /* A partition is read once a record or its end (past transaction markers) reaches the
     * end offset it had when we started. */
    while (open > 0) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, TIMEOUT_MS);
        if (!m) die("timed out reading '%s'", topic);
        int64_t reached = -1;
        if (!m->err && m->offset < ends[m->partition]) {
            if (n == cap) recs = realloc(recs, (cap = cap ? cap * 2 : 256) * sizeof *recs);
            recs[n++] = (record){m->partition, m->offset, record_text(m, key_sep, with_partition)};
            reached = m->offset + 1;
        } else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            reached = m->offset;
        }
        if (reached >= 0 && ends[m->partition] >= 0 && reached >= ends[m->partition]) {
            ends[m->partition] = -1;                 /* done: later records are not ours */
            open--;
        }
        rd_kafka_message_destroy(m);
    }
    qsort(recs, n, sizeof *recs, by_partition_offset);
    for (size_t i = 0; i < n; i++) {
        printf("%s\n", recs[i].text);
        free(recs[i].text);
    }
    free(recs);
    free(ends);
    rd_kafka_topic_partition_list_destroy(assign);
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "--produce") != 0 && strcmp(argv[1], "--consume") != 0))
        return run_cluster(argc, argv);
    if (argc < 4) usage();
    int produce = strcmp(argv[1], "--produce") == 0, key_sep = -1, with_partition = 0;
    int32_t partition = RD_KAFKA_PARTITION_UA;
    for (int i = 4; i < argc; i++) {
        if (strcmp(argv[i], "--key-sep") == 0 && i + 1 < argc && strlen(argv[i + 1]) == 1) key_sep = argv[++i][0];
        else if (strcmp(argv[i], "--partition") == 0 && i + 1 < argc && produce) partition = atoi(argv[++i]);
        else if (strcmp(argv[i], "--with-partition") == 0 && !produce) with_partition = 1;
        else usage();
    }
    return produce ? run_produce(argv[2], argv[3], partition, key_sep)
                   : run_consume(argv[2], argv[3], key_sep, with_partition);
}
