#include "tests/emulator/emulator_routes.hpp"
#include "daemon/tenant/webhook_json.hpp"

#include "core/iso8601_duration.hpp"
#include "core/snapshot/status_file.hpp"
#include "tests/emulator/emulator_answers.hpp"
#include "tests/emulator/emulator_delivery_queue.hpp"
#include "tests/emulator/emulator_validation.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <charconv>
#include <map>
#include <optional>
#include <variant>

namespace hookwarden::emulator {
namespace json = boost::json;

namespace {

constexpr std::string_view kWebhooks = "/api/v2/webhooks";
constexpr std::string_view kWebhooksSearch = "/api/v2/webhooks/search";
constexpr std::string_view kAnalyticsQuery = "/api/v2/analytics/webhooks/summary/query";
constexpr std::string_view kAuditQuery = "/api/v2/auditlogs/query";
constexpr std::string_view kTokenPath = "/oauth/token";
constexpr std::string_view kControlPrefix = "/_emulator/";
constexpr std::string_view kFormMediaType = "application/x-www-form-urlencoded";

constexpr int kDefaultPageSize = 25;
constexpr int kMaxPageSize = 100;
constexpr std::size_t kMaxAnalyticsEntities = 100;
constexpr int kMaxAuditPageSize = 500;

std::string_view find_header(const HeaderList& headers, std::string_view name) {
    for (const auto& [key, value] : headers)
        if (iequals(key, name))
            return value;
    return {};
}

/// The id in `/api/v2/webhooks/{id}`, or empty when `path` is not that shape.
std::string_view webhook_id_of(std::string_view path) {
    if (path.size() <= kWebhooks.size() + 1 || !path.starts_with(kWebhooks) ||
        path[kWebhooks.size()] != '/')
        return {};
    const std::string_view id = path.substr(kWebhooks.size() + 1);
    if (id.find('/') != std::string_view::npos || id == "search")
        return {};
    return id;
}

// --- OAuth -----------------------------------------------------------------

std::optional<std::string> base64_decode(std::string_view in) {
    std::string out;
    unsigned value = 0;
    int bits = 0;
    for (const char c : in) {
        int digit;
        if (c >= 'A' && c <= 'Z')
            digit = c - 'A';
        else if (c >= 'a' && c <= 'z')
            digit = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            digit = c - '0' + 52;
        else if (c == '+')
            digit = 62;
        else if (c == '/')
            digit = 63;
        else if (c == '=')
            break;
        else
            return std::nullopt;
        value = (value << 6) | unsigned(digit);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((value >> bits) & 0xff));
        }
    }
    return out;
}

std::string form_decode(std::string_view in) {
    std::string out;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '+') {
            out.push_back(' ');
        } else if (in[i] == '%' && i + 2 < in.size()) {
            unsigned byte = 0;
            const auto [end, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, byte, 16);
            if (ec != std::errc() || end != in.data() + i + 3) {
                out.push_back('%');
                continue;
            }
            out.push_back(static_cast<char>(byte));
            i += 2;
        } else {
            out.push_back(in[i]);
        }
    }
    return out;
}

/// An application/x-www-form-urlencoded body; the first value of each key.
std::map<std::string, std::string> parse_form(std::string_view body) {
    std::map<std::string, std::string> fields;
    while (!body.empty()) {
        const auto amp = body.find('&');
        const std::string_view pair = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
        if (pair.empty())
            continue;
        const auto eq = pair.find('=');
        fields.try_emplace(form_decode(pair.substr(0, eq)), eq == std::string_view::npos
                                                                ? std::string{}
                                                                : form_decode(pair.substr(eq + 1)));
    }
    return fields;
}

HttpResponse oauth_error(int status, std::string_view error, const std::string& description) {
    // Genesys' login service answers with both spellings of the description.
    return json_answer(
        status,
        {{"error", error}, {"description", description}, {"error_description", description}});
}

