// Extension-to-MIME-type table for the static file server.
#include "core/mime.hpp"

#include <array>
#include <utility>

namespace vncgate::core {

namespace {

constexpr std::string_view default_type = "application/octet-stream";

constexpr std::array<std::pair<std::string_view, std::string_view>, 24> types = {{
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"txt", "text/plain; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"ico", "image/vnd.microsoft.icon"},
    {"webp", "image/webp"},
    {"wasm", "application/wasm"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"oga", "audio/ogg"},
    {"ogg", "audio/ogg"},
    {"mp3", "audio/mpeg"},
    {"xml", "application/xml"},
    {"webmanifest", "application/manifest+json"},
}};

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
        if (c != b[i]) {
            return false;
        }
    }
    return true;
}

} // namespace

std::string_view mime_type(std::string_view path) {
    auto slash = path.find_last_of('/');
    std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    auto dot = name.rfind('.');
    if (dot == std::string_view::npos) {
        return default_type;
    }
    std::string_view ext = name.substr(dot + 1);
    for (const auto& [e, type] : types) {
        if (iequals(ext, e)) {
            return type;
        }
    }
    return default_type;
}

} // namespace vncgate::core
