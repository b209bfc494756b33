#include "core/yaml_writer.hpp"

#include <yaml-cpp/emitter.h>
#include <yaml-cpp/emittermanip.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace hookwarden {

namespace {

// Plain scalars that a YAML 1.1 or 1.2 reader resolves to something other
// than a string. YAML 1.1's yes/no/on/off are included: other tools that read
// the exported files may still speak 1.1.
bool resolves_to_non_string(std::string_view text) {
    static constexpr std::array<std::string_view, 27> words{
        "",     "~",     "null", "Null", "NULL", "true", "True", "TRUE", "false",
        "False", "FALSE", "yes", "Yes",  "YES",  "no",   "No",   "NO",   "on",
        "On",    "ON",    "off", "Off",  "OFF",  "y",    "Y",    "n",    "N"};
    for (auto word : words)
        if (text == word)
            return true;
    const unsigned char first = static_cast<unsigned char>(text.front());
    if (!std::isdigit(first) && first != '-' && first != '+' && first != '.')
        return false;
    // Anything that starts like a number and that strtod or a 0x/0o/0b
    // prefix could read is quoted; a quoted string is never wrong.
    const std::string copy(text);
    char* end = nullptr;
    // Only how far it reads matters: out of range (ERANGE) is still a number.
    (void)std::strtod(copy.c_str(), &end);
    if (end == copy.c_str() + copy.size())
        return true;
    return copy.size() > 2 && copy[0] == '0' &&
           (copy[1] == 'x' || copy[1] == 'o' || copy[1] == 'b' || std::isdigit(static_cast<unsigned char>(copy[1])));
}

} // namespace

struct YamlWriter::State {
    YAML::Emitter emitter;

    // The emitter records misuse (an end without a begin, a key without a
    // value) instead of throwing; a writer used wrongly is a bug in the caller.
    void check() const {
        if (!emitter.good())
            throw std::logic_error("YAML emitter: " + emitter.GetLastError());
    }
};

YamlWriter::YamlWriter() : state_(std::make_unique<State>()) {
    state_->emitter.SetIndent(2);
    state_->emitter.SetOutputCharset(YAML::EmitNonAscii);
    state_->emitter.SetStringFormat(YAML::Auto);
    state_->emitter.SetMapFormat(YAML::Block);
    state_->emitter.SetSeqFormat(YAML::Block);
}

YamlWriter::~YamlWriter() = default;

YamlWriter& YamlWriter::begin_mapping() {
    state_->emitter << YAML::BeginMap;
    state_->check();
    return *this;
}

YamlWriter& YamlWriter::end_mapping() {
    state_->emitter << YAML::EndMap;
    state_->check();
    return *this;
}

YamlWriter& YamlWriter::begin_sequence() {
    state_->emitter << YAML::BeginSeq;
    state_->check();
    return *this;
}

YamlWriter& YamlWriter::end_sequence() {
    state_->emitter << YAML::EndSeq;
    state_->check();
    return *this;
}

YamlWriter& YamlWriter::string(std::string_view text) {
    if (resolves_to_non_string(text))
        return quoted(text);
    state_->emitter << std::string(text);
    state_->check();
    return *this;
}

YamlWriter& YamlWriter::quoted(std::string_view text) {
    state_->emitter << YAML::DoubleQuoted << std::string(text);
    state_->check();
    return *this;
}

YamlWriter& YamlWriter::boolean(bool value) {
    state_->emitter << YAML::TrueFalseBool << YAML::LowerCase << value;
    state_->check();
    return *this;
}

YamlWriter& YamlWriter::integer(long long value) {
    state_->emitter << value;
    state_->check();
    return *this;
}

YamlWriter& YamlWriter::unsigned_integer(unsigned long long value) {
    state_->emitter << value;
    state_->check();
    return *this;
}

YamlWriter& YamlWriter::real(double value) {
    if (!std::isfinite(value))
        throw std::invalid_argument("YAML writer: a number must be finite");
    std::array<char, 64> buffer{};
    const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    std::string text(buffer.data(), end);
    // "3" would read back as an integer.
    if (text.find_first_of(".e") == std::string::npos)
        text += ".0";
    // A plain scalar: the emitter writes a valid plain scalar as it is.
    state_->emitter << text;
    state_->check();
    return *this;
}

YamlWriter& YamlWriter::null() {
    state_->emitter << YAML::Null;
    state_->check();
    return *this;
}

std::string YamlWriter::finish() {
    std::string out(state_->emitter.c_str(), state_->emitter.size());
    if (!out.empty() && out.back() != '\n')
        out += '\n';
    return out;
}

} // namespace hookwarden
