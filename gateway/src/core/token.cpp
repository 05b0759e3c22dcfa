// Token plugins TokenFile, ReadOnlyTokenFile and TokenFileName, and the token file parser.
#include "core/token.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <mutex>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace vncgate::core {

namespace {

constexpr std::string_view plugin_prefix = "websockify.token_plugins.";
// Token files are small; refuse anything larger rather than read it into memory.
constexpr std::size_t max_token_file_size = 16u << 20;
// A TokenFileName file holds one target.
constexpr std::size_t max_target_file_size = 4096;
constexpr std::size_t max_file_name = 255;

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_space(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

std::string errno_text(int err) {
    return std::generic_category().message(err);
}

// Reads a whole regular file of at most `limit` bytes. Throws config_error naming the file.
std::string read_regular_file(const std::string& path, std::size_t limit) {
    // O_NONBLOCK: opening a FIFO put in place of the file must not hang the caller.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        throw config_error("cannot open " + path + ": " + errno_text(errno));
    }
    struct closer {
        int fd;
        ~closer() { ::close(fd); }
    } guard{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        throw config_error("cannot read " + path + ": " + errno_text(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        throw config_error(path + " is not a regular file");
    }
    if (static_cast<std::uint64_t>(st.st_size) > limit) {
        throw config_error(path + " is larger than " + std::to_string(limit) + " bytes");
    }
    std::string data;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw config_error("cannot read " + path + ": " + errno_text(errno));
        }
        if (n == 0) {
            break;
        }
        data.append(buf, static_cast<std::size_t>(n));
        if (data.size() > limit) {
            throw config_error(path + " is larger than " + std::to_string(limit) + " bytes");
        }
    }
    return data;
}

// What a token source looked like when it was read: a change means it must be read again.
struct file_stamp {
    std::string path;
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    std::int64_t mtime_ns = 0;
    std::int64_t ctime_ns = 0;
    bool operator==(const file_stamp&) const = default;
};

std::int64_t nanoseconds(const struct timespec& ts) {
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

file_stamp make_stamp(std::string path, const struct stat& st) {
    return file_stamp{
        std::move(path),        st.st_dev, st.st_ino, st.st_size, nanoseconds(st.st_mtim),
        nanoseconds(st.st_ctim)};
}

// Lists the files making up `source`: itself if it is a regular file, or the regular files
// (symlinks followed, hidden files skipped) in it if it is a directory, sorted by name.
// Throws config_error if the source is missing, unreadable, or neither a file nor a directory.
std::vector<file_stamp> stamp_source(const std::string& source) {
    struct stat st {};
    if (::stat(source.c_str(), &st) != 0) {
        throw config_error("token source " + source + ": " + errno_text(errno));
    }
    std::vector<file_stamp> stamps;
    if (S_ISREG(st.st_mode)) {
        stamps.push_back(make_stamp(source, st));
        return stamps;
    }
    if (!S_ISDIR(st.st_mode)) {
        throw config_error("token source " + source + " is neither a file nor a directory");
    }
    std::error_code ec;
    std::filesystem::directory_iterator it(source, ec);
    if (ec) {
        throw config_error("token source " + source + ": " + ec.message());
    }
    for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (name.empty() || name.front() == '.') {
            continue; // editors' swap and backup files
        }
        std::string path = it->path().string();
        struct stat entry {};
        if (::stat(path.c_str(), &entry) == 0 && S_ISREG(entry.st_mode)) {
            stamps.push_back(make_stamp(std::move(path), entry));
        }
    }
    if (ec) {
        throw config_error("token source " + source + ": " + ec.message());
    }
    std::sort(stamps.begin(), stamps.end(),
              [](const file_stamp& a, const file_stamp& b) { return a.path < b.path; });
    return stamps;
}

// Reads and parses the files of a source. A file that cannot be read is fatal when it is the
// source itself (throws config_error), and skipped with a warning when it is in a directory.
token_table load_source(const std::string& source, const std::vector<file_stamp>& stamps) {
    const bool single_file = stamps.size() == 1 && stamps.front().path == source;
    token_table table;
    std::vector<std::string> errors;
    for (const auto& stamp : stamps) {
        std::string text;
        try {
            text = read_regular_file(stamp.path, max_token_file_size);
        } catch (const config_error& e) {
            if (single_file) {
                throw;
            }
            spdlog::warn("token source: skipping {}", e.what());
            continue;
        }
        parse_token_file(text, stamp.path, table, errors);
    }
    for (const auto& error : errors) {
        spdlog::warn("token file syntax error: {}", error);
    }
    return table;
}

// TokenFile and ReadOnlyTokenFile: a token file or a directory of them.
class token_file_resolver : public target_resolver {
public:
    token_file_resolver(std::string name, std::string source, bool watch)
        : name_(std::move(name)), source_(std::move(source)), watch_(watch) {
        std::lock_guard lock(mutex_);
        load_locked();
    }

    std::optional<target> lookup(std::string_view token) override {
        std::lock_guard lock(mutex_);
        if (watch_) {
            // websockify's TokenFile re-reads its source on every lookup; a stat of each file
            // tells whether that is needed.
            try {
                auto stamps = stamp_source(source_);
                if (broken_ || stamps != stamps_) {
                    load_locked(std::move(stamps), spdlog::level::debug);
                }
            } catch (const config_error& e) {
                if (!broken_) {
                    spdlog::warn("{}: {}; refusing all tokens until it can be read", name_,
                                 e.what());
                }
                broken_ = true;
            }
            if (broken_) {
                return std::nullopt;
            }
        }
        auto it = table_.find(token);
        if (it == table_.end()) {
            return std::nullopt;
        }
        return it->second;
    }

