// Reading a user's text file (manifest or config) defensively.
//
// Operators point hookwarden at directories they do not fully control (git
// checkouts, config management). A file that is too large, binary, not
// UTF-8 or empty gets one clear diagnostic instead of reaching the YAML
// parser, so a stray file never crashes or stalls a cycle.
#pragma once

#include "core/diagnostic.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

namespace hookwarden {

/// Largest manifest or config file accepted.
inline constexpr std::size_t max_source_file_bytes = std::size_t{1024} * 1024;

/// Reads `path` whole. On a problem adds one error at `display` (with line
/// and column where the file holds an invalid byte) and returns nothing.
std::optional<std::string> read_source_file(const std::filesystem::path& path,
                                            const std::string& display, Diagnostics& diagnostics);

/// The 1-based line and column of byte `offset` in `text`, the column
/// counted in UTF-8 characters (as the YAML tree reports positions).
SourceLocation location_of_offset(const std::string& text, std::size_t offset,
                                  const std::string& display);

/// Checks text already in memory the same way (size, NUL bytes, UTF-8).
bool check_source_text(const std::string& text, const std::string& display,
                       Diagnostics& diagnostics);

} // namespace hookwarden
