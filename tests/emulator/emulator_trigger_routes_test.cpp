// The emulator's Process Automation trigger API (SPEC §8, issue 14
// contract) and its control plane, as request and response structs without
// sockets: cursor paging and filters, writes, versions, topics,
// permissions, and the router's auth, rate limiting, counting and faults.
#include "tests/emulator/emulator_routes.hpp"
#include "tests/emulator/emulator_test_api.hpp"
#include "tests/support/doctest_result.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <functional>
#include <utility>

using namespace hookwarden;
using namespace hookwarden::emulator;
using namespace hookwarden::emulator::testing;
namespace json = boost::json;

namespace {

constexpr const char* kTriggers = "/api/v2/processautomation/triggers";
constexpr const char* kTopics = "/api/v2/processautomation/triggers/topics";
constexpr const char* kCustomerEnd = "v2.detail.events.conversation.{id}.customer.end";
constexpr const char* kPresence = "v2.users.{id}.presence";
// As they are written in a query: '{' and '}' are not allowed there unencoded.
constexpr const char* kCustomerEndInQuery = "v2.detail.events.conversation.%7Bid%7D.customer.end";
constexpr const char* kPresenceInQuery = "v2.users.%7Bid%7D.presence";
constexpr const char* kWorkflowId = "5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8b"; // trigger_body's

/// Creates a trigger through the API and returns it.
json::object create_trigger(Api& t, json::object body) {
    const auto r = t.api("POST", kTriggers, std::move(body));
    REQUIRE(r.status == 200);
    return json_of(r);
}

json::object create_trigger(Api& t, const std::string& name,
                            const std::string& topic = kCustomerEnd) {
    return create_trigger(t, trigger_body(name, topic));
}

std::string id_of(const json::object& trigger) {
    return std::string(trigger.at("id").as_string());
}

std::vector<std::string> names_of(const json::object& page) {
    std::vector<std::string> names;
    for (const auto& e : page.at("entities").as_array())
        names.emplace_back(e.at("name").as_string());
    return names;
}

/// A decoded query parameter of a URI, or "" when absent.
std::string query_parameter(std::string_view uri, std::string_view key) {
    const auto parsed = boost::urls::parse_origin_form(uri);
    REQUIRE(parsed);
    const auto params = parsed->params();
    const auto it = params.find(key);
    return it == params.end() ? std::string() : std::string((*it).value);
}

/// Every page of a list from `first`, following nextUri until it is absent.
std::vector<json::object> every_page(Api& t, std::string first) {
    std::vector<json::object> pages;
    std::string target = std::move(first);
    for (int guard = 0; guard < 100; ++guard) {
        const auto r = t.api("GET", target);
        REQUIRE(r.status == 200);
        pages.push_back(json_of(r));
        const auto* next = pages.back().if_contains("nextUri");
        if (!next)
            return pages;
        target = std::string(next->as_string());
    }
    FAIL("nextUri never ended");
    return pages;
}

/// The `fieldName`s of an error body's details, comma-separated.
std::string detail_fields(const json::object& error) {
    std::string out;
    for (const auto& d : error.at("details").as_array())
        out += (out.empty() ? "" : ",") + std::string(d.at("fieldName").as_string());
    return out;
}

json::object permissions(Api& t, const json::object& change) {
    const auto r = t.control("POST", "/_emulator/permissions", change);
    REQUIRE(r.status == 200);
    return json_of(r);
}

} // namespace

// --- Listing -------------------------------------------------------------------

TEST_CASE("an empty tenant lists no triggers on one page without nextUri or previousUri") {
    Api t;
    const auto r = t.api("GET", kTriggers);
    REQUIRE(r.status == 200);
    const auto page = json_of(r);
    CHECK(page.at("entities").as_array().empty());
    CHECK(page.at("selfUri") == "/api/v2/processautomation/triggers?pageSize=25");
    CHECK_FALSE(page.contains("nextUri"));
    CHECK_FALSE(page.contains("previousUri"));
}

