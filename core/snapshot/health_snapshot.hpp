// `stateDir/health.json`: how the owned webhooks deliver (SPEC §6a), from
// the tenant's health status and its delivery analytics over a window
// (the last 24 h by default, PT1H granularity).
//
//   {"formatVersion": 1, "takenAt": "RFC3339ms",
//    "window": {"start", "end", "granularity": "PT1H"},
//    "webhooks": [{"kind": "webhook", "id", "name", "status",
//                  "successCount", "failureCount", "failureRate": 0.2 | null,
//                  "latencyMs": {"min", "avg", "max"} | null}]}
//
// Only webhooks hookwarden owns, sorted by name. The failure rate is
// failures / (successes + failures), null when nothing was delivered; the
// average latency is the sum over the count of deliveries with a latency,
// null when there is none. metrics.prom takes its delivery figures from the
// same snapshot.
#pragma once

#include "core/tenant.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hookwarden {

/// An owned webhook whose health is reported: its id and name from
/// state.json, its status from the tenant's listing (Plan::health_by_id).
/// (The contract calls it OwnedResource; that name is state.json's entry in
/// core/state_store.hpp.)
struct HealthSubject {
    std::string kind = "webhook";
    std::string id;
    std::string name;
    std::string health_status = "unknown"; ///< unknown | healthy | degraded | failing
};

struct LatencySummary {
    std::int64_t min_ms = 0;
    double avg_ms = 0;
    std::int64_t max_ms = 0;
};

struct HealthRecord {
    std::string kind = "webhook";
    std::string id;
    std::string name;
    std::string status;
    std::int64_t success_count = 0;
    std::int64_t failure_count = 0;
    std::optional<double> failure_rate;    ///< none when nothing was delivered
    std::optional<LatencySummary> latency; ///< none when no delivery had a latency
};

struct HealthSnapshot {
    std::chrono::system_clock::time_point taken_at;
    std::chrono::system_clock::time_point window_start;
    std::chrono::system_clock::time_point window_end;
    std::string granularity = "PT1H";
    std::vector<HealthRecord> webhooks; ///< sorted by name
};

/// One record per owned webhook, with the metrics of its id (zero counts
/// when the tenant reported none), sorted by name.
HealthSnapshot make_health_snapshot(const std::vector<HealthSubject>& owned,
                                    const std::vector<DeliveryMetrics>& metrics,
                                    std::chrono::system_clock::time_point taken_at,
                                    std::chrono::system_clock::time_point window_start,
                                    std::chrono::system_clock::time_point window_end);

/// The JSON document health.json holds (format version 1).
boost::json::object health_json(const HealthSnapshot& snapshot);

} // namespace hookwarden
