#include "core/trigger_rules.hpp"

#include "core/state_store.hpp" // sha256_digest

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>

namespace hookwarden {

namespace json = boost::json;

json::array match_criteria_json(const std::vector<MatchCriterion>& criteria) {
    json::array out;
    for (const auto& c : criteria) {
        json::object entry{{"jsonPath", c.json_path}, {"operator", c.op}};
        if (c.value)
            entry["value"] = *c.value;
        if (c.values)
            entry["values"] = json::array(c.values->begin(), c.values->end());
        out.emplace_back(std::move(entry));
    }
    return out;
}

namespace {

// A value as it compares. Boost.JSON 1.81 parses a number of 16 or 17
// significant digits up to one unit in the last place off, so the tenant's
// answer may give back a double slightly other than the one the manifest
// holds and the client sent (found by tests/fuzz/trigger_json_fuzz:
// 1.5666666666666667 came back as 1.5666666666666669, a drift every cycle).
// Doubles compare by their first 15 significant digits.
json::value comparable(const json::value& value) {
    if (value.is_double()) {
        char text[32];
        if (std::snprintf(text, sizeof text, "%.15g", value.get_double()) < 0)
            return value;
        return std::strtod(text, nullptr);
    }
    if (value.is_array()) {
        json::array out;
        for (const auto& item : value.get_array())
            out.push_back(comparable(item));
        return out;
    }
    if (value.is_object()) {
        json::object out;
        for (const auto& member : value.get_object())
            out[member.key()] = comparable(member.value());
        return out;
    }
    return value;
}

// The criteria in an order that does not depend on how they were written.
std::vector<std::string> criteria_set(const std::vector<MatchCriterion>& criteria) {
    std::vector<std::string> out;
    for (const auto& entry : match_criteria_json(criteria))
        out.push_back(json::serialize(comparable(entry)));
    std::sort(out.begin(), out.end());
    return out;
}

json::value optional_int(const std::optional<int>& value) {
    return value ? json::value(*value) : json::value(nullptr);
}

// The data format a trigger has when none is set: the API's default.
const std::string& data_format(const TriggerTarget& target) {
    static const std::string json_format = "Json";
    return target.data_format.empty() ? json_format : target.data_format;
}

} // namespace

std::vector<FieldChange> diff_fields(const TriggerManifest& desired, const Trigger& observed) {
    std::vector<FieldChange> out;
    auto differs = [&out](const char* field, json::value old_value, json::value new_value) {
        if (old_value != new_value)
            out.push_back(field_change(field, std::move(old_value), std::move(new_value)));
    };
    differs("name", json::value(observed.name), json::value(desired.name));
    differs("topicName", json::value(observed.topic_name), json::value(desired.topic_name));
    differs("target.type", json::value(observed.target.type), json::value(desired.target.type));
    differs("target.id", json::value(observed.target.id), json::value(desired.target.id));
    differs("target.dataFormat", json::value(data_format(observed.target)),
            json::value(data_format(desired.target)));
    if (criteria_set(desired.match_criteria) != criteria_set(observed.match_criteria))
        out.push_back(field_change("matchCriteria", match_criteria_json(observed.match_criteria),
                                   match_criteria_json(desired.match_criteria)));
    differs("enabled", json::value(observed.enabled), json::value(desired.enabled));
    differs("eventTTLSeconds", optional_int(observed.event_ttl_seconds),
            optional_int(desired.event_ttl_seconds));
    differs("delayBySeconds", optional_int(observed.delay_by_seconds),
            optional_int(desired.delay_by_seconds));
    differs("description", json::value(observed.description), json::value(desired.description));
    return out;
}

std::vector<FieldChange> creation_fields(const TriggerManifest& desired) {
    std::vector<FieldChange> out{
        field_change("name", std::nullopt, json::value(desired.name)),
        field_change("topicName", std::nullopt, json::value(desired.topic_name)),
        field_change("target.type", std::nullopt, json::value(desired.target.type)),
        field_change("target.id", std::nullopt, json::value(desired.target.id)),
        field_change("target.dataFormat", std::nullopt, json::value(data_format(desired.target))),
        field_change("enabled", std::nullopt, json::value(desired.enabled)),
    };
    if (!desired.match_criteria.empty())
        out.push_back(field_change("matchCriteria", std::nullopt,
                                   match_criteria_json(desired.match_criteria)));
    if (desired.event_ttl_seconds)
        out.push_back(field_change("eventTTLSeconds", std::nullopt, *desired.event_ttl_seconds));
    if (desired.delay_by_seconds)
        out.push_back(field_change("delayBySeconds", std::nullopt, *desired.delay_by_seconds));
    if (!desired.description.empty())
        out.push_back(field_change("description", std::nullopt, json::value(desired.description)));
    return out;
}

std::string applied_digest(const TriggerManifest& desired) {
    json::array criteria;
    for (const auto& entry : criteria_set(desired.match_criteria))
        criteria.emplace_back(entry);
    const json::object canonical{
        {"kind", "trigger"},
        {"name", desired.name},
        {"topicName", desired.topic_name},
        {"targetType", desired.target.type},
        {"targetId", desired.target.id},
        {"dataFormat", data_format(desired.target)},
        {"matchCriteria", std::move(criteria)},
        {"enabled", desired.enabled},
        {"eventTTLSeconds", optional_int(desired.event_ttl_seconds)},
        {"delayBySeconds", optional_int(desired.delay_by_seconds)},
        {"description", desired.description},
    };
    return sha256_digest(json::serialize(canonical));
}

std::string observed_digest(const Trigger& observed) {
    TriggerManifest as_sent;
    as_sent.name = observed.name;
    as_sent.topic_name = observed.topic_name;
    as_sent.target = observed.target;
    as_sent.match_criteria = observed.match_criteria;
    as_sent.enabled = observed.enabled;
    as_sent.event_ttl_seconds = observed.event_ttl_seconds;
    as_sent.delay_by_seconds = observed.delay_by_seconds;
    as_sent.description = observed.description;
    return applied_digest(as_sent);
}

Trigger desired_body(const TriggerManifest& desired) {
    Trigger body;
    body.name = desired.name;
    body.topic_name = desired.topic_name;
    body.target = desired.target;
    body.target.data_format = data_format(desired.target);
    body.match_criteria = desired.match_criteria;
    body.enabled = desired.enabled;
    body.event_ttl_seconds = desired.event_ttl_seconds;
    body.delay_by_seconds = desired.delay_by_seconds;
    body.description = desired.description;
    return body;
}

std::optional<std::string> replace_reason(const TriggerManifest& desired, const Trigger& observed) {
    if (desired.topic_name == observed.topic_name)
        return std::nullopt;
    return "topicName is fixed after creation (" + observed.topic_name + " -> " +
           desired.topic_name + "): the trigger is deleted and created again, with a new id";
}

} // namespace hookwarden
