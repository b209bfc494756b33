// The pure rules of the tenant client's retries (SPEC §5): which answers and
// failures are retried, how long to wait before the next attempt (full
// jitter, core/backoff.hpp), and what a `Retry-After` header asks for.
//
// Used by daemon/tenant_caller.cpp. Nothing here touches a socket, the
// system clock or a global random source: time and randomness come in as
// parameters (`RetryClock`, `RandomSource`), so that unit tests can replay
// any schedule exactly. `RetryClock` also carries the client's cancellation,
// because every wait of the client is a wait on that clock.
#pragma once

#include "core/backoff.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>

namespace hookwarden {

/// A RandomSource seeded from std::random_device, safe to call from several
/// threads.
RandomSource make_system_random_source();

/// Parses an RFC 9110 HTTP-date (IMF-fixdate, and the obsolete RFC 850 and
/// asctime forms a sender may still use). Always UTC.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

/// The longest pause a `Retry-After` value reads as. No caller waits that
/// long (SPEC §5: it gives up instead), and clamping here keeps every later
/// computation with the value (milliseconds, deadlines) far from overflow.
inline constexpr std::chrono::seconds retry_after_limit{24 * 60 * 60};

/// Reads a `Retry-After` value: delay-seconds or an HTTP-date, relative to
/// `now`. A date in the past means "now" (zero). A longer pause than
/// `retry_after_limit` (also a number too large for any integer) reads as
/// that limit. Anything unreadable gives std::nullopt, and the caller uses
/// its default (3 s per SPEC §5).
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

/// Whether a request may be sent twice without harm. Reads (GET, search),
/// PUT, DELETE and token requests are idempotent; only a create is not.
enum class RequestSafety { idempotent, create };

/// What the retry loop does with one attempt's outcome.
enum class RetryVerdict {
    done,            ///< 2xx: hand the answer back
    retry_backoff,   ///< transient: wait (full jitter) and send again
    retry_rate_limit,///< 429: the request was not processed; wait Retry-After for the whole client, send again
    refresh_token,   ///< 401 on an API call: new token, once, then send again
    outcome_unknown, ///< a create may have been applied: never send it again
    fail,            ///< a definite answer: report it
};

/// Classifies an HTTP status. 401 always says `refresh_token`; the caller
/// decides whether it already refreshed once.
RetryVerdict classify_status(int status, RequestSafety safety);

/// Classifies a transport failure: `maybe_sent` when the request may have
/// reached the tenant (written, then no complete answer), `permanent` when
/// trying again cannot help (a certificate the client rejects).
RetryVerdict classify_transport_failure(bool maybe_sent, bool permanent, RequestSafety safety);

/// Time and cancellation for the client's waits. Thread-safe.
class RetryClock {
public:
    virtual ~RetryClock() = default;
    virtual std::chrono::steady_clock::time_point now() const = 0;
    /// Wall-clock time, to read Retry-After dates.
    virtual std::chrono::system_clock::time_point wall_now() const = 0;
    /// Waits until `deadline` or until cancel(); false when cancelled.
    virtual bool wait_until(std::chrono::steady_clock::time_point deadline) = 0;
    /// Wakes every waiter and makes every later wait return false at once.
    virtual void cancel() = 0;
    virtual bool cancelled() const = 0;
};

/// The real clocks; waits are condition-variable waits that cancel() ends.
class SystemRetryClock final : public RetryClock {
public:
    std::chrono::steady_clock::time_point now() const override;
    std::chrono::system_clock::time_point wall_now() const override;
    bool wait_until(std::chrono::steady_clock::time_point deadline) override;
    void cancel() override;
    bool cancelled() const override;

private:
    mutable std::mutex mutex_;
    std::condition_variable woken_;
    bool cancelled_ = false;
};

} // namespace hookwarden
