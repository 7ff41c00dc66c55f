#!/usr/bin/env bash
# kafka_json_to_filesystem.sh - jobs read JSON orders from a 3-partition topic on librdkafka's
# mock cluster (tests/services/kafka.sh) with 'scan.bounded.mode' = 'latest-offset' and write
# filesystem CSV sinks: (1) a filter and projection, with one malformed record skipped and
# counted ('json.ignore-parse-errors'); (2) a one-minute TUMBLE window per shop, whose
# watermark is kept per partition; (3) the same read without ignore-parse-errors fails naming
# the record's topic, partition and offset. The expected rows come from the sqlite3 CLI over
# the same orders, compared row by row.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
EDDY=${EDDY:-$root/build/eddy}
BUILD=${BUILD:-$root/build}
MOCK=${KAFKA_MOCK:-$BUILD/eddy-kafka-mock}
tmp=${TMPDIR:-/tmp}
svc=$tmp/kafka
services=$root/tests/services/kafka.sh
name=kafka_json_to_filesystem

[ -x "$EDDY" ] || { echo "$name: $EDDY is not built"; exit 77; }
[ -x "$MOCK" ] || { echo "$name: $MOCK is not built (make $MOCK)"; exit 77; }
command -v sqlite3 >/dev/null || { echo "$name: sqlite3 is not installed"; exit 77; }
export KAFKA_MOCK=$MOCK

trap 'bash "$services" stop "$svc" || true' EXIT
addr=$(bash "$services" start "$svc" orders:3)

# 3000 orders over 50 minutes, in time order; each record goes to partition id % 3.
awk 'BEGIN {
  for (i = 1; i <= 3000; i++) {
    s = 1714557600 + int(i * 1.0) - (i % 7 == 0 ? 1 : 0);
    printf "%d,shop%02d,%d,%d,%s\n", i, (i * 7) % 13, 1 + (i * 31) % 9, 100 + (i * 17) % 4900,
      strftime("%Y-%m-%d %H:%M:%S", s, 1)
  }
}' >"$tmp/orders.csv"
for p in 0 1 2; do
  awk -F, -v p="$p" '$1 % 3 == p {
    printf "{\"id\":%d,\"shop\":\"%s\",\"qty\":%d,\"price_cents\":%d,\"ts\":\"%s\"}\n", $1, $2, $3, $4, $5
  }' "$tmp/orders.csv" >"$tmp/part$p.json"
done
echo '{"id":3001,"shop":' >>"$tmp/part1.json"          # malformed, at partition 1 offset 1000
for p in 0 1 2; do "$MOCK" --produce "$addr" orders --partition "$p" <"$tmp/part$p.json"; done

sqlite3 "$tmp/oracle.db" <<EOF
CREATE TABLE orders (id INTEGER, shop TEXT, qty INTEGER, price_cents INTEGER, ts TEXT);
.mode csv
.import $tmp/orders.csv orders
EOF

source_table() {   # $1 = extra options
  cat <<EOF
CREATE TABLE orders (
  id BIGINT,
  shop STRING,
  qty INT,
  price_cents BIGINT,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'orders',
  'properties.bootstrap.servers' = '$addr',
  'properties.group.id' = 'e2e-orders',
  'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset',
  'format' = 'json'$1
);
EOF
}

compare() {   # $1 = what, $2 = expected file, $3 = actual file
  if ! cmp -s "$2" "$3"; then
    echo "$name: $1 differs from sqlite3 (< expected, > actual):"
    diff "$2" "$3" | head -20 || true
    exit 1
  fi
}

# ---- 1: filter and projection ----
{
  source_table ",
  'json.ignore-parse-errors' = 'true'"
  cat <<EOF
CREATE TABLE big (id BIGINT, shop STRING, total_cents BIGINT, ts TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = '$tmp/big', 'format' = 'csv');
INSERT INTO big SELECT id, UPPER(shop), qty * price_cents, ts FROM orders WHERE qty >= 5 AND shop <> 'shop03';
EOF
} >"$tmp/job1.sql"
"$EDDY" run "$tmp/job1.sql" >"$tmp/run1.out" 2>"$tmp/run1.err" ||
  { echo "$name: job 1 failed:"; cat "$tmp/run1.err"; exit 1; }
sort -t, -k1,1n "$tmp"/big/part-* >"$tmp/big.actual"
sqlite3 -separator , "$tmp/oracle.db" "SELECT id, UPPER(shop), qty * price_cents, ts FROM orders
  WHERE qty >= 5 AND shop <> 'shop03' ORDER BY id" >"$tmp/big.expected"
compare "the filtered orders" "$tmp/big.expected" "$tmp/big.actual"
grep -Eq '^source orders +rows in +3000 +skipped +1 ' "$tmp/run1.err" ||
  { echo "$name: unexpected summary:"; cat "$tmp/run1.err"; exit 1; }

# ---- 2: tumbling windows over the three partitions ----
{
  source_table ",
  'json.ignore-parse-errors' = 'true'"
  cat <<EOF
CREATE TABLE per_minute (shop STRING, window_start TIMESTAMP(3), orders BIGINT, items BIGINT)
WITH ('connector' = 'filesystem', 'path' = '$tmp/per_minute', 'format' = 'csv');
INSERT INTO per_minute
SELECT shop, window_start, COUNT(*), SUM(qty)
FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY shop, window_start, window_end;
EOF
} >"$tmp/job2.sql"
"$EDDY" run "$tmp/job2.sql" >"$tmp/run2.out" 2>"$tmp/run2.err" ||
  { echo "$name: job 2 failed:"; cat "$tmp/run2.err"; exit 1; }
sort "$tmp"/per_minute/part-* >"$tmp/per_minute.actual"
sqlite3 -separator , "$tmp/oracle.db" "SELECT shop, strftime('%Y-%m-%d %H:%M:00', ts), COUNT(*), SUM(qty) FROM orders
  GROUP BY shop, strftime('%Y-%m-%d %H:%M:00', ts)" | sort >"$tmp/per_minute.expected"
compare "the windows" "$tmp/per_minute.expected" "$tmp/per_minute.actual"
grep -Eq 'late +0 ' "$tmp/run2.err" || { echo "$name: rows were late:"; cat "$tmp/run2.err"; exit 1; }

# ---- 3: without ignore-parse-errors the malformed record fails the job ----
{
  source_table ""
  cat <<EOF
CREATE TABLE all_ids (id BIGINT) WITH ('connector' = 'filesystem', 'path' = '$tmp/all', 'format' = 'csv');
INSERT INTO all_ids SELECT id FROM orders;
EOF
} >"$tmp/job3.sql"
rc=0
"$EDDY" run "$tmp/job3.sql" >"$tmp/run3.out" 2>"$tmp/run3.err" || rc=$?
[ "$rc" = 1 ] || { echo "$name: a malformed record gave exit $rc:"; cat "$tmp/run3.err"; exit 1; }
grep -q "topic 'orders' partition 1 offset 1000" "$tmp/run3.err" ||
  { echo "$name: the error does not name the record:"; cat "$tmp/run3.err"; exit 1; }

echo "$name: $(wc -l <"$tmp/big.expected") filtered rows and $(wc -l <"$tmp/per_minute.expected") windows as" \
  "expected; the malformed record was skipped, then failed the strict job"
