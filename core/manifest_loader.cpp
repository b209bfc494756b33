// Loading and validating manifests (SPEC §2). Every rule reports at the node
// it concerns and validation goes on, so one run shows every problem.
#include "core/manifest.hpp"

#include "core/executor.hpp"
#include "core/manifest_cache.hpp"
#include "core/manifest_discovery.hpp"
#include "core/manifest_rules.hpp"
#include "core/secret_source_yaml.hpp"
#include "core/source_file.hpp"
#include "core/yaml_fields.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <string_view>
#include <unordered_map>
#include <memory>
#include <set>

namespace hookwarden {

namespace {

constexpr const char* api_version = "hookwarden/v1";
constexpr const char* webhook_kind = "Webhook";
constexpr std::size_t max_payload_template_bytes = 64 * 1024;
constexpr std::size_t max_labels = 64;

// The fields of each mapping: what `finish` accepts, and what
// accepted_manifest_fields() publishes for the JSON Schema test.
const std::vector<std::string> root_fields{"apiVersion", "kind", "metadata", "spec"};
const std::vector<std::string> metadata_fields{"name", "labels"};
const std::vector<std::string> spec_fields{"eventTypes",  "endpointUrl",     "enabled",
                                           "retryPolicy", "payloadTemplate", "secretRef"};
const std::vector<std::string> retry_policy_fields{"retryInterval", "maxRetries"};

// Validates one YAML document as a Webhook manifest.
class DocumentReader {
public:
    DocumentReader(const std::string& file, const ManifestOptions& options, Diagnostics& diagnostics)
        : file_(file), options_(options), diagnostics_(diagnostics) {}

    /// The manifest when the document is valid. `declared` receives the
    /// document's name when the name itself is well-formed.
    std::optional<WebhookManifest> read(const YamlNode& document,
                                        std::vector<std::pair<std::string, SourceLocation>>& declared) {
        const std::size_t errors_before = diagnostics_.error_count();
        // Per document: a document without metadata must not inherit the
        // previous document's verdict and declare an empty name.
        name_valid_ = false;
        WebhookManifest manifest;
        YamlMap root(document, "", file_, diagnostics_);
        if (!root.valid())
            return std::nullopt;
        read_header(root);
        if (auto metadata = root.require("metadata"))
            read_metadata(*metadata, manifest);
        if (auto spec = root.require("spec"))
            read_spec(*spec, manifest);
        root.finish(root_fields);
        if (manifest.location.file.empty())
            manifest.location = root.location();
        if (name_valid_)
            declared.emplace_back(manifest.name, manifest.location);
        if (diagnostics_.error_count() != errors_before)
            return std::nullopt;
        return manifest;
    }

private:
    void read_header(YamlMap& root) {
        if (auto field = root.require("apiVersion")) {
            auto value = read_string(*field, diagnostics_);
            if (value && *value != api_version)
                error(*field, "apiVersion must be '" + std::string(api_version) + "', not '" +
                                  *value + "'");
        }
        if (auto field = root.require("kind")) {
            auto value = read_string(*field, diagnostics_);
            if (value && *value != webhook_kind)
                error(*field, "kind must be '" + std::string(webhook_kind) + "', not '" + *value + "'");
        }
    }

    void read_metadata(const YamlField& field, WebhookManifest& manifest) {
        YamlMap metadata(field.node, field.path, file_, diagnostics_);
        name_valid_ = false;
        if (auto name = metadata.require("name")) {
            manifest.location = name->location();
            if (auto value = read_string(*name, diagnostics_)) {
                if (auto problem = check_webhook_name(*value))
                    error(*name, "field 'metadata.name' " + *problem);
                else
                    name_valid_ = true;
                manifest.name = *value;
            }
        }
        if (auto labels = metadata.take("labels"))
            read_labels(*labels, manifest);
        metadata.finish(metadata_fields);
    }

    void read_labels(const YamlField& field, WebhookManifest& manifest) {
        YamlMap labels(field.node, field.path, file_, diagnostics_);
        auto entries = labels.entries();
        if (entries.size() > max_labels) {
            error(field, "field 'metadata.labels' may hold at most " + std::to_string(max_labels) +
                             " labels");
            return;
        }
        for (auto& [key, value] : entries) {
            const std::string& name = key.node.scalar();
            if (name.empty() || name.size() > 63) {
                error(key, "label names must be 1..63 characters long");
                continue;
            }
            if (auto text = read_string(value, diagnostics_))
                manifest.labels[name] = *text;
        }
    }

