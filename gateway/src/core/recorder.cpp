// websockify-compatible session recorder (--record FILE -> FILE.<session number>).
#include "core/recorder.hpp"

#include <cerrno>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <system_error>
#include <unistd.h>

namespace vncgate::core {

namespace {

// Buffered lines are written out once they reach this size.
constexpr std::size_t flush_threshold = 64 * 1024;

} // namespace

std::string escape_record_data(std::span<const std::uint8_t> bytes) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (std::uint8_t b : bytes) {
        switch (b) {
        case '\\':
            out += "\\\\";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\'':
            out += "\\'";
            break;
        default:
            if (b >= 0x20 && b <= 0x7e) {
                out += static_cast<char>(b);
            } else {
                out += "\\x";
                out += hex[b >> 4];
                out += hex[b & 0xf];
            }
        }
    }
    return out;
}

std::unique_ptr<recorder> recorder::open(const std::string& base, std::uint64_t session_id) {
    std::string path = base + "." + std::to_string(session_id);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        spdlog::warn("cannot record the session to {}: {}", path,
                     std::generic_category().message(errno));
        return nullptr;
    }
    try {
        return std::unique_ptr<recorder>(new recorder(fd, std::move(path)));
    } catch (const std::exception&) {
        ::close(fd);
        spdlog::warn("cannot record a session: out of memory");
        return nullptr;
    }
}

recorder::recorder(int fd, std::string path)
    : fd_(fd), path_(std::move(path)), start_(std::chrono::steady_clock::now()) {
    spdlog::info("recording the session to {}", path_);
    buffer_ = "var VNC_frame_data = [\n";
}

void recorder::from_target(std::span<const std::uint8_t> data) {
    record('{', data);
}

void recorder::from_client(std::span<const std::uint8_t> data) {
    record('}', data);
}

void recorder::record(char mark, std::span<const std::uint8_t> data) {
    if (failed_) {
        return;
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start_)
                  .count();
    try {
        buffer_ += '\'';
        buffer_ += mark;
        buffer_ += std::to_string(ms);
        buffer_ += mark;
        buffer_ += escape_record_data(data);
        buffer_ += "',\n";
    } catch (const std::exception&) {
        // Out of memory for a huge frame: give up the recording, not the session.
        failed_ = true;
        buffer_.clear();
        spdlog::warn("recording to {} stopped: out of memory", path_);
        return;
    }
    if (buffer_.size() >= flush_threshold) {
        write_out();
    }
}

void recorder::flush() {
    if (!failed_) {
        write_out();
    }
}

void recorder::write_out() {
    std::size_t done = 0;
    while (done < buffer_.size()) {
        ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            failed_ = true;
            spdlog::warn("recording to {} stopped: {}", path_,
                         std::generic_category().message(errno));
            buffer_.clear();
            buffer_.shrink_to_fit();
            return;
        }
        done += static_cast<std::size_t>(n);
    }
    buffer_.clear();
}

recorder::~recorder() {
    if (!failed_) {
        try {
            buffer_ += "'EOF'];\n";
        } catch (const std::exception&) {
            // The lines already buffered are still written; only the terminator is missing.
        }
        write_out();
    }
    if (::close(fd_) != 0 && !failed_) {
        spdlog::warn("recording to {}: closing failed: {}", path_,
                     std::generic_category().message(errno));
    }
}

} // namespace vncgate::core
