// status.json, format version 2, field by field.
#include "tests/support/doctest_result.hpp"
#include "tests/support/scratch_dir.hpp"

#include "core/atomic_file.hpp"
#include "core/snapshot/status_file.hpp"

#include <boost/json.hpp>

#include <sys/stat.h>

namespace hookwarden {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

std::chrono::system_clock::time_point at(std::chrono::milliseconds since_epoch) {
    return std::chrono::system_clock::time_point{since_epoch};
}

CycleReport converged_report() {
    CycleReport r;
    r.cycle_id = "0a1b2c3d";
    r.started = at(1'767'225'600'000ms);
    r.finished = r.started + 1234ms;
    r.source = "apply";
    r.hookwarden_version = "0.9.0";
    r.manifest_revision = {.kind = "git", .value = std::string(40, 'c'), .ref = "refs/heads/main"};
    r.change_log = {.lines = 12, .head = std::string(64, 'f')};
    r.result = CycleResult{};
    ItemResult created;
    created.name = "Monitor";
    created.action = PlanAction::create;
    created.outcome = ItemOutcome::done;
    created.id = "wh-1";
    created.changes = {FieldChange{.field = "endpointUrl", .old_value = {}, .new_value = json::value("https://x"), .sensitive = false},
                       FieldChange{.field = "secret", .old_value = {}, .new_value = {}, .sensitive = true}};
    ItemResult same;
    same.name = "Quiet";
    same.action = PlanAction::unchanged;
    same.outcome = ItemOutcome::unchanged;
    r.result->items = {created, same};
    r.result->counts.created = 1;
    r.result->counts.unchanged = 1;
    return r;
}

TEST_CASE("format_rfc3339 writes times before 1970 with their fraction, not a negative one") {
    // Found by tests/fuzz/event_transform_fuzz (`transform --received-at
    // 1969-12-31T23:59:58.5Z` printed "…23:59:59.-500Z").
    CHECK(format_rfc3339(at(-1500ms)) == "1969-12-31T23:59:58.500Z");
    CHECK(format_rfc3339(at(-1ms)) == "1969-12-31T23:59:59.999Z");
    CHECK(format_rfc3339(std::chrono::system_clock::time_point{std::chrono::microseconds(-500)}) ==
          "1969-12-31T23:59:59.999Z");
    CHECK(format_rfc3339(at(1'767'225'600'123ms)) == "2026-01-01T00:00:00.123Z");
}

TEST_CASE("status.json v2 holds every field of the format, keys in its order") {
    const json::object o = status_json(converged_report());
    std::vector<std::string> keys;
    for (const auto& kv : o)
        keys.emplace_back(kv.key());
    CHECK(keys == std::vector<std::string>{"formatVersion", "hookwardenVersion", "source", "cycleId", "start",
                                           "end", "durationSeconds", "outcome", "manifestRevision",
                                           "manifestErrors", "counts", "countsByKind", "webhooks", "rotations", "changeLog",
                                           "snapshotErrors"});
    CHECK(o.at("formatVersion") == 2);
    CHECK(o.at("hookwardenVersion") == "0.9.0");
    CHECK(o.at("source") == "apply");
    CHECK(o.at("cycleId") == "0a1b2c3d");
    CHECK(o.at("start") == "2026-01-01T00:00:00.000Z");
    CHECK(o.at("end") == "2026-01-01T00:00:01.234Z");
    CHECK(o.at("durationSeconds").as_double() == doctest::Approx(1.234));
    CHECK(o.at("outcome") == "converged");
    CHECK(o.at("manifestRevision") ==
          json::object{{"kind", "git"}, {"commit", std::string(40, 'c')}, {"ref", "refs/heads/main"}});
    CHECK(o.at("manifestErrors") == 0);
    CHECK(o.at("changeLog") == json::object{{"lines", 12}, {"head", std::string(64, 'f')}});
    CHECK(o.at("snapshotErrors") == json::array{});
    CHECK(o.at("rotations") == json::array{});

    const auto& webhooks = o.at("webhooks").as_array();
    REQUIRE(webhooks.size() == 2);
    CHECK(webhooks[0] == json::object{{"kind", "webhook"},
                                      {"name", "Monitor"},
                                      {"action", "create"},
                                      {"result", "done"},
                                      {"id", "wh-1"},
                                      {"changedFields", json::array{"endpointUrl", "secret"}}});
    CHECK(webhooks[1] ==
          json::object{{"kind", "webhook"}, {"name", "Quiet"}, {"action", "unchanged"}, {"result", "unchanged"}});
}

TEST_CASE("status.json: a detached HEAD has no ref, a digest its sha256, and the optional fields when they apply") {
    CycleReport r = converged_report();
    r.manifest_revision = {.kind = "git", .value = std::string(40, 'd'), .ref = {}};
    r.next_run = r.finished + 60s;
    r.snapshot_errors = {{"health.json", "cannot write: No space left on device"}};
    r.result->prune_blocked_reason = "a manifest failed to load";
    r.result->items[0].error = make_error(ErrorKind::tenant, "refused", {.http_status = 400, .correlation_id = "c-1"});
    json::object o = status_json(r);
    CHECK(o.at("manifestRevision") == json::object{{"kind", "git"}, {"commit", std::string(40, 'd')}});
    CHECK(o.at("nextRun") == "2026-01-01T00:01:01.234Z");
    CHECK(o.at("pruneBlocked") == "a manifest failed to load");
    CHECK(o.at("snapshotErrors") ==
          json::array{json::object{{"file", "health.json"}, {"message", "cannot write: No space left on device"}}});
    const auto& error = o.at("webhooks").as_array()[0].as_object().at("error").as_object();
    CHECK(error.at("kind") == "tenant");
    CHECK(error.at("httpStatus") == 400);
    CHECK(error.at("correlationId") == "c-1");

    r.manifest_revision = {.kind = "digest", .value = std::string(64, 'e'), .ref = {}};
    o = status_json(r);
    CHECK(o.at("manifestRevision") == json::object{{"kind", "digest"}, {"sha256", std::string(64, 'e')}});

    CycleReport unreachable;
    unreachable.error = make_error(ErrorKind::transport, "connection refused");
    o = status_json(unreachable);
    CHECK(o.at("outcome") == "unreachable");
    CHECK(o.at("error").as_object().at("kind") == "transport");
    CHECK(o.at("webhooks") == json::array{});
    CHECK_FALSE(o.contains("manifestRevision"));
}

TEST_CASE("status.json lists the secret rotations in progress by name with their end") {
    CycleReport r = converged_report();
    const std::chrono::sys_seconds until = std::chrono::sys_days(std::chrono::year{2026} / 12 / 2) + 16h;
    r.rotations = {{"Monitor", until}, {"Queue", until + 90s}};
    const json::object o = status_json(r);
    CHECK(o.at("rotations") == json::array{json::object{{"name", "Monitor"}, {"until", "2026-12-02T16:00:00Z"}},
                                           json::object{{"name", "Queue"}, {"until", "2026-12-02T16:01:30Z"}}});
}

TEST_CASE("status.json is written whole, mode 0640") {
    testing::ScratchDir dir;
    REQUIRE(write_status_snapshot(dir.path(), converged_report()));
    struct stat st {};
    REQUIRE(::stat((dir / "status.json").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
    const auto text = read_file_if_exists(dir / "status.json");
    REQUIRE(text);
    REQUIRE(text->has_value());
    CHECK((*text)->back() == '\n');
    CHECK(json::parse(**text).as_object() == status_json(converged_report()));
}

} // namespace
} // namespace hookwarden
