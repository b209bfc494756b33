#include "tests/emulator/emulator_answers.hpp"
#include "daemon/tenant/webhook_json.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>

namespace hookwarden::emulator {
namespace json = boost::json;

HttpResponse json_answer(int status, const json::value& body) {
    HttpResponse answer;
    answer.status = status;
    answer.headers.emplace_back("Content-Type", "application/json");
    answer.body = json::serialize(body);
    return answer;
}

HttpResponse empty_answer(int status) {
    HttpResponse answer;
    answer.status = status;
    return answer;
}

std::string genesys_code(int status) {
    switch (status) {
    case 400:
        return "bad.request";
    case 401:
        return "bad.credentials";
    case 403:
        return "not.authorized";
    case 404:
        return "not.found";
    case 405:
        return "method.not.allowed";
    case 408:
        return "request.timeout";
    case 409:
        return "conflict";
    case 413:
        return "request.entity.too.large";
    case 415:
        return "unsupported.media.type";
    case 429:
        return "too.many.requests.retry.after";
    case 500:
        return "internal.server.error";
    case 501:
        return "not.implemented";
    case 502:
        return "bad.gateway";
    case 503:
        return "service.unavailable";
    case 504:
        return "gateway.timeout";
    default:
        return status >= 500 ? "internal.server.error" : "bad.request";
    }
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool has_media_type(const HttpRequest& request, std::string_view media_type) {
    std::string_view type = request.header("Content-Type");
    type = type.substr(0, type.find(';'));
    const auto first = type.find_first_not_of(" \t");
    if (first == std::string_view::npos)
        return false;
    return iequals(type.substr(first, type.find_last_not_of(" \t") + 1 - first), media_type);
}

std::string described_media_type(const HttpRequest& request) {
    const std::string_view type = request.header("Content-Type");
    return type.empty() ? std::string("no Content-Type") : "Content-Type '" + std::string(type) + "'";
}

json::object error_body(const Call& call, int status, std::string_view code, std::string message,
                        json::array details) {
    return {{"message", message},
            {"code", code},
            {"status", status},
            {"contextId", call.correlation_id},
            {"details", std::move(details)},
            {"errors", json::array()}};
}

HttpResponse error_answer(const Call& call, int status, std::string_view code, std::string message,
                          json::array details) {
    return json_answer(status, error_body(call, status, code, std::move(message), std::move(details)));
}

HttpResponse bad_field(const Call& call, std::string field, std::string message) {
    json::array details{{{"fieldName", field}, {"errorCode", "invalid.value"}}};
    return error_answer(call, 400, "bad.request", std::move(message), std::move(details));
}

HttpResponse invalid_body_answer(const Call& call, std::string_view what,
                                 const std::vector<FieldProblem>& problems) {
    json::array details;
    std::string message;
    for (const auto& p : problems) {
        details.push_back(
            {{"fieldName", p.field}, {"errorCode", p.error_code}, {"message", p.message}});
        message += (message.empty() ? "" : "; ") + p.message;
    }
    return error_answer(call, 400, "bad.request",
                        "The " + std::string(what) + " is not valid: " + message,
                        std::move(details));
}

std::optional<HttpResponse> refuse_unless_json(const Call& call) {
    constexpr std::string_view kJsonMediaType = "application/json";
    if (has_media_type(call.request, kJsonMediaType))
        return std::nullopt;
    return error_answer(call, 415, genesys_code(415),
                        call.request.method + " " + call.path + " takes " +
                            std::string(kJsonMediaType) + ", not " +
                            described_media_type(call.request));
}

std::optional<int> positive_parameter(const Call& call, const std::string& key, int fallback,
                                      int max) {
    const auto it = call.query.find(key);
    if (it == call.query.end())
        return fallback;
    int value = 0;
    const auto& text = it->second;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > max)
        return std::nullopt;
    return value;
}

HttpResponse error_answer(const Call& call, const Error& error) {
    switch (error.kind) {
    case ErrorKind::invalid_input:
        return error_answer(call, 400, "bad.request", error.message);
    case ErrorKind::not_found:
        return error_answer(call, 404, "not.found", error.message);
    case ErrorKind::version_mismatch:
    case ErrorKind::conflict:
        return error_answer(call, 409, "conflict", error.message);
    case ErrorKind::unauthorized:
        return error_answer(call, 401, "bad.credentials", error.message);
    default:
        return error_answer(call, 500, "internal.server.error", error.message);
    }
}

Result<json::value> parse_body(const Call& call, json::value empty) {
    if (call.request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
        if (!empty.is_null())
            return empty;
        return make_error(ErrorKind::invalid_input, "The request body must be JSON; it is empty");
    }
    boost::system::error_code ec;
    auto value = json::parse(call.request.body, ec);
    if (ec)
        return make_error(ErrorKind::invalid_input,
                          "The request body is not valid JSON: " + ec.message());
    return value;
}

json::object webhook_json(const Webhook& webhook, bool with_secret) {
    if (with_secret || !webhook.secret)
        return webhook_to_json(webhook);
    Webhook shown = webhook;
    shown.secret.reset();
    return webhook_to_json(shown);
}

std::optional<std::int64_t> as_integer(const json::value& value) {
    if (value.is_int64())
        return value.get_int64();
    if (value.is_uint64() && value.get_uint64() <= std::uint64_t(INT64_MAX))
        return static_cast<std::int64_t>(value.get_uint64());
    return std::nullopt;
}

Result<void> only_known_members(const json::object& object,
                                std::initializer_list<std::string_view> known,
                                std::string_view what) {
    for (const auto& member : object) {
        bool found = false;
        for (const auto k : known)
            found = found || member.key() == k;
        if (!found)
            return make_error(ErrorKind::invalid_input, std::string(what) + " has no member '" +
                                                            std::string(member.key()) + "'");
    }
    return {};
}

} // namespace hookwarden::emulator
