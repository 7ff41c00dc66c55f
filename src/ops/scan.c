/* scan.c - the source operator: pulls chunks of physical columns from a connector source,
 * appends the computed columns, pushes the chunk downstream and then advances the
 * watermark to the largest watermark-expression value seen so far: once per chunk (the
 * analogue of Flink's periodic watermarks), or with the 'on-event' strategy after every row
 * that raises it (the chunk is then pushed in pieces through a selection vector).
 * A bounded source ends with the final watermark TS_MAX, then end-of-input.
 * Rows that arrive already behind the watermark are counted as late here (the operators
 * that drop them count them too).
 *
 * Partitioned sources (Kafka; source_t.nsplits > 0) get a watermark per split, as Flink's
 * per-partition watermarks: each split's is the largest watermark-expression value of its
 * rows, and the scan's is the smallest over the splits that are not idle - so a partition
 * that lags holds the job's event time back. With an idle timeout (the table's
 * 'scan.watermark.idle-timeout', else 'table.exec.source.idle-timeout') a split that had no
 * rows for that long (wall clock) stops holding it back until its next row; and a scan
 * whose every split (or which, unsplit, itself) had no rows for that long tells the
 * operators downstream that it is idle, so a union or join goes on with its other inputs. */
#include "ops/ops.h"
#include "base/util.h"
#include <stdlib.h>

typedef struct scan_op {
    op_t op;
    source_t *source;
    expr_t **computed;
    int ncomputed;
    int rowtime_col;
    expr_t *watermark;
    chunk_t *phys;             /* what the connector fills */
    vector_t *computed_out;    /* computed column results */
    vector_t wm_out;           /* watermark expression results */
    chunk_t view;              /* physical + computed columns, emitted */
    arena_t scratch;
    arena_t strings;
    int64_t max_wm;
    uint64_t late;
    int ended;
    int on_event;
    uint16_t *sel;             /* pieces of a chunk, for on-event watermarks */
    int64_t idle_timeout_us;   /* 0: never idle */
    int64_t last_row_us;       /* wall clock of the last row */
    int64_t *split_wm;         /* per split: largest watermark value seen (TS_MIN: none) */
    int64_t *split_active_us;  /* per split: wall clock of its last row */
    int32_t nsplits;
} scan_op;

/* The job's clock (tests replace it). */
static int64_t scan_now(const scan_op *s)
{
    return s->op.ctx && s->op.ctx->now_us ? s->op.ctx->now_us() : ctx_wall_clock_us();
}

static void grow_splits(scan_op *s, int32_t n, int64_t now)
{
    if (n <= s->nsplits) return;
    s->split_wm = xrealloc(s->split_wm, sizeof *s->split_wm * (size_t)n);
    s->split_active_us = xrealloc(s->split_active_us, sizeof *s->split_active_us * (size_t)n);
    for (int32_t i = s->nsplits; i < n; i++) {
        s->split_wm[i] = TS_MIN;
        s->split_active_us[i] = now;
    }
    s->nsplits = n;
}

/* The smallest split watermark over the active splits. When every split is idle, the
 * watermark of the split that went idle last (the latest row; the highest watermark among
 * equals): the value the watermark had when only that split was still active, whether or
 * not a pull happened in between. */
static int64_t combined_split_wm(const scan_op *s, int64_t now)
{
    int64_t m = TS_MAX, last_active = INT64_MIN, last_wm = TS_MIN;
    int active = 0;
    for (int32_t i = 0; i < s->nsplits; i++) {
        int64_t at = s->split_active_us[i];
        if (at > last_active || (at == last_active && s->split_wm[i] > last_wm)) {
            last_active = at;
            last_wm = s->split_wm[i];
        }
        if (s->idle_timeout_us > 0 && now - at >= s->idle_timeout_us) continue;
        active++;
        if (s->split_wm[i] < m) m = s->split_wm[i];
    }
    return active ? m : last_wm;
}

