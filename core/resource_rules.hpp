// The per-kind rules the planner is given (SPEC §4a, §8): each call takes a
// resource of either kind and answers with that kind's rule
// (core/webhook_rules.hpp, core/trigger_rules.hpp). The planner and the
// engine call these and never look at a kind's fields themselves.
#pragma once

#include "core/field_change.hpp"
#include "core/resource.hpp"
#include "core/trigger_rules.hpp"
#include "core/webhook_rules.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hookwarden {

/// The fields of `desired` that differ from `observed` (of the same kind).
std::vector<FieldChange> diff_fields(const ManifestEntry& desired, const TenantResource& observed);

std::vector<FieldChange> creation_fields(const ManifestEntry& desired);

std::string applied_digest(const ManifestEntry& desired);

/// applied_digest's digest of a tenant resource as it is: equal to the
/// `applied_digest` a create recorded exactly when `observed` holds what
/// that create sent. After a lost create this tells hookwarden's own
/// resource from one someone else made with the same name meanwhile.
std::string observed_digest(const TenantResource& observed);

/// The POST/PUT body, without id, version or secret.
TenantResource desired_body(const ManifestEntry& desired);

/// Why `observed` must be deleted and created again to become `desired`,
/// when an update cannot do it.
std::optional<std::string> replace_reason(const ManifestEntry& desired,
                                          const TenantResource& observed);

/// Whether resources of `kind` carry a signing secret (webhooks do,
/// triggers do not).
bool has_secret(ResourceKind kind) noexcept;

/// The webhook manifest in `entry`, or null for another kind.
const WebhookManifest* webhook_manifest(const ManifestEntry& entry) noexcept;

} // namespace hookwarden
