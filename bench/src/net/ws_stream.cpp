// byte_stream over a Beast WebSocket client (binary messages): the gateway paths,
// client -> gateway -> target. The only translation unit that instantiates Beast (compile time).
#include "net/byte_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/system/system_error.hpp>
#include <string>

namespace vncgate_bench {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::system::error_code;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

bool is_end_of_stream(const error_code& ec) {
    // After the peer has gone, Beast's own close reply or teardown can fail with the last
    // three; the stream has ended all the same.
    return ec == websocket::error::closed || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::not_connected ||
           ec == asio::error::broken_pipe;
}

class ws_byte_stream final : public byte_stream {
public:
    ws_byte_stream(const asio::any_io_executor& ex, const stream_options& opt)
        : ws_(ex), opt_(opt) {}

    asio::awaitable<void> open(tcp::endpoint ep) override {
        co_await ws_.next_layer().async_connect(ep, asio::use_awaitable);
        ws_.next_layer().set_option(tcp::no_delay(true));
        // The benchmark bounds every step with its own deadline; Beast's idle timer stays off.
        ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(30),
                                                       websocket::stream_base::none(), false});
        const bool binary_protocol = opt_.subprotocol_binary;
        ws_.set_option(websocket::stream_base::decorator([binary_protocol](auto& req) {
            req.set(beast::http::field::user_agent, "vncgate-bench");
            if (binary_protocol) {
                req.set(beast::http::field::sec_websocket_protocol, "binary");
            }
        }));
        ws_.binary(true);
        // One frame per message, masked through a buffer of the chosen size.
        ws_.auto_fragment(false);
        ws_.write_buffer_bytes(opt_.write_buffer);
        ws_.read_message_max(0);
        // Masks need not be unpredictable between a benchmark and its own gateway.
        ws_.secure_prng(false);
        const std::string host = ep.address().to_string() + ":" + std::to_string(ep.port());
        co_await ws_.async_handshake(host, "/", asio::use_awaitable);
    }

    asio::awaitable<void> send(asio::const_buffer data) override {
        co_await ws_.async_write(data, asio::use_awaitable);
    }

    asio::awaitable<std::size_t> receive(asio::mutable_buffer buf) override {
        if (pending_) {
            co_return finish(pending_);
        }
        auto [ec, n] = co_await ws_.async_read_some(buf, nothrow);
        if (ec && n > 0) {
            pending_ = ec; // deliver the bytes now, the end on the next call
            co_return n;
        }
        if (ec) {
            co_return finish(ec);
        }
        co_return n;
    }

    asio::awaitable<void> close() override {
        if (ended_) {
            co_return;
        }
        auto [ec] = co_await ws_.async_close(websocket::close_code::normal, nothrow);
        if (ec && !is_end_of_stream(ec)) {
            throw boost::system::system_error(ec);
        }
    }

    void abort() noexcept override {
        error_code ec;
        beast::get_lowest_layer(ws_).close(ec);
    }

    bool ended_cleanly() const noexcept override { return clean_; }

private:
    std::size_t finish(const error_code& ec) {
        if (!is_end_of_stream(ec)) {
            throw boost::system::system_error(ec);
        }
        ended_ = true;
        // A close frame from the peer is recorded in reason() even if replying to it failed.
        clean_ = ws_.reason().code != websocket::close_code::none;
        return 0;
    }

    websocket::stream<tcp::socket> ws_;
    stream_options opt_;
    error_code pending_;
    bool ended_ = false;
    bool clean_ = false;
};

} // namespace

std::unique_ptr<byte_stream> make_ws_stream(const asio::any_io_executor& ex,
                                            const stream_options& opt) {
    return std::make_unique<ws_byte_stream>(ex, opt);
}

} // namespace vncgate_bench
