// Delivery signatures (SPEC §5 "Deliveries"): fixed vectors computed with
// Python's hmac + base64, the tolerance edges, rotation, and every refusal.
#include "core/event/delivery_signature.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace hookwarden;
using namespace std::chrono_literals;

namespace {

// Vectors computed once with /usr/bin/python3:
//   base64.b64encode(hmac.new(secret, msg, hashlib.sha256).digest())
const std::string secret = "hookwarden-test-secret-0123456789";
const std::string previous_secret = "previous-secret-before-rotation";
const std::string id = "msg_2Lf8vQZ0hookwarden";
const std::chrono::sys_seconds timestamp{1767225600s}; // 2026-01-01T00:00:00Z
const std::string body =
    R"({"eventType":"user:login","timestamp":"2026-01-01T00:00:00Z","actor":{"id":"usr-123","name":"Jane Doe"},)"
    R"("metadata":{"ip":"192.168.1.10","device":"desktop"}})";
const std::string expected_hub = "sha256=Onj9FkfPOpuZQiFEOS8OI0slrKMhbZHsE1WgRb+5D4E=";
const std::string expected_v1 = "v1,xzF9Ury6ZgaAKlptq041aCohkNFEvCBR5MvKuNnKECo=";
const std::string previous_hub = "sha256=Q7cBR8Yakg+6zs4WqM1iOLG8QsOY5XV4/Q6n7PU0LHc=";
const std::string previous_v1 = "v1,tuoj6TvC91Gk+9/Qa64261NCdhenO1492gcdisxxQeg=";

const VerifyOptions at_signing{.now = timestamp, .tolerance = 300s};

DeliveryHeaders standard(const std::string& signature) {
    return {.webhook_id = id, .webhook_timestamp = "1767225600", .webhook_signature = signature};
}

Result<SignatureMatch> verify(const DeliveryHeaders& headers, const std::vector<std::string>& secrets = {secret},
                              const VerifyOptions& options = at_signing, const std::string& payload = body) {
    return verify_delivery(headers, payload, secrets, options);
}

int status_of(const Result<SignatureMatch>& result) { return result ? 200 : result.error().context.http_status; }

/// What a Standard Webhooks signature covers: "ID.TIMESTAMP.BODY".
std::string signed_content(const std::string& timestamp_text) {
    return id + "." + timestamp_text + "." + body;
}

} // namespace

TEST_CASE("signing gives the header values Python's hmac and base64 give") {
    const auto signature = sign_delivery(secret, body, id, timestamp);
    REQUIRE(signature.has_value());
    CHECK(signature->hub_signature_256 == expected_hub);
    CHECK(signature->webhook_id == id);
    CHECK(signature->webhook_timestamp == "1767225600");
    CHECK(signature->webhook_signature == expected_v1);
}

