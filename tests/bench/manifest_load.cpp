// bench_manifest_load: how long load_manifests (discover + read + parse +
// validate) takes on a large manifest directory, how much memory it needs,
// and how fast the daemon's reload is once its cache is warm.
//
// Generates N realistic manifests (default 10,000: varied styles, labels,
// event types, retry policies, secret forms, some files holding several
// documents, a few nested directories and ignored files) in a private temp
// directory, then, on a thread pool as wide as the cores:
//   - loads it cold (a new ManifestCache each run) several times: wall
//     time, CPU time and peak RSS (goals: <= 0.8 s and <= 64 MB on 2 cores);
//   - touches one file (new mtime, same bytes) and reloads: nothing parsed;
//   - edits one file and reloads (goal: <= 50 ms);
//   - edits 1 % of the files and reloads;
//   (each reload RUNS times, the median printed);
// and, for comparison, loads once serially without a cache. It prints; it
// never fails on a missed goal. Usage: bench_manifest_load [COUNT] [RUNS]
#include "core/executor.hpp"
#include "core/manifest.hpp"
#include "core/manifest_cache.hpp"
#include "daemon/service/thread_pool.hpp"
#include "tests/bench/bench_main.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace {

const char* const event_pool[] = {
    "user:login", "user:logout", "user:presence.changed", "user:role.assigned", "user:role.removed",
    "routing:queue.member:added", "routing:queue.member:removed", "conversation:call.started",
    "conversation:call.ended", "conversation:chat.started", "audit:configuration.changed",
    "audit:user.role.assigned", "outbound:campaign.started", "outbound:campaign.stopped",
    "quality:evaluation.published", "workforce:schedule.updated", "analytics:flow.outcome",
    "architect:flow.published", "integration:action.failed", "telephony:edge.offline"};
const char* const teams[] = {"platform", "security", "support", "sales", "billing", "data", "ops", "qa"};
const char* const intervals[] = {"PT1M", "PT30S", "PT5M", "PT1H", "P1D", "PT10S", "PT2M30S"};

