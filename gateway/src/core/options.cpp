// websockify-compatible command-line parsing (CLI11) and its validation rules.
#include "core/options.hpp"

#include <CLI/CLI.hpp>
#include <array>
#include <climits>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#ifndef VNCGATE_VERSION
#error "VNCGATE_VERSION must be defined by the build"
#endif

namespace vncgate::core {

namespace {

constexpr std::string_view usage_line =
    "Usage: vncgate [options] [source_addr:]source_port [target_addr:target_port]";

constexpr std::string_view token_plugin_prefix = "websockify.token_plugins.";
constexpr std::array<std::string_view, 3> supported_token_plugins = {
    "TokenFile", "ReadOnlyTokenFile", "TokenFileName"};

// Prints websockify's usage line instead of CLI11's generic one.
class usage_formatter : public CLI::Formatter {
public:
    std::string make_usage(const CLI::App*, std::string) const override {
        return std::string(usage_line) + "\n";
    }
};

// Thrown inside parse_command_line for a usage error; caught at its boundary.
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A websockify option vncgate refuses, and what it would have done.
struct refused_option {
    const char* name;
    const char* feature;
    bool takes_value;
};

constexpr std::array<refused_option, 11> refused_options = {{
    {"--traffic", "per-frame traffic printing", false},
    {"--ssl-target", "TLS connections to the VNC server", false},
    {"--verify-client", "TLS client certificates", false},
    {"--cafile", "TLS client certificates", true},
    {"--inetd", "inetd mode", false},
    {"--web-auth", "authentication plugins", false},
    {"--auth-plugin", "authentication plugins", true},
    {"--auth-source", "authentication plugins", true},
    {"--wrap-mode", "wrapped commands", true},
    {"--libserver", "Python's SocketServer engine", false},
    {"--legacy-syslog", "the legacy syslog format", false},
}};

// Parses an unsigned decimal number (digits only, no sign, no spaces); nullopt on overflow.
std::optional<std::uint64_t> parse_decimal(std::string_view text) {
    if (text.empty() || text.size() > 20) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (UINT64_MAX - digit) / 10) {
            return std::nullopt;
        }
        value = value * 10 + digit;
    }
    return value;
}

// Checks a number option's text is a decimal in [min, max]; throws usage_error naming the option.
std::uint64_t number_option(std::string_view name, const std::string& text, std::uint64_t min,
                            std::uint64_t max, std::string_view what) {
    auto value = parse_decimal(text);
    if (!value || *value < min || *value > max) {
        throw usage_error(std::string(name) + ": expected " + std::string(what) + " from " +
                          std::to_string(min) + " to " + std::to_string(max) + ", got '" + text +
                          "'");
    }
    return *value;
}

// Parses a file mode written in octal as chmod takes it ("0600", "600", "0660"): one to four
// digits 0-7, so at most 07777; throws usage_error naming the option otherwise.
unsigned parse_file_mode(std::string_view name, const std::string& text) {
    bool valid = !text.empty() && text.size() <= 4;
    unsigned mode = 0;
    for (char c : text) {
        if (c < '0' || c > '7') {
            valid = false;
            break;
        }
        mode = mode * 8 + static_cast<unsigned>(c - '0');
    }
    if (!valid || mode > 07777) {
        throw usage_error(std::string(name) +
                          ": expected an octal file mode such as 0600 or 660 (one to four digits "
                          "0-7, at most 7777), got '" +
                          text + "'");
    }
    return mode;
}

// Makes a command-line path absolute (a daemon may change directory); "" stays "".
std::string absolute_path(const std::string& path) {
    if (path.empty()) {
        return path;
    }
    std::error_code ec;
    auto abs = std::filesystem::absolute(path, ec);
    if (ec) {
        return path;
    }
    return abs.lexically_normal().string();
}

// Returns the plugin's short name if vncgate implements it; throws usage_error otherwise.
std::string normalise_token_plugin(const std::string& name) {
    std::string_view shortname = name;
    if (shortname.substr(0, token_plugin_prefix.size()) == token_plugin_prefix) {
        shortname.remove_prefix(token_plugin_prefix.size());
    }
    for (auto supported : supported_token_plugins) {
        if (shortname == supported) {
            return std::string(shortname);
        }
    }
    throw usage_error("--token-plugin '" + name +
                      "' is not supported: vncgate implements only the websockify token plugins "
                      "TokenFile, ReadOnlyTokenFile and TokenFileName");
}

parse_outcome make_usage_error(std::string_view what) {
    parse_outcome out;
    out.exit_code = 2;
    out.message = "vncgate: " + std::string(what) + "\n" + std::string(usage_line) +
                  "\nRun 'vncgate --help' for the list of options.\n";
    return out;
}

