// The delivery queue without a network: events fan out to subscribed
// webhooks, failures are retried on the scaled retryPolicy with one
// webhook-id, every attempt lands in the tenant's analytics and health, and
// deletion, reset and stop drop what is pending. The sender is a function
// that records what it is given and answers from a script.
#include "tests/emulator/emulator_delivery_queue.hpp"
#include "tests/support/delivery_verification.hpp"
#include "tests/support/doctest_result.hpp"

#include <boost/json.hpp>
#include <condition_variable>
#include <set>

using namespace hookwarden;
using namespace hookwarden::emulator;
using namespace std::chrono_literals;
namespace json = boost::json;
using Steady = std::chrono::steady_clock;

namespace {

/// What the sender was given, and when.
struct Sent {
    DeliveryRequest request;
    Steady::time_point at;

    std::string header(std::string_view name) const {
        for (const auto& [key, value] : request.headers)
            if (key == name)
                return value;
        return {};
    }
    json::value body() const { return json::parse(request.body); }
};

/// A scripted set of endpoints: each URL answers its statuses in order (the
/// last repeated; nullopt = no answer), 200 when unscripted.
class Endpoints {
  public:
    void script(const std::string& url, std::vector<std::optional<int>> answers) {
        std::lock_guard lock(mutex_);
        scripts_[url] = std::move(answers);
    }
    /// Runs before answering the n-th (0-based) request to `url`.
    void on_request(std::function<void(const std::string& url, std::size_t n)> hook) {
        std::lock_guard lock(mutex_);
        hook_ = std::move(hook);
    }
    DeliverySender sender() {
        return [this](const DeliveryRequest& request) { return answer(request); };
    }
    std::vector<Sent> sent(const std::string& url) const {
        std::lock_guard lock(mutex_);
        std::vector<Sent> out;
        for (const auto& s : sent_)
            if (s.request.endpoint_url == url)
                out.push_back(s);
        return out;
    }
    std::size_t count(const std::string& url) const { return sent(url).size(); }

  private:
    DeliveryAnswer answer(const DeliveryRequest& request) {
        std::function<void(const std::string&, std::size_t)> hook;
        std::size_t n = 0;
        std::optional<int> status = 200;
        {
            std::lock_guard lock(mutex_);
            n = std::size_t(std::count_if(sent_.begin(), sent_.end(), [&](const Sent& s) {
                return s.request.endpoint_url == request.endpoint_url;
            }));
            sent_.push_back({request, Steady::now()});
            if (auto it = scripts_.find(request.endpoint_url); it != scripts_.end())
                status = it->second[std::min(n, it->second.size() - 1)];
            hook = hook_;
        }
        if (hook)
            hook(request.endpoint_url, n);
        if (!status)
            return {std::nullopt, "connection refused"};
        return {status, {}};
    }

    mutable std::mutex mutex_;
    std::vector<Sent> sent_;
    std::map<std::string, std::vector<std::optional<int>>> scripts_;
    std::function<void(const std::string&, std::size_t)> hook_;
};

Webhook webhook(std::string name, std::vector<std::string> types, std::string secret = "s3cret",
                RetryPolicy policy = {"PT2S", 3}) {
    Webhook w;
    w.name = std::move(name);
    w.event_types = std::move(types);
    w.endpoint_url = "https://example.com/" + w.name;
    w.retry_policy = std::move(policy);
    if (!secret.empty())
        w.secret = std::move(secret);
    return w;
}

std::string url_of(const std::string& name) {
    return "https://example.com/" + name;
}

/// The webhook's analytics over the last hour and the next.
MetricBucket analytics(const Tenant& tenant, const std::string& id) {
    const TimePoint now = tenant.now();
    const auto buckets = summarize(tenant.deliveries(id), {now - 1h, now + 1h}, std::nullopt);
    return buckets.empty() ? MetricBucket{} : buckets.front();
}

bool verifies(const Sent& sent, const std::string& secret) {
    return bool(test::verify_signed_delivery(sent.request.headers, sent.request.body, secret));
}

} // namespace

