/* ast.c - the S-expression form of the syntax tree (for tests and debugging) and the names
 * of time units.
 *
 * Dump format. Every node prints as "(HEAD ...)", children in a fixed order, optional parts
 * left out. HEAD is the kind without its AST_ prefix, except where noted. Names print
 * joined by '.' (a part that is not a plain word prints in backticks); strings print in
 * single quotes with ' doubled; types print as type_name() spells them.
 *   (IDENT t.a)  (STAR)  (STAR t)
 *   (LITERAL NULL) (LITERAL TRUE) (LITERAL 42) (LITERAL 1.50) (LITERAL 1.5E3) (LITERAL 'it''s')
 *   (LITERAL DATE '2020-01-01') (LITERAL TIME '12:00:00') (LITERAL TIMESTAMP '2020-01-01 00:00:00')
 *   (INTERVAL '5' MINUTE)  (INTERVAL '1 02:03' DAY TO MINUTE)
 *   (UNARY - x)  (UNARY NOT x)  (BINARY + a b)
 *   (CALL name [DISTINCT] [*] arg... [(FILTER cond)] [(OVER window)])
 *   (WINDOW_SPEC [(PARTITION_BY e...)] [(ORDER_BY item...)] [(ROWS|RANGE UNBOUNDED|e PRECEDING)])
 *   (ORDER_ITEM e [DESC] [NULLS_FIRST|NULLS_LAST])
 *   (CASE [operand] (WHEN cond result)... [(ELSE e)])
 *   (CAST x TYPE)  (TRY_CAST x TYPE)                      -- HEAD TRY_CAST when safe
 *   (IS [NOT] NULL|TRUE|FALSE x)  (IN [NOT] x e...)  (BETWEEN [NOT] x lo hi)  (LIKE [NOT] x pat [esc])
 *   (TIME_UNIT_CALL FLOOR|CEIL|EXTRACT UNIT x)  (DESCRIPTOR col...)  (TABLE_ARG t)
 *   (SELECT [DISTINCT] item... [(FROM x)] [(WHERE e)] [(GROUP_BY e...)] [(HAVING e)]
 *           [(ORDER_BY item...)] [(LIMIT e)])
 *   (SELECT_ITEM e [AS alias])  (UNION [ALL] a b)
 *   (TABLE_REF t [(FOR_SYSTEM_TIME e)] [AS alias])  (SUBQUERY q [AS alias] [(COLUMNS a...)])
 *   (JOIN INNER|LEFT|RIGHT|FULL|CROSS a b [(ON cond)])  (TVF name arg... [AS alias])
 *   (CREATE_TABLE [TEMPORARY] [IF_NOT_EXISTS] name column... [(PRIMARY_KEY a... [NOT_ENFORCED])]
 *           [(WATERMARK col e)] [PERIOD_FOR_SYSTEM_TIME] [(COMMENT 's')] [(WITH option...)])
 *   (COLUMN name TYPE [(METADATA ['key'] [VIRTUAL])] [(COMMENT 's')])  (COLUMN name (AS e) [(COMMENT 's')])
 *   (OPTION 'key' 'value')  (SET 'key' 'value')
 *   (CREATE_VIEW [TEMPORARY] [IF_NOT_EXISTS] name [(COLUMNS a...)] query)
 *   (INSERT name [(COLUMNS a...)] query)  (QUERY_STMT query)
 *   (MATCH_RECOGNIZE input [(PARTITION_BY e...)] (ORDER_BY item...) [(MEASURES item...)]
 *           [ALL_ROWS_PER_MATCH] [(AFTER_MATCH_SKIP TO_NEXT_ROW | TO_FIRST v | TO_LAST v)]
 *           (PATTERN term...) [(WITHIN interval)] (DEFINE item...) [AS alias])
 *       -- measures print as (SELECT_ITEM e AS name), defines as (SELECT_ITEM cond AS var);
 *       -- ONE ROW PER MATCH and SKIP PAST LAST ROW are the defaults and print nothing
 *   Pattern terms print as regular expressions with every quantifier spelled {min,max}
 *   ({min,} when unbounded), then '?' when reluctant: a variable as A{1,1}, a group as
 *   (B{1,} C{0,1}?){2,3}. (PATTERN A{1,1} B{1,}?) is the sequence A B+?; a single term
 *   that is not a plain sequence prints as (PATTERN term).
 * A NULL node prints as "()". */
