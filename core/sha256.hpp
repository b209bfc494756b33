// SHA-256 as lower-case hex: the one place hookwarden asks OpenSSL for it.
//
// Used for the digests kept in state.json (`sha256:` + hex, state_store.hpp),
// the manifest revision of a directory that is not a git work tree and the
// hash chain of changes.jsonl (core/snapshot/). Callers hash only what may be
// shown: a digest of a guessable secret would give the secret away.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace hookwarden {

/// Lower-case hex, two digits a byte.
std::string to_hex(std::span<const unsigned char> bytes);

/// The 64 lower-case hex digits of SHA-256(data). OpenSSL without SHA-256
/// is a broken installation: it throws std::runtime_error.
std::string sha256_hex(std::string_view data);

} // namespace hookwarden
