// `stateDir/changes.jsonl`: every write hookwarden itself made to the tenant
// (create, update, adopt, delete), one JSON line each, chained by SHA-256 so
// that an edited, deleted or reordered line is detectable (SPEC §6a).
//
// A line is, with keys in exactly this order:
//   {"seq": 1, "cycleId", "time": "RFC3339ms", "action": "create|update|adopt|delete",
//    "kind": "webhook", "name", "id", "changedFields": [...],
//    "manifestRevision", "planDigest", "prev": "64 hex"}
// `prev` is the hex SHA-256 of the previous line's bytes without its
// newline; the first line's is 64 zeros. `seq` counts from 1 by 1. The
// chain cannot tell a removed last line: status.json records the line count
// and the last line's hash (`changeLog`), and verify_change_log compares.
// Changed fields are names only, never values: no secret ever lands here.
// The file is replaced atomically with the old bytes and the new lines.
#pragma once

#include "core/engine.hpp"
#include "core/error.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hookwarden {

struct ChangeRecord {
    std::string cycle_id;
    std::chrono::system_clock::time_point time;
    std::string action; ///< create | update | adopt | delete
    std::string kind = "webhook";
    std::string name;
    std::string id;
    std::vector<std::string> changed_fields;
    std::string manifest_revision; ///< the commit or the digest (ManifestRevision::value)
    std::string plan_digest;
};

/// Where the chain ends: what status.json records as `changeLog`.
struct ChangeLogHead {
    std::size_t lines = 0;
    std::string head; ///< hex SHA-256 of the last line; empty when there is none

    bool operator==(const ChangeLogHead&) const = default;
};

/// What every change record of a cycle shares.
struct ChangeContext {
    std::string cycle_id;
    std::chrono::system_clock::time_point time;
    std::string manifest_revision;
    std::string plan_digest;
};

/// The `prev` of the first line.
inline const std::string change_log_genesis(64, '0');

/// Appends `records` to `state_dir/changes.jsonl` (rewriting it atomically,
/// mode 0640) and returns the new head. No records: nothing is written and
/// the current head is returned. Errors are ErrorKind::io naming the file.
Result<ChangeLogHead> append_changes(const std::filesystem::path& state_dir,
                                     const std::vector<ChangeRecord>& records);

struct ChangeLogCheck {
    bool ok = true;
    std::size_t lines = 0;          ///< lines in the file
    std::size_t first_bad_line = 0; ///< 1-based; 0 when ok
    std::string reason;             ///< a sentence naming the file and line; empty when ok
    ChangeLogHead head;             ///< of the file as it is
};

/// Recomputes the chain of `state_dir/changes.jsonl` and names the first
/// bad line: one that is not a JSON object, whose `seq` is not the previous
/// one + 1 (1 first), or that was edited. When line N's `prev` is not the
/// hash of line N-1, the edited line is N-1 — unless line N itself no longer
/// hashes to the next line's `prev` (or the recorded head), then N: so a
/// changed byte is reported on the line that holds it. With
/// `recorded` (status.json's `changeLog`), the file must still hold the
/// recorded last line at the recorded position: a removed or edited last
/// line is caught there. More lines than recorded are fine (a crash after
/// the log's write and before status.json's). A missing file is an empty
/// log. Only an unreadable file is an error.
Result<ChangeLogCheck> verify_change_log(const std::filesystem::path& state_dir,
                                         const std::optional<ChangeLogHead>& recorded);

/// One record per item of `result` that wrote to the tenant: created,
/// updated, adopted (taking ownership counts as a write even when nothing
/// was sent) or deleted, in plan order. Failed, refused and deferred items
/// made no confirmed write and are left out.
std::vector<ChangeRecord> change_records(const CycleResult& result, const ChangeContext& ctx);

/// One line of changes.jsonl (without its newline) for `record` at `seq`.
std::string change_line(const ChangeRecord& record, std::size_t seq, const std::string& prev);

} // namespace hookwarden
