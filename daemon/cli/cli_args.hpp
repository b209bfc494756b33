// A small, strict parser for one command's arguments: `--flag`,
// `--option VALUE`, `--option=VALUE` and positionals. Anything it does not
// know is an error, so that a typo never silently changes what runs.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hookwarden {

class CliArgs {
public:
    /// `flags` take no value, `options` take one.
    CliArgs(std::set<std::string> flags, std::set<std::string> options)
        : flags_(std::move(flags)), options_(std::move(options)) {}

    /// Parses `args`; on failure returns a one-line message.
    std::optional<std::string> parse(const std::vector<std::string>& args);

    bool flag(const std::string& name) const { return seen_flags_.contains(name); }
    std::optional<std::string> option(const std::string& name) const;
    const std::vector<std::string>& positionals() const { return positionals_; }

private:
    std::set<std::string> flags_;
    std::set<std::string> options_;
    std::set<std::string> seen_flags_;
    std::map<std::string, std::string> values_;
    std::vector<std::string> positionals_;
};

/// Parses the arguments of a command that takes no positional argument and
/// whose `--output`, when given, is `text` or `json` (plan, status). Returns
/// the problem, if any, as one line.
std::optional<std::string> parse_output_command_args(CliArgs& args, const std::vector<std::string>& argv);

} // namespace hookwarden
