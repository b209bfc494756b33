// What `hookwarden status` reads from stateDir, and `--verify`'s check of
// the change log (daemon/cli/status_files.hpp, status_verify.hpp).
#include "daemon/cli/status_files.hpp"
#include "daemon/cli/status_verify.hpp"
#include "core/state_store.hpp"
#include "tests/support/doctest_result.hpp"
#include "tests/support/scratch_dir.hpp"

#include <boost/json.hpp>
#include <map>

using namespace hookwarden;
using hookwarden::testing::ScratchDir;

namespace {

const char* converged_status =
    R"({"formatVersion": 2, "source": "apply", "cycleId": "c-1", "start": "2026-11-29T04:56:05.000Z",)"
    R"( "end": "2026-11-29T04:56:06.123Z", "outcome": "converged", "counts": {"created": 1},)"
    R"( "webhooks": [{"kind": "webhook", "name": "Monitor", "action": "create", "result": "done", "id": "id-m"}],)"
    R"( "changeLog": {"lines": 2, "head": "abc"}})";

// A change record line chained to `prev` (hex SHA-256 of the previous line).
std::string change_line(int seq, const std::string& name, const std::string& time, const std::string& prev) {
    return boost::json::serialize(boost::json::object{
        {"seq", seq}, {"cycleId", "c-1"}, {"time", time}, {"action", "create"}, {"kind", "webhook"},
        {"name", name}, {"id", "id-" + name}, {"changedFields", boost::json::array{}},
        {"manifestRevision", "r"}, {"planDigest", std::string(64, 'd')}, {"prev", prev}});
}

std::string hex_sha256(const std::string& line) { return sha256_digest(line).substr(7); }

// Three chained lines; returns the file's text and its head.
std::pair<std::string, std::string> chained_log() {
    std::string text, prev(64, '0');
    for (int seq = 1; seq <= 3; ++seq) {
        const std::string line = change_line(seq, "W" + std::to_string(seq), "2026-11-29T04:56:0" + std::to_string(seq) + "Z", prev);
        text += line + "\n";
        prev = hex_sha256(line);
    }
    return {text, prev};
}

} // namespace

