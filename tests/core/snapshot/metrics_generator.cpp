// Prints metrics.prom for a realistic report with awkward webhook names
// (quotes, backslashes, a newline, UTF-8), for prometheus_parse_test.py to
// read with the Prometheus project's own parser.
#include "core/snapshot/metrics_text.hpp"
#include "tests/core/snapshot/cycle_items.hpp"

#include <cstdio>

using namespace hookwarden;
using namespace std::chrono_literals;

int main() {
    const std::chrono::system_clock::time_point end{1'767'312'000'000ms};
    CycleReport report;
    report.started = end - 1500ms;
    report.finished = end;
    report.result = CycleResult{};
    testing::add_items(report.result->items,
                       {.created = 2, .updated = 1, .adopted = 1, .deleted = 0, .unchanged = 40,
                        .retained = 3, .failed = 1, .conflicts = 0, .deferred = 2});
    testing::add_items(report.result->items, {.replaced = 1, .unchanged = 4},
                       ResourceKind::trigger);
    report.result->counts = count_items(report.result->items);

    const auto health = make_health_snapshot(
        {{.kind = "webhook", .id = "1", .name = "Quote \"this\"", .health_status = "healthy"},
         {.kind = "webhook", .id = "2", .name = "C:\\path\\to", .health_status = "degraded"},
         {.kind = "webhook", .id = "3", .name = "two\nlines", .health_status = "failing"},
         {.kind = "webhook", .id = "4", .name = "Café ☕ 配信", .health_status = "healthy"},
         {.kind = "webhook", .id = "5", .name = "Idle", .health_status = "unknown"}},
        {{.webhook_id = "1", .success_count = 12, .failure_count = 3, .latency_count = 0, .latency_min_ms = 0,
          .latency_max_ms = 0, .latency_sum_ms = 0},
         {.webhook_id = "2", .success_count = 1, .failure_count = 1, .latency_count = 0, .latency_min_ms = 0,
          .latency_max_ms = 0, .latency_sum_ms = 0},
         {.webhook_id = "3", .success_count = 0, .failure_count = 7, .latency_count = 0, .latency_min_ms = 0,
          .latency_max_ms = 0, .latency_sum_ms = 0},
         {.webhook_id = "4", .success_count = 100, .failure_count = 0, .latency_count = 0, .latency_min_ms = 0,
          .latency_max_ms = 0, .latency_sum_ms = 0}},
        end, end - 24h, end);

    ProcessCounters counters;
    counters.cycles_by_outcome = {{"converged", 41}, {"failed", 2}, {"unreachable", 1}};
    counters.changes_by_action = {{"create", 5}, {"update", 7}, {"adopt", 1}, {"delete", 2}};
    counters.requests_by_class = {{"2xx", 1234}, {"4xx", 5}, {"5xx", 2}, {"transport", 1}};
    counters.rate_limited = 4;
    counters.snapshot_failures = 0;

    const std::string text = metrics_text(report, counters, health, end, "0.9.0~rc1 \"dev\"");
    // The test reads what arrives: a short write must fail it, not pass
    // for a shorter exposition.
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
        std::perror("metrics_generator: cannot write the metrics");
        return 1;
    }
    return 0;
}
