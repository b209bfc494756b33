// Base64 (RFC 4648 §4, the standard alphabet with `=` padding), as the
// delivery signatures carry their MACs (SPEC §5 "Deliveries").
//
// Decoding is strict because its input comes from whoever sends a request:
// only the standard alphabet, length a multiple of four, padding only at the
// end and no stray bits in the last character (so one MAC has exactly one
// accepted spelling). Nothing throws; malformed input gives nothing.
// daemon/tenant/oauth_token has an encoder of its own for Basic auth that
// could use this one.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hookwarden {

/// The padded base64 of `bytes`.
std::string base64_encode(std::span<const unsigned char> bytes);

/// The bytes `text` spells, or nothing when it is not canonical padded base64.
std::optional<std::string> base64_decode_strict(std::string_view text);

} // namespace hookwarden
