// Chooses the VNC server for a WebSocket request: the fixed target, or a token looked up by a
// plugin.
#pragma once

#include "core/target.hpp"
#include "core/token.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace vncgate::core {

// Returns the percent-decoded value of query parameter `name` in a request target such as
// "/websockify?token=abc&x=1" ('+' decodes to a space, as in HTML forms), or nullopt when the
// parameter is absent or its encoding is malformed. The first occurrence wins. Parameters are
// separated by '&' only, as by Python 3.10+'s parse_qs (websockify): ';' is part of a value.
std::optional<std::string> query_parameter(std::string_view request_target, std::string_view name);

// The outcome of routing one request: a target, or a reason the person can act on.
struct route_result {
    std::optional<target> destination;
    std::string error; // set when !destination
};

class router {
public:
    // A gateway has either a fixed target or a token resolver (websockify's rule); with host_token
    // the token is the Host header's name part instead of the `token` query parameter.
    router(std::optional<target> fixed, std::unique_ptr<target_resolver> tokens, bool host_token);

    // Never throws; thread-safe when the resolver is.
    route_result route(std::string_view request_target, std::string_view host_header) const;

    // Re-reads the token source (SIGHUP). Throws config_error and keeps the old table on failure.
    void reload();

    bool uses_tokens() const { return tokens_ != nullptr; }

private:
    std::optional<target> fixed_;
    std::unique_ptr<target_resolver> tokens_;
    bool host_token_;
};

} // namespace vncgate::core
