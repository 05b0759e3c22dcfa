// Tests for core/pattern: fill and check agree at any offset and in any pieces, and a wrong
// byte is found where it is.
#include "core/pattern.hpp"

#include <gtest/gtest.h>
#include <vector>

namespace vncgate_bench {
namespace {

std::vector<std::byte> fill(std::uint64_t seed, std::uint64_t pos, std::size_t n) {
    std::vector<std::byte> v(n);
    pattern_fill(seed, pos, v);
    return v;
}

TEST(pattern, filled_bytes_check_out) {
    const auto v = fill(7, 0, 200000);
    EXPECT_EQ(pattern_check(7, 0, v), v.size());
}

TEST(pattern, pieces_one_byte_at_a_time_match_one_fill) {
    // Crosses a 64 KiB table block boundary at an odd offset.
    const std::uint64_t start = 65536 - 13;
    const auto whole = fill(3, start, 40);
    for (std::size_t i = 0; i < whole.size(); ++i) {
        const auto one = fill(3, start + i, 1);
        EXPECT_EQ(one[0], whole[i]) << "offset " << i;
        EXPECT_EQ(pattern_check(3, start + i, std::span(&whole[i], 1)), 1u);
    }
}

TEST(pattern, check_reports_the_first_wrong_byte) {
    auto v = fill(11, 12345, 100000);
    v[54321] ^= std::byte{0x01};
    EXPECT_EQ(pattern_check(11, 12345, v), 54321u);
}

TEST(pattern, seeds_and_offsets_give_different_bytes) {
    const auto a = fill(1, 0, 4096);
    EXPECT_NE(pattern_check(2, 0, a), a.size());
    EXPECT_NE(pattern_check(1, 8, a), a.size());
    // A stream shifted by one whole table block is not mistaken for the original.
    EXPECT_NE(pattern_check(1, 65536, a), a.size());
}

TEST(pattern, empty_span_checks_out) {
    EXPECT_EQ(pattern_check(1, 0, std::span<const std::byte>()), 0u);
}

} // namespace
} // namespace vncgate_bench
