// GCC 12 at -O2 reports a false -Wmaybe-uninitialized inside libstdc++'s
// std::regex compiler (GCC bug 105562), instantiated here for fault paths.
// The pragma has to come before <regex> is first included.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "tests/emulator/emulator_tenant.hpp"

#include "core/snapshot/status_file.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace hookwarden::emulator {
namespace json = boost::json;
namespace chrono = std::chrono;

namespace {

constexpr int kFailingAfter = 5; // consecutive failures that make a webhook `failing`
constexpr const char* kMaskedSecret = "********";

// The client-writable properties of a webhook as the audit trail names them.
// The secret's value never leaves the tenant through the audit trail.
std::vector<std::pair<std::string, json::value>> audited_properties(const Webhook& w) {
    json::array events;
    for (const auto& e : w.event_types)
        events.emplace_back(e);
    return {
        {"name", json::value(w.name)},
        {"eventTypes", json::value(std::move(events))},
        {"endpointUrl", json::value(w.endpoint_url)},
        {"retryPolicy.retryInterval", json::value(w.retry_policy.retry_interval)},
        {"retryPolicy.maxRetries", json::value(w.retry_policy.max_retries)},
        {"payloadTemplate", json::value(w.payload_template)},
        {"enabled", json::value(w.enabled)},
        {"secret", w.secret ? json::value(kMaskedSecret) : json::value(nullptr)},
    };
}

std::vector<AuditChange> changes_between(const Webhook* before, const Webhook* after) {
    const auto old_values =
        before ? audited_properties(*before) : std::vector<std::pair<std::string, json::value>>{};
    const auto new_values =
        after ? audited_properties(*after) : std::vector<std::pair<std::string, json::value>>{};
    const std::size_t n = std::max(old_values.size(), new_values.size());
    std::vector<AuditChange> changes;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string& property =
            i < old_values.size() ? old_values[i].first : new_values[i].first;
        json::value old_value = i < old_values.size() ? old_values[i].second : json::value();
        json::value new_value = i < new_values.size() ? new_values[i].second : json::value();
        bool differs = old_value != new_value;
        if (property == "secret" && before && after)
            differs = before->secret != after->secret; // both masked: compare the real values
        if (differs)
            changes.push_back({property, std::move(old_value), std::move(new_value)});
    }
    return changes;
}

constexpr std::string_view kTriggersPath = "/api/v2/processautomation/triggers/";

/// `^v2(\.[A-Za-z0-9_{}-]+)+$`, the shape of a topic name (SPEC §8).
bool is_topic_name(std::string_view text) {
    if (!text.starts_with("v2") || text.size() == 2)
        return false;
    bool segment_open = false; // a '.' was read and no character after it yet
    for (const char c : text.substr(2)) {
        const bool word = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '_' || c == '{' || c == '}' || c == '-';
        if (c == '.') {
            if (segment_open)
                return false;
            segment_open = true;
        } else if (word) {
            segment_open = false;
        } else {
            return false;
        }
    }
    return text[2] == '.' && !segment_open;
}

int ceil_seconds(double seconds) {
    // Tolerate floating-point dust so that exactly 1.0 does not become 2.
    return static_cast<int>(std::ceil(seconds - 1e-9));
}

} // namespace

Actor ui_actor() {
    return {"ui-user", "UI User"};
}

WebhookHealth health_of(const std::vector<Delivery>& deliveries) {
    WebhookHealth health;
    if (deliveries.empty())
        return health;
    health.last_delivery_at = format_rfc3339(deliveries.back().at);
    bool any_success = false;
    for (const auto& d : deliveries)
        any_success = any_success || d.ok;
    for (auto it = deliveries.rbegin(); it != deliveries.rend() && !it->ok; ++it)
        ++health.consecutive_failures;
    if (deliveries.back().ok)
        health.status = "healthy";
    else if (health.consecutive_failures >= kFailingAfter || !any_success)
        health.status = "failing";
    else
        health.status = "degraded";
    return health;
}

