// `hookwarden receive` end to end: the built binary, handed a listening
// socket as systemd's socket activation does, with TLS; the emulator as the
// tenant, delivering signed events to the webhooks `hookwarden apply`
// registered, retrying what fails. What the emulator counts as delivered
// (a 2xx) must be in the spool exactly once — through a SIGKILL of the
// receiver and through a secret rotation in mid-stream — and what the
// receiver refuses shows up in health.json.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "tests/emulator/emulator_tls.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/listening_socket.hpp"
#include "tests/support/scratch_dir.hpp"

#include "core/event/delivery_signature.hpp"
#include "daemon/net/https_client.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
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
using test::HookwardenProcess;
using test::ListeningSocket;
using test::NotifySocket;

/// The receiver's TLS material: made before the emulator starts, which
/// trusts its CA for deliveries (--delivery-ca).
struct ReceiverTls {
    testing::ScratchDir dir{"hookwarden-receiver-tls"};
    emulator::TlsFiles files = emulator::prepare_tls_dir(dir / "tls").value();
};

/// An emulator that delivers to the receiver: retries every 10 s × 0.01
/// (100 ms), so a test's retries take moments.
struct Tenant {
    ReceiverTls tls;
    EmulatorProcess emulator{{"--quiet", "--rpm", "100000", "--delivery-ca", tls.files.ca_file.string(),
                              "--retry-scale", "0.01", "--delivery-concurrency", "32"}};
    EmulatorControl control{emulator};
};

Tenant& shared_tenant() {
    static Tenant tenant;
    return tenant;
}

/// A manifest whose deliveries go to this receiver's `path`.
std::string manifest(const std::string& name, const std::string& event, std::uint16_t port, const std::string& path,
                     const std::string& retry_interval, const std::string& secret_ref) {
    return "apiVersion: hookwarden/v1\nkind: Webhook\nmetadata: {name: " + name + "}\nspec:\n  eventTypes: [" +
           event + "]\n  endpointUrl: https://127.0.0.1:" + std::to_string(port) + path +
           "\n  retryPolicy: {retryInterval: " + retry_interval + ", maxRetries: 10}\n" + secret_ref;
}

/// Config, manifests and state for one apply-and-receive setup: webhook
/// Monitor (generated secret) on /hooks/monitor, Other (secret from
/// $OTHER_SECRET) on /hooks/other.
struct Workspace {
    Tenant& tenant;
    testing::ScratchDir dir{"hookwarden-receive"};
    ListeningSocket socket;

    /// `retry_interval` of both webhooks, before the emulator's 0.01 scale.
    explicit Workspace(Tenant& t, const std::string& retry_interval = "PT10S") : tenant(t) {
        tenant.control.reset();
        const auto& e = tenant.emulator;
        dir.write("hookwarden.yaml",
                  "tenant:\n  apiBase: " + e.base_url() + "\n  tokenUrl: " + e.token_url() +
                      "\n  caFile: " + e.ca_file().string() +
                      "\n  clientId: demo-client\n  clientSecret: demo-secret\n"
                      "manifests: manifests\nstateDir: state\nrequestsPerMinute: 100000\n"
                      "receiver:\n  tls: {cert: " +
                      tenant.tls.files.cert_file.string() + ", key: " + tenant.tls.files.key_file.string() +
                      "}\n  routes: {/hooks/monitor: Monitor, /hooks/other: Other}\n  spool: spool\n"
                      "  maxBody: 64KiB\n");
        dir.write("manifests/monitor.yaml", manifest("Monitor", "user:login", socket.port(), "/hooks/monitor", retry_interval, ""));
        dir.write("manifests/other.yaml", manifest("Other", "user:logout", socket.port(), "/hooks/other",
                                                   retry_interval, "  secretRef: {env: OTHER_SECRET}\n"));
    }

    fs::path config() const { return dir / "hookwarden.yaml"; }

