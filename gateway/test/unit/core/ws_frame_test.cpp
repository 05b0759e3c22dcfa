// The frame headers the relay writes for spliced data: exact bytes at every length boundary.
#include "core/ws_frame.hpp"

#include <gtest/gtest.h>
#include <vector>

namespace vncgate::core {
namespace {

std::vector<std::uint8_t> header(std::uint64_t size) {
    std::array<std::uint8_t, max_server_frame_header> out{};
    auto n = binary_frame_header(out, size);
    return {out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n)};
}

using bytes = std::vector<std::uint8_t>;

TEST(ws_frame_test, seven_bit_lengths_up_to_125) {
    EXPECT_EQ(header(0), (bytes{0x82, 0x00}));
    EXPECT_EQ(header(1), (bytes{0x82, 0x01}));
    EXPECT_EQ(header(125), (bytes{0x82, 0x7d}));
}

TEST(ws_frame_test, sixteen_bit_lengths_from_126_to_65535) {
    EXPECT_EQ(header(126), (bytes{0x82, 0x7e, 0x00, 0x7e}));
    EXPECT_EQ(header(4096), (bytes{0x82, 0x7e, 0x10, 0x00}));
    EXPECT_EQ(header(65535), (bytes{0x82, 0x7e, 0xff, 0xff}));
}

TEST(ws_frame_test, sixty_four_bit_lengths_from_65536) {
    EXPECT_EQ(header(65536), (bytes{0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}));
    EXPECT_EQ(header(256 * 1024), (bytes{0x82, 0x7f, 0, 0, 0, 0, 0, 0x04, 0x00, 0x00}));
    EXPECT_EQ(header(0x0102030405060708ull),
              (bytes{0x82, 0x7f, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}));
}

} // namespace
} // namespace vncgate::core
