/* test_gen_mall.c - `eddy gen mall`: deterministic output, opening hours, bounded disorder,
 * shop codes, returning customers and staff, place_info coverage and fixes, the SQLite tables,
 * JSON output and precise argument errors. */
#include "check.h"
#include "gen_testkit.h"
#include "gen/gen.h"
#include "base/err.h"
#include <dirent.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHANGHAI_OFFSET_S (8 * 3600)
#define MAX_ARGS 40

/* ---- running the generator ----------------------------------------------------------------- */

static char *make_temp_dir(void) { return make_temp_dir_for("gen_mall"); }

/* gen_mall("mall", args..., "--quiet"); the argument list ends with NULL. */
static int run_mall(const char *first, ...)
{
    char *argv[MAX_ARGS];
    int argc = 0;
    argv[argc++] = (char *)"mall";
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && argc < MAX_ARGS - 2; a = va_arg(ap, const char *)) argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc++] = (char *)"--quiet";
    argv[argc] = NULL;
    return gen_mall(argc, argv);
}

static int same_file(const char *dir_a, const char *dir_b, const char *name)
{
    size_t la, lb;
    char *a = slurp(dir_a, name, &la), *b = slurp(dir_b, name, &lb);
    int same = a && b && la == lb && la > 0 && memcmp(a, b, la) == 0;
    free(a);
    free(b);
    return same;
}

static int count_lines(const char *text)
{
    int n = 0;
    for (const char *p = text; *p; p++) n += *p == '\n';
    return n;
}

/* ---- parsed user_wifidata -------------------------------------------------------------------- */

typedef struct wifi_row {
    long id;
    char shop[8];
    char ap_ip[16];
    int64_t t;          /* occur_time, epoch seconds */
    char mac[18];
    int rssi;
    char ap_mac[18];
    char pt[9];
    int fields;
} wifi_row;

typedef struct wifi_data {
    wifi_row *rows;
    int n;
    int malformed;      /* lines without exactly 8 fields or with over-long fields */
} wifi_data;

static void copy_field(char *dst, size_t cap, const char *s, size_t n, int *bad)
{
    if (n >= cap) { *bad = 1; n = cap - 1; }
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static void parse_line(const char *line, size_t len, wifi_row *r, int *bad)
{
    const char *f[9];
    size_t fl[9];
    int nf = 0;
    const char *start = line;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || line[i] == ',') {
            if (nf < 9) { f[nf] = start; fl[nf] = (size_t)(line + i - start); }
            nf++;
            start = line + i + 1;
        }
    }
    r->fields = nf;
    if (nf != 8) { *bad = 1; return; }
    char num[24];
    copy_field(num, sizeof num, f[0], fl[0], bad);
    r->id = atol(num);
    copy_field(r->shop, sizeof r->shop, f[1], fl[1], bad);
    copy_field(r->ap_ip, sizeof r->ap_ip, f[2], fl[2], bad);
    copy_field(num, sizeof num, f[3], fl[3], bad);
    r->t = atoll(num);
    copy_field(r->mac, sizeof r->mac, f[4], fl[4], bad);
    copy_field(num, sizeof num, f[5], fl[5], bad);
    r->rssi = atoi(num);
    copy_field(r->ap_mac, sizeof r->ap_mac, f[6], fl[6], bad);
    copy_field(r->pt, sizeof r->pt, f[7], fl[7], bad);
}

static wifi_data load_wifi(const char *dir)
{
    wifi_data w = {0};
    size_t len;
    char *text = slurp(dir, "user_wifidata.csv", &len);
    if (!text) return w;
    int lines = count_lines(text);
    w.rows = calloc((size_t)lines + 1, sizeof *w.rows);
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        int bad = 0;
        parse_line(p, n, &w.rows[w.n++], &bad);
        w.malformed += bad;
        p += n + (nl ? 1 : 0);
    }
    free(text);
    return w;
}

static int local_second(int64_t t) { return (int)((t + SHANGHAI_OFFSET_S) % 86400); }

static int64_t max_lateness(const wifi_data *w)
{
    int64_t newest = 0, worst = 0;
    for (int i = 0; i < w->n; i++) {
        if (newest - w->rows[i].t > worst) worst = newest - w->rows[i].t;
        if (w->rows[i].t > newest) newest = w->rows[i].t;
    }
    return worst;
}

