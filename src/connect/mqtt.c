/* mqtt.c - the 'mqtt' connector: a source subscribing to MQTT topic filters and a sink
 * publishing one message per row, through libmosquitto.
 *
 * Flink has no built-in MQTT connector. The options are eddy's own kebab-case names ('host',
 * 'port', 'topic', 'qos', 'client-id', ...); the camelCase names of the common community
 * connector (StoneForests/flink-mqtt-connector: 'hostUrl', 'sourceTopics', 'sinkTopics',
 * 'clientIdPrefix', 'cleanSession', 'keepAliveInterval', 'connectionTimeout',
 * 'autoReconnect') are accepted as well, so jobs written for it run unchanged.
 *
 * Connection (both sides): the first connect is synchronous, so a refused or unreachable
 * broker fails table creation with host:port and the system's reason; then libmosquitto's
 * network thread runs (mosquitto_loop_start) and creation waits for the CONNACK (a refused
 * one names the broker's reason, e.g. "not authorised") and, for a source, the SUBACK, so
 * every message published after creation is received. A lost connection is re-established
 * by the network thread with exponential back-off (1 s .. 30 s); on_connect subscribes
 * again after each reconnect.
 *
 * Source: the network thread appends each message (topic and payload copied behind a small
 * header) to the `incoming` byte buffer under the mutex. next() swaps `incoming` with its
 * own `draining` buffer when that one is used up and decodes messages from it without the
 * lock: decoder_begin_message(topic, -1, 0) + decode_message, so a malformed payload fails
 * the job naming "MQTT topic 'T'" (or is skipped and counted with
 * '<format>.ignore-parse-errors'). Both buffers keep their capacity, so the steady state
 * allocates nothing per message. When `incoming` holds more than QUEUE_MAX_BYTES the
 * network thread waits for next() to take it (back-pressure reaches the broker through TCP).
 * next() never blocks. The source is unbounded unless one of eddy's own options ends it:
 * 'scan.bounded.message-count' (after N messages) or 'scan.bounded.idle-timeout' (no message
 * for that long).
 *
 * Sink: each live row becomes one message (encode_each) published at 'qos' with
 * 'sink.retain'. on_publish counts completed publishes (QoS 0: handed to the socket; QoS 1:
 * PUBACK; QoS 2: PUBCOMP); write() waits while more than MAX_PENDING are outstanding and
 * flush() waits until all are, at most 'sink.flush-timeout', else it fails naming how many
 * are missing. libmosquitto refuses to publish while the connection is down, so write()
 * then waits for the network thread to reconnect, at most 'connect-timeout'. With a
 * changelog format (debezium-json, canal-json) the sink takes updates and deletes;
 * otherwise only inserts.
 *
 * With 'autoReconnect' = 'false' a lost connection fails the job at the next next(),
 * write() or flush() instead. */
#include "connect/connector.h"
#include "connect/format.h"
#include "base/util.h"
#include <errno.h>
#include <mosquitto.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_PORT 1883
#define QUEUE_MAX_BYTES (32u << 20)      /* received, not yet decoded bytes before back-pressure */
#define MAX_PENDING 10000                /* published messages not yet completed before write() waits */
#define RECONNECT_MIN_S 1
#define RECONNECT_MAX_S 30

static const char *const mqtt_option_keys[] = {
    "host", "port", "topic", "qos", "client-id", "username", "password", "clean-session", "keep-alive",
    "connect-timeout", "scan.bounded.message-count", "scan.bounded.idle-timeout", "sink.retain",
    "sink.flush-timeout",
    /* the community connector's names */
    "hostUrl", "sourceTopics", "sinkTopics", "clientIdPrefix", "cleanSession", "keepAliveInterval",
    "connectionTimeout", "autoReconnect",
    NULL,
};

static const char *const qos_values[] = {"0", "1", "2", NULL};

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void lib_init_once(void) { mosquitto_lib_init(); }

/* ---- options ---- */

typedef struct mqtt_options {
    char *host;
    int port;
    const table_option *host_opt;     /* 'host' or 'hostUrl': connection errors point here */
    char **topics;                    /* source: filters; sink: the one topic */
    int ntopics;
    int qos;
    char *client_id;
    const char *username;
    const char *password;
    int clean_session;
    int keepalive_s;
    int64_t connect_timeout_us;
    int auto_reconnect;
    int64_t max_messages;             /* scan.bounded.message-count; 0: none */
    int64_t idle_us;                  /* scan.bounded.idle-timeout; 0: none */
    int retain;
    int64_t flush_timeout_us;
} mqtt_options;

