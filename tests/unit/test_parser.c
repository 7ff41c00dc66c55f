/* test_parser.c - unit tests of the SQL lexer and parser: every statement kind, every
 * expression form, precedence, the Blink and DLI dialects of the seed documents, spans,
 * syntax error messages with their line:col, nesting limits and fuzzer finds. */
#include "check.h"
#include "sql/ast.h"
#include "sql/lexer.h"
#include "base/strbuf.h"
#include "base/util.h"
#include <stdlib.h>
#include <string.h>

static arena_t arena;
static char *source;        /* exact-size heap copy, so ASan sees any read past the end */
static sb_t dumped;

/* Parses sql; returns 0 and fills *out, or -1 (the error is in err_text()). */
static int parse(const char *sql, ast_list *out)
{
    free(source);
    source = xstrdup(sql);
    arena_reset(&arena);
    err_clear();
    err_set_source("t.sql", source);
    return sql_parse(source, &arena, out);
}

/* Dump of every statement, one per line; "ERROR: <diagnostic>" if the parse fails. */
static const char *dump_sql(const char *sql)
{
    ast_list l;
    sb_clear(&dumped);
    if (parse(sql, &l) < 0) {
        sb_printf(&dumped, "ERROR: %s", err_text());
        return sb_str(&dumped);
    }
    for (int i = 0; i < l.len; i++) {
        if (i) sb_putc(&dumped, '\n');
        ast_dump(l.items[i], &dumped);
    }
    return sb_str(&dumped);
}

/* The only statement of sql, NULL (with a message) unless exactly one parses. */
static ast_t *parse_one(const char *sql)
{
    ast_list l;
    if (parse(sql, &l) < 0 || l.len != 1) {
        fprintf(stderr, "parse_one(%s): %s\n", sql, err_pending() ? err_text() : "not one statement");
        return NULL;
    }
    return l.items[0];
}

/* The first select item's expression of "SELECT <expr>". */
static ast_t *parse_expr_node(const char *expr)
{
    static sb_t sql;
    sb_clear(&sql);
    sb_printf(&sql, "SELECT %s", expr);
    ast_t *st = parse_one(sb_str(&sql));
    return st ? st->a->list.items[0]->a : NULL;
}

static const char *dump_expr(const char *expr)
{
    ast_t *e = parse_expr_node(expr);
    sb_clear(&dumped);
    if (!e) return "ERROR";
    ast_dump(e, &dumped);
    return sb_str(&dumped);
}

/* The first line of the diagnostic for sql, "" if it parses. */
static const char *error_of(const char *sql)
{
    static char line[512];
    ast_list l;
    if (parse(sql, &l) == 0) return "";
    const char *text = err_text();
    size_t n = strcspn(text, "\n");
    if (n >= sizeof line) n = sizeof line - 1;
    memcpy(line, text, n);
    line[n] = 0;
    return line;
}

/* ------------------------------------------------------------------ lexer */

static int lex_all(const char *sql, token_t *toks, int max)
{
    lexer_t lx;
    free(source);
    source = xstrdup(sql);
    arena_reset(&arena);
    lexer_init(&lx, source, &arena);
    int n = 0;
    while (n < max) {
        lexer_next(&lx, &toks[n]);
        if (toks[n++].kind == TK_EOF || toks[n - 1].kind == TK_ERROR) break;
    }
    return n;
}

TEST(lexer_operators)
{
    token_t t[40];
    int n = lex_all("= <> != < > <= >= + - * / % || . , ; ( ) =>", t, 40);
    static const tok_kind want[] = {
        TK_EQ, TK_NE, TK_NE, TK_LT, TK_GT, TK_LE, TK_GE, TK_PLUS, TK_MINUS, TK_STAR, TK_SLASH,
        TK_PERCENT, TK_CONCAT, TK_DOT, TK_COMMA, TK_SEMI, TK_LPAREN, TK_RPAREN, TK_ARROW, TK_EOF,
    };
    CHECK_EQ_INT(n, (int)ARRAY_LEN(want));
    for (int i = 0; i < n && i < (int)ARRAY_LEN(want); i++) CHECK_EQ_INT(t[i].kind, want[i]);
}

TEST(lexer_literals)
{
    token_t t[20];
    int n = lex_all("42 12.50 .5 1.5E3 1e-3 7e 'it''s' \"dq\"\"x\" _UTF16'u' _UTF16\"v\" N'n'", t, 20);
    CHECK_EQ_INT(n, 13);
    CHECK_EQ_INT(t[0].kind, TK_INTEGER); CHECK_EQ_STR(t[0].val, "42");
    CHECK_EQ_INT(t[1].kind, TK_DECIMAL); CHECK_EQ_STR(t[1].val, "12.50");
    CHECK_EQ_INT(t[2].kind, TK_DECIMAL); CHECK_EQ_STR(t[2].val, ".5");
    CHECK_EQ_INT(t[3].kind, TK_DOUBLE); CHECK_EQ_STR(t[3].val, "1.5E3");
    CHECK_EQ_INT(t[4].kind, TK_DOUBLE); CHECK_EQ_STR(t[4].val, "1e-3");
    CHECK_EQ_INT(t[5].kind, TK_INTEGER); CHECK_EQ_STR(t[5].val, "7");     /* 7 then the name e */
    CHECK_EQ_INT(t[6].kind, TK_IDENT); CHECK_EQ_STR(t[6].val, "e");
    CHECK_EQ_INT(t[7].kind, TK_STRING); CHECK_EQ_STR(t[7].val, "it's");
    CHECK_EQ_INT(t[8].kind, TK_DQSTRING); CHECK_EQ_STR(t[8].val, "dq\"x");
    CHECK_EQ_INT(t[9].kind, TK_STRING); CHECK_EQ_STR(t[9].val, "u");
    CHECK_EQ_INT(t[9].span.len, 9);
    CHECK_EQ_INT(t[10].kind, TK_DQSTRING); CHECK_EQ_STR(t[10].val, "v");
    CHECK_EQ_INT(t[11].kind, TK_STRING); CHECK_EQ_STR(t[11].val, "n");
    CHECK_EQ_INT(t[12].kind, TK_EOF);
}

TEST(lexer_names_keywords_comments)
{
    token_t t[20];
    int n = lex_all("SeLeCt `my ``col`` x` -- comment\n/* block\n comment */ user_Name $x", t, 20);
    CHECK_EQ_INT(n, 4);
    CHECK_EQ_INT(t[0].kind, TK_IDENT); CHECK_EQ_INT(t[0].kw, KW_SELECT); CHECK_EQ_STR(t[0].val, "SeLeCt");
    CHECK_EQ_INT(t[1].kind, TK_QIDENT); CHECK_EQ_STR(t[1].val, "my `col` x");
    CHECK_EQ_INT(t[2].kind, TK_IDENT); CHECK_EQ_INT(t[2].kw, KW_NONE); CHECK_EQ_STR(t[2].val, "user_Name");
    CHECK_EQ_INT(t[2].span.line, 3); CHECK_EQ_INT(t[2].span.col, 13); CHECK_EQ_INT(t[2].span.len, 9);
    CHECK_EQ_INT(t[3].kind, TK_ERROR);                   /* '$' cannot start a name */
    CHECK_EQ_STR(t[3].val, "unexpected character '$'");
    CHECK(kw_is_reserved(KW_FROM));
    CHECK(!kw_is_reserved(KW_TIMESTAMP));
    CHECK_EQ_STR(kw_name(KW_SYSTEM_TIME), "SYSTEM_TIME");
}

TEST(lexer_errors_end_the_stream)
{
    token_t t[10];
    int n = lex_all("a 'open", t, 10);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(t[1].kind, TK_ERROR);
    CHECK_EQ_STR(t[1].val, "unterminated string literal");
    CHECK_EQ_INT(t[1].span.col, 3);
    lexer_t lx;
    lexer_init(&lx, "x /* never closed", &arena);
    lexer_next(&lx, &t[0]);
    lexer_next(&lx, &t[1]);
    CHECK_EQ_INT(t[1].kind, TK_ERROR);
    CHECK_EQ_STR(t[1].val, "unterminated comment");
    lexer_next(&lx, &t[2]);
    CHECK_EQ_INT(t[2].kind, TK_EOF);
}

/* ------------------------------------------------------------------ statements */

TEST(create_table_flink)
{
    CHECK_EQ_STR(dump_sql(
        "CREATE TEMPORARY TABLE IF NOT EXISTS db.orders (\n"
        "  id BIGINT NOT NULL PRIMARY KEY NOT ENFORCED COMMENT 'the id',\n"
        "  price DECIMAL(10, 2),\n"
        "  ts TIMESTAMP(3),\n"
        "  total AS price * 2 COMMENT 'computed',\n"
        "  part INT METADATA FROM 'partition' VIRTUAL,\n"
        "  `offset` BIGINT METADATA,\n"
        "  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND\n"
        ") COMMENT 'orders' PARTITIONED BY (id) WITH (\n"
        "  'connector' = 'kafka', 'format' = 'json'\n"
        ")"),
        "(CREATE_TABLE TEMPORARY IF_NOT_EXISTS db.orders (COLUMN id BIGINT NOT NULL (COMMENT 'the id'))"
        " (COLUMN price DECIMAL(10, 2)) (COLUMN ts TIMESTAMP(3))"
        " (COLUMN total (AS (BINARY * (IDENT price) (LITERAL 2))) (COMMENT 'computed'))"
        " (COLUMN part INT (METADATA 'partition' VIRTUAL)) (COLUMN offset BIGINT (METADATA))"
        " (PRIMARY_KEY (IDENT id) NOT_ENFORCED)"
        " (WATERMARK (IDENT ts) (BINARY - (IDENT ts) (INTERVAL '5' SECOND)))"
        " (COMMENT 'orders') (WITH (OPTION 'connector' 'kafka') (OPTION 'format' 'json')))");
}

TEST(create_table_constraints)
{
    CHECK_EQ_STR(dump_sql("CREATE TABLE t (a INT, b STRING, PRIMARY KEY (a, b) NOT ENFORCED) WITH ()"),
                 "(CREATE_TABLE t (COLUMN a INT) (COLUMN b STRING) (PRIMARY_KEY (IDENT a) (IDENT b) NOT_ENFORCED))");
    CHECK_EQ_STR(dump_sql("CREATE TABLE t (a INT, CONSTRAINT pk PRIMARY KEY (a) NOT ENFORCED)"),
                 "(CREATE_TABLE t (COLUMN a INT) (PRIMARY_KEY (IDENT a) NOT_ENFORCED))");
    CHECK_EQ_STR(dump_sql("CREATE TABLE dim (id BIGINT, PRIMARY KEY (id), PERIOD FOR SYSTEM_TIME) WITH (type='rds')"),
                 "(CREATE_TABLE dim (COLUMN id BIGINT) (PRIMARY_KEY (IDENT id)) PERIOD_FOR_SYSTEM_TIME"
                 " (WITH (OPTION 'type' 'rds')))");
    /* words that only start constraints when followed by the right word are column names */
    CHECK_EQ_STR(dump_sql("CREATE TABLE t (watermark INT, primary STRING, period DATE, constraint INT,)"),
                 "(CREATE_TABLE t (COLUMN watermark INT) (COLUMN primary STRING) (COLUMN period DATE)"
                 " (COLUMN constraint INT))");
}

TEST(create_table_fields)
{
    ast_t *t = parse_one("CREATE TABLE t (a INT PRIMARY KEY, ts TIMESTAMP(3), WATERMARK FOR ts AS withOffset(ts, 1000))\n"
                         "WITH ('k' = 'v')");
    CHECK(t != NULL);
    if (!t) return;
    CHECK_EQ_INT(t->kind, AST_CREATE_TABLE);
    CHECK_EQ_INT(t->nnames, 1);
    CHECK_EQ_STR(t->names[0], "t");
    CHECK_EQ_INT(t->list.len, 2);
    CHECK_EQ_STR(t->list.items[0]->name, "a");
    CHECK_EQ_INT(t->list.items[0]->cast_type.type.id, TY_INT);
    CHECK_EQ_INT(t->list.items[1]->cast_type.type.id, TY_TIMESTAMP);
    CHECK_EQ_INT(t->list.items[1]->cast_type.type.precision, 3);
    CHECK_EQ_INT(t->pk.len, 1);
    CHECK_EQ_INT(t->pk_not_enforced, 0);
    CHECK_EQ_STR(t->pk.items[0]->names[0], "a");
    CHECK_EQ_INT(t->pk.items[0]->span.col, 17);
    CHECK_EQ_STR(t->watermark_col->names[0], "ts");
    CHECK_EQ_INT(t->watermark_expr->kind, AST_CALL);
    CHECK_EQ_STR(t->watermark_expr->name, "withOffset");
    CHECK_EQ_INT(t->list2.len, 1);
    ast_t *o = t->list2.items[0];
    CHECK_EQ_STR(o->text, "k");
    CHECK_EQ_STR(o->text2, "v");
    CHECK_EQ_INT(o->span.line, 2);
    CHECK_EQ_INT(o->span.col, 7);
    CHECK_EQ_INT(o->span.len, 9);
    CHECK_EQ_INT(o->text_span.col, 7);
    CHECK_EQ_INT(o->text_span.len, 3);
    CHECK_EQ_INT(o->text2_span.col, 13);
    CHECK_EQ_INT(o->text2_span.len, 3);
}

TEST(types)
{
    static const struct { const char *type, *want; } cases[] = {
        { "BOOLEAN", "BOOLEAN" }, { "TINYINT", "INT" }, { "SMALLINT", "INT" }, { "INT", "INT" },
        { "integer", "INT" }, { "BIGINT", "BIGINT" }, { "FLOAT", "DOUBLE" }, { "DOUBLE", "DOUBLE" },
        { "DOUBLE PRECISION", "DOUBLE" }, { "DECIMAL", "DECIMAL(10, 0)" }, { "DEC(5)", "DECIMAL(5, 0)" },
        { "NUMERIC(12, 3)", "DECIMAL(12, 3)" }, { "STRING", "STRING" }, { "VARCHAR", "STRING" },
        { "VARCHAR(32)", "VARCHAR(32)" }, { "CHAR(4)", "VARCHAR(4)" }, { "CHAR", "VARCHAR(1)" },
        { "DATE", "DATE" }, { "TIMESTAMP", "TIMESTAMP(6)" }, { "TIMESTAMP(3)", "TIMESTAMP(3)" },
        { "TIMESTAMP(3) WITHOUT TIME ZONE", "TIMESTAMP(3)" },
        { "TIMESTAMP(3) WITH LOCAL TIME ZONE", "TIMESTAMP_LTZ(3)" },
        { "TIMESTAMP WITH LOCAL TIME ZONE", "TIMESTAMP_LTZ(6)" },
        { "TIMESTAMP_LTZ(3)", "TIMESTAMP_LTZ(3)" }, { "TIMESTAMP_LTZ", "TIMESTAMP_LTZ(6)" },
        { "INTERVAL DAY TO SECOND(3)", "INTERVAL DAY TO SECOND" }, { "INTERVAL MINUTE", "INTERVAL DAY TO SECOND" },
        { "INTERVAL YEAR TO MONTH", "INTERVAL YEAR TO MONTH" }, { "INTERVAL MONTH", "INTERVAL YEAR TO MONTH" },
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char sql[128], want[128];
        snprintf(sql, sizeof sql, "CAST(x AS %s)", cases[i].type);
        snprintf(want, sizeof want, "(CAST (IDENT x) %s)", cases[i].want);
        CHECK_EQ_STR(dump_expr(sql), want);
    }
    ast_t *c = parse_expr_node("CAST(x AS VARCHAR(7))");
    CHECK(c && c->cast_type.type.length == 7);
    CHECK(c && c->cast_type.span.col == 18 && c->cast_type.span.len == 10);
}

TEST(create_view)
{
    CHECK_EQ_STR(dump_sql("CREATE VIEW v AS SELECT a FROM t"),
                 "(CREATE_VIEW v (SELECT (SELECT_ITEM (IDENT a)) (FROM (TABLE_REF t))))");
    CHECK_EQ_STR(dump_sql("create temporary view if not exists v (x, y) as (select a, b from t)"),
                 "(CREATE_VIEW TEMPORARY IF_NOT_EXISTS v (COLUMNS (IDENT x) (IDENT y))"
                 " (SELECT (SELECT_ITEM (IDENT a)) (SELECT_ITEM (IDENT b)) (FROM (TABLE_REF t))))");
}

TEST(insert)
{
    CHECK_EQ_STR(dump_sql("INSERT INTO sink SELECT * FROM src"),
                 "(INSERT sink (SELECT (SELECT_ITEM (STAR)) (FROM (TABLE_REF src))))");
    CHECK_EQ_STR(dump_sql("INSERT INTO cat.db.sink (a, b) SELECT x, y FROM src"),
                 "(INSERT cat.db.sink (COLUMNS (IDENT a) (IDENT b))"
                 " (SELECT (SELECT_ITEM (IDENT x)) (SELECT_ITEM (IDENT y)) (FROM (TABLE_REF src))))");
    CHECK_EQ_STR(dump_sql("INSERT OVERWRITE sink (SELECT 1)"),
                 "(INSERT sink (SELECT (SELECT_ITEM (LITERAL 1))))");
}

TEST(set)
{
    CHECK_EQ_STR(dump_sql("SET 'table.local-time-zone' = 'Asia/Shanghai';\n"
                          "SET table.exec.mini-batch.enabled=true;\n"
                          "SET parallelism.default = 2\n"
                          "SET \"pipeline.name\" = \"job\""),
                 "(SET 'table.local-time-zone' 'Asia/Shanghai')\n"
                 "(SET 'table.exec.mini-batch.enabled' 'true')\n"
                 "(SET 'parallelism.default' '2')\n"
                 "(SET 'pipeline.name' 'job')");
    ast_t *s = parse_one("SET a.b-c = 5 s");
    CHECK(s != NULL);
    if (!s) return;
    CHECK_EQ_STR(s->text, "a.b-c");
    CHECK_EQ_STR(s->text2, "5 s");
    CHECK_EQ_INT(s->text_span.col, 5);
    CHECK_EQ_INT(s->text_span.len, 5);
    CHECK_EQ_INT(s->text2_span.col, 13);
    CHECK_EQ_INT(s->text2_span.len, 3);
    CHECK_EQ_INT(s->span.len, 15);
}

