// The gateway process: listeners, I/O threads, signals and lifecycle options.
#pragma once

#include "core/options.hpp"

#include <memory>

namespace vncgate::net {

class server {
public:
    // Loads configuration (web root, tokens, TLS). Throws core::config_error.
    explicit server(core::options opts);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds every listening socket and logs "listening on ADDRESS" for each. Throws
    // core::config_error when nothing could be bound.
    void listen();

    // -D: forks into the background after listen() succeeded; the parent exits 0.
    void daemonize();

    // Serves until a signal, --run-once, --timeout or --idle-timeout ends it. Returns the exit
    // code.
    int run();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace vncgate::net
