#!/usr/bin/env bash
# make bench-joins: the join-heavy benchmark. Generates ORDERS orders (default 1 million) with
# their pays and receipts, runs bench/joins.sql (a full outer join and an interval left join)
# and prints rows in, time, rows/s and peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
orders=${ORDERS:-1000000}
dir=build/bench/joins_$orders
if [ ! -f "$dir/orders.csv" ]; then
  mkdir -p "$dir"
  build/eddy gen marketing --out "$dir" --orders "$orders" --hours 24 --events 1 --ad-clicks 1 --logins 1 --quiet
fi
sed -e "s|@DIR@|$dir|g" bench/joins.sql > "$dir/job.sql"
start=$(date +%s.%N)
build/eddy run "$dir/job.sql" 2> "$dir/eddy.err"
end=$(date +%s.%N)
rows=$(awk '/^source/ {s += $5} END {print s}' "$dir/eddy.err")
secs=$(echo "$end - $start" | bc -l)
printf 'rows in           %d (orders.csv + receipts.csv)\n' "$rows"
printf 'time              %.2f s (%.0f rows/s)\n' "$secs" "$(echo "$rows / $secs" | bc -l)"
grep -E '^(sink|peak)' "$dir/eddy.err"
