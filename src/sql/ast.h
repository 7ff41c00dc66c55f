/* ast.h - the syntax tree of a job file. Every node carries the span of text it came from.
 * Nodes are allocated from the parse arena and live as long as the job's plan. Names are
 * kept as written (case preserved, backticks removed); comparisons are case-insensitive. */
#ifndef EDDY_AST_H
#define EDDY_AST_H
#include "base/err.h"
#include "base/arena.h"
#include "data/types.h"

typedef struct ast ast_t;

typedef struct ast_list {
    ast_t **items;
    int len;
} ast_list;

typedef enum ast_kind {
    /* ---- expressions ---- */
    AST_IDENT,          /* names[0..nnames-1]: a, t.a, db.t.a */
    AST_STAR,           /* * or t.* (names = qualifier) */
    AST_LITERAL,        /* lit_kind + text */
    AST_INTERVAL,       /* INTERVAL '5' MINUTE | INTERVAL '1 02:03' DAY TO MINUTE: text, unit, unit2 */
    AST_UNARY,          /* op: "-", "+", "NOT"; a */
    AST_BINARY,         /* op: "+","-","*","/","%","||","=","<>","<",">","<=",">=","AND","OR"; a, b */
    AST_CALL,           /* name(args) [FILTER (WHERE filter)] [OVER over]; distinct; star = COUNT(*) */
    AST_CASE,           /* CASE [a] WHEN list[0] THEN list[1] ... [ELSE b] END */
    AST_CAST,           /* CAST(a AS type) / TRY_CAST */
    AST_IS,             /* a IS [NOT] NULL|TRUE|FALSE: op = "NULL","TRUE","FALSE"; negated */
    AST_IN,             /* a [NOT] IN (list) */
    AST_BETWEEN,        /* a [NOT] BETWEEN b AND c */
    AST_LIKE,           /* a [NOT] LIKE b [ESCAPE c] */
    AST_TIME_UNIT_CALL, /* FLOOR(a TO unit) / CEIL(a TO unit) / EXTRACT(unit FROM a): name, a, unit */
    AST_DESCRIPTOR,     /* DESCRIPTOR(col): names */
    AST_TABLE_ARG,      /* TABLE t inside a TVF call: names */
    AST_WINDOW_SPEC,    /* OVER (PARTITION BY list ORDER BY list2 [frame]) */
    AST_ORDER_ITEM,     /* a [ASC|DESC] [NULLS FIRST|LAST]: desc, nulls_first (-1 default) */

    /* ---- queries ---- */
    AST_SELECT,         /* see select fields */
    AST_UNION,          /* a UNION ALL b (all = 1); UNION without ALL: all = 0 */
    AST_TABLE_REF,      /* names [AS alias]; FOR SYSTEM_TIME AS OF c (lookup join) */
    AST_SUBQUERY,       /* (a) [AS alias [(columns)]] */
    AST_JOIN,           /* a JOIN b ON c: join_kind; c NULL for CROSS / comma joins */
    AST_TVF,            /* TABLE(name(args)) [AS alias]: windowing TVFs */
    AST_SELECT_ITEM,    /* a [AS alias] */

    /* ---- statements ---- */
    AST_CREATE_TABLE,
    AST_CREATE_VIEW,
    AST_INSERT,         /* INSERT INTO names [(columns)] a */
    AST_SET,            /* SET 'key' = 'value': text = key, text2 = value */
    AST_COLUMN,         /* column definition, see column fields */
    AST_OPTION,         /* WITH option: text = key, text2 = value; spans in a (key) and b (value) not used */
    AST_QUERY_STMT,     /* a bare SELECT statement (runs into the print sink with `eddy run`) */

    /* ---- pattern recognition (appended: the kinds above keep their values) ---- */
    AST_MATCH_RECOGNIZE, /* a MATCH_RECOGNIZE (...) [AS alias]: see the match fields below */
    AST_PATTERN,        /* a PATTERN term: name (a variable) or list (a sequence); qmin, qmax, greedy */
} ast_kind;

typedef enum lit_kind {
    LIT_NULL, LIT_TRUE, LIT_FALSE,
    LIT_INTEGER,        /* text = digits */
    LIT_DECIMAL,        /* text = "12.50" */
    LIT_DOUBLE,         /* text = "1.5E3" */
    LIT_STRING,         /* text = unescaped contents ('' -> ') */
    LIT_DATE,           /* DATE '2020-01-01': text */
    LIT_TIME,           /* TIME '12:00:00' */
    LIT_TIMESTAMP,      /* TIMESTAMP '2020-01-01 00:00:00' */
} lit_kind;

typedef enum join_kind { JOIN_INNER, JOIN_LEFT, JOIN_RIGHT, JOIN_FULL, JOIN_CROSS } join_kind;

/* Time units of INTERVAL, FLOOR/CEIL ... TO, EXTRACT. */
typedef enum time_unit {
    TU_NONE, TU_YEAR, TU_QUARTER, TU_MONTH, TU_WEEK, TU_DAY, TU_HOUR, TU_MINUTE, TU_SECOND,
    TU_MILLISECOND, TU_MICROSECOND,
} time_unit;

/* A parsed type: `type` plus its span. */
typedef struct ast_type {
    type_t type;
    span_t span;
} ast_type;

struct ast {
    ast_kind kind;
    span_t span;

    /* generic children (meaning depends on kind, see above) */
    ast_t *a, *b, *c;
    ast_list list, list2;

