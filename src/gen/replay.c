/* replay.c - the replayer behind live `eddy gen` streams: maps each stream's file, reads every
 * line's event time, puts the events of all streams in output order and publishes them in
 * paced batches.
 *
 * Order. An event of event time t gets a delay d in 0..D (--disorder): a hash of the seed, its
 * stream and its place in the file, so the same seed gives the same order. Events go out by
 * (t + d, t, stream, file position). When an event e goes out after an event e' of later time
 * t', then t' + d' <= t + d, so t' - t <= d - d' <= D: no event is more than D of event time
 * behind an event sent before it. D = 0 merges the streams in event-time order, each file's own
 * order kept among equal times (so the order does not depend on the order of the file).
 *
 * Pacing. Event i is due i / rate seconds after the start (--rate), or (t_i + d_i - t_0 - d_0)
 * / speedup seconds (--speedup). Each round sends every event that is due, at most BATCH, as one
 * batch (one call into the publisher), then sleeps until the next event is due but at least
 * MIN_SLEEP_S: a high rate goes out in batches of about a millisecond's worth, a low one event by
 * event. Due times are measured from the start, so sleeping late never accumulates drift.
 *
 * Memory: files are mapped, not copied; an event is a 32-byte index entry. */
#include "gen/gen.h"
#include "base/err.h"
#include "base/timefmt.h"
#include "base/util.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BATCH          1024
#define MIN_SLEEP_S    0.001
#define MAX_SLEEP_S    0.25             /* a stop request is seen at least this often */
#define MAX_EPOCH_S    9000000000000LL  /* |seconds| that still fit in microseconds */
#define DISORDER_SALT  0xD150BDE5EEDull

/* ---- reading event times ---------------------------------------------------------------------- */

/* Field `column` (1-based) of the CSV line [p, end): its text without surrounding quotes. */
static int csv_field(const char *p, const char *end, char delimiter, int column, const char **text, size_t *len)
{
    for (int c = 1; ; c++) {
        const char *start = p, *stop;
        if (p < end && *p == '"') {
            start = ++p;
            while (p < end && !(*p == '"' && (p + 1 == end || p[1] != '"'))) p += *p == '"' ? 2 : 1;
            stop = p;
            while (p < end && *p != delimiter) p++;
        } else {
            while (p < end && *p != delimiter) p++;
            stop = p;
        }
        if (c == column) {
            *text = start;
            *len = (size_t)(stop - start);
            return 0;
        }
        if (p == end) return -1;
        p++;
    }
}

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) p++;
    return p;
}

/* p at a '"': just past the closing quote, or NULL. */
static const char *skip_string(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if (*p == '\\') p++;
        else if (*p == '"') return p + 1;
    }
    return NULL;
}

/* Past one JSON value starting at p (nested objects and arrays skipped whole), or NULL. */
static const char *skip_value(const char *p, const char *end)
{
    if (p < end && *p == '"') return skip_string(p, end);
    if (p < end && (*p == '{' || *p == '[')) {
        int depth = 0;
        while (p < end) {
            if (*p == '"') {
                p = skip_string(p, end);
                if (!p) return NULL;
                continue;
            }
            if (*p == '{' || *p == '[') depth++;
            else if ((*p == '}' || *p == ']') && --depth == 0) return p + 1;
            p++;
        }
        return NULL;
    }
    const char *start = p;
    while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' && *p != '\r') p++;
    return p > start ? p : NULL;
}

enum { JSON_FOUND = 0, JSON_MALFORMED = -1, JSON_NO_KEY = -2 };

/* The value of top-level key `key` of the JSON object line [p, end): a string's text without
 * its quotes, or a number's or literal's text. */
static int json_field(const char *p, const char *end, const char *key, const char **text, size_t *len)
{
    size_t key_len = strlen(key);
    p = skip_space(p, end);
    if (p == end || *p != '{') return JSON_MALFORMED;
    p = skip_space(p + 1, end);
    if (p < end && *p == '}') return JSON_NO_KEY;
    for (;;) {
        if (p == end || *p != '"') return JSON_MALFORMED;
        const char *k = p + 1, *after_key = skip_string(p, end);
        if (!after_key) return JSON_MALFORMED;
        p = skip_space(after_key, end);
        if (p == end || *p != ':') return JSON_MALFORMED;
        const char *v = skip_space(p + 1, end);
        if (!(p = skip_value(v, end))) return JSON_MALFORMED;
        if ((size_t)(after_key - 1 - k) == key_len && !memcmp(k, key, key_len)) {
            int quoted = *v == '"';
            *text = v + quoted;
            *len = (size_t)(p - v) - 2 * (size_t)quoted;
            return JSON_FOUND;
        }
        p = skip_space(p, end);
        if (p < end && *p == ',') { p = skip_space(p + 1, end); continue; }
        return p < end && *p == '}' ? JSON_NO_KEY : JSON_MALFORMED;
    }
}

