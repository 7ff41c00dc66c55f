/* test_partition_buffer.c - tests of ops/partition_buffer: pending rows in (time, arrival)
 * order, partition heaps by (due, creation number), scheduling as rows arrive and leave,
 * pending rows in snapshots. */
#include "check.h"
#include "ops/partition_buffer.h"
#include "base/util.h"
#include "base/err.h"
#include <stdlib.h>

static pbuf_row row_at(int64_t time, int64_t seq) { return (pbuf_row){time, seq, (uint32_t)(100 + seq)}; }

TEST(pending_pops_in_time_then_arrival_order)
{
    pbuf_part p;
    memset(&p, 0, sizeof p);
    pbuf_part_init(&p, 0);
    int64_t times[] = {30, 10, 20, 10, 30, 5, 20};
    for (int i = 0; i < 7; i++) pbuf_push(&p, row_at(times[i], i));
    int64_t want_time[] = {5, 10, 10, 20, 20, 30, 30};
    int64_t want_seq[] = {5, 1, 3, 2, 6, 0, 4};
    for (int i = 0; i < 7; i++) {
        pbuf_row r = pbuf_pop(&p);
        CHECK_EQ_INT(r.time, want_time[i]);
        CHECK_EQ_INT(r.seq, want_seq[i]);
        CHECK_EQ_INT(r.ref, 100 + want_seq[i]);
    }
    CHECK_EQ_INT(p.pending.len, 0);
    pbuf_part_free(&p);
}

TEST(has_due_at_both_sides_of_the_earliest_time)
{
    pbuf_part p;
    memset(&p, 0, sizeof p);
    pbuf_part_init(&p, 0);
    CHECK(!pbuf_has_due(&p, TS_MAX));
    pbuf_push(&p, row_at(50, 0));
    pbuf_push(&p, row_at(70, 1));
    CHECK(!pbuf_has_due(&p, 49));
    CHECK(pbuf_has_due(&p, 50));
    pbuf_pop(&p);
    CHECK(!pbuf_has_due(&p, 69));
    CHECK(pbuf_has_due(&p, 70));
    pbuf_part_free(&p);
}

TEST(heap_orders_by_due_then_number)
{
    pbuf_part parts[4];
    memset(parts, 0, sizeof parts);
    pbuf_heap h;
    pbuf_heap_init(&h, 0);
    int64_t due[] = {40, 20, 20, 10};
    for (int i = 0; i < 4; i++) {
        pbuf_part_init(&parts[i], i);
        pbuf_heap_schedule(&h, &parts[i], due[i]);
    }
    CHECK(pbuf_heap_due(&h, 9) == NULL);
    int want[] = {3, 1, 2, 0};
    for (int i = 0; i < 4; i++) {
        pbuf_part *top = pbuf_heap_due(&h, TS_MAX);
        CHECK(top == &parts[want[i]]);
        if (!top) break;
        pbuf_heap_unschedule(&h, top);
        CHECK_EQ_INT(top->pos[0], PBUF_NOT_QUEUED);
    }
    CHECK_EQ_INT(h.len, 0);
    CHECK(pbuf_heap_due(&h, TS_MAX) == NULL);
    pbuf_heap_free(&h);
}

TEST(schedule_moves_and_unschedule_removes_from_the_middle)
{
    pbuf_part parts[5];
    memset(parts, 0, sizeof parts);
    pbuf_heap h;
    pbuf_heap_init(&h, 1);
    for (int i = 0; i < 5; i++) {
        pbuf_part_init(&parts[i], i);
        pbuf_heap_schedule(&h, &parts[i], 10 * (i + 1));
    }
    pbuf_heap_schedule(&h, &parts[4], 5);          /* moves up: now first */
    CHECK(pbuf_heap_due(&h, 5) == &parts[4]);
    pbuf_heap_schedule(&h, &parts[4], 100);        /* moves down: now last */
    pbuf_heap_unschedule(&h, &parts[2]);
    pbuf_heap_unschedule(&h, &parts[2]);           /* not queued: no effect */
    CHECK_EQ_INT(h.len, 4);
    CHECK_EQ_INT(parts[0].pos[1], 0);              /* heap 1 uses pos[1] and due[1] */
    CHECK_EQ_INT(parts[0].due[1], 10);
    CHECK_EQ_INT(parts[0].pos[0], PBUF_NOT_QUEUED);
    int want[] = {0, 1, 3, 4};
    for (int i = 0; i < 4; i++) {
        pbuf_part *top = pbuf_heap_due(&h, TS_MAX);
        CHECK(top == &parts[want[i]]);
        if (!top) break;
        pbuf_heap_unschedule(&h, top);
    }
    pbuf_heap_free(&h);
}

