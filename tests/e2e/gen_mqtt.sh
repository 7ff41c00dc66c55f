#!/usr/bin/env bash
# gen_mqtt.sh - `eddy gen mall --to mqtt://...` publishes every probe record of a small mall day
# to a real Mosquitto broker (tests/services/mosquitto.sh): a subscriber receives exactly the
# lines of the file the same options generate, on the stream's topic, in event-time order
# (no --disorder), one message per line; a paced run takes its time; a dead port is an error
# naming the address.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
EDDY=${EDDY:-$root/build/eddy}
tmp=${TMPDIR:-/tmp}
svc=$tmp/mosquitto
services=$root/tests/services/mosquitto.sh

[ -x "$EDDY" ] || { echo "gen_mqtt: $EDDY is not built"; exit 77; }
command -v mosquitto_sub >/dev/null || { echo "gen_mqtt: mosquitto_sub is not installed (mosquitto-clients)"; exit 77; }
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || { echo "gen_mqtt: mosquitto is not installed"; exit 77; }

sub_pid=
cleanup() {
  if [ -n "$sub_pid" ]; then kill "$sub_pid" 2>/dev/null || true; wait "$sub_pid" 2>/dev/null || true; fi
  bash "$services" stop "$svc" || true
}
trap cleanup EXIT

addr=$(bash "$services" start "$svc")
port=${addr##*:}
opts=(--customers 20 --shops 5 --seed 4)

# The truth: the same generator options as files.
"$EDDY" gen mall "${opts[@]}" --out "$tmp/files" --quiet
sort "$tmp/files/user_wifidata.csv" >"$tmp/expected"
n=$(wc -l <"$tmp/expected")
[ "$n" -gt 1000 ] || { echo "gen_mqtt: only $n probe records generated"; exit 1; }

# Subscribe (QoS 1), wait until the broker confirms it, then publish.
mosquitto_sub -h 127.0.0.1 -p "$port" -i eddy-e2e-gen -q 1 -t 'e2e/#' -v -C "$n" -W 60 >"$tmp/received" &
sub_pid=$!
bash "$services" wait-subscribed "$svc" eddy-e2e-gen
"$EDDY" gen mall "${opts[@]}" --to "mqtt://$addr" --topic-prefix e2e/ --qos 1 --rate 50000 2>"$tmp/summary"
wait "$sub_pid" || { echo "gen_mqtt: the subscriber got $(wc -l <"$tmp/received") of $n messages"; exit 1; }
sub_pid=

grep -q "user_wifidata: $n events to topic e2e/user_wifidata in" "$tmp/summary" ||
  { echo "gen_mqtt: unexpected summary:"; cat "$tmp/summary"; exit 1; }
topics=$(cut -d' ' -f1 "$tmp/received" | sort -u)
[ "$topics" = "e2e/user_wifidata" ] || { echo "gen_mqtt: messages on topics: $topics"; exit 1; }
cut -d' ' -f2- "$tmp/received" >"$tmp/lines"
sort "$tmp/lines" | cmp -s - "$tmp/expected" || { echo "gen_mqtt: the messages differ from the generated file"; exit 1; }
# occur_time (column 4) never goes back: event-time order without --disorder.
awk -F, 'NR > 1 && $4 < last { bad++ } { last = $4 } END { exit bad > 0 }' "$tmp/lines" ||
  { echo "gen_mqtt: messages out of event-time order"; exit 1; }

# Paced, at QoS 0, a few streams' worth: 300 events at 200/s take about 1.5 s.
"$EDDY" gen marketing --events 200 --ad-clicks 100 --fraud-users 0 --logins 0 --orders 0 --to "mqtt://$addr" \
  --topic-prefix paced/ --qos 0 --rate 200 --disorder 2s 2>"$tmp/paced"
secs=$(sed -n 's/^eddy gen marketing: 300 events to .* in \([0-9.]*\) s .*/\1/p' "$tmp/paced")
[ -n "$secs" ] || { echo "gen_mqtt: unexpected summary:"; cat "$tmp/paced"; exit 1; }
awk -v s="$secs" 'BEGIN { exit !(s >= 1.45 && s < 3.5) }' || { echo "gen_mqtt: 300 events at 200/s took $secs s"; exit 1; }

# Nothing listens on the broker's port once it is stopped: the error names the address.
bash "$services" stop "$svc"
if "$EDDY" gen channel --orders 3 --to "mqtt://$addr" 2>"$tmp/refused"; then
  echo "gen_mqtt: publishing to a stopped broker succeeded"; exit 1
fi
grep -q "cannot connect to the MQTT broker at mqtt://$addr" "$tmp/refused" ||
  { echo "gen_mqtt: unexpected error:"; cat "$tmp/refused"; exit 1; }
echo "gen_mqtt: $n messages received in event-time order"
