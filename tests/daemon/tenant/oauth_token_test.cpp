#include "tests/daemon/tenant/client_fakes.hpp"
#include "daemon/tenant/oauth_token.hpp"

#include "tests/support/doctest_result.hpp"

#include <atomic>
#include <thread>

using namespace hookwarden;
using namespace hookwarden::testing;
using namespace std::chrono_literals;

TEST_CASE("base64 follows RFC 4648 test vectors") {
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foo") == "Zm9v");
    CHECK(base64_encode("foob") == "Zm9vYg==");
    CHECK(base64_encode("fooba") == "Zm9vYmE=");
    CHECK(base64_encode("foobar") == "Zm9vYmFy");
    CHECK(base64_encode("\xff\xfe") == "//4=");
}

TEST_CASE("the token request authenticates with Basic base64(id:secret)") {
    CHECK(basic_authorization("demo-client", "demo-secret") == "Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ=");
}

TEST_CASE("a token answer gives the token and its lifetime") {
    auto grant = parse_token_answer(R"({"access_token":"abc","token_type":"bearer","expires_in":86399})");
    REQUIRE(grant);
    CHECK(grant->access_token == "abc");
    CHECK(grant->expires_in == 86399s);
    CHECK_FALSE(parse_token_answer("<html>"));
    CHECK_FALSE(parse_token_answer(R"({"token_type":"bearer"})"));
}

TEST_CASE("a token lifetime too long to count in nanoseconds is capped like the other forms") {
    // Found by tests/fuzz/tenant_http_fuzz: 2^63-1 seconds overflowed in the
    // token cache's arithmetic (undefined behaviour).
    for (const char* body : {R"({"access_token":"a","expires_in":9223372036854775807})",
                             R"({"access_token":"a","expires_in":18446744073709551615})",
                             R"({"access_token":"a","expires_in":1e300})"}) {
        auto grant = parse_token_answer(body);
        REQUIRE(grant);
        CHECK(grant->expires_in > 24h);
        CHECK(grant->expires_in <= std::chrono::seconds(1 << 30));
    }
    FakeClock clock;
    TokenCache cache(clock, 60s);
    const auto huge = parse_token_answer(R"({"access_token":"a","expires_in":9223372036854775807})").value();
    CHECK(cache.get([&]() -> Result<TokenGrant> { return huge; }).value() == "a");
}

TEST_CASE("refused credentials are unauthorized and name the client id, never the secret") {
    const auto error = token_error(401, R"({"error":"invalid_client","description":"client not found"})",
                                   "demo-client", {});
    CHECK(error.kind == ErrorKind::unauthorized);
    CHECK(error.message.find("demo-client") != std::string::npos);
    CHECK(error.message.find("client not found") != std::string::npos);
    CHECK(error.context.http_status == 401);
    CHECK(token_error(400, R"({"error":"invalid_client"})", "x", {}).kind == ErrorKind::unauthorized);
    CHECK(token_error(500, "oops", "x", {}).kind == ErrorKind::tenant);
}

TEST_CASE("a cached token is reused until the refresh margin before it expires") {
    FakeClock clock;
    TokenCache cache(clock, 60s);
    int fetches = 0;
    TokenCache::Fetch fetch = [&]() -> Result<TokenGrant> {
        ++fetches;
        return TokenGrant{"t" + std::to_string(fetches), 3600s};
    };
    CHECK(cache.get(fetch).value() == "t1");
    clock.advance(3539s);
    CHECK(cache.get(fetch).value() == "t1");
    clock.advance(1s); // 60 s before expiry
    CHECK(cache.get(fetch).value() == "t2");
    CHECK(fetches == 2);
}

