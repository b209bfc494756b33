// How `hookwarden status` shows what the snapshot files say: header, table
// and JSON, at a given "now" (daemon/cli/status_render.hpp).
#include "daemon/cli/status_render.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

using namespace hookwarden;
using namespace std::chrono_literals;

namespace {

SystemTime at(const char* text) { return parse_rfc3339_time(text).value(); }

const SystemTime now = at("2026-11-29T12:00:00Z");

StatusFiles failed_cycle() {
    StatusFiles files;
    files.state_dir = "/var/lib/hookwarden";
    files.format_version = 2;
    files.cycle_id = "c-42";
    files.source = "daemon";
    files.outcome = "failed";
    files.start = at("2026-11-29T11:58:58Z");
    files.end = at("2026-11-29T11:59:00Z");
    files.duration_seconds = 2.0;
    files.next_run = at("2026-11-29T12:00:30Z");
    files.manifest_revision = ManifestRevisionText{"git", "1a2b3c4d5e6f708192a3b4c5d6e7f80912345678", "refs/heads/main"};
    files.counts = {{"created", 0}, {"unchanged", 1}, {"failed", 1}};
    files.prune_blocked = "12 deletions exceed maxDeletesPerCycle (10)";
    files.snapshot_errors = {{"health.json", "disk full"}};
    StatusRow feed{.name = "AgentStatusFeed", .id = "id-a", .owned = true, .state = "failed",
                   .last_error = "the tenant refused it\n(HTTP 400)", .health = "failing"};
    feed.failure_rate = 1.0;
    feed.last_change = LastChange{at("2026-11-29T09:00:00Z"), "audit", "update", "Jane Doe"};
    StatusRow monitor{.name = "Monitor", .id = "id-m", .owned = true, .state = "unchanged", .health = "healthy"};
    monitor.failure_rate = 0.125;
    monitor.last_change = LastChange{at("2026-11-27T12:00:00Z"), "changes", "create", ""};
    files.rows = {feed, monitor};
    return files;
}

} // namespace

