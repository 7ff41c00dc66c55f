/* kafka_source.c - the source of the 'kafka' and 'upsert-kafka' connectors (librdkafka).
 *
 * Partitions are assigned explicitly, as Flink's KafkaSource does (the consumer group only
 * stores committed offsets): at start the source lists the topics' partitions, works out
 * each one's start offset (scan.startup.mode) and, when bounded, its stop offset
 * (scan.bounded.mode), and assigns them. Each partition has its own librdkafka queue, so one
 * next() call reads one partition only (source_t.split is its index, nsplits the count) and
 * the scan keeps watermarks per partition. Calls never wait: a partition queue is drained
 * with a zero timeout and the next call starts at the next partition, round robin.
 *
 * A bounded partition is done when its position reaches its stop offset, or when librdkafka
 * reports the partition's end at or past it (the end can be a transaction marker that is
 * never delivered); the source ends when every partition is done. Brokers that cannot look
 * offsets up by timestamp (and partitions without a record that late) fall back to reading
 * from the earliest offset and skipping records older than the start timestamp until the
 * first one that is not, and to stopping at the latest offset or the first record at or after
 * the stop timestamp. An unbounded source looks for new partitions (and new topics matching
 * 'topic-pattern') every scan.topic-partition-discovery.interval and reads them from the
 * earliest offset.
 *
 * Records: the value is decoded by the value format (straight into the output chunk when it
 * covers every column, else into a view of its columns) and the key by the key format, whose
 * columns are then copied into the rows; with 'ALL' a column in both comes from the value, as
 * in Flink. A record whose key decodes to nothing (no key, or a skipped bad key) gives no row
 * and is counted as skipped; so is a null value (a tombstone) on a 'kafka' table. On an
 * 'upsert-kafka' table a value gives +U rows and a tombstone a -D row with only the key set.
 * After a call's rows the partition's position is stored for commit to the consumer group
 * (librdkafka commits stored offsets every auto.commit.interval.ms and on close) when
 * 'properties.group.id' is set. */
#include "connect/kafka.h"
#include "base/util.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define BATCH_MAX 256

typedef struct kpart {
    char *topic;
    int32_t id;
    int64_t start;               /* first offset to read */
    int64_t stop;                /* first offset not to read (INT64_MAX: unbounded) */
    int64_t skip_before_ms;      /* skip records older than this until one is not (-1: off) */
    int64_t stop_at_ms;          /* the first record at or after this ends the partition (-1: off) */
    rd_kafka_queue_t *queue;
    int64_t position;            /* offset after the last record read (start before any) */
    int64_t stored;              /* position last stored for commit */
    int done;
} kpart;

typedef struct kafka_source {
    source_t base;
    kafka_spec spec;
    rd_kafka_t *rk;
    VEC(kpart) parts;
    size_t ndone;
    decoder_t *value_dec;
    decoder_t *key_dec;          /* NULL: no key format */
    chunk_t *key_rows;           /* the decoded key of one record */
    vector_t *value_view;        /* the value part's columns of the output chunk */
    int value_is_all;            /* the value part is every column in order */
    uint8_t *from_key;           /* per column: filled from the key (a key column not in the value) */
    uint64_t dropped;            /* records that gave no row (no key, tombstone on 'kafka') */
    rd_kafka_message_t *batch[BATCH_MAX];
    int batch_len, batch_pos;
    size_t batch_part;           /* the partition the pending batch belongs to */
    size_t cursor;               /* partition to look at first next time */
    int64_t next_discovery_us;
    /* partition discovery's helper thread */
    pthread_t disc_thread;
    pthread_mutex_t disc_mu;
    pthread_cond_t disc_cv;
    int disc_running, disc_requested, disc_stop;
    rd_kafka_topic_partition_list_t *disc_result;   /* its latest listing, not yet taken */
} kafka_source;

/* ---- client ---- */

static void log_to_stderr(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    const connector_table *t = rd_kafka_opaque(rk);
    if (level <= LOG_WARNING) fprintf(stderr, "eddy: kafka (table '%s'): %s\n", t ? t->name : "?", buf);
}

static void random_group_id(sb_t *out)
{
    uint64_t r = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, &r, sizeof r) != (ssize_t)sizeof r) r = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    if (fd >= 0) close(fd);
    sb_printf(out, "KafkaSource-%llu", (unsigned long long)(r >> 1));
}

