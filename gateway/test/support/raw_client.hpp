// Raw byte-level clients for the gateway: a TCP/Unix socket (optionally TLS via OpenSSL) with
// timed reads, a hand-rolled HTTP/1.1 request/response reader, and hand-built WebSocket frames,
// for the cases a well-behaved client library cannot produce (fragments, coalesced frames,
// unmasked frames, malformed requests).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vncgate::test {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

enum class read_result { data, eof, timeout, error };
const char* to_string(read_result r);

struct tls_client_options {
    int min_version = 0; // e.g. TLS1_2_VERSION; 0 = library default
    int max_version = 0;
    // Lets the client offer old protocol versions at all (OpenSSL's default security level
    // refuses TLS 1.1 on the client side before anything is sent).
    bool allow_legacy = false;
};

class raw_socket {
public:
    raw_socket() = default;
    ~raw_socket();
    raw_socket(raw_socket&& other) noexcept;
    raw_socket& operator=(raw_socket&& other) noexcept;

    // Throws std::runtime_error if the connection cannot be made.
    static raw_socket connect_tcp(const std::string& host, std::uint16_t port);
    static raw_socket connect_unix(const std::string& path);

    // TLS client handshake on the connected socket. On failure returns false and sets error
    // to OpenSSL's reason (the socket is then unusable).
    bool start_tls(const tls_client_options& opts, std::string& error);
    // The negotiated protocol, e.g. "TLSv1.3" (empty without TLS).
    std::string tls_version() const;

    bool is_open() const { return fd_ >= 0; }
    int fd() const { return fd_; }

    // Sends everything; false if the peer is gone (or the send timed out after 10 s).
    bool send_all(std::span<const std::uint8_t> data);
    bool send_all(std::string_view s);
    // Sends data in pieces of `piece` bytes with a short pause between them, so that the peer
    // sees separate TCP segments.
    bool send_in_pieces(std::span<const std::uint8_t> data, std::size_t piece,
                        milliseconds pause = 2ms);

    // Reads whatever arrives (buffered bytes first) into out (appending).
    read_result read_some(std::vector<std::uint8_t>& out, milliseconds timeout);
    // Reads exactly n bytes; fewer on EOF/timeout/error (the result says which).
    read_result read_exact(std::size_t n, std::vector<std::uint8_t>& out, milliseconds timeout);
    // Reads until `delim` has been seen, or max bytes; everything after delim stays buffered.
    read_result read_until(std::string_view delim, std::string& out, std::size_t max,
                           milliseconds timeout);
    // Reads and discards until the peer closes (EOF or reset). Returns eof, error (reset) or
    // timeout; the discarded bytes go to `rest` if given.
    read_result wait_closed(milliseconds timeout, std::vector<std::uint8_t>* rest = nullptr);

    // Half-close (FIN) and full close.
    void shutdown_write();
    void close();
    // Close with RST (SO_LINGER 0): the peer sees a reset, no close frame, no FIN.
    void abort();

private:
    read_result fill(milliseconds timeout);

    int fd_ = -1;
    void* ssl_ctx_ = nullptr;
    void* ssl_ = nullptr;
    std::vector<std::uint8_t> buffer_;
};

struct http_response {
    int status = 0;
    std::string status_line;
    std::multimap<std::string, std::string> headers; // names in lower case
    std::string body;
    read_result end = read_result::data; // how reading ended (eof/timeout/error if it failed)

    // First value of a header (name in any case), or empty.
    std::string header(const std::string& name) const;
    bool has_header(const std::string& name) const;
};

// Reads one HTTP/1.1 response (head; then body by Content-Length, chunked, or until close).
// For HEAD requests and 1xx/204/304 responses no body is read. status == 0 if no complete
// response head arrived.
http_response read_http_response(raw_socket& s, bool head_request, milliseconds timeout = 10s);

// Sends `request` verbatim and reads the response.
http_response http_exchange(raw_socket& s, std::string_view request, bool head_request = false,
                            milliseconds timeout = 10s);

// A simple request: "METHOD target HTTP/1.1", Host, the extra header lines (each ending in
// \r\n), Connection: close.
std::string http_request(std::string_view method, std::string_view target, std::string_view host,
                         std::string_view extra_headers = "");

// ---- WebSocket frames by hand ----

enum ws_opcode : std::uint8_t {
    op_continuation = 0x0,
    op_text = 0x1,
    op_binary = 0x2,
    op_close = 0x8,
    op_ping = 0x9,
    op_pong = 0xA,
};

struct ws_frame {
    bool fin = true;
    std::uint8_t rsv = 0; // the three RSV bits, as bits 2..0
    std::uint8_t opcode = 0;
    bool masked = false;
    std::vector<std::uint8_t> payload; // unmasked

    // For close frames: the status code (or 1005 if none) and the reason.
    int close_code() const;
    std::string close_reason() const;
};

// Encodes one frame. With a mask key the payload is masked (as clients must); without one the
// frame is sent unmasked (which a server must reject).
std::vector<std::uint8_t> encode_frame(std::uint8_t opcode, bool fin,
                                       std::span<const std::uint8_t> payload,
                                       std::optional<std::uint32_t> mask_key);
std::vector<std::uint8_t> encode_close(int code, std::string_view reason, std::uint32_t mask_key);

// Sends a WebSocket upgrade request for `target` with a random key and checks the 101 response
// (status, Upgrade, Connection, Sec-WebSocket-Accept). Returns the response; throws
// std::runtime_error if the upgrade was not accepted.
http_response ws_upgrade(raw_socket& s, std::string_view target, std::string_view host,
                         std::string_view protocols = "binary");

// Reads one frame; nullopt with `result` set on EOF/timeout/error.
std::optional<ws_frame> read_frame(raw_socket& s, milliseconds timeout,
                                   read_result* result = nullptr);

// What a raw WebSocket client collected from the server until it stopped reading.
struct ws_transcript {
    std::vector<std::uint8_t> data;   // payload of data frames, in order
    std::vector<ws_frame> bad_frames; // masked, RSV set, text, or other unexpected data frames
    std::optional<ws_frame> close;    // the close frame, if one came
    std::size_t pings = 0;
    read_result end = read_result::data; // data: stopped because `want` bytes arrived
};

// Reads frames until `want` data bytes arrived, a close frame came, or the connection ended.
// Pings are answered with pongs.
ws_transcript read_ws(raw_socket& s, std::size_t want, milliseconds timeout,
                      std::uint32_t mask_key = 0x5a5a5a5a);

} // namespace vncgate::test
