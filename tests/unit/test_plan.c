/* test_plan.c - from SQL text to the physical plan (job_load): catalog declarations, name
 * and type binding, node kinds and shapes, schemas with time attributes, changelog modes and
 * upsert keys, window specs, Top-N / deduplication / window Top-N recognition, calc fusion,
 * -D overrides against SET, EXPLAIN text, and the exact text of the planner's errors. */
#include "check.h"
#include "exec/job.h"
#include "expr/func.h"
#include "base/util.h"
#include "base/err.h"
#include <stdlib.h>

/* Lines 1-12; a query appended to it starts on line 13. */
static const char *const DDL =
    "CREATE TABLE src (\n"
    "  id BIGINT,\n"
    "  shop VARCHAR,\n"
    "  price DOUBLE,\n"
    "  ts TIMESTAMP(3),\n"
    "  pt AS PROCTIME(),\n"
    "  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND\n"
    ") WITH ('connector' = 'datagen', 'number-of-rows' = '10');\n"
    "CREATE TABLE ltz (id BIGINT, ms BIGINT, ts AS TO_TIMESTAMP_LTZ(ms, 3), WATERMARK FOR ts AS ts)"
    " WITH ('connector' = 'datagen', 'number-of-rows' = '10');\n"
    "CREATE TABLE pr (a VARCHAR, b BIGINT) WITH ('connector' = 'print');\n"
    "CREATE TABLE pk (a VARCHAR, b BIGINT, PRIMARY KEY (a) NOT ENFORCED) WITH ('connector' = 'blackhole');\n"
    "CREATE TABLE fs (a VARCHAR, b BIGINT) WITH ('connector' = 'filesystem', 'path' = '/tmp/eddy_test_plan.csv',"
    " 'format' = 'csv');\n";

static job J;
static char text[16384];
static char message[4096];

static int load_text(const char *sql, char **overrides, int n)
{
    err_clear();
    int rc = job_load(&J, "job.sql", sql, overrides, n);
    if (rc) snprintf(message, sizeof message, "%s", err_message());
    return rc;
}

static void done(void)
{
    job_free(&J);
    err_clear();
}

/* Loads text that must plan; on failure the test fails with the error shown and the job is freed. */
static int load_ok(const char *sql, char **overrides, int n)
{
    int rc = load_text(sql, overrides, n);
    if (rc) {
        fprintf(stderr, "unexpected error: %s", err_text());
        CHECK(rc == 0);
        done();
    }
    return rc;
}

/* DDL + query, which must plan. */
static int load(const char *query)
{
    snprintf(text, sizeof text, "%s%s", DDL, query);
    return load_ok(text, NULL, 0);
}

/* The message of a load that must fail (the job is freed). */
static const char *fail_text(const char *sql)
{
    if (load_text(sql, NULL, 0) == 0) snprintf(message, sizeof message, "(no error)");
    done();
    return message;
}

static const char *fail(const char *query)
{
    snprintf(text, sizeof text, "%s%s", DDL, query);
    return fail_text(text);
}

static plan_node *sink(int i) { return J.plan.sinks[i]; }
static plan_node *in0(plan_node *n) { return n->inputs[0]; }

/* "Sink(Calc(TableSourceScan))": kinds along the inputs. */
static void shape_into(plan_node *n, sb_t *out)
{
    sb_puts(out, plan_kind_name(n->kind));
    if (!n->ninputs) return;
    sb_putc(out, '(');
    for (int i = 0; i < n->ninputs; i++) {
        if (i) sb_puts(out, ", ");
        shape_into(n->inputs[i], out);
    }
    sb_putc(out, ')');
}

static char shape_buf[1024];
static const char *shape(plan_node *n)
{
    sb_t sb = {0};
    shape_into(n, &sb);
    snprintf(shape_buf, sizeof shape_buf, "%s", sb_str(&sb));
    sb_free(&sb);
    return shape_buf;
}

/* Checks a plan's shape; the rest of a test navigates by it, so another shape ends the test. */
#define SHAPE(n, expected) do { \
        if (strcmp(shape(n), expected) != 0) { CHECK_EQ_STR(shape_buf, expected); done(); return; } \
    } while (0)

/* "id BIGINT, ts TIMESTAMP(3) *ROWTIME*" */
static char schema_buf[2048];
static const char *schema_text(const schema_t *s)
{
    sb_t sb = {0};
    for (uint32_t i = 0; i < s->ncols; i++) {
        char t[64];
        sb_printf(&sb, "%s%s %s", i ? ", " : "", s->names[i], type_name(s->types[i], t, sizeof t));
    }
    snprintf(schema_buf, sizeof schema_buf, "%s", sb_str(&sb));
    sb_free(&sb);
    return schema_buf;
}

static char key_buf[256];
static const char *ints(const int *v, int n)
{
    sb_t sb = {0};
    for (int i = 0; i < n; i++) sb_printf(&sb, "%s%d", i ? "," : "", v[i]);
    snprintf(key_buf, sizeof key_buf, "[%s]", sb_str(&sb));
    sb_free(&sb);
    return key_buf;
}

static char expr_buf[1024];
static const char *expr_text(const expr_t *e, const schema_t *in)
{
    sb_t sb = {0};
    expr_format(e, in, &sb);
    snprintf(expr_buf, sizeof expr_buf, "%s", sb_str(&sb));
    sb_free(&sb);
    return expr_buf;
}

static int starts_with(const char *s, const char *prefix) { return s && strncmp(s, prefix, strlen(prefix)) == 0; }

#define MIN_US (60 * US_PER_SEC)

/* ------------------------------------------------------------------ scans and catalog */

TEST(scan_schema_and_time_attributes)
{
    if (load("SELECT * FROM src;\n")) return;
    CHECK_EQ_INT(J.plan.nsinks, 1);
    CHECK_EQ_INT(J.plan.nscans, 1);
    plan_node *s = sink(0);
    SHAPE(s, "Sink(TableSourceScan)");          /* the identity projection of SELECT * is elided */
    plan_node *scan = in0(s);
    CHECK(scan == J.plan.scans[0]);
    CHECK_EQ_STR(schema_text(&scan->schema), "id BIGINT, shop STRING, price DOUBLE, ts TIMESTAMP(3) *ROWTIME*, "
                                             "pt TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*");
    CHECK_EQ_INT(scan->rowtime_col, 3);
    CHECK_EQ_INT(scan->ncomputed, 1);
    CHECK_EQ_STR(scan->computed[0]->fn->name, "PROCTIME");
    CHECK_EQ_STR(expr_text(scan->watermark, &scan->schema), "ts - INTERVAL '5' SECOND");
    CHECK_EQ_INT(scan->mode, CM_INSERT_ONLY);
    CHECK_EQ_STR(scan->table->name, "src");
    CHECK(scan->table->scan == scan);
    /* The bare SELECT prints into a table with the query's columns, without time attributes
     * (the scan in front of it keeps them). */
    CHECK_EQ_STR(s->sink_table->name, "print$0");
    CHECK_EQ_STR(s->sink_table->connector->name, "print");
    CHECK_EQ_STR(schema_text(&s->schema), "id BIGINT, shop STRING, price DOUBLE, ts TIMESTAMP(3), "
                                          "pt TIMESTAMP_LTZ(3) NOT NULL");
    done();
}

TEST(computed_columns_follow_physical_ones)
{
    static const char *sql =
        "CREATE TABLE m (a BIGINT, c AS a * 2, b STRING) WITH ('connector' = 'datagen', 'number-of-rows' = '1');\n"
        "CREATE TABLE o (a BIGINT, c BIGINT, b STRING) WITH ('connector' = 'print');\n"
        "INSERT INTO o SELECT * FROM m;\n";
    if (load_ok(sql, NULL, 0)) return;
    SHAPE(sink(0), "Sink(Calc(TableSourceScan))");
    plan_node *calc = in0(sink(0));
    plan_node *scan = in0(calc);
    CHECK_EQ_STR(schema_text(&scan->schema), "a BIGINT, b STRING, c BIGINT");
    CHECK_EQ_STR(expr_text(scan->computed[0], &scan->schema), "a * 2");
    /* SELECT * is in declaration order, so the sink's columns come from 0, 2, 1. */
    CHECK_EQ_INT(calc->nproj, 3);
    CHECK_EQ_INT(calc->proj[0]->col, 0);
    CHECK_EQ_INT(calc->proj[1]->col, 2);
    CHECK_EQ_INT(calc->proj[2]->col, 1);
    CHECK_EQ_STR(schema_text(&sink(0)->schema), "a BIGINT, c BIGINT, b STRING");
    CHECK_EQ_INT(scan->rowtime_col, -1);
    CHECK(scan->watermark == NULL);
    done();
}

TEST(one_scan_shared_by_every_insert)
{
    if (load("INSERT INTO pr SELECT shop, id FROM src;\nINSERT INTO pk SELECT shop, id FROM src WHERE id > 1;\n")) return;
    CHECK_EQ_INT(J.plan.nsinks, 2);
    CHECK_EQ_INT(J.plan.nscans, 1);
    SHAPE(sink(0), "Sink(Calc(TableSourceScan))");
    SHAPE(sink(1), "Sink(Calc(TableSourceScan))");
    CHECK(in0(in0(sink(0))) == in0(in0(sink(1))));
    CHECK_EQ_STR(sink(1)->sink_table->name, "pk");
    CHECK_EQ_STR(expr_text(in0(sink(1))->filter, &J.plan.scans[0]->schema), "id > 1");
    done();
}

