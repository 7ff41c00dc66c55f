/* live.c - live mode of `eddy gen SCENARIO`: the scenario's events are streamed to stdout, a
 * file, Kafka or MQTT, in event-time order with bounded disorder, at a chosen pace, instead of
 * being left as files; and `eddy gen replay`, the same for any file of events.
 *
 * The generators stay the truth. Live mode runs the scenario's generator with the same options
 * into --out DIR (or a temporary directory, removed at the end), so a live stream carries
 * exactly the rows of the files; then it hands the scenario's event streams to the replayer
 * (replay.c). SCENARIO_STREAMS says, per scenario, which files are event streams, where their
 * event time is, and the topic the scenario's job in jobs/ reads, so every job can read its
 * input live unchanged. Dimension tables are not streams: they stay files (or the --sqlite
 * database) and the summary names them.
 *
 * Command line. The live options (LIVE_OPTIONS) are taken out; --out, --seed and --quiet are
 * read and also passed on; everything else goes to the generator as it is. A generator option
 * that a live option shadows is reachable under another name (RENAMED: channel's --rate, orders
 * per second of event time, is --orders-per-second in live mode). */
#include "gen/gen.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "base/timefmt.h"
#include "base/util.h"
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_STREAMS     5
#define MAX_RATE        1e9
#define MAX_DISORDER_US (24LL * 3600 * 1000000)

/* ---- the scenarios' streams ------------------------------------------------------------------- */

typedef struct stream_def {
    const char *name;           /* the stream, and the base name of its file */
    const char *topic;          /* the topic (or table) the scenario's job reads */
    int csv_column;             /* the event time's 1-based column in the CSV layout; 0 = JSON only */
    const char *json_field;     /* its key in the JSON layout; NULL = CSV only */
    gen_time_kind kind;
    const char *pattern;        /* GEN_TIME_PATTERN */
} stream_def;

typedef struct scenario_streams {
    const char *scenario;
    int nstreams;
    stream_def streams[MAX_STREAMS];
    const char *dimensions[3];  /* base names of the dimension tables, NULL-terminated */
    int format_option;          /* the generator's --format csv|json picks the layout */
} scenario_streams;

static const scenario_streams SCENARIO_STREAMS[] = {
    {"mall", 1, {{"user_wifidata", "user_wifidata", 4, "occur_time", GEN_TIME_EPOCH_S, NULL}},
     {"area_shop", "place_info", NULL}, 1},
    {"channel", 1, {{"trade_order_detail", "trade_order_detail_info", 0, "order_time", GEN_TIME_PATTERN, "yyyy-MM-dd HH:mm:ss"}},
     {NULL}, 0},
    {"marketing", 5,
     {{"app_marketing", "app_marketing", 4, NULL, GEN_TIME_EPOCH_MS, NULL},
      {"ad_clicks", "ad_click_log", 5, NULL, GEN_TIME_EPOCH_S, NULL},
      {"logins", "login_log", 4, NULL, GEN_TIME_EPOCH_S, NULL},
      {"orders", "order_log", 4, NULL, GEN_TIME_EPOCH_S, NULL},
      {"receipts", "receipt_log", 3, NULL, GEN_TIME_EPOCH_S, NULL}},
     {NULL}, 0},
    {"insurance", 3,
     {{"user_order", "user_order", 10, NULL, GEN_TIME_EPOCH_MS, NULL},
      {"account_wechat_trace", "dh_prd_dm_account_wechat_trace", 8, NULL, GEN_TIME_EPOCH_MS, NULL},
      {"page_log", "edw_zy_evt_bury_point_log", 1, NULL, GEN_TIME_EPOCH_MS, NULL}},
     {"raw_info", NULL}, 0},
};

static const scenario_streams *streams_of(const char *scenario)
{
    for (size_t i = 0; i < ARRAY_LEN(SCENARIO_STREAMS); i++)
        if (!strcmp(SCENARIO_STREAMS[i].scenario, scenario)) return &SCENARIO_STREAMS[i];
    return NULL;
}

/* Generator options shadowed by live options, under their live-mode names. */
static const struct { const char *scenario, *live_name, *generator_name; } RENAMED[] = {
    {"channel", "--orders-per-second", "--rate"},
};

static const char *renamed_option(const char *scenario, const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(RENAMED); i++)
        if (!strcmp(RENAMED[i].scenario, scenario) && !strcmp(RENAMED[i].live_name, name)) return RENAMED[i].generator_name;
    return NULL;
}

