// `hookwarden run` as a process, the way systemd sees it: the real binary,
// a real AF_UNIX datagram socket as $NOTIFY_SOCKET, real signals, real
// inotify, and the tenant emulator over TLS.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "tests/support/daemon_process.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"
#include "tests/support/scratch_dir.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <iterator>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <string>
#include <utility>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

using namespace std::chrono_literals;
using hookwarden::test::EmulatorControl;
using hookwarden::test::EmulatorProcess;
using hookwarden::testing::ScratchDir;
using hookwarden::test::NotifySocket;
using Clock = std::chrono::steady_clock;

namespace {

/// The built binary, as a child process.
struct HookwardenProcess : hookwarden::test::HookwardenProcess {
    HookwardenProcess(const ScratchDir& dir, std::vector<std::string> args, std::vector<std::string> env)
        : hookwarden::test::HookwardenProcess(HOOKWARDEN_BINARY, dir, std::move(args), std::move(env)) {}
};

std::string manifest(const std::string& name, const std::string& url) {
    return "apiVersion: hookwarden/v1\nkind: Webhook\nmetadata: {name: " + name +
           "}\nspec:\n  eventTypes: [user:login]\n  endpointUrl: " + url + "\n";
}

/// A config, a manifest directory with two webhooks and a state directory.
struct Setup {
    ScratchDir dir{"hookwarden-daemon"};
    std::filesystem::path config;
    std::string base; ///< the emulator's
    std::string ca;

    static constexpr const char* short_timeouts = "http: {connectTimeout: 1s, requestTimeout: 5s}\n";

    Setup(const EmulatorProcess& emulator, const std::string& extra = short_timeouts)
        : base(emulator.base_url()), ca(emulator.ca_file().string()) {
        write_config(extra);
        dir.write("manifests/one.yaml", manifest("One", "https://one.example.com/hook"));
        dir.write("manifests/team/two.yaml", manifest("Two", "https://two.example.com/hook"));
    }

    /// The client secret comes from $SECRET_ENV (set to the right one by env()).
    void write_config(const std::string& extra, const std::string& secret_env = "TEST_CLIENT_SECRET") {
        config = dir.write("hookwarden.yaml",
                           "tenant:\n  apiBase: " + base + "\n  tokenUrl: " + base +
                               "/oauth/token\n  caFile: " + ca + "\n  clientId: demo-client\n"
                               "  clientSecret: {env: " + secret_env + "}\n"
                               "manifests: manifests\nstateDir: state\ninterval: 1h\n" + extra);
    }

    std::vector<std::string> env(const NotifySocket& notify, const std::string& watchdog_usec = "") const {
        std::vector<std::string> e{"NOTIFY_SOCKET=" + notify.path(), "TEST_CLIENT_SECRET=demo-secret"};
        if (!watchdog_usec.empty()) {
            e.push_back("WATCHDOG_USEC=" + watchdog_usec);
        }
        return e;
    }

    std::vector<std::string> run_args() const { return {"--config", config.string(), "run"}; }
};

/// How a `Running` differs from the common case.
struct RunOptions {
    std::string extra = Setup::short_timeouts; ///< config lines
    std::string watchdog_usec;                 ///< $WATCHDOG_USEC, when set
    /// Changes the setup and the environment before the daemon starts.
    std::function<void(Setup&, std::vector<std::string>& env)> prepare;
};

/// The emulator, a setup on it and the daemon started there: how most tests
/// begin. Members in construction order.
struct Running {
    EmulatorProcess emulator{std::vector<std::string>{"--quiet"}};
    EmulatorControl control{emulator};
    Setup setup;
    NotifySocket notify{setup.dir};
    HookwardenProcess daemon;

    explicit Running(const RunOptions& options = {}) : setup(emulator, options.extra), daemon(start(options)) {}

    /// STATUS= says a cycle started and then ended converged.
    bool cycle_ran() {
        return notify.wait_for("reconciling 2 webhooks", 15s) && notify.wait_for("converged 2/2 · next in", 15s);
    }

    /// SIGUSR1, and the cycle it asks for ran.
    bool cycle_now() {
        daemon.signal(SIGUSR1);
        return cycle_ran();
    }

