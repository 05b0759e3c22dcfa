// Markdown report from result rows: values per path, ratios to direct TCP, vncgate's targets.
#include "core/results.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>

namespace vncgate_bench {
namespace {

std::string clean(std::string s) {
    for (char& c : s) {
        if (c == '\t' || c == '\n' || c == '\r') {
            c = ' ';
        }
    }
    return s;
}

// One row per (key, path): counters add up over all rows; other measurements repeated in
// several rounds give their median (by value), with the notes of every round.
class table {
public:
    explicit table(const std::vector<result_row>& rows) {
        std::map<std::pair<std::string, std::string>, std::vector<result_row>> all;
        for (const auto& r : rows) {
            all[{r.key, r.path}].push_back(r);
        }
        for (auto& [id, list] : all) {
            merged_[id] = is_sum(id.first) ? sum(list) : median(list);
        }
    }

    const result_row* find(const std::string& key, const std::string& path) const {
        auto it = merged_.find({key, path});
        return it == merged_.end() ? nullptr : &it->second;
    }

private:
    static bool is_sum(const std::string& key) {
        return key == "verified_bytes" || key == "content_errors";
    }

    static result_row sum(const std::vector<result_row>& list) {
        result_row r = list.front();
        r.value = 0;
        r.aux = 0;
        for (const auto& x : list) {
            r.value += x.value;
            r.aux += x.aux;
        }
        return r;
    }

    // The median row by value among those that measured something (NaN rows only if all are
    // NaN); its note collects every distinct note.
    static result_row median(std::vector<result_row> list) {
        std::vector<result_row> measured;
        for (const auto& x : list) {
            if (!std::isnan(x.value)) {
                measured.push_back(x);
            }
        }
        auto& use = measured.empty() ? list : measured;
        std::sort(use.begin(), use.end(),
                  [](const result_row& a, const result_row& b) { return a.value < b.value; });
        result_row r = use[(use.size() - 1) / 2];
        std::string notes;
        for (const auto& x : list) {
            if (!x.note.empty() && notes.find(x.note) == std::string::npos) {
                notes += (notes.empty() ? "" : "; ") + x.note;
            }
        }
        r.note = notes;
        return r;
    }

    std::map<std::pair<std::string, std::string>, result_row> merged_;
};

enum class kind { throughput, latency, cycles, memory, sessions, losses, content };

struct metric {
    const char* key; // latency: prefix of _p50/_p99
    const char* title;
    kind k;
    double target; // vncgate's target, in the unit the check uses; NaN: none
    const char* target_text;
};

const metric metrics[] = {
    {"down1", "Throughput target→browser, 1 stream (MB/s)", kind::throughput, 0.75, "≥0.75x"},
    {"down4", "Throughput target→browser, 4 streams (MB/s)", kind::throughput, 0.75, "≥0.75x"},
    {"up", "Throughput browser→target (MB/s)", kind::throughput, 0.75, "≥0.75x"},
    {"echo64", "Echo 64 B, p50 / p99 (µs)", kind::latency, NAN, "—"},
    {"echo16k", "Echo 16 KiB, p50 / p99 (µs)", kind::latency, NAN, "—"},
    {"pin_echo64", "Echo 64 B pinned to CPU 0, p50 / p99 (µs)", kind::latency, 8, "≤ +8 µs (p50)"},
    {"pin_echo16k", "Echo 16 KiB pinned to CPU 0, p50 / p99 (µs)", kind::latency, 15,
     "≤ +15 µs (p50)"},
    {"cycles", "Connection cycles (connect+handshake+echo+close)/s", kind::cycles, 0.5, "≥0.5x"},
    {"mem1k", "Private memory per idle session, 1,000 sessions (KiB)", kind::memory, 16, "≤16 KiB"},
    {"mem10k", "Private memory per idle session, 10,000 sessions (KiB)", kind::memory, 16,
     "≤16 KiB"},
    {"max_sessions", "Concurrent sessions held and echoing", kind::sessions, 10000, "10,000"},
    {"content",
     "Bytes verified in throughput/echo/cycle runs (MB), runs with wrong or missing bytes",
     kind::content, 0, "no error"},
    {"close_target_first", "Target closes first: runs that lost bytes", kind::losses, 0, "0 lost"},
    {"close_browser_first", "Browser closes first: runs that lost bytes", kind::losses, 0,
     "0 lost"},
};

// The relay is the floor for any proxy (bench/src/net/tcp_relay.hpp); vncgate comes last.
const char* const paths[] = {"direct", "relay", "websockify", "vncgate"};

std::string num(double v) {
    if (std::isnan(v)) {
        return "?";
    }
    if (v == std::floor(v) && std::fabs(v) < 1e15) {
        return fmt::format("{:.0f}", v);
    }
    if (std::fabs(v) >= 100) {
        return fmt::format("{:.0f}", v);
    }
    if (std::fabs(v) >= 10) {
        return fmt::format("{:.1f}", v);
    }
    return fmt::format("{:.2f}", v);
}

// 12000 -> "12,000" (non-negative counts).
std::string thousands(double v) {
    const auto digits = fmt::format("{:.0f}", v);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            out += ',';
        }
        out += digits[i];
    }
    return out;
}