std::vector<MetricBucket> summarize(const std::vector<Delivery>& deliveries,
                                    const Interval& interval,
                                    std::optional<chrono::milliseconds> granularity) {
    std::map<std::int64_t, MetricBucket> buckets;
    for (const auto& d : deliveries) {
        if (d.at < interval.start || !(d.at < interval.end))
            continue;
        std::int64_t index = 0;
        if (granularity && granularity->count() > 0)
            index = (d.at - interval.start) / *granularity;
        auto [it, inserted] = buckets.try_emplace(index);
        MetricBucket& b = it->second;
        if (inserted) {
            if (granularity && granularity->count() > 0) {
                b.interval.start = interval.start + index * *granularity;
                b.interval.end = std::min(b.interval.start + *granularity, interval.end);
            } else {
                b.interval = interval;
            }
        }
        ++(d.ok ? b.success_count : b.failure_count);
        if (d.latency_ms) {
            b.latency_min_ms =
                b.latency_count == 0 ? *d.latency_ms : std::min(b.latency_min_ms, *d.latency_ms);
            b.latency_max_ms =
                b.latency_count == 0 ? *d.latency_ms : std::max(b.latency_max_ms, *d.latency_ms);
            b.latency_sum_ms += *d.latency_ms;
            ++b.latency_count;
        }
    }
    std::vector<MetricBucket> out;
    out.reserve(buckets.size());
    for (auto& [index, bucket] : buckets)
        out.push_back(bucket);
    return out;
}

const char* to_string(FaultAction action) noexcept {
    switch (action) {
    case FaultAction::status:
        return "status";
    case FaultAction::reset:
        return "reset";
    case FaultAction::hang:
        return "hang";
    case FaultAction::malformed:
        return "malformed";
    case FaultAction::commit_then_reset:
        return "commit-then-reset";
    }
    return "status";
}

std::optional<FaultAction> fault_action_from_string(std::string_view text) noexcept {
    for (const auto action : {FaultAction::status, FaultAction::reset, FaultAction::hang,
                              FaultAction::malformed, FaultAction::commit_then_reset})
        if (text == to_string(action))
            return action;
    return std::nullopt;
}

std::vector<std::string> default_trigger_topics() {
    return {"v2.detail.events.conversation.{id}.customer.start",
            "v2.detail.events.conversation.{id}.customer.end",
            "v2.detail.events.conversation.{id}.acw",
            "v2.detail.events.conversation.{id}.user.start",
            "v2.detail.events.conversation.{id}.user.end",
            "v2.detail.events.conversation.{id}.outbound.initialized",
            "v2.detail.events.conversation.{id}.attributes",
            "v2.users.{id}.presence",
            "v2.routing.queues.{id}.members",
            "v2.audits.entitytype.{name}.entityid.{id}"};
}

const std::vector<std::string>& trigger_permissions() {
    static const std::vector<std::string> permissions{
        "processautomation:trigger:view", "processautomation:trigger:add",
        "processautomation:trigger:edit", "processautomation:trigger:delete"};
    return permissions;
}

int rate_capacity(int rpm) noexcept {
    return std::max(1, rpm / 6);
}

Tenant::Tenant(Settings settings, Clock clock)
    : clock_(clock ? std::move(clock) : Clock([] { return chrono::system_clock::now(); })),
      settings_(std::move(settings)), random_(std::random_device{}()) {}

TimePoint Tenant::now() const {
    return clock_();
}

Settings Tenant::settings() const {
    std::lock_guard lock(mutex_);
    return settings_;
}

Result<Settings> Tenant::configure(const SettingsChange& change) {
    if (change.rpm && *change.rpm < 1)
        return make_error(ErrorKind::invalid_input, "rpm must be at least 1");
    if (change.token_lifetime && change.token_lifetime->count() < 1)
        return make_error(ErrorKind::invalid_input, "tokenLifetime must be at least 1 second");
    std::lock_guard lock(mutex_);
    if (change.rpm) {
        settings_.rpm = *change.rpm;
        buckets_.clear(); // every client starts again with a full bucket of the new size
    }
    if (change.token_lifetime)
        settings_.token_lifetime = *change.token_lifetime;
    if (change.echo_secrets)
        settings_.echo_secrets = *change.echo_secrets;
    if (change.rate_limit_headers)
        settings_.rate_limit_headers = *change.rate_limit_headers;
    return settings_;
}

std::string Tenant::new_uuid() {
    std::lock_guard lock(mutex_);
    return new_uuid_locked();
}

