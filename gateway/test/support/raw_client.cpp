// Raw socket, HTTP and hand-built WebSocket frame helpers for the integration tests.
#include "support/raw_client.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace vncgate::test {

namespace {

SSL* as_ssl(void* p) {
    return static_cast<SSL*>(p);
}

void set_timeout(int fd, int opt, milliseconds t) {
    if (t < 1ms) {
        t = 1ms;
    }
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(t.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((t.count() % 1000) * 1000);
    ::setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return std::string(s);
}

std::string base64(std::span<const std::uint8_t> data) {
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                            static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

} // namespace

const char* to_string(read_result r) {
    switch (r) {
    case read_result::data:
        return "data";
    case read_result::eof:
        return "EOF";
    case read_result::timeout:
        return "timeout";
    case read_result::error:
        return "error (reset)";
    }
    return "?";
}

raw_socket::~raw_socket() {
    close();
}

raw_socket::raw_socket(raw_socket&& o) noexcept
    : fd_(o.fd_), ssl_ctx_(o.ssl_ctx_), ssl_(o.ssl_), buffer_(std::move(o.buffer_)) {
    o.fd_ = -1;
    o.ssl_ctx_ = nullptr;
    o.ssl_ = nullptr;
}

raw_socket& raw_socket::operator=(raw_socket&& o) noexcept {
    if (this != &o) {
        close();
        std::swap(fd_, o.fd_);
        std::swap(ssl_ctx_, o.ssl_ctx_);
        std::swap(ssl_, o.ssl_);
        buffer_ = std::move(o.buffer_);
    }
    return *this;
}

raw_socket raw_socket::connect_tcp(const std::string& host, std::uint16_t port) {
    bool v6 = host.find(':') != std::string::npos;
    raw_socket s;
    s.fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s.fd_ < 0) {
        throw std::runtime_error("socket failed");
    }
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (v6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        ::inet_pton(AF_INET6, host.c_str(), &a->sin6_addr);
        len = sizeof *a;
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        ::inet_pton(AF_INET, host.c_str(), &a->sin_addr);
        len = sizeof *a;
    }
    if (::connect(s.fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        throw std::runtime_error("connect to " + host + ":" + std::to_string(port) +
                                 " failed: " + std::strerror(errno));
    }
    int one = 1;
    ::setsockopt(s.fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    set_timeout(s.fd_, SO_SNDTIMEO, 10s);
    return s;
}

raw_socket raw_socket::connect_unix(const std::string& path) {
    raw_socket s;
    s.fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    if (s.fd_ < 0 || ::connect(s.fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        throw std::runtime_error("connect to unix:" + path + " failed: " + std::strerror(errno));
    }
    set_timeout(s.fd_, SO_SNDTIMEO, 10s);
    return s;
}

bool raw_socket::start_tls(const tls_client_options& opts, std::string& error) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    ssl_ctx_ = ctx;
    if (opts.allow_legacy) {
        SSL_CTX_set_security_level(ctx, 0);
        SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
    }
    if (opts.min_version != 0) {
        SSL_CTX_set_min_proto_version(ctx, opts.min_version);
    }
    if (opts.max_version != 0) {
        SSL_CTX_set_max_proto_version(ctx, opts.max_version);
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr); // the test certificate is self-signed
    SSL* ssl = SSL_new(ctx);
    ssl_ = ssl;
    SSL_set_fd(ssl, fd_);
    SSL_set_tlsext_host_name(ssl, "localhost");
    set_timeout(fd_, SO_RCVTIMEO, 10s);
    ERR_clear_error();
    int rc = SSL_connect(ssl);
    if (rc != 1) {
        unsigned long e = ERR_get_error();
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        error = e != 0 ? buf
                       : "SSL_connect failed (SSL_get_error " +
                             std::to_string(SSL_get_error(ssl, rc)) + ", " + std::strerror(errno) +
                             ")";
        return false;
    }
    return true;
}

std::string raw_socket::tls_version() const {
    return ssl_ != nullptr ? SSL_get_version(as_ssl(ssl_)) : "";
}

bool raw_socket::send_all(std::span<const std::uint8_t> data) {
    std::size_t done = 0;
    while (done < data.size()) {
        long n = 0;
        if (ssl_ != nullptr) {
            n = SSL_write(as_ssl(ssl_), data.data() + done, static_cast<int>(data.size() - done));
        } else {
            n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) {
                continue;
            }
        }
        if (n <= 0) {
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

bool raw_socket::send_all(std::string_view s) {
    return send_all(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

bool raw_socket::send_in_pieces(std::span<const std::uint8_t> data, std::size_t piece,
                                milliseconds pause) {
    for (std::size_t off = 0; off < data.size(); off += piece) {
        if (!send_all(data.subspan(off, std::min(piece, data.size() - off)))) {
            return false;
        }
        std::this_thread::sleep_for(pause);
    }
    return true;
}

read_result raw_socket::fill(milliseconds timeout) {
    std::uint8_t buf[65536];
    set_timeout(fd_, SO_RCVTIMEO, timeout);
    for (;;) {
        long n = 0;
        if (ssl_ != nullptr) {
            n = SSL_read(as_ssl(ssl_), buf, sizeof buf);
            if (n <= 0) {
                int e = SSL_get_error(as_ssl(ssl_), static_cast<int>(n));
                if (e == SSL_ERROR_ZERO_RETURN) {
                    return read_result::eof;
                }
                if (e == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                    return read_result::timeout;
                }
                if (e == SSL_ERROR_WANT_READ) {
                    return read_result::timeout;
                }
                // A TCP FIN without close_notify also counts as the peer closing.
                return (e == SSL_ERROR_SYSCALL && errno == 0) ? read_result::eof
                                                              : read_result::error;
            }
        } else {
            n = ::recv(fd_, buf, sizeof buf, 0);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n == 0) {
                return read_result::eof;
            }
            if (n < 0) {
                return (errno == EAGAIN || errno == EWOULDBLOCK) ? read_result::timeout
                                                                 : read_result::error;
            }
        }
        buffer_.insert(buffer_.end(), buf, buf + n);
        return read_result::data;
    }
}

read_result raw_socket::read_some(std::vector<std::uint8_t>& out, milliseconds timeout) {
    if (buffer_.empty()) {
        read_result r = fill(timeout);
        if (r != read_result::data) {
            return r;
        }
    }
    out.insert(out.end(), buffer_.begin(), buffer_.end());
    buffer_.clear();
    return read_result::data;
}

read_result raw_socket::read_exact(std::size_t n, std::vector<std::uint8_t>& out,
                                   milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (buffer_.size() < n) {
        auto left =
            std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left <= 0ms) {
            return read_result::timeout;
        }
        read_result r = fill(left);
        if (r != read_result::data) {
            out.insert(out.end(), buffer_.begin(), buffer_.end());
            buffer_.clear();
            return r;
        }
    }
    out.insert(out.end(), buffer_.begin(), buffer_.begin() + static_cast<long>(n));
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(n));
    return read_result::data;
}

read_result raw_socket::read_until(std::string_view delim, std::string& out, std::size_t max,
                                   milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto it = std::search(buffer_.begin(), buffer_.end(), delim.begin(), delim.end());
        if (it != buffer_.end()) {
            auto end = it + static_cast<long>(delim.size());
            out.append(buffer_.begin(), end);
            buffer_.erase(buffer_.begin(), end);
            return read_result::data;
        }
        if (buffer_.size() >= max) {
            out.append(buffer_.begin(), buffer_.end());
            buffer_.clear();
            return read_result::data;
        }
        auto left =
            std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left <= 0ms) {
            return read_result::timeout;
        }
        read_result r = fill(left);
        if (r != read_result::data) {
            out.append(buffer_.begin(), buffer_.end());
            buffer_.clear();
            return r;
        }
    }
}

read_result raw_socket::wait_closed(milliseconds timeout, std::vector<std::uint8_t>* rest) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (rest != nullptr) {
            rest->insert(rest->end(), buffer_.begin(), buffer_.end());
        }
        buffer_.clear();
        auto left =
            std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left <= 0ms) {
            return read_result::timeout;
        }
        read_result r = fill(left);
        if (r != read_result::data) {
            return r;
        }
    }
}

