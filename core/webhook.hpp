// The webhook resource as the tenant API represents it (SPEC §5).
//
// This is the one model shared by hookwarden and the tenant emulator: the
// JSON shape of a webhook and nothing else, so that a misunderstanding of
// the API on one side is not silently mirrored on the other. Server-owned
// fields (id, version, health, dates, modifiedBy, selfUri) are carried but
// never part of a desired state. `secret` is write-only: a tenant may omit
// or echo it, and an absent value means "unknown", never "empty".
#pragma once

#include "core/error.hpp"

#include <boost/json/fwd.hpp>

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

/// Which fields `webhook_to_json` writes.
enum class WebhookJsonFields {
    resource,   ///< everything known, as a GET answers (secret only if set)
    write_body, ///< client-writable fields plus `version` when non-zero: a POST/PUT body
};

boost::json::object webhook_to_json(const Webhook& webhook,
                                    WebhookJsonFields fields = WebhookJsonFields::resource);

/// Reads a webhook from JSON. Unknown members are ignored (the API may grow);
/// a member of the wrong type is an `invalid_input` error naming it.
Result<Webhook> webhook_from_json(const boost::json::value& json);

} // namespace hookwarden
