// The Process Automation trigger's JSON wire form (daemon/tenant/trigger_json.hpp):
// member names and nesting as the official SDK models write them, write
// bodies, defaults for what the API leaves out, and wrong types named.
#include "daemon/tenant/trigger_json.hpp"
#include "tests/support/doctest_result.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

using namespace hookwarden;
namespace json = boost::json;

TEST_SUITE("trigger JSON") {

namespace {

Trigger full_trigger() {
    Trigger t;
    t.id = "7d1e-id";
    t.version = 4;
    t.self_uri = "/api/v2/processautomation/triggers/7d1e-id";
    t.name = "SMS after chat error";
    t.topic_name = "v2.detail.events.conversation.{id}.customer.end";
    t.target = {"Workflow", "5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8b", "TopLevelPrimitives"};
    t.match_criteria = {{"mediaType", "Equal", json::value("CHAT"), std::nullopt},
                        {"disconnectType", "In", std::nullopt, std::vector<json::value>{"error", "transfer"}},
                        {"queue.size", "GreaterThan", json::value(3), std::nullopt}};
    t.enabled = false;
    t.delay_by_seconds = 120;
    t.description = "Text the customer when a chat ends badly";
    return t;
}

// The contract's example resource (SPEC §8), as the tenant sends it.
constexpr const char* wire_example = R"({
  "id": "uuid", "name": "SMS after chat error",
  "topicName": "v2.detail.events.conversation.{id}.customer.end",
  "target": {"type": "Workflow", "id": "wf", "workflowTargetSettings": {"dataFormat": "Json"}},
  "matchCriteria": [{"jsonPath": "mediaType", "operator": "Equal", "value": "CHAT"},
                    {"jsonPath": "disconnectType", "operator": "In", "values": ["error", "transfer"]}],
  "enabled": true, "eventTTLSeconds": 60, "description": "d",
  "version": 1, "selfUri": "/api/v2/processautomation/triggers/uuid"})";

} // namespace

TEST_CASE("a trigger survives a JSON round trip with every field, through text too") {
    const Trigger t = full_trigger();
    const json::value value = trigger_to_json(t);
    const auto back = trigger_from_json(value);
    REQUIRE(back);
    CHECK(*back == t);
    const auto reparsed = trigger_from_json(json::parse(json::serialize(value)));
    REQUIRE(reparsed);
    CHECK(*reparsed == t);

    Trigger ttl = full_trigger();
    ttl.delay_by_seconds.reset();
    ttl.event_ttl_seconds = 60;
    ttl.match_criteria.clear();
    ttl.description.clear();
    const auto ttl_back = trigger_from_json(json::value(trigger_to_json(ttl)));
    REQUIRE(ttl_back);
    CHECK(*ttl_back == ttl);
}

TEST_CASE("the wire example reads into the trigger it describes and writes back the same members") {
    const auto parsed = json::parse(wire_example);
    const auto t = trigger_from_json(parsed);
    REQUIRE(t);
    CHECK(t->id == "uuid");
    CHECK(t->version == 1);
    CHECK(t->topic_name == "v2.detail.events.conversation.{id}.customer.end");
    CHECK(t->target == TriggerTarget{"Workflow", "wf", "Json"});
    REQUIRE(t->match_criteria.size() == 2);
    CHECK(t->match_criteria[0] == MatchCriterion{"mediaType", "Equal", json::value("CHAT"), std::nullopt});
    CHECK(t->match_criteria[1] ==
          MatchCriterion{"disconnectType", "In", std::nullopt, std::vector<json::value>{"error", "transfer"}});
    CHECK(t->event_ttl_seconds == 60);
    CHECK_FALSE(t->delay_by_seconds);
    CHECK(json::value(trigger_to_json(*t)) == parsed);
}

TEST_CASE("the resource JSON has the SDK's member names and nesting") {
    const auto o = trigger_to_json(full_trigger());
    CHECK(o.at("id") == "7d1e-id");
    CHECK(o.at("name") == "SMS after chat error");
    CHECK(o.at("topicName") == "v2.detail.events.conversation.{id}.customer.end");
    CHECK(o.at("target") == json::parse(R"({"type": "Workflow", "id": "5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8b",
                                           "workflowTargetSettings": {"dataFormat": "TopLevelPrimitives"}})"));
    CHECK(o.at("matchCriteria") == json::parse(R"([{"jsonPath": "mediaType", "operator": "Equal", "value": "CHAT"},
        {"jsonPath": "disconnectType", "operator": "In", "values": ["error", "transfer"]},
        {"jsonPath": "queue.size", "operator": "GreaterThan", "value": 3}])"));
    CHECK(o.at("enabled") == false);
    CHECK(o.at("delayBySeconds") == 120);
    CHECK_FALSE(o.contains("eventTTLSeconds"));
    CHECK(o.at("description") == "Text the customer when a chat ends badly");
    CHECK(o.at("version") == 4);
    CHECK(o.at("selfUri") == "/api/v2/processautomation/triggers/7d1e-id");
    // Nothing beyond the SDK model's members.
    for (const auto& member : o) {
        const std::string key(member.key());
        INFO(key);
        CHECK((key == "id" || key == "name" || key == "topicName" || key == "target" || key == "version" ||
               key == "enabled" || key == "matchCriteria" || key == "eventTTLSeconds" || key == "delayBySeconds" ||
               key == "description" || key == "selfUri"));
    }
}

