// What a cycle costs when nothing needs doing: once as `hookwarden apply`
// runs it (snapshots included), once as the daemon's long-lived engine does.
//
//   bench_noop_cycle [W=1000] [T=W]
//
// Starts the tenant emulator and converges W webhooks and T Process
// Automation triggers (created through the engine, so hookwarden owns them
// and knows the webhooks' secrets; the triggers are on topics of the
// emulator's default list, every third with match criteria). Then it
// measures two no-op cycles and prints, for each, the requests it made by
// route and by class, its writes (goal: 0) and its wall time:
//
//  (a) `hookwarden apply`: a fresh TenantHttp and a fresh Engine, so a token
//      is fetched and the topics are read (a new process never has them),
//      then list, plan, execute and the snapshots' queries (delivery metrics
//      of the owned webhooks, the tenant-wide audit trail since the cursor).
//      Against two budgets: reconcile (issue 14)
//        ⌈W/100⌉ + ⌈T/200⌉ + 1 token + 1 topics
//      and the whole cycle, that plus ⌈W/100⌉ analytics batches and one
//      audit page (no audit entry is new in a no-op cycle, so there is no
//      further page).
//  (b) the daemon: one TenantHttp and one Engine kept across two cycles,
//      without snapshots; the second cycle's requests, against
//        ⌈W/100⌉ + ⌈T/200⌉
//      since the token is still valid and the topics are kept for an hour.
//
// The topics term is 0 when T is 0: topics are read only when triggers are
// desired. Figures only: it never fails on timing or on a budget; it exits 1
// only when a cycle does not converge.
#include "core/engine.hpp"
#include "daemon/service/snapshot_writer.hpp"
#include "daemon/service/thread_pool.hpp"
#include "daemon/tenant/tenant_http.hpp"
#include "tests/bench/bench_main.hpp"
#include "tests/support/emulator_client.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"
#include "tests/support/scratch_dir.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <string>

using namespace hookwarden;
using steady = std::chrono::steady_clock;

namespace {

std::unique_ptr<TenantHttp> connect(const test::EmulatorProcess& emulator) {
    TenantHttpOptions options = test::tenant_options_for(emulator);
    auto made = TenantHttp::create(options);
    if (!made) {
        (void)std::fprintf(stderr, "noop_cycle: %s\n", made.error().describe().c_str());
        std::exit(1);
    }
    return std::move(*made);
}

SecretRandom device_random() {
    return [](std::span<unsigned char> out) {
        std::random_device device;
        for (auto& b : out)
            b = static_cast<unsigned char>(device());
        return true;
    };
}

/// What both the set-up and the measured cycles reconcile towards.
DesiredState desired_state(int webhooks, int triggers) {
    // Topics of the emulator's default list (tests/emulator/emulator_tenant.cpp).
    static const char* const topics[] = {
        "v2.detail.events.conversation.{id}.customer.end",
        "v2.detail.events.conversation.{id}.customer.start",
        "v2.detail.events.conversation.{id}.acw",
        "v2.users.{id}.presence",
    };
    DesiredState desired;
    for (int i = 0; i < webhooks; ++i) {
        WebhookManifest m;
        m.name = "bench-" + std::to_string(i);
        m.event_types = {"user:login", "user:logout"};
        m.endpoint_url = "https://hooks.example.com/bench/" + std::to_string(i);
        desired.webhooks.push_back(std::move(m));
    }
    for (int i = 0; i < triggers; ++i) {
        TriggerManifest m;
        m.name = "bench-trigger-" + std::to_string(i);
        m.topic_name = topics[i % std::size(topics)];
        char workflow[37]; // a UUID and the NUL: it always fits
        (void)std::snprintf(workflow, sizeof workflow, "5f6e1c2a-0d3b-4a8e-9c7f-%012x",
                            static_cast<unsigned>(i));
        m.target.id = workflow;
        if (i % 3 == 0) {
            m.match_criteria.push_back({.json_path = "mediaType", .op = "Equal", .value = boost::json::value("CHAT")});
            m.match_criteria.push_back({.json_path = "disconnectType",
                                        .op = "In",
                                        .values = std::vector<boost::json::value>{"error", "transfer"}});
        }
        m.event_ttl_seconds = 60;
        desired.triggers.push_back(std::move(m));
    }
    return desired;
}

/// The engine `hookwarden apply` makes for its one cycle, and the daemon for
/// its whole life, with the pool it runs on.
struct Reconciler {
    Reconciler(TenantHttp& tenant, SecretStore& secrets, StateStore& state)
        : pool(EngineOptions{}.concurrency),
          engine(
              tenant, secrets, state, pool, EngineOptions{}, [] { return steady::now(); },
              [] { return std::uint64_t{0}; }) {}

