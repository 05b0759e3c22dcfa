// Summary statistics for latency samples.
#include "core/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vncgate_bench {

double percentile(std::vector<double>& samples, double q) {
    if (samples.empty()) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const auto n = samples.size();
    auto rank = static_cast<std::size_t>(std::ceil(q / 100.0 * static_cast<double>(n)));
    rank = std::clamp<std::size_t>(rank, 1, n);
    auto it = samples.begin() + static_cast<std::ptrdiff_t>(rank - 1);
    std::nth_element(samples.begin(), it, samples.end());
    return *it;
}

} // namespace vncgate_bench
