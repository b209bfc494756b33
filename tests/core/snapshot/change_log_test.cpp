// changes.jsonl: the line format, the hash chain, and what verify catches.
#include "tests/support/doctest_result.hpp"
#include "tests/support/scratch_dir.hpp"

#include "core/atomic_file.hpp"
#include "core/sha256.hpp"
#include "core/snapshot/change_log.hpp"

#include <boost/json.hpp>

#include <sys/stat.h>

namespace hookwarden {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const std::chrono::system_clock::time_point new_year{1'767'225'600'000ms}; // 2026-01-01T00:00:00Z

ChangeRecord record(const std::string& name, const std::string& action = "update") {
    return {.cycle_id = "c1", .time = new_year, .action = action, .kind = "webhook", .name = name, .id = "id-" + name,
            .changed_fields = {"endpointUrl", "secret"}, .manifest_revision = std::string(40, 'c'),
            .plan_digest = std::string(64, 'p')};
}

std::vector<std::string> file_lines(const testing::ScratchDir& dir) {
    const auto text = read_file_if_exists(dir / "changes.jsonl");
    REQUIRE(text);
    REQUIRE(text->has_value());
    std::vector<std::string> lines;
    std::string_view rest = **text;
    while (!rest.empty()) {
        const auto newline = rest.find('\n');
        lines.emplace_back(rest.substr(0, newline));
        rest.remove_prefix(newline + 1);
    }
    return lines;
}

void rewrite(const testing::ScratchDir& dir, const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines)
        text += line + "\n";
    dir.write("changes.jsonl", text);
}

/// Five lines, and the head status.json would record.
ChangeLogHead five_lines(const testing::ScratchDir& dir) {
    auto head = append_changes(dir.path(), {record("A"), record("B", "create")});
    REQUIRE(head);
    head = append_changes(dir.path(), {record("C"), record("D", "adopt"), record("E", "delete")});
    REQUIRE(head);
    return *head;
}

