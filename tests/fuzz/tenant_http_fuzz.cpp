// Fuzzes the tenant client's reading of everything a tenant answers (SPEC
// §5, §8): token answers, errors (the Genesys error body, 403 permissions,
// 409, 429 with Retry-After), webhook pages, trigger and topic cursor pages
// (`nextUri`), analytics summaries and audit pages — through the real
// TenantHttp over a transport that answers from the input, on a clock
// whose waits return at once (the unit tests' fakes, client_fakes.hpp).
//
// Input: one byte choosing the call (its value modulo 9: list webhooks,
// list triggers, topics, audit, analytics, create a webhook, update a
// trigger, update a webhook, search), then the answers, in the order the
// client asks (its token request first), separated by lines `---`. An
// answer is a body served with 200, or `HTTP STATUS` and header lines, a
// blank line and the body; `HTTP 0` is a connection that failed (with a
// `maybe-sent:` header, after the request may have arrived). Past the last
// answer, the last one is served again: a stuck server.
//
// Invariants: every call returns (walks end within max_pages, retries
// within their budget); a list holds each id once; an error names its
// operation, is one line and never carries the client secret the token
// endpoint was sent, nor the webhook secret the call sent (the fuzzer
// learns both from the harness's own comparisons: a tenant that echoes
// what it was sent).
#include "daemon/tenant/tenant_http.hpp"
#include "tests/daemon/tenant/client_fakes.hpp"
#include "tests/fuzz/fuzz_invariants.hpp"

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

using namespace hookwarden;
using namespace hookwarden::testing;
using fuzz::require;

