// Token-routing integration tests: TokenFile (file and directory, re-read while running),
// ReadOnlyTokenFile, TokenFileName, --host-token, Unix-socket targets, unknown and missing tokens.
#include "support/gateway_fixture.hpp"

namespace vncgate::test {
namespace {

class token_test : public gateway_test {
protected:
    void SetUp() override {
        alpha_ = loopback_server::tcp(banner_echo_handler("alpha"));
        beta_ = loopback_server::tcp(banner_echo_handler("beta!"));
        gamma_ = loopback_server::tcp(banner_echo_handler("gamma"));
    }

    // Connects with the given request target (and Host header), reads the 5-byte banner of the
    // target it reached and proves the session relays both ways.
    std::string reached(const std::string& target, const std::string& host = "") {
        ws_connect_options opts;
        opts.target = target;
        opts.host = host;
        auto ws = connect_ws(opts);
        auto banner = ws->receive_bytes(5);
        auto msg = payload(3).bytes(0, 777);
        ws->send_binary(msg);
        if (ws->receive_bytes(msg.size()) != msg) {
            return "echo mismatch";
        }
        ws->close(1000, "");
        return as_string(banner);
    }

    // Connects with a token that must be refused: the WebSocket is accepted and closed with 1008.
    void expect_refused(const std::string& target, const std::string& host = "") {
        ws_connect_options opts;
        opts.target = target;
        opts.host = host;
        std::unique_ptr<ws_client> ws;
        ASSERT_NO_THROW(ws = connect_ws(opts)) << target;
        std::vector<std::uint8_t> data;
        auto closed = ws->receive_until_close(10s, &data);
        EXPECT_TRUE(data.empty()) << "data from some target: " << preview(data);
        EXPECT_TRUE(closed.close_frame) << target << ": " << closed.describe();
        EXPECT_EQ(closed.code, 1008) << target << ": " << closed.describe();
        EXPECT_TRUE(contains_icase(closed.reason, "token")) << target << ": " << closed.describe();
    }

