/* debezium_json.c - the 'debezium-json' format (Flink's): Debezium change events in JSON,
 * decoded into changelog rows and encoded from them.
 *
 * An event is {"before":{...}|null, "after":{...}|null, "op":"c|r|u|d", ...} (other members
 * such as "source" and "ts_ms" are skipped); with debezium-json.schema-include = 'true' it is
 * wrapped as {"schema":{...}, "payload":{<event>}} (Kafka Connect's JsonConverter with
 * schemas enabled). Decoding walks the envelope once, noting where "before" and "after" are
 * and what "op" says, then reads the row objects it needs straight into the output chunk
 * (values as the json format reads them): 'c' (create) and 'r' (snapshot read) give +I of
 * "after"; 'u' gives -U of "before" then +U of "after"; 'd' gives -D of "before". An update or
 * delete without "before" (a PostgreSQL table without REPLICA IDENTITY FULL) is an error,
 * as in Flink. A tombstone (NULL or empty message) holds no row. A malformed event fails the
 * job with its origin, or is skipped and counted under debezium-json.ignore-parse-errors.
 * Files hold one event per line.
 *
 * Encoding writes +I/+U as {"before":null,"after":{...},"op":"c"} and -U/-D as
 * {"before":{...},"after":null,"op":"d"}, as Flink does (an update is a delete and a
 * create); schema-include cannot be used for writing, as in Flink. */
#include "connect/json_internal.h"
#include "base/util.h"
#include <stdlib.h>

static const char *const dbz_options[] = {
    "debezium-json.schema-include", "debezium-json.ignore-parse-errors", "debezium-json.timestamp-format.standard",
    "debezium-json.map-null-key.mode", "debezium-json.map-null-key.literal",
    "debezium-json.encode.decimal-as-plain-number", NULL,
};

typedef struct dbz_opts {
    json_common_opts c;
    int schema_include;
} dbz_opts;

static int read_opts(const connector_table *t, dbz_opts *o)
{
    return json_read_common_opts(t, "debezium-json", &o->c) ||
                   table_opt_bool(t, "debezium-json.schema-include", 0, &o->schema_include)
               ? -1
               : 0;
}

/* ---- decoder ---- */

typedef struct dbz_decoder {
    decoder_t base;
    dbz_opts o;
    json_reader r;
    json_overflow ov;
} dbz_decoder;

/* What the envelope says. A row's text is `before` / `after` (p NULL: absent or null). */
typedef struct dbz_event {
    jcur before, after;
    int has_op, op_null;
    char op[16];                 /* the "op" value, cut at 15 bytes */
    size_t op_len;               /* its full length */
    int has_schema, has_payload, payload_null;
} dbz_event;

enum { M_OTHER, M_BEFORE, M_AFTER, M_OP, M_SCHEMA, M_PAYLOAD };

static int member_kind(const char *key, size_t n)
{
    static const char *const names[] = {"", "before", "after", "op", "schema", "payload"};
    for (int i = M_BEFORE; i <= M_PAYLOAD; i++)
        if (strlen(names[i]) == n && memcmp(names[i], key, n) == 0) return i;
    return M_OTHER;
}

/* A "before" / "after" value: the object's text, or p NULL for null. */
static int row_member(dbz_decoder *d, jcur *c, const char *name, jcur *row)
{
    jcur at = *c;
    jvalue v;
    if (json_read_value(&d->r, c, &v)) return -1;
    if (v.kind == J_NULL) {
        row->p = row->end = NULL;
        return 0;
    }
    if (v.kind != J_NESTED || v.s[0] != '{') {
        char what[64];
        snprintf(what, sizeof what, "\"%s\" must be an object or null", name);
        return json_fail(&d->r, &at, what);
    }
    row->p = v.s;
    row->end = v.s + v.n;
    return 0;
}

static int op_member(dbz_decoder *d, jcur *c, dbz_event *ev)
{
    jcur at = *c;
    jvalue v;
    if (json_read_value(&d->r, c, &v)) return -1;
    ev->has_op = 1;
    ev->op_null = v.kind == J_NULL;
    if (ev->op_null) return 0;
    if (v.kind != J_STRING) return json_fail(&d->r, &at, "\"op\" must be a string");
    ev->op_len = v.n;
    memcpy(ev->op, v.s, MIN(v.n, sizeof ev->op - 1));
    ev->op[MIN(v.n, sizeof ev->op - 1)] = 0;
    return 0;
}

/* The object at c: the event itself (payload 1, or without schema-include), or the
 * {"schema","payload"} wrapper around it. */