// Raw option values as CLI11 leaves them, before validation.
struct raw_values {
    std::vector<std::string> positionals;
    std::string ssl_version = "default";
    std::string heartbeat, idle_timeout, timeout, max_message_size, threads;
    std::string unix_target, target_config, unix_listen_mode;
    bool file_only = false;
    std::array<bool, refused_options.size()> refused_flags{};
    std::array<std::string, refused_options.size()> refused_values{};
};

void define_options(CLI::App& app, options& o, raw_values& raw) {
    app.formatter(std::make_shared<usage_formatter>());
    // Like optparse: an option given twice keeps its last value.
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.set_help_flag("-h,--help", "Show this help and exit");
    app.set_version_flag("--version", std::string("vncgate ") + VNCGATE_VERSION,
                         "Print the version and exit");

    app.add_option("addresses", raw.positionals,
                   "[source_addr:]source_port to listen on, then target_addr:target_port "
                   "(omitted with a token plugin or --unix-target)")
        ->type_name("");

    const std::string general = "Options";
    app.add_flag("-v,--verbose", o.verbose, "Log debug messages")->group(general);
    app.add_option("--record", o.record, "Record each session to FILE.<session number>")
        ->type_name("FILE")
        ->group(general);
    app.add_flag("-D,--daemon", o.daemon, "Become a daemon (background process)")->group(general);
    app.add_flag("--run-once", o.run_once, "Handle a single WebSocket connection and exit")
        ->group(general);
    app.add_option("--timeout", raw.timeout,
                   "Stop accepting and exit SECONDS after start (sessions in progress finish)")
        ->type_name("SECONDS")
        ->group(general);
    app.add_option("--idle-timeout", raw.idle_timeout,
                   "Exit after SECONDS with no active connections")
        ->type_name("SECONDS")
        ->group(general);
    app.add_option("--heartbeat", raw.heartbeat, "Ping the browser every SECONDS (0 = never)")
        ->type_name("SECONDS")
        ->group(general);
    app.add_flag("-6,--prefer-ipv6", o.prefer_ipv6,
                 "Accepted for websockify compatibility (vncgate listens dual-stack)")
        ->group(general);
    app.add_option("--unix-listen", o.unix_listen,
                   "Also listen on this Unix socket (instead of TCP when no source_port is given)")
        ->type_name("PATH")
        ->group(general);
    app.add_option("--unix-listen-mode", raw.unix_listen_mode,
                   "Mode of the --unix-listen socket, in octal as for chmod (default 0600)")
        ->type_name("MODE")
        ->group(general);
    app.add_option("--unix-target", raw.unix_target,
                   "Connect to this Unix socket instead of a TCP target")
        ->type_name("PATH")
        ->group(general);
    app.add_option("--max-message-size", raw.max_message_size,
                   "Largest WebSocket message accepted from the browser (default 16777216)")
        ->type_name("BYTES")
        ->group(general);
    app.add_option("--threads", raw.threads, "I/O threads (default 0 = one per CPU core)")
        ->type_name("N")
        ->group(general);

    const std::string tls = "TLS";
    app.add_option("--cert", o.cert, "TLS certificate file; TLS is on when it exists (self.pem)")
        ->type_name("FILE")
        ->group(tls);
    app.add_option("--key", o.key, "TLS private key file, if not in the certificate file")
        ->type_name("FILE")
        ->group(tls);
    app.add_option("--key-password", o.key_password, "Password of the TLS private key")
        ->type_name("PASSWORD")
        ->group(tls);
    app.add_flag("--ssl-only", o.ssl_only, "Refuse unencrypted connections")->group(tls);
    app.add_option("--ssl-version", raw.ssl_version,
                   "Lowest TLS version: default (= tlsv1_2), tlsv1_2 or tlsv1_3")
        ->type_name("VERSION")
        ->group(tls);
    app.add_option("--ssl-ciphers", o.ssl_ciphers,
                   "Allowed TLS 1.2 ciphers, in OpenSSL's list format")
        ->type_name("LIST")
        ->group(tls);

    const std::string web = "Web server";
    app.add_option("--web", o.web, "Serve static files (the noVNC client) from DIR")
        ->type_name("DIR")
        ->group(web);
    app.add_flag("--list-directories", o.list_directories,
                 "List directories that have no index.html (off by default)")
        ->group(web);
    app.add_flag("--file-only", raw.file_only, "Never list directories (overrides the above)")
        ->group(web);

    const std::string tokens = "Targets chosen by token";
    app.add_option("--token-plugin", o.token_plugin,
                   "Token plugin: TokenFile, ReadOnlyTokenFile or TokenFileName")
        ->type_name("CLASS")
        ->group(tokens);
    app.add_option("--token-source", o.token_source,
                   "Token file, or directory of them, read by the token plugin")
        ->type_name("PATH")
        ->group(tokens);
    app.add_flag("--host-token", o.host_token,
                 "Take the token from the Host header instead of the 'token' URL parameter")
        ->group(tokens);
    app.add_option("--target-config", raw.target_config,
                   "Deprecated: same as --token-plugin TokenFile --token-source FILE")
        ->type_name("FILE")
        ->group(tokens);

    const std::string logging = "Logging";
    app.add_option("--log-file", o.log_file, "Append log messages to FILE instead of stderr")
        ->type_name("FILE")
        ->group(logging);
    app.add_option("--syslog", o.syslog,
                   "Also log to syslog; vncgate logs through /dev/log only, the one value accepted")
        ->type_name("/dev/log")
        ->group(logging);

    const std::string refused = "websockify options vncgate does not support (refused)";
    for (std::size_t i = 0; i < refused_options.size(); ++i) {
        const auto& r = refused_options[i];
        std::string desc = std::string("Not supported: ") + r.feature;
        if (r.takes_value) {
            app.add_option(r.name, raw.refused_values[i], desc)->type_name("X")->group(refused);
        } else {
            app.add_flag(r.name, raw.refused_flags[i], desc)->group(refused);
        }
    }
}