std::string Tenant::new_uuid_locked() {
    std::uint64_t hi = random_();
    std::uint64_t lo = random_();
    hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL; // version 4
    lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL; // RFC 4122 variant
    char text[37]; // 36 characters and the NUL: it always fits
    (void)std::snprintf(text, sizeof text, "%08llx-%04llx-%04llx-%04llx-%012llx",
                        static_cast<unsigned long long>(hi >> 32),
                        static_cast<unsigned long long>((hi >> 16) & 0xffff),
                        static_cast<unsigned long long>(hi & 0xffff),
                        static_cast<unsigned long long>(lo >> 48),
                        static_cast<unsigned long long>(lo & 0xffffffffffffULL));
    return text;
}

// --- OAuth -----------------------------------------------------------------

Result<IssuedToken> Tenant::issue_token(std::string_view client_id,
                                        std::string_view client_secret) {
    std::lock_guard lock(mutex_);
    if (client_id != settings_.client_id || client_secret != settings_.client_secret)
        return make_error(ErrorKind::unauthorized, "The client credentials are not valid");
    char text[49]; // 48 hex digits and the NUL: it always fits
    (void)std::snprintf(
        text, sizeof text, "%016llx%016llx%016llx", static_cast<unsigned long long>(random_()),
        static_cast<unsigned long long>(random_()), static_cast<unsigned long long>(random_()));
    std::string token = std::string(access_token_prefix) + text;
    tokens_[token] = TokenInfo{std::string(client_id), clock_() + settings_.token_lifetime};
    ++counters_.tokens_issued;
    return IssuedToken{std::move(token), settings_.token_lifetime};
}

Result<std::string> Tenant::authenticate(std::string_view access_token) const {
    std::lock_guard lock(mutex_);
    const auto it = tokens_.find(access_token);
    if (it == tokens_.end())
        return make_error(ErrorKind::unauthorized, "The access token is not known to this tenant");
    if (it->second.revoked)
        return make_error(ErrorKind::unauthorized, "The access token has been revoked");
    if (clock_() >= it->second.expires_at)
        return make_error(ErrorKind::unauthorized,
                          "The access token expired at " + format_rfc3339(it->second.expires_at));
    return it->second.client_id;
}

void Tenant::revoke_tokens() {
    std::lock_guard lock(mutex_);
    for (auto& [token, info] : tokens_)
        info.revoked = true;
}

RateDecision Tenant::admit(const std::string& client_id) {
    std::lock_guard lock(mutex_);
    const TimePoint now = clock_();
    const int capacity = rate_capacity(settings_.rpm);
    const double per_second = settings_.rpm / 60.0;
    auto [it, inserted] = buckets_.try_emplace(client_id, Bucket{double(capacity), now});
    Bucket& bucket = it->second;
    if (now > bucket.refilled_at) {
        const double elapsed = chrono::duration<double>(now - bucket.refilled_at).count();
        bucket.tokens = std::min(double(capacity), bucket.tokens + elapsed * per_second);
    }
    bucket.refilled_at = now; // a clock stepping back refills nothing

    RateDecision decision;
    decision.capacity = capacity;
    decision.admitted = bucket.tokens >= 1.0 - 1e-9;
    if (decision.admitted)
        bucket.tokens = std::max(0.0, bucket.tokens - 1.0);
    else
        decision.retry_after_seconds =
            std::max(1, ceil_seconds((1.0 - bucket.tokens) / per_second));
    const double missing = capacity - bucket.tokens;
    decision.used = std::clamp(ceil_seconds(missing), 0, capacity);
    decision.reset_seconds = std::max(0, ceil_seconds(missing / per_second));
    return decision;
}

// --- Webhooks --------------------------------------------------------------

Webhook Tenant::with_health_locked(Webhook webhook) const {
    const auto it = deliveries_.find(webhook.id);
    webhook.health = it == deliveries_.end() ? WebhookHealth{} : health_of(it->second);
    return webhook;
}

std::vector<Webhook> Tenant::webhooks() const {
    std::lock_guard lock(mutex_);
    std::vector<Webhook> out;
    out.reserve(webhooks_.size());
    for (const auto& w : webhooks_)
        out.push_back(with_health_locked(w));
    return out;
}

std::vector<Webhook> Tenant::find_by_name(std::string_view name) const {
    std::lock_guard lock(mutex_);
    std::vector<Webhook> out;
    for (const auto& w : webhooks_)
        if (w.name == name)
            out.push_back(with_health_locked(w));
    return out;
}