/* ---- options ---------------------------------------------------------------------------------- */

static const char *const LIVE_OPTIONS[] = {
    "--to", "--rate", "--speedup", "--disorder", "--streams", "--topic", "--topic-prefix", "--qos", NULL,
};
static const char *const LIVE_ONLY_OPTIONS[] = {"--to", "--speedup", "--streams", "--topic", "--topic-prefix", "--qos", NULL};
static const char *const SHARED_OPTIONS[] = {"--out", "--seed", "--quiet", NULL};
static const char *const FLAGS[] = {"--quiet", "--help", NULL};

typedef VEC(const char *) str_vec;

typedef struct live_opts {
    const char *to;
    double rate;                /* events per second, 0 = as fast as possible */
    double speedup;             /* 0 = not given */
    int64_t disorder_us;
    const char *streams;        /* --streams, NULL = all */
    str_vec topics;             /* --topic values: STREAM=TOPIC or TOPIC */
    const char *topic_prefix;
    int qos;                    /* -1 = not given */
    int rate_given;             /* --rate was given (0 and max included) */
    const char *out_dir;        /* NULL = a temporary directory */
    uint64_t seed;
    int quiet;
} live_opts;

static void live_opts_init(live_opts *o)
{
    memset(o, 0, sizeof *o);
    o->to = "-";
    o->topic_prefix = "";
    o->qos = -1;
    o->seed = 1;
}

/* The entry of the NULL-terminated list equal to name (a string that outlives name), or NULL. */
static const char *list_entry(const char *const *list, const char *name)
{
    for (int i = 0; list[i]; i++)
        if (!strcmp(list[i], name)) return list[i];
    return NULL;
}

static int in_list(const char *const *list, const char *name) { return list_entry(list, name) != NULL; }

int gen_is_live_only_option(const char *name) { return in_list(LIVE_ONLY_OPTIONS, name); }

static int parse_rate(const char *text, double *rate)
{
    if (!strcmp(text, "max")) { *rate = 0; return 0; }
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (!*text || *end || errno || !(v >= 0 && v <= MAX_RATE))
        return err_msg("--rate expects events per second, a number from 0 to %g (0 or max: as fast as possible), got '%s'",
                       MAX_RATE, text), 2;
    *rate = v;
    return 0;
}

static int apply_live_option(live_opts *o, const char *name, const char *value)
{
    long long qos;
    if (!strcmp(name, "--to")) return o->to = value, 0;
    if (!strcmp(name, "--rate")) return o->rate_given = 1, parse_rate(value, &o->rate);
    if (!strcmp(name, "--speedup")) return gen_parse_double(name, value, 1e-6, 1e9, &o->speedup);
    if (!strcmp(name, "--disorder")) return gen_parse_duration(name, value, MAX_DISORDER_US, &o->disorder_us);
    if (!strcmp(name, "--streams")) return gen_parse_path(name, value, "stream names separated by commas", &o->streams);
    if (!strcmp(name, "--topic")) {
        if (!*value || value[strlen(value) - 1] == '=' || value[0] == '=')
            return err_msg("--topic expects TOPIC or STREAM=TOPIC, got '%s'", value), 2;
        VEC_PUSH(o->topics, value);
        return 0;
    }
    if (!strcmp(name, "--topic-prefix")) return o->topic_prefix = value, 0;
    if (!strcmp(name, "--qos")) {
        int rc = gen_parse_int(name, value, 0, 2, &qos);
        if (!rc) o->qos = (int)qos;
        return rc;
    }
    if (!strcmp(name, "--out")) return gen_parse_path(name, value, "a directory", &o->out_dir);
    if (!strcmp(name, "--seed")) return gen_parse_seed(value, &o->seed);
    if (!strcmp(name, "--quiet")) o->quiet = 1;
    return 0;
}

/* The option name of arg ("--name" or "--name=value") into name; 0, or -1 if not an option. */
static int option_name(const char *arg, char *name, size_t cap)
{
    if (strncmp(arg, "--", 2) != 0) return -1;
    const char *eq = strchr(arg, '=');
    size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
    if (n >= cap) return -1;
    memcpy(name, arg, n);
    name[n] = '\0';
    return 0;
}

