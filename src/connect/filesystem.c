/* filesystem.c - the 'filesystem' connector: a source reading csv/json files and a sink
 * writing csv/json lines.
 *
 * Source: 'path' is a file or a directory; a directory stands for every regular file under
 * it (sub-directories included), sorted by path, skipping names that start with '.' or '_'
 * (in-progress and marker files, as Flink does). Files are read with large read(2) calls into
 * one buffer whose unread bytes are handed to the format's decoder as a block; the decoder
 * consumes whole records and the tail (a partial record) moves to the front before the next
 * read (the buffer doubles when one record does not fit). Without 'source.monitor-interval'
 * the source is bounded; with it, after the last file the directory is listed again every
 * interval and new files are read as they appear (unbounded).
 *
 * Sink: 'path' is a directory (created when missing). Rows are encoded by the format into
 * the hidden file ".part-<id>-0-<n>.inprogress"; flush() (a checkpoint, or the end of the job)
 * syncs it and renames it to "part-<id>-0-<n>", so readers only ever see complete files, and
 * the next rows start part n+1. A part also rolls over at 'sink.rolling-policy.file-size'
 * bytes and, on tick(), after 'sink.rolling-policy.rollover-interval'. Only insert-only input
 * is accepted. */
#include "connect/connector.h"
#include "connect/format.h"
#include "base/util.h"
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_BLOCK (1u << 20)

static const char *const filesystem_options[] = {
    "path", "format", "source.monitor-interval", "source.report-statistics",
    "partition.default-name", "sink.rolling-policy.file-size", "sink.rolling-policy.rollover-interval",
    "sink.rolling-policy.check-interval", "sink.rolling-policy.inactivity-interval",
    "sink.shuffle-by-partition.enable", "sink.partition-commit.trigger", "sink.partition-commit.delay",
    "sink.partition-commit.watermark-time-zone", "sink.partition-commit.policy.kind",
    "sink.partition-commit.policy.class", "sink.partition-commit.success-file.name",
    "partition.time-extractor.kind", "partition.time-extractor.class",
    "partition.time-extractor.timestamp-pattern", "auto-compaction", "compaction.file-size", "sink.parallelism",
    NULL,
};
static const char *const filesystem_required[] = {"path", "format", NULL};

/* 'file:///tmp/x' and 'file:/tmp/x' name the local path '/tmp/x'. */
static const char *local_path(const char *path)
{
    if (strncmp(path, "file://", 7) == 0) return path + 7;
    if (strncmp(path, "file:", 5) == 0) return path + 5;
    return path;
}

/* ---- listing ---- */

typedef VEC(char *) path_list;

static int cmp_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_dir(const char *dir, path_list *out)
{
    DIR *dh = opendir(dir);
    if (!dh) return -1;
    struct dirent *e;
    sb_t p = {0};
    while ((e = readdir(dh)) != NULL) {
        if (e->d_name[0] == '.' || e->d_name[0] == '_') continue;
        sb_clear(&p);
        sb_printf(&p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p.data, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) list_dir(p.data, out);
        else if (S_ISREG(st.st_mode)) VEC_PUSH(*out, xstrdup(p.data));
    }
    sb_free(&p);
    closedir(dh);
    return 0;
}

/* ---- source ---- */

typedef struct fs_source {
    source_t base;
    decoder_t *dec;
    char *root;                  /* local path of 'path' */
    int root_is_dir;
    path_list files;             /* files to read, in order; files[next_file] is next */
    size_t next_file;
    int fd;                      /* the file being read, or -1 */
    char *buf;                   /* unread bytes of the current file: buf[start..end) */
    size_t cap, start, end;
    int eof;                     /* the current file has been read to its end */
    int64_t monitor_us;          /* 0: bounded */
    int64_t next_scan_us;
} fs_source;

static int have_file(const fs_source *s, const char *path)
{
    for (size_t i = 0; i < s->files.len; i++)
        if (strcmp(s->files.items[i], path) == 0) return 1;
    return 0;
}

