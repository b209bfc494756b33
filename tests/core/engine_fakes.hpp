// Test doubles for the engine's unit tests: an in-memory Tenant above the
// socket with scriptable faults, and builders for manifests and webhooks.
//
// FakeTenant behaves like the emulator where the engine can tell: ids are
// assigned on create, versions grow on every write, a PUT with a stale
// version is a version_mismatch, the list is in creation order, secrets are
// not returned. It is thread-safe and counts every call and the largest
// number of calls in flight at once.
#pragma once

#include "core/manifest.hpp"
#include "core/tenant.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace hookwarden::testing {

inline WebhookManifest manifest(std::string name,
                                std::string url = "https://hooks.example.com/in") {
    WebhookManifest m;
    m.name = std::move(name);
    m.event_types = {"user:login", "user:logout"};
    m.endpoint_url = std::move(url);
    return m;
}

/// A tenant webhook as the API would return it for `m` (no secret).
inline Webhook webhook_for(const WebhookManifest& m, std::string id, std::int64_t version = 1) {
    Webhook w;
    w.id = std::move(id);
    w.version = version;
    w.name = m.name;
    w.event_types = m.event_types;
    w.endpoint_url = m.endpoint_url;
    w.retry_policy = m.retry_policy;
    w.payload_template = m.payload_template;
    w.enabled = m.enabled;
    w.date_created = "2026-01-01T00:00:00Z";
    w.self_uri = "/api/v2/webhooks/" + w.id;
    return w;
}

/// A trigger as a manifest would declare it, on a default topic.
inline TriggerManifest trigger_manifest(std::string name,
                                        std::string topic = "v2.users.{id}.presence") {
    TriggerManifest m;
    m.name = std::move(name);
    m.topic_name = std::move(topic);
    m.target.id = "5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8b";
    m.match_criteria = {MatchCriterion{"mediaType", "Equal", boost::json::value("CHAT"), {}}};
    return m;
}

/// A tenant trigger as the API would return it for `m`.
inline Trigger trigger_for(const TriggerManifest& m, std::string id, std::int64_t version = 1) {
    Trigger t;
    t.id = std::move(id);
    t.version = version;
    t.name = m.name;
    t.topic_name = m.topic_name;
    t.target = m.target;
    t.match_criteria = m.match_criteria;
    t.enabled = m.enabled;
    t.event_ttl_seconds = m.event_ttl_seconds;
    t.delay_by_seconds = m.delay_by_seconds;
    t.description = m.description;
    t.self_uri = "/api/v2/processautomation/triggers/" + t.id;
    return t;
}

class FakeTenant final : public Tenant {
  public:
    struct Counts {
        int list = 0, search = 0, get = 0, create = 0, update = 0, remove = 0, topics = 0;
        int writes() const { return create + update + remove; }
    };

    // --- scripting ---------------------------------------------------------
    /// The next `n` creates are committed, then their answer is "lost".
    int lose_create_answer_after_commit = 0;
    /// The next `n` creates are lost before the tenant commits them.
    int lose_create_before_commit = 0;
    /// Creates of these names are refused with a 400.
    std::set<std::string> refuse_create;
    /// Deletes of these ids fail with a 503.
    std::set<std::string> fail_delete;
    /// Called inside each webhook create before it commits (e.g. to look at state.json).
    std::function<void(const Webhook&)> on_create;
    /// Called before each webhook update is checked; may change the tenant (a UI edit).
    std::function<void(FakeTenant&, const Webhook&)> before_update;
    /// How long each call takes, to observe concurrency.
    std::chrono::milliseconds latency{0};
    bool fail_list = false;
    bool fail_topics = false;
    /// The topics triggers may use.
    std::vector<std::string> topics{"v2.users.{id}.presence",
                                    "v2.detail.events.conversation.{id}.customer.end",
                                    "v2.detail.events.conversation.{id}.acw"};

