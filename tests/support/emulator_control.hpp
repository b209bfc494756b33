// A small synchronous HTTPS client for tests: the tenant emulator's control
// plane (/_emulator/...) as typed calls, and raw requests to its API.
//
// It sends through hookwarden's one HTTPS client (daemon/net's HttpsClient):
// the emulator's certificate is verified against the emulator's CA (on top
// of the system store) and the host name, like hookwarden does, and one
// keep-alive connection stays open between requests (reconnecting when the
// server closed it). It shares the transport only, not the tenant client:
// no paths, tokens or retries of daemon/tenant observe themselves here.
// One object per thread.
//
//     EmulatorControl control(emulator);
//     control.add_fault({.method = "POST", .path = "^/api/v2/webhooks$", .action = "status",
//                        .status = 503, .retry_after = 2});
//     auto answer = control.api("GET", "/api/v2/webhooks?pageSize=100");
//     CHECK(answer->status == 200);
//     CHECK(control.request_count("POST /api/v2/webhooks") == 1);
#pragma once

#include "core/error.hpp"
#include "core/webhook.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hookwarden::test {

class EmulatorProcess;

/// One HTTP answer, as received.
struct HttpAnswer {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    /// The first header named `name` (case-insensitive), or "" when absent.
    std::string header(std::string_view name) const;
    /// The body as JSON (null for an empty body); throws ErrorException
    /// (invalid_input) when it is not JSON.
    boost::json::value json() const;
};

/// An injected failure (POST /_emulator/faults).
struct FaultSpec {
    std::string method;             ///< e.g. "POST"; empty: any method
    std::string path;               ///< ECMAScript regex over the path, e.g. "^/api/v2/webhooks$"
    std::string action = "status";  ///< status | reset | hang | malformed | commit-then-reset
    int count = 1;                  ///< how many matching requests it hits
    int status = 503;               ///< for "status"
    std::optional<int> retry_after; ///< seconds, for "status": adds Retry-After
    std::optional<double> seconds;  ///< for "hang" (default 10)
};

/// One delivery attempt (POST /_emulator/webhooks/{id}/deliveries).
struct DeliverySpec {
    bool ok = true;
    std::optional<std::int64_t> latency_ms;
    std::string at; ///< RFC 3339; empty: now
};

/// Events to fire (POST /_emulator/events).
struct EventSpec {
    std::string event_type = "user:login";
    int count = 1;
    boost::json::object event; ///< members merged over each event's body, e.g. {"actor": null}
};

/// A runtime settings change (POST /_emulator/config); unset fields stay.
struct ConfigChange {
    std::optional<int> rpm;
    std::optional<bool> echo_secrets;
    /// false: no `inin-ratelimit-*` headers, as `--no-ratelimit-headers`.
    std::optional<bool> rate_limit_headers;
};

class EmulatorControl {
  public:
    /// Talks to the emulator at host:port, trusting `ca_file` (and the system store).
    EmulatorControl(std::string host, std::uint16_t port, std::filesystem::path ca_file);
    explicit EmulatorControl(const EmulatorProcess& emulator);
    ~EmulatorControl();

    EmulatorControl(const EmulatorControl&) = delete;
    EmulatorControl& operator=(const EmulatorControl&) = delete;

    /// Deadline of one whole request (connect, TLS, write, read); default 10 s.
    void set_timeout(std::chrono::milliseconds timeout);
    /// Credentials used by fetch_token() and api(); default demo-client/demo-secret.
    void set_credentials(std::string client_id, std::string client_secret);

    // --- Raw HTTP ------------------------------------------------------

    /// Sends one request and returns the answer, whatever its status.
    /// Transport failures (refused, TLS, reset, timeout, closed without an
    /// answer) come back as an Error of kind transport or timeout.
    Result<HttpAnswer> request(std::string_view method, std::string_view target,
                               std::string body = {},
                               std::vector<std::pair<std::string, std::string>> headers = {});

    /// POST /oauth/token with HTTP Basic credentials; the access token.
    Result<std::string> fetch_token();
    /// An API request with `Authorization: Bearer` (a token is fetched on
    /// first use and kept; forget_token() drops it). A JSON body is sent
    /// with Content-Type application/json.
    Result<HttpAnswer> api(std::string_view method, std::string_view target,
                           std::optional<boost::json::value> body = std::nullopt);
    void forget_token();

    // --- JSON calls (throw ErrorException on transport failure or non-2xx) ---

    boost::json::value get(std::string_view path);
    boost::json::value post(std::string_view path, const boost::json::value& body = nullptr);
    boost::json::value patch(std::string_view path, const boost::json::value& body);
    boost::json::value del(std::string_view path);

