/* marketing.c - `eddy gen marketing`: the input streams of the e-commerce course's marketing
 * and risk-control jobs (seed 001), as CSV files without a header in the layouts of the course's
 * data files (shared/data/shangguigu-userbehavior):
 *   app_marketing.csv  user_id,behavior,channel,ts           (ts in epoch milliseconds)
 *   ad_clicks.csv      userId,adId,province,city,timestamp   (epoch seconds, as AdClickLog.csv)
 *   logins.csv         userId,ip,eventType,timestamp         (success|fail, as LoginLog.csv)
 *   orders.csv         orderId,eventType,txId,timestamp      (create|pay, txId empty for create)
 *   receipts.csv       txId,payChannel,timestamp             (wechat|alipay, as ReceiptLog.csv)
 *
 * The model. Each file has its own xoshiro256** stream seeded from --seed and the file, so a
 * file depends only on the options that concern it. Everything happens in [--start, --start +
 * --hours): the sessions of each stream (an app event, a click, a login attempt sequence, an
 * order) start at sorted uniform times over that span.
 *
 * App marketing (the course's simulated source): --events events by a pool of max(100, events/4)
 * users (user_id a UUID, as the course's UUID.randomUUID()); each user came through one channel
 * (appstore, huaweiStore, wechat, xiaomiStore, weibo, oppoStore, vivoStore, tieba; weighted);
 * behaviours CLICK 55 %, DOWNLOAD 22 %, INSTALL 16 %, UNINSTALL 7 %.
 *
 * Ad clicks: --ad-clicks ordinary clicks by max(500, clicks/2) users (ids 100000-624287) on 24
 * ads with Zipf popularity; a user's province and city are fixed (pinyin, lower case, as in
 * AdClickLog.csv). Plus --fraud-users click-fraud users (ids 700000-962143), each clicking one ad
 * 110-160 times at 2-10 s intervals in one burst that crosses neither a UTC nor a UTC+8
 * midnight: more than 100 clicks on one ad in a day, the course's blacklist case. An ordinary
 * user never comes near 100 clicks on an ad.
 *
 * Logins: --logins attempt sequences of users 1000-66535 from their home IP: 84 % succeed at
 * once; 10 % fail, then succeed 3-20 s later (a typo); 2 % fail twice 3-15 s apart, then succeed
 * (no alert: more than 2 s apart); 4 % are attacks: 2-6 failures 0-1 s apart (consecutive
 * failures within 2 s, the alert case) from one IP or, for 30 % of attacks, a new IP each time,
 * and 20 % of attacks end in a success 0-1 s after the last failure.
 *
 * Orders: --orders orders (orderId from 34729 on, as in OrderLog.csv) are created; 5 % are never
 * paid; 2 % are paid 15 min 10 s - 25 min after creation (after the course's 15-minute timeout);
 * the others 2-60 s (60 %), 1-5 min (30 %) or 5-14.5 min later. A payment has a fresh 9-character
 * txId ([0-9a-z], never repeated); its receipt comes 0-3 s after it (wechat 55 %, alipay 45 %).
 * 3 % of paid orders have no receipt (a pay without receipt), and for 2 % the pay event is lost
 * while the receipt arrives (a receipt without pay; the order then looks unpaid).
 *
 * Delivery: a row arrives a uniform 0..--disorder seconds after its event time (in milliseconds)
 * and rows are written in arrival order, so no row is more than --disorder seconds behind any
 * earlier row of its file (0 = event-time order). Within one login sequence or order the events
 * keep their event times; only file positions move.
 *
 * Implementation: rows wait in a heap keyed by arrival; before a session starting at t is
 * generated, every row arriving before t is written (nothing generated later can arrive
 * earlier). Rows are formatted by hand; nothing is allocated per row. */
#include "gen/gen.h"
#include "base/civil.h"
#include "base/err.h"
#include "base/util.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MS_PER_S            1000LL
#define DAY_S               86400LL
#define UTC8_MIDNIGHT_S     (16 * 3600LL)   /* 00:00 at UTC+8 is 16:00 UTC */
#define MAX_SPAN_HOURS      720
#define MAX_START_S         32503680000LL   /* 3000-01-01 */

