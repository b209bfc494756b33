#include "core/error.hpp"

#include "core/printable_text.hpp"

#include <utility>

namespace hookwarden {

const char* to_string(ErrorKind kind) noexcept {
    switch (kind) {
    case ErrorKind::invalid_input: return "invalid_input";
    case ErrorKind::io: return "io";
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::conflict: return "conflict";
    case ErrorKind::version_mismatch: return "version_mismatch";
    case ErrorKind::unauthorized: return "unauthorized";
    case ErrorKind::rate_limited: return "rate_limited";
    case ErrorKind::tenant: return "tenant";
    case ErrorKind::transport: return "transport";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::outcome_unknown: return "outcome_unknown";
    case ErrorKind::cancelled: return "cancelled";
    case ErrorKind::internal: return "internal";
    }
    return "internal";
}

std::string Error::describe() const {
    std::string out;
    if (!context.file.empty()) {
        out = context.file;
        if (context.line > 0) {
            out += ':' + std::to_string(context.line);
            if (context.column > 0)
                out += ':' + std::to_string(context.column);
        }
        out += ": error: ";
    } else if (!context.webhook.empty()) {
        out = context.webhook + ": ";
    }
    out += message;

    std::string details;
    auto add = [&details](const std::string& part) {
        details += details.empty() ? " (" : ", ";
        details += part;
    };
    if (!context.operation.empty())
        add(context.operation);
    if (context.http_status != 0)
        add("HTTP " + std::to_string(context.http_status));
    if (!context.api_code.empty())
        add("code " + context.api_code);
    if (!context.context_id.empty())
        add("contextId " + context.context_id);
    if (!context.correlation_id.empty())
        add("correlation " + context.correlation_id);
    if (context.attempts > 1)
        add(std::to_string(context.attempts) + " attempts");
    if (!details.empty())
        out += details + ')';
    // Messages and codes quote what others wrote (a tenant, a header, a file).
    return printable_text(out);
}

Error make_error(ErrorKind kind, std::string message, ErrorContext context) {
    return Error{kind, std::move(message), std::move(context)};
}

ErrorException::ErrorException(Error error) : error_(std::move(error)), what_(error_.describe()) {}

void throw_exception_from_error(const Error& error, const boost::source_location&) {
    throw ErrorException(error);
}

} // namespace hookwarden
