#!/usr/bin/env bash
# mosquitto.sh - a throwaway Mosquitto MQTT broker on loopback for tests.
#
#   mosquitto.sh start DIR [USER PASSWORD]
#                          write DIR/mosquitto.conf, start the broker on 127.0.0.1 with a free
#                          port, print 127.0.0.1:PORT (anonymous clients welcome); the PID goes
#                          to DIR/pid. With USER and PASSWORD a second listener asks for them
#                          (password file made with mosquitto_passwd) and its address goes to
#                          DIR/auth_address.
#   mosquitto.sh wait-subscribed DIR CLIENT_ID [SECONDS]
#                          wait (default 20 s) until the client CLIENT_ID has been granted a
#                          subscription, as the broker's log DIR/mosquitto.log says
#   mosquitto.sh restart DIR
#                          stop, then start again with the same configuration and port
#   mosquitto.sh stop DIR  stop the PID in DIR/pid; waits until it has exited
#
# The broker keeps nothing on disk (persistence off), queues up to 100000 messages per slow
# client (the default 1000 drops messages of bursts in tests) and logs everything to
# DIR/mosquitto.log. As root it drops to its own user, so the files it opens after that are
# made readable and writable for it. MOSQUITTO overrides the broker binary.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

find_broker() {
  if [ -n "${MOSQUITTO:-}" ]; then echo "$MOSQUITTO"; return; fi
  command -v mosquitto 2>/dev/null && return
  [ -x /usr/sbin/mosquitto ] && { echo /usr/sbin/mosquitto; return; }
  die "mosquitto is not installed (Debian: apt-get install mosquitto)"
}

write_config() {
  local dir=$1 port=$2 user=$3 password=$4
  {
    echo "per_listener_settings true"
    echo "persistence false"
    echo "max_queued_messages 100000"
    # mosquitto 2.0.11 stops delivering to a QoS 2 subscriber after a few thousand messages
    # of a burst with the default in-flight window; no limit avoids that stall
    echo "max_inflight_messages 0"
    echo "log_dest file $dir/mosquitto.log"
    echo "log_type all"
    echo "listener $port 127.0.0.1"
    echo "allow_anonymous true"
    if [ -n "$user" ]; then
      echo "listener $(( port + 1 )) 127.0.0.1"
      echo "allow_anonymous false"
      echo "password_file $dir/passwd"
    fi
  } >"$dir/mosquitto.conf"
  : >"$dir/mosquitto.log"
  chmod 666 "$dir/mosquitto.log"
  if [ -n "$user" ]; then
    rm -f "$dir/passwd"
    command -v mosquitto_passwd >/dev/null || die "mosquitto_passwd is not installed"
    mosquitto_passwd -b -c "$dir/passwd" "$user" "$password" >/dev/null 2>&1
    chmod 644 "$dir/passwd"
  fi
}

# Starts the broker on PORT; returns non-zero when it did not come up.
start_broker() {
  local dir=$1 port=$2 broker=$3 pid
  "$broker" -c "$dir/mosquitto.conf" >"$dir/stderr.log" 2>&1 &
  pid=$!
  if wait_until_ready "$pid" 5 port_in_use "$port"; then
    echo "$pid" >"$dir/pid"
    return 0
  fi
  kill "$pid" 2>/dev/null || true
  return 1
}

stop_broker() { stop_pid_file "$1" TERM 5; }

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: mosquitto.sh start DIR [USER PASSWORD] | restart DIR | wait-subscribed DIR CLIENT_ID [SECONDS] | stop DIR"
case $cmd in
  start)
    user=${3:-}; password=${4:-}
    [ -z "$user" ] || [ -n "$password" ] || die "start: USER needs a PASSWORD"
    broker=$(find_broker)
    dir=$(mkdir -p "$dir" && cd "$dir" && pwd)
    chmod 755 "$dir"
    for _ in 1 2 3 4 5; do
      port=$(pick_port 2)
      write_config "$dir" "$port" "$user" "$password"
      if start_broker "$dir" "$port" "$broker"; then
        echo "$port" >"$dir/port"
        if [ -n "$user" ]; then
          wait_until 5 port_in_use $(( port + 1 )) || true
          echo "127.0.0.1:$(( port + 1 ))" >"$dir/auth_address"
        fi
        echo "127.0.0.1:$port"
        exit 0
      fi
    done
    cat "$dir/stderr.log" "$dir/mosquitto.log" >&2 2>/dev/null || true
    die "the broker did not start"
    ;;
  wait-subscribed)
    client=${3:-}; secs=${4:-20}
    [ -n "$client" ] || die "wait-subscribed: CLIENT_ID missing"
    wait_until "$secs" grep -qF "Sending SUBACK to $client" "$dir/mosquitto.log" && exit 0
    die "client '$client' did not subscribe within $secs s"
    ;;
  restart)
    dir=$(cd "$dir" && pwd)
    [ -f "$dir/port" ] || die "restart: no broker was started in $dir"
    stop_broker "$dir"
    port=$(cat "$dir/port")
    : >"$dir/mosquitto.log"                       # wait-subscribed sees only the new run
    for _ in $(seq 1 40); do
      start_broker "$dir" "$port" "$(find_broker)" && { echo "127.0.0.1:$port"; exit 0; }
      sleep 0.25                                  # the old socket may linger a moment
    done
    cat "$dir/stderr.log" >&2 2>/dev/null || true
    die "the broker did not restart on port $port"
    ;;
  stop)
    stop_broker "$dir"
    ;;
  *) die "unknown command '$cmd'; expected start, restart, wait-subscribed or stop" ;;
esac