static int read_envelope(dbz_decoder *d, jcur *c, dbz_event *ev, int payload)
{
    int wrapper = d->o.schema_include && !payload;
    if (json_expect(&d->r, c, '{', "expected '{' (a Debezium event is a JSON object)")) return -1;
    uint32_t count = 0;
    const char *key;
    size_t klen;
    int more;
    while ((more = json_member_next(&d->r, c, &count, &key, &klen)) > 0) {
        int kind = member_kind(key, klen);
        int rc = 0;
        jvalue skip;
        if (kind == M_SCHEMA) ev->has_schema = 1;
        if (kind == M_PAYLOAD && !payload) ev->has_payload = 1;
        if (wrapper && kind == M_PAYLOAD) {
            json_skip_ws(c);
            ev->payload_null = c->p < c->end && *c->p == 'n';
            rc = ev->payload_null ? json_read_value(&d->r, c, &skip) : read_envelope(d, c, ev, 1);
        } else if (!wrapper && kind == M_BEFORE) {
            rc = row_member(d, c, "before", &ev->before);
        } else if (!wrapper && kind == M_AFTER) {
            rc = row_member(d, c, "after", &ev->after);
        } else if (!wrapper && kind == M_OP) {
            rc = op_member(d, c, ev);
        } else {
            rc = json_read_value(&d->r, c, &skip);
        }
        if (rc) return -1;
    }
    return more;
}

static int event_error(dbz_decoder *d, const char *fmt, const char *arg)
{
    sb_clear(&d->r.msg);
    sb_printf(&d->r.msg, fmt, arg);
    return -1;
}

static int missing_before(dbz_decoder *d, const char *kind)
{
    return event_error(d,
                       "the \"before\" field of %s message is null; with the Debezium PostgreSQL connector, set "
                       "the table's REPLICA IDENTITY to FULL",
                       kind);
}

/* Rows the event gives (1 or 2), or -1 with the reason in r.msg. */
static int rows_needed(dbz_decoder *d, const dbz_event *ev)
{
    if (d->o.schema_include && !ev->has_payload)
        return event_error(d, "%s", "no \"payload\" member (debezium-json.schema-include is true)");
    if (d->o.schema_include && ev->payload_null) return event_error(d, "%s", "\"payload\" is null");
    if (!ev->has_op) {
        if (!d->o.schema_include && ev->has_schema && ev->has_payload)
            return event_error(d, "%s",
                               "no \"op\" member; the message has \"schema\" and \"payload\": set "
                               "'debezium-json.schema-include' = 'true'");
        return event_error(d, "%s", "no \"op\" member");
    }
    if (ev->op_null) return event_error(d, "%s", "\"op\" is null");
    int known = ev->op_len == 1 && ev->op[0] && strchr("cdru", ev->op[0]);
    if (!known) {
        sb_clear(&d->r.msg);
        sb_puts(&d->r.msg, "unknown \"op\" value '");
        format_excerpt(ev->op, MIN(ev->op_len, sizeof ev->op - 1), &d->r.msg);
        sb_puts(&d->r.msg, "'; expected c, r, u or d");
        return -1;
    }
    char op = ev->op[0];
    if ((op == 'u' || op == 'd') && !ev->before.p) return missing_before(d, op == 'u' ? "an UPDATE" : "a DELETE");
    if (op != 'd' && !ev->after.p)
        return event_error(d, "the \"after\" field of %s message is null", op == 'u' ? "an UPDATE" : "a CREATE");
    return op == 'u' ? 2 : 1;
}

static int read_row(dbz_decoder *d, const jcur *text, chunk_t *out, uint32_t row, uint8_t op)
{
    jcur c = *text;
    if (json_read_row(&d->r, &c, out, row, JSON_MISSING_NULL, NULL)) return -1;
    out->ops[row] = op;
    return 0;
}

/* The rows of one event into out; -2 (need set) when out lacks room. */
static int decode_event(dbz_decoder *d, const char *rec, size_t len, chunk_t *out)
{
    jcur c = {rec, rec + len};
    dbz_event ev;
    memset(&ev, 0, sizeof ev);
    json_reader_start(&d->r, rec);
    if (read_envelope(d, &c, &ev, 0)) return -1;
    json_skip_ws(&c);
    if (c.p != c.end) return json_fail(&d->r, &c, "unexpected text after the object");
    int n = rows_needed(d, &ev);
    if (n < 0) return -1;
    if (out->cap - out->nrows < (uint32_t)n) {
        d->ov.need = (uint32_t)n;
        return -2;
    }
    uint32_t row = out->nrows;
    char op = ev.op[0];
    int rc = op == 'c' || op == 'r' ? read_row(d, &ev.after, out, row, OP_INSERT)
             : op == 'd'            ? read_row(d, &ev.before, out, row, OP_DELETE)
                                    : read_row(d, &ev.before, out, row, OP_UPDATE_BEFORE) ||
                                          read_row(d, &ev.after, out, row + 1, OP_UPDATE_AFTER);
    if (rc) return -1;
    out->nrows += (uint32_t)n;
    return n;
}

