#!/usr/bin/env bash
# Runs vncgate, Debian's websockify, a minimal TCP relay (the floor for any proxy) and a direct
# TCP connection side by side with one client (vncgate-bench) and prints a Markdown table with
# ratios to direct TCP. See bench/README.md.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: bench/run.sh [options]

  --quick             about 2 minutes: shorter runs, 1,000 idle sessions only, no 10,000
  --update-readme     also write the table into bench/README.md between its markers
  --vncgate PATH      vncgate binary to measure (default: build target vncgate in the build
                      dir, else use build/gateway/vncgate)
  --no-vncgate        measure direct TCP and websockify only
  --websockify PATH   websockify to measure (default: /usr/bin/websockify)
  --only LIST         comma-separated subset of direct,relay,websockify,vncgate
  --build-dir DIR     where to build (default: build/ in the repository, shared with scripts/build.sh)
  -h, --help          this text

Every process started here is stopped by PID on exit. Results and logs go to
bench/results/<date>/ (not committed).
EOF
}

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$script_dir/.." && pwd)
quick=0
update_readme=0
vncgate_bin=""
use_vncgate=1
websockify_bin=/usr/bin/websockify
only="direct,relay,websockify,vncgate"
build_dir="$repo/build"

while [[ $# -gt 0 ]]; do
    case "$1" in
    --quick) quick=1 ;;
    --update-readme) update_readme=1 ;;
    --vncgate) vncgate_bin=$(realpath "$2"); shift ;;
    --no-vncgate) use_vncgate=0 ;;
    --websockify) websockify_bin="$2"; shift ;;
    --only) only="$2"; shift ;;
    --build-dir) build_dir=$(realpath -m "$2"); shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

# Durations: the full run stays under ~10 minutes, --quick under ~2.
# Throughput, echo and cycles run in `rounds` interleaved rounds; the report takes medians.
if ((quick)); then
    rounds=1 tput_seconds=0.5 echo_seconds=0.5 echo_iterations=5000 cycles_seconds=1
    closing_runs=12 mem_counts=(1000) max_count=2000
else
    rounds=5 tput_seconds=1 echo_seconds=1 echo_iterations=30000 cycles_seconds=1
    closing_runs=24 mem_counts=(1000 10000) max_count=12000
fi
client_timeout=300 # seconds, hard bound on any one client command

results_dir="$repo/bench/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$results_dir"
results="$results_dir/results.tsv"
: >"$results"
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() {
    log "$*"
    exit 1
}

# ---- processes: every PID started here, stopped on exit ----

started_pids=()

