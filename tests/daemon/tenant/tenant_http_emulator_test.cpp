// The tenant client over real TLS against the tenant emulator: auth, every
// fault kind, paging, certificate checks and version conflicts, observed
// through the emulator's own counters and state (never through the client).
#include "tests/support/doctest_result.hpp"
#include "daemon/tenant/tenant_http.hpp"
#include "tests/support/emulator_client.hpp"
#include "tests/support/emulator_control.hpp"
#include "tests/support/emulator_process.hpp"
#include "tests/support/scratch_dir.hpp"

#include <boost/json/value.hpp>

#include <arpa/inet.h>
#include <netdb.h>
#include <unistd.h>

#include <atomic>
#include <thread>

using namespace hookwarden;
using namespace std::chrono_literals;
namespace json = boost::json;
using steady = std::chrono::steady_clock;

namespace {

TenantHttpOptions options_for(const test::EmulatorProcess& emulator) {
    TenantHttpOptions o = test::tenant_options_for(emulator);
    o.requests_per_minute = 6000;
    o.connect_timeout = 2s;
    o.request_timeout = 5s;
    o.backoff_base = 50ms;
    o.backoff_cap = 400ms;
    return o;
}

std::unique_ptr<TenantHttp> make_client(TenantHttpOptions options) {
    auto made = TenantHttp::create(std::move(options));
    REQUIRE(made);
    return std::move(*made);
}

// An emulator (generous rate limit unless told otherwise), its control plane
// and a client for it.
struct Live {
    explicit Live(std::vector<std::string> args = {"--rpm", "6000", "--quiet"},
                  const std::function<void(TenantHttpOptions&)>& tweak = {})
        : emulator(std::move(args)), control(emulator) {
        auto options = options_for(emulator);
        if (tweak)
            tweak(options);
        tenant = make_client(std::move(options));
    }

    std::int64_t counter(const char* name) { return control.counters().at(name).to_number<std::int64_t>(); }
    std::int64_t status_count(int status) {
        const auto counters = control.counters();
        const auto* n = counters.at("statuses").as_object().if_contains(std::to_string(status));
        return n ? n->to_number<std::int64_t>() : 0;
    }

    test::EmulatorProcess emulator;
    test::EmulatorControl control;
    std::unique_ptr<TenantHttp> tenant;
};

Webhook sample(const std::string& name) {
    Webhook w;
    w.name = name;
    w.event_types = {"user:login"};
    w.endpoint_url = "https://example.com/hooks/" + name;
    w.secret = "0123456789abcdef0123456789abcdef";
    return w;
}

void insert(test::EmulatorControl& control, int count) {
    for (int i = 0; i < count; ++i)
        control.insert_webhook(sample("hook-" + std::to_string(i)));
}

double seconds_since(steady::time_point start) {
    return std::chrono::duration<double>(steady::now() - start).count();
}

} // namespace

TEST_CASE("one access token serves many calls") {
    Live live;
    for (int i = 0; i < 10; ++i)
        REQUIRE(live.tenant->list_webhooks());
    CHECK(live.counter("tokensIssued") == 1);
    CHECK(live.control.request_count("POST /oauth/token") == 1);
    CHECK(live.control.request_count("GET /api/v2/webhooks") == 10);
}

TEST_CASE("concurrent callers share one token and a few kept-alive connections") {
    Live live;
    const auto connections_before = live.counter("connections");
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    threads.reserve(8);
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 10; ++i)
                if (live.tenant->list_webhooks())
                    ++ok;
        });
    for (auto& t : threads)
        t.join();
    CHECK(ok == 80);
    CHECK(live.counter("tokensIssued") == 1);
    // At most `concurrency` (4) connections for the API plus the token's.
    CHECK(live.counter("connections") - connections_before <= 5);
}

TEST_CASE("an expiring token is replaced before the tenant refuses it") {
    Live live({"--rpm", "6000", "--quiet", "--token-lifetime", "2"});
    REQUIRE(live.tenant->list_webhooks());
    REQUIRE(live.tenant->list_webhooks());
    CHECK(live.counter("tokensIssued") == 1);
    std::this_thread::sleep_for(1100ms); // past half its life: refreshed early
    REQUIRE(live.tenant->list_webhooks());
    CHECK(live.counter("tokensIssued") == 2);
    CHECK(live.status_count(401) == 0);
}