TEST_CASE("the list pages in creation order through nextUri, absent on the last page") {
    Api t;
    for (const auto* name : {"t1", "t2", "t3", "t4", "t5"})
        create_trigger(t, name);
    const auto pages = every_page(t, std::string(kTriggers) + "?pageSize=2");
    REQUIRE(pages.size() == 3);
    CHECK(names_of(pages[0]) == std::vector<std::string>{"t1", "t2"});
    CHECK(names_of(pages[1]) == std::vector<std::string>{"t3", "t4"});
    CHECK(names_of(pages[2]) == std::vector<std::string>{"t5"});
    const std::string next(pages[0].at("nextUri").as_string());
    CHECK(next.starts_with("/api/v2/processautomation/triggers?pageSize=2&after="));
    CHECK_FALSE(pages[0].contains("previousUri"));
    CHECK(pages[1].contains("previousUri"));
    CHECK(pages[2].at("selfUri") == pages[1].at("nextUri"));

    // The default page holds 25; 200 is the most.
    for (int i = 6; i <= 30; ++i)
        create_trigger(t, "t" + std::to_string(i));
    CHECK(json_of(t.api("GET", kTriggers)).at("entities").as_array().size() == 25);
    const auto all = json_of(t.api("GET", std::string(kTriggers) + "?pageSize=200"));
    CHECK(all.at("entities").as_array().size() == 30);
    CHECK_FALSE(all.contains("nextUri"));
}

TEST_CASE("previousUri leads back to the page before") {
    Api t;
    for (const auto* name : {"t1", "t2", "t3", "t4", "t5"})
        create_trigger(t, name);
    const auto pages = every_page(t, std::string(kTriggers) + "?pageSize=2");
    REQUIRE(pages.size() == 3);
    const auto back = json_of(t.api("GET", std::string(pages[2].at("previousUri").as_string())));
    CHECK(names_of(back) == std::vector<std::string>{"t3", "t4"});
    CHECK(back.at("nextUri") == pages[1].at("nextUri"));
    const auto first = json_of(t.api("GET", std::string(back.at("previousUri").as_string())));
    CHECK(names_of(first) == std::vector<std::string>{"t1", "t2"});
    CHECK_FALSE(first.contains("previousUri"));
}

TEST_CASE("a cursor still leads on after the trigger it points at is deleted") {
    Api t;
    std::vector<std::string> ids;
    for (const auto* name : {"t1", "t2", "t3", "t4"})
        ids.push_back(id_of(create_trigger(t, name)));
    const auto first = json_of(t.api("GET", std::string(kTriggers) + "?pageSize=2"));
    REQUIRE(t.api("DELETE", std::string(kTriggers) + "/" + ids[1]).status == 204);
    const auto rest = json_of(t.api("GET", std::string(first.at("nextUri").as_string())));
    CHECK(names_of(rest) == std::vector<std::string>{"t3", "t4"});
    CHECK_FALSE(rest.contains("nextUri"));
}

TEST_CASE("pageSize outside 1..200 or not a number is answered 400 naming pageSize") {
    Api t;
    for (const auto* size : {"0", "201", "-1", "abc", "", "2.5"}) {
        CAPTURE(size);
        const auto e = genesys_error(
            t.api("GET", std::string(kTriggers) + "?pageSize=" + size), 400, "bad.request");
        CHECK(detail_fields(e) == "pageSize");
        genesys_error(t.api("GET", std::string(kTopics) + "?pageSize=" + size), 400,
                      "bad.request");
    }
    CHECK(t.api("GET", std::string(kTriggers) + "?pageSize=1").status == 200);
    CHECK(t.api("GET", std::string(kTriggers) + "?pageSize=200").status == 200);
}

TEST_CASE("a cursor no page gave out is answered 400") {
    Api t;
    create_trigger(t, "t1");
    create_trigger(t, "t2");
    const auto page = json_of(t.api("GET", std::string(kTriggers) + "?pageSize=1"));
    const std::string after = query_parameter(page.at("nextUri").as_string(), "after");
    REQUIRE_FALSE(after.empty());
    CHECK(t.api("GET", std::string(kTriggers) + "?after=" + after).status == 200);
    for (const auto* cursor : {"garbage", "1", "abc", "7a7a"}) {
        CAPTURE(cursor);
        const auto e = genesys_error(t.api("GET", std::string(kTriggers) + "?after=" + cursor),
                                     400, "bad.request");
        CHECK(detail_fields(e) == "after");
    }
    // A topics cursor is not a triggers cursor, and the other way round.
    const auto topics = json_of(t.api("GET", std::string(kTopics) + "?pageSize=1"));
    const std::string topic_cursor = query_parameter(topics.at("nextUri").as_string(), "after");
    CHECK(t.api("GET", std::string(kTriggers) + "?after=" + topic_cursor).status == 400);
    CHECK(t.api("GET", std::string(kTopics) + "?after=" + after).status == 400);
    CHECK(t.api("GET", std::string(kTriggers) + "?after=" + after + "&before=" + after).status ==
          400);
}

