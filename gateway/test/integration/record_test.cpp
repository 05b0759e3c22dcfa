// --record integration test: each session is written to FILE.<n> as a JavaScript array
// ("var VNC_frame_data = [" ... "'EOF'];") that contains the bytes of both directions.
#include "support/gateway_fixture.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

namespace vncgate::test {
namespace {

class record_test : public gateway_test {};

std::vector<std::filesystem::path> recordings(const std::filesystem::path& dir,
                                              const std::string& base) {
    std::vector<std::filesystem::path> found;
    std::regex name(base + R"(\.[0-9]+)");
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (std::regex_match(e.path().filename().string(), name)) {
            found.push_back(e.path());
        }
    }
    std::sort(found.begin(), found.end());
    return found;
}

bool ends_with_eof_marker(const std::string& s) {
    std::string t = s;
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) {
        t.pop_back();
    }
    return t.size() >= 7 && t.compare(t.size() - 7, 7, "'EOF'];") == 0;
}

TEST_F(record_test, session_is_recorded_with_its_bytes) {
    // The target greets first, so the recording has target->browser bytes that the browser never
    // sent; printable ASCII so that any escaping leaves them readable.
    auto target = loopback_server::tcp(banner_echo_handler("TARGET-GREETING-7f3a"));
    auto base = tmp_ / "session";
    start_gateway({"--record", base.string(), "127.0.0.1:0", target->address()});

    auto ws = connect_ws();
    EXPECT_EQ(as_string(ws->receive_bytes(20)), "TARGET-GREETING-7f3a");
    ws->send_binary(as_bytes("BROWSER-SAYS-hello-42"));
    EXPECT_EQ(as_string(ws->receive_bytes(21)), "BROWSER-SAYS-hello-42");
    ws->close(1000, "");

    std::vector<std::filesystem::path> files;
    std::string content;
    // The file is complete when the session has ended; allow the gateway time to finish it.
    bool complete = eventually(
        [&] {
            files = recordings(tmp_.path(), "session");
            if (files.size() != 1) {
                return false;
            }
            content = read_file(files[0]);
            return ends_with_eof_marker(content);
        },
        10s);
    ASSERT_EQ(files.size(), 1u) << "expected one file named session.<n> in " << tmp_.path();
    EXPECT_TRUE(complete) << "recording does not end with 'EOF'];: ...\n"
                          << content.substr(content.size() > 200 ? content.size() - 200 : 0);
    EXPECT_EQ(content.rfind("var VNC_frame_data = [", 0), 0u) << content.substr(0, 100);
    EXPECT_NE(content.find("TARGET-GREETING-7f3a"), std::string::npos) << content;
    EXPECT_NE(content.find("BROWSER-SAYS-hello-42"), std::string::npos) << content;
}

TEST_F(record_test, each_session_gets_its_own_file) {
    auto target = loopback_server::tcp(echo_handler());
    auto base = tmp_ / "rec";
    start_gateway({"--record", base.string(), "127.0.0.1:0", target->address()});
    for (int i = 0; i < 2; ++i) {
        auto ws = connect_ws();
        std::string marker = "SESSION-MARKER-" + std::to_string(i);
        ws->send_binary(as_bytes(marker));
        EXPECT_EQ(as_string(ws->receive_bytes(marker.size())), marker);
        ws->close(1000, "");
    }
    std::vector<std::filesystem::path> files;
    bool complete = eventually(
        [&] {
            files = recordings(tmp_.path(), "rec");
            return files.size() == 2 && std::all_of(files.begin(), files.end(), [](const auto& f) {
                       return ends_with_eof_marker(read_file(f));
                   });
        },
        10s);
    ASSERT_TRUE(complete) << files.size() << " complete recordings, expected 2";
    std::string a = read_file(files[0]);
    std::string b = read_file(files[1]);
    EXPECT_NE(a.find("SESSION-MARKER-"), std::string::npos) << a;
    EXPECT_NE(b.find("SESSION-MARKER-"), std::string::npos) << b;
    EXPECT_TRUE((a.find("SESSION-MARKER-0") != std::string::npos) !=
                (b.find("SESSION-MARKER-0") != std::string::npos))
        << "each session's bytes in exactly one file";
}

} // namespace
} // namespace vncgate::test