static void options_free(mqtt_options *o)
{
    free(o->host);
    for (int i = 0; i < o->ntopics; i++) free(o->topics[i]);
    free(o->topics);
    free(o->client_id);
    memset(o, 0, sizeof *o);
}

/* The entry of `key` or of its community alias; both set is an error (*out NULL, -1). */
static int opt_either(const connector_table *t, const char *key, const char *alias, const table_option **out)
{
    const table_option *a = table_opt_entry(t, key), *b = table_opt_entry(t, alias);
    *out = a ? a : b;
    if (a && b)
        return err_at(b->key_span, "options '%s' and '%s' both set the same thing; keep one (table '%s')", key,
                      alias, t->name);
    return 0;
}

static int parse_port(const table_option *o, const char *text, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end || errno || v < 1 || v > 65535)
        return err_at(o->value_span, "option '%s' expects a port number between 1 and 65535, got '%s'", o->key, text);
    *out = (int)v;
    return 0;
}

/* 'hostUrl' = 'tcp://host:port' (also mqtt://, or no scheme; "[v6]:port" for IPv6). */
static int parse_host_url(const table_option *o, mqtt_options *mo)
{
    const char *p = o->value, *sep = strstr(p, "://");
    if (sep) {
        size_t n = (size_t)(sep - p);
        if (!((n == 3 && str_ieqn(p, "tcp", 3)) || (n == 4 && str_ieqn(p, "mqtt", 4))))
            return err_at(o->value_span, "option '%s': scheme '%.*s' is not supported; use 'tcp://host:port'", o->key,
                          (int)n, p);
        p = sep + 3;
    }
    const char *host = p, *host_end, *colon;
    if (*p == '[') {
        host = p + 1;
        host_end = strchr(host, ']');
        if (!host_end) return err_at(o->value_span, "option '%s': missing ']' in '%s'", o->key, o->value);
        colon = host_end[1] == ':' ? host_end + 1 : NULL;
        if (host_end[1] && !colon)
            return err_at(o->value_span, "option '%s': unexpected text after ']' in '%s'", o->key, o->value);
    } else {
        colon = strrchr(p, ':');
        host_end = colon ? colon : p + strlen(p);
    }
    size_t len = (size_t)(host_end - host);
    if (len && host[len - 1] == '/') len--;
    if (!len) return err_at(o->value_span, "option '%s' names no host: '%s'", o->key, o->value);
    mo->host = xstrndup(host, len);
    if (colon) {
        char port[16];
        size_t n = strcspn(colon + 1, "/");
        if (n >= sizeof port) n = sizeof port - 1;
        memcpy(port, colon + 1, n);
        port[n] = 0;
        if (parse_port(o, port, &mo->port)) return -1;
    }
    return 0;
}

static int parse_broker(const connector_table *t, mqtt_options *mo)
{
    const table_option *host;
    if (opt_either(t, "host", "hostUrl", &host)) return -1;
    mo->host_opt = host;
    mo->port = 0;
    if (strcmp(host->key, "hostUrl") == 0) {
        if (parse_host_url(host, mo)) return -1;
    } else {
        if (!host->value[0]) return err_at(host->value_span, "option 'host' is empty (table '%s')", t->name);
        mo->host = xstrdup(host->value);
    }
    const table_option *port = table_opt_entry(t, "port");
    if (port && mo->port)
        return err_at(port->key_span, "option 'port' conflicts with the port in 'hostUrl' (table '%s')", t->name);
    if (port && parse_port(port, port->value, &mo->port)) return -1;
    if (!mo->port) mo->port = DEFAULT_PORT;
    return 0;
}

static void push_topic(mqtt_options *mo, const char *p, size_t n)
{
    while (n && (*p == ' ' || *p == '\t')) p++, n--;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
    mo->topics = xrealloc(mo->topics, sizeof *mo->topics * (size_t)(mo->ntopics + 1));
    mo->topics[mo->ntopics++] = xstrndup(p, n);
}

/* Source: 'topic' is one filter or several separated by ';' (like Flink's Kafka 'topic'),
 * 'sourceTopics' several separated by ','. Sink: one plain topic. */
