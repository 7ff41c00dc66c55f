#!/usr/bin/env bash
# Runs every unit-test binary given on the command line; prints one total line.
set -u
pass=0; fail=0; failed_bins=""
for t in "$@"; do
  out=$("$t" 2>&1); rc=$?
  line=$(printf '%s\n' "$out" | grep -E '[0-9]+ passed, [0-9]+ failed' | tail -n1)
  p=$(printf '%s' "$line" | sed -E 's/.* ([0-9]+) passed.*/\1/'); f=$(printf '%s' "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
  [ -n "$p" ] || p=0; [ -n "$f" ] || f=0
  if [ $rc -ne 0 ] && [ "$f" = 0 ]; then f=1; fi
  pass=$((pass + p)); fail=$((fail + f))
  if [ $rc -ne 0 ]; then printf '%s\n' "$out"; failed_bins="$failed_bins $(basename "$t")"; fi
done
echo "unit: $pass passed, $fail failed"
[ -z "$failed_bins" ] || { echo "failing:$failed_bins"; exit 1; }
