// Unit tests for core/options: the websockify-compatible command line.
#include "core/options.hpp"

#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace vncgate::core {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
namespace fs = std::filesystem;

parse_outcome parse(std::vector<std::string> args) {
    args.insert(args.begin(), "vncgate");
    std::vector<const char*> argv;
    for (const auto& a : args) {
        argv.push_back(a.c_str());
    }
    argv.push_back(nullptr);
    return parse_command_line(static_cast<int>(args.size()), argv.data());
}

// Parses a command line that must succeed.
options ok(std::vector<std::string> args) {
    auto out = parse(std::move(args));
    EXPECT_TRUE(out.opts.has_value()) << out.message;
    return out.opts.value_or(options{});
}

// Parses a command line that must be a usage error; returns its message.
std::string usage_error(std::vector<std::string> args) {
    auto out = parse(std::move(args));
    EXPECT_FALSE(out.opts.has_value());
    EXPECT_EQ(out.exit_code, 2);
    return out.message;
}

std::string abs(const std::string& p) {
    return (fs::current_path() / p).lexically_normal();
}

TEST(options, websockify_novnc_example) {
    auto o = ok({"--web", "/usr/share/novnc", "6080", "localhost:5900"});
    EXPECT_EQ(o.listen, (listen_address{"", 6080}));
    EXPECT_TRUE(o.listen_tcp);
    ASSERT_TRUE(o.fixed_target.has_value());
    EXPECT_EQ(o.fixed_target->type, target::kind::tcp);
    EXPECT_EQ(o.fixed_target->host, "localhost");
    EXPECT_EQ(o.fixed_target->port, 5900);
    EXPECT_EQ(o.web, "/usr/share/novnc");
    EXPECT_FALSE(o.list_directories);
}

TEST(options, defaults) {
    auto o = ok({"6080", "localhost:5900"});
    EXPECT_EQ(o.web, "");
    EXPECT_EQ(o.cert, abs("self.pem")); // made absolute, as websockify does
    EXPECT_EQ(o.key, "");
    EXPECT_EQ(o.key_password, "");
    EXPECT_FALSE(o.ssl_only);
    EXPECT_EQ(o.ssl_min, tls_version::tls1_2);
    EXPECT_EQ(o.ssl_ciphers, "");
    EXPECT_EQ(o.unix_listen, "");
    EXPECT_EQ(o.unix_listen_mode, 0600u);
    EXPECT_EQ(o.token_plugin, "");
    EXPECT_EQ(o.token_source, "");
    EXPECT_FALSE(o.host_token);
    EXPECT_EQ(o.heartbeat, 0);
    EXPECT_EQ(o.idle_timeout, 0);
    EXPECT_EQ(o.timeout, 0);
    EXPECT_EQ(o.record, "");
    EXPECT_FALSE(o.verbose);
    EXPECT_EQ(o.log_file, "");
    EXPECT_EQ(o.syslog, "");
    EXPECT_FALSE(o.daemon);
    EXPECT_FALSE(o.run_once);
    EXPECT_FALSE(o.prefer_ipv6);
    EXPECT_EQ(o.max_message_size, 16u << 20);
    EXPECT_EQ(o.threads, 0u);
}

TEST(options, ipv6_listen_and_target) {
    auto o = ok({"[::1]:6080", "[::1]:5900"});
    EXPECT_EQ(o.listen, (listen_address{"::1", 6080}));
    EXPECT_EQ(o.fixed_target->host, "::1");
    EXPECT_EQ(o.fixed_target->port, 5900);
}

TEST(options, listen_host_and_ephemeral_port) {
    EXPECT_EQ(ok({"127.0.0.1:6080", "h:1"}).listen, (listen_address{"127.0.0.1", 6080}));
    EXPECT_EQ(ok({"0", "h:1"}).listen, (listen_address{"", 0}));
}

TEST(options, flags_short_and_long) {
    auto o = ok({"-v", "-D", "-6", "--run-once", "6080", "h:1"});
    EXPECT_TRUE(o.verbose);
    EXPECT_TRUE(o.daemon);
    EXPECT_TRUE(o.prefer_ipv6);
    EXPECT_TRUE(o.run_once);
    auto l = ok({"--verbose", "--daemon", "--prefer-ipv6", "6080", "h:1"});
    EXPECT_TRUE(l.verbose);
    EXPECT_TRUE(l.daemon);
    EXPECT_TRUE(l.prefer_ipv6);
}