/// One manifest document in one of several styles people actually write.
std::string manifest(std::size_t i, std::mt19937& rng) {
    const auto pick = [&rng](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
    const std::string name = std::string(teams[i % 8]) + "-hook-" + std::to_string(i);
    std::string out;
    if (pick(4) == 0)
        out += "# Managed by the " + std::string(teams[i % 8]) + " team; see the runbook.\n";
    out += "apiVersion: hookwarden/v1\nkind: Webhook\nmetadata:\n  name: " + name + "\n";
    switch (pick(3)) {
    case 0: break;
    case 1: out += "  labels: {team: " + std::string(teams[pick(8)]) + "}\n"; break;
    default:
        out += "  labels:\n    team: " + std::string(teams[pick(8)]) + "\n    tier: \"" +
               std::to_string(pick(3) + 1) + "\"\n    cost-centre: cc-" + std::to_string(pick(900) + 100) + "\n";
    }
    out += "spec:\n";
    const std::size_t events = 1 + pick(8);
    const std::size_t first = pick(std::size(event_pool));
    if (pick(2) == 0) {
        out += "  eventTypes: [";
        for (std::size_t e = 0; e < events; ++e)
            out += (e ? ", " : "") + std::string(event_pool[(first + e) % std::size(event_pool)]);
        out += "]\n";
    } else {
        out += "  eventTypes:\n";
        for (std::size_t e = 0; e < events; ++e)
            out += "    - " + std::string(event_pool[(first + e) % std::size(event_pool)]) + "\n";
    }
    out += "  endpointUrl: https://" + std::string(teams[i % 8]) + ".example.com/webhooks/genesys/" +
           std::to_string(i) + "?source=hookwarden\n";
    if (pick(5) == 0)
        out += "  enabled: false\n";
    switch (pick(3)) {
    case 0: break;
    case 1:
        out += "  retryPolicy: {retryInterval: " + std::string(intervals[pick(7)]) +
               ", maxRetries: " + std::to_string(pick(11)) + "}\n";
        break;
    default:
        out += "  retryPolicy:\n    retryInterval: " + std::string(intervals[pick(7)]) +
               "\n    maxRetries: " + std::to_string(pick(11)) + "\n";
    }
    switch (pick(4)) {
    case 0: break;
    case 1: out += "  payloadTemplate: \"{{event}}\"\n"; break;
    case 2:
        out += "  payloadTemplate: |\n    {\"type\": \"{{event.eventType}}\", \"actor\": "
               "\"{{event.actor.id}}\",\n     \"team\": \"" + std::string(teams[i % 8]) + "\"}\n";
        break;
    default: out += "  payloadTemplate: '{\"e\": {{event}}}'\n";
    }
    switch (pick(5)) {
    case 0: case 1: break;
    case 2: out += "  secretRef: {credential: " + name + "-secret}\n"; break;
    case 3: out += "  secretRef:\n    file: /etc/hookwarden/secrets/" + name + "\n"; break;
    default: out += "  secretRef: {env: HOOK_SECRET_" + std::to_string(i) + "}\n";
    }
    return out;
}

/// Writes `count` manifests below `root`; returns the files written.
std::vector<fs::path> generate(const fs::path& root, std::size_t count) {
    std::vector<fs::path> paths;
    std::mt19937 rng(20260101);
    std::size_t written = 0, files = 0;
    while (written < count) {
        const std::size_t team = files % 8;
        const fs::path dir = root / teams[team] / ("batch-" + std::to_string(files / 400));
        fs::create_directories(dir);
        // One file in ten holds several documents.
        const std::size_t docs = (files % 10 == 9) ? std::min<std::size_t>(2 + files % 7, count - written) : 1;
        std::string text;
        for (std::size_t d = 0; d < docs; ++d)
            text += (d ? "---\n" : "") + manifest(written++, rng);
        const char* ext = (files % 3 == 0) ? ".yml" : ".yaml";
        paths.push_back(dir / ("webhook-" + std::to_string(files) + ext));
        std::ofstream(paths.back(), std::ios::binary) << text;
        ++files;
    }
    // Things a real checkout also holds, which discovery must skip.
    fs::create_directories(root / ".git" / "objects");
    std::ofstream(root / ".git" / "HEAD") << "ref: refs/heads/main\n";
    std::ofstream(root / "README.md") << "# webhooks\n";
    std::ofstream(root / ".editorconfig") << "root = true\n";
    return paths;
}

/// A new modification time for `file`, `seconds` ahead: a reload must not
/// take it for the same file whatever the clock's granularity.
void touch(const fs::path& file, long seconds) {
    timespec times[2];
    ::clock_gettime(CLOCK_REALTIME, &times[0]);
    times[0].tv_sec += seconds;
    times[1] = times[0];
    ::utimensat(AT_FDCWD, file.c_str(), times, 0);
}

/// Changes `file`'s bytes (a comment more) and its mtime; it stays valid.
void edit(const fs::path& file, long seconds) {
    std::ofstream(file, std::ios::binary | std::ios::app) << "# edited\n";
    touch(file, seconds);
}

long vm_hwm_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0)
            return std::strtol(line.c_str() + 6, nullptr, 10);
    return -1;
}

long vm_rss_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::strtol(line.c_str() + 6, nullptr, 10);
    return -1;
}

/// Resets VmHWM to the current RSS (Linux ≥ 4.0), so a later VmHWM is the
/// peak of what ran in between. False when the kernel refuses.
bool reset_peak_rss() {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
    clear.flush();
    return static_cast<bool>(clear);
}

/// User + system CPU seconds of this process so far: unlike wall time, not
/// inflated when other work competes for the cores.
double cpu_seconds() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

long ru_maxrss_kib() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

void remove_tree(const fs::path& root) {
    std::error_code ec;
    fs::remove_all(root, ec);
}


double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct Timed {
    double wall = 0, cpu = 0;
    std::size_t webhooks = 0, errors = 0, parses = 0;
};

