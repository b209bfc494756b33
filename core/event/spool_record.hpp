// One line of the receiver's spool (SPEC §6a `spool/`, §7): the transformed
// event and how it arrived.
//
//   {"delivery": {"id": "msg_2Kx…", "webhook": "SystemEventMonitor",
//                 "path": "/hooks/monitor", "receivedAt": "2026-12-02T16:00:00.123Z",
//                 "signature": "standard-webhooks", "previousSecret": false},
//    "event": {…the output of transform_event…}}
//
// `id` is the `webhook-id` header, or null for a delivery signed only with
// X-Hub-Signature-256 (which carries no id, so it cannot be de-duplicated).
// `previousSecret` is true when the delivery verified only with the secret a
// rotation keeps valid for a while: a downstream consumer can see when the
// tenant stopped using it. Members are written in this order, the record
// on one line ending in '\n'. Consumers parse it as JSON Lines; the
// receiver reads back only `delivery.id` and `delivery.receivedAt` (to
// remember ids after a crash).
#pragma once

#include "core/event/delivery_signature.hpp"

#include <boost/json/fwd.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace hookwarden {

struct DeliveryFacts {
    std::optional<std::string> id; ///< webhook-id, when the delivery had one
    std::string webhook;           ///< the webhook the route names
    std::string path;              ///< the URL path it arrived on
    std::chrono::system_clock::time_point received_at;
    SignatureScheme scheme = SignatureScheme::standard_webhooks;
    bool previous_secret = false;
};

/// The spool line (with its final '\n') for a delivery and its transformed event.
std::string spool_record_line(const DeliveryFacts& facts, const boost::json::object& event);

/// What the receiver needs back from a spool line after a crash.
struct SpoolRecordId {
    std::string id;
    std::chrono::sys_seconds received_at;
};

/// The delivery id and time of one spool line (without its '\n'); nothing
/// when the line is not a record or carries no id.
std::optional<SpoolRecordId> spool_record_id(std::string_view line);

} // namespace hookwarden