#include "sql/ast.h"
#include "base/strbuf.h"
#include <string.h>
#include <strings.h>

const char *time_unit_name(time_unit u)
{
    static const char *const names[] = {
        "NONE", "YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND",
        "MILLISECOND", "MICROSECOND",
    };
    return (unsigned)u < sizeof names / sizeof names[0] ? names[u] : "?";
}

time_unit time_unit_parse(const char *word)
{
    static const struct { const char *name; time_unit u; } units[] = {
        {"YEAR", TU_YEAR}, {"YEARS", TU_YEAR}, {"QUARTER", TU_QUARTER}, {"MONTH", TU_MONTH},
        {"MONTHS", TU_MONTH}, {"WEEK", TU_WEEK}, {"DAY", TU_DAY}, {"DAYS", TU_DAY}, {"HOUR", TU_HOUR},
        {"HOURS", TU_HOUR}, {"MINUTE", TU_MINUTE}, {"MINUTES", TU_MINUTE}, {"SECOND", TU_SECOND},
        {"SECONDS", TU_SECOND}, {"MILLISECOND", TU_MILLISECOND}, {"MICROSECOND", TU_MICROSECOND},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcasecmp(word, units[i].name) == 0) return units[i].u;
    return TU_NONE;
}

static const char *const kind_names[] = {
    "IDENT", "STAR", "LITERAL", "INTERVAL", "UNARY", "BINARY", "CALL", "CASE", "CAST", "IS",
    "IN", "BETWEEN", "LIKE", "TIME_UNIT_CALL", "DESCRIPTOR", "TABLE_ARG", "WINDOW_SPEC",
    "ORDER_ITEM", "SELECT", "UNION", "TABLE_REF", "SUBQUERY", "JOIN", "TVF", "SELECT_ITEM",
    "CREATE_TABLE", "CREATE_VIEW", "INSERT", "SET", "COLUMN", "OPTION", "QUERY_STMT",
    "MATCH_RECOGNIZE", "PATTERN",
};
_Static_assert(sizeof kind_names / sizeof kind_names[0] == AST_PATTERN + 1, "kind_names out of date");

static void dump(const ast_t *n, sb_t *out);

static int is_plain_word(const char *s)
{
    if (!*s) return 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                 *c == '_' || *c == '$' || *c >= 0x80;
        if (!ok) return 0;
    }
    return 1;
}

static void put_name(sb_t *out, const char *s)
{
    if (is_plain_word(s)) {
        sb_puts(out, s);
        return;
    }
    sb_putc(out, '`');
    for (; *s; s++) {
        if (*s == '`') sb_putc(out, '`');
        sb_putc(out, *s);
    }
    sb_putc(out, '`');
}

static void put_names(sb_t *out, const char *const *names, int n)
{
    for (int i = 0; i < n; i++) {
        if (i) sb_putc(out, '.');
        put_name(out, names[i] ? names[i] : "");
    }
}

static void put_string(sb_t *out, const char *s)
{
    sb_putc(out, '\'');
    for (; s && *s; s++) {
        if (*s == '\'') sb_putc(out, '\'');
        sb_putc(out, *s);
    }
    sb_putc(out, '\'');
}

static void put_type(sb_t *out, type_t t)
{
    char buf[64];
    sb_puts(out, type_name(t, buf, sizeof buf));
}

/* " child" for each node of the list. */
static void put_list(sb_t *out, ast_list l)
{
    for (int i = 0; i < l.len; i++) {
        sb_putc(out, ' ');
        dump(l.items[i], out);
    }
}

/* " (TAG child...)" when the list is not empty. */
static void put_tagged_list(sb_t *out, const char *tag, ast_list l)
{
    if (!l.len) return;
    sb_printf(out, " (%s", tag);
    put_list(out, l);
    sb_putc(out, ')');
}

/* " (TAG child)" when the child is present. */
static void put_tagged(sb_t *out, const char *tag, const ast_t *child)
{
    if (!child) return;
    sb_printf(out, " (%s ", tag);
    dump(child, out);
    sb_putc(out, ')');
}

static void put_child(sb_t *out, const ast_t *child)
{
    sb_putc(out, ' ');
    dump(child, out);
}

