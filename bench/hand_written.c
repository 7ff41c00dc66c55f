/*
 * hand_written.c — the baseline eddy's benchmark is measured against: a single-purpose,
 * single-threaded C program that computes the benchmark job's two results from a
 * user-behaviour CSV (`userId,itemId,categoryId,behavior,timestamp`, epoch seconds, no
 * header) with no SQL and no engine:
 *
 *   hot items  for every HOP window of 1 hour sliding 5 minutes ([start, start + 1 h),
 *              start a multiple of 300 s in UTC epoch terms) that holds 'pv' rows, the top 5
 *              items by pv count, ties by itemId ascending:
 *                  window_end_epoch_seconds,rank,itemId,count
 *   pv / uv    for every 1-hour TUMBLE window that holds 'pv' rows, the pv rows and the
 *              distinct userIds among them:
 *                  window_start_epoch_seconds,pv,uv
 *
 * Hot items use the slicing technique: pv counts are kept per 5-minute slice (one hash
 * table item -> count per slice); the counts of the current window live in one running
 * table, which moves by adding the newest slice and subtracting the slice that leaves, so
 * each (slice, item) pair is touched twice instead of once per window it belongs to. The
 * top 5 of a window comes from a short candidate list kept beside the running table (see
 * running_window). PV/UV keeps a pv counter and a hash set of users per hour. Rows are
 * parsed in batches and the hash slots they will touch are prefetched first.
 *
 * Without --disorder every slice and hour is held until the end of the file (any input
 * order works). With --disorder D the program works as a stream with watermark
 * max_ts - D: windows are emitted and their state freed as soon as the watermark passes
 * their end, so memory stays bounded; a row that would change an emitted window is an
 * error (it is more than D seconds late).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define SLICE_SECONDS   300          /* HOP slide */
#define HOP_SLICES      12           /* HOP size / slide: 1 hour */
#define HOUR_SECONDS    3600         /* TUMBLE size */
#define TOP_N           5
#define FIB_MULTIPLIER  0x9E3779B97F4A7C15ull

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("hand_written: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        die("out of memory (%zu x %zu bytes)", n, size);
    return p;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static inline size_t hash_slot(uint64_t key, unsigned bits)
{
    return (size_t)((key * FIB_MULTIPLIER) >> (64 - bits));
}

/* ---- count_map: u64 key -> u32 count, open addressing with linear probing.
 * A slot with count 0 is empty, so entries whose count drops to 0 are deleted (by
 * backward shifting, which keeps probe chains intact without tombstones). */

struct count_entry {
    uint64_t key;
    uint32_t count;
    uint32_t candidate;     /* running window only: 1 + index in its candidate list, or 0 */
};

struct count_map {
    struct count_entry *slots;
    unsigned bits;          /* capacity = 1 << bits */
    size_t size;
};

static void count_map_init(struct count_map *m, unsigned bits)
{
    m->bits = bits;
    m->size = 0;
    m->slots = xcalloc((size_t)1 << bits, sizeof *m->slots);
}

static void count_map_free(struct count_map *m)
{
    free(m->slots);
    m->slots = NULL;
    m->size = 0;
}

static inline size_t count_map_capacity(const struct count_map *m)
{
    return (size_t)1 << m->bits;
}

static void count_map_grow(struct count_map *m);

/* Returns the slot of `key`. A new key gets an empty slot (count 0): the caller must
 * add a nonzero count to it at once. */
static inline struct count_entry *count_map_slot(struct count_map *m, uint64_t key)
{
    size_t mask = count_map_capacity(m) - 1;
    for (size_t i = hash_slot(key, m->bits);; i = (i + 1) & mask) {
        struct count_entry *e = &m->slots[i];
        if (e->count == 0) {
            if ((m->size + 1) * 10 > count_map_capacity(m) * 7) {
                count_map_grow(m);
                return count_map_slot(m, key);
            }
            m->size++;
            e->key = key;
            return e;
        }
        if (e->key == key)
            return e;
    }
}

static inline void count_map_add(struct count_map *m, uint64_t key, uint32_t n)
{
    count_map_slot(m, key)->count += n;
}

static void count_map_grow(struct count_map *m)
{
    struct count_map bigger;
    count_map_init(&bigger, m->bits + 1);
    for (size_t i = 0; i < count_map_capacity(m); i++)
        if (m->slots[i].count)
            *count_map_slot(&bigger, m->slots[i].key) = m->slots[i];
    free(m->slots);
    *m = bigger;
}

/* Returns the slot index of `key`, which must be present. */
static size_t count_map_find(const struct count_map *m, uint64_t key)
{
    size_t mask = count_map_capacity(m) - 1;
    size_t i = hash_slot(key, m->bits);
    while (m->slots[i].key != key || m->slots[i].count == 0)
        i = (i + 1) & mask;
    return i;
}

static void count_map_delete_slot(struct count_map *m, size_t hole)
{
    size_t mask = count_map_capacity(m) - 1;
    for (size_t i = (hole + 1) & mask; m->slots[i].count; i = (i + 1) & mask) {
        size_t home = hash_slot(m->slots[i].key, m->bits);
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            m->slots[hole] = m->slots[i];
            hole = i;
        }
    }
    m->slots[hole] = (struct count_entry){ 0 };
    m->size--;
}

