// EmulatorControl: a blocking HTTPS client written with Beast's asynchronous
// operations, each run to completion on a private io_context, so that
// tcp_stream's deadlines bound every step (blocking Beast calls have none).
#include "tests/support/emulator_control.hpp"
#include "daemon/tenant/webhook_json.hpp"

#include "tests/support/emulator_process.hpp"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <poll.h>

namespace hookwarden::test {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
namespace json = boost::json;
using tcp = net::ip::tcp;

constexpr std::uint64_t kMaxAnswerBody = 64 * 1024 * 1024;

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

struct EmulatorControl::Connection {
    net::io_context io;
    ssl::context tls{ssl::context::tls_client};
    std::optional<beast::ssl_stream<beast::tcp_stream>> stream;
    beast::flat_buffer buffer;
    bool trust_loaded = false;

    /// Runs the asynchronous operation started by `start` to completion.
    template <class Start> beast::error_code run(Start start) {
        beast::error_code result = net::error::would_block;
        start([&result](beast::error_code ec, auto&&...) { result = ec; });
        io.restart();
        io.run();
        return result;
    }

    /// True when the server has closed (or written to) an idle connection:
    /// it cannot carry another request.
    bool peer_closed() {
        pollfd p{beast::get_lowest_layer(*stream).socket().native_handle(), POLLIN, 0};
        return ::poll(&p, 1, 0) != 0;
    }

    void drop() {
        stream.reset();
        buffer.clear();
    }

    void close_gracefully() {
        if (!stream)
            return;
        beast::get_lowest_layer(*stream).expires_after(std::chrono::seconds(1));
        run([&](auto handler) { stream->async_shutdown(std::move(handler)); });
        drop();
    }
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
    beast::error_code ec;
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

EmulatorControl::~EmulatorControl() {
    connection_->close_gracefully();
}

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
    const auto transport_error = [&](beast::error_code ec, const char* step) {
        c.drop();
        const bool timed_out = ec == beast::error::timeout;
        return make_error(timed_out ? ErrorKind::timeout : ErrorKind::transport,
                          std::string(step) + " failed: " + ec.message(),
                          ErrorContext{.operation = operation});
    };
    const auto deadline = std::chrono::steady_clock::now() + timeout_;

    if (!c.trust_loaded) {
        beast::error_code ec;
        c.tls.set_verify_mode(ssl::verify_peer, ec);
        if (!ec)
            c.tls.load_verify_file(ca_file_.string(), ec);
        if (ec)
            return make_error(ErrorKind::io, "could not load the CA file " + ca_file_.string() +
                                                 ": " + ec.message());
        c.trust_loaded = true;
    }
    if (c.stream && c.peer_closed())
        c.drop();
    if (!c.stream) {
        beast::error_code ec;
        tcp::resolver resolver(c.io);
        const auto endpoints = resolver.resolve(host_, std::to_string(port_), ec);
        if (ec)
            return transport_error(ec, "resolving the emulator's address");
        c.stream.emplace(c.io, c.tls);
        c.stream->set_verify_callback(ssl::host_name_verification(host_));
        if (net::ip::make_address(host_, ec); ec) // SNI carries names, never addresses
            SSL_set_tlsext_host_name(c.stream->native_handle(), host_.c_str());
        beast::get_lowest_layer(*c.stream).expires_at(deadline);
        ec = c.run([&](auto handler) {
            beast::get_lowest_layer(*c.stream).async_connect(endpoints, std::move(handler));
        });
        if (ec)
            return transport_error(ec, "connecting");
        beast::get_lowest_layer(*c.stream).expires_at(deadline);
        ec = c.run([&](auto handler) {
            c.stream->async_handshake(ssl::stream_base::client, std::move(handler));
        });
        if (ec)
            return transport_error(ec, "the TLS handshake");
    }

    http::request<http::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    const bool ipv6 = host_.find(':') != std::string::npos;
    req.set(http::field::host, (ipv6 ? '[' + host_ + ']' : host_) + ':' + std::to_string(port_));
    req.set(http::field::user_agent, "hookwarden-test-support");
    for (auto& [name, value] : headers)
        req.set(name, value);
    req.body() = std::move(body);
    req.prepare_payload();

    beast::get_lowest_layer(*c.stream).expires_at(deadline);
    auto ec = c.run([&](auto handler) { http::async_write(*c.stream, req, std::move(handler)); });
    if (ec)
        return transport_error(ec, "sending the request");

    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxAnswerBody);
    beast::get_lowest_layer(*c.stream).expires_at(deadline);
    ec = c.run(
        [&](auto handler) { http::async_read(*c.stream, c.buffer, parser, std::move(handler)); });
    if (ec)
        return transport_error(ec, "reading the answer");

    auto res = parser.release();
    HttpAnswer answer;
    answer.status = static_cast<int>(res.result_int());
    for (const auto& field : res)
        answer.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    answer.body = std::move(res.body());
    if (!res.keep_alive())
        c.close_gracefully();
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

json::object EmulatorControl::set_config(const ConfigChange& change) {
    json::object body;
    if (change.echo_secrets)
        body["echoSecrets"] = *change.echo_secrets;
    return post("/_emulator/config", body).as_object();
}

} // namespace hookwarden::test
