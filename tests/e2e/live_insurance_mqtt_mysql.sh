#!/usr/bin/env bash
# live_insurance_mqtt_mysql.sh - generator -> MQTT -> eddy -> MariaDB: seed 002's insurance job
# (jobs/insurance/insurance.sql, Blink dialect: three DataHub streams, RDS and OTS tables) run
# unchanged with jobs/insurance/live-mqtt.conf, its streams published to Mosquitto by
# `eddy gen insurance --to mqtt://`, its RDS/OTS tables in MariaDB (the key-customer table
# raw_info loaded first). Compared row by row with the same job over the generated files into
# SQLite: the hourly premiums (to the cent), each account's last page, and raw_info, which the
# job rewrites with every saved premium change. The premium-drop alerts (wechat_activity_user)
# depend on which earlier changes the lookup of raw_info already sees - the sink's flushed rows,
# so on how the input was batched - and are checked for soundness instead: every alert is a
# saved change of that customer, more than 15 % below a premium the customer had before.
# The job must end by itself (idle timeout) well within `timeout`, also a guard against a hang.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"                                   # the jobs name their files from the repository root
EDDY=${EDDY:-$root/build/eddy}
work=${TMPDIR:-/tmp}
me=live_insurance_mqtt_mysql

[ -x "$EDDY" ] || { echo "$me: $EDDY is not built"; exit 77; }
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || { echo "$me: mosquitto is not installed"; exit 77; }
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || { echo "$me: MariaDB (mariadbd) is not installed"; exit 77; }
command -v mariadb-install-db >/dev/null 2>&1 || { echo "$me: mariadb-install-db is not installed"; exit 77; }
command -v sqlite3 >/dev/null || { echo "$me: sqlite3 is not installed"; exit 77; }

eddy_pid=""
cleanup() {
  [ -n "$eddy_pid" ] && kill -KILL "$eddy_pid" 2>/dev/null || true
  bash "$root/tests/services/mosquitto.sh" stop "$work/mqtt" >/dev/null 2>&1 || true
  bash "$root/tests/services/mariadb.sh" stop "$work/db" >/dev/null 2>&1 || true
}
trap cleanup EXIT

gen=(insurance --seed 2 --orders 1500 --sessions 2000)

# ---- the reference: the generated files into SQLite (insurance.conf's bindings) ----
"$EDDY" gen "${gen[@]}" --out "$work/data" --sqlite "$work/ref.db" --quiet
"$EDDY" run jobs/insurance/insurance.sql --config jobs/insurance/insurance.conf --quiet \
  -D eddy.binding.table.user_order.path="$work/data/user_order.csv" \
  -D eddy.binding.table.account_wechat_trace.path="$work/data/account_wechat_trace.csv" \
  -D eddy.binding.table.user_log.path="$work/data/page_log.csv" \
  -D eddy.binding.rds.url="jdbc:sqlite:$work/ref.db" -D eddy.binding.ots.url="jdbc:sqlite:$work/ref.db"

mqtt=$(bash "$root/tests/services/mosquitto.sh" start "$work/mqtt")
db=$(bash "$root/tests/services/mariadb.sh" start "$work/db")
mysql() { mariadb --no-defaults -h "${db%:*}" -P "${db##*:}" -u eddy eddy --batch --skip-column-names -e "$1"; }

# ---- raw_info into MariaDB, and for the soundness check the input's premium changes ----
cat >"$work/load.sql" <<EOF
CREATE TABLE raw_csv (id BIGINT, raw_premium STRING, raw_info STRING)
  WITH ('connector' = 'filesystem', 'path' = '$work/data/raw_info.csv', 'format' = 'csv');
CREATE TABLE trace_csv (id BIGINT, channel STRING, open_id STRING, event STRING, now_premium STRING,
  creator STRING, modifier STRING, gmt_modified BIGINT, now_info STRING)
  WITH ('connector' = 'filesystem', 'path' = '$work/data/account_wechat_trace.csv', 'format' = 'csv');
CREATE TABLE raw_info (id BIGINT, raw_premium STRING, raw_info STRING, PRIMARY KEY (id) NOT ENFORCED)
  WITH ('connector' = 'jdbc', 'url' = 'jdbc:mysql://$db/eddy', 'username' = 'eddy', 'table-name' = 'raw_info');
CREATE TABLE raw_info_before (id BIGINT, raw_premium STRING, raw_info STRING, PRIMARY KEY (id) NOT ENFORCED)
  WITH ('connector' = 'jdbc', 'url' = 'jdbc:mysql://$db/eddy', 'username' = 'eddy', 'table-name' = 'raw_info_before');
CREATE TABLE saved_changes (id BIGINT, premium STRING, info STRING)
  WITH ('connector' = 'jdbc', 'url' = 'jdbc:mysql://$db/eddy', 'username' = 'eddy', 'table-name' = 'saved_changes');
INSERT INTO raw_info SELECT * FROM raw_csv;
INSERT INTO raw_info_before SELECT * FROM raw_csv;
INSERT INTO saved_changes SELECT id, now_premium, now_info FROM trace_csv WHERE event = 'save_success';
EOF
"$EDDY" run "$work/load.sql" --quiet