HttpResponse serve_token(Tenant& tenant, const Call& call) {
    if (call.request.method != "POST")
        return error_answer(call, 405, "method.not.allowed", "Use POST to request a token");
    if (!has_media_type(call.request, kFormMediaType))
        return oauth_error(400, "invalid_request",
                           "The token request must be sent as " + std::string(kFormMediaType) +
                               ", not with " + described_media_type(call.request));
    auto form = parse_form(call.request.body);
    const auto grant = form.find("grant_type");
    if (grant == form.end())
        return oauth_error(400, "invalid_request", "grant_type is required");
    if (grant->second != "client_credentials")
        return oauth_error(400, "unsupported_grant_type",
                           "Only the client_credentials grant is supported");

    std::string id, secret;
    const std::string_view authorization = call.request.header("Authorization");
    if (!authorization.empty()) {
        const auto space = authorization.find(' ');
        const auto decoded = space == std::string_view::npos
                                 ? std::nullopt
                                 : base64_decode(authorization.substr(space + 1));
        if (!iequals(authorization.substr(0, space), "Basic") || !decoded ||
            decoded->find(':') == std::string::npos)
            return oauth_error(401, "invalid_client",
                               "The Authorization header must be Basic base64(client_id:secret)");
        const auto colon = decoded->find(':');
        id = decoded->substr(0, colon);
        secret = decoded->substr(colon + 1);
    } else if (form.contains("client_id")) {
        id = form["client_id"];
        secret = form["client_secret"];
    } else {
        return oauth_error(401, "invalid_client",
                           "Client authentication is required (HTTP Basic or form fields)");
    }

    const auto token = tenant.issue_token(id, secret);
    if (!token)
        return oauth_error(401, "invalid_client", token.error().message);
    auto answer = json_answer(200, {{"access_token", token->access_token},
                                    {"token_type", "bearer"},
                                    {"expires_in", token->expires_in.count()}});
    answer.headers.emplace_back("Cache-Control", "no-store");
    return answer;
}

// --- Webhooks --------------------------------------------------------------

std::string page_uri(int page_size, int page_number) {
    return std::string(kWebhooks) + "?pageSize=" + std::to_string(page_size) +
           "&pageNumber=" + std::to_string(page_number);
}

