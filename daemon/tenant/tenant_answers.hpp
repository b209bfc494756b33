// What the tenant API's answers mean (SPEC §5, §8): the Genesys error body
// and its mapping to ErrorKind, webhook pages, trigger and topic pages,
// analytics summaries and audit pages, and the request bodies of the two
// queries.
//
// Used by daemon/tenant_http.cpp and daemon/tenant_caller.cpp. Pure: JSON in,
// values or Errors out. Nothing the server sends can crash a reader here: a
// malformed answer becomes an ErrorKind::transport error that names the
// operation.
#pragma once

#include "core/error.hpp"
#include "core/tenant.hpp"
#include "core/trigger.hpp"
#include "core/webhook.hpp"
#include "daemon/net/https_client.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hookwarden {

/// Whether an error may quote the first line of an answer's body (errors
/// reach logs and status.json). A tenant may echo webhook secrets (SPEC §5),
/// so an answer to a request that sent one is never quoted (`withheld`);
/// nor, either way, is a body that mentions "secret" at all.
enum class BodyQuoting { allowed, withheld };

/// Parses a JSON answer body; malformed JSON, or a number beyond the range
/// of a double (1e999), is an error with `context`.
Result<boost::json::value> parse_json_answer(std::string_view body, const ErrorContext& context,
                                             BodyQuoting quoting = BodyQuoting::allowed);

/// The error for a non-2xx API answer. Reads the Genesys error body
/// (`message`, `code`, `contextId`) and `inin-correlation-id` into the
/// context; a body without `message` is quoted as `quoting` allows. 404 →
/// not_found; 409, or 400 whose message says "does not match the current
/// version" → version_mismatch; 401 → unauthorized; 429 → rate_limited;
/// anything else → tenant. A 403 names the permission the OAuth client
/// lacks: the body's `messageParams.permissions`, or the list in its
/// message, or else `permission`, the one the call needs (empty: none known).
Error api_error(const HttpAnswer& answer, ErrorContext context, BodyQuoting quoting = BodyQuoting::allowed,
                std::string_view permission = {});

/// Writes `(secret)` for every occurrence of `secret` in what `error`
/// quotes of an answer (message, code, contextId, correlation id): a server
/// may echo what a request sent it, and errors reach logs and status.json.
/// An empty `secret` changes nothing.
void redact_secret(Error& error, std::string_view secret);

/// Whether a `secret` in an answer is a placeholder rather than the secret
/// (empty, or masked with `*`): such a value is dropped, never written back.
bool secret_looks_masked(std::string_view secret);

/// Reads one webhook resource; a masked secret becomes std::nullopt.
Result<Webhook> read_webhook(const boost::json::value& json, const ErrorContext& context);

/// Reads `{"entities": [...]}` (search answers, list pages).
Result<std::vector<Webhook>> read_webhook_entities(const boost::json::value& json, const ErrorContext& context);

struct WebhookPage {
    std::vector<Webhook> entities;
    std::optional<std::int64_t> page_number;
    std::optional<std::int64_t> page_count;
    std::string next_uri;
};

Result<WebhookPage> read_webhook_page(const boost::json::value& json, const ErrorContext& context);

/// Reads one trigger resource.
Result<Trigger> read_trigger(const boost::json::value& json, const ErrorContext& context);

/// One page of a cursor-paged list: `nextUri` empty on the last page.
template <class Item> struct CursorPage {
    std::vector<Item> entities;
    std::string next_uri;
};

/// Reads a page of `GET /api/v2/processautomation/triggers`.
Result<CursorPage<Trigger>> read_trigger_page(const boost::json::value& json, const ErrorContext& context);

/// Reads a page of `GET /api/v2/processautomation/triggers/topics`: topic
/// names as plain strings.
Result<CursorPage<std::string>> read_topic_page(const boost::json::value& json, const ErrorContext& context);

/// The analytics summary query for up to 100 ids.
boost::json::object analytics_request(std::span<const std::string> ids, std::string_view interval);

/// Adds the figures of one analytics answer to `by_id` (ids not in the map
/// are ignored; several intervals are summed, min/max combined).
Result<void> add_delivery_metrics(const boost::json::value& json, std::map<std::string, DeliveryMetrics>& by_id,
                                  const ErrorContext& context);

/// The audit query for one page: `page_token` null on the first.
boost::json::object audit_request(const AuditQuery& query, const std::optional<std::string>& page_token);

struct AuditPage {
    std::vector<AuditEntry> entries;
    std::optional<std::string> next_page_token; ///< absent, null or empty: the last page
};

Result<AuditPage> read_audit_page(const boost::json::value& json, const ErrorContext& context);

} // namespace hookwarden
