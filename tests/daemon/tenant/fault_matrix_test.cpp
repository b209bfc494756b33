// The fault matrix (issue 15): every kind of tenant failure against every
// tenant call hookwarden makes, with the outcome SPEC §4a, §5, §6a and the
// README promise for it, as one table.
//
// Each row runs as a doctest SUBCASE named after it. A row is one daemon
// cycle as `run` makes it (plan, apply, then the snapshot queries and files)
// against the real emulator over TLS through the real TenantHttp, with the
// fault injected on the call's route; then the check of its outcome, which
// reads the emulator's control plane (request counters, what the tenant
// holds) and the files in stateDir, never the engine's report alone; then,
// whatever the fault left, the faults are cleared and a clean cycle must
// converge without a write and without a duplicate.
//
// A cell where the fault cannot mean what it means elsewhere (a
// commit-then-reset on a call that commits nothing) is a row too, marked
// "n/a" and checked for what it does instead.
#include "core/engine.hpp"
#include "core/plan_render.hpp"
#include "daemon/service/log.hpp"
#include "daemon/service/snapshot_writer.hpp"
#include "daemon/service/thread_pool.hpp"
#include "tests/core/engine_fakes.hpp"
#include "tests/daemon/tenant/engine_emulator_rig.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/scratch_dir.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <doctest/doctest.h>
#include <string>