TEST(add_queues_at_the_earliest_pending_time)
{
    pbuf_part p;
    memset(&p, 0, sizeof p);
    pbuf_part_init(&p, 7);
    pbuf_heap fire;
    pbuf_heap_init(&fire, 0);
    pbuf_add(&fire, &p, row_at(30, 0));
    CHECK_EQ_INT(p.due[0], 30);
    pbuf_add(&fire, &p, row_at(40, 1));            /* later: stays at 30 */
    CHECK_EQ_INT(p.due[0], 30);
    pbuf_add(&fire, &p, row_at(29, 2));            /* earlier: moves to 29 */
    CHECK_EQ_INT(p.due[0], 29);
    CHECK(pbuf_heap_due(&fire, 28) == NULL);
    CHECK(pbuf_heap_due(&fire, 29) == &p);
    pbuf_pop(&p);
    pbuf_reschedule(&fire, &p);
    CHECK_EQ_INT(p.due[0], 30);
    CHECK(pbuf_heap_due(&fire, 29) == NULL);
    pbuf_pop(&p);
    pbuf_pop(&p);
    pbuf_reschedule(&fire, &p);                    /* nothing pending: leaves the heap */
    CHECK_EQ_INT(fire.len, 0);
    CHECK_EQ_INT(p.pos[0], PBUF_NOT_QUEUED);
    pbuf_part_free(&p);
    pbuf_heap_free(&fire);
}

TEST(clear_releases_pending_rows_into_the_pool)
{
    type_t types[1] = {type_make(TY_BIGINT)};
    row_pool pool;
    rowpool_init(&pool, 1, types);
    chunk_t *c = chunk_new_types(1, types, 4);
    c->nrows = 3;
    for (uint32_t i = 0; i < 3; i++) {
        c->cols[0].nulls[i] = 0;
        c->cols[0].i64[i] = 10 * i;
    }
    pbuf_part p;
    memset(&p, 0, sizeof p);
    pbuf_part_init(&p, 0);
    for (uint32_t i = 0; i < 3; i++) pbuf_push(&p, (pbuf_row){(int64_t)(3 - i), i, rowpool_add(&pool, c, i, NULL, OP_INSERT)});
    pbuf_row first = p.pending.items[0];
    CHECK_EQ_INT(rowpool_chunk(&pool, first.ref)->cols[0].i64[rowpool_row(first.ref)], 20);
    CHECK_EQ_INT(pool.live.items[0], 3);
    pbuf_part_clear(&p, &pool);
    CHECK_EQ_INT(p.pending.len, 0);
    CHECK_EQ_INT(pool.live.len ? pool.live.items[0] : 0, 0);
    pbuf_part_init(&p, 1);                         /* reused: storage kept, nothing pending */
    CHECK_EQ_INT(p.pending.len, 0);
    CHECK_EQ_INT(p.number, 1);
    pbuf_part_free(&p);
    chunk_free(c);
    rowpool_free(&pool);
}

TEST(snapshot_round_trip_keeps_order_rows_and_schedule)
{
    type_t types[2] = {type_make(TY_BIGINT), type_make(TY_STRING)};
    row_pool pool;
    rowpool_init(&pool, 2, types);
    chunk_t *c = chunk_new_types(2, types, 4);
    const char *names[] = {"alpha", "", "a longer string value"};
    c->nrows = 3;
    for (uint32_t i = 0; i < 3; i++) {
        value_t n = value_i64(7 * (int64_t)i), s = value_null();
        if (i == 1) n = value_null();
        s.null = 0;
        s.s = str_cstr(names[i]);
        vector_set(&c->cols[0], i, &n, &c->arena);
        vector_set(&c->cols[1], i, &s, &c->arena);
    }
    pbuf_part p;
    memset(&p, 0, sizeof p);
    pbuf_part_init(&p, 0);
    int64_t times[] = {20, 10, 20};
    for (uint32_t i = 0; i < 3; i++) pbuf_push(&p, (pbuf_row){times[i], 5 + i, rowpool_add(&pool, c, i, NULL, OP_INSERT)});
    snap_writer w = {0};
    pbuf_snapshot(&p, &pool, &w);
    pbuf_part_clear(&p, &pool);

    pbuf_part q;
    memset(&q, 0, sizeof q);
    pbuf_part_init(&q, 3);
    pbuf_heap fire;
    pbuf_heap_init(&fire, 0);
    snap_reader r;
    snap_reader_init(&r, w.buf, w.len);
    chunk_t *tmp = chunk_new_types(2, types, 1);
    pbuf_restore(&fire, &q, &pool, &r, tmp);
    CHECK(!r.failed);
    CHECK_EQ_INT(r.pos, r.len);
    CHECK(pbuf_heap_due(&fire, 9) == NULL);
    CHECK(pbuf_heap_due(&fire, 10) == &q);
    int64_t want_time[] = {10, 20, 20}, want_seq[] = {6, 5, 7};
    uint32_t want_row[] = {1, 0, 2};
    for (int i = 0; i < 3; i++) {
        pbuf_row pr = pbuf_pop(&q);
        CHECK_EQ_INT(pr.time, want_time[i]);
        CHECK_EQ_INT(pr.seq, want_seq[i]);
        const chunk_t *rc = rowpool_chunk(&pool, pr.ref);
        uint32_t row = rowpool_row(pr.ref);
        CHECK_EQ_INT(rc->cols[0].nulls[row], want_row[i] == 1);
        if (want_row[i] != 1) CHECK_EQ_INT(rc->cols[0].i64[row], 7 * (int64_t)want_row[i]);
        CHECK_EQ_INT(rc->cols[1].str[row].len, strlen(names[want_row[i]]));
        CHECK(memcmp(str_ptr(&rc->cols[1].str[row]), names[want_row[i]], strlen(names[want_row[i]])) == 0);
        rowpool_release(&pool, pr.ref);
    }
    chunk_free(tmp);
    snap_writer_free(&w);
    pbuf_part_free(&p);
    pbuf_part_free(&q);
    pbuf_heap_free(&fire);
    chunk_free(c);
    rowpool_free(&pool);
}