    void read_spec(const YamlField& field, WebhookManifest& manifest) {
        YamlMap spec(field.node, field.path, file_, diagnostics_);
        if (auto events = spec.require("eventTypes"))
            read_event_types(*events, manifest);
        if (auto url = spec.require("endpointUrl")) {
            if (auto value = read_string(*url, diagnostics_)) {
                if (auto problem = check_endpoint_url(*value, options_.allow_insecure_endpoints))
                    error(*url, "field 'spec.endpointUrl' " + *problem);
                manifest.endpoint_url = *value;
            }
        }
        if (auto enabled = spec.take("enabled"))
            if (auto value = read_bool(*enabled, diagnostics_))
                manifest.enabled = *value;
        if (auto policy = spec.take("retryPolicy"))
            read_retry_policy(*policy, manifest);
        if (auto tmpl = spec.take("payloadTemplate")) {
            if (auto value = read_string(*tmpl, diagnostics_)) {
                if (value->empty())
                    error(*tmpl, "field 'spec.payloadTemplate' must not be empty");
                else if (value->size() > max_payload_template_bytes)
                    error(*tmpl, "field 'spec.payloadTemplate' must be at most 64 KiB");
                manifest.payload_template = *value;
            }
        }
        if (auto secret = spec.take("secretRef")) {
            if (auto source = read_secret_source(*secret, {.allow_generate = true}, diagnostics_))
                manifest.secret_ref = *source;
        }
        spec.finish(spec_fields);
    }

    void read_event_types(const YamlField& field, WebhookManifest& manifest) {
        if (!field.node.is_sequence()) {
            error(field, "field 'spec.eventTypes' must be a list of event types");
            return;
        }
        if (field.node.size() == 0) {
            error(field, "field 'spec.eventTypes' must name at least one event type");
            return;
        }
        if (field.node.size() > max_event_types) {
            error(field, "field 'spec.eventTypes' may name at most 50 event types, not " +
                             std::to_string(field.node.size()));
            return;
        }
        std::map<std::string, std::string> first_line;
        std::size_t index = 0;
        for (const auto& item : field.node.children()) {
            YamlField element{item, field.path + '[' + std::to_string(index++) + ']', &file_};
            auto value = read_string(element, diagnostics_);
            if (!value)
                continue;
            if (auto problem = check_event_type(*value)) {
                error(element, "event type '" + *value + "' " + *problem);
                continue;
            }
            const auto where = element.location();
            const std::string position =
                "line " + std::to_string(where.line) + ", column " + std::to_string(where.column);
            if (auto [it, inserted] = first_line.emplace(*value, position); !inserted) {
                error(element, "event type '" + *value + "' is listed twice (first at " +
                                   it->second + ")");
                continue;
            }
            manifest.event_types.push_back(*value);
        }
    }

    void read_retry_policy(const YamlField& field, WebhookManifest& manifest) {
        YamlMap policy(field.node, field.path, file_, diagnostics_);
        if (auto interval = policy.take("retryInterval")) {
            if (auto value = read_string(*interval, diagnostics_)) {
                if (auto problem = check_retry_interval(*value))
                    error(*interval, "field 'spec.retryPolicy.retryInterval' " + *problem + ", not '" +
                                         *value + "'");
                manifest.retry_policy.retry_interval = *value;
            }
        }
        if (auto retries = policy.take("maxRetries"))
            if (auto value = read_integer(*retries, 0, max_max_retries, diagnostics_))
                manifest.retry_policy.max_retries = static_cast<int>(*value);
        policy.finish(retry_policy_fields);
    }

    void error(const YamlField& field, std::string message) {
        diagnostics_.error(field.location(), std::move(message));
    }

