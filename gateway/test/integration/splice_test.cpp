// The zero-copy path (plain connections): the gateway writes its data frames to the browser's
// socket itself while Beast writes pongs, pings and close frames on the same socket. These tests
// make both happen at once, with a browser slow enough that data frames are written in pieces,
// and read every frame back.
#include "support/gateway_fixture.hpp"

#include <atomic>
#include <fstream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>

namespace vncgate::test {
namespace {

constexpr std::uint64_t MiB = 1024 * 1024;

class splice_test : public gateway_test {};

// What a slow browser saw: data checked against the source, and the control frames.
struct slow_read {
    std::vector<std::string> pongs;
    std::size_t gateway_pings = 0;
    std::size_t frames = 0;
    std::string problem; // the first malformed frame or unexpected end, if any
};

// Reads frames until `size` data bytes arrived, pausing now and then so that the gateway's
// socket buffer fills up and its frames go out in pieces.
slow_read read_slowly(raw_socket& s, std::uint64_t size, stream_checker& checker) {
    slow_read r;
    while (checker.received() < size) {
        read_result end{};
        auto f = read_frame(s, 20s, &end);
        if (!f) {
            r.problem = std::string("connection ended: ") + to_string(end);
            return r;
        }
        ++r.frames;
        if (f->masked || f->rsv != 0 || !f->fin) {
            r.problem = "malformed frame (masked, RSV or fragment) after " +
                        std::to_string(checker.received()) + " bytes";
            return r;
        }
        switch (f->opcode) {
        case op_binary:
            checker.feed(f->payload);
            break;
        case op_pong:
            r.pongs.emplace_back(f->payload.begin(), f->payload.end());
            break;
        case op_ping:
            ++r.gateway_pings;
            break;
        default:
            r.problem = "unexpected opcode " + std::to_string(f->opcode) + " after " +
                        std::to_string(checker.received()) + " bytes";
            return r;
        }
        if (r.frames % 2 == 0)
            std::this_thread::sleep_for(1ms);
    }
    return r;
}

// The browser pings all the time while it downloads slowly: every pong comes back whole, in
// order, between data frames, and every data byte arrives intact. Beast also sends its own
// heartbeat pings meanwhile (--heartbeat 1).
TEST_F(splice_test, pongs_and_pings_between_whole_data_frames_for_a_slow_browser) {
    const std::uint64_t size = 32 * MiB;
    auto log = std::make_shared<stream_log>();
    auto source = loopback_server::tcp(source_handler(log, size, 71));
    start_gateway({"--heartbeat", "1", "127.0.0.1:0", source->address()});

    auto sock = connect_raw();
    int small = 16 * 1024;
    ASSERT_EQ(::setsockopt(sock.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
    ws_upgrade(sock, "/", gateway_host());

    std::atomic<bool> reading{true};
    std::atomic<int> pings_sent{0};
    std::thread pinger([&] {
        for (int i = 0; i < 5000 && reading; ++i) {
            auto ping = encode_frame(op_ping, true, as_bytes("p" + std::to_string(i)),
                                     0x01020304u + static_cast<std::uint32_t>(i));
            if (!sock.send_all(ping))
                return;
            pings_sent = i + 1;
            std::this_thread::sleep_for(1ms);
        }
    });
    stream_checker checker{payload(71)};
    auto r = read_slowly(sock, size, checker);
    reading = false;
    pinger.join();
    EXPECT_EQ(r.problem, "");
    EXPECT_TRUE(checker.matches(size)) << checker.describe(size);

    // Then the close frame (the source closed), after any pongs still on their way. Pings the
    // gateway read before that were all answered, whole and in order; later ones need no answer.
    std::optional<ws_frame> close;
    for (int i = 0; i < 10000 && !close && r.problem.empty(); ++i) {
        read_result end{};
        auto f = read_frame(sock, 10s, &end);
        if (!f)
            r.problem = std::string("connection ended without a close frame: ") + to_string(end);
        else if (f->opcode == op_pong)
            r.pongs.emplace_back(f->payload.begin(), f->payload.end());
        else if (f->opcode == op_close)
            close = f;
        else if (f->opcode != op_ping)
            r.problem = "unexpected opcode " + std::to_string(f->opcode) + " after the data";
    }
    EXPECT_EQ(r.problem, "");
    ASSERT_TRUE(close);
    EXPECT_EQ(close->close_code(), 1000) << close->close_reason();
    const auto sent = static_cast<std::size_t>(pings_sent.load());
    ASSERT_GT(r.pongs.size(), 10u) << "pongs for " << sent << " pings";
    ASSERT_LE(r.pongs.size(), sent);
    for (std::size_t i = 0; i < r.pongs.size(); ++i)
        ASSERT_EQ(r.pongs[i], "p" + std::to_string(i)) << "pong " << i;
}

// The target closes first while a slow browser is still in the middle of a large frame: every
// byte arrives, then the close frame (1000), never in the middle of a data frame.
TEST_F(splice_test, close_after_the_last_frame_when_the_browser_is_slow) {
    const std::uint64_t size = 24 * MiB;
    auto log = std::make_shared<stream_log>();
    auto source = loopback_server::tcp(source_handler(log, size, 72));
    start_gateway({"127.0.0.1:0", source->address()});

    auto sock = connect_raw();
    int small = 16 * 1024;
    ASSERT_EQ(::setsockopt(sock.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
    ws_upgrade(sock, "/", gateway_host());
    // Let the source finish writing into the gateway before reading anything.
    auto rec = log->wait_connection(0, 10s);
    ASSERT_TRUE(rec);
    for (int i = 0; i < 100 && rec->bytes_written < 4 * MiB; ++i)
        std::this_thread::sleep_for(20ms);

    stream_checker checker{payload(72)};
    auto r = read_slowly(sock, size, checker);
    EXPECT_EQ(r.problem, "");
    EXPECT_TRUE(checker.matches(size)) << checker.describe(size);
    read_result end{};
    auto close = read_frame(sock, 10s, &end);
    ASSERT_TRUE(close) << to_string(end);
    ASSERT_EQ(close->opcode, op_close);
    EXPECT_EQ(close->close_code(), 1000) << close->close_reason();
}

// A browser that closes (close frame) in the middle of a large download: the gateway finishes
// the data frame it is writing, answers with its close frame, and keeps serving others.
TEST_F(splice_test, browser_close_during_a_download_is_answered_after_the_current_frame) {
    const std::uint64_t size = 512 * MiB;
    auto log = std::make_shared<stream_log>();
    auto source = loopback_server::tcp(source_handler(log, size, 73));
    auto echo = loopback_server::tcp(echo_handler());
    {
        std::ofstream tokens(tmp_.path() / "tokens");
        tokens << "source: " << source->address() << "\necho: " << echo->address() << "\n";
    }
    start_gateway({"--token-plugin", "TokenFile", "--token-source",
                   (tmp_.path() / "tokens").string(), "127.0.0.1:0"});
    auto sock = connect_raw();
    ws_upgrade(sock, "/?token=source", gateway_host());
    stream_checker checker{payload(73)};
    auto first = read_slowly(sock, 2 * MiB, checker);
    ASSERT_EQ(first.problem, "");
    ASSERT_TRUE(sock.send_all(encode_close(1000, "bye", 0x0badf00du)));

    // Frames until the close: data (the rest of the frame in flight and what was queued), then
    // the close frame echoing 1000.
    std::optional<ws_frame> close;
    for (int i = 0; i < 100000 && !close; ++i) {
        read_result end{};
        auto f = read_frame(sock, 10s, &end);
        ASSERT_TRUE(f) << "no close frame: " << to_string(end);
        ASSERT_FALSE(f->masked);
        if (f->opcode == op_close)
            close = f;
        else
            ASSERT_EQ(f->opcode, op_binary) << "a malformed or unexpected frame";
        if (f->opcode == op_binary)
            checker.feed(f->payload);
    }
    ASSERT_TRUE(close);
    EXPECT_EQ(close->close_code(), 1000);
    EXPECT_EQ(checker.first_mismatch(), -1) << checker.describe(size);
    EXPECT_EQ(sock.wait_closed(10s), read_result::eof);
    ws_connect_options opts;
    opts.target = "/?token=echo";
    EXPECT_TRUE(echo_round_trip(opts));
}

} // namespace
} // namespace vncgate::test
