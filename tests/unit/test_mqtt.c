/* test_mqtt.c - the 'mqtt' connector against a real Mosquitto broker on loopback, started
 * by tests/services/mosquitto.sh (skipped with a message when mosquitto is not installed):
 * exact rows from messages published with libmosquitto, wildcard filters, QoS 0/1/2, bad
 * payloads failing or skipped and counted, the bounded-source options, resubscribing after
 * the broker restarts, exact messages from the sink, retained messages, login with a
 * password file, connection errors and option errors. */
#include "check.h"
#include "connector_testkit.h"
#include "connect/connector.h"
#include "connect/format.h"
#include "base/util.h"
#include <arpa/inet.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- fixtures ---- */

static int64_t wall_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
static exec_ctx wall_ctx = {.now_us = wall_clock};

static const char *const names3[] = {"id", "name", "v"};

/* Table "t (id BIGINT, name STRING, v DOUBLE)" on the wall clock; options are key, value
 * pairs up to NULL. */
static void mqtt_table(fixture *f, ...)
{
    const type_t ty[] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_DOUBLE)};
    va_list ap;
    va_start(ap, f);
    fx_vinit(f, "t", 3, names3, ty, ap);
    va_end(ap);
    f->t.ctx = &wall_ctx;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms) { usleep((useconds_t)ms * 1000); }

/* Calls next() until it returns 0 or -1, `want` rows arrived (want > 0), or `ms` passed.
 * Rows accumulate in *out (allocated here). Returns the last next() result. */
static int poll_source(source_t *s, chunk_t **out, uint32_t want, int ms)
{
    chunk_t *c = chunk_new(&s->table->physical, CHUNK_CAP);
    chunk_t *all = chunk_new(&s->table->physical, 4096);
    int64_t end = now_ms() + ms;
    int rc = 1;
    while (rc == 1 && now_ms() < end && !(want && all->nrows >= want)) {
        chunk_reset(c);
        rc = s->vt->next(s, c);
        for (uint32_t r = 0; r < c->nrows && all->nrows < all->cap; r++) chunk_append_row(all, c, r, c->ops[r]);
        if (rc == 1 && c->nrows == 0) sleep_ms(2);
    }
    chunk_free(c);
    *out = all;
    return rc;
}

/* ---- the broker ---- */

static char script[512];
static char broker_dir[128];
static char host[64] = "127.0.0.1";
static char port_text[16], auth_port_text[16];
static int port, auth_port;

/* Runs the service script; the first output line (an address) goes to addr. */
static int run_script(const char *args, char *addr, size_t cap)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "bash '%s' %s", script, args);
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    char line[128] = "";
    if (!fgets(line, sizeof line, p)) line[0] = 0;
    int rc = pclose(p);
    line[strcspn(line, "\n")] = 0;
    if (addr) snprintf(addr, cap, "%s", line);
    return rc == 0 && (!addr || line[0]) ? 0 : -1;
}

static int port_of(const char *addr)
{
    const char *colon = strrchr(addr, ':');
    return colon ? atoi(colon + 1) : 0;
}

static int have_mosquitto(void)
{
    return system("command -v mosquitto >/dev/null 2>&1 || test -x /usr/sbin/mosquitto") == 0;
}

static void stop_broker(void)
{
    char args[256];
    snprintf(args, sizeof args, "stop '%s'", broker_dir);
    run_script(args, NULL, 0);
    snprintf(args, sizeof args, "rm -rf '%s'", broker_dir);
    if (system(args) != 0) fprintf(stderr, "could not remove %s\n", broker_dir);
}

static int start_broker(void)
{
    snprintf(broker_dir, sizeof broker_dir, "/tmp/eddy_mqtt_XXXXXX");
    if (!mkdtemp(broker_dir)) return -1;
    char args[256], addr[64], auth[64] = "";
    snprintf(args, sizeof args, "start '%s' alice s3cret", broker_dir);
    if (run_script(args, addr, sizeof addr)) return -1;
    atexit(stop_broker);
    char path[256];
    snprintf(path, sizeof path, "%s/auth_address", broker_dir);
    FILE *f = fopen(path, "r");
    if (f) {
        if (!fgets(auth, sizeof auth, f)) auth[0] = 0;
        fclose(f);
    }
    port = port_of(addr);
    auth_port = port_of(auth);
    snprintf(port_text, sizeof port_text, "%d", port);
    snprintf(auth_port_text, sizeof auth_port_text, "%d", auth_port);
    return port && auth_port ? 0 : -1;
}

/* ---- a test client: publishes and collects messages ---- */

typedef struct test_client {
    struct mosquitto *m;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int connected;
    int subscribed;
    int published;
    int nmsgs;
    char *topics[64];
    char *payloads[64];
    int retained[64];
} test_client;

