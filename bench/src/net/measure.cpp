// The measurements: throughput, echo latency, connection cycles, closing order and idle
// sessions. Each runs single-threaded on its own io_context, drives byte_streams only (so the
// same code measures every path), verifies every byte it receives, and bounds every step with
// a watchdog.
#include "net/measure.hpp"

#include "core/pattern.hpp"
#include "core/proc_memory.hpp"
#include "core/results.hpp"
#include "core/stats.hpp"
#include "core/wire.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <chrono>
#include <cmath>
#include <fmt/format.h>
#include <random>
#include <thread>
#include <vector>

namespace vncgate_bench {
namespace {

using boost::system::error_code;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t bulk_message = 64 * 1024; // browser -> target message size
constexpr std::size_t bulk_read = 256 * 1024;   // receive buffer for bulk transfers
constexpr std::size_t small_echo = 64;          // cycles and sessions payload
constexpr auto open_timeout = std::chrono::seconds(10);
constexpr auto close_timeout = std::chrono::seconds(5);
constexpr int max_consecutive_cycle_failures = 20;

clock_type::duration seconds_to_duration(double s) {
    return std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(s));
}

double elapsed_seconds(clock_type::time_point from, clock_type::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

std::uint64_t fresh_seed() {
    static std::mt19937_64 rng{std::random_device{}()};
    return rng();
}

// A short description of a failure: system errors without Boost's source location.
std::string describe(const std::exception& e) {
    if (const auto* se = dynamic_cast<const boost::system::system_error*>(&e)) {
        return se->code().message();
    }
    return e.what();
}

// Aborts a stream when the deadline passes; disarmed when destroyed.
class watchdog {
public:
    watchdog(const asio::any_io_executor& ex, byte_stream& s, clock_type::duration d) : timer_(ex) {
        timer_.expires_after(d);
        timer_.async_wait([&s, alive = alive_, fired = fired_](error_code ec) {
            // `alive` guards against a handler already queued when the watchdog was destroyed.
            if (!ec && *alive) {
                *fired = true;
                s.abort();
            }
        });
    }
    watchdog(const watchdog&) = delete;
    watchdog& operator=(const watchdog&) = delete;
    ~watchdog() {
        *alive_ = false;
        timer_.cancel();
    }
    bool fired() const { return *fired_; }

private:
    asio::steady_timer timer_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    std::shared_ptr<bool> fired_ = std::make_shared<bool>(false);
};

// Runs `task` to completion on `ioc`; exceptions that escape it propagate out of run().
void spawn(asio::io_context& ioc, asio::awaitable<void> task) {
    asio::co_spawn(ioc, std::move(task), [](const std::exception_ptr& e) {
        if (e) {
            std::rethrow_exception(e);
        }
    });
}

void run_all(asio::io_context& ioc) {
    ioc.restart();
    ioc.run();
}

void emit(const path_options& p, const std::string& key, double value, double aux,
          const std::string& note) {
    if (!p.results_file.empty() &&
        !append_result(p.results_file, {key, p.label, value, aux, note})) {
        fmt::print(stderr, "cannot append to {}\n", p.results_file);
    }
}

void emit_content(const path_options& p, std::uint64_t verified, std::uint64_t errors,
                  const std::string& run) {
    emit(p, "verified_bytes", static_cast<double>(verified), 0, run);
    emit(p, "content_errors", static_cast<double>(errors), 0, run);
}

// Reads exactly buf.size() bytes. Returns false if the stream ended first.
asio::awaitable<bool> receive_exactly(byte_stream& s, std::span<std::byte> buf) {
    std::size_t got = 0;
    while (got < buf.size()) { // each pass reads >= 1 byte or returns
        const auto n = co_await s.receive(asio::buffer(buf.data() + got, buf.size() - got));
        if (n == 0) {
            co_return false;
        }
        got += n;
    }
    co_return true;
}

// Sends the request header followed by `payload` as one message (one write on TCP).
asio::awaitable<void> send_request(byte_stream& s, const request& r,
                                   std::span<const std::byte> payload = {}) {
    std::vector<std::byte> msg(request_size + payload.size());
    const auto header = encode(r);
    std::copy(header.begin(), header.end(), msg.begin());
    std::copy(payload.begin(), payload.end(), msg.begin() + request_size);
    co_await s.send(asio::buffer(msg));
}

// An echo session's state: the stream, its seeded content and where it has got to.
struct echo_state {
    byte_stream* stream = nullptr;
    std::uint64_t seed = 0;
    std::uint64_t pos = 0;
    std::vector<std::byte> out;
    std::vector<std::byte> in;
};

// One echo of e.out.size() fresh seeded bytes; advances e.pos. Returns false on a content
// mismatch; throws on stream errors, and runtime_error if the stream ends.
asio::awaitable<bool> echo_once(echo_state& e) {
    pattern_fill(e.seed, e.pos, e.out);
    co_await e.stream->send(asio::buffer(e.out));
    if (!co_await receive_exactly(*e.stream, e.in)) {
        throw std::runtime_error("stream ended during echo");
    }
    const bool ok = pattern_check(e.seed, e.pos, e.in) == e.in.size();
    e.pos += e.in.size();
    co_return ok;
}

// ---- throughput ----

struct transfer {
    std::uint64_t bytes = 0;
    std::uint64_t seed = 0;
    std::uint64_t received = 0;
    bool content_ok = true;
    bool complete = false;             // all `bytes` arrived
    std::string error;                 // failure other than the stream ending early
    clock_type::duration read_pause{}; // download: wait this long before reading (busy browser)
    clock_type::time_point end{};      // when the last byte arrived
};

asio::awaitable<void> download(byte_stream& s, transfer& t) {
    try {
        co_await send_request(s, {target_mode::source, t.bytes, t.seed, 0});
        if (t.read_pause.count() > 0) {
            asio::steady_timer pause(co_await asio::this_coro::executor, t.read_pause);
            co_await pause.async_wait(asio::use_awaitable);
        }
        std::vector<std::byte> buf(bulk_read);
        for (;;) { // until the stream ends; overflow and the watchdog bound it
            const auto n = co_await s.receive(asio::buffer(buf));
            if (n == 0) {
                break;
            }
            t.end = clock_type::now();
            if (t.content_ok && pattern_check(t.seed, t.received, std::span(buf.data(), n)) != n) {
                t.content_ok = false;
            }
            t.received += n;
            if (t.received > t.bytes) {
                t.content_ok = false;
                break;
            }
        }
    } catch (const std::exception& e) {
        t.error = describe(e);
    }
    t.complete = t.error.empty() && t.received == t.bytes;
}

asio::awaitable<void> upload(byte_stream& s, transfer& t) {
    try {
        co_await send_request(s, {target_mode::sink, t.bytes, t.seed, 0});
        std::vector<std::byte> buf(bulk_message);
        std::uint64_t pos = 0;
        while (pos < t.bytes) {
            const auto n =
                static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), t.bytes - pos));
            pattern_fill(t.seed, pos, std::span(buf.data(), n));
            co_await s.send(asio::buffer(buf.data(), n));
            pos += n;
        }
        std::array<std::byte, verdict_size> answer;
        if (!co_await receive_exactly(s, answer)) {
            throw std::runtime_error("stream ended before the target's verdict");
        }
        t.end = clock_type::now();
        const auto v = decode_verdict(answer);
        t.received = v.received;
        t.content_ok = v.content_ok;
        t.complete = v.received == t.bytes;
    } catch (const std::exception& e) {
        t.error = describe(e);
    }
}