TEST(restore_of_a_truncated_snapshot_fails_without_leaking)
{
    type_t types[1] = {type_make(TY_BIGINT)};
    row_pool pool;
    rowpool_init(&pool, 1, types);
    snap_writer w = {0};
    snap_put_u32(&w, 2);                           /* two rows announced, one written */
    snap_put_i64(&w, 10);
    snap_put_i64(&w, 0);
    value_t v = value_i64(42);
    snap_put_value(&w, types[0], &v);
    pbuf_part q;
    memset(&q, 0, sizeof q);
    pbuf_part_init(&q, 0);
    pbuf_heap fire;
    pbuf_heap_init(&fire, 0);
    snap_reader r;
    snap_reader_init(&r, w.buf, w.len);
    chunk_t *tmp = chunk_new_types(1, types, 1);
    pbuf_restore(&fire, &q, &pool, &r, tmp);
    CHECK(r.failed);
    CHECK_EQ_INT(q.pending.len, 1);
    CHECK_EQ_INT(q.pending.items[0].time, 10);
    pbuf_part_clear(&q, &pool);
    chunk_free(tmp);
    snap_writer_free(&w);
    pbuf_part_free(&q);
    pbuf_heap_free(&fire);
    rowpool_free(&pool);
}

/* The snapshot header: counters and watermarks come back, every input's watermark is the
 * combined one; another version or a short read is an error naming the operator. */
static const op_vtable header_vt = {.name = "Header"};

TEST(snapshot_header_round_trip_and_errors)
{
    op_t a, b;
    op_init(&a, &header_vt, NULL, NULL, 2);
    op_init(&b, &header_vt, NULL, NULL, 2);
    a.wm = 5000;
    a.wm_out = 4000;
    snap_writer w = {0};
    pbuf_put_header(&w, &a, &(pbuf_snap_header){77, 12, 3});
    snap_reader r;
    snap_reader_init(&r, w.buf, w.len);
    pbuf_snap_header h;
    CHECK_EQ_INT(pbuf_get_header(&r, &b, "OverAggregate", &h), 0);
    CHECK_EQ_INT(h.next_seq, 77);
    CHECK_EQ_INT(h.next_number, 12);
    CHECK_EQ_INT(h.nparts, 3);
    CHECK_EQ_INT(b.wm, 5000);
    CHECK_EQ_INT(b.wm_out, 4000);
    CHECK_EQ_INT(b.in_wm[0], 5000);
    CHECK_EQ_INT(b.in_wm[1], 5000);
    w.buf[0] = 9;
    snap_reader_init(&r, w.buf, w.len);
    err_clear();
    CHECK_EQ_INT(pbuf_get_header(&r, &b, "OverAggregate", &h), -1);
    CHECK_EQ_STR(err_message(), "OverAggregate: snapshot version 9, expected 1");
    err_clear();
    snap_reader_init(&r, w.buf, 5);
    w.buf[0] = 1;
    CHECK_EQ_INT(pbuf_get_header(&r, &b, "MatchRecognize", &h), -1);
    CHECK(strstr(err_message(), "MatchRecognize") != NULL);
    err_clear();
    snap_writer_free(&w);
    op_destroy(&a);
    op_destroy(&b);
}

int main(void)
{
    RUN(pending_pops_in_time_then_arrival_order);
    RUN(has_due_at_both_sides_of_the_earliest_time);
    RUN(heap_orders_by_due_then_number);
    RUN(schedule_moves_and_unschedule_removes_from_the_middle);
    RUN(add_queues_at_the_earliest_pending_time);
    RUN(clear_releases_pending_rows_into_the_pool);
    RUN(snapshot_round_trip_keeps_order_rows_and_schedule);
    RUN(restore_of_a_truncated_snapshot_fails_without_leaking);
    RUN(snapshot_header_round_trip_and_errors);
    return CHECK_DONE();
}
