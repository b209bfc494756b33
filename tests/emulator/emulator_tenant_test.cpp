// The emulated tenant's state without HTTP: health, rate limiting, tokens,
// audit paging and faults, with a clock the test moves by hand.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "tests/emulator/emulator_tenant.hpp"
#include "tests/support/doctest_result.hpp"

#include <set>

using namespace hookwarden;
using namespace hookwarden::emulator;
using namespace std::chrono_literals;

namespace {

TimePoint at(const char* text) {
    return *parse_rfc3339(text);
}

/// A tenant whose clock only moves when the test says so.
struct ManualTenant {
    TimePoint now = at("2026-01-05T10:00:00Z");
    Tenant tenant;

    explicit ManualTenant(Settings settings = {})
        : tenant(std::move(settings), [this] { return now; }) {}
};

Webhook sample(std::string name) {
    Webhook w;
    w.name = std::move(name);
    w.event_types = {"user:login"};
    w.endpoint_url = "https://example.com/hook";
    return w;
}

std::vector<Delivery> deliveries(std::initializer_list<bool> outcomes) {
    std::vector<Delivery> out;
    TimePoint t = at("2026-01-05T10:00:00Z");
    for (const bool ok : outcomes) {
        out.push_back({t, ok, 100});
        t += 1min;
    }
    return out;
}

} // namespace

TEST_CASE("health follows the SPEC rule on the sequence of deliveries") {
    struct Case {
        std::vector<Delivery> deliveries;
        const char* status;
        int consecutive_failures;
    };
    const Case cases[] = {
        {{}, "unknown", 0},
        {deliveries({true}), "healthy", 0},
        {deliveries({false, false, true}), "healthy", 0},
        {deliveries({true, false}), "degraded", 1},
        {deliveries({true, false, false, false, false}), "degraded", 4},
        {deliveries({true, false, false, false, false, false}), "failing", 5},
        {deliveries({false}), "failing", 1},
        {deliveries({false, false}), "failing", 2},
    };
    for (const auto& c : cases) {
        const auto health = health_of(c.deliveries);
        CAPTURE(c.deliveries.size());
        CHECK(health.status == c.status);
        CHECK(health.consecutive_failures == c.consecutive_failures);
        CHECK(health.last_delivery_at.empty() == c.deliveries.empty());
    }
}

TEST_CASE("deliveries recorded out of order count in time order") {
    ManualTenant t;
    const auto w = t.tenant.create(sample("a"), ui_actor()).value();
    REQUIRE(t.tenant.record_deliveries(w.id, {{at("2026-01-05T10:05:00Z"), true, 10}}));
    REQUIRE(t.tenant.record_deliveries(w.id, {{at("2026-01-05T10:01:00Z"), false, 10}}));
    const auto health = t.tenant.webhook(w.id).value().health;
    CHECK(health.status == "healthy"); // the latest one succeeded
    CHECK(health.last_delivery_at == "2026-01-05T10:05:00.000Z");
    CHECK_FALSE(t.tenant.record_deliveries("no-such-id", {{t.now, true, 1}}));
}

TEST_CASE("a client paced at exactly rpm is never rate limited") {
    for (const int rpm : {1, 6, 60, 300, 1000}) {
        ManualTenant t(Settings{.rpm = rpm});
        const auto interval = std::chrono::duration_cast<TimePoint::duration>(
            std::chrono::duration<double>(60.0 / rpm));
        int refused = 0;
        for (int i = 0; i < 3 * rpm + 20; ++i) {
            refused += t.tenant.admit("demo-client").admitted ? 0 : 1;
            t.now += interval;
        }
        CAPTURE(rpm);
        CHECK(refused == 0);
    }
}

