#include "core/plan.hpp"

#include "core/iso8601_duration.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

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
    }
    return "none";
}

// ---------------------------------------------------------------------------
// Semantic comparison

std::string normalize_endpoint_url(std::string_view text) {
    auto parsed = boost::urls::parse_uri(text);
    if (!parsed)
        return std::string(text);
    boost::urls::url url(*parsed);
    url.normalize();
    if (url.has_port()) {
        const auto scheme = url.scheme_id();
        const bool default_port =
            url.port().empty() ||
            (scheme == boost::urls::scheme::https && url.port_number() == 443) ||
            (scheme == boost::urls::scheme::http && url.port_number() == 80);
        if (default_port)
            url.remove_port();
    }
    if (!url.has_authority() || !url.encoded_path().empty())
        return std::string(url.buffer());
    // "https://host" and "https://host/" are the same resource (RFC 3986
    // 6.2.3). Built by hand: this Boost.URL writes "/./" for set_path("/").
    std::string out =
        std::string(url.scheme()) + "://" + std::string(url.encoded_authority()) + "/";
    if (url.has_query())
        out += "?" + std::string(url.encoded_query());
    if (url.has_fragment())
        out += "#" + std::string(url.encoded_fragment());
    return out;
}

bool same_retry_interval(std::string_view a, std::string_view b) {
    if (a == b)
        return true;
    const auto da = parse_iso8601_duration(a);
    const auto db = parse_iso8601_duration(b);
    return da && db && *da == *db;
}

bool is_masked_secret(std::string_view echoed) {
    return std::all_of(echoed.begin(), echoed.end(), [](char c) { return c == '*'; });
}

namespace {

json::array to_json_array(const std::vector<std::string>& values) {
    json::array out;
    for (const auto& v : values)
        out.emplace_back(v);
    return out;
}

std::vector<std::string> sorted_unique(std::vector<std::string> values) {
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    return values;
}

FieldChange change(std::string field, std::optional<json::value> old_value,
                   std::optional<json::value> new_value) {
    return FieldChange{std::move(field), std::move(old_value), std::move(new_value), false};
}

FieldChange secret_change() {
    return FieldChange{"secret", std::nullopt, std::nullopt, true};
}

} // namespace

std::vector<FieldChange> diff_fields(const WebhookManifest& desired, const Webhook& observed) {
    std::vector<FieldChange> out;
    if (desired.name != observed.name)
        out.push_back(change("name", json::value(observed.name), json::value(desired.name)));
    if (sorted_unique(desired.event_types) != sorted_unique(observed.event_types))
        out.push_back(change("eventTypes", to_json_array(observed.event_types),
                             to_json_array(desired.event_types)));
    if (normalize_endpoint_url(desired.endpoint_url) !=
        normalize_endpoint_url(observed.endpoint_url))
        out.push_back(change("endpointUrl", json::value(observed.endpoint_url),
                             json::value(desired.endpoint_url)));
    if (desired.enabled != observed.enabled)
        out.push_back(
            change("enabled", json::value(observed.enabled), json::value(desired.enabled)));
    if (!same_retry_interval(desired.retry_policy.retry_interval,
                             observed.retry_policy.retry_interval))
        out.push_back(change("retryPolicy.retryInterval",
                             json::value(observed.retry_policy.retry_interval),
                             json::value(desired.retry_policy.retry_interval)));
    if (desired.retry_policy.max_retries != observed.retry_policy.max_retries)
        out.push_back(change("retryPolicy.maxRetries",
                             json::value(observed.retry_policy.max_retries),
                             json::value(desired.retry_policy.max_retries)));
    if (desired.payload_template != observed.payload_template)
        out.push_back(change("payloadTemplate", json::value(observed.payload_template),
                             json::value(desired.payload_template)));
    return out;
}

