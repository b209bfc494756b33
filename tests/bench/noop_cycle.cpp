// What one cycle costs when nothing needs doing, snapshots included.
//
//   bench_noop_cycle [N=1000]
//
// Starts the tenant emulator, converges N webhooks (created through the
// engine, so hookwarden owns them and knows their secrets), then runs one
// more cycle as `hookwarden apply` would: a fresh TenantHttp (so a token is
// fetched), list, plan, execute, then the snapshots' queries (delivery
// metrics of the owned webhooks, the tenant-wide audit trail since the
// cursor). Prints the requests that cycle made, by route and by kind, and
// its wall time, against the request budget of issue 12:
// 2⌈N/100⌉ + 2 requests (token, list pages, analytics batches, one audit
// page) plus the audit pages holding new entries, and no write. Figures
// only: it never fails on timing or on the budget; it exits 1 only when the
// cycle does not converge.
#include "core/engine.hpp"
#include "daemon/service/snapshot_writer.hpp"
#include "daemon/service/thread_pool.hpp"
#include "daemon/tenant/tenant_http.hpp"
#include "tests/support/emulator_client.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"
#include "tests/support/scratch_dir.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>

using namespace hookwarden;
using steady = std::chrono::steady_clock;

namespace {

std::unique_ptr<TenantHttp> connect(const test::EmulatorProcess& emulator) {
    TenantHttpOptions options = test::tenant_options_for(emulator);
    auto made = TenantHttp::create(options);
    if (!made) {
        std::fprintf(stderr, "noop_cycle: %s\n", made.error().describe().c_str());
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

/// One cycle as `hookwarden apply` runs it, snapshots included (source
/// "apply": status.json, health.json, audit/, changes.jsonl, metrics.prom
/// in `state_dir`).
CycleResult cycle(TenantHttp& tenant, SecretStore& secrets, StateStore& state, const DesiredState& desired,
                  const std::filesystem::path& state_dir) {
    ThreadPool pool(EngineOptions{}.concurrency);
    Engine engine(
        tenant, secrets, state, pool, EngineOptions{}, [] { return steady::now(); },
        [] { return std::uint64_t{0}; });
    CycleReport report;
    report.cycle_id = new_cycle_id();
    report.started = std::chrono::system_clock::now();
    auto plan = engine.plan(desired, PlanOptions{});
    if (!plan) {
        std::fprintf(stderr, "noop_cycle: %s\n", plan.error().describe().c_str());
        std::exit(1);
    }
    report.result = engine.apply(*plan);
    report.finished = std::chrono::system_clock::now();
    SnapshotSettings settings{.state_dir = state_dir, .manifest_dir = state_dir / "manifests", .source = "apply"};
    SnapshotWriter(settings).write(report, desired, &*plan, tenant);
    for (const auto& [file, message] : report.snapshot_errors)
        std::fprintf(stderr, "noop_cycle: snapshot %s: %s\n", file.c_str(), message.c_str());
    return *report.result;
}

/// What kind of request a route of the emulator's counters is.
std::string kind_of(std::string_view route) {
    if (route == "POST /oauth/token")
        return "token";
    if (route == "GET /api/v2/webhooks")
        return "list pages";
    if (route == "POST /api/v2/analytics/webhooks/summary/query")
        return "analytics batches";
    if (route == "POST /api/v2/auditlogs/query")
        return "audit pages";
    return "other";
}

} // namespace

int main(int argc, char** argv) {
    const int n = argc > 1 ? std::atoi(argv[1]) : 1000;
    if (n <= 0) {
        std::fprintf(stderr, "usage: %s [N=1000]\n", argv[0]);
        return 2;
    }
    test::EmulatorProcess emulator({"--rpm", "1000000", "--quiet"});
    test::EmulatorControl control(emulator);
    testing::ScratchDir dir("hookwarden-bench");
    SecretStore secrets(dir.path(), {}, device_random());
    StateStore state(dir.path());

    DesiredState desired;
    for (int i = 0; i < n; ++i) {
        WebhookManifest m;
        m.name = "bench-" + std::to_string(i);
        m.event_types = {"user:login", "user:logout"};
        m.endpoint_url = "https://hooks.example.com/bench/" + std::to_string(i);
        desired.webhooks.push_back(std::move(m));
    }

    // The set-up cycle's snapshots store the creates' audit entries and the
    // cursor, as an earlier cycle would have.
    std::printf("noop_cycle: converging %d webhooks first...\n", n);
    {
        auto tenant = connect(emulator);
        const auto setup = cycle(*tenant, secrets, state, desired, dir.path());
        if (!setup.converged() || setup.counts.created != static_cast<std::size_t>(n)) {
            std::fprintf(stderr, "noop_cycle: the set-up cycle did not converge\n");
            return 1;
        }
    }

    const auto before = control.counters();
    const auto start = steady::now();
    auto tenant = connect(emulator);
    const auto result = cycle(*tenant, secrets, state, desired, dir.path());
    const double seconds = std::chrono::duration<double>(steady::now() - start).count();
    const auto after = control.counters();

    std::int64_t total = 0;
    std::map<std::string, std::int64_t> by_kind;
    std::printf("noop_cycle: one apply with snapshots over %d converged webhooks\n", n);
    for (const auto& [route, count] : after.at("requests").as_object()) {
        const auto* old = before.at("requests").as_object().if_contains(route);
        const std::int64_t delta = count.as_int64() - (old ? old->as_int64() : 0);
        if (delta == 0 || std::string_view(route).find("/_emulator") != std::string_view::npos)
            continue;
        total += delta;
        by_kind[kind_of(route)] += delta;
        std::printf("  %-48s %lld\n", std::string(route).c_str(), static_cast<long long>(delta));
    }
    const auto writes = after.at("writes").as_int64() - before.at("writes").as_int64();
    const int pages = (n + 99) / 100;
    const int budget = 2 * pages + 2;
    for (const auto& [kind, count] : by_kind)
        std::printf("  %-20s %lld\n", kind.c_str(), static_cast<long long>(count));
    // No audit entry is new in a no-op cycle: the one audit page holds none,
    // so the budget has no extra page.
    std::printf("  requests: %lld, budget 2*ceil(%d/100) + 2 = %d: %s\n", static_cast<long long>(total), n, budget,
                total <= budget ? "within" : "OVER");
    std::printf("  writes:   %lld (goal: 0)\n", static_cast<long long>(writes));
    std::printf("  unchanged: %zu of %d\n", result.counts.unchanged, n);
    std::printf("  wall time: %.3f s\n", seconds);
    return result.converged() ? 0 : 1;
}
