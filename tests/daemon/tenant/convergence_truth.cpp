#include "tests/daemon/tenant/convergence_truth.hpp"

#include "core/iso8601_duration.hpp"
#include "core/webhook_rules.hpp"
#include "tests/support/emulator_control.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace hookwarden::convergence {

namespace json = boost::json;

namespace {

std::string string_at(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// JSON equality with numbers compared by value (5 and 5.0 are one number).
bool same_json(const json::value& a, const json::value& b) {
    if (a.is_number() && b.is_number())
        return a.to_number<double>() == b.to_number<double>();
    if (a.is_array() && b.is_array()) {
        const auto& x = a.get_array();
        const auto& y = b.get_array();
        if (x.size() != y.size())
            return false;
        for (std::size_t i = 0; i < x.size(); ++i)
            if (!same_json(x[i], y[i]))
                return false;
        return true;
    }
    return a == b;
}

std::optional<int> int_member(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v || v->is_null())
        return std::nullopt;
    return v->to_number<int>();
}

json::array criteria_json(const TriggerSpec& spec) {
    json::array out;
    for (const auto& c : spec.criteria) {
        json::object entry{{"jsonPath", c.json_path}, {"operator", c.op}};
        if (c.value)
            entry["value"] = *c.value;
        if (c.values)
            entry["values"] = json::array(c.values->begin(), c.values->end());
        out.push_back(std::move(entry));
    }
    return out;
}

} // namespace

const char* kind_name(ResourceKind kind) {
    return kind == ResourceKind::trigger ? "trigger" : "webhook";
}

std::string describe(const Key& key, const std::string& name) {
    return std::string(kind_name(key.kind)) + " \"" + name + "\" (id " + key.id + ")";
}

std::vector<Key> TenantView::named(ResourceKind kind, const std::string& name) const {
    std::vector<Key> out;
    for (const auto& [key, item] : items)
        if (key.kind == kind && item.name == name)
            out.push_back(key);
    return out;
}

const Item* TenantView::find(const Key& key) const {
    const auto it = items.find(key);
    return it == items.end() ? nullptr : &it->second;
}

TenantView observe(test::EmulatorControl& control, std::set<std::string>& secrets) {
    TenantView view;
    const json::object state = control.state();
    for (const auto& value : state.at("webhooks").as_array()) {
        const auto& w = value.as_object();
        Item item{string_at(w, "name"), w.at("version").to_number<std::int64_t>(), {}, w};
        if (const auto* by = w.if_contains("modifiedBy"); by && by->is_object())
            item.modified_by = string_at(by->get_object(), "id");
        if (auto secret = string_at(w, "secret"); !secret.empty())
            secrets.insert(secret);
        view.items.emplace(Key{ResourceKind::webhook, string_at(w, "id")}, std::move(item));
    }
    for (auto& t : control.triggers()) {
        Item item{string_at(t, "name"), t.at("version").to_number<std::int64_t>(), {}, t};
        view.items.emplace(Key{ResourceKind::trigger, string_at(t, "id")}, std::move(item));
    }
    return view;
}

std::optional<std::string> webhook_difference(const Item& item, const WebhookSpec& spec) {
    const json::object& w = item.body;
    std::set<std::string> events;
    for (const auto& e : w.at("eventTypes").as_array())
        events.insert(std::string(e.as_string()));
    if (events != std::set<std::string>(spec.event_types.begin(), spec.event_types.end()))
        return "eventTypes differ";
    if (normalize_endpoint_url(string_at(w, "endpointUrl")) != normalize_endpoint_url(spec.endpoint_url))
        return "endpointUrl is " + string_at(w, "endpointUrl") + ", the manifest says " + spec.endpoint_url;
    if (w.at("enabled").as_bool() != spec.enabled)
        return "enabled differs";
    const auto& policy = w.at("retryPolicy").as_object();
    if (parse_iso8601_duration(string_at(policy, "retryInterval")) != parse_iso8601_duration(spec.retry_interval))
        return "retryInterval is " + string_at(policy, "retryInterval") + ", the manifest says " +
               spec.retry_interval;
    if (policy.at("maxRetries").to_number<int>() != spec.max_retries)
        return "maxRetries differs";
    if (string_at(w, "payloadTemplate") != spec.payload_template)
        return "payloadTemplate differs";
    return std::nullopt;
}

