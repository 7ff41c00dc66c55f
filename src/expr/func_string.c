/* func_string.c - string functions: CONCAT, CONCAT_WS, SUBSTR/SUBSTRING, LOWER, UPPER,
 * TRIM/LTRIM/RTRIM, CHAR_LENGTH, POSITION/LOCATE, REPLACE, LPAD/RPAD, INITCAP, REVERSE,
 * SPLIT_INDEX and the PCRE2-backed REGEXP, REGEXP_EXTRACT, REGEXP_REPLACE.
 *
 * Positions and lengths count characters (UTF-8 code points), as Flink's StringData does.
 * Edge cases follow Flink's runtime (BinaryStringDataUtil / SqlFunctionUtils): SUBSTR with
 * a negative length is NULL and a negative start counts from the end; SPLIT_INDEX is 0-based
 * and NULL out of range; LPAD/RPAD with an empty pad or a negative length are NULL;
 * REGEXP_EXTRACT without a match or with a missing group is NULL; REGEXP_REPLACE inserts
 * the replacement literally. LOWER/UPPER map ASCII, Latin-1, Latin Extended-A, Greek and
 * Cyrillic; other scripts pass through unchanged.
 *
 * Regular expressions: a constant pattern is compiled (and JIT-compiled) once at bind time
 * into call->state; a pattern that varies per row is compiled per distinct value per chunk
 * with memory from ctx->scratch. Java's regex syntax is close to PCRE's; patterns run in
 * UTF mode and tolerate invalid UTF-8 subjects. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include "expr/func_internal.h"
#include "base/util.h"
#include <stdio.h>

static _Thread_local sb_t string_buf;     /* result builder for variable-size outputs */

/* Room for a result of at most cap bytes: `small` (STR_INLINE bytes) when the result fits
 * in a view, else the output arena. str_view(buf, len) then makes the final view. */
static char *out_room(eval_ctx *ctx, char *small, uint64_t cap)
{
    return cap <= STR_INLINE ? small : arena_alloc(ctx->arena, (size_t)cap);
}

/* ---- argument checks ---- */

/* sig: one letter per argument, the last one repeating: 'S' text (other types are cast to
 * STRING), 'I' integer (INT or BIGINT), 'X' text or an integer character code. */
static int check_args(expr_t *call, arena_t *a, const char *sig, type_id result)
{
    if (func_check_arg_count(call)) return -1;
    int siglen = (int)strlen(sig);
    for (int i = 0; i < call->nargs; i++) {
        char kind = sig[i < siglen ? i : siglen - 1];
        type_t t = call->args[i]->type;
        if (kind == 'S' || (kind == 'X' && !type_is_integer(t))) {
            if (t.id != TY_STRING && func_coerce_arg(call, i, type_make(TY_STRING), a)) return -1;
        } else if (t.id == TY_NULL) {
            if (func_coerce_arg(call, i, type_make(TY_INT), a)) return -1;
        } else if (!type_is_integer(t)) {
            char tb[TYPE_NAME_CAP];
            return err_at(call->args[i]->span, "%s: argument %d must be an integer, got %s", call->fn->name, i + 1,
                          func_type_name(t, tb));
        }
    }
    call->type = type_make(result);
    return 0;
}

#define CHECK_SIG(fname, sig, result) \
    static int fname(expr_t *call, arena_t *a) { return check_args(call, a, sig, result); }

CHECK_SIG(check_strings_to_string, "S", TY_STRING)
CHECK_SIG(check_string_to_int, "S", TY_INT)
CHECK_SIG(check_strings_to_int, "SSI", TY_INT)
CHECK_SIG(check_substr, "SII", TY_STRING)
CHECK_SIG(check_pad, "SIS", TY_STRING)
CHECK_SIG(check_split_index, "SXI", TY_STRING)

/* ---- CONCAT, CONCAT_WS ---- */

