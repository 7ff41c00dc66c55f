/* parser.c - recursive-descent parser for Flink SQL job files (also the Alibaba Blink and
 * Huawei DLI dialects), producing the AST of ast.h with a source span on every node.
 *
 * The whole text is tokenized first (tokens and names live in the caller's arena), then
 * statements are parsed one after the other. Every parse function returns NULL (or -1)
 * after recording a syntax error with err_at at the offending token; the first error ends
 * the parse. Nesting (parentheses, unary operators, operator chains, joins, unions,
 * pattern groups) is limited to MAX_DEPTH so that hostile input cannot exhaust the stack.
 *
 * Expression precedence, loosest first: OR, AND, NOT, comparison (= <> < > <= >= IS IN
 * BETWEEN LIKE), + - ||, * / %, unary + -, primary. Only the words marked reserved in
 * lexer.h are refused as names; others (timestamp, date, user, type, ...) are keywords
 * only where the grammar expects them. */
#include "sql/ast.h"
#include "sql/lexer.h"
#include "base/util.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 1000

typedef struct parser {
    const char *src;
    arena_t *arena;
    token_t *toks;      /* all tokens; the last is TK_EOF or TK_ERROR */
    int ntoks;
    int pos;            /* current token */
    int depth;          /* nesting level, see enter() */
    span_t prev;        /* span of the last consumed token */
    int in_match;       /* inside MATCH_RECOGNIZE (...): NEXT() is refused */
    int in_pattern;     /* inside PATTERN (...): '?', '{', '}', '|' are tokens of the grammar */
} parser_t;

/* ------------------------------------------------------------------ tokens */

static void tokenize(parser_t *p)
{
    lexer_t lx;
    lexer_init(&lx, p->src, p->arena);
    int cap = 256;
    p->toks = arena_alloc(p->arena, (size_t)cap * sizeof *p->toks);
    p->ntoks = 0;
    for (;;) {
        if (p->ntoks == cap) {
            token_t *bigger = arena_alloc(p->arena, (size_t)cap * 2 * sizeof *p->toks);
            memcpy(bigger, p->toks, (size_t)cap * sizeof *p->toks);
            p->toks = bigger;
            cap *= 2;
        }
        token_t *t = &p->toks[p->ntoks++];
        lexer_next(&lx, t);
        if (t->kind == TK_EOF || t->kind == TK_ERROR) break;
    }
}

static const token_t *peek(const parser_t *p, int k)
{
    int i = p->pos + k;
    return &p->toks[i < p->ntoks ? i : p->ntoks - 1];
}

static const token_t *cur(const parser_t *p) { return peek(p, 0); }

static const token_t *advance(parser_t *p)
{
    const token_t *t = cur(p);
    if (p->pos < p->ntoks - 1) p->pos++;
    p->prev = t->span;
    return t;
}

static void skip(parser_t *p, int n)
{
    while (n-- > 0) advance(p);
}

static int is_kw(const token_t *t, kw_id kw) { return t->kind == TK_IDENT && t->kw == kw; }
static int at(const parser_t *p, tok_kind k) { return cur(p)->kind == k; }
static int at_kw(const parser_t *p, kw_id kw) { return is_kw(cur(p), kw); }
static int peek_is(const parser_t *p, int k, tok_kind kind) { return peek(p, k)->kind == kind; }
static int peek_kw(const parser_t *p, int k, kw_id kw) { return is_kw(peek(p, k), kw); }
static int is_string(const token_t *t) { return t->kind == TK_STRING || t->kind == TK_DQSTRING; }

/* A word that is not a keyword of the lexer's list (PRECISION, LOCAL, ZONE, ...). */
static int at_word(const parser_t *p, int k, const char *word)
{
    const token_t *t = peek(p, k);
    return t->kind == TK_IDENT && str_ieq(t->val, word);
}

static int accept(parser_t *p, tok_kind k)
{
    if (!at(p, k)) return 0;
    advance(p);
    return 1;
}

static int accept_kw(parser_t *p, kw_id kw)
{
    if (!at_kw(p, kw)) return 0;
    advance(p);
    return 1;
}

/* A token usable as a name: a quoted identifier or a word that is not reserved. */
static int is_name_tok(const token_t *t)
{
    return t->kind == TK_QIDENT || (t->kind == TK_IDENT && !kw_is_reserved(t->kw));
}

/* ------------------------------------------------------------------ errors */

/* "'FROM'", "string 'abc'", "end of input": the token as written, first line, shortened. */
static void describe(const parser_t *p, const token_t *t, char *buf, size_t cap)
{
    if (t->kind == TK_EOF) {
        snprintf(buf, cap, "end of input");
        return;
    }
    const char *s = p->src + t->span.off;
    size_t n = t->span.len, max = 40;
    const char *nl = memchr(s, '\n', n);
    if (nl) n = (size_t)(nl - s);
    int cut = n > max;
    if (cut) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    }
    const char *more = cut || nl ? "..." : "";
    if (is_string(t)) snprintf(buf, cap, "string %.*s%s", (int)n, s, more);
    else snprintf(buf, cap, "'%.*s%s'", (int)n, s, more);
}

/* The point just after the last consumed token: where the missing text should have been. */
static span_t after_prev(const parser_t *p)
{
    span_t s = p->prev;
    const char *t = p->src + s.off;
    for (uint32_t i = 0; i < s.len; i++) {
        if (t[i] == '\n') {
            s.line++;
            s.col = 1;
        } else {
            s.col++;
        }
    }
    s.off += s.len;
    s.len = 0;
    return s;
}

/* '?', '{', '}' and '|' belong to MATCH_RECOGNIZE patterns only. */
static int is_pattern_punct(const token_t *t)
{
    return t->kind == TK_QUESTION || t->kind == TK_LBRACE || t->kind == TK_RBRACE || t->kind == TK_PIPE;
}

static int stray_punct_error(const parser_t *p, const token_t *t)
{
    char c = p->src[t->span.off];
    if (c == '|') return err_at(t->span, "unexpected character '|' (the concatenation operator is '||')");
    return err_at(t->span, "unexpected character '%c'", c);
}

/* Records "expected <what>, found <token>" at the current token (or the lexer's message
 * if the current token is a lexical error; pattern punctuation outside a pattern is an
 * unexpected character). Always returns -1. */
static int syntax_error(const parser_t *p, const char *what)
{
    const token_t *t = cur(p);
    if (t->kind == TK_ERROR) return err_at(t->span, "%s", t->val);
    if (is_pattern_punct(t) && !p->in_pattern) return stray_punct_error(p, t);
    if (t->kind == TK_EOF) {
        span_t where = p->prev.line ? after_prev(p) : t->span;
        return err_at(where, "unexpected end of input; expected %s", what);
    }
    char found[96];
    describe(p, t, found, sizeof found);
    return err_at(t->span, "expected %s, found %s", what, found);
}

static int expect(parser_t *p, tok_kind k, const char *what)
{
    return accept(p, k) ? 0 : syntax_error(p, what);
}

static int expect_kw(parser_t *p, kw_id kw, const char *what)
{
    return accept_kw(p, kw) ? 0 : syntax_error(p, what);
}

/* Counts one more level of nesting; fails when the input nests too deeply. */
static int enter(parser_t *p)
{
    if (++p->depth <= MAX_DEPTH) return 0;
    return err_at(cur(p)->span, "expression nested too deeply (more than %d levels)", MAX_DEPTH);
}

/* ------------------------------------------------------------------ nodes and lists */

static ast_t *new_node(parser_t *p, ast_kind kind, span_t start)
{
    ast_t *n = arena_zalloc(p->arena, sizeof *n);
    n->kind = kind;
    n->span = start;
    n->nulls_first = -1;
    n->frame_rows = -1;
    return n;
}

/* Extends the node's span to the end of the last consumed token. */
static ast_t *close_node(const parser_t *p, ast_t *n)
{
    n->span = span_join(n->span, p->prev);
    return n;
}

typedef struct list_builder {
    ast_t **items;
    int len, cap;
} list_builder;

static void lb_push(parser_t *p, list_builder *b, ast_t *x)
{
    if (b->len == b->cap) {
        int cap = b->cap ? b->cap * 2 : 4;
        ast_t **items = arena_alloc(p->arena, (size_t)cap * sizeof *items);
        if (b->len) memcpy(items, b->items, (size_t)b->len * sizeof *items);
        b->items = items;
        b->cap = cap;
    }
    b->items[b->len++] = x;
}

static ast_list lb_list(const list_builder *b)
{
    ast_list l = { b->items, b->len };
    return l;
}

static void push_name(parser_t *p, ast_t *n, const char *name)
{
    const char **names = arena_alloc(p->arena, (size_t)(n->nnames + 1) * sizeof *names);
    if (n->nnames) memcpy(names, n->names, (size_t)n->nnames * sizeof *names);
    names[n->nnames++] = name;
    n->names = names;
}

static char *source_text(parser_t *p, span_t s)
{
    return arena_strndup(p->arena, p->src + s.off, s.len);
}

static ast_t *parse_expr(parser_t *p);
static ast_t *parse_query(parser_t *p);

/* ------------------------------------------------------------------ names */

/* a, t.a, db.t.a; with allow_star also t.* (an AST_STAR whose names are the qualifier). */
static ast_t *parse_qualified(parser_t *p, const char *what, int allow_star)
{
    const token_t *t = cur(p);
    if (!is_name_tok(t)) return syntax_error(p, what), NULL;
    ast_t *n = new_node(p, AST_IDENT, t->span);
    push_name(p, n, advance(p)->val);
    while (at(p, TK_DOT)) {
        const token_t *next = peek(p, 1);
        if (next->kind == TK_IDENT || next->kind == TK_QIDENT) {
            skip(p, 1);
            push_name(p, n, advance(p)->val);
        } else if (allow_star && next->kind == TK_STAR) {
            skip(p, 2);
            n->kind = AST_STAR;
            break;
        } else {
            skip(p, 1);
            return syntax_error(p, "a name after '.'"), NULL;
        }
    }
    return close_node(p, n);
}

/* One unqualified name as an AST_IDENT. */
static ast_t *parse_simple_name(parser_t *p, const char *what)
{
    const token_t *t = cur(p);
    if (!is_name_tok(t)) return syntax_error(p, what), NULL;
    ast_t *n = new_node(p, AST_IDENT, t->span);
    push_name(p, n, advance(p)->val);
    return n;
}

/* '(' a, b, c ')' as AST_IDENT nodes. */
static int parse_name_list(parser_t *p, ast_list *out, const char *what, const char *close_what)
{
    list_builder b = { 0 };
    if (expect(p, TK_LPAREN, "'('") < 0) return -1;
    do {
        ast_t *n = parse_simple_name(p, what);
        if (!n) return -1;
        lb_push(p, &b, n);
    } while (accept(p, TK_COMMA));
    if (expect(p, TK_RPAREN, close_what) < 0) return -1;
    *out = lb_list(&b);
    return 0;
}

