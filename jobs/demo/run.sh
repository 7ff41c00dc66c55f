#!/usr/bin/env bash
# make demo: generate 1 million user-behaviour rows, run the demo job, show its results.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p build/demo
rm -f build/demo/demo.db
echo "== generating 1,000,000 user-behaviour rows (build/demo/user_behavior.csv)"
build/eddy-bench-gen -n 1000000 -s 42 --rate 60 --disorder 3 -o build/demo/user_behavior.csv
echo "== the plan"
build/eddy explain jobs/demo/demo.sql
echo "== running jobs/demo/demo.sql"
build/eddy run jobs/demo/demo.sql
echo "== hourly page views and unique visitors (Asia/Shanghai)"
sqlite3 -header -column build/demo/demo.db "SELECT window_start, pv, uv FROM hourly_pv_uv ORDER BY window_start"
echo "== hot items of the last three windows"
sqlite3 -header -column build/demo/demo.db \
  "SELECT window_end, item_rank, item_id, pv FROM hot_items
   WHERE window_end IN (SELECT DISTINCT window_end FROM hot_items ORDER BY window_end DESC LIMIT 3)
   ORDER BY window_end, item_rank"
