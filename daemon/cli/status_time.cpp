#include "daemon/cli/status_time.hpp"

#include "core/rfc3339_time.hpp"

#include <cstdint>

namespace hookwarden {

namespace chrono = std::chrono;

std::optional<SystemTime> parse_rfc3339_time(std::string_view text) {
    const auto parsed = parse_rfc3339_strict(text);
    if (!parsed)
        return std::nullopt;
    // system_clock counts nanoseconds: years 1677..2262. A snapshot time
    // outside them is as unusable here as a malformed one.
    using std::chrono::microseconds;
    constexpr auto earliest = std::chrono::duration_cast<microseconds>(SystemTime::min().time_since_epoch());
    constexpr auto latest = std::chrono::duration_cast<microseconds>(SystemTime::max().time_since_epoch());
    const auto since_epoch = parsed->time_since_epoch();
    if (since_epoch <= earliest || since_epoch >= latest)
        return std::nullopt;
    return SystemTime(std::chrono::duration_cast<SystemTime::duration>(since_epoch));
}

std::string format_age(chrono::milliseconds age) {
    const auto seconds = chrono::abs(chrono::duration_cast<chrono::seconds>(age)).count();
    if (seconds < 60)
        return std::to_string(seconds) + "s";
    if (seconds < 3600)
        return std::to_string(seconds / 60) + "m";
    if (seconds < std::int64_t{2} * 86400) // "30h" says more than "1d"
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
