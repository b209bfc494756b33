// The snapshot files of the state directory (SPEC §6a) as the built binary
// writes them, `hookwarden apply` and `hookwarden run` alike, against the
// tenant emulator over TLS: what the tenant recorded shows up in the files,
// the audit trail is kept once whatever the restarts, the change log's
// chain holds and breaks on one edited byte, switched-off snapshots cost no
// request, a failing file never fails the cycle, and a no-op cycle keeps to
// the request budget.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "core/snapshot/change_log.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/doctest_result.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"
#include "tests/support/scratch_dir.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace hookwarden {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;
using hookwarden::testing::lines_of;
using hookwarden::testing::read_text;
using test::EmulatorControl;
using test::EmulatorProcess;
using test::NotifySocket;

constexpr std::string_view analytics_route = "POST /api/v2/analytics/webhooks/summary/query";
constexpr std::string_view audit_route = "POST /api/v2/auditlogs/query";

json::object read_json(const fs::path& path) {
    const auto value = json::parse(read_text(path));
    REQUIRE(value.is_object());
    return value.as_object();
}

std::string manifest(const std::string& name, const std::string& url) {
    return "apiVersion: hookwarden/v1\nkind: Webhook\nmetadata: {name: " + name +
           "}\nspec:\n  eventTypes: [user:login]\n  endpointUrl: " + url + "\n";
}

/// A config on the emulator, a manifest directory and a state directory.
struct Workspace {
    EmulatorProcess& emulator;
    EmulatorControl control{emulator};
    testing::ScratchDir dir{"hookwarden-snapshots"};

    explicit Workspace(EmulatorProcess& on, const std::string& extra = "") : emulator(on) {
        control.reset();
        write_config(extra);
        add("One", "https://one.example.com/hook");
        add("Two", "https://two.example.com/hook");
    }

    fs::path state() const { return dir / "state"; }
    fs::path config() const { return dir / "hookwarden.yaml"; }

    void write_config(const std::string& extra) {
        dir.write("hookwarden.yaml", "tenant:\n  apiBase: " + emulator.base_url() + "\n  tokenUrl: " +
                                         emulator.token_url() + "\n  caFile: " + emulator.ca_file().string() +
                                         "\n  clientId: demo-client\n  clientSecret: {env: TEST_CLIENT_SECRET}\n"
                                         "manifests: manifests\nstateDir: state\ninterval: 1h\n"
                                         "requestsPerMinute: 100000\n" +
                                         extra);
    }
    void add(const std::string& name, const std::string& url) {
        dir.write("manifests/" + name + ".yaml", manifest(name, url));
    }

    std::vector<std::string> env() const { return {"TEST_CLIENT_SECRET=demo-secret"}; }

    /// `hookwarden apply`: its exit status; its output stays in `last_output`.
    int apply() {
        test::HookwardenProcess run(HOOKWARDEN_BINARY, dir, {"--config", config().string(), "apply"}, env());
        const int status = run.wait(120s);
        last_output = run.output();
        return status;
    }

    std::string id_of(const std::string& name) {
        for (const auto& w : control.webhooks())
            if (w.name == name)
                return w.id;
        return "";
    }

    /// The tenant's audit entry ids of one webhook, oldest first.
    std::vector<std::string> tenant_audit_ids(const std::string& id) {
        auto answer = control.api("POST", "/api/v2/auditlogs/query",
                                  json::object{{"entityId", id}, {"pageSize", 500}});
        REQUIRE(answer);
        REQUIRE(answer->status == 200);
        const auto trail = answer->json();
        std::vector<std::string> ids;
        for (const auto& entry : trail.at("entities").as_array())
            ids.emplace_back(entry.at("id").as_string());
        return ids;
    }

    /// The entry ids stored in audit/ID.jsonl, in file order.
    std::vector<std::string> stored_audit_ids(const std::string& id) const {
        std::vector<std::string> ids;
        for (const auto& line : lines_of(read_text(state() / "audit" / (id + ".jsonl"))))
            ids.emplace_back(json::parse(line).at("id").as_string());
        return ids;
    }

