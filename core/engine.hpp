// The reconcile engine: observes, decides (core/plan.hpp) and executes one
// cycle against a `Tenant` (SPEC §4a).
//
// Used by `plan`, `apply` and the daemon's loop, which keeps one Engine for
// its whole life so that per-webhook backoff survives between cycles. The
// engine runs at most `concurrency` tenant calls at once on the executor it
// is given (it starts no thread of its own); one webhook's failure is recorded in its result and never stops
// the others. Guarantees:
//  - only owned webhooks are updated or deleted; prune follows the plan;
//  - a create whose answer is lost is looked up by name before anything is
//    sent again, and what the lookup finds is taken as its own only when it
//    holds what was sent (one someone else made meanwhile is left alone, as
//    `adopt` says); every name about to be created is recorded in
//    state.json (without an id, with the fingerprint of the secret it will
//    send) in one write before the first create is sent, so that even a
//    crash between the tenant's commit and ours cannot lead to a second
//    webhook of that name, nor lose which secret it was given;
//  - no two writes of one name run in a cycle, at once or one after the
//    other: a plan that holds them is refused for that name;
//  - an update sends the version it read; a version mismatch re-reads,
//    re-plans that one webhook and tries again, a bounded number of times
//    (a mismatch met by the client's resend of an update whose answer was
//    lost, with a re-read that matches, is the update made: reported done);
//  - a failed webhook is retried with exponential backoff (1 s doubling to
//    5 min, full jitter), reset on success;
//  - no write is made when the plan has no change, and state.json is only
//    rewritten when ownership or what was applied changes;
//  - secret values go from the SecretStore to the tenant and nowhere else;
//  - an update that replaces a secret it knows it sent records a rotation
//    (the previous fingerprint, valid until now + the item's grace) in
//    state.json; a rotation that has ended is dropped from state.json at
//    the next cycle, and its kept previous value deleted once that is saved.
// Time and randomness are injected; nothing here reads a global clock.
#pragma once

#include "core/backoff.hpp"
#include "core/error.hpp"
#include "core/executor.hpp"
#include "core/plan.hpp"
#include "core/secret_rotation.hpp"
#include "core/secret_store.hpp"
#include "core/state_store.hpp"
#include "core/tenant.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hookwarden {


/// Checks that an endpoint URL answers (daemon/endpoint_probe.hpp has the
/// real one). Must be safe to call from several threads at once.
class EndpointProbe {
  public:
    virtual ~EndpointProbe() = default;
    /// Succeeds when the endpoint answered; the error says why not.
    virtual Result<void> probe(std::string_view url) = 0;
};

enum class EndpointCheck {
    warn,   ///< `plan --check-endpoints`: a failed probe becomes a warning of the item
    refuse, ///< `apply --check-endpoints`: a failed probe turns a write into an error
};

/// Probes the endpoint of every item that would create or update a webhook
/// (each distinct URL once, at most `concurrency` at a time on `executor`)
/// and records the outcome in the plan as `mode` says.
void check_endpoints(Plan& plan, EndpointProbe& probe, EndpointCheck mode, Executor& executor,
                     int concurrency);

struct EngineOptions {
    int concurrency = 4;          ///< tenant calls in flight at most
    int max_conflict_retries = 3; ///< re-reads after a version mismatch, per item and cycle
    int max_create_sends = 2;     ///< sends of one create, each after a lookup found nothing
    std::chrono::milliseconds backoff_base{1000};
    std::chrono::milliseconds backoff_cap{5 * 60 * 1000};
    /// How long the tenant's trigger topics are kept between cycles (SPEC §8);
    /// a trigger naming a topic the kept list lacks reads it again at once.
    std::chrono::seconds topics_max_age{3600};
    /// The time of day rotations start and end at. Without one (tests and
    /// benchmarks that do not care) no rotation is recorded or ended, and
    /// the plan lists every rotation state.json holds.
    WallClock wall_clock;
};

/// What happened to one plan item.
enum class ItemOutcome {
    done,      ///< created, updated, adopted or deleted as planned
    unchanged, ///< nothing needed doing (also: a re-read found it already right)
    retained,  ///< owned, left the manifests, kept
    failed,    ///< the tenant or a secret source failed; retried with backoff
    refused,   ///< a conflict or an error in the plan: not attempted
    deferred,  ///< still backing off from an earlier failure: not attempted this cycle
};

const char* to_string(ItemOutcome outcome) noexcept;

struct ItemResult {
    std::string name;
    ResourceKind kind = ResourceKind::webhook;
    PlanAction action = PlanAction::unchanged; ///< what was done in the end
    ChangeCause cause = ChangeCause::none;
    ItemOutcome outcome = ItemOutcome::unchanged;
    std::string id;                   ///< the tenant id afterwards, when known
    std::vector<FieldChange> changes; ///< what was sent (after any re-plan)
    std::string note;                 ///< e.g. "the create's answer was lost; found it by name"
    std::optional<Error> error;
    std::optional<std::chrono::steady_clock::time_point> retry_at; ///< failed or deferred
    int attempts = 0; ///< tenant writes sent for this item
};

struct CycleCounts {
    std::size_t created = 0, updated = 0, adopted = 0, deleted = 0, replaced = 0, unchanged = 0,
                retained = 0, failed = 0, conflicts = 0, deferred = 0;
};

