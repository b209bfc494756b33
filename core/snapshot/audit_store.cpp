#include "core/snapshot/audit_store.hpp"

#include "core/atomic_file.hpp"
#include "core/rfc3339_time.hpp"
#include "core/snapshot/snapshot_file.hpp"
#include "core/snapshot/status_file.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace hookwarden {

namespace fs = std::filesystem;
namespace json = boost::json;
using Millis = std::chrono::sys_time<std::chrono::milliseconds>;

namespace {

/// An RFC 3339 timestamp, by core's one strict parser, as UTC milliseconds:
/// the tenant's timestamps are compared by time rather than by spelling.
std::optional<Millis> parse_timestamp(std::string_view text) {
    const auto time = parse_rfc3339_strict(text);
    if (!time)
        return std::nullopt;
    return std::chrono::floor<std::chrono::milliseconds>(*time);
}

struct Cursor {
    std::string since;
    Millis since_time;
    std::set<std::string> ids_at_since;
};

Result<std::optional<Cursor>> read_cursor(const fs::path& file) {
    auto text = read_file_if_exists(file);
    if (!text)
        return text.error();
    if (!*text)
        return std::optional<Cursor>{};
    auto corrupt = [&file](const std::string& why) {
        return make_error(ErrorKind::invalid_input,
                          file.string() + " is not a valid audit cursor: " + why +
                              " (remove it to fetch the audit trail of the first window again; "
                              "stored entries are not doubled)");
    };
    boost::system::error_code ec;
    const json::value value = json::parse(**text, ec);
    if (ec || !value.is_object())
        return corrupt("it is not a JSON object");
    const auto& o = value.as_object();
    const auto* version = o.if_contains("formatVersion");
    if (!version || !version->is_int64() || version->as_int64() != 1)
        return corrupt("formatVersion is not 1");
    const auto* since = o.if_contains("since");
    const auto* ids = o.if_contains("idsAtSince");
    if (!since || !since->is_string() || !ids || !ids->is_array())
        return corrupt("since or idsAtSince is missing");
    const auto since_time = parse_timestamp(since->as_string());
    if (!since_time)
        return corrupt("since is not an RFC 3339 timestamp");
    Cursor cursor{.since = std::string(since->as_string()), .since_time = *since_time, .ids_at_since = {}};
    for (const auto& id : ids->as_array()) {
        if (!id.is_string())
            return corrupt("idsAtSince holds something else than strings");
        cursor.ids_at_since.emplace(id.as_string());
    }
    return std::optional(std::move(cursor));
}

std::string cursor_text(const Cursor& cursor) {
    json::array ids;
    for (const auto& id : cursor.ids_at_since)
        ids.emplace_back(id);
    json::object o;
    o["formatVersion"] = 1;
    o["since"] = cursor.since;
    o["idsAtSince"] = std::move(ids);
    return json::serialize(o) + "\n";
}

/// The entry ids a webhook's file holds, or why it cannot be trusted.
Result<std::set<std::string>> stored_ids(const fs::path& file, const std::string& text) {
    std::set<std::string> ids;
    std::size_t number = 0;
    for (std::size_t at = 0; at < text.size();) {
        const auto newline = text.find('\n', at);
        const std::string_view line(text.data() + at,
                                    (newline == std::string::npos ? text.size() : newline) - at);
        at = newline == std::string::npos ? text.size() : newline + 1;
        ++number;
        boost::system::error_code ec;
        const json::value value = json::parse(line, ec);
        const auto* id = !ec && value.is_object() ? value.as_object().if_contains("id") : nullptr;
        if (!id || !id->is_string())
            return make_error(ErrorKind::invalid_input,
                              file.string() + ":" + std::to_string(number) +
                                  ": not an audit entry with an id; the file is left as it is and "
                                  "its webhook's new entries are held back until it is repaired");
        ids.emplace(id->as_string());
    }
    return ids;
}

struct Candidate {
    const AuditEntry* entry;
    Millis time;
};

} // namespace

AuditStore::AuditStore(const fs::path& state_dir) : dir_(state_dir / "audit") {}

Result<std::string> AuditStore::query_interval(std::chrono::system_clock::time_point now,
                                               std::chrono::seconds first_window) const {
    auto cursor = read_cursor(dir_ / "cursor.json");
    if (!cursor)
        return cursor.error();
    const std::string start = *cursor ? (*cursor)->since : format_rfc3339(now - first_window);
    return start + "/" + format_rfc3339(now);
}

