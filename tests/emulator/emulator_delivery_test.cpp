// The real hookwarden-emulator delivering for real: events fired through
// its control plane are POSTed over verified TLS to a test-only HTTPS
// endpoint (DeliverySink) that records them and answers a scripted status.
// The emulator trusts the endpoint's CA through --delivery-ca.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "core/snapshot/status_file.hpp"
#include "tests/emulator/emulator_tls.hpp"
#include "tests/support/delivery_sink.hpp"
#include "tests/support/delivery_verification.hpp"
#include "tests/support/doctest_result.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"
#include "tests/support/scratch_dir.hpp"

#include <boost/json.hpp>
#include <set>
#include <thread>

using namespace hookwarden;
using namespace hookwarden::test;
using hookwarden::testing::ScratchDir;
using namespace std::chrono_literals;
namespace json = boost::json;
using Steady = std::chrono::steady_clock;

namespace {

/// A sink with fresh TLS material, and an emulator that trusts its CA.
struct Setup {
    ScratchDir dir;
    emulator::TlsFiles tls = emulator::prepare_tls_dir(dir.path() / "sink-tls").value();
    DeliverySink sink{tls.cert_file, tls.key_file};
    EmulatorProcess emulator;
    EmulatorControl control{emulator};

    explicit Setup(std::vector<std::string> args = {})
        : emulator(with_ca(std::move(args), tls.ca_file)) {}

    static std::vector<std::string> with_ca(std::vector<std::string> args,
                                            const std::filesystem::path& ca) {
        args.insert(args.end(), {"--quiet", "--delivery-ca", ca.string()});
        return args;
    }

    /// Creates a webhook through the API (validated like any client's) and returns its id.
    std::string create(const std::string& name, const std::string& path,
                       std::optional<std::string> secret, json::object retry_policy = {},
                       const std::vector<std::string>& types = {"user:login"},
                       bool enabled = true) {
        json::array event_types;
        for (const auto& t : types)
            event_types.emplace_back(t);
        json::object body{{"name", name},
                          {"eventTypes", std::move(event_types)},
                          {"endpointUrl", sink.url(path)},
                          {"enabled", enabled}};
        if (secret)
            body["secret"] = *secret;
        if (!retry_policy.empty())
            body["retryPolicy"] = std::move(retry_policy);
        const auto answer = control.api("POST", "/api/v2/webhooks", body);
        REQUIRE(answer);
        REQUIRE(answer->status == 201);
        return std::string(answer->json().at("id").as_string());
    }

    json::object webhook(const std::string& id) {
        const auto answer = control.api("GET", "/api/v2/webhooks/" + id);
        REQUIRE(answer);
        return answer->json().as_object();
    }

    /// The analytics summary query's one bucket around now for `id`.
    json::value analytics(const std::string& id) {
        const auto now = std::chrono::system_clock::now();
        const json::object query{
            {"interval", format_rfc3339(now - 1h) + "/" + format_rfc3339(now + 1h)},
            {"entities", {{{"id", id}}}}};
        const auto answer = control.api("POST", "/api/v2/analytics/webhooks/summary/query", query);
        REQUIRE(answer);
        REQUIRE(answer->status == 200);
        return answer->json().at("results").at(0).at("data");
    }
};

/// The metric's stats in an analytics bucket, or null.
json::value metric(const json::value& data, std::string_view name) {
    if (data.as_array().empty())
        return nullptr;
    for (const auto& m : data.at(0).at("metrics").as_array())
        if (m.at("metric").as_string() == name)
            return m.at("stats");
    return nullptr;
}

Result<SignatureMatch> verify(const ReceivedRequest& r, const std::string& secret) {
    return verify_signed_delivery(r.headers, r.body, secret);
}

std::int64_t number(const json::object& o, std::string_view key) {
    return o.at(key).to_number<std::int64_t>();
}

} // namespace

