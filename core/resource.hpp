// The kinds of tenant resource hookwarden manages (webhooks, SPEC §2/§5, and
// Process Automation triggers, SPEC §8) and the kind-neutral view the
// planner and the engine work with.
//
// The reconcile rules (identity by name, ownership, adoption, drift, 409,
// lost creates, prune and its budget) are the same for every kind; what
// differs is data: the fields compared, which changes force a replace, and
// whether a secret goes with the resource. That data is in
// core/resource_rules.hpp; nothing else in core branches on the kind.
#pragma once

#include "core/manifest.hpp"
#include "core/trigger.hpp"
#include "core/webhook.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace hookwarden {

/// A resource as the tenant holds it, of either kind.
using TenantResource = std::variant<Webhook, Trigger>;

/// A resource as a manifest declares it, of either kind.
using ManifestEntry = std::variant<WebhookManifest, TriggerManifest>;

/// A resource's identity in hookwarden: its kind and `metadata.name`.
struct ResourceKey {
    ResourceKind kind = ResourceKind::webhook;
    std::string name;

    auto operator<=>(const ResourceKey&) const = default;
    bool operator==(const ResourceKey&) const = default;
};

inline constexpr std::array<ResourceKind, 2> all_resource_kinds{ResourceKind::webhook,
                                                                ResourceKind::trigger};

// kind_of only asks which alternative is held. The other accessors read
// through std::visit, which throws std::bad_variant_access on a variant
// left valueless by a failed assignment: a broken invariant, reported as an
// exception like the others (core/error.hpp), so they are not noexcept.
ResourceKind kind_of(const TenantResource& resource) noexcept;
const std::string& id_of(const TenantResource& resource);
const std::string& name_of(const TenantResource& resource);
std::int64_t version_of(const TenantResource& resource);

ResourceKind kind_of(const ManifestEntry& entry) noexcept;
const std::string& name_of(const ManifestEntry& entry);
const SourceLocation& location_of(const ManifestEntry& entry);

} // namespace hookwarden
