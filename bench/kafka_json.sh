#!/usr/bin/env bash
# kafka_json.sh - the Kafka JSON benchmark: ROWS user-behaviour records (user_id, item_id,
# category_id, behavior, ts) as JSON messages on a topic of librdkafka's mock cluster
# (tests/services/kafka.sh), read by `eddy run` (kafka source, 'earliest-offset' to
# 'latest-offset', format json) into a blackhole sink. The same JSON read from a file
# (filesystem source into blackhole) is one reference; librdkafka alone reading the topic the
# way eddy's source does, with nothing done to the records (bench/kafka_consume.c, built into
# $BUILD/eddy-bench-kafka-consume), is the other: the floor. The three run alternately.
# Prints, for the best of RUNS runs of each: wall time, rows/s, user and system CPU seconds,
# rows per CPU-second (user + system, all threads: "per core"), peak memory, the ratios, and
# whether the target (1 million JSON rows parsed per CPU-second) is met.
#
# The topic is written by eddy itself (filesystem JSON into a kafka sink, 'sink.partitioner'
# round-robin, compression CODEC): the mock keeps at most 5 MiB of stored (compressed) record
# batches per partition and silently drops the oldest beyond that, so PARTITIONS defaults to
# one per 125,000 rows (~30 bytes per lz4-compressed row; 50,000 uncompressed) and the run
# checks every row came back.
#
# A last kafka run samples each thread's CPU time (/proc/PID/task/*/schedstat every 10 ms):
# eddy's main thread (source, decoder, job) against librdkafka's threads (fetching,
# decompressing, parsing record batches into messages).
#
# PROFILE=1 also runs both jobs under valgrind's callgrind on the first PROFILE_ROWS rows
# (written to a second topic) and prints instructions per row on the main
# thread: the JSON decoder, taking records from librdkafka (its partition queues, freeing
# each message) and the rest (start-up, planning, sink); and on librdkafka's threads.
#
# Env: ROWS (default 4000000), PARTITIONS, RUNS (default 3), PIN (a CPU number: every timed
# run is pinned to it with taskset), CODEC (default lz4: none, gzip,
# snappy, lz4, zstd), PROFILE, PROFILE_ROWS (default 200000), EDDY (default $BUILD/eddy),
# BUILD (default: EDDY's directory, else build; holds eddy-bench-gen and eddy-kafka-mock).
# Generated data is kept in $BUILD/bench; KEEP=1 keeps the run's temp dir (jobs, callgrind output).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-4000000}
runs=${RUNS:-3}
codec=${CODEC:-lz4}
per_partition=$([ "$codec" = none ] && echo 50000 || echo 125000)
partitions=${PARTITIONS:-$(( (rows + per_partition - 1) / per_partition ))}
profile_rows=${PROFILE_ROWS:-200000}
BUILD=${BUILD:-$(dirname "${EDDY:-build/eddy}")}
eddy=${EDDY:-$BUILD/eddy}
export KAFKA_MOCK=${KAFKA_MOCK:-$BUILD/eddy-kafka-mock}
for f in "$eddy" "$BUILD/eddy-bench-gen" "$KAFKA_MOCK"; do
  [ -x "$f" ] || { echo "kafka_json.sh: $f is not built (make BUILD=$BUILD)" >&2; exit 1; }
done
consume=$BUILD/eddy-bench-kafka-consume
if [ ! -x "$consume" ] || [ bench/kafka_consume.c -nt "$consume" ]; then
  ${CC:-cc} -O2 -g -Wall -Wextra -o "$consume" bench/kafka_consume.c -lrdkafka
fi
pin=()
if [ -n "${PIN:-}" ]; then pin=(taskset -c "$PIN"); fi
[ -x /usr/bin/time ] || { echo "kafka_json.sh: needs /usr/bin/time (Debian package 'time')" >&2; exit 1; }
if [ -n "${PROFILE:-}" ]; then
  if ! command -v valgrind >/dev/null || ! command -v callgrind_annotate >/dev/null; then
    echo "kafka_json.sh: PROFILE needs valgrind" >&2; exit 1
  fi
fi

# ---- data: generated rows as JSON lines, kept between runs ----
data_dir=$BUILD/bench
mkdir -p "$data_dir"
json=$data_dir/user_behavior_$rows.json
if [ ! -f "$json" ]; then
  echo "generating $rows rows into $json"
  "$BUILD/eddy-bench-gen" -n "$rows" -s 2024 -o "$json.csv"
  awk -F, '{ printf "{\"user_id\":%s,\"item_id\":%s,\"category_id\":%s,\"behavior\":\"%s\",\"ts\":%s}\n",
             $1, $2, $3, $4, $5 }' "$json.csv" >"$json.tmp"
  mv "$json.tmp" "$json"
  rm -f "$json.csv"
fi
json=$(cd "$(dirname "$json")" && pwd)/$(basename "$json")

