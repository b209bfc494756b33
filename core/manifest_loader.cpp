// Loading and validating manifests (SPEC §2, and §8 for `kind: Trigger`).
// Every rule reports at the node it concerns and validation goes on, so one
// run shows every problem.
#include "core/manifest.hpp"

#include "core/executor.hpp"
#include "core/manifest_cache.hpp"
#include "core/manifest_discovery.hpp"
#include "core/manifest_rules.hpp"
#include "core/secret_source_yaml.hpp"
#include "core/source_file.hpp"
#include "core/yaml_fields.hpp"

#include <boost/json/value.hpp>

#include <algorithm>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string_view>
#include <unordered_map>

namespace hookwarden {

namespace {

constexpr const char* api_version = "hookwarden/v1";
constexpr std::size_t max_labels = 64;

// The fields of each mapping: what `finish` accepts, and what
// accepted_manifest_fields() publishes for the JSON Schema test.
const std::vector<std::string> root_fields{"apiVersion", "kind", "metadata", "spec"};
const std::vector<std::string> metadata_fields{"name", "labels"};
const std::vector<std::string> spec_fields{"eventTypes",  "endpointUrl",     "enabled",
                                           "retryPolicy", "payloadTemplate", "secretRef"};
const std::vector<std::string> retry_policy_fields{"retryInterval", "maxRetries"};
const std::vector<std::string> trigger_spec_fields{"topicName",       "target",         "matchCriteria",
                                                   "enabled",         "eventTTLSeconds", "delayBySeconds",
                                                   "description"};
const std::vector<std::string> trigger_target_fields{"type", "id", "dataFormat"};
const std::vector<std::string> match_criterion_fields{"jsonPath", "operator", "value", "values"};

// The document's metadata, the same for both kinds.
struct Metadata {
    std::string name;
    std::map<std::string, std::string> labels;
    SourceLocation location; ///< of `metadata.name`
};

bool before(const SourceLocation& a, const SourceLocation& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
}

// Validates one YAML document as a Webhook or a Trigger manifest, as its
// `kind` says, and adds it to the set when it is valid.
class DocumentReader {
public:
    DocumentReader(const std::string& file, const ManifestOptions& options, Diagnostics& diagnostics)
        : file_(file), options_(options), diagnostics_(diagnostics) {}

    /// Adds the document to `into.webhooks` or `into.triggers` when it is
    /// valid, and its name to the declared names of its kind when the name
    /// itself is well-formed.
    void read(const YamlNode& document, ManifestSet& into) {
        const std::size_t errors_before = diagnostics_.error_count();
        // Per document: a document without metadata must not inherit the
        // previous document's verdict and declare an empty name.
        name_valid_ = false;
        YamlMap root(document, "", file_, diagnostics_);
        if (!root.valid())
            return;
        const ResourceKind kind = read_header(root);
        Metadata metadata;
        if (auto field = root.require("metadata"))
            read_metadata(*field, kind, metadata);
        if (metadata.location.file.empty())
            metadata.location = root.location();
        if (kind == ResourceKind::trigger)
            read_as(root, std::move(metadata), &DocumentReader::read_trigger_spec, into.triggers,
                    into.declared_trigger_names, errors_before);
        else
            read_as(root, std::move(metadata), &DocumentReader::read_spec, into.webhooks,
                    into.declared_names, errors_before);
    }

private:
    // The rest of a document of one kind: its spec, then the verdict. A
    // valid document's manifest takes over `metadata`.
    template <class Manifest>
    void read_as(YamlMap& root, Metadata&& metadata,
                 void (DocumentReader::*spec_reader)(const YamlField&, Manifest&),
                 std::vector<Manifest>& manifests,
                 std::vector<std::pair<std::string, SourceLocation>>& declared, std::size_t errors_before) {
        Manifest manifest;
        if (auto spec = root.require("spec"))
            (this->*spec_reader)(*spec, manifest);
        root.finish(root_fields);
        if (name_valid_)
            declared.emplace_back(metadata.name, metadata.location);
        if (diagnostics_.error_count() != errors_before)
            return;
        manifest.name = std::move(metadata.name);
        manifest.labels = std::move(metadata.labels);
        manifest.location = std::move(metadata.location);
        manifests.push_back(std::move(manifest));
    }