/* ---- key_set: a set of u64 keys; slots hold key + 1 so that 0 means empty */

struct key_set {
    uint64_t *slots;
    unsigned bits;
    size_t size;
};

static void key_set_init(struct key_set *s, unsigned bits)
{
    s->bits = bits;
    s->size = 0;
    s->slots = xcalloc((size_t)1 << bits, sizeof *s->slots);
}

static void key_set_insert_stored(struct key_set *s, uint64_t stored);

static void key_set_grow(struct key_set *s)
{
    struct key_set bigger;
    key_set_init(&bigger, s->bits + 1);
    for (size_t i = 0; i < ((size_t)1 << s->bits); i++)
        if (s->slots[i])
            key_set_insert_stored(&bigger, s->slots[i]);
    free(s->slots);
    *s = bigger;
}

static void key_set_insert_stored(struct key_set *s, uint64_t stored)
{
    size_t mask = ((size_t)1 << s->bits) - 1;
    for (size_t i = hash_slot(stored, s->bits);; i = (i + 1) & mask) {
        if (s->slots[i] == stored)
            return;
        if (s->slots[i] == 0) {
            if ((s->size + 1) * 10 > (mask + 1) * 7) {
                key_set_grow(s);
                key_set_insert_stored(s, stored);
                return;
            }
            s->slots[i] = stored;
            s->size++;
            return;
        }
    }
}

static inline void key_set_insert(struct key_set *s, uint64_t key)
{
    key_set_insert_stored(s, key + 1);
}

/* ---- window_table: pending per-window state, window number (int64) -> pointer */

struct window_table {
    int64_t *keys;
    void **values;          /* NULL = empty slot */
    unsigned bits;
    size_t size;
};

static void window_table_init(struct window_table *t, unsigned bits)
{
    t->bits = bits;
    t->size = 0;
    t->keys = xcalloc((size_t)1 << bits, sizeof *t->keys);
    t->values = xcalloc((size_t)1 << bits, sizeof *t->values);
}

static void window_table_free(struct window_table *t)
{
    free(t->keys);
    free(t->values);
}

static void window_table_put(struct window_table *t, int64_t key, void *value);

static void window_table_grow(struct window_table *t)
{
    struct window_table bigger;
    window_table_init(&bigger, t->bits + 1);
    for (size_t i = 0; i < ((size_t)1 << t->bits); i++)
        if (t->values[i])
            window_table_put(&bigger, t->keys[i], t->values[i]);
    window_table_free(t);
    *t = bigger;
}

static void window_table_put(struct window_table *t, int64_t key, void *value)
{
    if ((t->size + 1) * 2 > ((size_t)1 << t->bits))
        window_table_grow(t);
    size_t mask = ((size_t)1 << t->bits) - 1;
    size_t i = hash_slot((uint64_t)key, t->bits);
    while (t->values[i])
        i = (i + 1) & mask;
    t->keys[i] = key;
    t->values[i] = value;
    t->size++;
}

static void *window_table_get(const struct window_table *t, int64_t key)
{
    size_t mask = ((size_t)1 << t->bits) - 1;
    for (size_t i = hash_slot((uint64_t)key, t->bits); t->values[i]; i = (i + 1) & mask)
        if (t->keys[i] == key)
            return t->values[i];
    return NULL;
}

/* Moves every value whose key is <= limit into `out` (capacity t->size) and returns how
 * many; the table is rebuilt without them. */