/* A changelog format makes an updating scan keyed by the primary key; an upsert source gets a
 * ChangelogNormalize on its key; a changelog format lets updates into a sink without a key. */
TEST(changelog_and_upsert_sources)
{
    static const char *const ddl =
        "CREATE TABLE cdc (id BIGINT, shop VARCHAR, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'filesystem',"
        " 'path' = '/tmp/eddy_test_plan.json', 'format' = 'debezium-json');\n"
        "CREATE TABLE ups (shop VARCHAR, n BIGINT, PRIMARY KEY (shop) NOT ENFORCED) WITH ('connector' = 'upsert-kafka',"
        " 'topic' = 't', 'properties.bootstrap.servers' = '127.0.0.1:9', 'key.format' = 'json', 'value.format' = 'json');\n"
        "CREATE TABLE out (a VARCHAR, b BIGINT, PRIMARY KEY (a) NOT ENFORCED) WITH ('connector' = 'blackhole');\n"
        "CREATE TABLE dbz (a VARCHAR, b BIGINT) WITH ('connector' = 'filesystem', 'path' = '/tmp/eddy_test_plan_out',"
        " 'format' = 'canal-json');\n";
    snprintf(text, sizeof text, "%s%s", ddl,
             "INSERT INTO out SELECT shop, COUNT(*) FROM cdc GROUP BY shop;\n"
             "INSERT INTO out SELECT shop, n FROM ups;\n"
             "INSERT INTO dbz SELECT shop, COUNT(*) FROM cdc GROUP BY shop;\n");
    if (load_ok(text, NULL, 0)) return;
    plan_node *scan = in0(in0(in0(in0(sink(0)))));
    SHAPE(sink(0), "Sink(Calc(GroupAggregate(Calc(TableSourceScan))))");
    CHECK_EQ_INT(scan->mode, CM_UPDATE);
    CHECK_EQ_STR(ints(scan->upsert_key, scan->nupsert_key), "[0]");
    SHAPE(sink(1), "Sink(Calc(ChangelogNormalize(TableSourceScan)))");
    plan_node *norm = in0(in0(sink(1)));
    CHECK_EQ_INT(norm->mode, CM_UPDATE);
    CHECK_EQ_STR(ints(norm->upsert_key, norm->nupsert_key), "[0]");
    CHECK_EQ_INT(sink(2)->mode, CM_UPDATE);
    sb_t ex = {0};
    plan_explain(&J.plan, &ex);
    CHECK(strstr(sb_str(&ex), "ChangelogNormalize(key=[shop]) changelogMode=[I,UB,UA,D] upsertKey=[shop]") != NULL);
    CHECK(strstr(sb_str(&ex), "TableSourceScan(table=[ups], connector=[upsert-kafka], fields=[shop, n]) "
                              "changelogMode=[UA,D]") != NULL);
    sb_free(&ex);
    done();
    /* an upsert source needs its key (upsert-kafka says so when the table is declared) */
    CHECK_EQ_STR(fail_text("CREATE TABLE ups (shop VARCHAR, n BIGINT) WITH ('connector' = 'upsert-kafka', 'topic' = 't',"
                           " 'properties.bootstrap.servers' = '127.0.0.1:9', 'key.format' = 'json',"
                           " 'value.format' = 'json');\n"
                           "CREATE TABLE pr (a VARCHAR, b BIGINT) WITH ('connector' = 'print');\n"
                           "INSERT INTO pr SELECT shop, n FROM ups;\n"),
                 "'upsert-kafka' tables require a PRIMARY KEY: it names the columns written to and read from the Kafka "
                 "record key (table 'ups')");
}

TEST(catalog_declaration_errors)
{
    static const char *with = " WITH ('connector' = 'datagen', 'number-of-rows' = '1');\n";
    char sql[1024];
#define TABLE(cols) (snprintf(sql, sizeof sql, "CREATE TABLE t (" cols ")%s", with), sql)
    CHECK_EQ_STR(fail_text(TABLE("a VARCHAR, a BIGINT")), "duplicate column 'a' in table 't'");
    CHECK_EQ_STR(fail_text(TABLE("a VARCHAR, b BIGINT, PRIMARY KEY (c) NOT ENFORCED")),
                 "primary key column 'c' is not a column of table 't'; columns: a, b");
    CHECK_EQ_STR(fail_text(TABLE("a VARCHAR, b BIGINT, c AS b + 1, PRIMARY KEY (c) NOT ENFORCED")),
                 "primary key column 'c' must be a physical column");
    CHECK_EQ_STR(fail_text(TABLE("a VARCHAR, b BIGINT, WATERMARK FOR x AS x")),
                 "WATERMARK FOR unknown column 'x' in table 't'; columns: a, b");
    CHECK_EQ_STR(fail_text(TABLE("a VARCHAR, b BIGINT, WATERMARK FOR b AS b")),
                 "WATERMARK FOR column 'b' must be TIMESTAMP(3) or TIMESTAMP_LTZ(3), but it is BIGINT");
#undef TABLE
    CHECK_EQ_STR(fail_text("CREATE TABLE t (a VARCHAR) WITH ('connector' = 'kafkaa');"),
                 "unknown connector 'kafkaa'; available connectors: blackhole, datagen, filesystem, jdbc, kafka, mqtt, print, upsert-kafka");
    CHECK_EQ_STR(fail_text("CREATE TABLE t (a VARCHAR) WITH ('number-of-rows' = '1');"),
                 "table 't' has no 'connector' option; available connectors: blackhole, datagen, filesystem, jdbc, kafka, mqtt, print, upsert-kafka");
    CHECK_EQ_STR(fail_text("CREATE TABLE t (a VARCHAR) WITH ('connector' = 'datagen', 'number-of-rows' = '1', "
                           "'number-of-rows' = '2');"),
                 "option 'number-of-rows' is given twice");
    CHECK_EQ_STR(fail_text("CREATE TABLE t (a VARCHAR) WITH ('connector' = 'datagen', 'number-of-rows' = '1');\n"
                           "CREATE VIEW T AS SELECT a FROM t;"),
                 "'T' is already declared: table 't' at line 1; give this one another name");
    /* IF NOT EXISTS keeps the first declaration. */
    if (load("CREATE TABLE IF NOT EXISTS pr (x INT) WITH ('connector' = 'blackhole');\n"
             "INSERT INTO pr SELECT shop, id FROM src;\n")) return;
    CHECK_EQ_STR(sink(0)->sink_table->connector->name, "print");
    done();
}

TEST(tables_used_the_wrong_way)
{
    CHECK_EQ_STR(fail("INSERT INTO src SELECT * FROM src;\n"),
                 "table 'src' uses connector 'datagen', which cannot be written to");
    CHECK_EQ_STR(fail("INSERT INTO pk SELECT * FROM pr;\n"),
                 "table 'pr' uses connector 'print', which cannot be read as a source");
    CHECK_EQ_STR(fail("CREATE VIEW v AS SELECT shop, id FROM src;\nINSERT INTO v SELECT shop, id FROM src;\n"),
                 "cannot INSERT INTO view 'v'");
    CHECK_EQ_STR(fail("INSERT INTO nope SELECT shop, id FROM src;\n"),
                 "unknown table 'nope' in INSERT INTO; tables: src, ltz, pr, pk, fs");
    CHECK_EQ_STR(fail_text(DDL), "job.sql has no INSERT INTO or SELECT statement: nothing to run");
}

/* ------------------------------------------------------------------ windows */

TEST(tumble_window_tvf)
{
    if (load("SELECT shop, COUNT(*) AS cnt, window_start, window_end, window_time\n"
             "FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '10' MINUTE))\n"
             "GROUP BY shop, window_start, window_end;\n")) return;
    plan_node *s = sink(0);
    SHAPE(s, "Sink(Calc(WindowAggregate(Calc(TableSourceScan))))");
    plan_node *agg = in0(in0(s)), *pre = in0(agg);
    CHECK_EQ_INT(agg->kind, PN_WINDOW_AGG);
    CHECK_EQ_INT(agg->window.kind, WIN_TUMBLE);
    CHECK_EQ_INT(agg->window.size_us, 10 * MIN_US);
    CHECK_EQ_INT(agg->window.slide_us, 0);
    CHECK_EQ_INT(agg->window.offset_us, 0);
    CHECK_EQ_INT(agg->window.proctime, 0);
    CHECK_EQ_INT(agg->window.time_type.id, TY_TIMESTAMP);
    CHECK_EQ_INT(agg->window.time_type.attr, TA_ROWTIME);
    /* The pre-projection carries the key and the time attribute. */
    CHECK_EQ_STR(schema_text(&pre->schema), "shop STRING, ts TIMESTAMP(3) *ROWTIME*");
    CHECK_EQ_INT(agg->window.time_col, 1);
    CHECK_EQ_STR(ints(agg->keys, agg->nkeys), "[0]");
    CHECK_EQ_INT(agg->naggs, 1);
    CHECK_EQ_STR(agg->aggs[0].def->name, "COUNT");
    CHECK_EQ_INT(agg->aggs[0].arg_col, -1);
    CHECK_EQ_INT(agg->aggs[0].append_only, 1);
    CHECK_EQ_INT(agg->nprops, 3);
    CHECK_EQ_INT(agg->props[0], WP_START);
    CHECK_EQ_INT(agg->props[1], WP_END);
    CHECK_EQ_INT(agg->props[2], WP_TIME);
    CHECK_EQ_STR(schema_text(&agg->schema), "shop STRING, COUNT$0 BIGINT NOT NULL, window_start TIMESTAMP(3), "
                                            "window_end TIMESTAMP(3), window_time TIMESTAMP(3) *ROWTIME*");
    CHECK_EQ_STR(schema_text(&in0(s)->schema), "shop STRING, cnt BIGINT NOT NULL, window_start TIMESTAMP(3), "
                                               "window_end TIMESTAMP(3), window_time TIMESTAMP(3) *ROWTIME*");
    CHECK_EQ_INT(agg->mode, CM_INSERT_ONLY);
    CHECK_EQ_INT(agg->nupsert_key, 0);
    CHECK_EQ_INT(s->mode, CM_INSERT_ONLY);
    CHECK(starts_with(agg->what, "WindowAggregate (GROUP BY window_start, window_end at line 15, column 10)"));
    done();
}

