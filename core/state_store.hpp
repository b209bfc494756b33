// What hookwarden owns in the tenant: `stateDir/state.json` (SPEC §4a, §6a).
//
// A webhook is owned when this hookwarden created or adopted it; only owned
// webhooks are ever updated or deleted, so this file is the boundary between
// "ours" and "someone else's". For each owned name it keeps the tenant id, a
// digest of the fields last applied (to tell drift in the tenant from a
// changed manifest) and the SHA-256 fingerprint of the secret last sent (the
// tenant does not return secrets), and while a secret rotation is in
// progress the fingerprint of the previous secret and until when receivers
// still accept it. Never a secret value.
//
// The file carries a format version; a file written by a newer hookwarden is
// refused rather than misread, and a corrupt file is an error rather than an
// empty state, because forgetting ownership silently would turn owned
// webhooks into conflicts or, with prune, leave them behind. Writes are
// atomic (core/atomic_file.hpp), mode 0600.
#pragma once

#include "core/error.hpp"
#include "core/resource_kind.hpp"
#include "core/sha256.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hookwarden {

/// The `formatVersion` this build writes and the newest it reads. Version 2
/// added `triggers`; a version 1 file (webhooks only) is read as a version 2
/// file without triggers and written back as version 2. Members added
/// within a version (`rotation`) are optional, so older builds of the same
/// version read the file and merely ignore them.
inline constexpr int state_format_version = 2;

/// `sha256:` followed by the 64 lower-case hex digits of SHA-256(data): the
/// form of every digest and fingerprint in state.json.
std::string sha256_digest(std::string_view data);

/// A secret rotation in progress (core/secret_rotation.hpp): hookwarden sent
/// the webhook a new secret, and the one it replaced stays valid at the
/// receiver until `until`, for deliveries the tenant signed before and is
/// still retrying. In state.json as
/// `"rotation": {"previousSecret": "sha256:…", "until": "2026-12-02T16:00:00Z"}`.
struct SecretRotation {
    /// Fingerprint (sha256_digest) of the secret the new one replaced.
    std::string previous_fingerprint;
    /// The first second the previous secret is no longer accepted.
    std::chrono::sys_seconds until;

    bool operator==(const SecretRotation&) const = default;
};

/// One owned resource, webhook or trigger (a trigger has no secret, so
/// never a fingerprint or a rotation).
struct OwnedResource {
    /// The tenant's id. Empty while a create whose answer was lost is
    /// unresolved: the name is ours, the id not yet known.
    std::string id;
    /// Digest of the desired fields as last applied (see plan.hpp); empty
    /// when unknown.
    std::string applied_digest;
    /// Fingerprint of the secret hookwarden last sent. Absent when the
    /// webhook keeps the secret it had when it was adopted (unknown to us).
    std::optional<std::string> secret_fingerprint;
    /// Set from a successful update that replaced a known secret until the
    /// engine saves the state after `until`; absent otherwise.
    std::optional<SecretRotation> rotation;

    bool operator==(const OwnedResource&) const = default;
};

struct State {
    std::map<std::string, OwnedResource> owned;          ///< webhooks, by metadata.name
    std::map<std::string, OwnedResource> owned_triggers; ///< triggers, by metadata.name

    /// The owned resources of `kind` (names are unique per kind).
    std::map<std::string, OwnedResource>& owned_of(ResourceKind kind) noexcept {
        return kind == ResourceKind::trigger ? owned_triggers : owned;
    }
    const std::map<std::string, OwnedResource>& owned_of(ResourceKind kind) const noexcept {
        return kind == ResourceKind::trigger ? owned_triggers : owned;
    }

    bool operator==(const State&) const = default;
};

/// The JSON text of state.json (stable member order, one webhook a line).
std::string state_to_json(const State& state);

/// Reads state.json text; `display` names the file in errors.
Result<State> state_from_json(std::string_view text, const std::string& display);

/// The state file of one state directory.
class StateStore {
  public:
    explicit StateStore(std::filesystem::path state_dir);

    /// The owned webhooks; an empty state when the file (or the directory)
    /// does not exist yet.
    Result<State> load() const;

    /// Replaces state.json atomically, creating the state directory (0700)
    /// when it is missing.
    Result<void> save(const State& state) const;

    const std::filesystem::path& state_dir() const noexcept { return dir_; }
    std::filesystem::path file() const { return dir_ / "state.json"; }

  private:
    std::filesystem::path dir_;
};

} // namespace hookwarden
