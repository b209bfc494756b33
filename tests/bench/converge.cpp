// How fast hookwarden converges an empty tenant under a request budget.
//
//   bench_converge [N=1000] [R=300] [CONCURRENCY=4]
//
// Starts the tenant emulator with `--rpm R`, then one engine cycle with a
// TenantHttp paced at requests_per_minute = R creates N webhooks. Prints the
// wall time against the bound N/R minutes (the budget allows no faster) and
// the 429s seen. The goal: at most 1.1 x the bound and no 429. N=1000 at
// R=300 takes over three minutes; small N with a large R (e.g. 200 3000)
// runs in seconds. Figures only: it never fails on timing; it exits 1 only
// when the cycle does not converge.
#include "daemon/service/thread_pool.hpp"
#include "core/engine.hpp"
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
#include <random>
#include <string>

using namespace hookwarden;
using steady = std::chrono::steady_clock;

namespace {

int argument(int argc, char** argv, int index, int fallback) {
    if (argc <= index)
        return fallback;
    const int value = std::atoi(argv[index]);
    if (value <= 0) {
        (void)std::fprintf(stderr, "usage: %s [N=1000] [R=300] [CONCURRENCY=4] (positive integers)\n",
                           argv[0]);
        std::exit(2);
    }
    return value;
}

int run(int argc, char** argv) {
    const int n = argument(argc, argv, 1, 1000);
    const int rpm = argument(argc, argv, 2, 300);
    const int concurrency = argument(argc, argv, 3, 4);

    test::EmulatorProcess emulator({"--rpm", std::to_string(rpm), "--quiet"});
    test::EmulatorControl control(emulator);
    testing::ScratchDir dir("hookwarden-bench");

    TenantHttpOptions options = test::tenant_options_for(emulator);
    options.requests_per_minute = rpm;
    options.concurrency = concurrency;
    auto made = TenantHttp::create(options);
    if (!made) {
        (void)std::fprintf(stderr, "converge: %s\n", made.error().describe().c_str());
        return 1;
    }
    SecretStore secrets(dir.path(), {}, [](std::span<unsigned char> out) {
        std::random_device device;
        for (auto& b : out)
            b = static_cast<unsigned char>(device());
        return true;
    });
    StateStore state(dir.path());
    ThreadPool pool(static_cast<std::size_t>(concurrency));
    Engine engine(
        **made, secrets, state, pool, EngineOptions{.concurrency = concurrency},
        [] { return steady::now(); }, [] { return std::uint64_t{0}; });

    std::vector<WebhookManifest> desired;
    for (int i = 0; i < n; ++i) {
        WebhookManifest m;
        m.name = "bench-" + std::to_string(i);
        m.event_types = {"user:login"};
        m.endpoint_url = "https://hooks.example.com/bench/" + std::to_string(i);
        desired.push_back(std::move(m));
    }

    std::printf("converge: %d creates, tenant and client at %d requests/minute, concurrency %d\n",
                n, rpm, concurrency);
    const auto start = steady::now();
    auto plan = engine.plan(DesiredState{desired, {}, 0}, PlanOptions{});
    if (!plan) {
        (void)std::fprintf(stderr, "converge: %s\n", plan.error().describe().c_str());
        return 1;
    }
    const auto result = engine.apply(*plan);
    const double seconds = std::chrono::duration<double>(steady::now() - start).count();
    const auto counters = control.counters();
    const double bound = 60.0 * n / rpm;

    std::printf("  created:      %zu of %d (%zu failed)\n", result.counts.created, n,
                result.counts.failed);
    std::printf("  wall time:    %.2f s\n", seconds);
    std::printf("  bound N/R:    %.2f s (goal: at most %.2f s, 1.1 x)\n", bound, 1.1 * bound);
    std::printf("  ratio:        %.3f\n", seconds / bound);
    std::printf("  429 answers:  %lld\n",
                static_cast<long long>(counters.at("rateLimited").as_int64()));
    std::printf("  requests:     %lld POST, %lld list\n",
                static_cast<long long>(control.request_count("POST /api/v2/webhooks")),
                static_cast<long long>(control.request_count("GET /api/v2/webhooks")));
    return result.converged() ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    return hookwarden::bench::run_main("converge", argc, argv, run);
}
