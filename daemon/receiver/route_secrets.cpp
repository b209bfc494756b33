#include "daemon/receiver/route_secrets.hpp"

#include "core/secret_store.hpp" // secret_fingerprint

#include <algorithm>

namespace hookwarden {

RouteSecrets::RouteSecrets(RouteDefinition definition, SecretReaders readers)
    : definition_(std::move(definition)), readers_(std::move(readers)),
      snapshot_(std::make_shared<const SecretSnapshot>(SecretSnapshot{{""}, {}, "not read yet"})) {}

Candidates RouteSecrets::candidates(std::chrono::system_clock::time_point now) const {
    std::shared_ptr<const SecretSnapshot> snapshot;
    {
        std::lock_guard guard(mutex_);
        snapshot = snapshot_;
    }
    // Previous values are ordered longest-valid first: the valid ones are a prefix.
    std::size_t count = 1;
    while (count < snapshot->values.size() && now < snapshot->until[count - 1])
        ++count;
    return Candidates(std::move(snapshot), count);
}

bool RouteSecrets::refresh(std::chrono::system_clock::time_point now, std::chrono::steady_clock::time_point tick,
                           bool force) {
    std::lock_guard guard(mutex_); // one refresh at a time; readers only copy the pointer
    const std::string version = readers_.version ? readers_.version(definition_.webhook, definition_.source) : "";
    if (!force && last_refresh_ && tick - *last_refresh_ < std::chrono::seconds(1) && version == last_version_)
        return false;
    last_refresh_ = tick;
    last_version_ = version;

    const std::string& name = definition_.webhook;
    const auto at = std::chrono::floor<std::chrono::seconds>(now);
    SecretSnapshot next;

    // This webhook's rotation in state.json, if one is in progress.
    std::optional<SecretRotation> rotation;
    if (readers_.rotations)
        if (auto rotations = readers_.rotations(); rotations)
            if (auto found = rotations->find(name); found != rotations->end() && found->second.until > at)
                rotation = found->second;
    const std::optional<std::chrono::sys_seconds> rotation_end =
        rotation ? std::optional(rotation->until) : std::nullopt;

    auto current = readers_.current(name, definition_.source);
    next.values.push_back(current ? *current : std::string());
    if (!current)
        next.problem = current.error().message;

    std::vector<std::pair<std::chrono::sys_seconds, std::string>> previous;
    auto keep = [&](std::string value, std::chrono::sys_seconds until) {
        if (value.empty() || value == next.values.front() || until <= at)
            return;
        for (auto& [end, known] : previous)
            if (known == value) {
                end = std::max(end, until);
                return;
            }
        previous.emplace_back(until, std::move(value));
    };

    // What this receiver held: the current value it verified with until now
    // (replaced if the source changed) and the previous ones still valid.
    const SecretSnapshot& held = *snapshot_;
    if (!held.values.front().empty())
        keep(held.values.front(), rotation_end.value_or(at + definition_.grace));
    for (std::size_t i = 1; i < held.values.size(); ++i)
        keep(held.values[i], held.until[i - 1]);

    // The previous generated secret kept on disk: valid as long as
    // state.json says, and only if it is the one state.json names.
    if (rotation && readers_.previous)
        if (auto kept = readers_.previous(name);
            kept && *kept && secret_fingerprint(**kept) == rotation->previous_fingerprint)
            keep(std::move(**kept), rotation->until);

    std::sort(previous.begin(), previous.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (auto& [until, value] : previous) {
        next.values.push_back(std::move(value));
        next.until.push_back(until);
    }
    snapshot_ = std::make_shared<const SecretSnapshot>(std::move(next));
    return true;
}

} // namespace hookwarden
