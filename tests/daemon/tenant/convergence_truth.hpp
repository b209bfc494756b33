// The randomized convergence test's view of the tenant, read from the
// emulator's control plane (never through hookwarden), and the comparison
// of what the tenant holds with what the model's manifests ask for.
#pragma once

#include "core/resource_kind.hpp"
#include "tests/daemon/tenant/convergence_desired.hpp"

#include <boost/json/object.hpp>

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hookwarden::test {
class EmulatorControl;
}

namespace hookwarden::convergence {

/// A tenant resource: its kind and id.
struct Key {
    ResourceKind kind = ResourceKind::webhook;
    std::string id;

    friend auto operator<=>(const Key&, const Key&) = default;
};

/// One resource as the emulator holds it, in the API's JSON shape
/// (webhooks with their secret: the control plane shows it).
struct Item {
    std::string name;
    std::int64_t version = 0;
    std::string modified_by; ///< webhooks only: modifiedBy.id
    boost::json::object body;
};

/// Everything the tenant holds at one moment.
struct TenantView {
    std::map<Key, Item> items;

    std::vector<Key> named(ResourceKind kind, const std::string& name) const;
    const Item* find(const Key& key) const;
};

/// Reads every webhook and trigger from the control plane; every webhook
/// secret seen is added to `secrets`.
TenantView observe(test::EmulatorControl& control, std::set<std::string>& secrets);

/// Why the tenant's webhook differs from the spec (semantically, as SPEC
/// §4a compares: event types as a set, retry intervals as durations), or
/// nothing when it matches. The secret is not compared here.
std::optional<std::string> webhook_difference(const Item& item, const WebhookSpec& spec);
/// The same for a trigger (criteria values compared as JSON values, numbers
/// by value; an absent description or criteria list is an empty one).
std::optional<std::string> trigger_difference(const Item& item, const TriggerSpec& spec);

/// The API body of a webhook the "UI" makes from `spec`, with `secret`.
boost::json::object ui_webhook_body(const WebhookSpec& spec, const std::string& secret);
/// The API body of a trigger the "UI" makes from `spec`.
boost::json::object ui_trigger_body(const TriggerSpec& spec);

const char* kind_name(ResourceKind kind);
std::string describe(const Key& key, const std::string& name);

} // namespace hookwarden::convergence
