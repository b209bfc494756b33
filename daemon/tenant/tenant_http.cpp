#include "daemon/tenant/tenant_http.hpp"
#include "daemon/tenant/trigger_json.hpp"
#include "daemon/tenant/webhook_json.hpp"

#include "daemon/net/https_client.hpp"
#include "daemon/tenant/retry_policy.hpp"
#include "daemon/tenant/tenant_answers.hpp"
#include "daemon/tenant/tenant_caller.hpp"
#include "daemon/tenant/tenant_endpoints.hpp"
#include "daemon/tenant/tenant_paging.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace hookwarden {
namespace json = boost::json;
namespace urls = boost::urls;

namespace {

constexpr std::size_t analytics_batch = 100; // SPEC §5: up to 100 entities a request
constexpr int list_page_size = 100;          // the API's maximum; the default is 25
constexpr int trigger_page_size = 200;       // SPEC §8: the maximum; the default is 25

constexpr std::string_view triggers_path = "/api/v2/processautomation/triggers";
constexpr std::string_view topics_path = "/api/v2/processautomation/triggers/topics";

// What the OAuth client needs for each trigger call (SPEC §8).
constexpr std::string_view trigger_view = "processautomation:trigger:view";
constexpr std::string_view trigger_add = "processautomation:trigger:add";
constexpr std::string_view trigger_edit = "processautomation:trigger:edit";
constexpr std::string_view trigger_delete = "processautomation:trigger:delete";

std::string webhook_path(std::string_view id) {
    return "/api/v2/webhooks/" + urls::encode(id, urls::unreserved_chars);
}

std::string webhook_page_target(int number) {
    return "/api/v2/webhooks?pageSize=" + std::to_string(list_page_size) + "&pageNumber=" + std::to_string(number);
}

std::string trigger_path(std::string_view id) {
    return std::string(triggers_path) + "/" + urls::encode(id, urls::unreserved_chars);
}

// A reader of one page of a cursor-paged list at `list_path`: its entities,
// and its `nextUri` as the next target, if it is one (next_page_target).
template <class Item>
auto cursor_reader(Result<CursorPage<Item>> (*read)(const json::value&, const ErrorContext&),
                   std::string_view list_path, const HttpsEndpoint& api) {
    return [read, list_path, &api](const json::value& value, int, const ErrorContext& context) -> Result<PageOf<Item>> {
        auto page = read(value, context);
        if (!page)
            return page.error();
        PageOf<Item> out{std::move(page->entities), std::nullopt};
        if (page->next_uri.empty())
            return out;
        auto next = next_page_target(page->next_uri, list_path, api);
        if (!next) {
            auto error = next.error();
            error.context = context;
            return error;
        }
        out.next_target = std::move(*next);
        return out;
    };
}

// The result of a call that sent `secret`: a tenant may echo it in its
// error body's message or code (BodyQuoting covers the rest of the body).
template <class T> Result<T> without_secret(Result<T> result, const std::optional<std::string>& secret) {
    if (result || !secret)
        return result;
    Error error = result.error();
    redact_secret(error, *secret);
    return error;
}

Error about(Error error, std::string_view subject) {
    error.message = std::string(subject) + ": " + error.message;
    return error;
}

// A delete's 2xx confirms it when its body is empty (the API answers 204)
// or JSON. Any other body (a proxy's page, a cut-off answer) did not come
// from the API, so whether the resource is gone is unknown: the caller
// keeps it, and the next cycle's list says whether to delete it again.
Result<void> confirm_delete(const HttpAnswer& answer, const std::string& operation, std::string_view subject) {
    if (answer.body.empty())
        return {};
    boost::system::error_code ec;
    json::parse(answer.body, ec);
    if (!ec)
        return {};
    ErrorContext context;
    context.operation = operation;
    context.http_status = answer.status;
    if (const auto correlation = answer.header("inin-correlation-id"))
        context.correlation_id = std::string(*correlation);
    return make_error(ErrorKind::outcome_unknown,
                      std::string(subject) + ": the tenant answered the delete with " + std::to_string(answer.status) +
                          " but a body that is not JSON; whether it was deleted is unknown, the next cycle looks again",
                      context);
}

} // namespace

