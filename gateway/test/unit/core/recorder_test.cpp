// Unit tests for core/recorder: websockify's --record escaping and file format.
#include "core/recorder.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <optional>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace vncgate::core {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
namespace fs = std::filesystem;

std::vector<std::uint8_t> bytes(std::string_view s) {
    return {s.begin(), s.end()};
}

std::string escape(std::string_view s) {
    auto b = bytes(s);
    return escape_record_data(b);
}

// What Python 3 gives for bytes(range(256)).decode('latin1').encode('unicode_escape')
// .decode('ascii').replace("'", "\\'"), written out by hand from Python's rules.
std::string python_expected_for_all_bytes() {
    std::string out;
    char buf[8];
    for (int b = 0; b < 256; ++b) {
        if (b == '\t') {
            out += "\\t";
        } else if (b == '\n') {
            out += "\\n";
        } else if (b == '\r') {
            out += "\\r";
        } else if (b == '\\') {
            out += "\\\\";
        } else if (b == '\'') {
            out += "\\'";
        } else if (b >= 0x20 && b < 0x7f) {
            out += static_cast<char>(b);
        } else {
            std::snprintf(buf, sizeof buf, "\\x%02x", b);
            out += buf;
        }
    }
    return out;
}

TEST(escape_record_data, every_byte) {
    std::vector<std::uint8_t> all;
    for (int b = 0; b < 256; ++b) {
        all.push_back(static_cast<std::uint8_t>(b));
    }
    auto escaped = escape_record_data(all);
    EXPECT_EQ(escaped, python_expected_for_all_bytes());
    // Spot checks against literal Python output.
    EXPECT_EQ(escaped.substr(0, 36), "\\x00\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08");
    EXPECT_THAT(escaped, HasSubstr("\\x08\\t\\n\\x0b\\x0c\\r\\x0e"));
    EXPECT_THAT(escaped, HasSubstr(" !\"#$%&\\'()*+,-./0123456789:;<=>?@ABC"));
    EXPECT_THAT(escaped, HasSubstr("XYZ[\\\\]^_`abc"));
    EXPECT_THAT(escaped, HasSubstr("xyz{|}~\\x7f\\x80\\x81"));
    EXPECT_EQ(escaped.substr(escaped.size() - 8), "\\xfe\\xff");
}

TEST(escape_record_data, rfb_handshake_and_quotes) {
    EXPECT_EQ(escape("RFB 003.008\n"), "RFB 003.008\\n");
    EXPECT_EQ(escape("it's"), "it\\'s");
    EXPECT_EQ(escape("\\'"), "\\\\\\'");
    EXPECT_EQ(escape("\"double\""), "\"double\"");
    EXPECT_EQ(escape(""), "");
    EXPECT_EQ(escape(std::string_view("\0\xff", 2)), "\\x00\\xff");
}

// Splits a recording into lines (without their '\n').
std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string::npos) {
            nl = text.size();
        }
        lines.push_back(text.substr(pos, nl - pos));
        pos = nl + 1;
    }
    return lines;
}

// Parses a frame line "'<mark>MS<mark>DATA'," into (MS, DATA); nullopt if it has another shape.
std::optional<std::pair<long long, std::string>> frame_line(const std::string& line, char mark) {
    if (line.size() < 6 || line[0] != '\'' || line[1] != mark ||
        line.substr(line.size() - 2) != "',") {
        return std::nullopt;
    }
    std::size_t i = 2;
    long long ms = 0;
    while (i < line.size() && line[i] >= '0' && line[i] <= '9') {
        ms = ms * 10 + (line[i] - '0');
        ++i;
    }
    if (i == 2 || i >= line.size() || line[i] != mark) {
        return std::nullopt;
    }
    return std::make_pair(ms, line.substr(i + 1, line.size() - 2 - (i + 1)));
}

// A temporary directory per test.
class recorder_test : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("vncgate-rec-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    static std::string read(const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }

    fs::path dir_;
};

