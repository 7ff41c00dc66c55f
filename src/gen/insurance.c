/* insurance.c - `eddy gen insurance`: the input streams of the insurance-app jobs (seed 002) as
 * CSV files without a header, columns in the order of the seed's CREATE TABLE statements:
 *   user_order.csv            id,order_no,order_type,pay_time,order_price,customer_name,
 *                             customer_tel,certificate_no,gmt_created,gmt_modified,account_payble
 *   account_wechat_trace.csv  id,channel,open_id,event,now_premium,creator,modifier,gmt_modified,now_info
 *                             (the topic dh_prd_dm_account_wechat_trace behind update_info)
 *   page_log.csv              log_time,device_id,account_id,bury_point_type,page_name (user_log)
 *   raw_info.csv              id,raw_premium,raw_info (the key customers' dimension table)
 * and with --sqlite PATH the table raw_info(id INTEGER PRIMARY KEY, raw_premium TEXT, raw_info TEXT).
 * Times are epoch milliseconds; an empty field is NULL (pay_time of an unpaid order, account_id of
 * a visitor who has not logged in: read it with 'csv.null-literal' = '').
 *
 * The model. Each file has its own xoshiro256** stream seeded from --seed and the file; user
 * attributes come from hashes of the seed and the user number. The output is a pure function of
 * the arguments.
 *
 * Time: everything happens in [--start, --start + --hours) (--start is a wall-clock time in
 * --tz), with the app's daily rhythm: quiet at night, peaks around 10:30, 15:00 and 21:00. Each
 * stream's sessions (an order, a premium change, an app visit) start at sorted random times
 * drawn from that profile.
 *
 * Users: --users customers with an 8-digit id, a Chinese name, a mobile number and an 18-digit
 * resident ID number (region, birth date 1955-2002, sequence, ISO 7064 check character); users
 * with low numbers are more active. The first --key-customers users are the key customers whose
 * premium the business managers watch (raw_info).
 *
 * Orders (user_order): an order of a product (accident, medical, critical illness, life or
 * annuity insurance; 99 to 50000 yuan), order_type 1 new 70 %, 2 renewal 25 %, 3 add-on 5 %,
 * account_payble = order_price less a 0-15 % discount. The order is sent when created (pay_time
 * NULL, gmt_modified = gmt_created); 85 % are paid 30 s-20 min later and re-sent with pay_time =
 * gmt_modified = the payment time; 12 % of those are modified again 5 min-3 h later (a 3-8 %
 * correction of account_payble, or unchanged) and re-sent once more. So an order_no recurs with
 * a later gmt_modified, which the job de-duplicates with LAST_VALUE.
 *
 * Premium changes (account_wechat_trace): --updates rows; 75 % concern a key customer, the rest
 * other users (the job's inner join drops them). For a key customer the new premium is 40-83 %
 * of the current one in 20 % of the changes (a drop of more than 15 %: the alert case), 87-110 %
 * in 45 % and 110-180 % in 35 %; never within 2 % of the 85 % threshold. event is save_success,
 * or save_fail for 5 % of the rows (the order was not saved; the job filters these out and they
 * change nothing). The current premium of a key customer is the raw_info one, then the last
 * saved change, as the job keeps raw_info up to date.
 *
 * Page views (page_log): --sessions app visits; 88 % by a logged-in user on one of their one or
 * two devices, 12 % by an anonymous visitor (account_id empty). A visit opens on the home page
 * (after the splash ad for 30 %) and wanders through product, activity, ad, order and
 * account pages, 2-90 s per page, at most 25 pages.
 *
 * Every file is in non-decreasing time order (gmt_modified, gmt_modified, log_time): rows that
 * happen later (a payment, the rest of a visit) wait in a heap until no later session can come
 * before them. Rows are formatted by hand; nothing is allocated per row. */
#include "gen/gen.h"
#include "base/civil.h"
#include "base/err.h"
#include "base/tz.h"
#include "base/util.h"
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define MS_PER_S            1000LL
#define MAX_SPAN_HOURS      744
#define USER_ID_BASE        10000000
#define USER_ID_BITS        23
#define MAX_USERS           (1 << USER_ID_BITS)
#define USER_SKEW           1.5
#define ORDER_SERIAL_DIGITS 8
#define PAID_SHARE          0.85
#define MODIFIED_SHARE      0.12
#define KEY_UPDATE_SHARE    0.75
#define SAVE_FAIL_SHARE     0.05
#define ANONYMOUS_SHARE     0.12
#define SPLASH_SHARE        0.30
#define MAX_PAGES           25
#define MAX_POLICIES        9

/* ---- value tables -------------------------------------------------------------------------- */

static const struct { const char *kind; int yuan; int weight; } PRODUCTS[] = {
    {"意外险", 99, 10},     {"意外险", 199, 8},     {"意外险", 299, 5},
    {"医疗险", 268, 10},    {"医疗险", 588, 8},     {"医疗险", 1280, 5},
    {"重疾险", 3580, 6},    {"重疾险", 5200, 5},    {"重疾险", 8800, 4},   {"重疾险", 12600, 2},
    {"寿险", 2400, 3},      {"寿险", 6800, 2},
    {"年金险", 10000, 2},   {"年金险", 20000, 1},   {"年金险", 50000, 1},
};

