// WebSocket sessions: subprotocol negotiation, routing, target connection and the two-way relay.
//
// Each session runs on one I/O thread. Browser-to-target: read a WebSocket message part, write it
// to the target, read the next: the browser is not read while the target is slow.
// Target-to-browser: wait until the target is readable, read what is there into a pooled buffer,
// send it as one binary message, repeat: the target is not read while the browser is slow. So
// memory per session is bounded by one buffer each way, and backpressure reaches both ends through
// TCP. Without TLS or recording, bulk transfers (once a read filled the buffer) use splice(2)
// through a pooled pipe instead, with the frame header written by us: the bytes never enter user
// space.
#include "net/websocket_session.hpp"

#include "core/recorder.hpp"
#include "core/ws_frame.hpp"
#include "net/buffer_pool.hpp"
#include "net/fenced_stream.hpp"
#include "net/splice_pipe.hpp"

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <vector>

namespace vncgate::net {

namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// How long connecting to the VNC server may take.
constexpr auto connect_timeout = std::chrono::seconds(10);
// How long the opening and closing handshakes may take.
constexpr auto handshake_timeout = std::chrono::seconds(15);
// After the browser closed, how long to wait for the VNC server to close its side.
constexpr auto drain_timeout = std::chrono::seconds(5);
// Browser-to-target buffer: small while a session is idle, grown when reads fill it.
constexpr std::size_t min_up_buffer = 2 * 1024;
constexpr std::size_t max_up_buffer = relay_buffer_size;
// A read of fewer bytes than this, in the middle of a message, is followed by another read before
// the write to the target.
constexpr std::size_t small_part = 4096;

// WebSocket close codes (RFC 6455 section 7.4.1 and the IANA registry).
constexpr std::uint16_t close_normal = 1000;
constexpr std::uint16_t close_going_away = 1001;
constexpr std::uint16_t close_unsupported_data = 1003;
constexpr std::uint16_t close_policy = 1008;
constexpr std::uint16_t close_too_big = 1009;
// websockify uses 1011 when it cannot reach the target; 1014 (bad gateway) would say it better, but
// some WebSocket clients (Beast's among them) reject it as an invalid code.
constexpr std::uint16_t close_internal_error = 1011;

// Subprotocols as a browser lists them in Sec-WebSocket-Protocol.
struct subprotocol_choice {
    bool offered_any = false;
    bool binary = false;
    bool base64 = false;
};

subprotocol_choice parse_subprotocols(std::string_view header) {
    subprotocol_choice c;
    while (!header.empty()) {
        auto comma = header.find(',');
        std::string_view item = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
            item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
            item.remove_suffix(1);
        if (item.empty())
            continue;
        c.offered_any = true;
        if (item == "binary")
            c.binary = true;
        else if (item == "base64")
            c.base64 = true;
    }
    return c;
}

// The VNC server side: no Nagle delay, and keepalive so that a server that vanished is noticed.
// (The browser side inherits its options from the listening socket: see server.cpp.) Errors are
// ignored: Unix sockets have no such options.
void tune_target_socket(socket_type& s) {
    error_code ignored;
    s.set_option(tcp::no_delay(true), ignored);
    s.set_option(asio::socket_base::keep_alive(true), ignored);
}

std::string describe(const core::target& t) {
    return t.to_string();
}

plain_stream& lowest_layer_stream(fenced_stream& s) {
    return s.next_layer();
}

plain_stream& lowest_layer_stream(tls_stream& s) {
    return s.next_layer();
}

error_code last_error() {
    return {errno, boost::system::system_category()};
}

// Makes the descriptor itself non-blocking, as splice() and recv() without MSG_DONTWAIT need.
// Asio has already done so for any socket that ran an asynchronous operation, and knows it: the
// system call is made only when it has not.
template <class Socket> void ensure_native_non_blocking(Socket& s, error_code& ec) {
    if (!s.native_non_blocking())
        s.native_non_blocking(true, ec);
}

// One non-blocking read from the target's descriptor: would_block when nothing is queued, eof
// when it closed. (Asio's synchronous read_some would wait for data instead, unless the socket
// were put in its user-visible non-blocking mode, one more system call per session.)
std::size_t read_ready(int fd, asio::mutable_buffer buf, error_code& ec) {
    for (;;) {
        auto n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
        if (n > 0) {
            ec = {};
            return static_cast<std::size_t>(n);
        }
        if (n == 0) {
            ec = asio::error::eof;
            return 0;
        }
        if (errno == EINTR)
            continue;
        ec = errno == EAGAIN || errno == EWOULDBLOCK ? error_code(asio::error::would_block)
                                                     : last_error();
        return 0;
    }
}

template <class Stream>
class websocket_session : public session_base,
                          public std::enable_shared_from_this<websocket_session<Stream>> {
public:
    websocket_session(Stream&& stream, upgrade_request&& req, std::shared_ptr<gateway> gw,
                      std::string client)
        : ws_(std::move(stream)), target_(ws_.get_executor()), req_(std::move(req)),
          gw_(std::move(gw)), client_(std::move(client)),
          started_(std::chrono::steady_clock::now()) {}

    ~websocket_session() override {
        if (id_ == 0)
            return;
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started_)
                      .count();
        spdlog::info("session {} ended: client={} target={} from_browser={} to_browser={} "
                     "duration={}.{:03}s reason=\"{}\"",
                     id_, client_, target_name_.empty() ? "-" : target_name_, bytes_up_,
                     bytes_down_, ms / 1000, ms % 1000, end_reason_.empty() ? "?" : end_reason_);
        gw_->remove_session(id_);
    }