TEST(hop_and_cumulate_with_offset)
{
    if (load("INSERT INTO pr SELECT shop, COUNT(*) FROM TABLE(HOP(TABLE src, DESCRIPTOR(ts), INTERVAL '1' MINUTE, "
             "INTERVAL '5' MINUTE)) GROUP BY shop, window_start, window_end;\n"
             "INSERT INTO pr SELECT shop, COUNT(*) FROM TABLE(CUMULATE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' MINUTE, "
             "INTERVAL '1' HOUR, INTERVAL '5' MINUTE)) GROUP BY shop, window_start, window_end;\n"
             "INSERT INTO pr SELECT shop, COUNT(*) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' DAY, "
             "INTERVAL '-8' HOUR)) GROUP BY shop, window_start, window_end;\n"
             "INSERT INTO pr SELECT shop, COUNT(*) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' DAY, "
             "INTERVAL '0' SECOND)) GROUP BY shop, window_start, window_end;\n")) return;
    for (int i = 0; i < 4; i++) SHAPE(sink(i), "Sink(Calc(WindowAggregate(Calc(TableSourceScan))))");
    window_spec *hop = &in0(in0(sink(0)))->window;
    CHECK_EQ_INT(hop->kind, WIN_HOP);
    CHECK_EQ_INT(hop->slide_us, MIN_US);
    CHECK_EQ_INT(hop->size_us, 5 * MIN_US);
    CHECK_EQ_INT(hop->offset_us, 0);
    window_spec *cum = &in0(in0(sink(1)))->window;
    CHECK_EQ_INT(cum->kind, WIN_CUMULATE);
    CHECK_EQ_INT(cum->slide_us, MIN_US);
    CHECK_EQ_INT(cum->size_us, 60 * MIN_US);
    CHECK_EQ_INT(cum->offset_us, 5 * MIN_US);
    /* Flink allows offsets of either sign, and zero. */
    CHECK_EQ_INT(in0(in0(sink(2)))->window.offset_us, -8 * 60 * MIN_US);
    CHECK_EQ_INT(in0(in0(sink(2)))->window.size_us, 24 * 60 * MIN_US);
    CHECK_EQ_INT(in0(in0(sink(3)))->window.offset_us, 0);
    done();
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, COUNT(*) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' DAY, "
                      "INTERVAL '1' MONTH)) GROUP BY shop, window_start, window_end;\n"),
                 "window offsets must be day-time intervals (SECOND to DAY)");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, COUNT(*) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' DAY, "
                      "8)) GROUP BY shop, window_start, window_end;\n"),
                 "expected an INTERVAL literal such as INTERVAL '10' MINUTE");
}

TEST(legacy_group_windows)
{
    if (load("SELECT shop, TUMBLE_START(ts, INTERVAL '1' HOUR) AS s, TUMBLE_END(ts, INTERVAL '1' HOUR) AS e,\n"
             "  TUMBLE_ROWTIME(ts, INTERVAL '1' HOUR) AS rt, SUM(price) AS total\n"
             "FROM src GROUP BY TUMBLE(ts, INTERVAL '1' HOUR), shop;\n"
             "SELECT SESSION_START(ts, INTERVAL '30' SECOND) AS s, COUNT(*) AS c FROM src\n"
             "GROUP BY SESSION(ts, INTERVAL '30' SECOND);\n"
             "SELECT HOP_END(ts, INTERVAL '1' MINUTE, INTERVAL '1' HOUR) AS e, MAX(id) AS m FROM src\n"
             "GROUP BY HOP(ts, INTERVAL '1' MINUTE, INTERVAL '1' HOUR);\n"
             "SELECT TUMBLE_PROCTIME(pt, INTERVAL '10' SECOND) AS p, COUNT(*) AS c FROM src\n"
             "GROUP BY TUMBLE(pt, INTERVAL '10' SECOND);\n")) return;
    for (int i = 0; i < 4; i++) SHAPE(sink(i), "Sink(Calc(WindowAggregate(Calc(TableSourceScan))))");
    plan_node *tumble = in0(in0(sink(0)));
    CHECK_EQ_INT(tumble->kind, PN_WINDOW_AGG);
    CHECK_EQ_INT(tumble->window.kind, WIN_TUMBLE);
    CHECK_EQ_INT(tumble->window.size_us, 60 * MIN_US);
    CHECK_EQ_STR(schema_text(&in0(sink(0))->schema), "shop STRING, s TIMESTAMP(3), e TIMESTAMP(3), "
                                                     "rt TIMESTAMP(3) *ROWTIME*, total DOUBLE");
    CHECK_EQ_INT(tumble->nprops, 3);
    CHECK_EQ_STR(tumble->what, "WindowAggregate (GROUP BY window at line 15, column 19)");

    plan_node *session = in0(in0(sink(1)));
    CHECK_EQ_INT(session->window.kind, WIN_SESSION);
    CHECK_EQ_INT(session->window.gap_us, 30 * US_PER_SEC);
    CHECK_EQ_INT(session->nkeys, 0);

    plan_node *hop = in0(in0(sink(2)));
    CHECK_EQ_INT(hop->window.kind, WIN_HOP);
    CHECK_EQ_INT(hop->window.slide_us, MIN_US);
    CHECK_EQ_INT(hop->window.size_us, 60 * MIN_US);

    plan_node *proc = in0(in0(sink(3)));
    CHECK_EQ_INT(proc->window.proctime, 1);
    CHECK_EQ_INT(proc->window.time_type.id, TY_TIMESTAMP_LTZ);
    CHECK_EQ_INT(proc->window.time_type.attr, TA_PROCTIME);
    CHECK_EQ_STR(schema_text(&in0(sink(3))->schema), "p TIMESTAMP_LTZ(3) *PROCTIME*, c BIGINT NOT NULL");
    done();
}

TEST(ltz_window_properties)
{
    if (load("SELECT window_start, window_end, window_time, COUNT(*) AS c\n"
             "FROM TABLE(TUMBLE(TABLE ltz, DESCRIPTOR(ts), INTERVAL '1' HOUR)) GROUP BY window_start, window_end;\n"))
        return;
    SHAPE(sink(0), "Sink(Calc(WindowAggregate(Calc(TableSourceScan))))");
    plan_node *agg = in0(in0(sink(0)));
    CHECK_EQ_INT(agg->window.time_type.id, TY_TIMESTAMP_LTZ);
    /* Flink: window_start/window_end are TIMESTAMP, window_time keeps the LTZ time attribute. */
    CHECK_EQ_STR(schema_text(&in0(sink(0))->schema), "window_start TIMESTAMP(3), window_end TIMESTAMP(3), "
                                                     "window_time TIMESTAMP_LTZ(3) *ROWTIME*, c BIGINT NOT NULL");
    done();
}

/* ------------------------------------------------------------------ unbounded aggregation */

TEST(group_aggregate_modes_and_upsert_keys)
{
    if (load("INSERT INTO pk SELECT shop, COUNT(*) FROM src GROUP BY shop;\n"
             "INSERT INTO pr SELECT CAST(COUNT(*) AS VARCHAR), MAX(id) FROM src GROUP BY shop;\n"
             "INSERT INTO pr SELECT 'all', COUNT(*) FROM src;\n"
             "INSERT INTO pk SELECT DISTINCT shop, id FROM src;\n")) return;
    for (int i = 0; i < 4; i++) SHAPE(sink(i), "Sink(Calc(GroupAggregate(Calc(TableSourceScan))))");
    plan_node *s = sink(0), *calc = in0(s), *agg = in0(calc);
    CHECK_EQ_INT(agg->kind, PN_GROUP_AGG);
    CHECK_EQ_INT(agg->mode, CM_UPDATE);
    CHECK_EQ_STR(ints(agg->upsert_key, agg->nupsert_key), "[0]");
    CHECK_EQ_INT(agg->aggs[0].append_only, 1);
    CHECK_EQ_INT(calc->mode, CM_UPDATE);
    CHECK_EQ_STR(ints(calc->upsert_key, calc->nupsert_key), "[0]");
    CHECK_EQ_INT(s->mode, CM_UPDATE);
    CHECK_EQ_STR(agg->what, "GroupAggregate (GROUP BY at line 13, column 56)");
    CHECK_EQ_INT(in0(agg)->mode, CM_INSERT_ONLY);
    /* The key is not in the output: no upsert key above the aggregation. */
    CHECK_EQ_INT(in0(sink(1))->nupsert_key, 0);
    CHECK_EQ_INT(in0(sink(1))->mode, CM_UPDATE);
    /* A global aggregation has an empty key. */
    plan_node *global = in0(in0(sink(2)));
    CHECK_EQ_INT(global->nkeys, 0);
    CHECK_EQ_STR(global->what, "GroupAggregate (a global aggregation at line 15, column 16)");
    /* SELECT DISTINCT groups by every column and computes nothing. */
    plan_node *distinct = in0(in0(sink(3)));
    CHECK_EQ_INT(distinct->kind, PN_GROUP_AGG);
    CHECK_EQ_INT(distinct->nkeys, 2);
    CHECK_EQ_INT(distinct->naggs, 0);
    CHECK_EQ_STR(ints(in0(sink(3))->upsert_key, in0(sink(3))->nupsert_key), "[0,1]");
    done();
}