HttpResponse list_webhooks(Tenant& tenant, const Call& call, bool echo) {
    const auto page_size = positive_parameter(call, "pageSize", kDefaultPageSize, kMaxPageSize);
    if (!page_size)
        return error_answer(call, 400, "bad.request", "pageSize must be an integer from 1 to 100",
                            {{{"fieldName", "pageSize"}, {"errorCode", "invalid.value"}}});
    const auto page_number = positive_parameter(call, "pageNumber", 1, 1'000'000'000);
    if (!page_number)
        return error_answer(call, 400, "bad.request", "pageNumber must be an integer from 1",
                            {{{"fieldName", "pageNumber"}, {"errorCode", "invalid.value"}}});

    const auto all = tenant.webhooks();
    const auto total = static_cast<std::int64_t>(all.size());
    const std::int64_t page_count = (total + *page_size - 1) / *page_size;
    const std::int64_t first = std::int64_t(*page_number - 1) * *page_size;
    json::array entities;
    for (std::int64_t i = first; i < total && i < first + *page_size; ++i)
        entities.push_back(webhook_json(all[std::size_t(i)], echo));

    json::object page{
        {"entities", std::move(entities)},
        {"pageSize", *page_size},
        {"pageNumber", *page_number},
        {"total", total},
        {"pageCount", page_count},
        {"firstUri", page_uri(*page_size, 1)},
        {"selfUri", page_uri(*page_size, *page_number)},
        {"lastUri", page_uri(*page_size, int(std::max<std::int64_t>(page_count, 1)))}};
    page["previousUri"] = *page_number > 1 ? json::value(page_uri(*page_size, *page_number - 1))
                                           : json::value(nullptr);
    page["nextUri"] = *page_number < page_count
                          ? json::value(page_uri(*page_size, *page_number + 1))
                          : json::value(nullptr);
    return json_answer(200, page);
}

HttpResponse search_webhooks(Tenant& tenant, const Call& call, bool echo) {
    const auto body = parse_body(call);
    if (!body)
        return error_answer(call, body.error());
    const json::value* name = nullptr;
    if (const auto* object = body->if_object())
        if (const auto* query = object->if_contains("query"); query && query->is_object())
            name = query->get_object().if_contains("name");
    if (!name || !name->is_string())
        return error_answer(call, 400, "bad.request",
                            "The search body must be {\"query\": {\"name\": \"...\"}}",
                            {{{"fieldName", "query.name"}, {"errorCode", "missing.property"}}});
    json::array entities;
    for (const auto& w : tenant.find_by_name(name->get_string()))
        entities.push_back(webhook_json(w, echo));
    return json_answer(200, {{"entities", std::move(entities)}});
}

/// The body of a POST or PUT as a Webhook, or the 400 answer listing every problem.
std::variant<Webhook, HttpResponse> webhook_from_body(const Call& call) {
    const auto body = parse_body(call);
    if (!body)
        return error_answer(call, body.error());
    if (const auto problems = validate_webhook_body(*body); !problems.empty())
        return invalid_body_answer(call, "webhook", problems);
    auto webhook = webhook_from_json(*body);
    if (!webhook) // validate_webhook_body checks every member webhook_from_json reads
        return error_answer(call, webhook.error());
    return std::move(*webhook);
}

HttpResponse create_webhook(Tenant& tenant, const Call& call, const Actor& by, bool echo) {
    auto parsed = webhook_from_body(call);
    if (auto* answer = std::get_if<HttpResponse>(&parsed))
        return std::move(*answer);
    Webhook body = std::move(std::get<Webhook>(parsed));
    body.id.clear(); // the tenant chooses the id
    const auto created = tenant.create(std::move(body), by);
    if (!created)
        return error_answer(call, created.error());
    tenant.count_write();
    auto answer = json_answer(201, webhook_json(*created, echo));
    answer.headers.emplace_back("Location", created->self_uri);
    return answer;
}

HttpResponse update_webhook(Tenant& tenant, const Call& call, std::string_view id, const Actor& by,
                            bool echo) {
    auto parsed = webhook_from_body(call);
    if (auto* answer = std::get_if<HttpResponse>(&parsed))
        return std::move(*answer);
    const Webhook body = std::move(std::get<Webhook>(parsed));
    if (body.version == 0)
        return error_answer(call, 400, "bad.request",
                            "version is required: send the version you read",
                            {{{"fieldName", "version"}, {"errorCode", "missing.property"}}});
    if (!body.id.empty() && body.id != id)
        return error_answer(call, 400, "bad.request",
                            "The id in the body does not match the id in the path",
                            {{{"fieldName", "id"}, {"errorCode", "invalid.value"}}});

    const auto updated = tenant.modify(id, by, [&](Webhook& draft) -> Result<void> {
        if (draft.version != body.version)
            return make_error(ErrorKind::version_mismatch,
                              "The version supplied does not match the current version of the "
                              "webhook (supplied " +
                                  std::to_string(body.version) + ", current " +
                                  std::to_string(draft.version) + ")");
        draft.name = body.name;
        draft.event_types = body.event_types;
        draft.endpoint_url = body.endpoint_url;
        draft.retry_policy = body.retry_policy;
        draft.payload_template = body.payload_template;
        draft.enabled = body.enabled;
        if (body.secret) // a PUT without secret keeps the stored one
            draft.secret = body.secret;
        return {};
    });
    if (!updated)
        return error_answer(call, updated.error());
    tenant.count_write();
    return json_answer(200, webhook_json(*updated, echo));
}

// --- Analytics -------------------------------------------------------------

constexpr std::string_view kMetrics[] = {"deliverySuccessCount", "deliveryFailureCount",
                                         "deliveryLatencyMs"};

HttpResponse analytics_query(Tenant& tenant, const Call& call) {
    const auto body = parse_body(call);
    if (!body)
        return error_answer(call, body.error());
    const auto* query = body->if_object();
    if (!query)
        return bad_field(call, "body", "The query must be a JSON object");

    const auto* interval_text = query->if_contains("interval");
    const auto interval = interval_text && interval_text->is_string()
                              ? parse_interval(interval_text->get_string())
                              : std::nullopt;
    if (!interval)
        return bad_field(call, "interval",
                         "interval must be \"START/END\" in RFC 3339 with START before END");

    std::optional<std::chrono::milliseconds> granularity;
    if (const auto* g = query->if_contains("granularity"); g && !g->is_null()) {
        granularity =
            g->is_string() ? hookwarden::parse_iso8601_duration(g->get_string()) : std::nullopt;
        if (!granularity || granularity->count() <= 0)
            return bad_field(call, "granularity", "granularity must be an ISO-8601 duration");
    }

    const auto* entities = query->if_contains("entities");
    if (!entities || !entities->is_array() || entities->get_array().empty() ||
        entities->get_array().size() > kMaxAnalyticsEntities)
        return bad_field(call, "entities", "entities must list 1 to 100 webhooks as {\"id\": ...}");
    std::vector<std::string> ids;
    for (const auto& e : entities->get_array()) {
        const auto* id = e.is_object() ? e.get_object().if_contains("id") : nullptr;
        if (!id || !id->is_string())
            return bad_field(call, "entities", "every entity must be {\"id\": \"...\"}");
        ids.emplace_back(id->get_string());
    }

    std::vector<std::string_view> metrics(std::begin(kMetrics), std::end(kMetrics));
    if (const auto* m = query->if_contains("metrics"); m && !m->is_null()) {
        if (!m->is_array())
            return bad_field(call, "metrics", "metrics must be an array of metric names");
        metrics.clear();
        for (const auto& name : m->get_array()) {
            const auto known = name.is_string()
                                   ? std::find(std::begin(kMetrics), std::end(kMetrics),
                                               std::string_view(name.get_string()))
                                   : std::end(kMetrics);
            if (known == std::end(kMetrics))
                return bad_field(call, "metrics",
                                 "metrics may only name deliverySuccessCount, "
                                 "deliveryFailureCount and deliveryLatencyMs");
            metrics.push_back(*known);
        }
    }

    json::array results;
    for (const auto& id : ids) {
        json::array data;
        for (const auto& bucket : summarize(tenant.deliveries(id), *interval, granularity)) {
            json::array values;
            for (const auto metric : metrics) {
                // Like Genesys analytics, a metric without data in a bucket is left out.
                if (metric == "deliverySuccessCount" && bucket.success_count > 0)
                    values.push_back(
                        {{"metric", metric}, {"stats", {{"count", bucket.success_count}}}});
                else if (metric == "deliveryFailureCount" && bucket.failure_count > 0)
                    values.push_back(
                        {{"metric", metric}, {"stats", {{"count", bucket.failure_count}}}});
                else if (metric == "deliveryLatencyMs" && bucket.latency_count > 0)
                    values.push_back({{"metric", metric},
                                      {"stats",
                                       {{"count", bucket.latency_count},
                                        {"min", bucket.latency_min_ms},
                                        {"max", bucket.latency_max_ms},
                                        {"sum", bucket.latency_sum_ms}}}});
            }
            if (!values.empty())
                data.push_back({{"interval", format_interval(bucket.interval)},
                                {"metrics", std::move(values)}});
        }
        results.push_back({{"entity", {{"id", id}}}, {"data", std::move(data)}});
    }
    return json_answer(200, {{"results", std::move(results)}});
}

// --- Audit -----------------------------------------------------------------

constexpr std::string_view kPageTokenPrefix = "after-";

json::object audit_json(const AuditRecord& r) {
    json::array changes;
    for (const auto& c : r.changes)
        changes.push_back(
            {{"property", c.property}, {"oldValue", c.old_value}, {"newValue", c.new_value}});
    return {{"id", r.id},
            {"action", r.action},
            {"entityId", r.entity_id},
            {"timestamp", format_rfc3339(r.timestamp)},
            {"user", {{"id", r.user.id}, {"name", r.user.name}}},
            {"changes", std::move(changes)}};
}

HttpResponse audit_query(Tenant& tenant, const Call& call) {
    const auto body = parse_body(call, json::object{});
    if (!body)
        return error_answer(call, body.error());
    const auto* query = body->if_object();
    if (!query)
        return bad_field(call, "body", "The query must be a JSON object");

    AuditFilter filter;
    if (const auto* v = query->if_contains("entityId"); v && !v->is_null()) {
        if (!v->is_string())
            return bad_field(call, "entityId", "entityId must be a string");
        filter.entity_id = std::string(v->get_string());
    }
    if (const auto* v = query->if_contains("actions"); v && !v->is_null()) {
        if (!v->is_array())
            return bad_field(call, "actions", "actions must be an array of strings");
        for (const auto& a : v->get_array()) {
            if (!a.is_string())
                return bad_field(call, "actions", "actions must be an array of strings");
            filter.actions.emplace_back(a.get_string());
        }
    }
    if (const auto* v = query->if_contains("interval"); v && !v->is_null()) {
        filter.interval = v->is_string() ? parse_interval(v->get_string()) : std::nullopt;
        if (!filter.interval)
            return bad_field(call, "interval",
                             "interval must be \"START/END\" in RFC 3339 with START before END");
    }
    if (const auto* v = query->if_contains("pageSize"); v && !v->is_null()) {
        const auto n = as_integer(*v);
        if (!n || *n < 1 || *n > kMaxAuditPageSize)
            return bad_field(call, "pageSize", "pageSize must be an integer from 1 to 500");
        filter.page_size = std::size_t(*n);
    }
    if (const auto* v = query->if_contains("nextPageToken"); v && !v->is_null()) {
        const std::string_view token = v->is_string() ? std::string_view(v->get_string()) : "";
        const std::string_view digits =
            token.substr(std::min(token.size(), kPageTokenPrefix.size()));
        const auto [end, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), filter.after_sequence);
        if (!token.starts_with(kPageTokenPrefix) || digits.empty() || ec != std::errc() ||
            end != digits.data() + digits.size())
            return bad_field(call, "nextPageToken",
                             "nextPageToken must be a token from a previous answer");
    }

    const auto page = tenant.audit(filter);
    json::array entities;
    for (const auto& r : page.entries)
        entities.push_back(audit_json(r));
    return json_answer(
        200, {{"entities", std::move(entities)},
              {"nextPageToken", page.next_after ? json::value(std::string(kPageTokenPrefix) +
                                                              std::to_string(*page.next_after))
                                                : json::value(nullptr)}});
}