TEST(statement_separators)
{
    ast_list l;
    CHECK_EQ_INT(parse(";; SELECT 1;;\n;SELECT 2 ; SELECT 3", &l), 0);
    CHECK_EQ_INT(l.len, 3);
    CHECK_EQ_INT(l.items[0]->kind, AST_QUERY_STMT);
    CHECK_EQ_INT(parse("", &l), 0);
    CHECK_EQ_INT(l.len, 0);
    CHECK_EQ_INT(parse("  -- only a comment\n", &l), 0);
    CHECK_EQ_INT(l.len, 0);
    CHECK_EQ_STR(dump_sql("BEGIN STATEMENT SET;\nINSERT INTO a SELECT 1;\nINSERT INTO b SELECT 2;\nEND;"),
                 "(INSERT a (SELECT (SELECT_ITEM (LITERAL 1))))\n(INSERT b (SELECT (SELECT_ITEM (LITERAL 2))))");
    CHECK_EQ_STR(dump_sql("EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; END"),
                 "(INSERT a (SELECT (SELECT_ITEM (LITERAL 1))))");
}

/* ------------------------------------------------------------------ queries */

TEST(select_clauses)
{
    CHECK_EQ_STR(dump_sql("SELECT DISTINCT a, t.b AS x, c y, *, t.* FROM t WHERE a > 1 GROUP BY a, b "
                          "HAVING COUNT(*) > 2 ORDER BY a DESC, b ASC NULLS FIRST, c NULLS LAST LIMIT 10"),
                 "(QUERY_STMT (SELECT DISTINCT (SELECT_ITEM (IDENT a)) (SELECT_ITEM (IDENT t.b) AS x)"
                 " (SELECT_ITEM (IDENT c) AS y) (SELECT_ITEM (STAR)) (SELECT_ITEM (STAR t)) (FROM (TABLE_REF t))"
                 " (WHERE (BINARY > (IDENT a) (LITERAL 1))) (GROUP_BY (IDENT a) (IDENT b))"
                 " (HAVING (BINARY > (CALL COUNT *) (LITERAL 2)))"
                 " (ORDER_BY (ORDER_ITEM (IDENT a) DESC) (ORDER_ITEM (IDENT b) NULLS_FIRST) (ORDER_ITEM (IDENT c) NULLS_LAST))"
                 " (LIMIT (LITERAL 10))))");
    CHECK_EQ_STR(dump_sql("SELECT ALL 1"), "(QUERY_STMT (SELECT (SELECT_ITEM (LITERAL 1))))");
}

TEST(joins)
{
    CHECK_EQ_STR(dump_sql("SELECT 1 FROM a JOIN b ON a.x = b.x INNER JOIN c ON TRUE LEFT JOIN d ON 1 = 1 "
                          "LEFT OUTER JOIN e ON 1 = 1 RIGHT JOIN f ON 1 = 1 RIGHT OUTER JOIN g ON 1 = 1 "
                          "FULL JOIN h ON 1 = 1 FULL OUTER JOIN i ON 1 = 1 CROSS JOIN j, k"),
                 "(QUERY_STMT (SELECT (SELECT_ITEM (LITERAL 1)) (FROM (JOIN CROSS (JOIN CROSS (JOIN FULL"
                 " (JOIN FULL (JOIN RIGHT (JOIN RIGHT (JOIN LEFT (JOIN LEFT (JOIN INNER (JOIN INNER"
                 " (TABLE_REF a) (TABLE_REF b) (ON (BINARY = (IDENT a.x) (IDENT b.x))))"
                 " (TABLE_REF c) (ON (LITERAL TRUE))) (TABLE_REF d) (ON (BINARY = (LITERAL 1) (LITERAL 1))))"
                 " (TABLE_REF e) (ON (BINARY = (LITERAL 1) (LITERAL 1)))) (TABLE_REF f) (ON (BINARY = (LITERAL 1) (LITERAL 1))))"
                 " (TABLE_REF g) (ON (BINARY = (LITERAL 1) (LITERAL 1)))) (TABLE_REF h) (ON (BINARY = (LITERAL 1) (LITERAL 1))))"
                 " (TABLE_REF i) (ON (BINARY = (LITERAL 1) (LITERAL 1)))) (TABLE_REF j)) (TABLE_REF k)))))");
    CHECK_EQ_STR(dump_sql("SELECT 1 FROM (a JOIN b ON TRUE) LEFT JOIN c ON TRUE"),
                 "(QUERY_STMT (SELECT (SELECT_ITEM (LITERAL 1)) (FROM (JOIN LEFT (JOIN INNER (TABLE_REF a)"
                 " (TABLE_REF b) (ON (LITERAL TRUE))) (TABLE_REF c) (ON (LITERAL TRUE))))))");
}

TEST(lookup_joins)
{
    /* Flink: the alias after FOR SYSTEM_TIME AS OF; Blink: PROCTIME() and a bare alias */
    CHECK_EQ_STR(dump_sql("SELECT 1 FROM Orders AS o JOIN Customers FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.id = c.id"),
                 "(QUERY_STMT (SELECT (SELECT_ITEM (LITERAL 1)) (FROM (JOIN INNER (TABLE_REF Orders AS o)"
                 " (TABLE_REF Customers (FOR_SYSTEM_TIME (IDENT o.proc_time)) AS c)"
                 " (ON (BINARY = (IDENT o.id) (IDENT c.id)))))))");
    CHECK_EQ_STR(dump_sql("select 1 from d left outer join area_shop FOR SYSTEM_TIME AS OF PROCTIME() mas on d.a=mas.a"),
                 "(QUERY_STMT (SELECT (SELECT_ITEM (LITERAL 1)) (FROM (JOIN LEFT (TABLE_REF d)"
                 " (TABLE_REF area_shop (FOR_SYSTEM_TIME (CALL PROCTIME)) AS mas)"
                 " (ON (BINARY = (IDENT d.a) (IDENT mas.a)))))))");
    CHECK_EQ_STR(dump_sql("SELECT 1 FROM a JOIN dim d FOR SYSTEM_TIME AS OF a.pt ON TRUE"),
                 "(QUERY_STMT (SELECT (SELECT_ITEM (LITERAL 1)) (FROM (JOIN INNER (TABLE_REF a)"
                 " (TABLE_REF dim (FOR_SYSTEM_TIME (IDENT a.pt)) AS d) (ON (LITERAL TRUE))))))");
    ast_t *q = parse_one("SELECT 1 FROM a JOIN dim FOR SYSTEM_TIME AS OF a.pt AS d ON TRUE");
    CHECK(q != NULL);
    if (!q) return;
    ast_t *ref = q->a->a->b;
    CHECK_EQ_INT(ref->kind, AST_TABLE_REF);
    CHECK_EQ_STR(ref->alias, "d");
    CHECK_EQ_INT(ref->alias_span.col, 56);
    CHECK_EQ_INT(ref->span.col, 22);
    CHECK_EQ_INT(ref->span.len, 35);
}

TEST(subqueries)
{
    CHECK_EQ_STR(dump_sql("SELECT x FROM (SELECT a AS x FROM t) AS s (x) WHERE x > 0"),
                 "(QUERY_STMT (SELECT (SELECT_ITEM (IDENT x)) (FROM (SUBQUERY (SELECT (SELECT_ITEM (IDENT a) AS x)"
                 " (FROM (TABLE_REF t))) AS s (COLUMNS (IDENT x)))) (WHERE (BINARY > (IDENT x) (LITERAL 0)))))");
    /* Blink: a subquery without an alias */
    CHECK_EQ_STR(dump_sql("SELECT a FROM (SELECT a FROM t) WHERE a <= 5"),
                 "(QUERY_STMT (SELECT (SELECT_ITEM (IDENT a)) (FROM (SUBQUERY (SELECT (SELECT_ITEM (IDENT a))"
                 " (FROM (TABLE_REF t))))) (WHERE (BINARY <= (IDENT a) (LITERAL 5)))))");
    CHECK_EQ_STR(dump_sql("SELECT a FROM ((SELECT a FROM t) UNION ALL (SELECT b FROM u)) v"),
                 "(QUERY_STMT (SELECT (SELECT_ITEM (IDENT a)) (FROM (SUBQUERY (UNION ALL (SELECT (SELECT_ITEM (IDENT a))"
                 " (FROM (TABLE_REF t))) (SELECT (SELECT_ITEM (IDENT b)) (FROM (TABLE_REF u)))) AS v))))");
}

TEST(unions)
{
    CHECK_EQ_STR(dump_sql("SELECT 1 UNION ALL SELECT 2 UNION SELECT 3 UNION DISTINCT (SELECT 4)"),
                 "(QUERY_STMT (UNION (UNION (UNION ALL (SELECT (SELECT_ITEM (LITERAL 1))) (SELECT (SELECT_ITEM (LITERAL 2))))"
                 " (SELECT (SELECT_ITEM (LITERAL 3)))) (SELECT (SELECT_ITEM (LITERAL 4)))))");
    CHECK_EQ_STR(dump_sql("(SELECT 1)"), "(QUERY_STMT (SELECT (SELECT_ITEM (LITERAL 1))))");
}

TEST(window_tvfs)
{
    CHECK_EQ_STR(dump_sql("SELECT window_start, window_end, SUM(price) FROM TABLE(\n"
                          "  TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '10' MINUTES)) GROUP BY window_start, window_end"),
                 "(QUERY_STMT (SELECT (SELECT_ITEM (IDENT window_start)) (SELECT_ITEM (IDENT window_end))"
                 " (SELECT_ITEM (CALL SUM (IDENT price)))"
                 " (FROM (TVF TUMBLE (TABLE_ARG Bid) (DESCRIPTOR bidtime) (INTERVAL '10' MINUTE)))"
                 " (GROUP_BY (IDENT window_start) (IDENT window_end))))");
    CHECK_EQ_STR(dump_sql("SELECT * FROM TABLE(HOP(DATA => TABLE Bid, TIMECOL => DESCRIPTOR(bidtime),\n"
                          "  SLIDE => INTERVAL '5' MINUTES, SIZE => INTERVAL '10' MINUTES)) AS w"),
                 "(QUERY_STMT (SELECT (SELECT_ITEM (STAR)) (FROM (TVF HOP (TABLE_ARG Bid) (DESCRIPTOR bidtime)"
                 " (INTERVAL '5' MINUTE) (INTERVAL '10' MINUTE) AS w))))");
    CHECK_EQ_STR(dump_sql("SELECT 1 FROM TABLE(CUMULATE(TABLE db.t, DESCRIPTOR(ts), INTERVAL '2' MINUTES, INTERVAL '10' MINUTES)) w"),
                 "(QUERY_STMT (SELECT (SELECT_ITEM (LITERAL 1)) (FROM (TVF CUMULATE (TABLE_ARG db.t) (DESCRIPTOR ts)"
                 " (INTERVAL '2' MINUTE) (INTERVAL '10' MINUTE) AS w))))");
}

/* ------------------------------------------------------------------ expressions */

TEST(precedence)
{
    CHECK_EQ_STR(dump_expr("1 + 2 * 3"), "(BINARY + (LITERAL 1) (BINARY * (LITERAL 2) (LITERAL 3)))");
    CHECK_EQ_STR(dump_expr("1 - 2 - 3"), "(BINARY - (BINARY - (LITERAL 1) (LITERAL 2)) (LITERAL 3))");
    CHECK_EQ_STR(dump_expr("(1 + 2) * 3"), "(BINARY * (BINARY + (LITERAL 1) (LITERAL 2)) (LITERAL 3))");
    CHECK_EQ_STR(dump_expr("a OR b AND c"), "(BINARY OR (IDENT a) (BINARY AND (IDENT b) (IDENT c)))");
    CHECK_EQ_STR(dump_expr("NOT a = b AND c"), "(BINARY AND (UNARY NOT (BINARY = (IDENT a) (IDENT b))) (IDENT c))");
    CHECK_EQ_STR(dump_expr("NOT NOT a"), "(UNARY NOT (UNARY NOT (IDENT a)))");
    CHECK_EQ_STR(dump_expr("a || b = c"), "(BINARY = (BINARY || (IDENT a) (IDENT b)) (IDENT c))");
    CHECK_EQ_STR(dump_expr("a + b || c"), "(BINARY || (BINARY + (IDENT a) (IDENT b)) (IDENT c))");
    CHECK_EQ_STR(dump_expr("-a * b"), "(BINARY * (UNARY - (IDENT a)) (IDENT b))");
    CHECK_EQ_STR(dump_expr("- -1"), "(UNARY - (UNARY - (LITERAL 1)))");
    CHECK_EQ_STR(dump_expr("a % b / +c"), "(BINARY / (BINARY % (IDENT a) (IDENT b)) (UNARY + (IDENT c)))");
    CHECK_EQ_STR(dump_expr("a < b OR c >= d AND e <> f"),
                 "(BINARY OR (BINARY < (IDENT a) (IDENT b)) (BINARY AND (BINARY >= (IDENT c) (IDENT d)) (BINARY <> (IDENT e) (IDENT f))))");
    CHECK_EQ_STR(dump_expr("a != b"), "(BINARY <> (IDENT a) (IDENT b))");
    CHECK_EQ_STR(dump_expr("a > b <= c"), "(BINARY <= (BINARY > (IDENT a) (IDENT b)) (IDENT c))");
    CHECK_EQ_STR(dump_expr("a BETWEEN 1 AND 2 AND b"),
                 "(BINARY AND (BETWEEN (IDENT a) (LITERAL 1) (LITERAL 2)) (IDENT b))");
    CHECK_EQ_STR(dump_expr("a + 1 BETWEEN b - 1 AND c * 2"),
                 "(BETWEEN (BINARY + (IDENT a) (LITERAL 1)) (BINARY - (IDENT b) (LITERAL 1)) (BINARY * (IDENT c) (LITERAL 2)))");
    CHECK_EQ_STR(dump_expr("NOT a IS NULL"), "(UNARY NOT (IS NULL (IDENT a)))");
    CHECK_EQ_STR(dump_expr("a = 1 IS TRUE"), "(IS TRUE (BINARY = (IDENT a) (LITERAL 1)))");
}

TEST(literals)
{
    CHECK_EQ_STR(dump_expr("NULL"), "(LITERAL NULL)");
    CHECK_EQ_STR(dump_expr("true"), "(LITERAL TRUE)");
    CHECK_EQ_STR(dump_expr("FALSE"), "(LITERAL FALSE)");
    CHECK_EQ_STR(dump_expr("123"), "(LITERAL 123)");
    CHECK_EQ_STR(dump_expr("12.50"), "(LITERAL 12.50)");
    CHECK_EQ_STR(dump_expr("1.5E3"), "(LITERAL 1.5E3)");
    CHECK_EQ_STR(dump_expr("'it''s'"), "(LITERAL 'it''s')");
    CHECK_EQ_STR(dump_expr("\"dli\""), "(LITERAL 'dli')");
    CHECK_EQ_STR(dump_expr("_UTF16'x'"), "(LITERAL 'x')");
    CHECK_EQ_STR(dump_expr("DATE '2020-01-01'"), "(LITERAL DATE '2020-01-01')");
    CHECK_EQ_STR(dump_expr("TIME '12:00:00'"), "(LITERAL TIME '12:00:00')");
    CHECK_EQ_STR(dump_expr("TIMESTAMP '2020-01-01 00:00:00.123'"), "(LITERAL TIMESTAMP '2020-01-01 00:00:00.123')");
    ast_t *e = parse_expr_node("12.50");
    CHECK(e && e->lit == LIT_DECIMAL && strcmp(e->text, "12.50") == 0);
    e = parse_expr_node("1.5E3");
    CHECK(e && e->lit == LIT_DOUBLE);
    e = parse_expr_node("7");
    CHECK(e && e->lit == LIT_INTEGER);
    e = parse_expr_node("TIMESTAMP '2020-01-01 00:00:00'");
    CHECK(e && e->lit == LIT_TIMESTAMP && e->span.col == 8 && e->span.len == 31);
}

TEST(intervals)
{
    CHECK_EQ_STR(dump_expr("INTERVAL '5' MINUTE"), "(INTERVAL '5' MINUTE)");
    CHECK_EQ_STR(dump_expr("INTERVAL '10' minutes"), "(INTERVAL '10' MINUTE)");
    CHECK_EQ_STR(dump_expr("INTERVAL '1' hour"), "(INTERVAL '1' HOUR)");
    CHECK_EQ_STR(dump_expr("INTERVAL '2' DAYS"), "(INTERVAL '2' DAY)");
    CHECK_EQ_STR(dump_expr("INTERVAL '5' SECOND(3)"), "(INTERVAL '5' SECOND)");
    CHECK_EQ_STR(dump_expr("INTERVAL '1 02:03' DAY TO MINUTE"), "(INTERVAL '1 02:03' DAY TO MINUTE)");
    CHECK_EQ_STR(dump_expr("INTERVAL '1-2' YEAR(2) TO MONTH"), "(INTERVAL '1-2' YEAR TO MONTH)");
    CHECK_EQ_STR(dump_expr("INTERVAL -'3' WEEKS"), "(INTERVAL '-3' WEEK)");
    CHECK_EQ_STR(dump_expr("INTERVAL '100' MILLISECOND"), "(INTERVAL '100' MILLISECOND)");
    CHECK_EQ_STR(dump_expr("INTERVAL '1' QUARTER"), "(INTERVAL '1' QUARTER)");
    CHECK_EQ_STR(dump_expr("INTERVAL 5 MONTHS"), "(INTERVAL '5' MONTH)");
    CHECK_EQ_STR(dump_expr("ts - INTERVAL '1' MICROSECONDS"), "(BINARY - (IDENT ts) (INTERVAL '1' MICROSECOND))");
    CHECK_EQ_STR(time_unit_name(TU_MINUTE), "MINUTE");
    CHECK_EQ_STR(time_unit_name(TU_NONE), "NONE");
}

