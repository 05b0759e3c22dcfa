// Per-thread pool of relay buffers, so that idle sessions hold no buffer at all.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace vncgate::net {

// Size of one relay buffer: large enough that bulk transfers need few system calls.
inline constexpr std::size_t relay_buffer_size = 64 * 1024;
// Buffers kept for reuse per thread; beyond this they are freed.
inline constexpr std::size_t max_pooled_buffers = 64;

using relay_buffer = std::unique_ptr<std::byte[]>;

inline std::vector<relay_buffer>& thread_pool() {
    thread_local std::vector<relay_buffer> pool;
    return pool;
}

// Returns a buffer of relay_buffer_size bytes, reused when one is free. Never shared across
// threads: each session runs on one I/O thread, and a buffer goes back to the pool of the thread
// that frees it.
inline relay_buffer acquire_relay_buffer() {
    auto& pool = thread_pool();
    if (pool.empty())
        return relay_buffer(new std::byte[relay_buffer_size]);
    relay_buffer b = std::move(pool.back());
    pool.pop_back();
    return b;
}

inline void release_relay_buffer(relay_buffer b) {
    if (!b)
        return;
    auto& pool = thread_pool();
    if (pool.size() < max_pooled_buffers)
        pool.push_back(std::move(b));
}

} // namespace vncgate::net
