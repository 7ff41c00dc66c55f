/* test_gen_live.c - live `eddy gen` streams: --to parsing, durations, reading event times from
 * CSV and JSON lines, the merge order, the disorder bound, pacing, the stdout and file
 * publishers (exact output for a small seed, the same rows as file mode), option errors, and
 * connection errors naming the address. Kafka and MQTT delivery are covered end to end by
 * tests/e2e/gen_kafka.sh and tests/e2e/gen_mqtt.sh. */
#include "check.h"
#include "gen_testkit.h"
#include "gen/gen.h"
#include "base/err.h"
#include <fcntl.h>
#include <stdarg.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char *tmp;                       /* this run's scratch directory */

static char *path_in(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", tmp, name);
    return p;
}

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(path_in(name), "wb");
    fputs(text, f);
    fclose(f);
}

static char *read_file(const char *name) { return slurp(tmp, name, NULL); }

/* gen_main("gen", args..., NULL). */
static int run_gen(const char *first, ...)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)"gen";
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a; a = va_arg(ap, const char *)) argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    err_clear();
    return gen_main(argc, argv);
}

/* Lines of text split in place (text is modified); count in *n. */
static char **split_lines(char *text, int *n)
{
    int cap = 16;
    char **lines = malloc(sizeof *lines * (size_t)cap);
    *n = 0;
    for (char *p = text; p && *p; ) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        if (*n == cap) lines = realloc(lines, sizeof *lines * (size_t)(cap *= 2));
        lines[(*n)++] = p;
        p = nl ? nl + 1 : NULL;
    }
    return lines;
}

/* Field `column` (1-based) of a CSV line as a number. */
static long long csv_number(const char *line, int column)
{
    const char *p = line;
    for (int c = 1; c < column && p; c++) {
        p = strchr(p, ',');
        if (p) p++;
    }
    return p ? atoll(p) : -1;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* ---- --to and durations ----------------------------------------------------------------------- */

TEST(targets)
{
    gen_target t;
    CHECK_EQ_INT(gen_parse_target("-", &t), 0);
    CHECK_EQ_INT(t.kind, GEN_TO_STDOUT);
    CHECK_EQ_INT(gen_parse_target("out/events.csv", &t), 0);
    CHECK_EQ_INT(t.kind, GEN_TO_FILE);
    CHECK_EQ_INT(gen_parse_target("kafka://127.0.0.1:9092,broker2:19092", &t), 0);
    CHECK_EQ_INT(t.kind, GEN_TO_KAFKA);
    CHECK_EQ_STR(t.address, "127.0.0.1:9092,broker2:19092");
    gen_target_free(&t);
    CHECK_EQ_INT(gen_parse_target("kafka://localhost", &t), 0);        /* librdkafka's default port */
    gen_target_free(&t);
    CHECK_EQ_INT(gen_parse_target("mqtt://broker.local", &t), 0);
    CHECK_EQ_INT(t.kind, GEN_TO_MQTT);
    CHECK_EQ_STR(t.address, "broker.local");
    CHECK_EQ_INT(t.port, 1883);
    gen_target_free(&t);
    CHECK_EQ_INT(gen_parse_target("mqtt://[::1]:65535", &t), 0);
    CHECK_EQ_STR(t.address, "::1");
    CHECK_EQ_INT(t.port, 65535);
    gen_target_free(&t);
    CHECK_EQ_INT(gen_parse_target("mqtt://h:1", &t), 0);
    CHECK_EQ_INT(t.port, 1);
    gen_target_free(&t);

    err_clear();
    CHECK_EQ_INT(gen_parse_target("mqtt://h:65536", &t), 2);
    CHECK_EQ_STR(err_message(), "--to 'mqtt://h:65536': expected mqtt://HOST[:PORT] with a port 1..65535");
    err_clear();
    CHECK_EQ_INT(gen_parse_target("mqtt://h:0", &t), 2);
    err_clear();
    CHECK_EQ_INT(gen_parse_target("kafka://a:9092,:9093", &t), 2);
    CHECK_EQ_STR(err_message(), "--to 'kafka://a:9092,:9093': expected kafka://HOST:PORT[,HOST:PORT...] with ports 1..65535, got ':9093'");
    err_clear();
    CHECK_EQ_INT(gen_parse_target("kafka://", &t), 2);
    CHECK_EQ_STR(err_message(), "--to 'kafka://': expected kafka://HOST:PORT[,HOST:PORT...]");
    err_clear();
    CHECK_EQ_INT(gen_parse_target("amqp://h:5672", &t), 2);
    CHECK_EQ_STR(err_message(), "--to 'amqp://h:5672': unknown scheme 'amqp'; expected -, a file path, "
                                "kafka://HOST:PORT[,HOST:PORT...] or mqtt://HOST[:PORT]");
    err_clear();
    CHECK_EQ_INT(gen_parse_target("", &t), 2);
}

TEST(durations)
{
    int64_t us;
    const int64_t day = 86400LL * 1000000;
    CHECK_EQ_INT(gen_parse_duration("--disorder", "500ms", day, &us), 0);
    CHECK_EQ_INT(us, 500000);
    CHECK_EQ_INT(gen_parse_duration("--disorder", "5s", day, &us), 0);
    CHECK_EQ_INT(us, 5000000);
    CHECK_EQ_INT(gen_parse_duration("--disorder", "1.5", day, &us), 0);
    CHECK_EQ_INT(us, 1500000);
    CHECK_EQ_INT(gen_parse_duration("--disorder", "2m", day, &us), 0);
    CHECK_EQ_INT(us, 120000000);
    CHECK_EQ_INT(gen_parse_duration("--disorder", "2min", day, &us), 0);
    CHECK_EQ_INT(us, 120000000);
    CHECK_EQ_INT(gen_parse_duration("--disorder", "24h", day, &us), 0);
    CHECK_EQ_INT(us, day);
    CHECK_EQ_INT(gen_parse_duration("--disorder", "0", day, &us), 0);
    CHECK_EQ_INT(us, 0);
    err_clear();
    CHECK_EQ_INT(gen_parse_duration("--disorder", "86401s", day, &us), 2);
    CHECK_EQ_STR(err_message(), "--disorder expects a duration from 0 to 86400 s such as 500ms, 5s, 2m, 1h or seconds, got '86401s'");
    const char *bad[] = {"", "-1s", "5q", "s", "nan", "5 s"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err_clear();
        CHECK_EQ_INT(gen_parse_duration("--disorder", bad[i], day, &us), 2);
    }
}

TEST(live_mode_detection)
{
    char *a1[] = {(char *)"mall", (char *)"--days", (char *)"1", NULL};
    CHECK_EQ_INT(gen_is_live(3, a1), 1);                          /* no --out: live to stdout */
    char *a2[] = {(char *)"mall", (char *)"--out", (char *)"d", NULL};
    CHECK_EQ_INT(gen_is_live(3, a2), 0);
    char *a3[] = {(char *)"mall", (char *)"--out=d", (char *)"--to", (char *)"-", NULL};
    CHECK_EQ_INT(gen_is_live(4, a3), 1);
    char *a4[] = {(char *)"mall", (char *)"--tz", (char *)"--out", (char *)"--quiet", NULL};
    CHECK_EQ_INT(gen_is_live(4, a4), 1);                          /* "--out" is --tz's value */
    char *a5[] = {(char *)"mall", (char *)"--quiet", (char *)"--out", (char *)"d", NULL};
    CHECK_EQ_INT(gen_is_live(4, a5), 0);
}

/* ---- reading streams and their order ---------------------------------------------------------- */

/* A stream of a CSV file whose second column is epoch seconds, and one of JSON lines with
 * epoch milliseconds under "t". */
static gen_stream csv_stream(const char *name, const char *path)
{
    return (gen_stream){.name = name, .topic = name, .path = path, .delimiter = ',', .time_column = 2,
                        .time_kind = GEN_TIME_EPOCH_S};
}

static gen_stream json_stream(const char *name, const char *path)
{
    return (gen_stream){.name = name, .topic = name, .path = path, .time_field = "t", .time_kind = GEN_TIME_EPOCH_MS};
}

/* The lines of the events in r's current order, joined by '|'. */
static char *order_of(const gen_replay *r)
{
    static char buf[4096];
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < r->nevents && n + 100 < sizeof buf; i++) {
        const gen_event *e = &r->events[i];
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%.*s", i ? "|" : "", (int)e->len, r->data[e->stream] + e->offset);
    }
    return buf;
}

