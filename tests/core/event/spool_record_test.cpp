// The spool's line format (core/event/spool_record.hpp).
#include "core/event/spool_record.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

using namespace hookwarden;
using namespace std::chrono_literals;
namespace json = boost::json;

TEST_CASE("a spool record is one JSON line: the delivery's facts, then the event") {
    DeliveryFacts facts;
    facts.id = "msg_1";
    facts.webhook = "SystemEventMonitor";
    facts.path = "/hooks/monitor";
    facts.received_at = std::chrono::system_clock::time_point{1767225600123ms};
    facts.scheme = SignatureScheme::standard_webhooks;
    facts.previous_secret = true;
    const json::object event{{"event_type", "user:login"}};

    const std::string line = spool_record_line(facts, event);
    CHECK(line ==
          R"({"delivery":{"id":"msg_1","webhook":"SystemEventMonitor","path":"/hooks/monitor",)"
          R"("receivedAt":"2026-01-01T00:00:00.123Z","signature":"standard-webhooks","previousSecret":true},)"
          R"("event":{"event_type":"user:login"}})"
          "\n");

    const auto back = spool_record_id(std::string_view(line).substr(0, line.size() - 1));
    REQUIRE(back);
    CHECK(back->id == "msg_1");
    CHECK(back->received_at == std::chrono::sys_seconds{1767225600s});
}

TEST_CASE("a delivery without webhook-id is spooled with a null id and gives none back") {
    DeliveryFacts facts;
    facts.webhook = "W";
    facts.path = "/p";
    facts.scheme = SignatureScheme::hub_signature_256;
    const std::string line = spool_record_line(facts, json::object{});
    CHECK(line.find(R"("id":null)") != std::string::npos);
    CHECK(line.find(R"("signature":"x-hub-signature-256")") != std::string::npos);
    CHECK_FALSE(spool_record_id(line));
}

TEST_CASE("a line that is not a record gives no id") {
    CHECK_FALSE(spool_record_id(""));
    CHECK_FALSE(spool_record_id("{\"delivery\":{\"id\":\"x\""));
    CHECK_FALSE(spool_record_id(R"({"delivery":{"id":"x","receivedAt":"yesterday"}})"));
    CHECK_FALSE(spool_record_id("[1,2]"));
}
