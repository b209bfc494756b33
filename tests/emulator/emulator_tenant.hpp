// The emulated Genesys Cloud tenant: all of its state and nothing about HTTP.
//
// One `Tenant` object owns the webhooks (in creation order), the Process
// Automation triggers (JSON objects in the API's shape, SPEC §8) with their
// topic list and the client's withdrawn permissions, issued access
// tokens, the audit trail, recorded deliveries, per-client rate-limit
// buckets, injected faults, request counters and the runtime settings. The
// routes (emulator_routes.*) turn HTTP requests into calls of this class;
// tests call it directly. Every public member is thread-safe (one mutex), and
// time comes from the injected clock, so that token expiry, rate limiting and
// audit intervals are testable without sleeping.
#pragma once

#include "core/error.hpp"
#include "core/webhook.hpp"
#include "tests/emulator/emulator_time.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hookwarden::emulator {

using Clock = std::function<TimePoint()>;

/// The emulator's knobs. All but the credentials can change at runtime.
struct Settings {
    std::string client_id = "demo-client";
    std::string client_secret = "demo-secret";
    std::chrono::seconds token_lifetime{86400};
    int rpm = 300;                        ///< sustained requests a minute per client id
    bool echo_secrets = false; ///< return `secret` in API answers
    /// Send the `inin-ratelimit-*` headers; off, the client must find the
    /// limit from 429s alone, as behind a tenant or proxy that hides them.
    bool rate_limit_headers = true;
};

/// A partial change of Settings (POST /_emulator/config).
struct SettingsChange {
    std::optional<int> rpm;
    std::optional<std::chrono::seconds> token_lifetime;
    std::optional<bool> echo_secrets;
    std::optional<bool> rate_limit_headers;
};

/// Who made a change: an API client (its client id) or the "UI".
struct Actor {
    std::string id;
    std::string name;
};

/// The actor of control-plane changes, standing for a person in the UI.
Actor ui_actor();

/// One delivery attempt of a webhook to its endpoint.
struct Delivery {
    TimePoint at;
    bool ok = true;
    std::optional<std::int64_t> latency_ms;
};

/// Health as SPEC §5 defines it, from deliveries sorted oldest first:
/// `unknown` before any delivery, `healthy` when the last one succeeded,
/// `failing` after 5 or more consecutive failures or when none ever
/// succeeded, `degraded` otherwise.
WebhookHealth health_of(const std::vector<Delivery>& deliveries);

/// Delivery figures of one time bucket (analytics summary).
struct MetricBucket {
    Interval interval;
    std::int64_t success_count = 0;
    std::int64_t failure_count = 0;
    std::int64_t latency_count = 0;
    std::int64_t latency_min_ms = 0;
    std::int64_t latency_max_ms = 0;
    std::int64_t latency_sum_ms = 0;
};

/// Buckets of `granularity` (the whole interval when absent) from
/// `interval.start`, holding the deliveries inside `interval`; empty buckets
/// are left out.
std::vector<MetricBucket> summarize(const std::vector<Delivery>& deliveries,
                                    const Interval& interval,
                                    std::optional<std::chrono::milliseconds> granularity);

struct AuditChange {
    std::string property;
    boost::json::value old_value; ///< null when the property did not exist
    boost::json::value new_value; ///< null when it no longer exists
};

struct AuditRecord {
    std::uint64_t sequence = 0; ///< strictly increasing, never reused (also not by reset)
    std::string id;
    std::string action; ///< create | update | delete
    std::string entity_id;
    TimePoint timestamp;
    Actor user;
    std::vector<AuditChange> changes;
};

struct AuditFilter {
    std::string entity_id;            ///< empty: every webhook
    std::vector<std::string> actions; ///< empty: every action
    std::optional<Interval> interval;
    std::uint64_t after_sequence = 0; ///< continue after this entry (paging)
    std::size_t page_size = 25;
};

struct AuditPage {
    std::vector<AuditRecord> entries;        ///< oldest first
    std::optional<std::uint64_t> next_after; ///< set when more entries match
};

enum class FaultAction { status, reset, hang, malformed, commit_then_reset };

const char* to_string(FaultAction action) noexcept;
std::optional<FaultAction> fault_action_from_string(std::string_view text) noexcept;

/// An injected failure for requests whose method and path match.
struct FaultRule {
    std::string method; ///< exact, e.g. "POST"; empty matches any method
    std::string path;   ///< ECMAScript regex searched in the path (no query)
    int count = 1;      ///< how many requests it still applies to
    FaultAction action = FaultAction::status;
    int status = 503;               ///< for `status`
    std::optional<int> retry_after; ///< seconds, for `status`
    double seconds = 10;            ///< for `hang`
};