    // --- the tenant as the UI sees it -------------------------------------
    Webhook insert(Webhook w) { return insert_into(webhooks_, std::move(w)); }
    Trigger insert(Trigger t) { return insert_into(triggers_, std::move(t)); }
    void ui_edit(const std::string& id, const std::function<void(Webhook&)>& edit) {
        edit_in(webhooks_, id, edit);
    }
    void ui_edit_trigger(const std::string& id, const std::function<void(Trigger&)>& edit) {
        edit_in(triggers_, id, edit);
    }
    void ui_delete(const std::string& id) {
        std::lock_guard lock(mutex_);
        std::erase_if(webhooks_, [&id](const Webhook& w) { return w.id == id; });
        std::erase_if(triggers_, [&id](const Trigger& t) { return t.id == id; });
    }
    std::vector<Webhook> all() const {
        std::lock_guard lock(mutex_);
        return webhooks_;
    }
    std::vector<Trigger> all_triggers() const {
        std::lock_guard lock(mutex_);
        return triggers_;
    }
    std::vector<Webhook> named(const std::string& name) const {
        std::vector<Webhook> out;
        for (const auto& w : all())
            if (w.name == name)
                out.push_back(w);
        return out;
    }
    Counts counts() const {
        std::lock_guard lock(mutex_);
        return counts_;
    }
    int max_in_flight() const { return max_in_flight_; }

    // --- Tenant ----------------------------------------------------------------
    Result<std::vector<TenantResource>> list(ResourceKind kind) override {
        Call call(*this);
        std::lock_guard lock(mutex_);
        ++counts_.list;
        if (fail_list)
            return make_error(ErrorKind::transport, "connection refused");
        return every(kind, [](const auto&) { return true; });
    }
    Result<std::vector<TenantResource>> find_named(ResourceKind kind,
                                                   std::string_view name) override {
        Call call(*this);
        std::lock_guard lock(mutex_);
        ++counts_.search;
        return every(kind, [name](const auto& r) { return r.name == name; });
    }
    Result<TenantResource> get(ResourceKind kind, std::string_view id) override {
        Call call(*this);
        std::lock_guard lock(mutex_);
        ++counts_.get;
        auto found = find(kind, std::string(id));
        if (!found)
            return make_error(ErrorKind::not_found, "not found", {.http_status = 404});
        return masked(*found);
    }
    Result<TenantResource> create(const TenantResource& body) override {
        Call call(*this);
        if (on_create)
            if (const auto* webhook = std::get_if<Webhook>(&body))
                on_create(*webhook);
        std::lock_guard lock(mutex_);
        ++counts_.create;
        if (refuse_create.contains(name_of(body)))
            return make_error(ErrorKind::invalid_input, "the body is not acceptable",
                              {.http_status = 400, .api_code = "bad.request"});
        if (lose_create_before_commit > 0) {
            --lose_create_before_commit;
            return make_error(ErrorKind::outcome_unknown, "connection reset before the answer");
        }
        TenantResource made = body;
        std::visit(
            [this](auto& r) {
                r.id = next_id();
                r.version = 1;
            },
            made);
        store(made);
        if (lose_create_answer_after_commit > 0) {
            --lose_create_answer_after_commit;
            return make_error(ErrorKind::outcome_unknown,
                              "connection reset after the request was sent");
        }
        return masked(made);
    }
    Result<TenantResource> update(const TenantResource& body) override {
        Call call(*this);
        if (before_update)
            if (const auto* webhook = std::get_if<Webhook>(&body))
                before_update(*this, *webhook);
        std::lock_guard lock(mutex_);
        ++counts_.update;
        auto found = find(kind_of(body), id_of(body));
        if (!found)
            return make_error(ErrorKind::not_found, "not found", {.http_status = 404});
        if (version_of(body) != version_of(*found))
            return make_error(ErrorKind::version_mismatch, "version does not match",
                              {.http_status = 409});
        TenantResource next = body;
        if (auto* webhook = std::get_if<Webhook>(&next)) {
            const auto& old = std::get<Webhook>(*found);
            if (!webhook->secret)
                webhook->secret = old.secret; // PUT without secret keeps it
        } else if (std::get<Trigger>(next).topic_name != std::get<Trigger>(*found).topic_name) {
            return make_error(ErrorKind::invalid_input, "topicName cannot be changed",
                              {.http_status = 400, .api_code = "bad.request"});
        }
        std::visit([&found](auto& r) { r.version = version_of(*found) + 1; }, next);
        replace_stored(next);
        return masked(next);
    }
    Result<void> remove(ResourceKind kind, std::string_view id) override {
        Call call(*this);
        std::lock_guard lock(mutex_);
        ++counts_.remove;
        if (fail_delete.contains(std::string(id)))
            return make_error(ErrorKind::tenant, "service unavailable", {.http_status = 503});
        if (!find(kind, std::string(id)))
            return make_error(ErrorKind::not_found, "not found", {.http_status = 404});
        std::erase_if(webhooks_, [&id](const Webhook& w) { return w.id == id; });
        std::erase_if(triggers_, [&id](const Trigger& t) { return t.id == id; });
        return {};
    }
    Result<std::vector<std::string>> trigger_topics() override {
        Call call(*this);
        std::lock_guard lock(mutex_);
        ++counts_.topics;
        if (fail_topics)
            return make_error(ErrorKind::tenant, "service unavailable", {.http_status = 503});
        return topics;
    }
    Result<std::vector<DeliveryMetrics>> delivery_metrics(const std::vector<std::string>&,
                                                          std::string_view) override {
        return std::vector<DeliveryMetrics>{};
    }
    Result<std::vector<AuditEntry>> audit_entries(const AuditQuery&) override {
        return std::vector<AuditEntry>{};
    }

