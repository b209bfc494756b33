// The value rules of SPEC §2, one function each, so that the manifest
// loader, export and the engine agree on what a valid webhook is. Each check
// returns nothing when the value is valid, else the reason as a sentence
// fragment ("must be …") to put after the field's name.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hookwarden {

inline constexpr std::size_t max_webhook_name_length = 128;
inline constexpr std::size_t max_event_types = 50;
inline constexpr int max_max_retries = 10;

/// 1..128 characters of [A-Za-z0-9._-].
std::optional<std::string> check_webhook_name(std::string_view name);

/// `^[a-z][a-zA-Z0-9]*(:[a-zA-Z0-9_.]+)+$`, e.g. `user:login`, `routing:queue.member:added`.
std::optional<std::string> check_event_type(std::string_view event_type);

/// An absolute https:// URL with a host and no user info (credentials in a
/// URL would end up in logs); http:// only when `allow_insecure`.
std::optional<std::string> check_endpoint_url(std::string_view url, bool allow_insecure);

/// ISO-8601 duration between PT1S and P1D.
std::optional<std::string> check_retry_interval(std::string_view interval);

} // namespace hookwarden
