// The tenant client's Process Automation trigger calls (SPEC §8) against a
// scripted tenant: cursor paging and its defences, the lookup by name, the
// 200 create, version conflicts, and 403s that name the permission.
#include "tests/daemon/tenant/scripted_tenant.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include "tests/support/doctest_result.hpp"

#include <atomic>

using namespace hookwarden;
using namespace hookwarden::testing;
namespace json = boost::json;

namespace {

constexpr const char* triggers = "/api/v2/processautomation/triggers";
constexpr const char* topics = "/api/v2/processautomation/triggers/topics";

std::string trigger_json(const std::string& id, const std::string& name = "SMS after chat error", int version = 1) {
    return R"({"id":")" + id + R"(","name":")" + name +
           R"(","topicName":"v2.detail.events.conversation.{id}.customer.end",)"
           R"("target":{"type":"Workflow","id":"wf-1","workflowTargetSettings":{"dataFormat":"Json"}},)"
           R"("matchCriteria":[{"jsonPath":"mediaType","operator":"Equal","value":"CHAT"}],"enabled":true,)"
           R"("version":)" + std::to_string(version) + R"(,"selfUri":"/api/v2/processautomation/triggers/)" + id + R"("})";
}

// A page of `entities` (JSON texts) with `next` as its nextUri, none when empty.
std::string cursor_page(const std::vector<std::string>& entities, const std::string& next = {}) {
    std::string body = R"({"entities":[)";
    for (std::size_t i = 0; i < entities.size(); ++i)
        body += (i ? "," : "") + entities[i];
    body += "]";
    if (!next.empty())
        body += R"(,"nextUri":")" + next + R"(")";
    return body + "}";
}

std::string next_uri(const std::string& path, const std::string& cursor) {
    return path + "?pageSize=200&after=" + cursor;
}

Trigger sample_trigger(const std::string& name = "SMS after chat error") {
    Trigger t;
    t.name = name;
    t.topic_name = "v2.detail.events.conversation.{id}.customer.end";
    t.target.id = "wf-1";
    t.match_criteria = {{"mediaType", "Equal", json::value("CHAT"), std::nullopt}};
    t.event_ttl_seconds = 60;
    return t;
}

// The Genesys body of a 403 for a missing permission (SPEC §8).
std::string missing_permission_body(const std::string& permission) {
    return R"({"message":"You are missing the following permission(s): [)" + permission +
           R"(]","code":"missing.permissions","status":403,)"
           R"("messageWithParams":"You are missing the following permission(s): {permissions}",)"
           R"("messageParams":{"permissions":"[)" + permission + R"(]"},"contextId":"ctx-403","details":[],"errors":[]})";
}

} // namespace

TEST_CASE("the trigger list asks for pages of 200 and follows nextUri until it is absent") {
    ScriptedTenant c(sequence({
        answer(200, cursor_page({trigger_json("t1"), trigger_json("t2")}, next_uri(triggers, "c1"))),
        answer(200, cursor_page({trigger_json("t3")}, next_uri(triggers, "c2"))),
        answer(200, cursor_page({trigger_json("t4")})),
    }));
    auto all = c.tenant->list_triggers();
    REQUIRE(all);
    REQUIRE(all->size() == 4);
    CHECK((*all)[0].id == "t1");
    CHECK((*all)[3].id == "t4");
    CHECK((*all)[0].match_criteria.at(0).value == json::value("CHAT"));
    const auto sent = c.api_requests();
    REQUIRE(sent.size() == 3);
    CHECK(sent[0].request.method == "GET");
    CHECK(sent[0].request.target == "/api/v2/processautomation/triggers?pageSize=200");
    CHECK(sent[1].request.target == "/api/v2/processautomation/triggers?pageSize=200&after=c1");
    CHECK(sent[2].request.target == "/api/v2/processautomation/triggers?pageSize=200&after=c2");
}

TEST_CASE("a trigger list page that points back to an earlier page is refused, not followed") {
    ScriptedTenant c(sequence({
        answer(200, cursor_page({trigger_json("t1")}, next_uri(triggers, "c1"))),
        answer(200, cursor_page({trigger_json("t2")}, next_uri(triggers, "c1"))),
        answer(200, cursor_page({trigger_json("t3")})),
    }));
    auto all = c.tenant->list_triggers();
    REQUIRE_FALSE(all);
    CHECK(all.error().kind == ErrorKind::tenant);
    CHECK(all.error().message.find("trigger list loops") != std::string::npos);
    CHECK(all.error().context.operation == "GET /api/v2/processautomation/triggers");
    CHECK(c.api_requests().size() == 2);
}