/* [AS] alias; the AS form takes any non-reserved name, the bare form likewise. */
static int parse_alias(parser_t *p, ast_t *n)
{
    if (accept_kw(p, KW_AS)) {
        if (!is_name_tok(cur(p))) return syntax_error(p, "an alias after AS");
    } else if (!is_name_tok(cur(p))) {
        return 0;
    }
    const token_t *t = advance(p);
    n->alias = t->val;
    n->alias_span = t->span;
    return 0;
}

static int parse_string(parser_t *p, const char **out, span_t *where, const char *what)
{
    if (!is_string(cur(p))) return syntax_error(p, what);
    const token_t *t = advance(p);
    *out = t->val;
    if (where) *where = t->span;
    return 0;
}

/* A small non-negative integer (type precision, length). */
static int parse_small_int(parser_t *p, int *out, const char *what)
{
    const token_t *t = cur(p);
    if (t->kind != TK_INTEGER) return syntax_error(p, what);
    errno = 0;
    long v = strtol(t->val, NULL, 10);
    if (errno || v > INT_MAX) return err_at(t->span, "number too large: %s", t->val);
    advance(p);
    *out = (int)v;
    return 0;
}

/* ------------------------------------------------------------------ time units */

static time_unit unit_of(const token_t *t)
{
    if (t->kind != TK_IDENT) return TU_NONE;
    switch (t->kw) {
    case KW_YEAR: case KW_YEARS: return TU_YEAR;
    case KW_QUARTER: case KW_QUARTERS: return TU_QUARTER;
    case KW_MONTH: case KW_MONTHS: return TU_MONTH;
    case KW_WEEK: case KW_WEEKS: return TU_WEEK;
    case KW_DAY: case KW_DAYS: return TU_DAY;
    case KW_HOUR: case KW_HOURS: return TU_HOUR;
    case KW_MINUTE: case KW_MINUTES: return TU_MINUTE;
    case KW_SECOND: case KW_SECONDS: return TU_SECOND;
    case KW_MILLISECOND: case KW_MILLISECONDS: return TU_MILLISECOND;
    case KW_MICROSECOND: case KW_MICROSECONDS: return TU_MICROSECOND;
    default: return TU_NONE;
    }
}

static int parse_time_unit(parser_t *p, time_unit *out, const char *what)
{
    time_unit u = unit_of(cur(p));
    if (u == TU_NONE) return syntax_error(p, what);
    advance(p);
    *out = u;
    return 0;
}

/* The ignored precision of SECOND(3) or DAY(2) in INTERVAL literals and types. */
static int skip_unit_precision(parser_t *p)
{
    if (!at(p, TK_LPAREN) || !peek_is(p, 1, TK_INTEGER)) return 0;
    skip(p, 2);
    if (accept(p, TK_COMMA) && expect(p, TK_INTEGER, "a precision") < 0) return -1;
    return expect(p, TK_RPAREN, "')' after the precision");
}

/* ------------------------------------------------------------------ types */

/* '(' a [, b] ')' after a type name; returns how many numbers were given (0, 1, 2). */
static int parse_type_args(parser_t *p, int *a, int *b, int max)
{
    if (!accept(p, TK_LPAREN)) return 0;
    int n = 1;
    if (parse_small_int(p, a, "a number in the type's parentheses") < 0) return -1;
    if (max > 1 && accept(p, TK_COMMA)) {
        n = 2;
        if (parse_small_int(p, b, "a number (the scale)") < 0) return -1;
    }
    if (expect(p, TK_RPAREN, "')' after the type's length or precision") < 0) return -1;
    return n;
}

static int parse_decimal_type(parser_t *p, type_t *out)
{
    int prec = 10, scale = 0;
    const token_t *args = peek(p, 1);
    if (parse_type_args(p, &prec, &scale, 2) < 0) return -1;
    if (prec < 1 || prec > 38)
        return err_at(args->span, "DECIMAL precision must be between 1 and 38, found %d", prec);
    if (scale > prec)
        return err_at(args->span, "DECIMAL scale %d is larger than the precision %d", scale, prec);
    *out = type_decimal(prec, scale);
    return 0;
}

static int parse_varchar_type(parser_t *p, type_t *out, int default_len)
{
    int len = default_len, unused = 0;
    const token_t *args = peek(p, 1);
    if (parse_type_args(p, &len, &unused, 1) < 0) return -1;
    if (len == 0) return err_at(args->span, "a string type's length must be at least 1");
    *out = type_varchar(len);
    return 0;
}

/* TIMESTAMP[(p)] [WITHOUT TIME ZONE | WITH LOCAL TIME ZONE]; TIMESTAMP_LTZ[(p)]. */
static int parse_timestamp_type(parser_t *p, type_t *out, type_id id)
{
    int prec = 6, unused = 0;
    const token_t *args = peek(p, 1);
    if (parse_type_args(p, &prec, &unused, 1) < 0) return -1;
    if (prec > 9) return err_at(args->span, "TIMESTAMP precision must be between 0 and 9, found %d", prec);
    if (id == TY_TIMESTAMP && at_word(p, 0, "WITHOUT") && peek_kw(p, 1, KW_TIME) && at_word(p, 2, "ZONE")) {
        skip(p, 3);
    } else if (id == TY_TIMESTAMP && at_kw(p, KW_WITH) && at_word(p, 1, "LOCAL")) {
        skip(p, 2);
        if (expect_kw(p, KW_TIME, "TIME ZONE after WITH LOCAL") < 0) return -1;
        if (!at_word(p, 0, "ZONE")) return syntax_error(p, "ZONE after WITH LOCAL TIME");
        advance(p);
        id = TY_TIMESTAMP_LTZ;
    }
    *out = type_timestamp(id, prec);
    return 0;
}

/* INTERVAL unit [TO unit]: the year-month or the day-time family. */
static int parse_interval_type(parser_t *p, type_t *out)
{
    time_unit from, to = TU_NONE;
    const char *what = "a time unit (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND) after INTERVAL";
    if (parse_time_unit(p, &from, what) < 0 || skip_unit_precision(p) < 0) return -1;
    if (accept_kw(p, KW_TO)) {
        if (parse_time_unit(p, &to, "a time unit after TO") < 0 || skip_unit_precision(p) < 0) return -1;
    }
    int ym = from == TU_YEAR || from == TU_QUARTER || from == TU_MONTH;
    *out = type_make(ym ? TY_INTERVAL_YM : TY_INTERVAL_DT);
    return 0;
}

static const struct simple_type {
    const char *name;
    type_id id;
} simple_types[] = {
    { "BOOLEAN", TY_BOOLEAN }, { "TINYINT", TY_INT }, { "SMALLINT", TY_INT },
    { "INT", TY_INT }, { "INTEGER", TY_INT }, { "BIGINT", TY_BIGINT },
    { "FLOAT", TY_DOUBLE }, { "REAL", TY_DOUBLE }, { "DOUBLE", TY_DOUBLE },
    { "STRING", TY_STRING }, { "DATE", TY_DATE },
};

static const char *const unsupported_types[] = {
    "TIME", "BYTES", "BINARY", "VARBINARY", "ARRAY", "MAP", "MULTISET", "ROW", "RAW",
};

static int parse_named_type(parser_t *p, const char *name, type_t *out)
{
    for (size_t i = 0; i < ARRAY_LEN(simple_types); i++) {
        if (!str_ieq(name, simple_types[i].name)) continue;
        *out = type_make(simple_types[i].id);
        if (simple_types[i].id == TY_DOUBLE && at_word(p, 0, "PRECISION")) advance(p);
        return 0;
    }
    if (str_ieq(name, "DECIMAL") || str_ieq(name, "DEC") || str_ieq(name, "NUMERIC"))
        return parse_decimal_type(p, out);
    if (str_ieq(name, "VARCHAR")) return parse_varchar_type(p, out, -1);
    if (str_ieq(name, "CHAR") || str_ieq(name, "CHARACTER")) return parse_varchar_type(p, out, 1);
    if (str_ieq(name, "TIMESTAMP")) return parse_timestamp_type(p, out, TY_TIMESTAMP);
    if (str_ieq(name, "TIMESTAMP_LTZ")) return parse_timestamp_type(p, out, TY_TIMESTAMP_LTZ);
    if (str_ieq(name, "INTERVAL")) return parse_interval_type(p, out);
    return 1;
}

static int parse_type(parser_t *p, ast_type *out)
{
    const token_t *t = cur(p);
    if (t->kind != TK_IDENT) return syntax_error(p, "a type name");
    advance(p);
    int r = parse_named_type(p, t->val, &out->type);
    if (r < 0) return -1;
    if (r > 0) {
        for (size_t i = 0; i < ARRAY_LEN(unsupported_types); i++) {
            if (str_ieq(t->val, unsupported_types[i]))
                return err_at(t->span, "type %s is not supported", unsupported_types[i]);
        }
        return err_at(t->span, "unknown type '%s'", t->val);
    }
    out->span = span_join(t->span, p->prev);
    return 0;
}

/* ------------------------------------------------------------------ expressions */

static ast_t *literal(parser_t *p, lit_kind kind)
{
    const token_t *t = advance(p);
    ast_t *n = new_node(p, AST_LITERAL, t->span);
    n->lit = kind;
    n->text = t->val;
    return n;
}

/* DATE '2020-01-01', TIME '12:00:00', TIMESTAMP '2020-01-01 00:00:00'. */
static ast_t *typed_literal(parser_t *p, lit_kind kind)
{
    const token_t *t = advance(p);
    ast_t *n = new_node(p, AST_LITERAL, t->span);
    n->lit = kind;
    n->text = advance(p)->val;
    return close_node(p, n);
}

/* INTERVAL [-]'5' MINUTE[(p)] [TO unit[(p)]]: text is the quoted value, sign included. */
static ast_t *parse_interval(parser_t *p)
{
    ast_t *n = new_node(p, AST_INTERVAL, advance(p)->span);
    int negative = accept(p, TK_MINUS);
    if (!negative) accept(p, TK_PLUS);
    const token_t *v = cur(p);
    if (!is_string(v) && v->kind != TK_INTEGER && v->kind != TK_DECIMAL)
        return syntax_error(p, "a quoted value such as '5' after INTERVAL"), NULL;
    advance(p);
    n->text = v->val;
    if (negative) {
        size_t len = strlen(v->val);
        char *s = arena_alloc(p->arena, len + 2);
        s[0] = '-';
        memcpy(s + 1, v->val, len + 1);
        n->text = s;
    }
    const char *what = "a time unit (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND) after the interval value";
    if (parse_time_unit(p, &n->unit, what) < 0 || skip_unit_precision(p) < 0) return NULL;
    if (accept_kw(p, KW_TO)) {
        if (parse_time_unit(p, &n->unit2, "a time unit after TO") < 0) return NULL;
        if (skip_unit_precision(p) < 0) return NULL;
    }
    return close_node(p, n);
}

