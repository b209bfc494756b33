// The executor (core/engine.hpp) over an in-memory tenant: ownership is
// recorded, failures stay local, lost answers never duplicate, version
// mismatches re-plan, backoff follows the schedule, concurrency is bounded.
#include "core/engine.hpp"
#include "daemon/service/thread_pool.hpp"
#include "tests/core/engine_fakes.hpp"
#include "tests/core/counting_random.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/scratch_dir.hpp"

#include <doctest/doctest.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <utility>

namespace hookwarden {
namespace {

namespace fs = std::filesystem;
using hookwarden::testing::counting_random;
using hookwarden::testing::read_text;
using testing::FakeTenant;
using testing::manifest;
using testing::webhook_for;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// One engine over a fake tenant and a scratch state directory, with
// clocks and a random source the test controls. Its tenant calls run in plan
// order on the test's thread unless a test gives it a thread pool.
struct Rig {
    explicit Rig(EngineOptions options = {},
                 std::unique_ptr<Executor> executor_ = std::make_unique<InlineExecutor>())
        : executor(std::move(executor_)),
          engine(
              tenant, secrets, state, *executor, with_wall_clock(std::move(options)),
              [this] { return now; }, [this] { return random_value; }) {}

    EngineOptions with_wall_clock(EngineOptions options) {
        if (!options.wall_clock)
            options.wall_clock = [this] { return wall; };
        return options;
    }

    testing::ScratchDir dir;
    FakeTenant tenant;
    SecretStore secrets{dir.path(), {}, counting_random()};
    StateStore state{dir.path()};
    Clock::time_point now = Clock::time_point(1000s);
    std::chrono::system_clock::time_point wall =
        std::chrono::sys_days(std::chrono::year{2026} / 12 / 2) + 12h;
    std::uint64_t random_value = 0;
    std::unique_ptr<Executor> executor;
    Engine engine;