TEST(options, repeated_options_keep_the_last_value_like_optparse) {
    auto o = ok({"-v", "-v", "--heartbeat", "5", "--heartbeat", "7", "6080", "h:1"});
    EXPECT_TRUE(o.verbose);
    EXPECT_EQ(o.heartbeat, 7);
}

TEST(options, numbers) {
    auto o = ok({"--heartbeat", "15", "--idle-timeout", "60", "--timeout=300", "--max-message-size",
                 "1048576", "--threads", "4", "6080", "h:1"});
    EXPECT_EQ(o.heartbeat, 15);
    EXPECT_EQ(o.idle_timeout, 60);
    EXPECT_EQ(o.timeout, 300);
    EXPECT_EQ(o.max_message_size, 1048576u);
    EXPECT_EQ(o.threads, 4u);
    // Decimal only: a leading zero is not octal.
    EXPECT_EQ(ok({"--heartbeat", "010", "6080", "h:1"}).heartbeat, 10);
    EXPECT_EQ(ok({"--threads", "1024", "6080", "h:1"}).threads, 1024u);
    EXPECT_EQ(ok({"--timeout", "2147483647", "6080", "h:1"}).timeout, 2147483647);
}

TEST(options, bad_numbers_are_usage_errors_naming_the_option) {
    EXPECT_THAT(usage_error({"--heartbeat", "abc", "6080", "h:1"}),
                HasSubstr("--heartbeat: expected a whole number of seconds from 0 to 2147483647, "
                          "got 'abc'"));
    EXPECT_THAT(usage_error({"--heartbeat=-5", "6080", "h:1"}), HasSubstr("got '-5'"));
    EXPECT_THAT(usage_error({"--idle-timeout", "1.5", "6080", "h:1"}),
                HasSubstr("--idle-timeout: expected"));
    EXPECT_THAT(usage_error({"--timeout", "0x10", "6080", "h:1"}), HasSubstr("--timeout"));
    EXPECT_THAT(usage_error({"--timeout", "2147483648", "6080", "h:1"}), HasSubstr("--timeout"));
    EXPECT_THAT(usage_error({"--threads", "1025", "6080", "h:1"}),
                HasSubstr("--threads: expected a number of threads from 0 to 1024"));
    EXPECT_THAT(usage_error({"--max-message-size", "0", "6080", "h:1"}),
                HasSubstr("--max-message-size: expected a number of bytes from 1"));
    EXPECT_THAT(usage_error({"--max-message-size", "1e6", "6080", "h:1"}),
                HasSubstr("--max-message-size"));
    EXPECT_THAT(usage_error({"--heartbeat", "", "6080", "h:1"}), HasSubstr("--heartbeat"));
    // A value that looks like an option is missing, as CLI11 sees it.
    EXPECT_THAT(usage_error({"--heartbeat", "-5", "6080", "h:1"}), HasSubstr("heartbeat"));
}

TEST(options, paths_are_made_absolute) {
    auto o = ok({"--web", "www", "--record", "rec/session", "--cert", "c.pem", "--key", "k.pem",
                 "--log-file", "gw.log", "--unix-listen", "gw.sock", "6080", "h:1"});
    EXPECT_EQ(o.web, abs("www"));
    EXPECT_EQ(o.record, abs("rec/session"));
    EXPECT_EQ(o.cert, abs("c.pem"));
    EXPECT_EQ(o.key, abs("k.pem"));
    EXPECT_EQ(o.log_file, abs("gw.log"));
    EXPECT_EQ(o.unix_listen, abs("gw.sock"));
    EXPECT_EQ(ok({"--web", "/srv/www/../novnc", "6080", "h:1"}).web, "/srv/novnc");
}

