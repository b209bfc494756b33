// The emulator's own validation of webhook bodies (SPEC §2 rules as the
// tenant applies them, §5).
#include "tests/emulator/emulator_validation.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>
#include <string>

using namespace hookwarden::emulator;
namespace json = boost::json;

namespace {

json::object valid_body() {
    return {{"name", "SystemEventMonitor"},
            {"eventTypes", {"user:login", "user:logout"}},
            {"endpointUrl", "https://myapp.example.com/webhooks/genesys"},
            {"retryPolicy", {{"retryInterval", "PT1M"}, {"maxRetries", 3}}},
            {"payloadTemplate", "{{event}}"},
            {"enabled", true},
            {"secret", "s3cret"}};
}

/// The fields named by the problems of `body`, in order.
std::string fields_of(const json::value& body) {
    std::string out;
    for (const auto& p : validate_webhook_body(body))
        out += (out.empty() ? "" : ",") + p.field;
    return out;
}

} // namespace

TEST_CASE("a complete, valid webhook body has no problems") {
    CHECK(validate_webhook_body(valid_body()).empty());
    json::object minimal{
        {"name", "a"}, {"eventTypes", {"routing:queue.created"}}, {"endpointUrl", "https://h"}};
    CHECK(validate_webhook_body(minimal).empty());
}

TEST_CASE("the limits of each rule are inclusive") {
    auto body = valid_body();
    body["name"] = std::string(128, 'n');
    json::array fifty;
    for (int i = 0; i < 50; ++i)
        fifty.emplace_back("user:event" + std::to_string(i));
    body["eventTypes"] = fifty;
    body["retryPolicy"] = {{"retryInterval", "PT1S"}, {"maxRetries", 0}};
    CHECK(validate_webhook_body(body).empty());
    body["retryPolicy"] = {{"retryInterval", "P1D"}, {"maxRetries", 10}};
    CHECK(validate_webhook_body(body).empty());
    body["retryPolicy"] = {{"retryInterval", "PT24H"}, {"maxRetries", 10}};
    CHECK(validate_webhook_body(body).empty());
}

TEST_CASE("each broken rule is reported with the field it concerns") {
    struct Case {
        const char* member;
        json::value value;
        const char* field;
    };
    const Case cases[] = {
        {"name", "", "name"},
        {"name", json::string(129, 'n'), "name"},
        {"name", "has space", "name"},
        {"name", "slash/name", "name"},
        {"name", 7, "name"},
        {"eventTypes", json::array{}, "eventTypes"},
        {"eventTypes", "user:login", "eventTypes"},
        {"eventTypes", {"User:login"}, "eventTypes[0]"},
        {"eventTypes", {"user:login", "user"}, "eventTypes[1]"},
        {"eventTypes", {"user:login", "user:login"}, "eventTypes[1]"},
        {"eventTypes", {"user:login", 5}, "eventTypes[1]"},
        {"eventTypes", {"user:log-in"}, "eventTypes[0]"},
        {"endpointUrl", "http://myapp.example.com/hook", "endpointUrl"},
        {"endpointUrl", "/relative/path", "endpointUrl"},
        {"endpointUrl", "https://", "endpointUrl"},
        {"endpointUrl", "https:///path", "endpointUrl"},
        {"endpointUrl", "not a url", "endpointUrl"},
        {"endpointUrl", true, "endpointUrl"},
        {"retryPolicy", "PT1M", "retryPolicy"},
        {"retryPolicy", {{"retryInterval", "PT0S"}}, "retryPolicy.retryInterval"},
        {"retryPolicy", {{"retryInterval", "PT0.5S"}}, "retryPolicy.retryInterval"},
        {"retryPolicy", {{"retryInterval", "P1DT1S"}}, "retryPolicy.retryInterval"},
        {"retryPolicy", {{"retryInterval", "1 minute"}}, "retryPolicy.retryInterval"},
        {"retryPolicy", {{"retryInterval", 60}}, "retryPolicy.retryInterval"},
        {"retryPolicy", {{"maxRetries", 11}}, "retryPolicy.maxRetries"},
        {"retryPolicy", {{"maxRetries", -1}}, "retryPolicy.maxRetries"},
        {"retryPolicy", {{"maxRetries", "3"}}, "retryPolicy.maxRetries"},
        {"retryPolicy", {{"maxRetries", 2.5}}, "retryPolicy.maxRetries"},
        {"payloadTemplate", 1, "payloadTemplate"},
        {"enabled", "yes", "enabled"},
        {"secret", 42, "secret"},
        {"version", "3", "version"},
    };
    for (const auto& c : cases) {
        auto body = valid_body();
        body[c.member] = c.value;
        CAPTURE(json::serialize(body));
        CHECK(fields_of(body) == c.field);
    }
}

TEST_CASE("event types follow ^[a-z][a-zA-Z0-9]*(:[a-zA-Z0-9_.]+)+$ exactly") {
    for (const char* good : {"user:login", "a:b", "user1:x.y_z", "routing:queue:created",
                             "v2:users.Presence", "aB9:_"}) {
        auto body = valid_body();
        body["eventTypes"] = json::array{good};
        CAPTURE(good);
        CHECK(fields_of(body).empty());
    }
    for (const char* bad : {"user", "user:", ":login", "user::login", "User:login", "1user:x",
                            "user:log-in", "user.x:login", "user:login:", "user :login", ""}) {
        auto body = valid_body();
        body["eventTypes"] = json::array{bad};
        CAPTURE(bad);
        CHECK(fields_of(body) == "eventTypes[0]");
    }
}

TEST_CASE("retryInterval is read as SPEC §2 reads it: days, hours, minutes, whole seconds") {
    const auto problems_with = [](const char* interval) {
        auto body = valid_body();
        body["retryPolicy"] = {{"retryInterval", interval}, {"maxRetries", 3}};
        return fields_of(body);
    };
    for (const char* good : {"PT1S", "PT1M", "PT1H30M", "P1D", "PT24H", "PT86400S", "P1DT0S"}) {
        CAPTURE(good);
        CHECK(problems_with(good).empty());
    }
    for (const char* bad : {"P2W", "P1W", "PT1.5S", "PT60.0S", "P1DT2H", "", "P", "PT", "1M",
                            "PT1", "P1M", "P1Y", "PT1X", "PT5M1H", "P1DT", "PT-1S", "1 minute",
                            "PT1.S"}) {
        CAPTURE(bad);
        CHECK(problems_with(bad) == "retryPolicy.retryInterval");
    }
}

TEST_CASE("missing required members are each reported, all at once") {
    CHECK(fields_of(json::object{}) == "name,eventTypes,endpointUrl");
    CHECK(fields_of(json::array{}) == "body");
    json::array too_many;
    for (int i = 0; i < 51; ++i)
        too_many.emplace_back("user:event" + std::to_string(i));
    auto body = valid_body();
    body["eventTypes"] = too_many;
    CHECK(fields_of(body) == "eventTypes");
}
