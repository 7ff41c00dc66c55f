/* err.c - records the first error of a job and renders it with its source line and a caret. */
#include "base/err.h"
#include "base/strbuf.h"
#include "base/util.h"
#include <stdarg.h>
#include <string.h>

static const char *src_name = "<input>";
static const char *src_text;
static int have_error;
static sb_t message;     /* the message alone */
static sb_t rendered;    /* position, message, source line, caret, notes */
static sb_t notes;

void err_set_source(const char *file_name, const char *text)
{
    src_name = file_name ? file_name : "<input>";
    src_text = text;
}

const char *err_source_name(void) { return src_name; }

const char *err_source_text(void) { return src_text ? src_text : ""; }

static void render(span_t where)
{
    sb_clear(&rendered);
    if (where.line > 0) {
        sb_printf(&rendered, "%s:%u:%u: error: %s\n", src_name, where.line, where.col, sb_str(&message));
        if (src_text && where.off <= strlen(src_text)) {    /* a span into other text: no line */
            const char *p = src_text + where.off;
            const char *start = p, *end = p;
            while (start > src_text && start[-1] != '\n') start--;
            while (*end && *end != '\n') end++;
            sb_printf(&rendered, "  %.*s\n  ", (int)(end - start), start);
            for (const char *q = start; q < p; q++) sb_putc(&rendered, *q == '\t' ? '\t' : ' ');
            sb_putc(&rendered, '^');
            uint32_t len = where.len;
            if (len > 1) {
                if (p + len > end) len = (uint32_t)(end - p);
                for (uint32_t i = 1; i < len; i++) sb_putc(&rendered, '~');
            }
            sb_putc(&rendered, '\n');
        }
    } else {
        sb_printf(&rendered, "error: %s\n", sb_str(&message));
    }
}

static span_t last_span;

int err_at(span_t where, const char *fmt, ...)
{
    if (have_error) return -1;
    have_error = 1;
    sb_clear(&message);
    sb_clear(&notes);
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&message, fmt, ap);
    va_end(ap);
    last_span = where;
    render(where);
    return -1;
}

int err_msg(const char *fmt, ...)
{
    if (have_error) return -1;
    have_error = 1;
    sb_clear(&message);
    sb_clear(&notes);
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&message, fmt, ap);
    va_end(ap);
    last_span = (span_t){0};
    render(last_span);
    return -1;
}

void err_note(const char *fmt, ...)
{
    if (!have_error) return;
    sb_puts(&notes, "  note: ");
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&notes, fmt, ap);
    va_end(ap);
    sb_putc(&notes, '\n');
}

int err_pending(void) { return have_error; }

const char *err_text(void)
{
    static sb_t full;
    sb_clear(&full);
    sb_puts(&full, sb_str(&rendered));
    sb_puts(&full, sb_str(&notes));
    return sb_str(&full);
}

const char *err_message(void) { return sb_str(&message); }

void err_print(FILE *f) { fputs(err_text(), f); }

void err_clear(void)
{
    have_error = 0;
    sb_clear(&message);
    sb_clear(&rendered);
    sb_clear(&notes);
}

span_t span_join(span_t a, span_t b)
{
    if (a.line == 0) return b;
    if (b.line == 0) return a;
    span_t first = a.off <= b.off ? a : b;
    span_t last = a.off <= b.off ? b : a;
    uint32_t end = MAX(first.off + first.len, last.off + last.len);
    first.len = end - first.off;
    return first;
}
