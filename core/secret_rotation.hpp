// Secret rotation with a grace period (issue 13): when hookwarden sends a
// webhook a new secret, the previous one stays valid at the receiver for a
// while, so that deliveries the tenant signed with it and is still retrying
// are accepted rather than lost.
//
// Used by the engine (which records a rotation in state.json after a
// successful update that changed a known secret, and drops it once it has
// ended), the plan (which shows rotations in progress and how long a new one
// would last), the snapshot writer (status.json's `rotations`) and the
// receiver (which accepts the previous secret while a rotation is in
// progress). Everything here is pure: the time is always a parameter.
#pragma once

#include "core/state_store.hpp"
#include "core/webhook.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hookwarden {

/// The wall clock, injected where core needs the time of day (the
/// steady clock of core/backoff.hpp measures intervals only).
using WallClock = std::function<std::chrono::system_clock::time_point()>;

/// `receiver.tolerance` when the config does not set it (SPEC §3).
inline constexpr std::chrono::seconds default_rotation_tolerance{5 * 60};

/// How long the previous secret stays valid after a rotation: the tenant's
/// retry horizon for this webhook, `retryInterval × maxRetries` (the last
/// retry of a delivery signed just before the rotation is sent that long
/// after it), but never less than `tolerance`, the replay window a
/// receiver accepts a delivery's timestamp in. An interval that does not
/// parse counts as the default PT1M.
std::chrono::seconds rotation_grace(const RetryPolicy& policy, std::chrono::seconds tolerance);

/// A rotation that starts at `now`: the previous secret is accepted until
/// now + grace (rounded up to the whole second).
SecretRotation start_rotation(std::string previous_fingerprint,
                              std::chrono::system_clock::time_point now,
                              std::chrono::seconds grace);

/// True while the previous secret is still accepted: `now` before `until`.
bool rotation_in_progress(const SecretRotation& rotation,
                          std::chrono::system_clock::time_point now);

/// One rotation in progress, as plan and status list them.
struct RotationInProgress {
    std::string name;
    std::chrono::sys_seconds until;

    bool operator==(const RotationInProgress&) const = default;
};

/// The owned webhooks of `state` with a rotation in progress at `now`, by name.
std::vector<RotationInProgress> rotations_in_progress(const State& state,
                                                      std::chrono::system_clock::time_point now);

/// Removes every rotation that has ended at `now` from `state` and returns
/// the names it removed them from, by name.
std::vector<std::string> drop_ended_rotations(State& state,
                                              std::chrono::system_clock::time_point now);

/// `2026-12-02T16:05:00Z`: the form of `until` in state.json, status.json
/// and the plan.
std::string format_rotation_time(std::chrono::sys_seconds time);

/// The instant an RFC 3339 date-time names, to the second (a fraction is
/// dropped); nothing when it is not one.
std::optional<std::chrono::sys_seconds> parse_rotation_time(std::string_view text);

/// A grace as people read it: `5m`, `1h30m`, `45s`, `1d2h`.
std::string format_grace(std::chrono::seconds grace);

} // namespace hookwarden
