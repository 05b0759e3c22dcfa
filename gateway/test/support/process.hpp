// The vncgate process under test: spawn with captured output, wait for its listening line, signal,
// stop by PID (SIGTERM, then SIGKILL after 5 s), memory usage; plus temporary directories.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace vncgate::test {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

// Path of the vncgate binary from the VNCGATE_BIN environment variable (empty if unset).
std::string gateway_binary();

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

// Writes a file (creating or truncating it).
void write_file(const std::filesystem::path& path, std::string_view content);
std::string read_file(const std::filesystem::path& path);

// How a process ended: exit code or terminating signal.
struct exit_status {
    bool exited = false; // true: normal exit with `code`; false: killed by `signal`
    int code = 0;
    int signal = 0;
    std::string describe() const;
};

// Where the gateway said it listens, parsed from its "listening on ..." line.
struct listen_address {
    std::string host; // "127.0.0.1" or "::1"; empty for a Unix socket
    std::uint16_t port = 0;
    std::string unix_path;
};

// A child process whose stdout and stderr are read continuously by a background thread (so that
// it never blocks on a full pipe). It runs in its own process group with default signal
// dispositions and no inherited file descriptors beyond 0-2. The destructor always stops it.
class child_process {
public:
    child_process(const std::string& binary, const std::vector<std::string>& args);
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    pid_t pid() const { return pid_; }

    // Waits until stderr contains a match of the ECMAScript regex; returns the first capture
    // group (or the whole match) or nullopt on timeout or if the process exited first.
    std::optional<std::string> wait_for_stderr(const std::string& regex, milliseconds timeout);

    std::string stderr_text() const;
    std::string stdout_text() const;

    void send_signal(int sig);
    // Waits for the process to exit; nullopt on timeout.
    std::optional<exit_status> wait_exit(milliseconds timeout);
    // True while the process has not exited.
    bool running();
    // SIGTERM, wait up to 5 s, then SIGKILL; finally SIGKILL to the process group in case it
    // left children. Returns how it ended. Idempotent.
    exit_status stop();

    // True if stop() had to use SIGKILL because SIGTERM did not end the process within 5 s.
    bool was_killed() const { return killed_; }

    // Resident set size in KiB from /proc/PID/status, or -1 if unavailable.
    long rss_kib() const;

private:
    void reader_loop(int out_fd, int err_fd);
    bool reap(int options);

    pid_t pid_ = -1;
    std::optional<exit_status> status_;
    bool killed_ = false;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::atomic<bool> stop_reader_{false};
    std::string out_;
    std::string err_;
    bool streams_closed_ = false;
    std::thread reader_;
};

// The gateway under test. start() launches VNCGATE_BIN with the given arguments and waits up to
// 10 s for the "listening on ..." line; it throws std::runtime_error with the captured output if
// the line does not appear.
class gateway_process {
public:
    explicit gateway_process(std::vector<std::string> args);
    ~gateway_process();

    const listen_address& address() const { return address_; }
    std::uint16_t port() const { return address_.port; }
    child_process& process() { return *child_; }
    pid_t pid() const { return child_->pid(); }
    exit_status stop() { return child_->stop(); }
    const std::vector<std::string>& args() const { return args_; }

    // Captured stderr and stdout, for failure messages.
    std::string output() const;

private:
    std::vector<std::string> args_;
    std::unique_ptr<child_process> child_;
    listen_address address_;
};

// Polls pred every 10 ms until it returns true or the timeout passes; returns its last value.
template <class Pred> bool eventually(Pred pred, milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return pred();
        }
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

} // namespace vncgate::test
