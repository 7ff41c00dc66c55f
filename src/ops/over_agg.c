/* over_agg.c - OverAggregate: agg(...) OVER (PARTITION BY ... ORDER BY time ROWS|RANGE BETWEEN
 * ... PRECEDING AND CURRENT ROW), in event time or processing time. Each input row is emitted
 * once, followed by its aggregate values over its frame.
 *
 * Frames. ROWS n PRECEDING: the current row and the n rows processed before it in its
 * partition. RANGE x PRECEDING: every row of the partition with time in [t - x, t], where t
 * is the current row's time; rows with equal times are peers, processed together, and they
 * all get the same result. UNBOUNDED (preceding = -1): every row so far (and, for RANGE, the
 * peers). Processing time: a row's time is the clock when it arrives; the rows of one
 * partition in one input chunk are peers (one clock reading), and RANGE UNBOUNDED runs row
 * by row like ROWS UNBOUNDED, as Flink's ProcTimeUnboundedPrecedingFunction does.
 *
 * Processing (per partition, in time order): the accumulators of a partition are one agg
 * block (expr/agg.h) holding exactly the rows of the last frame. ROWS: the new row is added
 * and, when the frame already holds n + 1 rows, the oldest is retracted, in one
 * agg_block_update call; RANGE: the peers are added and the held rows older than t - x are
 * retracted. Then the results are read and the rows emitted. UNBOUNDED frames never retract.
 *
 * State per partition (a hash map from the encoded partition key, data/rowkey.h): the agg
 * block; the held rows that can still be in a future frame (bounded frames only: the last
 * n + 1 rows for ROWS, the rows newer than the expiry bound for RANGE), oldest first; and in
 * event time the pending rows the watermark has not reached yet, a min-heap on (time,
 * arrival sequence) kept by ops/partition_buffer.h, which also provides the partition heaps
 * below. Rows are copies (strings included) in a row pool (ops/rowpool.h); pending and held
 * entries name them by reference.
 *
 * Event time: a row whose time is at or behind the watermark is late (as Flink's unbounded
 * row-time OVER functions decide; its time was already processed): it is counted in
 * op->stats.late and dropped. Others are buffered; when the watermark advances, a min-heap
 * of partitions ordered by (smallest pending time, creation order) yields the partitions
 * with rows due, and each processes its rows with time <= watermark, in time order with
 * ties in arrival order. Processing time: rows are processed as they arrive.
 *
 * Cleanup (RANGE x PRECEDING): a held row of time r can be in no future frame once every
 * future row has time > r + x, i.e. once r + x <= watermark (event time) or r + x < clock
 * (processing time, on timer ticks). A second heap orders partitions by the time their
 * oldest held row expires; expired rows are retracted and released, and a partition left
 * with no held and no pending rows is dropped. ROWS frames and UNBOUNDED frames keep their
 * partitions (state TTL would bound them).
 *
 * Output: the input columns then one column per aggregate, insert-only. Input must be
 * insert-only.
 *
 * Checkpoint: u8 version, i64 watermark, i64 watermark sent, i64 next arrival sequence,
 * i64 next partition number, u32 npartitions, then per partition the key bytes, i64 creation
 * number, agg_block_snapshot, u32 nheld and per held row i64 time and the column values,
 * u32 npending and per pending row i64 time, i64 sequence and the column values. */
#include "ops/ops.h"
#include "ops/rowpool.h"
#include "ops/partition_buffer.h"
#include "data/rowkey.h"
#include "base/hashmap.h"
#include "base/util.h"
#include "base/err.h"
#include <stdlib.h>
#include <stddef.h>

#define NO_REF UINT32_MAX           /* a processing-time row still in the input chunk */
#define NO_SLOT UINT32_MAX

enum { HEAP_FIRE, HEAP_CLEAN };

typedef struct held_row {
    int64_t time;
    uint32_t ref;
} held_row;

