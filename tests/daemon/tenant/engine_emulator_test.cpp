// The reconcile engine against the real emulator over TLS, through the real
// HTTPS tenant client: what SPEC §4a promises, observed from the emulator's
// own control plane (never through the code under test).
#include "core/engine.hpp"
#include "core/plan_render.hpp"
#include "daemon/service/thread_pool.hpp"
#include "daemon/tenant/tenant_http.hpp"
#include "tests/core/engine_fakes.hpp"
#include "tests/daemon/tenant/engine_emulator_rig.hpp"
#include "tests/support/emulator_client.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/scratch_dir.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>
#include <fstream>
#include <utility>

namespace hookwarden {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using hookwarden::testing::read_text;
using test::EmulatorControl;
using test::EmulatorProcess;
using testing::manifest;

EmulatorProcess& emulator() { return test::engine_emulator(); }
std::unique_ptr<TenantHttp> make_tenant() { return test::make_emulator_tenant(); }
using test::device_random;

// A fresh tenant, state directory and engine.
struct World {
    World() : control(emulator()) {
        control.reset();
        tenant = make_tenant();
        engine = std::make_unique<Engine>(
            *tenant, secrets, state, pool, EngineOptions{},
            [] { return std::chrono::steady_clock::now(); }, [] { return std::uint64_t{0}; });
    }

    EmulatorControl control;
    testing::ScratchDir dir;
    SecretStore secrets{dir / "state", {}, device_random()};
    StateStore state{dir / "state"};
    std::unique_ptr<TenantHttp> tenant;
    ThreadPool pool{4};
    std::unique_ptr<Engine> engine;

