/* mall.c - `eddy gen mall`: realistic shopping-mall WiFi-probe data for the mall scenario
 * (seed 000): the user_wifidata probe records and the area_shop / place_info dimension tables,
 * as CSV or JSON-lines files and optionally as SQLite tables for lookup joins.
 *
 * The model. All randomness comes from one xoshiro256** stream seeded by --seed and consumed in
 * a fixed order, so the output is a pure function of the arguments.
 *
 * Floor plan: one straight corridor per floor (10 shops a floor, at most 8 floors, then longer
 * floors). Shop k of a floor fills frontage slot k/2 (10 m wide, 12 m deep) on the north side
 * (k even) or the south side; the corridor is 6 m wide (|y| <= 3 m). Escalators and the mall
 * entrance are at the west end (x = -4 m); riding one floor takes 30 s. Positions are metres on
 * the floor plan (place_info stores decimetres).
 *
 * Shops: codes S001.., names of Chinese mall tenants (星巴克, 海底捞火锅, ...); each tenant has a
 * kind that sets its dwell time and its appeal by time of day (restaurants peak at 12:10 and
 * 18:30, snacks and drinks in the afternoon, the cinema in the evening). Popularity is log-normal.
 *
 * Probes (APs): --aps-per-shop per shop, spread along the middle line of the shop; ap_mac under
 * the DataSky OUI 14:6b:9c (the probe of the DataSky capture in shared/data), ap_ip
 * 10.<floor>.<shop on floor>.<probe>.
 *
 * Signal: a phone in the mall sends a probe-request burst every 10-60 s. Every probe on the same
 * floor hears it with rssi = -35 dBm - 30 log10(distance in m) - walls - the phone's own loss
 * (0-6 dB: pocket, bag) + noise (sd 3 dB, never beyond ±10.4 dB). Walls: none inside the probe's
 * own shop, 8 dB from the corridor through a shop front, 16 dB across the corridor, 20 dB (+10
 * per further shop) through side walls. A probe records only rssi >= -80 dBm and misses 10 % of
 * bursts (channel hopping). So a phone in a shop is seen by that shop's probes, a passer-by in
 * the corridor briefly by the shops it passes, a phone next door rarely.
 *
 * Customers: about --customers visit a day (x1.3 on Saturdays and Sundays). Arrivals follow a
 * daily profile over the opening hours (--open..--close local time in --tz; the last arrival
 * 15 min before closing): a base level, the lunch peak (~12:10), an afternoon plateau and the
 * evening peak (~19:00). A visit goes from the entrance to 1 + Geometric(0.35) shops (at most
 * 8), each chosen by popularity x the kind's appeal at that hour; a returning customer often
 * starts at a favourite shop, and 12 % of later stops go back to a shop already seen in the
 * visit. Dwell times by kind: restaurants 30-80 min, supermarkets 15-45, cinema 100-140, most
 * shops 5-30; 12 % of stops are 1-3 min glances. Between shops the customer walks along the
 * corridor at 0.8-1.3 m/s, now and then stopping 0.5-3 min at a shop window. Detection ends at
 * closing time.
 *
 * Returning customers: from the second day on, 30 % of a day's visitors are earlier customers
 * (biased to the earliest ones, the regulars); 8 % of visits are followed by a second visit the
 * same day, 1-4 h after leaving.
 *
 * MACs: a customer's phone has a fixed vendor MAC (Huawei, Apple, Xiaomi, Samsung and Intel OUIs,
 * as in the Brno capture in shared/data) unless the customer is among the 35 % whose phones
 * randomize: those show a new locally administered MAC (bit 0x02 of the first octet set) on
 * every visit. MACs are bijections of counters, so two devices never share one.
 *
 * Staff: one staff phone per 5 shops, in its shop from opening to closing every day (moving to
 * another spot of the shop every 30-90 min).
 *
 * Delivery: probes upload their records in batches, probe a every P_a seconds at its own phase
 * (P_a from 1 to min(10, 1 + D/3) for --disorder D); 3 % of the batches fail once and arrive
 * late, so that no record arrives more than D s after it happened. Rows are written in arrival
 * order, hence no row is more than D s behind any earlier row (D = 0: event-time order).
 *
 * place_info: for 90 % of the MACs seen (chosen by a hash), the device's best fix as a
 * positioning engine would keep it: the position of the burst heard most strongly (the latest
 * of equals) and the weakest rssi among that burst's readings; the other 10 % are unknown, so
 * LEFT lookups miss.
 *
 * Implementation: a day's visits are simulated in arrival order. Their records collect in one
 * growable array; when it is large it is sorted by (arrival, probe, event time, device) and the
 * records that arrive before the next visit's arrival are written (no later visit can produce
 * an earlier one). Rows are formatted by hand into a 1 MiB buffer: nothing is allocated per row.
 */
#include "gen/gen.h"
#include "base/civil.h"
#include "base/err.h"
#include "base/tz.h"
#include "base/util.h"
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- model constants (see the header comment) ------------------------------------------ */

#define SHOP_WIDTH_M          10.0
#define SHOP_DEPTH_M          12.0
#define CORRIDOR_HALF_M       3.0
#define ESCALATOR_X_M         (-4.0)
#define ESCALATOR_S_PER_FLOOR 30
#define SHOPS_PER_FLOOR       10
#define MAX_FLOORS            8
#define RSSI_AT_1M_DBM        (-35.0)
#define PATH_LOSS_DB_PER_DEC  30.0
#define WALL_FRONT_DB         8.0
#define WALL_ACROSS_DB        16.0
#define WALL_SIDE_DB          20.0
#define WALL_SIDE_EXTRA_DB    10.0
#define RSSI_FLOOR_DBM        (-80)
#define RSSI_CEIL_DBM         (-20)
#define NOISE_SCALE_DB        5.2           /* times (sum of 4 uniforms - 2): sd 3 dB */
#define NOISE_MAX_DB          (2.0 * NOISE_SCALE_DB)
#define PHONE_LOSS_MAX_DB     6.0
#define MISS_SHARE            0.10
#define UPLOAD_PERIOD_MAX_S   10
#define RETRY_PCT             3
#define PROBE_GAP_MIN_S       10
#define PROBE_GAP_MAX_S       60
#define RANDOMIZED_SHARE      0.35
#define RETURNING_SHARE       0.30
#define SECOND_VISIT_SHARE    0.08
#define FAVORITE_FIRST_SHARE  0.35
#define REVISIT_SHARE         0.12
#define GLANCE_SHARE          0.12
#define LINGER_SHARE          0.30
#define MORE_STOPS_SHARE      0.65          /* Geometric(0.35) further stops */
#define WEEKEND_FACTOR        1.3
#define LAST_ARRIVAL_BEFORE_CLOSE_S (15 * 60)
#define PLACE_COVERAGE_PCT    90
#define SHOPS_PER_STAFF       5
#define MAX_STOPS             8
#define MAX_WAYPOINTS         160
#define FLUSH_AT_EVENTS       ((size_t)1 << 20)
#define DATASKY_OUI           0x146b9cu
#define MAX_CUSTOMERS         ((1u << 24) - 4096u)   /* fixed MACs are bijections of 24 bits */
#define STAFF_ID_BASE         ((1u << 24) - 1024u)

enum shop_kind {
    KIND_RESTAURANT, KIND_SNACK, KIND_FASHION, KIND_SPORTS, KIND_DIGITAL, KIND_BEAUTY,
    KIND_JEWELRY, KIND_MARKET, KIND_CINEMA, KIND_LEISURE, KIND_COUNT
};

static const struct { int min, max; } DWELL_MINUTES[KIND_COUNT] = {
    [KIND_RESTAURANT] = {30, 80}, [KIND_SNACK] = {5, 30},   [KIND_FASHION] = {5, 30},
    [KIND_SPORTS] = {5, 25},      [KIND_DIGITAL] = {5, 25}, [KIND_BEAUTY] = {5, 20},
    [KIND_JEWELRY] = {5, 20},     [KIND_MARKET] = {15, 45}, [KIND_CINEMA] = {100, 140},
    [KIND_LEISURE] = {8, 35},
};

