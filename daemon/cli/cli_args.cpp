#include "daemon/cli/cli_args.hpp"

namespace hookwarden {

std::optional<std::string> CliArgs::parse(const std::vector<std::string>& args) {
    bool only_positionals = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (only_positionals || arg == "-" || !arg.starts_with("--")) {
            if (!only_positionals && arg.size() > 1 && arg[0] == '-' )
                return "unknown option '" + arg + "'";
            positionals_.push_back(arg);
            continue;
        }
        if (arg == "--") {
            only_positionals = true;
            continue;
        }
        std::string name = arg.substr(2);
        std::optional<std::string> inline_value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name.resize(eq);
        }
        if (flags_.contains(name)) {
            if (inline_value)
                return "option '--" + name + "' takes no value";
            seen_flags_.insert(name);
        } else if (options_.contains(name)) {
            if (inline_value) {
                values_[name] = *inline_value;
            } else if (i + 1 < args.size()) {
                values_[name] = args[++i];
            } else {
                return "option '--" + name + "' needs a value";
            }
        } else {
            return "unknown option '--" + name + "'";
        }
    }
    return std::nullopt;
}

std::optional<std::string> CliArgs::option(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end())
        return std::nullopt;
    return it->second;
}

std::optional<std::string> parse_output_command_args(CliArgs& args, const std::vector<std::string>& argv) {
    if (auto problem = args.parse(argv))
        return problem;
    if (!args.positionals().empty())
        return "takes no arguments";
    if (auto output = args.option("output"); output && *output != "text" && *output != "json")
        return "--output must be text or json";
    return std::nullopt;
}

} // namespace hookwarden