int func_concat_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        uint64_t total = 0;
        for (int k = 0; k < call->nargs; k++) total += args[k]->str[i].len;
        char small[STR_INLINE];
        char *buf = out_room(ctx, small, total), *w = buf;
        for (int k = 0; k < call->nargs; k++) {
            const str_t *s = &args[k]->str[i];
            memcpy(w, str_ptr(s), s->len);
            w += s->len;
        }
        out->str[i] = str_view(buf, (uint32_t)total);
    }
    return 0;
}

static int check_concat(expr_t *call, arena_t *a)
{
    if (func_check_arg_count(call) || func_coerce_strings(call, 0, a)) return -1;
    call->type = type_make(TY_STRING);
    return 0;
}

/* CONCAT_WS(sep, s1, ...): NULL when sep is NULL; NULL arguments are skipped, empty ones
 * are not. */
static int concat_ws_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    for (uint32_t i = 0; i < n; i++) {
        if (args[0]->nulls[i]) { out->nulls[i] = 1; continue; }
        const str_t *sep = &args[0]->str[i];
        uint64_t total = 0;
        int parts = 0;
        for (int k = 1; k < call->nargs; k++)
            if (!args[k]->nulls[i]) { total += args[k]->str[i].len; parts++; }
        if (parts > 1) total += (uint64_t)sep->len * (uint64_t)(parts - 1);
        char small[STR_INLINE];
        char *buf = out_room(ctx, small, total), *w = buf;
        int written = 0;
        for (int k = 1; k < call->nargs; k++) {
            if (args[k]->nulls[i]) continue;
            if (written++) { memcpy(w, str_ptr(sep), sep->len); w += sep->len; }
            const str_t *s = &args[k]->str[i];
            memcpy(w, str_ptr(s), s->len);
            w += s->len;
        }
        out->str[i] = str_view(buf, (uint32_t)total);
    }
    return 0;
}

/* ---- SUBSTR ---- */

/* SUBSTR(s, pos [, len]): 1-based; pos < 0 counts from the end; pos 0 is the start. */
static int substr_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        int64_t pos = args[1]->i64[i];
        int64_t len = call->nargs > 2 ? args[2]->i64[i] : INT64_MAX;
        if (len < 0) { out->nulls[i] = 1; continue; }
        const str_t *s = &args[0]->str[i];
        const char *p = str_ptr(s);
        uint32_t b0;
        if (pos > 0) {
            b0 = utf8_offset(p, s->len, (uint64_t)(pos - 1));
        } else if (pos < 0) {
            int64_t start = (int64_t)utf8_count(p, s->len) + pos;
            b0 = start < 0 ? s->len : utf8_offset(p, s->len, (uint64_t)start);
        } else {
            b0 = 0;
        }
        uint32_t b1 = b0 + utf8_offset(p + b0, s->len - b0, (uint64_t)len);
        out->str[i] = func_out_str(ctx, p + b0, b1 - b0);
    }
    return 0;
}

/* ---- LOWER, UPPER ---- */

static uint32_t cp_upper(uint32_t c)
{
    if (c >= 'a' && c <= 'z') return c - 32;
    if (c < 0x80) return c;
    if ((c >= 0xE0 && c <= 0xFE && c != 0xF7)) return c - 0x20;
    if (c == 0xFF) return 0x178;
    if (c == 0xB5) return 0x39C;
    if ((c >= 0x100 && c <= 0x137 && c != 0x130 && c != 0x131) || (c >= 0x14A && c <= 0x177))
        return (c & 1) ? c - 1 : c;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c : c - 1;
    if (c == 0x17F) return 'S';
    if ((c >= 0x3B1 && c <= 0x3C1) || (c >= 0x3C3 && c <= 0x3CB)) return c - 0x20;
    if (c == 0x3C2) return 0x3A3;
    if (c == 0x3AC) return 0x386;
    if (c >= 0x3AD && c <= 0x3AF) return c - 0x25;
    if (c == 0x3CC) return 0x38C;
    if (c >= 0x3CD && c <= 0x3CE) return c - 0x3F;
    if (c >= 0x430 && c <= 0x44F) return c - 0x20;
    if (c >= 0x450 && c <= 0x45F) return c - 0x50;
    return c;
}