TEST_CASE("each event reaches every enabled webhook subscribed to its type, once") {
    Tenant tenant;
    Endpoints endpoints;
    const auto a = tenant.create(webhook("a", {"user:login"}), ui_actor()).value();
    const auto b = tenant.create(webhook("b", {"user:logout", "user:login"}), ui_actor()).value();
    tenant.create(webhook("c", {"user:logout"}), ui_actor()).value();
    auto d = webhook("d", {"user:login"});
    d.enabled = false;
    tenant.create(d, ui_actor()).value();

    DeliveryQueue queue(tenant, endpoints.sender(), {.retry_scale = 0.001, .concurrency = 4});
    CHECK(queue.fire({"user:login", 2, {}}) == 4);
    REQUIRE(queue.wait_idle(10s));

    CHECK(endpoints.count(url_of("a")) == 2);
    CHECK(endpoints.count(url_of("b")) == 2);
    CHECK(endpoints.count(url_of("c")) == 0);
    CHECK(endpoints.count(url_of("d")) == 0);

    std::set<std::string> message_ids;
    std::set<std::int64_t> sequences;
    for (const auto& [name, id] : {std::pair{"a", a.id}, std::pair{"b", b.id}}) {
        for (const auto& sent : endpoints.sent(url_of(name))) {
            CHECK(sent.body().at("metadata").at("webhookId").as_string() == id);
            CHECK(sent.header("webhook-id").starts_with("msg_"));
            CHECK(verifies(sent, "s3cret"));
            message_ids.insert(sent.header("webhook-id"));
            sequences.insert(sent.body().at("metadata").at("sequence").as_int64());
        }
    }
    CHECK(message_ids.size() == 4);                 // unique per event and webhook
    CHECK(sequences == std::set<std::int64_t>{1, 2}); // one per event, shared by its webhooks

    const auto stats = queue.stats();
    CHECK(stats.total.succeeded == 4);
    CHECK(stats.total.attempts == 4);
    CHECK(stats.total.failed == 0);
    CHECK(stats.webhooks.at(a.id).succeeded == 2);
    CHECK(tenant.webhook(a.id)->health.status == "healthy");
    CHECK(analytics(tenant, a.id).success_count == 2);
    CHECK(analytics(tenant, a.id).latency_count == 2);
}

TEST_CASE("a failing endpoint gets maxRetries+1 attempts at the scaled interval, one webhook-id, "
          "and turns the webhook failing") {
    Tenant tenant;
    Endpoints endpoints;
    endpoints.script(url_of("a"), {500});
    const auto a = tenant.create(webhook("a", {"user:login"}, "s3cret", {"PT2S", 3}), ui_actor()).value();

    // PT2S × 0.025 = 50 ms between attempts.
    DeliveryQueue queue(tenant, endpoints.sender(), {.retry_scale = 0.025, .concurrency = 2});
    CHECK(queue.fire({"user:login", 1, {}}) == 1);
    REQUIRE(queue.wait_idle(10s));

    const auto sent = endpoints.sent(url_of("a"));
    REQUIRE(sent.size() == 4);
    for (std::size_t i = 1; i < sent.size(); ++i) {
        CHECK(sent[i].at - sent[i - 1].at >= 50ms);
        CHECK(sent[i].at - sent[i - 1].at < 2s);
        CHECK(sent[i].header("webhook-id") == sent[0].header("webhook-id"));
        CHECK(sent[i].request.body == sent[0].request.body); // serialized once
        CHECK(verifies(sent[i], "s3cret"));
    }

    const auto stats = queue.stats();
    CHECK(stats.total.failed == 1);
    CHECK(stats.total.succeeded == 0);
    CHECK(stats.total.attempts == 4);
    const auto health = tenant.webhook(a.id)->health;
    CHECK(health.status == "failing"); // none ever succeeded
    CHECK(health.consecutive_failures == 4);
    CHECK_FALSE(health.last_delivery_at.empty());
    const auto bucket = analytics(tenant, a.id);
    CHECK(bucket.failure_count == 4);
    CHECK(bucket.success_count == 0);
    CHECK(bucket.latency_count == 4);
}

TEST_CASE("zero maxRetries means one attempt, logged as the only one") {
    Tenant tenant;
    Endpoints endpoints;
    endpoints.script(url_of("a"), {503});
    tenant.create(webhook("a", {"user:login"}, "s3cret", {"PT1S", 0}), ui_actor()).value();
    std::mutex mutex;
    std::vector<std::string> lines;
    DeliveryQueue queue(tenant, endpoints.sender(),
                        {.retry_scale = 0.001,
                         .concurrency = 1,
                         .log = [&](const std::string& line) {
                             std::lock_guard lock(mutex);
                             lines.push_back(line);
                         }});
    queue.fire({"user:login", 1, {}});
    REQUIRE(queue.wait_idle(10s));
    CHECK(endpoints.count(url_of("a")) == 1);
    CHECK(queue.stats().total.failed == 1);
    std::lock_guard lock(mutex);
    REQUIRE(lines.size() == 1);
    const std::string id = endpoints.sent(url_of("a")).front().header("webhook-id");
    CHECK(lines[0].starts_with("delivery " + id + " to https://example.com/a: 503 in "));
    CHECK(lines[0].ends_with("ms, attempt 1 of 1"));
}

