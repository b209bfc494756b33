// `hookwarden export [--dir DIR] [--kind webhook|trigger] [--force]`: write
// the tenant's webhooks and Process Automation triggers as manifests, one
// file each, the first step of adopting an existing tenant (SPEC §4). The
// files carry no secretRef and no secret: applied with `adopt: true` they
// take the resources over as they are (webhooks keep the secrets the tenant
// has) and make no write. Webhooks go to DIR/NAME.yaml, triggers to
// DIR/triggers/NAME.yaml (a webhook and a trigger may share a name). DIR is
// created when missing; an existing file is never replaced without --force.
// Exit 0, or 1 when a resource or a whole kind could not be exported (the
// others still are).
#include "core/atomic_file.hpp"
#include "core/manifest_export.hpp"
#include "core/manifest_rules.hpp"
#include "core/resource.hpp"
#include "daemon/cli/cli_args.hpp"
#include "daemon/cli/commands.hpp"
#include "daemon/service/tenant_connect.hpp"

#include <cctype>
#include <map>
#include <ostream>
#include <set>

namespace hookwarden {

namespace {

namespace fs = std::filesystem;

// The file a resource goes to: its name, made safe for a file name (a
// trigger name may hold '/' or other characters a path cannot). Discovery
// skips dot-files, so a name that starts with '.' gets a '_' in front. When
// two names come out the same, the later one's id tells them apart.
class FileNames {
  public:
    std::string for_resource(const std::string& name, const std::string& id) {
        std::string base;
        for (const unsigned char c : name)
            base += (std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == ' ' || c >= 0x80)
                        ? static_cast<char>(c)
                        : '_';
        if (base.starts_with('.'))
            base = "_" + base;
        std::string file = base + ".yaml";
        if (!used_.insert(file).second) {
            file = base + "-" + id.substr(0, 8) + ".yaml";
            used_.insert(file);
        }
        return file;
    }

  private:
    std::set<std::string> used_;
};

// Writes one kind's resources, counting what was written and what failed.
struct KindExport {
    CommandContext& context;
    bool force;
    int written = 0;
    int failed = 0;

