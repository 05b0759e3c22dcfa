#include "core/ws_frame.hpp"

namespace vncgate::core {

std::size_t binary_frame_header(std::array<std::uint8_t, max_server_frame_header>& out,
                                std::uint64_t payload_size) {
    out[0] = 0x82; // FIN, opcode 2 (binary)
    if (payload_size < 126) {
        out[1] = static_cast<std::uint8_t>(payload_size); // mask bit clear
        return 2;
    }
    if (payload_size <= 0xffff) {
        out[1] = 126;
        out[2] = static_cast<std::uint8_t>(payload_size >> 8);
        out[3] = static_cast<std::uint8_t>(payload_size);
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; ++i)
        out[2 + i] = static_cast<std::uint8_t>(payload_size >> (56 - 8 * i));
    return 10;
}

} // namespace vncgate::core
