// The decision of one cycle (core/plan.hpp), table by table: what differs,
// what is owned, what is adopted or refused, what prune may delete, and
// what happens to secrets. No network, no files.
#include "core/plan.hpp"
#include "tests/core/engine_fakes.hpp"
#include "tests/core/plan_items.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>
#include <functional>
#include <utility>

namespace hookwarden {
namespace {

using testing::fields_of;
using testing::item_named;
using testing::manifest;
using testing::webhook_for;

const std::string kFingerprint = secret_fingerprint("the-current-secret");

SecretStatus available(const std::string& fingerprint = kFingerprint) {
    return {SecretStatus::State::available, fingerprint, std::nullopt};
}

// A builder for one planning situation.
struct Situation {
    PlanInput input;

    Situation& want(WebhookManifest m, SecretStatus secret = available()) {
        input.secrets[m.name] = std::move(secret);
        input.desired.emplace_back(std::move(m));
        return *this;
    }
    Situation& tenant(Webhook w) {
        input.observed.emplace_back(std::move(w));
        return *this;
    }
    Situation& own(const std::string& name, const std::string& id,
                   const WebhookManifest* applied = nullptr,
                   std::optional<std::string> fingerprint = kFingerprint) {
        input.state.owned[name] = OwnedResource{
            id, applied ? applied_digest(*applied) : std::string(), std::move(fingerprint)};
        return *this;
    }
    Plan plan() const { return make_plan(input); }
};

TEST_CASE(
    "a manifest without a tenant webhook plans a create of every field and a sensitive secret") {
    const auto plan =
        Situation().want(manifest("Monitor"), {SecretStatus::State::not_generated, {}, {}}).plan();
    REQUIRE(plan.items.size() == 1);
    const auto& item = plan.items[0];
    CHECK(item.action == PlanAction::create);
    CHECK(item.cause == ChangeCause::new_manifest);
    CHECK(item.secret == SecretAction::generate_new);
    CHECK(fields_of(item) == std::vector<std::string>{"name", "eventTypes", "endpointUrl",
                                                      "enabled", "retryPolicy.retryInterval",
                                                      "retryPolicy.maxRetries", "payloadTemplate",
                                                      "secret"});
    CHECK(item.changes.back().sensitive);
    CHECK_FALSE(item.changes.back().new_value.has_value());
    CHECK(plan.has_changes());
    CHECK_FALSE(plan.has_errors());
}

TEST_CASE("a create with a readable secret source sends its current value") {
    const auto plan = Situation().want(manifest("Monitor")).plan();
    CHECK(plan.items[0].secret == SecretAction::send_current);
}

TEST_CASE("an owned webhook equal to its manifest is unchanged and needs no write") {
    const auto m = manifest("Monitor");
    const auto plan =
        Situation().want(m).tenant(webhook_for(m, "id-1")).own("Monitor", "id-1", &m).plan();
    REQUIRE(plan.items.size() == 1);
    CHECK(plan.items[0].action == PlanAction::unchanged);
    CHECK(plan.items[0].changes.empty());
    CHECK_FALSE(plan.items[0].writes());
    CHECK_FALSE(plan.has_changes());
}

TEST_CASE("each writable field that differs is one update line from the tenant's value to the "
          "manifest's") {
    struct Row {
        const char* field;
        std::function<void(Webhook&)> drift;
        boost::json::value old_value;
        boost::json::value new_value;
    };
    const auto m = manifest("Monitor");
    const std::vector<Row> rows{
        {"eventTypes", [](Webhook& w) { w.event_types = {"user:login"}; },
         boost::json::array{"user:login"}, boost::json::array{"user:login", "user:logout"}},
        {"endpointUrl", [](Webhook& w) { w.endpoint_url = "https://other.example.com/in"; },
         "https://other.example.com/in", "https://hooks.example.com/in"},
        {"enabled", [](Webhook& w) { w.enabled = false; }, false, true},
        {"retryPolicy.retryInterval", [](Webhook& w) { w.retry_policy.retry_interval = "PT5M"; },
         "PT5M", "PT1M"},
        {"retryPolicy.maxRetries", [](Webhook& w) { w.retry_policy.max_retries = 7; }, 7, 3},
        {"payloadTemplate", [](Webhook& w) { w.payload_template = "{{event.id}}"; }, "{{event.id}}",
         "{{event}}"},
        {"name", [](Webhook& w) { w.name = "Renamed"; }, "Renamed", "Monitor"},
    };
    for (const auto& row : rows) {
        CAPTURE(row.field);
        Webhook observed = webhook_for(m, "id-1");
        row.drift(observed);
        const auto plan = Situation().want(m).tenant(observed).own("Monitor", "id-1", &m).plan();
        const auto& item = item_named(plan, "Monitor");
        CHECK(item.action == PlanAction::update);
        CHECK(item.cause == ChangeCause::drift);
        CHECK(item.id == "id-1");
        CHECK(item.version == 1);
        REQUIRE(item.changes.size() == 1);
        CHECK(item.changes[0].field == row.field);
        CHECK(*item.changes[0].old_value == row.old_value);
        CHECK(*item.changes[0].new_value == row.new_value);
    }
}

TEST_CASE("server-owned fields never make a difference") {
    const auto m = manifest("Monitor");
    Webhook observed = webhook_for(m, "id-1", 42);
    observed.health = {"failing", "2026-05-01T10:00:00Z", 9};
    observed.date_created = "2020-01-01T00:00:00Z";
    observed.date_modified = "2026-05-01T10:00:00Z";
    observed.modified_by_id = "someone";
    observed.self_uri = "/api/v2/webhooks/id-1";
    const auto plan = Situation().want(m).tenant(observed).own("Monitor", "id-1", &m).plan();
    CHECK(plan.items[0].action == PlanAction::unchanged);
}

TEST_CASE("event types compare as sets: order and repetition do not matter") {
    auto m = manifest("Monitor");
    m.event_types = {"user:login", "user:logout", "routing:queue.member:added"};
    Webhook observed = webhook_for(m, "id-1");
    observed.event_types = {"routing:queue.member:added", "user:logout", "user:login",
                            "user:login"};
    CHECK(Situation().want(m).tenant(observed).own("Monitor", "id-1", &m).plan().items[0].action ==
          PlanAction::unchanged);
    observed.event_types = {"user:login", "user:logout"};
    CHECK(Situation().want(m).tenant(observed).own("Monitor", "id-1", &m).plan().items[0].action ==
          PlanAction::update);
}

TEST_CASE("endpoint URLs compare after normalisation") {
    struct Row {
        const char* desired;
        const char* observed;
        bool same;
    };
    const std::vector<Row> rows{
        {"https://hooks.example.com/in", "https://hooks.example.com/in", true},
        {"https://hooks.example.com/in", "HTTPS://Hooks.Example.COM/in", true},
        {"https://hooks.example.com/in", "https://hooks.example.com:443/in", true},
        {"http://hooks.example.com/in", "http://hooks.example.com:80/in", true},
        {"https://hooks.example.com", "https://hooks.example.com/", true},
        {"https://hooks.example.com/a/./b/../c", "https://hooks.example.com/a/c", true},
        {"https://hooks.example.com/%7euser", "https://hooks.example.com/~user", true},
        {"https://hooks.example.com/In", "https://hooks.example.com/in",
         false}, // paths are case-sensitive
        {"https://hooks.example.com:8443/in", "https://hooks.example.com/in", false},
        {"https://hooks.example.com/in?x=1", "https://hooks.example.com/in", false},
        {"https://hooks.example.com/in", "http://hooks.example.com/in", false},
        {"https://a.example.com/in", "https://b.example.com/in", false},
    };
    for (const auto& row : rows) {
        const std::string desired = row.desired;
        const std::string observed = row.observed;
        CAPTURE(desired);
        CAPTURE(observed);
        CAPTURE(normalize_endpoint_url(row.desired));
        CHECK((normalize_endpoint_url(row.desired) == normalize_endpoint_url(row.observed)) ==
              row.same);
    }
}

TEST_CASE("retry intervals compare as durations") {
    CHECK(same_retry_interval("PT1M", "PT60S"));
    CHECK(same_retry_interval("P1D", "PT24H"));
    CHECK_FALSE(same_retry_interval("PT1M", "PT61S"));
    CHECK_FALSE(same_retry_interval("PT1M", "garbage"));
}

TEST_CASE("a manifest with only defaults equals a tenant webhook created with the API's defaults") {
    WebhookManifest m;
    m.name = "Defaults";
    m.event_types = {"user:login"};
    m.endpoint_url = "https://hooks.example.com/in";
    Webhook observed; // the model's defaults are the API's
    observed.id = "id-1";
    observed.version = 3;
    observed.name = "Defaults";
    observed.event_types = {"user:login"};
    observed.endpoint_url = "https://hooks.example.com/in";
    const auto plan = Situation().want(m).tenant(observed).own("Defaults", "id-1", &m).plan();
    CHECK(plan.items[0].action == PlanAction::unchanged);
}

TEST_CASE("a changed manifest is told apart from drift by the digest of what was applied") {
    const auto before = manifest("Monitor");
    auto after = before;
    after.endpoint_url = "https://new.example.com/in";
    const auto plan = Situation()
                          .want(after)
                          .tenant(webhook_for(before, "id-1"))
                          .own("Monitor", "id-1", &before)
                          .plan();
    CHECK(plan.items[0].action == PlanAction::update);
    CHECK(plan.items[0].cause == ChangeCause::manifest_changed);
}

TEST_CASE("a cosmetic edit of a manifest changes neither the plan nor the applied digest") {
    auto a = manifest("Monitor");
    auto b = a;
    b.event_types = {"user:logout", "user:login"};
    b.endpoint_url = "HTTPS://hooks.example.com:443/in";
    b.retry_policy.retry_interval = "PT60S";
    CHECK(applied_digest(a) == applied_digest(b));
    b.payload_template = "{{ event }}";
    CHECK(applied_digest(a) != applied_digest(b));
}

// --- ownership ---------------------------------------------------------------

TEST_CASE(
    "an unowned webhook with the desired name is adopted when adopt is on, with its differences") {
    const auto m = manifest("Monitor");
    Webhook existing = webhook_for(m, "ui-1", 5);
    existing.enabled = false;
    const auto plan = Situation().want(m).tenant(existing).plan();
    const auto& item = plan.items[0];
    CHECK(item.action == PlanAction::adopt);
    CHECK(item.cause == ChangeCause::adoption);
    CHECK(item.id == "ui-1");
    CHECK(item.version == 5);
    CHECK(fields_of(item) == std::vector<std::string>{"enabled"});
    CHECK(item.writes());
    CHECK(plan.has_changes());
}

TEST_CASE("adopting an identical webhook writes nothing to the tenant but is still a change of "
          "ownership") {
    const auto m = manifest("Monitor");
    const auto plan = Situation().want(m).tenant(webhook_for(m, "ui-1")).plan();
    CHECK(plan.items[0].action == PlanAction::adopt);
    CHECK_FALSE(plan.items[0].writes());
    CHECK(plan.has_changes());
}

TEST_CASE("an unowned webhook with the desired name is a conflict when adopt is off") {
    const auto m = manifest("Monitor");
    Situation s;
    s.input.options.adopt = false;
    const auto plan = s.want(m).tenant(webhook_for(m, "ui-1")).plan();
    const auto& item = plan.items[0];
    CHECK(item.action == PlanAction::conflict);
    CHECK(item.conflicting_ids == std::vector<std::string>{"ui-1"});
    REQUIRE(item.error);
    CHECK(item.error->kind == ErrorKind::conflict);
    CHECK(item.reason.find("adopt: true") != std::string::npos);
    CHECK(plan.has_errors());
}

TEST_CASE(
    "two tenant webhooks with one desired name are a conflict, even when one of them is owned") {
    const auto m = manifest("Monitor");
    const auto plan = Situation()
                          .want(m)
                          .tenant(webhook_for(m, "id-1"))
                          .tenant(webhook_for(m, "dup-2"))
                          .own("Monitor", "id-1", &m)
                          .plan();
    const auto& item = plan.items[0];
    CHECK(item.action == PlanAction::conflict);
    CHECK(item.conflicting_ids == std::vector<std::string>{"id-1", "dup-2"});
    CHECK_FALSE(item.writes());
}

TEST_CASE("an owned webhook deleted in the tenant is re-created") {
    const auto m = manifest("Monitor");
    const auto plan = Situation().want(m).own("Monitor", "gone-1", &m).plan();
    CHECK(plan.items[0].action == PlanAction::create);
    CHECK(plan.items[0].cause == ChangeCause::deleted_in_tenant);
}

TEST_CASE("an owned webhook renamed in the tenant is renamed back in place, by id") {
    const auto m = manifest("Monitor");
    Webhook renamed = webhook_for(m, "id-1");
    renamed.name = "Monitor-old";
    const auto plan = Situation().want(m).tenant(renamed).own("Monitor", "id-1", &m).plan();
    CHECK(plan.items[0].action == PlanAction::update);
    CHECK(plan.items[0].id == "id-1");
    CHECK(fields_of(plan.items[0]) == std::vector<std::string>{"name"});
}

TEST_CASE("a create whose answer was lost is taken as ours by name, whatever adopt says") {
    const auto m = manifest("Monitor");
    Situation s;
    s.input.options.adopt = false;
    const auto plan = s.want(m).tenant(webhook_for(m, "made-1")).own("Monitor", "", &m).plan();
    const auto& item = plan.items[0];
    CHECK(item.action == PlanAction::adopt);
    CHECK(item.cause == ChangeCause::lost_create);
    CHECK(item.id == "made-1");
    CHECK(item.secret == SecretAction::none); // the secret sent then is the one recorded
}

// Found by the randomized convergence test (seed 13): someone made a
// webhook of the name while hookwarden's create of it was in doubt.
TEST_CASE("after a lost create, a same-name webhook that is not what it sent is someone else's: "
          "with adopt off a conflict, nothing written") {
    const auto m = manifest("Monitor");
    Situation s;
    s.input.options.adopt = false;
    const auto theirs = webhook_for(manifest("Monitor", "https://theirs.example.com/in"), "theirs-1");
    const auto plan = s.want(m).tenant(theirs).own("Monitor", "", &m).plan();
    const auto& item = plan.items[0];
    CHECK(item.action == PlanAction::conflict);
    CHECK(item.conflicting_ids == std::vector<std::string>{"theirs-1"});
    CHECK(item.reason.find("an earlier create of that name lost its answer, but this is not what "
                           "it sent") != std::string::npos);
    CHECK_FALSE(plan.has_changes());
}

TEST_CASE("after a lost create, a same-name webhook that is not what it sent is adopted as adopt "
          "says, keeping its own secret") {
    const auto m = manifest("Monitor");
    const auto theirs = webhook_for(manifest("Monitor", "https://theirs.example.com/in"), "theirs-1");
    const auto plan = Situation().want(m).tenant(theirs).own("Monitor", "", &m).plan();
    const auto& item = plan.items[0];
    CHECK(item.action == PlanAction::adopt);
    CHECK(item.cause == ChangeCause::adoption);
    CHECK(item.secret == SecretAction::none);
}

TEST_CASE("a lost create of a name that left the manifests never prunes a same-name webhook that "
          "is not what it sent") {
    const auto gone = manifest("Gone");
    Situation s;
    s.input.options.prune = true;
    const auto theirs = webhook_for(manifest("Gone", "https://theirs.example.com/in"), "theirs-1");
    const auto plan = s.tenant(theirs).own("Gone", "", &gone).plan();
    CHECK(plan.items.empty());
    CHECK(plan.prune.candidates.empty());
    REQUIRE(plan.forget.size() == 1);
    CHECK(plan.forget[0].name == "Gone");
}

TEST_CASE("a lost create of a name that left the manifests prunes the webhook it made") {
    const auto gone = manifest("Gone");
    Situation s;
    s.input.options.prune = true;
    const auto plan = s.tenant(webhook_for(gone, "made-1")).own("Gone", "", &gone).plan();
    REQUIRE(plan.items.size() == 1);
    CHECK(plan.items[0].action == PlanAction::remove);
    CHECK(plan.items[0].id == "made-1");
}

TEST_CASE("a create whose answer was lost and which the tenant does not hold is created again") {
    const auto m = manifest("Monitor");
    const auto plan = Situation().want(m).own("Monitor", "", &m).plan();
    CHECK(plan.items[0].action == PlanAction::create);
    CHECK(plan.items[0].cause == ChangeCause::new_manifest);
}

TEST_CASE("tenant webhooks that are neither desired nor owned are left alone") {
    const auto plan = Situation().tenant(webhook_for(manifest("Theirs"), "t-1")).plan();
    CHECK(plan.items.empty());
    CHECK_FALSE(plan.has_changes());
}

TEST_CASE("the plan keeps the tenant's health of every listed webhook, owned or not, by id") {
    const auto ours = manifest("Ours");
    auto listed_ours = webhook_for(ours, "o-1");
    listed_ours.health = {"degraded", "2026-11-29T04:56:06Z", 2};
    auto theirs = webhook_for(manifest("Theirs"), "t-1");
    theirs.health.status = "failing";
    const auto plan = Situation().want(ours).own("Ours", "o-1", &ours).tenant(listed_ours).tenant(theirs).plan();
    REQUIRE(plan.health_by_id.size() == 2);
    CHECK(plan.health_by_id.at("o-1") == listed_ours.health);
    CHECK(plan.health_by_id.at("t-1").status == "failing");
    CHECK(Situation().want(ours).plan().health_by_id.empty());
}

// --- secrets ---------------------------------------------------------------

TEST_CASE(
    "an adopted webhook whose manifest has the default generate source keeps the tenant's secret") {
    const auto m = manifest("Monitor");
    for (const auto& status :
         {available(), SecretStatus{SecretStatus::State::not_generated, {}, {}}}) {
        const auto plan = Situation().want(m, status).tenant(webhook_for(m, "ui-1")).plan();
        CHECK(plan.items[0].secret == SecretAction::none);
        CHECK_FALSE(plan.items[0].writes());
    }
    // ... and keeps it later: owned without a fingerprint means "the tenant's".
    const auto later = Situation()
                           .want(m, {SecretStatus::State::not_generated, {}, {}})
                           .tenant(webhook_for(m, "ui-1"))
                           .own("Monitor", "ui-1", &m, std::nullopt)
                           .plan();
    CHECK(later.items[0].action == PlanAction::unchanged);
}

TEST_CASE("an adopted webhook whose manifest names a secret source gets that source's value") {
    auto m = manifest("Monitor");
    m.secret_ref = {SecretSource::Kind::file, "/etc/hookwarden/secrets/monitor"};
    const auto plan = Situation().want(m).tenant(webhook_for(m, "ui-1")).plan();
    CHECK(plan.items[0].action == PlanAction::adopt);
    CHECK(plan.items[0].secret == SecretAction::send_current);
    CHECK(fields_of(plan.items[0]) == std::vector<std::string>{"secret"});
    CHECK(plan.items[0].changes[0].sensitive);
}

TEST_CASE("a secret source holding a new value is a sensitive change, never a value") {
    auto m = manifest("Monitor");
    m.secret_ref = {SecretSource::Kind::env, "MONITOR_SECRET"};
    const auto plan = Situation()
                          .want(m, available(secret_fingerprint("the-new-secret")))
                          .tenant(webhook_for(m, "id-1"))
                          .own("Monitor", "id-1", &m)
                          .plan();
    const auto& item = plan.items[0];
    CHECK(item.action == PlanAction::update);
    CHECK(item.cause == ChangeCause::secret_changed);
    CHECK(item.secret == SecretAction::send_current);
    REQUIRE(item.changes.size() == 1);
    CHECK(item.changes[0].sensitive);
    CHECK_FALSE(item.changes[0].old_value);
    CHECK_FALSE(item.changes[0].new_value);
}

TEST_CASE("an unchanged secret source plans no secret write") {
    auto m = manifest("Monitor");
    m.secret_ref = {SecretSource::Kind::env, "MONITOR_SECRET"};
    const auto plan =
        Situation().want(m).tenant(webhook_for(m, "id-1")).own("Monitor", "id-1", &m).plan();
    CHECK(plan.items[0].action == PlanAction::unchanged);
}

TEST_CASE("a masked or absent echoed secret is never compared") {
    const auto m = manifest("Monitor");
    for (const std::optional<std::string>& echoed :
         {std::optional<std::string>(), std::optional<std::string>("********"),
          std::optional<std::string>("")}) {
        Webhook observed = webhook_for(m, "id-1");
        observed.secret = echoed;
        const auto plan = Situation().want(m).tenant(observed).own("Monitor", "id-1", &m).plan();
        CHECK(plan.items[0].action == PlanAction::unchanged);
    }
}

TEST_CASE(
    "an echoed secret is compared with the source: equal is no change, different is sent again") {
    const auto m = manifest("Monitor");
    Webhook observed = webhook_for(m, "id-1");
    observed.secret = "the-current-secret";
    CHECK(Situation().want(m).tenant(observed).own("Monitor", "id-1", &m).plan().items[0].action ==
          PlanAction::unchanged);
    observed.secret = "changed-in-the-ui";
    const auto plan = Situation().want(m).tenant(observed).own("Monitor", "id-1", &m).plan();
    CHECK(plan.items[0].action == PlanAction::update);
    CHECK(plan.items[0].secret == SecretAction::send_current);
}

TEST_CASE("--rotate-secret plans a new generated secret, also for an adopted webhook that kept the "
          "tenant's") {
    const auto m = manifest("Monitor");
    Situation s;
    s.input.options.rotate_secrets = {"Monitor"};
    const auto plan =
        s.want(m).tenant(webhook_for(m, "id-1")).own("Monitor", "id-1", &m, std::nullopt).plan();
    CHECK(plan.items[0].action == PlanAction::update);
    CHECK(plan.items[0].cause == ChangeCause::secret_rotation);
    CHECK(plan.items[0].secret == SecretAction::generate_new);
}

TEST_CASE(
    "--rotate-secret on a webhook whose secret comes from a file is an error of that webhook") {
    auto m = manifest("Monitor");
    m.secret_ref = {SecretSource::Kind::file, "/etc/x"};
    Situation s;
    s.input.options.rotate_secrets = {"Monitor"};
    const auto plan = s.want(m).tenant(webhook_for(m, "id-1")).own("Monitor", "id-1", &m).plan();
    CHECK(plan.items[0].action == PlanAction::error);
    CHECK(plan.items[0].reason.find("file /etc/x") != std::string::npos);
}

TEST_CASE("an unreadable secret source is an error of that webhook only") {
    auto broken = manifest("Broken");
    broken.secret_ref = {SecretSource::Kind::env, "MISSING"};
    const auto fine = manifest("Fine");
    const auto plan =
        Situation()
            .want(broken,
                  {SecretStatus::State::unavailable,
                   {},
                   make_error(ErrorKind::not_found, "environment variable MISSING is not set")})
            .want(fine)
            .plan();
    CHECK(item_named(plan, "Broken").action == PlanAction::error);
    CHECK(item_named(plan, "Broken").error->context.webhook == "Broken");
    CHECK(item_named(plan, "Fine").action == PlanAction::create);
    CHECK(plan.has_errors());
    CHECK(plan.has_changes());
}

TEST_CASE("an owned webhook whose kept generated secret was lost gets a new one") {
    const auto m = manifest("Monitor");
    const auto plan = Situation()
                          .want(m, {SecretStatus::State::not_generated, {}, {}})
                          .tenant(webhook_for(m, "id-1"))
                          .own("Monitor", "id-1", &m)
                          .plan();
    CHECK(plan.items[0].action == PlanAction::update);
    CHECK(plan.items[0].secret == SecretAction::generate_new);
    CHECK_FALSE(plan.items[0].reason.empty());
}

// --- names defined more than once ---------------------------------------------

DuplicateName twice(const std::string& name) {
    return DuplicateName{name, {{"a.yaml", 4, 9}, {"b/c.yaml", 12, 9}}};
}

TEST_CASE("a name the manifests define twice is one error item naming both places; the rest is "
          "planned") {
    Situation s;
    s.want(manifest("Once"));
    s.input.duplicates.push_back(twice("Twice"));
    s.input.manifest_errors = 1;
    const auto plan = s.plan();
    REQUIRE(plan.items.size() == 2);
    CHECK(plan.items[0].name == "Once");
    CHECK(plan.items[0].action == PlanAction::create);
    const auto& item = plan.items[1];
    CHECK(item.name == "Twice");
    CHECK(item.action == PlanAction::error);
    CHECK_FALSE(item.writes());
    CHECK(item.reason.find("a.yaml:4:9") != std::string::npos);
    CHECK(item.reason.find("b/c.yaml:12:9") != std::string::npos);
    REQUIRE(item.error);
    CHECK(item.error->context.webhook == "Twice");
    CHECK(plan.has_errors());
}

TEST_CASE("an owned webhook whose name is now defined twice is left as it is: not updated, "
          "retained, deleted or forgotten") {
    const auto m = manifest("Twice");
    Situation s;
    s.tenant(webhook_for(m, "id-twice")).own("Twice", "id-twice", &m);
    // Its one-time twin left the tenant too: an owned name gone from the
    // tenant would otherwise be forgotten.
    s.own("Gone", "id-gone", &m);
    s.input.duplicates.push_back(twice("Twice"));
    s.input.duplicates.push_back(twice("Gone"));
    s.input.manifest_errors = 2;
    s.input.options.prune = true;
    const auto plan = s.plan();
    REQUIRE(plan.items.size() == 2);
    for (const auto& item : plan.items) {
        CHECK(item.action == PlanAction::error);
        CHECK(item.reason.find("left as it is") != std::string::npos);
    }
    CHECK(item_named(plan, "Twice").id == "id-twice");
    CHECK(plan.forget.empty());
    CHECK(plan.prune.candidates.empty());
    CHECK_FALSE(plan.has_changes());
}

TEST_CASE("the planner refuses a name repeated in its desired input: one error item, no write") {
    auto first = manifest("Twice");
    first.location = {"a.yaml", 4, 9};
    auto second = manifest("Twice");
    second.endpoint_url = "https://b.example.com/y";
    second.location = {"a.yaml", 9, 9};
    Situation s;
    s.want(first).want(second).want(manifest("Once"));
    const auto plan = s.plan();
    REQUIRE(plan.items.size() == 2);
    CHECK(item_named(plan, "Once").action == PlanAction::create);
    const auto& item = item_named(plan, "Twice");
    CHECK(item.action == PlanAction::error);
    CHECK(item.reason.find("a.yaml:4:9") != std::string::npos);
    CHECK(item.reason.find("a.yaml:9:9") != std::string::npos);
    CHECK(plan.counts().create == 1);
}

TEST_CASE("a name repeated in the desired input that the tenant holds is neither updated nor "
          "adopted") {
    const auto m = manifest("Twice");
    auto changed = m;
    changed.enabled = false;
    Situation s;
    s.want(m).want(changed).tenant(webhook_for(manifest("Twice"), "ui-1"));
    const auto plan = s.plan();
    REQUIRE(plan.items.size() == 1);
    CHECK(plan.items[0].action == PlanAction::error);
    CHECK_FALSE(plan.has_changes());
}

// --- prune -------------------------------------------------------------------

Situation three_owned_one_left() {
    Situation s;
    const auto a = manifest("A");
    const auto gone = manifest("Gone");
    s.want(a).tenant(webhook_for(a, "id-a")).own("A", "id-a", &a);
    s.tenant(webhook_for(gone, "id-gone")).own("Gone", "id-gone", &gone);
    s.tenant(webhook_for(manifest("Theirs"), "id-theirs")); // unowned, not desired
    return s;
}

TEST_CASE("prune deletes only owned webhooks that left the manifests") {
    auto s = three_owned_one_left();
    s.input.options.prune = true;
    const auto plan = s.plan();
    CHECK(item_named(plan, "Gone").action == PlanAction::remove);
    CHECK(item_named(plan, "Gone").id == "id-gone");
    CHECK(item_named(plan, "A").action == PlanAction::unchanged);
    for (const auto& item : plan.items)
        CHECK(item.name != "Theirs");
    CHECK(plan.prune.candidates == std::vector<std::string>{"Gone"});
    CHECK_FALSE(plan.prune.blocked);
}

TEST_CASE("without prune an owned webhook that left the manifests is kept, and the plan says so") {
    const auto plan = three_owned_one_left().plan();
    const auto& item = item_named(plan, "Gone");
    CHECK(item.action == PlanAction::retain);
    CHECK(item.reason.find("prune is off") != std::string::npos);
    CHECK_FALSE(plan.has_changes());
}

TEST_CASE("prune never runs when a manifest is broken") {
    auto s = three_owned_one_left();
    s.input.options.prune = true;
    s.input.manifest_errors = 1;
    const auto plan = s.plan();
    CHECK(item_named(plan, "Gone").action == PlanAction::retain);
    CHECK(plan.prune.blocked);
    CHECK(plan.prune.reason.find("manifest error") != std::string::npos);
    CHECK(plan.has_errors());
}

TEST_CASE("above maxDeletesPerCycle nothing is deleted and the plan says why") {
    Situation s;
    s.input.options.prune = true;
    s.input.options.max_deletes_per_cycle = 2;
    for (const char* name : {"G1", "G2", "G3"}) {
        const auto m = manifest(name);
        s.tenant(webhook_for(m, std::string("id-") + name))
            .own(name, std::string("id-") + name, &m);
    }
    auto plan = s.plan();
    CHECK(plan.prune.blocked);
    CHECK(plan.prune.reason.find("maxDeletesPerCycle (2)") != std::string::npos);
    CHECK(plan.counts().remove == 0);
    CHECK(plan.counts().retain == 3);

    s.input.options.max_deletes_per_cycle = 3; // at the budget: all go
    plan = s.plan();
    CHECK_FALSE(plan.prune.blocked);
    CHECK(plan.counts().remove == 3);
}

TEST_CASE(
    "an owned webhook gone from both the manifests and the tenant is forgotten without a call") {
    const auto m = manifest("Gone");
    const auto plan = Situation().own("Gone", "id-gone", &m).plan();
    CHECK(plan.items.empty());
    CHECK(plan.forget == std::vector<ResourceKey>{{ResourceKind::webhook, "Gone"}});
    CHECK_FALSE(plan.has_changes());
}

} // namespace
} // namespace hookwarden
