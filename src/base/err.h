/* err.h - the one error channel: source spans, "file:line:col: error:" diagnostics with caret. */
#ifndef EDDY_ERR_H
#define EDDY_ERR_H
#include <stdint.h>
#include <stdio.h>

/* A place in the job's SQL text. line/col are 1-based; line 0 means "no position". */
typedef struct span {
    uint32_t off;      /* byte offset into the source text */
    uint32_t len;      /* bytes covered (0 = a point) */
    uint32_t line;
    uint32_t col;
} span_t;

/* Registers the SQL text errors point into; the text must outlive the job. */
void err_set_source(const char *file_name, const char *text);
const char *err_source_name(void);
const char *err_source_text(void);      /* the registered text ("" if none) */

/* Record an error (the first one wins until err_clear). Both return -1 so
 * callers can write `return err_at(...)`. */
int err_at(span_t where, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int err_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Append a further line ("  note: ...") to the recorded error. */
void err_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int err_pending(void);
/* The full diagnostic: "file:line:col: error: message\n<source line>\n<caret>\n". */
const char *err_text(void);
/* Only the message part, without position or source line (for tests). */
const char *err_message(void);
void err_print(FILE *f);
void err_clear(void);

/* Join two spans into one covering both. */
span_t span_join(span_t a, span_t b);

#endif