TEST_CASE("topicName (comma-separated) and enabled filter the list, and nextUri keeps them") {
    Api t;
    create_trigger(t, "end-1");
    create_trigger(t, "presence-1", kPresence);
    auto off = trigger_body("end-off");
    off["enabled"] = false;
    create_trigger(t, off);
    create_trigger(t, "acw", "v2.detail.events.conversation.{id}.acw");
    create_trigger(t, "end-2");

    const auto get = [&](const std::string& query) {
        std::vector<std::string> names;
        for (const auto& page : every_page(t, std::string(kTriggers) + "?" + query))
            for (const auto& n : names_of(page))
                names.push_back(n);
        return names;
    };
    CHECK(get("topicName=" + std::string(kCustomerEndInQuery)) ==
          std::vector<std::string>{"end-1", "end-off", "end-2"});
    CHECK(get("pageSize=1&topicName=" + std::string(kCustomerEndInQuery) + "," + kPresenceInQuery) ==
          std::vector<std::string>{"end-1", "presence-1", "end-off", "end-2"});
    CHECK(get("enabled=false") == std::vector<std::string>{"end-off"});
    CHECK(get("pageSize=1&enabled=true&topicName=" + std::string(kCustomerEndInQuery)) ==
          std::vector<std::string>{"end-1", "end-2"});
    CHECK(get("topicName=v2.nothing.here").empty());

    const auto page = json_of(
        t.api("GET", std::string(kTriggers) + "?pageSize=1&enabled=true&topicName=" +
                       kCustomerEndInQuery));
    const std::string next(page.at("nextUri").as_string());
    CHECK(query_parameter(next, "topicName") == kCustomerEnd);
    CHECK(query_parameter(next, "enabled") == "true");
    CHECK(query_parameter(page.at("selfUri").as_string(), "topicName") == kCustomerEnd);

    CHECK(detail_fields(genesys_error(t.api("GET", std::string(kTriggers) + "?enabled=yes"), 400,
                                      "bad.request")) == "enabled");
    CHECK(detail_fields(genesys_error(
              t.api("GET", std::string(kTriggers) + "?topicName=" + kPresenceInQuery + ",,x"), 400,
              "bad.request")) == "topicName");
}

// --- Create, read, update, delete ------------------------------------------------

TEST_CASE("a created trigger is answered 200 in the API's shape with a UUID, version 1 and selfUri") {
    Api t;
    const auto r = t.api("POST", kTriggers, trigger_body("SMS after chat error"));
    REQUIRE(r.status == 200);
    CHECK(r.header("Location").empty());
    auto trigger = json_of(r);
    const std::string id = id_of(trigger);
    CHECK(is_uuid_v4(id));
    CHECK(trigger.at("version") == 1);
    CHECK(trigger.at("selfUri").as_string() == "/api/v2/processautomation/triggers/" + id);
    trigger.erase("id");
    trigger.erase("version");
    trigger.erase("selfUri");
    CHECK(trigger == trigger_body("SMS after chat error"));
    CHECK(json_of(t.api("GET", std::string(kTriggers) + "/" + id)) ==
          json_of(r)); // read back alike
    CHECK(t.tenant.counters().writes == 1);
}

TEST_CASE("a created trigger's id is the tenant's; a target without settings and unset fields stay absent") {
    Api t;
    json::object body{{"id", "11111111-2222-4333-8444-555555555555"},
                      {"version", 9},
                      {"name", "minimal"},
                      {"topicName", kPresence},
                      {"target", {{"type", "Workflow"}, {"id", kWorkflowId}}},
                      {"enabled", false}};
    const auto trigger = create_trigger(t, body);
    CHECK(trigger.at("id") != "11111111-2222-4333-8444-555555555555");
    CHECK(trigger.at("version") == 1);
    CHECK_FALSE(trigger.at("target").as_object().contains("workflowTargetSettings"));
    for (const auto* absent : {"matchCriteria", "eventTTLSeconds", "delayBySeconds", "description"})
        CHECK_FALSE(trigger.contains(absent));
    CHECK(trigger.at("enabled") == false);
}

TEST_CASE("duplicate trigger names are allowed, as in the real service") {
    Api t;
    const auto a = create_trigger(t, "same");
    const auto b = create_trigger(t, "same");
    CHECK(a.at("id") != b.at("id"));
    CHECK(t.tenant.triggers().size() == 2);
}

