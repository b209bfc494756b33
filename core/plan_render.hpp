// How a plan and a cycle's results look to people and to scripts.
//
// Used by `plan`, `apply` and `apply --dry-run`. The text form reads like
// Terraform's (`+ create`, `~ update` with one line per field `old -> new`,
// `- delete`, `-/+ replace` for a trigger whose topic changed, a one-line
// summary; triggers are named `trigger "NAME"`) and is coloured only when the
// caller says the terminal wants it. The JSON form (`plan --output json`) is a stable,
// versioned schema for scripts; see plan_to_json. Neither form ever holds a
// secret: the secret appears as `(sensitive)` on a create and
// `(sensitive value changed)` on an update, in JSON as `"sensitive": true`
// with no value. A rotation in progress is shown under its webhook
// (`secret rotation in progress: the previous secret is accepted until T`),
// and an item that replaces a known secret says for how long the previous
// one stays valid after apply.
#pragma once

#include "core/engine.hpp"
#include "core/plan.hpp"

#include <boost/json/object.hpp>
#include <string>

namespace hookwarden {

struct RenderOptions {
    bool color = false; ///< ANSI colours (the caller checks TTY and NO_COLOR)
};

/// Version of the JSON schema below; bumped only on incompatible changes.
inline constexpr int plan_json_format_version = 1;

/// The plan for people, ending in one summary line.
std::string render_plan_text(const Plan& plan, const RenderOptions& options = {});

/// The one summary line alone: `Plan: 1 to create, 2 to update, ...` or
/// `No changes. ...`.
std::string plan_summary_line(const Plan& plan);

/// The plan for scripts:
/// ```
/// {"formatVersion": 1,
///  "hasChanges": bool, "hasErrors": bool,
///  "summary": {"create": n, "update": n, "adopt": n, "delete": n, "replace": n,
///              "unchanged": n, "retain": n, "conflict": n, "error": n},
///  "manifestErrors": n,
///  "prune": {"enabled": bool, "candidates": ["NAME", ...], "blocked": bool,
///            "reason": "..." | null},
///  "items": [{"name": "...", "kind": "webhook|trigger",
///             "action": "create|update|adopt|delete|replace|unchanged|retain|conflict|error",
///             "cause":
///             "none|new|manifest|drift|deleted-in-tenant|adoption|lost-create|secret|rotation|left-manifests|immutable",
///             "id": "..." | null,
///             "changes": [{"field": "endpointUrl", "sensitive": false, "old": JSON | null, "new":
///             JSON | null},
///                         {"field": "secret", "sensitive": true}],
///             "reason": "..." | null,
///             "warnings": ["..."],
///             "conflictingIds": ["..."]}],
///  "rotations": [{"name": "...", "until": "2026-12-02T16:05:00Z"}]}
/// ```
/// `items` lists every desired webhook (in manifest order) and every owned
/// one that left the manifests; `old`/`new` are absent-valued (null) on the
/// side that has none; a sensitive change never has `old` or `new`.
/// `rotations` lists, by name, the owned webhooks whose previous secret is
/// still accepted at the receiver and until when (added in version 1: an
/// additive member).
boost::json::object plan_to_json(const Plan& plan);

/// serialize(plan_to_json(plan)) plus a newline.
std::string render_plan_json(const Plan& plan);

/// What apply did, one line per webhook that changed, failed or was kept
/// back, then the summary line `Apply: 1 created, ...`.
std::string render_cycle_text(const CycleResult& result, const RenderOptions& options = {});

/// The one summary line alone.
std::string cycle_summary_line(const CycleResult& result);

/// One item's line of render_cycle_text (with its newline), or "" for an
/// item that needs none (unchanged, kept). For live progress.
std::string render_item_result(const ItemResult& item, const RenderOptions& options = {});

/// What render_cycle_text prints after the item lines: prune and state
/// problems, then the summary line.
std::string render_cycle_footer(const CycleResult& result, const RenderOptions& options = {});

} // namespace hookwarden