    ThreadPool pool;
    Engine engine;
};

/// One cycle on `engine`: plan and apply, then, when `snapshots_in` is set,
/// the snapshots `hookwarden apply` writes there (status.json, health.json,
/// audit/, changes.jsonl, metrics.prom), with their queries.
CycleResult cycle(Engine& engine, TenantHttp& tenant, const DesiredState& desired,
                  const std::optional<std::filesystem::path>& snapshots_in) {
    CycleReport report;
    report.cycle_id = new_cycle_id();
    report.started = std::chrono::system_clock::now();
    auto plan = engine.plan(desired, PlanOptions{});
    if (!plan) {
        (void)std::fprintf(stderr, "noop_cycle: %s\n", plan.error().describe().c_str());
        std::exit(1);
    }
    report.result = engine.apply(*plan);
    report.finished = std::chrono::system_clock::now();
    if (!snapshots_in)
        return *report.result;
    SnapshotSettings settings{.state_dir = *snapshots_in, .manifest_dir = *snapshots_in / "manifests", .source = "apply"};
    SnapshotWriter(settings).write(report, desired, &*plan, tenant);
    for (const auto& [file, message] : report.snapshot_errors)
        (void)std::fprintf(stderr, "noop_cycle: snapshot %s: %s\n", file.c_str(), message.c_str());
    return *report.result;
}

/// What class of request a route of the emulator's counters is.
std::string class_of(std::string_view route) {
    if (route == "POST /oauth/token")
        return "token";
    if (route == "GET /api/v2/webhooks")
        return "webhook list pages";
    if (route == "GET /api/v2/processautomation/triggers")
        return "trigger list pages";
    if (route == "GET /api/v2/processautomation/triggers/topics")
        return "topics";
    if (route == "POST /api/v2/analytics/webhooks/summary/query")
        return "analytics batches";
    if (route == "POST /api/v2/auditlogs/query")
        return "audit pages";
    return "other";
}

bool is_snapshot_query(std::string_view request_class) {
    return request_class == "analytics batches" || request_class == "audit pages";
}

/// The requests and writes the tenant saw between two readings of its
/// counters (the control plane's own are never counted).
struct Requests {
    std::map<std::string, std::int64_t> by_route;
    std::map<std::string, std::int64_t> by_class;
    std::int64_t total = 0;
    std::int64_t snapshot_queries = 0;
    std::int64_t writes = 0;

    Requests(const boost::json::object& before, const boost::json::object& after) {
        for (const auto& [route, count] : after.at("requests").as_object()) {
            const auto* old = before.at("requests").as_object().if_contains(route);
            const std::int64_t delta = count.as_int64() - (old ? old->as_int64() : 0);
            if (delta == 0 || std::string_view(route).find("/_emulator") != std::string_view::npos)
                continue;
            const auto request_class = class_of(route);
            by_route[std::string(route)] += delta;
            by_class[request_class] += delta;
            total += delta;
            if (is_snapshot_query(request_class))
                snapshot_queries += delta;
        }
        writes = after.at("writes").as_int64() - before.at("writes").as_int64();
    }

    std::int64_t reconcile() const { return total - snapshot_queries; }

