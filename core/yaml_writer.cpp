#include "core/yaml_writer.hpp"

#include <yaml.h>

#include <array>
#include <cctype>
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
    std::strtod(copy.c_str(), &end);
    if (end == copy.c_str() + copy.size())
        return true;
    return copy.size() > 2 && copy[0] == '0' &&
           (copy[1] == 'x' || copy[1] == 'o' || copy[1] == 'b' || std::isdigit(static_cast<unsigned char>(copy[1])));
}

} // namespace

struct YamlWriter::State {
    yaml_emitter_t emitter{};
    std::string out;
    bool finished = false;

    void emit(yaml_event_t& event) {
        // libyaml frees the event whether or not emitting succeeds.
        if (!yaml_emitter_emit(&emitter, &event))
            throw std::logic_error(std::string("YAML emitter: ") +
                                   (emitter.problem ? emitter.problem : "unknown error"));
    }
};

YamlWriter::YamlWriter() : state_(std::make_unique<State>()) {
    if (!yaml_emitter_initialize(&state_->emitter))
        throw std::bad_alloc();
    yaml_emitter_set_output(
        &state_->emitter,
        [](void* data, unsigned char* buffer, size_t size) {
            static_cast<std::string*>(data)->append(reinterpret_cast<const char*>(buffer), size);
            return 1;
        },
        &state_->out);
    yaml_emitter_set_unicode(&state_->emitter, 1);
    yaml_emitter_set_indent(&state_->emitter, 2);
    yaml_emitter_set_width(&state_->emitter, -1); // never fold long URLs or templates
    yaml_event_t event;
    yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING);
    state_->emit(event);
    yaml_document_start_event_initialize(&event, nullptr, nullptr, nullptr, 1);
    state_->emit(event);
}

YamlWriter::~YamlWriter() { yaml_emitter_delete(&state_->emitter); }

YamlWriter& YamlWriter::begin_mapping() {
    yaml_event_t event;
    yaml_mapping_start_event_initialize(&event, nullptr, nullptr, 1, YAML_BLOCK_MAPPING_STYLE);
    state_->emit(event);
    return *this;
}

YamlWriter& YamlWriter::end_mapping() {
    yaml_event_t event;
    yaml_mapping_end_event_initialize(&event);
    state_->emit(event);
    return *this;
}

YamlWriter& YamlWriter::begin_sequence() {
    yaml_event_t event;
    yaml_sequence_start_event_initialize(&event, nullptr, nullptr, 1, YAML_BLOCK_SEQUENCE_STYLE);
    state_->emit(event);
    return *this;
}

YamlWriter& YamlWriter::end_sequence() {
    yaml_event_t event;
    yaml_sequence_end_event_initialize(&event);
    state_->emit(event);
    return *this;
}

void YamlWriter::scalar(std::string_view text, int style) {
    yaml_event_t event;
    yaml_scalar_event_initialize(&event, nullptr, nullptr,
                                 reinterpret_cast<yaml_char_t*>(const_cast<char*>(text.data())),
                                 static_cast<int>(text.size()), 1, 1, static_cast<yaml_scalar_style_t>(style));
    state_->emit(event);
}

YamlWriter& YamlWriter::string(std::string_view text) {
    scalar(text, resolves_to_non_string(text) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
    return *this;
}

YamlWriter& YamlWriter::quoted(std::string_view text) {
    scalar(text, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
    return *this;
}

YamlWriter& YamlWriter::boolean(bool value) {
    scalar(value ? "true" : "false", YAML_PLAIN_SCALAR_STYLE);
    return *this;
}

YamlWriter& YamlWriter::integer(long long value) {
    scalar(std::to_string(value), YAML_PLAIN_SCALAR_STYLE);
    return *this;
}

std::string YamlWriter::finish() {
    if (!state_->finished) {
        yaml_event_t event;
        yaml_document_end_event_initialize(&event, 1);
        state_->emit(event);
        yaml_stream_end_event_initialize(&event);
        state_->emit(event);
        yaml_emitter_flush(&state_->emitter);
        state_->finished = true;
    }
    return state_->out;
}

} // namespace hookwarden
