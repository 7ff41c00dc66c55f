/* lookup_join.c - LookupJoin: joins each input row with the dimension rows a connector lookup
 * source returns for the row's key values (FOR SYSTEM_TIME AS OF a processing-time attribute).
 *
 * Per input chunk, in three passes:
 *   1. Keys. Each live row's key values are encoded (data/rowkey.h); a row with a NULL key
 *      value matches nothing. Identical keys within the chunk are collapsed through a small
 *      open-addressing table, so each distinct key is fetched once per chunk. A fetch
 *      appends the key's dimension rows to a staging chunk; they are copied into the chunk's
 *      dimension pages and named by references (page * CHUNK_CAP + row), a contiguous run of
 *      them per distinct key.
 *   2. Residual. Without a residual every match counts. With one, the candidate joined rows
 *      (input ++ dim, as views) are gathered into chunks of up to CHUNK_CAP rows, the residual
 *      is evaluated once per such chunk, and a pass flag is kept per candidate. Only TRUE
 *      passes (NULL does not).
 *   3. Output. Each input row yields its passing matches (INNER and LEFT) or, for LEFT when
 *      none passed, one row padded with NULLs. Output rows carry the input row's op. An input
 *      -U/+U pair whose rows yield the same number of output rows is emitted as that many
 *      adjacent -U/+U pairs; when the numbers differ the before-rows go out as -D and the
 *      after-rows as +I, so every -U is directly followed by its +U (data/chunk.h). A -U
 *      without its +U in the chunk goes out as -D. A pair is never split across output chunks.
 * Output rows hold views into the input chunk and the dimension pages, which outlive the
 * emission (op_emit returns before push does).
 *
 * State: none of the operator's own (the lookup source may cache, as its options say);
 * the snapshot is empty. The lookup source is owned and closed in destroy. */
#include "ops/ops.h"
#include "data/rowkey.h"
#include "base/hashmap.h"
#include "base/util.h"
#include "base/err.h"
#include <stdlib.h>

#define KEY_SLOTS (2 * CHUNK_CAP)       /* dedupe table: a power of two, at most half full */
#define NO_KEY UINT32_MAX               /* a row whose key has a NULL value */
#define PADDED UINT32_MAX               /* "no dimension row": the NULL-padded output row */

typedef struct lookup_join {
    op_t op;
    lookup_t *lookup;
    int left_outer;
    int *input_keys;
    int nkeys;
    expr_t *residual;                   /* borrowed from the plan; NULL if none */
    uint32_t nin;                       /* input columns */
    uint32_t ndim;                      /* dimension columns */
    /* pass 1: distinct keys of the current chunk */
    uint32_t row_key[CHUNK_CAP];        /* per live row: its distinct key, or NO_KEY */
    uint16_t slots[KEY_SLOTS];          /* distinct key + 1, 0 = empty */
    uint32_t ndistinct;
    uint32_t key_first[CHUNK_CAP];      /* per distinct key: the live row it was first seen in */
    uint32_t match_start[CHUNK_CAP];    /* its matches: refs[match_start .. + match_count) */
    uint32_t match_count[CHUNK_CAP];
    rowkey_chunk keys;                  /* per live row: its encoded key */
    value_t *keyvals;                   /* one key's values for fetch */
    chunk_t *staging;                   /* one fetch's rows */
    VEC(chunk_t *) pages;               /* dimension rows of the chunk */
    uint32_t npages;                    /* pages in use */
    VEC(uint32_t) refs;                 /* matches of every distinct key, in runs */
    /* pass 2: residual */
    chunk_t *cand;                      /* candidate joined rows */
    vector_t cond;                      /* residual result of cand */
    VEC(uint8_t) pass;                  /* per candidate: the residual is TRUE */
    uint32_t cand_start[CHUNK_CAP];     /* per live row: its first candidate */
    arena_t eval_arena, eval_scratch;
    /* pass 3: output */
    uint32_t before[CHUNK_CAP];         /* output matches of a -U row (refs or PADDED) */
    uint32_t after[CHUNK_CAP];          /* ... and of its +U row */
    chunk_t *out;
} lookup_join;

/* ---- pass 1: keys and fetches ---- */

/* The distinct key of live row i: the one of an earlier row with the same key bytes, or a
 * new one. */
static uint32_t key_intern(lookup_join *j, uint32_t i)
{
    const rowkey_chunk *k = &j->keys;
    const uint8_t *key = rowkey_at(k, i);
    uint32_t len = k->len[i];
    uint64_t h = k->hash[i];
    for (uint32_t s = (uint32_t)h & (KEY_SLOTS - 1);; s = (s + 1) & (KEY_SLOTS - 1)) {
        if (!j->slots[s]) {
            uint32_t d = j->ndistinct++;
            j->slots[s] = (uint16_t)(d + 1);
            j->key_first[d] = i;
            return d;
        }
        uint32_t d = j->slots[s] - 1u, f = j->key_first[d];
        if (k->hash[f] == h && k->len[f] == len && memcmp(rowkey_at(k, f), key, len) == 0) return d;
    }
}

