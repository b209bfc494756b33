// The tenant emulator's own check of a Process Automation trigger body
// (POST and PUT /api/v2/processautomation/triggers, SPEC §8), written from
// the API's shape and not from hookwarden's trigger codec or manifest
// rules, so that an encoding bug in the client shows up as a 400 here.
//
// Unlike webhooks, unknown members are refused (`unknown.property`): a
// member the client puts in the wrong place (`target.dataFormat` instead of
// `target.workflowTargetSettings.dataFormat`) must not be dropped silently.
// The read-only members `id`, `version` and `selfUri` may be sent back.
#pragma once

#include "tests/emulator/emulator_validation.hpp"

#include <boost/json/fwd.hpp>
#include <string>
#include <vector>

namespace hookwarden::emulator {

/// Every problem of a trigger body, in field order; empty when it is valid.
/// `topics` is the tenant's topic list, which `topicName` must be one of;
/// null skips that rule (a PUT, where topicName must instead equal the
/// stored one, and the control plane).
std::vector<FieldProblem> validate_trigger_body(const boost::json::value& body,
                                                const std::vector<std::string>* topics);

/// Whether a problem is about the body's shape (a missing member, a wrong
/// JSON type, an unknown member) rather than a value out of its range.
bool is_shape_problem(const FieldProblem& problem);

/// The trigger a body without shape problems describes, in the API's
/// shape: its members without nulls, read-only ones left out, and
/// `target.workflowTargetSettings` `{"dataFormat": "Json"}` when not given.
boost::json::object trigger_from_body(const boost::json::object& body);

} // namespace hookwarden::emulator