    int apply(std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"--config", config().string(), "apply"};
        args.insert(args.end(), extra.begin(), extra.end());
        HookwardenProcess run(HOOKWARDEN_BINARY, dir, args, {"OTHER_SECRET=the-right-one"});
        const int status = run.wait(120s);
        last_output = run.output();
        return status;
    }

    /// Fires `count` events of `type`; returns how many deliveries were queued.
    std::int64_t fire(const std::string& type, int count) {
        return tenant.control.fire_events({.event_type = type, .count = count});
    }

    /// Waits until the emulator has no delivery queued or in flight; its counts.
    json::object deliveries_settled() { return tenant.control.wait_for_deliveries(60s); }

    /// Every spooled record, closed files first, in order.
    std::vector<json::object> spooled() const {
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(dir / "spool"))
            if (entry.path().filename().string().starts_with("events-"))
                files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        files.push_back(dir / "spool/current.jsonl");
        std::vector<json::object> records;
        for (const auto& file : files)
            for (const auto& line : lines_of(read_text(file)))
                records.push_back(json::parse(line).as_object());
        return records;
    }

    std::string last_output;
};

/// `hookwarden receive` on the workspace's socket, as systemd starts it.
struct Receiver {
    NotifySocket notify;
    HookwardenProcess process;

    Receiver(Workspace& w, const std::string& other_secret = "the-right-one")
        : notify(w.dir), process(HOOKWARDEN_BINARY, w.dir, {"--config", w.config().string(), "receive"},
                                 {"NOTIFY_SOCKET=" + notify.path(), "OTHER_SECRET=" + other_secret},
                                 w.socket.fd()) {
        REQUIRE_MESSAGE(notify.wait_for("READY=1", 20s), process.output());
    }
    ~Receiver() {
        if (process.wait(0ms) < 0)
            stop();
    }
    int stop() {
        process.signal(SIGTERM);
        return process.wait(20s);
    }
};

/// The delivery ids of records, with how often each occurs.
std::map<std::string, int> id_counts(const std::vector<json::object>& records) {
    std::map<std::string, int> counts;
    for (const auto& r : records)
        ++counts[std::string(r.at("delivery").at("id").as_string())];
    return counts;
}

int repeated(const std::map<std::string, int>& counts) {
    int n = 0;
    for (const auto& [id, count] : counts)
        n += count > 1;
    return n;
}

} // namespace

TEST_CASE("1,000 events fired at an applied webhook land in the spool exactly once, verified and transformed") {
    Workspace w(shared_tenant());
    REQUIRE_MESSAGE(w.apply() == 0, w.last_output);
    Receiver receiver(w);

    CHECK(w.fire("user:login", 1000) == 1000);
    const auto counts = w.deliveries_settled();
    CHECK(counts.at("succeeded") == 1000);
    CHECK(counts.at("failed") == 0);

    const auto records = w.spooled();
    CHECK(records.size() == 1000);
    const auto ids = id_counts(records);
    CHECK(ids.size() == 1000);
    CHECK(repeated(ids) == 0);
    const auto& first = records.front();
    CHECK(first.at("delivery").at("webhook") == "Monitor");
    CHECK(first.at("delivery").at("signature") == "standard-webhooks");
    CHECK(first.at("event").at("routing_key") == "system.user_login");

    REQUIRE(receiver.notify.wait_for("accepted 1000", 5s));
    CHECK(receiver.stop() == 0);
    CHECK(receiver.notify.wait_for("STOPPING=1", 1s));
}

