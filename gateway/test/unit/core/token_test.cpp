// Unit tests for core/token: the token file parser and the three token plugins.
#include "core/token.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace vncgate::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
namespace fs = std::filesystem;

target tcp(std::string host, std::uint16_t port) {
    target t;
    t.host = std::move(host);
    t.port = port;
    return t;
}

target unix_socket(std::string path) {
    target t;
    t.type = target::kind::unix_socket;
    t.path = std::move(path);
    return t;
}

struct parsed {
    token_table table;
    std::vector<std::string> errors;
};

parsed parse(std::string_view text, std::string_view name = "tokens.cfg") {
    parsed p;
    parse_token_file(text, name, p.table, p.errors);
    return p;
}

TEST(parse_token_file, simple_lines) {
    auto p = parse("vnc1: localhost:5901\nvnc2: 192.168.0.7:5900\n");
    EXPECT_THAT(p.errors, IsEmpty());
    ASSERT_EQ(p.table.size(), 2u);
    EXPECT_EQ(p.table.at("vnc1"), tcp("localhost", 5901));
    EXPECT_EQ(p.table.at("vnc2"), tcp("192.168.0.7", 5900));
}

TEST(parse_token_file, comments_blank_lines_and_whitespace) {
    auto p = parse("# websockify token file\n"
                   "\n"
                   "   \t\n"
                   "   # indented comment: not: a: token\n"
                   "  spaced  :   host.example:5900   \n"
                   "tabbed:\thost:1\n"
                   "last: host:2"); // no final newline
    EXPECT_THAT(p.errors, IsEmpty());
    ASSERT_EQ(p.table.size(), 3u);
    EXPECT_EQ(p.table.at("spaced"), tcp("host.example", 5900));
    EXPECT_EQ(p.table.at("tabbed"), tcp("host", 1));
    EXPECT_EQ(p.table.at("last"), tcp("host", 2));
}

TEST(parse_token_file, unix_socket_and_ipv6_targets) {
    auto p = parse("sock: unix_socket:/run/vnc/1.sock\nv6: [::1]:5900\nbare6: ::1:5901\n");
    EXPECT_THAT(p.errors, IsEmpty());
    EXPECT_EQ(p.table.at("sock"), unix_socket("/run/vnc/1.sock"));
    EXPECT_EQ(p.table.at("v6"), tcp("::1", 5900));
    EXPECT_EQ(p.table.at("bare6"), tcp("::1", 5901));
}

TEST(parse_token_file, token_may_contain_a_colon_not_followed_by_space) {
    auto p = parse("a:b: host:1\n");
    EXPECT_THAT(p.errors, IsEmpty());
    EXPECT_EQ(p.table.at("a:b"), tcp("host", 1));
}

TEST(parse_token_file, crlf_and_lone_cr_line_endings) {
    auto p = parse("a: h:1\r\nbad\r\nb: h:2\rbad again\rc: h:3");
    EXPECT_EQ(p.table.size(), 3u);
    EXPECT_EQ(p.table.at("c"), tcp("h", 3));
    EXPECT_THAT(p.errors, ElementsAre(HasSubstr("tokens.cfg:2:"), HasSubstr("tokens.cfg:4:")));
}

TEST(parse_token_file, bad_lines_are_reported_with_file_and_line_and_skipped) {
    auto p = parse("good: h:1\n"              // 1
                   "nocolon\n"                // 2
                   "nospace:h:2\n"            // 3
                   ": h:3\n"                  // 4
                   "twice: h:4: more\n"       // 5
                   "badport: h:70000\n"       // 6
                   "noport: h\n"              // 7
                   "relunix: unix_socket:x\n" // 8
                   "# fine\n"                 // 9
                   "good2: h:5\n",            // 10
                   "/etc/vncgate/tokens");
    EXPECT_EQ(p.table.size(), 2u);
    EXPECT_EQ(p.table.at("good"), tcp("h", 1));
    EXPECT_EQ(p.table.at("good2"), tcp("h", 5));
    ASSERT_EQ(p.errors.size(), 7u);
    EXPECT_EQ(p.errors[0],
              "/etc/vncgate/tokens:2: expected 'token: host:port' or 'token: unix_socket:/path'");
    EXPECT_EQ(p.errors[1],
              "/etc/vncgate/tokens:3: expected 'token: host:port' or 'token: unix_socket:/path'");
    EXPECT_EQ(p.errors[2], "/etc/vncgate/tokens:4: empty token");
    EXPECT_EQ(p.errors[3],
              "/etc/vncgate/tokens:5: more than one ': ' in the line (expected 'token: "
              "host:port')");
    EXPECT_EQ(p.errors[4],
              "/etc/vncgate/tokens:6: target 'h:70000': the port must be a number from 1 to "
              "65535");
    EXPECT_EQ(p.errors[5], "/etc/vncgate/tokens:7: target 'h': expected host:port, [IPv6]:port "
                           "or unix_socket:/path");
    EXPECT_THAT(p.errors[6], HasSubstr("/etc/vncgate/tokens:8: target 'unix_socket:x'"));
}

