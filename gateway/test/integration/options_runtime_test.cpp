// Options run against the real binary: --log-file, -D with --log-file, --ssl-version tlsv1_3,
// --ssl-ciphers, --key-password with an encrypted key, a port-only (dual-stack) listen address,
// and TCP_NODELAY on both sockets of a session.
#include "support/gateway_fixture.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <regex>
#include <sstream>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

namespace vncgate::test {
namespace {

// The file's content, or "" if it cannot be read (yet).
std::string read_file_or_empty(const std::filesystem::path& path) {
    try {
        return read_file(path);
    } catch (const std::exception&) {
        return "";
    }
}

// Polls a file until it contains a match of the ECMAScript regex; returns the first capture
// group (or the whole match), nullopt on timeout.
std::optional<std::string> wait_for_file_match(const std::filesystem::path& path,
                                               const std::string& regex, milliseconds timeout) {
    std::regex re(regex);
    std::optional<std::string> found;
    eventually(
        [&] {
            std::string text = read_file_or_empty(path);
            std::smatch m;
            if (std::regex_search(text, m, re)) {
                found = m.size() > 1 ? m[1].str() : m[0].str();
                return true;
            }
            return false;
        },
        timeout);
    return found;
}

std::uint16_t local_port(int fd) {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        return 0;
    }
    if (a.ss_family == AF_INET) {
        return ntohs(reinterpret_cast<sockaddr_in*>(&a)->sin_port);
    }
    if (a.ss_family == AF_INET6) {
        return ntohs(reinterpret_cast<sockaddr_in6*>(&a)->sin6_port);
    }
    return 0;
}

// What a TLS client handshake gave.
struct tls_outcome {
    std::string error; // empty: the handshake succeeded
    std::string version;
    std::string cipher;
    std::string describe() const {
        return error.empty() ? "ok: " + version + " " + cipher : "failed: " + error;
    }
};

// A TLS handshake with host:port limited to [min_version, max_version] (0: library default)
// and, when tls12_ciphers is not empty, offering only those TLS 1.2 ciphers.
tls_outcome tls_handshake(const std::string& host, std::uint16_t port, int min_version,
                          int max_version, const std::string& tls12_ciphers = "") {
    tls_outcome out;
    raw_socket s;
    try {
        s = raw_socket::connect_tcp(host, port);
    } catch (const std::exception& e) {
        out.error = std::string("TCP connect failed: ") + e.what();
        return out;
    }
    timeval tv{10, 0};
    ::setsockopt(s.fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(s.fd(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr); // self-signed test certificates
    if (min_version != 0) {
        SSL_CTX_set_min_proto_version(ctx, min_version);
    }
    if (max_version != 0) {
        SSL_CTX_set_max_proto_version(ctx, max_version);
    }
    if (!tls12_ciphers.empty() && SSL_CTX_set_cipher_list(ctx, tls12_ciphers.c_str()) != 1) {
        SSL_CTX_free(ctx);
        ERR_clear_error();
        out.error = "test client: OpenSSL does not know the cipher list " + tls12_ciphers;
        return out;
    }
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, s.fd());
    SSL_set_tlsext_host_name(ssl, "localhost");
    ERR_clear_error();
    int rc = SSL_connect(ssl);
    if (rc != 1) {
        unsigned long e = ERR_get_error();
        char buf[256] = {};
        ERR_error_string_n(e, buf, sizeof buf);
        out.error = e != 0 ? std::string(buf)
                           : "SSL_connect failed (SSL_get_error " +
                                 std::to_string(SSL_get_error(ssl, rc)) + ")";
    } else {
        out.version = SSL_get_version(ssl);
        out.cipher = SSL_get_cipher_name(ssl);
        SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    ERR_clear_error();
    return out; // s closes the socket
}

// A process's state letter from /proc/PID/stat ('R', 'S', 'Z', ...), or 0 if it is gone.
char process_state(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;
    if (!std::getline(f, stat)) {
        return 0;
    }
    auto paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 >= stat.size()) {
        return 0;
    }
    return stat[paren + 2];
}

// True while the process exists and is not a zombie (a daemon is not our child: whoever
// inherited it reaps it, maybe late).
bool process_alive(pid_t pid) {
    char st = process_state(pid);
    return st != 0 && st != 'Z' && st != 'X';
}

// The PIDs of the processes (other than ours and `exclude`) whose command line has an argument
// exactly equal to `arg`.
std::vector<pid_t> processes_with_argument(const std::string& arg, pid_t exclude) {
    std::vector<pid_t> found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        pid_t pid = static_cast<pid_t>(std::stol(name));
        if (pid == ::getpid() || pid == exclude) {
            continue;
        }
        std::string cmdline = read_file_or_empty(entry.path() / "cmdline");
        std::istringstream args(cmdline);
        std::string a;
        while (std::getline(args, a, '\0')) {
            if (a == arg) {
                found.push_back(pid);
                break;
            }
        }
    }
    return found;
}

// The daemon of a test. While it exists the test process is a child subreaper, so that the daemon,
// orphaned when the started process exits, becomes this process's child and can be reaped here
// (with its exit status) instead of lingering as a zombie of an init that may not reap. The
// destructor kills the daemon if it still runs (an assertion ended the test early).
class daemon_watch {
public:
    daemon_watch() : subreaper_(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0) {}
    ~daemon_watch() {
        if (pid_ > 0 && !status_ && process_alive(pid_)) {
            ::kill(pid_, SIGKILL);
            wait_gone(5s);
        }
        if (subreaper_) {
            ::prctl(PR_SET_CHILD_SUBREAPER, 0);
        }
    }
    daemon_watch(const daemon_watch&) = delete;
    daemon_watch& operator=(const daemon_watch&) = delete;