static void map_keys(lookup_join *j, const chunk_t *in)
{
    uint32_t n = chunk_live(in);
    memset(j->slots, 0, sizeof j->slots);
    j->ndistinct = 0;
    rowkey_encode_chunk(&j->keys, in, j->input_keys, j->nkeys);
    for (uint32_t i = 0; i < n; i++) j->row_key[i] = j->keys.has_null[i] ? NO_KEY : key_intern(j, i);
}

static void pages_reset(lookup_join *j)
{
    for (uint32_t p = 0; p < j->npages; p++) chunk_reset(j->pages.items[p]);
    j->npages = 0;
    j->refs.len = 0;
}

/* Copies the staged rows of one fetch into the pages and records their references. */
static void store_matches(lookup_join *j)
{
    const chunk_t *st = j->staging;
    for (uint32_t r = 0; r < st->nrows; r++) {
        if (!j->npages || chunk_full(j->pages.items[j->npages - 1])) {
            if (j->npages == j->pages.len) {
                type_t *types = j->op.schema.types + j->nin;
                VEC_PUSH(j->pages, chunk_new_types(j->ndim, types, CHUNK_CAP));
            }
            j->npages++;
        }
        chunk_t *page = j->pages.items[j->npages - 1];
        VEC_PUSH(j->refs, (j->npages - 1) * CHUNK_CAP + page->nrows);
        chunk_append_row(page, st, r, OP_INSERT);
    }
}

/* Fetches every distinct key of the chunk once. */
static int fetch_all(lookup_join *j, const chunk_t *in)
{
    pages_reset(j);
    for (uint32_t d = 0; d < j->ndistinct; d++) {
        uint32_t r = chunk_row(in, j->key_first[d]);
        for (int k = 0; k < j->nkeys; k++) vector_get(&in->cols[j->input_keys[k]], r, &j->keyvals[k]);
        chunk_reset(j->staging);
        if (j->lookup->vt->fetch(j->lookup, j->keyvals, j->staging) < 0) return -1;
        j->match_start[d] = (uint32_t)j->refs.len;
        store_matches(j);
        j->match_count[d] = (uint32_t)j->refs.len - j->match_start[d];
    }
    return 0;
}

static const chunk_t *ref_page(const lookup_join *j, uint32_t ref) { return j->pages.items[ref / CHUNK_CAP]; }

static uint32_t row_matches(const lookup_join *j, uint32_t i, const uint32_t **refs)
{
    uint32_t d = j->row_key[i];
    if (d == NO_KEY) return 0;
    *refs = j->refs.items + j->match_start[d];
    return j->match_count[d];
}

/* ---- joined rows ---- */

/* Appends input row r joined with the dimension row ref (or NULLs) to c, as views. */
static void append_joined(lookup_join *j, chunk_t *c, const chunk_t *in, uint32_t r, uint32_t ref, uint8_t op)
{
    uint32_t o = c->nrows++;
    c->ops[o] = op;
    for (uint32_t col = 0; col < j->nin; col++) vector_copy_row(&c->cols[col], o, &in->cols[col], r, NULL);
    if (ref == PADDED) {
        for (uint32_t col = 0; col < j->ndim; col++) c->cols[j->nin + col].nulls[o] = 1;
        return;
    }
    const chunk_t *page = ref_page(j, ref);
    for (uint32_t col = 0; col < j->ndim; col++)
        vector_copy_row(&c->cols[j->nin + col], o, &page->cols[col], ref % CHUNK_CAP, NULL);
}

/* ---- pass 2: residual ---- */

static int eval_candidates(lookup_join *j)
{
    chunk_t *c = j->cand;
    if (!c->nrows) return 0;
    eval_ctx ec = {j->op.ctx, &j->eval_arena, &j->eval_scratch};
    int rc = expr_eval(j->residual, c, &j->cond, &ec);
    if (rc == 0) {
        VEC_GROW(j->pass, c->nrows);
        for (uint32_t k = 0; k < c->nrows; k++)
            j->pass.items[j->pass.len++] = !j->cond.nulls[k] && j->cond.i64[k];
    }
    arena_reset(&j->eval_arena);
    arena_reset(&j->eval_scratch);
    chunk_reset(c);
    return rc;
}