TEST(parse_token_file, errors_never_contain_the_token) {
    auto p = parse("s3cr3t-token\ns3cr3t-token:h:1\ns3cr3t-token: a: b\ns3cr3t-token: bad\n");
    ASSERT_EQ(p.errors.size(), 4u);
    for (const auto& e : p.errors) {
        EXPECT_THAT(e, Not(HasSubstr("s3cr3t"))) << e;
    }
}

TEST(parse_token_file, later_line_wins) {
    auto p = parse("t: h:1\nt: h:2\n");
    EXPECT_EQ(p.table.at("t"), tcp("h", 2));
}

TEST(parse_token_file, adds_to_an_existing_table) {
    parsed p;
    parse_token_file("a: h:1\n", "one", p.table, p.errors);
    parse_token_file("b: h:2\nbad\n", "two", p.table, p.errors);
    EXPECT_EQ(p.table.size(), 2u);
    EXPECT_THAT(p.errors, ElementsAre(HasSubstr("two:2:")));
}

TEST(parse_token_file, empty_text) {
    auto p = parse("");
    EXPECT_THAT(p.table, IsEmpty());
    EXPECT_THAT(p.errors, IsEmpty());
}

// A fresh temporary directory per test, removed afterwards.
class token_plugin_test : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("vncgate-token-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    // Writes a file and moves its mtime one second further than before, so that a rewrite
    // within the same clock tick is still a visible change.
    void write(const fs::path& p, std::string_view text) {
        std::error_code ec;
        auto old = fs::last_write_time(p, ec);
        {
            std::ofstream out(p, std::ios::binary | std::ios::trunc);
            out << text;
        }
        if (!ec) {
            fs::last_write_time(p, old + std::chrono::seconds(1));
        }
    }

    fs::path dir_;
};

TEST_F(token_plugin_test, token_file_from_a_file) {
    write(dir_ / "tokens", "vnc1: localhost:5901\nsock: unix_socket:/run/x.sock\n");
    auto plugin = make_token_plugin("TokenFile", (dir_ / "tokens").string());
    EXPECT_EQ(plugin->lookup("vnc1"), tcp("localhost", 5901));
    EXPECT_EQ(plugin->lookup("sock"), unix_socket("/run/x.sock"));
    EXPECT_EQ(plugin->lookup("vnc2"), std::nullopt);
    EXPECT_EQ(plugin->lookup(""), std::nullopt);
}

TEST_F(token_plugin_test, a_directory_of_token_files) {
    write(dir_ / "a.cfg", "a: host-a:1\n");
    write(dir_ / "b", "b: host-b:2\n# comment\n");
    write(dir_ / ".b.swp", "swap: host-swap:3\n"); // hidden: skipped
    fs::create_directories(dir_ / "sub");
    write(dir_ / "sub" / "c", "c: host-c:4\n"); // not in the directory itself
    for (auto name : {"TokenFile", "ReadOnlyTokenFile"}) {
        auto plugin = make_token_plugin(name, dir_.string());
        EXPECT_EQ(plugin->lookup("a"), tcp("host-a", 1)) << name;
        EXPECT_EQ(plugin->lookup("b"), tcp("host-b", 2)) << name;
        EXPECT_EQ(plugin->lookup("swap"), std::nullopt) << name;
        EXPECT_EQ(plugin->lookup("c"), std::nullopt) << name;
    }
}

TEST_F(token_plugin_test, token_file_sees_an_edit_without_restart) {
    auto file = dir_ / "tokens";
    write(file, "vnc: host:5901\n");
    auto plugin = make_token_plugin("TokenFile", file.string());
    EXPECT_EQ(plugin->lookup("vnc"), tcp("host", 5901));

    write(file, "vnc: other-host:5902\nnew: host:5903\n");
    EXPECT_EQ(plugin->lookup("vnc"), tcp("other-host", 5902));
    EXPECT_EQ(plugin->lookup("new"), tcp("host", 5903));

    // Same size, new mtime.
    write(file, "vnc: other-host:5904\nnew: host:5903\n");
    EXPECT_EQ(plugin->lookup("vnc"), tcp("other-host", 5904));

    // Replaced by rename, as editors and deployment tools do.
    write(dir_ / "tokens.tmp", "vnc: renamed:1\n");
    fs::rename(dir_ / "tokens.tmp", file);
    EXPECT_EQ(plugin->lookup("vnc"), tcp("renamed", 1));
    EXPECT_EQ(plugin->lookup("new"), std::nullopt);
}

