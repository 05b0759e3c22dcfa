// Tests for core/stats: nearest-rank percentiles.
#include "core/stats.hpp"

#include <cmath>
#include <gtest/gtest.h>

namespace vncgate_bench {
namespace {

TEST(stats, nearest_rank) {
    std::vector<double> v;
    for (int i = 100; i >= 1; --i) {
        v.push_back(i);
    }
    EXPECT_EQ(percentile(v, 50), 50);
    EXPECT_EQ(percentile(v, 99), 99);
    EXPECT_EQ(percentile(v, 100), 100);
}

TEST(stats, single_and_empty) {
    std::vector<double> one{7};
    EXPECT_EQ(percentile(one, 99), 7);
    std::vector<double> none;
    EXPECT_TRUE(std::isnan(percentile(none, 50)));
}

} // namespace
} // namespace vncgate_bench
