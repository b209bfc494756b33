#include "core/event/spool_record.hpp"

#include "core/rfc3339_time.hpp"
#include "core/snapshot/status_file.hpp" // format_rfc3339

#include <boost/json.hpp>

namespace hookwarden {

namespace json = boost::json;

std::string spool_record_line(const DeliveryFacts& facts, const json::object& event) {
    json::object delivery;
    delivery.reserve(6);
    if (facts.id)
        delivery["id"] = *facts.id;
    else
        delivery["id"] = nullptr;
    delivery["webhook"] = facts.webhook;
    delivery["path"] = facts.path;
    delivery["receivedAt"] = format_rfc3339(facts.received_at);
    delivery["signature"] = to_string(facts.scheme);
    delivery["previousSecret"] = facts.previous_secret;

    json::object record;
    record.reserve(2);
    record["delivery"] = std::move(delivery);
    record["event"] = event;
    std::string line = json::serialize(record);
    line += '\n';
    return line;
}

std::optional<SpoolRecordId> spool_record_id(std::string_view line) {
    boost::system::error_code ec;
    const json::value value = json::parse(line, ec);
    if (ec || !value.is_object())
        return std::nullopt;
    const json::value* delivery = value.as_object().if_contains("delivery");
    if (!delivery || !delivery->is_object())
        return std::nullopt;
    const json::value* id = delivery->as_object().if_contains("id");
    const json::value* at = delivery->as_object().if_contains("receivedAt");
    if (!id || !id->is_string() || !at || !at->is_string())
        return std::nullopt;
    const auto time = parse_rfc3339_strict(at->as_string());
    if (!time)
        return std::nullopt;
    return SpoolRecordId{std::string(id->as_string()),
                         std::chrono::floor<std::chrono::seconds>(*time)};
}

} // namespace hookwarden
