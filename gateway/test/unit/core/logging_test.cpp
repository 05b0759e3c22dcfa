// Unit tests for core/logging: spdlog's default logger from the options.
#include "core/logging.hpp"

#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <sstream>
#include <unistd.h>

namespace vncgate::core {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
namespace fs = std::filesystem;

// Restores a plain stderr logger after each test, so that later tests do not log to a file
// this one deleted.
class logging_test : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("vncgate-log-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        spdlog::set_default_logger(spdlog::stderr_color_mt("test-default-" + std::to_string(n_++)));
        fs::remove_all(dir_);
    }
    static std::string read(const fs::path& p) {
        std::ifstream in(p);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    fs::path dir_;
    static inline int n_ = 0;
};

TEST_F(logging_test, log_file_is_appended_with_the_pattern) {
    auto file = dir_ / "gw.log";
    { std::ofstream(file) << "earlier line\n"; }
    options o;
    o.log_file = file.string();
    init_logging(o);
    spdlog::info("listening on {}", 6080);
    spdlog::debug("not shown without --verbose");
    spdlog::warn("careful");
    auto text = read(file);
    EXPECT_THAT(text,
                MatchesRegex("earlier line\n"
                             "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3} "
                             "info listening on 6080\n"
                             "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3} "
                             "warning careful\n"));
    EXPECT_EQ(spdlog::default_logger()->level(), spdlog::level::info);
    EXPECT_EQ(spdlog::default_logger()->sinks().size(), 1u);
}

TEST_F(logging_test, verbose_enables_debug) {
    auto file = dir_ / "gw.log";
    options o;
    o.log_file = file.string();
    o.verbose = true;
    init_logging(o);
    spdlog::debug("handshake detail");
    EXPECT_EQ(spdlog::default_logger()->level(), spdlog::level::debug);
    EXPECT_THAT(read(file), HasSubstr(" debug handshake detail\n"));
}

TEST_F(logging_test, stderr_by_default) {
    options o;
    init_logging(o);
    auto logger = spdlog::default_logger();
    ASSERT_EQ(logger->sinks().size(), 1u);
    EXPECT_NE(std::dynamic_pointer_cast<spdlog::sinks::stderr_color_sink_mt>(logger->sinks()[0]),
              nullptr);
}

TEST_F(logging_test, unopenable_log_file_throws_config_error) {
    options o;
    // Under a regular file: neither the file nor its directory can be created.
    std::ofstream(dir_ / "plain") << "x";
    o.log_file = (dir_ / "plain" / "gw.log").string();
    try {
        init_logging(o);
        ADD_FAILURE() << "no exception";
    } catch (const config_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("cannot open the log file " + o.log_file));
    }
}

TEST_F(logging_test, syslog_adds_a_sink) {
    auto file = dir_ / "gw.log";
    options o;
    o.log_file = file.string();
    o.syslog = "/dev/log";
    init_logging(o);
    auto logger = spdlog::default_logger();
    ASSERT_EQ(logger->sinks().size(), 2u);
    EXPECT_NE(std::dynamic_pointer_cast<spdlog::sinks::syslog_sink_mt>(logger->sinks()[1]),
              nullptr);
    EXPECT_THAT(read(file), Not(HasSubstr("warning"))); // /dev/log is the system socket
}

// parse_command_line refuses such a --syslog; init_logging refuses it too rather than log to
// /dev/log instead, and before it creates the log file.
TEST_F(logging_test, syslog_other_than_dev_log_is_refused) {
    auto file = dir_ / "gw.log";
    options o;
    o.log_file = file.string();
    o.syslog = "/run/custom-syslog.sock";
    try {
        init_logging(o);
        ADD_FAILURE() << "no exception";
    } catch (const config_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("--syslog '/run/custom-syslog.sock': vncgate logs to "
                                        "syslog through /dev/log only"));
    }
    EXPECT_FALSE(fs::exists(file));
}

TEST_F(logging_test, udp_syslog_is_refused) {
    options o;
    o.syslog = "loghost:514";
    EXPECT_THROW(init_logging(o), config_error);
}

TEST_F(logging_test, syslog_constant_is_dev_log) {
    EXPECT_STREQ(syslog_socket, "/dev/log");
}

} // namespace
} // namespace vncgate::core