TEST(options, tls_options) {
    auto o =
        ok({"--cert", "/etc/vncgate/cert.pem", "--key", "/etc/vncgate/key.pem", "--key-password",
            "s3cret", "--ssl-ciphers", "ECDHE+AESGCM", "--ssl-version", "tlsv1_3", "6080", "h:1"});
    EXPECT_EQ(o.cert, "/etc/vncgate/cert.pem");
    EXPECT_EQ(o.key, "/etc/vncgate/key.pem");
    EXPECT_EQ(o.key_password, "s3cret");
    EXPECT_EQ(o.ssl_ciphers, "ECDHE+AESGCM");
    EXPECT_EQ(o.ssl_min, tls_version::tls1_3);
    EXPECT_EQ(ok({"--ssl-version", "default", "6080", "h:1"}).ssl_min, tls_version::tls1_2);
    EXPECT_EQ(ok({"--ssl-version=tlsv1_2", "6080", "h:1"}).ssl_min, tls_version::tls1_2);
}

TEST(options, tls_1_1_is_refused_with_a_clear_message) {
    EXPECT_THAT(usage_error({"--ssl-version", "tlsv1_1", "6080", "h:1"}),
                HasSubstr("--ssl-version tlsv1_1 is refused: vncgate requires TLS 1.2 or newer"));
    EXPECT_THAT(usage_error({"--ssl-version", "sslv3", "6080", "h:1"}),
                HasSubstr("--ssl-version: expected default, tlsv1_2 or tlsv1_3, got 'sslv3'"));
}

