// The Process Automation trigger as the tenant holds it (SPEC §8), in
// hookwarden's terms: an event topic routed to an Architect workflow, with
// match criteria. Its JSON wire form lives with the adapter that speaks it
// (daemon/tenant/trigger_json.hpp). Server-owned fields (id, version,
// selfUri) are carried but never part of a desired state. A trigger has no
// secret.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hookwarden {

/// Where a trigger sends the events it matches.
struct TriggerTarget {
    std::string type = "Workflow";  ///< the only type the API has
    std::string id;                 ///< the Architect workflow's id (a UUID)
    std::string data_format = "Json"; ///< Json | TopLevelPrimitives

    bool operator==(const TriggerTarget&) const = default;
};

/// One criterion an event must meet; every criterion of a trigger must.
/// Exactly one of `value` and `values` is set.
struct MatchCriterion {
    std::string json_path;
    std::string op; ///< Equal, NotEqual, GreaterThan, ..., In, NotIn, Contains, All, Exists, Size
    std::optional<boost::json::value> value;               ///< any JSON scalar
    std::optional<std::vector<boost::json::value>> values; ///< for In, NotIn, All, ...

    bool operator==(const MatchCriterion&) const = default;
};

struct Trigger {
    // Server-owned.
    std::string id;
    std::int64_t version = 0;
    std::string self_uri;

    // Client-writable.
    std::string name;
    std::string topic_name; ///< fixed after creation: a change is a replace
    TriggerTarget target;
    std::vector<MatchCriterion> match_criteria; ///< in the order written
    bool enabled = true;
    std::optional<int> event_ttl_seconds; ///< >= 10; never with delay_by_seconds
    std::optional<int> delay_by_seconds;  ///< 60..900
    std::string description;              ///< empty: none

    bool operator==(const Trigger&) const = default;
};

} // namespace hookwarden
