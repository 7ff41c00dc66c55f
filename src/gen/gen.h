/* gen.h - `eddy gen SCENARIO ...`: generators of realistic input data for the scenario jobs
 * (files a filesystem source reads, plus dimension tables for lookup joins).
 *
 * Every generator takes its own argv (argv[0] = the scenario name), writes its files, prints a
 * one-line summary on stderr and returns 0; on bad arguments it records a precise message with
 * err_msg (base/err.h) and returns 2, on I/O failures it records the message and returns 1.
 * The output is a pure function of the arguments (the seed included). */
#ifndef EDDY_GEN_H
#define EDDY_GEN_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* argv[0] = "gen", argv[1] = the scenario: runs that scenario's generator with argv + 1 and
 * prints any error on stderr. "gen --help" lists the scenarios. Without --out, or with --to,
 * the scenario's events are streamed live instead (gen_live). */
int gen_main(int argc, char **argv);

/* Shopping-mall WiFi-probe data (seed 000): user_wifidata, area_shop, place_info. */
int gen_mall(int argc, char **argv);

/* Sales-channel orders as JSON lines, with re-sent duplicates and unpaid orders (seed 004):
 * trade_order_detail.json. */
int gen_channel(int argc, char **argv);

/* The e-commerce course's marketing and risk streams (seed 001): app_marketing, ad_clicks
 * (with click-fraud users), logins (with rapid double failures), orders and receipts (with
 * timeouts and unmatched payments). */
int gen_marketing(int argc, char **argv);

/* Insurance-app streams (seed 002): user_order (with order updates), account_wechat_trace
 * (premium changes, some big drops of key customers), page_log, and the raw_info dimension. */
int gen_insurance(int argc, char **argv);

/* ---- helpers shared by the generators (gen.c) ------------------------------------------- */

/* Random numbers: xoshiro256** seeded by splitmix64; the same seed gives the same stream. */
typedef struct gen_rng {
    uint64_t s[4];
} gen_rng;

void gen_rng_seed(gen_rng *r, uint64_t seed);
uint64_t gen_rng_next(gen_rng *r);
double gen_rng_unit(gen_rng *r);                          /* uniform in [0, 1) */
int gen_rng_chance(gen_rng *r, double p);                 /* 1 with probability p */
int64_t gen_rng_range(gen_rng *r, int64_t lo, int64_t hi); /* uniform in lo..hi inclusive */
double gen_rng_exp(gen_rng *r, double mean);              /* exponential with that mean */
/* Sorted uniform draws one at a time: the smallest of `remaining` uniform draws in [prev, 1).
 * Calling it with remaining = n, n-1, ..., 1 yields n sorted uniforms without storing them. */
double gen_rng_sorted_next(gen_rng *r, double prev, uint64_t remaining);
/* Index into a cumulative weight table of n entries (cum[n - 1] = the total). */
int gen_pick_cumulative(gen_rng *r, const double *cum, int n);
/* Index into a table of n integer weights. */
int gen_pick_weighted(gen_rng *r, const int *weights, int n);
uint64_t gen_hash64(uint64_t x);
/* A bijection on the low `bits` bits (1..63): distinct inputs give distinct outputs. */
uint64_t gen_scramble(uint64_t x, int bits);

/* Buffered output file: rows are formatted by hand into a 1 MiB buffer. */
#define GEN_MAX_ROW 1024

typedef struct gen_out {
    FILE *f;
    char *path;
    char *buf;
    size_t len;
    int failed;             /* errno of the first failed write, 0 = fine */
    uint64_t rows;          /* rows ended with gen_out_end */
} gen_out;

/* Creates dir/name; on failure records the message and returns 1. */
int gen_out_open(gen_out *o, const char *dir, const char *name);
/* Room for one row of at most GEN_MAX_ROW bytes; gen_out_end(o, end) commits it. */
char *gen_out_row(gen_out *o);
void gen_out_end(gen_out *o, char *end);
/* Flushes and closes (a no-op when not open), frees the buffer and path; 1 on a write error. */
int gen_out_close(gen_out *o);

char *gen_put_str(char *p, const char *s, size_t n);
char *gen_put_cstr(char *p, const char *s);
char *gen_put_i64(char *p, int64_t v);
char *gen_put_padded(char *p, int64_t v, int width);     /* zero-padded to width digits */
char *gen_put_cents(char *p, int64_t cents);             /* 12345 -> "123.45" */
/* Seconds of a wall-clock reading since 1970-01-01 -> "YYYY-MM-DD HH:MM:SS". */
char *gen_put_datetime(char *p, int64_t wall_s);
/* The same reading as "YYYYMMDDHHMMSS". */
char *gen_put_datetime_digits(char *p, int64_t wall_s);