typedef struct partition {
    pbuf_part buf;                  /* first: pending rows (event time) and heap places;
                                       due[HEAP_FIRE]: smallest pending time; due[HEAP_CLEAN]:
                                       expiry time of the oldest held row */
    const uint8_t *key;             /* encoded partition key, owned by the map */
    uint32_t klen;
    uint64_t hash;
    VEC(held_row) held;             /* held rows, oldest first from held_head */
    size_t held_head;
    uint32_t slot;                  /* processing time: its group in the current chunk, or
                                       NO_SLOT */
    /* the agg block follows at over_agg.block_off */
} partition;

/* One row being processed: where it is, its pool reference (NO_REF: not in the pool) and
 * its time. */
typedef struct row_in {
    const chunk_t *c;
    uint32_t row;
    uint32_t ref;
    int64_t time;
} row_in;

typedef struct over_agg {
    op_t op;
    int *part;                      /* partition key columns */
    int npart;
    int time_col;
    int proctime;
    int peers;                      /* RANGE semantics: equal times processed together */
    int64_t preceding;              /* rows or microseconds; -1: UNBOUNDED */
    agg_call *calls;                /* own copy of the plan's calls */
    agg_set aggs;
    uint32_t nin;                   /* input columns */
    row_pool pool;
    hmap_t parts;                   /* encoded key -> partition* */
    uint32_t block_off;
    uint32_t rec_size;
    int64_t next_seq;
    int64_t next_number;
    pbuf_heap fire;                 /* event time: partitions with pending rows */
    pbuf_heap clean;                /* RANGE x: partitions with held rows */
    /* scratch, kept between calls */
    rowkey_buf key;                 /* the partition key being looked up */
    chunk_t *upd;                   /* rows for one agg_block_update (used columns, views) */
    void **blocks;                  /* CHUNK_CAP copies of the current partition's block */
    uint32_t release[CHUNK_CAP];    /* refs retracted in upd, released after the update */
    uint32_t nrelease;
    uint8_t *used_cols;             /* per input column: read by an aggregate */
    VEC(row_in) batch;              /* rows of one time (event time) or one partition (proctime) */
    partition **row_part;           /* processing time: partition of each live row */
    uint32_t *order;                /* processing time: live rows grouped by partition */
    VEC(partition *) touched;       /* processing time: partitions of the chunk */
    value_t *res;                   /* results of the current frame */
    chunk_t *out;
    arena_t scratch;                /* result strings, reset after each batch */
} over_agg;

static void *part_block(const over_agg *o, partition *p) { return (char *)p + o->block_off; }

static int bounded(const over_agg *o) { return o->preceding >= 0; }

static int64_t add_sat(int64_t a, int64_t b)
{
    int64_t s;
    return __builtin_add_overflow(a, b, &s) ? (b > 0 ? TS_MAX : TS_MIN) : s;
}

/* ---- held rows: a queue, oldest first ---- */

static size_t held_count(const partition *p) { return p->held.len - p->held_head; }
static held_row *held_oldest(partition *p) { return &p->held.items[p->held_head]; }

static void held_push(partition *p, held_row h)
{
    if (p->held_head && p->held_head * 2 >= p->held.len) {
        memmove(p->held.items, p->held.items + p->held_head, held_count(p) * sizeof *p->held.items);
        p->held.len -= p->held_head;
        p->held_head = 0;
    }
    VEC_PUSH(p->held, h);
}

static held_row held_pop(partition *p)
{
    held_row h = p->held.items[p->held_head++];
    if (p->held_head == p->held.len) p->held_head = p->held.len = 0;
    return h;
}

/* ---- partitions ---- */

static partition *part_create(over_agg *o, const void *key, uint32_t klen, uint64_t hash, int64_t number)
{
    void **slot = hmap_put(&o->parts, key, klen, hash, NULL);
    partition *p = xcalloc(1, o->rec_size);
    const hmap_entry *e = (const hmap_entry *)((char *)slot - offsetof(hmap_entry, val));
    p->key = (const uint8_t *)e->key;
    p->klen = klen;
    p->hash = hash;
    pbuf_part_init(&p->buf, number);
    p->slot = NO_SLOT;
    agg_block_init(&o->aggs, part_block(o, p));
    *slot = p;
    return p;
}