static ast_t *parse_case(parser_t *p)
{
    ast_t *n = new_node(p, AST_CASE, advance(p)->span);
    list_builder arms = { 0 };
    if (!at_kw(p, KW_WHEN) && !(n->a = parse_expr(p))) return NULL;
    if (!at_kw(p, KW_WHEN)) return syntax_error(p, "WHEN in the CASE expression"), NULL;
    while (accept_kw(p, KW_WHEN)) {
        ast_t *when = parse_expr(p);
        if (!when || expect_kw(p, KW_THEN, "THEN after the WHEN condition") < 0) return NULL;
        ast_t *then = parse_expr(p);
        if (!then) return NULL;
        lb_push(p, &arms, when);
        lb_push(p, &arms, then);
    }
    n->list = lb_list(&arms);
    if (accept_kw(p, KW_ELSE) && !(n->b = parse_expr(p))) return NULL;
    if (expect_kw(p, KW_END, "END to close the CASE expression") < 0) return NULL;
    return close_node(p, n);
}

/* CAST(x AS type) and TRY_CAST(x AS type). */
static ast_t *parse_cast(parser_t *p)
{
    const token_t *t = advance(p);
    ast_t *n = new_node(p, AST_CAST, t->span);
    n->safe = t->kw == KW_TRY_CAST;
    skip(p, 1);
    if (!(n->a = parse_expr(p))) return NULL;
    if (expect_kw(p, KW_AS, "AS in CAST(value AS type)") < 0) return NULL;
    if (parse_type(p, &n->cast_type) < 0) return NULL;
    if (expect(p, TK_RPAREN, "')' to close CAST") < 0) return NULL;
    return close_node(p, n);
}

/* EXTRACT(unit FROM x). */
static ast_t *parse_extract(parser_t *p)
{
    ast_t *n = new_node(p, AST_TIME_UNIT_CALL, advance(p)->span);
    n->name = "EXTRACT";
    skip(p, 1);
    if (parse_time_unit(p, &n->unit, "a time unit (YEAR, MONTH, DAY, HOUR, ...) in EXTRACT") < 0) return NULL;
    if (expect_kw(p, KW_FROM, "FROM in EXTRACT(unit FROM value)") < 0) return NULL;
    if (!(n->a = parse_expr(p))) return NULL;
    if (expect(p, TK_RPAREN, "')' to close EXTRACT") < 0) return NULL;
    return close_node(p, n);
}

/* expr {, expr}. With allow_named, an argument `name => value` keeps its value in
 * positional order (the name is dropped). */
static int parse_exprs(parser_t *p, list_builder *args, int allow_named)
{
    do {
        const token_t *t = cur(p);
        if (allow_named && (t->kind == TK_IDENT || t->kind == TK_QIDENT) && peek_is(p, 1, TK_ARROW)) skip(p, 2);
        ast_t *e = parse_expr(p);
        if (!e) return -1;
        lb_push(p, args, e);
    } while (accept(p, TK_COMMA));
    return 0;
}

/* A call's arguments up to (not including) ')'. */
static int parse_args(parser_t *p, list_builder *args) { return parse_exprs(p, args, 1); }

/* FLOOR(x TO unit) / CEIL(x TO unit) are time-unit calls; FLOOR(x) is a plain call. */
static ast_t *parse_floor_ceil(parser_t *p)
{
    const token_t *t = advance(p);
    skip(p, 1);
    ast_t *first = parse_expr(p);
    if (!first) return NULL;
    ast_t *n;
    if (accept_kw(p, KW_TO)) {
        n = new_node(p, AST_TIME_UNIT_CALL, t->span);
        n->name = t->kw == KW_FLOOR ? "FLOOR" : "CEIL";
        n->a = first;
        if (parse_time_unit(p, &n->unit, "a time unit (YEAR, MONTH, DAY, HOUR, ...) after TO") < 0) return NULL;
    } else {
        list_builder args = { 0 };
        lb_push(p, &args, first);
        if (accept(p, TK_COMMA) && parse_args(p, &args) < 0) return NULL;
        n = new_node(p, AST_CALL, t->span);
        n->name = t->val;
        n->list = lb_list(&args);
    }
    if (expect(p, TK_RPAREN, "')' after function arguments") < 0) return NULL;
    return close_node(p, n);
}

/* DESCRIPTOR(col [, col]): names holds the columns. */
static ast_t *parse_descriptor(parser_t *p)
{
    ast_t *n = new_node(p, AST_DESCRIPTOR, advance(p)->span);
    skip(p, 1);
    do {
        if (!is_name_tok(cur(p))) return syntax_error(p, "a column name in DESCRIPTOR"), NULL;
        push_name(p, n, advance(p)->val);
    } while (accept(p, TK_COMMA));
    if (expect(p, TK_RPAREN, "')' to close DESCRIPTOR") < 0) return NULL;
    return close_node(p, n);
}

/* TABLE t, a table argument of a table-valued function. */
static ast_t *parse_table_arg(parser_t *p)
{
    span_t start = advance(p)->span;
    ast_t *n = parse_qualified(p, "a table name after TABLE", 0);
    if (!n) return NULL;
    n->kind = AST_TABLE_ARG;
    n->span = start;
    return close_node(p, n);
}

static ast_t *parse_order_item(parser_t *p)
{
    ast_t *e = parse_expr(p);
    if (!e) return NULL;
    ast_t *n = new_node(p, AST_ORDER_ITEM, e->span);
    n->a = e;
    if (accept_kw(p, KW_DESC)) n->desc = 1;
    else accept_kw(p, KW_ASC);
    if (accept_kw(p, KW_NULLS)) {
        if (accept_kw(p, KW_FIRST)) n->nulls_first = 1;
        else if (accept_kw(p, KW_LAST)) n->nulls_first = 0;
        else return syntax_error(p, "FIRST or LAST after NULLS"), NULL;
    }
    return close_node(p, n);
}

static int parse_order_list(parser_t *p, ast_list *out)
{
    list_builder b = { 0 };
    do {
        ast_t *item = parse_order_item(p);
        if (!item) return -1;
        lb_push(p, &b, item);
    } while (accept(p, TK_COMMA));
    *out = lb_list(&b);
    return 0;
}

static int parse_expr_list(parser_t *p, ast_list *out)
{
    list_builder b = { 0 };
    if (parse_exprs(p, &b, 0) < 0) return -1;
    *out = lb_list(&b);
    return 0;
}

/* UNBOUNDED PRECEDING (frame_start NULL) or <expr> PRECEDING. */
static int parse_frame_start(parser_t *p, ast_t *w)
{
    if (accept_kw(p, KW_UNBOUNDED))
        return expect_kw(p, KW_PRECEDING, "PRECEDING after UNBOUNDED (frames end at the current row)");
    if (at_kw(p, KW_CURRENT))
        return syntax_error(p, "UNBOUNDED PRECEDING or '<n> PRECEDING' to start the window frame");
    if (!(w->frame_start = parse_expr(p))) return -1;
    return expect_kw(p, KW_PRECEDING, "PRECEDING after the frame offset");
}

/* ROWS|RANGE [BETWEEN] start [AND CURRENT ROW]. */
static int parse_frame(parser_t *p, ast_t *w)
{
    w->frame_rows = advance(p)->kw == KW_ROWS;
    if (!accept_kw(p, KW_BETWEEN)) return parse_frame_start(p, w);
    if (parse_frame_start(p, w) < 0) return -1;
    if (expect_kw(p, KW_AND, "AND in the window frame") < 0) return -1;
    if (expect_kw(p, KW_CURRENT, "CURRENT ROW (window frames end at the current row)") < 0) return -1;
    return expect_kw(p, KW_ROW, "ROW after CURRENT");
}

/* OVER (PARTITION BY ... ORDER BY ... [frame]). */
static ast_t *parse_window_spec(parser_t *p)
{
    span_t start = cur(p)->span;
    if (is_name_tok(cur(p))) return err_at(start, "named windows (OVER w) are not supported; write OVER (...)"), NULL;
    if (expect(p, TK_LPAREN, "'(' after OVER") < 0) return NULL;
    ast_t *w = new_node(p, AST_WINDOW_SPEC, start);
    if (accept_kw(p, KW_PARTITION)) {
        if (expect_kw(p, KW_BY, "BY after PARTITION") < 0 || parse_expr_list(p, &w->list) < 0) return NULL;
    }
    if (accept_kw(p, KW_ORDER)) {
        if (expect_kw(p, KW_BY, "BY after ORDER") < 0 || parse_order_list(p, &w->list2) < 0) return NULL;
    }
    if ((at_kw(p, KW_ROWS) || at_kw(p, KW_RANGE)) && parse_frame(p, w) < 0) return NULL;
    if (expect(p, TK_RPAREN, "')' to close the OVER clause") < 0) return NULL;
    return close_node(p, w);
}

/* After a call's ')': FILTER (WHERE cond) and OVER (...). */
static int parse_call_suffix(parser_t *p, ast_t *n)
{
    if (at_kw(p, KW_FILTER) && peek_is(p, 1, TK_LPAREN)) {
        skip(p, 2);
        if (expect_kw(p, KW_WHERE, "WHERE after FILTER (") < 0) return -1;
        if (!(n->filter = parse_expr(p))) return -1;
        if (expect(p, TK_RPAREN, "')' after the FILTER condition") < 0) return -1;
    }
    if (accept_kw(p, KW_OVER) && !(n->over = parse_window_spec(p))) return -1;
    return 0;
}

/* name([DISTINCT] args) | name(*) | name(), then FILTER / OVER. */
static ast_t *parse_call(parser_t *p)
{
    const token_t *t = advance(p);
    if (p->in_match && str_ieq(t->val, "NEXT"))
        return err_at(t->span, "NEXT is not supported in MATCH_RECOGNIZE (Flink navigates with PREV, FIRST and LAST)"), NULL;
    ast_t *n = new_node(p, AST_CALL, t->span);
    n->name = t->val;
    skip(p, 1);
    if (at(p, TK_STAR) && peek_is(p, 1, TK_RPAREN)) {
        skip(p, 1);
        n->star = 1;
    } else if (!at(p, TK_RPAREN)) {
        list_builder args = { 0 };
        if (accept_kw(p, KW_DISTINCT)) n->distinct = 1;
        else accept_kw(p, KW_ALL);
        if (parse_args(p, &args) < 0) return NULL;
        n->list = lb_list(&args);
    }
    if (expect(p, TK_RPAREN, "')' after function arguments") < 0) return NULL;
    if (parse_call_suffix(p, n) < 0) return NULL;
    return close_node(p, n);
}