dir=$(mktemp -d "${TMPDIR:-/tmp}/eddy-kafka-bench.XXXXXX")
trap 'bash tests/services/kafka.sh stop "$dir/kafka" || true; [ -n "${KEEP:-}" ] || rm -rf "$dir"' EXIT
addr=$(bash tests/services/kafka.sh start "$dir/kafka" "user_behavior:$partitions" "user_behavior_profile:$partitions")

columns="user_id BIGINT, item_id BIGINT, category_id BIGINT, behavior STRING, ts BIGINT"
kafka_table() {   # $1 = topic, $2 = extra options
  echo "CREATE TABLE user_behavior ($columns) WITH ('connector' = 'kafka', 'topic' = '$1',
  'properties.bootstrap.servers' = '$addr', 'format' = 'json'$2);"
}
file_table() {   # $1 = the file
  echo "CREATE TABLE user_behavior ($columns) WITH ('connector' = 'filesystem', 'path' = '$1', 'format' = 'json');"
}
into_blackhole="CREATE TABLE bh ($columns) WITH ('connector' = 'blackhole');
INSERT INTO bh SELECT * FROM user_behavior;"

# ---- the topic ----
produce() {   # $1 = JSON file, $2 = topic
  {
    file_table "$1" | sed 's/TABLE user_behavior/TABLE src/'
    kafka_table "$2" ", 'properties.compression.codec' = '$codec', 'properties.linger.ms' = '50',
    'sink.partitioner' = 'round-robin'"
    echo "INSERT INTO user_behavior SELECT * FROM src;"
  } >"$dir/produce.sql"
  "$eddy" run "$dir/produce.sql" 2>"$dir/produce.err" >/dev/null || { cat "$dir/produce.err" >&2; exit 1; }
}
echo "writing $rows rows into $partitions partitions (compression $codec) at $addr"
produce "$json" user_behavior

bounded=", 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset'"
{ kafka_table user_behavior "$bounded"; echo "$into_blackhole"; } >"$dir/kafka.sql"
{ file_table "$json"; echo "$into_blackhole"; } >"$dir/file.sql"

# ---- timed runs ----
timed() {   # $1 = name, then the command; appends "wall user sys maxrss_kb" to $dir/$1.times
  local name=$1 got
  shift
  /usr/bin/time -f "%e %U %S %M" -o "$dir/$name.t" "${pin[@]}" "$@" >"$dir/$name.out" 2>"$dir/$name.err" ||
    { echo "kafka_json.sh: the $name run failed:" >&2; cat "$dir/$name.err" >&2; exit 1; }
  got=$(awk '$1 == "source" { print $5 } $2 == "records," { print $1 }' "$dir/$name.err" "$dir/$name.out")
  [ "$got" = "$rows" ] || { echo "kafka_json.sh: the $name run read $got rows, not $rows" \
    "(the mock drops batches past 5 MiB per partition: raise PARTITIONS)" >&2; exit 1; }
  tail -n1 "$dir/$name.t" >>"$dir/$name.times"
}
for _ in $(seq "$runs"); do
  timed file "$eddy" run "$dir/file.sql"
  timed kafka "$eddy" run "$dir/kafka.sql"
  timed consume "$consume" "$addr" user_behavior
done

best() {   # $1 = name: the run with the least wall time, then the least CPU time, as "wall user sys rss cpu"
  awk '{ print $1, $2, $3, $4, $2 + $3 }' "$dir/$1.times" | sort -k1,1g | head -n1 >"$dir/$1.best_wall"
  awk '{ print $1, $2, $3, $4, $2 + $3 }' "$dir/$1.times" | sort -k5,5g | head -n1 >"$dir/$1.best_cpu"
}
best file
best kafka
best consume
report() {   # $1 = name, $2 = label
  read -r wall _ _ rss _ <"$dir/$1.best_wall"
  read -r _ user sys _ cpu <"$dir/$1.best_cpu"
  awk -v l="$2" -v n="$rows" -v w="$wall" -v u="$user" -v s="$sys" -v c="$cpu" -v m="$rss" 'BEGIN {
    printf "%-16s %5.2f s wall %8.0f rows/s | CPU %5.2f s (user %5.2f, sys %4.2f) %8.0f rows per CPU-second | peak RSS %4.0f MB\n",
      l, w, n / w, c, u, s, n / c, m / 1024 }'
}
echo "rows $rows, best of $runs runs each (wall: least wall time; CPU: least CPU time)${PIN:+, pinned to CPU $PIN}:"
report file file
report kafka kafka
report consume "librdkafka alone"
read -r fwall _ _ _ _ <"$dir/file.best_wall"
read -r kwall _ _ _ _ <"$dir/kafka.best_wall"
read -r cwall _ _ _ _ <"$dir/consume.best_wall"
read -r _ _ _ _ fcpu <"$dir/file.best_cpu"
read -r _ _ _ _ kcpu <"$dir/kafka.best_cpu"
read -r _ _ _ _ ccpu <"$dir/consume.best_cpu"
awk -v fw="$fwall" -v kw="$kwall" -v cw="$cwall" -v fc="$fcpu" -v kc="$kcpu" -v cc="$ccpu" -v n="$rows" 'BEGIN {
  printf "kafka / file: %.2fx wall, %.2fx CPU; kafka / librdkafka alone: %.2fx wall, %.2fx CPU\n",
    kw / fw, kc / fc, kw / cw, kc / cc
  printf "target 1,000,000 JSON rows per CPU-second from Kafka: %s (%.2fx)\n",
    n / kc >= 1000000 ? "met" : "NOT met", n / kc / 1000000 }'

