// Fuzzes the decoding of the tenant's Process Automation trigger answers
// (SPEC §8): the bytes are an answer body, read as the client reads one —
// parse_json_answer, then read_trigger (trigger_from_json) and, on the same
// value, the cursor pages of triggers and of topics.
//
// Invariants: nothing the tenant sends is more than a `transport` error
// naming the operation, in one line; a trigger read is written back
// (trigger_to_json) as JSON that reads to the same trigger, as a value and
// through text, and its write body keeps every client-writable field; pages
// hold only triggers with an id.
#include "daemon/tenant/tenant_answers.hpp"
#include "daemon/tenant/trigger_json.hpp"
#include "tests/fuzz/wire_round_trip.hpp"

#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace hookwarden;
using fuzz::require;
namespace json = boost::json;

namespace {

const ErrorContext context{.operation = "GET /api/v2/processautomation/triggers"};

void check_refusal(const Error& error) { fuzz::check_malformed_answer(error, context); }

void check_round_trip(const Trigger& t) {
    fuzz::check_wire_round_trip(t, [](const Trigger& x) { return trigger_to_json(x); }, trigger_from_json);
    const std::string text = json::serialize(trigger_to_json(t));
    const auto body = trigger_from_json(trigger_to_json(t, TriggerJsonFields::write_body));
    require(body.has_value(), "a write body does not read back");
    require(body->name == t.name && body->topic_name == t.topic_name && body->target == t.target &&
                body->match_criteria == t.match_criteria && body->enabled == t.enabled &&
                body->event_ttl_seconds == t.event_ttl_seconds && body->delay_by_seconds == t.delay_by_seconds &&
                body->description == t.description && body->version == t.version,
            "a write body loses a client-writable field", text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const auto value = parse_json_answer(body, context);
    if (!value) {
        check_refusal(value.error());
        return 0;
    }
    if (const auto trigger = read_trigger(*value, context)) {
        require(!trigger->id.empty(), "a trigger without an id was read");
        check_round_trip(*trigger);
    } else {
        check_refusal(trigger.error());
    }
    if (const auto page = read_trigger_page(*value, context)) {
        for (const Trigger& t : page->entities)
            require(!t.id.empty(), "a page entity without an id was read");
    } else {
        check_refusal(page.error());
    }
    if (const auto topics = read_topic_page(*value, context); !topics)
        check_refusal(topics.error());
    return 0;
}
