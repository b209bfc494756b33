// The emulator's HTTP behaviour (SPEC §5) as request and response structs,
// without sockets: OAuth, authentication, paging, writes, validation,
// analytics, audit, rate limiting, faults and the control plane.
#include "tests/emulator/emulator_routes.hpp"
#include "daemon/tenant/webhook_json.hpp"
#include "tests/emulator/emulator_test_api.hpp"
#include "tests/support/doctest_result.hpp"

#include <boost/json.hpp>

using namespace hookwarden;
using namespace hookwarden::emulator;
using namespace hookwarden::emulator::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

std::vector<std::string> names_of(const json::value& entities) {
    std::vector<std::string> names;
    for (const auto& e : entities.as_array())
        names.emplace_back(e.at("name").as_string());
    return names;
}

} // namespace

// --- OAuth -------------------------------------------------------------------

TEST_CASE("a token is issued for client credentials sent with HTTP Basic") {
    Api t;
    const auto r = t.send(
        "POST", "/oauth/token", "grant_type=client_credentials",
        {{"Authorization", kBasicDemo}, {"Content-Type", "application/x-www-form-urlencoded"}});
    REQUIRE(r.status == 200);
    const auto body = json_of(r);
    CHECK(body.at("token_type").as_string() == "bearer");
    CHECK(body.at("expires_in").as_int64() == 86400);
    const auto token = std::string(body.at("access_token").as_string());
    CHECK(t.api("GET", "/api/v2/webhooks").status == 200);
    t.token = token;
    CHECK(t.api("GET", "/api/v2/webhooks").status == 200);
}

TEST_CASE("a token is issued for client credentials sent as form fields") {
    Api t;
    const auto r = t.token_request(
        "grant_type=client_credentials&client_id=demo-client&client_secret=demo%2Dsecret");
    REQUIRE(r.status == 200);
    CHECK(json_of(r).at("access_token").is_string());
}

TEST_CASE("wrong client credentials are answered 401 invalid_client") {
    Api t;
    for (const auto& request : std::vector<std::pair<std::string, HeaderList>>{
             {"grant_type=client_credentials&client_id=demo-client&client_secret=nope", {}},
             {"grant_type=client_credentials", {{"Authorization", "Basic bm9wZTpub3Bl"}}},
             {"grant_type=client_credentials", {{"Authorization", "Basic !!!"}}},
             {"grant_type=client_credentials", {}},
         }) {
        const auto r = t.token_request(request.first, request.second);
        CHECK(r.status == 401);
        const auto body = json_of(r);
        CHECK(body.at("error").as_string() == "invalid_client");
        CHECK_FALSE(body.at("description").as_string().empty());
        CHECK(body.at("error_description") == body.at("description"));
    }
    CHECK(t.tenant.counters().tokens_issued == 1); // only the fixture's
}

TEST_CASE("the token endpoint requires the client_credentials grant") {
    Api t;
    CHECK(json_of(t.token_request("", {{"Authorization", kBasicDemo}})).at("error") ==
          "invalid_request");
    const auto r = t.token_request("grant_type=password", {{"Authorization", kBasicDemo}});
    CHECK(r.status == 400);
    CHECK(json_of(r).at("error") == "unsupported_grant_type");
}

TEST_CASE("the token's lifetime is configurable") {
    Api t(Settings{.token_lifetime = 5s});
    const auto r = t.token_request("grant_type=client_credentials", {{"Authorization", kBasicDemo}});
    CHECK(json_of(r).at("expires_in").as_int64() == 5);
}

TEST_CASE("the token endpoint reads only form bodies") {
    Api t;
    for (const auto& type : {"", "application/json", "text/plain", "multipart/form-data"}) {
        CAPTURE(type);
        HeaderList headers{{"Authorization", kBasicDemo}};
        if (*type)
            headers.emplace_back("Content-Type", type);
        const auto r = t.send("POST", "/oauth/token", "grant_type=client_credentials", headers);
        CHECK(r.status == 400);
        const auto body = json_of(r);
        CHECK(body.at("error") == "invalid_request");
        CHECK(std::string(body.at("description").as_string())
                  .find("application/x-www-form-urlencoded") != std::string::npos);
    }
    CHECK(t.tenant.counters().tokens_issued == 1); // only the fixture's
    const auto r = t.send("POST", "/oauth/token", "grant_type=client_credentials",
                          {{"Authorization", kBasicDemo},
                           {"content-type", "Application/X-WWW-Form-Urlencoded ; charset=UTF-8"}});
    CHECK(r.status == 200);
}

// --- Authentication ----------------------------------------------------------

TEST_CASE("the API requires a bearer token") {
    Api t;
    const auto missing = t.send("GET", "/api/v2/webhooks");
    genesys_error(missing, 401, "authentication.required");
    CHECK_FALSE(missing.header("inin-ratelimit-allowed").empty());
    genesys_error(t.send("GET", "/api/v2/webhooks", "", {{"Authorization", "Basic xyz"}}), 401,
                  "authentication.required");
    genesys_error(t.send("GET", "/api/v2/webhooks", "", {{"Authorization", "Bearer forged"}}), 401,
                  "bad.credentials");
}

TEST_CASE("an expired token is answered 401") {
    Api t(Settings{.token_lifetime = 60s, .rpm = 100000});
    CHECK(t.api("GET", "/api/v2/webhooks").status == 200);
    t.now += 60s;
    genesys_error(t.api("GET", "/api/v2/webhooks"), 401, "bad.credentials");
}

TEST_CASE("revoked tokens are answered 401 and new ones work") {
    Api t;
    CHECK(t.control("POST", "/_emulator/revoke-tokens").status == 204);
    genesys_error(t.api("GET", "/api/v2/webhooks"), 401, "bad.credentials");
    t.token = t.tenant.issue_token("demo-client", "demo-secret")->access_token;
    CHECK(t.api("GET", "/api/v2/webhooks").status == 200);
}

// --- Listing -----------------------------------------------------------------