#define ADS                 24
#define AD_USER_BITS        19
#define AD_USER_BASE        100000
#define FRAUD_USER_BITS     18
#define FRAUD_USER_BASE     700000
#define MAX_FRAUD_USERS     20
#define FRAUD_MIN_CLICKS    110
#define FRAUD_MAX_CLICKS    160
#define FRAUD_MIN_GAP_S     2
#define FRAUD_MAX_GAP_S     10

#define LOGIN_USER_BITS     16
#define LOGIN_USER_BASE     1000
#define ORDER_ID_BASE       34729
#define TX_BITS             46              /* 2^46 < 36^9: distinct 9-character txIds */

/* ---- value tables -------------------------------------------------------------------------- */

static const char *const BEHAVIORS[] = {"CLICK", "DOWNLOAD", "INSTALL", "UNINSTALL"};
static const int BEHAVIOR_WEIGHTS[] = {55, 22, 16, 7};

static const char *const APP_CHANNELS[] = {
    "appstore", "huaweiStore", "wechat", "xiaomiStore", "weibo", "oppoStore", "vivoStore", "tieba",
};
static const int APP_CHANNEL_WEIGHTS[] = {22, 20, 16, 14, 10, 8, 6, 4};

static const struct { const char *province, *city; int weight; } PLACES[] = {
    {"beijing", "beijing", 20},    {"shanghai", "shanghai", 14},   {"guangdong", "guangzhou", 10},
    {"guangdong", "shenzhen", 10}, {"zhejiang", "hangzhou", 9},    {"zhejiang", "ningbo", 3},
    {"jiangsu", "nanjing", 5},     {"jiangsu", "suzhou", 5},       {"henan", "zhengzhou", 4},
    {"hebei", "shijiazhuang", 3},  {"sichuan", "chengdu", 6},      {"hubei", "wuhan", 5},
    {"shandong", "jinan", 3},      {"shandong", "qingdao", 3},     {"fujian", "xiamen", 3},
    {"shaanxi", "xian", 3},        {"hunan", "changsha", 3},       {"chongqing", "chongqing", 4},
};

/* First octets of public IPv4 blocks, for home and attacker addresses. */
static const int IP_FIRST_OCTETS[] = {
    83, 66, 80, 86, 93, 110, 112, 113, 114, 116, 117, 119, 120, 121, 123, 124, 171, 175, 180,
    182, 183, 202, 211, 218, 220, 222, 223,
};

static const char *const PAY_CHANNELS[] = {"wechat", "alipay"};

/* ---- options ----------------------------------------------------------------------------- */

typedef struct marketing_opts {
    const char *out_dir;
    long long events;
    int64_t start_s;            /* epoch seconds */
    long long hours;
    long long ad_clicks;
    long long fraud_users;
    long long logins;
    long long orders;
    long long disorder_s;
    uint64_t seed;
    int quiet;
    int help;
} marketing_opts;

static const char *const MARKETING_OPTIONS[] = {
    "--out", "--events", "--start", "--hours", "--ad-clicks", "--fraud-users", "--logins", "--orders",
    "--disorder", "--seed", "--quiet", "--help", NULL,
};
static const char *const MARKETING_FLAGS[] = {"--quiet", "--help", NULL};