TEST_CASE("a revoked token costs one refresh and the call still succeeds") {
    Live live;
    REQUIRE(live.tenant->list_webhooks());
    live.control.revoke_tokens();
    REQUIRE(live.tenant->list_webhooks());
    CHECK(live.counter("tokensIssued") == 2);
    CHECK(live.status_count(401) == 1);
    CHECK(live.control.request_count("GET /api/v2/webhooks") == 3);
}

TEST_CASE("wrong credentials are unauthorized, naming the client id and never the secret") {
    Live live({"--rpm", "6000", "--quiet"}, [](TenantHttpOptions& o) { o.client_secret = "not-the-secret-XYZ"; });
    auto got = live.tenant->list_webhooks();
    REQUIRE_FALSE(got);
    CHECK(got.error().kind == ErrorKind::unauthorized);
    CHECK(got.error().context.http_status == 401);
    CHECK(got.error().describe().find("demo-client") != std::string::npos);
    CHECK(got.error().describe().find("not-the-secret-XYZ") == std::string::npos);
    CHECK(live.control.request_count("POST /oauth/token") == 1);
    CHECK(live.control.request_count("GET /api/v2/webhooks") == 0);
}

TEST_CASE("a 503 on a read is retried until it succeeds") {
    Live live;
    live.control.add_fault({.method = "GET", .path = "^/api/v2/webhooks$", .action = "status", .count = 2, .status = 503});
    REQUIRE(live.tenant->list_webhooks());
    CHECK(live.control.request_count("GET /api/v2/webhooks") == 3);
    CHECK(live.tenant->counters().retries == 2);
}

TEST_CASE("a 501 is never retried") {
    Live live;
    live.control.add_fault({.method = "GET", .path = "^/api/v2/webhooks$", .action = "status", .count = 1, .status = 501});
    auto got = live.tenant->list_webhooks();
    REQUIRE_FALSE(got);
    CHECK(got.error().kind == ErrorKind::tenant);
    CHECK(got.error().context.http_status == 501);
    CHECK(live.control.request_count("GET /api/v2/webhooks") == 1);
}

TEST_CASE("a connection reset on a read is retried") {
    Live live;
    live.control.add_fault({.method = "GET", .path = "^/api/v2/webhooks$", .action = "reset", .count = 1});
    REQUIRE(live.tenant->list_webhooks());
    CHECK(live.tenant->counters().transport_failures == 1);
}

TEST_CASE("a hanging tenant times out and the read is retried") {
    Live live({"--rpm", "6000", "--quiet"}, [](TenantHttpOptions& o) { o.request_timeout = 400ms; });
    live.control.add_fault({.method = "GET", .path = "^/api/v2/webhooks$", .action = "hang", .count = 1, .seconds = 3.0});
    const auto start = steady::now();
    REQUIRE(live.tenant->list_webhooks());
    CHECK(seconds_since(start) < 2.5);
    CHECK(live.tenant->counters().transport_failures == 1);
}

TEST_CASE("a tenant that keeps hanging is a timeout error after the last attempt") {
    Live live({"--rpm", "6000", "--quiet"}, [](TenantHttpOptions& o) {
        o.request_timeout = 300ms;
        o.max_attempts = 2;
    });
    live.control.add_fault({.method = "GET", .path = "^/api/v2/webhooks$", .action = "hang", .count = 5, .seconds = 2.0});
    auto got = live.tenant->list_webhooks();
    REQUIRE_FALSE(got);
    CHECK(got.error().kind == ErrorKind::timeout);
    CHECK(got.error().context.attempts == 2);
    CHECK(got.error().context.operation == "GET /api/v2/webhooks");
}

