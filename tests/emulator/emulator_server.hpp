// The emulator's HTTPS server: Boost.Beast over OpenSSL on a pool of
// threads, one session object per connection (keep-alive, timeouts on every
// operation), handing each request to the Router.
//
// This header stays free of Beast and Asio so that only
// emulator_server.cpp pays for their templates.
#pragma once

#include "core/error.hpp"
#include "tests/emulator/emulator_tenant.hpp"

#include <cstdint>
#include <filesystem>
#include <string>

namespace hookwarden::emulator {

struct ServerOptions {
    std::string listen = "127.0.0.1"; ///< an IPv4 or IPv6 address
    std::uint16_t port = 8443;        ///< 0: any free port
    int threads = 2;
    std::filesystem::path cert_file;
    std::filesystem::path key_file;
    bool quiet = false; ///< no per-request log lines on stderr
    /// Stop (as on SIGTERM) when stdin reaches end of file: a test harness
    /// holding the other end of a pipe takes the emulator down with it,
    /// even when it crashes.
    bool stop_at_stdin_eof = false;
};

class DeliveryQueue;

/// Serves `tenant` until SIGTERM or SIGINT (or stdin's end, see
/// ServerOptions), then returns success. Once the
/// socket listens, prints exactly `listening on https://ADDR:PORT` (and a
/// newline) on stdout and flushes it. Fails when the certificate cannot be
/// loaded or the address cannot be bound. `deliveries` (optional) receives
/// the events fired through the control plane.
Result<void> serve(const ServerOptions& options, Tenant& tenant,
                   DeliveryQueue* deliveries = nullptr);

} // namespace hookwarden::emulator
