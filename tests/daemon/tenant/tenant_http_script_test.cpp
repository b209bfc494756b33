// The tenant client's retry, pacing, auth and paging rules against a
// scripted tenant and a fake clock: every wait is measured, none is slept.
#include "tests/daemon/tenant/scripted_tenant.hpp"
#include "daemon/tenant/oauth_token.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include "tests/support/doctest_result.hpp"

#include <atomic>
#include <random>
#include <thread>

using namespace hookwarden;
using namespace hookwarden::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

constexpr const char* secret = scripted_client_secret;

std::string webhook_json(const std::string& id, const std::string& name = "hook") {
    return R"({"id":")" + id + R"(","name":")" + name +
           R"(","version":1,"eventTypes":["user:login"],"endpointUrl":"https://example.com/h"})";
}

std::string page_json(int first, int count, int page_number, int page_count) {
    std::string entities;
    for (int i = 0; i < count; ++i)
        entities += (i ? "," : "") + webhook_json("id-" + std::to_string(first + i));
    return R"({"entities":[)" + entities + R"(],"pageSize":100,"pageNumber":)" + std::to_string(page_number) +
           R"(,"pageCount":)" + std::to_string(page_count) + "}";
}

Webhook sample(const std::string& name = "hook") {
    Webhook w;
    w.name = name;
    w.event_types = {"user:login"};
    w.endpoint_url = "https://example.com/h";
    w.secret = secret;
    return w;
}

} // namespace

TEST_CASE("no request is sent before a 429's Retry-After has passed") {
    ScriptedTenant c(sequence({answer(429, R"({"code":"too.many.requests.retry.after"})", {{"Retry-After", "7"}}),
                       answer(200, webhook_json("a"))}));
    auto got = c.tenant->get_webhook("a");
    REQUIRE(got);
    const auto sent = c.api_requests();
    REQUIRE(sent.size() == 2);
    CHECK(sent[1].at - sent[0].at >= 7s);
    CHECK(c.tenant->counters().rate_limited == 1);
}

TEST_CASE("a 429 pauses the whole client, not just the call that got it") {
    std::atomic<int> calls{0};
    ScriptedTenant c(with_token([&](const HttpRequest& r) -> TransportResult {
        if (r.target.ends_with("/a") && calls++ == 0)
            return answer(429, "{}", {{"Retry-After", "5"}});
        return answer(200, webhook_json("x"));
    }));
    // Real time, bounded: for the other threads to reach a wait or a send.
    const auto eventually = [](const std::function<bool()>& condition) {
        const auto limit = std::chrono::steady_clock::now() + 5s;
        while (!condition() && std::chrono::steady_clock::now() < limit)
            std::this_thread::sleep_for(1ms);
        return condition();
    };
    c.clock->hold_waits();
    std::atomic<bool> got_a{false}, got_b{false};
    std::thread a([&] { got_a = static_cast<bool>(c.tenant->get_webhook("a")); });
    // "a" got its 429 and sits out the pause, which stays in progress.
    const bool a_paused = eventually([&] { return c.clock->waiting() == 1; });
    // "b" is issued during the pause: it must wait for the pause's end. Were
    // the pause a's alone, b would be sent now, with the time standing still.
    std::thread b([&] { got_b = static_cast<bool>(c.tenant->get_webhook("b")); });
    eventually([&] { return c.clock->waiting() == 2 || !c.transport->sent_to("/api/v2/webhooks/b").empty(); });
    c.clock->release_waits();
    a.join();
    b.join();
    REQUIRE(a_paused);
    CHECK(got_a);
    CHECK(got_b);

    const auto to_a = c.transport->sent_to("/api/v2/webhooks/a");
    const auto to_b = c.transport->sent_to("/api/v2/webhooks/b");
    REQUIRE(to_a.size() == 2);
    REQUIRE(to_b.size() == 1);
    CHECK(to_a[1].at - to_a[0].at >= 5s);
    CHECK(to_b[0].at - to_a[0].at >= 5s);
}

