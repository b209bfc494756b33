// Fuzzes the verification of delivery signatures (SPEC §5 "Deliveries",
// §7): the parsing of `webhook-signature` (space-separated `v1,<base64>`
// entries), `webhook-timestamp` and `X-Hub-Signature-256`, strict base64,
// and the order of the checks, through verify_delivery.
//
// Input: one flags byte, then the four header values and the body, split at
// the first four line breaks:
//   HUB \n ID \n TIMESTAMP \n SIGNATURE \n BODY
// Flag bits 0..3 say which of the four headers are present. A forger cannot
// make a MAC, so neither can the fuzzer: bit 4 has this harness append a
// valid `v1,` signature over ID.TIMESTAMP.BODY to SIGNATURE and bit 5 replace
// HUB with a valid one, under the secret bit 6 picks (current or previous),
// so that what lies beyond a matching signature (the timestamp, the
// tolerance, the choice of secret) is fuzzed as well.
//
// Invariants: nothing verifies that this harness did not sign; a refusal is
// 401 or 400 as documented, one line, and names no secret the sender did
// not write itself; a verified Standard Webhooks delivery has a
// unix-seconds timestamp within the tolerance; what sign_delivery signs
// verifies, both ways; strict base64 has one spelling per byte string.
#include "core/base64.hpp"
#include "core/event/delivery_signature.hpp"
#include "tests/fuzz/fuzz_invariants.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace hookwarden;
using namespace std::chrono_literals;
using fuzz::require;

namespace {

// [0] is an unreadable current secret, skipped; [1] the current one; [2] a
// previous one a rotation keeps valid.
// Secrets start with a letter that no escape ends in (printable_text's
// \xNN are lower-case hex), so that an escaped byte next to text that
// spells the rest cannot read as the secret.
const std::vector<std::string> secrets{"", "Current-secret-of-the-fuzzer-0123456789", "whsec_fuzz-previous-secret"};
const VerifyOptions options{.now = std::chrono::sys_seconds{1767225600s}, .tolerance = 300s};

std::string mac_base64(const std::string& secret, std::string_view message) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
    return base64_encode(std::span<const unsigned char>(mac, length));
}

std::string_view trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos)
        return {};
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

void check_base64(std::string_view text) {
    if (const auto bytes = base64_decode_strict(text)) {
        const std::string again = base64_encode(std::span(reinterpret_cast<const unsigned char*>(bytes->data()), bytes->size()));
        require(again == text, "strict base64 accepted a second spelling", std::string(text) + " -> " + again);
    }
    const std::string encoded = base64_encode(std::span(reinterpret_cast<const unsigned char*>(text.data()), text.size()));
    const auto decoded = base64_decode_strict(encoded);
    require(decoded && *decoded == text, "base64 does not decode what it encoded", encoded);
}

void check_signing(std::string_view body) {
    const auto signature = sign_delivery(secrets[1], body, "msg_fuzz", options.now);
    require(signature.has_value(), "sign_delivery refused a real secret");
    const DeliveryHeaders standard{.webhook_id = signature->webhook_id,
                                   .webhook_timestamp = signature->webhook_timestamp,
                                   .webhook_signature = signature->webhook_signature};
    const auto both = verify_delivery(standard, body, secrets, options);
    require(both && both->scheme == SignatureScheme::standard_webhooks && both->secret_index == 1,
            "a delivery sign_delivery signed does not verify (Standard Webhooks)");
    const DeliveryHeaders hub{.hub_signature_256 = signature->hub_signature_256};
    const auto alone = verify_delivery(hub, body, secrets, options);
    require(alone && alone->scheme == SignatureScheme::hub_signature_256 && alone->secret_index == 1,
            "a delivery sign_delivery signed does not verify (X-Hub-Signature-256)");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const unsigned flags = data[0];
    std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string fields[4];
    for (auto& field : fields) {
        const auto end = rest.find('\n');
        field = std::string(rest.substr(0, end));
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    }
    const std::string_view body = rest;
    auto& [hub, id, timestamp, signature] = fields;

    const std::size_t signer = (flags & 0x40) ? 2 : 1;
    const bool sign_v1 = (flags & 0x10) != 0;
    const bool sign_hub = (flags & 0x20) != 0;
    if (sign_v1)
        signature += " v1," + mac_base64(secrets[signer], id + "." + timestamp + "." + std::string(body));
    if (sign_hub)
        hub = "sha256=" + mac_base64(secrets[signer], body);

    DeliveryHeaders headers;
    if (flags & 0x01)
        headers.hub_signature_256 = hub;
    if (flags & 0x02)
        headers.webhook_id = id;
    if (flags & 0x04)
        headers.webhook_timestamp = timestamp;
    if (flags & 0x08)
        headers.webhook_signature = signature;

    const auto verified = verify_delivery(headers, body, secrets, options);
    if (verified) {
        const bool standard = headers.webhook_signature.has_value();
        require(standard ? sign_v1 : sign_hub, "a delivery the fuzzer could not sign verified");
        require(verified->scheme == (standard ? SignatureScheme::standard_webhooks : SignatureScheme::hub_signature_256),
                "the scheme that decided is not the documented one");
        require(verified->secret_index == signer, "the matching secret is not the one that signed");
        if (standard) {
            const std::string_view seconds_text = trimmed(timestamp);
            long long seconds = -1;
            const auto [end, ec] = std::from_chars(seconds_text.data(), seconds_text.data() + seconds_text.size(), seconds);
            const long long now = options.now.time_since_epoch().count();
            require(!seconds_text.empty() && seconds_text[0] != '-' && seconds_text[0] != '+' && ec == std::errc{} &&
                        end == seconds_text.data() + seconds_text.size() && seconds >= now - options.tolerance.count() &&
                        seconds <= now + options.tolerance.count(),
                    "a delivery verified with a timestamp outside the tolerance", timestamp);
        }
    } else {
        const Error& error = verified.error();
        const std::string line = error.describe();
        require((error.kind == ErrorKind::unauthorized && error.context.http_status == 401) ||
                    (error.kind == ErrorKind::invalid_input && error.context.http_status == 400),
                "a refusal is neither 401 nor 400", line);
        require(line.find_first_of("\r\n") == std::string::npos, "a refusal is not one line", line);
        // Unless the sender wrote it: a refusal may quote the sender's header.
        const std::string_view input(reinterpret_cast<const char*>(data), size);
        for (const auto& secret : secrets)
            require(secret.empty() || line.find(secret) == std::string::npos ||
                        input.find(secret) != std::string_view::npos,
                    "a refusal names a secret the sender did not write", line);
    }

    check_base64(body);
    check_signing(body);
    return 0;
}