/* CURRENT_TIMESTAMP, LOCALTIMESTAMP, CURRENT_DATE ...: calls written without parentheses. */
static ast_t *niladic_call(parser_t *p)
{
    if (peek_is(p, 1, TK_LPAREN)) return parse_call(p);
    const token_t *t = advance(p);
    ast_t *n = new_node(p, AST_CALL, t->span);
    n->name = t->val;
    return n;
}

static ast_t *parse_paren_expr(parser_t *p)
{
    advance(p);
    if (at_kw(p, KW_SELECT))
        return syntax_error(p, "an expression (subqueries in expressions are not supported)"), NULL;
    ast_t *e = parse_expr(p);
    if (!e || expect(p, TK_RPAREN, "')' to close '('") < 0) return NULL;
    return e;
}

static ast_t *parse_name_or_call(parser_t *p)
{
    if (is_name_tok(cur(p)) && peek_is(p, 1, TK_LPAREN)) return parse_call(p);
    return parse_qualified(p, "an expression", 1);
}

/* Keywords that start special expression forms when the right token follows. Returns
 * NULL with *handled = 0 when the word is just a name here. */
static ast_t *parse_keyword_form(parser_t *p, int *handled)
{
    const token_t *next = peek(p, 1);
    int paren = next->kind == TK_LPAREN;
    *handled = 1;
    switch (cur(p)->kw) {
    case KW_NULL: return literal(p, LIT_NULL);
    case KW_TRUE: return literal(p, LIT_TRUE);
    case KW_FALSE: return literal(p, LIT_FALSE);
    case KW_CASE: return parse_case(p);
    case KW_DATE: if (is_string(next)) return typed_literal(p, LIT_DATE); break;
    case KW_TIME: if (is_string(next)) return typed_literal(p, LIT_TIME); break;
    case KW_TIMESTAMP: if (is_string(next)) return typed_literal(p, LIT_TIMESTAMP); break;
    case KW_INTERVAL:
        if (is_string(next) || next->kind == TK_INTEGER || next->kind == TK_DECIMAL ||
            ((next->kind == TK_MINUS || next->kind == TK_PLUS) && is_string(peek(p, 2))))
            return parse_interval(p);
        break;
    case KW_CAST: case KW_TRY_CAST: if (paren) return parse_cast(p); break;
    case KW_EXTRACT: if (paren) return parse_extract(p); break;
    case KW_FLOOR: case KW_CEIL: case KW_CEILING: if (paren) return parse_floor_ceil(p); break;
    case KW_DESCRIPTOR: if (paren) return parse_descriptor(p); break;
    case KW_TABLE: if (is_name_tok(next)) return parse_table_arg(p); break;
    case KW_LEFT: case KW_RIGHT: if (paren) return parse_call(p); break;
    case KW_CURRENT_DATE: case KW_CURRENT_TIME: case KW_CURRENT_TIMESTAMP:
    case KW_LOCALTIME: case KW_LOCALTIMESTAMP:
        return niladic_call(p);
    default: break;
    }
    *handled = 0;
    return NULL;
}

static ast_t *parse_primary(parser_t *p)
{
    switch (cur(p)->kind) {
    case TK_INTEGER: return literal(p, LIT_INTEGER);
    case TK_DECIMAL: return literal(p, LIT_DECIMAL);
    case TK_DOUBLE: return literal(p, LIT_DOUBLE);
    case TK_STRING: case TK_DQSTRING: return literal(p, LIT_STRING);
    case TK_LPAREN: return parse_paren_expr(p);
    case TK_QIDENT: return parse_name_or_call(p);
    case TK_IDENT: {
        int handled;
        ast_t *n = parse_keyword_form(p, &handled);
        if (handled) return n;
        return parse_name_or_call(p);
    }
    default: return syntax_error(p, "an expression"), NULL;
    }
}

static ast_t *unary(parser_t *p, const char *op, span_t start, ast_t *operand)
{
    ast_t *n = new_node(p, AST_UNARY, start);
    n->op = op;
    n->a = operand;
    n->span = span_join(start, operand->span);
    return n;
}

static ast_t *parse_unary(parser_t *p)
{
    if (!at(p, TK_MINUS) && !at(p, TK_PLUS)) return parse_primary(p);
    const token_t *t = advance(p);
    if (enter(p) < 0) return NULL;
    ast_t *operand = parse_unary(p);
    p->depth--;
    return operand ? unary(p, t->kind == TK_MINUS ? "-" : "+", t->span, operand) : NULL;
}

static ast_t *binary(parser_t *p, const char *op, ast_t *a, ast_t *b)
{
    ast_t *n = new_node(p, AST_BINARY, a->span);
    n->op = op;
    n->a = a;
    n->b = b;
    n->span = span_join(a->span, b->span);
    return n;
}

typedef ast_t *(*parse_fn)(parser_t *p);
typedef const char *(*op_fn)(const parser_t *p);

/* operand { op operand }, left-associative. Each link counts as a nesting level because
 * the tree grows one level deeper per operator. */
static ast_t *left_assoc(parser_t *p, parse_fn operand, op_fn op_of)
{
    ast_t *left = operand(p);
    int levels = 0;
    const char *op;
    while (left && (op = op_of(p))) {
        advance(p);
        if (enter(p) < 0) return NULL;
        levels++;
        ast_t *right = operand(p);
        if (!right) return NULL;
        left = binary(p, op, left, right);
    }
    p->depth -= levels;
    return left;
}

static const char *mul_op(const parser_t *p)
{
    switch (cur(p)->kind) {
    case TK_STAR: return "*";
    case TK_SLASH: return "/";
    case TK_PERCENT: return "%";
    default: return NULL;
    }
}

static const char *add_op(const parser_t *p)
{
    switch (cur(p)->kind) {
    case TK_PLUS: return "+";
    case TK_MINUS: return "-";
    case TK_CONCAT: return "||";
    default: return NULL;
    }
}

static const char *cmp_op(const parser_t *p)
{
    switch (cur(p)->kind) {
    case TK_EQ: return "=";
    case TK_NE: return "<>";
    case TK_LT: return "<";
    case TK_GT: return ">";
    case TK_LE: return "<=";
    case TK_GE: return ">=";
    default: return NULL;
    }
}

static const char *and_op(const parser_t *p) { return at_kw(p, KW_AND) ? "AND" : NULL; }
static const char *or_op(const parser_t *p) { return at_kw(p, KW_OR) ? "OR" : NULL; }

static ast_t *parse_mul(parser_t *p) { return left_assoc(p, parse_unary, mul_op); }
static ast_t *parse_add(parser_t *p) { return left_assoc(p, parse_mul, add_op); }

/* a IS [NOT] NULL | TRUE | FALSE | UNKNOWN (UNKNOWN is NULL for booleans). */
static ast_t *parse_is(parser_t *p, ast_t *left)
{
    advance(p);
    ast_t *n = new_node(p, AST_IS, left->span);
    n->a = left;
    n->negated = accept_kw(p, KW_NOT);
    if (accept_kw(p, KW_NULL) || accept_kw(p, KW_UNKNOWN)) n->op = "NULL";
    else if (accept_kw(p, KW_TRUE)) n->op = "TRUE";
    else if (accept_kw(p, KW_FALSE)) n->op = "FALSE";
    else return syntax_error(p, n->negated ? "NULL, TRUE or FALSE after IS NOT" : "NULL, TRUE or FALSE after IS"), NULL;
    return close_node(p, n);
}

static ast_t *parse_in_list(parser_t *p, ast_t *n)
{
    if (expect(p, TK_LPAREN, "'(' after IN") < 0) return NULL;
    if (at_kw(p, KW_SELECT))
        return syntax_error(p, "a list of values (subqueries in IN are not supported)"), NULL;
    if (parse_expr_list(p, &n->list) < 0) return NULL;
    if (expect(p, TK_RPAREN, "')' to close the IN list") < 0) return NULL;
    return n;
}

/* a [NOT] IN (...) | [NOT] BETWEEN b AND c | [NOT] LIKE b [ESCAPE c]. */
static ast_t *parse_predicate(parser_t *p, ast_t *left)
{
    int negated = accept_kw(p, KW_NOT);
    kw_id kw = advance(p)->kw;
    ast_t *n = new_node(p, kw == KW_IN ? AST_IN : kw == KW_BETWEEN ? AST_BETWEEN : AST_LIKE, left->span);
    n->a = left;
    n->negated = negated;
    if (kw == KW_IN) {
        if (!parse_in_list(p, n)) return NULL;
    } else if (kw == KW_BETWEEN) {
        if (!(n->b = parse_add(p))) return NULL;
        if (expect_kw(p, KW_AND, "AND in BETWEEN ... AND ...") < 0) return NULL;
        if (!(n->c = parse_add(p))) return NULL;
    } else {
        if (!(n->b = parse_add(p))) return NULL;
        if (accept_kw(p, KW_ESCAPE) && !(n->c = parse_add(p))) return NULL;
    }
    return close_node(p, n);
}

static int at_predicate(const parser_t *p)
{
    int k = at_kw(p, KW_NOT) ? 1 : 0;
    return peek_kw(p, k, KW_IN) || peek_kw(p, k, KW_BETWEEN) || peek_kw(p, k, KW_LIKE);
}

/* One comparison-level link after `left`, or left itself when none follows. */
static ast_t *parse_cmp_link(parser_t *p, ast_t *left, int *more)
{
    const char *op = cmp_op(p);
    *more = 1;
    if (op) {
        advance(p);
        ast_t *right = parse_add(p);
        return right ? binary(p, op, left, right) : NULL;
    }
    if (at_kw(p, KW_IS)) return parse_is(p, left);
    if (at_predicate(p)) return parse_predicate(p, left);
    *more = 0;
    return left;
}

static ast_t *parse_cmp(parser_t *p)
{
    ast_t *left = parse_add(p);
    int levels = 0, more = 1;
    while (left) {
        left = parse_cmp_link(p, left, &more);
        if (!more) break;
        if (enter(p) < 0) return NULL;
        levels++;
    }
    p->depth -= levels;
    return left;
}

static ast_t *parse_not(parser_t *p)
{
    if (!at_kw(p, KW_NOT)) return parse_cmp(p);
    const token_t *t = advance(p);
    if (enter(p) < 0) return NULL;
    ast_t *operand = parse_not(p);
    p->depth--;
    return operand ? unary(p, "NOT", t->span, operand) : NULL;
}

static ast_t *parse_and(parser_t *p) { return left_assoc(p, parse_not, and_op); }
static ast_t *parse_or(parser_t *p) { return left_assoc(p, parse_and, or_op); }

static ast_t *parse_expr(parser_t *p)
{
    if (enter(p) < 0) return NULL;
    ast_t *e = parse_or(p);
    p->depth--;
    return e;
}

/* ------------------------------------------------------------------ queries */

