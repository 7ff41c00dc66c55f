/* gen.c - `eddy gen SCENARIO`: the scenario table and dispatch (files with --out, live streams
 * without it or with --to: live.c), and the helpers the generators share: random numbers,
 * buffered row output, command-line parsing, and the pending-row heap that lets a generator
 * write in time order while it produces rows that happen later (a payment minutes after its
 * order). */
#include "gen/gen.h"
#include "base/civil.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "base/util.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define OUT_BUF_SIZE ((size_t)1 << 20)

/* ---- `eddy gen SCENARIO`: the scenario table ---------------------------------------------- */

/* live_only: the command has no files of its own to write, it always streams. */
static const struct { const char *name; int (*run)(int, char **); int live_only; const char *what; } SCENARIOS[] = {
    {"mall", gen_mall, 0, "shopping-mall WiFi-probe records with shop and device-position tables (seed 000)"},
    {"channel", gen_channel, 0, "sales-channel orders as JSON lines, with re-sent duplicates and unpaid orders (seed 004)"},
    {"marketing", gen_marketing, 0, "app-marketing events, ad clicks with click fraud, logins, orders and receipts (seed 001)"},
    {"insurance", gen_insurance, 0, "insurance orders with updates, premium changes, page views, raw_info dimension (seed 002)"},
    {"replay", gen_replay_file, 1, "replays any file of events (CSV or JSON lines) as a live stream"},
};

static void gen_usage(FILE *f)
{
    fputs("usage: eddy gen SCENARIO --out DIR [options]   writes the scenario's files into DIR\n"
          "       eddy gen SCENARIO [--to TARGET] [options]  streams its events live (stdout, FILE,\n"
          "                                                   kafka://HOST:PORT, mqtt://HOST:PORT)\n"
          "(eddy gen SCENARIO --help for its options)\nscenarios:\n", f);
    for (size_t i = 0; i < ARRAY_LEN(SCENARIOS); i++) fprintf(f, "  %-10s %s\n", SCENARIOS[i].name, SCENARIOS[i].what);
    fputc('\n', f);
    gen_live_usage(f, NULL);
}

static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help")) return 1;
    return 0;
}

/* The scenario's own usage, then the live options. */
static int scenario_help(int (*run)(int, char **), const char *name)
{
    char *help_argv[] = {(char *)name, (char *)"--help", NULL};
    int rc = run(2, help_argv);
    fputc('\n', stdout);
    gen_live_usage(stdout, name);
    return rc;
}

/* File mode: the generator as it always ran, unless a live-only option shows a mix-up. */
static int run_files(int (*run)(int, char **), int argc, char **argv)
{
    char name[40];
    for (int i = 1; i < argc; i++) {
        size_t n = strcspn(argv[i], "=");
        if (strncmp(argv[i], "--", 2) != 0 || n >= sizeof name) continue;
        memcpy(name, argv[i], n);
        name[n] = '\0';
        if (gen_is_live_only_option(name))
            return err_msg("%s applies to live streams: add --to TARGET (-, FILE, kafka://HOST:PORT or "
                           "mqtt://HOST[:PORT]), or leave out --out", name), 2;
    }
    return run(argc, argv);
}

static void unknown_scenario(const char *name)
{
    sb_t names = {0};
    const char *best = NULL;
    int best_dist = 3;
    for (size_t i = 0; i < ARRAY_LEN(SCENARIOS); i++) {
        sb_printf(&names, "%s%s", i ? ", " : "", SCENARIOS[i].name);
        int d = edit_distance(name, SCENARIOS[i].name);
        if (d < best_dist) { best_dist = d; best = SCENARIOS[i].name; }
    }
    if (best) fprintf(stderr, "eddy gen: unknown scenario '%s' (did you mean '%s'?); scenarios: %s\n", name, best, sb_str(&names));
    else fprintf(stderr, "eddy gen: unknown scenario '%s'; scenarios: %s\n", name, sb_str(&names));
    sb_free(&names);
}

int gen_main(int argc, char **argv)
{
    if (argc < 2) { gen_usage(stderr); return 2; }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        gen_usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < ARRAY_LEN(SCENARIOS); i++) {
        if (strcmp(argv[1], SCENARIOS[i].name)) continue;
        err_clear();
        int (*run)(int, char **) = SCENARIOS[i].run;
        int rc = SCENARIOS[i].live_only ? run(argc - 1, argv + 1)
               : wants_help(argc - 1, argv + 1) ? scenario_help(run, SCENARIOS[i].name)
               : gen_is_live(argc - 1, argv + 1) ? gen_live(run, argc - 1, argv + 1)
               : run_files(run, argc - 1, argv + 1);
        if (rc) fprintf(stderr, "eddy gen %s: %s", SCENARIOS[i].name, err_text());
        return rc;
    }
    unknown_scenario(argv[1]);
    return 2;
}

