// The benchmark's own tiny protocol between client and target: a 32-byte request header that
// travels through the gateway like any payload, and the target's fixed-size replies.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace vncgate_bench {

// What the target does with a connection, chosen by the first 32 bytes the client sends.
enum class target_mode : std::uint32_t {
    echo = 1,     // send back every byte received until EOF
    source = 2,   // send `bytes` bytes of stream `seed`, then close first
    sink = 3,     // verify `bytes` bytes of stream `seed`, then send a verdict
    sink_eof = 4, // verify until EOF and record the result under `id` (browser closes first)
    query = 5,    // send the recorded result for `id` (asked over a direct connection)
};

struct request {
    target_mode mode = target_mode::echo;
    std::uint64_t bytes = 0;
    std::uint64_t seed = 0;
    std::uint64_t id = 0;
};

inline constexpr std::size_t request_size = 32;
inline constexpr std::uint32_t request_magic = 0x31424756; // "VGB1" little endian

// A target's answer to `sink` (after `bytes` bytes) and to `query`.
struct verdict {
    bool found = false;         // query only: a result was recorded for the id
    bool content_ok = false;    // every byte matched the stream, none beyond `bytes`
    std::uint64_t received = 0; // bytes received
};

inline constexpr std::size_t verdict_size = 24;

std::array<std::byte, request_size> encode(const request& r);

// Returns the request, or nothing if the bytes are not a valid header.
std::optional<request> decode_request(std::span<const std::byte, request_size> b);

std::array<std::byte, verdict_size> encode(const verdict& v);
verdict decode_verdict(std::span<const std::byte, verdict_size> b);

} // namespace vncgate_bench
