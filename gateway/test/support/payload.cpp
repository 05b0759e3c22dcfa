// Deterministic payload streams, SHA-256 and message plans for the integration tests.
#include "support/payload.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <openssl/evp.h>
#include <random>
#include <stdexcept>

namespace vncgate::test {

namespace {

std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::uint64_t block(std::uint64_t seed, std::uint64_t index) {
    return splitmix64(seed * 0xd1342543de82ef95ULL + index);
}

} // namespace

void payload::fill(std::uint64_t offset, std::span<std::uint8_t> out) const {
    std::size_t i = 0;
    while (i < out.size()) {
        std::uint64_t pos = offset + i;
        std::uint64_t word = block(seed_, pos / 8);
        std::size_t in_word = pos % 8;
        std::size_t n = std::min<std::size_t>(8 - in_word, out.size() - i);
        for (std::size_t k = 0; k < n; ++k) {
            out[i + k] = static_cast<std::uint8_t>(word >> (8 * (in_word + k)));
        }
        i += n;
    }
}

std::vector<std::uint8_t> payload::bytes(std::uint64_t offset, std::size_t n) const {
    std::vector<std::uint8_t> v(n);
    fill(offset, v);
    return v;
}

sha256::sha256() : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ == nullptr ||
        EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("EVP_DigestInit_ex failed");
    }
}

sha256::~sha256() {
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
}

void sha256::update(std::span<const std::uint8_t> data) {
    EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
}

std::string sha256::hex() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md.data(), &len);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += digits[md[i] >> 4];
        out += digits[md[i] & 15];
    }
    return out;
}

std::string payload_sha256(const payload& p, std::uint64_t n) {
    sha256 h;
    std::vector<std::uint8_t> chunk(1 << 16);
    for (std::uint64_t off = 0; off < n; off += chunk.size()) {
        std::size_t len = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), n - off));
        p.fill(off, std::span(chunk.data(), len));
        h.update(std::span(chunk.data(), len));
    }
    return h.hex();
}

void stream_checker::feed(std::span<const std::uint8_t> chunk) {
    if (first_mismatch_ < 0 && !chunk.empty()) {
        scratch_.resize(chunk.size());
        expected_.fill(received_, scratch_);
        if (std::memcmp(scratch_.data(), chunk.data(), chunk.size()) != 0) {
            auto it = std::mismatch(chunk.begin(), chunk.end(), scratch_.begin());
            first_mismatch_ = static_cast<std::int64_t>(received_) + (it.first - chunk.begin());
        }
    }
    received_ += chunk.size();
}

std::string stream_checker::describe(std::uint64_t expected_size) const {
    std::string s =
        "received " + std::to_string(received_) + " of " + std::to_string(expected_size) + " bytes";
    if (first_mismatch_ >= 0) {
        s += ", first wrong byte at offset " + std::to_string(first_mismatch_);
    } else {
        s += ", no wrong byte";
    }
    return s;
}

std::vector<std::size_t> message_plan(std::uint64_t total, std::size_t max_message,
                                      std::uint64_t seed) {
    static constexpr std::array<std::size_t, 7> boundaries{0, 1, 125, 126, 127, 65535, 65536};
    std::mt19937_64 rng(seed);
    std::vector<std::size_t> plan;
    std::uint64_t left = total;
    std::size_t step = 0;
    while (left > 0) {
        std::size_t size = 0;
        if (step % 5 == 0) {
            size = boundaries[(step / 5) % boundaries.size()];
        } else {
            // Mostly small and medium messages, sometimes up to the maximum.
            std::size_t cap =
                (rng() % 4 == 0) ? max_message : std::min<std::size_t>(max_message, 4096);
            size = 1 + static_cast<std::size_t>(rng() % cap);
        }
        size = static_cast<std::size_t>(std::min<std::uint64_t>({size, max_message, left}));
        plan.push_back(size);
        left -= size;
        ++step;
    }
    if (plan.empty()) {
        plan.push_back(0);
    }
    return plan;
}

std::string preview(std::span<const std::uint8_t> data, std::size_t max) {
    std::string s;
    static constexpr char digits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < data.size() && i < max; ++i) {
        unsigned char c = data[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            s += static_cast<char>(c);
        } else {
            s += "\\x";
            s += digits[c >> 4];
            s += digits[c & 15];
        }
    }
    if (data.size() > max) {
        s += "...(" + std::to_string(data.size()) + " bytes)";
    }
    return s;
}

} // namespace vncgate::test
