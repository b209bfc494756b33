#include "core/diagnostic.hpp"

#include "core/printable_text.hpp"

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
    // A message quotes what the file holds, and a file name is anybody's:
    // either may hold a line break that would make this two lines.
    return printable_text(location.format() + (severity == Severity::error ? ": error: " : ": warning: ") +
                          message);
}

void Diagnostics::error(SourceLocation where, std::string message) {
    items_.push_back({Severity::error, std::move(where), std::move(message)});
    ++errors_;
}

void Diagnostics::warning(SourceLocation where, std::string message) {
    items_.push_back({Severity::warning, std::move(where), std::move(message)});
}

void Diagnostics::append(const Diagnostics& other) {
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
    errors_ += other.errors_;
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

} // namespace hookwarden
