/* partition_buffer.h - event-time row buffering per partition, for keyed operators that
 * process each partition's rows in time order once the watermark passes them (OverAggregate,
 * MatchRecognize).
 *
 * Each partition holds its pending rows in a min-heap on (time, arrival sequence); the rows
 * themselves are row-pool copies (ops/rowpool.h), named by reference. Partitions wait in
 * indexed min-heaps of partitions (pbuf_heap) ordered by a due time and then by creation
 * number, so that partitions due at the same time are served in a deterministic order. A
 * partition can sit in PBUF_NHEAPS such heaps at once (heap `which` uses due[which] and
 * pos[which]): heap 0 is usually the "fire" heap keyed by the smallest pending time, heap 1
 * an operator's own timer (expiry, cleanup) keyed as it chooses.
 *
 * Use: put a pbuf_part as the first member of the operator's partition struct, so a
 * pbuf_part * taken from a heap converts back to the partition. */
#ifndef EDDY_PARTITION_BUFFER_H
#define EDDY_PARTITION_BUFFER_H
#include "ops/rowpool.h"
#include "ops/op.h"
#include "state/snapshot.h"
#include <stddef.h>
#include <stdint.h>

#define PBUF_NHEAPS 2
#define PBUF_NOT_QUEUED SIZE_MAX

typedef struct pbuf_row {
    int64_t time;
    int64_t seq;                    /* arrival order: ties in time */
    uint32_t ref;                   /* row pool reference */
} pbuf_row;

typedef struct pbuf_part {
    int64_t number;                 /* creation order: ties between partitions due together */
    struct {
        pbuf_row *items;
        size_t len, cap;
    } pending;                      /* min-heap on (time, seq) */
    int64_t due[PBUF_NHEAPS];       /* per heap: the time it is queued at */
    size_t pos[PBUF_NHEAPS];        /* per heap: its index, or PBUF_NOT_QUEUED */
} pbuf_part;

typedef struct pbuf_heap {
    pbuf_part **items;
    size_t len, cap;
    int which;                      /* index into due[] and pos[] */
} pbuf_heap;

/* ---- partitions ---- */

/* Sets the number and marks p queued nowhere; its pending storage is kept (a reused
 * partition must have no pending rows). */
void pbuf_part_init(pbuf_part *p, int64_t number);
/* Releases p's pending rows into pool. */
void pbuf_part_clear(pbuf_part *p, row_pool *pool);
/* Frees p's pending storage (rows must be released first). */
void pbuf_part_free(pbuf_part *p);

/* ---- pending rows ---- */

void pbuf_push(pbuf_part *p, pbuf_row r);
/* Removes and returns the earliest pending row (p must have one). */
pbuf_row pbuf_pop(pbuf_part *p);
/* Whether p has a pending row with time <= wm. */
static inline int pbuf_has_due(const pbuf_part *p, int64_t wm)
{
    return p->pending.len && p->pending.items[0].time <= wm;
}

/* Buffers r in p and queues p in fire at r's time when that is earlier than where it is. */
void pbuf_add(pbuf_heap *fire, pbuf_part *p, pbuf_row r);
/* Queues p in fire at its earliest pending time, or removes it when nothing is pending. */
void pbuf_reschedule(pbuf_heap *fire, pbuf_part *p);

/* ---- partition heaps ---- */

void pbuf_heap_init(pbuf_heap *h, int which);
void pbuf_heap_free(pbuf_heap *h);
/* Queues p at time due, or moves it there if it is queued already. */
void pbuf_heap_schedule(pbuf_heap *h, pbuf_part *p, int64_t due);
void pbuf_heap_unschedule(pbuf_heap *h, pbuf_part *p);
/* The first partition when it is due at or before limit, else NULL. */
static inline pbuf_part *pbuf_heap_due(const pbuf_heap *h, int64_t limit)
{
    return h->len && h->items[0]->due[h->which] <= limit ? h->items[0] : NULL;
}

/* ---- checkpoint ---- */

/* Row-pool rows in snapshots: the column values, in the pool's types. pbuf_get_row adds the
 * row read to the pool through tmp, a chunk of the pool's column types with room for a row. */
void pbuf_put_row(const row_pool *pool, uint32_t ref, snap_writer *w);
uint32_t pbuf_get_row(row_pool *pool, snap_reader *r, chunk_t *tmp);
/* p's pending rows: u32 count, then per row i64 time, i64 sequence and the column values. */
void pbuf_snapshot(const pbuf_part *p, const row_pool *pool, snap_writer *w);
/* Reads what pbuf_snapshot wrote into p (pbuf_add: p is queued in fire when rows come back);
 * on a short read r->failed is set and the rows read whole so far are kept. */
void pbuf_restore(pbuf_heap *fire, pbuf_part *p, row_pool *pool, snap_reader *r, chunk_t *tmp);

/* What a partitioned operator's snapshot starts with: a format version, op's input and output
 * watermarks, its row sequence and partition numbering counters and its partition count. */
typedef struct pbuf_snap_header {
    int64_t next_seq;
    int64_t next_number;
    uint32_t nparts;
} pbuf_snap_header;

void pbuf_put_header(snap_writer *w, const op_t *op, const pbuf_snap_header *h);
/* Reads the header back and sets op's watermarks (every input's to the combined one);
 * -1 with the error recorded (naming `what`) on another version or a short read. */
int pbuf_get_header(snap_reader *r, op_t *op, const char *what, pbuf_snap_header *h);

#endif