# Stops one process we started, and its children (websockify forks one per connection).
stop_pid() {
    local pid=$1 kids
    kids=$(pgrep -P "$pid" 2>/dev/null || true)
    kill "$pid" 2>/dev/null || true
    for kid in $kids; do
        kill "$kid" 2>/dev/null || true
    done
    # Bounded wait, then force.
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    for kid in $kids; do
        kill -9 "$kid" 2>/dev/null || true
    done
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local pid
    for pid in "${started_pids[@]}"; do
        stop_pid "$pid"
    done
    started_pids=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

forget_pid() {
    local pid=$1 kept=() p
    for p in "${started_pids[@]}"; do
        [[ $p == "$pid" ]] || kept+=("$p")
    done
    started_pids=("${kept[@]}")
}

stop_and_forget() {
    stop_pid "$1"
    forget_pid "$1"
}

# Waits until file $1 has a line "listening on HOST:PORT"; prints PORT. Fails after $2 seconds.
wait_listening() {
    local file=$1 seconds=$2 port
    for _ in $(seq $((seconds * 10))); do
        port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$file" 2>/dev/null | head -n1)
        if [[ -n $port ]]; then
            echo "$port"
            return 0
        fi
        sleep 0.1
    done
    return 1
}

meta_index=0
meta() {
    printf 'meta%d\t-\t0\t0\t%s\n' "$meta_index" "$*" >>"$results"
    meta_index=$((meta_index + 1))
}

# A row written by the driver itself, for what was not run and why.
skipped() { # key path note
    printf '%s\t%s\tnan\t0\tskipped: %s\n' "$1" "$2" "$3" >>"$results"
}

# ---- build ----

bench_bin=""
build() {
    log "building vncgate-bench and vncgate (Release) in $build_dir"
    cmake -S "$repo" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DVNCGATE_BUILD_BENCH=ON \
        >"$results_dir/cmake-configure.log" 2>&1 || die "cmake configure failed: see $results_dir/cmake-configure.log"
    cmake --build "$build_dir" --target vncgate-bench -j2 >"$results_dir/cmake-build.log" 2>&1 ||
        die "build failed: see $results_dir/cmake-build.log"
    bench_bin="$build_dir/bench/vncgate-bench"
}

find_vncgate() {
    if [[ -z $vncgate_bin ]]; then
        if ! cmake --build "$build_dir" --target vncgate -j2 >"$results_dir/vncgate-build.log" 2>&1; then
            log "vncgate did not build: see $results_dir/vncgate-build.log"
            return 1
        fi
        vncgate_bin="$build_dir/gateway/vncgate"
    fi
}

# ---- targets and gateways ----

# Starts a target; sets target_pid and target_port. $1: log name, $2...: prefix (taskset).
start_target() {
    local name=$1
    shift
    "$@" "$bench_bin" target --port 0 --lifetime 1800 2>"$results_dir/$name.log" &
    target_pid=$!
    started_pids+=("$target_pid")
    target_port=$(wait_listening "$results_dir/$name.log" 10)
}

# Starts gateway $1 in front of target port $2; sets gw_pid and gw_port, or returns 1.
# $3...: prefix (taskset).
start_gateway() {
    local kind=$1 tport=$2 logf
    shift 2
    gw_port=$("$bench_bin" free-port)
    logf="$results_dir/$kind-$gw_port.log"
    case "$kind" in
    relay)
        "$@" "$bench_bin" relay --port "$gw_port" --target "127.0.0.1:$tport" --lifetime 1800 \
            2>"$logf" &
        gw_pid=$!
        started_pids+=("$gw_pid")
        wait_listening "$logf" 10 >/dev/null || return 1
        ;;
    websockify)
        "$@" "$websockify_bin" "127.0.0.1:$gw_port" "127.0.0.1:$tport" >"$logf" 2>&1 &
        gw_pid=$!
        started_pids+=("$gw_pid")
        "$bench_bin" wait-port "127.0.0.1:$gw_port" --timeout 15 || return 1
        ;;
    vncgate)
        "$@" "$vncgate_bin" "127.0.0.1:$gw_port" "127.0.0.1:$tport" >"$logf" 2>&1 &
        gw_pid=$!
        started_pids+=("$gw_pid")
        wait_listening "$logf" 15 >/dev/null || "$bench_bin" wait-port "127.0.0.1:$gw_port" --timeout 1 ||
            return 1
        ;;
    esac
}

# Runs one client command, bounded; a failure is recorded by the client itself, not fatal here.
client() {
    timeout -k 5 "$client_timeout" "$@" --out "$results" || log "client exited with $?: $*"
}

# Sets conn (client options) for path $1 against target port $2; starts its gateway if any.
# $3...: prefix (taskset) for the gateway.
open_path() {
    local path=$1 tport=$2
    shift 2
    gw_pid=""
    if [[ $path == direct ]]; then
        conn=(--label direct --connect "127.0.0.1:$tport")
        return 0
    fi
    start_gateway "$path" "$tport" "$@" || return 1
    if [[ $path == relay ]]; then
        conn=(--label relay --connect "127.0.0.1:$gw_port") # plain TCP, as direct
        return 0
    fi
    conn=(--label "$path" --connect "127.0.0.1:$gw_port" --ws)
}

close_path() {
    if [[ -n ${gw_pid:-} ]]; then
        stop_and_forget "$gw_pid"
        gw_pid=""
    fi
}

enabled() { [[ ",$only," == *",$1,"* ]]; }

# ---- main ----

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fd_limit=$(ulimit -n)
build
log "vncgate-bench: $bench_bin"