static const char MARKETING_USAGE[] =
    "usage: eddy gen marketing --out DIR [--events N (20000)] [--start EPOCH_SECONDS (1511658000)]\n"
    "         [--hours H (2)] [--ad-clicks N (5000)] [--fraud-users N (3)] [--logins N (1000)]\n"
    "         [--orders N (1000)] [--disorder SECONDS (5)] [--seed S (1)] [--quiet]\n"
    "writes, without header rows, over [--start, --start + --hours):\n"
    "  DIR/app_marketing.csv  user_id,behavior,channel,ts (epoch ms; CLICK|DOWNLOAD|INSTALL|UNINSTALL)\n"
    "  DIR/ad_clicks.csv      userId,adId,province,city,timestamp (--fraud-users click one ad 110-160 times)\n"
    "  DIR/logins.csv         userId,ip,eventType,timestamp (success|fail; attacks fail within 2 s)\n"
    "  DIR/orders.csv         orderId,eventType,txId,timestamp (create|pay; 5 % unpaid, 2 % paid after 15 min)\n"
    "  DIR/receipts.csv       txId,payChannel,timestamp (wechat|alipay; some pays and receipts unmatched)\n"
    "timestamps are epoch seconds except ts; rows are in arrival order, at most --disorder s late.\n"
    "--logins counts login attempt sequences (one or more rows each).\n";

static int parse_epoch_seconds(const char *text, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end || errno || v < 0 || v > MAX_START_S)
        return err_msg("--start expects epoch seconds from 0 to %lld, got '%s'", MAX_START_S, text), 2;
    *out = v;
    return 0;
}

static int apply_marketing_option(void *opts, const char *name, const char *value)
{
    marketing_opts *o = opts;
    if (!strcmp(name, "--out")) return gen_parse_path(name, value, "a directory", &o->out_dir);
    if (!strcmp(name, "--events")) return gen_parse_int(name, value, 0, 50000000, &o->events);
    if (!strcmp(name, "--start")) return parse_epoch_seconds(value, &o->start_s);
    if (!strcmp(name, "--hours")) return gen_parse_int(name, value, 1, MAX_SPAN_HOURS, &o->hours);
    if (!strcmp(name, "--ad-clicks")) return gen_parse_int(name, value, 0, 5000000, &o->ad_clicks);
    if (!strcmp(name, "--fraud-users")) return gen_parse_int(name, value, 0, MAX_FRAUD_USERS, &o->fraud_users);
    if (!strcmp(name, "--logins")) return gen_parse_int(name, value, 0, 5000000, &o->logins);
    if (!strcmp(name, "--orders")) return gen_parse_int(name, value, 0, 5000000, &o->orders);
    if (!strcmp(name, "--disorder")) return gen_parse_int(name, value, 0, 60, &o->disorder_s);
    if (!strcmp(name, "--seed")) return gen_parse_seed(value, &o->seed);
    if (!strcmp(name, "--quiet")) o->quiet = 1;
    else if (!strcmp(name, "--help")) o->help = 1;
    return 0;
}

static int parse_marketing_options(int argc, char **argv, marketing_opts *o)
{
    static const gen_cli cli = {MARKETING_OPTIONS, MARKETING_FLAGS, apply_marketing_option};
    *o = (marketing_opts){.events = 20000, .start_s = 1511658000, .hours = 2, .ad_clicks = 5000, .fraud_users = 3,
                          .logins = 1000, .orders = 1000, .disorder_s = 5, .seed = 1};
    int rc = gen_parse_argv(&cli, argc, argv, o);
    if (rc || o->help) return rc;
    if (!o->out_dir) return err_msg("missing --out DIR (the directory to write the files to)"), 2;
    return 0;
}

/* ---- streams of pending rows ----------------------------------------------------------------- */

enum stream_kind { APP_EVENTS, AD_CLICKS, LOGINS, ORDERS, RECEIPTS };

/* One row before formatting; the meaning of who / what / extra depends on the file. */
typedef struct mk_row {
    gen_key key;            /* arrival, epoch ms */
    int64_t ts_ms;          /* event time */
    uint64_t extra;         /* LOGINS: IPv4; ORDERS, RECEIPTS: tx number */
    uint32_t who;           /* APP_EVENTS: user index; AD_CLICKS, LOGINS: user id; ORDERS: order id */
    uint32_t what;          /* behaviour, ad, fail flag, pay flag, pay channel */
} mk_row;

typedef struct stream {
    enum stream_kind kind;
    gen_out out;
    gen_heap pending;
} stream;

