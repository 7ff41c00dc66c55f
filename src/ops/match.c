/* match.c - MatchRecognize: MATCH_RECOGNIZE (PARTITION BY ... ORDER BY time MEASURES ...
 * ONE ROW PER MATCH AFTER MATCH SKIP ... PATTERN (...) WITHIN ... DEFINE ...) over an
 * insert-only stream, with the matching rules of Flink's CEP library that runs it in Flink.
 *
 * Pattern program. The pattern tree is compiled into a small NFA program: VAR v takes one row
 * when v's DEFINE condition holds for it, SPLIT x y tries x first and y second, JMP, MATCH.
 * Quantifiers are unrolled: A{2,4} is A A (A (A)?)?, A{2,} is A A A*. The SPLIT of a greedy
 * quantifier prefers its body and is marked `cut`; a reluctant one prefers the exit. For each
 * position the program knows the variables reachable without taking a row, whether MATCH is
 * reachable at once (finish_now: without leaving a greedy quantifier) and at all (finish_any).
 *
 * Matching, per partition, rows in time order, numbered 0, 1, ... in the partition. As in
 * Flink's NFA, a partial match (a "thread") may begin at every row, and all threads advance
 * together, one row at a time, under strict contiguity: a thread that cannot take the row dies.
 * A thread's successors for row r come from walking the program from its position in priority
 * order; at a cut SPLIT the exit is not taken when the body can take r (Flink's greedy rule: a
 * row the quantified item accepts cannot be used by what follows it; there is no backtracking
 * into the loop). A successor that can reach MATCH at once completes. A thread that can reach
 * MATCH only by leaving a greedy quantifier (one at the end of the pattern, which Flink
 * rejects) completes when the next row cannot continue the quantifier, when WITHIN ends it, or
 * at the end of the input: greedy means longest. Of the threads that began at the same row, the
 * first to complete wins (priority order breaks ties) and the others are dropped.
 *
 * Emission and AFTER MATCH SKIP (Flink's after-match pruning). Complete matches wait, ordered
 * by their first row, until no live thread began earlier; then the earliest is emitted and the
 * skip mode drops threads and waiting matches: PAST LAST ROW those that began at or before its
 * last row, TO NEXT ROW those that began at or before its first row, TO FIRST / TO LAST v those
 * that began before the first / last row mapped to v. It is a runtime error when v has no row
 * in the match or that row is the match's first row (the next match would start where this one
 * did, forever).
 *
 * WITHIN w: a thread whose first row is more than w before the row being processed ends before
 * that row is processed (completing if it can end where it is). In event time the watermark
 * ends threads as well once first + w <= watermark (every later row is more than w after it);
 * in processing time a timer tick at `now` ends those with first + w < now.
 *
 * DEFINE and MEASURES are expressions over [input columns ++ one column per match_nav]. The
 * navs are computed into an evaluation chunk: for DEFINE one row per (thread, candidate
 * variable), the candidates of one variable for one input row evaluated in one expr_eval call
 * (the input columns hold the row, the navs see the candidate row as mapped to the variable);
 * for MEASURES one row per emitted match (input columns: its last row; navs: final values).
 * A thread's mapping is a chain of nodes (row, variable, parent, previous node of the same
 * variable) shared between threads that branched from each other, with refcounts, plus per
 * variable its first node, last node and count, so FIRST/LAST navigate in O(offset) and an
 * aggregate visits only its variable's rows. Aggregates are rebuilt per evaluation (one agg
 * block per evaluated row, all rows of a batch in agg_block_update calls), as Flink does.
 *
 * Time. Event time: rows are buffered per partition in a min-heap on (time, arrival) until the
 * watermark passes them, then processed in that order; a row at or behind the watermark is
 * late (counted in op->stats.late, dropped). A heap of partitions by smallest pending time
 * finds the due ones, a second heap by first-thread time + w the ones WITHIN expires. The
 * final watermark (TS_MAX) ends every thread. The pending rows and both partition heaps are
 * ops/partition_buffer.h. Processing time: rows are processed as they arrive, timed by the
 * clock; finish() ends every thread.
 *
 * State per partition (hash map from the partition key, encoded by data/rowkey.h): pending rows; the processed
 * rows still needed (from the first row of the oldest thread or waiting match, less the
 * largest PREV offset) as row-pool references; the live threads by first row then priority;
 * the waiting matches by first row. A partition with none of these is dropped (unless PREV is
 * used: then its last rows are kept for the next row's PREV). state_keys = partitions held.
 *
 * Output: the partition columns then the measures, insert-only, one row per match.
 *
 * Where Flink's runtime and its documentation disagree, this follows the documentation: an
 * optional item (B?) is greedy like the other quantifiers (Flink's NFA does not mark it so and
 * lets the path without B win when it completes first); a bounded greedy quantifier that has
 * reached its maximum (B{1,3} after three rows) lets what follows take any row (Flink's NFA
 * still refuses rows B would accept, and the partial match dies); WITHIN keeps a match exactly
 * w long ("longer than the given value" is dropped; Flink's NFA drops at >= w). Patterns Flink
 * rejects run as SQL defines them: quantified groups, greedy quantifiers at the end, reluctant
 * optional items (B??), variables used twice.
 *
 * Checkpoint: u8 version, i64 watermark, i64 watermark sent, i64 next arrival sequence, i64
 * next partition number, u32 npartitions; per partition the key bytes, i64 number, i64 next
 * row number, i64 row number of the first kept row, u32 nrows and per row i64 time and the
 * column values, the threads and then the waiting matches as u32 count and per entry i64 first
 * row, i64 first time, u32 position, u32 length and the variable of each row, then u32
 * npending and per pending row i64 time, i64 sequence and the column values. */
#include "ops/ops.h"
#include "ops/rowpool.h"
#include "ops/partition_buffer.h"
#include "data/rowkey.h"
#include "base/hashmap.h"
#include "base/util.h"
#include "base/err.h"
#include <stdlib.h>
#include <stddef.h>

#define NO_NODE UINT32_MAX
#define MAX_PROGRAM 10000           /* instructions after unrolling quantifiers */
#define SPARE_PARTS 64              /* dropped partitions kept for reuse */

enum { HEAP_FIRE, HEAP_EXPIRE };
enum instr_op { I_VAR, I_SPLIT, I_JMP, I_MATCH };
enum memo_state { M_NONE, M_FALSE, M_TRUE };     /* a thread's DEFINE result for a variable */

typedef VEC(int32_t) i32_vec;

typedef struct instr {
    uint8_t op;
    uint8_t cut;                    /* SPLIT of a greedy quantifier: x is its body, y its exit */
    int32_t var;                    /* I_VAR */
    int32_t x, y;                   /* SPLIT: tried first, second; JMP: target */
} instr;

typedef struct program {
    instr *code;
    int32_t n;
    uint32_t *reach_off;            /* variables reachable without taking a row from pc: */
    int32_t *reach_vars;            /* reach_vars[reach_off[pc] .. reach_off[pc + 1]) */
    uint8_t *finish_now;            /* MATCH reachable without leaving a greedy quantifier */
    uint8_t *finish_any;            /* MATCH reachable */
} program;

typedef struct mnode {
    int64_t rowno;
    uint32_t parent;                /* node of the previous row, NO_NODE for the first */
    uint32_t prev_same;             /* previous node mapped to the same variable */
    uint32_t refs;                  /* children plus threads whose last row it is */
    int32_t var;
} mnode;

typedef struct vinfo {              /* one variable in one (partial) match */
    uint32_t first;
    uint32_t last;
    uint32_t count;
} vinfo;

typedef struct thread {
    int64_t start;                  /* row number of its first row */
    int64_t start_time;
    uint32_t tail;                  /* node of its last row; NO_NODE before the first */
    int32_t pc;                     /* position in the program */
} thread;

/* Threads or complete matches with their vinfo (nvars per entry, in step with t). */
typedef struct tlist {
    VEC(thread) t;
    VEC(vinfo) v;
} tlist;

typedef struct row_entry {
    int64_t time;
    uint32_t ref;
} row_entry;

typedef struct partition {
    pbuf_part buf;                  /* first: pending rows (event time) and heap places;
                                       due[HEAP_FIRE]: smallest pending time;
                                       due[HEAP_EXPIRE]: first-thread time + WITHIN */
    const uint8_t *key;             /* encoded partition key (data/rowkey.h), owned by the map */
    uint32_t klen;
    uint64_t hash;
    VEC(row_entry) rows;            /* processed rows still needed, from rows_head on */
    size_t rows_head;
    int64_t base;                   /* row number of rows.items[rows_head] */
    int64_t next_rowno;
    tlist threads;                  /* live, by first row then priority */
    tlist done;                     /* complete matches waiting to be emitted, by first row */
} partition;

/* A (partial) match as an evaluation sees it. */
typedef struct view {
    int64_t start;                  /* its first row */
    int64_t last;                   /* its last row: the candidate row for DEFINE */
    const vinfo *vi;                /* per variable, without the candidate row */
    int32_t cur_var;                /* the variable of the last row */
    int cand;                       /* the last row is a candidate, not in vi */
} view;

