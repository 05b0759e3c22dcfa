// The target server: echo, source, sink and result queries, one coroutine per connection on a
// single thread (the same for every path, so it costs all paths alike).
#include "net/target_server.hpp"

#include "core/pattern.hpp"
#include "core/wire.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <deque>
#include <unordered_map>
#include <vector>

namespace vncgate_bench {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

constexpr std::size_t echo_buffer_initial = 2048; // small: 12,000 idle sessions stay cheap
constexpr std::size_t echo_buffer_max = 256 * 1024;
constexpr std::size_t bulk_buffer = 256 * 1024;
constexpr std::size_t max_recorded_results = 100000;

class target_server {
public:
    target_server(asio::io_context& ioc, const target_options& opt)
        : acceptor_(ioc), lifetime_(ioc) {
        const tcp::endpoint ep(asio::ip::make_address(opt.address), opt.port);
        acceptor_.open(ep.protocol());
        acceptor_.set_option(tcp::acceptor::reuse_address(true));
        acceptor_.bind(ep);
        acceptor_.listen(asio::socket_base::max_listen_connections);
        lifetime_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(opt.lifetime_seconds)));
        lifetime_.async_wait([&ioc](error_code ec) {
            if (!ec) {
                ioc.stop();
            }
        });
    }

    tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

    asio::awaitable<void> accept_loop() {
        asio::steady_timer backoff(acceptor_.get_executor());
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(nothrow);
            if (ec == asio::error::operation_aborted) {
                co_return;
            }
            if (ec) {
                // Out of descriptors or similar: wait instead of spinning, then retry.
                backoff.expires_after(std::chrono::milliseconds(50));
                co_await backoff.async_wait(nothrow);
                continue;
            }
            error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            asio::co_spawn(acceptor_.get_executor(), session(std::move(socket)), asio::detached);
        }
    }

private:
    asio::awaitable<void> session(tcp::socket socket) {
        std::array<std::byte, request_size> header;
        auto [ec, n] = co_await asio::async_read(socket, asio::buffer(header), nothrow);
        if (ec) {
            co_return;
        }
        const auto req = decode_request(header);
        if (!req) {
            co_return; // not ours: drop the connection
        }
        switch (req->mode) {
        case target_mode::echo:
            co_await echo(socket);
            break;
        case target_mode::source:
            co_await source(socket, *req);
            break;
        case target_mode::sink:
        case target_mode::sink_eof:
            co_await sink(socket, *req);
            break;
        case target_mode::query:
            co_await query(socket, *req);
            break;
        }
        error_code ignored;
        socket.close(ignored);
    }

    // Sends back what arrives until EOF, then ends its side.
    static asio::awaitable<void> echo(tcp::socket& socket) {
        std::vector<std::byte> buf(echo_buffer_initial);
        for (;;) {
            auto [ec, n] = co_await socket.async_read_some(asio::buffer(buf), nothrow);
            if (ec) {
                break;
            }
            auto [wec, w] =
                co_await asio::async_write(socket, asio::buffer(buf.data(), n), nothrow);
            if (wec) {
                co_return;
            }
            if (n == buf.size() && buf.size() < echo_buffer_max) {
                buf.resize(buf.size() * 2);
            }
        }
        error_code ignored;
        socket.shutdown(tcp::socket::shutdown_send, ignored);
    }

    // Sends req.bytes bytes of the seeded stream; the caller then closes first.
    static asio::awaitable<void> source(tcp::socket& socket, const request& req) {
        std::vector<std::byte> buf(bulk_buffer);
        std::uint64_t pos = 0;
        while (pos < req.bytes) {
            const auto n =
                static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), req.bytes - pos));
            pattern_fill(req.seed, pos, std::span(buf.data(), n));
            auto [ec, w] = co_await asio::async_write(socket, asio::buffer(buf.data(), n), nothrow);
            if (ec) {
                co_return;
            }
            pos += n;
        }
    }

    // Verifies the seeded stream. `sink`: answers with a verdict after req.bytes bytes, then
    // drains until EOF. `sink_eof`: reads until EOF and records the verdict under req.id.
    asio::awaitable<void> sink(tcp::socket& socket, const request& req) {
        std::vector<std::byte> buf(bulk_buffer);
        verdict v{true, true, 0};
        bool answered = false;
        for (;;) {
            auto [ec, n] = co_await socket.async_read_some(asio::buffer(buf), nothrow);
            if (ec) {
                break;
            }
            if (v.content_ok) {
                const auto limit = req.bytes > v.received ? req.bytes - v.received : 0;
                const auto checked = static_cast<std::size_t>(std::min<std::uint64_t>(n, limit));
                v.content_ok = checked == n && pattern_check(req.seed, v.received,
                                                             std::span(buf.data(), checked)) == n;
            }
            v.received += n;
            if (req.mode == target_mode::sink && !answered && v.received >= req.bytes) {
                answered = true;
                const auto out = encode(v);
                auto [wec, w] = co_await asio::async_write(socket, asio::buffer(out), nothrow);
                if (wec) {
                    co_return;
                }
            }
        }
        if (req.mode == target_mode::sink_eof) {
            record(req.id, v); // the client compares v.received with what it sent
        }
    }

    asio::awaitable<void> query(tcp::socket& socket, const request& req) {
        verdict v{};
        if (auto it = results_.find(req.id); it != results_.end()) {
            v = it->second;
        }
        const auto out = encode(v);
        co_await asio::async_write(socket, asio::buffer(out), nothrow);
    }

    void record(std::uint64_t id, const verdict& v) {
        if (order_.size() >= max_recorded_results) {
            results_.erase(order_.front());
            order_.pop_front();
        }
        results_[id] = v;
        order_.push_back(id);
    }

    tcp::acceptor acceptor_;
    asio::steady_timer lifetime_;
    std::unordered_map<std::uint64_t, verdict> results_;
    std::deque<std::uint64_t> order_;
};

} // namespace

int run_target(const target_options& opt) {
    asio::io_context ioc(1);
    target_server server(ioc, opt);
    const auto ep = server.local_endpoint();
    std::fprintf(stderr, "listening on %s:%u\n", ep.address().to_string().c_str(),
                 static_cast<unsigned>(ep.port()));
    std::fflush(stderr);
    asio::co_spawn(ioc, server.accept_loop(), asio::detached);
    ioc.run();
    return 0;
}

} // namespace vncgate_bench
