// Finding manifest files below a directory (SPEC §2).
//
// Recursive; `*.yaml` and `*.yml` only; names starting with '.' (files and
// directories, e.g. `.git`) skipped; symlinks followed, each directory and
// file visited once (a symlink loop or a second link to the same file is
// reported as a warning and skipped); sorted byte-wise by path below the
// root so every run sees the same order.
#pragma once

#include "core/diagnostic.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace hookwarden {

struct ManifestFile {
    std::filesystem::path path; ///< to open
    std::string display;        ///< `dir` as given joined with the relative path
    std::string relative;       ///< path below `dir`, '/'-separated: the sort key
};

std::vector<ManifestFile> discover_manifest_files(const std::filesystem::path& dir,
                                                  Diagnostics& diagnostics);

} // namespace hookwarden
