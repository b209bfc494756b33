// The snapshots of one "generation" of the crash test: what the child
// (snapshot_writer_child.cpp) writes for generation N, and what the test
// expects to find for it. Each file's generation can be read back from it
// (status: cycleId, health: successCount, metrics: cycles_total, audit:
// the entry's "gen"), so that the test can rebuild the exact bytes.
#pragma once

#include "core/snapshot/audit_store.hpp"
#include "core/snapshot/change_log.hpp"
#include "core/snapshot/health_snapshot.hpp"
#include "core/snapshot/metrics_text.hpp"
#include "core/snapshot/status_file.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace hookwarden::testing::crash {

using std::chrono::system_clock;

inline const std::vector<std::string> webhook_ids{"wh-a", "wh-b", "wh-c"};

inline system_clock::time_point base_time() {
    return system_clock::time_point{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};
}

inline std::string cycle_id(int gen) {
    char id[16]; // "gen-" and any int and the NUL: it always fits
    (void)std::snprintf(id, sizeof id, "gen-%06d", gen);
    return id;
}

inline CycleReport report(int gen, const ChangeLogHead& head) {
    CycleReport r;
    r.cycle_id = cycle_id(gen);
    r.started = base_time() + std::chrono::minutes(gen);
    r.finished = r.started + std::chrono::milliseconds(1500 + gen);
    r.source = "daemon";
    r.hookwarden_version = "0.9.0";
    r.manifest_revision = {.kind = "digest", .value = std::string(64, 'a'), .ref = {}};
    r.change_log = head;
    r.result = CycleResult{};
    ItemResult item;
    item.name = "Monitor " + std::to_string(gen);
    item.action = PlanAction::update;
    item.outcome = ItemOutcome::done;
    item.id = webhook_ids[static_cast<std::size_t>(gen) % webhook_ids.size()];
    item.changes = {FieldChange{.field = "endpointUrl", .old_value = {}, .new_value = {}, .sensitive = false}};
    r.result->items.push_back(item);
    r.result->counts.updated = 1;
    return r;
}

inline std::string status_text(int gen, const ChangeLogHead& head) {
    return boost::json::serialize(status_json(report(gen, head))) + "\n";
}

inline HealthSnapshot health(int gen) {
    std::vector<HealthSubject> owned;
    std::vector<DeliveryMetrics> metrics;
    for (const auto& id : webhook_ids) {
        owned.push_back({.kind = "webhook", .id = id, .name = "Hook " + id, .health_status = "healthy"});
        metrics.push_back({.webhook_id = id, .success_count = gen, .failure_count = gen % 3,
                           .latency_count = 1, .latency_min_ms = 10, .latency_max_ms = 10, .latency_sum_ms = 10});
    }
    const auto t = base_time() + std::chrono::minutes(gen);
    return make_health_snapshot(owned, metrics, t, t - std::chrono::hours(24), t);
}

inline std::string health_text(int gen) { return boost::json::serialize(health_json(health(gen))) + "\n"; }

inline std::string metrics(int gen) {
    ProcessCounters counters;
    counters.cycles_by_outcome["converged"] = static_cast<std::uint64_t>(gen);
    return metrics_text(report(gen, {}), counters, health(gen), base_time() + std::chrono::minutes(gen),
                        "0.9.0");
}

inline std::vector<ChangeRecord> changes(int gen) {
    return {ChangeRecord{.cycle_id = cycle_id(gen),
                         .time = base_time() + std::chrono::minutes(gen),
                         .action = "update",
                         .kind = "webhook",
                         .name = "Monitor " + std::to_string(gen),
                         .id = "wh-a",
                         .changed_fields = {"endpointUrl"},
                         .manifest_revision = std::string(64, 'a'),
                         .plan_digest = std::string(64, 'b')}};
}

/// The audit entry of webhook `webhook` made in generation `gen`: every
/// webhook's entry of a generation has the same timestamp, so that the
/// cursor's idsAtSince holds several ids.
inline AuditEntry audit_entry(int gen, const std::string& webhook) {
    const std::string id = "entry-" + std::to_string(gen) + "-" + webhook;
    const std::string timestamp = format_rfc3339(base_time() + std::chrono::seconds(gen));
    boost::json::object raw{{"id", id}, {"action", "update"}, {"entityId", webhook},
                            {"timestamp", timestamp}, {"gen", gen}};
    return AuditEntry{.id = id, .action = "update", .entity_id = webhook, .timestamp = timestamp, .raw = raw};
}

/// What the simulated tenant answers to `interval` in generation `gen`:
/// every entry of generations 1..gen at or after START, oldest first.
inline std::vector<AuditEntry> tenant_audit(int gen, const std::string& interval) {
    const std::string start = interval.substr(0, interval.find('/'));
    std::vector<AuditEntry> entries;
    for (int g = 1; g <= gen; ++g)
        for (const auto& webhook : webhook_ids) {
            auto entry = audit_entry(g, webhook);
            if (entry.timestamp >= start) // one spelling (format_rfc3339): text order is time order
                entries.push_back(std::move(entry));
        }
    return entries;
}

/// The moment generation `gen` runs at, for the audit query.
inline system_clock::time_point now(int gen) { return base_time() + std::chrono::seconds(gen) + std::chrono::milliseconds(500); }

} // namespace hookwarden::testing::crash
