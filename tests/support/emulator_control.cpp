// EmulatorControl: typed calls over hookwarden's one HTTPS client
// (daemon/net/https_client.hpp), with its deadlines and TLS verification.
#include "tests/support/emulator_control.hpp"
#include "daemon/net/https_client.hpp"
#include "daemon/tenant/webhook_json.hpp"

#include "tests/support/emulator_process.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <thread>

namespace hookwarden::test {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxAnswerBody = std::size_t{64} * 1024 * 1024;

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string base64(std::string_view in) {
    static constexpr char kDigits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned n = (unsigned(static_cast<unsigned char>(in[i])) << 16) |
                           (unsigned(static_cast<unsigned char>(in[i + 1])) << 8) |
                           unsigned(static_cast<unsigned char>(in[i + 2]));
        for (int shift = 18; shift >= 0; shift -= 6)
            out.push_back(kDigits[(n >> shift) & 63]);
    }
    if (const std::size_t rest = in.size() - i; rest > 0) {
        unsigned n = unsigned(static_cast<unsigned char>(in[i])) << 16;
        if (rest == 2)
            n |= unsigned(static_cast<unsigned char>(in[i + 1])) << 8;
        out.push_back(kDigits[(n >> 18) & 63]);
        out.push_back(kDigits[(n >> 12) & 63]);
        out.push_back(rest == 2 ? kDigits[(n >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

[[noreturn]] void fail(Error error) {
    throw ErrorException(std::move(error));
}

} // namespace

// One client with room for one connection: requests from one thread go
// one after the other over the same kept-alive connection, and a new one is
// made only when the server closed it. Made on first use, so that a CA file
// that cannot be loaded fails a request, not the constructor.
struct EmulatorControl::Connection {
    std::unique_ptr<HttpsClient> client;
};

std::string HttpAnswer::header(std::string_view name) const {
    for (const auto& [key, value] : headers)
        if (iequals(key, name))
            return value;
    return {};
}

json::value HttpAnswer::json() const {
    if (body.empty())
        return nullptr;
    boost::system::error_code ec;
    auto value = json::parse(body, ec);
    if (ec)
        fail(make_error(ErrorKind::invalid_input, "the answer (HTTP " + std::to_string(status) +
                                                      ") is not JSON: " + body.substr(0, 200)));
    return value;
}

EmulatorControl::EmulatorControl(std::string host, std::uint16_t port,
                                 std::filesystem::path ca_file)
    : host_(std::move(host)), port_(port), ca_file_(std::move(ca_file)),
      connection_(std::make_unique<Connection>()) {}

EmulatorControl::EmulatorControl(const EmulatorProcess& emulator)
    : EmulatorControl(emulator.host(), emulator.port(), emulator.ca_file()) {}

EmulatorControl::~EmulatorControl() = default;

void EmulatorControl::set_timeout(std::chrono::milliseconds timeout) {
    timeout_ = timeout;
}

void EmulatorControl::set_credentials(std::string client_id, std::string client_secret) {
    client_id_ = std::move(client_id);
    client_secret_ = std::move(client_secret);
    token_.clear();
}

Result<HttpAnswer>
EmulatorControl::request(std::string_view method, std::string_view target, std::string body,
                         std::vector<std::pair<std::string, std::string>> headers) {
    Connection& c = *connection_;
    const std::string operation = std::string(method) + ' ' + std::string(target);
    if (!c.client) {
        auto client = HttpsClient::create({.ca_file = ca_file_.string(),
                                           .max_connections = 1,
                                           // Kept as long as the server keeps it.
                                           .idle_timeout = std::chrono::hours(24),
                                           .max_body = kMaxAnswerBody});
        if (!client)
            return make_error(ErrorKind::io, client.error().message);
        c.client = std::move(*client);
    }

    HttpRequest req{.host = host_,
                    .port = port_,
                    .method = std::string(method),
                    .target = std::string(target),
                    .headers = {{"User-Agent", "hookwarden-test-support"}},
                    .body = std::move(body),
                    .deadline = std::chrono::steady_clock::now() + timeout_};
    for (auto& header : headers)
        req.headers.push_back(std::move(header));
    auto sent = c.client->exchange(req);
    if (!sent)
        return make_error(sent.error().kind, sent.error().message, ErrorContext{.operation = operation});

    HttpAnswer answer;
    answer.status = sent->status;
    answer.headers = std::move(sent->headers);
    answer.body = std::move(sent->body);
    return answer;
}

Result<std::string> EmulatorControl::fetch_token() {
    auto answer = request("POST", "/oauth/token", "grant_type=client_credentials",
                          {{"Authorization", "Basic " + base64(client_id_ + ':' + client_secret_)},
                           {"Content-Type", "application/x-www-form-urlencoded"}});
    if (!answer)
        return answer.error();
    if (answer->status != 200)
        return make_error(ErrorKind::unauthorized,
                          "the token endpoint answered " + std::to_string(answer->status) + ": " +
                              answer->body,
                          ErrorContext{.http_status = answer->status});
    boost::system::error_code ec;
    const auto body = json::parse(answer->body, ec);
    const auto* token =
        !ec && body.is_object() ? body.get_object().if_contains("access_token") : nullptr;
    if (!token || !token->is_string())
        return make_error(ErrorKind::transport,
                          "the token answer has no access_token: " + answer->body);
    return std::string(token->get_string());
}

Result<HttpAnswer> EmulatorControl::api(std::string_view method, std::string_view target,
                                        std::optional<json::value> body) {
    if (token_.empty()) {
        auto token = fetch_token();
        if (!token)
            return token.error();
        token_ = std::move(*token);
    }
    std::vector<std::pair<std::string, std::string>> headers{{"Authorization", "Bearer " + token_}};
    std::string text;
    if (body) {
        headers.emplace_back("Content-Type", "application/json");
        text = json::serialize(*body);
    }
    return request(method, target, std::move(text), std::move(headers));
}

void EmulatorControl::forget_token() {
    token_.clear();
}

json::value EmulatorControl::expect_json(std::string_view method, std::string_view path,
                                         const json::value* body) {
    std::vector<std::pair<std::string, std::string>> headers;
    std::string text;
    if (body && !body->is_null()) {
        headers.emplace_back("Content-Type", "application/json");
        text = json::serialize(*body);
    }
    auto answer = request(method, path, std::move(text), std::move(headers));
    if (!answer)
        fail(answer.error());
    if (answer->status < 200 || answer->status > 299)
        fail(make_error(ErrorKind::tenant,
                        std::string(method) + ' ' + std::string(path) + " answered " +
                            std::to_string(answer->status) + ": " + answer->body,
                        ErrorContext{.http_status = answer->status}));
    return answer->json();
}

json::value EmulatorControl::get(std::string_view path) {
    return expect_json("GET", path, nullptr);
}

json::value EmulatorControl::post(std::string_view path, const json::value& body) {
    return expect_json("POST", path, &body);
}

json::value EmulatorControl::patch(std::string_view path, const json::value& body) {
    return expect_json("PATCH", path, &body);
}

json::value EmulatorControl::del(std::string_view path) {
    return expect_json("DELETE", path, nullptr);
}

void EmulatorControl::reset() {
    post("/_emulator/reset");
    token_.clear(); // the emulator forgot it
}

void EmulatorControl::revoke_tokens() {
    post("/_emulator/revoke-tokens");
}

json::object EmulatorControl::state() {
    return get("/_emulator/state").as_object();
}

std::vector<Webhook> EmulatorControl::webhooks() {
    const json::object all = state(); // kept alive for the loop below
    std::vector<Webhook> out;
    for (const auto& w : all.at("webhooks").as_array())
        out.push_back(webhook_from_json(w).value());
    return out;
}

std::vector<std::string> EmulatorControl::webhook_names() {
    std::vector<std::string> names;
    for (const auto& w : webhooks())
        names.push_back(w.name);
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<Webhook> EmulatorControl::webhooks_named(std::string_view name) {
    auto all = webhooks();
    std::erase_if(all, [&](const Webhook& w) { return w.name != name; });
    return all;
}

json::object EmulatorControl::counters() {
    return get("/_emulator/counters").as_object();
}

std::int64_t EmulatorControl::request_count(std::string_view route) {
    const auto all = counters();
    const auto* n = all.at("requests").as_object().if_contains(route);
    return n ? n->to_number<std::int64_t>() : 0;
}

json::object EmulatorControl::add_fault(const FaultSpec& fault) {
    json::object body{{"method", fault.method},
                      {"path", fault.path},
                      {"action", fault.action},
                      {"count", fault.count},
                      {"status", fault.status}};
    if (fault.retry_after)
        body["retryAfter"] = *fault.retry_after;
    if (fault.seconds)
        body["seconds"] = *fault.seconds;
    return post("/_emulator/faults", body).as_object();
}

json::array EmulatorControl::faults() {
    return get("/_emulator/faults").at("faults").as_array();
}

void EmulatorControl::clear_faults() {
    del("/_emulator/faults");
}

Webhook EmulatorControl::insert_webhook(const Webhook& webhook) {
    json::object body = webhook_to_json(webhook, WebhookJsonFields::write_body);
    if (!webhook.id.empty())
        body["id"] = webhook.id;
    return insert_webhook(body);
}

Webhook EmulatorControl::insert_webhook(const json::object& body) {
    return webhook_from_json(post("/_emulator/webhooks", body)).value();
}

Webhook EmulatorControl::drift(std::string_view id, const json::object& changes) {
    return webhook_from_json(patch("/_emulator/webhooks/" + std::string(id), changes)).value();
}

void EmulatorControl::delete_webhook_as_ui(std::string_view id) {
    del("/_emulator/webhooks/" + std::string(id));
}

json::object EmulatorControl::record_deliveries(std::string_view id,
                                                const std::vector<DeliverySpec>& deliveries) {
    json::array list;
    for (const auto& d : deliveries) {
        json::object item{{"ok", d.ok}};
        if (d.latency_ms)
            item["latencyMs"] = *d.latency_ms;
        if (!d.at.empty())
            item["at"] = d.at;
        list.push_back(std::move(item));
    }
    return post("/_emulator/webhooks/" + std::string(id) + "/deliveries",
                json::object{{"deliveries", std::move(list)}})
        .as_object();
}

std::int64_t EmulatorControl::fire_events(const EventSpec& events) {
    json::object body{{"eventType", events.event_type}, {"count", events.count}};
    if (!events.event.empty())
        body["event"] = events.event;
    return post("/_emulator/events", body).at("queued").to_number<std::int64_t>();
}

json::object EmulatorControl::deliveries() {
    return get("/_emulator/deliveries").as_object();
}

json::object EmulatorControl::wait_for_deliveries(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto stats = deliveries();
        if (stats.at("queued").to_number<std::int64_t>() + stats.at("inFlight").to_number<std::int64_t>() == 0)
            return stats;
        if (std::chrono::steady_clock::now() > deadline)
            fail(make_error(ErrorKind::timeout, "deliveries still pending after " +
                                                    std::to_string(timeout.count()) +
                                                    " ms: " + json::serialize(stats)));
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

json::object EmulatorControl::set_config(const ConfigChange& change) {
    json::object body;
    if (change.rpm)
        body["rpm"] = *change.rpm;
    if (change.echo_secrets)
        body["echoSecrets"] = *change.echo_secrets;
    if (change.rate_limit_headers)
        body["rateLimitHeaders"] = *change.rate_limit_headers;
    return post("/_emulator/config", body).as_object();
}

std::string EmulatorControl::insert_trigger(const json::object& trigger) {
    return std::string(post("/_emulator/triggers", trigger).at("id").as_string());
}

json::object EmulatorControl::drift_trigger(std::string_view id, const json::object& changes) {
    return patch("/_emulator/triggers/" + std::string(id), changes).as_object();
}

void EmulatorControl::delete_trigger_as_ui(std::string_view id) {
    del("/_emulator/triggers/" + std::string(id));
}

std::vector<json::object> EmulatorControl::triggers() {
    const json::value all = get("/_emulator/triggers");
    std::vector<json::object> out;
    for (const auto& t : all.at("triggers").as_array())
        out.push_back(t.as_object());
    return out;
}

std::vector<std::string> EmulatorControl::trigger_names() {
    std::vector<std::string> names;
    for (const auto& t : triggers())
        names.emplace_back(t.at("name").as_string());
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<json::object> EmulatorControl::triggers_named(std::string_view name) {
    auto all = triggers();
    std::erase_if(all, [&](const json::object& t) { return t.at("name").as_string() != name; });
    return all;
}

void EmulatorControl::set_trigger_topics(const std::vector<std::string>& topics) {
    json::array list;
    for (const auto& t : topics)
        list.emplace_back(t);
    const json::value body = json::object{{"topics", std::move(list)}};
    expect_json("PUT", "/_emulator/trigger-topics", &body);
}

void EmulatorControl::deny_permission(std::string_view permission) {
    post("/_emulator/permissions", json::object{{"deny", json::array{permission}}});
}

void EmulatorControl::allow_permission(std::string_view permission) {
    post("/_emulator/permissions", json::object{{"allow", json::array{permission}}});
}

} // namespace hookwarden::test
