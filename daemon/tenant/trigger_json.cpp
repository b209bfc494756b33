#include "daemon/tenant/trigger_json.hpp"
#include "daemon/tenant/json_members.hpp"

#include <boost/json.hpp>

namespace hookwarden {
namespace json = boost::json;

namespace {

json::object criterion_to_json(const MatchCriterion& c) {
    json::object o{{"jsonPath", c.json_path}, {"operator", c.op}};
    if (c.value)
        o["value"] = *c.value;
    if (c.values)
        o["values"] = json::array(c.values->begin(), c.values->end());
    return o;
}

} // namespace

json::object trigger_to_json(const Trigger& t, TriggerJsonFields fields) {
    const bool resource = fields == TriggerJsonFields::resource;
    json::object o;
    if (resource && !t.id.empty())
        o["id"] = t.id;
    o["name"] = t.name;
    o["topicName"] = t.topic_name;
    o["target"] = json::object{{"type", t.target.type},
                               {"id", t.target.id},
                               {"workflowTargetSettings", json::object{{"dataFormat", t.target.data_format}}}};
    if (resource || t.version != 0)
        o["version"] = t.version;
    o["enabled"] = t.enabled;
    json::array criteria;
    for (const auto& c : t.match_criteria)
        criteria.push_back(criterion_to_json(c));
    o["matchCriteria"] = std::move(criteria);
    if (t.event_ttl_seconds)
        o["eventTTLSeconds"] = *t.event_ttl_seconds;
    if (t.delay_by_seconds)
        o["delayBySeconds"] = *t.delay_by_seconds;
    if (!t.description.empty())
        o["description"] = t.description;
    if (resource && !t.self_uri.empty())
        o["selfUri"] = t.self_uri;
    return o;
}

namespace {

void read_target(JsonMembers& r, TriggerTarget& target) {
    const auto* object = r.object("target");
    if (!object)
        return;
    auto t = r.nested(*object, "target");
    t.string("type", target.type);
    t.string("id", target.id);
    // A target without settings runs in TopLevelPrimitives mode (the API's
    // behaviour, as the Terraform provider documents it), not in the Json
    // mode a manifest defaults to: read so, an adopted trigger made without
    // them is shown as differing, and the write that follows says Json.
    target.data_format = "TopLevelPrimitives";
    if (const auto* settings = t.object("workflowTargetSettings")) {
        auto s = t.nested(*settings, "workflowTargetSettings");
        s.string("dataFormat", target.data_format);
        t.adopt(s);
    }
    r.adopt(t);
}

MatchCriterion read_criterion(JsonMembers& c) {
    MatchCriterion criterion;
    c.string("jsonPath", criterion.json_path);
    c.string("operator", criterion.op);
    if (const auto* value = c.value("value")) {
        if (value->is_object() || value->is_array())
            c.wrong("value", "a JSON scalar");
        else
            criterion.value = *value;
    }
    if (const auto* values = c.array("values"))
        criterion.values.emplace(values->begin(), values->end());
    return criterion;
}

void read_criteria(JsonMembers& r, std::vector<MatchCriterion>& out) {
    const auto* criteria = r.array("matchCriteria");
    if (!criteria)
        return;
    for (std::size_t i = 0; i < criteria->size(); ++i) {
        const std::string path = "matchCriteria[" + std::to_string(i) + "]";
        const auto& item = (*criteria)[i];
        if (!item.is_object()) {
            r.wrong(path, "an object");
            return;
        }
        auto c = r.nested(item.get_object(), path);
        out.push_back(read_criterion(c));
        r.adopt(c);
    }
}

} // namespace

Result<Trigger> trigger_from_json(const json::value& value) {
    if (!value.is_object())
        return make_error(ErrorKind::invalid_input, "a trigger must be a JSON object");
    Trigger t;
    JsonMembers r(value.get_object(), "trigger");
    r.string("id", t.id);
    r.integer("version", t.version);
    r.string("selfUri", t.self_uri);
    r.string("name", t.name);
    r.string("topicName", t.topic_name);
    read_target(r, t.target);
    read_criteria(r, t.match_criteria);
    r.boolean("enabled", t.enabled);
    r.integer("eventTTLSeconds", t.event_ttl_seconds);
    r.integer("delayBySeconds", t.delay_by_seconds);
    r.string("description", t.description);
    if (!r.error().empty())
        return make_error(ErrorKind::invalid_input, r.error(), ErrorContext{.webhook = t.name});
    return t;
}

} // namespace hookwarden