    // The kind the rest of the document is read as. A document whose kind is
    // missing or wrong is read as a Webhook, the first kind, unless its kind
    // looks like a typo of Trigger: its other errors are then the ones the
    // author needs to see.
    ResourceKind read_header(YamlMap& root) {
        if (auto field = root.require("apiVersion")) {
            auto value = read_string(*field, diagnostics_);
            if (value && *value != api_version)
                error(*field, "apiVersion must be '" + std::string(api_version) + "', not '" +
                                  *value + "'");
        }
        auto field = root.require("kind");
        if (!field)
            return ResourceKind::webhook;
        auto value = read_string(*field, diagnostics_);
        if (!value)
            return ResourceKind::webhook;
        for (const ResourceKind kind : {ResourceKind::webhook, ResourceKind::trigger})
            if (*value == manifest_kind_name(kind))
                return kind;
        error(*field, "kind must be 'Webhook' or 'Trigger', not '" + *value + "'");
        const auto near = suggest(*value, {manifest_kind_name(ResourceKind::webhook),
                                           manifest_kind_name(ResourceKind::trigger)});
        return near && *near == manifest_kind_name(ResourceKind::trigger) ? ResourceKind::trigger
                                                                          : ResourceKind::webhook;
    }

    void read_metadata(const YamlField& field, ResourceKind kind, Metadata& out) {
        YamlMap metadata(field.node, field.path, file_, diagnostics_);
        name_valid_ = false;
        if (auto name = metadata.require("name")) {
            out.location = name->location();
            if (auto value = read_string(*name, diagnostics_)) {
                const auto problem = kind == ResourceKind::trigger ? check_trigger_name(*value)
                                                                   : check_webhook_name(*value);
                if (problem)
                    error(*name, "field 'metadata.name' " + *problem);
                else
                    name_valid_ = true;
                out.name = *value;
            }
        }
        if (auto labels = metadata.take("labels"))
            read_labels(*labels, out.labels);
        metadata.finish(metadata_fields);
    }

    void read_labels(const YamlField& field, std::map<std::string, std::string>& out) {
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
                out[name] = *text;
        }
    }

    // ------------------------------------------------------------ webhooks

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
                if (auto problem = check_payload_template(*value))
                    error(*tmpl, "field 'spec.payloadTemplate' " + *problem);
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

    // ------------------------------------------------------------ triggers

    void read_trigger_spec(const YamlField& field, TriggerManifest& manifest) {
        YamlMap spec(field.node, field.path, file_, diagnostics_);
        if (auto topic = spec.require("topicName"))
            if (auto value = checked_string(*topic, check_topic_name))
                manifest.topic_name = *value;
        if (auto target = spec.require("target"))
            read_target(*target, manifest.target);
        if (auto criteria = spec.take("matchCriteria")) {
            // `matchCriteria:` with nothing after it is a null, which has no
            // place of its own (its mark is the next line): the key has one.
            read_match_criteria(criteria->node.is_null() ? *spec.key("matchCriteria") : *criteria,
                                manifest.match_criteria);
        }
        if (auto enabled = spec.take("enabled"))
            if (auto value = read_bool(*enabled, diagnostics_))
                manifest.enabled = *value;
        const auto ttl = spec.take("eventTTLSeconds");
        if (ttl)
            if (auto value = read_integer(*ttl, min_event_ttl_seconds,
                                          std::numeric_limits<int>::max(), diagnostics_))
                manifest.event_ttl_seconds = static_cast<int>(*value);
        const auto delay = spec.take("delayBySeconds");
        if (delay)
            if (auto value = read_integer(*delay, min_delay_by_seconds, max_delay_by_seconds, diagnostics_))
                manifest.delay_by_seconds = static_cast<int>(*value);
        if (ttl && delay) {
            const auto second = before(ttl->location(), delay->location()) ? spec.key("delayBySeconds")
                                                                           : spec.key("eventTTLSeconds");
            error(*second, "fields 'spec.eventTTLSeconds' and 'spec.delayBySeconds' cannot both be "
                           "set; keep one");
        }
        if (auto description = spec.take("description"))
            if (auto value = checked_string(*description, check_trigger_description))
                manifest.description = *value;
        if (auto secret = spec.key("secretRef")) {
            spec.take("secretRef");
            error(*secret, "field 'spec.secretRef' is not allowed here: triggers have no secret "
                           "(their events go to a workflow inside Genesys Cloud)");
        }
        spec.finish(trigger_spec_fields);
    }

