// TLS as hookwarden's one HTTPS client (daemon/net/https_client.cpp) speaks
// it, for the tenant, the endpoint probe and the tests' emulator client.
//
// One client context holds the policy: TLS 1.2 at least, the peer's chain
// verified against the system trust store plus an optional extra anchor.
// Each connection then names what the peer must prove to be: the host name
// (also sent as SNI) or the IP address that was dialled. Verification is
// never optional. This header includes Asio's SSL context; only
// https_client.cpp (and its tests) include it.
#pragma once

#include "core/error.hpp"

#include <boost/asio/ssl/context.hpp>

#include <string>

namespace hookwarden {

/// A client context: TLS 1.2 or later, peer verification on, trusting the
/// system store plus the PEM certificates in `ca_file` (empty: none). Fails
/// with invalid_input when `ca_file` cannot be loaded, with transport when
/// the system store cannot. Build it once and share it: connections made
/// from it on several threads at once are safe.
Result<boost::asio::ssl::context> make_tls_client_context(const std::string& ca_file);

/// Makes the connection `ssl`, before its handshake, accept only a
/// certificate for `host`: the IP address for an IP literal (IPv6 without
/// brackets), otherwise the DNS name, which also goes out as SNI (RFC 6066
/// allows names only). Fails (transport) when OpenSSL refuses the name.
Result<void> verify_peer_as(SSL* ssl, const std::string& host);

} // namespace hookwarden
