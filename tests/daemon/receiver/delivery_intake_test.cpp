// One delivery through `receive`'s checks (daemon/receiver/delivery_intake.hpp),
// with a real spool on disk: each refusal and its code, the order of the
// checks, duplicates, and a rotation picked up without a restart.
#include "daemon/receiver/delivery_intake.hpp"

#include "core/event/delivery_signature.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/scratch_dir.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <future>

using namespace hookwarden;
using hookwarden::testing::ScratchDir;
using hookwarden::testing::lines_of;
using hookwarden::testing::read_text;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

const std::chrono::system_clock::time_point t0{1767225600s};
const std::string good_event =
    R"({"eventType":"user:login","timestamp":"2026-01-01T00:00:00Z","actor":{"id":"u-1","name":"Jane"},"metadata":{"ip":"x"}})";

/// A receiver with one route, /hooks/w → webhook W, whose secret is `secret`.
struct Receiver {
    ScratchDir dir;
    std::string secret = "secret-A";
    std::map<std::string, SecretRotation> rotations;
    std::unique_ptr<DeliverySpool> spool;
    DeliveryIntake::Routes routes;
    std::unique_ptr<DeliveryIntake> intake;

    Receiver() {
        SpoolOptions options;
        options.dir = dir / "spool";
        options.clock = [] { return t0; };
        spool = DeliverySpool::open(options).value();
        SecretReaders readers{
            [this](const std::string&, const SecretSource&) -> Result<std::string> {
                if (secret.empty())
                    return make_error(ErrorKind::io, "cannot read /run/credentials/x: Permission denied");
                return secret;
            },
            [](const std::string&) -> Result<std::optional<std::string>> { return std::nullopt; },
            [this]() -> Result<std::map<std::string, SecretRotation>> { return rotations; },
        };
        auto route = std::make_unique<RouteSecrets>(
            RouteDefinition{"/hooks/w", "W", SecretSource{SecretSource::Kind::file, "/x"}, 600s}, readers);
        // Read an hour ago (as far as the once-a-second limit is concerned).
        route->refresh(t0, std::chrono::steady_clock::now() - 1h, true);
        routes.emplace("/hooks/w", std::move(route));
        intake = std::make_unique<DeliveryIntake>(routes, *spool,
                                                  IntakeOptions{300s, [] { return t0; }});
    }

    IntakeAnswer deliver(const std::string& body, const std::string& id = "msg_1",
                         std::chrono::system_clock::time_point signed_at = t0,
                         const std::string& key = {}, const std::string& target = "/hooks/w") {
        const auto signature =
            sign_delivery(key.empty() ? secret : key, body, id, std::chrono::floor<std::chrono::seconds>(signed_at))
                .value();
        DeliveryHeaders headers;
        headers.hub_signature_256 = signature.hub_signature_256;
        headers.webhook_id = signature.webhook_id;
        headers.webhook_timestamp = signature.webhook_timestamp;
        headers.webhook_signature = signature.webhook_signature;
        return deliver_with(body, headers, target);
    }

    IntakeAnswer deliver_with(const std::string& body, const DeliveryHeaders& headers,
                              const std::string& target = "/hooks/w") {
        std::promise<IntakeAnswer> answer;
        intake->accept({target, headers, body}, [&](IntakeAnswer a) { answer.set_value(std::move(a)); });
        return answer.get_future().get();
    }

    std::vector<std::string> spooled() const { return lines_of(read_text(dir / "spool/current.jsonl")); }
};

} // namespace