struct transfer_run {
    double seconds = 0;
    std::uint64_t bytes = 0;    // bytes transferred in all streams
    std::uint64_t verified = 0; // bytes whose content was checked
    std::uint64_t errors = 0;   // streams with wrong content
    int incomplete = 0;         // streams that ended before all their bytes arrived
    std::string lost;           // what the last incomplete stream got
    std::string error;          // first failure that leaves no measurement
};

// Opens `streams` connections, then moves `per_stream` bytes over each at once; the clock runs
// from the first request to the last byte.
transfer_run run_transfers(const path_options& p, direction dir, int streams,
                           std::uint64_t per_stream, clock_type::duration timeout) {
    asio::io_context ioc(1);
    auto opt = p.stream;
    opt.write_buffer = bulk_message;
    std::vector<std::unique_ptr<byte_stream>> conns;
    std::vector<std::string> open_errors(static_cast<std::size_t>(streams));
    for (int i = 0; i < streams; ++i) {
        conns.push_back(make_stream(ioc.get_executor(), opt));
        spawn(ioc, [](byte_stream& s, tcp::endpoint ep, std::string& err) -> asio::awaitable<void> {
            watchdog wd(co_await asio::this_coro::executor, s, open_timeout);
            try {
                co_await s.open(ep);
            } catch (const std::exception& e) {
                err = std::string("open: ") + describe(e);
            }
        }(*conns.back(), p.endpoint, open_errors.back()));
    }
    run_all(ioc);
    transfer_run r;
    for (const auto& e : open_errors) {
        if (!e.empty()) {
            r.error = e;
            return r;
        }
    }
    std::vector<transfer> ts(static_cast<std::size_t>(streams));
    const auto t0 = clock_type::now();
    for (std::size_t i = 0; i < ts.size(); ++i) {
        ts[i].bytes = per_stream;
        ts[i].seed = fresh_seed();
        spawn(ioc,
              [](byte_stream& s, transfer& t, direction d,
                 clock_type::duration limit) -> asio::awaitable<void> {
                  watchdog wd(co_await asio::this_coro::executor, s, limit);
                  if (d == direction::down) {
                      co_await download(s, t);
                  } else {
                      co_await upload(s, t);
                  }
                  if (wd.fired() && t.error.empty()) {
                      t.error = "timed out";
                  }
              }(*conns[i], ts[i], dir, timeout));
    }
    run_all(ioc);
    clock_type::time_point last = t0;
    for (const auto& t : ts) {
        last = std::max(last, t.end);
        r.bytes += t.received;
        r.verified += t.received;
        r.errors += t.content_ok ? 0 : 1;
        if (!t.error.empty() || t.received == 0) {
            if (r.error.empty()) {
                r.error = t.error.empty() ? "no byte arrived" : t.error;
            }
        } else if (!t.complete) {
            ++r.incomplete;
            r.lost = fmt::format("a stream ended after {} of {} bytes", t.received, t.bytes);
        }
    }
    r.seconds = elapsed_seconds(t0, last);
    for (auto& c : conns) { // uploads still need closing; downloads already ended
        spawn(ioc, [](byte_stream& s) -> asio::awaitable<void> {
            watchdog wd(co_await asio::this_coro::executor, s, close_timeout);
            try {
                co_await s.close();
            } catch (const std::exception&) {
                // the measurement is over; a failed close changes nothing
            }
        }(*c));
    }
    run_all(ioc);
    return r;
}