/* The reset strategy for fetches outside the log: Flink's per start mode. */
static const char *offset_reset_for(const kafka_spec *s)
{
    switch (s->startup) {
    case START_LATEST: case START_TIMESTAMP: return "latest";
    case START_GROUP: return kafka_property(s->t, "auto.offset.reset") ? NULL : "error";
    default: return "earliest";
    }
}

static int open_consumer(kafka_source *s)
{
    const connector_table *t = s->base.table;
    rd_kafka_conf_t *conf = kafka_conf_new(t, 0);
    if (!conf) return -1;
    char errstr[512];
    sb_t group = {0};
    if (!s->spec.group_id) random_group_id(&group);
    rd_kafka_conf_set(conf, "group.id", s->spec.group_id ? s->spec.group_id : group.data, errstr, sizeof errstr);
    sb_free(&group);
    if (!s->spec.commit_offsets) rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof errstr);
    /* The source needs librdkafka's partition-end events and stores offsets itself. */
    rd_kafka_conf_set(conf, "enable.partition.eof", "true", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "enable.auto.offset.store", "false", errstr, sizeof errstr);
    const char *reset = offset_reset_for(&s->spec);
    if (reset) rd_kafka_conf_set(conf, "auto.offset.reset", reset, errstr, sizeof errstr);
    rd_kafka_conf_set_opaque(conf, (void *)t);
    rd_kafka_conf_set_log_cb(conf, log_to_stderr);
    s->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!s->rk) {
        rd_kafka_conf_destroy(conf);
        return err_msg("kafka source of table '%s': cannot create the consumer: %s", t->name, errstr);
    }
    rd_kafka_poll_set_consumer(s->rk);
    return 0;
}

/* ---- partitions on the cluster ---- */

static int internal_topic(const char *name)
{
    return strcmp(name, "__consumer_offsets") == 0 || strcmp(name, "__transaction_state") == 0;
}

static void list_topics(const struct rd_kafka_metadata *md, sb_t *out)
{
    int n = 0;
    for (int i = 0; i < md->topic_cnt; i++)
        if (!internal_topic(md->topics[i].topic)) sb_printf(out, "%s%s", n++ ? ", " : "", md->topics[i].topic);
    if (!n) sb_puts(out, "(none)");
}

static int missing_topic(kafka_source *s, const struct rd_kafka_metadata *md, const char *topic)
{
    sb_t names = {0};
    list_topics(md, &names);
    err_at(table_opt_entry(s->base.table, "topic")->value_span, "kafka topic '%s' of table '%s' does not exist; "
           "topics on the cluster: %s", topic, s->base.table->name, names.data);
    sb_free(&names);
    return -1;
}

/* Every partition of the topics the source reads, sorted by topic and partition. With
 * must_exist, a listed topic missing from the cluster is an error. */
static int cluster_partitions(kafka_source *s, int timeout_ms, int must_exist, rd_kafka_topic_partition_list_t **out)
{
    const struct rd_kafka_metadata *md;
    rd_kafka_resp_err_t err = rd_kafka_metadata(s->rk, 1, NULL, &md, timeout_ms);
    *out = NULL;
    if (err) {
        if (!must_exist) return 0;
        return err_msg("kafka source of table '%s': cannot list the topics of '%s': %s", s->base.table->name,
                       kafka_property(s->base.table, "bootstrap.servers"), rd_kafka_err2str(err));
    }
    int rc = 0;
    for (int i = 0; must_exist && i < s->spec.ntopics && !rc; i++) {
        int found = 0;
        for (int j = 0; j < md->topic_cnt; j++) found |= strcmp(md->topics[j].topic, s->spec.topics[i]) == 0;
        if (!found) rc = missing_topic(s, md, s->spec.topics[i]);
    }
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(16);
    for (int j = 0; j < md->topic_cnt && !rc; j++) {
        const struct rd_kafka_metadata_topic *mt = &md->topics[j];
        if (internal_topic(mt->topic) || !kafka_spec_wants_topic(&s->spec, mt->topic)) continue;
        if (mt->err && must_exist)
            rc = err_msg("kafka source of table '%s': topic '%s': %s", s->base.table->name, mt->topic,
                         rd_kafka_err2str(mt->err));
        for (int p = 0; p < mt->partition_cnt; p++)
            rd_kafka_topic_partition_list_add(list, mt->topic, mt->partitions[p].id);
    }
    rd_kafka_metadata_destroy(md);
    if (rc) {
        rd_kafka_topic_partition_list_destroy(list);
        return -1;
    }
    rd_kafka_topic_partition_list_sort(list, NULL, NULL);
    *out = list;
    return 0;
}

/* ---- start and stop offsets ---- */