struct TenantHttp::Impl {
    TenantHttpOptions options;
    HttpsEndpoint api; ///< where the API base points: what a nextUri must stay on
    std::shared_ptr<RetryClock> clock;
    std::unique_ptr<HttpsTransport> transport;
    std::unique_ptr<TenantCaller> caller; // last: it refers to the two above

    Result<json::value> call_json(const ApiCall& call, const ErrorContext& base) {
        auto answer = caller->call(call);
        if (!answer) {
            auto error = answer.error();
            if (error.context.webhook.empty())
                error.context.webhook = base.webhook;
            return error;
        }
        ErrorContext context = base;
        context.operation = call.operation;
        context.http_status = answer->status;
        if (const auto correlation = answer->header("inin-correlation-id"))
            context.correlation_id = std::string(*correlation);
        return parse_json_answer(answer->body, context,
                                 call.sends_secret ? BodyQuoting::withheld : BodyQuoting::allowed);
    }

    /// GETs the pages of a list for walk_pages.
    PageFetch page_fetch(const std::string& operation, std::string_view permission) {
        return [this, operation, permission](const std::string& target, const ErrorContext& context) {
            return call_json({operation, "GET", target, {}, RequestSafety::idempotent, false, std::string(permission)},
                             context);
        };
    }

    /// A create: the resource `read` finds in a 2xx answer. The tenant may
    /// have made it whenever it did not clearly refuse, so an answer lost or
    /// unreadable is ErrorKind::outcome_unknown, and the caller looks the
    /// name up before it tries again.
    template <class Read>
    auto create(const ApiCall& call, const ErrorContext& context, Read read, std::string_view what)
        -> decltype(read(json::value(), context)) {
        auto answer = call_json(call, context);
        if (answer) {
            if (auto created = read(*answer, context))
                return created;
        } else if (answer.error().context.http_status / 100 != 2) {
            return answer.error();
        }
        return make_error(ErrorKind::outcome_unknown,
                          "the tenant accepted the create but its answer is unreadable; the " + std::string(what) +
                              " may exist",
                          context);
    }
};

Result<std::unique_ptr<TenantHttp>> TenantHttp::create(TenantHttpOptions options) {
    HttpsClientOptions transport_options;
    transport_options.ca_file = options.ca_file;
    transport_options.max_connections = std::max(options.concurrency, 1);
    transport_options.connect_timeout = options.connect_timeout;
    transport_options.request_timeout = options.request_timeout;
    transport_options.log = options.log;
    // Check the URLs before anything starts a thread.
    if (auto api = read_tenant_url(options.api_base, TenantUrl::api_base); !api)
        return api.error();
    if (auto token = read_tenant_url(options.token_url, TenantUrl::token_url); !token)
        return token.error();
    auto transport = HttpsClient::create(std::move(transport_options));
    if (!transport)
        return transport.error();
    return create(std::move(options), std::move(*transport), std::make_shared<SystemRetryClock>(),
                  make_system_random_source());
}