static ast_t *parse_select_item(parser_t *p)
{
    const token_t *t = cur(p);
    ast_t *item = new_node(p, AST_SELECT_ITEM, t->span);
    if (at(p, TK_STAR)) {
        item->a = new_node(p, AST_STAR, advance(p)->span);
        return item;
    }
    if (!(item->a = parse_expr(p))) return NULL;
    if (item->a->kind != AST_STAR && parse_alias(p, item) < 0) return NULL;
    return close_node(p, item);
}

static int parse_select_list(parser_t *p, ast_list *out)
{
    list_builder b = { 0 };
    do {
        ast_t *item = parse_select_item(p);
        if (!item) return -1;
        lb_push(p, &b, item);
    } while (accept(p, TK_COMMA));
    *out = lb_list(&b);
    return 0;
}

/* FOR SYSTEM_TIME AS OF expr (a lookup join's time). */
static int parse_system_time(parser_t *p, ast_t *ref)
{
    advance(p);
    if (expect_kw(p, KW_SYSTEM_TIME, "SYSTEM_TIME after FOR") < 0) return -1;
    if (expect_kw(p, KW_AS, "AS OF after FOR SYSTEM_TIME") < 0) return -1;
    if (expect_kw(p, KW_OF, "OF after FOR SYSTEM_TIME AS") < 0) return -1;
    return (ref->system_time = parse_expr(p)) ? 0 : -1;
}

/* name [FOR SYSTEM_TIME AS OF x] [[AS] alias]. The alias is also accepted before
 * FOR SYSTEM_TIME. */
static ast_t *parse_table_name_ref(parser_t *p)
{
    ast_t *n = parse_qualified(p, "a table name", 0);
    if (!n) return NULL;
    n->kind = AST_TABLE_REF;
    if (at_kw(p, KW_FOR) && parse_system_time(p, n) < 0) return NULL;
    if (parse_alias(p, n) < 0) return NULL;
    if (!n->system_time && at_kw(p, KW_FOR) && parse_system_time(p, n) < 0) return NULL;
    return close_node(p, n);
}

/* TABLE(fn(args)) [[AS] alias]: a windowing table-valued function. */
static ast_t *parse_tvf(parser_t *p)
{
    ast_t *n = new_node(p, AST_TVF, advance(p)->span);
    skip(p, 1);
    if (!is_name_tok(cur(p)) || !peek_is(p, 1, TK_LPAREN))
        return syntax_error(p, "a table function call such as TUMBLE(...) inside TABLE(...)"), NULL;
    n->name = advance(p)->val;
    skip(p, 1);
    if (!at(p, TK_RPAREN)) {
        list_builder args = { 0 };
        if (parse_args(p, &args) < 0) return NULL;
        n->list = lb_list(&args);
    }
    if (expect(p, TK_RPAREN, "')' after function arguments") < 0) return NULL;
    if (expect(p, TK_RPAREN, "')' to close TABLE(...)") < 0) return NULL;
    if (parse_alias(p, n) < 0) return NULL;
    return close_node(p, n);
}

/* (query) [[AS] alias [(columns)]]. */
static ast_t *parse_subquery(parser_t *p)
{
    ast_t *n = new_node(p, AST_SUBQUERY, advance(p)->span);
    if (!(n->a = parse_query(p))) return NULL;
    if (expect(p, TK_RPAREN, "')' to close the subquery") < 0) return NULL;
    if (parse_alias(p, n) < 0) return NULL;
    if (n->alias && at(p, TK_LPAREN) &&
        parse_name_list(p, &n->columns, "a column name", "')' after the column names") < 0)
        return NULL;
    return close_node(p, n);
}

/* ------------------------------------------------------------------ MATCH_RECOGNIZE
 *
 * input MATCH_RECOGNIZE (
 *     [PARTITION BY e, ...] ORDER BY item, ... [MEASURES e AS name, ...]
 *     [ONE ROW PER MATCH | ALL ROWS PER MATCH]
 *     [AFTER MATCH SKIP PAST LAST ROW | TO NEXT ROW | TO FIRST v | TO LAST v | TO v]
 *     PATTERN (term ...) [WITHIN INTERVAL '<n>' unit]
 *     DEFINE v AS condition, ...
 * ) [[AS] alias]
 * The clauses come in this order, as in Flink; MEASURES is optional as in Flink's grammar,
 * ORDER BY is required (Flink needs a time attribute there). A pattern term is a variable or a
 * parenthesised sequence, with at most one quantifier (* + ? {n} {n,} {,m} {n,m}), itself
 * optionally followed by ? (reluctant). Alternation '|', PERMUTE, anchors and exclusions
 * are refused: Flink does not support them. */

enum { SKIP_PAST_LAST, SKIP_NEXT_ROW, SKIP_FIRST_VAR, SKIP_LAST_VAR };

static const char *const match_clause_words[] = {
    "PARTITION", "ORDER", "MEASURES", "ONE", "ALL", "AFTER", "PATTERN", "WITHIN", "SUBSET", "DEFINE",
};

/* syntax_error, plus a note on the clause order when a clause word sits in the wrong place. */
static int match_clause_error(const parser_t *p, const char *what)
{
    syntax_error(p, what);
    for (size_t i = 0; i < ARRAY_LEN(match_clause_words); i++) {
        if (!at_word(p, 0, match_clause_words[i])) continue;
        err_note("the clauses of MATCH_RECOGNIZE go in the order PARTITION BY, ORDER BY, MEASURES, "
                 "ONE ROW PER MATCH, AFTER MATCH SKIP, PATTERN, WITHIN, DEFINE");
        break;
    }
    return -1;
}

/* PATTERN ( starts the pattern clause, so a name missing before it is reported there. */
static int at_pattern_clause(const parser_t *p)
{
    return at_word(p, 0, "PATTERN") && peek_is(p, 1, TK_LPAREN);
}

/* Consumes the word (a keyword or not) or records "expected <what>". */
static int expect_word(parser_t *p, const char *word, const char *what)
{
    if (!at_word(p, 0, word)) return syntax_error(p, what);
    advance(p);
    return 0;
}

static ast_t *parse_pattern_seq(parser_t *p, span_t start, const char *close_what);

/* The first number of a {n,m} quantifier ('{' just consumed). */
static int parse_first_bound(parser_t *p, int *out)
{
    if (at(p, TK_MINUS))
        return err_at(span_join(p->prev, cur(p)->span), "pattern exclusion {- ... -} is not supported");
    return parse_small_int(p, out, "a number or ',' in the quantifier");
}

/* Refuses {0}, {0,0}, {,0} and a maximum below the minimum (text: the quantifier). */
static int check_bounds(span_t where, const char *text, int n, int m, int has_comma)
{
    if (m == 0 && !has_comma) return err_at(where, "quantifier %s: the count must be at least 1", text);
    if (m == 0) return err_at(where, "quantifier %s: the maximum must be at least 1", text);
    if (m >= 0 && m < n) return err_at(where, "quantifier %s: the maximum is below the minimum", text);
    return 0;
}

/* {n}, {n,}, {,m}, {n,m} after '{' (at open) has been consumed. */
static int parse_brace_quantifier(parser_t *p, ast_t *term, span_t open)
{
    int n = 0, m = -1, has_min = !at(p, TK_COMMA);
    if (has_min && parse_first_bound(p, &n) < 0) return -1;
    int has_comma = accept(p, TK_COMMA);
    if (!has_comma) {
        m = n;
    } else if (!at(p, TK_RBRACE) || !has_min) {
        if (parse_small_int(p, &m, has_min ? "a number or '}' after ',' in the quantifier" : "a maximum in the quantifier {,m}") < 0)
            return -1;
    }
    if (expect(p, TK_RBRACE, has_comma ? "'}' to close the quantifier" : "',' or '}' in the quantifier") < 0) return -1;
    char text[64];
    if (!has_comma) snprintf(text, sizeof text, "{%d}", n);
    else if (m < 0) snprintf(text, sizeof text, "{%d,}", n);
    else if (has_min) snprintf(text, sizeof text, "{%d,%d}", n, m);
    else snprintf(text, sizeof text, "{,%d}", m);
    if (check_bounds(span_join(open, p->prev), text, n, m, has_comma) < 0) return -1;
    term->qmin = n;
    term->qmax = m;
    return 0;
}

static int at_quantifier(const parser_t *p)
{
    return at(p, TK_STAR) || at(p, TK_PLUS) || at(p, TK_QUESTION) || at(p, TK_LBRACE);
}

/* [quantifier [?]] after a term; a term keeps {1,1} without one. */
static int parse_quantifier(parser_t *p, ast_t *term)
{
    if (!at_quantifier(p)) return 0;
    const token_t *q = advance(p);
    switch (q->kind) {
    case TK_STAR: term->qmin = 0; term->qmax = -1; break;
    case TK_PLUS: term->qmin = 1; term->qmax = -1; break;
    case TK_QUESTION: term->qmin = 0; term->qmax = 1; break;
    default: if (parse_brace_quantifier(p, term, q->span) < 0) return -1; break;
    }
    if (accept(p, TK_QUESTION)) term->greedy = 0;
    if (at_quantifier(p))
        return err_at(cur(p)->span, "a pattern term takes one quantifier (and an optional '?' to make it reluctant)");
    return 0;
}

/* The things Flink patterns cannot express get their own message. */
static int unsupported_pattern_syntax(const parser_t *p)
{
    const token_t *t = cur(p);
    if (t->kind == TK_PIPE) return err_at(t->span, "pattern alternation '|' is not supported");
    if (at_word(p, 0, "PERMUTE") && peek_is(p, 1, TK_LPAREN))
        return err_at(t->span, "PERMUTE is not supported in patterns");
    if (t->kind == TK_LBRACE && peek_is(p, 1, TK_MINUS))
        return err_at(span_join(t->span, peek(p, 1)->span), "pattern exclusion {- ... -} is not supported");
    char c = t->kind == TK_ERROR ? p->src[t->span.off] : 0;
    if (c == '^' || c == '$') return err_at(t->span, "pattern anchors '^' and '$' are not supported");
    return 0;
}

static ast_t *new_pattern(parser_t *p, span_t start)
{
    ast_t *n = new_node(p, AST_PATTERN, start);
    n->qmin = n->qmax = n->greedy = 1;
    return n;
}

/* variable | '(' term ... ')', then an optional quantifier. */
static ast_t *parse_pattern_term(parser_t *p)
{
    if (unsupported_pattern_syntax(p) < 0) return NULL;
    const token_t *t = cur(p);
    ast_t *n;
    if (t->kind == TK_LPAREN) {
        advance(p);
        if (enter(p) < 0) return NULL;
        n = parse_pattern_seq(p, t->span, "')' to close the pattern group");
        p->depth--;
        if (!n) return NULL;
    } else if (is_name_tok(t)) {
        n = new_pattern(p, t->span);
        n->name = advance(p)->val;
    } else {
        return syntax_error(p, "a pattern variable or '('"), NULL;
    }
    if (parse_quantifier(p, n) < 0) return NULL;
    return close_node(p, n);
}

