// Tests for core/proc_memory: parsing smaps_rollup and stat, and sampling this process.
#include "core/proc_memory.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

namespace vncgate_bench {
namespace {

TEST(proc_memory, private_fields_add_up) {
    const char* text = "55d0-7ffd ---p 00000000 00:00 0 [rollup]\n"
                       "Rss:                5000 kB\n"
                       "Shared_Clean:       3000 kB\n"
                       "Private_Clean:       120 kB\n"
                       "Private_Dirty:      1880 kB\n"
                       "Private_Hugetlb:       0 kB\n";
    EXPECT_EQ(parse_private_kib(text), 2000u);
    EXPECT_FALSE(parse_private_kib("Rss: 5 kB\n"));
}

TEST(proc_memory, parent_pid_survives_odd_command_names) {
    EXPECT_EQ(parse_parent_pid("1234 (a) b (c) S 77 1234 1234 0 -1"), 77);
    EXPECT_EQ(parse_parent_pid("1 (init) S 0 1 1"), 0);
    EXPECT_FALSE(parse_parent_pid("garbage"));
}

TEST(proc_memory, samples_this_process) {
    const auto s = sample_private_memory(getpid(), true);
    ASSERT_TRUE(s);
    EXPECT_GT(s->private_kib, 0u);
    EXPECT_GE(s->processes, 1);
}

} // namespace
} // namespace vncgate_bench