static int is_randomized(const char *mac)
{
    int first = (int)strtol((char[]){mac[0], mac[1], 0}, NULL, 16);
    return (first & 2) != 0;
}

/* Per distinct MAC (sorted by MAC): rows, first and last time and the largest gap between
 * consecutive detections per day (0 = the first day), the shops heard at rssi >= -65, and its
 * best fix: the burst (rows of one occur_time) with the strongest reading, latest of equals. */
typedef struct mac_stats {
    char mac[18];
    int rows[2];
    int64_t first[2], last[2], gap[2];
    uint64_t strong_shops;      /* bit per shop number */
    int best_max, best_min;
    int64_t best_t;
} mac_stats;

typedef struct mac_table {
    mac_stats *macs;
    int n;
} mac_table;

static const wifi_data *sort_rows;

static int cmp_mac_time(const void *a, const void *b)
{
    const wifi_row *x = &sort_rows->rows[*(const int *)a], *y = &sort_rows->rows[*(const int *)b];
    int c = strcmp(x->mac, y->mac);
    return c ? c : (x->t > y->t) - (x->t < y->t);
}

static void add_burst(mac_stats *m, int64_t t, int burst_max, int burst_min)
{
    if (burst_max >= m->best_max) {
        m->best_max = burst_max;
        m->best_min = burst_min;
        m->best_t = t;
    }
}

static mac_table mac_table_of(const wifi_data *w, const char *first_pt)
{
    int *order = malloc((size_t)w->n * sizeof *order);
    for (int i = 0; i < w->n; i++) order[i] = i;
    sort_rows = w;
    qsort(order, (size_t)w->n, sizeof *order, cmp_mac_time);
    mac_table tab = {calloc((size_t)w->n + 1, sizeof *tab.macs), 0};
    mac_stats *m = NULL;
    int64_t burst_t = -1;
    int burst_max = 0, burst_min = 0;
    for (int k = 0; k < w->n; k++) {
        const wifi_row *r = &w->rows[order[k]];
        if (!m || strcmp(m->mac, r->mac)) {
            if (m) add_burst(m, burst_t, burst_max, burst_min);
            m = &tab.macs[tab.n++];
            memcpy(m->mac, r->mac, 18);
            m->best_max = -1000;
            burst_t = -1;
        }
        int d = strcmp(r->pt, first_pt) == 0 ? 0 : 1;
        if (m->rows[d] && r->t - m->last[d] > m->gap[d]) m->gap[d] = r->t - m->last[d];
        if (!m->rows[d]) m->first[d] = r->t;
        m->last[d] = r->t;
        m->rows[d]++;
        int shop = atoi(r->shop + 1);
        if (r->rssi >= -65 && shop < 64) m->strong_shops |= 1ull << shop;
        if (r->t != burst_t) {
            if (burst_t >= 0) add_burst(m, burst_t, burst_max, burst_min);
            burst_t = r->t;
            burst_max = burst_min = r->rssi;
        } else {
            burst_max = r->rssi > burst_max ? r->rssi : burst_max;
            burst_min = r->rssi < burst_min ? r->rssi : burst_min;
        }
    }
    if (m) add_burst(m, burst_t, burst_max, burst_min);
    free(order);
    return tab;
}

static int cmp_mac_key(const void *key, const void *elem) { return strcmp(key, ((const mac_stats *)elem)->mac); }

static mac_stats *mac_find(const mac_table *t, const char *mac)
{
    return bsearch(mac, t->macs, (size_t)t->n, sizeof *t->macs, cmp_mac_key);
}

static int is_staff(const mac_stats *m)
{
    return m->rows[0] && m->rows[1] && m->last[0] - m->first[0] > 11 * 3600 && m->last[1] - m->first[1] > 11 * 3600;
}

/* ---- the shared data set: 2 days, 12 shops, 400 customers a day, seed 7 ------------------------ */

static char *base_dir;
static wifi_data base;

static const char *const BASE_ARGS[] = {"--days", "2", "--shops", "12", "--customers", "400", "--seed", "7"};

