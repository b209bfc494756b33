// ISO-8601 durations as the webhook API writes retry intervals (`PT1M`,
// `PT30S`, `P1D`). Only days, hours, minutes and whole seconds: years,
// months and weeks have no fixed length and have no place in a retry policy.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace hookwarden {

/// Parses `P[nD][T[nH][nM][nS]]` into seconds; nothing on malformed text.
std::optional<std::chrono::seconds> parse_iso8601_duration(std::string_view text);

/// Bounds of `retryPolicy.retryInterval` (SPEC §2).
inline constexpr std::chrono::seconds min_retry_interval{1};
inline constexpr std::chrono::seconds max_retry_interval{24 * 3600};

} // namespace hookwarden