typedef struct match_op {
    op_t op;
    int *part;
    int npart;
    int time_col;
    int proctime;
    int nvars;
    char **var_names;
    expr_t **define;                /* borrowed; per variable, NULL = TRUE */
    match_nav *navs;
    int nnavs;
    expr_t **measures;              /* borrowed */
    int nmeasures;
    match_skip skip;
    int skip_var;
    int64_t within_us;
    char *pattern_text;
    schema_t eval_names;            /* input columns then navs, named for EXPLAIN */
    uint32_t nin;
    int64_t maxprev;                /* largest PREV offset */
    program prog;
    /* evaluation */
    uint8_t *define_uses;           /* per variable, per evaluation column: read by its DEFINE */
    uint8_t *measure_uses;          /* per evaluation column: read by a measure */
    agg_call *agg_calls;            /* per nav (NAV_AGG): own copy */
    agg_set *agg_sets;              /* per nav: one call, or none */
    uint32_t block_size;            /* bytes per agg block, the largest of the navs' */
    uint8_t *blocks;                /* CHUNK_CAP agg blocks, one per evaluated row */
    void **gather_blocks;           /* block of each gathered row */
    chunk_t *gather;                /* rows one aggregate reads (input layout, views) */
    chunk_t *eval;                  /* input ++ navs */
    vector_t test;                  /* BOOLEAN result of one DEFINE */
    vector_t *mvals;                /* per measure */
    arena_t scratch;
    vinfo *empty_vi;                /* nvars empty entries, for a thread with no rows yet */
    /* state */
    row_pool pool;
    hmap_t parts;
    pbuf_heap fire;                 /* event time: partitions with pending rows */
    pbuf_heap expire;               /* WITHIN: partitions with threads */
    int64_t next_seq;
    int64_t next_number;
    VEC(mnode) nodes;
    VEC(uint32_t) free_nodes;
    VEC(partition *) spare_parts;
    /* scratch, kept between calls */
    tlist next;                     /* successors being built */
    tlist emitted;                  /* matches emitted in the current step */
    VEC(uint8_t) memo;              /* per thread and variable: memo_state */
    VEC(uint32_t) *cands;           /* per variable: threads that may take the row as it */
    VEC(view) views;
    VEC(int32_t) stack;
    VEC(int64_t) rownos;
    uint32_t *stamp;
    uint32_t stamp_gen;
    rowkey_buf key;                 /* the partition key being looked up */
    chunk_t *out;
} match_op;

static int64_t add_sat(int64_t a, int64_t b)
{
    int64_t s;
    return __builtin_add_overflow(a, b, &s) ? (b > 0 ? TS_MAX : TS_MIN) : s;
}

/* ---- pattern: validation, text, compilation ---- */

static int body_nullable(const pat_node *n);

static int node_nullable(const pat_node *n) { return n->min == 0 || body_nullable(n); }

/* Can one repetition of n (without its quantifier) match zero rows? */
static int body_nullable(const pat_node *n)
{
    if (n->kind == PAT_VAR) return 0;
    for (int i = 0; i < n->nitems; i++)
        if (!node_nullable(n->items[i])) return 0;
    return 1;
}

static int check_pattern(const pat_node *n, int nvars, int depth)
{
    if (!n) return err_msg("MatchRecognize: the pattern has a missing node");
    if (depth > 64) return err_msg("MatchRecognize: the pattern nests groups more than 64 deep");
    if (n->kind == PAT_VAR) {
        if (n->var < 0 || n->var >= nvars)
            return err_msg("MatchRecognize: pattern variable %d does not exist; there are %d variables", n->var, nvars);
    } else if (n->kind == PAT_CONCAT) {
        if (n->nitems < 1 || !n->items) return err_msg("MatchRecognize: the pattern has an empty group");
        for (int i = 0; i < n->nitems; i++)
            if (check_pattern(n->items[i], nvars, depth + 1) < 0) return -1;
    } else {
        return err_msg("MatchRecognize: unknown pattern node kind %d", (int)n->kind);
    }
    if (n->min < 0 || (n->max != -1 && (n->max < 1 || n->max < n->min)))
        return err_msg("MatchRecognize: quantifier {%d, %d} is invalid; expected 0 <= min <= max and max >= 1 "
                       "(max -1: unbounded)", n->min, n->max);
    if ((n->max == -1 || n->max > 1) && body_nullable(n))
        return err_msg("MatchRecognize: a group repeated by a quantifier must not match zero rows");
    return 0;
}

static void format_quantifier(const pat_node *n, sb_t *out)
{
    if (n->min == 1 && n->max == 1) return;
    if (n->min == 0 && n->max == -1) sb_putc(out, '*');
    else if (n->min == 1 && n->max == -1) sb_putc(out, '+');
    else if (n->min == 0 && n->max == 1) sb_putc(out, '?');
    else if (n->min == n->max) sb_printf(out, "{%d}", n->min);
    else if (n->max == -1) sb_printf(out, "{%d,}", n->min);
    else sb_printf(out, "{%d, %d}", n->min, n->max);
    if (!n->greedy) sb_putc(out, '?');
}

static void format_node(const pat_node *n, char *const *names, sb_t *out)
{
    if (n->kind == PAT_VAR) {
        sb_puts(out, names[n->var]);
    } else {
        sb_putc(out, '(');
        for (int i = 0; i < n->nitems; i++) {
            if (i) sb_putc(out, ' ');
            format_node(n->items[i], names, out);
        }
        sb_putc(out, ')');
    }
    format_quantifier(n, out);
}

/* "(A B+ C)": the whole pattern in parentheses, as written in PATTERN (...). */
static char *format_pattern(const pat_node *root, char *const *names)
{
    sb_t sb = {0};
    if (root->kind == PAT_CONCAT && root->min == 1 && root->max == 1) {
        format_node(root, names, &sb);
    } else {
        sb_putc(&sb, '(');
        format_node(root, names, &sb);
        sb_putc(&sb, ')');
    }
    return sb_take(&sb);
}

typedef struct compiler {
    VEC(instr) code;
} compiler;

static int emit_instr(compiler *c, uint8_t op, int32_t var, int32_t x)
{
    instr in = {op, 0, var, x, 0};
    VEC_PUSH(c->code, in);
    return (int)c->code.len - 1;
}

static void set_split(compiler *c, int at, int body, int exit, int greedy)
{
    instr *s = &c->code.items[at];
    s->cut = (uint8_t)(greedy != 0);
    s->x = greedy ? body : exit;
    s->y = greedy ? exit : body;
}

static int too_big(const compiler *c)
{
    if (c->code.len <= MAX_PROGRAM) return 0;
    return err_msg("MatchRecognize: the pattern needs more than %d states once its quantifiers are unrolled; "
                   "use smaller repetition counts", MAX_PROGRAM);
}

static int compile_node(compiler *c, const pat_node *n);

/* One repetition of n, without its quantifier. */
static int compile_body(compiler *c, const pat_node *n)
{
    if (too_big(c)) return -1;
    if (n->kind == PAT_VAR) {
        emit_instr(c, I_VAR, n->var, 0);
        return 0;
    }
    for (int i = 0; i < n->nitems; i++)
        if (compile_node(c, n->items[i]) < 0) return -1;
    return 0;
}

static int compile_node(compiler *c, const pat_node *n)
{
    for (int i = 0; i < n->min; i++)
        if (compile_body(c, n) < 0) return -1;
    if (n->max == -1) {
        int split = emit_instr(c, I_SPLIT, 0, 0);
        int body = (int)c->code.len;
        if (compile_body(c, n) < 0) return -1;
        emit_instr(c, I_JMP, 0, split);
        set_split(c, split, body, (int)c->code.len, n->greedy);
        return 0;
    }
    int nopt = n->max - n->min;
    if (nopt <= 0) return 0;
    int *splits = xmalloc((size_t)nopt * sizeof *splits), *bodies = xmalloc((size_t)nopt * sizeof *bodies);
    int rc = 0;
    for (int i = 0; i < nopt && rc == 0; i++) {
        splits[i] = emit_instr(c, I_SPLIT, 0, 0);
        bodies[i] = (int)c->code.len;
        rc = compile_body(c, n);
    }
    for (int i = 0; i < nopt && rc == 0; i++) set_split(c, splits[i], bodies[i], (int)c->code.len, n->greedy);
    free(splits);
    free(bodies);
    return rc;
}

/* Scratch of program_walk: instructions seen in the current walk (seen[pc] == gen). */
typedef struct walk_state {
    uint32_t *seen;
    uint32_t gen;
    i32_vec stack;
} walk_state;

/* Walks the moves that take no row from pc: mode 0 collects the reachable variables into
 * vars (distinct), mode 1 / 2 report whether MATCH is reachable without leaving a greedy
 * quantifier / at all. */
static int program_walk(const program *p, int32_t pc, int mode, walk_state *ws, uint8_t *var_seen, i32_vec *vars)
{
    int found = 0;
    ws->gen++;
    ws->stack.len = 0;
    VEC_PUSH(ws->stack, pc);
    while (ws->stack.len && !found) {
        int32_t at = ws->stack.items[--ws->stack.len];
        if (ws->seen[at] == ws->gen) continue;
        ws->seen[at] = ws->gen;
        const instr *in = &p->code[at];
        switch (in->op) {
        case I_VAR:
            if (mode == 0 && !var_seen[in->var]) {
                var_seen[in->var] = 1;
                VEC_PUSH(*vars, in->var);
            }
            break;
        case I_JMP: VEC_PUSH(ws->stack, in->x); break;
        case I_SPLIT:
            VEC_PUSH(ws->stack, in->x);
            if (!(mode == 1 && in->cut)) VEC_PUSH(ws->stack, in->y);
            break;
        case I_MATCH: found = mode != 0; break;
        }
    }
    return found;
}

