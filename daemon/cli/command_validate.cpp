// `hookwarden validate [DIR]`: load and validate manifests, no network and no
// secrets (CI and pre-commit hooks have neither). Exit 0 valid, 1 invalid.
#include "core/manifest.hpp"
#include "daemon/cli/cli_args.hpp"
#include "daemon/cli/commands.hpp"
#include "daemon/service/thread_pool.hpp"

#include <ostream>
#include <string>
#include <thread>

namespace hookwarden {

namespace {

int run_validate(CommandContext& context) {
    CliArgs args({}, {});
    if (auto problem = args.parse(context.args); problem || args.positionals().size() > 1) {
        context.err << "hookwarden validate: " << (problem ? *problem : "too many arguments")
                    << " (see hookwarden validate --help)\n";
        return exit_code::usage;
    }

    // With a directory on the command line the config is optional: it only
    // contributes allowInsecureEndpoints. Without one it names the directory.
    Config config;
    const bool have_dir = !args.positionals().empty();
    if (!have_dir || context.config_path || std::filesystem::exists(default_config_path)) {
        auto loaded = context.load_config();
        if (!loaded)
            return exit_code::failure;
        config = std::move(*loaded);
    }
    const std::filesystem::path dir = have_dir ? std::filesystem::path(args.positionals()[0])
                                               : config.manifests;

    // CI and pre-commit hooks validate whole repositories: parse on every core.
    ThreadPool pool(std::thread::hardware_concurrency());
    const ManifestSet set =
        load_manifests(dir, {.allow_insecure_endpoints = config.allow_insecure_endpoints}, pool);
    for (const auto& diagnostic : set.diagnostics.all())
        context.err << diagnostic.format() << '\n';
    if (!set.ok()) {
        const auto errors = set.diagnostics.error_count();
        context.err << dir.string() << ": " << errors << (errors == 1 ? " error" : " errors")
                    << ", manifests are invalid\n";
        return exit_code::failure;
    }
    const auto count = [](std::size_t n, const char* one, const char* many) {
        return std::to_string(n) + ' ' + (n == 1 ? one : many);
    };
    context.out << dir.string() << ": " << count(set.webhooks.size(), "webhook", "webhooks")
                << " and " << count(set.triggers.size(), "trigger", "triggers") << " in "
                << count(set.files, "file", "files") << ", all valid\n";
    return exit_code::ok;
}

} // namespace

const Command validate_command{
    "validate",
    "check manifests for errors (no network, no secrets)",
    "Usage: hookwarden validate [DIR]\n"
    "\n"
    "Loads every *.yaml and *.yml file below DIR (default: the config's `manifests`)\n"
    "and checks its webhooks and triggers against the manifest rules. Every problem\n"
    "is printed on stderr as one line FILE:LINE:COLUMN: error: MESSAGE. Secret\n"
    "sources are not read, so this runs in CI and pre-commit hooks without any\n"
    "secret.\n"
    "\n"
    "With DIR given, a config file is read only if --config or $HOOKWARDEN_CONFIG\n"
    "names one or the default exists (for allowInsecureEndpoints).\n"
    "\n"
    "Exit status: 0 all manifests valid, 1 invalid, 64 bad command line.\n",
    run_validate,
};

} // namespace hookwarden
