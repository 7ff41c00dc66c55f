/* lexer.c - turns SQL text into tokens: names, keywords, numbers, strings, operators.
 * Skips whitespace, -- line comments and block comments; tracks 1-based line and column
 * (in bytes) for every token. Errors are returned as TK_ERROR tokens (see lexer.h). The
 * pattern punctuation ? { } | is always tokenized; the parser accepts it only in PATTERN. */
#include "sql/lexer.h"
#include "base/util.h"
#include <stdio.h>
#include <string.h>

static const struct kw_info {
    const char *name;
    int reserved;
} kw_table[] = {
    { "", 0 },
#define KW_INFO_(name, reserved) { #name, reserved },
    SQL_KEYWORDS(KW_INFO_)
#undef KW_INFO_
};

int kw_is_reserved(kw_id kw) { return kw > KW_NONE && kw < KW_COUNT_ && kw_table[kw].reserved; }

const char *kw_name(kw_id kw) { return kw > KW_NONE && kw < KW_COUNT_ ? kw_table[kw].name : ""; }

static kw_id kw_lookup(const char *s, size_t n)
{
    for (int i = 1; i < KW_COUNT_; i++) {
        const char *k = kw_table[i].name;
        if (strlen(k) == n && str_ieqn(k, s, n)) return (kw_id)i;
    }
    return KW_NONE;
}

static int is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
/* Bytes >= 0x80 are UTF-8 sequences: names may use any Unicode letters. */
static int is_ident_start(unsigned char c) { return is_alpha(c) || c == '_' || c >= 0x80; }
static int is_ident_char(unsigned char c) { return is_ident_start(c) || is_digit(c) || c == '$'; }

void lexer_init(lexer_t *lx, const char *src, arena_t *arena)
{
    lx->src = src;
    lx->pos = 0;
    lx->line = 1;
    lx->line_start = 0;
    lx->arena = arena;
}

static char at(const lexer_t *lx, size_t k) { return lx->src[lx->pos + k]; }

/* Moves one byte ahead, keeping line and column right. Never passes the final NUL. */
static void bump(lexer_t *lx)
{
    char c = lx->src[lx->pos];
    if (c == 0) return;
    lx->pos++;
    if (c == '\n') {
        lx->line++;
        lx->line_start = lx->pos;
    }
}

static span_t here(const lexer_t *lx)
{
    span_t s;
    s.off = (uint32_t)lx->pos;
    s.len = 0;
    s.line = lx->line;
    s.col = (uint32_t)(lx->pos - lx->line_start + 1);
    return s;
}

static void finish(lexer_t *lx, token_t *t, tok_kind kind)
{
    t->kind = kind;
    t->span.len = (uint32_t)(lx->pos - t->span.off);
}

static void fail(lexer_t *lx, token_t *t, const char *msg)
{
    finish(lx, t, TK_ERROR);
    t->val = msg;
    while (at(lx, 0)) bump(lx);    /* nothing follows an error */
}

/* Skips whitespace and comments. Returns a message for an unterminated block comment
 * (with *start at the comment), else NULL. */
static const char *skip_space(lexer_t *lx, span_t *start)
{
    for (;;) {
        char c = at(lx, 0);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            bump(lx);
        } else if (c == '-' && at(lx, 1) == '-') {
            while (at(lx, 0) && at(lx, 0) != '\n') bump(lx);
        } else if (c == '/' && at(lx, 1) == '*') {
            *start = here(lx);
            bump(lx);
            bump(lx);
            while (at(lx, 0) && !(at(lx, 0) == '*' && at(lx, 1) == '/')) bump(lx);
            if (!at(lx, 0)) return "unterminated comment";
            bump(lx);
            bump(lx);
        } else {
            return NULL;
        }
    }
}

/* A quoted run: 'x', "x" or `x`, where a doubled quote stands for one. On return the
 * value is unescaped into the arena; returns -1 if the closing quote is missing. */
static int lex_quoted(lexer_t *lx, token_t *t, char q)
{
    bump(lx);
    size_t begin = lx->pos, doubled = 0;
    for (;;) {
        char c = at(lx, 0);
        if (c == 0) return -1;
        if (c == q && at(lx, 1) == q) {
            bump(lx);
            doubled++;
        } else if (c == q) {
            break;
        }
        bump(lx);
    }
    size_t n = lx->pos - begin;
    char *v = arena_alloc(lx->arena, n - doubled + 1), *w = v;
    for (size_t i = begin; i < lx->pos; i++) {
        *w++ = lx->src[i];
        if (lx->src[i] == q) i++;
    }
    *w = 0;
    t->val = v;
    bump(lx);
    return 0;
}

static void lex_string(lexer_t *lx, token_t *t)
{
    char q = at(lx, 0);
    if (lex_quoted(lx, t, q) < 0) {
        fail(lx, t, "unterminated string literal");
        return;
    }
    finish(lx, t, q == '"' ? TK_DQSTRING : TK_STRING);
}

