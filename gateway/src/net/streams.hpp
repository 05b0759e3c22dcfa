// The stream types every session uses: one generic socket type for TCP and Unix sockets, plain or
// TLS.
#pragma once

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace vncgate::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;

// A generic stream socket holds either a TCP or a Unix-domain socket, so the Beast templates are
// instantiated once per security layer rather than once per address family.
using protocol = asio::generic::stream_protocol;
using socket_type = protocol::socket;
using plain_stream = beast::basic_stream<protocol>;
using tls_stream = beast::ssl_stream<plain_stream>;

} // namespace vncgate::net
