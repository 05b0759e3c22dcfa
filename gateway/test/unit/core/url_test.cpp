// Tests for percent-decoding of URL components.
#include "core/url.hpp"

#include <gtest/gtest.h>

namespace vncgate::core {
namespace {

TEST(PercentDecode, DecodesEscapesInEitherCase) {
    EXPECT_EQ(percent_decode("a%41%6a%2F%2e"), "aAj/.");
    EXPECT_EQ(percent_decode(""), "");
    EXPECT_EQ(percent_decode("%00"), std::string(1, '\0'));
    EXPECT_EQ(percent_decode("%ff"), std::string(1, '\xff'));
}

TEST(PercentDecode, PlusIsASpaceOnlyWhenAsked) {
    EXPECT_EQ(percent_decode("a+b"), "a+b");
    EXPECT_EQ(percent_decode("a+b%2B", true), "a b+");
}

TEST(PercentDecode, RefusesTruncatedOrNonHexEscapes) {
    EXPECT_EQ(percent_decode("%"), std::nullopt);
    EXPECT_EQ(percent_decode("ab%4"), std::nullopt);
    EXPECT_EQ(percent_decode("%zz"), std::nullopt);
    EXPECT_EQ(percent_decode("%4g"), std::nullopt);
}

} // namespace
} // namespace vncgate::core
