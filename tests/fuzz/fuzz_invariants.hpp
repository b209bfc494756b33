// What the fuzzers of tests/fuzz check besides "no crash, no leak, no hang
// and no sanitizer report": a broken invariant aborts with a sentence on
// stderr, so libFuzzer reports it like any crash and keeps the input.
//
// Header-only and light (no Beast, no Boost beyond core/error.hpp's): every
// fuzzer includes it.
#pragma once

#include "core/diagnostic.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace hookwarden::fuzz {

/// Aborts: `what` broke; `detail` is what the fuzzer saw (no secret: the
/// fuzzers' secrets are made up).
[[noreturn]] inline void broken(std::string_view what, std::string_view detail = {}) {
    std::fprintf(stderr, "\nfuzz invariant broken: %.*s\n%.*s\n", static_cast<int>(what.size()), what.data(),
                 static_cast<int>(detail.size()), detail.data());
    std::abort();
}

inline void require(bool ok, std::string_view what, std::string_view detail = {}) {
    if (!ok)
        broken(what, detail);
}

/// True when `text` holds a line break or another control character: what
/// must never reach a one-line message (an error line, a log line).
inline bool has_control_character(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

/// The diagnostics of a loader that read `text` as `file` (SPEC §2: every
/// error is one line `FILE:LINE:COLUMN: error: MESSAGE`): each names the
/// file, points inside the text (or at no line at all, for what concerns the
/// whole file), and is one line.
inline void check_diagnostics(const Diagnostics& diagnostics, const std::string& file, std::string_view text) {
    const long lines = static_cast<long>(std::count(text.begin(), text.end(), '\n')) + 1;
    std::size_t errors = 0;
    for (const Diagnostic& d : diagnostics.all()) {
        const std::string line = d.format();
        require(d.location.file == file, "a diagnostic names another file than the one read", line);
        require(d.location.line >= 0 && d.location.line <= lines, "a diagnostic points at a line outside the file",
                line);
        require(d.location.column >= 0 && (d.location.line > 0 || d.location.column == 0),
                "a diagnostic has a column but no line, or a negative column", line);
        require(!d.message.empty(), "a diagnostic without a message", line);
        require(!has_control_character(line), "a diagnostic is not one line of text", line);
        if (d.severity == Severity::error)
            ++errors;
    }
    require(errors == diagnostics.error_count(), "the error count disagrees with the diagnostics");
}

/// A tenant's answer refused by the client (daemon/tenant/tenant_answers.hpp):
/// nothing a server sends is more than a `transport` error naming the
/// operation of `context`, in one line.
inline void check_malformed_answer(const Error& error, const ErrorContext& context) {
    const std::string line = error.describe();
    require(error.kind == ErrorKind::transport && error.context.operation == context.operation,
            "an answer was refused with another kind or without its operation", line);
    require(!has_control_character(line), "an error is not one line", line);
}

} // namespace hookwarden::fuzz
