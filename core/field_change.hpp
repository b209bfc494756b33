// One field of a resource that a plan changes, as people and scripts see it.
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string>

namespace hookwarden {

/// One field that differs. Values are JSON as the tenant API writes them;
/// absent on the side that has none (a create has no old values). The
/// secret is `sensitive`: never a value, only the fact that it changes.
struct FieldChange {
    std::string field; ///< name, eventTypes, endpointUrl, enabled,
                       ///< retryPolicy.retryInterval, retryPolicy.maxRetries,
                       ///< payloadTemplate, secret
    std::optional<boost::json::value> old_value;
    std::optional<boost::json::value> new_value;
    bool sensitive = false;

    bool operator==(const FieldChange&) const = default;
};

/// A field line of `field` from `old_value` to `new_value` (absent: none).
FieldChange field_change(std::string field, std::optional<boost::json::value> old_value,
                         std::optional<boost::json::value> new_value);

} // namespace hookwarden
