/* canal_json.c - the 'canal-json' format (Flink's): Canal's flat JSON messages of MySQL
 * binlog changes, decoded into changelog rows and encoded from them.
 *
 * A message is {"data":[{...},...], "old":[{...},...], "type":"INSERT|UPDATE|DELETE|...",
 * "database":"...", "table":"...", "isDdl":false, "es":..., "ts":..., ...}; members other
 * than these are skipped. Canal writes most values as strings ("id":"1"), which the json
 * reader accepts for numeric columns as Flink's does. Decoding walks the message once,
 * noting where "data" and "old" are, checks canal-json.database.include /
 * canal-json.table.include (regular expressions matched against the whole name, compiled once
 * with PCRE2) and the type, counts the rows, then reads them straight into the output chunk:
 * INSERT gives +I per element of "data", DELETE -D per element, UPDATE per element i a -U
 * (data[i] with the members that old[i] names replaced by old[i]'s values, NULL included)
 * followed by +U data[i]. A DDL event ("isDdl": true, or a type such as CREATE / ALTER /
 * ERASE / TRUNCATE / RENAME / CINDEX / DINDEX / QUERY) and a message filtered out by the
 * include options hold no row and are not counted as errors. Anything else malformed fails
 * the job with its origin, or is skipped and counted under canal-json.ignore-parse-errors.
 * Files hold one message per line.
 *
 * Encoding writes +I/+U as {"data":[{...}],"type":"INSERT"} and -U/-D as
 * {"data":[{...}],"type":"DELETE"}, as Flink does. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "connect/json_internal.h"
#include "base/util.h"
#include <pcre2.h>
#include <stdlib.h>

static const char *const canal_options[] = {
    "canal-json.ignore-parse-errors", "canal-json.timestamp-format.standard", "canal-json.map-null-key.mode",
    "canal-json.map-null-key.literal", "canal-json.encode.decimal-as-plain-number", "canal-json.database.include",
    "canal-json.table.include", NULL,
};

/* Canal's event types that carry no rows (schema changes and statements). */
static const char *const ddl_types[] = {"CREATE", "ALTER", "ERASE", "TRUNCATE", "RENAME", "CINDEX", "DINDEX", "QUERY"};

typedef struct name_filter {
    pcre2_code *re;              /* NULL: every name passes */
    pcre2_match_data *match;
    const char *option;          /* the option's key, for messages */
} name_filter;

static int filter_compile(const connector_table *t, const char *key, name_filter *f)
{
    const table_option *o = table_opt_entry(t, key);
    f->option = key;
    if (!o) return 0;
    int code;
    PCRE2_SIZE at;
    f->re = pcre2_compile((PCRE2_SPTR)o->value, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code,
                          &at, NULL);
    if (!f->re) {
        PCRE2_UCHAR why[160];
        pcre2_get_error_message(code, why, sizeof why);
        return err_at(o->value_span, "invalid regular expression '%s' for option '%s': %s at offset %zu", o->value,
                      key, (const char *)why, (size_t)at);
    }
    f->match = pcre2_match_data_create_from_pattern(f->re, NULL);
    return 0;
}

static void filter_free(name_filter *f)
{
    pcre2_match_data_free(f->match);
    pcre2_code_free(f->re);
}

/* The whole name matches (Java's Pattern.matches). */
static int filter_passes(const name_filter *f, const char *s, size_t n)
{
    return pcre2_match(f->re, (PCRE2_SPTR)s, n, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED, f->match, NULL) >= 0;
}

/* ---- decoder ---- */

typedef struct canal_decoder {
    decoder_t base;
    json_common_opts o;
    json_reader r;
    json_overflow ov;
    name_filter database, table;
} canal_decoder;

/* What the message says. The arrays' text is `data` / `old` (p NULL: absent or null). */
typedef struct canal_event {
    jcur data, old;
    int has_type, type_null;
    char type[16];               /* the "type" value, cut at 15 bytes */
    size_t type_len;             /* its full length */
    int is_ddl;
    int database_seen, database_passes;
    int table_seen, table_passes;
} canal_event;

enum { M_OTHER, M_DATA, M_OLD, M_TYPE, M_ISDDL, M_DATABASE, M_TABLE };

static int member_kind(const char *key, size_t n)
{
    static const char *const names[] = {"", "data", "old", "type", "isDdl", "database", "table"};
    for (int i = M_DATA; i <= M_TABLE; i++)
        if (strlen(names[i]) == n && memcmp(names[i], key, n) == 0) return i;
    return M_OTHER;
}