    std::string last_output;
};

EmulatorProcess& shared_emulator() {
    static EmulatorProcess process({"--quiet", "--rpm", "100000"});
    return process;
}

/// The `hookwarden run` of a workspace, as systemd would start it.
struct Daemon {
    NotifySocket notify;
    test::HookwardenProcess process;

    explicit Daemon(Workspace& w)
        : notify(w.dir), process(HOOKWARDEN_BINARY, w.dir, {"--config", w.config().string(), "run"}, env_of(w)) {}

    std::vector<std::string> env_of(const Workspace& w) const {
        auto env = w.env();
        env.push_back("NOTIFY_SOCKET=" + notify.path());
        return env;
    }

    /// STATUS= says a cycle ran and ended converged.
    bool cycle_ran() {
        return notify.wait_for("reconciling 2 webhooks", 20s) && notify.wait_for("converged 2/2", 20s);
    }
    bool cycle_now() {
        process.signal(SIGUSR1);
        return cycle_ran();
    }
    bool stop() {
        process.signal(SIGTERM);
        return process.wait(10s) == 0;
    }
};

/// The sample of `family{labels}` in metrics.prom text, as written.
std::string sample(const std::string& metrics, const std::string& series) {
    for (const auto& line : lines_of(metrics))
        if (line.starts_with(series + " "))
            return line.substr(series.size() + 1);
    return "(absent)";
}

} // namespace

TEST_CASE("deliveries recorded in the tenant show up in health.json and metrics.prom after an apply") {
    Workspace w(shared_emulator());
    REQUIRE(w.apply() == 0);
    const std::string one = w.id_of("One");
    w.control.record_deliveries(one, {{.ok = true, .latency_ms = 100},
                                      {.ok = true, .latency_ms = 300},
                                      {.ok = false, .latency_ms = 200}});
    REQUIRE(w.apply() == 0);
    INFO(w.last_output);

    const auto health = read_json(w.state() / "health.json");
    CHECK(health.at("formatVersion") == 1);
    const auto& hooks = health.at("webhooks").as_array();
    REQUIRE(hooks.size() == 2);
    const auto& first = hooks[0].as_object(); // sorted by name: One
    CHECK(first.at("name") == "One");
    CHECK(first.at("id").as_string() == one);
    CHECK(first.at("successCount") == 2);
    CHECK(first.at("failureCount") == 1);
    CHECK(first.at("failureRate").to_number<double>() == doctest::Approx(1.0 / 3));
    CHECK(first.at("latencyMs").at("min") == 100);
    CHECK(first.at("latencyMs").at("max") == 300);
    // The tenant's own status, from the cycle's listing: the last delivery failed.
    CHECK(first.at("status") == "degraded");
    const auto& second = hooks[1].as_object();
    CHECK(second.at("name") == "Two");
    CHECK(second.at("failureRate").is_null());

    const std::string metrics = read_text(w.state() / "metrics.prom");
    CHECK(sample(metrics, R"(hookwarden_webhook_delivery_success{name="One"})") == "2");
    CHECK(sample(metrics, R"(hookwarden_webhook_delivery_failure{name="One"})") == "1");
    CHECK(sample(metrics, R"(hookwarden_webhook_delivery_success{name="Two"})") == "0");
    CHECK(sample(metrics, R"(hookwarden_cycles_total{outcome="converged"})") == "1");

    const auto status = read_json(w.state() / "status.json");
    CHECK(status.at("formatVersion") == 2);
    CHECK(status.at("source") == "apply");
    CHECK_FALSE(status.contains("nextRun"));
    CHECK(status.at("snapshotErrors").as_array().empty());
    // The first apply's status.json went to history/ when the second came.
    CHECK(fs::exists(w.state() / "history"));
}

