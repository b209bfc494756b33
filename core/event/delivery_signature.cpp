#include "core/event/delivery_signature.hpp"

#include "core/base64.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <charconv>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <vector>

namespace hookwarden {

namespace {

constexpr std::size_t mac_size = 32; // SHA-256
using Mac = std::array<unsigned char, mac_size>;

/// HMAC-SHA256(key, the concatenation of `parts`), without copying a large
/// body into one buffer. OpenSSL without HMAC-SHA256 is a broken
/// installation: that throws, like sha256_hex.
Mac hmac_sha256(std::string_view key, std::initializer_list<std::string_view> parts) {
    // Fetched once: the provider lookup costs more than a small MAC.
    static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (!hmac)
        throw std::runtime_error("HMAC is not available from OpenSSL");
    std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_new(hmac), EVP_MAC_CTX_free);
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    Mac out{};
    std::size_t length = 0;
    bool ok = ctx && EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) == 1;
    for (std::string_view part : parts)
        ok = ok && EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(part.data()), part.size()) == 1;
    ok = ok && EVP_MAC_final(ctx.get(), out.data(), &length, out.size()) == 1 && length == mac_size;
    if (!ok)
        throw std::runtime_error("HMAC-SHA256 failed in OpenSSL");
    return out;
}

Mac standard_webhooks_mac(std::string_view secret, std::string_view id, std::string_view timestamp,
                          std::string_view body) {
    return hmac_sha256(secret, {id, ".", timestamp, ".", body});
}

std::string_view trim(std::string_view value) {
    constexpr std::string_view blanks = " \t";
    const auto first = value.find_first_not_of(blanks);
    if (first == std::string_view::npos)
        return {};
    return value.substr(first, value.find_last_not_of(blanks) - first + 1);
}

/// A received MAC, or nothing when it is not strict base64 of 32 bytes.
std::optional<Mac> decode_mac(std::string_view text) {
    const auto bytes = base64_decode_strict(text);
    if (!bytes || bytes->size() != mac_size)
        return std::nullopt;
    Mac mac{};
    std::copy(bytes->begin(), bytes->end(), mac.begin());
    return mac;
}

bool same_mac(const Mac& a, const Mac& b) { return CRYPTO_memcmp(a.data(), b.data(), mac_size) == 0; }

Error refusal(ErrorKind kind, int http_status, std::string message) {
    return make_error(kind, std::move(message), {.http_status = http_status});
}

Error unauthorized(std::string message) { return refusal(ErrorKind::unauthorized, 401, std::move(message)); }
Error bad_request(std::string message) { return refusal(ErrorKind::invalid_input, 400, std::move(message)); }

/// Index of the first secret under which `expected_for(secret)` equals one
/// of `received`.
template <class ExpectedFor>
std::optional<std::size_t> matching_secret(std::span<const std::string> secrets, const std::vector<Mac>& received,
                                           ExpectedFor expected_for) {
    for (std::size_t i = 0; i < secrets.size(); ++i) {
        if (secrets[i].empty())
            continue;
        const Mac expected = expected_for(secrets[i]);
        for (const Mac& mac : received)
            if (same_mac(expected, mac))
                return i;
    }
    return std::nullopt;
}

