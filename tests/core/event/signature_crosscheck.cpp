// The C++ half of core.event.signature_crosscheck (signature_crosscheck.py
// is the other): our signatures checked by an implementation nobody here
// wrote, Python's hmac/hashlib/base64, and Python's signatures checked by
// our verifier. Bytes travel as base64 so that any secret or body fits in
// a JSON line.
//
//   signature_crosscheck sign SEED COUNT
//       prints COUNT random deliveries, signed: {"secret", "id",
//       "timestamp", "body", "hub", "signature"} (secret and body base64)
//   signature_crosscheck verify
//       reads {"secrets": [...], "body", "headers": {...}, "now",
//       "tolerance"} lines and prints one verdict a line:
//       `accepted SCHEME INDEX` or `refused HTTP_STATUS`
#include "core/base64.hpp"
#include "core/event/delivery_signature.hpp"

#include <boost/json.hpp>

#include <iostream>
#include <random>
#include <string>

using namespace hookwarden;
namespace json = boost::json;

namespace {

std::string b64(std::string_view bytes) {
    return base64_encode({reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()});
}

std::string random_bytes(std::mt19937_64& random, std::size_t min, std::size_t max) {
    std::uniform_int_distribution<std::size_t> length(min, max);
    std::uniform_int_distribution<int> byte(0, 255);
    std::string out(length(random), '\0');
    for (char& c : out)
        c = static_cast<char>(byte(random));
    return out;
}

int sign(std::uint64_t seed, int count) {
    std::mt19937_64 random(seed);
    std::uniform_int_distribution<long long> timestamps(0, 4'102'444'800); // 1970 .. 2100
    for (int i = 0; i < count; ++i) {
        std::string secret = random_bytes(random, 1, 80);
        if (i % 4 == 0)
            secret = "whsec_" + b64(secret); // the Standard Webhooks look: still the string's bytes
        const std::string id = "msg_" + std::to_string(random());
        const std::string body = random_bytes(random, 0, i % 10 == 0 ? 100'000 : 600);
        const std::chrono::sys_seconds timestamp{std::chrono::seconds{timestamps(random)}};
        const auto signature = sign_delivery(secret, body, id, timestamp);
        if (!signature) {
            std::cerr << signature.error().describe() << '\n';
            return 1;
        }
        std::cout << json::serialize(json::object{{"secret", b64(secret)},
                                                  {"id", id},
                                                  {"timestamp", signature->webhook_timestamp},
                                                  {"body", b64(body)},
                                                  {"hub", signature->hub_signature_256},
                                                  {"signature", signature->webhook_signature}})
                  << '\n';
    }
    return 0;
}

std::optional<std::string_view> header(const json::object& headers, std::string_view name) {
    if (const auto* value = headers.if_contains(name))
        return std::string_view(value->get_string());
    return std::nullopt;
}

int verify() {
    std::string line;
    while (std::getline(std::cin, line)) {
        const json::object request = json::parse(line).as_object();
        std::vector<std::string> secrets;
        for (const auto& secret : request.at("secrets").as_array())
            secrets.push_back(base64_decode_strict(secret.as_string()).value());
        const std::string body = base64_decode_strict(request.at("body").as_string()).value();
        const json::object& headers = request.at("headers").as_object();
        const DeliveryHeaders delivery{.hub_signature_256 = header(headers, "x-hub-signature-256"),
                                       .webhook_id = header(headers, "webhook-id"),
                                       .webhook_timestamp = header(headers, "webhook-timestamp"),
                                       .webhook_signature = header(headers, "webhook-signature")};
        const VerifyOptions options{.now = std::chrono::sys_seconds{std::chrono::seconds{request.at("now").as_int64()}},
                                    .tolerance = std::chrono::seconds{request.at("tolerance").as_int64()}};
        const auto verdict = verify_delivery(delivery, body, secrets, options);
        if (verdict)
            std::cout << "accepted " << to_string(verdict->scheme) << ' ' << verdict->secret_index << '\n';
        else
            std::cout << "refused " << verdict.error().context.http_status << '\n';
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "sign" && argc == 4)
        return sign(std::stoull(argv[2]), std::stoi(argv[3]));
    if (mode == "verify" && argc == 2)
        return verify();
    std::cerr << "usage: signature_crosscheck sign SEED COUNT | verify\n";
    return 64;
}
