// `hookwarden receive` under load on loopback: deliveries a second that are
// verified, transformed and spooled with fsync on, at 1, 16 and 64
// concurrent keep-alive senders (plain HTTP, and TLS at 64), then the
// latency at a steady 1,000 deliveries a second (open loop: measured from
// when each delivery was due, so a stall counts against every delivery
// behind it). Every answer must be 200 and the spool must end up holding
// exactly what was accepted. Prints its figures; never gates a build.
//   bench_receive [SECONDS_PER_RUN]      (default 3)
// Goal on a 2-core machine: ≥ 5,000/s at 64 senders, p99 ≤ 25 ms at 1,000/s.
#include "core/event/delivery_signature.hpp"
#include "daemon/net/https_client.hpp"
#include "tests/bench/bench_main.hpp"
#include "tests/emulator/emulator_tls.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/listening_socket.hpp"
#include "tests/support/scratch_dir.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace hookwarden;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

const std::string secret = "bench-secret-0123456789abcdef";
const std::string event_body =
    R"({"eventType":"user:login","timestamp":"2026-12-02T10:00:00Z","actor":{"id":"usr-1","name":"Jane Doe"},)"
    R"("metadata":{"ip":"192.0.2.1","device":"desktop"}})";

struct Run {
    std::uint64_t sent = 0, ok = 0;
    double seconds = 0;
    std::vector<double> latencies_ms;
};

double percentile(std::vector<double>& v, double p) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

class Bench {
  public:
    Bench() {
        const auto tls = emulator::prepare_tls_dir(dir_ / "tls").value();
        ca_ = tls.ca_file.string();
        dir_.write("manifests/bench.yaml",
                   "apiVersion: hookwarden/v1\nkind: Webhook\nmetadata: {name: Bench}\nspec:\n"
                   "  eventTypes: [user:login]\n  endpointUrl: https://127.0.0.1/hooks\n"
                   "  secretRef: {env: BENCH_SECRET}\n");
        for (const char* name : {"plain", "tls"}) {
            std::string config = "tenant: {environment: mypurecloud.com}\nmanifests: manifests\nstateDir: state\nreceiver:\n"
                                 "  routes: {/hooks/bench: Bench}\n  spool: spool-" +
                                 std::string(name) + "\n";
            if (std::string(name) == "tls")
                config += "  tls: {cert: " + tls.cert_file.string() + ", key: " + tls.key_file.string() + "}\n";
            dir_.write(std::string("hookwarden-") + name + ".yaml", config);
        }
    }

    /// Starts a receiver, runs `body` against it, stops it; checks the spool.
    template <class Body>
    void with_receiver(bool tls, Body body) {
        test::ListeningSocket socket;
        test::NotifySocket notify(dir_);
        const std::string name = tls ? "tls" : "plain";
        fs::remove_all(dir_ / ("spool-" + name));
        test::HookwardenProcess receiver(HOOKWARDEN_BINARY, dir_,
                                         {"--config", (dir_ / ("hookwarden-" + name + ".yaml")).string(), "receive"},
                                         {"NOTIFY_SOCKET=" + notify.path(), "BENCH_SECRET=" + secret}, socket.fd());
        if (!notify.wait_for("READY=1", 20s)) {
            (void)std::fprintf(stderr, "the receiver did not start:\n%s\n", receiver.output().c_str());
            std::exit(1);
        }
        port_ = socket.port();
        tls_ = tls;
        accepted_ = 0;
        body();
        receiver.signal(SIGTERM);
        receiver.wait(30s);
        std::size_t lines = 0;
        for (const auto& entry : fs::directory_iterator(dir_ / ("spool-" + name)))
            if (entry.path().extension() == ".jsonl")
                lines += testing::lines_of(testing::read_text(entry.path())).size();
        if (lines != accepted_) {
            (void)std::fprintf(stderr, "the spool holds %zu records, but %llu were accepted\n", lines,
                               static_cast<unsigned long long>(accepted_.load()));
            std::exit(1);
        }
    }

    /// `senders` threads sending back to back for `duration`.
    Run closed_loop(int senders, std::chrono::milliseconds duration) {
        auto client = make_client(senders);
        std::vector<Run> runs(static_cast<std::size_t>(senders));
        std::vector<std::thread> threads;
        threads.reserve(runs.size());
        const auto end = Clock::now() + duration;
        const auto start = Clock::now();
        for (int t = 0; t < senders; ++t)
            threads.emplace_back([&, t] {
                Run& run = runs[static_cast<std::size_t>(t)];
                for (std::uint64_t i = 0; Clock::now() < end; ++i) {
                    const auto sent = Clock::now();
                    run.ok += send(*client, "c" + std::to_string(senders) + "-" + std::to_string(t) + "-" +
                                                std::to_string(i));
                    ++run.sent;
                    run.latencies_ms.push_back(ms_since(sent));
                }
            });
        for (auto& t : threads)
            t.join();
        return merge(runs, start);
    }

