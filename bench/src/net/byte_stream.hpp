// The client side of one connection, as a byte stream: the same interface over raw TCP
// (direct path) and over WebSocket (gateways), so every measurement drives all paths alike.
// Beast stays behind this header; only ws_stream.cpp instantiates it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <memory>

namespace vncgate_bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class byte_stream {
public:
    virtual ~byte_stream() = default;

    // Connects (TCP_NODELAY) and, for WebSocket, completes the opening handshake.
    // Throws boost::system::system_error.
    virtual asio::awaitable<void> open(tcp::endpoint ep) = 0;

    // Sends all of `data`: for WebSocket as one binary message. Throws system_error.
    virtual asio::awaitable<void> send(asio::const_buffer data) = 0;

    // Reads at least one byte into `buf`. Returns 0 when the peer ended the stream (TCP EOF
    // or reset, WebSocket close frame or lost connection); ended_cleanly() then tells which.
    // Throws system_error on other errors, including abort().
    virtual asio::awaitable<std::size_t> receive(asio::mutable_buffer buf) = 0;

    // Ends the stream gracefully (WebSocket close handshake, or TCP FIN) and waits for the
    // peer's end, discarding data that still arrives. Throws system_error.
    virtual asio::awaitable<void> close() = 0;

    // Closes the socket now; pending operations complete with an error. Never throws.
    virtual void abort() noexcept = 0;

    // After receive() returned 0: true for a WebSocket close frame or a TCP FIN, false for a
    // WebSocket connection lost without close frame or a TCP reset.
    virtual bool ended_cleanly() const noexcept = 0;
};

struct stream_options {
    bool websocket = false;
    bool subprotocol_binary = true;  // offer "Sec-WebSocket-Protocol: binary"
    std::size_t write_buffer = 4096; // WebSocket masking buffer: 64 KiB for bulk, small for many
};

std::unique_ptr<byte_stream> make_tcp_stream(const asio::any_io_executor& ex);
std::unique_ptr<byte_stream> make_ws_stream(const asio::any_io_executor& ex,
                                            const stream_options& opt);

inline std::unique_ptr<byte_stream> make_stream(const asio::any_io_executor& ex,
                                                const stream_options& opt) {
    return opt.websocket ? make_ws_stream(ex, opt) : make_tcp_stream(ex);
}

} // namespace vncgate_bench
