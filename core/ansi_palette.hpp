// ANSI colours for text meant for people (`plan`, `apply`, `status`).
//
// The caller decides whether colour is wanted (a TTY and no NO_COLOR: see
// CommandContext::out_is_tty); a palette that is off returns text unchanged,
// so the same rendering code serves terminals, pipes and tests.
#pragma once

#include <string>

namespace hookwarden {

struct Palette {
    bool on = false;
    /// `text` wrapped in the SGR `code` and a reset, when on.
    std::string paint(const char* code, const std::string& text) const {
        if (!on)
            return text;
        return std::string("\x1b[") + code + "m" + text + "\x1b[0m";
    }
};

namespace ansi {
inline constexpr const char* green = "32";
inline constexpr const char* yellow = "33";
inline constexpr const char* red = "31";
inline constexpr const char* bold_red = "1;31";
inline constexpr const char* cyan = "36";
} // namespace ansi

} // namespace hookwarden
