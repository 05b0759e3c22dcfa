// Routing of WebSocket requests to targets: query/Host token extraction and lookup.
#include "core/router.hpp"

#include "core/url.hpp"

#include <spdlog/spdlog.h>

namespace vncgate::core {

namespace {

// Tokens are short printable names; anything else is refused before it reaches a plugin or a log.
constexpr std::size_t max_token_length = 256;

bool is_plausible_token(std::string_view t) {
    if (t.empty() || t.size() > max_token_length)
        return false;
    for (unsigned char c : t)
        if (c < 0x20 || c == 0x7f)
            return false;
    return true;
}

} // namespace

std::optional<std::string> query_parameter(std::string_view request_target, std::string_view name) {
    auto q = request_target.find('?');
    if (q == std::string_view::npos)
        return std::nullopt;
    std::string_view query = request_target.substr(q + 1);
    if (auto hash = query.find('#'); hash != std::string_view::npos)
        query = query.substr(0, hash);
    // Pairs are separated by '&' only: websockify uses Python's urllib.parse.parse_qs, which
    // since Python 3.10 no longer splits on ';' (so "token=a;b" is the token "a;b").
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        auto eq = pair.find('=');
        auto key = percent_decode(pair.substr(0, eq), true);
        if (!key || *key != name)
            continue;
        if (eq == std::string_view::npos)
            return std::string{};
        return percent_decode(pair.substr(eq + 1), true);
    }
    return std::nullopt;
}

router::router(std::optional<target> fixed, std::unique_ptr<target_resolver> tokens,
               bool host_token)
    : fixed_(std::move(fixed)), tokens_(std::move(tokens)), host_token_(host_token) {}

route_result router::route(std::string_view request_target, std::string_view host_header) const {
    if (!tokens_) {
        if (fixed_)
            return {fixed_, {}};
        return {std::nullopt, "no VNC server is configured for this gateway"};
    }
    std::optional<std::string> token;
    if (host_token_) {
        std::string_view host = host_header;
        // "[v6]:port" has no name part worth a token; "name:port" drops the port.
        if (auto colon = host.find(':'); colon != std::string_view::npos && !host.starts_with('['))
            host = host.substr(0, colon);
        if (!host.empty())
            token = std::string(host);
    } else {
        token = query_parameter(request_target, "token");
        // websockify strips trailing newlines from the token.
        while (token && !token->empty() && token->back() == '\n')
            token->pop_back();
    }
    if (!token || token->empty())
        return {std::nullopt, host_token_ ? "token missing: no Host header"
                                          : "token missing: add ?token=NAME to the URL"};
    if (!is_plausible_token(*token))
        return {std::nullopt, "invalid token"};
    try {
        if (auto t = tokens_->lookup(*token))
            return {t, {}};
    } catch (const std::exception& e) {
        spdlog::error("token lookup failed: {}", e.what());
        return {std::nullopt, "token lookup failed on the gateway"};
    }
    return {std::nullopt, "unknown token"};
}

void router::reload() {
    if (tokens_)
        tokens_->reload();
}

} // namespace vncgate::core
