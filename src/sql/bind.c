/* bind.c - name and type resolution of queries, producing the physical plan.
 *
 * A query is bound bottom-up into a `relation`: a plan node plus the scope of columns it
 * exposes (qualifier, name, type, index into the node's output). Expressions are bound
 * against a relation; inside an aggregation they are bound against the aggregate's output
 * (group keys, aggregate results, window properties) and anything else is an error.
 *
 * Streaming patterns recognised here, as in Flink's planner:
 *  - window TVFs TUMBLE, HOP, CUMULATE over TABLE t, DESCRIPTOR(ts), grouped by window_start and
 *    window_end -> window aggregation;
 *  - GROUP BY TUMBLE / HOP / SESSION (ts, ...) with their _START, _END, _ROWTIME -> window aggregation;
 *  - SELECT ... FROM (SELECT ..., ROW_NUMBER() OVER (PARTITION BY .. ORDER BY ..) AS rn ...)
 *    WHERE rn <= N -> Top-N (deduplication for N = 1), window Top-N when the partition
 *    contains the window_end of a window aggregation. */
#include "sql/bind.h"
#include "connect/format.h"
#include "expr/func.h"
#include "base/util.h"
#include "base/strbuf.h"
#include <stdlib.h>
#include <stdio.h>
#include <errno.h>

/* ------------------------------------------------------------------ scopes */

typedef struct scope_col {
    const char *qual;           /* table alias or name; NULL for derived tables without alias */
    const char *name;
    type_t type;
    int index;                  /* column of rel->node's output; -1 for window TVF columns */
    window_prop prop;           /* for window TVF columns */
} scope_col;

typedef struct relation {
    plan_node *node;
    scope_col *cols;
    int ncols;
    int has_window;             /* a window TVF: window_* columns are virtual */
    window_spec window;
    plan_node *rank;            /* a ROW_NUMBER waiting for its rn filter */
    int rn_col;                 /* scope column of rn */
    span_t span;
} relation;

typedef VEC(expr_t *) expr_vec;
typedef VEC(ast_t *) ast_vec;

typedef struct agg_item {
    ast_t *call;
    const agg_def *def;
    expr_t *arg;                /* bound over the input; NULL for COUNT(*) */
    expr_t *filter;
    int distinct;
} agg_item;

/* What an expression is bound against. */
typedef struct bind_scope {
    relation *rel;              /* input scope */
    struct agg_ctx *agg;        /* non-NULL: bind over the aggregation's output */
    struct over_ctx *over;      /* non-NULL: agg(...) OVER (...) calls become OverAggregate columns */
    struct match_ctx *match;    /* non-NULL: inside MATCH_RECOGNIZE's DEFINE and MEASURES */
} bind_scope;

typedef struct agg_ctx {
    expr_t **keys;              /* group keys bound over the input */
    ast_t **key_asts;
    int nkeys;
    int windowed;
    window_spec window;
    ast_t *legacy_call;         /* GROUP BY TUMBLE(...) */
    VEC(agg_item) items;
    VEC(window_prop) props;
} agg_ctx;

static expr_t *bind_expr(binder *b, bind_scope *s, ast_t *n);
static int bind_query(binder *b, ast_t *q, relation *out);
static int bind_from(binder *b, ast_t *from, relation *out);

static const char *ast_last(const ast_t *n) { return n->names[n->nnames - 1]; }

static void scope_list(relation *r, sb_t *out)
{
    for (int i = 0; i < r->ncols; i++)
        sb_printf(out, "%s%s%s%s", i ? ", " : "", r->cols[i].qual ? r->cols[i].qual : "",
                  r->cols[i].qual ? "." : "", r->cols[i].name);
}

static void qualifier_list(relation *r, sb_t *out)
{
    int n = 0;
    for (int i = 0; i < r->ncols; i++) {
        const char *q = r->cols[i].qual;
        if (!q) continue;
        int seen = 0;
        for (int j = 0; j < i; j++)
            if (r->cols[j].qual && str_ieq(r->cols[j].qual, q)) seen = 1;
        if (!seen) sb_printf(out, "%s%s", n++ ? ", " : "", q);
    }
    if (!n) sb_puts(out, "(none)");
}

/* ------------------------------------------------------------------ plan helpers */

plan_node *plan_new(plan_job *job, arena_t *a, plan_kind kind, int ninputs, span_t sp)
{
    plan_node *n = arena_zalloc(a, sizeof *n);
    job->nodes = xrealloc(job->nodes, sizeof *job->nodes * (size_t)(job->nnodes + 1));
    job->nodes[job->nnodes++] = n;
    n->kind = kind;
    n->span = sp;
    n->ninputs = ninputs;
    n->inputs = arena_zalloc(a, sizeof(plan_node *) * (size_t)(ninputs ? ninputs : 1));
    n->rowtime_col = -1;
    n->window_end_col = -1;
    return n;
}

void plan_set_schema(plan_node *n, const schema_t *s)
{
    schema_free(&n->schema);
    schema_copy(&n->schema, s);
}

/* A column of node `n` traced through column-only calcs: the node and column it comes from. */
static plan_node *trace_column(plan_node *n, int col, int *out_col)
{
    while (n->kind == PN_CALC && !n->filter) {
        expr_t *e = n->proj[col];
        if (e->kind != EX_COL) break;
        col = e->col;
        n = n->inputs[0];
    }
    while (n->kind == PN_CALC && col < n->nproj && n->proj[col]->kind == EX_COL) {
        col = n->proj[col]->col;
        n = n->inputs[0];
    }
    *out_col = col;
    return n;
}

/* Map the input's upsert key through projections. */
static void calc_upsert_key(binder *b, plan_node *calc)
{
    plan_node *in = calc->inputs[0];
    calc->mode = in->mode;
    if (!in->nupsert_key) return;
    int *key = arena_alloc(b->arena, sizeof(int) * (size_t)in->nupsert_key);
    for (int k = 0; k < in->nupsert_key; k++) {
        int found = -1;
        for (int i = 0; i < calc->nproj; i++)
            if (calc->proj[i]->kind == EX_COL && calc->proj[i]->col == in->upsert_key[k]) { found = i; break; }
        if (found < 0) return;
        key[k] = found;
    }
    calc->upsert_key = key;
    calc->nupsert_key = in->nupsert_key;
}

/* Rewrite an expression over a calc's output into one over the calc's input. */
static expr_t *substitute(binder *b, expr_t *e, expr_t **lower)
{
    if (e->kind == EX_COL) return lower[e->col];
    if (!e->nargs) return e;
    expr_t *c = arena_alloc(b->arena, sizeof *c);
    *c = *e;
    c->args = arena_alloc(b->arena, sizeof(expr_t *) * (size_t)e->nargs);
    for (int i = 0; i < e->nargs; i++) c->args[i] = substitute(b, e->args[i], lower);
    return c;
}

static void count_refs(const expr_t *e, int *refs)
{
    if (!e) return;
    if (e->kind == EX_COL) refs[e->col]++;
    for (int i = 0; i < e->nargs; i++) count_refs(e->args[i], refs);
}

/* Two calcs in a row become one when no computed column would be evaluated twice and at
 * most one of them filters. */
static int can_fuse(plan_node *lower, expr_t *filter, expr_t **proj, int nproj)
{
    if (lower->kind != PN_CALC || (filter && lower->filter)) return 0;
    int *refs = xcalloc((size_t)lower->nproj + 1, sizeof *refs);
    for (int i = 0; i < nproj; i++) count_refs(proj[i], refs);
    count_refs(filter, refs);
    int ok = 1;
    for (int i = 0; i < lower->nproj; i++) {
        expr_kind k = lower->proj[i]->kind;
        if (refs[i] > 1 && k != EX_COL && k != EX_CONST) ok = 0;
    }
    free(refs);
    return ok;
}

static plan_node *make_calc(binder *b, plan_node *in, expr_t *filter, expr_t **proj, int nproj,
                            const char **names, span_t sp)
{
    const char **in_names = arena_zalloc(b->arena, sizeof(char *) * (size_t)(nproj + 1));
    for (int i = 0; i < nproj; i++) {
        in_names[i] = names ? names[i] : NULL;
        if (!in_names[i] && proj[i]->kind == EX_COL) in_names[i] = in->schema.names[proj[i]->col];
    }
    names = in_names;
    int identity = !filter && (uint32_t)nproj == in->schema.ncols;
    for (int i = 0; identity && i < nproj; i++)
        identity = proj[i]->kind == EX_COL && proj[i]->col == i && names[i] && !strcmp(names[i], in->schema.names[i]);
    if (identity) return in;
    if (can_fuse(in, filter, proj, nproj)) {
        expr_t **fused = arena_alloc(b->arena, sizeof(expr_t *) * (size_t)(nproj + 1));
        for (int i = 0; i < nproj; i++) {
            fused[i] = substitute(b, proj[i], in->proj);
            if (proj[i]->kind == EX_COL && fused[i]->kind == EX_COL && fused[i]->type.attr != proj[i]->type.attr) {
                expr_t *c = arena_alloc(b->arena, sizeof *c);
                *c = *fused[i];
                c->type = proj[i]->type;
                fused[i] = c;
            }
        }
        expr_t *f = filter ? substitute(b, filter, in->proj) : in->filter;
        proj = fused;
        filter = f;
        in = in->inputs[0];
    }
    plan_node *n = plan_new(b->job, b->arena, PN_CALC, 1, sp);
    n->inputs[0] = in;
    n->filter = filter;
    n->proj = arena_alloc(b->arena, sizeof(expr_t *) * (size_t)(nproj ? nproj : 1));
    if (nproj) memcpy(n->proj, proj, sizeof(expr_t *) * (size_t)nproj);    /* proj may be NULL when empty */
    n->nproj = nproj;
    schema_init(&n->schema, (uint32_t)nproj);
    for (int i = 0; i < nproj; i++) {
        n->schema.types[i] = proj[i]->type;
        if (proj[i]->kind != EX_COL) n->schema.types[i].attr = proj[i]->type.attr;
        n->schema.names[i] = xstrdup(names && names[i] ? names[i] : "EXPR$");
        if (!names || !names[i]) {
            char buf[32];
            snprintf(buf, sizeof buf, "EXPR$%d", i);
            free(n->schema.names[i]);
            n->schema.names[i] = xstrdup(buf);
        }
    }
    calc_upsert_key(b, n);
    return n;
}

/* ------------------------------------------------------------------ literals */

static int unit_micros(time_unit u, int64_t *us, int *months)
{
    *months = 0;
    switch (u) {
    case TU_YEAR: *months = 12; return 0;
    case TU_QUARTER: *months = 3; return 0;
    case TU_MONTH: *months = 1; return 0;
    case TU_WEEK: *us = 7 * US_PER_DAY; return 0;
    case TU_DAY: *us = US_PER_DAY; return 0;
    case TU_HOUR: *us = 3600 * US_PER_SEC; return 0;
    case TU_MINUTE: *us = 60 * US_PER_SEC; return 0;
    case TU_SECOND: *us = US_PER_SEC; return 0;
    case TU_MILLISECOND: *us = US_PER_MS; return 0;
    case TU_MICROSECOND: *us = 1; return 0;
    default: return -1;
    }
}

/* Microseconds that fit in an int64 (NaN and the infinities do not). */
static int us_in_range(double us) { return us > -0x1p63 && us < 0x1p63; }

int interval_value(const ast_t *iv, type_t *type, int64_t *value)
{
    const char *s = iv->text ? iv->text : "";
    int neg = 0;
    while (*s == ' ') s++;
    if (*s == '-' || *s == '+') { neg = *s == '-'; s++; }
    int64_t unit_us;
    int months;
    if (unit_micros(iv->unit, &unit_us, &months))
        return err_at(iv->span, "interval needs a unit such as SECOND, MINUTE, HOUR or DAY");
    if (months) {
        /* 'Y-M' for YEAR TO MONTH, else a count of the unit. */
        long long y = 0, m = 0;
        if (iv->unit2 == TU_MONTH && sscanf(s, "%lld-%lld", &y, &m) == 2) {
            if (__builtin_mul_overflow(y, 12, value) || __builtin_add_overflow(*value, m, value))
                return err_at(iv->span, "interval value '%s' is out of range", iv->text);
        } else {
            char *end;
            errno = 0;
            long long n = strtoll(s, &end, 10);
            if (end == s || *end || errno) return err_at(iv->span, "invalid interval value '%s'", iv->text);
            if (__builtin_mul_overflow(n, months, value))
                return err_at(iv->span, "interval value '%s' is out of range", iv->text);
        }
        if (neg) *value = -*value;
        *type = type_make(TY_INTERVAL_YM);
        return 0;
    }
    /* Day-time: 'n' of the leading unit, optionally followed by finer fields ("1 02:03:04.5"). */
    int64_t total = 0;
    const char *p = s;
    char *end;
    errno = 0;
    if (iv->unit2 == TU_NONE) {
        double d = strtod(p, &end);
        if (end == p || *end || errno) return err_at(iv->span, "invalid interval value '%s'", iv->text);
        if (!us_in_range(d * (double)unit_us)) return err_at(iv->span, "interval value '%s' is out of range", iv->text);
        total = (int64_t)(d * (double)unit_us + (d >= 0 ? 0.5 : -0.5));
    } else {
        static const int64_t steps[] = {US_PER_DAY, 3600 * US_PER_SEC, 60 * US_PER_SEC, US_PER_SEC};
        int idx = iv->unit == TU_DAY ? 0 : iv->unit == TU_HOUR ? 1 : iv->unit == TU_MINUTE ? 2 : 3;
        while (*p) {
            if (idx > 3) return err_at(iv->span, "invalid interval value '%s'", iv->text);
            if (idx == 3) {
                double d = strtod(p, &end);
                if (end == p) return err_at(iv->span, "invalid interval value '%s'", iv->text);
                if (!us_in_range(d * (double)US_PER_SEC) ||
                    __builtin_add_overflow(total, (int64_t)(d * (double)US_PER_SEC + 0.5), &total))
                    return err_at(iv->span, "interval value '%s' is out of range", iv->text);
                p = end;
                break;
            }
            long long v = strtoll(p, &end, 10);
            if (end == p) return err_at(iv->span, "invalid interval value '%s'", iv->text);
            int64_t field;
            if (__builtin_mul_overflow(v, steps[idx++], &field) || __builtin_add_overflow(total, field, &total))
                return err_at(iv->span, "interval value '%s' is out of range", iv->text);
            p = end;
            if (*p == ' ' || *p == ':') p++;
        }
        if (*p) return err_at(iv->span, "invalid interval value '%s'", iv->text);
    }
    *value = neg ? -total : total;
    *type = type_make(TY_INTERVAL_DT);
    return 0;
}

static expr_t *bind_literal(binder *b, ast_t *n)
{
    value_t v;
    memset(&v, 0, sizeof v);
    type_t t;
    switch (n->lit) {
    case LIT_NULL: v.null = 1; t = type_make(TY_NULL); break;
    case LIT_TRUE: v.i = 1; t = type_make(TY_BOOLEAN); break;
    case LIT_FALSE: v.i = 0; t = type_make(TY_BOOLEAN); break;
    case LIT_INTEGER: {
        errno = 0;
        char *end;
        long long x = strtoll(n->text, &end, 10);
        if (errno || *end) {
            err_at(n->span, "integer literal %s is out of range for BIGINT", n->text);
            return NULL;
        }
        v.i = x;
        t = type_make(x >= INT32_MIN && x <= INT32_MAX ? TY_INT : TY_BIGINT);
        break;
    }
    case LIT_DECIMAL: {
        const char *dot = strchr(n->text, '.');
        int scale = dot ? (int)strlen(dot + 1) : 0;
        int digits = 0;
        for (const char *p = n->text; *p; p++) digits += *p >= '0' && *p <= '9';
        if (digits > 18) {
            t = type_make(TY_DOUBLE);
            v.f = strtod(n->text, NULL);
            break;
        }
        t = type_decimal(digits < 1 ? 1 : digits, scale);
        if (parse_decimal_scaled(n->text, strlen(n->text), scale, &v.i)) {
            err_at(n->span, "invalid decimal literal %s", n->text);
            return NULL;
        }
        break;
    }
    case LIT_DOUBLE: t = type_make(TY_DOUBLE); v.f = strtod(n->text, NULL); break;
    case LIT_STRING:
        t = type_make(TY_STRING);
        v.s = str_view(n->text, (uint32_t)strlen(n->text));
        break;
    case LIT_DATE:
    case LIT_TIMESTAMP: {
        t = n->lit == LIT_DATE ? type_make(TY_DATE) : type_timestamp(TY_TIMESTAMP, 3);
        if (n->lit == LIT_TIMESTAMP) {
            const char *dot = strchr(n->text, '.');
            if (dot) t.precision = (uint8_t)MIN(9, MAX(3, (int)strlen(dot + 1)));
        }
        if (value_parse(t, n->text, strlen(n->text), &v, b->arena)) {
            err_at(n->span, "invalid %s literal '%s'", n->lit == LIT_DATE ? "DATE" : "TIMESTAMP", n->text);
            return NULL;
        }
        break;
    }
    default:
        err_at(n->span, "TIME literals are not supported");
        return NULL;
    }
    return expr_const(b->arena, t, v, n->span);
}

/* ------------------------------------------------------------------ expressions */

