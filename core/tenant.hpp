// The tenant as the reconcile engine sees it: the calls of SPEC §5 and §8 as
// plain, blocking, thread-safe C++ functions.
//
// The engine in core/ only ever talks to this interface. The real
// implementation (daemon/tenant_http.*) speaks HTTPS to Genesys Cloud or the
// emulator and owns authentication, pacing, retries and paging; tests may
// substitute another implementation above the socket. Implementations must
// be safe to call from several threads at once: the engine runs up to
// `concurrency` calls in parallel.
#pragma once

#include "core/error.hpp"
#include "core/resource.hpp"

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

    /// Every resource of `kind`, all pages, in the tenant's order.
    virtual Result<std::vector<TenantResource>> list(ResourceKind kind) = 0;

    /// The resources of `kind` named exactly `name` (the tenant allows
    /// duplicates): the lookup after a create whose answer was lost. For
    /// webhooks a search; triggers have no search call, so it is a list
    /// filtered by name.
    virtual Result<std::vector<TenantResource>> find_named(ResourceKind kind,
                                                           std::string_view name) = 0;

    virtual Result<TenantResource> get(ResourceKind kind, std::string_view id) = 0;

    /// Creates a resource from the client-writable fields of `body` (its
    /// alternative says the kind). Never retried after the request may have
    /// reached the tenant: a lost answer comes back as
    /// ErrorKind::outcome_unknown, and the caller must look the name up
    /// before trying again.
    virtual Result<TenantResource> create(const TenantResource& body) = 0;

    /// Full replace of the body's id, sending the version as read. A stale
    /// version comes back as ErrorKind::version_mismatch. A webhook without
    /// `secret` keeps the stored secret.
    virtual Result<TenantResource> update(const TenantResource& body) = 0;

    /// Deletes; a resource already gone is ErrorKind::not_found.
    virtual Result<void> remove(ResourceKind kind, std::string_view id) = 0;

    /// The event topics triggers may listen to (SPEC §8), all pages.
    virtual Result<std::vector<std::string>> trigger_topics() = 0;

    /// Delivery metrics for `ids` over `interval` ("START/END"), batched by
    /// the implementation as the API requires. Ids with no data are returned
    /// with zero counts.
    virtual Result<std::vector<DeliveryMetrics>>
    delivery_metrics(const std::vector<std::string>& ids, std::string_view interval) = 0;

    /// Audit entries matching `query`, all pages, oldest first.
    virtual Result<std::vector<AuditEntry>> audit_entries(const AuditQuery& query) = 0;
};

} // namespace hookwarden
