#!/usr/bin/env bash
# pg_upsert.sh - upserts per second through eddy into a local PostgreSQL (the 'jdbc' sink),
# with PostgreSQL's own bulk paths on the same rows in the same run as the reference:
#
#   eddy insert   ROWS generated rows (datagen) upserted into an empty table with a primary key
#   eddy update   the same job again: every key exists, every row is updated
#   COPY          the rows eddy wrote, COPY'd into an empty table of the same shape (the
#                 fastest way in: the upper bound for "insert")
#   COPY+upsert   COPY into a temp table, then INSERT ... SELECT ... ON CONFLICT DO UPDATE
#                 into the full table (the server-side way to "update")
#   eddy append   the same rows into a table without a primary key (eddy uses COPY there),
#                 against COPY into a table without one
#   generate      the same job into the blackhole connector (eddy's own cost, no database)
#
# Env: ROWS (default 1000000), BATCH = sink.buffer-flush.max-rows (default 10000),
# EDDY (default build/eddy). The server is tests/services/postgres.sh's (fsync off).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
batch=${BATCH:-10000}
eddy=${EDDY:-build/eddy}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$eddy" ] || { echo "pg_upsert.sh: $eddy not built (make)" >&2; exit 1; }
[ -x "$PGBIN/initdb" ] || { echo "pg_upsert.sh: PostgreSQL is not installed ($PGBIN)" >&2; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/eddy-pg-bench.XXXXXX")
chmod 755 "$dir"
trap 'tests/services/postgres.sh stop "$dir/pg"; rm -rf "$dir"' EXIT
addr=$(tests/services/postgres.sh start "$dir/pg")
port=${addr##*:}
psql_run() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U eddy -d eddy "$@"; }

columns="id BIGINT, name STRING, score DOUBLE, amount DECIMAL(12, 2), ts TIMESTAMP(3), flag BOOLEAN"
write_job() {   # $1 = sink options, $2 = the key clause (default: PRIMARY KEY (id))
  cat >"$dir/job.sql" <<EOF
CREATE TABLE src ($columns) WITH (
  'connector' = 'datagen', 'rows-per-second' = '1000000000',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '$rows',
  'fields.name.length' = '16', 'fields.amount.min' = '0', 'fields.amount.max' = '100000');
CREATE TABLE bench ($columns${2-, PRIMARY KEY (id) NOT ENFORCED}) WITH ($1);
INSERT INTO bench SELECT * FROM src;
EOF
}

now() { date +%s.%N; }
timed() {   # runs "$@", prints the seconds it took
  local t0 t1
  t0=$(now)
  "$@" >"$dir/out.txt" 2>&1 || { cat "$dir/out.txt" >&2; exit 1; }
  t1=$(now)
  echo "$t1 - $t0" | bc -l
}

jdbc="'connector' = 'jdbc', 'url' = 'jdbc:postgresql://$addr/eddy', 'username' = 'eddy',
  'sink.buffer-flush.max-rows' = '$batch', 'sink.buffer-flush.interval' = '0'"
write_job "'connector' = 'blackhole'"
gen_s=$(timed "$eddy" run "$dir/job.sql")
write_job "$jdbc, 'table-name' = 'bench_append'" ""
append_s=$(timed "$eddy" run "$dir/job.sql")
write_job "$jdbc, 'table-name' = 'bench'"
insert_s=$(timed "$eddy" run "$dir/job.sql")
count=$(psql_run -At -c "SELECT count(*) FROM bench")
[ "$count" = "$rows" ] || { echo "pg_upsert.sh: the table holds $count rows, expected $rows" >&2; exit 1; }
update_s=$(timed "$eddy" run "$dir/job.sql")
count=$(psql_run -At -c "SELECT count(*) FROM bench")
[ "$count" = "$rows" ] || { echo "pg_upsert.sh: the table holds $count rows after the update, expected $rows" >&2; exit 1; }

psql_run -c "\\copy bench TO '$dir/rows.tsv'"
psql_run -c "CREATE TABLE copy_ref (LIKE bench INCLUDING ALL)"
copy_s=$(timed psql_run -c "\\copy copy_ref FROM '$dir/rows.tsv'")
psql_run -c "CREATE TABLE copy_plain (LIKE bench)"
copy_plain_s=$(timed psql_run -c "\\copy copy_plain FROM '$dir/rows.tsv'")
cat >"$dir/upsert.sql" <<EOF
BEGIN;
CREATE TEMP TABLE stage (LIKE bench) ON COMMIT DROP;
\\copy stage FROM '$dir/rows.tsv'
INSERT INTO bench SELECT * FROM stage ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name,
  score = EXCLUDED.score, amount = EXCLUDED.amount, ts = EXCLUDED.ts, flag = EXCLUDED.flag;
COMMIT;
EOF
copy_upsert_s=$(timed psql_run -f "$dir/upsert.sql")
same=$(psql_run -At -c "SELECT count(*) FROM bench b JOIN copy_ref c USING (id) WHERE (b.*) IS NOT DISTINCT FROM (c.*)")

rate() { printf '%.0f' "$(echo "$rows / $1" | bc -l)"; }
printf 'rows               %d (6 columns, primary key id), sink.buffer-flush.max-rows %d\n' "$rows" "$batch"
printf 'eddy insert        %6.2f s  %8s upserts/s\n' "$insert_s" "$(rate "$insert_s")"
printf 'eddy update        %6.2f s  %8s upserts/s\n' "$update_s" "$(rate "$update_s")"
printf 'COPY               %6.2f s  %8s rows/s     eddy insert / COPY = %.2f\n' "$copy_s" "$(rate "$copy_s")" \
  "$(echo "$copy_s / $insert_s" | bc -l)"
printf 'COPY+upsert        %6.2f s  %8s rows/s     eddy update / COPY+upsert = %.2f\n' "$copy_upsert_s" \
  "$(rate "$copy_upsert_s")" "$(echo "$copy_upsert_s / $update_s" | bc -l)"
printf 'eddy append        %6.2f s  %8s rows/s     (no key: COPY)\n' "$append_s" "$(rate "$append_s")"
printf 'COPY, no key       %6.2f s  %8s rows/s     eddy append / COPY = %.2f\n' "$copy_plain_s" \
  "$(rate "$copy_plain_s")" "$(echo "$copy_plain_s / $append_s" | bc -l)"
printf 'generate only      %6.2f s  (datagen -> blackhole)\n' "$gen_s"
printf 'rows checked       %d of %d equal after COPY+upsert\n' "$same" "$rows"
