// Which manifests a cycle applied: the git commit of the manifest directory
// when it lies in a git work tree, else a digest of what was loaded
// (status.json's `manifestRevision`, changes.jsonl's `manifestRevision`).
//
// The repository is read directly — `.git/HEAD`, the loose ref or
// `packed-refs` — with no `git` process: the daemon runs sandboxed without
// one, and a cycle must not wait on a child. Worktrees and submodules
// (`.git` as a file `gitdir: PATH`, refs in the `commondir`) are followed.
// A missing or broken repository never fails a cycle: the digest is used.
// The commit says which commit was checked out, not whether the files were
// edited since; the digest changes with any loaded change.
#pragma once

#include "core/manifest.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace hookwarden {

struct ManifestRevision {
    std::string kind;  ///< "git" or "digest"
    std::string value; ///< the commit (40 hex, 64 in a SHA-256 repository) or the SHA-256 (64 hex)
    std::string ref;   ///< the checked-out ref, e.g. refs/heads/main; empty when HEAD is detached

    /// For people: `git 1a2b3c4d5e6f (main)`, `git 1a2b3c4d5e6f (detached)`
    /// or `digest 1a2b3c4d5e6f`.
    std::string short_text() const;

    bool operator==(const ManifestRevision&) const = default;
};

/// The git revision checked out at `manifest_dir` (looking for `.git` there
/// and in every parent up to the root), or nothing when there is none or it
/// cannot be read. Never throws.
std::optional<ManifestRevision> git_revision(const std::filesystem::path& manifest_dir);

/// SHA-256 (hex) of a canonical form of `loaded`: every webhook's fields
/// (secret sources by reference, never a value), the duplicate names with
/// their places, and the error count.
std::string desired_state_digest(const DesiredState& loaded);

/// git_revision(manifest_dir), else {"digest", desired_state_digest(loaded)}.
ManifestRevision manifest_revision(const std::filesystem::path& manifest_dir, const DesiredState& loaded);

} // namespace hookwarden
