// Loopback target servers used by the integration tests.
#include "support/servers.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace vncgate::test {

namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

} // namespace

long connection::read_some(std::uint8_t* buf, std::size_t n) {
    for (;;) {
        ssize_t r = ::recv(fd_, buf, n, 0);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        return static_cast<long>(r);
    }
}

bool connection::write_all(std::span<const std::uint8_t> data) {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t r = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return false;
        }
        done += static_cast<std::size_t>(r);
    }
    return true;
}

void connection::shutdown_write() {
    ::shutdown(fd_, SHUT_WR);
}

void connection::reset_on_close() {
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

loopback_server::loopback_server(int listen_fd, handler h)
    : listen_fd_(listen_fd), handler_(std::move(h)) {}

std::unique_ptr<loopback_server> loopback_server::tcp(handler h, const std::string& host) {
    bool v6 = host.find(':') != std::string::npos;
    int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fail("socket");
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (v6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        ::inet_pton(AF_INET6, host.c_str(), &a->sin6_addr);
        len = sizeof *a;
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        a->sin_family = AF_INET;
        ::inet_pton(AF_INET, host.c_str(), &a->sin_addr);
        len = sizeof *a;
    }
    if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 128) != 0) {
        ::close(fd);
        fail("bind/listen " + host);
    }
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    std::unique_ptr<loopback_server> s(new loopback_server(fd, std::move(h)));
    s->host_ = host;
    s->port_ = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                        : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    s->acceptor_ = std::thread([p = s.get()] { p->accept_loop(); });
    return s;
}

std::unique_ptr<loopback_server> loopback_server::unix_socket(const std::string& path, handler h) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fail("socket(AF_UNIX)");
    }
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (path.size() >= sizeof a.sun_path) {
        ::close(fd);
        throw std::runtime_error("Unix socket path too long: " + path);
    }
    std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
    ::unlink(path.c_str());
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 128) != 0) {
        ::close(fd);
        fail("bind/listen " + path);
    }
    std::unique_ptr<loopback_server> s(new loopback_server(fd, std::move(h)));
    s->unix_path_ = path;
    s->acceptor_ = std::thread([p = s.get()] { p->accept_loop(); });
    return s;
}

loopback_server::~loopback_server() {
    stop();
}

std::string loopback_server::address() const {
    if (host_.find(':') != std::string::npos) {
        return "[" + host_ + "]:" + std::to_string(port_);
    }
    return host_ + ":" + std::to_string(port_);
}

void loopback_server::accept_loop() {
    for (;;) {
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (stopping_) {
            if (fd >= 0) {
                ::close(fd);
            }
            return;
        }
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            return;
        }
        if (unix_path_.empty()) {
            int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
        ++accepted_;
        ++active_;
        std::lock_guard lock(mutex_);
        open_fds_.push_back(fd);
        threads_.emplace_back([this, fd] {
            connection c(fd);
            try {
                handler_(c);
            } catch (...) {
                // A handler's failure is visible to the test through its records.
            }
            {
                std::lock_guard l(mutex_);
                open_fds_.erase(std::find(open_fds_.begin(), open_fds_.end(), fd));
                ::close(fd);
            }
            --active_;
        });
    }
}

void loopback_server::stop() {
    if (stopping_.exchange(true)) {
        return;
    }
    // shutdown() wakes the blocked accept(); close() alone would not.
    ::shutdown(listen_fd_, SHUT_RDWR);
    if (acceptor_.joinable()) {
        acceptor_.join();
    }
    ::close(listen_fd_);
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(mutex_);
        for (int fd : open_fds_) {
            ::shutdown(fd, SHUT_RDWR);
        }
        threads.swap(threads_);
    }
    for (auto& t : threads) {
        t.join();
    }
    if (!unix_path_.empty()) {
        ::unlink(unix_path_.c_str());
    }
}

loopback_server::handler echo_handler() {
    return [](connection& c) {
        std::vector<std::uint8_t> buf(1 << 16);
        for (;;) {
            long n = c.read_some(buf.data(), buf.size());
            if (n <= 0 || !c.write_all(std::span(buf.data(), static_cast<std::size_t>(n)))) {
                return;
            }
        }
    };
}

loopback_server::handler banner_echo_handler(std::string banner) {
    return [banner = std::move(banner)](connection& c) {
        if (c.write_all(as_bytes(banner))) {
            echo_handler()(c);
        }
    };
}

loopback_server::handler sequence_handler(std::vector<loopback_server::handler> handlers) {
    auto next = std::make_shared<std::atomic<std::size_t>>(0);
    return [handlers = std::move(handlers), next](connection& c) {
        std::size_t i = std::min(next->fetch_add(1), handlers.size() - 1);
        handlers[i](c);
    };
}

std::shared_ptr<stream_record> stream_log::add() {
    auto r = std::make_shared<stream_record>();
    {
        std::lock_guard lock(mutex_);
        records_.push_back(r);
    }
    cv_.notify_all();
    return r;
}

