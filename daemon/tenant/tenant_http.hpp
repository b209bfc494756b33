// The tenant over HTTPS: hookwarden's implementation of `Tenant` for Genesys
// Cloud and the emulator (SPEC §5), webhooks and Process Automation
// triggers (SPEC §8).
//
// Owns authentication (OAuth client credentials, one cached token, one
// refresh at a time), pacing (`requests_per_minute`, tightened by the
// tenant's `inin-ratelimit-*` headers; a 429 pauses the whole client for its
// `Retry-After`), honest retries (idempotent calls only; a create whose
// answer is lost is ErrorKind::outcome_unknown), paging (all pages of the
// lists and the audit trail, defended against servers that never end or
// loop) and the reading of answers; a 403 names the missing permission. Peer and host-name verification are always on.
//
// Every method blocks and is thread-safe; at most `concurrency` requests are
// in flight. Errors carry the operation, HTTP status, API code, contextId,
// correlation id and attempts; no error or log line ever carries the client
// secret or a token. This header is light: Beast and Asio stay in
// daemon/https_client.cpp (tenant_caller.hpp, included for the counters,
// is plain C++ too).
#pragma once

#include "core/error.hpp"
#include "core/tenant.hpp"
#include "core/trigger.hpp"
#include "daemon/tenant/tenant_caller.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hookwarden {

struct TenantHttpOptions {
    std::string api_base;      ///< https://api.mypurecloud.com, or a prefix such as https://proxy/genesys
    std::string token_url;     ///< https://login.mypurecloud.com/oauth/token
    std::string ca_file;       ///< extra PEM trust anchors; empty: the system store only
    std::string client_id;
    std::string client_secret; ///< sent to the token endpoint, nowhere else
    int concurrency = 4;       ///< requests in flight at most
    int requests_per_minute = 300;
    std::chrono::milliseconds connect_timeout{5000};  ///< resolve + TCP + TLS handshake
    std::chrono::milliseconds request_timeout{30000}; ///< send + complete answer
    std::chrono::seconds max_retry_after{180}; ///< a 429 asking for longer fails the call (rate_limited)
    std::chrono::milliseconds default_retry_after{3000}; ///< a 429 without Retry-After
    int max_rate_limit_waits = 10;                    ///< 429 pauses one call sits out
    std::chrono::milliseconds backoff_base{1000};     ///< full jitter: [0, min(cap, base·2^n)]
    std::chrono::milliseconds backoff_cap{60000};
    int max_attempts = 5;                             ///< sends of one idempotent call
    std::chrono::milliseconds max_retry_time{120000}; ///< no retry starts later than this after the first send
    std::chrono::seconds token_refresh_margin{60};
    int max_pages = 1000; ///< a list or audit walk longer than this fails
    /// Optional debug lines (never secrets or tokens), called from the
    /// calling threads and the client's I/O thread: must be thread-safe.
    std::function<void(std::string_view)> log;
};

class TenantHttp final : public Tenant {
public:
    /// Reads the URLs (https only), loads the trust store, starts the I/O
    /// thread. Fails with invalid_input on a bad URL or CA file.
    static Result<std::unique_ptr<TenantHttp>> create(TenantHttpOptions options);

    /// The same client over another transport, clock and random source:
    /// for tests that script the tenant and the time.
    static Result<std::unique_ptr<TenantHttp>> create(TenantHttpOptions options,
                                                      std::unique_ptr<HttpsTransport> transport,
                                                      std::shared_ptr<RetryClock> clock,
                                                      std::function<std::uint64_t()> random);

    ~TenantHttp() override;
    TenantHttp(const TenantHttp&) = delete;
    TenantHttp& operator=(const TenantHttp&) = delete;

    // The engine's kind-neutral calls (core/tenant.hpp): each goes to the
    // typed call of its kind below (tenant_resources.cpp).
    Result<std::vector<TenantResource>> list(ResourceKind kind) override;
    Result<std::vector<TenantResource>> find_named(ResourceKind kind,
                                                   std::string_view name) override;
    Result<TenantResource> get(ResourceKind kind, std::string_view id) override;
    Result<TenantResource> create(const TenantResource& body) override;
    Result<TenantResource> update(const TenantResource& body) override;
    Result<void> remove(ResourceKind kind, std::string_view id) override;
    Result<std::vector<DeliveryMetrics>> delivery_metrics(const std::vector<std::string>& ids,
                                                          std::string_view interval) override;
    Result<std::vector<AuditEntry>> audit_entries(const AuditQuery& query) override;

    // Webhooks (SPEC §5).
    Result<std::vector<Webhook>> list_webhooks();
    Result<std::vector<Webhook>> search_webhooks(std::string_view name);
    Result<Webhook> get_webhook(std::string_view id);
    Result<Webhook> create_webhook(const Webhook& body);
    Result<Webhook> update_webhook(const Webhook& body);
    Result<void> delete_webhook(std::string_view id);

    // Process Automation triggers (SPEC §8). The OAuth client needs
    // processautomation:trigger:view (GETs), :add (POST), :edit (PUT) and
    // :delete (DELETE); a 403 names the one it lacks.

    /// Every trigger, following the `nextUri` cursor in pages of 200.
    Result<std::vector<Trigger>> list_triggers();

    /// The triggers named exactly `name`. There is no search call: this is
    /// the whole list, filtered (the lookup after a lost create).
    Result<std::vector<Trigger>> find_triggers_named(std::string_view name);

    /// One trigger; an unknown id is ErrorKind::not_found.
    Result<Trigger> get_trigger(std::string_view id);

    /// Creates `body` (its id and version are ignored); the tenant answers
    /// 200 with the trigger at version 1. A create whose answer is lost, or
    /// accepted but unreadable, is ErrorKind::outcome_unknown and is never
    /// sent again: the caller looks the name up first.
    Result<Trigger> create_trigger(const Trigger& body);

    /// Replaces the trigger `body.id` with `body`, carrying `body.version`;
    /// a stale version is ErrorKind::version_mismatch.
    Result<Trigger> update_trigger(const Trigger& body);

    Result<void> delete_trigger(std::string_view id);

    /// The topics a trigger may listen to, following the cursor.
    Result<std::vector<std::string>> trigger_topics() override;

    /// Abandons the requests in flight and ends every wait at once (SIGTERM);
    /// they, and every later call, return ErrorKind::cancelled. Final.
    void cancel();

    /// Closes the connections kept alive for the next call (see
    /// HttpsTransport::close_idle_connections): for a caller that will not
    /// call again for a while, such as the daemon between cycles.
    void close_idle_connections();

    /// TenantHttpCounters is defined with the caller that counts
    /// (daemon/tenant_caller.hpp).
    TenantHttpCounters counters() const;

    struct Impl;

private:
    explicit TenantHttp(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace hookwarden
