// HTTP integration tests for --web: static files, MIME types, HEAD, ETag/304, 404s, directories,
// path traversal, methods, oversized and partial requests, malformed requests; and plain HTTP
// without --web. Requests are written by hand so that their targets reach the gateway unchanged.
#include "support/gateway_fixture.hpp"

#include <chrono>

namespace vncgate::test {
namespace {

const std::string secret = "TOP-SECRET-OUTSIDE-THE-WEB-ROOT";

std::string media_type(const std::string& content_type) {
    std::string t = content_type.substr(0, content_type.find(';'));
    while (!t.empty() && t.back() == ' ') {
        t.pop_back();
    }
    for (auto& c : t) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return t;
}

class http_test : public gateway_test {
protected:
    void SetUp() override {
        web_ = tmp_ / "www";
        namespace fs = std::filesystem;
        fs::create_directories(web_ / "sub");
        fs::create_directories(web_ / "noindex");
        write_file(tmp_ / "secret.txt", secret);
        write_file(web_ / "index.html", "<!doctype html><title>vncgate</title>index page\n");
        write_file(web_ / "app.js", "export const answer = 42;\n");
        write_file(web_ / "style.css", "body { color: #2e8b57; }\n");
        write_file(web_ / "data.json", "{\"answer\": 42}\n");
        write_file(web_ / "icon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n");
        png_ = std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) + std::string(100, '\0');
        write_file(web_ / "pic.png", png_);
        write_file(web_ / "mod.wasm", std::string("\0asm\1\0\0\0", 8));
        write_file(web_ / ".secret", secret);
        write_file(web_ / "sub" / "index.html", "sub index\n");
        write_file(web_ / "sub" / ".hidden", secret);
        write_file(web_ / "noindex" / "listed-file.txt", "x");
        fs::create_symlink(tmp_ / "secret.txt", web_ / "link.txt");
        fs::create_directory_symlink(tmp_.path(), web_ / "linkdir");

        echo_ = loopback_server::tcp(echo_handler());
        start_gateway({"--web", web_.string(), "127.0.0.1:0", echo_->address()});
    }

    http_response get(const std::string& target, const std::string& extra = "",
                      const std::string& method = "GET") {
        raw_socket s = connect_raw();
        return http_exchange(s, http_request(method, target, gateway_host(), extra),
                             method == "HEAD");
    }