static const int ORDER_TYPE_WEIGHTS[] = {70, 25, 5};                    /* types 1, 2, 3 */
static const int DISCOUNT_PERCENT[] = {100, 95, 90, 85};
static const int DISCOUNT_WEIGHTS[] = {70, 15, 10, 5};

static const char *const SURNAMES[] = {
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹",
};
static const char *const GIVEN[] = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "霞", "平", "刚", "桂英", "秀英", "建华", "志强", "晓燕", "海燕", "文静", "子轩", "浩然",
    "雨涵", "欣怡", "梓萱", "俊杰", "佳怡", "宇航", "思远",
};
static const char *const MOBILE_PREFIXES[] = {
    "139", "138", "137", "136", "135", "134", "159", "158", "157", "150", "151", "152", "188", "187",
    "182", "183", "186", "185", "130", "131", "132", "133", "153", "180", "181", "189", "177", "176",
    "199", "198", "166",
};
/* County-level region codes (GB/T 2260), the first 6 digits of a resident ID number. */
static const char *const ID_REGIONS[] = {
    "330102", "330106", "330108", "330110", "310101", "310104", "310115", "110101", "110105",
    "110108", "440106", "440305", "320106", "510107", "420106", "610113", "370102", "350203",
};

static const char *const TRACE_CHANNELS[] = {"WX001", "WX002", "APP01", "H5001"};
static const int TRACE_CHANNEL_WEIGHTS[] = {40, 35, 15, 10};

enum page_type { HOME, PRODUCT, ACTIVITY, AD, ORDER, MINE, PAGE_TYPES, END = PAGE_TYPES };

static const char *const PAGE_TYPE_NAMES[PAGE_TYPES] = {"首页", "产品页", "活动页", "广告页", "订单页", "个人中心"};

static const struct { enum page_type type; const char *name; } PAGES[] = {
    {HOME, "首页"},
    {PRODUCT, "重疾险详情"}, {PRODUCT, "医疗险详情"}, {PRODUCT, "意外险详情"}, {PRODUCT, "寿险详情"},
    {PRODUCT, "少儿险详情"}, {PRODUCT, "养老年金详情"},
    {ACTIVITY, "新春特惠"}, {ACTIVITY, "会员日"}, {ACTIVITY, "邀请有礼"}, {ACTIVITY, "签到领积分"},
    {AD, "开屏广告"}, {AD, "首页轮播广告"}, {AD, "弹窗广告"},
    {ORDER, "投保信息填写"}, {ORDER, "支付页"}, {ORDER, "保单详情"},
    {MINE, "我的保单"}, {MINE, "我的理赔"}, {MINE, "设置"},
};
#define PAGE_HOME        0
#define PAGE_SPLASH      11
#define PAGE_ORDER_FORM  14
#define PAGE_PAYMENT     15
#define PAGE_POLICY      16

/* Next page type by current type: weights of HOME, PRODUCT, ACTIVITY, AD, ORDER, MINE, END. */
static const int NEXT_TYPE_WEIGHTS[PAGE_TYPES][PAGE_TYPES + 1] = {
    [HOME] = {0, 40, 20, 8, 0, 15, 17},
    [PRODUCT] = {22, 25, 0, 0, 18, 0, 35},
    [ACTIVITY] = {25, 45, 0, 0, 0, 0, 30},
    [AD] = {25, 40, 20, 0, 0, 0, 15},
    [ORDER] = {30, 0, 0, 0, 0, 0, 70},
    [MINE] = {30, 0, 0, 0, 0, 30, 40},
};

/* ---- options ----------------------------------------------------------------------------- */

typedef struct insurance_opts {
    const char *out_dir;
    long long orders;
    long long users;
    long long key_customers;    /* -1 = users / 5 */
    long long updates;
    long long sessions;
    int64_t start_wall;         /* wall-clock seconds in tz */
    long long hours;
    const char *tz_name;
    const tz_t *tz;
    const char *sqlite_path;    /* NULL = no database */
    uint64_t seed;
    int quiet;
    int help;
} insurance_opts;

static const char *const INSURANCE_OPTIONS[] = {
    "--out", "--orders", "--users", "--key-customers", "--updates", "--sessions", "--start", "--hours",
    "--tz", "--sqlite", "--seed", "--quiet", "--help", NULL,
};
static const char *const INSURANCE_FLAGS[] = {"--quiet", "--help", NULL};

