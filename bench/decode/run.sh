#!/usr/bin/env bash
# The decode benchmark in one command: vncgate's web decoders against noVNC 1.7 on recorded
# sessions, in headless Debian chromium. Records the sessions if they are missing (through
# `vncgate --record`, into recordings/, gitignored), bundles the web client from web/src,
# replays each recording BENCH_RUNS times (default 3) per client, prints a Markdown table and
# writes it into README.md between the markers.
# Usage: bench/decode/run.sh [recording...]   (BENCH_RERECORD=1 records again; BENCH_RUNS=N)
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
repo=$(cd ../.. && pwd)

if [ ! -x "$repo/build/gateway/vncgate" ] && [ -z "${VNCGATE_BIN:-}" ]; then
  cmake -S "$repo" -B "$repo/build" -DCMAKE_BUILD_TYPE=Release
  cmake --build "$repo/build" --target vncgate -j2
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ ! -d "$repo/web/node_modules" ]; then
  (cd "$repo/web" && npm ci --no-audit --no-fund --loglevel=error)
fi

# The web client's WebAssembly inflate, which the bundle embeds (needs Debian's emscripten).
"$repo/scripts/build-wasm.sh"
node build-ours.mjs
if [ "${BENCH_RERECORD:-0}" = 1 ]; then
  node record.mjs --force "$@"
else
  node record.mjs "$@"
fi
node replay.mjs --runs "${BENCH_RUNS:-3}" "$@"
[ $# -eq 0 ] && echo "table written to $here/README.md" >&2 || true