TEST_CASE("an unknown trigger id is answered 404 by GET, PUT and DELETE") {
    Api t;
    const std::string target = std::string(kTriggers) + "/no-such-id";
    genesys_error(t.api("GET", target), 404, "not.found");
    auto body = trigger_body("x");
    body["version"] = 1;
    genesys_error(t.api("PUT", target, body), 404, "not.found");
    genesys_error(t.api("DELETE", target), 404, "not.found");
}

TEST_CASE("a PUT with the current version replaces the trigger in full and bumps the version") {
    Api t;
    const auto created = create_trigger(t, "before");
    const std::string target = std::string(kTriggers) + "/" + id_of(created);
    json::object body{{"name", "after"},
                      {"topicName", kCustomerEnd},
                      {"target", {{"type", "Workflow"}, {"id", "another-workflow"}}},
                      {"enabled", false},
                      {"delayBySeconds", 120},
                      {"version", 1}};
    const auto r = t.api("PUT", target, body);
    REQUIRE(r.status == 200);
    const auto updated = json_of(r);
    CHECK(updated.at("version") == 2);
    CHECK(updated.at("id") == created.at("id"));
    CHECK(updated.at("selfUri") == created.at("selfUri"));
    CHECK(updated.at("name") == "after");
    CHECK(updated.at("target") ==
          json::object{{"type", "Workflow"}, {"id", "another-workflow"}}); // sent without settings
    CHECK(updated.at("delayBySeconds") == 120);
    // A full replace: what the body leaves out is gone.
    for (const auto* gone : {"matchCriteria", "eventTTLSeconds", "description"})
        CHECK_FALSE(updated.contains(gone));
    CHECK(json_of(t.api("GET", target)) == updated);

    // What GET answered, sent back as it is, is a valid PUT body.
    CHECK(t.api("PUT", target, updated).status == 200);
    CHECK(t.tenant.trigger(id_of(created)).value().at("version") == 3);
    CHECK(t.tenant.counters().writes == 3);
}

TEST_CASE("a PUT with a stale version is answered 409 and changes nothing") {
    Api t;
    const auto created = create_trigger(t, "kept");
    const std::string target = std::string(kTriggers) + "/" + id_of(created);
    auto body = trigger_body("changed");
    body["version"] = 1;
    REQUIRE(t.api("PUT", target, body).status == 200);
    body["name"] = "changed again";
    const auto e = genesys_error(t.api("PUT", target, body), 409, "conflict");
    CHECK(std::string(e.at("message").as_string()).find("does not match the current version") !=
          std::string::npos);
    CHECK(t.tenant.trigger(id_of(created)).value().at("name") == "changed");
    CHECK(t.tenant.trigger(id_of(created)).value().at("version") == 2);
}

TEST_CASE("a PUT that changes topicName is answered 400 naming topicName and changes nothing") {
    Api t;
    const auto created = create_trigger(t, "fixed topic");
    auto body = trigger_body("fixed topic", kPresence);
    body["version"] = 1;
    const auto e = genesys_error(t.api("PUT", std::string(kTriggers) + "/" + id_of(created), body),
                                 400, "bad.request");
    CHECK(detail_fields(e) == "topicName");
    const auto stored = t.tenant.trigger(id_of(created)).value();
    CHECK(stored.at("topicName") == kCustomerEnd);
    CHECK(stored.at("version") == 1);
}

TEST_CASE("a PUT keeps a topic the list no longer offers, and a stale version wins over a topic change") {
    Api t;
    const auto created = create_trigger(t, "old topic");
    const std::string target = std::string(kTriggers) + "/" + id_of(created);
    REQUIRE(t.tenant.set_trigger_topics({kPresence}));
    auto body = trigger_body("renamed");
    body["version"] = 1;
    CHECK(t.api("PUT", target, body).status == 200);
    body["topicName"] = kPresence;
    genesys_error(t.api("PUT", target, body), 409, "conflict"); // version 1 is stale now
}

TEST_CASE("a PUT without a version, with another id, or with an invalid body is answered 400") {
    Api t;
    const auto created = create_trigger(t, "x");
    const std::string target = std::string(kTriggers) + "/" + id_of(created);
    CHECK(detail_fields(genesys_error(t.api("PUT", target, trigger_body("x")), 400,
                                      "bad.request")) == "version");
    auto body = trigger_body("x");
    body["version"] = 1;
    body["id"] = "someone-else";
    CHECK(detail_fields(genesys_error(t.api("PUT", target, body), 400, "bad.request")) == "id");
    body["id"] = created.at("id");
    body["eventTTLSeconds"] = 5;
    CHECK(detail_fields(genesys_error(t.api("PUT", target, body), 400, "bad.request")) ==
          "eventTTLSeconds");
    CHECK(t.tenant.trigger(id_of(created)).value().at("version") == 1);
}

