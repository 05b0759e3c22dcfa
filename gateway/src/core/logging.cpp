// spdlog set-up: stderr or a log file, optional syslog, level and pattern.
#include "core/logging.hpp"

#include <memory>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <syslog.h>
#include <vector>

namespace vncgate::core {

void init_logging(const options& o) {
    // Checked before any sink is made: a refused option must not create or touch the log file.
    if (!o.syslog.empty() && o.syslog != syslog_socket) {
        throw config_error("--syslog '" + o.syslog +
                           "': vncgate logs to syslog through /dev/log only");
    }
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

    if (!o.syslog.empty()) {
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
}

} // namespace vncgate::core
