/* str.h - fixed-size string views: length, 4-byte prefix, and either 8 more inline
 * bytes (strings up to 12 bytes live entirely in the view) or a pointer.
 * Equality and ordering usually decide on the first 8 bytes without touching the heap.
 * Ownership: a view never owns its bytes; they live in a chunk or operator arena.
 * str_ptr() of an inline view points into the view itself, so take it from the
 * stored view, not from a temporary copy that goes out of scope. */
#ifndef EDDY_STR_H
#define EDDY_STR_H
#include <stdint.h>
#include <string.h>
#include "base/arena.h"

#define STR_INLINE 12

typedef struct str {
    uint32_t len;
    char prefix[4];
    union {
        const char *ptr;
        char rest[8];
    };
} str_t;

static inline const char *str_ptr(const str_t *s)
{
    return s->len <= STR_INLINE ? s->prefix : s->ptr;
}

/* A view of bytes that outlive it (no copy for long strings). */
static inline str_t str_view(const char *p, uint32_t len)
{
    str_t s;
    memset(&s, 0, sizeof s);
    s.len = len;
    if (len <= STR_INLINE) {
        memcpy(s.prefix, p, len);
    } else {
        memcpy(s.prefix, p, 4);
        s.ptr = p;
    }
    return s;
}

/* A view whose long bytes are copied into arena a. */
static inline str_t str_copy(arena_t *a, const char *p, uint32_t len)
{
    if (len <= STR_INLINE) return str_view(p, len);
    char *q = arena_alloc(a, len);
    memcpy(q, p, len);
    return str_view(q, len);
}

static inline str_t str_cstr(const char *p) { return str_view(p, (uint32_t)strlen(p)); }

static inline int str_eq(const str_t *a, const str_t *b)
{
    if (memcmp(a, b, 8) != 0) return 0;        /* len and prefix */
    if (a->len <= STR_INLINE) return memcmp(a->rest, b->rest, a->len > 4 ? a->len - 4 : 0) == 0;
    return memcmp(a->ptr, b->ptr, a->len) == 0;
}

/* Byte-wise (UTF-8 code point) order, like Flink's binary string comparison. */
static inline int str_cmp(const str_t *a, const str_t *b)
{
    uint32_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->prefix, b->prefix, n < 4 ? n : 4);
    if (c || n <= 4) return c ? c : (a->len > b->len) - (a->len < b->len);
    c = memcmp(str_ptr(a), str_ptr(b), n);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

#endif
