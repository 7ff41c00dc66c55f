/* job.c - drives a job: statements in order (SET, CREATE, INSERT), one plan for all INSERTs
 * (sharing their sources), then the run loop that pulls every source in turn, ticks
 * processing-time timers, and stops when every bounded source has ended. */
#include "exec/job.h"
#include "base/util.h"
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

int64_t ctx_wall_clock_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

const char *ctx_config(const exec_ctx *ctx, const char *key)
{
    const char *v = NULL;
    for (int i = 0; i < ctx->nconfig; i++)
        if (strcmp(ctx->config[i].key, key) == 0) v = ctx->config[i].value;
    return v;
}

static double mono_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void config_set(exec_ctx *ctx, const char *key, const char *value)
{
    ctx->config = xrealloc(ctx->config, sizeof *ctx->config * (size_t)(ctx->nconfig + 1));
    ctx->config[ctx->nconfig].key = xstrdup(key);
    ctx->config[ctx->nconfig].value = xstrdup(value);
    ctx->nconfig++;
}

/* Keys eddy understands; others are accepted (Flink jobs carry many) but reported. */
static const char *const known_keys[] = {
    "table.local-time-zone", "pipeline.name", "parallelism.default", "execution.runtime-mode",
    "table.exec.state.ttl", "table.exec.source.idle-timeout", "execution.checkpointing.interval",
    "table.exec.mini-batch.enabled", "table.exec.mini-batch.allow-latency", "table.exec.mini-batch.size",
    "sql-client.execution.result-mode", "table.dml-sync", "pipeline.auto-watermark-interval",
    "table.exec.legacy-cast-behaviour", NULL,
};

static int apply_time_zone(job *j, span_t sp)
{
    const char *zone = ctx_config(&j->ctx, "table.local-time-zone");
    if (!zone || str_ieq(zone, "default")) {
        j->ctx.local_tz = tz_default();
    } else {
        char msg[512];
        const tz_t *tz = tz_get(zone, msg, sizeof msg);
        if (!tz) return sp.line ? err_at(sp, "table.local-time-zone: %s", msg) : err_msg("table.local-time-zone: %s", msg);
        j->ctx.local_tz = tz;
    }
    value_set_session_tz(j->ctx.local_tz);
    return 0;
}

static int run_set(job *j, ast_t *stmt)
{
    config_set(&j->ctx, stmt->text, stmt->text2 ? stmt->text2 : "");
    int known = 0;
    for (int i = 0; known_keys[i]; i++) known |= strcmp(known_keys[i], stmt->text) == 0;
    known |= strncmp(stmt->text, "eddy.binding.", 13) == 0;
    if (!known) fprintf(stderr, "%s:%u:%u: warning: configuration key '%s' has no effect in eddy\n", j->file_name,
                        stmt->span.line, stmt->span.col, stmt->text);
    if (strcmp(stmt->text, "table.local-time-zone") == 0) return apply_time_zone(j, stmt->text2_span);
    return 0;
}

/* -D settings win over the job's SET statements: applied first and again after every SET. */
static int apply_overrides(job *j, char **overrides, int n)
{
    for (int k = 0; k < n; k++) {
        char *eq = strchr(overrides[k], '=');
        *eq = 0;
        config_set(&j->ctx, overrides[k], eq + 1);
        int tz = strcmp(overrides[k], "table.local-time-zone") == 0;
        *eq = '=';
        if (tz && apply_time_zone(j, (span_t){0})) return -1;
    }
    return 0;
}

/* A bare SELECT prints its rows, like the SQL client. */
static catalog_table *print_table(job *j, span_t sp)
{
    catalog_table *t = xcalloc(1, sizeof *t);
    char name[32];
    snprintf(name, sizeof name, "print$%d", j->plan.nsinks);
    t->name = arena_strdup(&j->arena, name);
    t->span = sp;
    t->watermark_col = -1;
    t->connector = connector_lookup("print");
    t->conn.name = t->name;
    t->conn.span = sp;
    t->conn.ctx = &j->ctx;
    catalog *c = &j->cat;
    c->tables = xrealloc(c->tables, sizeof *c->tables * (size_t)(c->ntables + 1));
    c->tables[c->ntables++] = t;
    return t;
}

static void number_nodes(plan_node *n, int *next)
{
    if (n->id) return;
    for (int i = 0; i < n->ninputs; i++) number_nodes(n->inputs[i], next);
    n->id = (*next)++;
}