// ---- sessions ----

struct session_slot {
    std::unique_ptr<byte_stream> stream;
    std::uint64_t seed = 0;
    std::uint64_t pos = 0;
};

struct ramp_state {
    int next = 0;
    int established = 0;
    int consecutive_failures = 0;
    std::string stop_reason;
    std::string last_error;
    clock_type::time_point deadline;
    clock_type::time_point last_progress_print;
};

} // namespace

int measure_throughput(const path_options& p, direction dir, int streams, double seconds) {
    const std::string key = dir == direction::down ? fmt::format("down{}", streams) : "up";
    std::uint64_t verified = 0;
    std::uint64_t errors = 0; // streams with wrong or missing bytes, calibration included
    std::string lost;
    // Calibrate: grow the transfer until it takes a measurable time, then size the real one.
    std::uint64_t per_stream = 4u << 20;
    double rate = 0;
    constexpr int max_calibration_rounds = 6;
    for (int round = 0; round < max_calibration_rounds; ++round) {
        const auto r = run_transfers(p, dir, streams, per_stream, std::chrono::seconds(30));
        verified += r.verified;
        errors += r.errors + static_cast<std::uint64_t>(r.incomplete);
        lost = r.incomplete ? r.lost : lost;
        if (!r.error.empty()) {
            fmt::print("{:<10} {:<6} failed: {}\n", p.label, key, r.error);
            emit(p, key, NAN, 0, "failed: " + r.error);
            emit_content(p, verified, errors, key);
            return 1;
        }
        rate = static_cast<double>(r.bytes) / std::max(r.seconds, 1e-6);
        if (r.seconds >= 0.2) {
            break;
        }
        per_stream *= 4;
    }
    const double wanted = rate * seconds / streams;
    per_stream =
        static_cast<std::uint64_t>(std::clamp(wanted, 4.0 * (1 << 20), 64.0 * (1ULL << 30)));
    const auto r =
        run_transfers(p, dir, streams, per_stream, seconds_to_duration(seconds * 5 + 10));
    verified += r.verified;
    errors += r.errors + static_cast<std::uint64_t>(r.incomplete);
    lost = r.incomplete ? r.lost : lost;
    emit_content(p, verified, errors, key);
    if (!r.error.empty()) {
        fmt::print("{:<10} {:<6} failed: {}\n", p.label, key, r.error);
        emit(p, key, NAN, 0, "failed: " + r.error);
        return 1;
    }
    const double mbps = static_cast<double>(r.bytes) / r.seconds / 1e6;
    std::string note;
    if (errors) {
        note = fmt::format("{} transfers (calibration included) with wrong or missing bytes{}",
                           errors, lost.empty() ? "" : " (" + lost + ")");
    }
    fmt::print("{:<10} {:<6} {:9.1f} MB/s  ({} MB in {:.2f} s, {} streams, content {}){}\n",
               p.label, key, mbps, r.bytes / 1000000, r.seconds, streams,
               errors ? "WRONG" : "verified", note.empty() ? "" : ": " + note);
    emit(p, key, mbps, static_cast<double>(r.bytes), note);
    return 0;
}