TEST_CASE("fired events arrive signed at every enabled subscribed webhook and verify") {
    Setup s;
    const auto signed_id = s.create("signed", "/signed", "s3cret-a");
    const auto unsigned_id = s.create("unsigned", "/unsigned", std::nullopt);
    s.create("other-type", "/other", "x", {}, {"user:logout"});
    s.create("disabled", "/disabled", "x", {}, {"user:login"}, false);

    CHECK(s.control.fire_events({.event_type = "user:login", .count = 3}) == 6);
    const auto stats = s.control.wait_for_deliveries();
    CHECK(number(stats, "succeeded") == 6);
    CHECK(number(stats, "attempts") == 6);
    CHECK(number(stats, "failed") == 0);

    const auto signed_requests = s.sink.received("/signed");
    REQUIRE(signed_requests.size() == 3);
    std::set<std::string> ids;
    for (const auto& r : signed_requests) {
        CHECK(r.method == "POST");
        CHECK(r.header("Content-Type") == "application/json");
        const auto match = verify(r, "s3cret-a");
        CHECK(match);
        CHECK_FALSE(verify(r, "another"));
        CHECK(r.header("webhook-id").starts_with("msg_"));
        ids.insert(r.header("webhook-id"));
        const auto body = json::parse(r.body);
        CHECK(body.at("eventType") == "user:login");
        CHECK(body.at("actor").at("name") == "Emulated User");
        CHECK(body.at("metadata").at("webhookId").as_string() == signed_id);
    }
    CHECK(ids.size() == 3);

    const auto unsigned_requests = s.sink.received("/unsigned");
    REQUIRE(unsigned_requests.size() == 3);
    for (const auto& r : unsigned_requests) {
        CHECK(r.header("X-Hub-Signature-256").empty());
        CHECK(r.header("webhook-signature").empty());
        CHECK_FALSE(r.header("webhook-id").empty());
        CHECK(json::parse(r.body).at("metadata").at("webhookId").as_string() == unsigned_id);
    }
    CHECK(s.sink.received("/other").empty());
    CHECK(s.sink.received("/disabled").empty());

    const auto health = s.webhook(signed_id).at("health");
    CHECK(health.at("status") == "healthy");
    CHECK(health.at("consecutiveFailures") == 0);
    CHECK(metric(s.analytics(signed_id), "deliverySuccessCount").at("count") == 3);
}

TEST_CASE("a 500-answering endpoint gets maxRetries+1 attempts at the scaled interval with one "
          "webhook-id; health turns failing and analytics count every attempt") {
    Setup s({"--retry-scale", "0.05"}); // PT2S → 100 ms
    s.sink.answer("/broken", {500});
    const auto id = s.create("broken", "/broken", "s3cret",
                             {{"retryInterval", "PT2S"}, {"maxRetries", 5}});

    CHECK(s.control.fire_events({}) == 1);
    const auto stats = s.control.wait_for_deliveries();
    CHECK(number(stats, "failed") == 1);
    CHECK(number(stats, "attempts") == 6);
    CHECK(number(stats.at("webhooks").at(id).as_object(), "attempts") == 6);

    const auto requests = s.sink.received("/broken");
    REQUIRE(requests.size() == 6);
    for (std::size_t i = 0; i < requests.size(); ++i) {
        CAPTURE(i);
        CHECK(verify(requests[i], "s3cret"));
        CHECK(requests[i].header("webhook-id") == requests[0].header("webhook-id"));
        CHECK(requests[i].body == requests[0].body);
        if (i > 0) {
            const auto gap = requests[i].at - requests[i - 1].at;
            CHECK(gap >= 95ms); // 100 ms, less the sink's own read time
            CHECK(gap < 2s);
        }
    }

    const auto health = s.webhook(id).at("health");
    CHECK(health.at("status") == "failing");
    CHECK(health.at("consecutiveFailures") == 6);
    const auto data = s.analytics(id);
    CHECK(metric(data, "deliveryFailureCount").at("count") == 6);
    CHECK(metric(data, "deliverySuccessCount").is_null());
    CHECK(metric(data, "deliveryLatencyMs").at("count") == 6);
}