static size_t window_table_take_upto(struct window_table *t, int64_t limit, void **out)
{
    size_t taken = 0;
    struct window_table rest;
    window_table_init(&rest, t->bits);
    for (size_t i = 0; i < ((size_t)1 << t->bits); i++) {
        if (!t->values[i])
            continue;
        if (t->keys[i] <= limit)
            out[taken++] = t->values[i];
        else
            window_table_put(&rest, t->keys[i], t->values[i]);
    }
    window_table_free(t);
    *t = rest;
    return taken;
}

/* ---- running_window: the item counts of the current HOP window and its top N
 *
 * Finding the top N by scanning all counts would read the whole table (every item seen
 * in the hour) once per window. Instead the window keeps a candidate list: exactly the
 * items whose count is >= `floor`, updated as counts cross the floor. Every other item
 * counts less than every candidate, so while there are at least TOP_N candidates the top
 * N is among them. The floor is re-chosen so that the list holds about CANDIDATE_TARGET
 * items: raised (a pass over the list) when it grows past CANDIDATE_MAX, lowered (a pass
 * over the table, rare) when it falls below TOP_N. */

#define CANDIDATE_TARGET 64
#define CANDIDATE_MAX    4096

struct running_window {
    struct count_map counts;        /* itemId -> pv count in the window */
    uint64_t *candidates;           /* the items with count >= floor */
    size_t n_candidates;
    size_t candidates_capacity;
    uint32_t floor;
};

static void running_init(struct running_window *w)
{
    count_map_init(&w->counts, 16);
    w->candidates = NULL;
    w->n_candidates = w->candidates_capacity = 0;
    w->floor = UINT32_MAX;          /* no candidates until the first top-N query */
}

static void running_free(struct running_window *w)
{
    count_map_free(&w->counts);
    free(w->candidates);
}

static void candidate_push(struct running_window *w, struct count_entry *e)
{
    if (w->n_candidates == w->candidates_capacity) {
        w->candidates_capacity = w->candidates_capacity ? 2 * w->candidates_capacity : 256;
        w->candidates = realloc(w->candidates, w->candidates_capacity * sizeof *w->candidates);
        if (!w->candidates)
            die("out of memory");
    }
    w->candidates[w->n_candidates++] = e->key;
    e->candidate = (uint32_t)w->n_candidates;
}

static void candidate_remove(struct running_window *w, struct count_entry *e)
{
    size_t index = e->candidate - 1;
    uint64_t moved = w->candidates[--w->n_candidates];
    e->candidate = 0;
    if (index == w->n_candidates)
        return;
    w->candidates[index] = moved;
    w->counts.slots[count_map_find(&w->counts, moved)].candidate = (uint32_t)index + 1;
}

static inline void running_add(struct running_window *w, uint64_t key, uint32_t n)
{
    struct count_entry *e = count_map_slot(&w->counts, key);
    uint32_t before = e->count;
    e->count += n;
    if (before < w->floor && e->count >= w->floor)
        candidate_push(w, e);
}

/* Subtracts n from the count of `key`, which must be present with count >= n. */
static inline void running_sub(struct running_window *w, uint64_t key, uint32_t n)
{
    size_t i = count_map_find(&w->counts, key);
    struct count_entry *e = &w->counts.slots[i];
    e->count -= n;
    if (e->candidate && e->count < w->floor)
        candidate_remove(w, e);
    if (e->count == 0)
        count_map_delete_slot(&w->counts, i);
}

static int compare_u32_desc(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x < y) - (x > y);
}

/* Returns the CANDIDATE_TARGET-th largest of n counts (sorting them), or 1 if fewer. */
static uint32_t target_floor(uint32_t *counts, size_t n)
{
    if (n < CANDIDATE_TARGET)
        return 1;
    qsort(counts, n, sizeof *counts, compare_u32_desc);
    return counts[CANDIDATE_TARGET - 1];
}

/* Raises the floor so that about CANDIDATE_TARGET candidates remain. */
static void running_raise_floor(struct running_window *w)
{
    uint32_t *counts = xcalloc(w->n_candidates, sizeof *counts);
    for (size_t i = 0; i < w->n_candidates; i++)
        counts[i] = w->counts.slots[count_map_find(&w->counts, w->candidates[i])].count;
    uint32_t floor = target_floor(counts, w->n_candidates);
    free(counts);
    if (floor <= w->floor)
        return;                     /* ties at the floor: nothing to drop */
    w->floor = floor;
    for (size_t i = w->n_candidates; i-- > 0;) {
        struct count_entry *e = &w->counts.slots[count_map_find(&w->counts, w->candidates[i])];
        if (e->count < floor)
            candidate_remove(w, e);
    }
}