static int parse_topics(const connector_table *t, mqtt_options *mo, int sink)
{
    const table_option *o;
    if (opt_either(t, "topic", sink ? "sinkTopics" : "sourceTopics", &o)) return -1;
    char sep = strcmp(o->key, "sourceTopics") == 0 ? ',' : ';';
    for (const char *p = o->value;;) {
        const char *e = strchr(p, sep);
        push_topic(mo, p, e ? (size_t)(e - p) : strlen(p));
        if (!e) break;
        p = e + 1;
    }
    if (sink && mo->ntopics > 1)
        return err_at(o->value_span, "option '%s': an MQTT sink publishes to one topic, got '%s' (table '%s')",
                      o->key, o->value, t->name);
    for (int i = 0; i < mo->ntopics; i++) {
        const char *tp = mo->topics[i];
        if (!tp[0]) return err_at(o->value_span, "option '%s' has an empty topic in '%s'", o->key, o->value);
        if (sink && mosquitto_pub_topic_check(tp) != MOSQ_ERR_SUCCESS)
            return err_at(o->value_span,
                          "MQTT topic '%s' cannot be published to: a sink topic may not contain the wildcards "
                          "'+' or '#' (table '%s')", tp, t->name);
        if (!sink && mosquitto_sub_topic_check(tp) != MOSQ_ERR_SUCCESS)
            return err_at(o->value_span,
                          "MQTT topic filter '%s' is invalid: '+' must fill a whole level and '#' must be the "
                          "last level (table '%s')", tp, t->name);
    }
    return 0;
}

static int parse_client_id(const connector_table *t, mqtt_options *mo, int sink)
{
    const table_option *o;
    if (opt_either(t, "client-id", "clientIdPrefix", &o)) return -1;
    sb_t id = {0};
    if (o && strcmp(o->key, "client-id") == 0) {
        if (!o->value[0]) return err_at(o->value_span, "option 'client-id' is empty (table '%s')", t->name);
        sb_puts(&id, o->value);
    } else if (o) {
        sb_printf(&id, "%s_%ld_%s", o->value, (long)getpid(), t->name);
    } else {
        sb_printf(&id, "eddy-%ld-%s", (long)getpid(), t->name);
    }
    if (sink && (!o || strcmp(o->key, "client-id") != 0)) sb_puts(&id, "-sink");
    mo->client_id = sb_take(&id);
    return 0;
}

/* A whole number of seconds (the community names) or a duration (eddy's names). */
static int parse_seconds(const connector_table *t, const char *key, const char *alias, int64_t dflt_s,
                         int64_t *out_s)
{
    const table_option *o;
    if (opt_either(t, key, alias, &o)) return -1;
    *out_s = dflt_s;
    if (!o) return 0;
    int64_t v;
    if (strcmp(o->key, alias) == 0) {
        if (table_opt_i64(t, alias, dflt_s, &v)) return -1;
        *out_s = v;
    } else {
        if (table_opt_duration(t, key, dflt_s * 1000000, &v)) return -1;
        *out_s = v / 1000000;
    }
    return 0;
}

static int parse_options(const connector_table *t, mqtt_options *mo, int sink)
{
    memset(mo, 0, sizeof *mo);
    const table_option *host = table_opt_entry(t, "host") ? table_opt_entry(t, "host") : table_opt_entry(t, "hostUrl");
    const table_option *topic = table_opt_entry(t, "topic")
                                    ? table_opt_entry(t, "topic")
                                    : table_opt_entry(t, sink ? "sinkTopics" : "sourceTopics");
    if (!host || !topic) {
        return err_at(t->span, "connector 'mqtt' requires option%s %s%s%s (table '%s')", !host && !topic ? "s" : "",
                      host ? "" : "'host'", !host && !topic ? " and " : "", topic ? "" : "'topic'", t->name);
    }
    if (parse_broker(t, mo) || parse_topics(t, mo, sink) || parse_client_id(t, mo, sink)) return -1;
    if (table_opt_enum(t, "qos", qos_values, 1, &mo->qos)) return -1;
    mo->username = table_opt(t, "username");
    mo->password = table_opt(t, "password");
    const table_option *pw = table_opt_entry(t, "password");
    if (pw && !mo->username)
        return err_at(pw->key_span, "option 'password' needs 'username' as well (table '%s')", t->name);
    const table_option *o;
    if (opt_either(t, "clean-session", "cleanSession", &o)) return -1;
    if (table_opt_bool(t, o ? o->key : "clean-session", 1, &mo->clean_session)) return -1;
    if (table_opt_bool(t, "autoReconnect", 1, &mo->auto_reconnect)) return -1;
    int64_t keepalive, timeout;
    if (parse_seconds(t, "keep-alive", "keepAliveInterval", 60, &keepalive)) return -1;
    if (keepalive < 5 || keepalive > 65535) {
        if (opt_either(t, "keep-alive", "keepAliveInterval", &o)) return -1;
        return err_at(o->value_span, "option '%s' must be between 5 s and 65535 s, got '%s'", o->key, o->value);
    }
    mo->keepalive_s = (int)keepalive;
    if (parse_seconds(t, "connect-timeout", "connectionTimeout", 30, &timeout)) return -1;
    if (timeout < 1) {
        if (opt_either(t, "connect-timeout", "connectionTimeout", &o)) return -1;
        return err_at(o->value_span, "option '%s' must be at least 1 s, got '%s'", o->key, o->value);
    }
    mo->connect_timeout_us = timeout * 1000000;
    if (table_opt_i64(t, "scan.bounded.message-count", 0, &mo->max_messages)) return -1;
    if ((o = table_opt_entry(t, "scan.bounded.message-count")) && mo->max_messages < 1)
        return err_at(o->value_span, "option '%s' must be at least 1, got '%s'", o->key, o->value);
    if (table_opt_duration(t, "scan.bounded.idle-timeout", 0, &mo->idle_us)) return -1;
    if ((o = table_opt_entry(t, "scan.bounded.idle-timeout")) && mo->idle_us < 1000)
        return err_at(o->value_span, "option '%s' must be at least 1 ms, got '%s'", o->key, o->value);
    if (table_opt_bool(t, "sink.retain", 0, &mo->retain)) return -1;
    if (table_opt_duration(t, "sink.flush-timeout", 30 * 1000000LL, &mo->flush_timeout_us)) return -1;
    if ((o = table_opt_entry(t, "sink.flush-timeout")) && mo->flush_timeout_us < 1000)
        return err_at(o->value_span, "option '%s' must be at least 1 ms, got '%s'", o->key, o->value);
    return 0;
}