TEST(updates_into_a_sink_without_primary_key)
{
    CHECK_EQ_STR(fail("INSERT INTO fs SELECT shop, COUNT(*) FROM src GROUP BY shop;\n"),
                 "table 'fs' has no primary key, but the query writes updates into it: GroupAggregate (GROUP BY at "
                 "line 13, column 56) produces updates (-U/+U/-D)");
    /* The lowest operator that produces updates is named, not the one right below the sink. */
    CHECK_EQ_STR(fail("INSERT INTO fs SELECT shop, c FROM (SELECT shop, c, ROW_NUMBER() OVER (ORDER BY c DESC) AS rn\n"
                      "  FROM (SELECT shop, COUNT(*) AS c FROM src GROUP BY shop)) WHERE rn <= 3;\n"),
                 "table 'fs' has no primary key, but the query writes updates into it: GroupAggregate (GROUP BY at "
                 "line 14, column 54) produces updates (-U/+U/-D)");
    CHECK_EQ_STR(fail("INSERT INTO fs SELECT shop, id FROM (\n"
                      "  SELECT shop, id, ROW_NUMBER() OVER (PARTITION BY shop ORDER BY price DESC) AS rn FROM src)\n"
                      "WHERE rn = 1;\n"),
                 "table 'fs' has no primary key, but the query writes updates into it: Rank (ROW_NUMBER at line 14, "
                 "column 20) produces updates (-U/+U/-D)");
    CHECK_EQ_STR(fail("INSERT INTO fs SELECT shop, id FROM src ORDER BY id LIMIT 3;\n"),
                 "table 'fs' has no primary key, but the query writes updates into it: Rank (ORDER BY ... LIMIT at "
                 "line 13, column 59) produces updates (-U/+U/-D)");
    /* The full diagnostic adds the advice. */
    snprintf(text, sizeof text, "%s%s", DDL, "INSERT INTO fs SELECT shop, COUNT(*) FROM src GROUP BY shop;\n");
    CHECK(load_text(text, NULL, 0) != 0);
    CHECK(strstr(err_text(), "job.sql:13:1: error: table 'fs'") != NULL);
    CHECK(strstr(err_text(), "  note: declare PRIMARY KEY (...) NOT ENFORCED on 'fs'") != NULL);
    done();
    /* Insert-only queries are fine without a key; print and blackhole take any changelog. */
    if (load("INSERT INTO fs SELECT shop, id FROM src;\n"
             "INSERT INTO fs SELECT shop, COUNT(*) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' MINUTE))"
             " GROUP BY shop, window_start, window_end;\n"
             "INSERT INTO pr SELECT shop, COUNT(*) FROM src GROUP BY shop;\n")) return;
    CHECK_EQ_INT(J.plan.nsinks, 3);
    CHECK_EQ_INT(sink(2)->mode, CM_UPDATE);
    done();
}

/* ------------------------------------------------------------------ Top-N and deduplication */

TEST(top_n_with_and_without_row_number)
{
    if (load("INSERT INTO pr SELECT shop, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY shop ORDER BY price DESC)"
             " AS rn FROM src) WHERE rn <= 3;\n"
             "INSERT INTO pr SELECT shop, id FROM (SELECT shop, id, ROW_NUMBER() OVER (PARTITION BY shop ORDER BY price)"
             " AS rn FROM src) WHERE rn < 3 AND id > 0;\n"
             "INSERT INTO pr SELECT shop, id FROM (SELECT shop, id, ROW_NUMBER() OVER (ORDER BY id DESC)"
             " AS rn FROM src) WHERE 5 >= rn;\n")) return;
    SHAPE(sink(0), "Sink(Calc(Rank(TableSourceScan)))");     /* SELECT *: no projection below the rank */
    for (int i = 1; i < 3; i++) SHAPE(sink(i), "Sink(Calc(Rank(Calc(TableSourceScan))))");
    plan_node *rank = in0(in0(sink(0)));
    CHECK_EQ_INT(rank->kind, PN_RANK);
    CHECK_EQ_INT(rank->limit, 3);
    CHECK_EQ_INT(rank->output_rn, 1);
    CHECK_EQ_INT(rank->npart, 1);
    CHECK_EQ_STR(rank->schema.names[rank->part[0]], "shop");
    CHECK_EQ_INT(rank->norder, 1);
    CHECK_EQ_STR(rank->schema.names[rank->order[0].col], "price");
    CHECK_EQ_INT(rank->order[0].desc, 1);
    CHECK_EQ_INT(rank->order[0].nulls_first, 0);
    CHECK_EQ_STR(schema_text(&rank->schema), "id BIGINT, shop STRING, price DOUBLE, ts TIMESTAMP(3) *ROWTIME*, "
                                             "pt TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*, rn BIGINT NOT NULL");
    CHECK_EQ_INT(rank->mode, CM_UPDATE);
    CHECK_EQ_STR(ints(rank->upsert_key, rank->nupsert_key), "[1,5]");
    CHECK(starts_with(rank->what, "Rank (ROW_NUMBER at line 13"));

    /* rn not used outside: not output; `rn < 3` is a limit of 2; the rest of the WHERE stays. */
    plan_node *calc = in0(sink(1));
    rank = in0(calc);
    CHECK_EQ_INT(rank->limit, 2);
    CHECK_EQ_INT(rank->output_rn, 0);
    /* The order column is carried along after the selected ones. */
    CHECK_EQ_STR(schema_text(&rank->schema), "shop STRING, id BIGINT, price DOUBLE");
    CHECK_EQ_INT(rank->order[0].col, 2);
    CHECK_EQ_INT(rank->order[0].desc, 0);
    CHECK_EQ_INT(rank->order[0].nulls_first, 1);
    CHECK_EQ_INT(rank->nupsert_key, 0);
    CHECK_EQ_STR(expr_text(calc->filter, &rank->schema), "id > 0");

    rank = in0(in0(sink(2)));
    CHECK_EQ_INT(rank->limit, 5);
    CHECK_EQ_INT(rank->npart, 0);
    done();
}

TEST(deduplication_patterns)
{
    if (load("INSERT INTO pr SELECT shop, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY shop ORDER BY ts) AS rn"
             " FROM src) WHERE rn = 1;\n"
             "INSERT INTO pr SELECT shop, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY shop ORDER BY ts DESC) AS rn"
             " FROM src) WHERE rn = 1;\n"
             "INSERT INTO pr SELECT shop, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY shop ORDER BY pt) AS rn"
             " FROM src) WHERE rn <= 1;\n"
             "INSERT INTO pr SELECT shop, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY shop ORDER BY id) AS rn"
             " FROM src) WHERE rn = 1;\n"
             "INSERT INTO pr SELECT shop, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY shop ORDER BY ts) AS rn"
             " FROM src) WHERE rn <= 2;\n")) return;
    for (int i = 0; i < 5; i++) SHAPE(sink(i), "Sink(Calc(Rank(TableSourceScan)))");
    /* First row by rowtime or proctime: Deduplicate, insert-only. */
    plan_node *r = in0(in0(sink(0)));
    CHECK_EQ_INT(r->kind, PN_RANK);
    CHECK_EQ_INT(r->limit, 1);
    CHECK_EQ_INT(r->mode, CM_INSERT_ONLY);
    CHECK(starts_with(r->what, "Deduplicate (ROW_NUMBER at line 13"));
    r = in0(in0(sink(2)));
    CHECK_EQ_INT(r->mode, CM_INSERT_ONLY);
    CHECK(starts_with(r->what, "Deduplicate"));
    /* Last row, a non-time order, or more than one row: an updating Rank. */
    r = in0(in0(sink(1)));
    CHECK_EQ_INT(r->mode, CM_UPDATE);
    CHECK_EQ_STR(ints(r->upsert_key, r->nupsert_key), "[1]");
    CHECK(starts_with(r->what, "Rank (ROW_NUMBER at line 14"));
    r = in0(in0(sink(3)));
    CHECK_EQ_INT(r->mode, CM_UPDATE);
    CHECK(starts_with(r->what, "Rank"));
    r = in0(in0(sink(4)));
    CHECK_EQ_INT(r->mode, CM_UPDATE);
    CHECK_EQ_INT(r->nupsert_key, 0);
    done();
}