/* Lowers the floor to the CANDIDATE_TARGET-th largest count and rebuilds the list from
 * the whole table. */
static void running_lower_floor(struct running_window *w)
{
    struct count_entry *slots = w->counts.slots;
    size_t capacity = count_map_capacity(&w->counts), n_heap = 0;
    uint32_t heap[CANDIDATE_TARGET];   /* min-heap of the largest counts */

    for (size_t i = 0; i < capacity; i++) {
        uint32_t c = slots[i].count;
        if (c == 0 || (n_heap == CANDIDATE_TARGET && c <= heap[0]))
            continue;
        size_t j;
        if (n_heap < CANDIDATE_TARGET) {        /* append and sift up */
            for (j = n_heap++; j > 0 && heap[(j - 1) / 2] > c; j = (j - 1) / 2)
                heap[j] = heap[(j - 1) / 2];
        } else {                                /* replace the root and sift down */
            j = 0;
            for (size_t child; (child = 2 * j + 1) < n_heap; j = child) {
                if (child + 1 < n_heap && heap[child + 1] < heap[child])
                    child++;
                if (heap[child] >= c)
                    break;
                heap[j] = heap[child];
            }
        }
        heap[j] = c;
    }
    w->floor = n_heap < CANDIDATE_TARGET ? 1 : heap[0];
    w->n_candidates = 0;
    for (size_t i = 0; i < capacity; i++) {
        slots[i].candidate = 0;
        if (slots[i].count >= w->floor)
            candidate_push(w, &slots[i]);
    }
}

static inline int ranks_before(uint32_t count_a, uint64_t item_a, uint32_t count_b, uint64_t item_b)
{
    return count_a > count_b || (count_a == count_b && item_a < item_b);
}

/* Fills top[] with the window's best items, best first; returns how many (<= TOP_N). */
static int running_top(struct running_window *w, struct count_entry top[TOP_N])
{
    int n = 0;
    if (w->n_candidates > CANDIDATE_MAX)
        running_raise_floor(w);
    if (w->n_candidates < TOP_N && w->floor > 1)
        running_lower_floor(w);
    for (size_t i = 0; i < w->n_candidates; i++) {
        const struct count_entry *e =
            &w->counts.slots[count_map_find(&w->counts, w->candidates[i])];
        const struct count_entry *last = &top[TOP_N - 1];
        if (n == TOP_N && !ranks_before(e->count, e->key, last->count, last->key))
            continue;
        int j = n < TOP_N ? n++ : TOP_N - 1;
        for (; j > 0 && ranks_before(e->count, e->key, top[j - 1].count, top[j - 1].key); j--)
            top[j] = top[j - 1];
        top[j] = *e;
    }
    return n;
}

/* ---- hot items: 5-minute slices and the sliding 1-hour window over them */

struct slice {
    int64_t no;                     /* covers [no * 300, no * 300 + 300) */
    struct count_map items;         /* itemId -> pv count in this slice */
};

struct hot_items {
    struct window_table pending;    /* slices no window has used yet */
    struct slice *cached;           /* the slice of the previous pv row */
    unsigned slice_bits;            /* table size of the last full slice: new ones start so */
    struct slice *in_window[HOP_SLICES]; /* slices in the running window, oldest first */
    int n_in_window;
    struct running_window running;  /* the window the last evaluation saw */
    int64_t last_slice;             /* last slice of the last evaluated window */
    int started;                    /* some window has been evaluated */
    FILE *out;                      /* NULL: compute only */
};

static void hot_items_init(struct hot_items *h, FILE *out)
{
    memset(h, 0, sizeof *h);
    window_table_init(&h->pending, 4);
    running_init(&h->running);
    h->slice_bits = 12;
    h->out = out;
}

static void hot_items_uncache(struct hot_items *h)
{
    if (h->cached && h->cached->items.bits > h->slice_bits)
        h->slice_bits = h->cached->items.bits;
    h->cached = NULL;
}

static struct slice *hot_items_slice(struct hot_items *h, int64_t no)
{
    if (h->cached && h->cached->no == no)
        return h->cached;
    hot_items_uncache(h);
    struct slice *s = window_table_get(&h->pending, no);
    if (!s) {
        s = xcalloc(1, sizeof *s);
        s->no = no;
        count_map_init(&s->items, h->slice_bits);
        window_table_put(&h->pending, no, s);
    }
    h->cached = s;
    return s;
}

