// Limits integration tests: --max-message-size (and its 16 MiB default) and backpressure, i.e.
// bounded gateway memory when the browser stops reading while the target streams (and when the
// target stops reading while the browser sends).
#include "support/gateway_fixture.hpp"

#include <algorithm>
#include <atomic>
#include <poll.h>
#include <thread>

namespace vncgate::test {
namespace {

constexpr std::uint64_t KiB = 1024;
constexpr std::uint64_t MiB = 1024 * KiB;

class limits_test : public gateway_test {
protected:
    // Starts a sink target and the gateway with extra options.
    void start_with_sink(std::vector<std::string> options) {
        sink_ = loopback_server::tcp(sink_handler(log_, std::nullopt, 0));
        options.push_back("127.0.0.1:0");
        options.push_back(sink_->address());
        start_gateway(options);
    }

    // Sends one binary message of `size` bytes from a second thread while reading the gateway's
    // frames. The gateway may close (and reset) before the message is out; unlike Beast's client,
    // which gives up reading when its write fails, this still reads the close frame that came
    // before the reset.
    static ws_transcript send_oversized(raw_socket& s, std::size_t size) {
        auto frame = encode_frame(op_binary, true, payload(size).bytes(0, size), 0x0badf00du);
        std::thread writer([&] { s.send_all(frame); });
        auto t = read_ws(s, SIZE_MAX, 30s);
        s.shutdown_write(); // unblocks the writer if the gateway stopped reading
        writer.join();
        return t;
    }