namespace hookwarden {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;
using testing::manifest;
using testing::read_text;

/// What the emulator does to the requests of the call's route.
enum class fault {
    status_503_once,        ///< 503 to the first request (a 5xx that passes)
    status_503_always,      ///< 503 to every request (a 5xx that lasts)
    status_429_retry_after, ///< 429 with Retry-After: 1, once
    reset,                  ///< the connection is reset before the request is processed
    hang,                   ///< no answer; the client's request timeout (1 s) ends the wait
    malformed,              ///< 200 with a truncated JSON body, the request not processed
    commit_then_reset,      ///< the request is processed, then the connection reset
    token_refused_once,     ///< 401 once, as after a revoked token
    // Statuses with a meaning of their own, where they have one:
    status_500_once,
    status_502_once,
    status_400,
    status_404,
    token_refused_always, ///< 401 to every request: the client itself was revoked
};

/// The tenant calls, each driven the way the daemon makes it.
enum class op {
    token,     ///< POST /oauth/token: a fresh client's first request
    list,      ///< GET /api/v2/webhooks: the start of every cycle
    search,    ///< POST /api/v2/webhooks/search: the lookup after a create whose answer was lost
    create,    ///< POST /api/v2/webhooks
    update,    ///< PUT /api/v2/webhooks/{id}: correcting drift
    remove,    ///< DELETE /api/v2/webhooks/{id}: a prune
    topics,    ///< GET /api/v2/processautomation/triggers/topics: checking a trigger's topic
    analytics, ///< POST /api/v2/analytics/webhooks/summary/query: health.json
    audit,     ///< POST /api/v2/auditlogs/query: audit/
};

/// The outcomes; each has one check function below.
enum class expect {
    sent_again,  ///< the client sent it again on its own; the cycle converged as without the fault
    new_token,   ///< one new token, the call sent once more; converged
    unreachable, ///< no plan: the cycle failed, nothing written; the next one converges
    lookup_resend,   ///< create: outcome unknown, the lookup found nothing, sent again; exactly one
    found_by_lookup, ///< create: committed, the lookup found it; exactly one, owned
    create_unknown,  ///< create: every send unknown; none made; the name kept without id
    create_refused,  ///< create: refused; the name not kept; the next cycle creates it
    lookup_failed,   ///< search: the committed create stays unresolved; found by name next cycle
    item_failed,     ///< update/delete: the item failed, stays owned, the tenant unchanged
    reread_after_409, ///< update: applied, answer lost, resent, 409, re-read finds it right
    taken_as_gone,    ///< delete: the tenant said it is gone; ownership dropped
    trigger_refused,  ///< topics: the trigger's item is an error; nothing written
    snapshot_kept,    ///< analytics/audit: the file kept as it was, the error listed; converged
};

struct Row {
    fault kind;
    op call;
    expect outcome;
    int sends; ///< requests the call's route gets in the faulted cycle
    const char* documented;
};

// clang-format off
constexpr Row matrix[] = {
    // --- token: POST /oauth/token --------------------------------------------------------------------------------
    {fault::status_503_once,        op::token, expect::sent_again,  2, "retried after backoff (idempotent); converges"},
    {fault::status_503_always,      op::token, expect::unreachable, 5, "gives up after maxAttempts (5); cycle unreachable; nothing written"},
    {fault::status_429_retry_after, op::token, expect::sent_again,  2, "waits Retry-After, sent again; converges"},
    {fault::reset,                  op::token, expect::sent_again,  2, "retried (network fault); converges"},
    {fault::hang,                   op::token, expect::sent_again,  2, "times out, retried; converges"},
    {fault::malformed,              op::token, expect::unreachable, 1, "unreadable token answer: not retried; cycle unreachable; nothing written"},
    {fault::commit_then_reset,      op::token, expect::sent_again,  2, "n/a (no write): the lost token is asked for again, two issued; converges"},
    {fault::token_refused_once,     op::token, expect::unreachable, 1, "401 from the token endpoint is refused credentials: not retried; cycle unreachable"},
    {fault::status_500_once,        op::token, expect::unreachable, 1, "500 is not retried (only 502/503/504 are); cycle unreachable"},
    {fault::status_400,             op::token, expect::unreachable, 1, "refused: not retried; cycle unreachable"},
    // --- list: GET /api/v2/webhooks ------------------------------------------------------------------------------
    {fault::status_503_once,        op::list, expect::sent_again,  2, "retried after backoff; converges"},
    {fault::status_503_always,      op::list, expect::unreachable, 5, "gives up after 5 sends; no plan; nothing written"},
    {fault::status_429_retry_after, op::list, expect::sent_again,  2, "the whole client waits Retry-After, sent again; converges"},
    {fault::reset,                  op::list, expect::sent_again,  2, "retried; converges"},
    {fault::hang,                   op::list, expect::sent_again,  2, "times out, retried; converges"},
    {fault::malformed,              op::list, expect::unreachable, 1, "unreadable page: not retried; no plan (never from a partial list); nothing written"},
    {fault::commit_then_reset,      op::list, expect::sent_again,  2, "n/a (a GET commits nothing): as reset"},
    {fault::token_refused_once,     op::list, expect::new_token,   2, "one new token, sent once more; converges"},
    {fault::token_refused_always,   op::list, expect::unreachable, 2, "one new token, refused again: not retried further; no plan"},
    {fault::status_500_once,        op::list, expect::unreachable, 1, "500 is not retried; no plan; nothing written"},
    {fault::status_502_once,        op::list, expect::sent_again,  2, "retried after backoff; converges"},
    {fault::status_400,             op::list, expect::unreachable, 1, "refused: no plan; nothing written"},
    // --- search: the lookup after a create that committed but whose answer was lost -----------------------------------
    {fault::status_503_once,        op::search, expect::found_by_lookup, 2, "lookup retried; finds the committed create; exactly one, owned"},
    {fault::status_503_always,      op::search, expect::lookup_failed,   5, "lookup gives up: item failed, name kept without id, no second create; next cycle finds it by name"},
    {fault::status_429_retry_after, op::search, expect::found_by_lookup, 2, "lookup waits Retry-After, sent again; exactly one"},
    {fault::reset,                  op::search, expect::found_by_lookup, 2, "lookup retried; exactly one"},
    {fault::hang,                   op::search, expect::found_by_lookup, 2, "lookup times out, retried; exactly one"},
    {fault::malformed,              op::search, expect::lookup_failed,   1, "unreadable lookup: item failed, name kept without id; next cycle finds it by name"},
    {fault::commit_then_reset,      op::search, expect::found_by_lookup, 2, "n/a (a search commits nothing): as reset"},
    {fault::token_refused_once,     op::search, expect::found_by_lookup, 2, "new token, lookup sent once more; exactly one"},
    {fault::status_500_once,        op::search, expect::lookup_failed,   1, "500 not retried: item failed, name kept; next cycle finds it by name"},
    {fault::status_400,             op::search, expect::lookup_failed,   1, "refused lookup: item failed, name kept; next cycle finds it by name"},
    // --- create: POST /api/v2/webhooks ---------------------------------------------------------------------------
    {fault::status_503_once,        op::create, expect::lookup_resend,   2, "a 5xx to a create is outcome unknown: looked up, none found, sent again; exactly one"},
    {fault::status_503_always,      op::create, expect::create_unknown,  2, "unknown twice (maxCreateSends 2, a lookup each): none made, name kept without id; next cycle creates one"},
    {fault::status_429_retry_after, op::create, expect::sent_again,      2, "429 was not processed: sent again after Retry-After, no lookup; exactly one"},
    {fault::reset,                  op::create, expect::lookup_resend,   2, "answer lost: looked up, none found, sent again; exactly one"},
    {fault::hang,                   op::create, expect::lookup_resend,   2, "times out: outcome unknown; looked up, none found, sent again; exactly one"},
    {fault::malformed,              op::create, expect::lookup_resend,   2, "2xx unreadable: outcome unknown; looked up, none found, sent again; exactly one"},
    {fault::commit_then_reset,      op::create, expect::found_by_lookup, 1, "committed, answer lost: the lookup finds it; one create sent; exactly one, owned"},
    {fault::token_refused_once,     op::create, expect::new_token,       2, "401 was not processed: new token, sent again, no lookup; exactly one"},
    {fault::token_refused_always,   op::create, expect::create_refused,  2, "refused twice (unauthorized): item failed, name not kept; next cycle creates it"},
    {fault::status_500_once,        op::create, expect::lookup_resend,   2, "500 to a create is outcome unknown: looked up, sent again; exactly one"},
    {fault::status_502_once,        op::create, expect::lookup_resend,   2, "the client never resends a create itself, even on 502: looked up, sent again"},
    {fault::status_400,             op::create, expect::create_refused,  1, "refused: no lookup; name not kept; next cycle creates it"},
    // --- update: PUT /api/v2/webhooks/{id}, correcting drift --------------------------------------------------------
    {fault::status_503_once,        op::update, expect::sent_again,       2, "retried (a PUT carries its version); drift corrected"},
    {fault::status_503_always,      op::update, expect::item_failed,      5, "gives up after 5 sends: item failed, still owned, drift left; next cycle corrects it"},
    {fault::status_429_retry_after, op::update, expect::sent_again,       2, "waits Retry-After, sent again; drift corrected"},
    {fault::reset,                  op::update, expect::sent_again,       2, "retried; drift corrected"},
    {fault::hang,                   op::update, expect::sent_again,       2, "times out, retried; drift corrected"},
    {fault::malformed,              op::update, expect::item_failed,      1, "2xx unreadable: not retried; item failed, still owned; next cycle corrects it"},
    {fault::commit_then_reset,      op::update, expect::reread_after_409, 2, "applied, answer lost: sent again, 409; re-read finds it right; reported updated"},
    {fault::token_refused_once,     op::update, expect::new_token,        2, "new token, sent once more; drift corrected"},
    {fault::status_500_once,        op::update, expect::item_failed,      1, "500 not retried: item failed, still owned; next cycle corrects it"},
    {fault::status_400,             op::update, expect::item_failed,      1, "refused: item failed, still owned; next cycle corrects it"},
    {fault::status_404,             op::update, expect::item_failed,      1, "taken as deleted meanwhile: item failed; next cycle finds it (same id) and corrects it"},
    // --- delete: DELETE /api/v2/webhooks/{id}, a prune ---------------------------------------------------------------
    {fault::status_503_once,        op::remove, expect::sent_again,    2, "retried; deleted; no longer owned"},
    {fault::status_503_always,      op::remove, expect::item_failed,   5, "gives up after 5 sends: item failed, still owned; next cycle deletes it"},
    {fault::status_429_retry_after, op::remove, expect::sent_again,    2, "waits Retry-After, sent again; deleted"},
    {fault::reset,                  op::remove, expect::sent_again,    2, "retried; deleted"},
    {fault::hang,                   op::remove, expect::sent_again,    2, "times out, retried; deleted"},
    {fault::malformed,              op::remove, expect::item_failed,   1, "2xx whose body is not JSON: outcome unknown; item failed, still owned; next cycle deletes it"},
    {fault::commit_then_reset,      op::remove, expect::sent_again,    2, "applied, answer lost: sent again, 404 means already gone; deleted, not owned"},
    {fault::token_refused_once,     op::remove, expect::new_token,     2, "new token, sent once more; deleted"},
    {fault::status_500_once,        op::remove, expect::item_failed,   1, "500 not retried: item failed, still owned; next cycle deletes it"},
    {fault::status_400,             op::remove, expect::item_failed,   1, "refused: item failed, still owned; next cycle deletes it"},
    {fault::status_404,             op::remove, expect::taken_as_gone, 1, "404 means already gone: ownership dropped (this fault deleted nothing: left unowned)"},
    // --- topics: GET /api/v2/processautomation/triggers/topics ------------------------------------------------------
    {fault::status_503_once,        op::topics, expect::sent_again,      2, "retried; the trigger is created"},
    {fault::status_503_always,      op::topics, expect::trigger_refused, 5, "gives up after 5 sends: the trigger's topic cannot be checked, its item is an error; nothing written"},
    {fault::status_429_retry_after, op::topics, expect::sent_again,      2, "waits Retry-After, sent again; the trigger is created"},
    {fault::reset,                  op::topics, expect::sent_again,      2, "retried; the trigger is created"},
    {fault::hang,                   op::topics, expect::sent_again,      2, "times out, retried; the trigger is created"},
    {fault::malformed,              op::topics, expect::trigger_refused, 1, "unreadable topics: not retried; the trigger's item is an error; nothing written"},
    {fault::commit_then_reset,      op::topics, expect::sent_again,      2, "n/a (a GET commits nothing): as reset"},
    {fault::token_refused_once,     op::topics, expect::new_token,       2, "new token, sent once more; the trigger is created"},
    {fault::status_500_once,        op::topics, expect::trigger_refused, 1, "500 not retried: the trigger's item is an error; nothing written"},
    // --- analytics: the delivery metrics of health.json ---------------------------------------------------------------
    {fault::status_503_once,        op::analytics, expect::sent_again,    2, "retried; health.json written"},
    {fault::status_503_always,      op::analytics, expect::snapshot_kept, 5, "gives up after 5 sends: health.json kept as it was, listed in snapshotErrors; the cycle still converges"},
    {fault::status_429_retry_after, op::analytics, expect::sent_again,    2, "waits Retry-After, sent again; health.json written"},
    {fault::reset,                  op::analytics, expect::sent_again,    2, "retried; health.json written"},
    {fault::hang,                   op::analytics, expect::sent_again,    2, "times out, retried; health.json written"},
    {fault::malformed,              op::analytics, expect::snapshot_kept, 1, "unreadable: not retried; health.json kept, listed in snapshotErrors"},
    {fault::commit_then_reset,      op::analytics, expect::sent_again,    2, "n/a (a query commits nothing): as reset"},
    {fault::token_refused_once,     op::analytics, expect::new_token,     2, "new token, sent once more; health.json written"},
    {fault::status_500_once,        op::analytics, expect::snapshot_kept, 1, "500 not retried: health.json kept, listed in snapshotErrors"},
    // --- audit: the audit trail of audit/ ---------------------------------------------------------------------------
    {fault::status_503_once,        op::audit, expect::sent_again,    2, "retried; audit/ appended"},
    {fault::status_503_always,      op::audit, expect::snapshot_kept, 5, "gives up after 5 sends: audit/ and its cursor kept, listed in snapshotErrors; next cycle catches up"},
    {fault::status_429_retry_after, op::audit, expect::sent_again,    2, "waits Retry-After, sent again; audit/ appended"},
    {fault::reset,                  op::audit, expect::sent_again,    2, "retried; audit/ appended"},
    {fault::hang,                   op::audit, expect::sent_again,    2, "times out, retried; audit/ appended"},
    {fault::malformed,              op::audit, expect::snapshot_kept, 1, "unreadable: not retried; audit/ kept; next cycle catches up, nothing lost or doubled"},
    {fault::commit_then_reset,      op::audit, expect::sent_again,    2, "n/a (a query commits nothing): as reset"},
    {fault::token_refused_once,     op::audit, expect::new_token,     2, "new token, sent once more; audit/ appended"},
    {fault::status_500_once,        op::audit, expect::snapshot_kept, 1, "500 not retried: audit/ kept; next cycle catches up"},
};
// clang-format on

// ---------------------------------------------------------------------------
// Names, routes and faults

const char* name_of(fault kind) {
    switch (kind) {
    case fault::status_503_once:
        return "503 once";
    case fault::status_503_always:
        return "503 always";
    case fault::status_429_retry_after:
        return "429 Retry-After 1";
    case fault::reset:
        return "reset";
    case fault::hang:
        return "hang";
    case fault::malformed:
        return "malformed JSON";
    case fault::commit_then_reset:
        return "commit-then-reset";
    case fault::token_refused_once:
        return "401 once (token revoked)";
    case fault::status_500_once:
        return "500 once";
    case fault::status_502_once:
        return "502 once";
    case fault::status_400:
        return "400";
    case fault::status_404:
        return "404";
    case fault::token_refused_always:
        return "401 always";
    }
    return "?";
}

const char* name_of(op call) {
    switch (call) {
    case op::token:
        return "token";
    case op::list:
        return "list";
    case op::search:
        return "search";
    case op::create:
        return "create";
    case op::update:
        return "update";
    case op::remove:
        return "delete";
    case op::topics:
        return "topics";
    case op::analytics:
        return "analytics";
    case op::audit:
        return "audit";
    }
    return "?";
}

std::string name_of(const Row& row) {
    return std::string(name_of(row.kind)) + " × " + name_of(row.call) + ": " + row.documented;
}

struct Route {
    const char* method;
    const char* path;    ///< the fault's regex
    const char* counted; ///< the emulator's counter
};

Route route_of(op call) {
    switch (call) {
    case op::token:
        return {"POST", "^/oauth/token$", "POST /oauth/token"};
    case op::list:
        return {"GET", "^/api/v2/webhooks$", "GET /api/v2/webhooks"};
    case op::search:
        return {"POST", "^/api/v2/webhooks/search$", "POST /api/v2/webhooks/search"};
    case op::create:
        return {"POST", "^/api/v2/webhooks$", "POST /api/v2/webhooks"};
    case op::update:
        return {"PUT", "^/api/v2/webhooks/[^/]+$", "PUT /api/v2/webhooks/{id}"};
    case op::remove:
        return {"DELETE", "^/api/v2/webhooks/[^/]+$", "DELETE /api/v2/webhooks/{id}"};
    case op::topics:
        return {"GET", "^/api/v2/processautomation/triggers/topics$",
                "GET /api/v2/processautomation/triggers/topics"};
    case op::analytics:
        return {"POST", "^/api/v2/analytics/webhooks/summary/query$",
                "POST /api/v2/analytics/webhooks/summary/query"};
    case op::audit:
        return {"POST", "^/api/v2/auditlogs/query$", "POST /api/v2/auditlogs/query"};
    }
    return {"", "", ""};
}

constexpr const char* create_route = "POST /api/v2/webhooks";
constexpr const char* search_route = "POST /api/v2/webhooks/search";
constexpr const char* get_route = "GET /api/v2/webhooks/{id}";
constexpr const char* update_route = "PUT /api/v2/webhooks/{id}";
constexpr const char* delete_route = "DELETE /api/v2/webhooks/{id}";
constexpr const char* trigger_create_route = "POST /api/v2/processautomation/triggers";

/// More than any retry budget: the fault outlasts the cycle.
constexpr int always = 50;
/// The client's deadline for an answer; a hang lasts longer. Loopback
/// answers come in milliseconds: a spurious timeout would show as an extra
/// send of some row.
constexpr auto request_timeout = 1s;
constexpr double hang_seconds = 3;

test::FaultSpec fault_spec(fault kind, const Route& route) {
    test::FaultSpec spec{.method = route.method, .path = route.path};
    switch (kind) {
    case fault::status_503_once:
        spec.status = 503;
        break;
    case fault::status_503_always:
        spec.status = 503;
        spec.count = always;
        break;
    case fault::status_429_retry_after:
        spec.status = 429;
        spec.retry_after = 1;
        break;
    case fault::reset:
        spec.action = "reset";
        break;
    case fault::hang:
        spec.action = "hang";
        spec.seconds = hang_seconds;
        break;
    case fault::malformed:
        spec.action = "malformed";
        break;
    case fault::commit_then_reset:
        spec.action = "commit-then-reset";
        break;
    case fault::token_refused_once:
        spec.status = 401;
        break;
    case fault::status_500_once:
        spec.status = 500;
        break;
    case fault::status_502_once:
        spec.status = 502;
        break;
    case fault::status_400:
        spec.status = 400;
        break;
    case fault::status_404:
        spec.status = 404;
        break;
    case fault::token_refused_always:
        spec.status = 401;
        spec.count = always;
        break;
    }
    return spec;
}

// ---------------------------------------------------------------------------
// The rig: one tenant client, engine and snapshot writer on a fresh tenant,
// cycling as the daemon does.

std::string describe(const CycleReport& report) {
    if (!report.result)
        return "no plan: " + (report.error ? report.error->describe() : std::string("?"));
    return render_cycle_text(*report.result);
}

bool converged(const CycleReport& report) {
    return report.result && report.result->converged();
}

std::int64_t member(const json::object& counters, std::string_view group, std::string_view key) {
    const auto* n = counters.at(group).as_object().if_contains(key);
    return n ? n->to_number<std::int64_t>() : 0;
}

struct Rig {
    Rig() : control(test::engine_emulator()) {
        control.reset();
        TenantHttpOptions client = test::tenant_options_for(test::engine_emulator());
        client.connect_timeout = 2s;
        client.request_timeout = request_timeout;
        // The client's own retries, scaled down: the schedule is not what is tested here.
        client.backoff_base = 5ms;
        client.backoff_cap = 20ms;
        auto made = TenantHttp::create(client);
        REQUIRE(made.has_value());
        tenant = std::move(*made);
        // A random source of 0 makes the engine's per-item backoff 0: the
        // next cycle tries a failed item again at once.
        engine = std::make_unique<Engine>(
            *tenant, secrets, state, pool, EngineOptions{},
            [] { return std::chrono::steady_clock::now(); }, [] { return std::uint64_t{0}; });
        fs::create_directories(dir / "manifests");
    }