static int run_base_into(const char *dir)
{
    return run_mall("--out", dir, BASE_ARGS[0], BASE_ARGS[1], BASE_ARGS[2], BASE_ARGS[3], BASE_ARGS[4],
                    BASE_ARGS[5], BASE_ARGS[6], BASE_ARGS[7], NULL);
}

/* ---- tests ---------------------------------------------------------------------------------- */

TEST(deterministic_for_a_seed)
{
    char *again = make_temp_dir(), *other = make_temp_dir();
    CHECK_EQ_INT(run_base_into(again), 0);
    CHECK(same_file(base_dir, again, "user_wifidata.csv"));
    CHECK(same_file(base_dir, again, "area_shop.csv"));
    CHECK(same_file(base_dir, again, "place_info.csv"));
    CHECK_EQ_INT(run_mall("--out", other, "--days", "2", "--shops", "12", "--customers", "400", "--seed", "8", NULL), 0);
    CHECK(!same_file(base_dir, other, "user_wifidata.csv"));
    CHECK(same_file(base_dir, other, "area_shop.csv"));       /* shop codes and names do not depend on the seed */
    remove_dir(again);
    remove_dir(other);
    free(again);
    free(other);
}

TEST(rows_are_well_formed)
{
    CHECK(base.n > 100000);
    CHECK_EQ_INT(base.malformed, 0);
    int bad_id = 0, bad_mac = 0, bad_rssi = 0, bad_pt = 0, bad_ap = 0;
    for (int i = 0; i < base.n; i++) {
        const wifi_row *r = &base.rows[i];
        bad_id += r->id != i + 1;
        bad_mac += strlen(r->mac) != 17 || r->mac[2] != ':' || r->mac[14] != ':' || strspn(r->mac, "0123456789abcdef:") != 17;
        bad_rssi += r->rssi < -80 || r->rssi > -20;
        int64_t local_day = (r->t + SHANGHAI_OFFSET_S) / 86400;
        bad_pt += strcmp(r->pt, local_day == 19783 ? "20240301" : local_day == 19784 ? "20240302" : "?") != 0;
        bad_ap += strncmp(r->ap_mac, "14:6b:9c:", 9) != 0 || strncmp(r->ap_ip, "10.", 3) != 0;
    }
    CHECK_EQ_INT(bad_id, 0);
    CHECK_EQ_INT(bad_mac, 0);
    CHECK_EQ_INT(bad_rssi, 0);
    CHECK_EQ_INT(bad_pt, 0);
    CHECK_EQ_INT(bad_ap, 0);
    /* both ends of the rssi range occur */
    int weakest = 0, strongest = -100;
    for (int i = 0; i < base.n; i++) {
        if (base.rows[i].rssi < weakest) weakest = base.rows[i].rssi;
        if (base.rows[i].rssi > strongest) strongest = base.rows[i].rssi;
    }
    CHECK_EQ_INT(weakest, -80);
    CHECK(strongest > -40);
}

TEST(rows_within_opening_hours)
{
    int first = 86400, last = -1;
    for (int i = 0; i < base.n; i++) {
        int s = local_second(base.rows[i].t);
        if (s < first) first = s;
        if (s > last) last = s;
    }
    CHECK(first >= 10 * 3600);
    CHECK(first < 10 * 3600 + 120);         /* staff are there from opening */
    CHECK(last < 22 * 3600);
    CHECK(last >= 22 * 3600 - 120);         /* ... to closing */

    char *dir = make_temp_dir();
    CHECK_EQ_INT(run_mall("--out", dir, "--customers", "60", "--shops", "6", "--open", "9:30", "--close", "12", NULL), 0);
    wifi_data w = load_wifi(dir);
    first = 86400;
    last = -1;
    for (int i = 0; i < w.n; i++) {
        int s = local_second(w.rows[i].t);
        if (s < first) first = s;
        if (s > last) last = s;
    }
    CHECK(w.n > 1000);
    CHECK(first >= 9 * 3600 + 1800);
    CHECK(first < 9 * 3600 + 1800 + 120);
    CHECK(last < 12 * 3600);
    CHECK(last >= 12 * 3600 - 120);
    free(w.rows);
    remove_dir(dir);

    /* --tz moves the same local hours: in UTC the first row is just after 10:00 UTC */
    CHECK_EQ_INT(run_mall("--out", dir, "--customers", "20", "--shops", "3", "--tz", "UTC", NULL), 0);
    w = load_wifi(dir);
    int64_t t_min = INT64_MAX;
    for (int i = 0; i < w.n; i++) t_min = w.rows[i].t < t_min ? w.rows[i].t : t_min;
    CHECK(w.n > 0);
    CHECK(t_min >= 1709287200);             /* 2024-03-01 10:00:00 UTC */
    CHECK(t_min < 1709287200 + 120);
    free(w.rows);
    remove_dir(dir);
    free(dir);
}

