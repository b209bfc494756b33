// Reading the members of one JSON object of an API resource, tolerant of
// what the API may add and precise about what it got wrong.
//
// Used by the wire forms of the resources (webhook_json.cpp,
// trigger_json.cpp). Absent and null members leave the output untouched;
// the first member of the wrong type is remembered as one sentence naming it
// ("trigger member 'target.id' must be a string"), so that a reader reports
// one precise error after reading everything it knows. string_or_empty, at
// the end, is for the few members read on their own (token answers, error
// bodies, page cursors).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace hookwarden {

class JsonMembers {
public:
    /// `subject` names the resource in errors ("webhook"); `prefix` is the
    /// path of `object` inside it ("retryPolicy."), empty at the top.
    JsonMembers(const boost::json::object& object, std::string subject, std::string prefix = {})
        : object_(object), subject_(std::move(subject)), prefix_(std::move(prefix)) {}

    /// A reader of a nested object, whose errors name the full path.
    JsonMembers nested(const boost::json::object& object, const std::string& path) const {
        return JsonMembers(object, subject_, prefix_ + path + ".");
    }

    /// Into a std::string or a std::optional<std::string>.
    template <class Out> void string(const char* key, Out& out) {
        if (const auto* v = find(key)) {
            if (v->is_string())
                out = std::string(v->get_string());
            else
                wrong(key, "a string");
        }
    }
    /// Into an integer type, or an optional one; a number that does not fit
    /// is of the wrong type too.
    template <class Int> void integer(const char* key, Int& out) { read_integer<Int>(key, out); }
    template <class Int> void integer(const char* key, std::optional<Int>& out) { read_integer<Int>(key, out); }
    void boolean(const char* key, bool& out) {
        if (const auto* v = find(key)) {
            if (v->is_bool())
                out = v->get_bool();
            else
                wrong(key, "a boolean");
        }
    }
    const boost::json::object* object(const char* key) {
        const auto* v = find(key);
        if (!v)
            return nullptr;
        if (!v->is_object()) {
            wrong(key, "an object");
            return nullptr;
        }
        return &v->get_object();
    }
    const boost::json::array* array(const char* key) {
        const auto* v = find(key);
        if (!v)
            return nullptr;
        if (!v->is_array()) {
            wrong(key, "an array");
            return nullptr;
        }
        return &v->get_array();
    }
    /// Any value but null.
    const boost::json::value* value(const char* key) const { return find(key); }

    void wrong(const std::string& key, const char* expected) {
        if (error_.empty())
            error_ = subject_ + " member '" + prefix_ + key + "' must be " + expected;
    }
    /// Takes a nested reader's error when this one has none yet.
    void adopt(const JsonMembers& nested) {
        if (error_.empty())
            error_ = nested.error_;
    }
    const std::string& error() const { return error_; }

private:
    template <class Int, class Out> void read_integer(const char* key, Out& out) {
        if (const auto* v = find(key)) {
            if (const auto read = checked_integer<Int>(*v))
                out = *read;
            else
                wrong(key, "an integer");
        }
    }
    const boost::json::value* find(const char* key) const {
        const auto* v = object_.if_contains(key);
        return (v && !v->is_null()) ? v : nullptr;
    }
    // An integer that fits Int; nothing for other types or out of range.
    template <class Int> static std::optional<Int> checked_integer(const boost::json::value& v) {
        if (v.is_int64()) {
            const auto i = v.get_int64();
            if (i >= static_cast<std::int64_t>(std::numeric_limits<Int>::min()) &&
                i <= static_cast<std::int64_t>(std::numeric_limits<Int>::max()))
                return static_cast<Int>(i);
        } else if (v.is_uint64()) {
            if (v.get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<Int>::max()))
                return static_cast<Int>(v.get_uint64());
        }
        return std::nullopt;
    }

    const boost::json::object& object_;
    std::string subject_;
    std::string prefix_;
    std::string error_;
};

/// `object[key]` when it is a string, else empty: for the members whose
/// absence and emptiness mean the same (an error's "message", a page's
/// "nextUri"), where a wrong type is no reason to lose the rest.
inline std::string string_or_empty(const boost::json::object& object, const char* key) {
    const auto* v = object.if_contains(key);
    return (v && v->is_string()) ? std::string(v->get_string()) : std::string();
}

} // namespace hookwarden