/* Optionally signed decimal integer filling text[0..len) -> *v; -1 otherwise. */
static int parse_integer(const char *text, size_t len, int64_t *v)
{
    if (len == 0) return -1;
    size_t i = text[0] == '-' && len > 1;
    if (len - i > 18) return -1;
    int64_t x = 0;
    for (; i < len; i++) {
        if (text[i] < '0' || text[i] > '9') return -1;
        x = x * 10 + (text[i] - '0');
    }
    *v = text[0] == '-' ? -x : x;
    return 0;
}

/* Per stream while loading: the compiled pattern and the current line, for messages. */
typedef struct line_reader {
    const gen_stream *s;
    timefmt_t pattern;
    uint64_t line_no;
} line_reader;

/* "PATH:LINE: what'text'after", the text cut to 60 bytes. */
static int bad_line(const line_reader *lr, const char *what, const char *text, size_t len, const char *after)
{
    err_msg("%s:%llu: %s'%.*s'%s", lr->s->path, (unsigned long long)lr->line_no, what, (int)MIN(len, 60), text, after);
    return 1;
}

static int time_of_text(const line_reader *lr, const char *text, size_t len, int64_t *us)
{
    const gen_stream *s = lr->s;
    int64_t v;
    timefmt_parsed parsed;
    char after[160];
    switch (s->time_kind) {
    case GEN_TIME_EPOCH_S:
        if (parse_integer(text, len, &v) != 0 || v > MAX_EPOCH_S || v < -MAX_EPOCH_S)
            return bad_line(lr, "event time ", text, len, " is not whole epoch seconds");
        *us = v * 1000000;
        return 0;
    case GEN_TIME_EPOCH_MS:
        if (parse_integer(text, len, &v) != 0 || v > MAX_EPOCH_S * 1000 || v < -MAX_EPOCH_S * 1000)
            return bad_line(lr, "event time ", text, len, " is not whole epoch milliseconds");
        *us = v * 1000;
        return 0;
    case GEN_TIME_PATTERN:
        if (timefmt_parse(&lr->pattern, text, len, TIMEFMT_JAVA_TIME, &parsed) != 0) {
            snprintf(after, sizeof after, " does not match the pattern '%s'", s->time_pattern);
            return bad_line(lr, "event time ", text, len, after);
        }
        *us = parsed.local_us - (parsed.has_offset ? (int64_t)parsed.offset_sec * 1000000 : 0);
        return 0;
    }
    return 1;
}

static int time_of_line(const line_reader *lr, const char *p, const char *end, int64_t *us)
{
    const gen_stream *s = lr->s;
    const char *text;
    size_t len;
    char what[160];
    if (s->delimiter) {
        if (csv_field(p, end, s->delimiter, s->time_column, &text, &len) != 0)
            return err_msg("%s:%llu: the event time is column %d but the line has fewer columns", s->path,
                           (unsigned long long)lr->line_no, s->time_column), 1;
    } else {
        int found = json_field(p, end, s->time_field, &text, &len);
        if (found == JSON_MALFORMED) return bad_line(lr, "not a JSON object: ", p, (size_t)(end - p), "");
        if (found == JSON_NO_KEY) {
            snprintf(what, sizeof what, "no key '%s' (the event time) in ", s->time_field);
            return bad_line(lr, what, p, (size_t)(end - p), "");
        }
        if (len == 4 && !memcmp(text, "null", 4) && text[-1] != '"')
            return err_msg("%s:%llu: the event time '%s' is null", s->path, (unsigned long long)lr->line_no,
                           s->time_field), 1;
    }
    return time_of_text(lr, text, len, us);
}

/* ---- loading ---------------------------------------------------------------------------------- */

static int map_file(const char *path, char **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return err_msg("cannot open '%s': %s", path, strerror(errno)), 1;
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0) rc = err_msg("cannot read '%s': %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode)) rc = err_msg("'%s' is not a regular file", path);
    else if (st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) rc = err_msg("cannot map '%s': %s", path, strerror(errno));
        else {
            *data = p;
            *size = (size_t)st.st_size;
        }
    }
    close(fd);
    return rc ? 1 : 0;
}

typedef VEC(gen_event) event_vec;

