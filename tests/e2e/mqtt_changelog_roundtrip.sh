#!/usr/bin/env bash
# mqtt_changelog_roundtrip.sh - an updating result through a real Mosquitto broker
# (tests/services/mosquitto.sh) and back: job 1 reads orders published with mosquitto_pub
# (MQTT source, 'scan.bounded.message-count'), keeps per-shop totals (GROUP BY: updates) and
# publishes them with an MQTT sink in 'debezium-json' at QoS 2 while printing the same
# changelog; job 2, subscribed before, reads the debezium-json messages back (MQTT source,
# 'scan.bounded.idle-timeout') and prints them. Both changelogs, applied, give exactly the
# expected totals; a raw subscriber sees one message per changelog row.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
EDDY=${EDDY:-$root/build/eddy}
tmp=${TMPDIR:-/tmp}
svc=$tmp/mosquitto
services=$root/tests/services/mosquitto.sh
me=mqtt_changelog_roundtrip

[ -x "$EDDY" ] || { echo "$me: $EDDY is not built"; exit 77; }
command -v mosquitto_pub >/dev/null || { echo "$me: mosquitto_pub is not installed (mosquitto-clients)"; exit 77; }
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || { echo "$me: mosquitto is not installed"; exit 77; }

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  bash "$services" stop "$svc" || true
}
trap cleanup EXIT

addr=$(bash "$services" start "$svc")
host=${addr%:*}
port=${addr##*:}

cat >"$tmp/job1.sql" <<EOF
CREATE TABLE orders (id BIGINT, shop STRING, amount DOUBLE) WITH (
  'connector' = 'mqtt', 'host' = '$host', 'port' = '$port', 'topic' = 'e2e/orders',
  'client-id' = 'eddy-e2e-orders', 'format' = 'json', 'scan.bounded.message-count' = '6');
CREATE TABLE totals (shop STRING, n BIGINT, total DOUBLE) WITH (
  'connector' = 'mqtt', 'host' = '$host', 'port' = '$port', 'topic' = 'e2e/totals', 'qos' = '2',
  'format' = 'debezium-json');
CREATE TABLE echo (shop STRING, n BIGINT, total DOUBLE) WITH ('connector' = 'print');
INSERT INTO totals SELECT shop, COUNT(*), SUM(amount) FROM orders GROUP BY shop;
INSERT INTO echo SELECT shop, COUNT(*), SUM(amount) FROM orders GROUP BY shop;
EOF
cat >"$tmp/job2.sql" <<EOF
CREATE TABLE totals (shop STRING, n BIGINT, total DOUBLE) WITH (
  'connector' = 'mqtt', 'hostUrl' = 'tcp://$host:$port', 'sourceTopics' = 'e2e/totals', 'qos' = '2',
  'client-id' = 'eddy-e2e-totals', 'format' = 'debezium-json', 'scan.bounded.idle-timeout' = '2 s');
CREATE TABLE echo (shop STRING, n BIGINT, total DOUBLE) WITH ('connector' = 'print');
INSERT INTO echo SELECT * FROM totals;
EOF

# Job 2 and a raw subscriber listen first; then job 1 runs while the orders arrive.
"$EDDY" run "$tmp/job2.sql" >"$tmp/job2.out" 2>"$tmp/job2.err" &
job2=$!; pids+=("$job2")
bash "$services" wait-subscribed "$svc" eddy-e2e-totals
mosquitto_sub -h "$host" -p "$port" -i eddy-e2e-raw -q 2 -t e2e/totals -W 30 >"$tmp/raw" &
pids+=("$!")
bash "$services" wait-subscribed "$svc" eddy-e2e-raw
"$EDDY" run "$tmp/job1.sql" >"$tmp/job1.out" 2>"$tmp/job1.err" &
job1=$!; pids+=("$job1")
bash "$services" wait-subscribed "$svc" eddy-e2e-orders
# Spaced out, so that the totals change between chunks and the sink sees updates.
for m in '{"id":1,"shop":"a","amount":10.5}' '{"id":2,"shop":"b","amount":3.25}' '{"id":3,"shop":"a","amount":4.5}' \
         '{"id":4,"shop":"c","amount":1.0}' '{"id":5,"shop":"b","amount":0.75}' '{"id":6,"shop":"a","amount":2.0}'; do
  mosquitto_pub -h "$host" -p "$port" -q 1 -t e2e/orders -m "$m"
  sleep 0.2
done
wait "$job1" || { echo "$me: job 1 failed:"; cat "$tmp/job1.err"; exit 1; }
wait "$job2" || { echo "$me: job 2 failed:"; cat "$tmp/job2.err"; exit 1; }

# Applies a printed changelog ("+I[a, 1, 2.0]" lines): the rows left, sorted.
final_rows() {
  awk '{ op = substr($0, 1, 2); row = substr($0, 3)
         if (op == "+I" || op == "+U") n[row]++; else if (op == "-U" || op == "-D") n[row]--; else bad = 1 }
       END { for (r in n) for (i = 0; i < n[r]; i++) print r; exit bad }' "$1" | sort
}
cat >"$tmp/expected" <<'EOF'
[a, 3, 17.0]
[b, 2, 4.0]
[c, 1, 1.0]
EOF
for j in job1 job2; do
  final_rows "$tmp/$j.out" >"$tmp/$j.final" || { echo "$me: $j printed an unexpected line:"; cat "$tmp/$j.out"; exit 1; }
  if ! cmp -s "$tmp/expected" "$tmp/$j.final"; then
    echo "$me: $j's changelog gives other totals (< expected, > actual):"
    diff "$tmp/expected" "$tmp/$j.final" || true
    cat "$tmp/$j.out"
    exit 1
  fi
done
rows1=$(wc -l <"$tmp/job1.out"); rows2=$(wc -l <"$tmp/job2.out"); raw=$(wc -l <"$tmp/raw")
grep -q '^-U\[' "$tmp/job1.out" || { echo "$me: job 1 produced no updates:"; cat "$tmp/job1.out"; exit 1; }
[ "$rows1" = "$rows2" ] && [ "$rows1" = "$raw" ] ||
  { echo "$me: $rows1 changelog rows printed, $raw messages published, $rows2 rows read back"; exit 1; }
echo "$me: $rows1 changelog rows through MQTT, final totals as expected"