Result<SignatureMatch> verify_standard_webhooks(const DeliveryHeaders& headers, std::string_view body,
                                                std::span<const std::string> secrets, const VerifyOptions& options) {
    if (!headers.webhook_id)
        return bad_request("webhook-signature is present but webhook-id is missing");
    if (!headers.webhook_timestamp)
        return bad_request("webhook-signature is present but webhook-timestamp is missing");
    const std::string_view id = trim(*headers.webhook_id);
    const std::string_view timestamp = trim(*headers.webhook_timestamp);

    std::vector<Mac> received;
    bool any_v1 = false;
    std::string_view rest = trim(*headers.webhook_signature);
    while (!rest.empty()) {
        const auto space = rest.find(' ');
        const std::string_view entry = rest.substr(0, space);
        rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
        const auto comma = entry.find(',');
        // Other versions (v1a for asymmetric keys, future ones) are not ours to judge.
        if (comma == std::string_view::npos || entry.substr(0, comma) != "v1")
            continue;
        any_v1 = true;
        if (auto mac = decode_mac(entry.substr(comma + 1)))
            received.push_back(*mac);
    }
    if (!any_v1)
        return unauthorized("webhook-signature holds no v1 signature");
    const auto index = matching_secret(secrets, received, [&](const std::string& secret) {
        return standard_webhooks_mac(secret, id, timestamp, body);
    });
    if (!index)
        return unauthorized("no webhook-signature matches the webhook's secret");

    // Signed, so the timestamp is the sender's: now judge its age.
    long long seconds = -1;
    const auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), seconds);
    if (timestamp.empty() || timestamp[0] < '0' || timestamp[0] > '9' || ec != std::errc{} ||
        end != timestamp.data() + timestamp.size())
        return bad_request("webhook-timestamp is not unix seconds: '" + std::string(timestamp.substr(0, 32)) + "'");
    const long long now = options.now.time_since_epoch().count();
    const long long tolerance = options.tolerance.count();
    if (seconds < now - tolerance)
        return bad_request("webhook-timestamp is " + std::to_string(now - seconds) +
                           " s in the past, outside the tolerance of " + std::to_string(tolerance) + " s");
    if (seconds > now + tolerance)
        return bad_request("webhook-timestamp is " + std::to_string(seconds - now) +
                           " s in the future, outside the tolerance of " + std::to_string(tolerance) + " s");
    return SignatureMatch{SignatureScheme::standard_webhooks, *index};
}

Result<SignatureMatch> verify_hub_signature(std::string_view header, std::string_view body,
                                            std::span<const std::string> secrets) {
    constexpr std::string_view prefix = "sha256=";
    const std::string_view value = trim(header);
    if (!value.starts_with(prefix))
        return unauthorized("X-Hub-Signature-256 does not start with 'sha256='");
    std::vector<Mac> received;
    if (auto mac = decode_mac(value.substr(prefix.size())))
        received.push_back(*mac);
    const auto index = matching_secret(secrets, received,
                                       [&](const std::string& secret) { return hmac_sha256(secret, {body}); });
    if (!index)
        return unauthorized("X-Hub-Signature-256 does not match the webhook's secret");
    return SignatureMatch{SignatureScheme::hub_signature_256, *index};
}

} // namespace

const char* to_string(SignatureScheme scheme) noexcept {
    switch (scheme) {
    case SignatureScheme::standard_webhooks: return "standard-webhooks";
    case SignatureScheme::hub_signature_256: return "x-hub-signature-256";
    }
    return "standard-webhooks";
}

Result<DeliverySignature> sign_delivery(std::string_view secret, std::string_view body, std::string_view webhook_id,
                                        std::chrono::sys_seconds timestamp) {
    if (secret.empty())
        return make_error(ErrorKind::invalid_input, "cannot sign a delivery with an empty secret");
    DeliverySignature out;
    out.webhook_id = webhook_id;
    out.webhook_timestamp = std::to_string(timestamp.time_since_epoch().count());
    out.hub_signature_256 = "sha256=" + base64_encode(hmac_sha256(secret, {body}));
    out.webhook_signature = "v1," + base64_encode(standard_webhooks_mac(secret, webhook_id, out.webhook_timestamp, body));
    return out;
}

Result<SignatureMatch> verify_delivery(const DeliveryHeaders& headers, std::string_view body,
                                       std::span<const std::string> secrets, const VerifyOptions& options) {
    bool any_secret = false;
    for (const auto& secret : secrets)
        any_secret = any_secret || !secret.empty();
    if (!any_secret)
        return refusal(ErrorKind::internal, 500, "no non-empty secret to verify the delivery with");
    if (headers.webhook_signature)
        return verify_standard_webhooks(headers, body, secrets, options);
    if (headers.hub_signature_256)
        return verify_hub_signature(*headers.hub_signature_256, body, secrets);
    return unauthorized("the delivery carries no signature (neither webhook-signature nor X-Hub-Signature-256)");
}

} // namespace hookwarden
