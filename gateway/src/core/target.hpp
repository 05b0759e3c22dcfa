// Proxy targets ("host:port", "[v6]:port", "unix_socket:/path") and listen addresses.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vncgate::core {

// A configuration or command-line value is wrong; what() names the bad text and says why.
class config_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Where a WebSocket session's bytes go: a TCP host and port, or a Unix socket.
struct target {
    enum class kind { tcp, unix_socket };
    kind type = kind::tcp;
    std::string host;       // tcp: name or IP literal, no brackets
    std::uint16_t port = 0; // tcp
    std::string path;       // unix_socket
    // "host:port", "[::1]:port" for IPv6 literals, "unix_socket:/path".
    std::string to_string() const;
    bool operator==(const target&) const = default;
};

// Longest Unix socket path the kernel accepts (sizeof sockaddr_un::sun_path minus the NUL).
inline constexpr std::size_t max_unix_socket_path = 107;

// Parses "host:port", "[v6addr]:port", "unix_socket:/abs/path" (websockify's token-file forms).
// Like websockify, "::1:5900" (an unbracketed IPv6 literal) splits at the last ':'.
// The port must be 1..65535 in decimal; the host a DNS name, IPv4 or IPv6 literal; the Unix
// path absolute and at most max_unix_socket_path bytes. Throws config_error naming the bad text.
target parse_target(std::string_view text);

// Where the gateway listens for browsers.
struct listen_address {
    std::string host; // "" = all interfaces
    std::uint16_t port = 0;
    bool operator==(const listen_address&) const = default;
};

// Parses websockify's "[source_addr:]source_port": "6080", "127.0.0.1:6080", "[::1]:6080",
// ":6080" (all interfaces); port 0 means an ephemeral port. Throws config_error naming the text.
listen_address parse_listen(std::string_view text);

// Parses a decimal port number "0".."65535" (no sign, no spaces); nullopt otherwise.
std::optional<std::uint16_t> parse_port(std::string_view text);

// True when `text` is a syntactically valid IPv6 literal (optionally with a "%zone" suffix).
bool is_ipv6_literal(std::string_view text);

} // namespace vncgate::core
