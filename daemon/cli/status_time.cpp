#include "daemon/cli/status_time.hpp"

#include <cstdio>

namespace hookwarden {

namespace chrono = std::chrono;

namespace {

bool digits(std::string_view text, std::size_t from, std::size_t count, int& value) {
    if (from + count > text.size())
        return false;
    value = 0;
    for (std::size_t i = from; i < from + count; ++i) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        value = value * 10 + (text[i] - '0');
    }
    return true;
}

} // namespace

std::optional<SystemTime> parse_rfc3339_time(std::string_view text) {
    // YYYY-MM-DDTHH:MM:SS, fixed positions.
    int year, month, day, hour, minute, second;
    if (!digits(text, 0, 4, year) || !digits(text, 5, 2, month) || !digits(text, 8, 2, day) ||
        !digits(text, 11, 2, hour) || !digits(text, 14, 2, minute) || !digits(text, 17, 2, second))
        return std::nullopt;
    if (text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
        text[16] != ':')
        return std::nullopt;
    std::size_t pos = 19;
    chrono::nanoseconds fraction{0};
    if (pos < text.size() && text[pos] == '.') {
        long long scale = 100'000'000, ns = 0;
        std::size_t start = ++pos;
        for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, scale /= 10)
            ns += (text[pos] - '0') * scale;
        if (pos == start)
            return std::nullopt;
        fraction = chrono::nanoseconds{ns};
    }
    chrono::minutes offset{0};
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
        ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        int oh, om;
        if (!digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
            !digits(text, pos + 4, 2, om) || oh > 23 || om > 59)
            return std::nullopt;
        offset = chrono::minutes{(text[pos] == '-' ? -1 : 1) * (oh * 60 + om)};
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != text.size())
        return std::nullopt;

    const chrono::year_month_day date{chrono::year{year}, chrono::month{unsigned(month)},
                                      chrono::day{unsigned(day)}};
    if (!date.ok() || hour > 23 || minute > 59 || second > 60)
        return std::nullopt;
    const auto utc = chrono::sys_days{date} + chrono::hours{hour} + chrono::minutes{minute} +
                     chrono::seconds{second} + fraction - offset;
    return chrono::time_point_cast<SystemTime::duration>(utc);
}

std::string format_age(chrono::milliseconds age) {
    const auto seconds = chrono::abs(chrono::duration_cast<chrono::seconds>(age)).count();
    if (seconds < 60)
        return std::to_string(seconds) + "s";
    if (seconds < 3600)
        return std::to_string(seconds / 60) + "m";
    if (seconds < 2 * 86400) // "30h" says more than "1d"
        return std::to_string(seconds / 3600) + "h";
    return std::to_string(seconds / 86400) + "d";
}

std::string format_relative(SystemTime then, SystemTime now) {
    const auto delta = chrono::duration_cast<chrono::milliseconds>(now - then);
    if (chrono::abs(delta) < chrono::seconds{1})
        return "now";
    return delta > delta.zero() ? format_age(delta) + " ago" : "in " + format_age(delta);
}

std::string format_config_duration(chrono::milliseconds duration) {
    // The largest unit that gives a whole number, but `60s` rather than `1m`
    // (the default interval, as the config example writes it).
    const auto ms = duration.count();
    if (ms != 0 && ms % 3'600'000 == 0)
        return std::to_string(ms / 3'600'000) + "h";
    if (ms != 0 && ms % 60'000 == 0 && ms >= 120'000)
        return std::to_string(ms / 60'000) + "m";
    if (ms != 0 && ms % 1'000 == 0)
        return std::to_string(ms / 1'000) + "s";
    return std::to_string(ms) + "ms";
}

std::optional<std::string> staleness_warning(SystemTime last_end, SystemTime now,
                                             chrono::milliseconds interval) {
    if (now - last_end <= 3 * interval)
        return std::nullopt;
    return "the last cycle ended " + format_relative(last_end, now) + ", more than 3 × interval (" +
           format_config_duration(interval) + "): is the daemon running?";
}

} // namespace hookwarden
