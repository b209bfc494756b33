// How webhooks compare (SPEC §4a): the semantic diff of a manifest against
// the tenant's webhook, the canonical digest of what was applied, and the
// body a create or update sends. Event types compare as sets, endpoint URLs
// normalised, retry intervals as durations; server-owned fields and labels
// never count, and the secret is the planner's business (by fingerprint).
#pragma once

#include "core/field_change.hpp"
#include "core/manifest.hpp"
#include "core/webhook.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace hookwarden {

/// The fields of `desired` that differ from `observed`, semantically.
std::vector<FieldChange> diff_fields(const WebhookManifest& desired, const Webhook& observed);

/// A create's field lines: every writable field with its new value.
std::vector<FieldChange> creation_fields(const WebhookManifest& desired);

/// The URL in a canonical form for comparison: scheme and host lower case,
/// default port dropped, empty path as "/", dot segments removed,
/// percent-encoding normalised. Unparsable input is returned unchanged.
std::string normalize_endpoint_url(std::string_view url);

/// True when two retry intervals mean the same duration (PT60S == PT1M).
bool same_retry_interval(std::string_view a, std::string_view b);

/// Digest of the desired, normalised writable fields (no secret, no labels):
/// what state.json records as applied.
std::string applied_digest(const WebhookManifest& desired);

/// The same digest of a tenant webhook as it is: equal to
/// applied_digest(desired) exactly when `observed` holds what `desired`
/// asks for (server-owned fields and the secret aside). Tells whether a
/// webhook found after a lost create is the one that create sent.
std::string observed_digest(const Webhook& observed);

/// The POST/PUT body for `desired`, without id, version or secret.
Webhook desired_body(const WebhookManifest& desired);

/// True when an echoed secret is a mask (empty, or only '*'), not a value:
/// never compared, never written back.
bool is_masked_secret(std::string_view echoed);

/// The `secret` field line: sensitive, never a value.
FieldChange secret_field_change();

} // namespace hookwarden
