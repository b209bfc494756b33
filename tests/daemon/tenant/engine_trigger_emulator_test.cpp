// The reconcile engine with Process Automation triggers (SPEC §4a, §8)
// against the real emulator over TLS, through the real HTTPS tenant client:
// converge, drift, 409, replace, prune, adopt, lost create, paging budget,
// unknown topics, withdrawn permissions and names shared with webhooks,
// observed from the emulator's own control plane (never through the code
// under test).
#include "core/engine.hpp"
#include "core/plan_render.hpp"
#include "daemon/service/thread_pool.hpp"
#include "tests/core/engine_fakes.hpp"
#include "tests/daemon/tenant/engine_emulator_rig.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/scratch_dir.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>
#include <utility>

namespace hookwarden {
namespace {

namespace json = boost::json;
using test::EmulatorControl;
using testing::manifest;
using testing::trigger_manifest;

constexpr const char* presence = "v2.users.{id}.presence";
constexpr const char* after_call_work = "v2.detail.events.conversation.{id}.acw";
constexpr const char* workflow = "5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8b";

constexpr const char* list_route = "GET /api/v2/processautomation/triggers";
constexpr const char* create_route = "POST /api/v2/processautomation/triggers";
constexpr const char* update_route = "PUT /api/v2/processautomation/triggers/{id}";
constexpr const char* delete_route = "DELETE /api/v2/processautomation/triggers/{id}";
constexpr const char* topics_route = "GET /api/v2/processautomation/triggers/topics";

/// A trigger in the API's shape as someone would make it in the UI: what
/// trigger_manifest(name, topic) declares, written out by hand.
json::object ui_trigger(const std::string& name, const std::string& topic = presence) {
    return {{"name", name},
            {"topicName", topic},
            {"target",
             {{"type", "Workflow"},
              {"id", workflow},
              {"workflowTargetSettings", {{"dataFormat", "Json"}}}}},
            {"matchCriteria",
             json::array{{{"jsonPath", "mediaType"}, {"operator", "Equal"}, {"value", "CHAT"}}}},
            {"enabled", true}};
}

std::string id_of(const json::object& trigger) {
    return std::string(trigger.at("id").as_string());
}

/// A fresh tenant, state directory and engine, for triggers and webhooks.
struct TriggerWorld {
    TriggerWorld() : control(test::engine_emulator()) {
        control.reset();
        tenant = test::make_emulator_tenant();
        engine = engine_on(*tenant);
    }

    EmulatorControl control;
    testing::ScratchDir dir;
    SecretStore secrets{dir / "state", {}, test::device_random()};
    StateStore state{dir / "state"};
    std::unique_ptr<TenantHttp> tenant;
    ThreadPool pool{4};
    std::unique_ptr<Engine> engine;

    /// An engine of its own (fresh backoff and topics) on this world's state.
    std::unique_ptr<Engine> engine_on(TenantHttp& on) {
        return std::make_unique<Engine>(
            on, secrets, state, pool, EngineOptions{},
            [] { return std::chrono::steady_clock::now(); }, [] { return std::uint64_t{0}; });
    }

    Plan plan(const std::vector<TriggerManifest>& triggers,
              const std::vector<WebhookManifest>& webhooks = {}, const PlanOptions& options = {},
              std::size_t manifest_errors = 0) {
        auto planned =
            engine->plan(DesiredState{webhooks, {}, manifest_errors, triggers}, options);
        REQUIRE_MESSAGE(planned.has_value(), (planned ? "" : planned.error().describe()));
        return *planned;
    }
    CycleResult cycle(const std::vector<TriggerManifest>& triggers,
                      const std::vector<WebhookManifest>& webhooks = {}, const PlanOptions& options = {},
                      std::size_t manifest_errors = 0) {
        return engine->apply(plan(triggers, webhooks, options, manifest_errors));
    }