/// A trigger as stored: the JSON the API shows (with `id`, `version` and
/// `selfUri`) and its place in creation order, which list cursors point at.
struct StoredTrigger {
    std::uint64_t sequence = 0; ///< strictly increasing, never reused (also not by reset)
    boost::json::object body;
};

/// The topics a tenant offers triggers when not told otherwise (contract of issue 14).
std::vector<std::string> default_trigger_topics();

/// The permissions the trigger API checks: view (GET), add (POST), edit
/// (PUT) and delete (DELETE), in that order.
const std::vector<std::string>& trigger_permissions();

/// The outcome of charging one request to a client's bucket.
struct RateDecision {
    bool admitted = true;
    int capacity = 0;            ///< the bucket's size (`inin-ratelimit-allowed`)
    int used = 0;                ///< capacity minus tokens left (`inin-ratelimit-count`)
    int reset_seconds = 0;       ///< until the bucket is full again (`inin-ratelimit-reset`)
    int retry_after_seconds = 0; ///< when refused: until one request is allowed
};

/// Capacity of a client's token bucket at `rpm`: ten seconds of budget,
/// at least one request. The bucket refills at rpm/60 a second, so a client
/// that never sends more than rpm/60 × (T + 10 s) requests in any window of
/// T seconds — in particular one paced at exactly `rpm` — never sees a 429.
int rate_capacity(int rpm) noexcept;

/// What every access token the emulator issues begins with (48 random hex
/// digits follow): a string that cannot occur by chance, so that a test can
/// look for tokens in output where none may appear (tests/security/).
inline constexpr std::string_view access_token_prefix = "hwemu-token-";

struct IssuedToken {
    std::string access_token;
    std::chrono::seconds expires_in{0};
};

struct Counters {
    std::map<std::string, std::int64_t> requests; ///< "METHOD /route/{id}" → count
    std::map<int, std::int64_t> statuses;         ///< answered status → count
    std::int64_t rate_limited = 0;                ///< 429s from the rate limiter
    std::int64_t writes = 0;                      ///< successful API creates, updates, deletes
    std::int64_t tokens_issued = 0;
    std::int64_t connections = 0; ///< TCP connections accepted (not cleared by reset)
};

class Tenant {
  public:
    explicit Tenant(Settings settings = {}, Clock clock = {});

    Tenant(const Tenant&) = delete;
    Tenant& operator=(const Tenant&) = delete;

    TimePoint now() const;
    Settings settings() const;
    /// Applies a change; a new rpm refills every bucket at the new capacity.
    Result<Settings> configure(const SettingsChange& change);
    /// A random UUID v4, e.g. for ids and correlation ids.
    std::string new_uuid();

    // --- OAuth ---------------------------------------------------------

    /// A new bearer token when the credentials match, else `unauthorized`.
    Result<IssuedToken> issue_token(std::string_view client_id, std::string_view client_secret);
    /// The client id a token was issued to; `unauthorized` when the token is
    /// unknown, revoked or expired (the message says which).
    Result<std::string> authenticate(std::string_view access_token) const;
    void revoke_tokens();

    /// Charges one request to `client_id`'s token bucket.
    RateDecision admit(const std::string& client_id);

    // --- Webhooks ------------------------------------------------------

    /// Every webhook in creation order, with health, secrets included.
    std::vector<Webhook> webhooks() const;
    std::vector<Webhook> find_by_name(std::string_view name) const;
    /// `not_found` for an unknown id.
    Result<Webhook> webhook(std::string_view id) const;
    /// The same without computing its health (left `unknown`), which reads
    /// all of its deliveries: for the delivery queue, which asks before
    /// every attempt and needs only the settings.
    Result<Webhook> webhook_settings(std::string_view id) const;

    /// Stores `body` as a new webhook: id (kept from `body` when set and
    /// unused, else a new UUID), version 1, dates, modifiedBy and selfUri
    /// are assigned here; health starts `unknown`. Audited as `create`.
    Result<Webhook> create(Webhook body, const Actor& by);

    /// Changes a webhook in place. `mutate` edits a copy under the lock (it
    /// must not call back into the Tenant); when it returns an error nothing
    /// changes. Server fields are then restored, version incremented,
    /// dateModified and modifiedBy set, and the change audited as `update`.
    using Mutation = std::function<Result<void>(Webhook& draft)>;
    Result<Webhook> modify(std::string_view id, const Actor& by, const Mutation& mutate);