    /// SIGTERM; true when the daemon exits 0 within 5 s.
    bool stop() {
        daemon.signal(SIGTERM);
        return daemon.wait(5s) == 0;
    }

private:
    HookwardenProcess start(const RunOptions& options) {
        auto env = setup.env(notify, options.watchdog_usec);
        if (options.prepare)
            options.prepare(setup, env);
        return HookwardenProcess(setup.dir, setup.run_args(), env);
    }
};

std::string id_of(EmulatorControl& control, const std::string& name) {
    for (const auto& w : control.webhooks())
        if (w.name == name)
            return w.id;
    return "";
}

std::string endpoint_of(EmulatorControl& control, const std::string& name) {
    for (const auto& w : control.webhooks())
        if (w.name == name)
            return w.endpoint_url;
    return "";
}

/// CPU time (user + system, all threads) the process has used so far.
std::chrono::milliseconds cpu_time(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Fields after the command name, which is in parentheses and may hold
    // spaces: state is field 3, utime 14 and stime 15 (proc(5)).
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i == 14)
            utime = std::stoull(field);
        if (i == 15)
            stime = std::stoull(field);
    }
    const auto ticks = static_cast<long long>(::sysconf(_SC_CLK_TCK));
    return std::chrono::milliseconds(static_cast<long long>(utime + stime) * 1000 / ticks);
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        if (condition())
            return true;
        std::this_thread::sleep_for(50ms);
    }
    return condition();
}

} // namespace

TEST_CASE("run reports READY, converges the tenant and says so in STATUS, and stops cleanly on SIGTERM") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    Setup setup(emulator);
    NotifySocket notify(setup.dir);
    HookwardenProcess daemon(setup.dir, setup.run_args(), setup.env(notify));
    INFO(daemon.output());

    CHECK(notify.wait_for("READY=1", 5s));
    CHECK(notify.wait_for("STATUS=converged 2/2 · next in", 10s));
    CHECK(control.webhooks().size() == 2);
    CHECK(std::filesystem::exists(setup.dir / "state/status.json"));
    CHECK(std::filesystem::exists(setup.dir / "state/state.json"));
    // It will hold generated secrets: only the service's user may look in.
    CHECK((std::filesystem::status(setup.dir / "state").permissions() & std::filesystem::perms::all) ==
          std::filesystem::perms::owner_all);

    daemon.signal(SIGTERM);
    CHECK(notify.wait_for("STOPPING=1", 5s));
    CHECK(daemon.wait(5s) == 0);
    const std::string output = daemon.output();
    CHECK(output.find("created One") != std::string::npos);
    CHECK(output.find("demo-secret") == std::string::npos);
}

TEST_CASE("a second instance on the same state directory is refused, naming the holder's PID") {
    EmulatorProcess emulator({"--quiet"});
    Setup setup(emulator);
    NotifySocket notify(setup.dir);
    HookwardenProcess first(setup.dir, setup.run_args(), setup.env(notify));
    INFO(first.output());
    REQUIRE(notify.wait_for("READY=1", 5s));

    HookwardenProcess second(setup.dir, setup.run_args(), {"TEST_CLIENT_SECRET=demo-secret"});
    INFO(second.output());
    CHECK(second.wait(5s) == 1);
    CHECK(second.output().find("PID " + std::to_string(first.pid())) != std::string::npos);
    first.signal(SIGTERM);
    CHECK(first.wait(5s) == 0);
}

TEST_CASE("SIGHUP reloads with RELOADING=1 and MONOTONIC_USEC, and an invalid manifest keeps the last good state") {
    Running run({.extra = std::string(Setup::short_timeouts) + "prune: true\n"});
    INFO(run.daemon.output());
    REQUIRE(run.notify.wait_for("STATUS=converged 2/2", 10s));

    run.daemon.signal(SIGHUP);
    CHECK(run.notify.wait_for("RELOADING=1", 5s));
    const std::string all = run.notify.all();
    CHECK(all.find("MONOTONIC_USEC=") != std::string::npos);
    CHECK(run.notify.wait_for("READY=1", 5s));

    // Break one manifest and drop the other: with the broken set in force,
    // prune would delete "Two". The last good state must stay.
    run.setup.dir.write("manifests/one.yaml", "apiVersion: hookwarden/v1\nkind: Webhook\nmetadata: {name: One}\nspec: {}\n");
    std::filesystem::remove(run.setup.dir / "manifests/team/two.yaml");
    run.daemon.signal(SIGHUP);
    CHECK(run.notify.wait_for("manifests invalid", 5s));
    // A cycle after the refused reload still works from the last good state.
    CHECK(run.cycle_now());
    CHECK(run.notify.last_status().find("manifests invalid") != std::string::npos);
    CHECK(run.control.webhooks().size() == 2);
    const std::string output = run.daemon.output();
    CHECK(output.find("missing required field 'spec.eventTypes'") != std::string::npos);
    CHECK(output.find("keeping") != std::string::npos);

    CHECK(run.stop());
}