    void start() {
        id_ = gw_->add_session(this->weak_from_this());
        if (gw_->opts().run_once && id_ != 1) {
            // Another upgrade raced the first one before the listeners closed.
            reject_upgrade(http::status::service_unavailable,
                           "This gateway runs with --run-once and already serves its one "
                           "session.\n",
                           "refused upgrade: --run-once already serves a session");
            return;
        }

        auto protocols = parse_subprotocols(req_[http::field::sec_websocket_protocol]);
        if (protocols.offered_any && !protocols.binary) {
            reject_upgrade(http::status::bad_request,
                           protocols.base64
                               ? "The base64 WebSocket subprotocol is not supported: use binary "
                                 "(any noVNC since 1.0 does).\n"
                               : "None of the offered WebSocket subprotocols is supported: offer "
                                 "'binary' or none.\n",
                           "refused upgrade: unsupported WebSocket subprotocol");
            return;
        }

        auto route = gw_->routes().route(req_.target(), req_[http::field::host]);
        if (route.destination) {
            target_name_ = describe(*route.destination);
            start_connect(*route.destination);
        } else {
            route_error_ = route.error;
        }

        websocket::stream_base::timeout timeouts{};
        timeouts.handshake_timeout = handshake_timeout;
        // --heartbeat is the session's own (see on_heartbeat): Beast's idle timeout would count
        // only reads, and drop the browser without a close frame.
        timeouts.idle_timeout = websocket::stream_base::none();
        timeouts.keep_alive_pings = false;
        ws_.set_option(timeouts);
        ws_.set_option(websocket::stream_base::decorator(
            [binary = protocols.binary](websocket::response_type& res) {
                res.set(http::field::server, "vncgate");
                if (binary)
                    res.set(http::field::sec_websocket_protocol, "binary");
            }));
        // The message size limit is enforced in on_browser_read rather than by Beast, whose
        // teardown after a failed read resets a connection that is still sending (and so can
        // destroy the 1009 close frame before the browser reads it).
        ws_.read_message_max(0);
        // Server frames are unmasked and sent straight from our buffer; the write buffer is only
        // used for fragmenting, which we do not want: one read from the target, one message.
        ws_.auto_fragment(false);
        ws_.binary(true);
        // From here on the WebSocket's own timeouts apply.
        lowest_layer_stream(ws_.next_layer()).expires_never();

        ws_.async_accept(req_,
                         [self = this->shared_from_this()](error_code ec) { self->on_accept(ec); });
    }

    void shutdown() override {
        asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
            self->close_browser(close_going_away, "vncgate is shutting down");
        });
    }

