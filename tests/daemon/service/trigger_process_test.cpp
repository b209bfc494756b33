// `hookwarden run` with Process Automation triggers (SPEC §6, §6a, §8), as
// systemd and an operator see it: the real binary against the tenant
// emulator over TLS, a real $NOTIFY_SOCKET, and the files in stateDir.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "tests/support/daemon_process.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/scratch_dir.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using hookwarden::test::EmulatorControl;
using hookwarden::test::EmulatorProcess;
using hookwarden::test::HookwardenProcess;
using hookwarden::test::NotifySocket;
using hookwarden::testing::read_text;
using hookwarden::testing::ScratchDir;

constexpr const char* webhook_yaml = R"(apiVersion: hookwarden/v1
kind: Webhook
metadata: {name: Logins}
spec:
  eventTypes: [user:login]
  endpointUrl: https://hooks.example.com/logins
)";

constexpr const char* trigger_yaml = R"(apiVersion: hookwarden/v1
kind: Trigger
metadata: {name: SMS after chat error}
spec:
  topicName: v2.detail.events.conversation.{id}.customer.end
  target: {type: Workflow, id: 5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8b}
  matchCriteria:
    - {jsonPath: mediaType, operator: Equal, value: CHAT}
  eventTTLSeconds: 60
)";

/// A config on `emulator` and a manifest directory of one webhook and one trigger.
std::filesystem::path write_setup(const ScratchDir& dir, const EmulatorProcess& emulator) {
    dir.write("manifests/logins.yaml", webhook_yaml);
    dir.write("manifests/team/sms.yaml", trigger_yaml);
    const std::string& base = emulator.base_url();
    return dir.write("hookwarden.yaml",
                     "tenant:\n  apiBase: " + base + "\n  tokenUrl: " + base +
                         "/oauth/token\n  caFile: " + emulator.ca_file().string() +
                         "\n  clientId: demo-client\n  clientSecret: {env: TEST_CLIENT_SECRET}\n"
                         "manifests: manifests\nstateDir: state\ninterval: 1h\n"
                         "http: {connectTimeout: 1s, requestTimeout: 5s}\n");
}

/// `path` parsed as JSON once it exists and parses, or null after `timeout`.
json::value json_file(const std::filesystem::path& path, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        boost::system::error_code ec;
        auto value = json::parse(read_text(path), ec);
        if (!ec || std::chrono::steady_clock::now() >= deadline)
            return ec ? json::value() : value;
        std::this_thread::sleep_for(50ms);
    }
}

} // namespace

TEST_CASE("run converges a directory of a webhook and a trigger and reports both kinds in STATUS, "
          "status.json, metrics.prom and state.json") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    ScratchDir dir{"hookwarden-triggers"};
    const auto config = write_setup(dir, emulator);
    NotifySocket notify(dir);
    HookwardenProcess daemon(HOOKWARDEN_BINARY, dir, {"--config", config.string(), "run"},
                             {"NOTIFY_SOCKET=" + notify.path(), "TEST_CLIENT_SECRET=demo-secret"});
    INFO(daemon.output());
    INFO(notify.all());

    CHECK(notify.wait_for("READY=1", 5s));
    CHECK(notify.wait_for("STATUS=reconciling 1 webhooks, 1 triggers", 10s));
    REQUIRE(notify.wait_for("STATUS=converged 1/1 webhooks, 1/1 triggers · next in ", 15s));

    REQUIRE(control.triggers().size() == 1);
    const json::object trigger = control.triggers().front();
    const json::value& trigger_id = trigger.at("id");
    CHECK(trigger.at("name") == "SMS after chat error");
    CHECK(trigger.at("eventTTLSeconds") == 60);
    CHECK(control.webhook_names() == std::vector<std::string>{"Logins"});

    const json::value status = json_file(dir / "state/status.json");
    REQUIRE(status.is_object());
    CHECK(status.at("outcome") == "converged");
    CHECK(status.at("countsByKind").at("trigger").at("created") == 1);
    CHECK(status.at("countsByKind").at("webhook").at("created") == 1);
    bool listed = false;
    for (const auto& item : status.at("webhooks").as_array()) {
        if (item.at("kind") != "trigger")
            continue;
        listed = true;
        CHECK(item.at("name") == "SMS after chat error");
        CHECK(item.at("action") == "create");
        CHECK(item.at("id") == trigger_id);
    }
    CHECK(listed);

    const std::string metrics = read_text(dir / "state/metrics.prom");
    CHECK(metrics.find("hookwarden_items{kind=\"trigger\",state=\"created\"} 1\n") !=
          std::string::npos);
    CHECK(metrics.find("hookwarden_items{kind=\"webhook\",state=\"created\"} 1\n") !=
          std::string::npos);

    const json::value state = json_file(dir / "state/state.json");
    REQUIRE(state.is_object());
    CHECK(state.at("triggers").at("SMS after chat error").at("id") == trigger_id);
    CHECK(state.at("webhooks").as_object().contains("Logins"));
    CHECK_FALSE(state.at("webhooks").as_object().contains("SMS after chat error"));

    // The next cycle (SIGUSR1) finds nothing to do.
    const auto writes = control.counters().at("writes").as_int64();
    daemon.signal(SIGUSR1);
    CHECK(notify.wait_for("STATUS=reconciling 1 webhooks, 1 triggers", 10s));
    CHECK(notify.wait_for("STATUS=converged 1/1 webhooks, 1/1 triggers · next in ", 15s));
    CHECK(control.counters().at("writes").as_int64() == writes);

    daemon.signal(SIGTERM);
    CHECK(daemon.wait(5s) == 0);
    CHECK(daemon.output().find("demo-secret") == std::string::npos);
}
