// The real hookwarden-emulator binary over real TLS: started by
// EmulatorProcess, driven by EmulatorControl, which verifies the server's
// certificate against the emulator's CA and host name.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "tests/support/doctest_result.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"
#include "tests/support/scratch_dir.hpp"

#include <atomic>
#include <boost/json.hpp>
#include <csignal>
#include <fstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace hookwarden;
using namespace hookwarden::test;
using hookwarden::testing::ScratchDir;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

json::object webhook_body(const std::string& name) {
    return {{"name", name},
            {"eventTypes", {"user:login"}},
            {"endpointUrl", "https://myapp.example.com/hook"},
            {"secret", "s3cret"}};
}

/// POST /oauth/token with the default credentials as form fields.
Result<HttpAnswer> form_token_request(EmulatorControl& control) {
    return control.request(
        "POST", "/oauth/token",
        "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret",
        {{"Content-Type", "application/x-www-form-urlencoded"}});
}

std::int64_t counter(EmulatorControl& control, const char* name) {
    return control.counters().at(name).as_int64();
}

} // namespace

TEST_CASE("the emulator listens on a free loopback port and exits 0 on SIGTERM") {
    EmulatorProcess emulator({"--quiet"});
    CHECK(emulator.host() == "127.0.0.1");
    CHECK(emulator.port() != 0);
    CHECK(emulator.base_url() == "https://127.0.0.1:" + std::to_string(emulator.port()));
    CHECK(std::filesystem::exists(emulator.ca_file()));
    EmulatorControl control(emulator);
    CHECK(control.state().at("webhooks").as_array().empty());
    CHECK(emulator.stop() == 0);
    CHECK(emulator.stop() == 0);
}

TEST_CASE("tokens are issued over verified TLS for Basic and form credentials") {
    EmulatorProcess emulator;
    EmulatorControl control(emulator);
    const auto token = control.fetch_token();
    REQUIRE(token);
    CHECK(token->size() > 20);

    const auto form = form_token_request(control);
    REQUIRE(form);
    CHECK(form->status == 200);
    CHECK(form->json().at("token_type") == "bearer");
    CHECK(form->json().at("expires_in").as_int64() == 86400);
    CHECK(counter(control, "tokensIssued") == 2);

    // "localhost" resolves and verifies too (the certificate names it).
    EmulatorControl by_name("localhost", emulator.port(), emulator.ca_file());
    CHECK(by_name.fetch_token());
}

TEST_CASE("a client that does not trust the emulator's CA cannot connect") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorProcess stranger({"--quiet"});
    EmulatorControl control(emulator.host(), emulator.port(), stranger.ca_file());
    const auto answer = control.request("GET", "/_emulator/state");
    REQUIRE_FALSE(answer);
    CHECK(answer.error().kind == ErrorKind::transport);
    CHECK(answer.error().message.find("TLS handshake") != std::string::npos);
}

TEST_CASE("wrong credentials get 401 invalid_client and the API wants a valid bearer token") {
    EmulatorProcess emulator({"--client-id", "hw", "--client-secret", "pw"});
    EmulatorControl control(emulator);
    const auto refused = control.fetch_token(); // default demo credentials
    REQUIRE_FALSE(refused);
    CHECK(refused.error().context.http_status == 401);
    CHECK(refused.error().message.find("invalid_client") != std::string::npos);

    const auto anonymous = control.request("GET", "/api/v2/webhooks");
    REQUIRE(anonymous);
    CHECK(anonymous->status == 401);
    CHECK(anonymous->json().at("code") == "authentication.required");
    CHECK(anonymous->json().at("contextId").as_string() ==
          anonymous->header("inin-correlation-id"));

    control.set_credentials("hw", "pw");
    const auto listed = control.api("GET", "/api/v2/webhooks");
    REQUIRE(listed);
    CHECK(listed->status == 200);
}

