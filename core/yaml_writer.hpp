// Writing YAML (for `hookwarden export`) through yaml-cpp's `YAML::Emitter`,
// so that escaping is the library's, not ours. Block style, two-space
// indents, UTF-8 written as is, long lines never folded. On top of the
// emitter's own quoting, `string` quotes whatever a YAML 1.1 or 1.2 reader
// would resolve to a null, a boolean or a number, so every string reads back
// as the same string.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace hookwarden {

class YamlWriter {
public:
    YamlWriter();
    ~YamlWriter();
    YamlWriter(const YamlWriter&) = delete;
    YamlWriter& operator=(const YamlWriter&) = delete;

    YamlWriter& begin_mapping();
    YamlWriter& end_mapping();
    YamlWriter& begin_sequence();
    YamlWriter& end_sequence();

    /// A string. Plain when YAML would read it back as the same string;
    /// quoted when plain it would read as a null, a boolean or a number
    /// ("true", "null", "42", "0x1F", "1e3", ...).
    YamlWriter& string(std::string_view text);
    /// A string always written in double quotes (free text such as a template).
    YamlWriter& quoted(std::string_view text);
    YamlWriter& boolean(bool value);
    YamlWriter& integer(long long value);
    YamlWriter& unsigned_integer(unsigned long long value);
    /// A finite double in its shortest form that reads back as the same
    /// double, and as a floating-point number, not an integer: 3.0, not 3.
    /// Throws std::invalid_argument for an infinity or a NaN.
    YamlWriter& real(double value);
    /// `~`, YAML's null.
    YamlWriter& null();

    /// The document written so far, ending in a newline. Call once, after
    /// every begin_* has been ended.
    std::string finish();

private:
    struct State; // the emitter, kept out of this header
    std::unique_ptr<State> state_;
};

} // namespace hookwarden