// Applies the rules CLI11 cannot express; throws usage_error.
void validate(CLI::App& app, options& o, raw_values& raw) {
    for (const auto& r : refused_options) {
        if (app.count(r.name) > 0) {
            throw usage_error(std::string(r.name) +
                              " is a websockify option that vncgate does not support (" +
                              r.feature + ")");
        }
    }

    if (raw.ssl_version == "default" || raw.ssl_version == "tlsv1_2") {
        o.ssl_min = tls_version::tls1_2;
    } else if (raw.ssl_version == "tlsv1_3") {
        o.ssl_min = tls_version::tls1_3;
    } else if (raw.ssl_version == "tlsv1_1") {
        throw usage_error("--ssl-version tlsv1_1 is refused: vncgate requires TLS 1.2 or newer "
                          "(use default, tlsv1_2 or tlsv1_3)");
    } else {
        throw usage_error("--ssl-version: expected default, tlsv1_2 or tlsv1_3, got '" +
                          raw.ssl_version + "'");
    }

    if (app.count("--heartbeat") > 0) {
        o.heartbeat = static_cast<int>(
            number_option("--heartbeat", raw.heartbeat, 0, INT_MAX, "a whole number of seconds"));
    }
    if (app.count("--idle-timeout") > 0) {
        o.idle_timeout = static_cast<int>(number_option("--idle-timeout", raw.idle_timeout, 0,
                                                        INT_MAX, "a whole number of seconds"));
    }
    if (app.count("--timeout") > 0) {
        o.timeout = static_cast<int>(
            number_option("--timeout", raw.timeout, 0, INT_MAX, "a whole number of seconds"));
    }
    if (app.count("--max-message-size") > 0) {
        o.max_message_size = static_cast<std::size_t>(number_option(
            "--max-message-size", raw.max_message_size, 1, SIZE_MAX, "a number of bytes"));
    }
    if (app.count("--threads") > 0) {
        o.threads = static_cast<unsigned>(
            number_option("--threads", raw.threads, 0, max_threads, "a number of threads"));
    }

    if (raw.file_only) {
        o.list_directories = false;
    }

    if (app.count("--target-config") > 0) {
        if (app.count("--token-plugin") > 0 || app.count("--token-source") > 0) {
            throw usage_error("--target-config cannot be combined with --token-plugin or "
                              "--token-source (it means --token-plugin TokenFile --token-source "
                              "FILE)");
        }
        o.token_plugin = "TokenFile";
        o.token_source = raw.target_config;
    }
    if (app.count("--token-plugin") > 0) {
        o.token_plugin = normalise_token_plugin(o.token_plugin);
    }
    if (app.count("--token-source") > 0 && o.token_plugin.empty()) {
        throw usage_error("You must use --token-plugin to use --token-source");
    }
    if (o.host_token && o.token_plugin.empty()) {
        throw usage_error("You must use --token-plugin to use --host-token");
    }
    if (!o.token_plugin.empty()) {
        if (o.token_source.empty()) {
            throw usage_error("--token-plugin " + o.token_plugin +
                              " needs --token-source (a token file or directory)");
        }
        o.token_source = absolute_path(o.token_source);
    }
    if (app.count("--unix-listen") > 0 && o.unix_listen.empty()) {
        throw usage_error("--unix-listen: expected the path of a Unix socket, got ''");
    }
    if (app.count("--unix-listen-mode") > 0) {
        o.unix_listen_mode = parse_file_mode("--unix-listen-mode", raw.unix_listen_mode);
        if (o.unix_listen.empty()) {
            throw usage_error("--unix-listen-mode needs --unix-listen (the mode is that of the "
                              "Unix socket it creates)");
        }
    }
    const bool unix_target = app.count("--unix-target") > 0;
    if (unix_target) {
        if (!o.token_plugin.empty()) {
            throw usage_error("--unix-target cannot be combined with a token plugin (the token "
                              "chooses the target)");
        }
        o.fixed_target = parse_target("unix_socket:" + absolute_path(raw.unix_target));
    }

    // Positionals: [source_addr:]source_port, then the target unless a token plugin or
    // --unix-target chooses it. With --unix-listen the listen address may be omitted.
    const bool need_target = o.token_plugin.empty() && !unix_target;
    const std::size_t with_listen = need_target ? 2 : 1;
    const auto& args = raw.positionals;
    std::size_t next = 0;
    if (!o.unix_listen.empty() && args.size() + 1 == with_listen) {
        o.listen_tcp = false;
    } else if (args.empty() && o.unix_listen.empty()) {
        throw usage_error("missing [source_addr:]source_port (where to listen)");
    } else if (args.empty()) {
        throw usage_error("missing target_addr:target_port (or use --token-plugin, "
                          "--target-config or --unix-target)");
    } else {
        o.listen = parse_listen(args[next++]);
    }
    if (need_target) {
        if (next >= args.size()) {
            throw usage_error("missing target_addr:target_port (or use --token-plugin, "
                              "--target-config or --unix-target)");
        }
        o.fixed_target = parse_target(args[next++]);
    }
    if (next < args.size()) {
        throw usage_error("too many arguments: unexpected '" + args[next] + "'");
    }

    o.web = absolute_path(o.web);
    o.cert = absolute_path(o.cert);
    o.key = absolute_path(o.key);
    o.record = absolute_path(o.record);
    o.log_file = absolute_path(o.log_file);
    o.unix_listen = absolute_path(o.unix_listen);

    if (app.count("--syslog") > 0 && o.syslog != syslog_socket) {
        const bool udp = o.syslog.find(':') != std::string::npos;
        throw usage_error(
            "--syslog '" + o.syslog +
            "': " + (udp ? "a UDP syslog server (host:port) is not supported by vncgate; " : "") +
            "vncgate logs to syslog through /dev/log only (give --syslog " + syslog_socket + ")");
    }

    if (o.ssl_only) {
        std::error_code ec;
        if (!std::filesystem::exists(o.cert, ec)) {
            throw usage_error("--ssl-only: certificate file " + o.cert +
                              " not found (give one with --cert)");
        }
    }
}

} // namespace

