// The command line: `hookwarden [--config FILE] COMMAND [options]` (SPEC §4).
//
// Each command lives in its own `command_<name>.cpp` and describes itself
// with a `Command`; `run_cli` parses the global options, picks the command
// and hands it a `CommandContext`. Commands return the process exit code and
// report their own errors, once, on `err`.
#pragma once

#include "daemon/service/config.hpp"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace hookwarden {

/// Exit codes shared by the commands (SPEC §4).
namespace exit_code {
inline constexpr int ok = 0;
inline constexpr int failure = 1;  ///< invalid input, failed cycle, error
inline constexpr int changes = 2;  ///< plan: changes pending
inline constexpr int no_snapshot = 3; ///< status: stateDir holds no status.json yet
inline constexpr int usage = 64;   ///< bad command line (EX_USAGE)
} // namespace exit_code

struct CommandContext {
    std::optional<std::filesystem::path> config_path; ///< --config or $HOOKWARDEN_CONFIG
    std::optional<LogLevel> log_level;                ///< --log-level
    std::vector<std::string> args;                    ///< after the command name
    std::ostream& out;
    std::ostream& err;
    bool out_is_tty = false; ///< colour allowed on `out` (TTY and no NO_COLOR)
    std::size_t out_columns = 0; ///< width of `out` when it is a terminal, else 0

    /// Loads the config file (`--config`, $HOOKWARDEN_CONFIG or the default
    /// path), printing every diagnostic on `err`, and sets the log level:
    /// `--log-level` when given, else the config's `logLevel`. Empty on failure.
    std::optional<Config> load_config() const;
};

struct Command {
    const char* name;
    const char* summary; ///< one line for `hookwarden --help`
    const char* help;    ///< the full `hookwarden COMMAND --help` text
    int (*run)(CommandContext& context);
};

/// The whole CLI; returns the exit code.
int run_cli(int argc, char** argv, std::ostream& out, std::ostream& err);

/// Default config path when neither --config nor $HOOKWARDEN_CONFIG is given.
inline constexpr const char* default_config_path = "/etc/hookwarden/hookwarden.yaml";

} // namespace hookwarden
