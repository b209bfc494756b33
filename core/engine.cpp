#include "core/engine.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <iterator>
#include <set>
#include <stdexcept>
#include <utility>

namespace hookwarden {

namespace {

// Runs fn(0) .. fn(count - 1) in at most `lanes` lanes on `executor` and
// waits for all. A lane takes the next index when it finishes one, so a slow
// item never holds back the rest, and at most `lanes` items (tenant calls)
// are under way at once whatever the executor's width. An exception (a
// broken invariant) reaches the caller through the executor.
void run_in_lanes(Executor& executor, std::size_t count, int lanes,
                  const std::function<void(std::size_t)>& fn) {
    if (count == 0)
        return;
    const std::size_t width = std::min<std::size_t>(
        {count, static_cast<std::size_t>(std::max(1, lanes)), std::max<std::size_t>(1, executor.width())});
    std::atomic<std::size_t> next{0};
    executor.run(width, [&](std::size_t) {
        for (std::size_t i = next++; i < count; i = next++)
            fn(i);
    });
}

// Errors after which a create certainly did not happen: the tenant answered
// and refused. Anything else (lost answer, timeout, reset, 5xx) may hide a
// committed create.
bool create_definitely_failed(const Error& error) {
    switch (error.kind) {
    case ErrorKind::invalid_input:
    case ErrorKind::unauthorized:
    case ErrorKind::rate_limited:
    case ErrorKind::conflict:
        return true;
    case ErrorKind::tenant:
        return error.context.http_status >= 400 && error.context.http_status < 500;
    default:
        return false;
    }
}

// The grace of a rotation `item` starts. The plan sets it; an item whose
// secret was only chosen by a re-plan after a version mismatch falls back
// on the default tolerance, as it has no other.
std::chrono::seconds rotation_grace_of(const PlanItem& item) {
    if (item.rotation_grace)
        return *item.rotation_grace;
    return rotation_grace(webhook_manifest(*item.desired)->retry_policy,
                          default_rotation_tolerance);
}

Error with_name(Error error, const std::string& name) {
    if (error.context.webhook.empty())
        error.context.webhook = name;
    return error;
}

// Names more than one item of `plan` writes. The executor's guard keyed by
// name, not by id: two creates have no id yet, and running both (at once or
// in turn) is how one name becomes two webhooks.
std::set<ResourceKey> names_written_twice(const Plan& plan) {
    std::set<ResourceKey> written, twice;
    for (const auto& item : plan.items)
        if (item.writes() && !written.insert(item.key()).second)
            twice.insert(item.key());
    return twice;
}

ItemResult refuse_second_write(const PlanItem& item) {
    ItemResult out{.name = item.name,
                   .kind = item.kind,
                   .action = PlanAction::error,
                   .cause = item.cause,
                   .outcome = ItemOutcome::refused,
                   .id = item.id};
    out.note = "the plan writes " + item.name +
               " more than once; none of its writes is sent (this is a bug in the planner)";
    out.error = make_error(ErrorKind::internal, out.note, ErrorContext{.webhook = item.name});
    return out;
}

} // namespace

const char* to_string(ItemOutcome outcome) noexcept {
    switch (outcome) {
    case ItemOutcome::done:
        return "done";
    case ItemOutcome::unchanged:
        return "unchanged";
    case ItemOutcome::retained:
        return "retained";
    case ItemOutcome::failed:
        return "failed";
    case ItemOutcome::refused:
        return "refused";
    case ItemOutcome::deferred:
        return "deferred";
    }
    return "failed";
}

bool CycleResult::converged() const {
    return counts.failed == 0 && counts.conflicts == 0 && counts.deferred == 0 &&
           manifest_errors == 0 && !state_error;
}

// ---------------------------------------------------------------------------
// Endpoint checks

void check_endpoints(Plan& plan, EndpointProbe& probe, EndpointCheck mode, Executor& executor,
                     int concurrency) {
    // Only webhooks have an endpoint: a trigger's target is a workflow.
    auto endpoint_of = [](const PlanItem& item) -> const std::string* {
        const WebhookManifest* webhook =
            item.desired && item.writes() ? webhook_manifest(*item.desired) : nullptr;
        return webhook ? &webhook->endpoint_url : nullptr;
    };
    std::vector<std::string> urls;
    for (const auto& item : plan.items)
        if (const std::string* url = endpoint_of(item))
            urls.push_back(*url);
    std::sort(urls.begin(), urls.end());
    urls.erase(std::unique(urls.begin(), urls.end()), urls.end());

    std::vector<std::optional<Error>> failures(urls.size());
    run_in_lanes(executor, urls.size(), concurrency, [&](std::size_t i) {
        if (auto probed = probe.probe(urls[i]); !probed)
            failures[i] = probed.error();
    });

    for (auto& item : plan.items) {
        const std::string* url = endpoint_of(item);
        if (!url)
            continue;
        const auto at = std::lower_bound(urls.begin(), urls.end(), *url);
        const auto& failure = failures[static_cast<std::size_t>(at - urls.begin())];
        if (!failure)
            continue;
        const std::string what = "endpoint " + *url +
                                 " did not answer a probe: " + failure->message;
        if (mode == EndpointCheck::warn) {
            item.warnings.push_back(what);
            continue;
        }
        item.action = PlanAction::error;
        item.reason = what + "; not applied because of --check-endpoints";
        item.error =
            make_error(ErrorKind::invalid_input, item.reason, ErrorContext{.webhook = item.name});
    }
}

// ---------------------------------------------------------------------------
// The journal: state.json as the cycle changes it, with group commit.
//
// Workers change entries and ask for durability; one of them writes the file
// for everyone who is waiting (a later write includes every earlier change),
// so a thousand creates do not mean a thousand serial fsyncs, yet none is
// sent before its name is on disk.
class Engine::Journal {
  public:
    Journal(StateStore& store, State state) : store_(store), state_(std::move(state)) {}