static expr_t *make_call(binder *b, const char *name, expr_t **args, int nargs, span_t sp)
{
    const func_def *fn = func_lookup(name);
    if (!fn) {
        err_at(sp, "unknown function '%s'", name);
        return NULL;
    }
    if (nargs < fn->min_args || (fn->max_args >= 0 && nargs > fn->max_args)) {
        if (fn->min_args == fn->max_args)
            err_at(sp, "function %s takes %d argument%s, but %d were given", fn->name, fn->min_args,
                   fn->min_args == 1 ? "" : "s", nargs);
        else if (fn->max_args < 0)
            err_at(sp, "function %s takes at least %d arguments, but %d were given", fn->name, fn->min_args, nargs);
        else
            err_at(sp, "function %s takes %d to %d arguments, but %d were given", fn->name, fn->min_args,
                   fn->max_args, nargs);
        return NULL;
    }
    expr_t *e = arena_zalloc(b->arena, sizeof *e);
    e->kind = EX_CALL;
    e->fn = fn;
    e->span = sp;
    e->nargs = nargs;
    e->args = arena_alloc(b->arena, sizeof(expr_t *) * (size_t)(nargs ? nargs : 1));
    memcpy(e->args, args, sizeof(expr_t *) * (size_t)nargs);
    b->job->calls = xrealloc(b->job->calls, sizeof *b->job->calls * (size_t)(b->job->ncalls + 1));
    b->job->calls[b->job->ncalls++] = e;
    if (fn->check && fn->check(e, b->arena) < 0) return NULL;
    return e;
}

static int expr_equal(const expr_t *a, const expr_t *b)
{
    if (a->kind != b->kind || a->type.id != b->type.id || a->nargs != b->nargs) return 0;
    switch (a->kind) {
    case EX_COL: return a->col == b->col;
    case EX_CONST:
        if (a->val.null || b->val.null) return a->val.null == b->val.null;
        return value_cmp(a->type, &a->val, &b->val) == 0;
    case EX_CALL: if (a->fn != b->fn) return 0; break;
    case EX_CAST: if (!type_equal(a->type, b->type)) return 0; break;
    case EX_CASE: if (a->has_else != b->has_else) return 0; break;
    }
    for (int i = 0; i < a->nargs; i++)
        if (!expr_equal(a->args[i], b->args[i])) return 0;
    return 1;
}

static int resolve_ident(relation *r, ast_t *n, int *out)
{
    const char *name = ast_last(n);
    const char *qual = n->nnames >= 2 ? n->names[n->nnames - 2] : NULL;
    int found = -1;
    if (qual) {
        int qual_known = 0;
        for (int i = 0; i < r->ncols; i++) {
            if (!r->cols[i].qual || !str_ieq(r->cols[i].qual, qual)) continue;
            qual_known = 1;
            if (str_ieq(r->cols[i].name, name)) { found = i; break; }
        }
        if (found < 0) {
            sb_t list = {0};
            if (!qual_known) {
                qualifier_list(r, &list);
                err_at(n->span, "unknown table or alias '%s' in '%s.%s'; tables in scope: %s", qual, qual, name,
                       sb_str(&list));
            } else {
                for (int i = 0, k = 0; i < r->ncols; i++)
                    if (r->cols[i].qual && str_ieq(r->cols[i].qual, qual))
                        sb_printf(&list, "%s%s", k++ ? ", " : "", r->cols[i].name);
                err_at(n->span, "table '%s' has no column '%s'; its columns: %s", qual, name, sb_str(&list));
            }
            sb_free(&list);
            return -1;
        }
    } else {
        for (int i = 0; i < r->ncols; i++) {
            if (!str_ieq(r->cols[i].name, name)) continue;
            if (found >= 0) {
                return err_at(n->span, "column '%s' is ambiguous: it exists in %s and %s; qualify it", name,
                              r->cols[found].qual ? r->cols[found].qual : "a subquery",
                              r->cols[i].qual ? r->cols[i].qual : "a subquery");
            }
            found = i;
        }
        if (found < 0) {
            sb_t list = {0};
            scope_list(r, &list);
            err_at(n->span, "unknown column '%s'; columns in scope: %s", name, sb_str(&list));
            sb_free(&list);
            return -1;
        }
    }
    *out = found;
    return 0;
}

static expr_t *bind_case(binder *b, bind_scope *s, ast_t *n)
{
    int npairs = n->list.len / 2;
    int nargs = npairs * 2 + (n->b ? 1 : 0);
    expr_t **args = arena_zalloc(b->arena, sizeof(expr_t *) * (size_t)(nargs + 1));
    expr_t *operand = NULL;
    if (n->a && !(operand = bind_expr(b, s, n->a))) return NULL;
    for (int i = 0; i < npairs; i++) {
        expr_t *w = bind_expr(b, s, n->list.items[2 * i]);
        if (!w) return NULL;
        if (operand) {
            expr_t *cmp[2] = {operand, w};
            if (!(w = make_call(b, "=", cmp, 2, n->list.items[2 * i]->span))) return NULL;
        }
        args[2 * i] = w;
        if (!(args[2 * i + 1] = bind_expr(b, s, n->list.items[2 * i + 1]))) return NULL;
    }
    if (n->b && !(args[nargs - 1] = bind_expr(b, s, n->b))) return NULL;
    return expr_case(b->arena, args, nargs, n->b != NULL, n->span);
}

static const char *window_fn_kind(const char *name, window_kind *kind, window_prop *prop)
{
    static const struct { const char *name; window_kind kind; window_prop prop; } fns[] = {
        {"TUMBLE_START", WIN_TUMBLE, WP_START}, {"TUMBLE_END", WIN_TUMBLE, WP_END},
        {"TUMBLE_ROWTIME", WIN_TUMBLE, WP_TIME}, {"TUMBLE_PROCTIME", WIN_TUMBLE, WP_PROCTIME},
        {"HOP_START", WIN_HOP, WP_START}, {"HOP_END", WIN_HOP, WP_END},
        {"HOP_ROWTIME", WIN_HOP, WP_TIME}, {"HOP_PROCTIME", WIN_HOP, WP_PROCTIME},
        {"SESSION_START", WIN_SESSION, WP_START}, {"SESSION_END", WIN_SESSION, WP_END},
        {"SESSION_ROWTIME", WIN_SESSION, WP_TIME}, {"SESSION_PROCTIME", WIN_SESSION, WP_PROCTIME},
    };
    for (size_t i = 0; i < ARRAY_LEN(fns); i++)
        if (str_ieq(name, fns[i].name)) { *kind = fns[i].kind; *prop = fns[i].prop; return fns[i].name; }
    return NULL;
}

static type_t window_prop_type(const window_spec *w, window_prop p)
{
    type_t t = type_timestamp((type_id)w->time_type.id == TY_TIMESTAMP_LTZ ? TY_TIMESTAMP_LTZ : TY_TIMESTAMP, 3);
    if (p == WP_START || p == WP_END) t.id = TY_TIMESTAMP;
    if (p == WP_TIME) t.attr = w->proctime ? TA_NONE : TA_ROWTIME;
    if (p == WP_PROCTIME) { t = type_timestamp(TY_TIMESTAMP_LTZ, 3); t.attr = TA_PROCTIME; }
    return t;
}

/* The output column of window property p in an aggregation, added on first use. */
static expr_t *agg_prop_ref(binder *b, agg_ctx *ac, window_prop p, span_t sp)
{
    int idx = -1;
    for (size_t i = 0; i < ac->props.len; i++)
        if (ac->props.items[i] == p) idx = (int)i;
    if (idx < 0) {
        VEC_PUSH(ac->props, p);
        idx = (int)ac->props.len - 1;
    }
    /* Column index is fixed later (keys + aggs come first); encode as negative for now. */
    expr_t *e = expr_col(b->arena, -1 - idx, window_prop_type(&ac->window, p), sp);
    e->state = (void *)ac;    /* marks a pending property reference */
    return e;
}

static int is_agg_call(ast_t *n) { return n->kind == AST_CALL && !n->over && agg_lookup(n->name); }

static expr_t *agg_ref(binder *b, bind_scope *s, ast_t *n)
{
    agg_ctx *ac = s->agg;
    const agg_def *def = agg_lookup(n->name);
    bind_scope in = {s->rel, NULL, 0};
    agg_item item = {n, def, NULL, NULL, n->distinct};
    if (n->star) {
        if (!str_ieq(def->name, "COUNT")) {
            err_at(n->span, "%s(*) is not allowed; only COUNT(*)", def->name);
            return NULL;
        }
    } else {
        if (n->list.len != 1) {
            err_at(n->span, "aggregate function %s takes 1 argument, but %d were given", def->name, n->list.len);
            return NULL;
        }
        if (is_agg_call(n->list.items[0])) {
            err_at(n->list.items[0]->span, "aggregate functions cannot be nested");
            return NULL;
        }
        if (!(item.arg = bind_expr(b, &in, n->list.items[0]))) return NULL;
        type_t rt;
        if (def->result_type(item.arg->type, &rt) < 0) {
            char buf[64];
            err_at(n->span, "aggregate %s does not accept an argument of type %s", def->name,
                   type_name(item.arg->type, buf, sizeof buf));
            return NULL;
        }
    }
    if (n->filter) {
        if (!(item.filter = bind_expr(b, &in, n->filter))) return NULL;
        if (item.filter->type.id != TY_BOOLEAN) {
            err_at(n->filter->span, "FILTER (WHERE ...) must be a BOOLEAN condition");
            return NULL;
        }
    }
    int idx = -1;
    for (size_t i = 0; i < ac->items.len && idx < 0; i++) {
        agg_item *o = &ac->items.items[i];
        if (o->def != def || o->distinct != item.distinct || !o->arg != !item.arg || !o->filter != !item.filter) continue;
        if (o->arg && !expr_equal(o->arg, item.arg)) continue;
        if (o->filter && !expr_equal(o->filter, item.filter)) continue;
        idx = (int)i;
    }
    if (idx < 0) {
        VEC_PUSH(ac->items, item);
        idx = (int)ac->items.len - 1;
    }
    type_t rt = type_make(TY_BIGINT);
    if (item.arg) def->result_type(item.arg->type, &rt);
    else def->result_type(type_make(TY_NULL), &rt);
    return expr_col(b->arena, ac->nkeys + idx, rt, n->span);
}

/* Inside an aggregation: aggregate calls, window properties and group keys. NULL with no
 * error pending means "not one of those: bind structurally". */
static expr_t *bind_agg_output(binder *b, bind_scope *s, ast_t *n, int *handled)
{
    agg_ctx *ac = s->agg;
    *handled = 1;
    if (is_agg_call(n)) return agg_ref(b, s, n);
    window_kind wk;
    window_prop wp;
    if (n->kind == AST_CALL && window_fn_kind(n->name, &wk, &wp)) {
        if (!ac->legacy_call) {
            err_at(n->span, "%s can only be used with GROUP BY %s(...)", n->name,
                   wk == WIN_TUMBLE ? "TUMBLE" : wk == WIN_HOP ? "HOP" : "SESSION");
            return NULL;
        }
        if (wk != ac->window.kind) {
            err_at(n->span, "%s does not match the window of GROUP BY %s", n->name, ac->legacy_call->name);
            return NULL;
        }
        return agg_prop_ref(b, ac, wp, n->span);
    }
    if (n->kind == AST_IDENT) {
        /* An unknown name is reported as such, not as "not grouped". */
        int col;
        if (resolve_ident(s->rel, n, &col)) return NULL;
        if (ac->windowed && !ac->legacy_call && s->rel->cols[col].index < 0)
            return agg_prop_ref(b, ac, s->rel->cols[col].prop, n->span);
    }
    /* A group key? Bind over the input quietly and compare. */
    if (n->kind != AST_LITERAL) {
        bind_scope in = {s->rel, NULL, 0};
        expr_t *e = bind_expr(b, &in, n);
        if (e) {
            for (int k = 0; k < ac->nkeys; k++)
                if (expr_equal(e, ac->keys[k])) {
                    type_t t = ac->keys[k]->type;
                    t.attr = TA_NONE;
                    return expr_col(b->arena, k, t, n->span);
                }
        }
        err_clear();
    }
    if (n->kind == AST_IDENT) {
        sb_t keys = {0};
        for (int k = 0; k < ac->nkeys; k++) {
            const ast_t *ka = ac->key_asts[k];
            sb_printf(&keys, "%s%.*s", k ? ", " : "", (int)ka->span.len, err_source_text() + ka->span.off);
        }
        err_at(n->span, "column '%s' is neither in GROUP BY nor inside an aggregate function; grouped by: %s",
               ast_last(n), ac->nkeys ? sb_str(&keys) : "(nothing)");
        sb_free(&keys);
        return NULL;
    }
    *handled = 0;
    return NULL;
}


/* ---- OVER aggregation ---- */

typedef struct over_ctx {
    ast_t *spec;                /* the window of the first OVER call; all must be the same */
    VEC(agg_item) items;
} over_ctx;

/* The text of an AST node, for comparing window specifications. */
static int same_text(const ast_t *a, const ast_t *b)
{
    const char *src = err_source_text();
    return a->span.len == b->span.len && strncmp(src + a->span.off, src + b->span.off, a->span.len) == 0;
}

static expr_t *over_ref(binder *b, bind_scope *s, ast_t *n)
{
    over_ctx *oc = s->over;
    const agg_def *def = agg_lookup(n->name);
    if (!def && (str_ieq(n->name, "RANK") || str_ieq(n->name, "DENSE_RANK"))) {
        err_at(n->span, "%s() OVER is not supported; Top-N and deduplication use ROW_NUMBER()", n->name);
        return NULL;
    }
    if (!def) {
        err_at(n->span, "%s is not an aggregate function; OVER windows take COUNT, SUM, MIN, MAX, AVG, FIRST_VALUE, LAST_VALUE",
               n->name);
        return NULL;
    }
    if (!oc->spec) oc->spec = n->over;
    else if (!same_text(oc->spec, n->over)) {
        err_at(n->over->span, "all OVER windows of a query must be the same; this one differs from line %u, column %u",
               oc->spec->span.line, oc->spec->span.col);
        return NULL;
    }
    bind_scope in = {s->rel, NULL, NULL};
    agg_item item = {n, def, NULL, NULL, n->distinct};
    if (!n->star) {
        if (n->list.len != 1) {
            err_at(n->span, "aggregate function %s takes 1 argument, but %d were given", def->name, n->list.len);
            return NULL;
        }
        if (!(item.arg = bind_expr(b, &in, n->list.items[0]))) return NULL;
    }
    if (n->filter && !(item.filter = bind_expr(b, &in, n->filter))) return NULL;
    type_t rt;
    if (def->result_type(item.arg ? item.arg->type : type_make(TY_NULL), &rt) < 0) {
        char buf[64];
        err_at(n->span, "aggregate %s does not accept an argument of type %s", def->name,
               type_name(item.arg->type, buf, sizeof buf));
        return NULL;
    }
    VEC_PUSH(oc->items, item);
    expr_t *e = expr_col(b->arena, -(int)oc->items.len, rt, n->span);
    e->state = (void *)oc;      /* column fixed once the input width is known */
    return e;
}

static void fix_over_refs(expr_t *e, over_ctx *oc, int base)
{
    if (!e) return;
    if (e->kind == EX_COL && e->state == (void *)oc) {
        e->col = base + (-e->col - 1);
        e->state = NULL;
    }
    for (int i = 0; i < e->nargs; i++) fix_over_refs(e->args[i], oc, base);
}

static expr_t *bind_match_ref(binder *b, bind_scope *s, ast_t *n, int *handled);