static int program_build(program *p, const pat_node *root, int nvars)
{
    compiler c = {0};
    if (compile_node(&c, root) < 0 || too_big(&c)) {
        VEC_FREE(c.code);
        return -1;
    }
    emit_instr(&c, I_MATCH, 0, 0);
    p->code = c.code.items;
    p->n = (int32_t)c.code.len;
    p->reach_off = xmalloc(((size_t)p->n + 1) * sizeof *p->reach_off);
    p->finish_now = xmalloc((size_t)p->n);
    p->finish_any = xmalloc((size_t)p->n);
    walk_state ws = {xcalloc((size_t)p->n, sizeof *ws.seen), 0, {0}};
    uint8_t *var_seen = xmalloc((size_t)nvars);
    i32_vec vars = {0};
    for (int32_t pc = 0; pc < p->n; pc++) {
        p->reach_off[pc] = (uint32_t)vars.len;
        memset(var_seen, 0, (size_t)nvars);
        program_walk(p, pc, 0, &ws, var_seen, &vars);
        p->finish_now[pc] = (uint8_t)program_walk(p, pc, 1, &ws, var_seen, NULL);
        p->finish_any[pc] = (uint8_t)program_walk(p, pc, 2, &ws, var_seen, NULL);
    }
    p->reach_off[p->n] = (uint32_t)vars.len;
    p->reach_vars = vars.items ? vars.items : xmalloc(sizeof *p->reach_vars);
    free(ws.seen);
    VEC_FREE(ws.stack);
    free(var_seen);
    return 0;
}

static void program_free(program *p)
{
    free(p->code);
    free(p->reach_off);
    free(p->reach_vars);
    free(p->finish_now);
    free(p->finish_any);
}

/* ---- match nodes (shared chains of mapped rows) ---- */

static mnode *node_at(match_op *o, uint32_t id) { return &o->nodes.items[id]; }

/* A node for row `rowno` mapped to var after parent; the caller owns its one reference. */
static uint32_t node_new(match_op *o, int64_t rowno, int32_t var, uint32_t parent, uint32_t prev_same)
{
    uint32_t id;
    if (o->free_nodes.len) {
        id = o->free_nodes.items[--o->free_nodes.len];
    } else {
        mnode blank = {0};
        VEC_PUSH(o->nodes, blank);
        id = (uint32_t)o->nodes.len - 1;
    }
    mnode *nd = node_at(o, id);
    nd->rowno = rowno;
    nd->var = var;
    nd->parent = parent;
    nd->prev_same = prev_same;
    nd->refs = 1;
    if (parent != NO_NODE) node_at(o, parent)->refs++;
    return id;
}

static void node_release(match_op *o, uint32_t id)
{
    while (id != NO_NODE && --node_at(o, id)->refs == 0) {
        uint32_t parent = node_at(o, id)->parent;
        VEC_PUSH(o->free_nodes, id);
        id = parent;
    }
}

/* ---- thread lists ---- */

static vinfo *tl_vi(const match_op *o, const tlist *l, size_t i) { return &l->v.items[i * (size_t)o->nvars]; }

/* Appends a thread; the list takes over one reference to its tail. */
static void tl_push(match_op *o, tlist *l, const thread *t, const vinfo *vi)
{
    VEC_PUSH(l->t, *t);
    VEC_GROW(l->v, (size_t)o->nvars);
    memcpy(&l->v.items[l->v.len], vi, (size_t)o->nvars * sizeof *vi);
    l->v.len += (size_t)o->nvars;
}

/* Inserts after the entries that began at or before t->start (the list stays by first row). */
static void tl_insert_sorted(match_op *o, tlist *l, const thread *t, const vinfo *vi)
{
    size_t at = l->t.len;
    while (at > 0 && l->t.items[at - 1].start > t->start) at--;
    tl_push(o, l, t, vi);
    size_t n = l->t.len - 1 - at, nv = (size_t)o->nvars;
    if (!n) return;
    memmove(&l->t.items[at + 1], &l->t.items[at], n * sizeof *l->t.items);
    l->t.items[at] = *t;
    memmove(&l->v.items[(at + 1) * nv], &l->v.items[at * nv], n * nv * sizeof *l->v.items);
    memcpy(&l->v.items[at * nv], vi, nv * sizeof *vi);
}

/* Drops entries [from, len), releasing their tails. */
static void tl_truncate(match_op *o, tlist *l, size_t from)
{
    for (size_t i = from; i < l->t.len; i++) node_release(o, l->t.items[i].tail);
    l->t.len = from;
    l->v.len = from * (size_t)o->nvars;
}

/* Removes entries [0, n) without releasing their tails. */
static void tl_shift(match_op *o, tlist *l, size_t n)
{
    if (!n) return;
    size_t rest = l->t.len - n, nv = (size_t)o->nvars;
    memmove(l->t.items, l->t.items + n, rest * sizeof *l->t.items);
    memmove(l->v.items, l->v.items + n * nv, rest * nv * sizeof *l->v.items);
    l->t.len = rest;
    l->v.len = rest * nv;
}

/* Drops the entries that began before row `cut` (a prefix: the list is by first row). */
static void tl_drop_before(match_op *o, tlist *l, int64_t cut)
{
    size_t n = 0;
    while (n < l->t.len && l->t.items[n].start < cut) node_release(o, l->t.items[n++].tail);
    tl_shift(o, l, n);
}

static void tl_free(tlist *l)
{
    VEC_FREE(l->t);
    VEC_FREE(l->v);
}

/* ---- processed rows: a queue numbered by row ---- */

static size_t rows_count(const partition *p) { return p->rows.len - p->rows_head; }

static const row_entry *part_row(const partition *p, int64_t rowno)
{
    return &p->rows.items[p->rows_head + (size_t)(rowno - p->base)];
}

static int row_kept(const partition *p, int64_t rowno)
{
    return rowno >= p->base && rowno < p->base + (int64_t)rows_count(p);
}

static void rows_push(partition *p, int64_t rowno, uint32_t ref, int64_t time)
{
    if (!rows_count(p)) {
        p->rows.len = p->rows_head = 0;
        p->base = rowno;
    } else if (p->rows_head && p->rows_head * 2 >= p->rows.len) {
        memmove(p->rows.items, p->rows.items + p->rows_head, rows_count(p) * sizeof *p->rows.items);
        p->rows.len -= p->rows_head;
        p->rows_head = 0;
    }
    row_entry e = {time, ref};
    VEC_PUSH(p->rows, e);
}

static void rows_release_before(match_op *o, partition *p, int64_t keep)
{
    while (rows_count(p) && p->base < keep) {
        rowpool_release(&o->pool, p->rows.items[p->rows_head++].ref);
        p->base++;
    }
}

/* Releases the rows no thread, waiting match or future PREV can read. */
static void release_rows(match_op *o, partition *p)
{
    int64_t keep = p->next_rowno;
    if (p->threads.t.len) keep = MIN(keep, p->threads.t.items[0].start);
    if (p->done.t.len) keep = MIN(keep, p->done.t.items[0].start);
    rows_release_before(o, p, keep - o->maxprev);
}

/* ---- partitions ---- */

static partition *part_create(match_op *o, const void *key, uint32_t klen, uint64_t hash, int64_t number)
{
    void **slot = hmap_put(&o->parts, key, klen, hash, NULL);
    partition *p = o->spare_parts.len ? o->spare_parts.items[--o->spare_parts.len] : xcalloc(1, sizeof *p);
    p->base = p->next_rowno = 0;
    const hmap_entry *e = (const hmap_entry *)((char *)slot - offsetof(hmap_entry, val));
    p->key = (const uint8_t *)e->key;
    p->klen = klen;
    p->hash = hash;
    pbuf_part_init(&p->buf, number);
    *slot = p;
    return p;
}

static partition *part_of_row(match_op *o, const chunk_t *in, uint32_t r)
{
    uint32_t klen = rowkey_encode(&o->key, in, r, o->part, o->npart);
    const uint8_t *key = o->key.bytes;
    uint64_t h = hash_bytes(key, klen);
    void **slot = hmap_get(&o->parts, key, klen, h);
    return slot ? *slot : part_create(o, key, klen, h, o->next_number++);
}

/* Releases a partition's rows, threads and matches; its buffers stay allocated. */
static void part_clear(match_op *o, partition *p)
{
    pbuf_part_clear(&p->buf, &o->pool);
    rows_release_before(o, p, TS_MAX);
    p->rows.len = p->rows_head = 0;
    tl_truncate(o, &p->threads, 0);
    tl_truncate(o, &p->done, 0);
}

static void part_free(partition *p)
{
    pbuf_part_free(&p->buf);
    VEC_FREE(p->rows);
    tl_free(&p->threads);
    tl_free(&p->done);
    free(p);
}

/* Removes p from the map; up to SPARE_PARTS dropped partitions are kept for reuse, so that
 * keys that come and go do not allocate each time. */
static void part_drop(match_op *o, partition *p)
{
    pbuf_heap_unschedule(&o->fire, &p->buf);
    pbuf_heap_unschedule(&o->expire, &p->buf);
    part_clear(o, p);
    hmap_del(&o->parts, p->key, p->klen, p->hash);
    if (o->spare_parts.len < SPARE_PARTS) VEC_PUSH(o->spare_parts, p);
    else part_free(p);
}

static void drop_all_partitions(match_op *o)
{
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&o->parts, &pos, &e);) {
        part_clear(o, e->val);
        part_free(e->val);
    }
    hmap_free(&o->parts);
    hmap_init(&o->parts);
    o->fire.len = o->expire.len = 0;
}

static void schedule_expiry(match_op *o, partition *p)
{
    if (o->within_us && p->threads.t.len)
        pbuf_heap_schedule(&o->expire, &p->buf, add_sat(p->threads.t.items[0].start_time, o->within_us));
    else
        pbuf_heap_unschedule(&o->expire, &p->buf);
}

/* Drops p when it holds nothing a future row needs. */
static void maybe_drop(match_op *o, partition *p)
{
    if (!p->buf.pending.len && !p->threads.t.len && !p->done.t.len && !o->maxprev) part_drop(o, p);
}

/* ---- navigation in a (partial) match ---- */

/* Row of the k-th row from the last mapped to var (-1: any row) in w, or -1. */
static int64_t view_last(match_op *o, const view *w, int var, int64_t k)
{
    if (var < 0) return w->last - k >= w->start ? w->last - k : -1;
    if (w->cand && w->cur_var == var) {
        if (k == 0) return w->last;
        k--;
    }
    uint32_t nd = w->vi[var].last;
    for (; nd != NO_NODE && k > 0; k--) nd = node_at(o, nd)->prev_same;
    return nd == NO_NODE ? -1 : node_at(o, nd)->rowno;
}