/* Where an unclosed pattern visibly ends: the end of the statement or the next clause. */
static int at_pattern_end(const parser_t *p)
{
    if (at(p, TK_RPAREN) || at(p, TK_EOF) || at(p, TK_SEMI)) return 1;
    if (at_word(p, 0, "WITHIN") && peek_kw(p, 1, KW_INTERVAL)) return 1;
    return at_word(p, 0, "DEFINE") && is_name_tok(peek(p, 1)) && peek_kw(p, 2, KW_AS);
}

/* term ... ')' (the '(' is consumed; start is its span): a sequence node. */
static ast_t *parse_pattern_seq(parser_t *p, span_t start, const char *close_what)
{
    ast_t *seq = new_pattern(p, start);
    list_builder terms = { 0 };
    do {
        ast_t *term = parse_pattern_term(p);
        if (!term) return NULL;
        lb_push(p, &terms, term);
    } while (!at_pattern_end(p));
    if (expect(p, TK_RPAREN, close_what) < 0) return NULL;
    seq->list = lb_list(&terms);
    return close_node(p, seq);
}

/* PATTERN (...) [WITHIN INTERVAL ...]. */
static int parse_pattern_clause(parser_t *p, ast_t *mr)
{
    if (!at_word(p, 0, "PATTERN")) return match_clause_error(p, "PATTERN in MATCH_RECOGNIZE");
    advance(p);
    span_t open = cur(p)->span;
    if (expect(p, TK_LPAREN, "'(' after PATTERN") < 0) return -1;
    p->in_pattern = 1;
    mr->pattern = parse_pattern_seq(p, open, "')' to close the pattern");
    p->in_pattern = 0;
    if (!mr->pattern) return -1;
    if (!at_word(p, 0, "WITHIN")) return 0;
    advance(p);
    if (!at_kw(p, KW_INTERVAL)) return syntax_error(p, "an INTERVAL such as INTERVAL '10' MINUTE after WITHIN");
    return (mr->within = parse_interval(p)) ? 0 : -1;
}

/* [FINAL | RUNNING] before a measure: FINAL is what Flink computes anyway. */
static int parse_measure_semantics(parser_t *p)
{
    int is_final = at_word(p, 0, "FINAL");
    if (!is_final && !at_word(p, 0, "RUNNING")) return 0;
    if (!is_name_tok(peek(p, 1))) return 0;
    if (!is_final) return err_at(cur(p)->span, "RUNNING measures are not supported (Flink computes MEASURES with FINAL semantics)");
    advance(p);
    return 0;
}

/* MEASURES e AS name, ... */
static int parse_measures(parser_t *p, ast_t *mr)
{
    list_builder items = { 0 };
    advance(p);
    do {
        ast_t *item = new_node(p, AST_SELECT_ITEM, cur(p)->span);
        if (parse_measure_semantics(p) < 0 || !(item->a = parse_expr(p))) return -1;
        if (expect_kw(p, KW_AS, "AS and a name after the measure") < 0) return -1;
        if (!is_name_tok(cur(p)) || at_pattern_clause(p)) return syntax_error(p, "a name for the measure after AS");
        const token_t *t = advance(p);
        item->alias = t->val;
        item->alias_span = t->span;
        lb_push(p, &items, close_node(p, item));
    } while (accept(p, TK_COMMA));
    mr->list2 = lb_list(&items);
    return 0;
}

/* ONE ROW PER MATCH | ALL ROWS PER MATCH. */
static int parse_rows_per_match(parser_t *p, ast_t *mr)
{
    mr->all_rows = at_kw(p, KW_ALL);
    advance(p);
    if (mr->all_rows ? expect_kw(p, KW_ROWS, "ROWS PER MATCH after ALL") < 0
                     : expect_kw(p, KW_ROW, "ROW PER MATCH after ONE") < 0)
        return -1;
    if (expect_word(p, "PER", mr->all_rows ? "PER MATCH after ALL ROWS" : "PER MATCH after ONE ROW") < 0) return -1;
    return expect_word(p, "MATCH", "MATCH after PER");
}

/* The variable of SKIP TO [FIRST | LAST] var. */
static int parse_skip_var(parser_t *p, ast_t *mr, const char *what)
{
    const token_t *t = cur(p);
    if (!is_name_tok(t) || at_pattern_clause(p)) return syntax_error(p, what);
    mr->skip_var = advance(p)->val;
    mr->text_span = t->span;
    return 0;
}

/* AFTER MATCH SKIP (PAST LAST ROW | TO NEXT ROW | TO FIRST v | TO LAST v | TO v). */
static int parse_after_match(parser_t *p, ast_t *mr)
{
    advance(p);
    if (expect_word(p, "MATCH", "MATCH SKIP after AFTER") < 0) return -1;
    if (expect_word(p, "SKIP", "SKIP after AFTER MATCH") < 0) return -1;
    if (at_word(p, 0, "PAST")) {
        advance(p);
        mr->skip = SKIP_PAST_LAST;
        if (expect_kw(p, KW_LAST, "LAST ROW after SKIP PAST") < 0) return -1;
        return expect_kw(p, KW_ROW, "ROW after SKIP PAST LAST");
    }
    if (!accept_kw(p, KW_TO)) return syntax_error(p, "PAST LAST ROW or TO after AFTER MATCH SKIP");
    if (at_word(p, 0, "NEXT") && peek_kw(p, 1, KW_ROW)) {
        skip(p, 2);
        mr->skip = SKIP_NEXT_ROW;
        return 0;
    }
    if (accept_kw(p, KW_FIRST)) {
        mr->skip = SKIP_FIRST_VAR;
        return parse_skip_var(p, mr, "a pattern variable after SKIP TO FIRST");
    }
    mr->skip = SKIP_LAST_VAR;
    if (accept_kw(p, KW_LAST)) return parse_skip_var(p, mr, "a pattern variable after SKIP TO LAST");
    return parse_skip_var(p, mr, "NEXT ROW, FIRST, LAST or a pattern variable after SKIP TO");
}

/* DEFINE v AS condition, ... */
static int parse_defines(parser_t *p, ast_t *mr)
{
    if (at_word(p, 0, "SUBSET")) return err_at(cur(p)->span, "SUBSET is not supported in MATCH_RECOGNIZE");
    if (!at_word(p, 0, "DEFINE")) return match_clause_error(p, "DEFINE in MATCH_RECOGNIZE");
    advance(p);
    list_builder items = { 0 };
    do {
        const token_t *t = cur(p);
        if (!is_name_tok(t)) return syntax_error(p, "a pattern variable in DEFINE");
        ast_t *item = new_node(p, AST_SELECT_ITEM, t->span);
        item->alias = advance(p)->val;
        item->alias_span = t->span;
        if (expect_kw(p, KW_AS, "AS after the pattern variable in DEFINE") < 0) return -1;
        if (!(item->a = parse_expr(p))) return -1;
        lb_push(p, &items, close_node(p, item));
    } while (accept(p, TK_COMMA));
    mr->defines = lb_list(&items);
    return 0;
}

/* PARTITION BY ... ORDER BY ... */
static int parse_match_order(parser_t *p, ast_t *mr)
{
    if (at_kw(p, KW_PARTITION)) {
        advance(p);
        if (expect_kw(p, KW_BY, "BY after PARTITION") < 0 || parse_expr_list(p, &mr->list) < 0) return -1;
    }
    if (!at_kw(p, KW_ORDER))
        return match_clause_error(p, mr->list.len ? "ORDER BY in MATCH_RECOGNIZE" : "PARTITION BY or ORDER BY in MATCH_RECOGNIZE");
    advance(p);
    if (expect_kw(p, KW_BY, "BY after ORDER") < 0) return -1;
    return parse_order_list(p, &mr->order_by);
}

/* The clauses between the parentheses. */
static int parse_match_clauses(parser_t *p, ast_t *mr)
{
    if (parse_match_order(p, mr) < 0) return -1;
    if (at_word(p, 0, "MEASURES") && parse_measures(p, mr) < 0) return -1;
    if ((at_word(p, 0, "ONE") || at_kw(p, KW_ALL)) && parse_rows_per_match(p, mr) < 0) return -1;
    if (at_word(p, 0, "AFTER") && parse_after_match(p, mr) < 0) return -1;
    if (parse_pattern_clause(p, mr) < 0) return -1;
    if (parse_defines(p, mr) < 0) return -1;
    return expect(p, TK_RPAREN, "',' or ')' after the DEFINE condition");
}

/* input MATCH_RECOGNIZE (...) [[AS] alias]; the input is a table, a subquery or a TVF. */
static ast_t *parse_match_recognize(parser_t *p, ast_t *input)
{
    if (input->kind == AST_JOIN)
        return err_at(cur(p)->span, "MATCH_RECOGNIZE applies to a table or a subquery; put the join in a subquery"), NULL;
    if (input->alias)
        return err_at(input->alias_span, "the alias of a MATCH_RECOGNIZE input goes after MATCH_RECOGNIZE (...)"), NULL;
    ast_t *mr = new_node(p, AST_MATCH_RECOGNIZE, input->span);
    mr->a = input;
    advance(p);
    if (expect(p, TK_LPAREN, "'(' after MATCH_RECOGNIZE") < 0) return NULL;
    int outer = p->in_match;
    p->in_match = 1;
    int rc = parse_match_clauses(p, mr);
    p->in_match = outer;
    if (rc < 0 || parse_alias(p, mr) < 0) return NULL;
    return close_node(p, mr);
}

static ast_t *parse_from(parser_t *p);

/* A table, a subquery, a TVF or a parenthesised join. */
static ast_t *parse_table_source(parser_t *p)
{
    if (at(p, TK_LPAREN)) {
        if (peek_kw(p, 1, KW_SELECT) || peek_is(p, 1, TK_LPAREN)) return parse_subquery(p);
        advance(p);
        ast_t *inner = parse_from(p);
        if (!inner || expect(p, TK_RPAREN, "')' to close the parenthesised join") < 0) return NULL;
        return inner;
    }
    if (at_kw(p, KW_TABLE) && peek_is(p, 1, TK_LPAREN)) return parse_tvf(p);
    if (at_word(p, 0, "LATERAL") && peek_kw(p, 1, KW_TABLE))
        return err_at(cur(p)->span, "LATERAL TABLE (user-defined table functions) is not supported"), NULL;
    return parse_table_name_ref(p);
}

/* A table source, optionally followed by MATCH_RECOGNIZE (...). */
static ast_t *parse_table_primary(parser_t *p)
{
    ast_t *source = parse_table_source(p);
    if (source && at_kw(p, KW_MATCH_RECOGNIZE)) return parse_match_recognize(p, source);
    return source;
}