TEST_CASE("a signed, valid event is transformed, spooled and answered 200") {
    Receiver r;
    const IntakeAnswer answer = r.deliver(good_event);
    CHECK(answer.status == 200);
    CHECK(answer.body == R"({"status":"accepted"})");
    CHECK(answer.webhook == "W");
    CHECK(answer.delivery_id == "msg_1");
    REQUIRE(r.spooled().size() == 1);
    const json::object record = json::parse(r.spooled()[0]).as_object();
    CHECK(record.at("delivery").at("id") == "msg_1");
    CHECK(record.at("delivery").at("webhook") == "W");
    CHECK(record.at("delivery").at("previousSecret") == false);
    CHECK(record.at("event").at("routing_key") == "system.user_login");
    CHECK(record.at("event").at("received_at") == "2026-01-01T00:00:00.000Z");
}

TEST_CASE("the request line is checked before the body: unknown path 404, other methods 405") {
    Receiver r;
    auto unknown = r.intake->check_head("POST", "/hooks/other?x=1");
    REQUIRE(unknown);
    CHECK(unknown->status == 404);
    CHECK(unknown->message == "no route for /hooks/other (receiver.routes)");
    auto get = r.intake->check_head("GET", "/hooks/w");
    REQUIRE(get);
    CHECK(get->status == 405);
    CHECK_FALSE(r.intake->check_head("POST", "/hooks/w?attempt=2"));
}

TEST_CASE("what a refusal quotes of the request is escaped: the answer stays JSON and the log line one line") {
    // Found by tests/fuzz/receiver_request_fuzz: a path that is not UTF-8
    // made the 404's body invalid JSON (a JSON string is UTF-8).
    Receiver r;
    const auto unknown = r.intake->check_head("POST", "/hooks/\x86\xd0w");
    REQUIRE(unknown);
    CHECK(unknown->status == 404);
    CHECK(unknown->message == "no route for /hooks/\\x86\\xd0w (receiver.routes)");
    CHECK(json::parse(unknown->body).at("message").as_string() == unknown->message.c_str());
    const auto method = r.intake->check_head("G\rET", "/hooks/w");
    REQUIRE(method);
    CHECK(method->message.find('\r') == std::string::npos);
}

TEST_CASE("a wrong signature is 401 even when the body is not JSON: the signature is checked first") {
    Receiver r;
    const IntakeAnswer answer = r.deliver("not json", "msg_1", t0, "someone-else");
    CHECK(answer.status == 401);
    CHECK(answer.delivery_id == "msg_1"); // for the log line, not trusted
    CHECK(r.spooled().empty());
    DeliveryHeaders none;
    CHECK(r.deliver_with(good_event, none).status == 401);
}

TEST_CASE("a stale or future timestamp is 400, checked before the body") {
    Receiver r;
    const IntakeAnswer stale = r.deliver("not json", "msg_1", t0 - 301s);
    CHECK(stale.status == 400);
    CHECK(stale.delivery_id == "msg_1");
    CHECK(r.deliver("not json", "msg_1", t0 + 301s).status == 400);
    const IntakeAnswer edge = r.deliver(good_event, "msg_edge", t0 - 300s);
    CHECK(edge.status == 200);
}

TEST_CASE("a body that is not a valid event is 400 naming the JSON path") {
    Receiver r;
    const IntakeAnswer not_json = r.deliver("{\"eventType\":", "msg_1");
    CHECK(not_json.status == 400);
    CHECK(not_json.message.starts_with("$: the body is not JSON"));
    const IntakeAnswer bad = r.deliver(R"({"eventType":"user:login","timestamp":"yesterday","actor":{}})", "msg_2");
    CHECK(bad.status == 400);
    CHECK(bad.message == "$.timestamp: not an RFC 3339 date-time; $.actor.id: required");
    CHECK(json::parse(bad.body).at("message").as_string() == bad.message);
    CHECK(r.spooled().empty());
}

TEST_CASE("a webhook-id that cannot be a key is 400") {
    Receiver r;
    CHECK(r.deliver(good_event, "has space").status == 400);
    CHECK(r.deliver(good_event, std::string(257, 'x')).status == 400);
    CHECK(r.deliver(good_event, std::string(256, 'x')).status == 200);
}

