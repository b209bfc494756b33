// TEMPORARY: replaced by the core12 branch at merge.
#include "core/snapshot/change_log.hpp"

#include "core/atomic_file.hpp"
#include "core/state_store.hpp"

#include <boost/json.hpp>

#include <string_view>
#include <vector>

namespace hookwarden {

namespace json = boost::json;

namespace {

const std::string no_previous_line(64, '0');

// Hex SHA-256 of one line's bytes (sha256_digest's form without "sha256:").
std::string line_hash(std::string_view line) { return sha256_digest(line).substr(7); }

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto end = text.find('\n');
        lines.push_back(text.substr(0, end));
        if (end == std::string_view::npos)
            break;
        text.remove_prefix(end + 1);
    }
    return lines;
}

// Why line `number` breaks the chain, or "" when it continues it.
std::string break_in(std::string_view line, std::size_t number, const std::string& expected_prev) {
    boost::system::error_code ec;
    const json::value value = json::parse(line, ec);
    if (ec || !value.is_object())
        return "not a JSON object";
    const auto& object = value.get_object();
    const auto* seq = object.if_contains("seq");
    if (!seq || !seq->is_int64() || seq->get_int64() != static_cast<std::int64_t>(number))
        return "seq is not " + std::to_string(number) + " (the previous line's plus 1)";
    const auto* prev = object.if_contains("prev");
    if (!prev || !prev->is_string() || prev->get_string() != expected_prev)
        return number == 1 ? "prev is not 64 zeros (the first line's)"
                           : "prev does not match the SHA-256 of line " + std::to_string(number - 1);
    return {};
}

} // namespace

Result<ChangeLogCheck> verify_change_log(const std::filesystem::path& state_dir,
                                         const std::optional<ChangeLogHead>& recorded) {
    auto text = read_file_if_exists(state_dir / "changes.jsonl");
    if (!text)
        return text.error();
    const auto lines = *text ? split_lines(**text) : std::vector<std::string_view>{};

    ChangeLogCheck check{.ok = true, .lines = lines.size(), .first_bad_line = 0, .reason = {}, .head = {}};
    check.head.lines = lines.size();
    std::string expected_prev = no_previous_line;
    std::vector<std::string> hashes;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (auto reason = break_in(lines[i], i + 1, expected_prev); !reason.empty()) {
            check.ok = false;
            check.first_bad_line = i + 1;
            check.reason = std::move(reason);
            return check;
        }
        expected_prev = line_hash(lines[i]);
        hashes.push_back(expected_prev);
    }
    if (!hashes.empty())
        check.head.head = hashes.back();
    if (!recorded)
        return check;

    // Lines after the recorded head are legitimate (a cycle may stop between
    // its appends and status.json); fewer lines, or another line at the
    // recorded place, are not.
    if (lines.size() < recorded->lines) {
        check.ok = false;
        check.first_bad_line = lines.size() + 1;
        check.reason = "missing: status.json records " + std::to_string(recorded->lines) +
                       " lines, the file has " + std::to_string(lines.size());
    } else if (recorded->lines > 0 && hashes[recorded->lines - 1] != recorded->head) {
        check.ok = false;
        check.first_bad_line = recorded->lines;
        check.reason = "its SHA-256 differs from the head status.json records";
    }
    return check;
}

} // namespace hookwarden
