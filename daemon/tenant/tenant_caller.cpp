#include "daemon/tenant/tenant_caller.hpp"

#include "daemon/tenant/tenant_answers.hpp"

#include <algorithm>
#include <optional>

namespace hookwarden {
namespace chrono = std::chrono;
using namespace std::chrono_literals;

TenantCaller::TenantCaller(TenantCallerOptions options, HttpsTransport& transport, RetryClock& clock,
                           RandomSource random)
    : options_(std::move(options)),
      transport_(transport),
      clock_(clock),
      random_(std::move(random)),
      limiter_(options_.requests_per_minute, options_.burst, clock.now()),
      tokens_(clock, options_.token_refresh_margin) {}

std::uint64_t TenantCaller::draw_random() {
    std::lock_guard lock(random_mutex_);
    return random_();
}

void TenantCaller::cancel() {
    clock_.cancel();
    transport_.cancel();
}

TenantHttpCounters TenantCaller::counters() const {
    TenantHttpCounters counters{requests_sent_.load(), rate_limited_.load(), retries_.load(),
                                token_requests_.load(), transport_failures_.load(), {}};
    for (int hundred = 2; hundred <= 5; ++hundred)
        counters.answers_by_class[std::to_string(hundred) + "xx"] = answers_by_hundred_[hundred].load();
    if (const auto informational = answers_by_hundred_[1].load())
        counters.answers_by_class["1xx"] = informational;
    // An out-of-range status is not an answer any class describes; it is
    // rare enough (a broken proxy) to be shown with the transport failures.
    counters.answers_by_class["transport"] = transport_failures_.load() + answers_by_hundred_[0].load();
    return counters;
}

std::optional<chrono::steady_clock::time_point> TenantCaller::pace() {
    while (true) {
        const auto now = clock_.now();
        const auto next = limiter_.try_acquire(now);
        if (!next)
            return now;
        if (!clock_.wait_until(*next))
            return std::nullopt;
    }
}

Result<HttpAnswer> TenantCaller::call(const ApiCall& call) {
    HttpRequest request;
    request.host = options_.api.host;
    request.port = options_.api.port;
    request.method = call.method;
    request.target = options_.api.path + call.target;
    request.headers.emplace_back("Accept", "application/json");
    if (!call.body.empty())
        request.headers.emplace_back("Content-Type", "application/json");
    request.body = call.body;
    // A create goes out on a fresh connection: a kept-alive one that the
    // server closed meanwhile would fail after the write, "outcome unknown".
    request.reuse_connection = call.safety == RequestSafety::idempotent;
    return send(request, call.operation, call.safety, true, call.sends_secret, call.permission);
}

Result<TokenGrant> TenantCaller::fetch_token() {
    HttpRequest request;
    request.host = options_.token.host;
    request.port = options_.token.port;
    request.method = "POST";
    request.target = options_.token.path;
    request.headers.emplace_back("Authorization", basic_authorization(options_.client_id, options_.client_secret));
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    request.headers.emplace_back("Accept", "application/json");
    request.body = std::string(token_request_body);
    // Named without the token URL's query: errors and log lines carry the
    // operation, and nothing from the URL beyond its path belongs there.
    const auto operation = "POST " + options_.token.path.substr(0, options_.token.path.find('?'));
    auto answer = send(request, operation, RequestSafety::idempotent, false, false);
    if (!answer)
        return answer.error();
    auto grant = parse_token_answer(answer->body);
    if (!grant) {
        auto error = grant.error();
        error.context.operation = operation;
        error.context.http_status = answer->status;
        return error;
    }
    log([&] {
        return "got a new access token for client id '" + options_.client_id + "', valid for " +
               std::to_string(grant->expires_in.count()) + " s";
    });
    return grant;
}

// One call across its attempts: what it is, and what it has used up of its
// budgets so far.
struct TenantCaller::Attempts {
    const HttpRequest& base;
    const std::string& operation;
    RequestSafety safety;
    bool api;            ///< false: the token endpoint itself
    BodyQuoting quoting; ///< withheld when the request carried a secret
    std::string_view permission; ///< what a bare 403 names
    chrono::steady_clock::time_point started;
    chrono::steady_clock::time_point granted; ///< the limiter's slot for the current attempt
    ErrorContext context; ///< operation, attempts, status and correlation id so far
    int sent = 0;
    int transient_failures = 0;
    int rate_limit_waits = 0;
    bool refreshed = false; ///< a 401 has already cost one new token
};

Result<HttpAnswer> TenantCaller::send(const HttpRequest& base, const std::string& operation, RequestSafety safety,
                                      bool api, bool sends_secret, std::string_view permission) {
    Attempts call{.base = base,
                  .operation = operation,
                  .safety = safety,
                  .api = api,
                  .quoting = sends_secret ? BodyQuoting::withheld : BodyQuoting::allowed,
                  .permission = permission,
                  .started = clock_.now(),
                  .context = {.operation = operation}};
    while (true) {
        auto finished = attempt(call);
        if (!finished)
            continue;
        if (*finished)
            return std::move(*finished);
        // A server may echo what it was sent; the client secret goes to the
        // token endpoint only, and never into an error.
        Error error = finished->error();
        redact_secret(error, options_.client_secret);
        return error;
    }
}

TenantCaller::Step TenantCaller::attempt(Attempts& call) {
    if (clock_.cancelled())
        return cancelled(call);
    HttpRequest request = call.base;
    // The token is taken before the pace: fetching one is a request of its
    // own, paced by the same limiter.
    std::string token;
    if (call.api) {
        auto got = tokens_.get([this] { return fetch_token(); });
        if (!got)
            return got.error();
        token = std::move(*got);
        request.headers.emplace_back("Authorization", "Bearer " + token);
    }
    const auto granted = pace();
    if (!granted)
        return cancelled(call);
    call.granted = *granted;
    count_send(call);
    auto exchanged = transport_.exchange(request);
    const auto now = clock_.now();
    if (!exchanged)
        return on_transport_failure(call, exchanged.error(), now);
    return on_answer(call, *exchanged, token, now);
}

void TenantCaller::count_send(Attempts& call) {
    if (call.sent > 0)
        ++retries_;
    ++call.sent;
    ++requests_sent_;
    if (!call.api)
        ++token_requests_;
    call.context.attempts = call.sent;
}

TenantCaller::Step TenantCaller::on_transport_failure(Attempts& call, const TransportFailure& failure,
                                                      chrono::steady_clock::time_point now) {
    limiter_.unanswered(now);
    if (failure.kind == ErrorKind::cancelled)
        return cancelled(call);
    ++transport_failures_;
    log([&] { return call.operation + ": " + failure.message; });
    const auto give_up = [&] { return make_error(failure.kind, failure.message, call.context); };
    switch (classify_transport_failure(failure.maybe_sent, failure.permanent, call.safety)) {
    case RetryVerdict::outcome_unknown:
        return make_error(ErrorKind::outcome_unknown,
                          "the answer to the create was lost (" + failure.message + "); the tenant may have applied it",
                          call.context);
    case RetryVerdict::retry_backoff: return after_back_off(call, 0ms, give_up);
    default: return give_up();
    }
}

TenantCaller::Step TenantCaller::on_answer(Attempts& call, HttpAnswer& answer, const std::string& token,
                                           chrono::steady_clock::time_point now) {
    const int hundred = answer.status / 100;
    ++answers_by_hundred_[hundred >= 1 && hundred <= 5 ? static_cast<std::size_t>(hundred) : 0];
    note_answer(call, answer);
    const auto verdict = classify_status(answer.status, call.safety);
    if (verdict == RetryVerdict::retry_rate_limit)
        return on_rate_limited(call, answer, now);
    // The tenant's own count of our budget tightens the pace of every caller.
    limiter_.complete(now, window_of(answer));
    switch (verdict) {
    case RetryVerdict::done: return std::move(answer);
    case RetryVerdict::refresh_token: return on_token_refused(call, answer, token);
    case RetryVerdict::retry_rate_limit: break; // on_rate_limited, above
    case RetryVerdict::retry_backoff: return on_transient_status(call, answer);
    case RetryVerdict::outcome_unknown: return create_outcome_unknown(call, answer);
    case RetryVerdict::fail: break;
    }
    return refusal(call, answer);
}

std::optional<RateWindow> TenantCaller::window_of(const HttpAnswer& answer) const {
    return parse_rate_window(answer.header("inin-ratelimit-count").value_or(""),
                             answer.header("inin-ratelimit-allowed").value_or(""),
                             answer.header("inin-ratelimit-reset").value_or(""), clock_.wall_now());
}

void TenantCaller::note_answer(Attempts& call, const HttpAnswer& answer) {
    call.context.http_status = answer.status;
    if (const auto correlation = answer.header("inin-correlation-id"))
        call.context.correlation_id = std::string(*correlation);
    log([&] {
        return call.operation + ": HTTP " + std::to_string(answer.status) + " (attempt " + std::to_string(call.sent) +
               ")";
    });
}

TenantCaller::Step TenantCaller::on_token_refused(Attempts& call, const HttpAnswer& answer, const std::string& token) {
    // A 401 from the token endpoint is a wrong secret; a second one from
    // the API after a fresh token is a revoked client: neither gets better.
    if (!call.api || call.refreshed)
        return refusal(call, answer);
    call.refreshed = true;
    tokens_.invalidate(token);
    log([&] { return call.operation + ": the access token was refused; fetching a new one"; });
    return std::nullopt;
}

TenantCaller::Step TenantCaller::on_rate_limited(Attempts& call, const HttpAnswer& answer,
                                                 chrono::steady_clock::time_point now) {
    ++rate_limited_;
    const auto asked = parse_retry_after(answer.header("Retry-After").value_or(""), clock_.wall_now());
    // parse_retry_after clamps: no overflow here, and a huge demand stays
    // huge (and is refused) instead of wrapping round.
    const chrono::milliseconds wait = asked ? chrono::milliseconds(*asked) : options_.default_retry_after;
    const bool too_long = wait > options_.max_retry_after;
    const bool too_often = !too_long && ++call.rate_limit_waits > options_.max_rate_limit_waits;
    // A 429 was not processed, so even a create goes again; and nobody in
    // this client sends before the pause is over, not only this call, nor
    // afterwards at the pace that the tenant refused.
    limiter_.rate_limited(now, call.granted, window_of(answer),
                          too_long || too_often ? std::nullopt : std::optional(now + wait));
    if (too_long) {
        auto error = refusal(call, answer);
        error.kind = ErrorKind::rate_limited;
        error.message = "the tenant demands a pause of " +
                        std::to_string(chrono::ceil<chrono::seconds>(wait).count()) +
                        (asked && *asked >= retry_after_limit ? " s or more" : " s") +
                        " before the next request, longer than the " +
                        std::to_string(options_.max_retry_after.count()) + " s hookwarden waits";
        return error;
    }
    if (too_often) {
        auto error = refusal(call, answer);
        error.kind = ErrorKind::rate_limited;
        error.message = "the tenant still rate limits after " + std::to_string(call.rate_limit_waits - 1) + " pauses";
        return error;
    }
    log([&] {
        return call.operation + ": rate limited (429); the client pauses " + std::to_string(wait.count()) +
               " ms and slows to " + std::to_string(static_cast<int>(limiter_.pace_per_minute(now))) +
               " requests a minute";
    });
    return std::nullopt;
}

TenantCaller::Step TenantCaller::on_transient_status(Attempts& call, const HttpAnswer& answer) {
    // A Retry-After on a 503 is a floor for the jittered pause, within the
    // longest pause hookwarden accepts at all.
    chrono::milliseconds at_least{0};
    if (const auto asked = parse_retry_after(answer.header("Retry-After").value_or(""), clock_.wall_now()))
        at_least = std::min(chrono::milliseconds(*asked), chrono::milliseconds(options_.max_retry_after));
    return after_back_off(call, at_least, [&] { return refusal(call, answer); });
}

Error TenantCaller::create_outcome_unknown(const Attempts& call, const HttpAnswer& answer) const {
    // A 5xx to a create may come after the tenant stored it: sending it
    // again could make a duplicate, so the engine looks the name up instead.
    auto error = api_error(answer, call.context, call.quoting, call.permission);
    error.kind = ErrorKind::outcome_unknown;
    error.message = "the tenant failed the create with HTTP " + std::to_string(answer.status) +
                    " and may have applied it: " + error.message;
    return error;
}

TenantCaller::Step TenantCaller::after_back_off(Attempts& call, chrono::milliseconds at_least,
                                                const std::function<Error()>& give_up) {
    switch (back_off(call, at_least)) {
    case Wait::again: return std::nullopt;
    case Wait::stopped: return cancelled(call);
    case Wait::give_up: break;
    }
    return give_up();
}

TenantCaller::Wait TenantCaller::back_off(Attempts& call, chrono::milliseconds at_least) {
    if (++call.transient_failures >= options_.max_attempts)
        return Wait::give_up;
    // Full jitter (core/backoff.hpp) spreads the retries of many callers;
    // the floor is what the tenant asked for.
    RandomSource random = [this] { return draw_random(); };
    const auto delay = std::max(full_jitter_delay(options_.backoff, call.transient_failures - 1, random), at_least);
    const auto until = clock_.now() + delay;
    if (until - call.started > options_.max_retry_time)
        return Wait::give_up;
    log([&] { return call.operation + ": trying again in " + std::to_string(delay.count()) + " ms"; });
    return clock_.wait_until(until) ? Wait::again : Wait::stopped;
}

Error TenantCaller::refusal(const Attempts& call, const HttpAnswer& answer) const {
    return call.api ? api_error(answer, call.context, call.quoting, call.permission)
                    : token_error(answer.status, answer.body, options_.client_id, call.context);
}

Error TenantCaller::cancelled(const Attempts& call) const {
    return make_error(ErrorKind::cancelled, "stopped before the tenant answered", call.context);
}

} // namespace hookwarden
