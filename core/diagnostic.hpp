// Diagnostics: the problems found in a user's file, collected so that all of
// them are reported at once (validation never stops at the first).
//
// A diagnostic prints as one line `FILE:LINE:COLUMN: error: MESSAGE`
// (1-based, pointing at the offending node), the format editors and CI
// annotators understand. Line and column are omitted when unknown, e.g. for
// a file that cannot be read at all.
#pragma once

#include "core/error.hpp"

#include <string>
#include <vector>

namespace hookwarden {

/// A place in a user's file. `line`/`column` are 1-based; 0 means unknown.
struct SourceLocation {
    std::string file;
    int line = 0;
    int column = 0;

    /// `FILE:LINE:COLUMN`, or less when line or column are unknown.
    std::string format() const;
    bool operator==(const SourceLocation&) const = default;
};

enum class Severity { error, warning };

struct Diagnostic {
    Severity severity = Severity::error;
    SourceLocation location;
    std::string message;

    /// `FILE:LINE:COLUMN: error: MESSAGE`, one line: control characters and
    /// bytes that are not UTF-8 are escaped (core/printable_text.hpp).
    std::string format() const;
};

/// Collects diagnostics in the order they were found.
class Diagnostics {
public:
    void error(SourceLocation where, std::string message);
    void warning(SourceLocation where, std::string message);
    /// Adds every diagnostic of `other`, in its order.
    void append(const Diagnostics& other);

    /// Orders the diagnostics from index `first` on by line and column
    /// (stable), so that one file's problems read top to bottom.
    void sort_by_position(std::size_t first);
    std::size_t size() const noexcept { return items_.size(); }

    bool has_errors() const noexcept { return errors_ > 0; }
    std::size_t error_count() const noexcept { return errors_; }
    const std::vector<Diagnostic>& all() const noexcept { return items_; }
    bool empty() const noexcept { return items_.empty(); }

private:
    std::vector<Diagnostic> items_;
    std::size_t errors_ = 0;
};

} // namespace hookwarden
