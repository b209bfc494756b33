#include "daemon/tenant/tenant_answers.hpp"
#include "tests/daemon/tenant/client_fakes.hpp"
#include "tests/support/doctest_result.hpp"

#include <boost/json/parse.hpp>

using namespace hookwarden;
using hookwarden::testing::answer;
namespace json = boost::json;

namespace {

const char* genesys_error = R"({"message":"Version 3 does not match the current version 4","code":"bad.request",
    "status":400,"contextId":"ctx-1","details":[],"errors":[]})";

} // namespace

TEST_CASE("an API error carries status, code, contextId, correlation id and the operation") {
    const auto error = api_error(answer(400, R"({"message":"eventTypes is empty","code":"bad.request","contextId":"c-9"})",
                                        {{"inin-correlation-id", "corr-7"}}),
                                 ErrorContext{.operation = "POST /api/v2/webhooks"});
    CHECK(error.kind == ErrorKind::tenant);
    CHECK(error.message.find("eventTypes is empty") != std::string::npos);
    CHECK(error.context.http_status == 400);
    CHECK(error.context.api_code == "bad.request");
    CHECK(error.context.context_id == "c-9");
    CHECK(error.context.correlation_id == "corr-7");
    CHECK(error.context.operation == "POST /api/v2/webhooks");
}

TEST_CASE("409 and a 400 saying the version does not match are both version mismatches") {
    CHECK(api_error(answer(409, R"({"message":"conflict"})"), {}).kind == ErrorKind::version_mismatch);
    CHECK(api_error(answer(400, genesys_error), {}).kind == ErrorKind::version_mismatch);
    CHECK(api_error(answer(400, R"({"message":"bad name"})"), {}).kind == ErrorKind::tenant);
}

TEST_CASE("a 403 names the missing permissions from messageParams, else from the message, else the call's") {
    const auto params = api_error(answer(403, R"({"message":"You are missing the following permission(s): [a:b:c]",
        "code":"missing.permissions","messageParams":{"permissions":"[processautomation:trigger:view, processautomation:trigger:edit]"}})"),
                                  {}, BodyQuoting::allowed, "processautomation:trigger:edit");
    CHECK(params.kind == ErrorKind::tenant);
    CHECK(params.message ==
          "the OAuth client lacks the permissions processautomation:trigger:view, processautomation:trigger:edit");
    const auto listed = api_error(answer(403, R"({"messageParams":{"permissions":["x:y:view","x:y:add"]}})"), {});
    CHECK(listed.message == "the OAuth client lacks the permissions x:y:view, x:y:add");
    const auto in_message =
        api_error(answer(403, R"({"message":"You are missing the following permission(s): [processautomation:trigger:delete]"})"),
                  {}, BodyQuoting::allowed, "processautomation:trigger:view");
    CHECK(in_message.message == "the OAuth client lacks the permission processautomation:trigger:delete");
    const auto unsaid = api_error(answer(403, R"({"message":"Forbidden"})"), {}, BodyQuoting::allowed,
                                  "processautomation:trigger:add");
    CHECK(unsaid.message ==
          "the tenant refused the request; the OAuth client needs the permission processautomation:trigger:add: Forbidden");
    const auto unknown = api_error(answer(403, R"({"message":"Forbidden"})"), {});
    CHECK(unknown.message == "the tenant refused the request: Forbidden");
}

TEST_CASE("404 is not_found, also without a JSON body") {
    const auto error = api_error(answer(404, "Not Found"), {});
    CHECK(error.kind == ErrorKind::not_found);
    CHECK(error.message.find("Not Found") != std::string::npos);
}

TEST_CASE("malformed JSON is an error with context, never a crash") {
    const ErrorContext context{.operation = "GET /api/v2/webhooks"};
    for (const char* body : {"", "{", "<html>oops</html>", "{\"entities\": [1,2", "\xff\xfe"}) {
        const auto parsed = parse_json_answer(body, context);
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().kind == ErrorKind::transport);
        CHECK(parsed.error().context.operation == "GET /api/v2/webhooks");
    }
}

