#include "core/plan.hpp"


#include <algorithm>
#include <boost/json.hpp>

namespace hookwarden {

namespace json = boost::json;

// ---------------------------------------------------------------------------
// Names

const char* to_string(PlanAction action) noexcept {
    switch (action) {
    case PlanAction::create:
        return "create";
    case PlanAction::update:
        return "update";
    case PlanAction::adopt:
        return "adopt";
    case PlanAction::remove:
        return "delete";
    case PlanAction::replace:
        return "replace";
    case PlanAction::unchanged:
        return "unchanged";
    case PlanAction::retain:
        return "retain";
    case PlanAction::conflict:
        return "conflict";
    case PlanAction::error:
        return "error";
    }
    return "error";
}

const char* to_string(ChangeCause cause) noexcept {
    switch (cause) {
    case ChangeCause::none:
        return "none";
    case ChangeCause::new_manifest:
        return "new";
    case ChangeCause::manifest_changed:
        return "manifest";
    case ChangeCause::drift:
        return "drift";
    case ChangeCause::deleted_in_tenant:
        return "deleted-in-tenant";
    case ChangeCause::adoption:
        return "adoption";
    case ChangeCause::lost_create:
        return "lost-create";
    case ChangeCause::secret_changed:
        return "secret";
    case ChangeCause::secret_rotation:
        return "rotation";
    case ChangeCause::left_manifests:
        return "left-manifests";
    case ChangeCause::immutable_changed:
        return "immutable";
    }
    return "none";
}

// ---------------------------------------------------------------------------
// Items

bool PlanItem::writes() const {
    switch (action) {
    case PlanAction::create:
    case PlanAction::update:
    case PlanAction::remove:
    case PlanAction::replace:
        return true;
    case PlanAction::adopt:
        return !changes.empty() || secret != SecretAction::none;
    default:
        return false;
    }
}

namespace {

// "webhook" / "trigger", for sentences.
std::string noun(ResourceKind kind) { return to_string(kind); }

std::string nouns(ResourceKind kind) { return noun(kind) + "s"; }

PlanItem error_item(const ResourceKey& key, Error error) {
    PlanItem item;
    item.name = key.name;
    item.kind = key.kind;
    item.action = PlanAction::error;
    item.reason = error.message;
    error.context.webhook = key.name;
    item.error = std::move(error);
    return item;
}

ResourceKey key_of(const ManifestEntry& desired) { return {kind_of(desired), name_of(desired)}; }

// Why `desired` cannot be planned because of its secret, if it cannot: a
// rotation asked of a secret hookwarden does not generate, or a source that
// cannot be read.
std::optional<Error> secret_refused(const ManifestEntry& desired, const SecretStatus* secret,
                                    bool rotate_secret) {
    const WebhookManifest* webhook = webhook_manifest(desired);
    if (!webhook)
        return std::nullopt; // no secret to refuse
    if (rotate_secret && webhook->secret_ref.kind != SecretSource::Kind::generate)
        return make_error(ErrorKind::invalid_input,
                          "--rotate-secret makes a new generated secret, but this webhook's "
                          "secret comes from " +
                              webhook->secret_ref.describe() +
                              ": change the value there and apply",
                          ErrorContext{.webhook = webhook->name});
    if (!secret || secret->state == SecretStatus::State::unavailable)
        return (secret ? secret->error : std::nullopt)
            .value_or(make_error(ErrorKind::not_found,
                                 webhook->secret_ref.describe() + " cannot be read"));
    return std::nullopt;
}

struct SecretDecision {
    SecretAction action = SecretAction::none;
    bool changed = false;
    std::string note;
};

// The secret rules of SPEC §4a for a webhook that exists in the tenant.
SecretDecision decide_secret(const WebhookManifest& desired, const SecretStatus& secret,
                             const Webhook& observed, const OwnedResource* owned, bool adopting,
                             bool rotate) {
    if (rotate)
        return {SecretAction::generate_new, true, {}};
    const bool generate = desired.secret_ref.kind == SecretSource::Kind::generate;

    // Adopted with the default source: the tenant's secret is the one its
    // receivers already verify with, so it is kept (and never diffed: we
    // do not know it, and an echoed value is the tenant's own).
    const bool tenant_secret = adopting || (owned && !owned->secret_fingerprint);
    if (generate && tenant_secret)
        return {};

    const bool known = secret.state == SecretStatus::State::available;
    if (generate && !known)
        return {SecretAction::generate_new, true,
                "the generated secret kept for this webhook is missing; a new one will be made"};

    // A secret the tenant echoes is compared directly; a masked or absent one
    // is never compared: what we last sent stands for it.
    if (observed.secret && !is_masked_secret(*observed.secret)) {
        if (secret_fingerprint(*observed.secret) != secret.fingerprint)
            return {SecretAction::send_current, true, {}};
        return {};
    }
    const std::optional<std::string> sent =
        (owned && !adopting) ? owned->secret_fingerprint : std::nullopt;
    if (sent != secret.fingerprint)
        return {SecretAction::send_current, true, {}};
    return {};
}

} // namespace

PlanItem plan_existing(const ManifestEntry& desired, const SecretStatus* secret,
                       const TenantResource& observed, const OwnedResource* owned, bool adopting,
                       bool rotate_secret) {
    const ResourceKey key = key_of(desired);
    if (auto refused = secret_refused(desired, secret, rotate_secret))
        return error_item(key, *refused);

    PlanItem item;
    item.name = key.name;
    item.kind = key.kind;
    item.id = id_of(observed);
    item.version = version_of(observed);
    item.desired = desired;
    item.desired_digest = applied_digest(desired);
    item.changes = diff_fields(desired, observed);

    const WebhookManifest* webhook = webhook_manifest(desired);
    if (webhook) {
        const SecretDecision secret_decision = decide_secret(
            *webhook, *secret, std::get<Webhook>(observed), owned, adopting, rotate_secret);
        item.secret = secret_decision.action;
        if (secret_decision.changed)
            item.changes.push_back(secret_field_change());
        item.reason = secret_decision.note;
    }

    if (auto replace = replace_reason(desired, observed)) {
        // Never for an adoption: what is not ours is not deleted.
        if (adopting) {
            item.action = PlanAction::conflict;
            item.reason = "a " + noun(key.kind) + " named " + key.name +
                          " exists in the tenant (id " + item.id +
                          ") but cannot be adopted as the manifest says: " + *replace +
                          "; hookwarden does not delete what it does not own";
            item.conflicting_ids = {item.id};
            item.error = make_error(ErrorKind::conflict, item.reason,
                                    ErrorContext{.webhook = key.name});
            return item;
        }
        item.action = PlanAction::replace;
        item.cause = ChangeCause::immutable_changed;
        item.reason = *replace;
        return item;
    }
    if (adopting) {
        item.action = PlanAction::adopt;
        item.cause = ChangeCause::adoption;
        return item;
    }
    const bool fields_differ = std::any_of(item.changes.begin(), item.changes.end(),
                                           [](const FieldChange& c) { return !c.sensitive; });
    if (item.changes.empty()) {
        item.action = PlanAction::unchanged;
        return item;
    }
    item.action = PlanAction::update;
    if (!fields_differ)
        item.cause = rotate_secret ? ChangeCause::secret_rotation : ChangeCause::secret_changed;
    else if (owned && !owned->applied_digest.empty() &&
             owned->applied_digest == item.desired_digest)
        item.cause = ChangeCause::drift;
    else
        item.cause = ChangeCause::manifest_changed;
    return item;
}

namespace {

std::vector<std::string> ids_of(const std::vector<const TenantResource*>& found) {
    std::vector<std::string> ids;
    ids.reserve(found.size());
    for (const auto* r : found)
        ids.push_back(id_of(*r));
    return ids;
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : ", ") + p;
    return out;
}

PlanItem conflict_item(const ResourceKey& key, std::vector<std::string> ids, std::string reason) {
    PlanItem item;
    item.name = key.name;
    item.kind = key.kind;
    item.action = PlanAction::conflict;
    item.conflicting_ids = std::move(ids);
    item.reason = std::move(reason);
    item.error = make_error(ErrorKind::conflict, item.reason, ErrorContext{.webhook = key.name});
    return item;
}

PlanItem plan_create(const ManifestEntry& desired, const SecretStatus* secret, bool recreate,
                     bool rotate_secret) {
    const ResourceKey key = key_of(desired);
    if (auto refused = secret_refused(desired, secret, rotate_secret))
        return error_item(key, *refused);
    PlanItem item;
    item.name = key.name;
    item.kind = key.kind;
    item.action = PlanAction::create;
    item.cause = recreate ? ChangeCause::deleted_in_tenant : ChangeCause::new_manifest;
    item.desired = desired;
    item.desired_digest = applied_digest(desired);
    item.changes = creation_fields(desired);
    if (has_secret(key.kind)) // creation_fields has its `secret` line
        item.secret = (secret->state == SecretStatus::State::available && !rotate_secret)
                          ? SecretAction::send_current
                          : SecretAction::generate_new;
    if (recreate)
        item.reason = "it was deleted outside hookwarden; it will be re-created with a new id";
    return item;
}

// The tenant's resources, found by kind and id and by kind and name.
class TenantIndex {
  public:
    explicit TenantIndex(const std::vector<TenantResource>& observed) {
        for (const auto& r : observed) {
            by_id_.emplace(std::pair(kind_of(r), id_of(r)), &r);
            by_name_[ResourceKey{kind_of(r), name_of(r)}].push_back(&r);
        }
    }
    const TenantResource* with_id(ResourceKind kind, const std::string& id) const {
        auto it = by_id_.find(std::pair(kind, id));
        return it == by_id_.end() ? nullptr : it->second;
    }
    std::vector<const TenantResource*> named(const ResourceKey& key) const {
        auto it = by_name_.find(key);
        return it == by_name_.end() ? std::vector<const TenantResource*>{} : it->second;
    }

