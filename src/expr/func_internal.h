/* func_internal.h - helpers shared by the built-in function files (eval.c, cast.c, func*.c):
 * argument coercion and type rules at bind time, scratch vectors and the session zone at
 * evaluation time, 128-bit decimal arithmetic, UTF-8 helpers.
 *
 * Kernel contract (what every func_eval_fn in these files follows):
 *   - a kernel never records an error for a row whose out->nulls is set: the evaluator marks
 *     rows NULL that a CASE/IF/AND/OR/COALESCE does not need, so `CASE WHEN b <> 0 THEN a / b
 *     END` never divides by zero;
 *   - string results are written as inline views or copied into ctx->arena (func_out_str),
 *     never as views of argument bytes, because arguments may be input columns passed
 *     through without a copy;
 *   - rows a kernel marks NULL need no payload; the evaluator zeroes null payloads after
 *     every call, so arguments always have zero / empty payloads in NULL rows. */
#ifndef EDDY_FUNC_INTERNAL_H
#define EDDY_FUNC_INTERNAL_H
#include "expr/func.h"

#define DEC_MAX_PRECISION 18
#define TYPE_NAME_CAP 64

typedef __int128 i128;

/* ---- bind time ---- */

/* type_name into a caller buffer of TYPE_NAME_CAP bytes, without NOT NULL / time attribute. */
const char *func_type_name(type_t t, char *buf);
/* Make call->args[i] (call: an EX_CALL or EX_CASE) of type `to`: wraps it in a CAST, or
 * folds the cast when the argument is a constant (an impossible constant cast is a
 * bind-time error at the constant). */
int func_coerce_arg(expr_t *call, int i, type_t to, arena_t *plan_arena);
/* "cannot apply 'op' to A and B" (or "to A" / "to A, B and C") naming the argument types. */
int func_err_operand_types(const expr_t *call);
/* Argument count check against fn->min_args / max_args with a message naming the function. */
int func_check_arg_count(const expr_t *call);
/* The type two operands are compared in (numeric widening, STRING against a typed value
 * converts the string, DATE < TIMESTAMP < TIMESTAMP_LTZ). Returns 0 when not comparable. */
int func_compare_type(type_t a, type_t b, type_t *out);
/* Must an operand of type `from` be cast to be compared in type `to`? (INT, BIGINT and
 * DECIMAL share one representation with per-side scales, so they never need a cast.) */
int func_compare_needs_cast(type_t from, type_t to);
/* Common type of args[first..nargs-1] (CASE/COALESCE/IF style); error naming the function. */
int func_common_arg_type(expr_t *call, int first, type_t *out);
/* Flink's decimal precision/scale adjustment for our 18-digit maximum. */
type_t func_decimal_adjust(int precision, int scale);
/* Precision of a type seen as a decimal: INT 10, BIGINT 19, DECIMAL p. */
int func_decimal_precision(type_t t);
static inline int func_decimal_scale(type_t t) { return t.id == TY_DECIMAL ? t.scale : 0; }
static inline int func_arg_const(const expr_t *call, int i) { return call->args[i]->kind == EX_CONST; }
/* Release compiled state left by an earlier check of the same call (checks may be re-run). */
static inline void func_reset_state(expr_t *call)
{
    if (call->state && call->fn->free_state) call->fn->free_state(call->state);
    call->state = NULL;
}

/* ---- evaluation time ---- */

/* A zeroed vector of n rows in ctx->scratch. */
vector_t *func_tmp_vector(eval_ctx *ctx, type_t t, uint32_t n);
/* The session zone: ctx->exec->local_tz when set, else value_session_tz(). */
const tz_t *func_session_tz(const eval_ctx *ctx);
/* A result string: inline when short, else copied into ctx->arena. */
static inline str_t func_out_str(eval_ctx *ctx, const char *p, uint32_t len)
{
    return str_copy(ctx->arena, p, len);
}
/* cast_vector restricted to rows with active[i] (NULL: all rows); other rows become NULL. */
int cast_vector_masked(const vector_t *in, uint32_t n, vector_t *out, int safe, span_t sp,
                       eval_ctx *ctx, const uint8_t *active);
/* Three-way compare of two vectors (types ta, tb as the comparison check left them):
 * c[i] = -1, 0, 1, or 2 when unordered (a NaN is involved). Null rows give arbitrary c. */
void func_cmp_vec(const vector_t *a, type_t ta, const vector_t *b, type_t tb, uint32_t n, int8_t *c);

/* Kernels the evaluator recognises to evaluate later arguments only for the rows that
 * still need them (see eval.c). */
int func_and_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx);
int func_or_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx);
int func_coalesce_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx);
int func_if_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx);
/* CONCAT over all arguments (func_string.c), shared with the || operator. */
int func_concat_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx);
/* Make every argument from `first` on a STRING (casting other types), for ||, CONCAT, ... */
int func_coerce_strings(expr_t *call, int first, arena_t *plan_arena);

/* ---- decimals (values scaled by 10^scale, computed in 128 bits) ---- */

i128 dec_pow10(int n);                          /* 0 <= n <= 38 */
/* Rescale v from scale `from` to `to`, rounding HALF_UP; -1 if it overflows 128 bits. */
int dec_rescale(i128 v, int from, int to, i128 *out);
static inline int dec_fits(i128 v, int precision)
{
    i128 lim = dec_pow10(precision);
    return v < lim && v > -lim;
}
/* A double as a decimal of the given scale, rounded HALF_UP on its shortest decimal form
 * (Java's BigDecimal.valueOf(d).setScale(scale, HALF_UP)); -1 for NaN, infinities and
 * values beyond 10^36. */
int dec_from_double(double d, int scale, i128 *out);

/* ---- UTF-8 ---- */

/* Bytes of the character starting with lead byte c (1 for stray continuation bytes). */
static inline uint32_t utf8_char_len(unsigned char c)
{
    if (c < 0xC0) return 1;
    if (c < 0xE0) return 2;
    if (c < 0xF0) return 3;
    return 4;
}
/* Byte offset of character index k (0-based), or len when the string is shorter. */
uint32_t utf8_offset(const char *p, uint32_t len, uint64_t k);
uint32_t utf8_count(const char *p, uint32_t len);

#endif
