#include "daemon/cli/status_files.hpp"

#include "core/atomic_file.hpp"
#include "core/resource.hpp"
#include "core/snapshot/status_file.hpp"
#include "core/state_store.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <system_error>

namespace hookwarden {

namespace json = boost::json;
namespace fs = std::filesystem;

Result<json::value> parse_json_text(std::string_view text, const std::string& display) {
    json::stream_parser parser;
    boost::system::error_code ec;
    const std::size_t used = parser.write(text.data(), text.size(), ec);
    if (!ec)
        parser.finish(ec);
    if (ec) {
        // The parser stops where the text goes wrong: say where, as editors count.
        const std::string_view before = text.substr(0, std::min(used, text.size()));
        const auto newline = before.rfind('\n');
        ErrorContext where{.file = display};
        where.line = static_cast<int>(std::count(before.begin(), before.end(), '\n')) + 1;
        where.column =
            static_cast<int>(newline == std::string_view::npos ? before.size() : before.size() - newline - 1) + 1;
        return make_error(ErrorKind::invalid_input, "not valid JSON: " + ec.message(), std::move(where));
    }
    return parser.release();
}

namespace {

std::string string_at(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

std::optional<SystemTime> time_at(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    if (!value || !value->is_string())
        return std::nullopt;
    return parse_rfc3339_time(value->get_string());
}

std::optional<std::int64_t> int_at(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value && value->is_int64() ? std::optional(value->get_int64()) : std::nullopt;
}

std::optional<double> number_at(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value && value->is_number() ? std::optional(value->to_number<double>()) : std::nullopt;
}

const json::array* array_at(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value && value->is_array() ? &value->get_array() : nullptr;
}

const json::object* object_at(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value && value->is_object() ? &value->get_object() : nullptr;
}

Error file_error(const fs::path& file, std::string message) {
    return make_error(ErrorKind::invalid_input, std::move(message), {.file = file.string()});
}

// A file's JSON object; nothing when the file does not exist.
Result<std::optional<json::object>> read_json_object(const fs::path& file) {
    auto text = read_file_if_exists(file);
    if (!text)
        return text.error();
    if (!*text)
        return std::optional<json::object>{};
    auto value = parse_json_text(**text, file.string());
    if (!value)
        return value.error();
    if (!value->is_object())
        return file_error(file, "the top level is not a JSON object");
    return std::optional(std::move(value->get_object()));
}

// "done" says only that the action happened: show what it did instead.
std::string item_state(const std::string& action, const std::string& result) {
    if (result != "done")
        return result;
    if (action == "create" || action == "update" || action == "delete" || action == "replace")
        return action + "d";
    if (action == "adopt")
        return "adopted";
    return result;
}

class RowTable {
  public:
    StatusRow& row(const std::string& kind, const std::string& name) {
        auto& row = rows_[{name, kind.empty() ? "webhook" : kind}];
        row.kind = kind.empty() ? "webhook" : kind;
        row.name = name;
        return row;
    }
    StatusRow* find(const std::string& kind, const std::string& name) {
        auto it = rows_.find({name, kind.empty() ? "webhook" : kind});
        return it == rows_.end() ? nullptr : &it->second;
    }
    std::vector<StatusRow> take() {
        std::vector<StatusRow> out;
        for (auto& [key, row] : rows_)
            out.push_back(std::move(row));
        return out;
    }
    std::map<std::pair<std::string, std::string>, StatusRow>& all() { return rows_; }

  private:
    std::map<std::pair<std::string, std::string>, StatusRow> rows_; // by (name, kind)
};

void offer_change(StatusRow& row, LastChange change) {
    // The newest wins; on a tie the audit entry, which says who.
    if (!row.last_change || change.time > row.last_change->time ||
        (change.time == row.last_change->time && change.source == "audit"))
        row.last_change = std::move(change);
}

Result<StatusFiles> status_from_json(const json::object& o, const fs::path& file) {
    const auto version = int_at(o, "formatVersion");
    if (!version || *version < 1)
        return file_error(file, "not a hookwarden status file: formatVersion is missing");
    if (*version > status_format_version)
        return file_error(file, "has format version " + std::to_string(*version) + "; this hookwarden reads up to " +
                                    std::to_string(status_format_version) +
                                    " (it was written by a newer hookwarden)");
    StatusFiles s;
    s.format_version = static_cast<int>(*version);
    s.cycle_id = string_at(o, "cycleId");
    s.outcome = string_at(o, "outcome");
    s.end = time_at(o, "end");
    if (s.outcome.empty() || !s.end)
        return file_error(file, "not a hookwarden status file: outcome or end is missing");
    s.start = time_at(o, "start");
    s.next_run = time_at(o, "nextRun");
    s.source = string_at(o, "source");
    s.hookwarden_version = string_at(o, "hookwardenVersion");
    s.duration_seconds = number_at(o, "durationSeconds");
    s.manifest_errors = int_at(o, "manifestErrors").value_or(0);
    s.prune_blocked = string_at(o, "pruneBlocked");
    if (const auto* error = object_at(o, "error"))
        s.cycle_error = string_at(*error, "message");
    if (const auto* revision = object_at(o, "manifestRevision")) {
        ManifestRevisionText r{.kind = string_at(*revision, "kind"), .value = {}, .ref = string_at(*revision, "ref")};
        r.value = string_at(*revision, r.kind == "git" ? "commit" : "sha256");
        if (!r.kind.empty() && !r.value.empty())
            s.manifest_revision = std::move(r);
    }
    if (const auto* counts = object_at(o, "counts"))
        for (const auto& [name, value] : *counts)
            if (value.is_int64())
                s.counts.emplace_back(std::string(name), value.get_int64());
    if (const auto* errors = array_at(o, "snapshotErrors"))
        for (const auto& e : *errors)
            if (e.is_object())
                s.snapshot_errors.emplace_back(string_at(e.get_object(), "file"), string_at(e.get_object(), "message"));
    if (const auto* rotations = array_at(o, "rotations"))
        for (const auto& r : *rotations)
            if (const auto* rotation = r.if_object())
                if (auto until = time_at(*rotation, "until"); until && !string_at(*rotation, "name").empty())
                    s.rotations.emplace_back(string_at(*rotation, "name"), *until);
    if (const auto* log = object_at(o, "changeLog")) {
        const auto lines = int_at(*log, "lines");
        if (lines && *lines >= 0)
            s.change_log.emplace(static_cast<std::size_t>(*lines), string_at(*log, "head"));
    }
    return s;
}

void add_cycle_items(const json::object& status, RowTable& table) {
    const auto* items = array_at(status, "webhooks");
    if (!items)
        return;
    for (const auto& value : *items) {
        if (!value.is_object())
            continue;
        const auto& item = value.get_object();
        const std::string name = string_at(item, "name");
        if (name.empty())
            continue;
        auto& row = table.row(string_at(item, "kind"), name);
        row.state = item_state(string_at(item, "action"), string_at(item, "result"));
        if (auto id = string_at(item, "id"); !id.empty())
            row.id = id;
        if (const auto* error = object_at(item, "error"))
            row.last_error = string_at(*error, "message");
    }
}

void add_owned(const fs::path& state_dir, RowTable& table, std::vector<Error>& problems) {
    auto state = StateStore(state_dir).load();
    if (!state) {
        problems.push_back(state.error());
        return;
    }
    for (const ResourceKind kind : all_resource_kinds)
        for (const auto& [name, owned] : state->owned_of(kind)) {
            auto& row = table.row(to_string(kind), name);
            row.owned = true;
            if (row.id.empty())
                row.id = owned.id;
        }
}

void add_health(const fs::path& state_dir, StatusFiles& s, RowTable& table, std::vector<Error>& problems) {
    auto health = read_json_object(state_dir / "health.json");
    if (!health) {
        problems.push_back(health.error());
        return;
    }
    if (!*health)
        return;
    s.health_taken_at = time_at(**health, "takenAt");
    const auto* webhooks = array_at(**health, "webhooks");
    if (!webhooks)
        return;
    for (const auto& value : *webhooks) {
        if (!value.is_object())
            continue;
        const auto& h = value.get_object();
        const std::string name = string_at(h, "name");
        if (name.empty())
            continue;
        auto& row = table.row(string_at(h, "kind"), name);
        if (auto id = string_at(h, "id"); !id.empty() && row.id.empty())
            row.id = id;
        row.health = string_at(h, "status");
        row.success_count = int_at(h, "successCount");
        row.failure_count = int_at(h, "failureCount");
        row.failure_rate = number_at(h, "failureRate");
    }
}

// Each changes.jsonl line is one write; the last one of a webhook is its
// newest. Webhooks no other file knows (long deleted) get no row.
void add_changes(const fs::path& state_dir, RowTable& table, std::vector<Error>& problems) {
    const fs::path file = state_dir / "changes.jsonl";
    auto text = read_file_if_exists(file);
    if (!text) {
        problems.push_back(text.error());
        return;
    }
    if (!*text)
        return;
    std::string_view rest = **text;
    for (int number = 1; !rest.empty(); ++number) {
        const auto end = rest.find('\n');
        const std::string_view line = rest.substr(0, end);
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
        boost::system::error_code ec;
        const json::value value = json::parse(line, ec);
        const auto time = !ec && value.is_object() ? time_at(value.get_object(), "time") : std::nullopt;
        if (!time) {
            problems.push_back(make_error(ErrorKind::invalid_input, "not a change record (--verify checks the whole file)",
                                          {.file = file.string(), .line = number}));
            return;
        }
        const auto& record = value.get_object();
        auto* row = table.find(string_at(record, "kind"), string_at(record, "name"));
        if (!row)
            continue;
        offer_change(*row, {.time = *time, .source = "changes", .action = string_at(record, "action"), .by = {}});
    }
}

// audit/ID.jsonl is oldest first: its last line is the webhook's newest entry.
void add_audit(const fs::path& state_dir, RowTable& table, std::vector<Error>& problems) {
    for (auto& [key, row] : table.all()) {
        if (row.id.empty() || row.id.find('/') != std::string::npos)
            continue;
        const fs::path file = state_dir / "audit" / (row.id + ".jsonl");
        auto text = read_file_if_exists(file);
        if (!text) {
            problems.push_back(text.error());
            continue;
        }
        if (!*text)
            continue;
        std::string_view content = **text;
        while (!content.empty() && content.back() == '\n')
            content.remove_suffix(1);
        if (content.empty())
            continue;
        const auto start = content.rfind('\n');
        const std::string_view last = content.substr(start == std::string_view::npos ? 0 : start + 1);
        const auto line = static_cast<int>(std::count(content.begin(), content.end(), '\n')) + 1;
        boost::system::error_code ec;
        const json::value value = json::parse(last, ec);
        const auto time = !ec && value.is_object() ? time_at(value.get_object(), "timestamp") : std::nullopt;
        if (!time) {
            problems.push_back(make_error(ErrorKind::invalid_input, "not an audit entry with a timestamp",
                                          {.file = file.string(), .line = line}));
            continue;
        }
        const auto& entry = value.get_object();
        std::string by;
        if (const auto* user = object_at(entry, "user"))
            by = string_at(*user, "name");
        offer_change(row, {.time = *time, .source = "audit", .action = string_at(entry, "action"), .by = by});
    }
}

} // namespace

Result<std::optional<StatusFiles>> read_status_files(const fs::path& state_dir) {
    auto status = read_json_object(state_dir / "status.json");
    if (!status) {
        // A missing state directory is "no snapshot yet", like a missing file.
        std::error_code ec;
        if (!fs::exists(state_dir, ec) && !ec)
            return std::optional<StatusFiles>{};
        return status.error();
    }
    if (!*status)
        return std::optional<StatusFiles>{};
    auto files = status_from_json(**status, state_dir / "status.json");
    if (!files)
        return files.error();
    files->state_dir = state_dir;

    RowTable table;
    add_cycle_items(**status, table);
    add_owned(state_dir, table, files->read_errors);
    add_health(state_dir, *files, table, files->read_errors);
    add_changes(state_dir, table, files->read_errors);
    add_audit(state_dir, table, files->read_errors);
    files->rows = table.take();
    return std::optional(std::move(*files));
}

} // namespace hookwarden
