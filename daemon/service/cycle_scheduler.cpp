#include "daemon/service/cycle_scheduler.hpp"

#include <algorithm>

namespace hookwarden {

using namespace std::chrono_literals;

CycleScheduler::CycleScheduler(std::chrono::milliseconds interval, RandomSource random)
    : interval_(interval), random_(std::move(random)) {}

void CycleScheduler::cycle_started(Clock::time_point now) {
    running_ = true;
    another_cycle_ = false;
    cycle_started_ = now;
}

CycleScheduler::NextCycleRule CycleScheduler::next_cycle_rule() {
    return {.jittered_interval = jittered_interval(), .unreachable_streak = unreachable_streak_};
}

CycleScheduler::Clock::time_point CycleScheduler::next_cycle_after(const NextCycleRule& rule, Clock::time_point now,
                                                                   bool reached_tenant,
                                                                   std::optional<Clock::time_point> retry) {
    if (!reached_tenant) {
        const auto doublings_cap = unreachable_retry_base * (1 << unreachable_retry_doublings);
        const auto cap = std::min(rule.jittered_interval, Clock::duration(doublings_cap));
        // backoff_ceiling's cap is in milliseconds; compare in the clock's own unit.
        const BackoffPolicy policy{.base = unreachable_retry_base,
                                   .cap = std::chrono::ceil<std::chrono::milliseconds>(cap)};
        return now + std::min<Clock::duration>(backoff_ceiling(policy, rule.unreachable_streak), cap);
    }
    const auto next = now + rule.jittered_interval;
    return retry ? std::max(now + 1s, std::min(next, *retry)) : next;
}

CycleScheduler::Clock::time_point CycleScheduler::cycle_finished(Clock::time_point now, bool reached_tenant,
                                                                 std::optional<Clock::time_point> retry,
                                                                 const NextCycleRule& rule) {
    running_ = false;
    next_cycle_ = next_cycle_after(rule, now, reached_tenant, retry);
    unreachable_streak_ = reached_tenant ? 0 : rule.unreachable_streak + 1;
    if (another_cycle_)
        next_cycle_ = now;
    return next_cycle_;
}

void CycleScheduler::request_cycle(Clock::time_point now) {
    if (running_)
        another_cycle_ = true;
    else
        next_cycle_ = now;
}

CycleScheduler::Clock::duration CycleScheduler::jittered_interval() {
    // interval · 0.9 plus a uniform draw from [0, interval · 0.2].
    const auto spread = interval_ / 5;
    const BackoffPolicy uniform{.base = spread, .cap = spread};
    return interval_ - interval_ / 10 + full_jitter_delay(uniform, 0, random_);
}

} // namespace hookwarden
