// Entry point for a newly accepted connection: TLS detection, then HTTP.
#pragma once

#include "net/gateway.hpp"
#include "net/streams.hpp"

#include <memory>
#include <string>

namespace vncgate::net {

// Takes over an accepted socket: detects a TLS ClientHello, serves HTTP requests (static files)
// and hands WebSocket upgrades to run_websocket_session. `client` names the peer for logs.
void run_connection(socket_type socket, std::shared_ptr<gateway> gw, std::string client);

} // namespace vncgate::net