/* ---- the connection, shared by source and sink ---- */

typedef struct mqtt_link {
    struct mosquitto *mosq;
    const connector_table *table;
    mqtt_options opts;
    pthread_mutex_t mu;               /* guards everything the network thread writes */
    pthread_cond_t changed;           /* signalled on every state change below */
    int connack;                      /* -1 before the first CONNACK, then its code */
    int connected;
    int lost_rc;                      /* MOSQ_ERR_* of the last unexpected disconnect; 0: none */
    int loop_running;
} mqtt_link;

static void link_wait(mqtt_link *l, int64_t deadline_us)
{
    struct timespec ts = {(time_t)(deadline_us / 1000000), (long)(deadline_us % 1000000) * 1000};
    pthread_cond_timedwait(&l->changed, &l->mu, &ts);
}

static const char *mosq_reason(int rc)
{
    return rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
    mqtt_link *l = obj;
    pthread_mutex_lock(&l->mu);
    l->connected = 0;
    if (rc != 0) l->lost_rc = rc;
    pthread_cond_broadcast(&l->changed);
    pthread_mutex_unlock(&l->mu);
}

static int link_init(mqtt_link *l, const connector_table *t)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, lib_init_once);
    l->table = t;
    l->connack = -1;
    pthread_mutex_init(&l->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&l->changed, &ca);
    pthread_condattr_destroy(&ca);
    l->mosq = mosquitto_new(l->opts.client_id, l->opts.clean_session, l);
    if (!l->mosq)
        return err_at(l->opts.host_opt->value_span, "cannot create an MQTT client for table '%s': %s", t->name,
                      strerror(errno));
    if (l->opts.username && mosquitto_username_pw_set(l->mosq, l->opts.username, l->opts.password) != MOSQ_ERR_SUCCESS)
        return err_msg("MQTT table '%s': the username or password is not valid UTF-8", t->name);
    mosquitto_disconnect_callback_set(l->mosq, on_disconnect);
    mosquitto_reconnect_delay_set(l->mosq, RECONNECT_MIN_S, RECONNECT_MAX_S, true);
    return 0;
}

/* Connects, starts the network thread and waits for the CONNACK and, through `ready` (called
 * with mu held; 1 ready, 0 not yet, -1 failed), for whatever else the role needs, e.g. the
 * SUBACK. Returns 0, -1 with the error recorded, or -2 when ready() failed (the caller
 * records why). Called with the callbacks set. */
static int link_connect(mqtt_link *l, int (*ready)(mqtt_link *l))
{
    const mqtt_options *o = &l->opts;
    const char *tname = l->table->name;
    int rc = mosquitto_connect(l->mosq, o->host, o->port, o->keepalive_s);
    if (rc != MOSQ_ERR_SUCCESS)
        return err_at(o->host_opt->value_span, "cannot connect to MQTT broker %s:%d (table '%s'): %s", o->host,
                      o->port, tname, mosq_reason(rc));
    rc = mosquitto_loop_start(l->mosq);
    if (rc != MOSQ_ERR_SUCCESS)
        return err_msg("MQTT table '%s': cannot start the network thread: %s", tname, mosq_reason(rc));
    l->loop_running = 1;
    int64_t deadline = mono_us() + o->connect_timeout_us;
    pthread_mutex_lock(&l->mu);
    int state = 0;
    for (;;) {
        state = l->connack == 0 ? (ready ? ready(l) : 1) : 0;
        if (state || l->connack > 0 || mono_us() >= deadline) break;
        link_wait(l, deadline);
    }
    int connack = l->connack;
    pthread_mutex_unlock(&l->mu);
    if (state == 1) return 0;
    if (state < 0) return -2;
    if (connack > 0)
        return err_at(o->host_opt->value_span, "MQTT broker %s:%d refused the connection of table '%s': %s", o->host,
                      o->port, tname, mosquitto_connack_string(connack));
    return err_at(o->host_opt->value_span, "MQTT broker %s:%d did not %s of table '%s' within %lld s", o->host,
                  o->port, connack < 0 ? "accept the connection" : "acknowledge the subscription", tname,
                  (long long)(o->connect_timeout_us / 1000000));
}