    /// `rate` deliveries a second spread over `senders` threads for `duration`.
    Run open_loop(int rate, int senders, std::chrono::milliseconds duration) {
        auto client = make_client(senders);
        std::vector<Run> runs(static_cast<std::size_t>(senders));
        std::vector<std::thread> threads;
        threads.reserve(runs.size());
        const auto start = Clock::now() + 100ms;
        const auto total = static_cast<std::uint64_t>(rate) * static_cast<std::uint64_t>(duration.count()) / 1000;
        const auto step = std::chrono::nanoseconds(1'000'000'000LL / rate);
        for (int t = 0; t < senders; ++t)
            threads.emplace_back([&, t] {
                Run& run = runs[static_cast<std::size_t>(t)];
                for (std::uint64_t i = static_cast<std::uint64_t>(t); i < total;
                     i += static_cast<std::uint64_t>(senders)) {
                    const auto due = start + step * static_cast<std::int64_t>(i);
                    std::this_thread::sleep_until(due);
                    run.ok += send(*client, "o-" + std::to_string(i));
                    ++run.sent;
                    run.latencies_ms.push_back(ms_since(due));
                }
            });
        for (auto& t : threads)
            t.join();
        return merge(runs, start);
    }

  private:
    std::unique_ptr<HttpsClient> make_client(int senders) {
        HttpsClientOptions options;
        options.ca_file = ca_;
        options.max_connections = senders;
        return HttpsClient::create(options).value();
    }

    bool send(HttpsClient& client, const std::string& id) {
        const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
        const auto signature = sign_delivery(secret, event_body, id, now).value();
        HttpRequest request;
        request.host = "127.0.0.1";
        request.port = port_;
        request.tls = tls_;
        request.method = "POST";
        request.target = "/hooks/bench";
        request.headers = {{"Content-Type", "application/json"},
                           {"X-Hub-Signature-256", signature.hub_signature_256},
                           {"webhook-id", signature.webhook_id},
                           {"webhook-timestamp", signature.webhook_timestamp},
                           {"webhook-signature", signature.webhook_signature}};
        request.body = event_body;
        auto answer = client.exchange(request);
        const bool ok = answer && answer->status == 200;
        if (ok)
            ++accepted_;
        return ok;
    }

    static double ms_since(Clock::time_point t) {
        return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
    }

    static Run merge(std::vector<Run>& runs, Clock::time_point start) {
        Run all;
        all.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        for (auto& r : runs) {
            all.sent += r.sent;
            all.ok += r.ok;
            all.latencies_ms.insert(all.latencies_ms.end(), r.latencies_ms.begin(), r.latencies_ms.end());
        }
        return all;
    }

    testing::ScratchDir dir_{"hookwarden-bench-receive"};
    std::string ca_;
    std::uint16_t port_ = 0;
    bool tls_ = false;
    std::atomic<std::uint64_t> accepted_{0};
};

void print(const char* what, Run& run) {
    std::printf("%-28s %8llu sent %8llu ok %9.0f /s   p50 %6.2f ms   p99 %6.2f ms\n", what,
                static_cast<unsigned long long>(run.sent), static_cast<unsigned long long>(run.ok),
                static_cast<double>(run.ok) / run.seconds, percentile(run.latencies_ms, 0.50),
                percentile(run.latencies_ms, 0.99));
}

int run(int argc, char** argv) {
    const int seconds = argc > 1 ? std::atoi(argv[1]) : 3;
    const auto duration = std::chrono::milliseconds(seconds * 1000);
    Bench bench;
    std::printf("hookwarden receive, loopback, fsync on, %d s per run\n", seconds);
    bench.with_receiver(false, [&] {
        for (int senders : {1, 16, 64}) {
            Run run = bench.closed_loop(senders, duration);
            const std::string label = "plain, " + std::to_string(senders) + " senders";
            print(label.c_str(), run);
        }
        Run steady = bench.open_loop(1000, 16, duration);
        print("plain, 1,000/s (open loop)", steady);
    });
    bench.with_receiver(true, [&] {
        Run run = bench.closed_loop(64, duration);
        print("TLS, 64 senders", run);
        Run steady = bench.open_loop(1000, 16, duration);
        print("TLS, 1,000/s (open loop)", steady);
    });
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    return hookwarden::bench::run_main("receive", argc, argv, run);
}
