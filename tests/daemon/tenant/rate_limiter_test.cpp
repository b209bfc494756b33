#include "daemon/tenant/rate_limiter.hpp"

#include "tests/support/doctest_result.hpp"

#include <cmath>

using namespace hookwarden;
using namespace std::chrono_literals;
namespace chrono = std::chrono;
using time_point = RateLimiter::clock::time_point;

namespace {

// Acquires as fast as the limiter allows for `span`, completing each at once
// (optionally reporting a tenant window); returns the grant times.
std::vector<time_point> drain(RateLimiter& limiter, time_point start, chrono::milliseconds span) {
    std::vector<time_point> grants;
    auto now = start;
    while (now < start + span) {
        if (const auto next = limiter.try_acquire(now)) {
            REQUIRE(*next > now);
            now = *next;
            continue;
        }
        grants.push_back(now);
        limiter.complete(now, std::nullopt);
    }
    return grants;
}

// Waits (in synthetic time) for the next slot and takes it: the grant time.
time_point acquire(RateLimiter& limiter, time_point& now) {
    while (const auto next = limiter.try_acquire(now)) {
        REQUIRE(*next > now);
        now = *next;
    }
    return now;
}

// The emulator's limit (tests/emulator: --rpm 60): a bucket of 10 that
// refills at one request a second, answering 429 with Retry-After in whole
// seconds when empty, and saying nothing about its window.
struct UnknownTenant {
    double tokens = 10;
    time_point refilled_at;

    /// std::nullopt: served; else the 429's Retry-After.
    std::optional<chrono::seconds> admit(time_point at) {
        tokens = std::min(10.0, tokens + chrono::duration<double>(at - refilled_at).count());
        refilled_at = at;
        if (tokens >= 1.0) {
            tokens -= 1.0;
            return std::nullopt;
        }
        return chrono::seconds(static_cast<int>(std::max(1.0, std::ceil(1.0 - tokens))));
    }
};

} // namespace

TEST_CASE("pacing grants requests_per_minute a minute after the initial burst") {
    const time_point start{chrono::hours(1)};
    RateLimiter limiter(300, 4, start);
    const auto grants = drain(limiter, start, 10min);
    // 4 at once, then 5 a second: 3000 in ten minutes, give or take the edge.
    CHECK(grants.size() >= 3000);
    CHECK(grants.size() <= 3004);
    // The steady part is evenly spaced at 200 ms.
    for (std::size_t i = 10; i < grants.size(); ++i)
        REQUIRE(grants[i] - grants[i - 1] <= 201ms);
    // And no minute ever holds more than the rate plus the burst.
    for (std::size_t i = 0; i + 304 < grants.size(); ++i)
        REQUIRE(grants[i + 304] - grants[i] >= 60s);
}

TEST_CASE("the burst goes out at once, the next request waits for a token") {
    const time_point start{chrono::hours(1)};
    RateLimiter limiter(60, 3, start);
    for (int i = 0; i < 3; ++i)
        CHECK_FALSE(limiter.try_acquire(start));
    const auto next = limiter.try_acquire(start);
    REQUIRE(next);
    CHECK(*next - start == 1s);
}

TEST_CASE("no request is granted before a 429's Retry-After has passed") {
    const time_point start{chrono::hours(1)};
    RateLimiter limiter(600, 10, start);
    limiter.block_until(start + 7s);
    for (auto t = start; t < start + 7s; t += 100ms) {
        const auto next = limiter.try_acquire(t);
        REQUIRE(next);
        CHECK(*next == start + 7s);
    }
    CHECK_FALSE(limiter.try_acquire(start + 7s));
    // A shorter block later does not shorten the running one.
    limiter.block_until(start + 20s);
    limiter.block_until(start + 10s);
    CHECK(limiter.blocked_until() == start + 20s);
}

TEST_CASE("the tenant's remaining window budget caps what is sent before its reset") {
    const time_point start{chrono::hours(1)};
    RateLimiter limiter(6000, 100, start); // far more generous than the tenant
    CHECK_FALSE(limiter.try_acquire(start));
    // The tenant: 95 of 100 used, window resets in 10 s.
    limiter.complete(start, RateWindow{95, 100, 10s});
    int granted = 0;
    auto now = start;
    while (now < start + 10s) {
        const auto next = limiter.try_acquire(now);
        if (!next) {
            ++granted;
            continue; // not completed: still in flight
        }
        now = *next;
    }
    CHECK(granted == 5);
    CHECK(now == start + 10s);
    CHECK_FALSE(limiter.try_acquire(now)); // a new window
}

TEST_CASE("requests still in flight count against the tenant's remaining budget") {
    const time_point start{chrono::hours(1)};
    RateLimiter limiter(6000, 100, start);
    for (int i = 0; i < 3; ++i)
        REQUIRE_FALSE(limiter.try_acquire(start));
    // One answer comes back: 7 of 10 used, two of ours still travelling.
    limiter.complete(start, RateWindow{7, 10, 30s});
    CHECK(limiter.in_flight() == 2);
    CHECK_FALSE(limiter.try_acquire(start)); // 10 - 7 - 2 = 1 left
    const auto next = limiter.try_acquire(start);
    REQUIRE(next);
    CHECK(*next == start + 30s);
}