static partition *part_of_row(over_agg *o, const chunk_t *in, uint32_t r)
{
    uint32_t klen = rowkey_encode(&o->key, in, r, o->part, o->npart);
    const uint8_t *key = o->key.bytes;
    uint64_t h = hash_bytes(key, klen);
    void **slot = hmap_get(&o->parts, key, klen, h);
    return slot ? *slot : part_create(o, key, klen, h, o->next_number++);
}

/* Frees a partition's rows and accumulators (the map entry stays). */
static void part_release(over_agg *o, partition *p)
{
    pbuf_part_clear(&p->buf, &o->pool);
    while (held_count(p)) rowpool_release(&o->pool, held_pop(p).ref);
    pbuf_part_free(&p->buf);
    VEC_FREE(p->held);
    agg_block_destroy(&o->aggs, part_block(o, p));
}

static void part_drop(over_agg *o, partition *p)
{
    pbuf_heap_unschedule(&o->fire, &p->buf);
    pbuf_heap_unschedule(&o->clean, &p->buf);
    part_release(o, p);
    hmap_del(&o->parts, p->key, p->klen, p->hash);
    free(p);
}

static void drop_all_partitions(over_agg *o)
{
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&o->parts, &pos, &e);) {
        part_release(o, e->val);
        free(e->val);
    }
    hmap_free(&o->parts);
    hmap_init(&o->parts);
    o->fire.len = o->clean.len = 0;
}

/* ---- aggregate updates ---- */

/* Runs the gathered update rows through the partition's block, then releases the rows
 * that were retracted (the update read them as views). */
static void upd_flush(over_agg *o, partition *p)
{
    chunk_t *u = o->upd;
    if (u->nrows) {
        void *block = part_block(o, p);
        for (uint32_t i = 0; i < u->nrows; i++) o->blocks[i] = block;
        agg_block_update(&o->aggs, o->blocks, u, u->nrows);
        u->nrows = 0;
    }
    for (uint32_t i = 0; i < o->nrelease; i++) rowpool_release(&o->pool, o->release[i]);
    o->nrelease = 0;
}

/* Adds row `row` of c with op (+I adds, -D retracts) to the pending update; the columns the
 * aggregates read are copied as views. */
static void upd_add(over_agg *o, partition *p, const chunk_t *c, uint32_t row, uint8_t op)
{
    if (chunk_full(o->upd)) upd_flush(o, p);
    chunk_t *u = o->upd;
    uint32_t r = u->nrows++;
    u->ops[r] = op;
    for (uint32_t col = 0; col < o->nin; col++)
        if (o->used_cols[col]) vector_copy_row(&u->cols[col], r, &c->cols[col], row, NULL);
}

static void upd_add_row(over_agg *o, partition *p, const row_in *row) { upd_add(o, p, row->c, row->row, OP_INSERT); }

/* Retracts the oldest held row (released after the update). */
static void upd_retract_oldest(over_agg *o, partition *p)
{
    held_row h = held_pop(p);
    upd_add(o, p, rowpool_chunk(&o->pool, h.ref), rowpool_row(h.ref), OP_DELETE);
    o->release[o->nrelease++] = h.ref;
}

/* ---- output ---- */

static int flush_out(over_agg *o)
{
    int rc = op_emit(&o->op, o->out);
    chunk_reset(o->out);
    return rc;
}

/* Emits the row with the current results (strings copied: pool rows may be released before
 * the output chunk is sent). */
static int emit_row(over_agg *o, const row_in *row)
{
    if (chunk_full(o->out) && flush_out(o) < 0) return -1;
    chunk_t *out = o->out;
    uint32_t r = out->nrows++;
    out->ops[r] = OP_INSERT;
    for (uint32_t col = 0; col < o->nin; col++) vector_copy_row(&out->cols[col], r, &row->c->cols[col], row->row, &out->arena);
    for (int i = 0; i < o->aggs.ncalls; i++) vector_set(&out->cols[o->nin + (uint32_t)i], r, &o->res[i], &out->arena);
    return 0;
}