int measure_echo(const path_options& p, std::size_t size, int iterations, double seconds,
                 const std::string& key) {
    asio::io_context ioc(1);
    auto opt = p.stream;
    opt.write_buffer = std::max<std::size_t>(4096, size);
    auto s = make_stream(ioc.get_executor(), opt);
    std::vector<double> samples;
    samples.reserve(static_cast<std::size_t>(iterations));
    std::uint64_t verified = 0;
    std::uint64_t errors = 0;
    std::string error;
    const int warmup = std::min(500, iterations / 10);
    // Named, not a temporary: the coroutine refers to the lambda's captures while it runs.
    auto task = [&]() -> asio::awaitable<void> {
        watchdog wd(co_await asio::this_coro::executor, *s, seconds_to_duration(seconds * 2 + 20));
        try {
            co_await s->open(p.endpoint);
            echo_state e{s.get(), fresh_seed(), 0, std::vector<std::byte>(size),
                         std::vector<std::byte>(size)};
            co_await send_request(*s, {target_mode::echo, 0, e.seed, 0});
            clock_type::time_point measured_from{};
            for (int i = 0; i < warmup + iterations; ++i) {
                if (i == warmup) {
                    measured_from = clock_type::now();
                } else if (i > warmup &&
                           clock_type::now() - measured_from > seconds_to_duration(seconds)) {
                    break;
                }
                const auto t0 = clock_type::now();
                const bool ok = co_await echo_once(e);
                const auto t1 = clock_type::now();
                verified += size;
                errors += ok ? 0 : 1;
                if (i >= warmup) {
                    samples.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
                }
            }
            co_await s->close();
        } catch (const std::exception& ex) {
            error = wd.fired() ? "timed out" : describe(ex);
        }
    };
    spawn(ioc, task());
    run_all(ioc);
    emit_content(p, verified, errors, key);
    const auto n = samples.size();
    if (!error.empty() && n == 0) {
        fmt::print("{:<10} {:<12} failed: {}\n", p.label, key, error);
        emit(p, key + "_p50", NAN, 0, "failed: " + error);
        emit(p, key + "_p99", NAN, 0, "failed: " + error);
        return 1;
    }
    const double p50 = percentile(samples, 50);
    const double p99 = percentile(samples, 99);
    std::string note = errors ? "content errors" : "";
    if (!error.empty()) {
        note += fmt::format("{}stopped after {} samples: {}", note.empty() ? "" : "; ", n, error);
    }
    fmt::print("{:<10} {:<12} p50 {:8.1f} us  p99 {:8.1f} us  ({} x {} B, content {}){}\n", p.label,
               key, p50, p99, n, size, errors ? "WRONG" : "verified",
               error.empty() ? "" : " " + error);
    emit(p, key + "_p50", p50, static_cast<double>(n), note);
    emit(p, key + "_p99", p99, static_cast<double>(n), note);
    return error.empty() ? 0 : 1;
}