/* ---- random numbers: splitmix64 for seeding and hashing, xoshiro256** for the stream ------- */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t gen_hash64(uint64_t x) { return splitmix64(&x); }

void gen_rng_seed(gen_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t gen_rng_next(gen_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double gen_rng_unit(gen_rng *r) { return (double)(gen_rng_next(r) >> 11) * 0x1.0p-53; }

int gen_rng_chance(gen_rng *r, double p) { return gen_rng_unit(r) < p; }

int64_t gen_rng_range(gen_rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(gen_rng_unit(r) * (double)(hi - lo + 1));
}

double gen_rng_exp(gen_rng *r, double mean) { return -mean * log(1.0 - gen_rng_unit(r)); }

double gen_rng_sorted_next(gen_rng *r, double prev, uint64_t remaining)
{
    double next = 1.0 - (1.0 - prev) * pow(1.0 - gen_rng_unit(r), 1.0 / (double)remaining);
    if (next < prev) next = prev;
    return next < 1.0 ? next : nextafter(1.0, 0.0);
}

int gen_pick_cumulative(gen_rng *r, const double *cum, int n)
{
    double x = gen_rng_unit(r) * cum[n - 1];
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (cum[mid] > x) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

int gen_pick_weighted(gen_rng *r, const int *weights, int n)
{
    int total = 0;
    for (int i = 0; i < n; i++) total += weights[i];
    int pick = (int)gen_rng_range(r, 0, total - 1), i = 0;
    while (pick >= weights[i]) pick -= weights[i++];
    return i;
}

uint64_t gen_scramble(uint64_t x, int bits)
{
    uint64_t mask = (1ull << bits) - 1;
    x = (x * 0x9E3779B97F4A7C15ull) & mask;
    x ^= x >> (bits / 2);
    x = (x * 0xBF58476D1CE4E5B9ull) & mask;
    x ^= x >> (bits / 2 + 1);
    return x;
}

/* ---- buffered output files ---------------------------------------------------------------- */

int gen_out_open(gen_out *o, const char *dir, const char *name)
{
    sb_t p = {0};
    sb_printf(&p, "%s/%s", dir, name);
    memset(o, 0, sizeof *o);
    o->path = sb_take(&p);
    o->f = fopen(o->path, "wb");
    if (!o->f) return err_msg("cannot create '%s': %s", o->path, strerror(errno)), 1;
    o->buf = xmalloc(OUT_BUF_SIZE);
    return 0;
}

static void out_flush(gen_out *o)
{
    if (o->len && !o->failed && fwrite(o->buf, 1, o->len, o->f) != o->len) o->failed = errno ? errno : EIO;
    o->len = 0;
}

char *gen_out_row(gen_out *o)
{
    if (o->len + GEN_MAX_ROW > OUT_BUF_SIZE) out_flush(o);
    return o->buf + o->len;
}

void gen_out_end(gen_out *o, char *end)
{
    o->len = (size_t)(end - o->buf);
    o->rows++;
}

int gen_out_close(gen_out *o)
{
    int rc = 0;
    if (o->f) {
        out_flush(o);
        if (fclose(o->f) != 0 && !o->failed) o->failed = errno ? errno : EIO;
        o->f = NULL;
        if (o->failed) {
            err_msg("cannot write '%s': %s", o->path, strerror(o->failed));
            rc = 1;
        }
    }
    free(o->buf);
    free(o->path);
    o->buf = o->path = NULL;
    return rc;
}

char *gen_put_str(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

char *gen_put_cstr(char *p, const char *s) { return gen_put_str(p, s, strlen(s)); }

char *gen_put_i64(char *p, int64_t v)
{
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do { tmp[n++] = (char)('0' + u % 10); u /= 10; } while (u);
    if (v < 0) *p++ = '-';
    while (n) *p++ = tmp[--n];
    return p;
}

char *gen_put_padded(char *p, int64_t v, int width)
{
    char tmp[24];
    int n = 0;
    uint64_t u = (uint64_t)v;
    do { tmp[n++] = (char)('0' + u % 10); u /= 10; } while (u);
    while (n < width) tmp[n++] = '0';
    while (n) *p++ = tmp[--n];
    return p;
}

char *gen_put_cents(char *p, int64_t cents)
{
    if (cents < 0) { *p++ = '-'; cents = -cents; }
    p = gen_put_i64(p, cents / 100);
    *p++ = '.';
    return gen_put_padded(p, cents % 100, 2);
}

static void split_datetime(int64_t wall_s, int64_t *y, int *mo, int *d, int *secs)
{
    civil_from_days(floor_div(wall_s, 86400), y, mo, d);
    *secs = (int)floor_mod(wall_s, 86400);
}

char *gen_put_datetime(char *p, int64_t wall_s)
{
    int64_t y;
    int mo, d, s;
    split_datetime(wall_s, &y, &mo, &d, &s);
    p = gen_put_padded(p, y, 4); *p++ = '-';
    p = gen_put_padded(p, mo, 2); *p++ = '-';
    p = gen_put_padded(p, d, 2); *p++ = ' ';
    p = gen_put_padded(p, s / 3600, 2); *p++ = ':';
    p = gen_put_padded(p, s / 60 % 60, 2); *p++ = ':';
    return gen_put_padded(p, s % 60, 2);
}

char *gen_put_datetime_digits(char *p, int64_t wall_s)
{
    int64_t y;
    int mo, d, s;
    split_datetime(wall_s, &y, &mo, &d, &s);
    p = gen_put_padded(p, y, 4);
    p = gen_put_padded(p, mo, 2);
    p = gen_put_padded(p, d, 2);
    p = gen_put_padded(p, s / 3600, 2);
    p = gen_put_padded(p, s / 60 % 60, 2);
    return gen_put_padded(p, s % 60, 2);
}

/* ---- command lines -------------------------------------------------------------------------- */

static void list_options(const gen_cli *cli, sb_t *b)
{
    for (int i = 0; cli->options[i]; i++) sb_printf(b, "%s%s", i ? ", " : "", cli->options[i]);
}

static int unknown_option(const gen_cli *cli, const char *name)
{
    const char *best = NULL;
    int best_dist = 3;
    for (int i = 0; cli->options[i]; i++) {
        int d = edit_distance(name, cli->options[i]);
        if (d < best_dist) { best_dist = d; best = cli->options[i]; }
    }
    sb_t valid = {0};
    list_options(cli, &valid);
    if (best) err_msg("unknown option '%s' (did you mean '%s'?); valid options: %s", name, best, sb_str(&valid));
    else err_msg("unknown option '%s'; valid options: %s", name, sb_str(&valid));
    sb_free(&valid);
    return 2;
}

static int in_list(const char *const *list, const char *name)
{
    for (int i = 0; list[i]; i++)
        if (!strcmp(list[i], name)) return 1;
    return 0;
}

int gen_parse_argv(const gen_cli *cli, int argc, char **argv, void *opts)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0) {
            sb_t valid = {0};
            list_options(cli, &valid);
            err_msg("unexpected argument '%s'; valid options: %s", arg, sb_str(&valid));
            sb_free(&valid);
            return 2;
        }
        char name[40];
        const char *eq = strchr(arg, '=');
        size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
        if (name_len >= sizeof name) return unknown_option(cli, arg);
        memcpy(name, arg, name_len);
        name[name_len] = '\0';
        if (!in_list(cli->options, name)) return unknown_option(cli, name);
        const char *value = eq ? eq + 1 : NULL;
        if (in_list(cli->flags, name)) {
            if (eq) return err_msg("%s takes no value, got '%s'", name, arg), 2;
        } else if (!value) {
            if (i + 1 >= argc) return err_msg("%s needs a value", name), 2;
            value = argv[++i];
        }
        int rc = cli->apply(opts, name, value);
        if (rc) return rc;
    }
    return 0;
}

int gen_parse_int(const char *name, const char *text, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end || errno || v < lo || v > hi)
        return err_msg("%s expects an integer from %lld to %lld, got '%s'", name, lo, hi, text), 2;
    *out = v;
    return 0;
}