TEST(options, ssl_only_needs_the_cert_file) {
    EXPECT_THAT(usage_error({"--ssl-only", "--cert", "/nonexistent/cert.pem", "6080", "h:1"}),
                HasSubstr("--ssl-only: certificate file /nonexistent/cert.pem not found"));
    auto dir = fs::temp_directory_path() / ("vncgate-options-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "cert.pem") << "not really a certificate";
    auto o = ok({"--ssl-only", "--cert", (dir / "cert.pem").string(), "6080", "h:1"});
    EXPECT_TRUE(o.ssl_only);
    EXPECT_EQ(o.cert, (dir / "cert.pem").string());
    fs::remove_all(dir);
}

TEST(options, web_listing_flags) {
    EXPECT_TRUE(ok({"--web", "/w", "--list-directories", "6080", "h:1"}).list_directories);
    EXPECT_FALSE(
        ok({"--web", "/w", "--list-directories", "--file-only", "6080", "h:1"}).list_directories);
    EXPECT_FALSE(
        ok({"--file-only", "--web", "/w", "--list-directories", "6080", "h:1"}).list_directories);
}

TEST(options, unix_target) {
    auto o = ok({"--unix-target", "/run/vnc.sock", "6080"});
    ASSERT_TRUE(o.fixed_target.has_value());
    EXPECT_EQ(o.fixed_target->type, target::kind::unix_socket);
    EXPECT_EQ(o.fixed_target->path, "/run/vnc.sock");
    EXPECT_EQ(o.listen.port, 6080);
    EXPECT_EQ(ok({"--unix-target", "vnc.sock", "6080"}).fixed_target->path, abs("vnc.sock"));
    EXPECT_THAT(usage_error({"--unix-target", "/run/vnc.sock", "6080", "h:1"}),
                HasSubstr("too many arguments: unexpected 'h:1'"));
}

TEST(options, positional_unix_socket_target) {
    auto o = ok({"6080", "unix_socket:/run/vnc.sock"});
    EXPECT_EQ(o.fixed_target->type, target::kind::unix_socket);
    EXPECT_EQ(o.fixed_target->path, "/run/vnc.sock");
}

TEST(options, unix_listen_in_addition_or_instead) {
    auto both = ok({"--unix-listen", "/run/gw.sock", "6080", "h:1"});
    EXPECT_EQ(both.unix_listen, "/run/gw.sock");
    EXPECT_TRUE(both.listen_tcp);
    EXPECT_EQ(both.listen.port, 6080);
    EXPECT_EQ(both.fixed_target->host, "h");

    auto only = ok({"--unix-listen", "/run/gw.sock", "h:1"});
    EXPECT_FALSE(only.listen_tcp);
    EXPECT_EQ(only.fixed_target->host, "h");

    auto tokens = ok({"--unix-listen", "/run/gw.sock", "--token-plugin", "TokenFile",
                      "--token-source", "/etc/t"});
    EXPECT_FALSE(tokens.listen_tcp);
    EXPECT_FALSE(tokens.fixed_target.has_value());

    EXPECT_THAT(usage_error({"--unix-listen", "/run/gw.sock"}),
                HasSubstr("missing target_addr:target_port"));
}

TEST(options, unix_listen_mode_is_octal_like_chmod) {
    EXPECT_EQ(ok({"--unix-listen", "/run/gw.sock", "h:1"}).unix_listen_mode, 0600u);
    const std::vector<std::pair<std::string, unsigned>> cases = {
        {"0600", 0600u}, {"600", 0600u},  {"0660", 0660u},  {"660", 0660u},   {"0", 0u},
        {"7", 07u},      {"0777", 0777u}, {"1777", 01777u}, {"7777", 07777u}, {"0000", 0u},
    };
    for (const auto& [text, mode] : cases) {
        EXPECT_EQ(ok({"--unix-listen", "/run/gw.sock", "--unix-listen-mode", text, "h:1"})
                      .unix_listen_mode,
                  mode)
            << text;
    }
    EXPECT_EQ(ok({"--unix-listen-mode=0666", "--unix-listen", "/run/gw.sock", "6080", "h:1"})
                  .unix_listen_mode,
              0666u);
}

TEST(options, bad_unix_listen_mode_is_refused) {
    for (std::string text : {"", "0800", "69", "rw-------", "u+rw", "0x1ff", "+600", " 600",
                             "00600", "17777", "99999999999999999999999", "6.0"}) {
        EXPECT_THAT(
            usage_error({"--unix-listen", "/run/gw.sock", "--unix-listen-mode", text, "h:1"}),
            HasSubstr("--unix-listen-mode: expected an octal file mode such as 0600 or "
                      "660 (one to four digits 0-7, at most 7777), got '" +
                      text + "'"))
            << text;
    }
}

TEST(options, unix_listen_mode_needs_unix_listen) {
    EXPECT_THAT(usage_error({"--unix-listen-mode", "0660", "6080", "h:1"}),
                HasSubstr("--unix-listen-mode needs --unix-listen"));
    EXPECT_THAT(usage_error({"--unix-listen", "", "--unix-listen-mode", "0660", "6080", "h:1"}),
                HasSubstr("--unix-listen: expected the path of a Unix socket, got ''"));
}

TEST(options, token_plugin_options) {
    auto o = ok({"--token-plugin", "TokenFile", "--token-source", "/etc/vncgate/tokens",
                 "--host-token", "6080"});
    EXPECT_EQ(o.token_plugin, "TokenFile");
    EXPECT_EQ(o.token_source, "/etc/vncgate/tokens");
    EXPECT_TRUE(o.host_token);
    EXPECT_FALSE(o.fixed_target.has_value());
    EXPECT_EQ(o.listen.port, 6080);
    EXPECT_EQ(
        ok({"--token-plugin", "TokenFile", "--token-source", "tokens.cfg", "6080"}).token_source,
        abs("tokens.cfg"));
}

TEST(options, token_plugin_names) {
    for (std::string name : {"TokenFile", "ReadOnlyTokenFile", "TokenFileName"}) {
        EXPECT_EQ(ok({"--token-plugin", name, "--token-source", "/t", "6080"}).token_plugin, name);
        EXPECT_EQ(ok({"--token-plugin", "websockify.token_plugins." + name, "--token-source", "/t",
                      "6080"})
                      .token_plugin,
                  name);
    }
    for (std::string name :
         {"JSONTokenApi", "TokenRedis", "JWTTokenApi", "BaseTokenAPI", "UnixDomainSocketDirectory",
          "websockify.token_plugins.TokenRedis", "mymodule.TokenFile", "tokenfile"}) {
        EXPECT_THAT(usage_error({"--token-plugin", name, "--token-source", "/t", "6080"}),
                    HasSubstr("--token-plugin '" + name +
                              "' is not supported: vncgate implements only the websockify token "
                              "plugins TokenFile, ReadOnlyTokenFile and TokenFileName"));
    }
}

TEST(options, empty_values_are_not_ignored) {
    EXPECT_THAT(usage_error({"--token-plugin", "", "--token-source", "/t", "6080"}),
                HasSubstr("--token-plugin '' is not supported"));
    EXPECT_THAT(usage_error({"--unix-target", "", "6080"}), HasSubstr("must be absolute"));
    EXPECT_THAT(usage_error({"--target-config", "", "6080"}), HasSubstr("needs --token-source"));
    EXPECT_THAT(usage_error({"--unix-listen", "", "6080", "h:1"}),
                HasSubstr("--unix-listen: expected the path of a Unix socket, got ''"));
    EXPECT_THAT(usage_error({"--syslog", "", "6080", "h:1"}),
                HasSubstr("--syslog '': vncgate logs to syslog through /dev/log only"));
}

TEST(options, target_config_is_token_file) {
    auto o = ok({"--target-config", "/etc/vncgate/targets", "6080"});
    EXPECT_EQ(o.token_plugin, "TokenFile");
    EXPECT_EQ(o.token_source, "/etc/vncgate/targets");
    EXPECT_FALSE(o.fixed_target.has_value());
    EXPECT_TRUE(ok({"--target-config", "/t", "--host-token", "6080"}).host_token);
    EXPECT_THAT(usage_error({"--target-config", "/t", "--token-plugin", "TokenFile", "6080"}),
                HasSubstr("--target-config cannot be combined with --token-plugin"));
    EXPECT_THAT(usage_error({"--target-config", "/t", "--token-source", "/u", "6080"}),
                HasSubstr("--target-config cannot be combined"));
}

TEST(options, token_rules) {
    EXPECT_THAT(usage_error({"--token-source", "/t", "6080", "h:1"}),
                HasSubstr("You must use --token-plugin to use --token-source"));
    EXPECT_THAT(usage_error({"--host-token", "6080", "h:1"}),
                HasSubstr("You must use --token-plugin to use --host-token"));
    EXPECT_THAT(usage_error({"--token-plugin", "TokenFile", "6080"}),
                HasSubstr("--token-plugin TokenFile needs --token-source"));
    EXPECT_THAT(usage_error({"--token-plugin", "TokenFile", "--token-source", "/t", "6080", "h:1"}),
                HasSubstr("too many arguments: unexpected 'h:1'"));
    EXPECT_THAT(usage_error({"--token-plugin", "TokenFile", "--token-source", "/t", "--unix-target",
                             "/s", "6080"}),
                HasSubstr("--unix-target cannot be combined with a token plugin"));
}

TEST(options, positional_count_and_syntax) {
    EXPECT_THAT(usage_error({}), HasSubstr("missing [source_addr:]source_port"));
    EXPECT_THAT(usage_error({"6080"}), HasSubstr("missing target_addr:target_port"));
    EXPECT_THAT(usage_error({"6080", "h:1", "extra"}),
                HasSubstr("too many arguments: unexpected 'extra'"));
    EXPECT_THAT(usage_error({"http", "h:1"}), HasSubstr("listen address 'http'"));
    EXPECT_THAT(usage_error({"6080", "localhost"}), HasSubstr("target 'localhost'"));
    EXPECT_THAT(usage_error({"6080", "localhost:0"}), HasSubstr("from 1 to 65535"));
    EXPECT_THAT(usage_error({"70000", "h:1"}), HasSubstr("from 0 to 65535"));
}

TEST(options, usage_errors_show_the_usage_line) {
    auto msg = usage_error({"6080"});
    EXPECT_THAT(msg, StartsWith("vncgate: missing target_addr:target_port"));
    EXPECT_THAT(msg, HasSubstr("Usage: vncgate [options] [source_addr:]source_port "
                               "[target_addr:target_port]"));
}

TEST(options, unknown_option) {
    EXPECT_THAT(usage_error({"--frobnicate", "6080", "h:1"}), HasSubstr("--frobnicate"));
    EXPECT_THAT(usage_error({"--web"}), HasSubstr("--web"));
}

TEST(options, refused_websockify_options_are_named) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--traffic"}, "--traffic"},
        {{"--ssl-target"}, "--ssl-target"},
        {{"--verify-client"}, "--verify-client"},
        {{"--cafile", "/etc/ca.pem"}, "--cafile"},
        {{"--inetd"}, "--inetd"},
        {{"--web-auth"}, "--web-auth"},
        {{"--auth-plugin", "BasicHTTPAuth"}, "--auth-plugin"},
        {{"--auth-source", "user:pass"}, "--auth-source"},
        {{"--wrap-mode", "respawn"}, "--wrap-mode"},
        {{"--libserver"}, "--libserver"},
        {{"--legacy-syslog"}, "--legacy-syslog"},
    };
    for (const auto& [args, name] : cases) {
        auto full = args;
        full.push_back("6080");
        full.push_back("h:1");
        EXPECT_THAT(usage_error(full),
                    HasSubstr(name + " is a websockify option that vncgate does not support"))
            << name;
    }
    EXPECT_THAT(usage_error({"--cafile=/etc/ca.pem", "6080", "h:1"}),
                HasSubstr("--cafile is a websockify option that vncgate does not support "
                          "(TLS client certificates)"));
}

