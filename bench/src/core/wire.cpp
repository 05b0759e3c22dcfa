// Encoding of the benchmark's request header and verdict (little endian, fixed size).
#include "core/wire.hpp"

#include <boost/endian/conversion.hpp>
#include <cstring>

namespace vncgate_bench {
namespace {

template <class T> void put(std::byte* at, T v) {
    v = boost::endian::native_to_little(v);
    std::memcpy(at, &v, sizeof v);
}

template <class T> T get(const std::byte* at) {
    T v;
    std::memcpy(&v, at, sizeof v);
    return boost::endian::little_to_native(v);
}

} // namespace

std::array<std::byte, request_size> encode(const request& r) {
    std::array<std::byte, request_size> b{};
    put<std::uint32_t>(b.data(), request_magic);
    put<std::uint32_t>(b.data() + 4, static_cast<std::uint32_t>(r.mode));
    put<std::uint64_t>(b.data() + 8, r.bytes);
    put<std::uint64_t>(b.data() + 16, r.seed);
    put<std::uint64_t>(b.data() + 24, r.id);
    return b;
}

std::optional<request> decode_request(std::span<const std::byte, request_size> b) {
    if (get<std::uint32_t>(b.data()) != request_magic) {
        return std::nullopt;
    }
    const auto mode = get<std::uint32_t>(b.data() + 4);
    if (mode < 1 || mode > 5) {
        return std::nullopt;
    }
    return request{static_cast<target_mode>(mode), get<std::uint64_t>(b.data() + 8),
                   get<std::uint64_t>(b.data() + 16), get<std::uint64_t>(b.data() + 24)};
}

std::array<std::byte, verdict_size> encode(const verdict& v) {
    std::array<std::byte, verdict_size> b{};
    put<std::uint64_t>(b.data(), v.found ? 1 : 0);
    put<std::uint64_t>(b.data() + 8, v.content_ok ? 1 : 0);
    put<std::uint64_t>(b.data() + 16, v.received);
    return b;
}

verdict decode_verdict(std::span<const std::byte, verdict_size> b) {
    return verdict{get<std::uint64_t>(b.data()) != 0, get<std::uint64_t>(b.data() + 8) != 0,
                   get<std::uint64_t>(b.data() + 16)};
}

} // namespace vncgate_bench
