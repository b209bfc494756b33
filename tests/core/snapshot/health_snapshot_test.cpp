// health.json, field by field.
#include "tests/support/doctest_result.hpp"

#include "core/snapshot/health_snapshot.hpp"

#include <boost/json.hpp>

namespace hookwarden {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

TEST_CASE("health.json: owned webhooks by name, rates and latency computed, null without deliveries") {
    const std::chrono::system_clock::time_point end{1'767'312'000'000ms};
    const std::vector<HealthSubject> owned{
        {.kind = "webhook", .id = "wh-2", .name = "Zulu", .health_status = "failing"},
        {.kind = "webhook", .id = "wh-1", .name = "Alpha", .health_status = "healthy"},
        {.kind = "webhook", .id = "wh-3", .name = "Mike", .health_status = "unknown"},
    };
    const std::vector<DeliveryMetrics> metrics{
        {.webhook_id = "wh-1", .success_count = 12, .failure_count = 3, .latency_count = 3,
         .latency_min_ms = 80, .latency_max_ms = 900, .latency_sum_ms = 1240},
        {.webhook_id = "wh-2", .success_count = 0, .failure_count = 4, .latency_count = 0,
         .latency_min_ms = 0, .latency_max_ms = 0, .latency_sum_ms = 0},
        {.webhook_id = "not-owned", .success_count = 99, .failure_count = 0, .latency_count = 0,
         .latency_min_ms = 0, .latency_max_ms = 0, .latency_sum_ms = 0},
    };
    const auto snapshot = make_health_snapshot(owned, metrics, end + 2s, end - 24h, end);
    const json::object o = health_json(snapshot);

    std::vector<std::string> keys;
    for (const auto& kv : o)
        keys.emplace_back(kv.key());
    CHECK(keys == std::vector<std::string>{"formatVersion", "takenAt", "window", "webhooks"});
    CHECK(o.at("formatVersion") == 1);
    CHECK(o.at("takenAt") == "2026-01-02T00:00:02.000Z");
    CHECK(o.at("window") == json::object{{"start", "2026-01-01T00:00:00.000Z"},
                                         {"end", "2026-01-02T00:00:00.000Z"},
                                         {"granularity", "PT1H"}});
    const auto& webhooks = o.at("webhooks").as_array();
    REQUIRE(webhooks.size() == 3);
    const auto& alpha = webhooks[0].as_object();
    CHECK(alpha.at("kind") == "webhook");
    CHECK(alpha.at("id") == "wh-1");
    CHECK(alpha.at("name") == "Alpha");
    CHECK(alpha.at("status") == "healthy");
    CHECK(alpha.at("successCount") == 12);
    CHECK(alpha.at("failureCount") == 3);
    CHECK(alpha.at("failureRate").as_double() == doctest::Approx(0.2));
    const auto& latency = alpha.at("latencyMs").as_object();
    CHECK(latency.at("min") == 80);
    CHECK(latency.at("avg").as_double() == doctest::Approx(1240.0 / 3));
    CHECK(latency.at("max") == 900);

    const auto& mike = webhooks[1].as_object(); // no metrics at all: zero counts
    CHECK(mike.at("name") == "Mike");
    CHECK(mike.at("status") == "unknown");
    CHECK(mike.at("successCount") == 0);
    CHECK(mike.at("failureCount") == 0);
    CHECK(mike.at("failureRate").is_null());
    CHECK(mike.at("latencyMs").is_null());

    const auto& zulu = webhooks[2].as_object();
    CHECK(zulu.at("name") == "Zulu");
    CHECK(zulu.at("failureRate").as_double() == 1.0);
    CHECK(zulu.at("latencyMs").is_null());
}

} // namespace
} // namespace hookwarden
