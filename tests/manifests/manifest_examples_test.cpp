// The shipped examples and the JSON Schema must agree with the loader: every
// example validates, and the schema names every field the loader accepts
// (and no field it would reject), for each kind, so editors and `validate`
// never disagree about what may be written.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "core/manifest.hpp"
#include "tests/emulator/emulator_tenant.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>

namespace json = boost::json;
using namespace hookwarden;

namespace {

const std::filesystem::path source_dir = HOOKWARDEN_SOURCE_DIR;

json::value read_schema() {
    std::ifstream in(source_dir / "manifests/schema/webhook.schema.json");
    std::stringstream text;
    text << in.rdbuf();
    return json::parse(text.str());
}

// Every property path a schema declares, e.g. "spec.retryPolicy.maxRetries";
// the properties of a list's items are named as the list's own
// ("spec.matchCriteria.jsonPath").
void collect_paths(const json::object& schema, const std::string& prefix, std::set<std::string>& out) {
    if (const auto* items = schema.if_contains("items"); items && items->is_object())
        collect_paths(items->as_object(), prefix, out);
    const auto* properties = schema.if_contains("properties");
    if (!properties)
        return;
    for (const auto& [key, sub] : properties->as_object()) {
        const std::string path = prefix + std::string(key);
        out.insert(path);
        if (sub.is_object() && std::string(key) != "labels")
            collect_paths(sub.as_object(), path + ".", out);
    }
}

std::set<std::string> paths_of(const json::value& schema) {
    std::set<std::string> out;
    collect_paths(schema.as_object(), "", out);
    return out;
}

// The schema of one kind: the branch of the root's oneOf that fixes `kind`.
const json::value& kind_schema(const json::value& schema, const std::string& kind) {
    for (const auto& branch : schema.at("oneOf").as_array()) {
        const std::string ref(branch.at("$ref").as_string());
        REQUIRE(ref.starts_with("#/$defs/"));
        const json::value& def = schema.at("$defs").at(ref.substr(8));
        if (def.at("properties").at("kind").at("const").as_string() == kind)
            return def;
    }
    FAIL("the schema has no branch for kind " << kind);
    throw std::logic_error("unreachable");
}

} // namespace

TEST_CASE("every shipped example manifest validates") {
    const ManifestSet set = load_manifests(source_dir / "manifests/examples");
    for (const auto& d : set.diagnostics.all())
        INFO(d.format());
    CHECK(set.ok());
    CHECK(set.diagnostics.empty());
    CHECK(set.webhooks.size() >= 4);
    CHECK(set.triggers.size() >= 2);
    CHECK(set.files >= 4);
}

TEST_CASE("the trigger examples use only topics of the emulator's default list") {
    // The demo applies manifests/examples to the emulator, so every example topic must be one it serves.
    const std::vector<std::string> topics = emulator::default_trigger_topics();
    const std::set<std::string> default_topics(topics.begin(), topics.end());
    const ManifestSet set = load_manifests(source_dir / "manifests/examples");
    bool in_with_values = false, delayed = false;
    for (const auto& t : set.triggers) {
        INFO(t.name);
        CHECK(default_topics.contains(t.topic_name));
        for (const auto& c : t.match_criteria)
            in_with_values = in_with_values || (c.op == "In" && c.values && !c.values->empty());
        delayed = delayed || t.delay_by_seconds.has_value();
    }
    CHECK(in_with_values);
    CHECK(delayed);
}

TEST_CASE("the examples show every secretRef form and a multi-document file") {
    const ManifestSet set = load_manifests(source_dir / "manifests/examples");
    std::set<SecretSource::Kind> kinds;
    std::map<std::string, int> per_file;
    for (const auto& w : set.webhooks) {
        kinds.insert(w.secret_ref.kind);
        ++per_file[w.location.file];
    }
    CHECK(kinds.contains(SecretSource::Kind::generate));
    CHECK(kinds.contains(SecretSource::Kind::credential));
    CHECK(kinds.contains(SecretSource::Kind::file));
    CHECK(kinds.contains(SecretSource::Kind::env));
    bool multi_document = false;
    for (const auto& [file, count] : per_file)
        multi_document = multi_document || count > 1;
    CHECK(multi_document);
}

TEST_CASE("the JSON Schema names exactly the fields the loader accepts") {
    const json::value schema = read_schema();
    CHECK(schema.at("$schema").as_string() == "https://json-schema.org/draft/2020-12/schema");
    std::set<std::string> in_schema;
    for (const char* kind : {"Webhook", "Trigger"})
        in_schema.merge(paths_of(kind_schema(schema, kind)));
    const auto accepted = accepted_manifest_fields();
    const std::set<std::string> in_loader(accepted.begin(), accepted.end());
    for (const auto& path : in_loader) {
        INFO("loader accepts ", path);
        CHECK(in_schema.contains(path));
    }
    for (const auto& path : in_schema) {
        INFO("schema declares ", path);
        CHECK(in_loader.contains(path));
    }
}

TEST_CASE("the JSON Schema chooses the kind with oneOf, and each kind has only its own fields") {
    const json::value schema = read_schema();
    CHECK(schema.at("oneOf").as_array().size() == 2);
    CHECK(schema.at("properties").at("kind").at("enum") == json::array{"Webhook", "Trigger"});
    const auto webhook = paths_of(kind_schema(schema, "Webhook"));
    const auto trigger = paths_of(kind_schema(schema, "Trigger"));
    std::set<std::string> shared;
    std::set_intersection(webhook.begin(), webhook.end(), trigger.begin(), trigger.end(),
                          std::inserter(shared, shared.end()));
    CHECK(shared == std::set<std::string>{"apiVersion", "kind", "metadata", "metadata.name",
                                          "metadata.labels", "spec", "spec.enabled"});
    CHECK(trigger.contains("spec.matchCriteria.values"));
    CHECK_FALSE(trigger.contains("spec.secretRef")); // triggers have no secret
}

TEST_CASE("the JSON Schema closes every object, as the loader rejects unknown keys") {
    const json::value schema = read_schema();
    const json::value& webhook = kind_schema(schema, "Webhook");
    CHECK(webhook.at("additionalProperties") == false);
    const auto& props = webhook.at("properties");
    CHECK(props.at("metadata").at("additionalProperties") == false);
    CHECK(props.at("spec").at("additionalProperties") == false);
    CHECK(props.at("spec").at("properties").at("retryPolicy").at("additionalProperties") == false);
    CHECK(props.at("spec").at("properties").at("secretRef").at("maxProperties") == 1);

    const json::value& trigger = kind_schema(schema, "Trigger");
    CHECK(trigger.at("additionalProperties") == false);
    const auto& t_props = trigger.at("properties");
    CHECK(t_props.at("metadata").at("additionalProperties") == false);
    const auto& spec = t_props.at("spec");
    CHECK(spec.at("additionalProperties") == false);
    CHECK(spec.at("not").at("required") == json::array{"eventTTLSeconds", "delayBySeconds"});
    CHECK(spec.at("properties").at("target").at("additionalProperties") == false);
    const auto& criterion = spec.at("properties").at("matchCriteria").at("items");
    CHECK(criterion.at("additionalProperties") == false);
    CHECK(criterion.at("oneOf").as_array().size() == 2); // exactly one of value and values
}
