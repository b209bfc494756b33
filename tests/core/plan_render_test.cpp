// How plans and results look: Terraform-like text, stable JSON, colour only
// when asked, and never a secret.
#include "core/plan_render.hpp"
#include "tests/core/engine_fakes.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

namespace hookwarden {
namespace {

using testing::manifest;
using testing::webhook_for;

const char* const kSecret = "s3cr3t-value-that-must-never-show";
const char* const kOtherSecret = "0th3r-echoed-s3cr3t-of-webhooks-not-ours-or-leaving";

// A plan with one of everything, whose tenant echoes secrets.
Plan mixed_plan() {
    PlanInput in;
    in.options.prune = true;
    const SecretStatus ok{SecretStatus::State::available, secret_fingerprint(kSecret), {}};

    auto created = manifest("Created");
    in.desired.emplace_back(created);
    in.secrets["Created"] = ok;

    auto updated = manifest("Updated");
    in.desired.emplace_back(updated);
    in.secrets["Updated"] = {SecretStatus::State::available, secret_fingerprint("rotated"), {}};
    Webhook drifted = webhook_for(updated, "id-u", 4);
    drifted.endpoint_url = "https://old.example.com/in";
    drifted.secret = kSecret; // echoed by the tenant
    in.observed.emplace_back(drifted);
    in.state.owned["Updated"] = {"id-u", applied_digest(updated), secret_fingerprint(kSecret)};

    auto conflicted = manifest("Conflicted");
    in.desired.emplace_back(conflicted);
    in.secrets["Conflicted"] = ok;
    for (const char* id : {"c-1", "c-2"}) {
        Webhook clash = webhook_for(conflicted, id);
        clash.secret = kOtherSecret;
        in.observed.emplace_back(clash);
    }

    auto gone = manifest("Gone");
    Webhook leaving = webhook_for(gone, "id-g");
    leaving.secret = kOtherSecret;
    in.observed.emplace_back(leaving);
    in.state.owned["Gone"] = {"id-g", applied_digest(gone), std::nullopt};
    return make_plan(in);
}

TEST_CASE(
    "the text plan shows + create, ~ update with old -> new, - delete, conflicts and a summary") {
    const std::string text = render_plan_text(mixed_plan());
    CHECK(text.find("  + create Created\n") != std::string::npos);
    CHECK(text.find("endpointUrl                \"https://hooks.example.com/in\"") !=
          std::string::npos);
    CHECK(text.find("  ~ update Updated (id id-u, drift: changed outside hookwarden)") !=
          std::string::npos);
    CHECK(text.find("\"https://old.example.com/in\" -> \"https://hooks.example.com/in\"") !=
          std::string::npos);
    CHECK(text.find("      secret       (sensitive value changed)\n") != std::string::npos);
    CHECK(text.find("      secret                     (sensitive)\n") != std::string::npos);
    CHECK(text.find("  - delete Gone (id id-g)") != std::string::npos);
    CHECK(text.find("  ! conflict Conflicted: the tenant holds 2 webhooks named Conflicted") !=
          std::string::npos);
    CHECK(text.ends_with(
        "Plan: 1 to create, 1 to update, 0 to adopt, 1 to delete, 0 unchanged, 1 conflict.\n"));
}

TEST_CASE("no secret value ever appears in the text or the JSON of a plan") {
    const Plan plan = mixed_plan();
    CHECK(render_plan_text(plan).find(kSecret) == std::string::npos);
    CHECK(render_plan_text(plan, {.color = true}).find(kSecret) == std::string::npos);
    CHECK(render_plan_json(plan).find(kSecret) == std::string::npos);
    for (const std::string& text : {render_plan_text(plan), render_plan_json(plan)})
        CHECK(text.find(kOtherSecret) == std::string::npos);
}

TEST_CASE("colour codes appear only when asked for") {
    const Plan plan = mixed_plan();
    CHECK(render_plan_text(plan).find('\x1b') == std::string::npos);
    const std::string coloured = render_plan_text(plan, {.color = true});
    CHECK(coloured.find("\x1b[32m  + create Created") != std::string::npos);
    CHECK(coloured.find("\x1b[31m  - delete Gone") != std::string::npos);
}

TEST_CASE("a plan without changes says so in one line") {
    PlanInput in;
    const auto m = manifest("A");
    in.desired.emplace_back(m);
    in.secrets["A"] = {SecretStatus::State::available, secret_fingerprint("x"), {}};
    in.observed.emplace_back(webhook_for(m, "id-a"));
    in.state.owned["A"] = {"id-a", applied_digest(m), secret_fingerprint("x")};
    CHECK(render_plan_text(make_plan(in)) ==
          "No changes. The tenant matches the manifests (1 webhook).\n");
}

// One owned, unchanged webhook A whose state says its previous secret is
// accepted until 12:05, planned at `now`.
PlanInput rotating_input(std::chrono::system_clock::time_point now) {
    using namespace std::chrono_literals;
    PlanInput in;
    const auto m = manifest("A");
    in.desired.emplace_back(m);
    in.secrets["A"] = {SecretStatus::State::available, secret_fingerprint("x"), {}};
    in.observed.emplace_back(webhook_for(m, "id-a"));
    const std::chrono::sys_seconds until =
        std::chrono::sys_days(std::chrono::year{2026} / 12 / 2) + 12h + 5min;
    in.state.owned["A"] = {"id-a", applied_digest(m), secret_fingerprint("x"),
                           SecretRotation{secret_fingerprint("old"), until}};
    in.now = now;
    return in;
}

TEST_CASE("a rotation in progress is shown under its webhook, and no longer once it has ended") {
    using namespace std::chrono_literals;
    const auto noon = std::chrono::sys_days(std::chrono::year{2026} / 12 / 2) + 12h;
    const Plan plan = make_plan(rotating_input(noon));
    CHECK_FALSE(plan.has_changes());
    CHECK(render_plan_text(plan) ==
          "hookwarden will:\n\n"
          "    A\n"
          "      secret rotation in progress: the previous secret is accepted until "
          "2026-12-02T12:05:00Z\n\n"
          "No changes. The tenant matches the manifests (1 webhook).\n");
    CHECK(render_plan_text(make_plan(rotating_input(noon + 5min))) ==
          "No changes. The tenant matches the manifests (1 webhook).\n");
}

TEST_CASE("the JSON plan lists rotations in progress by name with their end") {
    using namespace std::chrono_literals;
    const auto noon = std::chrono::sys_days(std::chrono::year{2026} / 12 / 2) + 12h;
    auto json = boost::json::parse(render_plan_json(make_plan(rotating_input(noon)))).as_object();
    CHECK(json.at("rotations") ==
          boost::json::array{boost::json::object{{"name", "A"}, {"until", "2026-12-02T12:05:00Z"}}});
    json = boost::json::parse(render_plan_json(make_plan(rotating_input(noon + 5min)))).as_object();
    CHECK(json.at("rotations") == boost::json::array{});
}

TEST_CASE("an item that replaces a secret says how long the previous one stays valid after apply") {
    using namespace std::chrono_literals;
    PlanInput in;
    auto m = manifest("A");
    m.retry_policy = {"PT10M", 3};
    in.desired.emplace_back(m);
    in.secrets["A"] = {SecretStatus::State::available, secret_fingerprint("x"), {}};
    in.observed.emplace_back(webhook_for(m, "id-a"));
    in.state.owned["A"] = {"id-a", applied_digest(m), secret_fingerprint("x")};
    in.options.rotate_secrets = {"A"};
    const std::string text = render_plan_text(make_plan(in));
    CHECK(text.find("  ~ update A (id id-a, secret rotation)\n"
                    "      secret  (sensitive value changed)\n"
                    "      note: the previous secret stays valid at the receiver for 30m after "
                    "apply, for deliveries the tenant is still retrying\n") != std::string::npos);

    in.options.rotate_secrets.clear();
    in.secrets["A"] = {SecretStatus::State::available, secret_fingerprint("y"), {}};
    m.retry_policy = {"PT10S", 1};
    in.desired = {m};
    in.observed = {webhook_for(m, "id-a")};
    in.state.owned["A"].applied_digest = applied_digest(m);
    CHECK(render_plan_text(make_plan(in)).find("valid at the receiver for 5m after apply") !=
          std::string::npos); // the tolerance, more than 10 s × 1
}

TEST_CASE("the JSON plan has the documented, versioned shape") {
    const auto json = boost::json::parse(render_plan_json(mixed_plan())).as_object();
    CHECK(json.at("formatVersion").as_int64() == 1);
    CHECK(json.at("hasChanges").as_bool());
    CHECK(json.at("hasErrors").as_bool());
    CHECK(json.at("manifestErrors").as_int64() == 0);
    const auto& summary = json.at("summary").as_object();
    for (const char* key :
         {"create", "update", "adopt", "delete", "unchanged", "retain", "conflict", "error"})
        CHECK(summary.contains(key));
    CHECK(summary.at("delete").as_int64() == 1);
    const auto& prune = json.at("prune").as_object();
    CHECK(prune.at("enabled").as_bool());
    CHECK(prune.at("candidates").as_array() == boost::json::array{"Gone"});
    CHECK(prune.at("reason").is_null());

    const auto& items = json.at("items").as_array();
    REQUIRE(items.size() == 4);
    const auto& created = items[0].as_object();
    CHECK(created.at("action") == "create");
    CHECK(created.at("cause") == "new");
    CHECK(created.at("id").is_null());
    const auto& first_change = created.at("changes").as_array()[0].as_object();
    CHECK(first_change.at("field") == "name");
    CHECK(first_change.at("old").is_null());
    CHECK(first_change.at("new") == "Created");

    const auto& updated = items[1].as_object();
    CHECK(updated.at("action") == "update");
    CHECK(updated.at("cause") == "drift");
    CHECK(updated.at("id") == "id-u");
    const auto& changes = updated.at("changes").as_array();
    REQUIRE(changes.size() == 2);
    CHECK(changes[0].at("old") == "https://old.example.com/in");
    const auto& secret = changes[1].as_object();
    CHECK(secret.at("field") == "secret");
    CHECK(secret.at("sensitive").as_bool());
    CHECK_FALSE(secret.contains("old"));
    CHECK_FALSE(secret.contains("new"));

    CHECK(items[2].at("action") == "conflict");
    CHECK(items[2].at("conflictingIds").as_array().size() == 2);
    CHECK(items[3].at("action") == "delete");
    CHECK(items[3].at("cause") == "left-manifests");
}

TEST_CASE("the apply summary counts what happened and says whether the tenant converged") {
    CycleResult result;
    result.counts.created = 2;
    result.counts.unchanged = 3;
    CHECK(cycle_summary_line(result) ==
          "Apply: 2 created, 0 updated, 0 adopted, 0 deleted, 3 unchanged. Converged.");
    result.counts.failed = 1;
    CHECK(cycle_summary_line(result).ends_with(", 1 failed. Not converged."));
}

} // namespace
} // namespace hookwarden