TEST_CASE("a trigger list that never ends is cut at max_pages") {
    std::atomic<int> next{0};
    ScriptedTenant c(with_token([&](const HttpRequest&) -> TransportResult {
                         const auto n = std::to_string(next++);
                         return answer(200, cursor_page({trigger_json("t" + n)}, next_uri(triggers, "c" + n)));
                     }),
                     [](TenantHttpOptions& o) { o.max_pages = 5; });
    auto all = c.tenant->list_triggers();
    REQUIRE_FALSE(all);
    CHECK(all.error().message.find("trigger list did not end after 5 pages") != std::string::npos);
    CHECK(c.api_requests().size() == 5);
}

TEST_CASE("a trigger list page repeating what was already read is no progress") {
    ScriptedTenant c(sequence({
        answer(200, cursor_page({trigger_json("t1")}, next_uri(triggers, "c1"))),
        answer(200, cursor_page({trigger_json("t1")}, next_uri(triggers, "c2"))),
    }));
    auto all = c.tenant->list_triggers();
    REQUIRE_FALSE(all);
    CHECK(all.error().message.find("no progress") != std::string::npos);
    CHECK(c.api_requests().size() == 2);
}

TEST_CASE("a nextUri elsewhere than the trigger list on the API host is never followed") {
    for (const std::string next : {"https://elsewhere.test/api/v2/processautomation/triggers?after=c1",
                                   "//elsewhere.test/api/v2/processautomation/triggers?after=c1",
                                   "http://tenant.test/api/v2/processautomation/triggers?after=c1",
                                   "https://tenant.test:8443/api/v2/processautomation/triggers?after=c1",
                                   "/api/v2/webhooks?pageSize=100&pageNumber=2",
                                   "/api/v2/processautomation/triggers/topics?after=c1"}) {
        CAPTURE(next);
        ScriptedTenant c(sequence({answer(200, cursor_page({trigger_json("t1")}, next)),
                                   answer(200, cursor_page({trigger_json("t2")}))}));
        auto all = c.tenant->list_triggers();
        REQUIRE_FALSE(all);
        CHECK(all.error().kind == ErrorKind::tenant);
        CHECK(all.error().message.find("next page") != std::string::npos);
        CHECK(all.error().context.operation == "GET /api/v2/processautomation/triggers");
        CHECK(c.api_requests().size() == 1);
    }
}

TEST_CASE("an absolute nextUri on the API host is followed as a target below the API base") {
    ScriptedTenant c(
        sequence({answer(200, cursor_page({trigger_json("t1")},
                                          "https://TENANT.test/api/v2/processAutomation/triggers?pageSize=200&after=c%2B1")),
                  answer(200, cursor_page({trigger_json("t2")}))}),
        [](TenantHttpOptions& o) { o.api_base = "https://tenant.test/"; });
    auto all = c.tenant->list_triggers();
    REQUIRE(all);
    CHECK(all->size() == 2);
    const auto sent = c.api_requests();
    REQUIRE(sent.size() == 2);
    CHECK(sent[1].request.target == "/api/v2/processautomation/triggers?pageSize=200&after=c%2B1");
}

TEST_CASE("the lookup by name walks the whole list and keeps exact matches only") {
    ScriptedTenant c(sequence({
        answer(200, cursor_page({trigger_json("t1", "SMS"), trigger_json("t2", "SMS 2")}, next_uri(triggers, "c1"))),
        answer(200, cursor_page({trigger_json("t3", "sms"), trigger_json("t4", "SMS")})),
    }));
    auto found = c.tenant->find_triggers_named("SMS");
    REQUIRE(found);
    REQUIRE(found->size() == 2);
    CHECK((*found)[0].id == "t1");
    CHECK((*found)[1].id == "t4");
    for (const auto& sent : c.api_requests()) {
        CHECK(sent.request.method == "GET"); // there is no search call
        CHECK(sent.request.target.starts_with(triggers));
    }
    CHECK(c.api_requests().size() == 2);
}