TEST_CASE("a delivery that succeeds on a retry leaves the webhook healthy, its failed attempts "
          "counted") {
    Tenant tenant;
    Endpoints endpoints;
    endpoints.script(url_of("a"), {503, std::nullopt, 204});
    const auto a = tenant.create(webhook("a", {"user:login"}), ui_actor()).value();
    DeliveryQueue queue(tenant, endpoints.sender(), {.retry_scale = 0.001, .concurrency = 2});
    queue.fire({"user:login", 1, {}});
    REQUIRE(queue.wait_idle(10s));

    CHECK(endpoints.count(url_of("a")) == 3);
    const auto stats = queue.stats();
    CHECK(stats.total.succeeded == 1);
    CHECK(stats.total.failed == 0);
    CHECK(stats.total.attempts == 3);
    CHECK(tenant.webhook(a.id)->health.status == "healthy");
    const auto bucket = analytics(tenant, a.id);
    CHECK(bucket.success_count == 1);
    CHECK(bucket.failure_count == 2);
    CHECK(bucket.latency_count == 2); // the attempt without an answer has no latency
}

TEST_CASE("a retry after a secret rotation is signed with the new secret, same webhook-id") {
    Tenant tenant;
    Endpoints endpoints;
    endpoints.script(url_of("a"), {500, 200});
    const auto a = tenant.create(webhook("a", {"user:login"}, "old-secret"), ui_actor()).value();
    endpoints.on_request([&](const std::string&, std::size_t n) {
        if (n == 0) // the tenant rotates while the first attempt is out
            tenant
                .modify(a.id, ui_actor(),
                        [](Webhook& w) -> Result<void> {
                            w.secret = "new-secret";
                            return {};
                        })
                .value();
    });
    DeliveryQueue queue(tenant, endpoints.sender(), {.retry_scale = 0.001, .concurrency = 1});
    queue.fire({"user:login", 1, {}});
    REQUIRE(queue.wait_idle(10s));

    const auto sent = endpoints.sent(url_of("a"));
    REQUIRE(sent.size() == 2);
    CHECK(verifies(sent[0], "old-secret"));
    CHECK_FALSE(verifies(sent[1], "old-secret"));
    CHECK(verifies(sent[1], "new-secret"));
    CHECK(sent[0].header("webhook-id") == sent[1].header("webhook-id"));
}

TEST_CASE("deleting a webhook drops its pending retries; disabling one stops them too") {
    Tenant tenant;
    Endpoints endpoints;
    endpoints.script(url_of("deleted"), {500});
    endpoints.script(url_of("disabled"), {500});
    // PT1H × 0.05 = 3 minutes: the retry is still pending when the webhook goes.
    const auto deleted =
        tenant.create(webhook("deleted", {"user:login"}, "s", {"PT1H", 3}), ui_actor()).value();
    // PT1S × 0.05 = 50 ms: the retry finds the webhook disabled.
    const auto disabled =
        tenant.create(webhook("disabled", {"user:login"}, "s", {"PT1S", 3}), ui_actor()).value();

    DeliveryQueue queue(tenant, endpoints.sender(), {.retry_scale = 0.05, .concurrency = 2});
    endpoints.on_request([&](const std::string& url, std::size_t n) {
        if (url == url_of("disabled") && n == 0)
            tenant
                .modify(disabled.id, ui_actor(),
                        [](Webhook& w) -> Result<void> {
                            w.enabled = false;
                            return {};
                        })
                .value();
    });
    CHECK(queue.fire({"user:login", 1, {}}) == 2);
    for (int i = 0; i < 500 && queue.stats().total.attempts < 2; ++i)
        std::this_thread::sleep_for(2ms);
    REQUIRE(queue.stats().total.attempts == 2);
    REQUIRE(queue.stats().queued == 1); // the deleted one's retry, minutes away

    tenant.remove(deleted.id, ui_actor()).value();
    queue.drop_webhook(deleted.id);
    REQUIRE(queue.wait_idle(1s));
    std::this_thread::sleep_for(100ms);

    CHECK(endpoints.count(url_of("deleted")) == 1);
    CHECK(endpoints.count(url_of("disabled")) == 1);
    const auto stats = queue.stats();
    CHECK(stats.dropped == 2);
    CHECK(stats.total.failed == 0);
    CHECK(stats.total.attempts == 2);
}

TEST_CASE("reset forgets pending deliveries and every count") {
    Tenant tenant;
    Endpoints endpoints;
    endpoints.script(url_of("a"), {500});
    tenant.create(webhook("a", {"user:login"}, "s", {"PT1H", 3}), ui_actor()).value();
    DeliveryQueue queue(tenant, endpoints.sender(), {.retry_scale = 1, .concurrency = 1});
    queue.fire({"user:login", 3, {}});
    for (int i = 0; i < 500 && queue.stats().total.attempts < 3; ++i)
        std::this_thread::sleep_for(2ms);
    CHECK(queue.stats().queued == 3); // three retries an hour away

    queue.reset();
    const auto stats = queue.stats();
    CHECK(stats.queued == 0);
    CHECK(stats.total.attempts == 0);
    CHECK(stats.webhooks.empty());
    CHECK(queue.wait_idle(1s));

    queue.fire({"user:login", 1, {}});
    REQUIRE(endpoints.count(url_of("a")) >= 3);
    for (int i = 0; i < 500 && queue.stats().total.attempts < 1; ++i)
        std::this_thread::sleep_for(2ms);
    const auto last = endpoints.sent(url_of("a")).back();
    CHECK(last.body().at("metadata").at("sequence") == 1); // sequences start again
}