TEST_CASE("a DELETE answers 204 and the trigger is gone") {
    Api t;
    const auto a = create_trigger(t, "a");
    create_trigger(t, "b");
    const auto r = t.api("DELETE", std::string(kTriggers) + "/" + id_of(a));
    CHECK(r.status == 204);
    CHECK(r.body.empty());
    CHECK(t.api("GET", std::string(kTriggers) + "/" + id_of(a)).status == 404);
    CHECK(names_of(json_of(t.api("GET", kTriggers))) == std::vector<std::string>{"b"});
    CHECK(t.api("DELETE", std::string(kTriggers) + "/" + id_of(a)).status == 404);
}

TEST_CASE("an invalid trigger body is answered 400 naming every bad field at once") {
    Api t;
    auto body = trigger_body(" padded");
    body["topicName"] = "v2.not.offered";
    body["target"].as_object()["type"] = "Lambda";
    body["delayBySeconds"] = 120; // together with eventTTLSeconds
    const auto e = genesys_error(t.api("POST", kTriggers, body), 400, "bad.request");
    CHECK(detail_fields(e) == "name,topicName,target.type,delayBySeconds");
    for (const auto& d : e.at("details").as_array()) {
        CHECK(d.at("errorCode") == "invalid.value");
        CHECK_FALSE(d.at("message").as_string().empty());
    }
    CHECK(std::string(e.at("message").as_string()).starts_with("The trigger is not valid: "));
    CHECK(t.tenant.triggers().empty());
    genesys_error(t.api("POST", kTriggers, json::array{}), 400, "bad.request");
    const auto not_json =
        t.send("POST", kTriggers, "{not json",
               {{"Authorization", "Bearer " + t.token}, {"Content-Type", "application/json"}});
    genesys_error(not_json, 400, "bad.request");
}

// --- Topics ------------------------------------------------------------------------

TEST_CASE("topics are plain strings, the contract's ten by default, paged by cursor") {
    Api t;
    const auto all = json_of(t.api("GET", kTopics));
    json::array expected;
    for (const auto& topic : default_trigger_topics())
        expected.emplace_back(topic);
    REQUIRE(expected.size() == 10);
    CHECK(all.at("entities") == expected);
    CHECK(expected[1] == kCustomerEnd);
    CHECK_FALSE(all.contains("nextUri"));
    CHECK(all.at("selfUri") == "/api/v2/processautomation/triggers/topics?pageSize=25");

    const auto pages = every_page(t, std::string(kTopics) + "?pageSize=4");
    REQUIRE(pages.size() == 3);
    json::array joined;
    for (const auto& page : pages)
        for (const auto& topic : page.at("entities").as_array())
            joined.push_back(topic);
    CHECK(joined == expected);
    CHECK(pages[2].at("entities").as_array().size() == 2);
    CHECK(std::string(pages[0].at("nextUri").as_string())
              .starts_with("/api/v2/processautomation/triggers/topics?pageSize=4&after="));
    const auto back = json_of(t.api("GET", std::string(pages[2].at("previousUri").as_string())));
    CHECK(back.at("entities") == pages[1].at("entities"));
}

TEST_CASE("the topic list can be replaced, and a created trigger's topicName must be on it") {
    Api t;
    auto r = t.control("PUT", "/_emulator/trigger-topics",
                       json::object{{"topics", json::array{kPresence, "v2.flows.{id}"}}});
    REQUIRE(r.status == 200);
    CHECK(json_of(r).at("topics") == json::array{kPresence, "v2.flows.{id}"});
    CHECK(json_of(t.api("GET", kTopics)).at("entities") == json::array{kPresence, "v2.flows.{id}"});
    CHECK(json_of(t.control("GET", "/_emulator/trigger-topics")).at("topics").as_array().size() ==
          2);
    CHECK(detail_fields(genesys_error(t.api("POST", kTriggers, trigger_body("x")), 400,
                                      "bad.request")) == "topicName");
    create_trigger(t, "flows", "v2.flows.{id}");

    for (const auto& bad : {json::object{{"topics", json::array{"not a topic"}}},
                            json::object{{"topics", json::array{kPresence, kPresence}}},
                            json::object{{"topics", json::array{"v2"}}},
                            json::object{{"topics", json::array{"v2.a..b"}}},
                            json::object{{"topics", json::array{1}}},
                            json::object{{"topic", json::array{}}}}) {
        CAPTURE(json::serialize(bad));
        CHECK(t.control("PUT", "/_emulator/trigger-topics", bad).status == 400);
    }
    CHECK(t.tenant.trigger_topics().size() == 2); // refused changes change nothing
    CHECK(t.control("PUT", "/_emulator/trigger-topics", json::object{{"topics", json::array{}}})
              .status == 200);
    CHECK(json_of(t.api("GET", kTopics)).at("entities").as_array().empty());
}