TEST(merge_in_event_time_order)
{
    write_file("a.csv", "a1,12\n\"a,2\",10\r\na3,11\n\na4,11\n");
    write_file("b.json", "{\"id\":1, \"t\":10500}\n{\"nested\":{\"t\":1},\"t\":\"11000\"}\n{\"t\":13000 ,\"x\":[1,\"]\"]}\n");
    write_file("empty.csv", "");
    gen_stream s[3] = {csv_stream("a", path_in("a.csv")), json_stream("b", path_in("b.json")),
                       csv_stream("c", path_in("empty.csv"))};
    gen_replay r;
    CHECK_EQ_INT(gen_replay_load(&r, s, 3), 0);
    CHECK_EQ_INT(r.nevents, 7);
    CHECK_EQ_INT(r.stats[0].events, 4);                           /* the empty line is no event */
    CHECK_EQ_INT(r.stats[1].events, 3);
    CHECK_EQ_INT(r.stats[2].events, 0);
    gen_replay_order(&r, 0, 1);
    /* by time; equal times: stream a before b, then file order (a3 before a4); \r dropped */
    CHECK_EQ_STR(order_of(&r), "\"a,2\",10|{\"id\":1, \"t\":10500}|a3,11|a4,11|{\"nested\":{\"t\":1},\"t\":\"11000\"}|a1,12|"
                               "{\"t\":13000 ,\"x\":[1,\"]\"]}");
    CHECK_EQ_INT(r.events[0].time_us, 10000000);
    CHECK_EQ_INT(r.events[1].time_us, 10500000);
    gen_replay_free(&r);
}