TEST_F(token_plugin_test, token_file_sees_files_added_to_and_removed_from_a_directory) {
    write(dir_ / "one", "one: h:1\n");
    auto plugin = make_token_plugin("websockify.token_plugins.TokenFile", dir_.string());
    EXPECT_EQ(plugin->lookup("two"), std::nullopt);
    write(dir_ / "two", "two: h:2\n");
    EXPECT_EQ(plugin->lookup("two"), tcp("h", 2));
    fs::remove(dir_ / "one");
    EXPECT_EQ(plugin->lookup("one"), std::nullopt);
    EXPECT_EQ(plugin->lookup("two"), tcp("h", 2));
}

TEST_F(token_plugin_test, token_file_refuses_all_tokens_while_its_source_is_missing) {
    auto file = dir_ / "tokens";
    write(file, "vnc: host:1\n");
    auto plugin = make_token_plugin("TokenFile", file.string());
    fs::remove(file);
    EXPECT_EQ(plugin->lookup("vnc"), std::nullopt);
    write(file, "vnc: host:2\n");
    EXPECT_EQ(plugin->lookup("vnc"), tcp("host", 2));
}

TEST_F(token_plugin_test, read_only_token_file_waits_for_reload) {
    auto file = dir_ / "tokens";
    write(file, "vnc: host:5901\n");
    auto plugin = make_token_plugin("ReadOnlyTokenFile", file.string());
    write(file, "vnc: changed:5902\nextra: h:1\n");
    EXPECT_EQ(plugin->lookup("vnc"), tcp("host", 5901));
    EXPECT_EQ(plugin->lookup("extra"), std::nullopt);
    plugin->reload();
    EXPECT_EQ(plugin->lookup("vnc"), tcp("changed", 5902));
    EXPECT_EQ(plugin->lookup("extra"), tcp("h", 1));
}

TEST_F(token_plugin_test, failed_reload_throws_and_keeps_the_old_table) {
    auto file = dir_ / "tokens";
    write(file, "vnc: host:5901\n");
    auto plugin = make_token_plugin("websockify.token_plugins.ReadOnlyTokenFile", file.string());
    fs::remove(file);
    try {
        plugin->reload();
        ADD_FAILURE() << "reload of a missing file did not throw";
    } catch (const config_error& e) {
        EXPECT_THAT(e.what(), HasSubstr(file.string()));
        EXPECT_THAT(e.what(), HasSubstr("No such file or directory"));
    }
    EXPECT_EQ(plugin->lookup("vnc"), tcp("host", 5901));
}

TEST_F(token_plugin_test, reload_picks_up_a_new_directory_file) {
    write(dir_ / "a", "a: h:1\n");
    auto plugin = make_token_plugin("ReadOnlyTokenFile", dir_.string());
    write(dir_ / "b", "b: h:2\n");
    EXPECT_EQ(plugin->lookup("b"), std::nullopt);
    plugin->reload();
    EXPECT_EQ(plugin->lookup("b"), tcp("h", 2));
}

TEST_F(token_plugin_test, construction_errors) {
    auto message = [](std::string_view name, const std::string& source) -> std::string {
        try {
            make_token_plugin(name, source);
        } catch (const config_error& e) {
            return e.what();
        }
        return "";
    };
    EXPECT_THAT(message("TokenFile", (dir_ / "missing").string()),
                HasSubstr("No such file or directory"));
    EXPECT_THAT(message("ReadOnlyTokenFile", (dir_ / "missing").string()),
                HasSubstr((dir_ / "missing").string()));
    EXPECT_THAT(message("TokenFile", ""), HasSubstr("needs a source"));
    EXPECT_THAT(message("JSONTokenApi", "http://x/%s"),
                HasSubstr("token plugin 'JSONTokenApi' is not supported"));
    EXPECT_THAT(message("TokenRedis", "localhost:6379"), HasSubstr("not supported"));
    write(dir_ / "file", "x: h:1\n");
    EXPECT_THAT(message("TokenFileName", (dir_ / "file").string()),
                HasSubstr("is not a directory"));
    EXPECT_THAT(message("TokenFileName", (dir_ / "missing").string()),
                HasSubstr("No such file or directory"));
}

TEST_F(token_plugin_test, syntax_errors_are_logged_without_the_token) {
    std::ostringstream log;
    auto previous = spdlog::default_logger();
    auto capture = std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
    spdlog::set_default_logger(capture);
    write(dir_ / "tokens", "good: h:1\nsecret-token: nohostport\n");
    auto plugin = make_token_plugin("TokenFile", (dir_ / "tokens").string());
    spdlog::set_default_logger(previous);

    EXPECT_EQ(plugin->lookup("good"), tcp("h", 1));
    EXPECT_THAT(log.str(), HasSubstr((dir_ / "tokens").string() + ":2: target 'nohostport'"));
    EXPECT_THAT(log.str(), Not(HasSubstr("secret-token")));
}