TEST_CASE("revoked tokens are answered 401") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    REQUIRE(control.api("GET", "/api/v2/webhooks")->status == 200);
    control.revoke_tokens();
    const auto revoked = control.api("GET", "/api/v2/webhooks");
    REQUIRE(revoked);
    CHECK(revoked->status == 401);
    CHECK(revoked->json().at("code") == "bad.credentials");
    control.forget_token();
    CHECK(control.api("GET", "/api/v2/webhooks")->status == 200);
}

// Expiry itself is tested on a hand-moved clock (emulator_routes_test.cpp);
// here only that the flag reaches the tokens.
TEST_CASE("--token-lifetime sets expires_in of issued tokens") {
    EmulatorProcess emulator({"--quiet", "--token-lifetime", "1"});
    EmulatorControl control(emulator);
    const auto token = form_token_request(control);
    REQUIRE(token);
    CHECK(token->status == 200);
    CHECK(token->json().at("expires_in").as_int64() == 1);
}

TEST_CASE("a tiny rpm gets 429 with Retry-After and the rate-limit headers") {
    EmulatorProcess emulator({"--quiet", "--rpm", "6"}); // one request, then one every 10 s
    EmulatorControl control(emulator);
    const auto first = control.api("GET", "/api/v2/webhooks");
    REQUIRE(first);
    CHECK(first->status == 200);
    CHECK(first->header("inin-ratelimit-allowed") == "1");
    CHECK(first->header("inin-ratelimit-count") == "1");
    CHECK_FALSE(first->header("inin-ratelimit-reset").empty());

    const auto limited = control.api("POST", "/api/v2/webhooks", webhook_body("never"));
    REQUIRE(limited);
    CHECK(limited->status == 429);
    const int retry_after = std::stoi(limited->header("Retry-After"));
    CHECK(retry_after >= 1); // 10 s less however long the first request took
    CHECK(retry_after <= 10);
    CHECK(limited->json().at("code") == "too.many.requests.retry.after");
    CHECK(control.state().at("webhooks").as_array().empty());
    CHECK(counter(control, "rateLimited") == 1);
}

TEST_CASE("--no-ratelimit-headers hides the window but not the limit") {
    EmulatorProcess emulator({"--quiet", "--rpm", "6", "--no-ratelimit-headers"});
    EmulatorControl control(emulator);
    const auto first = control.api("GET", "/api/v2/webhooks");
    REQUIRE(first);
    CHECK(first->status == 200);
    CHECK(first->header("inin-ratelimit-allowed").empty());
    CHECK(first->header("inin-ratelimit-count").empty());
    CHECK(first->header("inin-ratelimit-reset").empty());
    const auto limited = control.api("GET", "/api/v2/webhooks");
    REQUIRE(limited);
    CHECK(limited->status == 429);
    CHECK_FALSE(limited->header("Retry-After").empty());
    CHECK(limited->header("inin-ratelimit-allowed").empty());
    CHECK(control.get("/_emulator/config").at("rateLimitHeaders") == false);
}

TEST_CASE("a body over 1 MiB is answered 413 and the connection closed; 1 MiB is read") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    const auto token = control.fetch_token();
    REQUIRE(token);
    const std::vector<std::pair<std::string, std::string>> headers{
        {"Authorization", "Bearer " + *token}, {"Content-Type", "application/json"}};
    const auto too_large =
        control.request("POST", "/api/v2/webhooks", std::string(1024 * 1024 + 1, ' '), headers);
    REQUIRE(too_large);
    CHECK(too_large->status == 413);
    CHECK(too_large->json().at("code") == "request.entity.too.large");
    CHECK(too_large->json().at("contextId").as_string() == too_large->header("inin-correlation-id"));
    CHECK(too_large->header("Connection") == "close");

    // At the limit the body is read (and, being all blanks, refused as empty).
    const auto at_limit =
        control.request("POST", "/api/v2/webhooks", std::string(std::size_t{1024} * 1024, ' '), headers);
    REQUIRE(at_limit);
    CHECK(at_limit->status == 400);
    CHECK(control.state().at("webhooks").as_array().empty());
    CHECK(control.request_count("POST /api/v2/webhooks") == 2);
    CHECK(control.counters().at("statuses").at("413").as_int64() == 1);
}

