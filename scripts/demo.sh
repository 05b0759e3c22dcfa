#!/usr/bin/env bash
# The README's "run" command: installs, builds, and serves a desktop in the browser.
# Usage: scripts/demo.sh [VNC_HOST:PORT]   (no argument: starts a demo desktop on this machine)
# Environment: LISTEN (default 127.0.0.1:6080; 0.0.0.0:6080 to reach it from other machines).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bash scripts/setup.sh
bash scripts/build.sh

listen=${LISTEN:-127.0.0.1:6080}
target=${1:-}
if [ -z "$target" ]; then
  eval "$(bash scripts/demo-desktop.sh start)"
  target=127.0.0.1:$RFB_PORT
  trap 'bash "$root/scripts/demo-desktop.sh" stop' EXIT
fi

web=web/dist
page=vnc.html
if [ ! -f "$web/vnc.html" ]; then
  web=/usr/share/novnc # Debian's noVNC, until our client is built
fi
port=${listen##*:}
echo
echo "  Open http://localhost:$port/$page?autoconnect=1 in a browser."
echo "  (vncgate serves $web and relays to the VNC server at $target; Ctrl-C stops it.)"
echo
build/gateway/vncgate --web "$web" "$listen" "$target"
