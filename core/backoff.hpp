// Time, chance and backoff, as core takes them: the one steady clock type,
// the one random source type, and the one full-jitter schedule.
//
// Core reads no global clock and no global random source: whoever builds an
// engine (or the tenant client) passes these in, so that tests replay any
// schedule exactly. Exponential backoff with full jitter is written once,
// here, for the engine's per-webhook retries (SPEC §4a: 1 s doubling to
// 5 min) and the tenant client's per-request retries (SPEC §5).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace hookwarden {

/// Now, on the steady clock.
using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;

/// Uniformly distributed 64-bit values. Need not be thread-safe: callers
/// serialise access.
using RandomSource = std::function<std::uint64_t()>;

/// Exponential backoff with full jitter: before retry number `n` (0 for the
/// first retry) wait a uniformly random time in [0, min(cap, base * 2^n)].
struct BackoffPolicy {
    std::chrono::milliseconds base{1000};
    std::chrono::milliseconds cap{60000};
};

/// The upper bound of the jitter window before retry number `retry` (0-based).
std::chrono::milliseconds backoff_ceiling(const BackoffPolicy& policy, int retry);

/// A delay drawn uniformly from [0, backoff_ceiling(policy, retry)].
std::chrono::milliseconds full_jitter_delay(const BackoffPolicy& policy, int retry,
                                            const RandomSource& random);

} // namespace hookwarden
