#include "tests/emulator/emulator_delivery_message.hpp"

#include "core/event/delivery_signature.hpp"
#include "core/iso8601_duration.hpp"
#include "core/snapshot/status_file.hpp"

#include <boost/json.hpp>
#include <cmath>

namespace hookwarden::emulator {
namespace json = boost::json;
namespace chrono = std::chrono;

std::string delivery_body(const EmulatedEvent& event, std::string_view webhook_id,
                          const json::object& overrides) {
    json::object body{
        {"eventType", event.event_type},
        {"timestamp", format_rfc3339(event.timestamp)},
        {"actor", json::object{{"id", event.actor_id}, {"name", "Emulated User"}}},
        {"metadata", json::object{{"sequence", event.sequence}, {"webhookId", webhook_id}}},
    };
    for (const auto& [key, value] : overrides)
        body[key] = value;
    return json::serialize(body);
}

HeaderList delivery_headers(const std::optional<std::string>& secret, std::string_view body,
                            std::string_view message_id, TimePoint now) {
    HeaderList headers{{"Content-Type", "application/json"},
                       {"webhook-id", std::string(message_id)}};
    if (!secret || secret->empty())
        return headers;
    // sign_delivery refuses only an empty secret, excluded above.
    const auto signature =
        sign_delivery(*secret, body, message_id, chrono::floor<chrono::seconds>(now)).value();
    headers.emplace_back("X-Hub-Signature-256", signature.hub_signature_256);
    headers.emplace_back("webhook-timestamp", signature.webhook_timestamp);
    headers.emplace_back("webhook-signature", signature.webhook_signature);
    return headers;
}

std::string delivery_message_id(std::string_view uuid) {
    std::string id = "msg_";
    for (const char c : uuid)
        if (c != '-')
            id.push_back(c);
    return id;
}

std::chrono::milliseconds retry_delay(std::string_view retry_interval, double scale) {
    const auto interval = parse_iso8601_duration(retry_interval).value_or(chrono::minutes(1));
    const double ms = std::round(double(interval.count()) * 1000.0 * scale);
    return chrono::milliseconds(static_cast<std::int64_t>(std::max(0.0, ms)));
}

} // namespace hookwarden::emulator
