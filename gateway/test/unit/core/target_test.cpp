// Unit tests for core/target: parsing and printing of targets and listen addresses.
#include "core/target.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <string>

namespace vncgate::core {
namespace {

using ::testing::HasSubstr;

// Returns the config_error message parse_target throws for `text` ("" if it does not throw).
std::string target_error(std::string_view text) {
    try {
        parse_target(text);
    } catch (const config_error& e) {
        return e.what();
    }
    return "";
}

std::string listen_error(std::string_view text) {
    try {
        parse_listen(text);
    } catch (const config_error& e) {
        return e.what();
    }
    return "";
}

TEST(parse_target, host_and_port) {
    auto t = parse_target("localhost:5900");
    EXPECT_EQ(t.type, target::kind::tcp);
    EXPECT_EQ(t.host, "localhost");
    EXPECT_EQ(t.port, 5900);
    EXPECT_EQ(t.path, "");
    EXPECT_EQ(t.to_string(), "localhost:5900");
}

TEST(parse_target, ipv4_literal) {
    auto t = parse_target("192.168.1.20:5901");
    EXPECT_EQ(t.host, "192.168.1.20");
    EXPECT_EQ(t.port, 5901);
}

TEST(parse_target, dns_names_with_dashes_underscores_and_trailing_dot) {
    EXPECT_EQ(parse_target("vnc-host_1.example.org.:5900").host, "vnc-host_1.example.org.");
}

TEST(parse_target, bracketed_ipv6) {
    auto t = parse_target("[::1]:5900");
    EXPECT_EQ(t.type, target::kind::tcp);
    EXPECT_EQ(t.host, "::1");
    EXPECT_EQ(t.port, 5900);
    EXPECT_EQ(t.to_string(), "[::1]:5900");

    auto full = parse_target("[2001:db8::42]:443");
    EXPECT_EQ(full.host, "2001:db8::42");
    EXPECT_EQ(full.to_string(), "[2001:db8::42]:443");
}

TEST(parse_target, ipv6_with_zone) {
    auto t = parse_target("[fe80::1%eth0]:5900");
    EXPECT_EQ(t.host, "fe80::1%eth0");
    EXPECT_EQ(t.to_string(), "[fe80::1%eth0]:5900");
}

TEST(parse_target, unbracketed_ipv6_splits_at_last_colon_like_websockify) {
    auto t = parse_target("::1:5900");
    EXPECT_EQ(t.host, "::1");
    EXPECT_EQ(t.port, 5900);
    EXPECT_EQ(t.to_string(), "[::1]:5900");
}

TEST(parse_target, unix_socket) {
    auto t = parse_target("unix_socket:/run/vnc/display1.sock");
    EXPECT_EQ(t.type, target::kind::unix_socket);
    EXPECT_EQ(t.path, "/run/vnc/display1.sock");
    EXPECT_EQ(t.host, "");
    EXPECT_EQ(t.port, 0);
    EXPECT_EQ(t.to_string(), "unix_socket:/run/vnc/display1.sock");
}

TEST(parse_target, unix_socket_path_must_be_absolute_and_short_enough) {
    EXPECT_THAT(target_error("unix_socket:relative.sock"), HasSubstr("absolute"));
    EXPECT_THAT(target_error("unix_socket:"), HasSubstr("absolute"));
    std::string longest = "/" + std::string(max_unix_socket_path - 1, 'a');
    EXPECT_EQ(parse_target("unix_socket:" + longest).path, longest);
    EXPECT_THAT(target_error("unix_socket:" + longest + "a"), HasSubstr("longer than 107"));
    EXPECT_THAT(target_error(std::string("unix_socket:/a\0b", 16)), HasSubstr("NUL"));
}

TEST(parse_target, port_bounds) {
    EXPECT_EQ(parse_target("h:1").port, 1);
    EXPECT_EQ(parse_target("h:65535").port, 65535);
    EXPECT_EQ(parse_target("h:05900").port, 5900); // Python's int() accepts leading zeros
    EXPECT_THAT(target_error("h:0"), HasSubstr("from 1 to 65535"));
    EXPECT_THAT(target_error("h:65536"), HasSubstr("from 1 to 65535"));
    EXPECT_THAT(target_error("h:99999999999999999999"), HasSubstr("from 1 to 65535"));
}

TEST(parse_target, missing_parts) {
    EXPECT_THAT(target_error("localhost"), HasSubstr("expected host:port"));
    EXPECT_THAT(target_error("localhost:"), HasSubstr("missing port"));
    EXPECT_THAT(target_error(":5900"), HasSubstr("missing host"));
    EXPECT_THAT(target_error(""), HasSubstr("expected host:port"));
    EXPECT_THAT(target_error("[::1]"), HasSubstr("expected [address]:port"));
    EXPECT_THAT(target_error("[::1]:"), HasSubstr("missing port"));
    EXPECT_THAT(target_error("[::1:5900"), HasSubstr("missing ']'"));
}

TEST(parse_target, garbage_is_refused_with_the_text_named) {
    EXPECT_THAT(target_error("host:59x0"), HasSubstr("'host:59x0'"));
    EXPECT_THAT(target_error("host:+5900"), HasSubstr("from 1 to 65535"));
    EXPECT_THAT(target_error("host:-1"), HasSubstr("from 1 to 65535"));
    EXPECT_THAT(target_error("host: 5900"), HasSubstr("from 1 to 65535"));
    EXPECT_THAT(target_error("ho st:5900"), HasSubstr("bad host name"));
    EXPECT_THAT(target_error("user@host:5900"), HasSubstr("bad host name"));
    EXPECT_THAT(target_error("-host:5900"), HasSubstr("bad host name"));
    EXPECT_THAT(target_error("a/b:5900"), HasSubstr("bad host name"));
    EXPECT_THAT(target_error("[localhost]:5900"), HasSubstr("not an IPv6 address"));
    EXPECT_THAT(target_error("[::1]x:5900"), HasSubstr("expected [address]:port"));
    EXPECT_THAT(target_error("a:b:5900"), HasSubstr("bad host"));
    EXPECT_THAT(target_error(std::string(300, 'a') + ":1"), HasSubstr("bad host name"));
    // Non-printable bytes are shown escaped in the message.
    EXPECT_THAT(target_error("h\x01:1"), HasSubstr("'h\\x01:1'"));
}

TEST(parse_target, equality) {
    EXPECT_EQ(parse_target("a:1"), parse_target("a:1"));
    EXPECT_NE(parse_target("a:1"), parse_target("a:2"));
    EXPECT_NE(parse_target("unix_socket:/a"), parse_target("unix_socket:/b"));
}

TEST(parse_listen, port_only_means_all_interfaces) {
    auto l = parse_listen("6080");
    EXPECT_EQ(l.host, "");
    EXPECT_EQ(l.port, 6080);
}

TEST(parse_listen, host_and_port) {
    auto l = parse_listen("127.0.0.1:6080");
    EXPECT_EQ(l.host, "127.0.0.1");
    EXPECT_EQ(l.port, 6080);
    EXPECT_EQ(parse_listen("localhost:80").host, "localhost");
    EXPECT_EQ(parse_listen(":6080"), (listen_address{"", 6080}));
}

TEST(parse_listen, ipv6) {
    EXPECT_EQ(parse_listen("[::1]:6080"), (listen_address{"::1", 6080}));
    EXPECT_EQ(parse_listen("[::]:6080"), (listen_address{"::", 6080}));
    EXPECT_EQ(parse_listen("::1:6080"), (listen_address{"::1", 6080}));
}

TEST(parse_listen, port_bounds) {
    EXPECT_EQ(parse_listen("0").port, 0);
    EXPECT_EQ(parse_listen("65535").port, 65535);
    EXPECT_THAT(listen_error("65536"), HasSubstr("from 0 to 65535"));
    EXPECT_THAT(listen_error("-1"), HasSubstr("from 0 to 65535"));
}

TEST(parse_listen, garbage) {
    EXPECT_THAT(listen_error(""), HasSubstr("missing port"));
    EXPECT_THAT(listen_error("localhost:"), HasSubstr("missing port"));
    EXPECT_THAT(listen_error("abc"), HasSubstr("'abc'"));
    EXPECT_THAT(listen_error("[::1]"), HasSubstr("expected [address]:port"));
    EXPECT_THAT(listen_error("[::1"), HasSubstr("missing ']'"));
    EXPECT_THAT(listen_error("[nonsense]:1"), HasSubstr("not an IPv6 address"));
    EXPECT_THAT(listen_error("bad host:1"), HasSubstr("bad host name"));
    EXPECT_THAT(listen_error("a:b:1"), HasSubstr("bad host"));
}

TEST(parse_port, strict_decimal) {
    EXPECT_EQ(parse_port("0"), 0);
    EXPECT_EQ(parse_port("65535"), 65535);
    EXPECT_EQ(parse_port("65536"), std::nullopt);
    EXPECT_EQ(parse_port(""), std::nullopt);
    EXPECT_EQ(parse_port(" 1"), std::nullopt);
    EXPECT_EQ(parse_port("0x10"), std::nullopt);
    EXPECT_EQ(parse_port("123456"), std::nullopt);
}

TEST(is_ipv6_literal, accepts_and_refuses) {
    EXPECT_TRUE(is_ipv6_literal("::"));
    EXPECT_TRUE(is_ipv6_literal("::ffff:192.0.2.1"));
    EXPECT_TRUE(is_ipv6_literal("fe80::1%2"));
    EXPECT_FALSE(is_ipv6_literal("fe80::1%"));
    EXPECT_FALSE(is_ipv6_literal("1.2.3.4"));
    EXPECT_FALSE(is_ipv6_literal(":::"));
    EXPECT_FALSE(is_ipv6_literal(""));
}

} // namespace
} // namespace vncgate::core
