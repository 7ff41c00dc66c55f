/* fuzz_parser.c - libFuzzer entry point for the SQL lexer and parser: parses each input as
 * a job file and, when it parses, checks that every node's span lies inside the text and
 * dumps every statement (exercising ast.c as well).
 * Build (or `make fuzz`): clang -fsanitize=fuzzer,address,undefined -Isrc -D_GNU_SOURCE
 *   fuzz/fuzz_parser.c src/sql/lexer.c src/sql/parser.c src/sql/ast.c src/base/arena.c
 *   src/base/err.c src/base/strbuf.c src/base/util.c src/data/types.c -lm */
#include "sql/ast.h"
#include "base/arena.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "base/util.h"
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check_node(const ast_t *n, size_t size);

static void check_list(ast_list l, size_t size)
{
    for (int i = 0; i < l.len; i++) check_node(l.items[i], size);
}

/* Every node's span must lie inside the text and carry a position. */
static void check_node(const ast_t *n, size_t size)
{
    if (!n) return;
    if (n->span.line == 0 || n->span.col == 0 || (size_t)n->span.off + n->span.len > size) abort();
    const ast_t *kids[] = {
        n->a, n->b, n->c, n->filter, n->over, n->frame_start, n->frame_end, n->limit, n->pattern, n->within,
        n->system_time, n->watermark_col, n->watermark_expr,
    };
    for (size_t i = 0; i < sizeof kids / sizeof kids[0]; i++) check_node(kids[i], size);
    check_list(n->list, size);
    check_list(n->list2, size);
    check_list(n->order_by, size);
    check_list(n->columns, size);
    check_list(n->pk, size);
    check_list(n->defines, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xmalloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;

    arena_t arena;
    arena_init(&arena, 0);
    err_clear();
    err_set_source("fuzz.sql", text);
    ast_list stmts;
    if (sql_parse(text, &arena, &stmts) == 0) {
        sb_t out = { 0 };
        check_list(stmts, strlen(text));
        for (int i = 0; i < stmts.len; i++) ast_dump(stmts.items[i], &out);
        sb_free(&out);
    } else {
        (void)err_text();
    }
    err_clear();
    err_set_source(NULL, NULL);
    arena_free(&arena);
    free(text);
    return 0;
}
