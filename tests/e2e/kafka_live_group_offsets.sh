#!/usr/bin/env bash
# kafka_live_group_offsets.sh - an unbounded 'kafka' source on librdkafka's mock cluster
# (tests/services/kafka.sh) reads records produced while the job runs, from two partitions,
# until SIGTERM (sent once the filesystem sink's parts, rolled every 100 ms, hold every
# record); its consumer group 'e2e-live' commits the offsets it read. A second, bounded job
# with 'scan.startup.mode' = 'group-offsets' then reads exactly the records produced after
# the first one stopped. Both outputs are checked row by row.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
EDDY=${EDDY:-$root/build/eddy}
BUILD=${BUILD:-$root/build}
MOCK=${KAFKA_MOCK:-$BUILD/eddy-kafka-mock}
tmp=${TMPDIR:-/tmp}
svc=$tmp/kafka
services=$root/tests/services/kafka.sh
name=kafka_live_group_offsets

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

write_job() {   # $1 = job file, $2 = output dir, $3 = start mode, $4 = extra options
  cat >"$1" <<EOF
CREATE TABLE readings (device STRING, seq BIGINT, temp DOUBLE) WITH (
  'connector' = 'kafka',
  'topic' = 'readings',
  'properties.bootstrap.servers' = '$addr',
  'properties.group.id' = 'e2e-live',
  'scan.startup.mode' = '$3',
  'format' = 'json'$4
);
CREATE TABLE out (device STRING, seq BIGINT, temp_f DOUBLE)
WITH ('connector' = 'filesystem', 'path' = '$2', 'format' = 'csv', 'sink.rolling-policy.rollover-interval' = '100 ms');
INSERT INTO out SELECT device, seq, temp * 2 FROM readings;
EOF
}

produce() {   # $1 = first seq, $2 = last seq: devices d0 and d1 on partitions 0 and 1
  for p in 0 1; do
    seq "$1" "$2" | awk -v p="$p" '{ printf "{\"device\":\"d%d\",\"seq\":%d,\"temp\":%d.5}\n", p, $1, $1 % 40 }' |
      "$MOCK" --produce "$addr" readings --partition "$p"
  done
}

expected() {   # $1 = first seq, $2 = last seq
  for p in 0 1; do seq "$1" "$2" | awk -v p="$p" '{ printf "d%d,%d,%d.0\n", p, $1, ($1 % 40) * 2 + 1 }'; done | sort
}

# ---- 1: a live job reads what arrives while it runs ----
write_job "$tmp/live.sql" "$tmp/live" earliest-offset ""
"$EDDY" run "$tmp/live.sql" >"$tmp/live.out" 2>"$tmp/live.err" &
job_pid=$!
sleep 0.5
produce 1 150
sleep 0.3
produce 151 300
rows_out() { cat "$tmp"/live/part-* 2>/dev/null | wc -l; }
for _ in $(seq 300); do [ "$(rows_out)" -ge 600 ] && break; sleep 0.05; done   # parts roll every 100 ms
kill -TERM "$job_pid"
rc=0
wait "$job_pid" || rc=$?
job_pid=
[ "$rc" = 0 ] || { echo "$name: the live job exited with $rc:"; cat "$tmp/live.err"; exit 1; }
sort "$tmp"/live/part-* >"$tmp/live.actual"
expected 1 300 >"$tmp/live.expected"
cmp -s "$tmp/live.expected" "$tmp/live.actual" ||
  { echo "$name: the live job's output differs (< expected, > actual):"; diff "$tmp/live.expected" "$tmp/live.actual" | head; exit 1; }

# ---- 2: the group resumes where the live job stopped ----
produce 301 340
write_job "$tmp/resume.sql" "$tmp/resume" group-offsets ",
  'scan.bounded.mode' = 'latest-offset'"
"$EDDY" run "$tmp/resume.sql" >"$tmp/resume.out" 2>"$tmp/resume.err" ||
  { echo "$name: the resumed job failed:"; cat "$tmp/resume.err"; exit 1; }
sort "$tmp"/resume/part-* >"$tmp/resume.actual"
expected 301 340 >"$tmp/resume.expected"
cmp -s "$tmp/resume.expected" "$tmp/resume.actual" ||
  { echo "$name: the resumed job's output differs (< expected, > actual):"; diff "$tmp/resume.expected" "$tmp/resume.actual" | head; exit 1; }

echo "$name: 600 records read live, then the group resumed with the 80 newer ones"