TEST(time_patterns_and_offsets)
{
    write_file("log.txt", "h1 - - 17/05/2015:10:05:03 +0000 GET /a\nh2 - - 17/05/2015:10:05:00 +0000 GET /b\n");
    write_file("z.json", "{\"ts\":\"2021-03-25 00:00:02+08:00\"}\n{\"ts\":\"2021-03-24 16:00:01+00:00\"}\n");
    gen_stream s[2] = {
        {.name = "log", .topic = "log", .path = path_in("log.txt"), .delimiter = ' ', .time_column = 4,
         .time_kind = GEN_TIME_PATTERN, .time_pattern = "dd/MM/yyyy:HH:mm:ss"},
        {.name = "z", .topic = "z", .path = path_in("z.json"), .time_field = "ts", .time_kind = GEN_TIME_PATTERN,
         .time_pattern = "yyyy-MM-dd HH:mm:ssXXX"},
    };
    gen_replay r;
    CHECK_EQ_INT(gen_replay_load(&r, s, 2), 0);
    gen_replay_order(&r, 0, 1);
    CHECK_EQ_STR(order_of(&r), "h2 - - 17/05/2015:10:05:00 +0000 GET /b|h1 - - 17/05/2015:10:05:03 +0000 GET /a|"
                               "{\"ts\":\"2021-03-24 16:00:01+00:00\"}|{\"ts\":\"2021-03-25 00:00:02+08:00\"}");
    CHECK_EQ_INT(r.events[0].time_us, 1431857100LL * 1000000);    /* 2015-05-17 10:05:00 */
    CHECK_EQ_INT(r.events[3].time_us, 1616601602LL * 1000000);    /* 2021-03-24 16:00:02 UTC */
    gen_replay_free(&r);
}

static void expect_load_error(const char *file, const char *text, gen_stream s, const char *expected)
{
    write_file(file, text);
    gen_replay r;
    err_clear();
    CHECK_EQ_INT(gen_replay_load(&r, &s, 1), 1);
    char want[512];
    snprintf(want, sizeof want, expected, s.path);
    CHECK_EQ_STR(err_message(), want);
    gen_replay_free(&r);
}

TEST(unreadable_event_times)
{
    expect_load_error("e1.csv", "x,1\ny\n", csv_stream("e1", path_in("e1.csv")),
                      "%s:2: the event time is column 2 but the line has fewer columns");
    expect_load_error("e2.csv", "x,12a\n", csv_stream("e2", path_in("e2.csv")),
                      "%s:1: event time '12a' is not whole epoch seconds");
    expect_load_error("e3.csv", "x,1\nx,", csv_stream("e3", path_in("e3.csv")), "%s:2: event time '' is not whole epoch seconds");
    expect_load_error("e4.json", "{\"t\":1}\n{\"u\":2}\n", json_stream("e4", path_in("e4.json")),
                      "%s:2: no key 't' (the event time) in '{\"u\":2}'");
    expect_load_error("e5.json", "[1,2]\n", json_stream("e5", path_in("e5.json")), "%s:1: not a JSON object: '[1,2]'");
    expect_load_error("e6.json", "{\"t\":null}\n", json_stream("e6", path_in("e6.json")), "%s:1: the event time 't' is null");
    expect_load_error("e7.json", "{\"t\":\"1.5\"}\n", json_stream("e7", path_in("e7.json")),
                      "%s:1: event time '1.5' is not whole epoch milliseconds");
    gen_stream pattern = {.name = "p", .topic = "p", .path = path_in("e8.csv"), .delimiter = ',', .time_column = 1,
                          .time_kind = GEN_TIME_PATTERN, .time_pattern = "yyyy-MM-dd HH:mm:ss"};
    expect_load_error("e8.csv", "2024-02-30 00:00:00\n2024-03-01T00:00:00\n", pattern,
                      "%s:2: event time '2024-03-01T00:00:00' does not match the pattern 'yyyy-MM-dd HH:mm:ss'");
    gen_stream missing = csv_stream("m", path_in("no_such_file.csv"));
    gen_replay r;
    err_clear();
    CHECK_EQ_INT(gen_replay_load(&r, &missing, 1), 1);
    char want[600];
    snprintf(want, sizeof want, "cannot open '%s': No such file or directory", missing.path);
    CHECK_EQ_STR(err_message(), want);
    gen_replay_free(&r);
}

/* n events 10 ms apart in event time: "i,T" with T in epoch ms, in a file. */
static gen_stream ticking_stream(const char *name, int n)
{
    char *text = malloc((size_t)n * 32 + 1), *p = text;
    for (int i = 0; i < n; i++) p += sprintf(p, "%d,%lld\n", i, 1700000000000LL + 10LL * i);
    write_file(name, text);
    free(text);
    return (gen_stream){.name = name, .topic = name, .path = path_in(name), .delimiter = ',', .time_column = 2,
                        .time_kind = GEN_TIME_EPOCH_MS};
}

/* The largest lateness (latest event time so far - this event's time) in r's order, and the
 * number of events that come after a later one. */
