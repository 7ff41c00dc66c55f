/* op.h - the one operator interface. Every stream operator is a struct whose first member
 * is `op_t`, with a const vtable. Operators receive chunks, watermarks and end-of-input on
 * numbered input ports and push results downstream with op_emit*; they never block.
 *
 * Life cycle: open -> (push | watermark | timer)* -> finish per input -> destroy.
 * A bounded input sends the final watermark TS_MAX before it finishes, so every window
 * and timer fires before finish. snapshot/restore serialise all state an operator keeps
 * (restore is called on a freshly opened operator of the same plan). */
#ifndef EDDY_OP_H
#define EDDY_OP_H
#include <stdint.h>
#include "data/chunk.h"
#include "base/strbuf.h"
#include "state/snapshot.h"
#include "exec/ctx.h"

typedef struct op op_t;

typedef struct op_vtable {
    const char *name;                                   /* "GroupAggregate", "Calc", ... */
    int (*open)(op_t *op);                              /* may be NULL */
    int (*push)(op_t *op, int port, chunk_t *in);       /* `in` is borrowed and read-only: it may be
                                                           shared by several consumers; never kept */
    /* Called with the combined (minimum over ports) input watermark whenever it advances.
     * The operator fires what became complete and then calls op_emit_watermark. NULL:
     * the watermark is forwarded unchanged. */
    int (*watermark)(op_t *op, int64_t wm);
    int (*timer)(op_t *op, int64_t now_us);             /* processing-time tick; may be NULL */
    int (*finish)(op_t *op);                            /* all inputs ended; may be NULL */
    int (*snapshot)(op_t *op, snap_writer *w);          /* NULL only for stateless operators */
    int (*restore)(op_t *op, snap_reader *r);
    void (*explain)(op_t *op, sb_t *out);               /* the details after the name */
    void (*destroy)(op_t *op);                          /* frees the operator's own state */
} op_vtable;

typedef struct op_stats {
    uint64_t rows_in;
    uint64_t rows_out;
    uint64_t late;            /* rows dropped because their window/time had already passed */
    uint64_t state_keys;      /* keys (groups, partitions) currently held in state */
} op_stats;

typedef struct op_output {
    op_t *to;
    int port;
} op_output;

struct op {
    const op_vtable *vt;
    exec_ctx *ctx;
    schema_t schema;          /* output schema */
    op_output *outs;          /* downstream operators (several when a result is shared) */
    int nouts;
    int nin;                  /* number of input ports */
    int64_t *in_wm;           /* last watermark per input port */
    int64_t wm;               /* combined input watermark (min over ports) */
    int64_t wm_out;           /* last watermark emitted */
    uint8_t *in_idle;         /* per input port: the input declared itself idle */
    int idle_out;             /* this operator told its outputs it is idle */
    int nfinished;            /* inputs that ended */
    op_stats stats;
    int id;                   /* position in the job, for explain and snapshots */
};

/* Set up the common header. Takes a copy of the schema. */
void op_init(op_t *op, const op_vtable *vt, exec_ctx *ctx, const schema_t *out_schema, int nin);
void op_connect(op_t *from, op_t *to, int port);
void op_destroy(op_t *op);            /* vt->destroy, then the header's own storage */

/* Entry points used by upstream operators and the runtime. */
int op_push(op_t *op, int port, chunk_t *c);
int op_watermark_in(op_t *op, int port, int64_t wm);
int op_finish_in(op_t *op, int port);
/* An input port becomes idle (1) or active again (0): idle ports do not hold back the
 * combined watermark; an operator whose inputs are all idle is idle downstream. */
int op_idle_in(op_t *op, int port, int idle);

/* Used by operators to send downstream. op_emit takes no ownership; the caller may
 * reset the chunk right after. Empty chunks are not sent. */
int op_emit(op_t *op, chunk_t *c);
int op_emit_watermark(op_t *op, int64_t wm);
int op_emit_idle(op_t *op, int idle);

#endif
