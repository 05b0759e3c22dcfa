// The Beast WebSocket client over plain TCP (ws://).
#include "support/ws_client_impl.hpp"

namespace vncgate::test::detail {

std::unique_ptr<ws_client> connect_tcp_client(const std::string& host, std::uint16_t port,
                                              const ws_connect_options& opts) {
    auto c = std::make_unique<beast_ws_client<tcp_next_layer>>();
    net::ip::tcp::endpoint ep(net::ip::make_address(host), port);
    error_code result = net::error::would_block;
    c->next_layer().async_connect(ep, [&](error_code ec) { result = ec; });
    if (!c->run(opts.timeout) || result) {
        throw std::runtime_error("TCP connect to " + host_header(host, port) +
                                 " failed: " + (result ? result.message() : "timeout"));
    }
    c->next_layer().set_option(net::ip::tcp::no_delay(true));
    c->handshake(opts.host.empty() ? host_header(host, port) : opts.host, opts);
    return c;
}

} // namespace vncgate::test::detail
