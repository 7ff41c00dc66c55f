#!/usr/bin/env bash
# mqtt_json_to_filesystem.sh - a job reads JSON readings from a real Mosquitto broker
# (tests/services/mosquitto.sh) through an MQTT source with a wildcard topic filter and
# 'scan.bounded.message-count', filters and computes, and writes a filesystem CSV sink. The
# readings are published with mosquitto_pub once the job has subscribed; a message on a
# topic outside the filter is not read, a malformed one is skipped and counted
# ('json.ignore-parse-errors'), and the output is checked row by row. Then the same job
# without 'ignore-parse-errors' fails naming the MQTT topic.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
EDDY=${EDDY:-$root/build/eddy}
tmp=${TMPDIR:-/tmp}
svc=$tmp/mosquitto
services=$root/tests/services/mosquitto.sh

[ -x "$EDDY" ] || { echo "mqtt_json_to_filesystem: $EDDY is not built"; exit 77; }
command -v mosquitto_pub >/dev/null || { echo "mqtt_json_to_filesystem: mosquitto_pub is not installed (mosquitto-clients)"; exit 77; }
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || { echo "mqtt_json_to_filesystem: mosquitto is not installed"; exit 77; }

job_pid=
cleanup() {
  if [ -n "$job_pid" ]; then kill "$job_pid" 2>/dev/null || true; wait "$job_pid" 2>/dev/null || true; fi
  bash "$services" stop "$svc" || true
}
trap cleanup EXIT

addr=$(bash "$services" start "$svc")
host=${addr%:*}
port=${addr##*:}

write_job() {   # $1 = job file, $2 = client id, $3 = output dir, $4 = extra source options
  cat >"$1" <<EOF
CREATE TABLE readings (
  device STRING,
  temp DOUBLE,
  ts TIMESTAMP(3)
) WITH (
  'connector' = 'mqtt',
  'host' = '$host',
  'port' = '$port',
  'topic' = 'e2e/sensors/+/temp',
  'qos' = '1',
  'client-id' = '$2',
  'format' = 'json',
  'scan.bounded.message-count' = '6'$4
);
CREATE TABLE hot (
  device STRING,
  temp_f DOUBLE,
  ts TIMESTAMP(3)
) WITH (
  'connector' = 'filesystem',
  'path' = '$3',
  'format' = 'csv'
);
INSERT INTO hot SELECT device, temp * 9 / 5 + 32, ts FROM readings WHERE temp > 20;
EOF
}

publish() { mosquitto_pub -h "$host" -p "$port" -q 1 -t "$1" -m "$2"; }

# ---- 1: six messages, one malformed and skipped ----
write_job "$tmp/job.sql" eddy-e2e-mqtt-src "$tmp/out" ",
  'json.ignore-parse-errors' = 'true'"
"$EDDY" run "$tmp/job.sql" >"$tmp/run.out" 2>"$tmp/run.err" &
job_pid=$!
bash "$services" wait-subscribed "$svc" eddy-e2e-mqtt-src
publish e2e/sensors/a/temp '{"device":"a","temp":21.5,"ts":"2024-05-01 10:00:00"}'
publish e2e/sensors/b/temp '{"device":"b","temp":19.0,"ts":"2024-05-01 10:00:01"}'
publish e2e/sensors/a/humidity '{"device":"a","temp":99.0,"ts":"2024-05-01 10:00:02"}'
publish e2e/sensors/c/temp '{"device":"c","temp":"hot","ts":"2024-05-01 10:00:03"}'
publish e2e/sensors/c/temp '{"device":"c","temp":30,"ts":"2024-05-01 10:00:04.250"}'
publish e2e/sensors/b/temp '{"ts":"2024-05-01 10:00:05","temp":25.25,"device":"b \"quoted\""}'
publish e2e/sensors/d/temp '{"device":"d","temp":100,"ts":"2024-05-01 10:00:06"}'
rc=0
wait "$job_pid" || rc=$?
job_pid=
[ "$rc" = 0 ] || { echo "mqtt_json_to_filesystem: the job failed (exit $rc):"; cat "$tmp/run.err"; exit 1; }

cat "$tmp"/out/part-* >"$tmp/actual"
cat >"$tmp/expected" <<'EOF'
a,70.7,2024-05-01 10:00:00
c,86.0,2024-05-01 10:00:04.25
"b ""quoted""",77.45,2024-05-01 10:00:05
d,212.0,2024-05-01 10:00:06
EOF
if ! cmp -s "$tmp/expected" "$tmp/actual"; then
  echo "mqtt_json_to_filesystem: output differs (< expected, > actual):"
  diff "$tmp/expected" "$tmp/actual" || true
  exit 1
fi
grep -Eq '^source readings +rows in +5 +skipped +1 ' "$tmp/run.err" ||
  { echo "mqtt_json_to_filesystem: unexpected summary:"; cat "$tmp/run.err"; exit 1; }

# ---- 2: the same malformed message without ignore-parse-errors fails the job ----
write_job "$tmp/job2.sql" eddy-e2e-mqtt-strict "$tmp/out2" ""
"$EDDY" run "$tmp/job2.sql" >"$tmp/run2.out" 2>"$tmp/run2.err" &
job_pid=$!
bash "$services" wait-subscribed "$svc" eddy-e2e-mqtt-strict
publish e2e/sensors/a/temp '{"device":"a","temp":21.5,"ts":"2024-05-01 10:00:00"}'
publish e2e/sensors/c/temp '{"device":"c","temp":"hot","ts":"2024-05-01 10:00:03"}'
rc=0
wait "$job_pid" || rc=$?
job_pid=
[ "$rc" = 1 ] || { echo "mqtt_json_to_filesystem: a malformed message gave exit $rc:"; cat "$tmp/run2.err"; exit 1; }
grep -q "MQTT topic 'e2e/sensors/c/temp'" "$tmp/run2.err" ||
  { echo "mqtt_json_to_filesystem: the error does not name the topic:"; cat "$tmp/run2.err"; exit 1; }
echo "mqtt_json_to_filesystem: 4 rows as expected, 1 malformed message skipped, strict run failed at the topic"
