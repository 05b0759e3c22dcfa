// Relay integration tests: exact bytes both ways through the real gateway, from 0 bytes to 64 MiB,
// as single messages and as many messages of varying sizes, and both directions at once.
#include "support/gateway_fixture.hpp"

#include <ostream>

namespace vncgate::test {
namespace {

constexpr std::uint64_t KiB = 1024;
constexpr std::uint64_t MiB = 1024 * KiB;
// Appended to every payload so that an empty payload is still followed by something to wait for
// (and anything spurious before it shows up as a wrong byte).
constexpr std::size_t sentinel_size = 16;

struct relay_case {
    const char* name;
    std::uint64_t size;
    bool single_message;     // one message of exactly `size` bytes (frame-length boundaries)
    std::size_t max_message; // otherwise: messages of varying sizes up to this
};

// Keeps test listings readable (otherwise GoogleTest prints the struct's bytes).
void PrintTo(const relay_case& c, std::ostream* os) {
    *os << c.name;
}

class echo_relay : public gateway_test, public ::testing::WithParamInterface<relay_case> {
protected:
    void SetUp() override {
        echo_ = loopback_server::tcp(echo_handler());
        start_gateway({"127.0.0.1:0", echo_->address()});
    }

    std::unique_ptr<loopback_server> echo_;
};

TEST_P(echo_relay, every_byte_comes_back_in_order) {
    const relay_case& c = GetParam();
    const std::uint64_t seed = 0xec40 + c.size;
    payload p(seed);
    std::vector<std::size_t> plan = c.single_message
                                        ? std::vector<std::size_t>{static_cast<std::size_t>(c.size)}
                                        : message_plan(c.size, c.max_message, seed);
    plan.push_back(sentinel_size);
    const std::uint64_t total = c.size + sentinel_size;

    auto ws = connect_ws();
    stream_checker checker(p);
    // Sending and receiving at once: the echo comes back while we still send.
    auto r =
        ws->duplex(p, plan, total, 90s, [&](std::span<const std::uint8_t> d) { checker.feed(d); });

    EXPECT_EQ(r.send_error, "") << "sent " << r.sent << " of " << c.size << " bytes";
    EXPECT_TRUE(checker.matches(total)) << checker.describe(total) << "; " << r.received.describe();
    EXPECT_EQ(r.received.text_messages, 0u) << "the gateway must send binary messages only";
    EXPECT_FALSE(r.received.closed) << r.received.describe();
    EXPECT_EQ(echo_->accepted(), 1u) << "one WebSocket session, one target connection";
}

INSTANTIATE_TEST_SUITE_P(
    sizes, echo_relay,
    ::testing::Values(relay_case{"empty_message", 0, true, 0}, relay_case{"one_byte", 1, true, 0},
                      relay_case{"b125", 125, true, 0}, relay_case{"b126", 126, true, 0},
                      relay_case{"b65535", 65535, true, 0}, relay_case{"b65536", 65536, true, 0},
                      relay_case{"one_MiB_single", MiB, true, 0},
                      relay_case{"one_MiB_varying", MiB, false, 64 * KiB},
                      relay_case{"b65536_varying", 65536, false, 300},
                      relay_case{"MiB64_varying", 64 * MiB, false, 1 * MiB}),
    [](const ::testing::TestParamInfo<relay_case>& info) { return std::string(info.param.name); });

class relay_test : public gateway_test {};

// One message split by the client library into 4 KiB frames (continuation frames) must arrive
// as the same byte stream.
TEST_F(relay_test, auto_fragmented_messages_arrive_whole) {
    auto echo = loopback_server::tcp(echo_handler());
    start_gateway({"127.0.0.1:0", echo->address()});
    ws_connect_options opts;
    opts.auto_fragment = true;
    auto ws = connect_ws(opts);
    payload p(77);
    const std::uint64_t total = 3 * MiB + 17;
    stream_checker checker(p);
    auto r = ws->duplex(p, message_plan(total, 512 * KiB, 77), total, 60s,
                        [&](std::span<const std::uint8_t> d) { checker.feed(d); });
    EXPECT_EQ(r.send_error, "");
    EXPECT_TRUE(checker.matches(total)) << checker.describe(total) << "; " << r.received.describe();
}

// One 8 MiB message (below the 16 MiB default limit) in one frame.
TEST_F(relay_test, one_big_message_arrives_whole) {
    auto echo = loopback_server::tcp(echo_handler());
    start_gateway({"127.0.0.1:0", echo->address()});
    auto ws = connect_ws();
    payload p(88);
    const std::uint64_t total = 8 * MiB;
    stream_checker checker(p);
    auto r = ws->duplex(p, {static_cast<std::size_t>(total)}, total, 60s,
                        [&](std::span<const std::uint8_t> d) { checker.feed(d); });
    EXPECT_EQ(r.send_error, "");
    EXPECT_TRUE(checker.matches(total)) << checker.describe(total) << "; " << r.received.describe();
}

// The target streams 64 MiB to the browser while the browser streams 64 MiB to the target, at the
// same time over the same session; both streams are checked byte by byte and by SHA-256.
TEST_F(relay_test, both_directions_at_once_64_MiB_each) {
    const std::uint64_t size = 64 * MiB;
    const std::uint64_t down_seed = 0xd0;
    const std::uint64_t up_seed = 0x0b;
    auto log = std::make_shared<stream_log>();
    auto target = loopback_server::tcp(source_sink_handler(log, size, down_seed, size, up_seed));
    start_gateway({"127.0.0.1:0", target->address()});

    auto ws = connect_ws();
    stream_checker checker{payload(down_seed)};
    sha256 down_hash;
    auto r = ws->duplex(payload(up_seed), message_plan(size, 256 * KiB, up_seed), size, 120s,
                        [&](std::span<const std::uint8_t> d) {
                            checker.feed(d);
                            down_hash.update(d);
                        });
    EXPECT_EQ(r.send_error, "") << "sent " << r.sent << " bytes";
    EXPECT_TRUE(checker.matches(size))
        << "target -> browser: " << checker.describe(size) << "; " << r.received.describe();
    EXPECT_EQ(down_hash.hex(), payload_sha256(payload(down_seed), size));

    auto rec = log->wait_done(0, 30s);
    ASSERT_TRUE(rec) << "the target did not finish reading";
    std::lock_guard lock(rec->mutex);
    EXPECT_EQ(rec->bytes_read, size) << "browser -> target";
    EXPECT_EQ(rec->first_mismatch, -1) << "browser -> target: first wrong byte";
    EXPECT_EQ(rec->read_sha256, payload_sha256(payload(up_seed), size));
    EXPECT_EQ(rec->bytes_written, size);
}

// Sessions are independent: several at once, each with its own target connection and bytes.
TEST_F(relay_test, concurrent_sessions_do_not_mix) {
    auto echo = loopback_server::tcp(echo_handler());
    start_gateway({"127.0.0.1:0", echo->address()});
    constexpr int sessions = 8;
    std::vector<std::unique_ptr<ws_client>> clients;
    for (int i = 0; i < sessions; ++i) {
        clients.push_back(connect_ws());
    }
    // Interleave: every session sends, then every session reads its own echo.
    for (int round = 0; round < 4; ++round) {
        for (int i = 0; i < sessions; ++i) {
            clients[i]->send_binary(payload(1000 + i).bytes(round * 4000, 4000));
        }
        for (int i = 0; i < sessions; ++i) {
            auto back = clients[i]->receive_bytes(4000);
            ASSERT_EQ(back, payload(1000 + i).bytes(round * 4000, 4000))
                << "session " << i << " round " << round;
        }
    }
    EXPECT_EQ(echo->accepted(), static_cast<std::size_t>(sessions));
}

} // namespace
} // namespace vncgate::test
