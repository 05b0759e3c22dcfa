// Seeded byte streams. Word k (8 bytes, little endian) of stream s is
// table[k mod 8192] ^ key(s, k / 8192): one table lookup and one XOR per word, so filling and
// checking run near memcpy speed and cost every path (direct, websockify, vncgate) the same.
#include "core/pattern.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

namespace vncgate_bench {
namespace {

constexpr std::size_t table_words_log2 = 13;
constexpr std::size_t table_words = std::size_t{1} << table_words_log2;
constexpr std::size_t chunk_words = 512; // words generated per step; fits in L1

constexpr std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

const std::array<std::uint64_t, table_words>& table() {
    static const auto t = [] {
        std::array<std::uint64_t, table_words> a{};
        for (std::size_t i = 0; i < table_words; ++i) {
            a[i] = splitmix64(0x5eed0000ULL + i);
        }
        return a;
    }();
    return t;
}

std::uint64_t block_key(std::uint64_t seed, std::uint64_t block) {
    return splitmix64(splitmix64(seed) ^ (block * 0xd6e8feb86659fd93ULL));
}

// Writes words [first, first + count) of stream `seed`; count <= chunk_words, so the range
// spans at most two table blocks.
void generate(std::uint64_t seed, std::uint64_t first, std::size_t count, std::uint64_t* out) {
    const auto& t = table();
    const std::uint64_t b0 = first >> table_words_log2;
    const std::uint64_t k0 = block_key(seed, b0);
    const std::uint64_t k1 = block_key(seed, b0 + 1);
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint64_t k = first + i;
        const std::uint64_t key = (k >> table_words_log2) == b0 ? k0 : k1;
        std::uint64_t w = t[k & (table_words - 1)] ^ key;
        if constexpr (std::endian::native == std::endian::big) {
            w = __builtin_bswap64(w);
        }
        out[i] = w;
    }
}

// Calls f(generated_bytes, offset_in_span, length) for consecutive pieces of the range.
template <class F> void for_each_piece(std::uint64_t seed, std::uint64_t pos, std::size_t n, F f) {
    std::array<std::uint64_t, chunk_words> words;
    std::size_t done = 0;
    while (done < n) {
        const std::uint64_t p = pos + done;
        const std::uint64_t first = p / 8;
        const std::size_t skip = static_cast<std::size_t>(p % 8);
        const std::size_t want = std::min(n - done, chunk_words * 8 - skip);
        const std::size_t count = (skip + want + 7) / 8;
        generate(seed, first, count, words.data());
        if (!f(reinterpret_cast<const std::byte*>(words.data()) + skip, done, want)) {
            return;
        }
        done += want;
    }
}

} // namespace

void pattern_fill(std::uint64_t seed, std::uint64_t pos, std::span<std::byte> out) {
    for_each_piece(seed, pos, out.size(), [&](const std::byte* src, std::size_t at, std::size_t n) {
        std::memcpy(out.data() + at, src, n);
        return true;
    });
}

std::size_t pattern_check(std::uint64_t seed, std::uint64_t pos, std::span<const std::byte> in) {
    std::size_t good = in.size();
    for_each_piece(seed, pos, in.size(), [&](const std::byte* src, std::size_t at, std::size_t n) {
        if (std::memcmp(in.data() + at, src, n) == 0) {
            return true;
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (in[at + i] != src[i]) {
                good = at + i;
                break;
            }
        }
        return false;
    });
    return good;
}

} // namespace vncgate_bench
