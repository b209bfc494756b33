// The shipped examples and the JSON Schema must agree with the loader: every
// example validates, and the schema names every field the loader accepts
// (and no field it would reject), so editors and `validate` never disagree
// about what may be written.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "core/manifest.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>

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

// Every property path the schema declares, e.g. "spec.retryPolicy.maxRetries".
void collect_paths(const json::object& schema, const std::string& prefix, std::set<std::string>& out) {
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

} // namespace

TEST_CASE("every shipped example manifest validates") {
    const ManifestSet set = load_manifests(source_dir / "manifests/examples");
    for (const auto& d : set.diagnostics.all())
        INFO(d.format());
    CHECK(set.ok());
    CHECK(set.diagnostics.empty());
    CHECK(set.webhooks.size() >= 4);
    CHECK(set.files >= 3);
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
    collect_paths(schema.as_object(), "", in_schema);
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

TEST_CASE("the JSON Schema closes every object, as the loader rejects unknown keys") {
    const json::value schema = read_schema();
    CHECK(schema.at("additionalProperties") == false);
    const auto& props = schema.at("properties");
    CHECK(props.at("metadata").at("additionalProperties") == false);
    CHECK(props.at("spec").at("additionalProperties") == false);
    CHECK(props.at("spec").at("properties").at("retryPolicy").at("additionalProperties") == false);
    CHECK(props.at("spec").at("properties").at("secretRef").at("maxProperties") == 1);
}