TEST_CASE("after a 429 without the tenant's window the client goes on at a slower pace") {
    ScriptedTenant c(sequence({answer(200, webhook_json("a")), answer(200, webhook_json("a")),
                               answer(429, "{}", {{"Retry-After", "1"}}), answer(200, webhook_json("a"))}),
                     [](TenantHttpOptions& o) {
                         o.requests_per_minute = 600;
                         o.concurrency = 1;
                     });
    for (int i = 0; i < 8; ++i)
        REQUIRE(c.tenant->get_webhook("a"));
    const auto sent = c.api_requests();
    REQUIRE(sent.size() == 9);
    CHECK(sent[1].at - sent[0].at < 110ms); // 600 a minute
    CHECK(sent[3].at - sent[2].at >= 1s);   // the 429's pause
    for (std::size_t i = 4; i < sent.size(); ++i)
        CHECK(sent[i].at - sent[i - 1].at >= 195ms); // about 300 a minute
    bool told = false;
    for (const auto& line : c.log)
        told = told || line.find("slows to 300 requests a minute") != std::string::npos;
    CHECK(told);
}

TEST_CASE("a 429 with an HTTP-date Retry-After waits until that date") {
    const auto clock = std::make_shared<FakeClock>();
    const auto date = [&] {
        const auto t = std::chrono::floor<std::chrono::seconds>(clock->wall_now()) + 12s;
        const auto days = std::chrono::floor<std::chrono::days>(t);
        const std::chrono::year_month_day ymd{days};
        const std::chrono::hh_mm_ss hms{t - days};
        static const char* names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
        static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        char buffer[64]; // "Thu, 01 Jan 2026 00:00:12 GMT" and the NUL: it always fits
        (void)std::snprintf(buffer, sizeof buffer, "%s, %02u %s %d %02ld:%02ld:%02ld GMT",
                            names[std::chrono::weekday{days}.c_encoding()], static_cast<unsigned>(ymd.day()),
                            months[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                            static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                            static_cast<long>(hms.seconds().count()));
        return std::string(buffer);
    }();
    ScriptedTenant c(sequence({answer(429, "{}", {{"Retry-After", date}}), answer(200, webhook_json("a"))}));
    REQUIRE(c.tenant->get_webhook("a"));
    const auto sent = c.api_requests();
    REQUIRE(sent.size() == 2);
    CHECK(sent[1].at - sent[0].at >= 11s);
    CHECK(sent[1].at - sent[0].at <= 13s);
}

TEST_CASE("a 429 without Retry-After waits 3 seconds") {
    ScriptedTenant c(sequence({answer(429, "{}"), answer(200, webhook_json("a"))}));
    REQUIRE(c.tenant->get_webhook("a"));
    const auto sent = c.api_requests();
    REQUIRE(sent.size() == 2);
    CHECK(sent[1].at - sent[0].at >= 3s);
    CHECK(sent[1].at - sent[0].at < 4s);
}

TEST_CASE("a 429 demanding more than 180 seconds fails the call at once as rate_limited") {
    ScriptedTenant c(sequence({answer(429, R"({"code":"too.many.requests.retry.after","message":"Retry the request in [600] seconds"})",
                              {{"Retry-After", "600"}, {"inin-correlation-id", "corr-1"}})}));
    auto got = c.tenant->list_webhooks();
    REQUIRE_FALSE(got);
    CHECK(got.error().kind == ErrorKind::rate_limited);
    CHECK(got.error().message.find("600 s") != std::string::npos);
    CHECK(got.error().message.find("180 s") != std::string::npos);
    CHECK(got.error().context.http_status == 429);
    CHECK(got.error().context.correlation_id == "corr-1");
    CHECK(got.error().context.api_code == "too.many.requests.retry.after");
    CHECK(c.api_requests().size() == 1);
    CHECK(c.clock->elapsed() < 1s);
}

TEST_CASE("a 429 or 503 with a huge Retry-After gives up at once instead of resending") {
    // 9300000000000000 s overflows as milliseconds into a negative wait;
    // the 23-digit value does not fit an int64 at all; the year 9999 does
    // not fit system_clock's nanoseconds.
    for (const char* huge : {"99999999999999999", "9300000000000000", "99999999999999999999999",
                             "Fri, 31 Dec 9999 23:59:59 GMT"}) {
        const std::string retry_after = huge;
        CAPTURE(retry_after);
        ScriptedTenant limited(sequence({answer(429, "{}", {{"Retry-After", huge}}), answer(200, webhook_json("a"))}));
        auto got = limited.tenant->get_webhook("a");
        REQUIRE_FALSE(got);
        CHECK(got.error().kind == ErrorKind::rate_limited);
        CHECK(got.error().message.find("86400 s or more") != std::string::npos);
        CHECK(limited.api_requests().size() == 1);
        CHECK(limited.clock->elapsed() < 1s);

        // A 503's Retry-After is a floor for the backoff: beyond the retry
        // budget, so no second send.
        ScriptedTenant busy(sequence({answer(503, "{}", {{"Retry-After", huge}}), answer(200, webhook_json("a"))}));
        CHECK_FALSE(busy.tenant->get_webhook("a"));
        CHECK(busy.api_requests().size() == 1);
        CHECK(busy.clock->elapsed() < 1s);
    }
}

TEST_CASE("a create answered 429 is sent again: the tenant did not process it") {
    ScriptedTenant c(sequence({answer(429, "{}", {{"Retry-After", "1"}}), answer(201, webhook_json("new"))}));
    auto created = c.tenant->create_webhook(sample());
    REQUIRE(created);
    CHECK(created->id == "new");
    CHECK(c.api_requests().size() == 2);
}

TEST_CASE("a create whose answer is lost is never sent again: outcome unknown") {
    ScriptedTenant c(sequence({lost(true), answer(201, webhook_json("dup"))}));
    auto created = c.tenant->create_webhook(sample("monitor"));
    REQUIRE_FALSE(created);
    CHECK(created.error().kind == ErrorKind::outcome_unknown);
    CHECK(created.error().context.webhook == "monitor");
    CHECK(created.error().context.operation == "POST /api/v2/webhooks");
    CHECK(c.api_requests().size() == 1);
}

TEST_CASE("a create answered with a 5xx is never sent again: outcome unknown") {
    for (int status : {500, 502, 503, 504}) {
        ScriptedTenant c(sequence({answer(status, R"({"message":"upstream"})"), answer(201, webhook_json("dup"))}));
        auto created = c.tenant->create_webhook(sample());
        REQUIRE_FALSE(created);
        CHECK(created.error().kind == ErrorKind::outcome_unknown);
        CHECK(created.error().context.http_status == status);
        CHECK(c.api_requests().size() == 1);
    }
}

TEST_CASE("a create that never reached the tenant is retried") {
    ScriptedTenant c(sequence({lost(false), answer(201, webhook_json("new"))}));
    auto created = c.tenant->create_webhook(sample());
    REQUIRE(created);
    CHECK(c.api_requests().size() == 2);
    CHECK_FALSE(c.api_requests()[0].request.reuse_connection);
}

TEST_CASE("a create accepted with an unreadable answer is outcome unknown") {
    ScriptedTenant c(sequence({answer(201, "<html>created</html>")}));
    auto created = c.tenant->create_webhook(sample());
    REQUIRE_FALSE(created);
    CHECK(created.error().kind == ErrorKind::outcome_unknown);
}

TEST_CASE("idempotent calls retry 502, 503, 504 and lost answers with full-jitter backoff") {
    ScriptedTenant c(sequence({answer(502, "{}"), answer(503, "{}"), lost(true), answer(504, "{}"),
                       answer(200, webhook_json("a"))}));
    REQUIRE(c.tenant->get_webhook("a"));
    const auto sent = c.api_requests();
    REQUIRE(sent.size() == 5);
    for (std::size_t i = 1; i < sent.size(); ++i) {
        const auto ceiling = std::chrono::milliseconds(1000 << (i - 1)); // 1, 2, 4, 8 s
        CHECK(sent[i].at - sent[i - 1].at <= ceiling);
    }
    CHECK(c.tenant->counters().retries == 4);
}

TEST_CASE("every answer is counted by status class, transport failures apart and 429s in both") {
    ScriptedTenant c(sequence({answer(429, "{}", {{"Retry-After", "1"}}), answer(503, "{}"), lost(true),
                       answer(200, webhook_json("a")), answer(404, R"({"message":"no"})")}));
    REQUIRE(c.tenant->get_webhook("a"));
    CHECK_FALSE(c.tenant->get_webhook("b"));
    const auto counters = c.tenant->counters();
    const std::map<std::string, std::uint64_t> expected{
        {"2xx", 2}, {"3xx", 0}, {"4xx", 2}, {"5xx", 1}, {"transport", 1}}; // 2xx: the token too
    CHECK(counters.answers_by_class == expected);
    CHECK(counters.rate_limited == 1);
    CHECK(counters.transport_failures == 1);
    std::uint64_t answered = 0;
    for (const auto& [status_class, count] : counters.answers_by_class)
        answered += count;
    CHECK(answered == counters.requests_sent);
}

TEST_CASE("PUT, DELETE and search are retried like reads") {
    ScriptedTenant c(sequence({answer(503, "{}"), answer(200, webhook_json("a")), answer(503, "{}"), answer(204, ""),
                       answer(503, "{}"), answer(200, R"({"entities":[]})")}));
    auto w = sample();
    w.id = "a";
    w.version = 1;
    CHECK(c.tenant->update_webhook(w));
    CHECK(c.tenant->delete_webhook("a"));
    CHECK(c.tenant->search_webhooks("hook"));
    CHECK(c.api_requests().size() == 6);
}

TEST_CASE("501, 500 and 4xx answers are never retried") {
    for (int status : {400, 403, 404, 422, 500, 501}) {
        ScriptedTenant c(sequence({answer(status, R"({"message":"no"})"), answer(200, webhook_json("a"))}));
        CHECK_FALSE(c.tenant->get_webhook("a"));
        CHECK(c.api_requests().size() == 1);
    }
}

TEST_CASE("transient retries stop after max_attempts sends, with the attempts in the error") {
    ScriptedTenant c(sequence({answer(503, R"({"message":"busy","code":"service.unavailable"})")}));
    auto got = c.tenant->get_webhook("a");
    REQUIRE_FALSE(got);
    CHECK(got.error().kind == ErrorKind::tenant);
    CHECK(got.error().context.attempts == 5);
    CHECK(got.error().context.http_status == 503);
    CHECK(got.error().context.api_code == "service.unavailable");
    CHECK(c.api_requests().size() == 5);
}

TEST_CASE("no retry starts after the retry time budget") {
    ScriptedTenant c(sequence({answer(503, "{}")}),
             [](TenantHttpOptions& o) {
                 o.backoff_base = 10s;
                 o.max_retry_time = 5s;
             },
             [] { return std::uint64_t{9999}; }); // first delay 9.999 s
    CHECK_FALSE(c.tenant->get_webhook("a"));
    CHECK(c.api_requests().size() == 1);
}

TEST_CASE("a certificate the client rejects is not retried") {
    ScriptedTenant c(sequence({TransportResult(TransportFailure{ErrorKind::transport,
                                                        "the TLS certificate of tenant.test:443 was rejected: hostname mismatch",
                                                        false, true})}));
    auto got = c.tenant->list_webhooks();
    REQUIRE_FALSE(got);
    CHECK(got.error().kind == ErrorKind::transport);
    CHECK(got.error().message.find("hostname mismatch") != std::string::npos);
    CHECK(c.api_requests().size() == 1);
}

TEST_CASE("a 401 on an API call refreshes the token once and retries once") {
    std::atomic<int> tokens{0};
    std::atomic<int> calls{0};
    ScriptedTenant c([&](const HttpRequest& r) -> TransportResult {
        if (is_token_request(r))
            return token_answer("token-" + std::to_string(++tokens));
        if (calls++ == 0)
            return answer(401, R"({"message":"expired"})");
        return answer(200, webhook_json("a"));
    });
    REQUIRE(c.tenant->get_webhook("a"));
    CHECK(tokens == 2);
    const auto sent = c.api_requests();
    REQUIRE(sent.size() == 2);
    CHECK(find_header(sent[0].request.headers, "Authorization") == "Bearer token-1");
    CHECK(find_header(sent[1].request.headers, "Authorization") == "Bearer token-2");
}

TEST_CASE("a second 401 after the refresh is unauthorized, with no third try") {
    std::atomic<int> tokens{0};
    ScriptedTenant c([&](const HttpRequest& r) -> TransportResult {
        if (is_token_request(r))
            return token_answer("token-" + std::to_string(++tokens));
        return answer(401, R"({"message":"no scope"})");
    });
    auto got = c.tenant->list_webhooks();
    REQUIRE_FALSE(got);
    CHECK(got.error().kind == ErrorKind::unauthorized);
    CHECK(tokens == 2);
    CHECK(c.api_requests().size() == 2);
}

TEST_CASE("refused credentials are unauthorized, name the client id and never show the secret") {
    ScriptedTenant c([&](const HttpRequest& r) -> TransportResult {
        if (is_token_request(r)) {
            CHECK(find_header(r.headers, "Authorization") == basic_authorization("demo-client", secret));
            CHECK(r.body == "grant_type=client_credentials");
            return answer(401, R"({"error":"invalid_client","description":"Invalid client credentials"})");
        }
        return answer(200, "{}");
    });
    auto got = c.tenant->list_webhooks();
    REQUIRE_FALSE(got);
    CHECK(got.error().kind == ErrorKind::unauthorized);
    CHECK(got.error().describe().find("demo-client") != std::string::npos);
    CHECK(got.error().describe().find(secret) == std::string::npos);
    CHECK(c.token_requests().size() == 1);
    CHECK(c.api_requests().empty());
}

TEST_CASE("one token serves many calls, and neither the secret nor the token is ever logged") {
    ScriptedTenant c(with_token([](const HttpRequest&) -> TransportResult { return answer(200, webhook_json("a")); }));
    for (int i = 0; i < 20; ++i)
        REQUIRE(c.tenant->get_webhook("a"));
    CHECK(c.token_requests().size() == 1);
    CHECK(c.tenant->counters().token_requests == 1);
    REQUIRE_FALSE(c.log.empty());
    for (const auto& line : c.log) {
        CHECK(line.find(secret) == std::string::npos);
        CHECK(line.find("token-1") == std::string::npos);
    }
}

TEST_CASE("steady work is paced to requests_per_minute") {
    ScriptedTenant c(with_token([](const HttpRequest&) -> TransportResult { return answer(200, webhook_json("a")); }),
             [](TenantHttpOptions& o) { o.requests_per_minute = 60; });
    for (int i = 0; i < 31; ++i)
        REQUIRE(c.tenant->get_webhook("a"));
    // 32 sends (one token request) at 1/s after a burst of one: 31 s at least.
    CHECK(c.clock->elapsed() >= 31s);
    CHECK(c.clock->elapsed() <= 32s);
}

TEST_CASE("the tenant's rate-limit headers hold requests back until its window resets") {
    ScriptedTenant c(with_token([](const HttpRequest&) -> TransportResult {
        return answer(200, webhook_json("a"),
                      {{"inin-ratelimit-count", "300"}, {"inin-ratelimit-allowed", "300"}, {"inin-ratelimit-reset", "20"}});
    }));
    REQUIRE(c.tenant->get_webhook("a"));
    REQUIRE(c.tenant->get_webhook("a"));
    const auto sent = c.api_requests();
    REQUIRE(sent.size() == 2);
    CHECK(sent[1].at - sent[0].at >= 20s);
    CHECK(c.tenant->counters().rate_limited == 0);
}

TEST_CASE("cancel ends a Retry-After pause at once") {
    TenantHttpOptions options;
    options.api_base = "https://tenant.test";
    options.token_url = "https://tenant.test/oauth/token";
    options.client_id = "demo-client";
    FakeClock unused;
    auto transport = std::make_unique<ScriptedTransport>(unused, with_token([](const HttpRequest&) -> TransportResult {
        return answer(429, "{}", {{"Retry-After", "120"}});
    }));
    auto made = TenantHttp::create(options, std::move(transport), std::make_shared<SystemRetryClock>(),
                                   make_system_random_source());
    REQUIRE(made);
    auto& tenant = **made;
    const auto start = std::chrono::steady_clock::now();
    std::thread canceller([&] {
        std::this_thread::sleep_for(100ms);
        tenant.cancel();
    });
    auto got = tenant.list_webhooks();
    canceller.join();
    REQUIRE_FALSE(got);
    CHECK(got.error().kind == ErrorKind::cancelled);
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    CHECK(tenant.get_webhook("a").error().kind == ErrorKind::cancelled);
}

TEST_CASE("the list asks for pages of 100 and walks every page") {
    ScriptedTenant c(with_token([](const HttpRequest& r) -> TransportResult {
        const auto page = r.target.substr(r.target.find("pageNumber=") + 11);
        const int n = std::stoi(page);
        return answer(200, page_json((n - 1) * 100, n < 3 ? 100 : 50, n, 3));
    }));
    auto all = c.tenant->list_webhooks();
    REQUIRE(all);
    CHECK(all->size() == 250);
    CHECK(all->front().id == "id-0");
    CHECK(all->back().id == "id-249");
    const auto sent = c.api_requests();
    REQUIRE(sent.size() == 3);
    CHECK(sent[0].request.target == "/api/v2/webhooks?pageSize=100&pageNumber=1");
    CHECK(sent[2].request.target == "/api/v2/webhooks?pageSize=100&pageNumber=3");
}

TEST_CASE("a list that repeats the same page forever is an error, not a loop") {
    ScriptedTenant c(with_token([](const HttpRequest&) -> TransportResult { return answer(200, page_json(0, 100, 1, 1000000)); }));
    auto all = c.tenant->list_webhooks();
    REQUIRE_FALSE(all);
    CHECK(all.error().message.find("no progress") != std::string::npos);
    CHECK(c.api_requests().size() == 2);
}

TEST_CASE("a list that never ends is cut at max_pages") {
    std::atomic<int> next{0};
    ScriptedTenant c(with_token([&](const HttpRequest&) -> TransportResult {
                 const int n = next++;
                 return answer(200, page_json(n * 100, 100, n + 1, 1000000));
             }),
             [](TenantHttpOptions& o) { o.max_pages = 7; });
    auto all = c.tenant->list_webhooks();
    REQUIRE_FALSE(all);
    CHECK(all.error().message.find("7 pages") != std::string::npos);
    CHECK(c.api_requests().size() == 7);
}

TEST_CASE("a list without pageCount follows nextUri until it is gone") {
    std::atomic<int> next{0};
    ScriptedTenant c(with_token([&](const HttpRequest&) -> TransportResult {
        const int n = next++;
        auto body = json::parse(page_json(n * 100, n < 2 ? 100 : 3, n + 1, 0)).as_object();
        body.erase("pageCount");
        if (n < 2)
            body["nextUri"] = "/api/v2/webhooks?pageSize=100&pageNumber=" + std::to_string(n + 2);
        return answer(200, json::serialize(body));
    }));
    auto all = c.tenant->list_webhooks();
    REQUIRE(all);
    CHECK(all->size() == 203);
}

TEST_CASE("the audit trail follows nextPageToken and refuses a repeated token") {
    std::atomic<int> next{0};
    ScriptedTenant c(with_token([&](const HttpRequest& r) -> TransportResult {
        const auto body = json::parse(r.body).as_object();
        const int n = next++;
        if (n == 0)
            CHECK(body.at("nextPageToken").is_null());
        else
            CHECK(body.at("nextPageToken").as_string() == ("p" + std::to_string(n)).c_str());
        std::string entry = R"({"id":"e)" + std::to_string(n) + R"(","action":"update","entityId":"w"})";
        return answer(200, R"({"entities":[)" + entry + R"(],"nextPageToken":)" +
                               (n < 2 ? "\"p" + std::to_string(n + 1) + "\"" : "null") + "}");
    }));
    auto entries = c.tenant->audit_entries({});
    REQUIRE(entries);
    REQUIRE(entries->size() == 3);
    CHECK((*entries)[2].id == "e2");

    ScriptedTenant looping(with_token([](const HttpRequest&) -> TransportResult {
        return answer(200, R"({"entities":[{"id":"e","action":"update","entityId":"w"}],"nextPageToken":"same"})");
    }));
    auto stuck = looping.tenant->audit_entries({});
    REQUIRE_FALSE(stuck);
    CHECK(stuck.error().message.find("repeats") != std::string::npos);
    CHECK(looping.api_requests().size() == 2);
}

TEST_CASE("analytics are asked in batches of at most 100 ids and every id is answered") {
    std::vector<std::string> ids;
    ids.reserve(251);
    for (int i = 0; i < 250; ++i)
        ids.push_back("w" + std::to_string(i));
    ids.emplace_back("w0"); // a duplicate is asked once
    ScriptedTenant c(with_token([](const HttpRequest& r) -> TransportResult {
        const auto body = json::parse(r.body).as_object();
        const auto& first = body.at("entities").as_array().at(0).at("id").as_string();
        // Only the first id of each batch has data; the others are absent or empty.
        return answer(200, R"({"results":[{"entity":{"id":")" + std::string(first) +
                               R"("},"data":[{"interval":"x","metrics":[{"metric":"deliverySuccessCount","stats":{"count":4}}]}]},
                               {"entity":{"id":"w1"},"data":[]}]})");
    }));
    auto metrics = c.tenant->delivery_metrics(ids, "2026-01-01T00:00:00Z/2026-01-02T00:00:00Z");
    REQUIRE(metrics);
    REQUIRE(metrics->size() == 250);
    const auto sent = c.api_requests();
    REQUIRE(sent.size() == 3);
    CHECK(json::parse(sent[0].request.body).at("entities").as_array().size() == 100);
    CHECK(json::parse(sent[2].request.body).at("entities").as_array().size() == 50);
    CHECK((*metrics)[0].success_count == 4);
    CHECK((*metrics)[100].success_count == 4);
    CHECK((*metrics)[200].success_count == 4);
    CHECK((*metrics)[1].success_count == 0);
    CHECK((*metrics)[249].webhook_id == "w249");
    CHECK((*metrics)[249].success_count == 0);
}

