/* datagen.c - the 'datagen' connector (Flink's datagen options): a source of generated rows.
 *
 * Every column has a generator: 'random' (the default) or 'sequence'. Random values are
 * uniform in fields.#.min .. fields.#.max (numbers; the type's range by default), strings
 * of fields.#.length random hex digits (default 100, at most the VARCHAR length; 1..length
 * under fields.#.var-len), booleans, and for DATE / TIMESTAMP / TIMESTAMP_LTZ a time between
 * now - fields.#.max-past and now.
 * A sequence counts from fields.#.start to fields.#.end (both required) and ends the source
 * when it is exhausted; 'number-of-rows' ends it too; otherwise it is unbounded.
 * fields.#.null-rate makes that fraction of a column's values NULL. The random generator has
 * a fixed seed, so a run is reproducible.
 *
 * Pacing: rows-per-second (default 10000) is held against the job clock: by elapsed time e
 * since the source was created, at most 1 + e * rows-per-second rows have been produced; next()
 * returns 1 with no rows while the source is ahead. Rows are generated column by column. */
#include "connect/connector.h"
#include "base/util.h"
#include "base/civil.h"
#include <float.h>
#include <stdlib.h>

static const char *const datagen_options[] = {
    "rows-per-second", "number-of-rows", "fields.#.kind", "fields.#.min", "fields.#.max", "fields.#.max-past",
    "fields.#.length", "fields.#.var-len", "fields.#.start", "fields.#.end", "fields.#.null-rate", NULL,
};

enum { GEN_RANDOM, GEN_SEQUENCE };

typedef struct field_gen {
    int kind;
    type_t type;
    int64_t min, max;            /* random integers (DECIMAL scaled), inclusive */
    double fmin, fmax;           /* random DOUBLE */
    int64_t next, end;           /* sequence: next value and the last one */
    int64_t length;              /* random strings */
    int var_len;                 /* random strings of 1..length bytes */
    int64_t max_past_us;         /* random DATE / TIMESTAMP */
    double null_rate;
    uint64_t rng;
} field_gen;

typedef struct datagen_source {
    source_t base;
    field_gen *gens;
    uint32_t ncols;
    int64_t rows_per_sec;
    int64_t remaining;           /* rows left; -1: unbounded */
    int64_t start_us;            /* when the source was created */
    uint64_t produced;
    const tz_t *zone;            /* for TIMESTAMP "now" */
} datagen_source;

static uint64_t next_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double rand_unit(uint64_t *state) { return (double)(next_rand(state) >> 11) * (1.0 / 9007199254740992.0); }

static int64_t rand_between(uint64_t *state, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)hi - (uint64_t)lo + 1;
    uint64_t r = next_rand(state);
    return (int64_t)((uint64_t)lo + (span ? r % span : r));
}

/* ---- generation ---- */

static void gen_strings(datagen_source *s, field_gen *g, vector_t *v, uint32_t row0, uint32_t n, arena_t *a)
{
    static const char hex[] = "0123456789abcdef";
    char num[24];
    for (uint32_t k = 0; k < n; k++) {
        str_t *out = &v->str[row0 + k];
        if (g->kind == GEN_SEQUENCE) {
            int len = snprintf(num, sizeof num, "%lld", (long long)g->next++);
            *out = str_copy(a, num, (uint32_t)len);
            continue;
        }
        int64_t len = g->var_len && g->length > 1 ? rand_between(&g->rng, 1, g->length) : g->length;
        char *p = arena_alloc(a, (size_t)len + 1);
        for (int64_t i = 0; i < len; i++) p[i] = hex[next_rand(&g->rng) & 15];
        *out = str_view(p, (uint32_t)len);
    }
}

static int64_t truncate_to_precision(int64_t us, int precision)
{
    if (precision >= 6) return us;
    int64_t unit = pow10_i64(6 - precision);
    return us - (((us % unit) + unit) % unit);
}

