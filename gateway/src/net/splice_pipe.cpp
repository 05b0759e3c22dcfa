#include "net/splice_pipe.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace vncgate::net {

std::optional<splice_pipe> splice_pipe::open() {
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
        return std::nullopt;
    // A larger pipe means fewer, larger frames. Refused (the per-user pipe limit), the default
    // capacity (64 KiB) still works.
    (void)::fcntl(fds[0], F_SETPIPE_SZ, static_cast<int>(splice_pipe_size));
    int capacity = ::fcntl(fds[0], F_GETPIPE_SZ);
    if (capacity <= 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return std::nullopt;
    }
    return splice_pipe(fds[0], fds[1], static_cast<std::size_t>(capacity));
}

splice_pipe& splice_pipe::operator=(splice_pipe&& o) noexcept {
    if (this != &o) {
        close();
        read_fd_ = std::exchange(o.read_fd_, -1);
        write_fd_ = std::exchange(o.write_fd_, -1);
        capacity_ = o.capacity_;
    }
    return *this;
}

splice_pipe::~splice_pipe() {
    close();
}

void splice_pipe::close() {
    if (read_fd_ >= 0)
        ::close(read_fd_);
    if (write_fd_ >= 0)
        ::close(write_fd_);
    read_fd_ = write_fd_ = -1;
}

namespace {

std::vector<splice_pipe>& pipe_pool() {
    thread_local std::vector<splice_pipe> pool;
    return pool;
}

} // namespace

std::optional<splice_pipe> acquire_splice_pipe() {
    auto& pool = pipe_pool();
    if (pool.empty())
        return splice_pipe::open();
    splice_pipe p = std::move(pool.back());
    pool.pop_back();
    return p;
}

void release_splice_pipe(splice_pipe p) {
    auto& pool = pipe_pool();
    if (pool.size() < max_pooled_pipes)
        pool.push_back(std::move(p));
}

} // namespace vncgate::net