TEST(window_top_n)
{
    /* window_start and window_end partition the rank but are not selected: they are hidden
     * columns of the calc below the rank and must keep their own names. */
    if (load("INSERT INTO pr SELECT shop, cnt FROM (\n"
             "  SELECT shop, cnt, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY cnt DESC) AS rn\n"
             "  FROM (SELECT shop, window_start, window_end, COUNT(*) AS cnt\n"
             "        FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' MINUTE))\n"
             "        GROUP BY shop, window_start, window_end))\n"
             "WHERE rn <= 2;\n")) return;
    SHAPE(sink(0), "Sink(Calc(WindowRank(Calc(WindowAggregate(Calc(TableSourceScan))))))");
    plan_node *rank = in0(in0(sink(0)));
    CHECK_EQ_INT(rank->kind, PN_WINDOW_RANK);
    CHECK_EQ_INT(rank->mode, CM_INSERT_ONLY);
    CHECK_EQ_INT(rank->limit, 2);
    CHECK_EQ_INT(rank->output_rn, 0);
    CHECK_EQ_INT(rank->window_ltz, 0);
    CHECK_EQ_STR(schema_text(&in0(rank)->schema), "shop STRING, cnt BIGINT NOT NULL, window_start TIMESTAMP(3), "
                                                  "window_end TIMESTAMP(3)");
    CHECK_EQ_STR(schema_text(&rank->schema), "shop STRING, cnt BIGINT NOT NULL, window_start TIMESTAMP(3), "
                                             "window_end TIMESTAMP(3)");
    CHECK_EQ_STR(ints(rank->part, rank->npart), "[2,3]");
    CHECK_EQ_INT(rank->window_end_col, 3);
    CHECK_EQ_INT(rank->order[0].col, 1);
    CHECK(starts_with(rank->what, "WindowRank (ROW_NUMBER at line 14, column 21)"));
    done();

    if (load("SELECT id, window_end, cnt, rn FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end"
             " ORDER BY cnt DESC) AS rn FROM (SELECT id, window_start, window_end, COUNT(*) AS cnt FROM TABLE(TUMBLE("
             "TABLE ltz, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY id, window_start, window_end)) WHERE rn <= 2;\n"))
        return;
    SHAPE(sink(0), "Sink(Calc(WindowRank(Calc(WindowAggregate(Calc(TableSourceScan))))))");
    rank = in0(in0(sink(0)));
    CHECK_EQ_INT(rank->kind, PN_WINDOW_RANK);
    CHECK_EQ_INT(rank->output_rn, 1);
    CHECK_EQ_INT(rank->window_ltz, 1);
    CHECK_EQ_INT(rank->window_end_col, 2);
    CHECK_EQ_INT(rank->mode, CM_INSERT_ONLY);
    done();

    /* Partitioned by window_start only: not a window Top-N. */
    if (load("INSERT INTO pr SELECT shop, cnt FROM (SELECT shop, cnt, ROW_NUMBER() OVER (PARTITION BY window_start "
             "ORDER BY cnt DESC) AS rn FROM (SELECT shop, window_start, window_end, COUNT(*) AS cnt FROM TABLE(TUMBLE("
             "TABLE src, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY shop, window_start, window_end)) WHERE rn <= 2;\n"))
        return;
    SHAPE(sink(0), "Sink(Calc(Rank(Calc(WindowAggregate(Calc(TableSourceScan))))))");
    CHECK_EQ_INT(in0(in0(sink(0)))->mode, CM_UPDATE);
    done();
}

TEST(window_aggregation_over_updating_input)
{
    CHECK_EQ_STR(fail("CREATE VIEW last_row AS SELECT shop, id, ts FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY shop "
                      "ORDER BY ts DESC) AS rn FROM src) WHERE rn = 1;\n"
                      "INSERT INTO pr SELECT shop, COUNT(*) FROM TABLE(TUMBLE(TABLE last_row, DESCRIPTOR(ts), "
                      "INTERVAL '1' MINUTE)) GROUP BY shop, window_start, window_end;\n"),
                 "window aggregation needs an insert-only input, but its input is updated by Rank (ROW_NUMBER at "
                 "line 13, column 61)");
}

/* ------------------------------------------------------------------ projections */

TEST(calc_fusion)
{
    if (load("INSERT INTO pr SELECT x, y FROM (SELECT shop AS x, id + 1 AS y FROM src) t WHERE x <> 'a';\n"
             "INSERT INTO pr SELECT x, y FROM (SELECT shop AS x, id + 1 AS y FROM src WHERE id > 2) t WHERE y < 10;\n"
             "INSERT INTO pr SELECT x, y + y FROM (SELECT shop AS x, id + 1 AS y FROM src) t;\n"
             "INSERT INTO pr SELECT x, 2 FROM (SELECT shop AS x, id + 1 AS y FROM src WHERE id > 2) t;\n")) return;
    /* One filter and single use of the computed column: one Calc over the scan. */
    SHAPE(sink(0), "Sink(Calc(TableSourceScan))");
    plan_node *calc = in0(sink(0));
    const schema_t *scan = &J.plan.scans[0]->schema;
    CHECK_EQ_STR(expr_text(calc->proj[0], scan), "shop");
    CHECK_EQ_STR(expr_text(calc->proj[1], scan), "id + 1");
    CHECK_EQ_STR(expr_text(calc->filter, scan), "shop <> 'a'");
    CHECK_EQ_STR(schema_text(&calc->schema), "a STRING, b BIGINT");
    /* Two filters stay two calcs (the sink's shape is fused into the upper one). */
    CHECK_EQ_STR(shape(sink(1)), "Sink(Calc(Calc(TableSourceScan)))");
    /* A computed column used twice is not evaluated twice. */
    CHECK_EQ_STR(shape(sink(2)), "Sink(Calc(Calc(TableSourceScan)))");
    /* The lower filter moves up when the upper calc has none. */
    SHAPE(sink(3), "Sink(Calc(TableSourceScan))");
    calc = in0(sink(3));
    CHECK_EQ_STR(expr_text(calc->filter, scan), "id > 2");
    CHECK_EQ_STR(expr_text(calc->proj[1], scan), "CAST(2 AS BIGINT)");
    done();
}

TEST(time_attributes_through_projections)
{
    if (load("SELECT ts, ts + INTERVAL '1' SECOND AS t2, CAST(ts AS TIMESTAMP(3)) AS t3, pt FROM src;\n"
             "SELECT ts FROM src UNION ALL SELECT ts FROM src;\n"
             "SELECT ts FROM src UNION ALL SELECT ts + INTERVAL '1' SECOND FROM src;\n")) return;
    SHAPE(sink(0), "Sink(Calc(TableSourceScan))");
    SHAPE(sink(1), "Sink(Union(Calc(TableSourceScan), Calc(TableSourceScan)))");
    /* Only a plain reference keeps the attribute; expressions over it are ordinary timestamps. */
    CHECK_EQ_STR(schema_text(&in0(sink(0))->schema), "ts TIMESTAMP(3) *ROWTIME*, t2 TIMESTAMP(3), t3 TIMESTAMP(3), "
                                                     "pt TIMESTAMP_LTZ(3) NOT NULL *PROCTIME*");
    plan_node *u = in0(sink(1));
    CHECK_EQ_INT(u->mode, CM_INSERT_ONLY);
    CHECK_EQ_STR(schema_text(&u->schema), "ts TIMESTAMP(3) *ROWTIME*");
    CHECK(in0(in0(u)) == u->inputs[1]->inputs[0]);
    CHECK_EQ_STR(schema_text(&in0(sink(2))->schema), "ts TIMESTAMP(3)");
    done();
}

TEST(union_all_and_order_by_limit)
{
    if (load("INSERT INTO pr SELECT shop, id FROM src UNION ALL SELECT shop, COUNT(*) FROM src GROUP BY shop;\n"
             "INSERT INTO pr SELECT shop, id FROM src ORDER BY id DESC, shop LIMIT 3;\n"
             "SELECT shop, ts FROM src ORDER BY ts;\n")) return;
    SHAPE(sink(0), "Sink(Calc(Union(Calc(TableSourceScan), Calc(GroupAggregate(Calc(TableSourceScan))))))");
    SHAPE(sink(1), "Sink(Calc(Rank(Calc(TableSourceScan))))");
    plan_node *u = in0(in0(sink(0)));
    CHECK_EQ_INT(u->kind, PN_UNION);
    CHECK_EQ_INT(u->ninputs, 2);
    CHECK_EQ_INT(u->mode, CM_UPDATE);
    CHECK_EQ_INT(u->inputs[0]->mode, CM_INSERT_ONLY);
    CHECK_EQ_INT(u->inputs[1]->mode, CM_UPDATE);
    CHECK_EQ_STR(schema_text(&u->schema), "shop STRING, id BIGINT");

    plan_node *rank = in0(in0(sink(1)));
    CHECK_EQ_INT(rank->kind, PN_RANK);
    CHECK_EQ_INT(rank->limit, 3);
    CHECK_EQ_INT(rank->npart, 0);
    CHECK_EQ_INT(rank->norder, 2);
    CHECK_EQ_INT(rank->order[0].col, 1);
    CHECK_EQ_INT(rank->order[0].desc, 1);
    CHECK_EQ_INT(rank->order[1].col, 0);
    CHECK_EQ_INT(rank->order[1].desc, 0);
    CHECK_EQ_INT(rank->output_rn, 0);
    CHECK_EQ_INT(rank->mode, CM_UPDATE);
    /* ORDER BY an ascending time attribute alone is accepted and needs no operator. */
    CHECK_EQ_STR(shape(sink(2)), "Sink(Calc(TableSourceScan))");
    done();
}