/* ---- frames ---- */

/* Keeps a processed row for future frames (copying a processing-time row into the pool), or
 * releases it when no future frame needs it. */
static void keep_or_release(over_agg *o, partition *p, const row_in *row)
{
    if (!bounded(o)) {
        if (row->ref != NO_REF) rowpool_release(&o->pool, row->ref);
        return;
    }
    uint32_t ref = row->ref != NO_REF ? row->ref : rowpool_add(&o->pool, row->c, row->row, NULL, OP_INSERT);
    held_push(p, (held_row){row->time, ref});
}

/* ROWS: one row; the frame's oldest row leaves when it already holds preceding + 1. */
static int process_one(over_agg *o, partition *p, const row_in *row)
{
    upd_add_row(o, p, row);
    if (bounded(o) && held_count(p) > (uint64_t)o->preceding) upd_retract_oldest(o, p);
    upd_flush(o, p);
    agg_block_results(&o->aggs, part_block(o, p), o->res, &o->scratch);
    int rc = emit_row(o, row);
    keep_or_release(o, p, row);
    arena_reset(&o->scratch);
    return rc;
}

/* Retracts the held rows that no frame at time t or later includes: r + x < t. */
static void retract_before(over_agg *o, partition *p, int64_t t)
{
    while (held_count(p) && add_sat(held_oldest(p)->time, o->preceding) < t) upd_retract_oldest(o, p);
}

static void schedule_cleanup(over_agg *o, partition *p)
{
    if (held_count(p)) pbuf_heap_schedule(&o->clean, &p->buf, add_sat(held_oldest(p)->time, o->preceding));
    else pbuf_heap_unschedule(&o->clean, &p->buf);
}

/* RANGE: n peers (equal times) enter together and all get the same result. */
static int process_peers(over_agg *o, partition *p, const row_in *rows, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) upd_add_row(o, p, &rows[i]);
    if (bounded(o)) retract_before(o, p, rows[0].time);
    upd_flush(o, p);
    agg_block_results(&o->aggs, part_block(o, p), o->res, &o->scratch);
    int rc = 0;
    for (uint32_t i = 0; i < n && rc == 0; i++) rc = emit_row(o, &rows[i]);
    for (uint32_t i = 0; i < n; i++) keep_or_release(o, p, &rows[i]);
    if (bounded(o)) schedule_cleanup(o, p);
    arena_reset(&o->scratch);
    return rc;
}

/* Rows of one partition with one time, in arrival order. */
static int process_rows(over_agg *o, partition *p, const row_in *rows, uint32_t n)
{
    if (o->peers) return process_peers(o, p, rows, n);
    for (uint32_t i = 0; i < n; i++)
        if (process_one(o, p, &rows[i]) < 0) return -1;
    return 0;
}

/* ---- event time ---- */

static int64_t row_time(const over_agg *o, const chunk_t *in, uint32_t r, int *null)
{
    const vector_t *v = &in->cols[o->time_col];
    *null = v->nulls[r];
    return v->i64[r];
}

static int buffer_rows(over_agg *o, const chunk_t *in)
{
    uint32_t n = chunk_live(in);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = chunk_row(in, i);
        int null;
        int64_t t = row_time(o, in, r, &null);
        if (null)
            return err_msg("OverAggregate: the time attribute '%s' is NULL; a rowtime must not be NULL",
                           o->op.schema.names[o->time_col]);
        if (t <= o->op.wm) {
            o->op.stats.late++;
            continue;
        }
        partition *p = part_of_row(o, in, r);
        pbuf_add(&o->fire, &p->buf, (pbuf_row){t, o->next_seq++, rowpool_add(&o->pool, in, r, NULL, OP_INSERT)});
    }
    return 0;
}