TEST_CASE("a short-lived token is kept for half its life") {
    FakeClock clock;
    TokenCache cache(clock, 60s);
    int fetches = 0;
    TokenCache::Fetch fetch = [&]() -> Result<TokenGrant> {
        ++fetches;
        return TokenGrant{"t" + std::to_string(fetches), 2s};
    };
    CHECK(cache.get(fetch).value() == "t1");
    clock.advance(900ms);
    CHECK(cache.get(fetch).value() == "t1");
    clock.advance(100ms);
    CHECK(cache.get(fetch).value() == "t2");
}

TEST_CASE("a token answer without expires_in lives 24 hours (SPEC 5)") {
    const auto grant = parse_token_answer(R"({"access_token":"abc","token_type":"bearer"})");
    REQUIRE(grant);
    CHECK(grant->expires_in == 86400s);
    // An expires_in that says nothing usable is as good as none.
    for (const char* unusable : {R"("soon")", "0", "-5", "null"}) {
        const auto odd = parse_token_answer(std::string(R"({"access_token":"abc","expires_in":)") + unusable + "}");
        REQUIRE(odd);
        CHECK_MESSAGE(odd->expires_in == 86400s, unusable);
    }

    // Cached, it is reused for the whole day but the refresh margin.
    FakeClock clock;
    TokenCache cache(clock, 60s);
    int fetches = 0;
    TokenCache::Fetch fetch = [&]() -> Result<TokenGrant> {
        ++fetches;
        return parse_token_answer(R"({"access_token":"t)" + std::to_string(fetches) + R"("})");
    };
    CHECK(cache.get(fetch).value() == "t1");
    clock.advance(301s);
    CHECK(cache.get(fetch).value() == "t1");
    clock.advance(86400s - 60s - 301s);
    CHECK(cache.get(fetch).value() == "t2");
    CHECK(fetches == 2);
}

TEST_CASE("invalidating a token already replaced does not throw the new one away") {
    FakeClock clock;
    TokenCache cache(clock, 60s);
    int fetches = 0;
    TokenCache::Fetch fetch = [&]() -> Result<TokenGrant> {
        ++fetches;
        return TokenGrant{"t" + std::to_string(fetches), 3600s};
    };
    CHECK(cache.get(fetch).value() == "t1");
    cache.invalidate("t1");
    CHECK(cache.get(fetch).value() == "t2");
    cache.invalidate("t1"); // a late 401 for the old token
    CHECK(cache.get(fetch).value() == "t2");
    CHECK(fetches == 2);
}

TEST_CASE("concurrent callers share one token refresh") {
    SystemRetryClock clock;
    TokenCache cache(clock, 60s);
    std::atomic<int> fetches{0};
    TokenCache::Fetch fetch = [&]() -> Result<TokenGrant> {
        ++fetches;
        std::this_thread::sleep_for(50ms); // long enough for every thread to arrive
        return TokenGrant{"shared", 3600s};
    };
    std::vector<std::thread> threads;
    threads.reserve(8);
    std::atomic<int> right{0};
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&] {
            if (cache.get(fetch).value() == "shared")
                ++right;
        });
    for (auto& t : threads)
        t.join();
    CHECK(fetches == 1);
    CHECK(right == 8);
}

TEST_CASE("callers waiting on a failed refresh share its error, the next caller tries again") {
    SystemRetryClock clock;
    TokenCache cache(clock, 60s);
    std::atomic<int> fetches{0};
    TokenCache::Fetch failing = [&]() -> Result<TokenGrant> {
        ++fetches;
        std::this_thread::sleep_for(50ms);
        return make_error(ErrorKind::unauthorized, "refused");
    };
    std::vector<std::thread> threads;
    threads.reserve(4);
    std::atomic<int> refused{0};
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&] {
            auto got = cache.get(failing);
            if (!got && got.error().kind == ErrorKind::unauthorized)
                ++refused;
        });
    for (auto& t : threads)
        t.join();
    CHECK(refused == 4);
    CHECK(fetches == 1);
    TokenCache::Fetch working = [&]() -> Result<TokenGrant> { return TokenGrant{"ok", 3600s}; };
    CHECK(cache.get(working).value() == "ok");
}
