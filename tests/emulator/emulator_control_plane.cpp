// The control plane under /_emulator/: how tests and demos look inside the
// emulated tenant and act as "someone else" (a person in the UI, the
// delivery pipeline, a flaky network). JSON in, JSON out, no auth (the
// router only serves it to loopback peers). Bodies are read strictly:
// an unknown member is a 400, so that a typo in a test fails loudly.
#include "tests/emulator/emulator_answers.hpp"
#include "daemon/tenant/webhook_json.hpp"

#include "tests/emulator/emulator_delivery_queue.hpp"
#include "tests/emulator/emulator_trigger_validation.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace hookwarden::emulator {
namespace json = boost::json;

namespace {

constexpr std::string_view kWebhooksPrefix = "/_emulator/webhooks/";
constexpr std::string_view kTriggersPrefix = "/_emulator/triggers/";
constexpr std::int64_t kMaxEventsAtOnce = 100'000;

json::object settings_json(const Settings& s) {
    return {{"clientId", s.client_id},
            {"rpm", s.rpm},
            {"burst", rate_capacity(s.rpm)},
            {"tokenLifetime", s.token_lifetime.count()},
            {"echoSecrets", s.echo_secrets},
            {"rateLimitHeaders", s.rate_limit_headers}};
}

json::object fault_json(const FaultRule& f) {
    json::object o{{"method", f.method},
                   {"path", f.path},
                   {"count", f.count},
                   {"action", to_string(f.action)}};
    if (f.action == FaultAction::status) {
        o["status"] = f.status;
        if (f.retry_after)
            o["retryAfter"] = *f.retry_after;
    }
    if (f.action == FaultAction::hang)
        o["seconds"] = f.seconds;
    return o;
}

json::object counters_json(const Counters& c) {
    json::object requests;
    for (const auto& [route, n] : c.requests)
        requests[route] = n;
    json::object statuses;
    for (const auto& [status, n] : c.statuses)
        statuses[std::to_string(status)] = n;
    return {{"requests", std::move(requests)}, {"statuses", std::move(statuses)},
            {"rateLimited", c.rate_limited},   {"writes", c.writes},
            {"tokensIssued", c.tokens_issued}, {"connections", c.connections}};
}

/// The body as a JSON object, or the 400 answer.
Result<json::object> object_body(const Call& call, std::string_view what) {
    auto body = parse_body(call, json::object{});
    if (!body)
        return body.error();
    if (!body->is_object())
        return make_error(ErrorKind::invalid_input, std::string(what) + " must be a JSON object");
    return std::move(body->get_object());
}

HttpResponse configure(Tenant& tenant, const Call& call) {
    auto body = object_body(call, "the config");
    if (!body)
        return error_answer(call, body.error());
    if (auto known = only_known_members(*body, {"rpm", "tokenLifetime", "echoSecrets", "rateLimitHeaders"},
                                          "the config");
        !known)
        return error_answer(call, known.error());

    SettingsChange change;
    const auto integer = [&](std::string_view key, auto& out, auto make) -> bool {
        const auto* v = body->if_contains(key);
        if (!v)
            return true;
        const auto n = as_integer(*v);
        if (!n || *n > INT32_MAX || *n < INT32_MIN)
            return false;
        out = make(*n);
        return true;
    };
    const bool ok =
        integer("rpm", change.rpm, [](std::int64_t n) { return static_cast<int>(n); }) &&
        integer("tokenLifetime", change.token_lifetime,
                [](std::int64_t n) { return std::chrono::seconds{n}; });
    if (!ok)
        return error_answer(call, 400, "bad.request", "rpm and tokenLifetime must be integers");
    for (const auto& [key, out] : {std::pair{"echoSecrets", &change.echo_secrets},
                                   std::pair{"rateLimitHeaders", &change.rate_limit_headers}}) {
        const auto* v = body->if_contains(key);
        if (!v)
            continue;
        if (!v->is_bool())
            return error_answer(call, 400, "bad.request", std::string(key) + " must be a boolean");
        *out = v->get_bool();
    }
    const auto settings = tenant.configure(change);
    if (!settings)
        return error_answer(call, settings.error());
    return json_answer(200, settings_json(*settings));
}

HttpResponse add_fault(Tenant& tenant, const Call& call) {
    auto body = object_body(call, "a fault");
    if (!body)
        return error_answer(call, body.error());
    if (auto known = only_known_members(
            *body, {"method", "path", "count", "action", "status", "retryAfter", "seconds"},
            "a fault");
        !known)
        return error_answer(call, known.error());

    FaultRule rule;
    const auto* action = body->if_contains("action");
    const auto parsed_action = action && action->is_string()
                                   ? fault_action_from_string(action->get_string())
                                   : std::nullopt;
    if (!parsed_action)
        return error_answer(call, 400, "bad.request",
                            "action must be one of status, reset, hang, malformed, "
                            "commit-then-reset");
    rule.action = *parsed_action;
    for (const auto key : {"method", "path"}) {
        if (const auto* v = body->if_contains(key)) {
            if (!v->is_string())
                return error_answer(call, 400, "bad.request",
                                    std::string(key) + " must be a string");
            (std::string_view(key) == "method" ? rule.method : rule.path) = v->get_string();
        }
    }
    for (const auto key : {"count", "status", "retryAfter"}) {
        const auto* v = body->if_contains(key);
        if (!v)
            continue;
        const auto n = as_integer(*v);
        if (!n || *n > INT32_MAX || *n < INT32_MIN)
            return error_answer(call, 400, "bad.request", std::string(key) + " must be an integer");
        const int value = static_cast<int>(*n);
        if (std::string_view(key) == "count")
            rule.count = value;
        else if (std::string_view(key) == "status")
            rule.status = value;
        else
            rule.retry_after = value;
    }
    if (const auto* v = body->if_contains("seconds")) {
        if (!v->is_number())
            return error_answer(call, 400, "bad.request", "seconds must be a number");
        rule.seconds = v->to_number<double>();
    }
    if (auto added = tenant.add_fault(rule); !added)
        return error_answer(call, added.error());
    return json_answer(201, fault_json(rule));
}

HttpResponse list_faults(Tenant& tenant) {
    json::array faults;
    for (const auto& f : tenant.faults())
        faults.push_back(fault_json(f));
    return json_answer(200, {{"faults", std::move(faults)}});
}

HttpResponse state(Tenant& tenant) {
    json::array webhooks;
    for (const auto& w : tenant.webhooks())
        webhooks.push_back(webhook_json(w, true));
    return json_answer(200, {{"webhooks", std::move(webhooks)}});
}

HttpResponse insert_webhook(Tenant& tenant, const Call& call) {
    const auto body = parse_body(call);
    if (!body)
        return error_answer(call, body.error());
    auto webhook = webhook_from_json(*body);
    if (!webhook)
        return error_answer(call, webhook.error());
    const auto created = tenant.create(std::move(*webhook), ui_actor());
    if (!created)
        return error_answer(call, created.error());
    return json_answer(201, webhook_json(*created, true));
}

HttpResponse drift_webhook(Tenant& tenant, const Call& call, std::string_view id) {
    auto patch = object_body(call, "a drift");
    if (!patch)
        return error_answer(call, patch.error());
    if (auto known = only_known_members(*patch,
                                        {"name", "eventTypes", "endpointUrl", "retryPolicy",
                                         "payloadTemplate", "enabled", "secret"},
                                        "a drift (only client-writable fields drift)");
        !known)
        return error_answer(call, known.error());
    // A field the UI cannot empty must not be erased by a null, and a typo in
    // retryPolicy must not answer 200 having changed nothing.
    for (const auto& [key, value] : *patch)
        if (value.is_null() && key != "secret")
            return error_answer(call, 400, "bad.request",
                                std::string(key) +
                                    " cannot be null in a drift (only \"secret\": null, which "
                                    "drops the secret)");
    if (const auto* policy = patch->if_contains("retryPolicy"); policy && policy->is_object()) {
        if (auto known = only_known_members(policy->get_object(), {"retryInterval", "maxRetries"},
                                            "retryPolicy");
            !known)
            return error_answer(call, known.error());
        for (const auto& [key, value] : policy->get_object())
            if (value.is_null())
                return error_answer(call, 400, "bad.request",
                                    "retryPolicy." + std::string(key) +
                                        " cannot be null in a drift");
    }

    const auto drifted = tenant.modify(id, ui_actor(), [&](Webhook& draft) -> Result<void> {
        json::object merged = webhook_to_json(draft);
        for (const auto& [key, value] : *patch) {
            if (key == "retryPolicy" && value.is_object() && merged["retryPolicy"].is_object()) {
                for (const auto& [inner, inner_value] : value.get_object())
                    merged["retryPolicy"].get_object()[inner] = inner_value;
            } else if (value.is_null()) {
                merged.erase(key); // "secret": null, the only null let through, drops the secret
            } else {
                merged[key] = value;
            }
        }
        auto changed = webhook_from_json(merged);
        if (!changed)
            return changed.error();
        draft.name = changed->name;
        draft.event_types = changed->event_types;
        draft.endpoint_url = changed->endpoint_url;
        draft.retry_policy = changed->retry_policy;
        draft.payload_template = changed->payload_template;
        draft.enabled = changed->enabled;
        draft.secret = changed->secret;
        return {};
    });
    if (!drifted)
        return error_answer(call, drifted.error());
    return json_answer(200, webhook_json(*drifted, true));
}

HttpResponse record_deliveries(Tenant& tenant, const Call& call, std::string_view id) {
    auto body = object_body(call, "the deliveries");
    if (!body)
        return error_answer(call, body.error());
    if (auto known = only_known_members(*body, {"deliveries"}, "the deliveries body"); !known)
        return error_answer(call, known.error());
    const auto* list = body->if_contains("deliveries");
    if (!list || !list->is_array())
        return error_answer(call, 400, "bad.request",
                            "deliveries must be an array of {\"ok\", \"latencyMs\", \"at\"}");

    const TimePoint now = tenant.now();
    std::vector<Delivery> deliveries;
    for (const auto& item : list->get_array()) {
        const auto* d = item.if_object();
        if (!d)
            return error_answer(call, 400, "bad.request", "every delivery must be an object");
        if (auto known = only_known_members(*d, {"ok", "latencyMs", "at"}, "a delivery"); !known)
            return error_answer(call, known.error());
        Delivery delivery{now, true, std::nullopt};
        const auto* ok = d->if_contains("ok");
        if (!ok || !ok->is_bool())
            return error_answer(call, 400, "bad.request",
                                "every delivery needs \"ok\": true|false");
        delivery.ok = ok->get_bool();
        if (const auto* latency = d->if_contains("latencyMs")) {
            const auto n = as_integer(*latency);
            if (!n || *n < 0)
                return error_answer(call, 400, "bad.request",
                                    "latencyMs must be a non-negative integer");
            delivery.latency_ms = *n;
        }
        if (const auto* at = d->if_contains("at")) {
            const auto t = at->is_string() ? parse_rfc3339(at->get_string()) : std::nullopt;
            if (!t)
                return error_answer(call, 400, "bad.request", "at must be an RFC 3339 timestamp");
            delivery.at = *t;
        }
        deliveries.push_back(delivery);
    }
    if (auto recorded = tenant.record_deliveries(id, deliveries); !recorded)
        return error_answer(call, recorded.error());
    const auto webhook = tenant.webhook(id);
    json::value health = webhook ? json::value(webhook_to_json(*webhook)["health"]) : nullptr;
    return json_answer(200, {{"recorded", deliveries.size()}, {"health", std::move(health)}});
}

HttpResponse fire_events(DeliveryQueue& deliveries, const Call& call) {
    auto body = object_body(call, "an event firing");
    if (!body)
        return error_answer(call, body.error());
    if (auto known = only_known_members(*body, {"eventType", "count", "event"}, "an event firing");
        !known)
        return error_answer(call, known.error());
    EventFiring firing;
    const auto* type = body->if_contains("eventType");
    if (!type || !type->is_string() || type->get_string().empty())
        return error_answer(call, 400, "bad.request", "eventType must be a non-empty string");
    firing.event_type = type->get_string();
    if (const auto* count = body->if_contains("count")) {
        const auto n = as_integer(*count);
        if (!n || *n < 1 || *n > kMaxEventsAtOnce)
            return error_answer(call, 400, "bad.request",
                                "count must be an integer from 1 to " +
                                    std::to_string(kMaxEventsAtOnce));
        firing.count = static_cast<int>(*n);
    }
    if (const auto* event = body->if_contains("event")) {
        if (!event->is_object())
            return error_answer(call, 400, "bad.request",
                                "event must be an object of members to merge over each event");
        firing.overrides = event->get_object();
    }
    return json_answer(202, {{"queued", deliveries.fire(firing)}});
}

// --- Triggers, their topics, the client's permissions ---------------------------

HttpResponse list_triggers(Tenant& tenant) {
    json::array triggers;
    for (auto& t : tenant.triggers())
        triggers.push_back(std::move(t.body));
    return json_answer(200, {{"triggers", std::move(triggers)}});
}

/// The 400 answer for a trigger with shape problems (values out of range
/// are let through: the UI stands for whatever the tenant already holds).
std::optional<HttpResponse> refuse_misshapen_trigger(const Call& call, const json::value& trigger) {
    auto problems = validate_trigger_body(trigger, nullptr);
    std::erase_if(problems, [](const FieldProblem& p) { return !is_shape_problem(p); });
    if (problems.empty())
        return std::nullopt;
    return invalid_body_answer(call, "trigger", problems);
}

HttpResponse insert_trigger(Tenant& tenant, const Call& call) {
    const auto body = parse_body(call);
    if (!body)
        return error_answer(call, body.error());
    if (auto refused = refuse_misshapen_trigger(call, *body))
        return std::move(*refused);
    json::object trigger = trigger_from_body(body->get_object());
    if (const auto* id = body->get_object().if_contains("id"); id && id->is_string())
        trigger["id"] = *id;
    const auto created = tenant.create_trigger(std::move(trigger));
    if (!created)
        return error_answer(call, created.error());
    return json_answer(201, *created);
}

HttpResponse drift_trigger(Tenant& tenant, const Call& call, std::string_view id) {
    auto patch = object_body(call, "a drift");
    if (!patch)
        return error_answer(call, patch.error());
    if (auto known = only_known_members(*patch,
                                        {"name", "topicName", "target", "matchCriteria", "enabled",
                                         "eventTTLSeconds", "delayBySeconds", "description"},
                                        "a trigger drift (only client-writable fields drift)");
        !known)
        return error_answer(call, known.error());
    for (const auto& [key, value] : *patch)
        if (value.is_null() && (key == "name" || key == "topicName" || key == "target" ||
                                key == "enabled"))
            return error_answer(call, 400, "bad.request",
                                std::string(key) +
                                    " cannot be null in a drift (only matchCriteria, "
                                    "eventTTLSeconds, delayBySeconds and description can be "
                                    "removed)");

    std::optional<HttpResponse> refused;
    const auto drifted = tenant.modify_trigger(id, [&](json::object& draft) -> Result<void> {
        for (const auto& [key, value] : *patch) {
            if (key == "target" && value.is_object() && draft["target"].is_object()) {
                for (const auto& [inner, inner_value] : value.get_object())
                    draft["target"].get_object()[inner] = inner_value;
            } else if (value.is_null()) {
                draft.erase(key);
            } else {
                draft[key] = value;
            }
        }
        refused = refuse_misshapen_trigger(call, draft);
        if (refused)
            return make_error(ErrorKind::invalid_input, "the drifted trigger is misshapen");
        draft = trigger_from_body(draft);
        return {};
    });
    if (refused)
        return std::move(*refused);
    if (!drifted)
        return error_answer(call, drifted.error());
    return json_answer(200, *drifted);
}

json::array json_strings(const std::vector<std::string>& items) {
    json::array list;
    for (const auto& item : items)
        list.emplace_back(item);
    return list;
}

json::object topics_json(const std::vector<std::string>& topics) {
    return {{"topics", json_strings(topics)}};
}

HttpResponse set_topics(Tenant& tenant, const Call& call) {
    auto body = object_body(call, "the topics");
    if (!body)
        return error_answer(call, body.error());
    if (auto known = only_known_members(*body, {"topics"}, "the topics body"); !known)
        return error_answer(call, known.error());
    const auto* list = body->if_contains("topics");
    if (!list || !list->is_array())
        return error_answer(call, 400, "bad.request", "topics must be an array of topic names");
    std::vector<std::string> topics;
    for (const auto& t : list->get_array()) {
        if (!t.is_string())
            return error_answer(call, 400, "bad.request", "every topic must be a string");
        topics.emplace_back(t.get_string());
    }
    if (auto set = tenant.set_trigger_topics(std::move(topics)); !set)
        return error_answer(call, set.error());
    return json_answer(200, topics_json(tenant.trigger_topics()));
}

json::object permissions_json(const Tenant& tenant) {
    return {{"denied", json_strings(tenant.denied_permissions())}};
}

HttpResponse change_permissions(Tenant& tenant, const Call& call) {
    auto body = object_body(call, "a permission change");
    if (!body)
        return error_answer(call, body.error());
    if (auto known = only_known_members(*body, {"deny", "allow"}, "a permission change"); !known)
        return error_answer(call, known.error());
    // Every name is checked before any changes, so that a typo changes nothing.
    std::vector<std::pair<std::string, bool>> changes;
    for (const auto key : {"deny", "allow"}) {
        const auto* list = body->if_contains(key);
        if (!list)
            continue;
        if (!list->is_array())
            return error_answer(call, 400, "bad.request",
                                std::string(key) + " must be an array of permission names");
        for (const auto& p : list->get_array()) {
            const auto& known = trigger_permissions();
            if (!p.is_string() ||
                std::find(known.begin(), known.end(), std::string_view(p.get_string())) ==
                    known.end())
                return error_answer(call, 400, "bad.request",
                                    json::serialize(p) +
                                        " is not a permission the emulator checks "
                                        "(processautomation:trigger:view, :add, :edit or :delete)");
            changes.emplace_back(p.get_string(), std::string_view(key) == "allow");
        }
    }
    for (const auto& [permission, granted] : changes)
        if (auto changed = tenant.grant_permission(permission, granted); !changed)
            return error_answer(call, changed.error());
    return json_answer(200, permissions_json(tenant));
}

HttpResponse serve_trigger_control(Tenant& tenant, const Call& call) {
    const std::string& method = call.request.method;
    const std::string& path = call.path;
    const auto not_allowed = [&] {
        return error_answer(call, 405, "method.not.allowed", method + " is not allowed on " + path);
    };
    if (path == "/_emulator/triggers") {
        if (method == "GET")
            return list_triggers(tenant);
        return method == "POST" ? insert_trigger(tenant, call) : not_allowed();
    }
    if (path == "/_emulator/trigger-topics") {
        if (method == "GET")
            return json_answer(200, topics_json(tenant.trigger_topics()));
        return method == "PUT" ? set_topics(tenant, call) : not_allowed();
    }
    if (path == "/_emulator/permissions") {
        if (method == "GET")
            return json_answer(200, permissions_json(tenant));
        return method == "POST" ? change_permissions(tenant, call) : not_allowed();
    }
    const std::string_view id = std::string_view(path).substr(kTriggersPrefix.size());
    if (id.empty() || id.find('/') != std::string_view::npos)
        return error_answer(call, 404, "not.found",
                            "The emulator control plane has nothing at " + path);
    if (method == "PATCH")
        return drift_trigger(tenant, call, id);
    if (method != "DELETE")
        return not_allowed();
    if (auto removed = tenant.remove_trigger(id); !removed)
        return error_answer(call, removed.error());
    return empty_answer(204);
}

json::object counts_json(const DeliveryCounts& c) {
    return {{"succeeded", c.succeeded}, {"failed", c.failed}, {"attempts", c.attempts}};
}

HttpResponse delivery_stats(const DeliveryQueue& deliveries) {
    const DeliveryStats stats = deliveries.stats();
    json::object webhooks;
    for (const auto& [id, counts] : stats.webhooks)
        webhooks[id] = counts_json(counts);
    json::object body{{"queued", stats.queued}, {"inFlight", stats.in_flight}};
    for (auto& [key, value] : counts_json(stats.total))
        body[key] = value;
    body["dropped"] = stats.dropped;
    body["webhooks"] = std::move(webhooks);
    return json_answer(200, body);
}

} // namespace