TEST(options, wrapped_command_is_refused) {
    EXPECT_THAT(usage_error({"6080", "--", "vncserver", ":1"}),
                HasSubstr("a wrapped command after '--' is a websockify feature that vncgate "
                          "does not support"));
}

TEST(options, syslog) {
    EXPECT_EQ(ok({"--syslog", "/dev/log", "6080", "h:1"}).syslog, "/dev/log");
    EXPECT_EQ(ok({"--syslog=/dev/log", "6080", "h:1"}).syslog, "/dev/log");
    EXPECT_THAT(usage_error({"--syslog", "logs.example.org:514", "6080", "h:1"}),
                HasSubstr("--syslog 'logs.example.org:514': a UDP syslog server (host:port) is "
                          "not supported by vncgate; vncgate logs to syslog through /dev/log only "
                          "(give --syslog /dev/log)"));
}

// Never replaced by /dev/log behind the person's back: any other value is a usage error.
TEST(options, syslog_other_than_dev_log_is_refused) {
    for (std::string path : {"/run/custom-syslog.sock", "/var/run/syslog", "log", "dev/log",
                             "/dev/log/", "/dev/./log", "/dev//log", "/dev/log2"}) {
        EXPECT_THAT(usage_error({"--syslog", path, "6080", "h:1"}),
                    HasSubstr("--syslog '" + path +
                              "': vncgate logs to syslog through /dev/log only (give --syslog "
                              "/dev/log)"))
            << path;
    }
}