/* Row of the k-th row from the first mapped to var (-1: any row) in w, or -1. */
static int64_t view_first(match_op *o, const view *w, int var, int64_t k)
{
    if (var < 0) return w->start + k <= w->last ? w->start + k : -1;
    int64_t count = (int64_t)w->vi[var].count + (w->cand && w->cur_var == var);
    if (k >= count) return -1;
    return view_last(o, w, var, count - 1 - k);
}

/* Copies column col of row rowno (NULL when the partition has no such row) into dst[i]. */
static void put_col(match_op *o, const partition *p, int64_t rowno, int col, vector_t *dst, uint32_t i, arena_t *a)
{
    if (rowno < 0 || !row_kept(p, rowno)) {
        value_t null = value_null();
        vector_set(dst, i, &null, NULL);
        return;
    }
    const row_entry *e = part_row(p, rowno);
    vector_copy_row(dst, i, &rowpool_chunk(&o->pool, e->ref)->cols[col], rowpool_row(e->ref), a);
}

static void put_nav(match_op *o, const partition *p, const match_nav *nav, const view *w, vector_t *dst, uint32_t i)
{
    value_t v;
    switch (nav->kind) {
    case NAV_PREV: put_col(o, p, w->last - nav->offset, nav->col, dst, i, NULL); return;
    case NAV_FIRST: put_col(o, p, view_first(o, w, nav->var, nav->offset), nav->col, dst, i, NULL); return;
    case NAV_LAST: put_col(o, p, view_last(o, w, nav->var, nav->offset), nav->col, dst, i, NULL); return;
    case NAV_MATCH_ROWTIME: v = value_i64(part_row(p, w->last)->time); break;
    case NAV_CLASSIFIER:
        v = value_null();
        v.null = 0;
        v.s = str_cstr(o->var_names[w->cur_var]);
        break;
    default: return;                /* NAV_AGG: fill_aggregate */
    }
    vector_set(dst, i, &v, NULL);
}

/* The rows of w mapped to var (-1: all), first to last, into o->rownos. */
static void gather_rownos(match_op *o, const view *w, int var)
{
    o->rownos.len = 0;
    if (var < 0) {
        for (int64_t r = w->start; r <= w->last; r++) VEC_PUSH(o->rownos, r);
        return;
    }
    if (w->cand && w->cur_var == var) VEC_PUSH(o->rownos, w->last);
    for (uint32_t nd = w->vi[var].last; nd != NO_NODE; nd = node_at(o, nd)->prev_same) VEC_PUSH(o->rownos, node_at(o, nd)->rowno);
    for (size_t i = 0, j = o->rownos.len; i + 1 < j; i++, j--) {
        int64_t t = o->rownos.items[i];
        o->rownos.items[i] = o->rownos.items[j - 1];
        o->rownos.items[j - 1] = t;
    }
}

static void gather_flush(match_op *o, const agg_set *s)
{
    if (o->gather->nrows) agg_block_update(s, o->gather_blocks, o->gather, o->gather->nrows);
    o->gather->nrows = 0;
}

/* Nav j (an aggregate) for the n views: one block per view, the views' rows gathered into
 * chunks and added in agg_block_update calls, then the results. */
static void fill_aggregate(match_op *o, const partition *p, int j, uint32_t n)
{
    const agg_set *s = &o->agg_sets[j];
    const agg_call *c = &s->calls[0];
    chunk_t *g = o->gather, *e = o->eval;
    g->nrows = 0;
    for (uint32_t i = 0; i < n; i++) {
        void *block = o->blocks + (size_t)i * o->block_size;
        agg_block_init(s, block);
        gather_rownos(o, &o->views.items[i], o->navs[j].var);
        for (size_t k = 0; k < o->rownos.len; k++) {
            if (chunk_full(g)) gather_flush(o, s);
            uint32_t r = g->nrows++;
            g->ops[r] = OP_INSERT;
            o->gather_blocks[r] = block;
            if (c->arg_col >= 0) put_col(o, p, o->rownos.items[k], c->arg_col, &g->cols[c->arg_col], r, NULL);
            if (c->filter_col >= 0) put_col(o, p, o->rownos.items[k], c->filter_col, &g->cols[c->filter_col], r, NULL);
        }
    }
    gather_flush(o, s);
    vector_t *dst = &e->cols[o->nin + (uint32_t)j];
    for (uint32_t i = 0; i < n; i++) {
        void *block = o->blocks + (size_t)i * o->block_size;
        value_t v;
        agg_block_results(s, block, &v, &e->arena);
        vector_set(dst, i, &v, &e->arena);
        agg_block_destroy(s, block);
    }
}

/* Fills the evaluation chunk for views[0..n): the input columns from each view's last row,
 * then the navs, only the columns in `uses`. */
static void fill_eval(match_op *o, const partition *p, uint32_t n, const uint8_t *uses)
{
    chunk_t *e = o->eval;
    chunk_reset(e);
    e->nrows = n;
    const view *views = o->views.items;
    for (uint32_t col = 0; col < o->nin; col++)
        if (uses[col])
            for (uint32_t i = 0; i < n; i++) put_col(o, p, views[i].last, (int)col, &e->cols[col], i, NULL);
    for (int j = 0; j < o->nnavs; j++) {
        if (!uses[o->nin + (uint32_t)j]) continue;
        if (o->navs[j].kind == NAV_AGG) {
            fill_aggregate(o, p, j, n);
            continue;
        }
        for (uint32_t i = 0; i < n; i++) put_nav(o, p, &o->navs[j], &views[i], &e->cols[o->nin + (uint32_t)j], i);
    }
}

/* ---- DEFINE: which threads may take row n as which variable ---- */

static uint8_t *memo_of(match_op *o, size_t ti) { return &o->memo.items[ti * (size_t)o->nvars]; }

/* Evaluates v's DEFINE for its candidate threads, CHUNK_CAP at a time. */
static int test_candidates(match_op *o, partition *p, int v, int64_t n)
{
    size_t ncand = o->cands[v].len;
    eval_ctx ec = {o->op.ctx, &o->eval->arena, &o->scratch};
    for (size_t from = 0; from < ncand; from += CHUNK_CAP) {
        uint32_t m = (uint32_t)MIN((size_t)CHUNK_CAP, ncand - from);
        o->views.len = 0;
        for (uint32_t i = 0; i < m; i++) {
            size_t ti = o->cands[v].items[from + i];
            view w = {p->threads.t.items[ti].start, n, tl_vi(o, &p->threads, ti), v, 1};
            VEC_PUSH(o->views, w);
        }
        fill_eval(o, p, m, &o->define_uses[(size_t)v * (o->nin + (uint32_t)o->nnavs)]);
        int rc = expr_eval(o->define[v], o->eval, &o->test, &ec);
        arena_reset(&o->scratch);
        if (rc < 0) return -1;
        for (uint32_t i = 0; i < m; i++)
            if (!o->test.nulls[i] && o->test.i64[i]) memo_of(o, o->cands[v].items[from + i])[v] = M_TRUE;
    }
    return 0;
}

/* Fills the memo: for every thread and every variable its position can reach, whether it
 * may take row n as that variable. */
static int test_defines(match_op *o, partition *p, int64_t n)
{
    size_t nt = p->threads.t.len, nv = (size_t)o->nvars;
    VEC_GROW(o->memo, nt * nv);
    memset(o->memo.items, M_NONE, nt * nv);
    for (int v = 0; v < o->nvars; v++) o->cands[v].len = 0;
    for (size_t ti = 0; ti < nt; ti++) {
        int32_t pc = p->threads.t.items[ti].pc;
        uint8_t *memo = memo_of(o, ti);
        for (uint32_t k = o->prog.reach_off[pc]; k < o->prog.reach_off[pc + 1]; k++) {
            int32_t v = o->prog.reach_vars[k];
            memo[v] = o->define[v] ? M_FALSE : M_TRUE;
            if (o->define[v]) VEC_PUSH(o->cands[v], (uint32_t)ti);
        }
    }
    for (int v = 0; v < o->nvars; v++)
        if (o->cands[v].len && test_candidates(o, p, v, n) < 0) return -1;
    return 0;
}

/* ---- advancing the threads by one row ---- */

/* Can the program, from pc, take the row (some variable it reaches accepts it)? */
static int takes_row(const match_op *o, int32_t pc, const uint8_t *memo)
{
    for (uint32_t k = o->prog.reach_off[pc]; k < o->prog.reach_off[pc + 1]; k++)
        if (memo[o->prog.reach_vars[k]] == M_TRUE) return 1;
    return 0;
}

static void stamp_next(match_op *o)
{
    if (++o->stamp_gen == 0) {
        memset(o->stamp, 0, (size_t)o->prog.n * sizeof *o->stamp);
        o->stamp_gen = 1;
    }
}

/* Thread k takes row n as var, moving to pc: its successor is appended to o->next. */
static void take_row(match_op *o, partition *p, size_t k, int32_t pc, int32_t var, int64_t n)
{
    const thread *t = &p->threads.t.items[k];
    const vinfo *vi = tl_vi(o, &p->threads, k);
    vinfo *nv = o->empty_vi + o->nvars;           /* scratch slot after the empty entries */
    memcpy(nv, vi, (size_t)o->nvars * sizeof *nv);
    uint32_t nd = node_new(o, n, var, t->tail, vi[var].last);
    if (!nv[var].count) nv[var].first = nd;
    nv[var].last = nd;
    nv[var].count++;
    thread s = {t->start, t->start_time, nd, pc};
    tl_push(o, &o->next, &s, nv);
}