static void gen_times(datagen_source *s, field_gen *g, vector_t *v, uint32_t row0, uint32_t n)
{
    int64_t now = table_now_us(s->base.table);
    if (g->type.id != TY_TIMESTAMP_LTZ) now = tz_utc_to_local(s->zone, now);
    for (uint32_t k = 0; k < n; k++) {
        int64_t t = now - (g->max_past_us > 0 ? rand_between(&g->rng, 0, g->max_past_us) : 0);
        if (g->type.id == TY_DATE) v->i64[row0 + k] = floor_div(t, US_PER_DAY);
        else v->i64[row0 + k] = truncate_to_precision(t, g->type.precision);
    }
}

static void gen_numbers(field_gen *g, vector_t *v, uint32_t row0, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++) {
        uint32_t r = row0 + k;
        if (g->type.id == TY_DOUBLE) {
            v->f64[r] = g->kind == GEN_SEQUENCE ? (double)g->next++ : g->fmin + rand_unit(&g->rng) * (g->fmax - g->fmin);
        } else if (g->kind == GEN_SEQUENCE) {
            int64_t x = g->next++;
            v->i64[r] = g->type.id == TY_DECIMAL ? x * pow10_i64(g->type.scale) : x;
        } else if (g->type.id == TY_BOOLEAN) {
            v->i64[r] = (int64_t)(next_rand(&g->rng) & 1);
        } else {
            v->i64[r] = rand_between(&g->rng, g->min, g->max);
        }
    }
}

static void gen_nulls(field_gen *g, vector_t *v, uint32_t row0, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++)
        v->nulls[row0 + k] = g->null_rate > 0 && rand_unit(&g->rng) < g->null_rate;
}

static void gen_column(datagen_source *s, uint32_t col, chunk_t *out, uint32_t n)
{
    field_gen *g = &s->gens[col];
    vector_t *v = &out->cols[col];
    uint32_t row0 = out->nrows;
    switch (g->type.id) {
    case TY_STRING: gen_strings(s, g, v, row0, n, &out->arena); break;
    case TY_DATE: case TY_TIMESTAMP: case TY_TIMESTAMP_LTZ: gen_times(s, g, v, row0, n); break;
    default: gen_numbers(g, v, row0, n); break;
    }
    gen_nulls(g, v, row0, n);
}

/* Rows the clock allows now. */
static int64_t paced_budget(datagen_source *s)
{
    int64_t now = table_now_us(s->base.table);
    __int128 allowed = 1 + (__int128)(now - s->start_us) * s->rows_per_sec / US_PER_SEC;
    __int128 left = allowed - (__int128)s->produced;
    return left <= 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int64_t)left;
}

static int datagen_next(source_t *base, chunk_t *out)
{
    datagen_source *s = (datagen_source *)base;
    if (s->remaining == 0) return 0;
    int64_t n = out->cap - out->nrows;
    int64_t budget = paced_budget(s);
    if (budget < n) n = budget;
    if (s->remaining > 0 && s->remaining < n) n = s->remaining;
    if (n <= 0) return 1;
    for (uint32_t c = 0; c < s->ncols; c++) gen_column(s, c, out, (uint32_t)n);
    memset(out->ops + out->nrows, OP_INSERT, (size_t)n);
    out->nrows += (uint32_t)n;
    s->produced += (uint64_t)n;
    base->rows += (uint64_t)n;
    if (s->remaining > 0) s->remaining -= n;
    return 1;
}

static void datagen_close(source_t *base)
{
    datagen_source *s = (datagen_source *)base;
    free(s->gens);
    free(s);
}

static const source_vtable datagen_vt = {datagen_next, datagen_close};

/* ---- options ---- */

static sb_t *field_key(sb_t *key, const char *col, const char *what)
{
    sb_clear(key);
    sb_printf(key, "fields.%s.%s", col, what);
    return key;
}

