// GoogleTest fixture for the integration tests: a temp dir, the gateway process (always stopped,
// its output printed when the test failed), WebSocket connections to it, an echo round trip to
// prove it still serves, and a self-signed certificate.
#pragma once

#include "support/payload.hpp"
#include "support/process.hpp"
#include "support/raw_client.hpp"
#include "support/servers.hpp"
#include "support/ws_client.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <memory>
#include <string>
#include <vector>

namespace vncgate::test {

// Self-signed certificate and key files (PEM) for localhost and 127.0.0.1 with the given common
// name, generated in dir (created if missing) with the openssl command.
struct tls_files {
    std::filesystem::path cert;
    std::filesystem::path key;
};
tls_files make_self_signed_cert(const std::filesystem::path& dir,
                                const std::string& common_name = "localhost");

// A case-insensitive "contains", for human-readable close reasons.
bool contains_icase(std::string_view haystack, std::string_view needle);

// True if this machine can bind a socket to ::1 (IPv6 loopback).
bool ipv6_loopback_available();

// Success if the process exits with status 0 within `timeout`; otherwise says that it is still
// running `after` (e.g. "after SIGTERM") or how it ended.
::testing::AssertionResult exits_cleanly(child_process& p, const std::string& after,
                                         milliseconds timeout = std::chrono::seconds(10));

class gateway_test : public ::testing::Test {
protected:
    void TearDown() override;

    // Starts vncgate with these arguments (the listen address is part of them, normally
    // "127.0.0.1:0") and waits for its listening line. Throws (failing the test) on error.
    gateway_process& start_gateway(std::vector<std::string> args);
    gateway_process& gateway() { return *gateway_; }

    // A WebSocket connection to the running gateway (TCP or its Unix socket).
    std::unique_ptr<ws_client> connect_ws(ws_connect_options opts = {});
    // A raw socket to the running gateway.
    raw_socket connect_raw();
    // "127.0.0.1:PORT" of the gateway, for Host headers.
    std::string gateway_host() const;

    // A fresh connection sends a few messages and gets the same bytes back, then closes
    // normally. Use it to prove the gateway still serves after an abuse.
    ::testing::AssertionResult echo_round_trip(ws_connect_options opts = {},
                                               std::uint64_t seed = 4242);

    temp_dir tmp_;
    std::unique_ptr<gateway_process> gateway_;
};

} // namespace vncgate::test