/* Counts one pv row; returns -1 if it falls into a window already emitted. */
static int hot_items_add(struct hot_items *h, int64_t ts, uint64_t item)
{
    int64_t no = floor_div(ts, SLICE_SECONDS);
    if (h->started && no <= h->last_slice)
        return -1;
    count_map_add(&hot_items_slice(h, no)->items, item, 1);
    return 0;
}

#define PREFETCH_AHEAD 16   /* slice slots between a prefetch and its use */

/* Starts loading the running-window slot of the item PREFETCH_AHEAD slots after i. */
static inline void prefetch_running_slot(const struct hot_items *h, const struct slice *s, size_t i)
{
    size_t ahead = i + PREFETCH_AHEAD;
    if (ahead < count_map_capacity(&s->items) && s->items.slots[ahead].count)
        __builtin_prefetch(&h->running.counts.slots[hash_slot(s->items.slots[ahead].key,
                                                              h->running.counts.bits)], 1);
}

static void running_add_slice(struct hot_items *h, struct slice *s)
{
    for (size_t i = 0; i < count_map_capacity(&s->items); i++) {
        prefetch_running_slot(h, s, i);
        if (s->items.slots[i].count)
            running_add(&h->running, s->items.slots[i].key, s->items.slots[i].count);
    }
    h->in_window[h->n_in_window++] = s;
}

static void running_drop_oldest_slice(struct hot_items *h)
{
    struct slice *s = h->in_window[0];
    for (size_t i = 0; i < count_map_capacity(&s->items); i++) {
        prefetch_running_slot(h, s, i);
        if (s->items.slots[i].count)
            running_sub(&h->running, s->items.slots[i].key, s->items.slots[i].count);
    }
    count_map_free(&s->items);
    free(s);
    memmove(h->in_window, h->in_window + 1, (size_t)--h->n_in_window * sizeof *h->in_window);
}

static void emit_top_items(struct hot_items *h, int64_t window_end)
{
    struct count_entry top[TOP_N];
    int n = running_top(&h->running, top);
    if (!h->out)
        return;
    for (int r = 0; r < n; r++)
        fprintf(h->out, "%" PRId64 ",%d,%" PRIu64 ",%" PRIu32 "\n",
                window_end, r + 1, top[r].key, top[r].count);
}

static int compare_slices(const void *a, const void *b)
{
    const struct slice *x = *(void *const *)a, *y = *(void *const *)b;
    return (x->no > y->no) - (x->no < y->no);
}

/* Evaluates, in order, every window that ends at or before `limit` (epoch seconds) and
 * holds pv rows, moving the running window one slice at a time and jumping over gaps. */
static void hot_items_fire(struct hot_items *h, int64_t limit)
{
    int64_t limit_slice = floor_div(limit, SLICE_SECONDS) - 1;
    void **ready = xcalloc(h->pending.size, sizeof *ready);
    size_t n_ready = window_table_take_upto(&h->pending, limit_slice, ready);
    size_t next = 0;

    hot_items_uncache(h);
    qsort(ready, n_ready, sizeof *ready, compare_slices);
    for (;;) {
        int64_t s;
        if (h->n_in_window > 0)
            s = h->last_slice + 1;
        else if (next < n_ready)
            s = ((struct slice *)ready[next])->no;
        else
            break;
        if (s > limit_slice)
            break;
        while (h->n_in_window > 0 && h->in_window[0]->no <= s - HOP_SLICES)
            running_drop_oldest_slice(h);
        if (next < n_ready && ((struct slice *)ready[next])->no == s)
            running_add_slice(h, ready[next++]);
        h->last_slice = s;
        h->started = 1;
        if (h->running.counts.size > 0)
            emit_top_items(h, (s + 1) * SLICE_SECONDS);
    }
    free(ready);
}

static void hot_items_free(struct hot_items *h)
{
    while (h->n_in_window > 0)
        running_drop_oldest_slice(h);
    running_free(&h->running);
    window_table_free(&h->pending);
}

/* ---- hourly pv and uv */

struct hour {
    int64_t no;                     /* covers [no * 3600, no * 3600 + 3600) */
    uint64_t pv;
    struct key_set users;
};

struct pv_uv {
    struct window_table pending;
    struct hour *cached;            /* the hour of the previous pv row */
    unsigned users_bits;            /* set size of the last full hour: new ones start so */
    int64_t last_hour;              /* last emitted hour */
    int started;
    FILE *out;
};

static void pv_uv_init(struct pv_uv *p, FILE *out)
{
    memset(p, 0, sizeof *p);
    window_table_init(&p->pending, 4);
    p->users_bits = 16;
    p->out = out;
}