Result<std::size_t> AuditStore::store(const std::vector<AuditEntry>& entries) {
    problems_.clear();
    const fs::path cursor_file = dir_ / "cursor.json";
    auto read = read_cursor(cursor_file);
    if (!read)
        return read.error();
    const std::optional<Cursor> cursor = *std::move(read);

    // What this call settles (stored, found stored, or refused for good)
    // and the earliest entry it could not store for now.
    std::vector<Candidate> settled;
    std::optional<Candidate> held;
    auto hold = [&held](const Candidate& c) {
        if (!held || c.time < held->time)
            held = c;
    };

    std::map<std::string, std::vector<Candidate>> by_webhook;
    for (const auto& entry : entries) {
        if (entry.id.empty() || entry.entity_id.empty()) {
            problems_.push_back("an audit entry without " +
                                std::string(entry.id.empty() ? "an id" : "an entity id") +
                                (entry.id.empty() ? std::string() : " (entry " + entry.id + ")") +
                                " was skipped");
            continue;
        }
        const auto time = parse_timestamp(entry.timestamp);
        if (!time) {
            problems_.push_back("audit entry " + entry.id + " was skipped: its timestamp '" + entry.timestamp +
                                "' is not RFC 3339");
            continue;
        }
        const Candidate candidate{&entry, *time};
        if (cursor && *time == cursor->since_time && cursor->ids_at_since.contains(entry.id))
            continue;
        if (!is_safe_file_name(entry.entity_id)) {
            problems_.push_back("audit entry " + entry.id + " was skipped: its entity id '" + entry.entity_id +
                                "' cannot be a file name");
            settled.push_back(candidate);
            continue;
        }
        by_webhook[entry.entity_id].push_back(candidate);
    }

    std::size_t appended = 0;
    if (!by_webhook.empty()) {
        if (auto made = ensure_directory(dir_, snapshot_directory_mode); !made)
            return made.error();
    }
    for (auto& [webhook, candidates] : by_webhook) {
        std::stable_sort(candidates.begin(), candidates.end(),
                         [](const Candidate& a, const Candidate& b) { return a.time < b.time; });
        const fs::path file = dir_ / (webhook + ".jsonl");
        auto hold_all = [this, &hold, &pending = candidates](const Error& why) {
            problems_.push_back(why.describe());
            for (const auto& c : pending)
                hold(c);
        };
        auto text = read_file_if_exists(file);
        if (!text) {
            hold_all(text.error());
            continue;
        }
        std::string content = text->value_or(std::string{});
        auto ids = stored_ids(file, content);
        if (!ids) {
            hold_all(ids.error());
            continue;
        }
        if (!content.empty() && content.back() != '\n')
            content += '\n';
        std::size_t added = 0;
        for (const auto& c : candidates)
            if (ids->insert(c.entry->id).second) {
                content += json::serialize(c.entry->raw);
                content += '\n';
                ++added;
            }
        if (added > 0) {
            if (auto written = write_snapshot_file(file, content); !written) {
                hold_all(written.error());
                continue;
            }
        }
        appended += added;
        settled.insert(settled.end(), candidates.begin(), candidates.end());
    }

    // The cursor moves to the newest settled entry, but never past one held
    // back: from there the next query fetches it again.
    std::optional<Candidate> newest = held;
    if (!held)
        for (const auto& c : settled)
            if (!newest || c.time > newest->time)
                newest = c;
    if (!newest)
        return appended;
    Cursor next{.since = newest->entry->timestamp, .since_time = newest->time, .ids_at_since = {}};
    if (cursor && cursor->since_time == next.since_time) {
        next.since = cursor->since;
        next.ids_at_since = cursor->ids_at_since;
    }
    for (const auto& c : settled)
        if (c.time == next.since_time)
            next.ids_at_since.insert(c.entry->id);
    if (cursor && cursor->since == next.since && cursor->ids_at_since == next.ids_at_since)
        return appended;
    if (auto made = ensure_directory(dir_, snapshot_directory_mode); !made)
        return made.error();
    if (auto written = write_snapshot_file(cursor_file, cursor_text(next)); !written)
        return written.error();
    return appended;
}

} // namespace hookwarden
