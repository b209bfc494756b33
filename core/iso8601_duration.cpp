#include "core/iso8601_duration.hpp"

#include <cstdint>

namespace hookwarden {

std::optional<std::chrono::seconds> parse_iso8601_duration(std::string_view text) {
    if (text.size() < 3 || text.front() != 'P')
        return std::nullopt;
    std::size_t i = 1;
    bool in_time = false;
    bool any = false;
    // Designators must come in this order, each at most once.
    const std::string_view order = "DHMS";
    std::size_t next_designator = 0;
    std::int64_t total = 0;
    while (i < text.size()) {
        if (text[i] == 'T') {
            if (in_time || i + 1 == text.size())
                return std::nullopt;
            in_time = true;
            next_designator = 1;
            ++i;
            continue;
        }
        std::int64_t value = 0;
        std::size_t digits = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            value = value * 10 + (text[i] - '0');
            if (++digits > 9)
                return std::nullopt;
            ++i;
        }
        if (digits == 0 || i == text.size())
            return std::nullopt;
        const char unit = text[i++];
        const auto pos = order.find(unit, next_designator);
        if (pos == std::string_view::npos || (unit == 'D') == in_time)
            return std::nullopt;
        next_designator = pos + 1;
        static constexpr std::int64_t factor[] = {86400, 3600, 60, 1};
        total += value * factor[pos];
        any = true;
    }
    if (!any)
        return std::nullopt;
    return std::chrono::seconds(total);
}

} // namespace hookwarden
