#!/usr/bin/env bash
# postgres_restart.sh - a ~10 s job writes upserts into PostgreSQL (one row per id, and a
# running aggregate per bucket) while the server is restarted in the middle; the sink warns,
# reconnects and retries (sink.max-retries), and afterwards both tables equal the expected
# rows, computed by SQLite, row by row: no change is lost.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL is not installed ($PGBIN/initdb missing)"; exit 77; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is not installed"; exit 77; }
[ -x "${EDDY:-}" ] || { echo "EDDY is not set to a built eddy"; exit 77; }
services=$(cd "$(dirname "$0")/../services" && pwd)
work=${TMPDIR:-/tmp}
pg=$work/pg
trap '"$services/postgres.sh" stop "$pg"' EXIT
addr=$("$services/postgres.sh" start "$pg")
port=${addr##*:}
psql_at() { "$PGBIN/psql" -X -q -At -F '|' -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U eddy -d eddy -c "$1"; }

rows=20000
rate=2000
sink="'connector' = 'jdbc', 'url' = 'jdbc:postgresql://$addr/eddy', 'username' = 'eddy',
  'sink.max-retries' = '5', 'sink.buffer-flush.max-rows' = '500', 'sink.buffer-flush.interval' = '200 ms'"
cat >"$work/job.sql" <<EOF
CREATE TABLE src (id BIGINT) WITH (
  'connector' = 'datagen', 'rows-per-second' = '$rate',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '$rows');
CREATE TABLE per_id (id BIGINT, label STRING, PRIMARY KEY (id) NOT ENFORCED)
  WITH ($sink, 'table-name' = 'per_id');
CREATE TABLE per_bucket (bucket BIGINT, cnt BIGINT, total BIGINT, last_id BIGINT, PRIMARY KEY (bucket) NOT ENFORCED)
  WITH ($sink, 'table-name' = 'per_bucket');
INSERT INTO per_id SELECT id, CONCAT('row-', CAST(id AS STRING)) FROM src;
INSERT INTO per_bucket SELECT id % 97, COUNT(*), SUM(id), MAX(id) FROM src GROUP BY id % 97;
EOF

"$EDDY" run "$work/job.sql" >"$work/eddy.out" 2>"$work/eddy.err" &
eddy_pid=$!
sleep 4
before=$(psql_at "SELECT count(*) FROM per_id")
old_pid=$(cat "$pg/pid")
"$services/postgres.sh" restart "$pg" >/dev/null
[ "$(cat "$pg/pid")" != "$old_pid" ] || { echo "the server did not restart"; exit 1; }
rc=0
wait "$eddy_pid" || rc=$?
if [ "$rc" != 0 ]; then
  echo "eddy failed (exit $rc):"; cat "$work/eddy.err"; exit 1
fi
grep -q "warning: jdbc sink of table 'per_.*'.*retry 1 of 5" "$work/eddy.err" ||
  { echo "no retry warning from the sink:"; cat "$work/eddy.err"; exit 1; }
[ "$before" -gt 0 ] && [ "$before" -lt "$rows" ] ||
  { echo "the restart was not in the middle of the job ($before of $rows rows written before it)"; exit 1; }

sqlite3 -separator '|' :memory: "
  WITH RECURSIVE s(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM s WHERE id < $rows)
  SELECT id, 'row-' || id FROM s ORDER BY id;" >"$work/expected_per_id"
sqlite3 -separator '|' :memory: "
  WITH RECURSIVE s(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM s WHERE id < $rows)
  SELECT id % 97, count(*), sum(id), max(id) FROM s GROUP BY id % 97 ORDER BY 1;" >"$work/expected_per_bucket"
psql_at "SELECT id, label FROM per_id ORDER BY id" >"$work/actual_per_id"
psql_at "SELECT bucket, cnt, total, last_id FROM per_bucket ORDER BY bucket" >"$work/actual_per_bucket"
for t in per_id per_bucket; do
  if ! cmp -s "$work/expected_$t" "$work/actual_$t"; then
    echo "table $t differs from the expected rows (< expected, > actual):"
    diff "$work/expected_$t" "$work/actual_$t" | head -20
    exit 1
  fi
done
echo "restart after $before of $rows rows; per_id: $(wc -l <"$work/actual_per_id") rows," \
  "per_bucket: $(wc -l <"$work/actual_per_bucket") rows, all as expected"
