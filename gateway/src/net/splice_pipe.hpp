// Pipes for splice(2): the relay moves the VNC server's bytes into a pipe and from the pipe into
// the browser's socket, so that they are never copied through user space. Pooled per thread like
// the relay buffers: only a session with data in flight holds one (two descriptors).
#pragma once

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

namespace vncgate::net {

// Capacity asked for each pipe: one WebSocket frame carries at most this many bytes.
inline constexpr std::size_t splice_pipe_size = 256 * 1024;
// Pipes kept for reuse per thread; beyond this they are closed.
inline constexpr std::size_t max_pooled_pipes = 16;

class splice_pipe {
public:
    // A new pipe, or nothing when the system has none to give (out of descriptors): the caller
    // then copies instead.
    static std::optional<splice_pipe> open();

    splice_pipe(splice_pipe&& o) noexcept
        : read_fd_(std::exchange(o.read_fd_, -1)), write_fd_(std::exchange(o.write_fd_, -1)),
          capacity_(o.capacity_) {}
    splice_pipe& operator=(splice_pipe&& o) noexcept;
    splice_pipe(const splice_pipe&) = delete;
    splice_pipe& operator=(const splice_pipe&) = delete;
    ~splice_pipe();

    int read_fd() const { return read_fd_; }
    int write_fd() const { return write_fd_; }
    std::size_t capacity() const { return capacity_; }

private:
    splice_pipe(int r, int w, std::size_t capacity)
        : read_fd_(r), write_fd_(w), capacity_(capacity) {}
    void close();

    int read_fd_ = -1;
    int write_fd_ = -1;
    std::size_t capacity_ = 0;
};

// An empty pipe from this thread's pool, or a new one.
std::optional<splice_pipe> acquire_splice_pipe();
// Returns an empty pipe to the pool. A pipe that may still hold bytes must be dropped instead.
void release_splice_pipe(splice_pipe p);

} // namespace vncgate::net