static const struct { const char *name; enum shop_kind kind; } TENANTS[] = {
    {"星巴克", KIND_SNACK},        {"优衣库", KIND_FASHION},      {"海底捞火锅", KIND_RESTAURANT},
    {"屈臣氏", KIND_BEAUTY},       {"华为", KIND_DIGITAL},        {"名创优品", KIND_LEISURE},
    {"肯德基", KIND_SNACK},        {"ZARA", KIND_FASHION},        {"西贝莜面村", KIND_RESTAURANT},
    {"周大福", KIND_JEWELRY},      {"小米之家", KIND_DIGITAL},    {"喜茶", KIND_SNACK},
    {"耐克", KIND_SPORTS},         {"永辉超市", KIND_MARKET},     {"外婆家", KIND_RESTAURANT},
    {"丝芙兰", KIND_BEAUTY},       {"泡泡玛特", KIND_LEISURE},    {"麦当劳", KIND_SNACK},
    {"H&M", KIND_FASHION},         {"绿茶餐厅", KIND_RESTAURANT}, {"苹果授权店", KIND_DIGITAL},
    {"安踏", KIND_SPORTS},         {"万达影城", KIND_CINEMA},     {"瑞幸咖啡", KIND_SNACK},
    {"太二酸菜鱼", KIND_RESTAURANT}, {"老凤祥", KIND_JEWELRY},    {"西西弗书店", KIND_LEISURE},
    {"李宁", KIND_SPORTS},         {"无印良品", KIND_FASHION},    {"奈雪的茶", KIND_SNACK},
    {"鼎泰丰", KIND_RESTAURANT},   {"完美日记", KIND_BEAUTY},     {"乐高", KIND_LEISURE},
    {"阿迪达斯", KIND_SPORTS},     {"必胜客", KIND_RESTAURANT},   {"太平鸟", KIND_FASHION},
    {"OPPO", KIND_DIGITAL},        {"蜜雪冰城", KIND_SNACK},      {"孩子王", KIND_LEISURE},
    {"呷哺呷哺", KIND_RESTAURANT}, {"周生生", KIND_JEWELRY},      {"迪卡侬", KIND_SPORTS},
    {"vivo", KIND_DIGITAL},        {"海澜之家", KIND_FASHION},    {"盒马鲜生", KIND_MARKET},
    {"汉堡王", KIND_SNACK},        {"味千拉面", KIND_RESTAURANT}, {"波司登", KIND_FASHION},
    {"一点点", KIND_SNACK},        {"良品铺子", KIND_SNACK},      {"全家便利店", KIND_MARKET},
    {"巴黎贝甜", KIND_SNACK},      {"真功夫", KIND_RESTAURANT},   {"江南布衣", KIND_FASHION},
    {"科颜氏", KIND_BEAUTY},       {"周黑鸭", KIND_SNACK},        {"大疆", KIND_DIGITAL},
    {"特步", KIND_SPORTS},         {"漫咖啡", KIND_SNACK},        {"小龙坎火锅", KIND_RESTAURANT},
};

/* Phone OUIs with their weight (vendors as named in the Brno capture's src_vendor column). */
static const struct { uint32_t oui; int weight; } PHONE_OUIS[] = {
    {0x94049c, 16}, {0x5425ea, 12},                                  /* Huawei */
    {0x14205e, 10}, {0xa45e60, 9}, {0xb0de28, 8},                    /* Apple */
    {0x60ab67, 7}, {0x508e49, 6}, {0x7cd661, 6}, {0x9078b2, 5}, {0xa45590, 3}, {0xfc0296, 3},
    {0x74eb80, 7},                                                   /* Samsung */
    {0xdcfb48, 5}, {0x40ec99, 3},                                    /* Intel (laptops) */
};

/* ---- options ----------------------------------------------------------------------------- */

typedef struct mall_opts {
    const char *out_dir;
    int days;
    int64_t start_day;          /* days since 1970-01-01 */
    int shops;
    int customers;              /* visitors on an ordinary day */
    int aps_per_shop;
    uint64_t seed;
    int disorder_s;
    int open_s, close_s;        /* local seconds of the day */
    const char *sqlite_path;    /* NULL = no database */
    int json;                   /* --format json */
    const char *tz_name;
    const tz_t *tz;
    int quiet;
    int help;
} mall_opts;

static const char *const MALL_OPTIONS[] = {
    "--out", "--days", "--start", "--shops", "--customers", "--aps-per-shop", "--seed",
    "--disorder", "--open", "--close", "--tz", "--sqlite", "--format", "--quiet", "--help", NULL,
};

static const char MALL_USAGE[] =
    "usage: eddy gen mall --out DIR [--days N (1)] [--start YYYY-MM-DD (2024-03-01)]\n"
    "         [--shops N (40)] [--customers N (2000)] [--aps-per-shop N (2)] [--seed S (1)]\n"
    "         [--disorder SECONDS (30)] [--open HH[:MM] (10)] [--close HH[:MM] (22)]\n"
    "         [--tz ZONE (Asia/Shanghai)] [--sqlite PATH] [--format csv|json (csv)] [--quiet]\n"
    "writes DIR/user_wifidata.csv (id,shop_code,ap_ip,occur_time,user_device_mac,rssi,ap_mac,pt;\n"
    "probe records in arrival order, at most --disorder s behind any earlier row),\n"
    "DIR/area_shop.csv (id,shop_code,shop_name) and DIR/place_info.csv\n"
    "(user_device_mac,used_x,used_y,min_rssi); .json files with one object per line under\n"
    "--format json; --sqlite PATH also (re)creates the tables area_shop and place_info there.\n"
    "--customers is the number of visitors on a weekday (x1.3 on weekends).\n";

static const char *const MALL_FLAGS[] = {"--quiet", "--help", NULL};

static int parse_date(const char *text, int64_t *day)
{
    int y, m, d;
    if (strlen(text) != 10 || text[4] != '-' || text[7] != '-' || gen_parse_digits(text, 4, &y) ||
        gen_parse_digits(text + 5, 2, &m) || gen_parse_digits(text + 8, 2, &d) || y < 1970 || y > 2999 || m < 1 ||
        m > 12 || d < 1 || d > days_in_month(y, m))
        return err_msg("--start expects a date YYYY-MM-DD from 1970-01-01 to 2999-12-31, got '%s'", text), 2;
    *day = days_from_civil(y, m, d);
    return 0;
}

/* "HH" or "HH:MM" -> seconds of the day, lo_s..hi_s inclusive. */
static int parse_hour(const char *name, const char *text, int lo_s, int hi_s, int *out)
{
    int h = -1, m = 0;
    size_t n = strlen(text);
    int ok = (n == 1 || n == 2) ? gen_parse_digits(text, (int)n, &h) == 0
           : (n == 4 || n == 5) && text[n - 3] == ':' && gen_parse_digits(text, (int)n - 3, &h) == 0 &&
             gen_parse_digits(text + n - 2, 2, &m) == 0 && m < 60;
    int s = h * 3600 + m * 60;
    if (!ok || s < lo_s || s > hi_s)
        return err_msg("%s expects a time of day HH or HH:MM from %02d:%02d to %02d:%02d, got '%s'", name,
                       lo_s / 3600, lo_s / 60 % 60, hi_s / 3600, hi_s / 60 % 60, text), 2;
    *out = s;
    return 0;
}

/* An integer option stored in an int field. */
static int parse_int_field(const char *name, const char *text, long long lo, long long hi, int *out)
{
    long long v;
    int rc = gen_parse_int(name, text, lo, hi, &v);
    if (!rc) *out = (int)v;
    return rc;
}

