/* publish_kafka.c - the Kafka publisher of live `eddy gen` streams: a thin librdkafka producer,
 * one topic handle per stream, each message the line's bytes (no key, so the default
 * partitioner spreads them; the message timestamp is the time of sending).
 *
 * librdkafka connects lazily, so opening asks the cluster for its metadata (at most
 * CONNECT_TIMEOUT_MS) to fail at once with the address when no broker answers. Messages are
 * copied into librdkafka's queue; a full queue is waited out by serving delivery reports.
 * Delivery reports count failures; the first failure stops the run with its reason, and close
 * waits (at most FLUSH_TIMEOUT_MS) until every message is acknowledged. librdkafka's own log
 * lines are dropped: its errors reach us through the error callback, which keeps the last one
 * for the messages. */
#include "gen/gen.h"
#include "base/err.h"
#include "base/util.h"
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONNECT_TIMEOUT_MS 5000
#define CONNECT_STEP_MS    500      /* after a first step, "all brokers down" ends the wait */
#define FLUSH_TIMEOUT_MS   30000
#define QUEUE_WAIT_MS      100
#define MESSAGE_TIMEOUT_MS "30000"

typedef struct kafka_publisher {
    gen_publisher base;
    rd_kafka_t *rk;
    rd_kafka_topic_t **topics;
    int ntopics;
    char *bootstrap;
    uint64_t failed;            /* delivery reports with an error */
    char first_failure[256];    /* "topic: reason" of the first one */
    char last_error[256];       /* the last client error (error callback) */
    int all_brokers_down;       /* the error callback said so */
} kafka_publisher;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    kafka_publisher *kp = opaque;
    if (!m->err) return;
    if (kp->failed++ == 0)
        snprintf(kp->first_failure, sizeof kp->first_failure, "topic %s: %s", rd_kafka_topic_name(m->rkt),
                 rd_kafka_err2str(m->err));
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    kafka_publisher *kp = opaque;
    snprintf(kp->last_error, sizeof kp->last_error, "%s", reason);
    kp->all_brokers_down |= err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN;
}

static void on_log(const rd_kafka_t *rk, int level, const char *facility, const char *line) {}

static void kafka_free(kafka_publisher *kp)
{
    for (int i = 0; i < kp->ntopics; i++)
        if (kp->topics[i]) rd_kafka_topic_destroy(kp->topics[i]);
    if (kp->rk) rd_kafka_destroy(kp->rk);
    free(kp->topics);
    free(kp->bootstrap);
    free(kp);
}

static int delivery_failed(kafka_publisher *kp)
{
    err_msg("kafka://%s: %llu message%s not delivered, the first to %s", kp->bootstrap,
            (unsigned long long)kp->failed, kp->failed == 1 ? "" : "s", kp->first_failure);
    return 1;
}