static uint32_t cp_lower(uint32_t c)
{
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c < 0x80) return c;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
    if (c == 0x178) return 0xFF;
    if ((c >= 0x100 && c <= 0x137 && c != 0x130 && c != 0x131) || (c >= 0x14A && c <= 0x177))
        return (c & 1) ? c : c + 1;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
    if ((c >= 0x391 && c <= 0x3A1) || (c >= 0x3A3 && c <= 0x3AB)) return c + 0x20;
    if (c == 0x386) return 0x3AC;
    if (c >= 0x388 && c <= 0x38A) return c + 0x25;
    if (c == 0x38C) return 0x3CC;
    if (c >= 0x38E && c <= 0x38F) return c + 0x3F;
    if (c >= 0x410 && c <= 0x42F) return c + 0x20;
    if (c >= 0x400 && c <= 0x40F) return c + 0x50;
    return c;
}

/* Decodes the character at p (n bytes available); *len gets its size. Invalid sequences
 * decode as one byte mapped to itself. */
static uint32_t utf8_decode(const unsigned char *p, uint32_t n, uint32_t *len)
{
    uint32_t l = utf8_char_len(p[0]);
    if (l == 1 || l > n) { *len = 1; return p[0]; }
    uint32_t c = p[0] & (0x7F >> l);
    for (uint32_t k = 1; k < l; k++) {
        if ((p[k] & 0xC0) != 0x80) { *len = 1; return p[0]; }
        c = (c << 6) | (p[k] & 0x3F);
    }
    *len = l;
    return c;
}

static uint32_t utf8_encode(uint32_t c, char *out)
{
    if (c < 0x80) { out[0] = (char)c; return 1; }
    if (c < 0x800) { out[0] = (char)(0xC0 | (c >> 6)); out[1] = (char)(0x80 | (c & 0x3F)); return 2; }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* Every mapping above keeps or shrinks the encoded size, so the result fits in len bytes. */
static int case_eval(vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx, int upper)
{
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        const str_t *s = &args[0]->str[i];
        const unsigned char *p = (const unsigned char *)str_ptr(s);
        char small[STR_INLINE];
        char *buf = out_room(ctx, small, s->len);
        uint32_t w = 0;
        for (uint32_t r = 0; r < s->len;) {
            if (p[r] < 0x80) {
                unsigned char c = p[r++];
                if (upper && c >= 'a' && c <= 'z') c -= 32;
                else if (!upper && c >= 'A' && c <= 'Z') c += 32;
                buf[w++] = (char)c;
                continue;
            }
            uint32_t len, c = utf8_decode(p + r, s->len - r, &len);
            if (len == 1) { buf[w++] = (char)p[r++]; continue; }
            w += utf8_encode(upper ? cp_upper(c) : cp_lower(c), buf + w);
            r += len;
        }
        out->str[i] = str_view(buf, w);
    }
    return 0;
}

static int upper_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return case_eval(a, n, o, x, 1); }
static int lower_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return case_eval(a, n, o, x, 0); }

/* INITCAP: the first letter of each word upper case, the others lower case; words are runs
 * of ASCII letters and digits (Calcite's definition). */
static int initcap_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        const str_t *s = &args[0]->str[i];
        const char *p = str_ptr(s);
        char small[STR_INLINE];
        char *buf = out_room(ctx, small, s->len);
        int start = 1;
        for (uint32_t k = 0; k < s->len; k++) {
            char c = p[k];
            int digit = c >= '0' && c <= '9', up = c >= 'A' && c <= 'Z', low = c >= 'a' && c <= 'z';
            if (start && low) c = (char)(c - 32);
            else if (!start && up) c = (char)(c + 32);
            start = !(digit || up || low);
            buf[k] = c;
        }
        out->str[i] = str_view(buf, s->len);
    }
    return 0;
}

static int reverse_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        const str_t *s = &args[0]->str[i];
        const char *p = str_ptr(s);
        char small[STR_INLINE];
        char *buf = out_room(ctx, small, s->len);
        for (uint32_t r = 0; r < s->len;) {
            uint32_t len = utf8_char_len((unsigned char)p[r]);
            if (len > s->len - r) len = s->len - r;
            memcpy(buf + s->len - r - len, p + r, len);
            r += len;
        }
        out->str[i] = str_view(buf, s->len);
    }
    return 0;
}