// --- Permissions -------------------------------------------------------------------

TEST_CASE("a withdrawn permission is answered 403 missing.permissions naming it") {
    Api t;
    const auto created = create_trigger(t, "x");
    const std::string one = std::string(kTriggers) + "/" + id_of(created);
    auto put_body = created;

    struct Case {
        const char* permission;
        std::function<HttpResponse()> send;
    };
    const std::vector<Case> cases{
        {"processautomation:trigger:view", [&] { return t.api("GET", kTriggers); }},
        {"processautomation:trigger:view", [&] { return t.api("GET", one); }},
        {"processautomation:trigger:view", [&] { return t.api("GET", kTopics); }},
        {"processautomation:trigger:add",
         [&] { return t.api("POST", kTriggers, trigger_body("y")); }},
        {"processautomation:trigger:edit", [&] { return t.api("PUT", one, put_body); }},
        {"processautomation:trigger:delete", [&] { return t.api("DELETE", one); }},
    };
    for (const auto& c : cases) {
        CAPTURE(c.permission);
        permissions(t, {{"deny", json::array{c.permission}}});
        const auto e = genesys_error(c.send(), 403, "missing.permissions");
        const std::string listed = "[" + std::string(c.permission) + "]";
        CHECK(e.at("message").as_string() ==
              "You are missing the following permission(s): " + listed);
        CHECK(e.at("messageWithParams") ==
              "You are missing the following permission(s): {permissions}");
        CHECK(e.at("messageParams") == json::object{{"permissions", listed}});
        permissions(t, {{"allow", json::array{c.permission}}});
        CHECK(c.send().status / 100 == 2);
        if (auto current = t.tenant.trigger(id_of(created)))
            put_body = *current; // the next PUT carries the current version
    }
    CHECK(t.tenant.triggers().size() == 1); // the POST made one, the DELETE removed the first
}

TEST_CASE("a withdrawn permission blocks only its own calls, and nothing is done") {
    Api t;
    const auto created = create_trigger(t, "x");
    const auto denied = permissions(t, {{"deny", json::array{"processautomation:trigger:add",
                                                             "processautomation:trigger:delete"}}});
    CHECK(denied.at("denied") == json::array{"processautomation:trigger:add",
                                             "processautomation:trigger:delete"});
    CHECK(t.api("POST", kTriggers, trigger_body("y")).status == 403);
    CHECK(t.api("DELETE", std::string(kTriggers) + "/" + id_of(created)).status == 403);
    CHECK(t.tenant.triggers().size() == 1);
    CHECK(t.api("GET", kTriggers).status == 200);
    CHECK(t.api("GET", "/api/v2/webhooks").status == 200);
    CHECK(t.tenant.counters().writes == 1);
    CHECK(json_of(t.control("GET", "/_emulator/permissions")) == denied);
}

TEST_CASE("an unknown permission name is refused and changes nothing") {
    Api t;
    for (const auto& bad :
         {json::object{{"deny", json::array{"processautomation:trigger:vew"}}},
          json::object{{"deny", json::array{"processautomation:trigger:add", "webhooks:add"}}},
          json::object{{"deny", "processautomation:trigger:add"}},
          json::object{{"revoke", json::array{}}}}) {
        CAPTURE(json::serialize(bad));
        CHECK(t.control("POST", "/_emulator/permissions", bad).status == 400);
    }
    CHECK(t.tenant.denied_permissions().empty());
}

// --- What the router does for every API route ---------------------------------------