TEST_CASE("apply --dry-run writes no snapshot") {
    Workspace w(shared_emulator());
    test::HookwardenProcess run(HOOKWARDEN_BINARY, w.dir, {"--config", w.config().string(), "apply", "--dry-run"},
                                w.env());
    CHECK(run.wait(60s) == 2);
    for (const char* file : {"status.json", "health.json", "metrics.prom", "changes.jsonl", "audit"})
        CHECK_FALSE(fs::exists(w.state() / file));
    CHECK(w.control.request_count(analytics_route) == 0);
    CHECK(w.control.request_count(audit_route) == 0);
}

TEST_CASE("changes.jsonl verifies after several applies and fails on one edited byte, naming its line") {
    Workspace w(shared_emulator());
    REQUIRE(w.apply() == 0);                                  // 2 creates
    w.add("One", "https://one.example.com/moved");            // 1 update
    REQUIRE(w.apply() == 0);
    w.control.drift(w.id_of("Two"), {{"endpointUrl", "https://drifted.example.com/"}});
    REQUIRE(w.apply() == 0);                                  // 1 drift correction
    REQUIRE(w.apply() == 0);                                  // nothing

    const auto status = read_json(w.state() / "status.json");
    const ChangeLogHead recorded{.lines = static_cast<std::size_t>(status.at("changeLog").at("lines").as_int64()),
                                 .head = std::string(status.at("changeLog").at("head").as_string())};
    CHECK(recorded.lines == 4);
    auto check = verify_change_log(w.state(), recorded);
    REQUIRE(check);
    CHECK(check->ok);
    CHECK(check->lines == 4);

    // One byte of the first line's name (One's create): "One" becomes "Onf".
    auto text = read_text(w.state() / "changes.jsonl");
    const auto at = text.find("\"One\"");
    REQUIRE(at < text.find('\n'));
    text[at + 3] = 'f';
    std::ofstream(w.state() / "changes.jsonl", std::ios::binary | std::ios::trunc) << text;
    check = verify_change_log(w.state(), recorded);
    REQUIRE(check);
    CHECK_FALSE(check->ok);
    CHECK(check->first_bad_line == 1);
}

TEST_CASE("with snapshots.health and .audit off no analytics or audit request is sent and no such file written") {
    Workspace w(shared_emulator(), "snapshots: {health: false, audit: false}\n");
    REQUIRE(w.apply() == 0);
    REQUIRE(w.apply() == 0);
    CHECK(w.control.request_count(analytics_route) == 0);
    CHECK(w.control.request_count(audit_route) == 0);
    CHECK_FALSE(fs::exists(w.state() / "health.json"));
    CHECK_FALSE(fs::exists(w.state() / "audit"));
    CHECK(fs::exists(w.state() / "status.json"));
    CHECK(fs::exists(w.state() / "metrics.prom"));

    SUBCASE("and with them on, one query of each a cycle") {
        w.write_config("");
        REQUIRE(w.apply() == 0);
        CHECK(w.control.request_count(analytics_route) == 1);
        CHECK(w.control.request_count(audit_route) == 1);
    }
}

TEST_CASE("a snapshot path that cannot be written fails that file only: the cycle converges and says so") {
    Workspace w(shared_emulator());
    fs::create_directories(w.state());
    fs::permissions(w.state(), fs::perms::owner_all);
    std::ofstream(w.state() / "audit") << "a file where audit/ should be\n";
    REQUIRE(w.apply() == 0);
    INFO(w.last_output);
    CHECK(w.control.webhooks().size() == 2);

    const auto status = read_json(w.state() / "status.json");
    CHECK(status.at("outcome") == "converged");
    const auto& errors = status.at("snapshotErrors").as_array();
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].at("file") == "audit/");
    CHECK_FALSE(errors[0].at("message").as_string().empty());
    CHECK(sample(read_text(w.state() / "metrics.prom"), "hookwarden_snapshot_failures_total") == "1");
    CHECK(fs::exists(w.state() / "health.json"));
    CHECK(w.last_output.find("warning: snapshot audit/ not written") != std::string::npos);
}

