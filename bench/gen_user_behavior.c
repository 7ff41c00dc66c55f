/*
 * gen_user_behavior.c — synthetic user-behaviour rows shaped like the Alibaba Tianchi
 * UserBehavior data set (see shared/data/SOURCES.md), for benchmarks and demos.
 *
 * Output: CSV lines `userId,itemId,categoryId,behavior,timestamp` (epoch seconds, no
 * header), the layout of the course file UserBehavior.csv. The model:
 *   - behaviour mix pv 89.58 %, cart 5.52 %, fav 2.88 %, buy 2.01 % (the full data set);
 *   - item popularity is Zipf-like (--zipf, --zipf-offset), sampled in O(1) by inverting
 *     a continuous power law, so hot items exist over a long tail; item ids are a
 *     scrambled, sparse mapping of popularity ranks;
 *   - every item has one fixed category, drawn (by a hash of the item) from a Zipf-like
 *     category distribution, so category sizes are skewed too;
 *   - users act in short sessions: a row either continues a recently active user (a ring
 *     of active users) or starts a fresh, uniformly drawn one, which gives the real data's
 *     ratio of distinct users to rows;
 *   - event time advances at --rate rows per second from --start; --disorder D moves each
 *     row back by up to D seconds, so no row is more than D seconds behind the largest
 *     timestamp before it (D = 0: non-decreasing timestamps).
 * The output is a pure function of the options and the seed. It does not link the engine.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUT_BUF_SIZE   (1u << 20)
#define MAX_LINE_LEN   128           /* longest possible output line, with slack */
#define SESSION_RING   8192          /* recently active users a row may continue */
#define SESSION_REPEAT 0.38          /* share of rows that continue an active user */
#define CATEGORY_ZIPF  1.5           /* skew of the category distribution of items */
#define CATEGORY_HEAD  0.00053       /* its head-flattening offset, share of categories */
#define ITEM_ID_SPREAD 1.24          /* item id space / item count (5,163,070 / 4,162,024) */
#define CAT_ID_SPREAD  547.0         /* category id space / category count */
#define MAX_EPOCH      ((int64_t)1 << 40)   /* bound on --start and --disorder */

struct options {
    uint64_t rows;         /* -n */
    uint64_t seed;         /* -s */
    int64_t start;         /* --start, epoch seconds */
    double rate;           /* --rate, rows per second of event time */
    int64_t disorder;      /* --disorder, max seconds a row lags the running maximum */
    const char *out_path;  /* -o, NULL = stdout */
    uint64_t users;        /* --users */
    uint64_t items;        /* --items */
    uint64_t categories;   /* --categories */
    double item_zipf;      /* --zipf */
    double item_offset;    /* --zipf-offset, share of --items */
};

/* ---- random numbers: splitmix64 for seeding and hashing, xoshiro256** for the stream */