static int index_stream(gen_replay *r, int si, event_vec *events)
{
    line_reader lr = {.s = &r->streams[si]};
    char msg[200];
    if (lr.s->time_kind == GEN_TIME_PATTERN &&
        timefmt_compile(&lr.pattern, lr.s->time_pattern, strlen(lr.s->time_pattern), msg, sizeof msg) != 0)
        return err_msg("stream %s: bad time pattern '%s': %s", lr.s->name, lr.s->time_pattern, msg), 1;
    if (map_file(lr.s->path, &r->data[si], &r->size[si])) return 1;
    if (r->size[si] == 0) return 0;
    const char *base = r->data[si], *p = base, *end = base + r->size[si];
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = nl ? nl : end;
        lr.line_no++;
        if (line_end > p && line_end[-1] == '\r') line_end--;
        if (line_end > p) {
            if ((size_t)(line_end - p) > UINT32_MAX)
                return err_msg("%s:%llu: line longer than 4 GiB", lr.s->path, (unsigned long long)lr.line_no), 1;
            gen_event e = {.offset = (uint64_t)(p - base), .len = (uint32_t)(line_end - p), .stream = (uint32_t)si};
            if (time_of_line(&lr, p, line_end, &e.time_us)) return 1;
            e.deliver_us = e.time_us;
            VEC_PUSH(*events, e);
            r->stats[si].events++;
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

int gen_replay_load(gen_replay *r, const gen_stream *streams, int nstreams)
{
    memset(r, 0, sizeof *r);
    r->streams = streams;
    r->nstreams = nstreams;
    size_t slots = (size_t)(nstreams > 0 ? nstreams : 1);
    r->data = xcalloc(slots, sizeof *r->data);
    r->size = xcalloc(slots, sizeof *r->size);
    r->stats = xcalloc(slots, sizeof *r->stats);
    event_vec events = {0};
    int rc = 0;
    for (int i = 0; i < nstreams && !rc; i++) rc = index_stream(r, i, &events);
    r->events = events.items;
    r->nevents = events.len;
    return rc;
}

/* ---- order ------------------------------------------------------------------------------------- */

static int event_cmp(const void *pa, const void *pb)
{
    const gen_event *a = pa, *b = pb;
    if (a->deliver_us != b->deliver_us) return a->deliver_us < b->deliver_us ? -1 : 1;
    if (a->time_us != b->time_us) return a->time_us < b->time_us ? -1 : 1;
    if (a->stream != b->stream) return a->stream < b->stream ? -1 : 1;
    return (a->offset > b->offset) - (a->offset < b->offset);
}

void gen_replay_order(gen_replay *r, int64_t disorder_us, uint64_t seed)
{
    uint64_t salt = gen_hash64(seed ^ DISORDER_SALT);
    for (size_t i = 0; i < r->nevents; i++) {
        gen_event *e = &r->events[i];
        uint64_t h = gen_hash64(salt ^ gen_hash64((uint64_t)e->stream << 48 ^ e->offset));
        e->deliver_us = e->time_us + (disorder_us > 0 ? (int64_t)(h % ((uint64_t)disorder_us + 1)) : 0);
    }
    qsort(r->events, r->nevents, sizeof *r->events, event_cmp);
}

/* ---- publishing ---------------------------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleep_until(double t)
{
    double d = t - now_s();
    if (d <= 0) return;
    d = MIN(d, MAX_SLEEP_S);
    struct timespec ts = {.tv_sec = (time_t)d, .tv_nsec = (long)((d - (double)(time_t)d) * 1e9)};
    nanosleep(&ts, NULL);                       /* EINTR: the caller looks at its stop flag */
}

/* Seconds after the start at which event i is due. */
static double due_s(const gen_replay *r, const gen_pacing *pacing, size_t i)
{
    if (pacing->rate > 0) return (double)i / pacing->rate;
    if (pacing->speedup > 0) return (double)(r->events[i].deliver_us - r->events[0].deliver_us) * 1e-6 / pacing->speedup;
    return 0;
}

int gen_replay_run(gen_replay *r, const gen_pacing *pacing, gen_publisher *pub, const volatile sig_atomic_t *stop)
{
    gen_message *batch = xmalloc(BATCH * sizeof *batch);
    double start = now_s();
    size_t next = 0;
    int rc = 0;
    while (next < r->nevents && !(stop && *stop)) {
        double elapsed = now_s() - start;
        size_t n = 0;
        for (; next + n < r->nevents && n < BATCH && due_s(r, pacing, next + n) <= elapsed; n++) {
            const gen_event *e = &r->events[next + n];
            batch[n] = (gen_message){r->data[e->stream] + e->offset, e->len, e->stream};
        }
        if (n == 0) {
            sleep_until(start + MAX(due_s(r, pacing, next), elapsed + MIN_SLEEP_S));
            continue;
        }
        size_t sent = 0;
        int prc = pub->ops->publish(pub, batch, n, &sent);
        double at = now_s() - start;
        for (size_t k = 0; k < sent; k++) {
            gen_stream_stats *st = &r->stats[batch[k].topic];
            st->published++;
            st->last_s = at;
        }
        next += sent;
        if (prc == GEN_PUBLISH_CLOSED) { r->closed = 1; break; }
        if (prc) { rc = 1; break; }
    }
    r->seconds = now_s() - start;
    free(batch);
    return rc;
}

void gen_replay_free(gen_replay *r)
{
    for (int i = 0; i < r->nstreams; i++)
        if (r->data && r->data[i]) munmap(r->data[i], r->size[i]);
    free(r->data);
    free(r->size);
    free(r->stats);
    free(r->events);
    memset(r, 0, sizeof *r);
}