TEST_CASE("an empty tenant lists no webhooks on one empty page") {
    Api t;
    const auto r = t.api("GET", "/api/v2/webhooks");
    REQUIRE(r.status == 200);
    const auto page = json_of(r);
    CHECK(page.at("entities").as_array().empty());
    CHECK(page.at("pageSize").as_int64() == 25);
    CHECK(page.at("pageNumber").as_int64() == 1);
    CHECK(page.at("total").as_int64() == 0);
    CHECK(page.at("pageCount").as_int64() == 0);
    CHECK(page.at("nextUri").is_null());
}

TEST_CASE("listing pages in creation order with nextUri until the last page") {
    struct Case {
        int webhooks;
        int page_size;
        std::vector<std::size_t> page_lengths;
    };
    const Case cases[] = {
        {100, 100, {100}}, {101, 100, {100, 1}}, {250, 100, {100, 100, 50}},
        {30, 25, {25, 5}}, {1, 1, {1}},
    };
    for (const auto& c : cases) {
        CAPTURE(c.webhooks);
        CAPTURE(c.page_size);
        Api t;
        for (int i = 0; i < c.webhooks; ++i)
            REQUIRE(t.tenant.create(webhook_from_json(Api::body("w" + std::to_string(i))).value(),
                                    ui_actor()));
        std::vector<std::string> seen;
        std::string target = "/api/v2/webhooks?pageSize=" + std::to_string(c.page_size);
        for (std::size_t page_number = 1;; ++page_number) {
            const auto r = t.api("GET", target);
            REQUIRE(r.status == 200);
            const auto page = json_of(r);
            REQUIRE(page_number <= c.page_lengths.size());
            CHECK(page.at("entities").as_array().size() == c.page_lengths[page_number - 1]);
            CHECK(page.at("pageNumber").as_int64() == std::int64_t(page_number));
            CHECK(page.at("pageSize").as_int64() == c.page_size);
            CHECK(page.at("total").as_int64() == c.webhooks);
            CHECK(page.at("pageCount").as_int64() == std::int64_t(c.page_lengths.size()));
            for (auto& n : names_of(page.at("entities")))
                seen.push_back(n);
            if (page.at("nextUri").is_null()) {
                CHECK(page_number == c.page_lengths.size());
                break;
            }
            target = std::string(page.at("nextUri").as_string());
            CHECK(target == "/api/v2/webhooks?pageSize=" + std::to_string(c.page_size) +
                                "&pageNumber=" + std::to_string(page_number + 1));
        }
        REQUIRE(seen.size() == std::size_t(c.webhooks));
        for (int i = 0; i < c.webhooks; ++i)
            CHECK(seen[std::size_t(i)] == "w" + std::to_string(i));
    }
}

TEST_CASE("a page past the last one is empty") {
    Api t;
    t.create("only");
    const auto page = json_of(t.api("GET", "/api/v2/webhooks?pageSize=100&pageNumber=3"));
    CHECK(page.at("entities").as_array().empty());
    CHECK(page.at("total").as_int64() == 1);
    CHECK(page.at("nextUri").is_null());
}

TEST_CASE("pageSize above 100, below 1 or not a number is answered 400") {
    Api t;
    for (const char* query : {"pageSize=101", "pageSize=0", "pageSize=-1", "pageSize=abc",
                              "pageSize=10x", "pageSize=", "pageNumber=0", "pageNumber=two"}) {
        CAPTURE(query);
        genesys_error(t.api("GET", std::string("/api/v2/webhooks?") + query), 400, "bad.request");
    }
    CHECK(t.api("GET", "/api/v2/webhooks?pageSize=100").status == 200);
}

// --- Create, read, update, delete -----------------------------------------

TEST_CASE("a created webhook gets its server fields and a Location") {
    Api t;
    const auto r = t.api("POST", "/api/v2/webhooks", Api::body("SystemEventMonitor"));
    REQUIRE(r.status == 201);
    const auto w = json_of(r);
    const std::string id(w.at("id").as_string());
    CHECK(is_uuid_v4(id));
    CHECK(r.header("Location") == "/api/v2/webhooks/" + id);
    CHECK(w.at("selfUri").as_string() == "/api/v2/webhooks/" + id);
    CHECK(w.at("version").as_int64() == 1);
    CHECK(w.at("health").at("status").as_string() == "unknown");
    CHECK(w.at("health").at("consecutiveFailures").as_int64() == 0);
    CHECK(w.at("dateCreated").as_string() == "2026-01-05T10:00:00.000Z");
    CHECK(w.at("dateModified") == w.at("dateCreated"));
    CHECK(w.at("modifiedBy").at("id").as_string() == "demo-client");
    CHECK(w.at("name").as_string() == "SystemEventMonitor");
    CHECK(w.at("eventTypes") == json::array{"user:login", "user:logout"});
    CHECK(w.at("retryPolicy").at("retryInterval").as_string() == "PT1M");
    CHECK_FALSE(w.contains("secret"));
    CHECK(t.tenant.webhook(id).value().secret == "s3cret");
    CHECK(t.tenant.counters().writes == 1);
}

TEST_CASE("optional fields take their defaults on create") {
    Api t;
    const json::object minimal{
        {"name", "m"}, {"eventTypes", {"user:login"}}, {"endpointUrl", "https://h.example"}};
    const auto w = json_of(t.api("POST", "/api/v2/webhooks", minimal));
    CHECK(w.at("enabled").as_bool());
    CHECK(w.at("payloadTemplate").as_string() == "{{event}}");
    CHECK(w.at("retryPolicy").at("retryInterval").as_string() == "PT1M");
    CHECK(w.at("retryPolicy").at("maxRetries").as_int64() == 3);
}

TEST_CASE("secrets are write-only unless the emulator echoes them") {
    Api t;
    const auto hidden = t.create("a");
    CHECK_FALSE(hidden.contains("secret"));
    const std::string id(hidden.at("id").as_string());
    CHECK_FALSE(json_of(t.api("GET", "/api/v2/webhooks/" + id)).contains("secret"));

    REQUIRE(t.control("POST", "/_emulator/config", json::object{{"echoSecrets", true}}).status ==
            200);
    CHECK(json_of(t.api("GET", "/api/v2/webhooks/" + id)).at("secret").as_string() == "s3cret");
    CHECK(json_of(t.api("GET", "/api/v2/webhooks")).at("entities").at(0).at("secret") == "s3cret");
    CHECK(t.create("b").at("secret").as_string() == "s3cret");
}

