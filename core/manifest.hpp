// Manifests: the desired state, as operators write it (SPEC §2).
//
// `load_manifests` discovers every `*.yaml`/`*.yml` under a directory
// (recursively, dot-files and dot-directories skipped, symlinks followed with
// loop detection, byte-wise path order), parses every YAML document in them,
// validates each against the rules of SPEC §2 and §8 and returns the
// webhooks and triggers with defaults applied, plus every diagnostic found —
// never only the first. It reads no secret: secret sources are resolved
// later, by plan and apply.
//
// Files are parsed on the executor the caller gives (core/executor.hpp;
// in order on the calling thread by default) and merged in path order, so
// the webhooks and diagnostics are the same, in the same order, whatever the
// executor. A ManifestCache (core/manifest_cache.hpp) kept between loads
// spares re-parsing the files that did not change.
#pragma once

#include "core/diagnostic.hpp"
#include "core/resource_kind.hpp"
#include "core/secret_source.hpp"
#include "core/trigger.hpp"
#include "core/webhook.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hookwarden {

/// One webhook as a manifest declares it, defaults applied.
struct WebhookManifest {
    std::string name;
    std::map<std::string, std::string> labels; ///< local only, never sent
    std::vector<std::string> event_types;      ///< in the order written
    std::string endpoint_url;
    bool enabled = true;
    RetryPolicy retry_policy;
    std::string payload_template = "{{event}}";
    SecretSource secret_ref; ///< default: generate

    SourceLocation location; ///< where the document's `metadata.name` is written

    bool operator==(const WebhookManifest&) const = default;
};

/// One Process Automation trigger as a manifest declares it (SPEC §8),
/// defaults applied. It has no secret.
struct TriggerManifest {
    std::string name;
    std::map<std::string, std::string> labels; ///< local only, never sent
    std::string topic_name;
    TriggerTarget target;                       ///< type Workflow, dataFormat default Json
    std::vector<MatchCriterion> match_criteria; ///< in the order written
    bool enabled = true;
    std::optional<int> event_ttl_seconds;
    std::optional<int> delay_by_seconds;
    std::string description; ///< empty: none

    SourceLocation location; ///< where the document's `metadata.name` is written

    bool operator==(const TriggerManifest&) const = default;
};

/// A name that more than one document defines (SPEC §2: names are unique
/// per kind). None of its documents is acted on: which one the operator
/// meant is theirs to say, and acting on either would let a typo in one file
/// overwrite another's webhook, or create the name twice.
struct DuplicateName {
    std::string name;
    std::vector<SourceLocation> places; ///< every definition, in load order
    ResourceKind kind = ResourceKind::webhook; ///< names are unique per kind

    bool operator==(const DuplicateName&) const = default;
};

/// What the manifests ask for, as the planner takes it.
struct DesiredState {
    std::vector<WebhookManifest> webhooks;   ///< valid, uniquely named documents, in load order
    std::vector<DuplicateName> duplicates;   ///< names refused this load, in the order their second definition was read
    std::size_t errors = 0;                  ///< errors of the load; any blocks prune
    std::vector<TriggerManifest> triggers;   ///< valid, uniquely named `kind: Trigger` documents

    bool operator==(const DesiredState&) const = default;
};

struct ManifestOptions {
    bool allow_insecure_endpoints = false; ///< config `allowInsecureEndpoints`

    bool operator==(const ManifestOptions&) const = default;
};

struct ManifestSet {
    /// Valid documents only, in load order; a name defined more than once
    /// is in `duplicates` instead, with none of its documents here.
    std::vector<WebhookManifest> webhooks;
    std::vector<TriggerManifest> triggers; ///< valid `kind: Trigger` documents, in load order
    std::vector<DuplicateName> duplicates;
    Diagnostics diagnostics;
    std::size_t files = 0; ///< manifest files read
    /// Every webhook document's well-formed name with its place, valid or
    /// not, so that a duplicate is reported even when one of the two has
    /// other errors.
    std::vector<std::pair<std::string, SourceLocation>> declared_names;
    /// The same for `kind: Trigger` documents: names are unique per kind.
    std::vector<std::pair<std::string, SourceLocation>> declared_trigger_names;

    /// True when every file and document loaded and validated.
    bool ok() const noexcept { return !diagnostics.has_errors(); }
};

class Executor;
class ManifestCache;
struct ManifestFile;

/// Loads and validates the manifest directory `dir`. Paths in diagnostics are
/// `dir` joined with the file's path below it, as the user named `dir`.
/// Files are parsed one after the other on the calling thread.
ManifestSet load_manifests(const std::filesystem::path& dir, const ManifestOptions& options = {});

/// The same, parsing the files on `executor`; with `cache`, a file that did
/// not change since the cache's last load is not parsed again. The result is
/// that of the serial, uncached load above. One load at a time per cache.
ManifestSet load_manifests(const std::filesystem::path& dir, const ManifestOptions& options,
                           Executor& executor, ManifestCache* cache = nullptr);

/// Reads and loads one discovered file on its own (`files` is 1): what
/// load_manifests merges, file by file.
ManifestSet load_manifest_file(const ManifestFile& file, const ManifestOptions& options);

/// Loads and validates one manifest file's text (used by load_manifests and
/// by tests). `display_path` is the name used in diagnostics.
void load_manifest_text(const std::string& text, const std::string& display_path,
                        const ManifestOptions& options, ManifestSet& into);

/// Reports every name defined more than once among the documents of one
/// kind in `set` (SPEC §2: a duplicate names both places; a webhook and a
/// trigger may share a name), records it in `set.duplicates` (webhooks'
/// first, then triggers') and takes every document of that name and kind
/// out of `set.webhooks` or `set.triggers`. load_manifests calls it after
/// the last file.
void check_duplicate_names(ManifestSet& set);

/// The planner's input from a load: the webhooks, the duplicates and the
/// error count, without the diagnostics.
DesiredState desired_state(ManifestSet set);

/// Every field path a manifest may hold, e.g. `spec.retryPolicy.maxRetries`.
/// The JSON Schema in manifests/schema must name each of them.
std::vector<std::string> accepted_manifest_fields();

} // namespace hookwarden
