// The integration-test fixture: gateway lifetime, connections, echo check, test certificates.
#include "support/gateway_fixture.hpp"

#include <algorithm>
#include <cctype>
#include <iostream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace vncgate::test {

tls_files make_self_signed_cert(const std::filesystem::path& dir, const std::string& common_name) {
    std::filesystem::create_directories(dir);
    tls_files f{dir / "cert.pem", dir / "key.pem"};
    child_process openssl("/usr/bin/openssl", {"req", "-x509", "-newkey", "ec", "-pkeyopt",
                                               "ec_paramgen_curve:prime256v1", "-nodes", "-days",
                                               "2", "-subj", "/CN=" + common_name, "-addext",
                                               "subjectAltName=DNS:localhost,IP:127.0.0.1",
                                               "-keyout", f.key.string(), "-out", f.cert.string()});
    auto st = openssl.wait_exit(30s);
    if (!st || !st->exited || st->code != 0 || !std::filesystem::exists(f.cert) ||
        !std::filesystem::exists(f.key)) {
        throw std::runtime_error("openssl req failed: " + openssl.stderr_text());
    }
    return f;
}

bool contains_icase(std::string_view haystack, std::string_view needle) {
    auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                          [](char a, char b) {
                              return std::tolower(static_cast<unsigned char>(a)) ==
                                     std::tolower(static_cast<unsigned char>(b));
                          });
    return it != haystack.end();
}

bool ipv6_loopback_available() {
    int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0) {
        return false;
    }
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

::testing::AssertionResult exits_cleanly(child_process& p, const std::string& after,
                                         milliseconds timeout) {
    auto status = p.wait_exit(timeout);
    if (!status) {
        return ::testing::AssertionFailure()
               << "still running " << timeout.count() / 1000 << " s " << after;
    }
    if (!status->exited || status->code != 0) {
        return ::testing::AssertionFailure() << status->describe();
    }
    return ::testing::AssertionSuccess();
}

void gateway_test::TearDown() {
    if (!gateway_) {
        return;
    }
    if (HasFailure()) {
        std::cerr << "gateway arguments:";
        for (const auto& a : gateway_->args()) {
            std::cerr << ' ' << a;
        }
        std::cerr << '\n' << gateway_->output() << std::endl;
    }
    auto status = gateway_->stop(); // SIGTERM, then SIGKILL after 5 s
    if (gateway_->process().was_killed()) {
        std::cerr << "note: the gateway did not exit within 5 s of SIGTERM and was killed\n";
    } else if (!status.exited || status.code != 0) {
        std::cerr << "note: after SIGTERM the gateway " << status.describe() << "\n";
    }
    gateway_.reset();
}

gateway_process& gateway_test::start_gateway(std::vector<std::string> args) {
    gateway_.reset();
    gateway_ = std::make_unique<gateway_process>(std::move(args));
    return *gateway_;
}

std::unique_ptr<ws_client> gateway_test::connect_ws(ws_connect_options opts) {
    const auto& a = gateway_->address();
    if (!a.unix_path.empty()) {
        return ws_client::connect_unix(a.unix_path, opts);
    }
    return ws_client::connect(a.host, a.port, opts);
}

raw_socket gateway_test::connect_raw() {
    const auto& a = gateway_->address();
    if (!a.unix_path.empty()) {
        return raw_socket::connect_unix(a.unix_path);
    }
    return raw_socket::connect_tcp(a.host, a.port);
}

std::string gateway_test::gateway_host() const {
    const auto& a = gateway_->address();
    if (a.host.find(':') != std::string::npos) {
        return "[" + a.host + "]:" + std::to_string(a.port);
    }
    return a.host + ":" + std::to_string(a.port);
}

::testing::AssertionResult gateway_test::echo_round_trip(ws_connect_options opts,
                                                         std::uint64_t seed) {
    if (!gateway_ || !gateway_->process().running()) {
        return ::testing::AssertionFailure() << "the gateway is not running";
    }
    try {
        auto ws = connect_ws(opts);
        payload p(seed);
        std::uint64_t off = 0;
        for (std::size_t size : {1u, 300u, 4000u}) { // under any --max-message-size used here
            auto msg = p.bytes(off, size);
            ws->send_binary(msg);
            auto back = ws->receive_bytes(size);
            if (back != msg) {
                return ::testing::AssertionFailure()
                       << "echo of " << size << " bytes came back different: " << preview(back)
                       << " instead of " << preview(msg);
            }
            off += size;
        }
        // The close reply is checked by its own test (close_test); here only serving matters.
        ws->close(1000, "done", 5s);
    } catch (const std::exception& e) {
        return ::testing::AssertionFailure() << "echo round trip failed: " << e.what();
    }
    return ::testing::AssertionSuccess();
}

} // namespace vncgate::test
