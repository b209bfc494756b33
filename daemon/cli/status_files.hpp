// What `hookwarden status` reads: the snapshot files in stateDir (SPEC §6a),
// gathered into one value with a row per webhook.
//
// Only files are read, never the network or a credential, so status works
// while the tenant or the secrets are out of reach. status.json is the one
// file status needs: without it there is no snapshot yet, and when it does
// not parse the command fails naming it. Every other file (state.json,
// health.json, audit/ID.jsonl, changes.jsonl) only adds columns: a problem
// with one of them is kept in `read_errors` and the rest is shown.
#pragma once

#include "core/error.hpp"
#include "daemon/cli/status_time.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hookwarden {

/// The newest change known for one webhook.
struct LastChange {
    SystemTime time;
    std::string source; ///< "changes" (hookwarden's own write) or "audit" (the tenant's trail)
    std::string action; ///< create, update, delete, ... as the source says
    std::string by;     ///< the audit entry's user.name; empty when not known
};

/// One line of the table.
struct StatusRow {
    std::string kind = "webhook";
    std::string name;
    std::string id;            ///< empty when not known
    bool owned = false;        ///< in state.json
    std::string state;         ///< the last cycle's result for it (created, failed, ...); empty: not in it
    std::string last_error;    ///< the last cycle's error message for it
    std::optional<LastChange> last_change;
    std::string health;        ///< health.json status; empty when not there
    std::optional<std::int64_t> success_count, failure_count;
    std::optional<double> failure_rate; ///< 0..1; nothing when no delivery
};

struct ManifestRevisionText {
    std::string kind;  ///< "git" or "digest"
    std::string value; ///< the commit or the sha256
    std::string ref;   ///< git only; empty when detached
};

/// Everything the snapshot files say.
struct StatusFiles {
    std::filesystem::path state_dir;
    int format_version = 0; ///< of status.json
    std::string cycle_id, outcome, source, hookwarden_version;
    std::optional<SystemTime> start, end, next_run;
    std::optional<double> duration_seconds;
    std::optional<ManifestRevisionText> manifest_revision;
    std::int64_t manifest_errors = 0;
    std::vector<std::pair<std::string, std::int64_t>> counts; ///< in status.json's order
    std::string prune_blocked;          ///< reason; empty when prune was not blocked
    std::string cycle_error;            ///< why no plan could be made; empty when one was
    std::vector<std::pair<std::string, std::string>> snapshot_errors; ///< file, message
    std::optional<std::pair<std::size_t, std::string>> change_log; ///< lines, head: status.json's record
    std::optional<SystemTime> health_taken_at;
    /// status.json's secret rotations in progress when it was written:
    /// (name, until), by name.
    std::vector<std::pair<std::string, SystemTime>> rotations;
    std::vector<StatusRow> rows;        ///< sorted by name, then kind
    std::vector<Error> read_errors;     ///< files other than status.json that could not be used
};

/// Parses JSON text; a syntax error names `display` with the line and
/// column where it was found.
Result<boost::json::value> parse_json_text(std::string_view text, const std::string& display);

/// Reads the snapshot files of `state_dir`. Nothing when there is no
/// snapshot yet (the directory or status.json missing); an error when
/// status.json cannot be read or is not a status file hookwarden reads.
Result<std::optional<StatusFiles>> read_status_files(const std::filesystem::path& state_dir);

} // namespace hookwarden