static void put_alias(sb_t *out, const ast_t *n)
{
    if (!n->alias) return;
    sb_puts(out, " AS ");
    put_name(out, n->alias);
}

static void dump_literal(const ast_t *n, sb_t *out)
{
    switch (n->lit) {
    case LIT_NULL: sb_puts(out, " NULL"); break;
    case LIT_TRUE: sb_puts(out, " TRUE"); break;
    case LIT_FALSE: sb_puts(out, " FALSE"); break;
    case LIT_STRING: sb_putc(out, ' '); put_string(out, n->text); break;
    case LIT_DATE: sb_puts(out, " DATE "); put_string(out, n->text); break;
    case LIT_TIME: sb_puts(out, " TIME "); put_string(out, n->text); break;
    case LIT_TIMESTAMP: sb_puts(out, " TIMESTAMP "); put_string(out, n->text); break;
    default: sb_printf(out, " %s", n->text ? n->text : ""); break;
    }
}

static void dump_interval(const ast_t *n, sb_t *out)
{
    sb_putc(out, ' ');
    put_string(out, n->text);
    sb_printf(out, " %s", time_unit_name(n->unit));
    if (n->unit2 != TU_NONE) sb_printf(out, " TO %s", time_unit_name(n->unit2));
}

static void dump_call(const ast_t *n, sb_t *out)
{
    sb_putc(out, ' ');
    put_name(out, n->name ? n->name : "");
    if (n->distinct) sb_puts(out, " DISTINCT");
    if (n->star) sb_puts(out, " *");
    put_list(out, n->list);
    put_tagged(out, "FILTER", n->filter);
    put_tagged(out, "OVER", n->over);
}

static void dump_window(const ast_t *n, sb_t *out)
{
    put_tagged_list(out, "PARTITION_BY", n->list);
    put_tagged_list(out, "ORDER_BY", n->list2);
    if (n->frame_rows < 0) return;
    sb_puts(out, n->frame_rows ? " (ROWS " : " (RANGE ");
    if (n->frame_start) dump(n->frame_start, out);
    else sb_puts(out, "UNBOUNDED");
    sb_puts(out, " PRECEDING)");
}

static void dump_case(const ast_t *n, sb_t *out)
{
    if (n->a) put_child(out, n->a);
    for (int i = 0; i + 1 < n->list.len; i += 2) {
        sb_puts(out, " (WHEN");
        put_child(out, n->list.items[i]);
        put_child(out, n->list.items[i + 1]);
        sb_putc(out, ')');
    }
    put_tagged(out, "ELSE", n->b);
}

static void dump_predicate(const ast_t *n, sb_t *out)
{
    if (n->negated) sb_puts(out, " NOT");
    if (n->kind == AST_IS) sb_printf(out, " %s", n->op ? n->op : "");
    put_child(out, n->a);
    if (n->kind == AST_IN) put_list(out, n->list);
    if (n->b) put_child(out, n->b);
    if (n->c) put_child(out, n->c);
}

static void dump_select(const ast_t *n, sb_t *out)
{
    if (n->distinct) sb_puts(out, " DISTINCT");
    put_list(out, n->list);
    put_tagged(out, "FROM", n->a);
    put_tagged(out, "WHERE", n->b);
    put_tagged_list(out, "GROUP_BY", n->list2);
    put_tagged(out, "HAVING", n->c);
    put_tagged_list(out, "ORDER_BY", n->order_by);
    put_tagged(out, "LIMIT", n->limit);
}

static void dump_join(const ast_t *n, sb_t *out)
{
    static const char *const kinds[] = { "INNER", "LEFT", "RIGHT", "FULL", "CROSS" };
    sb_printf(out, " %s", (unsigned)n->join < 5 ? kinds[n->join] : "?");
    put_child(out, n->a);
    put_child(out, n->b);
    put_tagged(out, "ON", n->c);
}

static void put_create_flags(const ast_t *n, sb_t *out)
{
    if (n->temporary) sb_puts(out, " TEMPORARY");
    if (n->if_not_exists) sb_puts(out, " IF_NOT_EXISTS");
    sb_putc(out, ' ');
    put_names(out, n->names, n->nnames);
}

