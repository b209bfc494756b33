#include "core/rfc3339_time.hpp"

namespace hookwarden {

namespace chrono = std::chrono;

namespace {

/// `count` decimal digits at `from`, or -1.
int digits(std::string_view text, std::size_t from, std::size_t count) {
    if (from + count > text.size())
        return -1;
    int value = 0;
    for (std::size_t i = from; i < from + count; ++i) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

} // namespace

std::optional<Rfc3339Time> parse_rfc3339_strict(std::string_view text) {
    // full-date "T" partial-time, at fixed positions: YYYY-MM-DDTHH:MM:SS
    if (text.size() < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') ||
        text[13] != ':' || text[16] != ':')
        return std::nullopt;
    const int year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
    const int hour = digits(text, 11, 2), minute = digits(text, 14, 2), second = digits(text, 17, 2);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0)
        return std::nullopt;
    const chrono::year_month_day date{chrono::year{year}, chrono::month{unsigned(month)}, chrono::day{unsigned(day)}};
    if (!date.ok() || hour > 23 || minute > 59 || second > 60)
        return std::nullopt;

    std::size_t pos = 19;
    chrono::microseconds fraction{0};
    if (text[pos] == '.') {
        const std::size_t start = ++pos;
        long long scale = 100'000, us = 0;
        for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
            us += (text[pos] - '0') * scale;
            scale /= 10;
        }
        if (pos == start)
            return std::nullopt;
        fraction = chrono::microseconds{us};
    }

    chrono::minutes offset{0};
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
        ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        const int oh = digits(text, pos + 1, 2), om = digits(text, pos + 4, 2);
        if (oh < 0 || om < 0 || text[pos + 3] != ':' || oh > 23 || om > 59)
            return std::nullopt;
        offset = chrono::minutes{(text[pos] == '-' ? -1 : 1) * (oh * 60 + om)};
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != text.size())
        return std::nullopt;

    const auto utc = chrono::sys_days{date} + chrono::hours{hour} + chrono::minutes{minute} +
                     chrono::seconds{second} - offset;
    if (second == 60) {
        // A leap second is inserted at the end of a UTC day only.
        const auto utc_minute = chrono::floor<chrono::minutes>(utc - chrono::seconds{60});
        const auto into_day = utc_minute - chrono::floor<chrono::days>(utc_minute);
        if (into_day != chrono::hours{23} + chrono::minutes{59})
            return std::nullopt;
    }
    return Rfc3339Time{utc + fraction};
}

} // namespace hookwarden