    void read_target(const YamlField& field, TriggerTarget& target) {
        YamlMap map(field.node, field.path, file_, diagnostics_);
        if (auto type = map.require("type")) {
            if (auto value = read_string(*type, diagnostics_)) {
                if (*value != "Workflow")
                    error(*type, "field 'spec.target.type' must be Workflow (the only target type), "
                                 "not '" + *value + "'");
                target.type = *value;
            }
        }
        if (auto id = map.require("id"))
            if (auto value = checked_string(*id, check_workflow_id))
                target.id = *value;
        if (auto format = map.take("dataFormat"))
            if (auto value = checked_string(*format, check_data_format))
                target.data_format = *value;
        map.finish(trigger_target_fields);
    }

    void read_match_criteria(const YamlField& field, std::vector<MatchCriterion>& out) {
        if (!field.node.is_sequence()) {
            error(field, "field 'spec.matchCriteria' must be a list of criteria, each "
                         "{jsonPath, operator, value or values}");
            return;
        }
        std::size_t index = 0;
        for (const auto& item : field.node.children()) {
            const std::string path = field.path + '[' + std::to_string(index++) + ']';
            YamlMap map(item, path, file_, diagnostics_);
            if (!map.valid())
                continue;
            MatchCriterion criterion;
            if (auto json_path = map.require("jsonPath")) {
                if (auto value = read_string(*json_path, diagnostics_)) {
                    if (value->empty())
                        error(*json_path, "field '" + json_path->path + "' must not be empty");
                    criterion.json_path = *value;
                }
            }
            if (auto op = map.require("operator")) {
                if (auto value = read_string(*op, diagnostics_)) {
                    if (auto problem = check_match_operator(*value))
                        error(*op, "field '" + op->path + "' " + *problem);
                    criterion.op = *value;
                }
            }
            const auto value = map.take("value");
            const auto values = map.take("values");
            if (value)
                criterion.value = read_json_scalar(*value, diagnostics_);
            if (values)
                criterion.values = read_json_scalars(*values);
            if (value && values) {
                const auto second = before(map.key("value")->location(), map.key("values")->location())
                                        ? map.key("values")
                                        : map.key("value");
                error(*second, "field '" + path + "' has both 'value' and 'values'; give one value, "
                               "or a list of values");
            } else if (!value && !values) {
                diagnostics_.error(map.location(), "field '" + path + "' needs 'value' (one value) or "
                                                   "'values' (a list of values)");
            }
            map.finish(match_criterion_fields);
            out.push_back(std::move(criterion));
        }
    }

    std::optional<std::vector<boost::json::value>> read_json_scalars(const YamlField& field) {
        if (!field.node.is_sequence()) {
            error(field, "field '" + field.path + "' must be a list of values, e.g. [error, transfer]");
            return std::nullopt;
        }
        std::vector<boost::json::value> out;
        std::size_t index = 0;
        for (const auto& item : field.node.children()) {
            YamlField element{item, field.path + '[' + std::to_string(index++) + ']', &file_};
            if (auto value = read_json_scalar(element, diagnostics_))
                out.push_back(std::move(*value));
        }
        return out;
    }

