// Unit tests for core/static_site: request path cleaning and the static file responses.
#include "core/mime.hpp"
#include "core/static_site.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace vncgate::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
namespace fs = std::filesystem;
namespace net = boost::asio;
using segments = std::vector<std::string>;

// ---- clean_request_path -------------------------------------------------------------------

TEST(clean_request_path, plain_paths) {
    EXPECT_EQ(clean_request_path("/"), segments{});
    EXPECT_EQ(clean_request_path("/vnc.html"), (segments{"vnc.html"}));
    EXPECT_EQ(clean_request_path("/app/images/icons/novnc.svg"),
              (segments{"app", "images", "icons", "novnc.svg"}));
    EXPECT_EQ(clean_request_path("/app/"), (segments{"app"}));
}

TEST(clean_request_path, double_slashes_and_dot_segments_collapse) {
    EXPECT_EQ(clean_request_path("//app///ui.js"), (segments{"app", "ui.js"}));
    EXPECT_EQ(clean_request_path("/./app/./ui.js"), (segments{"app", "ui.js"}));
    EXPECT_EQ(clean_request_path("/%2e/app"), (segments{"app"}));
    EXPECT_EQ(clean_request_path("/."), segments{});
}

TEST(clean_request_path, query_and_fragment_are_dropped) {
    EXPECT_EQ(clean_request_path("/vnc.html?host=x&port=6080&path=../../etc"),
              (segments{"vnc.html"}));
    EXPECT_EQ(clean_request_path("/vnc.html#frag/../x"), (segments{"vnc.html"}));
    EXPECT_EQ(clean_request_path("/?a=b"), segments{});
    EXPECT_EQ(clean_request_path("/a?%zz"), (segments{"a"})); // a bad query is not our concern
}

TEST(clean_request_path, percent_decoding) {
    EXPECT_EQ(clean_request_path("/with%20space.txt"), (segments{"with space.txt"}));
    EXPECT_EQ(clean_request_path("/a+b"), (segments{"a+b"})); // '+' is not a space in paths
    EXPECT_EQ(clean_request_path("/%41%62%63"), (segments{"Abc"}));
    EXPECT_EQ(clean_request_path("/%7e%7E"), (segments{"~~"}));
}

TEST(clean_request_path, unicode) {
    EXPECT_EQ(clean_request_path("/caf%C3%A9.txt"), (segments{"caf\xc3\xa9.txt"}));
    EXPECT_EQ(clean_request_path("/caf\xc3\xa9.txt"), (segments{"caf\xc3\xa9.txt"}));
    EXPECT_EQ(clean_request_path("/%E2%82%AC/%F0%9F%98%80"),
              (segments{"\xe2\x82\xac", "\xf0\x9f\x98\x80"}));
    // Invalid UTF-8: truncated, bad continuation, overlong (the classic %c0%ae = '.'),
    // surrogates, beyond U+10FFFF, stray continuation byte.
    for (const char* bad : {"/%C3", "/%C3%28", "/%C0%AE%C0%AE", "/%E0%80%AF", "/%ED%A0%80",
                            "/%F4%90%80%80", "/%80", "/\xff", "/%F8%88%80%80%80"}) {
        EXPECT_EQ(clean_request_path(bad), std::nullopt) << bad;
    }
}

TEST(clean_request_path, escapes_are_refused) {
    for (const char* bad : {"/..", "/../etc/passwd", "/app/../../etc/passwd", "/%2e%2e/x",
                            "/%2E%2E/x", "/.%2e/x", "/%2e./x", "/app/%2e%2e", "/..?x", "/a/.."}) {
        EXPECT_EQ(clean_request_path(bad), std::nullopt) << bad;
    }
}