static int apply_mall_option(void *opts, const char *name, const char *value)
{
    mall_opts *o = opts;
    if (!strcmp(name, "--out")) return gen_parse_path(name, value, "a directory", &o->out_dir);
    if (!strcmp(name, "--days")) return parse_int_field(name, value, 1, 3660, &o->days);
    if (!strcmp(name, "--start")) return parse_date(value, &o->start_day);
    if (!strcmp(name, "--shops")) return parse_int_field(name, value, 1, 999, &o->shops);
    if (!strcmp(name, "--customers")) return parse_int_field(name, value, 1, 5000000, &o->customers);
    if (!strcmp(name, "--aps-per-shop")) return parse_int_field(name, value, 1, 8, &o->aps_per_shop);
    if (!strcmp(name, "--seed")) return gen_parse_seed(value, &o->seed);
    if (!strcmp(name, "--disorder")) return parse_int_field(name, value, 0, 3600, &o->disorder_s);
    if (!strcmp(name, "--open")) return parse_hour(name, value, 0, 23 * 3600 + 59 * 60, &o->open_s);
    if (!strcmp(name, "--close")) return parse_hour(name, value, 60, 24 * 3600, &o->close_s);
    if (!strcmp(name, "--tz")) o->tz_name = value;
    if (!strcmp(name, "--sqlite")) return gen_parse_path(name, value, "a database path", &o->sqlite_path);
    if (!strcmp(name, "--format")) {
        if (strcmp(value, "csv") && strcmp(value, "json"))
            return err_msg("--format expects csv or json, got '%s'", value), 2;
        o->json = !strcmp(value, "json");
    }
    if (!strcmp(name, "--quiet")) o->quiet = 1;
    if (!strcmp(name, "--help")) o->help = 1;
    return 0;
}

static int check_options(mall_opts *o)
{
    if (!o->out_dir) return err_msg("missing --out DIR (the directory to write the files to)"), 2;
    if (o->close_s - o->open_s < 3600)
        return err_msg("--open %02d:%02d must be at least an hour before --close %02d:%02d", o->open_s / 3600,
                       o->open_s / 60 % 60, o->close_s / 3600, o->close_s / 60 % 60), 2;
    char msg[256];
    o->tz = tz_get(o->tz_name, msg, sizeof msg);
    if (!o->tz) return err_msg("--tz: %s", msg), 2;
    return 0;
}

static int parse_options(int argc, char **argv, mall_opts *o)
{
    *o = (mall_opts){.days = 1, .start_day = days_from_civil(2024, 3, 1), .shops = 40, .customers = 2000,
                     .aps_per_shop = 2, .seed = 1, .disorder_s = 30, .open_s = 10 * 3600,
                     .close_s = 22 * 3600, .tz_name = "Asia/Shanghai"};
    static const gen_cli cli = {MALL_OPTIONS, MALL_FLAGS, apply_mall_option};
    int rc = gen_parse_argv(&cli, argc, argv, o);
    if (rc) return rc;
    return o->help ? 0 : check_options(o);
}

/* ---- random numbers beyond gen.h's, and MACs ---------------------------------------------- */

static double rng_between(gen_rng *r, double lo, double hi) { return lo + (hi - lo) * gen_rng_unit(r); }

/* Approximately normal (sum of four uniforms), mean 0, sd 1/sqrt(3), within [-2, 2]. */
static double rng_bell(gen_rng *r)
{
    return gen_rng_unit(r) + gen_rng_unit(r) + gen_rng_unit(r) + gen_rng_unit(r) - 2.0;
}

static void mac_text(uint64_t mac48, char out[18])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 6; i++) {
        unsigned byte = (unsigned)(mac48 >> (40 - 8 * i)) & 0xff;
        out[3 * i] = hex[byte >> 4];
        out[3 * i + 1] = hex[byte & 15];
        out[3 * i + 2] = i < 5 ? ':' : '\0';
    }
}

/* ---- the mall ------------------------------------------------------------------------------ */

typedef struct mall_shop {
    char code[16];          /* "S001" */
    char name[64];
    enum shop_kind kind;
    int floor;              /* 0 = ground floor */
    int local;              /* index on its floor: slot local / 2, north side when even */
    double x0, x1, y0, y1;  /* the shop's rectangle, metres */
    double popularity;
} mall_shop;

typedef struct mall_ap {
    int shop;
    int floor;
    double x, y;
    int upload_period_s;    /* batch upload interval */
    int upload_phase_s;
    char ip[16];
    int ip_len;
    char mac[18];
} mall_ap;

typedef struct device {
    char mac[18];           /* "aa:bb:cc:dd:ee:ff" */
    int8_t min_rssi;        /* the best fix: weakest rssi of its burst; 0 = never heard */
    int8_t best_max;        /* the best fix: strongest rssi of its burst */
    int32_t x_dm, y_dm;     /* the best fix: position, decimetres */
    int64_t best_epoch;     /* the best fix: when */
    int64_t burst_epoch;    /* the burst being recorded: when, weakest and strongest rssi */
    int8_t burst_min, burst_max;
} device;

typedef struct customer {
    uint32_t device;        /* the fixed-MAC phone (unused when randomizing) */
    int32_t last_day;       /* the last day visited, to keep one customer to one visit slot */
    uint16_t favorite;      /* shop index */
    uint8_t randomizes;     /* shows a new random MAC on every visit */
    uint8_t visited;        /* has visited before */
} customer;

/* One probe record before formatting: key = arrival << 40 | ap << 20 | event time (seconds of
 * the day), so sorting by key gives arrival order. */
typedef struct probe_event {
    uint64_t key;
    uint32_t device;
    int8_t rssi;
} probe_event;

#define KEY_ARRIVAL(k) ((int)((k) >> 40))
#define KEY_AP(k)      ((int)(((k) >> 20) & 0xFFFFF))
#define KEY_TIME(k)    ((int)((k) & 0xFFFFF))

typedef struct visit {
    int arrival;            /* seconds of the day */
    uint32_t customer;
} visit;

typedef struct waypoint {
    int t;                  /* seconds of the day */
    int floor;
    double x, y;
} waypoint;

/* A visit's path: the phone moves linearly between consecutive waypoints on the same floor
 * and rides an escalator (undetected) between waypoints on different floors. */
typedef struct itinerary {
    waypoint wp[MAX_WAYPOINTS];
    int n;
    double speed;           /* walking speed, m/s */
    int shop;               /* the shop the walker is in, -1 = corridor */
} itinerary;

typedef struct mall_sim {
    const mall_opts *o;
    gen_rng rng;
    mall_shop *shops;
    int n_shops;
    mall_ap *aps;
    int n_aps;
    int floors;
    int floor_first[MAX_FLOORS];    /* first shop of each floor */
    int floor_count[MAX_FLOORS];
    int slot_reach;                 /* frontage slots a corridor phone can reach */
    double max_d2[4];               /* squared reach per wall class */
    double *popularity_cum;         /* cumulative popularity, for favourites */
    double *shop_weight;            /* scratch: cumulative weights of one choice */
    double *arrival_cum;            /* cumulative arrival weight per minute */
    int arrival_minutes;
    VEC(device) devices;
    VEC(customer) customers;
    VEC(probe_event) events;
    VEC(visit) visits;
    gen_heap second_visits;         /* gen_key records: time = visit_key of the visit */
    uint32_t *staff_device;
    int *staff_shop;
    int n_staff;
    uint64_t randomized_macs;
    uint64_t total_visits;
    size_t flush_at;
    uint64_t batch_salt;            /* decides which upload batches of the day fail */
    /* the day being generated */
    char pt[9];
    int64_t hour_utc[25];           /* epoch seconds of each local hour of the day */
    gen_out wifi;
} mall_sim;

static int floors_for(int shops)
{
    int floors = (shops + SHOPS_PER_FLOOR - 1) / SHOPS_PER_FLOOR;
    return floors > MAX_FLOORS ? MAX_FLOORS : floors;
}