TEST_CASE("a delivery that fails twice then succeeds leaves the webhook healthy") {
    Setup s({"--retry-scale", "0.001"});
    s.sink.answer("/flaky", {503, 500, 200});
    const auto id = s.create("flaky", "/flaky", "s3cret");
    s.control.fire_events({});
    const auto stats = s.control.wait_for_deliveries();
    CHECK(number(stats, "succeeded") == 1);
    CHECK(number(stats, "attempts") == 3);
    CHECK(s.webhook(id).at("health").at("status") == "healthy");
    const auto data = s.analytics(id);
    CHECK(metric(data, "deliveryFailureCount").at("count") == 2);
    CHECK(metric(data, "deliverySuccessCount").at("count") == 1);
}

TEST_CASE("a retry after the secret was changed is signed with the new one, same webhook-id") {
    Setup s({"--retry-scale", "0.001"}); // PT1H → 3.6 s: time to rotate in between
    s.sink.answer("/rotating", {500, 200});
    const auto id = s.create("rotating", "/rotating", "old-secret",
                             {{"retryInterval", "PT1H"}, {"maxRetries", 1}});
    s.control.fire_events({});
    REQUIRE(s.sink.wait_for("/rotating", 1, 10s));
    s.control.drift(id, {{"secret", "new-secret"}});
    REQUIRE(s.sink.wait_for("/rotating", 2, 10s));
    s.control.wait_for_deliveries();

    const auto requests = s.sink.received("/rotating");
    REQUIRE(requests.size() == 2);
    CHECK(verify(requests[0], "old-secret"));
    CHECK(verify(requests[1], "new-secret"));
    CHECK_FALSE(verify(requests[1], "old-secret"));
    CHECK(requests[0].header("webhook-id") == requests[1].header("webhook-id"));
}

TEST_CASE("deleting a webhook drops its pending retries") {
    Setup s({"--retry-scale", "0.01"}); // PT1H → 36 s
    s.sink.answer("/doomed", {500});
    const auto id = s.create("doomed", "/doomed", "s3cret", {{"retryInterval", "PT1H"}});
    s.control.fire_events({.count = 2});
    REQUIRE(s.sink.wait_for("/doomed", 2, 10s));
    for (int i = 0; i < 500 && number(s.control.deliveries(), "attempts") < 2; ++i)
        std::this_thread::sleep_for(5ms);
    CHECK(number(s.control.deliveries(), "queued") == 2);

    REQUIRE(s.control.api("DELETE", "/api/v2/webhooks/" + id)->status == 204);
    const auto stats = s.control.wait_for_deliveries(1s);
    CHECK(number(stats, "dropped") == 2);
    CHECK(number(stats, "failed") == 0);
}

TEST_CASE("SIGTERM stops the emulator at once while deliveries hang") {
    Setup s;
    s.sink.answer("/slow", {200}, 30s);
    s.create("slow", "/slow", "s3cret");
    s.control.fire_events({.count = 40});
    REQUIRE(s.sink.wait_for("/slow", 16, 10s)); // every worker is waiting for an answer
    const auto before = Steady::now();
    CHECK(s.emulator.stop(5s) == 0);
    CHECK(Steady::now() - before < 2s);
}

TEST_CASE("the emulator sustains hundreds of signed deliveries a second") {
    Setup s;
    s.create("fast", "/fast", "s3cret");
    constexpr int kEvents = 2000;
    const auto before = Steady::now();
    CHECK(s.control.fire_events({.count = kEvents}) == kEvents);
    const auto stats = s.control.wait_for_deliveries(60s);
    const double seconds = std::chrono::duration<double>(Steady::now() - before).count();
    CHECK(number(stats, "succeeded") == kEvents);

    const auto requests = s.sink.received("/fast");
    CHECK(requests.size() == std::size_t(kEvents));
    std::set<std::string> ids;
    for (const auto& r : requests)
        ids.insert(r.header("webhook-id"));
    CHECK(ids.size() == std::size_t(kEvents));
    MESSAGE(kEvents << " deliveries in " << seconds << " s: " << kEvents / seconds
                    << " deliveries/s (concurrency 16, sink and emulator on this machine)");
    CHECK(kEvents / seconds > 100);
}