typedef struct marketing_sim {
    const marketing_opts *o;
    gen_rng rng;            /* the stream of the file being generated */
    int64_t start_ms, end_ms;
    uint32_t app_users;
    uint32_t ad_users;
    int ad_ids[ADS];
    double ad_cum[ADS];
    uint32_t login_users;
    uint64_t tx_salt;
    /* counts for the summary */
    uint64_t fraud_clicks, attacks, unpaid, late_pays, pays_without_receipt, receipts_without_pay;
    uint32_t fraud_ids[MAX_FRAUD_USERS];
    int fraud_ads[MAX_FRAUD_USERS];
} marketing_sim;

static uint64_t file_seed(const marketing_sim *s, enum stream_kind kind)
{
    return gen_hash64(s->o->seed ^ (0xF11E5EEDull + (uint64_t)kind * 0x9E3779B97F4A7C15ull));
}

static int weighted_by_hash(uint64_t h, const int *weights, int n)
{
    int total = 0;
    for (int i = 0; i < n; i++) total += weights[i];
    int pick = (int)(h % (uint64_t)total), i = 0;
    while (pick >= weights[i]) pick -= weights[i++];
    return i;
}

static int place_of(const marketing_sim *s, uint32_t user_id)
{
    int weights[ARRAY_LEN(PLACES)];
    for (size_t i = 0; i < ARRAY_LEN(PLACES); i++) weights[i] = PLACES[i].weight;
    return weighted_by_hash(gen_hash64(s->o->seed * 31 + user_id), weights, (int)ARRAY_LEN(PLACES));
}

static uint32_t ip_from_hash(uint64_t h)
{
    uint32_t first = (uint32_t)IP_FIRST_OCTETS[h % ARRAY_LEN(IP_FIRST_OCTETS)];
    return first << 24 | (uint32_t)((h >> 8) % 256) << 16 | (uint32_t)((h >> 16) % 256) << 8 |
           (uint32_t)(1 + (h >> 24) % 254);
}

static char *put_ip(char *p, uint32_t ip)
{
    for (int i = 3; i >= 0; i--) {
        p = gen_put_i64(p, (ip >> (8 * i)) & 0xff);
        if (i) *p++ = '.';
    }
    return p;
}

/* A version-4 UUID, lower-case hex, for app user `user`. */
static char *put_uuid(char *p, const marketing_sim *s, uint32_t user)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t hi = gen_hash64(s->o->seed ^ ((uint64_t)user << 20) ^ 0x55AA), lo = gen_hash64(hi ^ user);
    hi = (hi & ~0xF000ull) | 0x4000ull;                              /* version 4 */
    lo = (lo & ~(3ull << 62)) | (2ull << 62);                        /* variant 10xx */
    for (int i = 0; i < 32; i++) {
        uint64_t word = i < 16 ? hi : lo;
        *p++ = hex[(word >> (60 - 4 * (i % 16))) & 15];
        if (i == 7 || i == 11 || i == 15 || i == 19) *p++ = '-';
    }
    return p;
}

/* Transaction number n -> 9 characters of [0-9a-z], distinct for distinct n < 2^46. */
static char *put_tx(char *p, const marketing_sim *s, uint64_t n)
{
    static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    uint64_t v = gen_scramble(n ^ s->tx_salt, TX_BITS);
    for (int i = 8; i >= 0; i--) {
        p[i] = alphabet[v % 36];
        v /= 36;
    }
    return p + 9;
}