static void link_close(mqtt_link *l)
{
    if (l->mosq) {
        mosquitto_disconnect(l->mosq);
        if (l->loop_running) mosquitto_loop_stop(l->mosq, false);
        mosquitto_destroy(l->mosq);
    }
    pthread_cond_destroy(&l->changed);
    pthread_mutex_destroy(&l->mu);
    options_free(&l->opts);
}

/* With 'autoReconnect' = 'false' a lost connection fails the job. Call with l->mu held. */
static int link_check_lost(mqtt_link *l)
{
    if (l->opts.auto_reconnect || !l->lost_rc) return 0;
    return err_msg("connection of MQTT table '%s' to broker %s:%d was lost (%s) and 'autoReconnect' is false",
                   l->table->name, l->opts.host, l->opts.port, mosquitto_strerror(l->lost_rc));
}

/* ---- source ---- */

/* Received messages, back to back: a msg_header, the topic and a NUL, the payload and a NUL. */
typedef struct msg_header {
    uint32_t topic_len;
    uint32_t payload_len;
} msg_header;

typedef struct msg_buffer {
    char *data;
    size_t len;
    size_t cap;
} msg_buffer;

typedef struct mqtt_source {
    source_t base;
    mqtt_link link;                   /* the callbacks' obj */
    decoder_t *dec;
    /* guarded by link.mu */
    msg_buffer incoming;              /* written by the network thread */
    int64_t last_arrival_us;          /* monotonic time of the last message (or of subscribing) */
    int sub_mid;                      /* mid of the SUBSCRIBE in flight */
    int subscribed;                   /* SUBACK granted every filter */
    int refused_filter;               /* index of a filter the broker refused, or -1 */
    int closing;
    /* used by next() only */
    msg_buffer draining;              /* messages taken from incoming; read from drain_pos */
    size_t drain_pos;
    uint64_t messages;                /* messages consumed (decoded or skipped) */
    int ended;
} mqtt_source;

static mqtt_source *source_of_link(void *link)
{
    return (mqtt_source *)((char *)link - offsetof(mqtt_source, link));
}

static void buffer_append(msg_buffer *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap < b->len + n) cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void subscribe_all(mqtt_source *s)
{
    const mqtt_options *o = &s->link.opts;
    int mid = 0;
    int rc = mosquitto_subscribe_multiple(s->link.mosq, &mid, o->ntopics, o->topics, o->qos, 0, NULL);
    pthread_mutex_lock(&s->link.mu);
    s->sub_mid = rc == MOSQ_ERR_SUCCESS ? mid : -1;
    pthread_mutex_unlock(&s->link.mu);
}

static void source_on_connect(struct mosquitto *mosq, void *obj, int rc)
{
    mqtt_source *s = source_of_link(obj);
    if (rc == 0) subscribe_all(s);
    pthread_mutex_lock(&s->link.mu);
    s->link.connack = rc;
    s->link.connected = rc == 0;
    pthread_cond_broadcast(&s->link.changed);
    pthread_mutex_unlock(&s->link.mu);
}

static void source_on_subscribe(struct mosquitto *mosq, void *obj, int mid, int count, const int *granted)
{
    mqtt_source *s = source_of_link(obj);
    pthread_mutex_lock(&s->link.mu);
    if (mid == s->sub_mid) {
        for (int i = 0; i < count; i++)
            if (granted[i] > 2 && s->refused_filter < 0) s->refused_filter = i;
        if (s->refused_filter < 0) s->subscribed = 1;
        pthread_cond_broadcast(&s->link.changed);
    }
    pthread_mutex_unlock(&s->link.mu);
}