static void lex_quoted_ident(lexer_t *lx, token_t *t)
{
    if (lex_quoted(lx, t, '`') < 0) {
        fail(lx, t, "unterminated quoted identifier (missing closing `)");
        return;
    }
    if (!t->val[0]) {
        fail(lx, t, "empty quoted identifier");
        return;
    }
    finish(lx, t, TK_QIDENT);
}

/* _UTF16'..', _latin1".." and N'..' are strings whose prefix names a character set. */
static int is_charset_prefix(const char *s, size_t n)
{
    if (n == 1) return s[0] == 'N' || s[0] == 'n';
    return s[0] == '_' && n > 1;
}

static void lex_word(lexer_t *lx, token_t *t)
{
    size_t begin = lx->pos;
    while (is_ident_char((unsigned char)at(lx, 0))) bump(lx);
    size_t n = lx->pos - begin;
    char c = at(lx, 0);
    if ((c == '\'' || c == '"') && is_charset_prefix(lx->src + begin, n)) {
        lex_string(lx, t);
        return;
    }
    finish(lx, t, TK_IDENT);
    t->kw = kw_lookup(lx->src + begin, n);
    t->val = arena_strndup(lx->arena, lx->src + begin, n);
}

static void skip_digits(lexer_t *lx)
{
    while (is_digit((unsigned char)at(lx, 0))) bump(lx);
}

/* 12, 12.5, .5, 12., 1.5E3, 1E-3. An E without digits after it is not part of the number. */
static void lex_number(lexer_t *lx, token_t *t)
{
    size_t begin = lx->pos;
    tok_kind kind = TK_INTEGER;
    skip_digits(lx);
    if (at(lx, 0) == '.') {
        kind = TK_DECIMAL;
        bump(lx);
        skip_digits(lx);
    }
    char e = at(lx, 0), s = e == 'e' || e == 'E' ? at(lx, 1) : 0;
    if (is_digit((unsigned char)s) || ((s == '+' || s == '-') && is_digit((unsigned char)at(lx, 2)))) {
        kind = TK_DOUBLE;
        bump(lx);
        if (!is_digit((unsigned char)at(lx, 0))) bump(lx);
        skip_digits(lx);
    }
    finish(lx, t, kind);
    t->val = arena_strndup(lx->arena, lx->src + begin, lx->pos - begin);
}

static int lex_two_char_op(lexer_t *lx, token_t *t)
{
    static const struct { char a, b; tok_kind kind; } ops[] = {
        { '<', '>', TK_NE }, { '!', '=', TK_NE }, { '<', '=', TK_LE }, { '>', '=', TK_GE },
        { '|', '|', TK_CONCAT }, { '=', '>', TK_ARROW },
    };
    for (size_t i = 0; i < ARRAY_LEN(ops); i++) {
        if (at(lx, 0) == ops[i].a && at(lx, 1) == ops[i].b) {
            bump(lx);
            bump(lx);
            finish(lx, t, ops[i].kind);
            return 1;
        }
    }
    return 0;
}

static int lex_one_char_op(lexer_t *lx, token_t *t)
{
    static const char chars[] = "=<>+-*/%.,;()?{}|";
    static const tok_kind kinds[] = {
        TK_EQ, TK_LT, TK_GT, TK_PLUS, TK_MINUS, TK_STAR, TK_SLASH, TK_PERCENT,
        TK_DOT, TK_COMMA, TK_SEMI, TK_LPAREN, TK_RPAREN, TK_QUESTION, TK_LBRACE, TK_RBRACE, TK_PIPE,
    };
    _Static_assert(sizeof chars - 1 == ARRAY_LEN(kinds), "one token kind per character");
    const char *p = strchr(chars, at(lx, 0));
    if (!p || !*p) return 0;
    bump(lx);
    finish(lx, t, kinds[p - chars]);
    return 1;
}

static void lex_bad_char(lexer_t *lx, token_t *t)
{
    unsigned char c = (unsigned char)at(lx, 0);
    const char *msg;
    if (c == '!') {
        msg = "unexpected character '!' (not-equal is '<>' or '!=')";
    } else if (c >= 0x20 && c < 0x7f) {
        char *m = arena_alloc(lx->arena, 32);
        snprintf(m, 32, "unexpected character '%c'", c);
        msg = m;
    } else {
        msg = "unexpected control character";
    }
    bump(lx);
    fail(lx, t, msg);
}

void lexer_next(lexer_t *lx, token_t *t)
{
    memset(t, 0, sizeof *t);
    span_t comment;
    const char *msg = skip_space(lx, &comment);
    if (msg) {
        t->span = comment;
        fail(lx, t, msg);
        return;
    }
    t->span = here(lx);
    unsigned char c = (unsigned char)at(lx, 0);
    if (c == 0) {
        finish(lx, t, TK_EOF);
    } else if (is_ident_start(c)) {
        lex_word(lx, t);
    } else if (is_digit(c) || (c == '.' && is_digit((unsigned char)at(lx, 1)))) {
        lex_number(lx, t);
    } else if (c == '\'' || c == '"') {
        lex_string(lx, t);
    } else if (c == '`') {
        lex_quoted_ident(lx, t);
    } else if (!lex_two_char_op(lx, t) && !lex_one_char_op(lx, t)) {
        lex_bad_char(lx, t);
    }
}