/* ---- TRIM, LTRIM, RTRIM (spaces), CHAR_LENGTH ---- */

static int trim_eval(vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx, int left, int right)
{
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        const str_t *s = &args[0]->str[i];
        const char *p = str_ptr(s);
        uint32_t b = 0, e = s->len;
        if (left) while (b < e && p[b] == ' ') b++;
        if (right) while (e > b && p[e - 1] == ' ') e--;
        out->str[i] = func_out_str(ctx, p + b, e - b);
    }
    return 0;
}

static int trim_both_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return trim_eval(a, n, o, x, 1, 1); }
static int ltrim_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return trim_eval(a, n, o, x, 1, 0); }
static int rtrim_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return trim_eval(a, n, o, x, 0, 1); }

static int char_length_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    for (uint32_t i = 0; i < n; i++) out->i64[i] = utf8_count(str_ptr(&args[0]->str[i]), args[0]->str[i].len);
    return 0;
}

/* ---- POSITION, LOCATE ---- */

/* 1-based character position of needle in hay at or after character `from` (0-based);
 * 0 when absent; an empty needle is found at 1 (Flink's StringData.indexOf). */
static int64_t find_position(const str_t *needle, const str_t *hay, int64_t from)
{
    if (needle->len == 0) return 1;
    const char *h = str_ptr(hay);
    uint32_t b0 = from > 0 ? utf8_offset(h, hay->len, (uint64_t)from) : 0;
    const char *hit = memmem(h + b0, hay->len - b0, str_ptr(needle), needle->len);
    if (!hit) return 0;
    return (int64_t)utf8_count(h, (uint32_t)(hit - h)) + 1;
}

static int locate_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        int64_t from = call->nargs > 2 ? args[2]->i64[i] - 1 : 0;
        out->i64[i] = find_position(&args[0]->str[i], &args[1]->str[i], from);
    }
    return 0;
}

/* ---- REPLACE ---- */

/* Java's String.replace: every non-overlapping occurrence from the left; an empty search
 * string inserts the replacement before every character and at the end. */
static int replace_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        const str_t *s = &args[0]->str[i], *from = &args[1]->str[i], *to = &args[2]->str[i];
        const char *p = str_ptr(s), *f = str_ptr(from), *t = str_ptr(to);
        sb_clear(&string_buf);
        if (from->len == 0) {
            for (uint32_t r = 0; r < s->len;) {
                uint32_t len = utf8_char_len((unsigned char)p[r]);
                if (len > s->len - r) len = s->len - r;
                sb_append(&string_buf, t, to->len);
                sb_append(&string_buf, p + r, len);
                r += len;
            }
            sb_append(&string_buf, t, to->len);
        } else {
            uint32_t r = 0;
            const char *hit;
            while ((hit = memmem(p + r, s->len - r, f, from->len))) {
                sb_append(&string_buf, p + r, (size_t)(hit - (p + r)));
                sb_append(&string_buf, t, to->len);
                r = (uint32_t)(hit - p) + from->len;
            }
            sb_append(&string_buf, p + r, s->len - r);
        }
        out->str[i] = func_out_str(ctx, string_buf.data ? string_buf.data : "", (uint32_t)string_buf.len);
    }
    return 0;
}

/* ---- LPAD, RPAD ---- */

#define PAD_MAX_CHARS (16 * 1024 * 1024)

/* Bytes of the first `chars` characters of the pad string repeated. */
static void append_pad(const str_t *pad, uint64_t chars, sb_t *out)
{
    const char *p = str_ptr(pad);
    uint32_t pad_chars = utf8_count(p, pad->len);
    for (; chars >= pad_chars; chars -= pad_chars) sb_append(out, p, pad->len);
    sb_append(out, p, utf8_offset(p, pad->len, chars));
}