    /* names and text */
    const char **names;         /* identifier parts */
    int nnames;
    const char *name;           /* function name (AST_CALL, AST_TVF, AST_TIME_UNIT_CALL), alias */
    const char *alias;          /* AS alias of table refs, subqueries, select items, TVFs */
    span_t alias_span;
    const char *text;           /* literal text, SET key, option key, column comment */
    const char *text2;          /* SET value, option value */
    const char *op;             /* operator spelling, upper case */

    /* flags */
    lit_kind lit;
    time_unit unit, unit2;      /* AST_INTERVAL (unit2 for "DAY TO SECOND"), AST_TIME_UNIT_CALL */
    join_kind join;
    int negated;                /* NOT IN / NOT BETWEEN / NOT LIKE / IS NOT */
    int distinct;               /* COUNT(DISTINCT x), SELECT DISTINCT */
    int star;                   /* COUNT(*) */
    int all;                    /* UNION ALL */
    int desc;                   /* ORDER BY ... DESC */
    int nulls_first;            /* -1 default, 0 NULLS LAST, 1 NULLS FIRST */
    int safe;                   /* TRY_CAST */
    int temporary;              /* CREATE TEMPORARY ... */
    int if_not_exists;

    ast_type cast_type;         /* AST_CAST target, AST_COLUMN type */

    /* AST_CALL extras */
    ast_t *filter;              /* FILTER (WHERE ...) */
    ast_t *over;                /* OVER (...) -> AST_WINDOW_SPEC */

    /* AST_WINDOW_SPEC frame: frame_rows (1 ROWS, 0 RANGE, -1 none); bounds: preceding
     * expression in frame_start (NULL = UNBOUNDED PRECEDING), frame_end NULL = CURRENT ROW */
    int frame_rows;
    ast_t *frame_start;
    ast_t *frame_end;

    /* AST_SELECT: list = select items, a = FROM (NULL if none), b = WHERE, list2 = GROUP BY,
     * c = HAVING; order_by / limit for ORDER BY ... LIMIT */
    ast_list order_by;
    ast_t *limit;

    /* AST_TABLE_REF: system_time = the AS OF expression (FOR SYSTEM_TIME AS OF x) */
    ast_t *system_time;

    /* AST_SUBQUERY alias column list, AST_CREATE_VIEW column list, AST_INSERT column list */
    ast_list columns;           /* AST_IDENT nodes */

    /* AST_CREATE_TABLE: names = table name; list = AST_COLUMN defs; list2 = AST_OPTION;
     * pk = primary key column idents (from a constraint or a column's PRIMARY KEY);
     * watermark_col / watermark_expr; period_for_system_time flag. */
    ast_list pk;
    int pk_not_enforced;
    ast_t *watermark_col;       /* AST_IDENT */
    ast_t *watermark_expr;
    int period_for_system_time;

    /* AST_COLUMN: name; cast_type (physical) or a = computed expression (c AS expr);
     * metadata: is_metadata (METADATA [FROM 'key'] [VIRTUAL]); text = COMMENT. */
    int is_metadata;

    /* Added by the parser: is_virtual = METADATA ... VIRTUAL; the METADATA FROM 'key' goes in
     * text2. text_span / text2_span: where text / text2 were written (AST_OPTION and AST_SET:
     * key and value; AST_COLUMN: comment and metadata key; CREATE TABLE: table comment). */
    int is_virtual;
    span_t text_span, text2_span;

    /* AST_MATCH_RECOGNIZE: a = the input (AST_TABLE_REF, AST_SUBQUERY or AST_TVF); list =
     * PARTITION BY expressions; order_by = ORDER BY items; list2 = MEASURES (AST_SELECT_ITEM
     * with alias); defines = DEFINE (AST_SELECT_ITEM: alias = the variable, alias_span where
     * it was written, a = the condition); pattern = the PATTERN tree; within = the WITHIN
     * AST_INTERVAL or NULL; all_rows = ALL ROWS PER MATCH (0: ONE ROW PER MATCH, the default);
     * skip = AFTER MATCH SKIP: 0 PAST LAST ROW (the default), 1 TO NEXT ROW, 2 TO FIRST var,
     * 3 TO LAST var (TO var means TO LAST var; the values of match_skip in ops/ops.h);
     * skip_var = that var, written at text_span; alias / alias_span as for other table
     * references. */
    ast_list defines;
    ast_t *pattern;
    ast_t *within;
    int all_rows;
    int skip;
    const char *skip_var;

    /* AST_PATTERN: a variable (name) or a sequence (list: the top-level pattern or a
     * parenthesised group), repeated qmin..qmax times (qmax -1: unbounded; a plain term is
     * {1,1}); greedy 0 for a reluctant quantifier (A*?, A+?, A??, A{n,m}?). */
    int qmin, qmax;
    int greedy;
};

/* Parse a whole job file: statements separated by ';'. Returns 0 and fills *out, or -1
 * with the error recorded (err_at with the offending token's span). */
int sql_parse(const char *text, arena_t *a, ast_list *out);

struct sb;

/* Debug/test form of a node: an S-expression such as (BINARY + (IDENT a) (LITERAL 1)). */
void ast_dump(const ast_t *n, struct sb *out);

const char *time_unit_name(time_unit u);
/* "DAY", "days", ... -> TU_DAY; TU_NONE when the word is not a unit. */
time_unit time_unit_parse(const char *word);

#endif
