#!/usr/bin/env bash
# The README's "test" command (and CI's): installs, builds and runs every test suite.
# Prints one closing line "N passed, N failed" over all suites.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
mkdir -p build
log=build/test-logs
rm -rf "$log" && mkdir -p "$log"

bash scripts/setup.sh || exit 1
bash scripts/build.sh || exit 1

passed=0 failed=0 status=0
add() { passed=$((passed + ${1:-0})); failed=$((failed + ${2:-0})); }

echo "== gateway: unit and integration tests (ctest)"
ctest --test-dir build --output-on-failure -j2 --timeout 300 2>&1 | tee "$log/ctest.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log/ctest.txt" | tail -1)
total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
nfail=$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$line")
[ -n "$line" ] && add $((total - nfail)) "$nfail" || status=1

if [ -f web/package.json ]; then
  echo "== web: typecheck and unit tests (tsc, vitest)"
  (cd web && npx tsc --noEmit) || { status=1; failed=$((failed + 1)); }
  (cd web && npx vitest run 2>&1) | tee "$log/vitest.txt"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  # vitest colours its summary even through a pipe: drop the escape codes before reading it.
  summary=$(sed -E 's/\x1b\[[0-9;]*m//g' "$log/vitest.txt" | grep -E '^ +Tests +')
  vp=$(grep -oE '[0-9]+ passed' <<<"$summary" | grep -oE '[0-9]+')
  vf=$(grep -oE '[0-9]+ failed' <<<"$summary" | grep -oE '[0-9]+')
  [ -n "$vp$vf" ] || { echo "test.sh: could not read vitest's summary"; status=1; }
  add "${vp:-0}" "${vf:-0}"
fi

if [ -f e2e/package.json ]; then
  echo "== end to end: real VNC servers, vncgate and headless chromium (node --test)"
  (cd e2e && VNCGATE_BIN="$root/build/gateway/vncgate" npm test 2>&1) | tee "$log/e2e.txt"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  # node's test runner closes with "# pass N" (tap) or "ℹ pass N" (spec).
  ep=$(grep -E '^(# |ℹ )pass [0-9]+' "$log/e2e.txt" | tail -1 | grep -oE '[0-9]+')
  ef=$(grep -E '^(# |ℹ )fail [0-9]+' "$log/e2e.txt" | tail -1 | grep -oE '[0-9]+')
  [ -n "$ep$ef" ] || { echo "test.sh: could not read the e2e summary"; status=1; }
  add "${ep:-0}" "${ef:-0}"
fi

[ "$failed" -eq 0 ] || status=1
echo
echo "total: $passed passed, $failed failed"
exit $status