TEST_CASE("a trigger create POSTs the write body and takes the 200 answer") {
    ScriptedTenant c(with_token([](const HttpRequest& r) -> TransportResult {
        CHECK(r.method == "POST");
        CHECK(r.target == "/api/v2/processautomation/triggers");
        CHECK_FALSE(r.reuse_connection);
        const auto body = json::parse(r.body).as_object();
        CHECK_FALSE(body.contains("id"));
        CHECK_FALSE(body.contains("version"));
        CHECK_FALSE(body.contains("selfUri"));
        CHECK(body.at("name") == "SMS after chat error");
        CHECK(body.at("topicName") == "v2.detail.events.conversation.{id}.customer.end");
        CHECK(body.at("target").at("workflowTargetSettings").at("dataFormat") == "Json");
        CHECK(body.at("eventTTLSeconds") == 60);
        return answer(200, trigger_json("new-id"));
    }));
    auto body = sample_trigger();
    body.id = "stale-id";
    body.version = 7;
    auto created = c.tenant->create_trigger(body);
    REQUIRE(created);
    CHECK(created->id == "new-id");
    CHECK(created->version == 1);
    CHECK(c.api_requests().size() == 1);
}

TEST_CASE("a trigger create whose answer is lost is never sent again: outcome unknown") {
    ScriptedTenant c(sequence({lost(true), answer(200, trigger_json("dup"))}));
    auto created = c.tenant->create_trigger(sample_trigger("SMS"));
    REQUIRE_FALSE(created);
    CHECK(created.error().kind == ErrorKind::outcome_unknown);
    CHECK(created.error().context.webhook == "SMS");
    CHECK(created.error().context.operation == "POST /api/v2/processautomation/triggers");
    CHECK(c.api_requests().size() == 1);

    ScriptedTenant garbled(sequence({answer(200, R"({"name":"SMS"})"), answer(200, trigger_json("dup"))}));
    auto unreadable = garbled.tenant->create_trigger(sample_trigger("SMS"));
    REQUIRE_FALSE(unreadable);
    CHECK(unreadable.error().kind == ErrorKind::outcome_unknown);
    CHECK(unreadable.error().message.find("trigger may exist") != std::string::npos);
    CHECK(garbled.api_requests().size() == 1);
}

TEST_CASE("a trigger update PUTs the version it read and a 409 is a version mismatch") {
    ScriptedTenant c(with_token([](const HttpRequest& r) -> TransportResult {
        CHECK(r.method == "PUT");
        CHECK(r.target == "/api/v2/processautomation/triggers/abc%2Fdef");
        const auto body = json::parse(r.body).as_object();
        CHECK(body.at("version") == 3);
        CHECK_FALSE(body.contains("id"));
        return answer(409, R"({"message":"Version 3 does not match the current version 4","code":"conflict","status":409,"contextId":"ctx-9"})",
                      {{"inin-correlation-id", "corr-9"}});
    }));
    auto t = sample_trigger("SMS");
    t.id = "abc/def";
    t.version = 3;
    auto updated = c.tenant->update_trigger(t);
    REQUIRE_FALSE(updated);
    CHECK(updated.error().kind == ErrorKind::version_mismatch);
    CHECK(updated.error().context.webhook == "SMS");
    CHECK(updated.error().context.operation == "PUT /api/v2/processautomation/triggers/{id}");
    CHECK(updated.error().context.http_status == 409);
    CHECK(updated.error().context.api_code == "conflict");
    CHECK(updated.error().context.context_id == "ctx-9");
    CHECK(updated.error().context.correlation_id == "corr-9");
    CHECK(c.api_requests().size() == 1);
}

TEST_CASE("a trigger update answered 200 returns the new version") {
    ScriptedTenant c(sequence({answer(200, trigger_json("t1", "SMS", 4))}));
    auto t = sample_trigger("SMS");
    t.id = "t1";
    t.version = 3;
    auto updated = c.tenant->update_trigger(t);
    REQUIRE(updated);
    CHECK(updated->version == 4);
}

TEST_CASE("get and delete address one trigger; an unknown one is not_found naming its id") {
    ScriptedTenant c(sequence({answer(200, trigger_json("t1")), answer(204, ""),
                               answer(404, R"({"message":"Trigger not found","code":"not.found","status":404})")}));
    auto got = c.tenant->get_trigger("t1");
    REQUIRE(got);
    CHECK(got->id == "t1");
    CHECK(c.tenant->delete_trigger("t1"));
    auto missing = c.tenant->get_trigger("gone");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().kind == ErrorKind::not_found);
    CHECK(missing.error().message.find("trigger gone") != std::string::npos);
    const auto sent = c.api_requests();
    REQUIRE(sent.size() == 3);
    CHECK(sent[0].request.method == "GET");
    CHECK(sent[0].request.target == "/api/v2/processautomation/triggers/t1");
    CHECK(sent[1].request.method == "DELETE");
    CHECK(sent[1].request.target == "/api/v2/processautomation/triggers/t1");
    CHECK(sent[2].request.target == "/api/v2/processautomation/triggers/gone");
}