TEST_CASE("a status fault answers with its status and Retry-After over the wire") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    control.add_fault({.method = "GET",
                       .path = "^/api/v2/webhooks$",
                       .action = "status",
                       .status = 503,
                       .retry_after = 2});
    const auto faulted = control.api("GET", "/api/v2/webhooks");
    REQUIRE(faulted);
    CHECK(faulted->status == 503);
    CHECK(faulted->header("Retry-After") == "2");
    CHECK(faulted->json().at("code") == "service.unavailable");
    CHECK(faulted->header("inin-correlation-id") == faulted->json().at("contextId").as_string());
    CHECK(control.api("GET", "/api/v2/webhooks")->status == 200);
}

TEST_CASE("a reset fault drops the connection and the request is not processed") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    REQUIRE(control.fetch_token());
    control.add_fault({.method = "POST", .path = "^/api/v2/webhooks$", .action = "reset"});
    const auto lost = control.api("POST", "/api/v2/webhooks", webhook_body("lost"));
    REQUIRE_FALSE(lost);
    CHECK(lost.error().kind == ErrorKind::transport);
    CHECK(control.state().at("webhooks").as_array().empty());
    CHECK(control.request_count("POST /api/v2/webhooks") == 1);
    CHECK(counter(control, "writes") == 0);
}

TEST_CASE("a commit-then-reset fault performs the write and then drops the connection") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    control.add_fault(
        {.method = "POST", .path = "^/api/v2/webhooks$", .action = "commit-then-reset"});
    const auto lost = control.api("POST", "/api/v2/webhooks", webhook_body("committed"));
    REQUIRE_FALSE(lost);
    CHECK(lost.error().kind == ErrorKind::transport);
    const auto webhooks = control.webhooks();
    REQUIRE(webhooks.size() == 1);
    CHECK(webhooks[0].name == "committed");
    CHECK(counter(control, "writes") == 1);
    // The connection is gone, but the client carries on with a new one.
    CHECK(control.api("GET", "/api/v2/webhooks/" + webhooks[0].id)->status == 200);
}

TEST_CASE("a hang fault holds the request for its seconds, then closes unanswered") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    REQUIRE(control.fetch_token());
    control.add_fault({.path = "^/api/v2/webhooks$", .action = "hang", .seconds = 0.7});
    const auto start = std::chrono::steady_clock::now();
    const auto hung = control.api("GET", "/api/v2/webhooks");
    const auto waited = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(hung);
    CHECK(hung.error().kind == ErrorKind::transport);
    CHECK(waited >= 650ms);
    CHECK(waited < 5s);

    // With a shorter client deadline the client gives up first.
    control.add_fault({.path = "^/api/v2/webhooks$", .action = "hang", .seconds = 5});
    control.set_timeout(300ms);
    const auto timed_out = control.api("GET", "/api/v2/webhooks");
    REQUIRE_FALSE(timed_out);
    CHECK(timed_out.error().kind == ErrorKind::timeout);
    CHECK(emulator.stop() == 0); // a request still hanging does not hold up SIGTERM
}

TEST_CASE("a malformed fault answers 200 with a body that is not JSON") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    control.add_fault({.path = "^/api/v2/webhooks$", .action = "malformed"});
    const auto answer = control.api("GET", "/api/v2/webhooks");
    REQUIRE(answer);
    CHECK(answer->status == 200);
    CHECK_THROWS_AS(answer->json(), ErrorException);
    CHECK(control.faults().empty());
}

TEST_CASE("secrets are hidden from the API unless echoing is switched on") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    const auto created = control.api("POST", "/api/v2/webhooks", webhook_body("hidden"));
    REQUIRE(created);
    REQUIRE(created->status == 201);
    CHECK_FALSE(created->json().as_object().contains("secret"));
    CHECK(created->header("Location") == created->json().at("selfUri").as_string());
    CHECK(control.webhooks().at(0).secret == "s3cret");

    control.set_config({.echo_secrets = true});
    const auto id = std::string(created->json().at("id").as_string());
    CHECK(control.api("GET", "/api/v2/webhooks/" + id)->json().at("secret") == "s3cret");

    EmulatorProcess echoing({"--quiet", "--echo-secrets"});
    EmulatorControl echo_control(echoing);
    CHECK(
        echo_control.api("POST", "/api/v2/webhooks", webhook_body("shown"))->json().at("secret") ==
        "s3cret");
}