/* Adds files not seen before, sorted among themselves, after the known ones. */
static int scan_files(fs_source *s)
{
    if (!s->root_is_dir) {
        if (!s->files.len) VEC_PUSH(s->files, xstrdup(s->root));
        return 0;
    }
    path_list found = {0};
    if (list_dir(s->root, &found) != 0) {
        VEC_FREE(found);
        return err_msg("filesystem source of table '%s': cannot list directory '%s': %s", s->base.table->name,
                       s->root, strerror(errno));
    }
    qsort(found.items, found.len, sizeof *found.items, cmp_paths);
    for (size_t i = 0; i < found.len; i++) {
        if (s->monitor_us && have_file(s, found.items[i])) free(found.items[i]);
        else VEC_PUSH(s->files, found.items[i]);
    }
    VEC_FREE(found);
    return 0;
}

static int open_next(fs_source *s)
{
    const char *path = s->files.items[s->next_file++];
    s->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0)
        return err_msg("filesystem source of table '%s': cannot open '%s': %s", s->base.table->name, path,
                       strerror(errno));
    s->start = s->end = 0;
    s->eof = 0;
    decoder_begin(s->dec, path);
    return 0;
}

static void close_current(fs_source *s)
{
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
}

/* Moves the unread tail to the front (growing the buffer when it is full) and reads more. */
static int fill_buffer(fs_source *s)
{
    if (s->start > 0) {
        memmove(s->buf, s->buf + s->start, s->end - s->start);
        s->end -= s->start;
        s->start = 0;
    }
    if (s->end == s->cap) {
        s->cap *= 2;
        s->buf = xrealloc(s->buf, s->cap);
    }
    ssize_t n;
    do n = read(s->fd, s->buf + s->end, s->cap - s->end);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return err_msg("filesystem source of table '%s': reading '%s' failed: %s", s->base.table->name,
                       s->dec->file, strerror(errno));
    if (n == 0) s->eof = 1;
    s->end += (size_t)n;
    return 0;
}

/* Decodes from the current file until out is full or the file ends.
 * Returns 1 out is full, 0 the file is done, -1 error. */
static int read_current(fs_source *s, chunk_t *out)
{
    for (;;) {
        int64_t used = decoder_decode(s->dec, s->buf + s->start, s->end - s->start, s->eof, out);
        if (used < 0) return -1;
        s->start += (size_t)used;
        if (chunk_full(out)) return 1;
        if (s->eof) return 0;
        if (fill_buffer(s)) return -1;
    }
}

/* No file is open: open the next one, or (monitoring) look for new ones.
 * Returns 1 a file is open, 0 nothing to read now, -1 error. */
static int advance(fs_source *s)
{
    if (s->next_file < s->files.len) return open_next(s) ? -1 : 1;
    if (!s->monitor_us) return 0;
    int64_t now = table_now_us(s->base.table);
    if (now < s->next_scan_us) return 0;
    s->next_scan_us = now + s->monitor_us;
    if (scan_files(s)) return -1;
    if (s->next_file < s->files.len) return open_next(s) ? -1 : 1;
    return 0;
}

static int fs_next(source_t *base, chunk_t *out)
{
    fs_source *s = (fs_source *)base;
    uint32_t before = out->nrows;
    uint64_t skipped_before = s->dec->skipped;
    int rc = 1;
    while (!chunk_full(out)) {
        if (s->fd < 0) {
            int r = advance(s);
            if (r < 0) { rc = -1; break; }
            if (r == 0) { rc = s->monitor_us ? 1 : 0; break; }
        }
        int r = read_current(s, out);
        if (r < 0) { rc = -1; break; }
        if (r == 0) close_current(s);
    }
    base->rows += out->nrows - before;
    base->skipped += s->dec->skipped - skipped_before;
    if (rc == 0 && out->nrows > before) rc = 1;
    return rc;
}

static void fs_source_close(source_t *base)
{
    fs_source *s = (fs_source *)base;
    close_current(s);
    for (size_t i = 0; i < s->files.len; i++) free(s->files.items[i]);
    VEC_FREE(s->files);
    decoder_free(s->dec);
    free(s->buf);
    free(s->root);
    free(s);
}

static const source_vtable fs_source_vt = {fs_next, fs_source_close};

