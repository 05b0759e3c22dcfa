#!/usr/bin/env bash
# Installs everything vncgate needs to build, run and test, from Debian's packages and npm.
# Idempotent: packages already present are not fetched again. Usage: scripts/setup.sh [--runtime-only]
set -euo pipefail
cd "$(dirname "$0")/.."

# emscripten and dpkg-dev (dpkg-source): the web client's WebAssembly inflate, from Debian's zlib
# source package (scripts/build-wasm.sh).
build_pkgs=(cmake g++ make pkg-config libboost1.81-dev libssl-dev libcli11-dev libspdlog-dev
            libgtest-dev libgmock-dev emscripten dpkg-dev)
# The demo desktop, the browser tests and the benchmark's comparison (websockify, noVNC).
run_pkgs=(ca-certificates openssl tigervnc-standalone-server tigervnc-tools xvfb x11vnc
          x11-xserver-utils x11-xkb-utils x11-apps imagemagick xterm xdotool x11-utils xclip chromium fonts-dejavu-core novnc websockify
          procps psmisc)

pkgs=("${build_pkgs[@]}" "${run_pkgs[@]}")
command -v node >/dev/null && command -v npm >/dev/null || pkgs+=(nodejs npm)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q \
    --no-install-recommends "${missing[@]}"
else
  echo "setup: Debian packages already installed"
fi

# npm packages, pinned by package-lock.json. playwright-core drives Debian's chromium and
# downloads no browser.
for dir in web e2e; do
  if [ -f "$dir/package-lock.json" ]; then
    if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
      echo "setup: npm ci in $dir/"
      # npm 11 writes lock files that omit rollup's optional packages for other platforms and
      # then refuses them in `npm ci`; `npm install` installs the locked versions all the same.
      (cd "$dir" && { npm ci --no-audit --no-fund --loglevel=error 2>/dev/null ||
        npm install --no-audit --no-fund --loglevel=error; })
    fi
  fi
done