TEST_CASE("duplicate names are allowed, as in the real service") {
    Api t;
    const auto a = t.create("same");
    const auto b = t.create("same");
    CHECK(a.at("id") != b.at("id"));
    CHECK(json_of(t.api("GET", "/api/v2/webhooks")).at("total").as_int64() == 2);
}

TEST_CASE("a webhook is read by id, and an unknown id is answered 404") {
    Api t;
    const auto created = t.create("a");
    const std::string id(created.at("id").as_string());
    const auto r = t.api("GET", "/api/v2/webhooks/" + id);
    REQUIRE(r.status == 200);
    CHECK(json_of(r) == created);
    genesys_error(t.api("GET", "/api/v2/webhooks/00000000-0000-4000-8000-000000000000"), 404,
                  "not.found");
}

TEST_CASE("a PUT with the current version replaces the webhook and bumps the version") {
    Api t;
    const auto created = t.create("a");
    const std::string id(created.at("id").as_string());
    t.now += 90s;
    auto body = Api::body("renamed", "");
    body["version"] = 1;
    body["eventTypes"] = json::array{"user:logout"};
    body["enabled"] = false;
    const auto r = t.api("PUT", "/api/v2/webhooks/" + id, body);
    REQUIRE(r.status == 200);
    const auto w = json_of(r);
    CHECK(w.at("version").as_int64() == 2);
    CHECK(w.at("name").as_string() == "renamed");
    CHECK(w.at("eventTypes") == json::array{"user:logout"});
    CHECK_FALSE(w.at("enabled").as_bool());
    CHECK(w.at("dateCreated").as_string() == "2026-01-05T10:00:00.000Z");
    CHECK(w.at("dateModified").as_string() == "2026-01-05T10:01:30.000Z");
    CHECK(w.at("id").as_string() == id);
    CHECK(t.tenant.webhook(id)->secret == "s3cret"); // a PUT without secret keeps it

    body["version"] = 2;
    body["secret"] = "rotated";
    REQUIRE(t.api("PUT", "/api/v2/webhooks/" + id, body).status == 200);
    CHECK(t.tenant.webhook(id)->secret == "rotated");
    CHECK(t.tenant.webhook(id)->version == 3);
}

TEST_CASE("a PUT with a stale version is answered 409 and changes nothing") {
    Api t;
    const std::string id(t.create("a").at("id").as_string());
    auto body = Api::body("a2");
    body["version"] = 1;
    REQUIRE(t.api("PUT", "/api/v2/webhooks/" + id, body).status == 200);
    const auto before = t.tenant.webhook(id).value();
    const auto audit_before = t.tenant.audit({.page_size = 500}).entries.size();

    body["name"] = "lost-update";
    body["version"] = 1;
    const auto r = t.api("PUT", "/api/v2/webhooks/" + id, body);
    const auto error = genesys_error(r, 409, "conflict");
    CHECK(std::string(error.at("message").as_string())
              .starts_with("The version supplied does not match the current version"));
    CHECK(t.tenant.webhook(id).value() == before);
    CHECK(t.tenant.audit({.page_size = 500}).entries.size() == audit_before);
}

TEST_CASE("a PUT without a version, with another id or to an unknown id is refused") {
    Api t;
    const std::string id(t.create("a").at("id").as_string());
    auto body = Api::body("a");
    const auto missing =
        genesys_error(t.api("PUT", "/api/v2/webhooks/" + id, body), 400, "bad.request");
    CHECK(missing.at("details").at(0).at("fieldName") == "version");
    body["version"] = 1;
    body["id"] = "another";
    genesys_error(t.api("PUT", "/api/v2/webhooks/" + id, body), 400, "bad.request");
    body.erase("id");
    genesys_error(t.api("PUT", "/api/v2/webhooks/unknown", body), 404, "not.found");
    CHECK(t.tenant.webhook(id)->version == 1);
}

TEST_CASE("a PUT body is validated like a create") {
    Api t;
    const std::string id(t.create("a").at("id").as_string());
    auto body = Api::body("a");
    body["version"] = 1;
    body["endpointUrl"] = "http://insecure.example";
    const auto error =
        genesys_error(t.api("PUT", "/api/v2/webhooks/" + id, body), 400, "bad.request");
    CHECK(error.at("details").at(0).at("fieldName") == "endpointUrl");
}

TEST_CASE("a DELETE answers 204 and the webhook is gone") {
    Api t;
    const std::string id(t.create("a").at("id").as_string());
    const auto r = t.api("DELETE", "/api/v2/webhooks/" + id);
    CHECK(r.status == 204);
    CHECK(r.body.empty());
    genesys_error(t.api("GET", "/api/v2/webhooks/" + id), 404, "not.found");
    genesys_error(t.api("DELETE", "/api/v2/webhooks/" + id), 404, "not.found");
    CHECK(t.tenant.counters().writes == 2);
}

TEST_CASE("an invalid body is answered 400 naming every bad field") {
    Api t;
    auto body = Api::body("bad name");
    body["eventTypes"] = {"user:login", "user:login"};
    body["retryPolicy"] = {{"retryInterval", "P2D"}, {"maxRetries", 11}};
    const auto error = genesys_error(t.api("POST", "/api/v2/webhooks", body), 400, "bad.request");
    std::vector<std::string> fields;
    for (const auto& d : error.at("details").as_array())
        fields.emplace_back(d.at("fieldName").as_string());
    CHECK(fields == std::vector<std::string>{"name", "eventTypes[1]", "retryPolicy.retryInterval",
                                             "retryPolicy.maxRetries"});
    CHECK(t.tenant.webhooks().empty());

    const HeaderList json_headers{{"Authorization", "Bearer " + t.token},
                                  {"Content-Type", "application/json"}};
    genesys_error(t.send("POST", "/api/v2/webhooks", "{not json", json_headers), 400,
                  "bad.request");
    genesys_error(t.send("POST", "/api/v2/webhooks", "", json_headers), 400, "bad.request");
    CHECK(t.tenant.counters().writes == 0);
}