int gen_is_live(int argc, char **argv)
{
    int out = 0;
    char name[40];
    for (int i = 1; i < argc; i++) {
        if (option_name(argv[i], name, sizeof name) != 0) continue;
        if (!strcmp(name, "--to")) return 1;
        out |= !strcmp(name, "--out");
        if (!strchr(argv[i], '=') && !in_list(FLAGS, name)) i++;
    }
    return !out;
}

/* Takes the live options out of argv (argv[0] = the scenario) into o; the rest, with --out,
 * --seed and --quiet, goes into gen_args for the generator. */
static int split_args(int argc, char **argv, live_opts *o, str_vec *gen_args)
{
    VEC_PUSH(*gen_args, argv[0]);
    char name[40];
    for (int i = 1; i < argc; i++) {
        const char *renamed = NULL;
        int is_option = option_name(argv[i], name, sizeof name) == 0;
        int live = is_option &&
                   (in_list(LIVE_OPTIONS, name) || in_list(SHARED_OPTIONS, name) || (renamed = renamed_option(argv[0], name)));
        if (!live) {
            VEC_PUSH(*gen_args, argv[i]);
            if (is_option && !strchr(argv[i], '=') && !in_list(FLAGS, name) && i + 1 < argc) VEC_PUSH(*gen_args, argv[++i]);
            continue;
        }
        const char *eq = strchr(argv[i], '='), *value = eq ? eq + 1 : NULL;
        int flag = in_list(FLAGS, name);
        if (flag && eq) return err_msg("%s takes no value, got '%s'", name, argv[i]), 2;
        if (!flag && !value) {
            if (i + 1 >= argc) return err_msg("%s needs a value", name), 2;
            value = argv[++i];
        }
        if (renamed) {
            VEC_PUSH(*gen_args, renamed);
            VEC_PUSH(*gen_args, value);
            continue;
        }
        int rc = apply_live_option(o, name, value);
        if (rc) return rc;
        const char *shared = list_entry(SHARED_OPTIONS, name);
        if (shared) {
            VEC_PUSH(*gen_args, shared);
            if (!flag) VEC_PUSH(*gen_args, value);
        }
    }
    return 0;
}

/* The value of the generator option `name` in args, or NULL. */
static const char *generator_option(const str_vec *args, const char *name)
{
    size_t n = strlen(name);
    const char *found = NULL;
    for (size_t i = 1; i < args->len; i++) {
        const char *a = args->items[i];
        if (!strncmp(a, name, n) && a[n] == '=') found = a + n + 1;
        else if (!strcmp(a, name) && i + 1 < args->len) found = args->items[++i];
    }
    return found;
}

/* ---- one live run ----------------------------------------------------------------------------- */

typedef struct live_run {
    const char *label;          /* "mall", "replay", for messages */
    gen_target target;
    gen_publisher *pub;
    gen_stream streams[MAX_STREAMS];
    int nstreams;
    char *topics[MAX_STREAMS];  /* owned */
    char *paths[MAX_STREAMS];   /* owned */
    char *dir;                  /* where the files are (owned) */
    int temporary;              /* dir is removed at the end */
    int json;                   /* the files are JSON lines (mall --format json) */
} live_run;

static void live_run_free(live_run *lr)
{
    for (int i = 0; i < lr->nstreams; i++) {
        free(lr->topics[i]);
        free(lr->paths[i]);
    }
    gen_target_free(&lr->target);
    free(lr->dir);
}

static int check_pacing(const live_opts *o)
{
    if (o->rate_given && o->speedup > 0)
        return err_msg("give --rate (events per second) or --speedup (times real time), not both"), 2;
    return 0;
}

static int check_target(live_run *lr, const live_opts *o)
{
    int rc = gen_parse_target(o->to, &lr->target);
    if (rc) return rc;
    if (o->qos >= 0 && lr->target.kind != GEN_TO_MQTT)
        return err_msg("--qos applies to mqtt:// targets, not to '%s'", o->to), 2;
    if (*o->topic_prefix && (lr->target.kind == GEN_TO_STDOUT || (lr->target.kind == GEN_TO_FILE && !strstr(o->to, "{topic}"))))
        return err_msg("--topic-prefix applies to kafka://, mqtt:// and FILE with {topic}, not to '%s'", o->to), 2;
    return 0;
}

static void list_stream_names(const scenario_streams *sc, sb_t *b)
{
    for (int i = 0; i < sc->nstreams; i++) sb_printf(b, "%s%s", i ? ", " : "", sc->streams[i].name);
}