/* A "data" / "old" value: the array's text, or p NULL for null. */
static int array_member(canal_decoder *d, jcur *c, const char *name, jcur *arr)
{
    jcur at = *c;
    jvalue v;
    if (json_read_value(&d->r, c, &v)) return -1;
    if (v.kind == J_NULL) {
        arr->p = arr->end = NULL;
        return 0;
    }
    if (v.kind != J_NESTED || v.s[0] != '[') {
        char what[64];
        snprintf(what, sizeof what, "\"%s\" must be an array or null", name);
        return json_fail(&d->r, &at, what);
    }
    arr->p = v.s;
    arr->end = v.s + v.n;
    return 0;
}

static int type_member(canal_decoder *d, jcur *c, canal_event *ev)
{
    jcur at = *c;
    jvalue v;
    if (json_read_value(&d->r, c, &v)) return -1;
    ev->has_type = 1;
    ev->type_null = v.kind == J_NULL;
    if (ev->type_null) return 0;
    if (v.kind != J_STRING) return json_fail(&d->r, &at, "\"type\" must be a string");
    ev->type_len = v.n;
    memcpy(ev->type, v.s, MIN(v.n, sizeof ev->type - 1));
    ev->type[MIN(v.n, sizeof ev->type - 1)] = 0;
    return 0;
}

/* "database" / "table": matched against the filter as its text (null reads "null", as
 * Jackson's asText does). */
static int name_member(canal_decoder *d, jcur *c, const name_filter *f, int *seen, int *passes)
{
    jvalue v;
    if (json_read_value(&d->r, c, &v)) return -1;
    *seen = 1;
    *passes = !f->re || filter_passes(f, v.s, v.n);
    return 0;
}

static int read_message(canal_decoder *d, jcur *c, canal_event *ev)
{
    if (json_expect(&d->r, c, '{', "expected '{' (a Canal message is a JSON object)")) return -1;
    uint32_t count = 0;
    const char *key;
    size_t klen;
    int more;
    while ((more = json_member_next(&d->r, c, &count, &key, &klen)) > 0) {
        int rc;
        jvalue v;
        switch (member_kind(key, klen)) {
        case M_DATA: rc = array_member(d, c, "data", &ev->data); break;
        case M_OLD: rc = array_member(d, c, "old", &ev->old); break;
        case M_TYPE: rc = type_member(d, c, ev); break;
        case M_DATABASE: rc = name_member(d, c, &d->database, &ev->database_seen, &ev->database_passes); break;
        case M_TABLE: rc = name_member(d, c, &d->table, &ev->table_seen, &ev->table_passes); break;
        case M_ISDDL:
            rc = json_read_value(&d->r, c, &v);
            ev->is_ddl = v.kind == J_TRUE;
            break;
        default: rc = json_read_value(&d->r, c, &v); break;
        }
        if (rc) return -1;
    }
    return more;
}

static int event_error(canal_decoder *d, const char *fmt, const char *arg)
{
    sb_clear(&d->r.msg);
    sb_printf(&d->r.msg, fmt, arg);
    return -1;
}

/* Elements of the array at `arr`, each of which must be an object; -1 with r.msg set. */
static int count_objects(canal_decoder *d, const jcur *arr, const char *name)
{
    jcur c = *arr;
    uint32_t count = 0;
    int more;
    c.p++;
    while ((more = json_element_next(&d->r, &c, &count)) > 0) {
        jvalue v;
        if (*c.p != '{') {
            char what[64];
            snprintf(what, sizeof what, "the elements of \"%s\" must be objects", name);
            return json_fail(&d->r, &c, what);
        }
        if (json_read_value(&d->r, &c, &v)) return -1;
    }
    return more < 0 ? -1 : (int)count;
}

enum { T_SKIP, T_INSERT, T_UPDATE, T_DELETE };

