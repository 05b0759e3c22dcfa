// Framing integration tests with hand-built client frames: fragmented messages, many frames
// coalesced in one TCP write, frames split across writes down to single bytes, control frames
// between fragments. The target must see the exact byte stream; the gateway's own frames must be
// unmasked binary frames.
#include "support/gateway_fixture.hpp"

#include <random>
#include <thread>

namespace vncgate::test {
namespace {

class framing_test : public gateway_test {
protected:
    void SetUp() override {
        echo_ = loopback_server::tcp(echo_handler());
        start_gateway({"127.0.0.1:0", echo_->address()});
        sock_ = connect_raw();
        ws_upgrade(sock_, "/", gateway_host());
    }

    void TearDown() override {
        sock_.close();
        gateway_test::TearDown();
    }

    // Sends `wire` from a second thread (so the echo can flow back meanwhile) in TCP writes of
    // the given sizes, and reads `expect_size` bytes of WebSocket data.
    ws_transcript send_and_read(const std::vector<std::uint8_t>& wire,
                                const std::vector<std::size_t>& write_sizes,
                                std::size_t expect_size, milliseconds pause = 0ms) {
        bool sent_ok = true;
        std::thread writer([&] {
            std::size_t off = 0;
            for (std::size_t i = 0; off < wire.size(); ++i) {
                std::size_t n = std::min(write_sizes[i % write_sizes.size()], wire.size() - off);
                if (!sock_.send_all(std::span(wire.data() + off, n))) {
                    sent_ok = false;
                    return;
                }
                off += n;
                if (pause > 0ms) {
                    std::this_thread::sleep_for(pause);
                }
            }
        });
        ws_transcript t = read_ws(sock_, expect_size, 60s);
        writer.join();
        EXPECT_TRUE(sent_ok) << "the gateway stopped reading or closed while we were sending";
        return t;
    }

    static void expect_clean(const ws_transcript& t) {
        EXPECT_TRUE(t.bad_frames.empty())
            << t.bad_frames.size() << " bad frames from the gateway; first: opcode "
            << int(t.bad_frames.front().opcode) << " masked " << t.bad_frames.front().masked
            << " rsv " << int(t.bad_frames.front().rsv);
        EXPECT_FALSE(t.close) << "unexpected close " << t.close->close_code() << " '"
                              << t.close->close_reason() << "'";
        EXPECT_EQ(t.end, read_result::data) << to_string(t.end);
    }

