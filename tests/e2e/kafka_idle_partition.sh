#!/usr/bin/env bash
# kafka_idle_partition.sh - per-partition watermarks and idleness on a live Kafka source:
# records arrive on partition 0 of a two-partition topic only. Without an idle timeout the
# empty partition 1 holds the watermark back and no TUMBLE window fires while the job runs
# (Flink's behaviour); with 'scan.watermark.idle-timeout' = '1 s' the empty partition stops
# counting and every complete window fires. Both jobs are unbounded and stopped by SIGTERM.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
EDDY=${EDDY:-$root/build/eddy}
BUILD=${BUILD:-$root/build}
MOCK=${KAFKA_MOCK:-$BUILD/eddy-kafka-mock}
tmp=${TMPDIR:-/tmp}
svc=$tmp/kafka
services=$root/tests/services/kafka.sh
name=kafka_idle_partition

[ -x "$EDDY" ] || { echo "$name: $EDDY is not built"; exit 77; }
[ -x "$MOCK" ] || { echo "$name: $MOCK is not built (make $MOCK)"; exit 77; }
export KAFKA_MOCK=$MOCK

job_pid=
cleanup() {
  if [ -n "$job_pid" ]; then kill "$job_pid" 2>/dev/null || true; wait "$job_pid" 2>/dev/null || true; fi
  bash "$services" stop "$svc" || true
}
trap cleanup EXIT
addr=$(bash "$services" start "$svc" readings:2)

# 120 readings, one per second of event time, all on partition 0
seq 0 119 | awk '{ printf "{\"device\":\"d0\",\"seq\":%d,\"ts\":\"2024-01-01 00:%02d:%02d\"}\n", $1, $1 / 60, $1 % 60 }' |
  "$MOCK" --produce "$addr" readings --partition 0

write_job() {   # $1 = job file, $2 = output dir, $3 = extra source options
  cat >"$1" <<SQL
CREATE TABLE readings (device STRING, seq BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH (
  'connector' = 'kafka', 'topic' = 'readings', 'properties.bootstrap.servers' = '$addr',
  'scan.startup.mode' = 'earliest-offset', 'format' = 'json'$3
);
CREATE TABLE out (window_start TIMESTAMP(3), n BIGINT)
WITH ('connector' = 'filesystem', 'path' = '$2', 'format' = 'csv', 'sink.rolling-policy.rollover-interval' = '100 ms');
INSERT INTO out SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE readings, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end;
SQL
}
rows_out() { cat "$1"/part-* 2>/dev/null | wc -l; }
run_for() {   # $1 = job, $2 = output dir, $3 = rows to wait for (0: just wait 3 s)
  "$EDDY" run "$1" >"$1.out" 2>"$1.err" &
  job_pid=$!
  for _ in $(seq 60); do
    if [ "$3" -gt 0 ] && [ "$(rows_out "$2")" -ge "$3" ]; then break; fi
    sleep 0.1
  done
  [ "$3" -gt 0 ] || sleep 1
  kill -TERM "$job_pid"
  local rc=0
  wait "$job_pid" || rc=$?
  job_pid=
  [ "$rc" = 0 ] || { echo "$name: the job exited with $rc:"; cat "$1.err"; exit 1; }
}

# without an idle timeout: partition 1 has no watermark, nothing fires
write_job "$tmp/held.sql" "$tmp/held" ""
run_for "$tmp/held.sql" "$tmp/held" 0
[ "$(rows_out "$tmp/held")" = 0 ] || { echo "$name: windows fired although partition 1 holds the watermark:"; cat "$tmp"/held/part-*; exit 1; }
grep -q "rows in        120" "$tmp/held.sql.err" || { echo "$name: the held job did not read the 120 records:"; cat "$tmp/held.sql.err"; exit 1; }

# with an idle timeout: the complete windows [0 s, 10 s) ... [100 s, 110 s) fire
write_job "$tmp/idle.sql" "$tmp/idle" ", 'scan.watermark.idle-timeout' = '1 s'"
run_for "$tmp/idle.sql" "$tmp/idle" 11
sort "$tmp"/idle/part-* >"$tmp/idle.actual"
seq 0 10 | awk '{ printf "2024-01-01 00:%02d:%02d,10\n", $1 * 10 / 60, ($1 * 10) % 60 }' | sort >"$tmp/idle.expected"
cmp -s "$tmp/idle.expected" "$tmp/idle.actual" ||
  { echo "$name: windows differ (< expected, > actual):"; diff "$tmp/idle.expected" "$tmp/idle.actual"; exit 1; }
echo "$name: held back without an idle timeout; 11 windows fired with one"
