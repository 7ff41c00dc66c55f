/* format.h - the format registry: text formats (csv, json) that turn blocks of bytes into
 * chunk rows (decoders) and chunk rows into lines (encoders).
 *
 * A format is chosen by the table's 'format' option and validates its own '<name>.*'
 * options. Decoding works per block, not per row: the reader hands a decoder a buffer of
 * bytes and the decoder appends every complete record it holds to the output chunk, until
 * the chunk is full, and says how many bytes it consumed. The caller keeps the rest (a
 * partial last record) and hands it again with more bytes behind it. The decoder counts
 * lines so that a malformed record fails the job with "file:line", or is skipped and
 * counted when the format's ignore-parse-errors option is set. */
#ifndef EDDY_FORMAT_H
#define EDDY_FORMAT_H
#include "connect/connector.h"
#include "base/strbuf.h"

typedef struct decoder decoder_t;
typedef struct decoder_vtable {
    /* Decodes whole records of buf[0..len) into out (physical columns, op +I) until out is
     * full. eof: no bytes follow in this file, so a last record without a line end is
     * complete. Returns the bytes consumed (whole records only; 0 with room left in out
     * and !eof means "give me more bytes"), or -1 after recording an error (err_msg). */
    int64_t (*decode)(decoder_t *d, const char *buf, size_t len, int eof, chunk_t *out);
    void (*free)(decoder_t *d);
    /* Decodes one message (a Kafka record value or key, an MQTT payload: the whole buffer is
     * one record, line ends included) into rows appended to out: one row for csv / json /
     * raw, zero or more with their ops for the changelog formats. Returns the rows appended;
     * 0 also when the message was skipped (counted in skipped) or is a tombstone / an event
     * the format filters out; -2 when out has too little room (nothing appended: hand it
     * again with an emptier chunk); -1 after recording an error that names the message's
     * origin (decoder_where). A NULL buf (a Kafka tombstone) appends nothing, except in
     * raw, where it is one row whose value is NULL (as Flink's raw format reads it). */
    int (*decode_message)(decoder_t *d, const char *buf, size_t len, chunk_t *out);
} decoder_vtable;

struct decoder {
    const decoder_vtable *vt;
    const char *file;            /* name used in messages (borrowed) */
    uint64_t line;               /* 1-based line where the next record starts */
    uint64_t skipped;            /* malformed records skipped (ignore-parse-errors) */
    int file_start;              /* no record of the current file decoded yet */
    int bom_checked;             /* a leading UTF-8 byte order mark has been looked for */
    /* The message being decoded (decoder_begin_message); topic NULL for files. */
    const char *topic;           /* Kafka or MQTT topic (borrowed) */
    int32_t partition;           /* Kafka partition; -1 for MQTT */
    int64_t offset;              /* Kafka offset */
};

/* Start a new input (file): resets the line count; `file` must outlive the decoding. */
void decoder_begin(decoder_t *d, const char *file);
static inline int64_t decoder_decode(decoder_t *d, const char *buf, size_t len, int eof, chunk_t *out)
{
    return d->vt->decode(d, buf, len, eof, out);
}
/* Names the next message's origin for error messages (topic must outlive the decoding);
 * partition -1 for an MQTT message. */
void decoder_begin_message(decoder_t *d, const char *topic, int32_t partition, int64_t offset);
static inline int decoder_decode_message(decoder_t *d, const char *buf, size_t len, chunk_t *out)
{
    return d->vt->decode_message(d, buf, len, out);
}
/* Appends where the record starting at `line` came from: "FILE:LINE" for files,
 * "topic 'T' partition P offset O" for Kafka, "MQTT topic 'T'" for MQTT. */
void decoder_where(const decoder_t *d, uint64_t line, sb_t *out);
void decoder_free(decoder_t *d);
/* For decoders: bytes of a UTF-8 byte order mark at the start of the file (0 or 3). */
size_t decoder_skip_bom(decoder_t *d, const char *buf, size_t len, int eof);

typedef struct encoder encoder_t;
typedef struct encoder_vtable {
    /* Appends one line ("...\n") per live row of c. */
    int (*encode)(encoder_t *e, const chunk_t *c, sb_t *out);
    void (*free)(encoder_t *e);
    /* Appends each live row of c as one message without a line end (for Kafka and MQTT):
     * ends[k] is set to the offset in out where the k-th live row's message ends (it starts
     * where the previous one ended, or at out->len on entry). A row the format writes as no
     * message (none so far) gets an empty one. The changelog formats encode the row's op. */
    int (*encode_each)(encoder_t *e, const chunk_t *c, sb_t *out, uint32_t *ends);
} encoder_vtable;

struct encoder {
    const encoder_vtable *vt;
};

static inline int encoder_encode(encoder_t *e, const chunk_t *c, sb_t *out)
{
    return e->vt->encode(e, c, out);
}
static inline int encoder_encode_each(encoder_t *e, const chunk_t *c, sb_t *out, uint32_t *ends)
{
    return e->vt->encode_each(e, c, out, ends);
}
void encoder_free(encoder_t *e);

typedef struct format_def {
    const char *name;                         /* 'format' value */
    const char *const *options;               /* valid '<name>.*' keys, NULL-terminated */
    /* Both validate the format's options against t and return NULL with the error recorded
     * (at the option's value span) when one is bad. */
    decoder_t *(*create_decoder)(const connector_table *t);
    encoder_t *(*create_encoder)(const connector_table *t);
    /* Rows decoded carry -U/+U/-D as well as +I (debezium-json, canal-json): a table with
     * this format is an updating source, and a sink with it writes updates as such. */
    int changelog;
} format_def;

extern const format_def format_csv;
extern const format_def format_json;
extern const format_def format_raw;
extern const format_def format_debezium_json;
extern const format_def format_canal_json;

const format_def *format_lookup(const char *name);     /* NULL if unknown */
const char *format_list(void);                         /* "csv, json" */

/* ---- helpers shared by the formats ---- */

/* "2020-12-30 12:13:14.123" (sep ' ') or "2020-12-30T12:13:14.123" (sep 'T'): the fraction
 * has as many digits as it needs and is left out when zero, like Flink's formatters;
 * zulu appends 'Z' (for TIMESTAMP_LTZ, which formats write as UTC instants). */
void format_timestamp_text(int64_t us, char sep, int zulu, sb_t *out);
/* Appends a short excerpt of bad input for an error message (at most 60 bytes, then "..."). */
void format_excerpt(const char *p, size_t len, sb_t *out);
/* A parsed DECIMAL with more digits than its column's precision becomes NULL, as Flink's
 * DecimalData.fromBigDecimal makes it; other values are left alone. */
void format_fit_decimal(type_t t, value_t *v);

/* The format named by t's 'format' option; records an error (naming the valid formats)
 * and returns NULL when it is missing or unknown. */
const format_def *format_of_table(const connector_table *t);

#endif
