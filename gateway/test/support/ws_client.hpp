// A well-behaved WebSocket client (Boost.Beast behind this Beast-free interface) for the
// integration tests: ws:// and wss:// over TCP, ws:// over a Unix socket. Every operation has a
// timeout; a timed-out operation fails the connection (it is closed).
#pragma once

#include "support/payload.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vncgate::test {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

struct ws_connect_options {
    std::string target = "/"; // request target, e.g. "/websockify?token=abc"
    std::string host;         // Host header; default "HOST:PORT" of the connection
    std::vector<std::string> subprotocols{"binary"}; // offered; empty: no header at all
    bool tls = false;                                // wss (self-signed certificates are accepted)
    // Beast can split outgoing messages into 4 KiB frames; browsers send one frame per message.
    bool auto_fragment = false;
    milliseconds timeout = 10s; // for connect + handshake
};

// How the WebSocket connection ended as seen by the client.
struct ws_close_info {
    bool close_frame = false; // a close frame arrived from the gateway
    int code = 0;             // its status code (1005: frame without a code)
    std::string reason;
    std::string error; // without a close frame: how the connection ended (e.g. "end of stream")
    std::string describe() const;
};

// The upgrade was answered with something other than 101.
class ws_handshake_error : public std::runtime_error {
public:
    ws_handshake_error(const std::string& what, int status, std::string body)
        : std::runtime_error(what), status(status), body(std::move(body)) {}
    int status; // 0 if no HTTP response arrived at all
    std::string body;
};

struct ws_receive_result {
    std::uint64_t bytes = 0;
    std::size_t messages = 0;            // completed messages
    std::size_t text_messages = 0;       // the gateway must only send binary messages
    std::optional<ws_close_info> closed; // set if the connection ended
    bool timed_out = false;
    std::string describe() const;
};

struct ws_duplex_result {
    ws_receive_result received;
    std::uint64_t sent = 0;
    std::string send_error; // empty if every message was written
};

using data_callback = std::function<void(std::span<const std::uint8_t>)>;

constexpr std::uint64_t until_close = UINT64_MAX;

class ws_client {
public:
    // Connects and performs the upgrade. Throws ws_handshake_error if the server answered with
    // another status, std::runtime_error on any other failure.
    static std::unique_ptr<ws_client> connect(const std::string& host, std::uint16_t port,
                                              const ws_connect_options& opts = {});
    static std::unique_ptr<ws_client> connect_unix(const std::string& path,
                                                   const ws_connect_options& opts = {});
    virtual ~ws_client() = default;

    // A header of the 101 response (empty if absent).
    virtual std::string response_header(const std::string& name) const = 0;

    // Each send writes one complete message; throws std::runtime_error on failure.
    virtual void send_binary(std::span<const std::uint8_t> data, milliseconds timeout = 30s) = 0;
    virtual void send_text(std::string_view text, milliseconds timeout = 10s) = 0;
    // One message written as frames of the given sizes (which must add up to data.size()).
    virtual void send_fragmented(std::span<const std::uint8_t> data,
                                 const std::vector<std::size_t>& frame_sizes, bool binary,
                                 milliseconds timeout = 10s) = 0;

    // Reads until `n` data bytes arrived (never more), the connection ended, or the timeout.
    // Every chunk goes to on_data.
    virtual ws_receive_result receive(std::uint64_t n, milliseconds timeout,
                                      const data_callback& on_data) = 0;
    // Reads exactly n bytes and returns them; throws std::runtime_error if they do not arrive.
    std::vector<std::uint8_t> receive_bytes(std::size_t n, milliseconds timeout = 10s);
    // Reads (and collects into data, if given) until the gateway closes the connection.
    ws_close_info receive_until_close(milliseconds timeout,
                                      std::vector<std::uint8_t>* data = nullptr);

    // Sends `plan` messages with bytes of payload `out` while receiving up to recv_n bytes
    // (until_close: until the connection ends); both at once, so that neither side stalls.
    virtual ws_duplex_result duplex(const payload& out, const std::vector<std::size_t>& plan,
                                    std::uint64_t recv_n, milliseconds timeout,
                                    const data_callback& on_data) = 0;

    // Sends a close frame and waits for the gateway's close frame (data in between is dropped).
    virtual ws_close_info close(int code = 1000, std::string_view reason = "",
                                milliseconds timeout = 10s) = 0;
    // Closes the TCP connection without a close frame (FIN), or with an RST.
    virtual void drop() = 0;
    virtual void abort() = 0;
};

} // namespace vncgate::test