/* list's offsets set to the offsets for `ts` (a time in ms, or RD_KAFKA_OFFSET_BEGINNING /
 * RD_KAFKA_OFFSET_END): the first offset whose record is at or after it, -1 when none. */
static int offsets_for(kafka_source *s, rd_kafka_topic_partition_list_t *list, int64_t ts)
{
    for (int i = 0; i < list->cnt; i++) list->elems[i].offset = ts;
    rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(s->rk, list, KAFKA_REQUEST_TIMEOUT_MS);
    for (int i = 0; !err && i < list->cnt; i++) err = list->elems[i].err;
    if (err) return kafka_fail(s->base.table, "source: looking up offsets", err);
    return 0;
}

static int committed_offsets(kafka_source *s, rd_kafka_topic_partition_list_t *list)
{
    rd_kafka_resp_err_t err = rd_kafka_committed(s->rk, list, KAFKA_REQUEST_TIMEOUT_MS);
    for (int i = 0; !err && i < list->cnt; i++) err = list->elems[i].err;
    if (err) return kafka_fail(s->base.table, "source: reading the consumer group's committed offsets", err);
    return 0;
}

static const kafka_offset_spec *offset_for_partition(const kafka_offset_spec *v, int n, int32_t partition)
{
    const kafka_offset_spec *found = NULL;
    for (int i = 0; i < n; i++)
        if (v[i].partition == partition) found = &v[i];      /* the last one wins, as in a Java map */
    return found;
}

/* Offsets known at start: the earliest and latest of every partition, and the group's. */
typedef struct known_offsets {
    rd_kafka_topic_partition_list_t *low, *high, *committed;
} known_offsets;

static int load_known_offsets(kafka_source *s, rd_kafka_topic_partition_list_t *parts, known_offsets *k)
{
    k->low = rd_kafka_topic_partition_list_copy(parts);
    k->high = rd_kafka_topic_partition_list_copy(parts);
    k->committed = rd_kafka_topic_partition_list_copy(parts);
    if (!parts->cnt) return 0;
    if (offsets_for(s, k->low, RD_KAFKA_OFFSET_BEGINNING) || offsets_for(s, k->high, RD_KAFKA_OFFSET_END)) return -1;
    int need_committed = s->spec.startup == START_GROUP || s->spec.startup == START_SPECIFIC ||
                         s->spec.bounded == BOUND_GROUP;
    return need_committed ? committed_offsets(s, k->committed) : 0;
}

static void free_known_offsets(known_offsets *k)
{
    if (k->low) rd_kafka_topic_partition_list_destroy(k->low);
    if (k->high) rd_kafka_topic_partition_list_destroy(k->high);
    if (k->committed) rd_kafka_topic_partition_list_destroy(k->committed);
}

static int no_committed_offset(kafka_source *s, const kpart *p, const char *what)
{
    const char *group = s->spec.group_id;
    if (!group)
        return err_msg("kafka source of table '%s': %s needs the offsets committed by a consumer group, but "
                       "'properties.group.id' is not set", s->base.table->name, what);
    err_msg("kafka source of table '%s': consumer group '%s' has no committed offset for topic '%s' partition %d "
            "(%s)", s->base.table->name, group, p->topic, (int)p->id, what);
    if (strcmp(what, "scan.startup.mode 'group-offsets'") == 0)
        err_note("set 'properties.auto.offset.reset' to 'earliest' or 'latest' to start where it has none");
    return -1;
}

static int group_start(kafka_source *s, kpart *p, int64_t low, int64_t high, int64_t committed)
{
    if (committed >= 0) {
        p->start = committed;
        return 0;
    }
    const char *reset = kafka_property(s->base.table, "auto.offset.reset");
    if (reset && (str_ieq(reset, "earliest") || str_ieq(reset, "smallest") || str_ieq(reset, "beginning"))) {
        p->start = low;
        return 0;
    }
    if (reset && (str_ieq(reset, "latest") || str_ieq(reset, "largest") || str_ieq(reset, "end"))) {
        p->start = high;
        return 0;
    }
    return no_committed_offset(s, p, "scan.startup.mode 'group-offsets'");
}

