// Finding manifest files below a directory (SPEC §2).
//
// Recursive; `*.yaml` and `*.yml` only; names starting with '.' (files and
// directories, e.g. `.git`) skipped; symlinks followed, each directory and
// file visited once (a symlink loop or a second link to the same file is
// reported as a warning and skipped); sorted byte-wise by path below the
// root so every run sees the same order. Entries are looked at relative to
// their directory's descriptor (fstatat): resolving each full path again
// was most of the time of reloading a large, unchanged directory.
#pragma once

#include "core/diagnostic.hpp"
#include "core/executor.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace hookwarden {

/// What stat(2) said of a file (symlinks followed) when it was found: a
/// ManifestCache takes a file whose stamp did not change for unchanged.
struct FileStamp {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;

    bool operator==(const FileStamp&) const = default;
};

struct ManifestFile {
    /// `dir` as given joined with the relative path: what messages show, and
    /// what opens the file. (No std::filesystem::path: building one splits
    /// the text into components, for each of thousands of files a reload
    /// finds, and only the files that changed are opened.)
    std::string display;
    std::string relative; ///< path below `dir`, '/'-separated: the sort key
    FileStamp stamp;      ///< as found
};

/// Finds the manifest files below `dir`; what cannot be read is reported
/// in `diagnostics`. The result is the same whatever the executor: it only
/// makes the stats of a large directory at the same time.
std::vector<ManifestFile> discover_manifest_files(const std::filesystem::path& dir,
                                                  Diagnostics& diagnostics, Executor& executor);

/// As above, in order on the calling thread.
std::vector<ManifestFile> discover_manifest_files(const std::filesystem::path& dir,
                                                  Diagnostics& diagnostics);

} // namespace hookwarden