static expr_t *bind_expr(binder *b, bind_scope *s, ast_t *n)
{
    if (s->match) {
        int handled;
        expr_t *e = bind_match_ref(b, s, n, &handled);
        if (handled) return e;
    }
    if (s->agg) {
        int handled;
        expr_t *e = bind_agg_output(b, s, n, &handled);
        if (handled) return e;
    } else if (is_agg_call(n)) {
        err_at(n->span, "aggregate function %s is not allowed here", n->name);
        return NULL;
    }
    expr_t *args[4];
    switch (n->kind) {
    case AST_IDENT: {
        int col;
        if (resolve_ident(s->rel, n, &col)) return NULL;
        scope_col *sc = &s->rel->cols[col];
        if (sc->index < 0) {
            err_at(n->span, "'%s' of a window table function can only be used in a GROUP BY window_start, "
                   "window_end aggregation", sc->name);
            return NULL;
        }
        return expr_col(b->arena, sc->index, sc->type, n->span);
    }
    case AST_LITERAL:
        return bind_literal(b, n);
    case AST_INTERVAL: {
        type_t t;
        value_t v;
        memset(&v, 0, sizeof v);
        if (interval_value(n, &t, &v.i)) return NULL;
        return expr_const(b->arena, t, v, n->span);
    }
    case AST_UNARY:
        if (!(args[0] = bind_expr(b, s, n->a))) return NULL;
        if (str_ieq(n->op, "+")) return args[0];
        return make_call(b, str_ieq(n->op, "NOT") ? "NOT" : "NEGATE", args, 1, n->span);
    case AST_BINARY:
        if (!(args[0] = bind_expr(b, s, n->a)) || !(args[1] = bind_expr(b, s, n->b))) return NULL;
        return make_call(b, n->op, args, 2, n->span);
    case AST_IS: {
        if (!(args[0] = bind_expr(b, s, n->a))) return NULL;
        char name[32];
        snprintf(name, sizeof name, "IS %s%s", n->negated ? "NOT " : "", n->op);
        return make_call(b, name, args, 1, n->span);
    }
    case AST_IN: {
        expr_t **list = arena_alloc(b->arena, sizeof(expr_t *) * (size_t)(n->list.len + 1));
        if (!(list[0] = bind_expr(b, s, n->a))) return NULL;
        for (int i = 0; i < n->list.len; i++)
            if (!(list[i + 1] = bind_expr(b, s, n->list.items[i]))) return NULL;
        return make_call(b, n->negated ? "NOT IN" : "IN", list, n->list.len + 1, n->span);
    }
    case AST_BETWEEN:
        if (!(args[0] = bind_expr(b, s, n->a)) || !(args[1] = bind_expr(b, s, n->b)) ||
            !(args[2] = bind_expr(b, s, n->c)))
            return NULL;
        return make_call(b, n->negated ? "NOT BETWEEN" : "BETWEEN", args, 3, n->span);
    case AST_LIKE: {
        int nargs = n->c ? 3 : 2;
        if (!(args[0] = bind_expr(b, s, n->a)) || !(args[1] = bind_expr(b, s, n->b))) return NULL;
        if (n->c && !(args[2] = bind_expr(b, s, n->c))) return NULL;
        return make_call(b, n->negated ? "NOT LIKE" : "LIKE", args, nargs, n->span);
    }
    case AST_CASE:
        return bind_case(b, s, n);
    case AST_CAST: {
        if (!(args[0] = bind_expr(b, s, n->a))) return NULL;
        type_t to = n->cast_type.type;
        if (!cast_allowed(args[0]->type, to)) {
            char b1[64], b2[64];
            err_at(n->span, "cannot cast %s to %s", type_name(args[0]->type, b1, sizeof b1), type_name(to, b2, sizeof b2));
            return NULL;
        }
        expr_t *e = expr_cast(b->arena, args[0], to, n->span);
        e->safe = n->safe;
        return e;
    }
    case AST_TIME_UNIT_CALL: {
        if (!(args[0] = bind_expr(b, s, n->a))) return NULL;
        args[1] = expr_const(b->arena, type_make(TY_BIGINT), value_i64(n->unit), n->span);
        char name[16];
        snprintf(name, sizeof name, "%s", str_ieq(n->name, "EXTRACT") ? "EXTRACT"
                 : (str_ieq(n->name, "CEIL") || str_ieq(n->name, "CEILING")) ? "CEIL_TO" : "FLOOR_TO");
        return make_call(b, name, args, 2, n->span);
    }
    case AST_CALL: {
        if (n->over && s->over && !str_ieq(n->name, "ROW_NUMBER")) return over_ref(b, s, n);
        if (n->over) {
            err_at(n->span, "%s(...) OVER (...) is only supported as ROW_NUMBER() in a Top-N or deduplication "
                   "query (filtered by the row number in the enclosing query)", n->name);
            return NULL;
        }
        window_kind wk;
        window_prop wp;
        if (window_fn_kind(n->name, &wk, &wp)) {
            err_at(n->span, "%s can only be used in the SELECT list of a query with GROUP BY %s(...)", n->name,
                   wk == WIN_TUMBLE ? "TUMBLE" : wk == WIN_HOP ? "HOP" : "SESSION");
            return NULL;
        }
        if (str_ieq(n->name, "TUMBLE") || str_ieq(n->name, "HOP") || str_ieq(n->name, "SESSION")) {
            err_at(n->span, "group window %s(...) can only be used in GROUP BY", n->name);
            return NULL;
        }
        if (n->star) {
            err_at(n->span, "'*' is only allowed in COUNT(*)");
            return NULL;
        }
        if (!func_lookup(n->name)) {
            const char **names;
            int nn = func_names(&names);
            const char *best = NULL;
            int best_d = 3;
            for (int i = 0; i < nn; i++) {
                int d = edit_distance(n->name, names[i]);
                if (d < best_d) { best_d = d; best = names[i]; }
            }
            const char **anames;
            int na = agg_names(&anames);
            for (int i = 0; i < na; i++) {
                int d = edit_distance(n->name, anames[i]);
                if (d < best_d) { best_d = d; best = anames[i]; }
            }
            if (best) err_at(n->span, "unknown function '%s'; did you mean '%s'?", n->name, best);
            else err_at(n->span, "unknown function '%s'", n->name);
            return NULL;
        }
        expr_t **list = arena_alloc(b->arena, sizeof(expr_t *) * (size_t)(n->list.len + 1));
        int first = 0;
        if ((str_ieq(n->name, "TIMESTAMPADD") || str_ieq(n->name, "TIMESTAMPDIFF")) && n->list.len > 0) {
            /* The first argument is a unit word: TIMESTAMPADD(DAY, 1, ts). */
            ast_t *u = n->list.items[0];
            time_unit unit = u->kind == AST_IDENT && u->nnames == 1 ? time_unit_parse(u->names[0]) : TU_NONE;
            if (unit == TU_NONE) {
                err_at(u->span, "%s expects a time unit first (SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER, YEAR)", n->name);
                return NULL;
            }
            list[0] = expr_const(b->arena, type_make(TY_BIGINT), value_i64(unit), u->span);
            first = 1;
        }
        for (int i = first; i < n->list.len; i++)
            if (!(list[i] = bind_expr(b, s, n->list.items[i]))) return NULL;
        return make_call(b, n->name, list, n->list.len, n->span);
    }
    case AST_STAR:
        err_at(n->span, "'*' is not allowed in an expression");
        return NULL;
    default:
        err_at(n->span, "this construct is not allowed in an expression");
        return NULL;
    }
}

/* ------------------------------------------------------------------ FROM */

static void relation_add(relation *r, const char *qual, const char *name, type_t t, int index)
{
    r->cols = xrealloc(r->cols, sizeof *r->cols * (size_t)(r->ncols + 1));
    scope_col *c = &r->cols[r->ncols++];
    memset(c, 0, sizeof *c);
    c->qual = qual;
    c->name = name;
    c->type = t;
    c->index = index;
}

static void relation_free(relation *r) { free(r->cols); memset(r, 0, sizeof *r); }

/* A source whose format is a changelog format (debezium-json, canal-json) yields updates,
 * keyed by its primary key when it declares one; an upsert source (upsert-kafka) yields
 * an upsert stream, which a ChangelogNormalize step on its primary key turns into a full
 * changelog, as Flink plans it. Physical columns come first in the scan's output, so the
 * key's indexes are the same there. */
static plan_node *changelog_of_source(binder *b, catalog_table *t, plan_node *scan, span_t sp)
{
    const char *fmt_name = table_opt(&t->conn, "value.format");
    if (!fmt_name) fmt_name = table_opt(&t->conn, "format");
    const format_def *fmt = t->connector->uses_format && fmt_name ? format_lookup(fmt_name) : NULL;
    int *key = NULL;
    if (t->conn.npk) {
        key = arena_alloc(b->arena, sizeof(int) * (size_t)t->conn.npk);
        memcpy(key, t->conn.pk, sizeof(int) * (size_t)t->conn.npk);
    }
    if (fmt && fmt->changelog) {
        scan->mode = CM_UPDATE;
        scan->upsert_key = key;
        scan->nupsert_key = key ? t->conn.npk : 0;
    }
    if (!t->connector->upsert_source) return scan;
    if (!key) {
        err_at(t->span, "table '%s' uses connector '%s', which needs a PRIMARY KEY (the key of its upsert stream)",
               t->name, t->connector->name);
        err_note("declare PRIMARY KEY (...) NOT ENFORCED on '%s'", t->name);
        return NULL;
    }
    plan_node *n = plan_new(b->job, b->arena, PN_CHANGELOG_NORMALIZE, 1, sp);
    n->inputs[0] = scan;
    n->what = t->name;
    schema_copy(&n->schema, &scan->schema);
    n->rowtime_col = scan->rowtime_col;
    n->mode = CM_UPDATE;
    n->upsert_key = key;
    n->nupsert_key = t->conn.npk;
    return n;
}

/* The single scan of a table, shared by every query of the job that reads it. */
static plan_node *table_scan(binder *b, catalog_table *t, span_t sp)
{
    if (t->scan) return t->scan;
    if (!t->connector->create_source) {
        err_at(sp, "table '%s' uses connector '%s', which cannot be read as a source", t->name, t->connector->name);
        return NULL;
    }
    for (int i = 0; i < t->ncols; i++)
        if (t->cols[i].kind == COL_METADATA) {
            err_at(t->cols[i].span, "connector '%s' provides no metadata column '%s'", t->connector->name, t->cols[i].name);
            return NULL;
        }
    plan_node *n = plan_new(b->job, b->arena, PN_SCAN, 0, sp);
    n->table = t;
    n->what = t->name;
    int nphys = (int)t->conn.physical.ncols;
    int ncomp = t->ncols - nphys;
    /* Computed columns see the physical columns. */
    relation phys = {0};
    for (int i = 0, p = 0; i < t->ncols; i++)
        if (t->cols[i].kind == COL_PHYSICAL) relation_add(&phys, t->name, t->cols[i].name, t->cols[i].type, p++);
    n->computed = arena_zalloc(b->arena, sizeof(expr_t *) * (size_t)(ncomp + 1));
    int *out_index = xcalloc((size_t)t->ncols + 1, sizeof *out_index);
    for (int i = 0, p = 0, c = 0; i < t->ncols; i++) {
        if (t->cols[i].kind == COL_PHYSICAL) { out_index[i] = p++; continue; }
        bind_scope s = {&phys, NULL, 0};
        expr_t *e = bind_expr(b, &s, t->cols[i].expr);
        if (!e) { relation_free(&phys); free(out_index); return NULL; }
        t->cols[i].type = e->type;
        n->computed[c] = e;
        out_index[i] = nphys + c++;
    }
    n->ncomputed = ncomp;
    relation_free(&phys);
    schema_init(&n->schema, (uint32_t)t->ncols);
    for (int i = 0; i < t->ncols; i++) {
        n->schema.types[out_index[i]] = t->cols[i].type;
        n->schema.names[out_index[i]] = xstrdup(t->cols[i].name);
    }
    if (t->watermark_col >= 0) {
        relation full = {0};
        for (int i = 0; i < t->ncols; i++) relation_add(&full, t->name, t->cols[i].name, t->cols[i].type, out_index[i]);
        bind_scope s = {&full, NULL, 0};
        expr_t *wm = bind_expr(b, &s, t->watermark_expr);
        relation_free(&full);
        if (!wm) { free(out_index); return NULL; }
        if (!type_is_timestamp(wm->type)) {
            char buf[64];
            err_at(t->watermark_expr->span, "the WATERMARK expression must produce a TIMESTAMP, but it produces %s",
                   type_name(wm->type, buf, sizeof buf));
            free(out_index);
            return NULL;
        }
        type_t *rt = &n->schema.types[out_index[t->watermark_col]];
        if (!type_is_timestamp(*rt)) {
            char buf[64];
            err_at(t->ast->watermark_col->span, "WATERMARK FOR column '%s' must be TIMESTAMP(3) or TIMESTAMP_LTZ(3), but it is %s",
                   t->cols[t->watermark_col].name, type_name(*rt, buf, sizeof buf));
            free(out_index);
            return NULL;
        }
        rt->attr = TA_ROWTIME;
        t->cols[t->watermark_col].type.attr = TA_ROWTIME;
        n->watermark = wm;
        n->rowtime_col = out_index[t->watermark_col];
    }
    free(out_index);
    n->mode = CM_INSERT_ONLY;
    b->job->scans = xrealloc(b->job->scans, sizeof *b->job->scans * (size_t)(b->job->nscans + 1));
    b->job->scans[b->job->nscans++] = n;
    t->scan = changelog_of_source(b, t, n, sp);
    return t->scan;
}

static int bind_table_ref(binder *b, ast_t *ref, relation *out)
{
    const char *name = ast_last(ref);
    const char *qual = ref->alias ? ref->alias : name;
    if (ref->system_time)
        return err_at(ref->system_time->span, "lookup joins (FOR SYSTEM_TIME AS OF) are not supported yet");
    catalog_table *t = catalog_table_find(b->cat, name);
    if (t) {
        plan_node *scan = table_scan(b, t, ref->span);
        if (!scan) return -1;
        memset(out, 0, sizeof *out);
        out->node = scan;
        out->span = ref->span;
        /* Declaration order, mapped to the scan's physical-then-computed layout. */
        for (int i = 0; i < t->ncols; i++) {
            int idx = schema_find(&scan->schema, t->cols[i].name);
            relation_add(out, qual, t->cols[i].name, scan->schema.types[idx], idx);
        }
        return 0;
    }
    catalog_view *v = catalog_view_find(b->cat, name);
    if (v && v->plan) {
        /* Bound before: share its plan, so that every reader sees the same rows (this
         * matters for lookups of a table the job also writes). */
        memset(out, 0, sizeof *out);
        out->node = v->plan;
        out->span = ref->span;
        const scope_col *cols = v->scope;
        for (int i = 0; i < v->nscope; i++) {
            relation_add(out, qual, cols[i].name, cols[i].type, cols[i].index);
            out->cols[i].prop = cols[i].prop;
        }
        return 0;
    }
    if (v) {
        if (b->view_depth > 32) return err_at(ref->span, "view '%s' references itself", name);
        b->view_depth++;
        int rc = bind_query(b, v->ast->a, out);
        b->view_depth--;
        if (rc) {
            if (err_pending()) err_note("in view '%s' used here: %s:%u:%u", name, err_source_name(), ref->span.line, ref->span.col);
            return -1;
        }
        if (v->ast->columns.len) {
            if (v->ast->columns.len != out->ncols) {
                err_at(v->ast->span, "view '%s' names %d columns, but its query produces %d", name,
                       v->ast->columns.len, out->ncols);
                relation_free(out);
                return -1;
            }
            for (int i = 0; i < out->ncols; i++) out->cols[i].name = ast_last(v->ast->columns.items[i]);
        }
        for (int i = 0; i < out->ncols; i++) out->cols[i].qual = qual;
        out->span = ref->span;
        if (!out->rank && !out->has_window) {
            v->plan = out->node;
            v->nscope = out->ncols;
            v->scope = xmalloc(sizeof(scope_col) * (size_t)(out->ncols + 1));
            memcpy(v->scope, out->cols, sizeof(scope_col) * (size_t)out->ncols);
        }
        return 0;
    }
    sb_t names = {0};
    catalog_names(b->cat, &names);
    const char *best = catalog_suggest(b->cat, name);
    if (best) err_at(ref->span, "unknown table '%s'; did you mean '%s'? tables and views: %s", name, best, sb_str(&names));
    else err_at(ref->span, "unknown table '%s'; tables and views: %s", name, sb_str(&names));
    sb_free(&names);
    return -1;
}

static int const_interval(binder *b, ast_t *n, int64_t *us)
{
    if (n->kind != AST_INTERVAL) return err_at(n->span, "expected an INTERVAL literal such as INTERVAL '10' MINUTE");
    type_t t;
    if (interval_value(n, &t, us)) return -1;
    if (t.id != TY_INTERVAL_DT) return err_at(n->span, "window sizes must be day-time intervals (SECOND to DAY)");
    if (*us <= 0) return err_at(n->span, "window sizes must be positive");
    return 0;
}

/* A window offset: a day-time interval of any sign, zero included (as Flink allows). */
static int const_offset(ast_t *n, int64_t *us)
{
    if (n->kind != AST_INTERVAL) return err_at(n->span, "expected an INTERVAL literal such as INTERVAL '10' MINUTE");
    type_t t;
    if (interval_value(n, &t, us)) return -1;
    if (t.id != TY_INTERVAL_DT) return err_at(n->span, "window offsets must be day-time intervals (SECOND to DAY)");
    return 0;
}

static int time_attr_col(relation *in, ast_t *ident, int *col, type_t *t)
{
    int c;
    if (ident->kind != AST_IDENT) return err_at(ident->span, "expected a time attribute column");
    if (resolve_ident(in, ident, &c)) return -1;
    scope_col *sc = &in->cols[c];
    if (sc->index < 0 || !type_is_time_attr(sc->type))
        return err_at(ident->span, "column '%s' is not a time attribute; declare a WATERMARK for it or use a "
                      "PROCTIME() column", sc->name);
    *col = c;
    *t = sc->type;
    return 0;
}

/* TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), size)), HOP and CUMULATE alike */
static int bind_window_tvf(binder *b, ast_t *tvf, relation *out)
{
    window_spec w;
    memset(&w, 0, sizeof w);
    int nsizes;
    if (str_ieq(tvf->name, "TUMBLE")) { w.kind = WIN_TUMBLE; nsizes = 1; }
    else if (str_ieq(tvf->name, "HOP")) { w.kind = WIN_HOP; nsizes = 2; }
    else if (str_ieq(tvf->name, "CUMULATE")) { w.kind = WIN_CUMULATE; nsizes = 2; }
    else return err_at(tvf->span, "unknown table function '%s'; window functions: TUMBLE, HOP, CUMULATE", tvf->name);
    ast_list *args = &tvf->list;
    if (args->len < 2 + nsizes || args->len > 3 + nsizes)
        return err_at(tvf->span, "%s takes (TABLE t, DESCRIPTOR(time_col), %s[, offset])", tvf->name,
                      nsizes == 1 ? "size" : w.kind == WIN_HOP ? "slide, size" : "step, size");
    ast_t *data = args->items[0];
    if (data->kind != AST_TABLE_ARG && data->kind != AST_IDENT)
        return err_at(data->span, "the first argument of %s must be TABLE name", tvf->name);
    ast_t ref;
    memset(&ref, 0, sizeof ref);
    ref.kind = AST_TABLE_REF;
    ref.span = data->span;
    ref.names = data->names;
    ref.nnames = data->nnames;
    relation in;
    if (bind_table_ref(b, &ref, &in)) return -1;
    ast_t *desc = args->items[1];
    if (desc->kind != AST_DESCRIPTOR || desc->nnames < 1) { relation_free(&in); return err_at(desc->span, "expected DESCRIPTOR(time_col)"); }
    ast_t id;
    memset(&id, 0, sizeof id);
    id.kind = AST_IDENT;
    id.span = desc->span;
    id.names = desc->names;
    id.nnames = desc->nnames;
    int c;
    type_t tt;
    if (time_attr_col(&in, &id, &c, &tt)) { relation_free(&in); return -1; }
    w.time_col = in.cols[c].index;
    w.time_type = tt;
    w.proctime = tt.attr == TA_PROCTIME;
    if (nsizes == 1) {
        if (const_interval(b, args->items[2], &w.size_us)) { relation_free(&in); return -1; }
    } else {
        if (const_interval(b, args->items[2], &w.slide_us) || const_interval(b, args->items[3], &w.size_us)) {
            relation_free(&in);
            return -1;
        }
        if (w.kind == WIN_CUMULATE && w.size_us % w.slide_us) {
            relation_free(&in);
            return err_at(args->items[3]->span, "CUMULATE size must be a multiple of the step");
        }
    }
    if (args->len == 3 + nsizes && const_offset(args->items[2 + nsizes], &w.offset_us)) { relation_free(&in); return -1; }
    *out = in;
    out->has_window = 1;
    out->window = w;
    const char *qual = tvf->alias;
    for (int i = 0; i < out->ncols; i++) if (qual) out->cols[i].qual = qual;
    static const char *names[] = {"window_start", "window_end", "window_time"};
    static const window_prop props[] = {WP_START, WP_END, WP_TIME};
    for (int i = 0; i < 3; i++) {
        relation_add(out, qual ? qual : out->ncols ? out->cols[0].qual : NULL, names[i], window_prop_type(&w, props[i]), -1);
        out->cols[out->ncols - 1].prop = props[i];
    }
    out->span = tvf->span;
    return 0;
}

/* ------------------------------------------------------------------ joins */

static void conjuncts(ast_t *n, ast_vec *out);
static int find_or_add(expr_vec *v, expr_t *e);
static const char *item_name(ast_t *item, int i, arena_t *a);
static int check_boolean(expr_t *e, const char *clause);
static const char *producer_desc(binder *b, plan_node *n);

/* Which inputs an expression reads: bit 1 = columns below `split`, bit 2 = at or above. */
static int expr_sides(const expr_t *e, int split)
{
    if (e->kind == EX_COL) return e->col < split ? 1 : 2;
    int sides = 0;
    for (int i = 0; i < e->nargs; i++) sides |= expr_sides(e->args[i], split);
    return sides;
}

/* A copy of e with every column reference moved by `shift`. */
static expr_t *expr_shift(binder *b, expr_t *e, int shift)
{
    expr_t *c = arena_alloc(b->arena, sizeof *c);
    *c = *e;
    if (e->kind == EX_COL) { c->col += shift; return c; }
    if (e->nargs) {
        c->args = arena_alloc(b->arena, sizeof(expr_t *) * (size_t)e->nargs);
        for (int i = 0; i < e->nargs; i++) c->args[i] = expr_shift(b, e->args[i], shift);
    }
    return c;
}

/* Join output scope: the left scope, then the right scope shifted by the left width. */
static void join_scope(relation *l, relation *r, int left_width, relation *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < l->ncols; i++) {
        relation_add(out, l->cols[i].qual, l->cols[i].name, l->cols[i].type, l->cols[i].index);
        out->cols[out->ncols - 1].prop = l->cols[i].prop;
    }
    for (int i = 0; i < r->ncols; i++) {
        int idx = r->cols[i].index < 0 ? -1 : r->cols[i].index + left_width;
        relation_add(out, r->cols[i].qual, r->cols[i].name, r->cols[i].type, idx);
        out->cols[out->ncols - 1].prop = r->cols[i].prop;
    }
}

/* Key expressions that are not plain columns become extra columns of a calc below the join. */
typedef struct key_side {
    plan_node *node;
    expr_vec extra;
} key_side;

static int key_column(key_side *ks, expr_t *e)
{
    if (e->kind == EX_COL) return e->col;
    for (size_t i = 0; i < ks->extra.len; i++)
        if (expr_equal(ks->extra.items[i], e)) return (int)(ks->node->schema.ncols + i);
    VEC_PUSH(ks->extra, e);
    return (int)(ks->node->schema.ncols + ks->extra.len - 1);
}

static plan_node *add_key_columns(binder *b, key_side *ks, span_t sp)
{
    if (!ks->extra.len) return ks->node;
    int n = (int)ks->node->schema.ncols, total = n + (int)ks->extra.len;
    expr_t **proj = arena_alloc(b->arena, sizeof(expr_t *) * (size_t)total);
    for (int i = 0; i < n; i++) proj[i] = expr_col(b->arena, i, ks->node->schema.types[i], sp);
    for (size_t i = 0; i < ks->extra.len; i++) proj[n + (int)i] = ks->extra.items[i];
    return make_calc(b, ks->node, NULL, proj, total, NULL, sp);
}

/* col + INTERVAL (or - INTERVAL) -> column and offset; 0 if e is not of that form. */
static int time_term(const expr_t *e, int *col, int64_t *off)
{
    if (e->kind == EX_COL) { *col = e->col; *off = 0; return 1; }
    if (e->kind != EX_CALL || e->nargs != 2) return 0;
    int plus = !strcmp(e->fn->name, "+"), minus = !strcmp(e->fn->name, "-");
    const expr_t *c = e->args[0], *k = e->args[1];
    if ((!plus && !minus) || c->kind != EX_COL || k->kind != EX_CONST || k->type.id != TY_INTERVAL_DT) return 0;
    *col = c->col;
    *off = minus ? -k->val.i : k->val.i;
    return 1;
}

/* One comparison x OP y between the two rowtimes: narrows lower/upper of right - left. */
static int time_bound(const char *op, const expr_t *x, const expr_t *y, int lt, int rt, int64_t *lower,
                      int64_t *upper)
{
    int xc, yc;
    int64_t xo, yo;
    if (!time_term(x, &xc, &xo) || !time_term(y, &yc, &yo)) return 0;
    int64_t bound;
    int ge;
    if (xc == rt && yc == lt) {               /* r + xo OP l + yo  ->  r - l OP yo - xo */
        bound = yo - xo;
        ge = op[0] == '>';
    } else if (xc == lt && yc == rt) {        /* l + xo OP r + yo  ->  r - l OP' xo - yo */
        bound = xo - yo;
        ge = op[0] == '<';
    } else {
        return 0;
    }
    int strict = op[1] != '=';
    if (ge) { bound += strict; if (bound > *lower) *lower = bound; }
    else { bound -= strict; if (bound < *upper) *upper = bound; }
    return 1;
}

static int is_time_predicate(const expr_t *e, int lt, int rt, int64_t *lower, int64_t *upper)
{
    if (e->kind != EX_CALL) return 0;
    const char *f = e->fn->name;
    if (!strcmp(f, "BETWEEN") && e->nargs == 3) {
        int64_t lo = *lower, hi = *upper;
        if (!time_bound(">=", e->args[0], e->args[1], lt, rt, &lo, &hi)) return 0;
        if (!time_bound("<=", e->args[0], e->args[2], lt, rt, &lo, &hi)) return 0;
        *lower = lo;
        *upper = hi;
        return 1;
    }
    if (e->nargs == 2 && (!strcmp(f, ">=") || !strcmp(f, ">") || !strcmp(f, "<=") || !strcmp(f, "<")))
        return time_bound(f, e->args[0], e->args[1], lt, rt, lower, upper);
    return 0;
}

static join_type join_type_of(join_kind k)
{
    return k == JOIN_LEFT ? JT_LEFT : k == JOIN_RIGHT ? JT_RIGHT : k == JOIN_FULL ? JT_FULL : JT_INNER;
}

static expr_t *and_all(binder *b, expr_vec *v, span_t sp)
{
    expr_t *acc = NULL;
    for (size_t i = 0; i < v->len; i++) {
        if (!acc) { acc = v->items[i]; continue; }
        expr_t *args[2] = {acc, v->items[i]};
        if (!(acc = make_call(b, "AND", args, 2, sp))) return NULL;
    }
    return acc;
}

static int64_t state_ttl(binder *b)
{
    const char *v = ctx_config(b->ctx, "table.exec.state.ttl");
    if (!v) return 0;
    char *end;
    double n = strtod(v, &end);
    while (*end == ' ') end++;
    int64_t unit = US_PER_MS;
    if (!strncmp(end, "ms", 2)) unit = US_PER_MS;
    else if (*end == 's') unit = US_PER_SEC;
    else if (*end == 'm') unit = 60 * US_PER_SEC;
    else if (*end == 'h') unit = 3600 * US_PER_SEC;
    else if (*end == 'd') unit = US_PER_DAY;
    return (int64_t)(n * (double)unit);
}

static int bind_lookup_join(binder *b, ast_t *j, relation *l, relation *out);

static int bind_join(binder *b, ast_t *j, relation *out)
{
    relation l, r;
    memset(&l, 0, sizeof l);
    memset(&r, 0, sizeof r);
    if (bind_from(b, j->a, &l)) return -1;
    if (j->b->kind == AST_TABLE_REF && j->b->system_time) {
        int rc = bind_lookup_join(b, j, &l, out);
        relation_free(&l);
        return rc;
    }
    int rc = -1;
    ast_vec cs = {0};
    expr_vec residual = {0};
    key_side ls = {l.node, {0}}, rs = {NULL, {0}};
    relation both, final;
    memset(&both, 0, sizeof both);
    memset(&final, 0, sizeof final);
    if (bind_from(b, j->b, &r)) goto out;
    rs.node = r.node;
    if (l.has_window || r.has_window || l.rank || r.rank) {
        err_at(j->span, "window joins and joins of ROW_NUMBER subqueries are not supported");
        goto out;
    }
    if (j->join == JOIN_CROSS || !j->c) {
        err_at(j->span, "a join needs ON with at least one equality between the two sides; CROSS JOIN and comma joins are not supported");
        goto out;
    }
    int lw = (int)l.node->schema.ncols;
    join_scope(&l, &r, lw, &both);
    bind_scope s = {&both, NULL, 0};
    conjuncts(j->c, &cs);
    VEC(int) lk = {0}, rk = {0};
    VEC(ast_t *) rest = {0};
    for (size_t i = 0; i < cs.len; i++) {
        ast_t *c = cs.items[i];
        if (c->kind == AST_BINARY && !strcmp(c->op, "=")) {
            expr_t *x = bind_expr(b, &s, c->a), *y;
            if (!x || !(y = bind_expr(b, &s, c->b))) { VEC_FREE(lk); VEC_FREE(rk); VEC_FREE(rest); goto out; }
            int sx = expr_sides(x, lw), sy = expr_sides(y, lw);
            if ((sx == 1 && sy == 2) || (sx == 2 && sy == 1)) {
                expr_t *le = sx == 1 ? x : y, *re = sx == 1 ? y : x;
                re = expr_shift(b, re, -lw);
                type_t ct;
                if (!type_common(le->type, re->type, &ct)) {
                    char b1[64], b2[64];
                    err_at(c->span, "cannot join %s with %s", type_name(le->type, b1, sizeof b1), type_name(re->type, b2, sizeof b2));
                    VEC_FREE(lk); VEC_FREE(rk); VEC_FREE(rest);
                    goto out;
                }
                if (!type_equal(le->type, ct)) le = expr_cast(b->arena, le, ct, c->span);
                if (!type_equal(re->type, ct)) re = expr_cast(b->arena, re, ct, c->span);
                VEC_PUSH(lk, key_column(&ls, le));
                VEC_PUSH(rk, key_column(&rs, re));
                continue;
            }
        }
        VEC_PUSH(rest, c);
    }
    if (!lk.len) {
        err_at(j->c->span, "a join needs at least one equality between a column of each side (an equi-join)");
        VEC_FREE(lk); VEC_FREE(rk); VEC_FREE(rest);
        goto out;
    }
    plan_node *left = add_key_columns(b, &ls, j->span), *right = add_key_columns(b, &rs, j->span);
    int lw2 = (int)left->schema.ncols;
    join_scope(&l, &r, lw2, &final);
    bind_scope fs = {&final, NULL, 0};
    /* Time bounds between the two rowtimes make an interval join. */
    int lt = left->rowtime_col, rt = -1;
    for (uint32_t i = 0; i < left->schema.ncols; i++) if (left->schema.types[i].attr == TA_ROWTIME) { lt = (int)i; break; }
    for (uint32_t i = 0; i < right->schema.ncols; i++) if (right->schema.types[i].attr == TA_ROWTIME) { rt = (int)i + lw2; break; }
    int64_t lower = INT64_MIN, upper = INT64_MAX;
    for (size_t i = 0; i < rest.len; i++) {
        expr_t *e = bind_expr(b, &fs, rest.items[i]);
        if (!e || check_boolean(e, "a join condition")) { VEC_FREE(lk); VEC_FREE(rk); VEC_FREE(rest); goto out; }
        if (lt >= 0 && rt >= 0 && type_is_time_attr(e->type) == 0 && is_time_predicate(e, lt, rt, &lower, &upper))
            continue;
        VEC_PUSH(residual, e);
    }
    VEC_FREE(rest);
    int interval = lower != INT64_MIN && upper != INT64_MAX;
    if (!interval && (lower != INT64_MIN || upper != INT64_MAX)) {
        err_at(j->c->span, "a time-bounded join needs both a lower and an upper bound between the rowtimes, e.g. "
               "b.ts BETWEEN a.ts - INTERVAL '5' SECOND AND a.ts + INTERVAL '5' SECOND");
        VEC_FREE(lk); VEC_FREE(rk);
        goto out;
    }
    plan_node *n = plan_new(b->job, b->arena, interval ? PN_INTERVAL_JOIN : PN_JOIN, 2, j->span);
    n->inputs[0] = left;
    n->inputs[1] = right;
    n->join = join_type_of(j->join);
    n->njoin_keys = (int)lk.len;
    n->left_keys = arena_alloc(b->arena, sizeof(int) * lk.len);
    n->right_keys = arena_alloc(b->arena, sizeof(int) * lk.len);
    memcpy(n->left_keys, lk.items, sizeof(int) * lk.len);
    memcpy(n->right_keys, rk.items, sizeof(int) * lk.len);
    VEC_FREE(lk);
    VEC_FREE(rk);
    n->residual = and_all(b, &residual, j->span);
    if (residual.len && !n->residual) goto out;
    schema_init(&n->schema, left->schema.ncols + right->schema.ncols);
    for (uint32_t i = 0; i < n->schema.ncols; i++) {
        const schema_t *src = i < left->schema.ncols ? &left->schema : &right->schema;
        uint32_t k = i < left->schema.ncols ? i : i - left->schema.ncols;
        n->schema.types[i] = src->types[k];
        n->schema.names[i] = xstrdup(src->names[k]);
        if (!interval && n->schema.types[i].attr == TA_ROWTIME) n->schema.types[i].attr = TA_NONE;
        if (n->join != JT_INNER) n->schema.types[i].not_null = 0;
    }
    if (interval) {
        n->left_time_col = lt;
        n->right_time_col = rt - lw2;
        n->lower_us = lower;
        n->upper_us = upper;
        n->mode = CM_INSERT_ONLY;
        if (left->mode != CM_INSERT_ONLY || right->mode != CM_INSERT_ONLY) {
            err_at(j->span, "an interval join needs insert-only inputs, but an input is updated by %s",
                   producer_desc(b, left->mode != CM_INSERT_ONLY ? left : right));
            VEC_FREE(lk);
            goto out;
        }
    } else {
        n->mode = (n->join == JT_INNER && left->mode == CM_INSERT_ONLY && right->mode == CM_INSERT_ONLY)
                      ? CM_INSERT_ONLY : CM_UPDATE;
        n->state_ttl_us = state_ttl(b);
    }
    char desc[160];
    static const char *names[] = {"Join", "LeftOuterJoin", "RightOuterJoin", "FullOuterJoin"};
    snprintf(desc, sizeof desc, "%s%s (at line %u, column %u)", interval ? "Interval" : "", names[n->join], j->span.line,
             j->span.col);
    n->what = arena_strdup(b->arena, desc);
    *out = final;
    memset(&final, 0, sizeof final);
    out->node = n;
    out->span = j->span;
    rc = 0;
out:
    VEC_FREE(cs);
    VEC_FREE(residual);
    VEC_FREE(ls.extra);
    VEC_FREE(rs.extra);
    relation_free(&both);
    relation_free(&final);
    relation_free(&l);
    relation_free(&r);
    return rc;
}

