#!/usr/bin/env bash
# Generates a day of mall WiFi-probe data and runs the eight metrics of seed 000 over it.
set -euo pipefail
cd "$(dirname "$0")/../.."
days=${DAYS:-1}
mkdir -p out/mall
rm -f out/mall/mall.db out/mall/mall.db-wal out/mall/mall.db-shm
build/eddy gen mall --out out/mall --sqlite out/mall/mall.db --days "$days" --customers "${CUSTOMERS:-2000}"
build/eddy run jobs/mall/mall.sql --config jobs/mall/mall.conf
for t in trading_area_daily_people customer_info_people_sum top1_time top5_shop; do
  echo "== $t"
  sqlite3 -header -column out/mall/mall.db "SELECT * FROM $t ORDER BY 1, 2 LIMIT 12"
done