  private:
    // Counts calls in flight; sleeps `latency` outside the lock.
    struct Call {
        explicit Call(FakeTenant& t) : tenant(t) {
            const int now = ++tenant.in_flight_;
            int seen = tenant.max_in_flight_.load();
            while (now > seen && !tenant.max_in_flight_.compare_exchange_weak(seen, now)) {
            }
            if (tenant.latency.count() > 0)
                std::this_thread::sleep_for(tenant.latency);
        }
        ~Call() { --tenant.in_flight_; }
        FakeTenant& tenant;
    };

    static TenantResource masked(TenantResource r) {
        if (auto* w = std::get_if<Webhook>(&r))
            w->secret.reset(); // the tenant never returns secrets by default
        return r;
    }
    template <class Keep> std::vector<TenantResource> every(ResourceKind kind, Keep keep) const {
        std::vector<TenantResource> out;
        auto take = [&](const auto& all) {
            for (const auto& r : all)
                if (keep(r))
                    out.push_back(masked(r));
        };
        if (kind == ResourceKind::webhook)
            take(webhooks_);
        else
            take(triggers_);
        return out;
    }
    std::optional<TenantResource> find(ResourceKind kind, const std::string& id) const {
        if (kind == ResourceKind::webhook) {
            for (const auto& w : webhooks_)
                if (w.id == id)
                    return TenantResource(w);
        } else {
            for (const auto& t : triggers_)
                if (t.id == id)
                    return TenantResource(t);
        }
        return std::nullopt;
    }
    void store(const TenantResource& r) {
        if (const auto* w = std::get_if<Webhook>(&r))
            webhooks_.push_back(*w);
        else
            triggers_.push_back(std::get<Trigger>(r));
    }
    void replace_stored(const TenantResource& r) {
        auto put = [](auto& all, const auto& next) {
            for (auto& old : all)
                if (old.id == next.id)
                    old = next;
        };
        if (const auto* w = std::get_if<Webhook>(&r))
            put(webhooks_, *w);
        else
            put(triggers_, std::get<Trigger>(r));
    }
    template <class T> T insert_into(std::vector<T>& all, T r) {
        std::lock_guard lock(mutex_);
        if (r.id.empty())
            r.id = next_id();
        if (r.version == 0)
            r.version = 1;
        all.push_back(r);
        return r;
    }
    template <class T, class Edit>
    void edit_in(std::vector<T>& all, const std::string& id, const Edit& edit) {
        std::lock_guard lock(mutex_);
        for (auto& r : all)
            if (r.id == id) {
                edit(r);
                ++r.version;
                return;
            }
        throw std::runtime_error("no resource " + id);
    }
    std::string next_id() { return "id-" + std::to_string(++last_id_); }

    mutable std::mutex mutex_;
    std::vector<Webhook> webhooks_;
    std::vector<Trigger> triggers_;
    Counts counts_;
    int last_id_ = 0;
    std::atomic<int> in_flight_{0};
    std::atomic<int> max_in_flight_{0};

  public:
    /// The secret the tenant holds for `name` (tests only; the API never says).
    std::optional<std::string> secret_of(const std::string& name) const {
        std::lock_guard lock(mutex_);
        for (const auto& w : webhooks_)
            if (w.name == name)
                return w.secret;
        return std::nullopt;
    }
};

} // namespace hookwarden::testing