/* JOIN dim FOR SYSTEM_TIME AS OF left.proctime [AS] d ON d.k = left.x */
static int bind_lookup_join(binder *b, ast_t *j, relation *l, relation *out)
{
    ast_t *ref = j->b;
    const char *name = ast_last(ref);
    catalog_table *t = catalog_table_find(b->cat, name);
    if (!t) {
        sb_t names = {0};
        catalog_names(b->cat, &names);
        const char *best = catalog_suggest(b->cat, name);
        if (best) err_at(ref->span, "unknown table '%s'; did you mean '%s'? tables and views: %s", name, best, sb_str(&names));
        else err_at(ref->span, "unknown table '%s'; tables and views: %s", name, sb_str(&names));
        sb_free(&names);
        return -1;
    }
    if (!t->connector->create_lookup)
        return err_at(ref->span, "table '%s' uses connector '%s', which cannot be looked up (FOR SYSTEM_TIME AS OF)",
                      t->name, t->connector->name);
    if (j->join != JOIN_INNER && j->join != JOIN_LEFT)
        return err_at(j->span, "a lookup join must be an INNER or LEFT join");
    bind_scope ls0 = {l, NULL, 0};
    ast_t *st = ref->system_time;
    int is_proctime_call = st->kind == AST_CALL && str_ieq(st->name, "PROCTIME") && !st->list.len;
    if (!is_proctime_call) {
        expr_t *e = bind_expr(b, &ls0, st);
        if (!e) return -1;
        if (e->type.attr != TA_PROCTIME)
            return err_at(st->span, "FOR SYSTEM_TIME AS OF needs a processing-time attribute of the left table "
                          "(a PROCTIME() column) for a lookup join; event-time temporal joins are not supported");
    }
    const char *qual = ref->alias ? ref->alias : name;
    int lw = (int)l->node->schema.ncols;
    relation dim;
    memset(&dim, 0, sizeof dim);
    schema_t *phys = &t->conn.physical;
    for (uint32_t i = 0; i < phys->ncols; i++) relation_add(&dim, qual, phys->names[i], phys->types[i], (int)i);
    relation both;
    join_scope(l, &dim, lw, &both);
    bind_scope s = {&both, NULL, 0};
    ast_vec cs = {0};
    expr_vec residual = {0};
    VEC(int) dk = {0};
    key_side ks = {l->node, {0}};
    expr_vec keyexprs = {0};
    int rc = -1;
    if (!j->c) { err_at(j->span, "a lookup join needs ON with an equality on a column of '%s'", t->name); goto out; }
    conjuncts(j->c, &cs);
    ast_vec rest = {0};
    for (size_t i = 0; i < cs.len; i++) {
        ast_t *c = cs.items[i];
        if (c->kind == AST_BINARY && !strcmp(c->op, "=")) {
            expr_t *x = bind_expr(b, &s, c->a), *y;
            if (!x || !(y = bind_expr(b, &s, c->b))) { VEC_FREE(rest); goto out; }
            expr_t *d = x->kind == EX_COL && x->col >= lw ? x : y->kind == EX_COL && y->col >= lw ? y : NULL;
            expr_t *o = d == x ? y : x;
            if (d && expr_sides(o, lw) == 1) {
                type_t dt = phys->types[d->col - lw];
                if (!type_equal(o->type, dt)) {
                    if (!cast_allowed(o->type, dt)) {
                        char b1[64], b2[64];
                        err_at(c->span, "cannot look up %s column '%s' with a %s value", type_name(dt, b1, sizeof b1),
                               phys->names[d->col - lw], type_name(o->type, b2, sizeof b2));
                        VEC_FREE(rest);
                        goto out;
                    }
                    o = expr_cast(b->arena, o, dt, c->span);
                }
                VEC_PUSH(dk, d->col - lw);
                VEC_PUSH(keyexprs, o);
                continue;
            }
        }
        VEC_PUSH(rest, c);
    }
    if (!dk.len) {
        err_at(j->c->span, "a lookup join needs an equality between a column of '%s' and the left side", t->name);
        VEC_FREE(rest);
        goto out;
    }
    int *ik = arena_alloc(b->arena, sizeof(int) * dk.len);
    for (size_t i = 0; i < keyexprs.len; i++) ik[i] = key_column(&ks, keyexprs.items[i]);
    plan_node *left = add_key_columns(b, &ks, j->span);
    int lw2 = (int)left->schema.ncols;
    /* The other conditions see the dimension columns after the key columns added on the left. */
    relation_free(&both);
    join_scope(l, &dim, lw2, &both);
    for (size_t i = 0; i < rest.len; i++) {
        expr_t *e = bind_expr(b, &s, rest.items[i]);
        if (!e || check_boolean(e, "a join condition")) { VEC_FREE(rest); goto out; }
        VEC_PUSH(residual, e);
    }
    VEC_FREE(rest);
    plan_node *n = plan_new(b->job, b->arena, PN_LOOKUP_JOIN, 1, j->span);
    n->inputs[0] = left;
    n->join = j->join == JOIN_LEFT ? JT_LEFT : JT_INNER;
    n->dim_table = t;
    n->njoin_keys = (int)dk.len;
    n->left_keys = ik;
    n->right_keys = arena_alloc(b->arena, sizeof(int) * dk.len);
    memcpy(n->right_keys, dk.items, sizeof(int) * dk.len);
    n->residual = and_all(b, &residual, j->span);
    if (residual.len && !n->residual) goto out;
    schema_init(&n->schema, (uint32_t)lw2 + phys->ncols);
    for (int i = 0; i < lw2; i++) {
        n->schema.types[i] = left->schema.types[i];
        n->schema.names[i] = xstrdup(left->schema.names[i]);
    }
    for (uint32_t i = 0; i < phys->ncols; i++) {
        n->schema.types[lw2 + (int)i] = phys->types[i];
        if (n->join == JT_LEFT) n->schema.types[lw2 + (int)i].not_null = 0;
        n->schema.names[lw2 + (int)i] = xstrdup(phys->names[i]);
    }
    n->mode = left->mode;
    char desc[160];
    snprintf(desc, sizeof desc, "LookupJoin (%s at line %u, column %u)", t->name, j->span.line, j->span.col);
    n->what = arena_strdup(b->arena, desc);
    relation_free(&both);
    join_scope(l, &dim, lw2, out);
    out->node = n;
    out->span = j->span;
    rc = 0;
out:
    VEC_FREE(cs);
    VEC_FREE(residual);
    VEC_FREE(dk);
    VEC_FREE(ks.extra);
    VEC_FREE(keyexprs);
    relation_free(&dim);
    relation_free(&both);
    return rc;
}

/* ------------------------------------------------------------------ MATCH_RECOGNIZE */

typedef struct match_ctx {
    const char **vars;          /* pattern variables, in order of first appearance */
    int nvars;
    VEC(match_nav) navs;
    int input_width;            /* nav k is column input_width + k */
    int in_measures;
    type_t rowtime_type;
} match_ctx;

static int match_var(match_ctx *mc, const char *name)
{
    for (int i = 0; i < mc->nvars; i++)
        if (str_ieq(mc->vars[i], name)) return i;
    return -1;
}

static expr_t *nav_ref(binder *b, match_ctx *mc, match_nav nav, span_t sp)
{
    int idx = -1;
    for (size_t i = 0; i < mc->navs.len && idx < 0; i++) {
        match_nav *o = &mc->navs.items[i];
        if (o->kind == nav.kind && o->var == nav.var && o->col == nav.col && o->offset == nav.offset &&
            o->agg.def == nav.agg.def)
            idx = (int)i;
    }
    if (idx < 0) {
        VEC_PUSH(mc->navs, nav);
        idx = (int)mc->navs.len - 1;
    }
    return expr_col(b->arena, mc->input_width + idx, nav.type, sp);
}

/* `V.col` or `col` inside a navigation call or aggregate: the variable (-1 for none) and column. */
static int nav_operand(binder *b, bind_scope *s, ast_t *arg, int *var, int *col, type_t *t)
{
    match_ctx *mc = s->match;
    *var = -1;
    if (arg->kind == AST_STAR) {
        if (arg->nnames && (*var = match_var(mc, arg->names[arg->nnames - 1])) < 0)
            return err_at(arg->span, "'%s' is not a pattern variable", arg->names[arg->nnames - 1]);
        *col = -1;
        *t = type_make(TY_NULL);
        return 0;
    }
    if (arg->kind != AST_IDENT) return err_at(arg->span, "expected a column, optionally qualified by a pattern variable");
    ast_t plain = *arg;
    if (arg->nnames >= 2) {
        if ((*var = match_var(mc, arg->names[arg->nnames - 2])) < 0)
            return err_at(arg->span, "'%s' is not a pattern variable of this MATCH_RECOGNIZE",
                          arg->names[arg->nnames - 2]);
        plain.names = arg->names + arg->nnames - 1;
        plain.nnames = 1;
    }
    int c;
    if (resolve_ident(s->rel, &plain, &c)) return -1;
    *col = s->rel->cols[c].index;
    *t = s->rel->cols[c].type;
    (void)b;
    return 0;
}

/* Pattern variables, navigation functions and aggregates over the match. NULL with no error
 * pending means "not one of those". */
static expr_t *bind_match_ref(binder *b, bind_scope *s, ast_t *n, int *handled)
{
    match_ctx *mc = s->match;
    *handled = 1;
    match_nav nav;
    memset(&nav, 0, sizeof nav);
    if (n->kind == AST_IDENT && n->nnames >= 2 && match_var(mc, n->names[n->nnames - 2]) >= 0) {
        nav.kind = NAV_LAST;
        if (nav_operand(b, s, n, &nav.var, &nav.col, &nav.type)) return NULL;
        return nav_ref(b, mc, nav, n->span);
    }
    if (n->kind == AST_CALL && !n->over) {
        const char *f = n->name;
        if (str_ieq(f, "PREV") || str_ieq(f, "FIRST") || str_ieq(f, "LAST")) {
            if (n->list.len < 1 || n->list.len > 2) {
                err_at(n->span, "%s takes (column [, offset])", f);
                return NULL;
            }
            nav.kind = str_ieq(f, "PREV") ? NAV_PREV : str_ieq(f, "FIRST") ? NAV_FIRST : NAV_LAST;
            if (nav_operand(b, s, n->list.items[0], &nav.var, &nav.col, &nav.type)) return NULL;
            nav.offset = nav.kind == NAV_PREV ? 1 : 0;
            if (n->list.len == 2) {
                ast_t *o = n->list.items[1];
                if (o->kind != AST_LITERAL || o->lit != LIT_INTEGER) {
                    err_at(o->span, "the offset of %s must be an integer literal", f);
                    return NULL;
                }
                nav.offset = (int)strtol(o->text, NULL, 10);
            }
            if (nav.col < 0) {
                err_at(n->span, "%s needs a column", f);
                return NULL;
            }
            return nav_ref(b, mc, nav, n->span);
        }
        if (str_ieq(f, "MATCH_ROWTIME")) {
            nav.kind = NAV_MATCH_ROWTIME;
            nav.col = -1;
            nav.var = -1;
            nav.type = mc->rowtime_type;
            nav.type.attr = TA_ROWTIME;
            return nav_ref(b, mc, nav, n->span);
        }
        if (str_ieq(f, "CLASSIFIER")) {
            nav.kind = NAV_CLASSIFIER;
            nav.col = -1;
            nav.var = -1;
            nav.type = type_make(TY_STRING);
            return nav_ref(b, mc, nav, n->span);
        }
        const agg_def *def = agg_lookup(f);
        if (def) {
            if (n->distinct || n->filter) {
                err_at(n->span, "DISTINCT and FILTER are not supported in MATCH_RECOGNIZE aggregates");
                return NULL;
            }
            nav.kind = NAV_AGG;
            if (n->star) { nav.var = -1; nav.col = -1; nav.type = type_make(TY_NULL); }
            else if (n->list.len != 1) {
                err_at(n->span, "aggregate function %s takes 1 argument", def->name);
                return NULL;
            } else if (nav_operand(b, s, n->list.items[0], &nav.var, &nav.col, &nav.type)) return NULL;
            nav.agg.def = def;
            nav.agg.arg_type = nav.type;
            nav.agg.arg_col = nav.col;
            nav.agg.filter_col = -1;
            if (def->result_type(nav.type, &nav.agg.result_type) < 0) {
                char buf[64];
                err_at(n->span, "aggregate %s does not accept %s", def->name, type_name(nav.type, buf, sizeof buf));
                return NULL;
            }
            nav.type = nav.agg.result_type;
            return nav_ref(b, mc, nav, n->span);
        }
    }
    *handled = 0;
    return NULL;
}

static pat_node *bind_pattern(binder *b, match_ctx *mc, ast_t *p, ast_vec *names)
{
    pat_node *n = arena_zalloc(b->arena, sizeof *n);
    n->min = p->qmin;
    n->max = p->qmax;
    n->greedy = p->greedy;
    if (p->name) {
        n->kind = PAT_VAR;
        int v = match_var(mc, p->name);
        if (v < 0) {
            mc->vars = xrealloc(mc->vars, sizeof *mc->vars * (size_t)(mc->nvars + 1));
            mc->vars[mc->nvars] = p->name;
            VEC_PUSH(*names, p);
            v = mc->nvars++;
        }
        n->var = v;
        if (!p->greedy && p->qmin == 0 && p->qmax == 1) {
            err_at(p->span, "the reluctant optional quantifier '?\?' is not supported (as in Flink)");
            return NULL;
        }
        return n;
    }
    n->kind = PAT_CONCAT;
    n->nitems = p->list.len;
    n->items = arena_alloc(b->arena, sizeof(pat_node *) * (size_t)(n->nitems + 1));
    for (int i = 0; i < p->list.len; i++)
        if (!(n->items[i] = bind_pattern(b, mc, p->list.items[i], names))) return NULL;
    return n;
}

static int bind_match_recognize(binder *b, ast_t *m, relation *out)
{
    relation in;
    memset(&in, 0, sizeof in);
    if (bind_from(b, m->a, &in)) return -1;
    int rc = -1;
    match_ctx mc;
    memset(&mc, 0, sizeof mc);
    ast_vec var_asts = {0};
    expr_vec pre = {0};
    if (in.rank || in.has_window) { err_at(m->span, "MATCH_RECOGNIZE over a ROW_NUMBER or window table function is not supported"); goto out; }
    if (in.node->mode != CM_INSERT_ONLY) {
        err_at(m->span, "MATCH_RECOGNIZE needs an insert-only input, but its input is updated by %s", producer_desc(b, in.node));
        goto out;
    }
    if (m->all_rows) { err_at(m->span, "ALL ROWS PER MATCH is not supported (as in Flink); use ONE ROW PER MATCH"); goto out; }
    bind_scope ins = {&in, NULL, NULL, NULL};
    /* ORDER BY: a time attribute, ascending, first. */
    ast_t *oi = m->order_by.items[0];
    ast_t *oe = oi->kind == AST_ORDER_ITEM ? oi->a : oi;
    expr_t *te = bind_expr(b, &ins, oe);
    if (!te) goto out;
    if (te->kind != EX_COL || !type_is_time_attr(te->type) || (oi->kind == AST_ORDER_ITEM && oi->desc)) {
        err_at(oe->span, "MATCH_RECOGNIZE must be ordered by a time attribute (rowtime or proctime) ascending first");
        goto out;
    }
    if (m->order_by.len > 1) { err_at(m->order_by.items[1]->span, "MATCH_RECOGNIZE orders by the time attribute only"); goto out; }
    /* The input columns stay; partition expressions that are not columns are appended. */
    int width = (int)in.node->schema.ncols;
    for (int i = 0; i < width; i++) VEC_PUSH(pre, expr_col(b->arena, i, in.node->schema.types[i], m->span));
    int npart = m->list.len;
    int *part = arena_alloc(b->arena, sizeof(int) * (size_t)(npart + 1));
    const char **part_names = arena_zalloc(b->arena, sizeof(char *) * (size_t)(npart + 1));
    for (int i = 0; i < npart; i++) {
        expr_t *e = bind_expr(b, &ins, m->list.items[i]);
        if (!e) goto out;
        part[i] = find_or_add(&pre, e);
        ast_t *pa = m->list.items[i];
        part_names[i] = pa->kind == AST_IDENT ? ast_last(pa) : NULL;
    }
    plan_node *pc = make_calc(b, in.node, NULL, pre.items, (int)pre.len, NULL, m->span);
    /* Pattern variables and their DEFINE conditions. */
    pat_node *pattern = bind_pattern(b, &mc, m->pattern, &var_asts);
    if (!pattern) goto out;
    mc.input_width = (int)pc->schema.ncols;
    mc.rowtime_type = te->type;
    /* Inside MATCH_RECOGNIZE, names are plain or qualified by pattern variables. */
    relation scope;
    memset(&scope, 0, sizeof scope);
    for (int i = 0; i < in.ncols; i++) relation_add(&scope, NULL, in.cols[i].name, in.cols[i].type, in.cols[i].index);
    bind_scope ms = {&scope, NULL, NULL, &mc};
    expr_t **define = arena_zalloc(b->arena, sizeof(expr_t *) * (size_t)(mc.nvars + 1));
    for (int i = 0; i < m->defines.len; i++) {
        ast_t *d = m->defines.items[i];
        int v = match_var(&mc, d->alias);
        if (v < 0) { err_at(d->alias_span, "DEFINE '%s', which is not a variable of the PATTERN", d->alias); relation_free(&scope); goto out; }
        if (define[v]) { err_at(d->alias_span, "variable '%s' is defined twice", d->alias); relation_free(&scope); goto out; }
        if (!(define[v] = bind_expr(b, &ms, d->a)) || check_boolean(define[v], "a DEFINE condition")) { relation_free(&scope); goto out; }
    }
    /* MEASURES over the final match. */
    int nmeas = m->list2.len;
    expr_t **measures = arena_alloc(b->arena, sizeof(expr_t *) * (size_t)(nmeas + 1));
    const char **mnames = arena_alloc(b->arena, sizeof(char *) * (size_t)(nmeas + 1));
    mc.in_measures = 1;
    for (int i = 0; i < nmeas; i++) {
        ast_t *it = m->list2.items[i];
        if (!(measures[i] = bind_expr(b, &ms, it->a))) { relation_free(&scope); goto out; }
        mnames[i] = it->alias ? it->alias : item_name(it, i, b->arena);
    }
    relation_free(&scope);
    int skip_var = -1;
    if (m->skip == SKIP_TO_FIRST || m->skip == SKIP_TO_LAST) {
        if ((skip_var = match_var(&mc, m->skip_var)) < 0) {
            err_at(m->text_span, "AFTER MATCH SKIP TO '%s', which is not a variable of the PATTERN", m->skip_var);
            goto out;
        }
    }
    int64_t within = 0;
    if (m->within && const_interval(b, m->within, &within)) goto out;
    plan_node *n = plan_new(b->job, b->arena, PN_MATCH, 1, m->span);
    n->inputs[0] = pc;
    n->part = part;
    n->npart = npart;
    n->match_pattern = pattern;
    n->match_vars = arena_alloc(b->arena, sizeof(char *) * (size_t)(mc.nvars + 1));
    memcpy(n->match_vars, mc.vars, sizeof(char *) * (size_t)mc.nvars);
    n->match_nvars = mc.nvars;
    n->match_define = define;
    n->match_navs = arena_alloc(b->arena, sizeof(match_nav) * (mc.navs.len + 1));
    memcpy(n->match_navs, mc.navs.items, sizeof(match_nav) * mc.navs.len);
    n->match_nnavs = (int)mc.navs.len;
    n->match_measures = measures;
    n->match_nmeasures = nmeas;
    n->match_skip = m->skip;
    n->match_skip_var = skip_var;
    n->match_within_us = within;
    n->over_time_col = te->col;
    n->over_proctime = te->type.attr == TA_PROCTIME;
    n->mode = CM_INSERT_ONLY;
    schema_init(&n->schema, (uint32_t)(npart + nmeas));
    for (int i = 0; i < npart; i++) {
        n->schema.types[i] = pc->schema.types[part[i]];
        n->schema.types[i].attr = TA_NONE;
        n->schema.names[i] = xstrdup(part_names[i] ? part_names[i] : pc->schema.names[part[i]]);
    }
    for (int i = 0; i < nmeas; i++) {
        n->schema.types[npart + i] = measures[i]->type;
        /* Only MATCH_ROWTIME() stays a time attribute of the output. */
        const expr_t *e = measures[i];
        int rowtime = e->kind == EX_COL && e->col >= mc.input_width &&
                      mc.navs.items[e->col - mc.input_width].kind == NAV_MATCH_ROWTIME;
        if (!rowtime) n->schema.types[npart + i].attr = TA_NONE;
        n->schema.names[npart + i] = xstrdup(mnames[i]);
    }
    char desc[120];
    snprintf(desc, sizeof desc, "Match (MATCH_RECOGNIZE at line %u, column %u)", m->span.line, m->span.col);
    n->what = arena_strdup(b->arena, desc);
    memset(out, 0, sizeof *out);
    out->node = n;
    out->span = m->span;
    const char *qual = m->alias;
    for (uint32_t i = 0; i < n->schema.ncols; i++) relation_add(out, qual, n->schema.names[i], n->schema.types[i], (int)i);
    rc = 0;
out:
    free(mc.vars);
    VEC_FREE(mc.navs);
    VEC_FREE(var_asts);
    VEC_FREE(pre);
    relation_free(&in);
    return rc;
}

