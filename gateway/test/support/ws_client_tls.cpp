// The Beast WebSocket client over TLS (wss://); it accepts any server certificate.
#include "support/ws_client_impl.hpp"

namespace vncgate::test::detail {

std::unique_ptr<ws_client> connect_tls_client(const std::string& host, std::uint16_t port,
                                              const ws_connect_options& opts) {
    auto ctx = std::make_unique<net::ssl::context>(net::ssl::context::tls_client);
    ctx->set_verify_mode(net::ssl::verify_none); // the tests' certificates are self-signed
    auto c = std::make_unique<beast_ws_client<tls_next_layer>>(std::move(ctx));
    net::ip::tcp::endpoint ep(net::ip::make_address(host), port);
    error_code result = net::error::would_block;
    c->next_layer().next_layer().async_connect(ep, [&](error_code ec) { result = ec; });
    if (!c->run(opts.timeout) || result) {
        throw std::runtime_error("TCP connect to " + host_header(host, port) +
                                 " failed: " + (result ? result.message() : "timeout"));
    }
    c->next_layer().next_layer().set_option(net::ip::tcp::no_delay(true));
    SSL_set_tlsext_host_name(c->next_layer().native_handle(), "localhost");
    result = net::error::would_block;
    c->next_layer().async_handshake(net::ssl::stream_base::client,
                                    [&](error_code ec) { result = ec; });
    if (!c->run(opts.timeout) || result) {
        throw std::runtime_error("TLS handshake with " + host_header(host, port) +
                                 " failed: " + (result ? result.message() : "timeout"));
    }
    c->handshake(opts.host.empty() ? host_header(host, port) : opts.host, opts);
    return c;
}

} // namespace vncgate::test::detail