TEST_CASE("trigger routes need a bearer token, JSON bodies and allowed methods") {
    Api t;
    genesys_error(t.send("GET", kTriggers), 401, "authentication.required");
    const auto created = create_trigger(t, "x");
    const std::string one = std::string(kTriggers) + "/" + id_of(created);
    HeaderList text{{"Authorization", "Bearer " + t.token}, {"Content-Type", "text/plain"}};
    genesys_error(t.send("POST", kTriggers, json::serialize(trigger_body("y")), text), 415,
                  "unsupported.media.type");
    genesys_error(t.send("PUT", one, json::serialize(created), text), 415,
                  "unsupported.media.type");
    genesys_error(t.api("DELETE", kTriggers), 405, "method.not.allowed");
    genesys_error(t.api("POST", kTopics, trigger_body("y")), 405, "method.not.allowed");
    genesys_error(t.api("PATCH", one, json::object{}), 405, "method.not.allowed");
    genesys_error(t.api("GET", one + "/deeper"), 404, "not.found");
    CHECK(t.tenant.triggers().size() == 1);
}

TEST_CASE("trigger requests are counted by route, /topics apart from /{id}") {
    Api t;
    const auto created = create_trigger(t, "x");
    t.api("GET", kTriggers);
    t.api("GET", kTopics);
    t.api("GET", std::string(kTriggers) + "/" + id_of(created));
    t.api("GET", std::string(kTriggers) + "/another");
    t.control("GET", "/_emulator/triggers");
    const auto c = t.tenant.counters();
    CHECK(c.requests.at("POST /api/v2/processautomation/triggers") == 1);
    CHECK(c.requests.at("GET /api/v2/processautomation/triggers") == 1);
    CHECK(c.requests.at("GET /api/v2/processautomation/triggers/topics") == 1);
    CHECK(c.requests.at("GET /api/v2/processautomation/triggers/{id}") == 2);
    CHECK(c.requests.size() == 4); // the control plane is not counted
    CHECK(c.statuses.at(404) == 1);
}

TEST_CASE("over the rate limit trigger routes answer 429 and process nothing") {
    Api t(Settings{.rpm = 6}); // a bucket of one request
    const auto first = t.api("POST", kTriggers, trigger_body("a"));
    CHECK(first.status == 200);
    CHECK(first.header("inin-ratelimit-allowed") == "1");
    const auto refused = t.api("POST", kTriggers, trigger_body("b"));
    genesys_error(refused, 429, "too.many.requests.retry.after");
    CHECK(refused.header("Retry-After") == "10");
    CHECK(t.tenant.triggers().size() == 1);
    CHECK(t.tenant.counters().rate_limited == 1);
}

TEST_CASE("faults by path apply to trigger routes") {
    Api t;
    t.control("POST", "/_emulator/faults",
              json::object{{"method", "POST"},
                           {"path", "^/api/v2/processautomation/triggers$"},
                           {"action", "status"},
                           {"status", 503},
                           {"retryAfter", 2}});
    const auto unavailable = t.api("POST", kTriggers, trigger_body("lost"));
    genesys_error(unavailable, 503, "service.unavailable");
    CHECK(unavailable.header("Retry-After") == "2");
    CHECK(t.tenant.triggers().empty());

    t.control("POST", "/_emulator/faults",
              json::object{{"method", "POST"},
                           {"path", "^/api/v2/processautomation/triggers$"},
                           {"action", "commit-then-reset"}});
    CHECK(t.api("POST", kTriggers, trigger_body("kept")).disposition ==
          Disposition::commit_then_reset);
    REQUIRE(t.tenant.triggers().size() == 1);

    t.control("POST", "/_emulator/faults",
              json::object{{"path", "^/api/v2/processautomation/triggers/topics$"},
                           {"action", "reset"}});
    CHECK(t.api("GET", kTopics).disposition == Disposition::reset);
    CHECK(t.api("GET", kTopics).status == 200);
}

// --- Control plane -----------------------------------------------------------------

