// The round trip both wire-form fuzzers check (webhook_json, trigger_json):
// a resource read from the tenant, written back by its `to_json`, reads to
// the same resource, as a JSON value and through text.
#pragma once

#include "tests/fuzz/fuzz_invariants.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>

namespace hookwarden::fuzz {

template <class Resource, class ToJson, class FromJson>
void check_wire_round_trip(const Resource& resource, ToJson to_json, FromJson from_json) {
    const boost::json::object written = to_json(resource);
    const std::string text = boost::json::serialize(written);
    const auto back = from_json(written);
    require(back && *back == resource, "a resource read does not survive its to_json", text);
    const auto reparsed = from_json(boost::json::parse(text));
    require(reparsed && *reparsed == resource, "a resource read does not survive a round trip through text", text);
}

} // namespace hookwarden::fuzz
