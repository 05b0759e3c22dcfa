// spdlog set-up: stderr or a log file, optional syslog, level and pattern.
#include "core/logging.hpp"

#include <filesystem>
#include <memory>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <syslog.h>
#include <vector>

namespace vncgate::core {

namespace {

// Where libc's syslog(3), and so spdlog's syslog sink, sends messages.
constexpr const char* system_syslog_socket = "/dev/log";

bool same_file(const std::string& a, const std::string& b) {
    std::error_code ec;
    bool same = std::filesystem::equivalent(a, b, ec);
    return !ec ? same : std::filesystem::path(a).lexically_normal() == b;
}

} // namespace

void init_logging(const options& o) {
    std::vector<spdlog::sink_ptr> sinks;
    if (!o.log_file.empty()) {
        try {
            sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(o.log_file, false));
        } catch (const spdlog::spdlog_ex& e) {
            throw config_error("cannot open the log file " + o.log_file + ": " + e.what());
        }
    } else {
        sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    }

    bool syslog_elsewhere = false;
    if (!o.syslog.empty()) {
        if (o.syslog.find(':') != std::string::npos || o.syslog.front() != '/') {
            throw config_error("--syslog " + o.syslog +
                               ": only a local syslog socket path such as /dev/log is supported");
        }
        syslog_elsewhere = !same_file(o.syslog, system_syslog_socket);
        // The syslog daemon adds its own time stamp and level: send the bare message.
        sinks.push_back(std::make_shared<spdlog::sinks::syslog_sink_mt>(
            "vncgate", LOG_PID, o.daemon ? LOG_DAEMON : LOG_USER, false));
    }

    auto logger = std::make_shared<spdlog::logger>("vncgate", sinks.begin(), sinks.end());
    logger->set_pattern(log_pattern);
    logger->set_level(o.verbose ? spdlog::level::debug : spdlog::level::info);
    // The gateway logs a few lines per connection: write each one out at once, so that a log
    // file is complete when the process is killed.
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(std::move(logger));

    if (syslog_elsewhere) {
        spdlog::warn("--syslog {}: vncgate logs through the system's syslog socket {}", o.syslog,
                     system_syslog_socket);
    }
}

} // namespace vncgate::core
