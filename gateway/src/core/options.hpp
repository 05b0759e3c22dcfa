// The gateway's settings and its websockify-compatible command line.
#pragma once

#include "core/target.hpp"

#include <cstddef>
#include <optional>
#include <string>

namespace vncgate::core {

// Lowest TLS version the gateway accepts.
enum class tls_version { tls1_2, tls1_3 };

// Everything the command line configures. Paths given on the command line are made absolute by
// parse_command_line (as websockify does), because a daemon may change its working directory.
struct options {
    listen_address listen;
    // False when --unix-listen is given without a [source_addr:]source_port: no TCP listener then.
    bool listen_tcp = true;
    std::optional<target> fixed_target; // positional target or --unix-target (as kind::unix_socket)
    std::string web;                    // --web DIR ("" = no static files)
    bool list_directories = false;      // --list-directories; --file-only forces false
    std::string cert = "self.pem";      // --cert; TLS is available when this file exists
    std::string key, key_password;      // --key, --key-password
    bool ssl_only = false;              // --ssl-only (the cert file must exist)
    tls_version ssl_min = tls_version::tls1_2; // --ssl-version default|tlsv1_2|tlsv1_3
    std::string ssl_ciphers;                   // --ssl-ciphers
    std::string unix_listen;                   // --unix-listen PATH
    unsigned unix_listen_mode = 0600;          // --unix-listen-mode MODE (octal, as chmod)
    // --token-plugin (normalised to TokenFile, ReadOnlyTokenFile or TokenFileName),
    // --token-source, --host-token; --target-config FILE sets TokenFile with that source.
    std::string token_plugin, token_source;
    bool host_token = false;
    int heartbeat = 0;        // --heartbeat SECONDS: ping the browser every N s (0 = never)
    int idle_timeout = 0;     // --idle-timeout SECONDS: exit after N s with no active connections
    int timeout = 0;          // --timeout SECONDS: stop accepting and exit N s after start
    std::string record;       // --record FILE: record each session to FILE.<session number>
    bool verbose = false;     // -v/--verbose
    std::string log_file;     // --log-file FILE
    std::string syslog;       // --syslog /dev/log ("" = no syslog; no other value is accepted)
    bool daemon = false;      // -D/--daemon
    bool run_once = false;    // --run-once
    bool prefer_ipv6 = false; // -6/--prefer-ipv6 (accepted; vncgate listens dual-stack anyway)
    std::size_t max_message_size = 16u << 20; // --max-message-size BYTES: cap on one WS message
    unsigned threads = 0;                     // --threads N: I/O threads, 0 = one per core
};

// The syslog socket vncgate logs through (libc's syslog(3) writes there): the only value
// --syslog accepts.
inline constexpr const char* syslog_socket = "/dev/log";

// Upper bound accepted by --threads.
inline constexpr unsigned max_threads = 1024;

// What parse_command_line decided.
struct parse_outcome {
    std::optional<options> opts; // set when the gateway should run
    int exit_code = 0;           // when !opts: 0 for --help/--version, 2 for a usage error
    std::string message; // when !opts: text to print (stdout for help/version, stderr for errors)
};

// Parses websockify's command line:
//   vncgate [options] [source_addr:]source_port [target_addr:target_port]
// Never throws. Returns options to run with, or an exit code and a message (help, version, or a
// usage error that names the offending option or argument).
parse_outcome parse_command_line(int argc, const char* const argv[]);

} // namespace vncgate::core