static int set_start(kafka_source *s, kpart *p, const known_offsets *k, int i, int64_t ts_offset)
{
    int64_t low = k->low->elems[i].offset, high = k->high->elems[i].offset, committed = k->committed->elems[i].offset;
    const kafka_spec *sp = &s->spec;
    const kafka_offset_spec *o;
    switch (sp->startup) {
    case START_EARLIEST: p->start = low; return 0;
    case START_LATEST: p->start = high; return 0;
    case START_GROUP: return group_start(s, p, low, high, committed);
    case START_TIMESTAMP:
        p->start = ts_offset >= 0 ? ts_offset : low;
        if (ts_offset < 0) p->skip_before_ms = sp->startup_ts_ms;
        return 0;
    default:
        o = offset_for_partition(sp->startup_offsets, sp->nstartup_offsets, p->id);
        p->start = o ? o->offset : committed >= 0 ? committed : low;     /* Flink: given, committed, earliest */
        return 0;
    }
}

static int set_stop(kafka_source *s, kpart *p, const known_offsets *k, int i, int64_t ts_offset)
{
    int64_t high = k->high->elems[i].offset, committed = k->committed->elems[i].offset;
    const kafka_spec *sp = &s->spec;
    const kafka_offset_spec *o;
    switch (sp->bounded) {
    case BOUND_NONE: p->stop = INT64_MAX; return 0;
    case BOUND_LATEST: p->stop = high; return 0;
    case BOUND_GROUP:
        if (committed < 0) return no_committed_offset(s, p, "scan.bounded.mode 'group-offsets'");
        p->stop = committed;
        return 0;
    case BOUND_TIMESTAMP:
        p->stop = ts_offset >= 0 ? ts_offset : high;
        if (ts_offset < 0) p->stop_at_ms = sp->bounded_ts_ms;
        return 0;
    default:
        o = offset_for_partition(sp->bounded_offsets, sp->nbounded_offsets, p->id);
        p->stop = o ? o->offset : p->start;       /* a partition without an offset is not read */
        return 0;
    }
}

/* Timestamp look-ups for the start and stop modes that need them (-1 entries otherwise). */
static int timestamp_offsets(kafka_source *s, rd_kafka_topic_partition_list_t *parts,
                             rd_kafka_topic_partition_list_t **start_ts, rd_kafka_topic_partition_list_t **stop_ts)
{
    *start_ts = rd_kafka_topic_partition_list_copy(parts);
    *stop_ts = rd_kafka_topic_partition_list_copy(parts);
    for (int i = 0; i < parts->cnt; i++) (*start_ts)->elems[i].offset = (*stop_ts)->elems[i].offset = -1;
    if (!parts->cnt) return 0;
    if (s->spec.startup == START_TIMESTAMP && offsets_for(s, *start_ts, s->spec.startup_ts_ms)) return -1;
    if (s->spec.bounded == BOUND_TIMESTAMP && offsets_for(s, *stop_ts, s->spec.bounded_ts_ms)) return -1;
    return 0;
}

/* Adds a partition to read; the template's topic is copied. */
static void add_part(kafka_source *s, kpart p)
{
    p.topic = xstrdup(p.topic);
    VEC_PUSH(s->parts, p);
}

/* Works out every partition's start and stop and keeps those with something to read. */
static int plan_partitions(kafka_source *s, rd_kafka_topic_partition_list_t *parts)
{
    known_offsets k = {0};
    rd_kafka_topic_partition_list_t *start_ts = NULL, *stop_ts = NULL;
    int rc = load_known_offsets(s, parts, &k) || timestamp_offsets(s, parts, &start_ts, &stop_ts) ? -1 : 0;
    for (int i = 0; i < parts->cnt && !rc; i++) {
        kpart p = {.topic = parts->elems[i].topic, .id = parts->elems[i].partition, .skip_before_ms = -1,
                   .stop_at_ms = -1};
        rc = set_start(s, &p, &k, i, start_ts->elems[i].offset) || set_stop(s, &p, &k, i, stop_ts->elems[i].offset);
        if (!rc && p.start < p.stop) add_part(s, p);
    }
    free_known_offsets(&k);
    if (start_ts) rd_kafka_topic_partition_list_destroy(start_ts);
    if (stop_ts) rd_kafka_topic_partition_list_destroy(stop_ts);
    return rc;
}