TEST_CASE("a change line has the format's keys in order, and prev chains the lines from 64 zeros") {
    testing::ScratchDir dir;
    const auto head = append_changes(dir.path(), {record("A"), record("B")});
    REQUIRE(head);
    const auto lines = file_lines(dir);
    REQUIRE(lines.size() == 2);
    CHECK(head->lines == 2);
    CHECK(head->head == sha256_hex(lines[1]));
    CHECK(lines[0] == "{\"seq\":1,\"cycleId\":\"c1\",\"time\":\"2026-01-01T00:00:00.000Z\",\"action\":\"update\","
                      "\"kind\":\"webhook\",\"name\":\"A\",\"id\":\"id-A\",\"changedFields\":[\"endpointUrl\",\"secret\"],"
                      "\"manifestRevision\":\"" + std::string(40, 'c') + "\",\"planDigest\":\"" +
                          std::string(64, 'p') + "\",\"prev\":\"" + std::string(64, '0') + "\"}");
    const auto second = json::parse(lines[1]).as_object();
    CHECK(second.at("seq") == 2);
    CHECK(second.at("prev").as_string() == sha256_hex(lines[0]));

    struct stat st {};
    REQUIRE(::stat((dir / "changes.jsonl").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);

    // Nothing to append: no write, the same head.
    const auto same = append_changes(dir.path(), {});
    REQUIRE(same);
    CHECK(*same == *head);
    const auto check = verify_change_log(dir.path(), *head);
    REQUIRE(check);
    CHECK(check->ok);
    CHECK(check->lines == 2);
    CHECK(check->first_bad_line == 0);
    CHECK(check->head == *head);
}

TEST_CASE("verify names the line whose byte was edited") {
    testing::ScratchDir dir;
    const auto head = five_lines(dir);
    for (std::size_t edited = 0; edited < 5; ++edited) {
        auto lines = file_lines(dir);
        const auto at = lines[edited].find("id-");
        lines[edited][at + 3] = 'X';
        rewrite(dir, lines);
        const auto check = verify_change_log(dir.path(), head);
        REQUIRE(check);
        INFO(check->reason);
        CHECK_FALSE(check->ok);
        CHECK(check->first_bad_line == edited + 1);
        CHECK(check->reason.find("changes.jsonl:" + std::to_string(edited + 1) + ":") != std::string::npos);
        lines[edited][at + 3] = "ABCDE"[edited];
        rewrite(dir, lines);
    }
    const auto clean = verify_change_log(dir.path(), head);
    REQUIRE(clean);
    CHECK(clean->ok);
}

TEST_CASE("verify names the line whose prev was edited") {
    testing::ScratchDir dir;
    const auto head = five_lines(dir);
    auto lines = file_lines(dir);
    const auto at = lines[2].find("\"prev\":\"") + 8;
    lines[2][at] = lines[2][at] == 'a' ? 'b' : 'a';
    rewrite(dir, lines);
    const auto check = verify_change_log(dir.path(), head);
    REQUIRE(check);
    CHECK(check->first_bad_line == 3);
}

TEST_CASE("verify catches a deleted, a reordered, a non-JSON and a removed last line") {
    testing::ScratchDir dir;
    const auto head = five_lines(dir);
    const auto original = file_lines(dir);

    auto lines = original;
    lines.erase(lines.begin() + 1);
    rewrite(dir, lines);
    auto check = verify_change_log(dir.path(), head);
    REQUIRE(check);
    CHECK_FALSE(check->ok);
    CHECK(check->first_bad_line == 2);

    lines = original;
    std::swap(lines[2], lines[3]);
    rewrite(dir, lines);
    check = verify_change_log(dir.path(), head);
    REQUIRE(check);
    CHECK(check->first_bad_line == 3);

    lines = original;
    lines[3] = "not json";
    rewrite(dir, lines);
    check = verify_change_log(dir.path(), head);
    REQUIRE(check);
    CHECK(check->first_bad_line == 4);
    CHECK(check->reason.find("not a JSON object") != std::string::npos);

    // The chain alone cannot see it; the head status.json recorded does.
    lines = original;
    lines.pop_back();
    rewrite(dir, lines);
    check = verify_change_log(dir.path(), std::nullopt);
    REQUIRE(check);
    CHECK(check->ok);
    check = verify_change_log(dir.path(), head);
    REQUIRE(check);
    CHECK_FALSE(check->ok);
    CHECK(check->first_bad_line == 5);
    CHECK(check->reason.find("removed") != std::string::npos);

    // More lines than recorded: the log was written, status.json not yet.
    rewrite(dir, original);
    check = verify_change_log(dir.path(), ChangeLogHead{.lines = 3, .head = sha256_hex(original[2])});
    REQUIRE(check);
    CHECK(check->ok);
    CHECK(check->lines == 5);
}

TEST_CASE("an absent change log is empty; one that is recorded but gone is not") {
    testing::ScratchDir dir;
    auto check = verify_change_log(dir.path(), std::nullopt);
    REQUIRE(check);
    CHECK(check->ok);
    CHECK(check->lines == 0);
    check = verify_change_log(dir.path(), ChangeLogHead{.lines = 2, .head = std::string(64, '1')});
    REQUIRE(check);
    CHECK_FALSE(check->ok);
    CHECK(check->first_bad_line == 1);
}

TEST_CASE("change records: one per confirmed write, field names only, delete for remove") {
    auto item = [](std::string name, PlanAction action, ItemOutcome outcome) {
        ItemResult r;
        r.name = std::move(name);
        r.action = action;
        r.outcome = outcome;
        r.id = "id-" + r.name;
        return r;
    };
    CycleResult result;
    result.items = {item("made", PlanAction::create, ItemOutcome::done),
                    item("changed", PlanAction::update, ItemOutcome::done),
                    item("taken", PlanAction::adopt, ItemOutcome::done),
                    item("gone", PlanAction::remove, ItemOutcome::done),
                    item("same", PlanAction::unchanged, ItemOutcome::unchanged),
                    item("kept", PlanAction::retain, ItemOutcome::retained),
                    item("broken", PlanAction::update, ItemOutcome::failed),
                    item("waiting", PlanAction::create, ItemOutcome::deferred),
                    item("refused", PlanAction::conflict, ItemOutcome::refused)};
    result.items[1].changes = {
        FieldChange{.field = "secret", .old_value = {}, .new_value = json::value("hunter2"), .sensitive = true},
        FieldChange{.field = "enabled", .old_value = json::value(true), .new_value = json::value(false), .sensitive = false}};
    const ChangeContext ctx{.cycle_id = "c9", .time = new_year, .manifest_revision = "rev", .plan_digest = "plan"};
    const auto records = change_records(result, ctx);
    REQUIRE(records.size() == 4);
    CHECK(records[0].action == "create");
    CHECK(records[1].action == "update");
    CHECK(records[2].action == "adopt");
    CHECK(records[3].action == "delete");
    CHECK(records[1].changed_fields == std::vector<std::string>{"secret", "enabled"});
    CHECK(records[2].changed_fields.empty()); // taking ownership is recorded even with nothing sent
    CHECK(records[3].name == "gone");
    CHECK(records[3].id == "id-gone");
    CHECK(records[0].cycle_id == "c9");
    CHECK(records[0].time == new_year);
    CHECK(records[0].manifest_revision == "rev");
    CHECK(records[0].plan_digest == "plan");
    CHECK(records[0].kind == "webhook");

    testing::ScratchDir dir;
    REQUIRE(append_changes(dir.path(), records));
    const auto text = read_file_if_exists(dir / "changes.jsonl");
    REQUIRE(text);
    CHECK((*text)->find("hunter2") == std::string::npos);
}

} // namespace
} // namespace hookwarden
