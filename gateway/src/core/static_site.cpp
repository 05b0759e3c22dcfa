// Static file serving: path cleaning, symlink containment, conditional GET, directory listings.
#include "core/static_site.hpp"

#include "core/mime.hpp"
#include "core/url.hpp"

#include <algorithm>
#include <array>
#include <boost/beast/core/file.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/file_body.hpp>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>
#include <tuple>
#include <unistd.h>

namespace vncgate::core {

namespace {

constexpr std::string_view server_name = "vncgate";
constexpr std::string_view text_plain = "text/plain; charset=utf-8";
constexpr std::string_view text_html = "text/html; charset=utf-8";
constexpr std::array<std::string_view, 7> day_names = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> month_names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};


// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or values above U+10FFFF).
bool is_valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > s.size()) {
            return false;
        }
        for (std::size_t k = 1; k < len; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xc0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (cc & 0x3f);
        }
        static constexpr std::array<std::uint32_t, 5> min_for_len = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_for_len[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }
        i += len;
    }
    return true;
}

// Percent-encodes a path segment, keeping only RFC 3986 unreserved characters, so that the
// result is safe in a Location header and in an href (no ':' that could look like a scheme).
std::string encode_segment(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xf];
        }
    }
    return out;
}

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

// "/a/b" for segments {a, b}, each percent-encoded.
std::string encode_path(const std::vector<std::string>& segments) {
    std::string out;
    for (const auto& s : segments) {
        out += '/';
        out += encode_segment(s);
    }
    return out.empty() ? "/" : out;
}

// True when `p` is `root` or lies below it (both canonical).
bool is_inside(const std::filesystem::path& root, const std::filesystem::path& p) {
    auto [r, q] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
    return r == root.end();
}

// True when any component of `p` below `root` is hidden (starts with '.').
bool has_hidden_component(const std::filesystem::path& root, const std::filesystem::path& p) {
    auto rel = p.lexically_relative(root);
    return std::any_of(rel.begin(), rel.end(), [](const std::filesystem::path& c) {
        auto s = c.native();
        return !s.empty() && s.front() == '.' && s != ".";
    });
}

std::string strong_etag(const struct stat& st) {
    char buf[64];
    auto mtime_ns = static_cast<unsigned long long>(st.st_mtim.tv_sec) * 1'000'000'000ull +
                    static_cast<unsigned long long>(st.st_mtim.tv_nsec);
    int n = std::snprintf(buf, sizeof buf, "\"%llx-%llx\"",
                          static_cast<unsigned long long>(st.st_size), mtime_ns);
    return std::string(buf, static_cast<std::size_t>(n));
}

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