static const table_option *field_opt(const connector_table *t, const char *col, const char *what, sb_t *key)
{
    return table_opt_entry(t, field_key(key, col, what)->data);
}

static int parse_rate(const table_option *o, double *out)
{
    char *end;
    *out = strtod(o->value, &end);
    if (end != o->value && !*end && *out >= 0 && *out <= 1) return 0;
    return err_at(o->value_span, "option '%s' expects a number between 0 and 1, got '%s'", o->key, o->value);
}

/* A number option of column `col` parsed as type parse_as (DECIMAL scaled). */
static int field_number(const connector_table *t, uint32_t col, const char *what, type_t parse_as, int64_t *i,
                        double *f, int *set)
{
    sb_t key = {0};
    const table_option *o = field_opt(t, t->physical.names[col], what, &key);
    sb_free(&key);
    *set = o != NULL;
    if (!o) return 0;
    char tn[64];
    value_t v;
    if (value_parse(parse_as, o->value, strlen(o->value), &v, NULL))
        return err_at(o->value_span, "option '%s' expects a %s value, got '%s'", o->key,
                      type_name(parse_as, tn, sizeof tn), o->value);
    *i = v.i;
    *f = parse_as.id == TY_DOUBLE ? v.f : (double)v.i;
    return 0;
}

/* min / max apply to numbers only. */
static int check_numeric_option(const connector_table *t, uint32_t col, const char *what)
{
    type_t ty = t->physical.types[col];
    if (type_is_numeric(ty) || ty.id == TY_INTERVAL_DT || ty.id == TY_INTERVAL_YM) return 0;
    sb_t key = {0};
    const table_option *o = field_opt(t, t->physical.names[col], what, &key);
    sb_free(&key);
    if (!o) return 0;
    char tn[64];
    return err_at(o->key_span, "option '%s' applies only to numeric columns; '%s' is %s", o->key,
                  t->physical.names[col], type_name(ty, tn, sizeof tn));
}

static void default_range(field_gen *g)
{
    switch (g->type.id) {
    case TY_INT: g->min = INT32_MIN; g->max = INT32_MAX; break;
    case TY_DECIMAL: {
        int p = g->type.precision > 18 ? 18 : g->type.precision;
        g->max = pow10_i64(p) - 1;
        g->min = -g->max;
        break;
    }
    default: g->min = INT64_MIN; g->max = INT64_MAX; break;
    }
    g->fmin = DBL_MIN;
    g->fmax = DBL_MAX;
}

static int sequence_supported(type_t t)
{
    return type_is_numeric(t) || t.id == TY_STRING;
}

static int setup_sequence(const connector_table *t, uint32_t col, field_gen *g)
{
    const char *name = t->physical.names[col];
    char tn[64];
    int has_start, has_end;
    double f;
    if (!sequence_supported(g->type)) {
        sb_t key = {0};
        const table_option *o = field_opt(t, name, "kind", &key);
        sb_free(&key);
        return err_at(o->value_span, "the sequence generator does not support %s column '%s'; use 'random'",
                      type_name(g->type, tn, sizeof tn), name);
    }
    type_t as = g->type.id == TY_INT ? g->type : type_make(TY_BIGINT);
    if (field_number(t, col, "start", as, &g->next, &f, &has_start) ||
        field_number(t, col, "end", as, &g->end, &f, &has_end))
        return -1;
    if (!has_start || !has_end)
        return err_at(t->span, "datagen column '%s' has kind 'sequence' and needs both 'fields.%s.start' and "
                      "'fields.%s.end'", name, name, name);
    if (g->end < g->next)
        return err_at(t->span, "datagen column '%s': sequence end %lld is before its start %lld", name,
                      (long long)g->end, (long long)g->next);
    return 0;
}

