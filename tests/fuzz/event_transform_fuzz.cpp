// Fuzzes the event transform of SPEC §7, the work of `hookwarden transform`
// and of `receive`: the bytes are one event, parsed as JSON and given to
// check_event and, when it finds nothing wrong, transform_event; the same
// bytes are also given to the RFC 3339 parser the timestamp check uses.
//
// Invariants: a refused event names each problem by a JSON path, in one
// line, and transform_event refuses it too with the std::logic_error it
// documents; an accepted one becomes the documented record (members in
// order, routing key, "unknown" actor name, metadata keys in input order),
// which survives a round trip through text; a parsed date-time formats
// (format_rfc3339) to text that parses to the same millisecond.
#include "core/event/event_transform.hpp"
#include "core/rfc3339_time.hpp"
#include "core/snapshot/status_file.hpp"
#include "tests/fuzz/fuzz_invariants.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

using namespace hookwarden;
using fuzz::require;
namespace json = boost::json;

namespace {

const std::chrono::system_clock::time_point received_at{std::chrono::milliseconds(1'772'323'200'123)};

void check_refused(const json::value& event, const std::vector<EventProblem>& problems) {
    for (const EventProblem& problem : problems)
        require(problem.path.starts_with('$') && !fuzz::has_control_character(problem.format()),
                "an event problem is not `$PATH: MESSAGE` on one line", problem.format());
    try {
        (void)transform_event(event, received_at);
    } catch (const std::logic_error&) {
        return; // documented: a caller's bug
    }
    fuzz::broken("transform_event transformed an event check_event refuses", json::serialize(event));
}

void check_record(const json::object& in, const json::object& out) {
    const std::string text = json::serialize(out);
    static constexpr std::string_view order[] = {"event_type",         "actor_id",    "received_at",
                                                 "original_timestamp", "routing_key", "attributes"};
    require(out.size() == std::size(order), "the record has other members than the documented ones", text);
    std::size_t i = 0;
    for (const auto& member : out)
        require(member.key() == order[i++], "the record's members are out of order", text);

    const json::string& type = in.at("eventType").get_string();
    std::string routing_key = "system.";
    for (const char c : type)
        routing_key += c == ':' ? '_' : c;
    require(out.at("event_type") == type && out.at("routing_key") == routing_key.c_str(),
            "the record's event type or routing key is not the event's", text);
    const json::object& actor = in.at("actor").get_object();
    require(out.at("actor_id") == actor.at("id") && out.at("original_timestamp") == in.at("timestamp") &&
                out.at("received_at") == format_rfc3339(received_at).c_str(),
            "the record's actor, timestamp or received_at is not the event's", text);
    const json::object& attributes = out.at("attributes").get_object();
    const json::value* name = actor.if_contains("name");
    require(attributes.at("actor_name") == (name ? *name : json::value("unknown")),
            "the record's actor name is not the event's", text);
    json::array keys;
    if (const json::value* metadata = in.if_contains("metadata"))
        for (const auto& entry : metadata->get_object())
            keys.emplace_back(entry.key());
    require(attributes.at("metadata_keys") == keys, "the record's metadata keys are not the event's", text);
    require(json::parse(text) == json::value(out), "the record does not survive a round trip through text", text);
}

void check_time(std::string_view text) {
    const auto parsed = parse_rfc3339_strict(text);
    if (!parsed)
        return;
    using namespace std::chrono;
    // format_rfc3339 takes system_clock's nanoseconds: the years 1678..2261.
    if (*parsed < time_point_cast<microseconds>(sys_days{year{1678} / 1 / 1}) ||
        *parsed >= time_point_cast<microseconds>(sys_days{year{2262} / 1 / 1}))
        return;
    const auto instant = time_point_cast<system_clock::duration>(*parsed);
    const std::string formatted = format_rfc3339(instant);
    const auto again = parse_rfc3339_strict(formatted);
    require(again && *again == floor<milliseconds>(*parsed), "a parsed date-time does not format back to itself",
            std::string(text) + " -> " + formatted);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check_time(text);

    boost::system::error_code ec;
    const json::value event = json::parse(text, ec);
    if (ec)
        return 0;
    const auto problems = check_event(event);
    if (!problems.empty()) {
        check_refused(event, problems);
        return 0;
    }
    check_record(event.get_object(), transform_event(event, received_at));
    return 0;
}
