// The two kinds of resource a manifest may declare (SPEC §2 `kind:`).
#pragma once

#include <optional>
#include <string_view>

namespace hookwarden {

enum class ResourceKind {
    webhook, ///< `kind: Webhook`, the tutorial's webhook API (SPEC §5)
    trigger, ///< `kind: Trigger`, a Process Automation trigger (SPEC §8)
};

/// Lower case, as in `export --kind`, JSON output and journald's KIND=:
/// "webhook", "trigger".
const char* to_string(ResourceKind kind) noexcept;

/// The manifest's `kind:` value: "Webhook", "Trigger".
const char* manifest_kind_name(ResourceKind kind) noexcept;

/// Reads the lower-case form (`export --kind trigger`).
std::optional<ResourceKind> resource_kind_from_string(std::string_view text) noexcept;

} // namespace hookwarden
