#!/usr/bin/env bash
# kafka_sink_roundtrip.sh - jobs write Kafka topics on librdkafka's mock cluster
# (tests/services/kafka.sh) and the records are read back and checked against the sqlite3 CLI
# over the same input: (1) a 'kafka' sink with a JSON key ('key.fields') and value; (2) an
# 'upsert-kafka' sink fed by an updating GROUP BY, whose last record per key must be the final
# aggregate; (3) after two tombstones and one new value are appended to that topic (in the
# partitions of their keys), an 'upsert-kafka' source reads it back (bounded) into a JDBC
# SQLite table with a primary key, which must equal the aggregate with those changes; (4)
# 'exactly-once' delivery through a transaction.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
EDDY=${EDDY:-$root/build/eddy}
BUILD=${BUILD:-$root/build}
MOCK=${KAFKA_MOCK:-$BUILD/eddy-kafka-mock}
tmp=${TMPDIR:-/tmp}
svc=$tmp/kafka
services=$root/tests/services/kafka.sh
name=kafka_sink_roundtrip

[ -x "$EDDY" ] || { echo "$name: $EDDY is not built"; exit 77; }
[ -x "$MOCK" ] || { echo "$name: $MOCK is not built (make $MOCK)"; exit 77; }
command -v sqlite3 >/dev/null || { echo "$name: sqlite3 is not installed"; exit 77; }
export KAFKA_MOCK=$MOCK

trap 'bash "$services" stop "$svc" || true' EXIT
addr=$(bash "$services" start "$svc" orders_out:3 shop_totals:2 txn_out:1)

mkdir -p "$tmp/in"
awk 'BEGIN {
  for (i = 1; i <= 5000; i++)     # shop00 gets half as many orders as the six others
    printf "%d,shop%02d,%d,%d,%s\n", i, (i * i) % 13, 1 + (i * 31) % 9, 100 + (i * 17) % 4900,
      strftime("%Y-%m-%d %H:%M:%S", 1714557600 + i, 1)
}' >"$tmp/in/orders.csv"
sqlite3 "$tmp/oracle.db" <<EOF
CREATE TABLE orders (id INTEGER, shop TEXT, qty INTEGER, price_cents INTEGER, ts TEXT);
.mode csv
.import $tmp/in/orders.csv orders
EOF

orders_table="CREATE TABLE orders (id BIGINT, shop STRING, qty INT, price_cents BIGINT, ts TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = '$tmp/in', 'format' = 'csv');"

run_job() {   # $1 = job file, $2 = what
  "$EDDY" run "$1" >"$1.out" 2>"$1.err" || { echo "$name: $2 failed:"; cat "$1.err"; exit 1; }
}

compare() {   # $1 = what, $2 = expected file, $3 = actual file
  if ! cmp -s "$2" "$3"; then
    echo "$name: $1 differs from sqlite3 (< expected, > actual):"
    diff "$2" "$3" | head -20 || true
    exit 1
  fi
}

# ---- 1: keyed JSON records ----
cat >"$tmp/job1.sql" <<EOF
$orders_table
CREATE TABLE orders_out (id BIGINT, shop STRING, total_cents BIGINT) WITH (
  'connector' = 'kafka',
  'topic' = 'orders_out',
  'properties.bootstrap.servers' = '$addr',
  'key.format' = 'json',
  'key.fields' = 'id',
  'value.format' = 'json'
);
INSERT INTO orders_out SELECT id, shop, qty * price_cents FROM orders WHERE qty > 2;
EOF
run_job "$tmp/job1.sql" "the kafka sink job"
"$MOCK" --consume "$addr" orders_out --key-sep '|' | sort >"$tmp/orders_out.actual"
sqlite3 "$tmp/oracle.db" "SELECT printf('{\"id\":%d}|{\"id\":%d,\"shop\":\"%s\",\"total_cents\":%d}', id, id, shop,
  qty * price_cents) FROM orders WHERE qty > 2" | sort >"$tmp/orders_out.expected"
compare "topic orders_out" "$tmp/orders_out.expected" "$tmp/orders_out.actual"
[ "$("$MOCK" --consume "$addr" orders_out --with-partition | cut -f1 | sort -u | wc -l)" = 3 ] ||
  { echo "$name: the keyed records did not spread over the 3 partitions"; exit 1; }