static void source_on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *m)
{
    mqtt_source *s = source_of_link(obj);
    size_t topic_len = strlen(m->topic), payload_len = m->payloadlen > 0 ? (size_t)m->payloadlen : 0;
    size_t need = sizeof(msg_header) + topic_len + payload_len + 2;
    pthread_mutex_lock(&s->link.mu);
    while (s->incoming.len && s->incoming.len + need > QUEUE_MAX_BYTES && !s->closing)
        pthread_cond_wait(&s->link.changed, &s->link.mu);
    if (!s->closing) {
        msg_header h = {(uint32_t)topic_len, (uint32_t)payload_len};
        buffer_append(&s->incoming, &h, sizeof h);
        buffer_append(&s->incoming, m->topic, topic_len + 1);
        buffer_append(&s->incoming, m->payload ? m->payload : "", payload_len);
        buffer_append(&s->incoming, "", 1);
        s->last_arrival_us = mono_us();
    }
    pthread_mutex_unlock(&s->link.mu);
}

/* link_connect's extra condition for a source: the SUBACK (mu held). */
static int source_ready(mqtt_link *l)
{
    mqtt_source *s = source_of_link(l);
    return s->refused_filter >= 0 ? -1 : s->subscribed;
}

/* Moves the next batch of received messages into `draining` once it is used up.
 * Returns 1 when messages are ready, 0 when none, -1 on a lost connection (see link_check_lost). */
static int take_messages(mqtt_source *s)
{
    if (s->drain_pos < s->draining.len) return 1;
    pthread_mutex_lock(&s->link.mu);
    if (link_check_lost(&s->link)) {
        pthread_mutex_unlock(&s->link.mu);
        return -1;
    }
    msg_buffer t = s->draining;
    s->draining = s->incoming;
    s->incoming = t;
    s->incoming.len = 0;
    s->drain_pos = 0;
    pthread_cond_broadcast(&s->link.changed);
    pthread_mutex_unlock(&s->link.mu);
    return s->draining.len > 0;
}

/* Decodes the message at drain_pos into out. Returns 1 consumed, 0 out is too full for it,
 * -1 error. */
static int decode_one(mqtt_source *s, chunk_t *out)
{
    msg_header h;
    const char *rec = s->draining.data + s->drain_pos;
    memcpy(&h, rec, sizeof h);
    const char *topic = rec + sizeof h, *payload = topic + h.topic_len + 1;
    decoder_begin_message(s->dec, topic, -1, 0);
    uint32_t before = out->nrows;
    int n = decoder_decode_message(s->dec, payload, h.payload_len, out);
    if (n == -2) {
        if (before > 0) return 0;
        return err_msg("MQTT topic '%s': one message of table '%s' decodes to more rows than a chunk holds (%u)",
                       topic, s->base.table->name, out->cap);
    }
    if (n < 0) return -1;
    s->drain_pos += sizeof h + h.topic_len + h.payload_len + 2;
    s->messages++;
    return 1;
}

static int idle_expired(mqtt_source *s)
{
    if (!s->link.opts.idle_us) return 0;
    pthread_mutex_lock(&s->link.mu);
    int expired = s->incoming.len == 0 && mono_us() - s->last_arrival_us >= s->link.opts.idle_us;
    pthread_mutex_unlock(&s->link.mu);
    return expired;
}

static int mqtt_next(source_t *base, chunk_t *out)
{
    mqtt_source *s = (mqtt_source *)base;
    if (s->ended) return 0;
    uint32_t before = out->nrows;
    uint64_t skipped_before = s->dec->skipped;
    int64_t max = s->link.opts.max_messages;
    int rc = 1;
    while (!chunk_full(out)) {
        if (max && s->messages >= (uint64_t)max) {
            s->ended = 1;
            break;
        }
        int r = take_messages(s);
        if (r < 0) { rc = -1; break; }
        if (r == 0) {
            if (idle_expired(s)) s->ended = 1;
            break;
        }
        r = decode_one(s, out);
        if (r < 0) { rc = -1; break; }
        if (r == 0) break;
    }
    base->rows += out->nrows - before;
    base->skipped += s->dec->skipped - skipped_before;
    if (rc == 1 && s->ended && out->nrows == before) rc = 0;
    return rc;
}

static void mqtt_source_close(source_t *base)
{
    mqtt_source *s = (mqtt_source *)base;
    pthread_mutex_lock(&s->link.mu);
    s->closing = 1;
    pthread_cond_broadcast(&s->link.changed);
    pthread_mutex_unlock(&s->link.mu);
    link_close(&s->link);
    decoder_free(s->dec);
    free(s->incoming.data);
    free(s->draining.data);
    free(s);
}

static const source_vtable mqtt_source_vt = {mqtt_next, mqtt_source_close};

