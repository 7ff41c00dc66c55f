/* explain.c - EXPLAIN: the physical plan as a tree, each node with its changelog mode,
 * upsert key and time attributes, in Flink's notation (changelogMode=[I,UB,UA,D]). */
#include "plan/plan.h"
#include "base/util.h"
#include <stdlib.h>

const char *plan_kind_name(plan_kind k)
{
    static const char *names[] = {"TableSourceScan", "Calc", "GroupAggregate", "WindowAggregate", "Rank",
                                  "WindowRank", "Union", "Sink", "Join", "IntervalJoin", "LookupJoin",
                                  "OverAggregate", "Match", "ChangelogNormalize"};
    return (unsigned)k < ARRAY_LEN(names) ? names[k] : "?";
}

static void col_list(const schema_t *s, const int *cols, int n, sb_t *out)
{
    for (int i = 0; i < n; i++) sb_printf(out, "%s%s", i ? ", " : "", s->names[cols[i]]);
}

/* ", name=600s", or 1500ms / 10us when the duration is not whole seconds (or milliseconds). */
static void duration(sb_t *out, const char *name, int64_t us)
{
    if (us % US_PER_SEC == 0) sb_printf(out, ", %s=%llds", name, (long long)(us / US_PER_SEC));
    else if (us % US_PER_MS == 0) sb_printf(out, ", %s=%lldms", name, (long long)(us / US_PER_MS));
    else sb_printf(out, ", %s=%lldus", name, (long long)us);
}

static void window_desc(const window_spec *w, const schema_t *in, sb_t *out)
{
    static const char *kinds[] = {"TUMBLE", "HOP", "CUMULATE", "SESSION"};
    sb_printf(out, "window=[%s(%s", kinds[w->kind], in->names[w->time_col]);
    if (w->kind == WIN_HOP) duration(out, "slide", w->slide_us);
    if (w->kind == WIN_CUMULATE) duration(out, "step", w->slide_us);
    if (w->kind == WIN_SESSION) duration(out, "gap", w->gap_us);
    else duration(out, "size", w->size_us);
    if (w->offset_us) duration(out, "offset", w->offset_us);
    sb_puts(out, w->proctime ? ", proctime)]" : ")]");
}

static void pattern_text(const pat_node *p, const char **vars, sb_t *out)
{
    if (p->kind == PAT_VAR) sb_puts(out, vars[p->var]);
    else {
        sb_putc(out, '(');
        for (int i = 0; i < p->nitems; i++) {
            if (i) sb_putc(out, ' ');
            pattern_text(p->items[i], vars, out);
        }
        sb_putc(out, ')');
    }
    if (p->min == 1 && p->max == 1) return;
    if (p->min == 0 && p->max == -1) sb_putc(out, '*');
    else if (p->min == 1 && p->max == -1) sb_putc(out, '+');
    else if (p->min == 0 && p->max == 1) sb_putc(out, '?');
    else if (p->max == -1) sb_printf(out, "{%d,}", p->min);
    else if (p->min == p->max) sb_printf(out, "{%d}", p->min);
    else sb_printf(out, "{%d,%d}", p->min, p->max);
    if (!p->greedy) sb_putc(out, '?');
}

