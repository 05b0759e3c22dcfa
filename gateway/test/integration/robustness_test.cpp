// Robustness integration tests: targets that die, browsers that vanish, garbage instead of HTTP
// or frames, stalled and many simultaneous clients. After each abuse the gateway must still be
// running and serve a fresh echo session normally.
#include "support/gateway_fixture.hpp"

#include <random>
#include <thread>

namespace vncgate::test {
namespace {

constexpr std::uint64_t MiB = 1 << 20;

class robustness_test : public gateway_test {};

// The first target connection sends 1 MiB and then resets; later connections echo.
TEST_F(robustness_test, target_dying_mid_stream_ends_the_session_only) {
    auto log = std::make_shared<stream_log>();
    auto target = loopback_server::tcp(sequence_handler(
        {source_handler(log, 0, 51, static_cast<std::int64_t>(MiB)), echo_handler()}));
    start_gateway({"127.0.0.1:0", target->address()});

    auto ws = connect_ws();
    stream_checker checker{payload(51)};
    auto r =
        ws->receive(until_close, 20s, [&](std::span<const std::uint8_t> d) { checker.feed(d); });
    EXPECT_FALSE(r.timed_out) << "the session must end when its target dies: " << r.describe();
    EXPECT_EQ(checker.first_mismatch(), -1) << "bytes before the reset must be intact";
    EXPECT_TRUE(echo_round_trip());
}

// The browser resets its connection while the target streams: the gateway must drop the target
// connection too, and keep serving.
TEST_F(robustness_test, browser_reset_mid_stream_closes_the_target_connection) {
    auto log = std::make_shared<stream_log>();
    auto target = loopback_server::tcp(
        sequence_handler({source_handler(log, 256 * MiB, 52), echo_handler()}));
    start_gateway({"127.0.0.1:0", target->address()});

    auto ws = connect_ws();
    ws->receive_bytes(MiB, 20s);
    ws->abort();
    auto rec = log->wait_done(0, 15s);
    ASSERT_TRUE(rec) << "the target connection is still open 15 s after the browser vanished";
    EXPECT_LT(rec->bytes_written, 256 * MiB);
    EXPECT_TRUE(echo_round_trip());
}

// Same with a plain FIN and no close frame (a browser tab that is killed).
TEST_F(robustness_test, browser_closing_tcp_without_close_frame_closes_the_target_connection) {
    auto log = std::make_shared<stream_log>();
    auto target = loopback_server::tcp(sequence_handler({sink_handler(log, 53), echo_handler()}));
    start_gateway({"127.0.0.1:0", target->address()});

    auto ws = connect_ws();
    ws->send_binary(payload(53).bytes(0, 1000));
    ASSERT_TRUE(log->wait_connection(0, 10s));
    eventually([&] { return log->at(0)->bytes_read.load() == 1000; }, 10s);
    ws->drop();
    auto rec = log->wait_done(0, 15s);
    ASSERT_TRUE(rec) << "the target connection is still open 15 s after the browser vanished";
    EXPECT_EQ(rec->bytes_read, 1000u);
    EXPECT_TRUE(echo_round_trip());
}

TEST_F(robustness_test, garbage_instead_of_http) {
    auto echo = loopback_server::tcp(echo_handler());
    start_gateway({"127.0.0.1:0", echo->address()});
    std::mt19937 rng(54);
    for (int round = 0; round < 3; ++round) {
        raw_socket s = connect_raw();
        std::vector<std::uint8_t> junk(4096);
        for (auto& b : junk) {
            b = static_cast<std::uint8_t>(rng());
        }
        if (round == 1) {
            junk[0] = 0x16; // looks like the start of a TLS record on a plain-only gateway
        }
        s.send_all(junk);
        std::vector<std::uint8_t> rest;
        auto end = s.wait_closed(10s, &rest);
        EXPECT_NE(end, read_result::timeout) << "the gateway kept a garbage connection open";
        EXPECT_EQ(as_string(rest).find("HTTP/1.1 101"), std::string::npos);
    }
    EXPECT_TRUE(echo_round_trip());
}

TEST_F(robustness_test, garbage_frames_after_the_upgrade) {
    auto echo = loopback_server::tcp(echo_handler());
    start_gateway({"127.0.0.1:0", echo->address()});
    std::mt19937 rng(55);
    for (int round = 0; round < 3; ++round) {
        raw_socket s = connect_raw();
        ws_upgrade(s, "/", gateway_host());
        std::vector<std::uint8_t> junk(2048);
        for (auto& b : junk) {
            b = static_cast<std::uint8_t>(rng());
        }
        junk[0] = 0x73; // RSV bits set, reserved opcode 3: invalid whatever follows
        s.send_all(junk);
        auto t = read_ws(s, SIZE_MAX, 10s);
        EXPECT_NE(t.end, read_result::timeout) << "the gateway kept a broken session open";
        if (t.close) {
            EXPECT_EQ(t.close->close_code(), 1002) << "'" << t.close->close_reason() << "'";
        }
    }
    EXPECT_TRUE(echo_round_trip());
}

// A client that connects and says nothing must not hold up anyone else.
TEST_F(robustness_test, stalled_clients_do_not_block_others) {
    auto echo = loopback_server::tcp(echo_handler());
    start_gateway({"127.0.0.1:0", echo->address()});
    std::vector<raw_socket> silent;
    for (int i = 0; i < 10; ++i) {
        silent.push_back(connect_raw());
    }
    raw_socket half = connect_raw();
    half.send_all("GET / HTTP/1.1\r\nHost: x\r\n");
    raw_socket stalled_ws = connect_raw();
    ws_upgrade(stalled_ws, "/", gateway_host());
    stalled_ws.send_all(std::vector<std::uint8_t>{0x82, 0xfe, 0x10}); // frame header cut short
    EXPECT_TRUE(echo_round_trip());
}

TEST_F(robustness_test, many_sessions_at_once) {
    auto echo = loopback_server::tcp(echo_handler());
    start_gateway({"127.0.0.1:0", echo->address()});
    constexpr int sessions = 64;
    std::vector<std::unique_ptr<ws_client>> clients;
    for (int i = 0; i < sessions; ++i) {
        ASSERT_NO_THROW(clients.push_back(connect_ws())) << "session " << i;
    }
    for (int i = 0; i < sessions; ++i) {
        clients[i]->send_binary(payload(600 + i).bytes(0, 2000 + i));
    }
    for (int i = 0; i < sessions; ++i) {
        ASSERT_EQ(clients[i]->receive_bytes(2000 + i), payload(600 + i).bytes(0, 2000 + i))
            << "session " << i;
    }
    // Half of them vanish abruptly, the rest close properly.
    for (int i = 0; i < sessions; ++i) {
        if (i % 2 == 0) {
            clients[i]->abort();
        } else {
            clients[i]->close(1000, "");
        }
    }
    clients.clear();
    EXPECT_TRUE(echo_round_trip());
    EXPECT_TRUE(eventually([&] { return echo->active() == 0; }, 10s))
        << echo->active() << " target connections still open after all sessions ended";
}

TEST_F(robustness_test, many_sessions_from_parallel_threads_with_threads_option) {
    auto echo = loopback_server::tcp(echo_handler());
    start_gateway({"--threads", "2", "127.0.0.1:0", echo->address()});
    constexpr int threads = 4;
    constexpr int per_thread = 8;
    std::atomic<int> ok{0};
    std::vector<std::string> errors(threads);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            try {
                for (int i = 0; i < per_thread; ++i) {
                    auto ws = connect_ws();
                    payload p(7000 + t * 100 + i);
                    stream_checker checker(p);
                    auto r =
                        ws->duplex(p, message_plan(256 << 10, 16 << 10, p.seed()), 256 << 10, 30s,
                                   [&](std::span<const std::uint8_t> d) { checker.feed(d); });
                    if (!checker.matches(256 << 10)) {
                        errors[t] = checker.describe(256 << 10) + "; " + r.received.describe();
                        return;
                    }
                    ws->close(1000, "");
                    ++ok;
                }
            } catch (const std::exception& e) {
                errors[t] = e.what();
            }
        });
    }
    for (auto& th : pool) {
        th.join();
    }
    for (int t = 0; t < threads; ++t) {
        EXPECT_EQ(errors[t], "") << "thread " << t;
    }
    EXPECT_EQ(ok.load(), threads * per_thread);
}

} // namespace
} // namespace vncgate::test