static int kafka_publish(gen_publisher *p, const gen_message *msgs, size_t n, size_t *sent)
{
    kafka_publisher *kp = (kafka_publisher *)p;
    *sent = 0;
    for (size_t i = 0; i < n; i++) {
        rd_kafka_resp_err_t e;
        while ((e = rd_kafka_producev(kp->rk, RD_KAFKA_V_RKT(kp->topics[msgs[i].topic]),
                                      RD_KAFKA_V_VALUE((void *)msgs[i].data, msgs[i].len),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
               RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(kp->rk, QUEUE_WAIT_MS);
        if (e) {
            err_msg("kafka://%s: cannot send to topic %s: %s", kp->bootstrap,
                    rd_kafka_topic_name(kp->topics[msgs[i].topic]), rd_kafka_err2str(e));
            return 1;
        }
        *sent = i + 1;
    }
    rd_kafka_poll(kp->rk, 0);
    return kp->failed ? delivery_failed(kp) : 0;
}

static int kafka_close(gen_publisher *p)
{
    kafka_publisher *kp = (kafka_publisher *)p;
    int rc = 0;
    if (rd_kafka_flush(kp->rk, FLUSH_TIMEOUT_MS) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        int left = rd_kafka_outq_len(kp->rk);
        err_msg("kafka://%s: %d message%s still not delivered after %d s%s%s", kp->bootstrap, left,
                left == 1 ? "" : "s", FLUSH_TIMEOUT_MS / 1000, kp->last_error[0] ? "; last error: " : "",
                kp->last_error);
        rc = 1;
    } else if (kp->failed) {
        rc = delivery_failed(kp);
    }
    kafka_free(kp);
    return rc;
}

static const gen_publisher_ops KAFKA_OPS = {kafka_publish, kafka_close};

static int set_conf(rd_kafka_conf_t *conf, const char *key, const char *value, const char *bootstrap)
{
    char msg[256];
    if (rd_kafka_conf_set(conf, key, value, msg, sizeof msg) == RD_KAFKA_CONF_OK) return 0;
    err_msg("kafka://%s: %s", bootstrap, msg);
    return -1;
}

static rd_kafka_conf_t *make_conf(kafka_publisher *kp)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_opaque(conf, kp);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_log_cb(conf, on_log);
    if (set_conf(conf, "bootstrap.servers", kp->bootstrap, kp->bootstrap) ||
        set_conf(conf, "client.id", "eddy-gen", kp->bootstrap) ||
        set_conf(conf, "linger.ms", "5", kp->bootstrap) ||
        set_conf(conf, "message.timeout.ms", MESSAGE_TIMEOUT_MS, kp->bootstrap)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

/* Asks for the cluster's brokers: fails when none answers within CONNECT_TIMEOUT_MS, or sooner
 * once librdkafka reports all brokers down (after the first step, so a broker that is just
 * starting gets its chance). */
static int check_connection(kafka_publisher *kp)
{
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (int waited = 0; waited < CONNECT_TIMEOUT_MS; waited += CONNECT_STEP_MS) {
        const struct rd_kafka_metadata *md = NULL;
        e = rd_kafka_metadata(kp->rk, 0, NULL, &md, CONNECT_STEP_MS);
        if (md) rd_kafka_metadata_destroy(md);
        if (!e) return 0;
        rd_kafka_poll(kp->rk, 0);               /* serves the error callback: the reason */
        if (kp->all_brokers_down && waited > 0) break;
    }
    err_msg("cannot connect to Kafka at %s: %s%s%s", kp->bootstrap, rd_kafka_err2str(e),
            kp->last_error[0] ? "; " : "", kp->last_error);
    return 1;
}

gen_publisher *gen_kafka_publisher_open(const char *bootstrap, const char *const *topics, int ntopics)
{
    kafka_publisher *kp = xcalloc(1, sizeof *kp);
    kp->base.ops = &KAFKA_OPS;
    kp->bootstrap = xstrdup(bootstrap);
    kp->topics = xcalloc((size_t)(ntopics > 0 ? ntopics : 1), sizeof *kp->topics);
    rd_kafka_conf_t *conf = make_conf(kp);
    if (!conf) { kafka_free(kp); return NULL; }
    char msg[512];
    kp->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, msg, sizeof msg);
    if (!kp->rk) {
        rd_kafka_conf_destroy(conf);
        err_msg("kafka://%s: cannot create a producer: %s", bootstrap, msg);
        kafka_free(kp);
        return NULL;
    }
    if (check_connection(kp)) { kafka_free(kp); return NULL; }
    for (int i = 0; i < ntopics; i++) {
        kp->topics[i] = rd_kafka_topic_new(kp->rk, topics[i], NULL);
        kp->ntopics = i + 1;
        if (!kp->topics[i]) {
            err_msg("kafka://%s: invalid topic '%s': %s", bootstrap, topics[i], rd_kafka_err2str(rd_kafka_last_error()));
            kafka_free(kp);
            return NULL;
        }
    }
    return &kp->base;
}