TEST(names)
{
    CHECK_EQ_STR(dump_expr("a"), "(IDENT a)");
    CHECK_EQ_STR(dump_expr("t.a"), "(IDENT t.a)");
    CHECK_EQ_STR(dump_expr("cat.db.t.a"), "(IDENT cat.db.t.a)");
    CHECK_EQ_STR(dump_expr("`weird name`.`x``y`"), "(IDENT `weird name`.`x``y`)");
    CHECK_EQ_STR(dump_expr("MyCol"), "(IDENT MyCol)");
    CHECK_EQ_STR(dump_expr("t.`select`"), "(IDENT t.select)");
    CHECK_EQ_STR(dump_expr("t.from"), "(IDENT t.from)");     /* after '.' any word is a name */
}

TEST(keywords_as_names)
{
    CHECK_EQ_STR(dump_sql("CREATE TABLE t (timestamp BIGINT, date STRING, type STRING, comment STRING, value DOUBLE,"
                          " count INT, user STRING, year INT, pt TIMESTAMP(3), rank INT, result STRING, data STRING,"
                          " time STRING, key STRING, window_start TIMESTAMP(3), hour INT, interval INT)"),
                 "(CREATE_TABLE t (COLUMN timestamp BIGINT) (COLUMN date STRING) (COLUMN type STRING)"
                 " (COLUMN comment STRING) (COLUMN value DOUBLE) (COLUMN count INT) (COLUMN user STRING)"
                 " (COLUMN year INT) (COLUMN pt TIMESTAMP(3)) (COLUMN rank INT) (COLUMN result STRING)"
                 " (COLUMN data STRING) (COLUMN time STRING) (COLUMN key STRING) (COLUMN window_start TIMESTAMP(3))"
                 " (COLUMN hour INT) (COLUMN interval INT))");
    CHECK_EQ_STR(dump_sql("SELECT timestamp, date, type, comment, value, count, user, year, time, data.x, rank,"
                          " interval, current FROM data"),
                 "(QUERY_STMT (SELECT (SELECT_ITEM (IDENT timestamp)) (SELECT_ITEM (IDENT date)) (SELECT_ITEM (IDENT type))"
                 " (SELECT_ITEM (IDENT comment)) (SELECT_ITEM (IDENT value)) (SELECT_ITEM (IDENT count))"
                 " (SELECT_ITEM (IDENT user)) (SELECT_ITEM (IDENT year)) (SELECT_ITEM (IDENT time))"
                 " (SELECT_ITEM (IDENT data.x)) (SELECT_ITEM (IDENT rank)) (SELECT_ITEM (IDENT interval))"
                 " (SELECT_ITEM (IDENT current)) (FROM (TABLE_REF data))))");
    CHECK_EQ_STR(dump_sql("SELECT a AS value, b count, c AS user, d AS `from` FROM t user"),
                 "(QUERY_STMT (SELECT (SELECT_ITEM (IDENT a) AS value) (SELECT_ITEM (IDENT b) AS count)"
                 " (SELECT_ITEM (IDENT c) AS user) (SELECT_ITEM (IDENT d) AS from) (FROM (TABLE_REF t AS user))))");
    /* keywords as function names */
    CHECK_EQ_STR(dump_expr("LEFT(s, 2) || RIGHT(s, 1)"),
                 "(BINARY || (CALL LEFT (IDENT s) (LITERAL 2)) (CALL RIGHT (IDENT s) (LITERAL 1)))");
    CHECK_EQ_STR(dump_expr("IF(a IS NULL, '1', '0')"),
                 "(CALL IF (IS NULL (IDENT a)) (LITERAL '1') (LITERAL '0'))");
    CHECK_EQ_STR(dump_expr("YEAR(d) + MONTH(d) + HOUR(ts) + MINUTE(ts) + SECOND(ts) + DAYOFMONTH(d)"),
                 "(BINARY + (BINARY + (BINARY + (BINARY + (BINARY + (CALL YEAR (IDENT d)) (CALL MONTH (IDENT d)))"
                 " (CALL HOUR (IDENT ts))) (CALL MINUTE (IDENT ts))) (CALL SECOND (IDENT ts))) (CALL DAYOFMONTH (IDENT d)))");
    CHECK_EQ_STR(dump_expr("TIMESTAMP(x)"), "(CALL TIMESTAMP (IDENT x))");
    CHECK_EQ_STR(dump_expr("DATE(x)"), "(CALL DATE (IDENT x))");
}

TEST(calls)
{
    CHECK_EQ_STR(dump_expr("COUNT(*)"), "(CALL COUNT *)");
    CHECK_EQ_STR(dump_expr("count(distinct data.user_device_mac)"), "(CALL count DISTINCT (IDENT data.user_device_mac))");
    CHECK_EQ_STR(dump_expr("SUM(ALL x)"), "(CALL SUM (IDENT x))");
    CHECK_EQ_STR(dump_expr("PROCTIME()"), "(CALL PROCTIME)");
    CHECK_EQ_STR(dump_expr("NOW()"), "(CALL NOW)");
    CHECK_EQ_STR(dump_expr("f(1, 'a', g(x))"), "(CALL f (LITERAL 1) (LITERAL 'a') (CALL g (IDENT x)))");
    CHECK_EQ_STR(dump_expr("SUM(x) FILTER (WHERE x > 0)"),
                 "(CALL SUM (IDENT x) (FILTER (BINARY > (IDENT x) (LITERAL 0))))");
    CHECK_EQ_STR(dump_expr("COUNT(*) FILTER (WHERE a)"), "(CALL COUNT * (FILTER (IDENT a)))");
    CHECK_EQ_STR(dump_expr("CURRENT_TIMESTAMP"), "(CALL CURRENT_TIMESTAMP)");
    CHECK_EQ_STR(dump_expr("localtimestamp"), "(CALL localtimestamp)");
    CHECK_EQ_STR(dump_expr("CURRENT_DATE"), "(CALL CURRENT_DATE)");
    CHECK_EQ_STR(dump_expr("CURRENT_TIME"), "(CALL CURRENT_TIME)");
    CHECK_EQ_STR(dump_expr("LOCALTIME"), "(CALL LOCALTIME)");
    CHECK_EQ_STR(dump_expr("CURRENT_TIMESTAMP()"), "(CALL CURRENT_TIMESTAMP)");
    CHECK_EQ_STR(dump_expr("`my fn`(1)"), "(CALL `my fn` (LITERAL 1))");
    ast_t *c = parse_expr_node("f(a,\n   b)");
    CHECK(c && c->kind == AST_CALL && c->list.len == 2);
    CHECK(c && c->span.line == 1 && c->span.col == 8 && c->span.len == 10);
    CHECK(c && c->list.items[1]->span.line == 2 && c->list.items[1]->span.col == 4);
}

TEST(over)
{
    CHECK_EQ_STR(dump_expr("ROW_NUMBER() OVER (PARTITION BY a, b ORDER BY c DESC)"),
                 "(CALL ROW_NUMBER (OVER (WINDOW_SPEC (PARTITION_BY (IDENT a) (IDENT b)) (ORDER_BY (ORDER_ITEM (IDENT c) DESC)))))");
    CHECK_EQ_STR(dump_expr("row_number() over(partition by order_id order by order_time desc )"),
                 "(CALL row_number (OVER (WINDOW_SPEC (PARTITION_BY (IDENT order_id)) (ORDER_BY (ORDER_ITEM (IDENT order_time) DESC)))))");
    CHECK_EQ_STR(dump_expr("SUM(x) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"),
                 "(CALL SUM (IDENT x) (OVER (WINDOW_SPEC (PARTITION_BY (IDENT k)) (ORDER_BY (ORDER_ITEM (IDENT ts)))"
                 " (ROWS UNBOUNDED PRECEDING))))");
    CHECK_EQ_STR(dump_expr("SUM(x) OVER (ORDER BY ts ROWS BETWEEN 5 PRECEDING AND CURRENT ROW)"),
                 "(CALL SUM (IDENT x) (OVER (WINDOW_SPEC (ORDER_BY (ORDER_ITEM (IDENT ts))) (ROWS (LITERAL 5) PRECEDING))))");
    CHECK_EQ_STR(dump_expr("AVG(x) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW)"),
                 "(CALL AVG (IDENT x) (OVER (WINDOW_SPEC (ORDER_BY (ORDER_ITEM (IDENT ts))) (RANGE (INTERVAL '1' HOUR) PRECEDING))))");
    CHECK_EQ_STR(dump_expr("MAX(x) OVER (ORDER BY ts RANGE UNBOUNDED PRECEDING)"),
                 "(CALL MAX (IDENT x) (OVER (WINDOW_SPEC (ORDER_BY (ORDER_ITEM (IDENT ts))) (RANGE UNBOUNDED PRECEDING))))");
    CHECK_EQ_STR(dump_expr("COUNT(*) OVER ()"), "(CALL COUNT * (OVER (WINDOW_SPEC)))");
    ast_t *c = parse_expr_node("SUM(x) OVER (ORDER BY ts)");
    CHECK(c && c->over && c->over->frame_rows == -1 && c->over->frame_start == NULL);
    CHECK(c && c->over->list2.items[0]->nulls_first == -1);
    CHECK(c && c->span.len == 25);
}

TEST(case_cast_special_forms)
{
    CHECK_EQ_STR(dump_expr("CASE WHEN a = 1 THEN 'x' WHEN a = 2 THEN 'y' ELSE 'z' END"),
                 "(CASE (WHEN (BINARY = (IDENT a) (LITERAL 1)) (LITERAL 'x')) (WHEN (BINARY = (IDENT a) (LITERAL 2))"
                 " (LITERAL 'y')) (ELSE (LITERAL 'z')))");
    CHECK_EQ_STR(dump_expr("CASE a WHEN 1 THEN 'x' END"), "(CASE (IDENT a) (WHEN (LITERAL 1) (LITERAL 'x')))");
    CHECK_EQ_STR(dump_expr("CAST(a AS BIGINT)"), "(CAST (IDENT a) BIGINT)");
    CHECK_EQ_STR(dump_expr("cast (a as varchar)"), "(CAST (IDENT a) STRING)");
    CHECK_EQ_STR(dump_expr("TRY_CAST(a AS INT)"), "(TRY_CAST (IDENT a) INT)");
    CHECK_EQ_STR(dump_expr("FLOOR(ts TO HOUR)"), "(TIME_UNIT_CALL FLOOR HOUR (IDENT ts))");
    CHECK_EQ_STR(dump_expr("CEIL(ts TO DAY)"), "(TIME_UNIT_CALL CEIL DAY (IDENT ts))");
    CHECK_EQ_STR(dump_expr("ceiling(ts TO MINUTE)"), "(TIME_UNIT_CALL CEIL MINUTE (IDENT ts))");
    CHECK_EQ_STR(dump_expr("FLOOR(x)"), "(CALL FLOOR (IDENT x))");
    CHECK_EQ_STR(dump_expr("CEIL(x / 2)"), "(CALL CEIL (BINARY / (IDENT x) (LITERAL 2)))");
    CHECK_EQ_STR(dump_expr("EXTRACT(YEAR FROM d)"), "(TIME_UNIT_CALL EXTRACT YEAR (IDENT d))");
    CHECK_EQ_STR(dump_expr("DESCRIPTOR(ts)"), "(DESCRIPTOR ts)");
    CHECK_EQ_STR(dump_expr("(a)"), "(IDENT a)");
    ast_t *c = parse_expr_node("TRY_CAST(a AS INT)");
    CHECK(c && c->safe == 1);
}

TEST(predicates)
{
    CHECK_EQ_STR(dump_expr("a IS NULL"), "(IS NULL (IDENT a))");
    CHECK_EQ_STR(dump_expr("a IS NOT NULL"), "(IS NOT NULL (IDENT a))");
    CHECK_EQ_STR(dump_expr("a IS TRUE"), "(IS TRUE (IDENT a))");
    CHECK_EQ_STR(dump_expr("a IS NOT FALSE"), "(IS NOT FALSE (IDENT a))");
    CHECK_EQ_STR(dump_expr("a IS UNKNOWN"), "(IS NULL (IDENT a))");
    CHECK_EQ_STR(dump_expr("a IN (1, 2, 3)"), "(IN (IDENT a) (LITERAL 1) (LITERAL 2) (LITERAL 3))");
    CHECK_EQ_STR(dump_expr("a NOT IN ('x')"), "(IN NOT (IDENT a) (LITERAL 'x'))");
    CHECK_EQ_STR(dump_expr("a BETWEEN 1 AND 10"), "(BETWEEN (IDENT a) (LITERAL 1) (LITERAL 10))");
    CHECK_EQ_STR(dump_expr("a NOT BETWEEN 1 AND 10"), "(BETWEEN NOT (IDENT a) (LITERAL 1) (LITERAL 10))");
    CHECK_EQ_STR(dump_expr("s LIKE 'a%'"), "(LIKE (IDENT s) (LITERAL 'a%'))");
    CHECK_EQ_STR(dump_expr("s NOT LIKE 'a!%' ESCAPE '!'"), "(LIKE NOT (IDENT s) (LITERAL 'a!%') (LITERAL '!'))");
    ast_t *e = parse_expr_node("a NOT IN (1)");
    CHECK(e && e->negated == 1 && e->list.len == 1 && e->span.col == 8 && e->span.len == 12);
}

/* ------------------------------------------------------------------ seed documents */

/* Every CREATE / INSERT statement of shared/seeds/000 (Alibaba Blink, shopping-mall WiFi
 * probes), 002 (Blink, insurance app) and 004 (Huawei DLI), cut out of the prose around
 * them, with the documents' literal "..." (elided options) removed. Duplicates dropped. */