# ---- 2: an updating aggregate into upsert-kafka ----
cat >"$tmp/job2.sql" <<EOF
$orders_table
CREATE TABLE shop_totals (shop STRING, orders BIGINT, items BIGINT, PRIMARY KEY (shop) NOT ENFORCED) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'shop_totals',
  'properties.bootstrap.servers' = '$addr',
  'key.format' = 'json',
  'value.format' = 'json',
  'value.fields-include' = 'EXCEPT_KEY'
);
INSERT INTO shop_totals SELECT shop, COUNT(*), SUM(qty) FROM orders GROUP BY shop;
EOF
run_job "$tmp/job2.sql" "the upsert-kafka sink job"
"$MOCK" --consume "$addr" shop_totals --key-sep '|' >"$tmp/shop_totals.records"
awk -F'|' '{ last[$1] = $2 } END { for (k in last) print k "|" last[k] }' "$tmp/shop_totals.records" |
  sort >"$tmp/shop_totals.actual"
sqlite3 "$tmp/oracle.db" "SELECT printf('{\"shop\":\"%s\"}|{\"orders\":%d,\"items\":%d}', shop, COUNT(*), SUM(qty))
  FROM orders GROUP BY shop" | sort >"$tmp/shop_totals.expected"
[ "$(wc -l <"$tmp/shop_totals.records")" -gt "$(wc -l <"$tmp/shop_totals.expected")" ] ||
  { echo "$name: the aggregate wrote no updates"; exit 1; }
compare "the last record per key of shop_totals" "$tmp/shop_totals.expected" "$tmp/shop_totals.actual"

# ---- 3: delete two shops and change one, then read the topic back into a keyed SQLite table ----
partition_of() { "$MOCK" --consume "$addr" shop_totals --key-sep '|' --with-partition |
  awk -F'\t' -v k="{\"shop\":\"$1\"}" 'index($2, k "|") == 1 { print $1; exit }'; }
for shop in shop01 shop03; do
  printf '{"shop":"%s"}|\\N\n' "$shop" | "$MOCK" --produce "$addr" shop_totals --key-sep '|' --partition "$(partition_of "$shop")"
done
printf '{"shop":"shop04"}|{"orders":1,"items":2}\n' |
  "$MOCK" --produce "$addr" shop_totals --key-sep '|' --partition "$(partition_of shop04)"
cat >"$tmp/job3.sql" <<EOF
CREATE TABLE shop_totals (shop STRING, orders BIGINT, items BIGINT, PRIMARY KEY (shop) NOT ENFORCED) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'shop_totals',
  'properties.bootstrap.servers' = '$addr',
  'key.format' = 'json',
  'value.format' = 'json',
  'value.fields-include' = 'EXCEPT_KEY',
  'scan.bounded.mode' = 'latest-offset'
);
CREATE TABLE totals (shop STRING, orders BIGINT, items BIGINT, PRIMARY KEY (shop) NOT ENFORCED) WITH (
  'connector' = 'jdbc',
  'url' = 'jdbc:sqlite:$tmp/totals.db',
  'table-name' = 'totals'
);
INSERT INTO totals SELECT shop, orders, items FROM shop_totals;
EOF
run_job "$tmp/job3.sql" "the upsert-kafka source job"
sqlite3 -separator , "$tmp/totals.db" "SELECT shop, orders, items FROM totals ORDER BY shop" >"$tmp/totals.actual"
sqlite3 -separator , "$tmp/oracle.db" "SELECT shop, CASE shop WHEN 'shop04' THEN 1 ELSE COUNT(*) END,
  CASE shop WHEN 'shop04' THEN 2 ELSE SUM(qty) END FROM orders WHERE shop NOT IN ('shop01', 'shop03')
  GROUP BY shop ORDER BY shop" >"$tmp/totals.expected"
compare "the table read back from shop_totals" "$tmp/totals.expected" "$tmp/totals.actual"

# ---- 4: exactly-once ----
cat >"$tmp/job4.sql" <<EOF
$orders_table
CREATE TABLE txn_out (id BIGINT, shop STRING) WITH (
  'connector' = 'kafka',
  'topic' = 'txn_out',
  'properties.bootstrap.servers' = '$addr',
  'format' = 'csv',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = 'eddy-e2e'
);
INSERT INTO txn_out SELECT id, shop FROM orders WHERE id % 10 = 0;
EOF
run_job "$tmp/job4.sql" "the exactly-once job"
"$MOCK" --consume "$addr" txn_out >"$tmp/txn_out.actual"
sqlite3 -separator , "$tmp/oracle.db" "SELECT id, shop FROM orders WHERE id % 10 = 0 ORDER BY id" >"$tmp/txn_out.expected"
compare "topic txn_out" "$tmp/txn_out.expected" "$tmp/txn_out.actual"

echo "$name: $(wc -l <"$tmp/orders_out.expected") keyed records, $(wc -l <"$tmp/totals.expected") upserted totals" \
  "(written, changed and read back) and $(wc -l <"$tmp/txn_out.expected") transactional records as expected"