TEST_CASE("trigger and topic pages of the wrong shape are errors, not crashes") {
    const ErrorContext context;
    for (const char* body : {"[]", R"({"entities": {}})", R"({"entities": [5]})", R"({"entities": [{"name": "no id"}]})",
                             R"({"entities": [{"id": "t", "target": 1}]})", R"({"entities": [], "nextUri": 5})"}) {
        INFO(std::string(body));
        const auto page = read_trigger_page(json::parse(body), context);
        REQUIRE_FALSE(page);
        CHECK(page.error().kind == ErrorKind::transport);
    }
    for (const char* body : {"[]", R"({"entities": [{"id": "v2.x"}]})", R"({"entities": [1]})",
                             R"({"entities": ["v2.x"], "nextUri": []})"}) {
        INFO(std::string(body));
        CHECK_FALSE(read_topic_page(json::parse(body), context));
    }
    const auto last = read_topic_page(json::parse(R"({"entities": ["v2.x"], "nextUri": null})"), context);
    REQUIRE(last);
    CHECK(last->next_uri.empty());
}

TEST_CASE("answers of the wrong shape are errors, not crashes") {
    const ErrorContext context;
    for (const char* body : {"[]", "42", R"({"entities": 5})", R"({"entities": [5]})",
                             R"({"entities": [{"id": 3}]})", R"({"entities": [{"name": "no id"}]})"}) {
        const auto page = read_webhook_page(json::parse(body), context);
        CHECK_FALSE(page);
    }
    std::map<std::string, DeliveryMetrics> by_id{{"a", {.webhook_id = "a"}}};
    for (const char* body : {R"({"results": 1})", R"({"results": [1]})", R"({"results": [{"entity": {"id":"a"}, "data": [{"metrics": 1}]}]})",
                             R"({"results": [{"entity": {"id":"a"}, "data": [{"metrics": [{"metric": "x"}]}]}]})"})
        CHECK_FALSE(add_delivery_metrics(json::parse(body), by_id, context));
    for (const char* body : {"[]", R"({"entities": {}})", R"({"entities": [{"action":"create"}]})", R"({"nextPageToken": 3})"})
        CHECK_FALSE(read_audit_page(json::parse(body), context));
}

TEST_CASE("a masked or empty secret in an answer is dropped, a real one kept") {
    CHECK(secret_looks_masked(""));
    CHECK(secret_looks_masked("********"));
    CHECK(secret_looks_masked("ab12****"));
    CHECK_FALSE(secret_looks_masked("0123456789abcdef"));
    auto masked = read_webhook(json::parse(R"({"id":"1","name":"a","secret":"********"})"), {});
    REQUIRE(masked);
    CHECK_FALSE(masked->secret);
    auto echoed = read_webhook(json::parse(R"({"id":"1","name":"a","secret":"s3cr3t"})"), {});
    REQUIRE(echoed);
    CHECK(echoed->secret == "s3cr3t");
    auto absent = read_webhook(json::parse(R"({"id":"1","name":"a"})"), {});
    REQUIRE(absent);
    CHECK_FALSE(absent->secret);
}

TEST_CASE("a list page gives entities, page number, page count and next URI") {
    const auto page = read_webhook_page(
        json::parse(R"({"entities":[{"id":"1","name":"a"},{"id":"2","name":"b"}],"pageSize":100,"pageNumber":1,
                        "total":102,"pageCount":2,"nextUri":"/api/v2/webhooks?pageSize=100&pageNumber=2"})"),
        {});
    REQUIRE(page);
    CHECK(page->entities.size() == 2);
    CHECK(page->page_number == 1);
    CHECK(page->page_count == 2);
    CHECK(page->next_uri == "/api/v2/webhooks?pageSize=100&pageNumber=2");
}