TEST_SUITE("status files") {

TEST_CASE("a missing state directory or status.json is no snapshot yet") {
    ScratchDir dir;
    auto absent = read_status_files(dir / "absent");
    REQUIRE(absent);
    CHECK_FALSE(absent->has_value());
    auto empty = read_status_files(dir.path());
    REQUIRE(empty);
    CHECK_FALSE(empty->has_value());
}

TEST_CASE("a status.json that does not parse is an error naming the file, line and column") {
    ScratchDir dir;
    dir.write("status.json", "{\"formatVersion\": 2,\n  \"outcome\": converged}\n");
    auto read = read_status_files(dir.path());
    REQUIRE_FALSE(read);
    CHECK(read.error().describe() == (dir / "status.json").string() + ":2:14: error: not valid JSON: syntax error");
}

TEST_CASE("a status.json from a newer hookwarden is refused, not misread") {
    ScratchDir dir;
    dir.write("status.json", R"({"formatVersion": 3, "outcome": "converged", "end": "2026-11-29T04:56:06Z"})");
    auto read = read_status_files(dir.path());
    REQUIRE_FALSE(read);
    CHECK(read.error().message.find("written by a newer hookwarden") != std::string::npos);
}

TEST_CASE("rows join the last cycle, state.json, health.json, changes.jsonl and audit/") {
    ScratchDir dir;
    dir.write("status.json", converged_status);
    dir.write("state.json", R"({"formatVersion": 1, "webhooks": {"Monitor": {"id": "id-m"}, "Old": {"id": "id-o"}}})");
    dir.write("health.json", R"({"formatVersion": 1, "takenAt": "2026-11-29T04:56:06.200Z", "webhooks": [)"
                             R"({"kind": "webhook", "id": "id-m", "name": "Monitor", "status": "degraded",)"
                             R"( "successCount": 8, "failureCount": 2, "failureRate": 0.2},)"
                             R"({"kind": "webhook", "id": "id-o", "name": "Old", "status": "unknown",)"
                             R"( "successCount": 0, "failureCount": 0, "failureRate": null}]})");
    dir.write("changes.jsonl", change_line(1, "Monitor", "2026-11-29T04:56:05.500Z", std::string(64, '0')) + "\n" +
                                   change_line(2, "Gone", "2026-11-29T04:56:05.600Z", "x") + "\n");
    // Oldest first: the last line is the newest; an older one says who too.
    dir.write("audit/id-o.jsonl", R"({"id": "e1", "timestamp": "2026-11-01T00:00:00Z", "user": {"name": "A"}})" "\n"
                                  R"({"id": "e2", "timestamp": "2026-11-02T01:00:00+01:00", "action": "update", "user": {"name": "Jane Doe"}})" "\n");
    dir.write("audit/id-m.jsonl", R"({"id": "e3", "timestamp": "2026-11-29T04:56:05.400Z", "user": {"name": "B"}})" "\n");

    auto read = read_status_files(dir.path());
    REQUIRE(read);
    REQUIRE(read->has_value());
    const StatusFiles& files = **read;
    CHECK(files.read_errors.empty());
    CHECK(files.source == "apply");
    CHECK(files.change_log == std::pair<std::size_t, std::string>{2, "abc"});
    REQUIRE(files.rows.size() == 2); // "Gone" is only in changes.jsonl: no row
    const StatusRow& monitor = files.rows[0];
    CHECK(monitor.name == "Monitor");
    CHECK(monitor.state == "created");
    CHECK(monitor.owned);
    CHECK(monitor.health == "degraded");
    CHECK(monitor.failure_rate == doctest::Approx(0.2));
    REQUIRE(monitor.last_change);
    CHECK(monitor.last_change->source == "changes"); // 05.500 is newer than the audit entry's 05.400
    const StatusRow& old = files.rows[1];
    CHECK(old.state.empty());
    CHECK_FALSE(old.failure_rate);
    REQUIRE(old.last_change);
    CHECK(old.last_change->by == "Jane Doe");
    CHECK(old.last_change->time == parse_rfc3339_time("2026-11-02T00:00:00Z"));
}

TEST_CASE("a trigger is its own row beside a webhook of the same name; a replace shows as replaced") {
    ScratchDir dir;
    dir.write("status.json",
              R"({"formatVersion": 2, "source": "daemon", "cycleId": "c-2", "start": "2026-11-29T04:56:05.000Z",)"
              R"( "end": "2026-11-29T04:56:06.000Z", "outcome": "converged", "counts": {},)"
              R"( "webhooks": [{"kind": "webhook", "name": "Shared", "action": "unchanged", "result": "unchanged", "id": "w-1"},)"
              R"( {"kind": "trigger", "name": "Shared", "action": "replace", "result": "done", "id": "t-2"}]})");
    dir.write("state.json", R"({"formatVersion": 2, "webhooks": {"Shared": {"id": "w-1"}},)"
                            R"( "triggers": {"Shared": {"id": "t-2"}, "Kept": {"id": "t-3"}}})");
    auto read = read_status_files(dir.path());
    REQUIRE(read);
    REQUIRE(read->has_value());
    const auto& rows = (*read)->rows;
    REQUIRE(rows.size() == 3);
    std::map<std::pair<std::string, std::string>, const StatusRow*> by_key;
    for (const auto& row : rows)
        by_key[{row.kind, row.name}] = &row;
    REQUIRE(by_key.contains({"trigger", "Shared"}));
    CHECK(by_key.at({"trigger", "Shared"})->state == "replaced");
    CHECK(by_key.at({"trigger", "Shared"})->id == "t-2");
    CHECK(by_key.at({"webhook", "Shared"})->state == "unchanged");
    REQUIRE(by_key.contains({"trigger", "Kept"}));
    CHECK(by_key.at({"trigger", "Kept"})->owned);
}

TEST_CASE("status.json's rotations are read by name with their end; a malformed one is skipped") {
    ScratchDir dir;
    std::string status = converged_status;
    status.insert(status.size() - 1, R"(, "rotations": [{"name": "Monitor", "until": "2026-11-29T05:01:06Z"},)"
                                     R"( {"name": "Broken", "until": "soon"}, {"until": "2026-11-29T05:01:06Z"}])");
    dir.write("status.json", status);
    auto read = read_status_files(dir.path());
    REQUIRE(read);
    REQUIRE(read->has_value());
    CHECK((*read)->rotations == std::vector<std::pair<std::string, SystemTime>>{
                                    {"Monitor", *parse_rfc3339_time("2026-11-29T05:01:06Z")}});

    dir.write("status.json", converged_status); // written before rotations existed
    read = read_status_files(dir.path());
    REQUIRE(read);
    CHECK((*read)->rotations.empty());
}

TEST_CASE("a broken file besides status.json is reported and the rest is shown") {
    ScratchDir dir;
    dir.write("status.json", converged_status);
    dir.write("health.json", "{\"webhooks\": [\n");
    dir.write("changes.jsonl", "not json\n");
    auto read = read_status_files(dir.path());
    REQUIRE(read);
    REQUIRE(read->has_value());
    const auto& errors = (*read)->read_errors;
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].describe().starts_with((dir / "health.json").string() + ":2:1: error: not valid JSON"));
    CHECK(errors[1].describe().starts_with((dir / "changes.jsonl").string() + ":1: error:"));
    CHECK((*read)->rows.size() == 1);
}