static const char *const seed000_statements[] = {
    "CREATE TABLE user_wifidata (\n"
    "id varchar,\n"
    "shop_code varchar, --商店编码\n"
    "ap_ip varchar, --WIFI的ip地址\n"
    "occur_time varchar, --记录时间\n"
    "user_device_mac varchar, --终端mac地址\n"
    "rssi varchar, --接收信号强度\n"
    "ap_mac varchar, --WIFI的MAC地址\n"
    "pt varchar, --pt\n"
    "ts_occur_time AS TO_TIMESTAMP(cast(cast(occur_time as bigint)*1000 as bigint)),\n"
    "WATERMARK FOR ts_occur_time AS withOffset(ts_occur_time, 60000)\n"
    ") WITH (\n"
    "type = 'datahub'\n"
    ");\n",
    "CREATE TABLE trading_area_daily_people (\n"
    "count_date varchar, --日期\n"
    "people_sum bigint, --客流量\n"
    "primary key (count_date)\n"
    ") WITH (\n"
    "type='rds'\n"
    ");\n",
    "INSERT into trading_area_daily_people\n"
    "select\n"
    "DATE_FORMAT(data.ts_occur_time,'yyyy-MM-dd') count_date,\n"
    "count(distinct data.user_device_mac)\n"
    "from\n"
    "user_wifidata data\n"
    "group by DATE_FORMAT(data.ts_occur_time,'yyyy-MM-dd')\n"
    ";\n",
    "CREATE TABLE shop_area_daily_people (\n"
    "count_date varchar, --日期\n"
    "shop_name varchar, --商店名\n"
    "people_sum bigint, --客流量\n"
    "primary key (count_date)\n"
    ") WITH (\n"
    "type='rds'\n"
    ");\n",
    "CREATE TABLE area_shop (\n"
    "id bigint,\n"
    "shop_code varchar, --商店编码\n"
    "shop_name varchar, --商店名\n"
    "PRIMARY KEY (shop_code),\n"
    "PERIOD FOR SYSTEM_TIME\n"
    ") WITH (\n"
    "type='rds'\n"
    ");\n",
    "INSERT into shop_area_daily_people\n"
    "select\n"
    "DATE_FORMAT(data.ts_occur_time,'yyyy-MM-dd') count_date,\n"
    "mas.shop_name,\n"
    "count(distinct data.user_device_mac)\n"
    "from\n"
    "user_wifidata data\n"
    "left outer join area_shop FOR SYSTEM_TIME AS OF PROCTIME() mas\n"
    "on data.shop_code=mas.shop_code\n"
    "group by DATE_FORMAT(data.ts_occur_time,'yyyy-MM-dd'),mas.shop_name\n"
    ";\n",
    "CREATE TABLE area_customer_info_allday (\n"
    "user_device_mac varchar, --终端mac地址\n"
    "come_time varchar, --到来的时间\n"
    "ap_mac varchar, --WIFI的MAC地址\n"
    "occur_time varchar, --记录时间\n"
    "used_x bigint, --顾客的经度\n"
    "used_y bigint, --顾客的维度\n"
    "first_come_flag varchar, --是否是第一次\n"
    "rssi varchar, --接收信号强度\n"
    "save_time varchar, --时间\n"
    "pt varchar, --pt\n"
    "PRIMARY KEY (user_device_mac)\n"
    ") WITH (\n"
    "type='ots'\n"
    ");\n",
    "CREATE TABLE place_info (\n"
    "user_device_mac varchar, --终端mac地址\n"
    "used_x bigint, --顾客的经度\n"
    "used_y bigint, --顾客的维度\n"
    "min_rssi bigint, --最小的接收信号强度\n"
    "PRIMARY KEY (user_device_mac),\n"
    "PERIOD FOR SYSTEM_TIME\n"
    ") WITH (\n"
    "type='rds'\n"
    ");\n",
    "CREATE view record_sec\n"
    "(\n"
    "user_device_mac ,\n"
    "come_time ,\n"
    "ap_mac ,\n"
    "occur_time ,\n"
    "user_loca_x ,\n"
    "user_loca_y ,\n"
    "first_come_flag ,\n"
    "rssi ,\n"
    "save_time ,\n"
    "shop_code ,\n"
    "pt\n"
    ") as\n"
    "select data.user_device_mac ,\n"
    "DATE_FORMAT(TUMBLE_START(data.ts_occur_time, INTERVAL '1' SECOND),'yyyy-MM-dd HH:mm:ss') ,\n"
    "data.ap_mac,\n"
    "data.occur_time,\n"
    "'',\n"
    "'',\n"
    "'',\n"
    "min(data.rssi),\n"
    "FROM_UNIXTIME(unix_timestamp()),\n"
    "grd.shop_code,\n"
    "max(data.pt)\n"
    "from\n"
    "user_wifidata data\n"
    "GROUP BY TUMBLE(ts_occur_time, INTERVAL '1' SECOND),ap_mac,user_device_mac,shop_code,occur_time\n"
    ";\n",
    "CREATE view view1 as\n"
    "select\n"
    "a0.user_device_mac,\n"
    "a0.come_time,\n"
    "a0.ap_mac,\n"
    "a0.occur_time,\n"
    "mai.used_x ,\n"
    "mai.used_y ,\n"
    "a0.first_come_flag,\n"
    "a0.rssi,\n"
    "a0.save_time,\n"
    "a0.pt\n"
    "from\n"
    "record_sec a0\n"
    "left OUTER join place_info FOR SYSTEM_TIME AS OF PROCTIME() mai\n"
    "on mai.user_device_mac=a0.user_device_mac;\n",
    "INSERT into area_customer_info_allday\n"
    "select *\n"
    "from view1 ;\n",
    "CREATE TABLE customer_info_people_sum (\n"
    "people_sum bigint, --新增顾客人数\n"
    "come_time varchar, --日期\n"
    "PRIMARY KEY (come_time)\n"
    ") WITH (\n"
    "type='rds'\n"
    ");\n",
    "CREATE TABLE shop_user_record_update (\n"
    "user_device_mac varchar, --终端mac地址\n"
    "first_come_flag varchar , --是否是第一次来\n"
    "first_coming_time varchar, --进店时间\n"
    "last_coming_time varchar , --离开时间\n"
    "PRIMARY KEY (user_device_mac),\n"
    "PERIOD FOR SYSTEM_TIME\n"
    ") WITH (\n"
    "type='ots',\n"
    "tableName='shop_user_record'\n"
    ");\n",
    "CREATE TABLE shop_user_record (\n"
    "user_device_mac varchar, --终端mac地址\n"
    "first_come_flag varchar, --是否是第一次来\n"
    "first_coming_time varchar, --进店时间\n"
    "last_coming_time varchar, --离开时间\n"
    "PRIMARY KEY (user_device_mac),\n"
    "PERIOD FOR SYSTEM_TIME\n"
    ") WITH (\n"
    "type='ots',\n"
    "tableName='shop_user_record'\n"
    ");\n",
    "CREATE view record_sec\n"
    "(\n"
    "user_device_mac,\n"
    "come_time ,\n"
    "ap_mac ,\n"
    "occur_time ,\n"
    "user_loca_x ,\n"
    "user_loca_y ,\n"
    "first_come_flag,\n"
    "rssi ,\n"
    "save_time ,\n"
    "shop_code ,\n"
    "pt\n"
    ") as\n"
    "select data.user_device_mac ,\n"
    "DATE_FORMAT(TUMBLE_START(data.ts_occur_time, INTERVAL '1' SECOND),'yyyy-MM-dd HH:mm:ss') ,\n"
    "data.ap_mac,\n"
    "data.occur_time,\n"
    "'',\n"
    "'',\n"
    "'',\n"
    "min(data.rssi),\n"
    "FROM_UNIXTIME(unix_timestamp()),\n"
    "grd.shop_code,\n"
    "max(data.pt)\n"
    "from\n"
    "user_wifidata data\n"
    "GROUP BY TUMBLE(ts_occur_time, INTERVAL '1' SECOND),ap_mac,user_device_mac,shop_code,occur_time\n"
    ";\n",
    "CREATE view view1 as\n"
    "select\n"
    "a0.user_device_mac,\n"
    "a0.come_time,\n"
    "a0.ap_mac,\n"
    "a0.occur_time,\n"
    "mai.used_x ,\n"
    "mai.used_y ,\n"
    "a0.first_come_flag,\n"
    "a0.rssi,\n"
    "a0.save_time,\n"
    "a0.pt\n"
    "from\n"
    "record_sec a0\n"
    "left OUTER join place_infomst_buynoplace_infow_ap_info FOR SYSTEM_TIME AS OF PROCTIME() mai\n"
    "on mai.user_device_mac=a0.user_device_mac;\n",
    "CREATE view view2 as\n"
    "select\n"
    "a1.user_device_mac,\n"
    "a1.come_time,\n"
    "a1.ap_mac,\n"
    "a1.occur_time,\n"
    "cast(a1.used_x as varchar) as used_x,\n"
    "cast(a1.used_y as varchar) as used_y,\n"
    "mci.first_come_flag as first_come_flag,\n"
    "a1.rssi,\n"
    "a1.save_time,\n"
    "a1.pt,\n"
    "mci.first_coming_time,\n"
    "mci.last_coming_time\n"
    "from\n"
    "view1 a1\n"
    "left OUTER join shop_user_record FOR SYSTEM_TIME AS OF PROCTIME() mci\n"
    "on mci.user_device_mac = a1.user_device_mac ;\n",
    "CREATE view record_out as\n"
    "select\n"
    "a2.user_device_mac as user_device_mac,\n"
    "a2.come_time as come_time,\n"
    "a2.occur_time as occur_time,\n"
    "a2.ap_mac as ap_mac,\n"
    "a2.used_x as used_x,\n"
    "a2.used_y as used_y,\n"
    "if(a2.first_come_flag is null ,'1','0') as first_come_flag,--first_come_flag,\n"
    "a2.rssi as rssi,\n"
    "a2.save_time as save_time,\n"
    "a2.pt as pt,\n"
    "a2.first_coming_time as first_coming_time,\n"
    "a2.last_coming_time as last_coming_time\n"
    "from\n"
    "view2 a2 ;\n",
    "INSERT into shop_user_record_update\n"
    "select user_device_mac , first_come_flag,first_coming_time, last_coming_time\n"
    "from record_out ;\n",
    "insert into customer_info_people_sum\n"
    "select t1.people_sum,t1.come_time\n"
    "from (select count(distinct dt1.user_device_mac) as people_sum, DATE_FORMAT(dt1.come_time,'yyyy-MM-dd') as come_time\n"
    "from record_out dt1 where dt1.first_come_flag='1'\n"
    "group by DATE_FORMAT(dt1.come_time,'yyyy-MM-dd')) t1\n",
    "CREATE TABLE top5_shop (\n"
    "shop_code varchar, --商店编码\n"
    "shop_name varchar, --商店名\n"
    "date_time varchar, --记录顾客进入商店的时间(天维度)\n"
    "people_sum bigint, --顾客数量\n"
    "PRIMARY KEY (shop_code)\n"
    ") WITH (\n"
    "type='rds'\n"
    ");\n",
    "CREATE VIEW Window1 AS\n"
    "SELECT shop_code,\n"
    "DATE_FORMAT(data.ts_occur_time,'yyyy-MM-dd') AS date_time,\n"
    "count(distinct user_device_mac) AS people_sum\n"
    "FROM user_wifidata data\n"
    "GROUP BY shop_code, DATE_FORMAT(data.ts_occur_time,'yyyy-MM-dd');\n",
    "CREATE VIEW top5_view AS\n"
    "SELECT shop_code, date_time, people_sum, rownum FROM\n"
    "(\n"
    "SELECT\n"
    "shop_code, date_time, people_sum,\n"
    "ROW_NUMBER() OVER (PARTITION BY shop_code,date_time ORDER BY people_sum DESC) as rownum\n"
    "FROM\n"
    "Window1\n"
    ")\n"
    "WHERE rownum <= 5;\n",
    "INSERT into top5_shop\n"
    "select\n"
    "top5.shop_code ,\n"
    "mas.shop_name ,\n"
    "top5.date_time ,\n"
    "top5.people_sum\n"
    "from\n"
    "top5_view top5\n"
    "inner join area_shop FOR SYSTEM_TIME AS OF PROCTIME() mas\n"
    "on top5.shop_code=mas.shop_code\n",
    "CREATE TABLE top1_time (\n"
    "start_time timestamp, --时间段\n"
    "people_sum bigint , --顾客数量\n"
    "PRIMARY KEY (start_time)\n"
    ") WITH (\n"
    "type='rds'\n"
    ");\n",
    "CREATE VIEW Window1 AS\n"
    "SELECT shop_code,\n"
    "TUMBLE_START(ts_occur_time, INTERVAL '1' hour) AS start_time,\n"
    "count(distinct user_device_mac) AS people_sum\n"
    "FROM user_wifidata\n"
    "GROUP BY shop_code, TUMBLE(ts_occur_time, INTERVAL '1' hour);\n",
    "INSERT into top1_time\n"
    "SELECT start_time, people_sum FROM\n"
    "(\n"
    "SELECT\n"
    "start_time, people_sum,\n"
    "ROW_NUMBER() OVER (PARTITION BY start_time ORDER BY people_sum DESC) as rownum\n"
    "FROM\n"
    "Window1\n"
    ")\n"
    "WHERE rownum <= 1;\n",
    "CREATE TABLE favorite_shop (\n"
    "user_device_mac varchar, --终端mac地址\n"
    "date_time varchar, --记录顾客进入商店的时间(天维度)\n"
    "shop_code varchar, --商店编码\n"
    "shop_name varchar, --商店名\n"
    "shop_number bigint , --进店次数\n"
    "PRIMARY KEY (shop_code)\n"
    ") WITH (\n"
    "type='rds'\n"
    ");\n",
    "CREATE VIEW Window1 AS\n"
    "SELECT user_device_mac,\n"
    "shop_code,\n"
    "DATE_FORMAT(data.ts_occur_time,'yyyy-MM-dd') AS date_time,\n"
    "count(shop_code) AS shop_number\n"
    "FROM user_wifidata data\n"
    "GROUP BY user_device_mac,shop_code, DATE_FORMAT(data.ts_occur_time,'yyyy-MM-dd');\n",
    "CREATE VIEW top1_view AS\n"
    "SELECT user_device_mac,shop_code, date_time, shop_number, rownum FROM\n"
    "(\n"
    "SELECT\n"
    "user_device_mac,shop_code, date_time, shop_number,\n"
    "ROW_NUMBER() OVER (PARTITION BY user_device_mac,shop_code,date_time ORDER BY shop_number DESC) as rownum\n"
    "FROM\n"
    "Window1\n"
    ")\n"
    "WHERE rownum <= 1;\n",
    "INSERT into favorite_shop\n"
    "select\n"
    "top1.user_device_mac,\n"
    "top1.date_time ,\n"
    "top1.shop_code ,\n"
    "mas.shop_name ,\n"
    "top1.shop_number\n"
    "from\n"
    "top1_view top1\n"
    "inner join area_shop FOR SYSTEM_TIME AS OF PROCTIME() mas\n"
    "on top1.shop_code=mas.shop_code\n",
    "CREATE TABLE morethanonce_shop (\n"
    "user_device_mac varchar, --终端mac地址\n"
    "date_time varchar, --记录顾客进入商店的时间(天维度)\n"
    "shop_code varchar, --商店编码\n"
    "shop_name varchar, --商店名\n"
    "shop_number bigint, --进店次数\n"
    "PRIMARY KEY (user_device_mac)\n"
    ") WITH (\n"
    "type='rds'\n"
    ");\n",
    "CREATE VIEW Window1 AS\n"
    "SELECT user_device_mac,\n"
    "shop_code,\n"
    "DATE_FORMAT(data.ts_occur_time,'yyyy-MM-dd')AS date_time,\n"
    "count(shop_code) AS shop_number\n"
    "FROM user_wifidata data\n"
    "GROUP BY user_device_mac,shop_code, DATE_FORMAT(data.ts_occur_time,'yyyy-MM-dd');\n",
    "CREATE VIEW exceed2_view AS\n"
    "SELECT user_device_mac,shop_code, date_time, shop_number FROM\n"
    "Window1\n"
    "WHERE shop_number >= 2;\n",
    "INSERT into morethanonce_shop\n"
    "select\n"
    "exceed2.user_device_mac,\n"
    "exceed2.date_time ,\n"
    "exceed2.shop_code ,\n"
    "mas.shop_name ,\n"
    "exceed2.shop_number\n"
    "from\n"
    "exceed2_view exceed2\n"
    "inner join area_shop FOR SYSTEM_TIME AS OF PROCTIME() mas\n"
    "on exceed2.shop_code=mas.shop_code\n",
};

static const char *const seed002_statements[] = {
    "CREATE TABLE user_order\n"
    "(\n"
    "id bigint comment '用戶id'\n"
    ",order_no varchar comment '訂單號'\n"
    ",order_type bigint comment '訂單類型'\n"
    ",pay_time bigint comment '支付時間'\n"
    ",order_price double comment '訂單價格'\n"
    ",customer_name varchar comment '用戶姓名'\n"
    ",customer_tel varchar comment '用戶電話'\n"
    ",certificate_no varchar comment '證件號碼'\n"
    ",gmt_created bigint comment '創建時間'\n"
    ",gmt_modified bigint comment '修改時間'\n"
    ",account_payble double comment '應付金額'\n"
    ") WITH (\n"
    "type='datahub',\n"
    "topic='user_order'\n"
    "\n"
    ")\n",
    "CREATE TABLE hs_order (\n"
    "biz_date varchar COMMENT 'yyyymmddhh'\n"
    ",total_premium DOUBLE COMMENT '總保費'\n"
    ",policy_cnt BIGINT COMMENT '保單數'\n"
    ",policy_holder_cnt BIGINT COMMENT '投保人數'\n"
    ",PRIMARY KEY (biz_date)\n"
    ") WITH\n"
    "(\n"
    "type='rds',\n"
    "tableName='adm_pfm_zy_order_gmv_msx_hs'\n"
    "\n"
    ")\n"
    ";\n",
    "create view last_order\n"
    "as\n"
    "select\n"
    "id as id\n"
    ",last_value(order_no) as order_no\n"
    ",last_value(customer_tel) as customer_tel\n"
    ",last_value(gmt_modified) as gmt_modified\n"
    ",last_value(account_payble) as account_payble\n"
    "from user_order\n"
    "where gmt_modified >= cast(UNIX_TIMESTAMP(FROM_UNIXTIME(UNIX_TIMESTAMP(), 'yyyy-MM-dd'), 'yyyy-MM-dd')*1000 as bigint)\n"
    "group by id\n"
    ";\n",
    "insert into hs_order\n"
    "select\n"
    "biz_date\n"
    ",cast (total_premium as double) as total_premium\n"
    ",cast (policy_cnt as bigint) as policy_cnt\n"
    ",cast (policy_holder_cnt as bigint) as policy_holder_cnt\n"
    "from (\n"
    "select\n"
    "from_unixtime(cast(gmt_modified/1000 as bigint),'yyyyMMddHH') as biz_date\n"
    ",sum(coalesce(account_payble,0)) as total_premium\n"
    ",count(distinct order_no) as policy_cnt\n"
    ",count(distinct customer_tel) as policy_holder_cnt\n"
    "from last_order a\n"
    "group by\n"
    "from_unixtime(cast(gmt_modified/1000 as bigint),'yyyyMMddHH')\n"
    ")a\n"
    ";\n",
    "create table update_info\n"
    "(\n"
    "id bigint comment '用戶id'\n"
    ",channel varchar comment '渠道編號'\n"
    ",open_id varchar comment '訂單id'\n"
    ",event varchar comment '事件類型'\n"
    ",now_premium varchar comment '現投保金額'\n"
    ",creator varchar comment '創建人'\n"
    ",modifier varchar comment '最後修改人'\n"
    ",gmt_modified bigint comment '修改時間'\n"
    ",now_info varchar comment '現投保信息'\n"
    ") with (\n"
    "type = 'datahub',\n"
    "topic = 'dh_prd_dm_account_wechat_trace'\n"
    "\n"
    ");\n",
    "create table raw_info\n"
    "(\n"
    "id bigint comment '用戶id'\n"
    ",raw_premium varchar comment '原投保金額'\n"
    ",raw_info varchar comment '原投保信息'\n"
    ",PRIMARY KEY(id)\n"
    ",PERIOD FOR SYSTEM_TIME\n"
    ") WITH (\n"
    "type='ots',\n"
    "tableName='adm_zy_acct_sub_wechat_list'\n"
    "\n"
    ");\n",
    "create table update_info\n"
    "(\n"
    "id bigint comment '用戶id'\n"
    ",raw_info varchar comment '原投保信息'\n"
    ",now_info varchar comment '現投保信息'\n"
    ",raw_premium varchar comment '原投保金額'\n"
    ",now_premium varchar comment '現投保金額'\n"
    ",PRIMARY KEY(id)\n"
    ") WITH (\n"
    "type='rds',\n"
    "tableName='wechat_activity_user'\n"
    "\n"
    ");\n",
    "create view info_join as\n"
    "select\n"
    "t1.id as id\n"
    ",t2.raw_info as raw_info\n"
    ",t1.now_info as now_info\n"
    ",t2.raw_premium as raw_premium\n"
    ",t1.now_premium as now_premium\n"
    "from update_info t1\n"
    "inner join raw_info FOR SYSTEM_TIME AS OF PROCTIME() as t2\n"
    "on t1.id = t2.id ;\n",
    "insert into update_info\n"
    "select\n"
    "id as id\n"
    ",raw_info as raw_info\n"
    ",now_info as now_info\n"
    ",raw_premium as raw_premium\n"
    ",now_premium as now_premium\n"
    "from info_join where now_premium<raw_premium*0.85\n"
    ";\n",
    "insert into raw_info\n"
    "select\n"
    "id as id\n"
    ",now_premium as raw_premium\n"
    ",now_info as raw_info\n"
    "from info_join\n"
    ";\n",
    "create table user_log\n"
    "(\n"
    "log_time bigint comment '日誌採集日期(Linux時間)'\n"
    ",device_id varchar comment '設備id'\n"
    ",account_id varchar comment '賬戶id'\n"
    ",bury_point_type varchar comment '頁面類型或埋點類型'\n"
    ",page_name varchar comment '頁面名稱或埋點時一級目錄'\n"
    ") WITH (\n"
    "type = 'datahub',\n"
    "topic = 'edw_zy_evt_bury_point_log'\n"
    "\n"
    ");\n",
    "create table user_last_log\n"
    "(\n"
    "account_id varchar comment 'account_id'\n"
    ",device_id varchar comment '設備id'\n"
    ",bury_point_type varchar comment '頁面類型'\n"
    ",page_name varchar comment '頁面名稱'\n"
    ",primary key(account_id)\n"
    ") WITH (\n"
    "type='rds',\n"
    "tableName='adm_zy_moblie_charge_exchg_rs'\n"
    "\n"
    ");\n",
    "insert into user_last_log\n"
    "select\n"
    "account_id\n"
    ",device_id\n"
    ",last_value(bury_point_type) as bury_point_type\n"
    ",last_value(page_name) as page_name\n"
    "from user_log\n"
    "where account_id is not null\n"
    "group by account_id,device_id\n",
};