TEST_CASE("analytics stats are summed over intervals and ids without data stay zero") {
    std::map<std::string, DeliveryMetrics> by_id{{"a", {.webhook_id = "a"}}, {"b", {.webhook_id = "b"}},
                                                 {"c", {.webhook_id = "c"}}};
    const auto json_answer = json::parse(R"({"results":[
        {"entity":{"id":"a"},"data":[
            {"interval":"i1","metrics":[{"metric":"deliverySuccessCount","stats":{"count":12}},
                                        {"metric":"deliveryFailureCount","stats":{"count":2}},
                                        {"metric":"deliveryLatencyMs","stats":{"count":12,"min":80,"max":900,"sum":3100}}]},
            {"interval":"i2","metrics":[{"metric":"deliverySuccessCount","stats":{"count":3}},
                                        {"metric":"deliveryLatencyMs","stats":{"count":3,"min":50,"max":100,"sum":200.0}}]}]},
        {"entity":{"id":"b"},"data":[]},
        {"entity":{"id":"zzz"},"data":[{"metrics":[{"metric":"deliverySuccessCount","stats":{"count":99}}]}]}]})");
    REQUIRE(add_delivery_metrics(json_answer, by_id, {}));
    const auto& a = by_id["a"];
    CHECK(a.success_count == 15);
    CHECK(a.failure_count == 2);
    CHECK(a.latency_count == 15);
    CHECK(a.latency_min_ms == 50);
    CHECK(a.latency_max_ms == 900);
    CHECK(a.latency_sum_ms == 3300);
    for (const char* id : {"b", "c"}) {
        CHECK(by_id[id].success_count == 0);
        CHECK(by_id[id].latency_count == 0);
    }
    CHECK(by_id.size() == 3); // the unasked id is ignored
}

TEST_CASE("absurd analytics figures saturate instead of overflowing, and negative ones count as zero") {
    // Found by tests/fuzz/tenant_http_fuzz: two counts of 2^63-1 overflowed
    // the sum (undefined behaviour), and health.json adds successes and failures.
    std::map<std::string, DeliveryMetrics> by_id{{"a", {.webhook_id = "a"}}};
    const auto json_answer = json::parse(R"({"results":[{"entity":{"id":"a"},"data":[
        {"metrics":[{"metric":"deliverySuccessCount","stats":{"count":9223372036854775807}},
                    {"metric":"deliveryFailureCount","stats":{"count":-5}},
                    {"metric":"deliveryLatencyMs","stats":{"count":9223372036854775807,"min":1,"max":2,"sum":9223372036854775807}}]},
        {"metrics":[{"metric":"deliverySuccessCount","stats":{"count":9223372036854775807}},
                    {"metric":"deliveryFailureCount","stats":{"count":9223372036854775807}},
                    {"metric":"deliveryLatencyMs","stats":{"count":9223372036854775807,"min":1,"max":2,"sum":9223372036854775807}}]}]}]})");
    REQUIRE(add_delivery_metrics(json_answer, by_id, {}));
    const auto& a = by_id["a"];
    constexpr std::int64_t cap = 1'000'000'000'000'000;
    CHECK(a.success_count == cap);
    CHECK(a.failure_count == cap);
    CHECK(a.latency_count == cap);
    CHECK(a.latency_sum_ms == cap);
    CHECK(a.success_count + a.failure_count > 0); // what health.json computes stays in range
}

TEST_CASE("an answer with a number beyond a double's range is malformed, not an infinity written back as Infinity") {
    // Found by tests/fuzz/trigger_json_fuzz: 1e999 was read as infinity, and
    // Boost.JSON writes that as `Infinity`, which no JSON reader takes back.
    for (const char* body : {R"({"id":"t","matchCriteria":[{"jsonPath":"s","operator":"Equal","value":1e999}]})",
                             R"({"entities":[{"id":"a","changes":[{"newValue":-1.5e400}]}]})", "[[[1E99999]]]"}) {
        const auto parsed = parse_json_answer(body, {.operation = "GET /x"});
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().kind == ErrorKind::transport);
        CHECK(parsed.error().message.find("beyond the range of a double") != std::string::npos);
    }
    CHECK(parse_json_answer(R"({"value":1.7976931348623157e308,"tiny":4.9e-324})", {}));
}