static void write_row(const marketing_sim *s, stream *st, const mk_row *r)
{
    char *p = gen_out_row(&st->out);
    int64_t secs = r->ts_ms / MS_PER_S;
    switch (st->kind) {
    case APP_EVENTS:
        p = put_uuid(p, s, r->who); *p++ = ',';
        p = gen_put_cstr(p, BEHAVIORS[r->what]); *p++ = ',';
        p = gen_put_cstr(p, APP_CHANNELS[weighted_by_hash(gen_hash64(s->o->seed + 7919ull * r->who), APP_CHANNEL_WEIGHTS,
                                                         (int)ARRAY_LEN(APP_CHANNEL_WEIGHTS))]);
        *p++ = ',';
        p = gen_put_i64(p, r->ts_ms);
        break;
    case AD_CLICKS: {
        int place = place_of(s, r->who);
        p = gen_put_i64(p, r->who); *p++ = ',';
        p = gen_put_i64(p, s->ad_ids[r->what]); *p++ = ',';
        p = gen_put_cstr(p, PLACES[place].province); *p++ = ',';
        p = gen_put_cstr(p, PLACES[place].city); *p++ = ',';
        p = gen_put_i64(p, secs);
        break;
    }
    case LOGINS:
        p = gen_put_i64(p, r->who); *p++ = ',';
        p = put_ip(p, (uint32_t)r->extra); *p++ = ',';
        p = gen_put_cstr(p, r->what ? "fail" : "success"); *p++ = ',';
        p = gen_put_i64(p, secs);
        break;
    case ORDERS:
        p = gen_put_i64(p, r->who);
        p = gen_put_cstr(p, r->what ? ",pay," : ",create,");
        if (r->what) p = put_tx(p, s, r->extra);
        *p++ = ',';
        p = gen_put_i64(p, secs);
        break;
    case RECEIPTS:
        p = put_tx(p, s, r->extra); *p++ = ',';
        p = gen_put_cstr(p, PAY_CHANNELS[r->what]); *p++ = ',';
        p = gen_put_i64(p, secs);
        break;
    }
    *p++ = '\n';
    gen_out_end(&st->out, p);
}

static int stream_open(stream *st, enum stream_kind kind, const char *dir, const char *name)
{
    st->kind = kind;
    gen_heap_init(&st->pending, sizeof(mk_row));
    return gen_out_open(&st->out, dir, name);
}

/* Queues a row of event time ts_ms; it arrives 0..--disorder s later. */
static void stream_push(marketing_sim *s, stream *st, int64_t ts_ms, uint32_t who, uint32_t what, uint64_t extra)
{
    mk_row r = {.ts_ms = ts_ms, .who = who, .what = what, .extra = extra};
    r.key.time = ts_ms + gen_rng_range(&s->rng, 0, s->o->disorder_s * MS_PER_S);
    gen_heap_push(&st->pending, &r);
}

/* Writes the rows arriving before `limit` (epoch ms). */
static void stream_release(const marketing_sim *s, stream *st, int64_t limit)
{
    mk_row r;
    for (const mk_row *top; (top = gen_heap_top(&st->pending)) && top->key.time < limit;) {
        gen_heap_pop(&st->pending, &r);
        write_row(s, st, &r);
    }
}

static int stream_close(const marketing_sim *s, stream *st)
{
    stream_release(s, st, INT64_MAX);
    gen_heap_free(&st->pending);
    return gen_out_close(&st->out);
}

/* Session start times: n sorted uniform times in [start, end), whole seconds when `seconds`. */
typedef struct session_clock {
    double u;
    uint64_t remaining;
} session_clock;

static int64_t next_session(marketing_sim *s, session_clock *c, int seconds)
{
    c->u = gen_rng_sorted_next(&s->rng, c->u, c->remaining--);
    int64_t t = s->start_ms + (int64_t)(c->u * (double)(s->end_ms - s->start_ms));
    return seconds ? t - t % MS_PER_S : t;
}

/* ---- app marketing --------------------------------------------------------------------------- */

static int write_app_events(marketing_sim *s)
{
    stream st;
    int rc = stream_open(&st, APP_EVENTS, s->o->out_dir, "app_marketing.csv");
    gen_rng_seed(&s->rng, file_seed(s, APP_EVENTS));
    session_clock clock = {0, (uint64_t)s->o->events};
    for (long long i = 0; !rc && i < s->o->events; i++) {
        int64_t t = next_session(s, &clock, 0);
        stream_release(s, &st, t);
        uint32_t user = (uint32_t)gen_rng_range(&s->rng, 0, s->app_users - 1);
        uint32_t behavior = (uint32_t)gen_pick_weighted(&s->rng, BEHAVIOR_WEIGHTS, (int)ARRAY_LEN(BEHAVIOR_WEIGHTS));
        stream_push(s, &st, t, user, behavior, 0);
    }
    int close_rc = stream_close(s, &st);
    return rc ? rc : close_rc;
}

