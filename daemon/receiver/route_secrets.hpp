// The receiver's routes and the secrets that verify them (SPEC §3
// `receiver.routes`, §7, and the rotation grace of issue 13).
//
// A route maps a URL path to a webhook; the webhook's manifest names where
// its secret comes from (`secretRef`: generated in stateDir/secrets, or a
// credential, file or environment variable). A delivery verifies against
// the webhook's current secret, or against a previous one that a rotation
// keeps valid until a time:
//  - the previous generated secret `apply --rotate-secret` kept, valid
//    until the time state.json records for the rotation, and only while
//    its fingerprint is the one recorded there (a stale file left by a
//    crash between a rotation's steps is never trusted alone);
//  - any value this receiver held before its source changed (a rotated
//    generated secret, an edited credential): kept in memory until the
//    rotation's end in state.json, or, when apply has not recorded one yet,
//    for the route's grace (the webhook's retry horizon, at least the
//    tolerance) from the moment the change was seen.
// So the tenant's retries of deliveries it signed with the old secret still
// land, and after the grace only the new secret opens the door. A value
// held only in memory does not survive a restart of the receiver; a
// generated one does.
//
// Secrets are re-read when asked (`refresh`: at start, on SIGHUP, and when
// a delivery fails to verify — at once when the secret's file changed, else
// at most once a second a route, so a flood of bad signatures costs a
// stat(2) each, not a read of every file). Readers get an
// immutable snapshot, so verification never waits for a refresh. Values
// never leave this object but through `Candidates`, to the verifier.
#pragma once

#include "core/error.hpp"
#include "core/secret_source.hpp"
#include "core/state_store.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hookwarden {

/// Where the receiver reads secrets from; the receiver passes the real
/// SecretStore and state.json, tests their own.
struct SecretReaders {
    /// The webhook's secret as it is now (a generated one is never created
    /// here: that is apply's job; not yet generated is ErrorKind::not_found).
    std::function<Result<std::string>(const std::string& webhook, const SecretSource& source)> current;
    /// The previous generated secret a rotation kept, if any.
    std::function<Result<std::optional<std::string>>(const std::string& webhook)> previous;
    /// The rotations state.json records, by webhook name (read once a refresh).
    std::function<Result<std::map<std::string, SecretRotation>>()> rotations;
    /// A cheap token that changes when `current` may read another value
    /// (SecretStore::version); unset: only the once-a-second limit applies.
    std::function<std::string(const std::string& webhook, const SecretSource& source)> version;
};

struct RouteDefinition {
    std::string path;    ///< e.g. /hooks/monitor
    std::string webhook; ///< metadata.name
    SecretSource source; ///< the manifest's secretRef
    std::chrono::seconds grace; ///< how long a replaced value stays valid when state.json says nothing
};

/// What one read of a route's sources found; immutable once published.
struct SecretSnapshot {
    /// [0] the current value ("" when it cannot be read), then the previous
    /// ones, the longest-valid first.
    std::vector<std::string> values;
    /// until[i] ends values[i + 1].
    std::vector<std::chrono::sys_seconds> until;
    /// Why the current value cannot be read; empty when it can.
    std::string problem;
};

/// The secrets one delivery may verify against, held alive while it is checked.
class Candidates {
  public:
    /// Current first; an empty string (unavailable) is skipped by the verifier.
    std::span<const std::string> secrets() const { return {snapshot_->values.data(), count_}; }
    /// Why the current secret cannot be read, when it cannot (else empty).
    const std::string& problem() const { return snapshot_->problem; }

  private:
    friend class RouteSecrets;
    Candidates(std::shared_ptr<const SecretSnapshot> snapshot, std::size_t count)
        : snapshot_(std::move(snapshot)), count_(count) {}
    std::shared_ptr<const SecretSnapshot> snapshot_;
    std::size_t count_ = 0;
};

class RouteSecrets {
  public:
    RouteSecrets(RouteDefinition definition, SecretReaders readers);

    const RouteDefinition& definition() const noexcept { return definition_; }

    /// The secrets valid at `now`: the current one and the previous ones
    /// whose grace has not ended.
    Candidates candidates(std::chrono::system_clock::time_point now) const;

    /// Re-reads the sources. `force` (start, SIGHUP) reads regardless;
    /// otherwise only when the secret's file changed since the last read or
    /// that read is more than a second old. Returns whether anything was read.
    bool refresh(std::chrono::system_clock::time_point now, std::chrono::steady_clock::time_point tick,
                 bool force);

  private:
    RouteDefinition definition_;
    SecretReaders readers_;
    mutable std::mutex mutex_;
    std::shared_ptr<const SecretSnapshot> snapshot_;
    std::optional<std::chrono::steady_clock::time_point> last_refresh_;
    std::string last_version_;
};

} // namespace hookwarden