    std::filesystem::path web_;
    std::string png_;
    std::unique_ptr<loopback_server> echo_;
};

TEST_F(http_test, root_serves_index_html) {
    auto r = get("/");
    EXPECT_EQ(r.status, 200) << r.status_line;
    EXPECT_EQ(r.body, read_file(web_ / "index.html"));
    EXPECT_EQ(media_type(r.header("Content-Type")), "text/html");
}

TEST_F(http_test, files_have_the_right_content_type_and_bytes) {
    struct expectation {
        std::string path;
        std::vector<std::string> types; // any of these
    };
    std::vector<expectation> files{
        {"/index.html", {"text/html"}},
        {"/app.js", {"text/javascript", "application/javascript"}},
        {"/style.css", {"text/css"}},
        {"/data.json", {"application/json"}},
        {"/icon.svg", {"image/svg+xml"}},
        {"/pic.png", {"image/png"}},
        {"/mod.wasm", {"application/wasm"}},
        {"/sub/index.html", {"text/html"}},
    };
    for (const auto& f : files) {
        auto r = get(f.path);
        EXPECT_EQ(r.status, 200) << f.path << ": " << r.status_line;
        EXPECT_EQ(r.body, read_file(web_.string() + f.path)) << f.path;
        std::string t = media_type(r.header("Content-Type"));
        EXPECT_NE(std::find(f.types.begin(), f.types.end(), t), f.types.end())
            << f.path << " has Content-Type '" << r.header("Content-Type") << "'";
    }
}

TEST_F(http_test, head_sends_headers_without_body) {
    raw_socket s = connect_raw();
    auto r = http_exchange(s, http_request("HEAD", "/app.js", gateway_host()), true);
    EXPECT_EQ(r.status, 200) << r.status_line;
    if (r.has_header("Content-Length")) {
        EXPECT_EQ(r.header("Content-Length"), std::to_string(read_file(web_ / "app.js").size()));
    }
    std::vector<std::uint8_t> rest;
    s.wait_closed(5s, &rest);
    EXPECT_TRUE(rest.empty()) << "HEAD response carried a body: " << preview(rest);
}

TEST_F(http_test, etag_and_if_none_match_give_304) {
    auto first = get("/app.js");
    ASSERT_EQ(first.status, 200);
    std::string etag = first.header("ETag");
    ASSERT_FALSE(etag.empty()) << "no ETag header";

    raw_socket s = connect_raw();
    auto r = http_exchange(
        s, http_request("GET", "/app.js", gateway_host(), "If-None-Match: " + etag + "\r\n"));
    EXPECT_EQ(r.status, 304) << r.status_line;
    std::vector<std::uint8_t> rest;
    s.wait_closed(5s, &rest);
    EXPECT_TRUE(rest.empty()) << "304 carried a body: " << preview(rest);

    auto other = get("/app.js", "If-None-Match: \"not-the-etag\"\r\n");
    EXPECT_EQ(other.status, 200) << other.status_line;
    EXPECT_EQ(other.body, read_file(web_ / "app.js"));

    auto css = get("/style.css");
    EXPECT_NE(css.header("ETag"), etag) << "different files must not share an ETag";
}

TEST_F(http_test, missing_files_and_dotfiles_are_404) {
    for (std::string path : {"/missing.html", "/sub/missing", "/.secret", "/sub/.hidden",
                             "/.secret/", "/nothing/here/"}) {
        auto r = get(path);
        EXPECT_EQ(r.status, 404) << path << ": " << r.status_line;
        EXPECT_EQ(r.body.find(secret), std::string::npos) << path;
    }
}

TEST_F(http_test, directory_without_index_is_404_without_listing) {
    auto r = get("/noindex/");
    EXPECT_EQ(r.status, 404) << r.status_line;
    EXPECT_EQ(r.body.find("listed-file"), std::string::npos) << "directory listing: " << r.body;
}

TEST_F(http_test, directory_without_trailing_slash_redirects) {
    auto r = get("/sub");
    EXPECT_EQ(r.status, 301) << r.status_line;
    std::string loc = r.header("Location");
    EXPECT_TRUE(loc.size() >= 5 && loc.compare(loc.size() - 5, 5, "/sub/") == 0)
        << "Location: '" << loc << "'";
    auto followed = get("/sub/");
    EXPECT_EQ(followed.status, 200);
    EXPECT_EQ(followed.body, "sub index\n");
}

TEST_F(http_test, path_traversal_never_serves_outside_files) {
    for (std::string path : {"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
                             "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt", "/sub/../../secret.txt",
                             "/sub/%2e%2e/%2e%2e/secret.txt", "/..%5csecret.txt", "/index.html%00",
                             "/index.html%00.png"}) {
        auto r = get(path);
        EXPECT_TRUE(r.status == 400 || r.status == 404) << path << ": " << r.status_line;
        EXPECT_EQ(r.body.find(secret), std::string::npos) << path << " served the secret";
    }
    // A symlink inside the web root that leads outside it is refused as such.
    for (std::string path : {"/link.txt", "/linkdir/secret.txt"}) {
        auto r = get(path);
        EXPECT_EQ(r.status, 403) << path << ": " << r.status_line;
        EXPECT_EQ(r.body.find(secret), std::string::npos) << path << " served the secret";
    }
}

TEST_F(http_test, other_methods_are_405) {
    for (std::string method : {"POST", "PUT", "DELETE", "PATCH"}) {
        raw_socket s = connect_raw();
        auto r = http_exchange(s, method + " /index.html HTTP/1.1\r\nHost: " + gateway_host() +
                                      "\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbody");
        EXPECT_EQ(r.status, 405) << method << ": " << r.status_line;
    }
}

TEST_F(http_test, oversized_headers_are_rejected_and_the_connection_closed) {
    raw_socket s = connect_raw();
    std::string big(12 * 1024, 'a');
    auto r = http_exchange(s, "GET / HTTP/1.1\r\nHost: " + gateway_host() + "\r\nX-Big: " + big +
                                  "\r\n\r\n");
    EXPECT_TRUE(r.status == 431 || r.status == 400)
        << "'" << r.status_line << "' (" << to_string(r.end) << ")";
    auto end = s.wait_closed(10s);
    EXPECT_NE(end, read_result::timeout) << "the connection stayed open";
}

TEST_F(http_test, malformed_request_lines_are_400) {
    for (std::string req :
         {std::string("NOT A REQUEST\r\n\r\n"), std::string("GET / HTTX/1.1\r\nHost: x\r\n\r\n"),
          std::string("GET /\x01\x02 HTTP/1.1\r\nHost: x\r\n\r\n")}) {
        raw_socket s = connect_raw();
        auto r = http_exchange(s, req);
        EXPECT_EQ(r.status, 400) << preview(as_bytes(req)) << " -> '" << r.status_line << "' ("
                                 << to_string(r.end) << ")";
    }
    EXPECT_TRUE(echo_round_trip());
}

TEST_F(http_test, websocket_still_works_next_to_static_files) {
    ws_connect_options opts;
    opts.target = "/websockify";
    EXPECT_TRUE(echo_round_trip(opts));
    EXPECT_EQ(get("/").status, 200);
}

// The one slow test: the default request timeout is up to 30 s.
TEST_F(http_test, partial_request_is_disconnected) {
    raw_socket s = connect_raw();
    ASSERT_TRUE(s.send_all("GET /index.html HTTP/1.1\r\nHost: " + gateway_host() + "\r\n"));
    auto start = std::chrono::steady_clock::now();
    auto end = s.wait_closed(35s);
    auto took =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start);
    EXPECT_NE(end, read_result::timeout) << "still connected after " << took.count() << " s";
    EXPECT_TRUE(echo_round_trip());
}

class http_without_web_test : public gateway_test {};

TEST_F(http_without_web_test, plain_get_is_405_and_websocket_works) {
    auto echo = loopback_server::tcp(echo_handler());
    start_gateway({"127.0.0.1:0", echo->address()});
    raw_socket s = connect_raw();
    auto r = http_exchange(s, http_request("GET", "/", gateway_host()));
    EXPECT_EQ(r.status, 405) << r.status_line;
    EXPECT_TRUE(echo_round_trip());
}

} // namespace
} // namespace vncgate::test
