#include "core/secret_rotation.hpp"

#include "core/iso8601_duration.hpp"
#include "core/rfc3339_time.hpp"

#include <algorithm>
#include <ctime>

namespace hookwarden {

namespace chrono = std::chrono;

chrono::seconds rotation_grace(const RetryPolicy& policy, chrono::seconds tolerance) {
    const chrono::seconds interval =
        parse_iso8601_duration(policy.retry_interval).value_or(chrono::minutes(1));
    const chrono::seconds horizon = interval * std::max(0, policy.max_retries);
    return std::max(horizon, tolerance);
}

SecretRotation start_rotation(std::string previous_fingerprint,
                              chrono::system_clock::time_point now, chrono::seconds grace) {
    // Rounded up: the previous secret is never dropped before the grace is over.
    return {std::move(previous_fingerprint), chrono::ceil<chrono::seconds>(now) + grace};
}

bool rotation_in_progress(const SecretRotation& rotation, chrono::system_clock::time_point now) {
    return now < rotation.until;
}

std::vector<RotationInProgress> rotations_in_progress(const State& state,
                                                      chrono::system_clock::time_point now) {
    std::vector<RotationInProgress> out;
    for (const auto& [name, owned] : state.owned)
        if (owned.rotation && rotation_in_progress(*owned.rotation, now))
            out.push_back({name, owned.rotation->until});
    return out;
}

std::vector<std::string> drop_ended_rotations(State& state, chrono::system_clock::time_point now) {
    std::vector<std::string> ended;
    for (auto& [name, owned] : state.owned) {
        if (owned.rotation && !rotation_in_progress(*owned.rotation, now)) {
            owned.rotation.reset();
            ended.push_back(name);
        }
    }
    return ended;
}

std::string format_rotation_time(chrono::sys_seconds time) {
    const std::time_t t = static_cast<std::time_t>(time.time_since_epoch().count());
    std::tm utc{};
    gmtime_r(&t, &utc);
    char buffer[32];
    // Cannot run out of room: the widest year, an int's 11 characters, fits.
    (void)std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buffer;
}

std::optional<chrono::sys_seconds> parse_rotation_time(std::string_view text) {
    const auto parsed = parse_rfc3339_strict(text);
    if (!parsed)
        return std::nullopt;
    return chrono::floor<chrono::seconds>(*parsed);
}

std::string format_grace(chrono::seconds grace) {
    if (grace <= chrono::seconds::zero())
        return "0s";
    std::string out;
    auto rest = grace.count();
    for (const auto& [unit, letter] : {std::pair{86400LL, 'd'}, {3600LL, 'h'}, {60LL, 'm'}, {1LL, 's'}}) {
        if (rest >= unit) {
            out += std::to_string(rest / unit) + letter;
            rest %= unit;
        }
    }
    return out;
}

} // namespace hookwarden