    test::EmulatorControl control;
    testing::ScratchDir dir;
    fs::path state_dir = dir / "state";
    SecretStore secrets{state_dir, {}, test::device_random()};
    StateStore state{state_dir};
    std::unique_ptr<TenantHttp> tenant;
    ThreadPool pool{2};
    std::unique_ptr<Engine> engine;
    SnapshotWriter snapshots{
        SnapshotSettings{.state_dir = state_dir, .manifest_dir = dir / "manifests"}};

    DesiredState desired;
    PlanOptions options;
    json::object before; ///< the emulator's counters when remember() was last called
    CycleReport faulted; ///< the cycle the fault hit
    double faulted_seconds = 0;

    /// One cycle as the daemon runs it: plan, apply, snapshots.
    CycleReport cycle() {
        CycleReport report;
        report.cycle_id = new_cycle_id();
        report.started = std::chrono::system_clock::now();
        report.manifest_errors = desired.errors;
        auto plan = engine->plan(desired, options);
        if (plan)
            report.result = engine->apply(*plan);
        else
            report.error = plan.error();
        report.finished = std::chrono::system_clock::now();
        snapshots.write(report, desired, plan ? &*plan : nullptr, *tenant);
        return report;
    }

    void converge() {
        const auto report = cycle();
        REQUIRE_MESSAGE(converged(report), describe(report));
    }