static int pad_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx, int left)
{
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        const str_t *s = &args[0]->str[i], *pad = &args[2]->str[i];
        int64_t len = args[1]->i64[i];
        if (len < 0 || pad->len == 0) { out->nulls[i] = 1; continue; }
        if (len > PAD_MAX_CHARS)
            return err_at(call->span, "%s: length %lld is larger than the limit of %d characters", call->fn->name,
                          (long long)len, PAD_MAX_CHARS);
        const char *p = str_ptr(s);
        uint32_t chars = utf8_count(p, s->len);
        uint64_t keep = (uint64_t)len < chars ? (uint64_t)len : chars;
        uint32_t keep_bytes = utf8_offset(p, s->len, keep);
        sb_clear(&string_buf);
        if (left) append_pad(pad, (uint64_t)len - keep, &string_buf);
        sb_append(&string_buf, p, keep_bytes);
        if (!left) append_pad(pad, (uint64_t)len - keep, &string_buf);
        out->str[i] = func_out_str(ctx, string_buf.data ? string_buf.data : "", (uint32_t)string_buf.len);
    }
    return 0;
}

static int lpad_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return pad_eval(c, a, n, o, x, 1); }
static int rpad_eval(const expr_t *c, vector_t **a, uint32_t n, vector_t *o, eval_ctx *x) { return pad_eval(c, a, n, o, x, 0); }

/* ---- SPLIT_INDEX ---- */

/* SPLIT_INDEX(s, sep, k): the k-th (0-based) piece of s split at every sep, empty pieces
 * kept; NULL when k is out of range or s is empty. An empty sep splits at spaces; an
 * integer sep is a character code 1..255. */
static int split_index_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    int code_sep = type_is_integer(call->args[1]->type);
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        const str_t *s = &args[0]->str[i];
        int64_t index = args[2]->i64[i];
        char code_buf[4];
        const char *sep;
        uint32_t sep_len;
        if (code_sep) {
            int64_t code = args[1]->i64[i];
            if (code < 1 || code > 255) { out->nulls[i] = 1; continue; }
            sep_len = utf8_encode((uint32_t)code, code_buf);
            sep = code_buf;
        } else {
            sep = str_ptr(&args[1]->str[i]);
            sep_len = args[1]->str[i].len;
            if (sep_len == 0) { sep = " "; sep_len = 1; }
        }
        if (index < 0 || s->len == 0) { out->nulls[i] = 1; continue; }
        const char *p = str_ptr(s);
        uint32_t start = 0;
        int found = 1;
        for (int64_t k = 0; k < index && found; k++) {
            const char *hit = memmem(p + start, s->len - start, sep, sep_len);
            if (hit) start = (uint32_t)(hit - p) + sep_len;
            else found = 0;
        }
        if (!found) { out->nulls[i] = 1; continue; }
        const char *end = memmem(p + start, s->len - start, sep, sep_len);
        uint32_t stop = end ? (uint32_t)(end - p) : s->len;
        out->str[i] = func_out_str(ctx, p + start, stop - start);
    }
    return 0;
}

/* ---- regular expressions ---- */

static void regex_free(void *state) { pcre2_code_free(state); }

static pcre2_code *regex_compile(const char *p, uint32_t len, pcre2_compile_context *cc, char *msg, size_t cap,
                                 size_t *at)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)p, len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off, cc);
    if (!re) {
        pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, cap);
        *at = off;
    }
    return re;
}

/* Text functions (REGEXP_*): text arguments, an optional integer group; a constant
 * pattern is compiled now, and a malformed one is an error at the pattern. */
static int check_regex(expr_t *call, arena_t *a, const char *sig, type_id result)
{
    func_reset_state(call);
    if (check_args(call, a, sig, result)) return -1;
    if (!func_arg_const(call, 1) || call->args[1]->val.null) return 0;
    const str_t *pat = &call->args[1]->val.s;
    char msg[256];
    size_t at;
    pcre2_code *re = regex_compile(str_ptr(pat), pat->len, NULL, msg, sizeof msg, &at);
    if (!re)
        return err_at(call->args[1]->span, "invalid regular expression '%.*s': %s at offset %zu", (int)pat->len,
                      str_ptr(pat), msg, at);
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    call->state = re;
    return 0;
}