Result<Webhook> Tenant::webhook(std::string_view id) const {
    std::lock_guard lock(mutex_);
    for (const auto& w : webhooks_)
        if (w.id == id)
            return with_health_locked(w);
    return make_error(ErrorKind::not_found, "No webhook has the id '" + std::string(id) + "'");
}

Result<Webhook> Tenant::webhook_settings(std::string_view id) const {
    std::lock_guard lock(mutex_);
    for (const auto& w : webhooks_)
        if (w.id == id)
            return w;
    return make_error(ErrorKind::not_found, "No webhook has the id '" + std::string(id) + "'");
}

Result<Webhook> Tenant::create(Webhook body, const Actor& by) {
    std::lock_guard lock(mutex_);
    if (!body.id.empty()) {
        for (const auto& w : webhooks_)
            if (w.id == body.id)
                return make_error(ErrorKind::conflict,
                                  "A webhook with the id '" + body.id + "' already exists");
    } else {
        body.id = new_uuid_locked();
    }
    const std::string now = format_rfc3339(clock_());
    body.version = 1;
    body.health = WebhookHealth{};
    body.date_created = now;
    body.date_modified = now;
    body.modified_by_id = by.id;
    body.self_uri = "/api/v2/webhooks/" + body.id;
    webhooks_.push_back(body);
    audit_locked("create", body.id, by, changes_between(nullptr, &body));
    return with_health_locked(std::move(body));
}

Result<Webhook> Tenant::modify(std::string_view id, const Actor& by, const Mutation& mutate) {
    std::lock_guard lock(mutex_);
    const auto it = std::find_if(webhooks_.begin(), webhooks_.end(),
                                 [&](const Webhook& w) { return w.id == id; });
    if (it == webhooks_.end())
        return make_error(ErrorKind::not_found, "No webhook has the id '" + std::string(id) + "'");
    Webhook draft = *it;
    if (auto r = mutate(draft); !r)
        return r.error();
    draft.id = it->id;
    draft.version = it->version + 1;
    draft.health = WebhookHealth{};
    draft.date_created = it->date_created;
    draft.date_modified = format_rfc3339(clock_());
    draft.modified_by_id = by.id;
    draft.self_uri = it->self_uri;
    auto changes = changes_between(&*it, &draft);
    *it = draft;
    audit_locked("update", draft.id, by, std::move(changes));
    return with_health_locked(std::move(draft));
}

Result<void> Tenant::remove(std::string_view id, const Actor& by) {
    std::lock_guard lock(mutex_);
    const auto it = std::find_if(webhooks_.begin(), webhooks_.end(),
                                 [&](const Webhook& w) { return w.id == id; });
    if (it == webhooks_.end())
        return make_error(ErrorKind::not_found, "No webhook has the id '" + std::string(id) + "'");
    auto changes = changes_between(&*it, nullptr);
    const std::string entity_id = it->id;
    webhooks_.erase(it);
    audit_locked("delete", entity_id, by, std::move(changes));
    return {};
}

// --- Process Automation triggers ------------------------------------------

namespace {

Error no_trigger(std::string_view id) {
    return make_error(ErrorKind::not_found, "No trigger has the id '" + std::string(id) + "'");
}

bool has_id(const StoredTrigger& t, std::string_view id) {
    const auto* stored = t.body.if_contains("id");
    return stored && stored->is_string() && stored->get_string() == id;
}

} // namespace

std::vector<StoredTrigger> Tenant::triggers() const {
    std::lock_guard lock(mutex_);
    return triggers_;
}

Result<json::object> Tenant::trigger(std::string_view id) const {
    std::lock_guard lock(mutex_);
    for (const auto& t : triggers_)
        if (has_id(t, id))
            return t.body;
    return no_trigger(id);
}

Result<json::object> Tenant::create_trigger(json::object body) {
    std::lock_guard lock(mutex_);
    std::string id;
    if (const auto* given = body.if_contains("id"); given && given->is_string() &&
                                                    !given->get_string().empty()) {
        id = given->get_string();
        for (const auto& t : triggers_)
            if (has_id(t, id))
                return make_error(ErrorKind::conflict,
                                  "A trigger with the id '" + id + "' already exists");
    } else {
        id = new_uuid_locked();
    }
    json::object stored{{"id", id}};
    for (auto& [key, value] : body)
        if (key != "id" && key != "version" && key != "selfUri")
            stored[key] = std::move(value);
    stored["version"] = 1;
    stored["selfUri"] = std::string(kTriggersPath) + id;
    triggers_.push_back({++trigger_sequence_, stored});
    return stored;
}

