/* connector_testkit.h - the table fixture shared by the connector tests: a connector_table
 * built from parallel arrays of column names and types and key, value option pairs, with a
 * primary key and a fake job clock (fake_now) in its exec_ctx.
 *
 * Header-only like check.h. Option spans get distinct lines (option i on line i + 2) so a
 * test can tell which option an error points at. */
#ifndef EDDY_CONNECTOR_TESTKIT_H
#define EDDY_CONNECTOR_TESTKIT_H
#include "connect/connector.h"
#include <stdarg.h>
#include <string.h>

static int64_t fake_now = 1609330394000000LL;           /* 2020-12-30 12:13:14 UTC */
static inline int64_t fake_clock(void) { return fake_now; }
static exec_ctx test_ctx = {.now_us = fake_clock};

typedef struct fixture {
    connector_table t;
    table_option opts[24];
    char *names[16];
    type_t types[16];
    int pk[4];
} fixture;

/* Table "t" with columns "name TYPE" from parallel arrays; options are key, value pairs up
 * to NULL. The strings are borrowed. */
static inline void fx_init(fixture *f, int ncols, const char *const *names, const type_t *types, ...)
{
    memset(f, 0, sizeof *f);
    for (int i = 0; i < ncols; i++) {
        f->names[i] = (char *)names[i];
        f->types[i] = types[i];
    }
    f->t.name = "t";
    f->t.span = (span_t){0, 1, 1, 14};
    f->t.physical.ncols = (uint32_t)ncols;
    f->t.physical.names = f->names;
    f->t.physical.types = f->types;
    f->t.pk = f->pk;
    f->t.ctx = &test_ctx;
    va_list ap;
    va_start(ap, types);
    const char *k;
    while ((k = va_arg(ap, const char *)) != NULL) {
        table_option *o = &f->opts[f->t.nopts];
        o->key = k;
        o->value = va_arg(ap, const char *);
        o->key_span = (span_t){0, (uint32_t)strlen(k), (uint32_t)f->t.nopts + 2, 5};
        o->value_span = (span_t){0, (uint32_t)strlen(o->value), (uint32_t)f->t.nopts + 2, 30};
        f->t.nopts++;
    }
    va_end(ap);
    f->t.opts = f->opts;
}

/* Adds column col to the primary key. */
static inline void fx_pk(fixture *f, int col) { f->pk[f->t.npk++] = col; }

#endif
