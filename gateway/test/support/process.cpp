// Child-process control for the integration tests: spawn, capture output, signal, stop by PID.
#include "support/process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <regex>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace vncgate::test {

namespace {

// The tests write to sockets whose peer may be gone: a write error must be an error code, not a
// signal that kills the test binary. (Children get the default disposition back, see below.)
const bool sigpipe_ignored = [] {
    std::signal(SIGPIPE, SIG_IGN);
    return true;
}();

constexpr std::size_t max_captured = 8 << 20;

void append_capped(std::string& buf, const char* data, std::size_t n) {
    buf.append(data, n);
    if (buf.size() > max_captured) {
        // Keep the beginning (start-up lines) and the most recent output.
        static constexpr std::size_t head = 64 << 10;
        buf.erase(head, buf.size() - max_captured / 2);
        buf.insert(head, "\n[... output dropped ...]\n");
    }
}

std::string tail(const std::string& s, std::size_t n) {
    return s.size() <= n ? s : "[...]" + s.substr(s.size() - n);
}

} // namespace

std::string gateway_binary() {
    const char* bin = std::getenv("VNCGATE_BIN");
    return bin != nullptr ? bin : "";
}

temp_dir::temp_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/vncgate-itest-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed: " + std::string(std::strerror(errno)));
    }
    path_ = tmpl;
}

temp_dir::~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

void write_file(const std::filesystem::path& path, std::string_view content) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(content.data(), static_cast<std::streamsize>(content.size()));
    f.close();
    if (!f) {
        throw std::runtime_error("cannot write " + path.string());
    }
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        throw std::runtime_error("cannot read " + path.string());
    }
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::string exit_status::describe() const {
    if (exited) {
        return "exited with code " + std::to_string(code);
    }
    return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
}

child_process::child_process(const std::string& binary, const std::vector<std::string>& args) {
    int out_pipe[2];
    int err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe2 failed");
    }

    std::vector<std::string> argv_store;
    argv_store.push_back(binary);
    argv_store.insert(argv_store.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_store) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    // Sockets opened by the tests (Asio does not set FD_CLOEXEC) must not leak into the gateway,
    // or closing them in a test would not close the connection.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);

    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t all;
    sigset_t none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETPGROUP);

    int rc = ::posix_spawn(&pid_, binary.c_str(), &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (rc != 0) {
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        pid_ = -1;
        throw std::runtime_error("cannot start " + binary + ": " + std::strerror(rc));
    }
    reader_ = std::thread([this, o = out_pipe[0], e = err_pipe[0]] { reader_loop(o, e); });
}

child_process::~child_process() {
    stop();
    stop_reader_ = true;
    if (reader_.joinable()) {
        reader_.join();
    }
}

void child_process::reader_loop(int out_fd, int err_fd) {
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    int open_count = 2;
    char buf[65536];
    while (open_count > 0 && !stop_reader_) {
        int n = ::poll(fds, 2, 100);
        if (n < 0 && errno != EINTR) {
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
                continue;
            }
            ssize_t r = ::read(fds[i].fd, buf, sizeof buf);
            if (r > 0) {
                std::lock_guard lock(mutex_);
                append_capped(i == 0 ? out_ : err_, buf, static_cast<std::size_t>(r));
            } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_count;
            }
        }
        cv_.notify_all();
    }
    for (auto& f : fds) {
        if (f.fd >= 0) {
            ::close(f.fd);
        }
    }
    std::lock_guard lock(mutex_);
    streams_closed_ = true;
    cv_.notify_all();
}

bool child_process::reap(int options) {
    if (status_) {
        return true;
    }
    if (pid_ <= 0) {
        return false;
    }
    int st = 0;
    pid_t r = ::waitpid(pid_, &st, options);
    if (r != pid_) {
        return false;
    }
    exit_status s;
    if (WIFEXITED(st)) {
        s.exited = true;
        s.code = WEXITSTATUS(st);
    } else if (WIFSIGNALED(st)) {
        s.signal = WTERMSIG(st);
    }
    status_ = s;
    return true;
}