TEST_CASE("a burst beyond the bucket is refused with the wait until the next request") {
    ManualTenant t(Settings{.rpm = 60}); // one a second, bursts of 10
    CHECK(rate_capacity(60) == 10);
    for (int i = 0; i < 10; ++i) {
        const auto d = t.tenant.admit("demo-client");
        REQUIRE(d.admitted);
        CHECK(d.used == i + 1);
        CHECK(d.capacity == 10);
    }
    const auto refused = t.tenant.admit("demo-client");
    CHECK_FALSE(refused.admitted);
    CHECK(refused.retry_after_seconds == 1);
    CHECK(refused.reset_seconds == 10);
    CHECK(t.tenant.admit("other-client").admitted); // buckets are per client id

    t.now += 1s;
    CHECK(t.tenant.admit("demo-client").admitted);
    CHECK_FALSE(t.tenant.admit("demo-client").admitted);
    t.now += 10s;
    const auto refilled = t.tenant.admit("demo-client");
    CHECK(refilled.admitted);
    CHECK(refilled.used == 1); // full again, never beyond capacity
}

TEST_CASE("a tiny rpm still allows one request and says how long to wait") {
    ManualTenant t(Settings{.rpm = 2}); // one every 30 s
    CHECK(t.tenant.admit("c").admitted);
    const auto refused = t.tenant.admit("c");
    CHECK_FALSE(refused.admitted);
    CHECK(refused.retry_after_seconds == 30);
}

TEST_CASE("a new rpm applies at once with a full bucket") {
    ManualTenant t(Settings{.rpm = 6});
    CHECK(t.tenant.admit("c").admitted);
    CHECK_FALSE(t.tenant.admit("c").admitted);
    REQUIRE(t.tenant.configure({.rpm = 600}));
    for (int i = 0; i < 100; ++i)
        REQUIRE(t.tenant.admit("c").admitted);
    CHECK_FALSE(t.tenant.admit("c").admitted);
    CHECK_FALSE(t.tenant.configure({.rpm = 0}));
}

TEST_CASE("tokens authenticate until they expire or are revoked") {
    ManualTenant t(Settings{.token_lifetime = 60s});
    CHECK_FALSE(t.tenant.issue_token("demo-client", "wrong"));
    CHECK_FALSE(t.tenant.issue_token("someone", "demo-secret"));
    const auto token = t.tenant.issue_token("demo-client", "demo-secret").value();
    CHECK(token.expires_in == 60s);
    CHECK(token.access_token.starts_with(access_token_prefix));
    CHECK(token.access_token.size() == access_token_prefix.size() + 48);
    CHECK(t.tenant.authenticate(token.access_token).value() == "demo-client");
    t.now += 59s;
    CHECK(t.tenant.authenticate(token.access_token));
    t.now += 1s;
    const auto expired = t.tenant.authenticate(token.access_token);
    REQUIRE_FALSE(expired);
    CHECK(expired.error().message.find("expired") != std::string::npos);

    const auto second = t.tenant.issue_token("demo-client", "demo-secret").value();
    CHECK(second.access_token != token.access_token);
    t.tenant.revoke_tokens();
    const auto revoked = t.tenant.authenticate(second.access_token);
    REQUIRE_FALSE(revoked);
    CHECK(revoked.error().message.find("revoked") != std::string::npos);
    CHECK(t.tenant.authenticate(t.tenant.issue_token("demo-client", "demo-secret")->access_token));
    CHECK(t.tenant.counters().tokens_issued == 3);
}

TEST_CASE("ids are distinct version-4 UUIDs") {
    Tenant tenant;
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const auto id = tenant.new_uuid();
        REQUIRE(id.size() == 36);
        CHECK(id[14] == '4');
        CHECK(std::string("89ab").find(id[19]) != std::string::npos);
        seen.insert(id);
    }
    CHECK(seen.size() == 200);
}

TEST_CASE("a mutation that fails changes nothing and audits nothing") {
    ManualTenant t;
    const auto w = t.tenant.create(sample("a"), ui_actor()).value();
    const auto failed = t.tenant.modify(w.id, ui_actor(), [](Webhook& d) -> Result<void> {
        d.name = "changed";
        return make_error(ErrorKind::version_mismatch, "stale");
    });
    CHECK_FALSE(failed);
    CHECK(t.tenant.webhook(w.id).value() == w);
    CHECK(t.tenant.audit({}).entries.size() == 1);
}

