/* changelog.c - checks that every sink can take the changelog its input produces.
 * Modes and upsert keys are inferred bottom-up while the binder builds each node (see
 * sql/bind.c); this pass applies Flink's rule at the sinks: an updating result needs a
 * sink with a primary key (or one that writes changelogs as such, like print). */
#include "plan/plan.h"
#include "base/strbuf.h"
#include "connect/format.h"

/* The sink writes updates as such: print, blackhole, or a changelog format (debezium-json,
 * canal-json) on a connector that supports them (kafka, mqtt, filesystem). */
static int writes_changelog(const catalog_table *t)
{
    if (t->connector->accepts_updates) return 1;
    if (!t->connector->updates_by_format) return 0;
    const char *name = table_opt(&t->conn, "value.format");
    if (!name) name = table_opt(&t->conn, "format");
    const format_def *f = name ? format_lookup(name) : NULL;
    return f && f->changelog;
}

/* The lowest operator on the input path that turns insert-only rows into updates. */
static plan_node *update_producer(plan_node *n)
{
    for (;;) {
        plan_node *next = NULL;
        for (int i = 0; i < n->ninputs; i++)
            if (n->inputs[i]->mode == CM_UPDATE) { next = n->inputs[i]; break; }
        if (!next) return n;
        n = next;
    }
}

int plan_infer_changelog(plan_job *job)
{
    for (int i = 0; i < job->nsinks; i++) {
        plan_node *s = job->sinks[i];
        catalog_table *t = s->sink_table;
        if (s->mode != CM_UPDATE || t->npk > 0 || writes_changelog(t)) continue;
        plan_node *p = update_producer(s->inputs[0]);
        err_at(s->span, "table '%s' has no primary key, but the query writes updates into it: %s produces "
               "updates (-U/+U/-D)", t->name, p->what ? p->what : plan_kind_name(p->kind));
        err_note("declare PRIMARY KEY (...) NOT ENFORCED on '%s' so the sink can upsert, or make the query "
                 "insert-only (e.g. a window aggregation instead of an unbounded GROUP BY)", t->name);
        return -1;
    }
    return 0;
}