    void set_pid(pid_t pid) { pid_ = pid; }
    pid_t pid() const { return pid_; }

    // Waits until the daemon is gone. Returns false on timeout. status() is then set if this
    // process could reap it.
    bool wait_gone(milliseconds timeout) {
        return eventually(
            [&] {
                if (status_) {
                    return true;
                }
                int st = 0;
                pid_t r = ::waitpid(pid_, &st, WNOHANG);
                if (r == pid_) {
                    exit_status s;
                    s.exited = WIFEXITED(st);
                    s.code = s.exited ? WEXITSTATUS(st) : 0;
                    s.signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
                    status_ = s;
                    return true;
                }
                // Not our child (no subreaper): gone when it is gone or a zombie.
                return r < 0 && !process_alive(pid_);
            },
            timeout);
    }
    const std::optional<exit_status>& status() const { return status_; }

private:
    bool subreaper_;
    pid_t pid_ = -1;
    std::optional<exit_status> status_;
};

class options_runtime_test : public gateway_test {
protected:
    void SetUp() override { echo_ = loopback_server::tcp(echo_handler()); }

    // echo_round_trip against an explicit address (the fixture's uses the logged one).
    static ::testing::AssertionResult echo_at(const std::string& host, std::uint16_t port,
                                              ws_connect_options opts = {},
                                              std::uint64_t seed = 4343) {
        try {
            auto ws = ws_client::connect(host, port, opts);
            payload p(seed);
            std::uint64_t off = 0;
            for (std::size_t size : {1u, 300u, 4000u}) {
                auto msg = p.bytes(off, size);
                ws->send_binary(msg);
                auto back = ws->receive_bytes(size);
                if (back != msg) {
                    return ::testing::AssertionFailure()
                           << "echo of " << size << " bytes via " << host << ":" << port
                           << " came back different: " << preview(back);
                }
                off += size;
            }
            ws->close(1000, "done", 5s);
        } catch (const std::exception& e) {
            return ::testing::AssertionFailure()
                   << "echo round trip via " << host << ":" << port << " failed: " << e.what();
        }
        return ::testing::AssertionSuccess();
    }

    static ws_connect_options tls_options() {
        ws_connect_options o;
        o.tls = true;
        return o;
    }