namespace {

// Secrets start with a letter that no escape ends in (printable_text's
// \xNN are lower-case hex), so that an escaped byte next to text that
// spells the rest cannot read as the secret.
const std::string client_secret = "Client-secret-of-the-fuzzer-0123456789";
const std::string webhook_secret = "Webhook-secret-of-the-fuzzer-0123456789";
constexpr std::size_t max_exchanges = 2000;

// One answer of the script: `HTTP STATUS`, headers, blank line, body; or a body.
TransportResult read_answer(std::string_view piece) {
    if (!piece.starts_with("HTTP "))
        return HttpAnswer{200, {}, std::string(piece)};
    const auto head_end = piece.find('\n');
    const std::string_view status_line = piece.substr(5, head_end == std::string_view::npos ? piece.size() : head_end - 5);
    int status = 200;
    std::from_chars(status_line.data(), status_line.data() + status_line.size(), status);
    HttpAnswer answer{status, {}, {}};
    std::string_view rest = head_end == std::string_view::npos ? std::string_view{} : piece.substr(head_end + 1);
    while (!rest.empty()) {
        const auto end = rest.find('\n');
        const std::string_view line = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
        if (line.empty())
            break;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos)
            continue;
        std::string_view value = line.substr(colon + 1);
        while (value.starts_with(' '))
            value.remove_prefix(1);
        answer.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
    answer.body = std::string(rest);
    if (status == 0)
        return TransportFailure{ErrorKind::transport, "the connection to api.fuzz.example was reset",
                                answer.header("maybe-sent").has_value(), false};
    return answer;
}

std::vector<TransportResult> read_script(std::string_view text) {
    std::vector<TransportResult> script;
    constexpr std::string_view separator = "\n---\n";
    for (;;) {
        const auto end = text.find(separator);
        script.push_back(read_answer(text.substr(0, end)));
        if (end == std::string_view::npos)
            return script;
        text.remove_prefix(end + separator.size());
    }
}

// What a create or an update of a webhook sends, its secret included.
Webhook webhook_body() {
    Webhook body;
    body.name = "SystemEventMonitor";
    body.event_types = {"user:login"};
    body.endpoint_url = "https://myapp.example.com/hooks";
    body.secret = webhook_secret;
    return body;
}

template <class Item, class Id> void check_unique(const std::vector<Item>& items, Id id, const char* what) {
    std::set<std::string> seen;
    for (const auto& item : items)
        require(seen.insert(std::string(id(item))).second, what);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const std::vector<TransportResult> script =
        read_script(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
    std::size_t next = 0;
    FakeClock clock;
    auto transport = std::make_unique<ScriptedTransport>(clock, [&](const HttpRequest&) -> TransportResult {
        require(next < max_exchanges, "a call goes on sending requests (more than 2000)");
        return script[std::min(next++, script.size() - 1)];
    });
    TenantHttpOptions options;
    options.api_base = "https://api.fuzz.example";
    options.token_url = "https://login.fuzz.example/oauth/token";
    options.client_id = "fuzz-client";
    options.client_secret = client_secret;
    options.max_pages = 20;
    auto made = TenantHttp::create(options, std::move(transport), std::shared_ptr<RetryClock>(&clock, [](auto*) {}),
                                   [] { return std::uint64_t{0x9e3779b97f4a7c15}; });
    require(made.has_value(), "the client cannot be made");
    TenantHttp& tenant = **made;

    bool sent_secret = false; // the webhook secret went out: a tenant may echo it
    std::optional<Error> error;
    const auto keep = [&](const auto& result) {
        if (!result)
            error = result.error();
    };
    switch (data[0] % 9) {
    case 0: {
        auto webhooks = tenant.list_webhooks();
        keep(webhooks);
        if (webhooks)
            check_unique(*webhooks, [](const Webhook& w) { return w.id; }, "the webhook list holds an id twice");
        break;
    }
    case 1: {
        auto triggers = tenant.list_triggers();
        keep(triggers);
        if (triggers)
            check_unique(*triggers, [](const Trigger& t) { return t.id; }, "the trigger list holds an id twice");
        break;
    }
    case 2: {
        auto topics = tenant.trigger_topics();
        keep(topics);
        if (topics)
            check_unique(*topics, [](const std::string& t) { return t; }, "the topic list holds a topic twice");
        break;
    }
    case 3: {
        auto entries = tenant.audit_entries({.interval = "2026-02-28T00:00:00Z/2026-03-01T00:00:00Z", .page_size = 25});
        keep(entries);
        break;
    }
    case 4: {
        const std::vector<std::string> ids{"wh-1", "wh-2", "wh-1", "wh-3"};
        auto metrics = tenant.delivery_metrics(ids, "2026-02-28T00:00:00Z/2026-03-01T00:00:00Z");
        keep(metrics);
        if (metrics)
            require(metrics->size() == 3, "delivery metrics are not one per id");
        break;
    }
    case 5:
        sent_secret = true;
        keep(tenant.create_webhook(webhook_body()));
        break;
    case 6: {
        Trigger body;
        body.id = "3b0c1a9e-52f4-4b8d-a0f1-7c2e9d6b4a10";
        body.version = 2;
        body.name = "SMS after chat error";
        body.topic_name = "v2.detail.events.conversation.{id}.customer.end";
        body.target.id = "5f6e1c2a-0d3b-4a8e-9c7f-2b1d0e4f6a8b";
        keep(tenant.update_trigger(body));
        break;
    }
    case 7: {
        Webhook body = webhook_body();
        body.id = "wh-1";
        body.version = 3;
        sent_secret = true;
        keep(tenant.update_webhook(body));
        break;
    }
    default:
        keep(tenant.search_webhooks("SystemEventMonitor"));
        break;
    }

    if (error) {
        const std::string line = error->describe();
        require(!error->message.empty(), "an error without a message");
        require(!error->context.operation.empty(), "an error does not name its operation", line);
        require(line.find_first_of("\r\n") == std::string::npos, "an error is not one line", line);
        // Only the token endpoint is sent the client secret, so only it can echo it.
        require(!error->context.operation.starts_with("POST /oauth/token") || line.find(client_secret) == std::string::npos,
                "an error carries the client secret", line);
        require(!sent_secret || line.find(webhook_secret) == std::string::npos, "an error carries the webhook secret",
                line);
    }
    return 0;
}
