// A plain stream shared by two writers: Beast's WebSocket stream, which writes its control frames
// (pong, ping, close) through it, and the relay, which writes data frames to the socket itself
// (with splice, so that bulk data never passes through user space). Each writer announces a frame
// before its first byte and finishes it before the other may start one, so frames never
// interleave on the wire.
#pragma once

#include "net/streams.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <utility>

namespace vncgate::net {

class fenced_stream {
public:
    using executor_type = plain_stream::executor_type;
    using next_layer_type = plain_stream;

    explicit fenced_stream(plain_stream&& s) : s_(std::move(s)) {}
    fenced_stream(fenced_stream&&) = default;
    fenced_stream& operator=(fenced_stream&&) = delete;
    ~fenced_stream() = default;
    fenced_stream(const fenced_stream&) = delete;
    fenced_stream& operator=(const fenced_stream&) = delete;

    executor_type get_executor() noexcept { return s_.get_executor(); }
    plain_stream& next_layer() noexcept { return s_; }
    const plain_stream& next_layer() const noexcept { return s_; }

    template <class MutableBufferSequence, class ReadHandler>
    auto async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
        return s_.async_read_some(buffers, std::forward<ReadHandler>(handler));
    }

    // Beast's writes. Beast writes a frame with a composed write that calls this until every byte
    // went out, so the frame is finished when one call wrote all it was given (or failed).
    template <class ConstBufferSequence, class WriteHandler>
    auto async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler) {
        return asio::async_initiate<WriteHandler, void(boost::system::error_code, std::size_t)>(
            [stream = this](auto h, const ConstBufferSequence& b) {
                stream->start_write(b, std::move(h));
            },
            handler, buffers);
    }

    // The relay's side. begin_raw() returns false while Beast is inside a frame; `resume` is then
    // called once it finished. end_raw() lets a Beast write that waited go ahead.
    bool begin_raw(std::function<void()> resume) {
        if (st_->beast_busy) {
            st_->resume = std::move(resume);
            return false;
        }
        st_->raw_busy = true;
        return true;
    }
    void end_raw() {
        st_->raw_busy = false;
        if (auto w = std::move(st_->waiting_write))
            w->run();
    }
    // Drops a pending resume (its closure may own the session).
    void forget_resume() { st_->resume = nullptr; }

private:
    struct deferred_write {
        virtual ~deferred_write() = default;
        virtual void run() = 0;
    };

    // Shared with the completion handlers of Beast's writes, which may run after the stream is
    // gone (its socket closed under a pending write completes with operation_aborted).
    struct fence_state {
        bool beast_busy = false; // Beast has written part of a frame
        bool raw_busy = false;   // the relay has written part of a frame
        std::unique_ptr<deferred_write> waiting_write;
        std::function<void()> resume;
    };

    template <class ConstBufferSequence, class Handler>
    void start_write(const ConstBufferSequence& b, Handler h) {
        if (st_->raw_busy) {
            // At most one: Beast serialises its own writes.
            struct write final : deferred_write {
                write(fenced_stream* s, const ConstBufferSequence& b, Handler h)
                    : s_(s), b_(b), h_(std::move(h)) {}
                void run() override { s_->start_write(b_, std::move(h_)); }
                fenced_stream* s_;
                ConstBufferSequence b_;
                Handler h_;
            };
            st_->waiting_write = std::make_unique<write>(this, b, std::move(h));
            return;
        }
        st_->beast_busy = true;
        const std::size_t size = asio::buffer_size(b);
        s_.async_write_some(b, [st = st_, size, h = std::move(h)](boost::system::error_code ec,
                                                                  std::size_t n) mutable {
            if (ec || n == size)
                st->beast_busy = false;
            std::move(h)(ec, n);
            if (!st->beast_busy && !st->raw_busy && st->resume)
                std::exchange(st->resume, nullptr)();
        });
    }

    plain_stream s_;
    std::shared_ptr<fence_state> st_ = std::make_shared<fence_state>();
};

// WebSocket teardown (found by argument-dependent lookup): that of the plain stream below.
template <class TeardownHandler>
void async_teardown(beast::role_type role, fenced_stream& s, TeardownHandler&& handler) {
    using beast::websocket::async_teardown;
    async_teardown(role, s.next_layer(), std::forward<TeardownHandler>(handler));
}

inline void teardown(beast::role_type role, fenced_stream& s, boost::system::error_code& ec) {
    using beast::websocket::teardown;
    teardown(role, s.next_layer(), ec);
}

} // namespace vncgate::net