/* With a residual: evaluates it over every candidate joined row and keeps the pass flags. */
static int apply_residual(lookup_join *j, const chunk_t *in)
{
    if (!j->residual) return 0;
    uint32_t n = chunk_live(in), ncand = 0;
    j->pass.len = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint32_t *refs = NULL;
        uint32_t m = row_matches(j, i, &refs);
        j->cand_start[i] = ncand;
        ncand += m;
        for (uint32_t k = 0; k < m; k++) {
            if (chunk_full(j->cand) && eval_candidates(j) < 0) return -1;
            append_joined(j, j->cand, in, chunk_row(in, i), refs[k], OP_INSERT);
        }
    }
    return eval_candidates(j);
}

/* ---- pass 3: output ---- */

static int flush_out(lookup_join *j)
{
    int rc = op_emit(&j->op, j->out);
    chunk_reset(j->out);
    return rc;
}

/* The output dimension rows of live row i: its passing matches, or PADDED for a LEFT join
 * row without one. Returns how many. */
static uint32_t row_outputs(const lookup_join *j, uint32_t i, uint32_t *dst)
{
    const uint32_t *refs = NULL;
    uint32_t m = row_matches(j, i, &refs), k = 0;
    for (uint32_t x = 0; x < m; x++)
        if (!j->residual || j->pass.items[j->cand_start[i] + x]) dst[k++] = refs[x];
    if (k == 0 && j->left_outer) dst[k++] = PADDED;
    return k;
}

static int emit_joined(lookup_join *j, const chunk_t *in, uint32_t r, uint32_t ref, uint8_t op, uint32_t room)
{
    if (j->out->nrows + room > j->out->cap && flush_out(j) < 0) return -1;
    append_joined(j, j->out, in, r, ref, op);
    return 0;
}

static int emit_all(lookup_join *j, const chunk_t *in, uint32_t r, const uint32_t *refs, uint32_t n, uint8_t op)
{
    for (uint32_t k = 0; k < n; k++)
        if (emit_joined(j, in, r, refs[k], op, 1) < 0) return -1;
    return 0;
}

/* The -U row at live index i and the +U row after it. */
static int emit_update_pair(lookup_join *j, const chunk_t *in, uint32_t i)
{
    uint32_t rb = chunk_row(in, i), ra = chunk_row(in, i + 1);
    uint32_t nb = row_outputs(j, i, j->before), na = row_outputs(j, i + 1, j->after);
    if (nb != na) {
        if (emit_all(j, in, rb, j->before, nb, OP_DELETE) < 0) return -1;
        return emit_all(j, in, ra, j->after, na, OP_INSERT);
    }
    for (uint32_t k = 0; k < nb; k++) {
        if (emit_joined(j, in, rb, j->before[k], OP_UPDATE_BEFORE, 2) < 0) return -1;
        if (emit_joined(j, in, ra, j->after[k], OP_UPDATE_AFTER, 1) < 0) return -1;
    }
    return 0;
}

static int emit_rows(lookup_join *j, const chunk_t *in)
{
    uint32_t n = chunk_live(in);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t op = in->ops[chunk_row(in, i)];
        if (op == OP_UPDATE_BEFORE) {
            if (i + 1 < n && in->ops[chunk_row(in, i + 1)] == OP_UPDATE_AFTER) {
                if (emit_update_pair(j, in, i) < 0) return -1;
                i++;
                continue;
            }
            op = OP_DELETE;
        }
        uint32_t k = row_outputs(j, i, j->before);
        if (emit_all(j, in, chunk_row(in, i), j->before, k, op) < 0) return -1;
    }
    return flush_out(j);
}

static int lj_push(op_t *op, int port, chunk_t *in)
{
    (void)port;
    lookup_join *j = (lookup_join *)op;
    if (!chunk_live(in)) return 0;
    map_keys(j, in);
    if (fetch_all(j, in) < 0 || apply_residual(j, in) < 0) {
        if (j->cand) chunk_reset(j->cand);
        return -1;
    }
    int rc = emit_rows(j, in);
    chunk_reset(j->out);
    pages_reset(j);
    return rc;
}

/* ---- checkpoint (nothing to keep), explain, destroy ---- */

static int lj_snapshot(op_t *op, snap_writer *w)
{
    (void)op;
    (void)w;
    return 0;
}

static int lj_restore(op_t *op, snap_reader *r)
{
    (void)op;
    (void)r;
    return 0;
}

static void lj_explain(op_t *op, sb_t *out)
{
    lookup_join *j = (lookup_join *)op;
    const schema_t *s = &op->schema;
    const connector_table *t = j->lookup->table;
    sb_printf(out, "table=[%s], joinType=[%s], lookup=[", t && t->name ? t->name : "?",
              j->left_outer ? "LeftOuterJoin" : "InnerJoin");
    for (int k = 0; k < j->nkeys; k++)
        sb_printf(out, "%s%s=%s", k ? ", " : "", s->names[j->nin + (uint32_t)j->lookup->key_cols[k]],
                  s->names[j->input_keys[k]]);
    sb_putc(out, ']');
    if (j->residual) {
        sb_puts(out, ", where=[");
        expr_format(j->residual, s, out);
        sb_putc(out, ']');
    }
    sb_puts(out, ", select=[");
    for (uint32_t c = 0; c < s->ncols; c++) sb_printf(out, "%s%s", c ? ", " : "", s->names[c]);
    sb_putc(out, ']');
}

