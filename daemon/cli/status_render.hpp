// How `hookwarden status` shows the snapshot files: a header and an aligned
// table for people, a stable JSON object for scripts.
//
// Pure: the time the ages are measured from (`now`), the interval, colour
// and width are all given, so tests render exactly what a terminal shows.
#pragma once

#include "daemon/cli/status_files.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace hookwarden {

struct StatusTextOptions {
    bool color = false;     ///< ANSI colours (the caller checks TTY and NO_COLOR)
    std::size_t width = 0;  ///< terminal columns the last error is cut to fit; 0: no limit
};

/// Version of the JSON schema of status_to_json; bumped only on incompatible changes.
inline constexpr int status_json_format_version = 1;

/// The header (last cycle, end and age, next run, manifest revision, counts,
/// prune blocked, cycle error, secret rotations still in progress at `now`,
/// snapshot errors) then the table.
std::string render_status_text(const StatusFiles& files, SystemTime now, const StatusTextOptions& options = {});

/// The table alone: NAME KIND STATE LAST CHANGE HEALTH FAIL RATE LAST ERROR,
/// columns padded to their widest cell, `-` for what is not known.
std::string render_status_table(const std::vector<StatusRow>& rows, SystemTime now,
                                const StatusTextOptions& options = {});

/// A failure rate as people read it: `20.0%`, or `-` when there was no delivery.
std::string format_failure_rate(const std::optional<double>& rate);

/// The object `status --output json` prints; see README "hookwarden status".
/// Holds absolute times only (no age), so that its content depends on the
/// files, the interval and whether the cycle is stale.
boost::json::object status_to_json(const StatusFiles& files, SystemTime now, std::chrono::milliseconds interval);

/// SPEC §4: 0 when the last cycle converged, 1 otherwise.
int status_exit_code(const StatusFiles& files);

} // namespace hookwarden
