#include "daemon/tenant/rate_limiter.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace hookwarden {
namespace chrono = std::chrono;

namespace {

/// How far back what the tenant served is counted.
constexpr chrono::seconds served_window{60};
/// The shortest span whose served count bounds a cut.
constexpr chrono::seconds min_served_span{1};
/// No 429 cuts the pace below this, requests a minute: the tenant is
/// still asked now and then, and the pace can grow back from there.
constexpr double floor_per_minute = 1.0;
/// How fast the pace grows back after a cut: by this share of the pace it
/// was cut to, every minute. Slow against the limit just found, so that the
/// tenant is probed again only after minutes.
constexpr double recovery_per_minute = 0.1;
/// ... of at least this share of the configured pace, so that a pace cut to
/// the floor still comes back within hours.
constexpr double recovery_at_least = 0.1;

// What the headers may say, bounded so that the limiter's arithmetic on
// them cannot overflow (found by tests/fuzz/tenant_http_fuzz): counts
// beyond 10^12 are read as 10^12, a window longer than a day as a day.
constexpr std::int64_t max_count = 1'000'000'000'000;
constexpr std::int64_t max_reset_seconds = std::int64_t{24} * 60 * 60;

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
    : ceiling_(std::max(requests_per_minute, 0.001) / 60.0),
      full_burst_(std::max(burst, 1.0)),
      tokens_(full_burst_),
      refilled_at_(start) {}

double RateLimiter::rate_at(clock::time_point now) const {
    if (!cut_at_)
        return ceiling_;
    const chrono::duration<double> since = std::max(now - *cut_at_, clock::duration::zero());
    const double growth = std::max(cut_to_, ceiling_ * recovery_at_least) * recovery_per_minute / 60.0;
    return std::min(ceiling_, cut_to_ + since.count() * growth);
}

double RateLimiter::capacity_at(double per_second) const {
    return std::clamp(full_burst_ * per_second / ceiling_, 1.0, full_burst_);
}

void RateLimiter::refill(clock::time_point now) {
    if (now <= refilled_at_)
        return;
    const chrono::duration<double> elapsed = now - refilled_at_;
    // The pace may be growing back: the bucket fills by its average.
    const double rate = (rate_at(refilled_at_) + rate_at(now)) / 2.0;
    tokens_ = std::min(capacity_at(rate_at(now)), tokens_ + elapsed.count() * rate);
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
        const chrono::duration<double> missing((1.0 - tokens_) / rate_at(now));
        return now + chrono::ceil<clock::duration>(missing);
    }
    tokens_ -= 1.0;
    if (window_known_)
        --window_remaining_;
    ++in_flight_;
    return std::nullopt;
}

void RateLimiter::release_slot(clock::time_point now, const std::optional<RateWindow>& window) {
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

void RateLimiter::complete(clock::time_point now, const std::optional<RateWindow>& window) {
    std::lock_guard lock(mutex_);
    release_slot(now, window);
    served_.push_back(now);
    while (!served_.empty() && served_.front() < now - served_window)
        served_.pop_front();
}

void RateLimiter::unanswered(clock::time_point now) {
    std::lock_guard lock(mutex_);
    release_slot(now, std::nullopt);
}

std::optional<double> RateLimiter::served_per_second(clock::time_point now) const {
    // A 429 says the tenant's budget was spent: since the previous one it
    // served what it refilled. Without one in the last minute its count
    // says nothing (an unknown burst in it, or hardly any asking), and the
    // halving alone bounds the cut.
    if (!last_429_ || *last_429_ < now - served_window)
        return std::nullopt;
    const auto from = *last_429_;
    const chrono::duration<double> span = now - from;
    // Over a shorter span one answer more or less is the whole figure.
    if (span < min_served_span)
        return std::nullopt;
    // Requests still on their way may yet be served: a 429 that overtakes
    // a success sent with it must not read as a tenant that serves nothing.
    const auto served = std::count_if(served_.begin(), served_.end(), [&](auto at) { return at > from; });
    return static_cast<double>(served + in_flight_) / span.count();
}

void RateLimiter::cut(clock::time_point now) {
    refill(now); // what the old pace earned until now stays earned
    double to = rate_at(now) / 2.0;
    if (const auto served = served_per_second(now))
        to = std::min(to, *served);
    cut_to_ = std::max(to, std::min(floor_per_minute / 60.0, ceiling_));
    cut_at_ = now;
    tokens_ = std::min(tokens_, capacity_at(cut_to_));
}

void RateLimiter::rate_limited(clock::time_point now, clock::time_point granted_at,
                               const std::optional<RateWindow>& window,
                               std::optional<clock::time_point> pause_until) {
    std::lock_guard lock(mutex_);
    release_slot(now, window);
    if (!cut_at_ || granted_at > *cut_at_)
        cut(now);
    last_429_ = std::max(last_429_.value_or(now), now);
    if (pause_until)
        blocked_until_ = std::max(blocked_until_, *pause_until);
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

double RateLimiter::pace_per_minute(clock::time_point now) const {
    std::lock_guard lock(mutex_);
    return rate_at(now) * 60.0;
}

double RateLimiter::burst(clock::time_point now) const {
    std::lock_guard lock(mutex_);
    return capacity_at(rate_at(now));
}

} // namespace hookwarden
