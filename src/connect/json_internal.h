/* json_internal.h - the JSON reader and writer shared by the json, debezium-json and
 * canal-json formats (implemented in json.c).
 *
 * The reader walks JSON text with a cursor and fills chunk rows from objects whose members
 * are matched to the table's columns by name; the changelog formats use its member and
 * element iterators to walk their envelopes. Errors are described in the reader's `msg`
 * ("... at column N", or "... at line L, column N" inside a multi-line message) and the
 * caller wraps them with the record's origin. The writer turns chunk rows into objects. */
#ifndef EDDY_JSON_INTERNAL_H
#define EDDY_JSON_INTERNAL_H
#include "connect/format.h"

/* The options every JSON-based format shares, each under its own prefix ("json",
 * "debezium-json", "canal-json"): ignore-parse-errors, timestamp-format.standard,
 * map-null-key.mode / .literal (eddy has no MAP type: checked only) and
 * encode.decimal-as-plain-number. */
enum { JSON_TS_SQL, JSON_TS_ISO };

typedef struct json_common_opts {
    const char *prefix;          /* "json", "debezium-json", "canal-json" */
    int ignore_errors;
    int ts_standard;             /* JSON_TS_SQL or JSON_TS_ISO */
    int decimal_plain;           /* encode.decimal-as-plain-number */
} json_common_opts;

int json_read_common_opts(const connector_table *t, const char *prefix, json_common_opts *o);
extern const char *const json_ts_standard_names[];        /* "SQL", "ISO-8601" */

/* ---- reader ---- */

typedef struct jcur {
    const char *p, *end;
} jcur;

enum jtok { J_STRING, J_NUMBER, J_TRUE, J_FALSE, J_NULL, J_NESTED };

typedef struct jvalue {
    enum jtok kind;
    const char *s;               /* text: unescaped string, number, or raw nested JSON */
    size_t n;
    int integral;                /* J_NUMBER without fraction or exponent */
} jvalue;

/* What json_read_row does with a column the object does not name. */
enum json_missing { JSON_MISSING_NULL, JSON_MISSING_FAIL, JSON_MISSING_KEEP };

typedef struct json_reader {
    const schema_t *schema;      /* columns that object members fill (borrowed) */
    const char *ts_option;       /* "<prefix>.timestamp-format.standard", for messages */
    int ts_standard;
    uint32_t *name_len;          /* strlen of each column name */
    uint8_t *name_plain;         /* per column: the name has no '"' or '\\' (compared in place) */
    uint8_t *seen;               /* per column: named by the current object */
    uint32_t next_guess;         /* column expected next (members usually come in order) */
    sb_t scratch;                /* the unescaped string being read */
    sb_t msg;                    /* what is wrong with the current record */
    const char *text;            /* start of the current record, for positions */
} json_reader;

void json_reader_init(json_reader *r, const schema_t *s, const json_common_opts *o);
void json_reader_free(json_reader *r);
/* Positions in messages count from `text`, the first byte of the record. */
static inline void json_reader_start(json_reader *r, const char *text) { r->text = text; }

void json_skip_ws(jcur *c);
/* Records "<what> at column N" in r->msg; returns -1. */
int json_fail(json_reader *r, const jcur *c, const char *what);
/* Skips white space, then expects ch. */
int json_expect(json_reader *r, jcur *c, char ch, const char *what);
/* Reads any value at c->p; an object or array is skipped (its raw text in v). A string
 * with escapes is unescaped into r->scratch, so v->s is valid until the next string. */
int json_read_value(json_reader *r, jcur *c, jvalue *v);
/* Iterates over an object's members: start with *count = 0 just past the '{'; each call
 * returns 1 with the member's name in key/klen (valid until the next string is read) and
 * the cursor at its value (white space skipped), 0 past the closing '}', -1 on an error. */
int json_member_next(json_reader *r, jcur *c, uint32_t *count, const char **key, size_t *klen);
/* The same for an array's elements, starting just past the '['. */
int json_element_next(json_reader *r, jcur *c, uint32_t *count);
/* Reads the object at c->p (white space skipped) into row `row` of out: members fill the
 * columns they name, others are skipped; columns not named are handled per `missing`
 * (JSON_MISSING_FAIL's message names `fail_option`). The row's op is left alone. */
int json_read_row(json_reader *r, jcur *c, chunk_t *out, uint32_t row, enum json_missing missing,
                  const char *fail_option);
/* Copies row `from` of out to row `to` (string views are shared: both live in out). */
void json_copy_row(chunk_t *out, uint32_t from, uint32_t to);

/* Line-based decoding for the JSON formats (one JSON record per line): calls decode_record
 * for each non-blank line, with d->line at that line; it returns like decode_message and
 * sets ov->need when it returns -2. A record that needs more rows than out has room for is
 * decoded into the overflow chunk and handed on over this and the following calls, so that
 * out always fills up (the filesystem source hands a chunk on only when it is full or the
 * file ends) and a record of any size can be read from a file. */
typedef int (*json_record_fn)(decoder_t *d, const char *rec, size_t len, chunk_t *out);
typedef struct json_overflow {
    chunk_t *rows;               /* rows of a record that did not fit (NULL until needed) */
    uint32_t next;               /* first row of `rows` not yet handed on */
    uint32_t need;               /* set by decode_record with -2: rows the record needs */
} json_overflow;
int64_t json_decode_lines(decoder_t *d, json_overflow *ov, const schema_t *s, json_record_fn decode_record,
                          const char *buf, size_t len, int eof, chunk_t *out);
void json_overflow_free(json_overflow *ov);

/* Fails a malformed record: "malformed <what> row at FILE:LINE: <msg>" for files (the record
 * starts at d->line), "malformed <what> record at topic 'T' partition P offset O: <msg>" for
 * messages; returns -1. */
int json_bad_record(const decoder_t *d, const char *what, const char *msg);

/* ---- writer ---- */

typedef struct json_writer {
    const schema_t *schema;      /* (borrowed) */
    int ts_standard;
    int decimal_plain;
    int ignore_null_fields;
    char **member;               /* per column: "\"name\":" ready to append */
    uint32_t *member_len;
    sb_t text;                   /* one value's text */
} json_writer;

void json_writer_init(json_writer *w, const schema_t *s, const json_common_opts *o, int ignore_null_fields);
void json_writer_free(json_writer *w);
/* Appends row `row` of c as {"col":value,...}. */
void json_write_row(json_writer *w, const chunk_t *c, uint32_t row, sb_t *out);
void json_write_string(const char *s, size_t n, sb_t *out);

#endif
