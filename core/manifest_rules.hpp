// The value rules of SPEC §2 (webhooks) and §8 (Process Automation
// triggers), one function each, so that the manifest loader, export and the
// engine agree on what a valid webhook or trigger is. Each check returns
// nothing when the value is valid, else the reason as a sentence fragment
// ("must be …") to put after the field's name.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace hookwarden {

inline constexpr std::size_t max_webhook_name_length = 128;
inline constexpr std::size_t max_event_types = 50;
inline constexpr int max_max_retries = 10;
inline constexpr std::size_t max_payload_template_length = 65536; ///< characters

/// 1..128 characters of [A-Za-z0-9._-].
std::optional<std::string> check_webhook_name(std::string_view name);

/// `^[a-z][a-zA-Z0-9]*(:[a-zA-Z0-9_.]+)+$`, e.g. `user:login`, `routing:queue.member:added`.
std::optional<std::string> check_event_type(std::string_view event_type);

/// An absolute https:// URL with a host and no user info (credentials in a
/// URL would end up in logs); http:// only when `allow_insecure`.
std::optional<std::string> check_endpoint_url(std::string_view url, bool allow_insecure);

/// ISO-8601 duration between PT1S and P1D in days, hours, minutes and whole
/// seconds, any unit past its carry-over point (PT1H90M is 2 h 30 min). The
/// JSON Schema's pattern cannot add units up, so it refuses carry-over after
/// the first unit: the one difference tests/manifests/schema_agreement.py lists
/// for durations.
std::optional<std::string> check_retry_interval(std::string_view interval);

/// 1..65536 characters, counted as the JSON Schema's maxLength counts them.
std::optional<std::string> check_payload_template(std::string_view text);

// ------------------------------------------------------------ triggers (§8)

inline constexpr std::size_t max_trigger_name_length = 128;       ///< characters
inline constexpr std::size_t max_trigger_description_length = 512; ///< characters
inline constexpr int min_event_ttl_seconds = 10;
inline constexpr int min_delay_by_seconds = 60;
inline constexpr int max_delay_by_seconds = 900;

/// The operators of a match criterion, as the API spells them.
inline constexpr std::array<std::string_view, 12> match_operators{
    "Equal",    "NotEqual",           "GreaterThan", "GreaterThanOrEqual",
    "LessThan", "LessThanOrEqual",    "In",          "NotIn",
    "Contains", "All",                "Exists",      "Size"};

/// The data formats a workflow target takes.
inline constexpr std::array<std::string_view, 2> trigger_data_formats{"Json", "TopLevelPrimitives"};

/// 1..128 printable characters (UTF-8; no control character such as a tab
/// or a newline), not starting or ending with a space. Unlike a webhook's,
/// a trigger's name may hold spaces and any other printable character.
std::optional<std::string> check_trigger_name(std::string_view name);

/// `^v2(\.[A-Za-z0-9_{}-]+)+$`, e.g. `v2.detail.events.conversation.{id}.customer.end`.
/// Whether the tenant offers the topic is checked at plan time, not here.
std::optional<std::string> check_topic_name(std::string_view topic);

/// A UUID: 8-4-4-4-12 hexadecimal digits, either case.
std::optional<std::string> check_workflow_id(std::string_view id);

/// One of trigger_data_formats.
std::optional<std::string> check_data_format(std::string_view format);

/// One of match_operators (case matters, as for the API).
std::optional<std::string> check_match_operator(std::string_view op);

/// At most 512 characters.
std::optional<std::string> check_trigger_description(std::string_view description);

} // namespace hookwarden
