// Writing the snapshot files of the state directory (SPEC §6a): status.json,
// health.json, metrics.prom, changes.jsonl, audit/, and the history/ of the
// previous generations of status and health.
//
// Every snapshot is replaced atomically (core/atomic_file.hpp): a crash
// leaves the old or the new file, never a torn one. Snapshots hold no
// secret, so they are readable by the owner's group (mode 0640): monitoring
// (node_exporter's textfile collector, `hookwarden status` run by an
// operator in the service's group) reads them without the daemon's rights.
#pragma once

#include "core/error.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace hookwarden {

/// owner rw, group r: the mode of every snapshot file.
inline constexpr std::filesystem::perms snapshot_file_mode = std::filesystem::perms::owner_read |
                                                             std::filesystem::perms::owner_write |
                                                             std::filesystem::perms::group_read;

/// owner rwx, group rx: the mode of audit/ and history/ when they are made.
inline constexpr std::filesystem::perms snapshot_directory_mode =
    std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
    std::filesystem::perms::group_exec;

/// Replaces `file` with `content` atomically, mode 0640. The directory must
/// exist. Errors are ErrorKind::io naming the file.
Result<void> write_snapshot_file(const std::filesystem::path& file, std::string_view content);

/// Keeps the current `state_dir/KIND.json` (`kind` is "status" or "health")
/// as `history/KIND-CYCLEID.json` before the caller replaces it, then
/// removes all but the newest `keep` files of that kind from history/
/// (newest by modification time, which a move keeps: the time the cycle
/// wrote it). CYCLEID is the `cycleId` the file itself records, so that the
/// name says which cycle it describes; `cycle_id` is used when the file
/// records none (health.json). The file is hard-linked rather than renamed:
/// the current file stays in place until the new one replaces it, so a
/// reader never finds it missing. No current file: only the trimming.
Result<void> keep_history(const std::filesystem::path& state_dir, std::string_view kind,
                          const std::string& cycle_id, int keep);

/// True when `name` may be used as a file name in the state directory: not
/// empty, not "." or "..", at most 200 characters out of [A-Za-z0-9._-].
/// Tenant ids and cycle ids become file names only when this holds.
bool is_safe_file_name(std::string_view name);

} // namespace hookwarden