    void reload() override {
        std::lock_guard lock(mutex_);
        load_locked();
    }

private:
    void load_locked() { load_locked(stamp_source(source_), spdlog::level::info); }

    // Replaces the table, or throws config_error and keeps the old one.
    void load_locked(std::vector<file_stamp> stamps, spdlog::level::level_enum level) {
        token_table table = load_source(source_, stamps);
        spdlog::log(level, "{}: {} token(s) from {}", name_, table.size(), source_);
        table_ = std::move(table);
        stamps_ = std::move(stamps);
        broken_ = false;
    }

    const std::string name_;
    const std::string source_;
    const bool watch_;
    std::mutex mutex_;
    token_table table_;
    std::vector<file_stamp> stamps_;
    bool broken_ = false; // TokenFile: the source could not be read at the last lookup
};

// Throws config_error unless `dir` is a readable directory.
void check_directory(const std::string& dir) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
        throw config_error("TokenFileName source " + dir + ": " + errno_text(errno));
    }
    if (!S_ISDIR(st.st_mode)) {
        throw config_error("TokenFileName source " + dir + " is not a directory");
    }
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec);
    if (ec) {
        throw config_error("TokenFileName source " + dir + ": " + ec.message());
    }
}

// TokenFileName: the token names a file in a directory; the file holds the target.
class token_file_name_resolver : public target_resolver {
public:
    explicit token_file_name_resolver(std::string dir) : dir_(std::move(dir)) {
        check_directory(dir_);
    }

    std::optional<target> lookup(std::string_view token) override {
        if (!is_safe_token_file_name(token)) {
            return std::nullopt;
        }
        std::string path = dir_ + "/" + std::string(token);
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            if (errno != ENOENT && errno != ENOTDIR) {
                // The path holds the token, a secret: name only the directory.
                spdlog::warn("TokenFileName: cannot read a token file in {}: {}", dir_,
                             errno_text(errno));
            }
            return std::nullopt;
        }
        if (!S_ISREG(st.st_mode)) {
            return std::nullopt;
        }
        try {
            std::string text = read_regular_file(path, max_target_file_size);
            return parse_target(trim(text));
        } catch (const config_error& e) {
            std::string why = e.what();
            // read_regular_file's messages contain the path, hence the token: keep them out.
            if (why.find(path) != std::string::npos) {
                why = "it cannot be read";
            }
            spdlog::warn("TokenFileName: a token file in {} is unusable: {}", dir_, why);
            return std::nullopt;
        }
    }

    void reload() override { check_directory(dir_); }

private:
    const std::string dir_;
};

} // namespace

bool is_safe_token_file_name(std::string_view token) {
    if (token.empty() || token.size() > max_file_name || token == "." || token == "..") {
        return false;
    }
    return std::none_of(token.begin(), token.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return c == '/' || c == '\\' || u < 0x20 || u == 0x7f;
    });
}

void parse_token_file(std::string_view text, std::string_view filename,
                      std::map<std::string, target, std::less<>>& out,
                      std::vector<std::string>& errors) {
    std::size_t line_number = 0;
    auto report = [&](std::string_view why) {
        errors.push_back(std::string(filename) + ":" + std::to_string(line_number) + ": " +
                         std::string(why));
    };
    std::size_t pos = 0;
    while (pos < text.size()) {
        // Lines end in "\n", "\r\n" or a lone "\r", as Python's text files read them.
        std::size_t end = text.find_first_of("\r\n", pos);
        std::string_view raw =
            text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        if (end == std::string_view::npos) {
            pos = text.size();
        } else if (text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') {
            pos = end + 2;
        } else {
            pos = end + 1;
        }
        ++line_number;

        std::string_view line = trim(raw);
        if (line.empty() || line.front() == '#') {
            continue;
        }
        // The separator is ':' then one whitespace character, as websockify's re.split(':\s').
        std::size_t separators = 0;
        std::size_t first = std::string_view::npos;
        for (std::size_t i = 0; i + 1 < line.size();) {
            if (line[i] == ':' && is_space(line[i + 1])) {
                if (separators++ == 0) {
                    first = i;
                }
                i += 2;
            } else {
                ++i;
            }
        }
        if (separators == 0) {
            report("expected 'token: host:port' or 'token: unix_socket:/path'");
            continue;
        }
        if (separators > 1) {
            report("more than one ': ' in the line (expected 'token: host:port')");
            continue;
        }
        std::string_view token = trim(line.substr(0, first));
        std::string_view target_text = trim(line.substr(first + 2));
        if (token.empty()) {
            report("empty token");
            continue;
        }
        try {
            out.insert_or_assign(std::string(token), parse_target(target_text));
        } catch (const config_error& e) {
            report(e.what());
        }
    }
}

std::unique_ptr<target_resolver> make_token_plugin(std::string_view name,
                                                   const std::string& source) {
    std::string_view shortname = name;
    if (shortname.substr(0, plugin_prefix.size()) == plugin_prefix) {
        shortname.remove_prefix(plugin_prefix.size());
    }
    if (shortname != "TokenFile" && shortname != "ReadOnlyTokenFile" &&
        shortname != "TokenFileName") {
        throw config_error("token plugin '" + std::string(name) +
                           "' is not supported: vncgate implements TokenFile, ReadOnlyTokenFile "
                           "and TokenFileName");
    }
    if (source.empty()) {
        throw config_error("token plugin " + std::string(shortname) +
                           " needs a source (--token-source)");
    }
    if (shortname == "TokenFileName") {
        return std::make_unique<token_file_name_resolver>(source);
    }
    return std::make_unique<token_file_resolver>(std::string(shortname), source,
                                                 shortname == "TokenFile");
}

} // namespace vncgate::core