  private:
    std::map<std::pair<ResourceKind, std::string>, const TenantResource*> by_id_;
    std::map<ResourceKey, std::vector<const TenantResource*>> by_name_;
};

// Every name the desired state defines more than once, with its places:
// the loader's duplicates, and (should a caller pass them) names repeated
// in `desired` itself. No write may touch them.
std::vector<DuplicateName> duplicate_names(const PlanInput& input) {
    std::vector<DuplicateName> out = input.duplicates;
    std::map<ResourceKey, std::size_t> index;
    for (std::size_t i = 0; i < out.size(); ++i)
        index.emplace(ResourceKey{out[i].kind, out[i].name}, i);
    std::map<ResourceKey, const ManifestEntry*> first;
    for (const auto& desired : input.desired) {
        const ResourceKey key = key_of(desired);
        auto [seen, inserted] = first.emplace(key, &desired);
        if (inserted)
            continue;
        auto [it, fresh] = index.emplace(key, out.size());
        if (fresh)
            out.push_back(DuplicateName{key.name, {location_of(*seen->second)}, key.kind});
        out[it->second].places.push_back(location_of(desired));
    }
    return out;
}

PlanItem duplicate_item(const DuplicateName& duplicate, const OwnedResource* owned) {
    std::string places;
    for (const auto& place : duplicate.places)
        places += (places.empty() ? "" : ", ") + place.format();
    PlanItem item;
    item.name = duplicate.name;
    item.kind = duplicate.kind;
    item.action = PlanAction::error;
    item.id = owned ? owned->id : std::string();
    item.reason = noun(duplicate.kind) + " name " + duplicate.name + " is defined " +
                  std::to_string(duplicate.places.size()) + " times (" + places +
                  "); nothing of that name is written until only one definition remains";
    if (owned)
        item.reason += "; the owned " + noun(duplicate.kind) + " is left as it is";
    item.error = make_error(ErrorKind::invalid_input, item.reason,
                            ErrorContext{.webhook = duplicate.name});
    return item;
}

// Sets the item's rotation grace when applying it replaces a secret the
// receivers know: one hookwarden sent (a fingerprint in state.json) with
// a new generated one, or with a source's value that differs from it.
void mark_rotation(PlanItem& item, const OwnedResource* owned, const SecretStatus* secret,
                   const PlanOptions& options) {
    const WebhookManifest* webhook = item.desired ? webhook_manifest(*item.desired) : nullptr;
    if (!webhook || !secret || !owned || !owned->secret_fingerprint || !item.writes())
        return;
    const bool replaces = item.secret == SecretAction::generate_new ||
                          (item.secret == SecretAction::send_current &&
                           secret->state == SecretStatus::State::available &&
                           secret->fingerprint != *owned->secret_fingerprint);
    const bool ours = item.action == PlanAction::update ||
                      (item.action == PlanAction::adopt && item.cause == ChangeCause::lost_create);
    if (replaces && ours)
        item.rotation_grace = rotation_grace(webhook->retry_policy, options.rotation_tolerance);
}

// Why a desired trigger's topic may not be used, if it may not (SPEC §8:
// checked against the tenant's topics at plan time, never sent unknown).
std::optional<Error> topic_refused(const ManifestEntry& desired, const PlanInput& input) {
    const auto* trigger = std::get_if<TriggerManifest>(&desired);
    if (!trigger)
        return std::nullopt;
    if (input.topics_error) {
        Error error = *input.topics_error;
        error.message = "the trigger topics could not be listed, so topicName " +
                        trigger->topic_name + " cannot be checked: " + error.message;
        return error;
    }
    if (input.topics && !input.topics->contains(trigger->topic_name))
        return make_error(ErrorKind::invalid_input,
                          "topicName " + trigger->topic_name +
                              " is not a topic of this tenant (GET "
                              "processautomation/triggers/topics does not list it); check "
                              "the name, or the organisation's features",
                          ErrorContext{.file = trigger->location.file,
                                       .line = trigger->location.line,
                                       .webhook = trigger->name});
    return std::nullopt;
}

// The decision for one desired resource: create, update, adopt, replace,
// unchanged, or a conflict or error of that name.
PlanItem plan_desired(const ManifestEntry& desired, const PlanInput& input,
                      const TenantIndex& tenant) {
    static const SecretStatus unknown_secret{
        SecretStatus::State::unavailable, {},
        make_error(ErrorKind::internal, "secret was not inspected")};
    const ResourceKey key = key_of(desired);
    const SecretStatus* secret = nullptr;
    if (has_secret(key.kind)) {
        const auto secret_it = input.secrets.find(key.name);
        secret = secret_it != input.secrets.end() ? &secret_it->second : &unknown_secret;
    }
    const bool rotate =
        key.kind == ResourceKind::webhook && input.options.rotate_secrets.contains(key.name);
    const auto& owned_of_kind = input.state.owned_of(key.kind);
    const auto owned_it = owned_of_kind.find(key.name);
    const OwnedResource* owned = owned_it != owned_of_kind.end() ? &owned_it->second : nullptr;

    if (auto refused = topic_refused(desired, input))
        return error_item(key, *refused);

    // Every tenant resource of the kind carrying the name, plus ours when it
    // was renamed in the tenant: more than one is a conflict in any case.
    std::vector<const TenantResource*> candidates = tenant.named(key);
    const TenantResource* ours =
        (owned && !owned->id.empty()) ? tenant.with_id(key.kind, owned->id) : nullptr;
    if (ours && name_of(*ours) != key.name)
        candidates.push_back(ours);
    if (candidates.size() > 1) {
        auto ids = ids_of(candidates);
        return conflict_item(key, ids,
                             "the tenant holds " + std::to_string(candidates.size()) + " " +
                                 nouns(key.kind) + " named " + key.name + " (ids " + join(ids) +
                                 "); delete or rename all but one, hookwarden will not choose");
    }
    if (ours) {
        PlanItem item = plan_existing(desired, secret, *ours, owned, false, rotate);
        mark_rotation(item, owned, secret, input.options);
        return item;
    }
    if (candidates.empty()) {
        // Owned with a known id that is gone: deleted outside hookwarden.
        const bool recreate = owned && !owned->id.empty();
        return plan_create(desired, secret, recreate, rotate);
    }

    const TenantResource& existing = *candidates.front();
    // An earlier create of this name whose answer was lost made `existing`
    // only if it holds what that create sent; otherwise someone else made
    // it meanwhile, and it is theirs: `adopt` decides, as for any other.
    const bool lost_create = owned && owned->id.empty();
    if (lost_create && observed_digest(existing) == owned->applied_digest) {
        // Our own earlier create, whose answer was lost: ours whatever
        // `adopt` says, with the secret we sent then.
        PlanItem item = plan_existing(desired, secret, existing, owned, false, rotate);
        if (item.action == PlanAction::unchanged || item.action == PlanAction::update) {
            item.action = PlanAction::adopt;
            item.cause = ChangeCause::lost_create;
            item.reason = "an earlier create's answer was lost; this is the " + noun(key.kind) +
                          " it made";
        }
        mark_rotation(item, owned, secret, input.options);
        return item;
    }
    if (!input.options.adopt)
        return conflict_item(key, {id_of(existing)},
                             "a " + noun(key.kind) + " named " + key.name +
                                 " already exists in the tenant (id " + id_of(existing) +
                                 ") and hookwarden does not own it" +
                                 (lost_create ? " (an earlier create of that name lost its answer, "
                                                "but this is not what it sent)"
                                              : "") +
                                 "; set adopt: true to take it over, or rename or delete it");
    return plan_existing(desired, secret, existing, owned, true, rotate);
}

// Owned resources no manifest names any more: each one still in the tenant
// is a prune candidate (returned, without an action yet); each one gone is
// forgotten; a lost create whose name the tenant now holds twice is a
// conflict. Kinds that were not listed (see PlanInput::observed) have
// nothing owned.
std::vector<PlanItem> plan_leaving(const PlanInput& input, const std::set<ResourceKey>& desired,
                                   const TenantIndex& tenant, Plan& plan) {
    std::vector<PlanItem> leaving;
    for (const ResourceKind kind : all_resource_kinds) {
        for (const auto& [name, owned] : input.state.owned_of(kind)) {
            const ResourceKey key{kind, name};
            if (desired.contains(key))
                continue;
            const TenantResource* found = nullptr;
            if (!owned.id.empty()) {
                found = tenant.with_id(kind, owned.id);
            } else {
                const auto same = tenant.named(key);
                if (same.size() > 1) {
                    auto ids = ids_of(same);
                    plan.items.push_back(conflict_item(
                        key, ids,
                        "a create of " + name + " lost its answer and the tenant now holds " +
                            std::to_string(same.size()) + " " + nouns(kind) +
                            " of that name (ids " + join(ids) +
                            "); hookwarden cannot tell which is its own"));
                    continue;
                }
                // Ours only if it holds what the create sent: one someone
                // else made meanwhile is never pruned.
                if (same.size() == 1 && observed_digest(*same.front()) == owned.applied_digest)
                    found = same.front();
            }
            if (!found) {
                plan.forget.push_back(key);
                continue;
            }
            PlanItem item;
            item.name = name;
            item.kind = kind;
            item.id = id_of(*found);
            item.cause = ChangeCause::left_manifests;
            leaving.push_back(std::move(item));
        }
    }
    return leaving;
}

// "webhooks", "triggers" or "resources": what `items` are.
std::string kinds_noun(const std::vector<PlanItem>& items, std::size_t n) {
    const bool mixed = std::any_of(items.begin(), items.end(), [&](const PlanItem& item) {
        return item.kind != items.front().kind;
    });
    const std::string one = mixed ? "resource" : noun(items.front().kind);
    return n == 1 ? one : one + "s";
}

std::string plural_of(std::size_t n, const std::string& one) {
    return std::to_string(n) + " " + one + (n == 1 ? "" : "s");
}

// Whether the prune candidates are deleted or retained, and whether the
// replaces run, and why (SPEC §4a, §8: deletes only when prune is on (a
// replace needs none), never after a manifest error, never more than the
// budget: a replace is a delete too).
void decide_deletes(std::vector<PlanItem> leaving, const PlanInput& input, Plan& plan) {
    const PlanOptions& options = input.options;
    PruneDecision& prune = plan.prune;
    prune.enabled = options.prune;
    for (const auto& item : leaving)
        prune.candidates.push_back(item.name);
    std::vector<PlanItem*> replaces;
    for (auto& item : plan.items)
        if (item.action == PlanAction::replace)
            replaces.push_back(&item);
    const std::size_t deletes = (prune.enabled ? leaving.size() : 0) + replaces.size();

    const std::size_t pruned = prune.enabled ? leaving.size() : 0;
    std::string blocked; // why no delete runs this cycle, when none does
    if (deletes > 0 && input.manifest_errors > 0) {
        const char* what = replaces.empty() ? "prune" : pruned ? "prune and replace" : "replace";
        blocked = std::string(what) + " is skipped this cycle because " +
                  plural_of(input.manifest_errors, "manifest error") +
                  (input.manifest_errors == 1 ? " was" : " were") +
                  " found: a broken manifest must not look like a deleted one";
    } else if (deletes > static_cast<std::size_t>(std::max(0, options.max_deletes_per_cycle))) {
        std::string what;
        if (pruned)
            what = std::to_string(pruned) + " owned " + kinds_noun(leaving, pruned) +
                   " left the manifests";
        if (!replaces.empty())
            what += (what.empty() ? "" : " and ") + std::to_string(replaces.size()) + " " +
                    (replaces.size() == 1 ? "needs" : "need") + " a replace (a delete each)";
        blocked = what + ", more than maxDeletesPerCycle (" +
                  std::to_string(options.max_deletes_per_cycle) +
                  "): none is deleted; raise maxDeletesPerCycle for one apply, or delete "
                  "them by hand";
    }
    if (!blocked.empty() && prune.enabled && !leaving.empty()) {
        prune.blocked = true;
        prune.reason = blocked;
    }
    for (PlanItem* item : replaces) {
        if (blocked.empty())
            continue;
        item->action = PlanAction::error;
        item->reason += "; not replaced: " + blocked;
        item->error = make_error(ErrorKind::invalid_input, item->reason,
                                 ErrorContext{.webhook = item->name});
    }
    const std::string retain_reason =
        !prune.enabled ? "it left the manifests; it is kept because prune is off"
                       : "it left the manifests; not deleted: " + blocked;
    for (auto& item : leaving) {
        if (prune.enabled && blocked.empty()) {
            item.action = PlanAction::remove;
        } else {
            item.action = PlanAction::retain;
            item.reason = retain_reason;
        }
        plan.items.push_back(std::move(item));
    }
}

} // namespace