// --- The API -----------------------------------------------------------------

// A tenant may keep its window to itself (`--no-ratelimit-headers`): then
// a client has only its own pace and the 429s to go by.
void add_rate_headers(HttpResponse& answer, const RateDecision& rate, const Settings& settings) {
    if (!settings.rate_limit_headers)
        return;
    answer.headers.emplace_back("inin-ratelimit-count", std::to_string(rate.used));
    answer.headers.emplace_back("inin-ratelimit-allowed", std::to_string(rate.capacity));
    answer.headers.emplace_back("inin-ratelimit-reset", std::to_string(rate.reset_seconds));
}

HttpResponse serve_api_authorized(Tenant& tenant, const Call& call, const Actor& by) {
    const std::string& method = call.request.method;
    const std::string& path = call.path;
    const bool echo = tenant.settings().echo_secrets;
    const auto not_allowed = [&] {
        return error_answer(call, 405, "method.not.allowed", method + " is not allowed on " + path);
    };
    // Every API POST and PUT carries a JSON body; any other media type is
    // refused before the body is read.
    const auto with_json_body = [&](const auto& serve) -> HttpResponse {
        if (auto refused = refuse_unless_json(call))
            return std::move(*refused);
        return serve();
    };

    if (path == kWebhooks) {
        if (method == "GET")
            return list_webhooks(tenant, call, echo);
        if (method == "POST")
            return with_json_body([&] { return create_webhook(tenant, call, by, echo); });
        return not_allowed();
    }
    if (path == kWebhooksSearch)
        return method == "POST"
                   ? with_json_body([&] { return search_webhooks(tenant, call, echo); })
                   : not_allowed();
    if (const auto id = webhook_id_of(path); !id.empty()) {
        if (method == "GET") {
            const auto w = tenant.webhook(id);
            return w ? json_answer(200, webhook_json(*w, echo)) : error_answer(call, w.error());
        }
        if (method == "PUT")
            return with_json_body([&] { return update_webhook(tenant, call, id, by, echo); });
        if (method == "DELETE") {
            const auto removed = tenant.remove(id, by);
            if (!removed)
                return error_answer(call, removed.error());
            tenant.count_write();
            return empty_answer(204);
        }
        return not_allowed();
    }
    if (is_trigger_path(path))
        return serve_triggers(tenant, call);
    if (path == kAnalyticsQuery)
        return method == "POST" ? with_json_body([&] { return analytics_query(tenant, call); })
                                : not_allowed();
    if (path == kAuditQuery)
        return method == "POST" ? with_json_body([&] { return audit_query(tenant, call); })
                                : not_allowed();
    return error_answer(call, 404, "not.found", "No API resource at " + path);
}