TEST_CASE("an older answer arriving late does not reopen the window") {
    const time_point start{chrono::hours(1)};
    RateLimiter limiter(6000, 100, start);
    REQUIRE_FALSE(limiter.try_acquire(start));
    REQUIRE_FALSE(limiter.try_acquire(start));
    limiter.complete(start, RateWindow{10, 10, 20s}); // the newer answer: nothing left
    limiter.complete(start, RateWindow{8, 10, 20s});  // the older one
    CHECK(limiter.try_acquire(start + 1s) == start + 20s);
}

TEST_CASE("rate-limit headers are read only when all three are there") {
    const auto wall = chrono::system_clock::time_point(chrono::seconds(1'700'000'000));
    const auto w = parse_rate_window("12", "300", "45", wall);
    REQUIRE(w);
    CHECK(w->count == 12);
    CHECK(w->allowed == 300);
    CHECK(w->reset == 45s);
    CHECK_FALSE(parse_rate_window("", "300", "45", wall));
    CHECK_FALSE(parse_rate_window("x", "300", "45", wall));
    CHECK_FALSE(parse_rate_window("1", "-3", "45", wall));
    const auto epoch = parse_rate_window("1", "300", "1700000030", wall);
    REQUIRE(epoch);
    CHECK(epoch->reset == 30s);
}

// --- A limit the tenant does not tell: AIMD on 429s ---------------------------

TEST_CASE("a 429 halves the pace, and the burst after a quiet spell with it") {
    const time_point start{chrono::hours(1)};
    RateLimiter limiter(600, 4, start);
    auto now = start;
    const auto granted = acquire(limiter, now);
    // No pause asked (a Retry-After the call would not wait for): what is
    // left in the bucket shrinks with it at once.
    limiter.rate_limited(start + 100ms, granted, std::nullopt, std::nullopt);
    CHECK(limiter.pace_per_minute(start + 100ms) == doctest::Approx(300));
    CHECK(limiter.burst(start + 100ms) == doctest::Approx(2));
    CHECK_FALSE(limiter.try_acquire(start + 100ms));
    CHECK_FALSE(limiter.try_acquire(start + 100ms));
    CHECK(limiter.try_acquire(start + 100ms));
    // After a quiet spell, a burst of the configured 4 would meet an empty
    // tenant: two go at once, the third waits for the slower pace.
    const auto later = start + 2s;
    CHECK_FALSE(limiter.try_acquire(later));
    CHECK_FALSE(limiter.try_acquire(later));
    const auto next = limiter.try_acquire(later);
    REQUIRE(next);
    CHECK(*next - later >= 190ms); // a token every 200 ms at 300 a minute
}

TEST_CASE("429s to requests already in flight when the pace was cut are one cut") {
    const time_point start{chrono::hours(1)};
    RateLimiter limiter(600, 4, start);
    for (int i = 0; i < 4; ++i)
        REQUIRE_FALSE(limiter.try_acquire(start));
    for (int i = 0; i < 4; ++i)
        limiter.rate_limited(start + 50ms + i * 10ms, start, std::nullopt, start + 1050ms);
    CHECK(limiter.in_flight() == 0);
    CHECK(limiter.pace_per_minute(start + 100ms) == doctest::Approx(300).epsilon(0.01));
    // A request sent at the cut pace that meets a 429 is news: another cut.
    auto now = start + 1050ms;
    const auto granted = acquire(limiter, now);
    CHECK(granted == start + 1050ms);
    limiter.rate_limited(now + 50ms, granted, std::nullopt, now + 1050ms);
    CHECK(limiter.pace_per_minute(now + 50ms) < 160);
}

TEST_CASE("a cut goes no higher than what the tenant served since its previous 429") {
    const time_point start{chrono::hours(1)};
    RateLimiter limiter(600, 4, start);
    auto now = start;
    const auto first = acquire(limiter, now);
    limiter.rate_limited(start + 1s, first, std::nullopt, start + 2s);
    // Ten answers in the next ten seconds, one a second: the tenant's rate.
    for (int i = 1; i <= 10; ++i) {
        now = start + 1s + i * 1s;
        acquire(limiter, now);
        limiter.complete(now, std::nullopt);
    }
    const auto refused = acquire(limiter, now);
    limiter.rate_limited(now, refused, std::nullopt, now + 1s);
    // Halving alone would have left over 150 a minute.
    CHECK(limiter.pace_per_minute(now) == doctest::Approx(60).epsilon(0.02));
}

TEST_CASE("requests still in flight count as served when a 429 overtakes them") {
    const time_point start{chrono::hours(1)};
    RateLimiter limiter(600, 4, start);
    auto now = start;
    const auto first = acquire(limiter, now);
    limiter.rate_limited(start + 100ms, first, std::nullopt, start + 1100ms);
    // After the pause two go at once into a tenant that has room for one;
    // the 429 comes back first.
    now = start + 1100ms;
    REQUIRE_FALSE(limiter.try_acquire(now));
    REQUIRE_FALSE(limiter.try_acquire(now));
    limiter.rate_limited(now + 20ms, now, std::nullopt, now + 1s);
    CHECK(limiter.pace_per_minute(now + 20ms) == doctest::Approx(60).epsilon(0.05));
    limiter.complete(now + 30ms, std::nullopt);
}

TEST_CASE("the pace grows back linearly to requests_per_minute, and no further") {
    const time_point start{chrono::hours(1)};
    RateLimiter limiter(600, 4, start);
    REQUIRE_FALSE(limiter.try_acquire(start));
    limiter.rate_limited(start, start - 1s, std::nullopt, start + 1s);
    REQUIRE(limiter.pace_per_minute(start) == doctest::Approx(300));
    // A tenth of the pace it was cut to more every minute.
    CHECK(limiter.pace_per_minute(start + 1min) == doctest::Approx(330));
    CHECK(limiter.pace_per_minute(start + 6min) == doctest::Approx(480));
    CHECK(limiter.burst(start + 6min) == doctest::Approx(3.2));
    CHECK(limiter.pace_per_minute(start + 10min) == doctest::Approx(600));
    CHECK(limiter.pace_per_minute(start + 60min) == doctest::Approx(600));
    CHECK(limiter.burst(start + 60min) == doctest::Approx(4));
    // And the grants follow: the minute from 20 to 21 is back to 600.
    const auto grants = drain(limiter, start + 20min, 1min);
    CHECK(grants.size() >= 600);
    CHECK(grants.size() <= 604);
}

TEST_CASE("no cut goes below one request a minute, and answers lost on the way are not served") {
    const time_point start{chrono::hours(1)};
    RateLimiter limiter(600, 4, start);
    auto now = start;
    for (int i = 0; i < 5; ++i) {
        acquire(limiter, now);
        limiter.unanswered(now + 10ms);
    }
    for (int i = 0; i < 20; ++i) {
        const auto granted = acquire(limiter, now);
        now += 100ms;
        limiter.rate_limited(now, granted, std::nullopt, now + 1s);
    }
    CHECK(limiter.pace_per_minute(now) == doctest::Approx(1));
    CHECK(limiter.burst(now) == doctest::Approx(1));
    // Still asked now and then: the next slot comes within the minute.
    const auto next = limiter.try_acquire(now + 1s);
    REQUIRE(next);
    CHECK(*next - now <= 61s);
}

TEST_CASE("a steady stream at a limit the tenant does not tell meets only the first few 429s") {
    // The client is configured for ten times what the tenant allows, as a
    // new user who guessed high; one request after another, 20 ms each.
    const time_point start{chrono::hours(1)};
    RateLimiter limiter(600, 4, start);
    UnknownTenant tenant{.refilled_at = start};
    auto now = start;
    int served = 0;
    int refused = 0;
    std::vector<time_point> refused_at; // when each 429 came
    while (served < 200) {
        const auto granted = acquire(limiter, now);
        const auto answered = now + 20ms;
        if (const auto retry_after = tenant.admit(now + 10ms)) {
            ++refused;
            refused_at.push_back(answered);
            limiter.rate_limited(answered, granted, std::nullopt, answered + *retry_after);
        } else {
            ++served;
            limiter.complete(answered, std::nullopt);
        }
        now = answered;
    }
    const double minutes = chrono::duration<double>(now - start).count() / 60.0;
    CAPTURE(minutes);
    CAPTURE(refused);
    // Two 429s find the pace in the first seconds; after that the tenant
    // is probed again about once a minute at most.
    CHECK(refused <= 4);
    const auto early = std::count_if(refused_at.begin(), refused_at.end(),
                                     [&](time_point at) { return at - start < 5s; });
    CHECK(refused - early <= minutes);
    // And most of the tenant's budget is still used: 10 at once, then
    // close to 60 a minute.
    CHECK(served / minutes >= 45);
}

TEST_CASE("absurd rate-limit headers are bounded, so that no arithmetic on them overflows") {
    // Found by tests/fuzz/tenant_http_fuzz: a reset of 2585445395454288779
    // overflowed in the conversion to milliseconds (undefined behaviour).
    const auto wall = chrono::system_clock::time_point(chrono::seconds(1'700'000'000));
    for (const char* reset : {"2585445395454288779", "99999999999999999999999", "9223372036854775807"}) {
        const auto w = parse_rate_window("99999999999999999999", "9223372036854775807", reset, wall);
        REQUIRE(w);
        CHECK(w->count == 1'000'000'000'000);
        CHECK(w->allowed == 1'000'000'000'000);
        CHECK(w->reset == 24h);
    }
    CHECK(parse_rate_window("0", "300", "1700000000000", wall)->reset == 24h); // a Unix time 50,000 years on
    CHECK(parse_rate_window("0", "300", "1699999000", wall)->reset == 0s);     // one that has passed

    RateLimiter limiter(300, 4, time_point{});
    limiter.complete(time_point{} + 1h, parse_rate_window("9223372036854775807", "0", "9223372036854775807", wall));
    CHECK(limiter.try_acquire(time_point{} + 1h) == time_point{} + 25h);
}
