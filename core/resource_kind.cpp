#include "core/resource_kind.hpp"

namespace hookwarden {

const char* to_string(ResourceKind kind) noexcept {
    switch (kind) {
    case ResourceKind::webhook:
        return "webhook";
    case ResourceKind::trigger:
        return "trigger";
    }
    return "webhook";
}

const char* manifest_kind_name(ResourceKind kind) noexcept {
    switch (kind) {
    case ResourceKind::webhook:
        return "Webhook";
    case ResourceKind::trigger:
        return "Trigger";
    }
    return "Webhook";
}

std::optional<ResourceKind> resource_kind_from_string(std::string_view text) noexcept {
    if (text == "webhook")
        return ResourceKind::webhook;
    if (text == "trigger")
        return ResourceKind::trigger;
    return std::nullopt;
}

} // namespace hookwarden