TEST_CASE("garbage JSON from the tenant is an error with context, not a crash") {
    Live live;
    live.control.add_fault({.method = "GET", .path = "^/api/v2/webhooks$", .action = "malformed", .count = 1});
    auto got = live.tenant->list_webhooks();
    REQUIRE_FALSE(got);
    CHECK(got.error().kind == ErrorKind::transport);
    CHECK(got.error().context.operation == "GET /api/v2/webhooks");
    CHECK(got.error().context.http_status == 200);
    CHECK(got.error().message.find("not JSON") != std::string::npos);
    CHECK(live.tenant->list_webhooks()); // the next call is fine
}

TEST_CASE("a 429 with Retry-After pauses the client that long, then the call succeeds") {
    Live live;
    live.control.add_fault({.method = "GET", .path = "^/api/v2/webhooks$", .action = "status", .count = 1,
                            .status = 429, .retry_after = 1});
    const auto start = steady::now();
    REQUIRE(live.tenant->list_webhooks());
    CHECK(seconds_since(start) >= 1.0);
    CHECK(live.tenant->counters().rate_limited == 1);
}

TEST_CASE("a 429 without Retry-After pauses 3 seconds") {
    Live live;
    live.control.add_fault({.method = "GET", .path = "^/api/v2/webhooks$", .action = "status", .count = 1, .status = 429});
    const auto start = steady::now();
    REQUIRE(live.tenant->list_webhooks());
    CHECK(seconds_since(start) >= 3.0);
    CHECK(seconds_since(start) < 4.5);
}

TEST_CASE("a 429 demanding more than 180 seconds fails at once with a clear message") {
    Live live;
    live.control.add_fault({.method = "GET", .path = "^/api/v2/webhooks$", .action = "status", .count = 1,
                            .status = 429, .retry_after = 600});
    const auto start = steady::now();
    auto got = live.tenant->list_webhooks();
    REQUIRE_FALSE(got);
    CHECK(got.error().kind == ErrorKind::rate_limited);
    CHECK(got.error().message.find("600 s") != std::string::npos);
    CHECK(seconds_since(start) < 1.0);
}

TEST_CASE("a create answered 429 is sent again and made once") {
    Live live;
    live.control.add_fault({.method = "POST", .path = "^/api/v2/webhooks$", .action = "status", .count = 1,
                            .status = 429, .retry_after = 1});
    auto created = live.tenant->create_webhook(sample("monitor"));
    REQUIRE(created);
    CHECK(live.control.request_count("POST /api/v2/webhooks") == 2);
    CHECK(live.control.webhooks().size() == 1);
}

TEST_CASE("a create whose answer is lost after the commit is outcome_unknown and exists exactly once") {
    Live live;
    live.control.add_fault({.method = "POST", .path = "^/api/v2/webhooks$", .action = "commit-then-reset", .count = 1});
    auto created = live.tenant->create_webhook(sample("monitor"));
    REQUIRE_FALSE(created);
    CHECK(created.error().kind == ErrorKind::outcome_unknown);
    CHECK(created.error().context.webhook == "monitor");
    CHECK(live.control.request_count("POST /api/v2/webhooks") == 1);
    CHECK(live.control.webhooks().size() == 1);
    // The caller's next move, looking the name up, finds it.
    auto found = live.tenant->search_webhooks("monitor");
    REQUIRE(found);
    CHECK(found->size() == 1);
}

TEST_CASE("a create answered 503 is outcome_unknown and never sent twice") {
    Live live;
    live.control.add_fault({.method = "POST", .path = "^/api/v2/webhooks$", .action = "status", .count = 1, .status = 503});
    auto created = live.tenant->create_webhook(sample("monitor"));
    REQUIRE_FALSE(created);
    CHECK(created.error().kind == ErrorKind::outcome_unknown);
    CHECK(created.error().context.http_status == 503);
    CHECK(live.control.request_count("POST /api/v2/webhooks") == 1);
}

TEST_CASE("a create reset before processing is outcome_unknown too: the client cannot tell") {
    Live live;
    live.control.add_fault({.method = "POST", .path = "^/api/v2/webhooks$", .action = "reset", .count = 1});
    auto created = live.tenant->create_webhook(sample("monitor"));
    REQUIRE_FALSE(created);
    CHECK(created.error().kind == ErrorKind::outcome_unknown);
    CHECK(live.control.webhooks().empty());
}