static const char *const seed004_statements[] = {
    "    create table trade_order_detail (\n"
    "      order_id string,      -- Order ID\n"
    "      order_channel string,   -- Channel\n"
    "      order_time string,      -- Order creation time\n"
    "      pay_amount double,     -- Order amount\n"
    "      real_pay double,     -- Actual payment amount\n"
    "      pay_time string,      -- Payment time\n"
    "      user_id string,      -- User ID\n"
    "      user_name string,      -- Username\n"
    "      area_id string      -- Region ID\n"
    "    ) with (\n"
    "      \"connector.type\" = \"kafka\",\n"
    "      \"connector.version\" = \"0.10\",\n"
    "      \"connector.properties.bootstrap.servers\" = \"xxxx:9092,xxxx:9092,xxxx:9092\", -- Kafka connection address\n"
    "      \"connector.properties.group.id\" = \"trade_order\",   -- Kafka groupID\n"
    "      \"connector.topic\" = \"trade_order_detail_info\",     -- Kafka topic\n"
    "      \"format.type\" = \"json\",\n"
    "      \"connector.startup-mode\" = \"latest-offset\"\n"
    "    );\n",
    "    create table trade_channel_collect(\n"
    "      begin_time string,       --Start time of statistics collection\n"
    "      channel_code string,      -- Channel ID\n"
    "      channel_name string,      -- Channel name\n"
    "      cur_gmv double,         -- GMV\n"
    "      cur_order_user_count bigint, -- Number of payers\n"
    "      cur_order_count bigint,    -- Number of orders paid on the day\n"
    "      last_pay_time string,     -- Latest settlement time\n"
    "      flink_current_time string,\n"
    "      primary key (begin_time, channel_code) not enforced\n"
    "    ) with (\n"
    "      \"connector.type\" = \"jdbc\",\n"
    "      \"connector.url\" = \"jdbc:mysql://xxxx:3306/xxxx\",     -- MySQL connection address, in JDBC format\n"
    "      \"connector.table\" = \"xxxx\",            -- MySQL table name\n"
    "      \"connector.driver\" = \"com.mysql.jdbc.Driver\",\n"
    "      'pwd_auth_name'= 'xxxxx', -- Name of the datasource authentication of the password type created on DLI. If datasource authentication is used, you do not need to set the username and password for the job.\n"
    "      \"connector.write.flush.max-rows\" = \"1000\",\n"
    "      \"connector.write.flush.interval\" = \"1s\"\n"
    "    );\n",
    "    create view tmp_order_detail\n"
    "    as\n"
    "    select *\n"
    "        , case when t.order_channel not in (\"webShop\", \"appShop\", \"miniAppShop\") then \"other\"\n"
    "               else t.order_channel end as channel_code -- Redefine channels. Only four enumeration values are available: webShop, appShop, miniAppShop, and other.\n"
    "        , case when t.order_channel = \"webShop\" then _UTF16\"Website\"\n"
    "               when t.order_channel = \"appShop\" then _UTF16\"Shopping App\"\n"
    "               when t.order_channel = \"miniAppShop\" then _UTF16\" Miniprogram\"\n"
    "               else _UTF16\"Other\" end as channel_name -- Channel name\n"
    "    from (\n"
    "        select *\n"
    "            , row_number() over(partition by order_id order by order_time desc ) as rn -- Remove duplicate order data\n"
    "            , concat(substr(\"2021-03-25 12:03:00\", 1, 10), \" 00:00:00\") as begin_time\n"
    "            , concat(substr(\"2021-03-25 12:03:00\", 1, 10), \" 23:59:59\") as end_time\n"
    "        from trade_order_detail\n"
    "        where pay_time >= concat(substr(\"2021-03-25 12:03:00\", 1, 10), \" 00:00:00\") --Obtain the data of the current day. To accelerate running, 2021-03-25 12:03:00 is used to replace cast(LOCALTIMESTAMP as string).\n"
    "        and real_pay is not null\n"
    "    ) t\n"
    "    where t.rn = 1;\n",
    "    insert into trade_channel_collect\n"
    "    select\n"
    "          begin_time  --Start time of statistics collection\n"
    "        , channel_code\n"
    "        , channel_name\n"
    "        , cast(COALESCE(sum(real_pay), 0) as double) as cur_gmv -- GMV\n"
    "        , count(distinct user_id) as cur_order_user_count -- Number of payers\n"
    "        , count(1) as cur_order_count -- Number of orders paid on the day\n"
    "        , max(pay_time) as last_pay_time -- Settlement time\n"
    "    \t, cast(LOCALTIMESTAMP as string) as flink_current_time -- Current time of the flink task\n"
    "    from tmp_order_detail\n"
    "    where pay_time >= concat(substr(\"2021-03-25 12:03:00\", 1, 10), \" 00:00:00\")\n"
    "    group by begin_time, channel_code, channel_name;\n",
};

static int parse_all(const char *const *stmts, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        ast_list l;
        if (parse(stmts[i], &l) < 0 || l.len != 1) {
            fprintf(stderr, "seed statement %zu does not parse:\n%s\n%s", i, stmts[i], err_text());
            bad++;
        }
    }
    return bad;
}

TEST(seed_blink_wifi)
{
    CHECK_EQ_INT(parse_all(seed000_statements, ARRAY_LEN(seed000_statements)), 0);
    CHECK_EQ_INT(ARRAY_LEN(seed000_statements) >= 30, 1);
    /* the whole job as one file: statements without ';' get one */
    sb_t job = { 0 };
    for (size_t i = 0; i < ARRAY_LEN(seed000_statements); i++) {
        sb_puts(&job, seed000_statements[i]);
        sb_puts(&job, "\n;\n");
    }
    ast_list l;
    CHECK_EQ_INT(parse(sb_str(&job), &l), 0);
    CHECK_EQ_INT(l.len, (int)ARRAY_LEN(seed000_statements));
    sb_free(&job);
}

TEST(seed_blink_wifi_details)
{
    CHECK_EQ_STR(dump_sql(seed000_statements[0]),
                 "(CREATE_TABLE user_wifidata (COLUMN id STRING) (COLUMN shop_code STRING) (COLUMN ap_ip STRING)"
                 " (COLUMN occur_time STRING) (COLUMN user_device_mac STRING) (COLUMN rssi STRING) (COLUMN ap_mac STRING)"
                 " (COLUMN pt STRING) (COLUMN ts_occur_time (AS (CALL TO_TIMESTAMP (CAST (BINARY * (CAST (IDENT occur_time)"
                 " BIGINT) (LITERAL 1000)) BIGINT)))) (WATERMARK (IDENT ts_occur_time) (CALL withOffset (IDENT ts_occur_time)"
                 " (LITERAL 60000))) (WITH (OPTION 'type' 'datahub')))");
    CHECK_EQ_STR(dump_sql("CREATE TABLE t (a varchar) WITH (type='ots', tableName='shop_user_record')"),
                 "(CREATE_TABLE t (COLUMN a STRING) (WITH (OPTION 'type' 'ots') (OPTION 'tableName' 'shop_user_record')))");
    CHECK_EQ_STR(dump_sql("CREATE VIEW top5_view AS\nSELECT shop_code, rownum FROM\n(\nSELECT shop_code,\n"
                          "ROW_NUMBER() OVER (PARTITION BY shop_code,date_time ORDER BY people_sum DESC) as rownum\n"
                          "FROM\nWindow1\n)\nWHERE rownum <= 5;"),
                 "(CREATE_VIEW top5_view (SELECT (SELECT_ITEM (IDENT shop_code)) (SELECT_ITEM (IDENT rownum))"
                 " (FROM (SUBQUERY (SELECT (SELECT_ITEM (IDENT shop_code)) (SELECT_ITEM (CALL ROW_NUMBER (OVER (WINDOW_SPEC"
                 " (PARTITION_BY (IDENT shop_code) (IDENT date_time)) (ORDER_BY (ORDER_ITEM (IDENT people_sum) DESC)))))"
                 " AS rownum) (FROM (TABLE_REF Window1))))) (WHERE (BINARY <= (IDENT rownum) (LITERAL 5)))))");
    CHECK_EQ_STR(dump_expr("DATE_FORMAT(TUMBLE_START(data.ts_occur_time, INTERVAL '1' SECOND),'yyyy-MM-dd HH:mm:ss')"),
                 "(CALL DATE_FORMAT (CALL TUMBLE_START (IDENT data.ts_occur_time) (INTERVAL '1' SECOND))"
                 " (LITERAL 'yyyy-MM-dd HH:mm:ss'))");
}

TEST(seed_blink_insurance)
{
    CHECK_EQ_INT(parse_all(seed002_statements, ARRAY_LEN(seed002_statements)), 0);
    CHECK_EQ_STR(dump_sql("create table raw_info\n(\nid bigint comment '用户id'\n,raw_premium varchar comment '原投保金额'\n"
                          ",PRIMARY KEY(id)\n,PERIOD FOR SYSTEM_TIME\n) WITH (\ntype='ots',\ntableName='x'\n\n);"),
                 "(CREATE_TABLE raw_info (COLUMN id BIGINT (COMMENT '用户id')) (COLUMN raw_premium STRING (COMMENT '原投保金额'))"
                 " (PRIMARY_KEY (IDENT id)) PERIOD_FOR_SYSTEM_TIME (WITH (OPTION 'type' 'ots') (OPTION 'tableName' 'x')))");
}

TEST(seed_dli)
{
    CHECK_EQ_INT(parse_all(seed004_statements, ARRAY_LEN(seed004_statements)), 0);
    CHECK_EQ_INT(ARRAY_LEN(seed004_statements), 4);
    ast_t *t = parse_one(seed004_statements[0]);
    CHECK(t != NULL);
    if (!t) return;
    CHECK_EQ_INT(t->list2.len, 7);
    CHECK_EQ_STR(t->list2.items[0]->text, "connector.type");
    CHECK_EQ_STR(t->list2.items[0]->text2, "kafka");
    CHECK_EQ_STR(t->list2.items[2]->text2, "xxxx:9092,xxxx:9092,xxxx:9092");
    CHECK_EQ_STR(dump_expr("case when t.order_channel = \"webShop\" then _UTF16\"Website\" else _UTF16\"Other\" end"),
                 "(CASE (WHEN (BINARY = (IDENT t.order_channel) (LITERAL 'webShop')) (LITERAL 'Website'))"
                 " (ELSE (LITERAL 'Other')))");
    CHECK_EQ_STR(dump_expr("cast(LOCALTIMESTAMP as string)"), "(CAST (CALL LOCALTIMESTAMP) STRING)");
}

/* ------------------------------------------------------------------ spans */

TEST(spans)
{
    ast_t *st = parse_one("-- job\nINSERT INTO sink\nSELECT a + 1 AS x,\n       `b`\nFROM src s\nWHERE a > 0;");
    CHECK(st != NULL);
    if (!st) return;
    CHECK_EQ_INT(st->span.line, 2);
    CHECK_EQ_INT(st->span.col, 1);
    CHECK_EQ_INT(st->span.len, 69);
    ast_t *sel = st->a;
    CHECK_EQ_INT(sel->span.line, 3);
    CHECK_EQ_INT(sel->span.col, 1);
    ast_t *item0 = sel->list.items[0];
    CHECK_EQ_INT(item0->span.col, 8);
    CHECK_EQ_INT(item0->span.len, 10);
    CHECK_EQ_STR(item0->alias, "x");
    CHECK_EQ_INT(item0->alias_span.line, 3);
    CHECK_EQ_INT(item0->alias_span.col, 17);
    ast_t *plus = item0->a;
    CHECK_EQ_INT(plus->span.col, 8);
    CHECK_EQ_INT(plus->span.len, 5);
    CHECK_EQ_INT(plus->b->span.col, 12);
    ast_t *b = sel->list.items[1]->a;
    CHECK_EQ_STR(b->names[0], "b");
    CHECK_EQ_INT(b->span.line, 4);
    CHECK_EQ_INT(b->span.col, 8);
    CHECK_EQ_INT(b->span.len, 3);
    ast_t *from = sel->a;
    CHECK_EQ_INT(from->span.line, 5);
    CHECK_EQ_INT(from->span.col, 6);
    CHECK_EQ_INT(from->span.len, 5);
    CHECK_EQ_INT(from->alias_span.col, 10);
    ast_t *where = sel->b;
    CHECK_EQ_INT(where->span.line, 6);
    CHECK_EQ_INT(where->span.col, 7);
    CHECK_EQ_INT(where->span.len, 5);
}

TEST(column_spans)
{
    ast_t *t = parse_one("CREATE TABLE t (\n  id BIGINT COMMENT 'k',\n  ts TIMESTAMP(3) METADATA FROM 'timestamp'\n)");
    CHECK(t != NULL);
    if (!t) return;
    ast_t *id = t->list.items[0], *ts = t->list.items[1];
    CHECK_EQ_INT(id->span.line, 2);
    CHECK_EQ_INT(id->span.col, 3);
    CHECK_EQ_INT(id->span.len, 21);
    CHECK_EQ_INT(id->cast_type.span.col, 6);
    CHECK_EQ_INT(id->cast_type.span.len, 6);
    CHECK_EQ_INT(id->text_span.col, 21);
    CHECK_EQ_STR(ts->text2, "timestamp");
    CHECK_EQ_INT(ts->text2_span.line, 3);
    CHECK_EQ_INT(ts->text2_span.col, 33);
    CHECK_EQ_INT(ts->cast_type.span.len, 12);
    CHECK_EQ_INT(t->span.len, (int)strlen(source));
}

/* ------------------------------------------------------------------ errors */

TEST(error_messages)
{
    static const struct { const char *sql, *want; } cases[] = {
        { "SELECT f(a, b FROM t", "t.sql:1:15: error: expected ')' after function arguments, found 'FROM'" },
        { "SELECT 'abc", "t.sql:1:8: error: unterminated string literal" },
        { "SELECT a FROM", "t.sql:1:14: error: unexpected end of input; expected a table name" },
        { "SELECT a +", "t.sql:1:11: error: unexpected end of input; expected an expression" },
        { "CREATE TABLE t (\n  a INT,\n  b FOO\n)", "t.sql:3:5: error: unknown type 'FOO'" },
        { "INSERT t SELECT 1", "t.sql:1:8: error: expected INTO after INSERT, found 't'" },
        { "SELECT a b c FROM t", "t.sql:1:12: error: expected ';' after the statement, found 'c'" },
        { "CREATE TABLE t (a INT) WITH ('k' 'v')", "t.sql:1:34: error: expected '=' after the option key, found string 'v'" },
        { "SELECT CAST(a AS) FROM t", "t.sql:1:17: error: expected a type name, found ')'" },
        { "SELECT a FROM t WHERE a IS 5", "t.sql:1:28: error: expected NULL, TRUE or FALSE after IS, found '5'" },
        { "SELECT CASE WHEN a THEN 1 FROM t", "t.sql:1:27: error: expected END to close the CASE expression, found 'FROM'" },
        { "SELECT a FROM t1 JOIN t2 WHERE x", "t.sql:1:26: error: expected ON after the joined table, found 'WHERE'" },
        { "SELECT /* open", "t.sql:1:8: error: unterminated comment" },
        { "SELECT a # b", "t.sql:1:10: error: unexpected character '#'" },
        { "SELECT a || b | c", "t.sql:1:15: error: unexpected character '|' (the concatenation operator is '||')" },
        { "SELECT EXTRACT(FORTNIGHT FROM d)",
          "t.sql:1:16: error: expected a time unit (YEAR, MONTH, DAY, HOUR, ...) in EXTRACT, found 'FORTNIGHT'" },
        { "SELECT INTERVAL '5' FOO",
          "t.sql:1:21: error: expected a time unit (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND) after the interval value, found 'FOO'" },
        { "DROP TABLE t",
          "t.sql:1:1: error: expected a statement (CREATE TABLE, CREATE VIEW, INSERT INTO, SET or SELECT), found 'DROP'" },
        { "CREATE TABLE t (a DECIMAL(40, 2))", "t.sql:1:27: error: DECIMAL precision must be between 1 and 38, found 40" },
        { "CREATE TABLE t (a DECIMAL(5, 7))", "t.sql:1:27: error: DECIMAL scale 7 is larger than the precision 5" },
        { "SELECT a FROM t GROUP a", "t.sql:1:23: error: expected BY after GROUP, found 'a'" },
        { "CREATE VIEW v AS\nSELECT a,\n  b\nFROM t\nWHERE a = = 1", "t.sql:5:11: error: expected an expression, found '='" },
        { "CREATE TABLE t (a INT PRIMARY KEY, PRIMARY KEY (a))", "t.sql:1:36: error: the table already has a PRIMARY KEY" },
        { "SELECT (SELECT 1)",
          "t.sql:1:9: error: expected an expression (subqueries in expressions are not supported), found 'SELECT'" },
        { "WITH x AS (SELECT 1) SELECT * FROM x",
          "t.sql:1:1: error: WITH (common table expressions) is not supported; use CREATE VIEW" },
        { "SELECT a FROM t NATURAL JOIN u", "t.sql:1:17: error: NATURAL JOIN is not supported; write JOIN ... ON" },
        { "SELECT * FROM t;\nSELECT x FROM", "t.sql:2:14: error: unexpected end of input; expected a table name" },
        { "SELECT `` FROM t", "t.sql:1:8: error: empty quoted identifier" },
        { "SET a b", "t.sql:1:8: error: unexpected end of input; expected '=' after the SET key" },
        { "SELECT SUM(x) OVER w FROM t", "t.sql:1:20: error: named windows (OVER w) are not supported; write OVER (...)" },
        { "SELECT SUM(x) OVER (ORDER BY ts ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM t",
          "t.sql:1:62: error: expected CURRENT ROW (window frames end at the current row), found '1'" },
        { "SELECT a FROM t WHERE a IN (SELECT b FROM u)",
          "t.sql:1:29: error: expected a list of values (subqueries in IN are not supported), found 'SELECT'" },
        { "SELECT t.(a) FROM t", "t.sql:1:10: error: expected a name after '.', found '('" },
        { "SELECT a AS FROM t", "t.sql:1:13: error: expected an alias after AS, found 'FROM'" },
        { "CREATE FUNCTION f AS 'x'", "t.sql:1:8: error: expected TABLE or VIEW after CREATE, found 'FUNCTION'" },
        { "CREATE TABLE t (a INT", "t.sql:1:22: error: unexpected end of input; expected ',' or ')' after the column definition" },
        { "CREATE TABLE t (a TIME)", "t.sql:1:19: error: type TIME is not supported" },
        { "CREATE TABLE t (a TIMESTAMP(12))", "t.sql:1:29: error: TIMESTAMP precision must be between 0 and 9, found 12" },
        { "SELECT 'a very long string that goes on and on and on' 'x'",
          "t.sql:1:56: error: expected ';' after the statement, found string 'x'" },
        { "SELECT 1 x 'a very long string that goes on and on and on'",
          "t.sql:1:12: error: expected ';' after the statement, found string 'a very long string that goes on and on ..." },
        { "SELECT a FROM t WHERE s LIKE 'x' ESCAPE", "t.sql:1:40: error: unexpected end of input; expected an expression" },
        { "SELECT s FROM t, LATERAL TABLE(split(x)) AS T(s)",
          "t.sql:1:18: error: LATERAL TABLE (user-defined table functions) is not supported" },
        { "SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY a)", "t.sql:1:48: error: expected ORDER BY in MATCH_RECOGNIZE, found ')'" },
        { "SELECT * FROM TABLE(42)", "t.sql:1:21: error: expected a table function call such as TUMBLE(...) inside TABLE(...), found '42'" },
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) CHECK_EQ_STR(error_of(cases[i].sql), cases[i].want);
}