static int bind_from(binder *b, ast_t *from, relation *out)
{
    switch (from->kind) {
    case AST_TABLE_REF:
        return bind_table_ref(b, from, out);
    case AST_SUBQUERY: {
        if (bind_query(b, from->a, out)) return -1;
        if (from->columns.len) {
            if (from->columns.len != out->ncols) {
                err_at(from->alias_span, "alias '%s' names %d columns, but the subquery produces %d",
                       from->alias, from->columns.len, out->ncols);
                relation_free(out);
                return -1;
            }
            for (int i = 0; i < out->ncols; i++) out->cols[i].name = ast_last(from->columns.items[i]);
        }
        for (int i = 0; i < out->ncols; i++) out->cols[i].qual = from->alias;
        return 0;
    }
    case AST_TVF:
        return bind_window_tvf(b, from, out);
    case AST_JOIN:
        return bind_join(b, from, out);
    case AST_MATCH_RECOGNIZE:
        return bind_match_recognize(b, from, out);
    case AST_SELECT:
    case AST_UNION:
        return bind_query(b, from, out);
    default:
        return err_at(from->span, "expected a table, a subquery or a window table function");
    }
}

/* ------------------------------------------------------------------ SELECT */

static const char *item_name(ast_t *item, int i, arena_t *a)
{
    if (item->alias) return item->alias;
    ast_t *e = item->a ? item->a : item;
    if (e->kind == AST_IDENT) return ast_last(e);
    char buf[32];
    snprintf(buf, sizeof buf, "EXPR$%d", i);
    return arena_strdup(a, buf);
}

static ast_t *item_expr(ast_t *item) { return item->kind == AST_SELECT_ITEM ? item->a : item; }

static int ast_contains_agg(ast_t *n)
{
    if (!n) return 0;
    if (n->kind == AST_SELECT || n->kind == AST_UNION || n->kind == AST_SUBQUERY) return 0;
    if (is_agg_call(n)) return 1;
    if (ast_contains_agg(n->a) || ast_contains_agg(n->b) || ast_contains_agg(n->c)) return 1;
    for (int i = 0; i < n->list.len; i++) if (ast_contains_agg(n->list.items[i])) return 1;
    for (int i = 0; i < n->list2.len; i++) if (ast_contains_agg(n->list2.items[i])) return 1;
    return 0;
}

/* Does n mention column `name` (or `*`)? */
static int ast_mentions(ast_t *n, const char *name)
{
    if (!n) return 0;
    if (n->kind == AST_STAR) return 1;
    if (n->kind == AST_IDENT) return str_ieq(ast_last(n), name);
    if (ast_mentions(n->a, name) || ast_mentions(n->b, name) || ast_mentions(n->c, name) || ast_mentions(n->filter, name))
        return 1;
    for (int i = 0; i < n->list.len; i++) if (ast_mentions(n->list.items[i], name)) return 1;
    for (int i = 0; i < n->list2.len; i++) if (ast_mentions(n->list2.items[i], name)) return 1;
    return 0;
}

/* Expand the select list into (expression AST, name) pairs, resolving * and t.*. */
typedef struct sel_item {
    ast_t *expr;               /* NULL for an expanded star column */
    int scope_col;             /* for star columns */
    const char *name;
    span_t span;
} sel_item;
typedef VEC(sel_item) sel_vec;

static int expand_select(binder *b, ast_t *q, relation *in, sel_vec *items)
{
    for (int i = 0; i < q->list.len; i++) {
        ast_t *it = q->list.items[i];
        ast_t *e = item_expr(it);
        if (e->kind == AST_STAR) {
            const char *qual = e->nnames ? e->names[e->nnames - 1] : NULL;
            int n = 0;
            for (int c = 0; c < in->ncols; c++) {
                if (qual && !(in->cols[c].qual && str_ieq(in->cols[c].qual, qual))) continue;
                if (in->cols[c].index < 0) continue;
                sel_item si = {NULL, c, in->cols[c].name, e->span};
                VEC_PUSH(*items, si);
                n++;
            }
            if (qual && !n) {
                sb_t l = {0};
                qualifier_list(in, &l);
                err_at(e->span, "unknown table or alias '%s' in '%s.*'; tables in scope: %s", qual, qual, sb_str(&l));
                sb_free(&l);
                return -1;
            }
            continue;
        }
        sel_item si = {e, -1, item_name(it, i, b->arena), it->span};
        VEC_PUSH(*items, si);
    }
    return 0;
}

static expr_t *bind_item(binder *b, bind_scope *s, sel_item *it)
{
    if (it->expr) return bind_expr(b, s, it->expr);
    scope_col *sc = &s->rel->cols[it->scope_col];
    if (s->agg) {
        /* SELECT * with GROUP BY: every column must be a key. */
        ast_t id;
        memset(&id, 0, sizeof id);
        id.kind = AST_IDENT;
        id.span = it->span;
        const char *names[2] = {sc->qual, sc->name};
        id.names = sc->qual ? names : names + 1;
        id.nnames = sc->qual ? 2 : 1;
        return bind_expr(b, s, &id);
    }
    return expr_col(b->arena, sc->index, sc->type, it->span);
}

static int check_boolean(expr_t *e, const char *clause)
{
    if (e->type.id == TY_BOOLEAN || e->type.id == TY_NULL) return 0;
    char buf[64];
    return err_at(e->span, "%s must be a BOOLEAN condition, but it is %s", clause, type_name(e->type, buf, sizeof buf));
}

static int find_or_add(expr_vec *v, expr_t *e)
{
    for (size_t i = 0; i < v->len; i++)
        if (expr_equal(v->items[i], e)) return (int)i;
    VEC_PUSH(*v, e);
    return (int)v->len - 1;
}

static int legacy_window(binder *b, relation *in, ast_t *call, agg_ctx *ac)
{
    window_spec *w = &ac->window;
    memset(w, 0, sizeof *w);
    int nsizes = 1;
    if (str_ieq(call->name, "TUMBLE")) w->kind = WIN_TUMBLE;
    else if (str_ieq(call->name, "HOP")) { w->kind = WIN_HOP; nsizes = 2; }
    else w->kind = WIN_SESSION;
    if (call->list.len != 1 + nsizes)
        return err_at(call->span, "%s takes (time_attr, %s)", call->name,
                      w->kind == WIN_TUMBLE ? "size" : w->kind == WIN_HOP ? "slide, size" : "gap");
    int c;
    type_t tt;
    if (time_attr_col(in, call->list.items[0], &c, &tt)) return -1;
    w->time_type = tt;
    w->proctime = tt.attr == TA_PROCTIME;
    w->time_col = in->cols[c].index;      /* input column; remapped to the pre-projection later */
    int64_t a1, a2 = 0;
    if (const_interval(b, call->list.items[1], &a1)) return -1;
    if (nsizes == 2 && const_interval(b, call->list.items[2], &a2)) return -1;
    if (w->kind == WIN_TUMBLE) w->size_us = a1;
    else if (w->kind == WIN_HOP) { w->slide_us = a1; w->size_us = a2; }
    else w->gap_us = a1;
    ac->windowed = 1;
    ac->legacy_call = call;
    return 0;
}

/* Pending window-property references get their final column numbers. */
static void fix_prop_refs(expr_t *e, agg_ctx *ac, int base)
{
    if (!e) return;
    if (e->kind == EX_COL && e->state == (void *)ac) {
        e->col = base + (-1 - e->col);
        e->state = NULL;
    }
    for (int i = 0; i < e->nargs; i++) fix_prop_refs(e->args[i], ac, base);
}

static const char *producer_desc(binder *b, plan_node *n)
{
    (void)b;
    while (n && n->mode == CM_UPDATE && n->ninputs && n->inputs[0]->mode == CM_UPDATE) n = n->inputs[0];
    return n ? n->what : "?";
}

static int bind_aggregate(binder *b, ast_t *q, relation *in, expr_t *where, sel_vec *items, relation *out)
{
    agg_ctx ac;
    memset(&ac, 0, sizeof ac);
    int rc = -1;
    expr_vec keys = {0};
    ast_vec key_asts = {0};
    int saw_start = 0, saw_end = 0;
    bind_scope ins = {in, NULL, 0};
    if (q->list2.len == 0 && q->distinct) {
        for (size_t i = 0; i < items->len; i++) {
            expr_t *e = bind_item(b, &ins, &items->items[i]);
            if (!e) goto out;
            VEC_PUSH(keys, e);
            VEC_PUSH(key_asts, items->items[i].expr ? items->items[i].expr : q);
        }
    }
    for (int i = 0; i < q->list2.len; i++) {
        ast_t *g = q->list2.items[i];
        if (g->kind == AST_CALL && (str_ieq(g->name, "TUMBLE") || str_ieq(g->name, "HOP") || str_ieq(g->name, "SESSION"))) {
            if (ac.windowed) { err_at(g->span, "only one group window is allowed in GROUP BY"); goto out; }
            if (legacy_window(b, in, g, &ac)) goto out;
            continue;
        }
        if (in->has_window && g->kind == AST_IDENT) {
            int c;
            if (resolve_ident(in, g, &c) == 0 && in->cols[c].index < 0) {
                if (in->cols[c].prop == WP_START) saw_start = 1;
                else if (in->cols[c].prop == WP_END) saw_end = 1;
                else { err_at(g->span, "GROUP BY window_time is not supported; group by window_start, window_end"); goto out; }
                continue;
            }
            err_clear();
        }
        expr_t *e = bind_expr(b, &ins, g);
        if (!e) goto out;
        VEC_PUSH(keys, e);
        VEC_PUSH(key_asts, g);
    }
    if (in->has_window) {
        if (!saw_start || !saw_end) {
            err_at(q->span, "an aggregation over a window table function must GROUP BY window_start, window_end");
            goto out;
        }
        ac.windowed = 1;
        ac.window = in->window;
    }
    ac.keys = keys.items;
    ac.key_asts = key_asts.items;
    ac.nkeys = (int)keys.len;

    /* The SELECT list and HAVING over the aggregation's output. */
    bind_scope s = {in, &ac, 0};
    expr_vec post = {0};
    const char **names = arena_alloc(b->arena, sizeof(char *) * (items->len + 1));
    for (size_t i = 0; i < items->len; i++) {
        expr_t *e = bind_item(b, &s, &items->items[i]);
        if (!e) { VEC_FREE(post); goto out; }
        VEC_PUSH(post, e);
        names[i] = items->items[i].name;
    }
    expr_t *having = NULL;
    if (q->c) {
        if (!(having = bind_expr(b, &s, q->c)) || check_boolean(having, "HAVING")) { VEC_FREE(post); goto out; }
    }

    /* Pre-projection: keys, the time attribute, aggregate arguments and filters. */
    expr_vec pre = {0};
    for (int k = 0; k < ac.nkeys; k++) VEC_PUSH(pre, ac.keys[k]);
    int naggs = (int)ac.items.len;
    agg_call *calls = arena_zalloc(b->arena, sizeof(agg_call) * (size_t)(naggs + 1));
    if (ac.windowed) {
        expr_t *tc = expr_col(b->arena, ac.window.time_col, ac.window.time_type, q->span);
        ac.window.time_col = find_or_add(&pre, tc);
    }
    for (int i = 0; i < naggs; i++) {
        agg_item *it = &ac.items.items[i];
        calls[i].def = it->def;
        calls[i].distinct = it->distinct;
        calls[i].arg_col = it->arg ? find_or_add(&pre, it->arg) : -1;
        calls[i].arg_type = it->arg ? it->arg->type : type_make(TY_NULL);
        calls[i].filter_col = it->filter ? find_or_add(&pre, it->filter) : -1;
        it->def->result_type(calls[i].arg_type, &calls[i].result_type);
        calls[i].append_only = in->node->mode == CM_INSERT_ONLY;
    }
    const char **pre_names = arena_zalloc(b->arena, sizeof(char *) * (pre.len + 1));
    for (int k = 0; k < ac.nkeys; k++) {
        ast_t *ka = ac.key_asts[k];
        pre_names[k] = ka->kind == AST_IDENT ? ast_last(ka) : NULL;
    }
    plan_node *pc = make_calc(b, in->node, where, pre.items, (int)pre.len, pre_names, q->span);
    VEC_FREE(pre);

    /* The aggregation. */
    int nprops = (int)ac.props.len;
    plan_node *agg = plan_new(b->job, b->arena, ac.windowed ? PN_WINDOW_AGG : PN_GROUP_AGG, 1, q->span);
    agg->inputs[0] = pc;
    agg->keys = arena_alloc(b->arena, sizeof(int) * (size_t)(ac.nkeys + 1));
    for (int k = 0; k < ac.nkeys; k++) agg->keys[k] = k;
    agg->nkeys = ac.nkeys;
    agg->aggs = calls;
    agg->naggs = naggs;
    schema_init(&agg->schema, (uint32_t)(ac.nkeys + naggs + nprops));
    for (int k = 0; k < ac.nkeys; k++) {
        agg->schema.types[k] = pc->schema.types[k];
        agg->schema.types[k].attr = TA_NONE;
        agg->schema.names[k] = xstrdup(pc->schema.names[k]);
    }
    for (int i = 0; i < naggs; i++) {
        agg->schema.types[ac.nkeys + i] = calls[i].result_type;
        char buf[48];
        snprintf(buf, sizeof buf, "%s$%d", calls[i].def->name, i);
        agg->schema.names[ac.nkeys + i] = xstrdup(buf);
    }
    if (ac.windowed) {
        agg->window = ac.window;
        agg->props = arena_alloc(b->arena, sizeof(window_prop) * (size_t)(nprops + 1));
        static const char *pnames[] = {"window_start", "window_end", "window_time", "window_proctime"};
        for (int i = 0; i < nprops; i++) {
            agg->props[i] = ac.props.items[i];
            agg->schema.types[ac.nkeys + naggs + i] = window_prop_type(&ac.window, ac.props.items[i]);
            agg->schema.names[ac.nkeys + naggs + i] = xstrdup(pnames[ac.props.items[i]]);
        }
        agg->nprops = nprops;
        agg->mode = CM_INSERT_ONLY;
        if (in->node->mode != CM_INSERT_ONLY) {
            err_at(q->span, "window aggregation needs an insert-only input, but its input is updated by %s",
                   producer_desc(b, in->node));
            VEC_FREE(post);
            goto out;
        }
        agg->what = ac.legacy_call ? "GROUP BY window" : "GROUP BY window_start, window_end";
    } else {
        agg->mode = CM_UPDATE;
        agg->upsert_key = agg->keys;
        agg->nupsert_key = ac.nkeys;
        agg->what = q->list2.len ? "GROUP BY" : q->distinct ? "SELECT DISTINCT" : "a global aggregation";
    }
    {
        /* Describe the operator for errors: "GroupAggregate (GROUP BY shop_code at 12:3)". */
        char desc[160];
        span_t sp = q->list2.len ? q->list2.items[0]->span : q->span;
        snprintf(desc, sizeof desc, "%s (%s at line %u, column %u)", ac.windowed ? "WindowAggregate" : "GroupAggregate",
                 agg->what, sp.line, sp.col);
        agg->what = arena_strdup(b->arena, desc);
    }
    for (size_t i = 0; i < post.len; i++) fix_prop_refs(post.items[i], &ac, ac.nkeys + naggs);
    fix_prop_refs(having, &ac, ac.nkeys + naggs);
    plan_node *top = make_calc(b, agg, having, post.items, (int)post.len, names, q->span);
    memset(out, 0, sizeof *out);
    out->node = top;
    out->span = q->span;
    for (size_t i = 0; i < post.len; i++) relation_add(out, NULL, names[i], top->schema.types[i], (int)i);
    VEC_FREE(post);
    rc = 0;
out:
    VEC_FREE(ac.items);
    VEC_FREE(ac.props);
    VEC_FREE(keys);
    VEC_FREE(key_asts);
    return rc;
}