TEST_CASE("the list walks every page at 0, 100, 101 and 250 webhooks") {
    struct Case {
        int webhooks;
        int pages;
    };
    for (const Case& c : {Case{0, 1}, Case{100, 1}, Case{101, 2}, Case{250, 3}}) {
        CAPTURE(c.webhooks);
        Live live;
        insert(live.control, c.webhooks);
        auto all = live.tenant->list_webhooks();
        REQUIRE(all);
        REQUIRE(all->size() == static_cast<std::size_t>(c.webhooks));
        for (int i = 0; i < c.webhooks; ++i)
            REQUIRE((*all)[i].name == "hook-" + std::to_string(i)); // creation order
        CHECK(live.control.request_count("GET /api/v2/webhooks") == c.pages);
    }
}

TEST_CASE("a certificate from an untrusted CA is a transport error naming host and reason") {
    test::EmulatorProcess emulator({"--rpm", "6000", "--quiet"});
    test::EmulatorProcess stranger({"--rpm", "6000", "--quiet"}); // its CA is not the emulator's
    for (const std::string& ca : {std::string(), stranger.ca_file().string()}) {
        auto options = options_for(emulator);
        options.ca_file = ca; // empty: the system store only
        auto tenant = make_client(options);
        auto got = tenant->list_webhooks();
        REQUIRE_FALSE(got);
        CHECK(got.error().kind == ErrorKind::transport);
        CHECK(got.error().message.find("127.0.0.1:" + std::to_string(emulator.port())) != std::string::npos);
        CHECK(got.error().message.find("certificate") != std::string::npos);
        CHECK(got.error().message.find("unable to get local issuer certificate") != std::string::npos);
        CHECK(tenant->counters().requests_sent == 1); // not retried
    }
    test::EmulatorControl control(emulator);
    CHECK(control.request_count("POST /oauth/token") == 0);
}

TEST_CASE("a certificate for another address is rejected even from the trusted CA") {
    // The emulator's certificate names 127.0.0.1, ::1 and localhost only.
    std::unique_ptr<test::EmulatorProcess> emulator;
    try {
        emulator = std::make_unique<test::EmulatorProcess>(std::vector<std::string>{"--rpm", "6000", "--quiet", "--listen", "127.0.0.2"});
    } catch (const std::exception& e) {
        FAIL("cannot listen on 127.0.0.2 here: " << e.what());
    }
    auto tenant = make_client(options_for(*emulator));
    auto got = tenant->list_webhooks();
    REQUIRE_FALSE(got);
    CHECK(got.error().kind == ErrorKind::transport);
    CHECK(got.error().message.find("127.0.0.2") != std::string::npos);
    CHECK(got.error().message.find("IP address mismatch") != std::string::npos);
}

TEST_CASE("a certificate for another host name is rejected even from the trusted CA") {
    // This machine's own name, when it resolves to 127.0.0.1, reaches the
    // emulator, whose certificate names 127.0.0.1, ::1 and localhost only.
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    addrinfo hints{};
    hints.ai_family = AF_INET;
    addrinfo* found = nullptr;
    bool loopback = false;
    if (std::string(name) != "localhost" && ::getaddrinfo(name, nullptr, &hints, &found) == 0) {
        const auto* address = reinterpret_cast<const sockaddr_in*>(found->ai_addr);
        loopback = address->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
        ::freeaddrinfo(found);
    }
    if (!loopback) {
        MESSAGE("skipped: the host name '" << name << "' does not resolve to 127.0.0.1 here");
        return;
    }
    test::EmulatorProcess emulator({"--rpm", "6000", "--quiet"});
    auto options = options_for(emulator);
    options.api_base = "https://" + std::string(name) + ":" + std::to_string(emulator.port());
    options.token_url = options.api_base + "/oauth/token";
    auto tenant = make_client(options);
    auto got = tenant->list_webhooks();
    REQUIRE_FALSE(got);
    CHECK(got.error().kind == ErrorKind::transport);
    CHECK(got.error().message.find(std::string(name) + ":") != std::string::npos);
    CHECK(got.error().message.find("hostname mismatch") != std::string::npos);
}