TEST_CASE("a reload refused for an invalid configuration stays in STATUS, also after the next cycle") {
    Running run;
    INFO(run.daemon.output());
    INFO(run.notify.all());
    REQUIRE(run.notify.wait_for("STATUS=converged 2/2", 10s));

    run.setup.dir.write("hookwarden.yaml", "tenant: {apiBase: [\n");
    run.daemon.signal(SIGHUP);
    CHECK(run.notify.wait_for("RELOADING=1", 5s));
    CHECK(run.notify.wait_for("READY=1", 5s));
    run.notify.collect(1500ms); // the loop's next status refresh
    CHECK(run.notify.last_status().find("reload refused: configuration invalid") != std::string::npos);

    CHECK(run.cycle_now());
    CHECK(run.notify.last_status().find("reload refused: configuration invalid") != std::string::npos);

    CHECK(run.stop());
}

TEST_CASE("a daemon started with a broken manifest takes a credentials fix on SIGHUP") {
    Running run({.prepare = [](Setup& setup, std::vector<std::string>& env) {
        setup.write_config(Setup::short_timeouts, "WRONG_SECRET");
        env.emplace_back("WRONG_SECRET=not-the-secret");
        setup.dir.write("manifests/broken.yaml", "apiVersion: hookwarden/v1\nkind: Webhook\nmetadata: {name: Broken}\nspec: {}\n");
    }});
    INFO(run.daemon.output());
    REQUIRE(run.notify.wait_for("STATUS=tenant unreachable", 20s));
    CHECK(run.control.webhooks().empty());

    // The fix is in the config; the manifest is still broken, as it was.
    run.setup.write_config(Setup::short_timeouts);
    run.daemon.signal(SIGHUP);
    CHECK(run.notify.wait_for("READY=1", 5s));
    CHECK(eventually([&] { return run.control.webhooks().size() == 2; }, 15s));
    CHECK(run.stop());
}

TEST_CASE("a manifest edited on disk is applied without a signal (inotify)") {
    Running run;
    INFO(run.daemon.output());
    REQUIRE(run.notify.wait_for("STATUS=converged 2/2", 10s));

    // Like git: write a new file and rename it over the old one, in a
    // subdirectory that existed at start.
    run.setup.dir.write("manifests/team/.two.yaml.tmp", manifest("Two", "https://two.example.com/v2"));
    std::filesystem::rename(run.setup.dir / "manifests/team/.two.yaml.tmp", run.setup.dir / "manifests/team/two.yaml");
    CHECK(eventually([&] { return endpoint_of(run.control, "Two") == "https://two.example.com/v2"; }, 15s));

    // A directory created after start is watched too.
    run.setup.dir.write("manifests/new-team/three.yaml", manifest("Three", "https://three.example.com/hook"));
    CHECK(eventually([&] { return endpoint_of(run.control, "Three") == "https://three.example.com/hook"; }, 15s));

    CHECK(run.stop());
}

/// How many cycles the daemon's log says have finished.
std::size_t cycles_finished(const std::string& log) {
    std::size_t count = 0;
    for (auto at = log.find(" finished: "); at != std::string::npos; at = log.find(" finished: ", at + 1))
        ++count;
    return count;
}

/// SIGUSR1, and a cycle that finishes after it (read from the log, which a
/// loaded machine may reach later than STATUS= says so).
bool run_one_more_cycle(Running& run) {
    const std::size_t before = cycles_finished(run.daemon.output());
    run.daemon.signal(SIGUSR1);
    return eventually([&] { return cycles_finished(run.daemon.output()) > before; }, 30s);
}

/// A daemon that started with one broken manifest takes later manifests even
/// when they are broken too (nothing good is in force to keep): the path on
/// which a duplicate name reaches a cycle.
RunOptions started_broken() {
    return {.prepare = [](Setup& setup, auto&) {
        setup.dir.write("manifests/broken.yaml",
                        "apiVersion: hookwarden/v1\nkind: Webhook\nmetadata: {name: Broken}\nspec: {}\n");
    }};
}