Result<json::object> Tenant::modify_trigger(std::string_view id, const TriggerMutation& mutate) {
    std::lock_guard lock(mutex_);
    const auto it = std::find_if(triggers_.begin(), triggers_.end(),
                                 [&](const StoredTrigger& t) { return has_id(t, id); });
    if (it == triggers_.end())
        return no_trigger(id);
    json::object draft = it->body;
    if (auto r = mutate(draft); !r)
        return r.error();
    const auto version = it->body.at("version").to_number<std::int64_t>();
    draft.erase("version");
    draft.erase("selfUri");
    draft["id"] = it->body.at("id");
    draft["version"] = version + 1;
    draft["selfUri"] = it->body.at("selfUri");
    it->body = draft;
    return draft;
}

Result<void> Tenant::remove_trigger(std::string_view id) {
    std::lock_guard lock(mutex_);
    if (std::erase_if(triggers_, [&](const StoredTrigger& t) { return has_id(t, id); }) == 0)
        return no_trigger(id);
    return {};
}

std::vector<std::string> Tenant::trigger_topics() const {
    std::lock_guard lock(mutex_);
    return trigger_topics_;
}

Result<void> Tenant::set_trigger_topics(std::vector<std::string> topics) {
    std::set<std::string_view> seen;
    for (const auto& topic : topics) {
        if (!is_topic_name(topic))
            return make_error(ErrorKind::invalid_input,
                              "'" + topic +
                                  "' is not a topic name like "
                                  "v2.detail.events.conversation.{id}.customer.end");
        if (!seen.insert(topic).second)
            return make_error(ErrorKind::invalid_input,
                              "the topic '" + topic + "' is listed more than once");
    }
    std::lock_guard lock(mutex_);
    trigger_topics_ = std::move(topics);
    return {};
}

// --- Permissions -------------------------------------------------------------

Result<void> Tenant::grant_permission(std::string_view permission, bool granted) {
    const auto& known = trigger_permissions();
    if (std::find(known.begin(), known.end(), permission) == known.end())
        return make_error(ErrorKind::invalid_input,
                          "'" + std::string(permission) +
                              "' is not a permission the emulator checks (processautomation:"
                              "trigger:view, :add, :edit or :delete)");
    std::lock_guard lock(mutex_);
    if (granted)
        denied_permissions_.erase(std::string(permission));
    else
        denied_permissions_.emplace(permission);
    return {};
}

bool Tenant::has_permission(std::string_view permission) const {
    std::lock_guard lock(mutex_);
    return !denied_permissions_.contains(permission);
}

std::vector<std::string> Tenant::denied_permissions() const {
    std::lock_guard lock(mutex_);
    return {denied_permissions_.begin(), denied_permissions_.end()};
}

// --- Deliveries and audit --------------------------------------------------

Result<void> Tenant::record_deliveries(std::string_view id,
                                       const std::vector<Delivery>& deliveries) {
    std::lock_guard lock(mutex_);
    const bool exists = std::any_of(webhooks_.begin(), webhooks_.end(),
                                    [&](const Webhook& w) { return w.id == id; });
    if (!exists)
        return make_error(ErrorKind::not_found, "No webhook has the id '" + std::string(id) + "'");
    auto& list = deliveries_[std::string(id)];
    for (const auto& d : deliveries) {
        // Keep the list sorted by time; equal times keep their arrival order.
        const auto at = std::upper_bound(list.begin(), list.end(), d.at,
                                         [](TimePoint t, const Delivery& x) { return t < x.at; });
        list.insert(at, d);
    }
    return {};
}

std::vector<Delivery> Tenant::deliveries(std::string_view id) const {
    std::lock_guard lock(mutex_);
    const auto it = deliveries_.find(id);
    return it == deliveries_.end() ? std::vector<Delivery>{} : it->second;
}

void Tenant::audit_locked(std::string action, const std::string& entity_id, const Actor& by,
                          std::vector<AuditChange> changes) {
    AuditRecord record;
    record.sequence = ++audit_sequence_;
    record.id = new_uuid_locked();
    record.action = std::move(action);
    record.entity_id = entity_id;
    record.timestamp = clock_();
    record.user = by;
    record.changes = std::move(changes);
    audit_.push_back(std::move(record));
}

