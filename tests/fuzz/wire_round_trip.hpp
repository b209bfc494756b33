// The round trip both wire-form fuzzers check (webhook_json, trigger_json):
// a resource read from the tenant, written back by its `to_json`, reads to
// the same resource as a JSON value, and through text to one that writes
// the same JSON — doubles aside by one unit in the last place, since
// Boost.JSON 1.81 parses some 16- and 17-digit numbers that far off (the
// plan compares trigger values accordingly, core/trigger_rules.cpp).
#pragma once

#include "tests/fuzz/fuzz_invariants.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cmath>
#include <string>

namespace hookwarden::fuzz {

/// Equal JSON, but for doubles one unit in the last place apart.
inline bool same_json(const boost::json::value& a, const boost::json::value& b) {
    if (a.is_double() && b.is_double())
        return a.get_double() == b.get_double() || std::nextafter(a.get_double(), b.get_double()) == b.get_double();
    if (a.is_array() && b.is_array()) {
        const auto& x = a.get_array();
        const auto& y = b.get_array();
        if (x.size() != y.size())
            return false;
        for (std::size_t i = 0; i < x.size(); ++i)
            if (!same_json(x[i], y[i]))
                return false;
        return true;
    }
    if (a.is_object() && b.is_object()) {
        const auto& x = a.get_object();
        const auto& y = b.get_object();
        if (x.size() != y.size())
            return false;
        for (const auto& member : x) {
            const auto* other = y.if_contains(member.key());
            if (!other || !same_json(member.value(), *other))
                return false;
        }
        return true;
    }
    return a == b;
}

template <class Resource, class ToJson, class FromJson>
void check_wire_round_trip(const Resource& resource, ToJson to_json, FromJson from_json) {
    const boost::json::object written = to_json(resource);
    const std::string text = boost::json::serialize(written);
    const auto back = from_json(written);
    require(back && *back == resource, "a resource read does not survive its to_json", text);
    const auto reparsed = from_json(boost::json::parse(text));
    require(reparsed && same_json(to_json(*reparsed), written),
            "a resource read does not survive a round trip through text", text);
}

} // namespace hookwarden::fuzz
