// Replacing a file so that a crash leaves either the old or the new content,
// never a torn mix (SPEC §6a).
//
// Used for every file hookwarden keeps in its state directory (state.json,
// generated secrets, snapshots) and for exported manifests. The content goes
// to a temporary file in the same directory, which is given its final mode
// before any byte is written, flushed with fsync, and renamed over the
// target; the directory is then fsynced so that the rename itself survives a
// power cut. Reading them back tells a missing file from one that cannot be
// read, so that an unreadable state directory never passes for an empty one.
// Nothing here logs: a secret may pass through.
#pragma once

#include "core/error.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace hookwarden {

struct AtomicWriteOptions {
    /// Permission bits of the new file (0600 by default: state and secrets).
    std::filesystem::perms mode =
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
    /// When false an existing target is never replaced: the write fails with
    /// ErrorKind::conflict and the old file stays as it was. The check and
    /// the link are one atomic step (link(2)), not a racy exists() test.
    bool replace_existing = true;
};

/// Writes `content` to `path` atomically. The directory must exist. Errors are
/// ErrorKind::io naming the path and the system's reason.
Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view content,
                                   const AtomicWriteOptions& options = {});

/// The whole content of `path`, or nothing when it does not exist (ENOENT).
/// Any other failure (EACCES, ENOTDIR, EIO, ...) is ErrorKind::io naming
/// the path and the system's reason.
Result<std::optional<std::string>> read_file_if_exists(const std::filesystem::path& path);

/// Creates `dir` with `mode` (missing parents with the default mode) when it does not exist, and
/// makes sure an existing one is a directory. The mode of an existing
/// directory is left alone: the operator (or systemd's StateDirectory=) chose it.
Result<void> ensure_directory(const std::filesystem::path& dir, std::filesystem::perms mode);

} // namespace hookwarden
