// WebSocket frame headers the relay writes itself (when it sends data with splice(2) rather than
// through Beast): pure code, no sockets.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace vncgate::core {

// The longest header a server frame has: 2 bytes, then a 64-bit length (RFC 6455 section 5.2).
inline constexpr std::size_t max_server_frame_header = 10;

// Writes the header of a final, unmasked binary frame (what a server sends) carrying
// `payload_size` bytes, with the shortest length encoding, and returns its length (2, 4 or 10).
std::size_t binary_frame_header(std::array<std::uint8_t, max_server_frame_header>& out,
                                std::uint64_t payload_size);

} // namespace vncgate::core
