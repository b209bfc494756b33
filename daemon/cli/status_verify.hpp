// `hookwarden status --verify`: the verdict on changes.jsonl's hash chain,
// as one line for people and an object for scripts.
//
// The only place the CLI calls verify_change_log (core/snapshot/change_log.hpp),
// so that the checking code can change without touching the command.
#pragma once

#include "core/error.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>

namespace hookwarden {

struct ChangeLogVerdict {
    bool ok = false;
    std::string line;          ///< `change log: N lines, chain intact` or `change log: line K: REASON`
    boost::json::object json;  ///< {"ok", "lines", "firstBadLine": K | null, "reason": "…" | null, "head": "…" | null}
};

/// Checks `state_dir`/changes.jsonl against the head status.json recorded
/// (lines, hex SHA-256 of the last line), when it recorded one.
Result<ChangeLogVerdict> verify_changes(const std::filesystem::path& state_dir,
                                        const std::optional<std::pair<std::size_t, std::string>>& recorded);

} // namespace hookwarden