struct CycleResult {
    std::vector<ItemResult> items; ///< in plan order
    CycleCounts counts;
    std::size_t manifest_errors = 0;
    std::string prune_blocked_reason;   ///< from the plan; empty when prune was not blocked
    std::optional<Error> state_error;   ///< state.json could not be written

    /// Everything desired is in place: no failure, conflict, deferral,
    /// manifest error or state error.
    bool converged() const;
};

/// Counts `items` by outcome, those of `kind` only when one is given.
CycleCounts count_items(const std::vector<ItemResult>& items,
                        std::optional<ResourceKind> kind = std::nullopt);

/// Called as each item finishes (from worker threads, one call at a time).
using ItemObserver = std::function<void(const ItemResult&)>;

class Engine {
  public:
    /// Tenant calls run on `executor`, at most `options.concurrency` at
    /// once; an InlineExecutor runs them one by one, in plan order.
    /// `random` is called under a lock.
    Engine(Tenant& tenant, SecretStore& secrets, StateStore& state, Executor& executor,
           EngineOptions options, SteadyClock clock, RandomSource random);

    /// Lists the tenant (all pages of every kind that is desired or owned),
    /// reads state.json, inspects every desired secret and, when triggers
    /// are desired, the tenant's topics (kept for `topics_max_age`), then
    /// decides. Writes nothing anywhere. Fails when the tenant cannot be
    /// listed or the state cannot be read.
    Result<Plan> plan(const DesiredState& desired, const PlanOptions& options);

    /// Executes `plan`, which must come from plan() of this engine's tenant
    /// and state (the state lock must be held across both). Never fails as
    /// a whole: each item's result says what happened to it. A plan that
    /// writes one name more than once (make_plan never builds one) has every
    /// write of that name refused, so no two creates of a name ever run.
    CycleResult apply(const Plan& plan, const ItemObserver& observer = {});

    /// The earliest moment a failed webhook may be tried again, if any.
    std::optional<std::chrono::steady_clock::time_point> next_retry() const;

  private:
    class Journal;
    struct Backoff {
        int failures = 0;
        std::chrono::steady_clock::time_point retry_at{};
    };

    /// What apply() settles for an item before the items run.
    struct Prepared {
        /// Still backing off (decided once per cycle, at its start).
        std::optional<std::chrono::steady_clock::time_point> deferred_until;
        /// A create's secret, resolved before its intent is written so that
        /// the intent records the fingerprint of what will be sent; absent
        /// for a kind without secrets.
        std::optional<Result<std::string>> secret;
    };

    void read_topics(const std::vector<TriggerManifest>& triggers, PlanInput& input);

    struct Run;
    /// Finishes every item that writes nothing (and every write of a name
    /// written twice), and lists the rest with their backoff.
    void settle_items(Run& run);
    void resolve_create_secrets(Run& run);
    void write_create_intents(Run& run);

    ItemResult execute(const PlanItem& item, Journal& journal, Prepared prepared);
    ItemResult execute_create(const PlanItem& item, Journal& journal,
                              std::optional<Result<std::string>> value);
    /// Deletes the old resource, then creates the new one (its intent is
    /// written first, like a create's).
    ItemResult execute_replace(const PlanItem& item, Journal& journal,
                               std::optional<Result<std::string>> value);
    ItemResult execute_update(const PlanItem& item, Journal& journal);
    Result<void> send_update(const PlanItem& item, const std::optional<std::string>& secret);
    /// Whether a failed update may be read and planned again; when not, the
    /// error (and a note) is recorded in `out`.
    bool may_replan(const Error& error, int mismatches, ItemResult& out) const;
    Result<PlanItem> replan_after_mismatch(const PlanItem& planned, const std::string& id,
                                           const std::optional<OwnedResource>& owned,
                                           bool adopting, bool secret_chosen);
    ItemResult execute_remove(const PlanItem& item, Journal& journal);
    /// The secret `item` sends; `sent` is the fingerprint of the one the
    /// tenant holds, when known (see SecretStore::rotate).
    Result<std::string> secret_value(const PlanItem& item,
                                     const std::optional<std::string>& sent = std::nullopt);
    /// Deletes the kept previous secrets of `ended` rotations, unless this
    /// cycle started a new one for the name.
    void forget_ended_rotations(const std::vector<std::string>& ended, Journal& journal);

    std::optional<std::chrono::steady_clock::time_point>
    deferred_until(const ResourceKey& key, std::chrono::steady_clock::time_point now);
    std::chrono::steady_clock::time_point record_failure(const ResourceKey& key);
    void record_success(const ResourceKey& key);
    /// Drops the backoff of webhooks the plan does not write to: gone from
    /// it, or refused, retained or unchanged this cycle.
    void forget_backoff_except(const Plan& plan);

    Tenant& tenant_;
    SecretStore& secrets_;
    StateStore& state_;
    Executor& executor_;
    EngineOptions options_;
    SteadyClock clock_;
    RandomSource random_;

    mutable std::mutex backoff_mutex_;
    std::map<ResourceKey, Backoff> backoff_;

    std::optional<std::set<std::string>> topics_; ///< the tenant's trigger topics, when read
    std::chrono::steady_clock::time_point topics_read_at_{};
};

} // namespace hookwarden
