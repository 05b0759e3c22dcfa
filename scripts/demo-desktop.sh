#!/usr/bin/env bash
# A demo VNC desktop to try vncgate by hand: TigerVNC Xvnc on 127.0.0.1 only, no password,
# with a coloured root window and one xterm (no window manager needed).
#
#   scripts/demo-desktop.sh start    start it; prints "DISPLAY=:N RFB_PORT=P PIDS=a,b" on stdout
#                                    and writes the same line to the state file
#   scripts/demo-desktop.sh stop     stop the processes in the state file, by PID
#   scripts/demo-desktop.sh status   print the state line if the desktop is running (else exit 1)
#
# Then, for example:  eval "$(scripts/demo-desktop.sh start)"
#                     vncgate --web /usr/share/novnc 127.0.0.1:6080 "127.0.0.1:$RFB_PORT"
#
# Env: VNCGATE_DEMO_DIR  state file and logs (default /tmp/vncgate-demo)
#      DEMO_GEOMETRY     screen size (default 1280x800)
#      DEMO_COLOUR       root window colour (default #2e8b57)
# Needs: Xvnc (tigervnc-standalone-server), xset and xsetroot (x11-xserver-utils), xterm,
#        xdotool, ss (iproute2), setsid (util-linux).
set -euo pipefail

dir=${VNCGATE_DEMO_DIR:-/tmp/vncgate-demo}
state=$dir/state
geometry=${DEMO_GEOMETRY:-1280x800}
colour=${DEMO_COLOUR:-#2e8b57}
title=vncgate-demo
attempts=5    # Xvnc starts, each with a new port, in case another process takes the port first
wait_s=20     # failure bound for each readiness wait; nothing waits that long normally

die() { echo "demo-desktop: $*" >&2; exit 1; }

# alive PID: the process exists and is not a zombie (an orphan may stay a zombie for a while).
alive() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $s != Z* ]]; }

# ours PID: it is still one of the programs this script starts, not a reused PID.
ours() { local c; c=$(ps -o comm= -p "$1" 2>/dev/null) && [[ $c == Xvnc || $c == xterm ]]; }

# poll WHAT PID CMD...: run CMD every 50 ms until it succeeds; fail if PID dies or after wait_s.
poll() {
  local what=$1 pid=$2 end=$((SECONDS + wait_s))
  shift 2
  until "$@" >/dev/null 2>&1; do
    alive "$pid" || return 2
    ((SECONDS < end)) || { echo "demo-desktop: timed out waiting for $what" >&2; return 1; }
    sleep 0.05
  done
}

# free_port: a TCP port in 5900..5999 that nothing listens on right now.
free_port() {
  local used p
  used=$(ss -ltnH | awk '{ n = split($4, a, ":"); print a[n] }')
  for p in $(seq 5900 5999); do
    grep -qx "$p" <<<"$used" || { echo "$p"; return 0; }
  done
  die "no free port in 5900..5999"
}

# stop_pids PID...: SIGTERM, up to 5 s to exit, then SIGKILL.
stop_pids() {
  local p i
  for p in "$@"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "$@"; do
    for ((i = 0; i < 100; i++)); do alive "$p" || continue 2; sleep 0.05; done
    echo "demo-desktop: PID $p ignored SIGTERM, sending SIGKILL" >&2
    kill -KILL "$p" 2>/dev/null || true
  done
}

