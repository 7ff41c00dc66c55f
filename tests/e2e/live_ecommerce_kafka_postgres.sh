#!/usr/bin/env bash
# live_ecommerce_kafka_postgres.sh - replay -> Kafka -> eddy -> PostgreSQL: the course's real
# data of seed 001 (../shared/data/shangguigu-userbehavior) replayed by `eddy gen replay` into
# 3-partition topics of librdkafka's mock cluster - UserBehavior.csv (epoch seconds), the web
# server log apache.log (space-separated, dd/MM/yyyy:HH:mm:ss, up to 59 s out of order in the
# file) and OrderLog.csv - and four jobs of jobs/ecommerce, unchanged, bound to them with
# jobs/ecommerce/live-kafka.conf and to PostgreSQL with -D: hot_items (HOP + window Top-N),
# pv_uv (TUMBLE + COUNT DISTINCT), hot_pages (HOP + Top-N with a 1-minute watermark delay) and
# order_timeout (interval join and timeouts). The producer spreads records without a key over
# the partitions in batches (librdkafka's sticky partitioning), so a job's watermark is the
# minimum over partitions whose event times are far apart.
# Every result table equals, row by row, the one of the same job run over the files into
# SQLite; the sources read every record, none late.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"                                   # the jobs name their files from the repository root
EDDY=${EDDY:-$root/build/eddy}
BUILD=${BUILD:-$root/build}
MOCK=${KAFKA_MOCK:-$BUILD/eddy-kafka-mock}
work=${TMPDIR:-/tmp}
me=live_ecommerce_kafka_postgres
data=../shared/data/shangguigu-userbehavior        # as the jobs name it, from the repository root

[ -x "$EDDY" ] || { echo "$me: $EDDY is not built"; exit 77; }
[ -x "$MOCK" ] || { echo "$me: $MOCK is not built (make $MOCK)"; exit 77; }
[ -x /usr/lib/postgresql/15/bin/initdb ] || { echo "$me: PostgreSQL 15 is not installed"; exit 77; }
command -v sqlite3 >/dev/null || { echo "$me: sqlite3 is not installed"; exit 77; }
[ -r "$root/$data/UserBehavior.csv" ] || { echo "$me: the course data is not in $root/$data"; exit 77; }
export KAFKA_MOCK=$MOCK

cleanup() {
  bash "$root/tests/services/kafka.sh" stop "$work/kafka" >/dev/null 2>&1 || true
  bash "$root/tests/services/postgres.sh" stop "$work/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT

jobs=(hot_items pv_uv hot_pages order_timeout)
declare -A input=([hot_items]=user_behavior:UserBehavior.csv [pv_uv]=user_behavior:UserBehavior.csv
                  [hot_pages]=apache_log:apache.log [order_timeout]=order_log:OrderLog.csv)

# ---- the reference: the jobs over the files into SQLite ----
for j in "${jobs[@]}"; do
  "$EDDY" run "jobs/ecommerce/$j.sql" -D eddy.binding.jdbc.url="jdbc:sqlite:$work/ref_$j.db" >"$work/ref_$j.out" 2>&1 ||
    { echo "$me: the file run of $j failed:"; cat "$work/ref_$j.out"; exit 1; }
done

# ---- live: replay into Kafka, then the jobs from the earliest to the latest offset ----
kafka=$(bash "$root/tests/services/kafka.sh" start "$work/kafka" user_behavior:3 apache_log:3 order_log:3)
pg=$(bash "$root/tests/services/postgres.sh" start "$work/pg")
psql() { command psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${pg##*:}" -U postgres -d eddy "$@"; }
"$EDDY" gen replay --file "$data/UserBehavior.csv" --time-column 5 --name user_behavior --to "kafka://$kafka" --quiet
"$EDDY" gen replay --file "$data/apache.log" --delimiter space --time-column 4 --time-format dd/MM/yyyy:HH:mm:ss \
  --name apache_log --to "kafka://$kafka" --quiet
"$EDDY" gen replay --file "$data/OrderLog.csv" --time-column 4 --name order_log --to "kafka://$kafka" --quiet
parts=$("$MOCK" --consume "$kafka" user_behavior --with-partition | cut -f1 | sort -u | wc -l)
[ "$parts" -ge 2 ] || { echo "$me: user_behavior's records all went to one partition"; exit 1; }
for j in "${jobs[@]}"; do
  "$EDDY" run "jobs/ecommerce/$j.sql" --config jobs/ecommerce/live-kafka.conf \
    -D eddy.binding.filesystem.properties.bootstrap.servers="$kafka" \
    -D eddy.binding.jdbc.url="jdbc:postgresql://$pg/eddy" -D eddy.binding.jdbc.username=postgres >"$work/live_$j.out" 2>&1 ||
    { echo "$me: the live run of $j failed:"; cat "$work/live_$j.out"; exit 1; }
done

status=0
for j in "${jobs[@]}"; do
  s=${input[$j]}
  n=$(awk 'END { print NR }' "$data/${s#*:}")     # OrderLog.csv has no final newline
  grep -Eq "^source ${s%%:*} +rows in +$n +skipped +0 +late +0 " "$work/live_$j.out" ||
    { echo "$me: $j: source ${s%%:*} did not read its $n records without late rows:"; cat "$work/live_$j.out"; status=1; }
  for t in $(sqlite3 "$work/ref_$j.db" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"); do
    # SQLite keeps TIMESTAMP(3) as text with its fraction, PostgreSQL prints none when it is 0
    sqlite3 -separator '|' "$work/ref_$j.db" "SELECT * FROM $t" | sed -E 's/\.000(\||$)/\1/g' | sort >"$work/$t.ref"
    psql -At -F '|' -c "SELECT * FROM $t" | sort >"$work/$t.live"
    [ -s "$work/$t.ref" ] || { echo "$me: $j: the reference table $t is empty"; status=1; continue; }
    if ! diff "$work/$t.ref" "$work/$t.live" >"$work/$t.diff"; then
      echo "$me: $j: table $t differs (< file run into SQLite, > live run into PostgreSQL):"; head -20 "$work/$t.diff"; status=1
    else
      echo "$me: $j: $t: $(wc -l <"$work/$t.ref") rows equal"
    fi
  done
done
exit $status