// If-None-Match: "*" or a list of entity tags, compared weakly (W/ ignored, RFC 7232 3.2).
bool etag_matches(std::string_view header, std::string_view etag) {
    std::size_t pos = 0;
    while (pos <= header.size()) {
        auto comma = header.find(',', pos);
        auto item = trim_ows(header.substr(
            pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
        if (item == "*") {
            return true;
        }
        if (item.substr(0, 2) == "W/") {
            item.remove_prefix(2);
        }
        if (item == etag) {
            return true;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        pos = comma + 1;
    }
    return false;
}

// A small cursor for parse_http_date.
struct date_reader {
    std::string_view s;

    bool literal(std::string_view lit) {
        if (s.substr(0, lit.size()) != lit) {
            return false;
        }
        s.remove_prefix(lit.size());
        return true;
    }
    // Exactly `n` digits (a leading space allowed when `space_pad`, for asctime's day).
    std::optional<int> digits(std::size_t n, bool space_pad = false) {
        if (s.size() < n) {
            return std::nullopt;
        }
        int v = 0;
        for (std::size_t i = 0; i < n; ++i) {
            char c = s[i];
            if (space_pad && i == 0 && c == ' ') {
                continue;
            }
            if (c < '0' || c > '9') {
                return std::nullopt;
            }
            v = v * 10 + (c - '0');
        }
        s.remove_prefix(n);
        return v;
    }
    std::optional<int> month() {
        for (std::size_t i = 0; i < month_names.size(); ++i) {
            if (literal(month_names[i])) {
                return static_cast<int>(i);
            }
        }
        return std::nullopt;
    }
    // "HH:MM:SS" into tm.
    bool time_of_day(std::tm& tm) {
        auto h = digits(2);
        if (!h || !literal(":")) {
            return false;
        }
        auto m = digits(2);
        if (!m || !literal(":")) {
            return false;
        }
        auto sec = digits(2);
        if (!sec) {
            return false;
        }
        tm.tm_hour = *h;
        tm.tm_min = *m;
        tm.tm_sec = *sec;
        return true;
    }
};

// Sets the headers every response carries.
template <class Body>
void set_common_headers(http::response<Body>& res, const http::request<http::string_body>& req) {
    res.set(http::field::server, server_name);
    res.set(http::field::date, format_http_date(std::time(nullptr)));
    res.set(http::field::cache_control, "no-cache");
    res.set("X-Content-Type-Options", "nosniff");
    res.keep_alive(req.keep_alive());
}

// A response with a small in-memory body; for HEAD, the headers only (with the body's length).
http::response<http::string_body> text_message(const http::request<http::string_body>& req,
                                               http::status status, std::string body,
                                               std::string_view content_type) {
    http::response<http::string_body> res{status, req.version()};
    set_common_headers(res, req);
    res.set(http::field::content_type, content_type);
    if (req.method() == http::verb::head) {
        res.content_length(body.size());
    } else {
        res.body() = std::move(body);
        res.prepare_payload();
    }
    return res;
}

http::message_generator error_response(const http::request<http::string_body>& req,
                                       http::status status, std::string_view why) {
    std::string body = std::to_string(static_cast<unsigned>(status)) + " " +
                       std::string(http::obsolete_reason(status)) + ": " + std::string(why) + "\n";
    return text_message(req, status, std::move(body), text_plain);
}

http::message_generator not_found(const http::request<http::string_body>& req) {
    return error_response(req, http::status::not_found, "no such file");
}

// Maps a filesystem error met while resolving a request to a response.
http::message_generator fs_error_response(const http::request<http::string_body>& req,
                                          std::error_code ec) {
    if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory ||
        ec == std::errc::filename_too_long) {
        return not_found(req);
    }
    if (ec == std::errc::permission_denied || ec == std::errc::operation_not_permitted ||
        ec == std::errc::too_many_symbolic_link_levels) {
        return error_response(req, http::status::forbidden, "access denied");
    }
    return error_response(req, http::status::internal_server_error, "cannot read the file");
}

// Streams a regular file (canonical path inside the root), honouring conditional headers.
http::message_generator serve_file(const http::request<http::string_body>& req,
                                   const std::filesystem::path& path) {
    // O_NONBLOCK: a FIFO must not hang the server; O_NOFOLLOW: the path is already canonical.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
    if (fd < 0) {
        return fs_error_response(req, std::error_code(errno, std::generic_category()));
    }
    boost::beast::file file;
    file.native_handle(fd); // owns fd from now on
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return error_response(req, http::status::internal_server_error, "cannot read the file");
    }
    if (!S_ISREG(st.st_mode)) {
        return error_response(req, http::status::forbidden, "not a regular file");
    }
    const std::string etag = strong_etag(st);
    const std::string last_modified = format_http_date(st.st_mtim.tv_sec);

    bool not_modified = false;
    if (auto inm = req.find(http::field::if_none_match); inm != req.end()) {
        not_modified = etag_matches(inm->value(), etag);
    } else if (auto ims = req.find(http::field::if_modified_since); ims != req.end()) {
        auto since = parse_http_date(ims->value());
        not_modified = since && st.st_mtim.tv_sec <= *since;
    }
    if (not_modified) {
        http::response<http::empty_body> res{http::status::not_modified, req.version()};
        set_common_headers(res, req);
        res.set(http::field::etag, etag);
        res.set(http::field::last_modified, last_modified);
        return res;
    }

    const auto content_type = mime_type(path.filename().native());
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (req.method() == http::verb::head) {
        http::response<http::empty_body> res{http::status::ok, req.version()};
        set_common_headers(res, req);
        res.set(http::field::content_type, content_type);
        res.set(http::field::etag, etag);
        res.set(http::field::last_modified, last_modified);
        res.content_length(size);
        return res;
    }
    http::file_body::value_type body;
    boost::beast::error_code ec;
    body.reset(std::move(file), ec);
    if (ec) {
        return error_response(req, http::status::internal_server_error, "cannot read the file");
    }
    http::response<http::file_body> res{std::piecewise_construct, std::make_tuple(std::move(body)),
                                        std::make_tuple(http::status::ok, req.version())};
    set_common_headers(res, req);
    res.set(http::field::content_type, content_type);
    res.set(http::field::etag, etag);
    res.set(http::field::last_modified, last_modified);
    res.prepare_payload();
    return res;
}

// An HTML list of the visible entries of a directory (canonical, inside the root).
http::message_generator listing_response(const http::request<http::string_body>& req,
                                         const std::filesystem::path& dir,
                                         const std::vector<std::string>& segments) {
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec);
    if (ec) {
        return fs_error_response(req, ec);
    }
    std::vector<std::string> names;
    for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
        std::string name = it->path().filename().string();
        // Hidden entries are not served, and names that are not UTF-8 cannot be requested.
        if (name.empty() || name.front() == '.' || !is_valid_utf8(name)) {
            continue;
        }
        std::error_code type_ec;
        if (it->is_directory(type_ec)) {
            name += '/';
        }
        names.push_back(std::move(name));
    }
    if (ec) {
        return fs_error_response(req, ec);
    }
    std::sort(names.begin(), names.end());

    std::string display = "/";
    for (const auto& s : segments) {
        display += s + "/";
    }
    std::string body = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of " +
                       html_escape(display) + "</title></head>\n<body><h1>Index of " +
                       html_escape(display) + "</h1>\n<ul>\n";
    if (!segments.empty()) {
        body += "<li><a href=\"../\">../</a></li>\n";
    }
    for (const auto& name : names) {
        bool is_dir = name.back() == '/';
        std::string_view bare = std::string_view(name).substr(0, name.size() - (is_dir ? 1 : 0));
        body += "<li><a href=\"" + html_escape(encode_segment(bare)) + (is_dir ? "/" : "") + "\">" +
                html_escape(name) + "</a></li>\n";
    }
    body += "</ul>\n</body></html>\n";
    return text_message(req, http::status::ok, std::move(body), text_html);
}

} // namespace

