// What one apply costs when nothing needs doing.
//
//   bench_noop_cycle [N=1000]
//
// Starts the tenant emulator, converges N webhooks (created through the
// engine, so hookwarden owns them and knows their secrets), then runs one
// more cycle as `hookwarden apply` would: a fresh TenantHttp (so a token is
// fetched), list, plan, execute. Prints the requests that cycle made, by
// route, and its wall time. The goal: ceil(N/100) list pages, at most one
// token request, no write. Figures only: it never fails on timing; it
// exits 1 only when the cycle does not converge.
#include "daemon/service/thread_pool.hpp"
#include "core/engine.hpp"
#include "daemon/tenant/tenant_http.hpp"
#include "tests/support/emulator_client.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"
#include "tests/support/scratch_dir.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
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

CycleResult cycle(Tenant& tenant, SecretStore& secrets, StateStore& state,
                  const std::vector<WebhookManifest>& desired) {
    ThreadPool pool(EngineOptions{}.concurrency);
    Engine engine(
        tenant, secrets, state, pool, EngineOptions{}, [] { return steady::now(); },
        [] { return std::uint64_t{0}; });
    auto plan = engine.plan(DesiredState{desired, {}, 0}, PlanOptions{});
    if (!plan) {
        std::fprintf(stderr, "noop_cycle: %s\n", plan.error().describe().c_str());
        std::exit(1);
    }
    return engine.apply(*plan);
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

    std::vector<WebhookManifest> desired;
    for (int i = 0; i < n; ++i) {
        WebhookManifest m;
        m.name = "bench-" + std::to_string(i);
        m.event_types = {"user:login", "user:logout"};
        m.endpoint_url = "https://hooks.example.com/bench/" + std::to_string(i);
        desired.push_back(std::move(m));
    }

    std::printf("noop_cycle: converging %d webhooks first...\n", n);
    {
        auto tenant = connect(emulator);
        const auto setup = cycle(*tenant, secrets, state, desired);
        if (!setup.converged() || setup.counts.created != static_cast<std::size_t>(n)) {
            std::fprintf(stderr, "noop_cycle: the set-up cycle did not converge\n");
            return 1;
        }
    }

    const auto before = control.counters();
    const auto start = steady::now();
    auto tenant = connect(emulator);
    const auto result = cycle(*tenant, secrets, state, desired);
    const double seconds = std::chrono::duration<double>(steady::now() - start).count();
    const auto after = control.counters();

    std::int64_t total = 0;
    std::printf("noop_cycle: one apply over %d converged webhooks\n", n);
    for (const auto& [route, count] : after.at("requests").as_object()) {
        const auto* old = before.at("requests").as_object().if_contains(route);
        const std::int64_t delta = count.as_int64() - (old ? old->as_int64() : 0);
        if (delta == 0 || std::string_view(route).starts_with("GET /_emulator") ||
            std::string_view(route).starts_with("POST /_emulator"))
            continue;
        total += delta;
        std::printf("  %-40s %lld\n", std::string(route).c_str(), static_cast<long long>(delta));
    }
    const auto writes = after.at("writes").as_int64() - before.at("writes").as_int64();
    std::printf("  requests: %lld (goal: %d list pages + at most 1 token request)\n",
                static_cast<long long>(total), (n + 99) / 100);
    std::printf("  writes:   %lld (goal: 0)\n", static_cast<long long>(writes));
    std::printf("  unchanged: %zu of %d\n", result.counts.unchanged, n);
    std::printf("  wall time: %.3f s\n", seconds);
    return result.converged() ? 0 : 1;
}