TEST(disorder_is_bounded)
{
    int64_t late = max_lateness(&base);
    CHECK(late <= 30);
    CHECK(late >= 25);                      /* retried batches come close to the bound */

    char *dir = make_temp_dir();
    CHECK_EQ_INT(run_mall("--out", dir, "--customers", "100", "--shops", "8", "--disorder", "0", NULL), 0);
    wifi_data w = load_wifi(dir);
    CHECK(w.n > 10000);
    CHECK_EQ_INT(max_lateness(&w), 0);
    free(w.rows);
    remove_dir(dir);

    CHECK_EQ_INT(run_mall("--out", dir, "--customers", "100", "--shops", "8", "--disorder", "5", NULL), 0);
    w = load_wifi(dir);
    CHECK_EQ_INT(max_lateness(&w), 5);
    free(w.rows);
    remove_dir(dir);
    free(dir);
}

TEST(shop_codes_exist_in_area_shop)
{
    char *shops = slurp(base_dir, "area_shop.csv", NULL);
    CHECK(shops != NULL);
    if (!shops) return;
    CHECK_EQ_INT(count_lines(shops), 12);
    CHECK(strncmp(shops, "1,S001,星巴克\n2,S002,优衣库\n3,S003,海底捞火锅\n", strlen("1,S001,星巴克\n2,S002,优衣库\n3,S003,海底捞火锅\n")) == 0);
    CHECK(strstr(shops, "\n11,S011,小米之家\n12,S012,喜茶\n") != NULL);
    int used[13] = {0}, unknown = 0;
    for (int i = 0; i < base.n; i++) {
        char line[32];
        int code = atoi(base.rows[i].shop + 1);
        snprintf(line, sizeof line, "\n%d,%s,", code, base.rows[i].shop);
        int found = code >= 1 && code <= 12 && (code == 1 ? strncmp(shops, "1,S001,", 7) == 0 : strstr(shops, line) != NULL);
        if (!found) unknown++;
        else used[code] = 1;
    }
    CHECK_EQ_INT(unknown, 0);
    int n_used = 0;
    for (int c = 1; c <= 12; c++) n_used += used[c];
    CHECK_EQ_INT(n_used, 12);
    /* every probe belongs to one shop; two probes per shop */
    int probes = 0, conflicts = 0;
    char seen_mac[64][18], seen_shop[64][8];
    for (int i = 0; i < base.n; i++) {
        int k = 0;
        while (k < probes && strcmp(seen_mac[k], base.rows[i].ap_mac)) k++;
        if (k == probes && probes < 64) {
            memcpy(seen_mac[probes], base.rows[i].ap_mac, 18);
            memcpy(seen_shop[probes++], base.rows[i].shop, 8);
        } else if (k < probes) conflicts += strcmp(seen_shop[k], base.rows[i].shop) != 0;
    }
    CHECK_EQ_INT(probes, 24);
    CHECK_EQ_INT(conflicts, 0);
    free(shops);
}