    std::unique_ptr<loopback_server> alpha_, beta_, gamma_;
};

TEST_F(token_test, token_file_routes_by_query_token) {
    auto file = tmp_ / "tokens.cfg";
    write_file(file, "# vncgate test tokens\n"
                     "\n"
                     "alpha: " +
                         alpha_->address() +
                         "\n"
                         "  # indented comment\n"
                         "beta: " +
                         beta_->address() + "\n");
    start_gateway({"--token-plugin", "TokenFile", "--token-source", file.string(), "127.0.0.1:0"});
    EXPECT_EQ(reached("/?token=alpha"), "alpha");
    EXPECT_EQ(reached("/websockify?token=beta"), "beta!");
    EXPECT_EQ(reached("/websockify?foo=1&token=alpha&bar=2"), "alpha");
}

TEST_F(token_test, unknown_or_missing_token_closes_with_1008) {
    auto file = tmp_ / "tokens.cfg";
    write_file(file, "alpha: " + alpha_->address() + "\n");
    start_gateway({"--token-plugin", "TokenFile", "--token-source", file.string(), "127.0.0.1:0"});
    expect_refused("/?token=nosuch");
    expect_refused("/?token=");
    expect_refused("/");
    expect_refused("/?token=%23");          // '#' is a comment marker in the file
    expect_refused("/?token=alpha%3A%20x"); // not a prefix match
    EXPECT_EQ(alpha_->accepted(), 0u) << "a refused token must not reach any target";
    EXPECT_EQ(reached("/?token=alpha"), "alpha");
}

TEST_F(token_test, token_file_is_reread_when_edited) {
    auto file = tmp_ / "tokens.cfg";
    write_file(file, "one: " + alpha_->address() + "\ntwo: " + beta_->address() + "\n");
    start_gateway({"--token-plugin", "TokenFile", "--token-source", file.string(), "127.0.0.1:0"});
    EXPECT_EQ(reached("/?token=one"), "alpha");
    EXPECT_EQ(reached("/?token=two"), "beta!");

    // Edit in place: "one" moves, "two" goes away, "three" appears.
    write_file(file, "one: " + gamma_->address() + "\nthree: " + alpha_->address() + "\n");
    EXPECT_EQ(reached("/?token=one"), "gamma");
    EXPECT_EQ(reached("/?token=three"), "alpha");
    expect_refused("/?token=two");
}

TEST_F(token_test, token_file_directory_reads_every_file) {
    auto dir = tmp_ / "tokens.d";
    std::filesystem::create_directory(dir);
    write_file(dir / "a.cfg", "alpha: " + alpha_->address() + "\n");
    write_file(dir / "b.cfg", "# second file\nbeta: " + beta_->address() + "\n");
    start_gateway({"--token-plugin", "TokenFile", "--token-source", dir.string(), "127.0.0.1:0"});
    EXPECT_EQ(reached("/?token=alpha"), "alpha");
    EXPECT_EQ(reached("/?token=beta"), "beta!");
    expect_refused("/?token=gamma");
}

TEST_F(token_test, read_only_token_file_routes) {
    auto file = tmp_ / "tokens.cfg";
    write_file(file, "alpha: " + alpha_->address() + "\nbeta: " + beta_->address() + "\n");
    start_gateway(
        {"--token-plugin", "ReadOnlyTokenFile", "--token-source", file.string(), "127.0.0.1:0"});
    EXPECT_EQ(reached("/?token=beta"), "beta!");
    EXPECT_EQ(reached("/?token=alpha"), "alpha");
    expect_refused("/?token=gamma");
}

TEST_F(token_test, token_file_name_uses_one_file_per_token) {
    auto dir = tmp_ / "by-name";
    std::filesystem::create_directory(dir);
    write_file(dir / "alpha", alpha_->address() + "\n");
    write_file(dir / "beta", beta_->address());
    start_gateway(
        {"--token-plugin", "TokenFileName", "--token-source", dir.string(), "127.0.0.1:0"});
    EXPECT_EQ(reached("/?token=alpha"), "alpha");
    EXPECT_EQ(reached("/?token=beta"), "beta!");
    expect_refused("/?token=gamma");
    // A token must not name a file outside the directory.
    write_file(tmp_ / "outside", gamma_->address() + "\n");
    expect_refused("/?token=..%2Foutside");
    expect_refused("/?token=../outside");
    EXPECT_EQ(gamma_->accepted(), 0u);
}

TEST_F(token_test, host_token_uses_the_host_name) {
    auto file = tmp_ / "tokens.cfg";
    write_file(file, "alpha: " + alpha_->address() + "\nbeta: " + beta_->address() + "\n");
    start_gateway({"--token-plugin", "TokenFile", "--token-source", file.string(), "--host-token",
                   "127.0.0.1:0"});
    const std::string port = std::to_string(gateway().port());
    EXPECT_EQ(reached("/", "alpha:" + port), "alpha");
    EXPECT_EQ(reached("/?token=alpha", "beta:" + port), "beta!") << "the Host header decides";
    EXPECT_EQ(reached("/", "beta"), "beta!");
    expect_refused("/?token=alpha", "gamma:" + port);
}

TEST_F(token_test, token_can_name_a_unix_socket_target) {
    auto sock = tmp_ / "vnc.sock";
    auto unix_target = loopback_server::unix_socket(sock.string(), banner_echo_handler("unix!"));
    auto file = tmp_ / "tokens.cfg";
    write_file(file,
               "local: unix_socket:" + sock.string() + "\nalpha: " + alpha_->address() + "\n");
    start_gateway({"--token-plugin", "TokenFile", "--token-source", file.string(), "127.0.0.1:0"});
    EXPECT_EQ(reached("/?token=local"), "unix!");
    EXPECT_EQ(reached("/?token=alpha"), "alpha");
}

} // namespace
} // namespace vncgate::test