    std::unique_ptr<loopback_server> echo_;
    raw_socket sock_;
};

// Builds the frames of one message cut into fragments of the given sizes; mask keys vary
// (including the all-zero key, which is valid).
std::vector<std::uint8_t> fragmented_message(std::span<const std::uint8_t> data,
                                             const std::vector<std::size_t>& sizes,
                                             std::uint32_t key_seed) {
    std::vector<std::uint8_t> wire;
    std::size_t off = 0;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        bool last = i + 1 == sizes.size();
        std::uint32_t key =
            i % 3 == 1 ? 0u : key_seed * 2654435761u + static_cast<std::uint32_t>(i);
        auto f = encode_frame(i == 0 ? op_binary : op_continuation, last,
                              data.subspan(off, sizes[i]), key);
        wire.insert(wire.end(), f.begin(), f.end());
        off += sizes[i];
    }
    return wire;
}

TEST_F(framing_test, fragmented_message_with_empty_and_boundary_fragments) {
    payload p(11);
    std::vector<std::size_t> sizes{1, 0, 125, 126, 127, 4000, 65535, 65536, 0, 70000, 3};
    std::size_t total = 0;
    for (auto s : sizes) {
        total += s;
    }
    auto data = p.bytes(0, total);
    auto t = send_and_read(fragmented_message(data, sizes, 5), {1 << 16}, total);
    expect_clean(t);
    EXPECT_EQ(t.data, data) << "first bytes: " << preview(t.data);
}

TEST_F(framing_test, ping_between_fragments_is_answered_and_does_not_corrupt_data) {
    payload p(12);
    auto data = p.bytes(0, 3000);
    std::vector<std::uint8_t> wire;
    auto f1 = encode_frame(op_binary, false, std::span(data).subspan(0, 1000), 0x01020304u);
    auto ping = encode_frame(op_ping, true, as_bytes("are-you-there"), 0x0a0b0c0du);
    auto f2 = encode_frame(op_continuation, true, std::span(data).subspan(1000), 0x11223344u);
    wire.insert(wire.end(), f1.begin(), f1.end());
    wire.insert(wire.end(), ping.begin(), ping.end());
    wire.insert(wire.end(), f2.begin(), f2.end());
    ASSERT_TRUE(sock_.send_all(wire));

    // Collect frames until all data and the pong arrived.
    std::vector<std::uint8_t> got;
    bool pong = false;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while ((got.size() < data.size() || !pong) && std::chrono::steady_clock::now() < deadline) {
        read_result r{};
        auto f = read_frame(sock_, 10s, &r);
        ASSERT_TRUE(f) << "connection ended: " << to_string(r) << " after " << got.size()
                       << " bytes, pong " << pong;
        ASSERT_NE(f->opcode, op_close) << "closed: " << f->close_code() << " " << f->close_reason();
        EXPECT_FALSE(f->masked) << "server frames must not be masked";
        if (f->opcode == op_pong) {
            EXPECT_EQ(as_string(f->payload), "are-you-there") << "a pong echoes the ping payload";
            pong = true;
        } else {
            got.insert(got.end(), f->payload.begin(), f->payload.end());
        }
    }
    EXPECT_TRUE(pong) << "no pong for the ping (RFC 6455 5.5.2)";
    EXPECT_EQ(got, data);
}

TEST_F(framing_test, two_thousand_tiny_frames_in_one_tcp_write) {
    payload p(13);
    std::mt19937 rng(13);
    std::vector<std::uint8_t> wire;
    std::vector<std::uint8_t> data;
    for (int i = 0; i < 2000; ++i) {
        std::size_t n = rng() % 8; // 0..7 bytes, empty frames included
        auto chunk = p.bytes(data.size(), n);
        data.insert(data.end(), chunk.begin(), chunk.end());
        // Alternate complete messages and 2-fragment messages.
        if (i % 2 == 0) {
            auto f = encode_frame(op_binary, true, chunk, static_cast<std::uint32_t>(rng()));
            wire.insert(wire.end(), f.begin(), f.end());
        } else {
            auto a = encode_frame(op_binary, false, std::span(chunk).subspan(0, n / 2),
                                  static_cast<std::uint32_t>(rng()));
            auto b = encode_frame(op_continuation, true, std::span(chunk).subspan(n / 2),
                                  static_cast<std::uint32_t>(rng()));
            wire.insert(wire.end(), a.begin(), a.end());
            wire.insert(wire.end(), b.begin(), b.end());
        }
    }
    auto t = send_and_read(wire, {wire.size()}, data.size());
    expect_clean(t);
    EXPECT_EQ(t.data, data);
}

TEST_F(framing_test, frames_split_into_single_byte_writes) {
    payload p(14);
    // 16-bit and 64-bit length encodings, split so that every header byte is its own segment.
    auto a = p.bytes(0, 130);
    auto b = p.bytes(130, 70000);
    auto fa = encode_frame(op_binary, true, a, 0xdeadbeefu);
    auto fb = encode_frame(op_binary, true, b, 0x00000000u);
    std::vector<std::uint8_t> data(a);
    data.insert(data.end(), b.begin(), b.end());

    bool sent_ok = true;
    std::thread writer([&] {
        sent_ok = sock_.send_in_pieces(fa, 1, 1ms) &&
                  sock_.send_in_pieces(std::span(fb).subspan(0, 20), 1, 1ms) &&
                  sock_.send_in_pieces(std::span(fb).subspan(20), 997, 0ms);
    });
    auto t = read_ws(sock_, data.size(), 60s);
    writer.join();
    EXPECT_TRUE(sent_ok);
    expect_clean(t);
    EXPECT_EQ(t.data, data);
}

TEST_F(framing_test, fragmented_messages_across_random_tcp_writes) {
    payload p(15);
    std::mt19937 rng(15);
    std::vector<std::uint8_t> wire;
    const std::size_t total = 1 << 20;
    std::size_t off = 0;
    while (off < total) {
        std::size_t msg = std::min<std::size_t>(total - off, 1 + rng() % 200000);
        std::vector<std::size_t> frags;
        for (std::size_t left = msg; left > 0;) {
            std::size_t f = std::min<std::size_t>(left, rng() % 20000);
            frags.push_back(f);
            left -= f;
        }
        auto f = fragmented_message(p.bytes(off, msg), frags, static_cast<std::uint32_t>(off));
        wire.insert(wire.end(), f.begin(), f.end());
        off += msg;
    }
    std::vector<std::size_t> writes;
    for (int i = 0; i < 64; ++i) {
        writes.push_back(1 + rng() % 9000);
    }
    auto t = send_and_read(wire, writes, total);
    expect_clean(t);
    EXPECT_TRUE(t.data == p.bytes(0, total)) << "received " << t.data.size() << " bytes";
}

} // namespace
} // namespace vncgate::test