static void shop_name(int i, char out[64])
{
    int n = (int)ARRAY_LEN(TENANTS);
    if (i < n) snprintf(out, 64, "%s", TENANTS[i % n].name);
    else snprintf(out, 64, "%s(%d号店)", TENANTS[i % n].name, i / n + 1);
}

static void build_shops(mall_sim *s)
{
    const mall_opts *o = s->o;
    s->n_shops = o->shops;
    s->floors = floors_for(o->shops);
    s->shops = xcalloc((size_t)s->n_shops, sizeof *s->shops);
    s->popularity_cum = xcalloc((size_t)s->n_shops, sizeof *s->popularity_cum);
    s->shop_weight = xcalloc((size_t)s->n_shops, sizeof *s->shop_weight);
    int per_floor = (o->shops + s->floors - 1) / s->floors;
    double total = 0;
    for (int i = 0; i < s->n_shops; i++) {
        mall_shop *sh = &s->shops[i];
        snprintf(sh->code, sizeof sh->code, "S%03d", i + 1);
        shop_name(i, sh->name);
        sh->kind = TENANTS[i % (int)ARRAY_LEN(TENANTS)].kind;
        sh->floor = i / per_floor;
        sh->local = i % per_floor;
        int slot = sh->local / 2, north = sh->local % 2 == 0;
        sh->x0 = slot * SHOP_WIDTH_M;
        sh->x1 = sh->x0 + SHOP_WIDTH_M;
        sh->y0 = north ? CORRIDOR_HALF_M : -CORRIDOR_HALF_M - SHOP_DEPTH_M;
        sh->y1 = sh->y0 + SHOP_DEPTH_M;
        sh->popularity = exp(1.7 * rng_bell(&s->rng));
        if (sh->kind == KIND_MARKET || sh->kind == KIND_CINEMA) sh->popularity *= 1.5;
        total += sh->popularity;
        s->popularity_cum[i] = total;
        if (sh->local == 0) s->floor_first[sh->floor] = i;
        s->floor_count[sh->floor]++;
    }
}

static void build_aps(mall_sim *s)
{
    const mall_opts *o = s->o;
    int per_shop = o->aps_per_shop, disorder = o->disorder_s;
    s->n_aps = s->n_shops * per_shop;
    s->aps = xcalloc((size_t)s->n_aps, sizeof *s->aps);
    uint64_t mac_salt = gen_hash64(o->seed ^ 0xA9u) & 0xFFFFFF;
    for (int a = 0; a < s->n_aps; a++) {
        mall_ap *ap = &s->aps[a];
        const mall_shop *sh = &s->shops[a / per_shop];
        int k = a % per_shop;
        ap->shop = a / per_shop;
        ap->floor = sh->floor;
        ap->x = sh->x0 + (k + 0.5) * SHOP_WIDTH_M / per_shop;
        ap->y = (sh->y0 + sh->y1) / 2;
        ap->upload_period_s = 1 + gen_rng_range(&s->rng, 0, MIN(UPLOAD_PERIOD_MAX_S - 1, disorder / 3));
        ap->upload_phase_s = gen_rng_range(&s->rng, 0, ap->upload_period_s - 1);
        ap->ip_len = snprintf(ap->ip, sizeof ap->ip, "10.%d.%d.%d", sh->floor + 1, sh->local, k + 1);
        mac_text((uint64_t)DATASKY_OUI << 24 | gen_scramble((uint64_t)a ^ mac_salt, 24), ap->mac);
    }
}

/* Squared distance beyond which even the loudest burst through `walls` dB stays under the
 * recording floor. */
static double reach_d2(double walls_db)
{
    double decades = (RSSI_AT_1M_DBM - RSSI_FLOOR_DBM + NOISE_MAX_DB - walls_db) / PATH_LOSS_DB_PER_DEC;
    return pow(10.0, 2.0 * decades);
}

/* Arrivals per minute of the opening hours: base, lunch peak, afternoon plateau, evening peak. */
static double arrival_weight(double hour)
{
    double lunch = (hour - 12.15) / 0.9, afternoon = (hour - 15.5) / 1.5, evening = (hour - 19.0) / 1.3;
    return 0.35 + 1.0 * exp(-0.5 * lunch * lunch) + 0.6 * exp(-0.5 * afternoon * afternoon) +
           1.2 * exp(-0.5 * evening * evening);
}

static void build_arrival_profile(mall_sim *s)
{
    int first = s->o->open_s / 60, last = (s->o->close_s - LAST_ARRIVAL_BEFORE_CLOSE_S) / 60;
    s->arrival_minutes = last - first;
    s->arrival_cum = xcalloc((size_t)s->arrival_minutes, sizeof *s->arrival_cum);
    double total = 0;
    for (int m = 0; m < s->arrival_minutes; m++) {
        total += arrival_weight((first + m + 0.5) / 60.0);
        s->arrival_cum[m] = total;
    }
}

static int sample_arrival(mall_sim *s)
{
    int minute = gen_pick_cumulative(&s->rng, s->arrival_cum, s->arrival_minutes);
    int t = (s->o->open_s / 60 + minute) * 60 + gen_rng_range(&s->rng, 0, 59);
    return MAX(t, s->o->open_s);
}

static uint32_t add_device(mall_sim *s, uint64_t mac48)
{
    device d = {0};
    mac_text(mac48, d.mac);
    VEC_PUSH(s->devices, d);
    return (uint32_t)(s->devices.len - 1);
}

/* A fixed vendor MAC for person `id` (customer number, or STAFF_ID_BASE + staff number). */
static uint32_t add_fixed_device(mall_sim *s, uint32_t id)
{
    uint64_t h = gen_hash64(s->o->seed * 0x100000001B3ull ^ id);
    int total = 0;
    for (size_t i = 0; i < ARRAY_LEN(PHONE_OUIS); i++) total += PHONE_OUIS[i].weight;
    int pick = (int)(h % (uint64_t)total);
    size_t i = 0;
    while (pick >= PHONE_OUIS[i].weight) pick -= PHONE_OUIS[i++].weight;
    uint64_t nic = gen_scramble(id ^ (gen_hash64(s->o->seed ^ 0x5EEDu) & 0xFFFFFF), 24);
    return add_device(s, (uint64_t)PHONE_OUIS[i].oui << 24 | nic);
}

/* A fresh locally administered, unicast MAC: bit 1 of the first octet set, bit 0 clear. */
static uint32_t add_random_device(mall_sim *s)
{
    uint64_t r = gen_scramble(s->randomized_macs++ ^ (gen_hash64(s->o->seed ^ 0x4C41u) & ((1ull << 46) - 1)), 46);
    uint64_t mac48 = (r >> 40) << 42 | 1ull << 41 | (r & ((1ull << 40) - 1));
    return add_device(s, mac48);
}

static void build_staff(mall_sim *s)
{
    s->n_staff = (s->n_shops + SHOPS_PER_STAFF - 1) / SHOPS_PER_STAFF;
    s->staff_device = xcalloc((size_t)s->n_staff, sizeof *s->staff_device);
    s->staff_shop = xcalloc((size_t)s->n_staff, sizeof *s->staff_shop);
    int offset = gen_rng_range(&s->rng, 0, SHOPS_PER_STAFF - 1);
    for (int i = 0; i < s->n_staff; i++) {
        int shop = i * SHOPS_PER_STAFF + offset;
        s->staff_shop[i] = shop < s->n_shops ? shop : i * SHOPS_PER_STAFF;
        s->staff_device[i] = add_fixed_device(s, STAFF_ID_BASE + (uint32_t)i);
    }
}

