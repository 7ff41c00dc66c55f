/* lexer.h - SQL tokens (identifiers, keywords, literals, operators) with source spans.
 *
 * The lexer never records an error itself: a bad character, an unterminated string or
 * comment comes back as a TK_ERROR token whose val is the message, so the parser reports
 * the first problem in text order. Token values live in the arena passed to lexer_init. */
#ifndef EDDY_LEXER_H
#define EDDY_LEXER_H
#include "base/arena.h"
#include "base/err.h"
#include <stddef.h>

typedef enum tok_kind {
    TK_EOF,
    TK_ERROR,       /* val = message */
    TK_IDENT,       /* plain identifier or keyword (kw != KW_NONE); val = text as written */
    TK_QIDENT,      /* `quoted identifier`; val = name without backticks */
    TK_INTEGER,     /* val = digits */
    TK_DECIMAL,     /* val = "12.50" */
    TK_DOUBLE,      /* val = "1.5E3" */
    TK_STRING,      /* 'text', _UTF16'text', N'text'; val = contents with '' unescaped */
    TK_DQSTRING,    /* "text" (DLI dialect, a string literal); val = contents */
    TK_EQ, TK_NE, TK_LT, TK_GT, TK_LE, TK_GE,
    TK_PLUS, TK_MINUS, TK_STAR, TK_SLASH, TK_PERCENT, TK_CONCAT,
    TK_DOT, TK_COMMA, TK_SEMI, TK_LPAREN, TK_RPAREN,
    TK_ARROW,       /* => (named arguments) */
    /* Punctuation of MATCH_RECOGNIZE patterns only: A+?, B{2,3}, and the unsupported '|'.
     * Anywhere else the parser reports them as unexpected characters. */
    TK_QUESTION, TK_LBRACE, TK_RBRACE, TK_PIPE,
} tok_kind;

/* Keywords: X(name, reserved). Reserved words are never taken as identifiers (quote them
 * with backticks); the others are keywords only where the grammar expects them. */
#define SQL_KEYWORDS(X) \
    X(ALL, 1) X(AND, 1) X(AS, 1) X(ASC, 0) X(BEGIN, 0) X(BETWEEN, 1) X(BY, 1) \
    X(CASE, 1) X(CAST, 0) X(CEIL, 0) X(CEILING, 0) X(COMMENT, 0) X(CONSTRAINT, 0) \
    X(CREATE, 1) X(CROSS, 1) X(CURRENT, 0) X(CURRENT_DATE, 0) X(CURRENT_TIME, 0) \
    X(CURRENT_TIMESTAMP, 0) X(DATE, 0) X(DAY, 0) X(DAYS, 0) X(DESC, 0) X(DESCRIPTOR, 0) \
    X(DISTINCT, 1) X(ELSE, 1) X(END, 1) X(ENFORCED, 0) X(ESCAPE, 0) X(EXCEPT, 1) \
    X(EXECUTE, 0) X(EXISTS, 0) X(EXTRACT, 0) X(FALSE, 1) X(FILTER, 0) X(FIRST, 0) \
    X(FLOOR, 0) X(FOLLOWING, 0) X(FOR, 1) X(FROM, 1) X(FULL, 1) X(GROUP, 1) X(HAVING, 1) \
    X(HOUR, 0) X(HOURS, 0) X(IF, 0) X(IN, 1) X(INNER, 1) X(INSERT, 1) X(INTERSECT, 1) \
    X(INTERVAL, 0) X(INTO, 1) X(IS, 1) X(JOIN, 1) X(KEY, 0) X(LAST, 0) X(LEFT, 1) \
    X(LIKE, 1) X(LIMIT, 1) X(LOCALTIME, 0) X(LOCALTIMESTAMP, 0) X(MATCH_RECOGNIZE, 1) \
    X(METADATA, 0) X(MICROSECOND, 0) X(MICROSECONDS, 0) X(MILLISECOND, 0) \
    X(MILLISECONDS, 0) X(MINUTE, 0) X(MINUTES, 0) X(MONTH, 0) X(MONTHS, 0) \
    X(NATURAL, 1) X(NOT, 1) X(NULL, 1) X(NULLS, 0) X(OF, 0) X(ON, 1) X(OR, 1) \
    X(ORDER, 1) X(OUTER, 1) X(OVER, 0) X(OVERWRITE, 0) X(PARTITION, 0) \
    X(PARTITIONED, 0) X(PERIOD, 0) X(PRECEDING, 0) X(PRIMARY, 0) X(QUARTER, 0) \
    X(QUARTERS, 0) X(RANGE, 0) X(RIGHT, 1) X(ROW, 0) X(ROWS, 0) X(SECOND, 0) \
    X(SECONDS, 0) X(SELECT, 1) X(SET, 1) X(STATEMENT, 0) X(SYSTEM_TIME, 0) X(TABLE, 1) \
    X(TEMPORARY, 0) X(THEN, 1) X(TIME, 0) X(TIMESTAMP, 0) X(TO, 0) X(TRUE, 1) \
    X(TRY_CAST, 0) X(UNBOUNDED, 0) X(UNION, 1) X(UNKNOWN, 0) X(USING, 1) X(VALUES, 1) \
    X(VIEW, 1) X(VIRTUAL, 0) X(WATERMARK, 0) X(WEEK, 0) X(WEEKS, 0) X(WHEN, 1) \
    X(WHERE, 1) X(WINDOW, 1) X(WITH, 1) X(YEAR, 0) X(YEARS, 0)

typedef enum kw_id {
    KW_NONE,
#define KW_ENUM_(name, reserved) KW_##name,
    SQL_KEYWORDS(KW_ENUM_)
#undef KW_ENUM_
    KW_COUNT_
} kw_id;

typedef struct token {
    tok_kind kind;
    kw_id kw;           /* TK_IDENT only: which keyword, KW_NONE for plain names */
    span_t span;        /* the token's text, quotes and prefixes included */
    const char *val;    /* see tok_kind; NUL-terminated, in the arena (or static for errors) */
} token_t;

typedef struct lexer {
    const char *src;    /* NUL-terminated text (borrowed) */
    size_t pos;
    uint32_t line;
    size_t line_start;  /* offset of the current line's first byte */
    arena_t *arena;     /* token values (borrowed) */
} lexer_t;

void lexer_init(lexer_t *lx, const char *src, arena_t *arena);
/* Reads the next token into *t. After the end (or an error) it keeps returning TK_EOF. */
void lexer_next(lexer_t *lx, token_t *t);

int kw_is_reserved(kw_id kw);
const char *kw_name(kw_id kw);     /* upper case; "" for KW_NONE */

#endif