std::optional<std::string> trigger_difference(const Item& item, const TriggerSpec& spec) {
    const json::object& t = item.body;
    if (string_at(t, "topicName") != spec.topic)
        return "topicName is " + string_at(t, "topicName") + ", the manifest says " + spec.topic;
    const auto& target = t.at("target").as_object();
    if (string_at(target, "type") != "Workflow" || string_at(target, "id") != spec.workflow)
        return "target differs";
    std::string format = "TopLevelPrimitives"; // the API's reading of a target without settings
    if (const auto* settings = target.if_contains("workflowTargetSettings"); settings && settings->is_object())
        format = string_at(settings->get_object(), "dataFormat");
    if (format != spec.data_format)
        return "dataFormat is " + format + ", the manifest says " + spec.data_format;
    json::array criteria;
    if (const auto* c = t.if_contains("matchCriteria"); c && c->is_array())
        criteria = c->get_array();
    const json::array wanted = criteria_json(spec);
    if (criteria.size() != wanted.size())
        return "matchCriteria differ in length";
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        const auto& have = criteria[i].as_object();
        const auto& want = wanted[i].as_object();
        if (string_at(have, "jsonPath") != string_at(want, "jsonPath") ||
            string_at(have, "operator") != string_at(want, "operator"))
            return "matchCriteria[" + std::to_string(i) + "] differs";
        for (const char* member : {"value", "values"}) {
            const auto* a = have.if_contains(member);
            const auto* b = want.if_contains(member);
            if ((a == nullptr) != (b == nullptr) || (a && !same_json(*a, *b)))
                return "matchCriteria[" + std::to_string(i) + "]." + member + " is " +
                       (a ? json::serialize(*a) : "absent") + ", the manifest says " +
                       (b ? json::serialize(*b) : "absent");
        }
    }
    if (t.at("enabled").as_bool() != spec.enabled)
        return "enabled differs";
    if (int_member(t, "eventTTLSeconds") != spec.ttl)
        return "eventTTLSeconds differs";
    if (int_member(t, "delayBySeconds") != spec.delay)
        return "delayBySeconds differs";
    if (string_at(t, "description") != spec.description)
        return "description differs";
    return std::nullopt;
}

json::object ui_webhook_body(const WebhookSpec& spec, const std::string& secret) {
    json::array events;
    for (const auto& e : spec.event_types)
        events.emplace_back(e);
    return {{"name", spec.name},
            {"eventTypes", std::move(events)},
            {"endpointUrl", spec.endpoint_url},
            {"enabled", spec.enabled},
            {"retryPolicy", {{"retryInterval", spec.retry_interval}, {"maxRetries", spec.max_retries}}},
            {"payloadTemplate", spec.payload_template},
            {"secret", secret}};
}

json::object ui_trigger_body(const TriggerSpec& spec) {
    json::object body{{"name", spec.name},
                      {"topicName", spec.topic},
                      {"target",
                       {{"type", "Workflow"},
                        {"id", spec.workflow},
                        {"workflowTargetSettings", {{"dataFormat", spec.data_format}}}}},
                      {"enabled", spec.enabled}};
    if (!spec.criteria.empty())
        body["matchCriteria"] = criteria_json(spec);
    if (spec.ttl)
        body["eventTTLSeconds"] = *spec.ttl;
    if (spec.delay)
        body["delayBySeconds"] = *spec.delay;
    if (!spec.description.empty())
        body["description"] = spec.description;
    return body;
}

} // namespace hookwarden::convergence