/* Gives parts[from..] their own queues and adds them to the assignment. */
static int assign_from(kafka_source *s, size_t from)
{
    if (from == s->parts.len) return 0;
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new((int)(s->parts.len - from));
    for (size_t i = from; i < s->parts.len; i++) {
        kpart *p = &s->parts.items[i];
        p->position = p->stored = p->start;
        p->queue = rd_kafka_queue_get_partition(s->rk, p->topic, p->id);
        rd_kafka_queue_forward(p->queue, NULL);          /* read it by itself, not via the consumer queue */
        rd_kafka_topic_partition_list_add(list, p->topic, p->id)->offset = p->start;
    }
    rd_kafka_error_t *e = rd_kafka_incremental_assign(s->rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    s->base.nsplits = (int32_t)s->parts.len;
    if (!e) return 0;
    err_msg("kafka source of table '%s': cannot assign partitions: %s", s->base.table->name, rd_kafka_error_string(e));
    rd_kafka_error_destroy(e);
    return -1;
}

static int known_partition(const kafka_source *s, const char *topic, int32_t id)
{
    for (size_t i = 0; i < s->parts.len; i++)
        if (s->parts.items[i].id == id && strcmp(s->parts.items[i].topic, topic) == 0) return 1;
    return 0;
}

/* ---- partition discovery ----
 * A metadata request waits behind the consumer's fetch on the same broker connection (up to
 * fetch.wait.max.ms), so it runs on a helper thread: next() asks for a listing when the
 * interval has passed on the job clock and takes the answer in a later call. New partitions
 * (and topics) are read from their earliest offset; a cluster that does not answer is asked
 * again at the next interval. */

static void *discovery_main(void *arg)
{
    kafka_source *s = arg;
    pthread_mutex_lock(&s->disc_mu);
    for (;;) {
        while (!s->disc_requested && !s->disc_stop) pthread_cond_wait(&s->disc_cv, &s->disc_mu);
        if (s->disc_stop) break;
        s->disc_requested = 0;
        pthread_mutex_unlock(&s->disc_mu);
        rd_kafka_topic_partition_list_t *now = NULL;
        cluster_partitions(s, KAFKA_REQUEST_TIMEOUT_MS, 0, &now);       /* records no error */
        pthread_mutex_lock(&s->disc_mu);
        if (s->disc_result) rd_kafka_topic_partition_list_destroy(s->disc_result);
        s->disc_result = now;
    }
    pthread_mutex_unlock(&s->disc_mu);
    return NULL;
}

static void start_discovery(kafka_source *s)
{
    pthread_mutex_init(&s->disc_mu, NULL);
    pthread_cond_init(&s->disc_cv, NULL);
    s->disc_running = pthread_create(&s->disc_thread, NULL, discovery_main, s) == 0;
}

static void stop_discovery(kafka_source *s)
{
    if (!s->disc_running) return;
    pthread_mutex_lock(&s->disc_mu);
    s->disc_stop = 1;
    pthread_cond_signal(&s->disc_cv);
    pthread_mutex_unlock(&s->disc_mu);
    pthread_join(s->disc_thread, NULL);
    if (s->disc_result) rd_kafka_topic_partition_list_destroy(s->disc_result);
    pthread_mutex_destroy(&s->disc_mu);
    pthread_cond_destroy(&s->disc_cv);
    s->disc_running = 0;
}

/* Asks for a listing when one is due and assigns the new partitions of an answer. */
static int discover(kafka_source *s)
{
    if (!s->disc_running) return 0;
    int64_t now_us = table_now_us(s->base.table);
    pthread_mutex_lock(&s->disc_mu);
    if (now_us >= s->next_discovery_us) {
        s->next_discovery_us = now_us + s->spec.discovery_us;
        s->disc_requested = 1;
        pthread_cond_signal(&s->disc_cv);
    }
    rd_kafka_topic_partition_list_t *now = s->disc_result;
    s->disc_result = NULL;
    pthread_mutex_unlock(&s->disc_mu);
    if (!now) return 0;
    size_t before = s->parts.len;
    for (int i = 0; i < now->cnt; i++)
        if (!known_partition(s, now->elems[i].topic, now->elems[i].partition))
            add_part(s, (kpart){.topic = now->elems[i].topic, .id = now->elems[i].partition,
                                .start = RD_KAFKA_OFFSET_BEGINNING, .stop = INT64_MAX, .skip_before_ms = -1,
                                .stop_at_ms = -1});
    rd_kafka_topic_partition_list_destroy(now);
    return assign_from(s, before);
}

/* ---- events ---- */

/* Errors librdkafka recovers from by itself (it reconnects and retries). */
static int transient(rd_kafka_resp_err_t err)
{
    switch (err) {
    case RD_KAFKA_RESP_ERR__TRANSPORT: case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN: case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR__TIMED_OUT: case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__WAIT_COORD: case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR: case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION: case RD_KAFKA_RESP_ERR__NO_OFFSET:
        return 1;
    default:
        return 0;
    }
}

static int consumer_error(kafka_source *s, const rd_kafka_message_t *m)
{
    char reason[512];
    if (m->err == RD_KAFKA_RESP_ERR__FATAL) rd_kafka_fatal_error(s->rk, reason, sizeof reason);
    else snprintf(reason, sizeof reason, "%s", rd_kafka_message_errstr(m));
    if (m->rkt)
        return err_msg("kafka source of table '%s': topic '%s' partition %d: %s", s->base.table->name,
                       rd_kafka_topic_name(m->rkt), (int)m->partition, reason);
    return err_msg("kafka source of table '%s': %s", s->base.table->name, reason);
}

/* Serves the consumer queue: client errors and events (records come through the partition
 * queues). */
static int serve_events(kafka_source *s)
{
    rd_kafka_message_t *m;
    while ((m = rd_kafka_consumer_poll(s->rk, 0)) != NULL) {
        int rc = 0;
        if (!m->err) rc = err_msg("kafka source of table '%s': a record of topic '%s' partition %d arrived on the "
                                  "consumer queue", s->base.table->name, rd_kafka_topic_name(m->rkt), (int)m->partition);
        else if (!transient(m->err)) rc = consumer_error(s, m);
        rd_kafka_message_destroy(m);
        if (rc) return -1;
    }
    return 0;
}

/* ---- records into rows ---- */

/* Points value_view at out's value columns; a fresh chunk may have new column storage. */
static void prepare_views(kafka_source *s, chunk_t *out)
{
    const kafka_part *v = &s->spec.value;
    for (uint32_t i = 0; i < v->table.physical.ncols; i++) s->value_view[i] = out->cols[v->cols[i]];
}

/* Decodes the value into rows of out: directly, or through a chunk that sees only the value
 * part's columns and shares out's rows, ops and (handed over and back) its arena. */
static int decode_value(kafka_source *s, const rd_kafka_message_t *m, chunk_t *out)
{
    if (s->value_is_all) return decoder_decode_message(s->value_dec, m->payload, m->len, out);
    chunk_t view = *out;
    view.ncols = s->spec.value.table.physical.ncols;
    view.cols = s->value_view;
    int n = decoder_decode_message(s->value_dec, m->payload, m->len, &view);
    out->arena = view.arena;
    out->nrows = view.nrows;
    return n;
}

/* Decodes the key into key_rows; returns 1, 0 (no key, or a bad key skipped: the record
 * gives no row) or -1. */
static int decode_key(kafka_source *s, const rd_kafka_message_t *m)
{
    chunk_reset(s->key_rows);
    if (!m->key) {
        s->dropped++;
        return 0;
    }
    int n = decoder_decode_message(s->key_dec, m->key, m->key_len, s->key_rows);
    return n < 0 ? -1 : n > 0;
}

static void copy_key_columns(kafka_source *s, chunk_t *out, uint32_t from, uint32_t to, int all_key_columns)
{
    const kafka_part *k = &s->spec.key;
    for (uint32_t i = 0; i < k->table.physical.ncols; i++) {
        int c = k->cols[i];
        if (!all_key_columns && !s->from_key[c]) continue;
        for (uint32_t r = from; r < to; r++) vector_copy_row(&out->cols[c], r, &s->key_rows->cols[i], 0, &out->arena);
    }
}

/* An upsert-kafka tombstone: a -D row with the key columns set and the others NULL. */
static int append_delete(kafka_source *s, chunk_t *out)
{
    if (chunk_full(out)) return -2;
    uint32_t r = out->nrows;
    for (uint32_t c = 0; c < out->ncols; c++) out->cols[c].nulls[r] = 1;
    copy_key_columns(s, out, r, r + 1, 1);
    out->ops[r] = OP_DELETE;
    out->nrows++;
    return 1;
}

/* Appends the record's rows to out: the count, -2 when out has too little room, -1 on error. */
static int decode_record(kafka_source *s, const rd_kafka_message_t *m, chunk_t *out)
{
    uint32_t base = out->nrows;
    if (!m->payload && !s->spec.upsert) {
        s->dropped++;
        return 0;
    }
    if (!m->payload || s->key_dec) {
        if (!m->payload && chunk_full(out)) return -2;
        int k = decode_key(s, m);
        if (k <= 0) return k;
        if (!m->payload) return append_delete(s, out);
    }
    int n = decode_value(s, m, out);
    if (n <= 0) return n;
    if (s->key_dec) copy_key_columns(s, out, base, base + (uint32_t)n, 0);
    if (s->spec.upsert)
        for (uint32_t r = base; r < out->nrows; r++) out->ops[r] = OP_UPDATE_AFTER;
    return n;
}

/* ---- reading partitions ---- */

static void mark_done(kafka_source *s, kpart *p)
{
    if (p->done) return;
    p->done = 1;
    s->ndone++;
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, p->topic, p->id);
    rd_kafka_pause_partitions(s->rk, list);
    rd_kafka_topic_partition_list_destroy(list);
}