/* Processes the pending rows of p with time <= wm, one time at a time. */
static int fire_partition(over_agg *o, partition *p, int64_t wm)
{
    while (pbuf_has_due(&p->buf, wm)) {
        int64_t t = p->buf.pending.items[0].time;
        o->batch.len = 0;
        while (pbuf_has_due(&p->buf, t)) {
            pbuf_row pr = pbuf_pop(&p->buf);
            row_in row = {rowpool_chunk(&o->pool, pr.ref), rowpool_row(pr.ref), pr.ref, t};
            VEC_PUSH(o->batch, row);
        }
        if (process_rows(o, p, o->batch.items, (uint32_t)o->batch.len) < 0) return -1;
    }
    pbuf_reschedule(&o->fire, &p->buf);
    return 0;
}

static int fire_due(over_agg *o, int64_t wm)
{
    pbuf_part *p;
    while ((p = pbuf_heap_due(&o->fire, wm)))
        if (fire_partition(o, (partition *)p, wm) < 0) return -1;
    return 0;
}

/* Retracts and releases held rows with r + x <= limit; drops partitions left empty. */
static void cleanup_due(over_agg *o, int64_t limit)
{
    pbuf_part *b;
    while ((b = pbuf_heap_due(&o->clean, limit))) {
        partition *p = (partition *)b;
        retract_before(o, p, add_sat(limit, 1));
        upd_flush(o, p);
        schedule_cleanup(o, p);
        if (!held_count(p) && !p->buf.pending.len) part_drop(o, p);
    }
}

/* ---- processing time ---- */

static int64_t clock_now(const over_agg *o)
{
    return o->op.ctx && o->op.ctx->now_us ? o->op.ctx->now_us() : ctx_wall_clock_us();
}

/* Groups the live rows by partition (first-seen order, arrival order within) into order[]:
 * the rows of touched[k] are order[start[k] .. start[k + 1]). */
static void group_by_partition(over_agg *o, const chunk_t *in, uint32_t n, uint32_t *start)
{
    o->touched.len = 0;
    for (uint32_t i = 0; i < n; i++) {
        partition *p = part_of_row(o, in, chunk_row(in, i));
        o->row_part[i] = p;
        if (p->slot == NO_SLOT) {
            p->slot = (uint32_t)o->touched.len;
            VEC_PUSH(o->touched, p);
            start[p->slot] = 0;
        }
        start[p->slot]++;
    }
    uint32_t sum = 0;
    for (size_t k = 0; k < o->touched.len; k++) {
        uint32_t c = start[k];
        start[k] = sum;
        sum += c;
    }
    start[o->touched.len] = sum;
    uint32_t fill[CHUNK_CAP];
    memcpy(fill, start, o->touched.len * sizeof *fill);
    for (uint32_t i = 0; i < n; i++) o->order[fill[o->row_part[i]->slot]++] = i;
}

static int process_arrivals(over_agg *o, const chunk_t *in)
{
    uint32_t n = chunk_live(in);
    int64_t now = clock_now(o);
    if (!o->peers) {
        for (uint32_t i = 0; i < n; i++) {
            uint32_t r = chunk_row(in, i);
            row_in row = {in, r, NO_REF, now};
            if (process_one(o, part_of_row(o, in, r), &row) < 0) return -1;
        }
        return 0;
    }
    uint32_t start[CHUNK_CAP + 1];
    group_by_partition(o, in, n, start);
    int rc = 0;
    for (size_t k = 0; k < o->touched.len; k++) {
        partition *p = o->touched.items[k];
        p->slot = NO_SLOT;
        o->batch.len = 0;
        for (uint32_t i = start[k]; i < start[k + 1]; i++) {
            row_in row = {in, chunk_row(in, o->order[i]), NO_REF, now};
            VEC_PUSH(o->batch, row);
        }
        if (rc == 0) rc = process_rows(o, p, o->batch.items, (uint32_t)o->batch.len);
    }
    return rc;
}

