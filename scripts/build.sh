#!/usr/bin/env bash
# Builds the gateway (build/gateway/vncgate), its tests and benchmarks, and the web client (web/dist).
# Usage: scripts/build.sh [extra cmake -D options]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j"$jobs"
if [ -f web/build.mjs ]; then
  (cd web && node build.mjs)
fi