static source_t *mqtt_create_source(const connector_table *t)
{
    mqtt_options mo;
    if (parse_options(t, &mo, 0)) {
        options_free(&mo);
        return NULL;
    }
    const format_def *f = format_of_table(t);
    decoder_t *dec = f ? f->create_decoder(t) : NULL;
    if (!dec) {
        options_free(&mo);
        return NULL;
    }
    mqtt_source *s = xcalloc(1, sizeof *s);
    s->base.vt = &mqtt_source_vt;
    s->base.table = t;
    s->base.bounded = mo.max_messages > 0 || mo.idle_us > 0;
    s->dec = dec;
    s->refused_filter = -1;
    s->link.opts = mo;
    if (link_init(&s->link, t)) goto fail;
    mosquitto_connect_callback_set(s->link.mosq, source_on_connect);
    mosquitto_subscribe_callback_set(s->link.mosq, source_on_subscribe);
    mosquitto_message_callback_set(s->link.mosq, source_on_message);
    int rc = link_connect(&s->link, source_ready);
    if (rc == -2)
        err_at(s->link.opts.host_opt->value_span, "MQTT broker %s:%d refused the subscription of table '%s' to '%s'",
               mo.host, mo.port, t->name, mo.topics[s->refused_filter]);
    if (rc) goto fail;
    pthread_mutex_lock(&s->link.mu);
    s->last_arrival_us = mono_us();
    pthread_mutex_unlock(&s->link.mu);
    return &s->base;
fail:
    mqtt_source_close(&s->base);
    return NULL;
}

/* ---- sink ---- */

typedef struct mqtt_sink {
    sink_t base;
    mqtt_link link;                   /* the callbacks' obj */
    encoder_t *enc;
    int changelog;                    /* the format writes -U/+U/-D itself */
    sb_t text;                        /* one chunk's encoded messages */
    uint32_t *ends;                   /* where each message ends in text */
    uint32_t ends_cap;
    uint64_t published;               /* messages handed to mosquitto_publish */
    uint64_t completed;               /* on_publish calls (guarded by link.mu) */
} mqtt_sink;

static mqtt_sink *sink_of_link(void *link)
{
    return (mqtt_sink *)((char *)link - offsetof(mqtt_sink, link));
}

static void sink_on_connect(struct mosquitto *mosq, void *obj, int rc)
{
    mqtt_sink *s = sink_of_link(obj);
    pthread_mutex_lock(&s->link.mu);
    s->link.connack = rc;
    s->link.connected = rc == 0;
    pthread_cond_broadcast(&s->link.changed);
    pthread_mutex_unlock(&s->link.mu);
}

static void sink_on_publish(struct mosquitto *mosq, void *obj, int mid)
{
    mqtt_sink *s = sink_of_link(obj);
    pthread_mutex_lock(&s->link.mu);
    s->completed++;
    pthread_cond_broadcast(&s->link.changed);
    pthread_mutex_unlock(&s->link.mu);
}

static uint64_t outstanding(mqtt_sink *s)
{
    pthread_mutex_lock(&s->link.mu);
    uint64_t n = s->published - s->completed;
    pthread_mutex_unlock(&s->link.mu);
    return n;
}

/* Waits until at most `limit` publishes are outstanding, at most 'sink.flush-timeout'. */
static int wait_completed(mqtt_sink *s, uint64_t limit)
{
    const mqtt_options *o = &s->link.opts;
    int64_t deadline = mono_us() + o->flush_timeout_us;
    pthread_mutex_lock(&s->link.mu);
    while (s->published - s->completed > limit && mono_us() < deadline && !(s->link.lost_rc && !o->auto_reconnect))
        link_wait(&s->link, deadline);
    uint64_t missing = s->published - s->completed;
    int connected = s->link.connected, rc = link_check_lost(&s->link);
    pthread_mutex_unlock(&s->link.mu);
    if (rc || missing <= limit) return rc;
    return err_msg("MQTT sink of table '%s': %llu of %llu messages published to topic '%s' at QoS %d were not "
                   "acknowledged by broker %s:%d within %lld ms (%s)",
                   s->base.table->name, (unsigned long long)missing, (unsigned long long)s->published,
                   o->topics[0], o->qos, o->host, o->port, (long long)(o->flush_timeout_us / 1000),
                   connected ? "connected" : "not connected");
}

/* After a publish found the link down: waits for the network thread to reconnect, at most
 * 'connect-timeout'. */
static int wait_connected(mqtt_sink *s)
{
    const mqtt_options *o = &s->link.opts;
    int64_t deadline = mono_us() + o->connect_timeout_us;
    pthread_mutex_lock(&s->link.mu);
    while (!s->link.connected && mono_us() < deadline && !(s->link.lost_rc && !o->auto_reconnect))
        link_wait(&s->link, deadline);
    int connected = s->link.connected, rc = link_check_lost(&s->link);
    pthread_mutex_unlock(&s->link.mu);
    if (rc) return rc;
    if (!connected)
        return err_msg("MQTT sink of table '%s': not connected to broker %s:%d for %lld s; cannot publish to "
                       "topic '%s'", s->base.table->name, o->host, o->port,
                       (long long)(o->connect_timeout_us / 1000000), o->topics[0]);
    usleep(1000);      /* connected may still be set a moment after the socket closed */
    return 0;
}