TEST(returning_customers_staff_and_randomized_macs)
{
    mac_table tab = mac_table_of(&base, "20240301");
    int both_days_fixed = 0, both_days_random = 0, random = 0, staff = 0, twice_a_day = 0, several_shops = 0;
    int customers = 0, day1 = 0, day2 = 0;
    for (int i = 0; i < tab.n; i++) {
        const mac_stats *m = &tab.macs[i];
        int rnd = is_randomized(m->mac);
        random += rnd;
        day1 += m->rows[0] > 0;
        day2 += m->rows[1] > 0;
        if (is_staff(m)) { staff++; continue; }
        customers++;
        if (m->rows[0] && m->rows[1]) {
            if (rnd) both_days_random++;
            else both_days_fixed++;
        }
        if (!rnd && (m->gap[0] >= 3600 || m->gap[1] >= 3600)) twice_a_day++;
        several_shops += __builtin_popcountll(m->strong_shops) >= 2;
    }
    CHECK_EQ_INT(staff, 3);                         /* one staff phone per 5 shops */
    CHECK(both_days_fixed >= 30);                   /* returning customers */
    CHECK_EQ_INT(both_days_random, 0);              /* randomized MACs change per visit */
    CHECK(twice_a_day >= 5);                        /* second visits the same day */
    CHECK(random * 100 >= tab.n * 25 && random * 100 <= tab.n * 60);
    CHECK(several_shops * 100 >= customers * 30);   /* visits cover several shops */
    CHECK(day2 * 10 >= day1 * 11);                  /* 2024-03-02 is a Saturday */
    free(tab.macs);
}

TEST(arrivals_peak_at_lunch_and_evening)
{
    mac_table tab = mac_table_of(&base, "20240301");
    int per_hour[24] = {0};
    for (int i = 0; i < tab.n; i++)
        for (int d = 0; d < 2; d++)
            if (tab.macs[i].rows[d] && !is_staff(&tab.macs[i])) per_hour[local_second(tab.macs[i].first[d]) / 3600]++;
    CHECK(2 * per_hour[12] > 3 * per_hour[10]);
    CHECK(2 * per_hour[19] > 3 * per_hour[10]);
    CHECK(per_hour[12] > per_hour[14]);
    CHECK(per_hour[19] > per_hour[16]);
    CHECK_EQ_INT(per_hour[9] + per_hour[22], 0);
    free(tab.macs);
}

/* place_info: ~90 % of the MACs, each with its best fix (the burst heard most strongly, latest
 * of equals) and the weakest rssi of that burst. */
