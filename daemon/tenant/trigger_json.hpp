// The Process Automation trigger's JSON wire form (SPEC §8): what a GET
// answers and what a POST or PUT sends, member for member as the official
// SDK models `Trigger`, `TriggerTarget`, `WorkflowTargetSettings` and
// `MatchCriteria` write it.
//
// Shared by the tenant client and the tenant emulator, so that both read
// and write one shape; the emulator's own validation (tests/emulator) checks
// bodies against the API's rules independently of it.
#pragma once

#include "core/error.hpp"
#include "core/trigger.hpp"

#include <boost/json/fwd.hpp>

namespace hookwarden {

/// Which fields `trigger_to_json` writes.
enum class TriggerJsonFields {
    resource,   ///< everything known, as a GET answers
    write_body, ///< client-writable fields plus `version` when non-zero: a POST/PUT body
};

/// Writes `target.workflowTargetSettings.dataFormat` and `matchCriteria`
/// (`[]` when there are none: a PUT replaces the whole trigger) always;
/// `eventTTLSeconds`, `delayBySeconds` only when set, `description` only
/// when non-empty.
boost::json::object trigger_to_json(const Trigger& trigger,
                                    TriggerJsonFields fields = TriggerJsonFields::resource);

/// Reads a trigger from JSON. Unknown members are ignored (the API may grow)
/// and null ones count as absent; a member of the wrong type is an
/// `invalid_input` error naming it ("trigger member 'matchCriteria[1].values'
/// must be an array"). Without `target.workflowTargetSettings` (or its
/// `dataFormat`) the data format is "TopLevelPrimitives", the mode such a
/// target runs in; without `matchCriteria` there are none; an absent
/// `eventTTLSeconds` or `delayBySeconds` stays unset.
Result<Trigger> trigger_from_json(const boost::json::value& json);

} // namespace hookwarden
