// Building blocks of the emulator's answers, shared by the API routes
// (emulator_routes.cpp, emulator_trigger_routes.cpp) and the control plane
// (emulator_control_plane.cpp):
// the request being served, JSON and Genesys error answers, and strict
// readers for JSON request bodies. Internal to the emulator.
#pragma once

#include "tests/emulator/emulator_routes.hpp"
#include "tests/emulator/emulator_validation.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

/// ASCII case-insensitive equality (header names, auth schemes, media types).
bool iequals(std::string_view a, std::string_view b);

/// Whether the request's Content-Type is `media_type`, parameters such as
/// "; charset=utf-8" aside.
bool has_media_type(const HttpRequest& request, std::string_view media_type);

/// How a refused request's Content-Type is named in a message.
std::string described_media_type(const HttpRequest& request);

/// The Genesys error body `{"message","code","status","contextId","details","errors"}`.
boost::json::object error_body(const Call& call, int status, std::string_view code,
                               std::string message, boost::json::array details = {});

/// The Genesys error body as an answer.
HttpResponse error_answer(const Call& call, int status, std::string_view code, std::string message,
                          boost::json::array details = {});

/// 400 `bad.request` with one `details` entry `{"fieldName", "errorCode": "invalid.value"}`.
HttpResponse bad_field(const Call& call, std::string field, std::string message);

/// 400 `bad.request` for a body with problems: one `details` entry
/// `{"fieldName", "errorCode", "message"}` each, and every message in the
/// answer's message ("The `what` is not valid: …").
HttpResponse invalid_body_answer(const Call& call, std::string_view what,
                                 const std::vector<FieldProblem>& problems);

/// 415 for an API POST or PUT not sent as application/json; nothing when it is.
std::optional<HttpResponse> refuse_unless_json(const Call& call);

/// A query parameter that must be an integer from 1 to `max`: `fallback`
/// when absent, nothing when it is anything else.
std::optional<int> positive_parameter(const Call& call, const std::string& key, int fallback,
                                      int max);

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

/// The id in `/api/v2/processautomation/triggers/{id}`, or empty when
/// `path` is not that shape (`/api/v2/processautomation/triggers/topics` is not).
std::string_view trigger_id_of(std::string_view path);

/// Whether `path` is one of the trigger API's (SPEC §8): the list, the
/// topics, or one trigger.
bool is_trigger_path(std::string_view path);

/// Serves the trigger API for an authenticated request the rate limiter
/// admitted (`is_trigger_path(call.path)`): permissions, paging,
/// validation, versions.
HttpResponse serve_triggers(Tenant& tenant, const Call& call);

class DeliveryQueue;

/// Serves /_emulator/... (the caller has checked that the peer is loopback).
/// `deliveries` may be null: events and deliveries then answer 501.
HttpResponse serve_control_plane(Tenant& tenant, DeliveryQueue* deliveries, const Call& call);

} // namespace hookwarden::emulator
