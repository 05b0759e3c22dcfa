// Reload and signal integration tests: SIGHUP swaps the TLS certificate and re-reads a
// ReadOnlyTokenFile without disturbing open sessions; a failed reload keeps the old state; SIGINT
// closes every session with 1001 and exits.
#include "support/gateway_fixture.hpp"

#include <csignal>
#include <fstream>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <regex>
#include <sys/socket.h>
#include <sys/time.h>
#include <thread>

namespace vncgate::test {
namespace {

std::string hex(const unsigned char* p, unsigned n) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < n; ++i) {
        out += digits[p[i] >> 4];
        out += digits[p[i] & 0xf];
    }
    return out;
}

// The identity of a certificate: its subject CN and SHA-256 fingerprint.
struct cert_id {
    std::string cn;
    std::string sha256;
    std::string error; // set if no certificate could be obtained
    std::string describe() const {
        return error.empty() ? "CN=" + cn + " sha256=" + sha256 : "error: " + error;
    }
};

cert_id identify(X509* x) {
    cert_id id;
    char cn[256] = {};
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn) > 0) {
        id.cn = cn;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (X509_digest(x, EVP_sha256(), md, &len) == 1) {
        id.sha256 = hex(md, len);
    } else {
        id.error = "X509_digest failed";
    }
    return id;
}

// The certificate stored in a PEM file.
cert_id file_certificate(const std::filesystem::path& pem) {
    FILE* f = std::fopen(pem.c_str(), "r");
    if (f == nullptr) {
        return {{}, {}, "cannot open " + pem.string()};
    }
    X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (x == nullptr) {
        return {{}, {}, "no certificate in " + pem.string()};
    }
    cert_id id = identify(x);
    X509_free(x);
    return id;
}

