// Unix-socket integration tests: --unix-target relays to a Unix socket server, --unix-listen
// accepts WebSocket clients on a Unix socket.
#include "support/gateway_fixture.hpp"

namespace vncgate::test {
namespace {

class unix_test : public gateway_test {};

TEST_F(unix_test, unix_target_relays_exactly) {
    auto path = tmp_ / "target.sock";
    auto echo = loopback_server::unix_socket(path.string(), echo_handler());
    start_gateway({"--unix-target", path.string(), "127.0.0.1:0"});
    auto ws = connect_ws();
    payload p(71);
    const std::uint64_t total = 2 << 20;
    stream_checker checker(p);
    auto r = ws->duplex(p, message_plan(total, 100000, 71), total, 60s,
                        [&](std::span<const std::uint8_t> d) { checker.feed(d); });
    EXPECT_EQ(r.send_error, "");
    EXPECT_TRUE(checker.matches(total)) << checker.describe(total) << "; " << r.received.describe();
    EXPECT_EQ(echo->accepted(), 1u);
}

TEST_F(unix_test, unix_target_eof_closes_with_1000) {
    auto path = tmp_ / "source.sock";
    auto log = std::make_shared<stream_log>();
    auto source = loopback_server::unix_socket(path.string(), source_handler(log, 100000, 72));
    start_gateway({"--unix-target", path.string(), "127.0.0.1:0"});
    auto ws = connect_ws();
    std::vector<std::uint8_t> data;
    auto closed = ws->receive_until_close(20s, &data);
    EXPECT_EQ(data, payload(72).bytes(0, 100000));
    EXPECT_EQ(closed.code, 1000) << closed.describe();
}

TEST_F(unix_test, unix_listen_accepts_websocket_clients) {
    auto echo = loopback_server::tcp(echo_handler());
    auto path = tmp_ / "gateway.sock";
    start_gateway({"--unix-listen", path.string(), echo->address()});
    ASSERT_EQ(gateway().address().unix_path, path.string())
        << "expected 'listening on unix:" << path.string() << "'";
    EXPECT_TRUE(std::filesystem::is_socket(path));
    // websockify's default mode: only the owner may connect.
    EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    auto ws = connect_ws();
    EXPECT_EQ(ws->response_header("Sec-WebSocket-Protocol"), "binary");
    payload p(73);
    const std::uint64_t total = 1 << 20;
    stream_checker checker(p);
    auto r = ws->duplex(p, message_plan(total, 65536, 73), total, 60s,
                        [&](std::span<const std::uint8_t> d) { checker.feed(d); });
    EXPECT_TRUE(checker.matches(total)) << checker.describe(total) << "; " << r.received.describe();
    ws->close(1000, "");
    EXPECT_TRUE(echo_round_trip());
}

TEST_F(unix_test, unix_listen_mode_sets_the_socket_mode) {
    auto echo = loopback_server::tcp(echo_handler());
    auto path = tmp_ / "shared.sock";
    start_gateway({"--unix-listen", path.string(), "--unix-listen-mode", "0660", echo->address()});
    using std::filesystem::perms;
    EXPECT_EQ(std::filesystem::status(path).permissions() & perms::all,
              perms::owner_read | perms::owner_write | perms::group_read | perms::group_write);
    EXPECT_TRUE(echo_round_trip());
}

} // namespace
} // namespace vncgate::test