static int64_t max_lateness(const gen_replay *r, size_t *late_events)
{
    int64_t latest = INT64_MIN, worst = 0;
    *late_events = 0;
    for (size_t i = 0; i < r->nevents; i++) {
        int64_t t = r->events[i].time_us;
        if (t < latest) {
            (*late_events)++;
            if (latest - t > worst) worst = latest - t;
        }
        if (t > latest) latest = t;
    }
    return worst;
}

TEST(disorder_is_bounded_and_happens)
{
    gen_stream s = ticking_stream("tick.csv", 20000);
    gen_replay r;
    CHECK_EQ_INT(gen_replay_load(&r, &s, 1), 0);
    size_t late;
    gen_replay_order(&r, 0, 7);
    CHECK_EQ_INT(max_lateness(&r, &late), 0);
    CHECK_EQ_INT(late, 0);
    const int64_t bound = 500000;                                 /* 500 ms = 50 ticks */
    gen_replay_order(&r, bound, 7);
    int64_t worst = max_lateness(&r, &late);
    CHECK(worst <= bound);
    CHECK(worst >= bound - 20000);                                /* the bound is nearly reached */
    CHECK(late > 10000);                                          /* most events are passed by a later one */
    char first[64];
    snprintf(first, sizeof first, "%s", order_of(&r));
    for (size_t i = 0; i < r.nevents; i++) CHECK(r.events[i].deliver_us - r.events[i].time_us <= bound);
    gen_replay_order(&r, bound, 7);                               /* the same seed: the same order */
    CHECK(strncmp(first, order_of(&r), 40) == 0);
    gen_replay_order(&r, bound, 8);                               /* another seed: another order */
    CHECK(strncmp(first, order_of(&r), 40) != 0);
    gen_replay_order(&r, 10000, 7);                               /* a bound below the spacing: in order */
    CHECK_EQ_INT(max_lateness(&r, &late), 0);
    gen_replay_order(&r, 20000, 7);                               /* two ticks: neighbours swap */
    CHECK(max_lateness(&r, &late) == 10000 && late > 0);
    gen_replay_free(&r);
}

/* ---- pacing -------------------------------------------------------------------------------------- */

typedef struct counting_publisher {
    gen_publisher base;
    size_t calls, messages;
    size_t close_after;                 /* report a closed reader after this many messages (0 = never) */
} counting_publisher;

static int count_publish(gen_publisher *p, const gen_message *msgs, size_t n, size_t *sent)
{
    counting_publisher *cp = (counting_publisher *)p;
    cp->calls++;
    if (cp->close_after && cp->messages + n >= cp->close_after) {
        *sent = cp->close_after - cp->messages;
        cp->messages = cp->close_after;
        return GEN_PUBLISH_CLOSED;
    }
    cp->messages += n;
    *sent = n;
    return 0;
}

static int count_close(gen_publisher *p) { return 0; }

static const gen_publisher_ops COUNT_OPS = {count_publish, count_close};

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

TEST(rate_pacing)
{
    gen_stream s = ticking_stream("pace.csv", 2000);
    gen_replay r;
    CHECK_EQ_INT(gen_replay_load(&r, &s, 1), 0);
    gen_replay_order(&r, 0, 1);
    counting_publisher cp = {{&COUNT_OPS}, 0, 0, 0};
    gen_pacing pacing = {.rate = 1000};
    double t0 = seconds_now();
    CHECK_EQ_INT(gen_replay_run(&r, &pacing, &cp.base, NULL), 0);
    double took = seconds_now() - t0;
    CHECK_EQ_INT(cp.messages, 2000);
    CHECK_EQ_INT(r.stats[0].published, 2000);
    CHECK(took >= 1.99 && took < 2.4);                            /* the last event is due at 1.999 s */
    CHECK(r.stats[0].last_s >= 1.99);

    cp = (counting_publisher){{&COUNT_OPS}, 0, 0, 0};             /* 20000/s: about a millisecond's worth a batch */
    pacing.rate = 20000;
    t0 = seconds_now();
    CHECK_EQ_INT(gen_replay_run(&r, &pacing, &cp.base, NULL), 0);
    took = seconds_now() - t0;
    CHECK(took >= 0.099 && took < 0.4);
    CHECK(cp.calls < 150);                                        /* batches, not one sleep per event */

    cp = (counting_publisher){{&COUNT_OPS}, 0, 0, 0};             /* unpaced: full batches */
    pacing.rate = 0;
    CHECK_EQ_INT(gen_replay_run(&r, &pacing, &cp.base, NULL), 0);
    CHECK_EQ_INT(cp.calls, 2);
    gen_replay_free(&r);
}