int gen_parse_double(const char *name, const char *text, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (!*text || *end || errno || !(v >= lo && v <= hi))
        return err_msg("%s expects a number from %g to %g, got '%s'", name, lo, hi, text), 2;
    *out = v;
    return 0;
}

int gen_parse_duration(const char *name, const char *text, int64_t max_us, int64_t *out_us)
{
    static const struct { const char *unit; double us; } UNITS[] = {
        {"", 1e6}, {"ms", 1e3}, {"s", 1e6}, {"m", 60e6}, {"min", 60e6}, {"h", 3600e6},
    };
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    for (size_t i = 0; *text && end != text && !errno && v >= 0 && i < ARRAY_LEN(UNITS); i++) {
        if (strcmp(end, UNITS[i].unit)) continue;
        double us = v * UNITS[i].us;
        if (us > (double)max_us) break;
        *out_us = (int64_t)(us + 0.5);
        return 0;
    }
    return err_msg("%s expects a duration from 0 to %g s such as 500ms, 5s, 2m, 1h or seconds, got '%s'", name,
                   (double)max_us / 1e6, text), 2;
}

int gen_parse_seed(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (!*text || *end || errno || text[0] == '-')
        return err_msg("--seed expects an unsigned integer, got '%s'", text), 2;
    *out = v;
    return 0;
}