static void drop_batch(kafka_source *s)
{
    while (s->batch_pos < s->batch_len) rd_kafka_message_destroy(s->batch[s->batch_pos++]);
    s->batch_pos = s->batch_len = 0;
}

static int record_error(kafka_source *s, kpart *p, const rd_kafka_message_t *m)
{
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (s->base.bounded && m->offset >= p->stop) mark_done(s, p);
        return 1;
    }
    if (transient(m->err)) return 1;
    return consumer_error(s, m) ? -1 : 1;
}

/* One record: 1 consumed, 0 out has no room for it (it stays pending), -1 error. */
static int take_record(kafka_source *s, kpart *p, const rd_kafka_message_t *m, chunk_t *out)
{
    if (m->err) return record_error(s, p, m);
    if (m->offset >= p->stop) {
        mark_done(s, p);
        return 1;
    }
    if (p->stop_at_ms >= 0 && rd_kafka_message_timestamp(m, NULL) >= p->stop_at_ms) {
        mark_done(s, p);
        return 1;
    }
    if (p->skip_before_ms >= 0) {
        if (rd_kafka_message_timestamp(m, NULL) < p->skip_before_ms) {
            p->position = m->offset + 1;
            return 1;
        }
        p->skip_before_ms = -1;
    }
    decoder_begin_message(s->value_dec, p->topic, p->id, m->offset);
    if (s->key_dec) decoder_begin_message(s->key_dec, p->topic, p->id, m->offset);
    int n = decode_record(s, m, out);
    if (n == -2 && out->nrows == 0)
        return err_msg("kafka source of table '%s': the record at topic '%s' partition %d offset %lld decodes to "
                       "more rows than a chunk holds (%u)", s->base.table->name, p->topic, (int)p->id,
                       (long long)m->offset, out->cap);
    if (n == -2) return 0;
    if (n < 0) return -1;
    p->position = m->offset + 1;
    if (p->position >= p->stop) mark_done(s, p);
    return 1;
}