TEST_CASE("a write body carries client fields only, version when known, and always the criteria") {
    Trigger t = full_trigger();
    auto body = trigger_to_json(t, TriggerJsonFields::write_body);
    CHECK_FALSE(body.contains("id"));
    CHECK_FALSE(body.contains("selfUri"));
    CHECK(body.at("version") == 4);
    CHECK(body.at("topicName") == json::value(t.topic_name));
    CHECK(body.at("target").at("workflowTargetSettings").at("dataFormat") == "TopLevelPrimitives");

    // A create: no version. A PUT replaces everything, so no criteria is [].
    t.version = 0;
    t.match_criteria.clear();
    t.delay_by_seconds.reset();
    t.description.clear();
    body = trigger_to_json(t, TriggerJsonFields::write_body);
    CHECK_FALSE(body.contains("version"));
    CHECK(body.at("matchCriteria") == json::array{});
    CHECK_FALSE(body.contains("delayBySeconds"));
    CHECK_FALSE(body.contains("eventTTLSeconds"));
    CHECK_FALSE(body.contains("description"));
}

TEST_CASE("absent members keep their defaults: TopLevelPrimitives, no criteria, unset TTL and delay") {
    const auto t = trigger_from_json(json::parse(
        R"({"id": "x", "name": "N", "topicName": "v2.users.{id}.presence", "target": {"type": "Workflow", "id": "wf"}})"));
    REQUIRE(t);
    // The mode a target without workflowTargetSettings runs in.
    CHECK(t->target.data_format == "TopLevelPrimitives");
    CHECK(t->match_criteria.empty());
    CHECK(t->enabled);
    CHECK_FALSE(t->event_ttl_seconds);
    CHECK_FALSE(t->delay_by_seconds);
    CHECK(t->description.empty());
    CHECK(t->version == 0);

    const auto settings_empty = trigger_from_json(json::parse(R"({"target": {"workflowTargetSettings": {}}})"));
    REQUIRE(settings_empty);
    CHECK(settings_empty->target.data_format == "TopLevelPrimitives");
}

TEST_CASE("null members count as absent, as clients that write both value and values send them") {
    const auto t = trigger_from_json(json::parse(R"({"name": "N", "eventTTLSeconds": null, "description": null,
        "matchCriteria": [{"jsonPath": "a", "operator": "Equal", "value": "x", "values": null},
                          {"jsonPath": "b", "operator": "In", "value": null, "values": [1, 2]}]})"));
    REQUIRE(t);
    CHECK_FALSE(t->event_ttl_seconds);
    REQUIRE(t->match_criteria.size() == 2);
    CHECK(t->match_criteria[0].value == json::value("x"));
    CHECK_FALSE(t->match_criteria[0].values);
    CHECK_FALSE(t->match_criteria[1].value);
    CHECK(t->match_criteria[1].values == std::vector<json::value>{1, 2});
}

TEST_CASE("unknown trigger members are ignored, so the API may grow") {
    const auto t = trigger_from_json(json::parse(R"({"name": "N", "dateCreated": "2026-01-01", "hasDelayBy": true,
        "target": {"type": "Workflow", "id": "wf", "future": 1, "workflowTargetSettings": {"dataFormat": "Json", "x": []}},
        "matchCriteria": [{"jsonPath": "a", "operator": "Exists", "value": true, "caseSensitive": false}]})"));
    REQUIRE(t);
    CHECK(t->name == "N");
    CHECK(t->match_criteria.at(0).value == json::value(true));
}

TEST_CASE("a trigger member of the wrong type is an invalid_input error naming it") {
    struct Case {
        const char* json;
        const char* member;
    };
    for (const auto& c : {Case{R"({"name": 5})", "name"},
                          Case{R"({"id": true})", "id"},
                          Case{R"({"version": "1"})", "version"},
                          Case{R"({"topicName": ["v2.x"]})", "topicName"},
                          Case{R"({"target": "wf"})", "target"},
                          Case{R"({"target": {"id": 7}})", "target.id"},
                          Case{R"({"target": {"type": false}})", "target.type"},
                          Case{R"({"target": {"workflowTargetSettings": "Json"}})", "target.workflowTargetSettings"},
                          Case{R"({"target": {"workflowTargetSettings": {"dataFormat": 1}}})",
                               "target.workflowTargetSettings.dataFormat"},
                          Case{R"({"matchCriteria": {}})", "matchCriteria"},
                          Case{R"({"matchCriteria": ["mediaType"]})", "matchCriteria[0]"},
                          Case{R"({"matchCriteria": [{"jsonPath": "a"}, {"jsonPath": 1}]})", "matchCriteria[1].jsonPath"},
                          Case{R"({"matchCriteria": [{"operator": []}]})", "matchCriteria[0].operator"},
                          Case{R"({"matchCriteria": [{"value": {"a": 1}}]})", "matchCriteria[0].value"},
                          Case{R"({"matchCriteria": [{"value": [1]}]})", "matchCriteria[0].value"},
                          Case{R"({"matchCriteria": [{"values": "a"}]})", "matchCriteria[0].values"},
                          Case{R"({"enabled": "true"})", "enabled"},
                          Case{R"({"eventTTLSeconds": "60"})", "eventTTLSeconds"},
                          Case{R"({"eventTTLSeconds": 60.5})", "eventTTLSeconds"},
                          Case{R"({"delayBySeconds": 99999999999})", "delayBySeconds"},
                          Case{R"({"description": 3})", "description"},
                          Case{R"({"selfUri": {}})", "selfUri"}}) {
        INFO(std::string(c.json));
        const auto t = trigger_from_json(json::parse(c.json));
        REQUIRE_FALSE(t);
        CHECK(t.error().kind == ErrorKind::invalid_input);
        CHECK(t.error().message.find(std::string("trigger member '") + c.member + "'") != std::string::npos);
    }
    for (const char* not_object : {"[]", "\"trigger\"", "null", "1"}) {
        INFO(std::string(not_object));
        CHECK_FALSE(trigger_from_json(json::parse(not_object)));
    }
}

} // TEST_SUITE
