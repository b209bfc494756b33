// How close the tenant client runs to its request budget without a 429, and
// how few 429s it takes to find a limit the tenant does not tell.
//
//   bench_client_throughput [K=600] [R=300] [CONCURRENCY=4]
//   bench_client_throughput unknown [N=40] [TENANT_RPM=60] [CLIENT_RPM=600] [CONCURRENCY=4]
//
// Known budget: starts the tenant emulator with `--rpm R`, points a
// TenantHttp at it with requests_per_minute = R, and has CONCURRENCY threads
// make K single-request calls (GET /api/v2/webhooks/{id}) between them.
// Prints the achieved rate against R and the 429s, in total and after the
// first minute. The goal is at least 90 % of R and no 429 after the first
// minute. K=600 at R=300 takes about two minutes; small K with a large R
// (e.g. 200 6000) runs in seconds.
//
// Unknown limit: the emulator at `--rpm TENANT_RPM --no-ratelimit-headers`,
// the client configured for CLIENT_RPM (ten times more, as a new user who
// guessed high), N creates (POST /api/v2/webhooks) from CONCURRENCY threads,
// removed afterwards through the control plane. Prints the 429s (client and
// tenant) and the creates per minute achieved. The goal is at most six 429s
// for 40 creates. N=40 at 60/min takes about 40 s.
//
// Figures only: it never fails on timing.
#include "daemon/tenant/tenant_http.hpp"
#include "tests/bench/bench_main.hpp"
#include "tests/support/emulator_client.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace hookwarden;
using steady = std::chrono::steady_clock;

namespace {

constexpr const char* kUsage = "usage: %s [K=600] [R=300] [CONCURRENCY=4]\n"
                               "       %s unknown [N=40] [TENANT_RPM=60] [CLIENT_RPM=600] [CONCURRENCY=4]\n"
                               "(positive integers)\n";

int argument(int argc, char** argv, int index, int fallback) {
    if (argc <= index)
        return fallback;
    const int value = std::atoi(argv[index]);
    if (value <= 0) {
        (void)std::fprintf(stderr, kUsage, argv[0], argv[0]);
        std::exit(2);
    }
    return value;
}

std::unique_ptr<TenantHttp> client_for(const test::EmulatorProcess& emulator, int rpm, int concurrency) {
    TenantHttpOptions options = test::tenant_options_for(emulator);
    options.requests_per_minute = rpm;
    options.concurrency = concurrency;
    auto made = TenantHttp::create(options);
    if (!made) {
        (void)std::fprintf(stderr, "client_throughput: %s\n", made.error().describe().c_str());
        std::exit(1);
    }
    return std::move(*made);
}

std::int64_t tenant_429s(test::EmulatorControl& control) {
    return control.counters().at("rateLimited").to_number<std::int64_t>();
}

void print_requests(const TenantHttpCounters& counters, int failures) {
    std::printf("requests sent      %llu (token requests %llu, retries %llu), failed calls %d\n",
                static_cast<unsigned long long>(counters.requests_sent),
                static_cast<unsigned long long>(counters.token_requests),
                static_cast<unsigned long long>(counters.retries), failures);
}

int known_budget(int requests, int rpm, int concurrency) {
    test::EmulatorProcess emulator({"--rpm", std::to_string(rpm), "--quiet"});
    test::EmulatorControl control(emulator);
    Webhook sample;
    sample.name = "bench";
    sample.event_types = {"user:login"};
    sample.endpoint_url = "https://example.com/bench";
    const auto id = control.insert_webhook(sample).id;
    auto client = client_for(emulator, rpm, concurrency);
    auto& tenant = *client;

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
                static_cast<long long>(tenant_429s(control)));
    print_requests(counters, failures.load());
    return 0;
}

int unknown_limit(int creates, int tenant_rpm, int client_rpm, int concurrency) {
    test::EmulatorProcess emulator({"--rpm", std::to_string(tenant_rpm), "--no-ratelimit-headers", "--quiet"});
    test::EmulatorControl control(emulator);
    auto client = client_for(emulator, client_rpm, concurrency);
    auto& tenant = *client;

    std::printf("client_throughput unknown: %d creates, tenant at %d requests/minute (burst %d) without "
                "inin-ratelimit-* headers, client at %d, concurrency %d\n",
                creates, tenant_rpm, std::max(1, tenant_rpm / 6), client_rpm, concurrency);
    std::atomic<int> next{0};
    std::atomic<int> failures{0};
    std::mutex mutex;
    std::vector<std::string> ids;
    const auto start = steady::now();
    std::vector<std::thread> workers;
    workers.reserve(static_cast<std::size_t>(concurrency));
    for (int t = 0; t < concurrency; ++t) {
        workers.emplace_back([&] {
            for (int i = next.fetch_add(1); i < creates; i = next.fetch_add(1)) {
                Webhook webhook;
                webhook.name = "bench-" + std::to_string(i);
                webhook.event_types = {"user:login"};
                webhook.endpoint_url = "https://example.com/bench/" + std::to_string(i);
                auto created = tenant.create_webhook(webhook);
                std::lock_guard lock(mutex);
                if (created)
                    ids.push_back(created->id);
                else {
                    ++failures;
                    (void)std::fprintf(stderr, "client_throughput: %s\n", created.error().describe().c_str());
                }
            }
        });
    }
    for (auto& w : workers)
        w.join();
    const double elapsed = std::chrono::duration<double>(steady::now() - start).count();

    const auto counters = tenant.counters();
    const auto held = control.state().at("webhooks").as_array().size();
    for (const auto& id : ids)
        control.delete_webhook_as_ui(id);
    const double achieved = static_cast<double>(ids.size()) / elapsed * 60.0;
    std::printf("elapsed            %.1f s\n", elapsed);
    std::printf("achieved           %.1f creates/minute = %.1f %% of the tenant's %d\n", achieved,
                100.0 * achieved / tenant_rpm, tenant_rpm);
    std::printf("429s               %llu seen by the client, %lld counted by the tenant (goal: at most 6 for 40)\n",
                static_cast<unsigned long long>(counters.rate_limited),
                static_cast<long long>(tenant_429s(control)));
    std::printf("webhooks           %zu created, %zu held by the tenant, removed again\n", ids.size(), held);
    print_requests(counters, failures.load());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    return hookwarden::bench::run_main("client_throughput", argc, argv, [](int count, char** args) {
    if (count > 1 && std::strcmp(args[1], "unknown") == 0)
        return unknown_limit(argument(count, args, 2, 40), argument(count, args, 3, 60), argument(count, args, 4, 600),
                             argument(count, args, 5, 4));
    return known_budget(argument(count, args, 1, 600), argument(count, args, 2, 300), argument(count, args, 3, 4));
    });
}
