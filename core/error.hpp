// The one error model of hookwarden.
//
// Every fallible operation returns `Result<T>`: a value, or an `Error` that
// says what kind of thing went wrong, in a sentence a person can act on, with
// whatever context is known where it happened (file and line, webhook name,
// HTTP status, the API's code and contextId, the correlation id). Errors are
// passed up unchanged (context may be added on the way) and reported once,
// by the command or loop that handles them. Exceptions are reserved for broken
// invariants. An Error never carries a secret or a token.
#pragma once

#include <boost/system/result.hpp>

#include <string>

namespace hookwarden {

/// What went wrong, coarse enough for callers to branch on.
enum class ErrorKind {
    invalid_input,    ///< a manifest, config, event or argument is malformed
    io,               ///< a local file or directory could not be read or written
    not_found,        ///< the thing asked for does not exist (HTTP 404, missing file)
    conflict,         ///< ownership or naming conflict the engine refuses to resolve
    version_mismatch, ///< a PUT carried a stale `version` (409, or 400 saying so)
    unauthorized,     ///< credentials refused (token endpoint 401, API 401 after refresh)
    rate_limited,     ///< the tenant demands a wait longer than we accept
    tenant,           ///< any other error answer from the tenant API
    transport,        ///< connect, TLS, reset, malformed answer: the request may not have arrived
    timeout,          ///< a deadline passed
    outcome_unknown,  ///< a POST was sent but its answer was lost: it may have been applied
    cancelled,        ///< stopped on request (SIGTERM)
    internal,         ///< a bug: a broken invariant reported instead of crashing
};

/// The printable name of a kind ("invalid_input", "version_mismatch", ...).
const char* to_string(ErrorKind kind) noexcept;

/// Where and on what an error happened. Every field is optional; empty
/// strings and zeros mean "not known here".
struct ErrorContext {
    std::string file;
    int line = 0;
    int column = 0;
    std::string webhook;        ///< metadata.name of the webhook or trigger concerned
    std::string operation;      ///< the request that failed, as the adapter names it
    int http_status = 0;
    std::string api_code;       ///< the Genesys error body's `code`
    std::string context_id;     ///< the Genesys error body's `contextId`
    std::string correlation_id; ///< the `inin-correlation-id` answer header
    int attempts = 0;           ///< how many times the request was sent
};

struct Error {
    ErrorKind kind = ErrorKind::internal;
    std::string message; ///< one sentence, no trailing period, no secret
    ErrorContext context;

    /// One line for people: `FILE:LINE:COL: error: MESSAGE` when a source
    /// location is known, otherwise `WEBHOOK: MESSAGE (HTTP 409, code …)`;
    /// control characters and bytes that are not UTF-8 are escaped
    /// (core/printable_text.hpp).
    std::string describe() const;
};

Error make_error(ErrorKind kind, std::string message, ErrorContext context = {});

/// Thrown only by `Result::value()` on an error: a broken invariant.
class ErrorException : public std::exception {
public:
    explicit ErrorException(Error error);
    const char* what() const noexcept override { return what_.c_str(); }
    const Error& error() const noexcept { return error_; }

private:
    Error error_;
    std::string what_;
};

[[noreturn]] void throw_exception_from_error(const Error& error, const boost::source_location& loc);

template <class T> using Result = boost::system::result<T, Error>;

} // namespace hookwarden
