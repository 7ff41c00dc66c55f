/* strbuf.c - growable byte string. */
#include "base/strbuf.h"
#include "base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void sb_reserve(sb_t *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap * 2 : 64;
    while (cap < b->len + extra + 1) cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void sb_append(sb_t *b, const char *s, size_t n)
{
    sb_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

void sb_puts(sb_t *b, const char *s) { sb_append(b, s, strlen(s)); }

void sb_putc(sb_t *b, char c) { sb_append(b, &c, 1); }

void sb_vprintf(sb_t *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    if (n < 0) { va_end(ap2); return; }
    if ((size_t)n < sizeof tmp) {
        sb_append(b, tmp, (size_t)n);
    } else {
        sb_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void sb_printf(sb_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(b, fmt, ap);
    va_end(ap);
}

void sb_clear(sb_t *b) { b->len = 0; if (b->data) b->data[0] = 0; }

void sb_free(sb_t *b) { free(b->data); b->data = NULL; b->len = b->cap = 0; }

const char *sb_str(sb_t *b) { return b->data ? b->data : ""; }

char *sb_take(sb_t *b)
{
    char *s = b->data ? b->data : xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}