std::string signed_us(double d) {
    return (d >= 0 ? "+" : "") + num(d);
}

struct cell {
    std::string value;       // the path's column
    std::string vs_direct;   // ratio or difference; empty for direct
    std::optional<bool> met; // vncgate against its target
    std::string met_text;    // instead of yes/no when the run cannot judge the target
};

cell plain(std::string value) {
    cell c;
    c.value = std::move(value);
    return c;
}

class renderer {
public:
    explicit renderer(const std::vector<result_row>& rows) : t_(rows) {}

    std::string render() {
        std::string out;
        for (const auto& r : t_rows_meta()) {
            out += fmt::format("- {}\n", r);
        }
        if (!out.empty()) {
            out += "\n";
        }
        out += "| Measurement | direct TCP | TCP relay | relay vs direct | websockify | websockify "
               "vs direct | vncgate | vncgate vs direct | vncgate target | met |\n";
        out += "|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n";
        for (const auto& m : metrics) {
            cell c[std::size(paths)];
            for (std::size_t p = 0; p < std::size(paths); ++p) {
                c[p] = make_cell(m, paths[p]);
            }
            const cell& gw = c[3];
            std::string met = std::isnan(m.target) ? "—" : "not run";
            if (gw.met) {
                met = *gw.met ? "yes" : "**no**";
            } else if (!gw.met_text.empty()) {
                met = gw.met_text;
            }
            out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", m.title,
                               c[0].value, c[1].value, c[1].vs_direct, c[2].value, c[2].vs_direct,
                               gw.value, gw.vs_direct, m.target_text, met);
        }
        if (!notes_.empty()) {
            out += "\n";
            for (std::size_t i = 0; i < notes_.size(); ++i) {
                out += fmt::format("{}. {}\n", i + 1, notes_[i]);
            }
        }
        return out;
    }