/* Publishes one message, waiting for a reconnection when the link is down. */
static int publish_one(mqtt_sink *s, const char *payload, uint32_t len)
{
    const mqtt_options *o = &s->link.opts;
    s->published++;
    int rc;
    while ((rc = mosquitto_publish(s->link.mosq, NULL, o->topics[0], (int)len, payload, o->qos, o->retain)) ==
           MOSQ_ERR_NO_CONN) {
        if (wait_connected(s)) {
            s->published--;
            return -1;
        }
    }
    if (rc == MOSQ_ERR_SUCCESS) return 0;
    s->published--;
    return err_msg("MQTT sink of table '%s': publishing to topic '%s' on broker %s:%d failed: %s", s->base.table->name,
                   o->topics[0], o->host, o->port, mosq_reason(rc));
}

static int check_ops(mqtt_sink *s, const chunk_t *c, uint32_t live)
{
    if (s->changelog) return 0;
    for (uint32_t k = 0; k < live; k++) {
        uint8_t op = c->ops[chunk_row(c, k)];
        if (op != OP_INSERT)
            return err_msg("MQTT sink of table '%s' accepts only inserts with format '%s', got a %s row; use "
                           "'debezium-json' or 'canal-json' to publish updates",
                           s->base.table->name, table_opt(s->base.table, "format"), row_op_names[op & 3]);
    }
    return 0;
}

static int mqtt_write(sink_t *base, const chunk_t *c)
{
    mqtt_sink *s = (mqtt_sink *)base;
    uint32_t live = chunk_live(c);
    if (!live) return 0;
    if (check_ops(s, c, live)) return -1;
    if (live > s->ends_cap) {
        s->ends_cap = live;
        s->ends = xrealloc(s->ends, sizeof *s->ends * live);
    }
    sb_clear(&s->text);
    if (encoder_encode_each(s->enc, c, &s->text, s->ends)) return -1;
    if (outstanding(s) > MAX_PENDING && wait_completed(s, MAX_PENDING / 2)) return -1;
    uint32_t start = 0;
    for (uint32_t k = 0; k < live; k++) {
        if (publish_one(s, s->text.data + start, s->ends[k] - start)) return -1;
        start = s->ends[k];
    }
    base->rows += live;
    return 0;
}

static int mqtt_flush(sink_t *base) { return wait_completed((mqtt_sink *)base, 0); }

static void mqtt_sink_free(mqtt_sink *s)
{
    link_close(&s->link);
    encoder_free(s->enc);
    sb_free(&s->text);
    free(s->ends);
    free(s);
}

static void mqtt_sink_close(sink_t *base)
{
    mqtt_sink *s = (mqtt_sink *)base;
    if (!err_pending() && outstanding(s) && wait_completed(s, 0)) {     /* a failing job does not wait */
        err_print(stderr);
        err_clear();
    }
    mqtt_sink_free(s);
}

static const sink_vtable mqtt_sink_vt = {mqtt_write, mqtt_flush, NULL, mqtt_sink_close};

static sink_t *mqtt_create_sink(const connector_table *t)
{
    mqtt_options mo;
    if (parse_options(t, &mo, 1)) {
        options_free(&mo);
        return NULL;
    }
    const format_def *f = format_of_table(t);
    encoder_t *enc = f ? f->create_encoder(t) : NULL;
    if (!enc) {
        options_free(&mo);
        return NULL;
    }
    mqtt_sink *s = xcalloc(1, sizeof *s);
    s->base.vt = &mqtt_sink_vt;
    s->base.table = t;
    s->enc = enc;
    s->changelog = f->changelog;
    s->link.opts = mo;
    if (link_init(&s->link, t)) goto fail;
    mosquitto_connect_callback_set(s->link.mosq, sink_on_connect);
    mosquitto_publish_callback_set(s->link.mosq, sink_on_publish);
    if (link_connect(&s->link, NULL)) goto fail;
    return &s->base;
fail:
    mqtt_sink_free(s);
    return NULL;
}

const connector_def connector_mqtt = {
    .name = "mqtt",
    .options = mqtt_option_keys,
    .uses_format = 1,
    .create_source = mqtt_create_source,
    .create_sink = mqtt_create_sink,
    .updates_by_format = 1,
};