TEST_CASE("API POST and PUT bodies without a JSON media type are answered 415, unread") {
    Api t;
    const std::string id(t.create("a").at("id").as_string());
    auto put = Api::body("a");
    put["version"] = 1;
    struct Call {
        std::string target;
        json::value body;
    };
    const std::vector<Call> calls{
        {"/api/v2/webhooks", Api::body("b")},
        {"/api/v2/webhooks/search", json::object{{"query", {{"name", "a"}}}}},
        {"/api/v2/analytics/webhooks/summary/query",
         json::object{{"interval", "2026-01-05T09:00:00Z/2026-01-05T10:00:00Z"},
                      {"entities", {{{"id", id}}}}}},
        {"/api/v2/auditlogs/query", json::object{}},
    };
    for (const auto& type : {"", "text/plain", "application/x-www-form-urlencoded",
                             "application/jsonx", "text/json"}) {
        CAPTURE(type);
        HeaderList headers{{"Authorization", "Bearer " + t.token}};
        if (*type)
            headers.emplace_back("Content-Type", type);
        for (const Call& call : calls) {
            CAPTURE(call.target);
            const auto r = t.send("POST", call.target, json::serialize(call.body), headers);
            const auto error = genesys_error(r, 415, "unsupported.media.type");
            CHECK(std::string(error.at("message").as_string()).find("application/json") !=
                  std::string::npos);
        }
        genesys_error(t.send("PUT", "/api/v2/webhooks/" + id, json::serialize(put), headers), 415,
                      "unsupported.media.type");
    }
    CHECK(t.tenant.webhooks().size() == 1);
    CHECK(t.tenant.webhook(id)->version == 1);
    CHECK(t.tenant.counters().writes == 1); // only the fixture's create

    for (const auto& type : {"application/json; charset=utf-8", "Application/JSON",
                             " application/json ;charset=UTF-8"}) {
        CAPTURE(type);
        const auto r = t.send("POST", "/api/v2/webhooks", json::serialize(Api::body("b")),
                              {{"Authorization", "Bearer " + t.token}, {"Content-Type", type}});
        CHECK(r.status == 201);
    }
}

TEST_CASE("search finds exact name matches only") {
    Api t;
    t.create("alpha");
    t.create("alpha");
    t.create("alphabet");
    const auto r =
        t.api("POST", "/api/v2/webhooks/search", json::object{{"query", {{"name", "alpha"}}}});
    REQUIRE(r.status == 200);
    CHECK(names_of(json_of(r).at("entities")) == std::vector<std::string>{"alpha", "alpha"});
    CHECK(json_of(t.api("POST", "/api/v2/webhooks/search",
                        json::object{{"query", {{"name", "ALPHA"}}}}))
              .at("entities")
              .as_array()
              .empty());
    genesys_error(t.api("POST", "/api/v2/webhooks/search", json::object{{"name", "alpha"}}), 400,
                  "bad.request");
}

TEST_CASE("unknown API paths are 404 and wrong methods 405") {
    Api t;
    genesys_error(t.api("GET", "/api/v2/users"), 404, "not.found");
    genesys_error(t.api("DELETE", "/api/v2/webhooks"), 405, "method.not.allowed");
    genesys_error(t.api("GET", "/api/v2/webhooks/search"), 405, "method.not.allowed");
    genesys_error(t.send("GET", "/elsewhere"), 404, "not.found");
}

// --- Analytics ---------------------------------------------------------------

TEST_CASE("analytics summarise recorded deliveries per webhook and bucket") {
    Api t;
    const std::string id(t.create("a").at("id").as_string());
    const std::string idle(t.create("b").at("id").as_string());
    const auto d =
        t.control("POST", "/_emulator/webhooks/" + id + "/deliveries",
                  json::object{{"deliveries",
                                {{{"ok", true}, {"latencyMs", 80}, {"at", "2026-01-05T09:10:00Z"}},
                                 {{"ok", true}, {"latencyMs", 900}, {"at", "2026-01-05T09:20:00Z"}},
                                 {{"ok", false}, {"at", "2026-01-05T08:05:00Z"}}}}});
    REQUIRE(d.status == 200);
    const json::object query{
        {"interval", "2026-01-05T08:00:00Z/2026-01-05T10:00:00Z"},
        {"granularity", "PT1H"},
        {"entities", {{{"id", id}}, {{"id", idle}}, {{"id", "never-existed"}}}},
        {"metrics", {"deliverySuccessCount", "deliveryFailureCount", "deliveryLatencyMs"}}};
    const auto r = t.api("POST", "/api/v2/analytics/webhooks/summary/query", query);
    REQUIRE(r.status == 200);
    const auto results = json_of(r).at("results").as_array();
    REQUIRE(results.size() == 3);
    CHECK(results[0].at("entity").at("id").as_string() == id);
    const auto& data = results[0].at("data").as_array();
    REQUIRE(data.size() == 2);
    CHECK(data[0].at("interval") == "2026-01-05T08:00:00.000Z/2026-01-05T09:00:00.000Z");
    CHECK(data[0].at("metrics") ==
          json::parse(R"([{"metric":"deliveryFailureCount","stats":{"count":1}}])"));
    CHECK(data[1].at("metrics") == json::parse(R"([
        {"metric":"deliverySuccessCount","stats":{"count":2}},
        {"metric":"deliveryLatencyMs","stats":{"count":2,"min":80,"max":900,"sum":980}}])"));
    CHECK(results[1].at("data").as_array().empty());
    CHECK(results[2].at("data").as_array().empty());
}