TEST(error_rendering)
{
    CHECK_EQ_STR(error_of("SELECT a,\n  f(x FROM t"), "t.sql:2:7: error: expected ')' after function arguments, found 'FROM'");
    CHECK_EQ_STR(err_text(), "t.sql:2:7: error: expected ')' after function arguments, found 'FROM'\n"
                             "    f(x FROM t\n"
                             "        ^~~~\n");
    CHECK_EQ_STR(err_message(), "expected ')' after function arguments, found 'FROM'");
}

/* ------------------------------------------------------------------ limits */

static char *repeat3(const char *head, const char *unit, int n, const char *mid, const char *tail_unit, const char *tail)
{
    sb_t b = { 0 };
    sb_puts(&b, head);
    for (int i = 0; i < n; i++) sb_puts(&b, unit);
    sb_puts(&b, mid);
    for (int i = 0; i < n; i++) sb_puts(&b, tail_unit);
    sb_puts(&b, tail);
    return sb_take(&b);
}

static int nested_ok(const char *head, const char *unit, int n, const char *mid, const char *tail_unit)
{
    char *sql = repeat3(head, unit, n, mid, tail_unit, "");
    ast_list l;
    int r = parse(sql, &l);
    free(sql);
    return r;
}

TEST(nesting_limits)
{
    CHECK_EQ_INT(nested_ok("SELECT ", "(", 300, "1", ")"), 0);
    CHECK_EQ_INT(nested_ok("SELECT ", "(", 5000, "1", ")"), -1);
    CHECK_EQ_STR(err_message(), "expression nested too deeply (more than 1000 levels)");
    CHECK_EQ_INT(nested_ok("SELECT ", "- ", 100000, "1", ""), -1);
    CHECK_EQ_STR(err_message(), "expression nested too deeply (more than 1000 levels)");
    CHECK_EQ_INT(nested_ok("SELECT ", "NOT ", 5000, "a", ""), -1);
    CHECK_EQ_INT(nested_ok("SELECT ", "f(", 5000, "1", ")"), -1);
    CHECK_EQ_INT(nested_ok("SELECT ", "CASE WHEN ", 5000, "1", " THEN 1 END"), -1);
    CHECK_EQ_INT(nested_ok("", "SELECT * FROM (", 5000, "SELECT 1", ")"), -1);
    CHECK_EQ_INT(nested_ok("", "SELECT * FROM (", 100, "SELECT 1", ")"), 0);
    CHECK_EQ_INT(nested_ok("SELECT 1", " + 1", 500, "", ""), 0);
    CHECK_EQ_INT(nested_ok("SELECT 1", " || 1", 5000, "", ""), -1);      /* trees this deep are refused too */
    CHECK_EQ_INT(nested_ok("SELECT 1", " UNION ALL SELECT 1", 5000, "", ""), -1);
    CHECK_EQ_INT(nested_ok("SELECT 1 FROM a", " JOIN a ON TRUE", 5000, "", ""), -1);
    CHECK_EQ_INT(nested_ok("SELECT 1", " = 1", 5000, "", ""), -1);
    CHECK_EQ_INT(nested_ok("SELECT ", "a IN (", 5000, "1", ")"), -1);
    CHECK_EQ_INT(nested_ok("SELECT ", "CAST(", 5000, "1", " AS INT)"), -1);
}

/* ------------------------------------------------------------------ fuzzer finds */

TEST(fuzz_regressions)
{
    /* a number at the very end of the input: the exponent check read past the NUL */
    static const char *const ok[] = { "SELECT 1", "SELECT 1.", "SELECT 1e", "SELECT 1e+", "SELECT .5" };
    for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
        ast_list l;
        int r = parse(ok[i], &l);
        CHECK(r == 0 || err_pending());
    }
    CHECK_EQ_STR(dump_sql("SELECT 1e"), "(QUERY_STMT (SELECT (SELECT_ITEM (LITERAL 1) AS e)))");
}

/* ------------------------------------------------------------------ MATCH_RECOGNIZE */

/* The MATCH_RECOGNIZE node of "SELECT * FROM <from>". */
static ast_t *match_node(const char *from)
{
    static sb_t sql;
    sb_clear(&sql);
    sb_printf(&sql, "SELECT * FROM %s", from);
    ast_t *st = parse_one(sb_str(&sql));
    if (!st || !st->a->a || st->a->a->kind != AST_MATCH_RECOGNIZE) return NULL;
    return st->a->a;
}

/* The dump of the PATTERN tree of a minimal MATCH_RECOGNIZE with the given pattern text. */
static const char *dump_pattern(const char *pattern)
{
    static sb_t sql;
    sb_clear(&sql);
    sb_printf(&sql, "t MATCH_RECOGNIZE (ORDER BY ts PATTERN %s DEFINE A AS TRUE)", pattern);
    ast_t *mr = match_node(sb_str(&sql));
    sb_clear(&dumped);
    if (!mr) return "ERROR";
    ast_dump(mr->pattern, &dumped);
    return sb_str(&dumped);
}

/* The first line of the error for a minimal MATCH_RECOGNIZE around the given clauses. */
static const char *match_error(const char *clauses)
{
    static sb_t sql;
    sb_clear(&sql);
    sb_printf(&sql, "SELECT * FROM t MATCH_RECOGNIZE (%s)", clauses);
    return error_of(sb_str(&sql));
}

TEST(lexer_pattern_punctuation)
{
    token_t t[20];
    int n = lex_all("A+? B{2,3}? C?? | ^", t, 20);
    static const tok_kind want[] = {
        TK_IDENT, TK_PLUS, TK_QUESTION, TK_IDENT, TK_LBRACE, TK_INTEGER, TK_COMMA, TK_INTEGER,
        TK_RBRACE, TK_QUESTION, TK_IDENT, TK_QUESTION, TK_QUESTION, TK_PIPE, TK_ERROR,
    };
    CHECK_EQ_INT(n, (int)ARRAY_LEN(want));
    for (int i = 0; i < n && i < (int)ARRAY_LEN(want); i++) CHECK_EQ_INT(t[i].kind, want[i]);
    CHECK_EQ_INT(t[13].span.col, 17);
    CHECK_EQ_STR(t[14].val, "unexpected character '^'");
    /* '||' stays one token; outside a pattern the new punctuation is an unexpected character */
    n = lex_all("a||b|c", t, 20);
    CHECK_EQ_INT(n, 6);
    CHECK_EQ_INT(t[1].kind, TK_CONCAT);
    CHECK_EQ_INT(t[3].kind, TK_PIPE);
    CHECK_EQ_STR(error_of("SELECT a ? b"), "t.sql:1:10: error: unexpected character '?'");
    CHECK_EQ_STR(error_of("SELECT {a}"), "t.sql:1:8: error: unexpected character '{'");
    CHECK_EQ_STR(error_of("SELECT a FROM t WHERE b }"), "t.sql:1:25: error: unexpected character '}'");
    CHECK_EQ_STR(error_of("CREATE TABLE t (a INT) WITH ('k' = a?b)"), "t.sql:1:37: error: unexpected character '?'");
    CHECK_EQ_STR(error_of("SET k = a|b"), "t.sql:1:10: error: unexpected character '|' (the concatenation operator is '||')");
}

/* The Flink documentation's first example: a V-shaped price (every clause but WITHIN). */
TEST(match_recognize_v_shape)
{
    const char *sql =
        "SELECT *\n"
        "FROM Ticker\n"
        "    MATCH_RECOGNIZE (\n"
        "        PARTITION BY symbol\n"
        "        ORDER BY rowtime\n"
        "        MEASURES\n"
        "            START_ROW.rowtime AS start_tstamp,\n"
        "            LAST(PRICE_DOWN.rowtime) AS bottom_tstamp,\n"
        "            LAST(PRICE_UP.rowtime) AS end_tstamp\n"
        "        ONE ROW PER MATCH\n"
        "        AFTER MATCH SKIP TO LAST PRICE_UP\n"
        "        PATTERN (START_ROW PRICE_DOWN+ PRICE_UP)\n"
        "        DEFINE\n"
        "            PRICE_DOWN AS\n"
        "                (LAST(PRICE_DOWN.price, 1) IS NULL AND PRICE_DOWN.price < START_ROW.price) OR\n"
        "                    PRICE_DOWN.price < LAST(PRICE_DOWN.price, 1),\n"
        "            PRICE_UP AS\n"
        "                PRICE_UP.price > LAST(PRICE_DOWN.price, 1)\n"
        "    ) MR;";
    CHECK_EQ_STR(dump_sql(sql),
        "(QUERY_STMT (SELECT (SELECT_ITEM (STAR)) (FROM (MATCH_RECOGNIZE (TABLE_REF Ticker)"
        " (PARTITION_BY (IDENT symbol)) (ORDER_BY (ORDER_ITEM (IDENT rowtime)))"
        " (MEASURES (SELECT_ITEM (IDENT START_ROW.rowtime) AS start_tstamp)"
        " (SELECT_ITEM (CALL LAST (IDENT PRICE_DOWN.rowtime)) AS bottom_tstamp)"
        " (SELECT_ITEM (CALL LAST (IDENT PRICE_UP.rowtime)) AS end_tstamp))"
        " (AFTER_MATCH_SKIP TO_LAST PRICE_UP)"
        " (PATTERN START_ROW{1,1} PRICE_DOWN{1,} PRICE_UP{1,1})"
        " (DEFINE (SELECT_ITEM (BINARY OR (BINARY AND (IS NULL (CALL LAST (IDENT PRICE_DOWN.price) (LITERAL 1)))"
        " (BINARY < (IDENT PRICE_DOWN.price) (IDENT START_ROW.price)))"
        " (BINARY < (IDENT PRICE_DOWN.price) (CALL LAST (IDENT PRICE_DOWN.price) (LITERAL 1)))) AS PRICE_DOWN)"
        " (SELECT_ITEM (BINARY > (IDENT PRICE_UP.price) (CALL LAST (IDENT PRICE_DOWN.price) (LITERAL 1))) AS PRICE_UP))"
        " AS MR))))");
    ast_t *mr = match_node("Ticker MATCH_RECOGNIZE (PARTITION BY symbol ORDER BY rowtime "
                           "MEASURES LAST(B.rowtime) AS t ONE ROW PER MATCH AFTER MATCH SKIP TO LAST B "
                           "PATTERN (A B+ C) DEFINE B AS B.price < 1, C AS C.price > 1) MR");
    CHECK(mr != NULL);
    if (!mr) return;
    CHECK_EQ_INT(mr->a->kind, AST_TABLE_REF);
    CHECK_EQ_INT(mr->list.len, 1);
    CHECK_EQ_INT(mr->order_by.len, 1);
    CHECK_EQ_INT(mr->order_by.items[0]->kind, AST_ORDER_ITEM);
    CHECK_EQ_INT(mr->list2.len, 1);
    CHECK_EQ_STR(mr->list2.items[0]->alias, "t");
    CHECK_EQ_INT(mr->defines.len, 2);
    CHECK_EQ_STR(mr->defines.items[1]->alias, "C");
    CHECK_EQ_INT(mr->defines.items[1]->a->kind, AST_BINARY);
    CHECK_EQ_INT(mr->all_rows, 0);
    CHECK_EQ_INT(mr->skip, 3);
    CHECK_EQ_STR(mr->skip_var, "B");
    CHECK(mr->within == NULL);
    CHECK_EQ_STR(mr->alias, "MR");
    ast_t *pat = mr->pattern;
    CHECK_EQ_INT(pat->kind, AST_PATTERN);
    CHECK(pat->name == NULL);
    CHECK_EQ_INT(pat->list.len, 3);
    CHECK_EQ_INT(pat->qmin, 1); CHECK_EQ_INT(pat->qmax, 1); CHECK_EQ_INT(pat->greedy, 1);
    ast_t *b = pat->list.items[1];
    CHECK_EQ_STR(b->name, "B");
    CHECK_EQ_INT(b->qmin, 1); CHECK_EQ_INT(b->qmax, -1); CHECK_EQ_INT(b->greedy, 1);
    CHECK_EQ_INT(b->list.len, 0);
}

/* The Flink documentation's WITHIN example (with the comma its DEFINE list needs). */
TEST(match_recognize_within)
{
    const char *sql =
        "SELECT *\n"
        "FROM Ticker\n"
        "    MATCH_RECOGNIZE(\n"
        "        PARTITION BY symbol\n"
        "        ORDER BY rowtime\n"
        "        MEASURES\n"
        "            C.rowtime AS dropTime,\n"
        "            A.price - C.price AS dropDiff\n"
        "        ONE ROW PER MATCH\n"
        "        AFTER MATCH SKIP PAST LAST ROW\n"
        "        PATTERN (A B* C) WITHIN INTERVAL '1' HOUR\n"
        "        DEFINE\n"
        "            B AS B.price > A.price - 10,\n"
        "            C AS C.price < A.price - 10\n"
        "    )";
    CHECK_EQ_STR(dump_sql(sql),
        "(QUERY_STMT (SELECT (SELECT_ITEM (STAR)) (FROM (MATCH_RECOGNIZE (TABLE_REF Ticker)"
        " (PARTITION_BY (IDENT symbol)) (ORDER_BY (ORDER_ITEM (IDENT rowtime)))"
        " (MEASURES (SELECT_ITEM (IDENT C.rowtime) AS dropTime)"
        " (SELECT_ITEM (BINARY - (IDENT A.price) (IDENT C.price)) AS dropDiff))"
        " (PATTERN A{1,1} B{0,} C{1,1}) (WITHIN (INTERVAL '1' HOUR))"
        " (DEFINE (SELECT_ITEM (BINARY > (IDENT B.price) (BINARY - (IDENT A.price) (LITERAL 10))) AS B)"
        " (SELECT_ITEM (BINARY < (IDENT C.price) (BINARY - (IDENT A.price) (LITERAL 10))) AS C))))))");
    ast_t *mr = match_node("t MATCH_RECOGNIZE (ORDER BY ts PATTERN (A B) WITHIN INTERVAL '10' SECOND(3) DEFINE A AS TRUE)");
    CHECK(mr && mr->within && mr->within->kind == AST_INTERVAL);
    if (mr && mr->within) {
        CHECK_EQ_STR(mr->within->text, "10");
        CHECK_EQ_INT(mr->within->unit, TU_SECOND);
    }
    /* the documentation's version lacks the comma between B and C */
    const char *no_comma = "SELECT * FROM Ticker MATCH_RECOGNIZE (ORDER BY rowtime PATTERN (A B* C)\n"
                           "  DEFINE B AS B.price > A.price - 10\n"
                           "         C AS C.price < A.price - 10)";
    CHECK_EQ_STR(error_of(no_comma), "t.sql:3:10: error: expected ',' or ')' after the DEFINE condition, found 'C'");
}