static int check_regexp(expr_t *call, arena_t *a) { return check_regex(call, a, "SS", TY_BOOLEAN); }
static int check_regexp_extract(expr_t *call, arena_t *a) { return check_regex(call, a, "SSI", TY_STRING); }
static int check_regexp_replace(expr_t *call, arena_t *a) { return check_regex(call, a, "SSS", TY_STRING); }

static void *scratch_malloc(size_t n, void *arena) { return arena_alloc(arena, n); }
static void scratch_free(void *p, void *arena) { (void)p; (void)arena; }

/* The pattern for one row: the compiled constant, or the row's pattern compiled with
 * scratch memory (reused while consecutive rows carry the same pattern). NULL when the
 * row's pattern does not compile. */
typedef struct regex_rows {
    const pcre2_code *fixed;
    pcre2_general_context *gctx;
    pcre2_compile_context *cctx;
    pcre2_match_data *md;
    const pcre2_code *cur;
    str_t cur_pattern;
    int have_cur;
    uint32_t groups;         /* capture groups of the last pattern returned */
} regex_rows;

static void regex_rows_init(regex_rows *rr, const expr_t *call, eval_ctx *ctx)
{
    memset(rr, 0, sizeof *rr);
    rr->gctx = pcre2_general_context_create(scratch_malloc, scratch_free, ctx->scratch);
    rr->fixed = call->state;
    if (rr->fixed) {
        rr->md = pcre2_match_data_create_from_pattern(rr->fixed, rr->gctx);
        pcre2_pattern_info(rr->fixed, PCRE2_INFO_CAPTURECOUNT, &rr->groups);
    } else {
        rr->cctx = pcre2_compile_context_create(rr->gctx);
    }
}

static const pcre2_code *regex_for_row(regex_rows *rr, const str_t *pattern)
{
    if (rr->fixed) return rr->fixed;
    if (rr->have_cur && str_eq(&rr->cur_pattern, pattern)) return rr->cur;
    char msg[128];
    size_t at;
    rr->cur = regex_compile(str_ptr(pattern), pattern->len, rr->cctx, msg, sizeof msg, &at);
    rr->cur_pattern = *pattern;
    rr->have_cur = 1;
    if (rr->cur) {
        rr->md = pcre2_match_data_create_from_pattern(rr->cur, rr->gctx);
        pcre2_pattern_info(rr->cur, PCRE2_INFO_CAPTURECOUNT, &rr->groups);
    }
    return rr->cur;
}

static int regex_find(regex_rows *rr, const pcre2_code *re, const str_t *s, uint32_t start)
{
    return pcre2_match(re, (PCRE2_SPTR)str_ptr(s), s->len, start, 0, rr->md, NULL);
}

/* REGEXP(s, pattern): does the pattern occur in s? An empty pattern never matches. */
static int regexp_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    regex_rows rr;
    regex_rows_init(&rr, call, ctx);
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        const str_t *pat = &args[1]->str[i];
        const pcre2_code *re = pat->len ? regex_for_row(&rr, pat) : NULL;
        out->i64[i] = re && regex_find(&rr, re, &args[0]->str[i], 0) > 0;
    }
    return 0;
}

/* REGEXP_EXTRACT(s, pattern [, group]): the group (0 = whole match, the default) of the
 * first match; NULL without a match, for a group the pattern does not have or that did
 * not take part in the match. */
static int regexp_extract_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    regex_rows rr;
    regex_rows_init(&rr, call, ctx);
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        const pcre2_code *re = regex_for_row(&rr, &args[1]->str[i]);
        int64_t group = call->nargs > 2 ? args[2]->i64[i] : 0;
        const str_t *s = &args[0]->str[i];
        if (!re || group < 0 || group > (int64_t)rr.groups || regex_find(&rr, re, s, 0) <= 0) {
            out->nulls[i] = 1;
            continue;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rr.md);
        if (ov[2 * group] == PCRE2_UNSET) { out->nulls[i] = 1; continue; }
        out->str[i] = func_out_str(ctx, str_ptr(s) + ov[2 * group], (uint32_t)(ov[2 * group + 1] - ov[2 * group]));
    }
    return 0;
}

