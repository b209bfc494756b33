// The client-side request budget of the tenant client (SPEC §5 "Rate limits").
//
// A token bucket paced to `requestsPerMinute`, tightened by what the tenant
// says about its own window (`inin-ratelimit-count`, `-allowed`, `-reset`),
// and closed for the whole client while a 429's `Retry-After` runs. Steady
// work through it causes no 429: it never sends more in the tenant's window
// than the tenant says is left, counting the requests still in flight.
//
// A tenant that does not say (no headers, or a limit the headers do not
// cover) is found out from its 429s, as TCP finds a link's capacity
// (additive increase, multiplicative decrease):
// - each 429 cuts the pace at least in half, and, when the tenant refused
//   once before within the minute, to no more than what it served since: a
//   429 means its budget was spent then, so what it served since is what
//   it refills. Never below 1 a minute, so that it is still asked.
// - the bucket's burst shrinks in proportion, or the first burst after the
//   pause would be refused again.
// - the pace grows back linearly, every minute by a tenth of the pace it
//   was cut to (of a tenth of `requestsPerMinute` at least), up to
//   `requestsPerMinute`: slowly against the limit just found, so that the
//   tenant is probed again only after minutes.
// - one limiter serves the whole client, so every caller slows down at
//   once; and the 429s to requests already on their way when the pace was
//   cut answer the pace that was cut, so a burst of them is one cut, not
//   one each.
//
// Pure and thread-safe: time is always a parameter, nothing sleeps here. The
// caller (daemon/tenant_caller.cpp) asks `try_acquire`, waits until the time
// it is given, and asks again.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
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

    /// `requests_per_minute` is the steady rate, and the most the pace
    /// grows back to after a 429; `burst` (>= 1) how many may go at once
    /// after a quiet spell at that rate. The bucket starts full at `start`.
    RateLimiter(double requests_per_minute, double burst, clock::time_point start);

    /// Takes a send slot now (std::nullopt), or tells when to ask again.
    /// Every granted slot must be followed by exactly one of `complete`,
    /// `unanswered` and `rate_limited`.
    std::optional<clock::time_point> try_acquire(clock::time_point now);

    /// The tenant answered the request of a granted slot, with anything but
    /// a 429 (and with its window when it sent one): it was served.
    void complete(clock::time_point now, const std::optional<RateWindow>& window);

    /// The request of a granted slot got no answer. Not counted as served:
    /// a tenant that drops connections is not thereby serving more.
    void unanswered(clock::time_point now);

    /// The tenant answered 429 to the request of the slot granted at
    /// `granted_at`. Cuts the pace, unless that slot was granted before
    /// the last cut (the same congestion); and when `pause_until` is given,
    /// nothing is granted before it, as block_until.
    void rate_limited(clock::time_point now, clock::time_point granted_at, const std::optional<RateWindow>& window,
                      std::optional<clock::time_point> pause_until);

    /// A 429 asked the whole client to wait: nothing is granted before `until`.
    void block_until(clock::time_point until);

    clock::time_point blocked_until() const;
    int in_flight() const;
    /// The pace at `now`, requests a minute: requests_per_minute until a
    /// 429, then what the cuts and the recovery since made of it.
    double pace_per_minute(clock::time_point now) const;
    /// How many may go at once after a quiet spell at that pace.
    double burst(clock::time_point now) const;

private:
    void refill(clock::time_point now);
    void release_slot(clock::time_point now, const std::optional<RateWindow>& window);
    void cut(clock::time_point now);
    double rate_at(clock::time_point now) const; ///< per second
    double capacity_at(double per_second) const;
    std::optional<double> served_per_second(clock::time_point now) const;

    mutable std::mutex mutex_;
    const double ceiling_;   ///< requests_per_minute, per second
    const double full_burst_;
    double tokens_;
    clock::time_point refilled_at_;
    clock::time_point blocked_until_{};
    int in_flight_ = 0;

    // The tenant's window as last reported, adjusted by what we sent since.
    bool window_known_ = false;
    clock::time_point window_end_{};
    std::int64_t window_remaining_ = 0;

    // What the 429s made of the pace: `cut_to_` per second at `cut_at_`,
    // growing linearly from there.
    std::optional<clock::time_point> cut_at_;
    double cut_to_ = 0;
    std::optional<clock::time_point> last_429_; ///< the latest 429 answer, cut or not
    std::deque<clock::time_point> served_;     ///< answers other than 429, the last minute's
};

} // namespace hookwarden
