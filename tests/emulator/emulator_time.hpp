// Time as the tenant emulator reads it: RFC 3339 timestamps and intervals
// of two of them. Timestamps are written with core's format_rfc3339
// (core/snapshot/status_file.hpp: UTC with milliseconds, as Genesys Cloud does),
// and ISO-8601 durations read with core's parse_iso8601_duration
// (core/iso8601_duration.hpp, the rule of SPEC §2).
//
// Used by the emulator's validation, state and routes. Pure functions, no
// clock: callers pass the time they mean.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace hookwarden::emulator {

using TimePoint = std::chrono::system_clock::time_point;

/// Reads `YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)`; nothing else.
std::optional<TimePoint> parse_rfc3339(std::string_view text);

/// A half-open time range `[start, end)`.
struct Interval {
    TimePoint start;
    TimePoint end;
};

/// Reads `START/END` (two RFC 3339 timestamps, START before END).
std::optional<Interval> parse_interval(std::string_view text);

/// `START/END` with both ends written by core's format_rfc3339.
std::string format_interval(const Interval& interval);

} // namespace hookwarden::emulator
