#include "daemon/cli/cli.hpp"

#include "daemon/cli/commands.hpp"
#include "daemon/service/log.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <iostream>
#include <string_view>

#ifndef HOOKWARDEN_VERSION
#define HOOKWARDEN_VERSION "0.0.0"
#endif

namespace hookwarden {

namespace {

constexpr std::array<const Command*, 8> registry{
    &validate_command,
    &plan_command,
    &apply_command,
    &export_command,
    &run_command,
    &status_command,
    &transform_command,
    &receive_command,
};

void print_usage(std::ostream& out) {
    out << "Usage: hookwarden [--config FILE] [--log-level LEVEL] COMMAND [options]\n"
           "\n"
           "Keeps a Genesys Cloud tenant's webhooks equal to a directory of YAML manifests.\n"
           "\n"
           "Commands:\n";
    for (const Command* command : registry)
        out << "  " << command->name << std::string(12 - std::string_view(command->name).size(), ' ')
            << command->summary << '\n';
    out << "\n"
           "Global options:\n"
           "  --config FILE      configuration file (default $HOOKWARDEN_CONFIG, then\n"
           "                     " << default_config_path << ")\n"
           "  --log-level LEVEL  debug, info, warning or error (overrides logLevel)\n"
           "  --help, -h         this text; `hookwarden COMMAND --help` for a command\n"
           "  --version          print the version and exit\n"
           "\n"
           "Exit codes: 0 success, 1 failure, 2 changes pending (plan), 3 no snapshot yet\n"
           "(status), 64 bad command line.\n";
}

const Command* find_command(std::string_view name) {
    for (const Command* command : registry)
        if (name == command->name)
            return command;
    return nullptr;
}

bool color_allowed(int fd) {
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color && *no_color)
        return false;
    return ::isatty(fd) == 1;
}

// Only a terminal has a width to fit; a pipe or a file gets whole lines.
std::size_t terminal_columns(int fd) {
    winsize size{};
    if (::isatty(fd) != 1 || ::ioctl(fd, TIOCGWINSZ, &size) != 0)
        return 0;
    return size.ws_col;
}

} // namespace

std::optional<Config> CommandContext::load_config() const {
    std::filesystem::path path = default_config_path;
    if (config_path)
        path = *config_path;
    auto load = hookwarden::load_config(path, ConfigEnvironment::process());
    for (const auto& d : load.diagnostics.all())
        err << d.format() << '\n';
    if (!load.ok())
        return std::nullopt;
    if (log_level)
        load.config.log_level = *log_level;
    set_log_level(load.config.log_level);
    return std::move(load.config);
}

int run_cli(int argc, char** argv, std::ostream& out, std::ostream& err) {
    std::vector<std::string> args(argv + 1, argv + argc);
    CommandContext context{.out = out, .err = err};
    if (const char* env = std::getenv("HOOKWARDEN_CONFIG"); env && *env)
        context.config_path = env;

    std::size_t i = 0;
    for (; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--help" || arg == "-h") {
            print_usage(out);
            return exit_code::ok;
        }
        if (arg == "--version") {
            out << "hookwarden " HOOKWARDEN_VERSION "\n";
            return exit_code::ok;
        }
        std::string value;
        std::string name = arg;
        if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
        } else if ((arg == "--config" || arg == "--log-level")) {
            if (i + 1 >= args.size()) {
                err << "hookwarden: option '" << arg << "' needs a value\n";
                return exit_code::usage;
            }
            value = args[++i];
        }
        if (name == "--config") {
            context.config_path = value;
        } else if (name == "--log-level") {
            context.log_level = parse_log_level(value);
            if (!context.log_level) {
                err << "hookwarden: --log-level must be debug, info, warning or error, not '"
                    << value << "'\n";
                return exit_code::usage;
            }
        } else if (arg.starts_with("-")) {
            err << "hookwarden: unknown option '" << arg << "' (see hookwarden --help)\n";
            return exit_code::usage;
        } else {
            break;
        }
    }

    if (i == args.size()) {
        print_usage(err);
        return exit_code::usage;
    }
    const Command* command = find_command(args[i]);
    if (!command) {
        err << "hookwarden: unknown command '" << args[i] << "' (see hookwarden --help)\n";
        return exit_code::usage;
    }
    context.args.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
    for (const auto& arg : context.args) {
        if (arg == "--")
            break;
        if (arg == "--help" || arg == "-h") {
            out << command->help;
            return exit_code::ok;
        }
    }
    // Every command logs through daemon/service/log: --log-level holds from
    // here on, and load_config() puts the config's logLevel under it.
    init_logging(context.log_level.value_or(LogLevel::info));
    context.out_is_tty = (&out == &std::cout) && color_allowed(STDOUT_FILENO);
    context.out_columns = (&out == &std::cout) ? terminal_columns(STDOUT_FILENO) : 0;
    return command->run(context);
}

} // namespace hookwarden