/* After a pull: splits' watermarks, idleness of the whole scan. */
static int advance_split_watermark(scan_op *s, int64_t chunk_wm, int got_rows)
{
    op_t *op = &s->op;
    const source_t *src = s->source;
    int64_t now = s->idle_timeout_us > 0 || src->nsplits > 0 ? scan_now(s) : 0;
    if (got_rows) s->last_row_us = now;
    if (src->nsplits > 0) {
        grow_splits(s, src->nsplits, now);
        if (got_rows && src->split >= 0 && src->split < s->nsplits) {
            s->split_active_us[src->split] = now;
            if (chunk_wm > s->split_wm[src->split]) s->split_wm[src->split] = chunk_wm;
        }
        chunk_wm = combined_split_wm(s, now);
    }
    if (chunk_wm > s->max_wm) {
        s->max_wm = chunk_wm;
        if (op_emit_watermark(op, chunk_wm) < 0) return -1;
    }
    if (s->idle_timeout_us > 0) {
        int idle = !got_rows && now - s->last_row_us >= s->idle_timeout_us;
        if (idle != op->idle_out && op_emit_idle(op, idle) < 0) return -1;
    }
    return 0;
}

/* On-event watermarks: push the rows up to each watermark raise, then the watermark. */
static int push_on_event(scan_op *s)
{
    op_t *op = &s->op;
    const vector_t *rt = &s->view.cols[s->rowtime_col];
    chunk_t piece = s->view;
    piece.sel = s->sel;
    uint32_t from = 0;
    for (uint32_t r = 0; r < s->view.nrows; r++) {
        if (!rt->nulls[r] && rt->i64[r] < s->max_wm) s->late++;
        if (s->wm_out.nulls[r] || s->wm_out.i64[r] <= s->max_wm) continue;
        piece.nsel = 0;
        for (uint32_t i = from; i <= r; i++) s->sel[piece.nsel++] = (uint16_t)i;
        if (op_emit(op, &piece) < 0) return -1;
        from = r + 1;
        s->max_wm = s->wm_out.i64[r];
        if (op_emit_watermark(op, s->max_wm) < 0) return -1;
    }
    if (from == s->view.nrows) return 0;
    piece.nsel = 0;
    for (uint32_t i = from; i < s->view.nrows; i++) s->sel[piece.nsel++] = (uint16_t)i;
    return op_emit(op, &piece);
}

static int scan_finish_downstream(op_t *op)
{
    if (op_emit_watermark(op, TS_MAX) < 0) return -1;
    for (int i = 0; i < op->nouts; i++)
        if (op_finish_in(op->outs[i].to, op->outs[i].port) < 0) return -1;
    return 0;
}

int scan_pull(op_t *op)
{
    scan_op *s = (scan_op *)op;
    if (s->ended) return 0;
    chunk_reset(s->phys);
    s->source->split = -1;
    int rc = s->source->vt->next(s->source, s->phys);
    if (rc < 0) return -1;
    int64_t chunk_wm = TS_MIN;
    if (s->phys->nrows > 0) {
        if (s->op.idle_out && op_emit_idle(op, 0) < 0) return -1;
        arena_reset(&s->scratch);
        arena_reset(&s->strings);
        eval_ctx ec = {op->ctx, &s->strings, &s->scratch};
        uint32_t nphys = s->phys->ncols;
        for (uint32_t i = 0; i < nphys; i++) s->view.cols[i] = s->phys->cols[i];
        for (int i = 0; i < s->ncomputed; i++) {
            if (expr_eval(s->computed[i], s->phys, &s->computed_out[i], &ec) < 0) return -1;
            s->view.cols[nphys + (uint32_t)i] = s->computed_out[i];
        }
        for (uint32_t i = 0; i < s->view.ncols; i++) s->view.cols[i].type = op->schema.types[i];
        s->view.nrows = s->phys->nrows;
        s->view.ops = s->phys->ops;
        if (s->watermark && s->on_event && s->source->nsplits == 0) {
            if (expr_eval(s->watermark, &s->view, &s->wm_out, &ec) < 0) return -1;
            if (push_on_event(s) < 0) return -1;
            if (s->idle_timeout_us > 0) s->last_row_us = scan_now(s);
            return rc == 0 ? (s->ended = 1, scan_finish_downstream(op) < 0 ? -1 : 0) : 1;
        }
        if (s->watermark) {
            if (expr_eval(s->watermark, &s->view, &s->wm_out, &ec) < 0) return -1;
            const vector_t *rt = &s->view.cols[s->rowtime_col];
            for (uint32_t r = 0; r < s->view.nrows; r++) {
                if (!rt->nulls[r] && rt->i64[r] < s->max_wm) s->late++;
                if (!s->wm_out.nulls[r] && s->wm_out.i64[r] > chunk_wm) chunk_wm = s->wm_out.i64[r];
            }
        }
        if (op_emit(op, &s->view) < 0) return -1;
    }
    if (s->watermark || s->idle_timeout_us > 0) {
        if (advance_split_watermark(s, chunk_wm, s->phys->nrows > 0) < 0) return -1;
    }
    if (rc == 0) {
        s->ended = 1;
        return scan_finish_downstream(op) < 0 ? -1 : 0;
    }
    return 1;
}

