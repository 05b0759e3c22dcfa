// Tests for routing a WebSocket request to its target: query parsing, host tokens, lookups.
#include "core/router.hpp"

#include <gtest/gtest.h>
#include <map>

namespace vncgate::core {
namespace {

TEST(QueryParameter, FindsDecodedValue) {
    EXPECT_EQ(query_parameter("/websockify?token=abc", "token"), "abc");
    EXPECT_EQ(query_parameter("/?a=1&token=x%2Fy+z&b=2", "token"), "x/y z");
    EXPECT_EQ(query_parameter("/?token=first&token=second", "token"), "first");
    EXPECT_EQ(query_parameter("/?token", "token"), "");
    EXPECT_EQ(query_parameter("/?token=a#frag", "token"), "a");
    EXPECT_EQ(query_parameter("/?to%6Ben=enc", "token"), "enc");
}

// websockify parses the query with Python 3.10+'s parse_qs, which splits on '&' only.
TEST(QueryParameter, SplitsOnAmpersandOnlyLikePythonParseQs) {
    EXPECT_EQ(query_parameter("/?token=a;b", "token"), "a;b");
    EXPECT_EQ(query_parameter("/?x=1&token=t", "token"), "t");
    EXPECT_EQ(query_parameter("/?token=a%3Bb", "token"), "a;b");
    // "a=1;token=t" is one parameter named "a", whose value is "1;token=t".
    EXPECT_EQ(query_parameter("/?a=1;token=t", "token"), std::nullopt);
    EXPECT_EQ(query_parameter("/?a=1;token=t", "a"), "1;token=t");
}

TEST(QueryParameter, AbsentOrMalformed) {
    EXPECT_EQ(query_parameter("/websockify", "token"), std::nullopt);
    EXPECT_EQ(query_parameter("/?tokens=a", "token"), std::nullopt);
    EXPECT_EQ(query_parameter("/?token=%zz", "token"), std::nullopt);
    EXPECT_EQ(query_parameter("/?token=%4", "token"), std::nullopt);
    EXPECT_EQ(query_parameter("/?token=%", "token"), std::nullopt);
}

// A resolver over a fixed table that counts lookups.
class table_resolver : public target_resolver {
public:
    explicit table_resolver(std::map<std::string, target, std::less<>> t) : table_(std::move(t)) {}
    std::optional<target> lookup(std::string_view token) override {
        ++lookups;
        auto it = table_.find(token);
        if (it == table_.end())
            return std::nullopt;
        return it->second;
    }
    void reload() override { ++reloads; }
    int lookups = 0;
    int reloads = 0;

private:
    std::map<std::string, target, std::less<>> table_;
};

target tcp_target(std::string host, std::uint16_t port) {
    target t;
    t.host = std::move(host);
    t.port = port;
    return t;
}

TEST(Router, FixedTargetIgnoresTheRequest) {
    router r(tcp_target("127.0.0.1", 5900), nullptr, false);
    auto res = r.route("/anything?token=x", "example.org");
    ASSERT_TRUE(res.destination);
    EXPECT_EQ(res.destination->to_string(), "127.0.0.1:5900");
}

TEST(Router, TokenFromQuery) {
    auto tokens = std::make_unique<table_resolver>(
        std::map<std::string, target, std::less<>>{{"alice", tcp_target("10.0.0.5", 5901)}});
    auto* raw = tokens.get();
    router r(std::nullopt, std::move(tokens), false);
    auto ok = r.route("/websockify?token=alice", "gw:6080");
    ASSERT_TRUE(ok.destination);
    EXPECT_EQ(ok.destination->port, 5901);

    auto unknown = r.route("/websockify?token=bob", "gw:6080");
    EXPECT_FALSE(unknown.destination);
    EXPECT_NE(unknown.error.find("unknown token"), std::string::npos);

    auto missing = r.route("/websockify", "gw:6080");
    EXPECT_FALSE(missing.destination);
    EXPECT_NE(missing.error.find("token missing"), std::string::npos);
    EXPECT_EQ(raw->lookups, 2);
}

TEST(Router, TrailingNewlinesAreStrippedLikeWebsockify) {
    auto tokens = std::make_unique<table_resolver>(
        std::map<std::string, target, std::less<>>{{"alice", tcp_target("h", 1)}});
    router r(std::nullopt, std::move(tokens), false);
    EXPECT_TRUE(r.route("/?token=alice%0A", "").destination);
}

TEST(Router, ControlCharactersAndHugeTokensAreRefusedBeforeLookup) {
    auto tokens = std::make_unique<table_resolver>(std::map<std::string, target, std::less<>>{});
    auto* raw = tokens.get();
    router r(std::nullopt, std::move(tokens), false);
    EXPECT_EQ(r.route("/?token=a%00b", "").error, "invalid token");
    EXPECT_EQ(r.route("/?token=a%1Bb", "").error, "invalid token");
    EXPECT_EQ(r.route("/?token=" + std::string(300, 'x'), "").error, "invalid token");
    EXPECT_EQ(raw->lookups, 0);
}

TEST(Router, HostToken) {
    auto tokens = std::make_unique<table_resolver>(std::map<std::string, target, std::less<>>{
        {"desk1.example.org", tcp_target("10.0.0.1", 5900)}});
    router r(std::nullopt, std::move(tokens), true);
    auto ok = r.route("/?token=ignored", "desk1.example.org:6080");
    ASSERT_TRUE(ok.destination);
    EXPECT_EQ(ok.destination->host, "10.0.0.1");
    EXPECT_FALSE(r.route("/", "").destination);
    EXPECT_FALSE(r.route("/", "other.example.org").destination);
}

TEST(Router, ReloadReachesTheResolver) {
    auto tokens = std::make_unique<table_resolver>(std::map<std::string, target, std::less<>>{});
    auto* raw = tokens.get();
    router r(std::nullopt, std::move(tokens), false);
    r.reload();
    EXPECT_EQ(raw->reloads, 1);
}

} // namespace
} // namespace vncgate::core
