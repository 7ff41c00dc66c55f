#!/usr/bin/env bash
# postgres.sh - a throwaway PostgreSQL server on loopback for tests and benchmarks.
#
#   postgres.sh start DIR     initdb into DIR/data, start on 127.0.0.1 with a free port,
#                             print 127.0.0.1:PORT; the postmaster's PID goes to DIR/pid
#   postgres.sh restart DIR   fast shutdown, then start again on the same port
#   postgres.sh stop DIR      fast shutdown of the PID in DIR/pid; waits until it has exited
#
# The server keeps its Unix socket in DIR, has a database 'eddy', trusts the superuser
# 'postgres' and the user 'eddy' on loopback, and asks the user 'eddy_pw' for the password
# 'secret' (scram-sha-256), so tests can check both a good login and a failed one. It runs
# with fsync off: it is for tests, not for data. As root it runs as the user 'postgres'
# (PostgreSQL refuses to run as root), so DIR is handed to that user.
# PGBIN overrides the directory of the server binaries (default: PostgreSQL 15's).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

# Runs a command as the server's user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

init_cluster() {
  local dir=$1
  [ -x "$PGBIN/initdb" ] || die "PostgreSQL is not installed ($PGBIN/initdb missing)"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the user 'postgres' (from the postgresql package)"
    chown -R postgres "$dir"
    chmod 755 "$dir"
  fi
  as_owner "$PGBIN/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C --auth=trust --no-sync \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  as_owner tee "$dir/data/pg_hba.conf" >/dev/null <<'EOF'
local all all trust
host all postgres 127.0.0.1/32 trust
host all eddy 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
EOF
}

# Starts the cluster in DIR on PORT; returns non-zero when the server did not come up.
start_server() {
  local dir=$1 port=$2
  as_owner "$PGBIN/pg_ctl" start -w -t 30 -D "$dir/data" -l "$dir/server.log" \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
    >/dev/null 2>&1 || return 1
  head -n1 "$dir/data/postmaster.pid" >"$dir/pid"
  echo "$port" >"$dir/port"
}

psql_in() {
  local dir=$1 db=$2; shift 2
  as_owner "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$(cat "$dir/port")" -U postgres -d "$db" "$@"
}

create_roles() {
  local dir=$1
  psql_in "$dir" postgres -c "CREATE USER eddy SUPERUSER" -c "CREATE USER eddy_pw PASSWORD 'secret'" \
    -c "CREATE DATABASE eddy OWNER eddy" -c "GRANT ALL ON DATABASE eddy TO eddy_pw" >/dev/null
  psql_in "$dir" eddy -c "GRANT ALL ON SCHEMA public TO eddy_pw" >/dev/null
}

# SIGINT is a "fast" shutdown, SIGQUIT an immediate one.
stop_server() { stop_pid_file "$1" INT 30 QUIT; }

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: postgres.sh start|restart|stop DIR"
case $cmd in
  start)
    dir=$(mkdir -p "$dir" && cd "$dir" && pwd)
    init_cluster "$dir"
    start_database "$dir" create_roles
    ;;
  restart)
    restart_database "$(cd "$dir" && pwd)"
    ;;
  stop)
    stop_server "$dir"
    ;;
  *) die "unknown command '$cmd'; expected start, restart or stop" ;;
esac
