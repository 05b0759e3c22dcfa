// The measurements. Each connects to one path (the target directly, or a gateway in front of
// it), prints a human-readable line on stdout and appends result rows to the results file.
#pragma once

#include "net/byte_stream.hpp"

#include <string>
#include <sys/types.h>

namespace vncgate_bench {

// Which path is measured and where results go.
struct path_options {
    std::string label = "direct"; // "direct", "relay", "websockify" or "vncgate"
    tcp::endpoint endpoint;       // the target (direct) or the gateway
    stream_options stream;        // websocket on for gateways
    std::string results_file;     // TSV; empty: print only
};

enum class direction { down, up }; // down: target -> browser; up: browser -> target

// Bulk transfer of seeded bytes over `streams` parallel connections, sized after a short
// calibration so that the measured transfer lasts about `seconds`. Key: down1, down4, up.
int measure_throughput(const path_options& p, direction dir, int streams, double seconds);

// Echo round trips of `size`-byte messages, one at a time: up to `iterations` or `seconds`,
// after a warm-up. Keys: <key>_p50, <key>_p99 (microseconds).
int measure_echo(const path_options& p, std::size_t size, int iterations, double seconds,
                 const std::string& key);

// Sequential connect + handshake + one 64-byte echo + close, for `seconds` or `max_cycles`.
int measure_cycles(const path_options& p, double seconds, int max_cycles);

// Closing order: `target_first` has the target send N bytes and close; otherwise the browser
// sends N bytes and closes, and the target's verdict is fetched from `target` directly.
int measure_closing(const path_options& p, bool target_first, int runs, tcp::endpoint target);

struct sessions_options {
    int count = 1000;             // sessions to open
    int inflight = 64;            // opening handshakes at once
    double open_timeout = 10;     // per session: connect + handshake + first echo
    double ramp_seconds = 120;    // bound on the whole ramp
    int stall_failures = 128;     // stop after this many failures in a row
    pid_t memory_pid = 0;         // measure this process's private memory before and after
    bool memory_children = false; // ... summed with its descendants (websockify forks)
    double settle_seconds = 1;    // idle time before the "after" sample
    std::string key;              // mem1k, mem10k or max_sessions
};

// Opens idle echo sessions with a bounded ramp, checks each still echoes, and reports either
// private memory per session (memory_pid set) or how many sessions were held.
int measure_sessions(const path_options& p, const sessions_options& s);

} // namespace vncgate_bench
