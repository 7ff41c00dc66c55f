#!/usr/bin/env bash
# Checks the benchmark programs: build/eddy-bench-gen (the user-behaviour generator) and
# build/hand_written (the hand-written baseline). hand_written's hot-items and hourly
# PV/UV results must equal the same questions asked of SQLite as batch queries, on
# generated data (in order and out of order, held in memory and streamed) and on the real
# course files; the generator must be deterministic, respect --disorder and give the
# Tianchi behaviour mix. Prints "N passed, M failed"; exits non-zero on any failure.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
gen=$build/eddy-bench-gen
hand=$build/hand_written
data=${DATA_DIR:-$root/../shared/data}
pass=0
fail=0

if [ ! -x "$gen" ] || [ ! -x "$hand" ]; then
  make -C "$root" -s "$gen" "$hand" >/dev/null || { echo "cannot build $gen $hand"; exit 1; }
fi
command -v sqlite3 >/dev/null || { echo "sqlite3 CLI not found"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); echo "ok   $1"; }
not_ok() { fail=$((fail + 1)); echo "FAIL $1"; }

# sqlite_results CSV PREFIX: writes PREFIX.hot and PREFIX.pvuv, computed by SQLite.
sqlite_results() {
  sqlite3 "$tmp/oracle.db" <<EOF
DROP TABLE IF EXISTS ub;
CREATE TABLE ub(user_id INTEGER, item_id INTEGER, category_id INTEGER, behavior TEXT, ts INTEGER);
.mode csv
.import '$1' ub
.mode list
.separator ","
.output '$2.pvuv'
SELECT ts / 3600 * 3600, count(*), count(DISTINCT user_id)
FROM ub WHERE behavior = 'pv'
GROUP BY ts / 3600 ORDER BY 1;
.output '$2.hot'
WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < 11),
counts AS (
  SELECT (ub.ts / 300 - k.n) * 300 + 3600 AS window_end, item_id, count(*) AS c
  FROM ub, k WHERE ub.behavior = 'pv'
  GROUP BY window_end, item_id),
ranked AS (
  SELECT window_end, item_id, c,
         row_number() OVER (PARTITION BY window_end ORDER BY c DESC, item_id) AS rank
  FROM counts)
SELECT window_end, rank, item_id, c FROM ranked WHERE rank <= 5 ORDER BY window_end, rank;
.output stdout
EOF
}

# check_against_sqlite NAME CSV [hand_written options...]
check_against_sqlite() {
  local name=$1 csv=$2
  shift 2
  [ -f "$tmp/$name.sqlite.hot" ] || sqlite_results "$csv" "$tmp/$name.sqlite"
  if ! "$hand" "$@" --hot-items "$tmp/$name.hand.hot" --pvuv "$tmp/$name.hand.pvuv" "$csv" \
       2>"$tmp/$name.err"; then
    not_ok "$name ${*}: hand_written failed: $(cat "$tmp/$name.err")"
    return
  fi
  local what
  for what in hot pvuv; do
    if [ ! -s "$tmp/$name.sqlite.$what" ]; then
      not_ok "$name $what: SQLite produced no rows"
    elif diff <(sort "$tmp/$name.sqlite.$what") <(sort "$tmp/$name.hand.$what") >"$tmp/diff"; then
      if cmp -s "$tmp/$name.sqlite.$what" "$tmp/$name.hand.$what"; then
        ok "$name $what ${*} ($(wc -l <"$tmp/$name.hand.$what") lines)"
      else
        not_ok "$name $what ${*}: same lines, wrong order"
      fi
    else
      not_ok "$name $what ${*}: differs from SQLite"
      head -20 "$tmp/diff"
    fi
  done
}

# max_lateness CSV: the largest lag behind the running maximum timestamp.
max_lateness() {
  awk -F, '{ if (NR == 1 || $5 > m) m = $5; if (m - $5 > l) l = m - $5 } END { print l + 0 }' "$1"
}

# 1. generated, in order, 200k rows over ~2.2 hours
"$gen" -n 200000 -s 42 --rate 25 -o "$tmp/inorder.csv"
check_against_sqlite inorder "$tmp/inorder.csv"
check_against_sqlite inorder "$tmp/inorder.csv" --disorder 0

# 2. generated, out of order by up to 150 s, with small key spaces so that counts tie
"$gen" -n 200000 -s 7 --disorder 150 --users 5000 --items 2000 --categories 50 --rate 20 \
  -o "$tmp/disorder.csv"
late=$(max_lateness "$tmp/disorder.csv")
if [ "$late" -gt 100 ] && [ "$late" -le 150 ]; then ok "--disorder 150: max lateness $late s"
else not_ok "--disorder 150: max lateness $late s"; fi
check_against_sqlite disorder "$tmp/disorder.csv"
check_against_sqlite disorder "$tmp/disorder.csv" --disorder 150
if "$hand" --disorder 30 "$tmp/disorder.csv" 2>"$tmp/late.err"; then
  not_ok "hand_written --disorder 30 on 150 s disorder: should fail on a late row"
elif grep -q 'raise --disorder' "$tmp/late.err"; then
  ok "hand_written --disorder 30 on 150 s disorder: fails on a late row"
else
  not_ok "hand_written --disorder 30: unexpected error: $(cat "$tmp/late.err")"
fi

# 3. the real course files (in order; and the raw Tianchi sample, out of order by days)
course=$data/shangguigu-userbehavior/UserBehavior.csv
tianchi=$data/tianchi-userbehavior-sample/UserBehavior.csv
if [ -f "$course" ]; then
  check_against_sqlite course "$course" --disorder 0
else
  echo "skip course file: $course not found"
fi
if [ -f "$tianchi" ]; then
  check_against_sqlite tianchi "$tianchi"
else
  echo "skip Tianchi sample: $tianchi not found"
fi

# 4. the generator: deterministic, ordered by default, Tianchi behaviour mix
if cmp -s <("$gen" -n 50000 -s 3) <("$gen" -n 50000 -s 3); then ok "same seed, same bytes"
else not_ok "same seed, same bytes"; fi
if ! cmp -s <("$gen" -n 50000 -s 3) <("$gen" -n 50000 -s 4); then ok "other seed, other bytes"
else not_ok "other seed, other bytes"; fi
late=$(max_lateness "$tmp/inorder.csv")
if [ "$late" -eq 0 ]; then ok "default: non-decreasing timestamps"
else not_ok "default: timestamps go back by $late s"; fi
row_re='^[0-9]+,[0-9]+,[0-9]+,(pv|cart|fav|buy),[0-9]+$'
if grep -qvE "$row_re" "$tmp/inorder.csv"; then
  not_ok "row format: $(grep -vE "$row_re" "$tmp/inorder.csv" | head -1)"
else
  ok "row format userId,itemId,categoryId,behavior,timestamp"
fi
mix=$("$gen" -n 1000000 -s 11 | awk -F, '
  { n[$4]++ }
  END {
    split("pv 89.58 cart 5.52 fav 2.88 buy 2.01", e, " ")
    bad = ""
    for (i = 1; i < 8; i += 2) {
      pct = 100 * n[e[i]] / NR; d = pct - e[i + 1]
      printf "%s %.2f%% ", e[i], pct
      if (d > 0.5 || d < -0.5) bad = bad " " e[i]
    }
    print (bad == "" ? "OK" : "BAD" bad)
  }')
case $mix in
  *OK) ok "behaviour mix of 1M rows within 0.5 points of Tianchi: ${mix% OK}" ;;
  *) not_ok "behaviour mix of 1M rows: $mix" ;;
esac

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