TEST(views_and_subquery_column_names)
{
    if (load("CREATE VIEW v (k, n) AS SELECT shop, id FROM src WHERE id > 0;\n"
             "INSERT INTO pr SELECT v.k, n FROM v;\n"
             "INSERT INTO pr SELECT s.x, s.y FROM (SELECT shop, id FROM src) s (x, y);\n")) return;
    CHECK_EQ_STR(shape(sink(0)), "Sink(Calc(TableSourceScan))");
    CHECK_EQ_STR(shape(sink(1)), "Sink(Calc(TableSourceScan))");
    done();
    CHECK_EQ_STR(fail("CREATE VIEW v (k) AS SELECT shop, id FROM src;\nINSERT INTO pr SELECT * FROM v;\n"),
                 "view 'v' names 1 columns, but its query produces 2");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT * FROM (SELECT shop, id FROM src) s (x);\n"),
                 "alias 's' names 1 columns, but the subquery produces 2");
    CHECK_EQ_STR(fail("CREATE VIEW v AS SELECT * FROM v;\nINSERT INTO pr SELECT * FROM v;\n"),
                 "view 'v' references itself");
    /* An error inside a view says where the view was used. */
    snprintf(text, sizeof text, "%s%s", DDL, "CREATE VIEW v AS SELECT shop, nope FROM src;\nINSERT INTO pr SELECT * FROM v;\n");
    CHECK(load_text(text, NULL, 0) != 0);
    CHECK_EQ_STR(message, "unknown column 'nope'; columns in scope: src.id, src.shop, src.price, src.ts, src.pt");
    CHECK(strstr(err_text(), "job.sql:13:31: error: unknown column 'nope'") != NULL);
    CHECK(strstr(err_text(), "  note: in view 'v' used here: job.sql:14:30\n") != NULL);
    done();
}

/* ------------------------------------------------------------------ configuration */

TEST(overrides_win_over_set)
{
    static const char *sql =
        "SET 'table.local-time-zone' = 'Asia/Shanghai';\n"
        "CREATE TABLE t (a VARCHAR, b BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');\n"
        "SET 'pipeline.name' = 'from the file';\n"
        "SET 'table.local-time-zone' = 'Europe/Berlin';\n"
        "INSERT INTO t2 SELECT * FROM t;\n"
        "CREATE TABLE t2 (a VARCHAR, b BIGINT) WITH ('connector' = 'blackhole');\n";
    char o1[] = "table.local-time-zone=UTC", o2[] = "parallelism.default=4";
    char *ov[] = {o1, o2};
    if (load_ok(sql, ov, 2)) return;
    CHECK_EQ_STR(ctx_config(&J.ctx, "table.local-time-zone"), "UTC");
    CHECK_EQ_STR(tz_name(J.ctx.local_tz), "UTC");
    CHECK_EQ_STR(ctx_config(&J.ctx, "pipeline.name"), "from the file");
    CHECK_EQ_STR(ctx_config(&J.ctx, "parallelism.default"), "4");
    CHECK(ctx_config(&J.ctx, "no.such.key") == NULL);
    CHECK_EQ_STR(o1, "table.local-time-zone=UTC");          /* the caller's strings are left as they were */
    done();
    /* Without overrides the last SET wins. */
    if (load_ok(sql, NULL, 0)) return;
    CHECK_EQ_STR(ctx_config(&J.ctx, "table.local-time-zone"), "Europe/Berlin");
    CHECK_EQ_STR(tz_name(J.ctx.local_tz), "Europe/Berlin");
    done();
    /* An override is set even when the file has no SET at all. */
    char o3[] = "pipeline.name=override";
    char *ov3[] = {o3};
    snprintf(text, sizeof text, "%s%s", DDL, "INSERT INTO pr SELECT shop, id FROM src;\n");
    if (load_ok(text, ov3, 1)) return;
    CHECK_EQ_STR(ctx_config(&J.ctx, "pipeline.name"), "override");
    done();
}

TEST(configuration_errors)
{
    static const char *sql =
        "CREATE TABLE t (a VARCHAR, b BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');\n"
        "INSERT INTO t2 SELECT * FROM t;\n"
        "CREATE TABLE t2 (a VARCHAR, b BIGINT) WITH ('connector' = 'blackhole');\n";
    static const char *zone_help = "; expected an IANA zone name from /usr/share/zoneinfo such as 'Asia/Shanghai' or "
                                   "'America/New_York', 'UTC', 'Z', or a fixed offset within +/-18:00 such as '+08:00', "
                                   "'-0530', 'GMT+8', 'UTC+08:00' or 'GMT-03:30'";
    char expected[1024];
    snprintf(expected, sizeof expected, "table.local-time-zone: unknown time zone 'Mars/Olympus'%s", zone_help);
    snprintf(text, sizeof text, "SET 'table.local-time-zone' = 'Mars/Olympus';\n%s", sql);
    CHECK_EQ_STR(fail_text(text), expected);
    snprintf(text, sizeof text, "%s", sql);
    char bad_zone[] = "table.local-time-zone=Mars/Olympus";
    char *ov[] = {bad_zone};
    CHECK(load_text(text, ov, 1) != 0);
    CHECK_EQ_STR(message, expected);
    done();
    char no_eq[] = "pipeline.name";
    char *ov2[] = {no_eq};
    CHECK(load_text(text, ov2, 1) != 0);
    CHECK_EQ_STR(message, "-D expects key=value, got 'pipeline.name'");
    done();
}

/* ------------------------------------------------------------------ name and type errors */

TEST(name_resolution_errors)
{
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, id FROM srcc;\n"),
                 "unknown table 'srcc'; did you mean 'src'? tables and views: src, ltz, pr, pk, fs");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, id FROM xyzzy;\n"),
                 "unknown table 'xyzzy'; tables and views: src, ltz, pr, pk, fs");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shopp, id FROM src;\n"),
                 "unknown column 'shopp'; columns in scope: src.id, src.shop, src.price, src.ts, src.pt");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT s.shop, s.idd FROM src s;\n"),
                 "table 's' has no column 'idd'; its columns: id, shop, price, ts, pt");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, id FROM src s WHERE src.id > 1;\n"),
                 "unknown table or alias 'src' in 'src.id'; tables in scope: s");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT x.* FROM src;\n"),
                 "unknown table or alias 'x' in 'x.*'; tables in scope: src");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT a.shop, id FROM src a JOIN ltz b ON a.id = b.id;\n"),
                 "column 'id' is ambiguous: it exists in a and b; qualify it");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, id FROM (SELECT shop, shop, id FROM src) t;\n"),
                 "column 'shop' is ambiguous: it exists in t and t; qualify it");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, UPER(shop) FROM src;\n"),
                 "unknown function 'UPER'; did you mean 'UPPER'?");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, XYZZY_FN(shop) FROM src;\n"),
                 "unknown function 'XYZZY_FN'");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, SUBSTR(shop) FROM src;\n"),
                 "function SUBSTR takes 2 to 3 arguments, but 1 were given");
}

/* Seed 000: a view grouped by TUMBLE that selects grd.shop_code from `user_wifidata data`. */
static const char *const seed000 =
    "CREATE TABLE user_wifidata (shop_code VARCHAR, ap_mac VARCHAR, occur_time VARCHAR, rssi VARCHAR,\n"
    "  ts_occur_time AS TO_TIMESTAMP(CAST(CAST(occur_time AS BIGINT) * 1000 AS BIGINT)),\n"
    "  WATERMARK FOR ts_occur_time AS ts_occur_time - INTERVAL '60' SECOND\n"
    ") WITH ('connector' = 'datagen', 'number-of-rows' = '1');\n"
    "CREATE TABLE out1 (come_time VARCHAR, rssi VARCHAR, shop_code VARCHAR) WITH ('connector' = 'print');\n"
    "CREATE VIEW record_sec (come_time, rssi, shop_code) AS\n"
    "SELECT DATE_FORMAT(TUMBLE_START(data.ts_occur_time, INTERVAL '1' SECOND), 'yyyy-MM-dd HH:mm:ss'),\n"
    "  MIN(data.rssi), %s.shop_code\n"
    "FROM user_wifidata data\n"
    "GROUP BY TUMBLE(ts_occur_time, INTERVAL '1' SECOND), ap_mac, shop_code;\n"
    "INSERT INTO out1 SELECT * FROM record_sec;\n";

TEST(unknown_alias_in_grouped_view)
{
    snprintf(text, sizeof text, seed000, "grd");
    CHECK(load_text(text, NULL, 0) != 0);
    CHECK_EQ_STR(message, "unknown table or alias 'grd' in 'grd.shop_code'; tables in scope: data");
    CHECK(strstr(err_text(), "job.sql:8:19: error:") != NULL);
    CHECK(strstr(err_text(), "  note: in view 'record_sec' used here: job.sql:11:32\n") != NULL);
    done();
    /* With the right alias the same view plans. */
    snprintf(text, sizeof text, seed000, "data");
    if (load_ok(text, NULL, 0)) return;
    SHAPE(sink(0), "Sink(Calc(WindowAggregate(Calc(TableSourceScan))))");
    CHECK_EQ_STR(schema_text(&in0(in0(sink(0)))->schema),
                 "ap_mac STRING, shop_code STRING, MIN$0 STRING, window_start TIMESTAMP(3)");
    done();
}

