#include "tests/emulator/emulator_trigger_validation.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <initializer_list>

namespace hookwarden::emulator {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxNameCharacters = 128;
constexpr std::size_t kMaxDescriptionCharacters = 512;
constexpr std::int64_t kMinEventTtlSeconds = 10;
constexpr std::int64_t kMinDelaySeconds = 60;
constexpr std::int64_t kMaxDelaySeconds = 900;

constexpr std::string_view kOperators[] = {
    "Equal",    "NotEqual", "GreaterThan", "GreaterThanOrEqual", "LessThan", "LessThanOrEqual",
    "In",       "NotIn",    "Contains",    "All",                "Exists",   "Size"};
constexpr std::string_view kDataFormats[] = {"Json", "TopLevelPrimitives"};

/// Characters (code points) of valid UTF-8, which Boost.JSON guarantees.
std::size_t characters(std::string_view text) {
    return std::size_t(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
    }));
}

/// Whether `text` holds a control character: C0, DEL or C1 (U+0080..U+009F).
bool has_control_character(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x20 || byte == 0x7f)
            return true;
        if (byte == 0xc2 && i + 1 < text.size() &&
            static_cast<unsigned char>(text[i + 1]) <= 0x9f)
            return true;
    }
    return false;
}

template <std::size_t N>
bool one_of(std::string_view text, const std::string_view (&choices)[N]) {
    return std::find(std::begin(choices), std::end(choices), text) != std::end(choices);
}

template <std::size_t N>
std::string listed(const std::string_view (&choices)[N]) {
    std::string out;
    for (const auto choice : choices)
        out += (out.empty() ? "" : ", ") + std::string(choice);
    return out;
}

std::optional<std::int64_t> integer_of(const json::value& v) {
    if (v.is_int64())
        return v.get_int64();
    if (v.is_uint64())
        return v.get_uint64() > std::uint64_t(INT64_MAX) ? INT64_MAX
                                                         : std::int64_t(v.get_uint64());
    return std::nullopt;
}

class TriggerChecker : public FieldChecker {
  public:
    /// Reports every member of `object` not in `known`; `prefix` locates it.
    void only_known(const json::object& object, std::initializer_list<std::string_view> known,
                    const std::string& prefix) {
        for (const auto& m : object)
            if (std::find(known.begin(), known.end(), m.key()) == known.end())
                add(prefix + std::string(m.key()), "unknown.property",
                    prefix + std::string(m.key()) + " is not a member of a trigger" +
                        (prefix.empty() ? "" : "'s " + prefix.substr(0, prefix.size() - 1)));
    }

    /// A required string member; null when missing or not a string (reported).
    const json::string* string(const json::object& object, std::string_view key,
                               const std::string& field) {
        const auto* v = member(object, key);
        if (!v) {
            add(field, "missing.property", field + " is required");
            return nullptr;
        }
        if (!v->is_string()) {
            add(field, "invalid.type", field + " must be a string");
            return nullptr;
        }
        return &v->get_string();
    }

    void name(const json::object& body) {
        const auto* name = string(body, "name", "name");
        if (!name)
            return;
        const std::string_view text = *name;
        if (text.empty() || characters(text) > kMaxNameCharacters)
            return add("name", "invalid.value", "name must be 1 to 128 characters long");
        if (has_control_character(text))
            return add("name", "invalid.value", "name must hold printable characters only");
        if (text.front() == ' ' || text.back() == ' ')
            return add("name", "invalid.value", "name must not begin or end with a space");
    }

    void topic_name(const json::object& body, const std::vector<std::string>* topics) {
        const auto* topic = string(body, "topicName", "topicName");
        if (!topic || !topics)
            return;
        if (std::find(topics->begin(), topics->end(), std::string_view(*topic)) == topics->end())
            add("topicName", "invalid.value",
                "topicName '" + std::string(*topic) +
                    "' is not one of the topics listed by "
                    "/api/v2/processautomation/triggers/topics");
    }

    void target(const json::object& body) {
        const auto* v = member(body, "target");
        if (!v)
            return add("target", "missing.property", "target is required");
        if (!v->is_object())
            return add("target", "invalid.type", "target must be an object");
        const auto& target = v->get_object();
        only_known(target, {"type", "id", "workflowTargetSettings"}, "target.");
        if (const auto* type = string(target, "type", "target.type"); type && *type != "Workflow")
            add("target.type", "invalid.value",
                "target.type must be Workflow, not '" + std::string(*type) + "'");
        if (const auto* id = string(target, "id", "target.id"); id && id->empty())
            add("target.id", "invalid.value", "target.id must name the workflow");
        const auto* settings = member(target, "workflowTargetSettings");
        if (!settings)
            return;
        if (!settings->is_object())
            return add("target.workflowTargetSettings", "invalid.type",
                       "target.workflowTargetSettings must be an object");
        only_known(settings->get_object(), {"dataFormat"}, "target.workflowTargetSettings.");
        const auto* format = member(settings->get_object(), "dataFormat");
        const std::string field = "target.workflowTargetSettings.dataFormat";
        if (format && !format->is_string())
            add(field, "invalid.type", field + " must be a string");
        else if (format && !one_of(format->get_string(), kDataFormats))
            add(field, "invalid.value", field + " must be one of " + listed(kDataFormats));
    }

