// TEMPORARY: replaced by the core12 branch at merge (only what `status --verify` needs).
//
// `stateDir/changes.jsonl`: one line per tenant write hookwarden made, each
// carrying the SHA-256 of the previous line (`prev`), so that an edited,
// inserted or removed line is detectable. This part checks the chain; the
// writing side lives in the core12 branch.
#pragma once

#include "core/error.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

namespace hookwarden {

/// Where the chain ends: its line count and the hex SHA-256 of its last
/// line (empty when there is none). status.json records it after each cycle.
struct ChangeLogHead {
    std::size_t lines = 0;
    std::string head;
};

/// The verdict on changes.jsonl.
struct ChangeLogCheck {
    bool ok;
    std::size_t lines;
    std::size_t first_bad_line; ///< 1-based; 0 when ok
    std::string reason;
    ChangeLogHead head; ///< of the file as it is
};

/// Recomputes the chain of `state_dir`/changes.jsonl: the first line whose
/// `prev` does not match, that is not JSON, or whose `seq` is not the
/// previous one plus 1; then compares the count and the last line's hash
/// with `recorded` (status.json's `changeLog`), which catches removed
/// lines at the end. A missing file is an empty chain. Errors: the file
/// cannot be read.
Result<ChangeLogCheck> verify_change_log(const std::filesystem::path& state_dir,
                                         const std::optional<ChangeLogHead>& recorded);

} // namespace hookwarden
