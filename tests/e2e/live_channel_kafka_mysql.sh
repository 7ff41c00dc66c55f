#!/usr/bin/env bash
# live_channel_kafka_mysql.sh - generator -> Kafka -> eddy -> MariaDB: seed 004's GMV job
# (jobs/channel_gmv/channel_gmv.sql, Flink 1.10 "connector.type" options: a kafka source and a
# jdbc:mysql sink) run as written, only bound with -D to librdkafka's mock cluster and a
# MariaDB server on loopback, gives row for row the table of the same job run over the
# generated file into SQLite (all columns but flink_current_time, the wall clock at writing;
# the GMV, a sum of doubles added and retracted in another order, to the cent).
#   1. bounded: the orders are produced first, the job reads the topic from the earliest to
#      the latest offset (scan.bounded.mode) and ends by itself.
#   2. live, with a restart: the job reads an unbounded topic while `eddy gen --rate` produces
#      the orders over ~8 s; MariaDB is restarted in the middle; the sink warns, reconnects
#      and writes its buffered changes again. Once the table holds the reference (or after a
#      deadline) the job is stopped with SIGINT, which flushes the sink; then no row may be
#      missing or different.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"                                   # the jobs name their files from the repository root
EDDY=${EDDY:-$root/build/eddy}
BUILD=${BUILD:-$root/build}
MOCK=${KAFKA_MOCK:-$BUILD/eddy-kafka-mock}
work=${TMPDIR:-/tmp}
me=live_channel_kafka_mysql

[ -x "$EDDY" ] || { echo "$me: $EDDY is not built"; exit 77; }
[ -x "$MOCK" ] || { echo "$me: $MOCK is not built (make $MOCK)"; exit 77; }
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || { echo "$me: MariaDB (mariadbd) is not installed"; exit 77; }
command -v mariadb-install-db >/dev/null 2>&1 || { echo "$me: mariadb-install-db is not installed"; exit 77; }
command -v sqlite3 >/dev/null || { echo "$me: sqlite3 is not installed"; exit 77; }
export KAFKA_MOCK=$MOCK

eddy_pid=""
gen_pid=""
cleanup() {
  [ -n "$eddy_pid" ] && kill "$eddy_pid" 2>/dev/null || true
  [ -n "$gen_pid" ] && kill "$gen_pid" 2>/dev/null || true
  bash "$root/tests/services/kafka.sh" stop "$work/kafka" >/dev/null 2>&1 || true
  bash "$root/tests/services/mariadb.sh" stop "$work/db" >/dev/null 2>&1 || true
}
trap cleanup EXIT

gen=(channel --orders 3000 --seed 5)
job=jobs/channel_gmv/channel_gmv.sql

# ---- the reference: the generated file into SQLite (channel_gmv.conf's bindings) ----
"$EDDY" gen "${gen[@]}" --out "$work/data" --quiet
"$EDDY" run "$job" --config jobs/channel_gmv/channel_gmv.conf --quiet \
  -D eddy.binding.table.trade_order_detail.path="$work/data/trade_order_detail.json" \
  -D eddy.binding.table.trade_channel_collect.url="jdbc:sqlite:$work/ref.db"
sqlite3 -separator $'\t' "$work/ref.db" "SELECT begin_time, channel_code, channel_name, printf('%.2f', cur_gmv),
  cur_order_user_count, cur_order_count, last_pay_time FROM trade_channel_collect" | sort >"$work/ref.rows"
[ "$(wc -l <"$work/ref.rows")" -eq 4 ] || { echo "$me: the reference has not the 4 channels:"; cat "$work/ref.rows"; exit 1; }