TEST_CASE("analytics accept up to 100 entities and refuse more") {
    Api t;
    json::array entities;
    for (int i = 0; i < 100; ++i)
        entities.push_back(json::object{{"id", "id-" + std::to_string(i)}});
    json::object query{{"interval", "2026-01-05T08:00:00Z/2026-01-05T10:00:00Z"},
                       {"entities", entities}};
    CHECK(t.api("POST", "/api/v2/analytics/webhooks/summary/query", query).status == 200);
    entities.push_back(json::object{{"id", "one-too-many"}});
    query["entities"] = entities;
    genesys_error(t.api("POST", "/api/v2/analytics/webhooks/summary/query", query), 400,
                  "bad.request");
    query["entities"] = json::array{};
    genesys_error(t.api("POST", "/api/v2/analytics/webhooks/summary/query", query), 400,
                  "bad.request");
    query["entities"] = json::array{{{"id", "x"}}};
    query["interval"] = "PT1H";
    genesys_error(t.api("POST", "/api/v2/analytics/webhooks/summary/query", query), 400,
                  "bad.request");
    query["interval"] = "2026-01-05T08:00:00Z/2026-01-05T10:00:00Z";
    query["metrics"] = json::array{"deliveryJoy"};
    genesys_error(t.api("POST", "/api/v2/analytics/webhooks/summary/query", query), 400,
                  "bad.request");
}

// --- Audit -------------------------------------------------------------------

TEST_CASE("every change is audited with who, what and the changed properties, secrets masked") {
    Api t;
    const std::string id(t.create("a").at("id").as_string());
    t.now += 1min;
    auto body = Api::body("a", "new-secret");
    body["version"] = 1;
    body["enabled"] = false;
    REQUIRE(t.api("PUT", "/api/v2/webhooks/" + id, body).status == 200);
    t.now += 1min;
    REQUIRE(t.api("DELETE", "/api/v2/webhooks/" + id).status == 204);

    const auto r = t.api("POST", "/api/v2/auditlogs/query", json::object{{"entityId", id}});
    REQUIRE(r.status == 200);
    const auto page = json_of(r);
    CHECK(page.at("nextPageToken").is_null());
    const auto& entries = page.at("entities").as_array();
    REQUIRE(entries.size() == 3);
    CHECK(entries[0].at("action") == "create");
    CHECK(entries[1].at("action") == "update");
    CHECK(entries[2].at("action") == "delete");
    for (const auto& e : entries) {
        CHECK(e.at("entityId").as_string() == id);
        CHECK(e.at("user").at("id") == "demo-client");
        CHECK(e.at("user").at("name").is_string());
        CHECK(e.at("id").as_string().size() == 36);
        CHECK(json::serialize(e).find("s3cret") == std::string::npos);
        CHECK(json::serialize(e).find("new-secret") == std::string::npos);
    }
    CHECK(entries[1].at("timestamp") == "2026-01-05T10:01:00.000Z");
    CHECK(entries[1].at("changes") == json::parse(R"([
        {"property":"enabled","oldValue":true,"newValue":false},
        {"property":"secret","oldValue":"********","newValue":"********"}])"));
    const auto& created = entries[0].at("changes").as_array();
    CHECK(created.at(0) == json::parse(R"({"property":"name","oldValue":null,"newValue":"a"})"));
}

TEST_CASE("the audit query pages with nextPageToken and filters actions and interval") {
    Api t;
    for (int i = 0; i < 7; ++i) {
        t.create("w" + std::to_string(i));
        t.now += 1min;
    }
    std::vector<std::string> names;
    json::object query{{"actions", {"create"}}, {"pageSize", 3}};
    int pages = 0;
    for (;;) {
        const auto r = t.api("POST", "/api/v2/auditlogs/query", query);
        REQUIRE(r.status == 200);
        const auto page = json_of(r);
        ++pages;
        for (const auto& e : page.at("entities").as_array())
            names.emplace_back(e.at("changes").at(0).at("newValue").as_string());
        if (page.at("nextPageToken").is_null())
            break;
        query["nextPageToken"] = page.at("nextPageToken");
    }
    CHECK(pages == 3);
    CHECK(names == std::vector<std::string>{"w0", "w1", "w2", "w3", "w4", "w5", "w6"});

    const auto none =
        json_of(t.api("POST", "/api/v2/auditlogs/query", json::object{{"actions", {"delete"}}}));
    CHECK(none.at("entities").as_array().empty());
    const auto window =
        json_of(t.api("POST", "/api/v2/auditlogs/query",
                      json::object{{"interval", "2026-01-05T10:02:00Z/2026-01-05T10:04:00Z"}}));
    CHECK(window.at("entities").as_array().size() == 2);
    const auto everything = json_of(t.api("POST", "/api/v2/auditlogs/query", json::object{}));
    CHECK(everything.at("entities").as_array().size() == 7); // default pageSize 25
}

TEST_CASE("audit pageSize outside 1..500 and foreign page tokens are answered 400") {
    Api t;
    for (const auto& q :
         {json::object{{"pageSize", 0}}, json::object{{"pageSize", 501}},
          json::object{{"pageSize", "10"}}, json::object{{"nextPageToken", "x"}},
          json::object{{"nextPageToken", "after-"}}, json::object{{"actions", "create"}},
          json::object{{"interval", "yesterday"}}}) {
        CAPTURE(json::serialize(q));
        genesys_error(t.api("POST", "/api/v2/auditlogs/query", q), 400, "bad.request");
    }
    CHECK(t.api("POST", "/api/v2/auditlogs/query", json::object{{"pageSize", 500}}).status == 200);
}

// --- Rate limiting -----------------------------------------------------------

TEST_CASE("every API answer carries the rate-limit and correlation headers") {
    Api t(Settings{.rpm = 60});
    const auto r = t.api("GET", "/api/v2/webhooks");
    CHECK(r.header("inin-ratelimit-allowed") == "10");
    CHECK(r.header("inin-ratelimit-count") == "1");
    CHECK(r.header("inin-ratelimit-reset") == "1");
    CHECK(r.header("inin-correlation-id").size() == 36);
    CHECK(t.api("GET", "/api/v2/webhooks").header("inin-correlation-id") !=
          r.header("inin-correlation-id"));
    const auto token =
        t.token_request("grant_type=client_credentials", {{"Authorization", kBasicDemo}});
    CHECK(token.header("inin-correlation-id").size() == 36);
}