static source_t *fs_create_source(const connector_table *t)
{
    const table_option *path = table_opt_entry(t, "path");
    if (!path) {
        err_at(t->span, "connector 'filesystem' requires option 'path' (table '%s')", t->name);
        return NULL;
    }
    const format_def *f = format_of_table(t);
    if (!f) return NULL;
    int64_t monitor_us;
    if (table_opt_duration(t, "source.monitor-interval", 0, &monitor_us)) return NULL;
    struct stat st;
    const char *root = local_path(path->value);
    if (stat(root, &st) != 0) {
        err_at(path->value_span, "filesystem path '%s' of table '%s' cannot be read: %s", root, t->name,
               strerror(errno));
        return NULL;
    }
    decoder_t *dec = f->create_decoder(t);
    if (!dec) return NULL;
    fs_source *s = xcalloc(1, sizeof *s);
    s->base.vt = &fs_source_vt;
    s->base.table = t;
    s->base.bounded = monitor_us == 0;
    s->dec = dec;
    s->root = xstrdup(root);
    s->root_is_dir = S_ISDIR(st.st_mode);
    s->fd = -1;
    s->cap = READ_BLOCK;
    s->buf = xmalloc(s->cap);
    s->monitor_us = monitor_us;
    if (scan_files(s)) {
        fs_source_close(&s->base);
        return NULL;
    }
    s->next_scan_us = table_now_us(t) + monitor_us;
    return &s->base;
}

/* ---- sink ---- */

typedef struct fs_sink {
    sink_t base;
    encoder_t *enc;
    char *dir;
    char part_id[40];            /* unique per sink: part files are part-<id>-0-<n> */
    int part_no;
    FILE *f;                     /* the in-progress part, or NULL */
    sb_t inprogress;             /* its path */
    sb_t text;                   /* encoded lines of one chunk */
    int64_t part_bytes;
    int64_t part_opened_us;
    int64_t roll_bytes;          /* sink.rolling-policy.file-size */
    int64_t rollover_us;         /* sink.rolling-policy.rollover-interval */
    int changelog;               /* the format writes -U/+U/-D rows (debezium-json, canal-json) */
} fs_sink;

static int sink_fail(fs_sink *s, const char *what, const char *path)
{
    return err_msg("filesystem sink of table '%s': %s '%s': %s", s->base.table->name, what, path, strerror(errno));
}

static int open_part(fs_sink *s)
{
    sb_clear(&s->inprogress);
    sb_printf(&s->inprogress, "%s/.part-%s-0-%d.inprogress", s->dir, s->part_id, s->part_no);
    s->f = fopen(s->inprogress.data, "w");
    if (!s->f) return sink_fail(s, "cannot create", s->inprogress.data);
    s->part_bytes = 0;
    s->part_opened_us = table_now_us(s->base.table);
    return 0;
}

/* Sync the in-progress part and give it its final, visible name. */
static int commit_part(fs_sink *s)
{
    if (!s->f) return 0;
    int bad = fflush(s->f) != 0 || fsync(fileno(s->f)) != 0;
    bad |= fclose(s->f) != 0;
    s->f = NULL;
    if (bad) return sink_fail(s, "cannot write", s->inprogress.data);
    sb_t final = {0};
    sb_printf(&final, "%s/part-%s-0-%d", s->dir, s->part_id, s->part_no++);
    int rc = rename(s->inprogress.data, final.data) == 0 ? 0 : sink_fail(s, "cannot rename to", final.data);
    sb_free(&final);
    return rc;
}

static int fs_write(sink_t *base, const chunk_t *c)
{
    fs_sink *s = (fs_sink *)base;
    uint32_t live = chunk_live(c);
    for (uint32_t k = 0; k < live && !s->changelog; k++)
        if (c->ops[chunk_row(c, k)] != OP_INSERT)
            return err_msg("filesystem sink of table '%s' accepts only inserts, got a %s row", base->table->name,
                           row_op_names[c->ops[chunk_row(c, k)] & 3]);
    if (!live) return 0;
    sb_clear(&s->text);
    if (encoder_encode(s->enc, c, &s->text)) return -1;
    if (!s->f && open_part(s)) return -1;
    if (fwrite(s->text.data, 1, s->text.len, s->f) != s->text.len) return sink_fail(s, "cannot write", s->inprogress.data);
    s->part_bytes += (int64_t)s->text.len;
    base->rows += live;
    if (s->part_bytes >= s->roll_bytes) return commit_part(s);
    return 0;
}

static int fs_flush(sink_t *base) { return commit_part((fs_sink *)base); }

static int fs_tick(sink_t *base, int64_t now_us)
{
    fs_sink *s = (fs_sink *)base;
    if (s->f && now_us - s->part_opened_us >= s->rollover_us) return commit_part(s);
    return 0;
}