TEST(speedup_pacing_and_stopping)
{
    gen_stream s = ticking_stream("speed.csv", 101);              /* 1 s of event time */
    gen_replay r;
    CHECK_EQ_INT(gen_replay_load(&r, &s, 1), 0);
    gen_replay_order(&r, 0, 1);
    counting_publisher cp = {{&COUNT_OPS}, 0, 0, 0};
    gen_pacing pacing = {.speedup = 2};
    double t0 = seconds_now();
    CHECK_EQ_INT(gen_replay_run(&r, &pacing, &cp.base, NULL), 0);
    double took = seconds_now() - t0;
    CHECK_EQ_INT(cp.messages, 101);
    CHECK(took >= 0.49 && took < 0.8);

    volatile sig_atomic_t stop = 1;                               /* stop requested: nothing sent */
    cp = (counting_publisher){{&COUNT_OPS}, 0, 0, 0};
    CHECK_EQ_INT(gen_replay_run(&r, &pacing, &cp.base, &stop), 0);
    CHECK_EQ_INT(cp.messages, 0);

    for (int i = 0; i < r.nstreams; i++) r.stats[i].published = 0;
    cp = (counting_publisher){{&COUNT_OPS}, 0, 0, 40};            /* the reader goes away after 40 */
    pacing.speedup = 0;
    CHECK_EQ_INT(gen_replay_run(&r, &pacing, &cp.base, NULL), 0);
    CHECK_EQ_INT(r.closed, 1);
    CHECK_EQ_INT(r.stats[0].published, 40);
    gen_replay_free(&r);
}

/* ---- whole runs through gen_main ------------------------------------------------------------------ */

TEST(channel_live_file_is_exact)
{
    char *dir = path_in("channel_files");
    CHECK_EQ_INT(run_gen("channel", "--out", dir, "--orders", "5", "--seed", "3", "--duplicates", "0", "--quiet", NULL), 0);
    CHECK_EQ_INT(run_gen("channel", "--orders", "5", "--seed", "3", "--duplicates", "0", "--to", path_in("channel.live"),
                         "--quiet", NULL), 0);
    char *files = slurp(dir, "trade_order_detail.json", NULL), *live = read_file("channel.live");
    CHECK(files && live && strcmp(files, live) == 0);             /* in order_time order already */
    CHECK(live && strncmp(live, "{\"order_id\":\"202103250000000001\", \"order_channel\":\"webShop\", \"order_time\":"
                                "\"2021-03-25 00:00:00\", \"pay_amount\":\"34.99\", \"real_pay\":\"34.99\", \"pay_time\":"
                                "\"2021-03-25 00:03:44\", \"user_id\":\"0002\", \"user_name\":\"Bob\", \"area_id\":\"510104\"}\n", 212) == 0);
    int n = 0;
    char **lines = live ? split_lines(live, &n) : NULL;
    CHECK_EQ_INT(n, 5);
    free(lines);
    free(files);
    free(live);

    /* live mode's --orders-per-second is the generator's --rate */
    CHECK_EQ_INT(run_gen("channel", "--out", dir, "--orders", "30", "--rate", "0.01", "--duplicates", "0", "--quiet", NULL), 0);
    CHECK_EQ_INT(run_gen("channel", "--orders", "30", "--orders-per-second", "0.01", "--duplicates", "0", "--to",
                         path_in("channel.slow"), "--quiet", NULL), 0);
    files = slurp(dir, "trade_order_detail.json", NULL);
    live = read_file("channel.slow");
    CHECK(files && live && strcmp(files, live) == 0);
    free(files);
    free(live);
}

