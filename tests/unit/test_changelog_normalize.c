/* test_changelog_normalize.c - ChangelogNormalize: an upsert stream (upsert-kafka) becomes a
 * full changelog with -U/+U pairs and full -D rows; repeated records and deletes of unknown
 * keys are dropped; state survives a snapshot/restore round trip. */
#include "op_testkit.h"
#include "state/snapshot.h"

static exec_ctx ctx;
static const char *const names[] = {"id", "name", "score"};

static void put(chunk_t *c, uint8_t op, int64_t id, const char *name, int64_t score)
{
    value_t v[3] = {value_i64(id), value_null(), score < 0 ? value_null() : value_i64(score)};
    if (name) {
        v[1].null = 0;
        v[1].s = str_cstr(name);
    }
    chunk_append_values(c, v, op);
}

static const char *take(capture *cap)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s", sb_str(&cap->text));
    sb_clear(&cap->text);
    return buf;
}

typedef struct fixture {
    schema_t s;
    op_t *op;
    capture *cap;
    chunk_t *in;
} fixture;

static void setup(fixture *f)
{
    type_t types[3] = {type_make(TY_BIGINT), type_make(TY_STRING), type_make(TY_INT)};
    schema_init(&f->s, 3);
    for (int i = 0; i < 3; i++) {
        f->s.names[i] = xstrdup(names[i]);
        f->s.types[i] = types[i];
    }
    f->op = changelog_normalize_new(&ctx, &f->s, (int[]){0}, 1);
    f->cap = capture_new(&ctx, (capture_fmt){0});
    op_connect(f->op, &f->cap->op, 0);
    f->in = chunk_new(&f->s, CHUNK_CAP);
}

static void teardown(fixture *f)
{
    op_destroy(f->op);
    op_destroy(&f->cap->op);
    chunk_free(f->in);
    schema_free(&f->s);
}

static void push(fixture *f)
{
    CHECK_EQ_INT(op_push(f->op, 0, f->in), 0);
    chunk_reset(f->in);
}

TEST(upserts_become_a_changelog)
{
    fixture f;
    setup(&f);
    put(f.in, OP_INSERT, 1, "ann", 10);
    put(f.in, OP_UPDATE_AFTER, 2, "bob", 20);
    put(f.in, OP_UPDATE_AFTER, 1, "ann", 11);
    put(f.in, OP_UPDATE_AFTER, 1, "ann", 11);          /* the same record again: nothing */
    push(&f);
    CHECK_EQ_STR(take(f.cap), "+I[1, ann, 10]\n+I[2, bob, 20]\n-U[1, ann, 10]\n+U[1, ann, 11]\n");
    CHECK_EQ_INT(f.op->stats.state_keys, 2);
    put(f.in, OP_DELETE, 2, NULL, -1);                  /* a tombstone: only the key */
    put(f.in, OP_DELETE, 3, NULL, -1);                  /* an unknown key: nothing */
    put(f.in, OP_UPDATE_BEFORE, 1, "ann", 11);          /* -U from upstream is not used */
    put(f.in, OP_UPDATE_AFTER, 2, "bob", 21);           /* the key comes back: an insert */
    put(f.in, OP_UPDATE_AFTER, 1, NULL, -1);            /* NULL fields are values too */
    push(&f);
    CHECK_EQ_STR(take(f.cap), "-D[2, bob, 20]\n+I[2, bob, 21]\n-U[1, ann, 11]\n+U[1, NULL, NULL]\n");
    CHECK_EQ_INT(f.op->stats.state_keys, 2);
    teardown(&f);
}

TEST(more_rows_than_a_chunk)
{
    fixture f;
    setup(&f);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < CHUNK_CAP; i++) put(f.in, OP_UPDATE_AFTER, i, "x", round);
        push(&f);
    }
    CHECK_EQ_INT(f.cap->rows, 3 * CHUNK_CAP);          /* +I each, then -U/+U each */
    CHECK_EQ_INT(f.cap->split_pairs, 0);
    teardown(&f);
}

TEST(snapshot_restore)
{
    fixture f;
    setup(&f);
    put(f.in, OP_INSERT, 1, "a string longer than twelve bytes", 10);
    put(f.in, OP_INSERT, 2, "bob", 20);
    push(&f);
    take(f.cap);
    snap_writer w = {0};
    CHECK_EQ_INT(f.op->vt->snapshot(f.op, &w), 0);
    fixture g;
    setup(&g);
    snap_reader r;
    snap_reader_init(&r, w.buf, w.len);
    CHECK_EQ_INT(g.op->vt->restore(g.op, &r), 0);
    CHECK_EQ_INT(g.op->stats.state_keys, 2);
    put(g.in, OP_DELETE, 1, NULL, -1);
    put(g.in, OP_UPDATE_AFTER, 2, "bob", 22);
    push(&g);
    CHECK_EQ_STR(take(g.cap), "-D[1, a string longer than twelve bytes, 10]\n-U[2, bob, 20]\n+U[2, bob, 22]\n");
    snap_writer_free(&w);
    teardown(&f);
    teardown(&g);
}

int main(void)
{
    ctx.now_us = ctx_wall_clock_us;
    RUN(upserts_become_a_changelog);
    RUN(more_rows_than_a_chunk);
    RUN(snapshot_restore);
    return CHECK_DONE();
}
