// What the emulated tenant sends to a webhook's endpointUrl (SPEC §5
// "Deliveries"): the event body, the signature headers of one attempt, and
// the wait before a retry. Pure functions, no clock and no network: the
// delivery queue (emulator_delivery_queue.hpp) passes the time it means.
//
// A delivery's body is built and serialized once, when its event is fired,
// and sent unchanged on every retry; its `webhook-id` is fixed then too.
// Only the timestamp and the signatures are made anew for each attempt, with
// the secret the webhook holds at that moment.
#pragma once

#include "core/error.hpp"
#include "tests/emulator/emulator_routes.hpp"
#include "tests/emulator/emulator_time.hpp"

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hookwarden::emulator {

/// One event fired through the control plane; every subscribed webhook
/// gets a delivery of it.
struct EmulatedEvent {
    std::string event_type;
    TimePoint timestamp;   ///< when it happened (the body's `timestamp`)
    std::string actor_id;  ///< the body's `actor.id`
    std::int64_t sequence = 0; ///< the body's `metadata.sequence`, counting events from 1
};

/// The body of the delivery of `event` to webhook `webhook_id`:
///
///     {"eventType": T, "timestamp": "<RFC 3339, ms>",
///      "actor": {"id": "…", "name": "Emulated User"},
///      "metadata": {"sequence": N, "webhookId": "<id>"}}
///
/// with each member of `overrides` replacing (or adding) the top-level
/// member of that name whole, so that a test can send a bad event
/// (`{"actor": null}`) or its own metadata. Serialized compactly.
std::string delivery_body(const EmulatedEvent& event, std::string_view webhook_id,
                          const boost::json::object& overrides = {});

/// The headers of one attempt: `Content-Type: application/json`,
/// `webhook-id: message_id`, and, when `secret` is set and not empty, the
/// signatures of core's `sign_delivery` at `now`: `X-Hub-Signature-256`,
/// `webhook-timestamp` and `webhook-signature`. Without a secret the
/// delivery goes out unsigned, `webhook-id` (which identifies, not
/// authenticates) included.
HeaderList delivery_headers(const std::optional<std::string>& secret, std::string_view body,
                            std::string_view message_id, TimePoint now);

/// A delivery's `webhook-id`: `msg_` and 32 hex digits taken from `uuid`
/// (its dashes dropped), unique per event and webhook.
std::string delivery_message_id(std::string_view uuid);

/// The wait before a retry: `retry_interval` (ISO-8601, SPEC §2) times
/// `scale`, rounded to milliseconds. An interval that does not parse (only
/// a webhook inserted through the control plane can hold one) counts as
/// the default PT1M.
std::chrono::milliseconds retry_delay(std::string_view retry_interval, double scale);

/// A 2xx answer; anything else (including no answer) is a failed attempt.
constexpr bool delivery_succeeded(std::optional<int> status) noexcept {
    return status && *status >= 200 && *status <= 299;
}

} // namespace hookwarden::emulator