/* ---- operator entry points ---- */

static int check_insert_only(const chunk_t *in)
{
    uint32_t n = chunk_live(in);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t op = in->ops[chunk_row(in, i)];
        if (op != OP_INSERT)
            return err_msg("OverAggregate takes insert-only input but received a %s row", row_op_names[op]);
    }
    return 0;
}

static int oa_push(op_t *op, int port, chunk_t *in)
{
    (void)port;
    over_agg *o = (over_agg *)op;
    if (!chunk_live(in)) return 0;
    if (check_insert_only(in) < 0) return -1;
    int rc = o->proctime ? process_arrivals(o, in) : buffer_rows(o, in);
    if (rc == 0) rc = flush_out(o);
    o->op.stats.state_keys = o->parts.len;
    return rc;
}

static int oa_watermark(op_t *op, int64_t wm)
{
    over_agg *o = (over_agg *)op;
    if (!o->proctime) {
        if (fire_due(o, wm) < 0) return -1;
        if (bounded(o) && o->peers) cleanup_due(o, wm);
        if (flush_out(o) < 0) return -1;
        o->op.stats.state_keys = o->parts.len;
    }
    return op_emit_watermark(op, wm);
}

static int oa_timer(op_t *op, int64_t now_us)
{
    over_agg *o = (over_agg *)op;
    if (o->proctime && bounded(o) && o->peers) {
        cleanup_due(o, add_sat(now_us, -1));
        o->op.stats.state_keys = o->parts.len;
    }
    return 0;
}

/* ---- checkpoint ---- */

static int oa_snapshot(op_t *op, snap_writer *w)
{
    over_agg *o = (over_agg *)op;
    pbuf_put_header(w, op, &(pbuf_snap_header){o->next_seq, o->next_number, (uint32_t)o->parts.len});
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&o->parts, &pos, &e);) {
        partition *p = e->val;
        snap_put_bytes(w, p->key, p->klen);
        snap_put_i64(w, p->buf.number);
        agg_block_snapshot(&o->aggs, part_block(o, p), w);
        snap_put_u32(w, (uint32_t)held_count(p));
        for (size_t i = p->held_head; i < p->held.len; i++) {
            snap_put_i64(w, p->held.items[i].time);
            pbuf_put_row(&o->pool, p->held.items[i].ref, w);
        }
        pbuf_snapshot(&p->buf, &o->pool, w);
    }
    return 0;
}

static int restore_partition(over_agg *o, snap_reader *r, chunk_t *tmp)
{
    uint32_t klen;
    const void *key = snap_get_bytes(r, &klen);
    int64_t number = snap_get_i64(r);
    if (r->failed) return -1;
    uint64_t h = hash_bytes(key, klen);
    if (hmap_get(&o->parts, key, klen, h))
        return err_msg("snapshot of OverAggregate holds the same partition key twice");
    partition *p = part_create(o, key, klen, h, number);
    agg_block_restore(&o->aggs, part_block(o, p), r);
    uint32_t nheld = snap_get_u32(r);
    for (uint32_t i = 0; i < nheld && !r->failed; i++) {
        int64_t t = snap_get_i64(r);
        held_push(p, (held_row){t, pbuf_get_row(&o->pool, r, tmp)});
    }
    pbuf_restore(&o->fire, &p->buf, &o->pool, r, tmp);
    if (bounded(o) && o->peers) schedule_cleanup(o, p);
    return r->failed ? -1 : 0;
}

static int oa_restore(op_t *op, snap_reader *r)
{
    over_agg *o = (over_agg *)op;
    drop_all_partitions(o);
    pbuf_snap_header h;
    if (pbuf_get_header(r, op, "OverAggregate", &h) < 0) return -1;
    o->next_seq = h.next_seq;
    o->next_number = h.next_number;
    chunk_t *tmp = chunk_new_types(o->nin, o->pool.types, 1);
    int rc = 0;
    for (uint32_t i = 0; i < h.nparts && rc == 0; i++) rc = restore_partition(o, r, tmp);
    chunk_free(tmp);
    o->op.stats.state_keys = o->parts.len;
    if (snap_check(r, "OverAggregate") < 0) return -1;
    return rc;
}

