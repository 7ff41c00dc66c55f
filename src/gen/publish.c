/* publish.c - where live `eddy gen` events go: parsing --to (-, FILE, kafka://..., mqtt://...),
 * choosing the publisher, and the stdout/file publisher.
 *
 * The stdout/file publisher writes each message as one line. "{topic}" in the path makes one
 * file per distinct topic (streams that share a topic share its file). Every batch ends with a
 * flush, so a reader following the file or pipe sees events as they are paced. A closed pipe
 * (EPIPE; the caller ignores SIGPIPE) is reported as GEN_PUBLISH_CLOSED, not as an error:
 * `eddy gen mall | head` ends quietly. */
#include "gen/gen.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "base/util.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MQTT_DEFAULT_PORT 1883
#define KAFKA_DEFAULT_PORT 9092
#define FILE_BUFFER_SIZE  ((size_t)1 << 16)

static const char TARGET_FORMS[] = "-, a file path, kafka://HOST:PORT[,HOST:PORT...] or mqtt://HOST[:PORT]";

/* ---- --to ----------------------------------------------------------------------------------- */

static int parse_port(const char *text, size_t n, int *port)
{
    int v = 0;
    if (n == 0 || n > 5) return -1;
    for (size_t i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9') return -1;
        v = v * 10 + (text[i] - '0');
    }
    if (v < 1 || v > 65535) return -1;
    *port = v;
    return 0;
}

/* "HOST:PORT" (PORT optional when default_port > 0; "[v6]:PORT" allowed) in text[0..n) ->
 * host (malloc'd) and port; -1 when malformed. */
static int parse_host_port(const char *text, size_t n, int default_port, char **host, int *port)
{
    const char *host_start = text, *host_end, *colon;
    if (n > 0 && text[0] == '[') {
        const char *close = memchr(text, ']', n);
        if (!close || close == text + 1) return -1;
        host_start = text + 1;
        host_end = close;
        colon = close + 1 < text + n ? close + 1 : NULL;
        if (colon && *colon != ':') return -1;
    } else {
        colon = memchr(text, ':', n);
        host_end = colon ? colon : text + n;
        if (colon && memchr(colon + 1, ':', (size_t)(text + n - colon - 1))) return -1;
    }
    if (host_end == host_start) return -1;
    *port = default_port;
    if (colon ? parse_port(colon + 1, (size_t)(text + n - colon - 1), port) : default_port <= 0) return -1;
    *host = xstrndup(host_start, (size_t)(host_end - host_start));
    return 0;
}

static int bad_address(const char *text, const char *what)
{
    return err_msg("--to '%s': %s", text, what), 2;
}

/* Kafka bootstrap list: HOST[:PORT] entries separated by commas, each checked (librdkafka
 * fills in the port 9092 where it is left out). */
static int parse_kafka(const char *text, const char *list, gen_target *t)
{
    if (!*list) return bad_address(text, "expected kafka://HOST:PORT[,HOST:PORT...]");
    for (const char *p = list; ; ) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char *host;
        int port;
        if (parse_host_port(p, n, KAFKA_DEFAULT_PORT, &host, &port) != 0) {
            sb_t m = {0};
            sb_printf(&m, "expected kafka://HOST:PORT[,HOST:PORT...] with ports 1..65535, got '%.*s'", (int)n, p);
            bad_address(text, sb_str(&m));
            sb_free(&m);
            return 2;
        }
        free(host);
        if (!comma) break;
        p = comma + 1;
    }
    t->kind = GEN_TO_KAFKA;
    t->address = xstrdup(list);
    return 0;
}

int gen_parse_target(const char *text, gen_target *t)
{
    memset(t, 0, sizeof *t);
    t->text = text;
    if (!*text) return err_msg("--to expects %s, got ''", TARGET_FORMS), 2;
    if (!strcmp(text, "-")) { t->kind = GEN_TO_STDOUT; return 0; }
    const char *sep = strstr(text, "://");
    if (!sep) { t->kind = GEN_TO_FILE; return 0; }
    size_t scheme_len = (size_t)(sep - text);
    const char *rest = sep + 3;
    if (scheme_len == 5 && !memcmp(text, "kafka", 5)) return parse_kafka(text, rest, t);
    if (scheme_len == 4 && !memcmp(text, "mqtt", 4)) {
        if (parse_host_port(rest, strlen(rest), MQTT_DEFAULT_PORT, &t->address, &t->port) != 0)
            return bad_address(text, "expected mqtt://HOST[:PORT] with a port 1..65535");
        t->kind = GEN_TO_MQTT;
        return 0;
    }
    return err_msg("--to '%s': unknown scheme '%.*s'; expected %s", text, (int)scheme_len, text, TARGET_FORMS), 2;
}

void gen_target_free(gen_target *t)
{
    free(t->address);
    t->address = NULL;
}