static const char INSURANCE_USAGE[] =
    "usage: eddy gen insurance --out DIR [--orders N (2000)] [--users N (1000)] [--key-customers N (users/5)]\n"
    "         [--updates N (1000)] [--sessions N (3000)] [--start 'YYYY-MM-DD[ HH:MM:SS]' (2024-03-01)]\n"
    "         [--hours H (24)] [--tz ZONE (Asia/Shanghai)] [--sqlite PATH] [--seed S (1)] [--quiet]\n"
    "writes, without header rows and in time order (times in epoch ms, empty field = NULL):\n"
    "  DIR/user_order.csv            id,order_no,order_type,pay_time,order_price,customer_name,customer_tel,\n"
    "                                certificate_no,gmt_created,gmt_modified,account_payble (orders re-sent\n"
    "                                when paid or modified)\n"
    "  DIR/account_wechat_trace.csv  id,channel,open_id,event,now_premium,creator,modifier,gmt_modified,now_info\n"
    "                                (premium changes, some drops of more than 15 %; event save_success|save_fail)\n"
    "  DIR/page_log.csv              log_time,device_id,account_id,bury_point_type,page_name\n"
    "  DIR/raw_info.csv              id,raw_premium,raw_info (the key customers)\n"
    "--sqlite PATH also (re)creates the table raw_info(id INTEGER PRIMARY KEY, raw_premium TEXT, raw_info TEXT).\n";

static int apply_insurance_option(void *opts, const char *name, const char *value)
{
    insurance_opts *o = opts;
    if (!strcmp(name, "--out")) return gen_parse_path(name, value, "a directory", &o->out_dir);
    if (!strcmp(name, "--orders")) return gen_parse_int(name, value, 0, 5000000, &o->orders);
    if (!strcmp(name, "--users")) return gen_parse_int(name, value, 1, MAX_USERS, &o->users);
    if (!strcmp(name, "--key-customers")) return gen_parse_int(name, value, 0, MAX_USERS, &o->key_customers);
    if (!strcmp(name, "--updates")) return gen_parse_int(name, value, 0, 5000000, &o->updates);
    if (!strcmp(name, "--sessions")) return gen_parse_int(name, value, 0, 5000000, &o->sessions);
    if (!strcmp(name, "--start")) return gen_parse_datetime(name, value, &o->start_wall);
    if (!strcmp(name, "--hours")) return gen_parse_int(name, value, 1, MAX_SPAN_HOURS, &o->hours);
    if (!strcmp(name, "--tz")) o->tz_name = value;
    else if (!strcmp(name, "--sqlite")) return gen_parse_path(name, value, "a database path", &o->sqlite_path);
    else if (!strcmp(name, "--seed")) return gen_parse_seed(value, &o->seed);
    else if (!strcmp(name, "--quiet")) o->quiet = 1;
    else if (!strcmp(name, "--help")) o->help = 1;
    return 0;
}

static int check_insurance_options(insurance_opts *o)
{
    if (!o->out_dir) return err_msg("missing --out DIR (the directory to write the files to)"), 2;
    if (o->key_customers < 0) o->key_customers = o->users / 5;
    if (o->key_customers > o->users)
        return err_msg("--key-customers %lld exceeds --users %lld (key customers are some of the users)",
                       o->key_customers, o->users), 2;
    char msg[256];
    o->tz = tz_get(o->tz_name, msg, sizeof msg);
    if (!o->tz) return err_msg("--tz: %s", msg), 2;
    return 0;
}

static int parse_insurance_options(int argc, char **argv, insurance_opts *o)
{
    static const gen_cli cli = {INSURANCE_OPTIONS, INSURANCE_FLAGS, apply_insurance_option};
    *o = (insurance_opts){.orders = 2000, .users = 1000, .key_customers = -1, .updates = 1000, .sessions = 3000,
                          .start_wall = days_from_civil(2024, 3, 1) * 86400, .hours = 24, .tz_name = "Asia/Shanghai",
                          .seed = 1};
    int rc = gen_parse_argv(&cli, argc, argv, o);
    if (rc || o->help) return rc;
    return check_insurance_options(o);
}

/* ---- the simulation's shared state ------------------------------------------------------------ */

typedef struct key_customer {
    int64_t premium_cents;  /* the current premium: raw_info's, then the last saved change */
    uint8_t policies;
    uint8_t main_product;
} key_customer;

typedef struct insurance_sim {
    const insurance_opts *o;
    gen_rng rng;            /* the stream of the file being generated */
    int64_t start_ms;       /* epoch */
    double *minute_cum;     /* cumulative activity weight per minute of the span */
    int minutes;
    key_customer *keys;     /* the first key_customers users */
    uint64_t user_salt;
    /* counts for the summary */
    uint64_t order_rows, paid, modified, drops, save_fails, anonymous_views, page_views;
} insurance_sim;

static double bump(double hour, double mean, double sd)
{
    double z = (hour - mean) / sd;
    return exp(-0.5 * z * z);
}

static double activity(double hour)
{
    return 0.06 + 0.9 * bump(hour, 10.5, 1.5) + 0.7 * bump(hour, 15.0, 1.5) + 1.0 * bump(hour, 21.0, 1.3);
}

static void build_profile(insurance_sim *s)
{
    s->minutes = (int)(s->o->hours * 60);
    s->minute_cum = xcalloc((size_t)s->minutes, sizeof *s->minute_cum);
    double total = 0;
    for (int m = 0; m < s->minutes; m++) {
        int64_t epoch_s = s->start_ms / MS_PER_S + m * 60 + 30;
        int64_t local_s = tz_utc_to_local(s->o->tz, epoch_s * 1000000) / 1000000;
        total += activity((double)floor_mod(local_s, 86400) / 3600.0);
        s->minute_cum[m] = total;
    }
}