/* ---- explain, destroy, construction ---- */

static void put_duration(sb_t *out, int64_t us)
{
    static const struct { int64_t unit; const char *name; } units[] = {
        {US_PER_DAY, "d"}, {3600 * US_PER_SEC, "h"}, {60 * US_PER_SEC, "min"}, {US_PER_SEC, "s"},
        {US_PER_MS, "ms"}, {1, "us"},
    };
    for (size_t i = 0; i < ARRAY_LEN(units); i++)
        if (us % units[i].unit == 0) { sb_printf(out, "%lld %s", (long long)(us / units[i].unit), units[i].name); return; }
}

static void oa_explain(op_t *op, sb_t *out)
{
    over_agg *o = (over_agg *)op;
    const schema_t *s = &op->schema;
    sb_puts(out, "partitionBy=[");
    for (int k = 0; k < o->npart; k++) sb_printf(out, "%s%s", k ? ", " : "", s->names[o->part[k]]);
    sb_printf(out, "], orderBy=[%s ASC], window=[%s BETWEEN ", o->proctime ? "PROCTIME" : s->names[o->time_col],
              o->peers ? "RANGE" : "ROWS");
    if (!bounded(o)) sb_puts(out, "UNBOUNDED");
    else if (o->peers) put_duration(out, o->preceding);
    else sb_printf(out, "%lld", (long long)o->preceding);
    sb_puts(out, " PRECEDING AND CURRENT ROW], select=[");
    for (uint32_t c = 0; c < o->nin; c++) sb_printf(out, "%s, ", s->names[c]);
    for (int i = 0; i < o->aggs.ncalls; i++) {
        const agg_call *c = &o->aggs.calls[i];
        sb_printf(out, "%s%s(%s", i ? ", " : "", c->def->name, c->distinct ? "DISTINCT " : "");
        if (c->arg_col < 0) sb_putc(out, '*');
        else sb_puts(out, s->names[c->arg_col]);
        sb_putc(out, ')');
        if (c->filter_col >= 0) sb_printf(out, " FILTER %s", s->names[c->filter_col]);
        sb_printf(out, " AS %s", s->names[o->nin + (uint32_t)i]);
    }
    sb_putc(out, ']');
}

static void oa_destroy(op_t *op)
{
    over_agg *o = (over_agg *)op;
    drop_all_partitions(o);
    hmap_free(&o->parts);
    rowpool_free(&o->pool);
    agg_set_free(&o->aggs);
    pbuf_heap_free(&o->fire);
    pbuf_heap_free(&o->clean);
    chunk_free(o->upd);
    chunk_free(o->out);
    arena_free(&o->scratch);
    VEC_FREE(o->batch);
    VEC_FREE(o->touched);
    free(o->row_part);
    free(o->order);
    free(o->blocks);
    free(o->used_cols);
    free(o->res);
    rowkey_buf_free(&o->key);
    free(o->calls);
    free(o->part);
    free(o);
}

static const op_vtable over_agg_vt = {
    .name = "OverAggregate",
    .push = oa_push,
    .watermark = oa_watermark,
    .timer = oa_timer,
    .snapshot = oa_snapshot,
    .restore = oa_restore,
    .explain = oa_explain,
    .destroy = oa_destroy,
};