TEST(match_recognize_quantifiers)
{
    static const struct { const char *pattern, *want; int qmin, qmax, greedy; } cases[] = {
        { "(A)", "(PATTERN A{1,1})", 1, 1, 1 },
        { "(A*)", "(PATTERN A{0,})", 0, -1, 1 },
        { "(A*?)", "(PATTERN A{0,}?)", 0, -1, 0 },
        { "(A+)", "(PATTERN A{1,})", 1, -1, 1 },
        { "(A+?)", "(PATTERN A{1,}?)", 1, -1, 0 },
        { "(A?)", "(PATTERN A{0,1})", 0, 1, 1 },
        { "(A?\?)", "(PATTERN A{0,1}?)", 0, 1, 0 },
        { "(A{3})", "(PATTERN A{3,3})", 3, 3, 1 },
        { "(A{3}?)", "(PATTERN A{3,3}?)", 3, 3, 0 },
        { "(A{1})", "(PATTERN A{1,1})", 1, 1, 1 },
        { "(A{2,})", "(PATTERN A{2,})", 2, -1, 1 },
        { "(A{0,})", "(PATTERN A{0,})", 0, -1, 1 },
        { "(A{2,}?)", "(PATTERN A{2,}?)", 2, -1, 0 },
        { "(A{,4})", "(PATTERN A{0,4})", 0, 4, 1 },
        { "(A{,1})", "(PATTERN A{0,1})", 0, 1, 1 },
        { "(A{,4}?)", "(PATTERN A{0,4}?)", 0, 4, 0 },
        { "(A{2,3})", "(PATTERN A{2,3})", 2, 3, 1 },
        { "(A{2,3}?)", "(PATTERN A{2,3}?)", 2, 3, 0 },
        { "(A{0,1})", "(PATTERN A{0,1})", 0, 1, 1 },
        { "(A{3,3})", "(PATTERN A{3,3})", 3, 3, 1 },
        { "(A { 2 , 3 } ?)", "(PATTERN A{2,3}?)", 2, 3, 0 },
        { "(A{2147483647})", "(PATTERN A{2147483647,2147483647})", 2147483647, 2147483647, 1 },
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        CHECK_EQ_STR(dump_pattern(cases[i].pattern), cases[i].want);
        sb_t sql = { 0 };
        sb_printf(&sql, "t MATCH_RECOGNIZE (ORDER BY ts PATTERN %s DEFINE A AS TRUE)", cases[i].pattern);
        ast_t *mr = match_node(sb_str(&sql));
        sb_free(&sql);
        CHECK(mr != NULL);
        if (!mr) continue;
        ast_t *a = mr->pattern->list.items[0];
        CHECK_EQ_INT(a->qmin, cases[i].qmin);
        CHECK_EQ_INT(a->qmax, cases[i].qmax);
        CHECK_EQ_INT(a->greedy, cases[i].greedy);
    }
    /* a sequence mixing them, written without spaces where the tokens allow */
    CHECK_EQ_STR(dump_pattern("(A B*? C{2} D{,4}? E+F?G)"),
                 "(PATTERN A{1,1} B{0,}? C{2,2} D{0,4}? E{1,} F{0,1} G{1,1})");
    CHECK_EQ_STR(dump_pattern("(`my var`+ b1)"), "(PATTERN `my var`{1,} b1{1,1})");
}

TEST(match_recognize_groups)
{
    CHECK_EQ_STR(dump_pattern("(A (B C)+ D)"), "(PATTERN A{1,1} (B{1,1} C{1,1}){1,} D{1,1})");
    CHECK_EQ_STR(dump_pattern("((A B)*? C)"), "(PATTERN (A{1,1} B{1,1}){0,}? C{1,1})");
    CHECK_EQ_STR(dump_pattern("(A ((B C?){2,3} D)+? E)"),
                 "(PATTERN A{1,1} ((B{1,1} C{0,1}){2,3} D{1,1}){1,}? E{1,1})");
    CHECK_EQ_STR(dump_pattern("((A))"), "(PATTERN (A{1,1}){1,1})");
    CHECK_EQ_STR(dump_pattern("((A){,2}? B)"), "(PATTERN (A{1,1}){0,2}? B{1,1})");
    ast_t *mr = match_node("t MATCH_RECOGNIZE (ORDER BY ts PATTERN (A (B C){2,} D) DEFINE A AS TRUE)");
    CHECK(mr != NULL);
    if (!mr) return;
    ast_t *g = mr->pattern->list.items[1];
    CHECK_EQ_INT(g->kind, AST_PATTERN);
    CHECK(g->name == NULL);
    CHECK_EQ_INT(g->list.len, 2);
    CHECK_EQ_STR(g->list.items[1]->name, "C");
    CHECK_EQ_INT(g->qmin, 2); CHECK_EQ_INT(g->qmax, -1); CHECK_EQ_INT(g->greedy, 1);
    /* a node dumped on its own: a group with a quantifier prints as one term */
    sb_clear(&dumped);
    ast_dump(g, &dumped);
    CHECK_EQ_STR(sb_str(&dumped), "(PATTERN (B{1,1} C{1,1}){2,})");
    sb_clear(&dumped);
    ast_dump(g->list.items[0], &dumped);
    CHECK_EQ_STR(sb_str(&dumped), "(PATTERN B{1,1})");
}

TEST(match_recognize_skip_and_rows)
{
    static const struct { const char *clause; int skip; const char *var, *dump; } cases[] = {
        { "", 0, NULL, "" },
        { "AFTER MATCH SKIP PAST LAST ROW", 0, NULL, "" },
        { "AFTER MATCH SKIP TO NEXT ROW", 1, NULL, " (AFTER_MATCH_SKIP TO_NEXT_ROW)" },
        { "AFTER MATCH SKIP TO FIRST B", 2, "B", " (AFTER_MATCH_SKIP TO_FIRST B)" },
        { "AFTER MATCH SKIP TO LAST B", 3, "B", " (AFTER_MATCH_SKIP TO_LAST B)" },
        { "AFTER MATCH SKIP TO B", 3, "B", " (AFTER_MATCH_SKIP TO_LAST B)" },
        { "after match skip to next row", 1, NULL, " (AFTER_MATCH_SKIP TO_NEXT_ROW)" },
        { "AFTER MATCH SKIP TO NEXT", 3, "NEXT", " (AFTER_MATCH_SKIP TO_LAST NEXT)" },   /* a variable named NEXT */
        { "AFTER MATCH SKIP TO LAST LAST", 3, "LAST", " (AFTER_MATCH_SKIP TO_LAST LAST)" },
        { "AFTER MATCH SKIP TO FIRST `b c`", 2, "b c", " (AFTER_MATCH_SKIP TO_FIRST `b c`)" },
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        sb_t sql = { 0 }, want = { 0 };
        sb_printf(&sql, "SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts %s PATTERN (A B) DEFINE A AS TRUE)", cases[i].clause);
        sb_printf(&want, "(QUERY_STMT (SELECT (SELECT_ITEM (STAR)) (FROM (MATCH_RECOGNIZE (TABLE_REF t)"
                         " (ORDER_BY (ORDER_ITEM (IDENT ts)))%s (PATTERN A{1,1} B{1,1})"
                         " (DEFINE (SELECT_ITEM (LITERAL TRUE) AS A))))))", cases[i].dump);
        CHECK_EQ_STR(dump_sql(sb_str(&sql)), sb_str(&want));
        ast_t *mr = match_node(sb_str(&sql) + strlen("SELECT * FROM "));
        CHECK(mr != NULL);
        if (mr) {
            CHECK_EQ_INT(mr->skip, cases[i].skip);
            if (cases[i].var) CHECK_EQ_STR(mr->skip_var, cases[i].var);
            else CHECK(mr->skip_var == NULL);
        }
        sb_free(&sql);
        sb_free(&want);
    }
    ast_t *mr = match_node("t MATCH_RECOGNIZE (ORDER BY ts ALL ROWS PER MATCH PATTERN (A) DEFINE A AS TRUE)");
    CHECK(mr && mr->all_rows == 1);
    mr = match_node("t MATCH_RECOGNIZE (ORDER BY ts ONE ROW PER MATCH PATTERN (A) DEFINE A AS TRUE)");
    CHECK(mr && mr->all_rows == 0);
    CHECK_EQ_STR(dump_sql("SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts ALL ROWS PER MATCH AFTER MATCH SKIP TO FIRST A "
                          "PATTERN (A) DEFINE A AS TRUE)"),
                 "(QUERY_STMT (SELECT (SELECT_ITEM (STAR)) (FROM (MATCH_RECOGNIZE (TABLE_REF t)"
                 " (ORDER_BY (ORDER_ITEM (IDENT ts))) ALL_ROWS_PER_MATCH (AFTER_MATCH_SKIP TO_FIRST A)"
                 " (PATTERN A{1,1}) (DEFINE (SELECT_ITEM (LITERAL TRUE) AS A))))))");
}

/* Navigation and aggregate calls of MEASURES and DEFINE are ordinary expressions. */
TEST(match_recognize_functions)
{
    const char *sql =
        "SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts\n"
        "  MEASURES FIRST(A.price) AS f, FIRST(A.price, 2) AS f2, LAST(A.price, 1) AS l,\n"
        "    PREV(A.price) AS p, PREV(A.price, 3) AS p3, MATCH_ROWTIME() AS mr, MATCH_PROCTIME() AS mp,\n"
        "    MATCH_ROWTIME(ts) AS mrt, CLASSIFIER() AS c, SUM(A.price) AS s, COUNT(A.*) AS n, COUNT(*) AS n2,\n"
        "    AVG(B.price * B.tax) AS av, MIN(price) AS mi, MAX(A.price) AS ma, FINAL LAST(B.ts) AS fin,\n"
        "    final AS col\n"
        "  PATTERN (A+ B)\n"
        "  DEFINE A AS AVG(A.price) < 15 AND PREV(A.price) IS NOT NULL, B AS LAST(price, 1) < B.price)";
    CHECK_EQ_STR(dump_sql(sql),
        "(QUERY_STMT (SELECT (SELECT_ITEM (STAR)) (FROM (MATCH_RECOGNIZE (TABLE_REF t) (ORDER_BY (ORDER_ITEM (IDENT ts)))"
        " (MEASURES (SELECT_ITEM (CALL FIRST (IDENT A.price)) AS f) (SELECT_ITEM (CALL FIRST (IDENT A.price) (LITERAL 2)) AS f2)"
        " (SELECT_ITEM (CALL LAST (IDENT A.price) (LITERAL 1)) AS l) (SELECT_ITEM (CALL PREV (IDENT A.price)) AS p)"
        " (SELECT_ITEM (CALL PREV (IDENT A.price) (LITERAL 3)) AS p3) (SELECT_ITEM (CALL MATCH_ROWTIME) AS mr)"
        " (SELECT_ITEM (CALL MATCH_PROCTIME) AS mp) (SELECT_ITEM (CALL MATCH_ROWTIME (IDENT ts)) AS mrt)"
        " (SELECT_ITEM (CALL CLASSIFIER) AS c) (SELECT_ITEM (CALL SUM (IDENT A.price)) AS s)"
        " (SELECT_ITEM (CALL COUNT (STAR A)) AS n) (SELECT_ITEM (CALL COUNT *) AS n2)"
        " (SELECT_ITEM (CALL AVG (BINARY * (IDENT B.price) (IDENT B.tax))) AS av) (SELECT_ITEM (CALL MIN (IDENT price)) AS mi)"
        " (SELECT_ITEM (CALL MAX (IDENT A.price)) AS ma) (SELECT_ITEM (CALL LAST (IDENT B.ts)) AS fin)"
        " (SELECT_ITEM (IDENT final) AS col))"
        " (PATTERN A{1,} B{1,1})"
        " (DEFINE (SELECT_ITEM (BINARY AND (BINARY < (CALL AVG (IDENT A.price)) (LITERAL 15)) (IS NOT NULL (CALL PREV (IDENT A.price)))) AS A)"
        " (SELECT_ITEM (BINARY < (CALL LAST (IDENT price) (LITERAL 1)) (IDENT B.price)) AS B))))))");
    /* COUNT(A.*): an AST_STAR qualified by the variable */
    ast_t *mr = match_node("t MATCH_RECOGNIZE (ORDER BY ts MEASURES COUNT(A.*) AS n PATTERN (A) DEFINE A AS TRUE)");
    CHECK(mr != NULL);
    if (mr) {
        ast_t *arg = mr->list2.items[0]->a->list.items[0];
        CHECK_EQ_INT(arg->kind, AST_STAR);
        CHECK_EQ_INT(arg->nnames, 1);
        CHECK_EQ_STR(arg->names[0], "A");
    }
    /* NEXT is refused inside MATCH_RECOGNIZE only */
    CHECK_EQ_STR(match_error("ORDER BY ts MEASURES NEXT(A.x) AS n PATTERN (A) DEFINE A AS TRUE"),
                 "t.sql:1:55: error: NEXT is not supported in MATCH_RECOGNIZE (Flink navigates with PREV, FIRST and LAST)");
    CHECK_EQ_STR(match_error("ORDER BY ts PATTERN (A) DEFINE A AS A.x > next(A.x)"),
                 "t.sql:1:76: error: NEXT is not supported in MATCH_RECOGNIZE (Flink navigates with PREV, FIRST and LAST)");
    CHECK_EQ_STR(dump_expr("NEXT(x)"), "(CALL NEXT (IDENT x))");
    CHECK_EQ_STR(dump_sql("SELECT next FROM t"), "(QUERY_STMT (SELECT (SELECT_ITEM (IDENT next)) (FROM (TABLE_REF t))))");
    CHECK_EQ_STR(match_error("ORDER BY ts MEASURES RUNNING LAST(A.x) AS y PATTERN (A) DEFINE A AS TRUE"),
                 "t.sql:1:55: error: RUNNING measures are not supported (Flink computes MEASURES with FINAL semantics)");
}

/* Inputs, aliases and where a MATCH_RECOGNIZE can stand. */
TEST(match_recognize_inputs)
{
    CHECK_EQ_STR(dump_sql("SELECT m.x FROM (SELECT * FROM t WHERE a > 0) MATCH_RECOGNIZE (ORDER BY ts "
                          "MEASURES A.x AS x PATTERN (A) DEFINE A AS TRUE) AS m JOIN u ON m.x = u.x"),
                 "(QUERY_STMT (SELECT (SELECT_ITEM (IDENT m.x)) (FROM (JOIN INNER (MATCH_RECOGNIZE"
                 " (SUBQUERY (SELECT (SELECT_ITEM (STAR)) (FROM (TABLE_REF t)) (WHERE (BINARY > (IDENT a) (LITERAL 0)))))"
                 " (ORDER_BY (ORDER_ITEM (IDENT ts))) (MEASURES (SELECT_ITEM (IDENT A.x) AS x)) (PATTERN A{1,1})"
                 " (DEFINE (SELECT_ITEM (LITERAL TRUE) AS A)) AS m) (TABLE_REF u) (ON (BINARY = (IDENT m.x) (IDENT u.x)))))))");
    /* lower case, an ORDER BY with several items, INSERT and CREATE VIEW around it */
    CHECK_EQ_STR(dump_sql("insert into s select * from db.t match_recognize (partition by k, j order by ts asc, p desc "
                          "measures a.x as y pattern (a b+?) within interval '5' second define a as a.x > 0) m"),
                 "(INSERT s (SELECT (SELECT_ITEM (STAR)) (FROM (MATCH_RECOGNIZE (TABLE_REF db.t)"
                 " (PARTITION_BY (IDENT k) (IDENT j)) (ORDER_BY (ORDER_ITEM (IDENT ts)) (ORDER_ITEM (IDENT p) DESC))"
                 " (MEASURES (SELECT_ITEM (IDENT a.x) AS y)) (PATTERN a{1,1} b{1,}?) (WITHIN (INTERVAL '5' SECOND))"
                 " (DEFINE (SELECT_ITEM (BINARY > (IDENT a.x) (LITERAL 0)) AS a)) AS m))))");
    ast_list l;
    CHECK_EQ_INT(parse("CREATE VIEW v AS SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN (A) DEFINE A AS TRUE);\n"
                       "SELECT * FROM v", &l), 0);
    CHECK_EQ_INT(l.len, 2);
    /* the words of the clause stay usable as names elsewhere */
    CHECK_EQ_STR(dump_sql("SELECT pattern, define, measures, within, subset, permute, skip FROM t"),
                 "(QUERY_STMT (SELECT (SELECT_ITEM (IDENT pattern)) (SELECT_ITEM (IDENT define))"
                 " (SELECT_ITEM (IDENT measures)) (SELECT_ITEM (IDENT within)) (SELECT_ITEM (IDENT subset))"
                 " (SELECT_ITEM (IDENT permute)) (SELECT_ITEM (IDENT skip)) (FROM (TABLE_REF t))))");
    /* a window TVF as input is syntax the binder judges */
    ast_t *mr = match_node("TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) "
                           "MATCH_RECOGNIZE (ORDER BY ts PATTERN (A) DEFINE A AS TRUE)");
    CHECK(mr && mr->a->kind == AST_TVF && mr->alias == NULL);
    CHECK_EQ_STR(error_of("SELECT * FROM t x MATCH_RECOGNIZE (ORDER BY ts PATTERN (A) DEFINE A AS TRUE)"),
                 "t.sql:1:17: error: the alias of a MATCH_RECOGNIZE input goes after MATCH_RECOGNIZE (...)");
    CHECK_EQ_STR(error_of("SELECT * FROM (SELECT 1) AS s MATCH_RECOGNIZE (ORDER BY ts PATTERN (A) DEFINE A AS TRUE)"),
                 "t.sql:1:29: error: the alias of a MATCH_RECOGNIZE input goes after MATCH_RECOGNIZE (...)");
    CHECK_EQ_STR(error_of("SELECT * FROM (a JOIN b ON TRUE) MATCH_RECOGNIZE (ORDER BY ts PATTERN (A) DEFINE A AS TRUE)"),
                 "t.sql:1:34: error: MATCH_RECOGNIZE applies to a table or a subquery; put the join in a subquery");
    CHECK_EQ_STR(error_of("SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN (A) DEFINE A AS TRUE) m "
                          "MATCH_RECOGNIZE (ORDER BY ts PATTERN (A) DEFINE A AS TRUE)"),
                 "t.sql:1:78: error: expected ';' after the statement, found 'MATCH_RECOGNIZE'");
}

