#include "daemon/tenant/webhook_json.hpp"

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

namespace {

// Reads optional members of one JSON object, remembering the first member of
// the wrong type so that the caller reports one precise error.
class MemberReader {
public:
    MemberReader(const json::object& object, std::string prefix)
        : object_(object), prefix_(std::move(prefix)) {}

    void string(const char* key, std::string& out) {
        if (const auto* v = find(key)) {
            if (v->is_string())
                out = std::string(v->get_string());
            else
                wrong(key, "a string");
        }
    }
    void optional_string(const char* key, std::optional<std::string>& out) {
        if (const auto* v = find(key)) {
            if (v->is_string())
                out = std::string(v->get_string());
            else
                wrong(key, "a string");
        }
    }
    template <class Int> void integer(const char* key, Int& out) {
        if (const auto* v = find(key)) {
            if (v->is_int64())
                out = static_cast<Int>(v->get_int64());
            else if (v->is_uint64())
                out = static_cast<Int>(v->get_uint64());
            else
                wrong(key, "an integer");
        }
    }
    void boolean(const char* key, bool& out) {
        if (const auto* v = find(key)) {
            if (v->is_bool())
                out = v->get_bool();
            else
                wrong(key, "a boolean");
        }
    }
    const json::object* object(const char* key) {
        const auto* v = find(key);
        if (!v)
            return nullptr;
        if (!v->is_object()) {
            wrong(key, "an object");
            return nullptr;
        }
        return &v->get_object();
    }
    const json::array* array(const char* key) {
        const auto* v = find(key);
        if (!v)
            return nullptr;
        if (!v->is_array()) {
            wrong(key, "an array");
            return nullptr;
        }
        return &v->get_array();
    }
    void wrong(const std::string& key, const char* expected) {
        if (error_.empty())
            error_ = "webhook member '" + prefix_ + key + "' must be " + expected;
    }
    const std::string& error() const { return error_; }

private:
    const json::value* find(const char* key) const {
        const auto* v = object_.if_contains(key);
        return (v && !v->is_null()) ? v : nullptr;
    }

    const json::object& object_;
    std::string prefix_;
    std::string error_;
};

} // namespace

Result<Webhook> webhook_from_json(const json::value& value) {
    if (!value.is_object())
        return make_error(ErrorKind::invalid_input, "a webhook must be a JSON object");
    Webhook w;
    MemberReader r(value.get_object(), "");
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
    std::string nested_error;
    if (const auto* policy = r.object("retryPolicy")) {
        MemberReader p(*policy, "retryPolicy.");
        p.string("retryInterval", w.retry_policy.retry_interval);
        p.integer("maxRetries", w.retry_policy.max_retries);
        nested_error = p.error();
    }
    r.string("payloadTemplate", w.payload_template);
    r.boolean("enabled", w.enabled);
    r.optional_string("secret", w.secret);
    if (const auto* health = r.object("health")) {
        MemberReader h(*health, "health.");
        h.string("status", w.health.status);
        h.string("lastDeliveryAt", w.health.last_delivery_at);
        h.integer("consecutiveFailures", w.health.consecutive_failures);
        if (nested_error.empty())
            nested_error = h.error();
    }
    r.string("dateCreated", w.date_created);
    r.string("dateModified", w.date_modified);
    if (const auto* by = r.object("modifiedBy")) {
        MemberReader m(*by, "modifiedBy.");
        m.string("id", w.modified_by_id);
        if (nested_error.empty())
            nested_error = m.error();
    }
    r.string("selfUri", w.self_uri);

    const std::string& error = r.error().empty() ? nested_error : r.error();
    if (!error.empty())
        return make_error(ErrorKind::invalid_input, error, ErrorContext{.webhook = w.name});
    return w;
}

} // namespace hookwarden