const source_t *scan_source(const op_t *op) { return ((const scan_op *)op)->source; }

uint64_t scan_late_rows(const op_t *op) { return ((const scan_op *)op)->late; }

static int scan_snapshot(op_t *op, snap_writer *w)
{
    scan_op *s = (scan_op *)op;
    snap_put_i64(w, s->max_wm);
    snap_put_i64(w, (int64_t)s->late);
    snap_put_u32(w, (uint32_t)s->nsplits);
    for (int32_t i = 0; i < s->nsplits; i++) snap_put_i64(w, s->split_wm[i]);
    return 0;
}

static int scan_restore(op_t *op, snap_reader *r)
{
    scan_op *s = (scan_op *)op;
    s->max_wm = snap_get_i64(r);
    s->late = (uint64_t)snap_get_i64(r);
    /* per-split watermarks; their idle clocks start again now */
    uint32_t nsplits = snap_get_u32(r);
    if (!r->failed && nsplits > (1u << 20)) return err_msg("scan: snapshot holds %u splits", nsplits);
    grow_splits(s, (int32_t)nsplits, scan_now(s));
    for (uint32_t i = 0; i < nsplits && !r->failed; i++) s->split_wm[i] = snap_get_i64(r);
    return snap_check(r, "scan");
}

static void scan_destroy(op_t *op)
{
    scan_op *s = (scan_op *)op;
    if (s->source) s->source->vt->close(s->source);
    chunk_free(s->phys);
    for (int i = 0; i < s->ncomputed; i++) vector_free(&s->computed_out[i]);
    free(s->computed_out);
    if (s->wm_out.data) vector_free(&s->wm_out);
    free(s->view.cols);
    free(s->sel);
    free(s->split_wm);
    free(s->split_active_us);
    arena_free(&s->view.arena);
    arena_free(&s->scratch);
    arena_free(&s->strings);
    free(s);
}

static int scan_push(op_t *op, int port, chunk_t *in)
{
    (void)op; (void)port; (void)in;
    return err_msg("internal error: a scan has no inputs");
}

static const op_vtable scan_vt = {
    .name = "TableSourceScan",
    .push = scan_push,
    .snapshot = scan_snapshot,
    .restore = scan_restore,
    .destroy = scan_destroy,
};

op_t *scan_new(exec_ctx *ctx, const schema_t *out, const scan_spec *spec)
{
    scan_op *s = xcalloc(1, sizeof *s);
    op_init(&s->op, &scan_vt, ctx, out, 0);
    s->source = spec->source;
    s->computed = spec->computed;
    s->ncomputed = spec->ncomputed;
    s->rowtime_col = spec->rowtime_col;
    s->watermark = spec->watermark;
    s->phys = chunk_new(&spec->source->table->physical, CHUNK_CAP);
    s->computed_out = xcalloc((size_t)spec->ncomputed + 1, sizeof *s->computed_out);
    for (int i = 0; i < spec->ncomputed; i++) vector_init(&s->computed_out[i], spec->computed[i]->type, CHUNK_CAP);
    if (spec->watermark) vector_init(&s->wm_out, spec->watermark->type, CHUNK_CAP);
    s->view.ncols = out->ncols;
    s->view.cap = CHUNK_CAP;
    s->view.cols = xcalloc(out->ncols + 1, sizeof *s->view.cols);
    arena_init(&s->view.arena, 1024);
    arena_init(&s->scratch, 64 * 1024);
    arena_init(&s->strings, 64 * 1024);
    s->max_wm = TS_MIN;
    s->on_event = spec->watermark_on_event;
    s->sel = xcalloc(CHUNK_CAP, sizeof *s->sel);
    s->idle_timeout_us = spec->idle_timeout_us;
    s->last_row_us = scan_now(s);
    return &s->op;
}
