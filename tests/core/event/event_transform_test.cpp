// The event transform of SPEC §7: the tutorial's sample event, every
// failure named by its JSON path, all failures of an event at once.
#include "core/event/event_transform.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <stdexcept>

using namespace hookwarden;
namespace json = boost::json;

namespace {

const auto received_at = std::chrono::sys_days{std::chrono::year{2026} / 1 / 15} + std::chrono::hours{10} +
                         std::chrono::minutes{30} + std::chrono::milliseconds{42};

std::vector<std::string> problems(std::string_view text) {
    std::vector<std::string> out;
    for (const auto& problem : check_event(json::parse(text)))
        out.push_back(problem.format());
    return out;
}

std::string transformed(std::string_view text) {
    const json::value event = json::parse(text);
    REQUIRE(check_event(event).empty());
    return json::serialize(transform_event(event, received_at));
}

using Problems = std::vector<std::string>;

} // namespace

TEST_CASE("the tutorial's sample event transforms as SPEC §7 says, members in order") {
    CHECK(transformed(R"({"eventType": "user:login", "timestamp": "2024-01-15T10:30:00Z",
                          "actor": {"id": "usr-123", "name": "Jane Doe"},
                          "metadata": {"ip": "192.168.1.10", "device": "desktop"}})") ==
          R"({"event_type":"user:login","actor_id":"usr-123","received_at":"2026-01-15T10:30:00.042Z",)"
          R"("original_timestamp":"2024-01-15T10:30:00Z","routing_key":"system.user_login",)"
          R"("attributes":{"actor_name":"Jane Doe","metadata_keys":["ip","device"]}})");
}

TEST_CASE("absent actor.name is \"unknown\" and absent metadata gives no keys") {
    CHECK(transformed(R"({"eventType": "x", "timestamp": "2024-01-15T10:30:00+02:00", "actor": {"id": "a"}})") ==
          R"({"event_type":"x","actor_id":"a","received_at":"2026-01-15T10:30:00.042Z",)"
          R"("original_timestamp":"2024-01-15T10:30:00+02:00","routing_key":"system.x",)"
          R"("attributes":{"actor_name":"unknown","metadata_keys":[]}})");
}

TEST_CASE("every ':' of the event type becomes '_' in the routing key, and nothing else changes") {
    const auto out = json::parse(transformed(
        R"({"eventType": "v2:users:{id}:presence:", "timestamp": "2024-01-15T10:30:00Z", "actor": {"id": "a"}})"));
    CHECK(out.at("routing_key") == "system.v2_users_{id}_presence_");
    CHECK(out.at("event_type") == "v2:users:{id}:presence:");
}

TEST_CASE("metadata keys keep their input order, and extra members are ignored") {
    const auto out = json::parse(transformed(R"({"eventType": "e", "timestamp": "2024-01-15T10:30:00.123456Z",
        "actor": {"id": "a", "email": "a@example.com"}, "metadata": {"z": 1, "a": {"deep": [1]}, "m": null},
        "extra": true})"));
    CHECK(out.at("attributes").at("metadata_keys") == json::array{"z", "a", "m"});
    CHECK(out.at("original_timestamp") == "2024-01-15T10:30:00.123456Z");
}

TEST_CASE("the original timestamp is copied unchanged, not reformatted") {
    const auto out = json::parse(
        transformed(R"({"eventType": "e", "timestamp": "2024-01-15t10:30:00.5z", "actor": {"id": "a"}})"));
    CHECK(out.at("original_timestamp") == "2024-01-15t10:30:00.5z");
}

TEST_CASE("a missing required member is named by its JSON path") {
    CHECK(problems(R"({"timestamp": "2024-01-15T10:30:00Z", "actor": {"id": "a"}})") ==
          Problems{"$.eventType: required"});
    CHECK(problems(R"({"eventType": "e", "actor": {"id": "a"}})") == Problems{"$.timestamp: required"});
    CHECK(problems(R"({"eventType": "e", "timestamp": "2024-01-15T10:30:00Z"})") == Problems{"$.actor: required"});
    CHECK(problems(R"({"eventType": "e", "timestamp": "2024-01-15T10:30:00Z", "actor": {"name": "n"}})") ==
          Problems{"$.actor.id: required"});
}

TEST_CASE("a member of the wrong type is named by its JSON path") {
    CHECK(problems(R"({"eventType": 1, "timestamp": "2024-01-15T10:30:00Z", "actor": {"id": "a"}})") ==
          Problems{"$.eventType: must be a string"});
    CHECK(problems(R"({"eventType": "e", "timestamp": 1705314600, "actor": {"id": "a"}})") ==
          Problems{"$.timestamp: must be a string"});
    CHECK(problems(R"({"eventType": "e", "timestamp": "2024-01-15 10:30:00", "actor": {"id": "a"}})") ==
          Problems{"$.timestamp: not an RFC 3339 date-time"});
    CHECK(problems(R"({"eventType": "e", "timestamp": "2024-01-15T10:30:00Z", "actor": "usr-1"})") ==
          Problems{"$.actor: must be an object"});
    CHECK(problems(R"({"eventType": "e", "timestamp": "2024-01-15T10:30:00Z", "actor": {"id": 7}})") ==
          Problems{"$.actor.id: must be a string"});
    CHECK(problems(R"({"eventType": "e", "timestamp": "2024-01-15T10:30:00Z", "actor": {"id": "a", "name": null}})") ==
          Problems{"$.actor.name: must be a string"});
    CHECK(problems(R"({"eventType": "e", "timestamp": "2024-01-15T10:30:00Z", "actor": {"id": "a"}, "metadata": []})") ==
          Problems{"$.metadata: must be an object"});
    CHECK(problems(R"({"eventType": "e", "timestamp": "2024-01-15T10:30:00Z", "actor": {"id": "a"}, "metadata": null})") ==
          Problems{"$.metadata: must be an object"});
}

TEST_CASE("all failures of one event are reported, not only the first") {
    CHECK(problems(R"({"eventType": null, "timestamp": "yesterday", "actor": {"name": 3}, "metadata": "x"})") ==
          Problems{"$.eventType: must be a string", "$.timestamp: not an RFC 3339 date-time", "$.actor.id: required",
                   "$.actor.name: must be a string", "$.metadata: must be an object"});
    CHECK(problems("{}") == Problems{"$.eventType: required", "$.timestamp: required", "$.actor: required"});
}

TEST_CASE("an event that is not an object is refused as a whole") {
    for (const char* text : {"[]", "null", "\"user:login\"", "42"}) {
        CAPTURE(text);
        CHECK(problems(text) == Problems{"$: must be an object"});
    }
}

TEST_CASE("transforming an event check_event refuses is a caller's bug") {
    CHECK_THROWS_AS(transform_event(json::parse("{}"), received_at), std::logic_error);
}
