// The emulator's own check of Process Automation trigger bodies (SPEC §8 and
// the rules of the issue 14 contract), rule by rule.
#include "tests/emulator/emulator_trigger_validation.hpp"
#include "tests/emulator/emulator_test_api.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>
#include <functional>
#include <string>

using namespace hookwarden::emulator;
using namespace hookwarden::emulator::testing;
namespace json = boost::json;

namespace {

const std::vector<std::string> kTopics{"v2.detail.events.conversation.{id}.customer.end",
                                       "v2.users.{id}.presence"};

json::object valid_body() {
    return trigger_body();
}

/// "field:errorCode" of every problem of `body`, comma-separated.
std::string problems_of(const json::value& body) {
    std::string out;
    for (const auto& p : validate_trigger_body(body, &kTopics))
        out += (out.empty() ? "" : ",") + p.field + ":" + p.error_code;
    return out;
}

/// The problems of the valid body after `change`.
std::string problems_after(const std::function<void(json::object&)>& change) {
    auto body = valid_body();
    change(body);
    return problems_of(body);
}

json::object& criterion(json::object& body, std::size_t i) {
    return body["matchCriteria"].as_array()[i].as_object();
}

} // namespace

TEST_CASE("a complete, valid trigger body has no problems, nor has a minimal one") {
    CHECK(problems_of(valid_body()) == "");
    json::object minimal{{"name", "a"},
                         {"topicName", "v2.users.{id}.presence"},
                         {"target", {{"type", "Workflow"}, {"id", "w"}}},
                         {"enabled", false}};
    CHECK(problems_of(minimal) == "");
    minimal["matchCriteria"] = json::array();
    minimal["delayBySeconds"] = 900;
    CHECK(problems_of(minimal) == "");
}

TEST_CASE("the body must be an object holding name, topicName, target and enabled") {
    CHECK(problems_of(json::array{}) == "body:invalid.type");
    CHECK(problems_of(json::object{}) ==
          "name:missing.property,topicName:missing.property,target:missing.property,"
          "enabled:missing.property");
    CHECK(problems_after([](auto& b) { b["enabled"] = nullptr; }) == "enabled:missing.property");
    CHECK(problems_after([](auto& b) { b["enabled"] = "true"; }) == "enabled:invalid.type");
}

TEST_CASE("name: 1 to 128 printable characters without a leading or trailing space") {
    CHECK(problems_after([](auto& b) { b["name"] = ""; }) == "name:invalid.value");
    CHECK(problems_after([](auto& b) { b["name"] = std::string(128, 'x'); }) == "");
    CHECK(problems_after([](auto& b) { b["name"] = std::string(129, 'x'); }) ==
          "name:invalid.value");
    // Characters, not bytes: 128 two-byte letters are a valid name.
    std::string accented;
    for (int i = 0; i < 128; ++i)
        accented += "\xc3\xa9";
    CHECK(problems_after([&](auto& b) { b["name"] = accented; }) == "");
    CHECK(problems_after([](auto& b) { b["name"] = " padded"; }) == "name:invalid.value");
    CHECK(problems_after([](auto& b) { b["name"] = "padded "; }) == "name:invalid.value");
    CHECK(problems_after([](auto& b) { b["name"] = "tab\there"; }) == "name:invalid.value");
    CHECK(problems_after([](auto& b) { b["name"] = "c1\xc2\x85"; }) == "name:invalid.value");
    CHECK(problems_after([](auto& b) { b["name"] = "Spaces inside, (punctuation) & more"; }) == "");
    CHECK(problems_after([](auto& b) { b["name"] = 7; }) == "name:invalid.type");
}

TEST_CASE("topicName must be one of the tenant's topics, unless no list is given") {
    CHECK(problems_after([](auto& b) { b["topicName"] = "v2.users.{id}.presence"; }) == "");
    CHECK(problems_after([](auto& b) { b["topicName"] = "v2.users.{id}.routingStatus"; }) ==
          "topicName:invalid.value");
    auto body = valid_body();
    body["topicName"] = "v2.anything.at.all";
    CHECK(validate_trigger_body(body, nullptr).empty());
    body["topicName"] = 3;
    CHECK(validate_trigger_body(body, nullptr).at(0).field == "topicName");
}

TEST_CASE("target: type Workflow, a non-empty id, dataFormat Json or TopLevelPrimitives") {
    CHECK(problems_after([](auto& b) { b["target"].as_object()["type"] = "Lambda"; }) ==
          "target.type:invalid.value");
    CHECK(problems_after([](auto& b) { b["target"].as_object()["id"] = ""; }) ==
          "target.id:invalid.value");
    CHECK(problems_after([](auto& b) { b["target"].as_object().erase("id"); }) ==
          "target.id:missing.property");
    CHECK(problems_after([](auto& b) {
              b["target"].as_object()["workflowTargetSettings"] = {{"dataFormat", "Json"}};
          }) == "");
    CHECK(problems_after([](auto& b) {
              b["target"].as_object()["workflowTargetSettings"] = {{"dataFormat", "Xml"}};
          }) == "target.workflowTargetSettings.dataFormat:invalid.value");
    CHECK(problems_after([](auto& b) { b["target"].as_object().erase("workflowTargetSettings"); }) ==
          "");
    CHECK(problems_after([](auto& b) { b["target"] = "workflow"; }) == "target:invalid.type");
}