TEST_CASE("the key is the secret string's bytes, whsec_ prefix included, unlike the Standard Webhooks libraries") {
    // The Standard Webhooks specification's example: its libraries decode the
    // base64 after whsec_ and get v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=.
    const std::string whsec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const std::string example_body = R"({"test": 2432232314})";
    const auto signature = sign_delivery(whsec, example_body, "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                         std::chrono::sys_seconds{1614265330s});
    REQUIRE(signature.has_value());
    CHECK(signature->webhook_signature == "v1,TcxlhK9b6UD6iVI1ZU2tTqp8PEVfYRseNNfa6b+LcUg=");
    CHECK(signature->hub_signature_256 == "sha256=gOyKic480iEzoQZsrstNBP6nRnZXyFFNcX7ELDilyUw=");

    const DeliveryHeaders theirs{.webhook_id = "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                 .webhook_timestamp = "1614265330",
                                 .webhook_signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="};
    CHECK(status_of(verify(theirs, {whsec}, {.now = std::chrono::sys_seconds{1614265330s}, .tolerance = 300s},
                           example_body)) == 401);
}

TEST_CASE("an empty secret neither signs nor verifies") {
    const auto signed_empty = sign_delivery("", body, id, timestamp);
    REQUIRE_FALSE(signed_empty.has_value());
    CHECK(signed_empty.error().kind == ErrorKind::invalid_input);

    // Anybody can compute an HMAC under the empty key: it must never be accepted.
    const auto refused = verify(standard(expected_v1), {""});
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().context.http_status == 500);
    // An empty candidate beside a real one is skipped, and the index still counts it.
    const auto match = verify(standard(expected_v1), {"", secret});
    REQUIRE(match.has_value());
    CHECK(match->secret_index == 1);
}

TEST_CASE("a Standard Webhooks signature verifies and says which scheme and secret matched") {
    const auto match = verify(standard(expected_v1));
    REQUIRE(match.has_value());
    CHECK(match->scheme == SignatureScheme::standard_webhooks);
    CHECK(match->secret_index == 0);
}

TEST_CASE("X-Hub-Signature-256 alone verifies, with no timestamp to check") {
    const VerifyOptions a_year_later{.now = timestamp + std::chrono::days{365}, .tolerance = 300s};
    const auto match = verify({.hub_signature_256 = expected_hub}, {secret}, a_year_later);
    REQUIRE(match.has_value());
    CHECK(match->scheme == SignatureScheme::hub_signature_256);
}

TEST_CASE("the timestamp tolerance is inclusive at both edges and refuses one second beyond") {
    const auto at = [](std::chrono::seconds offset) {
        return status_of(verify(standard(expected_v1), {secret}, {.now = timestamp + offset, .tolerance = 300s}));
    };
    CHECK(at(300s) == 200);  // the delivery is exactly `tolerance` old
    CHECK(at(301s) == 400);  // one second too old
    CHECK(at(-300s) == 200); // exactly `tolerance` in the future
    CHECK(at(-301s) == 400); // one second too far in the future

    const auto stale = verify(standard(expected_v1), {secret}, {.now = timestamp + 301s, .tolerance = 300s});
    CHECK(stale.error().message == "webhook-timestamp is 301 s in the past, outside the tolerance of 300 s");
    CHECK(stale.error().kind == ErrorKind::invalid_input);
    const auto future = verify(standard(expected_v1), {secret}, {.now = timestamp - 301s, .tolerance = 300s});
    CHECK(future.error().message == "webhook-timestamp is 301 s in the future, outside the tolerance of 300 s");
}

TEST_CASE("during a rotation either secret verifies, and two signatures may be sent") {
    const std::vector<std::string> both{secret, previous_secret};
    // The tenant still retrying with the old secret.
    auto match = verify(standard(previous_v1), both);
    REQUIRE(match.has_value());
    CHECK(match->secret_index == 1);
    match = verify({.hub_signature_256 = previous_hub}, both);
    REQUIRE(match.has_value());
    CHECK(match->secret_index == 1);
    // A sender signing with both secrets at once: any valid one is enough.
    match = verify(standard(previous_v1 + " " + expected_v1), {secret});
    REQUIRE(match.has_value());
    CHECK(match->secret_index == 0);
    match = verify(standard(expected_v1 + " " + previous_v1), {previous_secret});
    REQUIRE(match.has_value());
    // After the grace period only the new secret is a candidate.
    CHECK(status_of(verify(standard(previous_v1), {secret})) == 401);
}

TEST_CASE("unknown signature versions are ignored") {
    CHECK(status_of(verify(standard("v1a,AAAA v2," + expected_v1.substr(3) + " " + expected_v1))) == 200);
    const auto only_unknown = verify(standard("v1a," + expected_v1.substr(3)));
    CHECK(status_of(only_unknown) == 401);
    CHECK(only_unknown.error().message == "webhook-signature holds no v1 signature");
}

TEST_CASE("a tampered body, id or timestamp is refused with 401") {
    std::string tampered = body;
    tampered[20] ^= 1;
    CHECK(status_of(verify(standard(expected_v1), {secret}, at_signing, tampered)) == 401);
    CHECK(status_of(verify({.hub_signature_256 = expected_hub}, {secret}, at_signing, tampered)) == 401);
    CHECK(status_of(verify(standard(expected_v1), {secret}, at_signing, body + " ")) == 401);

    auto other_id = standard(expected_v1);
    other_id.webhook_id = "msg_other";
    CHECK(status_of(verify(other_id)) == 401);
    auto other_time = standard(expected_v1);
    other_time.webhook_timestamp = "1767225601";
    CHECK(status_of(verify(other_time, {secret}, at_signing)) == 401);
    CHECK(status_of(verify(standard(expected_v1), {"hookwarden-test-secret-012345678"})) == 401);
}

TEST_CASE("truncated or invalid base64 is refused, never thrown") {
    const std::string mac = expected_v1.substr(3);
    for (const std::string& bad : {mac.substr(0, 43), mac.substr(0, 40), mac + "AAAA", std::string(""),
                                   "!" + mac.substr(1), mac.substr(0, 42) + "F=", // stray bits before '='
                                   std::string("=") + mac.substr(1), mac.substr(0, 43) + "A"}) {
        CAPTURE(bad);
        CHECK(status_of(verify(standard("v1," + bad))) == 401);
        CHECK(status_of(verify({.hub_signature_256 = "sha256=" + bad})) == 401);
    }
    CHECK(status_of(verify({.hub_signature_256 = expected_hub.substr(7)})) == 401); // no sha256= prefix
    CHECK(status_of(verify({.hub_signature_256 = "sha1=" + expected_hub.substr(7)})) == 401);
}

TEST_CASE("header values are trimmed of the blanks HTTP allows around them") {
    // The views must outlive the call: keep the strings.
    const std::string id_text = " " + id, signature_text = "  " + expected_v1 + "  ";
    const DeliveryHeaders headers{.webhook_id = id_text, .webhook_timestamp = "1767225600\t",
                                  .webhook_signature = signature_text};
    CHECK(status_of(verify(headers)) == 200);
    const std::string hub_text = " " + expected_hub + " ";
    CHECK(status_of(verify({.hub_signature_256 = hub_text})) == 200);
}

TEST_CASE("each refusal has its status and a reason") {
    const auto none = verify({});
    CHECK(status_of(none) == 401);
    CHECK(none.error().kind == ErrorKind::unauthorized);

    auto no_id = standard(expected_v1);
    no_id.webhook_id.reset();
    CHECK(status_of(verify(no_id)) == 400);
    auto no_time = standard(expected_v1);
    no_time.webhook_timestamp.reset();
    CHECK(status_of(verify(no_time)) == 400);

    // A malformed timestamp is judged after the signature, which covers it:
    // signed, it is a 400; unsigned, just a bad signature.
    for (const std::string malformed : {"", "-1767225600", "+1767225600", "1767225600.0", "0x69",
                                        "99999999999999999999", "17672 25600"}) {
        CAPTURE(malformed);
        // HMAC(secret, "ID.TIMESTAMP.BODY") is the X-Hub MAC of that string.
        const std::string mac =
            sign_delivery(secret, signed_content(malformed), id, timestamp)->hub_signature_256.substr(7);
        const std::string signature = "v1," + mac; // outlives the header views
        DeliveryHeaders headers = standard(signature);
        headers.webhook_timestamp = malformed;
        const auto refused = verify(headers);
        CHECK(status_of(refused) == 400);
        CHECK(refused.error().message.starts_with("webhook-timestamp is not unix seconds"));
        headers.webhook_signature = "v1,AAAA";
        CHECK(status_of(verify(headers)) == 401);
    }
}

TEST_CASE("Standard Webhooks headers take precedence over X-Hub-Signature-256") {
    // A stale Standard Webhooks delivery is not rescued by a valid X-Hub signature.
    DeliveryHeaders both = standard(expected_v1);
    both.hub_signature_256 = expected_hub;
    CHECK(status_of(verify(both, {secret}, {.now = timestamp + 3600s, .tolerance = 300s})) == 400);
    // Nor is a bad v1 signature.
    both.webhook_signature = previous_v1;
    CHECK(status_of(verify(both)) == 401);
}
