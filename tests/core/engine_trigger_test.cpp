// The engine with Process Automation triggers (SPEC §8) over an in-memory
// tenant: the same rules as webhooks (converge, drift, 409, adopt, prune,
// lost create), plus what only triggers have: a changed topicName is a
// replace (delete, then create) that counts against the delete budget and
// never runs beside a broken manifest, and topics are checked at plan time
// from a list kept for an hour.
#include "core/engine.hpp"
#include "core/plan_render.hpp"
#include "tests/core/engine_fakes.hpp"
#include "tests/core/plan_items.hpp"
#include "tests/support/scratch_dir.hpp"

#include <doctest/doctest.h>
#include <utility>

#include <cmath>

namespace hookwarden {
namespace {

using testing::FakeTenant;
using testing::fields_of;
using testing::manifest;
using testing::trigger_for;
using testing::trigger_manifest;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// The item of a trigger, unless said otherwise: this file's subject.
const PlanItem& trigger_item(const Plan& plan, const std::string& name,
                             ResourceKind kind = ResourceKind::trigger) {
    return testing::item_named(plan, name, kind);
}

struct TriggerRig {
    TriggerRig()
        : engine(tenant, secrets, state, executor, EngineOptions{}, [this] { return now; },
                 [] { return std::uint64_t{0}; }) {}

    testing::ScratchDir dir;
    FakeTenant tenant;
    SecretStore secrets{dir.path(), {}, [](std::span<unsigned char> out) {
                            std::fill(out.begin(), out.end(), 7);
                            return true;
                        }};
    StateStore state{dir.path()};
    InlineExecutor executor;
    Clock::time_point now = Clock::time_point(1000s);
    Engine engine;