/* A group (the threads that began at one row) completed: its successors from `mark` on are
 * dropped, the completed one (from o->next, or thread k itself) waits for emission. */
static void complete_group(match_op *o, partition *p, size_t mark, size_t k, int from_next)
{
    if (from_next) {
        size_t last = o->next.t.len - 1;
        tl_insert_sorted(o, &p->done, &o->next.t.items[last], tl_vi(o, &o->next, last));
        o->next.t.len = last;                         /* its tail reference moved to done */
        o->next.v.len = last * (size_t)o->nvars;
    } else {
        const thread *t = &p->threads.t.items[k];
        if (t->tail != NO_NODE) node_at(o, t->tail)->refs++;
        tl_insert_sorted(o, &p->done, t, tl_vi(o, &p->threads, k));
    }
    tl_truncate(o, &o->next, mark);
}

/* Walks the program from thread k's position for row n in priority order, appending its
 * successors to o->next. Returns 1 when its group completed. */
static int walk_thread(match_op *o, partition *p, size_t k, int64_t n, size_t mark)
{
    const uint8_t *memo = memo_of(o, k);
    const instr *code = o->prog.code;
    stamp_next(o);
    o->stack.len = 0;
    VEC_PUSH(o->stack, p->threads.t.items[k].pc);
    while (o->stack.len) {
        int32_t pc = o->stack.items[--o->stack.len];
        if (o->stamp[pc] == o->stamp_gen) continue;
        o->stamp[pc] = o->stamp_gen;
        const instr *in = &code[pc];
        switch (in->op) {
        case I_JMP: VEC_PUSH(o->stack, in->x); break;
        case I_SPLIT:
            if (in->cut && takes_row(o, in->x, memo)) {
                VEC_PUSH(o->stack, in->x);          /* greedy: the exit may not take this row */
            } else {
                VEC_PUSH(o->stack, in->y);
                VEC_PUSH(o->stack, in->x);
            }
            break;
        case I_VAR:
            if (memo[in->var] != M_TRUE) break;
            take_row(o, p, k, pc + 1, in->var, n);
            if (o->prog.finish_now[pc + 1]) {
                complete_group(o, p, mark, k, 1);
                return 1;
            }
            break;
        case I_MATCH:                                 /* ends before row n: a greedy end */
            complete_group(o, p, mark, k, 0);
            return 1;
        }
    }
    return 0;
}

/* Every thread takes row n (or dies); groups that complete move to p->done. */
static void advance(match_op *o, partition *p, int64_t n)
{
    tlist *cur = &p->threads;
    tl_truncate(o, &o->next, 0);
    size_t nt = cur->t.len;
    for (size_t i = 0; i < nt;) {
        size_t j = i;
        while (j < nt && cur->t.items[j].start == cur->t.items[i].start) j++;
        size_t mark = o->next.t.len;
        for (size_t k = i; k < j; k++)
            if (walk_thread(o, p, k, n, mark)) break;
        i = j;
    }
    tl_truncate(o, cur, 0);
    tlist swap = *cur;
    *cur = o->next;
    o->next = swap;
}

/* The threads [i, j) of one group can take no more rows: the first that can end where it is
 * completes. */
static void finish_group(match_op *o, partition *p, size_t i, size_t j)
{
    for (size_t k = i; k < j; k++) {
        const thread *t = &p->threads.t.items[k];
        if (!o->prog.finish_any[t->pc] || t->tail == NO_NODE) continue;
        node_at(o, t->tail)->refs++;
        tl_insert_sorted(o, &p->done, t, tl_vi(o, &p->threads, k));
        return;
    }
}

/* Ends the threads WITHIN rules out at time now: those with first + w < now (strict: the row
 * at `now` is too late for them) or first + w <= now (no later row can come at now itself);
 * every thread when `all` is set. */
static void end_threads(match_op *o, partition *p, int64_t now, int strict, int all)
{
    size_t nt = p->threads.t.len, i = 0;
    while (i < nt) {
        const thread *t = &p->threads.t.items[i];
        int64_t due = add_sat(t->start_time, o->within_us);
        if (!all && (strict ? due >= now : due > now)) break;
        size_t j = i;
        while (j < nt && p->threads.t.items[j].start == t->start) j++;
        finish_group(o, p, i, j);
        i = j;
    }
    for (size_t k = 0; k < i; k++) node_release(o, p->threads.t.items[k].tail);
    tl_shift(o, &p->threads, i);
}

/* ---- emission ---- */

static int flush_out(match_op *o)
{
    int rc = op_emit(&o->op, o->out);
    chunk_reset(o->out);
    return rc;
}

static const char *skip_name(match_skip s) { return s == SKIP_TO_FIRST ? "FIRST" : "LAST"; }

/* Threads and waiting matches that began before *cut are dropped after match m. */
static int skip_cut(match_op *o, const thread *m, const vinfo *vi, int64_t *cut)
{
    const mnode *tail = node_at(o, m->tail);
    switch (o->skip) {
    case SKIP_PAST_LAST_ROW: *cut = tail->rowno + 1; return 0;
    case SKIP_TO_NEXT_ROW: *cut = m->start + 1; return 0;
    default: break;
    }
    view w = {m->start, tail->rowno, vi, tail->var, 0};
    const char *v = o->var_names[o->skip_var];
    int64_t r = o->skip == SKIP_TO_FIRST ? view_first(o, &w, o->skip_var, 0) : view_last(o, &w, o->skip_var, 0);
    if (r < 0)
        return err_msg("MatchRecognize: AFTER MATCH SKIP TO %s %s: the match found maps no row to %s, so there "
                       "is no row to resume at", skip_name(o->skip), v, v);
    if (r == m->start)
        return err_msg("MatchRecognize: AFTER MATCH SKIP TO %s %s would resume at the first row of the match just "
                       "found and find it again forever; Flink fails the same way", skip_name(o->skip), v);
    *cut = r;
    return 0;
}

/* Evaluates the measures of the matches in o->emitted and appends the output rows. */
static int output_matches(match_op *o, partition *p)
{
    size_t nm = o->emitted.t.len;
    eval_ctx ec = {o->op.ctx, &o->eval->arena, &o->scratch};
    for (size_t from = 0; from < nm; from += CHUNK_CAP) {
        uint32_t m = (uint32_t)MIN((size_t)CHUNK_CAP, nm - from);
        o->views.len = 0;
        for (uint32_t i = 0; i < m; i++) {
            const thread *t = &o->emitted.t.items[from + i];
            const mnode *tail = node_at(o, t->tail);
            view w = {t->start, tail->rowno, tl_vi(o, &o->emitted, from + i), tail->var, 0};
            VEC_PUSH(o->views, w);
        }
        fill_eval(o, p, m, o->measure_uses);
        for (int k = 0; k < o->nmeasures; k++) {
            if (expr_eval(o->measures[k], o->eval, &o->mvals[k], &ec) < 0) {
                arena_reset(&o->scratch);
                return -1;
            }
        }
        for (uint32_t i = 0; i < m; i++) {
            if (chunk_full(o->out) && flush_out(o) < 0) return -1;
            chunk_t *out = o->out;
            uint32_t r = out->nrows++;
            out->ops[r] = OP_INSERT;
            for (int k = 0; k < o->npart; k++) put_col(o, p, o->views.items[i].last, o->part[k], &out->cols[k], r, &out->arena);
            for (int k = 0; k < o->nmeasures; k++)
                vector_copy_row(&out->cols[o->npart + k], r, &o->mvals[k], i, &out->arena);
        }
        arena_reset(&o->scratch);
    }
    return 0;
}

/* Emits the waiting matches that no live thread began before, earliest first, pruning after
 * each as the skip mode says. */
static int emit_ready(match_op *o, partition *p)
{
    int rc = 0;
    while (p->done.t.len) {
        const thread *m = &p->done.t.items[0];
        if (p->threads.t.len && p->threads.t.items[0].start < m->start) break;
        int64_t cut = 0;
        if (skip_cut(o, m, tl_vi(o, &p->done, 0), &cut) < 0) {
            rc = -1;
            break;
        }
        tl_push(o, &o->emitted, m, tl_vi(o, &p->done, 0));
        tl_shift(o, &p->done, 1);
        tl_drop_before(o, &p->threads, cut);
        tl_drop_before(o, &p->done, cut);
    }
    if (rc == 0 && o->emitted.t.len) rc = output_matches(o, p);
    tl_truncate(o, &o->emitted, 0);
    return rc;
}

/* After threads ended: emit, release, reschedule; p may be dropped. */
static void settle(match_op *o, partition *p, int *rc)
{
    if (emit_ready(o, p) < 0) *rc = -1;
    release_rows(o, p);
    schedule_expiry(o, p);
    maybe_drop(o, p);
}

/* ---- processing one row ---- */

/* Row `ref` (in the pool) of partition p at time `time`: WITHIN ends old threads, a new
 * thread may begin at it, every thread takes it or dies, complete matches are emitted. */
static int process_row(match_op *o, partition *p, uint32_t ref, int64_t time)
{
    int64_t n = p->next_rowno++;
    rows_push(p, n, ref, time);
    if (o->within_us) end_threads(o, p, time, 1, 0);
    thread fresh = {n, time, NO_NODE, 0};
    tl_push(o, &p->threads, &fresh, o->empty_vi);
    if (test_defines(o, p, n) < 0) return -1;
    advance(o, p, n);
    return emit_ready(o, p);
}

/* ---- event time ---- */

static int buffer_rows(match_op *o, const chunk_t *in)
{
    uint32_t n = chunk_live(in);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = chunk_row(in, i);
        const vector_t *tv = &in->cols[o->time_col];
        if (tv->nulls[r])
            return err_msg("MatchRecognize: the time attribute '%s' is NULL; a rowtime must not be NULL",
                           o->eval_names.names[o->time_col]);
        int64_t t = tv->i64[r];
        if (t <= o->op.wm) {
            o->op.stats.late++;
            continue;
        }
        partition *p = part_of_row(o, in, r);
        pbuf_add(&o->fire, &p->buf, (pbuf_row){t, o->next_seq++, rowpool_add(&o->pool, in, r, NULL, OP_INSERT)});
    }
    return 0;
}