TEST_CASE("a stale version on update is a version mismatch") {
    Live live;
    auto created = live.tenant->create_webhook(sample("monitor"));
    REQUIRE(created);
    live.control.drift(created->id, json::object{{"enabled", false}}); // someone in the UI
    auto stale = *created;
    stale.endpoint_url = "https://example.com/changed";
    auto updated = live.tenant->update_webhook(stale);
    REQUIRE_FALSE(updated);
    CHECK(updated.error().kind == ErrorKind::version_mismatch);
    CHECK(updated.error().context.webhook == "monitor");
    CHECK(updated.error().context.operation == "PUT /api/v2/webhooks/{id}");
    CHECK(live.control.request_count("PUT /api/v2/webhooks/{id}") == 1);
    // With the version read now it goes through.
    auto fresh = live.tenant->get_webhook(created->id);
    REQUIRE(fresh);
    stale.version = fresh->version;
    auto retried = live.tenant->update_webhook(stale);
    REQUIRE(retried);
    CHECK(retried->endpoint_url == "https://example.com/changed");
}

TEST_CASE("an unknown id is not_found with the tenant's contextId and correlation id") {
    Live live;
    auto got = live.tenant->get_webhook("00000000-0000-0000-0000-000000000000");
    REQUIRE_FALSE(got);
    CHECK(got.error().kind == ErrorKind::not_found);
    CHECK(got.error().context.http_status == 404);
    CHECK_FALSE(got.error().context.context_id.empty());
    CHECK_FALSE(got.error().context.correlation_id.empty());
    auto gone = live.tenant->delete_webhook("00000000-0000-0000-0000-000000000000");
    REQUIRE_FALSE(gone);
    CHECK(gone.error().kind == ErrorKind::not_found);
}

// Found by the randomized convergence test (seed 11): an answer the API did
// not write (the emulator's `malformed` fault deletes nothing) was taken
// as a confirmed delete, and the webhook was left behind, no longer owned.
TEST_CASE("a delete answered 200 with a body that is not JSON is not taken as done") {
    Live live;
    const auto made = live.control.insert_webhook(sample("monitor"));
    live.control.add_fault({.method = "DELETE", .path = "^/api/v2/webhooks/[^/]+$", .action = "malformed"});
    auto gone = live.tenant->delete_webhook(made.id);
    REQUIRE_FALSE(gone);
    CHECK(gone.error().kind == ErrorKind::outcome_unknown);
    CHECK(gone.error().context.http_status == 200);
    CHECK(gone.error().message.find("whether it was deleted is unknown") != std::string::npos);
    CHECK(live.control.webhooks().size() == 1);
    CHECK(live.tenant->delete_webhook(made.id)); // 204: done
    CHECK(live.control.webhooks().empty());

    const std::string trigger = live.control.insert_trigger(
        {{"name", "t"},
         {"topicName", "v2.users.{id}.presence"},
         {"target", {{"type", "Workflow"}, {"id", "5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8b"}}},
         {"enabled", true}});
    live.control.add_fault(
        {.method = "DELETE", .path = "^/api/v2/processautomation/triggers/[^/]+$", .action = "malformed"});
    auto trigger_gone = live.tenant->delete_trigger(trigger);
    REQUIRE_FALSE(trigger_gone);
    CHECK(trigger_gone.error().kind == ErrorKind::outcome_unknown);
    CHECK(live.control.triggers().size() == 1);
}