TEST_CASE("search keeps exact name matches only") {
    ScriptedTenant c(with_token([](const HttpRequest& r) -> TransportResult {
        CHECK(json::parse(r.body) == json::parse(R"({"query":{"name":"monitor"}})"));
        return answer(200, R"({"entities":[)" + webhook_json("1", "monitor") + "," + webhook_json("2", "monitor-2") + "]}");
    }));
    auto found = c.tenant->search_webhooks("monitor");
    REQUIRE(found);
    REQUIRE(found->size() == 1);
    CHECK((*found)[0].id == "1");
}

TEST_CASE("an update sends the version it read and a stale one is a version mismatch") {
    ScriptedTenant c(with_token([](const HttpRequest& r) -> TransportResult {
        CHECK(r.method == "PUT");
        CHECK(r.target == "/api/v2/webhooks/abc%2Fdef");
        CHECK(json::parse(r.body).at("version") == 3);
        return answer(409, R"({"message":"version 3 is stale","code":"conflict","contextId":"ctx"})");
    }));
    auto w = sample("monitor");
    w.id = "abc/def";
    w.version = 3;
    auto updated = c.tenant->update_webhook(w);
    REQUIRE_FALSE(updated);
    CHECK(updated.error().kind == ErrorKind::version_mismatch);
    CHECK(updated.error().context.webhook == "monitor");
    CHECK(updated.error().context.context_id == "ctx");
    CHECK(c.api_requests().size() == 1);
}

