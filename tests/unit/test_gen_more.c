/* test_gen_more.c - `eddy gen channel`, `eddy gen marketing` and `eddy gen insurance`: output
 * that is a pure function of the seed, the exact layout of every file, the promised order and
 * bounded disorder, each special case the scenario jobs look for (re-sent and unpaid orders,
 * click fraud, rapid login failures, payment timeouts and unmatched payments, order updates,
 * premium drops, anonymous page views), the SQLite dimension, and precise argument errors. */
#include "check.h"
#include "gen_testkit.h"
#include "gen/gen.h"
#include "base/civil.h"
#include "base/err.h"
#include <dirent.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_ARGS 40
#define MAX_FIELDS 12

/* ---- running a generator ----------------------------------------------------------------- */

static char *make_temp_dir(void) { return make_temp_dir_for("gen_more"); }

static void drop_dir(char *dir)
{
    remove_dir(dir);
    free(dir);
}

/* run(gen_x, "x", args..., NULL) = gen_x("x", args..., "--quiet"). */
static int run(int (*gen)(int, char **), const char *scenario, ...)
{
    char *argv[MAX_ARGS];
    int argc = 0;
    argv[argc++] = (char *)scenario;
    va_list ap;
    va_start(ap, scenario);
    for (const char *a = va_arg(ap, const char *); a && argc < MAX_ARGS - 2; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc++] = (char *)"--quiet";
    argv[argc] = NULL;
    return gen(argc, argv);
}

static int same_file(const char *dir_a, const char *dir_b, const char *name)
{
    size_t la = 0, lb = 0;
    char *a = slurp(dir_a, name, &la), *b = slurp(dir_b, name, &lb);
    int same = a && b && la == lb && memcmp(a, b, la) == 0;
    free(a);
    free(b);
    return same;
}

/* ---- CSV files (no quoting in these files: split at every comma) --------------------------- */

typedef struct row {
    char *f[MAX_FIELDS];
    int n;                  /* fields; MAX_FIELDS + 1 when there were more */
    char *line;             /* an unsplit copy */
} row_t;

typedef struct table {
    char *text;
    char *copy;
    row_t *rows;
    int n;
    int unterminated;       /* the file does not end with a newline */
} table_t;

static table_t load_csv(const char *dir, const char *name)
{
    table_t t = {0};
    size_t len;
    t.text = slurp(dir, name, &len);
    if (!t.text) return t;
    t.copy = malloc(len + 1);
    memcpy(t.copy, t.text, len + 1);
    int lines = 0;
    for (size_t i = 0; i < len; i++) lines += t.text[i] == '\n';
    t.unterminated = len > 0 && t.text[len - 1] != '\n';
    t.rows = calloc((size_t)lines + 2, sizeof *t.rows);
    char *p = t.text, *c = t.copy;
    while (*p) {
        char *nl = strchr(p, '\n');
        if (!nl) break;
        *nl = '\0';
        c[nl - p] = '\0';
        row_t *r = &t.rows[t.n++];
        r->line = c;
        r->f[r->n++] = p;
        for (char *q = p; *q; q++) {
            if (*q != ',') continue;
            *q = '\0';
            if (r->n == MAX_FIELDS) { r->n++; break; }
            r->f[r->n++] = q + 1;
        }
        c += nl - p + 1;
        p = nl + 1;
    }
    return t;
}

static void free_table(table_t *t)
{
    free(t->text);
    free(t->copy);
    free(t->rows);
    memset(t, 0, sizeof *t);
}

static int all_of(const char *s, const char *set) { return *s && strspn(s, set) == strlen(s); }

static int is_digits(const char *s, size_t n) { return strlen(s) == n && all_of(s, "0123456789"); }

static int is_number(const char *s) { return all_of(s, "0123456789") && strlen(s) < 19; }

/* "123.45": digits, a point, two digits. */
static int is_cents(const char *s)
{
    const char *dot = strchr(s, '.');
    return dot && dot > s && strspn(s, "0123456789") == (size_t)(dot - s) && is_digits(dot + 1, 2);
}

static long long cents_of(const char *s) { return atoll(s) * 100 + atoi(strchr(s, '.') + 1); }

static int in_set(const char *s, const char *const *set)
{
    for (int i = 0; set[i]; i++)
        if (!strcmp(s, set[i])) return 1;
    return 0;
}

/* The largest (newest time so far - a row's time) over the rows, in the file's units. */
static long long max_lateness(const table_t *t, int col)
{
    long long newest = LLONG_MIN, worst = 0;
    for (int i = 0; i < t->n; i++) {
        long long v = atoll(t->rows[i].f[col]);
        if (newest != LLONG_MIN && newest - v > worst) worst = newest - v;
        if (v > newest) newest = v;
    }
    return worst;
}

/* "YYYY-MM-DD HH:MM:SS" -> wall-clock seconds, -1 when malformed. */
static long long parse_datetime(const char *s)
{
    if (strlen(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':') return -1;
    for (int i = 0; i < 19; i++)
        if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 && (s[i] < '0' || s[i] > '9')) return -1;
    int y = atoi(s), mo = atoi(s + 5), d = atoi(s + 8), h = atoi(s + 11), mi = atoi(s + 14), sec = atoi(s + 17);
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59) return -1;
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
}

/* ---- channel: trade_order_detail.json ------------------------------------------------------- */

static const char *const ORDER_KEYS[] = {"order_id", "order_channel", "order_time", "pay_amount", "real_pay",
                                         "pay_time", "user_id", "user_name", "area_id"};
enum { K_ID, K_CHANNEL, K_TIME, K_AMOUNT, K_REAL, K_PAY_TIME, K_USER, K_NAME, K_AREA, K_COUNT };

typedef struct order_json {
    char val[K_COUNT][40];
    int present[K_COUNT];
    int null[K_COUNT];
    int ok;                 /* the line has exactly the documented shape */
} order_json;

/* Parses {"k":"v", "k":null, ...} with the keys in the documented order (pay_time optional). */
static order_json parse_order(const char *line)
{
    order_json o = {0};
    const char *p = line;
    if (*p++ != '{') return o;
    int k = 0;
    for (;;) {
        if (*p++ != '"') return o;
        const char *key_end = strchr(p, '"');
        if (!key_end) return o;
        size_t key_len = (size_t)(key_end - p);
        if (k == K_PAY_TIME && (key_len != 8 || strncmp(p, "pay_time", 8))) k++;
        if (k >= K_COUNT || strlen(ORDER_KEYS[k]) != key_len || strncmp(p, ORDER_KEYS[k], key_len)) return o;
        p = key_end + 1;
        if (*p++ != ':') return o;
        o.present[k] = 1;
        if (!strncmp(p, "null", 4)) {
            o.null[k] = 1;
            p += 4;
        } else {
            if (*p++ != '"') return o;
            const char *end = strchr(p, '"');
            if (!end || (size_t)(end - p) >= sizeof o.val[k]) return o;
            memcpy(o.val[k], p, (size_t)(end - p));
            p = end + 1;
        }
        k++;
        if (!strcmp(p, "}")) break;
        if (strncmp(p, ", ", 2)) return o;
        p += 2;
    }
    o.ok = k == K_COUNT;
    return o;
}

static const char *const SHOP_CHANNELS[] = {"webShop", "appShop", "miniAppShop", "offlineShop", "qqShop", "groupShop", NULL};

typedef struct channel_data {
    table_t lines;          /* one "field" per line: the whole JSON object */
    order_json *orders;
    int *copy_of;           /* index of the original line, or -1 */
    int malformed;
} channel_data;