    Plan plan(const std::vector<TriggerManifest>& triggers, const PlanOptions& options = {},
              std::size_t manifest_errors = 0, const std::vector<WebhookManifest>& webhooks = {}) {
        auto planned = engine.plan(DesiredState{webhooks, {}, manifest_errors, triggers}, options);
        REQUIRE(planned.has_value());
        return *planned;
    }
    CycleResult cycle(const std::vector<TriggerManifest>& triggers, const PlanOptions& options = {},
                      std::size_t manifest_errors = 0,
                      const std::vector<WebhookManifest>& webhooks = {}) {
        return engine.apply(plan(triggers, options, manifest_errors, webhooks));
    }
    State owned() {
        auto loaded = state.load();
        REQUIRE(loaded.has_value());
        return *loaded;
    }
};

TEST_CASE("triggers converge: a create of every field, then a cycle with no write") {
    TriggerRig rig;
    auto m = trigger_manifest("SMS after chat error",
                              "v2.detail.events.conversation.{id}.customer.end");
    m.match_criteria.push_back(MatchCriterion{
        "disconnectType", "In", {}, std::vector<boost::json::value>{"error", "transfer"}});
    m.event_ttl_seconds = 60;
    m.description = "Text the customer when a chat ends badly";

    const Plan first = rig.plan({m});
    const PlanItem& create = trigger_item(first, m.name);
    CHECK(create.action == PlanAction::create);
    CHECK(create.secret == SecretAction::none);
    CHECK(fields_of(create) ==
          std::vector<std::string>{"name", "topicName", "target.type", "target.id",
                                   "target.dataFormat", "enabled", "matchCriteria",
                                   "eventTTLSeconds", "description"});
    const CycleResult applied = rig.engine.apply(first);
    CHECK(applied.converged());
    CHECK(applied.counts.created == 1);
    REQUIRE(rig.tenant.all_triggers().size() == 1);
    const Trigger made = rig.tenant.all_triggers().front();
    CHECK(made.match_criteria == m.match_criteria);
    CHECK(rig.owned().owned_triggers.at(m.name).id == made.id);
    CHECK_FALSE(rig.owned().owned_triggers.at(m.name).secret_fingerprint.has_value());
    CHECK(rig.owned().owned.empty()); // not a webhook

    const int writes = rig.tenant.counts().writes();
    const Plan again = rig.plan({m});
    CHECK_FALSE(again.has_changes());
    CHECK(trigger_item(again, m.name).action == PlanAction::unchanged);
    rig.engine.apply(again);
    CHECK(rig.tenant.counts().writes() == writes);
}

TEST_CASE("match criteria compare as a set; a reordered list is not a change") {
    TriggerRig rig;
    auto m = trigger_manifest("Ordered");
    m.match_criteria.push_back(MatchCriterion{"queue.id", "Exists", boost::json::value(true), {}});
    rig.cycle({m});
    std::reverse(m.match_criteria.begin(), m.match_criteria.end());
    CHECK_FALSE(rig.plan({m}).has_changes());
}

TEST_CASE("a match value the tenant gives back one unit in the last place off is not a change") {
    // Found by tests/fuzz/trigger_json_fuzz: Boost.JSON 1.81 reads
    // 1.5666666666666667 as 1.5666666666666669, so every cycle saw drift.
    TriggerRig rig;
    auto m = trigger_manifest("Precise");
    m.match_criteria.push_back(MatchCriterion{"score", "GreaterThan", boost::json::value(1.5666666666666667), {}});
    rig.cycle({m});
    const std::string id = rig.tenant.all_triggers().front().id;
    rig.tenant.ui_edit_trigger(id, [](Trigger& t) {
        for (auto& c : t.match_criteria)
            if (c.value && c.value->is_double())
                c.value = std::nextafter(c.value->get_double(), 2.0);
    });
    CHECK_FALSE(rig.plan({m}).has_changes());
    // A real change of the value still is one.
    m.match_criteria.back().value = boost::json::value(1.5666666666666);
    CHECK(rig.plan({m}).has_changes());
}

TEST_CASE("drift on an owned trigger is corrected in place with the version read") {
    TriggerRig rig;
    const auto m = trigger_manifest("Presence");
    rig.cycle({m});
    const std::string id = rig.tenant.all_triggers().front().id;
    rig.tenant.ui_edit_trigger(id, [](Trigger& t) {
        t.enabled = false;
        t.match_criteria.clear();
    });
    const Plan plan = rig.plan({m});
    const PlanItem& item = trigger_item(plan, m.name);
    CHECK(item.action == PlanAction::update);
    CHECK(item.cause == ChangeCause::drift);
    CHECK(fields_of(item) == std::vector<std::string>{"matchCriteria", "enabled"});
    CHECK(item.version == 2);
    const CycleResult result = rig.engine.apply(plan);
    CHECK(result.counts.updated == 1);
    const Trigger now = rig.tenant.all_triggers().front();
    CHECK(now.id == id);
    CHECK(now.enabled);
    CHECK(now.version == 3);
}

TEST_CASE("a stale version (409) re-reads the trigger, re-plans and updates once more") {
    TriggerRig rig;
    auto m = trigger_manifest("Stale");
    rig.cycle({m});
    const std::string id = rig.tenant.all_triggers().front().id;
    m.description = "changed in git";
    const Plan plan = rig.plan({m});
    // Someone edits it between our read and our PUT.
    rig.tenant.ui_edit_trigger(id, [](Trigger& t) { t.event_ttl_seconds = 30; });
    const CycleResult result = rig.engine.apply(plan);
    CHECK(result.converged());
    CHECK(result.items.front().note == "re-planned after a version mismatch");
    const Trigger now = rig.tenant.all_triggers().front();
    CHECK(now.description == "changed in git");
    CHECK_FALSE(now.event_ttl_seconds.has_value());
}

TEST_CASE("a changed topicName is a replace: delete, then create, with the reason") {
    TriggerRig rig;
    auto m = trigger_manifest("Moves");
    rig.cycle({m});
    const std::string old_id = rig.tenant.all_triggers().front().id;
    m.topic_name = "v2.detail.events.conversation.{id}.acw";

    const Plan plan = rig.plan({m});
    const PlanItem& item = trigger_item(plan, m.name);
    CHECK(item.action == PlanAction::replace);
    CHECK(item.cause == ChangeCause::immutable_changed);
    CHECK(item.reason.find("topicName is fixed after creation") != std::string::npos);
    CHECK(plan.counts().replace == 1);
    const std::string text = render_plan_text(plan);
    CHECK(text.find("-/+ replace trigger \"Moves\"") != std::string::npos);
    CHECK(text.find("to replace") != std::string::npos);
    CHECK(render_plan_json(plan).find("\"action\":\"replace\"") != std::string::npos);

    const CycleResult result = rig.engine.apply(plan);
    CHECK(result.converged());
    CHECK(result.counts.replaced == 1);
    REQUIRE(rig.tenant.all_triggers().size() == 1);
    const Trigger now = rig.tenant.all_triggers().front();
    CHECK(now.id != old_id);
    CHECK(now.topic_name == m.topic_name);
    CHECK(rig.owned().owned_triggers.at(m.name).id == now.id);
    CHECK(rig.tenant.counts().remove == 1);
    CHECK_FALSE(rig.plan({m}).has_changes());
}

TEST_CASE("a topic changed in the tenant is a replace too") {
    TriggerRig rig;
    const auto m = trigger_manifest("Drifted topic");
    rig.cycle({m});
    rig.tenant.ui_edit_trigger(rig.tenant.all_triggers().front().id, [](Trigger& t) {
        t.topic_name = "v2.detail.events.conversation.{id}.acw";
    });
    CHECK(trigger_item(rig.plan({m}), m.name).action == PlanAction::replace);
}

TEST_CASE("a replace never runs in a cycle with a broken manifest, nor over the delete budget") {
    TriggerRig rig;
    auto a = trigger_manifest("A");
    auto b = trigger_manifest("B");
    rig.cycle({a, b});
    a.topic_name = b.topic_name = "v2.detail.events.conversation.{id}.acw";

    SUBCASE("a manifest error") {
        const Plan plan = rig.plan({a, b}, {}, 1);
        CHECK(trigger_item(plan, "A").action == PlanAction::error);
        CHECK(trigger_item(plan, "A").reason.find("replace is skipped this cycle because 1 "
                                                "manifest error was found") != std::string::npos);
        const CycleResult result = rig.engine.apply(plan);
        CHECK_FALSE(result.converged());
        CHECK(rig.tenant.counts().remove == 0);
    }
    SUBCASE("over maxDeletesPerCycle, counted with prune") {
        PlanOptions options;
        options.max_deletes_per_cycle = 1;
        const Plan plan = rig.plan({a, b}, options);
        CHECK(trigger_item(plan, "B").action == PlanAction::error);
        CHECK(trigger_item(plan, "B").reason.find("2 need a replace (a delete each), more than "
                                                "maxDeletesPerCycle (1)") != std::string::npos);
        rig.engine.apply(plan);
        CHECK(rig.tenant.counts().remove == 0);

        // One replace and one pruned trigger: two deletes, over a budget of 1.
        options.prune = true;
        const Plan mixed = rig.plan({a}, options);
        CHECK(trigger_item(mixed, "A").action == PlanAction::error);
        CHECK(trigger_item(mixed, "B").action == PlanAction::retain);
        CHECK(mixed.prune.blocked);
        options.max_deletes_per_cycle = 2;
        const CycleResult result = rig.cycle({a}, options);
        CHECK(result.converged());
        CHECK(result.counts.replaced == 1);
        CHECK(result.counts.deleted == 1);
        CHECK(rig.tenant.all_triggers().size() == 1);
    }
}

TEST_CASE("a replace whose delete fails keeps the old trigger owned and creates nothing") {
    TriggerRig rig;
    auto m = trigger_manifest("Kept");
    rig.cycle({m});
    const std::string old_id = rig.tenant.all_triggers().front().id;
    rig.tenant.fail_delete.insert(old_id);
    m.topic_name = "v2.detail.events.conversation.{id}.acw";
    const CycleResult result = rig.cycle({m});
    CHECK_FALSE(result.converged());
    CHECK(result.items.front().outcome == ItemOutcome::failed);
    CHECK(rig.tenant.counts().create == 1);
    CHECK(rig.owned().owned_triggers.at("Kept").id == old_id);
}

TEST_CASE("prune deletes an owned trigger that left the manifests, never an unowned one") {
    TriggerRig rig;
    rig.tenant.insert(trigger_for(trigger_manifest("Someone else's"), ""));
    rig.cycle({trigger_manifest("Ours")});
    PlanOptions options;
    options.prune = true;
    const Plan plan = rig.plan({}, options);
    CHECK(trigger_item(plan, "Ours").action == PlanAction::remove);
    CHECK(plan.items.size() == 1);
    rig.engine.apply(plan);
    REQUIRE(rig.tenant.all_triggers().size() == 1);
    CHECK(rig.tenant.all_triggers().front().name == "Someone else's");
    CHECK(rig.owned().owned_triggers.empty());
}

TEST_CASE("an unowned trigger of the desired name is adopted; one on another topic is a conflict") {
    TriggerRig rig;
    auto m = trigger_manifest("Made in the UI");
    auto existing = trigger_for(m, "");
    existing.description = "from the UI";
    const std::string id = rig.tenant.insert(existing).id;

    const Plan plan = rig.plan({m});
    CHECK(trigger_item(plan, m.name).action == PlanAction::adopt);
    rig.engine.apply(plan);
    CHECK(rig.owned().owned_triggers.at(m.name).id == id);
    CHECK(rig.tenant.all_triggers().front().description.empty());

    TriggerRig other;
    auto elsewhere = trigger_for(m, "");
    elsewhere.topic_name = "v2.detail.events.conversation.{id}.acw";
    other.tenant.insert(elsewhere);
    const Plan refused = other.plan({m});
    CHECK(trigger_item(refused, m.name).action == PlanAction::conflict);
    other.engine.apply(refused);
    CHECK(other.tenant.counts().writes() == 0);
}

TEST_CASE("a lost create is looked up by name, never sent twice") {
    TriggerRig rig;
    rig.tenant.lose_create_answer_after_commit = 1;
    const auto m = trigger_manifest("Lost");
    const CycleResult result = rig.cycle({m});
    CHECK(result.converged());
    CHECK(rig.tenant.counts().create == 1);
    CHECK(rig.tenant.counts().search == 1);
    CHECK(rig.tenant.all_triggers().size() == 1);
    CHECK(result.items.front().note ==
          "the create's answer was lost; the trigger it made was found by name");
    CHECK(rig.owned().owned_triggers.at("Lost").id == rig.tenant.all_triggers().front().id);
}

// Found by the randomized convergence test (seed 103): the trigger someone
// else made had another topic, and taking it as ours meant replacing it.
TEST_CASE("a lost create never takes, nor replaces, a same-name trigger someone else made "
          "meanwhile") {
    TriggerRig rig;
    const auto m = trigger_manifest("Lost");
    rig.tenant.lose_create_before_commit = 2;
    auto result = rig.cycle({m});
    REQUIRE(result.items.front().error);
    CHECK(result.items.front().error->kind == ErrorKind::outcome_unknown);
    CHECK(rig.owned().owned_triggers.at("Lost").id.empty()); // in doubt

    // Meanwhile someone makes a trigger of that name on another topic.
    const auto theirs = rig.tenant.insert(
        trigger_for(trigger_manifest("Lost", "v2.detail.events.conversation.{id}.acw"), ""));
    rig.now += 10min;
    const Plan plan = rig.plan({m});
    CHECK(trigger_item(plan, "Lost").action == PlanAction::conflict);
    result = rig.engine.apply(plan);
    CHECK(rig.tenant.counts().remove == 0);
    REQUIRE(rig.tenant.all_triggers().size() == 1);
    CHECK(rig.tenant.all_triggers()[0].id == theirs.id);
    CHECK(rig.tenant.all_triggers()[0].topic_name == "v2.detail.events.conversation.{id}.acw");
}

TEST_CASE("a topic the tenant does not list is an error of that trigger only, never sent") {
    TriggerRig rig;
    const auto unknown = trigger_manifest("Typo", "v2.users.{id}.presense");
    const auto fine = trigger_manifest("Fine");
    const auto webhook = manifest("Hook");
    const Plan plan = rig.plan({unknown, fine}, {}, 0, {webhook});
    CHECK(trigger_item(plan, "Typo").action == PlanAction::error);
    CHECK(trigger_item(plan, "Typo").reason.find("v2.users.{id}.presense is not a topic") !=
          std::string::npos);
    CHECK(trigger_item(plan, "Fine").action == PlanAction::create);
    CHECK(trigger_item(plan, "Hook", ResourceKind::webhook).action == PlanAction::create);
    rig.engine.apply(plan);
    CHECK(rig.tenant.counts().create == 2);
    for (const auto& t : rig.tenant.all_triggers())
        CHECK(t.name != "Typo");
}

TEST_CASE("topics are read only when triggers are desired, and kept for an hour") {
    TriggerRig rig;
    rig.cycle({}, {}, 0, {manifest("Hook")});
    CHECK(rig.tenant.counts().topics == 0);
    CHECK(rig.tenant.counts().list == 1); // webhooks only: no trigger list either

    const auto m = trigger_manifest("Kept topics");
    rig.cycle({m});
    CHECK(rig.tenant.counts().topics == 1);
    rig.now += 59min;
    rig.plan({m});
    CHECK(rig.tenant.counts().topics == 1);
    rig.now += 2min;
    rig.plan({m});
    CHECK(rig.tenant.counts().topics == 2);

    // A topic new in the organisation is looked for at once.
    rig.tenant.topics.emplace_back("v2.routing.queues.{id}.members");
    const Plan plan = rig.plan({m, trigger_manifest("New topic", "v2.routing.queues.{id}.members")});
    CHECK(rig.tenant.counts().topics == 3);
    CHECK(trigger_item(plan, "New topic").action == PlanAction::create);
}

TEST_CASE("when topics cannot be listed, triggers are errors and webhooks still converge") {
    TriggerRig rig;
    rig.tenant.fail_topics = true;
    const CycleResult result = rig.cycle({trigger_manifest("T")}, {}, 0, {manifest("W")});
    CHECK_FALSE(result.converged());
    CHECK(result.counts.created == 1);
    CHECK(rig.tenant.all().size() == 1);
    CHECK(rig.tenant.all_triggers().empty());
}

TEST_CASE("a webhook and a trigger may share a name: each kind is planned on its own") {
    TriggerRig rig;
    const CycleResult result =
        rig.cycle({trigger_manifest("Shared")}, {}, 0, {manifest("Shared")});
    CHECK(result.converged());
    CHECK(result.counts.created == 2);
    const State state = rig.owned();
    CHECK(state.owned.count("Shared") == 1);
    CHECK(state.owned_triggers.count("Shared") == 1);
    CHECK(state.owned.at("Shared").id != state.owned_triggers.at("Shared").id);
    CHECK_FALSE(rig.plan({trigger_manifest("Shared")}, {}, 0, {manifest("Shared")}).has_changes());
}

TEST_CASE("a trigger named twice in the manifests is an error; nothing of that name is written") {
    TriggerRig rig;
    const auto plan_or = rig.engine.plan(
        DesiredState{{},
                     {DuplicateName{"Twice", {{"a.yaml", 3, 9}, {"b.yaml", 3, 9}}, ResourceKind::trigger}},
                     1,
                     {}},
        {});
    REQUIRE(plan_or.has_value());
    REQUIRE(plan_or->items.size() == 1);
    CHECK(plan_or->items.front().kind == ResourceKind::trigger);
    CHECK(plan_or->items.front().reason.find("trigger name Twice is defined 2 times") !=
          std::string::npos);
}

} // namespace
} // namespace hookwarden