    Plan plan(const std::vector<WebhookManifest>& desired, const PlanOptions& options = {},
              std::size_t manifest_errors = 0) {
        auto planned = engine.plan(DesiredState{desired, {}, manifest_errors}, options);
        REQUIRE(planned.has_value());
        return *planned;
    }
    CycleResult cycle(const std::vector<WebhookManifest>& desired, const PlanOptions& options = {},
                      std::size_t manifest_errors = 0) {
        return engine.apply(plan(desired, options, manifest_errors));
    }
    State owned() {
        auto loaded = state.load();
        REQUIRE(loaded.has_value());
        return *loaded;
    }
};

const ItemResult& result_for(const CycleResult& result, const std::string& name) {
    for (const auto& item : result.items)
        if (item.name == name)
            return item;
    FAIL("no result for " << name);
    throw std::logic_error("unreachable");
}

TEST_CASE("converging from empty creates every webhook, sends its secret and records ownership") {
    Rig rig;
    const std::vector desired{manifest("A"), manifest("B"), manifest("C")};
    const auto result = rig.cycle(desired);
    CHECK(result.converged());
    CHECK(result.counts.created == 3);
    CHECK(rig.tenant.all().size() == 3);
    const State state = rig.owned();
    for (const auto& m : desired) {
        const auto& owned = state.owned.at(m.name);
        CHECK(owned.id == rig.tenant.named(m.name).at(0).id);
        CHECK(owned.applied_digest == applied_digest(m));
        const auto secret = rig.tenant.secret_of(m.name);
        REQUIRE(secret);
        CHECK(secret->size() == 64);
        CHECK(owned.secret_fingerprint == secret_fingerprint(*secret));
        CHECK(read_text(rig.dir / "secrets" / m.name) == *secret);
    }
}

TEST_CASE("a cycle over a converged tenant makes no write and leaves state.json untouched") {
    Rig rig;
    const std::vector desired{manifest("A"), manifest("B")};
    REQUIRE(rig.cycle(desired).converged());
    const auto writes = rig.tenant.counts().writes();
    struct stat before {};
    REQUIRE(::stat(rig.state.file().c_str(), &before) == 0);

    const auto result = rig.cycle(desired);
    CHECK(result.converged());
    CHECK(result.counts.unchanged == 2);
    CHECK(rig.tenant.counts().writes() == writes);
    struct stat after {};
    REQUIRE(::stat(rig.state.file().c_str(), &after) == 0);
    CHECK(after.st_ino == before.st_ino); // not replaced
}

TEST_CASE("one webhook's failure does not stop the others") {
    Rig rig;
    rig.tenant.refuse_create = {"B"};
    const auto result = rig.cycle({manifest("A"), manifest("B"), manifest("C")});
    CHECK_FALSE(result.converged());
    CHECK(result.counts.created == 2);
    CHECK(result.counts.failed == 1);
    const auto& failed = result_for(result, "B");
    CHECK(failed.outcome == ItemOutcome::failed);
    REQUIRE(failed.error);
    CHECK(failed.error->context.webhook == "B");
    CHECK(failed.error->context.http_status == 400);
    CHECK_FALSE(rig.owned().owned.contains("B")); // a refused create owns nothing
}

TEST_CASE("the name is recorded in state.json before its create is sent") {
    Rig rig;
    bool recorded_first = false;
    rig.tenant.on_create = [&](const Webhook& body) {
        auto state = rig.state.load();
        recorded_first =
            state && state->owned.contains(body.name) && state->owned.at(body.name).id.empty();
    };
    REQUIRE(rig.cycle({manifest("A")}).converged());
    CHECK(recorded_first);
    CHECK_FALSE(rig.owned().owned.at("A").id.empty());
}

TEST_CASE("a create whose answer is lost after the tenant committed it is found by name, not sent "
          "again") {
    Rig rig;
    rig.tenant.lose_create_answer_after_commit = 1;
    const auto result = rig.cycle({manifest("A")});
    CHECK(result.converged());
    CHECK(rig.tenant.counts().create == 1);
    CHECK(rig.tenant.counts().search == 1);
    REQUIRE(rig.tenant.named("A").size() == 1);
    CHECK(rig.owned().owned.at("A").id == rig.tenant.named("A")[0].id);
    CHECK(result_for(result, "A").note.find("found by name") != std::string::npos);
    // The next cycle has nothing to do: the secret sent is the one recorded.
    CHECK(rig.cycle({manifest("A")}).counts.unchanged == 1);
}

TEST_CASE("a create lost before the tenant committed it is sent again only after a lookup found "
          "nothing") {
    Rig rig;
    rig.tenant.lose_create_before_commit = 1;
    const auto result = rig.cycle({manifest("A")});
    CHECK(result.converged());
    CHECK(rig.tenant.counts().create == 2);
    CHECK(rig.tenant.counts().search == 1);
    CHECK(rig.tenant.named("A").size() == 1);
}

TEST_CASE("a create whose answers keep getting lost stops, stays owned by name and is resolved "
          "next cycle") {
    Rig rig;
    rig.tenant.lose_create_before_commit = 5;
    auto result = rig.cycle({manifest("A")});
    CHECK(result.counts.failed == 1);
    CHECK(result_for(result, "A").error->kind == ErrorKind::outcome_unknown);
    CHECK(rig.tenant.counts().create == 2); // max_create_sends
    // A later cycle (after the backoff) completes it without a duplicate.
    rig.tenant.lose_create_before_commit = 0;
    rig.now += 10min;
    result = rig.cycle({manifest("A")});
    CHECK(result.converged());
    CHECK(rig.tenant.named("A").size() == 1);
}

// Found by the randomized convergence test (seed 13).
TEST_CASE("a create whose answer is lost never takes a same-name webhook someone else made "
          "meanwhile, and the name stays theirs") {
    Rig rig;
    const auto m = manifest("A");
    const auto theirs = manifest("A", "https://theirs.example.com/in");
    rig.tenant.lose_create_before_commit = 1;
    rig.tenant.on_create = [&rig, &theirs](const Webhook&) { rig.tenant.insert(webhook_for(theirs, "")); };
    const auto result = rig.cycle({m}, PlanOptions{.adopt = false});
    const auto& item = result_for(result, "A");
    CHECK(item.outcome == ItemOutcome::failed);
    REQUIRE(item.error);
    CHECK(item.error->kind == ErrorKind::conflict);
    CHECK(item.error->message.find("is not what was sent") != std::string::npos);
    CHECK(rig.tenant.counts().create == 1); // not sent again: the name is taken
    REQUIRE(rig.tenant.named("A").size() == 1);
    CHECK(rig.tenant.named("A")[0].endpoint_url == theirs.endpoint_url);
    CHECK_FALSE(rig.owned().owned.contains("A"));

    // With adopt off it stays theirs: a conflict, and not one write.
    rig.tenant.on_create = nullptr;
    rig.now += 10min;
    const auto writes = rig.tenant.counts().writes();
    const auto next = rig.cycle({m}, PlanOptions{.adopt = false});
    CHECK(result_for(next, "A").action == PlanAction::conflict);
    CHECK(rig.tenant.counts().writes() == writes);
    CHECK(rig.tenant.named("A")[0].endpoint_url == theirs.endpoint_url);
}

TEST_CASE("a crash between the tenant's commit and ours is resolved by name even with adopt off") {
    Rig rig;
    const auto m = manifest("A");
    // What an earlier run left on disk when it sent the create, and what
    // it sent: as if it died right after the tenant committed.
    std::optional<State> on_disk;
    std::optional<std::string> sent;
    rig.tenant.on_create = [&](const Webhook& body) {
        if (auto state = rig.state.load())
            on_disk = *state;
        sent = body.secret;
    };
    REQUIRE(rig.cycle({m}).converged());
    REQUIRE(on_disk);
    REQUIRE(sent);
    rig.tenant.on_create = {};
    REQUIRE(rig.state.save(*on_disk).has_value());
    const auto made = rig.tenant.named("A").at(0).id;
    const auto writes = rig.tenant.counts().writes();

    const auto result = rig.cycle({m}, PlanOptions{.adopt = false});
    CHECK(result.converged());
    CHECK(result_for(result, "A").action == PlanAction::adopt);
    CHECK(rig.tenant.counts().writes() == writes);
    const auto owned = rig.owned().owned.at("A");
    CHECK(owned.id == made);
    // The secret that went out is known as ours, not taken for the tenant's.
    CHECK(owned.secret_fingerprint == secret_fingerprint(*sent));
    CHECK(rig.cycle({m}).counts.unchanged == 1);
    CHECK(rig.tenant.counts().writes() == writes);
}

// Webhook A whose secret comes from the file a.secret, holding `value`.
WebhookManifest with_file_secret(Rig& rig, const std::string& value) {
    auto m = manifest("A");
    const auto file = rig.dir.write("a.secret", value);
    std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    m.secret_ref = {SecretSource::Kind::file, file.string()};
    return m;
}

TEST_CASE("a secret that changed since the plan is sent when a version mismatch re-plans it") {
    Rig rig;
    auto m = with_file_secret(rig, "first-value");
    REQUIRE(rig.cycle({m}).converged());
    REQUIRE(rig.tenant.secret_of("A") == "first-value");
    const auto id = rig.tenant.named("A")[0].id;
    m.endpoint_url = "https://new.example.com/in";
    const Plan plan = rig.plan({m});
    REQUIRE(plan.items[0].action == PlanAction::update);
    REQUIRE(plan.items[0].secret == SecretAction::none);
    // After the plan: the secret source changes and someone edits the webhook.
    rig.dir.write("a.secret", "second-value");
    rig.tenant.ui_edit(id, [](Webhook& w) { w.enabled = false; });
    const auto result = rig.engine.apply(plan);
    CHECK(result.converged());
    CHECK(result_for(result, "A").attempts == 2);
    CHECK(rig.tenant.secret_of("A") == "second-value");
    CHECK(rig.owned().owned.at("A").secret_fingerprint == secret_fingerprint("second-value"));
    CHECK(rig.cycle({m}).counts.unchanged == 1);
}

TEST_CASE("a version mismatch re-reads the webhook, re-plans it and sends the fresh version") {
    Rig rig;
    auto m = manifest("A");
    REQUIRE(rig.cycle({m}).converged());
    const auto id = rig.tenant.named("A")[0].id;
    m.endpoint_url = "https://new.example.com/in";
    const Plan plan = rig.plan({m});
    REQUIRE(plan.items[0].action == PlanAction::update);
    // Someone edits another field after our read: our PUT carries a stale version.
    rig.tenant.ui_edit(id, [](Webhook& w) { w.enabled = false; });
    const auto result = rig.engine.apply(plan);
    CHECK(result.converged());
    const auto& item = result_for(result, "A");
    CHECK(item.outcome == ItemOutcome::done);
    CHECK(item.attempts == 2);
    CHECK(rig.tenant.counts().get == 1);
    const auto now = rig.tenant.named("A")[0];
    CHECK(now.endpoint_url == "https://new.example.com/in");
    CHECK(now.enabled); // the re-plan also undid the edit
    CHECK(now.id == id);
}

TEST_CASE("after a version mismatch a fresh read that already matches makes no further write") {
    Rig rig;
    auto m = manifest("A");
    REQUIRE(rig.cycle({m}).converged());
    const auto id = rig.tenant.named("A")[0].id;
    m.enabled = false;
    const Plan plan = rig.plan({m});
    rig.tenant.ui_edit(id, [](Webhook& w) { w.enabled = false; }); // the same change, elsewhere
    const auto updates = rig.tenant.counts().update;
    const auto result = rig.engine.apply(plan);
    CHECK(result.converged());
    CHECK(rig.tenant.counts().update == updates + 1); // only the refused one
    CHECK(result_for(result, "A").outcome == ItemOutcome::unchanged);
    CHECK(rig.owned().owned.at("A").applied_digest == applied_digest(m));
}

TEST_CASE("version mismatches are retried a bounded number of times") {
    Rig rig(EngineOptions{.max_conflict_retries = 2});
    auto m = manifest("A");
    REQUIRE(rig.cycle({m}).converged());
    const auto id = rig.tenant.named("A")[0].id;
    // A tenant that changes under every PUT.
    rig.tenant.before_update = [id](FakeTenant& t, const Webhook&) {
        t.ui_edit(id, [](Webhook& w) { w.payload_template += "x"; });
    };
    m.enabled = false;
    const auto result = rig.cycle({m});
    const auto& item = result_for(result, "A");
    CHECK(item.outcome == ItemOutcome::failed);
    CHECK(item.error->kind == ErrorKind::version_mismatch);
    CHECK(item.attempts == 3);
}

TEST_CASE("drift is corrected in place with the same id, and the result names the drifted fields") {
    Rig rig;
    const auto m = manifest("A");
    REQUIRE(rig.cycle({m}).converged());
    const auto id = rig.tenant.named("A")[0].id;
    rig.tenant.ui_edit(id, [](Webhook& w) { w.endpoint_url = "https://evil.example.com/"; });
    const auto result = rig.cycle({m});
    const auto& item = result_for(result, "A");
    CHECK(item.action == PlanAction::update);
    CHECK(item.cause == ChangeCause::drift);
    REQUIRE(item.changes.size() == 1);
    CHECK(item.changes[0].field == "endpointUrl");
    CHECK(rig.tenant.named("A")[0].id == id);
    CHECK(rig.tenant.named("A")[0].endpoint_url == m.endpoint_url);
    CHECK(rig.tenant.secret_of("A").has_value()); // PUT without a secret kept it
}

TEST_CASE("a webhook deleted in the tenant is re-created and its new id recorded") {
    Rig rig;
    const auto m = manifest("A");
    REQUIRE(rig.cycle({m}).converged());
    const auto old_id = rig.tenant.named("A")[0].id;
    const auto secret = *rig.tenant.secret_of("A");
    rig.tenant.ui_delete(old_id);
    const auto result = rig.cycle({m});
    CHECK(result.counts.created == 1);
    const auto now = rig.tenant.named("A");
    REQUIRE(now.size() == 1);
    CHECK(now[0].id != old_id);
    CHECK(rig.owned().owned.at("A").id == now[0].id);
    CHECK(rig.tenant.secret_of("A") == secret); // the kept generated secret, reused
}

TEST_CASE("adopting keeps the tenant's secret and records no fingerprint for it") {
    Rig rig;
    const auto m = manifest("A");
    auto existing = webhook_for(m, "ui-1");
    existing.secret = "set-in-the-ui";
    rig.tenant.insert(existing);
    const auto result = rig.cycle({m});
    CHECK(result.counts.adopted == 1);
    CHECK(rig.tenant.counts().writes() == 0);
    CHECK(rig.tenant.secret_of("A") == "set-in-the-ui");
    CHECK_FALSE(rig.owned().owned.at("A").secret_fingerprint);
    CHECK_FALSE(fs::exists(rig.dir / "secrets" / "A"));
    CHECK(rig.cycle({m}).counts.unchanged == 1);
}

TEST_CASE("--rotate-secret generates, keeps and sends a new secret, then the next cycle is quiet") {
    Rig rig;
    const auto m = manifest("A");
    REQUIRE(rig.cycle({m}).converged());
    const auto before = *rig.tenant.secret_of("A");
    PlanOptions rotate;
    rotate.rotate_secrets = {"A"};
    const auto result = rig.cycle({m}, rotate);
    CHECK(result.counts.updated == 1);
    const auto after = *rig.tenant.secret_of("A");
    CHECK(after != before);
    CHECK(read_text(rig.dir / "secrets" / "A") == after);
    CHECK(rig.owned().owned.at("A").secret_fingerprint == secret_fingerprint(after));
    CHECK(rig.cycle({m}).counts.unchanged == 1);
}

// --- secret rotation ---------------------------------------------------------

PlanOptions rotating(std::set<std::string> names, std::chrono::seconds tolerance = 2min) {
    PlanOptions options;
    options.rotate_secrets = std::move(names);
    options.rotation_tolerance = tolerance;
    return options;
}

TEST_CASE("--rotate-secret records a rotation: the previous fingerprint, valid for the retry "
          "horizon from now, and keeps the previous value") {
    Rig rig;
    const auto m = manifest("A"); // PT1M × 3
    REQUIRE(rig.cycle({m}).converged());
    const auto before = *rig.tenant.secret_of("A");
    CHECK_FALSE(rig.owned().owned.at("A").rotation);

    const Plan plan = rig.plan({m}, rotating({"A"}));
    REQUIRE(plan.items[0].rotation_grace);
    CHECK(*plan.items[0].rotation_grace == 3min);
    REQUIRE(rig.engine.apply(plan).converged());
    const auto owned = rig.owned().owned.at("A");
    REQUIRE(owned.rotation);
    CHECK(owned.rotation->previous_fingerprint == secret_fingerprint(before));
    CHECK(owned.rotation->until == std::chrono::floor<std::chrono::seconds>(rig.wall) + 3min);
    CHECK(owned.secret_fingerprint == secret_fingerprint(*rig.tenant.secret_of("A")));
    CHECK(*rig.secrets.previous("A") == before);
}

TEST_CASE("a rotation lasts at least the tolerance when the retry horizon is shorter") {
    Rig rig;
    auto m = manifest("A");
    m.retry_policy = {"PT10S", 2};
    REQUIRE(rig.cycle({m}).converged());
    REQUIRE(rig.cycle({m}, rotating({"A"}, 5min)).converged());
    CHECK(rig.owned().owned.at("A").rotation->until ==
          std::chrono::floor<std::chrono::seconds>(rig.wall) + 5min);
}

TEST_CASE("a changed secret source records a rotation too, with no previous value kept") {
    Rig rig;
    const auto m = with_file_secret(rig, "first-value");
    REQUIRE(rig.cycle({m}).converged());
    CHECK_FALSE(rig.owned().owned.at("A").rotation);

    rig.dir.write("a.secret", "second-value");
    const Plan plan = rig.plan({m}, rotating({}));
    REQUIRE(plan.items[0].cause == ChangeCause::secret_changed);
    CHECK(plan.items[0].rotation_grace == 3min);
    REQUIRE(rig.engine.apply(plan).converged());
    REQUIRE(rig.tenant.secret_of("A") == "second-value");
    const auto owned = rig.owned().owned.at("A");
    REQUIRE(owned.rotation);
    CHECK(owned.rotation->previous_fingerprint == secret_fingerprint("first-value"));
    CHECK(*rig.secrets.previous("A") == std::nullopt); // the source changed: hookwarden never held it
}

TEST_CASE("no rotation is recorded for a secret hookwarden never sent: an adopted one, a create") {
    Rig rig;
    const auto m = manifest("A");
    auto existing = webhook_for(m, "ui-1");
    existing.secret = "set-in-the-ui";
    rig.tenant.insert(existing);
    REQUIRE(rig.cycle({m}).converged()); // adopted, the tenant's secret kept
    const Plan plan = rig.plan({m}, rotating({"A"}));
    CHECK_FALSE(plan.items[0].rotation_grace);
    REQUIRE(rig.engine.apply(plan).converged());
    CHECK_FALSE(rig.owned().owned.at("A").rotation);
    CHECK(rig.owned().owned.at("A").secret_fingerprint);

    REQUIRE(rig.cycle({manifest("B")}).converged());
    CHECK_FALSE(rig.owned().owned.at("B").rotation);
}

TEST_CASE("a rotation in progress is kept by quiet cycles and listed by the plan until it ends") {
    Rig rig;
    const auto m = manifest("A");
    REQUIRE(rig.cycle({m}).converged());
    REQUIRE(rig.cycle({m}, rotating({"A"})).converged());
    const auto until = rig.owned().owned.at("A").rotation->until;
    struct stat before {};
    REQUIRE(::stat(rig.state.file().c_str(), &before) == 0);

    rig.wall += 2min;
    const Plan plan = rig.plan({m});
    CHECK(plan.rotations == std::vector<RotationInProgress>{{"A", until}});
    CHECK_FALSE(plan.has_changes());
    CHECK(rig.engine.apply(plan).counts.unchanged == 1);
    CHECK(rig.owned().owned.at("A").rotation->until == until);
    struct stat after {};
    REQUIRE(::stat(rig.state.file().c_str(), &after) == 0);
    CHECK(after.st_ino == before.st_ino); // not rewritten

    rig.wall = until;
    CHECK(rig.plan({m}).rotations.empty());
}

TEST_CASE("an ended rotation is dropped from state.json at the next cycle and its previous value "
          "forgotten") {
    Rig rig;
    const auto m = manifest("A");
    REQUIRE(rig.cycle({m}).converged());
    REQUIRE(rig.cycle({m}, rotating({"A"})).converged());
    const auto until = rig.owned().owned.at("A").rotation->until;
    REQUIRE(*rig.secrets.previous("A"));

    rig.wall = until;
    const auto writes = rig.tenant.counts().writes();
    CHECK(rig.cycle({m}).converged());
    CHECK(rig.tenant.counts().writes() == writes); // nothing sent for it
    CHECK_FALSE(rig.owned().owned.at("A").rotation);
    CHECK(*rig.secrets.previous("A") == std::nullopt);
}

TEST_CASE("rotating again after a rotation ended starts a new one and keeps its previous value") {
    Rig rig;
    const auto m = manifest("A");
    REQUIRE(rig.cycle({m}).converged());
    REQUIRE(rig.cycle({m}, rotating({"A"})).converged());
    const auto second = *rig.tenant.secret_of("A");

    rig.wall += 4min; // the first rotation (3 min) has ended
    REQUIRE(rig.cycle({m}, rotating({"A"})).converged());
    const auto owned = rig.owned().owned.at("A");
    REQUIRE(owned.rotation);
    CHECK(owned.rotation->previous_fingerprint == secret_fingerprint(second));
    CHECK(owned.rotation->until == std::chrono::floor<std::chrono::seconds>(rig.wall) + 3min);
    CHECK(*rig.secrets.previous("A") == second); // not forgotten with the ended rotation
}

TEST_CASE("a failed rotation records nothing; the retry that sends it records the rotation "
          "from the secret the tenant still holds") {
    Rig rig;
    const auto m = manifest("A");
    REQUIRE(rig.cycle({m}).converged());
    const auto held = *rig.tenant.secret_of("A");
    // Someone keeps editing it in the UI: every PUT meets a new version.
    rig.tenant.before_update = [](FakeTenant& t, const Webhook& body) {
        t.ui_edit(body.id, [](Webhook& w) { w.payload_template += " "; });
    };
    CHECK_FALSE(rig.cycle({m}, rotating({"A"})).converged());
    CHECK_FALSE(rig.owned().owned.at("A").rotation);
    CHECK(rig.tenant.secret_of("A") == held);

    rig.tenant.before_update = nullptr;
    rig.now += 10min; // past the backoff
    REQUIRE(rig.cycle({m}).converged());
    const auto owned = rig.owned().owned.at("A");
    REQUIRE(owned.rotation);
    CHECK(owned.rotation->previous_fingerprint == secret_fingerprint(held));
    CHECK(*rig.secrets.previous("A") == held);
}

TEST_CASE("prune deletes owned webhooks that left the manifests; a failed delete stays owned") {
    Rig rig;
    REQUIRE(rig.cycle({manifest("A"), manifest("B"), manifest("C")}).converged());
    rig.tenant.insert(webhook_for(manifest("Theirs"), "t-1"));
    const auto c_id = rig.tenant.named("C")[0].id;
    rig.tenant.fail_delete = {c_id};
    const auto result = rig.cycle({manifest("A")}, PlanOptions{.prune = true});
    CHECK(result.counts.deleted == 1);
    CHECK(result.counts.failed == 1);
    CHECK(rig.tenant.named("B").empty());
    CHECK(rig.tenant.named("C").size() == 1);
    CHECK(rig.tenant.named("Theirs").size() == 1);
    const auto state = rig.owned();
    CHECK_FALSE(state.owned.contains("B"));
    CHECK(state.owned.at("C").id == c_id);
}

TEST_CASE("a failed delete that is then retained leaves no retry due in the past") {
    Rig rig;
    rig.random_value = 999; // retry 999 ms after the failure
    REQUIRE(rig.cycle({manifest("A"), manifest("B")}).converged());
    rig.tenant.fail_delete = {rig.tenant.named("B")[0].id};
    const auto failed = rig.cycle({manifest("A")}, PlanOptions{.prune = true});
    REQUIRE(result_for(failed, "B").outcome == ItemOutcome::failed);
    REQUIRE(rig.engine.next_retry());
    // A manifest breaks: prune is blocked and B is only retained, so no
    // retry of it is due; its old retry time must not stay behind.
    rig.now += 10s;
    const auto blocked = rig.cycle({manifest("A")}, PlanOptions{.prune = true}, 1);
    REQUIRE(result_for(blocked, "B").outcome == ItemOutcome::retained);
    const auto next = rig.engine.next_retry();
    CHECK((!next || *next > rig.now));
}

TEST_CASE("no webhook is deleted in a cycle where a manifest failed") {
    Rig rig;
    REQUIRE(rig.cycle({manifest("A"), manifest("B")}).converged());
    const auto result = rig.cycle({manifest("A")}, PlanOptions{.prune = true}, 1);
    CHECK(result.counts.deleted == 0);
    CHECK(rig.tenant.counts().remove == 0);
    CHECK_FALSE(result.prune_blocked_reason.empty());
    CHECK_FALSE(result.converged());
}

TEST_CASE("failed webhooks back off 1 s doubling to 5 min with full jitter, and reset on success") {
    Rig rig;
    rig.random_value = ~std::uint64_t{0}; // the top of every jitter window
    rig.tenant.refuse_create = {"A"};
    const std::vector desired{manifest("A")};
    std::vector<Clock::duration> waits;
    for (int i = 0; i < 11; ++i) {
        const auto result = rig.cycle(desired);
        const auto& item = result_for(result, "A");
        REQUIRE(item.outcome == ItemOutcome::failed);
        REQUIRE(item.retry_at);
        waits.push_back(*item.retry_at - rig.now);
        CHECK(rig.engine.next_retry() == item.retry_at);
        rig.now = *item.retry_at;
    }
    // The window's ceiling is min(5 min, 1 s * 2^n); the random value modulo
    // (ceiling + 1 ms) picks a point inside it.
    const std::uint64_t top = ~std::uint64_t{0};
    for (std::size_t n = 0; n < waits.size(); ++n) {
        const std::int64_t ceiling = std::min<std::int64_t>(300000, 1000LL << n);
        const auto expected =
            std::chrono::milliseconds(top % static_cast<std::uint64_t>(ceiling + 1));
        CAPTURE(n);
        CHECK(waits[n] == expected);
    }
    CHECK(waits.back() <= 5min);

    rig.tenant.refuse_create.clear();
    CHECK(rig.cycle(desired).converged());
    CHECK_FALSE(rig.engine.next_retry());
}

TEST_CASE("a webhook in backoff is not attempted before its retry time") {
    Rig rig;
    rig.random_value = 999; // 999 ms into the first 1 s window
    rig.tenant.refuse_create = {"A"};
    REQUIRE(rig.cycle({manifest("A")}).counts.failed == 1);
    rig.tenant.refuse_create.clear();
    const auto creates = rig.tenant.counts().create;
    rig.now += 500ms;
    const auto early = rig.cycle({manifest("A")});
    CHECK(result_for(early, "A").outcome == ItemOutcome::deferred);
    CHECK(early.counts.deferred == 1);
    CHECK_FALSE(early.converged());
    CHECK(rig.tenant.counts().create == creates);
    rig.now += 500ms;
    CHECK(rig.cycle({manifest("A")}).converged());
}

TEST_CASE("at most `concurrency` tenant calls are in flight") {
    Rig rig(EngineOptions{.concurrency = 3}, std::make_unique<ThreadPool>(4));
    rig.tenant.latency = 20ms;
    std::vector<WebhookManifest> desired;
    desired.reserve(12);
    for (int i = 0; i < 12; ++i)
        desired.push_back(manifest("W" + std::to_string(i)));
    const auto result = rig.cycle(desired);
    CHECK(result.counts.created == 12);
    CHECK(rig.tenant.max_in_flight() == 3);
}

TEST_CASE("a plan that creates one name twice sends neither create; the other items run") {
    Rig rig(EngineOptions{.concurrency = 4}, std::make_unique<ThreadPool>(4));
    rig.tenant.latency = 20ms; // would let two creates overlap if both ran
    const auto a = manifest("Twice");
    auto b = manifest("Twice");
    b.endpoint_url = "https://b.example.com/y";
    // The planner never builds this plan; the executor must not trust that.
    Plan plan = rig.plan({a, manifest("Once")});
    Plan twin = rig.plan({b});
    plan.items.push_back(twin.items.at(0));
    REQUIRE(plan.items.size() == 3);
    REQUIRE(plan.items[0].action == PlanAction::create);
    REQUIRE(plan.items[2].action == PlanAction::create);

    const auto result = rig.engine.apply(plan);
    CHECK(rig.tenant.named("Twice").empty());
    CHECK(rig.tenant.named("Once").size() == 1);
    CHECK(result.counts.created == 1);
    CHECK(result.counts.failed == 2);
    CHECK_FALSE(result.converged());
    for (std::size_t i : {0u, 2u}) {
        CHECK(result.items[i].outcome == ItemOutcome::refused);
        REQUIRE(result.items[i].error);
        CHECK(result.items[i].error->context.webhook == "Twice");
    }
    CHECK_FALSE(rig.owned().owned.contains("Twice"));
}

TEST_CASE("a plan that writes one owned name twice (update and delete) sends neither") {
    Rig rig;
    const auto m = manifest("Both");
    REQUIRE(rig.cycle({m}).converged());
    auto changed = m;
    changed.enabled = false;
    Plan plan = rig.plan({changed});
    REQUIRE(plan.items.at(0).action == PlanAction::update);
    Plan gone = rig.plan({}, PlanOptions{.prune = true});
    REQUIRE(gone.items.at(0).action == PlanAction::remove);
    plan.items.push_back(gone.items.at(0));
    const auto writes = rig.tenant.counts().writes();

    const auto result = rig.engine.apply(plan);
    CHECK(rig.tenant.counts().writes() == writes);
    CHECK(rig.tenant.named("Both").size() == 1);
    CHECK(result.counts.failed == 2);
}

TEST_CASE("a tenant that cannot be listed fails the plan, not a webhook") {
    Rig rig;
    rig.tenant.fail_list = true;
    auto plan = rig.engine.plan(DesiredState{{manifest("A")}, {}, 0}, {});
    REQUIRE_FALSE(plan.has_value());
    CHECK(plan.error().kind == ErrorKind::transport);
}

// --- endpoint checks -----------------------------------------------------------

struct FakeProbe final : EndpointProbe {
    std::set<std::string> down;
    std::atomic<int> calls{0};
    Result<void> probe(std::string_view url) override {
        ++calls;
        if (down.contains(std::string(url)))
            return make_error(ErrorKind::transport, "could not connect: connection refused");
        return {};
    }
};

TEST_CASE(
    "endpoint checks warn in a plan and refuse the write in an apply, probing each URL once") {
    Rig rig;
    auto a = manifest("A", "https://down.example.com/in");
    auto b = manifest("B", "https://down.example.com/in");
    auto c = manifest("C", "https://up.example.com/in");
    FakeProbe probe;
    probe.down = {"https://down.example.com/in"};

    Plan warned = rig.plan({a, b, c});
    check_endpoints(warned, probe, EndpointCheck::warn, *rig.executor, 4);
    CHECK(probe.calls == 2);
    CHECK(warned.items[0].action == PlanAction::create);
    REQUIRE(warned.items[0].warnings.size() == 1);
    CHECK(warned.items[0].warnings[0].find("connection refused") != std::string::npos);
    CHECK(warned.items[2].warnings.empty());

    Plan refused = rig.plan({a, b, c});
    check_endpoints(refused, probe, EndpointCheck::refuse, *rig.executor, 4);
    CHECK(refused.items[0].action == PlanAction::error);
    CHECK(refused.items[1].action == PlanAction::error);
    const auto result = rig.engine.apply(refused);
    CHECK(result.counts.created == 1);
    CHECK(result.counts.failed == 2);
    CHECK(rig.tenant.named("A").empty());
}

} // namespace
} // namespace hookwarden
