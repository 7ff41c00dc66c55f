#!/usr/bin/env bash
# make bench: eddy against the hand-written single-purpose program (bench/hand_written.c) on
# the hot-items + hourly PV/UV job over ROWS generated rows (default 10 million), in one
# invocation: both results must agree; prints both times, their ratio and peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-10000000}
disorder=5
dir=build/bench
mkdir -p "$dir"
data=$dir/user_behavior_$rows.csv
if [ ! -f "$data" ]; then
  echo "generating $rows rows into $data"
  build/eddy-bench-gen -n "$rows" -s 2024 --disorder "$disorder" -o "$data"
fi
db=$dir/eddy.db
rm -f "$db" "$db-wal" "$db-shm"
sed -e "s|@DATA@|$data|" -e "s|@DB@|$db|" bench/hot_items_pv_uv.sql > "$dir/job.sql"

now() { date +%s.%N; }

t0=$(now)
build/hand_written --disorder "$disorder" --hot-items "$dir/hand_hot.csv" --pvuv "$dir/hand_pvuv.csv" "$data" 2> "$dir/hand.err"
t1=$(now)
build/eddy run "$dir/job.sql" 2> "$dir/eddy.err"
t2=$(now)

sqlite3 -csv "$db" "SELECT strftime('%s', window_end), item_rank, item_id, pv FROM hot_items ORDER BY 1, 2" > "$dir/eddy_hot.csv"
sqlite3 -csv "$db" "SELECT strftime('%s', window_start), pv, uv FROM hourly_pv_uv ORDER BY 1" > "$dir/eddy_pvuv.csv"
agree=yes
cmp -s "$dir/hand_hot.csv" "$dir/eddy_hot.csv" || { agree=no; echo "hot items differ: diff $dir/hand_hot.csv $dir/eddy_hot.csv"; }
cmp -s "$dir/hand_pvuv.csv" "$dir/eddy_pvuv.csv" || { agree=no; echo "PV/UV differ: diff $dir/hand_pvuv.csv $dir/eddy_pvuv.csv"; }

hand_s=$(echo "$t1 - $t0" | bc -l)
eddy_s=$(echo "$t2 - $t1" | bc -l)
ratio=$(echo "$eddy_s / $hand_s" | bc -l)
hand_rss=$(sed -n 's/.*peak RSS \([0-9]*\) KiB.*/\1/p' "$dir/hand.err")
eddy_rss=$(sed -n 's/^peak memory \([0-9.]*\) MB.*/\1/p' "$dir/eddy.err")
printf 'rows              %d\n' "$rows"
printf 'results agree     %s (%d hot-item rows, %d hours)\n' "$agree" "$(wc -l < "$dir/eddy_hot.csv")" "$(wc -l < "$dir/eddy_pvuv.csv")"
printf 'hand-written      %.2f s, peak RSS %.1f MB\n' "$hand_s" "$(echo "${hand_rss:-0} / 1024" | bc -l)"
printf 'eddy              %.2f s, peak RSS %s MB\n' "$eddy_s" "${eddy_rss:-?}"
printf 'eddy / hand       %.2fx\n' "$ratio"
[ "$agree" = yes ]