static int setup_random(const connector_table *t, uint32_t col, field_gen *g)
{
    int has_min, has_max;
    int64_t i;
    double f;
    type_t as = g->type.id == TY_INTERVAL_DT || g->type.id == TY_INTERVAL_YM ? type_make(TY_BIGINT) : g->type;
    default_range(g);
    if (check_numeric_option(t, col, "min") || check_numeric_option(t, col, "max")) return -1;
    if (field_number(t, col, "min", as, &i, &f, &has_min)) return -1;
    if (has_min) { g->min = i; g->fmin = f; }
    if (field_number(t, col, "max", as, &i, &f, &has_max)) return -1;
    if (has_max) { g->max = i; g->fmax = f; }
    if (g->type.id == TY_DOUBLE ? g->fmin > g->fmax : g->min > g->max)
        return err_at(t->span, "datagen column '%s': fields.%s.min is greater than fields.%s.max",
                      t->physical.names[col], t->physical.names[col], t->physical.names[col]);
    return 0;
}

static int setup_field(const connector_table *t, uint32_t col, field_gen *g)
{
    static const char *const kinds[] = {"random", "sequence", NULL};
    const char *name = t->physical.names[col];
    sb_t key = {0};
    int rc = -1;
    g->type = t->physical.types[col];
    g->rng = 0x5EED0000ULL + col * 0x100000001B3ULL;
    if (table_opt_enum(t, sb_str(field_key(&key, name, "kind")), kinds, GEN_RANDOM, &g->kind)) goto out;
    if (table_opt_i64(t, sb_str(field_key(&key, name, "length")), 100, &g->length)) goto out;
    if (g->length < 0) g->length = 0;
    if (g->type.length >= 0 && g->length > g->type.length) g->length = g->type.length;
    if (table_opt_duration(t, sb_str(field_key(&key, name, "max-past")), 0, &g->max_past_us)) goto out;
    if (table_opt_bool(t, sb_str(field_key(&key, name, "var-len")), 0, &g->var_len)) goto out;
    const table_option *nr = field_opt(t, name, "null-rate", &key);
    if (nr && parse_rate(nr, &g->null_rate)) goto out;
    rc = g->kind == GEN_SEQUENCE ? setup_sequence(t, col, g) : setup_random(t, col, g);
out:
    sb_free(&key);
    return rc;
}

static source_t *datagen_create_source(const connector_table *t)
{
    datagen_source *s = xcalloc(1, sizeof *s);
    s->base.vt = &datagen_vt;
    s->base.table = t;
    s->ncols = t->physical.ncols;
    s->gens = xcalloc(s->ncols ? s->ncols : 1, sizeof *s->gens);
    s->start_us = table_now_us(t);
    s->zone = t->ctx && t->ctx->local_tz ? t->ctx->local_tz : value_session_tz();
    int64_t rows;
    if (table_opt_i64(t, "rows-per-second", 10000, &s->rows_per_sec) ||
        table_opt_i64(t, "number-of-rows", -1, &rows))
        goto fail;
    if (s->rows_per_sec <= 0) {
        err_at(table_opt_entry(t, "rows-per-second")->value_span, "rows-per-second must be positive");
        goto fail;
    }
    if (rows < -1 || (rows < 0 && table_opt_entry(t, "number-of-rows"))) {
        err_at(table_opt_entry(t, "number-of-rows")->value_span, "number-of-rows must not be negative");
        goto fail;
    }
    s->remaining = rows;
    for (uint32_t c = 0; c < s->ncols; c++) {
        if (setup_field(t, c, &s->gens[c])) goto fail;
        field_gen *g = &s->gens[c];
        uint64_t span = (uint64_t)g->end - (uint64_t)g->next;
        int64_t seq_rows = span >= (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)span + 1;
        if (g->kind == GEN_SEQUENCE && (s->remaining < 0 || seq_rows < s->remaining)) s->remaining = seq_rows;
    }
    s->base.bounded = s->remaining >= 0;
    return &s->base;
fail:
    datagen_close(&s->base);
    return NULL;
}

const connector_def connector_datagen = {
    .name = "datagen",
    .options = datagen_options,
    .create_source = datagen_create_source,
};
