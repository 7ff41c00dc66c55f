/* gen.h - `eddy gen SCENARIO ...`: generators of realistic input data for the scenario jobs
 * (files a filesystem source reads, plus dimension tables for lookup joins).
 *
 * Every generator takes its own argv (argv[0] = the scenario name), writes its files, prints a
 * one-line summary on stderr and returns 0; on bad arguments it records a precise message with
 * err_msg (base/err.h) and returns 2, on I/O failures it records the message and returns 1.
 * The output is a pure function of the arguments (the seed included). */
#ifndef EDDY_GEN_H
#define EDDY_GEN_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* argv[0] = "gen", argv[1] = the scenario: runs that scenario's generator with argv + 1 and
 * prints any error on stderr. "gen --help" lists the scenarios. */
int gen_main(int argc, char **argv);

/* Shopping-mall WiFi-probe data (seed 000): user_wifidata, area_shop, place_info. */
int gen_mall(int argc, char **argv);

/* Sales-channel orders as JSON lines, with re-sent duplicates and unpaid orders (seed 004):
 * trade_order_detail.json. */
int gen_channel(int argc, char **argv);

/* The e-commerce course's marketing and risk streams (seed 001): app_marketing, ad_clicks
 * (with click-fraud users), logins (with rapid double failures), orders and receipts (with
 * timeouts and unmatched payments). */
int gen_marketing(int argc, char **argv);

/* Insurance-app streams (seed 002): user_order (with order updates), account_wechat_trace
 * (premium changes, some big drops of key customers), page_log, and the raw_info dimension. */
int gen_insurance(int argc, char **argv);

/* ---- helpers shared by the generators (gen.c) ------------------------------------------- */

/* Random numbers: xoshiro256** seeded by splitmix64; the same seed gives the same stream. */
typedef struct gen_rng {
    uint64_t s[4];
} gen_rng;

void gen_rng_seed(gen_rng *r, uint64_t seed);
uint64_t gen_rng_next(gen_rng *r);
double gen_rng_unit(gen_rng *r);                          /* uniform in [0, 1) */
int gen_rng_chance(gen_rng *r, double p);                 /* 1 with probability p */
int64_t gen_rng_range(gen_rng *r, int64_t lo, int64_t hi); /* uniform in lo..hi inclusive */
double gen_rng_exp(gen_rng *r, double mean);              /* exponential with that mean */
/* Sorted uniform draws one at a time: the smallest of `remaining` uniform draws in [prev, 1).
 * Calling it with remaining = n, n-1, ..., 1 yields n sorted uniforms without storing them. */
double gen_rng_sorted_next(gen_rng *r, double prev, uint64_t remaining);
/* Index into a cumulative weight table of n entries (cum[n - 1] = the total). */
int gen_pick_cumulative(gen_rng *r, const double *cum, int n);
/* Index into a table of n integer weights. */
int gen_pick_weighted(gen_rng *r, const int *weights, int n);
uint64_t gen_hash64(uint64_t x);
/* A bijection on the low `bits` bits (1..63): distinct inputs give distinct outputs. */
uint64_t gen_scramble(uint64_t x, int bits);

/* Buffered output file: rows are formatted by hand into a 1 MiB buffer. */
#define GEN_MAX_ROW 1024

typedef struct gen_out {
    FILE *f;
    char *path;
    char *buf;
    size_t len;
    int failed;             /* errno of the first failed write, 0 = fine */
    uint64_t rows;          /* rows ended with gen_out_end */
} gen_out;

/* Creates dir/name; on failure records the message and returns 1. */
int gen_out_open(gen_out *o, const char *dir, const char *name);
/* Room for one row of at most GEN_MAX_ROW bytes; gen_out_end(o, end) commits it. */
char *gen_out_row(gen_out *o);
void gen_out_end(gen_out *o, char *end);
/* Flushes and closes (a no-op when not open), frees the buffer and path; 1 on a write error. */
int gen_out_close(gen_out *o);

char *gen_put_str(char *p, const char *s, size_t n);
char *gen_put_cstr(char *p, const char *s);
char *gen_put_i64(char *p, int64_t v);
char *gen_put_padded(char *p, int64_t v, int width);     /* zero-padded to width digits */
char *gen_put_cents(char *p, int64_t cents);             /* 12345 -> "123.45" */
/* Seconds of a wall-clock reading since 1970-01-01 -> "YYYY-MM-DD HH:MM:SS". */
char *gen_put_datetime(char *p, int64_t wall_s);
/* The same reading as "YYYYMMDDHHMMSS". */
char *gen_put_datetime_digits(char *p, int64_t wall_s);

/* Command lines: "--name value", "--name=value" and value-less flags. `options` lists every
 * option name (NULL-terminated), `flags` those that take no value. apply(opts, name, value)
 * is called once per option in order (value = NULL for a flag) and returns 0 or 2 with the
 * error recorded. Unknown options get a "did you mean" and the list of valid ones. */
typedef int (*gen_apply_fn)(void *opts, const char *name, const char *value);

typedef struct gen_cli {
    const char *const *options;
    const char *const *flags;
    gen_apply_fn apply;
} gen_cli;

int gen_parse_argv(const gen_cli *cli, int argc, char **argv, void *opts);

/* Option values; each returns 0, or 2 with a message naming the option and the valid range. */
int gen_parse_int(const char *name, const char *text, long long lo, long long hi, long long *out);
int gen_parse_double(const char *name, const char *text, double lo, double hi, double *out);
int gen_parse_seed(const char *text, uint64_t *out);
/* "YYYY-MM-DD" (midnight) or "YYYY-MM-DD HH:MM:SS", years 1970..2999 -> wall-clock seconds. */
int gen_parse_datetime(const char *name, const char *text, int64_t *wall_s);
/* Exactly n decimal digits at s -> *out (0), or -1 when one of them is not a digit. */
int gen_parse_digits(const char *s, int n, int *out);
/* A non-empty path. */
int gen_parse_path(const char *name, const char *text, const char *what, const char **out);

/* mkdir -p; 1 with the message recorded when it fails or the path is not a directory. */
int gen_make_dirs(const char *path);

/* Pending rows ordered by (time, seq): a min-heap of fixed-size records, each beginning with a
 * gen_key. Generators push rows whose time lies in the future and pop them once no later
 * generated row can come before them, so files are written in time order without holding
 * the whole data set. */
typedef struct gen_key {
    int64_t time;
    uint64_t seq;           /* set by gen_heap_push: generation order breaks ties */
} gen_key;

typedef struct gen_heap {
    char *items;            /* cap + 1 records; the extra one is swap space */
    size_t len, cap, size;
    uint64_t next_seq;
} gen_heap;

void gen_heap_init(gen_heap *h, size_t record_size);
void gen_heap_push(gen_heap *h, void *record);
/* The smallest record, or NULL when empty (valid until the next push or pop). */
const void *gen_heap_top(const gen_heap *h);
void gen_heap_pop(gen_heap *h, void *out);
void gen_heap_free(gen_heap *h);

#endif
