#include "daemon/tenant/tenant_answers.hpp"
#include "daemon/tenant/json_members.hpp"
#include "daemon/tenant/trigger_json.hpp"
#include "daemon/tenant/webhook_json.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace hookwarden {
namespace json = boost::json;

namespace {

Error malformed(const ErrorContext& context, const std::string& what) {
    return make_error(ErrorKind::transport, "the tenant's answer is malformed: " + what, context);
}

// A JSON number as an integer, whatever its JSON representation.
std::optional<std::int64_t> integer(const json::value* v) {
    if (!v)
        return std::nullopt;
    if (v->is_int64())
        return v->get_int64();
    if (v->is_uint64())
        return static_cast<std::int64_t>(std::min<std::uint64_t>(v->get_uint64(), INT64_MAX));
    if (v->is_double() && std::isfinite(v->get_double()) && std::fabs(v->get_double()) < 9e18)
        return static_cast<std::int64_t>(std::llround(v->get_double()));
    return std::nullopt;
}

std::string first_line(std::string_view text, std::size_t limit) {
    auto line = text.substr(0, text.find_first_of("\r\n"));
    if (line.size() > limit)
        return std::string(line.substr(0, limit)) + "…";
    return std::string(line);
}

bool mentions_secret(std::string_view text) {
    constexpr std::string_view word = "secret";
    return std::search(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == b;
           }) != text.end();
}

// The first line of a body for an error message, unless the body may hold
// a webhook secret: withheld by the caller, or naming one (any member or
// value spelled "secret", in any case), as a tenant echoing it would.
std::optional<std::string> excerpt(std::string_view body, BodyQuoting quoting, std::size_t limit) {
    if (quoting == BodyQuoting::withheld || mentions_secret(body))
        return std::nullopt;
    return first_line(body, limit);
}

constexpr const char* not_quoted = "not quoted, as it may hold a webhook secret";

std::string trim_list(std::string_view list) {
    const auto first = list.find_first_not_of("[ ");
    const auto last = list.find_last_not_of("] ");
    return first == std::string_view::npos ? std::string() : std::string(list.substr(first, last - first + 1));
}

// The permissions a 403's body names: `messageParams.permissions` (Genesys
// writes "[a, b]"; a list is read too), else the bracketed list after
// "permission" in the message.
std::string missing_permissions(const json::object* body, std::string_view message) {
    const auto* params = body ? body->if_contains("messageParams") : nullptr;
    const auto* listed = (params && params->is_object()) ? params->get_object().if_contains("permissions") : nullptr;
    if (listed && listed->is_string())
        return trim_list(listed->get_string());
    if (listed && listed->is_array()) {
        std::string joined;
        for (const auto& p : listed->get_array())
            if (p.is_string())
                joined += (joined.empty() ? "" : ", ") + std::string(p.get_string());
        return joined;
    }
    const auto word = message.find("permission");
    const auto open = message.find('[', word);
    const auto close = message.find(']', open);
    if (word == std::string_view::npos || open == std::string_view::npos || close == std::string_view::npos)
        return {};
    return trim_list(message.substr(open, close - open + 1));
}

Error forbidden(const std::string& named, std::string_view permission, const std::string& message,
                ErrorContext context) {
    if (!named.empty()) {
        const bool several = named.find(',') != std::string::npos;
        return make_error(ErrorKind::tenant,
                          "the OAuth client lacks the permission" + std::string(several ? "s " : " ") + named,
                          std::move(context));
    }
    if (!permission.empty())
        return make_error(ErrorKind::tenant,
                          "the tenant refused the request; the OAuth client needs the permission " +
                              std::string(permission) + ": " + message,
                          std::move(context));
    return make_error(ErrorKind::tenant, "the tenant refused the request: " + message, std::move(context));
}