TEST_CASE("a trigger inserted through the control plane keeps its id and needs only the right shape") {
    Api t;
    auto body = trigger_body("from the UI", "v2.topic.not.offered");
    body["id"] = "11111111-2222-4333-8444-555555555555";
    body["eventTTLSeconds"] = 5; // out of range, but the UI's business
    const auto r = t.control("POST", "/_emulator/triggers", body);
    REQUIRE(r.status == 201);
    const auto inserted = json_of(r);
    CHECK(inserted.at("id") == "11111111-2222-4333-8444-555555555555");
    CHECK(inserted.at("version") == 1);
    CHECK(inserted.at("topicName") == "v2.topic.not.offered");
    CHECK(t.control("POST", "/_emulator/triggers", body).status == 409); // id taken

    auto misshapen = trigger_body("x");
    misshapen["enabled"] = "yes";
    misshapen["tpoicName"] = kCustomerEnd;
    const auto e = genesys_error(t.control("POST", "/_emulator/triggers", misshapen), 400,
                                 "bad.request");
    CHECK(detail_fields(e) == "tpoicName,enabled");

    CHECK(t.tenant.counters().writes == 0); // the UI's writes are not the client's
    const auto listed = json_of(t.control("GET", "/_emulator/triggers")).at("triggers");
    REQUIRE(listed.as_array().size() == 1);
    CHECK(listed.at(0) == inserted);
    CHECK(json_of(t.api("GET", kTriggers)).at("entities").at(0) == inserted);
}

TEST_CASE("drift changes any field, topicName included, and bumps the version") {
    Api t;
    const auto created = create_trigger(t, "original");
    const std::string id = id_of(created);
    const auto r =
        t.control("PATCH", "/_emulator/triggers/" + id,
                  json::object{{"topicName", kPresence},
                               {"target", {{"id", "other-workflow"}}},
                               {"description", nullptr},
                               {"matchCriteria", json::array{json::object{
                                                     {"jsonPath", "mediaType"},
                                                     {"operator", "Equal"},
                                                     {"value", "VOICE"}}}}});
    REQUIRE(r.status == 200);
    const auto drifted = json_of(r);
    CHECK(drifted.at("version") == 2);
    CHECK(drifted.at("topicName") == kPresence);
    CHECK(drifted.at("target") ==
          json::object{{"type", "Workflow"},
                       {"id", "other-workflow"},
                       {"workflowTargetSettings", {{"dataFormat", "TopLevelPrimitives"}}}});
    CHECK_FALSE(drifted.contains("description"));
    CHECK(drifted.at("matchCriteria").at(0).at("value") == "VOICE");
    CHECK(drifted.at("name") == "original");
    CHECK(drifted.at("id").as_string() == id);
    CHECK(t.tenant.trigger(id).value() == drifted);

    // The client's copy is stale now.
    auto body = created;
    body["name"] = "client edit";
    genesys_error(t.api("PUT", std::string(kTriggers) + "/" + id, body), 409, "conflict");
}

TEST_CASE("drift refuses unknown members, nulls on required fields, misshapen values and unknown ids") {
    Api t;
    const std::string id = id_of(create_trigger(t, "x"));
    const std::string target = "/_emulator/triggers/" + id;
    for (const auto& bad : {json::object{{"version", 7}}, json::object{{"nmae", "y"}},
                            json::object{{"name", nullptr}}, json::object{{"enabled", nullptr}},
                            json::object{{"enabled", "no"}},
                            json::object{{"target", {{"dataFormat", "Json"}}}}}) {
        CAPTURE(json::serialize(bad));
        CHECK(t.control("PATCH", target, bad).status == 400);
    }
    CHECK(t.tenant.trigger(id).value().at("version") == 1);
    CHECK(t.control("PATCH", "/_emulator/triggers/unknown", json::object{{"name", "y"}}).status ==
          404);
}

TEST_CASE("a trigger deleted through the control plane is gone") {
    Api t;
    const std::string id = id_of(create_trigger(t, "x"));
    CHECK(t.control("DELETE", "/_emulator/triggers/" + id).status == 204);
    CHECK(t.api("GET", std::string(kTriggers) + "/" + id).status == 404);
    CHECK(t.control("DELETE", "/_emulator/triggers/" + id).status == 404);
    CHECK(t.control("PUT", "/_emulator/triggers/" + id, json::object{}).status == 405);
    CHECK(t.control("GET", "/_emulator/triggers/" + id + "/more").status == 404);
    CHECK(t.control("DELETE", "/_emulator/triggers").status == 405);
}

TEST_CASE("reset forgets triggers and brings back the default topics and every permission") {
    Api t;
    create_trigger(t, "x");
    t.control("PUT", "/_emulator/trigger-topics", json::object{{"topics", json::array{kPresence}}});
    permissions(t, {{"deny", json::array{"processautomation:trigger:view"}}});
    REQUIRE(t.control("POST", "/_emulator/reset").status == 204);
    CHECK(t.tenant.triggers().empty());
    CHECK(t.tenant.trigger_topics() == default_trigger_topics());
    CHECK(t.tenant.denied_permissions().empty());
}
