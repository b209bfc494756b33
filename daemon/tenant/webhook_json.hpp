// The webhook's JSON wire form (SPEC §5): what a GET answers and what a
// POST or PUT sends.
//
// Shared by the tenant client and the tenant emulator, so that both read
// and write one shape; the emulator's own validation (tests/emulator) checks
// bodies against the API's rules independently of it.
#pragma once

#include "core/error.hpp"
#include "core/webhook.hpp"

#include <boost/json/fwd.hpp>

namespace hookwarden {

/// Which fields `webhook_to_json` writes.
enum class WebhookJsonFields {
    resource,   ///< everything known, as a GET answers (secret only if set)
    write_body, ///< client-writable fields plus `version` when non-zero: a POST/PUT body
};

boost::json::object webhook_to_json(const Webhook& webhook,
                                    WebhookJsonFields fields = WebhookJsonFields::resource);

/// Reads a webhook from JSON. Unknown members are ignored (the API may grow);
/// a member of the wrong type is an `invalid_input` error naming it.
Result<Webhook> webhook_from_json(const boost::json::value& json);

} // namespace hookwarden
