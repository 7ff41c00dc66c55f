/* publish_mqtt.c - the MQTT publisher of live `eddy gen` streams: a thin libmosquitto client
 * (MQTT 3.1.1, clean session, client id eddy-gen-PID) publishing each line to its stream's
 * topic at the chosen QoS, not retained.
 *
 * libmosquitto's network loop runs in its own thread (mosquitto_loop_start); it calls
 * on_connect with the broker's CONNACK and on_publish once a message is done: written (QoS 0),
 * acknowledged (QoS 1) or completed (QoS 2). Those callbacks update counts under a mutex and
 * signal a condition. Opening waits for the CONNACK, so a refused or silent broker is an error
 * naming the address. Publishing keeps at most WINDOW messages outstanding (libmosquitto queues
 * without bound otherwise); close waits until every message is done. */
#include "gen/gen.h"
#include "base/err.h"
#include "base/util.h"
#include <errno.h>
#include <mosquitto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_S 5
#define DRAIN_TIMEOUT_S   30
#define KEEPALIVE_S       60
#define WINDOW            2000
#define MAX_INFLIGHT      200

typedef struct mqtt_publisher {
    gen_publisher base;
    struct mosquitto *mosq;
    char **topics;              /* copied */
    int ntopics;
    int qos;
    char address[300];          /* "mqtt://host:port", for messages */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int connack;                /* -1 = none yet, else the CONNACK code */
    int lost;                   /* disconnected unexpectedly: the reason code, 0 = connected */
    uint64_t published;         /* mosquitto_publish calls that succeeded */
    uint64_t done;              /* on_publish calls */
    int looping;
} mqtt_publisher;

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
    mqtt_publisher *mp = obj;
    pthread_mutex_lock(&mp->lock);
    mp->connack = rc;
    if (rc == 0) mp->lost = 0;
    pthread_cond_broadcast(&mp->changed);
    pthread_mutex_unlock(&mp->lock);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
    mqtt_publisher *mp = obj;
    pthread_mutex_lock(&mp->lock);
    if (rc != 0) mp->lost = rc;
    pthread_cond_broadcast(&mp->changed);
    pthread_mutex_unlock(&mp->lock);
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
    mqtt_publisher *mp = obj;
    pthread_mutex_lock(&mp->lock);
    mp->done++;
    pthread_cond_broadcast(&mp->changed);
    pthread_mutex_unlock(&mp->lock);
}

static struct timespec deadline_after(int seconds)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += seconds;
    return ts;
}

/* Waits (lock held) until at most `outstanding` messages are not done; -1 on timeout. */
static int wait_outstanding(mqtt_publisher *mp, uint64_t outstanding, int timeout_s)
{
    struct timespec until = deadline_after(timeout_s);
    while (mp->published - mp->done > outstanding)
        if (pthread_cond_timedwait(&mp->changed, &mp->lock, &until) == ETIMEDOUT) return -1;
    return 0;
}

static void mqtt_free(mqtt_publisher *mp)
{
    if (mp->mosq) {
        if (mp->looping) {
            mosquitto_disconnect(mp->mosq);
            mosquitto_loop_stop(mp->mosq, false);
        }
        mosquitto_destroy(mp->mosq);
    }
    mosquitto_lib_cleanup();
    for (int i = 0; i < mp->ntopics; i++) free(mp->topics[i]);
    free(mp->topics);
    pthread_cond_destroy(&mp->changed);
    pthread_mutex_destroy(&mp->lock);
    free(mp);
}

static int mqtt_publish(gen_publisher *p, const gen_message *msgs, size_t n, size_t *sent)
{
    mqtt_publisher *mp = (mqtt_publisher *)p;
    *sent = 0;
    for (size_t i = 0; i < n; i++) {
        pthread_mutex_lock(&mp->lock);
        int stalled = wait_outstanding(mp, WINDOW - 1, DRAIN_TIMEOUT_S);
        pthread_mutex_unlock(&mp->lock);
        if (stalled)
            return err_msg("%s: the broker acknowledged nothing for %d s (%d messages outstanding)", mp->address,
                           DRAIN_TIMEOUT_S, WINDOW), 1;
        const char *topic = mp->topics[msgs[i].topic];
        int rc = mosquitto_publish(mp->mosq, NULL, topic, (int)msgs[i].len, msgs[i].data, mp->qos, false);
        if (rc != MOSQ_ERR_SUCCESS)
            return err_msg("%s: cannot publish to topic %s: %s", mp->address, topic,
                           rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc)), 1;
        pthread_mutex_lock(&mp->lock);
        mp->published++;
        pthread_mutex_unlock(&mp->lock);
        *sent = i + 1;
    }
    return 0;
}

