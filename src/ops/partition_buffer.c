/* partition_buffer.c - event-time row buffering per partition: pending-row heaps and indexed
 * heaps of partitions (see partition_buffer.h). */
#include "ops/partition_buffer.h"
#include "base/util.h"
#include "base/err.h"
#include <stdlib.h>

/* ---- partitions ---- */

void pbuf_part_init(pbuf_part *p, int64_t number)
{
    p->number = number;
    p->pending.len = 0;
    for (int i = 0; i < PBUF_NHEAPS; i++) {
        p->due[i] = 0;
        p->pos[i] = PBUF_NOT_QUEUED;
    }
}

void pbuf_part_clear(pbuf_part *p, row_pool *pool)
{
    for (size_t i = 0; i < p->pending.len; i++) rowpool_release(pool, p->pending.items[i].ref);
    p->pending.len = 0;
}

void pbuf_part_free(pbuf_part *p) { VEC_FREE(p->pending); }

/* ---- pending rows: min-heap on (time, seq) ---- */

static int pending_less(const pbuf_row *a, const pbuf_row *b)
{
    return a->time != b->time ? a->time < b->time : a->seq < b->seq;
}

void pbuf_push(pbuf_part *p, pbuf_row r)
{
    VEC_PUSH(p->pending, r);
    pbuf_row *h = p->pending.items;
    size_t i = p->pending.len - 1;
    while (i > 0 && pending_less(&r, &h[(i - 1) / 2])) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = r;
}

pbuf_row pbuf_pop(pbuf_part *p)
{
    pbuf_row *h = p->pending.items, top = h[0], last = h[--p->pending.len];
    size_t i = 0, n = p->pending.len;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && pending_less(&h[c + 1], &h[c])) c++;
        if (!pending_less(&h[c], &last)) break;
        h[i] = h[c];
        i = c;
    }
    if (n) h[i] = last;
    return top;
}

void pbuf_add(pbuf_heap *fire, pbuf_part *p, pbuf_row r)
{
    pbuf_push(p, r);
    if (p->pos[fire->which] == PBUF_NOT_QUEUED || r.time < p->due[fire->which]) pbuf_heap_schedule(fire, p, r.time);
}

void pbuf_reschedule(pbuf_heap *fire, pbuf_part *p)
{
    if (p->pending.len) pbuf_heap_schedule(fire, p, p->pending.items[0].time);
    else pbuf_heap_unschedule(fire, p);
}

/* ---- partition heaps: indexed binary min-heaps on (due, number) ---- */

void pbuf_heap_init(pbuf_heap *h, int which)
{
    h->items = NULL;
    h->len = h->cap = 0;
    h->which = which;
}

void pbuf_heap_free(pbuf_heap *h)
{
    free(h->items);
    h->items = NULL;
    h->len = h->cap = 0;
}

static int heap_less(const pbuf_heap *h, const pbuf_part *a, const pbuf_part *b)
{
    if (a->due[h->which] != b->due[h->which]) return a->due[h->which] < b->due[h->which];
    return a->number < b->number;
}

static void heap_place(pbuf_heap *h, size_t i, pbuf_part *p)
{
    h->items[i] = p;
    p->pos[h->which] = i;
}

static void heap_sift_up(pbuf_heap *h, size_t i)
{
    pbuf_part *p = h->items[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!heap_less(h, p, h->items[parent])) break;
        heap_place(h, i, h->items[parent]);
        i = parent;
    }
    heap_place(h, i, p);
}

static void heap_sift_down(pbuf_heap *h, size_t i)
{
    pbuf_part *p = h->items[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->len) break;
        if (c + 1 < h->len && heap_less(h, h->items[c + 1], h->items[c])) c++;
        if (!heap_less(h, h->items[c], p)) break;
        heap_place(h, i, h->items[c]);
        i = c;
    }
    heap_place(h, i, p);
}

