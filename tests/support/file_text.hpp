// A file's bytes and a text's lines, as tests compare them. Header-only, like
// scratch_dir.hpp, so that core's unit tests use it without linking the
// test-support library.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace hookwarden::testing {

/// Every byte of `path`; empty when it cannot be opened (the assertions on
/// the content then say what was missing).
inline std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// `text` split at '\n', without the newlines; no empty last line for a
/// text that ends with one.
inline std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

/// Whether `text` holds `fragment` anywhere.
inline bool contains(std::string_view text, std::string_view fragment) {
    return text.find(fragment) != std::string_view::npos;
}

} // namespace hookwarden::testing
