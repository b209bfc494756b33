// What one delivery looks like on the wire: the event body, the signature
// headers (checked with core's verify_delivery, the receiver's side), and
// the scaled wait before a retry.
#include "tests/emulator/emulator_delivery_message.hpp"
#include "core/event/delivery_signature.hpp"
#include "tests/support/doctest_result.hpp"

#include <boost/json.hpp>

using namespace hookwarden;
using namespace hookwarden::emulator;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

const TimePoint kFired = *parse_rfc3339("2026-03-01T09:30:15.250Z");

EmulatedEvent login_event() {
    return {"user:login", kFired, "8d7c0d0e-0b7a-4c1e-9f43-2a9d6c1b5e11", 7};
}

std::optional<std::string_view> find(const HeaderList& headers, std::string_view name) {
    for (const auto& [key, value] : headers)
        if (key == name)
            return value;
    return std::nullopt;
}

DeliveryHeaders signature_headers(const HeaderList& headers) {
    return {find(headers, "X-Hub-Signature-256"), find(headers, "webhook-id"),
            find(headers, "webhook-timestamp"), find(headers, "webhook-signature")};
}

} // namespace

TEST_CASE("a delivery's body is the event with its actor and the webhook it is for") {
    const auto body = json::parse(delivery_body(login_event(), "wh-1"));
    CHECK(body == json::parse(R"({"eventType": "user:login",
        "timestamp": "2026-03-01T09:30:15.250Z",
        "actor": {"id": "8d7c0d0e-0b7a-4c1e-9f43-2a9d6c1b5e11", "name": "Emulated User"},
        "metadata": {"sequence": 7, "webhookId": "wh-1"}})"));
}

TEST_CASE("members of the fired event replace the body's whole, so a test can send a bad event") {
    const auto body = json::parse(delivery_body(
        login_event(), "wh-1", json::object{{"actor", nullptr}, {"extra", json::array{1, 2}}}));
    CHECK(body.at("actor").is_null());
    CHECK(body.at("extra") == json::array{1, 2});
    CHECK(body.at("metadata").at("webhookId") == "wh-1");

    const auto replaced = json::parse(
        delivery_body(login_event(), "wh-1", json::object{{"metadata", json::object{{"k", 1}}}}));
    CHECK(replaced.at("metadata") == json::object{{"k", 1}});
}

TEST_CASE("a signed attempt verifies both ways with the webhook's secret at the attempt's time") {
    const std::string body = delivery_body(login_event(), "wh-1");
    const TimePoint now = kFired + 90s;
    const auto headers = delivery_headers(std::string("s3cret"), body, "msg_abc123ef", now);

    CHECK(find(headers, "Content-Type") == "application/json");
    CHECK(find(headers, "webhook-id") == "msg_abc123ef");
    CHECK(find(headers, "webhook-timestamp") ==
          std::to_string(std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count()));

    const std::vector<std::string> secrets{"s3cret"};
    const VerifyOptions options{std::chrono::floor<std::chrono::seconds>(now), 300s};
    const auto standard = verify_delivery(signature_headers(headers), body, secrets, options);
    REQUIRE(standard);
    CHECK(standard->scheme == SignatureScheme::standard_webhooks);

    // Without the Standard Webhooks headers, X-Hub-Signature-256 alone decides.
    const auto hub = verify_delivery({find(headers, "X-Hub-Signature-256"), {}, {}, {}}, body,
                                     secrets, options);
    REQUIRE(hub);
    CHECK(hub->scheme == SignatureScheme::hub_signature_256);

    const std::vector<std::string> wrong{"other"};
    CHECK_FALSE(verify_delivery(signature_headers(headers), body, wrong, options));
}

TEST_CASE("a webhook without a secret gets its delivery unsigned, still identified") {
    for (const auto& secret : {std::optional<std::string>(), std::optional<std::string>("")}) {
        const auto headers = delivery_headers(secret, "{}", "msg_00ff", kFired);
        CHECK(find(headers, "webhook-id") == "msg_00ff");
        CHECK_FALSE(find(headers, "X-Hub-Signature-256"));
        CHECK_FALSE(find(headers, "webhook-timestamp"));
        CHECK_FALSE(find(headers, "webhook-signature"));
    }
}

TEST_CASE("a delivery's webhook-id is msg_ and the uuid's 32 hex digits") {
    CHECK(delivery_message_id("8d7c0d0e-0b7a-4c1e-9f43-2a9d6c1b5e11") ==
          "msg_8d7c0d0e0b7a4c1e9f432a9d6c1b5e11");
}

TEST_CASE("the wait before a retry is the retryInterval times the scale") {
    CHECK(retry_delay("PT1M", 1.0) == 60'000ms);
    CHECK(retry_delay("PT1M", 0.001) == 60ms);
    CHECK(retry_delay("PT2S", 0.05) == 100ms);
    CHECK(retry_delay("P1D", 0.5) == 43'200'000ms);
    CHECK(retry_delay("PT1S", 0.0001) == 0ms); // rounded to whole milliseconds
    CHECK(retry_delay("every minute", 0.001) == 60ms); // unreadable: the default PT1M
}

TEST_CASE("only a 2xx answer is a success") {
    CHECK(delivery_succeeded(200));
    CHECK(delivery_succeeded(204));
    CHECK_FALSE(delivery_succeeded(301));
    CHECK_FALSE(delivery_succeeded(429));
    CHECK_FALSE(delivery_succeeded(500));
    CHECK_FALSE(delivery_succeeded(std::nullopt));
}
