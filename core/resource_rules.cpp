#include "core/resource_rules.hpp"

#include <stdexcept>

namespace hookwarden {

namespace {

// Calls `rule(desired, observed)` with both as their concrete kind; a pair
// of two kinds is a bug in the caller (the planner pairs by kind).
template <class Rule>
auto same_kind(const ManifestEntry& desired, const TenantResource& observed, Rule rule) {
    if (const auto* webhook = std::get_if<WebhookManifest>(&desired))
        if (const auto* found = std::get_if<Webhook>(&observed))
            return rule(*webhook, *found);
    if (const auto* trigger = std::get_if<TriggerManifest>(&desired))
        if (const auto* found = std::get_if<Trigger>(&observed))
            return rule(*trigger, *found);
    throw std::logic_error("a " + std::string(to_string(kind_of(desired))) +
                           " manifest was compared with a tenant " +
                           to_string(kind_of(observed)));
}

} // namespace

std::vector<FieldChange> diff_fields(const ManifestEntry& desired, const TenantResource& observed) {
    return same_kind(desired, observed,
                     [](const auto& d, const auto& o) { return diff_fields(d, o); });
}

std::vector<FieldChange> creation_fields(const ManifestEntry& desired) {
    return std::visit([](const auto& d) { return creation_fields(d); }, desired);
}

std::string applied_digest(const ManifestEntry& desired) {
    return std::visit([](const auto& d) { return applied_digest(d); }, desired);
}

std::string observed_digest(const TenantResource& observed) {
    return std::visit([](const auto& o) { return observed_digest(o); }, observed);
}

TenantResource desired_body(const ManifestEntry& desired) {
    return std::visit([](const auto& d) { return TenantResource(desired_body(d)); }, desired);
}

std::optional<std::string> replace_reason(const ManifestEntry& desired,
                                          const TenantResource& observed) {
    return same_kind(desired, observed, [](const auto& d, const auto& o) {
        if constexpr (std::is_same_v<std::decay_t<decltype(d)>, TriggerManifest>)
            return replace_reason(d, o);
        else
            return std::optional<std::string>(); // every webhook field is writable
    });
}

bool has_secret(ResourceKind kind) noexcept { return kind == ResourceKind::webhook; }

const WebhookManifest* webhook_manifest(const ManifestEntry& entry) noexcept {
    return std::get_if<WebhookManifest>(&entry);
}

} // namespace hookwarden
