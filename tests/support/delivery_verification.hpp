// Checks a delivery's signatures in tests the way hookwarden's receiver
// does (core's verify_delivery), from the headers as they were sent or
// received: names matched case-insensitively (daemon/net's find_header), the
// clock read now, a tolerance of five minutes.
#pragma once

#include "core/event/delivery_signature.hpp"
#include "daemon/net/https_client.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace hookwarden::test {

/// Which scheme verified `body` under `secret`, or why none did.
inline Result<SignatureMatch> verify_signed_delivery(const HttpHeaders& headers,
                                                     std::string_view body,
                                                     const std::string& secret) {
    const auto header = [&](std::string_view name) { return find_header(headers, name); };
    const std::vector<std::string> secrets{secret};
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    return verify_delivery({header("X-Hub-Signature-256"), header("webhook-id"),
                            header("webhook-timestamp"), header("webhook-signature")},
                           body, secrets, {now, std::chrono::minutes(5)});
}

} // namespace hookwarden::test
