// When the daemon's next reconcile cycle runs (SPEC §6).
//
// The run loop (run_loop.cpp) tells the scheduler what happened — a cycle
// started or finished, a manifest change, SIGUSR1 or an accepted reload
// asked for a cycle now — and asks it whether a cycle is due. It decides:
//
// - after a cycle that reached the tenant: the interval, jittered ±10 %,
//   or earlier when the engine has a failed webhook to retry (its
//   next_retry(), never sooner than a second from now);
// - after a cycle that could not reach the tenant: 5 s, doubling with each
//   unreachable cycle in a row up to the (jittered) interval, and at most
//   5120 s (ten doublings); a cycle that reaches the tenant ends the streak;
// - a cycle asked for while none runs runs at once; one asked for while a
//   cycle runs runs right after it, once, however often it was asked for.
//
// Holds no clock: every call that needs the time is given `now`, so tests
// replay any schedule exactly. The jitter comes from the RandomSource given
// at construction (core/backoff.hpp).
#pragma once

#include "core/backoff.hpp"

#include <chrono>
#include <optional>

namespace hookwarden {

class CycleScheduler {
public:
    using Clock = std::chrono::steady_clock;

    /// First retry after a cycle that could not reach the tenant.
    static constexpr std::chrono::milliseconds unreachable_retry_base{5000};
    /// Doublings of unreachable_retry_base at most (5 s · 2^10 = 5120 s).
    static constexpr int unreachable_retry_doublings = 10;

    /// A scheduler whose first cycle is due at once. `interval` is the
    /// config's (at least 1 s); `random` jitters it.
    CycleScheduler(std::chrono::milliseconds interval, RandomSource random);

    /// The interval of a reloaded configuration; the schedule already made stands.
    void set_interval(std::chrono::milliseconds interval) { interval_ = interval; }

    /// A cycle may start: none runs and its time has come.
    bool due(Clock::time_point now) const { return !running_ && now >= next_cycle_; }

    /// A cycle started at `now`; the requests made before it are served by it.
    void cycle_started(Clock::time_point now);

    /// What decides when the cycle after the running one is due, fixed when
    /// it starts, so that the cycle's own thread can tell its next run
    /// (status.json's nextRun) before the loop hears that it ended.
    struct NextCycleRule {
        Clock::duration jittered_interval{}; ///< drawn once for this cycle
        int unreachable_streak = 0;          ///< before this cycle
    };

    /// Draws the jitter of the next interval.
    NextCycleRule next_cycle_rule();

    /// When the next cycle is due after one that ended at `now` under
    /// `rule` (see cycle_finished). A cycle asked for while this one ran is
    /// not foreseen: it runs at once, and its own end says when the next is.
    static Clock::time_point next_cycle_after(const NextCycleRule& rule, Clock::time_point now,
                                              bool reached_tenant, std::optional<Clock::time_point> retry);

    /// The running cycle ended at `now`. `reached_tenant`: it could list the
    /// tenant and plan; `retry`: the engine's next_retry() after it; `rule`:
    /// next_cycle_rule() when it started. Returns when the next cycle is due.
    Clock::time_point cycle_finished(Clock::time_point now, bool reached_tenant,
                                     std::optional<Clock::time_point> retry, const NextCycleRule& rule);
    /// The same with a rule drawn now.
    Clock::time_point cycle_finished(Clock::time_point now, bool reached_tenant,
                                     std::optional<Clock::time_point> retry) {
        return cycle_finished(now, reached_tenant, retry, next_cycle_rule());
    }

    /// A manifest change, SIGUSR1 or a reload asks for a cycle: now when
    /// none runs, right after the running one otherwise.
    void request_cycle(Clock::time_point now);

    bool running() const { return running_; }
    /// When the running (or last) cycle started.
    Clock::time_point cycle_started_at() const { return cycle_started_; }
    /// When the next cycle is due (once no cycle runs).
    Clock::time_point next_cycle() const { return next_cycle_; }
    /// Cycles in a row that could not reach the tenant.
    int unreachable_streak() const { return unreachable_streak_; }

    /// The interval with ±10 % jitter: a fleet started together spreads out.
    Clock::duration jittered_interval();

private:
    std::chrono::milliseconds interval_;
    RandomSource random_;
    bool running_ = false;
    bool another_cycle_ = false;
    int unreachable_streak_ = 0;
    Clock::time_point cycle_started_{};
    Clock::time_point next_cycle_{}; ///< the epoch: due at once
};

} // namespace hookwarden