std::optional<std::string> child_process::wait_for_stderr(const std::string& regex,
                                                          milliseconds timeout) {
    std::regex re(regex);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    for (;;) {
        std::smatch m;
        if (std::regex_search(err_, m, re)) {
            return m.size() > 1 ? m[1].str() : m[0].str();
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return std::nullopt;
        }
        lock.unlock();
        bool gone = reap(WNOHANG);
        lock.lock();
        if (gone && streams_closed_) {
            // One more look: the line may have arrived together with the exit.
            if (std::regex_search(err_, m, re)) {
                return m.size() > 1 ? m[1].str() : m[0].str();
            }
            return std::nullopt;
        }
        cv_.wait_for(lock, 50ms);
    }
}

std::string child_process::stderr_text() const {
    std::lock_guard lock(mutex_);
    return err_;
}

std::string child_process::stdout_text() const {
    std::lock_guard lock(mutex_);
    return out_;
}

void child_process::send_signal(int sig) {
    if (pid_ > 0 && !reap(WNOHANG)) {
        ::kill(pid_, sig);
    }
}

std::optional<exit_status> child_process::wait_exit(milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!reap(WNOHANG)) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return std::nullopt;
        }
        std::this_thread::sleep_for(10ms);
    }
    return status_;
}

bool child_process::running() {
    return pid_ > 0 && !reap(WNOHANG);
}

exit_status child_process::stop() {
    if (pid_ <= 0) {
        return {};
    }
    if (!reap(WNOHANG)) {
        ::kill(pid_, SIGTERM);
        if (!wait_exit(5s)) {
            killed_ = true;
            ::kill(pid_, SIGKILL);
            reap(0);
        }
    }
    // The process group has the child's PID; anything the child started and left behind goes too.
    ::kill(-pid_, SIGKILL);
    return *status_;
}

long child_process::rss_kib() const {
    std::ifstream f("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::strtol(line.c_str() + 6, nullptr, 10);
        }
    }
    return -1;
}

gateway_process::gateway_process(std::vector<std::string> args) : args_(std::move(args)) {
    std::string bin = gateway_binary();
    if (bin.empty()) {
        throw std::runtime_error("VNCGATE_BIN is not set (CTest sets it; set it by hand "
                                 "when running the test binary directly)");
    }
    child_ = std::make_unique<child_process>(bin, args_);
    auto line = child_->wait_for_stderr(
        R"(listening on (unix:\S+|\[[0-9a-fA-F:.]+\]:[1-9][0-9]*|[0-9.]+:[1-9][0-9]*))", 10s);
    if (!line) {
        std::string cmd = bin;
        for (const auto& a : args_) {
            cmd += " " + a;
        }
        bool running = child_->running();
        std::string why = running ? "no 'listening on ADDRESS:PORT' line on stderr within 10 s"
                                  : "the process ended (" + child_->stop().describe() +
                                        ") before printing 'listening on ...'";
        throw std::runtime_error("cannot start the gateway: " + cmd + "\n" + why + "\n" + output());
    }
    const std::string& l = *line;
    if (l.rfind("unix:", 0) == 0) {
        address_.unix_path = l.substr(5);
    } else {
        auto colon = l.rfind(':');
        address_.host = l.substr(0, colon);
        if (address_.host.size() > 2 && address_.host.front() == '[') {
            address_.host = address_.host.substr(1, address_.host.size() - 2);
        }
        address_.port = static_cast<std::uint16_t>(std::stoi(l.substr(colon + 1)));
    }
}

gateway_process::~gateway_process() = default;

std::string gateway_process::output() const {
    return "--- gateway stderr ---\n" + tail(child_->stderr_text(), 6000) +
           "\n--- gateway stdout ---\n" + tail(child_->stdout_text(), 2000) + "\n---";
}

} // namespace vncgate::test