TEST_CASE("create, read, update and delete round-trip; an echoed secret is kept") {
    Live live({"--rpm", "6000", "--quiet", "--echo-secrets"});
    auto created = live.tenant->create_webhook(sample("monitor"));
    REQUIRE(created);
    CHECK(created->version == 1);
    CHECK(created->secret == "0123456789abcdef0123456789abcdef");
    auto read = live.tenant->get_webhook(created->id);
    REQUIRE(read);
    CHECK(read->name == "monitor");
    auto change = *read;
    change.secret.reset(); // PUT without a secret keeps the stored one
    change.enabled = false;
    auto updated = live.tenant->update_webhook(change);
    REQUIRE(updated);
    CHECK_FALSE(updated->enabled);
    CHECK(updated->version == 2);
    CHECK(live.control.webhooks().at(0).secret == "0123456789abcdef0123456789abcdef");
    REQUIRE(live.tenant->delete_webhook(created->id));
    CHECK(live.control.webhooks().empty());
}

TEST_CASE("delivery metrics and the audit trail come back for every webhook") {
    Live live;
    auto a = live.tenant->create_webhook(sample("a"));
    auto b = live.tenant->create_webhook(sample("b"));
    REQUIRE(a);
    REQUIRE(b);
    live.control.record_deliveries(a->id, {{.ok = true, .latency_ms = 100}, {.ok = false, .latency_ms = 300}, {.ok = true, .latency_ms = 200}});
    auto metrics = live.tenant->delivery_metrics({a->id, b->id, "unknown-id"}, "2000-01-01T00:00:00Z/2100-01-01T00:00:00Z");
    REQUIRE(metrics);
    REQUIRE(metrics->size() == 3);
    CHECK((*metrics)[0].success_count == 2);
    CHECK((*metrics)[0].failure_count == 1);
    CHECK((*metrics)[0].latency_min_ms == 100);
    CHECK((*metrics)[0].latency_max_ms == 300);
    CHECK((*metrics)[1].success_count == 0);
    CHECK((*metrics)[2].success_count == 0);

    auto trail = live.tenant->audit_entries({.page_size = 1}); // one entry a page: paging is exercised
    REQUIRE(trail);
    REQUIRE(trail->size() == 2);
    CHECK((*trail)[0].action == "create");
    CHECK((*trail)[0].entity_id == a->id);
    CHECK((*trail)[1].entity_id == b->id);
    CHECK(live.control.request_count("POST /api/v2/auditlogs/query") == 2);
}

TEST_CASE("after the idle connections are closed the next call connects afresh") {
    Live live;
    REQUIRE(live.tenant->list_webhooks());
    const auto after_first = live.counter("connections");
    REQUIRE(live.tenant->list_webhooks());
    CHECK(live.counter("connections") == after_first); // kept alive and reused
    live.tenant->close_idle_connections();
    REQUIRE(live.tenant->list_webhooks());
    CHECK(live.counter("connections") == after_first + 1);
    CHECK(live.counter("tokensIssued") == 1); // the token outlives its connection
}

TEST_CASE("cancel abandons a hanging request at once") {
    Live live({"--rpm", "6000", "--quiet"}, [](TenantHttpOptions& o) { o.request_timeout = 30s; });
    live.control.add_fault({.method = "GET", .path = "^/api/v2/webhooks$", .action = "hang", .count = 1, .seconds = 10.0});
    REQUIRE(live.tenant->get_webhook("warm-up").error().kind == ErrorKind::not_found); // token fetched
    const auto start = steady::now();
    std::thread canceller([&] {
        std::this_thread::sleep_for(300ms);
        live.tenant->cancel();
    });
    auto got = live.tenant->list_webhooks();
    canceller.join();
    REQUIRE_FALSE(got);
    CHECK(got.error().kind == ErrorKind::cancelled);
    CHECK(seconds_since(start) < 1.5);
    CHECK(live.tenant->list_webhooks().error().kind == ErrorKind::cancelled);
}

TEST_CASE("paced to the tenant's budget, a burst of work draws no 429") {
    // The tenant allows 120 a minute (a bucket of 20); the client is
    // configured far too generously and must hold back from the headers.
    Live live({"--rpm", "120", "--quiet"}, [](TenantHttpOptions& o) { o.requests_per_minute = 1200; });
    for (int i = 0; i < 30; ++i)
        REQUIRE(live.tenant->list_webhooks());
    CHECK(live.counter("rateLimited") == 0);
    CHECK(live.tenant->counters().rate_limited == 0);
}