static int mqtt_close(gen_publisher *p)
{
    mqtt_publisher *mp = (mqtt_publisher *)p;
    pthread_mutex_lock(&mp->lock);
    int stalled = wait_outstanding(mp, 0, DRAIN_TIMEOUT_S);
    uint64_t left = mp->published - mp->done;
    int lost = mp->lost;
    pthread_mutex_unlock(&mp->lock);
    int rc = 0;
    if (stalled) {
        err_msg("%s: %llu message%s not acknowledged after %d s%s%s", mp->address, (unsigned long long)left,
                left == 1 ? "" : "s", DRAIN_TIMEOUT_S, lost ? "; connection lost: " : "",
                lost ? mosquitto_strerror(lost) : "");
        rc = 1;
    }
    mqtt_free(mp);
    return rc;
}

static const gen_publisher_ops MQTT_OPS = {mqtt_publish, mqtt_close};

static int connect_failed(mqtt_publisher *mp, int rc)
{
    const char *why = rc == MOSQ_ERR_ERRNO ? strerror(errno)
                    : rc == MOSQ_ERR_EAI ? "cannot resolve the host name"
                    : mosquitto_strerror(rc);
    err_msg("cannot connect to the MQTT broker at %s: %s", mp->address, why);
    return 1;
}

/* Waits for the CONNACK; 0 when the broker accepted us. */
static int wait_connack(mqtt_publisher *mp)
{
    pthread_mutex_lock(&mp->lock);
    struct timespec until = deadline_after(CONNECT_TIMEOUT_S);
    int timed_out = 0;
    while (mp->connack < 0 && !mp->lost && !timed_out)
        timed_out = pthread_cond_timedwait(&mp->changed, &mp->lock, &until) == ETIMEDOUT;
    int connack = mp->connack, lost = mp->lost;
    pthread_mutex_unlock(&mp->lock);
    if (connack == 0) return 0;
    if (connack > 0)
        err_msg("the MQTT broker at %s refused the connection: %s", mp->address, mosquitto_connack_string(connack));
    else if (lost)
        err_msg("cannot connect to the MQTT broker at %s: %s", mp->address, mosquitto_strerror(lost));
    else
        err_msg("cannot connect to the MQTT broker at %s: no answer within %d s", mp->address, CONNECT_TIMEOUT_S);
    return 1;
}

gen_publisher *gen_mqtt_publisher_open(const char *host, int port, int qos, const char *const *topics, int ntopics)
{
    mqtt_publisher *mp = xcalloc(1, sizeof *mp);
    mp->base.ops = &MQTT_OPS;
    mp->topics = xcalloc((size_t)(ntopics > 0 ? ntopics : 1), sizeof *mp->topics);
    for (int i = 0; i < ntopics; i++) mp->topics[i] = xstrdup(topics[i]);
    mp->ntopics = ntopics;
    mp->qos = qos;
    mp->connack = -1;
    snprintf(mp->address, sizeof mp->address, strchr(host, ':') ? "mqtt://[%s]:%d" : "mqtt://%s:%d", host, port);
    pthread_mutex_init(&mp->lock, NULL);
    pthread_cond_init(&mp->changed, NULL);
    mosquitto_lib_init();
    char client_id[40];
    snprintf(client_id, sizeof client_id, "eddy-gen-%ld", (long)getpid());
    mp->mosq = mosquitto_new(client_id, true, mp);
    if (!mp->mosq) {
        err_msg("%s: cannot create an MQTT client: %s", mp->address, strerror(errno));
        mqtt_free(mp);
        return NULL;
    }
    mosquitto_connect_callback_set(mp->mosq, on_connect);
    mosquitto_disconnect_callback_set(mp->mosq, on_disconnect);
    mosquitto_publish_callback_set(mp->mosq, on_publish);
    mosquitto_max_inflight_messages_set(mp->mosq, MAX_INFLIGHT);
    errno = 0;
    int rc = mosquitto_connect(mp->mosq, host, port, KEEPALIVE_S);
    if (rc != MOSQ_ERR_SUCCESS) {
        connect_failed(mp, rc);
        mqtt_free(mp);
        return NULL;
    }
    rc = mosquitto_loop_start(mp->mosq);
    if (rc != MOSQ_ERR_SUCCESS) {
        err_msg("%s: cannot start the MQTT network thread: %s", mp->address, mosquitto_strerror(rc));
        mqtt_free(mp);
        return NULL;
    }
    mp->looping = 1;
    if (wait_connack(mp)) {
        mqtt_free(mp);
        return NULL;
    }
    return &mp->base;
}