/* Consumes a join operator. Returns 1 (with kind and whether ON follows), 0 if none, -1. */
static int parse_join_op(parser_t *p, join_kind *kind, int *needs_on)
{
    *needs_on = !at(p, TK_COMMA) && !at_kw(p, KW_CROSS);
    if (accept(p, TK_COMMA)) {
        *kind = JOIN_CROSS;
        return 1;
    }
    if (accept_kw(p, KW_CROSS)) {
        *kind = JOIN_CROSS;
        return expect_kw(p, KW_JOIN, "JOIN after CROSS") < 0 ? -1 : 1;
    }
    if (at_kw(p, KW_NATURAL)) return err_at(cur(p)->span, "NATURAL JOIN is not supported; write JOIN ... ON");
    if (accept_kw(p, KW_JOIN)) {
        *kind = JOIN_INNER;
        return 1;
    }
    if (accept_kw(p, KW_INNER)) *kind = JOIN_INNER;
    else if (accept_kw(p, KW_LEFT)) *kind = JOIN_LEFT;
    else if (accept_kw(p, KW_RIGHT)) *kind = JOIN_RIGHT;
    else if (accept_kw(p, KW_FULL)) *kind = JOIN_FULL;
    else return 0;
    if (*kind != JOIN_INNER) accept_kw(p, KW_OUTER);
    return expect_kw(p, KW_JOIN, "JOIN") < 0 ? -1 : 1;
}

static ast_t *parse_join(parser_t *p, ast_t *left, join_kind kind, int needs_on)
{
    ast_t *n = new_node(p, AST_JOIN, left->span);
    n->join = kind;
    n->a = left;
    if (!(n->b = parse_table_primary(p))) return NULL;
    if (needs_on) {
        if (expect_kw(p, KW_ON, "ON after the joined table") < 0) return NULL;
        if (!(n->c = parse_expr(p))) return NULL;
    }
    return close_node(p, n);
}

static ast_t *parse_from(parser_t *p)
{
    if (enter(p) < 0) return NULL;
    ast_t *left = parse_table_primary(p);
    int levels = 1;
    while (left) {
        join_kind kind = JOIN_INNER;
        int needs_on;
        int r = parse_join_op(p, &kind, &needs_on);
        if (r <= 0) {
            if (r < 0) return NULL;
            break;
        }
        if (enter(p) < 0) return NULL;
        levels++;
        left = parse_join(p, left, kind, needs_on);
    }
    p->depth -= levels;
    return left;
}

static int parse_group_by(parser_t *p, ast_t *sel)
{
    advance(p);
    if (expect_kw(p, KW_BY, "BY after GROUP") < 0) return -1;
    return parse_expr_list(p, &sel->list2);
}

static int parse_order_by(parser_t *p, ast_t *sel)
{
    advance(p);
    if (expect_kw(p, KW_BY, "BY after ORDER") < 0) return -1;
    return parse_order_list(p, &sel->order_by);
}

/* SELECT [DISTINCT|ALL] items [FROM] [WHERE] [GROUP BY] [HAVING] [ORDER BY] [LIMIT]. */
static ast_t *parse_select(parser_t *p)
{
    ast_t *n = new_node(p, AST_SELECT, advance(p)->span);
    if (accept_kw(p, KW_DISTINCT)) n->distinct = 1;
    else accept_kw(p, KW_ALL);
    if (parse_select_list(p, &n->list) < 0) return NULL;
    if (accept_kw(p, KW_FROM) && !(n->a = parse_from(p))) return NULL;
    if (accept_kw(p, KW_WHERE) && !(n->b = parse_expr(p))) return NULL;
    if (at_kw(p, KW_GROUP) && parse_group_by(p, n) < 0) return NULL;
    if (accept_kw(p, KW_HAVING) && !(n->c = parse_expr(p))) return NULL;
    if (at_kw(p, KW_ORDER) && parse_order_by(p, n) < 0) return NULL;
    if (accept_kw(p, KW_LIMIT) && !(n->limit = parse_expr(p))) return NULL;
    return close_node(p, n);
}

static ast_t *parse_query_term(parser_t *p)
{
    if (at_kw(p, KW_SELECT)) return parse_select(p);
    if (!at(p, TK_LPAREN)) {
        if (at_kw(p, KW_WITH)) return err_at(cur(p)->span, "WITH (common table expressions) is not supported; use CREATE VIEW"), NULL;
        return syntax_error(p, "SELECT"), NULL;
    }
    advance(p);
    ast_t *q = parse_query(p);
    if (!q || expect(p, TK_RPAREN, "')' to close the parenthesised query") < 0) return NULL;
    return q;
}

/* term { UNION [ALL|DISTINCT] term }. */
static ast_t *parse_query(parser_t *p)
{
    if (enter(p) < 0) return NULL;
    ast_t *left = parse_query_term(p);
    int levels = 1;
    while (left && at_kw(p, KW_UNION)) {
        advance(p);
        if (enter(p) < 0) return NULL;
        levels++;
        ast_t *n = new_node(p, AST_UNION, left->span);
        n->all = accept_kw(p, KW_ALL);
        if (!n->all) accept_kw(p, KW_DISTINCT);
        n->a = left;
        if (!(n->b = parse_query_term(p))) return NULL;
        left = close_node(p, n);
    }
    p->depth -= levels;
    return left;
}

/* ------------------------------------------------------------------ CREATE TABLE */

static void parse_not_enforced(parser_t *p, ast_t *tbl)
{
    if (at_kw(p, KW_NOT) && peek_kw(p, 1, KW_ENFORCED)) {
        skip(p, 2);
        tbl->pk_not_enforced = 1;
    }
}

static int check_single_pk(const parser_t *p, const ast_t *tbl)
{
    if (!tbl->pk.len) return 0;
    return err_at(cur(p)->span, "the table already has a PRIMARY KEY");
}

/* [CONSTRAINT name] PRIMARY KEY (a, b) [NOT ENFORCED]. */
static int parse_pk_constraint(parser_t *p, ast_t *tbl)
{
    if (at_kw(p, KW_CONSTRAINT)) skip(p, 2);
    if (check_single_pk(p, tbl) < 0) return -1;
    skip(p, 2);
    if (parse_name_list(p, &tbl->pk, "a column name", "')' after the primary key columns") < 0) return -1;
    parse_not_enforced(p, tbl);
    return 0;
}

/* WATERMARK FOR col AS expr. */
static int parse_watermark(parser_t *p, ast_t *tbl)
{
    if (tbl->watermark_col) return err_at(cur(p)->span, "the table already has a WATERMARK");
    skip(p, 2);
    if (!(tbl->watermark_col = parse_qualified(p, "the rowtime column after WATERMARK FOR", 0))) return -1;
    if (expect_kw(p, KW_AS, "AS after the WATERMARK column") < 0) return -1;
    return (tbl->watermark_expr = parse_expr(p)) ? 0 : -1;
}

/* A column's own PRIMARY KEY [NOT ENFORCED]. */
static int parse_column_pk(parser_t *p, ast_t *tbl, ast_t *col, span_t name_span)
{
    if (check_single_pk(p, tbl) < 0) return -1;
    skip(p, 2);
    ast_t *id = new_node(p, AST_IDENT, name_span);
    push_name(p, id, col->name);
    list_builder b = { 0 };
    lb_push(p, &b, id);
    tbl->pk = lb_list(&b);
    parse_not_enforced(p, tbl);
    return 0;
}

/* METADATA [FROM 'key'] [VIRTUAL]. */
static int parse_metadata(parser_t *p, ast_t *col)
{
    advance(p);
    col->is_metadata = 1;
    if (accept_kw(p, KW_FROM) && parse_string(p, &col->text2, &col->text2_span, "a metadata key string after FROM") < 0)
        return -1;
    col->is_virtual = accept_kw(p, KW_VIRTUAL);
    return 0;
}

/* After a column's type: NOT NULL, NULL, PRIMARY KEY, COMMENT, METADATA, in any order. */
static int parse_column_attrs(parser_t *p, ast_t *tbl, ast_t *col, span_t name_span)
{
    for (;;) {
        if (at_kw(p, KW_NOT) && peek_kw(p, 1, KW_NULL)) {
            skip(p, 2);
            col->cast_type.type.not_null = 1;
        } else if (accept_kw(p, KW_NULL)) {
            col->cast_type.type.not_null = 0;
        } else if (at_kw(p, KW_PRIMARY) && peek_kw(p, 1, KW_KEY)) {
            if (parse_column_pk(p, tbl, col, name_span) < 0) return -1;
        } else if (accept_kw(p, KW_COMMENT)) {
            if (parse_string(p, &col->text, &col->text_span, "a comment string after COMMENT") < 0) return -1;
        } else if (at_kw(p, KW_METADATA)) {
            if (parse_metadata(p, col) < 0) return -1;
        } else {
            return 0;
        }
    }
}

/* name type [attrs] | name AS expr [COMMENT '...']. */
static ast_t *parse_column(parser_t *p, ast_t *tbl)
{
    const token_t *t = cur(p);
    if (!is_name_tok(t)) return syntax_error(p, "a column definition"), NULL;
    ast_t *col = new_node(p, AST_COLUMN, t->span);
    col->name = advance(p)->val;
    if (accept_kw(p, KW_AS)) {
        if (!(col->a = parse_expr(p))) return NULL;
        if (accept_kw(p, KW_COMMENT) &&
            parse_string(p, &col->text, &col->text_span, "a comment string after COMMENT") < 0)
            return NULL;
        return close_node(p, col);
    }
    if (parse_type(p, &col->cast_type) < 0) return NULL;
    if (parse_column_attrs(p, tbl, col, t->span) < 0) return NULL;
    return close_node(p, col);
}

static int parse_table_element(parser_t *p, ast_t *tbl, list_builder *cols)
{
    if (at_kw(p, KW_WATERMARK) && peek_kw(p, 1, KW_FOR)) return parse_watermark(p, tbl);
    if (at_kw(p, KW_PRIMARY) && peek_kw(p, 1, KW_KEY)) return parse_pk_constraint(p, tbl);
    if (at_kw(p, KW_CONSTRAINT) && is_name_tok(peek(p, 1)) && peek_kw(p, 2, KW_PRIMARY))
        return parse_pk_constraint(p, tbl);
    if (at_kw(p, KW_PERIOD) && peek_kw(p, 1, KW_FOR)) {
        skip(p, 2);
        tbl->period_for_system_time = 1;
        return expect_kw(p, KW_SYSTEM_TIME, "SYSTEM_TIME after PERIOD FOR");
    }
    ast_t *col = parse_column(p, tbl);
    if (!col) return -1;
    lb_push(p, cols, col);
    return 0;
}

