// `hookwarden status [--output text|json] [--verify]`: what the last cycle
// did and how the webhooks deliver, from the snapshot files in stateDir only
// (SPEC §4, §6a). No network, no credential: it works while the tenant or
// the secrets are out of reach, and beside a running daemon. Exit 0 last
// cycle converged, 1 failed or unreachable (or a broken change log with
// --verify, or an unreadable status.json), 3 no snapshot yet.
#include "daemon/cli/cli_args.hpp"
#include "daemon/cli/commands.hpp"
#include "daemon/cli/status_files.hpp"
#include "daemon/cli/status_render.hpp"
#include "daemon/cli/status_verify.hpp"

#include <boost/json/serialize.hpp>

#include <chrono>
#include <ostream>

namespace hookwarden {

namespace {

int run_status(CommandContext& context) {
    CliArgs args({"verify"}, {"output"});
    if (auto problem = parse_output_command_args(args, context.args)) {
        context.err << "hookwarden status: " << *problem << " (see hookwarden status --help)\n";
        return exit_code::usage;
    }
    const std::string output = args.option("output").value_or("text");

    auto config = context.load_config();
    if (!config)
        return exit_code::failure;
    auto files = read_status_files(config->state_dir);
    if (!files) {
        context.err << "hookwarden status: " << files.error().describe() << '\n';
        return exit_code::failure;
    }
    if (!*files) {
        context.err << "hookwarden status: no snapshot yet: " << (config->state_dir / "status.json").string()
                    << " does not exist (the daemon and `hookwarden apply` write it after every cycle)\n";
        return exit_code::no_snapshot;
    }
    const StatusFiles& status = **files;

    std::optional<ChangeLogVerdict> verdict;
    if (args.flag("verify")) {
        auto checked = verify_changes(status.state_dir, status.change_log);
        if (!checked) {
            context.err << "hookwarden status: " << checked.error().describe() << '\n';
            return exit_code::failure;
        }
        verdict = std::move(*checked);
    }

    // The one clock read: everything below takes `now` as a value.
    const auto now = std::chrono::system_clock::now();
    if (output == "json") {
        auto object = status_to_json(status, now, config->interval);
        if (verdict)
            object["changeLogCheck"] = verdict->json;
        context.out << boost::json::serialize(object) << '\n';
    } else {
        context.out << render_status_text(status, now, {.color = context.out_is_tty, .width = context.out_columns});
        if (verdict && verdict->ok)
            context.out << '\n' << verdict->line << '\n';
    }
    for (const auto& error : status.read_errors)
        context.err << "hookwarden status: " << error.describe() << '\n';
    if (auto warning = staleness_warning(*status.end, now, config->interval))
        context.err << "warning: " << *warning << '\n';
    if (verdict && !verdict->ok) {
        context.err << verdict->line << '\n';
        return exit_code::failure;
    }
    return status_exit_code(status);
}

} // namespace

const Command status_command{
    "status",
    "show the last cycle and the webhooks' health (files only)",
    "Usage: hookwarden status [--output text|json] [--verify]\n"
    "\n"
    "Reads the snapshot files in stateDir (status.json, state.json, health.json,\n"
    "audit/, changes.jsonl) and shows the last cycle (id, outcome, end and age, next\n"
    "run, manifest revision, blocked prune, secret rotations in progress, snapshot\n"
    "errors) and a table with one webhook a line: name, kind, state in the last\n"
    "cycle, last change (and who made it), health, delivery failure rate, last\n"
    "error. Never uses the network or the credentials. Warns on stderr when the last\n"
    "cycle ended more than 3 x interval ago.\n"
    "\n"
    "Options:\n"
    "  --output text|json  text for people (default), json for scripts (stable schema,\n"
    "                      \"formatVersion\": 1, absolute times only)\n"
    "  --verify            check changes.jsonl's hash chain and its head recorded in\n"
    "                      status.json; a broken chain names its first bad line\n"
    "\n"
    "Exit status: 0 last cycle converged, 1 it failed or the tenant was unreachable\n"
    "(or status.json is unreadable, or --verify found a broken chain), 3 no snapshot\n"
    "yet (stateDir or status.json missing), 64 bad command line.\n",
    run_status,
};

} // namespace hookwarden