// Makes a fresh TLS connection to host:port and returns the certificate the server presented.
cert_id served_certificate(const std::string& host, std::uint16_t port) {
    raw_socket s;
    try {
        s = raw_socket::connect_tcp(host, port);
    } catch (const std::exception& e) {
        return {{}, {}, e.what()};
    }
    timeval tv{10, 0};
    ::setsockopt(s.fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(s.fd(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr); // self-signed test certificates
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, s.fd());
    SSL_set_tlsext_host_name(ssl, "localhost");
    ERR_clear_error();
    cert_id id;
    int rc = SSL_connect(ssl);
    if (rc != 1) {
        unsigned long e = ERR_get_error();
        char buf[256] = {};
        ERR_error_string_n(e, buf, sizeof buf);
        id.error = e != 0 ? std::string("TLS handshake failed: ") + buf
                          : "TLS handshake failed (SSL_get_error " +
                                std::to_string(SSL_get_error(ssl, rc)) + ")";
    } else if (X509* peer = SSL_get1_peer_certificate(ssl); peer != nullptr) {
        id = identify(peer);
        X509_free(peer);
    } else {
        id.error = "the server presented no certificate";
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    ERR_clear_error();
    return id; // s closes the socket
}

std::string regex_escape(const std::string& s) {
    static const std::regex special(R"([.^$|()\[\]{}*+?\\/-])");
    return std::regex_replace(s, special, R"(\$&)");
}

// Number of matches of an ECMAScript regex in text.
std::size_t count_matches(const std::string& text, const std::string& re) {
    std::regex r(re);
    return static_cast<std::size_t>(
        std::distance(std::sregex_iterator(text.begin(), text.end(), r), std::sregex_iterator()));
}

void replace_file(const std::filesystem::path& from, const std::filesystem::path& to) {
    std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
}

class reload_test : public gateway_test {
protected:
    void SetUp() override { echo_ = loopback_server::tcp(echo_handler()); }

    // Certificates A and B (different CNs and keys), and the live cert/key paths the gateway is
    // started with (initially a copy of A).
    void make_certs() {
        a_ = make_self_signed_cert(tmp_ / "a", "vncgate-reload-a");
        b_ = make_self_signed_cert(tmp_ / "b", "vncgate-reload-b");
        live_ = {tmp_ / "live-cert.pem", tmp_ / "live-key.pem"};
        replace_file(a_.cert, live_.cert);
        replace_file(a_.key, live_.key);
        id_a_ = file_certificate(a_.cert);
        id_b_ = file_certificate(b_.cert);
        ASSERT_EQ(id_a_.error, "");
        ASSERT_EQ(id_b_.error, "");
        ASSERT_NE(id_a_.sha256, id_b_.sha256);
    }

    static ws_connect_options tls_options() {
        ws_connect_options o;
        o.tls = true;
        return o;
    }

    // Certificates made, the gateway started with A, and one TLS session open and echoing.
    void open_tls_session(std::unique_ptr<ws_client>& open, std::uint64_t seed) {
        ASSERT_NO_FATAL_FAILURE(make_certs());
        start_tls_gateway();
        open = connect_ws(tls_options());
        ASSERT_TRUE(still_echoes(*open, seed));
    }

    void start_tls_gateway() {
        start_gateway({"--cert", live_.cert.string(), "--key", live_.key.string(), "127.0.0.1:0",
                       echo_->address()});
    }

    cert_id served() { return served_certificate(gateway().address().host, gateway().port()); }

    // Waits until the gateway's stderr holds at least n matches of the regex.
    bool wait_for_log_count(const std::string& re, std::size_t n, milliseconds timeout = 10s) {
        return eventually([&] { return count_matches(gateway().process().stderr_text(), re) >= n; },
                          timeout);
    }

    // Sends SIGHUP and waits for the line the reload of `what` logs (regex), counting earlier
    // occurrences so that a second reload waits for its own line.
    ::testing::AssertionResult sighup_and_wait(const std::string& re) {
        std::size_t before = count_matches(gateway().process().stderr_text(), re);
        gateway().process().send_signal(SIGHUP);
        if (!wait_for_log_count(re, before + 1)) {
            return ::testing::AssertionFailure()
                   << "no log line /" << re << "/ within 10 s of SIGHUP";
        }
        return ::testing::AssertionSuccess();
    }

    // Sends one message on an open session and expects the same bytes back.
    static ::testing::AssertionResult still_echoes(ws_client& ws, std::uint64_t seed,
                                                   std::size_t size = 3000) {
        try {
            auto msg = payload(seed).bytes(0, size);
            ws.send_binary(msg);
            auto back = ws.receive_bytes(size);
            if (back != msg) {
                return ::testing::AssertionFailure()
                       << "echo came back different: " << preview(back) << " instead of "
                       << preview(msg);
            }
        } catch (const std::exception& e) {
            return ::testing::AssertionFailure() << "echo failed: " << e.what();
        }
        return ::testing::AssertionSuccess();
    }

    std::unique_ptr<loopback_server> echo_;
    tls_files a_, b_, live_;
    cert_id id_a_, id_b_;
};

TEST_F(reload_test, sighup_swaps_the_tls_certificate_and_keeps_sessions) {
    ASSERT_NO_FATAL_FAILURE(make_certs());
    start_tls_gateway();
    cert_id before = served();
    EXPECT_EQ(before.sha256, id_a_.sha256) << before.describe();

    ws_connect_options tls;
    tls.tls = true;
    auto open = connect_ws(tls);
    ASSERT_TRUE(still_echoes(*open, 201));

    replace_file(b_.cert, live_.cert);
    replace_file(b_.key, live_.key);
    ASSERT_TRUE(
        sighup_and_wait("reloaded TLS certificate '" + regex_escape(live_.cert.string()) + "'"));
    EXPECT_TRUE(gateway().process().running());

    // The session opened with certificate A is untouched.
    EXPECT_TRUE(still_echoes(*open, 202, 20000));
    // New connections get certificate B.
    cert_id now = served();
    EXPECT_EQ(now.error, "");
    EXPECT_EQ(now.sha256, id_b_.sha256) << "served " << now.describe() << "; B is "
                                        << id_b_.describe() << ", A is " << id_a_.describe();
    EXPECT_EQ(now.cn, "vncgate-reload-b");
    EXPECT_TRUE(echo_round_trip(tls, 203));
    // And the old session still works after new ones came and went, then closes normally.
    EXPECT_TRUE(still_echoes(*open, 204));
    auto closed = open->close(1000, "done", 5s);
    EXPECT_TRUE(closed.close_frame) << closed.describe();
}

TEST_F(reload_test, sighup_rereads_a_read_only_token_file) {
    auto alpha = loopback_server::tcp(banner_echo_handler("alpha"));
    auto beta = loopback_server::tcp(banner_echo_handler("beta!"));
    auto file = tmp_ / "tokens.cfg";
    write_file(file, "a: " + alpha->address() + "\n");
    start_gateway(
        {"--token-plugin", "ReadOnlyTokenFile", "--token-source", file.string(), "127.0.0.1:0"});

    // Opens a session with the token, returns it after reading the target's 5-byte banner.
    auto open_token = [&](const std::string& token, std::string& banner) {
        ws_connect_options opts;
        opts.target = "/?token=" + token;
        auto ws = connect_ws(opts);
        banner = as_string(ws->receive_bytes(5));
        return ws;
    };
    // A token that must be refused: accepted as a WebSocket, then closed with 1008 (as in
    // token_test), no data from any target.
    auto expect_refused = [&](const std::string& token) {
        ws_connect_options opts;
        opts.target = "/?token=" + token;
        std::unique_ptr<ws_client> ws;
        ASSERT_NO_THROW(ws = connect_ws(opts)) << token;
        std::vector<std::uint8_t> data;
        auto closed = ws->receive_until_close(10s, &data);
        EXPECT_TRUE(data.empty()) << token << ": data from some target: " << preview(data);
        EXPECT_TRUE(closed.close_frame) << token << ": " << closed.describe();
        EXPECT_EQ(closed.code, 1008) << token << ": " << closed.describe();
        EXPECT_TRUE(contains_icase(closed.reason, "token")) << token << ": " << closed.describe();
    };

    std::string banner;
    auto open = open_token("a", banner);
    ASSERT_EQ(banner, "alpha");
    ASSERT_TRUE(still_echoes(*open, 211));

    write_file(file, "# a is gone\nb: " + beta->address() + "\n");
    // ReadOnlyTokenFile does not look at the file again by itself: before SIGHUP the old table
    // still applies.
    {
        auto again = open_token("a", banner);
        EXPECT_EQ(banner, "alpha") << "before SIGHUP";
        EXPECT_TRUE(still_echoes(*again, 212));
        again->close(1000, "", 5s);
    }
    expect_refused("b");
    EXPECT_EQ(beta->accepted(), 0u);

    ASSERT_TRUE(sighup_and_wait("reloaded tokens from '" + regex_escape(file.string()) + "'"));
    EXPECT_TRUE(gateway().process().running());

    // The session opened with token a survives its token's removal.
    EXPECT_TRUE(still_echoes(*open, 213, 20000));
    // b now routes to beta.
    {
        auto fresh = open_token("b", banner);
        EXPECT_EQ(banner, "beta!");
        EXPECT_TRUE(still_echoes(*fresh, 214));
        fresh->close(1000, "", 5s);
    }
    // a is refused for new sessions and does not reach alpha.
    std::size_t alpha_before = alpha->accepted();
    expect_refused("a");
    EXPECT_EQ(alpha->accepted(), alpha_before) << "a refused token reached its old target";
    EXPECT_TRUE(still_echoes(*open, 215));
    auto closed = open->close(1000, "done", 5s);
    EXPECT_TRUE(closed.close_frame) << closed.describe();
}

TEST_F(reload_test, failed_certificate_reload_keeps_the_old_certificate) {
    std::unique_ptr<ws_client> open;
    ASSERT_NO_FATAL_FAILURE(open_tls_session(open, 221));
    const auto tls = tls_options();

    const std::string failed = "TLS reload failed, keeping the previous certificate";
    const std::string cert_re = regex_escape(live_.cert.string());

    // 1. Garbage in the certificate file.
    write_file(live_.cert, "this is not a certificate\n");
    ASSERT_TRUE(sighup_and_wait(failed + ": cannot use certificate '" + cert_re + "'"));
    EXPECT_EQ(count_matches(gateway().process().stderr_text(), "reloaded TLS certificate"), 0u);
    EXPECT_TRUE(gateway().process().running());
    EXPECT_TRUE(still_echoes(*open, 222));
    cert_id now = served();
    EXPECT_EQ(now.sha256, id_a_.sha256) << "after a garbage certificate: served " << now.describe();
    EXPECT_TRUE(echo_round_trip(tls, 223));

    // 2. A valid certificate whose key does not match (B's certificate, A's key still in place).
    // OpenSSL notices the mismatch either when the key is loaded or in the explicit check.
    replace_file(b_.cert, live_.cert);
    const std::string key_re = regex_escape(live_.key.string());
    ASSERT_TRUE(sighup_and_wait(failed + ": (cannot use private key '" + key_re +
                                "'|private key '" + key_re + "' does not match)"));
    EXPECT_TRUE(gateway().process().running());
    EXPECT_TRUE(still_echoes(*open, 224));
    now = served();
    EXPECT_EQ(now.sha256, id_a_.sha256) << "after a mismatched key: served " << now.describe();

    // 3. Fixing the files and reloading again picks up B: the failures left nothing stuck.
    replace_file(b_.key, live_.key);
    ASSERT_TRUE(sighup_and_wait("reloaded TLS certificate '" + cert_re + "'"));
    now = served();
    EXPECT_EQ(now.sha256, id_b_.sha256) << "after the fix: served " << now.describe();
    EXPECT_TRUE(still_echoes(*open, 225));
    EXPECT_TRUE(echo_round_trip(tls, 226));
}

// A certificate file that is missing at a reload (a renewal that deletes before it writes) must
// not turn TLS off: the gateway keeps the certificate it has and says why.
TEST_F(reload_test, missing_certificate_file_keeps_the_old_certificate) {
    std::unique_ptr<ws_client> open;
    ASSERT_NO_FATAL_FAILURE(open_tls_session(open, 231));
    const auto tls = tls_options();

    std::filesystem::remove(live_.cert);
    ASSERT_TRUE(sighup_and_wait("TLS reload failed, keeping the previous certificate: "
                                "certificate file '[^']*' not found"));
    EXPECT_TRUE(gateway().process().running());
    EXPECT_TRUE(still_echoes(*open, 232));
    cert_id now = served();
    EXPECT_EQ(now.error, "") << "new TLS connections fail after reloading with a missing "
                                "certificate file";
    EXPECT_EQ(now.sha256, id_a_.sha256) << "served " << now.describe();
    EXPECT_TRUE(echo_round_trip(tls, 233));
}

TEST_F(reload_test, sigint_closes_every_session_with_1001_and_exits_0) {
    ASSERT_NO_FATAL_FAILURE(make_certs());
    start_tls_gateway();
    std::vector<std::unique_ptr<ws_client>> open;
    for (int i = 0; i < 4; ++i) {
        ws_connect_options opts;
        opts.tls = i % 2 == 1; // plain and TLS sessions
        open.push_back(connect_ws(opts));
        ASSERT_TRUE(still_echoes(*open.back(), 241 + i, 100)) << "session " << i;
    }

    gateway().process().send_signal(SIGINT);
    for (std::size_t i = 0; i < open.size(); ++i) {
        auto closed = open[i]->receive_until_close(10s);
        EXPECT_TRUE(closed.close_frame) << "session " << i << ": " << closed.describe();
        EXPECT_EQ(closed.code, 1001) << "session " << i << ": " << closed.describe();
    }
    ASSERT_TRUE(exits_cleanly(gateway().process(), "after SIGINT"));
    EXPECT_EQ(count_matches(gateway().process().stderr_text(), "SIGINT: closing 4 session"), 1u);
}

} // namespace
} // namespace vncgate::test
