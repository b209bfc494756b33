// When the daemon's next cycle runs (daemon/service/cycle_scheduler.hpp):
// the jittered interval, cycles asked for now or right after the running
// one, the unreachable streak's backoff and the engine's retries, on a
// fake clock and a random source whose every draw the test chooses.
#include "daemon/service/cycle_scheduler.hpp"

#include <doctest/doctest.h>

#include <random>

using namespace hookwarden;
using namespace std::chrono_literals;
using Clock = CycleScheduler::Clock;

namespace {

/// A scheduler on a clock the test moves by hand, whose random source
/// returns `draw` every time: for a 60 s interval 0 is the shortest jitter
/// (54 s), 6000 none (60 s), 12000 the longest (66 s), as
/// full_jitter_delay draws modulo 12001 ms. The first cycle has been asked for.
struct Schedule {
    Clock::time_point now = Clock::time_point{} + 1000h;
    std::uint64_t draw;
    CycleScheduler scheduler;

    explicit Schedule(std::chrono::milliseconds interval = 60s, std::uint64_t first_draw = 6000)
        : draw(first_draw), scheduler(interval, [this] { return draw; }) {
        scheduler.request_cycle(now);
    }
    Schedule(const Schedule&) = delete;
    Schedule& operator=(const Schedule&) = delete;

    void advance(Clock::duration by) { now += by; }

    /// How long after now the next cycle is due, checked through due().
    Clock::duration wait() {
        const auto wait = scheduler.next_cycle() - now;
        CHECK_FALSE(scheduler.due(now + wait - 1ms));
        CHECK(scheduler.due(now + wait));
        return wait;
    }

    /// Runs a due cycle of 2 s; returns the wait it leaves.
    Clock::duration run_cycle(bool reached, std::optional<Clock::duration> retry_in = std::nullopt) {
        REQUIRE(scheduler.due(now));
        scheduler.cycle_started(now);
        advance(2s);
        scheduler.cycle_finished(now, reached, retry_in ? std::optional(now + *retry_in) : std::nullopt);
        return wait();
    }
};

} // namespace

TEST_CASE("the first cycle runs as soon as it is asked for") {
    Schedule schedule;
    CHECK(schedule.scheduler.due(schedule.now));
    CHECK_FALSE(schedule.scheduler.running());
}

TEST_CASE("after a cycle that reached the tenant the next runs one interval later, jittered ±10 %") {
    struct Case {
        std::uint64_t draw;
        Clock::duration wait;
    };
    for (const Case& c : {Case{0, 54s}, Case{6000, 60s}, Case{12000, 66s}, Case{12001, 54s}}) {
        CAPTURE(c.draw);
        Schedule schedule(60s, c.draw);
        CHECK(schedule.run_cycle(true) == c.wait);
    }
}

TEST_CASE("the jitter spreads over the whole ±10 % and never beyond") {
    std::mt19937_64 generator(42);
    CycleScheduler scheduler(60s, [&] { return generator(); });
    auto shortest = Clock::duration::max();
    auto longest = Clock::duration::min();
    for (int i = 0; i < 2000; ++i) {
        const auto wait = scheduler.jittered_interval();
        shortest = std::min(shortest, wait);
        longest = std::max(longest, wait);
    }
    CHECK(shortest >= 54s);
    CHECK(longest <= 66s);
    CHECK(shortest < 54500ms);
    CHECK(longest > 65500ms);
}

TEST_CASE("no cycle starts while one runs") {
    Schedule schedule;
    schedule.scheduler.cycle_started(schedule.now);
    CHECK(schedule.scheduler.running());
    CHECK(schedule.scheduler.cycle_started_at() == schedule.now);
    schedule.advance(1h);
    CHECK_FALSE(schedule.scheduler.due(schedule.now));
}

TEST_CASE("a change during a cycle runs another cycle right after it") {
    Schedule schedule;
    auto& scheduler = schedule.scheduler;
    scheduler.cycle_started(schedule.now);
    schedule.advance(1s);
    scheduler.request_cycle(schedule.now); // inotify, SIGUSR1
    CHECK_FALSE(scheduler.due(schedule.now));
    schedule.advance(1s);
    scheduler.request_cycle(schedule.now); // asked twice: still one cycle after
    schedule.advance(3s);

    SUBCASE("after a cycle that reached the tenant") {
        scheduler.cycle_finished(schedule.now, true, std::nullopt);
        CHECK(scheduler.next_cycle() == schedule.now);
        CHECK(scheduler.due(schedule.now));
        SUBCASE("and only one: the cycle after it waits the interval again") {
            CHECK(schedule.run_cycle(true) == 60s);
        }
    }
    SUBCASE("after a cycle that could not reach the tenant") {
        scheduler.cycle_finished(schedule.now, false, std::nullopt);
        CHECK(scheduler.due(schedule.now));
    }
}

