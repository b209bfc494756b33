// The one strict RFC 3339 date-time parser of hookwarden (RFC 3339 §5.6,
// the grammar JSON Schema's "date-time" format uses).
//
// Used by the event transform (SPEC §7: an event's `timestamp` must be an
// RFC 3339 date-time), the audit store (the tenant's entry times) and
// `hookwarden status` (the snapshot files' times). Accepted:
// `2026-01-15T10:30:00Z`, a fraction of any length (`.5`, `.123456789`;
// digits beyond microseconds are dropped), a
// numeric offset `+05:30` / `-00:00`, and lower-case `t` and `z` as §5.6
// allows. Refused: a missing offset, a space instead of `T`, impossible
// dates (`2026-02-29`), hours over 23, minutes over 59, offsets over 23:59,
// and a leap second anywhere but at 23:59:60 UTC (taken as the first instant
// of the next day, since std::chrono's system_clock has no leap seconds).
// The result counts microseconds, not system_clock's nanoseconds: those
// reach only the years 1677..2262, and years 0000..9999 are all valid.
//
// The emulator, a program of its own, keeps its parser. The formatter is
// format_rfc3339 in core/snapshot/status_file.hpp.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace hookwarden {

using Rfc3339Time = std::chrono::sys_time<std::chrono::microseconds>;

/// The instant `text` names, or nothing when it is not an RFC 3339 date-time.
std::optional<Rfc3339Time> parse_rfc3339_strict(std::string_view text);

} // namespace hookwarden