/// One load of `root` on `executor` through `cache` (none when null).
Timed timed_load(const fs::path& root, hookwarden::Executor& executor, hookwarden::ManifestCache* cache) {
    Timed t;
    const std::size_t parses_before = cache ? cache->parses() : 0;
    const double cpu_start = cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    const hookwarden::ManifestSet set = hookwarden::load_manifests(root, {}, executor, cache);
    t.wall = seconds_since(start);
    t.cpu = cpu_seconds() - cpu_start;
    t.webhooks = set.webhooks.size();
    t.errors = set.diagnostics.error_count();
    t.parses = cache ? cache->parses() - parses_before : 0;
    for (std::size_t i = 0; i < std::min<std::size_t>(t.errors, 5); ++i)
        std::printf("  unexpected: %s\n", set.diagnostics.all()[i].format().c_str());
    return t;
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

int run(int argc, char** argv) {
    const std::size_t count = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10'000;
    const int runs = std::max(argc > 2 ? std::atoi(argv[2]) : 5, 1);
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/hookwarden-bench-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
        std::perror("mkdtemp");
        return 1;
    }
    const fs::path root = pattern;

    const auto gen_start = std::chrono::steady_clock::now();
    const std::vector<fs::path> files = generate(root, count);
    std::uintmax_t bytes = 0;
    for (const auto& entry : fs::recursive_directory_iterator(root))
        if (entry.is_regular_file())
            bytes += entry.file_size();
    std::printf("bench_manifest_load: %zu manifests in %zu files (%.1f MiB) generated in %.2f s under %s\n",
                count, files.size(), static_cast<double>(bytes) / (1024.0 * 1024.0), seconds_since(gen_start),
                root.c_str());

    const long rss_before = vm_rss_kib();
    const bool hwm_reset = reset_peak_rss();
    hookwarden::ThreadPool pool(std::thread::hardware_concurrency());

    // Cold: every run with an empty cache (the page cache is warm after the
    // first). The last run's cache stays for the reloads below.
    std::vector<double> wall, cpu;
    long cold_peak_kib = -1;
    auto cache = std::make_unique<hookwarden::ManifestCache>();
    Timed first;
    for (int run = 0; run < runs; ++run) {
        cache = std::make_unique<hookwarden::ManifestCache>();
        const Timed t = timed_load(root, pool, cache.get());
        if (run == 0) {
            cold_peak_kib = vm_hwm_kib();
            first = t;
        }
        wall.push_back(t.wall);
        cpu.push_back(t.cpu);
    }
    std::printf("  loaded %zu webhooks, %zu errors, %zu files parsed (expected %zu, 0, %zu)\n", first.webhooks,
                first.errors, first.parses, count, files.size());
    std::printf("  cold load on %zu threads: wall first %.3f s, best %.3f s, median %.3f s over %d runs "
                "(goal <= 0.8 s); CPU (user+sys) best %.3f s, median %.3f s\n",
                pool.width(), wall.front(), *std::min_element(wall.begin(), wall.end()), median(wall), runs,
                *std::min_element(cpu.begin(), cpu.end()), median(cpu));
    std::printf("  peak RSS: VmHWM during the first cold load %.1f MB%s (RSS before %.1f MB) (goal <= 64 MB)\n",
                static_cast<double>(cold_peak_kib) / 1024.0,
                hwm_reset ? "" : " [HWM reset refused: whole-process peak]",
                static_cast<double>(rss_before) / 1024.0);

    // Each reload is measured `runs` times (new changes each time) and the
    // median printed: one reload lasts tens of milliseconds, where a single
    // sample is at the mercy of whatever else shares the two cores.
    long ahead = 10;
    const auto reloads = [&](const auto& change) {
        std::vector<double> walls, cpus;
        Timed last;
        for (int run = 0; run < runs; ++run) {
            change();
            last = timed_load(root, pool, cache.get());
            walls.push_back(last.wall * 1e3);
            cpus.push_back(last.cpu * 1e3);
        }
        std::printf("%.1f ms wall (best %.1f), %.1f ms CPU, median of %d; %zu parsed each", median(walls),
                    *std::min_element(walls.begin(), walls.end()), median(cpus), runs, last.parses);
    };

    std::printf("  reload after touching 1 file (same bytes): ");
    reloads([&] { touch(files[files.size() / 2], ahead++); });
    std::printf("\n  reload after editing 1 file: ");
    reloads([&] { edit(files[files.size() / 3], ahead++); });
    std::printf(" (goal <= 50 ms)\n");

    const std::size_t percent = std::max<std::size_t>(files.size() / 100, 1);
    std::printf("  reload after editing 1 %% of the files (%zu): ", percent);
    reloads([&] {
        ++ahead;
        for (std::size_t i = 0; i < percent; ++i)
            edit(files[(i * 97) % files.size()], ahead);
    });
    std::printf("\n");

    hookwarden::InlineExecutor in_order;
    const Timed serial = timed_load(root, in_order, nullptr);
    std::printf("  for comparison, serial and uncached: %.3f s wall, %.3f s CPU\n", serial.wall, serial.cpu);

    remove_tree(root);
    double load1 = 0;
    if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
        if (std::fscanf(f, "%lf", &load1) != 1)
            load1 = 0;
        (void)std::fclose(f); // read, not written: a failed close loses nothing
    }
    std::printf("  process ru_maxrss %.1f MB; cores online: %ld, load average (1 min) %.2f "
                "(wall above CPU/threads means the cores were shared)\n",
                static_cast<double>(ru_maxrss_kib()) / 1024.0, ::sysconf(_SC_NPROCESSORS_ONLN), load1);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    return hookwarden::bench::run_main("manifest_load", argc, argv, run);
}