/* ---- ad clicks -------------------------------------------------------------------------------- */

static void build_ads(marketing_sim *s)
{
    double total = 0;
    for (int k = 0; k < ADS; k++) {
        int id;
        int fresh;
        uint64_t h = gen_hash64(s->o->seed ^ 0xAD5ull ^ (uint64_t)k << 32);
        do {
            id = 1000 + (int)(h % 4999000);
            fresh = 1;
            for (int j = 0; j < k; j++) fresh &= s->ad_ids[j] != id;
            h = gen_hash64(h);
        } while (!fresh);
        s->ad_ids[k] = id;
        total += 1.0 / (k + 1);
        s->ad_cum[k] = total;
    }
}

/* The next UTC or UTC+8 midnight strictly after t (epoch seconds). */
static int64_t next_midnight(int64_t t)
{
    int64_t utc = (floor_div(t, DAY_S) + 1) * DAY_S;
    int64_t utc8 = (floor_div(t - UTC8_MIDNIGHT_S, DAY_S) + 1) * DAY_S + UTC8_MIDNIGHT_S;
    return MIN(utc, utc8);
}

/* One fraud user's burst: 110-160 clicks on one ad at 2-10 s intervals inside the span and
 * inside one UTC day and one UTC+8 day (the span is at least an hour, a burst at most 1600 s). */
static void queue_fraud_burst(marketing_sim *s, stream *st, int f)
{
    int clicks = (int)gen_rng_range(&s->rng, FRAUD_MIN_CLICKS, FRAUD_MAX_CLICKS);
    int gaps[FRAUD_MAX_CLICKS];
    int64_t duration = 0;
    for (int i = 1; i < clicks; i++) duration += gaps[i] = (int)gen_rng_range(&s->rng, FRAUD_MIN_GAP_S, FRAUD_MAX_GAP_S);
    int64_t start = s->start_ms / MS_PER_S, end = s->end_ms / MS_PER_S;
    int64_t t = gen_rng_range(&s->rng, start, end - duration - 1);
    int64_t midnight = next_midnight(t);
    if (t + duration >= midnight) t = midnight + duration < end ? midnight : midnight - duration - 1;
    int ad = gen_pick_cumulative(&s->rng, s->ad_cum, ADS);
    uint32_t id = FRAUD_USER_BASE + (uint32_t)gen_scramble((uint64_t)f ^ (s->tx_salt & 0xFFFF), FRAUD_USER_BITS);
    s->fraud_ids[f] = id;
    s->fraud_ads[f] = ad;
    for (int i = 0; i < clicks; i++) {
        if (i) t += gaps[i];
        stream_push(s, st, t * MS_PER_S, id, (uint32_t)ad, 0);
    }
    s->fraud_clicks += (uint64_t)clicks;
}

static int write_ad_clicks(marketing_sim *s)
{
    stream st;
    int rc = stream_open(&st, AD_CLICKS, s->o->out_dir, "ad_clicks.csv");
    gen_rng_seed(&s->rng, file_seed(s, AD_CLICKS));
    for (int f = 0; f < s->o->fraud_users; f++) queue_fraud_burst(s, &st, f);
    session_clock clock = {0, (uint64_t)s->o->ad_clicks};
    for (long long i = 0; !rc && i < s->o->ad_clicks; i++) {
        int64_t t = next_session(s, &clock, 1);
        stream_release(s, &st, t);
        uint32_t user = (uint32_t)gen_rng_range(&s->rng, 0, s->ad_users - 1);
        uint32_t id = AD_USER_BASE + (uint32_t)gen_scramble(user, AD_USER_BITS);
        stream_push(s, &st, t, id, (uint32_t)gen_pick_cumulative(&s->rng, s->ad_cum, ADS), 0);
    }
    int close_rc = stream_close(s, &st);
    return rc ? rc : close_rc;
}