TEST_CASE("the audit trail pages oldest first and filters by entity, action and time") {
    ManualTenant t;
    const Actor api{"demo-client", "demo-client"};
    const auto a = t.tenant.create(sample("a"), api).value();
    t.now += 1min;
    const auto b = t.tenant.create(sample("b"), api).value();
    t.now += 1min;
    REQUIRE(t.tenant.modify(a.id, api, [](Webhook& d) -> Result<void> {
        d.enabled = false;
        return {};
    }));
    t.now += 1min;
    REQUIRE(t.tenant.remove(b.id, ui_actor()));

    std::vector<std::string> seen;
    AuditFilter filter{.page_size = 3};
    for (;;) {
        const auto page = t.tenant.audit(filter);
        for (const auto& r : page.entries)
            seen.push_back(r.action + ":" + (r.entity_id == a.id ? "a" : "b"));
        if (!page.next_after)
            break;
        filter.after_sequence = *page.next_after;
    }
    CHECK(seen == std::vector<std::string>{"create:a", "create:b", "update:a", "delete:b"});

    CHECK(t.tenant.audit({.entity_id = a.id}).entries.size() == 2);
    CHECK(t.tenant.audit({.actions = {"delete"}}).entries.at(0).user.id == "ui-user");
    const Interval second_minute{at("2026-01-05T10:01:00Z"), at("2026-01-05T10:02:00Z")};
    const auto in_interval = t.tenant.audit({.interval = second_minute});
    REQUIRE(in_interval.entries.size() == 1);
    CHECK(in_interval.entries[0].entity_id == b.id);

    // A full last page has no next token when nothing else matches.
    const auto exact = t.tenant.audit({.page_size = 4});
    CHECK(exact.entries.size() == 4);
    CHECK_FALSE(exact.next_after);
}

TEST_CASE("faults apply in order, to matching requests, until their count is spent") {
    Tenant tenant;
    REQUIRE(tenant.add_fault({.method = "post",
                              .path = "^/api/v2/webhooks$",
                              .count = 2,
                              .action = FaultAction::status,
                              .status = 503}));
    REQUIRE(tenant.add_fault(
        {.method = "", .path = "/webhooks", .count = 1, .action = FaultAction::reset}));
    CHECK_FALSE(tenant.add_fault({.path = "(", .action = FaultAction::reset}));
    CHECK_FALSE(tenant.add_fault({.path = "x", .count = 0, .action = FaultAction::reset}));

    CHECK(tenant.take_fault("POST", "/api/v2/webhooks")->action == FaultAction::status);
    CHECK(tenant.take_fault("GET", "/api/v2/webhooks/abc")->action == FaultAction::reset);
    CHECK_FALSE(tenant.take_fault("GET", "/api/v2/webhooks/abc"));
    CHECK(tenant.faults().size() == 1);
    CHECK(tenant.take_fault("POST", "/api/v2/webhooks")->status == 503);
    CHECK_FALSE(tenant.take_fault("POST", "/api/v2/webhooks"));
    CHECK(tenant.faults().empty());
}

TEST_CASE("deliveries are summarised in buckets of the granularity, empty ones left out") {
    const auto start = at("2026-01-05T10:00:00Z");
    const std::vector<Delivery> list{
        {start + 5min, true, 80},
        {start + 10min, false, 900},
        {start + 20min, true, std::nullopt},
        {start + 2h + 1min, true, 120},
        {start - 1min, true, 1},
        {start + 3h, true, 1},
    };
    const auto buckets = summarize(list, {start, start + 3h}, 1h);
    REQUIRE(buckets.size() == 2);
    CHECK(format_interval(buckets[0].interval) ==
          "2026-01-05T10:00:00.000Z/2026-01-05T11:00:00.000Z");
    CHECK(buckets[0].success_count == 2);
    CHECK(buckets[0].failure_count == 1);
    CHECK(buckets[0].latency_count == 2);
    CHECK(buckets[0].latency_min_ms == 80);
    CHECK(buckets[0].latency_max_ms == 900);
    CHECK(buckets[0].latency_sum_ms == 980);
    CHECK(format_interval(buckets[1].interval) ==
          "2026-01-05T12:00:00.000Z/2026-01-05T13:00:00.000Z");
    CHECK(buckets[1].success_count == 1);

    const auto whole = summarize(list, {start, start + 3h}, std::nullopt);
    REQUIRE(whole.size() == 1);
    CHECK(whole[0].success_count == 3);
}