gen_publisher *gen_publisher_open(const gen_target *t, const char *const *topics, int ntopics, int qos)
{
    switch (t->kind) {
    case GEN_TO_STDOUT: return gen_file_publisher_open(NULL, topics, ntopics);
    case GEN_TO_FILE: return gen_file_publisher_open(t->text, topics, ntopics);
    case GEN_TO_KAFKA: return gen_kafka_publisher_open(t->address, topics, ntopics);
    case GEN_TO_MQTT: return gen_mqtt_publisher_open(t->address, t->port, qos, topics, ntopics);
    }
    return NULL;
}

/* ---- stdout and files ------------------------------------------------------------------------ */

typedef struct file_publisher {
    gen_publisher base;
    FILE **files;               /* nfiles open files (stdout is not closed) */
    char **paths;               /* their names, for messages */
    int nfiles;
    int *file_of_topic;         /* topic number -> index into files */
    int to_stdout;
} file_publisher;

/* path with every "{topic}" replaced by topic (malloc'd). */
static char *expand_topic(const char *path, const char *topic)
{
    sb_t b = {0};
    for (const char *p = path; *p; ) {
        if (!strncmp(p, "{topic}", 7)) { sb_puts(&b, topic); p += 7; }
        else sb_putc(&b, *p++);
    }
    return sb_take(&b);
}

static int file_fail(file_publisher *fp, int f)
{
    int e = errno ? errno : EIO;
    if (e == EPIPE) return GEN_PUBLISH_CLOSED;
    err_msg("cannot write '%s': %s", fp->paths[f], strerror(e));
    return 1;
}

static int file_publish(gen_publisher *p, const gen_message *msgs, size_t n, size_t *sent)
{
    file_publisher *fp = (file_publisher *)p;
    *sent = 0;
    errno = 0;
    for (size_t i = 0; i < n; i++) {
        FILE *f = fp->files[fp->file_of_topic[msgs[i].topic]];
        if (fwrite(msgs[i].data, 1, msgs[i].len, f) != msgs[i].len || putc('\n', f) == EOF)
            return file_fail(fp, fp->file_of_topic[msgs[i].topic]);
        *sent = i + 1;
    }
    for (int f = 0; f < fp->nfiles; f++)
        if (fflush(fp->files[f]) != 0) return file_fail(fp, f);
    return 0;
}

static int file_close(gen_publisher *p)
{
    file_publisher *fp = (file_publisher *)p;
    int rc = 0;
    for (int f = 0; f < fp->nfiles; f++) {
        errno = 0;
        int failed = fp->to_stdout ? fflush(fp->files[f]) != 0 : fclose(fp->files[f]) != 0;
        if (failed && !rc && errno != EPIPE) {
            err_msg("cannot write '%s': %s", fp->paths[f], strerror(errno ? errno : EIO));
            rc = 1;
        }
        free(fp->paths[f]);
    }
    free(fp->files);
    free(fp->paths);
    free(fp->file_of_topic);
    free(fp);
    return rc;
}

static const gen_publisher_ops FILE_OPS = {file_publish, file_close};

/* The file of topic t: an earlier topic of the same name shares it, else a new one is opened. */
static int open_topic_file(file_publisher *fp, const char *path, const char *const *topics, int t)
{
    for (int u = 0; u < t; u++)
        if (!strcmp(topics[u], topics[t])) return fp->file_of_topic[u];
    char *name = expand_topic(path, topics[t]);
    FILE *f = fopen(name, "wb");
    if (!f) {
        err_msg("--to: cannot create '%s': %s", name, strerror(errno));
        free(name);
        return -1;
    }
    setvbuf(f, NULL, _IOFBF, FILE_BUFFER_SIZE);
    fp->files[fp->nfiles] = f;
    fp->paths[fp->nfiles] = name;
    return fp->nfiles++;
}

gen_publisher *gen_file_publisher_open(const char *path, const char *const *topics, int ntopics)
{
    file_publisher *fp = xcalloc(1, sizeof *fp);
    fp->base.ops = &FILE_OPS;
    int slots = ntopics > 0 ? ntopics : 1;
    fp->files = xcalloc((size_t)slots, sizeof *fp->files);
    fp->paths = xcalloc((size_t)slots, sizeof *fp->paths);
    fp->file_of_topic = xcalloc((size_t)slots, sizeof *fp->file_of_topic);
    if (!path || !strstr(path, "{topic}")) {
        fp->to_stdout = path == NULL;
        fp->files[0] = path ? fopen(path, "wb") : stdout;
        fp->paths[0] = xstrdup(path ? path : "stdout");
        fp->nfiles = 1;
        if (!fp->files[0]) {
            err_msg("--to: cannot create '%s': %s", path, strerror(errno));
            fp->nfiles = 0;
            free(fp->paths[0]);
            file_close(&fp->base);
            return NULL;
        }
        if (path) setvbuf(fp->files[0], NULL, _IOFBF, FILE_BUFFER_SIZE);
        return &fp->base;
    }
    for (int t = 0; t < ntopics; t++) {
        fp->file_of_topic[t] = open_topic_file(fp, path, topics, t);
        if (fp->file_of_topic[t] < 0) {
            file_close(&fp->base);
            return NULL;
        }
    }
    return &fp->base;
}