/* What the message's type asks for; -1 with r.msg set. */
static int event_kind(canal_decoder *d, const canal_event *ev)
{
    if (!ev->has_type) return event_error(d, "%s", "no \"type\" member");
    if (ev->type_null) return event_error(d, "%s", "\"type\" is null");
    if (ev->type_len < sizeof ev->type) {
        if (strcmp(ev->type, "INSERT") == 0) return T_INSERT;
        if (strcmp(ev->type, "UPDATE") == 0) return T_UPDATE;
        if (strcmp(ev->type, "DELETE") == 0) return T_DELETE;
        for (size_t i = 0; i < ARRAY_LEN(ddl_types); i++)
            if (strcmp(ev->type, ddl_types[i]) == 0) return T_SKIP;
    }
    sb_clear(&d->r.msg);
    sb_puts(&d->r.msg, "unknown \"type\" value '");
    format_excerpt(ev->type, MIN(ev->type_len, sizeof ev->type - 1), &d->r.msg);
    sb_puts(&d->r.msg, "'; expected INSERT, UPDATE, DELETE or a DDL type (CREATE, ALTER, ERASE, TRUNCATE, RENAME, "
                       "CINDEX, DINDEX, QUERY)");
    return -1;
}

/* A message filtered out by database.include / table.include: 1; an error: -1. */
static int filtered_out(canal_decoder *d, const canal_event *ev)
{
    if (d->database.re && !ev->database_seen)
        return event_error(d, "no \"database\" member (%s is set)", d->database.option);
    if (d->table.re && !ev->table_seen) return event_error(d, "no \"table\" member (%s is set)", d->table.option);
    return (d->database.re && !ev->database_passes) || (d->table.re && !ev->table_passes);
}

/* Rows of data[i] with op; for UPDATE the -U / +U pair of data[i] and old[i]. */
static int read_rows(canal_decoder *d, const canal_event *ev, int kind, chunk_t *out)
{
    jcur data = ev->data, old = ev->old;
    uint32_t nd = 0, no = 0, row = out->nrows;
    data.p++;
    if (old.p) old.p++;
    while (json_element_next(&d->r, &data, &nd) > 0) {
        if (kind != T_UPDATE) {
            if (json_read_row(&d->r, &data, out, row, JSON_MISSING_NULL, NULL)) return -1;
            out->ops[row++] = kind == T_INSERT ? OP_INSERT : OP_DELETE;
            continue;
        }
        if (json_read_row(&d->r, &data, out, row + 1, JSON_MISSING_NULL, NULL)) return -1;
        json_copy_row(out, row + 1, row);
        if (json_element_next(&d->r, &old, &no) <= 0) return -1;
        if (json_read_row(&d->r, &old, out, row, JSON_MISSING_KEEP, NULL)) return -1;
        out->ops[row] = OP_UPDATE_BEFORE;
        out->ops[row + 1] = OP_UPDATE_AFTER;
        row += 2;
    }
    out->nrows = row;
    return 0;
}

/* Rows the message gives; -1 with r.msg set. */
static int rows_needed(canal_decoder *d, const canal_event *ev, int kind)
{
    static const char *const kind_names[] = {"", "an INSERT", "an UPDATE", "a DELETE"};
    if (!ev->data.p) return event_error(d, "\"data\" of %s message is null", kind_names[kind]);
    int n = count_objects(d, &ev->data, "data");
    if (n < 0 || kind != T_UPDATE) return n;
    if (!ev->old.p) return event_error(d, "%s", "\"old\" of an UPDATE message is null");
    int n_old = count_objects(d, &ev->old, "old");
    if (n_old < 0) return -1;
    if (n_old != n) {
        sb_clear(&d->r.msg);
        sb_printf(&d->r.msg, "\"data\" has %d elements but \"old\" has %d", n, n_old);
        return -1;
    }
    return 2 * n;
}

/* The rows of one message into out; -2 (need set) when out lacks room. */
static int decode_message_rows(canal_decoder *d, const char *rec, size_t len, chunk_t *out)
{
    jcur c = {rec, rec + len};
    canal_event ev;
    memset(&ev, 0, sizeof ev);
    json_reader_start(&d->r, rec);
    if (read_message(d, &c, &ev)) return -1;
    json_skip_ws(&c);
    if (c.p != c.end) return json_fail(&d->r, &c, "unexpected text after the object");
    int skip = filtered_out(d, &ev);
    if (skip) return skip < 0 ? -1 : 0;
    if (ev.is_ddl) return 0;
    int kind = event_kind(d, &ev);
    if (kind <= T_SKIP) return kind;
    int n = rows_needed(d, &ev, kind);
    if (n < 0) return -1;
    if (out->cap - out->nrows < (uint32_t)n) {
        if (d->base.topic && (uint32_t)n > out->cap) {
            sb_clear(&d->r.msg);
            sb_printf(&d->r.msg, "the message holds %d changes, more than a chunk of %u rows takes", n, out->cap);
            return -1;
        }
        d->ov.need = (uint32_t)n;
        return -2;
    }
    uint32_t first = out->nrows;
    if (read_rows(d, &ev, kind, out)) {
        out->nrows = first;
        return -1;
    }
    return n;
}

