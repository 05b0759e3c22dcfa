// The Beast WebSocket client over a Unix stream socket (for --unix-listen).
#include "support/ws_client_impl.hpp"

namespace vncgate::test::detail {

std::unique_ptr<ws_client> connect_unix_client(const std::string& path,
                                               const ws_connect_options& opts) {
    auto c = std::make_unique<beast_ws_client<unix_next_layer>>();
    error_code result = net::error::would_block;
    c->next_layer().async_connect(net::local::stream_protocol::endpoint(path),
                                  [&](error_code ec) { result = ec; });
    if (!c->run(opts.timeout) || result) {
        throw std::runtime_error("connect to unix:" + path +
                                 " failed: " + (result ? result.message() : "timeout"));
    }
    c->handshake(opts.host.empty() ? "localhost" : opts.host, opts);
    return c;
}

} // namespace vncgate::test::detail