TEST_CASE("a member in the wrong place is refused, not dropped") {
    CHECK(problems_after([](auto& b) { b["target"].as_object()["dataFormat"] = "Json"; }) ==
          "target.dataFormat:unknown.property");
    CHECK(problems_after([](auto& b) { b["eventTtlSeconds"] = 60; }) ==
          "eventTtlSeconds:unknown.property");
    CHECK(problems_after([](auto& b) { criterion(b, 0)["op"] = "Equal"; }) ==
          "matchCriteria[0].op:unknown.property");
    // What the API answered may be sent back.
    CHECK(problems_after([](auto& b) {
              b["id"] = "x";
              b["version"] = 3;
              b["selfUri"] = "/api/v2/processautomation/triggers/x";
          }) == "");
    CHECK(problems_after([](auto& b) { b["version"] = "3"; }) == "version:invalid.type");
}

TEST_CASE("matchCriteria: a known operator and exactly one of value (a scalar) and values") {
    CHECK(problems_after([](auto& b) { criterion(b, 0)["operator"] = "Like"; }) ==
          "matchCriteria[0].operator:invalid.value");
    CHECK(problems_after([](auto& b) { criterion(b, 0)["operator"] = "equal"; }) ==
          "matchCriteria[0].operator:invalid.value");
    for (const auto* op : {"Equal", "NotEqual", "GreaterThan", "GreaterThanOrEqual", "LessThan",
                           "LessThanOrEqual", "In", "NotIn", "Contains", "All", "Exists", "Size"}) {
        CAPTURE(op);
        CHECK(problems_after([&](auto& b) { criterion(b, 0)["operator"] = op; }) == "");
    }
    CHECK(problems_after([](auto& b) { criterion(b, 0)["values"] = json::array{"x"}; }) ==
          "matchCriteria[0]:invalid.value");
    CHECK(problems_after([](auto& b) { criterion(b, 0).erase("value"); }) ==
          "matchCriteria[0]:missing.property");
    CHECK(problems_after([](auto& b) { criterion(b, 0)["value"] = json::array{"CHAT"}; }) ==
          "matchCriteria[0].value:invalid.type");
    CHECK(problems_after([](auto& b) { criterion(b, 0)["value"] = 42; }) == "");
    CHECK(problems_after([](auto& b) { criterion(b, 0)["value"] = false; }) == "");
    CHECK(problems_after([](auto& b) { criterion(b, 1)["values"] = "error"; }) ==
          "matchCriteria[1].values:invalid.type");
    CHECK(problems_after([](auto& b) { criterion(b, 1)["jsonPath"] = ""; }) ==
          "matchCriteria[1].jsonPath:invalid.value");
    CHECK(problems_after([](auto& b) { b["matchCriteria"] = json::object{}; }) ==
          "matchCriteria:invalid.type");
    CHECK(problems_after([](auto& b) { b["matchCriteria"].as_array().emplace_back("x"); }) ==
          "matchCriteria[2]:invalid.type");
}

TEST_CASE("eventTTLSeconds >= 10, delayBySeconds 60..900, not both") {
    CHECK(problems_after([](auto& b) { b["eventTTLSeconds"] = 10; }) == "");
    CHECK(problems_after([](auto& b) { b["eventTTLSeconds"] = 9; }) ==
          "eventTTLSeconds:invalid.value");
    CHECK(problems_after([](auto& b) { b["eventTTLSeconds"] = 60.5; }) ==
          "eventTTLSeconds:invalid.type");
    const auto delay = [](int seconds) {
        return problems_after([&](auto& b) {
            b.erase("eventTTLSeconds");
            b["delayBySeconds"] = seconds;
        });
    };
    CHECK(delay(60) == "");
    CHECK(delay(900) == "");
    CHECK(delay(59) == "delayBySeconds:invalid.value");
    CHECK(delay(901) == "delayBySeconds:invalid.value");
    CHECK(problems_after([](auto& b) { b["delayBySeconds"] = 120; }) ==
          "delayBySeconds:invalid.value");
    CHECK(problems_after([](auto& b) {
              b["delayBySeconds"] = 120;
              b["eventTTLSeconds"] = nullptr;
          }) == "");
}

TEST_CASE("description: at most 512 characters") {
    CHECK(problems_after([](auto& b) { b["description"] = std::string(512, 'd'); }) == "");
    CHECK(problems_after([](auto& b) { b["description"] = std::string(513, 'd'); }) ==
          "description:invalid.value");
    CHECK(problems_after([](auto& b) { b["description"] = json::array{}; }) ==
          "description:invalid.type");
}

TEST_CASE("shape problems are told from values out of range") {
    CHECK(is_shape_problem({"name", "missing.property", ""}));
    CHECK(is_shape_problem({"name", "invalid.type", ""}));
    CHECK(is_shape_problem({"x", "unknown.property", ""}));
    CHECK_FALSE(is_shape_problem({"eventTTLSeconds", "invalid.value", ""}));
}

TEST_CASE("the stored trigger has the body's members, no invented settings, and drops nulls") {
    auto body = valid_body();
    body["target"].as_object().erase("workflowTargetSettings");
    body["description"] = nullptr;
    body["id"] = "ignored";
    body["version"] = 4;
    criterion(body, 0)["values"] = nullptr;
    const auto t = trigger_from_body(body);
    CHECK(t.at("target") ==
          json::object{{"type", "Workflow"}, {"id", "5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8b"}});
    CHECK_FALSE(t.contains("description"));
    CHECK_FALSE(t.contains("id"));
    CHECK_FALSE(t.contains("version"));
    CHECK(t.at("matchCriteria").at(0) ==
          json::object{{"jsonPath", "mediaType"}, {"operator", "Equal"}, {"value", "CHAT"}});
    CHECK(t.at("eventTTLSeconds") == 60);
    CHECK(t.at("enabled") == true);
}