/* A position u in [0, 1) of the activity profile -> epoch ms. */
static int64_t time_at(const insurance_sim *s, double u)
{
    double target = u * s->minute_cum[s->minutes - 1];
    int lo = 0, hi = s->minutes - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (s->minute_cum[mid] > target) hi = mid;
        else lo = mid + 1;
    }
    double before = lo ? s->minute_cum[lo - 1] : 0, width = s->minute_cum[lo] - before;
    double frac = width > 0 ? (target - before) / width : 0;
    return s->start_ms + (int64_t)((lo + MIN(frac, 0.999999)) * 60000.0);
}

/* Sorted session start times over the profile. */
typedef struct session_clock {
    double u;
    uint64_t remaining;
} session_clock;

static int64_t next_session(insurance_sim *s, session_clock *c)
{
    c->u = gen_rng_sorted_next(&s->rng, c->u, c->remaining--);
    return time_at(s, c->u);
}

static uint64_t file_seed(const insurance_sim *s, int file)
{
    return gen_hash64(s->o->seed ^ (0x1A5CE000ull + (uint64_t)file * 0x9E3779B97F4A7C15ull));
}

static uint32_t pick_user(insurance_sim *s)
{
    return (uint32_t)((double)s->o->users * pow(gen_rng_unit(&s->rng), USER_SKEW));
}

/* ---- users ---------------------------------------------------------------------------------- */

static uint64_t user_hash(const insurance_sim *s, uint32_t user, uint64_t what)
{
    return gen_hash64(s->o->seed * 0x100000001B3ull ^ (uint64_t)user << 8 ^ what << 40);
}

static int64_t user_id(const insurance_sim *s, uint32_t user)
{
    return USER_ID_BASE + (int64_t)gen_scramble(user ^ s->user_salt, USER_ID_BITS);
}

static char *put_name(char *p, const insurance_sim *s, uint32_t user)
{
    uint64_t h = user_hash(s, user, 1);
    p = gen_put_cstr(p, SURNAMES[h % ARRAY_LEN(SURNAMES)]);
    return gen_put_cstr(p, GIVEN[(h >> 16) % ARRAY_LEN(GIVEN)]);
}

static char *put_mobile(char *p, const insurance_sim *s, uint32_t user)
{
    uint64_t h = user_hash(s, user, 2);
    p = gen_put_cstr(p, MOBILE_PREFIXES[h % ARRAY_LEN(MOBILE_PREFIXES)]);
    return gen_put_padded(p, (int64_t)((h >> 8) % 100000000), 8);
}

/* An 18-character resident ID number: region, birth date, sequence, ISO 7064 MOD 11-2 check. */
static char *put_certificate(char *p, const insurance_sim *s, uint32_t user)
{
    static const int WEIGHTS[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char CHECK[] = "10X98765432";
    uint64_t h = user_hash(s, user, 3);
    int64_t birth_day = days_from_civil(1955, 1, 1) + (int64_t)(h % (uint64_t)(days_from_civil(2002, 12, 31) -
                                                                              days_from_civil(1955, 1, 1)));
    int64_t y;
    int m, d;
    civil_from_days(birth_day, &y, &m, &d);
    char *start = p;
    p = gen_put_cstr(p, ID_REGIONS[(h >> 20) % ARRAY_LEN(ID_REGIONS)]);
    p = gen_put_padded(p, y, 4);
    p = gen_put_padded(p, m, 2);
    p = gen_put_padded(p, d, 2);
    p = gen_put_padded(p, (int64_t)((h >> 32) % 1000), 3);
    int sum = 0;
    for (int i = 0; i < 17; i++) sum += (start[i] - '0') * WEIGHTS[i];
    *p++ = CHECK[sum % 11];
    return p;
}

/* A WeChat-style openid: 'o' and 27 characters of [A-Za-z0-9_-]. */
static char *put_open_id(char *p, const insurance_sim *s, uint32_t user)
{
    static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint64_t h = user_hash(s, user, 4);
    *p++ = 'o';
    for (int i = 0; i < 27; i++) {
        if (i % 10 == 0) h = gen_hash64(h + (uint64_t)i);
        *p++ = ALPHABET[(h >> (6 * (i % 10))) & 63];
    }
    return p;
}

static int device_count(const insurance_sim *s, uint32_t user) { return user_hash(s, user, 5) % 4 == 0 ? 2 : 1; }

static char *put_device(char *p, uint64_t h)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) *p++ = hex[(h >> (60 - 4 * i)) & 15];
    return p;
}

/* ---- raw_info: the key customers --------------------------------------------------------- */

static int product_weights(int *w)
{
    for (size_t i = 0; i < ARRAY_LEN(PRODUCTS); i++) w[i] = PRODUCTS[i].weight;
    return (int)ARRAY_LEN(PRODUCTS);
}

/* The yearly premium of `policies` random products, in cents. */
static int64_t portfolio_cents(insurance_sim *s, int policies)
{
    int w[ARRAY_LEN(PRODUCTS)], n = product_weights(w);
    int64_t yuan = 0;
    for (int i = 0; i < policies; i++) yuan += PRODUCTS[gen_pick_weighted(&s->rng, w, n)].yuan;
    return yuan * 100;
}