HttpResponse serve_api(Tenant& tenant, const Call& call) {
    const Settings settings = tenant.settings();
    const std::string_view authorization = call.request.header("Authorization");
    const auto space = authorization.find(' ');
    if (authorization.empty() || space == std::string_view::npos ||
        !iequals(authorization.substr(0, space), "Bearer")) {
        auto answer = error_answer(call, 401, "authentication.required",
                                   "No authentication bearer token specified in authorization "
                                   "header.");
        add_rate_headers(answer, {.capacity = rate_capacity(settings.rpm)}, settings);
        return answer;
    }
    const auto client = tenant.authenticate(authorization.substr(space + 1));
    if (!client) {
        auto answer = error_answer(call, 401, "bad.credentials",
                                   "Invalid login credentials: " + client.error().message);
        add_rate_headers(answer, {.capacity = rate_capacity(settings.rpm)}, settings);
        return answer;
    }

    const RateDecision rate = tenant.admit(*client);
    if (!rate.admitted) {
        tenant.count_rate_limited();
        const std::string seconds = std::to_string(rate.retry_after_seconds);
        auto answer = error_answer(
            call, 429, "too.many.requests.retry.after",
            "Rate limit exceeded the maximum of " + std::to_string(settings.rpm) +
                " requests a minute. Retry the request in [" + seconds + "] seconds");
        answer.headers.emplace_back("Retry-After", seconds);
        add_rate_headers(answer, rate, settings);
        return answer;
    }
    auto answer = serve_api_authorized(tenant, call, Actor{*client, *client});
    add_rate_headers(answer, rate, settings);
    return answer;
}