static void dump_create_table(const ast_t *n, sb_t *out)
{
    put_create_flags(n, out);
    put_list(out, n->list);
    if (n->pk.len) {
        sb_puts(out, " (PRIMARY_KEY");
        put_list(out, n->pk);
        if (n->pk_not_enforced) sb_puts(out, " NOT_ENFORCED");
        sb_putc(out, ')');
    }
    if (n->watermark_col) {
        sb_puts(out, " (WATERMARK");
        put_child(out, n->watermark_col);
        put_child(out, n->watermark_expr);
        sb_putc(out, ')');
    }
    if (n->period_for_system_time) sb_puts(out, " PERIOD_FOR_SYSTEM_TIME");
    if (n->text) {
        sb_puts(out, " (COMMENT ");
        put_string(out, n->text);
        sb_putc(out, ')');
    }
    put_tagged_list(out, "WITH", n->list2);
}

static void dump_column(const ast_t *n, sb_t *out)
{
    sb_putc(out, ' ');
    put_name(out, n->name ? n->name : "");
    if (n->a) {
        put_tagged(out, "AS", n->a);
    } else {
        sb_putc(out, ' ');
        put_type(out, n->cast_type.type);
    }
    if (n->is_metadata) {
        sb_puts(out, " (METADATA");
        if (n->text2) {
            sb_putc(out, ' ');
            put_string(out, n->text2);
        }
        if (n->is_virtual) sb_puts(out, " VIRTUAL");
        sb_putc(out, ')');
    }
    if (n->text) {
        sb_puts(out, " (COMMENT ");
        put_string(out, n->text);
        sb_putc(out, ')');
    }
}

static void dump_key_value(const ast_t *n, sb_t *out)
{
    sb_putc(out, ' ');
    put_string(out, n->text);
    sb_putc(out, ' ');
    put_string(out, n->text2);
}

/* A pattern term in regular-expression form: A{1,1}, (B{1,} C{0,1}){2,3}? */
static void put_pattern_term(sb_t *out, const ast_t *t)
{
    if (!t) {
        sb_puts(out, "()");
        return;
    }
    if (t->name) {
        put_name(out, t->name);
    } else {
        sb_putc(out, '(');
        for (int i = 0; i < t->list.len; i++) {
            if (i) sb_putc(out, ' ');
            put_pattern_term(out, t->list.items[i]);
        }
        sb_putc(out, ')');
    }
    if (t->qmax < 0) sb_printf(out, "{%d,}", t->qmin);
    else sb_printf(out, "{%d,%d}", t->qmin, t->qmax);
    if (!t->greedy) sb_putc(out, '?');
}

static void dump_pattern(const ast_t *n, sb_t *out)
{
    int plain_seq = !n->name && n->qmin == 1 && n->qmax == 1 && n->greedy;
    if (!plain_seq) {
        sb_putc(out, ' ');
        put_pattern_term(out, n);
        return;
    }
    for (int i = 0; i < n->list.len; i++) {
        sb_putc(out, ' ');
        put_pattern_term(out, n->list.items[i]);
    }
}

static void put_skip(sb_t *out, const ast_t *n)
{
    static const char *const forms[] = { "PAST_LAST_ROW", "TO_NEXT_ROW", "TO_FIRST", "TO_LAST" };
    if (n->skip == 0) return;
    sb_printf(out, " (AFTER_MATCH_SKIP %s", (unsigned)n->skip < 4 ? forms[n->skip] : "?");
    if (n->skip_var) {
        sb_putc(out, ' ');
        put_name(out, n->skip_var);
    }
    sb_putc(out, ')');
}

static void dump_match_recognize(const ast_t *n, sb_t *out)
{
    put_child(out, n->a);
    put_tagged_list(out, "PARTITION_BY", n->list);
    put_tagged_list(out, "ORDER_BY", n->order_by);
    put_tagged_list(out, "MEASURES", n->list2);
    if (n->all_rows) sb_puts(out, " ALL_ROWS_PER_MATCH");
    put_skip(out, n);
    put_child(out, n->pattern);
    put_tagged(out, "WITHIN", n->within);
    put_tagged_list(out, "DEFINE", n->defines);
    put_alias(out, n);
}