TEST(options, help_lists_every_option) {
    auto out = parse({"--help"});
    EXPECT_FALSE(out.opts.has_value());
    EXPECT_EQ(out.exit_code, 0);
    EXPECT_THAT(out.message, HasSubstr("Usage: vncgate [options] [source_addr:]source_port "
                                       "[target_addr:target_port]"));
    for (const char* name : {"--help",
                             "--version",
                             "--verbose",
                             "--record",
                             "--daemon",
                             "--run-once",
                             "--timeout",
                             "--idle-timeout",
                             "--heartbeat",
                             "--prefer-ipv6",
                             "--unix-listen",
                             "--unix-listen-mode",
                             "--unix-target",
                             "--max-message-size",
                             "--threads",
                             "--cert",
                             "--key",
                             "--key-password",
                             "--ssl-only",
                             "--ssl-version",
                             "--ssl-ciphers",
                             "--web",
                             "--list-directories",
                             "--file-only",
                             "--token-plugin",
                             "--token-source",
                             "--host-token",
                             "--target-config",
                             "--log-file",
                             "--syslog"}) {
        EXPECT_THAT(out.message, HasSubstr(name)) << name;
    }
    EXPECT_EQ(parse({"-h"}).message, out.message);
    // Help wins even when the rest of the command line is incomplete.
    EXPECT_EQ(parse({"6080", "--help"}).exit_code, 0);
}

TEST(options, version) {
    auto out = parse({"--version"});
    EXPECT_FALSE(out.opts.has_value());
    EXPECT_EQ(out.exit_code, 0);
    EXPECT_EQ(out.message, std::string("vncgate ") + VNCGATE_VERSION + "\n");
}

TEST(options, never_throws_on_odd_argv) {
    const char* argv[] = {"vncgate", nullptr};
    auto out = parse_command_line(1, argv);
    EXPECT_EQ(out.exit_code, 2);
    auto empty = parse({"", ""});
    EXPECT_EQ(empty.exit_code, 2);
}

} // namespace
} // namespace vncgate::core
