#include "daemon/tenant/tenant_caller.hpp"

#include "daemon/tenant/tenant_answers.hpp"

#include <algorithm>

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
    return {requests_sent_.load(), rate_limited_.load(), retries_.load(), token_requests_.load(),
            transport_failures_.load()};
}

bool TenantCaller::pace() {
    while (true) {
        const auto next = limiter_.try_acquire(clock_.now());
        if (!next)
            return true;
        if (!clock_.wait_until(*next))
            return false;
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
    return send(request, call.operation, call.safety, true, call.sends_secret);
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

Result<HttpAnswer> TenantCaller::send(const HttpRequest& base, const std::string& operation, RequestSafety safety,
                                      bool api, bool sends_secret) {
    ErrorContext context;
    context.operation = operation;
    const auto started = clock_.now();
    int attempts = 0;
    int transient_failures = 0;
    int rate_limit_waits = 0;
    bool refreshed = false;

    auto cancelled = [&] {
        context.attempts = attempts;
        return make_error(ErrorKind::cancelled, "stopped before the tenant answered", context);
    };
    enum class Wait { again, give_up, stopped };
    // The pause before sending a transient failure again: full jitter, never
    // shorter than what the tenant asked for, within the attempt and time budget.
    auto back_off = [&](chrono::milliseconds at_least) {
        if (++transient_failures >= options_.max_attempts)
            return Wait::give_up;
        RandomSource random = [this] { return draw_random(); };
        const auto delay = std::max(full_jitter_delay(options_.backoff, transient_failures - 1, random), at_least);
        const auto until = clock_.now() + delay;
        if (until - started > options_.max_retry_time)
            return Wait::give_up;
        log([&] { return operation + ": trying again in " + std::to_string(delay.count()) + " ms"; });
        return clock_.wait_until(until) ? Wait::again : Wait::stopped;
    };
    const auto quoting = sends_secret ? BodyQuoting::withheld : BodyQuoting::allowed;
    auto refusal = [&](const HttpAnswer& answer) {
        return api ? api_error(answer, context, quoting)
                   : token_error(answer.status, answer.body, options_.client_id, context);
    };

    while (true) {
        if (clock_.cancelled())
            return cancelled();
        HttpRequest request = base;
        std::string token;
        if (api) {
            auto got = tokens_.get([this] { return fetch_token(); });
            if (!got)
                return got.error();
            token = std::move(*got);
            request.headers.emplace_back("Authorization", "Bearer " + token);
        }
        if (!pace())
            return cancelled();
        if (attempts > 0)
            ++retries_;
        ++attempts;
        ++requests_sent_;
        if (!api)
            ++token_requests_;
        context.attempts = attempts;

        auto result = transport_.exchange(request);
        const auto now = clock_.now();
        if (!result) {
            limiter_.complete(now, std::nullopt);
            const auto& failure = result.error();
            if (failure.kind == ErrorKind::cancelled)
                return cancelled();
            ++transport_failures_;
            log([&] { return operation + ": " + failure.message; });
            switch (classify_transport_failure(failure.maybe_sent, failure.permanent, safety)) {
            case RetryVerdict::outcome_unknown:
                return make_error(ErrorKind::outcome_unknown,
                                  "the answer to the create was lost (" + failure.message +
                                      "); the tenant may have applied it",
                                  context);
            case RetryVerdict::retry_backoff:
                switch (back_off(0ms)) {
                case Wait::again: continue;
                case Wait::stopped: return cancelled();
                case Wait::give_up: break;
                }
                break;
            default: break;
            }
            return make_error(failure.kind, failure.message, context);
        }

        auto& answer = *result;
        limiter_.complete(now, parse_rate_window(answer.header("inin-ratelimit-count").value_or(""),
                                                 answer.header("inin-ratelimit-allowed").value_or(""),
                                                 answer.header("inin-ratelimit-reset").value_or(""),
                                                 clock_.wall_now()));
        context.http_status = answer.status;
        if (const auto correlation = answer.header("inin-correlation-id"))
            context.correlation_id = std::string(*correlation);
        log([&] {
            return operation + ": HTTP " + std::to_string(answer.status) + " (attempt " + std::to_string(attempts) + ")";
        });

        switch (classify_status(answer.status, safety)) {
        case RetryVerdict::done: return std::move(answer);

        case RetryVerdict::refresh_token:
            if (!api || refreshed)
                return refusal(answer);
            refreshed = true;
            tokens_.invalidate(token);
            log([&] { return operation + ": the access token was refused; fetching a new one"; });
            continue;

        case RetryVerdict::retry_rate_limit: {
            ++rate_limited_;
            const auto asked = parse_retry_after(answer.header("Retry-After").value_or(""), clock_.wall_now());
            // parse_retry_after clamps: no overflow here, and a huge demand
            // stays huge (and is refused) instead of wrapping round.
            const chrono::milliseconds wait = asked ? chrono::milliseconds(*asked) : options_.default_retry_after;
            if (wait > options_.max_retry_after) {
                auto error = refusal(answer);
                error.kind = ErrorKind::rate_limited;
                error.message = "the tenant demands a pause of " +
                                std::to_string(chrono::ceil<chrono::seconds>(wait).count()) +
                                (asked && *asked >= retry_after_limit ? " s or more" : " s") +
                                " before the next request, longer than the " +
                                std::to_string(options_.max_retry_after.count()) + " s hookwarden waits";
                return error;
            }
            if (++rate_limit_waits > options_.max_rate_limit_waits) {
                auto error = refusal(answer);
                error.kind = ErrorKind::rate_limited;
                error.message = "the tenant still rate limits after " + std::to_string(rate_limit_waits - 1) +
                                " pauses";
                return error;
            }
            // Nobody in this client sends before the pause is over.
            limiter_.block_until(now + wait);
            log([&] { return operation + ": rate limited (429); the client pauses " + std::to_string(wait.count()) + " ms"; });
            continue;
        }

        case RetryVerdict::retry_backoff: {
            chrono::milliseconds at_least{0};
            if (const auto asked = parse_retry_after(answer.header("Retry-After").value_or(""), clock_.wall_now()))
                at_least = std::min(chrono::milliseconds(*asked), chrono::milliseconds(options_.max_retry_after));
            switch (back_off(at_least)) {
            case Wait::again: continue;
            case Wait::stopped: return cancelled();
            case Wait::give_up: break;
            }
            return refusal(answer);
        }

        case RetryVerdict::outcome_unknown: {
            auto error = api_error(answer, context, quoting);
            error.kind = ErrorKind::outcome_unknown;
            error.message = "the tenant failed the create with HTTP " + std::to_string(answer.status) +
                            " and may have applied it: " + error.message;
            return error;
        }

        case RetryVerdict::fail: return refusal(answer);
        }
        return refusal(answer);
    }
}

} // namespace hookwarden