/* Command lines: "--name value", "--name=value" and value-less flags. `options` lists every
 * option name (NULL-terminated), `flags` those that take no value. apply(opts, name, value)
 * is called once per option in order (value = NULL for a flag) and returns 0 or 2 with the
 * error recorded. Unknown options get a "did you mean" and the list of valid ones. */
typedef int (*gen_apply_fn)(void *opts, const char *name, const char *value);

typedef struct gen_cli {
    const char *const *options;
    const char *const *flags;
    gen_apply_fn apply;
} gen_cli;

int gen_parse_argv(const gen_cli *cli, int argc, char **argv, void *opts);

/* Option values; each returns 0, or 2 with a message naming the option and the valid range. */
int gen_parse_int(const char *name, const char *text, long long lo, long long hi, long long *out);
int gen_parse_double(const char *name, const char *text, double lo, double hi, double *out);
int gen_parse_seed(const char *text, uint64_t *out);
/* "YYYY-MM-DD" (midnight) or "YYYY-MM-DD HH:MM:SS", years 1970..2999 -> wall-clock seconds. */
int gen_parse_datetime(const char *name, const char *text, int64_t *wall_s);
/* Exactly n decimal digits at s -> *out (0), or -1 when one of them is not a digit. */
int gen_parse_digits(const char *s, int n, int *out);
/* A non-empty path. */
int gen_parse_path(const char *name, const char *text, const char *what, const char **out);

/* mkdir -p; 1 with the message recorded when it fails or the path is not a directory. */
int gen_make_dirs(const char *path);

/* Pending rows ordered by (time, seq): a min-heap of fixed-size records, each beginning with a
 * gen_key. Generators push rows whose time lies in the future and pop them once no later
 * generated row can come before them, so files are written in time order without holding
 * the whole data set. */
typedef struct gen_key {
    int64_t time;
    uint64_t seq;           /* set by gen_heap_push: generation order breaks ties */
} gen_key;

typedef struct gen_heap {
    char *items;            /* cap + 1 records; the extra one is swap space */
    size_t len, cap, size;
    uint64_t next_seq;
} gen_heap;

void gen_heap_init(gen_heap *h, size_t record_size);
void gen_heap_push(gen_heap *h, void *record);
/* The smallest record, or NULL when empty (valid until the next push or pop). */
const void *gen_heap_top(const gen_heap *h);
void gen_heap_pop(gen_heap *h, void *out);
void gen_heap_free(gen_heap *h);

/* ---- live streams: `eddy gen SCENARIO --to TARGET` (live.c, replay.c, publish*.c) ---------- */

/* 1 when argv (argv[0] = the scenario) asks for live streams: --to is given or --out is not. */
int gen_is_live(int argc, char **argv);
/* Live mode of a scenario: generates its files with `run` (into --out DIR or a temporary
 * directory), then replays its event streams to --to (see gen_live_usage). Returns 0, 2 on bad
 * arguments, 1 on I/O or connection failures, with the message recorded. */
int gen_live(int (*run)(int, char **), int argc, char **argv);
/* `eddy gen replay --file PATH ...`: replays one file of events that no generator wrote. */
int gen_replay_file(int argc, char **argv);
/* The live options and, for a scenario (NULL = all), its streams and their topics. */
void gen_live_usage(FILE *f, const char *scenario);
/* An option that only live mode knows (--to, --speedup, --topic, ...): 1, else 0. */
int gen_is_live_only_option(const char *name);

/* How a stream writes its event time. */
typedef enum gen_time_kind {
    GEN_TIME_EPOCH_S,           /* integer seconds since 1970-01-01 UTC */
    GEN_TIME_EPOCH_MS,          /* integer milliseconds */
    GEN_TIME_PATTERN,           /* a Java date-time pattern (base/timefmt.h): a wall-clock reading */
} gen_time_kind;

/* One stream to replay: a file with one event per line, and where a line's event time is. */
typedef struct gen_stream {
    const char *name;           /* the stream, e.g. "user_wifidata" */
    const char *topic;          /* where its events go (Kafka or MQTT topic, {topic} of a file) */
    const char *path;           /* the file */
    char delimiter;             /* CSV field delimiter; 0 = JSON lines */
    int time_column;            /* CSV: 1-based column of the event time */
    const char *time_field;     /* JSON: top-level key of the event time */
    gen_time_kind time_kind;
    const char *time_pattern;   /* GEN_TIME_PATTERN: e.g. "yyyy-MM-dd HH:mm:ss" */
} gen_stream;