// The `entities` of a page or search answer, each read by `read`; absent
// or null: none.
// Boost.JSON reads 1e999 as infinity and writes it back as `Infinity`,
// which is not JSON: kept (an audit entry is stored as the tenant gave it,
// a trigger's value is shown and compared) it would make hookwarden's own
// files unreadable (found by tests/fuzz/trigger_json_fuzz).
bool holds_non_finite(const json::value& value) {
    switch (value.kind()) {
    case json::kind::double_: return !std::isfinite(value.get_double());
    case json::kind::array:
        return std::any_of(value.get_array().begin(), value.get_array().end(), holds_non_finite);
    case json::kind::object:
        return std::any_of(value.get_object().begin(), value.get_object().end(),
                           [](const json::key_value_pair& member) { return holds_non_finite(member.value()); });
    default: return false;
    }
}

template <class Item, class Read>
Result<std::vector<Item>> read_entities(const json::value& value, const ErrorContext& context, Read read) {
    if (!value.is_object())
        return malformed(context, "expected a JSON object");
    const auto* entities = value.get_object().if_contains("entities");
    if (!entities || entities->is_null())
        return std::vector<Item>{};
    if (!entities->is_array())
        return malformed(context, "'entities' must be an array");
    std::vector<Item> out;
    out.reserve(entities->get_array().size());
    for (const auto& entity : entities->get_array()) {
        auto item = read(entity, context);
        if (!item)
            return item.error();
        out.push_back(std::move(*item));
    }
    return out;
}

template <class Item, class Read>
Result<CursorPage<Item>> read_cursor_page(const json::value& value, const ErrorContext& context, Read read) {
    auto entities = read_entities<Item>(value, context, read);
    if (!entities)
        return entities.error();
    const auto* next = value.get_object().if_contains("nextUri");
    if (next && !next->is_null() && !next->is_string())
        return malformed(context, "'nextUri' must be a string");
    return CursorPage<Item>{std::move(*entities), string_or_empty(value.get_object(), "nextUri")};
}

} // namespace

Result<json::value> parse_json_answer(std::string_view body, const ErrorContext& context, BodyQuoting quoting) {
    json::error_code ec;
    auto value = json::parse(body, ec);
    if (ec) {
        std::string shown = "an empty body";
        if (!body.empty()) {
            const auto line = excerpt(body, quoting, 60);
            shown = line ? "'" + *line + "'"
                         : "a body of " + std::to_string(body.size()) + " bytes (" + not_quoted + ")";
        }
        return malformed(context, "not JSON (" + ec.message() + ") in " + shown);
    }
    if (holds_non_finite(value))
        return malformed(context, "a number is beyond the range of a double");
    return value;
}

Error api_error(const HttpAnswer& answer, ErrorContext context, BodyQuoting quoting, std::string_view permission) {
    context.http_status = answer.status;
    if (const auto correlation = answer.header("inin-correlation-id"))
        context.correlation_id = std::string(*correlation);
    std::string message;
    json::error_code ec;
    const auto body = json::parse(answer.body, ec);
    const json::object* object = (!ec && body.is_object()) ? &body.get_object() : nullptr;
    if (object) {
        message = string_or_empty(*object, "message");
        context.api_code = string_or_empty(*object, "code");
        context.context_id = string_or_empty(*object, "contextId");
    }
    if (message.empty()) {
        message = "HTTP " + std::to_string(answer.status);
        if (!answer.body.empty()) {
            const auto line = excerpt(answer.body, quoting, 200);
            message = line ? *line : message + " (the answer is " + not_quoted + ")";
        }
    }

    const bool stale = answer.status == 409 ||
                       (answer.status == 400 && message.find("does not match the current version") != std::string::npos);
    if (stale)
        return make_error(ErrorKind::version_mismatch,
                          "it changed on the tenant since it was read: " + message, std::move(context));
    switch (answer.status) {
    case 403: return forbidden(missing_permissions(object, message), permission, message, std::move(context));
    case 404: return make_error(ErrorKind::not_found, "the tenant has no such resource: " + message, std::move(context));
    case 401:
        return make_error(ErrorKind::unauthorized, "the tenant refused a freshly issued access token: " + message,
                          std::move(context));
    case 429: return make_error(ErrorKind::rate_limited, "the tenant is rate limiting: " + message, std::move(context));
    default: return make_error(ErrorKind::tenant, "the tenant refused the request: " + message, std::move(context));
    }
}