    std::optional<OwnedResource> get(const ResourceKey& key) const {
        std::lock_guard lock(mutex_);
        const auto& owned = state_.owned_of(key.kind);
        auto it = owned.find(key.name);
        if (it == owned.end())
            return std::nullopt;
        return it->second;
    }

    void set(const ResourceKey& key, OwnedResource entry) {
        std::lock_guard lock(mutex_);
        auto [it, inserted] = state_.owned_of(key.kind).try_emplace(key.name, entry);
        if (!inserted) {
            if (it->second == entry)
                return;
            it->second = std::move(entry);
        }
        ++changes_;
    }

    /// Restores `key` to `previous` (absent: not owned).
    void restore(const ResourceKey& key, const std::optional<OwnedResource>& previous) {
        if (previous) {
            set(key, *previous);
            return;
        }
        erase(key);
    }

    void erase(const ResourceKey& key) {
        std::lock_guard lock(mutex_);
        if (state_.owned_of(key.kind).erase(key.name) > 0)
            ++changes_;
    }

    /// Drops the rotations that have ended at `now`; returns their names.
    std::vector<std::string> drop_ended_rotations(std::chrono::system_clock::time_point now) {
        std::lock_guard lock(mutex_);
        auto ended = hookwarden::drop_ended_rotations(state_, now);
        if (!ended.empty())
            ++changes_;
        return ended;
    }

    /// Returns once every change made so far is on disk.
    Result<void> commit() {
        std::unique_lock lock(mutex_);
        const std::uint64_t wanted = changes_;
        while (durable_ < wanted) {
            if (writing_) {
                written_.wait(lock);
                continue;
            }
            writing_ = true;
            const State copy = state_;
            const std::uint64_t covers = changes_;
            lock.unlock();
            auto saved = store_.save(copy);
            lock.lock();
            writing_ = false;
            if (saved)
                durable_ = std::max(durable_, covers);
            written_.notify_all();
            if (!saved) {
                last_error_ = saved.error();
                return saved;
            }
        }
        return {};
    }

    /// Records that `key` is about to be created (no id yet) with the
    /// secret of fingerprint `fingerprint` (none for a kind without
    /// secrets), remembering what the entry was before so that a refused
    /// create can undo it.
    void intend_create(const ResourceKey& key, const std::string& digest,
                       std::optional<std::string> fingerprint) {
        {
            std::lock_guard lock(mutex_);
            const auto& owned = state_.owned_of(key.kind);
            auto it = owned.find(key.name);
            before_intent_.try_emplace(key, it == owned.end()
                                                ? std::nullopt
                                                : std::optional<OwnedResource>(it->second));
        }
        set(key, OwnedResource{"", digest, std::move(fingerprint)});
    }

    /// What a refused create of `key` restores.
    std::optional<OwnedResource> before_intent(const ResourceKey& key) const {
        std::lock_guard lock(mutex_);
        auto it = before_intent_.find(key);
        return it == before_intent_.end() ? std::nullopt : it->second;
    }

