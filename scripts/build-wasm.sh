#!/usr/bin/env bash
# Builds the web client's WebAssembly inflate (web/wasm-out/inflate.wasm) from web/wasm/inflate.c
# and Debian's zlib source package, with Debian's emscripten. Does nothing when the output is newer
# than its sources. Needs the apt packages emscripten and dpkg-dev (dpkg-source); fetches the zlib
# source once into build/wasm-src/ (gitignored) through a private apt configuration, /etc/apt untouched.
# Usage: scripts/build-wasm.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
src=$root/build/wasm-src
out=$root/web/wasm-out/inflate.wasm
wrapper=$root/web/wasm/inflate.c
# zlib's files for raw inflate (adler32 and crc32: inflate.c refers to them for its other formats).
zlib_files=(inflate.c inftrees.c inffast.c zutil.c adler32.c crc32.c)

fetch_zlib() {
  local apt=$src/apt
  rm -rf "$apt" "$src/zlib" && mkdir -p "$apt/sources.list.d" "$apt/lists/partial" "$apt/cache/archives/partial"
  # The machine's Debian sources, as source-package sources (deb822 or one-line format).
  local found=0 f
  for f in /etc/apt/sources.list.d/*.sources; do
    if [ ! -f "$f" ] || ! grep -q 'debian' "$f"; then continue; fi
    sed 's/^Types: deb$/Types: deb-src/' "$f" >"$apt/sources.list.d/src-$(basename "$f")"
    found=1
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    if [ ! -f "$f" ] || ! grep -q '^deb .*debian' "$f"; then continue; fi
    sed -n 's/^deb /deb-src /p' "$f" >"$apt/sources.list.d/src-$(basename "$f")"
    found=1
  done
  [ "$found" = 1 ] || { echo "build-wasm: no Debian apt sources found in /etc/apt" >&2; exit 1; }
  local opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt/sources.list.d"
              -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
  echo "build-wasm: fetching Debian's zlib source package into $src" >&2
  apt-get "${opts[@]}" update -qq
  (cd "$apt" && apt-get "${opts[@]}" source --download-only -qq zlib)
  # Unpacked with Debian's patches; apt has checked the files against the signed Sources index.
  dpkg-source --no-check -x "$apt"/zlib_*.dsc "$src/zlib" >/dev/null
  rm -rf "$apt" "$src"/zlib_*.orig.tar.*
}

[ -f "$src/zlib/zlib.h" ] || fetch_zlib
grep -q '^#define ZLIB_VERSION "1\.2\.13' "$src/zlib/zlib.h" ||
  echo "build-wasm: warning: expected zlib 1.2.13, got $(grep '^#define ZLIB_VERSION' "$src/zlib/zlib.h")" >&2

inputs=("$wrapper" "$root/scripts/build-wasm.sh" "${zlib_files[@]/#/$src/zlib/}")
if [ -f "$out" ]; then
  stale=0
  for f in "${inputs[@]}"; do [ "$f" -nt "$out" ] && stale=1; done
  [ "$stale" = 1 ] || exit 0
fi

command -v emcc >/dev/null || { echo "build-wasm: emcc not found: apt-get install emscripten" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Debian's emscripten finds acorn and its other node modules here.
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
exports=_vg_inflate_new,_vg_inflate,_vg_inflate_avail_in,_vg_inflate_avail_out,_vg_inflate_msg,_vg_inflate_free,_vg_alloc,_vg_free
# A module with no JavaScript glue: the client instantiates it itself. 1 MiB of memory to start
# (stack, staging buffers, a few streams), at most 16 MiB.
emcc -O3 -DHAVE_UNISTD_H -I"$src/zlib" "$wrapper" "${zlib_files[@]/#/$src/zlib/}" -o "$tmp/inflate.wasm" \
  --no-entry -sSTANDALONE_WASM -sMALLOC=emmalloc -sFILESYSTEM=0 -sTOTAL_STACK=65536 \
  -sINITIAL_MEMORY=1048576 -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=16777216 \
  -sEXPORTED_FUNCTIONS="$exports"
mv "$tmp/inflate.wasm" "$out"
echo "build-wasm: built $out ($(wc -c <"$out") bytes)" >&2