Plan make_plan(const PlanInput& input) {
    Plan plan;
    plan.manifest_errors = input.manifest_errors;
    const TenantIndex tenant(input.observed);
    for (const auto& resource : input.observed)
        if (const auto* webhook = std::get_if<Webhook>(&resource))
            plan.health_by_id.emplace(webhook->id, webhook->health);

    const std::vector<DuplicateName> duplicates = duplicate_names(input);
    std::set<ResourceKey> desired_keys;
    for (const auto& duplicate : duplicates)
        desired_keys.insert(ResourceKey{duplicate.kind, duplicate.name});
    for (const auto& desired : input.desired) {
        const ResourceKey key = key_of(desired);
        if (desired_keys.contains(key))
            continue; // a duplicate: its one error item follows
        desired_keys.insert(key);
        plan.items.push_back(plan_desired(desired, input, tenant));
    }
    for (const auto& duplicate : duplicates) {
        const auto& owned_of_kind = input.state.owned_of(duplicate.kind);
        const auto owned = owned_of_kind.find(duplicate.name);
        plan.items.push_back(
            duplicate_item(duplicate, owned != owned_of_kind.end() ? &owned->second : nullptr));
    }
    decide_deletes(plan_leaving(input, desired_keys, tenant, plan), input, plan);
    if (input.now) {
        plan.rotations = rotations_in_progress(input.state, *input.now);
    } else {
        for (const auto& [name, owned] : input.state.owned)
            if (owned.rotation)
                plan.rotations.push_back({name, owned.rotation->until});
    }
    return plan;
}

// ---------------------------------------------------------------------------
// Plan summaries

PlanCounts Plan::counts() const {
    PlanCounts c;
    for (const auto& item : items) {
        switch (item.action) {
        case PlanAction::create:
            ++c.create;
            break;
        case PlanAction::update:
            ++c.update;
            break;
        case PlanAction::adopt:
            ++c.adopt;
            break;
        case PlanAction::remove:
            ++c.remove;
            break;
        case PlanAction::replace:
            ++c.replace;
            break;
        case PlanAction::unchanged:
            ++c.unchanged;
            break;
        case PlanAction::retain:
            ++c.retain;
            break;
        case PlanAction::conflict:
            ++c.conflict;
            break;
        case PlanAction::error:
            ++c.error;
            break;
        }
    }
    return c;
}

bool Plan::has_changes() const {
    const PlanCounts c = counts();
    return c.create + c.update + c.adopt + c.remove + c.replace > 0;
}

bool Plan::has_errors() const {
    const PlanCounts c = counts();
    return c.conflict + c.error > 0 || manifest_errors > 0;
}

} // namespace hookwarden
