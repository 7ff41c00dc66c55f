#!/usr/bin/env bash
# mysql_restart.sh - an updating aggregate upserted into MariaDB through the jdbc connector
# while the server restarts in the middle of the run: the sink warns, reconnects, retries
# (sink.max-retries), and afterwards the table equals the expected rows, compared row by row.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
service=$root/tests/services/mariadb.sh
EDDY=${EDDY:-$root/build/eddy}
TMPDIR=${TMPDIR:-/tmp}

command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || { echo "MariaDB (mariadbd) is not installed"; exit 77; }
command -v mariadb-install-db >/dev/null 2>&1 || { echo "mariadb-install-db is not installed"; exit 77; }
[ -x "$EDDY" ] || { echo "no eddy binary at $EDDY"; exit 77; }

work=$(mktemp -d "$TMPDIR/mysql_restart.XXXXXX")
eddy_pid=""
cleanup() {
  [ -n "$eddy_pid" ] && kill "$eddy_pid" 2>/dev/null || true
  "$service" stop "$work/db" || true
}
trap cleanup EXIT

addr=$("$service" start "$work/db")
sql() { mariadb --no-defaults -h "${addr%:*}" -P "${addr#*:}" -u eddy eddy --batch --skip-column-names -e "$1"; }

# 3000 ids at 300 rows per second: about 10 s. Every id updates the row of id % 500.
cat >"$work/job.sql" <<EOF
CREATE TABLE gen (
  id BIGINT, v INT
) WITH ('connector' = 'datagen', 'number-of-rows' = '3000', 'rows-per-second' = '300',
        'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '3000',
        'fields.v.min' = '1', 'fields.v.max' = '9');
CREATE TABLE per_bucket (
  bucket BIGINT, n BIGINT, total BIGINT, last_id BIGINT, label STRING,
  PRIMARY KEY (bucket) NOT ENFORCED
) WITH ('connector' = 'jdbc', 'url' = 'jdbc:mysql://$addr/eddy?useSSL=false&characterEncoding=utf8',
        'username' = 'eddy_pw', 'password' = 'secret', 'table-name' = 'per_bucket',
        'sink.buffer-flush.max-rows' = '200', 'sink.buffer-flush.interval' = '200ms',
        'sink.max-retries' = '5');
INSERT INTO per_bucket
SELECT id % 500, COUNT(*), SUM(id), MAX(id), CONCAT('it''s ', CAST(id % 500 AS STRING))
FROM gen GROUP BY id % 500;
EOF

"$EDDY" run "$work/job.sql" >"$work/out.txt" 2>"$work/err.txt" &
eddy_pid=$!

# Restart once rows are arriving, in the middle of the run.
for _ in $(seq 1 100); do
  n=$(sql "SELECT count(*) FROM per_bucket" 2>/dev/null || echo 0)
  [ "$n" -gt 0 ] && break
  sleep 0.1
done
sleep 3
"$service" restart "$work/db" >/dev/null
restarted_at=$(sql "SELECT count(*) FROM per_bucket")

rc=0
wait "$eddy_pid" || rc=$?
eddy_pid=""
if [ $rc -ne 0 ]; then
  echo "eddy failed (exit $rc):"; cat "$work/err.txt"; exit 1
fi
grep -q "eddy: warning: jdbc sink of table 'per_bucket' at MySQL server $addr/eddy failed: .*; retry 1 of 5 in 1 s" \
  "$work/err.txt" || { echo "expected a retry warning, got:"; cat "$work/err.txt"; exit 1; }

sql "SELECT bucket, n, total, last_id, label FROM per_bucket ORDER BY bucket" >"$work/actual.txt"
sql "SELECT seq % 500, COUNT(*), SUM(seq), MAX(seq), CONCAT('it''s ', seq % 500) FROM seq_1_to_3000
     GROUP BY seq % 500 ORDER BY 1" >"$work/expected.txt"
[ "$(wc -l <"$work/expected.txt")" -eq 500 ] || { echo "bad expected rows"; exit 1; }
if ! diff "$work/expected.txt" "$work/actual.txt" >"$work/diff.txt"; then
  echo "table per_bucket differs from the expected rows (< expected, > actual):"
  head -n 40 "$work/diff.txt"
  exit 1
fi
echo "ok: 500 rows as expected after a restart with $restarted_at rows written; $(grep -c 'eddy: warning' "$work/err.txt") retry warning(s)"
