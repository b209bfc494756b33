// The daemon's STATUS= line (daemon/service/status_line.hpp): every form
// `systemctl status` can show, exactly as the README and the process tests
// quote it, and the summary of a cycle it is made from.
#include "daemon/service/status_line.hpp"

#include <doctest/doctest.h>

using namespace hookwarden;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const Clock::time_point now = Clock::time_point{} + 1000h;

CycleSummary converged(std::size_t count) {
    return {.reached = true, .converged = count};
}

/// Between cycles, the last one converged, the next one `next_in` away.
StatusState idle(std::size_t webhooks, Clock::duration next_in) {
    return {.cycle_timeout = 10min,
            .last_cycle = converged(webhooks),
            .desired_webhooks = webhooks,
            .next_cycle = now + next_in};
}

ItemResult item(std::string name, ItemOutcome outcome, PlanAction action = PlanAction::update) {
    ItemResult result;
    result.name = std::move(name);
    result.outcome = outcome;
    result.action = action;
    return result;
}

} // namespace

TEST_CASE("a wait is shown in seconds up to two minutes, then minutes, then hours") {
    struct Case {
        Clock::duration wait;
        const char* shown;
    };
    for (const Case& c : {Case{-3s, "0s"}, Case{0s, "0s"}, Case{1ms, "1s"}, Case{54500ms, "55s"},
                          Case{119s, "119s"}, Case{120s, "2m"}, Case{149s, "2m"}, Case{150s, "3m"},
                          Case{59min, "59m"}, Case{7199s, "120m"}, Case{2h, "2h"}, Case{150min, "3h"}}) {
        CAPTURE(c.shown);
        CHECK(format_wait(c.wait) == c.shown);
    }
}

TEST_CASE("STATUS shows every state of the cycles in its own words") {
    struct Case {
        const char* what;
        StatusState state;
        std::string line;
    };
    StatusState converged_42 = idle(42, 55s);

    StatusState before_first = idle(2, 0s);
    before_first.last_cycle.reset();

    StatusState reconciling = idle(7, 0s);
    reconciling.cycle_running = true;
    reconciling.cycle_started = now - 9min;

    StatusState at_timeout = reconciling;
    at_timeout.cycle_started = now - 10min;

    StatusState stuck = reconciling;
    stuck.cycle_started = now - 11min;

    StatusState failing = idle(42, 20s);
    failing.last_cycle = CycleSummary{.reached = true, .converged = 39, .failing = {"A", "B", "C"}, .failing_count = 3};

    StatusState failing_more = failing;
    failing_more.last_cycle->failing_count = 5;

    StatusState unreachable = idle(2, 40s);
    unreachable.last_cycle = CycleSummary{.reached = false, .error = "cannot connect to api.mypurecloud.com"};

    StatusState unreachable_long = unreachable;
    unreachable_long.last_cycle->error = std::string(81, 'x');

    StatusState invalid = idle(2, 59min);
    invalid.last_cycle->converged = 1;
    invalid.manifest_errors = 2;

    StatusState prune_blocked = idle(42, 55s);
    prune_blocked.last_cycle->converged = 40;
    prune_blocked.last_cycle->prune_blocked =
        "12 owned webhooks left the manifests, more than maxDeletesPerCycle (10)";

    StatusState failing_prune_blocked = failing;
    failing_prune_blocked.last_cycle->prune_blocked = "prune is skipped";

    StatusState invalid_prune_blocked = invalid;
    invalid_prune_blocked.last_cycle->prune_blocked =
        "prune is skipped this cycle because 2 manifest errors were found";

    for (const Case& c : {
             Case{"converged", converged_42, "converged 42/42 · next in 55s"},
             Case{"prune was blocked", prune_blocked,
                  "converged 40/42 · prune blocked: 12 owned webhooks left the manifests, more than "
                  "maxDeletesPerCycle (10) · next in 55s"},
             Case{"webhooks fail and prune was blocked", failing_prune_blocked,
                  "3 failing (A, B, C) · prune blocked: prune is skipped · retry in 20s"},
             Case{"the manifests are invalid, so prune was blocked", invalid_prune_blocked,
                  "manifests invalid (2 errors) · 1/2 converged · prune blocked: prune is skipped this cycle "
                  "because 2 manifest errors were found · next in 59m"},
             Case{"before the first cycle ends", before_first, "starting"},
             Case{"a cycle runs", reconciling, "reconciling 7 webhooks"},
             Case{"a cycle runs exactly cycleTimeout", at_timeout, "reconciling 7 webhooks"},
             Case{"a cycle runs longer than cycleTimeout", stuck, "cycle stuck for 11m · awaiting restart"},
             Case{"webhooks fail", failing, "3 failing (A, B, C) · retry in 20s"},
             Case{"more webhooks fail than are named", failing_more, "5 failing (A, B, C, …) · retry in 20s"},
             Case{"the tenant is unreachable", unreachable,
                  "tenant unreachable: cannot connect to api.mypurecloud.com · retry in 40s"},
             Case{"the tenant is unreachable for a long reason", unreachable_long,
                  "tenant unreachable: " + std::string(77, 'x') + "... · retry in 40s"},
             Case{"the manifests in force are invalid", invalid,
                  "manifests invalid (2 errors) · 1/2 converged · next in 59m"},
         }) {
        CAPTURE(c.what);
        CHECK(status_line(c.state, now) == c.line);
    }
}

TEST_CASE("an unreachable reason of exactly 80 characters is shown whole") {
    StatusState state = idle(2, 40s);
    state.last_cycle = CycleSummary{.reached = false, .error = std::string(80, 'y')};
    CHECK(status_line(state, now) == "tenant unreachable: " + std::string(80, 'y') + " · retry in 40s");
}

