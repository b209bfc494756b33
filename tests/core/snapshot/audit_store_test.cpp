// audit/ID.jsonl and audit/cursor.json: incremental, never doubled, never
// lost, across a restart and a crash between a file's rewrite and the cursor.
#include "tests/support/doctest_result.hpp"
#include "tests/support/scratch_dir.hpp"

#include "core/atomic_file.hpp"
#include "core/snapshot/audit_store.hpp"
#include "core/snapshot/status_file.hpp"

#include <boost/json.hpp>

#include <sys/stat.h>

namespace hookwarden {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::chrono::system_clock::time_point t0{1'767'225'600'000ms};

AuditEntry entry(const std::string& id, const std::string& webhook, std::chrono::seconds after) {
    const std::string timestamp = format_rfc3339(t0 + after);
    json::object raw{{"id", id}, {"action", "update"}, {"entityId", webhook}, {"timestamp", timestamp},
                     {"user", json::object{{"name", "Ann \"the admin\""}}}};
    return {.id = id, .action = "update", .entity_id = webhook, .timestamp = timestamp, .raw = raw};
}

std::string read(const fs::path& file) {
    const auto text = read_file_if_exists(file);
    REQUIRE(text);
    REQUIRE(text->has_value());
    return **text;
}

std::string lines_of(const std::vector<AuditEntry>& entries) {
    std::string text;
    for (const auto& e : entries)
        text += json::serialize(e.raw) + "\n";
    return text;
}

TEST_CASE("audit entries go to their webhook's file as the tenant gave them, and the cursor to the newest") {
    testing::ScratchDir dir;
    AuditStore store(dir.path());
    const auto first = store.query_interval(t0 + 1h, 24h);
    REQUIRE(first);
    CHECK(*first == "2025-12-31T01:00:00.000Z/2026-01-01T01:00:00.000Z");

    const auto a1 = entry("e1", "wh-a", 1s), b1 = entry("e2", "wh-b", 2s), a2 = entry("e3", "wh-a", 3s),
               b2 = entry("e4", "wh-b", 3s);
    const auto stored = store.store({a1, b1, a2, b2});
    REQUIRE(stored);
    CHECK(*stored == 4);
    CHECK(store.problems().empty());
    CHECK(read(dir / "audit" / "wh-a.jsonl") == lines_of({a1, a2}));
    CHECK(read(dir / "audit" / "wh-b.jsonl") == lines_of({b1, b2}));
    const auto cursor = json::parse(read(dir / "audit" / "cursor.json")).as_object();
    CHECK(cursor == json::object{{"formatVersion", 1},
                                 {"since", "2026-01-01T00:00:03.000Z"},
                                 {"idsAtSince", json::array{"e3", "e4"}}});
    const auto next = store.query_interval(t0 + 2h, 24h);
    REQUIRE(next);
    CHECK(*next == "2026-01-01T00:00:03.000Z/2026-01-01T02:00:00.000Z");

    struct stat st {};
    REQUIRE(::stat((dir / "audit" / "wh-a.jsonl").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
    REQUIRE(::stat((dir / "audit" / "cursor.json").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
}

TEST_CASE("a restarted store appends only what is new, also at the cursor's own timestamp") {
    testing::ScratchDir dir;
    const auto a1 = entry("e1", "wh-a", 1s), a2 = entry("e2", "wh-a", 5s);
    REQUIRE(AuditStore(dir.path()).store({a1, a2}));

    // The next query starts at `since` inclusive: e2 comes again, with a
    // newcomer of the same second and a later one.
    const auto a3 = entry("e3", "wh-a", 5s), a4 = entry("e4", "wh-a", 9s);
    AuditStore restarted(dir.path());
    const auto stored = restarted.store({a2, a3, a4});
    REQUIRE(stored);
    CHECK(*stored == 2);
    CHECK(read(dir / "audit" / "wh-a.jsonl") == lines_of({a1, a2, a3, a4}));

    // The same answer once more: nothing.
    const auto again = AuditStore(dir.path()).store({a2, a3, a4});
    REQUIRE(again);
    CHECK(*again == 0);
    CHECK(read(dir / "audit" / "wh-a.jsonl") == lines_of({a1, a2, a3, a4}));
}

TEST_CASE("a crash between a file's rewrite and the cursor's loses and doubles nothing") {
    testing::ScratchDir dir;
    const auto a1 = entry("e1", "wh-a", 1s), b1 = entry("e2", "wh-b", 1s);
    REQUIRE(AuditStore(dir.path()).store({a1, b1}));
    const std::string cursor_before = read(dir / "audit" / "cursor.json");

    // The crash: the new entries reached the files, the cursor was not written.
    const auto a2 = entry("e3", "wh-a", 4s), b2 = entry("e4", "wh-b", 6s), c1 = entry("e5", "wh-c", 6s);
    REQUIRE(AuditStore(dir.path()).store({a2}));
    dir.write("audit/cursor.json", cursor_before);

    // After the restart the tenant answers from the old cursor: every entry
    // since then, the stored ones included.
    AuditStore restarted(dir.path());
    const auto stored = restarted.store({a1, b1, a2, b2, c1});
    REQUIRE(stored);
    CHECK(*stored == 2);
    CHECK(read(dir / "audit" / "wh-a.jsonl") == lines_of({a1, a2}));
    CHECK(read(dir / "audit" / "wh-b.jsonl") == lines_of({b1, b2}));
    CHECK(read(dir / "audit" / "wh-c.jsonl") == lines_of({c1}));
    CHECK(json::parse(read(dir / "audit" / "cursor.json")).at("since") == "2026-01-01T00:00:06.000Z");
}

TEST_CASE("entries that can never be stored are reported and skipped; a file that does not parse holds its entries") {
    testing::ScratchDir dir;
    AuditEntry no_id = entry("", "wh-a", 1s);
    AuditEntry no_entity = entry("e2", "", 1s);
    AuditStore store(dir.path());
    const auto stored = store.store({no_id, no_entity, entry("e3", "../escape", 1s), entry("e4", "..", 1s),
                                     entry("e5", "a/b", 1s), entry("e6", "wh-a", 2s)});
    REQUIRE(stored);
    CHECK(*stored == 1);
    REQUIRE(store.problems().size() == 5);
    CHECK(store.problems()[0].find("without an id") != std::string::npos);
    CHECK(store.problems()[1].find("without an entity id") != std::string::npos);
    CHECK(store.problems()[2].find("'../escape' cannot be a file name") != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "escape.jsonl"));
    CHECK_FALSE(fs::exists(dir / "audit" / "...jsonl"));

    // A damaged file is reported, left as it is, and its new entries are
    // fetched again (the cursor stays before them) until it is repaired.
    dir.write("audit/wh-b.jsonl", "{\"id\":\"old\"}\nnot json\n");
    const auto b1 = entry("e7", "wh-b", 5s), a2 = entry("e8", "wh-a", 7s);
    const auto held = store.store({b1, a2});
    REQUIRE(held);
    CHECK(*held == 1);
    REQUIRE(store.problems().size() == 1);
    CHECK(store.problems()[0].find("wh-b.jsonl:2:") != std::string::npos);
    CHECK(read(dir / "audit" / "wh-b.jsonl") == "{\"id\":\"old\"}\nnot json\n");
    const auto interval = store.query_interval(t0 + 1h, 24h);
    REQUIRE(interval);
    CHECK(interval->starts_with("2026-01-01T00:00:05.000Z/"));

    dir.write("audit/wh-b.jsonl", "{\"id\":\"old\"}\n");
    const auto repaired = store.store({b1, a2});
    REQUIRE(repaired);
    CHECK(*repaired == 1);
    CHECK(read(dir / "audit" / "wh-b.jsonl") == "{\"id\":\"old\"}\n" + lines_of({b1}));
    CHECK(read(dir / "audit" / "wh-a.jsonl") == lines_of({entry("e6", "wh-a", 2s), a2}));
}

TEST_CASE("a cursor that does not parse is an error naming it") {
    testing::ScratchDir dir;
    dir.write("audit/cursor.json", "{\"formatVersion\": 1, \"since\": 12}");
    const auto interval = AuditStore(dir.path()).query_interval(t0, 24h);
    REQUIRE_FALSE(interval);
    CHECK(interval.error().message.find("cursor.json is not a valid audit cursor") != std::string::npos);
}

} // namespace
} // namespace hookwarden