TEST(aggregation_errors)
{
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, price FROM src GROUP BY shop;\n"),
                 "column 'price' is neither in GROUP BY nor inside an aggregate function; grouped by: shop");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, COUNT(*) FROM src GROUP BY UPPER(shop), id;\n"),
                 "column 'shop' is neither in GROUP BY nor inside an aggregate function; grouped by: UPPER(shop), id");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, COUNT(*) FROM src WHERE COUNT(*) > 1 GROUP BY shop;\n"),
                 "aggregate function COUNT is not allowed here");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, SUM(COUNT(*)) FROM src GROUP BY shop;\n"),
                 "aggregate functions cannot be nested");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, SUM(shop) FROM src GROUP BY shop;\n"),
                 "aggregate SUM does not accept an argument of type STRING");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, id FROM src HAVING id > 1;\n"),
                 "HAVING needs GROUP BY or an aggregate function");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, COUNT(*) FROM src GROUP BY shop HAVING COUNT(*);\n"),
                 "HAVING must be a BOOLEAN condition, but it is BIGINT NOT NULL");
}

TEST(window_errors)
{
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, COUNT(*) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), "
                      "INTERVAL '1' MINUTE)) GROUP BY shop;\n"),
                 "an aggregation over a window table function must GROUP BY window_start, window_end");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, COUNT(*) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), "
                      "INTERVAL '1' MINUTE)) GROUP BY shop, window_start;\n"),
                 "an aggregation over a window table function must GROUP BY window_start, window_end");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, id FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), "
                      "INTERVAL '1' MINUTE)) WHERE window_end > ts;\n"),
                 "'window_end' of a window table function can only be used in a GROUP BY window_start, window_end "
                 "aggregation");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, COUNT(*) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(id), "
                      "INTERVAL '1' MINUTE)) GROUP BY shop, window_start, window_end;\n"),
                 "column 'id' is not a time attribute; declare a WATERMARK for it or use a PROCTIME() column");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, COUNT(*) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), "
                      "INTERVAL '0' MINUTE)) GROUP BY shop, window_start, window_end;\n"),
                 "window sizes must be positive");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, COUNT(*) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), "
                      "INTERVAL '1' MONTH)) GROUP BY shop, window_start, window_end;\n"),
                 "window sizes must be day-time intervals (SECOND to DAY)");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, COUNT(*) FROM TABLE(CUMULATE(TABLE src, DESCRIPTOR(ts), "
                      "INTERVAL '7' MINUTE, INTERVAL '1' HOUR)) GROUP BY shop, window_start, window_end;\n"),
                 "CUMULATE size must be a multiple of the step");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT HOP_START(ts, INTERVAL '1' MINUTE), COUNT(*) FROM src "
                      "GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE);\n"),
                 "HOP_START does not match the window of GROUP BY TUMBLE");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, TUMBLE_START(ts, INTERVAL '1' MINUTE) FROM src;\n"),
                 "TUMBLE_START can only be used in the SELECT list of a query with GROUP BY TUMBLE(...)");
    /* A MAX over a rowtime is a value, not a time attribute. */
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, c FROM (SELECT shop, COUNT(*) AS c, MAX(ts) AS ts FROM src "
                      "GROUP BY shop) GROUP BY shop, c, TUMBLE(ts, INTERVAL '1' MINUTE);\n"),
                 "column 'ts' is not a time attribute; declare a WATERMARK for it or use a PROCTIME() column");
}

TEST(row_number_errors)
{
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY shop "
                      "ORDER BY price DESC) AS rn FROM src);\n"),
                 "ROW_NUMBER() must be filtered in the enclosing query by 'rn <= N' (Top-N) or 'rn = 1' "
                 "(deduplication)");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY shop "
                      "ORDER BY price DESC) AS r FROM src) WHERE r = 2 OR r = 1;\n"),
                 "ROW_NUMBER() must be filtered in the enclosing query by 'r <= N' (Top-N) or 'r = 1' "
                 "(deduplication)");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, ROW_NUMBER() OVER (ORDER BY id) FROM src;\n"),
                 "ROW_NUMBER() must be filtered in an enclosing query by 'rn <= N' (Top-N) or 'rn = 1' "
                 "(deduplication)");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, id FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY id) AS rn "
                      "FROM src) WHERE rn < 1;\n"),
                 "the Top-N limit must be at least 1");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, ROW_NUMBER() OVER (PARTITION BY shop) FROM src;\n"),
                 "ROW_NUMBER() OVER needs ORDER BY");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, id FROM src ORDER BY id;\n"),
                 "ORDER BY without LIMIT must be on a time attribute in ascending order in a streaming query");
}

TEST(insert_shape_errors)
{
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop FROM src;\n"),
                 "the query produces 1 columns, but table 'pr' has 2: a, b");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, id, price FROM src;\n"),
                 "the query produces 3 columns, but table 'pr' has 2: a, b");
    CHECK_EQ_STR(fail("INSERT INTO pr (b, a) SELECT id FROM src;\n"),
                 "INSERT INTO 'pr' names 2 columns, but the query produces 1");
    CHECK_EQ_STR(fail("INSERT INTO pr (b, c) SELECT id, shop FROM src;\n"), "table 'pr' has no physical column 'c'");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, ts FROM src;\n"),
                 "column 2 ('ts') of the query is TIMESTAMP(3) *ROWTIME*, but column 'b' of table 'pr' is BIGINT; "
                 "add a CAST");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT id, id FROM src;\n"),
                 "column 1 ('id') of the query is BIGINT, but column 'a' of table 'pr' is STRING; add a CAST");
    /* Named columns may come in any order; a numeric column is widened implicitly. */
    if (load("INSERT INTO pr (b, a) SELECT CAST(price AS INT), shop FROM src;\n")) return;
    SHAPE(sink(0), "Sink(Calc(TableSourceScan))");
    plan_node *calc = in0(sink(0));
    CHECK_EQ_STR(expr_text(calc->proj[0], &J.plan.scans[0]->schema), "shop");
    CHECK_EQ_STR(expr_text(calc->proj[1], &J.plan.scans[0]->schema), "CAST(CAST(price AS INT) AS BIGINT)");
    done();
}

TEST(expression_errors)
{
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, id FROM src WHERE id;\n"),
                 "WHERE must be a BOOLEAN condition, but it is BIGINT");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, id FROM src WHERE ts > ts - INTERVAL 'abc' SECOND;\n"),
                 "invalid interval value 'abc'");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, id FROM src WHERE ts > ts - INTERVAL '1:02:03:04' HOUR TO SECOND;\n"),
                 "invalid interval value '1:02:03:04'");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, id FROM src WHERE ts > ts - INTERVAL '99999999999' DAY;\n"),
                 "interval value '99999999999' is out of range");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, 99999999999999999999 FROM src;\n"),
                 "integer literal 99999999999999999999 is out of range for BIGINT");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, id FROM src WHERE ts > TIMESTAMP '2020-13-45 00:00:00';\n"),
                 "invalid TIMESTAMP literal '2020-13-45 00:00:00'");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, CAST(ts AS BOOLEAN) FROM src;\n"),
                 "cannot cast TIMESTAMP(3) *ROWTIME* to BOOLEAN");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, id FROM src UNION ALL SELECT id, shop FROM src;\n"),
                 "UNION ALL column 1 ('shop') has incompatible types STRING and BIGINT");
    CHECK_EQ_STR(fail("INSERT INTO pr SELECT shop, id FROM src UNION SELECT shop, id FROM src;\n"),
                 "UNION without ALL (distinct union) is not supported; use UNION ALL");
}

/* ------------------------------------------------------------------ intervals */

static int interval(const char *text, time_unit unit, time_unit unit2, int64_t *out, type_id *id)
{
    ast_t iv;
    memset(&iv, 0, sizeof iv);
    iv.kind = AST_INTERVAL;
    iv.text = (char *)text;
    iv.unit = unit;
    iv.unit2 = unit2;
    type_t t = type_make(TY_NULL);
    err_clear();
    int rc = interval_value(&iv, &t, out);
    *id = (type_id)t.id;
    return rc;
}