static void sim_init(mall_sim *s, const mall_opts *o)
{
    memset(s, 0, sizeof *s);
    s->o = o;
    gen_rng_seed(&s->rng, o->seed);
    build_shops(s);
    build_aps(s);
    build_arrival_profile(s);
    build_staff(s);
    s->max_d2[0] = reach_d2(0);
    s->max_d2[1] = reach_d2(WALL_FRONT_DB);
    s->max_d2[2] = reach_d2(WALL_ACROSS_DB);
    s->max_d2[3] = reach_d2(WALL_SIDE_DB);
    s->slot_reach = (int)ceil(sqrt(s->max_d2[1]) / SHOP_WIDTH_M);
    s->flush_at = FLUSH_AT_EVENTS;
    gen_heap_init(&s->second_visits, sizeof(gen_key));
}

static void sim_free(mall_sim *s)
{
    free(s->shops);
    free(s->aps);
    free(s->popularity_cum);
    free(s->shop_weight);
    free(s->arrival_cum);
    free(s->staff_device);
    free(s->staff_shop);
    VEC_FREE(s->devices);
    VEC_FREE(s->customers);
    VEC_FREE(s->events);
    VEC_FREE(s->visits);
    gen_heap_free(&s->second_visits);
}

/* ---- signal: which probes hear a burst, and how loud -------------------------------------- */

/* The shop containing a point of a floor, or -1 in the corridor. */
static int shop_at(const mall_sim *s, int floor, double x, double y)
{
    if (y >= -CORRIDOR_HALF_M && y <= CORRIDOR_HALF_M) return -1;
    if (x < 0) return -1;
    int local = (int)(x / SHOP_WIDTH_M) * 2 + (y > 0 ? 0 : 1);
    return local < s->floor_count[floor] ? s->floor_first[floor] + local : -1;
}

/* Wall attenuation between a phone in `zone` (a shop or -1) and a probe of `shop`; sets the
 * wall class used for the reach test. */
static double walls_db(const mall_sim *s, int zone, int shop, int *cls)
{
    if (zone == shop) { *cls = 0; return 0; }
    if (zone < 0) { *cls = 1; return WALL_FRONT_DB; }
    const mall_shop *a = &s->shops[zone], *b = &s->shops[shop];
    if (a->local % 2 != b->local % 2) { *cls = 2; return WALL_ACROSS_DB; }
    int slots_apart = abs(a->local / 2 - b->local / 2);
    *cls = 3;
    return WALL_SIDE_DB + WALL_SIDE_EXTRA_DB * (slots_apart - 1);
}

/* Tracks the burst being heard and keeps the best fix (see place_info in the header). A
 * device's bursts are recorded in time order, all readings of one burst together. */
static void update_fix(device *d, int64_t epoch, int8_t rssi, double x, double y)
{
    if (d->min_rssi == 0 || epoch != d->burst_epoch) {
        d->burst_epoch = epoch;
        d->burst_min = d->burst_max = rssi;
    } else {
        d->burst_min = MIN(d->burst_min, rssi);
        d->burst_max = MAX(d->burst_max, rssi);
    }
    if (d->min_rssi == 0 || d->best_epoch == epoch || d->burst_max >= d->best_max) {
        d->best_epoch = epoch;
        d->best_max = d->burst_max;
        d->min_rssi = d->burst_min;
        d->x_dm = (int32_t)lround(x * 10);
        d->y_dm = (int32_t)lround(y * 10);
    }
}

/* Seconds from a record of probe `ap` at time t to its arrival: the wait for the probe's next
 * batch upload, plus a retry delay when that batch fails; never more than --disorder. */
static int arrival_delay(const mall_sim *s, int ap, int t)
{
    const mall_ap *a = &s->aps[ap];
    int wait = (int)floor_mod(a->upload_phase_s - t, a->upload_period_s);
    uint64_t h = gen_hash64(s->batch_salt ^ (uint64_t)ap << 32 ^ (uint64_t)(t + wait));
    if (h % 100 >= RETRY_PCT) return wait;
    return wait + (int)((h >> 8) % (uint64_t)(s->o->disorder_s - wait + 1));
}

static void record(mall_sim *s, uint32_t dev, int ap, int t, int rssi, double x, double y)
{
    int arrival = t + arrival_delay(s, ap, t);
    probe_event e = {.key = (uint64_t)arrival << 40 | (uint64_t)ap << 20 | (uint64_t)t,
                     .device = dev, .rssi = (int8_t)rssi};
    VEC_PUSH(s->events, e);
    update_fix(&s->devices.items[dev], s->hour_utc[t / 3600] + t % 3600, (int8_t)rssi, x, y);
}

/* One probe-request burst of phone `dev` at (floor, x, y), time t. */
static void burst(mall_sim *s, uint32_t dev, double phone_loss_db, int t, int floor, double x, double y)
{
    int zone = shop_at(s, floor, x, y);
    int slot = x < 0 ? 0 : (int)(x / SHOP_WIDTH_M);
    int lo = MAX(0, (slot - s->slot_reach) * 2), hi = MIN(s->floor_count[floor] - 1, (slot + s->slot_reach) * 2 + 1);
    int per_shop = s->o->aps_per_shop;
    for (int local = lo; local <= hi; local++) {
        int shop = s->floor_first[floor] + local, cls;
        double walls = walls_db(s, zone, shop, &cls);
        for (int ap = shop * per_shop; ap < (shop + 1) * per_shop; ap++) {
            double dx = s->aps[ap].x - x, dy = s->aps[ap].y - y;
            double d2 = MAX(1.0, dx * dx + dy * dy);
            if (d2 > s->max_d2[cls] || gen_rng_chance(&s->rng, MISS_SHARE)) continue;
            double level = RSSI_AT_1M_DBM - PATH_LOSS_DB_PER_DEC / 2 * log10(d2) - walls - phone_loss_db +
                           NOISE_SCALE_DB * rng_bell(&s->rng);
            int rssi = (int)lround(level);
            if (rssi < RSSI_FLOOR_DBM) continue;
            record(s, dev, ap, t, MIN(rssi, RSSI_CEIL_DBM), x, y);
        }
    }
}

/* Bursts every 10-60 s along the itinerary, until it ends or the mall closes. */
static void emit_itinerary(mall_sim *s, const itinerary *it, uint32_t dev, double phone_loss_db)
{
    if (it->n < 2) return;
    int end = MIN(it->wp[it->n - 1].t, s->o->close_s);
    int i = 0;
    for (int t = it->wp[0].t + gen_rng_range(&s->rng, 0, PROBE_GAP_MIN_S); t < end;
         t += gen_rng_range(&s->rng, PROBE_GAP_MIN_S, PROBE_GAP_MAX_S)) {
        while (i + 2 < it->n && it->wp[i + 1].t <= t) i++;
        const waypoint *a = &it->wp[i], *b = &it->wp[i + 1];
        if (a->floor != b->floor) continue;
        double f = b->t > a->t ? (double)(t - a->t) / (b->t - a->t) : 0;
        if (f > 1) f = 1;
        burst(s, dev, phone_loss_db, t, a->floor, a->x + (b->x - a->x) * f, a->y + (b->y - a->y) * f);
    }
}

/* ---- itineraries -------------------------------------------------------------------------- */

static const waypoint *itin_last(const itinerary *it) { return &it->wp[it->n - 1]; }

static void itin_add(itinerary *it, int t, int floor, double x, double y)
{
    if (it->n < MAX_WAYPOINTS) it->wp[it->n++] = (waypoint){t, floor, x, y};
}

static void walk_to(itinerary *it, double x, double y)
{
    const waypoint *w = itin_last(it);
    double dist = hypot(x - w->x, y - w->y);
    itin_add(it, w->t + MAX(1, (int)lround(dist / it->speed)), w->floor, x, y);
}

static void stay(itinerary *it, int seconds)
{
    const waypoint *w = itin_last(it);
    itin_add(it, w->t + seconds, w->floor, w->x, w->y);
}