/* Processes p's pending rows with time <= wm in order; p may be dropped. */
static void fire_partition(match_op *o, partition *p, int64_t wm, int *rc)
{
    while (*rc == 0 && pbuf_has_due(&p->buf, wm)) {
        pbuf_row pr = pbuf_pop(&p->buf);
        if (process_row(o, p, pr.ref, pr.time) < 0) *rc = -1;
        release_rows(o, p);
    }
    pbuf_reschedule(&o->fire, &p->buf);
    schedule_expiry(o, p);
    maybe_drop(o, p);
}

static int fire_due(match_op *o, int64_t wm)
{
    int rc = 0;
    pbuf_part *p;
    while (rc == 0 && (p = pbuf_heap_due(&o->fire, wm))) fire_partition(o, (partition *)p, wm, &rc);
    return rc;
}

/* WITHIN: ends the threads no row after `limit` can extend (first + w <= limit); strict:
 * those with first + w < limit. */
static int expire_due(match_op *o, int64_t limit, int strict)
{
    int rc = 0;
    while (rc == 0 && o->expire.len) {
        partition *p = (partition *)o->expire.items[0];
        int64_t due = p->buf.due[HEAP_EXPIRE];
        if (strict ? due >= limit : due > limit) break;
        end_threads(o, p, limit, strict, 0);
        settle(o, p, &rc);
    }
    return rc;
}

/* End of input: every thread ends (completing where it can). */
static int end_all(match_op *o)
{
    int rc = 0;
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&o->parts, &pos, &e);) {
        partition *p = e->val;
        end_threads(o, p, TS_MAX, 0, 1);
        settle(o, p, &rc);
    }
    return rc;
}

/* ---- processing time ---- */

static int64_t clock_now(const match_op *o)
{
    return o->op.ctx && o->op.ctx->now_us ? o->op.ctx->now_us() : ctx_wall_clock_us();
}

static int process_arrivals(match_op *o, const chunk_t *in)
{
    uint32_t n = chunk_live(in);
    int64_t now = clock_now(o);
    int rc = 0;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        uint32_t r = chunk_row(in, i);
        partition *p = part_of_row(o, in, r);
        rc = process_row(o, p, rowpool_add(&o->pool, in, r, NULL, OP_INSERT), now);
        release_rows(o, p);
        schedule_expiry(o, p);
        maybe_drop(o, p);
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
            return err_msg("MatchRecognize takes insert-only input but received a %s row", row_op_names[op]);
    }
    return 0;
}

static void update_stats(match_op *o) { o->op.stats.state_keys = o->parts.len; }

static int mr_push(op_t *op, int port, chunk_t *in)
{
    (void)port;
    match_op *o = (match_op *)op;
    if (!chunk_live(in)) return 0;
    if (check_insert_only(in) < 0) return -1;
    int rc = o->proctime ? process_arrivals(o, in) : buffer_rows(o, in);
    if (flush_out(o) < 0) rc = -1;
    update_stats(o);
    return rc;
}

static int mr_watermark(op_t *op, int64_t wm)
{
    match_op *o = (match_op *)op;
    if (!o->proctime) {
        int rc = fire_due(o, wm);
        if (rc == 0) rc = expire_due(o, wm, 0);
        if (rc == 0 && wm == TS_MAX) rc = end_all(o);
        if (flush_out(o) < 0) rc = -1;
        update_stats(o);
        if (rc < 0) return -1;
    }
    return op_emit_watermark(op, wm);
}

static int mr_timer(op_t *op, int64_t now_us)
{
    match_op *o = (match_op *)op;
    if (!o->proctime) return 0;
    int rc = expire_due(o, now_us, 1);
    if (flush_out(o) < 0) rc = -1;
    update_stats(o);
    return rc;
}

static int mr_finish(op_t *op)
{
    match_op *o = (match_op *)op;
    if (!o->proctime) return 0;
    int rc = end_all(o);
    if (flush_out(o) < 0) rc = -1;
    update_stats(o);
    return rc;
}

/* ---- checkpoint ---- */

static void put_threads(match_op *o, const tlist *l, snap_writer *w)
{
    snap_put_u32(w, (uint32_t)l->t.len);
    for (size_t i = 0; i < l->t.len; i++) {
        const thread *t = &l->t.items[i];
        snap_put_i64(w, t->start);
        snap_put_i64(w, t->start_time);
        snap_put_u32(w, (uint32_t)t->pc);
        o->rownos.len = 0;
        for (uint32_t nd = t->tail; nd != NO_NODE; nd = node_at(o, nd)->parent) VEC_PUSH(o->rownos, node_at(o, nd)->var);
        snap_put_u32(w, (uint32_t)o->rownos.len);
        for (size_t k = o->rownos.len; k-- > 0;) snap_put_u32(w, (uint32_t)o->rownos.items[k]);
    }
}

static int mr_snapshot(op_t *op, snap_writer *w)
{
    match_op *o = (match_op *)op;
    pbuf_put_header(w, op, &(pbuf_snap_header){o->next_seq, o->next_number, (uint32_t)o->parts.len});
    hmap_entry *e;
    for (size_t pos = 0; hmap_next(&o->parts, &pos, &e);) {
        partition *p = e->val;
        snap_put_bytes(w, p->key, p->klen);
        snap_put_i64(w, p->buf.number);
        snap_put_i64(w, p->next_rowno);
        snap_put_i64(w, p->base);
        snap_put_u32(w, (uint32_t)rows_count(p));
        for (size_t i = p->rows_head; i < p->rows.len; i++) {
            snap_put_i64(w, p->rows.items[i].time);
            pbuf_put_row(&o->pool, p->rows.items[i].ref, w);
        }
        put_threads(o, &p->threads, w);
        put_threads(o, &p->done, w);
        pbuf_snapshot(&p->buf, &o->pool, w);
    }
    return 0;
}

static int corrupt(void) { return err_msg("snapshot of MatchRecognize is corrupt: a partial match does not fit its rows"); }

/* Reads a thread list, rebuilding each chain of nodes. */
static int get_threads(match_op *o, const partition *p, tlist *l, snap_reader *r)
{
    uint32_t count = snap_get_u32(r);
    vinfo *vi = o->empty_vi + o->nvars;
    for (uint32_t i = 0; i < count && !r->failed; i++) {
        thread t = {0, 0, NO_NODE, 0};
        t.start = snap_get_i64(r);
        t.start_time = snap_get_i64(r);
        t.pc = (int32_t)snap_get_u32(r);
        uint32_t len = snap_get_u32(r);
        if (r->failed) return -1;
        if (t.pc < 0 || t.pc >= o->prog.n || t.start < p->base || t.start + len > p->next_rowno) return corrupt();
        memcpy(vi, o->empty_vi, (size_t)o->nvars * sizeof *vi);
        for (uint32_t k = 0; k < len && !r->failed; k++) {
            uint32_t var = snap_get_u32(r);
            if (var >= (uint32_t)o->nvars) {
                node_release(o, t.tail);
                return corrupt();
            }
            uint32_t nd = node_new(o, t.start + k, (int32_t)var, t.tail, vi[var].last);
            node_release(o, t.tail);
            t.tail = nd;
            if (!vi[var].count) vi[var].first = nd;
            vi[var].last = nd;
            vi[var].count++;
        }
        tl_push(o, l, &t, vi);
    }
    return r->failed ? -1 : 0;
}

static int restore_partition(match_op *o, snap_reader *r, chunk_t *tmp)
{
    uint32_t klen;
    const void *key = snap_get_bytes(r, &klen);
    int64_t number = snap_get_i64(r);
    if (r->failed) return -1;
    uint64_t h = hash_bytes(key, klen);
    if (hmap_get(&o->parts, key, klen, h)) return err_msg("snapshot of MatchRecognize holds the same partition key twice");
    partition *p = part_create(o, key, klen, h, number);
    p->next_rowno = snap_get_i64(r);
    int64_t base = snap_get_i64(r);
    uint32_t nrows = snap_get_u32(r);
    if (r->failed) return -1;
    if (base + (int64_t)nrows > p->next_rowno) return corrupt();
    for (uint32_t i = 0; i < nrows && !r->failed; i++) {
        int64_t t = snap_get_i64(r);
        rows_push(p, base + i, pbuf_get_row(&o->pool, r, tmp), t);
    }
    p->base = base;
    if (get_threads(o, p, &p->threads, r) < 0 || get_threads(o, p, &p->done, r) < 0) return -1;
    pbuf_restore(&o->fire, &p->buf, &o->pool, r, tmp);
    schedule_expiry(o, p);
    return r->failed ? -1 : 0;
}

static int mr_restore(op_t *op, snap_reader *r)
{
    match_op *o = (match_op *)op;
    drop_all_partitions(o);
    pbuf_snap_header h;
    if (pbuf_get_header(r, op, "MatchRecognize", &h) < 0) return -1;
    o->next_seq = h.next_seq;
    o->next_number = h.next_number;
    chunk_t *tmp = chunk_new_types(o->nin, o->pool.types, 1);
    int rc = 0;
    for (uint32_t i = 0; i < h.nparts && rc == 0; i++) rc = restore_partition(o, r, tmp);
    chunk_free(tmp);
    update_stats(o);
    if (snap_check(r, "MatchRecognize") < 0) return -1;
    return rc;
}

/* ---- explain ---- */

