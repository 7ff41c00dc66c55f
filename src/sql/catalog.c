/* catalog.c - registers CREATE TABLE / CREATE VIEW statements and checks their declarations. */
#include "sql/catalog.h"
#include "sql/dialect.h"
#include "base/util.h"
#include "base/strbuf.h"
#include <stdlib.h>

void catalog_init(catalog *c, arena_t *a, exec_ctx *ctx)
{
    memset(c, 0, sizeof *c);
    c->arena = a;
    c->ctx = ctx;
}

void catalog_free(catalog *c)
{
    for (int i = 0; i < c->ntables; i++) {
        schema_free(&c->tables[i]->conn.physical);
        free(c->tables[i]->conn.pk);
        free(c->tables[i]->conn.opts);
        free(c->tables[i]->cols);
        free(c->tables[i]->pk);
        free(c->tables[i]);
    }
    free(c->tables);
    for (int i = 0; i < c->nviews; i++) {
        free(c->views[i]->scope);
        free(c->views[i]);
    }
    free(c->views);
    memset(c, 0, sizeof *c);
}

catalog_table *catalog_table_find(catalog *c, const char *name)
{
    for (int i = 0; i < c->ntables; i++)
        if (str_ieq(c->tables[i]->name, name)) return c->tables[i];
    return NULL;
}

catalog_view *catalog_view_find(catalog *c, const char *name)
{
    for (int i = 0; i < c->nviews; i++)
        if (str_ieq(c->views[i]->name, name)) return c->views[i];
    return NULL;
}

void catalog_names(catalog *c, sb_t *out)
{
    int n = 0;
    for (int i = 0; i < c->ntables; i++) sb_printf(out, "%s%s", n++ ? ", " : "", c->tables[i]->name);
    for (int i = 0; i < c->nviews; i++) sb_printf(out, "%s%s", n++ ? ", " : "", c->views[i]->name);
    if (!n) sb_puts(out, "(none)");
}

const char *catalog_suggest(catalog *c, const char *name)
{
    const char *best = NULL;
    /* A garbled name that starts with a known one ("place_infomst_..." for "place_info"). */
    size_t best_len = 0;
    for (int i = 0; i < c->ntables + c->nviews; i++) {
        const char *cand = i < c->ntables ? c->tables[i]->name : c->views[i - c->ntables]->name;
        size_t n = strlen(cand);
        if (n >= 4 && n > best_len && str_ieqn(name, cand, n)) { best = cand; best_len = n; }
    }
    if (best) return best;
    int best_d = 3;
    for (int i = 0; i < c->ntables + c->nviews; i++) {
        const char *cand = i < c->ntables ? c->tables[i]->name : c->views[i - c->ntables]->name;
        int d = edit_distance(name, cand);
        if (d < best_d) { best_d = d; best = cand; }
    }
    return best;
}

static const char *last_name(ast_t *n) { return n->names[n->nnames - 1]; }

static int find_column(catalog_table *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (str_ieq(t->cols[i].name, name)) return i;
    return -1;
}

static void column_list(catalog_table *t, sb_t *out)
{
    for (int i = 0; i < t->ncols; i++) sb_printf(out, "%s%s", i ? ", " : "", t->cols[i].name);
}

static int add_columns(catalog_table *t, ast_t *stmt)
{
    t->cols = xcalloc((size_t)stmt->list.len + 1, sizeof *t->cols);
    for (int i = 0; i < stmt->list.len; i++) {
        ast_t *col = stmt->list.items[i];
        if (find_column(t, col->name) >= 0)
            return err_at(col->span, "duplicate column '%s' in table '%s'", col->name, t->name);
        catalog_column *cc = &t->cols[t->ncols++];
        cc->name = col->name;
        cc->span = col->span;
        cc->comment = col->text;
        if (col->a) {
            cc->kind = COL_COMPUTED;
            cc->expr = col->a;
        } else {
            cc->kind = col->is_metadata ? COL_METADATA : COL_PHYSICAL;
            cc->type = col->cast_type.type;
        }
    }
    return 0;
}

static int add_primary_key(catalog_table *t, ast_t *stmt)
{
    if (!stmt->pk.len) return 0;
    t->pk = xcalloc((size_t)stmt->pk.len, sizeof *t->pk);
    for (int i = 0; i < stmt->pk.len; i++) {
        ast_t *id = stmt->pk.items[i];
        int c = find_column(t, last_name(id));
        if (c < 0) {
            sb_t cols = {0};
            column_list(t, &cols);
            err_at(id->span, "primary key column '%s' is not a column of table '%s'; columns: %s",
                   last_name(id), t->name, sb_str(&cols));
            sb_free(&cols);
            return -1;
        }
        if (t->cols[c].kind != COL_PHYSICAL)
            return err_at(id->span, "primary key column '%s' must be a physical column", last_name(id));
        t->pk[t->npk++] = c;
    }
    return 0;
}