private:
    std::vector<std::string> t_rows_meta() const {
        std::vector<std::string> meta;
        for (int i = 0;; ++i) {
            const auto* r = t_.find(fmt::format("meta{}", i), "-");
            if (!r) {
                break;
            }
            meta.push_back(r->note);
        }
        return meta;
    }

    // Adds a numbered note and returns its marker, e.g. " [2]".
    std::string note(const std::string& path, const std::string& text) {
        if (text.empty()) {
            return {};
        }
        notes_.push_back(fmt::format("{}: {}", path, text));
        return fmt::format(" [{}]", notes_.size());
    }

    cell make_cell(const metric& m, const std::string& path) {
        cell c;
        const std::string key = m.key;
        if (m.k == kind::latency) {
            return latency_cell(m, path);
        }
        if (m.k == kind::content) {
            const auto* bytes = t_.find("verified_bytes", path);
            const auto* errors = t_.find("content_errors", path);
            if (!bytes || !errors) {
                return plain("not run");
            }
            c.value = fmt::format("{:.0f} MB, {}", bytes->value / 1e6, num(errors->value));
            c.met = errors->value == 0 && bytes->value > 0;
            return c;
        }
        const auto* r = t_.find(key, path);
        if (!r) {
            // Idle memory is a gateway's; the relay's thread per direction is not built to hold
            // many sessions.
            if ((m.k == kind::memory && path == "direct") ||
                (path == "relay" && (m.k == kind::memory || m.k == kind::sessions))) {
                return plain("n/a");
            }
            return plain("not run");
        }
        if (std::isnan(r->value)) {
            const bool skipped = r->note.rfind("skipped", 0) == 0;
            c.value = (skipped ? "skipped" : "failed") + note(path + " " + key, r->note);
            return c;
        }
        const auto* d = t_.find(key, "direct");
        const bool have_direct = d && !std::isnan(d->value) && d->value > 0;
        switch (m.k) {
        case kind::throughput:
        case kind::cycles:
            c.value = num(r->value) + note(path + " " + key, r->note);
            if (path != "direct" && have_direct) {
                const double ratio = r->value / d->value;
                c.vs_direct = fmt::format("{:.2f}x", ratio);
                c.met = ratio >= m.target;
            }
            break;
        case kind::memory:
            // aux: sessions established; the target counts only if all of them were.
            c.value = num(r->value) + note(path + " " + key, r->note);
            if (const double wanted = key == "mem1k" ? 1000 : 10000; r->aux >= wanted) {
                c.met = r->value <= m.target;
            } else if (r->value <= m.target) {
                c.met_text = fmt::format("per session yes, but only {} opened", thousands(r->aux));
            } else {
                c.met = false;
            }
            break;
        case kind::sessions:
            c.value = thousands(r->value) + note(path + " " + key, r->note);
            if (r->aux >= m.target || r->aux == 0) {
                c.met = r->value >= m.target;
            } else { // aux: sessions tried (fewer with --quick)
                c.met_text = fmt::format("not judged: {} tried", thousands(r->aux));
            }
            break;
        case kind::losses:
            c.value = fmt::format("{} of {}", num(r->value), num(r->aux)) +
                      note(path + " " + key, r->note);
            c.met = r->value == 0 && r->aux > 0;
            break;
        default:
            break;
        }
        if (path == "direct") {
            c.vs_direct.clear();
        }
        return c;
    }

    cell latency_cell(const metric& m, const std::string& path) {
        cell c;
        const std::string k50 = std::string(m.key) + "_p50";
        const std::string k99 = std::string(m.key) + "_p99";
        const auto* p50 = t_.find(k50, path);
        const auto* p99 = t_.find(k99, path);
        if (!p50 || !p99) {
            return plain("not run");
        }
        if (std::isnan(p50->value) || std::isnan(p99->value)) {
            c.value = "failed" + note(path + " " + m.key, p50->note);
            return c;
        }
        c.value = fmt::format("{} / {}", num(p50->value), num(p99->value)) +
                  note(path + " " + m.key, p50->note);
        const auto* d50 = t_.find(k50, "direct");
        const auto* d99 = t_.find(k99, "direct");
        if (path != "direct" && d50 && d99 && !std::isnan(d50->value) && !std::isnan(d99->value)) {
            const double a = p50->value - d50->value;
            const double b = p99->value - d99->value;
            c.vs_direct = fmt::format("{} / {} µs", signed_us(a), signed_us(b));
            if (!std::isnan(m.target)) {
                c.met = a <= m.target;
            }
        }
        return c;
    }

    table t_;
    std::vector<std::string> notes_;
};

std::optional<double> to_double(const std::string& s) {
    if (s == "nan") {
        return NAN;
    }
    try {
        std::size_t used = 0;
        double v = std::stod(s, &used);
        if (used != s.size()) {
            return std::nullopt;
        }
        return v;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

} // namespace

bool append_result(const std::string& file, const result_row& row) {
    std::ofstream out(file, std::ios::app);
    if (!out) {
        return false;
    }
    out << clean(row.key) << '\t' << clean(row.path) << '\t'
        << (std::isnan(row.value) ? std::string("nan") : fmt::format("{}", row.value)) << '\t'
        << fmt::format("{}", row.aux) << '\t' << clean(row.note) << '\n';
    return static_cast<bool>(out);
}

std::vector<result_row> parse_results(std::string_view text) {
    std::vector<result_row> rows;
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::size_t start = 0;
        for (int i = 0; i < 4; ++i) {
            const auto tab = line.find('\t', start);
            if (tab == std::string::npos) {
                break;
            }
            f.push_back(line.substr(start, tab - start));
            start = tab + 1;
        }
        if (f.size() != 4) {
            continue;
        }
        f.push_back(line.substr(start));
        auto value = to_double(f[2]);
        auto aux = to_double(f[3]);
        if (!value || !aux) {
            continue;
        }
        rows.push_back({f[0], f[1], *value, *aux, f[4]});
    }
    return rows;
}

std::string render_report(const std::vector<result_row>& rows) {
    return renderer(rows).render();
}

} // namespace vncgate_bench