std::vector<FieldChange> creation_fields(const WebhookManifest& desired) {
    return {
        change("name", std::nullopt, json::value(desired.name)),
        change("eventTypes", std::nullopt, to_json_array(desired.event_types)),
        change("endpointUrl", std::nullopt, json::value(desired.endpoint_url)),
        change("enabled", std::nullopt, json::value(desired.enabled)),
        change("retryPolicy.retryInterval", std::nullopt,
               json::value(desired.retry_policy.retry_interval)),
        change("retryPolicy.maxRetries", std::nullopt,
               json::value(desired.retry_policy.max_retries)),
        change("payloadTemplate", std::nullopt, json::value(desired.payload_template)),
        secret_change(),
    };
}

std::string applied_digest(const WebhookManifest& desired) {
    // The canonical form is what the comparison treats as equal, so that a
    // cosmetic edit of a manifest (reordered event types, PT60S for PT1M) is
    // not mistaken for a changed manifest when telling drift apart.
    const auto seconds = parse_iso8601_duration(desired.retry_policy.retry_interval);
    json::object canonical{
        {"name", desired.name},
        {"eventTypes", to_json_array(sorted_unique(desired.event_types))},
        {"endpointUrl", normalize_endpoint_url(desired.endpoint_url)},
        {"enabled", desired.enabled},
        {"retryInterval", seconds ? json::value(seconds->count())
                                  : json::value(desired.retry_policy.retry_interval)},
        {"maxRetries", desired.retry_policy.max_retries},
        {"payloadTemplate", desired.payload_template},
    };
    return sha256_digest(json::serialize(canonical));
}

Webhook desired_body(const WebhookManifest& desired) {
    Webhook body;
    body.name = desired.name;
    body.event_types = desired.event_types;
    body.endpoint_url = desired.endpoint_url;
    body.retry_policy = desired.retry_policy;
    body.payload_template = desired.payload_template;
    body.enabled = desired.enabled;
    return body;
}

// ---------------------------------------------------------------------------
// Items

bool PlanItem::writes() const {
    switch (action) {
    case PlanAction::create:
    case PlanAction::update:
    case PlanAction::remove:
        return true;
    case PlanAction::adopt:
        return !changes.empty() || secret != SecretAction::none;
    default:
        return false;
    }
}