static void pv_uv_uncache(struct pv_uv *p)
{
    if (p->cached && p->cached->users.bits > p->users_bits)
        p->users_bits = p->cached->users.bits;
    p->cached = NULL;
}

static struct hour *pv_uv_hour(struct pv_uv *p, int64_t no)
{
    if (p->cached && p->cached->no == no)
        return p->cached;
    pv_uv_uncache(p);
    struct hour *h = window_table_get(&p->pending, no);
    if (!h) {
        h = xcalloc(1, sizeof *h);
        h->no = no;
        key_set_init(&h->users, p->users_bits);
        window_table_put(&p->pending, no, h);
    }
    p->cached = h;
    return h;
}

/* Counts one pv row; returns -1 if its hour was already emitted. */
static int pv_uv_add(struct pv_uv *p, int64_t ts, uint64_t user)
{
    int64_t no = floor_div(ts, HOUR_SECONDS);
    if (p->started && no <= p->last_hour)
        return -1;
    struct hour *h = pv_uv_hour(p, no);
    h->pv++;
    key_set_insert(&h->users, user);
    return 0;
}

static int compare_hours(const void *a, const void *b)
{
    const struct hour *x = *(void *const *)a, *y = *(void *const *)b;
    return (x->no > y->no) - (x->no < y->no);
}

/* Emits and frees, in order, every hour that ends at or before `limit`. */
static void pv_uv_fire(struct pv_uv *p, int64_t limit)
{
    void **ready = xcalloc(p->pending.size, sizeof *ready);
    size_t n_ready = window_table_take_upto(&p->pending, floor_div(limit, HOUR_SECONDS) - 1,
                                            ready);
    pv_uv_uncache(p);
    qsort(ready, n_ready, sizeof *ready, compare_hours);
    for (size_t i = 0; i < n_ready; i++) {
        struct hour *h = ready[i];
        if (p->out)
            fprintf(p->out, "%" PRId64 ",%" PRIu64 ",%zu\n",
                    h->no * HOUR_SECONDS, h->pv, h->users.size);
        p->last_hour = h->no;
        p->started = 1;
        free(h->users.slots);
        free(h);
    }
    free(ready);
}

/* ---- input: the file is read in large blocks; rows are parsed in place */

#define INPUT_BLOCK (4u << 20)

struct input {
    const char *path;
    int fd;
    char *buf;              /* INPUT_BLOCK bytes */
    const char *pos;        /* next unparsed byte */
    const char *end;        /* end of the whole lines in buf (or of the data at EOF) */
    const char *data_end;   /* end of the bytes read */
    int eof;
    uint64_t line;          /* line number of the last parsed row */
};

struct row {
    uint64_t user;
    uint64_t item;
    int64_t ts;
    int is_pv;
    uint64_t line;
};

static void open_input(struct input *in, const char *path)
{
    in->path = path;
    in->fd = open(path, O_RDONLY);
    if (in->fd < 0)
        die("%s: %s", path, strerror(errno));
    posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    in->buf = xcalloc(INPUT_BLOCK, 1);
    in->pos = in->end = in->data_end = in->buf;
    in->eof = 0;
    in->line = 0;
}

static void close_input(struct input *in)
{
    close(in->fd);
    free(in->buf);
}

/* Moves the unparsed tail to the front of the buffer and reads more; returns 0 when
 * nothing is left to parse. */
static int refill(struct input *in)
{
    size_t tail = (size_t)(in->data_end - in->pos);
    memmove(in->buf, in->pos, tail);
    char *data_end = in->buf + tail;
    while (!in->eof && data_end < in->buf + INPUT_BLOCK) {
        ssize_t n = read(in->fd, data_end, (size_t)(in->buf + INPUT_BLOCK - data_end));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("%s: %s", in->path, strerror(errno));
        in->eof = n == 0;
        data_end += n;
    }
    const char *end = data_end;
    if (!in->eof) {
        while (end > in->buf && end[-1] != '\n')
            end--;
        if (end == in->buf)
            die("%s:%" PRIu64 ": line longer than %u bytes", in->path, in->line + 1, INPUT_BLOCK);
    }
    in->pos = in->buf;
    in->end = end;
    in->data_end = data_end;
    return in->pos < in->end;
}

static void __attribute__((noreturn)) bad_row(const struct input *in, const char *what)
{
    die("%s:%" PRIu64 ": bad row: %s", in->path, in->line, what);
}

