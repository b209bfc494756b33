// `stateDir/audit/`: the tenant's audit trail of every webhook, kept
// incrementally from one tenant-wide query a cycle (SPEC §6a).
//
//  - `audit/ID.jsonl`: the entries of webhook ID exactly as the tenant gave
//    them (AuditEntry::raw, compact), oldest first, never one entry `id`
//    twice.
//  - `audit/cursor.json`: `{"formatVersion": 1, "since": "…", "idsAtSince": […]}`,
//    the timestamp of the newest stored entry and the ids stored at exactly
//    that time.
// The next query asks for `since`/now, start included, every page. Entries
// at `since` listed in `idsAtSince` are skipped without reading a file; any
// other is appended to its file by an atomic rewrite (old content + new
// lines) after checking the ids already there; the cursor is written last.
// So a crash between a file's rewrite and the cursor's re-fetches those
// entries next time and finds them stored: nothing lost, nothing doubled,
// and a restart (a new AuditStore on the same directory) goes on where the
// files say. An entry that cannot be stored for now (a file that cannot be
// read, written or parsed: never truncated) holds the cursor at its time,
// so it is fetched again until it can be. An entry without id or entity id,
// or whose entity id is not a safe file name, can never be stored: it is
// reported and skipped.
#pragma once

#include "core/error.hpp"
#include "core/tenant.hpp"

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace hookwarden {

class AuditStore {
  public:
    explicit AuditStore(const std::filesystem::path& state_dir);

    /// The `interval` of the next audit query, "START/END": START is the
    /// cursor's `since` (inclusive), or `now - first_window` when there is no
    /// cursor yet; END is `now`. A cursor that cannot be read or parsed is an
    /// error naming it (removing it starts again from `first_window`).
    Result<std::string> query_interval(std::chrono::system_clock::time_point now,
                                       std::chrono::seconds first_window) const;

    /// Appends the entries not stored yet, each to its webhook's file, then
    /// writes the cursor. Returns how many lines were appended. Entries
    /// skipped or held back are listed in problems(); the call fails only
    /// when the cursor cannot be read or written.
    Result<std::size_t> store(const std::vector<AuditEntry>& entries);

    /// Why entries of the last store() were skipped or held back, one
    /// sentence each naming the entry and, for a file, the file.
    const std::vector<std::string>& problems() const noexcept { return problems_; }

  private:
    std::filesystem::path dir_; ///< stateDir/audit
    std::vector<std::string> problems_;
};

} // namespace hookwarden
