#!/usr/bin/env bash
# mysql_lookup_scan.sh - the jdbc connector against MariaDB inside real jobs: a lookup join
# (FOR SYSTEM_TIME AS OF, with a cache) enriching a CSV file and upserting into MariaDB,
# then a second job that scans that table (bounded jdbc source) and aggregates it into a
# print sink; both outputs compared row by row with the expected ones.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
service=$root/tests/services/mariadb.sh
EDDY=${EDDY:-$root/build/eddy}
TMPDIR=${TMPDIR:-/tmp}

command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || { echo "MariaDB (mariadbd) is not installed"; exit 77; }
command -v mariadb-install-db >/dev/null 2>&1 || { echo "mariadb-install-db is not installed"; exit 77; }
[ -x "$EDDY" ] || { echo "no eddy binary at $EDDY"; exit 77; }

work=$(mktemp -d "$TMPDIR/mysql_lookup_scan.XXXXXX")
trap '"$service" stop "$work/db" || true' EXIT

addr=$("$service" start "$work/db")
sql() { mariadb --no-defaults -h "${addr%:*}" -P "${addr#*:}" -u eddy eddy --batch --skip-column-names -e "$1"; }

sql "CREATE TABLE shop (code VARCHAR(10) PRIMARY KEY, name VARCHAR(40), opened DATETIME(3), rent DECIMAL(8, 2));
     INSERT INTO shop VALUES ('S001', 'Starbucks', '2020-01-01 09:00:00.5', 1200.50),
                             ('S002', 'Uniqlo ''Ginza''', '2019-06-30 10:00:00', 3000.00),
                             ('S003', 'Café 日本', NULL, NULL);"

cat >"$work/visits.csv" <<'EOF'
S001,aa:01,3
S002,aa:02,5
S009,aa:03,1
S001,aa:04,2
S003,aa:05,7
,aa:06,1
S002,aa:07,4
EOF

cat >"$work/enrich.sql" <<EOF
CREATE TABLE visits (code STRING, mac STRING, minutes INT, pt AS PROCTIME())
WITH ('connector' = 'filesystem', 'path' = '$work/visits.csv', 'format' = 'csv', 'csv.null-literal' = '');
CREATE TABLE shop (code STRING, name STRING, opened TIMESTAMP(3), rent DECIMAL(8, 2),
                   PRIMARY KEY (code) NOT ENFORCED)
WITH ('connector' = 'jdbc', 'url' = 'jdbc:mysql://$addr/eddy', 'username' = 'eddy_pw', 'password' = 'secret',
      'table-name' = 'shop', 'lookup.cache' = 'PARTIAL', 'lookup.partial-cache.max-rows' = '100');
CREATE TABLE visit_shop (mac STRING, code STRING, name STRING, opened TIMESTAMP(3), rent DECIMAL(8, 2), minutes INT,
                         PRIMARY KEY (mac) NOT ENFORCED)
WITH ('connector' = 'jdbc', 'url' = 'jdbc:mysql://$addr/eddy', 'username' = 'eddy', 'table-name' = 'visit_shop');
INSERT INTO visit_shop
SELECT v.mac, v.code, s.name, s.opened, s.rent, v.minutes
FROM visits AS v LEFT JOIN shop FOR SYSTEM_TIME AS OF v.pt AS s ON v.code = s.code;
EOF
"$EDDY" run "$work/enrich.sql" >"$work/enrich.out" 2>"$work/enrich.err" || { cat "$work/enrich.err"; exit 1; }

sql "SELECT mac, IFNULL(code, 'NULL'), IFNULL(name, 'NULL'), IFNULL(opened, 'NULL'), IFNULL(rent, 'NULL'), minutes
     FROM visit_shop ORDER BY mac" >"$work/visit_shop.txt"
cat >"$work/visit_shop.expected" <<'EOF'
aa:01	S001	Starbucks	2020-01-01 09:00:00.500000	1200.50	3
aa:02	S002	Uniqlo 'Ginza'	2019-06-30 10:00:00.000000	3000.00	5
aa:03	S009	NULL	NULL	NULL	1
aa:04	S001	Starbucks	2020-01-01 09:00:00.500000	1200.50	2
aa:05	S003	Café 日本	NULL	NULL	7
aa:06	NULL	NULL	NULL	NULL	1
aa:07	S002	Uniqlo 'Ginza'	2019-06-30 10:00:00.000000	3000.00	4
EOF
diff "$work/visit_shop.expected" "$work/visit_shop.txt" || { echo "visit_shop differs (< expected, > actual)"; exit 1; }

cat >"$work/scan.sql" <<EOF
CREATE TABLE visit_shop (mac STRING, code STRING, name STRING, opened TIMESTAMP(3), rent DECIMAL(8, 2), minutes INT)
WITH ('connector' = 'jdbc', 'url' = 'jdbc:mysql://$addr/eddy?user=eddy', 'table-name' = 'visit_shop');
CREATE TABLE per_shop (name STRING, visits BIGINT, minutes INT, rent DECIMAL(8, 2))
WITH ('connector' = 'print', 'print-identifier' = 'shop');
INSERT INTO per_shop
SELECT name, COUNT(*), SUM(minutes), MAX(rent) FROM visit_shop WHERE name IS NOT NULL GROUP BY name;
EOF
"$EDDY" run "$work/scan.sql" >"$work/scan.out" 2>"$work/scan.err" || { cat "$work/scan.err"; exit 1; }
# The final row per shop (the last +I / +U of each name).
awk -F'[][]' '/^shop> \+[IU]/ { split($2, f, ", "); last[f[1]] = $2 } END { for (k in last) print last[k] }' \
  "$work/scan.out" | LC_ALL=C sort >"$work/per_shop.txt"
cat >"$work/per_shop.expected" <<'EOF'
Café 日本, 1, 7, null
Starbucks, 2, 5, 1200.50
Uniqlo 'Ginza', 2, 9, 3000.00
EOF
diff "$work/per_shop.expected" "$work/per_shop.txt" || { echo "per_shop differs (< expected, > actual)"; cat "$work/scan.out"; exit 1; }
grep -q "^source visit_shop  *rows in  *7 " "$work/scan.err" || { echo "expected the scan to read 7 rows:"; cat "$work/scan.err"; exit 1; }
echo "ok: lookup join and scan against MariaDB"
