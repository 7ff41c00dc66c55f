/* channel.c - `eddy gen channel`: e-commerce orders of several sales channels as Kafka-style
 * JSON lines for the channel GMV job (seed 004), in DIR/trade_order_detail.json.
 *
 * The model. All randomness comes from one xoshiro256** stream seeded by --seed and consumed in
 * a fixed order; per-user attributes come from hashes of the seed and the user number. So the
 * output is a pure function of the arguments.
 *
 * Orders are created as a Poisson process of --rate orders per second of event time from
 * --start on (order_time has whole seconds). order_id is order_time as yyyyMMddHHmmss followed by
 * a 4-digit serial within that second ("202103241000000001", as in the seed); a second never
 * holds more than 9999 orders (the rest move on to the next second).
 *
 * Channels: appShop 38 %, webShop 30 %, miniAppShop 22 %, and 10 % that the job maps to "other"
 * (offlineShop, qqShop, groupShop). Users: --users customers (0001, 0002, ... zero-padded to at
 * least 4 digits) with an English given name (users 1-4 are Alice, Bob, Cindy and Daisy as in the
 * seed's sample) and a home region (a 6-digit Chinese county code, mostly Hangzhou districts as in
 * the sample); low user numbers buy more often (user = floor(users * u^1.6)).
 *
 * Amounts: pay_amount is log-normal (median about 67 yuan, 3.30 to 1339 yuan), mostly whole yuan
 * or ending in .50/.80/.90/.99. real_pay equals it for 55 % of orders, is 80-95 % of it for 30 %
 * and is reduced by a 5-50 yuan coupon for 15 % (only when the coupon is at most half the
 * amount). Both are written as strings with 2 decimals, as in the seed's sample.
 *
 * Payment: 94 % of orders are paid 3-60 s (70 %), 1-5 min (25 %) or 5-30 min (5 %) after
 * order_time; pay_time is 'yyyy-MM-dd HH:mm:ss'. An unpaid order has real_pay null and pay_time
 * null (half of them) or no pay_time field at all.
 *
 * Duplicates: each order is re-sent with probability --duplicates, as an identical line 1-30 s
 * (70 %) or 31-300 s later (a producer retry), i.e. written after the orders created up to that
 * many seconds later. So the first copies are in order_time order and each re-sent copy follows
 * its original; ROW_NUMBER() OVER (PARTITION BY order_id ...) = 1 keeps one of the two.
 *
 * Implementation: re-sent copies wait in a heap keyed by their send time; each line is
 * formatted by hand into the output buffer, nothing is allocated per row. */
#include "gen/gen.h"
#include "base/civil.h"
#include "base/err.h"
#include "base/util.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SERIAL       9999
#define UNPAID_SHARE     0.06
#define SAME_PAY_SHARE   0.55
#define PERCENT_SHARE    0.30
#define USER_SKEW        1.6

static const char *const CHANNELS[] = {"appShop", "webShop", "miniAppShop", "offlineShop", "qqShop", "groupShop"};
static const int CHANNEL_WEIGHTS[] = {38, 30, 22, 4, 3, 3};

static const char *const NAMES[] = {
    "Alice", "Bob", "Cindy", "Daisy", "Eric", "Fiona", "George", "Helen", "Ivan", "Judy",
    "Kevin", "Lily", "Mike", "Nancy", "Oscar", "Peggy", "Quinn", "Rose", "Sam", "Tina",
    "Victor", "Wendy", "Xavier", "Yvonne", "Zack", "Amy", "Bruce", "Coco", "David", "Emma",
    "Frank", "Grace", "Henry", "Iris", "Jack", "Kate", "Leo", "Mia", "Nick", "Olivia",
};

/* County-level region codes (GB/T 2260) with weights: Hangzhou districts as in the sample,
 * then other large cities. */
static const struct { const char *code; int weight; } AREAS[] = {
    {"330102", 9}, {"330105", 7}, {"330106", 12}, {"330108", 9}, {"330109", 6}, {"330110", 10},
    {"110101", 3}, {"110102", 3}, {"110105", 5}, {"110108", 5}, {"310101", 3}, {"310104", 4},
    {"310115", 6}, {"440103", 2}, {"440106", 4}, {"440304", 3}, {"440305", 4}, {"510104", 2},
    {"510107", 3}, {"320102", 2}, {"320106", 2}, {"420106", 2}, {"610113", 2},
};