struct rng {
    uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t hash64(uint64_t x)
{
    return splitmix64(&x);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* Maps 32 random bits onto [0, n) without division (Lemire's multiply-shift). */
static inline uint64_t scale32(uint32_t bits, uint64_t n)
{
    return ((uint64_t)bits * n) >> 32;
}

/* ---- Zipf-like sampling by inverting a continuous power law
 *
 * x is drawn from the density proportional to x^-s on [q + 1, q + n + 1) by inverting its
 * CDF in closed form, and rank = floor(x) - q - 1. So P(rank r) is close to the
 * Zipf-Mandelbrot law 1 / (r + q + 1)^s: the offset q flattens the head (the real data's
 * hottest items are only a few times hotter than the next hundred). No table is needed
 * (a table for millions of items costs a cache miss per row). */

struct zipf {
    uint64_t n;            /* ranks are 0 .. n - 1 */
    double offset;         /* q */
    int is_log;            /* s == 1: the CDF is logarithmic */
    double low;            /* (q + 1)^(1 - s), or log(q + 1) when is_log */
    double span;           /* (q + n + 1)^(1 - s) - low, or log((q + n + 1) / (q + 1)) */
    double inverse_power;  /* 1 / (1 - s) */
};

static void zipf_init(struct zipf *z, uint64_t n, double exponent, double offset)
{
    double one_minus_s = 1.0 - exponent;
    double a = offset + 1.0, b = offset + (double)n + 1.0;
    z->n = n;
    z->offset = offset;
    z->is_log = fabs(one_minus_s) < 1e-9;
    if (z->is_log) {
        z->low = log(a);
        z->span = log(b) - z->low;
        z->inverse_power = 0.0;
    } else {
        z->low = pow(a, one_minus_s);
        z->span = pow(b, one_minus_s) - z->low;
        z->inverse_power = 1.0 / one_minus_s;
    }
}

/* Maps the high 53 bits of `bits` to a rank. */
static inline uint64_t zipf_sample(const struct zipf *z, uint64_t bits)
{
    double u = (double)(bits >> 11) * 0x1.0p-53;
    double y = z->low + u * z->span;
    double x = (z->is_log ? exp(y) : pow(y, z->inverse_power)) - z->offset;
    if (!(x >= 1.0))                /* also NaN */
        return 0;
    if (x >= (double)z->n)
        return z->n - 1;
    return (uint64_t)x - 1;
}

static void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) {
        fprintf(stderr, "eddy-bench-gen: out of memory (%zu bytes)\n", size);
        exit(1);
    }
    return p;
}

static uint32_t probability_to_threshold(double p)
{
    double t = p * 4294967296.0;
    return t >= 4294967295.0 ? UINT32_MAX : (uint32_t)t;
}

/* ---- scrambled id spaces: rank r in [0, n) -> distinct id in [1, space] */

struct id_map {
    uint64_t space;
    uint64_t mul;          /* coprime with space, so r -> r * mul + add is injective */
    uint64_t add;
};

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static void id_map_init(struct id_map *m, uint64_t space, uint64_t *seed_state)
{
    m->space = space;
    m->mul = 1;
    m->add = splitmix64(seed_state) % space;
    if (space <= 2)
        return;
    for (;;) {
        uint64_t candidate = space / 3 + splitmix64(seed_state) % (space / 3);
        if (gcd64(candidate, space) == 1) {
            m->mul = candidate;
            return;
        }
    }
}

/* space <= 2^32 - 1, so rank * mul + add cannot overflow 64 bits. */
static inline uint64_t id_map_apply(const struct id_map *m, uint64_t rank)
{
    return (rank * m->mul + m->add) % m->space + 1;
}

/* ---- the row model */

enum behavior { PV, CART, FAV, BUY };

static const char *const behavior_text[] = { "pv", "cart", "fav", "buy" };
static const unsigned behavior_len[] = { 2, 4, 3, 3 };

struct model {
    struct rng rng;
    struct zipf items;              /* popularity rank of the item of a row */
    struct zipf categories;         /* category rank of an item, by hash */
    struct id_map user_ids;
    struct id_map item_ids;
    struct id_map category_ids;
    uint64_t category_salt;
    uint64_t users;
    uint64_t session[SESSION_RING]; /* user ranks of recently active users */
    uint32_t repeat_threshold;      /* continue a session below this */
    uint32_t behavior_threshold[3]; /* cumulative pv, cart, fav */
    int64_t start;
    double seconds_per_row;
    int64_t disorder;
};

/* Returns the id space for n keys: about n * spread, at least n, at most 2^32 - 1. */
static uint64_t id_space(uint64_t n, double spread)
{
    double space = ceil((double)n * spread);
    if (space > (double)UINT32_MAX)
        return UINT32_MAX;
    return (uint64_t)space < n ? n : (uint64_t)space;
}

static void model_init(struct model *m, const struct options *o)
{
    uint64_t seed_state = o->seed ^ 0x6564647962656E63ull;   /* "eddybenc" */

    rng_seed(&m->rng, o->seed);
    zipf_init(&m->items, o->items, o->item_zipf, o->item_offset * (double)o->items);
    zipf_init(&m->categories, o->categories, CATEGORY_ZIPF,
              CATEGORY_HEAD * (double)o->categories);
    id_map_init(&m->user_ids, o->users, &seed_state);
    id_map_init(&m->item_ids, id_space(o->items, ITEM_ID_SPREAD), &seed_state);
    id_map_init(&m->category_ids, id_space(o->categories, CAT_ID_SPREAD), &seed_state);
    m->category_salt = splitmix64(&seed_state);
    m->users = o->users;
    for (int i = 0; i < SESSION_RING; i++)
        m->session[i] = rng_next(&m->rng) % o->users;
    m->repeat_threshold = probability_to_threshold(SESSION_REPEAT);
    m->behavior_threshold[0] = probability_to_threshold(0.8958);
    m->behavior_threshold[1] = probability_to_threshold(0.8958 + 0.0552);
    m->behavior_threshold[2] = probability_to_threshold(0.8958 + 0.0552 + 0.0288);
    m->start = o->start;
    m->seconds_per_row = 1.0 / o->rate;
    m->disorder = o->disorder;
}

static inline uint64_t next_user_rank(struct model *m)
{
    uint64_t bits = rng_next(&m->rng);
    uint64_t slot = scale32((uint32_t)(bits >> 32), SESSION_RING);
    if ((uint32_t)bits >= m->repeat_threshold)
        m->session[slot] = rng_next(&m->rng) % m->users;
    return m->session[slot];
}

static inline enum behavior next_behavior(struct model *m)
{
    uint32_t bits = (uint32_t)(rng_next(&m->rng) >> 32);
    if (bits < m->behavior_threshold[0])
        return PV;
    if (bits < m->behavior_threshold[1])
        return CART;
    if (bits < m->behavior_threshold[2])
        return FAV;
    return BUY;
}

static inline uint64_t category_rank_of_item(const struct model *m, uint64_t item_rank)
{
    return zipf_sample(&m->categories, hash64(item_rank ^ m->category_salt));
}

static inline int64_t timestamp_of_row(struct model *m, uint64_t row)
{
    int64_t ts = m->start + (int64_t)((double)row * m->seconds_per_row);
    if (m->disorder > 0) {
        int64_t back = (int64_t)(rng_next(&m->rng) % (uint64_t)(m->disorder + 1));
        ts = ts - back < m->start ? m->start : ts - back;
    }
    return ts;
}

/* ---- buffered output with hand-rolled integer formatting */

struct out {
    int fd;
    size_t len;
    char *buf;
};

static void out_flush(struct out *o)
{
    size_t done = 0;
    while (done < o->len) {
        ssize_t n = write(o->fd, o->buf + done, o->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fprintf(stderr, "eddy-bench-gen: write: %s\n", strerror(errno));
            exit(1);
        }
        done += (size_t)n;
    }
    o->len = 0;
}

static inline char *put_u64(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

static inline char *put_i64(char *p, int64_t v)
{
    if (v < 0) {
        *p++ = '-';
        return put_u64(p, (uint64_t)0 - (uint64_t)v);
    }
    return put_u64(p, (uint64_t)v);
}

static inline void write_row(struct out *o, struct model *m, uint64_t row)
{
    if (o->len + MAX_LINE_LEN > OUT_BUF_SIZE)
        out_flush(o);
    uint64_t user = id_map_apply(&m->user_ids, next_user_rank(m));
    uint64_t item_rank = zipf_sample(&m->items, rng_next(&m->rng));
    uint64_t item = id_map_apply(&m->item_ids, item_rank);
    uint64_t category = id_map_apply(&m->category_ids, category_rank_of_item(m, item_rank));
    enum behavior b = next_behavior(m);
    int64_t ts = timestamp_of_row(m, row);

    char *p = o->buf + o->len;
    p = put_u64(p, user);
    *p++ = ',';
    p = put_u64(p, item);
    *p++ = ',';
    p = put_u64(p, category);
    *p++ = ',';
    memcpy(p, behavior_text[b], behavior_len[b]);
    p += behavior_len[b];
    *p++ = ',';
    p = put_i64(p, ts);
    *p++ = '\n';
    o->len = (size_t)(p - o->buf);
}

/* ---- command line */

static void usage(FILE *f)
{
    fputs(
        "usage: eddy-bench-gen [options]\n"
        "Writes synthetic user-behaviour rows shaped like the Alibaba Tianchi UserBehavior\n"
        "data set as CSV `userId,itemId,categoryId,behavior,timestamp` (epoch seconds, no\n"
        "header), e.g. `543462,1715,1464116,pv,1511658000`.\n"
        "\n"
        "  -n ROWS             rows to write (default 1000000)\n"
        "  -s SEED             random seed; same options and seed = same bytes (default 1)\n"
        "  -o FILE             output file (default stdout)\n"
        "  --start EPOCH       event time of the first row, epoch seconds\n"
        "                      (default 1511658000 = 2017-11-26 09:00:00 +08)\n"
        "  --rate R            rows per second of event time (default 309: 10M rows span\n"
        "                      about 9 hours, like the course's 09:00-18:00 file)\n"
        "  --disorder D        maximum out-of-orderness in seconds: each row is moved back\n"
        "                      by a uniform 0..D seconds (never before --start), so no row\n"
        "                      lags the largest earlier timestamp by more than D\n"
        "                      (default 0 = non-decreasing timestamps)\n"
        "  --users N           user key space (default 987994); user ids are 1..N\n"
        "                      (--users, --items, --categories: at most 4294967295)\n"
        "  --items N           item key space (default 4162024); ids are sparse in 1..1.24N\n"
        "  --categories N      category key space (default 9439); ids sparse in 1..547N\n"
        "  --zipf S            item popularity exponent: P(rank r) ~ 1/(r + Q)^S, r = 1, 2,\n"
        "                      ... (default 0.9; larger = hotter hot items, fewer distinct)\n"
        "  --zipf-offset F     Q as a share of --items, 0..1 (default 0.00005, ~208 items):\n"
        "                      flattens the head so the hottest items are a few times, not\n"
        "                      a hundred times, hotter than the 100th, as in the real data\n"
        "  -h, --help          this text\n"
        "\n"
        "Behaviour mix: pv 89.58 %, cart 5.52 %, fav 2.88 %, buy 2.01 %. Each item has one\n"
        "fixed category; categories are skewed too. Users act in short sessions (a row\n"
        "continues a recently active user 38 % of the time). With the defaults, the first\n"
        "110,300 rows have about as many distinct users, items and categories as the course\n"
        "file's 110,300-row prefix (~69k, ~83k, ~3.8k vs 66k, 85k, 3.9k).\n",
        f);
}

static void die_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "eddy-bench-gen: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'eddy-bench-gen --help'.\n");
    exit(2);
}