/* "重疾险等3份保单": the main product's kind and the number of policies. */
static char *put_info(char *p, int main_product, int policies)
{
    p = gen_put_cstr(p, PRODUCTS[main_product].kind);
    p = gen_put_cstr(p, "等");
    p = gen_put_i64(p, policies);
    return gen_put_cstr(p, "份保单");
}

static void init_key_customers(insurance_sim *s)
{
    int w[ARRAY_LEN(PRODUCTS)], n = product_weights(w);
    s->keys = xcalloc((size_t)MAX(1, s->o->key_customers), sizeof *s->keys);
    gen_rng_seed(&s->rng, file_seed(s, 0));
    for (long long i = 0; i < s->o->key_customers; i++) {
        key_customer *k = &s->keys[i];
        k->policies = (uint8_t)gen_rng_range(&s->rng, 1, 5);
        k->main_product = (uint8_t)gen_pick_weighted(&s->rng, w, n);
        k->premium_cents = PRODUCTS[k->main_product].yuan * 100LL + portfolio_cents(s, k->policies - 1);
    }
}

typedef struct raw_info_db {
    sqlite3 *db;
    sqlite3_stmt *insert;
    const char *path;
} raw_info_db;

static int db_fail(raw_info_db *d, const char *what)
{
    err_msg("--sqlite %s: %s: %s", d->path, what, d->db ? sqlite3_errmsg(d->db) : "out of memory");
    return 1;
}