    std::unique_ptr<loopback_server> echo_;
};

// --log-file: the listening line and the session line go to the file (appended to what it
// held), not to stderr.
TEST_F(options_runtime_test, log_file_receives_listening_and_session_lines) {
    const std::string bin = gateway_binary();
    ASSERT_FALSE(bin.empty()) << "VNCGATE_BIN is not set";
    const auto log = tmp_ / "vncgate.log";
    write_file(log, "a line from an earlier run\n");
    child_process gw(bin, {"--log-file", log.string(), "127.0.0.1:0", echo_->address()});
    auto dump = [&] {
        return "--- log file ---\n" + read_file_or_empty(log) + "--- stderr ---\n" +
               gw.stderr_text() + "--- stdout ---\n" + gw.stdout_text();
    };

    auto port_text = wait_for_file_match(log, R"(listening on 127\.0\.0\.1:([1-9][0-9]*))", 10s);
    ASSERT_TRUE(port_text) << "no 'listening on 127.0.0.1:PORT' in the log file within 10 s\n"
                           << dump();
    const auto port = static_cast<std::uint16_t>(std::stoi(*port_text));

    // One session, with the client port known (the session line names it).
    raw_socket s = raw_socket::connect_tcp("127.0.0.1", port);
    const std::uint16_t client_port = local_port(s.fd());
    ws_upgrade(s, "/", "127.0.0.1:" + std::to_string(port));
    ASSERT_TRUE(s.send_all(encode_frame(op_binary, true, as_bytes("hello"), 0x11223344u)));
    auto echoed = read_frame(s, 10s);
    ASSERT_TRUE(echoed) << dump();
    EXPECT_EQ(as_string(echoed->payload), "hello");
    ASSERT_TRUE(s.send_all(encode_close(1000, "done", 0x55667788u)));
    auto close = read_frame(s, 10s);
    ASSERT_TRUE(close) << dump();
    EXPECT_EQ(close->opcode, op_close);
    s.close();

    const std::string session_line =
        "session 1 ended: client=127\\.0\\.0\\.1:" + std::to_string(client_port) +
        " target=" + echo_->address() +
        " from_browser=5 to_browser=5 duration=[0-9.]+s "
        "reason=\"browser closed the connection \\(1000 done\\)\"";
    EXPECT_TRUE(wait_for_file_match(log, session_line, 10s))
        << "wanted /" << session_line << "/ in the log file\n"
        << dump();

    const std::string text = read_file_or_empty(log);
    EXPECT_EQ(text.rfind("a line from an earlier run\n", 0), 0u)
        << "--log-file must append, not truncate\n"
        << dump();
    EXPECT_EQ(gw.stderr_text().find("listening on"), std::string::npos)
        << "the listening line went to stderr too\n"
        << dump();
    EXPECT_EQ(gw.stderr_text().find("session 1 ended"), std::string::npos)
        << "the session line went to stderr too\n"
        << dump();

    gw.send_signal(SIGTERM);
    auto status = gw.wait_exit(10s);
    ASSERT_TRUE(status) << "still running 10 s after SIGTERM\n" << dump();
    EXPECT_TRUE(status->exited && status->code == 0) << status->describe();
    EXPECT_TRUE(wait_for_file_match(log, "exiting", 5s)) << dump();
}

// -D with --log-file: the started process exits 0 at once, a daemon serves on the port it logged,
// and SIGTERM ends the daemon.
TEST_F(options_runtime_test, daemon_keeps_serving_after_the_started_process_exits) {
    const std::string bin = gateway_binary();
    ASSERT_FALSE(bin.empty()) << "VNCGATE_BIN is not set";
    const auto log = tmp_ / "vncgate-daemon.log"; // unique path: it identifies the daemon
    daemon_watch daemon; // before the launcher: the daemon must be reparented to this process
    child_process launcher(bin,
                           {"-D", "--log-file", log.string(), "127.0.0.1:0", echo_->address()});

    auto status = launcher.wait_exit(10s);
    ASSERT_TRUE(status) << "-D: the started process still runs after 10 s\n"
                        << launcher.stderr_text();
    EXPECT_TRUE(status->exited && status->code == 0)
        << status->describe() << "\n"
        << launcher.stderr_text() << read_file_or_empty(log);

    std::vector<pid_t> pids;
    ASSERT_TRUE(eventually(
        [&] {
            pids = processes_with_argument(log.string(), launcher.pid());
            return !pids.empty();
        },
        10s))
        << "no process with " << log << " on its command line: the daemon is not running\n"
        << read_file_or_empty(log);
    ASSERT_EQ(pids.size(), 1u) << "more than one process has the test's log path";
    daemon.set_pid(pids.front());
    EXPECT_TRUE(process_alive(daemon.pid()));
    // The daemon let go of the caller's output (a shell capturing it would wait otherwise) and
    // of its working directory.
    for (int fd = 0; fd <= 2; ++fd) {
        std::error_code ec;
        auto target = std::filesystem::read_symlink(
            "/proc/" + std::to_string(daemon.pid()) + "/fd/" + std::to_string(fd), ec);
        EXPECT_EQ(target, "/dev/null") << "descriptor " << fd << ": " << ec.message();
    }
    {
        std::error_code ec;
        EXPECT_EQ(
            std::filesystem::read_symlink("/proc/" + std::to_string(daemon.pid()) + "/cwd", ec),
            "/")
            << ec.message();
    }

    auto port_text = wait_for_file_match(log, R"(listening on 127\.0\.0\.1:([1-9][0-9]*))", 10s);
    ASSERT_TRUE(port_text) << "no listening line in the log file\n" << read_file_or_empty(log);
    const auto port = static_cast<std::uint16_t>(std::stoi(*port_text));

    EXPECT_TRUE(echo_at("127.0.0.1", port)) << read_file_or_empty(log);
    EXPECT_TRUE(wait_for_file_match(log, "session 1 ended: ", 10s))
        << "the daemon does not log sessions to the file\n"
        << read_file_or_empty(log);

    ASSERT_EQ(::kill(daemon.pid(), SIGTERM), 0) << std::strerror(errno);
    ASSERT_TRUE(daemon.wait_gone(10s))
        << "the daemon (PID " << daemon.pid() << ") still runs 10 s after SIGTERM\n"
        << read_file_or_empty(log);
    RecordProperty("daemon_reaped_here", daemon.status() ? "yes" : "no");
    if (daemon.status()) {
        EXPECT_TRUE(daemon.status()->exited && daemon.status()->code == 0)
            << "the daemon " << daemon.status()->describe() << "\n"
            << read_file_or_empty(log);
    }
    EXPECT_TRUE(wait_for_file_match(log, "exiting", 5s)) << read_file_or_empty(log);
}

// --ssl-version tlsv1_3: a client that can speak at most TLS 1.2 is refused, TLS 1.3 works.
TEST_F(options_runtime_test, ssl_version_tlsv1_3_refuses_tls_1_2) {
    auto files = make_self_signed_cert(tmp_ / "cert");
    start_gateway({"--cert", files.cert.string(), "--key", files.key.string(), "--ssl-version",
                   "tlsv1_3", "127.0.0.1:0", echo_->address()});

    auto t12 = tls_handshake("127.0.0.1", gateway().port(), TLS1_2_VERSION, TLS1_2_VERSION);
    EXPECT_NE(t12.error, "") << "a TLS 1.2-only client got in: " << t12.describe();
    auto t13 = tls_handshake("127.0.0.1", gateway().port(), TLS1_3_VERSION, TLS1_3_VERSION);
    EXPECT_EQ(t13.error, "") << t13.describe();
    EXPECT_EQ(t13.version, "TLSv1.3");
    EXPECT_TRUE(echo_round_trip(tls_options()));
}

// --ssl-ciphers limits the TLS 1.2 ciphers (the test certificates are EC, so ECDSA suites); an
// invalid list stops vncgate at startup.
TEST_F(options_runtime_test, ssl_ciphers_limits_tls_1_2_ciphers) {
    auto files = make_self_signed_cert(tmp_ / "cert");
    const std::string allowed = "ECDHE-ECDSA-AES128-GCM-SHA256";
    const std::string other = "ECDHE-ECDSA-AES256-GCM-SHA384";

    // Control: without --ssl-ciphers the other cipher is accepted, so a failure below comes from
    // the option.
    start_gateway({"--cert", files.cert.string(), "--key", files.key.string(), "127.0.0.1:0",
                   echo_->address()});
    auto control =
        tls_handshake("127.0.0.1", gateway().port(), TLS1_2_VERSION, TLS1_2_VERSION, other);
    ASSERT_EQ(control.error, "") << "without --ssl-ciphers: " << control.describe();
    EXPECT_EQ(control.cipher, other);
    gateway().stop();

    start_gateway({"--cert", files.cert.string(), "--key", files.key.string(), "--ssl-ciphers",
                   allowed, "127.0.0.1:0", echo_->address()});
    auto refused =
        tls_handshake("127.0.0.1", gateway().port(), TLS1_2_VERSION, TLS1_2_VERSION, other);
    EXPECT_NE(refused.error, "") << "a client offering only " << other
                                 << " got in: " << refused.describe();
    auto ok = tls_handshake("127.0.0.1", gateway().port(), TLS1_2_VERSION, TLS1_2_VERSION, allowed);
    EXPECT_EQ(ok.error, "") << ok.describe();
    EXPECT_EQ(ok.version, "TLSv1.2");
    EXPECT_EQ(ok.cipher, allowed);
    EXPECT_TRUE(echo_round_trip(tls_options()));
    EXPECT_TRUE(echo_round_trip());

    // An invalid list: a clear error and a non-zero exit before listening.
    const std::string bogus = "NO-SUCH-CIPHER-XYZ";
    child_process bad(gateway_binary(), {"--cert", files.cert.string(), "--key", files.key.string(),
                                         "--ssl-ciphers", bogus, "127.0.0.1:0", echo_->address()});
    auto st = bad.wait_exit(10s);
    ASSERT_TRUE(st) << "--ssl-ciphers " << bogus << ": still running after 10 s\n"
                    << bad.stderr_text();
    EXPECT_TRUE(st->exited && st->code != 0) << st->describe();
    const std::string err = bad.stderr_text();
    EXPECT_NE(err.find("--ssl-ciphers"), std::string::npos) << err;
    EXPECT_NE(err.find(bogus), std::string::npos) << err;
    EXPECT_EQ(err.find("listening on"), std::string::npos) << err;
}

// --key-password: the right password unlocks an encrypted key; a wrong one stops vncgate with a
// message naming the key file. The password never appears in the output (not even with -v).
TEST_F(options_runtime_test, key_password_unlocks_an_encrypted_key_and_is_never_logged) {
    auto files = make_self_signed_cert(tmp_ / "cert");
    const std::string password = "Vg-k3y-Pa55word-9137";
    const std::string wrong = "Wr0ng-Vg-Password-2468";
    const auto encrypted = tmp_ / "cert" / "encrypted-key.pem";
    child_process openssl("/usr/bin/openssl",
                          {"pkey", "-in", files.key.string(), "-aes256", "-passout",
                           "pass:" + password, "-out", encrypted.string()});
    auto ost = openssl.wait_exit(30s);
    ASSERT_TRUE(ost && ost->exited && ost->code == 0) << openssl.stderr_text();
    ASSERT_NE(read_file(encrypted).find("ENCRYPTED PRIVATE KEY"), std::string::npos)
        << read_file(encrypted);

    auto no_secret = [](const std::string& where, const std::string& text,
                        const std::string& secret) -> ::testing::AssertionResult {
        if (text.find(secret) == std::string::npos) {
            return ::testing::AssertionSuccess();
        }
        return ::testing::AssertionFailure() << "the password appears on " << where << ":\n"
                                             << text;
    };

    // The right password: TLS is served.
    start_gateway({"-v", "--cert", files.cert.string(), "--key", encrypted.string(),
                   "--key-password", password, "127.0.0.1:0", echo_->address()});
    auto t = tls_handshake("127.0.0.1", gateway().port(), 0, 0);
    EXPECT_EQ(t.error, "") << t.describe();
    EXPECT_TRUE(echo_round_trip(tls_options()));
    gateway().process().send_signal(SIGHUP); // a reload decrypts the key again
    ASSERT_TRUE(gateway().process().wait_for_stderr("reloaded TLS certificate", 10s))
        << gateway().output();
    EXPECT_TRUE(echo_round_trip(tls_options()));
    gateway().stop(); // all of its output is captured now
    EXPECT_TRUE(no_secret("stderr", gateway().process().stderr_text(), password));
    EXPECT_TRUE(no_secret("stdout", gateway().process().stdout_text(), password));

    // A wrong password: exit non-zero, naming the key file, before listening.
    child_process bad(gateway_binary(),
                      {"-v", "--cert", files.cert.string(), "--key", encrypted.string(),
                       "--key-password", wrong, "127.0.0.1:0", echo_->address()});
    auto st = bad.wait_exit(10s);
    ASSERT_TRUE(st) << "wrong --key-password: still running after 10 s\n" << bad.stderr_text();
    EXPECT_TRUE(st->exited && st->code != 0) << st->describe();
    const std::string err = bad.stderr_text();
    EXPECT_NE(err.find(encrypted.string()), std::string::npos)
        << "the error does not name the key file:\n"
        << err;
    EXPECT_EQ(err.find("listening on"), std::string::npos) << err;
    EXPECT_TRUE(no_secret("stderr", err, wrong));
    EXPECT_TRUE(no_secret("stdout", bad.stdout_text(), wrong));
    EXPECT_TRUE(no_secret("stderr", err, password));
}

// A listen address without a host listens on every interface, IPv6 and IPv4 (dual-stack).
TEST_F(options_runtime_test, port_only_listen_address_is_dual_stack) {
    const bool v6 = ipv6_loopback_available();
    start_gateway({"0", echo_->address()});
    const std::uint16_t port = gateway().port();
    ASSERT_NE(port, 0);
    // The wildcard: [::] when the machine has IPv6 (v4-mapped IPv4 comes with it), else 0.0.0.0.
    EXPECT_EQ(gateway().address().host, v6 ? "::" : "0.0.0.0") << gateway().output();
    EXPECT_TRUE(echo_at("127.0.0.1", port)) << gateway().output();
    if (!v6) {
        GTEST_SKIP() << "no IPv6 loopback on this machine: checked IPv4 only";
    }
    EXPECT_TRUE(echo_at("::1", port)) << gateway().output();
}

// Both TCP sockets of a session (browser side, VNC server side) have TCP_NODELAY. The gateway's
// descriptors are copied into this process with pidfd_getfd and inspected here.
TEST_F(options_runtime_test, both_session_sockets_have_tcp_nodelay) {
#if !defined(SYS_pidfd_open) || !defined(SYS_pidfd_getfd)
    GTEST_SKIP() << "this system's headers have no pidfd_open/pidfd_getfd";
#else
    start_gateway({"127.0.0.1:0", echo_->address()});
    raw_socket s = connect_raw();
    const std::uint16_t client_port = local_port(s.fd());
    ws_upgrade(s, "/", gateway_host());
    ASSERT_TRUE(s.send_all(encode_frame(op_binary, true, as_bytes("ping"), 0x01020304u)));
    ASSERT_EQ(as_string(read_ws(s, 4, 10s).data), "ping"); // the target connection is up

    const pid_t pid = gateway().pid();
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0) {
        GTEST_SKIP() << "pidfd_open(" << pid << ") failed: " << std::strerror(errno);
    }
    struct tcp_socket_info {
        int fd;
        std::uint16_t local_port;
        std::uint16_t peer_port;
        int nodelay;
    };
    std::vector<tcp_socket_info> connected;
    std::string skip_reason;
    std::error_code ec;
    for (const auto& entry :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
        std::error_code lec;
        auto target = std::filesystem::read_symlink(entry.path(), lec);
        if (lec || target.string().rfind("socket:", 0) != 0) {
            continue;
        }
        const int remote_fd = std::stoi(entry.path().filename().string());
        int fd = static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd, remote_fd, 0));
        if (fd < 0) {
            if (errno == EBADF) {
                continue; // closed since the listing
            }
            skip_reason = "pidfd_getfd(" + std::to_string(remote_fd) +
                          ") failed: " + std::strerror(errno) + " (errno " + std::to_string(errno) +
                          ")";
            break;
        }
        int domain = 0;
        int type = 0;
        int listening = 0;
        socklen_t len = sizeof domain;
        ::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len);
        len = sizeof type;
        ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
        len = sizeof listening;
        ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len);
        sockaddr_storage peer{};
        socklen_t plen = sizeof peer;
        const bool tcp = (domain == AF_INET || domain == AF_INET6) && type == SOCK_STREAM;
        if (tcp && listening == 0 &&
            ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &plen) == 0) {
            std::uint16_t peer_port =
                peer.ss_family == AF_INET
                    ? ntohs(reinterpret_cast<sockaddr_in*>(&peer)->sin_port)
                    : ntohs(reinterpret_cast<sockaddr_in6*>(&peer)->sin6_port);
            int nodelay = -1;
            len = sizeof nodelay;
            ::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &len);
            connected.push_back({remote_fd, local_port(fd), peer_port, nodelay});
        }
        ::close(fd); // our copy only: the gateway's descriptor stays open
    }
    ::close(pidfd);
    if (!skip_reason.empty()) {
        GTEST_SKIP() << skip_reason;
    }

    bool browser_side = false;
    bool target_side = false;
    for (const auto& c : connected) {
        browser_side |= c.peer_port == client_port;
        target_side |= c.peer_port == echo_->port();
        EXPECT_EQ(c.nodelay, 1) << "gateway fd " << c.fd << " (local port " << c.local_port
                                << ", peer port " << c.peer_port << ", "
                                << (c.peer_port == client_port     ? "browser side"
                                    : c.peer_port == echo_->port() ? "VNC server side"
                                                                   : "other")
                                << ") has no TCP_NODELAY";
    }
    EXPECT_TRUE(browser_side) << "no gateway socket connected to the client port " << client_port;
    EXPECT_TRUE(target_side) << "no gateway socket connected to the echo server port "
                             << echo_->port();
    s.close();
#endif
}

} // namespace
} // namespace vncgate::test
