// What `hookwarden receive` does with one delivery (SPEC §7), in the order
// the issue fixes, each step with its answer:
//
//   route known for the path ............ 404   (check_head, before the body)
//   method POST ......................... 405   (check_head)
//   body within receiver.maxBody ........ 413   (the listener, before reading past it)
//   a signature that verifies ........... 401   (core/event/delivery_signature.hpp)
//   webhook-timestamp within tolerance .. 400
//   webhook-id usable as a key .......... 400
//   a JSON event of the §7 shape ........ 400   naming the JSON path
//   webhook-id not accepted before ...... 200   {"status": "duplicate"}, nothing written
//   spooled and fsynced ................. 200   {"status": "accepted"}
//   the spool cannot be written ......... 503   with Retry-After, so the sender retries
//
// A delivery that fails to verify makes the route re-read its secrets (at
// most once a second) and verifies again: a secret rotated by `apply` is
// picked up by the first delivery signed with it. A route whose secret
// cannot be read at all answers 503: the tenant keeps the delivery and
// retries, instead of it being refused for good with a 401.
//
// Answers carry a small JSON body, `{"status": "accepted"}` or
// `{"message": "…"}`; messages name what was wrong, never a secret or a
// signature value.
#pragma once

#include "daemon/receiver/delivery_spool.hpp"
#include "daemon/receiver/route_secrets.hpp"

#include "core/event/delivery_signature.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace hookwarden {

/// The parts of a request the intake reads. Views into the listener's
/// request, valid during `accept`.
struct IncomingDelivery {
    std::string_view target; ///< path and query as sent
    DeliveryHeaders headers;
    std::string_view body;
};

/// How a delivery was answered, and what the log line needs to say so.
struct IntakeAnswer {
    int status = 200;
    std::string body;        ///< JSON
    int retry_after = 0;     ///< seconds, for 503; 0: no Retry-After
    std::string message;     ///< why, for the log (empty when accepted)
    std::string webhook;     ///< the routed webhook, when known
    std::string delivery_id; ///< webhook-id, when present and usable
    bool duplicate = false;  ///< a 200 for an id accepted before
};

using IntakeDone = std::function<void(IntakeAnswer)>;

struct IntakeOptions {
    std::chrono::seconds tolerance{300};
    std::function<std::chrono::system_clock::time_point()> clock = [] {
        return std::chrono::system_clock::now();
    };
};

class DeliveryIntake {
  public:
    using Routes = std::map<std::string, std::unique_ptr<RouteSecrets>, std::less<>>;

    DeliveryIntake(const Routes& routes, DeliverySpool& spool, IntakeOptions options);

    /// The answer to give from the request line alone (404, 405), or
    /// nothing to read the body and go on.
    std::optional<IntakeAnswer> check_head(std::string_view method, std::string_view target) const;

    /// Checks the delivery and answers through `done`: at once for a
    /// refusal or a duplicate, after the spool's fsync for an acceptance.
    void accept(const IncomingDelivery& delivery, IntakeDone done);

  private:
    const Routes& routes_;
    DeliverySpool& spool_;
    IntakeOptions options_;
};

/// The path of a request target: everything before '?'.
std::string_view target_path(std::string_view target);

} // namespace hookwarden
