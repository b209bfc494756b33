// `hookwarden export [--dir DIR] [--force]`: write the tenant's webhooks as
// manifests, one NAME.yaml each, the first step of adopting an existing
// tenant (SPEC §4). The files carry no secretRef and no secret: applied with
// `adopt: true` they take the webhooks over as they are, keeping the secrets
// the tenant has, and make no write. DIR is created when missing; an
// existing file is never replaced without --force. Exit 0, or 1 when a
// webhook could not be exported (the others still are).
#include "core/atomic_file.hpp"
#include "core/manifest_export.hpp"
#include "core/manifest_rules.hpp"
#include "daemon/cli/cli_args.hpp"
#include "daemon/cli/commands.hpp"
#include "daemon/service/tenant_connect.hpp"

#include <map>
#include <ostream>

namespace hookwarden {

namespace {

namespace fs = std::filesystem;

// The file a webhook goes to. Discovery skips dot-files, so a name that
// starts with '.' (valid in a manifest) gets a '_' in front of its file name.
std::string file_name_for(const std::string& name) {
    return (name.starts_with('.') ? "_" + name : name) + ".yaml";
}

int run_export(CommandContext& context) {
    CliArgs args({"force"}, {"dir"});
    if (auto problem = args.parse(context.args); problem || !args.positionals().empty()) {
        context.err << "hookwarden export: " << (problem ? *problem : "takes no arguments")
                    << " (see hookwarden export --help)\n";
        return exit_code::usage;
    }
    const fs::path dir = args.option("dir").value_or(".");
    const bool force = args.flag("force");

    auto config = context.load_config();
    if (!config)
        return exit_code::failure;
    auto tenant = connect_tenant(*config, SecretEnvironment::process());
    if (!tenant) {
        context.err << "hookwarden export: " << tenant.error().describe() << '\n';
        return exit_code::failure;
    }
    auto webhooks = (*tenant)->list_webhooks();
    if (!webhooks) {
        context.err << "hookwarden export: " << webhooks.error().describe() << '\n';
        return exit_code::failure;
    }
    if (auto made = ensure_directory(dir, fs::perms::owner_all | fs::perms::group_read |
                                              fs::perms::group_exec | fs::perms::others_read |
                                              fs::perms::others_exec);
        !made) {
        context.err << "hookwarden export: " << made.error().describe() << '\n';
        return exit_code::failure;
    }

    std::map<std::string, int> name_count;
    for (const auto& webhook : *webhooks)
        ++name_count[webhook.name];

    int written = 0;
    int failed = 0;
    for (const auto& webhook : *webhooks) {
        if (auto bad = check_webhook_name(webhook.name)) {
            context.err << "hookwarden export: webhook " << webhook.id
                        << " is not exported: its name '" << webhook.name << "' " << *bad
                        << " (rename it in the tenant)\n";
            ++failed;
            continue;
        }
        if (name_count[webhook.name] > 1) {
            context.err << "hookwarden export: " << webhook.name << " (id " << webhook.id
                        << ") is not exported: the tenant holds " << name_count[webhook.name]
                        << " webhooks of that name; delete or rename all but one\n";
            ++failed;
            continue;
        }
        const fs::path file = dir / file_name_for(webhook.name);
        const auto mode = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                          fs::perms::others_read;
        auto saved = write_file_atomically(file, manifest_yaml(webhook),
                                           {.mode = mode, .replace_existing = force});
        if (!saved) {
            if (saved.error().kind == ErrorKind::conflict)
                context.err << "hookwarden export: " << file.string()
                            << " already exists; not overwritten (use --force)\n";
            else
                context.err << "hookwarden export: " << saved.error().describe() << '\n';
            ++failed;
            continue;
        }
        context.out << "  wrote " << file.string() << '\n';
        ++written;
    }
    context.out << "Exported " << written << (written == 1 ? " webhook" : " webhooks") << " to "
                << dir.string();
    if (failed)
        context.out << "; " << failed << " not exported (see errors)";
    context.out << ".\n";
    return failed ? exit_code::failure : exit_code::ok;
}

} // namespace

const Command export_command{
    "export",
    "write the tenant's webhooks as manifests (to adopt them)",
    "Usage: hookwarden export [--dir DIR] [--force]\n"
    "\n"
    "Lists the tenant's webhooks and writes each as a manifest DIR/NAME.yaml\n"
    "(default DIR: the current directory, created when missing). The files hold no\n"
    "secret and no secretRef: applying them with `adopt: true` takes the webhooks\n"
    "over as they are, keeps the secrets the tenant has, and sends no write. Each\n"
    "file's comment tells how to choose a secret source instead.\n"
    "\n"
    "Options:\n"
    "  --dir DIR  where to write (created when missing)\n"
    "  --force    replace existing files (never done without it)\n"
    "\n"
    "Exit status: 0 all exported, 1 a webhook could not be exported (an invalid or\n"
    "duplicate name, an existing file) or the tenant failed, 64 bad command line.\n",
    run_export,
};

} // namespace hookwarden
