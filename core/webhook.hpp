// The webhook resource as the tenant holds it (SPEC §5), in hookwarden's
// terms. Its JSON wire form lives with the adapter that speaks it
// (daemon/tenant/webhook_json.hpp): core knows no field name of the API.
// Server-owned
// fields (id, version, health, dates, modifiedBy, selfUri) are carried but
// never part of a desired state. `secret` is write-only: a tenant may omit
// or echo it, and an absent value means "unknown", never "empty".
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hookwarden {

struct RetryPolicy {
    std::string retry_interval = "PT1M"; ///< ISO-8601 duration, PT1S..P1D
    int max_retries = 3;                 ///< 0..10

    bool operator==(const RetryPolicy&) const = default;
};

struct WebhookHealth {
    std::string status = "unknown"; ///< unknown | healthy | degraded | failing
    std::string last_delivery_at;   ///< RFC 3339, empty before any delivery
    int consecutive_failures = 0;

    bool operator==(const WebhookHealth&) const = default;
};

struct Webhook {
    // Server-owned.
    std::string id;
    std::int64_t version = 0;
    WebhookHealth health;
    std::string date_created;
    std::string date_modified;
    std::string modified_by_id;
    std::string self_uri;

    // Client-writable.
    std::string name;
    std::vector<std::string> event_types;
    std::string endpoint_url;
    RetryPolicy retry_policy;
    std::string payload_template = "{{event}}";
    bool enabled = true;
    std::optional<std::string> secret; ///< present only when written or echoed

    bool operator==(const Webhook&) const = default;
};

} // namespace hookwarden
