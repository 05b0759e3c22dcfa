// TLS integration tests: one port speaks plain HTTP/ws and TLS/wss (told apart by the
// ClientHello); --ssl-only refuses plain connections; TLS 1.2 and 1.3 work, TLS 1.1 does not.
#include "support/gateway_fixture.hpp"

#include <openssl/ssl.h>

namespace vncgate::test {
namespace {

class tls_test : public gateway_test {
protected:
    static void SetUpTestSuite() {
        cert_dir_ = new temp_dir();
        files_ = make_self_signed_cert(cert_dir_->path());
    }
    static void TearDownTestSuite() {
        delete cert_dir_;
        cert_dir_ = nullptr;
    }

    void start(std::vector<std::string> extra) {
        web_ = tmp_ / "www";
        std::filesystem::create_directories(web_);
        write_file(web_ / "index.html", "tls index\n");
        echo_ = loopback_server::tcp(echo_handler());
        std::vector<std::string> args{"--cert", files_.cert.string(), "--key", files_.key.string(),
                                      "--web",  web_.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        args.push_back("127.0.0.1:0");
        args.push_back(echo_->address());
        start_gateway(args);
    }

    // A TLS connection with the given protocol range; returns the error, empty on success.
    std::string tls_connect(int min_version, int max_version, raw_socket* keep = nullptr) {
        raw_socket s = connect_raw();
        tls_client_options o;
        o.min_version = min_version;
        o.max_version = max_version;
        o.allow_legacy = true;
        std::string error;
        if (!s.start_tls(o, error)) {
            return error.empty() ? "failed" : error;
        }
        if (keep != nullptr) {
            *keep = std::move(s);
        }
        return "";
    }

    static inline temp_dir* cert_dir_ = nullptr;
    static inline tls_files files_;
    std::filesystem::path web_;
    std::unique_ptr<loopback_server> echo_;
};

TEST_F(tls_test, one_port_serves_plain_and_tls) {
    start({});
    // Plain HTTP and TLS HTTPS on the same port.
    {
        raw_socket s = connect_raw();
        auto r = http_exchange(s, http_request("GET", "/", gateway_host()));
        EXPECT_EQ(r.status, 200) << "plain: " << r.status_line;
        EXPECT_EQ(r.body, "tls index\n");
    }
    {
        raw_socket s;
        ASSERT_EQ(tls_connect(0, 0, &s), "");
        auto r = http_exchange(s, http_request("GET", "/", gateway_host()));
        EXPECT_EQ(r.status, 200) << "TLS: " << r.status_line;
        EXPECT_EQ(r.body, "tls index\n");
    }
    // ws and wss.
    EXPECT_TRUE(echo_round_trip());
    ws_connect_options tls;
    tls.tls = true;
    EXPECT_TRUE(echo_round_trip(tls));
}

TEST_F(tls_test, wss_relays_large_data_exactly) {
    start({});
    ws_connect_options opts;
    opts.tls = true;
    auto ws = connect_ws(opts);
    payload p(91);
    const std::uint64_t total = 4 << 20;
    stream_checker checker(p);
    auto r = ws->duplex(p, message_plan(total, 128 << 10, 91), total, 60s,
                        [&](std::span<const std::uint8_t> d) { checker.feed(d); });
    EXPECT_EQ(r.send_error, "");
    EXPECT_TRUE(checker.matches(total)) << checker.describe(total) << "; " << r.received.describe();
}

TEST_F(tls_test, ssl_only_refuses_plain_connections) {
    start({"--ssl-only"});
    // A plain WebSocket upgrade must not succeed.
    {
        raw_socket s = connect_raw();
        s.send_all("GET / HTTP/1.1\r\nHost: " + gateway_host() +
                   "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                   "Sec-WebSocket-Protocol: binary\r\n\r\n");
        std::vector<std::uint8_t> got;
        auto end = s.wait_closed(10s, &got);
        EXPECT_NE(end, read_result::timeout) << "plain connection kept open";
        EXPECT_EQ(as_string(got).find(" 101 "), std::string::npos) << as_string(got);
        EXPECT_EQ(as_string(got).find("tls index"), std::string::npos);
    }
    // A plain GET gets no file.
    {
        raw_socket s = connect_raw();
        s.send_all(http_request("GET", "/", gateway_host()));
        std::vector<std::uint8_t> got;
        auto end = s.wait_closed(10s, &got);
        EXPECT_NE(end, read_result::timeout);
        EXPECT_EQ(as_string(got).find("tls index"), std::string::npos);
    }
    EXPECT_THROW(connect_ws(), std::exception);
    ws_connect_options tls;
    tls.tls = true;
    EXPECT_TRUE(echo_round_trip(tls));
}

TEST_F(tls_test, tls_1_2_and_1_3_work_tls_1_1_fails) {
    start({});
    raw_socket s12;
    ASSERT_EQ(tls_connect(TLS1_2_VERSION, TLS1_2_VERSION, &s12), "");
    EXPECT_EQ(s12.tls_version(), "TLSv1.2");
    raw_socket s13;
    ASSERT_EQ(tls_connect(TLS1_3_VERSION, TLS1_3_VERSION, &s13), "");
    EXPECT_EQ(s13.tls_version(), "TLSv1.3");

    // The client really offers TLS 1.1 (legacy security level), so a failure comes from the
    // gateway, not from the client refusing to try.
    std::string err = tls_connect(TLS1_1_VERSION, TLS1_1_VERSION);
    EXPECT_NE(err, "") << "a TLS 1.1 handshake succeeded";
    EXPECT_EQ(err.find("no protocols available"), std::string::npos) << err;
    ws_connect_options tls;
    tls.tls = true;
    EXPECT_TRUE(echo_round_trip(tls));
}

TEST_F(tls_test, broken_tls_handshake_does_not_stop_the_gateway) {
    start({});
    for (int i = 0; i < 3; ++i) {
        raw_socket s = connect_raw();
        // A TLS handshake record header followed by junk, then silence on close.
        std::vector<std::uint8_t> junk{0x16, 0x03, 0x01, 0x00, 0x40};
        junk.resize(5 + 0x40, 0xee);
        s.send_all(junk);
        EXPECT_NE(s.wait_closed(10s), read_result::timeout);
    }
    ws_connect_options tls;
    tls.tls = true;
    EXPECT_TRUE(echo_round_trip(tls));
    EXPECT_TRUE(echo_round_trip());
}

} // namespace
} // namespace vncgate::test
