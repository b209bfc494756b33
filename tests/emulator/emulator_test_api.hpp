// What the emulator's unit tests share: a Tenant on a hand-moved clock with
// its Router and a valid token (`Api`), and checks of the Genesys error
// body and of UUIDs, and an example trigger body. Requests go to `Router::handle` directly, no sockets.
#pragma once

#include "tests/emulator/emulator_routes.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>
#include <string>
#include <string_view>
#include <utility>

namespace hookwarden::emulator::testing {
namespace json = boost::json;

constexpr const char* kBasicDemo =
    "Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ="; // demo-client:demo-secret

/// A tenant on a hand-moved clock, its router, and a valid token.
struct Api {
    TimePoint now = *parse_rfc3339("2026-01-05T10:00:00Z");
    Tenant tenant;
    Router router{tenant};
    std::string token;

    explicit Api(Settings settings = Settings{.rpm = 100000})
        : tenant(std::move(settings), [this] { return now; }) {
        token = tenant.issue_token("demo-client", "demo-secret").value().access_token;
    }

    HttpResponse send(std::string method, std::string target, std::string body = {},
                      HeaderList headers = {}) {
        return router.handle(
            {std::move(method), std::move(target), std::move(headers), std::move(body), true});
    }
    /// An API request as hookwarden sends it: the bearer token, and a body
    /// (when there is one) as application/json.
    HttpResponse api(std::string method, std::string target, const json::value& body = nullptr) {
        HeaderList headers{{"Authorization", "Bearer " + token}};
        if (body.is_null())
            return send(std::move(method), std::move(target), {}, std::move(headers));
        headers.emplace_back("Content-Type", "application/json");
        return send(std::move(method), std::move(target), json::serialize(body),
                    std::move(headers));
    }
    /// POST /oauth/token with `form` as application/x-www-form-urlencoded.
    HttpResponse token_request(std::string form, HeaderList headers = {}) {
        headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
        return send("POST", "/oauth/token", std::move(form), std::move(headers));
    }
    HttpResponse control(std::string method, std::string target,
                         const json::value& body = nullptr) {
        return send(std::move(method), std::move(target),
                    body.is_null() ? std::string() : json::serialize(body));
    }
    /// Creates a webhook through the API and returns it.
    json::object create(const std::string& name, const std::string& secret = "s3cret") {
        auto answer = api("POST", "/api/v2/webhooks", body(name, secret));
        REQUIRE(answer.status == 201);
        return json::parse(answer.body).as_object();
    }

    static json::object body(const std::string& name, const std::string& secret = "s3cret") {
        json::object b{{"name", name},
                       {"eventTypes", {"user:login", "user:logout"}},
                       {"endpointUrl", "https://myapp.example.com/webhooks/genesys"},
                       {"retryPolicy", {{"retryInterval", "PT1M"}, {"maxRetries", 3}}},
                       {"payloadTemplate", "{{event}}"},
                       {"enabled", true}};
        if (!secret.empty())
            b["secret"] = secret;
        return b;
    }
};

inline json::object json_of(const HttpResponse& r) {
    return json::parse(r.body).as_object();
}

/// Checks the Genesys error body and returns it.
inline json::object genesys_error(const HttpResponse& r, int status, const char* code) {
    CHECK(r.status == status);
    CHECK(r.header("Content-Type") == "application/json");
    auto body = json_of(r);
    CHECK(body.at("code").as_string() == code);
    CHECK(body.at("status").as_int64() == status);
    CHECK_FALSE(body.at("message").as_string().empty());
    CHECK(body.at("contextId").as_string() == r.header("inin-correlation-id"));
    CHECK(body.at("details").is_array());
    CHECK(body.at("errors").is_array());
    return body;
}

/// 8-4-4-4-12 lower-case hex digits, version 4, RFC 4122 variant.
inline bool is_uuid_v4(const std::string& id) {
    if (id.size() != 36)
        return false;
    for (std::size_t i = 0; i < id.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        const char c = id[i];
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return id[14] == '4' && std::string_view("89ab").find(id[19]) != std::string_view::npos;
}

/// A trigger body with every member set, SPEC §8's example (with
/// dataFormat TopLevelPrimitives, which is not the default).
inline json::object trigger_body(
    const std::string& name = "SMS after chat error",
    const std::string& topic = "v2.detail.events.conversation.{id}.customer.end") {
    return {{"name", name},
            {"topicName", topic},
            {"target",
             {{"type", "Workflow"},
              {"id", "5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8b"},
              {"workflowTargetSettings", {{"dataFormat", "TopLevelPrimitives"}}}}},
            {"matchCriteria",
             json::array{
                 json::object{{"jsonPath", "mediaType"}, {"operator", "Equal"}, {"value", "CHAT"}},
                 json::object{{"jsonPath", "disconnectType"},
                              {"operator", "In"},
                              {"values", json::array{"error", "transfer"}}}}},
            {"enabled", true},
            {"eventTTLSeconds", 60},
            {"description", "Text the customer when a chat ends badly"}};
}

} // namespace hookwarden::emulator::testing