static inline const char *parse_u64(const struct input *in, const char *p, uint64_t *out)
{
    uint64_t v = 0;
    const char *start = p;
    while (p < in->end && (unsigned)(*p - '0') < 10)
        v = v * 10 + (uint64_t)(*p++ - '0');
    if (p == start || p - start > 19)
        bad_row(in, "expected an unsigned integer");
    *out = v;
    return p;
}

static inline const char *expect_comma(const struct input *in, const char *p)
{
    if (p >= in->end || *p != ',')
        bad_row(in, "expected ','");
    return p + 1;
}

/* Parses the row at in->pos, which is inside a whole line. */
static inline void parse_row(struct input *in, struct row *r)
{
    const char *p = in->pos;
    uint64_t category, ts;
    r->line = ++in->line;
    p = expect_comma(in, parse_u64(in, p, &r->user));
    p = expect_comma(in, parse_u64(in, p, &r->item));
    p = expect_comma(in, parse_u64(in, p, &category));
    r->is_pv = in->end - p > 2 && p[0] == 'p' && p[1] == 'v' && p[2] == ',';
    while (p < in->end && *p != ',')
        p++;
    p = expect_comma(in, p);
    int negative = p < in->end && *p == '-';
    p = parse_u64(in, p + negative, &ts);
    r->ts = negative ? -(int64_t)ts : (int64_t)ts;
    if (p < in->end && *p == '\r')
        p++;
    if (p < in->end && *p++ != '\n')
        bad_row(in, "expected end of line after the timestamp");
    in->pos = p;
}

/* Parses up to `max` rows into rows[]; returns how many (0 at the end of the input). */
static size_t next_rows(struct input *in, struct row *rows, size_t max)
{
    size_t n = 0;
    while (n < max) {
        if (in->pos >= in->end && (n > 0 || !refill(in)))
            break;
        if (*in->pos == '\n') {             /* blank line */
            in->pos++;
            in->line++;
            continue;
        }
        parse_row(in, &rows[n++]);
    }
    return n;
}

/* ---- driver */

struct options {
    const char *input;
    const char *hot_items_path;
    const char *pv_uv_path;
    int64_t disorder;        /* -1: hold everything until the end of the input */
};

static void usage(FILE *f)
{
    fputs(
        "usage: hand_written [--hot-items FILE] [--pvuv FILE] [--disorder SECONDS] INPUT.csv\n"
        "Computes the eddy benchmark's results from `userId,itemId,categoryId,behavior,ts`\n"
        "rows (epoch seconds, no header), counting only behavior 'pv':\n"
        "  --hot-items FILE   top 5 items by pv count per HOP(1 h, slide 5 min) window, ties\n"
        "                     by itemId: `window_end,rank,itemId,count`, by window_end, rank\n"
        "  --pvuv FILE        per 1-hour TUMBLE window: `window_start,pv,uv` (uv = distinct\n"
        "                     userId), by window_start\n"
        "  --disorder D       stream with watermark max_ts - D: emit windows and free their\n"
        "                     state as the watermark passes; a row more than D seconds late\n"
        "                     is an error. Default: keep every window until the end (any\n"
        "                     order works)\n"
        "A result without its FILE option is computed but not written. Elapsed time and peak\n"
        "RSS go to stderr.\n",
        f);
}

static void parse_options(struct options *o, int argc, char **argv)
{
    *o = (struct options){ .disorder = -1 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--hot-items") && has_value) {
            o->hot_items_path = argv[++i];
        } else if (!strcmp(a, "--pvuv") && has_value) {
            o->pv_uv_path = argv[++i];
        } else if (!strcmp(a, "--disorder") && has_value) {
            char *end;
            o->disorder = strtoll(argv[++i], &end, 10);
            if (*end || end == argv[i] || o->disorder < 0)
                die("bad value for --disorder: '%s'", argv[i]);
        } else if (a[0] == '-' && a[1] != '\0') {
            usage(stderr);
            die("bad option '%s'", a);
        } else if (o->input) {
            die("more than one input file");
        } else {
            o->input = a;
        }
    }
    if (!o->input) {
        usage(stderr);
        exit(2);
    }
}

static FILE *open_output(const char *path)
{
    if (!path)
        return NULL;
    FILE *f = fopen(path, "w");
    if (!f)
        die("%s: %s", path, strerror(errno));
    return f;
}

static void close_output(FILE *f, const char *path)
{
    if (f && fclose(f) != 0)
        die("%s: %s", path, strerror(errno));
}