std::optional<std::vector<std::string>> clean_request_path(std::string_view target) {
    if (target.empty() || target.front() != '/') {
        return std::nullopt;
    }
    std::string_view path = target.substr(0, target.find_first_of("?#"));
    std::vector<std::string> segments;
    std::size_t pos = 0;
    while (pos < path.size()) {
        auto slash = path.find('/', pos);
        std::string_view raw = path.substr(
            pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
        pos = slash == std::string_view::npos ? path.size() : slash + 1;
        if (raw.empty()) {
            continue; // "//"
        }
        auto decoded = percent_decode(raw);
        if (!decoded) {
            return std::nullopt;
        }
        std::string seg = std::move(*decoded);
        for (char c : seg) {
            auto u = static_cast<unsigned char>(c);
            if (c == '/' || c == '\\' || u < 0x20 || u == 0x7f) {
                return std::nullopt;
            }
        }
        if (seg == "..") {
            return std::nullopt;
        }
        if (seg == ".") {
            continue;
        }
        if (!is_valid_utf8(seg)) {
            return std::nullopt;
        }
        segments.push_back(std::move(seg));
    }
    return segments;
}

std::string format_http_date(std::time_t t) {
    std::tm tm{};
    if (::gmtime_r(&t, &tm) == nullptr) {
        t = 0;
        ::gmtime_r(&t, &tm);
    }
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                          day_names[static_cast<std::size_t>(tm.tm_wday) % 7].data(), tm.tm_mday,
                          month_names[static_cast<std::size_t>(tm.tm_mon) % 12].data(),
                          tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return std::string(buf, static_cast<std::size_t>(n));
}

std::optional<std::time_t> parse_http_date(std::string_view text) {
    date_reader r{trim_ows(text)};
    std::tm tm{};
    auto comma = r.s.find(',');
    if (comma != std::string_view::npos) {
        // IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" or RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT".
        r.s.remove_prefix(comma + 1);
        if (!r.literal(" ")) {
            return std::nullopt;
        }
        auto day = r.digits(2);
        if (!day) {
            return std::nullopt;
        }
        tm.tm_mday = *day;
        if (r.literal(" ")) {
            auto mon = r.month();
            if (!mon || !r.literal(" ")) {
                return std::nullopt;
            }
            auto year = r.digits(4);
            if (!year) {
                return std::nullopt;
            }
            tm.tm_mon = *mon;
            tm.tm_year = *year - 1900;
        } else if (r.literal("-")) {
            auto mon = r.month();
            if (!mon || !r.literal("-")) {
                return std::nullopt;
            }
            auto year = r.digits(2);
            if (!year) {
                return std::nullopt;
            }
            tm.tm_mon = *mon;
            tm.tm_year = *year < 70 ? *year + 100 : *year;
        } else {
            return std::nullopt;
        }
        if (!r.literal(" ") || !r.time_of_day(tm) || !r.literal(" GMT") || !r.s.empty()) {
            return std::nullopt;
        }
    } else {
        // asctime "Sun Nov  6 08:49:37 1994".
        if (r.s.size() < 4 || r.s[3] != ' ') {
            return std::nullopt;
        }
        r.s.remove_prefix(4);
        auto mon = r.month();
        if (!mon || !r.literal(" ")) {
            return std::nullopt;
        }
        auto day = r.digits(2, true);
        if (!day || !r.literal(" ") || !r.time_of_day(tm) || !r.literal(" ")) {
            return std::nullopt;
        }
        auto year = r.digits(4);
        if (!year || !r.s.empty()) {
            return std::nullopt;
        }
        tm.tm_mday = *day;
        tm.tm_mon = *mon;
        tm.tm_year = *year - 1900;
    }
    if (tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
        return std::nullopt;
    }
    std::time_t t = ::timegm(&tm);
    if (t == static_cast<std::time_t>(-1)) {
        return std::nullopt;
    }
    return t;
}

static_site::static_site(settings s) : list_directories_(s.list_directories) {
    std::error_code ec;
    auto root = std::filesystem::canonical(s.root, ec);
    if (ec) {
        throw config_error("web root " + s.root.string() + ": " + ec.message());
    }
    if (!std::filesystem::is_directory(root, ec)) {
        throw config_error("web root " + s.root.string() + " is not a directory");
    }
    if (::access(root.c_str(), R_OK | X_OK) != 0) {
        throw config_error("web root " + s.root.string() + " is not readable");
    }
    std::filesystem::directory_iterator probe(root, ec);
    if (ec) {
        throw config_error("web root " + s.root.string() + ": " + ec.message());
    }
    root_ = std::move(root);
}

http::message_generator static_site::handle(const http::request<http::string_body>& req) const {
    try {
        if (req.method() != http::verb::get && req.method() != http::verb::head) {
            auto res = text_message(req, http::status::method_not_allowed,
                                    "405 Method Not Allowed: only GET and HEAD are supported\n",
                                    text_plain);
            res.set(http::field::allow, "GET, HEAD");
            return res;
        }
        const std::string_view target = req.target();
        auto segments = clean_request_path(target);
        if (!segments) {
            return error_response(req, http::status::bad_request, "malformed request path");
        }
        for (const auto& s : *segments) {
            if (s.front() == '.') {
                return not_found(req);
            }
        }

        std::filesystem::path requested = root_;
        for (const auto& s : *segments) {
            requested /= s;
        }
        std::error_code ec;
        auto real = std::filesystem::canonical(requested, ec);
        if (ec) {
            return fs_error_response(req, ec);
        }
        if (!is_inside(root_, real)) {
            return error_response(req, http::status::forbidden, "link leads outside the site");
        }
        if (has_hidden_component(root_, real)) {
            return not_found(req);
        }
        auto status = std::filesystem::status(real, ec);
        if (ec) {
            return fs_error_response(req, ec);
        }
        if (std::filesystem::is_directory(status)) {
            std::string_view path_part = target.substr(0, target.find_first_of("?#"));
            if (path_part.back() != '/') {
                std::string location = encode_path(*segments) + "/";
                if (auto q = target.find('?'); q != std::string_view::npos) {
                    auto query = target.substr(q + 1);
                    query = query.substr(0, query.find('#'));
                    bool clean = std::all_of(query.begin(), query.end(), [](char c) {
                        return static_cast<unsigned char>(c) > 0x20 && c != 0x7f;
                    });
                    if (clean) {
                        location += '?';
                        location += query;
                    }
                }
                auto moved = text_message(req, http::status::moved_permanently,
                                          "301 Moved Permanently: " + location + "\n", text_plain);
                moved.set(http::field::location, location);
                return moved;
            }
            auto index = std::filesystem::canonical(real / "index.html", ec);
            if (!ec) {
                if (!is_inside(root_, index)) {
                    return error_response(req, http::status::forbidden,
                                          "link leads outside the site");
                }
                if (std::filesystem::is_regular_file(index, ec)) {
                    return serve_file(req, index);
                }
            }
            if (list_directories_) {
                return listing_response(req, real, *segments);
            }
            return error_response(req, http::status::not_found,
                                  "no index.html here, and directory listing is off");
        }
        if (!std::filesystem::is_regular_file(status)) {
            return error_response(req, http::status::forbidden, "not a regular file");
        }
        return serve_file(req, real);
    } catch (const std::exception&) {
        return error_response(req, http::status::internal_server_error, "internal error");
    }
}

} // namespace vncgate::core