static double door_y(const mall_shop *sh) { return sh->y0 > 0 ? CORRIDOR_HALF_M : -CORRIDOR_HALF_M; }

static void leave_shop(const mall_sim *s, itinerary *it)
{
    if (it->shop < 0) return;
    const mall_shop *sh = &s->shops[it->shop];
    double door_x = (sh->x0 + sh->x1) / 2;
    walk_to(it, door_x, door_y(sh));
    walk_to(it, door_x, 0);
    it->shop = -1;
}

static void change_floor(itinerary *it, int floor)
{
    const waypoint *w = itin_last(it);
    if (w->floor == floor) return;
    walk_to(it, ESCALATOR_X_M, 0);
    w = itin_last(it);
    itin_add(it, w->t + ESCALATOR_S_PER_FLOOR * abs(floor - w->floor), floor, ESCALATOR_X_M, 0);
}

static void random_spot(mall_sim *s, const mall_shop *sh, double *x, double *y)
{
    *x = rng_between(&s->rng, sh->x0 + 1, sh->x1 - 1);
    *y = rng_between(&s->rng, sh->y0 + 0.5, sh->y1 - 0.5);
}

static void enter_shop(mall_sim *s, itinerary *it, int shop)
{
    const mall_shop *sh = &s->shops[shop];
    double door_x = (sh->x0 + sh->x1) / 2, x, y;
    change_floor(it, sh->floor);
    walk_to(it, door_x, 0);
    walk_to(it, door_x, door_y(sh));
    random_spot(s, sh, &x, &y);
    walk_to(it, x, y);
    it->shop = shop;
}

/* Window shopping: walk to a point of the corridor and stand there a while. */
static void linger(mall_sim *s, itinerary *it)
{
    const waypoint *w = itin_last(it);
    int floor = w->floor;
    double length = s->floor_count[floor] > 0 ? ((s->floor_count[floor] + 1) / 2) * SHOP_WIDTH_M : SHOP_WIDTH_M;
    walk_to(it, rng_between(&s->rng, 0, length), rng_between(&s->rng, -2.5, 2.5));
    stay(it, gen_rng_range(&s->rng, 30, 180));
}

static int dwell_seconds(mall_sim *s, enum shop_kind kind)
{
    if (kind != KIND_CINEMA && gen_rng_chance(&s->rng, GLANCE_SHARE)) return gen_rng_range(&s->rng, 60, 180);
    double u = pow(gen_rng_unit(&s->rng), 1.6);      /* skewed to the short end */
    return (int)((DWELL_MINUTES[kind].min + u * (DWELL_MINUTES[kind].max - DWELL_MINUTES[kind].min)) * 60);
}

static double bump(double hour, double mean, double sd)
{
    double z = (hour - mean) / sd;
    return exp(-0.5 * z * z);
}

/* How much a kind of shop draws customers at an hour of the day. */
static double kind_appeal(enum shop_kind kind, double hour)
{
    switch (kind) {
    case KIND_RESTAURANT: return 0.25 + 3.0 * bump(hour, 12.2, 0.8) + 3.0 * bump(hour, 18.5, 1.0);
    case KIND_SNACK: return 0.8 + 0.8 * bump(hour, 12.0, 1.0) + 1.0 * bump(hour, 15.5, 1.3) + 0.6 * bump(hour, 19.5, 1.0);
    case KIND_CINEMA: return 0.3 + 0.6 * bump(hour, 14.5, 1.5) + 1.5 * bump(hour, 19.5, 1.5);
    default: return 1.0;
    }
}

static int choose_shop(mall_sim *s, const customer *c, int t, int stop, const int *seen, int n_seen, int current)
{
    if (stop == 0 && c->visited && c->favorite != current && gen_rng_chance(&s->rng, FAVORITE_FIRST_SHARE))
        return c->favorite;
    if (n_seen >= 2 && gen_rng_chance(&s->rng, REVISIT_SHARE)) {
        int pick = seen[gen_rng_range(&s->rng, 0, n_seen - 1)];
        if (pick != current) return pick;
    }
    double hour = t / 3600.0, appeal[KIND_COUNT], total = 0;
    for (int k = 0; k < KIND_COUNT; k++) appeal[k] = kind_appeal((enum shop_kind)k, hour);
    for (int i = 0; i < s->n_shops; i++) {
        if (i != current) total += s->shops[i].popularity * appeal[s->shops[i].kind];
        s->shop_weight[i] = total;
    }
    if (total <= 0) return current;
    return gen_pick_cumulative(&s->rng, s->shop_weight, s->n_shops);
}

static int stop_count(mall_sim *s, int second_visit)
{
    int n = 1;
    double more = second_visit ? MORE_STOPS_SHARE / 2 : MORE_STOPS_SHARE;
    while (n < MAX_STOPS && gen_rng_chance(&s->rng, more)) n++;
    return n;
}

static void plan_customer_visit(mall_sim *s, itinerary *it, const customer *c, int arrival, int second_visit)
{
    it->n = 0;
    it->shop = -1;
    it->speed = rng_between(&s->rng, 0.8, 1.3);
    itin_add(it, arrival, 0, ESCALATOR_X_M, 0);
    int seen[MAX_STOPS], n_seen = 0, stops = stop_count(s, second_visit);
    for (int stop = 0; stop < stops && itin_last(it)->t < s->o->close_s; stop++) {
        int shop = choose_shop(s, c, itin_last(it)->t, stop, seen, n_seen, it->shop);
        if (shop == it->shop) continue;
        leave_shop(s, it);
        if (stop > 0 && gen_rng_chance(&s->rng, LINGER_SHARE)) linger(s, it);
        enter_shop(s, it, shop);
        stay(it, dwell_seconds(s, s->shops[shop].kind));
        seen[n_seen++] = shop;
    }
    leave_shop(s, it);
    change_floor(it, 0);
    walk_to(it, ESCALATOR_X_M, 0);
}

static void plan_staff_day(mall_sim *s, itinerary *it, int shop)
{
    const mall_shop *sh = &s->shops[shop];
    double x, y;
    it->n = 0;
    it->shop = shop;
    it->speed = 1.0;
    random_spot(s, sh, &x, &y);
    itin_add(it, s->o->open_s, sh->floor, x, y);
    while (itin_last(it)->t < s->o->close_s && it->n < MAX_WAYPOINTS - 2) {
        stay(it, gen_rng_range(&s->rng, 30 * 60, 90 * 60));
        random_spot(s, sh, &x, &y);
        walk_to(it, x, y);
    }
    if (itin_last(it)->t < s->o->close_s) stay(it, s->o->close_s - itin_last(it)->t);
}

/* Opens DIR/base.csv, or DIR/base.json under --format json. */
static int open_table_file(const mall_sim *s, gen_out *f, const char *base)
{
    char name[64];
    snprintf(name, sizeof name, "%s.%s", base, s->o->json ? "json" : "csv");
    return gen_out_open(f, s->o->out_dir, name);
}

/* ---- writing user_wifidata ---------------------------------------------------------------- */

static int event_cmp(const void *pa, const void *pb)
{
    const probe_event *a = pa, *b = pb;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    if (a->device != b->device) return a->device < b->device ? -1 : 1;
    return (a->rssi > b->rssi) - (a->rssi < b->rssi);
}

