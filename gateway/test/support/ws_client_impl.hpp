// Private to the ws_client_*.cpp files: the Beast implementation of ws_client, templated on the
// transport. Each transport is instantiated in its own .cpp so that the costly Beast templates
// compile in parallel and never in the test files.
#pragma once

#include "support/ws_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <type_traits>

namespace vncgate::test::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace http = boost::beast::http;
using error_code = boost::system::error_code;

using tcp_next_layer = net::ip::tcp::socket;
using tls_next_layer = net::ssl::stream<net::ip::tcp::socket>;
using unix_next_layer = net::local::stream_protocol::socket;

std::unique_ptr<ws_client> connect_tcp_client(const std::string& host, std::uint16_t port,
                                              const ws_connect_options& opts);
std::unique_ptr<ws_client> connect_tls_client(const std::string& host, std::uint16_t port,
                                              const ws_connect_options& opts);
std::unique_ptr<ws_client> connect_unix_client(const std::string& path,
                                               const ws_connect_options& opts);

std::string host_header(const std::string& host, std::uint16_t port);

template <class NextLayer> class beast_ws_client final : public ws_client {
public:
    static constexpr bool is_tls = std::is_same_v<NextLayer, tls_next_layer>;

    beast_ws_client() requires(!is_tls) : ws_(ioc_) {}
    explicit beast_ws_client(std::unique_ptr<net::ssl::context> ctx) requires(is_tls)
        : ctx_(std::move(ctx)), ws_(ioc_, *ctx_) {}

    ~beast_ws_client() override {
        error_code ec;
        beast::get_lowest_layer(ws_).close(ec);
    }

    NextLayer& next_layer() { return ws_.next_layer(); }
    net::io_context& ioc() { return ioc_; }

    // Runs the started operations to completion. On timeout closes the socket, which fails the
    // operations, and returns false; the connection is unusable afterwards.
    bool run(milliseconds timeout) {
        ioc_.restart();
        ioc_.run_for(timeout);
        if (ioc_.stopped()) {
            return true;
        }
        error_code ec;
        beast::get_lowest_layer(ws_).close(ec);
        ioc_.restart();
        ioc_.run();
        broken_ = true;
        return false;
    }

    // Performs the WebSocket upgrade on the connected (and TLS-established) transport.
    void handshake(const std::string& host, const ws_connect_options& opts) {
        std::string protos;
        for (const auto& p : opts.subprotocols) {
            protos += (protos.empty() ? "" : ", ") + p;
        }
        ws_.set_option(websocket::stream_base::decorator([protos](websocket::request_type& req) {
            req.set(http::field::user_agent, "vncgate-integration-test");
            if (!protos.empty()) {
                req.set(http::field::sec_websocket_protocol, protos);
            }
        }));
        ws_.auto_fragment(opts.auto_fragment);
        // Message boundaries from the gateway are arbitrary; do not limit them on this side.
        ws_.read_message_max(0);
        ws_.binary(true);
        error_code result = net::error::would_block;
        ws_.async_handshake(res_, host, opts.target, [&](error_code ec) { result = ec; });
        if (!run(opts.timeout)) {
            throw std::runtime_error("WebSocket handshake timed out");
        }
        if (result) {
            int status = res_.result_int();
            std::string msg = "WebSocket handshake failed: " + result.message();
            if (status != 0) {
                msg += " (HTTP " + std::to_string(status) + ")";
            }
            throw ws_handshake_error(msg, status, res_.body());
        }
    }

    std::string response_header(const std::string& name) const override {
        auto it = res_.find(name);
        return it != res_.end() ? std::string(it->value()) : "";
    }

    void send_binary(std::span<const std::uint8_t> data, milliseconds timeout) override {
        send_message(data, true, timeout);
    }

    void send_text(std::string_view text, milliseconds timeout) override {
        send_message(as_bytes(text), false, timeout);
    }

    void send_fragmented(std::span<const std::uint8_t> data,
                         const std::vector<std::size_t>& frame_sizes, bool binary,
                         milliseconds timeout) override {
        check_usable();
        bool saved = ws_.auto_fragment();
        ws_.auto_fragment(false);
        ws_.binary(binary);
        std::size_t off = 0;
        for (std::size_t i = 0; i < frame_sizes.size(); ++i) {
            bool fin = i + 1 == frame_sizes.size();
            error_code result = net::error::would_block;
            ws_.async_write_some(fin, net::buffer(data.data() + off, frame_sizes[i]),
                                 [&](error_code ec, std::size_t) { result = ec; });
            off += frame_sizes[i];
            if (!run(timeout)) {
                throw std::runtime_error("sending a fragment timed out");
            }
            if (result) {
                throw std::runtime_error("sending a fragment failed: " + result.message());
            }
        }
        ws_.auto_fragment(saved);
        ws_.binary(true);
    }

    ws_receive_result receive(std::uint64_t n, milliseconds timeout,
                              const data_callback& on_data) override {
        check_usable();
        reader rd{*this, n, on_data};
        rd.start();
        if (!run(timeout)) {
            rd.result.timed_out = true;
        }
        return rd.result;
    }

    ws_duplex_result duplex(const payload& out, const std::vector<std::size_t>& plan,
                            std::uint64_t recv_n, milliseconds timeout,
                            const data_callback& on_data) override {
        check_usable();
        ws_duplex_result res;
        reader rd{*this, recv_n, on_data};
        writer wr{*this, out, plan};
        wr.start();
        rd.start();
        bool finished = run(timeout);
        res.received = rd.result;
        res.received.timed_out = !finished;
        res.sent = wr.offset;
        res.send_error = wr.error;
        if (!finished && res.send_error.empty() && wr.index < plan.size()) {
            res.send_error = "timed out";
        }
        return res;
    }

    ws_close_info close(int code, std::string_view reason, milliseconds timeout) override {
        check_usable();
        error_code result = net::error::would_block;
        websocket::close_reason cr(static_cast<websocket::close_code>(code), reason);
        ws_.async_close(cr, [&](error_code ec) { result = ec; });
        ws_close_info info;
        if (!run(timeout)) {
            info.error = "timed out waiting for the close reply";
            return info;
        }
        if (!result || ws_.reason().code != websocket::close_code::none) {
            info.close_frame = true;
            info.code = ws_.reason().code == 0 ? 1005 : ws_.reason().code;
            info.reason = std::string(ws_.reason().reason.data(), ws_.reason().reason.size());
        } else {
            info.error = result.message();
        }
        return info;
    }

    void drop() override {
        error_code ec;
        beast::get_lowest_layer(ws_).close(ec);
        broken_ = true;
    }

    void abort() override {
        error_code ec;
        if constexpr (!std::is_same_v<NextLayer, unix_next_layer>) {
            beast::get_lowest_layer(ws_).set_option(net::socket_base::linger(true, 0), ec);
        }
        beast::get_lowest_layer(ws_).close(ec);
        broken_ = true;
    }

private:
    void check_usable() const {
        if (broken_) {
            throw std::runtime_error("the WebSocket connection already failed (timeout or drop)");
        }
    }

    void send_message(std::span<const std::uint8_t> data, bool binary, milliseconds timeout) {
        check_usable();
        ws_.binary(binary);
        error_code result = net::error::would_block;
        ws_.async_write(net::buffer(data.data(), data.size()),
                        [&](error_code ec, std::size_t) { result = ec; });
        bool ok = run(timeout);
        ws_.binary(true);
        if (!ok) {
            throw std::runtime_error("sending a " + std::to_string(data.size()) +
                                     "-byte message timed out");
        }
        if (result) {
            throw std::runtime_error("sending a " + std::to_string(data.size()) +
                                     "-byte message failed: " + result.message());
        }
    }

    ws_close_info close_info(error_code ec) {
        ws_close_info info;
        // Beast answers a close frame and then tears the connection down; if that teardown fails
        // (the gateway already closed the socket: a reset) it reports the teardown error, but the
        // close frame did arrive and its reason is kept.
        if (ec == websocket::error::closed || ws_.reason().code != websocket::close_code::none) {
            info.close_frame = true;
            info.code = ws_.reason().code == 0 ? 1005 : ws_.reason().code;
            info.reason = std::string(ws_.reason().reason.data(), ws_.reason().reason.size());
        } else {
            info.error = ec.message();
        }
        return info;
    }

    // Reads data until `limit` bytes or the end of the connection.
    struct reader {
        reader(beast_ws_client& client, std::uint64_t n, const data_callback& cb)
            : c(client), limit(n), on_data(cb) {}

        beast_ws_client& c;
        std::uint64_t limit;
        const data_callback& on_data;
        ws_receive_result result;
        std::vector<std::uint8_t> buf = std::vector<std::uint8_t>(1 << 16);

        void start() {
            if (result.bytes >= limit) {
                return;
            }
            std::size_t want =
                static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), limit - result.bytes));
            c.ws_.async_read_some(net::buffer(buf.data(), want),
                                  [this](error_code ec, std::size_t n) { on_read(ec, n); });
        }

        void on_read(error_code ec, std::size_t n) {
            if (n > 0) {
                result.bytes += n;
                if (on_data) {
                    on_data(std::span<const std::uint8_t>(buf.data(), n));
                }
            }
            if (!ec && c.ws_.is_message_done()) {
                ++result.messages;
                if (c.ws_.got_text()) {
                    ++result.text_messages;
                }
            }
            if (ec) {
                result.closed = c.close_info(ec);
                return;
            }
            start();
        }
    };

    // Writes the messages of a plan, taking their bytes from a payload stream.
    struct writer {
        writer(beast_ws_client& client, const payload& p, const std::vector<std::size_t>& messages)
            : c(client), out(p), plan(messages) {}

        beast_ws_client& c;
        const payload& out;
        const std::vector<std::size_t>& plan;
        std::size_t index = 0;
        std::uint64_t offset = 0;
        std::string error;
        std::vector<std::uint8_t> buf;

        void start() {
            if (index >= plan.size()) {
                return;
            }
            buf.resize(plan[index]);
            out.fill(offset, buf);
            c.ws_.async_write(net::buffer(buf), [this](error_code ec, std::size_t) {
                if (ec) {
                    error = "message " + std::to_string(index) + ": " + ec.message();
                    return;
                }
                offset += plan[index];
                ++index;
                start();
            });
        }
    };

    net::io_context ioc_;
    std::unique_ptr<net::ssl::context> ctx_;
    websocket::stream<NextLayer> ws_;
    websocket::response_type res_;
    bool broken_ = false;
};

} // namespace vncgate::test::detail