TEST_F(token_plugin_test, token_file_name_reads_the_token_named_file) {
    write(dir_ / "vnc1", "localhost:5901\n");
    write(dir_ / "sock", "  unix_socket:/run/vnc.sock  \n");
    write(dir_ / "broken", "not a target\n");
    fs::create_directories(dir_ / "subdir");
    auto plugin = make_token_plugin("TokenFileName", dir_.string());
    EXPECT_EQ(plugin->lookup("vnc1"), tcp("localhost", 5901));
    EXPECT_EQ(plugin->lookup("sock"), unix_socket("/run/vnc.sock"));
    EXPECT_EQ(plugin->lookup("broken"), std::nullopt);
    EXPECT_EQ(plugin->lookup("subdir"), std::nullopt);
    EXPECT_EQ(plugin->lookup("missing"), std::nullopt);
    // A new file is seen at once.
    write(dir_ / "vnc2", "h:2");
    EXPECT_EQ(plugin->lookup("vnc2"), tcp("h", 2));
}

TEST_F(token_plugin_test, token_file_name_refuses_path_escapes) {
    auto tokens = dir_ / "tokens";
    fs::create_directories(tokens);
    write(dir_ / "x", "escaped:1\n"); // reachable as "../x" if the token were used as a path
    write(tokens / "ok", "h:1\n");
    auto plugin = make_token_plugin("websockify.token_plugins.TokenFileName", tokens.string());
    EXPECT_EQ(plugin->lookup("ok"), tcp("h", 1));
    for (const std::string& bad :
         std::vector<std::string>{"../x", "..", ".", "", "ok/", "/ok", "sub/../ok", "..\\x",
                                  std::string("ok\0x", 4), "ok\n", std::string(256, 'a')}) {
        EXPECT_EQ(plugin->lookup(bad), std::nullopt) << bad;
    }
    // A symlink the administrator put in the directory is followed.
    fs::create_symlink(dir_ / "x", tokens / "alias");
    EXPECT_EQ(plugin->lookup("alias"), tcp("escaped", 1));
}

TEST_F(token_plugin_test, token_file_name_reload_checks_the_directory) {
    auto sub = dir_ / "tokens";
    fs::create_directories(sub);
    auto plugin = make_token_plugin("TokenFileName", sub.string());
    EXPECT_NO_THROW(plugin->reload());
    fs::remove_all(sub);
    EXPECT_THROW(plugin->reload(), config_error);
}

TEST(is_safe_token_file_name, rules) {
    EXPECT_TRUE(is_safe_token_file_name("abc"));
    EXPECT_TRUE(is_safe_token_file_name(".hidden"));
    EXPECT_TRUE(is_safe_token_file_name("a..b"));
    EXPECT_TRUE(is_safe_token_file_name("caf\xc3\xa9"));
    EXPECT_TRUE(is_safe_token_file_name(std::string(255, 'a')));
    EXPECT_FALSE(is_safe_token_file_name(std::string(256, 'a')));
    EXPECT_FALSE(is_safe_token_file_name(""));
    EXPECT_FALSE(is_safe_token_file_name("."));
    EXPECT_FALSE(is_safe_token_file_name(".."));
    EXPECT_FALSE(is_safe_token_file_name("../x"));
    EXPECT_FALSE(is_safe_token_file_name("a\\b"));
    EXPECT_FALSE(is_safe_token_file_name(std::string("a\0b", 3)));
    EXPECT_FALSE(is_safe_token_file_name("a\tb"));
    EXPECT_FALSE(is_safe_token_file_name("a\x7f"));
}

TEST_F(token_plugin_test, concurrent_lookups_while_the_file_changes) {
    auto file = dir_ / "tokens";
    write(file, "vnc: h:1\n");
    auto plugin = make_token_plugin("TokenFile", file.string());
    std::atomic<bool> stop{false};
    std::atomic<int> bad{0};
    std::atomic<int> answered{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&] {
            while (!stop) {
                auto t = plugin->lookup("vnc");
                // Atomic replacement: the token is always present, with one of the ports.
                if (!t || t->host != "h" || t->port < 1 || t->port > 50) {
                    ++bad;
                }
                ++answered;
            }
        });
    }
    for (int i = 1; i <= 50; ++i) {
        write(dir_ / "tmp", "vnc: h:" + std::to_string(i) + "\n");
        fs::rename(dir_ / "tmp", file);
    }
    while (answered < 200) {
        std::this_thread::yield();
    }
    stop = true;
    for (auto& t : threads) {
        t.join();
    }
    EXPECT_EQ(bad, 0);
    EXPECT_EQ(plugin->lookup("vnc"), tcp("h", 50));
}

} // namespace
} // namespace vncgate::core