TEST_CASE("over the limit the API answers 429 with Retry-After and processes nothing") {
    Api t(Settings{.rpm = 60});
    for (int i = 0; i < 10; ++i)
        REQUIRE(t.api("GET", "/api/v2/webhooks").status == 200);
    const auto r = t.api("POST", "/api/v2/webhooks", Api::body("never"));
    const auto error = genesys_error(r, 429, "too.many.requests.retry.after");
    CHECK(r.header("Retry-After") == "1");
    CHECK(
        std::string(error.at("message").as_string()).ends_with("Retry the request in [1] seconds"));
    CHECK(t.tenant.webhooks().empty());
    CHECK(t.tenant.counters().rate_limited == 1);
    t.now += 1s;
    CHECK(t.api("POST", "/api/v2/webhooks", Api::body("later")).status == 201);
}

TEST_CASE("a tenant told to keep its window to itself sends no rate-limit headers, "
          "but still limits and still sends Retry-After") {
    Api t(Settings{.rpm = 60, .rate_limit_headers = false});
    const auto hidden = [](const HttpResponse& r) {
        return r.header("inin-ratelimit-allowed").empty() &&
               r.header("inin-ratelimit-count").empty() && r.header("inin-ratelimit-reset").empty();
    };
    for (int i = 0; i < 10; ++i) {
        const auto r = t.api("GET", "/api/v2/webhooks");
        REQUIRE(r.status == 200);
        CHECK(hidden(r));
    }
    const auto limited = t.api("GET", "/api/v2/webhooks");
    genesys_error(limited, 429, "too.many.requests.retry.after");
    CHECK(limited.header("Retry-After") == "1");
    CHECK(hidden(limited));
    CHECK(hidden(t.send("GET", "/api/v2/webhooks", {}, {{"Authorization", "Bearer nonsense"}})));

    // The control plane turns them back on.
    const auto config =
        t.control("POST", "/_emulator/config", json::object{{"rateLimitHeaders", true}});
    CHECK(json_of(config).at("rateLimitHeaders") == true);
    t.now += 1s;
    CHECK(t.api("GET", "/api/v2/webhooks").header("inin-ratelimit-allowed") == "10");
}

// --- Counters ----------------------------------------------------------------

TEST_CASE("counters count API requests by route and status, but not the control plane") {
    Api t;
    const std::string id(t.create("a").at("id").as_string());
    t.api("GET", "/api/v2/webhooks/" + id);
    t.api("GET", "/api/v2/webhooks/unknown");
    t.api("GET", "/api/v2/webhooks?pageSize=100");
    t.api("POST", "/api/v2/webhooks/search", json::object{{"query", {{"name", "a"}}}});
    t.token_request("grant_type=client_credentials", {{"Authorization", kBasicDemo}});
    t.control("GET", "/_emulator/state");

    const auto r = t.control("GET", "/_emulator/counters");
    REQUIRE(r.status == 200);
    const auto counters = json_of(r);
    CHECK(counters.at("requests") == json::object{{"POST /api/v2/webhooks", 1},
                                                  {"GET /api/v2/webhooks/{id}", 2},
                                                  {"GET /api/v2/webhooks", 1},
                                                  {"POST /api/v2/webhooks/search", 1},
                                                  {"POST /oauth/token", 1}});
    CHECK(counters.at("statuses") == json::object{{"200", 4}, {"201", 1}, {"404", 1}});
    CHECK(counters.at("writes").as_int64() == 1);
    CHECK(counters.at("tokensIssued").as_int64() == 2);
    CHECK(counters.at("rateLimited").as_int64() == 0);
    CHECK(route_key("PUT", "/api/v2/webhooks/abc") == "PUT /api/v2/webhooks/{id}");
    CHECK(route_key("POST", "/api/v2/webhooks/search") == "POST /api/v2/webhooks/search");
}

TEST_CASE("a body refused as too large is answered 413 with a Genesys body and counted") {
    Api t;
    t.control("POST", "/_emulator/faults", json::object{{"action", "reset"}});
    const auto r = t.router.refuse_too_large(
        {"POST", "/api/v2/webhooks", {{"Content-Length", "2000000"}}, {}, true}, 1024);
    const auto error = genesys_error(r, 413, "request.entity.too.large");
    CHECK(std::string(error.at("message").as_string()).find("1024 bytes") != std::string::npos);
    CHECK(r.disposition == Disposition::answer);
    CHECK(t.tenant.faults().size() == 1); // no fault applies to an unread request
    t.router.refuse_too_large({"POST", "/_emulator/faults", {}, {}, true}, 1024);
    CHECK(t.tenant.counters().requests == std::map<std::string, std::int64_t>{
                                              {"POST /api/v2/webhooks", 1}});
    CHECK(t.tenant.counters().statuses == std::map<int, std::int64_t>{{413, 1}});
}

// --- Faults ------------------------------------------------------------------

TEST_CASE("a status fault answers its status with a Genesys body and Retry-After, once") {
    Api t;
    const auto added = t.control("POST", "/_emulator/faults",
                                 json::object{{"method", "GET"},
                                              {"path", "^/api/v2/webhooks$"},
                                              {"action", "status"},
                                              {"status", 503},
                                              {"retryAfter", 2}});
    REQUIRE(added.status == 201);
    CHECK(t.api("POST", "/api/v2/webhooks", Api::body("a")).status == 201); // method differs
    const auto r = t.api("GET", "/api/v2/webhooks");
    genesys_error(r, 503, "service.unavailable");
    CHECK(r.header("Retry-After") == "2");
    CHECK(r.disposition == Disposition::answer);
    CHECK(t.api("GET", "/api/v2/webhooks").status == 200);
    CHECK(json_of(t.control("GET", "/_emulator/faults")).at("faults").as_array().empty());
}

TEST_CASE("a reset fault drops the request unprocessed; commit-then-reset processes it first") {
    Api t;
    t.control(
        "POST", "/_emulator/faults",
        json::object{{"method", "POST"}, {"path", "^/api/v2/webhooks$"}, {"action", "reset"}});
    const auto reset = t.api("POST", "/api/v2/webhooks", Api::body("lost"));
    CHECK(reset.disposition == Disposition::reset);
    CHECK(t.tenant.webhooks().empty());

    t.control("POST", "/_emulator/faults",
              json::object{{"method", "POST"},
                           {"path", "^/api/v2/webhooks$"},
                           {"action", "commit-then-reset"}});
    const auto committed = t.api("POST", "/api/v2/webhooks", Api::body("kept"));
    CHECK(committed.disposition == Disposition::commit_then_reset);
    REQUIRE(t.tenant.webhooks().size() == 1);
    CHECK(t.tenant.webhooks()[0].name == "kept");
    CHECK(t.tenant.counters().writes == 1);
    CHECK(t.tenant.counters().requests.at("POST /api/v2/webhooks") == 2);
    CHECK(t.tenant.counters().statuses.empty()); // nothing was answered
}

