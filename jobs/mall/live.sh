#!/usr/bin/env bash
# live.sh - the mall job live (`make demo-live`): generated WiFi probes are published to a
# mosquitto broker as they would come from the shops' probes, eddy reads them over MQTT and
# upserts the eight metrics into PostgreSQL. Both servers are started on loopback in a temp
# dir and stopped by PID at the end. CUSTOMERS and RATE (probes per second) size the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
customers=${CUSTOMERS:-300}
rate=${RATE:-20000}
work=$(mktemp -d "${TMPDIR:-/tmp}/eddy-mall-live.XXXXXX")
chmod 755 "$work"
eddy_pid=""
cleanup() {
  [ -n "$eddy_pid" ] && kill "$eddy_pid" 2>/dev/null || true
  tests/services/mosquitto.sh stop "$work/mqtt" >/dev/null 2>&1 || true
  tests/services/postgres.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== starting mosquitto and PostgreSQL on loopback"
mqtt=$(tests/services/mosquitto.sh start "$work/mqtt")
pg=$(tests/services/postgres.sh start "$work/pg")
pg_port=${pg##*:}
psql() { command psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d eddy "$@"; }
echo "   mqtt://$mqtt  postgresql://$pg/eddy"

echo "== generating the dimension tables (area_shop, place_info) into PostgreSQL"
build/eddy gen mall --out "$work/data" --customers "$customers" --quiet
psql <<SQL
CREATE TABLE area_shop (id BIGINT, shop_code TEXT PRIMARY KEY, shop_name TEXT);
CREATE TABLE place_info (user_device_mac TEXT PRIMARY KEY, used_x BIGINT, used_y BIGINT, min_rssi BIGINT);
\copy area_shop FROM '$work/data/area_shop.csv' WITH (FORMAT csv)
\copy place_info FROM '$work/data/place_info.csv' WITH (FORMAT csv)
SQL

echo "== running the job: MQTT -> eddy -> PostgreSQL"
build/eddy run jobs/mall/mall.sql --config jobs/mall/live.conf \
  -D eddy.binding.datahub.host="${mqtt%:*}" -D eddy.binding.datahub.port="${mqtt##*:}" \
  -D eddy.binding.rds.url="jdbc:postgresql://$pg/eddy" -D eddy.binding.ots.url="jdbc:postgresql://$pg/eddy" \
  -D eddy.binding.rds.username=postgres -D eddy.binding.ots.username=postgres &
eddy_pid=$!
tests/services/mosquitto.sh wait-subscribed "$work/mqtt" eddy-mall-live 20

echo "== publishing the probes at $rate per second"
build/eddy gen mall --to "mqtt://$mqtt" --rate "$rate" --customers "$customers" --qos 1
wait "$eddy_pid"
eddy_pid=""

for t in trading_area_daily_people customer_info_people_sum top1_time top5_shop; do
  echo "== $t"
  psql -c "SELECT * FROM $t ORDER BY 1, 2 LIMIT 12"
done
