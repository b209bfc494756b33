// The signing secrets of desired webhooks: where each value comes from, the
// generated ones hookwarden keeps, and the fingerprints that stand for them
// (SPEC §2 `secretRef`, §4a "Secrets").
//
// Used by the reconcile engine and the plan/apply commands. A `generate`
// secret is 32 random bytes written as 64 hex characters, made once from an
// injected random source (the daemon passes OpenSSL's RAND_bytes) and kept in
// `stateDir/secrets/NAME` (file 0600, directory 0700) for ever, until
// rotated. A rotation keeps the value it replaces in
// `stateDir/secrets/.previous/NAME` (same modes), which the receiver accepts
// while state.json holds a rotation in progress whose previousSecret is its
// fingerprint (core/secret_rotation.hpp), and which the engine forgets once
// the rotation has ended. The other sources (credential, file, env) are read
// when needed through resolve_secret; their previous values are not known
// here. Guarantees: a value never leaves this object except as the return
// value of value()/rotate()/previous(), which the engine sends to the tenant
// and the receiver verifies with, and nowhere else; errors name the source,
// never the value; the plan sees only fingerprints.
#pragma once

#include "core/error.hpp"
#include "core/secret_source.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hookwarden {

/// Fills the span with cryptographically strong random bytes; false when the
/// source failed.
using SecretRandom = std::function<bool(std::span<unsigned char>)>;

/// Bytes of randomness in a generated secret (written as twice as many hex digits).
inline constexpr std::size_t generated_secret_bytes = 32;

/// The fingerprint of a secret value: sha256_digest(value) (state_store.hpp).
std::string secret_fingerprint(std::string_view value);

/// What the plan may know about one desired secret: never the value.
struct SecretStatus {
    enum class State {
        available,     ///< readable now; `fingerprint` is set
        not_generated, ///< a `generate` secret that does not exist yet
        unavailable,   ///< the source cannot be read; `error` says why
    };
    State state = State::unavailable;
    std::string fingerprint;
    std::optional<Error> error;
};

class SecretStore {
  public:
    SecretStore(const std::filesystem::path& state_dir, SecretEnvironment environment,
                SecretRandom random);

    /// Reads the source of `name`'s secret without creating anything (plan).
    SecretStatus inspect(const std::string& name, const SecretSource& source) const;

    /// The value to send now: the source's value, or the kept generated one,
    /// generating and keeping it first when there is none yet.
    Result<std::string> value(const std::string& name, const SecretSource& source);

    /// The value as it is now, never creating one: what `receive` verifies
    /// with (a `generate` secret not made yet is ErrorKind::not_found —
    /// making it is apply's job, and two processes must not race to).
    Result<std::string> current(const std::string& name, const SecretSource& source) const;

    /// A cheap token that changes when current() may give another value:
    /// the inode, modification time and size of the file it reads (the
    /// generated secret, the file, the credential); empty for sources that
    /// cannot change while the process runs (env, inline) or a file that
    /// cannot be examined. Lets the receiver notice a rotation at the cost of
    /// a stat(2), without re-reading the secret on every failed signature.
    std::string version(const std::string& name, const SecretSource& source) const;

    /// Makes a new generated secret for `name`, replacing the kept one
    /// (`apply --rotate-secret NAME`), after keeping the kept one as the
    /// previous value (previous()). When `sent_fingerprint` is given and the
    /// kept value is not the one it names — an earlier rotation that never
    /// reached the tenant — the previous value is left as it is: receivers
    /// never saw the kept one, but may still see the previous.
    Result<std::string> rotate(const std::string& name,
                               const std::optional<std::string>& sent_fingerprint = std::nullopt);

    /// The generated value the last rotation of `name` replaced; nothing
    /// when none is kept. Valid only while state.json says the rotation is
    /// in progress.
    Result<std::optional<std::string>> previous(const std::string& name) const;

    /// Deletes the kept previous value of `name` (a rotation ended); success
    /// when there is none.
    Result<void> forget_previous(const std::string& name);

  private:
    /// Where `name`'s generated secret is kept. A name beginning with '.'
    /// (valid in a manifest: "..", ".x") is written with its first character
    /// as "%2E", a character no valid name holds, so that it can neither
    /// climb out of the directory nor hide as a dot-file.
    std::filesystem::path generated_path(const std::string& name) const;
    /// The same file name under `secrets/.previous/`: '.previous' cannot be
    /// a generated secret's file, since a name beginning with '.' is encoded.
    std::filesystem::path previous_path(const std::string& name) const;
    Result<std::string> read_generated(const std::string& name) const;

    std::filesystem::path secrets_dir_;
    SecretEnvironment environment_;
    SecretRandom random_;
};

} // namespace hookwarden
