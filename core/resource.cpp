#include "core/resource.hpp"

namespace hookwarden {


ResourceKind kind_of(const TenantResource& resource) noexcept {
    return std::holds_alternative<Trigger>(resource) ? ResourceKind::trigger
                                                     : ResourceKind::webhook;
}

const std::string& id_of(const TenantResource& resource) {
    return std::visit([](const auto& r) -> const std::string& { return r.id; }, resource);
}

const std::string& name_of(const TenantResource& resource) {
    return std::visit([](const auto& r) -> const std::string& { return r.name; }, resource);
}

std::int64_t version_of(const TenantResource& resource) {
    return std::visit([](const auto& r) { return r.version; }, resource);
}

ResourceKind kind_of(const ManifestEntry& entry) noexcept {
    return std::holds_alternative<TriggerManifest>(entry) ? ResourceKind::trigger
                                                          : ResourceKind::webhook;
}

const std::string& name_of(const ManifestEntry& entry) {
    return std::visit([](const auto& m) -> const std::string& { return m.name; }, entry);
}

const SourceLocation& location_of(const ManifestEntry& entry) {
    return std::visit([](const auto& m) -> const SourceLocation& { return m.location; }, entry);
}

} // namespace hookwarden
