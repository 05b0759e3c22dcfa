// Session recording in websockify's --record format, which noVNC's playback tools read.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace vncgate::core {

// Pure: escapes bytes as websockify does (each byte as a Latin-1 character, then Python's
// 'unicode_escape', then ' replaced by \'): \\ \t \n \r as escapes, printable ASCII 0x20-0x7e
// kept (with ' written \'), every other byte as \xNN in lowercase hex.
std::string escape_record_data(std::span<const std::uint8_t> bytes);

// Writes one session's frames to "<base>.<session_id>" as a JavaScript array:
//   var VNC_frame_data = [
//   '{MS{ESCAPED',      (data sent to the browser, MS = milliseconds since open)
//   '}MS}ESCAPED',      (data received from the browser)
//   'EOF'];
// Not thread-safe: use it from one session's strand. Output is buffered; a write failure stops
// the recording (warned once) and never disturbs the session.
class recorder {
public:
    // Creates (or truncates) "<base>.<session_id>" with mode 0600 (recordings hold keystrokes
    // and passwords) and starts the array. Returns nullptr (and logs a warning) when the file
    // cannot be created; never throws.
    static std::unique_ptr<recorder> open(const std::string& base, std::uint64_t session_id);

    // Records data sent to the browser: "'{MS{ESCAPED',\n".
    void from_target(std::span<const std::uint8_t> data);
    // Records data received from the browser: "'}MS}ESCAPED',\n".
    void from_client(std::span<const std::uint8_t> data);
    // Writes buffered lines to the file now.
    void flush();
    // True when a write failed (disk full...): recording stopped, warned once.
    bool failed() const { return failed_; }
    // The file's name.
    const std::string& path() const { return path_; }

    // Writes "'EOF'];\n" and closes the file.
    ~recorder();

    recorder(const recorder&) = delete;
    recorder& operator=(const recorder&) = delete;

private:
    recorder(int fd, std::string path);
    void record(char mark, std::span<const std::uint8_t> data);
    void write_out();

    int fd_;
    std::string path_;
    std::string buffer_;
    bool failed_ = false;
    std::chrono::steady_clock::time_point start_;
};

} // namespace vncgate::core