private:
    // --- Opening ---------------------------------------------------------------------------

    void reject_upgrade(http::status status, std::string body, std::string reason) {
        end_reason_ = std::move(reason);
        auto res = std::make_shared<http::response<http::string_body>>(status, req_.version());
        res->set(http::field::server, "vncgate");
        res->set(http::field::content_type, "text/plain; charset=utf-8");
        res->keep_alive(false);
        res->body() = std::move(body);
        res->prepare_payload();
        auto& stream = ws_.next_layer();
        lowest_layer_stream(stream).expires_after(handshake_timeout);
        http::async_write(stream, *res,
                          [self = this->shared_from_this(), res](error_code, std::size_t) {
                              error_code ignored;
                              lowest_layer_stream(self->ws_.next_layer())
                                  .socket()
                                  .shutdown(asio::socket_base::shutdown_send, ignored);
                          });
    }

    void on_accept(error_code ec) {
        if (ec) {
            end_reason_ = "WebSocket handshake failed: " + ec.message();
            close_target();
            return;
        }
        accepted_ = true;
        if (!route_error_.empty()) {
            close_browser(close_policy, route_error_);
            return;
        }
        watch_control_frames();
        start_heartbeat();
        maybe_start_relay();
    }

    void start_connect(const core::target& t) {
        connect_timer_.emplace(ws_.get_executor());
        connect_timer_->expires_after(connect_timeout);
        connect_timer_->async_wait([self = this->shared_from_this()](error_code ec) {
            if (!ec && !self->connected_ && !self->connect_failed_) {
                self->connect_error_ = "timed out";
                if (self->resolver_)
                    self->resolver_->cancel();
                error_code ignored;
                self->target_.close(ignored);
            }
        });
        if (t.type == core::target::kind::unix_socket) {
            endpoints_.emplace_back(asio::local::stream_protocol::endpoint(t.path));
            connect_next(0);
            return;
        }
        // An IP literal needs no resolver (whose private thread costs two thread hand-offs).
        error_code literal_ec;
        auto literal = asio::ip::make_address(t.host, literal_ec);
        if (!literal_ec) {
            endpoints_.emplace_back(tcp::endpoint(literal, t.port));
            connect_next(0);
            return;
        }
        resolver_.emplace(ws_.get_executor());
        resolver_->async_resolve(
            t.host, std::to_string(t.port), tcp::resolver::numeric_service,
            [self = this->shared_from_this()](error_code ec, tcp::resolver::results_type results) {
                if (ec) {
                    self->connect_error_ = "cannot resolve host: " + ec.message();
                    return self->on_connect_done(false);
                }
                for (const auto& entry : results)
                    self->endpoints_.emplace_back(entry.endpoint());
                self->connect_next(0);
            });
    }

    void connect_next(std::size_t i) {
        if (i >= endpoints_.size()) {
            if (connect_error_.empty())
                connect_error_ = "no address";
            return on_connect_done(false);
        }
        error_code ignored;
        target_.close(ignored);
        target_.async_connect(endpoints_[i], [self = this->shared_from_this(), i](error_code ec) {
            if (!ec)
                return self->on_connect_done(true);
            if (self->connect_error_ != "timed out")
                self->connect_error_ = ec.message();
            if (self->connect_error_ == "timed out" || self->closing_)
                return self->on_connect_done(false);
            self->connect_next(i + 1);
        });
    }

    void on_connect_done(bool ok) {
        if (connect_timer_)
            connect_timer_->cancel();
        endpoints_.clear();
        endpoints_.shrink_to_fit();
        resolver_.reset();
        if (ok) {
            connected_ = true;
            tune_target_socket(target_);
            error_code ec;
            ensure_native_non_blocking(target_, ec); // for splice()
            if (ec)
                splice_ok_ = false;
        } else {
            connect_failed_ = true;
        }
        maybe_start_relay();
    }

    void maybe_start_relay() {
        if (!accepted_ || closing_)
            return;
        if (connect_failed_) {
            spdlog::warn("session {}: cannot connect to {}: {}", id_, target_name_, connect_error_);
            close_browser(close_internal_error,
                          "cannot connect to the VNC server: " + connect_error_);
            return;
        }
        if (!connected_)
            return; // the connect handler calls again
        spdlog::debug("session {}: {} connected to {}", id_, client_, target_name_);
        if (!gw_->opts().record.empty())
            rec_ = core::recorder::open(gw_->opts().record, id_);
        up_buf_.resize(min_up_buffer);
        if constexpr (can_splice) {
            // splice() honours only the descriptors' own non-blocking mode.
            error_code ec;
            ensure_native_non_blocking(lowest_layer_stream(ws_.next_layer()).socket(), ec);
            if (ec)
                splice_ok_ = false;
        }
        read_browser();
        read_target();
    }

    // --- Browser to target ------------------------------------------------------------------

    void read_browser() {
        ++browser_reads_;
        browser_read_pending_ = true;
        ws_.async_read_some(asio::buffer(up_buf_.data() + up_len_, up_buf_.size() - up_len_),
                            [self = this->shared_from_this()](error_code ec, std::size_t n) {
                                self->on_browser_read(ec, n);
                            });
    }

    void on_browser_read(error_code ec, std::size_t n) {
        browser_read_pending_ = false;
        heard_ = true;
        if (ec)
            return on_browser_error(ec);
        if (ws_.got_text()) {
            close_browser(close_unsupported_data,
                          "text messages are not supported: send binary messages");
            return;
        }
        message_bytes_ += n;
        if (message_bytes_ > gw_->opts().max_message_size) {
            set_end_reason("browser sent a message over the --max-message-size limit");
            close_browser(close_too_big, "message larger than the gateway's limit of " +
                                             std::to_string(gw_->opts().max_message_size) +
                                             " bytes");
            return;
        }
        if (ws_.is_message_done())
            message_bytes_ = 0;
        bytes_up_ += n;
        if (rec_)
            rec_->from_client({reinterpret_cast<const std::uint8_t*>(up_buf_.data() + up_len_), n});
        up_len_ += n;
        // Beast hands over the start of a large message from its small header buffer first; the
        // rest is usually there already. One write of both spares the target a wake-up.
        if (n < small_part && !ws_.is_message_done() && up_len_ < up_buf_.size())
            return read_browser();
        write_up();
    }

    // Writes what was read from the browser to the target, then reads on (or, once the browser
    // closed, drains the target).
    void write_up() {
        bool filled = up_len_ == up_buf_.size();
        asio::async_write(target_, asio::buffer(up_buf_.data(), up_len_),
                          [self = this->shared_from_this(), filled](error_code ec, std::size_t) {
                              if (ec)
                                  return self->on_target_error(ec);
                              self->up_len_ = 0;
                              if (self->browser_closed_)
                                  return self->drain_target();
                              // A full buffer means more is queued: use a bigger one.
                              if (filled && self->up_buf_.size() < max_up_buffer)
                                  self->up_buf_.resize(
                                      std::min(max_up_buffer, self->up_buf_.size() * 8));
                              self->read_browser();
                          });
    }

    void on_browser_error(error_code ec) {
        if (closing_ || browser_closed_)
            return; // our own close is in progress, or the browser side already ended
        if (ec == websocket::error::closed)
            return on_browser_close_frame();
        set_end_reason("browser connection lost: " + ec.message());
        browser_closed_ = true;
        close_target();
    }

    // The browser's close frame arrived. Beast answers it, then waits for the browser to close
    // TCP as well before it ends the read (and would wait forever for a client that never does),
    // so this runs from the control callback as soon as the frame is seen. Everything the browser
    // sent before it was handed over already: tell the target now, and let it finish.
    void on_browser_close_frame() {
        if (closing_ || browser_closed_)
            return;
        auto reason = ws_.reason();
        set_end_reason("browser closed the connection (" + std::to_string(reason.code) +
                       (reason.reason.empty()
                            ? ""
                            : " " + std::string(reason.reason.data(), reason.reason.size())) +
                       ")");
        browser_closed_ = true;
        // A browser that keeps its socket open after the closing handshake is cut off.
        teardown_timer_.emplace(ws_.get_executor());
        teardown_timer_->expires_after(handshake_timeout);
        teardown_timer_->async_wait([weak = this->weak_from_this()](error_code ec) {
            if (auto self = weak.lock(); self && !ec) {
                error_code ignored;
                lowest_layer_stream(self->ws_.next_layer()).socket().close(ignored);
            }
        });
        if (up_len_ > 0)
            return write_up(); // then drains
        drain_target();
    }

    // Sees every control frame the browser sends, during reads: pongs for the heartbeat, the
    // close frame to end the session without waiting for Beast's closing handshake.
    void watch_control_frames() {
        ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
            heard_ = true;
            if (kind == websocket::frame_type::close)
                asio::post(ws_.get_executor(),
                           [self = this->shared_from_this()] { self->on_browser_close_frame(); });
        });
    }

    // --- Heartbeat (--heartbeat N) ------------------------------------------------------------
    //
    // Every N seconds the browser gets a ping (one at a time). It is judged gone when, for a
    // whole interval after a ping was written, it sent nothing at all (no pong, no data) although
    // the gateway was reading from it the whole time and its TCP had acknowledged everything
    // sent to it, the ping included. The session then closes with 1011 and a reason. Not judged:
    // while the VNC server takes no data the gateway stops reading the browser (backpressure),
    // so a pong could not be seen; while data to the browser is unacknowledged it may not have
    // received the ping yet. A browser that vanished with data in flight is caught by the
    // kernel instead: TCP_USER_TIMEOUT of 2N seconds on its socket.

    void start_heartbeat() {
        const auto n = gw_->opts().heartbeat;
        if (n == 0)
            return;
        int fd = lowest_layer_stream(ws_.next_layer()).socket().native_handle();
        auto user_timeout_ms = static_cast<unsigned>(
            std::min<std::uint64_t>(2000ULL * static_cast<std::uint64_t>(n), UINT32_MAX));
        ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof user_timeout_ms);
        heartbeat_timer_.emplace(ws_.get_executor());
        schedule_heartbeat();
    }

    void schedule_heartbeat() {
        heartbeat_timer_->expires_after(std::chrono::seconds(gw_->opts().heartbeat));
        heartbeat_timer_->async_wait([self = this->shared_from_this()](error_code ec) {
            if (!ec)
                self->on_heartbeat();
        });
    }

    void on_heartbeat() {
        if (closing_ || browser_closed_ || closing_target_)
            return;
        const auto interval = std::chrono::seconds(gw_->opts().heartbeat);
        if (ping_written_ && !heard_ && browser_read_pending_ && browser_reads_ == reads_at_ping_ &&
            std::chrono::steady_clock::now() - ping_written_at_ >= interval &&
            unacknowledged_to_browser() == 0) {
            set_end_reason("browser stopped answering pings");
            close_browser(close_internal_error,
                          "no answer to pings for " + std::to_string(gw_->opts().heartbeat) + " s");
            return;
        }
        // Something heard, reading restarted, or no ping out: a new interval with a new ping.
        if (!ping_pending_ && (heard_ || browser_reads_ != reads_at_ping_ || !ping_written_)) {
            heard_ = false;
            ping_written_ = false;
            ping_pending_ = true;
            reads_at_ping_ = browser_reads_;
            ws_.async_ping({}, [self = this->shared_from_this()](error_code ec) {
                self->ping_pending_ = false;
                self->ping_written_ = !ec;
                self->ping_written_at_ = std::chrono::steady_clock::now();
            });
        }
        schedule_heartbeat();
    }

    // Bytes sent to the browser that its TCP has not acknowledged yet (0 if unknown).
    int unacknowledged_to_browser() {
        int outq = 0;
        int fd = lowest_layer_stream(ws_.next_layer()).socket().native_handle();
        if (::ioctl(fd, SIOCOUTQ, &outq) != 0)
            return 0;
        return outq;
    }

    // --- Target to browser ------------------------------------------------------------------

    void wait_target() {
        down_busy_ = true;
        target_.async_wait(asio::socket_base::wait_read,
                           [self = this->shared_from_this()](error_code ec) {
                               self->down_busy_ = false;
                               if (ec)
                                   return self->on_target_error(ec);
                               self->read_target();
                           });
    }

    // Reads what the target has ready and forwards it; waits for readability when nothing is.
    // After the browser left, reads and discards until the target closes (see drain_target).
    void read_target() {
        if (closing_target_ || (closing_ && !browser_closed_)) {
            release_relay_buffer(std::move(down_buf_));
            release_pipe();
            return;
        }
        if constexpr (can_splice) {
            if (bulk_ && splice_ok_ && !rec_ && !browser_closed_)
                return splice_target();
            release_pipe();
        }
        if (!down_buf_)
            down_buf_ = acquire_relay_buffer();
        std::size_t n = 0;
        for (;;) {
            error_code ec;
            n = read_ready(target_.native_handle(),
                           asio::buffer(down_buf_.get(), relay_buffer_size), ec);
            if (ec == asio::error::would_block) {
                release_relay_buffer(std::move(down_buf_));
                return wait_target();
            }
            if (ec) {
                release_relay_buffer(std::move(down_buf_));
                return on_target_error(ec);
            }
            if (!browser_closed_)
                break;
        }
        bytes_down_ += n;
        if (rec_)
            rec_->from_target({reinterpret_cast<const std::uint8_t*>(down_buf_.get()), n});
        // A full buffer means the target has more queued: read again as soon as this is sent.
        // A short read drained the socket: wait for readiness instead of a read that would fail.
        bool more_queued = n == relay_buffer_size;
        if constexpr (can_splice)
            bulk_ = more_queued; // then the next read splices
        down_busy_ = true;
        ws_.async_write(asio::buffer(down_buf_.get(), n),
                        [self = this->shared_from_this(), more_queued](error_code ec, std::size_t) {
                            self->down_busy_ = false;
                            if (ec && !self->browser_closed_) {
                                release_relay_buffer(std::move(self->down_buf_));
                                return self->on_browser_error(ec);
                            }
                            if (more_queued || self->browser_closed_ || self->closing_target_) {
                                self->read_target();
                            } else {
                                release_relay_buffer(std::move(self->down_buf_));
                                self->wait_target();
                            }
                        });
    }

    // --- Target to browser without copies (plain connections, no recording) -----------------

    static constexpr bool can_splice = std::is_same_v<Stream, fenced_stream>;

    // Moves what the target has ready into the pipe, then sends it as one frame.
    void splice_target() {
        if (!pipe_) {
            pipe_ = acquire_splice_pipe();
            if (!pipe_) {
                splice_ok_ = false; // out of descriptors: this session copies instead
                return read_target();
            }
        }
        auto n = ::splice(target_.native_handle(), nullptr, pipe_->write_fd(), nullptr,
                          pipe_->capacity(), SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (n < 0 && errno == EINTR)
            return splice_target();
        if (n < 0 && (errno == EINVAL || errno == ENOSYS)) {
            splice_ok_ = false; // a target socket that cannot splice
            return read_target();
        }
        if (n <= 0) {
            auto ec = n == 0 ? error_code(asio::error::eof) : last_error();
            release_pipe();
            bulk_ = false;
            if (ec == asio::error::would_block || ec == asio::error::try_again)
                return wait_target();
            return on_target_error(ec);
        }
        auto size = static_cast<std::size_t>(n);
        bytes_down_ += size;
        frame_left_ = size;
        header_len_ = core::binary_frame_header(header_, size);
        header_sent_ = 0;
        // A full pipe means the target has more queued: splice again as soon as this is sent.
        more_queued_ = size == pipe_->capacity();
        send_spliced_frame();
    }

    // Writes the frame header, then the pipe's bytes, to the browser; waits for room when the
    // browser is slow. Beast's own frames (pong, ping, close) wait until the frame is complete.
    void send_spliced_frame() {
        down_busy_ = false;
        auto& fence = ws_.next_layer();
        if (!in_frame_) {
            if (closing_ || browser_closed_ || !ws_.is_open()) {
                // The WebSocket is closing: these bytes can no longer be sent.
                pipe_.reset();
                if (browser_closed_)
                    read_target(); // goes on discarding until the target closes
                return;            // otherwise the close in progress ends the session
            }
            if (!fence.begin_raw(
                    [self = this->shared_from_this()] { self->send_spliced_frame(); })) {
                down_busy_ = true;
                return;
            }
            in_frame_ = true;
        }
        int fd = lowest_layer_stream(fence).socket().native_handle();
        while (header_sent_ < header_len_) {
            auto w = ::send(fd, header_.data() + header_sent_, header_len_ - header_sent_,
                            MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE);
            if (w < 0)
                return on_spliced_write_error();
            header_sent_ += static_cast<std::size_t>(w);
        }
        while (frame_left_ > 0) {
            auto w = ::splice(pipe_->read_fd(), nullptr, fd, nullptr, frame_left_,
                              SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (w <= 0)
                return on_spliced_write_error();
            frame_left_ -= static_cast<std::size_t>(w);
        }
        in_frame_ = false;
        fence.end_raw();
        if (more_queued_ || browser_closed_ || closing_target_)
            return read_target();
        bulk_ = false;
        release_pipe();
        wait_target();
    }

    void on_spliced_write_error() {
        if (errno == EINTR)
            return send_spliced_frame();
        if (errno == EAGAIN) {
            down_busy_ = true;
            lowest_layer_stream(ws_.next_layer())
                .socket()
                .async_wait(asio::socket_base::wait_write,
                            [self = this->shared_from_this()](error_code ec) {
                                if (ec) {
                                    self->down_busy_ = false;
                                    return self->abandon_spliced_frame(ec);
                                }
                                self->send_spliced_frame();
                            });
            return;
        }
        abandon_spliced_frame(last_error());
    }

    // The browser's socket failed inside a frame: drop the rest of it.
    void abandon_spliced_frame(error_code ec) {
        in_frame_ = false;
        pipe_.reset(); // may still hold bytes: closed, not pooled
        ws_.next_layer().end_raw();
        if (!browser_closed_ && !closing_)
            return on_browser_error(ec);
        read_target(); // discards (drain) or stops (closing)
    }

    // Returns an empty pipe to the pool (one inside a frame still holds its bytes).
    void release_pipe() {
        if (!pipe_ || in_frame_)
            return;
        release_splice_pipe(std::move(*pipe_));
        pipe_.reset();
    }

    void on_target_error(error_code ec) {
        if (ec == asio::error::operation_aborted || closing_target_)
            return;
        if (browser_closed_) {
            // The target finished after the browser left: the normal end of a drain.
            close_target();
            return;
        }
        if (ec == asio::error::eof) {
            set_end_reason("VNC server closed the connection");
            close_browser(close_normal, "VNC server closed the connection");
        } else {
            set_end_reason("VNC server connection lost: " + ec.message());
            close_browser(close_internal_error, "lost the connection to the VNC server");
        }
    }

    // After the browser closed: send EOF to the target and read (discarding) until it closes too,
    // so that closing our socket never resets data the target has not read yet.
    void drain_target() {
        if (!connected_ || closing_target_) {
            close_target();
            return;
        }
        error_code ignored;
        target_.shutdown(asio::socket_base::shutdown_send, ignored);
        drain_timer_.emplace(ws_.get_executor());
        drain_timer_->expires_after(drain_timeout);
        drain_timer_->async_wait([self = this->shared_from_this()](error_code ec) {
            if (!ec)
                self->close_target();
        });
        // A wait or write may already be pending on the target side; it goes on discarding.
        if (!down_busy_)
            wait_target();
    }

    // --- Closing ----------------------------------------------------------------------------

    void set_end_reason(std::string r) {
        if (end_reason_.empty())
            end_reason_ = std::move(r);
    }

    // Closes the WebSocket with a code and reason (after pending writes), then the target.
    void close_browser(std::uint16_t code, std::string reason) {
        set_end_reason(reason);
        if (closing_ || browser_closed_) {
            close_target();
            return;
        }
        closing_ = true;
        if (!accepted_) {
            // Still in the opening handshake: nothing to send a close frame on.
            error_code ignored;
            lowest_layer_stream(ws_.next_layer()).socket().close(ignored);
            close_target();
            return;
        }
        if (code != close_normal)
            close_target();
        // Close reasons are limited to 123 bytes by the protocol.
        if (reason.size() > 123)
            reason.resize(123);
        ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), reason),
                        [self = this->shared_from_this()](error_code) {
                            self->browser_closed_ = true;
                            self->close_target();
                        });
    }

    void close_target() {
        if (closing_target_)
            return;
        closing_target_ = true;
        error_code ignored;
        if (connect_timer_)
            connect_timer_->cancel();
        if (drain_timer_)
            drain_timer_->cancel();
        if (heartbeat_timer_)
            heartbeat_timer_->cancel();
        target_.close(ignored);
        if constexpr (can_splice)
            ws_.next_layer().forget_resume();
    }

    websocket::stream<Stream> ws_;
    socket_type target_;
    upgrade_request req_;
    std::shared_ptr<gateway> gw_;
    std::string client_;
    std::string target_name_;
    std::chrono::steady_clock::time_point started_;
    std::uint64_t id_ = 0;
    std::uint64_t bytes_up_ = 0;
    std::uint64_t bytes_down_ = 0;
    std::uint64_t message_bytes_ = 0; // of the browser's current message, so far

    std::vector<std::byte> up_buf_;
    std::size_t up_len_ = 0; // bytes in up_buf_ not written to the target yet
    relay_buffer down_buf_;
    // The spliced frame in flight: its header and the payload bytes still in the pipe.
    std::optional<splice_pipe> pipe_;
    std::array<std::uint8_t, core::max_server_frame_header> header_{};
    std::size_t header_len_ = 0;
    std::size_t header_sent_ = 0;
    std::size_t frame_left_ = 0;
    bool in_frame_ = false;
    bool more_queued_ = false;
    // The target sends in bulk (the last read filled its buffer): splice until a read comes short.
    // Small messages are read and written (two system calls), which splice would make three.
    bool bulk_ = false;
    bool splice_ok_ = true;
    std::unique_ptr<core::recorder> rec_;

    std::optional<tcp::resolver> resolver_;
    std::vector<protocol::endpoint> endpoints_;
    std::optional<asio::steady_timer> connect_timer_;
    std::optional<asio::steady_timer> drain_timer_;
    std::optional<asio::steady_timer> heartbeat_timer_;
    std::optional<asio::steady_timer> teardown_timer_; // bounds the browser's closing handshake
    // Heartbeat state (see on_heartbeat): browser reads started, and how many when the current
    // ping was sent; anything heard since; the ping's write pending or done.
    std::uint64_t browser_reads_ = 0;
    std::uint64_t reads_at_ping_ = 0;
    bool browser_read_pending_ = false;
    bool heard_ = false;
    bool ping_pending_ = false;
    bool ping_written_ = false;
    std::chrono::steady_clock::time_point ping_written_at_{};

    std::string route_error_;
    std::string connect_error_;
    std::string end_reason_;
    bool accepted_ = false;
    bool connected_ = false;
    bool connect_failed_ = false;
    bool closing_ = false;        // we started a close handshake with the browser
    bool browser_closed_ = false; // the browser side is finished: nothing more is sent to it
    bool closing_target_ = false;
    bool down_busy_ = false; // a wait on the target or a write to the browser is pending
};

} // namespace

void run_websocket_session(plain_stream stream, upgrade_request req, std::shared_ptr<gateway> gw,
                           std::string client) {
    std::make_shared<websocket_session<fenced_stream>>(
        fenced_stream(std::move(stream)), std::move(req), std::move(gw), std::move(client))
        ->start();
}

void run_websocket_session(tls_stream stream, upgrade_request req, std::shared_ptr<gateway> gw,
                           std::string client) {
    std::make_shared<websocket_session<tls_stream>>(std::move(stream), std::move(req),
                                                    std::move(gw), std::move(client))
        ->start();
}

} // namespace vncgate::net