int measure_cycles(const path_options& p, double seconds, int max_cycles) {
    asio::io_context ioc(1);
    int ok = 0;
    int failed = 0;
    std::uint64_t errors = 0;
    std::string last_error;
    double elapsed = 0;
    // Named, not a temporary: the coroutine refers to the lambda's captures while it runs.
    auto task = [&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        const auto t0 = clock_type::now();
        const auto limit = seconds_to_duration(seconds);
        int consecutive = 0;
        std::vector<std::byte> out(small_echo);
        std::vector<std::byte> in(small_echo);
        for (int i = 0; i < max_cycles && clock_type::now() - t0 < limit; ++i) {
            auto s = make_stream(ex, p.stream);
            watchdog wd(ex, *s, open_timeout);
            try {
                const auto seed = fresh_seed();
                co_await s->open(p.endpoint);
                pattern_fill(seed, 0, out);
                co_await send_request(*s, {target_mode::echo, 0, seed, 0}, out);
                if (!co_await receive_exactly(*s, in)) {
                    throw std::runtime_error("stream ended during echo");
                }
                errors += pattern_check(seed, 0, in) == in.size() ? 0 : 1;
                co_await s->close();
                ++ok;
                consecutive = 0;
            } catch (const std::exception& e) {
                ++failed;
                last_error = wd.fired() ? "timed out" : describe(e);
                if (++consecutive >= max_consecutive_cycle_failures) {
                    break;
                }
            }
        }
        elapsed = elapsed_seconds(t0, clock_type::now());
    };
    spawn(ioc, task());
    run_all(ioc);
    emit_content(p, static_cast<std::uint64_t>(ok) * small_echo, errors, "cycles");
    const double rate = ok / std::max(elapsed, 1e-6);
    std::string note;
    if (failed) {
        note = fmt::format("{} cycles failed, last: {}", failed, last_error);
    }
    fmt::print("{:<10} cycles {:8.0f} /s  ({} in {:.2f} s{}{})\n", p.label, rate, ok, elapsed,
               failed ? ", " : "", note);
    emit(p, "cycles", ok ? rate : NAN, ok, ok ? note : "failed: " + note);
    return ok ? 0 : 1;
}

