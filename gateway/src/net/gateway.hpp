// State shared by every connection of one gateway process: settings, web root, routing, TLS, live
// sessions.
#pragma once

#include "core/options.hpp"
#include "core/router.hpp"
#include "core/static_site.hpp"

#include <atomic>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace vncgate::net {

// A live WebSocket session, as the registry sees it.
class session_base {
public:
    virtual ~session_base() = default;
    // Asks the session to close with 1001 (going away). Thread-safe: posts to the session's own
    // executor.
    virtual void shutdown() = 0;
};

class gateway {
public:
    // Loads the web root, token source and TLS certificate. Throws core::config_error with a
    // message for the person starting the gateway.
    explicit gateway(core::options opts);

    const core::options& opts() const { return opts_; }
    const core::static_site* site() const { return site_.get(); }
    const core::router& routes() const { return router_; }

    // The TLS context for new connections, or null when no certificate is configured. Sessions keep
    // the context they started with, so a reload never disturbs them.
    std::shared_ptr<boost::asio::ssl::context> tls() const;

    // SIGHUP: reloads the certificate and the token files. On failure logs why and keeps the old
    // ones.
    void reload();

    // Session registry. add_session returns the session's number (also its --record suffix).
    std::uint64_t add_session(std::weak_ptr<session_base> s);
    void remove_session(std::uint64_t id);
    std::size_t active_sessions() const;
    // Asks every live session to close (SIGTERM). Returns how many were asked.
    std::size_t shutdown_sessions();

    // Called (from any thread) when a session started or ended; the server uses them for
    // --run-once and for exiting once the last session of a drain ended.
    void set_on_session_start(std::function<void()> f) { on_session_start_ = std::move(f); }
    void set_on_session_end(std::function<void()> f) { on_session_end_ = std::move(f); }

private:
    core::options opts_;
    std::unique_ptr<core::static_site> site_;
    core::router router_;

    mutable std::mutex tls_mutex_;
    std::shared_ptr<boost::asio::ssl::context> tls_;

    mutable std::mutex sessions_mutex_;
    std::unordered_map<std::uint64_t, std::weak_ptr<session_base>> sessions_;
    std::atomic<std::uint64_t> next_session_id_{1};
    std::function<void()> on_session_start_;
    std::function<void()> on_session_end_;
};

// Builds a TLS server context from the options' certificate, key, minimum version and ciphers.
// Returns null when the certificate file does not exist and TLS was not required; throws
// core::config_error when the files exist but cannot be used.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const core::options& opts);

} // namespace vncgate::net
