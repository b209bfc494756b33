#include "core/event/accepted_deliveries.hpp"

#include "core/sha256.hpp"

#include <charconv>
#include <cstring>

namespace hookwarden {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

constexpr std::size_t hex_digits = 2 * std::tuple_size_v<DeliveryKey>;

} // namespace

DeliveryKey delivery_key(std::string_view webhook_id) {
    const std::string hex = sha256_hex(webhook_id);
    DeliveryKey key{};
    for (std::size_t i = 0; i < key.size(); ++i)
        key[i] = static_cast<unsigned char>(hex_value(hex[2 * i]) * 16 + hex_value(hex[2 * i + 1]));
    return key;
}

std::string accepted_id_line(const AcceptedId& id) {
    std::string line = std::to_string(id.accepted_at.time_since_epoch().count());
    line += ' ';
    line += to_hex(id.key);
    line += '\n';
    return line;
}

std::vector<AcceptedId> read_accepted_ids(std::string_view journal, std::size_t* skipped) {
    std::vector<AcceptedId> ids;
    std::size_t bad = 0;
    while (!journal.empty()) {
        const auto end = journal.find('\n');
        if (end == std::string_view::npos) { // torn last line
            ++bad;
            break;
        }
        const std::string_view line = journal.substr(0, end);
        journal.remove_prefix(end + 1);

        const auto space = line.find(' ');
        std::int64_t seconds = 0;
        const char* first = line.data();
        const char* last = line.data() + (space == std::string_view::npos ? 0 : space);
        const auto [stop, ec] = std::from_chars(first, last, seconds);
        if (space == std::string_view::npos || ec != std::errc{} || stop != last ||
            line.size() - space - 1 != hex_digits) {
            ++bad;
            continue;
        }
        AcceptedId id;
        id.accepted_at = std::chrono::sys_seconds{std::chrono::seconds{seconds}};
        bool ok = true;
        for (std::size_t i = 0; i < id.key.size() && ok; ++i) {
            const int high = hex_value(line[space + 1 + 2 * i]);
            const int low = hex_value(line[space + 2 + 2 * i]);
            ok = high >= 0 && low >= 0;
            id.key[i] = static_cast<unsigned char>(high * 16 + low);
        }
        if (!ok) {
            ++bad;
            continue;
        }
        ids.push_back(id);
    }
    if (skipped)
        *skipped = bad;
    return ids;
}

std::size_t DeliveryKeyHash::operator()(const DeliveryKey& key) const noexcept {
    // The key is already a cryptographic hash: any 8 of its bytes are uniform.
    std::size_t h = 0;
    std::memcpy(&h, key.data(), sizeof h);
    return h;
}

bool AcceptedDeliveries::insert(const AcceptedId& id) {
    if (!keys_.insert(id.key).second)
        return false;
    order_.push_back(id);
    return true;
}

void AcceptedDeliveries::expire(std::chrono::sys_seconds now) {
    const auto horizon = now - remember_;
    while (!order_.empty() && order_.front().accepted_at < horizon) {
        keys_.erase(order_.front().key);
        order_.pop_front();
    }
}

} // namespace hookwarden
