// Checks a delivery's signatures in tests the way hookwarden's receiver
// does (core's verify_delivery), from the headers as they were sent or
// received: names matched case-insensitively, the clock read now, a
// tolerance of five minutes.
#pragma once

#include "core/event/delivery_signature.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hookwarden::test {

/// Which scheme verified `body` under `secret`, or why none did.
inline Result<SignatureMatch>
verify_signed_delivery(const std::vector<std::pair<std::string, std::string>>& headers,
                       std::string_view body, const std::string& secret) {
    const auto header = [&](std::string_view name) -> std::optional<std::string_view> {
        for (const auto& [key, value] : headers)
            if (std::equal(key.begin(), key.end(), name.begin(), name.end(),
                           [](unsigned char a, unsigned char b) {
                               return std::tolower(a) == std::tolower(b);
                           }))
                return std::string_view(value);
        return std::nullopt;
    };
    const std::vector<std::string> secrets{secret};
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    return verify_delivery({header("X-Hub-Signature-256"), header("webhook-id"),
                            header("webhook-timestamp"), header("webhook-signature")},
                           body, secrets, {now, std::chrono::minutes(5)});
}

} // namespace hookwarden::test