/* ROW_NUMBER() OVER (...) in a select list: a calc with the other items (plus partition and
 * order columns), then a rank node whose limit the enclosing WHERE sets. */
static int bind_row_number(binder *b, ast_t *q, relation *in, expr_t *where, sel_vec *items, int rn_item,
                           relation *out)
{
    ast_t *call = items->items[rn_item].expr;
    ast_t *over = call->over;
    if (!str_ieq(call->name, "ROW_NUMBER"))
        return err_at(call->span, "%s() OVER is not supported; Top-N and deduplication use ROW_NUMBER()", call->name);
    if (!over->list2.len)
        return err_at(over->span, "ROW_NUMBER() OVER needs ORDER BY");
    bind_scope s = {in, NULL, 0};
    expr_vec proj = {0};
    const char **names = arena_zalloc(b->arena, sizeof(char *) * (items->len + over->list.len + over->list2.len + 2));
    int nvisible = 0;
    for (size_t i = 0; i < items->len; i++) {
        if ((int)i == rn_item) continue;
        expr_t *e = bind_item(b, &s, &items->items[i]);
        if (!e) { VEC_FREE(proj); return -1; }
        VEC_PUSH(proj, e);
        names[nvisible++] = items->items[i].name;
    }
    int npart = over->list.len, norder = over->list2.len;
    int *part = arena_alloc(b->arena, sizeof(int) * (size_t)(npart + 1));
    sort_key *order = arena_zalloc(b->arena, sizeof(sort_key) * (size_t)(norder + 1));
    for (int i = 0; i < npart; i++) {
        expr_t *e = bind_expr(b, &s, over->list.items[i]);
        if (!e) { VEC_FREE(proj); return -1; }
        part[i] = find_or_add(&proj, e);
    }
    int time_order = 0;
    for (int i = 0; i < norder; i++) {
        ast_t *oi = over->list2.items[i];
        ast_t *oe = oi->kind == AST_ORDER_ITEM ? oi->a : oi;
        expr_t *e = bind_expr(b, &s, oe);
        if (!e) { VEC_FREE(proj); return -1; }
        order[i].col = find_or_add(&proj, e);
        order[i].desc = oi->kind == AST_ORDER_ITEM ? oi->desc : 0;
        order[i].nulls_first = oi->kind == AST_ORDER_ITEM && oi->nulls_first >= 0 ? oi->nulls_first : !order[i].desc ? 1 : 0;
        if (i == 0 && norder == 1 && type_is_time_attr(e->type)) time_order = 1;
    }
    for (size_t i = (size_t)nvisible; i < proj.len; i++) names[i] = proj.items[i]->kind == EX_COL ? NULL : NULL;
    plan_node *pc = make_calc(b, in->node, where, proj.items, (int)proj.len, names, q->span);
    int width = (int)proj.len;
    VEC_FREE(proj);
    plan_node *rank = plan_new(b->job, b->arena, PN_RANK, 1, call->span);
    rank->inputs[0] = pc;
    rank->part = part;
    rank->npart = npart;
    rank->order = order;
    rank->norder = norder;
    rank->limit = -1;
    rank->output_rn = 1;
    rank->window_end_col = time_order ? -2 : -1;    /* -2 marks "ordered by a time attribute" */
    schema_init(&rank->schema, (uint32_t)width + 1);
    for (int i = 0; i < width; i++) {
        rank->schema.types[i] = pc->schema.types[i];
        rank->schema.names[i] = xstrdup(pc->schema.names[i]);
    }
    rank->schema.types[width] = type_make(TY_BIGINT);
    rank->schema.types[width].not_null = 1;
    rank->schema.names[width] = xstrdup(items->items[rn_item].name);
    memset(out, 0, sizeof *out);
    out->node = rank;
    out->span = q->span;
    for (size_t i = 0, v = 0; i < items->len; i++) {
        if ((int)i == rn_item) {
            relation_add(out, NULL, items->items[i].name, rank->schema.types[width], width);
            out->rn_col = out->ncols - 1;
        } else {
            relation_add(out, NULL, names[v], pc->schema.types[v], (int)v);
            v++;
        }
    }
    out->rank = rank;
    return 0;
}

/* Split a WHERE into AND-ed conjuncts. */
static void conjuncts(ast_t *n, ast_vec *out)
{
    if (n->kind == AST_BINARY && str_ieq(n->op, "AND")) {
        conjuncts(n->a, out);
        conjuncts(n->b, out);
        return;
    }
    VEC_PUSH(*out, n);
}

static int rn_bound(ast_t *c, const char *rn, int64_t *limit)
{
    if (c->kind != AST_BINARY) return 0;
    ast_t *l = c->a, *r = c->b;
    const char *op = c->op;
    int flipped = 0;
    if (r->kind == AST_IDENT && str_ieq(ast_last(r), rn)) { ast_t *t = l; l = r; r = t; flipped = 1; }
    if (l->kind != AST_IDENT || !str_ieq(ast_last(l), rn)) return 0;
    if (r->kind != AST_LITERAL || r->lit != LIT_INTEGER) return 0;
    int64_t v = strtoll(r->text, NULL, 10);
    if (flipped) {
        if (!strcmp(op, ">=")) op = "<=";
        else if (!strcmp(op, ">")) op = "<";
        else if (!strcmp(op, "<=")) op = ">=";
        else if (!strcmp(op, "<")) op = ">";
    }
    if (!strcmp(op, "<=")) *limit = v;
    else if (!strcmp(op, "<")) *limit = v - 1;
    else if (!strcmp(op, "=") && v == 1) *limit = 1;
    else return 0;
    return 1;
}

static int window_end_partition(plan_node *rank)
{
    for (int i = 0; i < rank->npart; i++) {
        int col;
        plan_node *src = trace_column(rank->inputs[0], rank->part[i], &col);
        if (src->kind == PN_WINDOW_AGG && col >= src->nkeys + src->naggs &&
            src->props[col - src->nkeys - src->naggs] == WP_END) {
            rank->window_ltz = src->window.time_type.id == TY_TIMESTAMP_LTZ;
            return rank->part[i];
        }
    }
    return -1;
}

/* The node is a view's plan, which every later query reading the view shares. */
static int shared_view_plan(binder *b, const plan_node *n)
{
    for (int i = 0; i < b->cat->nviews; i++)
        if (b->cat->views[i]->plan == n) return 1;
    return 0;
}

/* Window Top-N pushdown: a WindowRank whose input is a TUMBLE/HOP/CUMULATE window
 * aggregation through filter-free Calcs that nothing else reads, partitioned by window
 * properties and group keys and ordered by group keys and aggregate results, lets the
 * aggregation emit only each window's top N rows per partition. The WindowRank stays on top
 * and ranks those rows exactly as it would have ranked all of them (the aggregation keeps
 * ties in its emission order, the order the WindowRank breaks them by). */
static void push_window_topn(binder *b, plan_node *rank)
{
    plan_node *agg = rank->inputs[0];
    while (agg->kind == PN_CALC && !agg->filter && !shared_view_plan(b, agg)) agg = agg->inputs[0];
    if (agg->kind != PN_WINDOW_AGG || agg->window.kind == WIN_SESSION || agg->topn_limit > 0 ||
        agg->mode != CM_INSERT_ONLY || shared_view_plan(b, agg) || rank->limit > UINT32_MAX)
        return;
    int results = agg->nkeys + agg->naggs;
    int *part = arena_alloc(b->arena, sizeof(int) * (size_t)(rank->npart + 1));
    sort_key *order = arena_alloc(b->arena, sizeof(sort_key) * (size_t)(rank->norder + 1));
    for (int i = 0; i < rank->npart; i++) {
        plan_node *src = trace_column(rank->inputs[0], rank->part[i], &part[i]);
        if (src != agg || (part[i] >= agg->nkeys && part[i] < results)) return;
    }
    for (int i = 0; i < rank->norder; i++) {
        order[i] = rank->order[i];
        plan_node *src = trace_column(rank->inputs[0], rank->order[i].col, &order[i].col);
        if (src != agg || order[i].col >= results) return;
    }
    agg->topn_part = part;
    agg->topn_npart = rank->npart;
    agg->topn_order = order;
    agg->topn_norder = rank->norder;
    agg->topn_limit = rank->limit;
}

/* The enclosing query of a ROW_NUMBER subquery: take `rn <= N` out of its WHERE. */
static int take_rank_filter(binder *b, ast_t *q, relation *in, ast_t **where)
{
    plan_node *rank = in->rank;
    const char *rn = in->cols[in->rn_col].name;
    ast_vec cs = {0};
    if (*where) conjuncts(*where, &cs);
    int64_t limit = -1;
    ast_t *rest = NULL;
    for (size_t i = 0; i < cs.len; i++) {
        int64_t l;
        if (limit < 0 && rn_bound(cs.items[i], rn, &l)) { limit = l; continue; }
        if (!rest) rest = cs.items[i];
        else {
            ast_t *and = arena_zalloc(b->arena, sizeof *and);
            and->kind = AST_BINARY;
            and->op = "AND";
            and->a = rest;
            and->b = cs.items[i];
            and->span = span_join(rest->span, cs.items[i]->span);
            rest = and;
        }
    }
    VEC_FREE(cs);
    if (limit < 0)
        return err_at(rank->span, "ROW_NUMBER() must be filtered in the enclosing query by '%s <= N' (Top-N) or "
                      "'%s = 1' (deduplication)", rn, rn);
    if (limit < 1) return err_at(q->b->span, "the Top-N limit must be at least 1");
    *where = rest;
    rank->limit = limit;
    int mentions = ast_mentions(rest, rn) || ast_mentions(q->c, rn);
    for (int i = 0; i < q->list.len && !mentions; i++) mentions = ast_mentions(q->list.items[i], rn);
    for (int i = 0; i < q->list2.len && !mentions; i++) mentions = ast_mentions(q->list2.items[i], rn);
    int time_order = rank->window_end_col == -2;
    rank->window_end_col = -1;
    if (!mentions) {
        rank->output_rn = 0;
        rank->schema.ncols--;
        free(rank->schema.names[rank->schema.ncols]);
        rank->schema.names[rank->schema.ncols] = NULL;
        in->cols[in->rn_col].index = -1;
        in->cols[in->rn_col].name = "";
    }
    int wcol = window_end_partition(rank);
    plan_node *input = rank->inputs[0];
    char desc[160];
    if (wcol >= 0 && input->mode == CM_INSERT_ONLY) {
        rank->kind = PN_WINDOW_RANK;
        rank->window_end_col = wcol;
        rank->mode = CM_INSERT_ONLY;
        snprintf(desc, sizeof desc, "WindowRank (ROW_NUMBER at line %u, column %u)", rank->span.line, rank->span.col);
        push_window_topn(b, rank);
    } else if (limit == 1 && time_order && !rank->order[0].desc && input->mode == CM_INSERT_ONLY) {
        rank->mode = CM_INSERT_ONLY;     /* deduplication keeping the first row */
        snprintf(desc, sizeof desc, "Deduplicate (ROW_NUMBER at line %u, column %u)", rank->span.line, rank->span.col);
    } else {
        rank->mode = CM_UPDATE;
        int nk = rank->npart + (rank->output_rn ? 1 : 0);
        rank->upsert_key = arena_alloc(b->arena, sizeof(int) * (size_t)(nk + 1));
        memcpy(rank->upsert_key, rank->part, sizeof(int) * (size_t)rank->npart);
        if (rank->output_rn) rank->upsert_key[rank->npart] = (int)rank->schema.ncols - 1;
        rank->nupsert_key = rank->output_rn || limit == 1 ? nk : 0;
        snprintf(desc, sizeof desc, "Rank (ROW_NUMBER at line %u, column %u)", rank->span.line, rank->span.col);
    }
    rank->what = arena_strdup(b->arena, desc);
    in->rank = NULL;
    return 0;
}

static int bind_order_limit(binder *b, ast_t *q, relation *rel)
{
    if (!q->order_by.len && !q->limit) return 0;
    if (!q->limit) {
        ast_t *oi = q->order_by.items[0];
        ast_t *oe = oi->kind == AST_ORDER_ITEM ? oi->a : oi;
        bind_scope s = {rel, NULL, 0};
        expr_t *e = bind_expr(b, &s, oe);
        if (!e) return -1;
        if (q->order_by.len == 1 && type_is_time_attr(e->type) && !(oi->kind == AST_ORDER_ITEM && oi->desc)) return 0;
        return err_at(oi->span, "ORDER BY without LIMIT must be on a time attribute in ascending order in a streaming query");
    }
    if (q->limit->kind != AST_LITERAL || q->limit->lit != LIT_INTEGER)
        return err_at(q->limit->span, "LIMIT must be an integer literal");
    plan_node *rank = plan_new(b->job, b->arena, PN_RANK, 1, q->limit->span);
    rank->inputs[0] = rel->node;
    rank->limit = strtoll(q->limit->text, NULL, 10);
    rank->norder = q->order_by.len;
    rank->order = arena_zalloc(b->arena, sizeof(sort_key) * (size_t)(rank->norder + 1));
    for (int i = 0; i < rank->norder; i++) {
        ast_t *oi = q->order_by.items[i];
        ast_t *oe = oi->kind == AST_ORDER_ITEM ? oi->a : oi;
        bind_scope s = {rel, NULL, 0};
        expr_t *e = bind_expr(b, &s, oe);
        if (!e) return -1;
        if (e->kind != EX_COL) return err_at(oe->span, "ORDER BY ... LIMIT supports only output columns");
        rank->order[i].col = e->col;
        rank->order[i].desc = oi->kind == AST_ORDER_ITEM ? oi->desc : 0;
        rank->order[i].nulls_first = !rank->order[i].desc;
    }
    plan_set_schema(rank, &rel->node->schema);
    rank->mode = CM_UPDATE;
    char desc[120];
    snprintf(desc, sizeof desc, "Rank (ORDER BY ... LIMIT at line %u, column %u)", q->limit->span.line, q->limit->span.col);
    rank->what = arena_strdup(b->arena, desc);
    rel->node = rank;
    return 0;
}

static int ast_has_over(ast_t *n)
{
    if (!n) return 0;
    if (n->kind == AST_SELECT || n->kind == AST_UNION || n->kind == AST_SUBQUERY) return 0;
    if (n->kind == AST_CALL && n->over && !str_ieq(n->name, "ROW_NUMBER")) return 1;
    if (ast_has_over(n->a) || ast_has_over(n->b) || ast_has_over(n->c)) return 1;
    for (int i = 0; i < n->list.len; i++) if (ast_has_over(n->list.items[i])) return 1;
    return 0;
}

