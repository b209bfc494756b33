// The webhook's JSON wire form (daemon/tenant/webhook_json.hpp): member
// names as the API writes them, write bodies, and tolerance of what the API
// may add.
#include "daemon/tenant/webhook_json.hpp"
#include "tests/support/doctest_result.hpp"
#include "tests/support/file_text.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

using namespace hookwarden;
using hookwarden::testing::contains;

// ========================================================= webhook JSON

TEST_SUITE("webhook JSON") {

namespace {

Webhook full_webhook() {
    Webhook w;
    w.id = "5f0c-id";
    w.version = 3;
    w.health = {"degraded", "2026-01-02T03:04:05Z", 2};
    w.date_created = "2026-01-01T00:00:00Z";
    w.date_modified = "2026-01-02T00:00:00Z";
    w.modified_by_id = "user-1";
    w.self_uri = "/api/v2/webhooks/5f0c-id";
    w.name = "SystemEventMonitor";
    w.event_types = {"user:login", "user:logout"};
    w.endpoint_url = "https://myapp.example.com/webhooks/genesys";
    w.retry_policy = {"PT30S", 5};
    w.payload_template = "{\"e\": {{event}}}";
    w.enabled = false;
    w.secret = "abc";
    return w;
}

} // namespace

TEST_CASE("a webhook survives a JSON round trip with every field") {
    const Webhook w = full_webhook();
    const boost::json::value json = webhook_to_json(w);
    const auto back = webhook_from_json(json);
    REQUIRE(back.has_value());
    CHECK(*back == w);
    // And through text, as it crosses the network.
    const auto reparsed = webhook_from_json(boost::json::parse(boost::json::serialize(json)));
    REQUIRE(reparsed.has_value());
    CHECK(*reparsed == w);
}

TEST_CASE("the resource JSON uses the API's member names") {
    const auto o = webhook_to_json(full_webhook());
    CHECK(o.at("id") == "5f0c-id");
    CHECK(o.at("name") == "SystemEventMonitor");
    CHECK(o.at("version") == 3);
    CHECK(o.at("eventTypes") == boost::json::array{"user:login", "user:logout"});
    CHECK(o.at("endpointUrl") == "https://myapp.example.com/webhooks/genesys");
    CHECK(o.at("retryPolicy").at("retryInterval") == "PT30S");
    CHECK(o.at("retryPolicy").at("maxRetries") == 5);
    CHECK(o.at("payloadTemplate") == "{\"e\": {{event}}}");
    CHECK(o.at("enabled") == false);
    CHECK(o.at("health").at("status") == "degraded");
    CHECK(o.at("health").at("lastDeliveryAt") == "2026-01-02T03:04:05Z");
    CHECK(o.at("health").at("consecutiveFailures") == 2);
    CHECK(o.at("modifiedBy").at("id") == "user-1");
    CHECK(o.at("selfUri") == "/api/v2/webhooks/5f0c-id");
    CHECK(o.at("secret") == "abc");
}

TEST_CASE("a write body carries client fields only, version when known, secret when set") {
    Webhook w = full_webhook();
    auto body = webhook_to_json(w, WebhookJsonFields::write_body);
    for (const char* server : {"id", "health", "dateCreated", "dateModified", "modifiedBy", "selfUri"}) {
        INFO(std::string(server));
        CHECK_FALSE(body.contains(server));
    }
    CHECK(body.at("version") == 3);
    CHECK(body.at("secret") == "abc");

    w.version = 0;
    w.secret.reset();
    body = webhook_to_json(w, WebhookJsonFields::write_body);
    CHECK_FALSE(body.contains("version"));
    CHECK_FALSE(body.contains("secret"));
    CHECK(body.contains("name"));
    CHECK(body.contains("eventTypes"));
    CHECK(body.contains("retryPolicy"));
}

TEST_CASE("an absent secret stays unknown, never empty; absent members keep defaults") {
    const auto w = webhook_from_json(boost::json::parse(R"({"id": "x", "name": "N"})"));
    REQUIRE(w.has_value());
    CHECK_FALSE(w->secret.has_value());
    CHECK(w->enabled == true);
    CHECK(w->retry_policy == RetryPolicy{});
    CHECK(w->payload_template == "{{event}}");
    CHECK(w->health.status == "unknown");
}

TEST_CASE("unknown members are ignored, so the API may grow") {
    const auto w = webhook_from_json(
        boost::json::parse(R"({"name": "N", "futureField": {"a": 1}, "retryPolicy": {"jitter": true}})"));
    REQUIRE(w.has_value());
    CHECK(w->name == "N");
}

TEST_CASE("a member of the wrong type is an invalid_input error naming it") {
    struct Case {
        const char* json;
        const char* member;
    };
    for (const auto& c : {Case{R"({"name": 5})", "name"},
                          Case{R"({"id": true})", "id"},
                          Case{R"({"version": "3"})", "version"},
                          Case{R"({"version": 3.5})", "version"},
                          Case{R"({"eventTypes": "user:login"})", "eventTypes"},
                          Case{R"({"eventTypes": ["user:login", 7]})", "eventTypes"},
                          Case{R"({"endpointUrl": {}})", "endpointUrl"},
                          Case{R"({"retryPolicy": "PT1M"})", "retryPolicy"},
                          Case{R"({"retryPolicy": {"maxRetries": "3"}})", "retryPolicy.maxRetries"},
                          Case{R"({"retryPolicy": {"retryInterval": 60}})", "retryPolicy.retryInterval"},
                          Case{R"({"payloadTemplate": []})", "payloadTemplate"},
                          Case{R"({"enabled": "true"})", "enabled"},
                          Case{R"({"secret": 1})", "secret"},
                          Case{R"({"health": {"status": 1}})", "health.status"},
                          Case{R"({"health": {"consecutiveFailures": "2"}})", "health.consecutiveFailures"},
                          Case{R"({"dateCreated": 1})", "dateCreated"},
                          Case{R"({"modifiedBy": "user-1"})", "modifiedBy"},
                          Case{R"({"modifiedBy": {"id": 42}})", "modifiedBy.id"},
                          Case{R"({"selfUri": false})", "selfUri"}}) {
        INFO(std::string(c.json));
        const auto w = webhook_from_json(boost::json::parse(c.json));
        REQUIRE(w.has_error());
        CHECK(w.error().kind == ErrorKind::invalid_input);
        CHECK(contains(w.error().message, std::string("'") + c.member + "'"));
    }
    for (const char* not_object : {"[]", "\"webhook\"", "null", "1"}) {
        INFO(std::string(not_object));
        CHECK(webhook_from_json(boost::json::parse(not_object)).has_error());
    }
}

} // TEST_SUITE