/* Fetches what partition i holds now into the batch; returns the count (0: nothing). */
static int fill_batch(kafka_source *s, size_t i, uint32_t room)
{
    size_t want = MIN((size_t)BATCH_MAX, (size_t)(room ? room : 1));
    ssize_t n = rd_kafka_consume_batch_queue(s->parts.items[i].queue, 0, s->batch, want);
    if (n < 0) return kafka_fail(s->base.table, "source", rd_kafka_last_error());
    s->batch_len = (int)n;
    s->batch_pos = 0;
    s->batch_part = i;
    return (int)n;
}

/* Reads partition i (whose records are in the batch) into out until it has nothing more
 * now, is done, or out is full. Returns 0 or -1. */
static int read_partition(kafka_source *s, size_t i, chunk_t *out)
{
    kpart *p = &s->parts.items[i];
    for (;;) {
        while (s->batch_pos < s->batch_len) {
            int r = take_record(s, p, s->batch[s->batch_pos], out);
            if (r <= 0) return r;
            rd_kafka_message_destroy(s->batch[s->batch_pos++]);
            if (p->done) {
                drop_batch(s);
                return 0;
            }
        }
        if (chunk_full(out)) return 0;
        int n = fill_batch(s, i, out->cap - out->nrows);
        if (n <= 0) return n;
    }
}

/* The next partition, round robin from the cursor, that has records now (its batch filled);
 * -1 when none has, -2 on error. */
static long next_ready_partition(kafka_source *s, uint32_t room)
{
    size_t n = s->parts.len;
    for (size_t k = 0; k < n; k++) {
        size_t i = (s->cursor + k) % n;
        if (s->parts.items[i].done) continue;
        int got = fill_batch(s, i, room);
        if (got < 0) return -2;
        if (got > 0) {
            s->cursor = (i + 1) % n;
            return (long)i;
        }
    }
    return -1;
}

static void store_position(kafka_source *s, kpart *p)
{
    if (!s->spec.commit_offsets || p->position == p->stored || p->position < 0) return;
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, p->topic, p->id)->offset = p->position;
    if (rd_kafka_offsets_store(s->rk, list) == RD_KAFKA_RESP_ERR_NO_ERROR) p->stored = p->position;
    rd_kafka_topic_partition_list_destroy(list);
}

