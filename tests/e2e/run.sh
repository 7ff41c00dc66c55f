#!/usr/bin/env bash
# Runs every end-to-end test (tests/e2e/*.sh except this one) against real services, each in
# a fresh temp dir; exit 0 = pass, 77 = skipped (the reason printed), else fail. Prints one
# total line and the output of every failing or skipped test.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export BUILD=${BUILD:-build}
export EDDY=${EDDY:-$BUILD/eddy}
case $EDDY in /*) ;; *) EDDY=$root/$EDDY ;; esac
case $BUILD in /*) ;; *) BUILD=$root/$BUILD ;; esac
export EDDY BUILD
pass=0; fail=0; skip=0; failed=""
for t in "$here"/*.sh; do
  [ "$(basename "$t")" = run.sh ] && continue
  [ -n "${E2E_ONLY:-}" ] && [[ "$(basename "$t")" != *${E2E_ONLY}* ]] && continue
  dir=$(mktemp -d "${TMPDIR:-/tmp}/eddy-e2e.XXXXXX")
  chmod 755 "$dir"
  start=$(date +%s)
  out=$(cd "$root" && TMPDIR=$dir timeout 300 bash "$t" 2>&1); rc=$?
  secs=$(( $(date +%s) - start ))
  name=$(basename "$t" .sh)
  if [ $rc -eq 0 ]; then
    pass=$((pass + 1)); echo "e2e: $name ok (${secs}s)"
  elif [ $rc -eq 77 ]; then
    skip=$((skip + 1)); echo "e2e: $name skipped: $(printf '%s\n' "$out" | tail -n1)"
  else
    fail=$((fail + 1)); failed="$failed $name"
    echo "e2e: $name FAILED (exit $rc, ${secs}s)"; printf '%s\n' "$out" | tail -n 40 | sed 's/^/    /'
  fi
  rm -rf "$dir"
done
echo "e2e: $pass passed, $fail failed, $skip skipped"
[ -z "$failed" ] || { echo "failing:$failed"; exit 1; }
