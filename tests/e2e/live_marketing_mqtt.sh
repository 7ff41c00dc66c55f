#!/usr/bin/env bash
# live_marketing_mqtt.sh - generator -> MQTT -> eddy -> SQLite: five e-commerce jobs of seed
# 001 (jobs/ecommerce: order_timeout's interval join with timeouts, reconciliation's full outer
# join of two MQTT sources, app_marketing's HOP windows, ad_clicks' OVER numbering with a
# blacklist and two sinks, login_fail's MATCH_RECOGNIZE) run at the same time, unchanged, with
# jobs/ecommerce/live-mqtt.conf binding their sources to a Mosquitto broker on loopback;
# `eddy gen marketing --to mqtt://` publishes the events with 4 s of disorder (less than every
# job's watermark delay, so nothing is late). Every result table equals, row by row, the one
# of the same job run over the generated files. login_fail reads its own topic published
# without disorder: its pattern orders logins of the same second by arrival, so disorder
# changes which of two same-second failures it reports, in Flink as in eddy.
# Each job must end by itself once its sources were idle for 3 s (the idle timeout of
# live-mqtt.conf): a job that hangs after its summary, or ignores SIGTERM, fails the test
# through `timeout` instead of hanging the suite.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"                                   # the jobs name their files from the repository root
EDDY=${EDDY:-$root/build/eddy}
work=${TMPDIR:-/tmp}
me=live_marketing_mqtt
services=$root/tests/services/mosquitto.sh

[ -x "$EDDY" ] || { echo "$me: $EDDY is not built"; exit 77; }
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || { echo "$me: mosquitto is not installed"; exit 77; }
command -v sqlite3 >/dev/null || { echo "$me: sqlite3 is not installed"; exit 77; }

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  bash "$services" stop "$work/mqtt" >/dev/null 2>&1 || true
}
trap cleanup EXIT

gen=(marketing --seed 3 --events 10000)
jobs=(order_timeout reconciliation app_marketing ad_clicks login_fail)
declare -A sources=([order_timeout]="order_log:orders" [reconciliation]="order_log:orders receipt_log:receipts"
                    [app_marketing]="app_marketing:app_marketing" [ad_clicks]="ad_click_log:ad_clicks"
                    [login_fail]="login_log:logins")

# ---- the reference: every job over the generated files ----
"$EDDY" gen "${gen[@]}" --out "$work/data" --quiet
for j in "${jobs[@]}"; do
  bind=(-D eddy.binding.jdbc.url="jdbc:sqlite:$work/ref_$j.db")
  for s in ${sources[$j]}; do bind+=(-D "eddy.binding.table.${s%%:*}.path=$work/data/${s#*:}.csv"); done
  "$EDDY" run "jobs/ecommerce/$j.sql" "${bind[@]}" >"$work/ref_$j.out" 2>&1 ||
    { echo "$me: the file run of $j failed:"; cat "$work/ref_$j.out"; exit 1; }
done

# ---- live: every job subscribed, then the generator publishes ----
mqtt=$(bash "$services" start "$work/mqtt")
declare -A pid_of
for j in "${jobs[@]}"; do
  bind=(--config jobs/ecommerce/live-mqtt.conf -D eddy.binding.filesystem.host="${mqtt%:*}"
        -D eddy.binding.filesystem.port="${mqtt##*:}" -D eddy.binding.jdbc.url="jdbc:sqlite:$work/live_$j.db")
  for s in ${sources[$j]}; do bind+=(-D "eddy.binding.table.${s%%:*}.client-id=e2e-$j-${s%%:*}"); done
  [ "$j" = login_fail ] && bind+=(-D eddy.binding.table.login_log.topic=login_log_in_order)
  timeout -k 5 45 "$EDDY" run "jobs/ecommerce/$j.sql" "${bind[@]}" >"$work/live_$j.out" 2>&1 &
  pid_of[$j]=$!
  pids+=($!)
done
for j in "${jobs[@]}"; do
  for s in ${sources[$j]}; do bash "$services" wait-subscribed "$work/mqtt" "e2e-$j-${s%%:*}" 20; done
done
"$EDDY" gen "${gen[@]}" --to "mqtt://$mqtt" --qos 1 --rate 10000 --disorder 4s --quiet &
pids+=($!)
"$EDDY" gen "${gen[@]}" --to "mqtt://$mqtt" --qos 1 --rate 1000 --streams logins --topic logins=login_log_in_order --quiet
wait "${pids[-1]}"
published=$(date +%s)

status=0
for j in "${jobs[@]}"; do
  rc=0
  wait "${pid_of[$j]}" || rc=$?
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    echo "$me: $j did not end within 45 s (hung$(grep -q '^peak memory' "$work/live_$j.out" && echo ' after its summary')):"
    cat "$work/live_$j.out"; status=1; continue
  fi
  [ $rc -eq 0 ] || { echo "$me: the live run of $j failed (exit $rc):"; cat "$work/live_$j.out"; status=1; continue; }
  for s in ${sources[$j]}; do
    n=$(wc -l <"$work/data/${s#*:}.csv")
    grep -Eq "^source ${s%%:*} +rows in +$n +skipped +0 +late +0 " "$work/live_$j.out" ||
      { echo "$me: $j: source ${s%%:*} did not read its $n events without late rows:"; cat "$work/live_$j.out"; status=1; }
  done
  for t in $(sqlite3 "$work/ref_$j.db" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"); do
    sqlite3 "$work/ref_$j.db" "SELECT * FROM $t" | sort >"$work/$t.ref"
    sqlite3 "$work/live_$j.db" "SELECT * FROM $t" 2>/dev/null | sort >"$work/$t.live"
    [ -s "$work/$t.ref" ] || { echo "$me: $j: the reference table $t is empty"; status=1; continue; }
    if ! diff "$work/$t.ref" "$work/$t.live" >"$work/$t.diff"; then
      echo "$me: $j: table $t differs (< file run, > live run):"; head -20 "$work/$t.diff"; status=1
    else
      echo "$me: $j: $t: $(wc -l <"$work/$t.ref") rows equal"
    fi
  done
done
ended=$(( $(date +%s) - published ))
[ $ended -le 15 ] || { echo "$me: the jobs ended $ended s after the last event (idle timeout 3 s)"; status=1; }
exit $status
