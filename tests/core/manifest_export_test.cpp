// Tenant resources written as manifests (core/manifest_export.hpp): what
// `export` writes loads back as a manifest equal to the resource.
#include "core/manifest.hpp"
#include "core/manifest_export.hpp"
#include "tests/core/manifest_fixtures.hpp"

#include <boost/json/value.hpp>
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace hookwarden;
using namespace hookwarden::testing;
namespace json = boost::json;

namespace {

Trigger sample_trigger() {
    Trigger t;
    t.id = "3b0c1a9e-52f4-4b8d-a0f1-7c2e9d6b4a10";
    t.version = 4;
    t.self_uri = "/api/v2/processautomation/triggers/3b0c1a9e-52f4-4b8d-a0f1-7c2e9d6b4a10";
    t.name = "SMS after chat error";
    t.topic_name = "v2.detail.events.conversation.{id}.customer.end";
    t.target = {"Workflow", "5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8b", "Json"};
    t.match_criteria = {
        {"mediaType", "Equal", json::value("CHAT"), std::nullopt},
        {"disconnectType", "In", std::nullopt, std::vector<json::value>{json::value("error"), json::value("transfer")}},
    };
    t.event_ttl_seconds = 60;
    t.description = "Text the customer when a chat ends badly";
    return t;
}

/// Writes `trigger`, loads it back and returns the one manifest.
TriggerManifest round_trip(const Trigger& trigger) {
    const std::string yaml = manifest_yaml(trigger);
    INFO(yaml);
    ManifestSet set;
    load_manifest_text(yaml, "exported.yaml", {}, set);
    INFO(dump(set.diagnostics));
    REQUIRE(set.ok());
    REQUIRE(set.webhooks.empty());
    REQUIRE(set.triggers.size() == 1);
    return set.triggers[0];
}

/// Every field a trigger manifest shares with the tenant's trigger.
void check_equal(const TriggerManifest& manifest, const Trigger& trigger) {
    CHECK(manifest.name == trigger.name);
    CHECK(manifest.topic_name == trigger.topic_name);
    CHECK(manifest.target == trigger.target);
    CHECK(manifest.match_criteria == trigger.match_criteria);
    CHECK(manifest.enabled == trigger.enabled);
    CHECK(manifest.event_ttl_seconds == trigger.event_ttl_seconds);
    CHECK(manifest.delay_by_seconds == trigger.delay_by_seconds);
    CHECK(manifest.description == trigger.description);
    CHECK(manifest.labels.empty());
}

/// The same, and the JSON kind of every value: 3 and 3.0 are equal as
/// json::value, but not on the wire.
void check_round_trip(const Trigger& trigger) {
    const TriggerManifest manifest = round_trip(trigger);
    check_equal(manifest, trigger);
    REQUIRE(manifest.match_criteria.size() == trigger.match_criteria.size());
    for (std::size_t i = 0; i < trigger.match_criteria.size(); ++i) {
        const auto& want = trigger.match_criteria[i];
        const auto& got = manifest.match_criteria[i];
        if (want.value && got.value)
            CHECK(want.value->kind() == got.value->kind());
        if (want.values && got.values)
            for (std::size_t k = 0; k < std::min(want.values->size(), got.values->size()); ++k)
                CHECK((*want.values)[k].kind() == (*got.values)[k].kind());
    }
}

Trigger with_value(json::value value) {
    Trigger t = sample_trigger();
    t.match_criteria = {{"attribute", "Equal", std::move(value), std::nullopt}};
    return t;
}

} // namespace