# running: true if the state file names processes that all still run.
running() {
  [[ -r $state ]] || return 1
  local PIDS p
  PIDS=$(sed -n 's/.*PIDS=\([0-9,]*\).*/\1/p' "$state")
  [[ -n $PIDS ]] || return 1
  for p in ${PIDS//,/ }; do alive "$p" && ours "$p" || return 1; done
}

start() {
  if running; then
    echo "demo-desktop: already running (stop it with: $0 stop)" >&2
    cat "$state"
    return 0
  fi
  [[ ! -e $state ]] || stop   # leftovers of a half-dead desktop
  mkdir -p "$dir"
  local port display='' xvnc='' try rc
  for ((try = 1; try <= attempts; try++)); do
    port=$(free_port)
    rm -f "$dir/displayfd"
    # -displayfd: Xvnc picks a free display itself (atomically, by its lock file) and writes its
    # number to fd 3. An explicit -rfbport, because with 5900+N taken by anything else Xvnc would
    # fail again and again on the same display. -UseBlacklist 0: else a few connections that close
    # early make Xvnc refuse 127.0.0.1 for a while. setsid: it outlives the calling terminal.
    # No output to our stdout: `$(demo-desktop.sh start)` must not wait for Xvnc.
    setsid Xvnc -displayfd 3 -rfbport "$port" -interface 127.0.0.1 -nolisten tcp \
      -UseBlacklist 0 -SecurityTypes None -geometry "$geometry" -depth 24 -desktop "$title" \
      3>"$dir/displayfd" </dev/null >"$dir/xvnc.log" 2>&1 &
    xvnc=$!
    rc=0
    poll "Xvnc's display number" "$xvnc" grep -q '^[0-9]' "$dir/displayfd" || rc=$?
    if ((rc == 0)); then
      display=:$(head -n1 "$dir/displayfd")
      # The port must belong to our Xvnc, not to another server that answers there.
      rc=0
      poll "Xvnc to listen on 127.0.0.1:$port" "$xvnc" \
        bash -c "ss -ltnpH 'sport = :$port' | grep -q 'pid=$xvnc,'" || rc=$?
      ((rc == 0)) && break
    fi
    stop_pids "$xvnc"
    ((rc == 2)) && grep -q 'failed to bind' "$dir/xvnc.log" && continue   # port taken: retry
    tail -n 15 "$dir/xvnc.log" >&2
    die "Xvnc did not start (log: $dir/xvnc.log)"
  done
  ((try <= attempts)) || die "Xvnc found no free port in $attempts attempts (log: $dir/xvnc.log)"

  rc=0
  poll "X display $display" "$xvnc" xset -display "$display" q || rc=$?
  DISPLAY=$display xsetroot -solid "$colour" || rc=1
  local xterm=''
  if ((rc == 0)); then
    # -fn fixed: the server's built-in font; xterm's default needs xfonts-base.
    DISPLAY=$display setsid xterm -fn fixed -geometry 100x30+100+100 -bg white -fg black \
      -T "$title" </dev/null >"$dir/xterm.log" 2>&1 &
    xterm=$!
    poll "the xterm window" "$xterm" \
      env DISPLAY="$display" xdotool search --onlyvisible --name "^$title\$" || rc=$?
  fi
  if ((rc != 0)); then
    [[ -z $xterm ]] || stop_pids "$xterm"
    stop_pids "$xvnc"
    tail -n 5 "$dir"/*.log >&2
    die "the desktop did not come up (logs in $dir)"
  fi
  echo "DISPLAY=$display RFB_PORT=$port PIDS=$xvnc,$xterm" | tee "$state"
}

stop() {
  [[ -r $state ]] || { echo "demo-desktop: not running (no $state)" >&2; return 0; }
  local PIDS p mine=()
  PIDS=$(sed -n 's/.*PIDS=\([0-9,]*\).*/\1/p' "$state")
  # Last started first: the xterm, then Xvnc (the xterm would otherwise die of a lost display).
  for p in ${PIDS//,/ }; do
    if alive "$p" && ours "$p"; then mine=("$p" "${mine[@]}"); fi
  done
  ((${#mine[@]} == 0)) || stop_pids "${mine[@]}"
  rm -f "$state" "$dir/displayfd"
  echo "demo-desktop: stopped" >&2
}

status() {
  running || { echo "demo-desktop: not running" >&2; return 1; }
  cat "$state"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
