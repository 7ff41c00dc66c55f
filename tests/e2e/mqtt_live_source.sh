#!/usr/bin/env bash
# mqtt_live_source.sh - MQTT sources against a real Mosquitto broker
# (tests/services/mosquitto.sh) that are ended in the two other ways: (1) an unbounded source
# (no scan.bounded.* option) feeding a filesystem sink runs until SIGINT, which flushes the
# sink: every message published before holds its row; (2) 'scan.bounded.idle-timeout' ends a
# source after a burst published with `mosquitto_pub -l` (one message per line, QoS 2, from
# a user with a password on the broker's second listener), and the final watermark fires
# every event-time TUMBLE window: per-device counts and maxima checked row by row.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
EDDY=${EDDY:-$root/build/eddy}
tmp=${TMPDIR:-/tmp}
svc=$tmp/mosquitto
services=$root/tests/services/mosquitto.sh
me=mqtt_live_source

[ -x "$EDDY" ] || { echo "$me: $EDDY is not built"; exit 77; }
command -v mosquitto_pub >/dev/null || { echo "$me: mosquitto_pub is not installed (mosquitto-clients)"; exit 77; }
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || { echo "$me: mosquitto is not installed"; exit 77; }

job_pid=
cleanup() {
  if [ -n "$job_pid" ]; then kill "$job_pid" 2>/dev/null || true; wait "$job_pid" 2>/dev/null || true; fi
  bash "$services" stop "$svc" || true
}
trap cleanup EXIT

addr=$(bash "$services" start "$svc" sensor-gw 'pa ss')
host=${addr%:*}
port=${addr##*:}
auth_port=$(cut -d: -f2 "$svc/auth_address")

same_file() {   # $1 = expected, $2 = actual, $3 = what
  if ! cmp -s "$1" "$2"; then
    echo "$me: $3 differs (< expected, > actual):"
    diff "$1" "$2" || true
    exit 1
  fi
}

# ---- 1: unbounded until SIGINT ----
cat >"$tmp/live.sql" <<EOF
CREATE TABLE events (id BIGINT, kind STRING) WITH (
  'connector' = 'mqtt', 'host' = '$host', 'port' = '$port', 'topic' = 'e2e/live/#',
  'client-id' = 'eddy-e2e-live', 'format' = 'json');
CREATE TABLE copy (id BIGINT, kind STRING) WITH (
  'connector' = 'filesystem', 'path' = '$tmp/live_out', 'format' = 'csv');
INSERT INTO copy SELECT id, UPPER(kind) FROM events;
EOF
"$EDDY" run "$tmp/live.sql" >"$tmp/live.out" 2>"$tmp/live.err" &
job_pid=$!
bash "$services" wait-subscribed "$svc" eddy-e2e-live
for i in 1 2 3; do
  mosquitto_pub -h "$host" -p "$port" -q 1 -t "e2e/live/$i" -m "{\"id\":$i,\"kind\":\"k$i\"}"
done
sleep 1
kill -0 "$job_pid" || { echo "$me: the unbounded job ended by itself:"; cat "$tmp/live.err"; exit 1; }
kill -INT "$job_pid"
rc=0
wait "$job_pid" || rc=$?
job_pid=
[ "$rc" = 0 ] || { echo "$me: the interrupted job exited $rc:"; cat "$tmp/live.err"; exit 1; }
cat "$tmp"/live_out/part-* >"$tmp/live.actual"
printf '1,K1\n2,K2\n3,K3\n' >"$tmp/live.expected"
same_file "$tmp/live.expected" "$tmp/live.actual" "the interrupted job's output"

# ---- 2: idle timeout, windows, login ----
cat >"$tmp/windows.sql" <<EOF
CREATE TABLE readings (
  device STRING,
  temp DOUBLE,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'mqtt', 'host' = '$host', 'port' = '$auth_port', 'topic' = 'e2e/gw/+',
  'username' = 'sensor-gw', 'password' = 'pa ss', 'qos' = '2', 'client-id' = 'eddy-e2e-windows',
  'format' = 'json', 'scan.bounded.idle-timeout' = '1500 ms');
CREATE TABLE per_minute (device STRING, window_start TIMESTAMP(3), readings BIGINT, max_temp DOUBLE) WITH (
  'connector' = 'filesystem', 'path' = '$tmp/windows_out', 'format' = 'csv');
INSERT INTO per_minute
SELECT device, window_start, COUNT(*), MAX(temp)
FROM TABLE(TUMBLE(TABLE readings, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY device, window_start, window_end;
EOF
"$EDDY" run "$tmp/windows.sql" >"$tmp/windows.out" 2>"$tmp/windows.err" &
job_pid=$!
bash "$services" wait-subscribed "$svc" eddy-e2e-windows
cat >"$tmp/burst" <<'EOF'
{"device":"d1","temp":20.0,"ts":"2024-05-01 10:00:05"}
{"device":"d2","temp":18.5,"ts":"2024-05-01 10:00:20"}
{"device":"d1","temp":22.5,"ts":"2024-05-01 10:00:40"}
{"device":"d1","temp":21.0,"ts":"2024-05-01 10:01:10"}
{"device":"d2","temp":19.0,"ts":"2024-05-01 10:01:15"}
{"device":"d2","temp":25.0,"ts":"2024-05-01 10:01:59.999"}
{"device":"d1","temp":30.0,"ts":"2024-05-01 10:02:00"}
EOF
mosquitto_pub -h "$host" -p "$auth_port" -u sensor-gw -P 'pa ss' -q 2 -t e2e/gw/burst -l <"$tmp/burst"
start=$(date +%s%N)
rc=0
wait "$job_pid" || rc=$?
job_pid=
[ "$rc" = 0 ] || { echo "$me: the windowed job failed:"; cat "$tmp/windows.err"; exit 1; }
waited_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$waited_ms" -ge 1000 ] && [ "$waited_ms" -lt 15000 ] ||
  { echo "$me: the idle job ended $waited_ms ms after the burst (idle timeout 1500 ms)"; exit 1; }
sort "$tmp"/windows_out/part-* >"$tmp/windows.actual"
cat >"$tmp/windows.expected" <<'EOF'
d1,2024-05-01 10:00:00,2,22.5
d1,2024-05-01 10:01:00,1,21.0
d1,2024-05-01 10:02:00,1,30.0
d2,2024-05-01 10:00:00,1,18.5
d2,2024-05-01 10:01:00,2,25.0
EOF
same_file "$tmp/windows.expected" "$tmp/windows.actual" "the windowed output"
grep -Eq '^source readings +rows in +7 +skipped +0 ' "$tmp/windows.err" ||
  { echo "$me: unexpected summary:"; cat "$tmp/windows.err"; exit 1; }
echo "$me: SIGINT flushed 3 live rows; idle timeout ended the burst with 5 windows as expected"