TEST_CASE("a delivery signed with a secret the receiver does not know is refused, and health.json turns failing") {
    Workspace w(shared_tenant());
    REQUIRE_MESSAGE(w.apply() == 0, w.last_output);
    Receiver receiver(w, "not-what-the-tenant-has");

    CHECK(w.fire("user:logout", 1) == 1); // Other only: 11 attempts, all 401
    CHECK(w.fire("user:login", 3) == 3);  // Monitor: fine
    const auto counts = w.deliveries_settled();
    CHECK(counts.at("failed") == 1);
    CHECK(counts.at("succeeded") == 3);
    CHECK(w.spooled().size() == 3);
    CHECK(receiver.notify.wait_for("401×11", 5s));
    CHECK(receiver.process.output().find(" for Other: 401") != std::string::npos); // "delivery ID for Other: 401 …"

    REQUIRE_MESSAGE(w.apply() == 0, w.last_output); // writes health.json
    const auto health = json::parse(read_text(w.dir / "state/health.json")).as_object();
    std::map<std::string, json::object> by_name;
    for (const auto& h : health.at("webhooks").as_array())
        by_name[std::string(h.at("name").as_string())] = h.as_object();
    CHECK(by_name.at("Other").at("status") == "failing");
    CHECK(by_name.at("Other").at("failureCount") == 11);
    CHECK(by_name.at("Monitor").at("status") == "healthy");
    CHECK(by_name.at("Monitor").at("successCount") == 3);
}

TEST_CASE("a receiver killed mid-stream and restarted loses nothing it answered and spools nothing twice") {
    Workspace w(shared_tenant());
    REQUIRE_MESSAGE(w.apply() == 0, w.last_output);
    {
        Receiver first(w);
        CHECK(w.fire("user:login", 1000) == 1000);
        // Kill it while deliveries are arriving.
        for (int i = 0; i < 400 && w.spooled().size() < 200; ++i)
            std::this_thread::sleep_for(10ms);
        first.process.signal(SIGKILL);
        CHECK(first.process.wait(5s) == 128 + SIGKILL);
    }
    const auto at_kill = w.spooled().size();
    MESSAGE("spooled when killed: ", at_kill);
    CHECK(at_kill < 1000);

    // Connections made meanwhile wait in the socket's backlog; the tenant
    // retries the ones the killed receiver dropped.
    Receiver second(w);
    const auto counts = w.deliveries_settled();
    CHECK(counts.at("succeeded") == 1000);
    CHECK(counts.at("failed") == 0);
    const auto ids = id_counts(w.spooled());
    CHECK(ids.size() == 1000);
    CHECK(repeated(ids) == 0);
    CHECK(second.stop() == 0);
}

TEST_CASE("a secret rotated by apply in mid-stream loses no delivery") {
    Workspace w(shared_tenant());
    REQUIRE_MESSAGE(w.apply() == 0, w.last_output);
    Receiver receiver(w);

    // Events keep coming, 20 every 10 ms, for as long as the rotation takes.
    std::atomic<bool> rotating{true};
    std::atomic<std::int64_t> fired{0};
    std::thread stream([&] {
        EmulatorControl control(w.tenant.emulator);
        while (rotating) {
            fired += control.fire_events({.event_type = "user:login", .count = 20});
            std::this_thread::sleep_for(10ms);
        }
        fired += control.fire_events({.event_type = "user:login", .count = 200});
    });
    const int rotated = w.apply({"--rotate-secret", "Monitor"});
    rotating = false;
    stream.join();
    REQUIRE_MESSAGE(rotated == 0, w.last_output);
    const auto state = json::parse(read_text(w.dir / "state/state.json"));
    CHECK(state.at("webhooks").at("Monitor").as_object().contains("rotation"));

    const auto counts = w.deliveries_settled();
    MESSAGE("fired during and after the rotation: ", fired.load());
    CHECK(counts.at("succeeded") == fired.load());
    CHECK(counts.at("failed") == 0);
    const auto records = w.spooled();
    const auto ids = id_counts(records);
    CHECK(ids.size() == static_cast<std::size_t>(fired.load()));
    CHECK(repeated(ids) == 0);
    int with_previous = 0;
    for (const auto& r : records)
        with_previous += r.at("delivery").at("previousSecret").as_bool();
    MESSAGE("deliveries verified with the previous secret: ", with_previous);
    // The last ones are signed with the new secret.
    CHECK(with_previous < fired.load());
}