static int unknown_stream(const scenario_streams *sc, const char *option, const char *name, size_t n)
{
    sb_t names = {0};
    list_stream_names(sc, &names);
    err_msg("%s: unknown stream '%.*s'; the streams of %s: %s", option, (int)n, name, sc->scenario, sb_str(&names));
    sb_free(&names);
    return 2;
}

static int stream_index(const scenario_streams *sc, const char *name, size_t n)
{
    for (int i = 0; i < sc->nstreams; i++)
        if (strlen(sc->streams[i].name) == n && !memcmp(sc->streams[i].name, name, n)) return i;
    return -1;
}

/* Marks the streams that --streams names (all without it). */
static int choose_streams(const scenario_streams *sc, const live_opts *o, int *chosen)
{
    for (int i = 0; i < sc->nstreams; i++) chosen[i] = !o->streams;
    for (const char *p = o->streams; p; ) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        int k = stream_index(sc, p, n);
        if (k < 0) return unknown_stream(sc, "--streams", p, n);
        chosen[k] = 1;
        p = comma ? comma + 1 : NULL;
    }
    return 0;
}

/* The topic of stream k: the last --topic for it (STREAM=TOPIC, or TOPIC when one stream is
 * chosen), else the default; with the prefix. */
static int topic_of(const scenario_streams *sc, const live_opts *o, int k, int nchosen, char **out)
{
    const char *topic = sc->streams[k].topic;
    for (size_t i = 0; i < o->topics.len; i++) {
        const char *v = o->topics.items[i], *eq = strchr(v, '=');
        if (!eq && nchosen != 1)
            return err_msg("--topic '%s' names no stream and %d streams are published; give --topic STREAM=TOPIC "
                           "or choose one with --streams", v, nchosen), 2;
        if (eq && stream_index(sc, v, (size_t)(eq - v)) < 0) return unknown_stream(sc, "--topic", v, (size_t)(eq - v));
        if (!eq) topic = v;
        else if (stream_index(sc, v, (size_t)(eq - v)) == k) topic = eq + 1;
    }
    sb_t b = {0};
    sb_printf(&b, "%s%s", o->topic_prefix, topic);
    *out = sb_take(&b);
    return 0;
}

/* Fills lr->streams with the chosen streams of sc in dir (paths set later by set_paths). */
static int resolve_streams(live_run *lr, const scenario_streams *sc, const live_opts *o, int json)
{
    int chosen[MAX_STREAMS], nchosen = 0;
    int rc = choose_streams(sc, o, chosen);
    for (int k = 0; k < sc->nstreams; k++) nchosen += chosen[k];
    for (int k = 0; !rc && k < sc->nstreams; k++) {
        if (!chosen[k]) continue;
        const stream_def *d = &sc->streams[k];
        int use_json = d->csv_column == 0 || (json && d->json_field);
        int i = lr->nstreams;
        rc = topic_of(sc, o, k, nchosen, &lr->topics[i]);
        if (rc) break;
        lr->streams[i] = (gen_stream){.name = d->name, .topic = lr->topics[i], .delimiter = use_json ? 0 : ',',
                                      .time_column = d->csv_column, .time_field = d->json_field, .time_kind = d->kind,
                                      .time_pattern = d->pattern};
        lr->nstreams++;
    }
    return rc;
}

static void set_paths(live_run *lr)
{
    for (int i = 0; i < lr->nstreams; i++) {
        sb_t b = {0};
        sb_printf(&b, "%s/%s.%s", lr->dir, lr->streams[i].name, lr->streams[i].delimiter ? "csv" : "json");
        lr->paths[i] = sb_take(&b);
        lr->streams[i].path = lr->paths[i];
    }
}

/* ---- the directory of the generated files ------------------------------------------------------- */

static int make_temp_dir(live_run *lr)
{
    const char *tmp = getenv("TMPDIR");
    sb_t b = {0};
    sb_printf(&b, "%s/eddy-gen-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    char *path = sb_take(&b);
    if (!mkdtemp(path)) {
        err_msg("cannot create a temporary directory '%s': %s", path, strerror(errno));
        free(path);
        return 1;
    }
    lr->dir = path;
    lr->temporary = 1;
    return 0;
}

/* Removes the temporary directory and the files in it (generators write no subdirectories). */
static void remove_temp_dir(live_run *lr)
{
    if (!lr->temporary || !lr->dir) return;
    DIR *d = opendir(lr->dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            sb_t p = {0};
            sb_printf(&p, "%s/%s", lr->dir, e->d_name);
            unlink(sb_str(&p));
            sb_free(&p);
        }
        closedir(d);
    }
    rmdir(lr->dir);
}

