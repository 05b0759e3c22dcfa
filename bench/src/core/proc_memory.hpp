// Private memory of a process (and optionally its descendants) from /proc, for the
// memory-per-connection measurement.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace vncgate_bench {

struct memory_sample {
    std::uint64_t private_kib = 0; // sum of Private_Clean + Private_Dirty
    int processes = 0;             // how many processes were summed
};

// Returns Private_Clean + Private_Dirty in KiB from the text of a smaps_rollup file, or
// nothing if neither field is present.
std::optional<std::uint64_t> parse_private_kib(std::string_view smaps_rollup);

// Returns the parent pid from the text of /proc/PID/stat, or nothing if it does not parse.
std::optional<pid_t> parse_parent_pid(std::string_view stat);

// Returns `pid` and, if `with_descendants`, every process below it (found by scanning
// /proc/*/stat). Processes that vanish while scanning are skipped.
std::vector<pid_t> process_tree(pid_t pid, bool with_descendants);

// Sums private memory over process_tree(pid, with_descendants). Returns nothing if `pid`
// itself cannot be read.
std::optional<memory_sample> sample_private_memory(pid_t pid, bool with_descendants);

} // namespace vncgate_bench
