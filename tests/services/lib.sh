# shellcheck shell=bash
# lib.sh - shell functions the service scripts share (sourced, not run): error exits, free
# loopback ports, polling until something is ready, stopping the process in DIR/pid, and the
# start / restart commands of the database servers.
# Each caller runs with `set -euo pipefail`; errors name the calling script.

die() { echo "${0##*/}: $*" >&2; exit 1; }

# True when something accepts connections on 127.0.0.1:PORT.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Prints a port P such that P .. P + COUNT - 1 (default 1) are all free, starting from one
# derived from the shell's PID so that parallel tests rarely try the same ports.
pick_port() {
  local count=${1:-1} port i
  port=$(( 20000 + ($$ * 7 + RANDOM) % 30000 ))
  for (( i = 0; i < count; i++ )); do
    if port_in_use $(( port + i )); then port=$(( port + count )); i=-1; fi
  done
  echo "$port"
}

process_gone() { ! kill -0 "$1" 2>/dev/null; }

# Runs CMD every 0.05 s until it succeeds; returns 1 when SECONDS pass first.
wait_until() {
  local secs=$1; shift
  for _ in $(seq 1 $(( secs * 20 ))); do
    "$@" && return 0
    sleep 0.05
  done
  return 1
}

# wait_until, but returns 1 at once when the process PID (the server being waited for) exits.
wait_until_ready() {
  local pid=$1 secs=$2; shift 2
  for _ in $(seq 1 $(( secs * 20 ))); do
    "$@" && return 0
    process_gone "$pid" && return 1
    sleep 0.05
  done
  return 1
}

# Stops the process whose PID is in DIR/pid: SIGNAL, up to SECONDS for it to exit, then
# FALLBACK (if given) and a second more, then SIGKILL; removes DIR/pid. No DIR/pid: nothing.
stop_pid_file() {
  local dir=$1 signal=$2 secs=$3 fallback=${4:-} pid
  [ -f "$dir/pid" ] || return 0
  pid=$(cat "$dir/pid")
  kill "-$signal" "$pid" 2>/dev/null || true
  if ! wait_until "$secs" process_gone "$pid" && [ -n "$fallback" ]; then
    kill "-$fallback" "$pid" 2>/dev/null || true
    wait_until 1 process_gone "$pid" || true
  fi
  if ! process_gone "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
    wait_until 5 process_gone "$pid" || true
  fi
  rm -f "$dir/pid"
}

# The start and restart commands of a database server script, which defines
# start_server DIR PORT (writes DIR/pid and DIR/port; non-zero when the server did not come
# up, its log in DIR/server.log) and stop_server DIR.
# start_database DIR SETUP: start_server on up to five free ports, then SETUP DIR; prints
# 127.0.0.1:PORT.
start_database() {
  local dir=$1 setup=$2 port
  for _ in 1 2 3 4 5; do
    port=$(pick_port 1)
    if start_server "$dir" "$port"; then
      "$setup" "$dir"
      echo "127.0.0.1:$port"
      return 0
    fi
  done
  cat "$dir/server.log" >&2 2>/dev/null || true
  die "the server did not start"
}

# restart_database DIR: stop_server, then start_server on the same port; prints 127.0.0.1:PORT.
restart_database() {
  local dir=$1
  stop_server "$dir"
  start_server "$dir" "$(cat "$dir/port")" || { cat "$dir/server.log" >&2; die "the server did not restart"; }
  echo "127.0.0.1:$(cat "$dir/port")"
}