/* ---- signals: the first SIGINT/SIGTERM stops at the next batch, a second one at once ---------- */

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
    if (stop_requested) _exit(128 + sig);
    stop_requested = 1;
}

typedef struct saved_signals {
    struct sigaction sigint, sigterm, sigpipe;
} saved_signals;

static void catch_signals(saved_signals *saved)
{
    struct sigaction stop = {0}, ignore = {0};
    stop.sa_handler = on_stop_signal;
    sigemptyset(&stop.sa_mask);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    stop_requested = 0;
    sigaction(SIGINT, &stop, &saved->sigint);
    sigaction(SIGTERM, &stop, &saved->sigterm);
    sigaction(SIGPIPE, &ignore, &saved->sigpipe);   /* a closed pipe is EPIPE: the end of the run */
}

static void restore_signals(const saved_signals *saved)
{
    sigaction(SIGINT, &saved->sigint, NULL);
    sigaction(SIGTERM, &saved->sigterm, NULL);
    sigaction(SIGPIPE, &saved->sigpipe, NULL);
}

/* ---- replaying and the summary -------------------------------------------------------------------- */

static const char *target_name(const live_run *lr)
{
    return lr->target.kind == GEN_TO_STDOUT ? "stdout" : lr->target.text;
}

static void print_stream_lines(const live_run *lr, const gen_replay *r)
{
    int brokered = lr->target.kind == GEN_TO_KAFKA || lr->target.kind == GEN_TO_MQTT;
    for (int i = 0; i < lr->nstreams; i++) {
        const gen_stream_stats *st = &r->stats[i];
        fprintf(stderr, "eddy gen %s: %s: %llu", lr->label, lr->streams[i].name, (unsigned long long)st->published);
        if (st->published != st->events) fprintf(stderr, " of %llu", (unsigned long long)st->events);
        if (brokered) fprintf(stderr, " events to topic %s", lr->streams[i].topic);
        else if (strstr(target_name(lr), "{topic}")) fprintf(stderr, " events to %s (topic %s)", target_name(lr), lr->streams[i].topic);
        else fprintf(stderr, " events to %s", target_name(lr));
        fprintf(stderr, " in %.2f s\n", st->last_s);
    }
}

static void print_summary(const live_run *lr, const live_opts *o, const gen_replay *r, const scenario_streams *sc)
{
    print_stream_lines(lr, r);
    uint64_t published = 0;
    for (int i = 0; i < lr->nstreams; i++) published += r->stats[i].published;
    double per_s = r->seconds > 0 ? (double)published / r->seconds : 0;
    fprintf(stderr, "eddy gen %s: %llu events to %s in %.2f s (%.0f events/s), disorder <= %g s", lr->label,
            (unsigned long long)published, target_name(lr), r->seconds, per_s, (double)o->disorder_us / 1e6);
    if (lr->target.kind == GEN_TO_MQTT) fprintf(stderr, ", qos %d", o->qos < 0 ? 1 : o->qos);
    if (r->closed) fputs("; the reader closed the output", stderr);
    else if (published < r->nevents) fprintf(stderr, "; stopped after %llu of %zu events", (unsigned long long)published, r->nevents);
    fputc('\n', stderr);
    if (!sc || !sc->dimensions[0]) return;
    sb_t dims = {0};
    for (int i = 0; sc->dimensions[i]; i++) {
        if (lr->temporary) sb_printf(&dims, "%s%s", i ? ", " : "", sc->dimensions[i]);
        else sb_printf(&dims, "%s%s/%s.%s", i ? ", " : "", lr->dir, sc->dimensions[i], lr->json ? "json" : "csv");
    }
    if (lr->temporary)
        fprintf(stderr, "eddy gen %s: dimension tables %s are not streamed; give --out DIR to keep their files\n", lr->label,
                sb_str(&dims));
    else
        fprintf(stderr, "eddy gen %s: dimension tables (files, not streamed): %s\n", lr->label, sb_str(&dims));
    sb_free(&dims);
}