static void node_details(plan_node *n, sb_t *out)
{
    const schema_t *in = n->ninputs ? &n->inputs[0]->schema : NULL;
    switch (n->kind) {
    case PN_SCAN:
        sb_printf(out, "table=[%s], connector=[%s], fields=[", n->table->name, n->table->connector->name);
        for (uint32_t i = 0; i < n->schema.ncols; i++) sb_printf(out, "%s%s", i ? ", " : "", n->schema.names[i]);
        sb_puts(out, "]");
        if (n->watermark) {
            sb_printf(out, ", watermark=[");
            expr_format(n->watermark, &n->schema, out);
            sb_puts(out, "]");
        }
        break;
    case PN_CALC:
        sb_puts(out, "select=[");
        for (int i = 0; i < n->nproj; i++) {
            if (i) sb_puts(out, ", ");
            expr_format(n->proj[i], in, out);
            if (n->proj[i]->kind != EX_COL || strcmp(in->names[n->proj[i]->col], n->schema.names[i]))
                sb_printf(out, " AS %s", n->schema.names[i]);
        }
        sb_puts(out, "]");
        if (n->filter) {
            sb_puts(out, ", where=[");
            expr_format(n->filter, in, out);
            sb_puts(out, "]");
        }
        break;
    case PN_GROUP_AGG:
    case PN_WINDOW_AGG:
        if (n->kind == PN_WINDOW_AGG) { window_desc(&n->window, in, out); sb_puts(out, ", "); }
        sb_puts(out, "groupBy=[");
        col_list(in, n->keys, n->nkeys, out);
        sb_puts(out, "], select=[");
        for (int i = 0; i < n->naggs; i++) {
            agg_call *c = &n->aggs[i];
            sb_printf(out, "%s%s(%s%s)", i ? ", " : "", c->def->name, c->distinct ? "DISTINCT " : "",
                      c->arg_col >= 0 ? in->names[c->arg_col] : "*");
            if (c->filter_col >= 0) sb_printf(out, " FILTER %s", in->names[c->filter_col]);
        }
        sb_puts(out, "]");
        if (n->nprops) {
            sb_puts(out, ", properties=[");
            for (int i = 0; i < n->nprops; i++)
                sb_printf(out, "%s%s", i ? ", " : "", n->schema.names[n->nkeys + n->naggs + i]);
            sb_puts(out, "]");
        }
        if (n->kind == PN_WINDOW_AGG && n->topn_limit > 0) {
            sb_puts(out, ", topN=[partition=[");
            col_list(&n->schema, n->topn_part, n->topn_npart, out);
            sb_puts(out, "], orderBy=[");
            for (int i = 0; i < n->topn_norder; i++)
                sb_printf(out, "%s%s %s", i ? ", " : "", n->schema.names[n->topn_order[i].col],
                          n->topn_order[i].desc ? "DESC" : "ASC");
            sb_printf(out, "], limit=%lld]", (long long)n->topn_limit);
        }
        break;
    case PN_RANK:
    case PN_WINDOW_RANK:
        sb_puts(out, "rankType=[ROW_NUMBER], partitionBy=[");
        col_list(in, n->part, n->npart, out);
        sb_puts(out, "], orderBy=[");
        for (int i = 0; i < n->norder; i++)
            sb_printf(out, "%s%s %s", i ? ", " : "", in->names[n->order[i].col], n->order[i].desc ? "DESC" : "ASC");
        sb_printf(out, "], rankRange=[rankStart=1, rankEnd=%lld], outputRankNumber=[%s]", (long long)n->limit,
                  n->output_rn ? "true" : "false");
        if (n->kind == PN_WINDOW_RANK) sb_printf(out, ", windowEnd=[%s]", in->names[n->window_end_col]);
        break;
    case PN_UNION:
        sb_printf(out, "inputs=[%d]", n->ninputs);
        break;
    case PN_CHANGELOG_NORMALIZE:
        sb_puts(out, "key=[");
        col_list(&n->schema, n->upsert_key, n->nupsert_key, out);
        sb_putc(out, ']');
        break;
    case PN_JOIN:
    case PN_INTERVAL_JOIN:
    case PN_LOOKUP_JOIN: {
        static const char *types[] = {"InnerJoin", "LeftOuterJoin", "RightOuterJoin", "FullOuterJoin"};
        const schema_t *right = n->kind == PN_LOOKUP_JOIN ? &n->dim_table->conn.physical : &n->inputs[1]->schema;
        sb_printf(out, "joinType=[%s], where=[", types[n->join]);
        for (int i = 0; i < n->njoin_keys; i++)
            sb_printf(out, "%s%s = %s", i ? " AND " : "", in->names[n->left_keys[i]], right->names[n->right_keys[i]]);
        sb_puts(out, "]");
        if (n->kind == PN_LOOKUP_JOIN) sb_printf(out, ", table=[%s]", n->dim_table->name);
        if (n->kind == PN_INTERVAL_JOIN)
            sb_printf(out, ", interval=[%s - %s BETWEEN %lld ms AND %lld ms]", right->names[n->right_time_col],
                      in->names[n->left_time_col], (long long)(n->lower_us / US_PER_MS), (long long)(n->upper_us / US_PER_MS));
        if (n->residual) {
            sb_puts(out, ", residual=[");
            expr_format(n->residual, &n->schema, out);
            sb_puts(out, "]");
        }
        break;
    }
    case PN_OVER_AGG:
        sb_puts(out, "partitionBy=[");
        col_list(in, n->part, n->npart, out);
        sb_printf(out, "], orderBy=[%s ASC], window=[%s BETWEEN ", in->names[n->over_time_col], n->over_rows ? "ROWS" : "RANGE");
        if (n->over_preceding < 0) sb_puts(out, "UNBOUNDED");
        else if (n->over_rows) sb_printf(out, "%lld", (long long)n->over_preceding);
        else sb_printf(out, "%lld ms", (long long)(n->over_preceding / US_PER_MS));
        sb_puts(out, " PRECEDING AND CURRENT ROW], select=[");
        for (int i = 0; i < n->naggs; i++)
            sb_printf(out, "%s%s(%s)", i ? ", " : "", n->aggs[i].def->name,
                      n->aggs[i].arg_col >= 0 ? in->names[n->aggs[i].arg_col] : "*");
        sb_puts(out, "]");
        break;
    case PN_MATCH: {
        static const char *skips[] = {"PAST LAST ROW", "TO NEXT ROW", "TO FIRST ", "TO LAST "};
        sb_puts(out, "partitionBy=[");
        col_list(in, n->part, n->npart, out);
        sb_printf(out, "], orderBy=[%s ASC], pattern=[", in->names[n->over_time_col]);
        pattern_text(n->match_pattern, n->match_vars, out);
        sb_printf(out, "], afterMatch=[SKIP %s%s]", skips[n->match_skip],
                  n->match_skip_var >= 0 ? n->match_vars[n->match_skip_var] : "");
        if (n->match_within_us) sb_printf(out, ", within=[%lld ms]", (long long)(n->match_within_us / US_PER_MS));
        break;
    }
    case PN_SINK:
        sb_printf(out, "table=[%s], connector=[%s], fields=[", n->sink_table->name, n->sink_table->connector->name);
        for (uint32_t i = 0; i < n->schema.ncols; i++) sb_printf(out, "%s%s", i ? ", " : "", n->schema.names[i]);
        sb_puts(out, "]");
        if (n->sink_table->npk) {
            sb_puts(out, ", primaryKey=[");
            col_list(&n->schema, n->sink_table->conn.pk, n->sink_table->conn.npk, out);
            sb_puts(out, "]");
        }
        break;
    }
}

