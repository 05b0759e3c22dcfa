// Summary statistics for latency samples.
#pragma once

#include <vector>

namespace vncgate_bench {

// Returns the nearest-rank percentile q (0 < q <= 100) of `samples`, or NaN if it is empty.
// Reorders `samples`.
double percentile(std::vector<double>& samples, double q);

} // namespace vncgate_bench
