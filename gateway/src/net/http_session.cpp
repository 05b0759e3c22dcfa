// HTTP on an accepted connection: TLS detection, request reading with limits, static files,
// upgrades.
#include "net/http_session.hpp"

#include "net/websocket_session.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <chrono>
#include <optional>
#include <spdlog/spdlog.h>

namespace vncgate::net {

namespace http = beast::http;
using error_code = boost::system::error_code;

namespace {

// A client has this long to send the first bytes (TLS detection), finish the TLS handshake, or
// send one whole request: a slow client cannot hold a connection open for ever.
constexpr auto request_timeout = std::chrono::seconds(30);
// Request header and body limits: requests here are small GETs and WebSocket upgrades.
constexpr std::uint32_t max_header_bytes = 8 * 1024;
constexpr std::uint64_t max_body_bytes = 16 * 1024;

http::message_generator text_response(http::status status, unsigned version, bool keep_alive,
                                      std::string body) {
    http::response<http::string_body> res{status, version};
    res.set(http::field::server, "vncgate");
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(keep_alive);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

// The response for a request that could not be read, or nullopt when none is worth sending.
std::optional<http::message_generator> response_for_read_error(error_code ec) {
    if (ec == http::error::header_limit)
        return text_response(http::status::request_header_fields_too_large, 11, false,
                             "Request headers are larger than 8 KiB.\n");
    if (ec == http::error::body_limit)
        return text_response(http::status::payload_too_large, 11, false,
                             "Request body is too large.\n");
    if (ec.category() == http::make_error_code(http::error::bad_method).category())
        return text_response(http::status::bad_request, 11, false,
                             "Malformed HTTP request: " + ec.message() + "\n");
    return std::nullopt;
}

// Reads requests and answers them; CRTP over the plain and TLS sessions, as they differ only in
// their stream and in how they start and end.
template <class Derived> class http_session {
public:
    http_session(beast::flat_buffer buffer, std::shared_ptr<gateway> gw, std::string client)
        : buffer_(std::move(buffer)), gw_(std::move(gw)), client_(std::move(client)) {}

protected:
    void do_read() {
        parser_.emplace();
        parser_->header_limit(max_header_bytes);
        parser_->body_limit(max_body_bytes);
        beast::get_lowest_layer(derived().stream()).expires_after(request_timeout);
        http::async_read(derived().stream(), buffer_, *parser_,
                         [self = derived().shared_from_this()](error_code ec, std::size_t) {
                             self->on_read(ec);
                         });
    }

private:
    Derived& derived() { return static_cast<Derived&>(*this); }

    void on_read(error_code ec) {
        if (ec == http::error::end_of_stream || ec == asio::error::eof)
            return derived().do_eof();
        if (ec) {
            if (ec != asio::error::operation_aborted)
                spdlog::debug("{}: HTTP read ended: {}", client_, ec.message());
            if (auto res = response_for_read_error(ec))
                return send(std::move(*res), false);
            return; // timeout or reset: nothing to answer, the connection just closes
        }
        auto& req = parser_->get();
        if (derived().refuse_plain()) {
            return send(text_response(http::status::forbidden, req.version(), false,
                                      "This gateway accepts only encrypted connections: use "
                                      "https:// and wss://.\n"),
                        false);
        }
        if (beast::websocket::is_upgrade(req)) {
            beast::get_lowest_layer(derived().stream()).expires_never();
            return run_websocket_session(derived().release_stream(), parser_->release(), gw_,
                                         client_);
        }
        bool keep_alive = req.keep_alive();
        if (const auto* site = gw_->site()) {
            auto res = site->handle(req);
            // The path only: a query may carry a password (noVNC's vnc.html?password=...).
            std::string_view target(req.target().data(), req.target().size());
            spdlog::debug("{}: {} {}", client_, std::string(req.method_string()),
                          target.substr(0, target.find('?')));
            return send(std::move(res), keep_alive);
        }
        send(text_response(http::status::method_not_allowed, req.version(), keep_alive,
                           "This gateway serves WebSocket connections only; start it with --web "
                           "DIR to serve files too.\n"),
             keep_alive);
    }

    void send(http::message_generator msg, bool keep_alive) {
        beast::get_lowest_layer(derived().stream()).expires_after(request_timeout);
        beast::async_write(
            derived().stream(), std::move(msg),
            [self = derived().shared_from_this(), keep_alive](error_code ec, std::size_t) {
                if (ec)
                    return;
                if (!keep_alive)
                    return self->derived().do_eof();
                self->do_read();
            });
    }

protected:
    beast::flat_buffer buffer_;
    std::shared_ptr<gateway> gw_;
    std::string client_;

private:
    std::optional<http::request_parser<http::string_body>> parser_;
};

class plain_http_session : public http_session<plain_http_session>,
                           public std::enable_shared_from_this<plain_http_session> {
public:
    plain_http_session(plain_stream&& stream, beast::flat_buffer&& buffer,
                       std::shared_ptr<gateway> gw, std::string client, bool tls_required)
        : http_session(std::move(buffer), std::move(gw), std::move(client)),
          stream_(std::move(stream)), tls_required_(tls_required) {}

    void run() { do_read(); }
    plain_stream& stream() { return stream_; }
    plain_stream release_stream() { return std::move(stream_); }
    bool refuse_plain() const { return tls_required_; }
    void do_eof() {
        error_code ignored;
        stream_.socket().shutdown(asio::socket_base::shutdown_send, ignored);
    }

private:
    plain_stream stream_;
    bool tls_required_;
};

class tls_http_session : public http_session<tls_http_session>,
                         public std::enable_shared_from_this<tls_http_session> {
public:
    tls_http_session(plain_stream&& stream, std::shared_ptr<ssl::context> ctx,
                     beast::flat_buffer&& buffer, std::shared_ptr<gateway> gw, std::string client)
        : http_session(std::move(buffer), std::move(gw), std::move(client)), ctx_(std::move(ctx)),
          stream_(std::move(stream), *ctx_) {}

    void run() {
        beast::get_lowest_layer(stream_).expires_after(request_timeout);
        // The bytes read during detection are the start of the ClientHello. (The handler's default
        // argument satisfies a constraint in Beast 1.81 that names the unbuffered signature.)
        stream_.async_handshake(ssl::stream_base::server, buffer_.data(),
                                [self = shared_from_this()](error_code ec, std::size_t used = 0) {
                                    if (ec) {
                                        spdlog::info("{}: TLS handshake failed: {}", self->client_,
                                                     ec.message());
                                        return;
                                    }
                                    self->buffer_.consume(used);
                                    self->do_read();
                                });
    }
    tls_stream& stream() { return stream_; }
    tls_stream release_stream() { return std::move(stream_); }
    bool refuse_plain() const { return false; }
    void do_eof() {
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
        stream_.async_shutdown([self = shared_from_this()](error_code) {});
    }

private:
    std::shared_ptr<ssl::context> ctx_; // outlives stream_, which refers to it
    tls_stream stream_;
};

// Reads the first bytes to tell a TLS ClientHello from plain HTTP on the same port.
class detect_session : public std::enable_shared_from_this<detect_session> {
public:
    detect_session(socket_type&& socket, std::shared_ptr<gateway> gw, std::string client)
        : stream_(std::move(socket)), gw_(std::move(gw)), client_(std::move(client)) {
        // Room for a browser's whole request (often over 512 bytes with cookies) in one read.
        buffer_.reserve(1536);
    }

    void run() {
        stream_.expires_after(request_timeout);
        beast::async_detect_ssl(
            stream_, buffer_,
            [self = shared_from_this()](error_code ec, bool tls) { self->on_detect(ec, tls); });
    }

private:
    void on_detect(error_code ec, bool tls) {
        if (ec)
            return;
        if (!tls) {
            std::make_shared<plain_http_session>(std::move(stream_), std::move(buffer_), gw_,
                                                 client_, gw_->opts().ssl_only)
                ->run();
            return;
        }
        auto ctx = gw_->tls();
        if (!ctx) {
            spdlog::info("{}: TLS connection refused: no certificate configured (--cert)", client_);
            return;
        }
        std::make_shared<tls_http_session>(std::move(stream_), std::move(ctx), std::move(buffer_),
                                           gw_, client_)
            ->run();
    }

    plain_stream stream_;
    beast::flat_buffer buffer_;
    std::shared_ptr<gateway> gw_;
    std::string client_;
};

} // namespace

void run_connection(socket_type socket, std::shared_ptr<gateway> gw, std::string client) {
    std::make_shared<detect_session>(std::move(socket), std::move(gw), std::move(client))->run();
}

} // namespace vncgate::net