static void write_wifi_row(mall_sim *s, const probe_event *e)
{
    const mall_ap *ap = &s->aps[KEY_AP(e->key)];
    const mall_shop *sh = &s->shops[ap->shop];
    int t = KEY_TIME(e->key);
    int64_t epoch = s->hour_utc[t / 3600] + t % 3600;
    const char *mac = s->devices.items[e->device].mac;
    char *p = gen_out_row(&s->wifi);
    if (!s->o->json) {
        p = gen_put_i64(p, (int64_t)s->wifi.rows + 1); *p++ = ',';
        p = gen_put_cstr(p, sh->code); *p++ = ',';
        p = gen_put_str(p, ap->ip, (size_t)ap->ip_len); *p++ = ',';
        p = gen_put_i64(p, epoch); *p++ = ',';
        p = gen_put_str(p, mac, 17); *p++ = ',';
        p = gen_put_i64(p, e->rssi); *p++ = ',';
        p = gen_put_str(p, ap->mac, 17); *p++ = ',';
        p = gen_put_str(p, s->pt, 8); *p++ = '\n';
    } else {
        p = gen_put_cstr(p, "{\"id\":\""); p = gen_put_i64(p, (int64_t)s->wifi.rows + 1);
        p = gen_put_cstr(p, "\",\"shop_code\":\""); p = gen_put_cstr(p, sh->code);
        p = gen_put_cstr(p, "\",\"ap_ip\":\""); p = gen_put_str(p, ap->ip, (size_t)ap->ip_len);
        p = gen_put_cstr(p, "\",\"occur_time\":\""); p = gen_put_i64(p, epoch);
        p = gen_put_cstr(p, "\",\"user_device_mac\":\""); p = gen_put_str(p, mac, 17);
        p = gen_put_cstr(p, "\",\"rssi\":\""); p = gen_put_i64(p, e->rssi);
        p = gen_put_cstr(p, "\",\"ap_mac\":\""); p = gen_put_str(p, ap->mac, 17);
        p = gen_put_cstr(p, "\",\"pt\":\""); p = gen_put_str(p, s->pt, 8);
        p = gen_put_cstr(p, "\"}\n");
    }
    gen_out_end(&s->wifi, p);
}

/* Sorts the pending records and writes those arriving before `limit` (seconds of the day). */
static void flush_events(mall_sim *s, int limit)
{
    probe_event *ev = s->events.items;
    size_t n = s->events.len, ready = 0;
    if (n == 0) return;
    qsort(ev, n, sizeof *ev, event_cmp);
    while (ready < n && KEY_ARRIVAL(ev[ready].key) < limit) write_wifi_row(s, &ev[ready++]);
    memmove(ev, ev + ready, (n - ready) * sizeof *ev);
    s->events.len = n - ready;
    s->flush_at = MAX(FLUSH_AT_EVENTS, 2 * s->events.len);
}

/* ---- days and visits ---------------------------------------------------------------------- */

static int visit_before(const visit *a, const visit *b)
{
    return a->arrival != b->arrival ? a->arrival < b->arrival : a->customer < b->customer;
}

static int visit_cmp(const void *pa, const void *pb)
{
    const visit *a = pa, *b = pb;
    return visit_before(a, b) ? -1 : visit_before(b, a) ? 1 : 0;
}

/* Second visits wait in a gen_heap whose key orders them as visit_before does. */
static int64_t visit_key(visit v) { return (int64_t)v.arrival << 32 | v.customer; }

static visit visit_of_key(const gen_key *k) { return (visit){(int)(k->time >> 32), (uint32_t)k->time}; }

static void push_second_visit(mall_sim *s, visit v)
{
    gen_key k = {.time = visit_key(v)};
    gen_heap_push(&s->second_visits, &k);
}

static visit pop_second_visit(mall_sim *s)
{
    gen_key k;
    gen_heap_pop(&s->second_visits, &k);
    return visit_of_key(&k);
}

static uint32_t new_customer(mall_sim *s, int day)
{
    uint32_t id = (uint32_t)s->customers.len;
    customer c = {.last_day = day, .randomizes = (uint8_t)gen_rng_chance(&s->rng, RANDOMIZED_SHARE)};
    c.favorite = (uint16_t)gen_pick_cumulative(&s->rng, s->popularity_cum, s->n_shops);
    c.device = c.randomizes ? UINT32_MAX : add_fixed_device(s, id);
    VEC_PUSH(s->customers, c);
    return id;
}

/* A visitor of `day`: a returning customer (biased to the earliest, the regulars) or a new one.
 * Once MAX_CUSTOMERS exist (no fresh fixed MACs left) only returning customers come. */
static uint32_t pick_customer(mall_sim *s, int day, size_t known_before_today)
{
    int full = s->customers.len >= MAX_CUSTOMERS;
    if (known_before_today > 0 && (full || gen_rng_chance(&s->rng, RETURNING_SHARE))) {
        for (int attempt = 0; attempt < (full ? 64 : 1); attempt++) {
            double u = gen_rng_unit(&s->rng);
            uint32_t id = (uint32_t)(u * u * (double)known_before_today);
            if (s->customers.items[id].last_day != day || (full && attempt == 63)) {
                s->customers.items[id].last_day = day;
                return id;
            }
        }
    }
    return new_customer(s, day);
}

static void set_day(mall_sim *s, int64_t day)
{
    int64_t y;
    int m, d;
    civil_from_days(day, &y, &m, &d);
    snprintf(s->pt, sizeof s->pt, "%04d%02d%02d", (int)y, m, d);
    s->batch_salt = gen_hash64(s->o->seed ^ (uint64_t)day * 0x9E3779B97F4A7C15ull);
    for (int h = 0; h <= 24; h++)
        s->hour_utc[h] = floor_div(tz_local_to_utc(s->o->tz, (day * 86400 + h * 3600) * 1000000LL), 1000000);
}

static int visitors_on(const mall_sim *s, int64_t day)
{
    int weekday = (int)floor_mod(day + 4, 7);       /* 1970-01-01 was a Thursday; 0 = Sunday */
    double factor = (weekday == 0 || weekday == 6) ? WEEKEND_FACTOR : 1.0;
    return (int)lround(s->o->customers * factor);
}

static void simulate_visit(mall_sim *s, itinerary *it, visit v, int second_visit)
{
    customer *c = &s->customers.items[v.customer];
    uint32_t dev = c->randomizes ? add_random_device(s) : c->device;
    plan_customer_visit(s, it, c, v.arrival, second_visit);
    emit_itinerary(s, it, dev, rng_between(&s->rng, 0, PHONE_LOSS_MAX_DB));
    c->visited = 1;
    s->total_visits++;
    int leave = itin_last(it)->t, back = leave + gen_rng_range(&s->rng, 3600, 4 * 3600);
    if (!second_visit && gen_rng_chance(&s->rng, SECOND_VISIT_SHARE) && back < s->o->close_s - 30 * 60)
        push_second_visit(s, (visit){back, v.customer});
}

static void simulate_day(mall_sim *s, int day_index, itinerary *it)
{
    int64_t day = s->o->start_day + day_index;
    set_day(s, day);
    size_t known = s->customers.len;
    s->visits.len = 0;
    int n = visitors_on(s, day);
    for (int i = 0; i < n; i++) {
        visit v = {.arrival = sample_arrival(s)};
        v.customer = pick_customer(s, day_index, known);
        VEC_PUSH(s->visits, v);
    }
    qsort(s->visits.items, s->visits.len, sizeof *s->visits.items, visit_cmp);
    for (int i = 0; i < s->n_staff; i++) {
        plan_staff_day(s, it, s->staff_shop[i]);
        emit_itinerary(s, it, s->staff_device[i], rng_between(&s->rng, 0, PHONE_LOSS_MAX_DB / 2));
    }
    size_t next = 0;
    while (next < s->visits.len || s->second_visits.len) {
        const gen_key *pending = gen_heap_top(&s->second_visits);
        visit waiting = pending ? visit_of_key(pending) : (visit){0};
        int second = pending && (next == s->visits.len || visit_before(&waiting, &s->visits.items[next]));
        visit v = second ? pop_second_visit(s) : s->visits.items[next++];
        if (s->events.len >= s->flush_at) flush_events(s, v.arrival);
        simulate_visit(s, it, v, second);
    }
    flush_events(s, INT32_MAX);
}

/* ---- dimension tables ---------------------------------------------------------------------- */