HttpResponse serve_control_plane(Tenant& tenant, DeliveryQueue* deliveries, const Call& call) {
    const std::string& method = call.request.method;
    const std::string& path = call.path;
    const auto not_allowed = [&] {
        return error_answer(call, 405, "method.not.allowed", method + " is not allowed on " + path);
    };

    if (path == "/_emulator/state")
        return method == "GET" ? state(tenant) : not_allowed();
    if (path == "/_emulator/counters")
        return method == "GET" ? json_answer(200, counters_json(tenant.counters())) : not_allowed();
    if (path == "/_emulator/reset") {
        if (method != "POST")
            return not_allowed();
        // Deliveries first, so that no attempt in flight records into the new tenant.
        if (deliveries)
            deliveries->reset();
        tenant.reset();
        return empty_answer(204);
    }
    if (path == "/_emulator/revoke-tokens") {
        if (method != "POST")
            return not_allowed();
        tenant.revoke_tokens();
        return empty_answer(204);
    }
    if (path == "/_emulator/config") {
        if (method == "GET")
            return json_answer(200, settings_json(tenant.settings()));
        return method == "POST" ? configure(tenant, call) : not_allowed();
    }
    if (path == "/_emulator/faults") {
        if (method == "GET")
            return list_faults(tenant);
        if (method == "POST")
            return add_fault(tenant, call);
        if (method == "DELETE") {
            tenant.clear_faults();
            return empty_answer(204);
        }
        return not_allowed();
    }
    if (path == "/_emulator/events" || path == "/_emulator/deliveries") {
        const bool events = path == "/_emulator/events";
        if (method != (events ? "POST" : "GET"))
            return not_allowed();
        if (!deliveries)
            return error_answer(call, 501, "not.implemented",
                                "This emulator was built without a delivery queue");
        return events ? fire_events(*deliveries, call) : delivery_stats(*deliveries);
    }
    if (path == "/_emulator/triggers" || path == "/_emulator/trigger-topics" ||
        path == "/_emulator/permissions" || path.starts_with(kTriggersPrefix))
        return serve_trigger_control(tenant, call);
    if (path == "/_emulator/webhooks")
        return method == "POST" ? insert_webhook(tenant, call) : not_allowed();
    if (path.starts_with(kWebhooksPrefix)) {
        std::string_view rest = std::string_view(path).substr(kWebhooksPrefix.size());
        const auto slash = rest.find('/');
        const std::string_view id = rest.substr(0, slash);
        const std::string_view tail = slash == std::string_view::npos ? "" : rest.substr(slash);
        if (!id.empty() && tail.empty()) {
            if (method == "PATCH")
                return drift_webhook(tenant, call, id);
            if (method == "DELETE") {
                if (auto removed = tenant.remove(id, ui_actor()); !removed)
                    return error_answer(call, removed.error());
                if (deliveries)
                    deliveries->drop_webhook(id);
                return empty_answer(204);
            }
            return not_allowed();
        }
        if (!id.empty() && tail == "/deliveries")
            return method == "POST" ? record_deliveries(tenant, call, id) : not_allowed();
    }
    return error_answer(call, 404, "not.found",
                        "The emulator control plane has nothing at " + path);
}

} // namespace hookwarden::emulator