static const int PERCENT_OFF[] = {95, 90, 88, 85, 80};
static const int COUPON_YUAN[] = {5, 10, 20, 50};

/* ---- options ----------------------------------------------------------------------------- */

typedef struct channel_opts {
    const char *out_dir;
    long long orders;
    int64_t start;          /* wall-clock seconds */
    double rate;            /* orders per second of event time */
    double duplicates;      /* share of orders re-sent */
    long long users;        /* 0 = orders / 5, at least 20 */
    uint64_t seed;
    int quiet;
    int help;
} channel_opts;

static const char *const CHANNEL_OPTIONS[] = {
    "--out", "--orders", "--start", "--rate", "--duplicates", "--users", "--seed", "--quiet", "--help", NULL,
};
static const char *const CHANNEL_FLAGS[] = {"--quiet", "--help", NULL};

static const char CHANNEL_USAGE[] =
    "usage: eddy gen channel --out DIR [--orders N (10000)] [--start 'YYYY-MM-DD HH:MM:SS' (2021-03-25 00:00:00)]\n"
    "         [--rate ORDERS_PER_SECOND (2)] [--duplicates FRACTION (0.1)] [--users N (orders/5, >= 20)]\n"
    "         [--seed S (1)] [--quiet]\n"
    "writes DIR/trade_order_detail.json: one JSON object per line with order_id, order_channel,\n"
    "order_time, pay_amount, real_pay, pay_time, user_id, user_name, area_id (amounts as strings with\n"
    "2 decimals); order_time advances at --rate orders per second; 6 % of orders are unpaid (real_pay\n"
    "null, pay_time null or absent); a --duplicates share of orders is re-sent 1-300 s later as an\n"
    "identical line.\n";

static int apply_channel_option(void *opts, const char *name, const char *value)
{
    channel_opts *o = opts;
    if (!strcmp(name, "--out")) return gen_parse_path(name, value, "a directory", &o->out_dir);
    if (!strcmp(name, "--orders")) return gen_parse_int(name, value, 1, 50000000, &o->orders);
    if (!strcmp(name, "--start")) return gen_parse_datetime(name, value, &o->start);
    if (!strcmp(name, "--rate")) return gen_parse_double(name, value, 0.001, 1000, &o->rate);
    if (!strcmp(name, "--duplicates")) return gen_parse_double(name, value, 0, 1, &o->duplicates);
    if (!strcmp(name, "--users")) return gen_parse_int(name, value, 1, 10000000, &o->users);
    if (!strcmp(name, "--seed")) return gen_parse_seed(value, &o->seed);
    if (!strcmp(name, "--quiet")) o->quiet = 1;
    else if (!strcmp(name, "--help")) o->help = 1;
    return 0;
}

static int parse_channel_options(int argc, char **argv, channel_opts *o)
{
    static const gen_cli cli = {CHANNEL_OPTIONS, CHANNEL_FLAGS, apply_channel_option};
    *o = (channel_opts){.orders = 10000, .start = days_from_civil(2021, 3, 25) * 86400, .rate = 2, .duplicates = 0.1, .seed = 1};
    int rc = gen_parse_argv(&cli, argc, argv, o);
    if (rc || o->help) return rc;
    if (!o->out_dir) return err_msg("missing --out DIR (the directory to write the files to)"), 2;
    if (!o->users) o->users = MAX(20, o->orders / 5);
    return 0;
}

/* ---- orders -------------------------------------------------------------------------------- */

enum { PAID, UNPAID_NULL, UNPAID_ABSENT };

typedef struct order {
    gen_key key;            /* send time (wall-clock seconds) */
    int64_t order_time;     /* wall-clock seconds */
    int64_t pay_cents;
    int64_t real_cents;
    int32_t pay_delay_s;
    uint32_t serial;        /* 1..MAX_SERIAL within order_time's second */
    uint32_t user;          /* 1.. */
    uint8_t channel;
    uint8_t payment;        /* PAID, UNPAID_NULL, UNPAID_ABSENT */
} order;