TEST_CASE("a name defined twice by an edit is created by neither definition (inotify)") {
    Running run(started_broken());
    INFO(run.daemon.output());
    REQUIRE(eventually([&] { return run.control.webhooks().size() == 2; }, 15s));

    run.setup.dir.write("manifests/twice.yaml",
                        manifest("Twice", "https://a.example.com/x") + "---\n" +
                            manifest("Twice", "https://b.example.com/y") + "---\n" +
                            manifest("Three", "https://three.example.com/hook"));
    CHECK(eventually([&] { return endpoint_of(run.control, "Three") == "https://three.example.com/hook"; }, 15s));
    // One more full cycle after the edit's: still no Twice.
    CHECK(run_one_more_cycle(run));
    CHECK(run.control.webhook_names() == std::vector<std::string>{"One", "Three", "Two"});
    CHECK(run.daemon.output().find("defined 2 times") != std::string::npos);
    CHECK(run.stop());
}

TEST_CASE("a name defined twice by a reload is neither created nor changed when owned (SIGHUP)") {
    Running run(started_broken());
    INFO(run.daemon.output());
    REQUIRE(eventually([&] { return run.control.webhooks().size() == 2; }, 15s));

    // A second definition of the owned One, and a new name in two files.
    run.setup.dir.write("manifests/copy.yaml",
                        manifest("One", "https://elsewhere.example.com/x") + "---\n" +
                            manifest("Four", "https://four.example.com/hook"));
    run.setup.dir.write("manifests/team/twin-a.yaml", manifest("Twin", "https://a.example.com/x"));
    run.setup.dir.write("manifests/team/twin-b.yaml", manifest("Twin", "https://b.example.com/y"));
    run.daemon.signal(SIGHUP);
    CHECK(run.notify.wait_for("READY=1", 5s));
    CHECK(eventually([&] { return endpoint_of(run.control, "Four") == "https://four.example.com/hook"; }, 15s));
    CHECK(run_one_more_cycle(run));
    CHECK(run.control.webhook_names() == std::vector<std::string>{"Four", "One", "Two"});
    CHECK(endpoint_of(run.control, "One") == "https://one.example.com/hook");
    CHECK(run.stop());
}

TEST_CASE("a manifest directory missing at start is read before a SIGUSR1 cycle once it exists") {
    Running run({.prepare = [](Setup& setup, auto&) { std::filesystem::remove_all(setup.dir / "manifests"); }});
    INFO(run.daemon.output());
    REQUIRE(run.notify.wait_for("converged · next in", 10s));

    // Nothing watches the directory yet: the cycle itself must look.
    run.setup.dir.write("manifests/one.yaml", manifest("One", "https://one.example.com/hook"));
    run.daemon.signal(SIGUSR1);
    CHECK(eventually([&] { return endpoint_of(run.control, "One") == "https://one.example.com/hook"; }, 15s));
    CHECK(run.stop());
}

TEST_CASE("a renamed manifest subdirectory stays watched, with the subdirectories made in it later") {
    Running run;
    INFO(run.daemon.output());
    REQUIRE(run.notify.wait_for("STATUS=converged 2/2", 10s));

    // Each step is a change the daemon reconciles; wait for that cycle to
    // end, so that only a watch can see the next step.
    std::filesystem::rename(run.setup.dir / "manifests/team", run.setup.dir / "manifests/crew");
    REQUIRE(run.cycle_ran());
    std::filesystem::create_directory(run.setup.dir / "manifests/crew/new");
    REQUIRE(run.cycle_ran());

    run.setup.dir.write("manifests/crew/new/three.yaml", manifest("Three", "https://three.example.com/hook"));
    CHECK(eventually([&] { return endpoint_of(run.control, "Three") == "https://three.example.com/hook"; }, 15s));
    CHECK(run.stop());
}

TEST_CASE("SIGUSR1 runs a cycle at once and corrects drift") {
    Running run;
    INFO(run.daemon.output());
    REQUIRE(run.notify.wait_for("STATUS=converged 2/2", 10s));

    run.control.drift(id_of(run.control, "One"), {{"endpointUrl", "https://evil.example.com/"}});
    run.daemon.signal(SIGUSR1);
    CHECK(eventually([&] { return endpoint_of(run.control, "One") == "https://one.example.com/hook"; }, 15s));
    CHECK(run.stop());
    CHECK(run.daemon.output().find("updated One (endpointUrl) [drift]") != std::string::npos);
}

