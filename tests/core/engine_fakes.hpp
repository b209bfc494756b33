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

class FakeTenant final : public Tenant {
  public:
    struct Counts {
        int list = 0, search = 0, get = 0, create = 0, update = 0, remove = 0;
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
    /// Called inside each create before it commits (e.g. to look at state.json).
    std::function<void(const Webhook&)> on_create;
    /// Called before each update is checked; may change the tenant (a UI edit).
    std::function<void(FakeTenant&, const Webhook&)> before_update;
    /// How long each call takes, to observe concurrency.
    std::chrono::milliseconds latency{0};
    bool fail_list = false;

    // --- the tenant as the UI sees it -------------------------------------
    Webhook insert(Webhook w) {
        std::lock_guard lock(mutex_);
        if (w.id.empty())
            w.id = next_id();
        if (w.version == 0)
            w.version = 1;
        webhooks_.push_back(w);
        return w;
    }
    void ui_edit(const std::string& id, const std::function<void(Webhook&)>& edit) {
        std::lock_guard lock(mutex_);
        auto* w = find(id);
        if (!w)
            throw std::runtime_error("no webhook " + id);
        edit(*w);
        ++w->version;
    }
    void ui_delete(const std::string& id) {
        std::lock_guard lock(mutex_);
        std::erase_if(webhooks_, [&id](const Webhook& w) { return w.id == id; });
    }
    std::vector<Webhook> all() const {
        std::lock_guard lock(mutex_);
        return webhooks_;
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
    Result<std::vector<Webhook>> list_webhooks() override {
        Call call(*this);
        std::lock_guard lock(mutex_);
        ++counts_.list;
        if (fail_list)
            return make_error(ErrorKind::transport, "connection refused");
        return masked(webhooks_);
    }
    Result<std::vector<Webhook>> search_webhooks(std::string_view name) override {
        Call call(*this);
        std::lock_guard lock(mutex_);
        ++counts_.search;
        std::vector<Webhook> out;
        for (const auto& w : webhooks_)
            if (w.name == name)
                out.push_back(w);
        return masked(out);
    }
    Result<Webhook> get_webhook(std::string_view id) override {
        Call call(*this);
        std::lock_guard lock(mutex_);
        ++counts_.get;
        auto* w = find(std::string(id));
        if (!w)
            return make_error(ErrorKind::not_found, "webhook not found", {.http_status = 404});
        return masked(*w);
    }
    Result<Webhook> create_webhook(const Webhook& body) override {
        Call call(*this);
        if (on_create)
            on_create(body);
        std::lock_guard lock(mutex_);
        ++counts_.create;
        if (refuse_create.contains(body.name))
            return make_error(ErrorKind::invalid_input, "endpointUrl is not acceptable",
                              {.http_status = 400, .api_code = "bad.request"});
        if (lose_create_before_commit > 0) {
            --lose_create_before_commit;
            return make_error(ErrorKind::outcome_unknown, "connection reset before the answer");
        }
        Webhook w = body;
        w.id = next_id();
        w.version = 1;
        webhooks_.push_back(w);
        if (lose_create_answer_after_commit > 0) {
            --lose_create_answer_after_commit;
            return make_error(ErrorKind::outcome_unknown,
                              "connection reset after the request was sent");
        }
        return masked(w);
    }
    Result<Webhook> update_webhook(const Webhook& body) override {
        Call call(*this);
        if (before_update)
            before_update(*this, body);
        std::lock_guard lock(mutex_);
        ++counts_.update;
        auto* w = find(body.id);
        if (!w)
            return make_error(ErrorKind::not_found, "webhook not found", {.http_status = 404});
        if (body.version != w->version)
            return make_error(ErrorKind::version_mismatch, "version does not match",
                              {.http_status = 409});
        const auto secret = body.secret ? body.secret : w->secret; // PUT without secret keeps it
        const auto version = w->version;
        *w = body;
        w->secret = secret;
        w->version = version + 1;
        return masked(*w);
    }
    Result<void> delete_webhook(std::string_view id) override {
        Call call(*this);
        std::lock_guard lock(mutex_);
        ++counts_.remove;
        if (fail_delete.contains(std::string(id)))
            return make_error(ErrorKind::tenant, "service unavailable", {.http_status = 503});
        if (!find(std::string(id)))
            return make_error(ErrorKind::not_found, "webhook not found", {.http_status = 404});
        std::erase_if(webhooks_, [&id](const Webhook& w) { return w.id == id; });
        return {};
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

    static Webhook masked(Webhook w) {
        w.secret.reset(); // the tenant never returns secrets by default
        return w;
    }
    static std::vector<Webhook> masked(std::vector<Webhook> all) {
        for (auto& w : all)
            w.secret.reset();
        return all;
    }
    Webhook* find(const std::string& id) {
        for (auto& w : webhooks_)
            if (w.id == id)
                return &w;
        return nullptr;
    }
    std::string next_id() { return "wh-" + std::to_string(++last_id_); }

    mutable std::mutex mutex_;
    std::vector<Webhook> webhooks_;
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