int measure_closing(const path_options& p, bool target_first, int runs, tcp::endpoint target) {
    asio::io_context ioc(1);
    const std::string key = target_first ? "close_target_first" : "close_browser_first";
    int lost = 0;
    int unclean = 0;
    std::vector<std::string> details;
    // Named, not a temporary: the coroutine refers to the lambda's captures while it runs.
    auto task = [&]() -> asio::awaitable<void> {
        const auto ex = co_await asio::this_coro::executor;
        auto opt = p.stream;
        opt.write_buffer = bulk_message;
        asio::steady_timer pause(ex);
        for (int run = 0; run < runs; ++run) {
            const std::uint64_t bytes = std::uint64_t{64 * 1024} << (run % 7); // 64 KiB .. 4 MiB
            const auto seed = fresh_seed();
            const auto id = fresh_seed();
            std::string problem;
            auto s = make_stream(ex, opt);
            {
                watchdog wd(ex, *s, std::chrono::seconds(15));
                transfer t;
                t.bytes = bytes;
                t.seed = seed;
                // Every third run the browser is busy for a while before it reads, so the
                // target's close overtakes data still queued in the gateway.
                t.read_pause = std::chrono::milliseconds(run % 3 == 2 ? 50 : run % 3 == 1 ? 5 : 0);
                try {
                    co_await s->open(p.endpoint);
                    if (target_first) {
                        co_await download(*s, t);
                        if (!t.error.empty()) {
                            problem = t.error;
                        } else if (t.received < bytes) {
                            problem = fmt::format("browser got {} of {} bytes", t.received, bytes);
                        } else if (!t.content_ok) {
                            problem = "content differs";
                        }
                        unclean += s->ended_cleanly() ? 0 : 1;
                    } else {
                        co_await send_request(*s, {target_mode::sink_eof, bytes, seed, id});
                        std::vector<std::byte> buf(bulk_message);
                        for (std::uint64_t pos = 0; pos < bytes; pos += buf.size()) {
                            pattern_fill(seed, pos, buf);
                            co_await s->send(asio::buffer(buf));
                        }
                        co_await s->close();
                    }
                } catch (const std::exception& e) {
                    problem = wd.fired() ? "timed out" : describe(e);
                }
            }
            if (!target_first && problem.empty()) {
                // Ask the target directly what arrived before the end of the stream.
                verdict v{};
                constexpr int max_queries = 100;
                for (int q = 0; q < max_queries && !v.found; ++q) {
                    auto direct = make_tcp_stream(ex);
                    watchdog wd(ex, *direct, std::chrono::seconds(5));
                    try {
                        co_await direct->open(target);
                        co_await send_request(*direct, {target_mode::query, 0, 0, id});
                        std::array<std::byte, verdict_size> answer;
                        if (co_await receive_exactly(*direct, answer)) {
                            v = decode_verdict(answer);
                        }
                    } catch (const std::exception&) {
                        // retried below
                    }
                    if (!v.found) {
                        pause.expires_after(std::chrono::milliseconds(50));
                        co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
                    }
                }
                if (!v.found) {
                    problem = "the target never saw the end of the stream";
                } else if (v.received != bytes || !v.content_ok) {
                    problem = fmt::format("target got {} of {} bytes{}", v.received, bytes,
                                          v.content_ok ? "" : " (content differs)");
                }
            }
            if (!problem.empty()) {
                ++lost;
                details.push_back(fmt::format("{} KiB: {}", bytes / 1024, problem));
            }
        }
    };
    spawn(ioc, task());
    run_all(ioc);
    std::string note;
    if (!details.empty()) {
        constexpr std::size_t shown = 3;
        for (std::size_t i = 0; i < std::min(shown, details.size()); ++i) {
            note += (i ? "; " : "") + details[i];
        }
        if (details.size() > shown) {
            note += fmt::format("; and {} more", details.size() - shown);
        }
    }
    if (target_first && unclean) {
        note += fmt::format("{}{} of {} ended without a WebSocket close frame",
                            note.empty() ? "" : "; ", unclean, runs);
    }
    fmt::print("{:<10} {:<20} {} of {} runs lost bytes{}{}\n", p.label, key, lost, runs,
               note.empty() ? "" : ": ", note);
    emit(p, key, lost, runs, note);
    return 0;
}

