// byte_stream over a plain TCP socket: the direct path, client -> target.
#include "net/byte_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/system_error.hpp>

namespace vncgate_bench {
namespace {

using boost::system::error_code;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

class tcp_byte_stream final : public byte_stream {
public:
    explicit tcp_byte_stream(const asio::any_io_executor& ex) : socket_(ex) {}

    asio::awaitable<void> open(tcp::endpoint ep) override {
        co_await socket_.async_connect(ep, asio::use_awaitable);
        socket_.set_option(tcp::no_delay(true));
    }

    asio::awaitable<void> send(asio::const_buffer data) override {
        co_await asio::async_write(socket_, data, asio::use_awaitable);
    }

    asio::awaitable<std::size_t> receive(asio::mutable_buffer buf) override {
        auto [ec, n] = co_await socket_.async_read_some(buf, nothrow);
        if (!ec) {
            co_return n;
        }
        if (ec == asio::error::eof || ec == asio::error::connection_reset) {
            clean_ = ec == asio::error::eof;
            co_return 0;
        }
        throw boost::system::system_error(ec);
    }

    asio::awaitable<void> close() override {
        error_code ec;
        socket_.shutdown(tcp::socket::shutdown_send, ec);
        if (ec) {
            throw boost::system::system_error(ec);
        }
        char sink[4096];
        for (;;) {
            auto [rec, n] = co_await socket_.async_read_some(asio::buffer(sink), nothrow);
            if (rec) {
                break; // EOF or reset: the peer has ended too
            }
        }
        socket_.close(ec);
    }

    void abort() noexcept override {
        error_code ec;
        socket_.close(ec);
    }

    bool ended_cleanly() const noexcept override { return clean_; }

private:
    tcp::socket socket_;
    bool clean_ = false;
};

} // namespace

std::unique_ptr<byte_stream> make_tcp_stream(const asio::any_io_executor& ex) {
    return std::make_unique<tcp_byte_stream>(ex);
}

} // namespace vncgate_bench
