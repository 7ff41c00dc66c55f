#!/usr/bin/env bash
# mariadb.sh - a throwaway MariaDB server on loopback for tests and benchmarks.
#
#   mariadb.sh start DIR     mariadb-install-db into DIR/data, start on 127.0.0.1 with a free
#                            port, print 127.0.0.1:PORT; the server's PID goes to DIR/pid
#   mariadb.sh restart DIR   shut down, then start again on the same port with the same data
#   mariadb.sh stop DIR      SIGTERM to the PID in DIR/pid (a clean shutdown); waits for exit
#
# The server has a database 'eddy', the user 'eddy' without a password and the user
# 'eddy_pw' with the password 'secret' (both from 127.0.0.1, with every privilege), so tests
# can check both a good login and a failed one; root logs in over the Unix socket in DIR
# (or under /tmp when DIR's path is too long for a socket). Grant tables are on. As root it
# runs mariadbd --user=root. A commit is not flushed to disk (innodb-flush-log-at-trx-commit=2):
# it is for tests, not for data. MARIADBD / MARIADB_INSTALL_DB override the programs.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MARIADBD=${MARIADBD:-$(command -v mariadbd || echo /usr/sbin/mariadbd)}
MARIADB_INSTALL_DB=${MARIADB_INSTALL_DB:-$(command -v mariadb-install-db || echo /usr/bin/mariadb-install-db)}
CLIENT=$(command -v mariadb || command -v mysql || true)

user_opt() { if [ "$(id -u)" = 0 ]; then echo --user=root; fi; }

# A Unix socket path must stay under 108 bytes.
socket_path() {
  local dir=$1
  if [ ${#dir} -lt 90 ]; then echo "$dir/sock"; else echo "/tmp/eddy-mariadb.$$.$RANDOM.sock"; fi
}

root_sql() {
  local dir=$1; shift
  "$CLIENT" --no-defaults -uroot --socket="$(cat "$dir/socket")" --batch --skip-column-names "$@"
}

init_datadir() {
  local dir=$1
  [ -x "$MARIADBD" ] || die "MariaDB is not installed ($MARIADBD missing)"
  [ -x "$MARIADB_INSTALL_DB" ] || die "MariaDB is not installed ($MARIADB_INSTALL_DB missing)"
  [ -n "$CLIENT" ] || die "the mariadb client is not installed"
  "$MARIADB_INSTALL_DB" --no-defaults --datadir="$dir/data" --auth-root-authentication-method=normal \
    --skip-test-db --skip-name-resolve $(user_opt) >"$dir/install.log" 2>&1 \
    || { cat "$dir/install.log" >&2; die "mariadb-install-db failed"; }
  socket_path "$dir" >"$dir/socket"
}

# Starts the server in DIR on PORT; returns non-zero when it did not come up within 30 s.
start_server() {
  local dir=$1 port=$2 sock pid
  sock=$(cat "$dir/socket")
  rm -f "$sock"
  "$MARIADBD" --no-defaults $(user_opt) --datadir="$dir/data" --socket="$sock" --port="$port" \
    --bind-address=127.0.0.1 --pid-file="$dir/mariadbd.pid" --log-error="$dir/server.log" \
    --skip-name-resolve --innodb-buffer-pool-size=64M --max-connections=100 \
    --innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0 \
    </dev/null >/dev/null 2>&1 &
  pid=$!
  echo "$pid" >"$dir/pid"
  echo "$port" >"$dir/port"
  wait_until_ready "$pid" 30 server_answers "$dir" && return 0
  if process_gone "$pid"; then rm -f "$dir/pid"; else stop_server "$dir"; fi
  return 1
}

server_answers() { root_sql "$1" -e "SELECT 1" >/dev/null 2>&1; }

create_users() {
  root_sql "$1" -e "CREATE DATABASE eddy CHARACTER SET utf8mb4;
    CREATE USER 'eddy'@'127.0.0.1';
    CREATE USER 'eddy_pw'@'127.0.0.1' IDENTIFIED BY 'secret';
    GRANT ALL ON *.* TO 'eddy'@'127.0.0.1';
    GRANT ALL ON *.* TO 'eddy_pw'@'127.0.0.1';"
}

stop_server() { stop_pid_file "$1" TERM 30; }

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: mariadb.sh start|restart|stop DIR"
case $cmd in
  start)
    dir=$(mkdir -p "$dir" && cd "$dir" && pwd)
    init_datadir "$dir"
    start_database "$dir" create_users
    ;;
  restart)
    restart_database "$(cd "$dir" && pwd)"
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    stop_server "$dir"
    sock=$(cat "$dir/socket" 2>/dev/null || true)
    case $sock in /tmp/eddy-mariadb.*) rm -f "$sock" ;; esac
    ;;
  *) die "unknown command '$cmd'; expected start, restart or stop" ;;
esac
