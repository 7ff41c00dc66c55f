/* op_testkit.h - scaffolding shared by the operator unit tests: a capture operator that records
 * what an operator emits as text ("+I[a, 3]" a row, "WM 5s" a watermark) and counts chunks,
 * rows and split -U/+U pairs; the row renderer it uses; time helpers (whole seconds, times of
 * the test day 2017-11-26); and a fake wall clock for exec_ctx.now_us.
 *
 * Header-only like check.h: everything is static inline, so a test pays only for what it uses.
 * How a capture writes TIMESTAMP cells and watermarks is chosen per test by a capture_fmt. */
#ifndef EDDY_OP_TESTKIT_H
#define EDDY_OP_TESTKIT_H
#include "check.h"
#include "ops/ops.h"
#include "base/util.h"
#include "base/err.h"
#include <stdlib.h>

/* ---- times ---- */

typedef void (*put_time_fn)(sb_t *out, int64_t us);

/* "5s", or "5.250s" when not whole seconds. */
static inline void put_seconds(sb_t *out, int64_t us)
{
    if (us % US_PER_SEC) sb_printf(out, "%.3fs", (double)us / US_PER_SEC);
    else sb_printf(out, "%llds", (long long)(us / US_PER_SEC));
}

/* "2017-11-26 09:00:00.000": the text of a TIMESTAMP(3). */
static inline void put_timestamp3(sb_t *out, int64_t us)
{
    value_t v = value_i64(us);
    value_format(type_timestamp(TY_TIMESTAMP, 3), &v, out);
}

/* A TIMESTAMP(3) from "HH:MM[:SS[.fff]]" on 2017-11-26 or "YYYY-MM-DD_HH:MM[...]"; aborts on
 * a malformed time (a broken test). */
static inline int64_t test_day_time(const char *text)
{
    char buf[64];
    if (strchr(text, '_')) snprintf(buf, sizeof buf, "%.63s", text);
    else snprintf(buf, sizeof buf, "2017-11-26_%.52s", text);
    *strchr(buf, '_') = ' ';
    value_t v;
    if (value_parse(type_timestamp(TY_TIMESTAMP, 3), buf, strlen(buf), &v, NULL) < 0) {
        fprintf(stderr, "bad time in test: %s\n", text);
        abort();
    }
    return v.i;
}

/* ---- fake wall clock: set fake_now, point exec_ctx.now_us at fake_clock ---- */

static int64_t fake_now;
static inline int64_t fake_clock(void) { return fake_now; }

/* ---- rendering rows ---- */

typedef struct capture_fmt {
    int print;                /* cells by value_format_print rather than value_format */
    put_time_fn row_time;     /* non-NULL TIMESTAMP cells by this; NULL: as any other cell */
    int ltz_too;              /* row_time also for TIMESTAMP_LTZ cells */
    put_time_fn wm_time;      /* watermarks other than TS_MAX by this; NULL: put_timestamp3 */
} capture_fmt;

/* Row r of c as "+I[a, 3, 5s]\n". */
static inline void put_row(sb_t *out, const chunk_t *c, uint32_t r, const capture_fmt *f)
{
    sb_puts(out, row_op_names[c->ops[r]]);
    sb_putc(out, '[');
    for (uint32_t col = 0; col < c->ncols; col++) {
        type_t t = c->cols[col].type;
        value_t v;
        vector_get(&c->cols[col], r, &v);
        if (col) sb_puts(out, ", ");
        int as_time = f->row_time && !v.null && (f->ltz_too ? type_is_timestamp(t) : t.id == TY_TIMESTAMP);
        if (as_time) f->row_time(out, v.i);
        else if (f->print) value_format_print(t, &v, out);
        else value_format(t, &v, out);
    }
    sb_puts(out, "]\n");
}

/* ---- capture operator ---- */

typedef struct capture {
    op_t op;
    sb_t text;                /* rows and watermarks so far */
    capture_fmt fmt;
    int chunks;               /* chunks received */
    uint64_t rows;            /* rows received */
    int split_pairs;          /* -U rows not directly followed by a +U in the same chunk */
    int ends_with_before;     /* chunks whose last row is a -U */
    int64_t wm;               /* last watermark received; TS_MIN before any */
} capture;

static inline int capture_push(op_t *op, int port, chunk_t *in)
{
    (void)port;
    capture *c = (capture *)op;
    uint32_t n = chunk_live(in);
    c->chunks++;
    c->rows += n;
    if (n > CHUNK_CAP) CHECK(!"an output chunk holds more than CHUNK_CAP rows");
    if (n && in->ops[chunk_row(in, n - 1)] == OP_UPDATE_BEFORE) c->ends_with_before++;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = chunk_row(in, i);
        if (in->ops[r] == OP_UPDATE_BEFORE && (i + 1 >= n || in->ops[chunk_row(in, i + 1)] != OP_UPDATE_AFTER))
            c->split_pairs++;
        put_row(&c->text, in, r, &c->fmt);
    }
    return 0;
}

/* "WM max" or "WM " and the watermark's time. */
static inline int capture_watermark(op_t *op, int64_t wm)
{
    capture *c = (capture *)op;
    c->wm = wm;
    sb_puts(&c->text, "WM ");
    if (wm == TS_MAX) sb_puts(&c->text, "max");
    else (c->fmt.wm_time ? c->fmt.wm_time : put_timestamp3)(&c->text, wm);
    sb_putc(&c->text, '\n');
    return 0;
}

static inline void capture_destroy(op_t *op) { sb_free(&((capture *)op)->text); free(op); }

static const op_vtable capture_vt = {
    .name = "Capture", .push = capture_push, .watermark = capture_watermark, .destroy = capture_destroy};

/* Sets up a capture allocated by the caller (possibly inside a larger struct whose first
 * member it is, with its own vtable whose functions call the capture_* ones). */
static inline void capture_init(capture *c, const op_vtable *vt, exec_ctx *ctx, capture_fmt fmt)
{
    op_init(&c->op, vt, ctx, NULL, 1);
    c->fmt = fmt;
    c->wm = TS_MIN;
}

static inline capture *capture_new(exec_ctx *ctx, capture_fmt fmt)
{
    capture *c = xcalloc(1, sizeof *c);
    capture_init(c, &capture_vt, ctx, fmt);
    return c;
}

#endif