TEST_CASE("concurrent clients are served on kept-alive connections") {
    EmulatorProcess emulator({"--quiet", "--rpm", "100000", "--threads", "4"});
    EmulatorControl control(emulator);
    const auto connections_before = counter(control, "connections");

    constexpr int kClients = 8;
    constexpr int kRequests = 25;
    std::atomic<int> ok{0};
    std::vector<std::thread> clients;
    clients.reserve(kClients);
    for (int c = 0; c < kClients; ++c) {
        clients.emplace_back([&, c] {
            EmulatorControl client(emulator);
            for (int i = 0; i < kRequests; ++i) {
                const auto answer = i % 5 == 0 ? client.api("POST", "/api/v2/webhooks",
                                                            webhook_body("c" + std::to_string(c) +
                                                                         "-" + std::to_string(i)))
                                               : client.api("GET", "/api/v2/webhooks?pageSize=100");
                if (answer && answer->status < 300)
                    ++ok;
            }
        });
    }
    for (auto& t : clients)
        t.join();

    CHECK(ok == kClients * kRequests);
    CHECK(control.state().at("webhooks").as_array().size() == kClients * kRequests / 5);
    // One connection per client (token and API calls share it): keep-alive works.
    CHECK(counter(control, "connections") - connections_before == kClients);
    CHECK(control.request_count("GET /api/v2/webhooks") == kClients * (kRequests - kRequests / 5));
    CHECK(emulator.stop() == 0);
}

TEST_CASE("the control plane helpers drive drift, deliveries and reset end to end") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    Webhook ui;
    ui.name = "made-in-ui";
    ui.event_types = {"user:login"};
    ui.endpoint_url = "https://ui.example/hook";
    ui.secret = "ui-secret";
    const auto inserted = control.insert_webhook(ui);
    CHECK(inserted.modified_by_id == "ui-user");
    CHECK(inserted.version == 1);

    const auto drifted = control.drift(inserted.id, {{"enabled", false}});
    CHECK(drifted.version == 2);
    CHECK_FALSE(drifted.enabled);

    const auto recorded = control.record_deliveries(
        inserted.id, {{.ok = true, .latency_ms = 80}, {.ok = false}, {.ok = false}});
    CHECK(recorded.at("health").at("status") == "degraded");
    CHECK(recorded.at("health").at("consecutiveFailures").as_int64() == 2);

    const auto audit =
        control.api("POST", "/api/v2/auditlogs/query", json::object{{"entityId", inserted.id}});
    REQUIRE(audit);
    CHECK(audit->json().at("entities").as_array().size() == 2);

    control.delete_webhook_as_ui(inserted.id);
    CHECK(control.webhooks().empty());
    CHECK_THROWS_AS(control.drift(inserted.id, {{"enabled", true}}), ErrorException);

    control.reset();
    CHECK(control.request_count("POST /api/v2/auditlogs/query") == 0);
    CHECK(control.api("GET", "/api/v2/webhooks")->status == 200); // a new token after reset
}

