#!/usr/bin/env bash
# Generates a day of insurance-app data and runs seed 002's three scenarios over it.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p out/insurance
rm -f out/insurance/insurance.db out/insurance/insurance.db-wal out/insurance/insurance.db-shm
build/eddy gen insurance --out out/insurance --sqlite out/insurance/insurance.db
build/eddy run jobs/insurance/insurance.sql --config jobs/insurance/insurance.conf
db=out/insurance/insurance.db
sqlite3 -header -column "$db" "SELECT * FROM adm_pfm_zy_order_gmv_msx_hs ORDER BY biz_date LIMIT 8"
sqlite3 -header -column "$db" "SELECT COUNT(*) AS premium_drops FROM wechat_activity_user"
sqlite3 -header -column "$db" "SELECT * FROM adm_zy_moblie_charge_exchg_rs LIMIT 5"