    void match_criteria(const json::object& body) {
        const auto* v = member(body, "matchCriteria");
        if (!v)
            return;
        if (!v->is_array())
            return add("matchCriteria", "invalid.type", "matchCriteria must be an array");
        const auto& criteria = v->get_array();
        for (std::size_t i = 0; i < criteria.size(); ++i) {
            const std::string field = "matchCriteria[" + std::to_string(i) + "]";
            if (!criteria[i].is_object()) {
                add(field, "invalid.type", field + " must be an object");
                continue;
            }
            criterion(criteria[i].get_object(), field);
        }
    }

    void criterion(const json::object& c, const std::string& field) {
        only_known(c, {"jsonPath", "operator", "value", "values"}, field + ".");
        if (const auto* path = string(c, "jsonPath", field + ".jsonPath"); path && path->empty())
            add(field + ".jsonPath", "invalid.value", field + ".jsonPath must not be empty");
        if (const auto* op = string(c, "operator", field + ".operator");
            op && !one_of(*op, kOperators))
            add(field + ".operator", "invalid.value",
                field + ".operator must be one of " + listed(kOperators));
        const auto* value = member(c, "value");
        const auto* values = member(c, "values");
        if (value && (value->is_object() || value->is_array()))
            add(field + ".value", "invalid.type",
                field + ".value must be a string, number or boolean (use values for a list)");
        if (values && !values->is_array())
            add(field + ".values", "invalid.type", field + ".values must be an array");
        if ((value == nullptr) == (values == nullptr))
            add(field, value ? "invalid.value" : "missing.property",
                field + " must have exactly one of value and values");
    }

    void enabled(const json::object& body) {
        const auto* v = member(body, "enabled");
        if (!v)
            return add("enabled", "missing.property", "enabled is required");
        if (!v->is_bool())
            add("enabled", "invalid.type", "enabled must be a boolean");
    }

    /// An optional integer member; nothing when absent or not an integer (reported).
    std::optional<std::int64_t> integer(const json::object& body, std::string_view key) {
        const auto* v = member(body, key);
        if (!v)
            return std::nullopt;
        const auto n = integer_of(*v);
        if (!n)
            add(std::string(key), "invalid.type", std::string(key) + " must be an integer");
        return n;
    }

    void timing(const json::object& body) {
        const auto ttl = integer(body, "eventTTLSeconds");
        const auto delay = integer(body, "delayBySeconds");
        if (ttl && *ttl < kMinEventTtlSeconds)
            add("eventTTLSeconds", "invalid.value", "eventTTLSeconds must be at least 10");
        if (delay && (*delay < kMinDelaySeconds || *delay > kMaxDelaySeconds))
            add("delayBySeconds", "invalid.value", "delayBySeconds must be from 60 to 900");
        if (ttl && delay)
            add("delayBySeconds", "invalid.value",
                "eventTTLSeconds and delayBySeconds cannot both be set");
    }

    void description(const json::object& body) {
        const auto* v = member(body, "description");
        if (!v)
            return;
        if (!v->is_string())
            return add("description", "invalid.type", "description must be a string");
        if (characters(v->get_string()) > kMaxDescriptionCharacters)
            add("description", "invalid.value", "description must be at most 512 characters long");
    }

    void read_only(const json::object& body) {
        if (const auto* id = member(body, "id"); id && !id->is_string())
            add("id", "invalid.type", "id must be a string");
        if (const auto* version = member(body, "version"); version && !integer_of(*version))
            add("version", "invalid.type", "version must be an integer");
        if (const auto* self = member(body, "selfUri"); self && !self->is_string())
            add("selfUri", "invalid.type", "selfUri must be a string");
    }
};

} // namespace

std::vector<FieldProblem> validate_trigger_body(const json::value& body,
                                                const std::vector<std::string>* topics) {
    TriggerChecker check;
    if (!body.is_object()) {
        check.add("body", "invalid.type", "the request body must be a JSON object");
        return check.problems;
    }
    const auto& object = body.get_object();
    check.only_known(object,
                     {"id", "name", "topicName", "target", "matchCriteria", "enabled",
                      "eventTTLSeconds", "delayBySeconds", "description", "version", "selfUri"},
                     "");
    check.name(object);
    check.topic_name(object, topics);
    check.target(object);
    check.match_criteria(object);
    check.enabled(object);
    check.timing(object);
    check.description(object);
    check.read_only(object);
    return check.problems;
}

bool is_shape_problem(const FieldProblem& problem) {
    return problem.error_code != "invalid.value";
}

json::object trigger_from_body(const json::object& body) {
    json::object trigger;
    for (const auto key : {"name", "topicName", "target", "matchCriteria", "enabled",
                           "eventTTLSeconds", "delayBySeconds", "description"})
        if (const auto* v = body.if_contains(key); v && !v->is_null())
            trigger[key] = *v;
    // A target sent without settings is kept without them, as the API does:
    // such a target runs in TopLevelPrimitives mode (the Terraform
    // provider's documentation), which the client must read, not assume Json.
    auto& target = trigger["target"].as_object();
    if (const auto* settings = target.if_contains("workflowTargetSettings");
        settings && settings->is_null())
        target.erase("workflowTargetSettings");
    if (auto* criteria = trigger.if_contains("matchCriteria"))
        for (auto& c : criteria->as_array()) {
            auto& criterion = c.as_object();
            for (const auto key : {"value", "values"})
                if (const auto* v = criterion.if_contains(key); v && v->is_null())
                    criterion.erase(key);
        }
    return trigger;
}

} // namespace hookwarden::emulator