TEST_CASE("a 403 names the permission the Genesys body says is missing") {
    ScriptedTenant c(sequence({answer(403, missing_permission_body("processautomation:trigger:add"),
                                      {{"inin-correlation-id", "corr-403"}})}));
    auto created = c.tenant->create_trigger(sample_trigger());
    REQUIRE_FALSE(created);
    CHECK(created.error().kind == ErrorKind::tenant);
    CHECK(created.error().message.find("lacks the permission processautomation:trigger:add") != std::string::npos);
    CHECK(created.error().context.http_status == 403);
    CHECK(created.error().context.api_code == "missing.permissions");
    CHECK(created.error().context.context_id == "ctx-403");
    CHECK(created.error().context.correlation_id == "corr-403");
    CHECK(created.error().context.operation == "POST /api/v2/processautomation/triggers");
    CHECK(c.api_requests().size() == 1);
}

TEST_CASE("a 403 whose body does not say names the permission the call needs") {
    struct Case {
        const char* permission;
        std::function<Error(TenantHttp&)> call;
    };
    auto updatable = sample_trigger();
    updatable.id = "t1";
    updatable.version = 1;
    const std::vector<Case> cases{
        {"processautomation:trigger:view", [](TenantHttp& t) { return t.list_triggers().error(); }},
        {"processautomation:trigger:view", [](TenantHttp& t) { return t.find_triggers_named("x").error(); }},
        {"processautomation:trigger:view", [](TenantHttp& t) { return t.get_trigger("t1").error(); }},
        {"processautomation:trigger:view", [](TenantHttp& t) { return t.trigger_topics().error(); }},
        {"processautomation:trigger:add", [](TenantHttp& t) { return t.create_trigger(sample_trigger()).error(); }},
        {"processautomation:trigger:edit", [&](TenantHttp& t) { return t.update_trigger(updatable).error(); }},
        {"processautomation:trigger:delete", [](TenantHttp& t) { return t.delete_trigger("t1").error(); }},
    };
    for (const char* body : {R"({"message":"Forbidden","code":"forbidden","contextId":"ctx"})", ""}) {
        for (const auto& c : cases) {
            CAPTURE(c.permission);
            CAPTURE(body);
            ScriptedTenant tenant(sequence({answer(403, body)}));
            const auto error = c.call(*tenant.tenant);
            CHECK(error.kind == ErrorKind::tenant);
            CHECK(error.context.http_status == 403);
            CHECK(error.message.find(std::string("needs the permission ") + c.permission) != std::string::npos);
        }
    }
}

TEST_CASE("trigger topics are plain strings, followed across cursor pages") {
    ScriptedTenant c(sequence({
        answer(200, R"({"entities":["v2.users.{id}.presence","v2.routing.queues.{id}.members"],"nextUri":")" +
                        next_uri(topics, "t1") + R"("})"),
        answer(200, R"({"entities":["v2.audits.entitytype.{name}.entityid.{id}"],"nextUri":")" +
                        next_uri(topics, "t2") + R"("})"),
        answer(200, R"({"entities":["v2.detail.events.conversation.{id}.acw"]})"),
    }));
    auto all = c.tenant->trigger_topics();
    REQUIRE(all);
    CHECK(*all == std::vector<std::string>{"v2.users.{id}.presence", "v2.routing.queues.{id}.members",
                                           "v2.audits.entitytype.{name}.entityid.{id}",
                                           "v2.detail.events.conversation.{id}.acw"});
    const auto sent = c.api_requests();
    REQUIRE(sent.size() == 3);
    CHECK(sent[0].request.target == "/api/v2/processautomation/triggers/topics?pageSize=200");
    CHECK(sent[2].request.target == "/api/v2/processautomation/triggers/topics?pageSize=200&after=t2");
}

TEST_CASE("the topic list refuses a repeated cursor and entities that are not strings") {
    ScriptedTenant looping(with_token([](const HttpRequest&) -> TransportResult {
        return answer(200, R"({"entities":["v2.users.{id}.presence"],"nextUri":")" + next_uri(topics, "same") + R"("})");
    }));
    auto stuck = looping.tenant->trigger_topics();
    REQUIRE_FALSE(stuck);
    CHECK(stuck.error().message.find("trigger topic list loops") != std::string::npos);
    CHECK(looping.api_requests().size() == 2);

    ScriptedTenant objects(sequence({answer(200, R"({"entities":[{"id":"v2.users.{id}.presence"}]})")}));
    auto malformed = objects.tenant->trigger_topics();
    REQUIRE_FALSE(malformed);
    CHECK(malformed.error().message.find("a topic must be a string") != std::string::npos);
}
