#!/usr/bin/env bash
# kafka.sh - starts and stops librdkafka's mock Kafka cluster (eddy-kafka-mock) on loopback
# for the end-to-end tests. The brokers listen on free ports the kernel picks.
#   kafka.sh start DIR [TOPIC:PARTITIONS ...]   prints the bootstrap address, writes DIR/pid
#   kafka.sh stop DIR                            stops the cluster by DIR/pid and waits for it
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: kafka.sh start|stop DIR [TOPIC:PARTITIONS ...]" >&2; exit 2; }
shift 2
mock=${KAFKA_MOCK:-${BUILD:-build}/eddy-kafka-mock}
case $cmd in
start)
  [ -x "$mock" ] || die "$mock is not built (make $mock)"
  mkdir -p "$dir"
  rm -f "$dir/address" "$dir/pid"
  nohup "$mock" --pid-file "$dir/pid" "$@" >"$dir/address" 2>"$dir/log" </dev/null &
  wait_until 10 test -s "$dir/address" || { echo "kafka.sh: the mock cluster did not start:" >&2; cat "$dir/log" >&2; exit 1; }
  head -n1 "$dir/address"
  ;;
stop)
  stop_pid_file "$dir" TERM 10
  ;;
*)
  echo "kafka.sh: unknown command '$cmd' (start or stop)" >&2; exit 2
  ;;
esac
