// What the manifest tests share: a manifest document with known line and
// column numbers, and readers of the diagnostics a load produced.
#pragma once

#include "core/diagnostic.hpp"
#include "core/manifest.hpp"
#include "tests/support/file_text.hpp"

#include <doctest/doctest.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace hookwarden::testing {

// ---------------------------------------------------------------- helpers

/// A manifest document whose parts can be replaced. Line numbers are fixed:
///   1 apiVersion  2 kind  3 metadata:  4 name  5 spec:  6 eventTypes
///   7 endpointUrl  8.. `extra` (spec-level lines, two-space indented)
struct Doc {
    std::string api_version = "hookwarden/v1";
    std::string kind = "Webhook";
    std::string name = "SystemEventMonitor";
    std::string events = "[user:login, user:logout]";
    std::string url = "https://myapp.example.com/webhooks/genesys";
    std::string extra;

    std::string text() const {
        return "apiVersion: " + api_version + "\n" + "kind: " + kind + "\n" + "metadata:\n" +
               "  name: " + name + "\n" + "spec:\n" + "  eventTypes: " + events + "\n" +
               "  endpointUrl: " + url + "\n" + extra;
    }
};

// Columns of the values in Doc::text().
inline constexpr int name_line = 4, name_column = 9;
inline constexpr int events_line = 6, events_column = 15;
inline constexpr int url_line = 7, url_column = 16;

inline std::string minimal(const std::string& name) {
    Doc d;
    d.name = name;
    return d.text();
}

inline ManifestSet load_text(const std::string& text, ManifestOptions options = {},
                      const std::string& file = "m.yaml") {
    ManifestSet set;
    load_manifest_text(text, file, options, set);
    return set;
}

inline std::string dump(const Diagnostics& diagnostics) {
    std::string out;
    for (const auto& d : diagnostics.all())
        out += d.format() + "\n";
    return out.empty() ? "(no diagnostics)" : out;
}

inline std::vector<Diagnostic> errors_of(const Diagnostics& diagnostics) {
    std::vector<Diagnostic> out;
    for (const auto& d : diagnostics.all())
        if (d.severity == Severity::error)
            out.push_back(d);
    return out;
}

inline std::vector<Diagnostic> warnings_of(const Diagnostics& diagnostics) {
    std::vector<Diagnostic> out;
    for (const auto& d : diagnostics.all())
        if (d.severity == Severity::warning)
            out.push_back(d);
    return out;
}

/// The error at exactly FILE:LINE:COLUMN whose message holds every fragment.
inline bool has_error_at(const Diagnostics& diagnostics, const std::string& file, int line, int column,
                  std::initializer_list<std::string_view> fragments) {
    for (const auto& d : errors_of(diagnostics)) {
        if (d.location != SourceLocation{file, line, column})
            continue;
        if (std::all_of(fragments.begin(), fragments.end(),
                        [&](std::string_view f) { return d.message.find(f) != std::string::npos; }))
            return true;
    }
    return false;
}

/// Any error whose message holds every fragment.
inline bool has_error(const Diagnostics& diagnostics, std::initializer_list<std::string_view> fragments) {
    for (const auto& d : errors_of(diagnostics))
        if (std::all_of(fragments.begin(), fragments.end(),
                        [&](std::string_view f) { return d.message.find(f) != std::string::npos; }))
            return true;
    return false;
}

/// `FILE:LINE:COLUMN: error: MESSAGE` on one line, LINE and COLUMN positive
/// numbers. (Hand-written: std::regex trips GCC 12 warnings under -O2.)
inline bool is_error_line(const std::string& line, const std::string& file) {
    if (!line.starts_with(file + ":") || line.find('\n') != std::string::npos)
        return false;
    std::size_t i = file.size() + 1;
    for (int number = 0; number < 2; ++number) {
        const std::size_t start = i;
        while (i < line.size() && line[i] >= '0' && line[i] <= '9')
            ++i;
        if (i == start || line[start] == '0' || i == line.size() || line[i] != ':')
            return false;
        ++i;
    }
    const std::string_view rest = std::string_view(line).substr(i);
    return rest.starts_with(" error: ") && rest.size() > 8;
}

inline long peak_rss_kib() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

inline std::vector<std::string> lines_of(const ManifestSet& set) {
    std::vector<std::string> out;
    for (const auto& d : set.diagnostics.all())
        out.push_back(d.format());
    return out;
}

/// Everything a caller sees of a load: two loads of one directory (serial,
/// parallel, cached) must agree on all of it.
inline void check_same_load(const ManifestSet& a, const ManifestSet& b) {
    CHECK(a.webhooks == b.webhooks);
    CHECK(a.triggers == b.triggers);
    CHECK(a.duplicates == b.duplicates);
    CHECK(lines_of(a) == lines_of(b));
    CHECK(a.diagnostics.error_count() == b.diagnostics.error_count());
    CHECK(a.files == b.files);
    CHECK(a.declared_names == b.declared_names);
    CHECK(a.declared_trigger_names == b.declared_trigger_names);
}

inline std::vector<std::string> names_of(const ManifestSet& set) {
    std::vector<std::string> out;
    for (const auto& w : set.webhooks)
        out.push_back(w.name);
    return out;
}

} // namespace hookwarden::testing