TEST(clean_request_path, dangerous_bytes_are_refused) {
    for (const char* bad : {"/a%00b", "/a%2fb", "/a%2Fb", "/a%5cb", "/a\\b", "/a%0a",
                            "/a%0d%0aX: y", "/a%7f", "/a%09", "/a\x01"}) {
        EXPECT_EQ(clean_request_path(bad), std::nullopt) << bad;
    }
    EXPECT_EQ(clean_request_path(std::string_view("/a\0b", 4)), std::nullopt);
}

TEST(clean_request_path, malformed_escapes_are_refused) {
    for (const char* bad : {"/%", "/%4", "/a%", "/%zz", "/%g0", "/%0g", "/%%41"}) {
        EXPECT_EQ(clean_request_path(bad), std::nullopt) << bad;
    }
}

TEST(clean_request_path, only_origin_form_is_accepted) {
    for (const char* bad :
         {"", "vnc.html", "*", "http://example.com/vnc.html", "example.com:443", "?x=1", "#x"}) {
        EXPECT_EQ(clean_request_path(bad), std::nullopt) << bad;
    }
}

TEST(clean_request_path, dot_names_other_than_dot_and_dotdot_are_kept) {
    // The site answers 404 for them; the path itself is well-formed.
    EXPECT_EQ(clean_request_path("/.hidden"), (segments{".hidden"}));
    EXPECT_EQ(clean_request_path("/..."), (segments{"..."}));
    EXPECT_EQ(clean_request_path("/a..b"), (segments{"a..b"}));
}

// ---- HTTP dates ---------------------------------------------------------------------------

TEST(http_date, format) {
    EXPECT_EQ(format_http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    EXPECT_EQ(format_http_date(1709208000), "Thu, 29 Feb 2024 12:00:00 GMT");
}

TEST(http_date, parse_the_three_forms) {
    EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
    EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
    EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), 784111777);
    EXPECT_EQ(parse_http_date("Thu, 29 Feb 2024 12:00:00 GMT"), 1709208000);
    EXPECT_EQ(parse_http_date(" Sun, 06 Nov 1994 08:49:37 GMT "), 784111777);
}

TEST(http_date, parse_refuses_garbage) {
    for (const char* bad :
         {"", "yesterday", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49 GMT",
          "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
          "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
          "Sun, 06 Nov 1994 08:49:37 GMTX", "Sun,06 Nov 1994 08:49:37 GMT",
          "Sun Nov 6 08:49:37 1994", "1994-11-06T08:49:37Z"}) {
        EXPECT_EQ(parse_http_date(bad), std::nullopt) << bad;
    }
}

// ---- static_site ----------------------------------------------------------------------------

// A response as a browser would read it off the wire.
struct wire_response {
    http::response<http::string_body> msg;
    std::string raw;
};

