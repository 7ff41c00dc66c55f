#!/usr/bin/env bash
# live_mall_mqtt_postgres.sh - generator -> MQTT -> eddy -> PostgreSQL: the mall job (seed 000)
# run live, its probes published to mosquitto by `eddy gen mall --to mqtt://`, its RDS tables
# in PostgreSQL, gives row for row the results of the same job run over the generated file into
# SQLite (for the metrics that do not depend on timing: lookups of a table the job writes do).
# PostgreSQL is restarted while the probes stream in: sinks and lookups retry, nothing is lost.
set -euo pipefail
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || { echo "mosquitto is not installed"; exit 77; }
[ -x /usr/lib/postgresql/15/bin/initdb ] || { echo "PostgreSQL 15 is not installed"; exit 77; }
work=$TMPDIR
eddy_pid=""
cleanup() {
  [ -n "$eddy_pid" ] && kill "$eddy_pid" 2>/dev/null || true
  tests/services/mosquitto.sh stop "$work/mqtt" >/dev/null 2>&1 || true
  tests/services/postgres.sh stop "$work/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT
gen=(mall --customers 150 --seed 7)

# the reference: the generated file into SQLite
"$EDDY" gen "${gen[@]}" --out "$work/data" --sqlite "$work/ref.db" --quiet
"$EDDY" run jobs/mall/mall.sql --config jobs/mall/mall.conf --quiet \
  -D eddy.binding.table.user_wifidata.path="$work/data/user_wifidata.csv" \
  -D eddy.binding.rds.url="jdbc:sqlite:$work/ref.db" -D eddy.binding.ots.url="jdbc:sqlite:$work/ref.db"

# live: MQTT -> eddy -> PostgreSQL
mqtt=$(tests/services/mosquitto.sh start "$work/mqtt")
pg=$(tests/services/postgres.sh start "$work/pg")
psql() { command psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${pg##*:}" -U postgres -d eddy "$@"; }
psql <<SQL
CREATE TABLE area_shop (id BIGINT, shop_code TEXT PRIMARY KEY, shop_name TEXT);
CREATE TABLE place_info (user_device_mac TEXT PRIMARY KEY, used_x BIGINT, used_y BIGINT, min_rssi BIGINT);
\copy area_shop FROM '$work/data/area_shop.csv' WITH (FORMAT csv)
\copy place_info FROM '$work/data/place_info.csv' WITH (FORMAT csv)
SQL
"$EDDY" run jobs/mall/mall.sql --config jobs/mall/live.conf \
  -D eddy.binding.datahub.host="${mqtt%:*}" -D eddy.binding.datahub.port="${mqtt##*:}" \
  -D eddy.binding.rds.url="jdbc:postgresql://$pg/eddy" -D eddy.binding.ots.url="jdbc:postgresql://$pg/eddy" \
  -D eddy.binding.rds.username=postgres -D eddy.binding.ots.username=postgres >"$work/live.out" 2>&1 &
eddy_pid=$!
tests/services/mosquitto.sh wait-subscribed "$work/mqtt" eddy-mall-live 20
"$EDDY" gen "${gen[@]}" --to "mqtt://$mqtt" --rate 12000 --qos 1 --quiet &
gen_pid=$!
sleep 2
tests/services/postgres.sh restart "$work/pg" >/dev/null
wait "$gen_pid"
wait "$eddy_pid" || { cat "$work/live.out"; exit 1; }
grep -q "warning: jdbc .*retry 1 of" "$work/live.out" || { echo "the restart went unnoticed:"; cat "$work/live.out"; exit 1; }
eddy_pid=""
grep -q "source user_wifidata .*skipped        0" "$work/live.out" || { cat "$work/live.out"; exit 1; }

status=0
for t in trading_area_daily_people shop_area_daily_people top1_time; do
  # SQLite keeps TIMESTAMP(3) as text with its fraction, PostgreSQL prints none when it is 0
  sqlite3 -separator '|' "$work/ref.db" "SELECT * FROM $t" | sed -E 's/\.000(\||$)/\1/g' | sort >"$work/$t.ref"
  psql -At -F '|' -c "SELECT * FROM $t" | sort >"$work/$t.live"
  [ -s "$work/$t.ref" ] || { echo "reference table $t is empty"; status=1; }
  if ! diff "$work/$t.ref" "$work/$t.live" >"$work/$t.diff"; then
    echo "table $t differs (reference < > live):"; head -20 "$work/$t.diff"; status=1
  else
    echo "$t: $(wc -l <"$work/$t.ref") rows equal"
  fi
done
exit $status