static channel_data load_channel(const char *dir)
{
    channel_data c = {0};
    c.lines = load_csv(dir, "trade_order_detail.json");
    c.orders = calloc((size_t)c.lines.n + 1, sizeof *c.orders);
    c.copy_of = calloc((size_t)c.lines.n + 1, sizeof *c.copy_of);
    for (int i = 0; i < c.lines.n; i++) {
        c.orders[i] = parse_order(c.lines.rows[i].line);
        c.malformed += !c.orders[i].ok;
        c.copy_of[i] = -1;
        for (int j = i - 1; j >= 0 && j >= i - 20000; j--)
            if (c.copy_of[j] < 0 && !strcmp(c.orders[j].val[K_ID], c.orders[i].val[K_ID])) { c.copy_of[i] = j; break; }
    }
    return c;
}

static void free_channel(channel_data *c)
{
    free_table(&c->lines);
    free(c->orders);
    free(c->copy_of);
}

static channel_data channel_base;
static char *channel_dir;

TEST(channel_deterministic_for_a_seed)
{
    char *again = make_temp_dir(), *other = make_temp_dir();
    CHECK_EQ_INT(run(gen_channel, "channel", "--out", again, "--orders", "3000", "--seed", "7", NULL), 0);
    CHECK(same_file(channel_dir, again, "trade_order_detail.json"));
    CHECK_EQ_INT(run(gen_channel, "channel", "--out", other, "--orders", "3000", "--seed", "8", NULL), 0);
    CHECK(!same_file(channel_dir, other, "trade_order_detail.json"));
    drop_dir(again);
    drop_dir(other);
}

TEST(channel_first_rows_pinned)
{
    CHECK_EQ_STR(channel_base.lines.rows[0].line,
                 "{\"order_id\":\"202103250000000001\", \"order_channel\":\"appShop\", \"order_time\":\"2021-03-25 00:00:00\", "
                 "\"pay_amount\":\"259.00\", \"real_pay\":\"259.00\", \"pay_time\":\"2021-03-25 00:00:34\", \"user_id\":\"0454\", "
                 "\"user_name\":\"Nancy\", \"area_id\":\"330106\"}");
}

TEST(channel_layout)
{
    const channel_data *c = &channel_base;
    CHECK_EQ_INT(c->malformed, 0);
    CHECK_EQ_INT(c->lines.unterminated, 0);
    int bad = 0, unpaid_null = 0, unpaid_absent = 0, discounted = 0, quick = 0, slow = 0;
    for (int i = 0; i < c->lines.n; i++) {
        const order_json *o = &c->orders[i];
        for (int k = 0; k < K_COUNT; k++)
            bad += !o->present[k] && k != K_PAY_TIME;
        long long t = parse_datetime(o->val[K_TIME]);
        char digits[15];
        snprintf(digits, sizeof digits, "%.4s%.2s%.2s%.2s%.2s%.2s", o->val[K_TIME], o->val[K_TIME] + 5,
                 o->val[K_TIME] + 8, o->val[K_TIME] + 11, o->val[K_TIME] + 14, o->val[K_TIME] + 17);
        bad += t < 0 || !is_digits(o->val[K_ID], 18) || strncmp(o->val[K_ID], digits, 14) != 0 ||
               !strcmp(o->val[K_ID] + 14, "0000");
        bad += !in_set(o->val[K_CHANNEL], SHOP_CHANNELS);
        bad += !is_cents(o->val[K_AMOUNT]) || cents_of(o->val[K_AMOUNT]) < 300;
        bad += !is_digits(o->val[K_USER], 4) || !strcmp(o->val[K_USER], "0000");
        bad += !all_of(o->val[K_NAME], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
        bad += !is_digits(o->val[K_AREA], 6);
        if (o->null[K_REAL]) {                          /* unpaid: no pay_time value */
            bad += o->present[K_PAY_TIME] && !o->null[K_PAY_TIME];
            unpaid_null += o->present[K_PAY_TIME];
            unpaid_absent += !o->present[K_PAY_TIME];
            continue;
        }
        bad += !o->present[K_PAY_TIME] || o->null[K_PAY_TIME] || !is_cents(o->val[K_REAL]);
        long long paid = parse_datetime(o->val[K_PAY_TIME]);
        bad += paid < t + 3 || paid > t + 1800;
        quick += paid <= t + 60;
        slow += paid > t + 300;
        long long amount = cents_of(o->val[K_AMOUNT]), real = cents_of(o->val[K_REAL]);
        bad += real < 1 || real > amount;
        discounted += real < amount;
    }
    CHECK_EQ_INT(bad, 0);
    int n = c->lines.n;
    CHECK(unpaid_null > n / 50 && unpaid_null < n / 20);           /* 3 % each */
    CHECK(unpaid_absent > n / 50 && unpaid_absent < n / 20);
    CHECK(discounted > n * 35 / 100 && discounted < n * 50 / 100);
    CHECK(quick > n / 2);
    CHECK(slow > 0);
    /* users 0001-0004 carry the sample's names; the first user ids are the most active */
    int alice = 0, user1 = 0;
    for (int i = 0; i < n; i++) {
        if (!strcmp(c->orders[i].val[K_USER], "0001")) { user1++; alice += !strcmp(c->orders[i].val[K_NAME], "Alice"); }
    }
    CHECK(user1 > 3);
    CHECK_EQ_INT(alice, user1);
}

TEST(channel_channels_include_other)
{
    int counts[6] = {0};
    for (int i = 0; i < channel_base.lines.n; i++)
        for (int k = 0; k < 6; k++) counts[k] += !strcmp(channel_base.orders[i].val[K_CHANNEL], SHOP_CHANNELS[k]);
    int n = channel_base.lines.n;
    CHECK(counts[1] > counts[0] && counts[0] > counts[2]);         /* appShop > webShop > miniAppShop */
    for (int k = 3; k < 6; k++) CHECK(counts[k] > 0 && counts[k] < n / 15);
}

/* The first copies are in order_time order; a re-sent copy is identical to its original, follows
 * it, and comes after the orders created up to 1-300 s after the original. */
TEST(channel_order_and_duplicates)
{
    const channel_data *c = &channel_base;
    int originals = 0, copies = 0, bad_order = 0, bad_copy = 0, far = 0;
    long long newest = -1;
    for (int i = 0; i < c->lines.n; i++) {
        long long t = parse_datetime(c->orders[i].val[K_TIME]);
        if (c->copy_of[i] < 0) {
            originals++;
            bad_order += t < newest;
            newest = t;
            continue;
        }
        copies++;
        bad_copy += strcmp(c->lines.rows[i].line, c->lines.rows[c->copy_of[i]].line) != 0;
        bad_copy += newest < t || newest > t + 300;
        far += newest > t + 30;
        for (int j = i + 1; j < c->lines.n; j++) {
            if (c->copy_of[j] >= 0) continue;
            bad_copy += parse_datetime(c->orders[j].val[K_TIME]) < t + 1;
            break;
        }
    }
    CHECK_EQ_INT(originals, 3000);
    CHECK_EQ_INT(bad_order, 0);
    CHECK_EQ_INT(bad_copy, 0);
    CHECK(copies > 240 && copies < 360);                          /* --duplicates 0.1 */
    CHECK(far > 0 && far < copies / 2);
    /* no order is sent more than twice */
    int thrice = 0;
    for (int i = 0; i < c->lines.n; i++) thrice += c->copy_of[i] >= 0 && c->copy_of[c->copy_of[i]] >= 0;
    CHECK_EQ_INT(thrice, 0);
}

TEST(channel_rate_start_and_duplicate_share)
{
    /* 3000 orders at 2 a second from the default start: about 1500 s */
    long long first = parse_datetime(channel_base.orders[0].val[K_TIME]), last = 0;
    for (int i = 0; i < channel_base.lines.n; i++) {
        long long t = parse_datetime(channel_base.orders[i].val[K_TIME]);
        if (t > last) last = t;
    }
    CHECK(first >= parse_datetime("2021-03-25 00:00:00") && first < parse_datetime("2021-03-25 00:00:05"));
    CHECK(last - first > 1400 && last - first < 1600);

    char *dir = make_temp_dir();
    CHECK_EQ_INT(run(gen_channel, "channel", "--out", dir, "--orders", "4000", "--rate", "1000", "--duplicates", "0",
                     "--start", "2022-12-31 23:59:59", NULL), 0);
    channel_data c = load_channel(dir);
    CHECK_EQ_INT(c.lines.n, 4000);
    CHECK_EQ_INT(c.malformed, 0);
    int copies = 0, late_serial = 0;
    for (int i = 0; i < c.lines.n; i++) {
        copies += c.copy_of[i] >= 0;
        late_serial += atoi(c.orders[i].val[K_ID] + 14) > 500;
    }
    CHECK_EQ_INT(copies, 0);                                       /* ids are unique */
    CHECK(late_serial > 0);                                        /* ~1000 orders a second */
    CHECK_EQ_STR(c.orders[0].val[K_TIME], "2022-12-31 23:59:59");
    CHECK(!strncmp(c.orders[c.lines.n - 1].val[K_TIME], "2023-01-01 00:00:0", 18));
    free_channel(&c);

    CHECK_EQ_INT(run(gen_channel, "channel", "--out", dir, "--orders", "500", "--duplicates", "1", NULL), 0);
    c = load_channel(dir);
    copies = 0;
    for (int i = 0; i < c.lines.n; i++) copies += c.copy_of[i] >= 0;
    CHECK_EQ_INT(c.lines.n, 1000);
    CHECK_EQ_INT(copies, 500);
    free_channel(&c);
    drop_dir(dir);
}

/* ---- marketing --------------------------------------------------------------------------------- */

#define MK_START 1511658000LL
#define MK_END   (MK_START + 2 * 3600)

static char *marketing_dir;
static table_t app, clicks, logins, orders, receipts;

static const char *const MARKETING_FILES[] = {"app_marketing.csv", "ad_clicks.csv", "logins.csv", "orders.csv", "receipts.csv"};

TEST(marketing_deterministic_and_files_independent)
{
    char *again = make_temp_dir(), *other = make_temp_dir();
    CHECK_EQ_INT(run(gen_marketing, "marketing", "--out", again, NULL), 0);
    for (int i = 0; i < 5; i++) CHECK(same_file(marketing_dir, again, MARKETING_FILES[i]));
    /* other counts for logins and orders leave the other files alone */
    CHECK_EQ_INT(run(gen_marketing, "marketing", "--out", other, "--logins", "50", "--orders", "70", NULL), 0);
    CHECK(same_file(marketing_dir, other, "app_marketing.csv"));
    CHECK(same_file(marketing_dir, other, "ad_clicks.csv"));
    CHECK(!same_file(marketing_dir, other, "logins.csv"));
    CHECK(!same_file(marketing_dir, other, "orders.csv"));
    CHECK_EQ_INT(run(gen_marketing, "marketing", "--out", other, "--seed", "2", NULL), 0);
    for (int i = 0; i < 5; i++) CHECK(!same_file(marketing_dir, other, MARKETING_FILES[i]));
    drop_dir(again);
    drop_dir(other);
}

TEST(marketing_first_rows_pinned)
{
    CHECK_EQ_STR(app.rows[0].line, "86566aef-9ba8-471d-9445-90ed086c3668,CLICK,appstore,1511658000327");
    CHECK_EQ_STR(clicks.rows[0].line, "176905,271648,shandong,jinan,1511658000");
    CHECK_EQ_STR(logins.rows[0].line, "51287,112.52.2.5,success,1511658005");
    CHECK_EQ_STR(orders.rows[0].line, "34729,create,,1511658000");
    CHECK_EQ_STR(receipts.rows[0].line, "dw4tggzms,wechat,1511658053");
}

static int is_uuid4(const char *s)
{
    if (strlen(s) != 36 || s[14] != '4' || !strchr("89ab", s[19])) return 0;
    for (int i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i]) || !s[i]) return 0;
    }
    return 1;
}

