/* util.h - checked allocation, growable arrays and small helpers used everywhere. */
#ifndef EDDY_UTIL_H
#define EDDY_UTIL_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Growable array: VEC(T) v = {0}; VEC_PUSH(v, x); v.len; v.items[i]; free(v.items). */
#define VEC(T) struct { T *items; size_t len, cap; }
#define VEC_GROW(v, n) do { \
        if ((v).len + (n) > (v).cap) { \
            size_t c_ = (v).cap ? (v).cap * 2 : 8; \
            while (c_ < (v).len + (n)) c_ *= 2; \
            (v).items = xrealloc((v).items, c_ * sizeof *(v).items); \
            (v).cap = c_; \
        } } while (0)
#define VEC_PUSH(v, x) do { VEC_GROW(v, 1); (v).items[(v).len++] = (x); } while (0)
#define VEC_FREE(v) do { free((v).items); (v).items = NULL; (v).len = (v).cap = 0; } while (0)

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

int str_ieq(const char *a, const char *b);              /* ASCII case-insensitive equality */
int str_ieqn(const char *a, const char *b, size_t n);
/* Levenshtein distance, for "did you mean" suggestions. */
int edit_distance(const char *a, const char *b);

#endif