AuditPage Tenant::audit(const AuditFilter& filter) const {
    std::lock_guard lock(mutex_);
    const auto matches = [&](const AuditRecord& r) {
        if (r.sequence <= filter.after_sequence)
            return false;
        if (!filter.entity_id.empty() && r.entity_id != filter.entity_id)
            return false;
        if (!filter.actions.empty() && std::find(filter.actions.begin(), filter.actions.end(),
                                                 r.action) == filter.actions.end())
            return false;
        if (filter.interval &&
            (r.timestamp < filter.interval->start || !(r.timestamp < filter.interval->end)))
            return false;
        return true;
    };
    AuditPage page;
    auto it = audit_.begin();
    for (; it != audit_.end() && page.entries.size() < filter.page_size; ++it)
        if (matches(*it))
            page.entries.push_back(*it);
    if (!page.entries.empty() && std::any_of(it, audit_.end(), matches))
        page.next_after = page.entries.back().sequence;
    return page;
}

// --- Faults ----------------------------------------------------------------

Result<void> Tenant::add_fault(FaultRule rule) {
    if (rule.count < 1)
        return make_error(ErrorKind::invalid_input, "count must be at least 1");
    if (rule.action == FaultAction::status && (rule.status < 100 || rule.status > 599))
        return make_error(ErrorKind::invalid_input,
                          "status must be an HTTP status from 100 to 599");
    if (rule.retry_after && *rule.retry_after < 0)
        return make_error(ErrorKind::invalid_input, "retryAfter must not be negative");
    if (!(rule.seconds >= 0 && rule.seconds <= 3600))
        return make_error(ErrorKind::invalid_input, "seconds must be from 0 to 3600");
    std::transform(rule.method.begin(), rule.method.end(), rule.method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    std::regex path;
    try {
        path = std::regex(rule.path, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
        return make_error(ErrorKind::invalid_input,
                          "path '" + rule.path +
                              "' is not a valid regular expression: " + e.what());
    }
    std::lock_guard lock(mutex_);
    faults_.push_back({std::move(rule), std::move(path)});
    return {};
}

std::optional<FaultRule> Tenant::take_fault(std::string_view method, std::string_view path) {
    std::lock_guard lock(mutex_);
    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
        if (!it->rule.method.empty() && it->rule.method != method)
            continue;
        if (!std::regex_search(path.begin(), path.end(), it->path))
            continue;
        FaultRule taken = it->rule;
        if (--it->rule.count == 0)
            faults_.erase(it);
        return taken;
    }
    return std::nullopt;
}

std::vector<FaultRule> Tenant::faults() const {
    std::lock_guard lock(mutex_);
    std::vector<FaultRule> out;
    for (const auto& f : faults_)
        out.push_back(f.rule);
    return out;
}

void Tenant::clear_faults() {
    std::lock_guard lock(mutex_);
    faults_.clear();
}

// --- Counters --------------------------------------------------------------

void Tenant::count_request(const std::string& route) {
    std::lock_guard lock(mutex_);
    ++counters_.requests[route];
}

void Tenant::count_status(int status) {
    std::lock_guard lock(mutex_);
    ++counters_.statuses[status];
}

void Tenant::count_rate_limited() {
    std::lock_guard lock(mutex_);
    ++counters_.rate_limited;
}

void Tenant::count_write() {
    std::lock_guard lock(mutex_);
    ++counters_.writes;
}

void Tenant::count_connection() {
    std::lock_guard lock(mutex_);
    ++counters_.connections;
}

Counters Tenant::counters() const {
    std::lock_guard lock(mutex_);
    return counters_;
}

void Tenant::reset() {
    std::lock_guard lock(mutex_);
    webhooks_.clear();
    triggers_.clear(); // trigger_sequence_ goes on: a sequence is never reused
    trigger_topics_ = default_trigger_topics();
    denied_permissions_.clear();
    tokens_.clear();
    buckets_.clear();
    deliveries_.clear();
    audit_.clear(); // audit_sequence_ goes on, so that old page tokens find nothing
    faults_.clear();
    counters_ = Counters{.connections = counters_.connections};
}

} // namespace hookwarden::emulator
