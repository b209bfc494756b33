// The plan: what one reconcile cycle would do, decided from the desired
// state (manifests), what is known about their secrets (fingerprints only),
// the tenant's webhooks as observed, and what hookwarden owns (state.json).
//
// make_plan is a pure function — no network, no clock, no file — so that the
// decision can be printed (`plan`), tested table by table, and handed to the
// executor (core/engine.hpp) unchanged. It implements the rules of SPEC §4a:
// identity by `metadata.name`; only owned webhooks are updated or deleted;
// an unowned same-name webhook is adopted (adopt on) or a conflict; two
// tenant webhooks with one desired name are a conflict; an owned webhook
// deleted in the tenant is re-created; a name defined twice is an error of
// that name and nothing of it is written; prune deletes only owned webhooks
// that left the manifests, only when asked, never when a manifest failed and
// never more than the budget. Comparison is semantic: event types as sets,
// endpoint URLs normalised, retry intervals as durations, server-owned fields
// ignored, the secret by fingerprint and never against a value the tenant
// did not return. A plan never holds a secret value. It also shows secret
// rotations (core/secret_rotation.hpp): the ones in progress, from
// state.json, and how long the previous secret stays valid after an item
// that sends a new one.
#pragma once

#include "core/error.hpp"
#include "core/field_change.hpp"
#include "core/manifest.hpp"
#include "core/resource.hpp"
#include "core/resource_rules.hpp"
#include "core/secret_rotation.hpp"
#include "core/secret_store.hpp"
#include "core/state_store.hpp"
#include "core/webhook.hpp"

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hookwarden {

enum class PlanAction {
    create,    ///< `+ create`: no webhook of that name (or ours was deleted in the tenant)
    update,    ///< `~ update`: owned, and fields (or the secret) differ
    adopt,     ///< `~ adopt`: take over an existing webhook of that name, updating it if it differs
    remove,    ///< `- delete`: owned, left the manifests, prune on and within budget
    replace,   ///< `-/+ replace`: owned, and a field that cannot change in place differs:
               ///< delete, then create (counts against the delete budget)
    unchanged, ///< owned and equal: nothing to do
    retain,    ///< owned, left the manifests, kept (prune off or prune blocked)
    conflict,  ///< refused: an unowned same-name webhook with adopt off, or several with one name
    error, ///< this webhook cannot be planned (its secret source failed, a refused endpoint, ...)
};

/// Why an item is what it is.
enum class ChangeCause {
    none,
    new_manifest,      ///< a manifest names a webhook the tenant does not have
    manifest_changed,  ///< the manifest changed since the last apply
    drift,             ///< the tenant changed since the last apply (UI, another tool)
    deleted_in_tenant, ///< an owned webhook was deleted outside hookwarden: re-create it
    adoption,          ///< an unowned webhook with the desired name
    lost_create,       ///< a create whose answer was lost: the webhook it made is ours
    secret_changed,    ///< only the secret differs: its source now holds another value
    secret_rotation,   ///< only the secret differs: `--rotate-secret` asked for a new one
    left_manifests,    ///< owned, but no manifest names it any more
    immutable_changed, ///< a field fixed after creation differs (a trigger's topicName)
};

/// What the executor does about the secret of one item.
enum class SecretAction {
    none,         ///< send no secret: the tenant keeps the one it has
    send_current, ///< send the source's current value (or the kept generated one)
    generate_new, ///< generate a new secret, keep it, send it
};

struct PlanItem {
    std::string name;
    ResourceKind kind = ResourceKind::webhook;
    PlanAction action = PlanAction::unchanged;
    ChangeCause cause = ChangeCause::none;
    std::string id;           ///< the tenant's id, when one exists
    std::int64_t version = 0; ///< the version read (update and adopt send it back)
    std::vector<FieldChange> changes;
    SecretAction secret = SecretAction::none;
    std::optional<ManifestEntry> desired; ///< for create, update, adopt, replace, unchanged
    std::string desired_digest;           ///< applied_digest(*desired)
    std::string reason;                     ///< a sentence for conflict, error, retain and notes
    std::vector<std::string> warnings;      ///< e.g. an endpoint that did not answer a probe
    std::optional<Error> error;             ///< for action error
    std::vector<std::string> conflicting_ids;
    /// Set when applying the item replaces a secret hookwarden knows it
    /// sent (a rotation, a changed source): how long the replaced one
    /// stays valid at the receiver afterwards (rotation_grace).
    std::optional<std::chrono::seconds> rotation_grace;

    /// True when executing the item writes to the tenant.
    bool writes() const;
    ResourceKey key() const { return {kind, name}; }
};

struct PruneDecision {
    bool enabled = false;                ///< `prune: true` or `apply --prune`
    std::vector<std::string> candidates; ///< owned resources that left the manifests, by name
    bool blocked = false;                ///< candidates exist but none is deleted this cycle
    /// Why, when blocked: the fact with its figures, then after ": " why
    /// that stops prune or what to do (STATUS= shows the fact only).
    std::string reason;
};

struct PlanCounts {
    std::size_t create = 0, update = 0, adopt = 0, remove = 0, replace = 0, unchanged = 0,
                retain = 0, conflict = 0, error = 0;
};

struct Plan {
    /// Desired resources in manifest order (webhooks, then triggers), then
    /// names defined more than once (in the order the load found them), then
    /// owned resources that left the manifests, by kind and name. No kind
    /// and name appears twice.
    std::vector<PlanItem> items;
    PruneDecision prune;
    std::size_t manifest_errors = 0; ///< errors while loading the manifests
    /// Owned names that are neither desired nor in the tenant any more: the
    /// executor drops them from state.json; no tenant call.
    std::vector<ResourceKey> forget;
    /// The tenant's health of every listed webhook, by id: the listing
    /// carries it, so snapshots (health.json) need no extra read for it.
    std::map<std::string, WebhookHealth> health_by_id;
    /// Owned webhooks whose previous secret is still accepted (state.json),
    /// by name: not a change, only shown.
    std::vector<RotationInProgress> rotations;

    PlanCounts counts() const;
    /// True when apply would change the tenant or take ownership.
    bool has_changes() const;
    /// True when an item is a conflict or an error, or a manifest failed.
    bool has_errors() const;
};

struct PlanOptions {
    bool prune = false;
    bool adopt = true;
    int max_deletes_per_cycle = 10;
    std::set<std::string> rotate_secrets; ///< `apply --rotate-secret NAME`
    /// `receiver.tolerance`: the least grace of a rotation (rotation_grace).
    std::chrono::seconds rotation_tolerance = default_rotation_tolerance;
};

struct PlanInput {
    std::vector<ManifestEntry> desired;          ///< valid manifests, in load order
    /// Names the manifests define more than once: each is an error item and
    /// nothing of that name is written. A name repeated in `desired` is
    /// treated the same way, so a plan never holds two writes for one name.
    std::vector<DuplicateName> duplicates;
    std::size_t manifest_errors = 0;             ///< > 0 blocks prune
    std::map<std::string, SecretStatus> secrets; ///< by webhook name; see SecretStore::inspect
    /// Every tenant resource of each kind that was listed (a kind neither
    /// desired nor owned is not listed, and has nothing to plan).
    std::vector<TenantResource> observed;
    /// The topics triggers may use (SPEC §8), when triggers are desired: a
    /// trigger whose topic is not among them is an error of that trigger.
    std::optional<std::set<std::string>> topics;
    /// Why the topics could not be listed: every desired trigger is an
    /// error with it (webhooks are planned as usual).
    std::optional<Error> topics_error;
    State state;
    PlanOptions options;
    /// The time rotations in progress are judged at; without it every
    /// rotation state.json records is listed.
    std::optional<std::chrono::system_clock::time_point> now;
};

/// Decides. Pure.
Plan make_plan(const PlanInput& input);

/// Plans one desired resource against one existing tenant resource of its
/// kind: the update/adopt/replace/unchanged/error decision of make_plan,
/// exposed so that the executor can re-plan an item after a 409 from a fresh
/// read. `secret` is the webhook's secret status (null for a kind without
/// secrets); `owned` is the state entry when the resource is owned;
/// `adopting` is true when it is being taken over now.
PlanItem plan_existing(const ManifestEntry& desired, const SecretStatus* secret,
                       const TenantResource& observed, const OwnedResource* owned, bool adopting,
                       bool rotate_secret);

const char*
to_string(PlanAction action) noexcept; ///< JSON names: create, update, adopt, delete, replace, ...
const char* to_string(ChangeCause cause) noexcept; ///< JSON names: new, manifest, drift, ...

} // namespace hookwarden
