// The floor relay: plain blocking sockets and two threads per connection (see tcp_relay.hpp).
#include "net/tcp_relay.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace vncgate_bench {
namespace {

constexpr std::size_t copy_buffer = std::size_t{64} * 1024;

// Both descriptors of one relayed connection; the direction that finishes last closes them.
struct connection {
    int browser = -1;
    int target = -1;
    std::atomic<int>* open_count = nullptr;

    ~connection() {
        ::close(browser);
        ::close(target);
        --*open_count;
    }
};

void set_nodelay(int fd) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Copies `from` to `to` until `from` ends, then ends `to`'s direction. A failed write means the
// receiver is gone: both sockets are shut down so that the other direction's thread wakes too.
void pump(int from, int to) {
    std::vector<char> buf(copy_buffer);
    bool failed = false;
    for (;;) {
        const auto n = ::read(from, buf.data(), buf.size());
        if (n == 0) {
            break;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            failed = true;
            break;
        }
        for (ssize_t done = 0; done < n && !failed;) {
            const auto w = ::write(to, buf.data() + done, static_cast<std::size_t>(n - done));
            if (w < 0 && errno == EINTR) {
                continue;
            }
            if (w <= 0) {
                failed = true;
            } else {
                done += w;
            }
        }
        if (failed) {
            break;
        }
    }
    if (failed) {
        ::shutdown(from, SHUT_RDWR);
        ::shutdown(to, SHUT_RDWR);
    } else {
        ::shutdown(to, SHUT_WR);
    }
}

int open_listener(const relay_options& opt) {
    const tcp::endpoint ep(boost::asio::ip::make_address(opt.address), opt.port);
    const int fd = ::socket(ep.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, ep.data(), static_cast<socklen_t>(ep.size())) != 0 || ::listen(fd, 1024) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace

int run_relay(const relay_options& opt) {
    const int listener = open_listener(opt);
    if (listener < 0) {
        std::fprintf(stderr, "relay: cannot listen on %s:%u: %s\n", opt.address.c_str(),
                     static_cast<unsigned>(opt.port), std::strerror(errno));
        return 1;
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&bound), &len);
    tcp::endpoint local;
    std::memcpy(local.data(), &bound, len);
    std::fprintf(stderr, "listening on %s:%u\n", local.address().to_string().c_str(),
                 static_cast<unsigned>(local.port()));
    std::fflush(stderr);

    static std::atomic<int> open_count{0};
    const auto until = std::chrono::steady_clock::now() +
                       std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(opt.lifetime_seconds));
    while (std::chrono::steady_clock::now() < until) {
        pollfd p{listener, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) {
            continue;
        }
        const int browser = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (browser < 0) {
            continue;
        }
        if (open_count.load() >= opt.max_connections) {
            ::close(browser);
            continue;
        }
        const int target = ::socket(opt.target.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (target < 0 ||
            ::connect(target, opt.target.data(), static_cast<socklen_t>(opt.target.size())) != 0) {
            std::fprintf(stderr, "relay: cannot connect to the target: %s\n", std::strerror(errno));
            ::close(browser);
            if (target >= 0) {
                ::close(target);
            }
            continue;
        }
        set_nodelay(browser);
        set_nodelay(target);
        ++open_count;
        auto c = std::make_shared<connection>();
        c->browser = browser;
        c->target = target;
        c->open_count = &open_count;
        // Each thread holds the connection, so the last one to finish closes both descriptors.
        std::thread([c, browser, target] { pump(browser, target); }).detach();
        std::thread([c = std::move(c), browser, target] { pump(target, browser); }).detach();
    }
    ::close(listener);
    return 0;
}

} // namespace vncgate_bench
