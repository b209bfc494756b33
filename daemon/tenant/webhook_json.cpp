#include "daemon/tenant/webhook_json.hpp"
#include "daemon/tenant/json_members.hpp"

#include <boost/json.hpp>

namespace hookwarden {
namespace json = boost::json;

json::object webhook_to_json(const Webhook& w, WebhookJsonFields fields) {
    json::object o;
    const bool resource = fields == WebhookJsonFields::resource;
    if (resource && !w.id.empty())
        o["id"] = w.id;
    o["name"] = w.name;
    if (resource || w.version != 0)
        o["version"] = w.version;
    json::array events;
    for (const auto& e : w.event_types)
        events.emplace_back(e);
    o["eventTypes"] = std::move(events);
    o["endpointUrl"] = w.endpoint_url;
    o["retryPolicy"] = {{"retryInterval", w.retry_policy.retry_interval},
                        {"maxRetries", w.retry_policy.max_retries}};
    o["payloadTemplate"] = w.payload_template;
    o["enabled"] = w.enabled;
    if (w.secret)
        o["secret"] = *w.secret;
    if (!resource)
        return o;

    json::object health{{"status", w.health.status},
                        {"consecutiveFailures", w.health.consecutive_failures}};
    if (!w.health.last_delivery_at.empty())
        health["lastDeliveryAt"] = w.health.last_delivery_at;
    o["health"] = std::move(health);
    if (!w.date_created.empty())
        o["dateCreated"] = w.date_created;
    if (!w.date_modified.empty())
        o["dateModified"] = w.date_modified;
    if (!w.modified_by_id.empty())
        o["modifiedBy"] = {{"id", w.modified_by_id}};
    if (!w.self_uri.empty())
        o["selfUri"] = w.self_uri;
    return o;
}

Result<Webhook> webhook_from_json(const json::value& value) {
    if (!value.is_object())
        return make_error(ErrorKind::invalid_input, "a webhook must be a JSON object");
    Webhook w;
    JsonMembers r(value.get_object(), "webhook");
    r.string("id", w.id);
    r.integer("version", w.version);
    r.string("name", w.name);
    if (const auto* events = r.array("eventTypes")) {
        for (const auto& e : *events) {
            if (!e.is_string()) {
                r.wrong("eventTypes", "an array of strings");
                break;
            }
            w.event_types.emplace_back(e.get_string());
        }
    }
    r.string("endpointUrl", w.endpoint_url);
    if (const auto* policy = r.object("retryPolicy")) {
        auto p = r.nested(*policy, "retryPolicy");
        p.string("retryInterval", w.retry_policy.retry_interval);
        p.integer("maxRetries", w.retry_policy.max_retries);
        r.adopt(p);
    }
    r.string("payloadTemplate", w.payload_template);
    r.boolean("enabled", w.enabled);
    r.string("secret", w.secret);
    if (const auto* health = r.object("health")) {
        auto h = r.nested(*health, "health");
        h.string("status", w.health.status);
        h.string("lastDeliveryAt", w.health.last_delivery_at);
        h.integer("consecutiveFailures", w.health.consecutive_failures);
        r.adopt(h);
    }
    r.string("dateCreated", w.date_created);
    r.string("dateModified", w.date_modified);
    if (const auto* by = r.object("modifiedBy")) {
        auto m = r.nested(*by, "modifiedBy");
        m.string("id", w.modified_by_id);
        r.adopt(m);
    }
    r.string("selfUri", w.self_uri);

    if (!r.error().empty())
        return make_error(ErrorKind::invalid_input, r.error(), ErrorContext{.webhook = w.name});
    return w;
}

} // namespace hookwarden
