// The Process Automation trigger API as the emulated tenant serves it
// (SPEC §8): cursor-paged lists of triggers and topics, create, read,
// full-replace update and delete, each behind its permission. Triggers are
// kept as JSON in the API's shape (emulator_trigger_validation.hpp builds
// it from a body); hookwarden's own trigger codec is not used here, so that
// a mistake in it cannot hide behind the same mistake in the tenant.
//
// The router (emulator_routes.cpp) has authenticated, rate-limited, counted
// and fault-checked the request before it comes here.
#include "tests/emulator/emulator_answers.hpp"

#include "tests/emulator/emulator_trigger_validation.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/url.hpp>
#include <charconv>
#include <variant>

namespace hookwarden::emulator {
namespace json = boost::json;

namespace {

constexpr std::string_view kTriggers = "/api/v2/processautomation/triggers";
constexpr std::string_view kTopics = "/api/v2/processautomation/triggers/topics";
constexpr int kDefaultPageSize = 25;
constexpr int kMaxPageSize = 200;

// The permissions, in the order of trigger_permissions().
enum class Permission { view, add, edit, remove };

HttpResponse missing_permission(const Call& call, const std::string& permission) {
    const std::string listed = "[" + permission + "]";
    auto body = error_body(call, 403, "missing.permissions",
                           "You are missing the following permission(s): " + listed);
    body["messageWithParams"] = "You are missing the following permission(s): {permissions}";
    body["messageParams"] = {{"permissions", listed}};
    return json_answer(403, body);
}

/// The 403 answer when the client lacks `permission`; nothing when it holds it.
std::optional<HttpResponse> refuse_without(Tenant& tenant, const Call& call, Permission permission) {
    const std::string& name = trigger_permissions().at(static_cast<std::size_t>(permission));
    if (tenant.has_permission(name))
        return std::nullopt;
    return missing_permission(call, name);
}

// --- Cursor paging -------------------------------------------------------------
//
// A cursor names a place in an ordered list: the key (a trigger's creation
// sequence, a topic's position from 1) of the last entity of a page (`after`)
// or of the first (`before`). It is opaque to clients: hex digits of
// "<list>:<key>", so that a cursor of one list is refused by the other.

constexpr char kHexDigits[] = "0123456789abcdef";

std::string encode_cursor(std::string_view list, std::uint64_t key) {
    const std::string plain = std::string(list) + ':' + std::to_string(key);
    std::string out;
    for (const char c : plain) {
        out.push_back(kHexDigits[(static_cast<unsigned char>(c) >> 4) & 0xf]);
        out.push_back(kHexDigits[static_cast<unsigned char>(c) & 0xf]);
    }
    return out;
}

std::optional<std::uint64_t> decode_cursor(std::string_view list, std::string_view cursor) {
    if (cursor.size() % 2 != 0)
        return std::nullopt;
    std::string plain;
    for (std::size_t i = 0; i < cursor.size(); i += 2) {
        unsigned byte = 0;
        const auto [end, ec] = std::from_chars(cursor.data() + i, cursor.data() + i + 2, byte, 16);
        if (ec != std::errc() || end != cursor.data() + i + 2)
            return std::nullopt;
        plain.push_back(static_cast<char>(byte));
    }
    const std::string prefix = std::string(list) + ':';
    if (!plain.starts_with(prefix))
        return std::nullopt;
    std::uint64_t key = 0;
    const char* digits = plain.data() + prefix.size();
    const char* last = plain.data() + plain.size();
    const auto [end, ec] = std::from_chars(digits, last, key);
    if (ec != std::errc() || end != last || digits == last)
        return std::nullopt;
    return key;
}

/// The paging parameters of a list request.
struct Paging {
    int page_size = kDefaultPageSize;
    std::optional<std::uint64_t> after;
    std::optional<std::uint64_t> before;
};

std::variant<Paging, HttpResponse> paging_of(const Call& call, std::string_view list) {
    Paging paging;
    const auto size = positive_parameter(call, "pageSize", kDefaultPageSize, kMaxPageSize);
    if (!size)
        return bad_field(call, "pageSize", "pageSize must be an integer from 1 to 200");
    paging.page_size = *size;
    for (const auto key : {"after", "before"}) {
        const auto it = call.query.find(key);
        if (it == call.query.end())
            continue;
        const auto position = decode_cursor(list, it->second);
        if (!position)
            return bad_field(call, key,
                             std::string(key) + " must be a cursor from a previous page of this list");
        (std::string_view(key) == "after" ? paging.after : paging.before) = position;
    }
    if (paging.after && paging.before)
        return bad_field(call, "before", "after and before cannot be used together");
    return paging;
}

/// The entities of one page out of a list whose keys are ascending, and the
/// cursors of its neighbours (set only when the list has entities there).
struct Window {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::optional<std::uint64_t> next_after;
    std::optional<std::uint64_t> previous_before;
};

Window window_of(const std::vector<std::uint64_t>& keys, const Paging& paging) {
    const auto size = std::size_t(paging.page_size);
    Window w;
    if (paging.before) {
        w.end = std::size_t(std::lower_bound(keys.begin(), keys.end(), *paging.before) - keys.begin());
        w.begin = w.end > size ? w.end - size : 0;
    } else {
        w.begin = paging.after ? std::size_t(std::upper_bound(keys.begin(), keys.end(), *paging.after) -
                                             keys.begin())
                               : 0;
        w.end = std::min(keys.size(), w.begin + size);
    }
    // An empty page still points at what lies around the place it names.
    if (w.end < keys.size())
        w.next_after = w.end > w.begin ? keys[w.end - 1] : keys[w.end] - 1;
    if (w.begin > 0)
        w.previous_before = w.end > w.begin ? keys[w.begin] : keys[w.begin - 1] + 1;
    return w;
}

using QueryList = std::vector<std::pair<std::string, std::string>>;

/// `path?pageSize=N[&cursor=…]&filters…`, encoded as a URI.
std::string page_uri(std::string_view path, int page_size, const QueryList& cursor,
                     const QueryList& filters) {
    boost::urls::url uri(path);
    auto params = uri.params();
    params.append({"pageSize", std::to_string(page_size)});
    for (const auto& list : {cursor, filters})
        for (const auto& [key, value] : list)
            params.append({key, value});
    return std::string(uri.buffer());
}

/// The cursor listing `{"entities", "selfUri", "nextUri"?, "previousUri"?}`.
json::object listing(std::string_view path, std::string_view list, const Paging& paging,
                     const Window& window, json::array entities, const QueryList& filters) {
    QueryList self;
    if (paging.after)
        self.emplace_back("after", encode_cursor(list, *paging.after));
    if (paging.before)
        self.emplace_back("before", encode_cursor(list, *paging.before));
    json::object page{{"entities", std::move(entities)},
                      {"selfUri", page_uri(path, paging.page_size, self, filters)}};
    if (window.next_after)
        page["nextUri"] = page_uri(path, paging.page_size,
                                   {{"after", encode_cursor(list, *window.next_after)}}, filters);
    if (window.previous_before)
        page["previousUri"] = page_uri(
            path, paging.page_size, {{"before", encode_cursor(list, *window.previous_before)}},
            filters);
    return page;
}

// --- The routes ------------------------------------------------------------------

HttpResponse list_triggers(Tenant& tenant, const Call& call) {
    auto parsed = paging_of(call, "triggers");
    if (auto* answer = std::get_if<HttpResponse>(&parsed))
        return std::move(*answer);
    const Paging paging = std::get<Paging>(parsed);

    QueryList filters;
    std::vector<std::string_view> topics;
    if (const auto it = call.query.find("topicName"); it != call.query.end()) {
        std::string_view rest = it->second;
        for (;;) {
            const auto comma = rest.find(',');
            topics.push_back(rest.substr(0, comma));
            if (topics.back().empty())
                return bad_field(call, "topicName",
                                 "topicName must be topic names separated by commas");
            if (comma == std::string_view::npos)
                break;
            rest.remove_prefix(comma + 1);
        }
        filters.emplace_back("topicName", it->second);
    }
    std::optional<bool> enabled;
    if (const auto it = call.query.find("enabled"); it != call.query.end()) {
        if (it->second != "true" && it->second != "false")
            return bad_field(call, "enabled", "enabled must be true or false");
        enabled = it->second == "true";
        filters.emplace_back("enabled", it->second);
    }

    const auto matches = [&](const json::object& t) {
        const auto* topic = t.if_contains("topicName");
        const auto* on = t.if_contains("enabled");
        if (!topics.empty() &&
            (!topic || !topic->is_string() ||
             std::find(topics.begin(), topics.end(), std::string_view(topic->get_string())) ==
                 topics.end()))
            return false;
        return !enabled || (on && on->is_bool() && on->get_bool() == *enabled);
    };
    std::vector<StoredTrigger> matching;
    std::vector<std::uint64_t> keys;
    for (auto& t : tenant.triggers())
        if (matches(t.body)) {
            keys.push_back(t.sequence);
            matching.push_back(std::move(t));
        }
    const Window window = window_of(keys, paging);
    json::array entities;
    for (std::size_t i = window.begin; i < window.end; ++i)
        entities.push_back(std::move(matching[i].body));
    return json_answer(
        200, listing(kTriggers, "triggers", paging, window, std::move(entities), filters));
}

HttpResponse list_topics(Tenant& tenant, const Call& call) {
    auto parsed = paging_of(call, "topics");
    if (auto* answer = std::get_if<HttpResponse>(&parsed))
        return std::move(*answer);
    const Paging paging = std::get<Paging>(parsed);
    const auto topics = tenant.trigger_topics();
    std::vector<std::uint64_t> keys(topics.size());
    for (std::size_t i = 0; i < keys.size(); ++i)
        keys[i] = i + 1;
    const Window window = window_of(keys, paging);
    json::array entities;
    for (std::size_t i = window.begin; i < window.end; ++i)
        entities.emplace_back(topics[i]);
    return json_answer(200, listing(kTopics, "topics", paging, window, std::move(entities), {}));
}

/// The body of a POST or PUT, valid, as a JSON object; or the 400 answer.
std::variant<json::object, HttpResponse> valid_body(const Call& call,
                                                    const std::vector<std::string>* topics) {
    const auto body = parse_body(call);
    if (!body)
        return error_answer(call, body.error());
    if (const auto problems = validate_trigger_body(*body, topics); !problems.empty())
        return invalid_body_answer(call, "trigger", problems);
    return body->get_object();
}

HttpResponse create_trigger(Tenant& tenant, const Call& call) {
    const auto topics = tenant.trigger_topics();
    auto parsed = valid_body(call, &topics);
    if (auto* answer = std::get_if<HttpResponse>(&parsed))
        return std::move(*answer);
    const auto created = tenant.create_trigger(trigger_from_body(std::get<json::object>(parsed)));
    if (!created)
        return error_answer(call, created.error());
    tenant.count_write();
    return json_answer(200, *created); // Genesys answers a created trigger with 200, not 201
}

HttpResponse update_trigger(Tenant& tenant, const Call& call, std::string_view id) {
    auto parsed = valid_body(call, nullptr);
    if (auto* answer = std::get_if<HttpResponse>(&parsed))
        return std::move(*answer);
    const json::object& body = std::get<json::object>(parsed);
    const auto* version = body.if_contains("version");
    if (!version || version->is_null())
        return error_answer(call, 400, "bad.request",
                            "version is required: send the version you read",
                            {{{"fieldName", "version"}, {"errorCode", "missing.property"}}});
    if (const auto* body_id = body.if_contains("id");
        body_id && body_id->is_string() && body_id->get_string() != id)
        return bad_field(call, "id", "The id in the body does not match the id in the path");

    const auto supplied = as_integer(*version).value_or(-1); // too large: never current
    std::string topic_change;
    const auto updated = tenant.modify_trigger(id, [&](json::object& draft) -> Result<void> {
        const auto current = draft.at("version").to_number<std::int64_t>();
        if (current != supplied)
            return make_error(ErrorKind::version_mismatch,
                              "The version supplied does not match the current version of the "
                              "trigger (supplied " +
                                  std::to_string(supplied) + ", current " +
                                  std::to_string(current) + ")");
        const json::value stored_topic = draft["topicName"];
        if (stored_topic != body.at("topicName")) {
            topic_change = "topicName cannot be changed after creation (it is " +
                           json::serialize(stored_topic) + "): delete the trigger and create it anew";
            return make_error(ErrorKind::invalid_input, topic_change);
        }
        draft = trigger_from_body(body);
        return {};
    });
    if (!updated && !topic_change.empty())
        return bad_field(call, "topicName", topic_change);
    if (!updated)
        return error_answer(call, updated.error());
    tenant.count_write();
    return json_answer(200, *updated);
}

HttpResponse serve_one_trigger(Tenant& tenant, const Call& call, std::string_view id) {
    const std::string& method = call.request.method;
    if (method == "GET") {
        if (auto refused = refuse_without(tenant, call, Permission::view))
            return std::move(*refused);
        const auto t = tenant.trigger(id);
        return t ? json_answer(200, *t) : error_answer(call, t.error());
    }
    if (method == "PUT") {
        if (auto refused = refuse_without(tenant, call, Permission::edit))
            return std::move(*refused);
        if (auto refused = refuse_unless_json(call))
            return std::move(*refused);
        return update_trigger(tenant, call, id);
    }
    if (method == "DELETE") {
        if (auto refused = refuse_without(tenant, call, Permission::remove))
            return std::move(*refused);
        if (auto removed = tenant.remove_trigger(id); !removed)
            return error_answer(call, removed.error());
        tenant.count_write();
        return empty_answer(204);
    }
    return error_answer(call, 405, "method.not.allowed", method + " is not allowed on " + call.path);
}

} // namespace

std::string_view trigger_id_of(std::string_view path) {
    if (path.size() <= kTriggers.size() + 1 || !path.starts_with(kTriggers) ||
        path[kTriggers.size()] != '/' || path == kTopics)
        return {};
    const std::string_view id = path.substr(kTriggers.size() + 1);
    return id.find('/') == std::string_view::npos ? id : std::string_view{};
}

bool is_trigger_path(std::string_view path) {
    return path == kTriggers || path == kTopics || !trigger_id_of(path).empty();
}

HttpResponse serve_triggers(Tenant& tenant, const Call& call) {
    const std::string& method = call.request.method;
    const auto not_allowed = [&] {
        return error_answer(call, 405, "method.not.allowed",
                            method + " is not allowed on " + call.path);
    };
    // /topics before /{id}: "topics" is not a trigger's id.
    if (call.path == kTopics) {
        if (method != "GET")
            return not_allowed();
        if (auto refused = refuse_without(tenant, call, Permission::view))
            return std::move(*refused);
        return list_topics(tenant, call);
    }
    if (call.path == kTriggers) {
        if (method == "GET") {
            if (auto refused = refuse_without(tenant, call, Permission::view))
                return std::move(*refused);
            return list_triggers(tenant, call);
        }
        if (method == "POST") {
            if (auto refused = refuse_without(tenant, call, Permission::add))
                return std::move(*refused);
            if (auto refused = refuse_unless_json(call))
                return std::move(*refused);
            return create_trigger(tenant, call);
        }
        return not_allowed();
    }
    return serve_one_trigger(tenant, call, trigger_id_of(call.path));
}

} // namespace hookwarden::emulator
