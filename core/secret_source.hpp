// Where a secret comes from: a manifest's `secretRef` or a config credential
// (`clientId`, `clientSecret`).
//
// Four forms are shared by both (`credential`, `file`, `env`, and for
// manifests `generate`); config values may also be plain strings. Sources
// are resolved lazily, at the moment the value is needed, so that
// `validate` runs without any secret present (CI, pre-commit). An error
// names the source (credential name, path, variable) and never its value.
#pragma once

#include "core/error.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace hookwarden {

struct SecretSource {
    enum class Kind {
        generate,   ///< hookwarden makes it once and keeps it in stateDir/secrets
        plain,      ///< the value itself (config only)
        credential, ///< a file in $CREDENTIALS_DIRECTORY (systemd LoadCredential=)
        file,       ///< a whole file, trailing newline stripped
        env,        ///< an environment variable
    };
    Kind kind = Kind::generate;
    std::string reference; ///< credential name, path, variable name or the plain value

    /// Human description without the value: `credential 'client-id'`,
    /// `file /etc/x`, `env MONITOR_SECRET`, `generated`, `inline value`.
    std::string describe() const;
    bool operator==(const SecretSource&) const = default;
};

/// What resolution may read: injected so tests need not touch the process
/// environment.
struct SecretEnvironment {
    std::function<std::optional<std::string>(const std::string&)> getenv;
    std::optional<std::filesystem::path> credentials_directory; ///< $CREDENTIALS_DIRECTORY

    /// The real process environment.
    static SecretEnvironment process();
};

/// Reads the value of a non-`generate` source. Files and credentials lose one
/// trailing newline (`\n` or `\r\n`); an empty value is an error. A `file`
/// whose mode gives its group or other users any access, or a credential
/// whose mode gives other users any (systemd's ACL shows as group bits), is
/// refused (invalid_input) with one line naming it and its mode; the mode is
/// read from the descriptor that is then read.
Result<std::string> resolve_secret(const SecretSource& source, const SecretEnvironment& env);

} // namespace hookwarden