void pbuf_heap_schedule(pbuf_heap *h, pbuf_part *p, int64_t due)
{
    p->due[h->which] = due;
    size_t i = p->pos[h->which];
    if (i == PBUF_NOT_QUEUED) {
        if (h->len == h->cap) {
            h->cap = h->cap ? h->cap * 2 : 16;
            h->items = xrealloc(h->items, h->cap * sizeof *h->items);
        }
        i = h->len++;
        heap_place(h, i, p);
    }
    heap_sift_up(h, i);
    heap_sift_down(h, p->pos[h->which]);
}

void pbuf_heap_unschedule(pbuf_heap *h, pbuf_part *p)
{
    size_t i = p->pos[h->which];
    if (i == PBUF_NOT_QUEUED) return;
    p->pos[h->which] = PBUF_NOT_QUEUED;
    pbuf_part *last = h->items[--h->len];
    if (i == h->len) return;
    heap_place(h, i, last);
    heap_sift_up(h, i);
    heap_sift_down(h, last->pos[h->which]);
}

/* ---- checkpoint ---- */

void pbuf_put_row(const row_pool *pool, uint32_t ref, snap_writer *w)
{
    const chunk_t *c = rowpool_chunk(pool, ref);
    uint32_t r = rowpool_row(ref);
    for (uint32_t col = 0; col < pool->ncols; col++) {
        value_t v;
        vector_get(&c->cols[col], r, &v);
        snap_put_value(w, c->cols[col].type, &v);
    }
}

uint32_t pbuf_get_row(row_pool *pool, snap_reader *r, chunk_t *tmp)
{
    chunk_reset(tmp);
    tmp->nrows = 1;
    for (uint32_t col = 0; col < pool->ncols; col++) {
        value_t v;
        snap_get_value(r, tmp->cols[col].type, &v, &tmp->arena);
        vector_set(&tmp->cols[col], 0, &v, NULL);
    }
    return rowpool_add(pool, tmp, 0, NULL, OP_INSERT);
}

void pbuf_snapshot(const pbuf_part *p, const row_pool *pool, snap_writer *w)
{
    snap_put_u32(w, (uint32_t)p->pending.len);
    for (size_t i = 0; i < p->pending.len; i++) {
        snap_put_i64(w, p->pending.items[i].time);
        snap_put_i64(w, p->pending.items[i].seq);
        pbuf_put_row(pool, p->pending.items[i].ref, w);
    }
}

void pbuf_restore(pbuf_heap *fire, pbuf_part *p, row_pool *pool, snap_reader *r, chunk_t *tmp)
{
    uint32_t n = snap_get_u32(r);
    for (uint32_t i = 0; i < n && !r->failed; i++) {
        int64_t t = snap_get_i64(r), seq = snap_get_i64(r);
        uint32_t ref = pbuf_get_row(pool, r, tmp);
        if (r->failed) {
            rowpool_release(pool, ref);           /* a row cut short is not kept */
            break;
        }
        pbuf_add(fire, p, (pbuf_row){t, seq, ref});
    }
}

/* ---- snapshot header ---- */

#define PBUF_SNAP_VERSION 1

void pbuf_put_header(snap_writer *w, const op_t *op, const pbuf_snap_header *h)
{
    snap_put_u8(w, PBUF_SNAP_VERSION);
    snap_put_i64(w, op->wm);
    snap_put_i64(w, op->wm_out);
    snap_put_i64(w, h->next_seq);
    snap_put_i64(w, h->next_number);
    snap_put_u32(w, h->nparts);
}

int pbuf_get_header(snap_reader *r, op_t *op, const char *what, pbuf_snap_header *h)
{
    uint8_t version = snap_get_u8(r);
    if (!r->failed && version != PBUF_SNAP_VERSION)
        return err_msg("%s: snapshot version %u, expected %u", what, version, PBUF_SNAP_VERSION);
    int64_t wm = snap_get_i64(r), wm_out = snap_get_i64(r);
    h->next_seq = snap_get_i64(r);
    h->next_number = snap_get_i64(r);
    h->nparts = snap_get_u32(r);
    if (snap_check(r, what) < 0) return -1;
    op->wm = wm;
    op->wm_out = wm_out;
    for (int i = 0; i < op->nin; i++) op->in_wm[i] = wm;
    return 0;
}
