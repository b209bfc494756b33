// How Process Automation triggers compare (SPEC §8): the semantic diff of a
// manifest against the tenant's trigger, the canonical digest of what was
// applied, the body a create or update sends, and the one change the API
// cannot make in place: a new `topicName` means delete and create.
// Match criteria compare as a set (every criterion must match, so their
// order means nothing); server-owned fields and labels never count.
#pragma once

#include "core/field_change.hpp"
#include "core/manifest.hpp"
#include "core/trigger.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hookwarden {

/// The fields of `desired` that differ from `observed`, semantically.
std::vector<FieldChange> diff_fields(const TriggerManifest& desired, const Trigger& observed);

/// A create's field lines: every writable field with its new value.
std::vector<FieldChange> creation_fields(const TriggerManifest& desired);

/// Digest of the desired, normalised writable fields (no labels): what
/// state.json records as applied.
std::string applied_digest(const TriggerManifest& desired);

/// The same digest of a tenant trigger as it is: equal to
/// applied_digest(desired) exactly when `observed` holds what `desired`
/// asks for (server-owned fields aside).
std::string observed_digest(const Trigger& observed);

/// The POST/PUT body for `desired`, without id or version.
Trigger desired_body(const TriggerManifest& desired);

/// Why `observed` cannot become `desired` in place, when it cannot: its
/// topic is fixed after creation.
std::optional<std::string> replace_reason(const TriggerManifest& desired, const Trigger& observed);

/// The criteria as JSON (`[{"jsonPath", "operator", "value" | "values"}]`),
/// in the order given.
boost::json::array match_criteria_json(const std::vector<MatchCriterion>& criteria);

} // namespace hookwarden