TEST_CASE("errors about answers to a create or update that sent a secret never quote the answer") {
    // A tenant may echo the secret (SPEC §5), under any name.
    const std::string echo = std::string(R"({"errors":[{"rejectedValue":")") + secret + R"("}]})";
    ScriptedTenant refused(sequence({answer(400, echo)}));
    auto created = refused.tenant->create_webhook(sample());
    REQUIRE_FALSE(created);
    CHECK(created.error().kind == ErrorKind::tenant);
    CHECK(created.error().describe().find(secret) == std::string::npos);
    auto w = sample();
    w.id = "a";
    w.version = 1;
    auto updated = refused.tenant->update_webhook(w);
    REQUIRE_FALSE(updated);
    CHECK(updated.error().describe().find(secret) == std::string::npos);

    // Accepted, with an answer cut short: malformed, and still not quoted.
    ScriptedTenant cut(sequence({answer(200, R"({"id":"a","value":")" + std::string(secret))}));
    auto garbled = cut.tenant->update_webhook(w);
    REQUIRE_FALSE(garbled);
    CHECK(garbled.error().message.find("malformed") != std::string::npos);
    CHECK(garbled.error().describe().find(secret) == std::string::npos);
}

TEST_CASE("a secret the tenant echoes in its error's message or code is written (secret)") {
    // Found by tests/fuzz/tenant_http_fuzz: the error body's message and
    // code were quoted whatever they held.
    const std::string echo =
        std::string(R"({"message":"the secret )") + secret + R"( is too short","code":"bad.)" + secret + R"("})";
    ScriptedTenant refused(sequence({answer(400, echo), answer(400, echo)}));
    auto created = refused.tenant->create_webhook(sample());
    REQUIRE_FALSE(created);
    CHECK(created.error().describe().find(secret) == std::string::npos);
    CHECK(created.error().message == "the tenant refused the request: the secret (secret) is too short");
    CHECK(created.error().context.api_code == "bad.(secret)");
    auto w = sample();
    w.id = "a";
    w.version = 1;
    auto updated = refused.tenant->update_webhook(w);
    REQUIRE_FALSE(updated);
    CHECK(updated.error().describe().find(secret) == std::string::npos);

    // The token endpoint echoing the client secret.
    ScriptedTenant token([](const HttpRequest& r) -> TransportResult {
        if (is_token_request(r))
            return answer(401, std::string(R"({"error":"invalid_client","error_description":"no client with secret )") +
                                   secret + R"("})");
        return answer(200, "{}");
    });
    auto listed = token.tenant->list_webhooks();
    REQUIRE_FALSE(listed);
    CHECK(listed.error().describe().find(secret) == std::string::npos);
    CHECK(listed.error().message.find("(secret)") != std::string::npos);
}

TEST_CASE("a URL that is not https is refused when the client is made") {
    TenantHttpOptions options;
    options.api_base = "http://tenant.test";
    options.token_url = "https://tenant.test/oauth/token";
    options.client_id = "x";
    auto made = TenantHttp::create(options);
    REQUIRE_FALSE(made);
    CHECK(made.error().kind == ErrorKind::invalid_input);
    CHECK(made.error().message.find("https") != std::string::npos);
}