static int64_t parse_int(const char *name, const char *text, int64_t min, int64_t max)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max)
        die_usage("bad value for %s", name);
    return v;
}

static double parse_double(const char *name, const char *text, double min, double max)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !(v >= min && v <= max))
        die_usage("bad value for %s", name);
    return v;
}

/* Returns the value of option `name` (given as "--name V", "--name=V" or "-xV"), or NULL
 * when argv[*i] is not that option. Advances *i past a separate value. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    const char *arg = argv[*i];
    size_t len = strlen(name);
    if (strncmp(arg, name, len) != 0)
        return NULL;
    if (arg[len] == '=' && name[1] == '-')
        return arg + len + 1;
    if (arg[len] != '\0') {
        if (name[1] != '-')
            return arg + len;
        return NULL;
    }
    if (*i + 1 >= argc)
        die_usage("%s needs a value", name);
    return argv[++*i];
}

static void parse_options(struct options *o, int argc, char **argv)
{
    *o = (struct options){
        .rows = 1000000, .seed = 1, .start = 1511658000, .rate = 309.0, .disorder = 0,
        .out_path = NULL, .users = 987994, .items = 4162024, .categories = 9439,
        .item_zipf = 0.9, .item_offset = 0.00005,
    };
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            exit(0);
        } else if ((v = option_value(argc, argv, &i, "-n"))) {
            o->rows = (uint64_t)parse_int("-n", v, 0, INT64_MAX);
        } else if ((v = option_value(argc, argv, &i, "-s"))) {
            o->seed = (uint64_t)parse_int("-s", v, 0, INT64_MAX);
        } else if ((v = option_value(argc, argv, &i, "-o"))) {
            o->out_path = v;
        } else if ((v = option_value(argc, argv, &i, "--start"))) {
            o->start = parse_int("--start", v, -MAX_EPOCH, MAX_EPOCH);
        } else if ((v = option_value(argc, argv, &i, "--rate"))) {
            o->rate = parse_double("--rate", v, 1e-3, 1e12);
        } else if ((v = option_value(argc, argv, &i, "--disorder"))) {
            o->disorder = parse_int("--disorder", v, 0, MAX_EPOCH);
        } else if ((v = option_value(argc, argv, &i, "--users"))) {
            o->users = (uint64_t)parse_int("--users", v, 1, UINT32_MAX);
        } else if ((v = option_value(argc, argv, &i, "--items"))) {
            o->items = (uint64_t)parse_int("--items", v, 1, UINT32_MAX);
        } else if ((v = option_value(argc, argv, &i, "--categories"))) {
            o->categories = (uint64_t)parse_int("--categories", v, 1, UINT32_MAX);
        } else if ((v = option_value(argc, argv, &i, "--zipf-offset"))) {
            o->item_offset = parse_double("--zipf-offset", v, 0.0, 1.0);
        } else if ((v = option_value(argc, argv, &i, "--zipf"))) {
            o->item_zipf = parse_double("--zipf", v, 0.01, 10.0);
        } else {
            die_usage("unknown option '%s'", argv[i]);
        }
    }
}

static int open_output(const char *path)
{
    if (!path || !strcmp(path, "-"))
        return STDOUT_FILENO;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        fprintf(stderr, "eddy-bench-gen: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    return fd;
}

int main(int argc, char **argv)
{
    struct options opt;
    struct model *model = xmalloc(sizeof *model);
    struct out out = { .len = 0, .buf = xmalloc(OUT_BUF_SIZE) };

    parse_options(&opt, argc, argv);
    out.fd = open_output(opt.out_path);
    model_init(model, &opt);
    for (uint64_t row = 0; row < opt.rows; row++)
        write_row(&out, model, row);
    out_flush(&out);
    if (out.fd != STDOUT_FILENO && close(out.fd) != 0) {
        fprintf(stderr, "eddy-bench-gen: %s: %s\n", opt.out_path, strerror(errno));
        return 1;
    }
    free(model);
    free(out.buf);
    return 0;
}
