// metrics.prom: families, order, escaping.
#include "tests/core/snapshot/cycle_items.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/doctest_result.hpp"

#include "core/snapshot/metrics_text.hpp"

#include <sstream>

namespace hookwarden {
namespace {

using hookwarden::testing::lines_of;
using namespace std::chrono_literals;

bool has_line(const std::string& text, const std::string& line) {
    const auto lines = lines_of(text);
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

CycleReport failed_report() {
    CycleReport r;
    r.started = std::chrono::system_clock::time_point{1'767'225'600'000ms};
    r.finished = r.started + 2500ms;
    r.result = CycleResult{};
    testing::add_items(r.result->items,
                       {.created = 1, .updated = 2, .adopted = 3, .deleted = 4, .unchanged = 5,
                        .retained = 6, .failed = 7, .conflicts = 8, .deferred = 9});
    r.result->counts = count_items(r.result->items);
    return r;
}

TEST_CASE("metrics.prom: every family has HELP and TYPE, in a fixed order, with the last cycle's figures") {
    ProcessCounters counters;
    counters.cycles_by_outcome = {{"converged", 4}, {"failed", 1}};
    counters.changes_by_action = {{"create", 2}};
    counters.requests_by_class = {{"2xx", 40}, {"4xx", 2}, {"transport", 1}};
    counters.rate_limited = 3;
    counters.snapshot_failures = 1;
    const std::string text = metrics_text(failed_report(), counters, std::nullopt, std::nullopt, "0.9.0");

    const std::vector<std::string> families{
        "hookwarden_build_info",         "hookwarden_items",
        "hookwarden_cycle_duration_seconds", "hookwarden_cycle_last_outcome",
        "hookwarden_cycles_total",       "hookwarden_last_success_timestamp_seconds",
        "hookwarden_changes_total",      "hookwarden_api_requests_total",
        "hookwarden_api_rate_limited_total", "hookwarden_snapshot_failures_total",
        "hookwarden_webhook_delivery_success", "hookwarden_webhook_delivery_failure",
        "hookwarden_webhook_delivery_failure_ratio"};
    std::vector<std::string> helped, typed;
    for (const auto& line : lines_of(text)) {
        if (line.starts_with("# HELP "))
            helped.push_back(line.substr(7, line.find(' ', 7) - 7));
        if (line.starts_with("# TYPE "))
            typed.push_back(line.substr(7, line.find(' ', 7) - 7));
    }
    CHECK(helped == families);
    CHECK(typed == families);
    CHECK(has_line(text, "# TYPE hookwarden_cycles_total counter"));
    CHECK(has_line(text, "# TYPE hookwarden_items gauge"));

    CHECK(has_line(text, "hookwarden_build_info{version=\"0.9.0\"} 1"));
    CHECK(has_line(text, "hookwarden_items{kind=\"webhook\",state=\"created\"} 1"));
    CHECK(has_line(text, "hookwarden_items{kind=\"webhook\",state=\"deferred\"} 9"));
    CHECK(has_line(text, "hookwarden_items{kind=\"trigger\",state=\"deferred\"} 0"));
    CHECK(has_line(text, "hookwarden_cycle_duration_seconds 2.5"));
    CHECK(has_line(text, "hookwarden_cycle_last_outcome{outcome=\"converged\"} 0"));
    CHECK(has_line(text, "hookwarden_cycle_last_outcome{outcome=\"failed\"} 1"));
    CHECK(has_line(text, "hookwarden_cycle_last_outcome{outcome=\"unreachable\"} 0"));
    CHECK(has_line(text, "hookwarden_cycles_total{outcome=\"converged\"} 4"));
    CHECK(has_line(text, "hookwarden_cycles_total{outcome=\"unreachable\"} 0"));
    CHECK(has_line(text, "hookwarden_changes_total{action=\"create\"} 2"));
    CHECK(has_line(text, "hookwarden_changes_total{action=\"delete\"} 0"));
    CHECK(has_line(text, "hookwarden_api_requests_total{class=\"2xx\"} 40"));
    CHECK(has_line(text, "hookwarden_api_requests_total{class=\"5xx\"} 0"));
    CHECK(has_line(text, "hookwarden_api_requests_total{class=\"transport\"} 1"));
    CHECK(has_line(text, "hookwarden_api_rate_limited_total 3"));
    CHECK(has_line(text, "hookwarden_snapshot_failures_total 1"));
    // Never a success yet: the family is there, the sample is not.
    CHECK(text.find("\nhookwarden_last_success_timestamp_seconds ") == std::string::npos);
    CHECK(text.find("\nhookwarden_webhook_delivery_success{") == std::string::npos);
    // The same input gives the same bytes.
    CHECK(text == metrics_text(failed_report(), counters, std::nullopt, std::nullopt, "0.9.0"));
}

TEST_CASE("metrics.prom: delivery figures by name, escaped; no ratio without a delivery; the last success") {
    const std::chrono::system_clock::time_point end{1'767'312'000'000ms};
    const auto health = make_health_snapshot(
        {{.kind = "webhook", .id = "1", .name = "Say \"hi\"\\now\nplease", .health_status = "healthy"},
         {.kind = "webhook", .id = "2", .name = "Idle", .health_status = "unknown"}},
        {{.webhook_id = "1", .success_count = 3, .failure_count = 1, .latency_count = 0, .latency_min_ms = 0,
          .latency_max_ms = 0, .latency_sum_ms = 0}},
        end, end - 24h, end);
    const std::string text = metrics_text(failed_report(), {}, health, end, "0.9.0");
    CHECK(has_line(text, "hookwarden_last_success_timestamp_seconds 1767312000"));
    CHECK(has_line(text, R"(hookwarden_webhook_delivery_success{name="Say \"hi\"\\now\nplease"} 3)"));
    CHECK(has_line(text, R"(hookwarden_webhook_delivery_failure{name="Say \"hi\"\\now\nplease"} 1)"));
    CHECK(has_line(text, R"(hookwarden_webhook_delivery_failure_ratio{name="Say \"hi\"\\now\nplease"} 0.25)"));
    CHECK(has_line(text, R"(hookwarden_webhook_delivery_success{name="Idle"} 0)"));
    CHECK(text.find("hookwarden_webhook_delivery_failure_ratio{name=\"Idle\"}") == std::string::npos);
    CHECK(escape_label_value("a\\b\"c\nd é") == "a\\\\b\\\"c\\nd é");
}

} // namespace
} // namespace hookwarden