/* SELECT ..., agg(x) OVER (PARTITION BY p ORDER BY t ROWS|RANGE BETWEEN .. PRECEDING AND CURRENT ROW) */
static int bind_over(binder *b, ast_t *q, relation *in, expr_t *where, sel_vec *items, relation *out)
{
    over_ctx oc;
    memset(&oc, 0, sizeof oc);
    bind_scope s = {in, NULL, &oc};
    expr_vec post = {0}, pre = {0};
    int rc = -1;
    const char **names = arena_alloc(b->arena, sizeof(char *) * (items->len + 1));
    for (size_t i = 0; i < items->len; i++) {
        expr_t *e = bind_item(b, &s, &items->items[i]);
        if (!e) goto out;
        VEC_PUSH(post, e);
        names[i] = items->items[i].name;
    }
    ast_t *w = oc.spec;
    bind_scope ins = {in, NULL, NULL};
    if (w->list2.len != 1) {
        err_at(w->span, "an OVER window must ORDER BY exactly one time attribute");
        goto out;
    }
    ast_t *oi = w->list2.items[0];
    ast_t *oe = oi->kind == AST_ORDER_ITEM ? oi->a : oi;
    expr_t *te = bind_expr(b, &ins, oe);
    if (!te) goto out;
    if (te->kind != EX_COL || !type_is_time_attr(te->type) || (oi->kind == AST_ORDER_ITEM && oi->desc)) {
        err_at(oe->span, "an OVER window must be ordered by a time attribute (rowtime or proctime) ascending");
        goto out;
    }
    /* The input columns stay where they are; partition keys and arguments that are not
     * plain columns are appended. */
    int width = (int)in->node->schema.ncols;
    for (int i = 0; i < width; i++) VEC_PUSH(pre, expr_col(b->arena, i, in->node->schema.types[i], q->span));
    int *part = arena_alloc(b->arena, sizeof(int) * (size_t)(w->list.len + 1));
    for (int i = 0; i < w->list.len; i++) {
        expr_t *e = bind_expr(b, &ins, w->list.items[i]);
        if (!e) goto out;
        part[i] = find_or_add(&pre, e);
    }
    int naggs = (int)oc.items.len;
    agg_call *calls = arena_zalloc(b->arena, sizeof(agg_call) * (size_t)(naggs + 1));
    for (int i = 0; i < naggs; i++) {
        agg_item *it = &oc.items.items[i];
        calls[i].def = it->def;
        calls[i].distinct = it->distinct;
        calls[i].arg_col = it->arg ? find_or_add(&pre, it->arg) : -1;
        calls[i].arg_type = it->arg ? it->arg->type : type_make(TY_NULL);
        calls[i].filter_col = it->filter ? find_or_add(&pre, it->filter) : -1;
        it->def->result_type(calls[i].arg_type, &calls[i].result_type);
    }
    int64_t preceding = -1;
    int rows = w->frame_rows == 1;
    if (w->frame_start) {
        ast_t *fs = w->frame_start;
        if (rows) {
            if (fs->kind != AST_LITERAL || fs->lit != LIT_INTEGER) {
                err_at(fs->span, "ROWS BETWEEN n PRECEDING needs an integer n");
                goto out;
            }
            preceding = strtoll(fs->text, NULL, 10);
        } else {
            if (const_interval(b, fs, &preceding)) goto out;
        }
    }
    plan_node *pc = make_calc(b, in->node, where, pre.items, (int)pre.len, NULL, q->span);
    plan_node *n = plan_new(b->job, b->arena, PN_OVER_AGG, 1, w->span);
    n->inputs[0] = pc;
    n->part = part;
    n->npart = w->list.len;
    n->aggs = calls;
    n->naggs = naggs;
    n->over_time_col = te->col;
    n->over_proctime = te->type.attr == TA_PROCTIME;
    n->over_rows = rows;
    n->over_preceding = preceding;
    n->mode = CM_INSERT_ONLY;
    if (pc->mode != CM_INSERT_ONLY) {
        err_at(w->span, "OVER aggregation needs an insert-only input, but its input is updated by %s", producer_desc(b, pc));
        goto out;
    }
    schema_init(&n->schema, pc->schema.ncols + (uint32_t)naggs);
    for (uint32_t i = 0; i < pc->schema.ncols; i++) {
        n->schema.types[i] = pc->schema.types[i];
        n->schema.names[i] = xstrdup(pc->schema.names[i]);
    }
    for (int i = 0; i < naggs; i++) {
        char buf[48];
        snprintf(buf, sizeof buf, "w0$%s%d", calls[i].def->name, i);
        n->schema.types[pc->schema.ncols + (uint32_t)i] = calls[i].result_type;
        n->schema.names[pc->schema.ncols + (uint32_t)i] = xstrdup(buf);
    }
    char desc[120];
    snprintf(desc, sizeof desc, "OverAggregate (at line %u, column %u)", w->span.line, w->span.col);
    n->what = arena_strdup(b->arena, desc);
    for (size_t i = 0; i < post.len; i++) fix_over_refs(post.items[i], &oc, (int)pc->schema.ncols);
    plan_node *top = make_calc(b, n, NULL, post.items, (int)post.len, names, q->span);
    memset(out, 0, sizeof *out);
    out->node = top;
    out->span = q->span;
    for (size_t i = 0; i < post.len; i++) relation_add(out, NULL, names[i], top->schema.types[i], (int)i);
    rc = 0;
out:
    VEC_FREE(oc.items);
    VEC_FREE(post);
    VEC_FREE(pre);
    return rc;
}

static int bind_select(binder *b, ast_t *q, relation *out)
{
    if (!q->a) return err_at(q->span, "a SELECT without FROM is not supported in a streaming job");
    relation in;
    memset(&in, 0, sizeof in);
    if (bind_from(b, q->a, &in)) return -1;
    int rc = -1;
    sel_vec items = {0};
    ast_t *where_ast = q->b;
    if (in.rank && take_rank_filter(b, q, &in, &where_ast)) goto out;
    bind_scope s = {&in, NULL, 0};
    expr_t *where = NULL;
    if (where_ast && (!(where = bind_expr(b, &s, where_ast)) || check_boolean(where, "WHERE"))) goto out;
    if (expand_select(b, q, &in, &items)) goto out;
    int has_agg = q->list2.len || q->distinct || ast_contains_agg(q->c);
    int rn_item = -1;
    for (size_t i = 0; i < items.len; i++) {
        ast_t *e = items.items[i].expr;
        if (!e) continue;
        if (ast_contains_agg(e)) has_agg = 1;
        if (e->kind == AST_CALL && e->over && str_ieq(e->name, "ROW_NUMBER")) {
            if (rn_item >= 0) { err_at(e->span, "only one ROW_NUMBER() per query is supported"); goto out; }
            rn_item = (int)i;
        }
    }
    int has_over = 0;
    for (size_t i = 0; i < items.len; i++) has_over |= ast_has_over(items.items[i].expr);
    if (has_over) {
        if (has_agg || rn_item >= 0) {
            err_at(q->span, "OVER aggregation cannot be combined with GROUP BY or ROW_NUMBER in one SELECT; use a subquery");
            goto out;
        }
        rc = bind_over(b, q, &in, where, &items, out);
    } else if (rn_item >= 0) {
        if (has_agg) { err_at(items.items[rn_item].expr->span, "ROW_NUMBER() OVER cannot be combined with aggregation in one SELECT; aggregate in a subquery"); goto out; }
        rc = bind_row_number(b, q, &in, where, &items, rn_item, out);
    } else if (has_agg) {
        rc = bind_aggregate(b, q, &in, where, &items, out);
    } else {
        if (q->c) { err_at(q->c->span, "HAVING needs GROUP BY or an aggregate function"); goto out; }
        expr_vec proj = {0};
        const char **names = arena_alloc(b->arena, sizeof(char *) * (items.len + 1));
        for (size_t i = 0; i < items.len; i++) {
            expr_t *e = bind_item(b, &s, &items.items[i]);
            if (!e) { VEC_FREE(proj); goto out; }
            VEC_PUSH(proj, e);
            names[i] = items.items[i].name;
        }
        plan_node *calc = make_calc(b, in.node, where, proj.items, (int)proj.len, names, q->span);
        memset(out, 0, sizeof *out);
        out->node = calc;
        out->span = q->span;
        for (size_t i = 0; i < proj.len; i++) relation_add(out, NULL, names[i], calc->schema.types[i], (int)i);
        VEC_FREE(proj);
        rc = 0;
    }
    if (rc == 0 && !out->rank && (rc = bind_order_limit(b, q, out))) relation_free(out);
out:
    VEC_FREE(items);
    relation_free(&in);
    return rc;
}

/* Cast a relation's columns to the given types (for UNION ALL and INSERT). */
static plan_node *cast_columns(binder *b, plan_node *in, const type_t *types, const char **names, int n, span_t sp)
{
    expr_t **proj = arena_alloc(b->arena, sizeof(expr_t *) * (size_t)(n + 1));
    int identity = (int)in->schema.ncols == n;
    for (int i = 0; i < n; i++) {
        expr_t *e = expr_col(b->arena, i, in->schema.types[i], sp);
        if (!type_equal(in->schema.types[i], types[i]) ||
            (types[i].id == TY_TIMESTAMP && in->schema.types[i].precision != types[i].precision)) {
            e = expr_cast(b->arena, e, types[i], sp);
            identity = 0;
        }
        proj[i] = e;
        if (names && strcmp(names[i], in->schema.names[i])) identity = 0;
    }
    if (identity) return in;
    return make_calc(b, in, NULL, proj, n, names, sp);
}

static int bind_union(binder *b, ast_t *q, relation *out)
{
    if (!q->all) return err_at(q->span, "UNION without ALL (distinct union) is not supported; use UNION ALL");
    relation l, r;
    memset(&l, 0, sizeof l);
    memset(&r, 0, sizeof r);
    if (bind_query(b, q->a, &l)) return -1;
    if (bind_query(b, q->b, &r)) { relation_free(&l); return -1; }
    int rc = -1;
    if (l.ncols != r.ncols) {
        err_at(q->span, "UNION ALL inputs have %d and %d columns", l.ncols, r.ncols);
        goto out;
    }
    type_t *types = arena_alloc(b->arena, sizeof(type_t) * (size_t)(l.ncols + 1));
    const char **names = arena_alloc(b->arena, sizeof(char *) * (size_t)(l.ncols + 1));
    for (int i = 0; i < l.ncols; i++) {
        if (!type_common(l.cols[i].type, r.cols[i].type, &types[i])) {
            char b1[64], b2[64];
            err_at(q->span, "UNION ALL column %d ('%s') has incompatible types %s and %s", i + 1, l.cols[i].name,
                   type_name(l.cols[i].type, b1, sizeof b1), type_name(r.cols[i].type, b2, sizeof b2));
            goto out;
        }
        if (l.cols[i].type.attr == r.cols[i].type.attr) types[i].attr = l.cols[i].type.attr;
        names[i] = l.cols[i].name;
    }
    plan_node *u = plan_new(b->job, b->arena, PN_UNION, 2, q->span);
    u->inputs[0] = cast_columns(b, l.node, types, names, l.ncols, q->span);
    u->inputs[1] = cast_columns(b, r.node, types, names, l.ncols, q->span);
    u->mode = (u->inputs[0]->mode == CM_UPDATE || u->inputs[1]->mode == CM_UPDATE) ? CM_UPDATE : CM_INSERT_ONLY;
    u->what = "UNION ALL";
    schema_init(&u->schema, (uint32_t)l.ncols);
    for (int i = 0; i < l.ncols; i++) {
        u->schema.types[i] = types[i];
        u->schema.names[i] = xstrdup(names[i]);
    }
    memset(out, 0, sizeof *out);
    out->node = u;
    out->span = q->span;
    for (int i = 0; i < l.ncols; i++) relation_add(out, NULL, names[i], types[i], i);
    rc = 0;
out:
    relation_free(&l);
    relation_free(&r);
    return rc;
}

static int bind_query(binder *b, ast_t *q, relation *out)
{
    switch (q->kind) {
    case AST_SELECT: return bind_select(b, q, out);
    case AST_UNION: return bind_union(b, q, out);
    case AST_SUBQUERY: return bind_query(b, q->a, out);
    case AST_QUERY_STMT: return bind_query(b, q->a, out);
    default: return err_at(q->span, "expected a query");
    }
}

/* ------------------------------------------------------------------ INSERT */

static int implicit_cast_ok(type_t from, type_t to)
{
    if (from.id == TY_NULL || type_equal(from, to)) return 1;
    if (type_is_numeric(from) && type_is_numeric(to)) return 1;
    if (from.id == to.id) return 1;
    if (type_is_timestamp(from) && type_is_timestamp(to)) return 1;
    return 0;
}

static int bind_sink(binder *b, catalog_table *t, relation *rel, ast_t *cols, span_t sp)
{
    if (!t->connector->create_sink)
        return err_at(sp, "table '%s' uses connector '%s', which cannot be written to", t->name, t->connector->name);
    schema_t *phys = &t->conn.physical;
    int n = (int)phys->ncols;
    int *src = xcalloc((size_t)n + 1, sizeof *src);
    int rc = -1;
    for (int i = 0; i < n; i++) src[i] = -1;
    if (cols && cols->columns.len) {
        if (cols->columns.len != rel->ncols) {
            err_at(sp, "INSERT INTO '%s' names %d columns, but the query produces %d", t->name, cols->columns.len, rel->ncols);
            goto out;
        }
        for (int i = 0; i < cols->columns.len; i++) {
            ast_t *id = cols->columns.items[i];
            int c = schema_find(phys, ast_last(id));
            if (c < 0) { err_at(id->span, "table '%s' has no physical column '%s'", t->name, ast_last(id)); goto out; }
            src[c] = i;
        }
    } else {
        int visible = 0;
        for (int i = 0; i < rel->ncols; i++) visible += rel->cols[i].index >= 0;
        if (visible != n) {
            sb_t l = {0};
            for (int i = 0; i < n; i++) sb_printf(&l, "%s%s", i ? ", " : "", phys->names[i]);
            err_at(sp, "the query produces %d columns, but table '%s' has %d: %s", visible, t->name, n, sb_str(&l));
            sb_free(&l);
            goto out;
        }
        for (int i = 0, k = 0; i < rel->ncols; i++)
            if (rel->cols[i].index >= 0) src[k++] = i;
    }
    expr_t **proj = arena_alloc(b->arena, sizeof(expr_t *) * (size_t)(n + 1));
    const char **names = arena_alloc(b->arena, sizeof(char *) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        names[i] = phys->names[i];
        if (src[i] < 0) {
            proj[i] = expr_const(b->arena, phys->types[i], value_null(), sp);
            continue;
        }
        scope_col *sc = &rel->cols[src[i]];
        expr_t *e = expr_col(b->arena, sc->index, sc->type, sp);
        if (!implicit_cast_ok(sc->type, phys->types[i])) {
            char b1[64], b2[64];
            err_at(sp, "column %d ('%s') of the query is %s, but column '%s' of table '%s' is %s; add a CAST",
                   src[i] + 1, sc->name, type_name(sc->type, b1, sizeof b1), phys->names[i], t->name,
                   type_name(phys->types[i], b2, sizeof b2));
            goto out;
        }
        if (!type_equal(sc->type, phys->types[i]) ||
            (type_is_timestamp(sc->type) && sc->type.precision != phys->types[i].precision))
            e = expr_cast(b->arena, e, phys->types[i], sp);
        proj[i] = e;
    }
    plan_node *shape = make_calc(b, rel->node, NULL, proj, n, names, sp);
    plan_node *sink = plan_new(b->job, b->arena, PN_SINK, 1, sp);
    sink->inputs[0] = shape;
    sink->sink_table = t;
    sink->mode = shape->mode;
    plan_set_schema(sink, phys);
    sink->what = t->name;
    b->job->sinks = xrealloc(b->job->sinks, sizeof *b->job->sinks * (size_t)(b->job->nsinks + 1));
    b->job->sinks[b->job->nsinks++] = sink;
    rc = 0;
out:
    free(src);
    return rc;
}

int bind_insert(binder *b, ast_t *stmt)
{
    const char *name = ast_last(stmt);
    catalog_table *t = catalog_table_find(b->cat, name);
    if (!t) {
        sb_t names = {0};
        catalog_names(b->cat, &names);
        if (catalog_view_find(b->cat, name)) err_at(stmt->span, "cannot INSERT INTO view '%s'", name);
        else err_at(stmt->span, "unknown table '%s' in INSERT INTO; tables: %s", name, sb_str(&names));
        sb_free(&names);
        return -1;
    }
    relation rel;
    memset(&rel, 0, sizeof rel);
    if (bind_query(b, stmt->a, &rel)) return -1;
    int rc = -1;
    if (rel.rank) {
        err_at(rel.rank->span, "ROW_NUMBER() must be filtered in an enclosing query by 'rn <= N' (Top-N) or 'rn = 1' "
               "(deduplication)");
        goto out;
    }
    rc = bind_sink(b, t, &rel, stmt, stmt->span);
out:
    relation_free(&rel);
    return rc;
}

int bind_query_into(binder *b, ast_t *query, catalog_table *sink_table, span_t sp)
{
    relation rel;
    memset(&rel, 0, sizeof rel);
    if (bind_query(b, query, &rel)) return -1;
    int rc = -1;
    if (rel.rank) {
        err_at(rel.rank->span, "ROW_NUMBER() must be filtered in an enclosing query by 'rn <= N' (Top-N) or 'rn = 1' "
               "(deduplication)");
        goto out;
    }
    /* The print table takes the query's own columns. */
    schema_free(&sink_table->conn.physical);
    int visible = 0;
    for (int i = 0; i < rel.ncols; i++) visible += rel.cols[i].index >= 0;
    schema_init(&sink_table->conn.physical, (uint32_t)visible);
    for (int i = 0, k = 0; i < rel.ncols; i++) {
        if (rel.cols[i].index < 0) continue;
        type_t t = rel.cols[i].type;
        t.attr = TA_NONE;
        sink_table->conn.physical.types[k] = t;
        sink_table->conn.physical.names[k++] = xstrdup(rel.cols[i].name);
    }
    rc = bind_sink(b, sink_table, &rel, NULL, sp);
out:
    relation_free(&rel);
    return rc;
}
