#include "core/event/event_transform.hpp"

#include "core/rfc3339_time.hpp"
#include "core/snapshot/status_file.hpp" // format_rfc3339

#include <boost/json.hpp>

#include <stdexcept>

namespace hookwarden {

namespace json = boost::json;

namespace {

/// Checks that `parent[key]` exists (when `required`) and has the type
/// `is_type` tests; returns the member when it is there with that type.
template <class IsType>
const json::value* member(const json::object& parent, std::string_view key, const std::string& path,
                          bool required, const char* type_phrase, IsType is_type,
                          std::vector<EventProblem>& problems) {
    const json::value* value = parent.if_contains(key);
    if (!value) {
        if (required)
            problems.push_back({path, "required"});
        return nullptr;
    }
    if (!is_type(*value)) {
        problems.push_back({path, std::string("must be ") + type_phrase});
        return nullptr;
    }
    return value;
}

bool is_string(const json::value& v) { return v.is_string(); }
bool is_object(const json::value& v) { return v.is_object(); }

} // namespace

std::string EventProblem::format() const { return path + ": " + message; }

std::vector<EventProblem> check_event(const json::value& event) {
    std::vector<EventProblem> problems;
    const json::object* root = event.if_object();
    if (!root) {
        problems.push_back({"$", "must be an object"});
        return problems;
    }
    member(*root, "eventType", "$.eventType", true, "a string", is_string, problems);
    if (auto* timestamp = member(*root, "timestamp", "$.timestamp", true, "a string", is_string, problems);
        timestamp && !parse_rfc3339_strict(timestamp->get_string()))
        problems.push_back({"$.timestamp", "not an RFC 3339 date-time"});
    if (auto* actor = member(*root, "actor", "$.actor", true, "an object", is_object, problems)) {
        member(actor->get_object(), "id", "$.actor.id", true, "a string", is_string, problems);
        member(actor->get_object(), "name", "$.actor.name", false, "a string", is_string, problems);
    }
    member(*root, "metadata", "$.metadata", false, "an object", is_object, problems);
    return problems;
}

json::object transform_event(const json::value& event, std::chrono::system_clock::time_point received_at) {
    if (!check_event(event).empty())
        throw std::logic_error("transform_event called on an event that check_event refuses");
    const json::object& root = event.get_object();
    const json::object& actor = root.at("actor").get_object();
    const json::string& event_type = root.at("eventType").get_string();

    std::string routing_key = "system.";
    routing_key.append(event_type.begin(), event_type.end());
    for (std::size_t i = 7; i < routing_key.size(); ++i)
        if (routing_key[i] == ':')
            routing_key[i] = '_';

    json::array metadata_keys;
    if (const json::value* metadata = root.if_contains("metadata"))
        for (const auto& entry : metadata->get_object())
            metadata_keys.emplace_back(entry.key());

    const json::value* name = actor.if_contains("name");
    json::object out;
    out.reserve(6);
    out.emplace("event_type", event_type);
    out.emplace("actor_id", actor.at("id"));
    out.emplace("received_at", format_rfc3339(received_at));
    out.emplace("original_timestamp", root.at("timestamp"));
    out.emplace("routing_key", routing_key);
    json::object attributes;
    attributes.emplace("actor_name", name ? *name : json::value("unknown"));
    attributes.emplace("metadata_keys", std::move(metadata_keys));
    out.emplace("attributes", std::move(attributes));
    return out;
}

} // namespace hookwarden
