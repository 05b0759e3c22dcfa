// Private memory of a process tree from /proc/PID/smaps_rollup.
#include "core/proc_memory.hpp"

#include <charconv>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace vncgate_bench {
namespace {

std::optional<std::string> slurp(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Value in kB of the line "name:   123 kB", or nothing.
std::optional<std::uint64_t> field_kib(std::string_view text, std::string_view name) {
    std::size_t at = 0;
    while ((at = text.find(name, at)) != std::string_view::npos) {
        if (at == 0 || text[at - 1] == '\n') {
            auto rest = text.substr(at + name.size());
            const auto start = rest.find_first_not_of(" \t");
            if (start == std::string_view::npos) {
                return std::nullopt;
            }
            rest.remove_prefix(start);
            std::uint64_t v = 0;
            auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v);
            if (ec == std::errc{}) {
                return v;
            }
            return std::nullopt;
        }
        at += name.size();
    }
    return std::nullopt;
}

} // namespace

std::optional<std::uint64_t> parse_private_kib(std::string_view smaps_rollup) {
    const auto clean = field_kib(smaps_rollup, "Private_Clean:");
    const auto dirty = field_kib(smaps_rollup, "Private_Dirty:");
    if (!clean && !dirty) {
        return std::nullopt;
    }
    return clean.value_or(0) + dirty.value_or(0);
}

std::optional<pid_t> parse_parent_pid(std::string_view stat) {
    // "pid (comm) state ppid ...": comm may contain spaces and parentheses; skip to the last ')'.
    const auto close = stat.rfind(')');
    if (close == std::string_view::npos || close + 4 >= stat.size()) {
        return std::nullopt;
    }
    auto rest = stat.substr(close + 2); // "state ppid ..."
    const auto space = rest.find(' ');
    if (space == std::string_view::npos) {
        return std::nullopt;
    }
    rest.remove_prefix(space + 1);
    pid_t ppid = 0;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), ppid);
    if (ec != std::errc{}) {
        return std::nullopt;
    }
    return ppid;
}

std::vector<pid_t> process_tree(pid_t pid, bool with_descendants) {
    std::vector<pid_t> tree{pid};
    if (!with_descendants) {
        return tree;
    }
    std::multimap<pid_t, pid_t> children; // parent -> child
    if (DIR* dir = opendir("/proc")) {
        while (dirent* e = readdir(dir)) {
            pid_t p = 0;
            const std::string_view name(e->d_name);
            auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), p);
            if (ec != std::errc{} || end != name.data() + name.size()) {
                continue;
            }
            if (auto stat = slurp("/proc/" + std::string(name) + "/stat")) {
                if (auto ppid = parse_parent_pid(*stat)) {
                    children.emplace(*ppid, p);
                }
            }
        }
        closedir(dir);
    }
    for (std::size_t i = 0; i < tree.size(); ++i) {
        auto [lo, hi] = children.equal_range(tree[i]);
        for (auto it = lo; it != hi; ++it) {
            tree.push_back(it->second);
        }
    }
    return tree;
}

std::optional<memory_sample> sample_private_memory(pid_t pid, bool with_descendants) {
    memory_sample s;
    for (pid_t p : process_tree(pid, with_descendants)) {
        auto text = slurp("/proc/" + std::to_string(p) + "/smaps_rollup");
        auto kib = text ? parse_private_kib(*text) : std::nullopt;
        if (!kib) {
            if (p == pid) {
                return std::nullopt;
            }
            continue;
        }
        s.private_kib += *kib;
        ++s.processes;
    }
    return s;
}

} // namespace vncgate_bench