Result<std::unique_ptr<TenantHttp>> TenantHttp::create(TenantHttpOptions options,
                                                       std::unique_ptr<HttpsTransport> transport,
                                                       std::shared_ptr<RetryClock> clock,
                                                       std::function<std::uint64_t()> random) {
    auto api = read_tenant_url(options.api_base, TenantUrl::api_base);
    if (!api)
        return api.error();
    auto token = read_tenant_url(options.token_url, TenantUrl::token_url);
    if (!token)
        return token.error();
    if (options.client_id.empty())
        return make_error(ErrorKind::invalid_input, "the tenant clientId is empty");
    if (options.requests_per_minute < 1)
        return make_error(ErrorKind::invalid_input, "requestsPerMinute must be at least 1");

    TenantCallerOptions caller;
    caller.api = std::move(*api);
    caller.token = std::move(*token);
    caller.client_id = options.client_id;
    caller.client_secret = options.client_secret;
    caller.requests_per_minute = options.requests_per_minute;
    // A burst as wide as the connection pool, but never more than a
    // second's worth of budget.
    caller.burst = std::clamp(static_cast<double>(options.requests_per_minute) / 60.0, 1.0,
                              static_cast<double>(std::max(options.concurrency, 1)));
    caller.max_retry_after = options.max_retry_after;
    caller.default_retry_after = options.default_retry_after;
    caller.max_rate_limit_waits = options.max_rate_limit_waits;
    caller.backoff = {options.backoff_base, options.backoff_cap};
    caller.max_attempts = std::max(options.max_attempts, 1);
    caller.max_retry_time = options.max_retry_time;
    caller.token_refresh_margin = options.token_refresh_margin;
    caller.log = options.log;

    auto impl = std::make_unique<Impl>();
    impl->options = std::move(options);
    impl->api = caller.api;
    impl->clock = std::move(clock);
    impl->transport = std::move(transport);
    impl->caller = std::make_unique<TenantCaller>(std::move(caller), *impl->transport, *impl->clock, std::move(random));
    return std::unique_ptr<TenantHttp>(new TenantHttp(std::move(impl)));
}