static int place_known(const mall_sim *s, uint32_t dev)
{
    return gen_hash64(s->o->seed ^ ((uint64_t)dev << 20) ^ 0x91ACEu) % 100 < PLACE_COVERAGE_PCT;
}

typedef struct dims_db {
    sqlite3 *db;
    sqlite3_stmt *shop_ins, *place_ins;
    const char *path;
} dims_db;

static int db_fail(dims_db *d, const char *what)
{
    err_msg("--sqlite %s: %s: %s", d->path, what, d->db ? sqlite3_errmsg(d->db) : "out of memory");
    return 1;
}

static int db_open(dims_db *d, const char *path)
{
    static const char schema[] =
        "BEGIN;"
        "DROP TABLE IF EXISTS area_shop;"
        "CREATE TABLE area_shop(id INTEGER, shop_code TEXT PRIMARY KEY, shop_name TEXT);"
        "DROP TABLE IF EXISTS place_info;"
        "CREATE TABLE place_info(user_device_mac TEXT PRIMARY KEY, used_x INTEGER, used_y INTEGER, min_rssi INTEGER);";
    memset(d, 0, sizeof *d);
    d->path = path;
    if (sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        return db_fail(d, "cannot open");
    sqlite3_busy_timeout(d->db, 5000);
    if (sqlite3_exec(d->db, schema, NULL, NULL, NULL) != SQLITE_OK) return db_fail(d, "cannot create the tables");
    if (sqlite3_prepare_v2(d->db, "INSERT INTO area_shop VALUES (?, ?, ?)", -1, &d->shop_ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(d->db, "INSERT OR REPLACE INTO place_info VALUES (?, ?, ?, ?)", -1, &d->place_ins, NULL) != SQLITE_OK)
        return db_fail(d, "cannot prepare the inserts");
    return 0;
}

static int db_step(dims_db *d, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : db_fail(d, "insert failed");
}

static int db_close(dims_db *d, int commit)
{
    int rc = 0;
    sqlite3_finalize(d->shop_ins);
    sqlite3_finalize(d->place_ins);
    if (d->db && sqlite3_exec(d->db, commit ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK && commit)
        rc = db_fail(d, "cannot commit");
    sqlite3_close(d->db);
    d->db = NULL;
    return rc;
}

static int write_shops(mall_sim *s, dims_db *db)
{
    gen_out f = {0};
    int rc = open_table_file(s, &f, "area_shop");
    for (int i = 0; !rc && i < s->n_shops; i++) {
        const mall_shop *sh = &s->shops[i];
        char *p = gen_out_row(&f);
        if (s->o->json) {
            p = gen_put_cstr(p, "{\"id\":"); p = gen_put_i64(p, i + 1);
            p = gen_put_cstr(p, ",\"shop_code\":\""); p = gen_put_cstr(p, sh->code);
            p = gen_put_cstr(p, "\",\"shop_name\":\""); p = gen_put_cstr(p, sh->name);
            p = gen_put_cstr(p, "\"}\n");
        } else {
            p = gen_put_i64(p, i + 1); *p++ = ',';
            p = gen_put_cstr(p, sh->code); *p++ = ',';
            p = gen_put_cstr(p, sh->name); *p++ = '\n';
        }
        gen_out_end(&f, p);
        if (db->db) {
            sqlite3_bind_int64(db->shop_ins, 1, i + 1);
            sqlite3_bind_text(db->shop_ins, 2, sh->code, -1, SQLITE_STATIC);
            sqlite3_bind_text(db->shop_ins, 3, sh->name, -1, SQLITE_STATIC);
            rc = db_step(db, db->shop_ins);
        }
    }
    int close_rc = gen_out_close(&f);
    return rc ? rc : close_rc;
}

static int write_places(mall_sim *s, dims_db *db, uint64_t *written)
{
    gen_out f = {0};
    int rc = open_table_file(s, &f, "place_info");
    for (uint32_t i = 0; !rc && i < s->devices.len; i++) {
        const device *d = &s->devices.items[i];
        if (d->min_rssi == 0 || !place_known(s, i)) continue;
        char *p = gen_out_row(&f);
        if (s->o->json) {
            p = gen_put_cstr(p, "{\"user_device_mac\":\""); p = gen_put_str(p, d->mac, 17);
            p = gen_put_cstr(p, "\",\"used_x\":"); p = gen_put_i64(p, d->x_dm);
            p = gen_put_cstr(p, ",\"used_y\":"); p = gen_put_i64(p, d->y_dm);
            p = gen_put_cstr(p, ",\"min_rssi\":"); p = gen_put_i64(p, d->min_rssi);
            p = gen_put_cstr(p, "}\n");
        } else {
            p = gen_put_str(p, d->mac, 17); *p++ = ',';
            p = gen_put_i64(p, d->x_dm); *p++ = ',';
            p = gen_put_i64(p, d->y_dm); *p++ = ',';
            p = gen_put_i64(p, d->min_rssi); *p++ = '\n';
        }
        gen_out_end(&f, p);
        if (db->db) {
            sqlite3_bind_text(db->place_ins, 1, d->mac, 17, SQLITE_STATIC);
            sqlite3_bind_int64(db->place_ins, 2, d->x_dm);
            sqlite3_bind_int64(db->place_ins, 3, d->y_dm);
            sqlite3_bind_int64(db->place_ins, 4, d->min_rssi);
            rc = db_step(db, db->place_ins);
        }
    }
    *written = f.rows;
    int close_rc = gen_out_close(&f);
    return rc ? rc : close_rc;
}

/* ---- the command ---------------------------------------------------------------------------- */

static int write_probe_records(mall_sim *s)
{
    if (open_table_file(s, &s->wifi, "user_wifidata")) return gen_out_close(&s->wifi), 1;
    itinerary *it = xmalloc(sizeof *it);
    for (int d = 0; d < s->o->days; d++) simulate_day(s, d, it);
    free(it);
    return gen_out_close(&s->wifi);
}

static void print_summary(const mall_sim *s, uint64_t places)
{
    const mall_opts *o = s->o;
    int64_t y;
    int m, d;
    civil_from_days(o->start_day, &y, &m, &d);
    const char *ext = o->json ? "json" : "csv";
    fprintf(stderr,
            "eddy gen mall: %llu rows, %d day%s from %04d-%02d-%02d, %d shops (%d probes), %zu customers "
            "(%llu visits, %zu MACs of which %llu randomized, %d staff), %llu MACs in place_info\n"
            "  wrote %s/user_wifidata.%s, %s/area_shop.%s, %s/place_info.%s%s%s\n",
            (unsigned long long)s->wifi.rows, o->days, o->days == 1 ? "" : "s", (int)y, m, d, s->n_shops, s->n_aps,
            s->customers.len, (unsigned long long)s->total_visits, s->devices.len,
            (unsigned long long)s->randomized_macs, s->n_staff, (unsigned long long)places, o->out_dir, ext,
            o->out_dir, ext, o->out_dir, ext, o->sqlite_path ? ", tables area_shop and place_info in " : "",
            o->sqlite_path ? o->sqlite_path : "");
}

int gen_mall(int argc, char **argv)
{
    mall_opts o;
    err_clear();
    int rc = parse_options(argc, argv, &o);
    if (rc) return rc;
    if (o.help) { fputs(MALL_USAGE, stdout); return 0; }
    if ((rc = gen_make_dirs(o.out_dir))) return rc;
    mall_sim s;
    sim_init(&s, &o);
    dims_db db = {0};
    uint64_t places = 0;
    if (o.sqlite_path) rc = db_open(&db, o.sqlite_path);
    if (!rc) rc = write_probe_records(&s);
    if (!rc) rc = write_shops(&s, &db);
    if (!rc) rc = write_places(&s, &db, &places);
    if (db.db) {
        int db_rc = db_close(&db, rc == 0);
        if (!rc) rc = db_rc;
    }
    if (!rc && !o.quiet) print_summary(&s, places);
    sim_free(&s);
    return rc;
}
