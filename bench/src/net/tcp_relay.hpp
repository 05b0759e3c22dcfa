// The least any proxy must do: accept, connect to the target, copy bytes both ways. The
// benchmark measures this relay beside the gateways as the floor on the machine: what the extra
// hop alone costs, with no WebSocket, no parsing and no event loop.
#pragma once

#include "net/byte_stream.hpp"

#include <string>

namespace vncgate_bench {

struct relay_options {
    std::string address = "127.0.0.1";
    unsigned short port = 0;
    tcp::endpoint target;
    double lifetime_seconds = 3600; // exit after this long even if nobody stops us
    int max_connections = 256;      // more at once are closed at accept
};

// One blocking thread per direction of each connection, copying with read(2) and write(2)
// through a 64 KiB buffer: the fewest system calls and wake-ups per message a user-space relay
// can make. When one side ends its stream, the relay ends that direction with shutdown(SHUT_WR)
// after writing everything it read, so no byte is lost in either closing order.
// Prints "listening on ADDR:PORT" on stderr once it accepts. Returns the process exit code.
int run_relay(const relay_options& opt);

} // namespace vncgate_bench