parse_outcome parse_command_line(int argc, const char* const argv[]) {
    try {
        // websockify runs a wrapped program given after "--"; vncgate does not.
        for (int i = 1; i < argc; ++i) {
            if (argv[i] != nullptr && std::string_view(argv[i]) == "--") {
                return make_usage_error("a wrapped command after '--' is a websockify feature "
                                        "that vncgate does not support");
            }
        }

        options o;
        raw_values raw;
        CLI::App app{"vncgate: a WebSocket-to-TCP gateway for noVNC, compatible with websockify",
                     "vncgate"};
        define_options(app, o, raw);

        std::vector<std::string> args;
        for (int i = argc - 1; i >= 1; --i) {
            args.emplace_back(argv[i] != nullptr ? argv[i] : "");
        }
        try {
            app.parse(args); // CLI11 takes the arguments in reverse order
        } catch (const CLI::CallForHelp&) {
            return parse_outcome{std::nullopt, 0, app.help()};
        } catch (const CLI::CallForVersion& e) {
            return parse_outcome{std::nullopt, 0, std::string(e.what()) + "\n"};
        } catch (const CLI::ParseError& e) {
            return make_usage_error(e.what());
        }
        validate(app, o, raw);
        return parse_outcome{std::move(o), 0, {}};
    } catch (const usage_error& e) {
        return make_usage_error(e.what());
    } catch (const config_error& e) {
        return make_usage_error(e.what());
    } catch (const std::exception& e) {
        return make_usage_error(std::string("cannot parse the command line: ") + e.what());
    }
}

} // namespace vncgate::core
