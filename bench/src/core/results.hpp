// Result rows that every measurement appends to one TSV file, and the Markdown report built
// from them. The file is the only interface between measurements and the report.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vncgate_bench {

// One measured number. `path` is "direct", "relay", "websockify" or "vncgate" ("-" for run metadata);
// `aux` is a companion count (runs, connections attempted), `note` a human remark; a value of
// NaN with a note means the measurement failed or was not possible.
struct result_row {
    std::string key;
    std::string path;
    double value = 0;
    double aux = 0;
    std::string note;
};

// Appends `row` to the TSV file at `file` (tabs and newlines in the note become spaces).
// Returns false if the file cannot be written.
bool append_result(const std::string& file, const result_row& row);

// Parses the TSV text; lines that do not parse are skipped.
std::vector<result_row> parse_results(std::string_view text);

// Returns the Markdown report: a table with one row per measurement, a column per path,
// ratios to direct TCP (also for the relay, the floor for any proxy), vncgate's targets, and numbered notes below.
std::string render_report(const std::vector<result_row>& rows);

} // namespace vncgate_bench