void redact_secret(Error& error, std::string_view secret) {
    if (secret.empty())
        return;
    for (std::string* text : {&error.message, &error.context.api_code, &error.context.context_id,
                              &error.context.correlation_id}) {
        for (auto at = text->find(secret); at != std::string::npos; at = text->find(secret, at))
            text->replace(at, secret.size(), "(secret)");
    }
}

bool secret_looks_masked(std::string_view secret) {
    if (secret.empty())
        return true;
    return secret.find("***") != std::string_view::npos ||
           std::all_of(secret.begin(), secret.end(), [](char c) { return c == '*'; });
}

Result<Webhook> read_webhook(const json::value& value, const ErrorContext& context) {
    auto webhook = webhook_from_json(value);
    if (!webhook)
        return malformed(context, webhook.error().message);
    if (webhook->id.empty())
        return malformed(context, "a webhook without an id");
    if (webhook->secret && secret_looks_masked(*webhook->secret))
        webhook->secret.reset();
    return webhook;
}

Result<std::vector<Webhook>> read_webhook_entities(const json::value& value, const ErrorContext& context) {
    return read_entities<Webhook>(value, context, read_webhook);
}

Result<WebhookPage> read_webhook_page(const json::value& value, const ErrorContext& context) {
    auto entities = read_webhook_entities(value, context);
    if (!entities)
        return entities.error();
    const auto& object = value.get_object();
    WebhookPage page;
    page.entities = std::move(*entities);
    page.page_number = integer(object.if_contains("pageNumber"));
    page.page_count = integer(object.if_contains("pageCount"));
    page.next_uri = string_or_empty(object, "nextUri");
    return page;
}

Result<Trigger> read_trigger(const json::value& value, const ErrorContext& context) {
    auto trigger = trigger_from_json(value);
    if (!trigger)
        return malformed(context, trigger.error().message);
    if (trigger->id.empty())
        return malformed(context, "a trigger without an id");
    return trigger;
}

Result<CursorPage<Trigger>> read_trigger_page(const json::value& value, const ErrorContext& context) {
    return read_cursor_page<Trigger>(value, context, read_trigger);
}

Result<CursorPage<std::string>> read_topic_page(const json::value& value, const ErrorContext& context) {
    return read_cursor_page<std::string>(value, context,
                                         [](const json::value& topic, const ErrorContext& c) -> Result<std::string> {
                                             if (!topic.is_string())
                                                 return malformed(c, "a topic must be a string");
                                             return std::string(topic.get_string());
                                         });
}

json::object analytics_request(std::span<const std::string> ids, std::string_view interval) {
    json::array entities;
    for (const auto& id : ids)
        entities.push_back(json::object{{"id", id}});
    return json::object{
        {"interval", interval},
        {"granularity", "PT1H"},
        {"entities", std::move(entities)},
        {"metrics", json::array{"deliverySuccessCount", "deliveryFailureCount", "deliveryLatencyMs"}},
    };
}

namespace {

// The tenant's figures are summed over intervals, and the health snapshot
// adds successes and failures: a negative figure counts as 0 and every sum
// stops at max_figure, far inside int64, so that no tenant can make either
// overflow (found by tests/fuzz/tenant_http_fuzz).
constexpr std::int64_t max_figure = 1'000'000'000'000'000; // 10^15

void add_figure(std::int64_t& total, std::int64_t figure) {
    total = std::min(max_figure, std::clamp<std::int64_t>(total, 0, max_figure) +
                                     std::clamp<std::int64_t>(figure, 0, max_figure));
}

void add_stats(const std::string& metric, const json::object& stats, DeliveryMetrics& m) {
    const auto count = integer(stats.if_contains("count")).value_or(0);
    if (metric == "deliverySuccessCount") {
        add_figure(m.success_count, count);
    } else if (metric == "deliveryFailureCount") {
        add_figure(m.failure_count, count);
    } else if (metric == "deliveryLatencyMs" && count > 0) {
        const auto min = integer(stats.if_contains("min"));
        const auto max = integer(stats.if_contains("max"));
        if (min)
            m.latency_min_ms = m.latency_count == 0 ? *min : std::min(m.latency_min_ms, *min);
        if (max)
            m.latency_max_ms = m.latency_count == 0 ? *max : std::max(m.latency_max_ms, *max);
        add_figure(m.latency_sum_ms, integer(stats.if_contains("sum")).value_or(0));
        add_figure(m.latency_count, count);
    }
}

} // namespace

