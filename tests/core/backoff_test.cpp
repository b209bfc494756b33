// Exponential backoff with full jitter (core/backoff.hpp): the one schedule
// of the engine's and the tenant client's retries.
#include "core/backoff.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>

using namespace hookwarden;
using namespace std::chrono_literals;

TEST_CASE("backoff ceilings double from the base and stop at the cap") {
    const BackoffPolicy policy{1000ms, 60000ms};
    CHECK(backoff_ceiling(policy, 0) == 1000ms);
    CHECK(backoff_ceiling(policy, 1) == 2000ms);
    CHECK(backoff_ceiling(policy, 5) == 32000ms);
    CHECK(backoff_ceiling(policy, 6) == 60000ms);
    CHECK(backoff_ceiling(policy, 1000) == 60000ms);
}

TEST_CASE("full jitter stays within [0, ceiling] and spreads over the whole window") {
    const BackoffPolicy policy{1000ms, 60000ms};
    std::mt19937_64 engine(42);
    RandomSource random = [&] { return engine(); };
    for (int retry = 0; retry < 10; ++retry) {
        const auto ceiling = backoff_ceiling(policy, retry);
        auto lowest = ceiling, highest = 0ms;
        for (int i = 0; i < 2000; ++i) {
            const auto d = full_jitter_delay(policy, retry, random);
            REQUIRE(d >= 0ms);
            REQUIRE(d <= ceiling);
            lowest = std::min(lowest, d);
            highest = std::max(highest, d);
        }
        // Full jitter, not "equal jitter": waits near zero and near the ceiling both occur.
        CHECK(lowest < ceiling / 10);
        CHECK(highest > ceiling * 9 / 10);
    }
}

TEST_CASE("full jitter reaches both ends of the window with extreme random values") {
    const BackoffPolicy policy{1000ms, 60000ms};
    RandomSource zero = [] { return std::uint64_t{0}; };
    RandomSource top = [] { return std::uint64_t{4000}; }; // 4000 % 4001 == 4000
    CHECK(full_jitter_delay(policy, 2, zero) == 0ms);
    CHECK(full_jitter_delay(policy, 2, top) == 4000ms);
}
