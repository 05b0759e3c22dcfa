// The gateway process: io_context per thread, listeners, signals, graceful shutdown and reloads.
#include "net/server.hpp"

#include "net/gateway.hpp"
#include "net/http_session.hpp"
#include "net/streams.hpp"

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace vncgate::net {

using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using acceptor_type = asio::basic_socket_acceptor<protocol>;
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

namespace {

// How long open sessions get to close after SIGTERM before the process exits anyway.
constexpr auto shutdown_grace = std::chrono::seconds(5);
// Pause before accepting again after running out of file descriptors.
constexpr auto accept_retry_delay = std::chrono::milliseconds(100);

// Options for browser connections, set once on the listening socket: Linux gives accepted
// sockets the listener's options, which saves five system calls per connection. No Nagle delay
// (VNC input is small and latency-bound), and keepalive probes after a minute of silence so that
// a browser that vanished without a FIN is noticed within two minutes even without pings.
void set_browser_socket_options(acceptor_type& a) {
    using keep_idle = asio::detail::socket_option::integer<IPPROTO_TCP, TCP_KEEPIDLE>;
    using keep_interval = asio::detail::socket_option::integer<IPPROTO_TCP, TCP_KEEPINTVL>;
    using keep_count = asio::detail::socket_option::integer<IPPROTO_TCP, TCP_KEEPCNT>;
    a.set_option(tcp::no_delay(true));
    a.set_option(asio::socket_base::keep_alive(true));
    a.set_option(keep_idle(60));
    a.set_option(keep_interval(10));
    a.set_option(keep_count(6));
}

std::string format_tcp(const tcp::endpoint& ep) {
    auto addr = ep.address();
    if (addr.is_v6()) {
        auto v6 = addr.to_v6();
        if (v6.is_v4_mapped())
            return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string() + ":" +
                   std::to_string(ep.port());
        return "[" + v6.to_string() + "]:" + std::to_string(ep.port());
    }
    return addr.to_string() + ":" + std::to_string(ep.port());
}

// The port of a TCP address (0 for other families).
unsigned short port_of(const protocol::endpoint& ep) {
    int family = ep.protocol().family();
    if (family != AF_INET && family != AF_INET6)
        return 0;
    tcp::endpoint t;
    std::memcpy(t.data(), ep.data(), ep.size());
    return t.port();
}

// Names a socket address for logs: "1.2.3.4:5", "[::1]:5" or "unix:PATH".
std::string format_endpoint(const protocol::endpoint& ep) {
    int family = ep.protocol().family();
    if (family == AF_INET || family == AF_INET6) {
        tcp::endpoint t;
        std::memcpy(t.data(), ep.data(), ep.size());
        return format_tcp(t);
    }
    if (family == AF_UNIX) {
        asio::local::stream_protocol::endpoint u;
        std::memcpy(u.data(), ep.data(), ep.size());
        u.resize(ep.size());
        return "unix:" + u.path();
    }
    return "?";
}

} // namespace

struct server::impl {
    struct listener {
        std::unique_ptr<acceptor_type> acceptor;
        bool distribute; // deal accepted connections out to the I/O threads
        // The address of the connection being accepted, filled in by accept() itself.
        protocol::endpoint peer{};
    };

    explicit impl(core::options opts) : gw(std::make_shared<gateway>(std::move(opts))) {
        unsigned n = gw->opts().threads;
        if (n == 0)
            n = std::max(1u, std::thread::hardware_concurrency());
        for (unsigned i = 0; i < n; ++i) {
            contexts.push_back(std::make_unique<asio::io_context>(1));
            guards.emplace_back(asio::make_work_guard(*contexts.back()));
        }
        gw->set_on_session_start(
            [this] { asio::post(main_context(), [this] { on_session_start(); }); });
        gw->set_on_session_end(
            [this] { asio::post(main_context(), [this] { on_session_end(); }); });
    }

    asio::io_context& main_context() { return *contexts.front(); }

    asio::io_context& next_worker() {
        return *contexts[next_context.fetch_add(1, std::memory_order_relaxed) % contexts.size()];
    }

    // Opens, binds and listens one acceptor on `ctx`. `share_port` sets SO_REUSEPORT so that every
    // I/O thread can have its own acceptor on the same address.
    std::unique_ptr<acceptor_type> open_acceptor(asio::io_context& ctx,
                                                 const protocol::endpoint& ep, bool share_port) {
        auto a = std::make_unique<acceptor_type>(ctx);
        a->open(ep.protocol());
        a->set_option(asio::socket_base::reuse_address(true));
        if (share_port)
            a->set_option(reuse_port(true));
        if (ep.protocol().family() == AF_INET6) {
            // Listen on IPv4 too when bound to the IPv6 wildcard ("dual-stack").
            error_code ignored;
            a->set_option(asio::ip::v6_only(false), ignored);
        }
        if (ep.protocol().family() != AF_UNIX)
            set_browser_socket_options(*a);
        a->bind(ep);
        a->listen(asio::socket_base::max_listen_connections);
        return a;
    }

    // SO_REUSEPORT would let a second vncgate (or any program of the same user that sets it) bind
    // the same port silently and take a share of the connections. Binding without it first
    // fails, as websockify does, when anything already listens there.
    void ensure_port_free(const protocol::endpoint& ep) {
        if (port_of(ep) == 0)
            return; // an ephemeral port is free by definition
        acceptor_type probe(main_context());
        probe.open(ep.protocol());
        probe.set_option(asio::socket_base::reuse_address(true));
        if (ep.protocol().family() == AF_INET6) {
            error_code ignored;
            probe.set_option(asio::ip::v6_only(false), ignored);
        }
        probe.bind(ep); // throws EADDRINUSE when a listener holds the port
    }

    // TCP: one acceptor per I/O thread on the same port, so that a connection is accepted and
    // served on one thread with no hand-off (the kernel spreads connections over the acceptors).
    // Unix sockets: one acceptor whose connections are dealt out to the threads in turn.
    void add_listener(const protocol::endpoint& ep) {
        bool tcp_family = ep.protocol().family() != AF_UNIX;
        bool per_thread = tcp_family && contexts.size() > 1;
        if (per_thread)
            ensure_port_free(ep);
        auto first = open_acceptor(main_context(), ep, per_thread);
        auto bound = first->local_endpoint(); // the real port when ep asked for port 0
        spdlog::info("listening on {}", format_endpoint(bound));
        listeners.push_back({std::move(first), !per_thread});
        if (!per_thread)
            return;
        for (std::size_t i = 1; i < contexts.size(); ++i)
            listeners.push_back({open_acceptor(*contexts[i], bound, true), false});
    }

    void listen_tcp(const core::listen_address& la) {
        std::vector<protocol::endpoint> eps;
        if (la.host.empty()) {
            eps.emplace_back(tcp::endpoint(tcp::v6(), la.port));
        } else {
            tcp::resolver r(main_context());
            error_code ec;
            auto results = r.resolve(la.host, std::to_string(la.port),
                                     tcp::resolver::passive | tcp::resolver::numeric_service, ec);
            if (ec)
                throw core::config_error("cannot resolve listen address '" + la.host +
                                         "': " + ec.message());
            for (const auto& e : results)
                eps.emplace_back(e.endpoint());
        }
        std::string errors;
        for (const auto& ep : eps) {
            try {
                add_listener(ep);
                // An ephemeral port is per socket: listen on the first address only.
                if (la.port == 0)
                    break;
            } catch (const boost::system::system_error& e) {
                if (la.host.empty() && ep.protocol().family() == AF_INET6 && listeners.empty()) {
                    // No IPv6 on this machine: fall back to IPv4 only.
                    try {
                        add_listener(tcp::endpoint(tcp::v4(), la.port));
                        continue;
                    } catch (const boost::system::system_error& e4) {
                        errors += format_endpoint(ep) + ": " + e4.code().message() + "; ";
                        continue;
                    }
                }
                errors += format_endpoint(ep) + ": " + e.code().message() + "; ";
            }
        }
        if (listeners.empty())
            throw core::config_error("cannot listen: " + errors);
    }

    void listen_unix(const std::string& path) {
        struct stat st {};
        if (::lstat(path.c_str(), &st) == 0) {
            if (!S_ISSOCK(st.st_mode))
                throw core::config_error("--unix-listen: '" + path +
                                         "' exists and is not a socket");
            ::unlink(path.c_str()); // a stale socket from an earlier run
        }
        // The socket file gets its mode when bind() creates it: with the umask narrowed to
        // --unix-listen-mode (default 0600, as websockify's), nobody else can connect even for a
        // moment. No other thread runs yet, so the process-wide umask is safe to change here.
        const auto mode = static_cast<mode_t>(gw->opts().unix_listen_mode);
        const auto old_umask = ::umask(static_cast<mode_t>(~mode & 0777));
        try {
            add_listener(asio::local::stream_protocol::endpoint(path));
        } catch (const boost::system::system_error& e) {
            ::umask(old_umask);
            throw core::config_error("cannot listen on unix socket '" + path +
                                     "': " + e.code().message());
        }
        ::umask(old_umask);
        unix_path = path;
        if (::chmod(path.c_str(), mode) != 0)
            throw core::config_error("cannot set the mode of unix socket '" + path +
                                     "': " + std::strerror(errno));
    }

    void accept(listener& l) {
        auto on_accept = [this, &l](error_code ec, socket_type s) {
            if (ec == asio::error::operation_aborted || !accepting())
                return;
            bool out_of_fds = ec == asio::error::no_descriptors || ec.value() == ENFILE;
            if (out_of_fds && shed_connection(*l.acceptor))
                return accept(l);
            if (ec) {
                // Nothing could be freed, or a transient error: do not spin, try again shortly.
                if (!out_of_fds)
                    spdlog::warn("accept failed: {}", ec.message());
                auto t = std::make_shared<asio::steady_timer>(l.acceptor->get_executor(),
                                                              accept_retry_delay);
                t->async_wait([this, &l, t](error_code) {
                    if (accepting())
                        accept(l);
                });
                return;
            }
            std::string client = format_endpoint(l.peer);
            if (client.starts_with("unix:"))
                client = "unix";
            if (l.distribute) {
                auto ex = s.get_executor();
                asio::post(ex, [s = std::move(s), gw = gw, client = std::move(client)]() mutable {
                    run_connection(std::move(s), std::move(gw), std::move(client));
                });
            } else {
                run_connection(std::move(s), gw, std::move(client));
            }
            accept(l);
        };
        if (l.distribute)
            l.acceptor->async_accept(next_worker(), l.peer, std::move(on_accept));
        else
            l.acceptor->async_accept(l.peer, std::move(on_accept));
    }

    // Out of file descriptors: accept the waiting connection with the descriptor held in reserve
    // and answer 503 at once, rather than leave the client hanging in the backlog. Returns false
    // when no connection could be taken (another thread used the freed descriptor first, or the
    // reserve is gone); the caller then waits before accepting again.
    bool shed_connection(acceptor_type& a) {
        std::lock_guard lock(reserve_mutex);
        auto now = std::chrono::steady_clock::now();
        if (now - last_shed_warning > std::chrono::seconds(1)) {
            last_shed_warning = now;
            spdlog::warn("out of file descriptors ({} sessions): refusing new connections with 503",
                         gw->active_sessions());
        }
        if (reserve_fd < 0)
            reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (reserve_fd < 0)
            return false;
        ::close(reserve_fd);
        int fd = ::accept4(a.native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            static constexpr std::string_view busy =
                "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                "Connection: close\r\nContent-Length: 53\r\n\r\n"
                "vncgate is at its connection limit; try again later.\n";
            [[maybe_unused]] auto n = ::send(fd, busy.data(), busy.size(), MSG_NOSIGNAL);
            // Half-close and let the kernel finish: an immediate close() with the request still
            // unread would send a reset that can destroy the 503 before the client reads it.
            ::shutdown(fd, SHUT_WR);
            linger_fd(fd);
        }
        reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        return fd >= 0;
    }

    // Closes a shed socket after discarding what the client sent, so that close() sends a FIN.
    static void linger_fd(int fd) {
        char sink[4096];
        while (::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0) {
        }
        ::close(fd);
    }

    void close_listeners() {
        // Each acceptor is closed on its own thread, which may be running.
        for (auto& l : listeners) {
            asio::post(l.acceptor->get_executor(), [a = l.acceptor.get()] {
                error_code ignored;
                a->close(ignored);
            });
        }
        if (!unix_path.empty()) {
            ::unlink(unix_path.c_str());
            unix_path.clear();
        }
    }

    // SIGTERM/SIGINT: stop accepting, ask every session to close with 1001, exit when they have
    // or after the grace period. A second signal exits at once.
    void begin_shutdown(const char* why) {
        if (shutting_down) {
            spdlog::info("{} again: exiting now", why);
            stop_all();
            return;
        }
        shutting_down = true;
        if (!draining)
            close_listeners();
        std::size_t n = gw->shutdown_sessions();
        spdlog::info("{}: closing {} session(s)", why, n);
        if (gw->active_sessions() == 0)
            return stop_all();
        grace_timer.emplace(main_context(), shutdown_grace);
        grace_timer->async_wait([this](error_code ec) {
            if (!ec) {
                spdlog::warn("sessions did not close within the grace period; exiting");
                stop_all();
            }
        });
    }

    // --timeout, --idle-timeout, --run-once: stop accepting, let sessions finish, then exit.
    void stop_accepting(const char* why) {
        if (!accepting())
            return;
        draining = true;
        close_listeners();
        spdlog::info("{}: no longer accepting connections", why);
        if (gw->active_sessions() == 0)
            stop_all();
    }

    void on_session_start() {
        if (gw->opts().run_once)
            stop_accepting("--run-once: serving one session");
    }

    void on_session_end() {
        last_active = std::chrono::steady_clock::now();
        if (gw->opts().run_once && accepting()) {
            stop_accepting("--run-once: the session ended");
            return;
        }
        if (!accepting() && gw->active_sessions() == 0)
            stop_all();
    }

    void stop_all() {
        for (auto& g : guards)
            g.reset();
        for (auto& c : contexts)
            c->stop();
    }

    void watch_signals() {
        signals.emplace(main_context(), SIGINT, SIGTERM, SIGHUP);
        signals->async_wait([this](error_code ec, int sig) {
            if (ec)
                return;
            if (sig == SIGHUP) {
                spdlog::info("SIGHUP: reloading certificate and tokens");
                gw->reload();
            } else {
                begin_shutdown(sig == SIGTERM ? "SIGTERM" : "SIGINT");
            }
            watch_signals();
        });
    }

    void watch_timeouts() {
        const auto& o = gw->opts();
        if (o.timeout > 0) {
            timeout_timer.emplace(main_context(), std::chrono::seconds(o.timeout));
            timeout_timer->async_wait([this](error_code ec) {
                if (!ec)
                    stop_accepting("--timeout expired");
            });
        }
        if (o.idle_timeout > 0)
            check_idle();
    }

    void check_idle() {
        idle_timer.emplace(main_context(), std::chrono::seconds(1));
        idle_timer->async_wait([this](error_code ec) {
            if (ec || !accepting())
                return;
            auto now = std::chrono::steady_clock::now();
            if (gw->active_sessions() > 0)
                last_active = now;
            else if (now - last_active >= std::chrono::seconds(gw->opts().idle_timeout))
                return stop_accepting("--idle-timeout: no active connections");
            check_idle();
        });
    }

    std::shared_ptr<gateway> gw;
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
    std::vector<listener> listeners;
    std::mutex reserve_mutex;
    int reserve_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    std::chrono::steady_clock::time_point last_shed_warning{};
    std::atomic<std::size_t> next_context{0};
    std::optional<asio::signal_set> signals;
    std::optional<asio::steady_timer> grace_timer, timeout_timer, idle_timer;
    std::chrono::steady_clock::time_point last_active = std::chrono::steady_clock::now();
    std::string unix_path;
    // Set only on the main context's thread, read by the acceptors' threads too. Draining: no
    // longer accepting, sessions go on (--timeout, --idle-timeout, --run-once). Shutting down:
    // sessions were asked to close with 1001 (SIGTERM/SIGINT); a second signal exits at once.
    std::atomic<bool> draining{false};
    std::atomic<bool> shutting_down{false};
    bool accepting() const { return !draining && !shutting_down; }
};

server::server(core::options opts) : impl_(std::make_unique<impl>(std::move(opts))) {}

server::~server() {
    if (!impl_)
        return;
    impl_->close_listeners();
    // Sessions still queued in an io_context are destroyed with it, and must not post to a
    // context that is already gone.
    impl_->gw->set_on_session_start(nullptr);
    impl_->gw->set_on_session_end(nullptr);
}

void server::listen() {
    const auto& o = impl_->gw->opts();
    if (!o.unix_listen.empty())
        impl_->listen_unix(o.unix_listen);
    if (o.listen_tcp)
        impl_->listen_tcp(o.listen);
}

void server::daemonize() {
    for (auto& c : impl_->contexts)
        c->notify_fork(asio::execution_context::fork_prepare);
    pid_t pid = ::fork();
    if (pid < 0)
        throw core::config_error(std::string("cannot fork: ") + std::strerror(errno));
    if (pid > 0) {
        // The parent's listeners belong to the child now.
        std::_Exit(0);
    }
    ::setsid();
    for (auto& c : impl_->contexts)
        c->notify_fork(asio::execution_context::fork_child);
    // Every path in the options is absolute: the daemon holds no directory busy.
    [[maybe_unused]] int ignored = ::chdir("/");
    // The caller's stdin, stdout and stderr are let go, or a shell that captures vncgate's
    // output would wait for the daemon to end. Log messages go to --log-file or syslog.
    int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        ::dup2(devnull, STDIN_FILENO);
        ::dup2(devnull, STDOUT_FILENO);
        ::dup2(devnull, STDERR_FILENO);
        if (devnull > STDERR_FILENO)
            ::close(devnull);
    }
}

int server::run() {
    auto& i = *impl_;
    i.watch_signals();
    i.watch_timeouts();
    for (auto& l : i.listeners)
        i.accept(l);
    const auto& o = i.gw->opts();
    if (o.fixed_target)
        spdlog::info("proxying to {}", o.fixed_target->to_string());
    else
        spdlog::info("proxying to targets from {} '{}'", o.token_plugin, o.token_source);
    if (!o.web.empty())
        spdlog::info("serving files from '{}'", o.web);

    std::vector<std::thread> threads;
    for (std::size_t n = 1; n < i.contexts.size(); ++n)
        threads.emplace_back([&c = *i.contexts[n]] { c.run(); });
    i.main_context().run();
    for (auto& t : threads)
        t.join();
    i.close_listeners();
    spdlog::info("exiting");
    return 0;
}

} // namespace vncgate::net