TEST_CASE("a cycle asked for between cycles runs at once") {
    Schedule schedule;
    REQUIRE(schedule.run_cycle(true) == 60s);
    schedule.advance(10s);
    CHECK_FALSE(schedule.scheduler.due(schedule.now));
    schedule.scheduler.request_cycle(schedule.now); // a manifest change, SIGUSR1, a reload
    CHECK(schedule.scheduler.due(schedule.now));
}

TEST_CASE("the unreachable streak doubles the retry up to its cap and resets on success") {
    Schedule schedule; // the interval unjittered: 60 s
    for (const auto expected : {5s, 10s, 20s, 40s, 60s, 60s}) {
        const auto wait = schedule.run_cycle(false);
        CHECK(wait == expected);
        schedule.advance(wait);
    }
    CHECK(schedule.scheduler.unreachable_streak() == 6);

    CHECK(schedule.run_cycle(true) == 60s);
    CHECK(schedule.scheduler.unreachable_streak() == 0);
    schedule.advance(60s);
    CHECK(schedule.run_cycle(false) == 5s);
    CHECK(schedule.scheduler.unreachable_streak() == 1);
}

TEST_CASE("the unreachable retry is capped by the jittered interval") {
    Schedule schedule(60s, 0); // the shortest interval: 54 s
    for (const auto expected : {5s, 10s, 20s, 40s, 54s}) {
        const auto wait = schedule.run_cycle(false);
        CHECK(wait == expected);
        schedule.advance(wait);
    }
}

TEST_CASE("the unreachable retry stops doubling at 5120 s however long the interval") {
    Schedule schedule(24h, 0);
    for (int streak = 1; streak <= 14; ++streak) {
        CAPTURE(streak);
        const auto wait = schedule.run_cycle(false);
        CHECK(wait == std::min<Clock::duration>(5s * (1 << (streak - 1)), 5120s));
        schedule.advance(wait);
    }
}

TEST_CASE("a failed webhook's retry brings the next cycle forward, never sooner than a second") {
    struct Case {
        const char* what;
        Clock::duration retry_in; ///< from the end of the cycle
        Clock::duration wait;
    };
    for (const Case& c : {Case{"due before the interval", 20s, 20s}, Case{"due after the interval", 5min, 60s},
                          Case{"due within the second", 300ms, 1s}, Case{"already due", -5s, 1s}}) {
        CAPTURE(c.what);
        Schedule schedule;
        CHECK(schedule.run_cycle(true, c.retry_in) == c.wait);
    }
}

TEST_CASE("the unreachable backoff is not shortened by a webhook's retry") {
    Schedule schedule;
    CHECK(schedule.run_cycle(false, 1s) == 5s);
}

TEST_CASE("a reloaded interval applies from the next cycle on") {
    Schedule schedule;
    REQUIRE(schedule.run_cycle(true) == 60s);
    schedule.scheduler.set_interval(10s);
    CHECK(schedule.scheduler.next_cycle() == schedule.now + 60s); // the schedule made stands
    schedule.scheduler.request_cycle(schedule.now);
    schedule.draw = 0; // the shortest: 9 s
    CHECK(schedule.run_cycle(true) == 9s);
}

TEST_CASE("the rule fixed at a cycle's start foretells what its end decides, unreachable streaks and retries too") {
    struct Case {
        bool reached;
        std::optional<Clock::duration> retry_in;
    };
    Schedule schedule(60s, 3000);
    auto& scheduler = schedule.scheduler;
    for (const Case& c : {Case{false, {}}, Case{false, {}}, Case{false, {}}, Case{true, 20s}, Case{true, {}},
                          Case{false, {}}}) {
        CAPTURE(c.reached);
        REQUIRE(scheduler.due(schedule.now));
        scheduler.cycle_started(schedule.now);
        const auto rule = scheduler.next_cycle_rule();
        schedule.advance(2s);
        const auto retry = c.retry_in ? std::optional(schedule.now + *c.retry_in) : std::nullopt;
        const auto foretold = CycleScheduler::next_cycle_after(rule, schedule.now, c.reached, retry);
        CHECK(scheduler.cycle_finished(schedule.now, c.reached, retry, rule) == foretold);
        schedule.now = scheduler.next_cycle();
    }
    CHECK(scheduler.unreachable_streak() == 1);
}