static int check_spec(const schema_t *out, const over_spec *spec)
{
    if (spec->naggs < 0 || out->ncols < (uint32_t)spec->naggs)
        return err_msg("OverAggregate output has %u columns, fewer than its %d aggregates", out->ncols, spec->naggs);
    uint32_t nin = out->ncols - (uint32_t)spec->naggs;
    for (int k = 0; k < spec->npart; k++)
        if (spec->part[k] < 0 || (uint32_t)spec->part[k] >= nin)
            return err_msg("OverAggregate partition key %d is column %d; the input has %u columns", k, spec->part[k], nin);
    if (!spec->proctime) {
        if (spec->time_col < 0 || (uint32_t)spec->time_col >= nin)
            return err_msg("OverAggregate time column %d is not among the %u input columns", spec->time_col, nin);
        if (type_phys(out->types[spec->time_col]) != PHYS_I64)
            return err_msg("OverAggregate: ORDER BY column '%s' is not a time attribute", out->names[spec->time_col]);
    }
    if (spec->preceding < -1)
        return err_msg("OverAggregate: PRECEDING bound %lld is negative", (long long)spec->preceding);
    for (int i = 0; i < spec->naggs; i++) {
        const agg_call *c = &spec->aggs[i];
        if (c->arg_col >= (int)nin || c->filter_col >= (int)nin)
            return err_msg("OverAggregate: aggregate %d reads a column past the %u input columns", i, nin);
        if (spec->preceding >= 0 && c->def && !c->def->retractable)
            return err_msg("OverAggregate: %s cannot retract rows, so it cannot run over a bounded frame "
                           "(PRECEDING %lld)", c->def->name, (long long)spec->preceding);
    }
    return 0;
}

static uint32_t align16(size_t x) { return (uint32_t)((x + 15) & ~(size_t)15); }

op_t *over_agg_new(exec_ctx *ctx, const schema_t *out, const over_spec *spec)
{
    if (check_spec(out, spec) < 0) return NULL;
    over_agg *o = xcalloc(1, sizeof *o);
    int naggs = spec->naggs;
    o->calls = xmalloc((size_t)(naggs ? naggs : 1) * sizeof *o->calls);
    memcpy(o->calls, spec->aggs, (size_t)naggs * sizeof *o->calls);
    /* A bounded frame retracts: accumulators must keep every value, not only the extreme. */
    for (int i = 0; i < naggs && spec->preceding >= 0; i++) o->calls[i].append_only = 0;
    if (agg_set_init(&o->aggs, o->calls, naggs) < 0) {
        free(o->calls);
        free(o);
        return NULL;
    }
    op_init(&o->op, &over_agg_vt, ctx, out, 1);
    o->nin = out->ncols - (uint32_t)naggs;
    o->part = xmalloc((size_t)(spec->npart ? spec->npart : 1) * sizeof *o->part);
    memcpy(o->part, spec->part, (size_t)spec->npart * sizeof *o->part);
    o->npart = spec->npart;
    o->time_col = spec->time_col;
    o->proctime = spec->proctime;
    o->preceding = spec->preceding;
    o->peers = !spec->rows_frame && !(spec->proctime && spec->preceding < 0);
    rowpool_init(&o->pool, o->nin, out->types);
    hmap_init(&o->parts);
    pbuf_heap_init(&o->fire, HEAP_FIRE);
    pbuf_heap_init(&o->clean, HEAP_CLEAN);
    o->block_off = align16(sizeof(partition));
    o->rec_size = align16(o->block_off + o->aggs.block_size);
    o->upd = chunk_new_types(o->nin, out->types, CHUNK_CAP);
    o->blocks = xmalloc(CHUNK_CAP * sizeof *o->blocks);
    o->used_cols = xcalloc(o->nin ? o->nin : 1, 1);
    for (int i = 0; i < naggs; i++) {
        if (o->calls[i].arg_col >= 0) o->used_cols[o->calls[i].arg_col] = 1;
        if (o->calls[i].filter_col >= 0) o->used_cols[o->calls[i].filter_col] = 1;
    }
    o->row_part = xmalloc(CHUNK_CAP * sizeof *o->row_part);
    o->order = xmalloc(CHUNK_CAP * sizeof *o->order);
    o->res = xcalloc((size_t)naggs + 1, sizeof *o->res);
    o->out = chunk_new(out, CHUNK_CAP);
    arena_init(&o->scratch, 16 * 1024);
    rowkey_buf_init(&o->key);
    return &o->op;
}