std::shared_ptr<stream_record> stream_log::at(std::size_t i) {
    std::lock_guard lock(mutex_);
    return i < records_.size() ? records_[i] : nullptr;
}

std::size_t stream_log::size() {
    std::lock_guard lock(mutex_);
    return records_.size();
}

void stream_log::notify() {
    { std::lock_guard lock(mutex_); }
    cv_.notify_all();
}

std::shared_ptr<stream_record> stream_log::wait_connection(std::size_t i, milliseconds timeout) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [&] { return i < records_.size(); });
    return i < records_.size() ? records_[i] : nullptr;
}

std::shared_ptr<stream_record> stream_log::wait_done(std::size_t i, milliseconds timeout) {
    std::unique_lock lock(mutex_);
    bool ok = cv_.wait_for(lock, timeout, [&] { return i < records_.size() && records_[i]->done; });
    return ok ? records_[i] : nullptr;
}

namespace {

// Reads until EOF or error into a record: hash, optional comparison, first bytes.
void read_into(connection& c, stream_record& rec, std::optional<std::uint64_t> expect_seed,
               std::size_t keep_bytes, std::uint64_t stop_after = UINT64_MAX) {
    sha256 hash;
    std::optional<stream_checker> checker;
    if (expect_seed) {
        checker.emplace(payload(*expect_seed));
    }
    std::vector<std::uint8_t> buf(1 << 16);
    std::uint64_t total = 0;
    while (total < stop_after) {
        std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), stop_after - total));
        long n = c.read_some(buf.data(), want);
        if (n == 0) {
            rec.saw_eof = true;
            break;
        }
        if (n < 0) {
            break;
        }
        std::span<const std::uint8_t> chunk(buf.data(), static_cast<std::size_t>(n));
        hash.update(chunk);
        if (checker) {
            checker->feed(chunk);
        }
        {
            std::lock_guard lock(rec.mutex);
            std::size_t keep =
                std::min(chunk.size(), keep_bytes - std::min(keep_bytes, rec.head.size()));
            rec.head.insert(rec.head.end(), chunk.begin(), chunk.begin() + static_cast<long>(keep));
        }
        total += chunk.size();
        rec.bytes_read = total;
    }
    std::lock_guard lock(rec.mutex);
    rec.read_sha256 = hash.hex();
    rec.first_mismatch = checker ? checker->first_mismatch() : -1;
}

// Writes bytes [0, size) of payload(seed); returns false if the peer went away first.
bool write_payload(connection& c, stream_record& rec, std::uint64_t size, std::uint64_t seed) {
    payload p(seed);
    std::vector<std::uint8_t> buf(1 << 16);
    std::uint64_t sent = 0;
    while (sent < size) {
        std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), size - sent));
        p.fill(sent, std::span(buf.data(), n));
        if (!c.write_all(std::span(buf.data(), n))) {
            return false;
        }
        sent += n;
        rec.bytes_written = sent;
    }
    rec.finished_writing = true;
    return true;
}

struct done_guard {
    std::shared_ptr<stream_log> log;
    std::shared_ptr<stream_record> rec;
    ~done_guard() {
        rec->done = true;
        log->notify();
    }
};

} // namespace

loopback_server::handler source_handler(std::shared_ptr<stream_log> log, std::uint64_t size,
                                        std::uint64_t seed, std::int64_t reset_after) {
    return [log, size, seed, reset_after](connection& c) {
        auto rec = log->add();
        done_guard guard{log, rec};
        // Drain what the gateway sends, so that unread data never turns our close into an RST.
        std::thread drain([&c] {
            std::vector<std::uint8_t> buf(1 << 16);
            while (c.read_some(buf.data(), buf.size()) > 0) {
            }
        });
        if (reset_after >= 0) {
            write_payload(c, *rec, static_cast<std::uint64_t>(reset_after), seed);
            rec->finished_writing = false;
            c.reset_on_close();
            ::shutdown(c.fd(), SHUT_RD);
        } else {
            write_payload(c, *rec, size, seed);
            c.shutdown_write();
        }
        drain.join();
        log->notify();
    };
}

loopback_server::handler sink_handler(std::shared_ptr<stream_log> log,
                                      std::optional<std::uint64_t> expect_seed,
                                      std::size_t keep_bytes) {
    return [log, expect_seed, keep_bytes](connection& c) {
        auto rec = log->add();
        done_guard guard{log, rec};
        read_into(c, *rec, expect_seed, keep_bytes);
    };
}

loopback_server::handler source_sink_handler(std::shared_ptr<stream_log> log,
                                             std::uint64_t out_size, std::uint64_t out_seed,
                                             std::uint64_t in_size, std::uint64_t in_seed) {
    return [=](connection& c) {
        auto rec = log->add();
        done_guard guard{log, rec};
        std::thread writer([&] { write_payload(c, *rec, out_size, out_seed); });
        read_into(c, *rec, in_seed, 0, in_size);
        writer.join();
    };
}

refusing_port::refusing_port() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0) {
        fail("bind refusing port");
    }
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
}

refusing_port::~refusing_port() {
    ::close(fd_);
}

} // namespace vncgate::test
