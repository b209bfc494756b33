// The client-side request budget of the tenant client (SPEC §5 "Rate limits").
//
// A token bucket paced to `requestsPerMinute`, tightened by what the tenant
// says about its own window (`inin-ratelimit-count`, `-allowed`, `-reset`),
// and closed for the whole client while a 429's `Retry-After` runs. Steady
// work through it causes no 429: it never sends more in the tenant's window
// than the tenant says is left, counting the requests still in flight.
//
// Pure and thread-safe: time is always a parameter, nothing sleeps here. The
// caller (daemon/tenant_caller.cpp) asks `try_acquire`, waits until the time
// it is given, and asks again.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>

namespace hookwarden {

/// What the tenant said about its rate-limit window in one answer.
struct RateWindow {
    std::int64_t count = 0;   ///< requests the tenant has counted in this window
    std::int64_t allowed = 0; ///< requests it allows in this window
    std::chrono::milliseconds reset{0}; ///< time until the window starts afresh
};

/// Reads the three `inin-ratelimit-*` header values (empty when absent).
/// std::nullopt unless all three are present and readable. `reset` is
/// seconds until the window resets; a value that can only be a Unix time
/// (after 2001) is read as one, relative to `wall_now`. Counts over 10^12
/// read as 10^12 and a reset over a day as a day.
std::optional<RateWindow> parse_rate_window(std::string_view count, std::string_view allowed,
                                            std::string_view reset,
                                            std::chrono::system_clock::time_point wall_now);

class RateLimiter {
public:
    using clock = std::chrono::steady_clock;

    /// `requests_per_minute` is the steady rate; `burst` (>= 1) how many may
    /// go at once after a quiet spell. The bucket starts full at `start`.
    RateLimiter(double requests_per_minute, double burst, clock::time_point start);

    /// Takes a send slot now (std::nullopt), or tells when to ask again.
    /// Every granted slot must be followed by exactly one `complete`.
    std::optional<clock::time_point> try_acquire(clock::time_point now);

    /// The request of a granted slot is over: answered (with the tenant's
    /// window when it sent one) or failed.
    void complete(clock::time_point now, const std::optional<RateWindow>& window);

    /// A 429 asked the whole client to wait: nothing is granted before `until`.
    void block_until(clock::time_point until);

    clock::time_point blocked_until() const;
    int in_flight() const;

private:
    void refill(clock::time_point now);

    mutable std::mutex mutex_;
    double per_second_;
    double capacity_;
    double tokens_;
    clock::time_point refilled_at_;
    clock::time_point blocked_until_{};
    int in_flight_ = 0;

    // The tenant's window as last reported, adjusted by what we sent since.
    bool window_known_ = false;
    clock::time_point window_end_{};
    std::int64_t window_remaining_ = 0;
};

} // namespace hookwarden