TEST_CASE("a refused reload or edit leads STATUS, cut to 100 characters") {
    struct Case {
        std::string refusal;
        std::string shown;
    };
    for (const auto& [refusal, shown] : {
             Case{"reload refused: configuration invalid (1 errors)", "reload refused: configuration invalid (1 errors)"},
             Case{"manifests invalid (2 errors)", "manifests invalid (2 errors)"},
             Case{std::string(100, 'r'), std::string(100, 'r')},
             Case{std::string(101, 'r'), std::string(97, 'r') + "..."},
         }) {
        StatusState state = idle(2, 59min);
        state.refusal = refusal;
        CHECK(status_line(state, now) == shown + " · keeping last good state · converged 2/2 · next in 59m");
    }
}

TEST_CASE("a refusal also leads STATUS while a cycle runs") {
    StatusState state = idle(2, 0s);
    state.cycle_running = true;
    state.cycle_started = now;
    state.refusal = "reload refused: manifests invalid (1 errors)";
    CHECK(status_line(state, now) ==
          "reload refused: manifests invalid (1 errors) · keeping last good state · reconciling 2 webhooks");
}

TEST_CASE("a cycle that could not reach the tenant is summarized by its error") {
    CycleReport report;
    report.error = make_error(ErrorKind::transport, "cannot connect to the tenant");
    const auto summary = summarize(report);
    CHECK_FALSE(summary.reached);
    CHECK(summary.error == "cannot connect to the tenant");

    CHECK(summarize(CycleReport{}).error == "unknown error");
}

TEST_CASE("the summary counts failed, refused and deferred webhooks as failing and names the first three") {
    CycleReport report;
    report.result = CycleResult{};
    report.result->items = {
        item("created", ItemOutcome::done, PlanAction::create),
        item("pruned", ItemOutcome::done, PlanAction::remove),
        item("same", ItemOutcome::unchanged, PlanAction::unchanged),
        item("kept", ItemOutcome::retained, PlanAction::unchanged),
        item("A", ItemOutcome::failed),
        item("B", ItemOutcome::refused, PlanAction::conflict),
        item("C", ItemOutcome::deferred),
        item("D", ItemOutcome::failed),
    };
    const auto summary = summarize(report);
    CHECK(summary.reached);
    CHECK(summary.converged == 2);
    CHECK(summary.failing_count == 4);
    CHECK(summary.failing == std::vector<std::string>{"A", "B", "C"});
}

TEST_CASE("a blocked prune is summarized by the fact of its reason; the advice stays in the log") {
    CycleReport report;
    report.result = CycleResult{};
    report.result->prune_blocked_reason =
        "12 owned webhooks left the manifests, more than maxDeletesPerCycle (10): none is deleted; raise "
        "maxDeletesPerCycle for one apply, or delete them by hand";
    CHECK(summarize(report).prune_blocked ==
          "12 owned webhooks left the manifests, more than maxDeletesPerCycle (10)");

    report.result->prune_blocked_reason.clear();
    CHECK(summarize(report).prune_blocked.empty());
}

TEST_CASE("a blocked prune's fact is cut to 100 characters in STATUS") {
    StatusState state = idle(2, 55s);
    state.last_cycle->prune_blocked = std::string(101, 'p');
    CHECK(status_line(state, now) == "converged 2/2 · prune blocked: " + std::string(97, 'p') + "... · next in 55s");
}

TEST_CASE("snapshot files a cycle could not write are named in STATUS, whatever the outcome") {
    StatusState state = idle(2, 55s);
    state.last_cycle->snapshot_errors = {"audit/", "health.json"};
    CHECK(status_line(state, now) == "converged 2/2 · snapshots failed: audit/, health.json · next in 55s");

    state.last_cycle->prune_blocked = "prune is skipped";
    CHECK(status_line(state, now) ==
          "converged 2/2 · prune blocked: prune is skipped · snapshots failed: audit/, health.json · next in 55s");

    state.last_cycle = CycleSummary{.reached = false, .error = "cannot connect", .snapshot_errors = {"status.json"}};
    CHECK(status_line(state, now) == "tenant unreachable: cannot connect · snapshots failed: status.json · retry in 55s");
}

TEST_CASE("the summary names the snapshot files the report lists as failed") {
    CycleReport report;
    report.result = CycleResult{};
    report.snapshot_errors = {{"audit/", "Not a directory"}, {"metrics.prom", "No space left on device"}};
    CHECK(summarize(report).snapshot_errors == std::vector<std::string>{"audit/", "metrics.prom"});
}

TEST_CASE("with triggers desired, STATUS counts webhooks and triggers apart") {
    CycleReport report;
    report.result = CycleResult{};
    auto trigger = item("SMS after chat error", ItemOutcome::unchanged);
    trigger.kind = ResourceKind::trigger;
    auto replaced = item("Moved", ItemOutcome::done, PlanAction::replace);
    replaced.kind = ResourceKind::trigger;
    report.result->items = {item("A", ItemOutcome::unchanged), item("B", ItemOutcome::done),
                            trigger, replaced};
    const CycleSummary summary = summarize(report);
    CHECK(summary.converged == 2);
    CHECK(summary.converged_triggers == 2);

    StatusState state = idle(2, 55s);
    state.last_cycle = summary;
    state.desired_triggers = 3;
    CHECK(status_line(state, now) == "converged 2/2 webhooks, 2/3 triggers · next in 55s");
    state.cycle_running = true;
    state.cycle_started = now;
    CHECK(status_line(state, now) == "reconciling 2 webhooks, 3 triggers");
    // Webhooks alone read as they always have.
    CHECK(status_line(idle(42, 55s), now) == "converged 42/42 · next in 55s");
}