/* ---- logins ------------------------------------------------------------------------------------ */

static uint32_t home_ip(const marketing_sim *s, uint32_t user_id)
{
    return ip_from_hash(gen_hash64(s->o->seed * 0x100000001B3ull ^ user_id ^ 0x1F00000000ull));
}

static void queue_attack(marketing_sim *s, stream *st, int64_t t, uint32_t id)
{
    int fails = (int)gen_rng_range(&s->rng, 2, 6);
    int rotate = gen_rng_chance(&s->rng, 0.3);
    uint32_t ip = ip_from_hash(gen_rng_next(&s->rng));
    for (int i = 0; i < fails; i++) {
        if (i) t += gen_rng_range(&s->rng, 0, 1) * MS_PER_S;
        if (i && rotate) ip = ip_from_hash(gen_rng_next(&s->rng));
        stream_push(s, st, t, id, 1, ip);
    }
    if (gen_rng_chance(&s->rng, 0.2)) stream_push(s, st, t + gen_rng_range(&s->rng, 0, 1) * MS_PER_S, id, 0, ip);
    s->attacks++;
}

static void queue_login_sequence(marketing_sim *s, stream *st, int64_t t)
{
    uint32_t user = (uint32_t)gen_rng_range(&s->rng, 0, s->login_users - 1);
    uint32_t id = LOGIN_USER_BASE + (uint32_t)gen_scramble(user, LOGIN_USER_BITS);
    uint32_t ip = home_ip(s, id);
    double u = gen_rng_unit(&s->rng);
    if (u < 0.84) {
        stream_push(s, st, t, id, 0, ip);
    } else if (u < 0.94) {
        stream_push(s, st, t, id, 1, ip);
        stream_push(s, st, t + gen_rng_range(&s->rng, 3, 20) * MS_PER_S, id, 0, ip);
    } else if (u < 0.96) {
        int64_t second = t + gen_rng_range(&s->rng, 3, 15) * MS_PER_S;
        stream_push(s, st, t, id, 1, ip);
        stream_push(s, st, second, id, 1, ip);
        stream_push(s, st, second + gen_rng_range(&s->rng, 3, 15) * MS_PER_S, id, 0, ip);
    } else {
        queue_attack(s, st, t, id);
    }
}

static int write_logins(marketing_sim *s)
{
    stream st;
    int rc = stream_open(&st, LOGINS, s->o->out_dir, "logins.csv");
    gen_rng_seed(&s->rng, file_seed(s, LOGINS));
    session_clock clock = {0, (uint64_t)s->o->logins};
    for (long long i = 0; !rc && i < s->o->logins; i++) {
        int64_t t = next_session(s, &clock, 1);
        stream_release(s, &st, t);
        queue_login_sequence(s, &st, t);
    }
    int close_rc = stream_close(s, &st);
    return rc ? rc : close_rc;
}

/* ---- orders and receipts ---------------------------------------------------------------------- */

static int64_t pay_delay_s(marketing_sim *s, int late)
{
    if (late) return gen_rng_range(&s->rng, 15 * 60 + 10, 25 * 60);
    double u = gen_rng_unit(&s->rng);
    if (u < 0.6) return gen_rng_range(&s->rng, 2, 60);
    if (u < 0.9) return gen_rng_range(&s->rng, 61, 300);
    return gen_rng_range(&s->rng, 301, 870);
}

static void queue_order(marketing_sim *s, stream *orders, stream *receipts, int64_t t, uint32_t order_id, uint64_t *tx)
{
    stream_push(s, orders, t, order_id, 0, 0);
    double u = gen_rng_unit(&s->rng);
    if (u < 0.05) { s->unpaid++; return; }
    int late = u < 0.07;
    s->late_pays += (uint64_t)late;
    int64_t paid = t + pay_delay_s(s, late) * MS_PER_S;
    uint64_t n = (*tx)++;
    double v = gen_rng_unit(&s->rng);
    int pay_lost = v < 0.02, no_receipt = v >= 0.02 && v < 0.05;
    uint32_t channel = gen_rng_chance(&s->rng, 0.55) ? 0 : 1;
    int64_t received = paid + gen_rng_range(&s->rng, 0, 3) * MS_PER_S;
    if (!pay_lost) stream_push(s, orders, paid, order_id, 1, n);
    if (!no_receipt) stream_push(s, receipts, received, 0, channel, n);
    s->receipts_without_pay += (uint64_t)pay_lost;
    s->pays_without_receipt += (uint64_t)no_receipt;
}

