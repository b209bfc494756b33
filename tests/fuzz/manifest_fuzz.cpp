// Fuzzes manifest loading (SPEC §2, §8): the bytes are one manifest file,
// read by load_manifest_text (what every file of the directory goes
// through: size and UTF-8 checks, the YAML tree, both kinds' rules), then
// the duplicate-name check of a load.
//
// Invariants: every diagnostic names the file, points inside it and is one
// line; a document loads or says why (errors are counted); what loads is
// written back by `export` (manifest_yaml) as a document that loads to the
// same fields; allowing http:// endpoints never refuses what loaded without.
#include "core/manifest.hpp"
#include "core/manifest_export.hpp"
#include "core/trigger_rules.hpp"
#include "core/webhook_rules.hpp"
#include "tests/fuzz/fuzz_invariants.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace hookwarden;
using fuzz::require;

namespace {

const std::string file = "fuzz.yaml";

ManifestSet load(const std::string& text, const std::string& name, const ManifestOptions& options) {
    ManifestSet set;
    load_manifest_text(text, name, options, set);
    check_duplicate_names(set);
    return set;
}

// What `export` writes for the webhook `m` describes loads back to it.
void check_export(const WebhookManifest& m) {
    const std::string yaml = manifest_yaml(desired_body(m));
    const ManifestSet back = load(yaml, "exported.yaml", {.allow_insecure_endpoints = true});
    require(back.ok() && back.webhooks.size() == 1 && back.triggers.empty(),
            "an exported webhook does not load back", yaml);
    const WebhookManifest& r = back.webhooks.front();
    require(r.name == m.name && r.event_types == m.event_types && r.endpoint_url == m.endpoint_url &&
                r.enabled == m.enabled && r.retry_policy == m.retry_policy && r.payload_template == m.payload_template,
            "an exported webhook loads back different", yaml);
}

void check_export(const TriggerManifest& m) {
    const std::string yaml = manifest_yaml(desired_body(m));
    const ManifestSet back = load(yaml, "exported.yaml", {});
    require(back.ok() && back.triggers.size() == 1 && back.webhooks.empty(),
            "an exported trigger does not load back", yaml);
    const TriggerManifest& r = back.triggers.front();
    require(r.name == m.name && r.topic_name == m.topic_name && r.target == m.target &&
                r.match_criteria == m.match_criteria && r.enabled == m.enabled &&
                r.event_ttl_seconds == m.event_ttl_seconds && r.delay_by_seconds == m.delay_by_seconds &&
                r.description == m.description,
            "an exported trigger loads back different", yaml);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const ManifestSet set = load(text, file, {});
    fuzz::check_diagnostics(set.diagnostics, file, text);
    require(set.files == 0, "load_manifest_text counted a file");
    if (set.webhooks.empty() && set.triggers.empty())
        return 0;

    for (const auto& webhook : set.webhooks)
        check_export(webhook);
    for (const auto& trigger : set.triggers)
        check_export(trigger);
    if (set.ok()) {
        const ManifestSet insecure = load(text, file, {.allow_insecure_endpoints = true});
        require(insecure.ok() && insecure.webhooks == set.webhooks && insecure.triggers == set.triggers,
                "allowing http:// endpoints changed a load that was valid without", text);
    }
    return 0;
}