// --- Faults ------------------------------------------------------------------

HttpResponse fault_answer(const Call& call, const FaultRule& fault) {
    HttpResponse answer;
    switch (fault.action) {
    case FaultAction::status: {
        std::string message = "The emulator was told to answer " + std::to_string(fault.status);
        if (fault.retry_after)
            message +=
                ". Retry the request in [" + std::to_string(*fault.retry_after) + "] seconds";
        answer = error_answer(call, fault.status, genesys_code(fault.status), message);
        if (fault.retry_after)
            answer.headers.emplace_back("Retry-After", std::to_string(*fault.retry_after));
        return answer;
    }
    case FaultAction::malformed:
        answer.status = 200;
        answer.headers.emplace_back("Content-Type", "application/json");
        answer.body = R"({"entities": [{"id": "truncated)";
        return answer;
    case FaultAction::reset:
        answer.disposition = Disposition::reset;
        return answer;
    case FaultAction::hang:
        answer.disposition = Disposition::hang;
        answer.delay = std::chrono::milliseconds(static_cast<std::int64_t>(fault.seconds * 1000));
        return answer;
    case FaultAction::commit_then_reset:
        break; // handled by the caller: the request is served first
    }
    return answer;
}

HttpResponse serve_tenant(Tenant& tenant, const Call& call) {
    if (call.path == kTokenPath)
        return serve_token(tenant, call);
    if (call.path.starts_with("/api/"))
        return serve_api(tenant, call);
    return error_answer(call, 404, "not.found", "Nothing is served at " + call.path);
}

} // namespace