int job_load(job *j, const char *file_name, const char *text, char **overrides, int noverrides)
{
    memset(j, 0, sizeof *j);
    j->file_name = file_name;
    j->text = xstrdup(text);
    arena_init(&j->arena, 64 * 1024);
    j->ctx.now_us = ctx_wall_clock_us;
    j->ctx.query_start_us = ctx_wall_clock_us();
    err_set_source(file_name, j->text);
    if (apply_time_zone(j, (span_t){0})) return -1;
    catalog_init(&j->cat, &j->arena, &j->ctx);
    ast_list stmts;
    if (sql_parse(j->text, &j->arena, &stmts)) return -1;
    for (int i = 0; i < noverrides; i++) {
        char *eq = strchr(overrides[i], '=');
        if (!eq) return err_msg("-D expects key=value, got '%s'", overrides[i]);
    }
    binder b = {&j->cat, &j->arena, &j->ctx, &j->plan, 0};
    if (apply_overrides(j, overrides, noverrides)) return -1;
    for (int i = 0; i < stmts.len; i++) {
        ast_t *s = stmts.items[i];
        int rc = 0;
        switch (s->kind) {
        case AST_SET: rc = run_set(j, s) || apply_overrides(j, overrides, noverrides); break;
        case AST_CREATE_TABLE: rc = catalog_add_table(&j->cat, s); break;
        case AST_CREATE_VIEW: rc = catalog_add_view(&j->cat, s); break;
        case AST_INSERT: break;
        case AST_QUERY_STMT: break;
        default: rc = err_at(s->span, "this statement is not supported in a job"); break;
        }
        if (rc) return -1;
    }
    /* Bind the INSERTs after every declaration, in file order. */
    for (int i = 0; i < stmts.len; i++) {
        ast_t *s = stmts.items[i];
        if (s->kind == AST_INSERT && bind_insert(&b, s)) return -1;
        if (s->kind == AST_QUERY_STMT && bind_query_into(&b, s->a, print_table(j, s->span), s->span)) return -1;
    }
    if (!j->plan.nsinks) return err_msg("%s has no INSERT INTO or SELECT statement: nothing to run", file_name);
    int next = 1;
    for (int i = 0; i < j->plan.nsinks; i++) number_nodes(j->plan.sinks[i], &next);
    return plan_infer_changelog(&j->plan);
}

int job_explain(job *j, sb_t *out)
{
    plan_explain(&j->plan, out);
    return 0;
}

static int tick_timers(job *j, int64_t now)
{
    for (int i = 0; i < j->ops.nops; i++) {
        op_t *op = j->ops.ops[i];
        if (op->vt->timer && op->vt->timer(op, now) < 0) return -1;
    }
    return 0;
}

int job_run(job *j)
{
    if (plan_build(&j->plan, &j->ctx, &j->ops)) return -1;
    double t0 = mono_seconds();
    int nscans = j->ops.nscans;
    int *ended = xcalloc((size_t)nscans + 1, sizeof *ended);
    int active = nscans;
    int64_t last_tick = j->ctx.now_us();
    int rc = 0;
    while (active > 0 && !(j->stop && *j->stop)) {
        int progress = 0;
        for (int i = 0; i < nscans; i++) {
            if (ended[i]) continue;
            const source_t *src = scan_source(j->ops.scans[i]);
            uint64_t before = src->rows + src->skipped;
            int r = scan_pull(j->ops.scans[i]);
            if (r < 0) { rc = -1; goto out; }
            if (r == 0) { ended[i] = 1; active--; }
            if (src->rows + src->skipped != before) progress = 1;
        }
        int64_t now = j->ctx.now_us();
        if (now - last_tick >= 50000 || !progress) {
            if (tick_timers(j, now) < 0) { rc = -1; goto out; }
            last_tick = now;
        }
        if (!progress && active > 0) usleep(1000);
    }
    if (j->stop && *j->stop) {
        /* Interrupted live run: flush what the sinks hold. */
        for (int i = 0; i < j->ops.nsinks; i++) {
            op_t *s = j->ops.sinks[i];
            if (s->vt->finish && s->vt->finish(s) < 0) { rc = -1; goto out; }
        }
    }
out:
    free(ended);
    j->run_seconds = mono_seconds() - t0;
    return rc;
}

static uint64_t late_upstream(plan_node *n)
{
    if (n->visited) return 0;
    n->visited = 1;
    uint64_t late = n->op && n->kind != PN_SCAN ? n->op->stats.late : 0;
    for (int i = 0; i < n->ninputs; i++) late += late_upstream(n->inputs[i]);
    return late;
}

static void clear_visited(plan_node *n)
{
    n->visited = 0;
    for (int i = 0; i < n->ninputs; i++) clear_visited(n->inputs[i]);
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

void job_summary(job *j, FILE *out)
{
    for (int i = 0; i < j->plan.nscans; i++) {
        plan_node *n = j->plan.scans[i];
        if (!n->op) continue;
        const source_t *s = scan_source(n->op);
        fprintf(out, "source %-24s rows in %10llu  skipped %8llu  late %8llu  time %.3f s\n", n->table->name,
                (unsigned long long)s->rows, (unsigned long long)s->skipped,
                (unsigned long long)scan_late_rows(n->op), j->run_seconds);
    }
    for (int i = 0; i < j->plan.nsinks; i++) {
        plan_node *n = j->plan.sinks[i];
        if (!n->op) continue;
        const sink_t *s = sink_of(n->op);
        uint64_t late = late_upstream(n);
        clear_visited(n);
        fprintf(out, "sink   %-24s rows out %9llu  skipped %8d  late %8llu  time %.3f s\n", n->sink_table->name,
                (unsigned long long)s->rows, 0, (unsigned long long)late, j->run_seconds);
    }
    fprintf(out, "peak memory %.1f MB\n", peak_rss_mb());
}

void job_free(job *j)
{
    built_job_free(&j->ops);
    plan_job_free(&j->plan);
    catalog_free(&j->cat);
    for (int i = 0; i < j->ctx.nconfig; i++) {
        free(j->ctx.config[i].key);
        free(j->ctx.config[i].value);
    }
    free(j->ctx.config);
    arena_free(&j->arena);
    free(j->text);
}
