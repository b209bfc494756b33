// `stateDir/status.json`: what the last reconcile cycle did (SPEC §6a).
//
// Written by the daemon after every cycle (and when it stops) so that
// `hookwarden status`, monitoring and people can see the last outcome without
// asking the tenant. The file is replaced atomically. Times are given by the
// caller: core/ reads no clock.
#pragma once

#include "core/engine.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace hookwarden {

struct CycleReport {
    std::string cycle_id;
    std::chrono::system_clock::time_point started;
    std::chrono::system_clock::time_point finished;
    /// The cycle's items, when the tenant could be listed and a plan made.
    std::optional<CycleResult> result;
    /// Why no plan could be made (tenant unreachable, state unreadable).
    std::optional<Error> error;
    std::size_t manifest_errors = 0;
    std::optional<std::chrono::system_clock::time_point> next_run;

    /// converged | failed | unreachable (no plan could be made)
    std::string outcome() const;
};

/// RFC 3339 UTC with milliseconds, e.g. 2026-11-29T04:56:06.123Z.
std::string format_rfc3339(std::chrono::system_clock::time_point time);

/// The JSON document status.json holds (format version 1).
boost::json::object status_json(const CycleReport& report);

/// Writes status.json into `state_dir` atomically (mode 0644: it holds no secret).
Result<void> write_status_snapshot(const std::filesystem::path& state_dir, const CycleReport& report);

} // namespace hookwarden
