// Process lifecycle integration tests: SIGTERM with open sessions, --run-once, --idle-timeout,
// --heartbeat, listening on IPv6 loopback.
#include "support/gateway_fixture.hpp"

#include <csignal>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace vncgate::test {
namespace {

class lifecycle_test : public gateway_test {
protected:
    void SetUp() override { echo_ = loopback_server::tcp(echo_handler()); }

    std::unique_ptr<loopback_server> echo_;
};

TEST_F(lifecycle_test, sigterm_closes_every_session_with_1001_and_exits_0) {
    auto log = std::make_shared<stream_log>();
    auto source = loopback_server::tcp(source_handler(log, 1ull << 30, 81));
    auto file = tmp_ / "tokens.cfg";
    write_file(file, "echo: " + echo_->address() + "\nstream: " + source->address() + "\n");
    start_gateway({"--token-plugin", "TokenFile", "--token-source", file.string(), "127.0.0.1:0"});

    std::vector<std::unique_ptr<ws_client>> idle;
    ws_connect_options echo_opts;
    echo_opts.target = "/?token=echo";
    for (int i = 0; i < 3; ++i) {
        idle.push_back(connect_ws(echo_opts));
        idle.back()->send_binary(as_bytes("ping"));
        ASSERT_EQ(as_string(idle.back()->receive_bytes(4)), "ping");
    }
    // One session is busy: the target streams and the browser is behind.
    ws_connect_options stream_opts;
    stream_opts.target = "/?token=stream";
    auto busy = connect_ws(stream_opts);
    busy->receive_bytes(1 << 20, 20s);

    gateway().process().send_signal(SIGTERM);
    for (std::size_t i = 0; i < idle.size(); ++i) {
        auto closed = idle[i]->receive_until_close(10s);
        EXPECT_TRUE(closed.close_frame) << "session " << i << ": " << closed.describe();
        EXPECT_EQ(closed.code, 1001) << "session " << i << ": " << closed.describe();
    }
    auto busy_closed = busy->receive_until_close(15s);
    EXPECT_EQ(busy_closed.code, 1001) << "busy session: " << busy_closed.describe();

    ASSERT_TRUE(exits_cleanly(gateway().process(), "after SIGTERM"));
}

// A browser that gets the 1001 close frame but never answers it must not keep the gateway alive.
TEST_F(lifecycle_test, sigterm_exits_even_if_a_client_never_answers_the_close) {
    start_gateway({"127.0.0.1:0", echo_->address()});
    raw_socket s = connect_raw();
    ws_upgrade(s, "/", gateway_host());
    s.send_all(encode_frame(op_binary, true, as_bytes("hi"), 0x01020304u));
    ASSERT_EQ(as_string(read_ws(s, 2, 10s).data), "hi");

    gateway().process().send_signal(SIGTERM);
    std::optional<ws_frame> close;
    for (int i = 0; i < 10 && !close; ++i) {
        auto f = read_frame(s, 10s);
        if (!f) {
            break;
        }
        if (f->opcode == op_close) {
            close = f;
        }
    }
    ASSERT_TRUE(close) << "no close frame after SIGTERM";
    EXPECT_EQ(close->close_code(), 1001) << "'" << close->close_reason() << "'";
    // Deliberately no close reply, and the socket stays open.
    ASSERT_TRUE(exits_cleanly(gateway().process(), "after SIGTERM (waiting for our close reply?)"));
}

TEST_F(lifecycle_test, sigterm_without_sessions_exits_0) {
    start_gateway({"127.0.0.1:0", echo_->address()});
    EXPECT_TRUE(echo_round_trip());
    gateway().process().send_signal(SIGTERM);
    ASSERT_TRUE(exits_cleanly(gateway().process(), "after SIGTERM"));
}

TEST_F(lifecycle_test, run_once_exits_after_the_first_session) {
    start_gateway({"--run-once", "127.0.0.1:0", echo_->address()});
    EXPECT_TRUE(echo_round_trip());
    ASSERT_TRUE(exits_cleanly(gateway().process(), "after the --run-once session ended"));
}

// websockify's --run-once serves one WebSocket connection: once it started, the gateway takes no
// other, and exits when it ends.
TEST_F(lifecycle_test, run_once_refuses_a_second_session_while_the_first_runs) {
    start_gateway({"--run-once", "127.0.0.1:0", echo_->address()});
    auto first = connect_ws();
    first->send_binary(as_bytes("one"));
    ASSERT_EQ(as_string(first->receive_bytes(3)), "one");
    ASSERT_TRUE(gateway().process().wait_for_stderr("no longer accepting", 10s))
        << "the listeners did not close when the session started";

    // The second upgrade fails: the port no longer accepts, or (had it raced the first) 503.
    try {
        raw_socket s = connect_raw();
        auto res = http_exchange(s, "GET / HTTP/1.1\r\nHost: " + gateway_host() +
                                        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                        "Sec-WebSocket-Version: 13\r\n\r\n");
        EXPECT_NE(res.status, 101) << res.status_line;
    } catch (const std::exception&) {
        // Connection refused: what a closed listener does.
    }

    first->send_binary(as_bytes("still"));
    EXPECT_EQ(as_string(first->receive_bytes(5)), "still");
    first->close(1000, "");
    ASSERT_TRUE(exits_cleanly(gateway().process(), "after the --run-once session ended"));
}

// After --timeout stopped the accepting, SIGTERM still closes the open sessions with 1001 (it is
// the first shutdown signal, not a second one).
TEST_F(lifecycle_test, sigterm_after_timeout_still_closes_sessions_with_1001) {
    start_gateway({"--timeout", "1", "127.0.0.1:0", echo_->address()});
    auto ws = connect_ws();
    ws->send_binary(as_bytes("hi"));
    ASSERT_EQ(as_string(ws->receive_bytes(2)), "hi");
    ASSERT_TRUE(gateway().process().wait_for_stderr("--timeout expired", 10s));
    ws->send_binary(as_bytes("again"));
    ASSERT_EQ(as_string(ws->receive_bytes(5)), "again") << "the session must outlive --timeout";

    gateway().process().send_signal(SIGTERM);
    auto closed = ws->receive_until_close(10s);
    EXPECT_TRUE(closed.close_frame) << closed.describe();
    EXPECT_EQ(closed.code, 1001) << closed.describe();
    ASSERT_TRUE(exits_cleanly(gateway().process(), "after SIGTERM"));
}

// With several I/O threads every thread listens on the port (SO_REUSEPORT); a second gateway on
// the same port must still fail as websockify would, not quietly take half the connections.
TEST_F(lifecycle_test, a_second_gateway_on_the_same_port_fails) {
    start_gateway({"--threads", "2", "127.0.0.1:0", echo_->address()});
    const auto port = std::to_string(gateway().port());
    child_process second(gateway_binary(),
                         {"--threads", "2", "127.0.0.1:" + port, echo_->address()});
    auto status = second.wait_exit(10s);
    ASSERT_TRUE(status) << "the second gateway is still running: " << second.stderr_text();
    EXPECT_TRUE(status->exited && status->code != 0) << status->describe();
    EXPECT_TRUE(contains_icase(second.stderr_text(), "in use")) << second.stderr_text();
    EXPECT_TRUE(echo_round_trip());
}

TEST_F(lifecycle_test, idle_timeout_exits_without_connections) {
    start_gateway({"--idle-timeout", "1", "127.0.0.1:0", echo_->address()});
    ASSERT_TRUE(exits_cleanly(gateway().process(), "with --idle-timeout 1 and no connection"));
}

TEST_F(lifecycle_test, idle_timeout_waits_for_active_sessions) {
    start_gateway({"--idle-timeout", "1", "127.0.0.1:0", echo_->address()});
    auto ws = connect_ws();
    // The session stays open for 3 s, well past the idle timeout; it is active, so the gateway
    // must stay.
    for (int i = 0; i < 6; ++i) {
        std::this_thread::sleep_for(500ms);
        auto msg = payload(82).bytes(i * 10, 10);
        ws->send_binary(msg);
        ASSERT_EQ(ws->receive_bytes(10), msg) << "round " << i;
    }
    EXPECT_TRUE(gateway().process().running()) << "exited while a session was active";
    ws->close(1000, "");
    auto status = gateway().process().wait_exit(10s);
    EXPECT_TRUE(status) << "did not exit after the last session ended";
}

TEST_F(lifecycle_test, heartbeat_pings_the_browser) {
    start_gateway({"--heartbeat", "1", "127.0.0.1:0", echo_->address()});
    raw_socket s = connect_raw();
    ws_upgrade(s, "/", gateway_host());
    auto t = read_ws(s, SIZE_MAX, 3500ms);
    EXPECT_GE(t.pings, 2u) << "pings in 3.5 s with --heartbeat 1";
    EXPECT_FALSE(t.close) << "closed: " << t.close->close_code();
    // Pings answered: the session still relays.
    auto msg = payload(83).bytes(0, 100);
    s.send_all(encode_frame(op_binary, true, msg, 0x01020304u));
    auto back = read_ws(s, msg.size(), 10s);
    EXPECT_EQ(back.data, msg);
}

// A browser that never answers pings (but keeps its socket open and reads) is closed with 1011
// and a reason, instead of being dropped without a close frame.
TEST_F(lifecycle_test, heartbeat_closes_a_browser_that_never_answers_with_1011) {
    start_gateway({"--heartbeat", "1", "127.0.0.1:0", echo_->address()});
    raw_socket s = connect_raw();
    ws_upgrade(s, "/", gateway_host());
    std::size_t pings = 0;
    std::optional<ws_frame> close;
    for (int i = 0; i < 20 && !close; ++i) {
        auto f = read_frame(s, 10s); // deliberately no pong
        if (!f) {
            break;
        }
        if (f->opcode == op_ping) {
            ++pings;
        } else if (f->opcode == op_close) {
            close = f;
        }
    }
    ASSERT_TRUE(close) << "no close frame after " << pings << " unanswered pings";
    EXPECT_GE(pings, 1u);
    EXPECT_EQ(close->close_code(), 1011) << "'" << close->close_reason() << "'";
    EXPECT_TRUE(contains_icase(close->close_reason(), "ping")) << close->close_reason();
    s.send_all(encode_close(1011, "", 0x01020304u)); // completes the close handshake
    s.shutdown_write();
    EXPECT_TRUE(gateway().process().wait_for_stderr("browser stopped answering pings", 10s));
    EXPECT_TRUE(echo_round_trip());
}

// While the VNC server takes no data, the gateway stops reading the browser (backpressure), so
// the browser's pongs wait in the socket: that is not the browser's fault, and the session must
// survive it with every byte delivered.
TEST_F(lifecycle_test, heartbeat_spares_a_browser_while_the_vnc_server_is_not_reading) {
    auto log = std::make_shared<stream_log>();
    auto sink = sink_handler(log, 91);
    auto stalling = loopback_server::tcp([sink](connection& c) {
        std::this_thread::sleep_for(4s); // not reading: the gateway's writes to it stall
        sink(c);
    });
    start_gateway({"--heartbeat", "1", "127.0.0.1:0", stalling->address()});
    raw_socket s = connect_raw();
    ws_upgrade(s, "/", gateway_host());

    // More than the socket buffers between here and the VNC server hold: the gateway's writes
    // to it stall, and so do its reads from us, until the server reads again.
    const std::uint64_t total = 32ull << 20;
    const std::size_t piece = 256 * 1024;
    payload p(91);
    for (std::uint64_t off = 0; off < total; off += piece) {
        ASSERT_TRUE(s.send_all(encode_frame(op_binary, true, p.bytes(off, piece), 0x0a0b0c0du)))
            << "the gateway closed the connection after " << off << " bytes";
    }
    // Pings sent during the stall are answered now; the session must be open and stay so.
    auto t = read_ws(s, SIZE_MAX, 3s);
    EXPECT_FALSE(t.close) << "closed: " << t.close->close_code() << " '" << t.close->close_reason()
                          << "'";
    // Close as a browser does: the close frame, then the end of the TCP stream.
    s.send_all(encode_close(1000, "", 0x01020304u));
    s.shutdown_write();
    auto rec = log->wait_done(0, 20s);
    ASSERT_TRUE(rec) << "the VNC server's connection did not end";
    EXPECT_EQ(rec->bytes_read.load(), total);
    EXPECT_EQ(rec->first_mismatch, -1);
}

TEST_F(lifecycle_test, listens_on_ipv6_loopback) {
    if (!ipv6_loopback_available()) {
        GTEST_SKIP() << "no IPv6 loopback on this machine";
    }
    start_gateway({"[::1]:0", echo_->address()});
    EXPECT_EQ(gateway().address().host, "::1") << "expected 'listening on [::1]:PORT'";
    EXPECT_TRUE(echo_round_trip());
}

// One line per session: the browser's address (as accept() reported it), the target, the bytes
// each way and why it ended.
TEST_F(lifecycle_test, one_log_line_per_session_with_client_target_bytes_and_reason) {
    start_gateway({"127.0.0.1:0", echo_->address()});
    raw_socket s = connect_raw();
    sockaddr_in local{};
    socklen_t len = sizeof local;
    ASSERT_EQ(::getsockname(s.fd(), reinterpret_cast<sockaddr*>(&local), &len), 0);
    ws_upgrade(s, "/", gateway_host());
    ASSERT_TRUE(s.send_all(encode_frame(op_binary, true, as_bytes("hello"), 0x11223344u)));
    auto echoed = read_frame(s, 10s);
    ASSERT_TRUE(echoed);
    EXPECT_EQ(as_string(echoed->payload), "hello");
    ASSERT_TRUE(s.send_all(encode_close(1000, "done", 0x55667788u)));
    auto close = read_frame(s, 10s);
    ASSERT_TRUE(close);
    EXPECT_EQ(close->opcode, op_close);
    s.close();

    const std::string expected =
        "session 1 ended: client=127.0.0.1:" + std::to_string(ntohs(local.sin_port)) +
        " target=" + echo_->address() +
        " from_browser=5 to_browser=5 duration=[0-9.]+s "
        "reason=\"browser closed the connection \\(1000 done\\)\"";
    EXPECT_TRUE(gateway().process().wait_for_stderr(expected, 10s))
        << "wanted /" << expected << "/ in:\n"
        << gateway().process().stderr_text();
}

} // namespace
} // namespace vncgate::test
