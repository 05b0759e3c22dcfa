// vncgate-bench: one binary that plays target server, browser-side client and reporter, so
// that direct TCP, a minimal TCP relay, websockify and vncgate are measured with identical code.
// See bench/README.md.
#include "core/results.hpp"
#include "net/measure.hpp"
#include "net/target_server.hpp"
#include "net/tcp_relay.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <thread>

namespace {

using namespace vncgate_bench;

// Parses "HOST:PORT" with a numeric IPv4 or IPv6 ([::1]:PORT) address.
tcp::endpoint parse_endpoint(const std::string& s) {
    const auto colon = s.rfind(':');
    if (colon == std::string::npos) {
        throw CLI::ValidationError("endpoint", "expected HOST:PORT, got " + s);
    }
    auto host = s.substr(0, colon);
    if (host.size() > 1 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    boost::system::error_code ec;
    const auto addr = boost::asio::ip::make_address(host, ec);
    int port = -1;
    try {
        port = std::stoi(s.substr(colon + 1));
    } catch (const std::exception&) {
    }
    if (ec || port < 0 || port > 65535) {
        throw CLI::ValidationError("endpoint", "expected HOST:PORT, got " + s);
    }
    return {addr, static_cast<unsigned short>(port)};
}

// Options shared by every measurement: which path, and where results go.
struct path_cli {
    std::string label = "direct";
    std::string connect;
    bool websocket = false;
    bool no_subprotocol = false;
    std::string out;

    void add_to(CLI::App* app) {
        app->add_option("--label", label, "Path name in the results")
            ->check(CLI::IsMember({"direct", "relay", "websockify", "vncgate"}));
        app->add_option("--connect", connect, "HOST:PORT of the target or gateway")->required();
        app->add_flag("--ws", websocket, "Speak WebSocket (gateways); plain TCP otherwise");
        app->add_flag("--no-subprotocol", no_subprotocol,
                      "Offer no Sec-WebSocket-Protocol (default: binary)");
        app->add_option("--out", out, "Append result rows to this TSV file");
    }

    path_options resolve() const {
        path_options p;
        p.label = label;
        p.endpoint = parse_endpoint(connect);
        p.stream.websocket = websocket;
        p.stream.subprotocol_binary = !no_subprotocol;
        p.results_file = out;
        return p;
    }
};

// Prints a port that is free on 127.0.0.1 right now (the caller binds it soon after).
int free_port() {
    boost::asio::io_context ioc;
    tcp::acceptor a(ioc, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    fmt::print("{}\n", a.local_endpoint().port());
    return 0;
}

// Waits until HOST:PORT accepts a TCP connection. Returns 0 when it does, 1 on timeout.
int wait_port(const std::string& where, double timeout) {
    const auto ep = parse_endpoint(where);
    const auto until = std::chrono::steady_clock::now() +
                       std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(timeout));
    boost::asio::io_context ioc;
    while (std::chrono::steady_clock::now() < until) {
        tcp::socket s(ioc);
        boost::system::error_code ec;
        s.connect(ep, ec);
        if (!ec) {
            return 0;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return 1;
}

int report(const std::string& in) {
    std::ifstream f(in);
    if (!f) {
        fmt::print(stderr, "cannot read {}\n", in);
        return 1;
    }
    std::ostringstream ss;
    ss << f.rdbuf();
    fmt::print("{}", render_report(parse_results(ss.str())));
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"vncgate-bench: measure direct TCP, websockify and vncgate with one client"};
    app.require_subcommand(1);

    target_options target;
    auto* target_cmd = app.add_subcommand("target", "Run the target server (echo/source/sink)");
    target_cmd->add_option("--listen", target.address, "Address to bind");
    target_cmd->add_option("--port", target.port, "Port to bind (0: any free port)");
    target_cmd->add_option("--lifetime", target.lifetime_seconds, "Exit after this many seconds");

    relay_options relay;
    std::string relay_target;
    auto* relay_cmd = app.add_subcommand(
        "relay", "Run a minimal TCP relay (blocking threads, no WebSocket): the floor for proxies");
    relay_cmd->add_option("--listen", relay.address, "Address to bind");
    relay_cmd->add_option("--port", relay.port, "Port to bind (0: any free port)");
    relay_cmd->add_option("--target", relay_target, "HOST:PORT to relay to")->required();
    relay_cmd->add_option("--lifetime", relay.lifetime_seconds, "Exit after this many seconds");

    path_cli tput_path;
    std::string dir_name = "down";
    int streams = 1;
    double tput_seconds = 2;
    auto* tput_cmd = app.add_subcommand("throughput", "Bulk transfer, verified byte for byte");
    tput_path.add_to(tput_cmd);
    tput_cmd->add_option("--direction", dir_name, "down: target->browser, up: browser->target")
        ->check(CLI::IsMember({"down", "up"}));
    tput_cmd->add_option("--streams", streams, "Parallel connections")->check(CLI::Range(1, 64));
    tput_cmd->add_option("--seconds", tput_seconds, "Approximate duration of the measured run")
        ->check(CLI::Range(0.05, 60.0));

    path_cli echo_path;
    std::size_t echo_size = 64;
    int echo_iterations = 20000;
    double echo_seconds = 2;
    std::string echo_key = "echo64";
    auto* echo_cmd = app.add_subcommand("echo", "Echo round-trip latency, p50/p99");
    echo_path.add_to(echo_cmd);
    echo_cmd->add_option("--size", echo_size, "Message size in bytes")
        ->check(CLI::Range(1, 1 << 24));
    echo_cmd->add_option("--iterations", echo_iterations, "Maximum measured round trips")
        ->check(CLI::Range(1, 10000000));
    echo_cmd->add_option("--seconds", echo_seconds, "Maximum measured time")
        ->check(CLI::Range(0.05, 60.0));
    echo_cmd->add_option("--key", echo_key, "Result key prefix (echo64, pin_echo16k, ...)");

    path_cli cycles_path;
    double cycles_seconds = 3;
    int max_cycles = 20000;
    auto* cycles_cmd =
        app.add_subcommand("cycles", "Sequential connect + handshake + echo + close");
    cycles_path.add_to(cycles_cmd);
    cycles_cmd->add_option("--seconds", cycles_seconds, "Duration")->check(CLI::Range(0.05, 60.0));
    cycles_cmd->add_option("--max", max_cycles, "Maximum cycles")->check(CLI::Range(1, 1000000));

    path_cli closing_path;
    std::string order = "target";
    int runs = 24;
    std::string target_direct;
    auto* closing_cmd = app.add_subcommand("closing", "Does every byte arrive before the close?");
    closing_path.add_to(closing_cmd);
    closing_cmd->add_option("--order", order, "Who closes first")
        ->check(CLI::IsMember({"target", "browser"}));
    closing_cmd->add_option("--runs", runs, "Repetitions")->check(CLI::Range(1, 1000));
    closing_cmd->add_option("--target", target_direct,
                            "HOST:PORT of the target itself, to ask what it received");

    path_cli sessions_path;
    sessions_options so;
    auto* sessions_cmd =
        app.add_subcommand("sessions", "Open idle sessions: memory per session or most held");
    sessions_path.add_to(sessions_cmd);
    sessions_cmd->add_option("--count", so.count, "Sessions to open")->check(CLI::Range(1, 100000));
    sessions_cmd->add_option("--inflight", so.inflight, "Handshakes in flight")
        ->check(CLI::Range(1, 4096));
    sessions_cmd->add_option("--open-timeout", so.open_timeout, "Seconds per session to open");
    sessions_cmd->add_option("--ramp-seconds", so.ramp_seconds, "Bound on the whole ramp");
    sessions_cmd->add_option("--stall", so.stall_failures,
                             "Stop after this many failures in a row");
    sessions_cmd->add_option("--memory-pid", so.memory_pid, "Measure this process's memory");
    sessions_cmd->add_flag("--children", so.memory_children, "... plus all its descendants");
    sessions_cmd->add_option("--settle", so.settle_seconds, "Idle seconds before measuring");
    sessions_cmd->add_option("--key", so.key, "Result key (mem1k, mem10k, max_sessions)")
        ->required();

    std::string report_in;
    auto* report_cmd = app.add_subcommand("report", "Print the Markdown table of a results file");
    report_cmd->add_option("results", report_in, "TSV written by the measurements")->required();

    auto* free_port_cmd = app.add_subcommand("free-port", "Print a free port on 127.0.0.1");

    std::string wait_where;
    double wait_timeout = 10;
    auto* wait_cmd = app.add_subcommand("wait-port", "Wait until HOST:PORT accepts connections");
    wait_cmd->add_option("endpoint", wait_where, "HOST:PORT")->required();
    wait_cmd->add_option("--timeout", wait_timeout, "Seconds");

    CLI11_PARSE(app, argc, argv);

    try {
        if (target_cmd->parsed()) {
            return run_target(target);
        }
        if (relay_cmd->parsed()) {
            relay.target = parse_endpoint(relay_target);
            return run_relay(relay);
        }
        if (tput_cmd->parsed()) {
            return measure_throughput(tput_path.resolve(),
                                      dir_name == "down" ? direction::down : direction::up, streams,
                                      tput_seconds);
        }
        if (echo_cmd->parsed()) {
            return measure_echo(echo_path.resolve(), echo_size, echo_iterations, echo_seconds,
                                echo_key);
        }
        if (cycles_cmd->parsed()) {
            return measure_cycles(cycles_path.resolve(), cycles_seconds, max_cycles);
        }
        if (closing_cmd->parsed()) {
            const auto p = closing_path.resolve();
            const auto t = target_direct.empty() ? p.endpoint : parse_endpoint(target_direct);
            if (order == "browser" && p.stream.websocket && target_direct.empty()) {
                fmt::print(stderr, "--target is needed to ask the target what it received\n");
                return 2;
            }
            return measure_closing(p, order == "target", runs, t);
        }
        if (sessions_cmd->parsed()) {
            return measure_sessions(sessions_path.resolve(), so);
        }
        if (report_cmd->parsed()) {
            return report(report_in);
        }
        if (free_port_cmd->parsed()) {
            return free_port();
        }
        if (wait_cmd->parsed()) {
            return wait_port(wait_where, wait_timeout);
        }
    } catch (const CLI::Error& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        fmt::print(stderr, "vncgate-bench: {}\n", e.what());
        return 1;
    }
    return 2;
}