TEST_CASE("the trigger helpers insert, drift, list, delete, set topics and withdraw permissions") {
    EmulatorProcess emulator({"--quiet"});
    EmulatorControl control(emulator);
    const json::object ui{{"name", "made in the UI"},
                          {"topicName", "v2.users.{id}.presence"},
                          {"target", {{"type", "Workflow"}, {"id", "wf-1"}}},
                          {"enabled", true}};
    const std::string id = control.insert_trigger(ui);
    const std::string one = "/api/v2/processautomation/triggers/" + id;
    auto read = control.api("GET", one);
    REQUIRE(read);
    CHECK(read->status == 200);
    CHECK(read->json().at("version").as_int64() == 1);

    const auto drifted = control.drift_trigger(
        id, {{"topicName", "v2.routing.queues.{id}.members"}, {"eventTTLSeconds", 30}});
    CHECK(drifted.at("version").as_int64() == 2);
    CHECK(drifted.at("topicName") == "v2.routing.queues.{id}.members");
    REQUIRE(control.triggers().size() == 1);
    CHECK(control.triggers()[0] == drifted);
    CHECK(control.trigger_names() == std::vector<std::string>{"made in the UI"});

    control.set_trigger_topics({"v2.users.{id}.presence"});
    auto topics = control.api("GET", "/api/v2/processautomation/triggers/topics");
    REQUIRE(topics);
    CHECK(topics->json().at("entities") == json::array{"v2.users.{id}.presence"});

    control.deny_permission("processautomation:trigger:view");
    auto denied = control.api("GET", "/api/v2/processautomation/triggers?pageSize=200");
    REQUIRE(denied);
    CHECK(denied->status == 403);
    CHECK(denied->json().at("code") == "missing.permissions");
    control.allow_permission("processautomation:trigger:view");
    CHECK(control.api("GET", "/api/v2/processautomation/triggers?pageSize=200")->status == 200);
    CHECK_THROWS_AS(control.deny_permission("processautomation:trigger:typo"), ErrorException);

    control.add_fault({.method = "DELETE", .path = "^/api/v2/processautomation/triggers/", .status = 502});
    CHECK(control.api("DELETE", one)->status == 502);
    CHECK(control.request_count("DELETE /api/v2/processautomation/triggers/{id}") == 1);

    control.delete_trigger_as_ui(id);
    CHECK(control.triggers().empty());
    CHECK(control.api("GET", one)->status == 404);
    CHECK_THROWS_AS(control.drift_trigger(id, {{"enabled", false}}), ErrorException);
}

TEST_CASE("ScratchDir makes a private directory and removes its whole tree") {
    std::filesystem::path kept;
    {
        ScratchDir dir("support-test");
        kept = dir.path();
        CHECK(std::filesystem::is_directory(kept));
        CHECK((std::filesystem::status(kept).permissions() & std::filesystem::perms::others_all) ==
              std::filesystem::perms::none);
        const auto file = dir.write("a/b/c.txt", "hello");
        std::ifstream in(file);
        std::string text;
        in >> text;
        CHECK(text == "hello");
        ScratchDir moved = std::move(dir);
        CHECK(moved.path() == kept);
    }
    CHECK_FALSE(std::filesystem::exists(kept));
}

TEST_CASE("an emulator whose test process dies without cleaning up stops by itself") {
    int report[2];
    REQUIRE(::pipe(report) == 0);
    const pid_t harness = ::fork();
    REQUIRE(harness >= 0);
    if (harness == 0) {
        // The "test process": start an emulator, tell the parent about it, and
        // die on the spot, running no destructor.
        ::close(report[0]);
        auto* emulator = new EmulatorProcess({"--quiet"});
        const std::string line =
            std::to_string(emulator->pid()) + ' ' + emulator->tls_dir().string();
        const auto written = ::write(report[1], line.data(), line.size());
        ::_exit(written == static_cast<ssize_t>(line.size()) ? 0 : 1);
    }
    ::close(report[1]);
    std::string line(512, '\0');
    const auto n = ::read(report[0], line.data(), line.size());
    ::close(report[0]);
    int status = 0;
    ::waitpid(harness, &status, 0);
    REQUIRE(n > 0);
    line.resize(static_cast<std::size_t>(n));
    const pid_t emulator = static_cast<pid_t>(std::stol(line));
    const std::filesystem::path tls_dir = line.substr(line.find(' ') + 1);

    // Gone (or a zombie waiting for init to reap it) within a few seconds.
    const auto alive = [emulator] {
        std::ifstream stat("/proc/" + std::to_string(emulator) + "/stat");
        std::string pid, name, state;
        return stat >> pid >> name >> state && state != "Z";
    };
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (alive() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    CHECK_FALSE(alive());
    if (alive())
        ::kill(emulator, SIGKILL);
    std::filesystem::remove_all(tls_dir);
}
