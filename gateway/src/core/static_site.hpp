// Static web files (the noVNC client) as a pure function from an HTTP request to a response.
#pragma once

#include "core/target.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/message_generator.hpp>
#include <boost/beast/http/string_body.hpp>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vncgate::core {

namespace http = boost::beast::http;

// Serves the files under one directory. Thread-safe: handle() is const and keeps no state.
class static_site {
public:
    struct settings {
        std::filesystem::path root;
        bool list_directories = false;
    };

    // Throws config_error if root is not a readable directory.
    explicit static_site(settings s);

    // Answers GET and HEAD; any other method gets 405 with "Allow: GET, HEAD". Never throws for
    // bad input: a malformed or escaping path gets 400, a hidden or missing file 404, a symlink
    // leading outside the root 403, an unexpected filesystem error 500. Files are streamed with
    // http::file_body; conditional requests (If-None-Match, If-Modified-Since) may get 304.
    http::message_generator handle(const http::request<http::string_body>& req) const;

    // The canonical root directory.
    const std::filesystem::path& root() const { return root_; }

private:
    std::filesystem::path root_;
    bool list_directories_ = false;
};

// Pure: percent-decodes the path part of an origin-form request target (query and fragment
// dropped), collapses empty segments ("//") and drops "." segments. Returns the decoded segments
// (empty for "/"), or nullopt when the target does not start with '/', has a bad %-escape, a
// ".." segment, or a segment that decodes to '/', '\\', NUL or another control character, or to
// invalid UTF-8.
std::optional<std::vector<std::string>> clean_request_path(std::string_view target);

// Formats a time as an RFC 7231 IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
std::string format_http_date(std::time_t t);

// Parses an RFC 7231 HTTP-date (IMF-fixdate, RFC 850 or asctime form); nullopt if malformed.
std::optional<std::time_t> parse_http_date(std::string_view text);

} // namespace vncgate::core
