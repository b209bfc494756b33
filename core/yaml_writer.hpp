// Writing YAML (for `hookwarden export`) through libyaml's emitter, so that
// quoting and escaping are the library's, not ours.
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

    /// The document written so far, ending in a newline. Call once, after
    /// every begin_* has been ended.
    std::string finish();

private:
    struct State;
    void scalar(std::string_view text, int style);
    std::unique_ptr<State> state_;
};

} // namespace hookwarden
