// Close-semantics integration tests: who closes, with which WebSocket code and reason, and that no
// byte is lost on the way (target EOF, browser close, refused target, text and unmasked frames).
#include "support/gateway_fixture.hpp"

#include <thread>

namespace vncgate::test {
namespace {

constexpr std::uint64_t MiB = 1 << 20;

class close_test : public gateway_test {
protected:
    // Upgrades with the raw client and reads until the gateway closes.
    ws_transcript raw_session_until_close() {
        raw_socket s = connect_raw();
        ws_upgrade(s, "/", gateway_host()); // throws unless 101: the upgrade must be accepted
        return read_ws(s, SIZE_MAX, 10s);
    }

    static void expect_close_1011(const ws_transcript& t) {
        ASSERT_TRUE(t.close) << "no close frame: " << to_string(t.end);
        EXPECT_EQ(t.close->close_code(), 1011) << "'" << t.close->close_reason() << "'";
        EXPECT_TRUE(contains_icase(t.close->close_reason(), "connect"))
            << "'" << t.close->close_reason() << "'";
        EXPECT_TRUE(t.data.empty());
    }
};

TEST_F(close_test, refused_target_closes_with_1011_after_accepting) {
    refusing_port refused;
    start_gateway({"127.0.0.1:0", refused.address()});
    expect_close_1011(raw_session_until_close());
    EXPECT_TRUE(gateway().process().running());
}

TEST_F(close_test, missing_unix_target_closes_with_1011) {
    start_gateway({"--unix-target", (tmp_ / "nobody-listens.sock").string(), "127.0.0.1:0"});
    expect_close_1011(raw_session_until_close());
}

// The target sends 3 MiB and closes before the browser reads anything: all of it must still
// reach the browser, and only then the close frame (1000, "...closed...").
TEST_F(close_test, target_eof_delivers_every_byte_then_1000) {
    const std::uint64_t size = 3 * MiB + 5;
    auto log = std::make_shared<stream_log>();
    auto source = loopback_server::tcp(source_handler(log, size, 31));
    start_gateway({"127.0.0.1:0", source->address()});
    auto ws = connect_ws();
    auto rec = log->wait_connection(0, 10s);
    ASSERT_TRUE(rec);
    // Let the target finish and close while the browser is not reading yet (bounded wait).
    eventually([&] { return rec->finished_writing.load(); }, 5s);

    stream_checker checker{payload(31)};
    auto r =
        ws->receive(until_close, 30s, [&](std::span<const std::uint8_t> d) { checker.feed(d); });
    EXPECT_TRUE(checker.matches(size)) << checker.describe(size);
    ASSERT_TRUE(r.closed) << r.describe();
    EXPECT_TRUE(r.closed->close_frame) << r.describe();
    EXPECT_EQ(r.closed->code, 1000) << r.describe();
    EXPECT_TRUE(contains_icase(r.closed->reason, "closed")) << r.describe();
}

TEST_F(close_test, target_eof_right_after_connect_with_no_data_is_1000) {
    auto log = std::make_shared<stream_log>();
    auto source = loopback_server::tcp(source_handler(log, 0, 1));
    start_gateway({"127.0.0.1:0", source->address()});
    auto ws = connect_ws();
    std::vector<std::uint8_t> data;
    auto closed = ws->receive_until_close(10s, &data);
    EXPECT_TRUE(data.empty());
    EXPECT_EQ(closed.code, 1000) << closed.describe();
    EXPECT_TRUE(contains_icase(closed.reason, "closed")) << closed.describe();
}

// The browser sends 2 MiB and closes at once: the target must get every byte, then EOF.
TEST_F(close_test, browser_close_delivers_every_byte_then_eof_to_target) {
    const std::uint64_t size = 2 * MiB + 3;
    auto log = std::make_shared<stream_log>();
    auto sink = loopback_server::tcp(sink_handler(log, 41));
    start_gateway({"127.0.0.1:0", sink->address()});
    auto ws = connect_ws();
    payload p(41);
    std::uint64_t off = 0;
    for (std::size_t n : message_plan(size, 100000, 41)) {
        ws->send_binary(p.bytes(off, n));
        off += n;
    }
    ws->close(1000, "bye");
    auto rec = log->wait_done(0, 20s);
    ASSERT_TRUE(rec) << "the target connection was not closed";
    std::lock_guard lock(rec->mutex);
    EXPECT_EQ(rec->bytes_read, size);
    EXPECT_EQ(rec->first_mismatch, -1);
    EXPECT_TRUE(rec->saw_eof) << "the target must see EOF (FIN), not a reset";
}

// A browser that sends its close frame but keeps the TCP connection open (a client that never
// finishes the closing handshake) must not hold the VNC server's connection: the VNC server is
// told at once, with every byte sent before the close, and the session ends within a bound.
TEST_F(close_test, browser_close_without_tcp_close_still_ends_the_vnc_connection) {
    auto log = std::make_shared<stream_log>();
    auto sink = loopback_server::tcp(sink_handler(log, 43));
    start_gateway({"127.0.0.1:0", sink->address()});
    raw_socket s = connect_raw();
    ws_upgrade(s, "/", gateway_host());
    auto data = payload(43).bytes(0, 100000);
    ASSERT_TRUE(s.send_all(encode_frame(op_binary, true, data, 0x11223344u)));
    ASSERT_TRUE(s.send_all(encode_close(1000, "bye", 0x11223344u)));
    auto t = read_ws(s, SIZE_MAX, 10s); // the close reply; the socket then stays open
    ASSERT_TRUE(t.close) << to_string(t.end);
    EXPECT_EQ(t.close->close_code(), 1000);
    auto rec = log->wait_done(0, 5s);
    ASSERT_TRUE(rec) << "the VNC server's connection is still open 5 s after the browser's close";
    {
        std::lock_guard lock(rec->mutex);
        EXPECT_EQ(rec->bytes_read, data.size());
        EXPECT_EQ(rec->first_mismatch, -1);
        EXPECT_TRUE(rec->saw_eof);
    }
    EXPECT_TRUE(gateway().process().wait_for_stderr(R"(session 1 ended: .*browser closed)", 30s))
        << "the session did not end although the browser never closed its socket";
}

// RFC 6455 5.5.1: the close frame is answered with a close frame.
TEST_F(close_test, browser_close_is_answered_with_a_close_frame) {
    auto echo = loopback_server::tcp(echo_handler());
    start_gateway({"127.0.0.1:0", echo->address()});
    auto ws = connect_ws();
    ws->send_binary(as_bytes("x"));
    ASSERT_EQ(ws->receive_bytes(1), std::vector<std::uint8_t>{'x'});
    auto reply = ws->close(1000, "bye");
    EXPECT_TRUE(reply.close_frame) << reply.describe();
    EXPECT_EQ(reply.code, 1000) << reply.describe();
}

TEST_F(close_test, text_frame_closes_with_1003) {
    auto log = std::make_shared<stream_log>();
    auto sink = loopback_server::tcp(sink_handler(log));
    start_gateway({"127.0.0.1:0", sink->address()});
    auto ws = connect_ws();
    ws->send_text("RFB 003.008\n");
    auto closed = ws->receive_until_close(10s);
    EXPECT_TRUE(closed.close_frame) << closed.describe();
    EXPECT_EQ(closed.code, 1003) << closed.describe();
}

// An unmasked client frame is a protocol error: 1002, or the connection just closed. Its payload
// must not reach the target.
TEST_F(close_test, unmasked_client_frame_is_a_protocol_error) {
    auto log = std::make_shared<stream_log>();
    auto sink = loopback_server::tcp(sink_handler(log));
    start_gateway({"127.0.0.1:0", sink->address()});
    raw_socket s = connect_raw();
    ws_upgrade(s, "/", gateway_host());
    ASSERT_TRUE(
        s.send_all(encode_frame(op_binary, true, as_bytes("UNMASKED-PAYLOAD"), std::nullopt)));
    auto t = read_ws(s, SIZE_MAX, 10s);
    if (t.close) {
        EXPECT_EQ(t.close->close_code(), 1002) << "'" << t.close->close_reason() << "'";
    } else {
        EXPECT_TRUE(t.end == read_result::eof || t.end == read_result::error)
            << "neither a close frame nor a closed connection within 10 s: " << to_string(t.end);
    }
    EXPECT_TRUE(t.data.empty());
    s.close();
    // If the gateway had opened the target connection, nothing of the frame may have arrived.
    if (log->size() > 0) {
        auto rec = log->wait_done(0, 10s);
        ASSERT_TRUE(rec) << "the target connection stayed open after the session ended";
        std::lock_guard lock(rec->mutex);
        EXPECT_EQ(as_string(rec->head).find("UNMASKED"), std::string::npos)
            << "the unmasked payload reached the target";
    }
}

} // namespace
} // namespace vncgate::test