    Plan plan(const std::vector<WebhookManifest>& desired, const PlanOptions& options = {},
              std::size_t manifest_errors = 0) {
        auto planned = engine->plan(DesiredState{desired, {}, manifest_errors}, options);
        REQUIRE_MESSAGE(planned.has_value(), (planned ? "" : planned.error().describe()));
        return *planned;
    }
    CycleResult cycle(const std::vector<WebhookManifest>& desired, const PlanOptions& options = {},
                      std::size_t manifest_errors = 0) {
        return engine->apply(plan(desired, options, manifest_errors));
    }
    std::vector<Webhook> named(const std::string& name) { return control.webhooks_named(name); }
    std::int64_t writes() { return control.counters().at("writes").as_int64(); }
    std::string owned_id(const std::string& name) {
        auto loaded = state.load();
        REQUIRE(loaded.has_value());
        auto it = loaded->owned.find(name);
        return it == loaded->owned.end() ? std::string("(not owned)") : it->second.id;
    }
};

std::string describe(const CycleResult& result) {
    return render_cycle_text(result);
}

TEST_CASE("converging from an empty tenant creates every webhook with its generated secret") {
    World world;
    const std::vector desired{manifest("Alpha"), manifest("Beta", "https://beta.example.com/x"),
                              manifest("Gamma")};
    const auto result = world.cycle(desired);
    CHECK_MESSAGE(result.converged(), describe(result));
    CHECK(result.counts.created == 3);
    for (const auto& m : desired) {
        const auto found = world.named(m.name);
        REQUIRE(found.size() == 1);
        CHECK(found[0].endpoint_url == m.endpoint_url);
        CHECK(found[0].event_types == m.event_types);
        CHECK(world.owned_id(m.name) == found[0].id);
        REQUIRE(found[0].secret);
        CHECK(*found[0].secret == read_text(world.dir / "state" / "secrets" / m.name));
    }
    CHECK(world.control.request_count("POST /api/v2/webhooks") == 3);
}

TEST_CASE("a cycle over a converged tenant makes zero writes") {
    World world;
    const std::vector desired{manifest("Alpha"), manifest("Beta")};
    REQUIRE(world.cycle(desired).converged());
    const auto writes = world.writes();
    const auto result = world.cycle(desired);
    CHECK(result.converged());
    CHECK(result.counts.unchanged == 2);
    CHECK(world.writes() == writes);
    CHECK(world.control.request_count("PUT /api/v2/webhooks/{id}") == 0);
}

TEST_CASE("a converged cycle also makes zero writes when the tenant echoes secrets") {
    World world;
    world.control.set_config({.echo_secrets = true});
    const std::vector desired{manifest("Alpha")};
    REQUIRE(world.cycle(desired).converged());
    const auto writes = world.writes();
    CHECK(world.cycle(desired).counts.unchanged == 1);
    CHECK(world.writes() == writes);
}

TEST_CASE("drift made in the UI is corrected in place on the next cycle") {
    World world;
    const auto m = manifest("Alpha");
    REQUIRE(world.cycle({m}).converged());
    const auto id = world.named("Alpha").at(0).id;
    world.control.drift(
        id, json::object{{"endpointUrl", "https://drifted.example.com/x"}, {"enabled", false}});

    const Plan plan = world.plan({m});
    REQUIRE(plan.items.size() == 1);
    CHECK(plan.items[0].action == PlanAction::update);
    CHECK(plan.items[0].cause == ChangeCause::drift);
    CHECK(plan.items[0].changes.size() == 2);

    const auto result = world.engine->apply(plan);
    CHECK_MESSAGE(result.converged(), describe(result));
    const auto now = world.named("Alpha");
    REQUIRE(now.size() == 1);
    CHECK(now[0].id == id);
    CHECK(now[0].endpoint_url == m.endpoint_url);
    CHECK(now[0].enabled);
    CHECK(world.control.request_count("PUT /api/v2/webhooks/{id}") == 1);
}

TEST_CASE("a webhook deleted in the UI is re-created and the new id owned") {
    World world;
    const auto m = manifest("Alpha");
    REQUIRE(world.cycle({m}).converged());
    const auto old_id = world.named("Alpha").at(0).id;
    world.control.delete_webhook_as_ui(old_id);
    const auto result = world.cycle({m});
    CHECK(result.counts.created == 1);
    const auto now = world.named("Alpha");
    REQUIRE(now.size() == 1);
    CHECK(now[0].id != old_id);
    CHECK(world.owned_id("Alpha") == now[0].id);
}

TEST_CASE("with adopt on, an identical webhook made in the UI is adopted without a write, keeping "
          "its secret") {
    World world;
    auto m = manifest("Alpha");
    Webhook ui = testing::webhook_for(m, "");
    ui.secret = "made-in-the-ui";
    world.control.insert_webhook(ui);
    const auto result = world.cycle({m});
    CHECK_MESSAGE(result.converged(), describe(result));
    CHECK(result.counts.adopted == 1);
    CHECK(world.writes() == 0);
    CHECK(world.named("Alpha").at(0).secret == "made-in-the-ui");
    CHECK(world.owned_id("Alpha") == world.named("Alpha").at(0).id);
}

TEST_CASE("with adopt off, a webhook made in the UI is a conflict and nothing is written") {
    World world;
    const auto m = manifest("Alpha");
    world.control.insert_webhook(testing::webhook_for(m, ""));
    const auto result = world.cycle({m, manifest("Beta")}, PlanOptions{.adopt = false});
    CHECK_FALSE(result.converged());
    CHECK(result.counts.conflicts == 1);
    CHECK(result.counts.created == 1); // the others go on
    CHECK(world.named("Alpha").size() == 1);
    CHECK(world.owned_id("Alpha") == "(not owned)");
}

TEST_CASE("prune deletes only owned webhooks that left the manifests") {
    World world;
    REQUIRE(world.cycle({manifest("Alpha"), manifest("Beta")}).converged());
    world.control.insert_webhook(testing::webhook_for(manifest("Theirs"), ""));
    const auto result = world.cycle({manifest("Alpha")}, PlanOptions{.prune = true});
    CHECK_MESSAGE(result.converged(), describe(result));
    CHECK(result.counts.deleted == 1);
    CHECK(world.named("Beta").empty());
    CHECK(world.named("Theirs").size() == 1);
    CHECK(world.owned_id("Beta") == "(not owned)");
    CHECK(world.control.request_count("DELETE /api/v2/webhooks/{id}") == 1);
}

TEST_CASE("no webhook is pruned in a cycle where a manifest is broken") {
    World world;
    REQUIRE(world.cycle({manifest("Alpha"), manifest("Beta")}).converged());
    const auto result = world.cycle({manifest("Alpha")}, PlanOptions{.prune = true}, 1);
    CHECK_FALSE(result.converged());
    CHECK(world.named("Beta").size() == 1);
    CHECK(world.control.request_count("DELETE /api/v2/webhooks/{id}") == 0);
    CHECK(result.prune_blocked_reason.find("manifest error") != std::string::npos);
}

TEST_CASE("above the delete budget nothing is deleted and the result says why") {
    World world;
    REQUIRE(world.cycle({manifest("Alpha"), manifest("Beta"), manifest("Gamma")}).converged());
    const auto result = world.cycle({}, PlanOptions{.prune = true, .max_deletes_per_cycle = 2});
    CHECK(result.counts.deleted == 0);
    CHECK(result.counts.retained == 3);
    CHECK(result.prune_blocked_reason.find("maxDeletesPerCycle (2)") != std::string::npos);
    CHECK(world.control.webhooks().size() == 3);
    CHECK(world.control.request_count("DELETE /api/v2/webhooks/{id}") == 0);
}

TEST_CASE(
    "a create whose answer is lost after the tenant committed it leaves exactly one webhook") {
    World world;
    world.control.add_fault(
        {.method = "POST", .path = "^/api/v2/webhooks$", .action = "commit-then-reset"});
    const auto result = world.cycle({manifest("Alpha")});
    CHECK_MESSAGE(result.converged(), describe(result));
    const auto found = world.named("Alpha");
    REQUIRE(found.size() == 1);
    CHECK(world.owned_id("Alpha") == found[0].id);
    CHECK(world.control.request_count("POST /api/v2/webhooks") == 1);
    CHECK(world.control.request_count("POST /api/v2/webhooks/search") == 1);
    // The secret it sent is the one recorded: the next cycle is quiet.
    const auto writes = world.writes();
    CHECK(world.cycle({manifest("Alpha")}).counts.unchanged == 1);
    CHECK(world.writes() == writes);
}

// Found by the randomized convergence test (seed 13).
TEST_CASE("a create whose answer is lost never takes a same-name webhook someone made meanwhile") {
    World world;
    const auto m = manifest("Alpha");
    const PlanOptions adopt_off{.adopt = false};
    const Plan plan = world.plan({m}, adopt_off);
    REQUIRE(plan.items.at(0).action == PlanAction::create);
    // Between the plan and the create, someone makes "Alpha" in the UI; then
    // the create's connection is reset before the tenant reads it.
    Webhook theirs = testing::webhook_for(manifest("Alpha", "https://theirs.example.com/in"), "");
    theirs.secret = "made-in-the-ui";
    const Webhook made = world.control.insert_webhook(theirs);
    world.control.add_fault({.method = "POST", .path = "^/api/v2/webhooks$", .action = "reset"});
    const auto result = world.engine->apply(plan);
    REQUIRE(result.items.at(0).error);
    CHECK(result.items.at(0).error->kind == ErrorKind::conflict);
    CHECK(world.owned_id("Alpha") == "(not owned)");
    auto now = world.named("Alpha");
    REQUIRE(now.size() == 1);
    CHECK(now[0].id == made.id);
    CHECK(now[0].version == made.version);
    CHECK(now[0].modified_by_id == "ui-user");

    // It stays theirs: with adopt off a conflict, and not one write.
    const auto writes = world.writes();
    CHECK(world.cycle({m}, adopt_off).counts.conflicts == 1);
    CHECK(world.writes() == writes);
    CHECK(world.named("Alpha").at(0).endpoint_url == theirs.endpoint_url);
}

// Found by the randomized convergence test (seed 11).
TEST_CASE("a prune whose delete gets an answer that is not the API's keeps the webhook owned and "
          "deletes it next cycle") {
    World world;
    REQUIRE(world.cycle({manifest("Alpha"), manifest("Beta")}).converged());
    const auto id = world.named("Beta").at(0).id;
    world.control.add_fault({.method = "DELETE", .path = "^/api/v2/webhooks/[^/]+$", .action = "malformed"});
    auto result = world.cycle({manifest("Alpha")}, PlanOptions{.prune = true});
    CHECK(result.counts.failed == 1);
    CHECK(world.named("Beta").size() == 1);
    CHECK(world.owned_id("Beta") == id);
    result = world.cycle({manifest("Alpha")}, PlanOptions{.prune = true});
    CHECK(result.counts.deleted == 1);
    CHECK(world.named("Beta").empty());
    CHECK(world.owned_id("Beta") == "(not owned)");
}

TEST_CASE("a 409 on update re-reads, re-plans and succeeds with the fresh version") {
    World world;
    auto m = manifest("Alpha");
    REQUIRE(world.cycle({m}).converged());
    const auto id = world.named("Alpha").at(0).id;
    m.payload_template = "{\"wrapped\": {{event}}}";
    const Plan plan = world.plan({m});
    REQUIRE(plan.items.at(0).action == PlanAction::update);
    world.control.drift(id, json::object{{"enabled", false}}); // our read is now stale
    const auto result = world.engine->apply(plan);
    CHECK_MESSAGE(result.converged(), describe(result));
    CHECK(result.items.at(0).attempts == 2);
    CHECK(world.control.request_count("PUT /api/v2/webhooks/{id}") == 2);
    const auto now = world.named("Alpha").at(0);
    CHECK(now.payload_template == m.payload_template);
    CHECK(now.enabled);
}

TEST_CASE("a secret from a file is sent when the file changes, and never shown") {
    World world;
    const auto secret_file = world.dir.write("alpha.secret", "first-secret-value\n");
    std::filesystem::permissions(secret_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    auto m = manifest("Alpha");
    m.secret_ref = {SecretSource::Kind::file, secret_file.string()};
    REQUIRE(world.cycle({m}).converged());
    CHECK(world.named("Alpha").at(0).secret == "first-secret-value");

    world.dir.write("alpha.secret", "second-secret-value\n");
    const Plan plan = world.plan({m});
    REQUIRE(plan.items.at(0).action == PlanAction::update);
    CHECK(plan.items[0].cause == ChangeCause::secret_changed);
    CHECK(render_plan_text(plan).find("(sensitive value changed)") != std::string::npos);
    CHECK(render_plan_text(plan).find("second-secret-value") == std::string::npos);
    CHECK(render_plan_json(plan).find("second-secret-value") == std::string::npos);
    CHECK(world.engine->apply(plan).converged());
    CHECK(world.named("Alpha").at(0).secret == "second-secret-value");
    CHECK(read_text(world.state.file()).find("second-secret-value") == std::string::npos);

    const auto writes = world.writes();
    CHECK(world.cycle({m}).counts.unchanged == 1);
    CHECK(world.writes() == writes);
}

} // namespace
} // namespace hookwarden
