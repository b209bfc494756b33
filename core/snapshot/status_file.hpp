// `stateDir/status.json`: what the last reconcile cycle did (SPEC §6a).
//
// Written after every cycle, the daemon's and `apply`'s (and when the daemon
// stops), last of the snapshot files, so that `hookwarden status`,
// monitoring and people see the last outcome without asking the tenant.
// Format version 2 (version 1's fields kept):
//   {"formatVersion": 2, "hookwardenVersion", "source": "daemon|apply",
//    "cycleId", "start", "end", "durationSeconds", "outcome",
//    "manifestRevision": {"kind": "git", "commit", "ref"?} | {"kind": "digest", "sha256"},
//    "manifestErrors", "counts": {...}, "countsByKind": {"webhook": {...}, "trigger": {...}},
//    "pruneBlocked"?, "error"?,
//    "webhooks": [{"kind", "name", "action", "result", "id"?, "note"?, "changedFields"?, "error"?}],
//    "rotations": [{"name", "until"}],
//    "changeLog": {"lines", "head"}, "snapshotErrors": [{"file", "message"}], "nextRun"?}
// `webhooks` lists every item of the cycle, of both kinds (`kind` is
// "webhook" or "trigger"; the member keeps its version 1 name).
// `countsByKind` and the `replaced` count were added with triggers (additive).
// `rotations` (added in version 2, additive) lists the owned webhooks whose
// previous secret was still accepted when the file was written, by name,
// `until` like 2026-12-02T16:05:00Z (core/secret_rotation.hpp).
// The file is replaced atomically, mode 0640: it holds no secret (changed
// fields are names only). Times are given by the caller: core/ reads no clock.
#pragma once

#include "core/engine.hpp"
#include "core/secret_rotation.hpp"
#include "core/snapshot/change_log.hpp"
#include "core/snapshot/manifest_revision.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hookwarden {

/// The format version status_json() writes.
inline constexpr int status_format_version = 2;

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

    std::string source = "daemon"; ///< daemon | apply
    std::string hookwarden_version;
    /// Which manifests were applied; written when its kind is set.
    ManifestRevision manifest_revision;
    /// changes.jsonl after this cycle's appends.
    ChangeLogHead change_log;
    /// This cycle's snapshot files that could not be written: (file, message).
    std::vector<std::pair<std::string, std::string>> snapshot_errors;
    /// Secret rotations in progress after the cycle (state.json), by name.
    std::vector<RotationInProgress> rotations;

    /// converged | failed | unreachable (no plan could be made)
    std::string outcome() const;
};

/// RFC 3339 UTC with milliseconds, e.g. 2026-11-29T04:56:06.123Z.
std::string format_rfc3339(std::chrono::system_clock::time_point time);

/// The JSON document status.json holds (format version 2).
boost::json::object status_json(const CycleReport& report);

/// Writes status.json into `state_dir` atomically (mode 0640).
Result<void> write_status_snapshot(const std::filesystem::path& state_dir, const CycleReport& report);

} // namespace hookwarden
