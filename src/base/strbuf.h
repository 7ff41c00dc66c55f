/* strbuf.h - growable byte string for building messages, SQL text and output lines. */
#ifndef EDDY_STRBUF_H
#define EDDY_STRBUF_H
#include <stddef.h>
#include <stdarg.h>

typedef struct sb {
    char *data;     /* always NUL-terminated once anything was appended */
    size_t len;
    size_t cap;
} sb_t;

void sb_append(sb_t *b, const char *s, size_t n);
void sb_puts(sb_t *b, const char *s);
void sb_putc(sb_t *b, char c);
void sb_printf(sb_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(sb_t *b, const char *fmt, va_list ap);
void sb_clear(sb_t *b);             /* len = 0, keeps the buffer */
void sb_free(sb_t *b);
const char *sb_str(sb_t *b);        /* "" when empty */
char *sb_take(sb_t *b);             /* caller owns the returned string; b is emptied */

#endif