TEST_CASE("the analytics query asks for the three delivery metrics of the given ids") {
    const std::vector<std::string> ids{"a", "b"};
    const auto request = analytics_request(ids, "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z");
    CHECK(request.at("interval") == "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z");
    CHECK(request.at("entities").as_array().size() == 2);
    CHECK(request.at("metrics").as_array().size() == 3);
}

TEST_CASE("audit pages give entries as sent and the next page token") {
    const auto page = read_audit_page(json::parse(R"({"entities":[
        {"id":"e1","action":"update","entityId":"w1","timestamp":"2026-01-01T00:00:00Z","user":{"id":"u"},
         "changes":[{"property":"enabled","oldValue":true,"newValue":false}]}],"nextPageToken":"p2"})"),
                                      {});
    REQUIRE(page);
    REQUIRE(page->entries.size() == 1);
    CHECK(page->entries[0].id == "e1");
    CHECK(page->entries[0].action == "update");
    CHECK(page->entries[0].entity_id == "w1");
    CHECK(page->entries[0].raw.at("changes").as_array().size() == 1);
    CHECK(page->next_page_token == "p2");
    const auto last = read_audit_page(json::parse(R"({"entities":[],"nextPageToken":null})"), {});
    REQUIRE(last);
    CHECK_FALSE(last->next_page_token);
}

TEST_CASE("the audit query filters by entity and interval only when given") {
    const auto all = audit_request(AuditQuery{}, std::nullopt);
    CHECK_FALSE(all.contains("entityId"));
    CHECK_FALSE(all.contains("interval"));
    CHECK(all.at("nextPageToken").is_null());
    const auto one = audit_request(AuditQuery{"w1", "a/b", 1000}, std::string("t"));
    CHECK(one.at("entityId") == "w1");
    CHECK(one.at("interval") == "a/b");
    CHECK(one.at("pageSize") == 500);
    CHECK(one.at("nextPageToken") == "t");
}

TEST_CASE("an answer that may hold a webhook secret is never quoted in an error") {
    // Withheld: the request sent a secret, which the tenant may echo in any shape.
    const auto echoed = api_error(answer(400, R"({"id":"1","rejectedValue":"s3cr3t"})"), {}, BodyQuoting::withheld);
    CHECK(echoed.message.find("s3cr3t") == std::string::npos);
    CHECK(echoed.message.find("HTTP 400") != std::string::npos);
    const auto cut = parse_json_answer(R"({"id":"1","rejectedValue":"s3cr3t)", {}, BodyQuoting::withheld);
    REQUIRE_FALSE(cut);
    CHECK(cut.error().message.find("s3cr3t") == std::string::npos);
    CHECK(cut.error().message.find("not quoted") != std::string::npos);

    // Any body that names a secret is not quoted either, whatever was sent.
    CHECK(api_error(answer(500, R"({"signingSecret":"s3cr3t"})"), {}).message.find("s3cr3t") == std::string::npos);
    const auto named = parse_json_answer(R"({"id":"1","secret":"s3cr3t)", {});
    REQUIRE_FALSE(named);
    CHECK(named.error().message.find("s3cr3t") == std::string::npos);

    // The tenant's own error message is still shown, and other bodies quoted.
    CHECK(api_error(answer(400, R"({"message":"eventTypes is empty"})"), {}, BodyQuoting::withheld)
              .message.find("eventTypes is empty") != std::string::npos);
    CHECK(api_error(answer(502, "Bad Gateway"), {}).message.find("Bad Gateway") != std::string::npos);
    CHECK(parse_json_answer("<html>oops</html>", {}).error().message.find("<html>oops</html>") != std::string::npos);
}