    /// Deletes a webhook (audited as `delete`); `not_found` for an unknown id.
    Result<void> remove(std::string_view id, const Actor& by);

    // --- Process Automation triggers (not audited) ---------------------

    /// Every trigger in creation order.
    std::vector<StoredTrigger> triggers() const;
    /// `not_found` for an unknown id.
    Result<boost::json::object> trigger(std::string_view id) const;
    /// Stores `body` as a new trigger: `id` kept from `body` when it is a
    /// string and unused (`conflict` when used), else a new UUID; `version`
    /// 1 and `selfUri` are set here.
    Result<boost::json::object> create_trigger(boost::json::object body);
    /// Changes a trigger in place, like `modify` does a webhook: `mutate`
    /// edits a copy under the lock (no calls back into the Tenant), an error
    /// changes nothing; `id` and `selfUri` are then restored and `version`
    /// incremented.
    using TriggerMutation = std::function<Result<void>(boost::json::object& draft)>;
    Result<boost::json::object> modify_trigger(std::string_view id, const TriggerMutation& mutate);
    /// `not_found` for an unknown id.
    Result<void> remove_trigger(std::string_view id);

    /// What GET /api/v2/processautomation/triggers/topics lists.
    std::vector<std::string> trigger_topics() const;
    /// `invalid_input` unless every topic is unique and matches
    /// `^v2(\.[A-Za-z0-9_{}-]+)+$`; an empty list is allowed.
    Result<void> set_trigger_topics(std::vector<std::string> topics);

    // --- Permissions of the API client ----------------------------------

    /// Withdraws or restores one of `trigger_permissions()` (`invalid_input`
    /// for any other name); every client then lacks or holds it.
    Result<void> grant_permission(std::string_view permission, bool granted);
    bool has_permission(std::string_view permission) const;
    /// The withdrawn permissions, sorted.
    std::vector<std::string> denied_permissions() const;

    // --- Deliveries, analytics, audit ----------------------------------

    /// Records deliveries of an existing webhook (`not_found` otherwise).
    /// Deliveries outlive their webhook, as analytics history does.
    Result<void> record_deliveries(std::string_view id, const std::vector<Delivery>& deliveries);
    /// Deliveries of `id`, oldest first (none for an unknown id).
    std::vector<Delivery> deliveries(std::string_view id) const;

    AuditPage audit(const AuditFilter& filter) const;

    // --- Faults --------------------------------------------------------

    /// `invalid_input` when the path is not a valid regex or a field is out of range.
    Result<void> add_fault(FaultRule rule);
    /// The first rule matching, with one use taken from it (spent rules go away).
    std::optional<FaultRule> take_fault(std::string_view method, std::string_view path);
    std::vector<FaultRule> faults() const;
    void clear_faults();

    // --- Counters ------------------------------------------------------

    void count_request(const std::string& route);
    void count_status(int status);
    void count_rate_limited();
    void count_write();
    void count_connection();
    Counters counters() const;

    /// Forgets webhooks, triggers, tokens, audit, deliveries, buckets,
    /// faults and counters (all but `connections`); the default topics
    /// and every permission come back. Settings stay.
    void reset();

  private:
    struct StoredFault {
        FaultRule rule;
        std::regex path;
    };
    struct TokenInfo {
        std::string client_id;
        TimePoint expires_at;
        bool revoked = false;
    };
    struct Bucket {
        double tokens = 0;
        TimePoint refilled_at;
    };

    std::string new_uuid_locked();
    Webhook with_health_locked(Webhook webhook) const;
    void audit_locked(std::string action, const std::string& entity_id, const Actor& by,
                      std::vector<AuditChange> changes);

    mutable std::mutex mutex_;
    Clock clock_;
    Settings settings_;
    std::mt19937_64 random_;
    std::vector<Webhook> webhooks_; // creation order; health is computed on read
    std::vector<StoredTrigger> triggers_; // creation order
    std::uint64_t trigger_sequence_ = 0;
    std::vector<std::string> trigger_topics_ = default_trigger_topics();
    std::set<std::string, std::less<>> denied_permissions_;
    std::map<std::string, TokenInfo, std::less<>> tokens_;
    std::map<std::string, Bucket, std::less<>> buckets_;
    std::map<std::string, std::vector<Delivery>, std::less<>> deliveries_;
    std::vector<AuditRecord> audit_;
    std::uint64_t audit_sequence_ = 0;
    std::vector<StoredFault> faults_;
    Counters counters_;
};

} // namespace hookwarden::emulator
