#include "core/snapshot/health_snapshot.hpp"

#include "core/snapshot/status_file.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <tuple>

namespace hookwarden {

namespace json = boost::json;

HealthSnapshot make_health_snapshot(const std::vector<HealthSubject>& owned,
                                    const std::vector<DeliveryMetrics>& metrics,
                                    std::chrono::system_clock::time_point taken_at,
                                    std::chrono::system_clock::time_point window_start,
                                    std::chrono::system_clock::time_point window_end) {
    std::map<std::string_view, const DeliveryMetrics*> by_id;
    for (const auto& m : metrics)
        by_id.emplace(m.webhook_id, &m);

    HealthSnapshot snapshot{.taken_at = taken_at,
                            .window_start = window_start,
                            .window_end = window_end,
                            .granularity = "PT1H",
                            .webhooks = {}};
    for (const auto& webhook : owned) {
        HealthRecord record{.kind = webhook.kind,
                            .id = webhook.id,
                            .name = webhook.name,
                            .status = webhook.health_status,
                            .success_count = 0,
                            .failure_count = 0,
                            .failure_rate = std::nullopt,
                            .latency = std::nullopt};
        if (const auto found = by_id.find(webhook.id); found != by_id.end()) {
            const DeliveryMetrics& m = *found->second;
            record.success_count = m.success_count;
            record.failure_count = m.failure_count;
            if (const auto deliveries = m.success_count + m.failure_count; deliveries > 0)
                record.failure_rate = static_cast<double>(m.failure_count) / static_cast<double>(deliveries);
            if (m.latency_count > 0)
                record.latency = LatencySummary{
                    .min_ms = m.latency_min_ms,
                    .avg_ms = static_cast<double>(m.latency_sum_ms) / static_cast<double>(m.latency_count),
                    .max_ms = m.latency_max_ms};
        }
        snapshot.webhooks.push_back(std::move(record));
    }
    std::sort(snapshot.webhooks.begin(), snapshot.webhooks.end(), [](const HealthRecord& a, const HealthRecord& b) {
        return std::tie(a.name, a.kind, a.id) < std::tie(b.name, b.kind, b.id);
    });
    return snapshot;
}

json::object health_json(const HealthSnapshot& snapshot) {
    json::array webhooks;
    for (const auto& r : snapshot.webhooks) {
        json::object w;
        w["kind"] = r.kind;
        w["id"] = r.id;
        w["name"] = r.name;
        w["status"] = r.status;
        w["successCount"] = r.success_count;
        w["failureCount"] = r.failure_count;
        w["failureRate"] = r.failure_rate ? json::value(*r.failure_rate) : json::value(nullptr);
        if (r.latency)
            w["latencyMs"] = json::object{
                {"min", r.latency->min_ms}, {"avg", r.latency->avg_ms}, {"max", r.latency->max_ms}};
        else
            w["latencyMs"] = nullptr;
        webhooks.push_back(std::move(w));
    }
    json::object o;
    o["formatVersion"] = 1;
    o["takenAt"] = format_rfc3339(snapshot.taken_at);
    o["window"] = json::object{{"start", format_rfc3339(snapshot.window_start)},
                               {"end", format_rfc3339(snapshot.window_end)},
                               {"granularity", snapshot.granularity}};
    o["webhooks"] = std::move(webhooks);
    return o;
}

} // namespace hookwarden