namespace {

PlanItem error_item(const WebhookManifest& desired, Error error) {
    PlanItem item;
    item.name = desired.name;
    item.action = PlanAction::error;
    item.reason = error.message;
    error.context.webhook = desired.name;
    item.error = std::move(error);
    return item;
}

// Why `desired` cannot be planned because of its secret, if it cannot: a
// rotation asked of a secret hookwarden does not generate, or a source that
// cannot be read.
std::optional<Error> secret_refused(const WebhookManifest& desired, const SecretStatus& secret,
                                    bool rotate_secret) {
    if (rotate_secret && desired.secret_ref.kind != SecretSource::Kind::generate)
        return make_error(ErrorKind::invalid_input,
                          "--rotate-secret makes a new generated secret, but this webhook's "
                          "secret comes from " +
                              desired.secret_ref.describe() + ": change the value there and apply",
                          ErrorContext{.webhook = desired.name});
    if (secret.state == SecretStatus::State::unavailable)
        return secret.error.value_or(
            make_error(ErrorKind::not_found, desired.secret_ref.describe() + " cannot be read"));
    return std::nullopt;
}

struct SecretDecision {
    SecretAction action = SecretAction::none;
    bool changed = false;
    std::string note;
};

// The secret rules of SPEC §4a for a webhook that exists in the tenant.
SecretDecision decide_secret(const WebhookManifest& desired, const SecretStatus& secret,
                             const Webhook& observed, const OwnedWebhook* owned, bool adopting,
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

PlanItem plan_existing(const WebhookManifest& desired, const SecretStatus& secret,
                       const Webhook& observed, const OwnedWebhook* owned, bool adopting,
                       bool rotate_secret) {
    if (auto refused = secret_refused(desired, secret, rotate_secret))
        return error_item(desired, *refused);

    PlanItem item;
    item.name = desired.name;
    item.id = observed.id;
    item.version = observed.version;
    item.desired = desired;
    item.desired_digest = applied_digest(desired);
    item.changes = diff_fields(desired, observed);

    const SecretDecision secret_decision =
        decide_secret(desired, secret, observed, owned, adopting, rotate_secret);
    item.secret = secret_decision.action;
    if (secret_decision.changed)
        item.changes.push_back(secret_change());
    item.reason = secret_decision.note;

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

std::vector<std::string> ids_of(const std::vector<const Webhook*>& webhooks) {
    std::vector<std::string> ids;
    for (const auto* w : webhooks)
        ids.push_back(w->id);
    return ids;
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : ", ") + p;
    return out;
}

PlanItem conflict_item(const std::string& name, std::vector<std::string> ids, std::string reason) {
    PlanItem item;
    item.name = name;
    item.action = PlanAction::conflict;
    item.conflicting_ids = std::move(ids);
    item.reason = std::move(reason);
    item.error = make_error(ErrorKind::conflict, item.reason, ErrorContext{.webhook = name});
    return item;
}

PlanItem plan_create(const WebhookManifest& desired, const SecretStatus& secret, bool recreate,
                     bool rotate_secret) {
    if (auto refused = secret_refused(desired, secret, rotate_secret))
        return error_item(desired, *refused);
    PlanItem item;
    item.name = desired.name;
    item.action = PlanAction::create;
    item.cause = recreate ? ChangeCause::deleted_in_tenant : ChangeCause::new_manifest;
    item.desired = desired;
    item.desired_digest = applied_digest(desired);
    item.changes = creation_fields(desired);
    item.secret = (secret.state == SecretStatus::State::available && !rotate_secret)
                      ? SecretAction::send_current
                      : SecretAction::generate_new;
    if (recreate)
        item.reason = "it was deleted outside hookwarden; it will be re-created with a new id";
    return item;
}

// The tenant's webhooks, found by id and by name.
class TenantIndex {
  public:
    explicit TenantIndex(const std::vector<Webhook>& observed) {
        for (const auto& w : observed) {
            by_id_.emplace(w.id, &w);
            by_name_[w.name].push_back(&w);
        }
    }
    const Webhook* with_id(const std::string& id) const {
        auto it = by_id_.find(id);
        return it == by_id_.end() ? nullptr : it->second;
    }
    std::vector<const Webhook*> named(const std::string& name) const {
        auto it = by_name_.find(name);
        return it == by_name_.end() ? std::vector<const Webhook*>{} : it->second;
    }

  private:
    std::map<std::string, const Webhook*> by_id_;
    std::map<std::string, std::vector<const Webhook*>> by_name_;
};

// Every name the desired state defines more than once, with its places:
// the loader's duplicates, and (should a caller pass them) names repeated
// in `desired` itself. No write may touch them.
std::vector<DuplicateName> duplicate_names(const PlanInput& input) {
    std::vector<DuplicateName> out = input.duplicates;
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < out.size(); ++i)
        index.emplace(out[i].name, i);
    std::map<std::string, const WebhookManifest*> first;
    for (const auto& desired : input.desired) {
        auto [seen, inserted] = first.emplace(desired.name, &desired);
        if (inserted)
            continue;
        auto [it, fresh] = index.emplace(desired.name, out.size());
        if (fresh)
            out.push_back(DuplicateName{desired.name, {seen->second->location}});
        out[it->second].places.push_back(desired.location);
    }
    return out;
}

PlanItem duplicate_item(const DuplicateName& duplicate, const OwnedWebhook* owned) {
    std::string places;
    for (const auto& place : duplicate.places)
        places += (places.empty() ? "" : ", ") + place.format();
    PlanItem item;
    item.name = duplicate.name;
    item.action = PlanAction::error;
    item.id = owned ? owned->id : std::string();
    item.reason = "webhook name " + duplicate.name + " is defined " +
                  std::to_string(duplicate.places.size()) + " times (" + places +
                  "); nothing of that name is written until only one definition remains";
    if (owned)
        item.reason += "; the owned webhook is left as it is";
    item.error = make_error(ErrorKind::invalid_input, item.reason,
                            ErrorContext{.webhook = duplicate.name});
    return item;
}

// Sets the item's rotation grace when applying it replaces a secret the
// receivers know: one hookwarden sent (a fingerprint in state.json) with
// a new generated one, or with a source's value that differs from it.
void mark_rotation(PlanItem& item, const OwnedWebhook* owned, const SecretStatus& secret,
                   const PlanOptions& options) {
    if (!item.desired || !owned || !owned->secret_fingerprint || !item.writes())
        return;
    const bool replaces = item.secret == SecretAction::generate_new ||
                          (item.secret == SecretAction::send_current &&
                           secret.state == SecretStatus::State::available &&
                           secret.fingerprint != *owned->secret_fingerprint);
    const bool ours = item.action == PlanAction::update ||
                      (item.action == PlanAction::adopt && item.cause == ChangeCause::lost_create);
    if (replaces && ours)
        item.rotation_grace =
            rotation_grace(item.desired->retry_policy, options.rotation_tolerance);
}

// The decision for one desired webhook: create, update, adopt, unchanged,
// or a conflict or error of that name.
PlanItem plan_desired(const WebhookManifest& desired, const PlanInput& input,
                      const TenantIndex& tenant) {
    static const SecretStatus unknown_secret{
        SecretStatus::State::unavailable, {},
        make_error(ErrorKind::internal, "secret was not inspected")};
    const auto secret_it = input.secrets.find(desired.name);
    const SecretStatus& secret =
        secret_it != input.secrets.end() ? secret_it->second : unknown_secret;
    const bool rotate = input.options.rotate_secrets.contains(desired.name);
    const auto owned_it = input.state.owned.find(desired.name);
    const OwnedWebhook* owned = owned_it != input.state.owned.end() ? &owned_it->second : nullptr;

    // Every tenant webhook carrying the name, plus ours when it was renamed
    // in the tenant: more than one is a conflict in any case.
    std::vector<const Webhook*> candidates = tenant.named(desired.name);
    const Webhook* ours = (owned && !owned->id.empty()) ? tenant.with_id(owned->id) : nullptr;
    if (ours && ours->name != desired.name)
        candidates.push_back(ours);
    if (candidates.size() > 1) {
        auto ids = ids_of(candidates);
        return conflict_item(desired.name, ids,
                             "the tenant holds " + std::to_string(candidates.size()) +
                                 " webhooks named " + desired.name + " (ids " + join(ids) +
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

    const Webhook& existing = *candidates.front();
    if (owned && owned->id.empty()) {
        // Our own earlier create, whose answer was lost: ours whatever
        // `adopt` says, with the secret we sent then.
        PlanItem item = plan_existing(desired, secret, existing, owned, false, rotate);
        if (item.action == PlanAction::unchanged || item.action == PlanAction::update) {
            item.action = PlanAction::adopt;
            item.cause = ChangeCause::lost_create;
            item.reason = "an earlier create's answer was lost; this is the webhook it made";
        }
        mark_rotation(item, owned, secret, input.options);
        return item;
    }
    if (!input.options.adopt)
        return conflict_item(
            desired.name, {existing.id},
            "a webhook named " + desired.name + " already exists in the tenant (id " +
                existing.id +
                ") and hookwarden does not own it; set adopt: true to take it over, or "
                "rename or delete it");
    return plan_existing(desired, secret, existing, owned, true, rotate);
}

// Owned webhooks no manifest names any more: each one still in the tenant
// is a prune candidate (returned, without an action yet); each one gone is
// forgotten; a lost create whose name the tenant now holds twice is a
// conflict.
std::vector<PlanItem> plan_leaving(const PlanInput& input, const std::set<std::string>& desired,
                                   const TenantIndex& tenant, Plan& plan) {
    std::vector<PlanItem> leaving;
    for (const auto& [name, owned] : input.state.owned) {
        if (desired.contains(name))
            continue;
        const Webhook* found = nullptr;
        if (!owned.id.empty()) {
            found = tenant.with_id(owned.id);
        } else {
            const auto same = tenant.named(name);
            if (same.size() > 1) {
                auto ids = ids_of(same);
                plan.items.push_back(conflict_item(
                    name, ids,
                    "a create of " + name + " lost its answer and the tenant now holds " +
                        std::to_string(same.size()) + " webhooks of that name (ids " + join(ids) +
                        "); hookwarden cannot tell which is its own"));
                continue;
            }
            if (same.size() == 1)
                found = same.front();
        }
        if (!found) {
            plan.forget.push_back(name);
            continue;
        }
        PlanItem item;
        item.name = name;
        item.id = found->id;
        item.cause = ChangeCause::left_manifests;
        leaving.push_back(std::move(item));
    }
    return leaving;
}

// Whether the candidates are deleted or retained, and why (SPEC §4a: only
// when prune is on, never after a manifest error, never over the budget).
void decide_prune(std::vector<PlanItem> leaving, const PlanInput& input, Plan& plan) {
    const PlanOptions& options = input.options;
    PruneDecision& prune = plan.prune;
    prune.enabled = options.prune;
    for (const auto& item : leaving)
        prune.candidates.push_back(item.name);
    std::string retain_reason;
    if (!prune.enabled) {
        retain_reason = "it left the manifests; it is kept because prune is off";
    } else if (!leaving.empty() && input.manifest_errors > 0) {
        prune.blocked = true;
        prune.reason =
            "prune is skipped this cycle because " + std::to_string(input.manifest_errors) +
            (input.manifest_errors == 1 ? " manifest error was" : " manifest errors were") +
            " found: a broken manifest must not look like a deleted one";
    } else if (leaving.size() >
               static_cast<std::size_t>(std::max(0, options.max_deletes_per_cycle))) {
        prune.blocked = true;
        prune.reason = std::to_string(leaving.size()) +
                       " owned webhooks left the manifests, more than maxDeletesPerCycle (" +
                       std::to_string(options.max_deletes_per_cycle) +
                       "): none is deleted; raise maxDeletesPerCycle for one apply, or delete "
                       "them by hand";
    }
    if (prune.blocked)
        retain_reason = "it left the manifests; not deleted: " + prune.reason;
    for (auto& item : leaving) {
        if (prune.enabled && !prune.blocked) {
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
    for (const auto& webhook : input.observed)
        plan.health_by_id.emplace(webhook.id, webhook.health);

    const std::vector<DuplicateName> duplicates = duplicate_names(input);
    std::set<std::string> desired_names;
    for (const auto& duplicate : duplicates)
        desired_names.insert(duplicate.name);
    for (const auto& desired : input.desired) {
        if (desired_names.contains(desired.name))
            continue; // a duplicate: its one error item follows
        desired_names.insert(desired.name);
        plan.items.push_back(plan_desired(desired, input, tenant));
    }
    for (const auto& duplicate : duplicates) {
        const auto owned = input.state.owned.find(duplicate.name);
        plan.items.push_back(duplicate_item(
            duplicate, owned != input.state.owned.end() ? &owned->second : nullptr));
    }
    decide_prune(plan_leaving(input, desired_names, tenant, plan), input, plan);
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
    return c.create + c.update + c.adopt + c.remove > 0;
}

bool Plan::has_errors() const {
    const PlanCounts c = counts();
    return c.conflict + c.error > 0 || manifest_errors > 0;
}

} // namespace hookwarden