static int canal_record(decoder_t *base, const char *rec, size_t len, chunk_t *out)
{
    canal_decoder *d = (canal_decoder *)base;
    int n = decode_message_rows(d, rec, len, out);
    if (n >= 0 || n == -2) return n;
    if (d->o.ignore_errors) {
        d->base.skipped++;
        return 0;
    }
    return json_bad_record(&d->base, "Canal JSON", sb_str(&d->r.msg));
}

static int64_t canal_decode(decoder_t *base, const char *buf, size_t len, int eof, chunk_t *out)
{
    canal_decoder *d = (canal_decoder *)base;
    return json_decode_lines(base, &d->ov, d->r.schema, canal_record, buf, len, eof, out);
}

static int canal_decode_message(decoder_t *base, const char *buf, size_t len, chunk_t *out)
{
    return buf && len ? canal_record(base, buf, len, out) : 0;
}

static void canal_decoder_free(decoder_t *base)
{
    canal_decoder *d = (canal_decoder *)base;
    json_reader_free(&d->r);
    json_overflow_free(&d->ov);
    filter_free(&d->database);
    filter_free(&d->table);
    free(d);
}

static const decoder_vtable canal_decoder_vt = {canal_decode, canal_decoder_free, canal_decode_message};

static decoder_t *canal_create_decoder(const connector_table *t)
{
    json_common_opts o;
    name_filter database = {0}, table = {0};
    if (json_read_common_opts(t, "canal-json", &o)) return NULL;
    if (filter_compile(t, "canal-json.database.include", &database) ||
        filter_compile(t, "canal-json.table.include", &table)) {
        filter_free(&database);
        return NULL;
    }
    canal_decoder *d = xcalloc(1, sizeof *d);
    d->base.vt = &canal_decoder_vt;
    d->o = o;
    d->database = database;
    d->table = table;
    json_reader_init(&d->r, &t->physical, &o);
    decoder_begin(&d->base, NULL);
    return &d->base;
}

/* ---- encoder ---- */

typedef struct canal_encoder {
    encoder_t base;
    json_writer w;
} canal_encoder;

static void encode_message(canal_encoder *e, const chunk_t *c, uint32_t row, sb_t *out)
{
    sb_puts(out, "{\"data\":[");
    json_write_row(&e->w, c, row, out);
    sb_puts(out, op_is_add(c->ops[row]) ? "],\"type\":\"INSERT\"}" : "],\"type\":\"DELETE\"}");
}

static int canal_encode(encoder_t *base, const chunk_t *c, sb_t *out)
{
    canal_encoder *e = (canal_encoder *)base;
    uint32_t live = chunk_live(c);
    for (uint32_t k = 0; k < live; k++) {
        encode_message(e, c, chunk_row(c, k), out);
        sb_putc(out, '\n');
    }
    return 0;
}

static int canal_encode_each(encoder_t *base, const chunk_t *c, sb_t *out, uint32_t *ends)
{
    canal_encoder *e = (canal_encoder *)base;
    uint32_t live = chunk_live(c);
    for (uint32_t k = 0; k < live; k++) {
        encode_message(e, c, chunk_row(c, k), out);
        ends[k] = (uint32_t)out->len;
    }
    return 0;
}

static void canal_encoder_free(encoder_t *base)
{
    canal_encoder *e = (canal_encoder *)base;
    json_writer_free(&e->w);
    free(e);
}

static const encoder_vtable canal_encoder_vt = {canal_encode, canal_encoder_free, canal_encode_each};

static encoder_t *canal_create_encoder(const connector_table *t)
{
    json_common_opts o;
    name_filter database = {0}, table = {0};
    if (json_read_common_opts(t, "canal-json", &o)) return NULL;
    int bad = filter_compile(t, "canal-json.database.include", &database) ||
              filter_compile(t, "canal-json.table.include", &table);
    filter_free(&database);
    filter_free(&table);
    if (bad) return NULL;
    canal_encoder *e = xcalloc(1, sizeof *e);
    e->base.vt = &canal_encoder_vt;
    json_writer_init(&e->w, &t->physical, &o, 0);
    return &e->base;
}

const format_def format_canal_json = {"canal-json", canal_options, canal_create_decoder, canal_create_encoder, 1};
