// Fuzzes the decoding of the tenant's webhook answers (SPEC §5): the bytes
// are an answer body, read as the client reads one — parse_json_answer, then
// read_webhook (webhook_from_json and the masked-secret rule) and, on the
// same value, read_webhook_page, the list and search answers' reader.
//
// Invariants: nothing the tenant sends is more than a `transport` error
// naming the operation, in one line; a webhook read is written back
// (webhook_to_json) as JSON that reads to the same webhook, as a value and
// through text, and its write body keeps every client-writable field; a
// page holds only webhooks with an id.
#include "daemon/tenant/tenant_answers.hpp"
#include "daemon/tenant/webhook_json.hpp"
#include "tests/fuzz/wire_round_trip.hpp"

#include <boost/json/serialize.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace hookwarden;
using fuzz::require;
namespace json = boost::json;

namespace {

const ErrorContext context{.operation = "GET /api/v2/webhooks/{id}"};

void check_refusal(const Error& error) { fuzz::check_malformed_answer(error, context); }

void check_round_trip(const Webhook& w) {
    fuzz::check_wire_round_trip(w, [](const Webhook& x) { return webhook_to_json(x); }, webhook_from_json);
    const std::string text = json::serialize(webhook_to_json(w));
    const auto body = webhook_from_json(webhook_to_json(w, WebhookJsonFields::write_body));
    require(body.has_value(), "a write body does not read back");
    require(body->name == w.name && body->event_types == w.event_types && body->endpoint_url == w.endpoint_url &&
                body->retry_policy == w.retry_policy && body->payload_template == w.payload_template &&
                body->enabled == w.enabled && body->secret == w.secret && body->version == w.version,
            "a write body loses a client-writable field", text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const auto value = parse_json_answer(body, context);
    if (!value) {
        check_refusal(value.error());
        return 0;
    }
    if (const auto webhook = read_webhook(*value, context)) {
        require(!webhook->id.empty(), "a webhook without an id was read");
        require(!webhook->secret || !secret_looks_masked(*webhook->secret), "a masked secret was kept");
        check_round_trip(*webhook);
    } else {
        check_refusal(webhook.error());
    }
    if (const auto page = read_webhook_page(*value, context)) {
        for (const Webhook& w : page->entities)
            require(!w.id.empty(), "a page entity without an id was read");
    } else {
        check_refusal(page.error());
    }
    return 0;
}
