#include "daemon/tenant/tenant_http.hpp"
#include "daemon/tenant/webhook_json.hpp"

#include "daemon/net/https_client.hpp"
#include "daemon/tenant/retry_policy.hpp"
#include "daemon/tenant/tenant_answers.hpp"
#include "daemon/tenant/tenant_caller.hpp"
#include "daemon/tenant/tenant_endpoints.hpp"

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

std::string webhook_path(std::string_view id) {
    return "/api/v2/webhooks/" + urls::encode(id, urls::unreserved_chars);
}

Error about(Error error, std::string_view subject) {
    error.message = std::string(subject) + ": " + error.message;
    return error;
}

} // namespace

struct TenantHttp::Impl {
    TenantHttpOptions options;
    std::shared_ptr<RetryClock> clock;
    std::unique_ptr<HttpsTransport> transport;
    std::unique_ptr<TenantCaller> caller; // last: it refers to the two above

    Result<json::value> call_json(ApiCall call, const ErrorContext& base) {
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
    const std::string operation = "GET /api/v2/webhooks";
    std::vector<Webhook> all;
    std::set<std::string> seen;
    for (int page = 1;; ++page) {
        ErrorContext context{.operation = operation};
        if (page > impl_->options.max_pages)
            return make_error(ErrorKind::tenant,
                              "the tenant's webhook list did not end after " +
                                  std::to_string(impl_->options.max_pages) + " pages",
                              context);
        auto answer = impl_->call_json({operation, "GET",
                                        "/api/v2/webhooks?pageSize=" + std::to_string(list_page_size) +
                                            "&pageNumber=" + std::to_string(page)},
                                       context);
        if (!answer)
            return answer.error();
        auto result = read_webhook_page(*answer, context);
        if (!result)
            return result.error();
        const bool claims_more =
            result->page_count ? page < *result->page_count : !result->next_uri.empty();
        std::size_t fresh = 0;
        for (auto& webhook : result->entities) {
            if (seen.insert(webhook.id).second) {
                all.push_back(std::move(webhook));
                ++fresh;
            }
        }
        // A partial list would make the engine create duplicates of what it
        // did not see: a walk that stops making progress is an error.
        if (claims_more && fresh == 0)
            return make_error(ErrorKind::tenant,
                              "the tenant's webhook list made no progress at page " + std::to_string(page) +
                                  " (no new webhook, yet more pages announced)",
                              context);
        if (!claims_more || result->entities.empty())
            return all;
    }
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
    auto answer = impl_->call_json(
        {operation, "POST", "/api/v2/webhooks", payload, RequestSafety::create, request.secret.has_value()}, context);
    if (answer) {
        if (auto created = read_webhook(*answer, context))
            return created;
    } else if (answer.error().context.http_status / 100 != 2) {
        return answer.error();
    }
    // The tenant said yes, but we cannot tell what it made: as good as a lost
    // answer. The caller looks the name up before it tries again.
    return make_error(ErrorKind::outcome_unknown,
                      "the tenant accepted the create but its answer is unreadable; the webhook may exist",
                      context);
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
        return answer.error();
    return read_webhook(*answer, context);
}

Result<void> TenantHttp::delete_webhook(std::string_view id) {
    const std::string operation = "DELETE /api/v2/webhooks/{id}";
    auto answer = impl_->caller->call({operation, "DELETE", webhook_path(id)});
    if (!answer)
        return about(answer.error(), "webhook " + std::string(id));
    return {};
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

} // namespace hookwarden