static int dbz_record(decoder_t *base, const char *rec, size_t len, chunk_t *out)
{
    dbz_decoder *d = (dbz_decoder *)base;
    int n = decode_event(d, rec, len, out);
    if (n >= 0 || n == -2) return n;
    if (d->o.c.ignore_errors) {
        d->base.skipped++;
        return 0;
    }
    return json_bad_record(&d->base, "Debezium JSON", sb_str(&d->r.msg));
}

static int64_t dbz_decode(decoder_t *base, const char *buf, size_t len, int eof, chunk_t *out)
{
    dbz_decoder *d = (dbz_decoder *)base;
    return json_decode_lines(base, &d->ov, d->r.schema, dbz_record, buf, len, eof, out);
}

static int dbz_decode_message(decoder_t *base, const char *buf, size_t len, chunk_t *out)
{
    return buf && len ? dbz_record(base, buf, len, out) : 0;
}

static void dbz_decoder_free(decoder_t *base)
{
    dbz_decoder *d = (dbz_decoder *)base;
    json_reader_free(&d->r);
    json_overflow_free(&d->ov);
    free(d);
}

static const decoder_vtable dbz_decoder_vt = {dbz_decode, dbz_decoder_free, dbz_decode_message};

static decoder_t *dbz_create_decoder(const connector_table *t)
{
    dbz_opts o;
    if (read_opts(t, &o)) return NULL;
    dbz_decoder *d = xcalloc(1, sizeof *d);
    d->base.vt = &dbz_decoder_vt;
    d->o = o;
    json_reader_init(&d->r, &t->physical, &o.c);
    decoder_begin(&d->base, NULL);
    return &d->base;
}

/* ---- encoder ---- */

typedef struct dbz_encoder {
    encoder_t base;
    json_writer w;
} dbz_encoder;

static void encode_event(dbz_encoder *e, const chunk_t *c, uint32_t row, sb_t *out)
{
    if (op_is_add(c->ops[row])) {
        sb_puts(out, "{\"before\":null,\"after\":");
        json_write_row(&e->w, c, row, out);
        sb_puts(out, ",\"op\":\"c\"}");
    } else {
        sb_puts(out, "{\"before\":");
        json_write_row(&e->w, c, row, out);
        sb_puts(out, ",\"after\":null,\"op\":\"d\"}");
    }
}

static int dbz_encode(encoder_t *base, const chunk_t *c, sb_t *out)
{
    dbz_encoder *e = (dbz_encoder *)base;
    uint32_t live = chunk_live(c);
    for (uint32_t k = 0; k < live; k++) {
        encode_event(e, c, chunk_row(c, k), out);
        sb_putc(out, '\n');
    }
    return 0;
}

static int dbz_encode_each(encoder_t *base, const chunk_t *c, sb_t *out, uint32_t *ends)
{
    dbz_encoder *e = (dbz_encoder *)base;
    uint32_t live = chunk_live(c);
    for (uint32_t k = 0; k < live; k++) {
        encode_event(e, c, chunk_row(c, k), out);
        ends[k] = (uint32_t)out->len;
    }
    return 0;
}

static void dbz_encoder_free(encoder_t *base)
{
    dbz_encoder *e = (dbz_encoder *)base;
    json_writer_free(&e->w);
    free(e);
}

static const encoder_vtable dbz_encoder_vt = {dbz_encode, dbz_encoder_free, dbz_encode_each};

static encoder_t *dbz_create_encoder(const connector_table *t)
{
    dbz_opts o;
    if (read_opts(t, &o)) return NULL;
    if (o.schema_include)
        return err_at(table_opt_entry(t, "debezium-json.schema-include")->value_span,
                      "'debezium-json.schema-include' = 'true' is only for reading: Debezium JSON is written "
                      "without a schema, as in Flink"),
               NULL;
    dbz_encoder *e = xcalloc(1, sizeof *e);
    e->base.vt = &dbz_encoder_vt;
    json_writer_init(&e->w, &t->physical, &o.c, 0);
    return &e->base;
}

const format_def format_debezium_json = {"debezium-json", dbz_options, dbz_create_decoder, dbz_create_encoder, 1};