/* ---- the job: rows in, windows out */

#define ROW_BATCH 32        /* rows parsed, then prefetched, then processed together */

struct job {
    struct hot_items hot;
    struct pv_uv pvuv;
    int64_t disorder;       /* -1: no watermark, everything fires at the end */
    int64_t max_ts;
    int64_t next_fire;      /* the watermark at which windows next end; INT64_MIN: unset */
    const char *input_path;
};

static void job_init(struct job *j, const struct options *o)
{
    hot_items_init(&j->hot, open_output(o->hot_items_path));
    pv_uv_init(&j->pvuv, open_output(o->pv_uv_path));
    j->disorder = o->disorder;
    j->max_ts = INT64_MIN;
    j->next_fire = INT64_MIN;
    j->input_path = o->input;
}

/* Emits the windows that end at or before the new watermark, once per slice boundary it
 * crosses. */
static void job_advance_watermark(struct job *j, int64_t watermark)
{
    if (j->next_fire != INT64_MIN && watermark < j->next_fire)
        return;
    if (j->next_fire != INT64_MIN) {
        hot_items_fire(&j->hot, watermark);
        pv_uv_fire(&j->pvuv, watermark);
    }
    j->next_fire = (floor_div(watermark, SLICE_SECONDS) + 1) * SLICE_SECONDS;
}

static void __attribute__((noreturn)) late_row(const struct job *j, const struct row *r)
{
    die("%s:%" PRIu64 ": row at %" PRId64 " is %" PRId64 " s behind the largest timestamp "
        "so far and falls into a window already emitted; raise --disorder",
        j->input_path, r->line, r->ts, j->max_ts - r->ts);
}

static void job_process_row(struct job *j, const struct row *r)
{
    if (r->ts > j->max_ts) {
        j->max_ts = r->ts;
        if (j->disorder >= 0)
            job_advance_watermark(j, r->ts - j->disorder);
    }
    if (!r->is_pv)
        return;
    if (hot_items_add(&j->hot, r->ts, r->item) != 0 || pv_uv_add(&j->pvuv, r->ts, r->user) != 0)
        late_row(j, r);
}

/* Starts loading the hash slots a pv row will touch, when its slice and hour are the
 * cached ones; has no other effect. */
static inline void job_prefetch_row(const struct job *j, const struct row *r)
{
    const struct slice *s = j->hot.cached;
    const struct hour *h = j->pvuv.cached;
    if (!r->is_pv)
        return;
    if (s && s->no == floor_div(r->ts, SLICE_SECONDS))
        __builtin_prefetch(&s->items.slots[hash_slot(r->item, s->items.bits)], 1);
    if (h && h->no == floor_div(r->ts, HOUR_SECONDS))
        __builtin_prefetch(&h->users.slots[hash_slot(r->user + 1, h->users.bits)], 1);
}

/* Returns the number of rows read. */
static uint64_t job_run(struct job *j, struct input *in)
{
    struct row rows[ROW_BATCH];
    uint64_t total = 0;
    size_t n;
    while ((n = next_rows(in, rows, ROW_BATCH)) > 0) {
        total += n;
        for (size_t i = 0; i < n; i++)
            job_prefetch_row(j, &rows[i]);
        for (size_t i = 0; i < n; i++)
            job_process_row(j, &rows[i]);
    }
    hot_items_fire(&j->hot, INT64_MAX - SLICE_SECONDS);
    pv_uv_fire(&j->pvuv, INT64_MAX - HOUR_SECONDS);
    return total;
}

static void job_finish(struct job *j, const struct options *o)
{
    close_output(j->hot.out, o->hot_items_path);
    close_output(j->pvuv.out, o->pv_uv_path);
    hot_items_free(&j->hot);
    window_table_free(&j->pvuv.pending);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) * 1e-9;
}

int main(int argc, char **argv)
{
    struct options opt;
    struct timespec t0;
    struct input in;
    struct job job;
    struct rusage ru;

    parse_options(&opt, argc, argv);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    open_input(&in, opt.input);
    job_init(&job, &opt);
    uint64_t rows = job_run(&job, &in);
    job_finish(&job, &opt);
    close_input(&in);
    getrusage(RUSAGE_SELF, &ru);
    fprintf(stderr, "hand_written: %" PRIu64 " rows in %.3f s, peak RSS %ld KiB\n",
            rows, seconds_since(&t0), ru.ru_maxrss);
    return 0;
}
