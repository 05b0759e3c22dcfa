// Parsing and printing of proxy targets and listen addresses.
#include "core/target.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>

namespace vncgate::core {

namespace {

constexpr std::string_view unix_prefix = "unix_socket:";
constexpr std::size_t max_host_name = 253;
constexpr std::size_t max_zone_id = 64;

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

// A DNS name or IPv4 literal: letters, digits, '-', '.', '_', not starting with '-' or '.'.
bool is_host_name(std::string_view s) {
    if (s.empty() || s.size() > max_host_name || s.front() == '-' || s.front() == '.') {
        return false;
    }
    return std::all_of(s.begin(), s.end(), is_name_char);
}

// Quotes text for an error message: printable ASCII kept, anything else as \xNN.
std::string quoted(std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "'";
    for (unsigned char c : s) {
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        }
    }
    out += '\'';
    return out;
}

[[noreturn]] void fail(std::string_view what, std::string_view text, std::string_view why) {
    std::string msg(what);
    msg += ' ';
    msg += quoted(text);
    msg += ": ";
    msg += why;
    throw config_error(msg);
}

} // namespace

std::optional<std::uint16_t> parse_port(std::string_view text) {
    if (text.empty() || text.size() > 5) {
        return std::nullopt;
    }
    unsigned value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(value);
}

bool is_ipv6_literal(std::string_view text) {
    std::string_view addr = text;
    if (auto pct = text.find('%'); pct != std::string_view::npos) {
        std::string_view zone = text.substr(pct + 1);
        if (zone.empty() || zone.size() > max_zone_id ||
            !std::all_of(zone.begin(), zone.end(), is_name_char)) {
            return false;
        }
        addr = text.substr(0, pct);
    }
    // inet_pton needs a NUL-terminated string; the longest IPv6 text form is 45 characters.
    if (addr.empty() || addr.size() > 45) {
        return false;
    }
    std::string copy(addr);
    std::array<unsigned char, 16> buf{};
    return ::inet_pton(AF_INET6, copy.c_str(), buf.data()) == 1;
}

std::string target::to_string() const {
    if (type == kind::unix_socket) {
        return std::string(unix_prefix) + path;
    }
    std::string out;
    if (host.find(':') != std::string::npos) {
        out = "[" + host + "]";
    } else {
        out = host;
    }
    out += ':';
    out += std::to_string(port);
    return out;
}

target parse_target(std::string_view text) {
    target t;
    if (text.substr(0, unix_prefix.size()) == unix_prefix) {
        std::string_view path = text.substr(unix_prefix.size());
        if (path.empty() || path.front() != '/') {
            fail("target", text, "a Unix socket path must be absolute (unix_socket:/path)");
        }
        if (path.find('\0') != std::string_view::npos) {
            fail("target", text, "the Unix socket path contains a NUL byte");
        }
        if (path.size() > max_unix_socket_path) {
            fail("target", text,
                 "the Unix socket path is longer than " + std::to_string(max_unix_socket_path) +
                     " bytes");
        }
        t.type = target::kind::unix_socket;
        t.path = std::string(path);
        return t;
    }

    std::string_view host;
    std::string_view port_text;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos) {
            fail("target", text, "missing ']' after the IPv6 address");
        }
        host = text.substr(1, close - 1);
        std::string_view rest = text.substr(close + 1);
        if (rest.empty() || rest.front() != ':') {
            fail("target", text, "expected [address]:port");
        }
        port_text = rest.substr(1);
        if (!is_ipv6_literal(host)) {
            fail("target", text, "not an IPv6 address between the brackets");
        }
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos) {
            fail("target", text, "expected host:port, [IPv6]:port or unix_socket:/path");
        }
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) {
            if (!is_ipv6_literal(host)) {
                fail("target", text, "bad host (write IPv6 addresses as [address]:port)");
            }
        } else if (!is_host_name(host)) {
            fail("target", text, host.empty() ? "missing host" : "bad host name");
        }
    }
    auto port = parse_port(port_text);
    if (!port || *port == 0) {
        fail("target", text,
             port_text.empty() ? "missing port" : "the port must be a number from 1 to 65535");
    }
    t.host = std::string(host);
    t.port = *port;
    return t;
}

listen_address parse_listen(std::string_view text) {
    listen_address out;
    std::string_view port_text = text;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos) {
            fail("listen address", text, "missing ']' after the IPv6 address");
        }
        std::string_view host = text.substr(1, close - 1);
        std::string_view rest = text.substr(close + 1);
        if (rest.empty() || rest.front() != ':') {
            fail("listen address", text, "expected [address]:port");
        }
        if (!is_ipv6_literal(host)) {
            fail("listen address", text, "not an IPv6 address between the brackets");
        }
        out.host = std::string(host);
        port_text = rest.substr(1);
    } else if (auto colon = text.rfind(':'); colon != std::string_view::npos) {
        std::string_view host = text.substr(0, colon);
        if (host.find(':') != std::string_view::npos) {
            if (!is_ipv6_literal(host)) {
                fail("listen address", text, "bad host (write IPv6 addresses as [address]:port)");
            }
        } else if (!host.empty() && !is_host_name(host)) {
            fail("listen address", text, "bad host name");
        }
        out.host = std::string(host);
        port_text = text.substr(colon + 1);
    }
    auto port = parse_port(port_text);
    if (!port) {
        fail("listen address", text,
             port_text.empty() ? "missing port" : "the port must be a number from 0 to 65535");
    }
    out.port = *port;
    return out;
}

} // namespace vncgate::core