    /// The faults cleared, a cycle whose counters count from here.
    CycleReport recover() {
        control.clear_faults();
        remember();
        return cycle();
    }

    void remember() { before = control.counters(); }

    /// Requests of `route` since remember().
    std::int64_t sent(std::string_view route) {
        return member(control.counters(), "requests", route) - member(before, "requests", route);
    }
    std::int64_t answered(int status) {
        const auto key = std::to_string(status);
        return member(control.counters(), "statuses", key) - member(before, "statuses", key);
    }
    std::int64_t scalar(std::string_view name) {
        return control.counters().at(name).to_number<std::int64_t>() -
               before.at(name).to_number<std::int64_t>();
    }
    std::int64_t tokens_issued() { return scalar("tokensIssued"); }
    std::int64_t writes() { return scalar("writes"); }

    /// What state.json records for the name; none when it is not owned.
    std::optional<OwnedResource> owned(const std::string& name,
                                       ResourceKind kind = ResourceKind::webhook) {
        auto loaded = state.load();
        REQUIRE_MESSAGE(loaded.has_value(), loaded.error().describe());
        const auto& of_kind = loaded->owned_of(kind);
        const auto it = of_kind.find(name);
        if (it == of_kind.end())
            return std::nullopt;
        return it->second;
    }
    const ItemResult* item(const CycleReport& report, const std::string& name) {
        if (!report.result)
            return nullptr;
        for (const auto& i : report.result->items)
            if (i.name == name)
                return &i;
        return nullptr;
    }