static int add_watermark(catalog_table *t, ast_t *stmt)
{
    t->watermark_col = -1;
    if (!stmt->watermark_col) return 0;
    const char *name = last_name(stmt->watermark_col);
    int c = find_column(t, name);
    if (c < 0) {
        sb_t cols = {0};
        column_list(t, &cols);
        err_at(stmt->watermark_col->span, "WATERMARK FOR unknown column '%s' in table '%s'; columns: %s",
               name, t->name, sb_str(&cols));
        sb_free(&cols);
        return -1;
    }
    if (t->cols[c].kind == COL_PHYSICAL && !type_is_timestamp(t->cols[c].type)) {
        char buf[64];
        return err_at(stmt->watermark_col->span,
                      "WATERMARK FOR column '%s' must be TIMESTAMP(3) or TIMESTAMP_LTZ(3), but it is %s",
                      name, type_name(t->cols[c].type, buf, sizeof buf));
    }
    t->watermark_col = c;
    t->watermark_expr = stmt->watermark_expr;
    return 0;
}

/* The connector-facing part: physical schema, primary key and options. */
static int describe_for_connector(catalog *c, catalog_table *t, ast_t *stmt)
{
    connector_table *ct = &t->conn;
    ct->name = t->name;
    ct->span = t->span;
    ct->ctx = c->ctx;
    int nphys = 0;
    for (int i = 0; i < t->ncols; i++) nphys += t->cols[i].kind == COL_PHYSICAL;
    schema_init(&ct->physical, (uint32_t)nphys);
    int *phys_index = xcalloc((size_t)t->ncols + 1, sizeof *phys_index);
    for (int i = 0, p = 0; i < t->ncols; i++) {
        phys_index[i] = -1;
        if (t->cols[i].kind != COL_PHYSICAL) continue;
        ct->physical.types[p] = t->cols[i].type;
        ct->physical.names[p] = xstrdup(t->cols[i].name);
        phys_index[i] = p++;
    }
    ct->pk = xcalloc((size_t)t->npk + 1, sizeof *ct->pk);
    for (int i = 0; i < t->npk; i++) ct->pk[i] = phys_index[t->pk[i]];
    ct->npk = t->npk;
    free(phys_index);
    ct->opts = xcalloc((size_t)stmt->list2.len + 1, sizeof *ct->opts);
    for (int i = 0; i < stmt->list2.len; i++) {
        ast_t *o = stmt->list2.items[i];
        for (int j = 0; j < ct->nopts; j++)
            if (strcmp(ct->opts[j].key, o->text) == 0)
                return err_at(o->text_span, "option '%s' is given twice", o->text);
        table_option *to = &ct->opts[ct->nopts++];
        to->key = o->text;
        to->value = o->text2;
        to->key_span = o->text_span;
        to->value_span = o->text2_span;
    }
    return 0;
}

static int resolve_connector(catalog *c, catalog_table *t)
{
    if (dialect_bind(c, t)) return -1;
    const table_option *o = table_opt_entry(&t->conn, "connector");
    t->connector = connector_lookup(o->value);
    if (!t->connector)
        return err_at(o->value_span, "unknown connector '%s'; available connectors: %s", o->value, connector_list());
    return connector_check_options(&t->conn, t->connector);
}

/* "'x' is already declared: table 'x' at line 3; give this one another name" */
static int already_exists(catalog *c, ast_t *stmt, const char *name)
{
    catalog_table *t = catalog_table_find(c, name);
    catalog_view *v = t ? NULL : catalog_view_find(c, name);
    span_t first = t ? t->span : v->span;
    return err_at(stmt->span, "'%s' is already declared: %s '%s' at line %u; give this one another name", name,
                  t ? "table" : "view", t ? t->name : v->name, first.line);
}

int catalog_add_table(catalog *c, ast_t *stmt)
{
    const char *name = last_name(stmt);
    if (catalog_table_find(c, name) || catalog_view_find(c, name)) {
        if (stmt->if_not_exists) return 0;
        return already_exists(c, stmt, name);
    }
    catalog_table *t = xcalloc(1, sizeof *t);
    t->name = name;
    t->span = stmt->span;
    t->ast = stmt;
    t->period_for_system_time = stmt->period_for_system_time;
    c->tables = xrealloc(c->tables, (size_t)(c->ntables + 1) * sizeof *c->tables);
    c->tables[c->ntables++] = t;
    if (add_columns(t, stmt) || add_primary_key(t, stmt) || add_watermark(t, stmt)) return -1;
    if (describe_for_connector(c, t, stmt)) return -1;
    return resolve_connector(c, t);
}

int catalog_add_view(catalog *c, ast_t *stmt)
{
    const char *name = last_name(stmt);
    if (catalog_table_find(c, name) || catalog_view_find(c, name)) {
        if (stmt->if_not_exists) return 0;
        return already_exists(c, stmt, name);
    }
    catalog_view *v = xcalloc(1, sizeof *v);
    v->name = name;
    v->span = stmt->span;
    v->ast = stmt;
    c->views = xrealloc(c->views, (size_t)(c->nviews + 1) * sizeof *c->views);
    c->views[c->nviews++] = v;
    return 0;
}
