// Tests for core/wire: request and verdict round trips, and headers that are not ours.
#include "core/wire.hpp"

#include <gtest/gtest.h>

namespace vncgate_bench {
namespace {

TEST(wire, request_round_trip) {
    const request r{target_mode::sink_eof, 1ULL << 40, 0x0123456789abcdefULL, 42};
    const auto bytes = encode(r);
    const auto back = decode_request(bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->mode, r.mode);
    EXPECT_EQ(back->bytes, r.bytes);
    EXPECT_EQ(back->seed, r.seed);
    EXPECT_EQ(back->id, r.id);
}

TEST(wire, rejects_foreign_headers) {
    auto bytes = encode(request{});
    bytes[0] = std::byte{'G'}; // e.g. an HTTP request reaching the target
    EXPECT_FALSE(decode_request(bytes));
    bytes = encode(request{});
    bytes[4] = std::byte{9}; // unknown mode
    EXPECT_FALSE(decode_request(bytes));
}

TEST(wire, verdict_round_trip) {
    const verdict v{true, false, 123456789};
    const auto back = decode_verdict(encode(v));
    EXPECT_TRUE(back.found);
    EXPECT_FALSE(back.content_ok);
    EXPECT_EQ(back.received, v.received);
}

} // namespace
} // namespace vncgate_bench