    /// After a replace deleted the old resource, a refused create leaves
    /// nothing owned: there is nothing left to restore.
    void forget_before_intent(const ResourceKey& key) {
        std::lock_guard lock(mutex_);
        before_intent_[key] = std::nullopt;
    }

    /// Why the intents could not be written, if they could not: then no
    /// create may be sent this cycle.
    std::optional<Error> intent_error;

    std::optional<Error> last_error() const {
        std::lock_guard lock(mutex_);
        return last_error_;
    }

  private:
    StateStore& store_;
    mutable std::mutex mutex_;
    std::condition_variable written_;
    State state_;
    std::uint64_t changes_ = 0;
    std::uint64_t durable_ = 0;
    bool writing_ = false;
    std::optional<Error> last_error_;
    std::map<ResourceKey, std::optional<OwnedResource>> before_intent_;
};

// ---------------------------------------------------------------------------
// Engine

Engine::Engine(Tenant& tenant, SecretStore& secrets, StateStore& state, Executor& executor,
               EngineOptions options, SteadyClock clock, RandomSource random)
    : tenant_(tenant), secrets_(secrets), state_(state), executor_(executor),
      options_(std::move(options)), clock_(std::move(clock)), random_(std::move(random)) {}

Result<Plan> Engine::plan(const DesiredState& desired, const PlanOptions& options) {
    PlanInput input;
    input.desired.reserve(desired.webhooks.size() + desired.triggers.size());
    input.desired.insert(input.desired.end(), desired.webhooks.begin(), desired.webhooks.end());
    input.desired.insert(input.desired.end(), desired.triggers.begin(), desired.triggers.end());
    input.duplicates = desired.duplicates;
    input.manifest_errors = desired.errors;
    input.options = options;
    if (options_.wall_clock)
        input.now = options_.wall_clock();
    auto state = state_.load();
    if (!state)
        return state.error();
    input.state = std::move(*state);

    // A kind is listed only when it is desired or owned: an organisation
    // without the tutorial's webhook API (or without Process Automation)
    // is never asked for what it does not have.
    for (const ResourceKind kind : all_resource_kinds) {
        const bool desired_kind = kind == ResourceKind::webhook ? !desired.webhooks.empty()
                                                                : !desired.triggers.empty();
        if (!desired_kind && input.state.owned_of(kind).empty())
            continue;
        auto observed = tenant_.list(kind);
        if (!observed)
            return observed.error();
        std::move(observed->begin(), observed->end(), std::back_inserter(input.observed));
    }
    if (!desired.triggers.empty())
        read_topics(desired.triggers, input);
    for (const auto& manifest : desired.webhooks)
        input.secrets.emplace(manifest.name, secrets_.inspect(manifest.name, manifest.secret_ref));
    return make_plan(input);
}

void Engine::read_topics(const std::vector<TriggerManifest>& triggers, PlanInput& input) {
    // Kept across cycles for topics_max_age, so that a no-op cycle costs no
    // topics request; read again at once when a trigger names a topic the
    // kept list lacks (it may be new in the organisation).
    const auto now = clock_();
    const bool fresh = topics_ && now - topics_read_at_ < options_.topics_max_age;
    const bool all_known = fresh && std::all_of(triggers.begin(), triggers.end(),
                                                [this](const TriggerManifest& trigger) {
                                                    return topics_->contains(trigger.topic_name);
                                                });
    if (!all_known) {
        auto listed = tenant_.trigger_topics();
        if (!listed) {
            input.topics_error = listed.error();
            return;
        }
        topics_ = std::set<std::string>(listed->begin(), listed->end());
        topics_read_at_ = now;
    }
    input.topics = *topics_;
}

namespace {

// Every item refused with `error`: nothing may be written when ownership
// is unknown (state.json unreadable).
CycleResult refuse_all(const Plan& plan, const Error& error) {
    CycleResult result;
    result.state_error = error;
    for (const auto& item : plan.items)
        result.items.push_back(ItemResult{.name = item.name,
                                          .kind = item.kind,
                                          .action = item.action,
                                          .cause = item.cause,
                                          .outcome = ItemOutcome::refused,
                                          .id = item.id,
                                          .error = error});
    result.counts.failed = plan.items.size();
    return result;
}

} // namespace

CycleCounts count_items(const std::vector<ItemResult>& items, std::optional<ResourceKind> kind) {
    CycleCounts counts;
    for (const auto& item : items) {
        if (kind && item.kind != *kind)
            continue;
        switch (item.outcome) {
        case ItemOutcome::done:
            if (item.action == PlanAction::create)
                ++counts.created;
            else if (item.action == PlanAction::update)
                ++counts.updated;
            else if (item.action == PlanAction::adopt)
                ++counts.adopted;
            else if (item.action == PlanAction::remove)
                ++counts.deleted;
            else if (item.action == PlanAction::replace)
                ++counts.replaced;
            break;
        case ItemOutcome::unchanged:
            ++counts.unchanged;
            break;
        case ItemOutcome::retained:
            ++counts.retained;
            break;
        case ItemOutcome::failed:
            ++counts.failed;
            break;
        case ItemOutcome::refused:
            if (item.action == PlanAction::conflict)
                ++counts.conflicts;
            else
                ++counts.failed;
            break;
        case ItemOutcome::deferred:
            ++counts.deferred;
            break;
        }
    }
    return counts;
}


/// One cycle's execution: the plan, its results slot by slot, the journal
/// and what each writing item was prepared with.
struct Engine::Run {
    const Plan& plan;
    CycleResult& result;
    Journal& journal;
    const ItemObserver& observer;
    std::mutex observer_mutex;
    std::vector<Prepared> prepared;
    std::vector<std::size_t> work;    ///< items that write, in plan order
    std::vector<std::size_t> creates; ///< the creates among them not backing off