TEST_SUITE("status rendering") {

TEST_CASE("the text shows the last cycle, then one aligned line per webhook") {
    CHECK(render_status_text(failed_cycle(), now) ==
          "Last cycle  c-42 (daemon) failed\n"
          "Ended       2026-11-29T11:59:00.000Z (1m ago), took 2.000s\n"
          "Next run    2026-11-29T12:00:30.000Z (in 30s)\n"
          "Manifests   git 1a2b3c4 on refs/heads/main\n"
          "Items       1 unchanged, 1 failed\n"
          "Prune       blocked: 12 deletions exceed maxDeletesPerCycle (10)\n"
          "Snapshots   health.json: disk full\n"
          "\n"
          "NAME             KIND     STATE      LAST CHANGE           HEALTH   FAIL RATE  LAST ERROR\n"
          "AgentStatusFeed  webhook  failed     3h ago by Jane Doe    failing  100.0%     the tenant refused it (HTTP 400)\n"
          "Monitor          webhook  unchanged  2d ago by hookwarden  healthy  12.5%      -\n");
}

TEST_CASE("a digest revision, manifest errors and an unreachable tenant are in the header") {
    StatusFiles files = failed_cycle();
    files.outcome = "unreachable";
    files.manifest_revision = ManifestRevisionText{"digest", std::string(64, 'e'), ""};
    files.manifest_errors = 2;
    files.cycle_error = "tenant unreachable: connection refused";
    files.prune_blocked.clear();
    files.snapshot_errors.clear();
    const std::string text = render_status_text(files, now);
    CHECK(text.find("Manifests   digest sha256:eeeeeeeeeeee, 2 manifest errors\n") != std::string::npos);
    CHECK(text.find("Error       tenant unreachable: connection refused\n") != std::string::npos);
    CHECK(text.find("Prune") == std::string::npos);
}

TEST_CASE("the last error is cut to the terminal's width, never below 16 characters") {
    const auto rows = failed_cycle().rows;
    const std::string wide = render_status_table(rows, now, {.width = 200});
    CHECK(wide.find("the tenant refused it (HTTP 400)\n") != std::string::npos);
    // The columns before LAST ERROR take 79 characters here.
    const std::string narrow = render_status_table(rows, now, {.width = 79 + 19});
    CHECK(narrow.find("  the tenant refused…\n") != std::string::npos);
    const std::string tiny = render_status_table(rows, now, {.width = 40});
    CHECK(tiny.find("  the tenant refu…\n") != std::string::npos);
}

TEST_CASE("colour marks outcome, state, health and errors, and keeps the columns aligned") {
    const std::string plain = render_status_table(failed_cycle().rows, now);
    const std::string coloured = render_status_table(failed_cycle().rows, now, {.color = true});
    CHECK(coloured.find("\x1b[31mfailed     \x1b[0m") != std::string::npos);
    CHECK(coloured.find("\x1b[32mhealthy  \x1b[0m") != std::string::npos);
    std::string stripped;
    for (std::size_t i = 0; i < coloured.size(); ++i) {
        if (coloured[i] == '\x1b')
            i = coloured.find('m', i);
        else
            stripped += coloured[i];
    }
    CHECK(stripped == plain);
    CHECK(render_status_text(failed_cycle(), now, {.color = true}).find("\x1b[31mfailed\x1b[0m") !=
          std::string::npos);
}

TEST_CASE("names in UTF-8 are aligned by characters") {
    std::vector<StatusRow> rows{{.name = "Überwachung"}, {.name = "Monitor"}};
    const std::string table = render_status_table(rows, now);
    CHECK(table.find("Überwachung  webhook") != std::string::npos);
    CHECK(table.find("Monitor      webhook") != std::string::npos);
}

TEST_CASE("no webhook at all is said in words") {
    CHECK(render_status_table({}, now) == "No webhooks in the last cycle, state.json or health.json.\n");
}

TEST_CASE("failure rates are percentages, or - without deliveries") {
    CHECK(format_failure_rate(std::nullopt) == "-");
    CHECK(format_failure_rate(0.0) == "0.0%");
    CHECK(format_failure_rate(0.2) == "20.0%");
    CHECK(format_failure_rate(1.0) == "100.0%");
}

TEST_CASE("the JSON object holds absolute times, the staleness verdict and every row") {
    const auto fresh = status_to_json(failed_cycle(), now, 60s);
    CHECK(fresh.at("formatVersion") == 1);
    CHECK(fresh.at("stale") == false);
    CHECK(fresh.at("warning").is_null());
    CHECK(fresh.at("interval") == "60s");
    const auto& cycle = fresh.at("lastCycle").as_object();
    CHECK(cycle.at("end") == "2026-11-29T11:59:00.000Z");
    CHECK(cycle.at("pruneBlocked") == "12 deletions exceed maxDeletesPerCycle (10)");
    CHECK(cycle.at("manifestRevision").at("kind") == "git");
    CHECK(cycle.at("counts").at("failed") == 1);
    const auto& rows = fresh.at("webhooks").as_array();
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].at("lastChange").at("by") == "Jane Doe");
    CHECK(rows[0].at("lastError") == "the tenant refused it\n(HTTP 400)");
    CHECK(rows[1].at("lastChange").at("source") == "changes");
    CHECK(rows[1].at("lastChange").at("by").is_null());
    CHECK(fresh.at("snapshotErrors").at(0).at("file") == "health.json");

    const auto stale = status_to_json(failed_cycle(), now + 3h, 60s);
    CHECK(stale.at("stale") == true);
    CHECK(stale.at("warning") ==
          "the last cycle ended 3h ago, more than 3 × interval (60s): is the daemon running?");
}

TEST_CASE("rotations still in progress are header lines with their end; ended ones are not shown") {
    StatusFiles files = failed_cycle();
    files.prune_blocked.clear();
    files.snapshot_errors.clear();
    files.rotations = {{"Monitor", at("2026-11-29T12:05:00Z")}, {"Old", at("2026-11-29T11:59:59Z")}};
    const std::string text = render_status_text(files, now);
    CHECK(text.find("Items       1 unchanged, 1 failed\n"
                    "Rotation    Monitor until 2026-11-29T12:05:00.000Z (in 5m): its previous secret is "
                    "still accepted\n\n") != std::string::npos);
    CHECK(text.find("Old") == std::string::npos);

    const auto json = status_to_json(files, now, 60s);
    CHECK(json.at("rotations") == boost::json::array{boost::json::object{
                                      {"name", "Monitor"}, {"until", "2026-11-29T12:05:00.000Z"}}});
    CHECK(render_status_text(files, at("2026-11-29T12:05:00Z")).find("Rotation") == std::string::npos);
}

TEST_CASE("only a converged cycle exits 0") {
    StatusFiles files = failed_cycle();
    CHECK(status_exit_code(files) == 1);
    files.outcome = "unreachable";
    CHECK(status_exit_code(files) == 1);
    files.outcome = "converged";
    CHECK(status_exit_code(files) == 0);
}

}
