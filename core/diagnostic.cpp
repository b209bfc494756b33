#include "core/diagnostic.hpp"

#include <algorithm>
#include <tuple>

namespace hookwarden {

std::string SourceLocation::format() const {
    std::string out = file;
    if (line > 0) {
        out += ':' + std::to_string(line);
        if (column > 0)
            out += ':' + std::to_string(column);
    }
    return out;
}

std::string Diagnostic::format() const {
    return location.format() + (severity == Severity::error ? ": error: " : ": warning: ") + message;
}

void Diagnostics::error(SourceLocation where, std::string message) {
    items_.push_back({Severity::error, std::move(where), std::move(message)});
    ++errors_;
}

void Diagnostics::warning(SourceLocation where, std::string message) {
    items_.push_back({Severity::warning, std::move(where), std::move(message)});
}

void Diagnostics::append(const Diagnostics& other) {
    for (const auto& d : other.items_) {
        items_.push_back(d);
        if (d.severity == Severity::error)
            ++errors_;
    }
}

void Diagnostics::sort_by_position(std::size_t first) {
    if (first >= items_.size())
        return;
    std::stable_sort(items_.begin() + static_cast<std::ptrdiff_t>(first), items_.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                         return std::tie(a.location.line, a.location.column) <
                                std::tie(b.location.line, b.location.column);
                     });
}

Error to_error(const Diagnostics& diagnostics) {
    for (const auto& d : diagnostics.all()) {
        if (d.severity != Severity::error)
            continue;
        std::string message = d.message;
        if (diagnostics.error_count() > 1)
            message += " (and " + std::to_string(diagnostics.error_count() - 1) + " more errors)";
        return make_error(ErrorKind::invalid_input, std::move(message),
                          ErrorContext{.file = d.location.file, .line = d.location.line,
                                       .column = d.location.column});
    }
    return make_error(ErrorKind::internal, "validation failed without a diagnostic");
}

} // namespace hookwarden