    std::shared_ptr<stream_log> log_ = std::make_shared<stream_log>();
    std::unique_ptr<loopback_server> sink_;
};

TEST_F(limits_test, message_at_the_limit_passes_one_byte_more_closes_with_1009) {
    start_with_sink({"--max-message-size", "1000"});
    auto ws = connect_ws();
    ws->send_binary(payload(61).bytes(0, 1000));
    ASSERT_TRUE(log_->wait_connection(0, 10s));
    EXPECT_TRUE(eventually([&] { return log_->at(0)->bytes_read.load() == 1000; }, 10s))
        << "a message of exactly --max-message-size bytes must pass";
    ws->send_binary(payload(62).bytes(0, 1001));
    auto closed = ws->receive_until_close(10s);
    EXPECT_TRUE(closed.close_frame) << closed.describe();
    EXPECT_EQ(closed.code, 1009) << closed.describe();
}

// The limit is on messages, not frames: small fragments adding up to too much also close.
TEST_F(limits_test, fragmented_message_over_the_limit_closes_with_1009) {
    start_with_sink({"--max-message-size", "1000"});
    raw_socket s = connect_raw();
    ws_upgrade(s, "/", gateway_host());
    auto data = payload(63).bytes(0, 1200);
    std::vector<std::uint8_t> wire;
    for (int i = 0; i < 3; ++i) {
        auto f = encode_frame(i == 0 ? op_binary : op_continuation, i == 2,
                              std::span(data).subspan(i * 400, 400), 0x10203040u + i);
        wire.insert(wire.end(), f.begin(), f.end());
    }
    s.send_all(wire);
    auto t = read_ws(s, SIZE_MAX, 10s);
    ASSERT_TRUE(t.close) << "no close frame: " << to_string(t.end);
    EXPECT_EQ(t.close->close_code(), 1009) << "'" << t.close->close_reason() << "'";
}

TEST_F(limits_test, default_limit_is_16_MiB) {
    start_with_sink({});
    auto ws = connect_ws();
    ws->send_binary(payload(64).bytes(0, 16 * MiB), 60s);
    ASSERT_TRUE(log_->wait_connection(0, 10s));
    EXPECT_TRUE(eventually([&] { return log_->at(0)->bytes_read.load() == 16 * MiB; }, 30s))
        << "a 16 MiB message must pass by default; the target got "
        << log_->at(0)->bytes_read.load();
    ws->close(1000, "");

    raw_socket s = connect_raw();
    ws_upgrade(s, "/", gateway_host());
    auto t = send_oversized(s, 16 * MiB + 1);
    ASSERT_TRUE(t.close) << "no close frame: " << to_string(t.end);
    EXPECT_EQ(t.close->close_code(), 1009) << "'" << t.close->close_reason() << "'";
}

TEST_F(limits_test, oversized_message_does_not_stop_the_gateway) {
    auto echo = loopback_server::tcp(echo_handler());
    start_gateway({"--max-message-size", "4096", "127.0.0.1:0", echo->address()});
    for (int i = 0; i < 3; ++i) {
        raw_socket s = connect_raw();
        ws_upgrade(s, "/", gateway_host());
        auto t = send_oversized(s, 100000);
        ASSERT_TRUE(t.close) << "no close frame: " << to_string(t.end);
        EXPECT_EQ(t.close->close_code(), 1009) << "'" << t.close->close_reason() << "'";
    }
    EXPECT_TRUE(echo_round_trip());
}

// The browser stops reading while the target streams 1 GiB: the gateway must stop reading from the
// target (its writes block) and keep its memory bounded; when the browser reads again every byte
// arrives intact.
TEST_F(limits_test, slow_reader_bounded_memory_then_every_byte) {
    const std::uint64_t size = 1024 * MiB;
    auto log = std::make_shared<stream_log>();
    auto source = loopback_server::tcp(source_handler(log, size, 67));
    start_gateway({"127.0.0.1:0", source->address()});
    const long idle_kib = gateway().process().rss_kib();
    ASSERT_GT(idle_kib, 0) << "cannot read VmRSS of the gateway";

    auto ws = connect_ws();
    stream_checker checker{payload(67)};
    auto first =
        ws->receive(4 * MiB, 20s, [&](std::span<const std::uint8_t> d) { checker.feed(d); });
    ASSERT_EQ(first.bytes, 4 * MiB) << first.describe();

    // Not reading now. Wait until the target's writes are stuck (no progress for 1 s).
    auto rec = log->at(0);
    ASSERT_TRUE(rec);
    std::uint64_t last = rec->bytes_written;
    int still = 0;
    long peak_kib = gateway().process().rss_kib();
    for (int i = 0; i < 150 && still < 10; ++i) { // at most 15 s
        std::this_thread::sleep_for(100ms);
        std::uint64_t now = rec->bytes_written;
        still = now == last ? still + 1 : 0;
        last = now;
        peak_kib = std::max(peak_kib, gateway().process().rss_kib());
    }
    EXPECT_EQ(still, 10) << "the target kept writing while the browser did not read ("
                         << rec->bytes_written / MiB << " MiB written)";
    EXPECT_LT(rec->bytes_written, size / 2)
        << "the gateway read " << rec->bytes_written / MiB << " MiB from the target meanwhile";
    const long grown_kib = peak_kib - idle_kib;
    EXPECT_LT(grown_kib, 64 * 1024) << "gateway RSS grew by " << grown_kib / 1024 << " MiB (idle "
                                    << idle_kib / 1024 << " MiB)";

    auto rest = ws->receive(size - first.bytes, 180s,
                            [&](std::span<const std::uint8_t> d) { checker.feed(d); });
    EXPECT_TRUE(checker.matches(size)) << checker.describe(size) << "; " << rest.describe();
}

// The mirror case (beyond the written contract, same reasoning): a target that stops reading
// while the browser floods it must not make the gateway buffer everything.
TEST_F(limits_test, target_that_stops_reading_bounded_memory) {
    auto stall = [](connection& c) {
        // Read nothing; return when the gateway closes the connection (or the server stops).
        pollfd p{c.fd(), POLLRDHUP, 0};
        while (::poll(&p, 1, 100) == 0) {
        }
    };
    auto target = loopback_server::tcp(sequence_handler({stall, echo_handler()}));
    start_gateway({"127.0.0.1:0", target->address()});
    const long idle_kib = gateway().process().rss_kib();
    ASSERT_GT(idle_kib, 0);

    std::atomic<bool> sending{true};
    std::atomic<long> peak_kib{idle_kib};
    std::thread sampler([&] {
        while (sending) {
            peak_kib = std::max(peak_kib.load(), gateway().process().rss_kib());
            std::this_thread::sleep_for(50ms);
        }
    });
    const std::uint64_t flood = 1024 * MiB;
    auto ws = connect_ws();
    // Bounded by the timeout: the writes must block long before 1 GiB is out.
    auto r = ws->duplex(payload(68), message_plan(flood, 256 * KiB, 68), 0, 6s, nullptr);
    sending = false;
    sampler.join();
    EXPECT_LT(r.sent, flood / 2) << "the gateway accepted " << r.sent / MiB
                                 << " MiB for a target that reads nothing";
    const long grown_kib = peak_kib - idle_kib;
    EXPECT_LT(grown_kib, 64 * 1024) << "gateway RSS grew by " << grown_kib / 1024 << " MiB";
    EXPECT_TRUE(echo_round_trip());
}

} // namespace
} // namespace vncgate::test
