// One tenant API call done right (SPEC §5): a bearer token from the shared
// cache, a slot from the rate limiter, the exchange, and the honest retry
// loop around it.
//
// - 401 on an API call: a new token, once, then the call once more.
// - 429: the request was not processed (even a create is sent again), after
//   `Retry-After` (3 s when absent) during which the whole client sends
//   nothing, and at the slower pace the limiter takes from it; a demand
//   over `max_retry_after` fails as rate_limited.
// - 502/503/504, resets and timeouts: idempotent calls are sent again after
//   exponential backoff with full jitter, within an attempt and a time budget.
// - a create that may have reached the tenant (lost answer, any 5xx) is never
//   sent again: ErrorKind::outcome_unknown. A connect failure is safe.
//
// Used by daemon/tenant_http.cpp. Beast-free: the transport, the clock and
// the random source are given, so unit tests script every schedule.
#pragma once

#include "core/error.hpp"
#include "daemon/net/https_client.hpp"
#include "daemon/tenant/oauth_token.hpp"
#include "daemon/tenant/rate_limiter.hpp"
#include "daemon/tenant/retry_policy.hpp"
#include "daemon/tenant/tenant_endpoints.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace hookwarden {

struct TenantCallerOptions {
    HttpsEndpoint api;   ///< path: prefix of every API target, no trailing '/'
    HttpsEndpoint token; ///< path: the token endpoint's target
    std::string client_id;
    std::string client_secret;
    double requests_per_minute = 300;
    double burst = 4;
    std::chrono::seconds max_retry_after{180};
    std::chrono::milliseconds default_retry_after{3000};
    int max_rate_limit_waits = 10; ///< 429s in a row one call sits out before failing
    BackoffPolicy backoff;
    int max_attempts = 5; ///< sends of one call for transient failures
    std::chrono::milliseconds max_retry_time{120000}; ///< no backoff wait ends later than this after the first send
    std::chrono::seconds token_refresh_margin{60};
    /// Debug lines, from the calling threads; must be thread-safe.
    std::function<void(std::string_view)> log;
};

struct ApiCall {
    std::string operation; ///< for people: "PUT /api/v2/webhooks/{id}"
    std::string method;
    std::string target;    ///< below the API base: "/api/v2/webhooks?pageSize=100"
    std::string body;      ///< JSON; empty for none
    RequestSafety safety = RequestSafety::idempotent;
    /// The body carries a webhook secret: errors never quote the answer's
    /// body, which may echo it (see BodyQuoting in tenant_answers.hpp).
    bool sends_secret = false;
    /// The permission the call needs ("processautomation:trigger:add"),
    /// named by a 403 whose body does not say which; empty when unknown.
    std::string permission;
};

/// What the client has done so far, for STATUS lines and metrics; also
/// what TenantHttp::counters() reports.
struct TenantHttpCounters {
    std::uint64_t requests_sent = 0;      ///< exchanges attempted, token requests included
    std::uint64_t rate_limited = 0;       ///< 429 answers seen
    std::uint64_t retries = 0;            ///< sends that repeated an earlier one
    std::uint64_t token_requests = 0;     ///< token endpoint exchanges
    std::uint64_t transport_failures = 0; ///< exchanges without an answer
    /// Every exchange by how it ended: "2xx", "3xx", "4xx", "5xx" (always
    /// present, token endpoint included; a 429 is a "4xx" here and is also
    /// counted in rate_limited) and "transport" (the transport failures, plus
    /// answers with a status outside 100..599; a cancelled exchange is in
    /// none). "1xx" appears only when one was seen.
    std::map<std::string, std::uint64_t> answers_by_class;
};

class TenantCaller {
public:
    TenantCaller(TenantCallerOptions options, HttpsTransport& transport, RetryClock& clock, RandomSource random);

    /// Sends `call` as described above: the 2xx answer, or the error.
    Result<HttpAnswer> call(const ApiCall& call);

    /// Ends every wait at once; calls in flight and later return `cancelled`.
    void cancel();

    TenantHttpCounters counters() const;

private:
    struct Attempts;
    /// What one attempt leads to: nothing to send again, or the call's end.
    using Step = std::optional<Result<HttpAnswer>>;
    enum class Wait { again, give_up, stopped };

    /// The retry loop: attempts until one of them ends the call.
    Result<HttpAnswer> send(const HttpRequest& base, const std::string& operation, RequestSafety safety, bool api,
                            bool sends_secret, std::string_view permission = {});
    /// Takes a token, waits for the pace, sends, and hands the outcome on.
    Step attempt(Attempts& call);
    void count_send(Attempts& call);
    Step on_transport_failure(Attempts& call, const TransportFailure& failure,
                              std::chrono::steady_clock::time_point now);
    Step on_answer(Attempts& call, HttpAnswer& answer, const std::string& token,
                   std::chrono::steady_clock::time_point now);
    /// Notes an answer in the error context; logs it.
    void note_answer(Attempts& call, const HttpAnswer& answer);
    /// The tenant's rate-limit window as the answer reports it, if it does.
    std::optional<RateWindow> window_of(const HttpAnswer& answer) const;
    Step on_token_refused(Attempts& call, const HttpAnswer& answer, const std::string& token);
    Step on_rate_limited(Attempts& call, const HttpAnswer& answer, std::chrono::steady_clock::time_point now);
    Step on_transient_status(Attempts& call, const HttpAnswer& answer);
    Error create_outcome_unknown(const Attempts& call, const HttpAnswer& answer) const;
    /// back_off as a step: send again, stop, or end with `give_up()`.
    Step after_back_off(Attempts& call, std::chrono::milliseconds at_least, const std::function<Error()>& give_up);
    /// The pause before sending a transient failure again: full jitter, never
    /// shorter than `at_least`, within the attempt and time budget.
    Wait back_off(Attempts& call, std::chrono::milliseconds at_least);
    /// The answer as the error of this call (API or token endpoint wording).
    Error refusal(const Attempts& call, const HttpAnswer& answer) const;
    Error cancelled(const Attempts& call) const;
    Result<TokenGrant> fetch_token();
    /// Waits for a send slot: when it was granted, or std::nullopt when cancelled.
    std::optional<std::chrono::steady_clock::time_point> pace();
    std::uint64_t draw_random();
    /// Hands `line()` to the debug log; builds nothing when no log is set.
    /// Lines name operations, hosts, statuses and waits: never a header, a
    /// body, a token or the client secret.
    template <class Line> void log(const Line& line) const {
        if (options_.log)
            options_.log(line());
    }

    TenantCallerOptions options_;
    HttpsTransport& transport_;
    RetryClock& clock_;
    std::mutex random_mutex_;
    RandomSource random_;
    RateLimiter limiter_;
    TokenCache tokens_;

    std::atomic<std::uint64_t> requests_sent_{0};
    std::atomic<std::uint64_t> rate_limited_{0};
    std::atomic<std::uint64_t> retries_{0};
    std::atomic<std::uint64_t> token_requests_{0};
    std::atomic<std::uint64_t> transport_failures_{0};
    /// Answers by status / 100 (index 1..5); 0 holds anything outside 100..599.
    std::array<std::atomic<std::uint64_t>, 6> answers_by_hundred_{};
};

} // namespace hookwarden