static int write_orders_and_receipts(marketing_sim *s)
{
    stream orders, receipts;
    int rc = stream_open(&orders, ORDERS, s->o->out_dir, "orders.csv");
    int rc2 = stream_open(&receipts, RECEIPTS, s->o->out_dir, "receipts.csv");
    if (!rc) rc = rc2;
    gen_rng_seed(&s->rng, file_seed(s, ORDERS));
    session_clock clock = {0, (uint64_t)s->o->orders};
    uint64_t tx = 0;
    for (long long i = 0; !rc && i < s->o->orders; i++) {
        int64_t t = next_session(s, &clock, 1);
        stream_release(s, &orders, t);
        stream_release(s, &receipts, t);
        queue_order(s, &orders, &receipts, t, ORDER_ID_BASE + (uint32_t)i, &tx);
    }
    int close_rc = stream_close(s, &orders), close_rc2 = stream_close(s, &receipts);
    return rc ? rc : close_rc ? close_rc : close_rc2;
}

/* ---- the command ---------------------------------------------------------------------------- */

static void print_summary(const marketing_sim *s)
{
    const marketing_opts *o = s->o;
    fprintf(stderr,
            "eddy gen marketing: %lld app events by %u users; %lld ad clicks + %llu by %lld fraud users; "
            "%lld login sequences (%llu attacks); %lld orders (%llu unpaid, %llu paid after 15 min, %llu pays without "
            "receipt, %llu receipts without pay); epoch %lld + %lld h, disorder <= %lld s\n"
            "  wrote %s/app_marketing.csv, ad_clicks.csv, logins.csv, orders.csv, receipts.csv\n",
            o->events, s->app_users, o->ad_clicks, (unsigned long long)s->fraud_clicks, o->fraud_users, o->logins,
            (unsigned long long)s->attacks, o->orders, (unsigned long long)s->unpaid,
            (unsigned long long)s->late_pays, (unsigned long long)s->pays_without_receipt,
            (unsigned long long)s->receipts_without_pay, (long long)o->start_s, o->hours, o->disorder_s, o->out_dir);
}

static void sim_init(marketing_sim *s, const marketing_opts *o)
{
    memset(s, 0, sizeof *s);
    s->o = o;
    s->start_ms = o->start_s * MS_PER_S;
    s->end_ms = (o->start_s + o->hours * 3600) * MS_PER_S;
    s->app_users = (uint32_t)MAX(100, o->events / 4);
    s->ad_users = (uint32_t)MIN(1 << AD_USER_BITS, MAX(500, o->ad_clicks / 2));
    s->login_users = (uint32_t)MIN(1 << LOGIN_USER_BITS, MAX(100, o->logins / 2));
    s->tx_salt = gen_hash64(o->seed ^ 0x7A5A17ull) & ((1ull << TX_BITS) - 1);
    build_ads(s);
}

int gen_marketing(int argc, char **argv)
{
    marketing_opts o;
    err_clear();
    int rc = parse_marketing_options(argc, argv, &o);
    if (rc) return rc;
    if (o.help) { fputs(MARKETING_USAGE, stdout); return 0; }
    if ((rc = gen_make_dirs(o.out_dir))) return rc;
    marketing_sim s;
    sim_init(&s, &o);
    rc = write_app_events(&s);
    if (!rc) rc = write_ad_clicks(&s);
    if (!rc) rc = write_logins(&s);
    if (!rc) rc = write_orders_and_receipts(&s);
    if (!rc && !o.quiet) print_summary(&s);
    return rc;
}