/* Runs gen_main with stdout redirected into the file `name`. */
static int run_gen_to_stdout_file(const char *name, const char *scenario, const char *a, const char *b, const char *c,
                                  const char *d)
{
    fflush(stdout);
    int saved = dup(1), fd = open(path_in(name), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    close(fd);
    int rc = run_gen(scenario, a, b, c, d, "--quiet", NULL);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    return rc;
}

TEST(stdout_by_default)
{
    CHECK_EQ_INT(run_gen_to_stdout_file("stdout.txt", "channel", "--orders", "5", "--seed", "3"), 0);
    CHECK_EQ_INT(run_gen("channel", "--orders", "5", "--seed", "3", "--to", path_in("file.txt"), "--quiet", NULL), 0);
    char *a = read_file("stdout.txt"), *b = read_file("file.txt");
    CHECK(a && b && *a && strcmp(a, b) == 0);
    free(a);
    free(b);
}

TEST(closed_pipe_ends_quietly)
{
    int fds[2];
    CHECK_EQ_INT(pipe(fds), 0);
    close(fds[0]);
    fflush(stdout);
    int saved = dup(1);
    dup2(fds[1], 1);
    close(fds[1]);
    int rc = run_gen("channel", "--orders", "3000", "--quiet", NULL);
    dup2(saved, 1);
    close(saved);
    CHECK_EQ_INT(rc, 0);
    struct sigaction now;
    sigaction(SIGPIPE, NULL, &now);
    CHECK(now.sa_handler == SIG_DFL);                             /* restored after the run */
}

/* The event time of a marketing line, by the stream its layout shows. */
static long long marketing_time_ms(const char *line)
{
    int commas = 0;
    for (const char *p = line; *p; p++) commas += *p == ',';
    if (strchr(line, '-') && commas == 3 && strlen(line) > 36) return csv_number(line, 4);     /* app: ms */
    if (commas == 4) return csv_number(line, 5) * 1000;                                          /* ad click */
    if (commas == 2) return csv_number(line, 3) * 1000;                                          /* receipt */
    return csv_number(line, 4) * 1000;                                                           /* login, order */
}

/* All lines of the marketing files in dir, sorted, for comparing multisets. */
static char **marketing_file_lines(const char *dir, int *n, char **texts)
{
    static const char *files[] = {"app_marketing.csv", "ad_clicks.csv", "logins.csv", "orders.csv", "receipts.csv"};
    int total = 0;
    char **all = NULL;
    for (int i = 0; i < 5; i++) {
        texts[i] = slurp(dir, files[i], NULL);
        int k;
        char **lines = split_lines(texts[i], &k);
        all = realloc(all, sizeof *all * (size_t)(total + k));
        memcpy(all + total, lines, sizeof *lines * (size_t)k);
        total += k;
        free(lines);
    }
    qsort(all, (size_t)total, sizeof *all, cmp_str);
    *n = total;
    return all;
}

TEST(marketing_merged_with_bounded_disorder)
{
    const char *opts[] = {"--events", "300", "--ad-clicks", "200", "--fraud-users", "1", "--logins", "100", "--orders", "100"};
    char *dir = path_in("marketing_files");
    CHECK_EQ_INT(run_gen("marketing", opts[0], opts[1], opts[2], opts[3], opts[4], opts[5], opts[6], opts[7], opts[8], opts[9],
                         "--seed", "11", "--out", dir, "--quiet", NULL), 0);
    char *texts[5];
    int nfile;
    char **file_lines = marketing_file_lines(dir, &nfile, texts);
    for (int pass = 0; pass < 2; pass++) {
        const char *disorder = pass ? "5s" : "0";
        CHECK_EQ_INT(run_gen("marketing", opts[0], opts[1], opts[2], opts[3], opts[4], opts[5], opts[6], opts[7], opts[8],
                             opts[9], "--disorder", disorder, "--seed", "11", "--to", path_in("marketing.live"), "--quiet", NULL), 0);
        char *live = read_file("marketing.live");
        int n;
        char **lines = split_lines(live, &n);
        CHECK_EQ_INT(n, nfile);
        long long latest = 0, worst = 0;
        int late = 0;
        for (int i = 0; i < n; i++) {
            long long t = marketing_time_ms(lines[i]);
            if (t < latest) { late++; worst = latest - t > worst ? latest - t : worst; }
            latest = t > latest ? t : latest;
        }
        if (pass == 0) CHECK_EQ_INT(late, 0);
        else CHECK(late > 50 && worst <= 5000 && worst >= 3000);
        qsort(lines, (size_t)n, sizeof *lines, cmp_str);
        int same = n == nfile;
        for (int i = 0; same && i < n; i++) same = !strcmp(lines[i], file_lines[i]);
        CHECK(same);                                              /* exactly the rows of the files */
        free(lines);
        free(live);
    }
    free(file_lines);
    for (int i = 0; i < 5; i++) free(texts[i]);
}

TEST(one_file_per_topic_and_stream_choice)
{
    CHECK_EQ_INT(run_gen("marketing", "--events", "50", "--ad-clicks", "50", "--fraud-users", "0", "--logins", "40",
                         "--orders", "30", "--streams", "orders,receipts", "--topic", "receipts=payments",
                         "--topic-prefix", "mk_", "--to", path_in("{topic}.csv"), "--quiet", NULL), 0);
    char *orders = read_file("mk_order_log.csv"), *receipts = read_file("mk_payments.csv");
    CHECK(orders && receipts);
    CHECK(read_file("mk_app_marketing.csv") == NULL);
    int n = 0;
    char **lines = orders ? split_lines(orders, &n) : NULL;
    CHECK(n >= 30);
    int sorted = 1;
    for (int i = 1; i < n; i++) sorted &= csv_number(lines[i - 1], 4) <= csv_number(lines[i], 4);
    CHECK(sorted);
    CHECK(n > 0 && strstr(lines[0], ",create,,") != NULL);
    free(lines);
    free(orders);
    free(receipts);
}

TEST(mall_json_and_kept_files)
{
    char *dir = path_in("mall_kept");
    CHECK_EQ_INT(run_gen("mall", "--customers", "5", "--shops", "3", "--format", "json", "--out", dir, "--to",
                         path_in("mall.live"), "--disorder", "20s", "--quiet", NULL), 0);
    char *file = slurp(dir, "user_wifidata.json", NULL), *live = read_file("mall.live"), *shops = slurp(dir, "area_shop.json", NULL);
    CHECK(file && live && shops);
    int nf, nl;
    char **fl = split_lines(file, &nf), **ll = split_lines(live, &nl);
    CHECK(nf > 100 && nf == nl);
    CHECK(nl > 0 && strncmp(ll[0], "{\"id\":\"", 7) == 0);
    long long latest = 0, worst = 0;
    for (int i = 0; i < nl; i++) {
        long long t = atoll(strstr(ll[i], "\"occur_time\":\"") + 14);
        worst = latest - t > worst ? latest - t : worst;
        latest = t > latest ? t : latest;
    }
    CHECK(worst <= 20);
    qsort(fl, (size_t)nf, sizeof *fl, cmp_str);
    qsort(ll, (size_t)nl, sizeof *ll, cmp_str);
    int same = nf == nl;
    for (int i = 0; same && i < nl; i++) same = !strcmp(fl[i], ll[i]);
    CHECK(same);
    free(fl);
    free(ll);
    free(file);
    free(live);
    free(shops);
    remove_dir(dir);
}

TEST(insurance_streams_in_time_order)
{
    CHECK_EQ_INT(run_gen("insurance", "--orders", "40", "--updates", "30", "--sessions", "20", "--users", "50", "--to",
                         path_in("insurance.live"), "--quiet", NULL), 0);
    char *live = read_file("insurance.live");
    int n;
    char **lines = split_lines(live, &n);
    long long prev = 0;
    int ordered = 1, orders = 0, traces = 0, pages = 0;
    for (int i = 0; i < n; i++) {
        int commas = 0;
        for (const char *p = lines[i]; *p; p++) commas += *p == ',';
        long long t = commas == 10 ? csv_number(lines[i], 10) : commas == 8 ? csv_number(lines[i], 8) : csv_number(lines[i], 1);
        orders += commas == 10;
        traces += commas == 8;
        pages += commas == 4;
        ordered &= t >= prev;
        prev = t;
    }
    CHECK(ordered);
    CHECK(orders >= 40 && traces == 30 && pages >= 20);
    free(lines);
    free(live);
}

TEST(replay_any_file)
{
    write_file("access.log", "h1 - - 17/05/2015:10:05:03 +0000 GET /a\nh2 - - 17/05/2015:10:05:00 +0000 GET /b\n");
    CHECK_EQ_INT(run_gen("replay", "--file", path_in("access.log"), "--delimiter", "space", "--time-column", "4",
                         "--time-format", "dd/MM/yyyy:HH:mm:ss", "--to", path_in("replayed.txt"), "--quiet", NULL), 0);
    char *out = read_file("replayed.txt");
    CHECK_EQ_STR(out, "h2 - - 17/05/2015:10:05:00 +0000 GET /b\nh1 - - 17/05/2015:10:05:03 +0000 GET /a\n");
    free(out);
    write_file("events.json", "{\"ts\":2000}\n{\"ts\":1000}\n");
    CHECK_EQ_INT(run_gen("replay", "--file", path_in("events.json"), "--time-field", "ts", "--time-format", "epoch-ms",
                         "--topic-prefix", "x_", "--to", path_in("{topic}.out"), "--quiet", NULL), 0);
    out = read_file("x_events.out");                              /* the stream is named after the file */
    CHECK_EQ_STR(out, "{\"ts\":1000}\n{\"ts\":2000}\n");
    free(out);
}

TEST(option_errors)
{
    CHECK_EQ_INT(run_gen("channel", "--rate", "5", "--speedup", "3", NULL), 2);
    CHECK_EQ_STR(err_message(), "give --rate (events per second) or --speedup (times real time), not both");
    CHECK_EQ_INT(run_gen("channel", "--rate", "fast", NULL), 2);
    CHECK_EQ_STR(err_message(), "--rate expects events per second, a number from 0 to 1e+09 (0 or max: as fast as possible), got 'fast'");
    CHECK_EQ_INT(run_gen("mall", "--qos", "1", NULL), 2);
    CHECK_EQ_STR(err_message(), "--qos applies to mqtt:// targets, not to '-'");
    CHECK_EQ_INT(run_gen("mall", "--qos", "3", "--to", "mqtt://h", NULL), 2);
    CHECK_EQ_STR(err_message(), "--qos expects an integer from 0 to 2, got '3'");
    CHECK_EQ_INT(run_gen("mall", "--topic-prefix", "p", NULL), 2);
    CHECK_EQ_STR(err_message(), "--topic-prefix applies to kafka://, mqtt:// and FILE with {topic}, not to '-'");
    CHECK_EQ_INT(run_gen("marketing", "--streams", "orders,clicks", NULL), 2);
    CHECK_EQ_STR(err_message(), "--streams: unknown stream 'clicks'; the streams of marketing: app_marketing, ad_clicks, logins, orders, receipts");
    CHECK_EQ_INT(run_gen("marketing", "--topic", "t", NULL), 2);
    CHECK_EQ_STR(err_message(), "--topic 't' names no stream and 5 streams are published; give --topic STREAM=TOPIC or choose one with --streams");
    CHECK_EQ_INT(run_gen("marketing", "--topic", "order=t", NULL), 2);
    CHECK_EQ_STR(err_message(), "--topic: unknown stream 'order'; the streams of marketing: app_marketing, ad_clicks, logins, orders, receipts");
    CHECK_EQ_INT(run_gen("marketing", "--topic", "orders=", NULL), 2);
    CHECK_EQ_STR(err_message(), "--topic expects TOPIC or STREAM=TOPIC, got 'orders='");
    CHECK_EQ_INT(run_gen("mall", "--disorder", "1d", NULL), 2);
    CHECK_EQ_STR(err_message(), "--disorder expects a duration from 0 to 86400 s such as 500ms, 5s, 2m, 1h or seconds, got '1d'");
    CHECK_EQ_INT(run_gen("mall", "--to", NULL), 2);
    CHECK_EQ_STR(err_message(), "--to needs a value");
    CHECK_EQ_INT(run_gen("mall", "--quiet=1", NULL), 2);
    CHECK_EQ_STR(err_message(), "--quiet takes no value, got '--quiet=1'");
    /* file mode: live-only options are a mix-up; the generator's own errors are as before */
    CHECK_EQ_INT(run_gen("mall", "--out", path_in("x"), "--speedup", "2", NULL), 2);
    CHECK_EQ_STR(err_message(), "--speedup applies to live streams: add --to TARGET (-, FILE, kafka://HOST:PORT or "
                                "mqtt://HOST[:PORT]), or leave out --out");
    CHECK_EQ_INT(run_gen("mall", "--days", "x", NULL), 2);        /* live, but the generator rejects it */
    CHECK_EQ_STR(err_message(), "--days expects an integer from 1 to 3660, got 'x'");
    CHECK_EQ_INT(run_gen("replay", "--time-column", "2", NULL), 2);
    CHECK_EQ_STR(err_message(), "missing --file PATH (the file of events to replay)");
    CHECK_EQ_INT(run_gen("replay", "--file", "f", NULL), 2);
    CHECK_EQ_STR(err_message(), "give --time-column N (a CSV file) or --time-field KEY (JSON lines), one of them");
    CHECK_EQ_INT(run_gen("replay", "--file", "f", "--time-field", "t", "--delimiter", ";", NULL), 2);
    CHECK_EQ_STR(err_message(), "--delimiter applies to CSV files (--time-column), not to JSON lines");
    CHECK_EQ_INT(run_gen("replay", "--file", "f", "--time-column", "1", "--delimiter", "ab", NULL), 2);
    CHECK_EQ_STR(err_message(), "--delimiter expects one character (not '\"'), 'tab' or 'space', got 'ab'");
    CHECK_EQ_INT(run_gen("replay", "--file", "f", "--time-column", "1", "--time-format", "yyyy-ww", NULL), 2);
    CHECK(strncmp(err_message(), "--time-format expects epoch-s, epoch-ms or a Java date-time pattern; 'yyyy-ww': ", 79) == 0);
    CHECK_EQ_INT(run_gen("replay", "--file", path_in("no_such.csv"), "--time-column", "1", "--quiet", NULL), 1);
    char want[600];
    snprintf(want, sizeof want, "cannot open '%s': No such file or directory", path_in("no_such.csv"));
    CHECK_EQ_STR(err_message(), want);
    CHECK_EQ_INT(run_gen("channel", "--to", path_in("no_dir/x.json"), NULL), 1);
    snprintf(want, sizeof want, "--to: cannot create '%s': No such file or directory", path_in("no_dir/x.json"));
    CHECK_EQ_STR(err_message(), want);
}

/* Nothing listens on port 1 of the loopback: the errors name the address. */
TEST(connection_errors_name_the_address)
{
    CHECK_EQ_INT(run_gen("channel", "--orders", "3", "--to", "mqtt://127.0.0.1:1", NULL), 1);
    CHECK_EQ_STR(err_message(), "cannot connect to the MQTT broker at mqtt://127.0.0.1:1: Connection refused");
    CHECK_EQ_INT(run_gen("channel", "--orders", "3", "--to", "kafka://127.0.0.1:1", NULL), 1);
    const char *m = err_message();
    CHECK(strncmp(m, "cannot connect to Kafka at 127.0.0.1:1: ", 40) == 0);
    CHECK(strstr(m, "Connection refused") != NULL);
}

int main(void)
{
    tmp = make_temp_dir_for("gen_live");
    if (!tmp) return 1;
    setenv("TMPDIR", tmp, 1);                                     /* live runs' own temporary directories */
    RUN(targets);
    RUN(durations);
    RUN(live_mode_detection);
    RUN(merge_in_event_time_order);
    RUN(time_patterns_and_offsets);
    RUN(unreadable_event_times);
    RUN(disorder_is_bounded_and_happens);
    RUN(rate_pacing);
    RUN(speedup_pacing_and_stopping);
    RUN(channel_live_file_is_exact);
    RUN(stdout_by_default);
    RUN(closed_pipe_ends_quietly);
    RUN(marketing_merged_with_bounded_disorder);
    RUN(one_file_per_topic_and_stream_choice);
    RUN(mall_json_and_kept_files);
    RUN(insurance_streams_in_time_order);
    RUN(replay_any_file);
    RUN(option_errors);
    RUN(connection_errors_name_the_address);
    /* every live run removed its temporary directory: only our own files remain */
    DIR *d = opendir(tmp);
    int leftovers = 0;
    for (struct dirent *e; d && (e = readdir(d));) leftovers += !strncmp(e->d_name, "eddy-gen-", 9);
    if (d) closedir(d);
    if (leftovers) fprintf(stderr, "FAIL: %d temporary directories left in %s\n", leftovers, tmp);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", tmp);
    free(tmp);
    return CHECK_DONE() || leftovers;
}