static int open_publisher(live_run *lr, const live_opts *o)
{
    const char *topics[MAX_STREAMS];
    for (int i = 0; i < lr->nstreams; i++) topics[i] = lr->streams[i].topic;
    lr->pub = gen_publisher_open(&lr->target, topics, lr->nstreams, o->qos < 0 ? 1 : o->qos);
    return lr->pub ? 0 : 1;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Loads, orders, publishes and closes the publisher; prints the summary. */
static int replay_streams(live_run *lr, const live_opts *o, const scenario_streams *sc)
{
    gen_replay r;
    int rc = gen_replay_load(&r, lr->streams, lr->nstreams);
    if (!rc && !stop_requested) {
        gen_replay_order(&r, o->disorder_us, o->seed);
        gen_pacing pacing = {o->rate, o->speedup};
        rc = gen_replay_run(&r, &pacing, lr->pub, &stop_requested);
    }
    double closing = now_seconds();
    int close_rc = lr->pub->ops->close(lr->pub);
    r.seconds += now_seconds() - closing;       /* waiting for the broker's acknowledgements */
    lr->pub = NULL;
    if (!rc) rc = close_rc;
    if (!rc && !o->quiet) print_summary(lr, o, &r, sc);
    gen_replay_free(&r);
    return rc;
}

/* Runs the generator into lr->dir: its own options, --out (when temporary) and --quiet. */
static int generate(live_run *lr, int (*run)(int, char **), str_vec *gen_args, const live_opts *o)
{
    if (lr->temporary) {
        VEC_PUSH(*gen_args, "--out");
        VEC_PUSH(*gen_args, lr->dir);
        if (!o->quiet) VEC_PUSH(*gen_args, "--quiet");
    }
    return run((int)gen_args->len, (char **)gen_args->items);
}

int gen_live(int (*run)(int, char **), int argc, char **argv)
{
    const scenario_streams *sc = streams_of(argv[0]);
    if (!sc) return err_msg("scenario '%s' has no live streams", argv[0]), 2;
    live_opts o;
    live_opts_init(&o);
    str_vec gen_args = {0};
    live_run lr = {.label = argv[0]};
    int rc = split_args(argc, argv, &o, &gen_args);
    if (!rc) rc = check_pacing(&o);
    if (!rc) rc = check_target(&lr, &o);
    const char *format = sc->format_option ? generator_option(&gen_args, "--format") : NULL;
    lr.json = format && !strcmp(format, "json");
    if (!rc) rc = resolve_streams(&lr, sc, &o, lr.json);
    saved_signals saved;
    catch_signals(&saved);
    if (!rc) rc = open_publisher(&lr, &o);
    if (!rc && o.out_dir) lr.dir = xstrdup(o.out_dir);
    else if (!rc) rc = make_temp_dir(&lr);
    if (!rc) rc = generate(&lr, run, &gen_args, &o);
    if (!rc) {
        set_paths(&lr);
        rc = replay_streams(&lr, &o, sc);
    }
    if (lr.pub) lr.pub->ops->close(lr.pub);
    restore_signals(&saved);
    remove_temp_dir(&lr);
    live_run_free(&lr);
    VEC_FREE(gen_args);
    VEC_FREE(o.topics);
    return rc;
}

/* ---- eddy gen replay ------------------------------------------------------------------------------- */

typedef struct replay_opts {
    live_opts live;
    const char *file;
    const char *name;
    long long time_column;
    const char *time_field;
    const char *time_format;
    char delimiter;
    int help;
} replay_opts;

static const char *const REPLAY_OPTIONS[] = {
    "--file", "--time-column", "--time-field", "--time-format", "--delimiter", "--name", "--to", "--rate",
    "--speedup", "--disorder", "--topic", "--topic-prefix", "--qos", "--seed", "--quiet", "--help", NULL,
};

static const char REPLAY_USAGE[] =
    "usage: eddy gen replay --file PATH (--time-column N [--delimiter C (,)] | --time-field KEY)\n"
    "         [--time-format epoch-s|epoch-ms|PATTERN (epoch-s)] [--name STREAM (the file's base name)]\n"
    "         [live options]\n"
    "replays a file of events, one per line (CSV with the event time in column N, or JSON objects\n"
    "with it under KEY), as a live stream named STREAM (its default topic); PATTERN is a Java\n"
    "date-time pattern such as 'yyyy-MM-dd HH:mm:ss' or 'dd/MM/yyyy:HH:mm:ss' (a wall-clock time).\n"
    "--delimiter takes one character, or 'tab' or 'space'.\n";

static int parse_delimiter(const char *text, char *out)
{
    if (!strcmp(text, "tab") || !strcmp(text, "\\t")) *out = '\t';
    else if (!strcmp(text, "space")) *out = ' ';
    else if (strlen(text) == 1 && text[0] != '"' && text[0] != '\n') *out = text[0];
    else return err_msg("--delimiter expects one character (not '\"'), 'tab' or 'space', got '%s'", text), 2;
    return 0;
}

static int check_time_format(const char *text)
{
    if (!strcmp(text, "epoch-s") || !strcmp(text, "epoch-ms")) return 0;
    timefmt_t f;
    char msg[200];
    if (timefmt_compile(&f, text, strlen(text), msg, sizeof msg) != 0)
        return err_msg("--time-format expects epoch-s, epoch-ms or a Java date-time pattern; '%s': %s", text, msg), 2;
    return 0;
}

static int apply_replay_option(void *opts, const char *name, const char *value)
{
    replay_opts *o = opts;
    if (!strcmp(name, "--file")) return gen_parse_path(name, value, "a file of events", &o->file);
    if (!strcmp(name, "--name")) return gen_parse_path(name, value, "a stream name", &o->name);
    if (!strcmp(name, "--time-column")) return gen_parse_int(name, value, 1, 1000, &o->time_column);
    if (!strcmp(name, "--time-field")) return gen_parse_path(name, value, "a JSON key", &o->time_field);
    if (!strcmp(name, "--time-format")) return o->time_format = value, check_time_format(value);
    if (!strcmp(name, "--delimiter")) return parse_delimiter(value, &o->delimiter);
    if (!strcmp(name, "--help")) return o->help = 1, 0;
    return apply_live_option(&o->live, name, value);
}

/* The file's base name without its extension (malloc'd). */
static char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path, *dot = strrchr(base, '.');
    return xstrndup(base, dot && dot > base ? (size_t)(dot - base) : strlen(base));
}