/* Java's Matcher.replaceAll with a literal replacement: after an empty match the next
 * search starts one character further. */
static void replace_all(regex_rows *rr, const pcre2_code *re, const str_t *s, const str_t *rep, sb_t *out)
{
    const char *p = str_ptr(s);
    uint32_t start = 0, copied = 0;
    while (start <= s->len && regex_find(rr, re, s, start) > 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rr->md);
        uint32_t ms = (uint32_t)ov[0], me = (uint32_t)ov[1];
        sb_append(out, p + copied, ms - copied);
        sb_append(out, str_ptr(rep), rep->len);
        copied = me;
        if (me > ms) start = me;
        else if (me >= s->len) break;
        else start = me + utf8_char_len((unsigned char)p[me]);
    }
    if (copied < s->len) sb_append(out, p + copied, s->len - copied);
}

static int regexp_replace_eval(const expr_t *call, vector_t **args, uint32_t n, vector_t *out, eval_ctx *ctx)
{
    regex_rows rr;
    regex_rows_init(&rr, call, ctx);
    for (uint32_t i = 0; i < n; i++) {
        if (out->nulls[i]) continue;
        const pcre2_code *re = regex_for_row(&rr, &args[1]->str[i]);
        if (!re) { out->nulls[i] = 1; continue; }
        sb_clear(&string_buf);
        replace_all(&rr, re, &args[0]->str[i], &args[2]->str[i], &string_buf);
        out->str[i] = func_out_str(ctx, string_buf.data ? string_buf.data : "", (uint32_t)string_buf.len);
    }
    return 0;
}

/* name, min, max, strict, deterministic, check, eval, free_state */
const func_def func_table_string[] = {
    {"CONCAT", 1, -1, 1, 1, check_concat, func_concat_eval, NULL},
    {"CONCAT_WS", 1, -1, 0, 1, check_concat, concat_ws_eval, NULL},
    {"SUBSTR", 2, 3, 1, 1, check_substr, substr_eval, NULL},
    {"SUBSTRING", 2, 3, 1, 1, check_substr, substr_eval, NULL},
    {"LOWER", 1, 1, 1, 1, check_strings_to_string, lower_eval, NULL},
    {"UPPER", 1, 1, 1, 1, check_strings_to_string, upper_eval, NULL},
    {"INITCAP", 1, 1, 1, 1, check_strings_to_string, initcap_eval, NULL},
    {"REVERSE", 1, 1, 1, 1, check_strings_to_string, reverse_eval, NULL},
    {"TRIM", 1, 1, 1, 1, check_strings_to_string, trim_both_eval, NULL},
    {"LTRIM", 1, 1, 1, 1, check_strings_to_string, ltrim_eval, NULL},
    {"RTRIM", 1, 1, 1, 1, check_strings_to_string, rtrim_eval, NULL},
    {"CHAR_LENGTH", 1, 1, 1, 1, check_string_to_int, char_length_eval, NULL},
    {"CHARACTER_LENGTH", 1, 1, 1, 1, check_string_to_int, char_length_eval, NULL},
    {"POSITION", 2, 2, 1, 1, check_strings_to_int, locate_eval, NULL},
    {"LOCATE", 2, 3, 1, 1, check_strings_to_int, locate_eval, NULL},
    {"REPLACE", 3, 3, 1, 1, check_strings_to_string, replace_eval, NULL},
    {"LPAD", 3, 3, 1, 1, check_pad, lpad_eval, NULL},
    {"RPAD", 3, 3, 1, 1, check_pad, rpad_eval, NULL},
    {"SPLIT_INDEX", 3, 3, 1, 1, check_split_index, split_index_eval, NULL},
    {"REGEXP", 2, 2, 1, 1, check_regexp, regexp_eval, regex_free},
    {"REGEXP_EXTRACT", 2, 3, 1, 1, check_regexp_extract, regexp_extract_eval, regex_free},
    {"REGEXP_REPLACE", 3, 3, 1, 1, check_regexp_replace, regexp_replace_eval, regex_free},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL},
};