TenantHttp::TenantHttp(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TenantHttp::~TenantHttp() = default;

void TenantHttp::cancel() { impl_->caller->cancel(); }

void TenantHttp::close_idle_connections() { impl_->transport->close_idle_connections(); }

TenantHttpCounters TenantHttp::counters() const { return impl_->caller->counters(); }

Result<std::vector<Webhook>> TenantHttp::list_webhooks() {
    const PagedList list{"webhook list", "GET /api/v2/webhooks", webhook_page_target(1), impl_->options.max_pages};
    return collect_pages<Webhook>(
        list, impl_->page_fetch(list.operation, {}),
        [](const json::value& value, int number, const ErrorContext& context) -> Result<PageOf<Webhook>> {
            auto page = read_webhook_page(value, context);
            if (!page)
                return page.error();
            const bool claims_more = page->page_count ? number < *page->page_count : !page->next_uri.empty();
            PageOf<Webhook> out{std::move(page->entities), std::nullopt};
            if (claims_more)
                out.next_target = webhook_page_target(number + 1);
            return out;
        },
        [](const Webhook& w) -> const std::string& { return w.id; });
}

Result<std::vector<Webhook>> TenantHttp::search_webhooks(std::string_view name) {
    const std::string operation = "POST /api/v2/webhooks/search";
    ErrorContext context{.webhook = std::string(name), .operation = operation};
    json::object query{{"query", json::object{{"name", name}}}};
    auto answer = impl_->call_json({operation, "POST", "/api/v2/webhooks/search", json::serialize(query)}, context);
    if (!answer)
        return answer.error();
    auto found = read_webhook_entities(*answer, context);
    if (!found)
        return found.error();
    // The API promises exact matches; a lenient server must not make the
    // engine adopt the wrong webhook.
    std::erase_if(*found, [&](const Webhook& w) { return w.name != name; });
    return found;
}

Result<Webhook> TenantHttp::get_webhook(std::string_view id) {
    const std::string operation = "GET /api/v2/webhooks/{id}";
    ErrorContext context{.operation = operation};
    auto answer = impl_->call_json({operation, "GET", webhook_path(id)}, context);
    if (!answer)
        return about(answer.error(), "webhook " + std::string(id));
    return read_webhook(*answer, context);
}

Result<Webhook> TenantHttp::create_webhook(const Webhook& body) {
    const std::string operation = "POST /api/v2/webhooks";
    ErrorContext context{.webhook = body.name, .operation = operation};
    Webhook request = body;
    request.id.clear();
    request.version = 0;
    const auto payload = json::serialize(webhook_to_json(request, WebhookJsonFields::write_body));
    return without_secret(impl_->create({operation, "POST", "/api/v2/webhooks", payload, RequestSafety::create,
                                         request.secret.has_value()},
                                        context, read_webhook, "webhook"),
                          request.secret);
}

Result<Webhook> TenantHttp::update_webhook(const Webhook& body) {
    const std::string operation = "PUT /api/v2/webhooks/{id}";
    ErrorContext context{.webhook = body.name, .operation = operation};
    if (body.id.empty())
        return make_error(ErrorKind::internal, "an update needs the webhook's id", context);
    const auto payload = json::serialize(webhook_to_json(body, WebhookJsonFields::write_body));
    auto answer = impl_->call_json(
        {operation, "PUT", webhook_path(body.id), payload, RequestSafety::idempotent, body.secret.has_value()}, context);
    if (!answer)
        return without_secret<Webhook>(answer.error(), body.secret);
    return read_webhook(*answer, context);
}

Result<void> TenantHttp::delete_webhook(std::string_view id) {
    const std::string operation = "DELETE /api/v2/webhooks/{id}";
    auto answer = impl_->caller->call({operation, "DELETE", webhook_path(id)});
    if (!answer)
        return about(answer.error(), "webhook " + std::string(id));
    return confirm_delete(*answer, operation, "webhook " + std::string(id));
}

Result<std::vector<DeliveryMetrics>> TenantHttp::delivery_metrics(const std::vector<std::string>& ids,
                                                                  std::string_view interval) {
    const std::string operation = "POST /api/v2/analytics/webhooks/summary/query";
    std::vector<std::string> unique;
    std::map<std::string, DeliveryMetrics> by_id;
    for (const auto& id : ids) {
        if (by_id.emplace(id, DeliveryMetrics{.webhook_id = id}).second)
            unique.push_back(id);
    }
    for (std::size_t start = 0; start < unique.size(); start += analytics_batch) {
        const auto batch = std::span(unique).subspan(start, std::min(analytics_batch, unique.size() - start));
        ErrorContext context{.operation = operation};
        auto answer = impl_->call_json(
            {operation, "POST", "/api/v2/analytics/webhooks/summary/query",
             json::serialize(analytics_request(batch, interval))},
            context);
        if (!answer)
            return answer.error();
        if (auto added = add_delivery_metrics(*answer, by_id, context); !added)
            return added.error();
    }
    std::vector<DeliveryMetrics> out;
    out.reserve(unique.size());
    for (const auto& id : unique)
        out.push_back(by_id.at(id));
    return out;
}

Result<std::vector<AuditEntry>> TenantHttp::audit_entries(const AuditQuery& query) {
    const std::string operation = "POST /api/v2/auditlogs/query";
    std::vector<AuditEntry> all;
    std::set<std::string> tokens_seen;
    std::optional<std::string> token;
    for (int page = 1;; ++page) {
        ErrorContext context{.operation = operation};
        if (page > impl_->options.max_pages)
            return make_error(ErrorKind::tenant,
                              "the tenant's audit trail did not end after " +
                                  std::to_string(impl_->options.max_pages) + " pages",
                              context);
        auto answer = impl_->call_json(
            {operation, "POST", "/api/v2/auditlogs/query", json::serialize(audit_request(query, token))}, context);
        if (!answer)
            return answer.error();
        auto result = read_audit_page(*answer, context);
        if (!result)
            return result.error();
        for (auto& entry : result->entries)
            all.push_back(std::move(entry));
        if (!result->next_page_token)
            return all;
        if (!tokens_seen.insert(*result->next_page_token).second)
            return make_error(ErrorKind::tenant,
                              "the tenant's audit trail repeats the page token of an earlier page", context);
        token = std::move(result->next_page_token);
    }
}

Result<std::vector<Trigger>> TenantHttp::list_triggers() {
    const PagedList list{"trigger list", "GET " + std::string(triggers_path),
                         std::string(triggers_path) + "?pageSize=" + std::to_string(trigger_page_size),
                         impl_->options.max_pages};
    return collect_pages<Trigger>(list, impl_->page_fetch(list.operation, trigger_view),
                                  cursor_reader(read_trigger_page, triggers_path, impl_->api),
                                  [](const Trigger& t) -> const std::string& { return t.id; });
}

Result<std::vector<Trigger>> TenantHttp::find_triggers_named(std::string_view name) {
    auto all = list_triggers();
    if (!all) {
        auto error = all.error();
        error.context.webhook = std::string(name);
        return error;
    }
    std::erase_if(*all, [&](const Trigger& t) { return t.name != name; });
    return all;
}

Result<Trigger> TenantHttp::get_trigger(std::string_view id) {
    const std::string operation = "GET " + std::string(triggers_path) + "/{id}";
    ErrorContext context{.operation = operation};
    if (id.empty())
        return make_error(ErrorKind::internal, "reading a trigger needs its id", context);
    auto answer = impl_->call_json(
        {operation, "GET", trigger_path(id), {}, RequestSafety::idempotent, false, std::string(trigger_view)}, context);
    if (!answer)
        return about(answer.error(), "trigger " + std::string(id));
    return read_trigger(*answer, context);
}

Result<Trigger> TenantHttp::create_trigger(const Trigger& body) {
    const std::string operation = "POST " + std::string(triggers_path);
    ErrorContext context{.webhook = body.name, .operation = operation};
    Trigger request = body;
    request.id.clear();
    request.version = 0;
    const auto payload = json::serialize(trigger_to_json(request, TriggerJsonFields::write_body));
    return impl_->create({operation, "POST", std::string(triggers_path), payload, RequestSafety::create, false,
                          std::string(trigger_add)},
                         context, read_trigger, "trigger");
}

Result<Trigger> TenantHttp::update_trigger(const Trigger& body) {
    const std::string operation = "PUT " + std::string(triggers_path) + "/{id}";
    ErrorContext context{.webhook = body.name, .operation = operation};
    if (body.id.empty())
        return make_error(ErrorKind::internal, "an update needs the trigger's id", context);
    const auto payload = json::serialize(trigger_to_json(body, TriggerJsonFields::write_body));
    auto answer = impl_->call_json({operation, "PUT", trigger_path(body.id), payload, RequestSafety::idempotent, false,
                                    std::string(trigger_edit)},
                                   context);
    if (!answer)
        return answer.error();
    return read_trigger(*answer, context);
}

Result<void> TenantHttp::delete_trigger(std::string_view id) {
    const std::string operation = "DELETE " + std::string(triggers_path) + "/{id}";
    if (id.empty())
        return make_error(ErrorKind::internal, "a delete needs the trigger's id", {.operation = operation});
    auto answer = impl_->caller->call(
        {operation, "DELETE", trigger_path(id), {}, RequestSafety::idempotent, false, std::string(trigger_delete)});
    if (!answer)
        return about(answer.error(), "trigger " + std::string(id));
    return confirm_delete(*answer, operation, "trigger " + std::string(id));
}

Result<std::vector<std::string>> TenantHttp::trigger_topics() {
    const PagedList list{"trigger topic list", "GET " + std::string(topics_path),
                         std::string(topics_path) + "?pageSize=" + std::to_string(trigger_page_size),
                         impl_->options.max_pages};
    return collect_pages<std::string>(list, impl_->page_fetch(list.operation, trigger_view),
                                      cursor_reader(read_topic_page, topics_path, impl_->api),
                                      [](const std::string& topic) -> const std::string& { return topic; });
}

} // namespace hookwarden