TEST_CASE("a no-op cycle at 250 webhooks keeps to the request budget: 2*ceil(N/100) + 2") {
    Workspace w(shared_emulator());
    constexpr int n = 250;
    for (int i = 0; i < n; ++i)
        w.add("budget-" + std::to_string(i), "https://hooks.example.com/budget/" + std::to_string(i));
    fs::remove(w.dir / "manifests/One.yaml");
    fs::remove(w.dir / "manifests/Two.yaml");
    REQUIRE(w.apply() == 0); // creates them; the audit cursor starts
    REQUIRE(w.apply() == 0); // reads the creates' audit entries, if the first did not
    const auto before = w.control.counters().at("requests").as_object();
    REQUIRE(w.apply() == 0);
    const auto after = w.control.counters().at("requests").as_object();
    const auto delta = [&](std::string_view route) {
        const auto* then = before.if_contains(route);
        const auto* now = after.if_contains(route);
        return (now ? now->as_int64() : 0) - (then ? then->as_int64() : 0);
    };
    std::int64_t total = 0;
    for (const auto& [route, count] : after)
        if (std::string_view(route).find("/_emulator") == std::string_view::npos)
            total += delta(route);
    const std::int64_t pages = (n + 99) / 100;
    CHECK(delta("POST /oauth/token") == 1);
    CHECK(delta("GET /api/v2/webhooks") == pages);
    CHECK(delta(analytics_route) == pages);
    CHECK(delta(audit_route) == 1);
    CHECK(total <= 2 * pages + 2);
}

TEST_CASE("the daemon keeps each audit entry once across cycles and a restart, and drops nextRun on SIGTERM") {
    Workspace w(shared_emulator());
    {
        Daemon daemon(w);
        INFO(daemon.process.output());
        REQUIRE(daemon.cycle_ran()); // creates One and Two
        CHECK(read_json(w.state() / "status.json").contains("nextRun"));
        CHECK(read_json(w.state() / "status.json").at("source") == "daemon");

        w.add("One", "https://one.example.com/moved"); // an update (inotify)
        REQUIRE(daemon.cycle_ran());
        w.control.drift(w.id_of("Two"), {{"endpointUrl", "https://drifted.example.com/"}}); // a UI edit
        REQUIRE(daemon.cycle_now()); // corrects it
        REQUIRE(daemon.cycle_now()); // nothing new
        REQUIRE(daemon.stop());
    }
    CHECK_FALSE(read_json(w.state() / "status.json").contains("nextRun"));
    {
        Daemon daemon(w);
        INFO(daemon.process.output());
        REQUIRE(daemon.cycle_ran());
        REQUIRE(daemon.cycle_now());
        REQUIRE(daemon.stop());
    }

    for (const std::string name : {"One", "Two"}) {
        CAPTURE(name);
        const auto id = w.id_of(name);
        const auto stored = w.stored_audit_ids(id);
        CHECK(stored == w.tenant_audit_ids(id));
        CHECK(std::set<std::string>(stored.begin(), stored.end()).size() == stored.size());
    }
    // One: create, update; Two: create, the UI's update, hookwarden's correction.
    CHECK(w.stored_audit_ids(w.id_of("One")).size() == 2);
    CHECK(w.stored_audit_ids(w.id_of("Two")).size() == 3);
    const auto status = read_json(w.state() / "status.json");
    auto check = verify_change_log(w.state(), ChangeLogHead{
        .lines = static_cast<std::size_t>(status.at("changeLog").at("lines").as_int64()),
        .head = std::string(status.at("changeLog").at("head").as_string())});
    REQUIRE(check);
    CHECK(check->ok);
    CHECK(check->lines == 4);
}

} // namespace hookwarden