    void print() const {
        for (const auto& [route, count] : by_route)
            std::printf("  %-52s %lld\n", route.c_str(), static_cast<long long>(count));
        for (const auto& [request_class, count] : by_class)
            std::printf("  %-24s %lld\n", request_class.c_str(), static_cast<long long>(count));
    }
};

void print_budget(const char* what, std::int64_t count, const std::string& formula, int budget) {
    std::printf("  %s: %lld, budget %s = %d: %s\n", what, static_cast<long long>(count), formula.c_str(), budget,
                count <= budget ? "within" : "OVER");
}

int run(int argc, char** argv) {
    const int w = argc > 1 ? std::atoi(argv[1]) : 1000;
    const int t = argc > 2 ? std::atoi(argv[2]) : w;
    if (w < 0 || t < 0 || w + t == 0) {
        (void)std::fprintf(stderr, "usage: %s [W=1000] [T=W]  (webhooks and triggers, not both 0)\n",
                           argv[0]);
        return 2;
    }
    test::EmulatorProcess emulator({"--rpm", "1000000", "--quiet"});
    test::EmulatorControl control(emulator);
    testing::ScratchDir dir("hookwarden-bench");
    SecretStore secrets(dir.path(), {}, device_random());
    StateStore state(dir.path());
    const DesiredState desired = desired_state(w, t);

    // The set-up cycle's snapshots store the creates' audit entries and the
    // cursor, as an earlier cycle would have.
    std::printf("noop_cycle: converging %d webhooks and %d triggers first...\n", w, t);
    {
        auto tenant = connect(emulator);
        Reconciler setup(*tenant, secrets, state);
        const auto result = cycle(setup.engine, *tenant, desired, dir.path());
        const std::size_t all = static_cast<std::size_t>(w) + static_cast<std::size_t>(t);
        if (!result.converged() || result.counts.created != all) {
            (void)std::fprintf(stderr, "noop_cycle: the set-up cycle did not converge\n");
            return 1;
        }
    }

    const int webhook_pages = (w + 99) / 100;
    const int trigger_pages = (t + 199) / 200;
    const int topics = t > 0 ? 1 : 0;
    const std::string pages = "ceil(" + std::to_string(w) + "/100) + ceil(" + std::to_string(t) + "/200)";
    bool converged = true;

    // (a) `hookwarden apply`: everything is fresh.
    {
        const auto before = control.counters();
        const auto start = steady::now();
        auto tenant = connect(emulator);
        Reconciler apply(*tenant, secrets, state);
        const auto result = cycle(apply.engine, *tenant, desired, dir.path());
        const double seconds = std::chrono::duration<double>(steady::now() - start).count();
        const Requests requests(before, control.counters());

        std::printf("noop_cycle: (a) one apply with snapshots over %d webhooks and %d triggers, converged\n", w, t);
        requests.print();
        const int reconcile = webhook_pages + trigger_pages + 1 + topics;
        print_budget("reconcile requests", requests.reconcile(),
                     pages + " + 1 token" + (topics ? " + 1 topics" : ""), reconcile);
        print_budget("all requests", requests.total, "that + ceil(" + std::to_string(w) + "/100) + 1 audit",
                     reconcile + webhook_pages + 1);
        std::printf("  writes:    %lld (goal: 0)\n", static_cast<long long>(requests.writes));
        std::printf("  unchanged: %zu of %d\n", result.counts.unchanged, w + t);
        std::printf("  wall time: %.3f s\n", seconds);
        converged = converged && result.converged();
    }

    // (b) The daemon: its tenant client and engine outlive a cycle, so the
    // second cycle needs neither a token nor the topics.
    {
        auto tenant = connect(emulator);
        Reconciler daemon(*tenant, secrets, state);
        const auto first_before = control.counters();
        const auto first = cycle(daemon.engine, *tenant, desired, std::nullopt);
        const auto before = control.counters();
        const auto start = steady::now();
        const auto result = cycle(daemon.engine, *tenant, desired, std::nullopt);
        const double seconds = std::chrono::duration<double>(steady::now() - start).count();
        const Requests requests(before, control.counters());

        std::printf("noop_cycle: (b) the daemon's second cycle on one engine, no snapshots "
                    "(its first made %lld requests)\n",
                    static_cast<long long>(Requests(first_before, before).total));
        requests.print();
        print_budget("reconcile requests", requests.reconcile(), pages, webhook_pages + trigger_pages);
        std::printf("  writes:    %lld (goal: 0)\n", static_cast<long long>(requests.writes));
        std::printf("  unchanged: %zu of %d\n", result.counts.unchanged, w + t);
        std::printf("  wall time: %.3f s\n", seconds);
        converged = converged && first.converged() && result.converged();
    }
    if (!converged)
        (void)std::fprintf(stderr, "noop_cycle: a measured cycle did not converge\n");
    return converged ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    return hookwarden::bench::run_main("noop_cycle", argc, argv, run);
}
