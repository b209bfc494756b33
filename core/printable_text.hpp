// Text from outside (a YAML value or key, a file name, a URL path, a header,
// a tenant's message) made fit for one line of a message for people: an
// error line on stderr, a log line, a receiver's JSON answer.
//
// Diagnostic::format, Error::describe and the receiver's answers pass their
// text through printable_text, so that a line break or an escape sequence
// in what someone else wrote can neither split an error into two lines,
// nor rewrite a terminal, nor make an answer invalid JSON (whose strings
// must be UTF-8). Used by core/diagnostic.cpp, core/error.cpp,
// core/source_file.cpp and daemon/receiver.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hookwarden {

/// Length of the UTF-8 sequence starting at `text[i]`, or 0 when it is
/// invalid (overlong forms, surrogates and code points above U+10FFFF
/// included).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

/// `text` with every ASCII control character written as an escape (`\n`,
/// `\r`, `\t`, else `\xNN`, DEL included) and every byte that is not part of
/// valid UTF-8 as `\xNN`; valid UTF-8 otherwise unchanged. The result is
/// valid UTF-8 and holds no ASCII control character.
std::string printable_text(std::string_view text);

} // namespace hookwarden