TEST_F(recorder_test, file_format) {
    const std::string base = (dir_ / "session").string();
    {
        auto rec = recorder::open(base, 7);
        ASSERT_NE(rec, nullptr);
        EXPECT_EQ(rec->path(), base + ".7");
        rec->from_target(bytes("RFB 003.008\n"));
        rec->from_client(bytes("RFB 003.008\n"));
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        rec->from_target(bytes(std::string_view("\x01\x02'\\", 4)));
        EXPECT_FALSE(rec->failed());
    }
    const std::string text = read(base + ".7");
    auto lines = split_lines(text);
    ASSERT_EQ(lines.size(), 5u) << text;
    EXPECT_EQ(lines[0], "var VNC_frame_data = [");
    auto first = frame_line(lines[1], '{');
    auto second = frame_line(lines[2], '}');
    auto third = frame_line(lines[3], '{');
    EXPECT_EQ(lines[4], "'EOF'];");
    ASSERT_TRUE(first && second && third) << text;
    EXPECT_EQ(first->second, "RFB 003.008\\n");
    EXPECT_EQ(second->second, "RFB 003.008\\n");
    EXPECT_EQ(third->second, "\\x01\\x02\\'\\\\");
    EXPECT_GE(first->first, 0);
    EXPECT_LT(first->first, 1000);
    EXPECT_GE(second->first, first->first);
    EXPECT_GE(third->first, second->first + 30); // milliseconds since open
    EXPECT_LT(third->first, 5000);
    EXPECT_EQ(text.back(), '\n');
}

TEST_F(recorder_test, empty_session_is_a_valid_array) {
    const std::string base = (dir_ / "empty").string();
    recorder::open(base, 1).reset();
    EXPECT_EQ(read(base + ".1"), "var VNC_frame_data = [\n'EOF'];\n");
}

TEST_F(recorder_test, file_is_private_and_truncated) {
    const std::string base = (dir_ / "r").string();
    { std::ofstream(base + ".2") << "old content that must disappear"; }
    recorder::open(base, 2).reset();
    EXPECT_EQ(read(base + ".2"), "var VNC_frame_data = [\n'EOF'];\n");
    const std::string fresh = base + ".3";
    recorder::open(base, 3).reset();
    struct stat st {};
    ASSERT_EQ(::stat(fresh.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0077, 0u); // recordings hold keystrokes: no group/other access
}

TEST_F(recorder_test, large_sessions_are_written_out_as_they_go) {
    const std::string base = (dir_ / "big").string();
    auto rec = recorder::open(base, 1);
    ASSERT_NE(rec, nullptr);
    std::vector<std::uint8_t> frame(100 * 1024, 'A');
    rec->from_target(frame);
    // Beyond the buffer threshold: already on disk before the recorder closes.
    EXPECT_GT(fs::file_size(base + ".1"), 100u * 1024);
    rec->flush();
    rec.reset();
    auto text = read(base + ".1");
    EXPECT_THAT(text, MatchesRegex("var VNC_frame_data = \\[\n'\\{[0-9]+\\{A+',\n'EOF'\\];\n"));
    EXPECT_EQ(std::count(text.begin(), text.end(), 'A'), 100 * 1024);
}

TEST_F(recorder_test, open_failure_returns_nullptr) {
    EXPECT_EQ(recorder::open((dir_ / "no" / "such" / "dir").string(), 1), nullptr);
}

TEST_F(recorder_test, write_failure_stops_recording_without_crashing) {
    // <base>.1 is /dev/full: every write fails with ENOSPC.
    fs::create_symlink("/dev/full", dir_ / "full.1");
    auto rec = recorder::open((dir_ / "full").string(), 1);
    ASSERT_NE(rec, nullptr);
    EXPECT_FALSE(rec->failed()); // nothing written yet: output is buffered
    rec->from_target(bytes("hello"));
    rec->flush();
    EXPECT_TRUE(rec->failed());
    // Later frames are dropped quietly; the session goes on.
    std::vector<std::uint8_t> frame(200 * 1024, 0x55);
    rec->from_client(frame);
    rec->from_target(frame);
    EXPECT_TRUE(rec->failed());
    rec.reset(); // the destructor must not throw or crash either
}

TEST_F(recorder_test, write_failure_detected_when_the_buffer_fills) {
    fs::create_symlink("/dev/full", dir_ / "full.9");
    auto rec = recorder::open((dir_ / "full").string(), 9);
    ASSERT_NE(rec, nullptr);
    std::vector<std::uint8_t> frame(70 * 1024, 0x01);
    rec->from_target(frame);
    EXPECT_TRUE(rec->failed());
}

} // namespace
} // namespace vncgate::core