void raw_socket::shutdown_write() {
    if (fd_ >= 0) {
        ::shutdown(fd_, SHUT_WR);
    }
}

void raw_socket::close() {
    if (ssl_ != nullptr) {
        SSL_free(as_ssl(ssl_));
        ssl_ = nullptr;
    }
    if (ssl_ctx_ != nullptr) {
        SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
        ssl_ctx_ = nullptr;
    }
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    buffer_.clear();
}

void raw_socket::abort() {
    if (fd_ >= 0) {
        linger l{1, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    close();
}

std::string http_response::header(const std::string& name) const {
    auto it = headers.find(lower(name));
    return it != headers.end() ? it->second : "";
}

bool http_response::has_header(const std::string& name) const {
    return headers.count(lower(name)) != 0;
}

http_response read_http_response(raw_socket& s, bool head_request, milliseconds timeout) {
    http_response res;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    auto left = [&] {
        return std::max(1ms, std::chrono::duration_cast<milliseconds>(
                                 deadline - std::chrono::steady_clock::now()));
    };
    std::string head;
    res.end = s.read_until("\r\n\r\n", head, 64 << 10, timeout);
    if (res.end != read_result::data || head.size() < 4 ||
        head.compare(head.size() - 4, 4, "\r\n\r\n") != 0) {
        if (res.end == read_result::data) {
            res.end = read_result::error;
        }
        res.body = head; // whatever arrived, for the failure message
        return res;
    }
    std::size_t pos = head.find("\r\n");
    res.status_line = head.substr(0, pos);
    if (res.status_line.rfind("HTTP/1.", 0) == 0 && res.status_line.size() >= 12) {
        res.status = std::atoi(res.status_line.c_str() + 9);
    }
    while (pos + 2 < head.size()) {
        std::size_t next = head.find("\r\n", pos + 2);
        std::string line = head.substr(pos + 2, next - pos - 2);
        pos = next;
        auto colon = line.find(':');
        if (colon != std::string::npos) {
            res.headers.emplace(lower(line.substr(0, colon)), trim(line.substr(colon + 1)));
        }
    }
    if (head_request || res.status / 100 == 1 || res.status == 204 || res.status == 304) {
        return res;
    }
    std::vector<std::uint8_t> body;
    if (res.has_header("content-length")) {
        auto n = static_cast<std::size_t>(std::stoull(res.header("content-length")));
        res.end = s.read_exact(n, body, left());
    } else if (lower(res.header("transfer-encoding")).find("chunked") != std::string::npos) {
        for (;;) {
            std::string size_line;
            res.end = s.read_until("\r\n", size_line, 1024, left());
            if (res.end != read_result::data) {
                break;
            }
            std::size_t n = std::stoul(size_line, nullptr, 16);
            if (n == 0) {
                std::string trailer;
                s.read_until("\r\n", trailer, 1024, left());
                break;
            }
            res.end = s.read_exact(n + 2, body, left());
            if (res.end != read_result::data) {
                break;
            }
            body.resize(body.size() - 2);
        }
    } else {
        res.end = s.wait_closed(left(), &body);
    }
    res.body.assign(body.begin(), body.end());
    return res;
}

http_response http_exchange(raw_socket& s, std::string_view request, bool head_request,
                            milliseconds timeout) {
    if (!s.send_all(request)) {
        http_response r;
        r.end = read_result::error;
        return r;
    }
    return read_http_response(s, head_request, timeout);
}

std::string http_request(std::string_view method, std::string_view target, std::string_view host,
                         std::string_view extra_headers) {
    std::string r;
    r.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ").append(host);
    r.append("\r\n").append(extra_headers).append("Connection: close\r\n\r\n");
    return r;
}

int ws_frame::close_code() const {
    if (payload.size() < 2) {
        return 1005;
    }
    return (payload[0] << 8) | payload[1];
}

std::string ws_frame::close_reason() const {
    return payload.size() > 2 ? std::string(payload.begin() + 2, payload.end()) : "";
}

std::vector<std::uint8_t> encode_frame(std::uint8_t opcode, bool fin,
                                       std::span<const std::uint8_t> payload,
                                       std::optional<std::uint32_t> mask_key) {
    std::vector<std::uint8_t> f;
    f.reserve(payload.size() + 14);
    f.push_back(static_cast<std::uint8_t>((fin ? 0x80 : 0) | (opcode & 0x0f)));
    std::uint8_t mask_bit = mask_key ? 0x80 : 0;
    std::uint64_t n = payload.size();
    if (n < 126) {
        f.push_back(static_cast<std::uint8_t>(mask_bit | n));
    } else if (n <= 0xffff) {
        f.push_back(mask_bit | 126);
        f.push_back(static_cast<std::uint8_t>(n >> 8));
        f.push_back(static_cast<std::uint8_t>(n));
    } else {
        f.push_back(mask_bit | 127);
        for (int i = 7; i >= 0; --i) {
            f.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
        }
    }
    std::uint8_t key[4] = {};
    if (mask_key) {
        for (int i = 0; i < 4; ++i) {
            key[i] = static_cast<std::uint8_t>(*mask_key >> (24 - 8 * i));
            f.push_back(key[i]);
        }
    }
    for (std::size_t i = 0; i < payload.size(); ++i) {
        f.push_back(payload[i] ^ key[i % 4]);
    }
    return f;
}

std::vector<std::uint8_t> encode_close(int code, std::string_view reason, std::uint32_t mask_key) {
    std::vector<std::uint8_t> p{static_cast<std::uint8_t>(code >> 8),
                                static_cast<std::uint8_t>(code)};
    p.insert(p.end(), reason.begin(), reason.end());
    return encode_frame(op_close, true, p, mask_key);
}

http_response ws_upgrade(raw_socket& s, std::string_view target, std::string_view host,
                         std::string_view protocols) {
    std::uint8_t nonce[16];
    RAND_bytes(nonce, sizeof nonce);
    std::string key = base64(nonce);
    std::string req;
    req.append("GET ").append(target).append(" HTTP/1.1\r\nHost: ").append(host);
    req.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ").append(key);
    req.append("\r\nSec-WebSocket-Version: 13\r\n");
    if (!protocols.empty()) {
        req.append("Sec-WebSocket-Protocol: ").append(protocols).append("\r\n");
    }
    req.append("\r\n");
    if (!s.send_all(req)) {
        throw std::runtime_error("sending the upgrade request failed");
    }
    http_response res = read_http_response(s, true);
    std::string accept_src = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    std::uint8_t digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(accept_src.data()), accept_src.size(), digest);
    std::string expected_accept = base64(digest);
    if (res.status != 101) {
        throw std::runtime_error("WebSocket upgrade refused: '" + res.status_line + "' (" +
                                 to_string(res.end) + ")");
    }
    if (lower(res.header("upgrade")) != "websocket" ||
        lower(res.header("connection")).find("upgrade") == std::string::npos ||
        res.header("sec-websocket-accept") != expected_accept) {
        throw std::runtime_error("bad 101 response: Upgrade='" + res.header("upgrade") +
                                 "' Connection='" + res.header("connection") +
                                 "' Sec-WebSocket-Accept='" + res.header("sec-websocket-accept") +
                                 "' (expected '" + expected_accept + "')");
    }
    return res;
}

std::optional<ws_frame> read_frame(raw_socket& s, milliseconds timeout, read_result* result) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    auto left = [&] {
        return std::max(1ms, std::chrono::duration_cast<milliseconds>(
                                 deadline - std::chrono::steady_clock::now()));
    };
    auto fail = [&](read_result r) -> std::optional<ws_frame> {
        if (result != nullptr) {
            *result = r == read_result::data ? read_result::error : r;
        }
        return std::nullopt;
    };
    std::vector<std::uint8_t> h;
    read_result r = s.read_exact(2, h, timeout);
    if (r != read_result::data) {
        return fail(r);
    }
    ws_frame f;
    f.fin = (h[0] & 0x80) != 0;
    f.rsv = static_cast<std::uint8_t>((h[0] >> 4) & 0x7);
    f.opcode = h[0] & 0x0f;
    f.masked = (h[1] & 0x80) != 0;
    std::uint64_t len = h[1] & 0x7f;
    std::size_t ext = len == 126 ? 2 : len == 127 ? 8 : 0;
    if (ext != 0) {
        std::vector<std::uint8_t> e;
        if ((r = s.read_exact(ext, e, left())) != read_result::data) {
            return fail(r);
        }
        len = 0;
        for (auto b : e) {
            len = (len << 8) | b;
        }
    }
    std::uint8_t key[4] = {};
    if (f.masked) {
        std::vector<std::uint8_t> k;
        if ((r = s.read_exact(4, k, left())) != read_result::data) {
            return fail(r);
        }
        std::copy(k.begin(), k.end(), key);
    }
    if (len > (256u << 20)) {
        return fail(read_result::error);
    }
    if ((r = s.read_exact(static_cast<std::size_t>(len), f.payload, left())) != read_result::data) {
        return fail(r);
    }
    if (f.masked) {
        for (std::size_t i = 0; i < f.payload.size(); ++i) {
            f.payload[i] ^= key[i % 4];
        }
    }
    if (result != nullptr) {
        *result = read_result::data;
    }
    return f;
}

ws_transcript read_ws(raw_socket& s, std::size_t want, milliseconds timeout,
                      std::uint32_t mask_key) {
    ws_transcript t;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    bool in_message = false;
    while (t.data.size() < want || want == SIZE_MAX) {
        auto left =
            std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left <= 0ms) {
            t.end = read_result::timeout;
            return t;
        }
        read_result r{};
        auto f = read_frame(s, left, &r);
        if (!f) {
            t.end = r;
            return t;
        }
        if (f->opcode == op_close) {
            t.close = std::move(*f);
            t.end = read_result::eof;
            return t;
        }
        if (f->opcode == op_ping) {
            ++t.pings;
            s.send_all(encode_frame(op_pong, true, f->payload, mask_key));
            continue;
        }
        if (f->opcode == op_pong) {
            continue;
        }
        bool ok_opcode = in_message ? f->opcode == op_continuation : f->opcode == op_binary;
        if (f->masked || f->rsv != 0 || !ok_opcode) {
            t.bad_frames.push_back(*f);
        }
        in_message = !f->fin;
        t.data.insert(t.data.end(), f->payload.begin(), f->payload.end());
    }
    t.end = read_result::data;
    return t;
}

} // namespace vncgate::test
