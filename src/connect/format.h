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
} decoder_vtable;

struct decoder {
    const decoder_vtable *vt;
    const char *file;            /* name used in messages (borrowed) */
    uint64_t line;               /* 1-based line where the next record starts */
    uint64_t skipped;            /* malformed records skipped (ignore-parse-errors) */
    int file_start;              /* no record of the current file decoded yet */
    int bom_checked;             /* a leading UTF-8 byte order mark has been looked for */
};

/* Start a new input (file): resets the line count; `file` must outlive the decoding. */
void decoder_begin(decoder_t *d, const char *file);
static inline int64_t decoder_decode(decoder_t *d, const char *buf, size_t len, int eof, chunk_t *out)
{
    return d->vt->decode(d, buf, len, eof, out);
}
void decoder_free(decoder_t *d);
/* For decoders: bytes of a UTF-8 byte order mark at the start of the file (0 or 3). */
size_t decoder_skip_bom(decoder_t *d, const char *buf, size_t len, int eof);

typedef struct encoder encoder_t;
typedef struct encoder_vtable {
    /* Appends one line ("...\n") per live row of c. */
    int (*encode)(encoder_t *e, const chunk_t *c, sb_t *out);
    void (*free)(encoder_t *e);
} encoder_vtable;

struct encoder {
    const encoder_vtable *vt;
};

static inline int encoder_encode(encoder_t *e, const chunk_t *c, sb_t *out)
{
    return e->vt->encode(e, c, out);
}
void encoder_free(encoder_t *e);

typedef struct format_def {
    const char *name;                         /* 'format' value */
    const char *const *options;               /* valid '<name>.*' keys, NULL-terminated */
    /* Both validate the format's options against t and return NULL with the error recorded
     * (at the option's value span) when one is bad. */
    decoder_t *(*create_decoder)(const connector_table *t);
    encoder_t *(*create_encoder)(const connector_table *t);
} format_def;

extern const format_def format_csv;
extern const format_def format_json;

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
