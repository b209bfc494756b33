// The tenant as the reconcile engine sees it: the calls of SPEC §5 as plain,
// blocking, thread-safe C++ functions.
//
// The engine in core/ only ever talks to this interface. The real
// implementation (daemon/tenant_http.*) speaks HTTPS to Genesys Cloud or the
// emulator and owns authentication, pacing, retries and paging; tests may
// substitute another implementation above the socket. Implementations must
// be safe to call from several threads at once: the engine runs up to
// `concurrency` calls in parallel.
#pragma once

#include "core/error.hpp"
#include "core/webhook.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hookwarden {

/// Delivery figures of one webhook over a query interval (analytics summary).
struct DeliveryMetrics {
    std::string webhook_id;
    std::int64_t success_count = 0;
    std::int64_t failure_count = 0;
    std::int64_t latency_count = 0; ///< deliveries with a latency figure
    std::int64_t latency_min_ms = 0;
    std::int64_t latency_max_ms = 0;
    std::int64_t latency_sum_ms = 0;
};

/// One audit trail entry. `raw` is the entry exactly as the tenant gave it,
/// so that snapshots store what the tenant said rather than our reading of it.
struct AuditEntry {
    std::string id;
    std::string action; ///< create | update | delete
    std::string entity_id;
    std::string timestamp; ///< RFC 3339
    boost::json::object raw;
};

struct AuditQuery {
    std::string entity_id; ///< empty: every webhook
    std::string interval;  ///< "START/END" in ISO 8601; empty: all time
    int page_size = 100;   ///< 1..500
};

class Tenant {
public:
    virtual ~Tenant() = default;

    /// Every webhook of the tenant, all pages, in the tenant's order.
    virtual Result<std::vector<Webhook>> list_webhooks() = 0;

    /// Webhooks whose name is exactly `name` (the tenant allows duplicates).
    virtual Result<std::vector<Webhook>> search_webhooks(std::string_view name) = 0;

    virtual Result<Webhook> get_webhook(std::string_view id) = 0;

    /// Creates a webhook from the client-writable fields of `body`. Never
    /// retried after the request may have reached the tenant: a lost answer
    /// comes back as ErrorKind::outcome_unknown, and the caller must look the
    /// name up before trying again.
    virtual Result<Webhook> create_webhook(const Webhook& body) = 0;

    /// Full replace of `body.id`, sending `body.version` as read. A stale
    /// version comes back as ErrorKind::version_mismatch. Without
    /// `body.secret` the tenant keeps the stored secret.
    virtual Result<Webhook> update_webhook(const Webhook& body) = 0;

    virtual Result<void> delete_webhook(std::string_view id) = 0;

    /// Delivery metrics for `ids` over `interval` ("START/END"), batched by
    /// the implementation as the API requires. Ids with no data are returned
    /// with zero counts.
    virtual Result<std::vector<DeliveryMetrics>>
    delivery_metrics(const std::vector<std::string>& ids, std::string_view interval) = 0;

    /// Audit entries matching `query`, all pages, oldest first.
    virtual Result<std::vector<AuditEntry>> audit_entries(const AuditQuery& query) = 0;
};

} // namespace hookwarden