TEST_CASE("--verify: an intact chain, its recorded head, and later lines are fine") {
    ScratchDir dir;
    const auto [text, head] = chained_log();
    dir.write("changes.jsonl", text);
    auto without_record = verify_changes(dir.path(), std::nullopt);
    REQUIRE(without_record);
    CHECK(without_record->ok);
    CHECK(without_record->line == "change log: 3 lines, chain intact");
    auto recorded = verify_changes(dir.path(), std::pair<std::size_t, std::string>{3, head});
    REQUIRE(recorded);
    CHECK(recorded->ok);
    CHECK(recorded->json.at("head").as_string() == head);
    const auto second = text.substr(text.find('\n') + 1, text.find('\n', text.find('\n') + 1) - text.find('\n') - 1);
    auto appended_since = verify_changes(dir.path(), std::pair<std::size_t, std::string>{2, hex_sha256(second)});
    REQUIRE(appended_since);
    CHECK(appended_since->ok);
}

TEST_CASE("--verify: no change log yet is an empty, intact chain") {
    ScratchDir dir;
    auto verdict = verify_changes(dir.path(), std::nullopt);
    REQUIRE(verdict);
    CHECK(verdict->ok);
    CHECK(verdict->line == "change log: 0 lines, chain intact");
}

TEST_CASE("--verify: one edited byte is found on the line that was edited") {
    ScratchDir dir;
    auto [text, head] = chained_log();
    text[text.find("W2")] = 'X';
    dir.write("changes.jsonl", text);
    auto verdict = verify_changes(dir.path(), std::pair<std::size_t, std::string>{3, head});
    REQUIRE(verdict);
    CHECK_FALSE(verdict->ok);
    INFO(verdict->line);
    CHECK(verdict->line.starts_with("change log: " + (dir.path() / "changes.jsonl").string() + ":2: "));
    CHECK(verdict->json.at("firstBadLine") == 2);
}

TEST_CASE("--verify: a removed last line is caught by status.json's record") {
    ScratchDir dir;
    const auto [text, head] = chained_log();
    const std::string two_lines = text.substr(0, text.rfind('\n', text.size() - 2) + 1);
    dir.write("changes.jsonl", two_lines);
    auto unrecorded = verify_changes(dir.path(), std::nullopt);
    REQUIRE(unrecorded);
    CHECK(unrecorded->ok); // the chain alone cannot tell
    auto verdict = verify_changes(dir.path(), std::pair<std::size_t, std::string>{3, head});
    REQUIRE(verdict);
    CHECK_FALSE(verdict->ok);
    INFO(verdict->line);
    CHECK(verdict->line.starts_with("change log: " + (dir.path() / "changes.jsonl").string()));
    CHECK(verdict->json.at("firstBadLine") == 3);
}

TEST_CASE("--verify: a line that is not JSON, or a skipped seq, is the first bad line") {
    ScratchDir dir;
    auto [text, head] = chained_log();
    dir.write("changes.jsonl", text + "oops\n");
    auto not_json = verify_changes(dir.path(), std::nullopt);
    REQUIRE(not_json);
    const std::string fourth = "change log: " + (dir.path() / "changes.jsonl").string() + ":4: ";
    CHECK(not_json->line.starts_with(fourth));
    dir.write("changes.jsonl", text + change_line(5, "W5", "2026-11-29T04:56:09Z", head) + "\n");
    auto skipped = verify_changes(dir.path(), std::nullopt);
    REQUIRE(skipped);
    CHECK(skipped->line.starts_with(fourth));
}

}