    const std::string& file_;
    const ManifestOptions& options_;
    Diagnostics& diagnostics_;
    bool name_valid_ = false;
};

void load_document_text(const std::string& text, const std::string& display_path,
                        const ManifestOptions& options, ManifestSet& into);

} // namespace

std::vector<std::string> accepted_manifest_fields() {
    std::vector<std::string> out;
    const auto add = [&out](const std::string& prefix, const std::vector<std::string>& fields) {
        for (const auto& f : fields)
            out.push_back(prefix + f);
    };
    add("", root_fields);
    add("metadata.", metadata_fields);
    add("spec.", spec_fields);
    add("spec.retryPolicy.", retry_policy_fields);
    add("spec.secretRef.", secret_ref_forms); // core/secret_source_yaml.hpp
    return out;
}

void load_manifest_text(const std::string& text, const std::string& display_path,
                        const ManifestOptions& options, ManifestSet& into) {
    const std::size_t first_diagnostic = into.diagnostics.size();
    load_document_text(text, display_path, options, into);
    into.diagnostics.sort_by_position(first_diagnostic);
}

namespace {

void load_document_text(const std::string& text, const std::string& display_path,
                        const ManifestOptions& options, ManifestSet& into) {
    if (!check_source_text(text, display_path, into.diagnostics))
        return;
    auto documents = parse_yaml_documents(text, display_path, into.diagnostics);
    if (!documents)
        return;
    if (documents->empty()) {
        into.diagnostics.error({display_path}, "file holds no YAML document (empty manifest)");
        return;
    }
    DocumentReader reader(display_path, options, into.diagnostics);
    for (const auto& document : *documents)
        if (auto manifest = reader.read(document, into.declared_names))
            into.webhooks.push_back(std::move(*manifest));
}

} // namespace

void check_duplicate_names(ManifestSet& set) {
    // The index points at each name's first declaration; a DuplicateName is
    // made only for a name seen twice, so that the common case (every name
    // once) costs one hash insert per document and no copy.
    std::unordered_map<std::string_view, std::size_t> first;
    first.reserve(set.declared_names.size());
    std::unordered_map<std::string_view, std::size_t> duplicate_of; // name -> index in duplicates
    for (std::size_t i = 0; i < set.declared_names.size(); ++i) {
        const auto& [name, location] = set.declared_names[i];
        auto [it, inserted] = first.emplace(name, i);
        if (inserted)
            continue;
        const SourceLocation& original = set.declared_names[it->second].second;
        set.diagnostics.error(location, "webhook name '" + name + "' is already defined at " +
                                            original.format() +
                                            "; no document of that name is applied until only "
                                            "one remains");
        auto [dup, fresh] = duplicate_of.emplace(name, set.duplicates.size());
        if (fresh)
            set.duplicates.push_back(DuplicateName{name, {original}});
        set.duplicates[dup->second].places.push_back(location);
    }
    if (set.duplicates.empty())
        return;
    std::erase_if(set.webhooks, [&duplicate_of](const WebhookManifest& m) {
        return duplicate_of.contains(m.name);
    });
}

DesiredState desired_state(ManifestSet set) {
    DesiredState desired;
    desired.webhooks = std::move(set.webhooks);
    desired.triggers = std::move(set.triggers);
    desired.duplicates = std::move(set.duplicates);
    desired.errors = set.diagnostics.error_count();
    return desired;
}

ManifestSet load_manifest_file(const ManifestFile& file, const ManifestOptions& options) {
    ManifestSet part;
    part.files = 1;
    if (auto text = read_source_file(file.display, file.display, part.diagnostics))
        load_manifest_text(*text, file.display, options, part);
    return part;
}

ManifestSet load_manifests(const std::filesystem::path& dir, const ManifestOptions& options) {
    InlineExecutor in_order;
    return load_manifests(dir, options, in_order);
}

ManifestSet load_manifests(const std::filesystem::path& dir, const ManifestOptions& options,
                           Executor& executor, ManifestCache* cache) {
    ManifestSet set;
    const auto files = discover_manifest_files(dir, set.diagnostics, executor);
    // One slot per file, written by its own task: no lock, and the merge
    // below is in path order whatever order the tasks ran in. Cached
    // results are shared with the cache, so they are copied into the set.
    std::vector<ManifestSet> own(cache ? 0 : files.size());
    std::vector<std::shared_ptr<const ManifestSet>> shared(cache ? files.size() : 0);
    // In runs of neighbouring files rather than one task per file: a file
    // the cache answers costs a microsecond, less than handing it to
    // another thread. Several runs per thread even out uneven files.
    const std::size_t runs = std::min(files.size(), executor.width() * 16);
    const auto in_runs = [&](const auto& each_file) {
        executor.run(runs, [&](std::size_t run) {
            for (std::size_t i = files.size() * run / runs, end = files.size() * (run + 1) / runs; i < end; ++i)
                each_file(i);
        });
    };
    in_runs([&](std::size_t i) {
        if (cache)
            shared[i] = cache->load(files[i], options);
        else
            own[i] = load_manifest_file(files[i], options);
    });
    if (cache)
        cache->retain_only(files);

    const auto part = [&](std::size_t i) -> const ManifestSet& { return cache ? *shared[i] : own[i]; };
    // Each file's webhooks and names have their own slots in the merged set,
    // so the merge runs on the executor too: copying every cached webhook
    // (a dozen allocations each) was a third of a reload's time.
    std::vector<std::size_t> webhook_at(files.size() + 1, 0), name_at(files.size() + 1, 0);
    for (std::size_t i = 0; i < files.size(); ++i) {
        webhook_at[i + 1] = webhook_at[i] + part(i).webhooks.size();
        name_at[i + 1] = name_at[i] + part(i).declared_names.size();
    }
    set.webhooks.resize(webhook_at.back());
    set.declared_names.resize(name_at.back());
    in_runs([&](std::size_t i) {
        const auto webhooks_to = set.webhooks.begin() + static_cast<std::ptrdiff_t>(webhook_at[i]);
        const auto names_to = set.declared_names.begin() + static_cast<std::ptrdiff_t>(name_at[i]);
        if (cache) {
            std::copy(shared[i]->webhooks.begin(), shared[i]->webhooks.end(), webhooks_to);
            std::copy(shared[i]->declared_names.begin(), shared[i]->declared_names.end(), names_to);
        } else {
            std::move(own[i].webhooks.begin(), own[i].webhooks.end(), webhooks_to);
            std::move(own[i].declared_names.begin(), own[i].declared_names.end(), names_to);
        }
    });
    for (std::size_t i = 0; i < files.size(); ++i) {
        set.files += part(i).files;
        set.diagnostics.append(part(i).diagnostics);
    }
    check_duplicate_names(set);
    return set;
}

} // namespace hookwarden