static int db_open(raw_info_db *d, const char *path)
{
    static const char schema[] =
        "BEGIN;"
        "DROP TABLE IF EXISTS raw_info;"
        "CREATE TABLE raw_info(id INTEGER PRIMARY KEY, raw_premium TEXT, raw_info TEXT);";
    memset(d, 0, sizeof *d);
    d->path = path;
    if (sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        return db_fail(d, "cannot open");
    sqlite3_busy_timeout(d->db, 5000);
    if (sqlite3_exec(d->db, schema, NULL, NULL, NULL) != SQLITE_OK) return db_fail(d, "cannot create the table");
    if (sqlite3_prepare_v2(d->db, "INSERT INTO raw_info VALUES (?, ?, ?)", -1, &d->insert, NULL) != SQLITE_OK)
        return db_fail(d, "cannot prepare the insert");
    return 0;
}

static int db_close(raw_info_db *d, int commit)
{
    int rc = 0;
    sqlite3_finalize(d->insert);
    if (d->db && sqlite3_exec(d->db, commit ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK && commit)
        rc = db_fail(d, "cannot commit");
    sqlite3_close(d->db);
    d->db = NULL;
    return rc;
}

/* Inserts one raw_info row from its CSV line "id,premium,info\n". */
static int db_insert(raw_info_db *d, int64_t id, const char *line, size_t len)
{
    const char *premium = memchr(line, ',', len) + 1;
    const char *info = memchr(premium, ',', len - (size_t)(premium - line)) + 1;
    sqlite3_bind_int64(d->insert, 1, id);
    sqlite3_bind_text(d->insert, 2, premium, (int)(info - 1 - premium), SQLITE_STATIC);
    sqlite3_bind_text(d->insert, 3, info, (int)(line + len - 1 - info), SQLITE_STATIC);
    int rc = sqlite3_step(d->insert);
    sqlite3_reset(d->insert);
    return rc == SQLITE_DONE ? 0 : db_fail(d, "insert failed");
}

static int write_raw_info(insurance_sim *s)
{
    raw_info_db db = {0};
    gen_out out;
    int rc = s->o->sqlite_path ? db_open(&db, s->o->sqlite_path) : 0;
    int open_rc = gen_out_open(&out, s->o->out_dir, "raw_info.csv");
    if (!rc) rc = open_rc;
    for (long long i = 0; !rc && i < s->o->key_customers; i++) {
        const key_customer *k = &s->keys[i];
        char *p = gen_out_row(&out), *line = p;
        int64_t id = user_id(s, (uint32_t)i);
        p = gen_put_i64(p, id); *p++ = ',';
        p = gen_put_cents(p, k->premium_cents); *p++ = ',';
        p = put_info(p, k->main_product, k->policies); *p++ = '\n';
        if (db.db) rc = db_insert(&db, id, line, (size_t)(p - line));
        gen_out_end(&out, p);
    }
    int close_rc = gen_out_close(&out);
    if (db.db) {
        int db_rc = db_close(&db, rc == 0);
        if (!rc) rc = db_rc;
    }
    return rc ? rc : close_rc;
}

/* ---- user_order --------------------------------------------------------------------------- */

typedef struct order_row {
    gen_key key;            /* gmt_modified, epoch ms */
    int64_t created_ms;
    int64_t paid_ms;        /* 0 = NULL */
    int64_t price_cents;
    int64_t payable_cents;
    uint32_t user;
    uint32_t serial;        /* order number within the run, 1.. */
    int32_t created_date;   /* local days since 1970 of the creation, for order_no */
    uint8_t order_type;
} order_row;

static void write_order_row(insurance_sim *s, gen_out *out, const order_row *r)
{
    int64_t y;
    int m, d;
    civil_from_days(r->created_date, &y, &m, &d);
    char *p = gen_out_row(out);
    p = gen_put_i64(p, user_id(s, r->user)); *p++ = ',';
    *p++ = 'P'; *p++ = 'L';
    p = gen_put_padded(p, y, 4); p = gen_put_padded(p, m, 2); p = gen_put_padded(p, d, 2);
    p = gen_put_padded(p, r->serial, ORDER_SERIAL_DIGITS); *p++ = ',';
    p = gen_put_i64(p, r->order_type); *p++ = ',';
    if (r->paid_ms) p = gen_put_i64(p, r->paid_ms);
    *p++ = ',';
    p = gen_put_cents(p, r->price_cents); *p++ = ',';
    p = put_name(p, s, r->user); *p++ = ',';
    p = put_mobile(p, s, r->user); *p++ = ',';
    p = put_certificate(p, s, r->user); *p++ = ',';
    p = gen_put_i64(p, r->created_ms); *p++ = ',';
    p = gen_put_i64(p, r->key.time); *p++ = ',';
    p = gen_put_cents(p, r->payable_cents); *p++ = '\n';
    gen_out_end(out, p);
    s->order_rows++;
}

static void release_orders(insurance_sim *s, gen_heap *pending, gen_out *out, int64_t limit)
{
    order_row r;
    for (const order_row *top; (top = gen_heap_top(pending)) && top->key.time < limit;) {
        gen_heap_pop(pending, &r);
        write_order_row(s, out, &r);
    }
}

/* Queues an order's versions: created, then paid, then perhaps modified. */
static void queue_order(insurance_sim *s, gen_heap *pending, int64_t t, uint32_t serial)
{
    int w[ARRAY_LEN(PRODUCTS)], n = product_weights(w);
    order_row r = {.created_ms = t, .serial = serial, .user = pick_user(s)};
    r.key.time = t;
    r.created_date = (int32_t)floor_div(tz_utc_to_local(s->o->tz, t * 1000), 86400000000LL);
    r.order_type = (uint8_t)(1 + gen_pick_weighted(&s->rng, ORDER_TYPE_WEIGHTS, (int)ARRAY_LEN(ORDER_TYPE_WEIGHTS)));
    r.price_cents = PRODUCTS[gen_pick_weighted(&s->rng, w, n)].yuan * 100LL;
    int pct = DISCOUNT_PERCENT[gen_pick_weighted(&s->rng, DISCOUNT_WEIGHTS, (int)ARRAY_LEN(DISCOUNT_WEIGHTS))];
    r.payable_cents = (r.price_cents * pct + 50) / 100;
    gen_heap_push(pending, &r);
    if (!gen_rng_chance(&s->rng, PAID_SHARE)) return;
    r.paid_ms = r.key.time = t + gen_rng_range(&s->rng, 30 * MS_PER_S, 20 * 60 * MS_PER_S);
    gen_heap_push(pending, &r);
    s->paid++;
    if (!gen_rng_chance(&s->rng, MODIFIED_SHARE)) return;
    r.key.time = r.paid_ms + gen_rng_range(&s->rng, 5 * 60 * MS_PER_S, 3 * 3600 * MS_PER_S);
    if (gen_rng_chance(&s->rng, 0.6)) r.payable_cents -= r.payable_cents * gen_rng_range(&s->rng, 3, 8) / 100;
    gen_heap_push(pending, &r);
    s->modified++;
}

static int write_user_orders(insurance_sim *s)
{
    gen_out out;
    gen_heap pending;
    int rc = gen_out_open(&out, s->o->out_dir, "user_order.csv");
    gen_heap_init(&pending, sizeof(order_row));
    gen_rng_seed(&s->rng, file_seed(s, 1));
    session_clock clock = {0, (uint64_t)s->o->orders};
    for (long long i = 0; !rc && i < s->o->orders; i++) {
        int64_t t = next_session(s, &clock);
        release_orders(s, &pending, &out, t);
        queue_order(s, &pending, t, (uint32_t)(i + 1));
    }
    if (!rc) release_orders(s, &pending, &out, INT64_MAX);
    gen_heap_free(&pending);
    int close_rc = gen_out_close(&out);
    return rc ? rc : close_rc;
}

/* ---- account_wechat_trace ------------------------------------------------------------------ */

/* A key customer's next premium: a drop of 17-60 %, a change within -13..+10 %, or a rise. */
static int64_t changed_premium(insurance_sim *s, key_customer *k, int *policies, int *drop)
{
    double u = gen_rng_unit(&s->rng), ratio;
    *policies = k->policies;
    *drop = u < 0.20;
    if (*drop) {
        ratio = 0.40 + 0.43 * gen_rng_unit(&s->rng);
        *policies = MAX(1, k->policies - 1);
    } else if (u < 0.65) {
        ratio = 0.87 + 0.23 * gen_rng_unit(&s->rng);
    } else {
        ratio = 1.10 + 0.70 * gen_rng_unit(&s->rng);
        *policies = MIN(MAX_POLICIES, k->policies + 1);
    }
    return MAX(100, (int64_t)llround((double)k->premium_cents * ratio));
}

static void write_trace_row(insurance_sim *s, gen_out *out, int64_t t, uint32_t user, int saved, int64_t premium,
                            int main_product, int policies)
{
    char *p = gen_out_row(out);
    p = gen_put_i64(p, user_id(s, user)); *p++ = ',';
    p = gen_put_cstr(p, TRACE_CHANNELS[gen_pick_weighted(&s->rng, TRACE_CHANNEL_WEIGHTS, (int)ARRAY_LEN(TRACE_CHANNEL_WEIGHTS))]);
    *p++ = ',';
    p = put_open_id(p, s, user); *p++ = ',';
    p = gen_put_cstr(p, saved ? "save_success" : "save_fail"); *p++ = ',';
    p = gen_put_cents(p, premium); *p++ = ',';
    int64_t creator = gen_rng_chance(&s->rng, 0.7) ? 0 : gen_rng_range(&s->rng, 1, 60);
    int64_t modifier = gen_rng_chance(&s->rng, 0.6) ? creator : gen_rng_range(&s->rng, 1, 60);
    if (creator) { p = gen_put_cstr(p, "agent"); p = gen_put_padded(p, creator, 3); }
    else p = gen_put_cstr(p, "system");
    *p++ = ',';
    if (modifier) { p = gen_put_cstr(p, "agent"); p = gen_put_padded(p, modifier, 3); }
    else p = gen_put_cstr(p, "system");
    *p++ = ',';
    p = gen_put_i64(p, t); *p++ = ',';
    p = put_info(p, main_product, policies); *p++ = '\n';
    gen_out_end(out, p);
}

static void trace_update(insurance_sim *s, gen_out *out, int64_t t)
{
    long long keys = s->o->key_customers, users = s->o->users;
    int saved = !gen_rng_chance(&s->rng, SAVE_FAIL_SHARE);
    s->save_fails += !saved;
    if (keys > 0 && (keys == users || gen_rng_chance(&s->rng, KEY_UPDATE_SHARE))) {
        uint32_t user = (uint32_t)gen_rng_range(&s->rng, 0, keys - 1);
        key_customer *k = &s->keys[user];
        int policies, drop;
        int64_t premium = changed_premium(s, k, &policies, &drop);
        write_trace_row(s, out, t, user, saved, premium, k->main_product, policies);
        if (!saved) return;
        s->drops += (uint64_t)drop;
        k->premium_cents = premium;
        k->policies = (uint8_t)policies;
        return;
    }
    int w[ARRAY_LEN(PRODUCTS)], n = product_weights(w);
    uint32_t user = (uint32_t)gen_rng_range(&s->rng, keys, users - 1);
    int policies = (int)gen_rng_range(&s->rng, 1, 4), main_product = gen_pick_weighted(&s->rng, w, n);
    int64_t premium = PRODUCTS[main_product].yuan * 100LL + portfolio_cents(s, policies - 1);
    write_trace_row(s, out, t, user, saved, premium, main_product, policies);
}

static int write_trace(insurance_sim *s)
{
    gen_out out;
    int rc = gen_out_open(&out, s->o->out_dir, "account_wechat_trace.csv");
    gen_rng_seed(&s->rng, file_seed(s, 2));
    session_clock clock = {0, (uint64_t)s->o->updates};
    for (long long i = 0; !rc && i < s->o->updates; i++) trace_update(s, &out, next_session(s, &clock));
    int close_rc = gen_out_close(&out);
    return rc ? rc : close_rc;
}

/* ---- page_log ---------------------------------------------------------------------------------- */

typedef struct view_row {
    gen_key key;            /* log_time, epoch ms */
    uint64_t device;        /* hash: the device id's 16 hex digits */
    int32_t user;           /* -1 = not logged in */
    uint8_t page;
} view_row;

static void write_view(insurance_sim *s, gen_out *out, const view_row *r)
{
    char *p = gen_out_row(out);
    p = gen_put_i64(p, r->key.time); *p++ = ',';
    p = put_device(p, r->device); *p++ = ',';
    if (r->user >= 0) p = gen_put_i64(p, user_id(s, (uint32_t)r->user));
    *p++ = ',';
    p = gen_put_cstr(p, PAGE_TYPE_NAMES[PAGES[r->page].type]); *p++ = ',';
    p = gen_put_cstr(p, PAGES[r->page].name); *p++ = '\n';
    gen_out_end(out, p);
    s->page_views++;
    s->anonymous_views += r->user < 0;
}

static int random_page_of(insurance_sim *s, enum page_type type)
{
    int first = -1, count = 0;
    for (int i = 0; i < (int)ARRAY_LEN(PAGES); i++) {
        if (PAGES[i].type != type) continue;
        if (first < 0) first = i;
        count++;
    }
    return first + (int)gen_rng_range(&s->rng, 0, count - 1);
}

/* The page after `page`, or -1 when the visit ends; the order pages form a funnel. */
static int next_page(insurance_sim *s, int page)
{
    if (page == PAGE_SPLASH) return PAGE_HOME;
    if (page == PAGE_ORDER_FORM) return gen_rng_chance(&s->rng, 0.55) ? PAGE_PAYMENT : -1;
    if (page == PAGE_PAYMENT) return gen_rng_chance(&s->rng, 0.8) ? PAGE_POLICY : -1;
    int type = gen_pick_weighted(&s->rng, NEXT_TYPE_WEIGHTS[PAGES[page].type], PAGE_TYPES + 1);
    if (type == END) return -1;
    if (type == ORDER) return PAGE_ORDER_FORM;
    if (type == HOME) return PAGE_HOME;
    if (type == AD) return PAGE_SPLASH + (int)gen_rng_range(&s->rng, 1, 2);   /* the splash ad only opens the app */
    return random_page_of(s, (enum page_type)type);
}

static void queue_visit(insurance_sim *s, gen_heap *pending, int64_t t, uint64_t visit)
{
    view_row r = {.user = -1};
    if (!gen_rng_chance(&s->rng, ANONYMOUS_SHARE)) {
        r.user = (int32_t)pick_user(s);
        int device = (int)gen_rng_range(&s->rng, 0, device_count(s, (uint32_t)r.user) - 1);
        r.device = user_hash(s, (uint32_t)r.user, 16 + (uint64_t)device);
    } else {
        r.device = gen_hash64(s->o->seed ^ 0xA11045ull ^ visit << 20);
    }
    int page = gen_rng_chance(&s->rng, SPLASH_SHARE) ? PAGE_SPLASH : PAGE_HOME;
    r.key.time = t;
    for (int views = 0; page >= 0 && views < MAX_PAGES; views++) {
        r.page = (uint8_t)page;
        gen_heap_push(pending, &r);
        r.key.time += page == PAGE_SPLASH ? gen_rng_range(&s->rng, 3, 5) * MS_PER_S
                                          : 2 * MS_PER_S + MIN((int64_t)gen_rng_exp(&s->rng, 18000.0), 88 * MS_PER_S);
        page = next_page(s, page);
    }
}

static int write_page_log(insurance_sim *s)
{
    gen_out out;
    gen_heap pending;
    int rc = gen_out_open(&out, s->o->out_dir, "page_log.csv");
    gen_heap_init(&pending, sizeof(view_row));
    gen_rng_seed(&s->rng, file_seed(s, 3));
    session_clock clock = {0, (uint64_t)s->o->sessions};
    view_row r;
    for (long long i = 0; !rc && i <= s->o->sessions; i++) {
        int64_t t = i < s->o->sessions ? next_session(s, &clock) : INT64_MAX;
        for (const view_row *top; (top = gen_heap_top(&pending)) && top->key.time < t;) {
            gen_heap_pop(&pending, &r);
            write_view(s, &out, &r);
        }
        if (i < s->o->sessions) queue_visit(s, &pending, t, (uint64_t)i);
    }
    gen_heap_free(&pending);
    int close_rc = gen_out_close(&out);
    return rc ? rc : close_rc;
}

/* ---- the command ---------------------------------------------------------------------------- */

static void print_summary(const insurance_sim *s)
{
    const insurance_opts *o = s->o;
    char start[20];
    *gen_put_datetime(start, o->start_wall) = '\0';
    fprintf(stderr,
            "eddy gen insurance: %lld orders in %llu rows (%llu paid, %llu modified) by %lld users; %lld premium "
            "changes (%llu saved drops over 15 %%, %llu not saved) for %lld key customers; %lld visits with %llu page "
            "views (%llu anonymous); %lld h from %s %s\n"
            "  wrote %s/user_order.csv, account_wechat_trace.csv, page_log.csv, raw_info.csv%s%s\n",
            o->orders, (unsigned long long)s->order_rows, (unsigned long long)s->paid,
            (unsigned long long)s->modified, o->users, o->updates, (unsigned long long)s->drops,
            (unsigned long long)s->save_fails, o->key_customers, o->sessions, (unsigned long long)s->page_views,
            (unsigned long long)s->anonymous_views, o->hours, start, tz_name(o->tz), o->out_dir,
            o->sqlite_path ? ", table raw_info in " : "", o->sqlite_path ? o->sqlite_path : "");
}

static void sim_init(insurance_sim *s, const insurance_opts *o)
{
    memset(s, 0, sizeof *s);
    s->o = o;
    s->start_ms = tz_local_to_utc(o->tz, o->start_wall * 1000000) / 1000;
    s->user_salt = gen_hash64(o->seed ^ 0x05E1ull) & (MAX_USERS - 1);
    build_profile(s);
    init_key_customers(s);
}

int gen_insurance(int argc, char **argv)
{
    insurance_opts o;
    err_clear();
    int rc = parse_insurance_options(argc, argv, &o);
    if (rc) return rc;
    if (o.help) { fputs(INSURANCE_USAGE, stdout); return 0; }
    if ((rc = gen_make_dirs(o.out_dir))) return rc;
    insurance_sim s;
    sim_init(&s, &o);
    rc = write_raw_info(&s);
    if (!rc) rc = write_user_orders(&s);
    if (!rc) rc = write_trace(&s);
    if (!rc) rc = write_page_log(&s);
    if (!rc && !o.quiet) print_summary(&s);
    free(s.minute_cum);
    free(s.keys);
    return rc;
}