/* '(' element {, element} [,] ')'. */
static int parse_table_elements(parser_t *p, ast_t *tbl)
{
    list_builder cols = { 0 };
    if (expect(p, TK_LPAREN, "'(' and the column list after the table name") < 0) return -1;
    do {
        if (at(p, TK_RPAREN) && cols.len) break;
        if (parse_table_element(p, tbl, &cols) < 0) return -1;
    } while (accept(p, TK_COMMA));
    if (expect(p, TK_RPAREN, "',' or ')' after the column definition") < 0) return -1;
    tbl->list = lb_list(&cols);
    return 0;
}

/* The source text of tokens from the current one while `more` holds; empty span if none. */
static span_t raw_run(parser_t *p, int (*more)(const parser_t *p, const token_t *first))
{
    const token_t *first = cur(p);
    span_t s = first->span;
    s.len = 0;
    while (more(p, first)) s = span_join(s, advance(p)->span);
    return s;
}

static int option_key_tok(const parser_t *p, const token_t *first)
{
    tok_kind k = cur(p)->kind;
    return k == TK_IDENT || k == TK_QIDENT || k == TK_DOT || k == TK_MINUS || k == TK_INTEGER ||
           k == TK_DECIMAL;
}

static int option_value_tok(const parser_t *p, const token_t *first)
{
    tok_kind k = cur(p)->kind;
    return k != TK_COMMA && k != TK_RPAREN && k != TK_SEMI && k != TK_EOF && k != TK_ERROR && !is_pattern_punct(cur(p));
}

/* A quoted key or value, or the raw text of an unquoted one (type = datahub). */
static int parse_option_text(parser_t *p, const char **out, span_t *where, int (*more)(const parser_t *, const token_t *),
                             const char *what)
{
    if (is_string(cur(p))) return parse_string(p, out, where, what);
    span_t s = raw_run(p, more);
    if (!s.len) return syntax_error(p, what);
    *out = source_text(p, s);
    *where = s;
    return 0;
}

/* 'key' = 'value' | key.with.dots = 'value' | "key" = "value". */
static ast_t *parse_option(parser_t *p)
{
    ast_t *n = new_node(p, AST_OPTION, cur(p)->span);
    if (parse_option_text(p, &n->text, &n->text_span, option_key_tok, "an option key such as 'connector'") < 0)
        return NULL;
    if (expect(p, TK_EQ, "'=' after the option key") < 0) return NULL;
    if (parse_option_text(p, &n->text2, &n->text2_span, option_value_tok, "an option value") < 0) return NULL;
    return close_node(p, n);
}

/* WITH ( option {, option} [,] ). */
static int parse_options(parser_t *p, ast_t *tbl)
{
    list_builder opts = { 0 };
    if (expect(p, TK_LPAREN, "'(' after WITH") < 0) return -1;
    while (!at(p, TK_RPAREN)) {
        ast_t *o = parse_option(p);
        if (!o) return -1;
        lb_push(p, &opts, o);
        if (!accept(p, TK_COMMA)) break;
    }
    if (expect(p, TK_RPAREN, "',' or ')' after the option") < 0) return -1;
    tbl->list2 = lb_list(&opts);
    return 0;
}

static int parse_if_not_exists(parser_t *p, ast_t *n)
{
    if (!at_kw(p, KW_IF) || !peek_kw(p, 1, KW_NOT)) return 0;
    skip(p, 2);
    n->if_not_exists = 1;
    return expect_kw(p, KW_EXISTS, "EXISTS after IF NOT");
}

/* PARTITIONED BY (a, b): accepted and ignored. */
static int skip_partitioned_by(parser_t *p)
{
    ast_list unused;
    advance(p);
    if (expect_kw(p, KW_BY, "BY after PARTITIONED") < 0) return -1;
    return parse_name_list(p, &unused, "a column name", "')' after the partition columns");
}

static ast_t *parse_create_table(parser_t *p, ast_t *n)
{
    n->kind = AST_CREATE_TABLE;
    advance(p);
    if (parse_if_not_exists(p, n) < 0) return NULL;
    ast_t *name = parse_qualified(p, "a table name after CREATE TABLE", 0);
    if (!name) return NULL;
    n->names = name->names;
    n->nnames = name->nnames;
    if (parse_table_elements(p, n) < 0) return NULL;
    if (accept_kw(p, KW_COMMENT) && parse_string(p, &n->text, &n->text_span, "a comment string after COMMENT") < 0)
        return NULL;
    if (at_kw(p, KW_PARTITIONED) && skip_partitioned_by(p) < 0) return NULL;
    if (accept_kw(p, KW_WITH) && parse_options(p, n) < 0) return NULL;
    return close_node(p, n);
}

/* ------------------------------------------------------------------ other statements */

/* INSERT INTO t SELECT ... vs INSERT INTO t (a, b) SELECT ...: '(' starts a query only
 * when SELECT or another '(' follows. */
static int at_column_list(const parser_t *p)
{
    return at(p, TK_LPAREN) && !peek_kw(p, 1, KW_SELECT) && !peek_is(p, 1, TK_LPAREN);
}

static ast_t *parse_create_view(parser_t *p, ast_t *n)
{
    n->kind = AST_CREATE_VIEW;
    advance(p);
    if (parse_if_not_exists(p, n) < 0) return NULL;
    ast_t *name = parse_qualified(p, "a view name after CREATE VIEW", 0);
    if (!name) return NULL;
    n->names = name->names;
    n->nnames = name->nnames;
    if (at(p, TK_LPAREN) &&
        parse_name_list(p, &n->columns, "a column name", "')' after the view's column names") < 0)
        return NULL;
    if (expect_kw(p, KW_AS, "AS before the view's query") < 0) return NULL;
    if (!(n->a = parse_query(p))) return NULL;
    return close_node(p, n);
}

static ast_t *parse_create(parser_t *p)
{
    ast_t *n = new_node(p, AST_CREATE_TABLE, advance(p)->span);
    n->temporary = accept_kw(p, KW_TEMPORARY);
    if (at_kw(p, KW_TABLE)) return parse_create_table(p, n);
    if (at_kw(p, KW_VIEW)) return parse_create_view(p, n);
    return syntax_error(p, n->temporary ? "TABLE or VIEW after CREATE TEMPORARY" : "TABLE or VIEW after CREATE"), NULL;
}

/* INSERT {INTO | OVERWRITE [TABLE]} name [(columns)] query. */
static ast_t *parse_insert(parser_t *p)
{
    ast_t *n = new_node(p, AST_INSERT, advance(p)->span);
    if (accept_kw(p, KW_OVERWRITE)) accept_kw(p, KW_TABLE);
    else if (expect_kw(p, KW_INTO, "INTO after INSERT") < 0) return NULL;
    ast_t *name = parse_qualified(p, "a table name after INSERT INTO", 0);
    if (!name) return NULL;
    n->names = name->names;
    n->nnames = name->nnames;
    if (at_column_list(p) &&
        parse_name_list(p, &n->columns, "a column name", "')' after the column names") < 0)
        return NULL;
    if (!(n->a = parse_query(p))) return NULL;
    return close_node(p, n);
}

static int set_key_tok(const parser_t *p, const token_t *first)
{
    tok_kind k = cur(p)->kind;
    return k != TK_EQ && k != TK_SEMI && k != TK_EOF && k != TK_ERROR && !is_pattern_punct(cur(p));
}

/* An unquoted SET value ends at ';', the end, or the end of its line. */
static int set_value_tok(const parser_t *p, const token_t *first)
{
    const token_t *t = cur(p);
    if (t->kind == TK_SEMI || t->kind == TK_EOF || t->kind == TK_ERROR || is_pattern_punct(t)) return 0;
    return t == first || t->span.line == p->prev.line;
}

/* SET 'key' = 'value' | SET key.with-dashes = value. */
static ast_t *parse_set(parser_t *p)
{
    ast_t *n = new_node(p, AST_SET, advance(p)->span);
    if (parse_option_text(p, &n->text, &n->text_span, set_key_tok, "an option key after SET") < 0) return NULL;
    if (expect(p, TK_EQ, "'=' after the SET key") < 0) return NULL;
    if (parse_option_text(p, &n->text2, &n->text2_span, set_value_tok, "a value after '='") < 0) return NULL;
    return close_node(p, n);
}

static ast_t *parse_query_stmt(parser_t *p)
{
    ast_t *n = new_node(p, AST_QUERY_STMT, cur(p)->span);
    if (!(n->a = parse_query(p))) return NULL;
    return close_node(p, n);
}

/* BEGIN STATEMENT SET; ... END; and EXECUTE STATEMENT SET BEGIN ... END; only group
 * statements, so their words are skipped. Returns the number of tokens, 0 if none. */
static int statement_set_words(const parser_t *p)
{
    if (at_kw(p, KW_BEGIN) && peek_kw(p, 1, KW_STATEMENT) && peek_kw(p, 2, KW_SET)) return 3;
    if (at_kw(p, KW_EXECUTE) && peek_kw(p, 1, KW_STATEMENT) && peek_kw(p, 2, KW_SET) && peek_kw(p, 3, KW_BEGIN))
        return 4;
    if (at_kw(p, KW_END)) return 1;
    return 0;
}

static ast_t *parse_statement(parser_t *p)
{
    const token_t *t = cur(p);
    if (t->kind == TK_LPAREN) return parse_query_stmt(p);
    switch (t->kind == TK_IDENT ? t->kw : KW_NONE) {
    case KW_CREATE: return parse_create(p);
    case KW_INSERT: return parse_insert(p);
    case KW_SET: return parse_set(p);
    case KW_SELECT: return parse_query_stmt(p);
    case KW_WITH: return parse_query_stmt(p);
    default:
        return syntax_error(p, "a statement (CREATE TABLE, CREATE VIEW, INSERT INTO, SET or SELECT)"), NULL;
    }
}

/* A SET statement also ends at the end of its line, as in the SQL client. */
static int ends_at_line_end(const parser_t *p, const ast_t *st)
{
    return st->kind == AST_SET && cur(p)->span.line > p->prev.line;
}

int sql_parse(const char *text, arena_t *a, ast_list *out)
{
    parser_t p = { 0 };
    p.src = text;
    p.arena = a;
    tokenize(&p);
    list_builder stmts = { 0 };
    out->items = NULL;
    out->len = 0;
    for (;;) {
        while (accept(&p, TK_SEMI)) {}
        if (at(&p, TK_EOF)) break;
        int words = statement_set_words(&p);
        if (words) {
            skip(&p, words);
            continue;
        }
        ast_t *st = parse_statement(&p);
        if (!st) return -1;
        lb_push(&p, &stmts, st);
        if (!at(&p, TK_SEMI) && !at(&p, TK_EOF) && !ends_at_line_end(&p, st))
            return syntax_error(&p, "';' after the statement");
    }
    *out = lb_list(&stmts);
    return 0;
}