Result<void> add_delivery_metrics(const json::value& value, std::map<std::string, DeliveryMetrics>& by_id,
                                  const ErrorContext& context) {
    if (!value.is_object())
        return malformed(context, "expected a JSON object");
    const auto* results = value.get_object().if_contains("results");
    if (!results || results->is_null())
        return {}; // nothing measured for any id
    if (!results->is_array())
        return malformed(context, "'results' must be an array");
    for (const auto& result : results->get_array()) {
        if (!result.is_object())
            return malformed(context, "a result must be an object");
        const auto* entity = result.get_object().if_contains("entity");
        if (!entity || !entity->is_object())
            return malformed(context, "a result without an entity");
        const auto it = by_id.find(string_or_empty(entity->get_object(), "id"));
        if (it == by_id.end())
            continue; // not asked for
        const auto* data = result.get_object().if_contains("data");
        if (!data || data->is_null())
            continue;
        if (!data->is_array())
            return malformed(context, "'data' must be an array");
        for (const auto& interval : data->get_array()) {
            const auto* metrics = interval.is_object() ? interval.get_object().if_contains("metrics") : nullptr;
            if (!metrics || !metrics->is_array())
                return malformed(context, "an interval without a 'metrics' array");
            for (const auto& metric : metrics->get_array()) {
                if (!metric.is_object())
                    return malformed(context, "a metric must be an object");
                const auto* stats = metric.get_object().if_contains("stats");
                if (!stats || !stats->is_object())
                    return malformed(context, "a metric without 'stats'");
                add_stats(string_or_empty(metric.get_object(), "metric"), stats->get_object(), it->second);
            }
        }
    }
    return {};
}

json::object audit_request(const AuditQuery& query, const std::optional<std::string>& page_token) {
    json::object request;
    if (!query.entity_id.empty())
        request["entityId"] = query.entity_id;
    request["actions"] = json::array{"create", "update", "delete"};
    if (!query.interval.empty())
        request["interval"] = query.interval;
    request["pageSize"] = std::clamp(query.page_size, 1, 500);
    if (page_token)
        request["nextPageToken"] = *page_token;
    else
        request["nextPageToken"] = nullptr;
    return request;
}

Result<AuditPage> read_audit_page(const json::value& value, const ErrorContext& context) {
    if (!value.is_object())
        return malformed(context, "expected a JSON object");
    const auto& object = value.get_object();
    AuditPage page;
    if (const auto* entities = object.if_contains("entities"); entities && !entities->is_null()) {
        if (!entities->is_array())
            return malformed(context, "'entities' must be an array");
        for (const auto& entity : entities->get_array()) {
            if (!entity.is_object())
                return malformed(context, "an audit entry must be an object");
            const auto& raw = entity.get_object();
            AuditEntry entry{string_or_empty(raw, "id"), string_or_empty(raw, "action"), string_or_empty(raw, "entityId"),
                             string_or_empty(raw, "timestamp"), raw};
            if (entry.id.empty())
                return malformed(context, "an audit entry without an id");
            page.entries.push_back(std::move(entry));
        }
    }
    if (const auto* token = object.if_contains("nextPageToken"); token && !token->is_null()) {
        if (!token->is_string())
            return malformed(context, "'nextPageToken' must be a string or null");
        if (!token->get_string().empty())
            page.next_page_token = std::string(token->get_string());
    }
    return page;
}

} // namespace hookwarden
