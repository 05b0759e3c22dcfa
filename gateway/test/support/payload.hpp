// Deterministic test payloads: a seeded byte stream addressable at any offset, a checker that
// compares received bytes against it, SHA-256 digests and seeded message-size plans.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vncgate::test {

// An endless byte stream fully determined by its seed: byte i is the same whoever computes it, so
// a sender and a receiver can agree on gigabytes without storing them.
class payload {
public:
    explicit payload(std::uint64_t seed) : seed_(seed) {}

    // Writes bytes [offset, offset + out.size()) of the stream into out.
    void fill(std::uint64_t offset, std::span<std::uint8_t> out) const;

    // Returns bytes [offset, offset + n) of the stream.
    std::vector<std::uint8_t> bytes(std::uint64_t offset, std::size_t n) const;

    std::uint64_t seed() const { return seed_; }

private:
    std::uint64_t seed_;
};

// Incremental SHA-256 (OpenSSL).
class sha256 {
public:
    sha256();
    ~sha256();
    sha256(const sha256&) = delete;
    sha256& operator=(const sha256&) = delete;

    void update(std::span<const std::uint8_t> data);
    // Returns the lowercase hex digest; the object must not be updated afterwards.
    std::string hex();

private:
    void* ctx_;
};

// SHA-256 of bytes [0, n) of a payload stream.
std::string payload_sha256(const payload& p, std::uint64_t n);

// Compares a received byte stream, chunk by chunk, with the expected payload stream and remembers
// the first difference.
class stream_checker {
public:
    explicit stream_checker(payload expected) : expected_(expected) {}

    void feed(std::span<const std::uint8_t> chunk);

    std::uint64_t received() const { return received_; }
    // Offset of the first byte that differs from the payload, or -1 if none did.
    std::int64_t first_mismatch() const { return first_mismatch_; }
    // True if exactly n bytes arrived and all equal the payload.
    bool matches(std::uint64_t n) const { return first_mismatch_ < 0 && received_ == n; }
    std::string describe(std::uint64_t expected_size) const;

private:
    payload expected_;
    std::uint64_t received_ = 0;
    std::int64_t first_mismatch_ = -1;
    std::vector<std::uint8_t> scratch_;
};

// Splits `total` bytes into message sizes drawn from a seeded generator: mostly random sizes up to
// max_message, with frame-length boundaries (0, 1, 125, 126, 127, 65535, 65536) mixed in when they
// fit. The sizes add up to total exactly.
std::vector<std::size_t> message_plan(std::uint64_t total, std::size_t max_message,
                                      std::uint64_t seed);

// Printable rendering of the first bytes of a buffer, for failure messages.
std::string preview(std::span<const std::uint8_t> data, std::size_t max = 64);

inline std::span<const std::uint8_t> as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

inline std::string as_string(std::span<const std::uint8_t> b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

} // namespace vncgate::test
