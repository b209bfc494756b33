// How close the tenant client runs to its request budget without a 429.
//
//   bench_client_throughput [K=600] [R=300] [CONCURRENCY=4]
//
// Starts the tenant emulator with `--rpm R`, points a TenantHttp at it with
// requests_per_minute = R, and has CONCURRENCY threads make K single-request
// calls (GET /api/v2/webhooks/{id}) between them. Prints the achieved rate
// against R and the 429s, in total and after the first minute. The goal is
// at least 90 % of R and no 429 after the first minute. Figures only: it
// never fails on timing. K=600 at R=300 takes about two minutes; small K
// with a large R (e.g. 200 6000) runs in seconds.
#include "daemon/tenant/tenant_http.hpp"
#include "tests/bench/bench_main.hpp"
#include "tests/support/emulator_client.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace hookwarden;
using steady = std::chrono::steady_clock;

namespace {

int argument(int argc, char** argv, int index, int fallback) {
    if (argc <= index)
        return fallback;
    const int value = std::atoi(argv[index]);
    if (value <= 0) {
        (void)std::fprintf(stderr, "usage: %s [K=600] [R=300] [CONCURRENCY=4] (positive integers)\n",
                           argv[0]);
        std::exit(2);
    }
    return value;
}

int run(int argc, char** argv) {
    const int requests = argument(argc, argv, 1, 600);
    const int rpm = argument(argc, argv, 2, 300);
    const int concurrency = argument(argc, argv, 3, 4);

    test::EmulatorProcess emulator({"--rpm", std::to_string(rpm), "--quiet"});
    test::EmulatorControl control(emulator);
    Webhook sample;
    sample.name = "bench";
    sample.event_types = {"user:login"};
    sample.endpoint_url = "https://example.com/bench";
    const auto id = control.insert_webhook(sample).id;

    TenantHttpOptions options = test::tenant_options_for(emulator);
    options.requests_per_minute = rpm;
    options.concurrency = concurrency;
    auto made = TenantHttp::create(options);
    if (!made) {
        (void)std::fprintf(stderr, "client_throughput: %s\n", made.error().describe().c_str());
        return 1;
    }
    auto& tenant = **made;

    std::printf("client_throughput: %d requests, tenant and client at %d requests/minute, concurrency %d\n",
                requests, rpm, concurrency);
    std::atomic<int> left{requests};
    std::atomic<int> failures{0};
    std::mutex mutex;
    std::vector<double> done_at; // seconds since start, per completed call
    std::uint64_t rate_limited_in_first_minute = 0;
    const auto start = steady::now();
    std::vector<std::thread> workers;
    workers.reserve(static_cast<std::size_t>(concurrency));
    for (int t = 0; t < concurrency; ++t) {
        workers.emplace_back([&] {
            while (left.fetch_sub(1) > 0) {
                const bool ok = static_cast<bool>(tenant.get_webhook(id));
                const double at = std::chrono::duration<double>(steady::now() - start).count();
                const auto seen = tenant.counters().rate_limited;
                std::lock_guard lock(mutex);
                if (!ok)
                    ++failures;
                done_at.push_back(at);
                if (at <= 60.0)
                    rate_limited_in_first_minute = std::max(rate_limited_in_first_minute, seen);
            }
        });
    }
    for (auto& w : workers)
        w.join();
    const double elapsed = std::chrono::duration<double>(steady::now() - start).count();

    const auto counters = tenant.counters();
    const auto emulator_429 = control.counters().at("rateLimited").to_number<std::int64_t>();
    const double achieved = requests / elapsed * 60.0;
    std::printf("elapsed            %.1f s\n", elapsed);
    std::printf("achieved           %.1f requests/minute = %.1f %% of %d\n", achieved, 100.0 * achieved / rpm, rpm);
    if (elapsed > 70.0) {
        std::size_t after = 0;
        for (double t : done_at)
            after += t > 60.0 ? 1 : 0;
        const double steady_rate = static_cast<double>(after) / (elapsed - 60.0) * 60.0;
        std::printf("after minute one   %.1f requests/minute = %.1f %% of %d\n", steady_rate,
                    100.0 * steady_rate / rpm, rpm);
    }
    std::printf("429s               %llu seen by the client (%llu after the first minute), %lld counted by the tenant\n",
                static_cast<unsigned long long>(counters.rate_limited),
                static_cast<unsigned long long>(counters.rate_limited - rate_limited_in_first_minute),
                static_cast<long long>(emulator_429));
    std::printf("requests sent      %llu (token requests %llu, retries %llu), failed calls %d\n",
                static_cast<unsigned long long>(counters.requests_sent),
                static_cast<unsigned long long>(counters.token_requests),
                static_cast<unsigned long long>(counters.retries), failures.load());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    return hookwarden::bench::run_main("client_throughput", argc, argv, run);
}