static void put_duration(sb_t *out, int64_t us)
{
    static const struct { int64_t unit; const char *name; } units[] = {
        {US_PER_DAY, "d"}, {3600 * US_PER_SEC, "h"}, {60 * US_PER_SEC, "min"}, {US_PER_SEC, "s"},
        {US_PER_MS, "ms"}, {1, "us"},
    };
    for (size_t i = 0; i < ARRAY_LEN(units); i++)
        if (us % units[i].unit == 0) { sb_printf(out, "%lld %s", (long long)(us / units[i].unit), units[i].name); return; }
}

/* The text of nav j, as it could be written: "LAST(A.price, 1)", "SUM(B.price)". */
static char *nav_text(const match_op *o, const schema_t *in, int j)
{
    const match_nav *nav = &o->navs[j];
    sb_t sb = {0};
    const char *col = nav->col < 0 ? "*" : in->names[nav->col] ? in->names[nav->col] : "?";
    const char *var = nav->var >= 0 ? o->var_names[nav->var] : NULL;
    switch (nav->kind) {
    case NAV_PREV: sb_printf(&sb, "PREV(%s, %d)", col, nav->offset); break;
    case NAV_FIRST:
    case NAV_LAST:
        sb_printf(&sb, "%s(%s%s%s, %d)", nav->kind == NAV_FIRST ? "FIRST" : "LAST", var ? var : "", var ? "." : "", col,
                  nav->offset);
        break;
    case NAV_AGG:
        sb_printf(&sb, "%s(%s%s%s%s)", nav->agg.def->name, nav->agg.distinct ? "DISTINCT " : "", var ? var : "",
                  var ? "." : "", col);
        break;
    case NAV_MATCH_ROWTIME: sb_puts(&sb, "MATCH_ROWTIME()"); break;
    case NAV_CLASSIFIER: sb_puts(&sb, "CLASSIFIER()"); break;
    }
    return sb_take(&sb);
}

static const char *skip_text(const match_op *o, sb_t *tmp)
{
    switch (o->skip) {
    case SKIP_PAST_LAST_ROW: return "SKIP PAST LAST ROW";
    case SKIP_TO_NEXT_ROW: return "SKIP TO NEXT ROW";
    default:
        sb_printf(tmp, "SKIP TO %s %s", skip_name(o->skip), o->var_names[o->skip_var]);
        return sb_str(tmp);
    }
}

static void mr_explain(op_t *op, sb_t *out)
{
    match_op *o = (match_op *)op;
    const schema_t *names = &o->eval_names;
    sb_puts(out, "partitionBy=[");
    for (int k = 0; k < o->npart; k++) sb_printf(out, "%s%s", k ? ", " : "", names->names[o->part[k]]);
    sb_printf(out, "], orderBy=[%s ASC], measures=[",
              o->time_col >= 0 ? names->names[o->time_col] : "PROCTIME");
    for (int k = 0; k < o->nmeasures; k++) {
        if (k) sb_puts(out, ", ");
        expr_format(o->measures[k], names, out);
        const char *name = o->op.schema.names ? o->op.schema.names[o->npart + k] : NULL;
        sb_printf(out, " AS %s", name ? name : "?");
    }
    sb_t tmp = {0};
    sb_printf(out, "], rowsPerMatch=[ONE ROW PER MATCH], after=[%s], pattern=[%s]", skip_text(o, &tmp), o->pattern_text);
    sb_free(&tmp);
    if (o->within_us) {
        sb_puts(out, ", within=[");
        put_duration(out, o->within_us);
        sb_putc(out, ']');
    }
    sb_puts(out, ", define=[");
    int first = 1;
    for (int v = 0; v < o->nvars; v++) {
        if (!o->define[v]) continue;
        sb_printf(out, "%s%s AS ", first ? "" : ", ", o->var_names[v]);
        expr_format(o->define[v], names, out);
        first = 0;
    }
    sb_putc(out, ']');
}

/* ---- destroy, construction ---- */

static void mr_destroy(op_t *op)
{
    match_op *o = (match_op *)op;
    drop_all_partitions(o);
    hmap_free(&o->parts);
    for (size_t i = 0; i < o->spare_parts.len; i++) part_free(o->spare_parts.items[i]);
    VEC_FREE(o->spare_parts);
    tl_truncate(o, &o->next, 0);
    tl_truncate(o, &o->emitted, 0);
    tl_free(&o->next);
    tl_free(&o->emitted);
    rowpool_free(&o->pool);
    for (int j = 0; j < o->nnavs; j++) agg_set_free(&o->agg_sets[j]);
    free(o->agg_sets);
    free(o->agg_calls);
    free(o->blocks);
    free(o->gather_blocks);
    chunk_free(o->gather);
    chunk_free(o->eval);
    chunk_free(o->out);
    vector_free(&o->test);
    for (int k = 0; k < o->nmeasures; k++) vector_free(&o->mvals[k]);
    free(o->mvals);
    arena_free(&o->scratch);
    program_free(&o->prog);
    for (int v = 0; v < o->nvars; v++) {
        free(o->var_names[v]);
        VEC_FREE(o->cands[v]);
    }
    free(o->var_names);
    free(o->cands);
    free(o->define);
    free(o->measures);
    free(o->navs);
    free(o->define_uses);
    free(o->measure_uses);
    free(o->empty_vi);
    pbuf_heap_free(&o->fire);
    pbuf_heap_free(&o->expire);
    VEC_FREE(o->nodes);
    VEC_FREE(o->free_nodes);
    VEC_FREE(o->memo);
    VEC_FREE(o->views);
    VEC_FREE(o->stack);
    VEC_FREE(o->rownos);
    free(o->stamp);
    rowkey_buf_free(&o->key);
    free(o->pattern_text);
    schema_free(&o->eval_names);
    free(o->part);
    free(o);
}

static const op_vtable match_vt = {
    .name = "Match",
    .push = mr_push,
    .watermark = mr_watermark,
    .timer = mr_timer,
    .finish = mr_finish,
    .snapshot = mr_snapshot,
    .restore = mr_restore,
    .explain = mr_explain,
    .destroy = mr_destroy,
};

/* Largest column an expression reads, -1 if none. */
static int max_col(const expr_t *e)
{
    int m = e->kind == EX_COL ? e->col : -1;
    for (int i = 0; i < e->nargs; i++) m = MAX(m, max_col(e->args[i]));
    return m;
}

static int check_nav(const match_spec *spec, int j)
{
    const match_nav *nav = &spec->navs[j];
    const schema_t *in = spec->input;
    int nin = (int)in->ncols;
    char t1[64], t2[64];
    if (nav->var < -1 || nav->var >= spec->nvars)
        return err_msg("MatchRecognize: nav %d refers to variable %d; there are %d variables", j, nav->var, spec->nvars);
    switch (nav->kind) {
    case NAV_PREV:
    case NAV_FIRST:
    case NAV_LAST:
        if (nav->col < 0 || nav->col >= nin)
            return err_msg("MatchRecognize: nav %d reads column %d; the input has %d columns", j, nav->col, nin);
        if (nav->offset < 0) return err_msg("MatchRecognize: nav %d has the negative offset %d", j, nav->offset);
        if (type_phys(nav->type) != type_phys(in->types[nav->col]))
            return err_msg("MatchRecognize: nav %d is typed %s but reads column '%s' of type %s", j,
                           type_name(nav->type, t1, sizeof t1), in->names[nav->col], type_name(in->types[nav->col], t2, sizeof t2));
        return 0;
    case NAV_AGG:
        if (!nav->agg.def) return err_msg("MatchRecognize: aggregate nav %d has no function", j);
        if (nav->col < -1 || nav->col >= nin || nav->agg.filter_col >= nin)
            return err_msg("MatchRecognize: aggregate nav %d reads a column past the %d input columns", j, nin);
        if (nav->col < 0 && strcmp(nav->agg.def->name, "COUNT") != 0)
            return err_msg("MatchRecognize: aggregate %s (nav %d) needs an argument column", nav->agg.def->name, j);
        if (nav->col < 0 && nav->agg.distinct)
            return err_msg("MatchRecognize: COUNT(DISTINCT *) (nav %d) is not valid", j);
        if (type_phys(nav->type) != type_phys(nav->agg.result_type))
            return err_msg("MatchRecognize: aggregate nav %d is typed %s but %s returns %s", j, type_name(nav->type, t1, sizeof t1),
                           nav->agg.def->name, type_name(nav->agg.result_type, t2, sizeof t2));
        return 0;
    case NAV_MATCH_ROWTIME:
        if (type_phys(nav->type) != PHYS_I64) return err_msg("MatchRecognize: MATCH_ROWTIME (nav %d) must be a TIMESTAMP", j);
        return 0;
    case NAV_CLASSIFIER:
        if (type_phys(nav->type) != PHYS_STR) return err_msg("MatchRecognize: CLASSIFIER (nav %d) must be a STRING", j);
        return 0;
    }
    return err_msg("MatchRecognize: nav %d has the unknown kind %d", j, (int)nav->kind);
}

static int check_exprs(const match_spec *spec, const schema_t *out)
{
    int ncols = (int)spec->input->ncols + spec->nnavs;
    char t1[64], t2[64];
    for (int v = 0; v < spec->nvars; v++) {
        const expr_t *d = spec->define ? spec->define[v] : NULL;
        if (!d) continue;
        if (d->type.id != TY_BOOLEAN)
            return err_at(d->span, "DEFINE %s must be a BOOLEAN condition, not %s", spec->var_names[v], type_name(d->type, t1, sizeof t1));
        if (max_col(d) >= ncols)
            return err_at(d->span, "DEFINE %s reads column %d; there are %d input columns and navs", spec->var_names[v], max_col(d), ncols);
    }
    for (int k = 0; k < spec->nmeasures; k++) {
        const expr_t *m = spec->measures[k];
        if (!m) return err_msg("MatchRecognize: measure %d is missing", k);
        if (max_col(m) >= ncols)
            return err_at(m->span, "measure '%s' reads column %d; there are %d input columns and navs", out->names[spec->npart + k],
                          max_col(m), ncols);
        if (type_phys(m->type) != type_phys(out->types[spec->npart + k]))
            return err_at(m->span, "measure '%s' is %s but its output column is %s", out->names[spec->npart + k],
                          type_name(m->type, t1, sizeof t1), type_name(out->types[spec->npart + k], t2, sizeof t2));
    }
    return 0;
}