TEST_CASE("at logLevel debug the daemon logs no client secret, token, webhook secret or request body") {
    Running run({.extra = std::string(Setup::short_timeouts) + "logLevel: debug\n"});
    REQUIRE(run.notify.wait_for("STATUS=converged 2/2", 10s));
    run.control.drift(id_of(run.control, "One"), {{"endpointUrl", "https://drifted.example.com/"}});
    run.control.revoke_tokens(); // the next cycle fetches a new token (a 401 first)
    run.daemon.signal(SIGUSR1);
    CHECK(eventually([&] { return endpoint_of(run.control, "One") == "https://one.example.com/hook"; }, 15s));
    CHECK(run.stop());
    const std::string logged = run.daemon.output();
    CHECK(logged.find("debug: ") != std::string::npos); // debug lines were written
    CHECK(run.control.counters().at("tokensIssued").as_int64() >= 2);
    std::vector<std::pair<std::string, std::string>> never{
        {"client secret", "demo-secret"}, {"access token", "hwemu-token-"}, {"Authorization header", "Bearer"},
        {"Basic credentials", "Basic "}, {"token request body", "grant_type="},
        {"JSON request body", R"("endpointUrl":")"}, {"JSON request body", R"("eventTypes":[)"},
        {"JSON secret member", R"("secret")"}};
    for (const char* name : {"One", "Two"}) {
        std::ifstream in(run.setup.dir / "state" / "secrets" / name);
        std::string secret;
        std::getline(in, secret);
        REQUIRE(secret.size() == 64);
        never.emplace_back(std::string("generated secret of ") + name, secret);
    }
    for (const auto& secret : never) // not a structured binding: CHECK_MESSAGE's lambda cannot capture one in clang 14
        CHECK_MESSAGE(logged.find(secret.second) == std::string::npos, secret.first << " in the log");
}

TEST_CASE("a tenant that is down at start does not stop READY; STATUS says it is unreachable") {
    EmulatorProcess emulator({"--quiet"});
    Setup setup(emulator);
    // A port nothing listens on: the emulator's, after it stopped.
    const std::string base = emulator.base_url();
    emulator.stop();
    NotifySocket notify(setup.dir);
    HookwardenProcess daemon(setup.dir, setup.run_args(), setup.env(notify));
    INFO(daemon.output());
    CHECK(notify.wait_for("READY=1", 5s));
    // The client retries a refused connection 4 times with full jitter under
    // ceilings of 1, 2, 4 and 8 s (SPEC §5): up to 15 s before the cycle
    // gives up, 7.5 s on average.
    CHECK(notify.wait_for("STATUS=tenant unreachable", 20s));
    daemon.signal(SIGTERM);
    CHECK(daemon.wait(5s) == 0);
}

TEST_CASE("the watchdog is pinged while the loop makes progress and not while a cycle hangs") {
    // The hung list outlasts cycleTimeout but not the request timeout.
    Running run({.extra = "cycleTimeout: 1s\nhttp: {connectTimeout: 1s, requestTimeout: 60s}\n", .watchdog_usec = "400000"});
    INFO(run.daemon.output());
    REQUIRE(run.notify.wait_for("STATUS=converged 2/2", 10s));
    // Pings every 200 ms: at least 3 a second, over a window long enough
    // that one slow wake-up on a busy machine does not decide it.
    auto healthy = run.notify.collect(3s);
    CHECK(std::count(healthy.begin(), healthy.end(), "WATCHDOG=1") >= 9);

    run.control.add_fault({.method = "GET", .path = "^/api/v2/webhooks$", .action = "hang", .count = 5, .seconds = 30});
    run.daemon.signal(SIGUSR1);
    REQUIRE(run.notify.wait_for("STATUS=cycle stuck", 5s));
    // Waiting for the watchdog kill, the loop must sleep, not spin.
    const auto cpu_before = cpu_time(run.daemon.pid());
    const auto wall_before = Clock::now();
    auto hung = run.notify.collect(1500ms);
    const auto cpu_used = cpu_time(run.daemon.pid()) - cpu_before;
    const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - wall_before);
    CHECK(std::count(hung.begin(), hung.end(), "WATCHDOG=1") == 0);
    CHECK(cpu_used.count() < wall.count() / 5);

    // SIGTERM abandons the hung request within the drain time.
    const auto asked = Clock::now();
    run.daemon.signal(SIGTERM);
    CHECK(run.daemon.wait(8s) == 0);
    CHECK(Clock::now() - asked < 7s);
}
