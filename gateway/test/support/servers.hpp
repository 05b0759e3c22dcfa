// Loopback target servers for the gateway: echo, source, sink, source+sink, banner, a refusing
// port, and a Unix-socket variant. Blocking sockets, one thread per connection.
#pragma once

#include "support/payload.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace vncgate::test {

using std::chrono::milliseconds;

// Blocking I/O on one accepted connection, handed to a server's handler.
class connection {
public:
    explicit connection(int fd) : fd_(fd) {}
    int fd() const { return fd_; }
    // Reads up to n bytes into buf; returns 0 on EOF, -1 on error.
    long read_some(std::uint8_t* buf, std::size_t n);
    // Writes everything; false if the peer is gone.
    bool write_all(std::span<const std::uint8_t> data);
    void shutdown_write();
    // Makes the coming close send an RST instead of a FIN (SO_LINGER 0).
    void reset_on_close();

private:
    int fd_;
};

// Accepts connections on 127.0.0.1:0 (or a Unix socket path) and runs handler(conn) on a thread
// per connection; the connection is closed when the handler returns. stop() (also run by the
// destructor) closes the listener, shuts down open connections and joins every thread.
class loopback_server {
public:
    using handler = std::function<void(connection&)>;

    static std::unique_ptr<loopback_server> tcp(handler h, const std::string& host = "127.0.0.1");
    static std::unique_ptr<loopback_server> unix_socket(const std::string& path, handler h);
    ~loopback_server();

    std::uint16_t port() const { return port_; }
    // "127.0.0.1:PORT" (the form used on the gateway command line and in token files).
    std::string address() const;
    const std::string& unix_path() const { return unix_path_; }
    std::size_t accepted() const { return accepted_; }
    std::size_t active() const { return active_; }
    void stop();

private:
    loopback_server(int listen_fd, handler h);
    void accept_loop();

    int listen_fd_;
    std::string host_;
    std::uint16_t port_ = 0;
    std::string unix_path_;
    handler handler_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::size_t> accepted_{0};
    std::atomic<std::size_t> active_{0};
    std::mutex mutex_;
    std::vector<int> open_fds_;
    std::vector<std::thread> threads_;
    std::thread acceptor_;
};

// Echoes every byte back until EOF, then closes.
loopback_server::handler echo_handler();
// Sends `banner`, then echoes.
loopback_server::handler banner_echo_handler(std::string banner);

// Connection i (in accept order) is served by handlers[min(i, handlers.size() - 1)].
loopback_server::handler sequence_handler(std::vector<loopback_server::handler> handlers);

// What a source or sink connection did, shared between the handler thread and the test.
struct stream_record {
    std::atomic<std::uint64_t> bytes_written{0};
    std::atomic<std::uint64_t> bytes_read{0};
    std::atomic<bool> finished_writing{false};
    std::atomic<bool> saw_eof{false};
    std::atomic<bool> done{false}; // the handler returned
    std::mutex mutex;
    std::string read_sha256; // set when the read side ended
    std::int64_t first_mismatch = -1;
    std::vector<std::uint8_t> head; // the first bytes read (up to keep_bytes)
};

// One record per accepted connection, in accept order.
class stream_log {
public:
    std::shared_ptr<stream_record> add();
    std::shared_ptr<stream_record> at(std::size_t i);
    std::size_t size();
    // Waits until connection i exists and its handler returned.
    std::shared_ptr<stream_record> wait_done(std::size_t i, milliseconds timeout);
    std::shared_ptr<stream_record> wait_connection(std::size_t i, milliseconds timeout);

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::shared_ptr<stream_record>> records_;

public:
    // Wakes the waiters; handlers call it when a record changes.
    void notify();
};

// Sends `size` bytes of payload(seed), then closes (FIN). Reads and discards what arrives
// meanwhile. If reset_after is set, it instead stops after that many bytes and closes with RST.
loopback_server::handler source_handler(std::shared_ptr<stream_log> log, std::uint64_t size,
                                        std::uint64_t seed, std::int64_t reset_after = -1);

// Reads until EOF, hashing everything and comparing it with payload(seed) if expect_seed is set;
// keeps the first keep_bytes bytes. Sends nothing.
loopback_server::handler sink_handler(std::shared_ptr<stream_log> log,
                                      std::optional<std::uint64_t> expect_seed = std::nullopt,
                                      std::size_t keep_bytes = 1 << 20);

// Sends out_size bytes of payload(out_seed) while reading (and checking against
// payload(in_seed)) until in_size bytes arrived or EOF; then closes.
loopback_server::handler source_sink_handler(std::shared_ptr<stream_log> log,
                                             std::uint64_t out_size, std::uint64_t out_seed,
                                             std::uint64_t in_size, std::uint64_t in_seed);

// A TCP port on 127.0.0.1 where nothing listens: the socket stays bound (so no one else takes
// the port) but never calls listen(), so connections are refused.
class refusing_port {
public:
    refusing_port();
    ~refusing_port();
    std::uint16_t port() const { return port_; }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

private:
    int fd_;
    std::uint16_t port_;
};

} // namespace vncgate::test
