// Sets up spdlog's default logger from the command-line options.
#pragma once

#include "core/options.hpp"

namespace vncgate::core {

// Log line pattern: "2024-01-31 12:34:56.789 info message".
inline constexpr const char* log_pattern = "%Y-%m-%d %H:%M:%S.%e %l %v";

// Replaces spdlog's default logger: to stderr, or appended to o.log_file; plus syslog (ident
// "vncgate", facility daemon with -D, else user) when o.syslog is set. Level debug with
// o.verbose, info otherwise. spdlog's syslog sink writes through libc's syslog(3), i.e. to
// /dev/log, so o.syslog must be "" or syslog_socket ("/dev/log"; parse_command_line refuses any
// other --syslog). Throws config_error if the log file cannot be opened or o.syslog is another
// value.
void init_logging(const options& o);

} // namespace vncgate::core
