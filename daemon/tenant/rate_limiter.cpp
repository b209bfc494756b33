#include "daemon/tenant/rate_limiter.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace hookwarden {
namespace chrono = std::chrono;

namespace {

// What the headers may say, bounded so that the limiter's arithmetic on
// them cannot overflow (found by tests/fuzz/tenant_http_fuzz): counts
// beyond 10^12 are read as 10^12, a window longer than a day as a day.
constexpr std::int64_t max_count = 1'000'000'000'000;
constexpr std::int64_t max_reset_seconds = 24 * 60 * 60;

std::optional<std::int64_t> parse_count(std::string_view text) {
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ')
        text.remove_suffix(1);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || end != text.data() + text.size() || value < 0)
        return std::nullopt;
    if (ec == std::errc::result_out_of_range)
        return max_count;
    if (ec != std::errc{})
        return std::nullopt;
    return std::min(value, max_count);
}

} // namespace

std::optional<RateWindow> parse_rate_window(std::string_view count, std::string_view allowed,
                                            std::string_view reset, chrono::system_clock::time_point wall_now) {
    const auto c = parse_count(count);
    const auto a = parse_count(allowed);
    const auto r = parse_count(reset);
    if (!c || !a || !r)
        return std::nullopt;
    RateWindow window{*c, *a, chrono::seconds(std::min(*r, max_reset_seconds))};
    constexpr std::int64_t year_2001 = 978307200;
    if (*r > year_2001) {
        const auto now = chrono::floor<chrono::seconds>(wall_now).time_since_epoch().count();
        if (*r - now > max_reset_seconds)
            return RateWindow{*c, *a, chrono::seconds(max_reset_seconds)};
        const auto at = chrono::system_clock::time_point(chrono::seconds(*r));
        window.reset = std::max(chrono::milliseconds::zero(),
                                chrono::ceil<chrono::milliseconds>(at - wall_now));
    }
    return window;
}

RateLimiter::RateLimiter(double requests_per_minute, double burst, clock::time_point start)
    : per_second_(std::max(requests_per_minute, 0.001) / 60.0),
      capacity_(std::max(burst, 1.0)),
      tokens_(capacity_),
      refilled_at_(start) {}

void RateLimiter::refill(clock::time_point now) {
    if (now <= refilled_at_)
        return;
    const chrono::duration<double> elapsed = now - refilled_at_;
    tokens_ = std::min(capacity_, tokens_ + elapsed.count() * per_second_);
    refilled_at_ = now;
}

std::optional<RateLimiter::clock::time_point> RateLimiter::try_acquire(clock::time_point now) {
    std::lock_guard lock(mutex_);
    refill(now);
    if (now < blocked_until_)
        return blocked_until_;
    if (window_known_ && now >= window_end_)
        window_known_ = false;
    if (window_known_ && window_remaining_ <= 0)
        return window_end_;
    if (tokens_ < 1.0) {
        const chrono::duration<double> missing((1.0 - tokens_) / per_second_);
        return now + chrono::ceil<clock::duration>(missing);
    }
    tokens_ -= 1.0;
    if (window_known_)
        --window_remaining_;
    ++in_flight_;
    return std::nullopt;
}

void RateLimiter::complete(clock::time_point now, const std::optional<RateWindow>& window) {
    std::lock_guard lock(mutex_);
    if (in_flight_ > 0)
        --in_flight_;
    if (!window)
        return;
    // The tenant's count cannot include requests that are still on their
    // way: assume every other request in flight will count in this window.
    const auto end = now + window->reset;
    const auto remaining = window->allowed - window->count - in_flight_;
    // Answers overtake each other: within one window only ever believe the
    // smaller remainder, so that an older answer never reopens the budget.
    const bool same_window = window_known_ && end < window_end_ + chrono::seconds(2) &&
                             window_end_ < end + chrono::seconds(2);
    window_remaining_ = same_window ? std::min(window_remaining_, remaining) : remaining;
    window_end_ = same_window ? std::max(window_end_, end) : end;
    window_known_ = true;
}

void RateLimiter::block_until(clock::time_point until) {
    std::lock_guard lock(mutex_);
    blocked_until_ = std::max(blocked_until_, until);
}

RateLimiter::clock::time_point RateLimiter::blocked_until() const {
    std::lock_guard lock(mutex_);
    return blocked_until_;
}

int RateLimiter::in_flight() const {
    std::lock_guard lock(mutex_);
    return in_flight_;
}

} // namespace hookwarden