    // --- The control plane ---------------------------------------------

    /// Clears webhooks, triggers, tokens, audit, counters, faults and
    /// deliveries; the default trigger topics and every permission come back.
    void reset();
    /// Makes every issued token answer 401.
    void revoke_tokens();
    /// {"webhooks": [...]} with secrets.
    boost::json::object state();
    /// The webhooks of state(), parsed.
    std::vector<Webhook> webhooks();
    /// The names of webhooks(), sorted (a name the tenant holds twice
    /// appears twice).
    std::vector<std::string> webhook_names();
    /// The webhooks of webhooks() named exactly `name`.
    std::vector<Webhook> webhooks_named(std::string_view name);
    /// {"requests": {...}, "statuses": {...}, "rateLimited", "writes", "tokensIssued",
    /// "connections"}.
    boost::json::object counters();
    /// counters().requests[route], 0 when absent; route like "PUT /api/v2/webhooks/{id}".
    std::int64_t request_count(std::string_view route);
    /// The fault as the emulator stored it.
    boost::json::object add_fault(const FaultSpec& fault);
    /// Faults not yet spent.
    boost::json::array faults();
    void clear_faults();
    /// Creates a webhook as if made in the UI (modifiedBy "ui-user"); the
    /// body's id is kept when set. No validation beyond the JSON shape.
    Webhook insert_webhook(const Webhook& webhook);
    Webhook insert_webhook(const boost::json::object& body);
    /// Changes some fields as if edited in the UI (version + 1, audited).
    Webhook drift(std::string_view id, const boost::json::object& changes);
    /// Deletes a webhook as if from the UI (audited).
    void delete_webhook_as_ui(std::string_view id);
    /// Records deliveries; returns {"recorded": n, "health": {...}}.
    boost::json::object record_deliveries(std::string_view id,
                                          const std::vector<DeliverySpec>& deliveries);
    /// Fires events at every enabled webhook subscribed to their type;
    /// returns the number of deliveries queued.
    std::int64_t fire_events(const EventSpec& events);
    /// {"queued", "inFlight", "succeeded", "failed", "attempts", "dropped",
    /// "webhooks": {"<id>": {"succeeded", "failed", "attempts"}}}.
    boost::json::object deliveries();
    /// Polls deliveries() until nothing is queued or in flight and returns
    /// that last answer; throws ErrorException (timeout) when `timeout` passes first.
    boost::json::object wait_for_deliveries(std::chrono::milliseconds timeout = std::chrono::seconds(30));
    /// Changes settings at runtime; returns all of them.
    boost::json::object set_config(const ConfigChange& change);

    // --- Process Automation triggers (SPEC §8) --------------------------

    /// Creates a trigger as if made in the UI (unowned) and returns its id.
    /// The body is a trigger in the API's shape; its "id" is kept when
    /// set. Only the shape is checked: a topic off the list or a value out
    /// of range is stored as given.
    std::string insert_trigger(const boost::json::object& trigger);
    /// Changes fields behind the client's back — any of name, topicName,
    /// target (merged member by member), matchCriteria, enabled,
    /// eventTTLSeconds, delayBySeconds, description; null removes the
    /// optional ones — and bumps the version. Returns the trigger.
    boost::json::object drift_trigger(std::string_view id, const boost::json::object& patch);
    /// Deletes a trigger as if from the UI.
    void delete_trigger_as_ui(std::string_view id);
    /// Every trigger the tenant holds, in creation order, as the API shows them.
    std::vector<boost::json::object> triggers();
    /// The names of triggers(), sorted (a name held twice appears twice).
    std::vector<std::string> trigger_names();
    /// The triggers of triggers() named exactly `name`.
    std::vector<boost::json::object> triggers_named(std::string_view name);
    /// Replaces what GET /api/v2/processautomation/triggers/topics lists.
    void set_trigger_topics(const std::vector<std::string>& topics);
    /// Withdraws one of processautomation:trigger:view, :add, :edit,
    /// :delete (spelled out) from the API client: its calls then get 403.
    void deny_permission(std::string_view permission);
    /// Gives a withdrawn permission back.
    void allow_permission(std::string_view permission);

  private:
    struct Connection;

    boost::json::value expect_json(std::string_view method, std::string_view path,
                                   const boost::json::value* body);

    std::string host_;
    std::uint16_t port_;
    std::filesystem::path ca_file_;
    std::chrono::milliseconds timeout_{10'000};
    std::string client_id_ = "demo-client";
    std::string client_secret_ = "demo-secret";
    std::string token_;
    std::unique_ptr<Connection> connection_;
};

} // namespace hookwarden::test