/* One message: a line of a stream without its newline, to the stream's topic number. */
typedef struct gen_message {
    const char *data;
    uint32_t len;
    uint32_t topic;
} gen_message;

/* Where messages go. publish sends a batch and hands it on (flushes a file, polls Kafka); it
 * returns 0, 1 with the error recorded, or GEN_PUBLISH_CLOSED when the reader went away (a
 * closed pipe), and sets *sent to the messages sent. close waits until everything sent is
 * delivered (acknowledged by the broker), frees the publisher and returns 0 or 1. */
#define GEN_PUBLISH_CLOSED 3

typedef struct gen_publisher gen_publisher;

typedef struct gen_publisher_ops {
    int (*publish)(gen_publisher *p, const gen_message *msgs, size_t n, size_t *sent);
    int (*close)(gen_publisher *p);
} gen_publisher_ops;

struct gen_publisher {
    const gen_publisher_ops *ops;
};

typedef enum gen_target_kind { GEN_TO_STDOUT, GEN_TO_FILE, GEN_TO_KAFKA, GEN_TO_MQTT } gen_target_kind;

/* A parsed --to: "-", a path, kafka://HOST:PORT[,HOST:PORT...] or mqtt://HOST[:PORT]. */
typedef struct gen_target {
    gen_target_kind kind;
    const char *text;           /* as given (borrowed) */
    char *address;              /* Kafka: the bootstrap list; MQTT: the host (owned) */
    int port;                   /* MQTT */
} gen_target;

/* 0, or 2 with a message naming the accepted forms. */
int gen_parse_target(const char *text, gen_target *t);
void gen_target_free(gen_target *t);

/* Publishers; topics[i] names topic number i (copied). Each returns NULL with the error
 * recorded, e.g. when no broker answers at the address. */
gen_publisher *gen_publisher_open(const gen_target *t, const char *const *topics, int ntopics, int qos);
/* path NULL = stdout; "{topic}" in path opens one file per topic. */
gen_publisher *gen_file_publisher_open(const char *path, const char *const *topics, int ntopics);
gen_publisher *gen_kafka_publisher_open(const char *bootstrap, const char *const *topics, int ntopics);
gen_publisher *gen_mqtt_publisher_open(const char *host, int port, int qos, const char *const *topics, int ntopics);

/* The replayer (replay.c). The streams' files are mapped, each line's event time is read,
 * the events of all streams are put in output order, then published in paced batches. */
typedef struct gen_event {
    int64_t deliver_us;         /* event time + its disorder delay: the output order */
    int64_t time_us;            /* event time (epoch or wall clock, as the stream writes it) */
    uint64_t offset;            /* of the line in its stream's file */
    uint32_t len;               /* of the line without its newline */
    uint32_t stream;            /* index into the streams */
} gen_event;

typedef struct gen_stream_stats {
    uint64_t events;            /* lines in the file */
    uint64_t published;
    double last_s;              /* wall seconds from the start to its last published event */
} gen_stream_stats;

typedef struct gen_replay {
    const gen_stream *streams;  /* borrowed */
    int nstreams;
    char **data;                /* each stream's file, mapped */
    size_t *size;
    gen_stream_stats *stats;
    gen_event *events;
    size_t nevents;
    double seconds;             /* wall time of the run */
    int closed;                 /* the reader went away before the end */
} gen_replay;

/* Pacing: rate = events per wall-clock second, or speedup = event-time seconds per wall-clock
 * second; both 0 = as fast as possible. */
typedef struct gen_pacing {
    double rate;
    double speedup;
} gen_pacing;

/* Maps and indexes the streams; 1 with the message recorded (a missing file, a line whose
 * event time cannot be read: "PATH:LINE: ..."). */
int gen_replay_load(gen_replay *r, const gen_stream *streams, int nstreams);
/* Output order: each event is delayed by 0..disorder_us (a hash of the seed, its stream and its
 * place in the file), then
 * sorted by delivery time, event time, stream, file position. So no event comes more than
 * disorder_us of event time after a later one; disorder_us = 0 merges in event-time order. */
void gen_replay_order(gen_replay *r, int64_t disorder_us, uint64_t seed);
/* Publishes every event in order, paced; stops early when *stop becomes non-zero (a signal).
 * Returns 0 (also when the reader went away: r->closed) or 1 with the error recorded. */
int gen_replay_run(gen_replay *r, const gen_pacing *pacing, gen_publisher *pub, const volatile sig_atomic_t *stop);
void gen_replay_free(gen_replay *r);

/* "500ms", "5s", "2m", "1h", "1.5s" or plain seconds -> microseconds, 0..max_us; 0 or 2. */
int gen_parse_duration(const char *name, const char *text, int64_t max_us, int64_t *out_us);

#endif
