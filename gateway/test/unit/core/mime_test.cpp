// Unit tests for core/mime: Content-Type by file extension.
#include "core/mime.hpp"

#include <gtest/gtest.h>
#include <string>
#include <utility>
#include <vector>

namespace vncgate::core {
namespace {

TEST(mime_type, every_known_extension) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"vnc.html", "text/html; charset=utf-8"},
        {"old.htm", "text/html; charset=utf-8"},
        {"app/ui.js", "text/javascript; charset=utf-8"},
        {"core/rfb.mjs", "text/javascript; charset=utf-8"},
        {"app/styles/base.css", "text/css; charset=utf-8"},
        {"package.json", "application/json"},
        {"ui.js.map", "application/json"},
        {"README.txt", "text/plain; charset=utf-8"},
        {"app/images/icons/novnc.svg", "image/svg+xml"},
        {"a.png", "image/png"},
        {"a.jpg", "image/jpeg"},
        {"a.jpeg", "image/jpeg"},
        {"a.gif", "image/gif"},
        {"favicon.ico", "image/vnd.microsoft.icon"},
        {"a.webp", "image/webp"},
        {"decoder.wasm", "application/wasm"},
        {"font.woff", "font/woff"},
        {"font.woff2", "font/woff2"},
        {"font.ttf", "font/ttf"},
        {"app/sounds/bell.oga", "audio/ogg"},
        {"bell.ogg", "audio/ogg"},
        {"app/sounds/bell.mp3", "audio/mpeg"},
        {"feed.xml", "application/xml"},
        {"manifest.webmanifest", "application/manifest+json"},
    };
    for (const auto& [path, type] : cases) {
        EXPECT_EQ(mime_type(path), type) << path;
    }
}

TEST(mime_type, case_insensitive) {
    EXPECT_EQ(mime_type("INDEX.HTML"), "text/html; charset=utf-8");
    EXPECT_EQ(mime_type("App.Js"), "text/javascript; charset=utf-8");
    EXPECT_EQ(mime_type("x.WOFF2"), "font/woff2");
    EXPECT_EQ(mime_type("x.WebManifest"), "application/manifest+json");
}

TEST(mime_type, unknown_or_missing_extension_is_octet_stream) {
    EXPECT_EQ(mime_type("Makefile"), "application/octet-stream");
    EXPECT_EQ(mime_type("archive.tar.gz"), "application/octet-stream");
    EXPECT_EQ(mime_type("x.exe"), "application/octet-stream");
    EXPECT_EQ(mime_type(""), "application/octet-stream");
    EXPECT_EQ(mime_type("file."), "application/octet-stream");
    EXPECT_EQ(mime_type("x.html5"), "application/octet-stream");
    EXPECT_EQ(mime_type("x.h"), "application/octet-stream");
}

TEST(mime_type, only_the_last_segment_counts) {
    EXPECT_EQ(mime_type("dir.html/README"), "application/octet-stream");
    EXPECT_EQ(mime_type("dir.d/page.html"), "text/html; charset=utf-8");
    EXPECT_EQ(mime_type("/abs/path/"), "application/octet-stream");
}

TEST(mime_type, dotfile_is_its_extension) {
    // ".css" has the extension "css"; the static site never serves dotfiles anyway.
    EXPECT_EQ(mime_type(".css"), "text/css; charset=utf-8");
}

} // namespace
} // namespace vncgate::core