kafka=$(bash "$root/tests/services/kafka.sh" start "$work/kafka" trade_order_detail_info:3 trade_order_live:3)
db=$(bash "$root/tests/services/mariadb.sh" start "$work/db")
mysql() { mariadb --no-defaults -h "${db%:*}" -P "${db##*:}" -u eddy eddy --batch --skip-column-names -e "$1"; }
live_rows() {
  mysql "SELECT begin_time, channel_code, channel_name, CAST(cur_gmv AS DECIMAL(20, 2)), cur_order_user_count,
    cur_order_count, last_pay_time FROM trade_channel_collect" 2>/dev/null | sort
}
compare() {   # $1 = what
  live_rows >"$work/live.rows"
  if ! diff "$work/ref.rows" "$work/live.rows" >"$work/rows.diff"; then
    echo "$me: $1: trade_channel_collect differs (< file run into SQLite, > live run into MariaDB):"
    cat "$work/rows.diff"; exit 1
  fi
  [ -z "$(mysql "SELECT 1 FROM trade_channel_collect WHERE flink_current_time IS NULL OR flink_current_time NOT LIKE '20__-__-__ __:__:__%'")" ] ||
    { echo "$me: $1: flink_current_time is not a timestamp:"; mysql "SELECT * FROM trade_channel_collect"; exit 1; }
}
bind=(-D eddy.binding.kafka.properties.bootstrap.servers="$kafka"
      -D eddy.binding.kafka.scan.startup.mode=earliest-offset
      -D eddy.binding.jdbc.url="jdbc:mysql://$db/eddy" -D eddy.binding.jdbc.username=eddy)

# ---- 1: produced first, then read from the earliest to the latest offset ----
"$EDDY" gen "${gen[@]}" --to "kafka://$kafka" --quiet
"$EDDY" run "$job" "${bind[@]}" -D eddy.binding.kafka.scan.bounded.mode=latest-offset >"$work/bounded.out" 2>&1 ||
  { echo "$me: the bounded run failed:"; cat "$work/bounded.out"; exit 1; }
grep -Eq '^source trade_order_detail +rows in +3297 +skipped +0 ' "$work/bounded.out" ||
  { echo "$me: the bounded run did not read the 3297 records:"; cat "$work/bounded.out"; exit 1; }
compare "bounded run"
echo "$me: bounded: 3297 records from Kafka, 4 rows equal to the file run"

# ---- 2: live while the orders are produced, MariaDB restarted in the middle ----
mysql "DROP TABLE trade_channel_collect"
"$EDDY" run "$job" "${bind[@]}" -D eddy.binding.kafka.topic=trade_order_live >"$work/live.out" 2>"$work/live.err" &
eddy_pid=$!
"$EDDY" gen "${gen[@]}" --topic trade_order_live --rate 400 --to "kafka://$kafka" --quiet &
gen_pid=$!
for _ in $(seq 1 100); do
  [ -n "$(mysql "SELECT 1 FROM trade_channel_collect LIMIT 1" 2>/dev/null)" ] && break
  sleep 0.1
done
sleep 2
kill -0 "$gen_pid" 2>/dev/null || { echo "$me: the producer ended before the restart; the restart would not be mid-run"; exit 1; }
before=$(mysql "SELECT SUM(cur_order_count) FROM trade_channel_collect")
bash "$root/tests/services/mariadb.sh" restart "$work/db" >/dev/null
kill -0 "$gen_pid" 2>/dev/null || echo "$me: note: the producer ended during the restart"
wait "$gen_pid"
gen_pid=""
for _ in $(seq 1 250); do
  live_rows >"$work/live.rows"
  cmp -s "$work/ref.rows" "$work/live.rows" && break
  sleep 0.1
done
kill -0 "$eddy_pid" || { echo "$me: the unbounded job ended by itself:"; cat "$work/live.err"; exit 1; }
kill -INT "$eddy_pid"
rc=0
wait "$eddy_pid" || rc=$?
eddy_pid=""
[ $rc -eq 0 ] || { echo "$me: the live job exited $rc after SIGINT:"; cat "$work/live.err"; exit 1; }
grep -q "eddy: warning: jdbc sink of table 'trade_channel_collect' .*MySQL.*failed: .*; retry 1 of 3 in 1 s" "$work/live.err" ||
  { echo "$me: no retry warning: the restart did not hit a flush:"; cat "$work/live.err"; exit 1; }
grep -Eq '^source trade_order_detail +rows in +3297 +skipped +0 ' "$work/live.err" ||
  { echo "$me: the live run did not read the 3297 records:"; cat "$work/live.err"; exit 1; }
compare "live run with a restart"
echo "$me: live: 3297 records at 400/s, MariaDB restarted with $before of $(awk -F"\t" "{ n += \$6 } END { print n }" "$work/ref.rows") orders counted, 4 rows equal to the file run"
