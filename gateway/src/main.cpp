// vncgate: serves a web VNC client and relays its WebSocket connections to VNC servers.
#include "core/logging.hpp"
#include "core/options.hpp"
#include "net/server.hpp"

#include <csignal>
#include <cstdio>
#include <exception>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

int main(int argc, char** argv) {
    using namespace vncgate;
    auto parsed = core::parse_command_line(argc, argv);
    if (!parsed.opts) {
        std::fputs(parsed.message.c_str(), parsed.exit_code == 0 ? stdout : stderr);
        if (!parsed.message.empty() && parsed.message.back() != '\n')
            std::fputc('\n', parsed.exit_code == 0 ? stdout : stderr);
        return parsed.exit_code;
    }
    // Writes to closed sockets must fail with EPIPE, not kill the process.
    std::signal(SIGPIPE, SIG_IGN);
    // Each session holds two descriptors: allow as many as the system lets this process have.
    if (rlimit lim{}; ::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &lim);
    }
    try {
        core::init_logging(*parsed.opts);
        net::server s(*parsed.opts);
        s.listen();
        if (parsed.opts->daemon)
            s.daemonize();
        return s.run();
    } catch (const std::exception& e) {
        // Always on stderr, where the person starting vncgate looks; also in the log if it is
        // elsewhere.
        if (!parsed.opts->log_file.empty() || !parsed.opts->syslog.empty())
            spdlog::error("{}", e.what());
        std::fprintf(stderr, "vncgate: %s\n", e.what());
        return 1;
    }
}
