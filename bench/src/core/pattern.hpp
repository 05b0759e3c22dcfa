// Seeded byte streams: the byte at offset p of stream `seed` is a pure function of (seed, p), so
// a receiver verifies content byte for byte without keeping a copy of what was sent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace vncgate_bench {

// Writes bytes [pos, pos + out.size()) of stream `seed` into `out`.
void pattern_fill(std::uint64_t seed, std::uint64_t pos, std::span<std::byte> out);

// Compares `in` with bytes [pos, pos + in.size()) of stream `seed`. Returns the number of
// leading bytes that match: in.size() when all of them do.
std::size_t pattern_check(std::uint64_t seed, std::uint64_t pos, std::span<const std::byte> in);

} // namespace vncgate_bench
