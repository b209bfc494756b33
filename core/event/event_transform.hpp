// The event transform of SPEC §7 (the tutorial's step 3): check that an
// incoming system event has the expected shape, and turn it into the record
// downstream consumers read.
//
// Input (extra members are allowed and ignored, as in the tutorial's schema):
//   {"eventType": string, "timestamp": RFC 3339 date-time string,
//    "actor": {"id": string, "name"?: string}, "metadata"?: object}
// Output, members in this order:
//   {"event_type", "actor_id", "received_at", "original_timestamp",
//    "routing_key": "system.<eventType with every ':' replaced by '_'>",
//    "attributes": {"actor_name", "metadata_keys"}}
// `received_at` is given by the caller (core reads no clock) and written as
// RFC 3339 UTC with milliseconds; `original_timestamp` is the input's
// `timestamp` unchanged; `actor_name` is "unknown" when `actor.name` is
// absent; `metadata_keys` lists `metadata`'s keys in input order, [] when
// absent. A member that is present must have its type: `"metadata": null`
// is an error, as JSON Schema's "type": "object" makes it in the tutorial.
//
// Used by `hookwarden transform` (daemon/cli) and, later, `receive`.
#pragma once

#include <boost/json/fwd.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace hookwarden {

/// One thing wrong with an event: the JSON path of the offending member
/// (`$`, `$.actor.id`) and what is wrong with it (`required`).
struct EventProblem {
    std::string path;
    std::string message;

    /// `$.actor.id: required`
    std::string format() const;
    bool operator==(const EventProblem&) const = default;
};

/// Every problem of `event`, not only the first, in the order of the
/// members above. Empty means `transform_event` may be called.
std::vector<EventProblem> check_event(const boost::json::value& event);

/// The transformed event. Precondition: `check_event(event)` is empty;
/// otherwise this is a caller's bug and throws std::logic_error.
boost::json::object transform_event(const boost::json::value& event,
                                    std::chrono::system_clock::time_point received_at);

} // namespace hookwarden