# ---- CPU time per thread: one more kafka run, each thread's schedstat sampled every 10 ms ----
declare -A thread_ns thread_name
"${pin[@]}" "$eddy" run "$dir/kafka.sql" >/dev/null 2>"$dir/split.err" &
pid=$!
state=R
while [ "$state" != Z ] && [ -d "/proc/$pid" ]; do
  for t in "/proc/$pid/task/"*; do
    tid=${t##*/}
    if read -r ns _ 2>/dev/null <"$t/schedstat"; then thread_ns[$tid]=$ns; fi
    read -r "thread_name[$tid]" 2>/dev/null <"$t/comm" || true
  done
  read -r _ _ state _ 2>/dev/null <"/proc/$pid/stat" || state=Z
  sleep 0.01
done
wait "$pid" || { cat "$dir/split.err" >&2; exit 1; }
for tid in "${!thread_ns[@]}"; do
  echo "${thread_name[$tid]:-?} ${thread_ns[$tid]} $([ "$tid" = "$pid" ] && echo main || echo other)"
done | awk -v n="$rows" '
  $3 == "main" { main += $2; next }
  { other += $2; by[$1] += $2 }
  END {
    printf "CPU by thread: main (eddy) %.2f s = %.0f ns/row; librdkafka threads %.2f s = %.0f ns/row (", main / 1e9, main / n, other / 1e9, other / n
    sep = ""
    for (t in by) { printf "%s%s %.2f s", sep, t, by[t] / 1e9; sep = ", " }
    printf ")\n" }'

# ---- instructions per row (callgrind) ----
[ -n "${PROFILE:-}" ] || exit 0
# The first PROFILE_ROWS rows, on a topic of their own with as many partitions (read to its
# end: librdkafka fetches ahead, so a run that stops early would count fetches it never uses).
prows=$(( profile_rows < rows ? profile_rows : rows ))
head -n "$prows" "$json" >"$dir/profile.json"
produce "$dir/profile.json" user_behavior_profile
{ kafka_table user_behavior_profile "$bounded"; echo "$into_blackhole"; } >"$dir/kafka_profile.sql"
{ file_table "$dir/profile.json"; echo "$into_blackhole"; } >"$dir/file_profile.sql"
inclusive() {   # $1 = callgrind output, $2 = regexp of the function's "file:name" (the largest entry)
  callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
    awk -v re="$2" '$0 ~ re { gsub(",", "", $1); if ($1 + 0 > max) max = $1 + 0 } END { print max + 0 }'
}
program_total() {   # $1 = callgrind output
  callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ && !t { gsub(",", "", $1); t = $1 } END { print t + 0 }'
}
profile() {   # $1 = name: one output per thread, $dir/$1.cg-01 being the main thread
  valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$dir/$1.cg" "$eddy" run \
    "$dir/$1_profile.sql" >/dev/null 2>"$dir/$1.cg.err" || { cat "$dir/$1.cg.err" >&2; exit 1; }
}
echo "instructions per row (callgrind, $prows rows):"
profile file
total=$(program_total "$dir/file.cg-01")
decode=$(inclusive "$dir/file.cg-01" 'json[.]c:json_decode ')
awk -v n="$prows" -v t="$total" -v d="$decode" 'BEGIN {
  printf "file    main thread %5.0f = JSON decoder %5.0f + the rest %4.0f\n", t / n, d / n, (t - d) / n }'
profile kafka
main=$(program_total "$dir/kafka.cg-01")
source=$(inclusive "$dir/kafka.cg-01" 'kafka_source[.]c:ks_next ')
decode=$(inclusive "$dir/kafka.cg-01" 'json[.]c:json_decode_message ')
threads=0
lz4=0
for f in "$dir"/kafka.cg-*; do
  [ "$f" = "$dir/kafka.cg-01" ] && continue
  threads=$(( threads + $(program_total "$f") ))
  lz4=$(( lz4 + $(inclusive "$f" ':LZ4F_decompress ') ))
done
awk -v n="$prows" -v m="$main" -v s="$source" -v d="$decode" -v th="$threads" -v z="$lz4" 'BEGIN {
  printf "kafka   main thread %5.0f = JSON decoder %5.0f + records from librdkafka %4.0f + the rest %4.0f\n",
    m / n, d / n, (s - d) / n, (m - s) / n
  printf "        librdkafka threads %5.0f", th / n
  if (z > 0) printf " (of which LZ4 decompression %.0f)", z / n
  printf "\n" }'