static void fs_sink_close(sink_t *base)
{
    fs_sink *s = (fs_sink *)base;
    commit_part(s);
    encoder_free(s->enc);
    sb_free(&s->inprogress);
    sb_free(&s->text);
    free(s->dir);
    free(s);
}

static const sink_vtable fs_sink_vt = {fs_write, fs_flush, fs_tick, fs_sink_close};

/* Flink's MemorySize: "128mb", "1 gb", "4096" (bytes), "64k". */
static int parse_memory_size(const table_option *o, int64_t *out)
{
    static const struct { const char *unit; int64_t mult; } units[] = {
        {"", 1}, {"b", 1}, {"bytes", 1}, {"k", 1LL << 10}, {"kb", 1LL << 10}, {"kibibytes", 1LL << 10},
        {"m", 1LL << 20}, {"mb", 1LL << 20}, {"mebibytes", 1LL << 20}, {"g", 1LL << 30}, {"gb", 1LL << 30},
        {"gibibytes", 1LL << 30}, {"t", 1LL << 40}, {"tb", 1LL << 40}, {"tebibytes", 1LL << 40},
    };
    const char *p = o->value;
    char *end;
    long long v = strtoll(p, &end, 10);
    if (end == p || v < 0) goto bad;
    while (isspace((unsigned char)*end)) end++;
    for (size_t i = 0; i < ARRAY_LEN(units); i++)
        if (str_ieq(end, units[i].unit)) {
            *out = v * units[i].mult;
            return 0;
        }
bad:
    return err_at(o->value_span, "option '%s' expects a size such as '128 mb' or '1 gb', got '%s'", o->key, o->value);
}

static void make_part_id(char *out, size_t cap)
{
    unsigned char r[16];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, r, sizeof r) != (ssize_t)sizeof r) {
        uint64_t x = (uint64_t)table_now_us(NULL) ^ ((uint64_t)getpid() << 32);
        for (size_t i = 0; i < sizeof r; i++) { x = x * 6364136223846793005ULL + 1442695040888963407ULL; r[i] = (unsigned char)(x >> 56); }
    }
    if (fd >= 0) close(fd);
    snprintf(out, cap, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3],
             r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
}

static int make_dirs(const char *dir)
{
    sb_t p = {0};
    sb_puts(&p, dir);
    int rc = 0;
    for (size_t i = 1; i <= p.len && rc == 0; i++) {
        if (i < p.len && p.data[i] != '/') continue;
        char saved = p.data[i];
        p.data[i] = 0;
        if (mkdir(p.data, 0777) != 0 && errno != EEXIST) rc = -1;
        p.data[i] = saved;
    }
    sb_free(&p);
    return rc;
}

static sink_t *fs_create_sink(const connector_table *t)
{
    const table_option *path = table_opt_entry(t, "path");
    if (!path) {
        err_at(t->span, "connector 'filesystem' requires option 'path' (table '%s')", t->name);
        return NULL;
    }
    const format_def *f = format_of_table(t);
    if (!f) return NULL;
    int64_t roll_bytes = 128LL << 20, rollover_us;
    const table_option *size = table_opt_entry(t, "sink.rolling-policy.file-size");
    if (size && parse_memory_size(size, &roll_bytes)) return NULL;
    if (table_opt_duration(t, "sink.rolling-policy.rollover-interval", 30 * 60 * US_PER_SEC, &rollover_us))
        return NULL;
    const char *dir = local_path(path->value);
    struct stat st;
    if (make_dirs(dir) != 0 || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        err_at(path->value_span, "filesystem sink path '%s' of table '%s' is not a directory that can be created", dir,
               t->name);
        return NULL;
    }
    encoder_t *enc = f->create_encoder(t);
    if (!enc) return NULL;
    fs_sink *s = xcalloc(1, sizeof *s);
    s->base.vt = &fs_sink_vt;
    s->base.table = t;
    s->enc = enc;
    s->changelog = f->changelog;
    s->dir = xstrdup(dir);
    s->roll_bytes = roll_bytes > 0 ? roll_bytes : 1;
    s->rollover_us = rollover_us;
    make_part_id(s->part_id, sizeof s->part_id);
    return &s->base;
}

const connector_def connector_filesystem = {
    .name = "filesystem",
    .options = filesystem_options,
    .uses_format = 1,
    .updates_by_format = 1,
    .create_source = fs_create_source,
    .create_sink = fs_create_sink,
    .required = filesystem_required,
};
