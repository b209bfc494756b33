// Fuzzes what `hookwarden receive` makes of the bytes a client sends (SPEC
// §7): the bytes go, without a socket, through the steps of the listener's
// session (daemon/net/http_listener.cpp) — Beast's request_parser with the
// listener's limits, the route check on the request line and headers
// (DeliveryIntake::check_head, the listener's early check), the size check,
// the body — into the receiver's intake (DeliveryIntake::accept: signature,
// timestamp, webhook-id, event check, transform) and the real spool, in a
// scratch directory under $TMPDIR. Pipelined requests on one connection
// are read one after the other, as long as the connection would stay open.
//
// Input: one flags byte, then the bytes of the connection. A forger cannot
// make a MAC, so neither can the fuzzer: bit 0 has this harness sign the
// body the way the Standard Webhooks headers say (over the request's own
// webhook-id and webhook-timestamp values), bit 1 the X-Hub-Signature-256
// way, so that what lies beyond the signature is fuzzed as well.
//
// Invariants: each request read gets one answer, of a documented status,
// with a JSON body, a one-line message and no secret (unless the client
// wrote it); a delivery nobody signed is never accepted; what is accepted
// is a valid event; the spool never fails.
#include "daemon/receiver/delivery_intake.hpp"
#include "daemon/receiver/delivery_spool.hpp"
#include "daemon/receiver/route_secrets.hpp"
#include "core/base64.hpp"
#include "core/event/delivery_signature.hpp"
#include "core/event/event_transform.hpp"
#include "tests/fuzz/fuzz_invariants.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/parse.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <string_view>

#include <unistd.h>

using namespace hookwarden;
using namespace std::chrono_literals;
using fuzz::require;
namespace http = boost::beast::http;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// Secrets start with a letter that no escape ends in (printable_text's
// \xNN are lower-case hex), so that an escaped byte next to text that
// spells the rest cannot read as the secret.
const std::string secret = "Route-secret-of-the-fuzzer-0123456789";
constexpr std::string_view signed_path = "/hooks/monitor";
constexpr std::string_view broken_path = "/hooks/broken"; // its secret cannot be read: 503
constexpr std::size_t max_header_bytes = 16 * 1024;      // ListenerLimits' default
constexpr std::uint64_t max_body = 2048;                 // receiver.maxBody, near its 1KiB minimum
constexpr int max_requests = 4;                          // pipelined on one connection
const std::chrono::system_clock::time_point now{1767225600s}; // the intake's clock

std::string mac_base64(std::string_view message) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
    return base64_encode(std::span<const unsigned char>(mac, length));
}

std::unique_ptr<RouteSecrets> route(std::string_view path, std::string webhook, bool readable) {
    SecretReaders readers;
    readers.current = [readable](const std::string&, const SecretSource&) -> Result<std::string> {
        if (!readable)
            return make_error(ErrorKind::io, "the secret file of the fuzzer's broken route cannot be read");
        return secret;
    };
    auto secrets = std::make_unique<RouteSecrets>(
        RouteDefinition{std::string(path), std::move(webhook), SecretSource{}, 600s}, std::move(readers));
    secrets->refresh(now, std::chrono::steady_clock::now(), true);
    return secrets;
}

// The receiver as `receive` assembles it, on a spool in a scratch
// directory that is removed when the fuzzer exits.
struct Receiver {
    fs::path dir;
    DeliveryIntake::Routes routes;
    std::unique_ptr<DeliverySpool> spool;
    std::unique_ptr<DeliveryIntake> intake;
    std::size_t inputs = 0;

    Receiver() {
        const char* tmp = std::getenv("TMPDIR");
        dir = fs::path(tmp && *tmp ? tmp : "/tmp") / ("hookwarden-fuzz-spool-" + std::to_string(::getpid()));
        routes.emplace(signed_path, route(signed_path, "SystemEventMonitor", true));
        routes.emplace(broken_path, route(broken_path, "BrokenSecret", false));
        auto opened = DeliverySpool::open({.dir = dir, .file_size = 256 * 1024});
        if (!opened)
            fuzz::broken("the spool cannot be opened", opened.error().describe());
        spool = std::move(*opened);
        intake = std::make_unique<DeliveryIntake>(routes, *spool, IntakeOptions{.tolerance = 300s, .clock = [] { return now; }});
    }
    ~Receiver() {
        intake.reset();
        spool.reset();
        std::error_code ignored;
        fs::remove_all(dir, ignored);
    }
    // Consumers take closed spool files away; so does the fuzzer, now and then.
    void tidy() {
        if (++inputs % 1000 != 0)
            return;
        std::error_code ignored;
        for (const auto& entry : fs::directory_iterator(dir, ignored))
            if (entry.path().filename().string().starts_with("events-"))
                fs::remove(entry.path(), ignored);
    }
};

struct Flags {
    bool sign_standard = false;
    bool sign_hub = false;
};

