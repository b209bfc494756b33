#include "daemon/tenant/retry_policy.hpp"

#include "tests/support/doctest_result.hpp"

#include <random>

using namespace hookwarden;
using namespace std::chrono_literals;
namespace chrono = std::chrono;

TEST_CASE("Retry-After in seconds is read as a delay") {
    const auto now = chrono::system_clock::now();
    CHECK(parse_retry_after("120", now) == 120s);
    CHECK(parse_retry_after(" 0 ", now) == 0s);
    CHECK_FALSE(parse_retry_after("-5", now));
    CHECK_FALSE(parse_retry_after("1.5", now));
    CHECK_FALSE(parse_retry_after("", now));
    CHECK_FALSE(parse_retry_after("soon", now));
}

TEST_CASE("Retry-After as an HTTP-date is the time until that date, rounded up") {
    const auto date = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
    REQUIRE(date);
    CHECK(chrono::system_clock::to_time_t(*date) == 784111777);
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", *date - 30s) == 30s);
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", *date - 29500ms) == 30s);
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", *date + 5s) == 0s);
}

TEST_CASE("HTTP-dates are read in all three RFC 9110 forms and nothing else") {
    const auto expected = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
    REQUIRE(expected);
    CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == expected);
    CHECK(parse_http_date("Sun Nov  6 08:49:37 1994") == expected);
    CHECK_FALSE(parse_http_date("Sun, 31 Feb 1994 08:49:37 GMT"));
    CHECK_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 PST"));
    CHECK_FALSE(parse_http_date("2026-03-01T10:00:00Z"));
    CHECK_FALSE(parse_http_date("Sun, 06 Nov 1994 25:49:37 GMT"));
}

TEST_CASE("only 502, 503 and 504 are retried, and only for idempotent calls") {
    CHECK(classify_status(200, RequestSafety::idempotent) == RetryVerdict::done);
    CHECK(classify_status(204, RequestSafety::create) == RetryVerdict::done);
    for (int status : {502, 503, 504})
        CHECK(classify_status(status, RequestSafety::idempotent) == RetryVerdict::retry_backoff);
    for (int status : {500, 501, 505})
        CHECK(classify_status(status, RequestSafety::idempotent) == RetryVerdict::fail);
    for (int status : {400, 403, 404, 409, 422})
        CHECK(classify_status(status, RequestSafety::idempotent) == RetryVerdict::fail);
}

TEST_CASE("a create that got any 5xx may have been applied") {
    for (int status : {500, 501, 502, 503, 504})
        CHECK(classify_status(status, RequestSafety::create) == RetryVerdict::outcome_unknown);
}

TEST_CASE("a 429 is re-sent even for a create, a 401 asks for a new token") {
    CHECK(classify_status(429, RequestSafety::create) == RetryVerdict::retry_rate_limit);
    CHECK(classify_status(429, RequestSafety::idempotent) == RetryVerdict::retry_rate_limit);
    CHECK(classify_status(401, RequestSafety::idempotent) == RetryVerdict::refresh_token);
}

TEST_CASE("a create is retried after a failure only when nothing was sent") {
    CHECK(classify_transport_failure(false, false, RequestSafety::create) == RetryVerdict::retry_backoff);
    CHECK(classify_transport_failure(true, false, RequestSafety::create) == RetryVerdict::outcome_unknown);
    CHECK(classify_transport_failure(true, false, RequestSafety::idempotent) == RetryVerdict::retry_backoff);
    CHECK(classify_transport_failure(false, true, RequestSafety::idempotent) == RetryVerdict::fail);
}

TEST_CASE("a cancelled system clock ends waits at once") {
    SystemRetryClock clock;
    clock.cancel();
    const auto start = chrono::steady_clock::now();
    CHECK_FALSE(clock.wait_until(start + 10s));
    CHECK(chrono::steady_clock::now() - start < 1s);
    CHECK(clock.cancelled());
}

TEST_CASE("a huge Retry-After reads as the limit, never as an overflowed or default pause") {
    const auto now = chrono::system_clock::now();
    CHECK(parse_retry_after("99999999999999999", now) == retry_after_limit);
    CHECK(parse_retry_after("9300000000000000", now) == retry_after_limit); // ×1000 would wrap negative
    CHECK(parse_retry_after("99999999999999999999999", now) == retry_after_limit); // beyond int64
    CHECK(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now) == retry_after_limit); // past 2262
    CHECK(parse_retry_after("Sat, 01 Jan 1000 00:00:00 GMT", now) == 0s);
    CHECK(parse_retry_after("86400", now) == retry_after_limit);
    CHECK(parse_retry_after("86399", now) == 86399s);
    // The clamped value converts to milliseconds and deadlines without overflow.
    CHECK(chrono::milliseconds(retry_after_limit) > 0ms);
}