    void write_all(ResourceKind kind, const std::vector<TenantResource>& resources,
                   const fs::path& dir) {
        if (resources.empty())
            return;
        if (auto made = ensure_directory(dir, fs::perms::owner_all | fs::perms::group_read |
                                                  fs::perms::group_exec | fs::perms::others_read |
                                                  fs::perms::others_exec);
            !made) {
            context.err << "hookwarden export: " << made.error().describe() << '\n';
            failed += static_cast<int>(resources.size());
            return;
        }
        const std::string noun = to_string(kind);
        std::map<std::string, int> name_count;
        for (const auto& resource : resources)
            ++name_count[name_of(resource)];
        FileNames names;
        for (const auto& resource : resources) {
            const std::string& name = name_of(resource);
            const std::string& id = id_of(resource);
            const auto bad = kind == ResourceKind::trigger ? check_trigger_name(name)
                                                           : check_webhook_name(name);
            if (bad) {
                context.err << "hookwarden export: " << noun << " " << id
                            << " is not exported: its name '" << name << "' " << *bad
                            << " (rename it in the tenant)\n";
                ++failed;
                continue;
            }
            if (name_count[name] > 1) {
                context.err << "hookwarden export: " << noun << " " << name << " (id " << id
                            << ") is not exported: the tenant holds " << name_count[name] << " "
                            << noun << "s of that name; delete or rename all but one\n";
                ++failed;
                continue;
            }
            const fs::path file = dir / names.for_resource(name, id);
            const auto mode = fs::perms::owner_read | fs::perms::owner_write |
                              fs::perms::group_read | fs::perms::others_read;
            const std::string text =
                std::visit([](const auto& r) { return manifest_yaml(r); }, resource);
            auto saved = write_file_atomically(file, text, {.mode = mode, .replace_existing = force});
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
    }
};

std::string counted(int n, const char* noun) {
    return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

int run_export(CommandContext& context) {
    CliArgs args({"force"}, {"dir", "kind"});
    if (auto problem = args.parse(context.args); problem || !args.positionals().empty()) {
        context.err << "hookwarden export: " << (problem ? *problem : "takes no arguments")
                    << " (see hookwarden export --help)\n";
        return exit_code::usage;
    }
    std::vector<ResourceKind> kinds(all_resource_kinds.begin(), all_resource_kinds.end());
    if (auto kind = args.option("kind")) {
        auto chosen = resource_kind_from_string(*kind);
        if (!chosen) {
            context.err << "hookwarden export: --kind must be webhook or trigger, not '" << *kind
                        << "' (see hookwarden export --help)\n";
            return exit_code::usage;
        }
        kinds = {*chosen};
    }
    const fs::path dir = args.option("dir").value_or(".");

    auto config = context.load_config();
    if (!config)
        return exit_code::failure;
    auto tenant = connect_tenant(*config, SecretEnvironment::process());
    if (!tenant) {
        context.err << "hookwarden export: " << tenant.error().describe() << '\n';
        return exit_code::failure;
    }

    // Each kind on its own: an organisation without the tutorial's webhook
    // API still exports its triggers, and says why the webhooks are missing.
    std::map<ResourceKind, std::vector<TenantResource>> listed;
    bool list_failed = false;
    for (const ResourceKind kind : kinds) {
        auto resources = (*tenant)->list(kind);
        if (!resources) {
            context.err << "hookwarden export: the " << to_string(kind)
                        << "s could not be listed: " << resources.error().describe() << '\n';
            list_failed = true;
            continue;
        }
        listed[kind] = std::move(*resources);
    }
    if (auto made = ensure_directory(dir, fs::perms::owner_all | fs::perms::group_read |
                                              fs::perms::group_exec | fs::perms::others_read |
                                              fs::perms::others_exec);
        !made) {
        context.err << "hookwarden export: " << made.error().describe() << '\n';
        return exit_code::failure;
    }

    KindExport webhooks{context, args.flag("force")};
    KindExport triggers{context, args.flag("force")};
    if (listed.contains(ResourceKind::webhook))
        webhooks.write_all(ResourceKind::webhook, listed[ResourceKind::webhook], dir);
    if (listed.contains(ResourceKind::trigger))
        triggers.write_all(ResourceKind::trigger, listed[ResourceKind::trigger], dir / "triggers");

    std::string what;
    if (listed.contains(ResourceKind::webhook))
        what = counted(webhooks.written, "webhook");
    if (listed.contains(ResourceKind::trigger))
        what += (what.empty() ? "" : " and ") + counted(triggers.written, "trigger");
    if (what.empty())
        what = "nothing";
    context.out << "Exported " << what << " to " << dir.string();
    const int failed = webhooks.failed + triggers.failed;
    if (failed)
        context.out << "; " << failed << " not exported (see errors)";
    context.out << ".\n";
    return failed || list_failed ? exit_code::failure : exit_code::ok;
}

} // namespace

const Command export_command{
    "export",
    "write the tenant's webhooks and triggers as manifests (to adopt them)",
    "Usage: hookwarden export [--dir DIR] [--kind webhook|trigger] [--force]\n"
    "\n"
    "Lists the tenant's webhooks and Process Automation triggers (both unless\n"
    "--kind says one) and writes each as a manifest: webhooks as DIR/NAME.yaml,\n"
    "triggers as DIR/triggers/NAME.yaml (default DIR: the current directory,\n"
    "created when missing). The files hold no secret and no secretRef: applying\n"
    "them with `adopt: true` takes the resources over as they are, keeps the\n"
    "secrets the tenant has, and sends no write. Each webhook file's comment tells\n"
    "how to choose a secret source instead.\n"
    "\n"
    "Options:\n"
    "  --dir DIR     where to write (created when missing)\n"
    "  --kind KIND   webhook or trigger: export only that kind\n"
    "  --force       replace existing files (never done without it)\n"
    "\n"
    "Exit status: 0 all exported, 1 a resource could not be exported (an invalid or\n"
    "duplicate name, an existing file), a kind could not be listed or the tenant\n"
    "failed, 64 bad command line.\n",
    run_export,
};

} // namespace hookwarden