typedef struct channel_sim {
    const channel_opts *o;
    gen_rng rng;
    gen_out out;
    gen_heap resend;        /* re-sent copies by send time */
    int user_width;
    int64_t last_second;
    uint32_t serial;
    uint64_t unpaid, copies;
} channel_sim;

/* A list price in cents: log-normal, mostly whole yuan or a "psychological" ending. */
static int64_t list_price_cents(gen_rng *r)
{
    double bell = gen_rng_unit(r) + gen_rng_unit(r) + gen_rng_unit(r) + gen_rng_unit(r) - 2.0;
    int64_t yuan = MAX(3, (int64_t)exp(4.2 + 1.5 * bell));
    double u = gen_rng_unit(r);
    static const int ENDINGS[] = {50, 80, 90, 99};
    if (u < 0.55) return yuan * 100;
    if (u < 0.80) return yuan * 100 + ENDINGS[gen_rng_range(r, 0, 3)];
    return yuan * 100 + gen_rng_range(r, 1, 99);
}

static int64_t paid_cents(gen_rng *r, int64_t price)
{
    double u = gen_rng_unit(r);
    if (u < SAME_PAY_SHARE) return price;
    if (u < SAME_PAY_SHARE + PERCENT_SHARE) {
        int pct = PERCENT_OFF[gen_rng_range(r, 0, (int64_t)ARRAY_LEN(PERCENT_OFF) - 1)];
        return MAX(1, (price * pct + 50) / 100);
    }
    int64_t coupon = COUPON_YUAN[gen_rng_range(r, 0, (int64_t)ARRAY_LEN(COUPON_YUAN) - 1)] * 100LL;
    return price >= 2 * coupon ? price - coupon : price;
}

static int32_t pay_delay(gen_rng *r)
{
    double u = gen_rng_unit(r);
    if (u < 0.70) return (int32_t)gen_rng_range(r, 3, 60);
    if (u < 0.95) return (int32_t)gen_rng_range(r, 61, 300);
    return (int32_t)gen_rng_range(r, 301, 1800);
}

static int pick_area(uint64_t h)
{
    int total = 0;
    for (size_t i = 0; i < ARRAY_LEN(AREAS); i++) total += AREAS[i].weight;
    int pick = (int)(h % (uint64_t)total), i = 0;
    while (pick >= AREAS[i].weight) pick -= AREAS[i++].weight;
    return i;
}

static void write_order(channel_sim *s, const order *od)
{
    char *p = gen_out_row(&s->out);
    p = gen_put_cstr(p, "{\"order_id\":\""); p = gen_put_datetime_digits(p, od->order_time);
    p = gen_put_padded(p, od->serial, 4);
    p = gen_put_cstr(p, "\", \"order_channel\":\""); p = gen_put_cstr(p, CHANNELS[od->channel]);
    p = gen_put_cstr(p, "\", \"order_time\":\""); p = gen_put_datetime(p, od->order_time);
    p = gen_put_cstr(p, "\", \"pay_amount\":\""); p = gen_put_cents(p, od->pay_cents);
    if (od->payment == PAID) {
        p = gen_put_cstr(p, "\", \"real_pay\":\""); p = gen_put_cents(p, od->real_cents);
        p = gen_put_cstr(p, "\", \"pay_time\":\""); p = gen_put_datetime(p, od->order_time + od->pay_delay_s);
        p = gen_put_cstr(p, "\", ");
    } else {
        p = gen_put_cstr(p, "\", \"real_pay\":null, ");
        if (od->payment == UNPAID_NULL) p = gen_put_cstr(p, "\"pay_time\":null, ");
    }
    p = gen_put_cstr(p, "\"user_id\":\""); p = gen_put_padded(p, od->user, s->user_width);
    p = gen_put_cstr(p, "\", \"user_name\":\""); p = gen_put_cstr(p, NAMES[(od->user - 1) % ARRAY_LEN(NAMES)]);
    uint64_t area_hash = gen_hash64(s->o->seed * 0x100000001B3ull ^ od->user);
    p = gen_put_cstr(p, "\", \"area_id\":\""); p = gen_put_cstr(p, AREAS[pick_area(area_hash)].code);
    p = gen_put_cstr(p, "\"}\n");
    gen_out_end(&s->out, p);
}

