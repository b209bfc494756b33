#include "core/webhook_rules.hpp"

#include "core/iso8601_duration.hpp"
#include "core/state_store.hpp" // sha256_digest

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

namespace hookwarden {

namespace json = boost::json;

std::string normalize_endpoint_url(std::string_view text) {
    auto parsed = boost::urls::parse_uri(text);
    if (!parsed)
        return std::string(text);
    boost::urls::url url(*parsed);
    url.normalize();
    if (url.has_port()) {
        const auto scheme = url.scheme_id();
        const bool default_port =
            url.port().empty() ||
            (scheme == boost::urls::scheme::https && url.port_number() == 443) ||
            (scheme == boost::urls::scheme::http && url.port_number() == 80);
        if (default_port)
            url.remove_port();
    }
    if (!url.has_authority() || !url.encoded_path().empty())
        return std::string(url.buffer());
    // "https://host" and "https://host/" are the same resource (RFC 3986
    // 6.2.3). Built by hand: this Boost.URL writes "/./" for set_path("/").
    std::string out =
        std::string(url.scheme()) + "://" + std::string(url.encoded_authority()) + "/";
    if (url.has_query())
        out += "?" + std::string(url.encoded_query());
    if (url.has_fragment())
        out += "#" + std::string(url.encoded_fragment());
    return out;
}

bool same_retry_interval(std::string_view a, std::string_view b) {
    if (a == b)
        return true;
    const auto da = parse_iso8601_duration(a);
    const auto db = parse_iso8601_duration(b);
    return da && db && *da == *db;
}

bool is_masked_secret(std::string_view echoed) {
    return std::all_of(echoed.begin(), echoed.end(), [](char c) { return c == '*'; });
}

namespace {

json::array to_json_array(const std::vector<std::string>& values) {
    json::array out;
    for (const auto& v : values)
        out.emplace_back(v);
    return out;
}

std::vector<std::string> sorted_unique(std::vector<std::string> values) {
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    return values;
}

} // namespace

FieldChange secret_field_change() { return FieldChange{"secret", std::nullopt, std::nullopt, true}; }


std::vector<FieldChange> diff_fields(const WebhookManifest& desired, const Webhook& observed) {
    std::vector<FieldChange> out;
    if (desired.name != observed.name)
        out.push_back(field_change("name", json::value(observed.name), json::value(desired.name)));
    if (sorted_unique(desired.event_types) != sorted_unique(observed.event_types))
        out.push_back(field_change("eventTypes", to_json_array(observed.event_types),
                             to_json_array(desired.event_types)));
    if (normalize_endpoint_url(desired.endpoint_url) !=
        normalize_endpoint_url(observed.endpoint_url))
        out.push_back(field_change("endpointUrl", json::value(observed.endpoint_url),
                             json::value(desired.endpoint_url)));
    if (desired.enabled != observed.enabled)
        out.push_back(
            field_change("enabled", json::value(observed.enabled), json::value(desired.enabled)));
    if (!same_retry_interval(desired.retry_policy.retry_interval,
                             observed.retry_policy.retry_interval))
        out.push_back(field_change("retryPolicy.retryInterval",
                             json::value(observed.retry_policy.retry_interval),
                             json::value(desired.retry_policy.retry_interval)));
    if (desired.retry_policy.max_retries != observed.retry_policy.max_retries)
        out.push_back(field_change("retryPolicy.maxRetries",
                             json::value(observed.retry_policy.max_retries),
                             json::value(desired.retry_policy.max_retries)));
    if (desired.payload_template != observed.payload_template)
        out.push_back(field_change("payloadTemplate", json::value(observed.payload_template),
                             json::value(desired.payload_template)));
    return out;
}

std::vector<FieldChange> creation_fields(const WebhookManifest& desired) {
    return {
        field_change("name", std::nullopt, json::value(desired.name)),
        field_change("eventTypes", std::nullopt, to_json_array(desired.event_types)),
        field_change("endpointUrl", std::nullopt, json::value(desired.endpoint_url)),
        field_change("enabled", std::nullopt, json::value(desired.enabled)),
        field_change("retryPolicy.retryInterval", std::nullopt,
               json::value(desired.retry_policy.retry_interval)),
        field_change("retryPolicy.maxRetries", std::nullopt,
               json::value(desired.retry_policy.max_retries)),
        field_change("payloadTemplate", std::nullopt, json::value(desired.payload_template)),
        secret_field_change(),
    };
}

std::string applied_digest(const WebhookManifest& desired) {
    // The canonical form is what the comparison treats as equal, so that a
    // cosmetic edit of a manifest (reordered event types, PT60S for PT1M) is
    // not mistaken for a changed manifest when telling drift apart.
    const auto seconds = parse_iso8601_duration(desired.retry_policy.retry_interval);
    json::object canonical{
        {"name", desired.name},
        {"eventTypes", to_json_array(sorted_unique(desired.event_types))},
        {"endpointUrl", normalize_endpoint_url(desired.endpoint_url)},
        {"enabled", desired.enabled},
        {"retryInterval", seconds ? json::value(seconds->count())
                                  : json::value(desired.retry_policy.retry_interval)},
        {"maxRetries", desired.retry_policy.max_retries},
        {"payloadTemplate", desired.payload_template},
    };
    return sha256_digest(json::serialize(canonical));
}

std::string observed_digest(const Webhook& observed) {
    WebhookManifest as_sent;
    as_sent.name = observed.name;
    as_sent.event_types = observed.event_types;
    as_sent.endpoint_url = observed.endpoint_url;
    as_sent.enabled = observed.enabled;
    as_sent.retry_policy = observed.retry_policy;
    as_sent.payload_template = observed.payload_template;
    return applied_digest(as_sent);
}

Webhook desired_body(const WebhookManifest& desired) {
    Webhook body;
    body.name = desired.name;
    body.event_types = desired.event_types;
    body.endpoint_url = desired.endpoint_url;
    body.retry_policy = desired.retry_policy;
    body.payload_template = desired.payload_template;
    body.enabled = desired.enabled;
    return body;
}

} // namespace hookwarden