# ---- live: the job subscribed, then the generator publishes ----
timeout -k 5 45 "$EDDY" run jobs/insurance/insurance.sql --config jobs/insurance/live-mqtt.conf \
  -D eddy.binding.datahub.host="${mqtt%:*}" -D eddy.binding.datahub.port="${mqtt##*:}" \
  -D eddy.binding.table.user_order.client-id=e2e-ins-orders \
  -D eddy.binding.table.account_wechat_trace.client-id=e2e-ins-trace \
  -D eddy.binding.table.user_log.client-id=e2e-ins-pages \
  -D eddy.binding.rds.url="jdbc:mysql://$db/eddy" -D eddy.binding.rds.username=eddy \
  -D eddy.binding.ots.url="jdbc:mysql://$db/eddy" -D eddy.binding.ots.username=eddy >"$work/live.out" 2>&1 &
eddy_pid=$!
for c in orders trace pages; do bash "$root/tests/services/mosquitto.sh" wait-subscribed "$work/mqtt" "e2e-ins-$c" 20; done
"$EDDY" gen "${gen[@]}" --to "mqtt://$mqtt" --qos 1 --rate 5000 --quiet
rc=0
wait "$eddy_pid" || rc=$?
eddy_pid=""
[ $rc -ne 124 ] && [ $rc -ne 137 ] || { echo "$me: the live job did not end within 45 s:"; cat "$work/live.out"; exit 1; }
[ $rc -eq 0 ] || { echo "$me: the live job failed (exit $rc):"; cat "$work/live.out"; exit 1; }
for s in user_order:user_order account_wechat_trace:account_wechat_trace user_log:page_log; do
  n=$(wc -l <"$work/data/${s#*:}.csv")
  grep -Eq "^source ${s%%:*} +rows in +$n +skipped +0 " "$work/live.out" ||
    { echo "$me: source ${s%%:*} did not read its $n events:"; cat "$work/live.out"; exit 1; }
done

status=0
same() {   # $1 = table, $2 = SQLite query, $3 = MariaDB query
  sqlite3 -separator $'\t' "$work/ref.db" "$2" | sort >"$work/$1.ref"
  mysql "$3" | sort >"$work/$1.live"
  [ -s "$work/$1.ref" ] || { echo "$me: the reference table $1 is empty"; status=1; return; }
  if ! diff "$work/$1.ref" "$work/$1.live" >"$work/$1.diff"; then
    echo "$me: table $1 differs (< file run into SQLite, > live run into MariaDB):"; head -20 "$work/$1.diff"; status=1
  else
    echo "$me: $1: $(wc -l <"$work/$1.ref") rows equal"
  fi
}
same adm_pfm_zy_order_gmv_msx_hs \
  "SELECT biz_date, printf('%.2f', total_premium), policy_cnt, policy_holder_cnt FROM adm_pfm_zy_order_gmv_msx_hs" \
  "SELECT biz_date, CAST(total_premium AS DECIMAL(20, 2)), policy_cnt, policy_holder_cnt FROM adm_pfm_zy_order_gmv_msx_hs"
same adm_zy_moblie_charge_exchg_rs \
  "SELECT account_id, IFNULL(device_id, '-'), IFNULL(bury_point_type, '-'), IFNULL(page_name, '-') FROM adm_zy_moblie_charge_exchg_rs" \
  "SELECT account_id, IFNULL(device_id, '-'), IFNULL(bury_point_type, '-'), IFNULL(page_name, '-') FROM adm_zy_moblie_charge_exchg_rs"
same raw_info "SELECT id, raw_premium, raw_info FROM raw_info" "SELECT id, raw_premium, raw_info FROM raw_info"

alerts=$(mysql "SELECT COUNT(*) FROM wechat_activity_user")
unsound=$(mysql "SELECT COUNT(*) FROM wechat_activity_user w
  WHERE NOT (CAST(w.now_premium AS DOUBLE) < CAST(w.raw_premium AS DOUBLE) * 0.85)
     OR NOT EXISTS (SELECT 1 FROM saved_changes s WHERE s.id = w.id AND s.premium = w.now_premium AND s.info = w.now_info)
     OR NOT (EXISTS (SELECT 1 FROM raw_info_before b WHERE b.id = w.id AND b.raw_premium = w.raw_premium AND b.raw_info = w.raw_info)
             OR EXISTS (SELECT 1 FROM saved_changes s WHERE s.id = w.id AND s.premium = w.raw_premium AND s.info = w.raw_info))")
[ "$alerts" -gt 0 ] || { echo "$me: no premium-drop alert at all"; status=1; }
if [ "$unsound" -ne 0 ]; then
  echo "$me: $unsound of $alerts premium-drop alerts are not a saved change 15 % below an earlier premium:"
  mysql "SELECT * FROM wechat_activity_user LIMIT 10"; status=1
else
  echo "$me: wechat_activity_user: $alerts alerts, all sound (the file run has $(sqlite3 "$work/ref.db" "SELECT COUNT(*) FROM wechat_activity_user"))"
fi
exit $status
