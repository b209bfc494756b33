// Times as `hookwarden status` reads and shows them.
//
// The snapshot files hold RFC 3339 timestamps (hookwarden's own with
// milliseconds and `Z`; the tenant's audit entries possibly with an offset).
// People see ages ("3h ago", "in 42s"); whether the daemon looks dead is a
// rule over the last cycle's end, the interval and "now". Nothing here reads
// the clock: `now` is always given, so every rule is testable.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace hookwarden {

using SystemTime = std::chrono::system_clock::time_point;

/// `2026-11-29T04:56:06.123Z`, `…06Z`, `…06.5+02:00`, read by core's one
/// strict parser (core/rfc3339_time.hpp); nothing when malformed or outside
/// what system_clock holds (years 1677..2262).
std::optional<SystemTime> parse_rfc3339_time(std::string_view text);

/// A duration in its largest whole unit: `42s`, `5m`, `3h`, `12d` (hours up to 47h)
/// (`0s` below a second; negative durations as their magnitude).
std::string format_age(std::chrono::milliseconds age);

/// `then` relative to `now`: `3h ago`, `in 42s`, `now` within a second.
std::string format_relative(SystemTime then, SystemTime now);

/// A configured duration as the config writes it: `60s`, `90s`, `5m`, `1h`, `500ms`.
std::string format_config_duration(std::chrono::milliseconds duration);

/// The daemon looks stopped when the last cycle ended more than 3 × interval
/// before `now` (a cycle is due every interval, ±10 % jitter, plus its own
/// length). Returns the warning sentence then, nothing otherwise.
std::optional<std::string> staleness_warning(SystemTime last_end, SystemTime now,
                                             std::chrono::milliseconds interval);

} // namespace hookwarden