static void lj_destroy(op_t *op)
{
    lookup_join *j = (lookup_join *)op;
    if (j->lookup) j->lookup->vt->close(j->lookup);
    for (size_t p = 0; p < j->pages.len; p++) chunk_free(j->pages.items[p]);
    VEC_FREE(j->pages);
    VEC_FREE(j->refs);
    rowkey_chunk_free(&j->keys);
    VEC_FREE(j->pass);
    chunk_free(j->staging);
    chunk_free(j->cand);
    chunk_free(j->out);
    if (j->residual) vector_free(&j->cond);
    arena_free(&j->eval_arena);
    arena_free(&j->eval_scratch);
    free(j->keyvals);
    free(j->input_keys);
    free(j);
}

static const op_vtable lookup_join_vt = {
    .name = "LookupJoin",
    .push = lj_push,
    .snapshot = lj_snapshot,
    .restore = lj_restore,
    .explain = lj_explain,
    .destroy = lj_destroy,
};

/* ---- construction ---- */

static int check_spec(const schema_t *out, const lookup_join_spec *spec)
{
    const schema_t *in = spec->input, *dim = spec->dim;
    const lookup_t *l = spec->lookup;
    if (!l) return err_msg("LookupJoin needs a lookup source");
    if (out->ncols != in->ncols + dim->ncols)
        return err_msg("LookupJoin output has %u columns, expected %u input + %u dimension columns",
                       out->ncols, in->ncols, dim->ncols);
    if (spec->nkeys < 1) return err_msg("LookupJoin needs at least one key column");
    if (spec->nkeys != l->nkeys)
        return err_msg("LookupJoin has %d key columns but its lookup source was created with %d", spec->nkeys, l->nkeys);
    if (spec->residual && spec->residual->type.id != TY_BOOLEAN)
        return err_at(spec->residual->span, "LookupJoin condition must be BOOLEAN");
    for (int k = 0; k < spec->nkeys; k++) {
        int ic = spec->input_keys[k], dc = l->key_cols[k];
        if (ic < 0 || (uint32_t)ic >= in->ncols)
            return err_msg("LookupJoin key %d is input column %d; the input has %u columns", k, ic, in->ncols);
        if (dc < 0 || (uint32_t)dc >= dim->ncols)
            return err_msg("LookupJoin key %d is dimension column %d; the table has %u columns", k, dc, dim->ncols);
        if (type_phys(in->types[ic]) != type_phys(dim->types[dc])) {
            char a[64], b[64];
            return err_msg("LookupJoin key %d: input column '%s' is %s but dimension column '%s' is %s", k,
                           in->names[ic], type_name(in->types[ic], a, sizeof a), dim->names[dc],
                           type_name(dim->types[dc], b, sizeof b));
        }
    }
    return 0;
}

/* On failure the lookup source is closed too: its ownership passed with the call. */
op_t *lookup_join_new(exec_ctx *ctx, const schema_t *out, const lookup_join_spec *spec)
{
    if (check_spec(out, spec) < 0) {
        if (spec->lookup) spec->lookup->vt->close(spec->lookup);
        return NULL;
    }
    lookup_join *j = xcalloc(1, sizeof *j);
    op_init(&j->op, &lookup_join_vt, ctx, out, 1);
    j->lookup = spec->lookup;
    j->left_outer = spec->left_outer;
    j->nkeys = spec->nkeys;
    j->input_keys = xmalloc((size_t)spec->nkeys * sizeof *j->input_keys);
    memcpy(j->input_keys, spec->input_keys, (size_t)spec->nkeys * sizeof *j->input_keys);
    j->residual = spec->residual;
    j->nin = spec->input->ncols;
    j->ndim = spec->dim->ncols;
    j->keyvals = xcalloc((size_t)spec->nkeys, sizeof *j->keyvals);
    rowkey_chunk_init(&j->keys);
    j->staging = chunk_new(spec->dim, CHUNK_CAP);
    j->out = chunk_new(out, CHUNK_CAP);
    arena_init(&j->eval_arena, 16 * 1024);
    arena_init(&j->eval_scratch, 16 * 1024);
    if (j->residual) {
        j->cand = chunk_new(out, CHUNK_CAP);
        vector_init(&j->cond, type_make(TY_BOOLEAN), CHUNK_CAP);
    }
    return &j->op;
}