static void tc_on_connect(struct mosquitto *m, void *obj, int rc)
{
    test_client *c = obj;
    pthread_mutex_lock(&c->mu);
    c->connected = rc == 0 ? 1 : -1;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void tc_on_publish(struct mosquitto *m, void *obj, int mid)
{
    test_client *c = obj;
    pthread_mutex_lock(&c->mu);
    c->published++;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void tc_on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted)
{
    test_client *c = obj;
    pthread_mutex_lock(&c->mu);
    c->subscribed = 1;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void tc_on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
    test_client *c = obj;
    pthread_mutex_lock(&c->mu);
    if (c->nmsgs < 64) {
        c->topics[c->nmsgs] = xstrdup(msg->topic);
        c->payloads[c->nmsgs] = xstrndup(msg->payload ? msg->payload : "", (size_t)msg->payloadlen);
        c->retained[c->nmsgs] = msg->retain;
        c->nmsgs++;
    }
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

/* Waits until *field >= want (at most 5 s); returns *field. */
static int tc_wait(test_client *c, int *field, int want)
{
    struct timespec end;
    clock_gettime(CLOCK_REALTIME, &end);
    end.tv_sec += 5;
    pthread_mutex_lock(&c->mu);
    while (*field < want && pthread_cond_timedwait(&c->cv, &c->mu, &end) == 0) {}
    int v = *field;
    pthread_mutex_unlock(&c->mu);
    return v;
}

static test_client *tc_open(const char *subscribe, int qos)
{
    test_client *c = xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    c->m = mosquitto_new(NULL, true, c);
    mosquitto_connect_callback_set(c->m, tc_on_connect);
    mosquitto_publish_callback_set(c->m, tc_on_publish);
    mosquitto_subscribe_callback_set(c->m, tc_on_subscribe);
    mosquitto_message_callback_set(c->m, tc_on_message);
    CHECK_EQ_INT(mosquitto_connect(c->m, host, port, 30), MOSQ_ERR_SUCCESS);
    mosquitto_loop_start(c->m);
    CHECK_EQ_INT(tc_wait(c, &c->connected, 1), 1);
    if (subscribe) {
        mosquitto_subscribe(c->m, NULL, subscribe, qos);
        CHECK_EQ_INT(tc_wait(c, &c->subscribed, 1), 1);
    }
    return c;
}

/* Publishes and waits until the broker has it (QoS 1/2) or it was sent (QoS 0). */
static void tc_publish(test_client *c, const char *topic, const char *payload, int qos)
{
    int want = c->published + 1;
    CHECK_EQ_INT(mosquitto_publish(c->m, NULL, topic, (int)strlen(payload), payload, qos, false), MOSQ_ERR_SUCCESS);
    CHECK_EQ_INT(tc_wait(c, &c->published, want), want);
}

static void tc_close(test_client *c)
{
    mosquitto_disconnect(c->m);
    mosquitto_loop_stop(c->m, false);
    mosquitto_destroy(c->m);
    for (int i = 0; i < c->nmsgs; i++) {
        free(c->topics[i]);
        free(c->payloads[i]);
    }
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* Decodes JSON lines into a fresh chunk of the fixture's schema. */
static chunk_t *json_rows(fixture *f, const char *lines)
{
    decoder_t *dec = format_json.create_decoder(&f->t);
    chunk_t *c = chunk_new(&f->t.physical, CHUNK_CAP);
    decoder_begin(dec, "mem");
    CHECK(decoder_decode(dec, lines, strlen(lines), 1, c) >= 0);
    decoder_free(dec);
    return c;
}

/* ---- source ---- */

TEST(source_json_rows)
{
    fixture f;
    mqtt_table(&f, "connector", "mqtt", "host", host, "port", port_text, "topic", "eddy/src/json", "format", "json",
            "scan.bounded.message-count", "3", NULL);
    err_clear();
    source_t *s = connector_mqtt.create_source(&f.t);
    CHECK(s != NULL);
    if (!s) { err_print(stderr); return; }
    CHECK_EQ_INT(s->bounded, 1);
    test_client *pub = tc_open(NULL, 0);
    tc_publish(pub, "eddy/src/json", "{\"id\":1,\"name\":\"a\",\"v\":1.5}", 1);
    tc_publish(pub, "eddy/src/other", "{\"id\":9,\"name\":\"not subscribed\",\"v\":0}", 1);
    tc_publish(pub, "eddy/src/json", "{\"id\":2,\"name\":\"b\"}", 1);
    tc_publish(pub, "eddy/src/json", "{\"v\":-3.25,\"id\":3,\"name\":\"c\\u00e9\"}", 1);
    tc_publish(pub, "eddy/src/json", "{\"id\":4,\"name\":\"past the count\",\"v\":4}", 1);
    chunk_t *rows;
    CHECK_EQ_INT(poll_source(s, &rows, 0, 5000), 0);
    CHECK_EQ_STR(all_rows(rows), "1|a|1.5\n2|b|NULL\n3|c\xc3\xa9|-3.25\n");
    CHECK_EQ_INT(s->rows, 3);
    CHECK_EQ_INT(s->skipped, 0);
    chunk_free(rows);
    tc_close(pub);
    s->vt->close(s);
}

TEST(source_message_count_boundary)
{
    /* Two of three messages: still running (unbounded until the count is reached). */
    fixture f;
    mqtt_table(&f, "host", host, "port", port_text, "topic", "eddy/src/count", "format", "json",
            "scan.bounded.message-count", "3", NULL);
    source_t *s = connector_mqtt.create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    test_client *pub = tc_open(NULL, 0);
    tc_publish(pub, "eddy/src/count", "{\"id\":1}", 1);
    tc_publish(pub, "eddy/src/count", "{\"id\":2}", 1);
    chunk_t *rows;
    CHECK_EQ_INT(poll_source(s, &rows, 0, 300), 1);
    CHECK_EQ_STR(all_rows(rows), "1|NULL|NULL\n2|NULL|NULL\n");
    chunk_free(rows);
    tc_publish(pub, "eddy/src/count", "{\"id\":3}", 1);
    CHECK_EQ_INT(poll_source(s, &rows, 0, 3000), 0);
    CHECK_EQ_STR(all_rows(rows), "3|NULL|NULL\n");
    chunk_free(rows);
    chunk_t *c = chunk_new(&f.t.physical, CHUNK_CAP);
    CHECK_EQ_INT(s->vt->next(s, c), 0);                       /* stays ended */
    CHECK_EQ_INT(c->nrows, 0);
    chunk_free(c);
    tc_close(pub);
    s->vt->close(s);
}

TEST(source_idle_timeout)
{
    fixture f;
    mqtt_table(&f, "host", host, "port", port_text, "topic", "eddy/src/idle", "format", "json",
            "scan.bounded.idle-timeout", "400 ms", NULL);
    source_t *s = connector_mqtt.create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_INT(s->bounded, 1);
    test_client *pub = tc_open(NULL, 0);
    tc_publish(pub, "eddy/src/idle", "{\"id\":1}", 1);
    chunk_t *rows;
    CHECK_EQ_INT(poll_source(s, &rows, 1, 2000), 1);           /* a message: not idle */
    chunk_free(rows);
    sleep_ms(200);
    int64_t last = now_ms();
    tc_publish(pub, "eddy/src/idle", "{\"id\":2}", 1);        /* 200 ms later: the clock restarts */
    CHECK_EQ_INT(poll_source(s, &rows, 0, 5000), 0);
    int64_t idle = now_ms() - last;
    CHECK(idle >= 400 && idle < 2000);
    CHECK_EQ_STR(all_rows(rows), "2|NULL|NULL\n");
    CHECK_EQ_INT(s->rows, 2);
    chunk_free(rows);
    tc_close(pub);
    s->vt->close(s);

    /* No message at all: ends after the timeout counted from subscribing. */
    mqtt_table(&f, "host", host, "port", port_text, "topic", "eddy/src/idle2", "format", "json",
            "scan.bounded.idle-timeout", "100 ms", NULL);
    int64_t t0 = now_ms();
    s = connector_mqtt.create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_INT(poll_source(s, &rows, 0, 3000), 0);
    CHECK(now_ms() - t0 >= 100);
    CHECK_EQ_INT(rows->nrows, 0);
    chunk_free(rows);
    s->vt->close(s);
}

TEST(source_unbounded_by_default)
{
    fixture f;
    mqtt_table(&f, "host", host, "port", port_text, "topic", "eddy/src/live", "format", "json", NULL);
    source_t *s = connector_mqtt.create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_INT(s->bounded, 0);
    chunk_t *rows;
    CHECK_EQ_INT(poll_source(s, &rows, 0, 200), 1);
    CHECK_EQ_INT(rows->nrows, 0);
    chunk_free(rows);
    s->vt->close(s);
}

TEST(source_wildcards)
{
    fixture f;
    mqtt_table(&f, "host", host, "port", port_text, "topic", "eddy/w/+/temp;eddy/x/#", "format", "json",
            "scan.bounded.message-count", "4", NULL);
    source_t *s = connector_mqtt.create_source(&f.t);
    CHECK(s != NULL);
    if (!s) { err_print(stderr); return; }
    test_client *pub = tc_open(NULL, 0);
    tc_publish(pub, "eddy/w/a/temp", "{\"id\":1,\"name\":\"w/a\"}", 1);
    tc_publish(pub, "eddy/w/a/hum", "{\"id\":90}", 1);                 /* wrong last level */
    tc_publish(pub, "eddy/w/a/b/temp", "{\"id\":91}", 1);              /* '+' is one level */
    tc_publish(pub, "eddy/x", "{\"id\":2,\"name\":\"x\"}", 1);          /* '#' includes the parent */
    tc_publish(pub, "eddy/y/1", "{\"id\":92}", 1);
    tc_publish(pub, "eddy/x/1/2", "{\"id\":3,\"name\":\"x/1/2\"}", 1);
    tc_publish(pub, "eddy/w/b/temp", "{\"id\":4,\"name\":\"w/b\"}", 1);
    chunk_t *rows;
    CHECK_EQ_INT(poll_source(s, &rows, 0, 5000), 0);
    CHECK_EQ_STR(all_rows(rows), "1|w/a|NULL\n2|x|NULL\n3|x/1/2|NULL\n4|w/b|NULL\n");
    chunk_free(rows);
    tc_close(pub);
    s->vt->close(s);
}

TEST(source_community_option_names)
{
    char url[96];
    snprintf(url, sizeof url, "tcp://%s:%d", host, port);
    fixture f;
    mqtt_table(&f, "connector", "mqtt", "hostUrl", url, "sourceTopics", "eddy/cn/a, eddy/cn/b", "format", "json",
            "clientIdPrefix", "myapp", "cleanSession", "true", "keepAliveInterval", "30", "connectionTimeout", "5",
            "autoReconnect", "true", "qos", "1", "scan.bounded.message-count", "2", NULL);
    err_clear();
    CHECK_EQ_INT(connector_check_options(&f.t, &connector_mqtt), 0);
    source_t *s = connector_mqtt.create_source(&f.t);
    CHECK(s != NULL);
    if (!s) { err_print(stderr); return; }
    test_client *pub = tc_open(NULL, 0);
    tc_publish(pub, "eddy/cn/b", "{\"id\":1}", 1);
    tc_publish(pub, "eddy/cn/a", "{\"id\":2}", 1);
    chunk_t *rows;
    CHECK_EQ_INT(poll_source(s, &rows, 0, 5000), 0);
    CHECK_EQ_STR(all_rows(rows), "1|NULL|NULL\n2|NULL|NULL\n");
    chunk_free(rows);
    tc_close(pub);
    s->vt->close(s);
}

TEST(qos_levels)
{
    static const char *const qos_text[] = {"0", "1", "2"};
    for (int q = 0; q < 3; q++) {
        char topic[32], payload[64], expected[64];
        snprintf(topic, sizeof topic, "eddy/qos/%d", q);
        fixture f;
        mqtt_table(&f, "host", host, "port", port_text, "topic", topic, "format", "json", "qos", qos_text[q],
                "scan.bounded.message-count", "2", NULL);
        source_t *s = connector_mqtt.create_source(&f.t);
        CHECK(s != NULL);
        if (!s) return;
        test_client *pub = tc_open(NULL, 0);
        snprintf(payload, sizeof payload, "{\"id\":%d,\"name\":\"q\"}", q);
        tc_publish(pub, topic, payload, q);
        snprintf(payload, sizeof payload, "{\"id\":%d,\"name\":\"r\"}", 10 + q);
        tc_publish(pub, topic, payload, q);
        chunk_t *rows;
        CHECK_EQ_INT(poll_source(s, &rows, 0, 5000), 0);
        snprintf(expected, sizeof expected, "%d|q|NULL\n%d|r|NULL\n", q, 10 + q);
        CHECK_EQ_STR(all_rows(rows), expected);
        chunk_free(rows);
        tc_close(pub);
        s->vt->close(s);

        /* The sink at the same QoS: a subscriber at that QoS receives every message. */
        test_client *sub = tc_open(topic, q);
        mqtt_table(&f, "host", host, "port", port_text, "topic", topic, "format", "json", "qos", qos_text[q], NULL);
        sink_t *k = connector_mqtt.create_sink(&f.t);
        CHECK(k != NULL);
        if (!k) { tc_close(sub); return; }
        chunk_t *c = json_rows(&f, "{\"id\":7,\"name\":\"s\",\"v\":0.5}\n{\"id\":8}\n");
        CHECK_EQ_INT(k->vt->write(k, c), 0);
        CHECK_EQ_INT(k->vt->flush(k), 0);
        CHECK_EQ_INT(tc_wait(sub, &sub->nmsgs, 2), 2);
        if (sub->nmsgs == 2) {
            CHECK_EQ_STR(sub->payloads[0], "{\"id\":7,\"name\":\"s\",\"v\":0.5}");
            CHECK_EQ_STR(sub->payloads[1], "{\"id\":8,\"name\":null,\"v\":null}");
        }
        chunk_free(c);
        k->vt->close(k);
        tc_close(sub);
    }
}

TEST(source_malformed_message_fails)
{
    fixture f;
    mqtt_table(&f, "host", host, "port", port_text, "topic", "eddy/bad/+", "format", "json", NULL);
    source_t *s = connector_mqtt.create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    test_client *pub = tc_open(NULL, 0);
    tc_publish(pub, "eddy/bad/x", "{\"id\":1}", 1);
    tc_publish(pub, "eddy/bad/x", "{\"id\":2,", 1);
    err_clear();
    chunk_t *rows;
    CHECK_EQ_INT(poll_source(s, &rows, 0, 5000), -1);
    CHECK_EQ_STR(all_rows(rows), "1|NULL|NULL\n");
    CHECK(strstr(err_message(), "MQTT topic 'eddy/bad/x'") != NULL);
    if (!strstr(err_message(), "MQTT topic 'eddy/bad/x'")) fprintf(stderr, "error: %s\n", err_message());
    err_clear();
    chunk_free(rows);
    tc_close(pub);
    s->vt->close(s);
}

TEST(source_ignore_parse_errors)
{
    fixture f;
    mqtt_table(&f, "host", host, "port", port_text, "topic", "eddy/skip", "format", "json", "json.ignore-parse-errors",
            "true", "scan.bounded.message-count", "4", NULL);
    err_clear();
    CHECK_EQ_INT(connector_check_options(&f.t, &connector_mqtt), 0);
    source_t *s = connector_mqtt.create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    test_client *pub = tc_open(NULL, 0);
    tc_publish(pub, "eddy/skip", "{\"id\":1}", 1);
    tc_publish(pub, "eddy/skip", "not json", 1);
    tc_publish(pub, "eddy/skip", "{\"id\":\"two\"}", 1);
    tc_publish(pub, "eddy/skip", "{\"id\":4}", 1);
    chunk_t *rows;
    CHECK_EQ_INT(poll_source(s, &rows, 0, 5000), 0);
    CHECK_EQ_STR(all_rows(rows), "1|NULL|NULL\n4|NULL|NULL\n");
    CHECK_EQ_INT(s->rows, 2);
    CHECK_EQ_INT(s->skipped, 2);
    CHECK(!err_pending());
    chunk_free(rows);
    tc_close(pub);
    s->vt->close(s);
}

TEST(source_csv_and_big_payloads)
{
    /* A payload larger than a read buffer and many messages in one burst, as csv. */
    fixture f;
    mqtt_table(&f, "host", host, "port", port_text, "topic", "eddy/csv", "format", "csv",
            "scan.bounded.message-count", "2000", NULL);
    source_t *s = connector_mqtt.create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    test_client *pub = tc_open(NULL, 0);
    char *big = xmalloc(200001);
    memset(big, 'x', 200000);
    big[200000] = 0;
    sb_t p = {0};
    sb_printf(&p, "0,%s,0.25", big);
    tc_publish(pub, "eddy/csv", p.data, 1);
    for (int i = 1; i < 2000; i++) {
        sb_clear(&p);
        sb_printf(&p, "%d,n%d,%d.5\n", i, i, i);
        CHECK_EQ_INT(mosquitto_publish(pub->m, NULL, "eddy/csv", (int)p.len, p.data, 1, false), MOSQ_ERR_SUCCESS);
    }
    CHECK_EQ_INT(tc_wait(pub, &pub->published, 2000), 2000);
    chunk_t *rows;
    CHECK_EQ_INT(poll_source(s, &rows, 0, 10000), 0);
    CHECK_EQ_INT(rows->nrows, 2000);
    CHECK_EQ_INT(s->rows, 2000);
    if (rows->nrows == 2000) {
        value_t v;
        vector_get(&rows->cols[1], 0, &v);
        CHECK_EQ_INT(v.s.len, 200000);
        int in_order = 1;
        for (uint32_t r = 1; r < 2000; r++) {
            vector_get(&rows->cols[0], r, &v);
            if (v.i != (int64_t)r) in_order = 0;
        }
        CHECK(in_order);
        vector_get(&rows->cols[2], 1999, &v);
        CHECK_EQ_DBL(v.f, 1999.5, 0);
    }
    chunk_free(rows);
    sb_free(&p);
    free(big);
    tc_close(pub);
    s->vt->close(s);
}

TEST(source_resubscribes_after_broker_restart)
{
    fixture f;
    mqtt_table(&f, "host", host, "port", port_text, "topic", "eddy/restart", "format", "json", "qos", "1",
            "scan.bounded.message-count", "2", NULL);
    source_t *s = connector_mqtt.create_source(&f.t);
    CHECK(s != NULL);
    if (!s) return;
    test_client *pub = tc_open(NULL, 0);
    tc_publish(pub, "eddy/restart", "{\"id\":1}", 1);
    chunk_t *rows;
    CHECK_EQ_INT(poll_source(s, &rows, 1, 3000), 1);
    CHECK_EQ_STR(all_rows(rows), "1|NULL|NULL\n");
    chunk_free(rows);
    tc_close(pub);
    fixture g;
    mqtt_table(&g, "host", host, "port", port_text, "topic", "eddy/restart", "format", "json", "client-id", "no-retry",
            "autoReconnect", "false", NULL);
    source_t *once = connector_mqtt.create_source(&g.t);
    CHECK(once != NULL);

    char args[256];
    snprintf(args, sizeof args, "restart '%s'", broker_dir);
    CHECK_EQ_INT(run_script(args, NULL, 0), 0);
    /* Without automatic reconnection the lost connection fails the job. */
    if (once) {
        err_clear();
        CHECK_EQ_INT(poll_source(once, &rows, 0, 3000), -1);
        chunk_free(rows);
        char expected[256];
        snprintf(expected, sizeof expected,
                 "connection of MQTT table 't' to broker %s:%d was lost (The connection was lost.) and "
                 "'autoReconnect' is false", host, port);
        CHECK_EQ_STR(err_message(), expected);
        err_clear();
        once->vt->close(once);
    }
    /* The source reconnects within its back-off (1 s, then 2 s) and subscribes again; the
     * broker keeps no session (persistence off), so only the new subscription can deliver. */
    snprintf(args, sizeof args, "wait-subscribed '%s' eddy-%ld-t 10", broker_dir, (long)getpid());
    CHECK_EQ_INT(run_script(args, NULL, 0), 0);
    pub = tc_open(NULL, 0);
    tc_publish(pub, "eddy/restart", "{\"id\":2}", 1);
    CHECK_EQ_INT(poll_source(s, &rows, 0, 5000), 0);
    CHECK_EQ_STR(all_rows(rows), "2|NULL|NULL\n");
    chunk_free(rows);
    tc_close(pub);
    s->vt->close(s);
}

/* ---- sink ---- */

TEST(sink_publishes_rows)
{
    test_client *sub = tc_open("eddy/sink/#", 1);
    fixture f;
    mqtt_table(&f, "connector", "mqtt", "host", host, "port", port_text, "topic", "eddy/sink/out", "format", "json",
            NULL);
    err_clear();
    CHECK_EQ_INT(connector_check_options(&f.t, &connector_mqtt), 0);
    sink_t *k = connector_mqtt.create_sink(&f.t);
    CHECK(k != NULL);
    if (!k) { tc_close(sub); return; }
    chunk_t *c = json_rows(&f, "{\"id\":1,\"name\":\"a \\\"q\\\"\",\"v\":1.5}\n{\"id\":2,\"name\":\"b\",\"v\":-2}\n"
                               "{\"id\":3,\"name\":\"skip me\"}\n{\"id\":4,\"name\":\"d\",\"v\":1e20}\n");
    /* Only live rows are published. */
    uint16_t sel[] = {0, 1, 3};
    c->sel = sel;
    c->nsel = 3;
    CHECK_EQ_INT(k->vt->write(k, c), 0);
    CHECK_EQ_INT(k->vt->flush(k), 0);
    CHECK_EQ_INT(k->rows, 3);
    CHECK_EQ_INT(tc_wait(sub, &sub->nmsgs, 3), 3);
    sleep_ms(50);
    CHECK_EQ_INT(sub->nmsgs, 3);
    if (sub->nmsgs >= 3) {
        CHECK_EQ_STR(sub->topics[0], "eddy/sink/out");
        CHECK_EQ_STR(sub->payloads[0], "{\"id\":1,\"name\":\"a \\\"q\\\"\",\"v\":1.5}");
        CHECK_EQ_STR(sub->payloads[1], "{\"id\":2,\"name\":\"b\",\"v\":-2.0}");
        CHECK_EQ_STR(sub->payloads[2], "{\"id\":4,\"name\":\"d\",\"v\":1.0E20}");
        CHECK_EQ_INT(sub->retained[0], 0);
    }
    /* Updates are refused with a non-changelog format. */
    c->sel = NULL;
    c->ops[1] = OP_DELETE;
    err_clear();
    CHECK_EQ_INT(k->vt->write(k, c), -1);
    CHECK_EQ_STR(err_message(), "MQTT sink of table 't' accepts only inserts with format 'json', got a -D row; use "
                                "'debezium-json' or 'canal-json' to publish updates");
    err_clear();
    chunk_free(c);
    k->vt->close(k);
    tc_close(sub);
}

TEST(sink_and_source_changelog_format)
{
    /* debezium-json: the sink takes every op and writes it as Flink does (-U as a delete, +U
     * as a create); the source reads the messages back with their ops. */
    fixture f;
    mqtt_table(&f, "host", host, "port", port_text, "topic", "eddy/cdc", "format", "debezium-json",
            "scan.bounded.message-count", "4", NULL);
    source_t *s = connector_mqtt.create_source(&f.t);
    CHECK(s != NULL);
    if (!s) { err_print(stderr); return; }
    fixture g;
    mqtt_table(&g, "host", host, "port", port_text, "topic", "eddy/cdc", "format", "debezium-json", NULL);
    sink_t *k = connector_mqtt.create_sink(&g.t);
    CHECK(k != NULL);
    if (!k) { s->vt->close(s); return; }
    chunk_t *c = json_rows(&g, "{\"id\":1,\"name\":\"a\",\"v\":1}\n{\"id\":1,\"name\":\"a\",\"v\":1}\n"
                               "{\"id\":1,\"name\":\"b\",\"v\":2}\n{\"id\":1,\"name\":\"b\",\"v\":2}\n");
    c->ops[1] = OP_UPDATE_BEFORE;
    c->ops[2] = OP_UPDATE_AFTER;
    c->ops[3] = OP_DELETE;
    err_clear();
    CHECK_EQ_INT(k->vt->write(k, c), 0);
    CHECK_EQ_INT(k->vt->flush(k), 0);
    k->vt->close(k);
    chunk_t *rows;
    CHECK_EQ_INT(poll_source(s, &rows, 0, 5000), 0);
    CHECK_EQ_STR(all_rows(rows), "1|a|1.0\n1|a|1.0\n1|b|2.0\n1|b|2.0\n");
    if (rows->nrows == 4) {
        CHECK_EQ_INT(rows->ops[0], OP_INSERT);
        CHECK_EQ_INT(rows->ops[1], OP_DELETE);
        CHECK_EQ_INT(rows->ops[2], OP_INSERT);
        CHECK_EQ_INT(rows->ops[3], OP_DELETE);
    }
    chunk_free(rows);
    chunk_free(c);
    s->vt->close(s);
}

TEST(sink_retain)
{
    fixture f;
    mqtt_table(&f, "host", host, "port", port_text, "topic", "eddy/retained", "format", "csv", "sink.retain", "true",
            "qos", "2", NULL);
    sink_t *k = connector_mqtt.create_sink(&f.t);
    CHECK(k != NULL);
    if (!k) return;
    chunk_t *c = json_rows(&f, "{\"id\":1,\"name\":\"first\"}\n{\"id\":2,\"name\":\"last\",\"v\":0.5}\n");
    CHECK_EQ_INT(k->vt->write(k, c), 0);
    CHECK_EQ_INT(k->vt->flush(k), 0);
    k->vt->close(k);
    /* A subscriber arriving later gets the last message, flagged retained. */
    test_client *sub = tc_open("eddy/retained", 1);
    CHECK_EQ_INT(tc_wait(sub, &sub->nmsgs, 1), 1);
    if (sub->nmsgs) {
        CHECK_EQ_STR(sub->payloads[0], "2,last,0.5");
        CHECK_EQ_INT(sub->retained[0], 1);
    }
    tc_close(sub);
    test_client *pub = tc_open(NULL, 0);
    CHECK_EQ_INT(mosquitto_publish(pub->m, NULL, "eddy/retained", 0, NULL, 1, true), MOSQ_ERR_SUCCESS);   /* clear */
    CHECK_EQ_INT(tc_wait(pub, &pub->published, 1), 1);
    tc_close(pub);
    chunk_free(c);
}

/* A fake broker: accepts one client, answers its CONNECT with a CONNACK and then reads
 * and ignores everything, so QoS 1 publishes are never acknowledged. */
typedef struct fake_broker {
    int listen_fd;
    int port;
    pthread_t thread;
} fake_broker;

static void *fake_broker_run(void *arg)
{
    fake_broker *fb = arg;
    int fd = accept(fb->listen_fd, NULL, NULL);
    if (fd < 0) return NULL;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);                    /* CONNECT */
    static const unsigned char connack[] = {0x20, 0x02, 0x00, 0x00};
    if (n > 0 && write(fd, connack, sizeof connack) != (ssize_t)sizeof connack) n = 0;
    while (n > 0) n = read(fd, buf, sizeof buf);
    close(fd);
    return NULL;
}

static int fake_broker_start(fake_broker *fb)
{
    fb->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (bind(fb->listen_fd, (struct sockaddr *)&a, sizeof a) || listen(fb->listen_fd, 1) ||
        getsockname(fb->listen_fd, (struct sockaddr *)&a, &len))
        return -1;
    fb->port = ntohs(a.sin_port);
    return pthread_create(&fb->thread, NULL, fake_broker_run, fb);
}

static void fake_broker_stop(fake_broker *fb)
{
    pthread_join(fb->thread, NULL);
    close(fb->listen_fd);
}

TEST(sink_flush_timeout)
{
    fake_broker fb;
    CHECK_EQ_INT(fake_broker_start(&fb), 0);
    char p[16];
    snprintf(p, sizeof p, "%d", fb.port);
    fixture f;
    mqtt_table(&f, "host", host, "port", p, "topic", "eddy/unacked", "format", "json", "sink.flush-timeout", "300 ms",
            NULL);
    err_clear();
    sink_t *k = connector_mqtt.create_sink(&f.t);
    CHECK(k != NULL);
    if (!k) { err_print(stderr); return; }
    chunk_t *c = json_rows(&f, "{\"id\":1}\n{\"id\":2}\n");
    CHECK_EQ_INT(k->vt->write(k, c), 0);
    int64_t t0 = now_ms();
    CHECK_EQ_INT(k->vt->flush(k), -1);
    int64_t waited = now_ms() - t0;
    CHECK(waited >= 300 && waited < 2000);
    char expected[256];
    snprintf(expected, sizeof expected,
             "MQTT sink of table 't': 2 of 2 messages published to topic 'eddy/unacked' at QoS 1 were not "
             "acknowledged by broker %s:%s within 300 ms (connected)", host, p);
    CHECK_EQ_STR(err_message(), expected);
    k->vt->close(k);                     /* with the job's error pending, close does not wait again */
    err_clear();
    chunk_free(c);
    fake_broker_stop(&fb);

    /* QoS 0 completes when the message is written to the socket: nothing to wait for. */
    CHECK_EQ_INT(fake_broker_start(&fb), 0);
    snprintf(p, sizeof p, "%d", fb.port);
    mqtt_table(&f, "host", host, "port", p, "topic", "eddy/unacked", "format", "json", "qos", "0",
            "sink.flush-timeout", "300 ms", NULL);
    k = connector_mqtt.create_sink(&f.t);
    CHECK(k != NULL);
    if (!k) return;
    c = json_rows(&f, "{\"id\":1}\n");
    CHECK_EQ_INT(k->vt->write(k, c), 0);
    CHECK_EQ_INT(k->vt->flush(k), 0);
    k->vt->close(k);
    chunk_free(c);
    fake_broker_stop(&fb);
}

TEST(sink_broker_gone)
{
    /* A broker of its own that goes away: the sink waits 'connect-timeout' for it, then fails. */
    char dir[64] = "/tmp/eddy_mqtt_gone_XXXXXX", args[256], addr[64], p[16];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(args, sizeof args, "start '%s'", dir);
    CHECK_EQ_INT(run_script(args, addr, sizeof addr), 0);
    snprintf(p, sizeof p, "%d", port_of(addr));
    fixture f;
    mqtt_table(&f, "host", host, "port", p, "topic", "eddy/gone", "format", "json", "connect-timeout", "1 s", NULL);
    sink_t *k = connector_mqtt.create_sink(&f.t);
    CHECK(k != NULL);
    snprintf(args, sizeof args, "stop '%s'", dir);
    CHECK_EQ_INT(run_script(args, NULL, 0), 0);
    if (k) {
        chunk_t *c = json_rows(&f, "{\"id\":1}\n{\"id\":2}\n");
        sleep_ms(100);
        err_clear();
        int64_t t0 = now_ms();
        CHECK_EQ_INT(k->vt->write(k, c), -1);
        CHECK(now_ms() - t0 >= 900);
        char expected[256];
        snprintf(expected, sizeof expected,
                 "MQTT sink of table 't': not connected to broker %s:%s for 1 s; cannot publish to topic 'eddy/gone'",
                 host, p);
        CHECK_EQ_STR(err_message(), expected);
        k->vt->close(k);
        err_clear();
        chunk_free(c);
    }
    snprintf(args, sizeof args, "rm -rf '%s'", dir);
    CHECK_EQ_INT(system(args), 0);
}

/* ---- login ---- */

TEST(username_password)
{
    fixture f;
    mqtt_table(&f, "host", host, "port", auth_port_text, "topic", "eddy/auth", "format", "json", "username", "alice",
            "password", "s3cret", "scan.bounded.message-count", "1", NULL);
    err_clear();
    source_t *s = connector_mqtt.create_source(&f.t);
    CHECK(s != NULL);
    if (!s) { err_print(stderr); return; }
    fixture g;
    mqtt_table(&g, "host", host, "port", auth_port_text, "topic", "eddy/auth", "format", "json", "username", "alice",
            "password", "s3cret", NULL);
    sink_t *k = connector_mqtt.create_sink(&g.t);
    CHECK(k != NULL);
    if (k) {
        chunk_t *c = json_rows(&g, "{\"id\":42,\"name\":\"secret\"}\n");
        CHECK_EQ_INT(k->vt->write(k, c), 0);
        CHECK_EQ_INT(k->vt->flush(k), 0);
        chunk_free(c);
        k->vt->close(k);
    }
    chunk_t *rows;
    CHECK_EQ_INT(poll_source(s, &rows, 0, 5000), 0);
    CHECK_EQ_STR(all_rows(rows), "42|secret|NULL\n");
    chunk_free(rows);
    s->vt->close(s);

    char expected[256];
    snprintf(expected, sizeof expected,
             "MQTT broker %s:%d refused the connection of table 't': Connection Refused: not authorised.", host,
             auth_port);
    mqtt_table(&f, "host", host, "port", auth_port_text, "topic", "eddy/auth", "format", "json", "username", "alice",
            "password", "wrong", NULL);
    err_clear();
    CHECK(connector_mqtt.create_source(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), expected);
    mqtt_table(&f, "host", host, "port", auth_port_text, "topic", "eddy/auth", "format", "json", NULL);
    err_clear();
    CHECK(connector_mqtt.create_sink(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), expected);
    err_clear();
}

/* ---- connection and option errors ---- */

TEST(connection_refused)
{
    /* A port nobody listens on: the broker's port + 2 is checked free by the script's choice. */
    int closed = port + 2;
    char p[16], expected[256];
    snprintf(p, sizeof p, "%d", closed);
    fixture f;
    mqtt_table(&f, "host", host, "port", p, "topic", "eddy/x", "format", "json", NULL);
    err_clear();
    CHECK(connector_mqtt.create_source(&f.t) == NULL);
    snprintf(expected, sizeof expected, "cannot connect to MQTT broker %s:%d (table 't'): Connection refused", host,
             closed);
    CHECK_EQ_STR(err_message(), expected);
    CHECK(strstr(err_text(), ":2:30: error:") != NULL);                  /* at the 'host' value */
    err_clear();
    CHECK(connector_mqtt.create_sink(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), expected);
    err_clear();
    mqtt_table(&f, "host", "no-such-host.invalid", "topic", "eddy/x", "format", "json", NULL);
    CHECK(connector_mqtt.create_source(&f.t) == NULL);
    CHECK(strncmp(err_message(), "cannot connect to MQTT broker no-such-host.invalid:1883 (table 't'): ", 68) == 0);
    err_clear();
}

/* Creating a source (or sink) with these options (up to 10 key, value pairs, then NULL)
 * fails with this message. */
static void expect_error(int sink, const char *message, ...)
{
    const char *a[20] = {0};
    va_list ap;
    va_start(ap, message);
    for (int i = 0; i < 20 && (a[i] = va_arg(ap, const char *)) != NULL; i++) {}
    va_end(ap);
    fixture f;
    mqtt_table(&f, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14],
            a[15], a[16], a[17], a[18], a[19], NULL);
    err_clear();
    if (sink) CHECK(connector_mqtt.create_sink(&f.t) == NULL);
    else CHECK(connector_mqtt.create_source(&f.t) == NULL);
    CHECK_EQ_STR(err_message(), message);
    err_clear();
}

TEST(option_errors)
{
    expect_error(0, "connector 'mqtt' requires options 'host' and 'topic' (table 't')", "format", "json", NULL);
    expect_error(0, "connector 'mqtt' requires option 'topic' (table 't')", "host", host, "format", "json", NULL);
    expect_error(1, "connector 'mqtt' requires option 'host' (table 't')", "topic", "a", "format", "json", NULL);
    expect_error(0, "invalid value '3' for option 'qos'; valid values: 0, 1, 2", "host", host, "topic", "a",
                 "format", "json", "qos", "3", NULL);
    expect_error(0, "option 'port' expects a port number between 1 and 65535, got '0'", "host", host, "port", "0",
                 "topic", "a", "format", "json", NULL);
    expect_error(0, "option 'port' expects a port number between 1 and 65535, got '65536'", "host", host, "port",
                 "65536", "topic", "a", "format", "json", NULL);
    expect_error(0, "option 'port' expects a port number between 1 and 65535, got '18x'", "host", host, "port",
                 "18x", "topic", "a", "format", "json", NULL);
    expect_error(1, "MQTT topic 'a/+/b' cannot be published to: a sink topic may not contain the wildcards '+' or "
                    "'#' (table 't')", "host", host, "topic", "a/+/b", "format", "json", NULL);
    expect_error(1, "option 'topic': an MQTT sink publishes to one topic, got 'a;b' (table 't')", "host", host,
                 "topic", "a;b", "format", "json", NULL);
    expect_error(0, "MQTT topic filter 'a/b#' is invalid: '+' must fill a whole level and '#' must be the last "
                    "level (table 't')", "host", host, "topic", "a/b#", "format", "json", NULL);
    expect_error(0, "MQTT topic filter 'a/#/b' is invalid: '+' must fill a whole level and '#' must be the last "
                    "level (table 't')", "host", host, "topic", "ok;a/#/b", "format", "json", NULL);
    expect_error(0, "option 'topic' has an empty topic in 'a;'", "host", host, "topic", "a;", "format", "json", NULL);
    expect_error(0, "option 'keep-alive' must be between 5 s and 65535 s, got '4 s'", "host", host, "topic", "a",
                 "format", "json", "keep-alive", "4 s", NULL);
    expect_error(0, "options 'host' and 'hostUrl' both set the same thing; keep one (table 't')", "host", host,
                 "hostUrl", "tcp://h:1", "topic", "a", "format", "json", NULL);
    expect_error(0, "option 'hostUrl': scheme 'ssl' is not supported; use 'tcp://host:port'", "hostUrl",
                 "ssl://h:8883", "topic", "a", "format", "json", NULL);
    expect_error(0, "option 'port' conflicts with the port in 'hostUrl' (table 't')", "hostUrl", "tcp://h:1",
                 "port", "2", "topic", "a", "format", "json", NULL);
    expect_error(0, "option 'password' needs 'username' as well (table 't')", "host", host, "topic", "a",
                 "format", "json", "password", "x", NULL);
    expect_error(0, "option 'scan.bounded.message-count' must be at least 1, got '0'", "host", host, "topic", "a",
                 "format", "json", "scan.bounded.message-count", "0", NULL);
    expect_error(0, "option 'scan.bounded.idle-timeout' expects a duration such as '10 s', '500 ms', '5 min' or "
                    "'1 h', got 'soon'", "host", host, "topic", "a", "format", "json",
                 "scan.bounded.idle-timeout", "soon", NULL);
    expect_error(0, "option 'clean-session' expects 'true' or 'false', got 'yes'", "host", host, "topic", "a",
                 "format", "json", "clean-session", "yes", NULL);
    expect_error(0, "option 'keepAliveInterval' expects a whole number, got '60s'", "host", host, "topic", "a",
                 "format", "json", "keepAliveInterval", "60s", NULL);
    char format_error[256];
    snprintf(format_error, sizeof format_error, "table 't' needs option 'format'; valid formats: %s", format_list());
    expect_error(0, format_error, "host", host, "topic", "a", NULL);

    /* Unknown keys are reported by the generic check with the valid ones. */
    fixture f;
    mqtt_table(&f, "connector", "mqtt", "host", host, "topic", "a", "format", "json", "qso", "1", NULL);
    err_clear();
    CHECK_EQ_INT(connector_check_options(&f.t, &connector_mqtt), -1);
    CHECK(strncmp(err_message(), "unknown option 'qso' for connector 'mqtt' with format 'json'; valid options: host, "
                                 "port, topic, qos,", 86) == 0);
    CHECK(strstr(err_text(), "did you mean 'qos'?") != NULL);
    err_clear();
}

TEST(default_client_id)
{
    /* The broker's log names the client: eddy-<pid>-<table> for a source. */
    fixture f;
    mqtt_table(&f, "host", host, "port", port_text, "topic", "eddy/id", "format", "json", NULL);
    source_t *s = connector_mqtt.create_source(&f.t);
    CHECK(s != NULL);
    char args[256];
    snprintf(args, sizeof args, "wait-subscribed '%s' eddy-%ld-t 2", broker_dir, (long)getpid());
    CHECK_EQ_INT(run_script(args, NULL, 0), 0);
    if (s) s->vt->close(s);
    mqtt_table(&f, "host", host, "port", port_text, "topic", "eddy/id", "format", "json", "client-id", "my-reader",
            NULL);
    s = connector_mqtt.create_source(&f.t);
    CHECK(s != NULL);
    snprintf(args, sizeof args, "wait-subscribed '%s' my-reader 2", broker_dir);
    CHECK_EQ_INT(run_script(args, NULL, 0), 0);
    if (s) s->vt->close(s);
}

int main(void)
{
    if (!have_mosquitto()) {
        printf("test_mqtt: skipped: mosquitto is not installed (Debian: apt-get install mosquitto)\n");
        return CHECK_DONE();
    }
    /* tests/unit/test_mqtt.c -> tests/services/mosquitto.sh */
    const char *unit = strstr(__FILE__, "unit/test_mqtt.c");
    if (unit) snprintf(script, sizeof script, "%.*sservices/mosquitto.sh", (int)(unit - __FILE__), __FILE__);
    else snprintf(script, sizeof script, "tests/services/mosquitto.sh");
    if (access(script, R_OK) != 0) {
        printf("test_mqtt: skipped: %s not found (run from the repository root)\n", script);
        return CHECK_DONE();
    }
    if (start_broker() != 0) {
        fprintf(stderr, "test_mqtt: the broker did not start (%s)\n", broker_dir);
        return 1;
    }
    mosquitto_lib_init();
    RUN(option_errors);
    RUN(source_json_rows);
    RUN(source_message_count_boundary);
    RUN(source_idle_timeout);
    RUN(source_unbounded_by_default);
    RUN(source_wildcards);
    RUN(source_community_option_names);
    RUN(qos_levels);
    RUN(source_malformed_message_fails);
    RUN(source_ignore_parse_errors);
    RUN(source_csv_and_big_payloads);
    RUN(sink_publishes_rows);
    RUN(sink_and_source_changelog_format);
    RUN(sink_retain);
    RUN(sink_flush_timeout);
    RUN(sink_broker_gone);
    RUN(username_password);
    RUN(connection_refused);
    RUN(default_client_id);
    RUN(source_resubscribes_after_broker_restart);
    return CHECK_DONE();
}
