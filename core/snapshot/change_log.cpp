#include "core/snapshot/change_log.hpp"

#include "core/atomic_file.hpp"
#include "core/sha256.hpp"
#include "core/snapshot/snapshot_file.hpp"
#include "core/snapshot/status_file.hpp"

#include <boost/json.hpp>

namespace hookwarden {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr const char* file_name = "changes.jsonl";

/// The lines of the log, without their newlines. A last line without one
/// (written by hand) is a line all the same.
std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto newline = text.find('\n');
        lines.push_back(text.substr(0, newline));
        if (newline == std::string_view::npos)
            break;
        text.remove_prefix(newline + 1);
    }
    return lines;
}

ChangeLogHead head_of(const std::vector<std::string_view>& lines) {
    if (lines.empty())
        return {};
    return {.lines = lines.size(), .head = sha256_hex(lines.back())};
}

/// The actions that write to the tenant (or take ownership); their JSON
/// names (create, update, adopt, delete) are the log's actions.
bool writes_to_tenant(PlanAction action) {
    return action == PlanAction::create || action == PlanAction::update || action == PlanAction::adopt ||
           action == PlanAction::remove;
}

} // namespace

std::string change_line(const ChangeRecord& record, std::size_t seq, const std::string& prev) {
    json::array fields;
    for (const auto& field : record.changed_fields)
        fields.emplace_back(field);
    // json::object keeps insertion order: this is the order of the format.
    json::object line;
    line["seq"] = seq;
    line["cycleId"] = record.cycle_id;
    line["time"] = format_rfc3339(record.time);
    line["action"] = record.action;
    line["kind"] = record.kind;
    line["name"] = record.name;
    line["id"] = record.id;
    line["changedFields"] = std::move(fields);
    line["manifestRevision"] = record.manifest_revision;
    line["planDigest"] = record.plan_digest;
    line["prev"] = prev;
    return json::serialize(line);
}

Result<ChangeLogHead> append_changes(const fs::path& state_dir, const std::vector<ChangeRecord>& records) {
    const fs::path file = state_dir / file_name;
    auto existing = read_file_if_exists(file);
    if (!existing)
        return existing.error();
    std::string text = existing->value_or(std::string{});
    ChangeLogHead head = head_of(split_lines(text));
    if (records.empty())
        return head;
    if (!text.empty() && text.back() != '\n')
        text += '\n';
    // seq follows the line count, which a valid chain makes equal to the
    // last seq: a broken chain is verify's to report, not append's to guess.
    std::string prev = head.lines == 0 ? change_log_genesis : head.head;
    for (const auto& record : records) {
        const std::string line = change_line(record, head.lines + 1, prev);
        text += line;
        text += '\n';
        prev = sha256_hex(line);
        head = {.lines = head.lines + 1, .head = prev};
    }
    if (auto written = write_snapshot_file(file, text); !written)
        return written.error();
    return head;
}

Result<ChangeLogCheck> verify_change_log(const fs::path& state_dir,
                                         const std::optional<ChangeLogHead>& recorded) {
    const fs::path file = state_dir / file_name;
    auto existing = read_file_if_exists(file);
    if (!existing)
        return existing.error();
    const std::string text = existing->value_or(std::string{});
    const auto lines = split_lines(text);
    ChangeLogCheck check{.ok = true, .lines = lines.size(), .first_bad_line = 0, .reason = {},
                         .head = head_of(lines)};
    auto bad = [&](std::size_t line, const std::string& why) {
        check.ok = false;
        check.first_bad_line = line;
        check.reason = file.string() + ":" + std::to_string(line) + ": " + why;
        return check;
    };

    std::vector<std::string> hashes;
    hashes.reserve(lines.size());
    for (const auto line : lines)
        hashes.push_back(sha256_hex(line));
    // Whether line `number` is as it was written: the next line's prev (or,
    // for the last line, the recorded head) still matches its hash.
    auto intact = [&](std::size_t number) {
        if (number < lines.size()) {
            boost::system::error_code ec;
            const json::value next = json::parse(lines[number], ec);
            const auto* prev = !ec && next.is_object() ? next.as_object().if_contains("prev") : nullptr;
            return prev && prev->is_string() && prev->as_string() == hashes[number - 1];
        }
        // The last line: only a recorded head can tell; without one the
        // likelier edit is in the longer part, the line before.
        if (!recorded || recorded->lines != number)
            return true;
        return recorded->head == hashes[number - 1];
    };

    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::size_t number = i + 1;
        boost::system::error_code ec;
        const json::value value = json::parse(lines[i], ec);
        if (ec || !value.is_object())
            return bad(number, "the line is not a JSON object");
        const auto& line = value.as_object();
        const auto* seq = line.if_contains("seq");
        if (!seq || !seq->is_number() || seq->to_number<double>() != static_cast<double>(number))
            return bad(number, "seq is not " + std::to_string(number) +
                                   " (one more than the line before): a line was removed, added or moved");
        const auto* prev = line.if_contains("prev");
        const std::string& expected = i == 0 ? change_log_genesis : hashes[i - 1];
        if (prev && prev->is_string() && prev->as_string() == expected)
            continue;
        if (i == 0)
            return bad(number, "prev is not 64 zeros, as the first line's must be: the line was edited");
        // The link between two lines broke: the earlier one was edited,
        // unless this one (its prev) was, which the next link tells.
        if (intact(number))
            return bad(i, "the line's SHA-256 is not the prev of line " + std::to_string(number) +
                              ": the line was edited");
        return bad(number, "prev is not the SHA-256 of line " + std::to_string(i) + ": the line was edited");
    }

    if (!recorded || recorded->lines == 0)
        return check;
    if (lines.size() < recorded->lines)
        return bad(lines.size() + 1,
                   "status.json records " + std::to_string(recorded->lines) + " lines but the file has " +
                       std::to_string(lines.size()) + ": lines at the end were removed");
    if (sha256_hex(lines[recorded->lines - 1]) != recorded->head)
        return bad(recorded->lines, "the line's SHA-256 is not the one status.json records for it: it was edited");
    return check;
}

std::vector<ChangeRecord> change_records(const CycleResult& result, const ChangeContext& ctx) {
    std::vector<ChangeRecord> records;
    for (const auto& item : result.items) {
        if (item.outcome != ItemOutcome::done)
            continue;
        if (!writes_to_tenant(item.action))
            continue;
        ChangeRecord record{.cycle_id = ctx.cycle_id,
                            .time = ctx.time,
                            .action = to_string(item.action),
                            .kind = "webhook",
                            .name = item.name,
                            .id = item.id,
                            .changed_fields = {},
                            .manifest_revision = ctx.manifest_revision,
                            .plan_digest = ctx.plan_digest};
        // Names only: a value (the secret above all) never enters the log.
        for (const auto& change : item.changes)
            record.changed_fields.push_back(change.field);
        records.push_back(std::move(record));
    }
    return records;
}

} // namespace hookwarden