std::string_view HttpRequest::header(std::string_view name) const {
    return find_header(headers, name);
}

std::string_view HttpResponse::header(std::string_view name) const {
    return find_header(headers, name);
}

std::string route_key(std::string_view method, std::string_view path) {
    std::string key(method);
    key += ' ';
    if (!webhook_id_of(path).empty())
        key += std::string(kWebhooks) + "/{id}";
    else if (const auto trigger = trigger_id_of(path); !trigger.empty())
        key += std::string(path.substr(0, path.size() - trigger.size())) + "{id}";
    else
        key += path;
    return key;
}

HttpResponse Router::handle(const HttpRequest& request) {
    Call call{request, {}, {}, tenant_.new_uuid()};
    const auto target = boost::urls::parse_origin_form(request.target);
    HttpResponse answer;
    if (!target) {
        answer = error_answer(call, 400, "bad.request",
                              "The request target '" + request.target + "' is not a path");
        answer.headers.emplace_back("inin-correlation-id", call.correlation_id);
        return answer;
    }
    call.path = target->path();
    for (const auto& param : target->params())
        call.query.try_emplace(param.key, param.value);

    // The control plane is the test's side door: no faults, no counters.
    if (call.path.starts_with(kControlPrefix)) {
        answer = request.from_loopback
                     ? serve_control_plane(tenant_, deliveries_, call)
                     : error_answer(call, 403, "forbidden",
                                    "The emulator control plane only answers loopback peers");
        answer.headers.emplace_back("inin-correlation-id", call.correlation_id);
        return answer;
    }

    tenant_.count_request(route_key(request.method, call.path));
    const auto fault = tenant_.take_fault(request.method, call.path);
    if (fault && fault->action != FaultAction::commit_then_reset) {
        answer = fault_answer(call, *fault);
    } else {
        answer = serve_tenant(tenant_, call);
        if (fault)
            answer.disposition = Disposition::commit_then_reset;
        // A deleted webhook gets no more deliveries, not even pending retries.
        if (const auto id = webhook_id_of(call.path);
            deliveries_ && !id.empty() && request.method == "DELETE" && answer.status == 204)
            deliveries_->drop_webhook(id);
    }
    answer.headers.emplace_back("inin-correlation-id", call.correlation_id);
    if (answer.disposition == Disposition::answer)
        tenant_.count_status(answer.status);
    return answer;
}

HttpResponse Router::refuse_too_large(const HttpRequest& request, std::uint64_t limit) {
    Call call{request, {}, {}, tenant_.new_uuid()};
    auto answer = error_answer(call, 413, genesys_code(413),
                               "The request body is larger than the limit of " +
                                   std::to_string(limit) + " bytes");
    answer.headers.emplace_back("inin-correlation-id", call.correlation_id);
    const auto target = boost::urls::parse_origin_form(request.target);
    if (target && !std::string_view(target->path()).starts_with(kControlPrefix)) {
        tenant_.count_request(route_key(request.method, target->path()));
        tenant_.count_status(answer.status);
    }
    return answer;
}

} // namespace hookwarden::emulator