TEST_CASE("stop returns at once, drops what is pending and records nothing more") {
    Tenant tenant;
    std::mutex mutex;
    std::condition_variable released;
    bool release = false;
    std::atomic<int> calls{0};
    const auto a = tenant.create(webhook("a", {"user:login"}), ui_actor()).value();
    {
        DeliveryQueue queue(
            tenant,
            [&](const DeliveryRequest&) {
                ++calls;
                std::unique_lock lock(mutex);
                released.wait(lock, [&] { return release; });
                return DeliveryAnswer{200, {}};
            },
            {.retry_scale = 1, .concurrency = 1});
        queue.fire({"user:login", 5, {}});
        for (int i = 0; i < 500 && calls == 0; ++i)
            std::this_thread::sleep_for(2ms);

        const auto before = Steady::now();
        queue.stop();
        CHECK(Steady::now() - before < 100ms);
        CHECK(queue.stats().queued == 0);
        {
            std::lock_guard lock(mutex);
            release = true; // what the program does by cancelling its HTTPS client
        }
        released.notify_all();
    } // joins
    CHECK(calls == 1);
    CHECK(tenant.deliveries(a.id).empty()); // the abandoned attempt is not recorded
}

TEST_CASE("the control plane fires events and reports deliveries") {
    Tenant tenant;
    Endpoints endpoints;
    endpoints.script(url_of("b"), {500});
    const auto a = tenant.create(webhook("a", {"user:login"}), ui_actor()).value();
    const auto b = tenant.create(webhook("b", {"user:login"}, "", {"PT1S", 1}), ui_actor()).value();
    DeliveryQueue queue(tenant, endpoints.sender(), {.retry_scale = 0.001, .concurrency = 2});
    Router router(tenant, &queue);
    const auto send = [&](std::string method, std::string target, std::string body = {}) {
        return router.handle({std::move(method), std::move(target), {}, std::move(body), true});
    };

    const auto fired = send("POST", "/_emulator/events",
                            R"({"eventType": "user:login", "count": 2, "event": {"actor": null}})");
    CHECK(fired.status == 202);
    CHECK(json::parse(fired.body) == json::parse(R"({"queued": 4})"));
    REQUIRE(queue.wait_idle(10s));
    for (const auto& sent : endpoints.sent(url_of("a")))
        CHECK(sent.body().at("actor").is_null());
    CHECK(endpoints.sent(url_of("b")).front().header("X-Hub-Signature-256").empty()); // no secret

    const auto answer = send("GET", "/_emulator/deliveries");
    CHECK(answer.status == 200);
    json::object expected{{"queued", 0},    {"inFlight", 0}, {"succeeded", 2},
                          {"failed", 2},    {"attempts", 6}, {"dropped", 0}};
    expected["webhooks"] = json::object{
        {a.id, json::object{{"succeeded", 2}, {"failed", 0}, {"attempts", 2}}},
        {b.id, json::object{{"succeeded", 0}, {"failed", 2}, {"attempts", 4}}}};
    CHECK(json::parse(answer.body) == expected);

    SUBCASE("bad firings are refused, naming the problem") {
        for (const char* body : {R"({"count": 1})", R"({"eventType": ""})",
                                 R"({"eventType": "user:login", "count": 0})",
                                 R"({"eventType": "user:login", "count": 100001})",
                                 R"({"eventType": "user:login", "event": []})",
                                 R"({"eventType": "user:login", "evnt": {}})", "[]"}) {
            CAPTURE(body);
            CHECK(send("POST", "/_emulator/events", body).status == 400);
        }
        CHECK(send("GET", "/_emulator/events").status == 405);
        CHECK(send("POST", "/_emulator/deliveries").status == 405);
    }
    SUBCASE("reset clears the deliveries too") {
        CHECK(send("POST", "/_emulator/reset").status == 204);
        CHECK(json::parse(send("GET", "/_emulator/deliveries").body) ==
              json::parse(R"({"queued": 0, "inFlight": 0, "succeeded": 0, "failed": 0,
                              "attempts": 0, "dropped": 0, "webhooks": {}})"));
    }
    SUBCASE("without a queue the calls answer 501") {
        Router bare(tenant);
        CHECK(bare.handle({"GET", "/_emulator/deliveries", {}, {}, true}).status == 501);
    }
}