// Whether the secret is in the bytes the client sent: a refusal may quote
// what the client wrote, and that is no leak.
bool client_wrote_secret = false;

void check_answer(const IntakeAnswer& answer, std::string_view path, const Flags& flags, std::string_view body) {
    const std::string shown = std::to_string(answer.status) + " " + answer.body + " / " + answer.message;
    switch (answer.status) {
    case 200: {
        require(flags.sign_standard || flags.sign_hub, "a delivery nobody signed was accepted", shown);
        require(path == signed_path, "a delivery was accepted on a route that cannot verify", shown);
        boost::system::error_code ec;
        const json::value event = json::parse(body, ec);
        require(!ec && check_event(event).empty(), "an invalid event was accepted", std::string(body));
        break;
    }
    case 400: case 401: case 404: case 405: break;
    case 503:
        require(path == broken_path, "the spool failed, or a readable secret was reported unreadable", shown);
        break;
    default: fuzz::broken("an answer of an undocumented status", shown);
    }
    boost::system::error_code ec;
    require(json::parse(answer.body, ec).is_object() && !ec, "an answer's body is not a JSON object", shown);
    require(!fuzz::has_control_character(answer.message), "an answer's log message is not one line", shown);
    require(client_wrote_secret ||
                (answer.body.find(secret) == std::string::npos && answer.message.find(secret) == std::string::npos),
            "an answer carries the secret", shown);
}

// One request from `bytes`, as the listener's session reads it; returns
// whether the connection would stay open for another one.
bool serve_one(Receiver& receiver, std::string_view& bytes, const Flags& flags) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(max_header_bytes));
    parser.body_limit(boost::none); // checked after the early check, as the listener does
    boost::beast::error_code ec;
    const auto put = [&] {
        while (!bytes.empty()) {
            const std::size_t n = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
            bytes.remove_prefix(n);
            if (ec == http::error::need_more) {
                ec = {};
                if (n == 0)
                    return; // the rest is not enough: the connection ends
                continue;
            }
            if (ec || n == 0 || (parser.is_header_done() && !parser.eager()) || parser.is_done())
                return;
        }
    };
    put();
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
        return false; // 431
    if (ec)
        return false; // 400, or the connection ends
    if (!parser.is_header_done()) {
        parser.put_eof(ec);
        return false; // the client went away before its headers ended
    }

    const auto& message = parser.get();
    const std::string method(message.method_string());
    const std::string target(message.target());
    if (auto refused = receiver.intake->check_head(method, target)) {
        require(refused->status == 404 || refused->status == 405, "the early check refused with another status",
                std::to_string(refused->status));
        check_answer(*refused, target_path(target), flags, {});
        return parser.is_done() && message.keep_alive();
    }
    if (const auto length = parser.content_length(); length && *length > max_body)
        return false; // 413
    if (!parser.is_done()) {
        parser.body_limit(max_body);
        parser.eager(true);
        put();
        if (ec)
            return false; // 413 (body_limit) or 400
        if (!parser.is_done()) {
            parser.put_eof(ec);
            if (ec || !parser.is_done())
                return false; // cut short: no answer
        }
    }

    const auto header = [&](std::string_view name) -> std::optional<std::string> {
        const auto found = message.find(name);
        if (found == message.end())
            return std::nullopt;
        return std::string(found->value());
    };
    const std::string& body = message.body();
    std::optional<std::string> hub = header("X-Hub-Signature-256");
    const std::optional<std::string> id = header("webhook-id");
    const std::optional<std::string> timestamp = header("webhook-timestamp");
    std::optional<std::string> signature = header("webhook-signature");
    if (flags.sign_standard && id && timestamp)
        signature = signature.value_or("") + " v1," + mac_base64(*id + "." + *timestamp + "." + body);
    if (flags.sign_hub)
        hub = "sha256=" + mac_base64(body);
    const auto view = [](const std::optional<std::string>& s) {
        return s ? std::optional<std::string_view>(*s) : std::nullopt;
    };
    const IncomingDelivery delivery{target, DeliveryHeaders{view(hub), view(id), view(timestamp), view(signature)}, body};

    std::promise<IntakeAnswer> answered;
    auto answer = answered.get_future();
    receiver.intake->accept(delivery, [&answered](IntakeAnswer a) { answered.set_value(std::move(a)); });
    require(answer.wait_for(10s) == std::future_status::ready, "a delivery was not answered within 10 s");
    check_answer(answer.get(), target_path(target), flags, body);
    return message.keep_alive();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Receiver receiver;
    if (size == 0)
        return 0;
    const Flags flags{(data[0] & 1) != 0, (data[0] & 2) != 0};
    std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    client_wrote_secret = bytes.find(secret) != std::string_view::npos;
    for (int i = 0; i < max_requests && !bytes.empty(); ++i)
        if (!serve_one(receiver, bytes, flags))
            break;
    receiver.tidy();
    return 0;
}