// A site under a fresh temporary directory:
//   site/index.html, vnc.html, vnc_auto.html -> vnc.html, app/ui.js, app/styles/base.css,
//   app/a<b>&"'.txt, docs/index.html, .hidden, .git/config, cfg -> .git/config,
//   escape -> ../elsewhere/secret.txt, escape_dir -> ../elsewhere, caf\u00e9.txt,
//   with space.txt, evil.example/, fifo (a named pipe)
//   elsewhere/secret.txt
class static_site_test : public ::testing::Test {
protected:
    void SetUp() override {
        base_ = fs::temp_directory_path() /
                ("vncgate-site-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(base_);
        root_ = base_ / "site";
        fs::create_directories(root_ / "app" / "styles");
        fs::create_directories(root_ / "docs");
        fs::create_directories(root_ / ".git");
        fs::create_directories(root_ / "evil.example");
        fs::create_directories(base_ / "elsewhere");
        put(root_ / "index.html", "<h1>home</h1>\n");
        put(root_ / "vnc.html", "<!DOCTYPE html><title>noVNC</title>\n");
        fs::create_symlink("vnc.html", root_ / "vnc_auto.html");
        put(root_ / "app" / "ui.js", "export const x = 1;\n");
        put(root_ / "app" / "styles" / "base.css", "body { margin: 0 }\n");
        put(root_ / "app" / "a<b>&\"'.txt", "odd name\n");
        put(root_ / "docs" / "index.html", "<p>docs</p>\n");
        put(root_ / ".hidden", "hidden\n");
        put(root_ / ".git" / "config", "[core]\n");
        fs::create_symlink(".git/config", root_ / "cfg");
        put(base_ / "elsewhere" / "secret.txt", "top secret\n");
        fs::create_symlink("../elsewhere/secret.txt", root_ / "escape");
        fs::create_symlink("../elsewhere", root_ / "escape_dir");
        put(root_ / "caf\xc3\xa9.txt", "unicode\n");
        put(root_ / "with space.txt", "spaced\n");
        ASSERT_EQ(::mkfifo((root_ / "fifo").c_str(), 0644), 0);
    }
    void TearDown() override { fs::remove_all(base_); }

    static void put(const fs::path& p, std::string_view text) {
        std::ofstream out(p, std::ios::binary);
        out << text;
    }

    static_site site(bool listing = false) const {
        return static_site(static_site::settings{root_, listing});
    }

    // Serialises the handler's answer to bytes and parses them back as a client would.
    static wire_response get(const static_site& s, http::request<http::string_body> req) {
        const bool head = req.method() == http::verb::head;
        auto gen = s.handle(req);
        wire_response out;
        boost::beast::error_code ec;
        while (!gen.is_done()) {
            auto bufs = gen.prepare(ec);
            if (ec) {
                ADD_FAILURE() << "serialisation failed: " << ec.message();
                return out;
            }
            std::size_t n = 0;
            for (const auto& b : bufs) {
                out.raw.append(static_cast<const char*>(b.data()), b.size());
                n += b.size();
            }
            gen.consume(n);
        }
        http::response_parser<http::string_body> parser;
        parser.eager(true);
        parser.skip(head);
        std::size_t used = 0;
        while (!parser.is_done() && used < out.raw.size()) {
            auto n = parser.put(net::buffer(out.raw.data() + used, out.raw.size() - used), ec);
            if (ec) {
                ADD_FAILURE() << "unparsable response: " << ec.message() << "\n" << out.raw;
                return out;
            }
            if (n == 0) {
                break;
            }
            used += n;
        }
        EXPECT_TRUE(parser.is_done()) << out.raw;
        EXPECT_EQ(used, out.raw.size()) << "bytes after the response:\n" << out.raw;
        out.msg = parser.release();
        return out;
    }

    static http::request<http::string_body> request(http::verb method, std::string target,
                                                    unsigned version = 11) {
        http::request<http::string_body> req{method, target, version};
        req.set(http::field::host, "localhost:6080");
        return req;
    }

    wire_response get(std::string target, bool listing = false) const {
        return get(site(listing), request(http::verb::get, std::move(target)));
    }

    static std::string header(const wire_response& r, http::field f) {
        return std::string(r.msg[f]);
    }

    fs::path base_;
    fs::path root_;
};

TEST_F(static_site_test, serves_a_file_with_type_length_and_headers) {
    auto r = get("/vnc.html");
    EXPECT_EQ(r.msg.result(), http::status::ok);
    EXPECT_EQ(r.msg.body(), "<!DOCTYPE html><title>noVNC</title>\n");
    EXPECT_EQ(header(r, http::field::content_type), "text/html; charset=utf-8");
    EXPECT_EQ(header(r, http::field::content_length), "36");
    EXPECT_EQ(header(r, http::field::server), "vncgate");
    EXPECT_EQ(header(r, http::field::cache_control), "no-cache");
    EXPECT_EQ(std::string(r.msg["X-Content-Type-Options"]), "nosniff");
    EXPECT_TRUE(parse_http_date(header(r, http::field::date)).has_value());

    struct stat st {};
    ASSERT_EQ(::stat((root_ / "vnc.html").c_str(), &st), 0);
    EXPECT_EQ(header(r, http::field::last_modified), format_http_date(st.st_mtim.tv_sec));
    auto etag = header(r, http::field::etag);
    EXPECT_THAT(etag, ::testing::MatchesRegex("\"[0-9a-f]+-[0-9a-f]+\""));
    EXPECT_THAT(etag, ::testing::StartsWith("\"24-")); // size 36 in hex
}

TEST_F(static_site_test, content_types_follow_mime_type) {
    auto js = get("/app/ui.js");
    EXPECT_EQ(js.msg.result(), http::status::ok);
    EXPECT_EQ(header(js, http::field::content_type), "text/javascript; charset=utf-8");
    EXPECT_EQ(js.msg.body(), "export const x = 1;\n");
    auto css = get("/app/styles/base.css");
    EXPECT_EQ(header(css, http::field::content_type), "text/css; charset=utf-8");
    auto txt = get("/caf%C3%A9.txt");
    EXPECT_EQ(txt.msg.result(), http::status::ok);
    EXPECT_EQ(txt.msg.body(), "unicode\n");
    EXPECT_EQ(get("/with%20space.txt").msg.body(), "spaced\n");
}

TEST_F(static_site_test, head_sends_headers_only) {
    auto r = get(site(), request(http::verb::head, "/vnc.html"));
    EXPECT_EQ(r.msg.result(), http::status::ok);
    EXPECT_EQ(header(r, http::field::content_length), "36");
    EXPECT_EQ(header(r, http::field::content_type), "text/html; charset=utf-8");
    EXPECT_FALSE(header(r, http::field::etag).empty());
    EXPECT_EQ(r.raw.substr(r.raw.size() - 4), "\r\n\r\n"); // nothing after the header
    EXPECT_THAT(r.raw, Not(HasSubstr("noVNC")));

    auto missing = get(site(), request(http::verb::head, "/missing"));
    EXPECT_EQ(missing.msg.result(), http::status::not_found);
    EXPECT_NE(header(missing, http::field::content_length), "0");
    EXPECT_EQ(missing.raw.substr(missing.raw.size() - 4), "\r\n\r\n");
}

TEST_F(static_site_test, not_modified_by_etag) {
    auto first = get("/vnc.html");
    auto etag = header(first, http::field::etag);
    auto s = site();
    for (const std::string& inm :
         std::vector<std::string>{etag, "W/" + etag, "\"other\", " + etag, "*", " " + etag + " "}) {
        auto req = request(http::verb::get, "/vnc.html");
        req.set(http::field::if_none_match, inm);
        auto r = get(s, req);
        EXPECT_EQ(r.msg.result(), http::status::not_modified) << inm;
        EXPECT_EQ(r.msg.body(), "") << inm;
        EXPECT_EQ(header(r, http::field::etag), etag);
        EXPECT_EQ(header(r, http::field::cache_control), "no-cache");
        EXPECT_EQ(r.msg.count(http::field::content_length), 0u);
    }
    auto req = request(http::verb::get, "/vnc.html");
    req.set(http::field::if_none_match, "\"nope\"");
    EXPECT_EQ(get(s, req).msg.result(), http::status::ok);
}

TEST_F(static_site_test, etag_changes_when_the_file_changes) {
    auto before = header(get("/vnc.html"), http::field::etag);
    put(root_ / "vnc.html", "<!DOCTYPE html><title>noVNC 2</title>\n");
    auto after = header(get("/vnc.html"), http::field::etag);
    EXPECT_NE(before, after);
    auto req = request(http::verb::get, "/vnc.html");
    req.set(http::field::if_none_match, before);
    auto r = get(site(), req);
    EXPECT_EQ(r.msg.result(), http::status::ok);
    EXPECT_EQ(r.msg.body(), "<!DOCTYPE html><title>noVNC 2</title>\n");
}

TEST_F(static_site_test, not_modified_by_date) {
    auto first = get("/vnc.html");
    auto last_modified = header(first, http::field::last_modified);
    auto mtime = *parse_http_date(last_modified);
    auto s = site();

    auto same = request(http::verb::get, "/vnc.html");
    same.set(http::field::if_modified_since, last_modified);
    EXPECT_EQ(get(s, same).msg.result(), http::status::not_modified);

    auto later = request(http::verb::get, "/vnc.html");
    later.set(http::field::if_modified_since, format_http_date(mtime + 3600));
    EXPECT_EQ(get(s, later).msg.result(), http::status::not_modified);

    auto earlier = request(http::verb::get, "/vnc.html");
    earlier.set(http::field::if_modified_since, format_http_date(mtime - 1));
    auto r = get(s, earlier);
    EXPECT_EQ(r.msg.result(), http::status::ok);
    EXPECT_EQ(r.msg.body(), "<!DOCTYPE html><title>noVNC</title>\n");

    auto garbage = request(http::verb::get, "/vnc.html");
    garbage.set(http::field::if_modified_since, "not a date");
    EXPECT_EQ(get(s, garbage).msg.result(), http::status::ok);

    // If-None-Match takes precedence over If-Modified-Since (RFC 7232 section 6).
    auto both = request(http::verb::get, "/vnc.html");
    both.set(http::field::if_none_match, "\"nope\"");
    both.set(http::field::if_modified_since, last_modified);
    EXPECT_EQ(get(s, both).msg.result(), http::status::ok);
}

TEST_F(static_site_test, directory_index) {
    auto root = get("/");
    EXPECT_EQ(root.msg.result(), http::status::ok);
    EXPECT_EQ(root.msg.body(), "<h1>home</h1>\n");
    EXPECT_EQ(header(root, http::field::content_type), "text/html; charset=utf-8");
    auto docs = get("/docs/");
    EXPECT_EQ(docs.msg.result(), http::status::ok);
    EXPECT_EQ(docs.msg.body(), "<p>docs</p>\n");
    EXPECT_EQ(get("/docs//").msg.body(), "<p>docs</p>\n");
}

TEST_F(static_site_test, directory_without_slash_redirects) {
    auto r = get("/docs");
    EXPECT_EQ(r.msg.result(), http::status::moved_permanently);
    EXPECT_EQ(header(r, http::field::location), "/docs/");
    auto q = get("/docs?lang=fr&x=1");
    EXPECT_EQ(q.msg.result(), http::status::moved_permanently);
    EXPECT_EQ(header(q, http::field::location), "/docs/?lang=fr&x=1");
    EXPECT_EQ(header(get("/app/styles"), http::field::location), "/app/styles/");
    // Never a protocol-relative URL: "//evil.example" must not become a redirect off-site.
    auto evil = get("//evil.example");
    EXPECT_EQ(evil.msg.result(), http::status::moved_permanently);
    EXPECT_EQ(header(evil, http::field::location), "/evil.example/");
    // The location is re-encoded from the cleaned path.
    EXPECT_EQ(header(get("/./docs"), http::field::location), "/docs/");
}

TEST_F(static_site_test, missing_files_are_404) {
    auto r = get("/nope.html");
    EXPECT_EQ(r.msg.result(), http::status::not_found);
    EXPECT_EQ(header(r, http::field::content_type), "text/plain; charset=utf-8");
    EXPECT_EQ(r.msg.body(), "404 Not Found: no such file\n");
    EXPECT_EQ(get("/app/nope/deeper.js").msg.result(), http::status::not_found);
    EXPECT_EQ(get("/vnc.html/x").msg.result(), http::status::not_found); // file used as a dir
}

TEST_F(static_site_test, dotfiles_are_404) {
    EXPECT_EQ(get("/.hidden").msg.result(), http::status::not_found);
    EXPECT_EQ(get("/.git/config").msg.result(), http::status::not_found);
    EXPECT_EQ(get("/.git/").msg.result(), http::status::not_found);
    EXPECT_EQ(get("/%2ehidden").msg.result(), http::status::not_found);
    // A visible symlink to a hidden file is hidden too.
    EXPECT_EQ(get("/cfg").msg.result(), http::status::not_found);
}

TEST_F(static_site_test, other_methods_are_405) {
    auto s = site();
    for (auto verb : {http::verb::post, http::verb::put, http::verb::delete_, http::verb::options,
                      http::verb::patch}) {
        auto r = get(s, request(verb, "/vnc.html"));
        EXPECT_EQ(r.msg.result(), http::status::method_not_allowed);
        EXPECT_EQ(header(r, http::field::allow), "GET, HEAD");
        EXPECT_THAT(r.msg.body(), HasSubstr("405"));
    }
}

TEST_F(static_site_test, symlink_inside_the_root_is_followed) {
    // Debian's /usr/share/novnc has vnc_auto.html -> vnc.html.
    auto r = get("/vnc_auto.html");
    EXPECT_EQ(r.msg.result(), http::status::ok);
    EXPECT_EQ(r.msg.body(), "<!DOCTYPE html><title>noVNC</title>\n");
    EXPECT_EQ(header(r, http::field::content_type), "text/html; charset=utf-8");
}

TEST_F(static_site_test, symlink_escaping_the_root_is_refused) {
    for (const char* target : {"/escape", "/escape_dir/secret.txt", "/escape_dir/"}) {
        auto r = get(target);
        EXPECT_EQ(r.msg.result(), http::status::forbidden) << target;
        EXPECT_THAT(r.msg.body(), Not(HasSubstr("top secret")));
        EXPECT_THAT(r.msg.body(), Not(HasSubstr(base_.string())));
        EXPECT_THAT(r.msg.body(), Not(HasSubstr("elsewhere")));
    }
}

TEST_F(static_site_test, the_root_itself_may_be_reached_through_a_symlink) {
    fs::create_symlink(root_, base_ / "link");
    static_site s(static_site::settings{base_ / "link", false});
    EXPECT_EQ(s.root(), fs::canonical(root_));
    auto r = get(s, request(http::verb::get, "/vnc_auto.html"));
    EXPECT_EQ(r.msg.result(), http::status::ok);
}

TEST_F(static_site_test, bad_paths_are_400_without_filesystem_paths) {
    for (const char* target : {"/../elsewhere/secret.txt", "/%2e%2e/elsewhere/secret.txt",
                               "/app/%2e%2e/%2e%2e/elsewhere/secret.txt", "/a%00b", "/%zz",
                               "/a%2fb", "*", "http://example.com/vnc.html"}) {
        auto r = get(target);
        EXPECT_EQ(r.msg.result(), http::status::bad_request) << target;
        EXPECT_EQ(r.msg.body(), "400 Bad Request: malformed request path\n");
    }
}

TEST_F(static_site_test, special_files_are_refused_without_blocking) {
    auto r = get("/fifo");
    EXPECT_EQ(r.msg.result(), http::status::forbidden);
    EXPECT_THAT(r.msg.body(), HasSubstr("not a regular file"));
}

TEST_F(static_site_test, unreadable_file_is_403) {
    if (::geteuid() == 0) {
        GTEST_SKIP() << "root reads every file";
    }
    fs::permissions(root_ / "vnc.html", fs::perms::none);
    EXPECT_EQ(get("/vnc.html").msg.result(), http::status::forbidden);
}

TEST_F(static_site_test, no_listing_by_default) {
    auto r = get("/app/");
    EXPECT_EQ(r.msg.result(), http::status::not_found);
    EXPECT_THAT(r.msg.body(), HasSubstr("directory listing is off"));
    EXPECT_THAT(r.msg.body(), Not(HasSubstr("ui.js")));
}

TEST_F(static_site_test, listing_when_enabled) {
    auto r = get("/app/", true);
    EXPECT_EQ(r.msg.result(), http::status::ok);
    EXPECT_EQ(header(r, http::field::content_type), "text/html; charset=utf-8");
    const auto& body = r.msg.body();
    EXPECT_THAT(body, HasSubstr("<title>Index of /app/</title>"));
    EXPECT_THAT(body, HasSubstr("<a href=\"../\">../</a>"));
    EXPECT_THAT(body, HasSubstr("<a href=\"ui.js\">ui.js</a>"));
    EXPECT_THAT(body, HasSubstr("<a href=\"styles/\">styles/</a>"));
    // Names are HTML-escaped, links percent-encoded.
    EXPECT_THAT(body,
                HasSubstr("<a href=\"a%3Cb%3E%26%22%27.txt\">a&lt;b&gt;&amp;&quot;&#39;.txt</a>"));
    EXPECT_THAT(body, Not(HasSubstr("<b>")));
    // A directory with an index.html still shows the index.
    EXPECT_EQ(get("/docs/", true).msg.body(), "<p>docs</p>\n");
}

TEST_F(static_site_test, listing_hides_dotfiles) {
    fs::remove(root_ / "index.html");
    auto r = get("/", true);
    EXPECT_EQ(r.msg.result(), http::status::ok);
    EXPECT_THAT(r.msg.body(), HasSubstr("vnc.html"));
    EXPECT_THAT(r.msg.body(), HasSubstr("<a href=\"caf%C3%A9.txt\">caf\xc3\xa9.txt</a>"));
    EXPECT_THAT(r.msg.body(), Not(HasSubstr(".hidden")));
    EXPECT_THAT(r.msg.body(), Not(HasSubstr(".git")));
    EXPECT_THAT(r.msg.body(), Not(HasSubstr("href=\"../\""))); // nothing above the root
}

TEST_F(static_site_test, keep_alive_follows_the_request) {
    auto s = site();
    auto r11 = get(s, request(http::verb::get, "/vnc.html"));
    EXPECT_TRUE(r11.msg.keep_alive());
    EXPECT_EQ(r11.msg.version(), 11u);

    auto close = request(http::verb::get, "/vnc.html");
    close.keep_alive(false);
    auto rc = get(s, close);
    EXPECT_FALSE(rc.msg.keep_alive());
    EXPECT_EQ(header(rc, http::field::connection), "close");

    auto r10 = get(s, request(http::verb::get, "/vnc.html", 10));
    EXPECT_EQ(r10.msg.version(), 10u);
    EXPECT_FALSE(r10.msg.keep_alive());

    auto keep10 = request(http::verb::get, "/vnc.html", 10);
    keep10.keep_alive(true);
    EXPECT_TRUE(get(s, keep10).msg.keep_alive());

    // Errors too.
    auto bad = request(http::verb::get, "/%zz");
    bad.keep_alive(false);
    EXPECT_FALSE(get(s, bad).msg.keep_alive());
}

TEST_F(static_site_test, large_file_is_streamed_intact) {
    std::string big(3 * 1024 * 1024 + 17, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) {
        big[i] = static_cast<char>((i * 7919) & 0xff);
    }
    put(root_ / "big.wasm", big);
    auto r = get("/big.wasm");
    EXPECT_EQ(r.msg.result(), http::status::ok);
    EXPECT_EQ(header(r, http::field::content_type), "application/wasm");
    EXPECT_EQ(header(r, http::field::content_length), std::to_string(big.size()));
    EXPECT_TRUE(r.msg.body() == big);
}

TEST(static_site, constructor_refuses_bad_roots) {
    EXPECT_THROW(static_site(static_site::settings{"/nonexistent/vncgate/root", false}),
                 config_error);
    EXPECT_THROW(static_site(static_site::settings{"/dev/null", false}), config_error);
    try {
        static_site(static_site::settings{"/nonexistent/vncgate/root", false});
    } catch (const config_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("/nonexistent/vncgate/root"));
    }
}

} // namespace
} // namespace vncgate::core
