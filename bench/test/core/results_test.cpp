// Tests for core/results: the TSV round trip and the Markdown report built from rows.
#include "core/results.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <unistd.h>

namespace vncgate_bench {
namespace {

TEST(results, file_round_trip) {
    const std::string file =
        ::testing::TempDir() + "/results_test_" + std::to_string(getpid()) + ".tsv";
    std::remove(file.c_str());
    ASSERT_TRUE(append_result(file, {"down1", "direct", 1000.5, 3, "a\tnote\nwith breaks"}));
    ASSERT_TRUE(append_result(file, {"down1", "vncgate", NAN, 0, "failed: x"}));
    std::ifstream in(file);
    std::stringstream ss;
    ss << in.rdbuf();
    const auto rows = parse_results(ss.str() + "not a row\n");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].key, "down1");
    EXPECT_EQ(rows[0].value, 1000.5);
    EXPECT_EQ(rows[0].aux, 3);
    EXPECT_EQ(rows[0].note, "a note with breaks");
    EXPECT_TRUE(std::isnan(rows[1].value));
    std::remove(file.c_str());
}

TEST(results, report_shows_medians_ratios_and_targets) {
    const std::vector<result_row> rows = {
        {"down1", "direct", 1000, 0, ""},         {"down1", "direct", 900, 0, ""},
        {"down1", "direct", 5000, 0, ""},         {"down1", "relay", 600, 0, ""},
        {"down1", "vncgate", 800, 0, ""},         {"pin_echo64_p50", "direct", 10, 0, ""},
        {"pin_echo64_p99", "direct", 20, 0, ""},  {"pin_echo64_p50", "vncgate", 25, 0, ""},
        {"pin_echo64_p99", "vncgate", 30, 0, ""}, {"mem10k", "websockify", NAN, 0, "skipped: no"},
    };
    const auto md = render_report(rows);
    // Median of 900, 1000, 5000 is 1000; 800 / 1000 = 0.80x meets >= 0.75x. The relay's ratio
    // is shown too; websockify did not run.
    EXPECT_NE(md.find("| 1000 | 600 | 0.60x | not run |  | 800 | 0.80x | ≥0.75x | yes |"),
              std::string::npos)
        << md;
    // The relay holds no idle sessions: its memory and sessions cells say so.
    EXPECT_NE(md.find("(KiB) | n/a | n/a |  | skipped"), std::string::npos) << md;
    EXPECT_NE(md.find("+15 / +10 µs"), std::string::npos) << md;
    EXPECT_NE(md.find("≤ +8 µs (p50) | **no** |"), std::string::npos) << md;
    EXPECT_NE(md.find("skipped [1]"), std::string::npos) << md;
}

} // namespace
} // namespace vncgate_bench