    // What a scenario remembers of the tenant before the fault.
    std::string alpha_id;
    std::string health_before;
    std::string audit_before;
    std::string cursor_before;

    fs::path audit_file(const std::string& id) const {
        return state_dir / "audit" / (id + ".jsonl");
    }
};

// ---------------------------------------------------------------------------
// The operations: how each is brought about, what it achieves, and what a
// failure of it leaves.

const char* const alpha = "Alpha";
const char* const beta = "Beta";
const char* const tee = "Tee"; // a trigger

/// Brings the tenant and stateDir to where the cycle's next call of `call`
/// is the one the fault hits; the client holds a token unless the call is
/// the token request itself.
void prepare(Rig& rig, op call) {
    rig.desired.webhooks = {manifest(alpha)};
    switch (call) {
    case op::token:
        return; // nothing sent yet: the cycle starts with the token request
    case op::list:
    case op::create:
        break;
    case op::search:
        // The create commits and its answer is lost: the engine looks the name up.
        rig.control.add_fault(
            {.method = "POST", .path = "^/api/v2/webhooks$", .action = "commit-then-reset"});
        break;
    case op::update:
        rig.converge();
        rig.alpha_id = rig.control.webhooks_named(alpha).at(0).id;
        rig.control.drift(rig.alpha_id, json::object{{"enabled", false}});
        break;
    case op::remove:
        rig.desired.webhooks = {manifest(alpha), manifest(beta)};
        rig.converge();
        rig.desired.webhooks = {manifest(alpha)};
        rig.options.prune = true;
        break;
    case op::topics:
        rig.desired.webhooks = {};
        rig.desired.triggers = {testing::trigger_manifest(tee)};
        break;
    case op::analytics:
        rig.converge();
        rig.alpha_id = rig.control.webhooks_named(alpha).at(0).id;
        rig.control.record_deliveries(rig.alpha_id, {{.ok = true, .latency_ms = 80},
                                                     {.ok = true, .latency_ms = 120},
                                                     {.ok = false, .latency_ms = {}}});
        rig.health_before = read_text(rig.state_dir / "health.json");
        REQUIRE(!rig.health_before.empty());
        break;
    case op::audit:
        rig.converge();
        rig.alpha_id = rig.control.webhooks_named(alpha).at(0).id;
        rig.audit_before = read_text(rig.audit_file(rig.alpha_id));
        rig.cursor_before = read_text(rig.state_dir / "audit" / "cursor.json");
        REQUIRE(!rig.audit_before.empty());
        // Drift (audited) that the cycle corrects (audited): two entries to come.
        rig.control.drift(rig.alpha_id, json::object{{"enabled", false}});
        break;
    }
    REQUIRE(rig.tenant->list_webhooks().has_value()); // a token in hand
}

/// What the cycle set out to do is done.
void check_goal(Rig& rig, op call) {
    switch (call) {
    case op::token:
    case op::list:
    case op::search:
    case op::create: {
        const auto found = rig.control.webhooks_named(alpha);
        REQUIRE_MESSAGE(found.size() == 1,
                        "the tenant holds " << found.size() << " webhooks named Alpha");
        const auto owned = rig.owned(alpha);
        REQUIRE(owned);
        CHECK(owned->id == found[0].id);
        return;
    }
    case op::update: {
        const auto found = rig.control.webhooks_named(alpha);
        REQUIRE(found.size() == 1);
        CHECK(found[0].id == rig.alpha_id);
        CHECK_MESSAGE(found[0].enabled, "the drift (enabled: false) was not corrected");
        CHECK(rig.owned(alpha).value().id == rig.alpha_id);
        return;
    }
    case op::remove:
        CHECK(rig.control.webhooks_named(beta).empty());
        CHECK_FALSE(rig.owned(beta));
        CHECK(rig.control.webhooks_named(alpha).size() == 1);
        return;
    case op::topics: {
        const auto found = rig.control.triggers_named(tee);
        REQUIRE(found.size() == 1);
        const auto owned = rig.owned(tee, ResourceKind::trigger);
        REQUIRE(owned);
        CHECK(owned->id == std::string(found[0].at("id").as_string()));
        return;
    }
    case op::analytics: {
        const auto health = json::parse(read_text(rig.state_dir / "health.json")).as_object();
        const auto& hooks = health.at("webhooks").as_array();
        REQUIRE(hooks.size() == 1);
        const auto& hook = hooks[0].as_object();
        CHECK(hook.at("id").as_string() == rig.alpha_id);
        CHECK(hook.at("successCount").to_number<int>() == 2);
        CHECK(hook.at("failureCount").to_number<int>() == 1);
        return;
    }
    case op::audit: {
        // The create (stored before), the drift and its correction: each once.
        std::vector<std::string> actions;
        for (const auto& line : testing::lines_of(read_text(rig.audit_file(rig.alpha_id))))
            actions.emplace_back(json::parse(line).as_object().at("action").as_string());
        CHECK(actions == std::vector<std::string>{"create", "update", "update"});
        return;
    }
    }
}

/// Nothing of what the cycle set out to do happened in the tenant (or in
/// the snapshot files).
void check_untouched(Rig& rig, op call) {
    switch (call) {
    case op::token:
    case op::list:
    case op::create:
        CHECK(rig.control.webhooks().empty());
        return;
    case op::search:
        CHECK(rig.control.webhooks_named(alpha).size() ==
              1); // the create committed before the lookup
        return;
    case op::update: {
        const auto found = rig.control.webhooks_named(alpha);
        REQUIRE(found.size() == 1);
        CHECK(found[0].id == rig.alpha_id);
        CHECK_FALSE(found[0].enabled); // still drifted
        return;
    }
    case op::remove:
        CHECK(rig.control.webhooks_named(beta).size() == 1);
        return;
    case op::topics:
        CHECK(rig.control.triggers().empty());
        return;
    case op::analytics:
        CHECK(read_text(rig.state_dir / "health.json") == rig.health_before);
        return;
    case op::audit:
        CHECK(read_text(rig.audit_file(rig.alpha_id)) == rig.audit_before);
        CHECK(read_text(rig.state_dir / "audit" / "cursor.json") == rig.cursor_before);
        return;
    }
}

/// The faults cleared, the next cycle converges and does what the faulted
/// one set out to do.
void check_next_cycle_reaches_goal(Rig& rig, op call) {
    const auto next = rig.recover();
    CHECK_MESSAGE(converged(next), describe(next));
    check_goal(rig, call);
}

/// The name the operation's item has in the cycle.
const char* subject_of(op call) {
    switch (call) {
    case op::remove:
        return beta;
    case op::topics:
        return tee;
    default:
        return alpha;
    }
}

// ---------------------------------------------------------------------------
// One check function per outcome.

void check_sent_again(Rig& rig, const Row& row) {
    CHECK(rig.sent(route_of(row.call).counted) == row.sends);
    CHECK_MESSAGE(rig.sent(search_route) == 0, "the client resent it itself: no lookup was needed");
    CHECK_MESSAGE(converged(rig.faulted), describe(rig.faulted));
    check_goal(rig, row.call);
}

void check_new_token(Rig& rig, const Row& row) {
    CHECK(rig.tokens_issued() == 1);
    check_sent_again(rig, row);
}

void check_unreachable(Rig& rig, const Row& row) {
    CHECK(rig.sent(route_of(row.call).counted) == row.sends);
    CHECK_MESSAGE(!rig.faulted.result, describe(rig.faulted));
    CHECK(rig.writes() == 0);
    CHECK(rig.sent(create_route) == 0);
    if (row.call == op::token)
        CHECK_MESSAGE(rig.sent("GET /api/v2/webhooks") == 0, "no API call without a token");
    check_untouched(rig, row.call);
    const auto status = json::parse(read_text(rig.state_dir / "status.json")).as_object();
    CHECK(status.at("outcome").as_string() == "unreachable");

    check_next_cycle_reaches_goal(rig, row.call);
}

void check_lookup_resend(Rig& rig, const Row& row) {
    CHECK(rig.sent(create_route) == row.sends);
    CHECK(rig.sent(search_route) == 1);
    CHECK_MESSAGE(converged(rig.faulted), describe(rig.faulted));
    check_goal(rig, op::create);
}

void check_found_by_lookup(Rig& rig, const Row& row) {
    CHECK(rig.sent(create_route) == 1);
    CHECK(rig.sent(search_route) == (row.call == op::search ? row.sends : 1));
    CHECK_MESSAGE(converged(rig.faulted), describe(rig.faulted));
    check_goal(rig, op::create);
}

void check_create_unknown(Rig& rig, const Row& row) {
    CHECK(rig.sent(create_route) == row.sends);
    CHECK(rig.sent(search_route) == row.sends); // one lookup after each send
    check_untouched(rig, op::create);
    const auto owned = rig.owned(alpha);
    REQUIRE_MESSAGE(owned,
                    "the name must stay recorded: a later lookup finds what a lost create made");
    CHECK(owned->id.empty());

    check_next_cycle_reaches_goal(rig, op::create);
    CHECK(rig.sent(create_route) == 1);
}

void check_create_refused(Rig& rig, const Row& row) {
    CHECK(rig.sent(create_route) == row.sends);
    CHECK(rig.sent(search_route) == 0); // a refusal is certain: nothing to look up
    check_untouched(rig, op::create);
    CHECK_FALSE(rig.owned(alpha));

    check_next_cycle_reaches_goal(rig, op::create);
}

void check_lookup_failed(Rig& rig, const Row& row) {
    CHECK(rig.sent(search_route) == row.sends);
    CHECK(rig.sent(create_route) == 1);
    const auto* item = rig.item(rig.faulted, alpha);
    REQUIRE(item);
    CHECK(item->outcome == ItemOutcome::failed);
    check_untouched(rig, op::search);
    const auto owned = rig.owned(alpha);
    REQUIRE(owned);
    CHECK_MESSAGE(owned->id.empty(), "unresolved: the name stays recorded without an id");

    check_next_cycle_reaches_goal(rig, op::search);
    CHECK_MESSAGE(rig.sent(create_route) == 0,
                  "never a second create of a name a lost create may hold");
    CHECK(rig.writes() == 0); // found by name: owned as it is
}

void check_item_failed(Rig& rig, const Row& row) {
    CHECK(rig.sent(route_of(row.call).counted) == row.sends);
    const auto* item = rig.item(rig.faulted, subject_of(row.call));
    REQUIRE(item);
    CHECK(item->outcome == ItemOutcome::failed);
    check_untouched(rig, row.call);
    const auto owned = rig.owned(subject_of(row.call));
    CHECK_MESSAGE(owned.has_value(), "a failed " << name_of(row.call) << " stays owned");

    check_next_cycle_reaches_goal(rig, row.call);
}

void check_reread_after_409(Rig& rig, const Row& row) {
    CHECK(rig.sent(update_route) == row.sends);
    CHECK(rig.answered(409) == 1);
    CHECK(rig.sent(get_route) == 1);
    CHECK_MESSAGE(converged(rig.faulted), describe(rig.faulted));
    const auto* item = rig.item(rig.faulted, alpha);
    REQUIRE(item);
    CHECK_MESSAGE(
        item->outcome == ItemOutcome::done,
        "the update was made (by its first send): it is reported, and logged in changes.jsonl");
    CHECK(read_text(rig.state_dir / "changes.jsonl").find("\"action\":\"update\"") !=
          std::string::npos);
    check_goal(rig, op::update);
}

void check_taken_as_gone(Rig& rig, const Row& row) {
    CHECK(rig.sent(delete_route) == row.sends);
    CHECK_MESSAGE(converged(rig.faulted), describe(rig.faulted));
    CHECK_FALSE(rig.owned(beta));
    // The fault answered for a tenant that deleted nothing: the webhook is
    // still there, and no longer hookwarden's.
    CHECK(rig.control.webhooks_named(beta).size() == 1);

    const auto next = rig.recover();
    CHECK_MESSAGE(converged(next), describe(next));
    CHECK_MESSAGE(rig.sent(delete_route) == 0, "an unowned webhook is never deleted");
}

void check_trigger_refused(Rig& rig, const Row& row) {
    CHECK(rig.sent(route_of(op::topics).counted) == row.sends);
    CHECK(rig.sent(trigger_create_route) == 0);
    CHECK(rig.writes() == 0);
    check_untouched(rig, op::topics);
    const auto* item = rig.item(rig.faulted, tee);
    REQUIRE_MESSAGE(item, describe(rig.faulted));
    CHECK(item->action == PlanAction::error);
    CHECK_FALSE(converged(rig.faulted));

    check_next_cycle_reaches_goal(rig, op::topics);
}

void check_snapshot_kept(Rig& rig, const Row& row) {
    CHECK(rig.sent(route_of(row.call).counted) == row.sends);
    CHECK_MESSAGE(converged(rig.faulted),
                  "a snapshot never fails the cycle: " << describe(rig.faulted));
    check_untouched(rig, row.call);
    const auto status = json::parse(read_text(rig.state_dir / "status.json")).as_object();
    const std::string file = row.call == op::analytics ? "health.json" : "audit/";
    bool listed = false;
    for (const auto& error : status.at("snapshotErrors").as_array())
        listed = listed || error.as_object().at("file").as_string() == file;
    CHECK_MESSAGE(listed, "status.json's snapshotErrors must name " << file << ": "
                                                                    << json::serialize(status));

    check_next_cycle_reaches_goal(rig, row.call);
}

void check_outcome(Rig& rig, const Row& row) {
    switch (row.outcome) {
    case expect::sent_again:
        return check_sent_again(rig, row);
    case expect::new_token:
        return check_new_token(rig, row);
    case expect::unreachable:
        return check_unreachable(rig, row);
    case expect::lookup_resend:
        return check_lookup_resend(rig, row);
    case expect::found_by_lookup:
        return check_found_by_lookup(rig, row);
    case expect::create_unknown:
        return check_create_unknown(rig, row);
    case expect::create_refused:
        return check_create_refused(rig, row);
    case expect::lookup_failed:
        return check_lookup_failed(rig, row);
    case expect::item_failed:
        return check_item_failed(rig, row);
    case expect::reread_after_409:
        return check_reread_after_409(rig, row);
    case expect::taken_as_gone:
        return check_taken_as_gone(rig, row);
    case expect::trigger_refused:
        return check_trigger_refused(rig, row);
    case expect::snapshot_kept:
        return check_snapshot_kept(rig, row);
    }
}

/// What the fault itself must have caused, whatever the call.
void check_fault_seen(Rig& rig, const Row& row) {
    switch (row.kind) {
    case fault::status_429_retry_after:
        CHECK(rig.answered(429) == 1);
        CHECK_MESSAGE(rig.faulted_seconds >= 1.0, "Retry-After: 1 was not waited for");
        break;
    case fault::token_refused_once:
        // At the token endpoint a 401 refuses the credentials: no token.
        CHECK(rig.tokens_issued() == (row.call == op::token ? 0 : 1));
        break;
    case fault::token_refused_always:
        CHECK(rig.tokens_issued() == 1);
        break;
    case fault::commit_then_reset:
        if (row.call == op::token)
            CHECK(rig.tokens_issued() == 2);
        break;
    default:
        break;
    }
}

/// No name is held twice, ever.
void check_no_duplicates(Rig& rig) {
    auto names = rig.control.webhook_names();
    CHECK_MESSAGE(std::adjacent_find(names.begin(), names.end()) == names.end(),
                  "a webhook name is held twice");
    auto triggers = rig.control.trigger_names();
    CHECK_MESSAGE(std::adjacent_find(triggers.begin(), triggers.end()) == triggers.end(),
                  "a trigger name is held twice");
}

void run_row(const Row& row) {
    Rig rig;
    prepare(rig, row.call);
    rig.remember();
    rig.control.add_fault(fault_spec(row.kind, route_of(row.call)));
    const auto started = std::chrono::steady_clock::now();
    rig.faulted = rig.cycle();
    rig.faulted_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    check_fault_seen(rig, row);
    check_outcome(rig, row);
    check_no_duplicates(rig);

    // Whatever the fault left, a clean cycle converges without a write.
    const auto quiet = rig.recover();
    CHECK_MESSAGE(converged(quiet), describe(quiet));
    CHECK(rig.writes() == 0);
    check_no_duplicates(rig);
}

TEST_CASE("fault matrix: every fault kind × tenant call has its documented outcome") {
    set_log_level(LogLevel::error); // the snapshot writer warns of every fault it meets
    for (const Row& row : matrix) {
        SUBCASE(name_of(row).c_str()) {
            // A failed REQUIRE ends its row only: doctest would otherwise
            // end the test case, and the rows after it would not run.
            try {
                run_row(row);
            } catch (const doctest::detail::TestFailureException&) {
                // already reported, under the row's name
            } catch (const std::exception& e) {
                FAIL_CHECK("the row stopped: " << e.what());
            }
        }
    }
}

TEST_CASE("fault matrix: every fault kind of the issue meets every call, each pair in one row") {
    for (const Row& row : matrix) {
        const auto same =
            std::count_if(std::begin(matrix), std::end(matrix), [&](const Row& other) {
                return other.kind == row.kind && other.call == row.call;
            });
        CHECK_MESSAGE(same == 1, name_of(row) << ": " << same << " rows for one pair");
    }
    constexpr fault kinds[] = {fault::status_503_once,
                               fault::status_503_always,
                               fault::status_429_retry_after,
                               fault::reset,
                               fault::hang,
                               fault::malformed,
                               fault::commit_then_reset,
                               fault::token_refused_once};
    constexpr op calls[] = {op::token,  op::list,   op::search,    op::create, op::update,
                            op::remove, op::topics, op::analytics, op::audit};
    for (const fault kind : kinds)
        for (const op call : calls) {
            const auto rows =
                std::count_if(std::begin(matrix), std::end(matrix),
                              [&](const Row& row) { return row.kind == kind && row.call == call; });
            CHECK_MESSAGE(rows == 1, name_of(kind)
                                         << " × " << name_of(call) << " has " << rows << " rows");
        }
}

} // namespace
} // namespace hookwarden
