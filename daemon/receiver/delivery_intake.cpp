#include "daemon/receiver/delivery_intake.hpp"

#include "core/event/event_transform.hpp"
#include "core/event/spool_record.hpp"
#include "core/printable_text.hpp"

#include <boost/json.hpp>

namespace hookwarden {

namespace json = boost::json;

namespace {

/// Seconds a sender should wait before retrying after a 503.
constexpr int spool_retry_after = 5;
constexpr int secret_retry_after = 30;
/// A webhook-id is a key, a file line and a log field: visible ASCII, bounded.
constexpr std::size_t max_webhook_id = 256;

/// A 503 tells the sender only to come back: why (a file name, a system
/// error) is the operator's business, in the log and STATUS=.
IntakeAnswer unavailable(const std::string& message, int retry_after, const std::string& public_message, std::string webhook,
                         std::string id = {}) {
    IntakeAnswer answer;
    answer.status = 503;
    answer.body = json::serialize(json::object{{"message", public_message}});
    answer.retry_after = retry_after;
    answer.message = printable_text(message);
    answer.webhook = std::move(webhook);
    answer.delivery_id = std::move(id);
    return answer;
}

IntakeAnswer refusal(int status, std::string message, std::string webhook = {}, std::string id = {}) {
    // The message may quote the sender's path, method or header: a JSON
    // string must be UTF-8, and the log line one line.
    message = printable_text(message);
    IntakeAnswer answer;
    answer.status = status;
    answer.body = json::serialize(json::object{{"message", message}});
    answer.message = std::move(message);
    answer.webhook = std::move(webhook);
    answer.delivery_id = std::move(id);
    return answer;
}

bool usable_webhook_id(std::string_view id) {
    if (id.empty() || id.size() > max_webhook_id)
        return false;
    for (const char c : id)
        if (c < 0x21 || c > 0x7e)
            return false;
    return true;
}

std::string trimmed(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return std::string(text);
}

} // namespace

std::string_view target_path(std::string_view target) { return target.substr(0, target.find('?')); }

DeliveryIntake::DeliveryIntake(const Routes& routes, DeliverySpool& spool, IntakeOptions options)
    : routes_(routes), spool_(spool), options_(std::move(options)) {}

std::optional<IntakeAnswer> DeliveryIntake::check_head(std::string_view method, std::string_view target) const {
    const std::string_view path = target_path(target);
    const auto route = routes_.find(path);
    if (route == routes_.end())
        return refusal(404, "no route for " + std::string(path) + " (receiver.routes)");
    if (method != "POST")
        return refusal(405, "deliveries are POSTed; " + std::string(method) + " is not allowed",
                       route->second->definition().webhook);
    return std::nullopt;
}

void DeliveryIntake::accept(const IncomingDelivery& delivery, IntakeDone done) {
    const std::string_view path = target_path(delivery.target);
    const auto found = routes_.find(path);
    if (found == routes_.end()) {
        done(refusal(404, "no route for " + std::string(path) + " (receiver.routes)"));
        return;
    }
    RouteSecrets& route = *found->second;
    const std::string& webhook = route.definition().webhook;
    const auto now = options_.clock();
    const VerifyOptions verify_options{std::chrono::floor<std::chrono::seconds>(now), options_.tolerance};

    std::optional<std::string> id;
    if (delivery.headers.webhook_id)
        id = trimmed(*delivery.headers.webhook_id);
    // A refusal before the signature matched names the id too, when usable,
    // so that the log line can be found in the tenant's delivery log; it is
    // trusted for nothing else.
    const std::string refused_id = id && usable_webhook_id(*id) ? *id : std::string();

    Candidates candidates = route.candidates(now);
    auto verified = verify_delivery(delivery.headers, delivery.body, candidates.secrets(), verify_options);
    const bool no_secret = !verified && verified.error().kind == ErrorKind::internal;
    if (!verified && (verified.error().context.http_status == 401 || no_secret)) {
        // Perhaps the secret changed since the last read (a rotation).
        if (route.refresh(now, std::chrono::steady_clock::now(), false)) {
            candidates = route.candidates(now);
            verified = verify_delivery(delivery.headers, delivery.body, candidates.secrets(), verify_options);
        }
    }
    if (!verified) {
        const Error& error = verified.error();
        if (error.kind == ErrorKind::internal) {
            done(unavailable("the secret of webhook " + webhook + " cannot be read" +
                                 (candidates.problem().empty() ? "" : ": " + candidates.problem()),
                             secret_retry_after, "deliveries to this path cannot be verified right now; retry later",
                             webhook, refused_id));
            return;
        }
        done(refusal(error.context.http_status ? error.context.http_status : 400, error.message, webhook,
                     refused_id));
        return;
    }

    if (id && !usable_webhook_id(*id))
        return done(refusal(400, "webhook-id must be 1 to 256 visible ASCII characters", webhook));

    boost::system::error_code ec;
    json::value event = json::parse(delivery.body, ec);
    if (ec)
        return done(refusal(400, "$: the body is not JSON (" + ec.message() + ")", webhook, id.value_or("")));
    if (const auto problems = check_event(event); !problems.empty()) {
        std::string message;
        for (const EventProblem& problem : problems)
            message += (message.empty() ? "" : "; ") + problem.format();
        return done(refusal(400, std::move(message), webhook, id.value_or("")));
    }

    DeliveryFacts facts;
    facts.id = id;
    facts.webhook = webhook;
    facts.path = std::string(path);
    facts.received_at = now;
    facts.scheme = verified->scheme;
    facts.previous_secret = verified->secret_index > 0;
    std::string line = spool_record_line(facts, transform_event(event, now));

    spool_.submit(id, std::move(line),
                  [done = std::move(done), webhook, id = id.value_or("")](const SpoolAnswer& spooled) {
                      IntakeAnswer answer;
                      answer.webhook = webhook;
                      answer.delivery_id = id;
                      switch (spooled.outcome) {
                      case SpoolOutcome::accepted:
                          answer.body = R"({"status":"accepted"})";
                          break;
                      case SpoolOutcome::duplicate:
                          answer.body = R"({"status":"duplicate"})";
                          answer.message = "already accepted";
                          answer.duplicate = true;
                          break;
                      case SpoolOutcome::unavailable:
                          answer = unavailable(spooled.reason, spool_retry_after,
                                               "the delivery cannot be stored right now; retry later", webhook, id);
                          break;
                      }
                      done(std::move(answer));
                  });
}

} // namespace hookwarden
