// The Beast-free part of ws_client: connection dispatch and convenience reads.
#include "support/ws_client.hpp"

namespace vncgate::test {

namespace detail {

std::unique_ptr<ws_client> connect_tcp_client(const std::string& host, std::uint16_t port,
                                              const ws_connect_options& opts);
std::unique_ptr<ws_client> connect_tls_client(const std::string& host, std::uint16_t port,
                                              const ws_connect_options& opts);
std::unique_ptr<ws_client> connect_unix_client(const std::string& path,
                                               const ws_connect_options& opts);

std::string host_header(const std::string& host, std::uint16_t port) {
    if (host.find(':') != std::string::npos) {
        return "[" + host + "]:" + std::to_string(port);
    }
    return host + ":" + std::to_string(port);
}

} // namespace detail

std::string ws_close_info::describe() const {
    if (close_frame) {
        return "close frame " + std::to_string(code) + " '" + reason + "'";
    }
    return "no close frame (" + error + ")";
}

std::string ws_receive_result::describe() const {
    std::string s = std::to_string(bytes) + " bytes in " + std::to_string(messages) + " messages";
    if (text_messages != 0) {
        s += " (" + std::to_string(text_messages) + " text)";
    }
    if (closed) {
        s += ", then " + closed->describe();
    }
    if (timed_out) {
        s += ", then timeout";
    }
    return s;
}

std::unique_ptr<ws_client> ws_client::connect(const std::string& host, std::uint16_t port,
                                              const ws_connect_options& opts) {
    return opts.tls ? detail::connect_tls_client(host, port, opts)
                    : detail::connect_tcp_client(host, port, opts);
}

std::unique_ptr<ws_client> ws_client::connect_unix(const std::string& path,
                                                   const ws_connect_options& opts) {
    return detail::connect_unix_client(path, opts);
}

std::vector<std::uint8_t> ws_client::receive_bytes(std::size_t n, milliseconds timeout) {
    std::vector<std::uint8_t> data;
    data.reserve(n);
    auto r = receive(n, timeout, [&](std::span<const std::uint8_t> chunk) {
        data.insert(data.end(), chunk.begin(), chunk.end());
    });
    if (data.size() != n) {
        throw std::runtime_error("expected " + std::to_string(n) + " bytes, got " + r.describe());
    }
    return data;
}

ws_close_info ws_client::receive_until_close(milliseconds timeout,
                                             std::vector<std::uint8_t>* data) {
    auto r = receive(until_close, timeout, [&](std::span<const std::uint8_t> chunk) {
        if (data != nullptr) {
            data->insert(data->end(), chunk.begin(), chunk.end());
        }
    });
    if (r.closed) {
        return *r.closed;
    }
    ws_close_info info;
    info.error = "no close within the timeout (" + r.describe() + ")";
    return info;
}

} // namespace vncgate::test