paths=()
enabled direct && paths+=(direct)
enabled relay && paths+=(relay)
if enabled websockify; then
    if [[ -x $websockify_bin ]]; then
        paths+=(websockify)
    else
        log "websockify not found at $websockify_bin"
        meta "websockify not measured: $websockify_bin not found"
    fi
fi

start_target target
main_target_port=$target_port

if enabled vncgate && ((use_vncgate)); then
    if find_vncgate; then
        # Smoke test: does it relay an echo at all?
        if open_path vncgate "$main_target_port" &&
            timeout -k 5 30 "$bench_bin" echo "${conn[@]}" --iterations 20 --seconds 1 >/dev/null 2>&1; then
            paths+=(vncgate)
        else
            log "vncgate at $vncgate_bin does not relay an echo; leaving it out"
            meta "vncgate not measured: $vncgate_bin did not relay a WebSocket echo (see its log)"
        fi
        close_path
    else
        meta "vncgate not measured: no binary (it did not build)"
    fi
fi

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
mode="full run"
((quick)) && mode="--quick run"
meta "$mode, $(date -u +'%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average at start" \
    "$load_start (machine shared with other work: numbers are noisy), open-file limit $fd_limit"
if ((fd_limit < 20100)); then
    meta "open-file limit $fd_limit (hard limit $(ulimit -Hn)): a gateway needs two descriptors per" \
        "session, so no proxy can hold 10,000 sessions here"
fi
ws_version=$(dpkg-query -W -f '${Version}' websockify 2>/dev/null || echo unknown)
meta "throughput, echo and cycles: median of $rounds round(s) in which the paths take turns;" \
    "closing order, memory and sessions: one run each"
meta "websockify $ws_version ($websockify_bin)$(for p in "${paths[@]}"; do [[ $p == vncgate ]] && printf '; vncgate %s' "$vncgate_bin"; done)"

log "paths: ${paths[*]}"

# Starts one gateway per path in front of target port $1 (prefix $2...: taskset); fills
# conn_of[path] with the client options. Paths whose gateway does not start are dropped from
# active_paths.
declare -A conn_of gw_of
open_all() {
    local tport=$1 path
    shift
    active_paths=()
    for path in "${paths[@]}"; do
        if open_path "$path" "$tport" "$@"; then
            conn_of[$path]="${conn[*]}"
            gw_of[$path]=${gw_pid:-}
            active_paths+=("$path")
        else
            meta "$path: gateway did not start"
            close_path
        fi
    done
}

close_all() {
    local path
    for path in "${active_paths[@]}"; do
        if [[ -n ${gw_of[$path]:-} ]]; then
            stop_and_forget "${gw_of[$path]}"
        fi
        gw_of[$path]=""
    done
}