TEST(place_info_coverage_and_fixes)
{
    mac_table tab = mac_table_of(&base, "20240301");
    char *text = slurp(base_dir, "place_info.csv", NULL);
    CHECK(text != NULL);
    if (!text) { free(tab.macs); return; }
    int rows = 0, unknown = 0, wrong_rssi = 0, out_of_plan = 0, dup = 0, strong_fix = 0;
    char *seen = calloc((size_t)tab.n, 1);
    for (char *line = text; *line;) {
        char mac[18];
        int x, y, min_rssi;
        char *nl = strchr(line, '\n');
        if (sscanf(line, "%17[^,],%d,%d,%d", mac, &x, &y, &min_rssi) == 4) {
            rows++;
            mac_stats *m = mac_find(&tab, mac);
            if (!m) unknown++;
            else {
                dup += seen[m - tab.macs];
                seen[m - tab.macs] = 1;
                wrong_rssi += min_rssi != m->best_min;
                strong_fix += m->best_max >= -50;
            }
            /* 12 shops: 2 floors of 6, 3 frontage slots of 10 m; shops 12 m deep off a 6 m corridor */
            out_of_plan += x < -40 || x > 300 || y < -150 || y > 150;
        }
        line = nl ? nl + 1 : line + strlen(line);
    }
    CHECK_EQ_INT(unknown, 0);
    CHECK_EQ_INT(dup, 0);
    CHECK_EQ_INT(wrong_rssi, 0);
    CHECK_EQ_INT(out_of_plan, 0);
    CHECK(strong_fix * 2 > rows);                   /* most fixes are close to a probe */
    CHECK(rows * 100 >= tab.n * 85);
    CHECK(rows * 100 <= tab.n * 95);
    free(seen);
    free(text);
    free(tab.macs);
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -2;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static char *query_text(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    char *v = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

TEST(sqlite_tables)
{
    char *dir = make_temp_dir();
    char db_path[512];
    snprintf(db_path, sizeof db_path, "%s/dims.db", dir);
    CHECK_EQ_INT(run_mall("--out", dir, "--customers", "80", "--shops", "9", "--sqlite", db_path, NULL), 0);
    sqlite3 *db;
    CHECK_EQ_INT(sqlite3_open(db_path, &db), SQLITE_OK);
    CHECK_EQ_INT(query_int(db, "SELECT COUNT(*) FROM area_shop"), 9);
    char *name = query_text(db, "SELECT shop_name FROM area_shop WHERE shop_code = 'S003'");
    CHECK_EQ_STR(name, "海底捞火锅");
    free(name);
    CHECK_EQ_INT(query_int(db, "SELECT id FROM area_shop WHERE shop_code = 'S009'"), 9);
    char *schema = query_text(db, "SELECT sql FROM sqlite_master WHERE name = 'place_info'");
    CHECK_EQ_STR(schema, "CREATE TABLE place_info(user_device_mac TEXT PRIMARY KEY, used_x INTEGER, used_y INTEGER, min_rssi INTEGER)");
    free(schema);
    char *places = slurp(dir, "place_info.csv", NULL);
    CHECK(places != NULL);
    CHECK_EQ_INT(query_int(db, "SELECT COUNT(*) FROM place_info"), places ? count_lines(places) : -1);
    if (places) {
        char mac[18], sql[160];
        int x, y, r;
        CHECK_EQ_INT(sscanf(places, "%17[^,],%d,%d,%d", mac, &x, &y, &r), 4);
        snprintf(sql, sizeof sql, "SELECT used_x * 1000000 + (used_y + 1000) * 1000 - min_rssi FROM place_info WHERE user_device_mac = '%s'", mac);
        CHECK_EQ_INT(query_int(db, sql), (int64_t)x * 1000000 + (y + 1000) * 1000 - r);
        CHECK_EQ_INT(query_int(db, "SELECT typeof(used_x) = 'integer' FROM place_info LIMIT 1"), 1);
    }
    free(places);
    sqlite3_close(db);

    /* a second run replaces the tables */
    CHECK_EQ_INT(run_mall("--out", dir, "--customers", "10", "--shops", "4", "--sqlite", db_path, NULL), 0);
    CHECK_EQ_INT(sqlite3_open(db_path, &db), SQLITE_OK);
    CHECK_EQ_INT(query_int(db, "SELECT COUNT(*) FROM area_shop"), 4);
    places = slurp(dir, "place_info.csv", NULL);
    CHECK_EQ_INT(query_int(db, "SELECT COUNT(*) FROM place_info"), places ? count_lines(places) : -1);
    free(places);
    sqlite3_close(db);
    remove_dir(dir);
    free(dir);
}

TEST(json_format)
{
    char *csv_dir = make_temp_dir(), *json_dir = make_temp_dir();
    CHECK_EQ_INT(run_mall("--out", csv_dir, "--customers", "30", "--shops", "5", NULL), 0);
    CHECK_EQ_INT(run_mall("--out", json_dir, "--customers", "30", "--shops", "5", "--format", "json", NULL), 0);
    char *csv = slurp(csv_dir, "user_wifidata.csv", NULL), *json = slurp(json_dir, "user_wifidata.json", NULL);
    CHECK(csv && json);
    if (csv && json) {
        CHECK_EQ_INT(count_lines(json), count_lines(csv));
        wifi_row r;
        int bad = 0;
        parse_line(csv, (size_t)(strchr(csv, '\n') - csv), &r, &bad);
        char expect[400];
        snprintf(expect, sizeof expect,
                 "{\"id\":\"1\",\"shop_code\":\"%s\",\"ap_ip\":\"%s\",\"occur_time\":\"%lld\",\"user_device_mac\":\"%s\","
                 "\"rssi\":\"%d\",\"ap_mac\":\"%s\",\"pt\":\"20240301\"}\n",
                 r.shop, r.ap_ip, (long long)r.t, r.mac, r.rssi, r.ap_mac);
        CHECK(strncmp(json, expect, strlen(expect)) == 0);
    }
    char *shops = slurp(json_dir, "area_shop.json", NULL);
    CHECK(shops && strncmp(shops, "{\"id\":1,\"shop_code\":\"S001\",\"shop_name\":\"星巴克\"}\n", strlen("{\"id\":1,\"shop_code\":\"S001\",\"shop_name\":\"星巴克\"}\n")) == 0);
    char *places = slurp(json_dir, "place_info.json", NULL);
    CHECK(places && strncmp(places, "{\"user_device_mac\":\"", 20) == 0 && strstr(places, ",\"min_rssi\":-") != NULL);
    free(csv);
    free(json);
    free(shops);
    free(places);
    remove_dir(csv_dir);
    remove_dir(json_dir);
    free(csv_dir);
    free(json_dir);
}

static const char VALID[] = "valid options: --out, --days, --start, --shops, --customers, --aps-per-shop, --seed, "
                            "--disorder, --open, --close, --tz, --sqlite, --format, --quiet, --help";

TEST(bad_arguments)
{
    char expect[512];
    CHECK_EQ_INT(run_mall("--out", "/tmp/x", "--dayz", "3", NULL), 2);
    snprintf(expect, sizeof expect, "unknown option '--dayz' (did you mean '--days'?); %s", VALID);
    CHECK_EQ_STR(err_message(), expect);
    CHECK_EQ_INT(run_mall("--bogus-thing=1", NULL), 2);
    snprintf(expect, sizeof expect, "unknown option '--bogus-thing'; %s", VALID);
    CHECK_EQ_STR(err_message(), expect);
    CHECK_EQ_INT(run_mall("out", NULL), 2);
    snprintf(expect, sizeof expect, "unexpected argument 'out'; %s", VALID);
    CHECK_EQ_STR(err_message(), expect);
    CHECK_EQ_INT(run_mall("--days", "2", NULL), 2);
    CHECK_EQ_STR(err_message(), "missing --out DIR (the directory to write the files to)");
    char *no_value[] = {(char *)"mall", (char *)"--out", (char *)"/tmp/x", (char *)"--days", NULL};
    CHECK_EQ_INT(gen_mall(4, no_value), 2);
    CHECK_EQ_STR(err_message(), "--days needs a value");
    CHECK_EQ_INT(run_mall("--out", "/tmp/x", "--days", "0", NULL), 2);
    CHECK_EQ_STR(err_message(), "--days expects an integer from 1 to 3660, got '0'");
    CHECK_EQ_INT(run_mall("--out", "/tmp/x", "--days=3661", NULL), 2);
    CHECK_EQ_STR(err_message(), "--days expects an integer from 1 to 3660, got '3661'");
    CHECK_EQ_INT(run_mall("--out", "/tmp/x", "--customers", "12x", NULL), 2);
    CHECK_EQ_STR(err_message(), "--customers expects an integer from 1 to 5000000, got '12x'");
    CHECK_EQ_INT(run_mall("--out", "/tmp/x", "--aps-per-shop", "9", NULL), 2);
    CHECK_EQ_STR(err_message(), "--aps-per-shop expects an integer from 1 to 8, got '9'");
    CHECK_EQ_INT(run_mall("--out", "/tmp/x", "--shops", "1000", NULL), 2);
    CHECK_EQ_STR(err_message(), "--shops expects an integer from 1 to 999, got '1000'");
    CHECK_EQ_INT(run_mall("--out", "/tmp/x", "--disorder", "3601", NULL), 2);
    CHECK_EQ_STR(err_message(), "--disorder expects an integer from 0 to 3600, got '3601'");
    CHECK_EQ_INT(run_mall("--out", "/tmp/x", "--start", "2024-02-30", NULL), 2);
    CHECK_EQ_STR(err_message(), "--start expects a date YYYY-MM-DD from 1970-01-01 to 2999-12-31, got '2024-02-30'");
    CHECK_EQ_INT(run_mall("--out", "/tmp/x", "--format", "xml", NULL), 2);
    CHECK_EQ_STR(err_message(), "--format expects csv or json, got 'xml'");
    CHECK_EQ_INT(run_mall("--out", "/tmp/x", "--seed", "-1", NULL), 2);
    CHECK_EQ_STR(err_message(), "--seed expects an unsigned integer, got '-1'");
    CHECK_EQ_INT(run_mall("--out", "/tmp/x", "--close", "24:01", NULL), 2);
    CHECK_EQ_STR(err_message(), "--close expects a time of day HH or HH:MM from 00:01 to 24:00, got '24:01'");
    CHECK_EQ_INT(run_mall("--out", "/tmp/x", "--open", "9:60", NULL), 2);
    CHECK_EQ_STR(err_message(), "--open expects a time of day HH or HH:MM from 00:00 to 23:59, got '9:60'");
    CHECK_EQ_INT(run_mall("--out", "/tmp/x", "--open", "12", "--close", "12:59", NULL), 2);
    CHECK_EQ_STR(err_message(), "--open 12:00 must be at least an hour before --close 12:59");
    CHECK_EQ_INT(run_mall("--out", "/tmp/x", "--quiet=yes", NULL), 2);
    CHECK_EQ_STR(err_message(), "--quiet takes no value, got '--quiet=yes'");
    CHECK_EQ_INT(run_mall("--out", "/tmp/x", "--tz", "Mars/Olympus", NULL), 2);
    CHECK(strncmp(err_message(), "--tz: unknown time zone 'Mars/Olympus'", 38) == 0);
    CHECK_EQ_INT(run_mall("--out", "/dev/null/sub", NULL), 1);
    CHECK_EQ_STR(err_message(), "cannot create directory '/dev/null/sub': Not a directory");

    char *gen_unknown[] = {(char *)"gen", (char *)"shop", NULL};
    CHECK_EQ_INT(gen_main(2, gen_unknown), 2);
    char *gen_none[] = {(char *)"gen", NULL};
    CHECK_EQ_INT(gen_main(1, gen_none), 2);
    char *gen_bad[] = {(char *)"gen", (char *)"mall", (char *)"--days", (char *)"x", NULL};
    CHECK_EQ_INT(gen_main(4, gen_bad), 2);
    CHECK_EQ_STR(err_message(), "--days expects an integer from 1 to 3660, got 'x'");
}

/* The accepted side of each boundary. */
TEST(boundary_values_accepted)
{
    char *dir = make_temp_dir();
    CHECK_EQ_INT(run_mall("--out", dir, "--customers", "1", "--shops", "1", "--aps-per-shop", "8", "--disorder", "3600",
                          "--start", "2024-02-29", "--open", "12", "--close", "13", "--seed", "18446744073709551615", NULL), 0);
    wifi_data w = load_wifi(dir);
    CHECK(w.n > 0);
    CHECK_EQ_INT(w.malformed, 0);
    int bad = 0;
    for (int i = 0; i < w.n; i++)
        bad += strcmp(w.rows[i].pt, "20240229") || strcmp(w.rows[i].shop, "S001") || local_second(w.rows[i].t) < 12 * 3600 ||
               local_second(w.rows[i].t) >= 13 * 3600;
    CHECK_EQ_INT(bad, 0);
    CHECK(max_lateness(&w) <= 3600);
    free(w.rows);
    remove_dir(dir);
    CHECK_EQ_INT(run_mall("--out", dir, "--customers", "3", "--shops", "999", "--open", "0", "--close", "24:00", "--format=json", NULL), 0);
    char *shops = slurp(dir, "area_shop.json", NULL);
    CHECK(shops && count_lines(shops) == 999 && strstr(shops, "{\"id\":999,\"shop_code\":\"S999\",\"shop_name\":\"") != NULL);
    free(shops);
    remove_dir(dir);
    free(dir);
}

int main(void)
{
    base_dir = make_temp_dir();
    if (!base_dir || run_base_into(base_dir) != 0) {
        fprintf(stderr, "cannot generate the base data set: %s\n", err_message());
        return 1;
    }
    base = load_wifi(base_dir);
    RUN(deterministic_for_a_seed);
    RUN(rows_are_well_formed);
    RUN(rows_within_opening_hours);
    RUN(disorder_is_bounded);
    RUN(shop_codes_exist_in_area_shop);
    RUN(returning_customers_staff_and_randomized_macs);
    RUN(arrivals_peak_at_lunch_and_evening);
    RUN(place_info_coverage_and_fixes);
    RUN(sqlite_tables);
    RUN(json_format);
    RUN(bad_arguments);
    RUN(boundary_values_accepted);
    free(base.rows);
    remove_dir(base_dir);
    free(base_dir);
    return CHECK_DONE();
}
