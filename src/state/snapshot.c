/* snapshot.c - little-endian state serialisation with bounds-checked reads. */
#include "state/snapshot.h"
#include "base/util.h"
#include "base/err.h"
#include <stdlib.h>
#include <string.h>

static void put(snap_writer *w, const void *p, size_t n)
{
    if (n == 0) return;                 /* p may be NULL for empty bytes */
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 4096;
        while (cap < w->len + n) cap *= 2;
        w->buf = xrealloc(w->buf, cap);
        w->cap = cap;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

void snap_put_u8(snap_writer *w, uint8_t v) { put(w, &v, 1); }
void snap_put_u32(snap_writer *w, uint32_t v) { put(w, &v, 4); }
void snap_put_i64(snap_writer *w, int64_t v) { put(w, &v, 8); }
void snap_put_f64(snap_writer *w, double v) { put(w, &v, 8); }

void snap_put_bytes(snap_writer *w, const void *p, uint32_t n)
{
    snap_put_u32(w, n);
    put(w, p, n);
}

void snap_put_value(snap_writer *w, type_t t, const value_t *v)
{
    snap_put_u8(w, v->null);
    if (v->null) return;
    switch (type_phys(t)) {
    case PHYS_I64: snap_put_i64(w, v->i); break;
    case PHYS_F64: snap_put_f64(w, v->f); break;
    default: snap_put_bytes(w, str_ptr(&v->s), v->s.len); break;
    }
}

void snap_writer_free(snap_writer *w) { free(w->buf); memset(w, 0, sizeof *w); }

void snap_reader_init(snap_reader *r, const void *buf, size_t len)
{
    r->buf = buf;
    r->len = len;
    r->pos = 0;
    r->failed = 0;
}

static int get(snap_reader *r, void *p, size_t n)
{
    if (r->failed || r->len - r->pos < n) { r->failed = 1; memset(p, 0, n); return -1; }
    memcpy(p, r->buf + r->pos, n);
    r->pos += n;
    return 0;
}

uint8_t snap_get_u8(snap_reader *r) { uint8_t v; get(r, &v, 1); return v; }
uint32_t snap_get_u32(snap_reader *r) { uint32_t v; get(r, &v, 4); return v; }
int64_t snap_get_i64(snap_reader *r) { int64_t v; get(r, &v, 8); return v; }
double snap_get_f64(snap_reader *r) { double v; get(r, &v, 8); return v; }

const void *snap_get_bytes(snap_reader *r, uint32_t *n)
{
    *n = snap_get_u32(r);
    if (r->failed || r->len - r->pos < *n) { r->failed = 1; *n = 0; return ""; }
    const void *p = r->buf + r->pos;
    r->pos += *n;
    return p;
}

void snap_get_value(snap_reader *r, type_t t, value_t *v, arena_t *a)
{
    memset(v, 0, sizeof *v);
    v->null = snap_get_u8(r);
    if (v->null) return;
    switch (type_phys(t)) {
    case PHYS_I64: v->i = snap_get_i64(r); break;
    case PHYS_F64: v->f = snap_get_f64(r); break;
    default: {
        uint32_t n;
        const char *p = snap_get_bytes(r, &n);
        v->s = str_copy(a, p, n);
        break;
    }
    }
}

int snap_check(snap_reader *r, const char *what)
{
    if (!r->failed) return 0;
    return err_msg("snapshot of %s is truncated or corrupt (read past %zu of %zu bytes)", what, r->pos, r->len);
}
