// Signing and verifying webhook deliveries (SPEC §5 "Deliveries", §7).
//
// Every delivery is signed two ways at once, with the HMAC key being the
// webhook secret string's bytes:
//
//   X-Hub-Signature-256: sha256=<base64 HMAC-SHA256(secret, BODY)>
//   webhook-id:          <the delivery's id>
//   webhook-timestamp:   <unix seconds>
//   webhook-signature:   v1,<base64 HMAC-SHA256(secret, "ID.TIMESTAMP.BODY")>
//
// Two differences from other implementations are deliberate, because SPEC
// §5 fixes the format:
//  - Standard Webhooks' reference libraries strip a `whsec_` prefix and
//    base64-decode the rest to get the key; here the key is always the
//    secret string's bytes, `whsec_` included. A secret shared with a
//    Standard Webhooks library therefore verifies only if that side is told
//    to use the raw string.
//  - GitHub's X-Hub-Signature-256 carries hex; the Genesys convention (and
//    this) carries base64.
//
// The emulator signs with `sign_delivery`; `hookwarden receive` verifies
// with `verify_delivery`. Nothing here reads a clock: `now` is a parameter.
//
// Verification rules:
//  - When `webhook-signature` is present, the Standard Webhooks scheme
//    decides alone: `webhook-id` and `webhook-timestamp` must be present too,
//    any one of the space-separated `v1,` signatures may match, unknown
//    versions (`v1a,…`) are ignored, and the timestamp must lie within
//    `tolerance` of `now`, both ways. X-Hub-Signature-256 is then not looked
//    at, so that dropping the Standard Webhooks headers is the only way to
//    escape the timestamp check, and that leaves no timestamp to replay.
//  - Otherwise X-Hub-Signature-256 decides; it has no timestamp, so a
//    captured delivery signed only that way can be replayed (the tenant
//    always sends both).
//  - The signature is checked before the timestamp: only someone holding
//    the secret learns that a timestamp is stale.
//  - MACs are compared decoded, in constant time (CRYPTO_memcmp); base64 is
//    decoded strictly and a MAC of the wrong length simply does not match.
//  - Several candidate secrets (a rotation keeps the previous one valid for
//    a while): any may match, and the result says which. An empty secret
//    never signs and never verifies.
#pragma once

#include "core/error.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hookwarden {

/// The signature header values of one delivery.
struct DeliverySignature {
    std::string hub_signature_256; ///< X-Hub-Signature-256: `sha256=<base64>`
    std::string webhook_id;        ///< webhook-id, as given
    std::string webhook_timestamp; ///< webhook-timestamp: unix seconds in decimal
    std::string webhook_signature; ///< webhook-signature: `v1,<base64>`
};

/// Signs `body` both ways. An empty secret is refused (invalid_input): an
/// HMAC under an empty key is one anybody can compute.
Result<DeliverySignature> sign_delivery(std::string_view secret, std::string_view body,
                                        std::string_view webhook_id, std::chrono::sys_seconds timestamp);

/// The signature headers a request carried; absent ones are empty optionals.
/// Values may carry the surrounding blanks HTTP allows: they are trimmed.
struct DeliveryHeaders {
    std::optional<std::string_view> hub_signature_256;
    std::optional<std::string_view> webhook_id;
    std::optional<std::string_view> webhook_timestamp;
    std::optional<std::string_view> webhook_signature;
};

enum class SignatureScheme {
    standard_webhooks, ///< webhook-signature over "ID.TIMESTAMP.BODY"
    hub_signature_256, ///< X-Hub-Signature-256 over the body
};

/// `standard-webhooks` or `x-hub-signature-256`.
const char* to_string(SignatureScheme scheme) noexcept;

/// A delivery that verified: which scheme decided and which secret matched.
struct SignatureMatch {
    SignatureScheme scheme = SignatureScheme::standard_webhooks;
    std::size_t secret_index = 0; ///< index into the candidate secrets
};

struct VerifyOptions {
    std::chrono::sys_seconds now;   ///< the receiver's clock, read by the caller
    std::chrono::seconds tolerance; ///< receiver.tolerance: |now - timestamp| ≤ this is accepted
};

/// Verifies a delivery's signature over the raw `body` against each of
/// `secrets` (empty ones are skipped). A refusal is an Error whose
/// `context.http_status` is the answer to give and whose message says why:
///  - 401 (unauthorized): no signature header, or no signature matches;
///  - 400 (invalid_input): `webhook-signature` without `webhook-id` or
///    `webhook-timestamp`, a timestamp that is not unix seconds, or one
///    outside the tolerance (in the past or the future);
///  - 500 (internal): no non-empty secret to verify with (a configuration
///    fault; the sender retries and nothing is accepted unverified).
Result<SignatureMatch> verify_delivery(const DeliveryHeaders& headers, std::string_view body,
                                       std::span<const std::string> secrets, const VerifyOptions& options);

} // namespace hookwarden