TEST(interval_values)
{
    int64_t v = 0;
    type_id id;
    CHECK_EQ_INT(interval("5", TU_SECOND, TU_NONE, &v, &id), 0);
    CHECK_EQ_INT(v, 5 * US_PER_SEC);
    CHECK_EQ_INT(id, TY_INTERVAL_DT);
    interval("1.5", TU_SECOND, TU_NONE, &v, &id);
    CHECK_EQ_INT(v, 1500000);
    interval("-1.5", TU_MINUTE, TU_NONE, &v, &id);
    CHECK_EQ_INT(v, -90 * US_PER_SEC);
    interval("250", TU_MILLISECOND, TU_NONE, &v, &id);
    CHECK_EQ_INT(v, 250000);
    interval("2", TU_WEEK, TU_NONE, &v, &id);
    CHECK_EQ_INT(v, 14 * US_PER_DAY);
    CHECK_EQ_INT(interval("1 02:03:04.5", TU_DAY, TU_SECOND, &v, &id), 0);
    CHECK_EQ_INT(v, US_PER_DAY + (2 * 3600 + 3 * 60 + 4) * US_PER_SEC + 500000);
    interval("02:03", TU_HOUR, TU_MINUTE, &v, &id);
    CHECK_EQ_INT(v, (2 * 3600 + 3 * 60) * US_PER_SEC);
    interval("10:30.25", TU_MINUTE, TU_SECOND, &v, &id);
    CHECK_EQ_INT(v, 630250000);
    interval("-1 02", TU_DAY, TU_HOUR, &v, &id);
    CHECK_EQ_INT(v, -26 * 3600 * US_PER_SEC);
    CHECK_EQ_INT(interval("1-6", TU_YEAR, TU_MONTH, &v, &id), 0);
    CHECK_EQ_INT(v, 18);
    CHECK_EQ_INT(id, TY_INTERVAL_YM);
    interval("-2", TU_YEAR, TU_NONE, &v, &id);
    CHECK_EQ_INT(v, -24);
    interval("3", TU_QUARTER, TU_NONE, &v, &id);
    CHECK_EQ_INT(v, 9);
    interval("7", TU_MONTH, TU_NONE, &v, &id);
    CHECK_EQ_INT(v, 7);
    /* The largest values that fit in 64 bits, and the first ones that do not. */
    CHECK_EQ_INT(interval("106751991", TU_DAY, TU_NONE, &v, &id), 0);
    CHECK_EQ_INT(v, 106751991 * US_PER_DAY);
    CHECK_EQ_INT(interval("106751992", TU_DAY, TU_NONE, &v, &id), -1);
    CHECK_EQ_STR(err_message(), "interval value '106751992' is out of range");
    CHECK_EQ_INT(interval("-106751991", TU_DAY, TU_NONE, &v, &id), 0);
    CHECK_EQ_INT(v, -106751991 * US_PER_DAY);
    CHECK_EQ_INT(interval("106751991 00", TU_DAY, TU_HOUR, &v, &id), 0);
    CHECK_EQ_INT(interval("106751992 00", TU_DAY, TU_HOUR, &v, &id), -1);
    CHECK_EQ_INT(interval("106751991 23:59:59", TU_DAY, TU_SECOND, &v, &id), -1);
    CHECK_EQ_INT(interval("768614336404564650", TU_YEAR, TU_NONE, &v, &id), 0);
    CHECK_EQ_INT(v, 9223372036854775800LL);
    CHECK_EQ_INT(interval("768614336404564651", TU_YEAR, TU_NONE, &v, &id), -1);
    CHECK_EQ_STR(err_message(), "interval value '768614336404564651' is out of range");
    CHECK_EQ_INT(interval("768614336404564650-7", TU_YEAR, TU_MONTH, &v, &id), 0);
    CHECK_EQ_INT(v, INT64_MAX);
    CHECK_EQ_INT(interval("768614336404564650-8", TU_YEAR, TU_MONTH, &v, &id), -1);
    CHECK_EQ_INT(interval("inf", TU_SECOND, TU_NONE, &v, &id), -1);
    CHECK_EQ_INT(interval("", TU_SECOND, TU_NONE, &v, &id), -1);
    CHECK_EQ_STR(err_message(), "invalid interval value ''");
    CHECK_EQ_INT(interval("1 2 3", TU_DAY, TU_NONE, &v, &id), -1);
    CHECK_EQ_INT(interval("1x", TU_YEAR, TU_NONE, &v, &id), -1);
    CHECK_EQ_STR(err_message(), "invalid interval value '1x'");
    CHECK_EQ_INT(interval("5", TU_NONE, TU_NONE, &v, &id), -1);
    CHECK_EQ_STR(err_message(), "interval needs a unit such as SECOND, MINUTE, HOUR or DAY");
    err_clear();
}

/* ------------------------------------------------------------------ EXPLAIN */

TEST(explain_text)
{
    if (load("INSERT INTO pk SELECT shop, COUNT(*) FROM src WHERE price > 1 GROUP BY shop;\n"
             "INSERT INTO pr SELECT shop, id FROM (SELECT shop, id, ROW_NUMBER() OVER (PARTITION BY shop ORDER BY ts)"
             " AS rn FROM src) WHERE rn = 1;\n")) return;
    sb_t out = {0};
    CHECK_EQ_INT(job_explain(&J, &out), 0);
    CHECK_EQ_STR(sb_str(&out),
        "Sink(table=[pk], connector=[blackhole], fields=[a, b], primaryKey=[a]) changelogMode=[I,UB,UA,D]\n"
        "+- Calc(select=[shop AS a, COUNT$0 AS b]) changelogMode=[I,UB,UA,D] upsertKey=[a]\n"
        "   +- GroupAggregate(groupBy=[shop], select=[COUNT(*)]) changelogMode=[I,UB,UA,D] upsertKey=[shop]\n"
        "      +- Calc(select=[shop], where=[price > 1.0]) changelogMode=[I]\n"
        "         +- TableSourceScan(table=[src], connector=[datagen], fields=[id, shop, price, ts, pt], "
        "watermark=[ts - INTERVAL '5' SECOND]) changelogMode=[I] timeAttributes=[ts:ROWTIME, pt:PROCTIME]\n"
        "\n"
        "Sink(table=[pr], connector=[print], fields=[a, b]) changelogMode=[I]\n"
        "+- Calc(select=[shop AS a, id AS b]) changelogMode=[I]\n"
        "   +- Rank(rankType=[ROW_NUMBER], partitionBy=[shop], orderBy=[ts ASC], rankRange=[rankStart=1, rankEnd=1], "
        "outputRankNumber=[false]) changelogMode=[I] timeAttributes=[ts:ROWTIME]\n"
        "      +- Calc(select=[shop, id, ts]) changelogMode=[I] timeAttributes=[ts:ROWTIME]\n"
        "         +- TableSourceScan(table=[src], connector=[datagen], fields=[id, shop, price, ts, pt], "
        "watermark=[ts - INTERVAL '5' SECOND]) changelogMode=[I] timeAttributes=[ts:ROWTIME, pt:PROCTIME] "
        "(shared, shown above)\n");
    /* A second EXPLAIN is the same (the walk's marks are cleared). */
    sb_t again = {0};
    job_explain(&J, &again);
    CHECK_EQ_STR(sb_str(&again), sb_str(&out));
    /* Node ids number inputs before their consumers, the first sink's tree first. */
    CHECK_EQ_INT(J.plan.scans[0]->id, 1);
    CHECK_EQ_INT(sink(0)->id, 5);
    CHECK_EQ_INT(sink(1)->id, 9);
    sb_free(&out);
    sb_free(&again);
    done();
}

TEST(explain_window_specs)
{
    if (load("INSERT INTO pr SELECT shop, COUNT(*) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '0.5' SECOND))"
             " GROUP BY shop, window_start, window_end;\n"
             "INSERT INTO pr SELECT shop, COUNT(*) FROM TABLE(HOP(TABLE src, DESCRIPTOR(ts), INTERVAL '1' MINUTE,"
             " INTERVAL '5' MINUTE, INTERVAL '-8' HOUR)) GROUP BY shop, window_start, window_end;\n"
             "INSERT INTO pr SELECT shop, COUNT(*) FROM TABLE(CUMULATE(TABLE src, DESCRIPTOR(ts), INTERVAL '0.000250' SECOND,"
             " INTERVAL '1' SECOND)) GROUP BY shop, window_start, window_end;\n"
             "INSERT INTO pr SELECT shop, COUNT(*) FROM src GROUP BY SESSION(ts, INTERVAL '30' SECOND), shop;\n"
             "INSERT INTO pr SELECT shop, COUNT(*) FROM src GROUP BY TUMBLE(pt, INTERVAL '10' SECOND), shop;\n")) return;
    sb_t out = {0};
    job_explain(&J, &out);
    const char *x = sb_str(&out);
    CHECK(strstr(x, "WindowAggregate(window=[TUMBLE(ts, size=500ms)], groupBy=[shop]") != NULL);
    CHECK(strstr(x, "WindowAggregate(window=[HOP(ts, slide=60s, size=300s, offset=-28800s)], groupBy=[shop]") != NULL);
    CHECK(strstr(x, "WindowAggregate(window=[CUMULATE(ts, step=250us, size=1s)], groupBy=[shop]") != NULL);
    CHECK(strstr(x, "WindowAggregate(window=[SESSION(ts, gap=30s)], groupBy=[shop]") != NULL);
    CHECK(strstr(x, "WindowAggregate(window=[TUMBLE(pt, size=10s, proctime)], groupBy=[shop]") != NULL);
    sb_free(&out);
    done();
}

int main(void)
{
    RUN(scan_schema_and_time_attributes);
    RUN(computed_columns_follow_physical_ones);
    RUN(one_scan_shared_by_every_insert);
    RUN(changelog_and_upsert_sources);
    RUN(catalog_declaration_errors);
    RUN(tables_used_the_wrong_way);
    RUN(tumble_window_tvf);
    RUN(hop_and_cumulate_with_offset);
    RUN(legacy_group_windows);
    RUN(ltz_window_properties);
    RUN(group_aggregate_modes_and_upsert_keys);
    RUN(updates_into_a_sink_without_primary_key);
    RUN(top_n_with_and_without_row_number);
    RUN(deduplication_patterns);
    RUN(window_top_n);
    RUN(window_aggregation_over_updating_input);
    RUN(calc_fusion);
    RUN(time_attributes_through_projections);
    RUN(union_all_and_order_by_limit);
    RUN(views_and_subquery_column_names);
    RUN(overrides_win_over_set);
    RUN(configuration_errors);
    RUN(name_resolution_errors);
    RUN(unknown_alias_in_grouped_view);
    RUN(aggregation_errors);
    RUN(window_errors);
    RUN(row_number_errors);
    RUN(insert_shape_errors);
    RUN(expression_errors);
    RUN(interval_values);
    RUN(explain_text);
    RUN(explain_window_specs);
    return CHECK_DONE();
}