static int ks_next(source_t *base, chunk_t *out)
{
    kafka_source *s = (kafka_source *)base;
    base->split = -1;
    if (serve_events(s)) return -1;
    if (discover(s)) return -1;
    if (chunk_full(out)) return 1;
    prepare_views(s, out);
    uint32_t before = out->nrows;
    uint64_t skipped_before = s->value_dec->skipped + (s->key_dec ? s->key_dec->skipped : 0) + s->dropped;
    long i = s->batch_pos < s->batch_len ? (long)s->batch_part : next_ready_partition(s, out->cap - out->nrows);
    int rc = i == -2 ? -1 : 0;
    if (i >= 0) {
        rc = read_partition(s, (size_t)i, out);
        store_position(s, &s->parts.items[i]);
    }
    base->rows += out->nrows - before;
    base->skipped += s->value_dec->skipped + (s->key_dec ? s->key_dec->skipped : 0) + s->dropped - skipped_before;
    if (rc < 0) return -1;
    if (out->nrows > before) {
        base->split = (int32_t)i;
        return 1;
    }
    return base->bounded && s->ndone == s->parts.len && s->batch_pos == s->batch_len ? 0 : 1;
}

static void ks_close(source_t *base)
{
    kafka_source *s = (kafka_source *)base;
    stop_discovery(s);
    drop_batch(s);
    if (s->rk && s->spec.commit_offsets) rd_kafka_commit(s->rk, NULL, 0);
    for (size_t i = 0; i < s->parts.len; i++) {
        if (s->parts.items[i].queue) rd_kafka_queue_destroy(s->parts.items[i].queue);
        free(s->parts.items[i].topic);
    }
    VEC_FREE(s->parts);
    if (s->rk) {
        rd_kafka_consumer_close(s->rk);
        rd_kafka_destroy(s->rk);
    }
    decoder_free(s->value_dec);
    decoder_free(s->key_dec);
    if (s->key_rows) chunk_free(s->key_rows);
    free(s->value_view);
    free(s->from_key);
    kafka_spec_free(&s->spec);
    free(s);
}

static const source_vtable kafka_source_vt = {ks_next, ks_close};

static int make_decoders(kafka_source *s)
{
    kafka_spec *sp = &s->spec;
    s->value_dec = sp->value.format->create_decoder(&sp->value.table);
    if (!s->value_dec) return -1;
    uint32_t nv = sp->value.table.physical.ncols, ncols = s->base.table->physical.ncols;
    s->value_is_all = nv == ncols;
    s->value_view = xcalloc((size_t)nv + 1, sizeof *s->value_view);
    s->from_key = xcalloc((size_t)ncols + 1, 1);
    if (!sp->key.format) return 0;
    s->key_dec = sp->key.format->create_decoder(&sp->key.table);
    if (!s->key_dec) return -1;
    s->key_rows = chunk_new(&sp->key.table.physical, 4);
    for (uint32_t i = 0; i < sp->key.table.physical.ncols; i++) s->from_key[sp->key.cols[i]] = 1;
    for (uint32_t i = 0; i < nv; i++) s->from_key[sp->value.cols[i]] = 0;
    return 0;
}

static source_t *create_source(const connector_table *t, int upsert)
{
    kafka_source *s = xcalloc(1, sizeof *s);
    s->base.vt = &kafka_source_vt;
    s->base.table = t;
    s->base.split = -1;
    if (kafka_spec_init(&s->spec, t, upsert)) {
        free(s);
        return NULL;
    }
    s->base.bounded = s->spec.bounded != BOUND_NONE;
    rd_kafka_topic_partition_list_t *parts = NULL;
    if (make_decoders(s) || open_consumer(s) || cluster_partitions(s, KAFKA_REQUEST_TIMEOUT_MS, 1, &parts) ||
        plan_partitions(s, parts) || assign_from(s, 0)) {
        if (parts) rd_kafka_topic_partition_list_destroy(parts);
        ks_close(&s->base);
        return NULL;
    }
    rd_kafka_topic_partition_list_destroy(parts);
    s->next_discovery_us = table_now_us(t) + s->spec.discovery_us;
    if (s->spec.discovery_us) start_discovery(s);
    return &s->base;
}

source_t *kafka_create_source(const connector_table *t) { return create_source(t, 0); }
source_t *upsert_kafka_create_source(const connector_table *t) { return create_source(t, 1); }