    void finish(std::size_t index, ItemResult item_result) {
        result.items[index] = std::move(item_result);
        if (observer) {
            std::lock_guard lock(observer_mutex);
            observer(result.items[index]);
        }
    }
};

CycleResult Engine::apply(const Plan& plan, const ItemObserver& observer) {
    auto state = state_.load();
    if (!state)
        return refuse_all(plan, state.error());

    CycleResult result;
    result.manifest_errors = plan.manifest_errors;
    result.prune_blocked_reason = plan.prune.blocked ? plan.prune.reason : std::string();
    result.items.resize(plan.items.size());
    Journal journal(state_, std::move(*state));
    forget_backoff_except(plan);
    for (const auto& key : plan.forget)
        journal.erase(key);
    std::vector<std::string> ended_rotations;
    if (options_.wall_clock)
        ended_rotations = journal.drop_ended_rotations(options_.wall_clock());

    Run run{plan, result, journal, observer};
    settle_items(run);
    resolve_create_secrets(run);
    write_create_intents(run);
    run_in_lanes(executor_, run.work.size(), options_.concurrency, [&](std::size_t k) {
        const std::size_t index = run.work[k];
        run.finish(index, execute(plan.items[index], journal, std::move(run.prepared[index])));
    });

    if (auto committed = journal.commit(); !committed)
        result.state_error = committed.error();
    else if (auto earlier = journal.last_error())
        result.state_error = earlier; // a write failed mid-cycle even if the last one did not
    else
        forget_ended_rotations(ended_rotations, journal);
    result.counts = count_items(result.items);
    return result;
}

void Engine::settle_items(Run& run) {
    // Backoff is judged once, at the start of the cycle, so that an item
    // prepared as not deferred is not found deferred when it runs.
    const auto now = clock_();
    const std::set<ResourceKey> written_twice = names_written_twice(run.plan);
    run.prepared.resize(run.plan.items.size());
    for (std::size_t i = 0; i < run.plan.items.size(); ++i) {
        const PlanItem& item = run.plan.items[i];
        if (item.writes() && written_twice.contains(item.key())) {
            run.finish(i, refuse_second_write(item));
            continue;
        }
        if (!item.writes()) {
            run.finish(i, execute(item, run.journal, {}));
            continue;
        }
        run.work.push_back(i);
        run.prepared[i].deferred_until = deferred_until(item.key(), now);
        const bool creates =
            item.action == PlanAction::create || item.action == PlanAction::replace;
        if (creates && !run.prepared[i].deferred_until)
            run.creates.push_back(i);
    }
}

void Engine::resolve_create_secrets(Run& run) {
    // A generated secret is made and kept here, so that each intent can say
    // which secret its create sends.
    run_in_lanes(executor_, run.creates.size(), options_.concurrency, [&](std::size_t k) {
        const std::size_t index = run.creates[k];
        const PlanItem& item = run.plan.items[index];
        if (has_secret(item.kind))
            run.prepared[index].secret = secret_value(item);
    });
}

void Engine::write_create_intents(Run& run) {
    // Write-ahead: every name about to be created is recorded as ours (with
    // no id yet, and its secret's fingerprint) in one write before any
    // create (or a replace's delete) is sent, so that a crash after the
    // tenant commits one leaves a trace the next cycle resolves by name
    // instead of creating a second resource, and knows the secret it holds.
    // One write for the batch, not one per create: fsync, not the tenant,
    // would set the pace.
    bool intents = false;
    for (std::size_t index : run.creates) {
        const PlanItem& item = run.plan.items[index];
        std::optional<std::string> fingerprint;
        if (const auto& secret = run.prepared[index].secret) {
            if (!*secret)
                continue; // not sent: execute_create reports why
            fingerprint = secret_fingerprint(**secret);
        }
        run.journal.intend_create(item.key(), item.desired_digest, std::move(fingerprint));
        intents = true;
    }
    if (intents)
        if (auto committed = run.journal.commit(); !committed)
            run.journal.intent_error = committed.error();
}

ItemResult Engine::execute(const PlanItem& item, Journal& journal, Prepared prepared) {
    ItemResult out{.name = item.name,
                   .kind = item.kind,
                   .action = item.action,
                   .cause = item.cause,
                   .id = item.id};
    switch (item.action) {
    case PlanAction::conflict:
    case PlanAction::error:
        out.outcome = ItemOutcome::refused;
        out.error = item.error;
        out.note = item.reason;
        return out;
    case PlanAction::retain:
        out.outcome = ItemOutcome::retained;
        out.note = item.reason;
        return out;
    case PlanAction::unchanged: {
        // Keep what state.json says was applied in step with what is there.
        auto owned = journal.get(item.key());
        if (owned && (owned->id != item.id || owned->applied_digest != item.desired_digest))
            journal.set(item.key(), OwnedResource{item.id, item.desired_digest,
                                                  owned->secret_fingerprint, owned->rotation});
        record_success(item.key()); // fixed by someone else: no retry is due
        out.outcome = ItemOutcome::unchanged;
        return out;
    }
    case PlanAction::adopt:
        if (!item.writes()) {
            auto owned = journal.get(item.key());
            // A lost create's entry keeps the fingerprint of what was sent;
            // a fresh adoption keeps the tenant's secret, unknown to us.
            std::optional<std::string> fingerprint;
            if (item.cause == ChangeCause::lost_create && owned)
                fingerprint = owned->secret_fingerprint;
            journal.set(item.key(), OwnedResource{item.id, item.desired_digest, fingerprint});
            record_success(item.key());
            out.outcome = ItemOutcome::done;
            out.note = item.reason;
            return out;
        }
        break;
    default:
        break;
    }

    if (prepared.deferred_until) {
        out.outcome = ItemOutcome::deferred;
        out.retry_at = prepared.deferred_until;
        out.note = "still backing off after an earlier failure";
        return out;
    }
    const bool creates = item.action == PlanAction::create || item.action == PlanAction::replace;
    if (creates && has_secret(item.kind) && !prepared.secret)
        throw std::logic_error("a create of " + item.name + " reached execution unprepared");
    ItemResult result;
    switch (item.action) {
    case PlanAction::create:
        result = execute_create(item, journal, std::move(prepared.secret));
        break;
    case PlanAction::replace:
        result = execute_replace(item, journal, std::move(prepared.secret));
        break;
    case PlanAction::remove:
        result = execute_remove(item, journal);
        break;
    default:
        result = execute_update(item, journal);
        break;
    }
    if (result.outcome == ItemOutcome::failed)
        result.retry_at = record_failure(item.key());
    else
        record_success(item.key());
    return result;
}

Result<std::string> Engine::secret_value(const PlanItem& item,
                                         const std::optional<std::string>& sent) {
    if (item.secret == SecretAction::generate_new)
        return secrets_.rotate(item.name, sent);
    return secrets_.value(item.name, webhook_manifest(*item.desired)->secret_ref);
}

void Engine::forget_ended_rotations(const std::vector<std::string>& ended, Journal& journal) {
    for (const auto& name : ended) {
        const auto owned = journal.get(ResourceKey{ResourceKind::webhook, name});
        if (owned && owned->rotation)
            continue; // rotated again this cycle: the kept value is the new previous one
        // A failure leaves a stale file behind, which is harmless: the
        // receiver trusts a previous value only while state.json holds a
        // rotation in progress with its fingerprint, and the next rotation
        // replaces it.
        (void)secrets_.forget_previous(name);
    }
}

ItemResult Engine::execute_create(const PlanItem& item, Journal& journal,
                                  std::optional<Result<std::string>> value) {
    ItemResult out{.name = item.name,
                   .kind = item.kind,
                   .action = PlanAction::create,
                   .cause = item.cause,
                   .outcome = ItemOutcome::failed,
                   .changes = item.changes};
    if (value && !*value) {
        // No intent was recorded for it: the state entry is as it was.
        out.error = with_name(value->error(), item.name);
        return out;
    }
    const auto previous = journal.before_intent(item.key());
    if (journal.intent_error) {
        journal.restore(item.key(), previous);
        out.error = with_name(*journal.intent_error, item.name);
        out.note = "not created: the state file could not record it first";
        return out;
    }
    std::optional<std::string> fingerprint;
    TenantResource body = desired_body(*item.desired);
    if (value) {
        fingerprint = secret_fingerprint(**value);
        std::get<Webhook>(body).secret = **value;
    }
    const std::string noun = to_string(item.kind);
    for (int send = 1; send <= std::max(1, options_.max_create_sends); ++send) {
        ++out.attempts;
        auto created = tenant_.create(body);
        if (created) {
            // Not committed here: the intent already on disk resolves a crash
            // by name, and the next write (or the cycle's last) carries this.
            journal.set(item.key(), OwnedResource{id_of(*created), item.desired_digest, fingerprint});
            out.outcome = ItemOutcome::done;
            out.id = id_of(*created);
            return out;
        }
        if (create_definitely_failed(created.error())) {
            journal.restore(item.key(), previous);
            out.error = with_name(created.error(), item.name);
            return out;
        }

        // The answer was lost: look before sending anything again (the
        // intent already says which secret went out).
        auto found = tenant_.find_named(item.kind, item.name);
        if (!found) {
            out.error = with_name(
                make_error(ErrorKind::outcome_unknown,
                           "the create's answer was lost (" + created.error().message +
                               ") and the name could not be looked up (" + found.error().message +
                               "); the next cycle looks again before creating"),
                item.name);
            return out;
        }
        if (found->size() == 1 && observed_digest(found->front()) != item.desired_digest) {
            // Not what was sent: someone else made a resource of that name
            // meanwhile, and ours never landed (or was changed at once).
            // Either way it is not provably ours, so the name is not either.
            journal.restore(item.key(), previous);
            out.error = with_name(
                make_error(ErrorKind::conflict,
                           "the create's answer was lost, and the only " + noun + " named " +
                               item.name + " in the tenant (id " + id_of(found->front()) +
                               ") is not what was sent: someone else made it meanwhile; "
                               "hookwarden leaves it alone"),
                item.name);
            return out;
        }
        if (found->size() == 1) {
            const std::string& id = id_of(found->front());
            journal.set(item.key(), OwnedResource{id, item.desired_digest, fingerprint});
            out.outcome = ItemOutcome::done;
            out.id = id;
            out.note = "the create's answer was lost; the " + noun + " it made was found by name";
            return out;
        }
        if (found->size() > 1) {
            out.error = with_name(
                make_error(ErrorKind::conflict,
                           "the create's answer was lost and the tenant now holds " +
                               std::to_string(found->size()) + " " + noun + "s named " +
                               item.name + "; hookwarden cannot tell which is its own"),
                item.name);
            return out;
        }
        out.note = "the create's answer was lost and no " + noun +
                   " of that name exists; sent again";
    }
    out.error =
        with_name(make_error(ErrorKind::outcome_unknown,
                             "the create's answer was lost " + std::to_string(out.attempts) +
                                 " times; the next cycle looks the name up and retries"),
                  item.name);
    return out;
}

ItemResult Engine::execute_replace(const PlanItem& item, Journal& journal,
                                   std::optional<Result<std::string>> value) {
    ItemResult out{.name = item.name,
                   .kind = item.kind,
                   .action = PlanAction::replace,
                   .cause = item.cause,
                   .outcome = ItemOutcome::failed,
                   .id = item.id,
                   .changes = item.changes};
    const auto previous = journal.before_intent(item.key());
    if (journal.intent_error || (value && !*value)) {
        // Nothing is deleted unless the create that follows can be sent.
        journal.restore(item.key(), previous);
        out.error = with_name(journal.intent_error ? *journal.intent_error : value->error(),
                              item.name);
        out.note = "not replaced: nothing was deleted";
        return out;
    }
    // The intent (no id) is on disk: a crash from here on leaves a name the
    // next cycle looks up, finding the old resource or the new one.
    ++out.attempts;
    auto removed = tenant_.remove(item.kind, item.id);
    if (!removed && removed.error().kind != ErrorKind::not_found) {
        journal.restore(item.key(), previous);
        out.error = with_name(removed.error(), item.name);
        out.note = "the delete of the replace failed; the old one is kept and tried again";
        return out;
    }
    journal.forget_before_intent(item.key());
    ItemResult created = execute_create(item, journal, std::move(value));
    created.action = PlanAction::replace;
    created.attempts += out.attempts;
    if (created.outcome == ItemOutcome::failed && created.note.empty())
        created.note = "the old one was deleted; the next cycle creates the new one";
    return created;
}

ItemResult Engine::execute_update(const PlanItem& planned, Journal& journal) {
    ItemResult out{.name = planned.name,
                   .kind = planned.kind,
                   .action = planned.action,
                   .cause = planned.cause,
                   .outcome = ItemOutcome::failed,
                   .id = planned.id,
                   .changes = planned.changes};
    const auto owned = journal.get(planned.key());
    const bool adopting =
        planned.action == PlanAction::adopt && planned.cause == ChangeCause::adoption;
    // A fresh adoption keeps the tenant's secret, unknown to us, until we send one.
    std::optional<std::string> fingerprint =
        (owned && !adopting) ? owned->secret_fingerprint : std::nullopt;
    const std::optional<std::string> sent_before = fingerprint;
    std::optional<SecretRotation> rotation =
        (owned && !adopting) ? owned->rotation : std::nullopt;

    // The secret to send, resolved once, when a plan (the first or a
    // re-plan) first asks for one.
    std::optional<std::string> value;
    PlanItem current = planned;
    for (int mismatches = 0;; ++mismatches) {
        if (!value && current.secret != SecretAction::none) {
            auto resolved = secret_value(current, sent_before);
            if (!resolved) {
                out.error = with_name(resolved.error(), planned.name);
                return out;
            }
            value = std::move(*resolved);
        }
        ++out.attempts;
        auto updated = send_update(current, value);
        if (updated) {
            if (value) {
                fingerprint = secret_fingerprint(*value);
                if (sent_before && *sent_before != *fingerprint && options_.wall_clock)
                    rotation = start_rotation(*sent_before, options_.wall_clock(),
                                              rotation_grace_of(current));
            }
            journal.set(planned.key(),
                        OwnedResource{current.id, current.desired_digest, fingerprint, rotation});
            out.outcome = ItemOutcome::done;
            out.changes = current.changes;
            return out;
        }
        if (!may_replan(updated.error(), mismatches, out))
            return out;
        // The tenant client sends a PUT again when its answer is lost (SPEC
        // §5); a mismatch met by such a resend may be our own first send,
        // applied, and then the update was made even if a fresh read finds
        // nothing left to do.
        const bool resent = updated.error().context.attempts > 1;
        auto sent_changes = current.changes;
        auto replanned =
            replan_after_mismatch(planned, current.id, owned, adopting, value.has_value());
        if (!replanned) {
            out.error = replanned.error();
            return out;
        }
        current = std::move(*replanned);
        if (current.action == PlanAction::replace) {
            out.error = with_name(make_error(ErrorKind::version_mismatch, current.reason),
                                  planned.name);
            out.note = "it was changed in the tenant during this cycle so that it needs a "
                       "replace; the next cycle plans it";
            return out;
        }
        if (!current.writes()) {
            journal.set(planned.key(),
                        OwnedResource{current.id, current.desired_digest, fingerprint, rotation});
            if (resent) {
                // Reported (and logged in changes.jsonl) as the write it was.
                out.outcome = ItemOutcome::done;
                out.changes = std::move(sent_changes);
                out.note = "the update's answer was lost and its resend met a version mismatch; "
                           "a fresh read shows it applied";
                return out;
            }
            out.outcome =
                planned.action == PlanAction::adopt ? ItemOutcome::done : ItemOutcome::unchanged;
            out.changes.clear();
            out.note = "after a version mismatch, a fresh read already matches the manifest";
            return out;
        }
        out.note = "re-planned after a version mismatch";
    }
}

Result<void> Engine::send_update(const PlanItem& item, const std::optional<std::string>& secret) {
    TenantResource body = desired_body(*item.desired);
    std::visit(
        [&item](auto& resource) {
            resource.id = item.id;
            resource.version = item.version;
        },
        body);
    if (secret)
        std::get<Webhook>(body).secret = secret;
    auto updated = tenant_.update(body);
    if (!updated)
        return updated.error();
    return {};
}

bool Engine::may_replan(const Error& error, int mismatches, ItemResult& out) const {
    if (error.kind != ErrorKind::version_mismatch) {
        out.error = with_name(error, out.name);
        if (error.kind == ErrorKind::not_found)
            out.note = "it was deleted in the tenant during this cycle; the next cycle re-creates it";
        return false;
    }
    if (mismatches < options_.max_conflict_retries)
        return true;
    out.error = with_name(make_error(ErrorKind::version_mismatch,
                                     "the " + std::string(to_string(out.kind)) +
                                         " kept changing in the tenant while being updated (" +
                                         std::to_string(mismatches + 1) + " version mismatches)"),
                          out.name);
    return false;
}

Result<PlanItem> Engine::replan_after_mismatch(const PlanItem& planned, const std::string& id,
                                               const std::optional<OwnedResource>& owned,
                                               bool adopting, bool secret_chosen) {
    // Someone changed it since we read it: read again and decide again.
    auto fresh = tenant_.get(planned.kind, id);
    if (!fresh)
        return with_name(fresh.error(), planned.name);
    std::optional<SecretStatus> status;
    if (const WebhookManifest* webhook = webhook_manifest(*planned.desired))
        status = secrets_.inspect(planned.name, webhook->secret_ref);
    PlanItem current = plan_existing(*planned.desired, status ? &*status : nullptr, *fresh,
                                     owned ? &*owned : nullptr, adopting, false);
    if (current.action == PlanAction::error || current.action == PlanAction::conflict)
        return *current.error;
    // A secret chosen before the re-read (a rotation) is still to be sent.
    if (secret_chosen && current.secret == SecretAction::none) {
        current.secret = SecretAction::send_current;
        current.changes.push_back(secret_field_change());
    }
    current.rotation_grace = planned.rotation_grace;
    return current;
}

ItemResult Engine::execute_remove(const PlanItem& item, Journal& journal) {
    ItemResult out{.name = item.name,
                   .kind = item.kind,
                   .action = PlanAction::remove,
                   .cause = item.cause,
                   .outcome = ItemOutcome::failed,
                   .id = item.id};
    ++out.attempts;
    auto removed = tenant_.remove(item.kind, item.id);
    if (!removed && removed.error().kind != ErrorKind::not_found) {
        // A failed delete stays owned, so the next cycle tries again.
        out.error = with_name(removed.error(), item.name);
        return out;
    }
    journal.erase(item.key());
    out.outcome = ItemOutcome::done;
    return out;
}

// ---------------------------------------------------------------------------
// Backoff

std::optional<std::chrono::steady_clock::time_point>
Engine::deferred_until(const ResourceKey& key, std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(backoff_mutex_);
    auto it = backoff_.find(key);
    if (it == backoff_.end() || now >= it->second.retry_at)
        return std::nullopt;
    return it->second.retry_at;
}

std::chrono::steady_clock::time_point Engine::record_failure(const ResourceKey& key) {
    std::lock_guard lock(backoff_mutex_);
    Backoff& backoff = backoff_[key];
    ++backoff.failures;
    const auto delay = full_jitter_delay({options_.backoff_base, options_.backoff_cap},
                                         backoff.failures - 1, random_);
    backoff.retry_at = clock_() + delay;
    return backoff.retry_at;
}

void Engine::forget_backoff_except(const Plan& plan) {
    // Only an item that writes can be retried: a refused or retained one
    // (a conflict, a blocked prune) would otherwise keep a retry time that
    // passes and is never renewed, and the daemon would wake for it at once.
    std::set<ResourceKey> keys;
    for (const auto& item : plan.items)
        if (item.writes())
            keys.insert(item.key());
    std::lock_guard lock(backoff_mutex_);
    std::erase_if(backoff_, [&keys](const auto& entry) { return !keys.contains(entry.first); });
}

void Engine::record_success(const ResourceKey& key) {
    std::lock_guard lock(backoff_mutex_);
    backoff_.erase(key);
}

std::optional<std::chrono::steady_clock::time_point> Engine::next_retry() const {
    std::lock_guard lock(backoff_mutex_);
    std::optional<std::chrono::steady_clock::time_point> earliest;
    for (const auto& [key, backoff] : backoff_)
        if (!earliest || backoff.retry_at < *earliest)
            earliest = backoff.retry_at;
    return earliest;
}

} // namespace hookwarden