static int check_replay_options(replay_opts *o)
{
    if (!o->file) return err_msg("missing --file PATH (the file of events to replay)"), 2;
    if ((o->time_column > 0) == (o->time_field != NULL))
        return err_msg("give --time-column N (a CSV file) or --time-field KEY (JSON lines), one of them"), 2;
    if (o->time_field && o->delimiter) return err_msg("--delimiter applies to CSV files (--time-column), not to JSON lines"), 2;
    return check_pacing(&o->live);
}

static gen_stream replay_stream(const replay_opts *o, const char *name, const char *topic)
{
    const char *f = o->time_format ? o->time_format : "epoch-s";
    gen_time_kind kind = !strcmp(f, "epoch-s") ? GEN_TIME_EPOCH_S : !strcmp(f, "epoch-ms") ? GEN_TIME_EPOCH_MS : GEN_TIME_PATTERN;
    return (gen_stream){.name = name, .topic = topic, .path = o->file, .delimiter = o->time_field ? 0 : o->delimiter ? o->delimiter : ',',
                        .time_column = (int)o->time_column, .time_field = o->time_field, .time_kind = kind,
                        .time_pattern = kind == GEN_TIME_PATTERN ? f : NULL};
}

int gen_replay_file(int argc, char **argv)
{
    static const gen_cli cli = {REPLAY_OPTIONS, FLAGS, apply_replay_option};
    replay_opts o = {0};
    live_opts_init(&o.live);
    err_clear();
    int rc = gen_parse_argv(&cli, argc, argv, &o);
    if (!rc && o.help) {
        fputs(REPLAY_USAGE, stdout);
        gen_live_usage(stdout, "replay");
        VEC_FREE(o.live.topics);
        return 0;
    }
    if (!rc) rc = check_replay_options(&o);
    live_run lr = {.label = "replay"};
    char *name = o.file ? (o.name ? xstrdup(o.name) : base_name(o.file)) : NULL;
    scenario_streams sc = {.scenario = "replay", .nstreams = 1, .streams = {{.name = name, .topic = name}}};
    if (!rc) rc = check_target(&lr, &o.live);
    if (!rc) rc = topic_of(&sc, &o.live, 0, 1, &lr.topics[0]);
    if (!rc) {
        lr.streams[0] = replay_stream(&o, name, lr.topics[0]);
        lr.nstreams = 1;
    }
    saved_signals saved;
    catch_signals(&saved);
    if (!rc) rc = open_publisher(&lr, &o.live);
    if (!rc) rc = replay_streams(&lr, &o.live, NULL);
    if (lr.pub) lr.pub->ops->close(lr.pub);
    restore_signals(&saved);
    live_run_free(&lr);
    free(name);
    VEC_FREE(o.live.topics);
    return rc;
}