# Runs measurement "$@" (after the client options) for every active path; rounds rotate the
# order so that no path always runs first. $1: prefix for the client (may be "-").
for_each_path() {
    local prefix=$1 round_index=$2 path i n=${#active_paths[@]}
    shift 2
    local pre=()
    [[ $prefix != - ]] && read -ra pre <<<"$prefix"
    for ((i = 0; i < n; i++)); do
        path=${active_paths[$(((i + round_index) % n))]}
        read -ra c <<<"${conn_of[$path]}"
        client "${pre[@]}" "$bench_bin" "$1" "${c[@]}" "${@:2}"
    done
}

# 1-3: throughput, echo and cycles, unpinned; the paths take turns, round after round, so
# that load from elsewhere on the machine hits them alike. The report takes the median.
open_all "$main_target_port"
for ((round = 0; round < rounds; round++)); do
    log "round $((round + 1)) of $rounds: throughput, echo, cycles (${active_paths[*]})"
    for_each_path - "$round" throughput --direction down --streams 1 --seconds "$tput_seconds"
    for_each_path - "$round" throughput --direction down --streams 4 --seconds "$tput_seconds"
    for_each_path - "$round" throughput --direction up --streams 1 --seconds "$tput_seconds"
    for_each_path - "$round" echo --size 64 --iterations "$echo_iterations" \
        --seconds "$echo_seconds" --key echo64
    for_each_path - "$round" echo --size 16384 --iterations "$echo_iterations" \
        --seconds "$echo_seconds" --key echo16k
    for_each_path - "$round" cycles --seconds "$cycles_seconds"
done

# 6: closing order, once per path.
log "closing order (${active_paths[*]})"
for_each_path - 0 closing --order target --runs "$closing_runs" --target "127.0.0.1:$main_target_port"
for_each_path - 0 closing --order browser --runs "$closing_runs" --target "127.0.0.1:$main_target_port"
close_all

# 2, pinned: client, gateway and target all on CPU 0.
pin="taskset -c 0"
# shellcheck disable=SC2086 # $pin is two words on purpose
start_target target-pinned $pin
pinned_target_pid=$target_pid
# shellcheck disable=SC2086
open_all "$target_port" $pin
for ((round = 0; round < rounds; round++)); do
    log "round $((round + 1)) of $rounds: echo pinned to CPU 0 (${active_paths[*]})"
    for_each_path "$pin" "$round" echo --size 64 --iterations "$echo_iterations" \
        --seconds "$echo_seconds" --key pin_echo64
    for_each_path "$pin" "$round" echo --size 16384 --iterations "$echo_iterations" \
        --seconds "$echo_seconds" --key pin_echo16k
done
close_all
stop_and_forget "$pinned_target_pid"

# 4: private memory per idle session, a fresh gateway for each count. The relay's thread per
# direction is not built to hold many sessions: it measures the hop's cost only.
websockify_held=""
for path in "${paths[@]}"; do
    [[ $path == direct || $path == relay ]] && continue
    for n in "${mem_counts[@]}"; do
        key=mem$((n / 1000))k
        if [[ $path == websockify && -n $websockify_held && $websockify_held -lt 1000 ]]; then
            skipped "$key" websockify "held only $websockify_held of 1,000 sessions in the 1,000 run"
            continue
        fi
        log "$path: memory with $n idle sessions"
        open_path "$path" "$main_target_port" || { close_path; continue; }
        children=()
        [[ $path == websockify ]] && children=(--children)
        client "$bench_bin" sessions "${conn[@]}" --count "$n" --key "$key" --memory-pid "$gw_pid" \
            "${children[@]}" --inflight 64 --ramp-seconds 120 --stall 128
        if [[ $path == websockify ]]; then
            websockify_held=$(awk -F'\t' -v k="$key" '$1 == k && $2 == "websockify" { v = $4 } END { print v + 0 }' "$results")
        fi
        close_path
    done
done

# 5: most concurrent sessions held (and still echoing), bounded ramp.
for path in "${paths[@]}"; do
    [[ $path == relay ]] && continue
    if ((quick)) && [[ $path == websockify ]]; then
        skipped max_sessions websockify "not run with --quick (its select() limit stops it near 500)"
        continue
    fi
    log "$path: up to $max_count concurrent sessions"
    open_path "$path" "$main_target_port" || { close_path; continue; }
    client "$bench_bin" sessions "${conn[@]}" --count "$max_count" --key max_sessions \
        --inflight 64 --ramp-seconds 150 --stall 128
    close_path
done

load_end=$(cut -d' ' -f1-3 /proc/loadavg)
meta "load average at the end $load_end; results and logs in ${results_dir#"$repo"/}"

report="$results_dir/report.md"
"$bench_bin" report "$results" >"$report"
cat "$report"

if ((update_readme)); then
    readme="$script_dir/README.md"
    begin='<!-- bench-results:begin -->'
    end='<!-- bench-results:end -->'
    if grep -qF "$begin" "$readme" && grep -qF "$end" "$readme"; then
        awk -v b="$begin" -v e="$end" -v f="$report" '
            $0 == b { print; while ((getline line < f) > 0) print line; skip = 1; next }
            $0 == e { skip = 0 }
            !skip { print }' "$readme" >"$readme.tmp"
        mv "$readme.tmp" "$readme"
        log "table written into $readme"
    else
        log "markers $begin / $end not found in $readme; README not updated"
    fi
fi
