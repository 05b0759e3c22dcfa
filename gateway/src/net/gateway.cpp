// The gateway's shared state: loading configuration, TLS contexts and the session registry.
#include "net/gateway.hpp"

#include <filesystem>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

namespace vncgate::net {

namespace {

std::unique_ptr<core::target_resolver> make_resolver(const core::options& o) {
    if (o.token_plugin.empty())
        return nullptr;
    return core::make_token_plugin(o.token_plugin, o.token_source);
}

std::unique_ptr<core::static_site> make_site(const core::options& o) {
    if (o.web.empty())
        return nullptr;
    return std::make_unique<core::static_site>(
        core::static_site::settings{std::filesystem::path(o.web), o.list_directories});
}

std::string openssl_error() {
    unsigned long e = ERR_get_error();
    if (e == 0)
        return "unknown error";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return buf;
}

} // namespace

std::shared_ptr<boost::asio::ssl::context> make_tls_context(const core::options& o) {
    namespace ssl = boost::asio::ssl;
    std::error_code fs_ec;
    if (!std::filesystem::exists(o.cert, fs_ec)) {
        if (o.ssl_only)
            throw core::config_error("--ssl-only: certificate file '" + o.cert + "' not found");
        return nullptr;
    }
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                     ssl::context::single_dh_use);
    SSL_CTX* native = ctx->native_handle();
    int min_version = o.ssl_min == core::tls_version::tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION;
    SSL_CTX_set_min_proto_version(native, min_version);
    if (!o.key_password.empty()) {
        // The password lives only in the options; it is never logged.
        ctx->set_password_callback(
            [pw = o.key_password](std::size_t, ssl::context::password_purpose) { return pw; });
    }
    const std::string& key = o.key.empty() ? o.cert : o.key;
    if (SSL_CTX_use_certificate_chain_file(native, o.cert.c_str()) != 1)
        throw core::config_error("cannot use certificate '" + o.cert + "': " + openssl_error());
    if (SSL_CTX_use_PrivateKey_file(native, key.c_str(), SSL_FILETYPE_PEM) != 1)
        throw core::config_error("cannot use private key '" + key + "': " + openssl_error());
    if (SSL_CTX_check_private_key(native) != 1)
        throw core::config_error("private key '" + key + "' does not match certificate '" + o.cert +
                                 "'");
    if (!o.ssl_ciphers.empty() && SSL_CTX_set_cipher_list(native, o.ssl_ciphers.c_str()) != 1)
        throw core::config_error("--ssl-ciphers '" + o.ssl_ciphers + "' selects no usable cipher");
    return ctx;
}

gateway::gateway(core::options opts)
    : opts_(std::move(opts)), site_(make_site(opts_)),
      router_(opts_.fixed_target, make_resolver(opts_), opts_.host_token),
      tls_(make_tls_context(opts_)) {}

std::shared_ptr<boost::asio::ssl::context> gateway::tls() const {
    std::lock_guard lock(tls_mutex_);
    return tls_;
}

void gateway::reload() {
    try {
        auto fresh = make_tls_context(opts_);
        std::lock_guard lock(tls_mutex_);
        if (!fresh && tls_) {
            // The file went missing (a renewal that deletes before it writes, say): turning TLS
            // off would drop every new TLS connection.
            spdlog::error("TLS reload failed, keeping the previous certificate: certificate file "
                          "'{}' not found",
                          opts_.cert);
        } else {
            tls_ = std::move(fresh);
            if (tls_)
                spdlog::info("reloaded TLS certificate '{}'", opts_.cert);
        }
    } catch (const std::exception& e) {
        spdlog::error("TLS reload failed, keeping the previous certificate: {}", e.what());
    }
    try {
        router_.reload();
        if (router_.uses_tokens())
            spdlog::info("reloaded tokens from '{}'", opts_.token_source);
    } catch (const std::exception& e) {
        spdlog::error("token reload failed, keeping the previous tokens: {}", e.what());
    }
}

std::uint64_t gateway::add_session(std::weak_ptr<session_base> s) {
    std::uint64_t id = next_session_id_.fetch_add(1);
    {
        std::lock_guard lock(sessions_mutex_);
        sessions_.emplace(id, std::move(s));
    }
    if (on_session_start_)
        on_session_start_();
    return id;
}

void gateway::remove_session(std::uint64_t id) {
    {
        std::lock_guard lock(sessions_mutex_);
        sessions_.erase(id);
    }
    if (on_session_end_)
        on_session_end_();
}

std::size_t gateway::active_sessions() const {
    std::lock_guard lock(sessions_mutex_);
    return sessions_.size();
}

std::size_t gateway::shutdown_sessions() {
    std::vector<std::shared_ptr<session_base>> live;
    {
        std::lock_guard lock(sessions_mutex_);
        for (auto& [id, weak] : sessions_)
            if (auto s = weak.lock())
                live.push_back(std::move(s));
    }
    for (auto& s : live)
        s->shutdown();
    return live.size();
}

} // namespace vncgate::net
