#include "tests/emulator/emulator_validation.hpp"

#include "core/iso8601_duration.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <set>

namespace hookwarden::emulator {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxNameLength = 128;
constexpr std::size_t kMaxEventTypes = 50;
constexpr int kMaxRetries = 10;

bool is_lower(char c) {
    return c >= 'a' && c <= 'z';
}
bool is_alnum(char c) {
    return is_lower(c) || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// `^[a-z][a-zA-Z0-9]*(:[a-zA-Z0-9_.]+)+$`, spelled out (std::regex costs a
/// compile per process and trips a GCC 12 warning at -O2).
bool is_event_type(std::string_view text) {
    if (text.empty() || !is_lower(text[0]))
        return false;
    std::size_t i = 1;
    while (i < text.size() && is_alnum(text[i]))
        ++i;
    bool any_segment = false;
    while (i < text.size()) {
        if (text[i++] != ':')
            return false;
        const std::size_t start = i;
        while (i < text.size() && (is_alnum(text[i]) || text[i] == '_' || text[i] == '.'))
            ++i;
        if (i == start)
            return false; // an empty segment
        any_segment = true;
    }
    return any_segment;
}

class Checker : public FieldChecker {
  public:
    void name(const json::object& body) {
        const auto* v = member(body, "name");
        if (!v)
            return add("name", "missing.property", "name is required");
        if (!v->is_string())
            return add("name", "invalid.type", "name must be a string");
        const auto& name = v->get_string();
        if (name.empty() || name.size() > kMaxNameLength)
            return add("name", "invalid.value", "name must be 1 to 128 characters long");
        for (const char c : name) {
            const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            if (!ok)
                return add("name", "invalid.value",
                           "name may only contain letters, digits, '.', '_' and '-'");
        }
    }

    void event_types(const json::object& body) {
        const auto* v = member(body, "eventTypes");
        if (!v)
            return add("eventTypes", "missing.property", "eventTypes is required");
        if (!v->is_array())
            return add("eventTypes", "invalid.type", "eventTypes must be an array of strings");
        const auto& events = v->get_array();
        if (events.empty() || events.size() > kMaxEventTypes)
            return add("eventTypes", "invalid.value", "eventTypes must list 1 to 50 event types");
        std::set<std::string_view> seen;
        for (std::size_t i = 0; i < events.size(); ++i) {
            const std::string field = "eventTypes[" + std::to_string(i) + "]";
            if (!events[i].is_string()) {
                add(field, "invalid.type", field + " must be a string");
                continue;
            }
            const std::string_view event = events[i].get_string();
            if (!is_event_type(event))
                add(field, "invalid.value",
                    field + " '" + std::string(event) +
                        "' is not an event type like 'user:login' or 'routing:queue.created'");
            else if (!seen.insert(event).second)
                add(field, "duplicate.value",
                    field + " '" + std::string(event) + "' is listed more than once");
        }
    }

    void endpoint_url(const json::object& body) {
        const auto* v = member(body, "endpointUrl");
        if (!v)
            return add("endpointUrl", "missing.property", "endpointUrl is required");
        if (!v->is_string())
            return add("endpointUrl", "invalid.type", "endpointUrl must be a string");
        const auto url = boost::urls::parse_absolute_uri(v->get_string());
        if (!url)
            return add("endpointUrl", "invalid.value", "endpointUrl must be an absolute URL");
        if (url->scheme_id() != boost::urls::scheme::https)
            return add("endpointUrl", "invalid.value", "endpointUrl must use https");
        if (!url->has_authority() || url->encoded_host().empty())
            return add("endpointUrl", "invalid.value", "endpointUrl must name a host");
    }

    void retry_policy(const json::object& body) {
        const auto* v = member(body, "retryPolicy");
        if (!v)
            return; // the tenant applies the default policy
        if (!v->is_object())
            return add("retryPolicy", "invalid.type", "retryPolicy must be an object");
        const auto& policy = v->get_object();
        if (const auto* interval = member(policy, "retryInterval")) {
            if (!interval->is_string()) {
                add("retryPolicy.retryInterval", "invalid.type",
                    "retryPolicy.retryInterval must be a string");
            } else {
                // core's reading, the one SPEC §2 and the manifest loader use:
                // days, hours, minutes and whole seconds, nothing else.
                const auto d = hookwarden::parse_iso8601_duration(interval->get_string());
                if (!d || *d < min_retry_interval || *d > max_retry_interval)
                    add("retryPolicy.retryInterval", "invalid.value",
                        "retryPolicy.retryInterval must be an ISO-8601 duration from PT1S to P1D");
            }
        }
        if (const auto* retries = member(policy, "maxRetries")) {
            const auto n = retries->is_int64()    ? std::optional(retries->get_int64())
                           : retries->is_uint64() ? std::optional<std::int64_t>(kMaxRetries + 1)
                                                  : std::nullopt;
            if (!n)
                add("retryPolicy.maxRetries", "invalid.type",
                    "retryPolicy.maxRetries must be an integer");
            else if (*n < 0 || *n > kMaxRetries)
                add("retryPolicy.maxRetries", "invalid.value",
                    "retryPolicy.maxRetries must be from 0 to 10");
        }
    }

    void typed(const json::object& body, std::string_view key,
               bool (json::value::*is)() const noexcept, const char* what) {
        const auto* v = member(body, key);
        if (v && !(v->*is)())
            add(std::string(key), "invalid.type", std::string(key) + " must be " + what);
    }
};

} // namespace

void FieldChecker::add(std::string field, std::string code, std::string message) {
    problems.push_back({std::move(field), std::move(code), std::move(message)});
}

const json::value* FieldChecker::member(const json::object& object, std::string_view key) {
    const auto* v = object.if_contains(key);
    return (v && !v->is_null()) ? v : nullptr;
}

std::vector<FieldProblem> validate_webhook_body(const json::value& body) {
    Checker check;
    if (!body.is_object()) {
        check.add("body", "invalid.type", "the request body must be a JSON object");
        return check.problems;
    }
    const auto& object = body.get_object();
    check.name(object);
    check.event_types(object);
    check.endpoint_url(object);
    check.retry_policy(object);
    check.typed(object, "payloadTemplate", &json::value::is_string, "a string");
    check.typed(object, "enabled", &json::value::is_bool, "a boolean");
    check.typed(object, "secret", &json::value::is_string, "a string");
    if (const auto* version = Checker::member(object, "version");
        version && !version->is_int64() && !version->is_uint64())
        check.add("version", "invalid.type", "version must be an integer");
    return check.problems;
}

} // namespace hookwarden::emulator