static int is_ipv4(const char *s)
{
    int a, b, c, d, n = 0;
    return sscanf(s, "%d.%d.%d.%d%n", &a, &b, &c, &d, &n) == 4 && n == (int)strlen(s) && a > 0 && a < 256 &&
           b >= 0 && b < 256 && c >= 0 && c < 256 && d > 0 && d < 256 && all_of(s, "0123456789.");
}

static int is_tx(const char *s) { return strlen(s) == 9 && all_of(s, "0123456789abcdefghijklmnopqrstuvwxyz"); }

static int in_span_s(const char *s, long long extra) { return is_number(s) && atoll(s) >= MK_START && atoll(s) < MK_END + extra; }

TEST(marketing_layouts)
{
    static const char *const behaviors[] = {"CLICK", "DOWNLOAD", "INSTALL", "UNINSTALL", NULL};
    static const char *const channels[] = {"appstore", "huaweiStore", "wechat", "xiaomiStore", "weibo", "oppoStore",
                                           "vivoStore", "tieba", NULL};
    static const char *const places[] = {"beijing/beijing", "shanghai/shanghai", "guangdong/guangzhou", "guangdong/shenzhen",
                                         "zhejiang/hangzhou", "zhejiang/ningbo", "jiangsu/nanjing", "jiangsu/suzhou",
                                         "henan/zhengzhou", "hebei/shijiazhuang", "sichuan/chengdu", "hubei/wuhan",
                                         "shandong/jinan", "shandong/qingdao", "fujian/xiamen", "shaanxi/xian",
                                         "hunan/changsha", "chongqing/chongqing", NULL};
    int bad = 0, seen_behavior[4] = {0};
    CHECK_EQ_INT(app.n, 20000);
    for (int i = 0; i < app.n; i++) {
        row_t *r = &app.rows[i];
        bad += r->n != 4 || !is_uuid4(r->f[0]) || !in_set(r->f[1], behaviors) || !in_set(r->f[2], channels) ||
               !is_digits(r->f[3], 13) || atoll(r->f[3]) < MK_START * 1000 || atoll(r->f[3]) >= MK_END * 1000;
        for (int k = 0; k < 4; k++) seen_behavior[k] += r->n == 4 && !strcmp(r->f[1], behaviors[k]);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(seen_behavior[0] > seen_behavior[1] && seen_behavior[1] > seen_behavior[2] &&
          seen_behavior[2] > seen_behavior[3] && seen_behavior[3] > 0);
    for (int i = 0; i < clicks.n; i++) {
        row_t *r = &clicks.rows[i];
        char place[64];
        snprintf(place, sizeof place, "%s/%s", r->n == 5 ? r->f[2] : "", r->n == 5 ? r->f[3] : "");
        bad += r->n != 5 || !is_digits(r->f[0], 6) || !is_number(r->f[1]) || atoll(r->f[1]) < 1000 ||
               !in_set(place, places) || !in_span_s(r->f[4], 0);
    }
    CHECK_EQ_INT(bad, 0);
    for (int i = 0; i < logins.n; i++) {
        row_t *r = &logins.rows[i];
        bad += r->n != 4 || !is_number(r->f[0]) || atoll(r->f[0]) < 1000 || !is_ipv4(r->f[1]) ||
               (strcmp(r->f[2], "success") && strcmp(r->f[2], "fail")) || !in_span_s(r->f[3], 60);
    }
    CHECK_EQ_INT(bad, 0);
    for (int i = 0; i < orders.n; i++) {
        row_t *r = &orders.rows[i];
        int create = r->n == 4 && !strcmp(r->f[1], "create"), pay = r->n == 4 && !strcmp(r->f[1], "pay");
        bad += r->n != 4 || !is_number(r->f[0]) || !(create || pay) || (create && *r->f[2]) || (pay && !is_tx(r->f[2])) ||
               !in_span_s(r->f[3], 25 * 60);
    }
    CHECK_EQ_INT(bad, 0);
    for (int i = 0; i < receipts.n; i++) {
        row_t *r = &receipts.rows[i];
        bad += r->n != 3 || !is_tx(r->f[0]) || (strcmp(r->f[1], "wechat") && strcmp(r->f[1], "alipay")) ||
               !in_span_s(r->f[2], 25 * 60 + 3);
    }
    CHECK_EQ_INT(bad, 0);
    for (int i = 0; i < 5; i++) {
        const table_t *t = i == 0 ? &app : i == 1 ? &clicks : i == 2 ? &logins : i == 3 ? &orders : &receipts;
        CHECK_EQ_INT(t->unterminated, 0);
    }
}

TEST(marketing_disorder_is_small_and_bounded)
{
    CHECK(max_lateness(&app, 3) > 0 && max_lateness(&app, 3) <= 5000);
    CHECK(max_lateness(&clicks, 4) > 0 && max_lateness(&clicks, 4) <= 5);
    CHECK(max_lateness(&logins, 3) > 0 && max_lateness(&logins, 3) <= 5);
    CHECK(max_lateness(&orders, 3) > 0 && max_lateness(&orders, 3) <= 5);
    CHECK(max_lateness(&receipts, 2) > 0 && max_lateness(&receipts, 2) <= 5);
    char *dir = make_temp_dir();
    CHECK_EQ_INT(run(gen_marketing, "marketing", "--out", dir, "--disorder", "0", "--events", "3000", NULL), 0);
    table_t t = load_csv(dir, "app_marketing.csv");
    CHECK_EQ_INT(t.n, 3000);
    CHECK_EQ_INT(max_lateness(&t, 3), 0);
    free_table(&t);
    t = load_csv(dir, "logins.csv");
    CHECK_EQ_INT(max_lateness(&t, 3), 0);
    free_table(&t);
    drop_dir(dir);
}

/* Clicks per (user, ad, day) for UTC days and UTC+8 days. */
typedef struct click_count {
    long long user, ad, day;
    int n;
} click_count;

static int cmp_click(const void *a, const void *b)
{
    const click_count *x = a, *y = b;
    if (x->user != y->user) return x->user < y->user ? -1 : 1;
    if (x->ad != y->ad) return x->ad < y->ad ? -1 : 1;
    return (x->day > y->day) - (x->day < y->day);
}

/* Counts clicks per (user, ad, day); returns the pairs over 100 and the largest other count. */
static int heavy_clickers(const table_t *t, long long zone_offset_s, int *largest_other, click_count *heavy, int cap)
{
    click_count *c = calloc((size_t)t->n + 1, sizeof *c);
    for (int i = 0; i < t->n; i++)
        c[i] = (click_count){atoll(t->rows[i].f[0]), atoll(t->rows[i].f[1]),
                             floor_div(atoll(t->rows[i].f[4]) + zone_offset_s, 86400), 1};
    qsort(c, (size_t)t->n, sizeof *c, cmp_click);
    int found = 0;
    *largest_other = 0;
    for (int i = 0; i < t->n;) {
        int j = i;
        while (j < t->n && !cmp_click(&c[i], &c[j])) j++;
        c[i].n = j - i;
        if (c[i].n > 100 && found < cap) heavy[found++] = c[i];
        else if (c[i].n <= 100 && c[i].n > *largest_other) *largest_other = c[i].n;
        i = j;
    }
    free(c);
    return found;
}

TEST(marketing_click_fraud)
{
    click_count heavy[8];
    int other = 0;
    CHECK_EQ_INT(heavy_clickers(&clicks, 0, &other, heavy, 8), 3);
    CHECK(other <= 20);
    for (int i = 0; i < 3; i++) {
        CHECK(heavy[i].n >= 110 && heavy[i].n <= 160);
        CHECK(heavy[i].user >= 700000 && heavy[i].user < 962144);
    }
    CHECK_EQ_INT(heavy_clickers(&clicks, 8 * 3600, &other, heavy, 8), 3);
    /* a span that crosses both midnights still keeps every burst inside one day of each */
    char *dir = make_temp_dir();
    CHECK_EQ_INT(run(gen_marketing, "marketing", "--out", dir, "--start", "1511739000", "--hours", "1", "--fraud-users", "20",
                     "--ad-clicks", "200", "--events", "0", "--logins", "0", "--orders", "0", NULL), 0);
    table_t t = load_csv(dir, "ad_clicks.csv");     /* 1511740800 = 2017-11-27 00:00 UTC */
    click_count many[24];
    CHECK_EQ_INT(heavy_clickers(&t, 0, &other, many, 24), 20);
    CHECK_EQ_INT(heavy_clickers(&t, 8 * 3600, &other, many, 24), 20);
    free_table(&t);
    CHECK_EQ_INT(run(gen_marketing, "marketing", "--out", dir, "--fraud-users", "0", "--events", "0", NULL), 0);
    t = load_csv(dir, "ad_clicks.csv");
    CHECK_EQ_INT(t.n, 5000);
    CHECK_EQ_INT(heavy_clickers(&t, 0, &other, many, 24), 0);
    free_table(&t);
    t = load_csv(dir, "app_marketing.csv");
    CHECK_EQ_INT(t.n, 0);
    free_table(&t);
    drop_dir(dir);
}

typedef struct login_event {
    long long user, t;
    int fail;
    int pos;
} login_event;

static int cmp_login(const void *a, const void *b)
{
    const login_event *x = a, *y = b;
    if (x->user != y->user) return x->user < y->user ? -1 : 1;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return x->pos - y->pos;
}

/* Consecutive failures of a user (in event-time order): within 2 s, and more than 2 s apart. */
TEST(marketing_login_failures)
{
    login_event *e = calloc((size_t)logins.n + 1, sizeof *e);
    for (int i = 0; i < logins.n; i++)
        e[i] = (login_event){atoll(logins.rows[i].f[0]), atoll(logins.rows[i].f[3]), !strcmp(logins.rows[i].f[2], "fail"), i};
    qsort(e, (size_t)logins.n, sizeof *e, cmp_login);
    int rapid = 0, slow = 0, fails = 0, successes = 0;
    for (int i = 0; i < logins.n; i++) {
        fails += e[i].fail;
        successes += !e[i].fail;
        if (i == 0 || !e[i].fail || !e[i - 1].fail || e[i].user != e[i - 1].user) continue;
        if (e[i].t - e[i - 1].t <= 2) rapid++;
        else slow++;
    }
    CHECK(rapid >= 20);
    CHECK(slow >= 5);
    CHECK(successes > fails * 3);
    CHECK(logins.n > 1000 && logins.n < 1500);
    free(e);
}

typedef struct order_state {
    long long created, paid;
    int creates, pays;
    char tx[10];
} order_state;

TEST(marketing_orders_and_receipts)
{
    order_state *st = calloc(1000, sizeof *st);
    int bad = 0;
    for (int i = 0; i < orders.n; i++) {
        long long id = atoll(orders.rows[i].f[0]) - 34729, t = atoll(orders.rows[i].f[3]);
        if (id < 0 || id >= 1000) { bad++; continue; }
        if (!strcmp(orders.rows[i].f[1], "create")) {
            st[id].creates++;
            st[id].created = t;
        } else {
            st[id].pays++;
            st[id].paid = t;
            snprintf(st[id].tx, sizeof st[id].tx, "%s", orders.rows[i].f[2]);
        }
    }
    CHECK_EQ_INT(bad, 0);
    int unpaid = 0, late = 0, near_timeout = 0, on_time = 0;
    for (int id = 0; id < 1000; id++) {
        bad += st[id].creates != 1 || st[id].pays > 1;
        if (!st[id].pays) { unpaid++; continue; }
        long long delay = st[id].paid - st[id].created;
        bad += delay < 2 || delay > 25 * 60;
        late += delay > 15 * 60;
        on_time += delay <= 15 * 60;
        near_timeout += delay > 870 && delay < 15 * 60 + 10;
        for (int j = 0; j < id; j++) bad += st[j].pays && !strcmp(st[j].tx, st[id].tx);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(near_timeout, 0);                                 /* no pay within 10 s of the timeout */
    CHECK(unpaid >= 50 && unpaid <= 100);                          /* 5 % never paid, 2 % pays lost */
    CHECK(late >= 10 && late <= 35);
    CHECK(on_time > 850);
    /* receipts: 0-3 s after their pay; pays without receipt and receipts without pay */
    int matched = 0, receipt_only = 0, wechat = 0;
    char *used = calloc(1000, 1);
    for (int i = 0; i < receipts.n; i++) {
        const char *tx = receipts.rows[i].f[0];
        long long t = atoll(receipts.rows[i].f[2]);
        wechat += !strcmp(receipts.rows[i].f[1], "wechat");
        int id = -1;
        for (int k = 0; k < 1000 && id < 0; k++)
            if (st[k].pays && !strcmp(st[k].tx, tx)) id = k;
        if (id < 0) { receipt_only++; continue; }
        matched++;
        bad += used[id]++ || t < st[id].paid || t > st[id].paid + 3;
    }
    int pay_only = 0;
    for (int id = 0; id < 1000; id++) pay_only += st[id].pays && !used[id];
    CHECK_EQ_INT(bad, 0);
    CHECK(receipt_only >= 5 && receipt_only <= 40);
    CHECK(pay_only >= 10 && pay_only <= 50);
    CHECK(wechat > receipts.n * 45 / 100 && wechat < receipts.n * 65 / 100);
    CHECK_EQ_INT(matched + receipt_only, receipts.n);
    free(used);
    free(st);
}

/* ---- insurance --------------------------------------------------------------------------------- */

#define INS_START_MS 1709222400000LL            /* 2024-03-01 00:00 +08 */
#define INS_END_MS   (INS_START_MS + 86400000LL)

static char *insurance_dir;
static table_t user_order, trace, page_log, raw_info;

static const char *const INSURANCE_FILES[] = {"user_order.csv", "account_wechat_trace.csv", "page_log.csv", "raw_info.csv"};

TEST(insurance_deterministic_for_a_seed)
{
    char *again = make_temp_dir(), *other = make_temp_dir();
    CHECK_EQ_INT(run(gen_insurance, "insurance", "--out", again, NULL), 0);
    for (int i = 0; i < 4; i++) CHECK(same_file(insurance_dir, again, INSURANCE_FILES[i]));
    CHECK_EQ_INT(run(gen_insurance, "insurance", "--out", other, "--seed", "9", NULL), 0);
    for (int i = 0; i < 4; i++) CHECK(!same_file(insurance_dir, other, INSURANCE_FILES[i]));
    drop_dir(again);
    drop_dir(other);
}

TEST(insurance_first_rows_pinned)
{
    CHECK_EQ_STR(user_order.rows[0].line, "15354089,PL2024030100000001,3,,588.00,董艳,16647937483,440106199401134234,"
                                          "1709223012408,1709223012408,588.00");
    CHECK_EQ_STR(trace.rows[0].line, "14071538,WX002,oXRRAOCRqbe59zaxbOgww3J1dUxj,save_success,2257.67,system,system,"
                                     "1709222717678,医疗险等4份保单");
    CHECK_EQ_STR(page_log.rows[0].line, "1709222500733,ec5cc3b44dee0ca0,17731951,广告页,开屏广告");
    CHECK_EQ_STR(raw_info.rows[0].line, "14246555,65598.00,意外险等5份保单");
}

static int valid_certificate(const char *s)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    if (strlen(s) != 18 || strspn(s, "0123456789") < 17) return 0;
    int sum = 0;
    for (int i = 0; i < 17; i++) sum += (s[i] - '0') * w[i];
    int y = atoi((char[]){s[6], s[7], s[8], s[9], 0}), m = atoi((char[]){s[10], s[11], 0}), d = atoi((char[]){s[12], s[13], 0});
    return s[17] == "10X98765432"[sum % 11] && y >= 1955 && y <= 2002 && m >= 1 && m <= 12 && d >= 1 &&
           d <= days_in_month(y, m);
}

static int is_ms_in_span(const char *s, long long extra_ms)
{
    return is_digits(s, 13) && atoll(s) >= INS_START_MS && atoll(s) < INS_END_MS + extra_ms;
}

static int is_staff(const char *s) { return !strcmp(s, "system") || (!strncmp(s, "agent", 5) && is_digits(s + 5, 3)); }

TEST(insurance_layouts)
{
    int bad = 0;
    for (int i = 0; i < user_order.n; i++) {
        row_t *r = &user_order.rows[i];
        if (r->n != 11) { bad++; continue; }
        bad += !is_digits(r->f[0], 8) || strlen(r->f[1]) != 18 || strncmp(r->f[1], "PL20240301", 10) ||
               !is_digits(r->f[1] + 2, 16) || !in_set(r->f[2], (const char *const[]){"1", "2", "3", NULL});
        bad += *r->f[3] && !is_ms_in_span(r->f[3], 3600000);
        bad += !is_cents(r->f[4]) || strlen(r->f[5]) < 6 || (unsigned char)r->f[5][0] < 0xE0;   /* Chinese name */
        bad += !is_digits(r->f[6], 11) || r->f[6][0] != '1' || !valid_certificate(r->f[7]);
        bad += !is_ms_in_span(r->f[8], 0) || !is_ms_in_span(r->f[9], 4 * 3600000LL) || atoll(r->f[9]) < atoll(r->f[8]);
        bad += !is_cents(r->f[10]) || cents_of(r->f[10]) > cents_of(r->f[4]) || cents_of(r->f[10]) < cents_of(r->f[4]) * 78 / 100;
    }
    CHECK_EQ_INT(bad, 0);
    static const char *const trace_channels[] = {"WX001", "WX002", "APP01", "H5001", NULL};
    CHECK_EQ_INT(trace.n, 1000);
    for (int i = 0; i < trace.n; i++) {
        row_t *r = &trace.rows[i];
        if (r->n != 9) { bad++; continue; }
        bad += !is_digits(r->f[0], 8) || !in_set(r->f[1], trace_channels) || strlen(r->f[2]) != 28 || r->f[2][0] != 'o' ||
               !all_of(r->f[2], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
        bad += (strcmp(r->f[3], "save_success") && strcmp(r->f[3], "save_fail")) || !is_cents(r->f[4]);
        bad += !is_staff(r->f[5]) || !is_staff(r->f[6]) || !is_ms_in_span(r->f[7], 0) || !strstr(r->f[8], "份保单");
    }
    CHECK_EQ_INT(bad, 0);
    static const char *const page_types[] = {"首页", "产品页", "活动页", "广告页", "订单页", "个人中心", NULL};
    for (int i = 0; i < page_log.n; i++) {
        row_t *r = &page_log.rows[i];
        if (r->n != 5) { bad++; continue; }
        bad += !is_ms_in_span(r->f[0], 3600000) || strlen(r->f[1]) != 16 || !all_of(r->f[1], "0123456789abcdef");
        bad += *r->f[2] && !is_digits(r->f[2], 8);
        bad += !in_set(r->f[3], page_types) || !*r->f[4];
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(raw_info.n, 200);                                 /* --users 1000 / 5 */
    for (int i = 0; i < raw_info.n; i++) {
        row_t *r = &raw_info.rows[i];
        bad += r->n != 3 || !is_digits(r->f[0], 8) || !is_cents(r->f[1]) || !strstr(r->f[2], "份保单");
        for (int j = 0; j < i; j++) bad += !strcmp(raw_info.rows[j].f[0], r->f[0]);
    }
    CHECK_EQ_INT(bad, 0);
    for (int i = 0; i < 4; i++) {
        const table_t *t = i == 0 ? &user_order : i == 1 ? &trace : i == 2 ? &page_log : &raw_info;
        CHECK_EQ_INT(t->unterminated, 0);
    }
}

TEST(insurance_files_in_time_order)
{
    CHECK_EQ_INT(max_lateness(&user_order, 9), 0);
    CHECK_EQ_INT(max_lateness(&trace, 7), 0);
    CHECK_EQ_INT(max_lateness(&page_log, 0), 0);
    /* the daily rhythm: more orders 20:00-22:00 than 02:00-04:00 (local) */
    int night = 0, evening = 0;
    for (int i = 0; i < user_order.n; i++) {
        long long hour = (atoll(user_order.rows[i].f[8]) - INS_START_MS) / 3600000;
        night += hour >= 2 && hour < 4;
        evening += hour >= 20 && hour < 22;
    }
    CHECK(evening > 5 * night);
}

typedef struct order_versions {
    char prefix[40];        /* "id,order_no," of the first row */
    int rows;
    long long first_modified, last_modified;
    int bad;
} order_versions;

/* An order is sent when created (pay_time NULL), re-sent when paid and perhaps once more. */
TEST(insurance_order_updates)
{
    order_versions *v = calloc(2001, sizeof *v);
    int bad = 0;
    for (int i = 0; i < user_order.n; i++) {
        row_t *r = &user_order.rows[i];
        int serial = atoi(r->f[1] + 10);
        if (serial < 1 || serial > 2000) { bad++; continue; }
        order_versions *o = &v[serial];
        long long modified = atoll(r->f[9]);
        if (!o->rows) {
            snprintf(o->prefix, sizeof o->prefix, "%.28s", r->line);
            bad += *r->f[3] || strcmp(r->f[8], r->f[9]);            /* created: unpaid, modified = created */
            o->first_modified = modified;
        } else {
            bad += !*r->f[3] || modified <= o->last_modified;      /* paid, later */
            bad += strncmp(o->prefix, r->line, 28) != 0;           /* same user id and order_no */
        }
        o->rows++;
        o->last_modified = modified;
    }
    int once = 0, twice = 0, thrice = 0;
    for (int k = 1; k <= 2000; k++) {
        bad += v[k].rows < 1 || v[k].rows > 3;
        once += v[k].rows == 1;
        twice += v[k].rows == 2;
        thrice += v[k].rows == 3;
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(once > 200 && once < 400);                               /* 15 % unpaid */
    CHECK(twice > 1300);
    CHECK(thrice > 120 && thrice < 300);                           /* 12 % of the paid ones */
    free(v);
}

static int raw_index(const char *id)
{
    for (int i = 0; i < raw_info.n; i++)
        if (!strcmp(raw_info.rows[i].f[0], id)) return i;
    return -1;
}

/* Replays the job: a saved change of a key customer below 85 % of the current premium is an
 * alert; raw_info then takes the new premium. */
TEST(insurance_premium_drops)
{
    long long *current = calloc((size_t)raw_info.n + 1, sizeof *current);
    for (int i = 0; i < raw_info.n; i++) current[i] = cents_of(raw_info.rows[i].f[1]);
    int drops = 0, kept = 0, near = 0, fails = 0, others = 0;
    for (int i = 0; i < trace.n; i++) {
        row_t *r = &trace.rows[i];
        int k = raw_index(r->f[0]);
        if (k < 0) { others++; continue; }
        long long now = cents_of(r->f[4]);
        double ratio = (double)now / (double)current[k];
        near += ratio > 0.84 && ratio < 0.86;
        if (strcmp(r->f[3], "save_success")) { fails++; continue; }
        if (now < current[k] * 0.85) drops++;
        else kept++;
        current[k] = now;
    }
    CHECK(drops >= 80 && drops <= 200);
    CHECK(kept > 3 * drops);
    CHECK_EQ_INT(near, 0);
    CHECK(fails >= 20 && fails <= 90);
    CHECK(others >= 180 && others <= 330);
    free(current);
}

TEST(insurance_page_views)
{
    int anonymous = 0, splash_then_home = 0;
    for (int i = 0; i < page_log.n; i++) anonymous += !*page_log.rows[i].f[2];
    CHECK(anonymous > page_log.n / 20 && anonymous < page_log.n / 5);
    /* an account on two devices; a device always belongs to one account */
    int two_devices = 0, shared = 0;
    for (int i = 0; i < page_log.n && i < 4000; i++) {
        row_t *a = &page_log.rows[i];
        if (!*a->f[2]) continue;
        for (int j = i + 1; j < page_log.n && j < 4000; j++) {
            row_t *b = &page_log.rows[j];
            two_devices += !strcmp(a->f[2], b->f[2]) && strcmp(a->f[1], b->f[1]);
            shared += !strcmp(a->f[1], b->f[1]) && strcmp(a->f[2], b->f[2]);
        }
    }
    CHECK(two_devices > 0);
    CHECK_EQ_INT(shared, 0);
    /* the splash ad is followed by the home page on the same device 3-5 s later */
    for (int i = 0; i < page_log.n; i++) {
        if (strcmp(page_log.rows[i].f[4], "开屏广告")) continue;
        for (int j = i + 1; j < page_log.n; j++) {
            if (strcmp(page_log.rows[j].f[1], page_log.rows[i].f[1])) continue;
            long long gap = atoll(page_log.rows[j].f[0]) - atoll(page_log.rows[i].f[0]);
            splash_then_home += !strcmp(page_log.rows[j].f[4], "首页") && gap >= 3000 && gap <= 5000;
            break;
        }
    }
    CHECK(splash_then_home > 600);
}

TEST(insurance_sqlite_dimension)
{
    char *dir = make_temp_dir(), db_path[512];
    snprintf(db_path, sizeof db_path, "%s/dims.db", dir);
    CHECK_EQ_INT(run(gen_insurance, "insurance", "--out", dir, "--sqlite", db_path, NULL), 0);
    CHECK(same_file(insurance_dir, dir, "raw_info.csv"));
    sqlite3 *db = NULL;
    CHECK_EQ_INT(sqlite3_open(db_path, &db), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    CHECK_EQ_INT(sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE name = 'raw_info'", -1, &st, NULL), SQLITE_OK);
    CHECK_EQ_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK_EQ_STR((const char *)sqlite3_column_text(st, 0),
                 "CREATE TABLE raw_info(id INTEGER PRIMARY KEY, raw_premium TEXT, raw_info TEXT)");
    sqlite3_finalize(st);
    CHECK_EQ_INT(sqlite3_prepare_v2(db, "SELECT id, raw_premium, raw_info, typeof(raw_premium) FROM raw_info ORDER BY rowid",
                                    -1, &st, NULL), SQLITE_OK);
    int n = 0, bad = 0;
    while (sqlite3_step(st) == SQLITE_ROW && n < raw_info.n) {
        char line[256];
        snprintf(line, sizeof line, "%lld,%s,%s", (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1),
                 sqlite3_column_text(st, 2));
        bad += strcmp((const char *)sqlite3_column_text(st, 3), "text") != 0;
        n++;
        for (int i = 0; i < raw_info.n; i++)
            if (atoll(raw_info.rows[i].f[0]) == sqlite3_column_int64(st, 0)) bad += strcmp(line, raw_info.rows[i].line) != 0;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    CHECK_EQ_INT(n, 200);
    CHECK_EQ_INT(bad, 0);
    /* a second run replaces the table */
    CHECK_EQ_INT(run(gen_insurance, "insurance", "--out", dir, "--sqlite", db_path, "--users", "10", "--key-customers", "10",
                     "--orders", "5", "--updates", "5", "--sessions", "5", NULL), 0);
    sqlite3_open(db_path, &db);
    sqlite3_prepare_v2(db, "SELECT count(*) FROM raw_info", -1, &st, NULL);
    CHECK_EQ_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK_EQ_INT(sqlite3_column_int(st, 0), 10);
    sqlite3_finalize(st);
    sqlite3_close(db);
    drop_dir(dir);
}

TEST(insurance_start_and_time_zone)
{
    char *dir = make_temp_dir();
    CHECK_EQ_INT(run(gen_insurance, "insurance", "--out", dir, "--tz", "UTC", "--start", "2024-02-29 23:00:00", "--hours", "2",
                     "--orders", "300", "--updates", "50", "--sessions", "50", NULL), 0);
    table_t t = load_csv(dir, "user_order.csv");
    long long lo = 1709247600000LL, hi = lo + 2 * 3600000LL;      /* 2024-02-29 23:00 UTC, two hours */
    int bad = 0, feb = 0, mar = 0;
    for (int i = 0; i < t.n; i++) {
        long long created = atoll(t.rows[i].f[8]);
        bad += created < lo || created >= hi;
        int before_midnight = created < lo + 3600000LL;
        feb += !strncmp(t.rows[i].f[1], "PL20240229", 10);
        mar += !strncmp(t.rows[i].f[1], "PL20240301", 10);
        bad += strncmp(t.rows[i].f[1], before_midnight ? "PL20240229" : "PL20240301", 10) != 0;
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(feb > 0 && mar > 0);
    free_table(&t);
    t = load_csv(dir, "account_wechat_trace.csv");
    CHECK_EQ_INT(t.n, 50);
    free_table(&t);
    drop_dir(dir);
}

/* ---- arguments --------------------------------------------------------------------------------- */

static const char CHANNEL_VALID[] = "valid options: --out, --orders, --start, --rate, --duplicates, --users, --seed, --quiet, --help";
static const char MARKETING_VALID[] = "valid options: --out, --events, --start, --hours, --ad-clicks, --fraud-users, --logins, "
                                      "--orders, --disorder, --seed, --quiet, --help";
static const char INSURANCE_VALID[] = "valid options: --out, --orders, --users, --key-customers, --updates, --sessions, --start, "
                                      "--hours, --tz, --sqlite, --seed, --quiet, --help";

TEST(channel_bad_arguments)
{
    char expect[512];
    CHECK_EQ_INT(run(gen_channel, "channel", "--out", "/tmp/x", "--order", "5", NULL), 2);
    snprintf(expect, sizeof expect, "unknown option '--order' (did you mean '--orders'?); %s", CHANNEL_VALID);
    CHECK_EQ_STR(err_message(), expect);
    CHECK_EQ_INT(run(gen_channel, "channel", "orders", NULL), 2);
    snprintf(expect, sizeof expect, "unexpected argument 'orders'; %s", CHANNEL_VALID);
    CHECK_EQ_STR(err_message(), expect);
    CHECK_EQ_INT(run(gen_channel, "channel", "--orders", "5", NULL), 2);
    CHECK_EQ_STR(err_message(), "missing --out DIR (the directory to write the files to)");
    CHECK_EQ_INT(run(gen_channel, "channel", "--out", "", NULL), 2);
    CHECK_EQ_STR(err_message(), "--out expects a directory, got ''");
    CHECK_EQ_INT(run(gen_channel, "channel", "--out", "/tmp/x", "--orders", "0", NULL), 2);
    CHECK_EQ_STR(err_message(), "--orders expects an integer from 1 to 50000000, got '0'");
    CHECK_EQ_INT(run(gen_channel, "channel", "--out", "/tmp/x", "--rate", "0", NULL), 2);
    CHECK_EQ_STR(err_message(), "--rate expects a number from 0.001 to 1000, got '0'");
    CHECK_EQ_INT(run(gen_channel, "channel", "--out", "/tmp/x", "--rate=1000.5", NULL), 2);
    CHECK_EQ_STR(err_message(), "--rate expects a number from 0.001 to 1000, got '1000.5'");
    CHECK_EQ_INT(run(gen_channel, "channel", "--out", "/tmp/x", "--duplicates", "1.01", NULL), 2);
    CHECK_EQ_STR(err_message(), "--duplicates expects a number from 0 to 1, got '1.01'");
    CHECK_EQ_INT(run(gen_channel, "channel", "--out", "/tmp/x", "--duplicates", "nan", NULL), 2);
    CHECK_EQ_STR(err_message(), "--duplicates expects a number from 0 to 1, got 'nan'");
    CHECK_EQ_INT(run(gen_channel, "channel", "--out", "/tmp/x", "--start", "2021-03-25 24:00:00", NULL), 2);
    CHECK_EQ_STR(err_message(), "--start expects 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS' from 1970-01-01 to 2999-12-31, "
                                "got '2021-03-25 24:00:00'");
    CHECK_EQ_INT(run(gen_channel, "channel", "--out", "/tmp/x", "--start", "2021-3-25", NULL), 2);
    CHECK_EQ_INT(run(gen_channel, "channel", "--out", "/tmp/x", "--seed", "-1", NULL), 2);
    CHECK_EQ_STR(err_message(), "--seed expects an unsigned integer, got '-1'");
    CHECK_EQ_INT(run(gen_channel, "channel", "--out", "/tmp/x", "--help=1", NULL), 2);
    CHECK_EQ_STR(err_message(), "--help takes no value, got '--help=1'");
    char *no_value[] = {(char *)"channel", (char *)"--out", (char *)"/tmp/x", (char *)"--rate", NULL};
    CHECK_EQ_INT(gen_channel(4, no_value), 2);
    CHECK_EQ_STR(err_message(), "--rate needs a value");
    CHECK_EQ_INT(run(gen_channel, "channel", "--out", "/dev/null/sub", NULL), 1);
    CHECK_EQ_STR(err_message(), "cannot create directory '/dev/null/sub': Not a directory");
}

TEST(marketing_bad_arguments)
{
    char expect[512];
    CHECK_EQ_INT(run(gen_marketing, "marketing", "--out", "/tmp/x", "--ad-click", "5", NULL), 2);
    snprintf(expect, sizeof expect, "unknown option '--ad-click' (did you mean '--ad-clicks'?); %s", MARKETING_VALID);
    CHECK_EQ_STR(err_message(), expect);
    CHECK_EQ_INT(run(gen_marketing, "marketing", "--out", "/tmp/x", "--fraud", "5", NULL), 2);
    snprintf(expect, sizeof expect, "unknown option '--fraud'; %s", MARKETING_VALID);
    CHECK_EQ_STR(err_message(), expect);
    CHECK_EQ_INT(run(gen_marketing, "marketing", "--out", "/tmp/x", "--fraud-users", "21", NULL), 2);
    CHECK_EQ_STR(err_message(), "--fraud-users expects an integer from 0 to 20, got '21'");
    CHECK_EQ_INT(run(gen_marketing, "marketing", "--out", "/tmp/x", "--disorder", "61", NULL), 2);
    CHECK_EQ_STR(err_message(), "--disorder expects an integer from 0 to 60, got '61'");
    CHECK_EQ_INT(run(gen_marketing, "marketing", "--out", "/tmp/x", "--hours", "0", NULL), 2);
    CHECK_EQ_STR(err_message(), "--hours expects an integer from 1 to 720, got '0'");
    CHECK_EQ_INT(run(gen_marketing, "marketing", "--out", "/tmp/x", "--start", "-5", NULL), 2);
    CHECK_EQ_STR(err_message(), "--start expects epoch seconds from 0 to 32503680000, got '-5'");
    CHECK_EQ_INT(run(gen_marketing, "marketing", "--out", "/tmp/x", "--start", "1511658000000", NULL), 2);
    CHECK_EQ_STR(err_message(), "--start expects epoch seconds from 0 to 32503680000, got '1511658000000'");
    CHECK_EQ_INT(run(gen_marketing, "marketing", "--out", "/tmp/x", "--events", "1e3", NULL), 2);
    CHECK_EQ_STR(err_message(), "--events expects an integer from 0 to 50000000, got '1e3'");
    CHECK_EQ_INT(run(gen_marketing, "marketing", "--events", "3", NULL), 2);
    CHECK_EQ_STR(err_message(), "missing --out DIR (the directory to write the files to)");
}

TEST(insurance_bad_arguments)
{
    char expect[512];
    CHECK_EQ_INT(run(gen_insurance, "insurance", "--out", "/tmp/x", "--user", "5", NULL), 2);
    snprintf(expect, sizeof expect, "unknown option '--user' (did you mean '--users'?); %s", INSURANCE_VALID);
    CHECK_EQ_STR(err_message(), expect);
    CHECK_EQ_INT(run(gen_insurance, "insurance", "--out", "/tmp/x", "--users", "10", "--key-customers", "11", NULL), 2);
    CHECK_EQ_STR(err_message(), "--key-customers 11 exceeds --users 10 (key customers are some of the users)");
    CHECK_EQ_INT(run(gen_insurance, "insurance", "--out", "/tmp/x", "--users", "0", NULL), 2);
    CHECK_EQ_STR(err_message(), "--users expects an integer from 1 to 8388608, got '0'");
    CHECK_EQ_INT(run(gen_insurance, "insurance", "--out", "/tmp/x", "--hours", "745", NULL), 2);
    CHECK_EQ_STR(err_message(), "--hours expects an integer from 1 to 744, got '745'");
    CHECK_EQ_INT(run(gen_insurance, "insurance", "--out", "/tmp/x", "--start", "2024-02-30", NULL), 2);
    CHECK_EQ_STR(err_message(), "--start expects 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS' from 1970-01-01 to 2999-12-31, "
                                "got '2024-02-30'");
    CHECK_EQ_INT(run(gen_insurance, "insurance", "--out", "/tmp/x", "--sqlite", "", NULL), 2);
    CHECK_EQ_STR(err_message(), "--sqlite expects a database path, got ''");
    CHECK_EQ_INT(run(gen_insurance, "insurance", "--out", "/tmp/x", "--tz", "Mars/Olympus", NULL), 2);
    CHECK(strncmp(err_message(), "--tz: unknown time zone 'Mars/Olympus'", 38) == 0);
    char *dir = make_temp_dir(), db_path[256];
    snprintf(db_path, sizeof db_path, "%s/no/such/dir/x.db", dir);
    CHECK_EQ_INT(run(gen_insurance, "insurance", "--out", dir, "--sqlite", db_path, NULL), 1);
    snprintf(expect, sizeof expect, "--sqlite %s: cannot open: unable to open database file", db_path);
    CHECK_EQ_STR(err_message(), expect);
    drop_dir(dir);
}

/* The accepted side of each boundary, and the dispatch through gen_main. */
TEST(boundaries_and_dispatch)
{
    char *dir = make_temp_dir();
    CHECK_EQ_INT(run(gen_channel, "channel", "--out", dir, "--orders", "1", "--rate", "0.001", "--duplicates", "0",
                     "--users", "1", "--start", "2999-12-31", NULL), 0);
    channel_data c = load_channel(dir);
    CHECK_EQ_INT(c.lines.n, 1);
    CHECK_EQ_INT(c.malformed, 0);
    CHECK_EQ_STR(c.orders[0].val[K_USER], "0001");
    CHECK_EQ_STR(c.orders[0].val[K_NAME], "Alice");
    free_channel(&c);
    CHECK_EQ_INT(run(gen_marketing, "marketing", "--out", dir, "--events", "0", "--ad-clicks", "0", "--fraud-users", "0",
                     "--logins", "0", "--orders", "0", "--hours", "1", "--start", "0", "--disorder", "60", NULL), 0);
    for (int i = 0; i < 5; i++) {
        size_t len = 1;
        char *text = slurp(dir, MARKETING_FILES[i], &len);
        CHECK(text && len == 0);
        free(text);
    }
    CHECK_EQ_INT(run(gen_insurance, "insurance", "--out", dir, "--users", "1", "--key-customers", "1", "--orders", "3",
                     "--updates", "4", "--sessions", "0", "--hours", "1", NULL), 0);
    table_t t = load_csv(dir, "account_wechat_trace.csv");
    CHECK_EQ_INT(t.n, 4);
    int bad = 0;
    for (int i = 0; i < t.n; i++) bad += strcmp(t.rows[i].f[0], t.rows[0].f[0]) != 0;
    CHECK_EQ_INT(bad, 0);                                          /* the one user is the key customer */
    free_table(&t);
    CHECK_EQ_INT(run(gen_insurance, "insurance", "--out", dir, "--hours", "744", "--orders", "20", "--updates", "20",
                     "--sessions", "20", "--start", "2024-03-31 23:00:00", NULL), 0);
    t = load_csv(dir, "user_order.csv");
    long long last = 0;
    for (int i = 0; i < t.n; i++) last = atoll(t.rows[i].f[8]) > last ? atoll(t.rows[i].f[8]) : last;
    CHECK(t.n >= 20 && last < 1711897200000LL + 744 * 3600000LL);  /* 2024-03-31 23:00 +08 + 31 days */
    CHECK(last > 1711897200000LL + 400 * 3600000LL);
    free_table(&t);
    drop_dir(dir);

    char *unknown[] = {(char *)"gen", (char *)"chanel", NULL};
    CHECK_EQ_INT(gen_main(2, unknown), 2);
    char *bad_arg[] = {(char *)"gen", (char *)"insurance", (char *)"--hours", (char *)"0", NULL};
    CHECK_EQ_INT(gen_main(4, bad_arg), 2);
    CHECK_EQ_STR(err_message(), "--hours expects an integer from 1 to 744, got '0'");
    char *help[] = {(char *)"gen", (char *)"marketing", (char *)"--help", NULL};
    CHECK_EQ_INT(gen_main(3, help), 0);
}

int main(void)
{
    channel_dir = make_temp_dir();
    marketing_dir = make_temp_dir();
    insurance_dir = make_temp_dir();
    if (!channel_dir || !marketing_dir || !insurance_dir ||
        run(gen_channel, "channel", "--out", channel_dir, "--orders", "3000", "--seed", "7", NULL) ||
        run(gen_marketing, "marketing", "--out", marketing_dir, NULL) ||
        run(gen_insurance, "insurance", "--out", insurance_dir, NULL)) {
        fprintf(stderr, "cannot generate the base data sets: %s\n", err_message());
        return 1;
    }
    channel_base = load_channel(channel_dir);
    app = load_csv(marketing_dir, "app_marketing.csv");
    clicks = load_csv(marketing_dir, "ad_clicks.csv");
    logins = load_csv(marketing_dir, "logins.csv");
    orders = load_csv(marketing_dir, "orders.csv");
    receipts = load_csv(marketing_dir, "receipts.csv");
    user_order = load_csv(insurance_dir, "user_order.csv");
    trace = load_csv(insurance_dir, "account_wechat_trace.csv");
    page_log = load_csv(insurance_dir, "page_log.csv");
    raw_info = load_csv(insurance_dir, "raw_info.csv");

    RUN(channel_deterministic_for_a_seed);
    RUN(channel_first_rows_pinned);
    RUN(channel_layout);
    RUN(channel_channels_include_other);
    RUN(channel_order_and_duplicates);
    RUN(channel_rate_start_and_duplicate_share);
    RUN(marketing_deterministic_and_files_independent);
    RUN(marketing_first_rows_pinned);
    RUN(marketing_layouts);
    RUN(marketing_disorder_is_small_and_bounded);
    RUN(marketing_click_fraud);
    RUN(marketing_login_failures);
    RUN(marketing_orders_and_receipts);
    RUN(insurance_deterministic_for_a_seed);
    RUN(insurance_first_rows_pinned);
    RUN(insurance_layouts);
    RUN(insurance_files_in_time_order);
    RUN(insurance_order_updates);
    RUN(insurance_premium_drops);
    RUN(insurance_page_views);
    RUN(insurance_sqlite_dimension);
    RUN(insurance_start_and_time_zone);
    RUN(channel_bad_arguments);
    RUN(marketing_bad_arguments);
    RUN(insurance_bad_arguments);
    RUN(boundaries_and_dispatch);

    free_channel(&channel_base);
    table_t *tables[] = {&app, &clicks, &logins, &orders, &receipts, &user_order, &trace, &page_log, &raw_info};
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) free_table(tables[i]);
    drop_dir(channel_dir);
    drop_dir(marketing_dir);
    drop_dir(insurance_dir);
    return CHECK_DONE();
}