/* ---- usage -------------------------------------------------------------------------------------------- */

static const char SCENARIO_LIVE_USAGE[] =
    "live streams: without --out, or with --to, the events are streamed instead:\n"
    "  [--to TARGET (-)] [--rate EVENTS_PER_SECOND|max (max) | --speedup X] [--disorder DURATION (0)]\n"
    "  [--streams NAME,...] [--topic [STREAM=]TOPIC]... [--topic-prefix P] [--qos 0|1|2 (1)]\n"
    "  [--out DIR (keeps the files)] [--seed S] [--quiet]\n"
    "the files are generated (into --out DIR or a temporary directory), the event streams merged in\n"
    "event-time order, each event delayed by up to --disorder of event time (deterministic per\n"
    "--seed), paced to --rate events per second or --speedup X times the pace of event time, and\n"
    "published one message per line to TARGET:\n";

static const char REPLAY_LIVE_USAGE[] =
    "live options:\n"
    "  [--to TARGET (-)] [--rate EVENTS_PER_SECOND|max (max) | --speedup X] [--disorder DURATION (0)]\n"
    "  [--topic TOPIC] [--topic-prefix P] [--qos 0|1|2 (1)] [--seed S] [--quiet]\n"
    "the events are ordered by event time, each delayed by up to --disorder of event time\n"
    "(deterministic per --seed), paced to --rate events per second or --speedup X times the pace\n"
    "of event time, and published one message per line to TARGET:\n";

static const char TARGETS_USAGE[] =
    "  -                                 stdout\n"
    "  FILE                              a file; {topic} in FILE writes one file per topic\n"
    "  kafka://HOST:PORT[,HOST:PORT...]  a Kafka topic per stream\n"
    "  mqtt://HOST[:PORT]                an MQTT topic per stream (port 1883), at --qos\n"
    "DURATION: 500ms, 5s, 2m, 1h or seconds.\n";

static const char TOPICS_USAGE[] =
    "A stream's topic is P + its topic below, or P + TOPIC of --topic STREAM=TOPIC. Dimension\n"
    "tables are not streamed: they stay files (and the --sqlite database).\n";

static void print_streams(FILE *f, const scenario_streams *sc)
{
    for (int i = 0; i < sc->nstreams; i++) {
        fprintf(f, "  %-10s %-20s -> %s", i ? "" : sc->scenario, sc->streams[i].name, sc->streams[i].topic);
        if (i == 0 && sc->dimensions[0]) {
            fputs("   (dimension tables:", f);
            for (int k = 0; sc->dimensions[k]; k++) fprintf(f, "%s %s", k ? "," : "", sc->dimensions[k]);
            fputc(')', f);
        }
        fputc('\n', f);
    }
}

void gen_live_usage(FILE *f, const char *scenario)
{
    int replay = scenario && !strcmp(scenario, "replay");
    const scenario_streams *sc = scenario ? streams_of(scenario) : NULL;
    fputs(replay ? REPLAY_LIVE_USAGE : SCENARIO_LIVE_USAGE, f);
    fputs(TARGETS_USAGE, f);
    if (replay || (scenario && !sc)) return;
    fputs(TOPICS_USAGE, f);
    fputs(sc ? "streams and their topics:\n" : "streams of each scenario and their topics:\n", f);
    for (size_t i = 0; i < ARRAY_LEN(SCENARIO_STREAMS); i++)
        if (!sc || sc == &SCENARIO_STREAMS[i]) print_streams(f, &SCENARIO_STREAMS[i]);
    for (size_t i = 0; i < ARRAY_LEN(RENAMED); i++)
        if (!sc || !strcmp(sc->scenario, RENAMED[i].scenario))
            fprintf(f, "in live mode, %s's %s is %s (%s is the live rate)\n", RENAMED[i].scenario, RENAMED[i].generator_name,
                    RENAMED[i].live_name, RENAMED[i].generator_name);
}
