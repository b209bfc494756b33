// The emulator's HTTP behaviour as plain data: a request struct in, a
// response struct out, with no socket in sight.
//
// `Router::handle` is everything the tenant emulator does with a request:
// injected faults, OAuth, bearer authentication, rate limiting, the
// webhook, analytics and audit APIs of SPEC §5, the Process Automation
// trigger API of SPEC §8 (emulator_trigger_routes.cpp), and the loopback-only
// control plane under /_emulator/ (which also fires events into the
// delivery queue). The server (emulator_server.cpp) only
// moves these structs over TLS; unit tests call `handle` directly.
#pragma once

#include "tests/emulator/emulator_tenant.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hookwarden::emulator {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
    std::string method; ///< "GET", "POST", ...
    std::string target; ///< origin form: path and query, e.g. "/api/v2/webhooks?pageSize=100"
    HeaderList headers;
    std::string body;
    bool from_loopback = true; ///< the peer's address is 127.0.0.0/8 or ::1

    /// The first header named `name` (case-insensitive); empty when absent.
    std::string_view header(std::string_view name) const;
};

/// What the server does with the connection after handling a request.
enum class Disposition {
    answer,            ///< write the response, keep the connection if asked
    reset,             ///< fault: drop the connection at once, unanswered and unprocessed
    hang,              ///< fault: wait `delay`, then close the connection unanswered
    commit_then_reset, ///< fault: the request was processed; drop the connection unanswered
};

struct HttpResponse {
    int status = 200;
    HeaderList headers;
    std::string body;
    Disposition disposition = Disposition::answer;
    std::chrono::milliseconds delay{0}; ///< for `hang`: before closing unanswered

    /// The first header named `name` (case-insensitive); empty when absent.
    std::string_view header(std::string_view name) const;
};

/// The counter key of a request: the method and the path with ids
/// replaced by `{id}`, e.g. "PUT /api/v2/webhooks/{id}".
std::string route_key(std::string_view method, std::string_view path);

class DeliveryQueue;

class Router {
  public:
    /// `deliveries` serves /_emulator/events and /_emulator/deliveries and
    /// hears of deleted webhooks; without it those two answer 501.
    explicit Router(Tenant& tenant, DeliveryQueue* deliveries = nullptr)
        : tenant_(tenant), deliveries_(deliveries) {}

    /// Serves one request. Thread-safe: all state lives in the Tenant.
    HttpResponse handle(const HttpRequest& request);

    /// The answer to a request whose body is over `limit` bytes and was not
    /// read (`request.body` is empty): 413 with the Genesys error body,
    /// counted like any answer outside the control plane. No fault applies.
    HttpResponse refuse_too_large(const HttpRequest& request, std::uint64_t limit);

  private:
    Tenant& tenant_;
    DeliveryQueue* deliveries_;
};

} // namespace hookwarden::emulator