TEST_CASE("hang and malformed faults are described to the server") {
    Api t;
    t.control("POST", "/_emulator/faults",
              json::object{{"path", "^/api/v2/webhooks"}, {"action", "hang"}, {"seconds", 1.5}});
    t.control("POST", "/_emulator/faults",
              json::object{{"path", "^/api/v2/webhooks"}, {"action", "malformed"}, {"count", 2}});
    const auto faults = json_of(t.control("GET", "/_emulator/faults")).at("faults").as_array();
    REQUIRE(faults.size() == 2);
    CHECK(faults[1].at("count").as_int64() == 2);

    const auto hang = t.api("GET", "/api/v2/webhooks");
    CHECK(hang.disposition == Disposition::hang);
    CHECK(hang.delay == 1500ms);
    for (int i = 0; i < 2; ++i) {
        const auto malformed = t.api("GET", "/api/v2/webhooks");
        CHECK(malformed.status == 200);
        boost::system::error_code ec;
        json::parse(malformed.body, ec);
        CHECK(ec);
    }
    CHECK(t.api("GET", "/api/v2/webhooks").status == 200);
}

TEST_CASE("bad fault rules are refused and DELETE clears the rest") {
    Api t;
    for (const auto& f :
         {json::object{{"action", "explode"}}, json::object{{"path", "("}, {"action", "reset"}},
          json::object{{"action", "reset"}, {"count", 0}},
          json::object{{"action", "status"}, {"status", 99}},
          json::object{{"action", "reset"}, {"typo", 1}}}) {
        CAPTURE(json::serialize(f));
        CHECK(t.control("POST", "/_emulator/faults", f).status == 400);
    }
    t.control("POST", "/_emulator/faults", json::object{{"action", "reset"}});
    CHECK(t.control("DELETE", "/_emulator/faults").status == 204);
    CHECK(t.api("GET", "/api/v2/webhooks").disposition == Disposition::answer);
}

// --- Control plane -----------------------------------------------------------

TEST_CASE("the control plane only answers loopback peers") {
    Api t;
    emulator::HttpRequest request{"GET", "/_emulator/state", {}, {}, false};
    const auto r = t.router.handle(request);
    CHECK(r.status == 403);
    request.from_loopback = true;
    CHECK(t.router.handle(request).status == 200);
}

TEST_CASE("state shows every webhook with its secret") {
    Api t;
    t.create("a", "first");
    t.create("b", "second");
    const auto state = json_of(t.control("GET", "/_emulator/state"));
    const auto& webhooks = state.at("webhooks").as_array();
    REQUIRE(webhooks.size() == 2);
    CHECK(webhooks[0].at("secret") == "first");
    CHECK(webhooks[1].at("secret") == "second");
}

TEST_CASE("a webhook inserted through the control plane looks made in the UI") {
    Api t;
    auto body = Api::body("from-ui");
    body["id"] = "11111111-2222-4333-8444-555555555555";
    body["eventTypes"] = json::array{"Not A Valid Type"}; // no validation beyond the JSON shape
    const auto r = t.control("POST", "/_emulator/webhooks", body);
    REQUIRE(r.status == 201);
    const auto w = json_of(r);
    CHECK(w.at("id") == "11111111-2222-4333-8444-555555555555");
    CHECK(w.at("modifiedBy").at("id") == "ui-user");
    CHECK(w.at("version").as_int64() == 1);
    CHECK(w.at("secret") == "s3cret");
    const auto audit = t.tenant.audit({}).entries;
    REQUIRE(audit.size() == 1);
    CHECK(audit[0].user.id == "ui-user");
    CHECK(t.control("POST", "/_emulator/webhooks", body).status == 409); // id taken
    CHECK(t.control("POST", "/_emulator/webhooks", json::object{{"name", 5}}).status == 400);
    CHECK(t.tenant.counters().writes == 0); // the UI's writes are not the client's
}

TEST_CASE("drift changes the given fields, bumps the version and is audited") {
    Api t;
    const std::string id(t.create("a").at("id").as_string());
    t.now += 5min;
    const auto r = t.control("PATCH", "/_emulator/webhooks/" + id,
                             json::object{{"endpointUrl", "https://elsewhere.example/hook"},
                                          {"retryPolicy", {{"maxRetries", 7}}}});
    REQUIRE(r.status == 200);
    const auto w = json_of(r);
    CHECK(w.at("version").as_int64() == 2);
    CHECK(w.at("endpointUrl") == "https://elsewhere.example/hook");
    CHECK(w.at("retryPolicy") == json::object{{"retryInterval", "PT1M"}, {"maxRetries", 7}});
    CHECK(w.at("name") == "a");
    CHECK(w.at("modifiedBy").at("id") == "ui-user");
    CHECK(w.at("dateModified") == "2026-01-05T10:05:00.000Z");

    const auto audit = t.tenant.audit({.actions = {"update"}}).entries;
    REQUIRE(audit.size() == 1);
    REQUIRE(audit[0].changes.size() == 2);
    CHECK(audit[0].changes[0].property == "endpointUrl");
    CHECK(audit[0].changes[1].property == "retryPolicy.maxRetries");
    CHECK(audit[0].changes[1].old_value == 3);
    CHECK(audit[0].changes[1].new_value == 7);

    CHECK(t.control("PATCH", "/_emulator/webhooks/" + id, json::object{{"version", 9}}).status ==
          400);
    CHECK(t.control("PATCH", "/_emulator/webhooks/unknown", json::object{{"name", "x"}}).status ==
          404);
    CHECK(
        t.control("PATCH", "/_emulator/webhooks/" + id, json::object{{"secret", nullptr}}).status ==
        200);
    CHECK_FALSE(t.tenant.webhook(id)->secret);
}