int gen_parse_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int gen_parse_datetime(const char *name, const char *text, int64_t *wall_s)
{
    int y, mo, d, h = 0, mi = 0, s = 0;
    size_t n = strlen(text);
    int ok = (n == 10 || n == 19) && text[4] == '-' && text[7] == '-' && !gen_parse_digits(text, 4, &y) &&
             !gen_parse_digits(text + 5, 2, &mo) && !gen_parse_digits(text + 8, 2, &d) && y >= 1970 &&
             y <= 2999 && mo >= 1 && mo <= 12 && d >= 1 && d <= days_in_month(y, mo);
    if (ok && n == 19)
        ok = text[10] == ' ' && text[13] == ':' && text[16] == ':' && !gen_parse_digits(text + 11, 2, &h) &&
             !gen_parse_digits(text + 14, 2, &mi) && !gen_parse_digits(text + 17, 2, &s) && h < 24 && mi < 60 &&
             s < 60;
    if (!ok)
        return err_msg("%s expects 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS' from 1970-01-01 to 2999-12-31, got '%s'",
                       name, text), 2;
    *wall_s = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    return 0;
}

int gen_parse_path(const char *name, const char *text, const char *what, const char **out)
{
    if (!*text) return err_msg("%s expects %s, got ''", name, what), 2;
    *out = text;
    return 0;
}

int gen_make_dirs(const char *path)
{
    char *p = xstrdup(path);
    int rc = 0;
    for (char *q = p + 1; ; q++) {
        if (*q != '/' && *q != '\0') continue;
        char saved = *q;
        *q = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            rc = err_msg("cannot create directory '%s': %s", p, strerror(errno));
            break;
        }
        *q = saved;
        if (!saved) break;
    }
    struct stat st;
    if (!rc && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)))
        rc = err_msg("--out '%s' is not a directory", path);
    free(p);
    return rc ? 1 : 0;
}

/* ---- pending rows ------------------------------------------------------------------------- */

#define HEAP_AT(h, i) ((h)->items + (i) * (h)->size)

void gen_heap_init(gen_heap *h, size_t record_size)
{
    memset(h, 0, sizeof *h);
    h->size = record_size;
}

static int key_before(const void *a, const void *b)
{
    const gen_key *x = a, *y = b;
    return x->time != y->time ? x->time < y->time : x->seq < y->seq;
}

static void heap_swap(gen_heap *h, size_t i, size_t j)
{
    char *spare = HEAP_AT(h, h->cap);
    memcpy(spare, HEAP_AT(h, i), h->size);
    memcpy(HEAP_AT(h, i), HEAP_AT(h, j), h->size);
    memcpy(HEAP_AT(h, j), spare, h->size);
}

void gen_heap_push(gen_heap *h, void *record)
{
    ((gen_key *)record)->seq = h->next_seq++;
    if (h->len == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 256;
        h->items = xrealloc(h->items, (h->cap + 1) * h->size);
    }
    memcpy(HEAP_AT(h, h->len), record, h->size);
    for (size_t i = h->len++; i > 0 && key_before(HEAP_AT(h, i), HEAP_AT(h, (i - 1) / 2)); i = (i - 1) / 2)
        heap_swap(h, i, (i - 1) / 2);
}

const void *gen_heap_top(const gen_heap *h) { return h->len ? h->items : NULL; }

void gen_heap_pop(gen_heap *h, void *out)
{
    memcpy(out, h->items, h->size);
    size_t n = --h->len, i = 0;
    if (n == 0) return;
    memcpy(h->items, HEAP_AT(h, n), h->size);
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && key_before(HEAP_AT(h, l), HEAP_AT(h, m))) m = l;
        if (r < n && key_before(HEAP_AT(h, r), HEAP_AT(h, m))) m = r;
        if (m == i) break;
        heap_swap(h, i, m);
        i = m;
    }
}

void gen_heap_free(gen_heap *h)
{
    free(h->items);
    memset(h, 0, sizeof *h);
}