static int check_spec(const schema_t *out, const match_spec *spec)
{
    if (!spec->input) return err_msg("MatchRecognize needs its input schema");
    const schema_t *in = spec->input;
    uint32_t nin = in->ncols;
    if (spec->npart < 0 || spec->nmeasures < 0 || spec->nnavs < 0 || out->ncols != (uint32_t)(spec->npart + spec->nmeasures))
        return err_msg("MatchRecognize output has %u columns; expected %d partition columns plus %d measures", out->ncols,
                       spec->npart, spec->nmeasures);
    for (int k = 0; k < spec->npart; k++) {
        int c = spec->part[k];
        if (c < 0 || (uint32_t)c >= nin)
            return err_msg("MatchRecognize partition key %d is column %d; the input has %u columns", k, c, nin);
        if (type_phys(in->types[c]) != type_phys(out->types[k]))
            return err_msg("MatchRecognize: output column %d does not have the type of partition column '%s'", k, in->names[c]);
    }
    if (!spec->proctime) {
        if (spec->time_col < 0 || (uint32_t)spec->time_col >= nin)
            return err_msg("MatchRecognize time column %d is not among the %u input columns", spec->time_col, nin);
        if (type_phys(in->types[spec->time_col]) != PHYS_I64)
            return err_msg("MatchRecognize: ORDER BY column '%s' is not a time attribute", in->names[spec->time_col]);
    } else if (spec->time_col >= (int)nin) {
        return err_msg("MatchRecognize time column %d is not among the %u input columns", spec->time_col, nin);
    }
    if (spec->nvars < 1 || !spec->var_names) return err_msg("MatchRecognize needs at least one pattern variable");
    for (int v = 0; v < spec->nvars; v++)
        if (!spec->var_names[v]) return err_msg("MatchRecognize: pattern variable %d has no name", v);
    if (!spec->pattern) return err_msg("MatchRecognize needs a pattern");
    if (check_pattern(spec->pattern, spec->nvars, 0) < 0) return -1;
    if (node_nullable(spec->pattern))
        return err_msg("Patterns that can produce empty matches are not supported. There must be at least one non-optional "
                       "variable, e.g. not PATTERN (A*) or PATTERN (A? B*)");
    for (int j = 0; j < spec->nnavs; j++)
        if (check_nav(spec, j) < 0) return -1;
    if ((spec->skip == SKIP_TO_FIRST || spec->skip == SKIP_TO_LAST) && (spec->skip_var < 0 || spec->skip_var >= spec->nvars))
        return err_msg("MatchRecognize: AFTER MATCH SKIP TO refers to variable %d; there are %d variables", spec->skip_var,
                       spec->nvars);
    if (spec->skip < SKIP_PAST_LAST_ROW || spec->skip > SKIP_TO_LAST)
        return err_msg("MatchRecognize: unknown AFTER MATCH SKIP mode %d", (int)spec->skip);
    if (spec->within_us < 0) return err_msg("MatchRecognize: WITHIN %lld us is negative", (long long)spec->within_us);
    return check_exprs(spec, out);
}

/* Which evaluation columns e reads, into uses[0 .. ncols). */
static void mark_uses(const expr_t *e, uint8_t *uses, uint32_t ncols)
{
    for (uint32_t c = 0; c < ncols; c++)
        if (expr_uses_col(e, (int)c)) uses[c] = 1;
}

static void init_names(match_op *o, const schema_t *in)
{
    uint32_t ncols = o->nin + (uint32_t)o->nnavs;
    schema_init(&o->eval_names, ncols);
    for (uint32_t c = 0; c < o->nin; c++) {
        o->eval_names.types[c] = in->types[c];
        o->eval_names.names[c] = xstrdup(in->names[c] ? in->names[c] : "?");
    }
    for (int j = 0; j < o->nnavs; j++) {
        o->eval_names.types[o->nin + (uint32_t)j] = o->navs[j].type;
        o->eval_names.names[o->nin + (uint32_t)j] = nav_text(o, in, j);
    }
}

static uint32_t align16(size_t x) { return (uint32_t)((x + 15) & ~(size_t)15); }

static int init_aggregates(match_op *o)
{
    o->agg_calls = xcalloc((size_t)o->nnavs + 1, sizeof *o->agg_calls);
    o->agg_sets = xcalloc((size_t)o->nnavs + 1, sizeof *o->agg_sets);
    for (int j = 0; j < o->nnavs; j++) {
        if (o->navs[j].kind != NAV_AGG) continue;
        o->agg_calls[j] = o->navs[j].agg;
        o->agg_calls[j].arg_col = o->navs[j].col;
        o->agg_calls[j].append_only = 1;        /* a match's rows are only ever added */
        if (agg_set_init(&o->agg_sets[j], &o->agg_calls[j], 1) < 0) return -1;
        o->block_size = MAX(o->block_size, align16(o->agg_sets[j].block_size));
    }
    if (o->block_size) {
        o->blocks = xcalloc(CHUNK_CAP, o->block_size);
        o->gather_blocks = xcalloc(CHUNK_CAP, sizeof *o->gather_blocks);
        o->gather = chunk_new_types(o->nin, o->pool.types, CHUNK_CAP);
    }
    return 0;
}

static void init_evaluation(match_op *o, const match_spec *spec)
{
    uint32_t ncols = o->nin + (uint32_t)o->nnavs;
    o->define_uses = xcalloc((size_t)o->nvars * ncols + 1, 1);
    o->measure_uses = xcalloc((size_t)ncols + 1, 1);
    for (int v = 0; v < o->nvars; v++)
        if (o->define[v]) mark_uses(o->define[v], &o->define_uses[(size_t)v * ncols], ncols);
    for (int k = 0; k < o->nmeasures; k++) mark_uses(o->measures[k], o->measure_uses, ncols);
    type_t *types = xmalloc(((size_t)ncols + 1) * sizeof *types);
    memcpy(types, spec->input->types, o->nin * sizeof *types);
    for (int j = 0; j < o->nnavs; j++) {
        types[o->nin + (uint32_t)j] = o->navs[j].type;
        if (o->navs[j].kind == NAV_PREV) o->maxprev = MAX(o->maxprev, (int64_t)o->navs[j].offset);
    }
    o->eval = chunk_new_types(ncols, types, CHUNK_CAP);
    free(types);
    vector_init(&o->test, type_make(TY_BOOLEAN), CHUNK_CAP);
    o->mvals = xcalloc((size_t)o->nmeasures + 1, sizeof *o->mvals);
    for (int k = 0; k < o->nmeasures; k++) vector_init(&o->mvals[k], o->measures[k]->type, CHUNK_CAP);
    arena_init(&o->scratch, 16 * 1024);
}

op_t *match_new(exec_ctx *ctx, const schema_t *out, const match_spec *spec)
{
    if (check_spec(out, spec) < 0) return NULL;
    match_op *o = xcalloc(1, sizeof *o);
    op_init(&o->op, &match_vt, ctx, out, 1);
    o->nin = spec->input->ncols;
    o->nvars = spec->nvars;
    o->var_names = xcalloc((size_t)o->nvars, sizeof *o->var_names);
    for (int v = 0; v < o->nvars; v++) o->var_names[v] = xstrdup(spec->var_names[v]);
    o->cands = xcalloc((size_t)o->nvars, sizeof *o->cands);
    o->part = xmalloc(((size_t)spec->npart + 1) * sizeof *o->part);
    memcpy(o->part, spec->part, (size_t)spec->npart * sizeof *o->part);
    o->npart = spec->npart;
    o->time_col = spec->time_col;
    o->proctime = spec->proctime;
    o->define = xcalloc((size_t)o->nvars, sizeof *o->define);
    if (spec->define) memcpy(o->define, spec->define, (size_t)o->nvars * sizeof *o->define);
    o->nnavs = spec->nnavs;
    o->navs = xmalloc(((size_t)o->nnavs + 1) * sizeof *o->navs);
    memcpy(o->navs, spec->navs, (size_t)o->nnavs * sizeof *o->navs);
    o->nmeasures = spec->nmeasures;
    o->measures = xmalloc(((size_t)o->nmeasures + 1) * sizeof *o->measures);
    memcpy(o->measures, spec->measures, (size_t)o->nmeasures * sizeof *o->measures);
    o->skip = spec->skip;
    o->skip_var = spec->skip_var;
    o->within_us = spec->within_us;
    o->pattern_text = format_pattern(spec->pattern, o->var_names);
    rowpool_init(&o->pool, o->nin, spec->input->types);
    hmap_init(&o->parts);
    pbuf_heap_init(&o->fire, HEAP_FIRE);
    pbuf_heap_init(&o->expire, HEAP_EXPIRE);
    o->empty_vi = xmalloc(2 * (size_t)o->nvars * sizeof *o->empty_vi);
    for (int v = 0; v < o->nvars; v++) o->empty_vi[v] = (vinfo){NO_NODE, NO_NODE, 0};
    init_names(o, spec->input);
    init_evaluation(o, spec);
    o->out = chunk_new(out, CHUNK_CAP);
    rowkey_buf_init(&o->key);
    if (program_build(&o->prog, spec->pattern, o->nvars) < 0 || init_aggregates(o) < 0) {
        op_destroy(&o->op);
        return NULL;
    }
    o->stamp = xcalloc((size_t)o->prog.n, sizeof *o->stamp);
    return &o->op;
}