TEST_CASE("drift refuses unknown retryPolicy members and null on anything but secret") {
    Api t;
    const std::string id(t.create("a").at("id").as_string());
    const auto before = t.tenant.webhook(id).value();
    for (const auto& bad : {
             json::object{{"retryPolicy", {{"maxRetry", 7}}}},
             json::object{{"retryPolicy", {{"maxRetries", 7}, {"retryIntervall", "PT5M"}}}},
             json::object{{"retryPolicy", {{"retryInterval", nullptr}}}},
             json::object{{"retryPolicy", nullptr}},
             json::object{{"name", nullptr}},
             json::object{{"eventTypes", nullptr}},
             json::object{{"endpointUrl", nullptr}},
             json::object{{"payloadTemplate", nullptr}},
             json::object{{"enabled", nullptr}, {"secret", nullptr}},
         }) {
        CAPTURE(json::serialize(bad));
        const auto r = t.control("PATCH", "/_emulator/webhooks/" + id, bad);
        genesys_error(r, 400, "bad.request");
    }
    const auto after = t.tenant.webhook(id).value();
    CHECK(after.version == before.version);
    CHECK(after.name == "a");
    CHECK(after.retry_policy.max_retries == before.retry_policy.max_retries);
    CHECK(after.secret == before.secret);
    CHECK(t.tenant.audit({.actions = {"update"}}).entries.empty());
}

TEST_CASE("a webhook deleted through the control plane is gone and audited as the UI") {
    Api t;
    const std::string id(t.create("a").at("id").as_string());
    CHECK(t.control("DELETE", "/_emulator/webhooks/" + id).status == 204);
    CHECK(t.tenant.webhooks().empty());
    const auto audit = t.tenant.audit({.actions = {"delete"}}).entries;
    REQUIRE(audit.size() == 1);
    CHECK(audit[0].user.id == "ui-user");
    CHECK(t.control("DELETE", "/_emulator/webhooks/" + id).status == 404);
}

TEST_CASE("recorded deliveries show in the webhook's health") {
    Api t;
    const std::string id(t.create("a").at("id").as_string());
    const auto r = t.control(
        "POST", "/_emulator/webhooks/" + id + "/deliveries",
        json::object{{"deliveries", {{{"ok", true}, {"latencyMs", 80}}, {{"ok", false}}}}});
    REQUIRE(r.status == 200);
    CHECK(json_of(r).at("recorded").as_int64() == 2);
    CHECK(json_of(r).at("health").at("status") == "degraded");
    const auto w = json_of(t.api("GET", "/api/v2/webhooks/" + id));
    CHECK(w.at("health").at("status") == "degraded");
    CHECK(w.at("health").at("consecutiveFailures").as_int64() == 1);
    CHECK(w.at("health").at("lastDeliveryAt") == "2026-01-05T10:00:00.000Z");
    CHECK(w.at("version").as_int64() == 1); // health is not a change of the webhook

    for (const auto& bad : {json::object{{"deliveries", {{{"latencyMs", 5}}}}},
                            json::object{{"deliveries", {{{"ok", true}, {"at", "noon"}}}}},
                            json::object{{"deliveries", {{{"ok", true}, {"latencyMs", -1}}}}},
                            json::object{{"delivery", json::array{}}}}) {
        CAPTURE(json::serialize(bad));
        CHECK(t.control("POST", "/_emulator/webhooks/" + id + "/deliveries", bad).status == 400);
    }
    CHECK(t.control("POST", "/_emulator/webhooks/unknown/deliveries",
                    json::object{{"deliveries", json::array{}}})
              .status == 404);
}

TEST_CASE("config changes settings at runtime and refuses nonsense") {
    Api t;
    const auto r = t.control(
        "POST", "/_emulator/config",
        json::object{{"rpm", 120}, {"tokenLifetime", 30}, {"echoSecrets", true}});
    REQUIRE(r.status == 200);
    CHECK(json_of(r) == json::object{{"clientId", "demo-client"},
                                     {"rpm", 120},
                                     {"burst", 20},
                                     {"tokenLifetime", 30},
                                     {"echoSecrets", true},
                                     {"rateLimitHeaders", true}});
    CHECK(json_of(t.control("GET", "/_emulator/config")) == json_of(r));
    const auto token =
        t.token_request("grant_type=client_credentials", {{"Authorization", kBasicDemo}});
    CHECK(json_of(token).at("expires_in").as_int64() == 30);
    for (const auto& bad :
         {json::object{{"rpm", 0}}, json::object{{"rpm", "fast"}}, json::object{{"latencyMs", -1}},
          json::object{{"echoSecrets", 1}}, json::object{{"rateLimitHeaders", "no"}},
          json::object{{"speed", 1}}}) {
        CAPTURE(json::serialize(bad));
        CHECK(t.control("POST", "/_emulator/config", bad).status == 400);
    }
}

TEST_CASE("reset forgets webhooks, tokens, audit, counters, faults and deliveries") {
    Api t;
    const std::string id(t.create("a").at("id").as_string());
    t.control("POST", "/_emulator/webhooks/" + id + "/deliveries",
              json::object{{"deliveries", {{{"ok", true}}}}});
    t.control("POST", "/_emulator/faults",
              json::object{{"action", "reset"}, {"path", "^/nowhere$"}});
    CHECK(t.control("POST", "/_emulator/reset").status == 204);

    CHECK(t.tenant.webhooks().empty());
    CHECK(t.tenant.audit({}).entries.empty());
    CHECK(t.tenant.faults().empty());
    CHECK(t.tenant.deliveries(id).empty());
    CHECK(t.tenant.counters().requests.empty());
    CHECK(t.tenant.counters().writes == 0);
    genesys_error(t.api("GET", "/api/v2/webhooks"), 401, "bad.credentials");
}

TEST_CASE("unknown control-plane paths and methods are refused") {
    Api t;
    CHECK(t.control("GET", "/_emulator/nothing").status == 404);
    CHECK(t.control("POST", "/_emulator/state").status == 405);
    CHECK(t.control("GET", "/_emulator/reset").status == 405);
    CHECK(t.control("GET", "/_emulator/webhooks/abc").status == 405);
}