    /// The tenant's triggers of that name, as the API shows them.
    std::vector<json::object> named(const std::string& name) { return control.triggers_named(name); }
    /// The one trigger of that name.
    json::object only(const std::string& name) {
        auto found = named(name);
        REQUIRE_MESSAGE(found.size() == 1, name << " is held " << found.size() << " times");
        return found.front();
    }
    bool holds_id(const std::string& id) {
        for (const auto& t : control.triggers())
            if (id_of(t) == id)
                return true;
        return false;
    }
    std::int64_t writes() { return control.counters().at("writes").as_int64(); }
    std::int64_t answered(int status) {
        const json::object counters = control.counters();
        const auto* n = counters.at("statuses").as_object().if_contains(std::to_string(status));
        return n ? n->as_int64() : 0;
    }
    std::string owned_trigger(const std::string& name) {
        auto loaded = state.load();
        REQUIRE(loaded.has_value());
        auto it = loaded->owned_triggers.find(name);
        return it == loaded->owned_triggers.end() ? std::string("(not owned)") : it->second.id;
    }
};

const ItemResult& result_of(const CycleResult& result, const std::string& name,
                            ResourceKind kind = ResourceKind::trigger) {
    for (const auto& item : result.items)
        if (item.name == name && item.kind == kind)
            return item;
    FAIL("no result for " << name << "\n" << render_cycle_text(result));
    throw std::logic_error("unreachable");
}

const PlanItem& item_of(const Plan& plan, const std::string& name) {
    for (const auto& item : plan.items)
        if (item.name == name && item.kind == ResourceKind::trigger)
            return item;
    FAIL("no plan item for " << name << "\n" << render_plan_text(plan));
    throw std::logic_error("unreachable");
}

/// `result` replaced `name`: one trigger of that name on `topic` under a
/// new id, owned, and `old_id` gone from the tenant.
void check_replaced(TriggerWorld& world, const CycleResult& result, const std::string& name,
                    const std::string& old_id, std::string_view topic) {
    CHECK_MESSAGE(result.converged(), render_cycle_text(result));
    CHECK(result.counts.replaced == 1);
    const auto now = world.only(name);
    CHECK(id_of(now) != old_id);
    CHECK(now.at("topicName").as_string() == topic);
    CHECK_FALSE(world.holds_id(old_id));
    CHECK(world.owned_trigger(name) == id_of(now));
}

/// The criterion at `json_path` of a trigger as the API shows it.
json::object criterion(const json::object& trigger, std::string_view json_path) {
    for (const auto& c : trigger.at("matchCriteria").as_array())
        if (c.at("jsonPath").as_string() == json_path)
            return c.as_object();
    FAIL("no criterion " << json_path << " in " << json::serialize(trigger));
    throw std::logic_error("unreachable");
}

/// Requests per route (outside the control plane, which is not counted).
std::map<std::string, std::int64_t> requests(EmulatorControl& control) {
    const json::object counters = control.counters();
    std::map<std::string, std::int64_t> out;
    for (const auto& [route, n] : counters.at("requests").as_object())
        out[std::string(route)] = n.as_int64();
    return out;
}

/// What happened between `before` and `after`, routes with no request left out.
std::map<std::string, std::int64_t> delta(const std::map<std::string, std::int64_t>& before,
                                          const std::map<std::string, std::int64_t>& after) {
    std::map<std::string, std::int64_t> out;
    for (const auto& [route, n] : after) {
        const auto it = before.find(route);
        if (const auto d = n - (it == before.end() ? 0 : it->second); d != 0)
            out[route] = d;
    }
    return out;
}

std::int64_t total(const std::map<std::string, std::int64_t>& counts) {
    std::int64_t sum = 0;
    for (const auto& [route, n] : counts)
        sum += n;
    return sum;
}

std::string show(const std::map<std::string, std::int64_t>& counts) {
    std::string out;
    for (const auto& [route, n] : counts)
        out += route + ": " + std::to_string(n) + "\n";
    return out;
}

TEST_CASE("triggers converge from an empty tenant in the API's shape, and a second cycle writes "
          "nothing") {
    TriggerWorld world;
    auto chat = trigger_manifest("SMS after chat error",
                                 "v2.detail.events.conversation.{id}.customer.end");
    chat.target.data_format = "TopLevelPrimitives";
    chat.match_criteria.push_back(MatchCriterion{
        "disconnectType", "In", {}, std::vector<json::value>{"error", "transfer"}});
    chat.match_criteria.push_back(MatchCriterion{"wrapup.count", "GreaterThan", json::value(3), {}});
    chat.event_ttl_seconds = 60;
    chat.description = "Text the customer when a chat ends badly";
    auto presence_change = trigger_manifest("Presence changed");
    presence_change.delay_by_seconds = 120;
    presence_change.enabled = false;

    const auto result = world.cycle({chat, presence_change});
    CHECK_MESSAGE(result.converged(), render_cycle_text(result));
    CHECK(result.counts.created == 2);
    CHECK(world.control.request_count(create_route) == 2);

    const auto made = world.only(chat.name);
    CHECK(made.at("topicName") == "v2.detail.events.conversation.{id}.customer.end");
    CHECK(made.at("target").at("type") == "Workflow");
    CHECK(made.at("target").at("id") == workflow);
    CHECK(made.at("target").at("workflowTargetSettings").at("dataFormat") == "TopLevelPrimitives");
    const auto media = criterion(made, "mediaType");
    CHECK(media.at("operator") == "Equal");
    CHECK(media.at("value") == "CHAT");
    CHECK_FALSE(media.contains("values"));
    const auto disconnect = criterion(made, "disconnectType");
    CHECK(disconnect.at("operator") == "In");
    CHECK(disconnect.at("values") == json::array{"error", "transfer"});
    CHECK_FALSE(disconnect.contains("value"));
    CHECK(criterion(made, "wrapup.count").at("value") == 3);
    CHECK(made.at("enabled") == true);
    CHECK(made.at("eventTTLSeconds") == 60);
    CHECK_FALSE(made.contains("delayBySeconds"));
    CHECK(made.at("description").as_string() == chat.description);
    CHECK(made.at("version") == 1);
    CHECK(world.owned_trigger(chat.name) == id_of(made));

    const auto other = world.only(presence_change.name);
    CHECK(other.at("target").at("workflowTargetSettings").at("dataFormat") == "Json");
    CHECK(other.at("enabled") == false);
    CHECK(other.at("delayBySeconds") == 120);
    CHECK_FALSE(other.contains("eventTTLSeconds"));
    CHECK(world.owned_trigger(presence_change.name) == id_of(other));

    const auto writes = world.writes();
    const Plan again = world.plan({chat, presence_change});
    CHECK_FALSE_MESSAGE(again.has_changes(), render_plan_text(again));
    const auto quiet = world.engine->apply(again);
    CHECK(quiet.converged());
    CHECK(quiet.counts.unchanged == 2);
    CHECK(world.writes() == writes);
    CHECK(world.control.request_count(create_route) == 2);
    CHECK(world.control.request_count(update_route) == 0);
}

TEST_CASE("drift on an owned trigger is corrected in place, sending the version read") {
    TriggerWorld world;
    const auto m = trigger_manifest("Presence");
    REQUIRE(world.cycle({m}).converged());
    const std::string id = id_of(world.only(m.name));
    world.control.drift_trigger(id, {{"enabled", false},
                                     {"matchCriteria", json::array{}},
                                     {"description", "edited in the UI"}});

    const Plan plan = world.plan({m});
    const PlanItem& item = item_of(plan, m.name);
    CHECK(item.action == PlanAction::update);
    CHECK(item.cause == ChangeCause::drift);
    CHECK(item.id == id);
    CHECK(item.version == 2);
    CHECK(item.changes.size() == 3);

    const auto result = world.engine->apply(plan);
    CHECK_MESSAGE(result.converged(), render_cycle_text(result));
    CHECK(result.counts.updated == 1);
    const auto now = world.only(m.name);
    CHECK(id_of(now) == id);
    CHECK(now.at("version") == 3);
    CHECK(now.at("enabled") == true);
    CHECK(criterion(now, "mediaType").at("value") == "CHAT");
    CHECK_FALSE(now.contains("description"));
    CHECK(world.control.request_count(update_route) == 1);
    CHECK(world.answered(409) == 0);
    CHECK(world.owned_trigger(m.name) == id);
}

TEST_CASE("a trigger edited between plan and apply gets a 409, is read again and converges") {
    TriggerWorld world;
    auto m = trigger_manifest("Stale");
    REQUIRE(world.cycle({m}).converged());
    const std::string id = id_of(world.only(m.name));
    m.description = "changed in git";
    const Plan plan = world.plan({m});
    REQUIRE(item_of(plan, m.name).action == PlanAction::update);
    world.control.drift_trigger(id, {{"eventTTLSeconds", 30}}); // our read is now stale

    const auto result = world.engine->apply(plan);
    CHECK_MESSAGE(result.converged(), render_cycle_text(result));
    CHECK(result_of(result, m.name).attempts == 2);
    CHECK(world.control.request_count(update_route) == 2);
    CHECK(world.answered(409) == 1);
    const auto now = world.only(m.name);
    CHECK(id_of(now) == id);
    CHECK(now.at("description") == "changed in git");
    CHECK_FALSE(now.contains("eventTTLSeconds"));
    CHECK(now.at("version") == 3);
}

TEST_CASE("a topicName changed in the manifests replaces the trigger: the old one is deleted and "
          "the new one owned") {
    TriggerWorld world;
    auto m = trigger_manifest("Moves");
    REQUIRE(world.cycle({m}).converged());
    const std::string old_id = id_of(world.only(m.name));
    m.topic_name = after_call_work;

    const Plan plan = world.plan({m});
    CHECK(item_of(plan, m.name).action == PlanAction::replace);
    check_replaced(world, world.engine->apply(plan), m.name, old_id, after_call_work);
    CHECK(world.control.request_count(delete_route) == 1);
    CHECK(world.control.request_count(create_route) == 2);
    CHECK(world.control.request_count(update_route) == 0); // a topic is never PUT (it would be a 400)

    const auto writes = world.writes();
    CHECK(world.cycle({m}).counts.unchanged == 1);
    CHECK(world.writes() == writes);
}

TEST_CASE("a topic changed in the tenant is replaced back to the manifest's") {
    TriggerWorld world;
    const auto m = trigger_manifest("Drifted topic");
    REQUIRE(world.cycle({m}).converged());
    const std::string old_id = id_of(world.only(m.name));
    world.control.drift_trigger(old_id, {{"topicName", after_call_work}});

    check_replaced(world, world.cycle({m}), m.name, old_id, presence);
}

TEST_CASE("no replace deletes anything above maxDeletesPerCycle nor beside a broken manifest") {
    TriggerWorld world;
    auto a = trigger_manifest("A");
    auto b = trigger_manifest("B");
    REQUIRE(world.cycle({a, b}).converged());
    const std::string a_id = id_of(world.only("A"));
    const std::string b_id = id_of(world.only("B"));
    a.topic_name = b.topic_name = after_call_work;

    const auto over_budget = world.cycle({a, b}, {}, PlanOptions{.max_deletes_per_cycle = 1});
    CHECK_FALSE(over_budget.converged());
    CHECK(over_budget.counts.replaced == 0);
    CHECK(result_of(over_budget, "A").outcome == ItemOutcome::refused);

    const auto broken = world.cycle({a, b}, {}, {}, 1);
    CHECK_FALSE(broken.converged());
    CHECK(broken.counts.replaced == 0);

    CHECK(world.control.request_count(delete_route) == 0);
    CHECK(world.control.request_count(create_route) == 2);
    CHECK(id_of(world.only("A")) == a_id);
    CHECK(id_of(world.only("B")) == b_id);
    CHECK(world.owned_trigger("A") == a_id);
    CHECK(world.owned_trigger("B") == b_id);

    // Within the budget and with every manifest good, both go through.
    const auto allowed = world.cycle({a, b});
    CHECK_MESSAGE(allowed.converged(), render_cycle_text(allowed));
    CHECK(allowed.counts.replaced == 2);
    CHECK(world.only("A").at("topicName") == after_call_work);
}

TEST_CASE("prune deletes an owned trigger that left the manifests, never one made in the UI") {
    TriggerWorld world;
    REQUIRE(world.cycle({trigger_manifest("Ours"), trigger_manifest("Gone")}).converged());
    const std::string theirs = world.control.insert_trigger(ui_trigger("Theirs"));

    const auto result = world.cycle({trigger_manifest("Ours")}, {}, PlanOptions{.prune = true});
    CHECK_MESSAGE(result.converged(), render_cycle_text(result));
    CHECK(result.counts.deleted == 1);
    CHECK(world.named("Gone").empty());
    CHECK(world.named("Ours").size() == 1);
    CHECK(id_of(world.only("Theirs")) == theirs);
    CHECK(world.owned_trigger("Gone") == "(not owned)");
    CHECK(world.owned_trigger("Theirs") == "(not owned)");
    CHECK(world.control.request_count(delete_route) == 1);

    // Not even when nothing desired is left: only ours would go.
    const auto empty = world.cycle({}, {}, PlanOptions{.prune = true});
    CHECK(empty.counts.deleted == 1);
    CHECK(world.control.trigger_names() == std::vector<std::string>{"Theirs"});
}

TEST_CASE("with adopt on, a trigger of the desired name made in the UI is adopted in place") {
    TriggerWorld world;
    auto made_in_ui = ui_trigger("Made in the UI");
    made_in_ui["description"] = "from the UI";
    const std::string id = world.control.insert_trigger(made_in_ui);

    const auto result = world.cycle({trigger_manifest("Made in the UI")});
    CHECK_MESSAGE(result.converged(), render_cycle_text(result));
    CHECK(result.counts.adopted == 1);
    CHECK(world.control.request_count(create_route) == 0);
    const auto now = world.only("Made in the UI");
    CHECK(id_of(now) == id);
    CHECK_FALSE(now.contains("description"));
    CHECK(world.owned_trigger("Made in the UI") == id);
}

TEST_CASE("with adopt off, a trigger made in the UI is a conflict and nothing is written to it") {
    TriggerWorld world;
    const std::string id = world.control.insert_trigger(ui_trigger("Made in the UI"));

    const auto result = world.cycle({trigger_manifest("Made in the UI"), trigger_manifest("Ours")},
                                    {}, PlanOptions{.adopt = false});
    CHECK_FALSE(result.converged());
    CHECK(result.counts.conflicts == 1);
    CHECK(result.counts.created == 1); // the others go on
    CHECK(id_of(world.only("Made in the UI")) == id);
    CHECK(world.only("Made in the UI").at("version") == 1);
    CHECK(world.owned_trigger("Made in the UI") == "(not owned)");
    CHECK(world.control.request_count(update_route) == 0);
    CHECK(world.control.request_count(create_route) == 1);
}

TEST_CASE("a trigger create whose answer is lost after the tenant committed it leaves exactly one "
          "trigger, found by the list") {
    TriggerWorld world;
    world.control.add_fault({.method = "POST",
                             .path = "^/api/v2/processautomation/triggers$",
                             .action = "commit-then-reset"});
    const auto m = trigger_manifest("Lost");
    const auto result = world.cycle({m});
    CHECK_MESSAGE(result.converged(), render_cycle_text(result));
    CHECK(result_of(result, m.name).note ==
          "the create's answer was lost; the trigger it made was found by name");
    const auto made = world.only(m.name);
    CHECK(world.owned_trigger(m.name) == id_of(made));
    CHECK(world.control.request_count(create_route) == 1);
    CHECK(world.control.request_count(list_route) == 2); // the plan's, then the lookup
    CHECK(world.control.faults().empty());

    const auto writes = world.writes();
    CHECK(world.cycle({m}).counts.unchanged == 1);
    CHECK(world.writes() == writes);
    CHECK(world.named(m.name).size() == 1);
}

TEST_CASE("a directory of webhooks and triggers converges in one cycle, and a no-op cycle reads "
          "every page once and writes nothing") {
    constexpr int webhook_count = 150; // two pages of 100
    constexpr int trigger_count = 250; // two pages of 200
    TriggerWorld world;
    std::vector<WebhookManifest> webhooks;
    webhooks.reserve(webhook_count);
    for (int i = 0; i < webhook_count; ++i)
        webhooks.push_back(manifest("hook-" + std::to_string(i)));
    std::vector<TriggerManifest> triggers;
    triggers.reserve(trigger_count);
    for (int i = 0; i < trigger_count; ++i)
        triggers.push_back(trigger_manifest("Trigger " + std::to_string(i)));

    const auto first = world.cycle(triggers, webhooks);
    REQUIRE_MESSAGE(first.converged(), render_cycle_text(first));
    CHECK(first.counts.created == webhook_count + trigger_count);
    CHECK(world.control.webhooks().size() == webhook_count);
    CHECK(world.control.triggers().size() == trigger_count);

    // A fresh client and engine: a token to fetch and topics to read.
    const auto writes = world.writes();
    auto tenant = test::make_emulator_tenant();
    auto engine = world.engine_on(*tenant);
    const auto before = requests(world.control);
    auto planned = engine->plan(DesiredState{webhooks, {}, 0, triggers}, {});
    REQUIRE(planned.has_value());
    CHECK_FALSE(planned->has_changes());
    CHECK(engine->apply(*planned).counts.unchanged == webhook_count + trigger_count);
    const auto fresh = delta(before, requests(world.control));
    MESSAGE("no-op cycle of a fresh engine:\n" << show(fresh));
    const std::int64_t pages = (webhook_count + 99) / 100 + (trigger_count + 199) / 200;
    CHECK(fresh.at("POST /oauth/token") == 1);
    CHECK(fresh.at(topics_route) == 1);
    CHECK(fresh.at("GET /api/v2/webhooks") == 2);
    CHECK(fresh.at(list_route) == 2);
    CHECK(total(fresh) <= pages + 1 + 1);
    CHECK(world.writes() == writes);

    // The same engine again: its token and topics are still good.
    const auto before_again = requests(world.control);
    auto replanned = engine->plan(DesiredState{webhooks, {}, 0, triggers}, {});
    REQUIRE(replanned.has_value());
    CHECK_FALSE(replanned->has_changes());
    engine->apply(*replanned);
    const auto kept = delta(before_again, requests(world.control));
    MESSAGE("no-op cycle of the same engine:\n" << show(kept));
    CHECK(kept.count(topics_route) == 0);
    CHECK(kept.count("POST /oauth/token") == 0);
    CHECK(total(kept) <= pages);
    CHECK(world.writes() == writes);
}

TEST_CASE("a topic the tenant does not list fails only its trigger and is never sent") {
    TriggerWorld world;
    const auto typo = trigger_manifest("Typo", "v2.users.{id}.presense");
    const auto fine = trigger_manifest("Fine");
    const auto hook = manifest("Hook");

    const auto result = world.cycle({typo, fine}, {hook});
    CHECK_FALSE(result.converged());
    const ItemResult& failed = result_of(result, "Typo");
    CHECK(failed.outcome == ItemOutcome::refused);
    REQUIRE(failed.error.has_value());
    CHECK(failed.error->describe().find("v2.users.{id}.presense is not a topic") !=
          std::string::npos);
    CHECK(result_of(result, "Fine").outcome == ItemOutcome::done);
    CHECK(result_of(result, "Hook", ResourceKind::webhook).outcome == ItemOutcome::done);
    CHECK(world.named("Typo").empty());
    CHECK(world.named("Fine").size() == 1);
    CHECK(world.control.webhook_names() == std::vector<std::string>{"Hook"});
    // Only Fine was POSTed; the tenant refused nothing because nothing wrong reached it.
    CHECK(world.control.request_count(create_route) == 1);
    CHECK(world.answered(400) == 0);
}

TEST_CASE("a withdrawn processautomation:trigger:add fails the create naming it; the rest is "
          "unaffected") {
    TriggerWorld world;
    const auto existing = trigger_manifest("Existing");
    REQUIRE(world.cycle({existing}).converged());
    const std::string id = id_of(world.only("Existing"));
    world.control.drift_trigger(id, {{"enabled", false}});
    world.control.deny_permission("processautomation:trigger:add");

    const auto result = world.cycle({existing, trigger_manifest("New")}, {manifest("Hook")});
    CHECK_FALSE(result.converged());
    const ItemResult& refused = result_of(result, "New");
    CHECK(refused.outcome == ItemOutcome::failed);
    REQUIRE(refused.error.has_value());
    CHECK_MESSAGE(refused.error->describe().find("processautomation:trigger:add") !=
                      std::string::npos,
                  refused.error->describe());
    CHECK(world.named("New").empty());
    CHECK(world.owned_trigger("New") == "(not owned)");
    CHECK(world.answered(403) == 1);
    // Editing is still allowed, and webhooks need no trigger permission.
    CHECK(result_of(result, "Existing").outcome == ItemOutcome::done);
    CHECK(world.only("Existing").at("enabled") == true);
    CHECK(result_of(result, "Hook", ResourceKind::webhook).outcome == ItemOutcome::done);
    CHECK(world.control.webhook_names() == std::vector<std::string>{"Hook"});
}

TEST_CASE("a webhook and a trigger of the same name live side by side, each owned") {
    TriggerWorld world;
    const auto result = world.cycle({trigger_manifest("Shared")}, {manifest("Shared")});
    CHECK_MESSAGE(result.converged(), render_cycle_text(result));
    CHECK(result.counts.created == 2);
    CHECK(world.control.webhook_names() == std::vector<std::string>{"Shared"});
    const auto trigger = world.only("Shared");

    const auto loaded = world.state.load();
    REQUIRE(loaded.has_value());
    REQUIRE(loaded->owned.count("Shared") == 1);
    CHECK(loaded->owned.at("Shared").id == world.control.webhooks().at(0).id);
    CHECK(world.owned_trigger("Shared") == id_of(trigger));

    const auto writes = world.writes();
    const auto again = world.cycle({trigger_manifest("Shared")}, {manifest("Shared")});
    CHECK(again.counts.unchanged == 2);
    CHECK(world.writes() == writes);
}

} // namespace
} // namespace hookwarden
