#include "core/source_file.hpp"

#include "core/printable_text.hpp" // utf8_sequence_length

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace hookwarden {

SourceLocation location_of_offset(const std::string& text, std::size_t offset,
                                  const std::string& display) {
    int line = 1, column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            ++column; // continuation bytes belong to the character before
        }
    }
    return {display, line, column};
}

bool check_source_text(const std::string& text, const std::string& display,
                       Diagnostics& diagnostics) {
    if (text.size() > max_source_file_bytes) {
        diagnostics.error({display}, "file is larger than 1 MiB (" + std::to_string(text.size()) +
                                         " bytes); split it into several files");
        return false;
    }
    if (auto nul = text.find('\0'); nul != std::string::npos) {
        diagnostics.error(location_of_offset(text, nul, display),
                          "file holds a NUL byte: it is binary, not YAML");
        return false;
    }
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = utf8_sequence_length(text, i);
        if (n == 0) {
            diagnostics.error(location_of_offset(text, i, display), "file is not valid UTF-8");
            return false;
        }
        i += n;
    }
    return true;
}

std::optional<std::string> read_source_file(const std::filesystem::path& path,
                                            const std::string& display, Diagnostics& diagnostics) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) {
        diagnostics.error({display}, "cannot read file: " + ec.message());
        return std::nullopt;
    }
    if (size > max_source_file_bytes) {
        diagnostics.error({display}, "file is larger than 1 MiB (" + std::to_string(size) +
                                         " bytes); split it into several files");
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        diagnostics.error({display}, std::string("cannot read file: ") + std::strerror(errno));
        return std::nullopt;
    }
    // Size the buffer from the stat (plus one byte to notice growth) rather
    // than the limit: zero-filling 1 MiB per file was nearly half the
    // instructions of loading a large directory. A file that grew after the
    // stat (or that reports size 0, as /proc does) is read on, but never more
    // than one byte past the limit.
    std::string text;
    std::size_t capacity = static_cast<std::size_t>(size) + 1;
    std::size_t length = 0;
    for (;;) {
        text.resize(capacity);
        in.read(text.data() + length, static_cast<std::streamsize>(capacity - length));
        if (in.bad()) {
            diagnostics.error({display}, "cannot read file: I/O error");
            return std::nullopt;
        }
        length += static_cast<std::size_t>(in.gcount());
        if (length < capacity || capacity > max_source_file_bytes)
            break;
        capacity = std::min(capacity * 2, max_source_file_bytes + 1);
    }
    text.resize(length);
    if (!check_source_text(text, display, diagnostics))
        return std::nullopt;
    return text;
}

} // namespace hookwarden
