// WebSocket subprotocol negotiation: "binary" is selected when offered, nothing is selected when
// nothing is offered, and a client offering only "base64" is refused with 400.
#include "support/gateway_fixture.hpp"

namespace vncgate::test {
namespace {

class subprotocol_test : public gateway_test {
protected:
    void SetUp() override {
        echo_ = loopback_server::tcp(echo_handler());
        start_gateway({"127.0.0.1:0", echo_->address()});
    }

    std::unique_ptr<loopback_server> echo_;
};

TEST_F(subprotocol_test, binary_offered_binary_selected) {
    ws_connect_options opts;
    opts.subprotocols = {"binary"};
    auto ws = connect_ws(opts);
    EXPECT_EQ(ws->response_header("Sec-WebSocket-Protocol"), "binary");
    EXPECT_TRUE(echo_round_trip(opts));
}

TEST_F(subprotocol_test, binary_among_others_is_selected) {
    ws_connect_options opts;
    opts.subprotocols = {"vnc.other", "binary"};
    auto ws = connect_ws(opts);
    EXPECT_EQ(ws->response_header("Sec-WebSocket-Protocol"), "binary");
}

TEST_F(subprotocol_test, nothing_offered_nothing_selected) {
    ws_connect_options opts;
    opts.subprotocols = {};
    raw_socket s = connect_raw();
    auto res = ws_upgrade(s, "/", gateway_host(), "");
    EXPECT_FALSE(res.has_header("Sec-WebSocket-Protocol"))
        << "selected '" << res.header("Sec-WebSocket-Protocol") << "' although none was offered";
    EXPECT_TRUE(echo_round_trip(opts));
}

TEST_F(subprotocol_test, only_base64_offered_is_400) {
    raw_socket s = connect_raw();
    std::string req = "GET / HTTP/1.1\r\nHost: " + gateway_host() +
                      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: base64\r\n\r\n";
    auto r = http_exchange(s, req);
    EXPECT_EQ(r.status, 400) << r.status_line;
    EXPECT_TRUE(contains_icase(r.body, "base64")) << "body: '" << r.body << "'";
    EXPECT_EQ(echo_->accepted(), 0u) << "no target connection for a refused upgrade";
}

} // namespace
} // namespace vncgate::test
