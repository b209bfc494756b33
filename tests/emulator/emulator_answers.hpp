// Building blocks of the emulator's answers, shared by the API routes
// (emulator_routes.cpp) and the control plane (emulator_control_plane.cpp):
// the request being served, JSON and Genesys error answers, and strict
// readers for JSON request bodies. Internal to the emulator.
#pragma once

#include "tests/emulator/emulator_routes.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace hookwarden::emulator {

/// One request being served, with its target taken apart.
struct Call {
    const HttpRequest& request;
    std::string path;                         ///< decoded, without the query
    std::map<std::string, std::string> query; ///< decoded; the first value of each key
    std::string correlation_id;               ///< also the error body's contextId
};

HttpResponse json_answer(int status, const boost::json::value& body);
HttpResponse empty_answer(int status);

/// The Genesys error body `{"message","code","status","contextId","details","errors"}`.
HttpResponse error_answer(const Call& call, int status, std::string_view code, std::string message,
                          boost::json::array details = {});

/// The Genesys error answer for an Error of the tenant (kind → status and code).
HttpResponse error_answer(const Call& call, const Error& error);

/// The Genesys `code` usually sent with `status` ("bad.request", "not.found", ...).
std::string genesys_code(int status);

/// The request body as JSON: `invalid_input` when it is not JSON. An empty
/// body reads as `empty` (e.g. an empty object for optional bodies).
Result<boost::json::value> parse_body(const Call& call,
                                      boost::json::value empty = boost::json::value());

/// The webhook as the API shows it; `secret` only when `with_secret`.
boost::json::object webhook_json(const Webhook& webhook, bool with_secret);

/// An integer JSON number (int64 or uint64 that fits), else nothing.
std::optional<std::int64_t> as_integer(const boost::json::value& value);

/// `invalid_input` naming the first member of `object` not in `known`.
Result<void> only_known_members(const boost::json::object& object,
                                std::initializer_list<std::string_view> known,
                                std::string_view what);

class DeliveryQueue;

/// Serves /_emulator/... (the caller has checked that the peer is loopback).
/// `deliveries` may be null: events and deliveries then answer 501.
HttpResponse serve_control_plane(Tenant& tenant, DeliveryQueue* deliveries, const Call& call);

} // namespace hookwarden::emulator