TEST_CASE("refusals over the wire: unknown path 404, a body over maxBody 413, no signature 401, a bad event 400") {
    Workspace w(shared_tenant());
    REQUIRE_MESSAGE(w.apply() == 0, w.last_output); // generates Monitor's secret
    Receiver receiver(w);
    HttpsClientOptions options;
    options.ca_file = shared_tenant().tls.files.ca_file.string();
    auto client = HttpsClient::create(options).value();
    auto post = [&](const std::string& target, std::string body, HttpHeaders headers = {}) {
        HttpRequest request;
        request.host = "127.0.0.1";
        request.port = w.socket.port();
        request.method = "POST";
        request.target = target;
        request.headers = std::move(headers);
        request.headers.emplace_back("Content-Type", "application/json");
        request.body = std::move(body);
        auto answer = client->exchange(request);
        REQUIRE(answer.has_value());
        return *answer;
    };
    CHECK(post("/nowhere", "{}").status == 404);
    CHECK(post("/hooks/monitor", std::string(std::size_t{65} * 1024, 'x')).status == 413);
    const auto unsigned_answer = post("/hooks/monitor", "{}");
    CHECK(unsigned_answer.status == 401);
    CHECK(unsigned_answer.body.find("message") != std::string::npos);

    std::string secret = read_text(w.dir / "state/secrets/Monitor");
    while (!secret.empty() && secret.back() == '\n')
        secret.pop_back();
    const std::string event = R"({"eventType":"user:login","actor":{"id":7}})";
    const auto signature =
        sign_delivery(secret, event, "msg_bad", std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()))
            .value();
    const auto bad = post("/hooks/monitor", event,
                          {{"webhook-id", signature.webhook_id},
                           {"webhook-timestamp", signature.webhook_timestamp},
                           {"webhook-signature", signature.webhook_signature}});
    CHECK(bad.status == 400);
    CHECK(json::parse(bad.body).at("message") == "$.timestamp: required; $.actor.id: must be a string");

    CHECK(w.spooled().empty());
    // 404, 401 and 400 by the intake; the 413 is the listener's, before any intake.
    CHECK(receiver.notify.wait_for("refused 3 (400×1, 401×1, 404×1) · 1 malformed or too large", 5s));
}

TEST_CASE("a spool the disk refuses is answered 503 with Retry-After, and the tenant's retry lands once room is back") {
    // Retries 600 ms apart, ten of them: time enough to see the 503s and
    // restart the receiver.
    Workspace w(shared_tenant(), "PT60S");
    REQUIRE_MESSAGE(w.apply() == 0, w.last_output);
    // The receiver under a file-size limit smaller than one record: every
    // write fails with EFBIG, a real refusal from the kernel.
    {
        NotifySocket notify(w.dir);
        HookwardenProcess limited(
            "/usr/bin/prlimit", w.dir,
            {"--fsize=100", "--", HOOKWARDEN_BINARY, "--config", w.config().string(), "receive"},
            {"NOTIFY_SOCKET=" + notify.path(), "OTHER_SECRET=the-right-one"}, w.socket.fd());
        REQUIRE_MESSAGE(notify.wait_for("READY=1", 20s), limited.output());
        CHECK(w.fire("user:login", 1) == 1);
        REQUIRE(notify.wait_for("spool failing", 10s));
        CHECK(notify.last_status().find("503×") != std::string::npos);
        CHECK(notify.last_status().find("File too large") != std::string::npos);
        CHECK(w.spooled().empty());
        // Room again: a receiver without the limit; the tenant is still retrying.
        limited.signal(SIGTERM);
        CHECK(limited.wait(20s) == 0);
    }
    Receiver receiver(w);
    const auto counts = w.deliveries_settled();
    CHECK(counts.at("succeeded") == 1);
    CHECK(w.spooled().size() == 1);
}

} // namespace hookwarden
