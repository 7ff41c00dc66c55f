#!/usr/bin/env bash
# postgres_scan_lookup.sh - jobs that read PostgreSQL: (1) a bounded scan of 'orders' joined
# with the dimension table 'shops' by a lookup join (FOR SYSTEM_TIME AS OF), aggregated per
# city into an upsert table; (2) a copy of a table holding every type (NULLs, quotes,
# unicode, NUMERIC, TIMESTAMP(3), TIMESTAMPTZ across a non-UTC session zone, DATE, INTERVAL)
# through eddy into a table eddy creates. PostgreSQL's own queries are the expected results,
# compared row by row.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL is not installed ($PGBIN/initdb missing)"; exit 77; }
[ -x "${EDDY:-}" ] || { echo "EDDY is not set to a built eddy"; exit 77; }
services=$(cd "$(dirname "$0")/../services" && pwd)
work=${TMPDIR:-/tmp}
pg=$work/pg
trap '"$services/postgres.sh" stop "$pg"' EXIT
addr=$("$services/postgres.sh" start "$pg")
port=${addr##*:}
psql_run() { "$PGBIN/psql" -X -q -At -F '|' -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U eddy -d eddy "$@"; }
url="jdbc:postgresql://$addr/eddy"

same_rows() {   # $1 = name, $2 = expected query, $3 = actual query
  psql_run -c "$2" >"$work/expected_$1"
  psql_run -c "$3" >"$work/actual_$1"
  if ! cmp -s "$work/expected_$1" "$work/actual_$1"; then
    echo "$1 differs from the expected rows (< expected, > actual):"
    diff "$work/expected_$1" "$work/actual_$1" | head -20
    exit 1
  fi
  [ -s "$work/actual_$1" ] || { echo "$1 is empty"; exit 1; }
}

# ---- 1: scan + lookup join + aggregate ----
psql_run <<'EOF'
CREATE TABLE shops (shop_code TEXT PRIMARY KEY, shop_name TEXT, city TEXT);
INSERT INTO shops SELECT 'S' || g, 'shop ' || g, 'city-' || (g % 7) FROM generate_series(1, 50) g;
CREATE TABLE orders (order_id BIGINT PRIMARY KEY, shop_code TEXT, amount NUMERIC(10, 2), ts TIMESTAMP(3));
INSERT INTO orders SELECT g, 'S' || (g % 60), (g % 1000) / 10.0, TIMESTAMP '2024-01-01' + g * INTERVAL '1 second'
FROM generate_series(1, 30000) g;
EOF
cat >"$work/join.sql" <<EOF
CREATE TABLE orders (order_id BIGINT, shop_code STRING, amount DECIMAL(10, 2), ts TIMESTAMP(3), pt AS PROCTIME())
  WITH ('connector' = 'jdbc', 'url' = '$url', 'username' = 'eddy', 'table-name' = 'orders', 'scan.fetch-size' = '2000');
CREATE TABLE shops (shop_code STRING, shop_name STRING, city STRING, PRIMARY KEY (shop_code) NOT ENFORCED)
  WITH ('connector' = 'jdbc', 'url' = '$url', 'username' = 'eddy', 'table-name' = 'shops',
        'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '1000');
CREATE TABLE city_totals (city STRING, orders BIGINT, amount DECIMAL(20, 2), PRIMARY KEY (city) NOT ENFORCED)
  WITH ('connector' = 'jdbc', 'url' = '$url', 'username' = 'eddy', 'table-name' = 'city_totals');
INSERT INTO city_totals
SELECT s.city, COUNT(*), SUM(o.amount)
FROM orders AS o JOIN shops FOR SYSTEM_TIME AS OF o.pt AS s ON o.shop_code = s.shop_code
GROUP BY s.city;
EOF
"$EDDY" run "$work/join.sql" >"$work/join.out" 2>"$work/join.err" || { cat "$work/join.err"; exit 1; }
same_rows city_totals \
  "SELECT city, count(*), sum(amount) FROM orders JOIN shops USING (shop_code) GROUP BY city ORDER BY city" \
  "SELECT city, orders, amount FROM city_totals ORDER BY city"

# ---- 2: every type through eddy ----
psql_run <<'EOF'
CREATE TABLE typed (id INTEGER PRIMARY KEY, b BOOLEAN, big BIGINT, d DOUBLE PRECISION, n NUMERIC(12, 3),
  s TEXT, v VARCHAR(30), day DATE, ts TIMESTAMP(3), tz TIMESTAMP(3) WITH TIME ZONE, iv INTERVAL);
SET TimeZone = 'America/New_York';
INSERT INTO typed VALUES
  (1, true, 9223372036854775807, 1.5, 123456789.125, 'it''s "quoted", \back', 'é 中文 🙂', '2024-02-29',
   '2024-02-29 23:59:59.999', '2024-03-10 02:30:00-05', '1 day 02:03:04.5'),
  (2, false, -9223372036854775808, -2.5e-300, -0.001, '', '', '1970-01-01', '1969-12-31 23:59:59.001',
   '1970-01-01 00:00:00+00', '-3 hours'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, true, 0, 'Infinity', 0, 'line1
line2', 'tab	here', '0001-01-01', '2000-01-01 00:00:00', '2038-01-19 03:14:07.123+00', '0');
EOF
cat >"$work/copy.sql" <<EOF
CREATE TABLE typed (id INT, b BOOLEAN, big BIGINT, d DOUBLE, n DECIMAL(12, 3), s STRING, v VARCHAR(30), day DATE,
  ts TIMESTAMP(3), tz TIMESTAMP_LTZ(3), iv INTERVAL DAY TO SECOND)
  WITH ('connector' = 'jdbc', 'url' = '$url', 'username' = 'eddy', 'table-name' = 'typed');
CREATE TABLE typed_copy (id INT, b BOOLEAN, big BIGINT, d DOUBLE, n DECIMAL(12, 3), s STRING, v VARCHAR(30), day DATE,
  ts TIMESTAMP(3), tz TIMESTAMP_LTZ(3), iv INTERVAL DAY TO SECOND, PRIMARY KEY (id) NOT ENFORCED)
  WITH ('connector' = 'jdbc', 'url' = '$url', 'username' = 'eddy', 'table-name' = 'public.typed_copy');
INSERT INTO typed_copy SELECT * FROM typed;
EOF
"$EDDY" run "$work/copy.sql" -D table.local-time-zone=Asia/Shanghai >"$work/copy.out" 2>"$work/copy.err" ||
  { cat "$work/copy.err"; exit 1; }
same_rows typed "SELECT * FROM typed ORDER BY id" "SELECT * FROM typed_copy ORDER BY id"
echo "city_totals: $(psql_run -c "SELECT count(*) FROM city_totals") rows, typed_copy: $(psql_run -c "SELECT count(*) FROM typed_copy") rows, as expected"
