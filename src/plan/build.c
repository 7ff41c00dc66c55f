/* build.c - creates one operator per plan node (shared nodes once), connects them, and
 * opens the connectors' sources and sinks. */
#include "plan/build.h"
#include "base/util.h"
#include <stdlib.h>

static void add_op(built_job *b, op_t *op)
{
    b->ops = xrealloc(b->ops, sizeof *b->ops * (size_t)(b->nops + 1));
    b->ops[b->nops++] = op;
}

/* The table's 'scan.watermark.idle-timeout', else the job's 'table.exec.source.idle-timeout'
 * (0 or absent: sources never go idle). */
static int source_idle_timeout(const connector_table *t, exec_ctx *ctx, int64_t *out)
{
    *out = 0;
    if (table_opt_entry(t, "scan.watermark.idle-timeout"))
        return table_opt_duration(t, "scan.watermark.idle-timeout", 0, out);
    const char *v = ctx_config(ctx, "table.exec.source.idle-timeout");
    if (v && duration_parse_us(v, out) < 0)
        return err_msg("table.exec.source.idle-timeout expects a duration such as '10 s' or '500 ms', got '%s'", v);
    return 0;
}

static op_t *build_node(plan_node *n, exec_ctx *ctx, built_job *b)
{
    if (n->op) return n->op;
    op_t *inputs[8];
    for (int i = 0; i < n->ninputs && i < 8; i++)
        if (!(inputs[i] = build_node(n->inputs[i], ctx, b))) return NULL;
    const schema_t *in = n->ninputs ? &n->inputs[0]->schema : NULL;
    op_t *op = NULL;
    switch (n->kind) {
    case PN_SCAN: {
        catalog_table *t = n->table;
        source_t *src = t->connector->create_source(&t->conn);
        if (!src) return NULL;
        const char *strategy = table_opt(&t->conn, "scan.watermark.emit.strategy");
        int64_t idle_us = 0;
        if (source_idle_timeout(&t->conn, ctx, &idle_us) < 0) {
            src->vt->close(src);
            return NULL;
        }
        scan_spec spec = {src, n->computed, n->ncomputed, n->rowtime_col, n->watermark, idle_us,
                          strategy && str_ieq(strategy, "on-event")};
        op = scan_new(ctx, &n->schema, &spec);
        b->scans = xrealloc(b->scans, sizeof *b->scans * (size_t)(b->nscans + 1));
        b->scans[b->nscans++] = op;
        break;
    }
    case PN_CALC:
        op = calc_new(ctx, in, &n->schema, n->filter, n->proj, n->nproj);
        break;
    case PN_GROUP_AGG:
        op = group_agg_new(ctx, &n->schema, n->keys, n->nkeys, n->aggs, n->naggs);
        break;
    case PN_WINDOW_AGG:
        op = window_agg_new(ctx, &n->schema, &n->window, n->keys, n->nkeys, n->aggs, n->naggs, n->props, n->nprops);
        if (op && n->topn_limit > 0) {
            /* the group keys among the partition columns: the window properties have one
               value per firing */
            int *part = xcalloc((size_t)n->topn_npart + 1, sizeof *part), npart = 0;
            for (int i = 0; i < n->topn_npart; i++)
                if (n->topn_part[i] < n->nkeys) part[npart++] = n->topn_part[i];
            window_topn t = {part, npart, n->topn_order, n->topn_norder, n->topn_limit};
            int rc = window_agg_set_topn(op, &t);
            free(part);
            if (rc < 0) {
                op_destroy(op);
                return NULL;
            }
        }
        break;
    case PN_RANK:
    case PN_WINDOW_RANK: {
        rank_spec rs = {n->part, n->npart, n->order, n->norder, n->limit, n->output_rn,
                        n->inputs[0]->mode == CM_UPDATE, n->window_ltz};
        op = n->kind == PN_RANK ? rank_new(ctx, &n->schema, &rs) : window_rank_new(ctx, &n->schema, &rs, n->window_end_col);
        break;
    }
    case PN_UNION:
        op = union_new(ctx, &n->schema, n->ninputs);
        break;
    case PN_CHANGELOG_NORMALIZE:
        op = changelog_normalize_new(ctx, &n->schema, n->upsert_key, n->nupsert_key);
        break;
    case PN_JOIN: {
        join_spec js = {n->join, n->left_keys, n->right_keys, n->njoin_keys, n->residual, in,
                        &n->inputs[1]->schema, n->state_ttl_us};
        op = join_new(ctx, &n->schema, &js);
        break;
    }
    case PN_INTERVAL_JOIN: {
        interval_join_spec is = {n->join, n->left_keys, n->right_keys, n->njoin_keys, n->left_time_col,
                                 n->right_time_col, n->lower_us, n->upper_us, n->residual, in, &n->inputs[1]->schema};
        op = interval_join_new(ctx, &n->schema, &is);
        break;
    }
    case PN_LOOKUP_JOIN: {
        catalog_table *t = n->dim_table;
        lookup_t *lk = t->connector->create_lookup(&t->conn, n->right_keys, n->njoin_keys);
        if (!lk) return NULL;
        lookup_join_spec ls = {n->join == JT_LEFT, lk, n->left_keys, n->njoin_keys, n->residual, in, &t->conn.physical};
        op = lookup_join_new(ctx, &n->schema, &ls);
        break;
    }
    case PN_OVER_AGG: {
        over_spec os = {n->part, n->npart, n->over_time_col, n->over_proctime, n->over_rows, n->over_preceding,
                        n->aggs, n->naggs};
        op = over_agg_new(ctx, &n->schema, &os);
        break;
    }
    case PN_MATCH: {
        match_spec ms = {n->part, n->npart, n->over_time_col, n->over_proctime, n->match_pattern, n->match_vars,
                         n->match_nvars, n->match_define, n->match_navs, n->match_nnavs, n->match_measures,
                         n->match_nmeasures, (match_skip)n->match_skip, n->match_skip_var, n->match_within_us, in};
        op = match_new(ctx, &n->schema, &ms);
        break;
    }
    case PN_SINK: {
        catalog_table *t = n->sink_table;
        sink_t *sink = t->connector->create_sink(&t->conn);
        if (!sink) return NULL;
        op = sink_new(ctx, &n->schema, sink);
        b->sinks = xrealloc(b->sinks, sizeof *b->sinks * (size_t)(b->nsinks + 1));
        b->sinks[b->nsinks++] = op;
        break;
    }
    }
    if (!op) return NULL;
    op->id = n->id;
    for (int i = 0; i < n->ninputs; i++) op_connect(inputs[i], op, i);
    n->op = op;
    add_op(b, op);
    if (op->vt->open && op->vt->open(op) < 0) return NULL;
    return op;
}

int plan_build(plan_job *plan, exec_ctx *ctx, built_job *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < plan->nsinks; i++)
        if (!build_node(plan->sinks[i], ctx, out)) return -1;
    return 0;
}

void built_job_free(built_job *b)
{
    /* Sinks first so they flush while their inputs still exist; then the rest. */
    for (int i = b->nops - 1; i >= 0; i--) op_destroy(b->ops[i]);
    free(b->ops);
    free(b->scans);
    free(b->sinks);
    memset(b, 0, sizeof *b);
}