static void explain_node(plan_node *n, int depth, sb_t *out)
{
    for (int i = 0; i < depth; i++) sb_puts(out, i == depth - 1 ? "+- " : "   ");
    sb_printf(out, "%s(", plan_kind_name(n->kind));
    node_details(n, out);
    /* an upsert source's rows are +U (upserts) and -D (deletes) until ChangelogNormalize */
    int upserts = n->kind == PN_SCAN && n->table->connector->upsert_source;
    sb_printf(out, ") changelogMode=[%s]", upserts ? "UA,D" : n->mode == CM_INSERT_ONLY ? "I" : "I,UB,UA,D");
    if (n->nupsert_key) {
        sb_puts(out, " upsertKey=[");
        col_list(&n->schema, n->upsert_key, n->nupsert_key, out);
        sb_puts(out, "]");
    }
    int first = 1;
    for (uint32_t i = 0; i < n->schema.ncols; i++) {
        int attr = n->schema.types[i].attr;
        if (attr == TA_NONE) continue;
        sb_printf(out, "%s%s:%s", first ? " timeAttributes=[" : ", ", n->schema.names[i], attr == TA_ROWTIME ? "ROWTIME" : "PROCTIME");
        first = 0;
    }
    if (!first) sb_puts(out, "]");
    if (n->visited) {
        sb_puts(out, " (shared, shown above)\n");
        return;
    }
    sb_putc(out, '\n');
    n->visited = 1;
    for (int i = 0; i < n->ninputs; i++) explain_node(n->inputs[i], depth + 1, out);
}

static void clear_visited(plan_node *n)
{
    n->visited = 0;
    for (int i = 0; i < n->ninputs; i++) clear_visited(n->inputs[i]);
}

void plan_explain(plan_job *job, sb_t *out)
{
    for (int i = 0; i < job->nsinks; i++) {
        if (i) sb_putc(out, '\n');
        explain_node(job->sinks[i], 0, out);
    }
    for (int i = 0; i < job->nsinks; i++) clear_visited(job->sinks[i]);
}

void plan_job_free(plan_job *job)
{
    for (int i = 0; i < job->nnodes; i++) schema_free(&job->nodes[i]->schema);
    for (int i = 0; i < job->ncalls; i++) expr_free_state(job->calls[i]);
    free(job->calls);
    free(job->nodes);
    free(job->sinks);
    free(job->scans);
    memset(job, 0, sizeof *job);
}