TEST_CASE("a repeated webhook-id is answered 200 and not spooled again") {
    Receiver r;
    CHECK(r.deliver(good_event, "msg_1").status == 200);
    const IntakeAnswer again = r.deliver(good_event, "msg_1");
    CHECK(again.status == 200);
    CHECK(again.body == R"({"status":"duplicate"})");
    CHECK(r.spooled().size() == 1);
}

TEST_CASE("a delivery signed only with X-Hub-Signature-256 is accepted without an id") {
    Receiver r;
    const auto signature = sign_delivery(r.secret, good_event, "unused", std::chrono::sys_seconds{}).value();
    DeliveryHeaders headers;
    headers.hub_signature_256 = signature.hub_signature_256;
    CHECK(r.deliver_with(good_event, headers).status == 200);
    CHECK(r.deliver_with(good_event, headers).status == 200); // nothing to de-duplicate by
    REQUIRE(r.spooled().size() == 2);
    CHECK(json::parse(r.spooled()[0]).at("delivery").at("signature") == "x-hub-signature-256");
}

TEST_CASE("a rotated secret is picked up by the first delivery signed with it, and the old one stays valid") {
    Receiver r;
    r.secret = "secret-B"; // apply rotated it; the receiver has not re-read yet
    CHECK(r.deliver(good_event, "msg_new", t0, "secret-B").status == 200);
    const IntakeAnswer old = r.deliver(good_event, "msg_old", t0, "secret-A"); // a retry signed before
    CHECK(old.status == 200);
    REQUIRE(r.spooled().size() == 2);
    CHECK(json::parse(r.spooled()[1]).at("delivery").at("previousSecret") == true);
}

TEST_CASE("a route whose secret cannot be read answers 503 so that the tenant retries") {
    Receiver r;
    r.secret.clear();
    r.routes.at("/hooks/w")->refresh(t0, std::chrono::steady_clock::now() + 1h, true);
    // The refresh dropped nothing: the held value is kept for the grace, so
    // a delivery signed with it still verifies...
    CHECK(r.deliver(good_event, "msg_1", t0, "secret-A").status == 200);
    // ...while one signed with anything else cannot be told apart from a
    // forgery, and nothing is known that could verify it: 401.
    CHECK(r.deliver(good_event, "msg_2", t0, "unknown").status == 401);
}

TEST_CASE("a route with no secret at all answers 503 with Retry-After, naming why") {
    ScratchDir dir;
    SpoolOptions options;
    options.dir = dir / "spool";
    auto spool = DeliverySpool::open(options).value();
    SecretReaders readers{
        [](const std::string&, const SecretSource&) -> Result<std::string> {
            return make_error(ErrorKind::not_found, "no generated secret is kept for W");
        },
        {},
        {},
    };
    DeliveryIntake::Routes routes;
    routes.emplace("/hooks/w", std::make_unique<RouteSecrets>(
                                   RouteDefinition{"/hooks/w", "W", SecretSource{}, 600s}, readers));
    DeliveryIntake intake(routes, *spool, IntakeOptions{300s, [] { return t0; }});
    const auto signature = sign_delivery("whatever", good_event, "msg_1", std::chrono::floor<std::chrono::seconds>(t0)).value();
    DeliveryHeaders headers{signature.hub_signature_256, signature.webhook_id, signature.webhook_timestamp,
                            signature.webhook_signature};
    std::promise<IntakeAnswer> promise;
    intake.accept({"/hooks/w", headers, good_event}, [&](IntakeAnswer a) { promise.set_value(std::move(a)); });
    const IntakeAnswer answer = promise.get_future().get();
    CHECK(answer.status == 503);
    CHECK(answer.retry_after == 30);
    CHECK(answer.message == "the secret of webhook W cannot be read: no generated secret is kept for W");
    // The sender learns to retry, not which file is missing.
    CHECK(answer.body == R"({"message":"deliveries to this path cannot be verified right now; retry later"})");
}