TEST_SUITE("manifest export") {

TEST_CASE("a trigger is written as a kind: Trigger manifest under a comment naming its id") {
    const std::string yaml = manifest_yaml(sample_trigger());
    CHECK(yaml == "# SMS after chat error: exported from the tenant by `hookwarden export` (trigger id "
                  "3b0c1a9e-52f4-4b8d-a0f1-7c2e9d6b4a10).\n"
                  "#\n"
                  "# A Process Automation trigger: events of topicName that meet every match\n"
                  "# criterion start the Architect workflow target.id. topicName is fixed once the\n"
                  "# trigger exists: changing it here makes apply delete the trigger and create it\n"
                  "# anew (shown as a replace by plan).\n"
                  "apiVersion: hookwarden/v1\n"
                  "kind: Trigger\n"
                  "metadata:\n"
                  "  name: SMS after chat error\n"
                  "spec:\n"
                  "  topicName: v2.detail.events.conversation.{id}.customer.end\n"
                  "  target:\n"
                  "    type: Workflow\n"
                  "    id: 5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8b\n"
                  "    dataFormat: Json\n"
                  "  matchCriteria:\n"
                  "    - jsonPath: mediaType\n"
                  "      operator: Equal\n"
                  "      value: CHAT\n"
                  "    - jsonPath: disconnectType\n"
                  "      operator: In\n"
                  "      values:\n"
                  "        - error\n"
                  "        - transfer\n"
                  "  enabled: true\n"
                  "  eventTTLSeconds: 60\n"
                  "  description: Text the customer when a chat ends badly\n");
    check_round_trip(sample_trigger());
}

TEST_CASE("optional trigger fields are written only when set, and load back as they were") {
    Trigger bare = sample_trigger();
    bare.match_criteria.clear();
    bare.event_ttl_seconds.reset();
    bare.description.clear();
    bare.enabled = false;
    bare.target.data_format = "TopLevelPrimitives";
    const std::string yaml = manifest_yaml(bare);
    CHECK_FALSE(contains(yaml, "matchCriteria"));
    CHECK_FALSE(contains(yaml, "eventTTLSeconds"));
    CHECK_FALSE(contains(yaml, "delayBySeconds"));
    CHECK_FALSE(contains(yaml, "description"));
    CHECK(contains(yaml, "  enabled: false\n"));
    check_round_trip(bare);

    Trigger delayed = sample_trigger();
    delayed.event_ttl_seconds.reset();
    delayed.delay_by_seconds = 900;
    CHECK(contains(manifest_yaml(delayed), "  delayBySeconds: 900\n"));
    check_round_trip(delayed);
}

TEST_CASE("a trigger without a data format is written without one and loads with the default") {
    Trigger t = sample_trigger();
    t.target.data_format.clear();
    CHECK_FALSE(contains(manifest_yaml(t), "dataFormat"));
    CHECK(round_trip(t).target.data_format == "Json");
}

TEST_CASE("match values keep their JSON type through export and load: value and values") {
    const std::vector<json::value> scalars{
        json::value("CHAT"),
        json::value(""),
        json::value("true"),
        json::value("False"),
        json::value("yes"),
        json::value("off"),
        json::value("null"),
        json::value("~"),
        json::value("42"),
        json::value("-3.5"),
        json::value("1e3"),
        json::value("012"),
        json::value("0x1F"),
        json::value(".inf"),
        json::value(".NaN"),
        json::value("1.2.3"),
        json::value("1_000"),
        json::value("a: b"),
        json::value("#hash"),
        json::value("- dash"),
        json::value("  padded  "),
        json::value("line\nbreak"),
        json::value("quote \" and ' apostrophe"),
        json::value("{not: a map}"),
        json::value("[not, a, list]"),
        json::value("émoji 🚀"),
        json::value(std::int64_t{0}),
        json::value(std::int64_t{42}),
        json::value(std::int64_t{-7}),
        json::value(std::numeric_limits<std::int64_t>::max()),
        json::value(std::numeric_limits<std::int64_t>::min()),
        json::value(std::numeric_limits<std::uint64_t>::max()),
        json::value(2.5),
        json::value(3.0),
        json::value(-0.001),
        json::value(1e300),
        json::value(1e-300),
        json::value(0.1),
        json::value(true),
        json::value(false),
    };
    for (const auto& scalar : scalars) {
        INFO(json::value(scalar));
        check_round_trip(with_value(scalar));
    }
    Trigger listed = sample_trigger();
    listed.match_criteria = {{"attribute", "NotIn", std::nullopt, scalars},
                             {"empty", "In", std::nullopt, std::vector<json::value>{}}};
    check_round_trip(listed);
}

TEST_CASE("a double that is a whole number is written with a decimal point") {
    const std::string yaml = manifest_yaml(with_value(json::value(3.0)));
    CHECK(contains(yaml, "      value: 3.0\n"));
    CHECK(contains(manifest_yaml(with_value(json::value(std::int64_t{3}))), "      value: 3\n"));
    CHECK(contains(manifest_yaml(with_value(json::value("3"))), "      value: \"3\"\n"));
}

TEST_CASE("trigger names with spaces and YAML's special characters load back unchanged") {
    for (const char* name : {"SMS after chat error", "a: b", "#1 priority", "- starts with a dash",
                             "ends with colon:", "{braces}", "[brackets]", "it's \"quoted\"", "true",
                             "null", "123", "0x1F", "yes", "@at", "`tick`", "% percent", "& anchor",
                             "* alias", "! tag", "| pipe", "> fold", "Ünïcödé 🚀", "a  two  spaces"}) {
        INFO(name);
        Trigger t = sample_trigger();
        t.name = name;
        check_round_trip(t);
    }
    Trigger long_name = sample_trigger();
    long_name.name = std::string(128, 'x');
    check_round_trip(long_name);
}

TEST_CASE("descriptions with line breaks and special characters load back unchanged") {
    for (const char* description : {"Line one.\nLine two.", "ends with newline\n", "tab\there",
                                    "key: value # not a comment", "\"quoted\"", "  leading spaces",
                                    "trailing spaces  ", "true", "42"}) {
        INFO(description);
        Trigger t = sample_trigger();
        t.description = description;
        check_round_trip(t);
    }
}

TEST_CASE("a line break in a trigger's name cannot escape the header comment") {
    Trigger t = sample_trigger();
    t.name = "evil\nkind: Webhook\r\xC2\x85" "x";
    const std::string yaml = manifest_yaml(t);
    INFO(yaml);
    ManifestSet set;
    load_manifest_text(yaml, "exported.yaml", {}, set);
    INFO(dump(set.diagnostics));
    // The document is still the one trigger; only its name is refused.
    CHECK(set.webhooks.empty());
    CHECK(errors_of(set.diagnostics).size() == 1);
    CHECK(has_error(set.diagnostics, {"metadata.name", "printable"}));
    CHECK(yaml.starts_with("# evil kind: Webhook  x: exported"));
}

TEST_CASE("a criterion the rules refuse is written as it is, and loading it points at it") {
    Trigger t = with_value(json::value(nullptr));
    const std::string yaml = manifest_yaml(t);
    CHECK(contains(yaml, "      value: ~\n"));
    ManifestSet set;
    load_manifest_text(yaml, "exported.yaml", {}, set);
    CHECK(has_error(set.diagnostics, {"spec.matchCriteria[0].value", "not null"}));

    Trigger neither = sample_trigger();
    neither.match_criteria = {{"attribute", "Exists", std::nullopt, std::nullopt}};
    ManifestSet again;
    load_manifest_text(manifest_yaml(neither), "exported.yaml", {}, again);
    CHECK(has_error(again.diagnostics, {"spec.matchCriteria[0]", "needs 'value'"}));
}

TEST_CASE("a webhook is written as before the move to core, and loads back") {
    Webhook w;
    w.id = "0d9e7a3c-1111-4c2b-9f00-5a5a5a5a5a5a";
    w.name = "SystemEventMonitor";
    w.event_types = {"user:login", "user:logout"};
    w.endpoint_url = "https://myapp.example.com/webhooks/genesys";
    w.retry_policy = {"PT30S", 5};
    w.payload_template = "{\"type\": \"login\", \"event\": {{event}}}";
    w.enabled = false;
    const std::string yaml = manifest_yaml(w);
    CHECK(yaml == "# SystemEventMonitor: exported from the tenant by `hookwarden export` (webhook id "
                  "0d9e7a3c-1111-4c2b-9f00-5a5a5a5a5a5a).\n"
                  "#\n"
                  "# There is no secretRef: hookwarden adopts this webhook and keeps the secret the\n"
                  "# tenant already has (the default source, generate, never replaces the secret of\n"
                  "# an adopted webhook). To choose the secret here instead, add under spec one of\n"
                  "#   secretRef: {credential: NAME}   # $CREDENTIALS_DIRECTORY/NAME (LoadCredential=)\n"
                  "#   secretRef: {file: /etc/hookwarden/secrets/NAME}\n"
                  "#   secretRef: {env: VARIABLE}\n"
                  "# and the next apply sends that value; or run\n"
                  "#   hookwarden apply --rotate-secret SystemEventMonitor\n"
                  "# to have hookwarden generate a new one and keep it in its state directory.\n"
                  "# Receivers must be given the new secret either way.\n"
                  "apiVersion: hookwarden/v1\n"
                  "kind: Webhook\n"
                  "metadata:\n"
                  "  name: SystemEventMonitor\n"
                  "spec:\n"
                  "  eventTypes:\n"
                  "    - user:login\n"
                  "    - user:logout\n"
                  "  endpointUrl: https://myapp.example.com/webhooks/genesys\n"
                  "  enabled: false\n"
                  "  retryPolicy:\n"
                  "    retryInterval: PT30S\n"
                  "    maxRetries: 5\n"
                  "  payloadTemplate: \"{\\\"type\\\": \\\"login\\\", \\\"event\\\": {{event}}}\"\n");
    ManifestSet set;
    load_manifest_text(yaml, "exported.yaml", {}, set);
    INFO(dump(set.diagnostics));
    REQUIRE(set.webhooks.size() == 1);
    const WebhookManifest& m = set.webhooks[0];
    CHECK(m.name == w.name);
    CHECK(m.event_types == w.event_types);
    CHECK(m.endpoint_url == w.endpoint_url);
    CHECK(m.enabled == w.enabled);
    CHECK(m.retry_policy == w.retry_policy);
    CHECK(m.payload_template == w.payload_template);
    CHECK(m.secret_ref.kind == SecretSource::Kind::generate);
}

} // TEST_SUITE