static void dump_expr_body(const ast_t *n, sb_t *out)
{
    switch (n->kind) {
    case AST_IDENT: case AST_STAR: case AST_TABLE_ARG: case AST_DESCRIPTOR:
        if (n->nnames) sb_putc(out, ' ');
        if (n->kind == AST_DESCRIPTOR) {
            for (int i = 0; i < n->nnames; i++) {
                if (i) sb_putc(out, ' ');
                put_name(out, n->names[i]);
            }
        } else {
            put_names(out, n->names, n->nnames);
        }
        break;
    case AST_LITERAL: dump_literal(n, out); break;
    case AST_INTERVAL: dump_interval(n, out); break;
    case AST_UNARY: sb_printf(out, " %s", n->op); put_child(out, n->a); break;
    case AST_BINARY: sb_printf(out, " %s", n->op); put_child(out, n->a); put_child(out, n->b); break;
    case AST_CALL: dump_call(n, out); break;
    case AST_CASE: dump_case(n, out); break;
    case AST_CAST: put_child(out, n->a); sb_putc(out, ' '); put_type(out, n->cast_type.type); break;
    case AST_IS: case AST_IN: case AST_BETWEEN: case AST_LIKE: dump_predicate(n, out); break;
    case AST_TIME_UNIT_CALL:
        sb_printf(out, " %s %s", n->name ? n->name : "", time_unit_name(n->unit));
        put_child(out, n->a);
        break;
    case AST_WINDOW_SPEC: dump_window(n, out); break;
    case AST_ORDER_ITEM:
        put_child(out, n->a);
        if (n->desc) sb_puts(out, " DESC");
        if (n->nulls_first >= 0) sb_puts(out, n->nulls_first ? " NULLS_FIRST" : " NULLS_LAST");
        break;
    default: break;
    }
}

static void dump_query_body(const ast_t *n, sb_t *out)
{
    switch (n->kind) {
    case AST_SELECT: dump_select(n, out); break;
    case AST_UNION: if (n->all) sb_puts(out, " ALL"); put_child(out, n->a); put_child(out, n->b); break;
    case AST_TABLE_REF:
        sb_putc(out, ' ');
        put_names(out, n->names, n->nnames);
        put_tagged(out, "FOR_SYSTEM_TIME", n->system_time);
        put_alias(out, n);
        break;
    case AST_SUBQUERY:
        put_child(out, n->a);
        put_alias(out, n);
        put_tagged_list(out, "COLUMNS", n->columns);
        break;
    case AST_JOIN: dump_join(n, out); break;
    case AST_TVF:
        sb_putc(out, ' ');
        put_name(out, n->name ? n->name : "");
        put_list(out, n->list);
        put_alias(out, n);
        break;
    case AST_SELECT_ITEM: put_child(out, n->a); put_alias(out, n); break;
    default: dump_expr_body(n, out); break;
    }
}

static void dump_body(const ast_t *n, sb_t *out)
{
    switch (n->kind) {
    case AST_CREATE_TABLE: dump_create_table(n, out); break;
    case AST_CREATE_VIEW:
        put_create_flags(n, out);
        put_tagged_list(out, "COLUMNS", n->columns);
        put_child(out, n->a);
        break;
    case AST_INSERT:
        sb_putc(out, ' ');
        put_names(out, n->names, n->nnames);
        put_tagged_list(out, "COLUMNS", n->columns);
        put_child(out, n->a);
        break;
    case AST_SET: case AST_OPTION: dump_key_value(n, out); break;
    case AST_COLUMN: dump_column(n, out); break;
    case AST_QUERY_STMT: put_child(out, n->a); break;
    case AST_MATCH_RECOGNIZE: dump_match_recognize(n, out); break;
    case AST_PATTERN: dump_pattern(n, out); break;
    default: dump_query_body(n, out); break;
    }
}

static void dump(const ast_t *n, sb_t *out)
{
    if (!n) {
        sb_puts(out, "()");
        return;
    }
    const char *head = (unsigned)n->kind < sizeof kind_names / sizeof kind_names[0] ? kind_names[n->kind] : "?";
    if (n->kind == AST_CAST && n->safe) head = "TRY_CAST";
    sb_printf(out, "(%s", head);
    dump_body(n, out);
    sb_putc(out, ')');
}

void ast_dump(const ast_t *n, struct sb *out) { dump(n, out); }