TEST(match_recognize_spans)
{
    const char *sql = "SELECT * FROM Ticker MATCH_RECOGNIZE (ORDER BY ts AFTER MATCH SKIP TO FIRST Up\n"
                      "  PATTERN (Down{2,}? (Up Mid)+) DEFINE Down AS price < 1) AS m, u";
    ast_t *st = parse_one(sql);
    CHECK(st != NULL);
    if (!st) return;
    ast_t *mr = st->a->a->a;                          /* (JOIN CROSS mr u) */
    CHECK_EQ_INT(mr->kind, AST_MATCH_RECOGNIZE);
    CHECK_EQ_INT(mr->span.line, 1);
    CHECK_EQ_INT(mr->span.col, 15);                   /* from the input ... */
    CHECK_EQ_INT(mr->span.off + mr->span.len, (uint32_t)(strstr(sql, "AS m") - sql + 4));   /* ... to the alias */
    CHECK_EQ_INT(mr->alias_span.line, 2);
    CHECK_EQ_INT(mr->alias_span.col, 62);
    CHECK_EQ_INT(mr->text_span.col, 77);              /* the SKIP TO variable */
    CHECK_EQ_INT(mr->text_span.len, 2);
    ast_t *pat = mr->pattern;
    CHECK_EQ_INT(pat->span.line, 2);
    CHECK_EQ_INT(pat->span.col, 11);                  /* from its '(' ... */
    CHECK_EQ_INT(pat->span.len, 21);                  /* ... to its ')' */
    ast_t *down = pat->list.items[0];
    CHECK_EQ_INT(down->span.col, 12);
    CHECK_EQ_INT(down->span.len, 9);                  /* Down{2,}? */
    ast_t *group = pat->list.items[1];
    CHECK_EQ_INT(group->span.col, 22);
    CHECK_EQ_INT(group->span.len, 9);                 /* (Up Mid)+ */
    CHECK_EQ_INT(group->list.items[1]->span.col, 26);
    CHECK_EQ_INT(group->list.items[1]->span.len, 3);
    ast_t *def = mr->defines.items[0];
    CHECK_EQ_INT(def->span.col, 40);
    CHECK_EQ_INT(def->alias_span.col, 40);
    CHECK_EQ_INT(def->alias_span.len, 4);
    CHECK_EQ_INT(def->span.len, 17);                  /* Down AS price < 1 */
}

TEST(match_recognize_errors)
{
    static const struct { const char *clauses, *want; } cases[] = {
        { "PARTITION BY a)", "t.sql:1:48: error: expected ORDER BY in MATCH_RECOGNIZE, found ')'" },
        { "MEASURES A.x AS y ORDER BY ts PATTERN (A) DEFINE A AS x",
          "t.sql:1:34: error: expected PARTITION BY or ORDER BY in MATCH_RECOGNIZE, found 'MEASURES'" },
        { "PARTITION a ORDER BY ts", "t.sql:1:44: error: expected BY after PARTITION, found 'a'" },
        { "ORDER ts", "t.sql:1:40: error: expected BY after ORDER, found 'ts'" },
        { "ORDER BY ts DEFINE A AS x", "t.sql:1:46: error: expected PATTERN in MATCH_RECOGNIZE, found 'DEFINE'" },
        { "ORDER BY ts PATTERN (A) MEASURES A.x AS y DEFINE A AS x",
          "t.sql:1:58: error: expected DEFINE in MATCH_RECOGNIZE, found 'MEASURES'" },
        { "ORDER BY ts PATTERN (A)", "t.sql:1:57: error: expected DEFINE in MATCH_RECOGNIZE, found ')'" },
        { "ORDER BY ts MEASURES A.x PATTERN (A) DEFINE A AS x",
          "t.sql:1:59: error: expected AS and a name after the measure, found 'PATTERN'" },
        { "ORDER BY ts MEASURES A.x AS PATTERN (A) DEFINE A AS x",
          "t.sql:1:62: error: expected a name for the measure after AS, found 'PATTERN'" },
        { "ORDER BY ts MEASURES A.x AS a B.x AS b PATTERN (A) DEFINE A AS x",
          "t.sql:1:64: error: expected PATTERN in MATCH_RECOGNIZE, found 'B'" },
        { "ORDER BY ts ONE ROW MATCH PATTERN (A) DEFINE A AS x",
          "t.sql:1:54: error: expected PER MATCH after ONE ROW, found 'MATCH'" },
        { "ORDER BY ts ONE ROWS PER MATCH PATTERN (A) DEFINE A AS x",
          "t.sql:1:50: error: expected ROW PER MATCH after ONE, found 'ROWS'" },
        { "ORDER BY ts ALL ROW PER MATCH PATTERN (A) DEFINE A AS x",
          "t.sql:1:50: error: expected ROWS PER MATCH after ALL, found 'ROW'" },
        { "ORDER BY ts ALL ROWS PER PATTERN (A) DEFINE A AS x",
          "t.sql:1:59: error: expected MATCH after PER, found 'PATTERN'" },
        { "ORDER BY ts AFTER SKIP PAST LAST ROW PATTERN (A) DEFINE A AS x",
          "t.sql:1:52: error: expected MATCH SKIP after AFTER, found 'SKIP'" },
        { "ORDER BY ts AFTER MATCH PAST LAST ROW PATTERN (A) DEFINE A AS x",
          "t.sql:1:58: error: expected SKIP after AFTER MATCH, found 'PAST'" },
        { "ORDER BY ts AFTER MATCH SKIP NEXT ROW PATTERN (A) DEFINE A AS x",
          "t.sql:1:63: error: expected PAST LAST ROW or TO after AFTER MATCH SKIP, found 'NEXT'" },
        { "ORDER BY ts AFTER MATCH SKIP PAST ROW PATTERN (A) DEFINE A AS x",
          "t.sql:1:68: error: expected LAST ROW after SKIP PAST, found 'ROW'" },
        { "ORDER BY ts AFTER MATCH SKIP PAST LAST PATTERN (A) DEFINE A AS x",
          "t.sql:1:73: error: expected ROW after SKIP PAST LAST, found 'PATTERN'" },
        { "ORDER BY ts AFTER MATCH SKIP TO PATTERN (A) DEFINE A AS x",
          "t.sql:1:66: error: expected NEXT ROW, FIRST, LAST or a pattern variable after SKIP TO, found 'PATTERN'" },
        { "ORDER BY ts AFTER MATCH SKIP TO FIRST PATTERN (A) DEFINE A AS x",
          "t.sql:1:72: error: expected a pattern variable after SKIP TO FIRST, found 'PATTERN'" },
        { "ORDER BY ts AFTER MATCH SKIP TO LAST 1 PATTERN (A) DEFINE A AS x",
          "t.sql:1:71: error: expected a pattern variable after SKIP TO LAST, found '1'" },
        { "ORDER BY ts PATTERN A B DEFINE A AS x", "t.sql:1:54: error: expected '(' after PATTERN, found 'A'" },
        { "ORDER BY ts PATTERN (A | B) DEFINE A AS x", "t.sql:1:57: error: pattern alternation '|' is not supported" },
        { "ORDER BY ts PATTERN ((A B | C D) E) DEFINE A AS x", "t.sql:1:60: error: pattern alternation '|' is not supported" },
        { "ORDER BY ts PATTERN (|A) DEFINE A AS x", "t.sql:1:55: error: pattern alternation '|' is not supported" },
        { "ORDER BY ts PATTERN (PERMUTE (A, B)) DEFINE A AS x", "t.sql:1:55: error: PERMUTE is not supported in patterns" },
        { "ORDER BY ts PATTERN ({- A -} B) DEFINE A AS x", "t.sql:1:55: error: pattern exclusion {- ... -} is not supported" },
        { "ORDER BY ts PATTERN (A {- B -}) DEFINE A AS x", "t.sql:1:57: error: pattern exclusion {- ... -} is not supported" },
        { "ORDER BY ts PATTERN (^A B) DEFINE A AS x", "t.sql:1:55: error: pattern anchors '^' and '$' are not supported" },
        { "ORDER BY ts PATTERN (A B $) DEFINE A AS x", "t.sql:1:59: error: pattern anchors '^' and '$' are not supported" },
        { "ORDER BY ts PATTERN () DEFINE A AS x", "t.sql:1:55: error: expected a pattern variable or '(', found ')'" },
        { "ORDER BY ts PATTERN (A ()) DEFINE A AS x", "t.sql:1:58: error: expected a pattern variable or '(', found ')'" },
        { "ORDER BY ts PATTERN (+A) DEFINE A AS x", "t.sql:1:55: error: expected a pattern variable or '(', found '+'" },
        { "ORDER BY ts PATTERN (A, B) DEFINE A AS x", "t.sql:1:56: error: expected a pattern variable or '(', found ','" },
        { "ORDER BY ts PATTERN (A }) DEFINE A AS x", "t.sql:1:57: error: expected a pattern variable or '(', found '}'" },
        { "ORDER BY ts PATTERN (A B DEFINE A AS x", "t.sql:1:59: error: expected ')' to close the pattern, found 'DEFINE'" },
        { "ORDER BY ts PATTERN (A (B C DEFINE A AS x", "t.sql:1:62: error: expected ')' to close the pattern group, found 'DEFINE'" },
        { "ORDER BY ts PATTERN (A B WITHIN INTERVAL '1' HOUR DEFINE A AS x",
          "t.sql:1:59: error: expected ')' to close the pattern, found 'WITHIN'" },
        { "ORDER BY ts PATTERN (A+*) DEFINE A AS x",
          "t.sql:1:57: error: a pattern term takes one quantifier (and an optional '?' to make it reluctant)" },
        { "ORDER BY ts PATTERN (A?\?\?) DEFINE A AS x",
          "t.sql:1:58: error: a pattern term takes one quantifier (and an optional '?' to make it reluctant)" },
        { "ORDER BY ts PATTERN (A{2}{3}) DEFINE A AS x",
          "t.sql:1:59: error: a pattern term takes one quantifier (and an optional '?' to make it reluctant)" },
        { "ORDER BY ts PATTERN (A{3,1}) DEFINE A AS x", "t.sql:1:56: error: quantifier {3,1}: the maximum is below the minimum" },
        { "ORDER BY ts PATTERN (A{ 3 , 2 }?) DEFINE A AS x", "t.sql:1:56: error: quantifier {3,2}: the maximum is below the minimum" },
        { "ORDER BY ts PATTERN (A{0}) DEFINE A AS x", "t.sql:1:56: error: quantifier {0}: the count must be at least 1" },
        { "ORDER BY ts PATTERN (A{0,0}) DEFINE A AS x", "t.sql:1:56: error: quantifier {0,0}: the maximum must be at least 1" },
        { "ORDER BY ts PATTERN (A{,0}) DEFINE A AS x", "t.sql:1:56: error: quantifier {,0}: the maximum must be at least 1" },
        { "ORDER BY ts PATTERN (A{}) DEFINE A AS x", "t.sql:1:57: error: expected a number or ',' in the quantifier, found '}'" },
        { "ORDER BY ts PATTERN (A{,}) DEFINE A AS x", "t.sql:1:58: error: expected a maximum in the quantifier {,m}, found '}'" },
        { "ORDER BY ts PATTERN (A{1 2}) DEFINE A AS x", "t.sql:1:59: error: expected ',' or '}' in the quantifier, found '2'" },
        { "ORDER BY ts PATTERN (A{1,2 B) DEFINE A AS x", "t.sql:1:61: error: expected '}' to close the quantifier, found 'B'" },
        { "ORDER BY ts PATTERN (A{1,x}) DEFINE A AS x",
          "t.sql:1:59: error: expected a number or '}' after ',' in the quantifier, found 'x'" },
        { "ORDER BY ts PATTERN (A{1.5}) DEFINE A AS x", "t.sql:1:57: error: expected a number or ',' in the quantifier, found '1.5'" },
        { "ORDER BY ts PATTERN (A{2147483648}) DEFINE A AS x", "t.sql:1:57: error: number too large: 2147483648" },
        { "ORDER BY ts PATTERN (A) WITHIN '1' HOUR DEFINE A AS x",
          "t.sql:1:65: error: expected an INTERVAL such as INTERVAL '10' MINUTE after WITHIN, found string '1'" },
        { "ORDER BY ts PATTERN (A) WITHIN INTERVAL '1' DEFINE A AS x",
          "t.sql:1:78: error: expected a time unit (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND) after the interval value, found 'DEFINE'" },
        { "ORDER BY ts PATTERN (A) SUBSET U = (A, B) DEFINE A AS x", "t.sql:1:58: error: SUBSET is not supported in MATCH_RECOGNIZE" },
        { "ORDER BY ts PATTERN (A) DEFINE A x", "t.sql:1:67: error: expected AS after the pattern variable in DEFINE, found 'x'" },
        { "ORDER BY ts PATTERN (A) DEFINE AS x", "t.sql:1:65: error: expected a pattern variable in DEFINE, found 'AS'" },
        { "ORDER BY ts PATTERN (A) DEFINE A AS", "t.sql:1:69: error: expected an expression, found ')'" },
        { "ORDER BY ts PATTERN (A) DEFINE A AS x, ", "t.sql:1:73: error: expected a pattern variable in DEFINE, found ')'" },
        { "ORDER BY ts PATTERN (A) DEFINE A AS x B AS y",
          "t.sql:1:72: error: expected ',' or ')' after the DEFINE condition, found 'B'" },
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) CHECK_EQ_STR(match_error(cases[i].clauses), cases[i].want);
    CHECK_EQ_STR(error_of("SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY a"),
                 "t.sql:1:48: error: unexpected end of input; expected ORDER BY in MATCH_RECOGNIZE");
    CHECK_EQ_STR(error_of("SELECT * FROM t MATCH_RECOGNIZE"),
                 "t.sql:1:32: error: unexpected end of input; expected '(' after MATCH_RECOGNIZE");
    CHECK_EQ_STR(error_of("SELECT * FROM t MATCH_RECOGNIZE ORDER BY ts"),
                 "t.sql:1:33: error: expected '(' after MATCH_RECOGNIZE, found 'ORDER'");
    CHECK_EQ_STR(error_of("SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN (A) DEFINE A AS x"),
                 "t.sql:1:71: error: unexpected end of input; expected ',' or ')' after the DEFINE condition");
    CHECK_EQ_STR(error_of("SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN (A"),
                 "t.sql:1:56: error: unexpected end of input; expected ')' to close the pattern");
    CHECK_EQ_STR(error_of("SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN (A{2,"),
                 "t.sql:1:59: error: unexpected end of input; expected a number or '}' after ',' in the quantifier");
    CHECK_EQ_STR(error_of("SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN (A) DEFINE A AS x) AS"),
                 "t.sql:1:75: error: unexpected end of input; expected an alias after AS");
    /* an error on a later line, with the full rendering and the note on clause order */
    CHECK_EQ_STR(error_of("SELECT * FROM t MATCH_RECOGNIZE (\n  ORDER BY ts\n  PATTERN (A B{5,2})\n  DEFINE A AS x)"),
                 "t.sql:3:15: error: quantifier {5,2}: the maximum is below the minimum");
    CHECK_EQ_STR(err_text(), "t.sql:3:15: error: quantifier {5,2}: the maximum is below the minimum\n"
                             "    PATTERN (A B{5,2})\n"
                             "                ^~~~~\n");
    CHECK_EQ_STR(error_of("SELECT * FROM t MATCH_RECOGNIZE (\n  ORDER BY ts\n  DEFINE A AS x)"),
                 "t.sql:3:3: error: expected PATTERN in MATCH_RECOGNIZE, found 'DEFINE'");
    CHECK_EQ_STR(err_text(), "t.sql:3:3: error: expected PATTERN in MATCH_RECOGNIZE, found 'DEFINE'\n"
                             "    DEFINE A AS x)\n"
                             "    ^~~~~~\n"
                             "  note: the clauses of MATCH_RECOGNIZE go in the order PARTITION BY, ORDER BY, MEASURES, "
                             "ONE ROW PER MATCH, AFTER MATCH SKIP, PATTERN, WITHIN, DEFINE\n");
    /* no note when the token found is not a clause word */
    CHECK_EQ_STR(match_error("ORDER BY ts x"), "t.sql:1:46: error: expected PATTERN in MATCH_RECOGNIZE, found 'x'");
    CHECK(strstr(err_text(), "note:") == NULL);
}

TEST(match_recognize_nesting)
{
    char *ok = repeat3("SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN (", "(", 300, "A", ")+", ") DEFINE A AS TRUE)");
    ast_list l;
    CHECK_EQ_INT(parse(ok, &l), 0);
    free(ok);
    char *deep = repeat3("SELECT * FROM t MATCH_RECOGNIZE (ORDER BY ts PATTERN (", "(", 5000, "A", ")", ") DEFINE A AS TRUE)");
    CHECK_EQ_INT(parse(deep, &l), -1);
    CHECK_EQ_STR(err_message(), "expression nested too deeply (more than 1000 levels)");
    free(deep);
}

int main(void)
{
    arena_init(&arena, 0);
    RUN(lexer_operators);
    RUN(lexer_literals);
    RUN(lexer_names_keywords_comments);
    RUN(lexer_errors_end_the_stream);
    RUN(create_table_flink);
    RUN(create_table_constraints);
    RUN(create_table_fields);
    RUN(types);
    RUN(create_view);
    RUN(insert);
    RUN(set);
    RUN(statement_separators);
    RUN(select_clauses);
    RUN(joins);
    RUN(lookup_joins);
    RUN(subqueries);
    RUN(unions);
    RUN(window_tvfs);
    RUN(precedence);
    RUN(literals);
    RUN(intervals);
    RUN(names);
    RUN(keywords_as_names);
    RUN(calls);
    RUN(over);
    RUN(case_cast_special_forms);
    RUN(predicates);
    RUN(seed_blink_wifi);
    RUN(seed_blink_wifi_details);
    RUN(seed_blink_insurance);
    RUN(seed_dli);
    RUN(spans);
    RUN(column_spans);
    RUN(error_messages);
    RUN(error_rendering);
    RUN(nesting_limits);
    RUN(fuzz_regressions);
    RUN(lexer_pattern_punctuation);
    RUN(match_recognize_v_shape);
    RUN(match_recognize_within);
    RUN(match_recognize_quantifiers);
    RUN(match_recognize_groups);
    RUN(match_recognize_skip_and_rows);
    RUN(match_recognize_functions);
    RUN(match_recognize_inputs);
    RUN(match_recognize_spans);
    RUN(match_recognize_errors);
    RUN(match_recognize_nesting);
    err_clear();
    free(source);
    sb_free(&dumped);
    arena_free(&arena);
    return CHECK_DONE();
}