    // A string field checked by one of the rules of manifest_rules.hpp.
    std::optional<std::string> checked_string(const YamlField& field,
                                              std::optional<std::string> (*check)(std::string_view)) {
        auto value = read_string(field, diagnostics_);
        if (!value)
            return std::nullopt;
        if (auto problem = check(*value)) {
            error(field, "field '" + field.path + "' " + *problem);
            return std::nullopt;
        }
        return value;
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
    // Triggers: their spec fields that webhooks do not have (`enabled` is
    // both kinds'); list items as `spec.matchCriteria.jsonPath`.
    for (const auto& field : trigger_spec_fields)
        if (std::find(spec_fields.begin(), spec_fields.end(), field) == spec_fields.end())
            out.push_back("spec." + field);
    add("spec.target.", trigger_target_fields);
    add("spec.matchCriteria.", match_criterion_fields);
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
        reader.read(document, into);
}

} // namespace

namespace {

// check_duplicate_names for the documents of one kind.
template <class Manifest>
void refuse_duplicates(const std::vector<std::pair<std::string, SourceLocation>>& declared,
                       ResourceKind kind, std::vector<Manifest>& manifests, ManifestSet& set) {
    // The index points at each name's first declaration; a DuplicateName is
    // made only for a name seen twice, so that the common case (every name
    // once) costs one hash insert per document and no copy.
    std::unordered_map<std::string_view, std::size_t> first;
    first.reserve(declared.size());
    std::unordered_map<std::string_view, std::size_t> duplicate_of; // name -> index in duplicates
    for (std::size_t i = 0; i < declared.size(); ++i) {
        const auto& [name, location] = declared[i];
        auto [it, inserted] = first.emplace(name, i);
        if (inserted)
            continue;
        const SourceLocation& original = declared[it->second].second;
        set.diagnostics.error(location, std::string(to_string(kind)) + " name '" + name +
                                            "' is already defined at " + original.format() +
                                            "; no document of that name is applied until only "
                                            "one remains");
        auto [dup, fresh] = duplicate_of.emplace(name, set.duplicates.size());
        if (fresh)
            set.duplicates.push_back(DuplicateName{name, {original}, kind});
        set.duplicates[dup->second].places.push_back(location);
    }
    if (duplicate_of.empty())
        return;
    std::erase_if(manifests, [&duplicate_of](const Manifest& m) { return duplicate_of.contains(m.name); });
}

} // namespace

void check_duplicate_names(ManifestSet& set) {
    refuse_duplicates(set.declared_names, ResourceKind::webhook, set.webhooks, set);
    refuse_duplicates(set.declared_trigger_names, ResourceKind::trigger, set.triggers, set);
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
    // Each file's webhooks, triggers and names have their own slots in the
    // merged set, so the merge runs on the executor too: copying every
    // cached webhook (a dozen allocations each) was a third of a reload's time.
    const auto slots = [&](auto member) {
        std::vector<std::size_t> at(files.size() + 1, 0);
        for (std::size_t i = 0; i < files.size(); ++i)
            at[i + 1] = at[i] + (part(i).*member).size();
        (set.*member).resize(at.back());
        return at;
    };
    const auto place = [&](auto member, const std::vector<std::size_t>& at, std::size_t i) {
        const auto to = (set.*member).begin() + static_cast<std::ptrdiff_t>(at[i]);
        if (cache)
            std::copy(((*shared[i]).*member).begin(), ((*shared[i]).*member).end(), to);
        else
            std::move((own[i].*member).begin(), (own[i].*member).end(), to);
    };
    const auto webhook_at = slots(&ManifestSet::webhooks);
    const auto trigger_at = slots(&ManifestSet::triggers);
    const auto name_at = slots(&ManifestSet::declared_names);
    const auto trigger_name_at = slots(&ManifestSet::declared_trigger_names);
    in_runs([&](std::size_t i) {
        place(&ManifestSet::webhooks, webhook_at, i);
        place(&ManifestSet::triggers, trigger_at, i);
        place(&ManifestSet::declared_names, name_at, i);
        place(&ManifestSet::declared_trigger_names, trigger_name_at, i);
    });
    for (std::size_t i = 0; i < files.size(); ++i) {
        set.files += part(i).files;
        set.diagnostics.append(part(i).diagnostics);
    }
    check_duplicate_names(set);
    return set;
}

} // namespace hookwarden
