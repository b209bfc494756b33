#include "daemon/tenant/rate_limiter.hpp"

#include "tests/support/doctest_result.hpp"

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
