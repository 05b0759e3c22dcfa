// Entry point from the HTTP layer into a WebSocket relay session.
#pragma once

#include "net/gateway.hpp"
#include "net/streams.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <string>

namespace vncgate::net {

using upgrade_request = boost::beast::http::request<boost::beast::http::string_body>;

// Takes over a connection whose HTTP request is a WebSocket upgrade: negotiates the subprotocol,
// routes to a target, accepts, connects and relays until either side closes. `client` names the
// browser's address for logs.
void run_websocket_session(plain_stream stream, upgrade_request req, std::shared_ptr<gateway> gw,
                           std::string client);
void run_websocket_session(tls_stream stream, upgrade_request req, std::shared_ptr<gateway> gw,
                           std::string client);

} // namespace vncgate::net
