// Reading a secret source (`{credential: …}`, `{file: …}`, `{env: …}`,
// `{generate: true}`, or for config a plain string) from YAML, shared by
// manifests (`spec.secretRef`) and config (`tenant.clientId`, …).
#pragma once

#include "core/secret_source.hpp"
#include "core/yaml_fields.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace hookwarden {

/// The keys of a source mapping, in the order messages list them: all of
/// them in a manifest's `spec.secretRef`, all but `generate` in config.
extern const std::vector<std::string> secret_ref_forms;

struct SecretSourceForms {
    bool allow_plain = false;     ///< a bare string is the value itself (config)
    bool allow_generate = false;  ///< `{generate: true}`, and `{}` meaning it (manifests)
    std::filesystem::path base_dir; ///< relative `file:` paths resolve here; empty: must be absolute
};

std::optional<SecretSource> read_secret_source(const YamlField& field, const SecretSourceForms& forms,
                                               Diagnostics& diagnostics);

} // namespace hookwarden