/* The second of the next order: Poisson arrivals, at most MAX_SERIAL orders a second. */
static int64_t next_second(channel_sim *s, double *t)
{
    *t += gen_rng_exp(&s->rng, 1.0 / s->o->rate);
    int64_t second = s->o->start + (int64_t)floor(*t);
    if (second == s->last_second && s->serial == MAX_SERIAL) {
        second++;
        *t = (double)(second - s->o->start);
    }
    s->serial = second == s->last_second ? s->serial + 1 : 1;
    s->last_second = second;
    return second;
}

static order make_order(channel_sim *s, int64_t second)
{
    gen_rng *r = &s->rng;
    order od = {.order_time = second, .serial = s->serial};
    od.channel = (uint8_t)gen_pick_weighted(r, CHANNEL_WEIGHTS, (int)ARRAY_LEN(CHANNEL_WEIGHTS));
    od.user = 1 + (uint32_t)((double)s->o->users * pow(gen_rng_unit(r), USER_SKEW));
    od.pay_cents = list_price_cents(r);
    od.real_cents = paid_cents(r, od.pay_cents);
    od.pay_delay_s = pay_delay(r);
    od.payment = PAID;
    if (gen_rng_chance(r, UNPAID_SHARE)) od.payment = gen_rng_chance(r, 0.5) ? UNPAID_NULL : UNPAID_ABSENT;
    return od;
}

static void release_copies_before(channel_sim *s, int64_t second)
{
    order copy;
    for (const order *top; (top = gen_heap_top(&s->resend)) && top->key.time < second;) {
        gen_heap_pop(&s->resend, &copy);
        write_order(s, &copy);
    }
}

static void schedule_copy(channel_sim *s, order od)
{
    int64_t delay = gen_rng_chance(&s->rng, 0.7) ? gen_rng_range(&s->rng, 1, 30) : gen_rng_range(&s->rng, 31, 300);
    od.key.time = od.order_time + delay;
    gen_heap_push(&s->resend, &od);
    s->copies++;
}

static int write_orders(channel_sim *s)
{
    int rc = gen_out_open(&s->out, s->o->out_dir, "trade_order_detail.json");
    if (rc) return rc;
    double t = 0;
    for (long long k = 0; k < s->o->orders; k++) {
        int64_t second = next_second(s, &t);
        order od = make_order(s, second);
        release_copies_before(s, second);
        write_order(s, &od);
        s->unpaid += od.payment != PAID;
        if (s->o->duplicates > 0 && gen_rng_chance(&s->rng, s->o->duplicates)) schedule_copy(s, od);
    }
    release_copies_before(s, INT64_MAX);
    return gen_out_close(&s->out);
}

/* ---- the command ---------------------------------------------------------------------------- */

static int digit_count(long long v)
{
    int n = 1;
    while (v >= 10) { v /= 10; n++; }
    return n;
}

static void print_summary(const channel_sim *s)
{
    char first[20], last[20];
    *gen_put_datetime(first, s->o->start) = '\0';
    *gen_put_datetime(last, s->last_second) = '\0';
    fprintf(stderr,
            "eddy gen channel: %lld orders (%llu unpaid) and %llu re-sent copies, order_time %s .. %s, %lld users\n"
            "  wrote %s/trade_order_detail.json\n",
            s->o->orders, (unsigned long long)s->unpaid, (unsigned long long)s->copies, first, last, s->o->users,
            s->o->out_dir);
}

int gen_channel(int argc, char **argv)
{
    channel_opts o;
    err_clear();
    int rc = parse_channel_options(argc, argv, &o);
    if (rc) return rc;
    if (o.help) { fputs(CHANNEL_USAGE, stdout); return 0; }
    if ((rc = gen_make_dirs(o.out_dir))) return rc;
    channel_sim s = {.o = &o, .user_width = MAX(4, digit_count(o.users)), .last_second = INT64_MIN};
    gen_rng_seed(&s.rng, o.seed);
    gen_heap_init(&s.resend, sizeof(order));
    rc = write_orders(&s);
    if (!rc && !o.quiet) print_summary(&s);
    gen_heap_free(&s.resend);
    return rc;
}
