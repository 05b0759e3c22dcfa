// The target: a TCP server standing in for the VNC server. What it does with a connection is
// chosen by the request header the client sends first (see core/wire.hpp).
#pragma once

#include <string>

namespace vncgate_bench {

struct target_options {
    std::string address = "127.0.0.1";
    unsigned short port = 0;
    double lifetime_seconds = 3600; // exit after this long even if nobody stops us
};

// Serves until the lifetime ends. Prints "listening on ADDR:PORT" on stderr once it accepts.
// Returns the process exit code.
int run_target(const target_options& opt);

} // namespace vncgate_bench