int measure_sessions(const path_options& p, const sessions_options& o) {
    asio::io_context ioc(1);
    const auto ex = ioc.get_executor();
    std::optional<memory_sample> before;
    if (o.memory_pid) {
        before = sample_private_memory(o.memory_pid, o.memory_children);
        if (!before) {
            emit(p, o.key, NAN, 0, "failed: cannot read the gateway's memory");
            return 1;
        }
    }
    std::vector<session_slot> slots(static_cast<std::size_t>(o.count));
    ramp_state st;
    const auto t0 = clock_type::now();
    st.deadline = t0 + seconds_to_duration(o.ramp_seconds);
    auto open_one = [&](session_slot& slot) -> asio::awaitable<void> {
        slot.stream = make_stream(ex, p.stream);
        slot.seed = fresh_seed();
        bool ok = false;
        {
            watchdog wd(ex, *slot.stream, seconds_to_duration(o.open_timeout));
            try {
                co_await slot.stream->open(p.endpoint);
                std::array<std::byte, small_echo> out;
                std::array<std::byte, small_echo> in;
                pattern_fill(slot.seed, 0, out);
                co_await send_request(*slot.stream, {target_mode::echo, 0, slot.seed, 0}, out);
                if (!co_await receive_exactly(*slot.stream, in)) {
                    throw std::runtime_error("stream ended during the first echo");
                }
                if (pattern_check(slot.seed, 0, in) != in.size()) {
                    throw std::runtime_error("echo content differs");
                }
                slot.pos = small_echo;
                ok = true;
            } catch (const std::exception& e) {
                st.last_error = wd.fired() ? "timed out" : describe(e);
            }
        }
        if (ok) {
            ++st.established;
            st.consecutive_failures = 0;
        } else {
            slot.stream.reset();
            ++st.consecutive_failures;
        }
    };
    auto worker = [&]() -> asio::awaitable<void> {
        while (st.next < o.count && st.stop_reason.empty()) { // bounded by count
            if (clock_type::now() > st.deadline) {
                st.stop_reason = fmt::format("ramp time limit ({} s)", o.ramp_seconds);
                break;
            }
            if (st.consecutive_failures >= o.stall_failures) {
                st.stop_reason = fmt::format("{} failures in a row, last: {}",
                                             st.consecutive_failures, st.last_error);
                break;
            }
            co_await open_one(slots[static_cast<std::size_t>(st.next++)]);
            const auto now = clock_type::now();
            if (now - st.last_progress_print > std::chrono::seconds(2)) {
                st.last_progress_print = now;
                fmt::print(stderr, "  {}: {} of {} sessions open\n", p.label, st.established,
                           o.count);
            }
        }
    };
    for (int i = 0; i < o.inflight; ++i) {
        spawn(ioc, worker());
    }
    run_all(ioc);
    const double ramp_time = elapsed_seconds(t0, clock_type::now());

    std::optional<memory_sample> after;
    if (o.memory_pid) {
        std::this_thread::sleep_for(seconds_to_duration(o.settle_seconds));
        after = sample_private_memory(o.memory_pid, o.memory_children);
    }

    // Do the sessions still carry data?
    int alive = 0;
    std::size_t next = 0;
    auto checker = [&]() -> asio::awaitable<void> {
        echo_state e{nullptr, 0, 0, std::vector<std::byte>(small_echo),
                     std::vector<std::byte>(small_echo)};
        while (next < slots.size()) { // bounded by the slot count
            auto& slot = slots[next++];
            if (!slot.stream) {
                continue;
            }
            e.stream = slot.stream.get();
            e.seed = slot.seed;
            e.pos = slot.pos;
            watchdog wd(ex, *slot.stream, std::chrono::seconds(10));
            try {
                if (co_await echo_once(e)) {
                    ++alive;
                }
            } catch (const std::exception&) {
                // counted as not alive
            }
        }
    };
    for (int i = 0; i < 256; ++i) {
        spawn(ioc, checker());
    }
    run_all(ioc);
    for (auto& slot : slots) {
        if (slot.stream) {
            slot.stream->abort();
        }
    }
    run_all(ioc);

    std::string note = fmt::format("{} of {} opened in {:.1f} s, {} still echo", st.established,
                                   o.count, ramp_time, alive);
    if (!st.stop_reason.empty()) {
        note += "; stopped: " + st.stop_reason;
    } else if (st.established < o.count && !st.last_error.empty()) {
        note += "; last failure: " + st.last_error;
    }
    if (o.memory_pid) {
        if (!after) {
            fmt::print("{:<10} {:<12} failed: gateway process gone ({})\n", p.label, o.key, note);
            emit(p, o.key, NAN, st.established, "gateway process gone; " + note);
            return 1;
        }
        const double delta =
            static_cast<double>(after->private_kib) - static_cast<double>(before->private_kib);
        const double per = st.established ? delta / st.established : NAN;
        note += fmt::format("; private {} -> {} KiB over {} -> {} processes", before->private_kib,
                            after->private_kib, before->processes, after->processes);
        fmt::print("{:<10} {:<12} {:8.1f} KiB per session ({})\n", p.label, o.key, per, note);
        emit(p, o.key, per, st.established, note);
    } else {
        fmt::print("{:<10} {:<12} {} sessions held and echoing ({})\n", p.label, o.key, alive,
                   note);
        emit(p, o.key, alive, o.count, note);
    }
    return 0;
}

} // namespace vncgate_bench
